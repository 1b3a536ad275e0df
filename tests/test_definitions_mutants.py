"""Definition-loading cases found by mutation testing (benchmarks/mutation_test.py) that no other test pinned."""
import ast

import pytest

from fcn_course.definitions import _is_constant_assignment, execute_definition_cells, is_definition_cell
from tiny_course import nb_from


@pytest.mark.parametrize("source", [
    "%matplotlib inline\nimport math\n",  # IPython syntax
    "def broken(:\n    pass\n",             # a syntax error
    "import math\nprint(math.pi)\n",       # a call: not a definition
    "box.side = 3\n",                      # an attribute target: not a plain constant
])
def test_a_cell_that_is_not_only_definitions_is_exactly_false(source):
    """The answer is a bool (``False``), not some other falsy value, whatever the reason."""
    assert is_definition_cell(source) is False


@pytest.mark.parametrize("statement", ["print(1)", "box.side = 3", "x += 1"])
def test_a_statement_that_is_not_a_constant_assignment_is_exactly_false(statement):
    assert _is_constant_assignment(ast.parse(statement).body[0]) is False


def test_markdown_cells_and_magic_cells_are_never_run():
    nb = nb_from('''
        # %% [markdown]
        # LIMIT = 3

        # %%
        %matplotlib inline
        def magic_cell_function():
            return 1

        # %%
        KEPT = 1
    ''')
    nb.cells[0].source = "LIMIT = 3"  # a Markdown cell whose text happens to be valid Python
    namespace, failures = execute_definition_cells(nb, "demo.ipynb")
    assert failures == []
    assert namespace["KEPT"] == 1
    assert "LIMIT" not in namespace and "magic_cell_function" not in namespace

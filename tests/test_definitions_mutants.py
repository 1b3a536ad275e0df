"""Definition-loading cases found by mutation testing (benchmarks/mutation_test.py) that no other test pinned."""
import ast

import pytest

from fcn_course.definitions import (_is_constant_assignment, execute_definition_cells, is_definition_cell,
                                    load_definitions)
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


def test_a_definition_that_raises_is_reported_with_its_error_and_line():
    nb = nb_from('''
        # %%
        def good():
            return 1


        def needs_a_missing_module(x=__import__("fcn_course_no_such_module")):
            return x
    ''')
    namespace, failures = execute_definition_cells(nb, "demo.ipynb")
    assert namespace["good"]() == 1 and "needs_a_missing_module" not in namespace
    [failure] = failures
    assert failure.index == 0 and failure.error.startswith("ModuleNotFoundError:") and "(linha 5)" in failure.error


def test_the_broken_cell_warning_points_at_the_line_that_called_load_definitions(tmp_path):
    path = tmp_path / "02_broken.py"
    path.write_text("# %%\ndef broken(:\n    pass\n")
    with pytest.warns(UserWarning, match="SyntaxError") as record:
        load_definitions(path)
    assert record[0].filename == __file__

"""Definition-loading cases found by mutation testing (benchmarks/mutation_test.py) that no other test pinned."""
import ast
import inspect
import os
import re
import warnings

import nbformat
import pytest

import fcn_course.checks  # noqa: F401 - the exercise registry tells definitions which exercise defines a name
from fcn_course.definitions import (_is_constant_assignment, execute_definition_cells, load_definitions,
                                    read_newest)
from tiny_course import nb_from, percent


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


def _missing_message(tmp_path, notebook_name: str, text: str, names: list) -> str:
    """The Portuguese KeyError message of load_definitions when ``names`` are missing from a tiny notebook."""
    path = tmp_path / notebook_name
    path.write_text(percent(text))
    with pytest.raises(KeyError) as caught, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a broken cell also warns; the message is what is checked here
        load_definitions(path, names=names)
    return caught.value.args[0]


def test_a_missing_name_message_lists_the_definitions_found_sorted(tmp_path):
    message = _missing_message(tmp_path, "02_fcn_alexnet.py", '''
        # %%
        import math


        def helper():
            return 1
    ''', ["FCN_AlexNet"])
    assert "\nDefinições encontradas: helper, math.\n" in message + "\n"


def test_a_notebook_that_defines_nothing_says_nada(tmp_path):
    message = _missing_message(tmp_path, "02_fcn_alexnet.py", "# %%\nprint('nothing defined here')\n",
                               ["FCN_AlexNet"])
    assert message.endswith("\nDefinições encontradas: nada.")


def test_a_missing_name_message_lists_the_cells_that_failed(tmp_path):
    message = _missing_message(tmp_path, "02_fcn_alexnet.py", '''
        # %%
        import math

        # %%
        def FCN_AlexNet(:
            pass
    ''', ["FCN_AlexNet"])
    found, failed, cell = message.splitlines()[-3:]
    assert (found, failed) == ("Definições encontradas: math.", "Estas células deram erro:")
    assert re.fullmatch(r"  célula 2 de 02_fcn_alexnet\.py \('def FCN_AlexNet\(:'\): "
                        r"SyntaxError: .+ \(linha 1\)", cell)


@pytest.mark.parametrize("notebook_name, missing, exercise", [
    ("02_fcn_alexnet.py", "dice_loss", "Exercício 5 (perda de Dice)"),  # not the notebook's first exercise
    ("02_fcn_alexnet.py", "my_helper", None),   # a name of no exercise, in a course notebook
    ("03_fcn_vgg16.py", "FCN_AlexNet", None),   # an exercise name, but of another notebook
])
def test_the_exercise_named_is_the_one_of_this_notebook_that_defines_the_name(tmp_path, notebook_name, missing,
                                                                              exercise):
    message = _missing_message(tmp_path, notebook_name, "# %%\nimport math\n", [missing])
    [hint] = [line for line in message.splitlines() if line.startswith(f"- `{missing}`")]
    if exercise is None:
        assert hint.startswith(f"- `{missing}` vem da célula de exercício de {notebook_name}:")
    else:
        assert hint.startswith(f"- `{missing}` vem da célula de exercício ({exercise}) de {notebook_name}:")


def test_a_pair_whose_newer_file_has_the_same_code_is_read_without_a_note(tmp_path, capsys):
    """Only the Markdown differs (the student re-saved the .py): the .ipynb asked for is read, nothing printed."""
    ipynb, py = tmp_path / "02_fcn_alexnet.ipynb", tmp_path / "02_fcn_alexnet.py"
    nbformat.write(nb_from("# %% [markdown]\n# Old text\n\n# %%\ndef answer():\n    return 42\n"), ipynb)
    py.write_text(percent("# %% [markdown]\n# New text\n\n# %%\ndef answer():\n    return 42\n"))
    os.utime(ipynb, (1_000_000_000, 1_000_000_000))  # the .py is the newer file
    nb, read_path, note = read_newest(ipynb)
    assert (read_path, note) == (ipynb, None) and nb.cells[0].source == "Old text"
    assert load_definitions(ipynb, ["answer"])["answer"]() == 42
    assert capsys.readouterr().out == ""


def test_the_source_of_a_loaded_function_can_be_read_back(tmp_path):
    """``inspect.getsource`` (Jupyter's ``??``, ``torch.jit.script``) shows the student's lines as written."""
    path = tmp_path / "02_fcn_alexnet.py"
    path.write_text(percent('''
        # %%
        import math

        # %%
        def area(r):
            """Area of a circle."""
            return math.pi * r ** 2
    '''))
    area = load_definitions(path, ["area"])["area"]
    assert inspect.getsource(area) == 'def area(r):\n    """Area of a circle."""\n    return math.pi * r ** 2'


def test_only_a_constant_that_needs_a_skipped_variable_is_skipped_silently(tmp_path):
    """A NameError in a class body and any other error in a constant are the student's bugs: both reported."""
    nb = nb_from('''
        # %%
        N_ITEMS = len(dataset)  # needs a variable of a skipped statement: silently skipped


        class Net:
            width = UNDEFINED_WIDTH


        RATIO = 1 / 0
        KEPT = 3
    ''')
    namespace, failures = execute_definition_cells(nb, "02_fcn_alexnet.ipynb")
    assert namespace["KEPT"] == 3 and "Net" not in namespace and "N_ITEMS" not in namespace
    assert [failure.error for failure in failures] == [
        "NameError: name 'UNDEFINED_WIDTH' is not defined (linha 4)",
        "ZeroDivisionError: division by zero (linha 8)",
    ]


def test_a_py_notebook_reads_its_newer_ipynb_pair(tmp_path, capsys):
    """Asked for the .py, the .ipynb saved later (edited in Jupyter) holds the student's work."""
    ipynb, py = tmp_path / "02_fcn_alexnet.ipynb", tmp_path / "02_fcn_alexnet.py"
    py.write_text(percent("# %%\ndef answer():\n    raise NotImplementedError\n"))
    nbformat.write(nb_from("# %%\ndef answer():\n    return 42\n"), ipynb)
    os.utime(py, (1_000_000_000, 1_000_000_000))
    assert load_definitions(py, ["answer"])["answer"]() == 42
    assert "02_fcn_alexnet.ipynb foi salvo depois de 02_fcn_alexnet.py" in capsys.readouterr().out


def test_a_plain_py_file_with_the_notebook_name_is_not_its_pair(tmp_path, capsys):
    """A helper script ``02_fcn_alexnet.py`` (no ``# %%`` cells) saved later never replaces the notebook."""
    ipynb, script = tmp_path / "02_fcn_alexnet.ipynb", tmp_path / "02_fcn_alexnet.py"
    nbformat.write(nb_from("# %%\ndef answer():\n    return 42\n"), ipynb)
    script.write_text("def answer():\n    return 0\n")
    os.utime(ipynb, (1_000_000_000, 1_000_000_000))  # the script is the newer file
    assert load_definitions(ipynb, ["answer"])["answer"]() == 42
    assert capsys.readouterr().out == ""


def test_a_notebook_asked_for_by_its_missing_ipynb_name_is_read_from_its_py(tmp_path):
    """Only the .py was copied next to notebook 04: ``load_definitions("02_fcn_alexnet.ipynb")`` still works."""
    (tmp_path / "02_fcn_alexnet.py").write_text(percent("# %%\ndef answer():\n    return 42\n"))
    assert load_definitions(tmp_path / "02_fcn_alexnet.ipynb", ["answer"])["answer"]() == 42


def test_a_notebook_missing_with_its_pair_says_in_portuguese_where_it_should_be(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"não encontrei .*02_fcn_alexnet\.ipynb \(nem o par \.py/\.ipynb\)"):
        load_definitions(tmp_path / "02_fcn_alexnet.ipynb")

"""Tests of fcn_course.definitions (load_definitions: what notebooks 04 and 05 use) on tiny notebooks written to temporary folders."""

import ast
import inspect
import os
import re
import warnings

import nbformat
import pytest

import fcn_course.checks  # noqa: F401 - the exercise registry tells definitions which exercise defines a name
from fcn_course import colab, definitions
from fcn_course.definitions import cell_filename, load_definitions, parse_cell_filename


from fcn_course.definitions import _is_constant_assignment, execute_definition_cells, read_newest
from tiny_course import REPO_ROOT, nb_from, percent


DEFINITIONS_NOTEBOOK = '''
    # %%
    import math
    from pathlib import Path
    # %%
    %matplotlib inline
    def magic_cell_function():
        return 1
    # %%
    SIZE = 3
    NAMES: tuple = ("a", "b")
    # %%
    def area(r):
        """Area of a circle."""
        return math.pi * r ** 2


    class Box:
        side = SIZE
    # %%
    Path("side_effect.txt").write_text("a cell that does work must not run")
    # %%
    total = area(SIZE)
    # %%
    raise RuntimeError("not a definition cell")
'''


def test_load_definitions_runs_only_definition_cells(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "02_defs.ipynb"
    nbformat.write(nb_from(DEFINITIONS_NOTEBOOK), path)

    defs = load_definitions(path)
    assert defs["area"](1) == pytest.approx(3.14159, rel=1e-4)
    assert defs["Box"].side == 3 and defs["NAMES"] == ("a", "b")
    assert "total" not in defs and "magic_cell_function" not in defs
    assert not (tmp_path / "side_effect.txt").exists()

    assert list(load_definitions(path, names=["area", "SIZE"])) == ["area", "SIZE"]
    with pytest.raises(KeyError, match="não define total, FCN"):
        load_definitions(path, names=["total", "FCN", "area"])


def test_load_definitions_reports_a_broken_cell_and_keeps_the_others(tmp_path):
    path = tmp_path / "02_broken.py"
    path.write_text(
        percent('''
        # %%
        def good():
            return 1
        # %%
        def broken(:
            pass
    ''')
    )
    with pytest.warns(UserWarning, match=r"célula 2 .*SyntaxError"):
        defs = load_definitions(path)
    assert defs["good"]() == 1


# ---------------------------------------------------------------- the way students really write (issue #10)
EXTRA_LINES_NOTEBOOK = '''
    # %%
    import torch
    from torch import nn
    # %%
    HIDDEN = 64 * 2
    SHAPE = (HIDDEN, HIDDEN // 2)
    N_ITEMS = len(dataset)  # computed from a variable of a cell that is not loaded: skipped


    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.layer = nn.Linear(4, HIDDEN)

        def forward(self, x):
            return self.layer(x)


    print("testing my class:", Net()(torch.zeros(1, 4)).shape)
    net = Net()
    # %%
    def helper():
        return SHAPE
    helper()
'''


def test_extra_statements_in_an_exercise_cell_never_lose_the_class(tmp_path, capsys):
    path = tmp_path / "02_fcn_alexnet.ipynb"
    nbformat.write(nb_from(EXTRA_LINES_NOTEBOOK), path)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # skipped lines are not errors
        defs = load_definitions(path, names=["Net", "helper", "HIDDEN"])
    assert defs["HIDDEN"] == 128 and defs["helper"]() == (128, 64)
    assert defs["Net"]().layer.out_features == 128
    assert "testing my class" not in capsys.readouterr().out  # the test line did not run
    assert "net" not in load_definitions(path)


def test_a_missing_name_says_in_portuguese_which_exercise_cell_defines_it(tmp_path):
    path = tmp_path / "02_fcn_alexnet.ipynb"
    nbformat.write(nb_from("# %%\nimport math\n"), path)
    with pytest.raises(KeyError) as caught:
        load_definitions(path, names=["FCN_AlexNet"])
    message = str(caught.value)
    assert "02_fcn_alexnet.ipynb não define FCN_AlexNet" in message
    assert "Exercício 1 (FCN-AlexNet sem skip)" in message and "salve o notebook" in message


def test_a_missing_name_error_reads_as_lines_not_as_a_quoted_repr(tmp_path):
    """A KeyError prints its message as a repr (quotes, literal \\n); the student reads the message itself."""
    path = tmp_path / "02_fcn_alexnet.ipynb"
    nbformat.write(nb_from("# %%\nimport math\n"), path)
    with pytest.raises(KeyError) as caught:
        load_definitions(path, names=["FCN_AlexNet"])
    shown = str(caught.value)
    assert shown == caught.value.args[0]
    assert "\n" in shown and "\\n" not in shown and not shown.startswith(("'", '"'))


def _write_pair(folder, ipynb_text, py_text, newer):
    ipynb, py = folder / "02_fcn_alexnet.ipynb", folder / "02_fcn_alexnet.py"
    nbformat.write(nb_from(ipynb_text), ipynb)
    py.write_text(percent(py_text))
    older = ipynb if newer == "py" else py
    os.utime(older, (1_000_000_000, 1_000_000_000))
    return ipynb, py


def test_the_newer_file_of_a_pair_is_read_and_the_student_is_told(tmp_path, capsys):
    """Edited only the .py (a text editor): the .ipynb still holds the stub, but the .py is read."""
    ipynb, _ = _write_pair(
        tmp_path,
        "# %%\ndef answer():\n    raise NotImplementedError\n",
        "# %%\ndef answer():\n    return 42\n",
        newer="py",
    )
    assert load_definitions(ipynb, ["answer"])["answer"]() == 42
    out = capsys.readouterr().out
    assert "02_fcn_alexnet.py foi salvo depois de 02_fcn_alexnet.ipynb" in out and "jupytext --sync" in out


def test_an_ipynb_edited_in_another_editor_wins_over_its_older_py(tmp_path, capsys):
    ipynb, _ = _write_pair(
        tmp_path,
        "# %%\ndef answer():\n    return 42\n",
        "# %%\ndef answer():\n    raise NotImplementedError\n",
        newer="ipynb",
    )
    assert load_definitions(ipynb, ["answer"])["answer"]() == 42
    assert capsys.readouterr().out == ""


def test_a_cell_file_name_reads_back_as_its_notebook_and_number():
    name = cell_filename("Cópia de 02_fcn_alexnet.ipynb", 12)
    assert name == "<Cópia de 02_fcn_alexnet.ipynb cell 12>"
    assert parse_cell_filename(name) == ("Cópia de 02_fcn_alexnet.ipynb", 12)
    for other in ("/tmp/ipykernel_1/123.py", "<string>", "<ipython-input-3-abc>", "<02.ipynb cell x>"):
        assert parse_cell_filename(other) is None


def test_a_loaded_cell_runs_under_its_cell_file_name(tmp_path):
    """Tracebacks (and the self-checks' "célula 2 de ...") come from this name: it is the one the pair writes."""
    path = tmp_path / "02_fcn_alexnet.ipynb"
    nbformat.write(
        nb_from(
            "# %%\nimport math\n# %%\ndef where():\n    import inspect\n"
            "    return inspect.currentframe().f_code.co_filename\n"
        ),
        path,
    )
    assert parse_cell_filename(load_definitions(path, names=["where"])["where"]()) == ("02_fcn_alexnet.ipynb", 2)


class _Row:
    def __init__(self, notebook, names, title):
        self.notebook, self.names, self.title = notebook, names, title


def test_the_exercise_named_for_a_missing_name_comes_from_the_rows_the_registry_gave(tmp_path, monkeypatch):
    """definitions sits below the checks: the registry hands it its rows (use_exercises), nothing is imported up."""
    path = tmp_path / "05_extra.ipynb"
    nbformat.write(nb_from("# %%\nimport math\n"), path)
    monkeypatch.setattr(definitions, "_exercise_rows", definitions._exercise_rows)  # restored after the test
    definitions.use_exercises(
        lambda: [_Row("05_extra", ("solve",), "Exercício 9 (extra)"), _Row("06_other", ("other",), "Exercício 10")]
    )
    with pytest.raises(KeyError, match=r"`solve` vem da célula de exercício \(Exercício 9 \(extra\)\) de"):
        load_definitions(path, names=["solve"])
    definitions.use_exercises(tuple)  # no registry: the message still says which notebook, without a title
    with pytest.raises(KeyError, match="`solve` vem da célula de exercício de 05_extra.ipynb"):
        load_definitions(path, names=["solve"])


# --------------------------------------------------------------------------------------------------
# Finding the student's notebook: renamed copies, and Colab (kernel in /content, notebooks in Google Drive)
# --------------------------------------------------------------------------------------------------
def test_a_copy_renamed_by_drive_is_found_and_the_student_is_told(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    nbformat.write(nb_from(DEFINITIONS_NOTEBOOK), tmp_path / "Cópia de defs.ipynb")
    assert load_definitions("defs.ipynb", names=["area"])["area"](1) == pytest.approx(3.14159, abs=1e-4)
    assert "Cópia de defs.ipynb" in capsys.readouterr().out


def test_the_newest_copy_wins_and_the_notebook_itself_before_any_copy(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    old, new = tmp_path / "Cópia de defs.ipynb", tmp_path / "defs (1).ipynb"
    nbformat.write(nb_from("# %%\nWHICH = 'old'\n"), old)
    nbformat.write(nb_from("# %%\nWHICH = 'new'\n"), new)
    os.utime(old, (1_000_000, 1_000_000))
    assert load_definitions("defs.ipynb", names=["WHICH"])["WHICH"] == "new"
    nbformat.write(nb_from("# %%\nWHICH = 'itself'\n"), tmp_path / "defs.ipynb")
    os.utime(tmp_path / "defs.ipynb", (1_000_000, 1_000_000))  # older than the copies, still the one named
    assert load_definitions("defs.ipynb", names=["WHICH"])["WHICH"] == "itself"


def test_outside_colab_only_the_notebooks_folder_is_searched(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(colab, "DRIVE_MOUNT_POINT", str(tmp_path / "drive"))
    (tmp_path / "drive" / "MyDrive").mkdir(parents=True)
    nbformat.write(nb_from(DEFINITIONS_NOTEBOOK), tmp_path / "drive" / "MyDrive" / "defs.ipynb")
    with pytest.raises(FileNotFoundError, match=r"não encontrei defs\.ipynb \(nem o par \.py/\.ipynb\)"):
        load_definitions("defs.ipynb")


@pytest.fixture
def colab_content(tmp_path, monkeypatch, fake_colab):
    """Colab's file system in a temporary folder: the kernel works in ``content/``, Drive is mounted at
    ``content/drive`` (``colab.DRIVE_MOUNT_POINT``); returns the student's ``MyDrive`` folder."""
    content = tmp_path / "content"
    my_drive = content / "drive" / "MyDrive"
    (my_drive / "Colab Notebooks").mkdir(parents=True)
    monkeypatch.setattr(colab, "DRIVE_MOUNT_POINT", str(content / "drive"))
    monkeypatch.chdir(content)
    return my_drive


def _loading_cells(name: str) -> list:
    """The code cells of the student notebook ``name`` that import load_definitions or call it."""
    cells = nbformat.read(REPO_ROOT / "notebooks" / f"{name}.ipynb", as_version=4).cells
    return [cell.source for cell in cells if cell.cell_type == "code" and "load_definitions" in cell.source]


def _run_cells(sources: list) -> dict:
    namespace = {}
    for source in sources:
        exec(compile(source, "<notebook cell>", "exec"), namespace)
    return namespace


def _students_copy(name: str, destination) -> None:
    """A finished notebook ``name`` (the solution) saved in the student's Drive as ``destination``."""
    destination.write_bytes((REPO_ROOT / "solutions" / "notebooks" / f"{name}.ipynb").read_bytes())


def test_notebook_03_on_colab_loads_the_fcn_of_notebook_02_saved_as_a_copy_in_drive(colab_content, capsys):
    _students_copy("02_fcn_alexnet", colab_content / "Colab Notebooks" / "Cópia de 02_fcn_alexnet.ipynb")
    namespace = _run_cells(_loading_cells("03_upsampling_e_perdas"))
    assert namespace["FCN_AlexNet"](3, skip="8s").skip == "8s"
    assert "Cópia de 02_fcn_alexnet.ipynb" in capsys.readouterr().out


def test_notebook_04_on_colab_loads_notebook_02_saved_as_a_copy_in_drive(colab_content, capsys):
    _students_copy("02_fcn_alexnet", colab_content / "Colab Notebooks" / "Cópia de 02_fcn_alexnet.ipynb")
    namespace = _run_cells(_loading_cells("04_fcn_vgg16"))
    assert callable(namespace["make_optimizer"]) and callable(namespace["compute_loss"])
    assert "Cópia de 02_fcn_alexnet.ipynb" in capsys.readouterr().out


def test_notebook_05_on_colab_loads_notebooks_01_to_04_from_drive_folders(colab_content):
    _students_copy("01_dados_e_metricas", colab_content / "01_dados_e_metricas.ipynb")
    _students_copy("02_fcn_alexnet", colab_content / "Colab Notebooks" / "Cópia de 02_fcn_alexnet.ipynb")
    _students_copy("03_upsampling_e_perdas", colab_content / "Colab Notebooks" / "03_upsampling_e_perdas.ipynb")
    _students_copy("04_fcn_vgg16", colab_content / "Colab Notebooks" / "Cópia de Cópia de 04_fcn_vgg16.ipynb")
    namespace = _run_cells(_loading_cells("05_comparacao"))
    names = (
        "FCN_AlexNet",
        "FCN_VGG16",
        "make_criterion",
        "with_learned_upsampling",
        "class_weights",
        "count_class_pixels",
    )
    for name in names:
        assert callable(namespace[name]), name


def test_on_colab_without_drive_the_student_is_told_to_mount_it(tmp_path, monkeypatch, fake_colab):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(colab, "DRIVE_MOUNT_POINT", str(tmp_path / "drive"))  # not mounted: no MyDrive
    with pytest.raises(FileNotFoundError) as error:
        load_definitions("02_fcn_alexnet.ipynb")
    message = str(error.value)
    assert "Colab Notebooks" in message and "Cópia de 02_fcn_alexnet.ipynb" in message
    assert "drive.mount" in message and f"{colab.DRIVE_FLAG} = True" in message


# ==================================================================================================
# Definition-loading cases found by mutation testing (benchmarks/mutation_test.py) that no other test pinned
# ==================================================================================================


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
    message = _missing_message(
        tmp_path,
        "02_fcn_alexnet.py",
        '''
        # %%
        import math


        def helper():
            return 1
    ''',
        ["FCN_AlexNet"],
    )
    assert "\nDefinições encontradas: helper, math.\n" in message + "\n"


def test_a_notebook_that_defines_nothing_says_nada(tmp_path):
    message = _missing_message(tmp_path, "02_fcn_alexnet.py", "# %%\nprint('nothing defined here')\n", ["FCN_AlexNet"])
    assert message.endswith("\nDefinições encontradas: nada.")


def test_a_missing_name_message_lists_the_cells_that_failed(tmp_path):
    message = _missing_message(
        tmp_path,
        "02_fcn_alexnet.py",
        '''
        # %%
        import math

        # %%
        def FCN_AlexNet(:
            pass
    ''',
        ["FCN_AlexNet"],
    )
    found, failed, cell = message.splitlines()[-3:]
    assert (found, failed) == ("Definições encontradas: math.", "Estas células deram erro:")
    assert re.fullmatch(
        r"  célula 2 de 02_fcn_alexnet\.py \('def FCN_AlexNet\(:'\): "
        r"SyntaxError: .+ \(linha 1\)",
        cell,
    )


@pytest.mark.parametrize(
    "notebook_name, missing, exercise",
    [
        ("03_upsampling_e_perdas.py", "dice_loss", "Exercício 5 (perda de Dice)"),  # not the notebook's first one
        ("02_fcn_alexnet.py", "dice_loss", None),  # moved to notebook 03 (issue 23): no longer an exercise of 02
        ("02_fcn_alexnet.py", "my_helper", None),  # a name of no exercise, in a course notebook
        ("04_fcn_vgg16.py", "FCN_AlexNet", None),  # an exercise name, but of another notebook
    ],
)
def test_the_exercise_named_is_the_one_of_this_notebook_that_defines_the_name(
    tmp_path, notebook_name, missing, exercise
):
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
    path.write_text(
        percent('''
        # %%
        import math

        # %%
        def area(r):
            """Area of a circle."""
            return math.pi * r ** 2
    ''')
    )
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
    """Only the .py was copied next to notebook 05: ``load_definitions("02_fcn_alexnet.ipynb")`` still works."""
    (tmp_path / "02_fcn_alexnet.py").write_text(percent("# %%\ndef answer():\n    return 42\n"))
    assert load_definitions(tmp_path / "02_fcn_alexnet.ipynb", ["answer"])["answer"]() == 42


def test_a_notebook_missing_with_its_pair_says_in_portuguese_where_it_should_be(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"não encontrei .*02_fcn_alexnet\.ipynb \(nem o par \.py/\.ipynb\)"):
        load_definitions(tmp_path / "02_fcn_alexnet.ipynb")

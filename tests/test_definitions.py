"""Tests of fcn_course.definitions (load_definitions: what notebooks 03 and 04 use) on tiny notebooks written to temporary folders."""
import os
import warnings

import nbformat
import pytest

import fcn_course.checks  # noqa: F401 - the exercise registry tells definitions which exercise defines a name
from fcn_course import definitions
from fcn_course.definitions import cell_filename, load_definitions, parse_cell_filename
from tiny_course import nb_from, percent


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
    path.write_text(percent('''
        # %%
        def good():
            return 1
        # %%
        def broken(:
            pass
    '''))
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


def _write_pair(folder, ipynb_text, py_text, newer):
    ipynb, py = folder / "02_fcn_alexnet.ipynb", folder / "02_fcn_alexnet.py"
    nbformat.write(nb_from(ipynb_text), ipynb)
    py.write_text(percent(py_text))
    older = ipynb if newer == "py" else py
    os.utime(older, (1_000_000_000, 1_000_000_000))
    return ipynb, py


def test_the_newer_file_of_a_pair_is_read_and_the_student_is_told(tmp_path, capsys):
    """Edited only the .py (a text editor): the .ipynb still holds the stub, but the .py is read."""
    ipynb, _ = _write_pair(tmp_path, "# %%\ndef answer():\n    raise NotImplementedError\n",
                           "# %%\ndef answer():\n    return 42\n", newer="py")
    assert load_definitions(ipynb, ["answer"])["answer"]() == 42
    out = capsys.readouterr().out
    assert "02_fcn_alexnet.py foi salvo depois de 02_fcn_alexnet.ipynb" in out and "jupytext --sync" in out


def test_an_ipynb_edited_in_another_editor_wins_over_its_older_py(tmp_path, capsys):
    ipynb, _ = _write_pair(tmp_path, "# %%\ndef answer():\n    return 42\n",
                           "# %%\ndef answer():\n    raise NotImplementedError\n", newer="ipynb")
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
    nbformat.write(nb_from("# %%\nimport math\n# %%\ndef where():\n    import inspect\n"
                           "    return inspect.currentframe().f_code.co_filename\n"), path)
    assert parse_cell_filename(load_definitions(path, names=["where"])["where"]()) == ("02_fcn_alexnet.ipynb", 2)


class _Row:
    def __init__(self, notebook, names, title):
        self.notebook, self.names, self.title = notebook, names, title


def test_the_exercise_named_for_a_missing_name_comes_from_the_rows_the_registry_gave(tmp_path, monkeypatch):
    """definitions sits below the checks: the registry hands it its rows (use_exercises), nothing is imported up."""
    path = tmp_path / "05_extra.ipynb"
    nbformat.write(nb_from("# %%\nimport math\n"), path)
    monkeypatch.setattr(definitions, "_exercise_rows", definitions._exercise_rows)  # restored after the test
    definitions.use_exercises(lambda: [_Row("05_extra", ("solve",), "Exercício 9 (extra)"),
                                       _Row("06_other", ("other",), "Exercício 10")])
    with pytest.raises(KeyError, match=r"`solve` vem da célula de exercício \(Exercício 9 \(extra\)\) de"):
        load_definitions(path, names=["solve"])
    definitions.use_exercises(tuple)  # no registry: the message still says which notebook, without a title
    with pytest.raises(KeyError, match="`solve` vem da célula de exercício de 05_extra.ipynb"):
        load_definitions(path, names=["solve"])

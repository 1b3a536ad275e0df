"""Tests of fcn_course.definitions (load_definitions: what notebooks 03 and 04 use) on tiny notebooks written to temporary folders."""
import nbformat
import pytest

from fcn_course.definitions import load_definitions
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
    with pytest.raises(KeyError, match="does not define total, FCN"):
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
    with pytest.warns(UserWarning, match=r"cell 2 .*SyntaxError"):
        defs = load_definitions(path)
    assert defs["good"]() == 1



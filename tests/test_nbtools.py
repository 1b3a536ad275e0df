"""Tests of the notebook tooling (fcn_course.nbtools) on tiny notebooks written to temporary folders."""
import hashlib
import json
import os
import sys
import textwrap
import types
import zipfile
from pathlib import Path

import jupytext
import nbformat
import pytest

from fcn_course import nbtools

REPO_ROOT = Path(__file__).resolve().parents[1]
BEGIN = nbtools.BEGIN_MARKER
END = nbtools.END_MARKER


def percent(text: str) -> str:
    """py:percent text from an indented block; BEGIN/END stand for the solution markers."""
    return textwrap.dedent(text).lstrip("\n").replace("BEGIN", BEGIN).replace("END", END)


def nb_from(text: str):
    return jupytext.reads(percent(text), fmt="py:percent")


MODEL_FILE = percent('''
    class Doubler:
        """Doubles its input."""

        def forward(self, x):
            BEGIN: Devolva o dobro de x.
            result = x * 2  # the doubled input, computed here
            return result
            END
''')

NOTEBOOK_01 = '''
    # %% [markdown]
    # # Exercícios
    #
    # Qual é a raiz de 16?

    # %% [markdown]
    # BEGIN
    # A raiz quadrada de dezesseis vale quatro, pois quatro vezes quatro dá dezesseis.
    # END

    # %%
    import math


    def root(x):
        """Square root of x."""
        BEGIN: Use math.sqrt.
        value = math.sqrt(x)  # the square root of the input number
        return value
        END

    # %% tags=["include:solutions/model.py"]
    placeholder

    # %% tags=["solution-only"]
    assert root(16) == 4, "the reference solution is wrong"

    # %%
    # NBVAL_CHECK_OUTPUT
    print(root(16))
'''


def make_repo(tmp_path: Path, notebooks=None) -> Path:
    """A tiny course repository: one solution notebook, an included file and the release files."""
    repo = tmp_path / "repo"
    (repo / "solutions" / "notebooks").mkdir(parents=True)
    (repo / "fcn_course").mkdir()
    (repo / "fcn_course" / "__init__.py").write_text('"""Tiny helper package."""\n')
    (repo / "solutions" / "__init__.py").write_text("")
    (repo / "solutions" / "model.py").write_text(MODEL_FILE)
    (repo / "jupytext.toml").write_text((REPO_ROOT / "jupytext.toml").read_text())
    for name in ("README.md", "environment.yml", "pyproject.toml"):
        (repo / name).write_text(f"{name}\n")
    for name, text in (notebooks or {"01_demo": NOTEBOOK_01}).items():
        (repo / "solutions" / "notebooks" / f"{name}.py").write_text(percent(text))
    return repo


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def snapshot(folder: Path) -> dict:
    return {path: path.read_bytes() for path in sorted(folder.rglob("*")) if path.is_file()}


# --------------------------------------------------------------------------------------------------
# Solution regions and the student version
# --------------------------------------------------------------------------------------------------

def test_code_region_becomes_raise_at_the_marker_indentation_with_the_hint():
    source = percent('''
        def f(x):
            y = x + 1
            BEGIN: Some o valor "certo".
            z = y * 2
            return z
            END
    ''')
    assert nbtools.strip_solution_regions(source) == (
        'def f(x):\n    y = x + 1\n    raise NotImplementedError("Some o valor \\"certo\\".")\n'
    )


def test_several_regions_and_the_default_hint():
    source = percent('''
        class A:
            def f(self):
                BEGIN
                return 1
                END

        BEGIN:
        B = 2
        END
        C = 3''')
    student = nbtools.strip_solution_regions(source)
    hint = nbtools.DEFAULT_HINT
    assert student == (
        f'class A:\n    def f(self):\n        raise NotImplementedError("{hint}")\n\n'
        f'raise NotImplementedError("{hint}")\nC = 3'
    )
    compile(student, "student", "exec")


def test_markdown_region_becomes_answer_placeholder():
    source = f"**Pergunta:** por quê?\n\n{BEGIN}\nPorque sim.\n{END}\n\nFim."
    assert nbtools.strip_solution_regions(source, "markdown") == (
        f"**Pergunta:** por quê?\n\n{nbtools.ANSWER_PLACEHOLDER}\n\nFim."
    )


@pytest.mark.parametrize("body, expected", [
    (f"x = 1\n{BEGIN}\nx = 2", "never closed"),
    (f"x = 1\n{END}", "without"),
    (f"{BEGIN}\n{BEGIN}\nx = 2\n{END}", "nested"),
    (f"x = 1  {BEGIN}\nx = 2\n{END}", "alone on its line"),
    (f"{BEGIN}S\nx = 2\n{END}", "alone on its line"),
])
def test_malformed_markers_are_clear_errors_naming_notebook_and_cell(body, expected):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# T"), nbformat.v4.new_code_cell(body)])
    with pytest.raises(nbtools.NotebookBuildError, match=expected) as error:
        nbtools.make_student_notebook(nb, name="07_demo")
    assert "'07_demo', cell 2" in str(error.value)


def test_student_version_must_stay_valid_python():
    # BEGIN at column 0 inside a function body: the raise would end the function too early.
    nb = nb_from('''
        # %%
        def f():
            x = 1
        BEGIN
            return x
        END
            return 2
    ''')
    with pytest.raises(nbtools.NotebookBuildError, match=r"'09_bad', cell 1 .*not valid Python"):
        nbtools.make_student_notebook(nb, name="09_bad")


def test_student_notebook_drops_solution_cells_tags_and_outputs():
    nb = nb_from(NOTEBOOK_01)
    nb.cells[2].outputs = [nbformat.v4.new_output("stream", text="saída")]
    nb.cells[2].execution_count = 3
    nb.cells[2].metadata["tags"] = ["keep-me", "include:solutions/x.py"]
    original = json.dumps(nb, sort_keys=True)

    student = nbtools.make_student_notebook(nb, name="01_demo")

    assert json.dumps(nb, sort_keys=True) == original  # pure function
    sources = [cell.source for cell in student.cells]
    assert len(student.cells) == len(nb.cells) - 1
    assert not any("reference solution" in source for source in sources)
    assert sources[1] == nbtools.ANSWER_PLACEHOLDER
    assert 'raise NotImplementedError("Use math.sqrt.")' in sources[2]
    assert "math.sqrt(x)" not in sources[2]
    assert sources[0] == nb.cells[0].source and sources[-1] == nb.cells[-1].source
    assert student.cells[2].metadata["tags"] == ["keep-me"]
    assert "tags" not in student.cells[3].metadata
    assert all(cell.outputs == [] and cell.execution_count is None
               for cell in student.cells if cell.cell_type == "code")
    assert student.metadata == nb.metadata


# --------------------------------------------------------------------------------------------------
# Build
# --------------------------------------------------------------------------------------------------

def test_build_refreshes_includes_writes_pairs_and_is_idempotent(tmp_path):
    repo = make_repo(tmp_path)
    report = nbtools.build(repo, quiet=True)
    assert report.ok and len(report.written) == 4

    source = (repo / "solutions/notebooks/01_demo.py").read_text()
    assert "placeholder" not in source and "result = x * 2" in source  # include refreshed in the .py
    solution = nbformat.read(repo / "solutions/notebooks/01_demo.ipynb", as_version=4)
    assert solution.metadata.kernelspec.name == "python3"
    assert solution.cells[3].source == MODEL_FILE.rstrip("\n")

    student_py = (repo / "notebooks/01_demo.py").read_text()
    assert 'raise NotImplementedError("Devolva o dobro de x.")' in student_py
    assert BEGIN not in student_py and "result = x * 2" not in student_py
    assert "solution-only" not in student_py and "include:" not in student_py
    assert jupytext.read(repo / "notebooks/01_demo.py").cells[3].source == \
        nbformat.read(repo / "notebooks/01_demo.ipynb", as_version=4).cells[3].source
    assert nbtools.check_in_sync(repo) == []

    before = snapshot(repo)
    second = nbtools.build(repo, quiet=True)
    assert second.written == [] and second.ok
    assert snapshot(repo) == before


def test_build_keeps_only_outputs_of_checked_cells(tmp_path):
    repo = make_repo(tmp_path)
    nbtools.build(repo, quiet=True)
    path = repo / "solutions/notebooks/01_demo.ipynb"
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:  # pretend the notebook was run and saved in Jupyter
        if cell.cell_type == "code":
            cell.outputs = [nbformat.v4.new_output("stream", text="4.0\n")]
            cell.execution_count = 1
    nbformat.write(nb, path)

    nbtools.build(repo, quiet=True)
    kept = [bool(cell.outputs) for cell in nbformat.read(path, as_version=4).cells if cell.cell_type == "code"]
    assert kept == [False, False, False, True]


def test_build_execute_runs_in_smoke_mode_in_the_notebook_folder_with_this_python(tmp_path):
    repo = make_repo(tmp_path, {"01_run": '''
        # %%
        import os, sys
        # %%
        # NBVAL_CHECK_OUTPUT
        print(os.environ.get("FCN_COURSE_SMOKE"), os.path.basename(os.getcwd()))
        # %%
        print(sys.prefix)
    '''})
    nbtools.build(repo, execute=True, timeout=60, quiet=True)
    cells = nbformat.read(repo / "solutions/notebooks/01_run.ipynb", as_version=4).cells
    assert cells[1].outputs[0]["text"] == "1 notebooks\n"
    assert cells[2].outputs == []  # not a checked cell: output dropped

    # The kernel runs in this environment (the venv), not whatever "python3" is on PATH.
    executed = nbtools.execute_notebook(repo / "solutions/notebooks/01_run.ipynb", tmp_path / "out", timeout=60)
    nb = nbformat.read(executed, as_version=4)
    assert nb.cells[2].outputs[0]["text"].strip() == sys.prefix
    assert "FCN_COURSE_SMOKE" in (tmp_path / "out" / "01_run.html").read_text()


def test_edited_student_notebook_is_never_overwritten_unless_forced(tmp_path):
    repo = make_repo(tmp_path)
    nbtools.build(repo, quiet=True)
    student = repo / "notebooks/01_demo.ipynb"
    nb = nbformat.read(student, as_version=4)
    nb.cells[2].source += "\n# my own attempt"
    nbformat.write(nb, student)
    edited = student.read_bytes()
    source = repo / "solutions/notebooks/01_demo.py"
    source.write_text(source.read_text().replace("# # Exercícios", "# # Exercícios novos"))

    report = nbtools.build(repo, quiet=True)
    assert not report.ok
    (path, reason), = report.skipped
    assert path == student and "01_demo.ipynb" in reason and "force" in reason
    assert student.read_bytes() == edited
    assert "Exercícios novos" not in (repo / "notebooks/01_demo.py").read_text()  # pair kept together
    assert "SKIPPED" in str(report)

    forced = nbtools.build(repo, force=True, quiet=True)
    assert forced.ok
    (original, backup), = forced.backups
    assert original == student and backup.name.startswith("01_demo.ipynb.bak-")
    assert backup.read_bytes() == edited
    assert "Exercícios novos" in student.read_text()
    assert nbtools.check_in_sync(repo) == []


def test_without_manifest_a_differing_student_notebook_counts_as_edited(tmp_path):
    repo = make_repo(tmp_path)
    nbtools.build(repo, quiet=True)
    (repo / "notebooks/.generated.json").unlink()
    assert nbtools.build(repo, quiet=True).ok  # identical files: nothing to protect

    (repo / "notebooks/.generated.json").unlink()
    student_py = repo / "notebooks/01_demo.py"
    student_py.write_text(student_py.read_text() + "\n# %%\nprint('mine')\n")
    report = nbtools.build(repo, quiet=True)
    assert [path for path, _ in report.skipped] == [repo / "notebooks/01_demo.ipynb"]
    assert "print('mine')" in student_py.read_text()


def test_solution_ipynb_edited_without_jupytext_is_protected(tmp_path):
    repo = make_repo(tmp_path)
    nbtools.build(repo, quiet=True)
    path = repo / "solutions/notebooks/01_demo.ipynb"
    nb = nbformat.read(path, as_version=4)
    nb.cells[0].source = "# Edited in Jupyter"
    nbformat.write(nb, path)
    os.utime(path, (os.path.getmtime(path) + 10,) * 2)
    report = nbtools.build(repo, quiet=True)
    assert [skipped for skipped, _ in report.skipped] == [path]
    assert "Edited in Jupyter" in path.read_text()


# --------------------------------------------------------------------------------------------------
# Sync check
# --------------------------------------------------------------------------------------------------

def edit_solution_py(repo):
    path = repo / "solutions/notebooks/01_demo.py"
    path.write_text(path.read_text().replace("print(root(16))", "print(root(25))"))


def edit_included_file(repo):
    (repo / "solutions/model.py").write_text(MODEL_FILE.replace("Doubles", "Multiplies by two"))


def edit_student(repo):
    path = repo / "notebooks/01_demo.py"
    path.write_text(path.read_text().replace("import math", "import math, os"))


def delete_student(repo):
    (repo / "notebooks/01_demo.ipynb").unlink()


def add_orphan_student(repo):
    (repo / "notebooks/05_old.py").write_text("# %%\nx = 1\n")


@pytest.mark.parametrize("drift, expected", [
    (edit_solution_py, "out of sync"),
    (edit_included_file, "differs from solutions/model.py"),
    (edit_student, "notebooks/01_demo.py differs from what"),
    (delete_student, "01_demo.ipynb is missing"),
    (add_orphan_student, "05_old.py has no solution notebook"),
])
def test_check_in_sync_detects_each_kind_of_drift(tmp_path, drift, expected):
    repo = make_repo(tmp_path)
    nbtools.build(repo, quiet=True)
    assert nbtools.check_in_sync(repo) == []
    drift(repo)
    problems = nbtools.check_in_sync(repo)
    assert any(expected in problem for problem in problems), problems


# --------------------------------------------------------------------------------------------------
# Definitions and grading
# --------------------------------------------------------------------------------------------------

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

    defs = nbtools.load_definitions(path)
    assert defs["area"](1) == pytest.approx(3.14159, rel=1e-4)
    assert defs["Box"].side == 3 and defs["NAMES"] == ("a", "b")
    assert "total" not in defs and "magic_cell_function" not in defs
    assert not (tmp_path / "side_effect.txt").exists()

    assert list(nbtools.load_definitions(path, names=["area", "SIZE"])) == ["area", "SIZE"]
    with pytest.raises(KeyError, match="does not define total, FCN"):
        nbtools.load_definitions(path, names=["total", "FCN", "area"])


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
        defs = nbtools.load_definitions(path)
    assert defs["good"]() == 1


def test_grade_reports_each_exercise_and_never_modifies_the_submission(tmp_path, monkeypatch):
    seen = {}

    def run_all(namespace, exercises=None):
        seen["exercises"] = exercises
        seen["smoke"] = os.environ.get("FCN_COURSE_SMOKE")
        seen["cwd"] = os.getcwd()
        results = [("area", namespace["area"](1) > 3, ["Área correta."])]
        try:
            namespace["perimeter"](1)
            results.append(("perimeter", True, []))
        except NotImplementedError as error:
            results.append(("perimeter", False, [f"Ainda não implementado: {error}"]))
        results.append({"exercise": "broken", "passed": "broken" in namespace, "messages": ["Função ausente."]})
        return results

    monkeypatch.setitem(sys.modules, "fcn_course.checks", types.SimpleNamespace(
        run_all=run_all, exercises_for_notebook=lambda name: ("from " + name[:2],)))
    monkeypatch.delenv("FCN_COURSE_SMOKE", raising=False)
    submission = tmp_path / "submitted" / "02_student.ipynb"
    submission.parent.mkdir()
    nbformat.write(nb_from('''
        # %%
        import math
        def area(r):
            return math.pi * r ** 2
        # %%
        def perimeter(r):
            raise NotImplementedError("Use 2 * pi * r.")
        # %%
        def broken(r:
            return r
        # %%
        print(area(2))
    '''), submission)
    digest = sha256(submission)

    result = nbtools.grade(submission, report_path=tmp_path / "report.md")

    assert sha256(submission) == digest
    assert sorted(p.name for p in submission.parent.iterdir()) == ["02_student.ipynb"]
    assert seen["smoke"] == "1" and Path(seen["cwd"]) != submission.parent
    assert seen["exercises"] == ("from 02",)  # only the exercises of that notebook are graded
    assert os.environ.get("FCN_COURSE_SMOKE") is None  # restored
    assert [(e["name"], e["passed"]) for e in result["exercises"]] == [
        ("area", True), ("perimeter", False), ("broken", False)]
    assert (result["passed"], result["total"]) == (1, 3)
    assert result["cell_errors"][0]["cell"] == 2 and "SyntaxError" in result["cell_errors"][0]["error"]
    report = (tmp_path / "report.md").read_text()
    assert "1 de 3" in report and "Use 2 * pi * r." in report and "Célula 3" in report


def test_grade_reports_checks_that_crash(tmp_path, monkeypatch):
    def run_all(namespace, exercises=None):
        raise AttributeError("no such model")

    monkeypatch.setitem(sys.modules, "fcn_course.checks", types.SimpleNamespace(
        run_all=run_all, exercises_for_notebook=lambda name: None))
    submission = tmp_path / "03.ipynb"
    nbformat.write(nb_from("# %%\nx = 1\n"), submission)
    result = nbtools.grade(submission)
    assert result["checks_error"] == "AttributeError: no such model"
    assert "no such model" in result["report"]


# --------------------------------------------------------------------------------------------------
# Release
# --------------------------------------------------------------------------------------------------

def test_release_excludes_solutions(tmp_path):
    repo = make_repo(tmp_path)
    nbtools.build(repo, quiet=True)
    zip_path = nbtools.release(repo, tmp_path / "dist")
    names = zipfile.ZipFile(zip_path).namelist()
    assert "fcn-course/notebooks/01_demo.ipynb" in names and "fcn-course/notebooks/01_demo.py" in names
    assert "fcn-course/fcn_course/__init__.py" in names and "fcn-course/jupytext.toml" in names
    assert not any("solutions" in name or name.endswith(".generated.json") for name in names)


@pytest.mark.parametrize("plant", [
    lambda repo: (repo / "fcn_course" / "helpers.py").write_text(
        "def double(x):\n    result = x * 2  # the doubled input, computed here\n    return result\n"),
    lambda repo: (repo / "README.md").write_text(f"Use {BEGIN} in your notebooks\n"),
    lambda repo: (repo / "fcn_course" / "notes.md").write_text(
        "A raiz quadrada de dezesseis vale quatro, pois quatro vezes quatro dá dezesseis.\n"),
])
def test_release_scan_catches_a_planted_leak(tmp_path, plant):
    repo = make_repo(tmp_path)
    nbtools.build(repo, quiet=True)
    plant(repo)
    with pytest.raises(nbtools.SolutionLeakError, match="give away"):
        nbtools.release(repo, tmp_path / "dist")
    assert not (tmp_path / "dist" / "fcn-course.zip").exists()


def test_release_allowlist_accepts_a_generic_line(tmp_path):
    repo = make_repo(tmp_path)
    nbtools.build(repo, quiet=True)
    line = "value = math.sqrt(x)  # the square root of the input number"
    (repo / "fcn_course" / "helpers.py").write_text(line + "\n")
    with pytest.raises(nbtools.SolutionLeakError, match="release_allowlist.txt"):
        nbtools.release(repo, tmp_path / "dist")
    (repo / nbtools.LEAK_ALLOWLIST).write_text(f"# generic idioms\n{line}\n")
    assert nbtools.release(repo, tmp_path / "dist").is_file()


def test_release_refuses_stale_student_notebooks(tmp_path):
    repo = make_repo(tmp_path)
    nbtools.build(repo, quiet=True)
    edit_solution_py(repo)
    with pytest.raises(nbtools.ReleaseError, match="run the build"):
        nbtools.release(repo, tmp_path / "dist")


def test_the_real_nbtools_module_does_not_spell_out_the_markers():
    text = (REPO_ROOT / "fcn_course" / "nbtools.py").read_text()
    assert BEGIN not in text and END not in text


# --------------------------------------------------------------------------------------------------
# Running student notebooks
# --------------------------------------------------------------------------------------------------

def test_first_error_of_a_student_notebook_is_the_first_stub(tmp_path):
    repo = make_repo(tmp_path, {"01_stub": '''
        # %% [markdown]
        # Calcule a raiz.
        # %%
        import math


        def root(x):
            BEGIN: Use math.sqrt.
            return math.sqrt(x)
            END
        # %%
        print(root(16))
        # %%
        missing_name
    '''})
    nbtools.build(repo, quiet=True)
    index, name, message = nbtools.run_until_first_stub(repo / "notebooks/01_stub.ipynb", timeout=60)
    assert (index, name, message) == (2, "NotImplementedError", "Use math.sqrt.")

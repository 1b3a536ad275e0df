"""Tests of solution regions, the student version, the build, the sync check and running student notebooks (fcn_course.instructor) on tiny notebooks written to temporary folders."""

import json
import os
import sys

import jupytext
import nbformat
import pytest

from fcn_course import messages

from fcn_course.instructor.build import build
from fcn_course.instructor.pairs import CourseLayoutError
from fcn_course.instructor.execute import execute_notebook, run_until_first_stub
from fcn_course.instructor.markers import ANSWER_PLACEHOLDER, DEFAULT_HINT, strip_solution_regions
from fcn_course.instructor.pipeline import make_student_notebook, student_notebook
from fcn_course.instructor.student import NotebookBuildError
from fcn_course.instructor.sync import check_in_sync
from tiny_course import (
    stray_message,
    BEGIN,
    END,
    MODEL_FILE,
    NOTEBOOK_01,
    TINY_OUTLINE,
    add_stray_solution,
    edit_solution_py,
    make_repo,
    nb_from,
    percent,
    snapshot,
)

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
    assert strip_solution_regions(source) == (
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
    student = strip_solution_regions(source)
    hint = DEFAULT_HINT
    assert student == (
        f'class A:\n    def f(self):\n        raise NotImplementedError("{hint}")\n\n'
        f'raise NotImplementedError("{hint}")\nC = 3'
    )
    compile(student, "student", "exec")


def test_markdown_region_becomes_answer_placeholder():
    source = f"**Pergunta:** por quê?\n\n{BEGIN}\nPorque sim.\n{END}\n\nFim."
    assert strip_solution_regions(source, "markdown") == (f"**Pergunta:** por quê?\n\n{ANSWER_PLACEHOLDER}\n\nFim.")


@pytest.mark.parametrize(
    "body, expected",
    [
        (f"x = 1\n{BEGIN}\nx = 2", "nunca é fechado"),
        (f"x = 1\n{END}", "sem um"),
        (f"{BEGIN}\n{BEGIN}\nx = 2\n{END}", "aninhadas"),
        (f"x = 1  {BEGIN}\nx = 2\n{END}", "sozinho na sua linha"),
        (f"{BEGIN}S\nx = 2\n{END}", "sozinho na sua linha"),
    ],
)
def test_malformed_markers_are_clear_errors_naming_notebook_and_cell(body, expected):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# T"), nbformat.v4.new_code_cell(body)])
    with pytest.raises(NotebookBuildError, match=expected) as error:
        make_student_notebook(nb, name="07_demo")
    assert "'07_demo', cell 2" in str(error.value)


TIERED_EXERCISE = '''
    # %% [markdown]
    # # Exercício

    # %%
    def double_all(values):
        BEGIN: devolva a lista com cada valor dobrado
        ### DICA: uma list comprehension percorre a lista
        ### ESQUELETO: doubled = [... for value in values]
        doubled = [2 * value for value in values]
        return doubled
        END

    # %%
    print(double_all([1]))
'''


def test_hints_in_tiers_follow_the_exercise_and_the_stub_says_the_goal_only():
    nb = nb_from(TIERED_EXERCISE)
    nb.cells[1]["id"] = "exercicio"
    student = make_student_notebook(nb, name="05_dicas")
    assert [cell.cell_type for cell in student.cells] == ["markdown", "code", "markdown", "code"]
    assert (
        student.cells[1].source
        == 'def double_all(values):\n    raise NotImplementedError("devolva a lista com cada valor dobrado")'
    )
    hints = student.cells[2]
    assert hints["id"] == "exercicio-dicas"  # the same id at every build
    assert "<summary>Dica 1</summary>\n\numa list comprehension percorre a lista" in hints.source
    assert "doubled = [... for value in values]" in hints.source and "2 * value" not in hints.source


def test_a_hint_that_holds_a_solution_line_is_refused_by_the_build():
    nb = nb_from(
        TIERED_EXERCISE.replace(
            "uma list comprehension percorre a lista", "escreva doubled = [2 * value for value in values]"
        )
    )
    with pytest.raises(
        NotebookBuildError,
        match=r"'05_dicas', cell 2 .*entrega a resposta.*"
        r"doubled = \[2 \* value for value in values\]",
    ):
        make_student_notebook(nb, name="05_dicas")
    with messages.speaking("en"), pytest.raises(NotebookBuildError, match=r"gives the answer away"):
        make_student_notebook(nb, name="05_dicas")


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
    with pytest.raises(NotebookBuildError, match=r"'09_bad', cell 1 .*não é Python válido"):
        make_student_notebook(nb, name="09_bad")
    with messages.speaking("en"):
        with pytest.raises(NotebookBuildError, match=r"'09_bad', cell 1 .*not valid Python.*indented like"):
            make_student_notebook(nb, name="09_bad")


def test_student_notebook_drops_solution_cells_tags_and_outputs():
    nb = nb_from(NOTEBOOK_01)
    nb.cells[2].outputs = [nbformat.v4.new_output("stream", text="saída")]
    nb.cells[2].execution_count = 3
    nb.cells[2].metadata["tags"] = ["keep-me", "include:solutions/x.py"]
    original = json.dumps(nb, sort_keys=True)

    student = make_student_notebook(nb, name="01_demo")

    assert json.dumps(nb, sort_keys=True) == original  # pure function
    sources = [cell.source for cell in student.cells]
    assert len(student.cells) == len(nb.cells) - 1
    assert not any("reference solution" in source for source in sources)
    assert sources[1] == ANSWER_PLACEHOLDER
    assert 'raise NotImplementedError("Use math.sqrt.")' in sources[2]
    assert "math.sqrt(x)" not in sources[2]
    assert sources[0] == nb.cells[0].source and sources[-1] == nb.cells[-1].source
    assert student.cells[2].metadata["tags"] == ["keep-me"]
    assert "tags" not in student.cells[3].metadata
    assert all(
        cell.outputs == [] and cell.execution_count is None for cell in student.cells if cell.cell_type == "code"
    )
    assert student.metadata == nb.metadata


# --------------------------------------------------------------------------------------------------
# Build
# --------------------------------------------------------------------------------------------------


def test_build_refreshes_includes_writes_pairs_and_is_idempotent(tmp_path):
    repo = make_repo(tmp_path)
    report = build(repo, names=TINY_OUTLINE, quiet=True)
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
    assert (
        jupytext.read(repo / "notebooks/01_demo.py").cells[3].source
        == nbformat.read(repo / "notebooks/01_demo.ipynb", as_version=4).cells[3].source
    )
    assert check_in_sync(repo, names=TINY_OUTLINE) == []

    before = snapshot(repo)
    second = build(repo, names=TINY_OUTLINE, quiet=True)
    assert second.written == [] and second.ok
    assert snapshot(repo) == before


def test_build_keeps_only_outputs_of_checked_cells(tmp_path):
    repo = make_repo(tmp_path)
    build(repo, names=TINY_OUTLINE, quiet=True)
    path = repo / "solutions/notebooks/01_demo.ipynb"
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:  # pretend the notebook was run and saved in Jupyter
        if cell.cell_type == "code":
            cell.outputs = [nbformat.v4.new_output("stream", text="4.0\n")]
            cell.execution_count = 1
    nbformat.write(nb, path)

    build(repo, names=TINY_OUTLINE, quiet=True)
    kept = [bool(cell.outputs) for cell in nbformat.read(path, as_version=4).cells if cell.cell_type == "code"]
    assert kept == [False, False, False, True]


@pytest.mark.kernel
def test_build_execute_runs_in_smoke_mode_in_the_notebook_folder_with_this_python(tmp_path):
    repo = make_repo(
        tmp_path,
        {
            "01_run": '''
        # %%
        import os, sys
        # %%
        # NBVAL_CHECK_OUTPUT
        print(os.environ.get("FCN_COURSE_SMOKE"), os.path.basename(os.getcwd()))
        # %%
        print(sys.prefix)
    '''
        },
    )
    build(repo, names=("01_run",), execute=True, timeout=60, quiet=True)
    cells = nbformat.read(repo / "solutions/notebooks/01_run.ipynb", as_version=4).cells
    assert cells[1].outputs[0]["text"] == "1 notebooks\n"
    assert cells[2].outputs == []  # not a checked cell: output dropped

    # The kernel runs in this environment (the venv), not whatever "python3" is on PATH.
    executed = execute_notebook(repo / "solutions/notebooks/01_run.ipynb", tmp_path / "out", timeout=60)
    nb = nbformat.read(executed, as_version=4)
    assert nb.cells[2].outputs[0]["text"].strip() == sys.prefix
    assert "FCN_COURSE_SMOKE" in (tmp_path / "out" / "01_run.html").read_text()


def test_edited_student_notebook_is_never_overwritten_unless_forced(tmp_path):
    repo = make_repo(tmp_path)
    build(repo, names=TINY_OUTLINE, quiet=True)
    student = repo / "notebooks/01_demo.ipynb"
    nb = nbformat.read(student, as_version=4)
    nb.cells[2].source += "\n# my own attempt"
    nbformat.write(nb, student)
    edited = student.read_bytes()
    source = repo / "solutions/notebooks/01_demo.py"
    source.write_text(source.read_text().replace("# # Exercícios", "# # Exercícios novos"))

    report = build(repo, names=TINY_OUTLINE, quiet=True)
    assert not report.ok
    ((path, reason),) = report.skipped
    assert path == student and "01_demo.ipynb" in reason and "force" in reason
    assert student.read_bytes() == edited
    assert "Exercícios novos" not in (repo / "notebooks/01_demo.py").read_text()  # pair kept together
    assert "SKIPPED" in str(report)

    forced = build(repo, names=TINY_OUTLINE, force=True, quiet=True)
    assert forced.ok
    ((original, backup),) = forced.backups
    assert original == student and backup.name.startswith("01_demo.ipynb.bak-")
    assert backup.read_bytes() == edited
    assert "Exercícios novos" in student.read_text()
    assert check_in_sync(repo, names=TINY_OUTLINE) == []


def test_without_manifest_a_differing_student_notebook_counts_as_edited(tmp_path):
    repo = make_repo(tmp_path)
    build(repo, names=TINY_OUTLINE, quiet=True)
    (repo / "notebooks/.generated.json").unlink()
    assert build(repo, names=TINY_OUTLINE, quiet=True).ok  # identical files: nothing to protect

    (repo / "notebooks/.generated.json").unlink()
    student_py = repo / "notebooks/01_demo.py"
    student_py.write_text(student_py.read_text() + "\n# %%\nprint('mine')\n")
    report = build(repo, names=TINY_OUTLINE, quiet=True)
    assert [path for path, _ in report.skipped] == [repo / "notebooks/01_demo.ipynb"]
    assert "print('mine')" in student_py.read_text()


def test_solution_ipynb_edited_without_jupytext_is_protected(tmp_path):
    repo = make_repo(tmp_path)
    build(repo, names=TINY_OUTLINE, quiet=True)
    path = repo / "solutions/notebooks/01_demo.ipynb"
    nb = nbformat.read(path, as_version=4)
    nb.cells[0].source = "# Edited in Jupyter"
    nbformat.write(nb, path)
    os.utime(path, (os.path.getmtime(path) + 10,) * 2)
    report = build(repo, names=TINY_OUTLINE, quiet=True)
    assert [skipped for skipped, _ in report.skipped] == [path]
    assert "Edited in Jupyter" in path.read_text()


# --------------------------------------------------------------------------------------------------
# Which notebooks: the course outline (fcn_course/outline.py), never what lies in the folder
# --------------------------------------------------------------------------------------------------


def test_build_refuses_a_solution_notebook_the_outline_does_not_name(tmp_path):
    repo = make_repo(tmp_path)
    stray = add_stray_solution(repo)
    before = snapshot(repo)
    with pytest.raises(CourseLayoutError) as error:
        build(repo, names=TINY_OUTLINE, quiet=True)
    message = str(error.value)
    assert stray_message(stray) in message
    assert snapshot(repo) == before  # nothing built: not even the notebook the outline names


def test_build_refuses_an_outline_notebook_without_its_source(tmp_path):
    repo = make_repo(tmp_path)
    with pytest.raises(CourseLayoutError) as error:
        build(repo, names=("01_demo", "02_more"), quiet=True)
    missing = f"{repo / 'solutions' / 'notebooks' / '02_more'}.py"
    expected = messages.text("course.outline_missing", path=missing, name="02_more", outline="fcn_course/outline.py")
    assert expected in str(error.value)
    assert not (repo / "notebooks").exists()


def test_a_stray_notebook_pair_is_reported_once_per_file(tmp_path):
    repo = make_repo(tmp_path)
    build(repo, names=TINY_OUTLINE, quiet=True)
    for suffix in (".py", ".ipynb"):
        (repo / f"solutions/notebooks/01_demo{suffix}").rename(repo / f"solutions/notebooks/00_intro{suffix}")
    problems = check_in_sync(repo, names=TINY_OUTLINE)
    assert [problem.split(" ")[0] for problem in problems] == [
        str(repo / "solutions/notebooks/01_demo.py"),
        str(repo / "solutions/notebooks/00_intro.ipynb"),
        str(repo / "solutions/notebooks/00_intro.py"),
    ]


def test_check_reports_a_solution_notebook_the_outline_does_not_name(tmp_path):
    repo = make_repo(tmp_path)
    build(repo, names=TINY_OUTLINE, quiet=True)
    assert check_in_sync(repo, names=TINY_OUTLINE) == []
    stray = add_stray_solution(repo)
    assert check_in_sync(repo, names=TINY_OUTLINE) == [stray_message(stray)]


def test_backups_and_checkpoints_in_the_solution_folder_are_not_stray_notebooks(tmp_path):
    repo = make_repo(tmp_path)
    build(repo, names=TINY_OUTLINE, quiet=True)
    folder = repo / "solutions/notebooks"
    (folder / "01_demo.ipynb.bak-20260101-120000").write_text("{}")
    (folder / ".ipynb_checkpoints").mkdir()
    (folder / ".ipynb_checkpoints" / "01_demo-checkpoint.ipynb").write_text("{}")
    assert check_in_sync(repo, names=TINY_OUTLINE) == []


# --------------------------------------------------------------------------------------------------
# Provenance: a generated notebook names the file to edit
# --------------------------------------------------------------------------------------------------

PROVENANCE_01 = (
    "<!-- generated from solutions/notebooks/01_demo.py; edit that file, then run "
    "python -m fcn_course.instructor build -->"
)


def test_student_notebooks_say_which_file_they_are_generated_from(tmp_path):
    repo = make_repo(tmp_path)
    build(repo, names=TINY_OUTLINE, quiet=True)
    student = nbformat.read(repo / "notebooks/01_demo.ipynb", as_version=4)
    assert student.cells[0].source == PROVENANCE_01 + "\n" + nb_from(NOTEBOOK_01).cells[0].source
    assert f"# %% [markdown]\n# {PROVENANCE_01}\n# # Exercícios\n" in (repo / "notebooks/01_demo.py").read_text()
    assert "generated from" not in (repo / "solutions/notebooks/01_demo.py").read_text()
    assert "generated from" not in (repo / "solutions/notebooks/01_demo.ipynb").read_text()


def test_the_provenance_goes_on_the_title_cell_after_the_colab_cells(tmp_path):
    repo = make_repo(
        tmp_path,
        {
            "01_colab": '''
        # %% [markdown]
        # [![Abrir no Colab](badge.svg)](https://example.org/01_colab.ipynb)

        # %%
        USAR_DRIVE = False

        # %% [markdown]
        # # 01 · Título
        #
        # Texto.
    '''
        },
    )
    build(repo, names=("01_colab",), quiet=True)
    cells = nbformat.read(repo / "notebooks/01_colab.ipynb", as_version=4).cells
    assert cells[0].source == "[![Abrir no Colab](badge.svg)](https://example.org/01_colab.ipynb)"
    assert cells[1].source == "USAR_DRIVE = False"
    assert cells[2].source.splitlines()[:2] == [PROVENANCE_01.replace("01_demo", "01_colab"), "# 01 · Título"]


def test_without_a_title_the_provenance_is_a_comment_on_the_first_cell(tmp_path):
    repo = make_repo(
        tmp_path,
        {
            "01_code": '''
        # %%
        x = 1
    '''
        },
    )
    build(repo, names=("01_code",), quiet=True)
    [cell] = nbformat.read(repo / "notebooks/01_code.ipynb", as_version=4).cells
    assert cell.source == (
        "# generated from solutions/notebooks/01_code.py; edit that file, then run "
        "python -m fcn_course.instructor build\nx = 1"
    )
    assert check_in_sync(repo, names=("01_code",)) == []


def test_an_empty_solution_notebook_gives_an_empty_student_notebook_without_provenance():
    student = student_notebook(nbformat.v4.new_notebook(), "01_empty")
    assert student is not None
    assert student.cells == []


# --------------------------------------------------------------------------------------------------
# Sync check
# --------------------------------------------------------------------------------------------------


def edit_included_file(repo):
    (repo / "solutions/model.py").write_text(MODEL_FILE.replace("Doubles", "Multiplies by two"))


def edit_student(repo):
    path = repo / "notebooks/01_demo.py"
    path.write_text(path.read_text().replace("import math", "import math, os"))


def delete_student(repo):
    (repo / "notebooks/01_demo.ipynb").unlink()


def delete_solution_ipynb(repo):
    (repo / "solutions/notebooks/01_demo.ipynb").unlink()


def add_orphan_student(repo):
    (repo / "notebooks/05_old.py").write_text("# %%\nx = 1\n")


SOLUTIONS = "solutions/notebooks"


@pytest.mark.parametrize(
    "drift, expected",
    [
        (
            edit_solution_py,
            lambda repo: messages.text(
                "sync.pair_out_of_sync", ipynb=repo / SOLUTIONS / "01_demo.ipynb", source="01_demo.py"
            ),
        ),
        (edit_included_file, lambda repo: messages.text("sync.include_differs", label="", file="solutions/model.py")),
        (
            edit_student,
            lambda repo: messages.text(
                "sync.student_differs", path=repo / "notebooks/01_demo.py", source=repo / SOLUTIONS / "01_demo.py"
            ),
        ),
        (delete_student, lambda repo: messages.text("sync.file_missing", path=repo / "notebooks/01_demo.ipynb")),
        (
            delete_solution_ipynb,
            lambda repo: messages.text("sync.file_missing", path=repo / SOLUTIONS / "01_demo.ipynb"),
        ),
        (
            add_orphan_student,
            lambda repo: messages.text(
                "sync.orphan_student",
                path=repo / "notebooks/05_old.py",
                solutions=SOLUTIONS,
                name="05_old",
                outline="fcn_course/outline.py",
            ),
        ),
    ],
)
def test_check_in_sync_detects_each_kind_of_drift(tmp_path, drift, expected):
    repo = make_repo(tmp_path)
    build(repo, names=TINY_OUTLINE, quiet=True)
    assert check_in_sync(repo, names=TINY_OUTLINE) == []
    drift(repo)
    problems = check_in_sync(repo, names=TINY_OUTLINE)
    assert any(expected(repo).strip() in problem for problem in problems), problems


# --------------------------------------------------------------------------------------------------
# Running student notebooks
# --------------------------------------------------------------------------------------------------


@pytest.mark.kernel
def test_first_error_of_a_student_notebook_is_the_first_stub(tmp_path):
    repo = make_repo(
        tmp_path,
        {
            "01_stub": '''
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
    '''
        },
    )
    build(repo, names=("01_stub",), quiet=True)
    index, name, message = run_until_first_stub(repo / "notebooks/01_stub.ipynb", timeout=60)
    assert (index, name, message) == (2, "NotImplementedError", "Use math.sqrt.")


# --------------------------------------------------------------------------------------------------
# The build's report, backups, manifests and editions, pinned one by one
# --------------------------------------------------------------------------------------------------


def test_the_report_ends_with_what_was_written_unchanged_and_skipped(tmp_path):
    repo = make_repo(tmp_path)
    first = build(repo, names=TINY_OUTLINE, quiet=True)
    assert str(first).splitlines()[-1] == "4 file(s) written, 0 unchanged, 0 skipped."
    second = build(repo, names=TINY_OUTLINE, quiet=True)
    assert len(second.unchanged) == 4 and str(second) == "0 file(s) written, 4 unchanged, 0 skipped."


def test_the_build_runs_no_kernel_and_prints_its_report_unless_asked(tmp_path, monkeypatch, capsys):
    from fcn_course.instructor import build as build_module

    def no_kernel(*args, **kwargs):
        raise AssertionError("the build ran the notebook")

    monkeypatch.setattr(build_module, "execute_in_place", no_kernel)
    repo = make_repo(tmp_path)
    build(repo, names=TINY_OUTLINE)
    assert capsys.readouterr().out.endswith("4 file(s) written, 0 unchanged, 0 skipped.\n")
    build(repo, names=TINY_OUTLINE, quiet=True)
    assert capsys.readouterr().out == ""


def test_backups_made_in_the_same_second_get_numbered_names(tmp_path, monkeypatch):
    import datetime

    from fcn_course.instructor import build as build_module
    from fcn_course.instructor.build import BuildReport, _backup

    class Frozen(datetime.datetime):
        @classmethod
        def now(cls, tz=None):
            return cls(2026, 1, 2, 3, 4, 5)

    monkeypatch.setattr(build_module.datetime, "datetime", Frozen)
    path = tmp_path / "01_demo.ipynb"
    report = BuildReport()
    for version in ("one", "two", "three"):
        path.write_text(version)
        _backup(path, report)
    assert [backup.name for _, backup in report.backups] == [
        "01_demo.ipynb.bak-20260102-030405",
        "01_demo.ipynb.bak-20260102-030405-1",
        "01_demo.ipynb.bak-20260102-030405-2",
    ]
    assert [backup.read_text() for _, backup in report.backups] == ["one", "two", "three"]


def edit_solution_ipynb(repo, seconds_later: float):
    """Edit the solution .ipynb as Jupyter would, and date it ``seconds_later`` than its .py."""
    path = repo / "solutions/notebooks/01_demo.ipynb"
    nb = nbformat.read(path, as_version=4)
    nb.cells[0].source = "# Edited in Jupyter"
    nbformat.write(nb, path)
    py_time = os.path.getmtime(repo / "solutions/notebooks/01_demo.py")
    os.utime(path, (py_time + seconds_later,) * 2)
    return path


def test_a_solution_ipynb_more_than_a_second_newer_than_its_py_counts_as_edited(tmp_path):
    repo = make_repo(tmp_path)
    build(repo, names=TINY_OUTLINE, quiet=True)
    path = edit_solution_ipynb(repo, 1.5)
    assert [skipped for skipped, _ in build(repo, names=TINY_OUTLINE, quiet=True).skipped] == [path]
    edit_solution_ipynb(repo, 0.5)  # saved in the same second as the .py: not an edit of its own
    assert build(repo, names=TINY_OUTLINE, quiet=True).ok
    assert "Edited in Jupyter" not in path.read_text()


def test_a_forced_build_backs_up_a_solution_ipynb_edited_without_jupytext_and_rebuilds_it(tmp_path):
    repo = make_repo(tmp_path)
    build(repo, names=TINY_OUTLINE, quiet=True)
    path = edit_solution_ipynb(repo, 10)
    edited = path.read_bytes()
    report = build(repo, names=TINY_OUTLINE, force=True, quiet=True)
    assert report.ok
    ((original, backup),) = report.backups
    assert original == path and backup.read_bytes() == edited
    assert "Edited in Jupyter" not in path.read_text()


def test_the_manifest_records_the_sha256_of_each_written_file_as_sorted_indented_json(tmp_path):
    import hashlib

    repo = make_repo(tmp_path)
    (repo / "notebooks").mkdir()
    (repo / "notebooks/.generated.json").write_text('{"zz_old.ipynb": "0"}\n')  # an earlier build's, unsorted after
    build(repo, names=TINY_OUTLINE, quiet=True)
    written = {
        name: hashlib.sha256((repo / "notebooks" / name).read_bytes()).hexdigest()
        for name in ("01_demo.ipynb", "01_demo.py")
    }
    expected = {**written, "zz_old.ipynb": "0"}
    assert (repo / "notebooks/.generated.json").read_text() == json.dumps(expected, indent=2, sort_keys=True) + "\n"
    assert list(json.loads((repo / "notebooks/.generated.json").read_text())) == sorted(expected)


def test_the_build_writes_each_translated_languages_notebooks_and_pages_and_their_manifests(tmp_path):
    import hashlib

    from tiny_course import make_english_course

    repo = make_english_course(tmp_path)  # built there
    for folder, names in (
        ("solutions/notebooks/en", ("01_demo.ipynb", "01_demo.py")),
        ("notebooks/en", ("01_demo.ipynb", "01_demo.py", "README.md", "referencia.md")),
    ):
        manifest = json.loads((repo / folder / ".generated.json").read_text())
        assert manifest == {name: hashlib.sha256((repo / folder / name).read_bytes()).hexdigest() for name in names}
    assert "# Course: the students' guide" in (repo / "notebooks/en/README.md").read_text()
    assert "The square root of sixteen" in (repo / "solutions/notebooks/en/01_demo.ipynb").read_text()
    assert "# Exercises" in (repo / "notebooks/en/01_demo.py").read_text()
    assert build(repo, names=TINY_OUTLINE, quiet=True).written == []


def test_a_language_with_an_incomplete_catalogue_is_skipped_naming_its_notebook_and_pages(tmp_path):
    from tiny_course import make_english_course

    repo = make_english_course(tmp_path)
    source = repo / "solutions/notebooks/01_demo.py"
    source.write_text(source.read_text() + "\n# %% [markdown]\n# Uma frase nova, ainda sem tradução.\n")
    report = build(repo, names=TINY_OUTLINE, quiet=True)
    assert [path for path, _ in report.skipped] == [repo / "notebooks/en/01_demo.ipynb"]  # the pages still built
    assert "README.md" in json.loads((repo / "notebooks/en/.generated.json").read_text())
    for page in ("README.md", "referencia.md"):
        path = repo / "notebooks" / page
        path.write_text(path.read_text() + "\nUm parágrafo novo.\n")
    report = build(repo, names=TINY_OUTLINE, quiet=True)
    assert [path for path, _ in report.skipped] == [
        repo / "notebooks/en/01_demo.ipynb",
        repo / "notebooks/en/README.md",
        repo / "notebooks/en/referencia.md",
    ]


def test_writing_a_generated_file_creates_its_missing_folders_and_leaves_an_equal_file_alone(tmp_path):
    from fcn_course.instructor.build import BuildReport, _write_if_changed

    path = tmp_path / "new" / "deeper" / "page.md"
    report = BuildReport()
    _write_if_changed(path, "text", report)
    _write_if_changed(path, "text", report)
    assert path.read_text() == "text" and report.written == [path] and report.unchanged == [path]


def test_a_solution_ipynb_saved_without_cell_ids_is_rebuilt_with_stable_ids(tmp_path):
    """An older Jupyter (nbformat 4.4) saves no cell ids: the rebuilt .ipynb has one per cell, from its content."""
    repo = make_repo(tmp_path)
    build(repo, names=TINY_OUTLINE, quiet=True)
    path = repo / "solutions/notebooks/01_demo.ipynb"
    data = json.loads(path.read_text())
    data["nbformat_minor"] = 4
    for cell in data["cells"]:
        del cell["id"]
    path.write_text(json.dumps(data))
    assert build(repo, names=TINY_OUTLINE, quiet=True).ok
    ids = [cell.get("id") for cell in json.loads(path.read_text())["cells"]]
    assert all(ids) and len(set(ids)) == len(ids)
    assert build(repo, names=TINY_OUTLINE, quiet=True).written == []  # stable: the next build changes nothing


# What stops the build is said in the course's language (Portuguese; English in the English edition)
# --------------------------------------------------------------------------------------------------
def test_a_misplaced_or_missing_include_is_said_in_the_course_language(tmp_path):
    from helpers import raised_in_each_language

    from fcn_course.instructor.includes import include_path, included_text

    cell = nbformat.v4.new_markdown_cell("x")
    cell.metadata["tags"] = ["include:solutions/a.py"]
    portuguese, english = raised_in_each_language(NotebookBuildError, include_path, cell, "01_demo", 1)
    assert "uma tag include vai numa célula de código" in portuguese
    assert "an include tag goes on a code cell" in english
    portuguese, english = raised_in_each_language(NotebookBuildError, included_text, tmp_path, "nada.py", "cell 1")
    assert "cell 1: o arquivo incluído 'nada.py' não existe" in portuguese
    assert "cell 1: the included file 'nada.py' does not exist" in english


def test_a_notebook_that_fails_in_smoke_mode_is_said_in_the_course_language(tmp_path, monkeypatch):
    from helpers import raised_in_each_language
    from nbclient.exceptions import CellExecutionError

    from fcn_course.instructor import execute

    class Failing:
        def execute(self, env):
            raise CellExecutionError("boom", "ValueError", "bad value")

    monkeypatch.setattr(execute, "_client", lambda *args, **kwargs: Failing())
    run = execute.execute_in_place
    portuguese, english = raised_in_each_language(RuntimeError, run, None, tmp_path, True, 10, "01_demo")
    assert "01_demo falhou ao rodar no modo smoke:\nboom" in portuguese
    assert "01_demo failed while running in smoke mode:\nboom" in english

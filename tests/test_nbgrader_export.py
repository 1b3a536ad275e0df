"""nbgrader export: nbgrader's own generate_assignment accepts it and gives the students our notebooks.

Needs nbgrader, in the ``instructor`` extra (``pip install -e ".[dev,instructor]"``, which scripts/run_tests.sh
installs); skipped with that instruction when nbgrader is missing. Running nbgrader over the course notebooks takes ~30 s.
"""

import csv
import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from fcn_course.checks import get_exercise
from fcn_course.instructor.leaks import secret_lines
from fcn_course.instructor.markers import BEGIN_MARKER, END_MARKER
from fcn_course.messages import DEFAULT_LANGUAGE, text
from fcn_course.instructor.nbgrader_export import (
    GOAL_PREFIX,
    HIDDEN_BEGIN,
    NbgraderExportError,
    check_keys,
    export_nbgrader,
    nbgrader_notebook,
)
from fcn_course.outline import COURSE_NOTEBOOKS
from tiny_course import REPO_ROOT, TINY_OUTLINE, add_stray_solution, make_repo, stray_message


def nbgrader_code_stub(goal_prefix: str = GOAL_PREFIX):
    """nbgrader's stub for a code region, after our goal comment (written with ``goal_prefix``)."""
    return re.compile(
        r"^(?P<indent>[ \t]*)" + re.escape(goal_prefix) + r"(?P<hint>.*)\n(?P=indent)# YOUR CODE HERE\n"
        r"(?P=indent)raise NotImplementedError\(\)$",
        re.MULTILINE,
    )


NBGRADER_CODE_STUB = nbgrader_code_stub()
NBGRADER_TEXT_STUB = "YOUR ANSWER HERE"  # nbgrader's placeholder for a Markdown answer


def as_our_stub(source: str, stub=NBGRADER_CODE_STUB, language: str = DEFAULT_LANGUAGE) -> str:
    """nbgrader's student cell written with our stubs: ``raise NotImplementedError("<hint>")`` and the answer
    placeholder of ``language``."""
    source = stub.sub(lambda m: f'{m["indent"]}raise NotImplementedError({_literal(m["hint"])})', source)
    return source.replace(NBGRADER_TEXT_STUB, text("markers.answer_placeholder", language=language))


def _literal(hint: str) -> str:
    import json

    return json.dumps(hint, ensure_ascii=False)


def test_cells_get_nbgrader_metadata():
    nb = nbformat.read(REPO_ROOT / "solutions" / "notebooks" / "02_fcn_alexnet.ipynb", as_version=4)
    exported = nbgrader_notebook(nb, "02_fcn_alexnet")
    graded = [cell for cell in exported.cells if "nbgrader" in cell.metadata]
    kinds = {(c.cell_type, c.metadata.nbgrader["solution"], c.metadata.nbgrader["grade"]) for c in graded}
    assert ("code", True, False) in kinds  # autograded answers
    assert ("code", False, True) in kinds  # autograder tests
    tests = [c for c in graded if c.metadata.nbgrader["grade"] and c.cell_type == "code"]
    assert all(c.metadata.nbgrader["points"] == len(check_keys(c.source.split(HIDDEN_BEGIN)[0])) > 0 for c in tests)
    assert all(c.metadata.nbgrader["schema_version"] == 3 for c in graded)
    ids = [c.metadata.nbgrader["grade_id"] for c in graded]
    assert len(ids) == len(set(ids))
    assert all("BEGIN HIDDEN TESTS" in c.source and ".passed" in c.source for c in tests)
    nb04 = nbformat.read(REPO_ROOT / "solutions" / "notebooks" / "05_comparacao.ipynb", as_version=4)
    answers = [c for c in nbgrader_notebook(nb04, "04").cells if c.cell_type == "markdown" and "nbgrader" in c.metadata]
    assert answers and all(c.metadata.nbgrader["solution"] and c.metadata.nbgrader["grade"] for c in answers)


@pytest.mark.parametrize("name", COURSE_NOTEBOOKS)
def test_every_hidden_test_is_valid_python(name):
    """The hidden asserts are written from the check calls: nested calls such as make_criterion() too."""
    import ast

    nb = nbformat.read(REPO_ROOT / "solutions" / "notebooks" / f"{name}.ipynb", as_version=4)
    for cell in nbgrader_notebook(nb, name).cells:
        if cell.cell_type == "code" and "BEGIN HIDDEN TESTS" in cell.source:
            ast.parse(cell.source)  # a SyntaxError fails the test with the cell's text


def test_export_never_overwrites_an_edited_notebook(tmp_path):
    [first, *_] = export_nbgrader(REPO_ROOT, tmp_path)
    assert export_nbgrader(REPO_ROOT, tmp_path)  # same content again: fine
    first.write_text(first.read_text() + " ")
    edited = first.read_text()
    with pytest.raises(NbgraderExportError, match="difere"):
        export_nbgrader(REPO_ROOT, tmp_path)
    assert first.read_text() == edited


def test_export_writes_the_outlines_notebooks(tmp_path):
    from fcn_course.instructor.build import build

    repo = make_repo(tmp_path)
    build(repo, names=TINY_OUTLINE, quiet=True)
    assert export_nbgrader(repo, tmp_path / "course", names=TINY_OUTLINE) == [
        tmp_path / "course" / "source" / "01_demo" / "01_demo.ipynb"
    ]


def test_export_refuses_a_solution_notebook_the_outline_does_not_name(tmp_path):
    from fcn_course.instructor.build import build

    repo = make_repo(tmp_path)
    build(repo, names=TINY_OUTLINE, quiet=True)
    stray = add_stray_solution(repo)
    with pytest.raises(NbgraderExportError) as error:
        export_nbgrader(repo, tmp_path / "course", names=TINY_OUTLINE)
    assert stray_message(stray) in str(error.value)
    assert not (tmp_path / "course").exists()


def test_exported_notebooks_say_which_file_they_are_generated_from():
    nb = nbformat.read(REPO_ROOT / "solutions" / "notebooks" / "02_fcn_alexnet.ipynb", as_version=4)
    exported = nbgrader_notebook(nb, "02_fcn_alexnet")
    title = next(cell for cell in exported.cells if cell.source.splitlines()[1:2] == ["# 02 · FCN com AlexNet"])
    assert title.source.startswith("<!-- generated from solutions/notebooks/02_fcn_alexnet.py; edit that file")


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """Our export, then ``nbgrader generate_assignment`` for each notebook: {name: student notebook}."""
    pytest.importorskip("nbgrader", reason="nbgrader is missing (instructor extra): pip install -e \".[instructor]\"")
    course = tmp_path_factory.mktemp("nbgrader_course")
    export_nbgrader(REPO_ROOT, course)
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")
    for name in COURSE_NOTEBOOKS:  # nbgrader runs alembic from PATH: the environment's bin first
        result = subprocess.run(
            [sys.executable, "-m", "nbgrader", "generate_assignment", name, f"--CourseDirectory.root={course}"],
            cwd=course,
            env=env,
            capture_output=True,
            text=True,
        )
        assert result.returncode == 0, result.stdout + result.stderr
    return {name: nbformat.read(course / "release" / name / f"{name}.ipynb", as_version=4) for name in COURSE_NOTEBOOKS}


@pytest.mark.subprocess
@pytest.mark.parametrize("name", COURSE_NOTEBOOKS)
def test_nbgrader_student_notebooks_are_ours(generated, name):
    theirs = generated[name].cells
    ours = nbformat.read(REPO_ROOT / "notebooks" / f"{name}.ipynb", as_version=4).cells
    assert [c.cell_type for c in theirs] == [c.cell_type for c in ours]
    for index, (their, our) in enumerate(zip(theirs, ours)):
        assert as_our_stub(their.source).rstrip() == our.source.rstrip(), f"{name} cell {index}"


@pytest.mark.subprocess
@pytest.mark.parametrize("name", COURSE_NOTEBOOKS)
def test_nbgrader_student_notebooks_hold_no_solution_line(generated, name):
    secret = secret_lines(REPO_ROOT)
    for cell in generated[name].cells:
        for line in cell.source.splitlines():
            assert BEGIN_MARKER not in line and END_MARKER not in line and "HIDDEN TESTS" not in line
            assert line.strip() not in secret, f"{name}: solution line {line.strip()!r}"


WRONG_IOU = '''
import numpy as np
from fcn_course import checks


def iou_and_dice_from_confusion(matrix):
    tp = np.diag(matrix)
    return tp / matrix.sum(1), 2 * tp / (matrix.sum(0) + matrix.sum(1))
'''
RIGHT_IOU = '''
def iou_and_dice_from_confusion(matrix):
    matrix = np.asarray(matrix, dtype=float)
    tp = np.diag(matrix)
    fp, fn = matrix.sum(0) - tp, matrix.sum(1) - tp
    with np.errstate(invalid="ignore", divide="ignore"):
        return tp / (tp + fp + fn), 2 * tp / (2 * tp + fp + fn)
'''
# What a student's cell can do to the loaded checks before the hidden test runs.
HIDDEN_TEST_ATTACKS = {
    "a fake check function": "checks.check = lambda *args, **kwargs: checks.CheckResult('x', True)",
    "a result that always passes": "checks.CheckResult.passed = property(lambda self: True, lambda self, v: None)",
    "another object named checks": "class checks:\n    check = staticmethod(lambda *a, **k: type('R', (), "
    "{'passed': True})())",
}


@pytest.mark.safety
@pytest.mark.parametrize("attack", sorted(HIDDEN_TEST_ATTACKS))
def test_a_hidden_test_judges_with_the_installed_checks_whatever_the_cells_did(attack):
    """The hidden test re-imports the checks: a replaced check, result class or name does not make it pass."""
    from fcn_course.instructor.nbgrader_export import _with_hidden_tests

    cell = _with_hidden_tests('checks.check("iou")', ["iou"])
    loaded = {name: module for name, module in sys.modules.items() if name.split(".")[:2] == ["fcn_course", "checks"]}
    package = sys.modules["fcn_course"]
    original_result = dict(vars(loaded["fcn_course.checks.feedback"].CheckResult))
    original_check = loaded["fcn_course.checks"].check
    try:
        namespace = {}
        exec(WRONG_IOU + "\n" + HIDDEN_TEST_ATTACKS[attack], namespace)
        with pytest.raises(AssertionError, match="self-check failed: iou"):
            exec(cell, namespace)
        exec(RIGHT_IOU, namespace)
        exec(cell, namespace)  # the right answer passes the same hidden test
    finally:  # give the rest of the test session the modules it imported
        for name in [n for n in sys.modules if n.split(".")[:2] == ["fcn_course", "checks"]]:
            del sys.modules[name]
        sys.modules.update(loaded)
        package.checks = loaded["fcn_course.checks"]
        loaded["fcn_course.checks"].check = original_check
        result_class = loaded["fcn_course.checks.feedback"].CheckResult
        for key in set(vars(result_class)) - set(original_result):
            delattr(result_class, key)
        for key, value in original_result.items():
            if key not in ("__dict__", "__weakref__") and vars(result_class).get(key) is not value:
                setattr(result_class, key, value)


# --------------------------------------------------------------------------------------------------
# nbgrader end to end: generate_assignment -> autograde -> generate_feedback -> export, with nbgrader's CLI
# --------------------------------------------------------------------------------------------------
GRADED_NOTEBOOK = "02_fcn_alexnet"  # a notebook with several graded checks (5) that loads no other notebook
# The exact scores of the three submissions written below: the 5 check cells are graded by autograde (since
# the split of issue 23 notebook 02 has no written answer; those of 03 are graded by hand in formgrader).
EXPECTED_SCORES = {"correct": 5.0, "partial": 2.0, "wrong": 3.0}
EXPECTED_MAX_SCORE = 5.0
# Each mistake of the "wrong" submission: (text of the solution, the mistaken text, the check that fails).
MISTAKES = [
    ("permute(0, 2, 3, 1).reshape(-1, num_classes)", "reshape(-1, num_classes)", "loss"),
    (
        "'params': net.backbone1.parameters(), 'lr': args['lr'] * 0.1",
        "'params': net.backbone1.parameters()",
        "optimizer",
    ),
]
TAMPERED_CHECK = "training"  # the wrong submission also empties this locked check cell: nbgrader restores it


def _nbgrader(course: Path, *arguments: str) -> str:
    """Run nbgrader's command line in ``course`` (its nbgrader_config.py applies) and return its output.

    The course's variables are removed from the environment, and this Python's bin/ from PATH: the config
    alone must choose the profile and find nbgrader's tools (alembic), as for an instructor who runs
    ``.venv/bin/nbgrader`` without activating the environment.
    """
    env = {key: value for key, value in os.environ.items() if not key.startswith("FCN_COURSE_")}
    bin_folder = Path(sys.executable).parent
    env.update(
        PATH=os.pathsep.join(
            folder for folder in os.environ.get("PATH", "").split(os.pathsep) if folder and Path(folder) != bin_folder
        ),
        FCN_COURSE_DATA=str(course.parent / "data"),
        MPLBACKEND="Agg",
    )
    result = subprocess.run(
        [sys.executable, "-m", "nbgrader", *arguments], cwd=course, env=env, capture_output=True, text=True
    )
    return result.stdout + result.stderr


def _answered(cell) -> str:
    """The solution notebook's cell as a student who solved it writes it: the solution, without markers."""
    return "\n".join(
        line for line in cell.source.splitlines() if not line.strip().startswith((BEGIN_MARKER, END_MARKER))
    )


def _submit(course: Path, student: str, answer):
    """Write ``submitted/<student>/`` from the released notebook, each answer cell replaced by ``answer(cell)``.

    ``answer`` gets the source version of the cell (solutions inside markers) and returns the student's text,
    or None to leave nbgrader's stub. Returns the submitted notebook.
    """
    source = nbformat.read(course / "source" / GRADED_NOTEBOOK / f"{GRADED_NOTEBOOK}.ipynb", as_version=4)
    by_id = {cell.metadata.nbgrader["grade_id"]: cell for cell in source.cells if "nbgrader" in cell.metadata}
    released = nbformat.read(course / "release" / GRADED_NOTEBOOK / f"{GRADED_NOTEBOOK}.ipynb", as_version=4)
    for cell in released.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("solution"):
            text = answer(by_id[meta["grade_id"]])
            cell.source = cell.source if text is None else text
    folder = course / "submitted" / student / GRADED_NOTEBOOK
    folder.mkdir(parents=True)
    nbformat.write(released, folder / f"{GRADED_NOTEBOOK}.ipynb")
    return released


def _with_mistakes(cell):
    text = _answered(cell)
    for right, wrong, _check in MISTAKES:
        text = text.replace(right, wrong)
    return text


def _only_the_fcn(cell):
    """Exercises 1 and 2 done (the FCN_AlexNet cell), everything else left as nbgrader's stub."""
    return _answered(cell) if "class FCN_AlexNet" in cell.source else None


@pytest.mark.slow
@pytest.mark.subprocess
@pytest.mark.kernel  # nbgrader's autograde executes the notebooks
def test_nbgrader_scores_a_correct_a_partial_and_a_wrong_submission(tmp_path):
    """The real nbgrader pipeline on our export, with only the course folder's nbgrader_config.py.

    Needs nothing but the export: the config gives the kernels the smoke profile (no VOC on a grading
    machine) and time limits the checks fit in. The locked test cells raise no checksum warning, except the
    one a student really edited.
    """
    pytest.importorskip("nbgrader", reason="nbgrader is missing (instructor extra): pip install -e \".[instructor]\"")
    course = tmp_path / "course"
    export_nbgrader(REPO_ROOT, course)
    _nbgrader(course, "generate_assignment", GRADED_NOTEBOOK)
    solution_text = nbformat.read(course / "source" / GRADED_NOTEBOOK / f"{GRADED_NOTEBOOK}.ipynb", as_version=4)
    for right, _wrong, _check in MISTAKES:  # every mistake is planted in the solution, not lost to an edit
        assert any(right in cell.source for cell in solution_text.cells), right
    _submit(course, "correct", _answered)
    _submit(course, "partial", _only_the_fcn)
    wrong = _submit(course, "wrong", _with_mistakes)
    tampered = next(cell for cell in wrong.cells if cell.source == f'checks.check("{TAMPERED_CHECK}");')
    tampered.source = "pass"
    nbformat.write(wrong, course / "submitted" / "wrong" / GRADED_NOTEBOOK / f"{GRADED_NOTEBOOK}.ipynb")

    log = _nbgrader(course, "autograde", GRADED_NOTEBOOK)
    _nbgrader(course, "generate_feedback", GRADED_NOTEBOOK)
    _nbgrader(course, "export")
    with open(course / "grades.csv", newline="", encoding="utf-8") as grades:
        scores = {row["student_id"]: (float(row["score"]), float(row["max_score"])) for row in csv.DictReader(grades)}
    assert scores == {student: (score, EXPECTED_MAX_SCORE) for student, score in EXPECTED_SCORES.items()}, log

    changed = re.findall(r"Attribute '(\w+)' for cell (\S+) has changed", log)
    assert changed == [("checksum", tampered.metadata.nbgrader["grade_id"])], log
    assert "Removing failed assignment" not in log and "Timeout" not in log, log
    for student in EXPECTED_SCORES:
        feedback = course / "feedback" / student / GRADED_NOTEBOOK / f"{GRADED_NOTEBOOK}.html"
        assert feedback.is_file(), f"no feedback for {student}"
    wrong_feedback = (course / "feedback" / "wrong" / GRADED_NOTEBOOK / f"{GRADED_NOTEBOOK}.html").read_text()
    for _right, _wrong, check in MISTAKES:  # the checks' Portuguese feedback reaches the student
        assert f"❌ {get_exercise(check).title}" in wrong_feedback, check
    assert "(FCN_COURSE_PROFILE=smoke)" in wrong_feedback  # the profile of the config, not the default (full)


# --------------------------------------------------------------------------------------------------
# Points that follow the rubric, and the course folder's nbgrader_config.py
# --------------------------------------------------------------------------------------------------
def _graded(name: str) -> list:
    """``(cell, points)`` of the graded cells of the exported notebook ``name``."""
    nb = nbformat.read(REPO_ROOT / "solutions" / "notebooks" / f"{name}.ipynb", as_version=4)
    exported = nbgrader_notebook(nb, name)
    return [
        (index, cell, cell.metadata.nbgrader["points"])
        for index, cell in enumerate(exported.cells)
        if cell.metadata.get("nbgrader", {}).get("grade")
    ], exported


def rubric_points() -> dict:
    """``{notebook number: max points}`` of the written answers, summed from the table of solutions/rubric.md."""
    rows = re.findall(
        r"^\| (\d\d) \| [^|]+ \| [^|]+ \| (\d+) \|$",
        (REPO_ROOT / "solutions" / "rubric.md").read_text(encoding="utf-8"),
        re.MULTILINE,
    )
    totals = {}
    for notebook, points in rows:
        totals[notebook] = totals.get(notebook, 0) + int(points)
    return totals


def test_answers_are_worth_what_the_rubric_grades_and_checks_one_point_each():
    """solutions/rubric.md: each item 0-2 times its weight; the export's answer points add up to its table."""
    rubric = rubric_points()
    assert set(rubric) <= {name[:2] for name in COURSE_NOTEBOOKS}
    for name in COURSE_NOTEBOOKS:  # a notebook without written answers (02) has no row and 0 points
        graded, _ = _graded(name)
        answers = sum(points for _, cell, points in graded if cell.cell_type == "markdown")
        assert answers == rubric.get(name[:2], 0), name
        assert all(points == 1 for _, cell, points in graded if cell.cell_type == "code")
    graded, exported = _graded("05_comparacao")
    question = {index: exported.cells[index - 1].source for index, _, _ in graded}
    points = {index: points for index, _, points in graded}
    [predictions] = [index for index in points if "**Previsão 1.**" in question[index]]
    [failure_modes] = [index for index in points if "Pergunta de reflexão 6" in question[index]]
    [when_alexnet] = [index for index in points if "**5.**" in question[index]]
    assert (points[predictions], points[failure_modes], points[when_alexnet]) == (4, 6, 2)


def test_points_tags_never_reach_the_students_or_nbgrader():
    for folder in ("notebooks", "solutions/notebooks"):
        nb = nbformat.read(REPO_ROOT / folder / "05_comparacao.ipynb", as_version=4)
        tags = [tag for cell in nb.cells for tag in cell.metadata.get("tags", [])]
        assert any(tag.startswith("points:") for tag in tags) == (folder == "solutions/notebooks")
    _, exported = _graded("05_comparacao")
    assert not any(tag.startswith("points:") for cell in exported.cells for tag in cell.metadata.get("tags", []))


@pytest.mark.parametrize(
    "cell_text, tags, message",
    [
        ("# %% [markdown]\n# BEGIN\n# Resposta.\n# END\n", ["points:two"], "número inteiro"),
        ("# %% [markdown]\n# BEGIN\n# Resposta.\n# END\n", ["points:2", "points:3"], "uma única tag"),
        ("# %%\nx = 1\n", ["points:2"], "não corrige esta"),
    ],
)
def test_a_bad_points_tag_is_an_error_naming_the_cell(cell_text, tags, message):
    from tiny_course import nb_from

    nb = nb_from(cell_text)
    nb.cells[0].metadata["tags"] = tags
    with pytest.raises(NbgraderExportError, match=message) as error:
        nbgrader_notebook(nb, "01_demo")
    assert "'01_demo', cell 1" in str(error.value)


def test_the_export_writes_an_nbgrader_config_that_nbgrader_reads(tmp_path):
    pytest.importorskip("nbgrader", reason="nbgrader is missing (instructor extra): pip install -e \".[instructor]\"")
    from traitlets.config.loader import PyFileConfigLoader

    from fcn_course.instructor.build import build
    from fcn_course.instructor.nbgrader_autograde import CourseExecute, HiddenTestsOverwriteCells

    repo = make_repo(tmp_path)
    build(repo, names=TINY_OUTLINE, quiet=True)
    course = tmp_path / "course"
    export_nbgrader(repo, course, names=TINY_OUTLINE)
    config = PyFileConfigLoader("nbgrader_config.py", path=str(course)).load_config()
    assert config.CourseDirectory.root == str(course)
    assert config.Execute.timeout >= 900 and config.Execute.iopub_timeout >= 120
    assert config.CourseExecute.profile == "smoke"
    assert CourseExecute in config.Autograde.autograde_preprocessors
    assert HiddenTestsOverwriteCells in config.Autograde.sanitize_preprocessors
    (course / "nbgrader_config.py").write_text((course / "nbgrader_config.py").read_text() + "# my change\n")
    with pytest.raises(NbgraderExportError, match="difere"):  # an instructor's edit is never overwritten
        export_nbgrader(repo, course, names=TINY_OUTLINE)


@pytest.mark.kernel
def test_autograde_kernels_run_with_the_grading_profile(monkeypatch):
    """CourseExecute gives its kernels FCN_COURSE_PROFILE, whatever the environment of nbgrader says."""
    pytest.importorskip("nbgrader", reason="nbgrader is missing (instructor extra): pip install -e \".[instructor]\"")
    from fcn_course.instructor.nbgrader_autograde import CourseExecute

    monkeypatch.setenv("FCN_COURSE_PROFILE", "full")
    nb = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_code_cell(
                "import os\nprint(os.environ['FCN_COURSE_PROFILE'], os.environ.get('FCN_COURSE_SMOKE'))"
            )
        ]
    )
    executed, _ = CourseExecute(timeout=120).preprocess(nb, {})
    assert executed.cells[0].outputs[0]["text"].strip() == "smoke None"
    assert os.environ["FCN_COURSE_PROFILE"] == "full"  # nbgrader's own process keeps its environment


@pytest.mark.kernel
def test_autograde_training_runs_go_to_a_temporary_folder_removed_afterwards(tmp_path, monkeypatch):
    """Issue 22: a student's autograded folder keeps no training runs (~40 MB each); a folder the instructor
    chose (FCN_COURSE_RUNS) is kept."""
    pytest.importorskip("nbgrader", reason="nbgrader is missing (instructor extra): pip install -e \".[instructor]\"")
    from fcn_course.instructor.nbgrader_autograde import CourseExecute

    monkeypatch.delenv("FCN_COURSE_RUNS", raising=False)
    cell = "import os, pathlib\nruns = pathlib.Path(os.environ.get('FCN_COURSE_RUNS', 'runs'))\n"
    cell += "(runs / 'run-1').mkdir(parents=True)\nprint(runs.resolve())"
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(cell)])
    executed, _ = CourseExecute(timeout=120).preprocess(nb, {"metadata": {"path": str(tmp_path)}})
    used = Path(executed.cells[0].outputs[0]["text"].strip())
    assert not used.exists() and list(tmp_path.iterdir()) == []

    chosen = tmp_path / "my_runs"
    monkeypatch.setenv("FCN_COURSE_RUNS", str(chosen))
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(cell)])
    CourseExecute(timeout=120).preprocess(nb, {"metadata": {"path": str(tmp_path)}})
    assert (chosen / "run-1").is_dir()


def test_autograde_brings_the_students_earlier_notebooks_next_to_the_one_it_runs(tmp_path):
    """Issue 22: notebook 03 loads the student's definitions from 02 in its own folder; nbgrader gives each
    notebook a folder of its own, so the student's submitted 02 is copied in (never over a file there)."""
    pytest.importorskip("nbgrader", reason="nbgrader is missing (instructor extra): pip install -e \".[instructor]\"")
    from fcn_course.instructor.nbgrader_autograde import bring_earlier_notebooks

    first, second, third = COURSE_NOTEBOOKS[:3]
    submitted = tmp_path / "submitted" / "ana"
    (submitted / second).mkdir(parents=True)
    (submitted / second / f"{second}.ipynb").write_text("the student's own")
    folder = tmp_path / "autograded" / "ana" / third
    folder.mkdir(parents=True)

    copied, missing = bring_earlier_notebooks(folder)

    assert copied == [folder / f"{second}.ipynb"] and copied[0].read_text() == "the student's own"
    assert missing == [submitted / first / f"{first}.ipynb"]
    copied[0].write_text("already here")
    assert bring_earlier_notebooks(folder) == ([], [submitted / first / f"{first}.ipynb"])
    assert copied[0].read_text() == "already here"
    assert bring_earlier_notebooks(tmp_path / "elsewhere" / "ana" / third) == ([], [])


def test_a_cell_with_a_solution_region_and_a_check_stays_an_answer_never_locked():
    from tiny_course import nb_from

    nb = nb_from('''
        # %%
        def half(x):
            BEGIN: devolva a metade
            return x / 2
            END
        checks.check("iou")
    ''')
    [cell] = nbgrader_notebook(nb, "01_demo").cells
    assert cell.metadata.nbgrader["solution"] and not cell.metadata.nbgrader["locked"]


@pytest.mark.safety
@pytest.mark.parametrize("link", ["file", "folder"])
def test_export_never_writes_through_a_symbolic_link(tmp_path, link):
    """A link in the course folder (to a file that does not exist yet, or to another folder) was written through."""
    from fcn_course.instructor.build import build

    repo = make_repo(tmp_path)
    build(repo, names=TINY_OUTLINE, quiet=True)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    course = tmp_path / "course"
    if link == "file":
        (course / "source" / "01_demo").mkdir(parents=True)
        (course / "source" / "01_demo" / "01_demo.ipynb").symlink_to(elsewhere / "dangling.ipynb")
    else:
        (course / "source").mkdir(parents=True)
        (course / "source" / "01_demo").symlink_to(elsewhere, target_is_directory=True)
    with pytest.raises(NbgraderExportError, match="link simbólico"):
        export_nbgrader(repo, course, names=TINY_OUTLINE)
    assert list(elsewhere.iterdir()) == []


def test_a_desafio_check_cell_stays_a_plain_ungraded_cell():
    from fcn_course.instructor.nbgrader_export import graded_keys

    assert check_keys('checks.check("miou-per-image")') == ["miou-per-image"]
    assert graded_keys('checks.check("miou-per-image")') == []
    assert graded_keys('checks.check("iou")') == ["iou"]


# --------------------------------------------------------------------------------------------------
# Language editions (issue 24): ``--lang`` exports that language's solution notebooks
# --------------------------------------------------------------------------------------------------
def test_the_english_export_is_made_from_the_english_solution_notebooks(tmp_path):
    from fcn_course.messages import text
    from tiny_course import make_english_course

    repo = make_english_course(tmp_path)
    course = tmp_path / "course"
    [path] = export_nbgrader(repo, course, names=TINY_OUTLINE, language="en")
    assert path == course / "source" / "01_demo" / "01_demo.ipynb"
    nb = nbformat.read(path, as_version=4)
    sources = "\n".join(cell.source for cell in nb.cells)
    assert "# Exercises" in sources and "Qual é a raiz" not in sources
    assert text("nbgrader.goal_comment", language="en", goal="Return twice x.") in sources
    assert GOAL_PREFIX.strip() not in sources  # the Portuguese goal comment
    assert sources.count("generated from") == 1 and "solutions/locale/en/01_demo.po" in sources
    answers = [cell for cell in nb.cells if cell.metadata.get("nbgrader", {}).get("solution")]
    assert [cell.cell_type for cell in answers] == ["markdown", "code", "code"]  # the answer, root, Doubler
    assert answers[0].source.splitlines()[1] == "The square root of sixteen is four, since four times four is sixteen."
    # Graded like the Portuguese notebook: the same cells, ids and points.
    portuguese = nbformat.read(export_nbgrader(repo, tmp_path / "pt", names=TINY_OUTLINE)[0], as_version=4)
    assert [c.metadata.get("nbgrader") for c in nb.cells] == [c.metadata.get("nbgrader") for c in portuguese.cells]


def test_the_export_of_an_untranslated_language_says_how_to_translate(tmp_path):
    from fcn_course.instructor.build import build

    repo = make_repo(tmp_path)
    build(repo, names=TINY_OUTLINE, quiet=True)
    with pytest.raises(NbgraderExportError, match="translations --lang en"):
        export_nbgrader(repo, tmp_path / "course", names=TINY_OUTLINE, language="en")
    assert not (tmp_path / "course").exists()


def test_the_goal_comment_is_written_in_every_language():
    from fcn_course.messages import LANGUAGES, text

    assert GOAL_PREFIX == text("nbgrader.goal_comment", language="pt_BR", goal="")
    for language in LANGUAGES:
        assert text("nbgrader.goal_comment", language=language, goal="X").endswith(": X")


@pytest.mark.subprocess
def test_nbgrader_makes_our_english_student_notebook_from_the_english_export(tmp_path):
    """nbgrader's own generate_assignment on the English export gives the English student notebook of the
    build, but for nbgrader's stub texts (as the Portuguese notebooks, ``test_nbgrader_student_notebooks_are_ours``)."""
    pytest.importorskip("nbgrader", reason="nbgrader is missing (instructor extra): pip install -e \".[instructor]\"")
    from fcn_course.messages import text
    from tiny_course import make_english_course

    repo = make_english_course(tmp_path)
    course = tmp_path / "course"
    export_nbgrader(repo, course, names=TINY_OUTLINE, language="en")
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")
    result = subprocess.run(
        [sys.executable, "-m", "nbgrader", "generate_assignment", "01_demo", f"--CourseDirectory.root={course}"],
        cwd=course,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    theirs = nbformat.read(course / "release" / "01_demo" / "01_demo.ipynb", as_version=4).cells
    ours = nbformat.read(repo / "notebooks" / "en" / "01_demo.ipynb", as_version=4).cells
    stub = nbgrader_code_stub(text("nbgrader.goal_comment", language="en", goal=""))
    assert [c.cell_type for c in theirs] == [c.cell_type for c in ours]
    for index, (their, our) in enumerate(zip(theirs, ours)):
        assert as_our_stub(their.source, stub, "en").rstrip() == our.source.rstrip(), f"cell {index}"
    assert any("Return twice x." in cell.source for cell in theirs)  # the English goal, above nbgrader's stub
    secret = secret_lines(repo)
    assert not any(line.strip() in secret for cell in theirs for line in cell.source.splitlines())


# --------------------------------------------------------------------------------------------------
# Cell steps and values pinned one by one
# --------------------------------------------------------------------------------------------------
def test_the_nbgrader_config_gives_a_cell_900_s_and_its_last_output_120_s():
    from fcn_course.instructor.nbgrader_export import nbgrader_config_text

    config = nbgrader_config_text()
    assert "\nc.Execute.timeout = 900  #" in config and "\nc.Execute.iopub_timeout = 120  #" in config
    assert '\nc.CourseExecute.profile = "smoke"\n' in config
    assert '\nc.CourseExecute.profile = "tiny"\n' in nbgrader_config_text("tiny")


@pytest.mark.parametrize("call", ["checks.check()", "checks.check(key)", 'checks.check("no-such-exercise")'])
def test_a_check_call_without_the_literal_key_of_a_registered_exercise_is_an_error(call):
    with pytest.raises(NbgraderExportError, match="chave de um exercício registrado"):
        check_keys(f"x = 1\n{call}\n")


def test_only_calls_of_checks_dot_check_are_check_calls():
    assert check_keys('checks.check("iou")\nquiz.check("dice")\nother.check("x")\ncheck("y")\n') == ["iou"]
    assert check_keys("%matplotlib inline\n") == []  # a magic: never a check cell


def test_graded_cells_are_never_nbgrader_tasks():
    nb = nbformat.read(REPO_ROOT / "solutions" / "notebooks" / "05_comparacao.ipynb", as_version=4)
    graded = [cell.metadata.nbgrader for cell in nbgrader_notebook(nb, "05").cells if "nbgrader" in cell.metadata]
    assert graded and all(meta["task"] is False for meta in graded)


@pytest.mark.parametrize("ending", ["", "\n"])
def test_the_goal_comment_replaces_only_a_goal_and_keeps_the_cells_last_newline(ending):
    from fcn_course.instructor.nbgrader_export import hints_as_comments

    source = (
        "def f(x):\n    ### BEGIN SOLUTION: devolva x\n    return x\n    ### END SOLUTION\n"
        "y = 1\n### BEGIN SOLUTION\ny = 2\n### END SOLUTION" + ending
    )
    assert hints_as_comments(source) == (
        "def f(x):\n    # Objetivo: devolva x\n    ### BEGIN SOLUTION\n    return x\n    ### END SOLUTION\n"
        "y = 1\n### BEGIN SOLUTION\ny = 2\n### END SOLUTION" + ending
    )


def test_a_check_cell_is_a_locked_test_worth_one_point_per_graded_check():
    from tiny_course import nb_from

    nb = nb_from('''
        # %%
        checks.check("iou")
        checks.check("loss")
        checks.check("miou-per-image")
    ''')
    [cell] = nbgrader_notebook(nb, "01_demo").cells
    meta = cell.metadata.nbgrader
    assert (meta["grade"], meta["solution"], meta["locked"], meta["points"]) == (True, False, True, 2)
    assert meta["grade_id"] == "01_demo-cell-00" and type(meta["points"]) is int


def test_the_export_says_where_the_course_folder_is_and_what_to_run_next(tmp_path, capsys):
    from fcn_course.instructor.build import build

    repo = make_repo(tmp_path)
    build(repo, names=TINY_OUTLINE, quiet=True)
    export_nbgrader(repo, tmp_path / "course", names=TINY_OUTLINE)
    out = capsys.readouterr().out
    assert f"nbgrader course folder: {tmp_path / 'course'} (1 assignment(s) in source/, nbgrader_config.py)" in out
    assert f"cd {tmp_path / 'course'} && nbgrader generate_assignment <name>" in out


# What stops the export is said in the course's language (Portuguese; English in the English edition)
# --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "tags, portuguese_part, english_part",
    [
        (["points:two"], "escreva uma única tag points:<número inteiro de pontos>", "write one tag points:<whole"),
        (["points:2"], "o nbgrader não corrige esta", "nbgrader does not grade this one"),
    ],
)
def test_a_bad_points_tag_is_said_in_the_language_of_the_edition(tags, portuguese_part, english_part):
    from tiny_course import nb_from

    nb = nb_from("# %%\nx = 1\n")
    nb.cells[0].metadata["tags"] = tags
    with pytest.raises(NbgraderExportError) as portuguese:
        nbgrader_notebook(nb, "01_demo")  # the export speaks the language of the edition it exports
    with pytest.raises(NbgraderExportError) as english:
        nbgrader_notebook(nb, "01_demo", "en")
    assert portuguese_part in str(portuguese.value)
    assert english_part in str(english.value)


def test_a_check_cell_without_a_literal_key_is_said_in_the_course_language():
    from helpers import raised_in_each_language

    from fcn_course.instructor.nbgrader_export import check_keys

    portuguese, english = raised_in_each_language(NbgraderExportError, check_keys, "checks.check(key, globals())\n")
    assert "uma célula de verificação chama checks.check(key, globals())" in portuguese
    assert "a check cell calls checks.check(key, globals())" in english


def test_a_link_or_an_edited_notebook_in_the_export_is_said_in_the_course_language(tmp_path):
    from helpers import raised_in_each_language

    from fcn_course.files import OutputFolder
    from fcn_course.instructor.nbgrader_export import _write_new

    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "source").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    folder = OutputFolder(tmp_path, "the nbgrader export")
    portuguese, english = raised_in_each_language(NbgraderExportError, _write_new, folder, "source/a.ipynb", "{}")
    assert "é um link simbólico: a exportação nunca grava através de links" in portuguese
    assert "is a symbolic link: the export never writes through links" in english
    _write_new(folder, "a.ipynb", "{}")
    assert (tmp_path / "a.ipynb").read_text() == "{}"
    (tmp_path / "a.ipynb").write_text("{} ")
    portuguese, english = raised_in_each_language(NbgraderExportError, _write_new, folder, "a.ipynb", "{}")
    assert "já existe e difere da exportação" in portuguese
    assert "already exists and differs from the export" in english


def test_a_missing_edition_or_no_notebooks_are_said_in_the_course_language(tmp_path):
    from helpers import raised_in_each_language

    from fcn_course.instructor.nbgrader_export import _edition_notebooks

    export = export_nbgrader
    portuguese, english = raised_in_each_language(NbgraderExportError, export, tmp_path, tmp_path / "c", names=())
    assert "nenhum notebook de solução em" in portuguese and "a exportação" in portuguese
    assert "no solution notebooks in" in english and "the export is made from them" in english
    sources = [tmp_path / "solutions" / "notebooks" / "01_demo.py"]
    portuguese, english = raised_in_each_language(NbgraderExportError, _edition_notebooks, tmp_path, "en", sources)
    assert "o curso não tem a edição en" in portuguese
    assert "the course has no en edition" in english
    (tmp_path / "solutions" / "locale" / "en").mkdir(parents=True)
    portuguese, english = raised_in_each_language(NbgraderExportError, _edition_notebooks, tmp_path, "en", sources)
    assert "os notebooks de solução en não estão construídos" in portuguese
    assert "the en solution notebooks are not built" in english

"""nbgrader export: nbgrader's own generate_assignment accepts it and gives the students our notebooks.

Needs nbgrader, in the ``instructor`` extra (``pip install -e ".[dev,instructor]"``, which scripts/run_tests.sh
installs); skipped with that instruction when nbgrader is missing. Running nbgrader over the four notebooks takes ~30 s.
"""
import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from fcn_course.instructor.leaks import secret_lines
from fcn_course.instructor.markers import ANSWER_PLACEHOLDER, BEGIN_MARKER, END_MARKER
from fcn_course.instructor.nbgrader_export import (GOAL_PREFIX, HIDDEN_BEGIN, NbgraderExportError, check_keys, export_nbgrader,
                                                   nbgrader_notebook)
from fcn_course.outline import COURSE_NOTEBOOKS
from tiny_course import REPO_ROOT, TINY_OUTLINE, add_stray_solution, make_repo

# nbgrader's stub for a code region, after our goal comment; and its placeholder for a Markdown answer.
NBGRADER_CODE_STUB = re.compile(
    r"^(?P<indent>[ \t]*)" + re.escape(GOAL_PREFIX) + r"(?P<hint>.*)\n(?P=indent)# YOUR CODE HERE\n"
    r"(?P=indent)raise NotImplementedError\(\)$", re.MULTILINE)
NBGRADER_TEXT_STUB = "YOUR ANSWER HERE"


def as_our_stub(source: str) -> str:
    """nbgrader's student cell written with our stubs: ``raise NotImplementedError("<hint>")``."""
    source = NBGRADER_CODE_STUB.sub(
        lambda m: f'{m["indent"]}raise NotImplementedError({_literal(m["hint"])})', source)
    return source.replace(NBGRADER_TEXT_STUB, ANSWER_PLACEHOLDER)


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
    nb04 = nbformat.read(REPO_ROOT / "solutions" / "notebooks" / "04_comparacao.ipynb", as_version=4)
    answers = [c for c in nbgrader_notebook(nb04, "04").cells
               if c.cell_type == "markdown" and "nbgrader" in c.metadata]
    assert answers and all(c.metadata.nbgrader["solution"] and c.metadata.nbgrader["grade"] for c in answers)


@pytest.mark.parametrize("name", ["01_dados_e_metricas", "02_fcn_alexnet", "03_fcn_vgg16", "04_comparacao"])
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
    with pytest.raises(NbgraderExportError, match="differs"):
        export_nbgrader(REPO_ROOT, tmp_path)
    assert first.read_text() == edited


def test_export_writes_the_outlines_notebooks(tmp_path):
    from fcn_course.instructor.build import build

    repo = make_repo(tmp_path)
    build(repo, names=TINY_OUTLINE, quiet=True)
    assert export_nbgrader(repo, tmp_path / "course", names=TINY_OUTLINE) == [
        tmp_path / "course" / "source" / "01_demo" / "01_demo.ipynb"]


def test_export_refuses_a_solution_notebook_the_outline_does_not_name(tmp_path):
    from fcn_course.instructor.build import build

    repo = make_repo(tmp_path)
    build(repo, names=TINY_OUTLINE, quiet=True)
    stray = add_stray_solution(repo)
    with pytest.raises(NbgraderExportError, match="not a course notebook") as error:
        export_nbgrader(repo, tmp_path / "course", names=TINY_OUTLINE)
    assert str(stray) in str(error.value)
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
        result = subprocess.run([sys.executable, "-m", "nbgrader", "generate_assignment", name,
                                 f"--CourseDirectory.root={course}"], cwd=course, env=env,
                                capture_output=True, text=True)
        assert result.returncode == 0, result.stdout + result.stderr
    return {name: nbformat.read(course / "release" / name / f"{name}.ipynb", as_version=4)
            for name in COURSE_NOTEBOOKS}


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
    with pytest.raises(NbgraderExportError, match="link"):
        export_nbgrader(repo, course, names=TINY_OUTLINE)
    assert list(elsewhere.iterdir()) == []

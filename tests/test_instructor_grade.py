"""Tests of the grader (fcn_course.instructor.grade) on tiny notebooks written to temporary folders."""
import os
import sys
import types
from pathlib import Path

import nbformat

from fcn_course.instructor.grade import grade
from tiny_course import nb_from, sha256


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

    result = grade(submission, report_path=tmp_path / "report.md")

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
    result = grade(submission)
    assert result["checks_error"] == "AttributeError: no such model"
    assert "no such model" in result["report"]



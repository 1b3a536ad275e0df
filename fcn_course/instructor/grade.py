"""Grading a student's notebook with the course's self-checks, without touching the submission.

The submission is copied to a temporary folder; its definition cells run there in smoke mode
(``fcn_course.definitions``), then ``fcn_course.checks`` checks the exercises of that notebook. A broken
cell or a crashing check is reported in the Markdown report (in Portuguese, for the student), never fatal.
"""
from __future__ import annotations

import contextlib
import importlib
import os
import shutil
import tempfile
from pathlib import Path
from typing import Optional

from fcn_course.definitions import execute_definition_cells, read_notebook
from fcn_course.instructor.execute import SMOKE_ENV
from fcn_course.instructor.pairs import sha256


@contextlib.contextmanager
def _environment(**variables):
    """Temporarily set environment variables."""
    saved = {key: os.environ.get(key) for key in variables}
    os.environ.update(variables)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@contextlib.contextmanager
def _working_directory(path):
    previous = os.getcwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(previous)


def _exercise_result(item) -> dict:
    """Accept a check result as a (name, passed, messages) tuple, a dict or an object.

    Dicts and objects (like ``fcn_course.checks.CheckResult``) name the exercise ``exercise`` or ``name``.
    """
    if isinstance(item, (tuple, list)):
        name, passed, messages = item
    elif isinstance(item, dict):
        name, passed, messages = item.get("exercise", item.get("name")), item["passed"], item.get("messages", [])
    else:
        name = item.exercise if hasattr(item, "exercise") else item.name
        passed, messages = item.passed, getattr(item, "messages", [])
    if isinstance(messages, str):
        messages = [messages]
    return {"name": str(name), "passed": bool(passed), "messages": [str(message) for message in messages]}


def _report_markdown(name: str, exercises: list, failures: list, crash: Optional[str]) -> str:
    passed = sum(exercise["passed"] for exercise in exercises)
    lines = [f"# Relatório de correção: {name}", "",
             f"**{passed} de {len(exercises)} exercício(s) corretos.**", ""]
    for exercise in exercises:
        mark = "✅" if exercise["passed"] else "❌"
        lines.append(f"## {mark} {exercise['name']}")
        lines += [f"- {message}" for message in exercise["messages"]]
        lines.append("")
    if crash:
        lines += ["## ⚠️ As verificações não puderam terminar", "", f"```\n{crash}\n```", ""]
    if failures:
        lines += ["## ⚠️ Células com erro", "",
                  "Estas células não puderam ser executadas; as definições delas ficaram de fora:", ""]
        lines += [f"- Célula {failure.index + 1} ({failure.label}): `{failure.error}`" for failure in failures]
        lines.append("")
    return "\n".join(lines)


def _run_checks(copy_path: Path):
    """(check results, failed cells, crash message or None) for a copy of the submission."""
    namespace, failures = execute_definition_cells(read_notebook(copy_path), name=copy_path.name)
    try:
        checks = importlib.import_module("fcn_course.checks")  # looked up at call time: tests replace it
        exercises = checks.exercises_for_notebook(copy_path.name)
        results = [_exercise_result(item) for item in checks.run_all(namespace, exercises=exercises)]
    except Exception as error:  # noqa: BLE001 - report it instead of losing the whole grading
        return [], failures, f"{type(error).__name__}: {error}"
    return results, failures, None


def grade(submission_path, report_path=None) -> dict:
    """Grade a student's notebook with the course's checks (``fcn_course.checks.run_all``).

    Returns a dict with ``exercises`` (name, passed, messages), ``cell_errors``, ``checks_error``,
    ``passed``, ``total`` and ``report`` (Markdown, also printed, and written to ``report_path`` if given).
    """
    submission = Path(submission_path).resolve()
    digest_before = sha256(submission.read_bytes())
    with tempfile.TemporaryDirectory(prefix="fcn_course_grade_") as workdir:
        copy_path = Path(workdir) / submission.name
        shutil.copyfile(submission, copy_path)
        with _environment(**{SMOKE_ENV: "1"}), _working_directory(workdir):
            results, failures, crash = _run_checks(copy_path)
    if sha256(submission.read_bytes()) != digest_before:
        raise RuntimeError(f"{submission} changed while it was being graded")
    markdown = _report_markdown(submission.name, results, failures, crash)
    print(markdown)
    if report_path is not None:
        Path(report_path).write_text(markdown, encoding="utf-8")
    return {
        "submission": str(submission),
        "sha256": digest_before,
        "exercises": results,
        "cell_errors": [{"cell": failure.index, "label": failure.label, "error": failure.error}
                        for failure in failures],
        "checks_error": crash,
        "passed": sum(result["passed"] for result in results),
        "total": len(results),
        "report": markdown,
    }

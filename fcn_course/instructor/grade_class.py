"""Grading a whole class: every notebook under the given files and folders, one report each, one CSV.

``python -m fcn_course.instructor grade submissions/`` finds the notebooks (``.ipynb``, and ``.py`` files that
are jupytext notebooks), grades each one in its own process (``fcn_course.instructor.grade``), writes one Markdown
report per submission, named after its path so that two students' ``02_fcn_alexnet.ipynb`` never collide,
and a class summary ``grades.csv``. An unreadable file is reported and skipped; the submissions are never
modified. The exit status is 1 when any submission has a failed exercise, an unreadable file, a crash or a
time-out (``--exit-zero`` turns that off).

Languages: the CSV is for programs and spreadsheets, so its file name, its column names (``CSV_COLUMNS``) and
its ``status`` values (``grade.OK``...) are stable English machine values, the same whatever the language of
the course. What people read (the Markdown reports, the progress lines) comes from the message catalogue
(``fcn_course.messages``): Portuguese today.
"""
from __future__ import annotations

import csv
import os
import re
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from fcn_course.instructor.grade import DEFAULT_TIMEOUT, OK, grade, status_label
from fcn_course.messages import text

CSV_NAME = "grades.csv"
# One row per submission: its path below the class folder, the course notebook it answers, the status
# (grade.OK, INVALID, TIMEOUT, CRASHED), exercises passed / graded, reflection answers written / asked, the
# labels of the unanswered questions ("; "-separated, as the notebook names them: "Pergunta 2"), the report's
# file name and the registry keys of the exercises passed (space-separated: what ``lms`` weighs).
CSV_COLUMNS = ("submission", "notebook", "status", "exercises_passed", "exercises_total",
               "answers_written", "answers_total", "unanswered_questions", "report", "passed_exercises")


def row_passed(row: dict) -> bool:
    """A CSV row with no unreadable file, crash or time-out, and every exercise correct."""
    return row["status"] == OK and row["exercises_passed"] == row["exercises_total"]


def find_submissions(paths) -> list:
    """The notebooks to grade: files as given, folders searched recursively (checkpoints skipped)."""
    found = []
    for path in map(Path, paths):
        if path.is_dir():
            found += [p for p in sorted(path.rglob("*.ipynb")) if ".ipynb_checkpoints" not in p.parts]
            found += notebook_scripts(path)
        elif path.is_file():
            found.append(path)
        else:
            raise FileNotFoundError(f"{path}: no such file or folder")
    unique = {p.resolve(): p for p in found}
    return list(unique.values())


JUPYTEXT_MARKS = ("# %%", "# jupyter:")  # a py:percent notebook's cell marker, or its jupytext header


def notebook_scripts(folder: Path) -> list:
    """The jupytext ``.py`` notebooks under ``folder`` (a student may hand in ``02_fcn_alexnet.py``).

    Other ``.py`` files (helper modules) are not submissions: each is named on stderr, never skipped silently.
    """
    scripts = []
    for path in sorted(folder.rglob("*.py")):
        if ".ipynb_checkpoints" in path.parts:
            continue
        try:
            lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            lines = []
        if any(line.startswith(JUPYTEXT_MARKS) for line in lines):
            scripts.append(path)
        else:
            print(text("grade.skipped_script", path=path), file=sys.stderr)
    return scripts


def report_names(submissions) -> dict:
    """A unique report file name per submission, from its path below the folders' common parent.

    ``turma/ana/02_fcn_alexnet.ipynb`` -> ``ana__02_fcn_alexnet.md``; a clash gets ``-2``, ``-3``...
    """
    resolved = [Path(p).resolve() for p in submissions]
    common = Path(os.path.commonpath([p.parent for p in resolved])) if resolved else Path(".")
    names, taken = {}, set()
    for original, path in zip(submissions, resolved):
        relative = path.relative_to(common).with_suffix("")
        stem = re.sub(r"[^\w.()-]+", "_", "__".join(relative.parts)).strip("_") or "submission"
        name, counter = f"{stem}.md", 2
        while name.lower() in taken:
            name, counter = f"{stem}-{counter}.md", counter + 1
        taken.add(name.lower())
        names[original] = name
    return names


@dataclass
class ClassGrades:
    """What grading a class produced: one row per submission (the CSV's) and where the files are."""

    rows: list
    csv_path: Path
    report_dir: Path

    @property
    def all_passed(self) -> bool:
        """No unreadable file, crash or time-out, and every exercise correct."""
        return all(row_passed(row) for row in self.rows)


def _row(submission: Path, common: Path, report: Path, result: dict) -> dict:
    from fcn_course.checks.registry import course_notebook_of

    reflections = result.get("reflections") or []
    return {
        "submission": submission.resolve().relative_to(common).as_posix(),
        "notebook": course_notebook_of(submission.name) or "?",
        "status": result["status"],
        "exercises_passed": result["passed"],
        "exercises_total": result["total"],
        "answers_written": sum(answer["answered"] for answer in reflections),
        "answers_total": len(reflections),
        "unanswered_questions": "; ".join(a.get("label") or text("grade.question_label", number=i)
                                          for i, a in enumerate(reflections, start=1) if not a["answered"]),
        "report": report.name,
        "passed_exercises": " ".join(e["key"] for e in result["exercises"] if e["passed"] and e.get("key")),
    }


def grade_class(paths, report_dir, timeout=None, jobs: int = 1) -> ClassGrades:
    """Grade every submission under ``paths``; reports and the CSV go to ``report_dir`` (created).

    ``timeout``: seconds per submission (None: ``DEFAULT_TIMEOUT``); ``jobs``: submissions graded at once.
    """
    timeout = DEFAULT_TIMEOUT if timeout is None else timeout
    submissions = find_submissions(paths)
    report_dir = Path(report_dir)
    report_dir.mkdir(parents=True, exist_ok=True)
    names = report_names(submissions)
    common = (Path(os.path.commonpath([p.resolve().parent for p in submissions])) if submissions else Path("."))

    def one(submission):
        report = report_dir / names[submission]
        result = grade(submission, report_path=report, timeout=timeout, quiet=True,
                       name=submission.resolve().relative_to(common).as_posix())
        row = _row(submission, common, report, result)
        print(text("grade.progress", status=status_label(row["status"]), passed=row["exercises_passed"],
                   total=row["exercises_total"], answered=row["answers_written"], questions=row["answers_total"],
                   submission=row["submission"]), flush=True)
        return row

    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:  # each grading is its own process
        rows = list(pool.map(one, submissions))
    csv_path = report_dir / CSV_NAME
    with open(csv_path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=CSV_COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    return ClassGrades(rows, csv_path, report_dir)

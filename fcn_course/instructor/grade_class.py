"""Grading a whole class: every notebook under the given files and folders, one report each, one CSV.

``python -m fcn_course.instructor grade submissions/`` finds the notebooks (``.ipynb``, and ``.py`` files that
are jupytext notebooks), grades each one in its own process (``fcn_course.instructor.grade``), writes one Markdown
report per submission, named after its path so that two students' ``02_fcn_alexnet.ipynb`` never collide,
and a class summary ``grades.csv``. The submissions are never modified.

Nothing stops a class at one submission: every entry found ends as one row of the CSV, whatever it is (graded,
an unreadable file, a crash, a time-out, tampering, a link or a folder named like a notebook: "not a regular
file", never followed). Names come from the paths as given, never from where a link points. The reports and
the CSV are written atomically (a link in their place is replaced, never written through); a report that
cannot be written (a full disk) is reported on its row and the grading goes on; a CSV that cannot be written
stops with the file's name.

The report folder belongs to one grading: a folder that already holds a ``grades.csv`` is refused unless
``replace`` (``--replace``) is given, and then only the files of that earlier grading are replaced; a file the
grading did not write is never overwritten. Two graders cannot write into one folder at once: the folder is
locked (``.grade.lock``) for the whole grading, and the second one is refused with the first one's process id.

The exit status is 1 when any submission has a failed exercise, an unreadable file, a crash, a time-out or a
reason for manual review (``--exit-zero`` turns that off).

Languages: the CSV is for programs and spreadsheets, so its file name, its column names (``CSV_COLUMNS``) and
its ``status`` and ``review`` values (``grade.OK``..., ``grade.INSTRUCTOR_CODE``...) are stable English
machine values, the same whatever the language of the course. What people read comes from the message
catalogue (``fcn_course.messages``): each Markdown report in its submission's language (the one its set-up cell
chooses, ``grade.submission_language``; the ``language`` column says which) unless ``language`` (``grade
--lang``) puts them all in one; the progress lines in the grader's language (``--lang``, else the active one).
"""

from __future__ import annotations

import contextlib
import csv
import io
import os
import re
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from fcn_course.files import atomic_write
from fcn_course.instructor import sandbox
from fcn_course.instructor.grade import (
    CRASHED,
    DEFAULT_TIMEOUT,
    OK,
    grade,
    report_markdown,
    status_label,
    write_error_text,
    write_report,
)
from fcn_course.instructor.grade_zygote import ZygotePool
from fcn_course.instructor.grade_zygote import supported as zygote_supported
from fcn_course.messages import DEFAULT_LANGUAGE, speaking, text

CSV_NAME = "grades.csv"
LOCK_NAME = ".grade.lock"
# One row per submission: its path below the class folder, the course notebook it answers, the status
# (grade.OK, INVALID, TIMEOUT, CRASHED, TAMPERED, NOT_A_FILE), exercises passed / graded, reflection answers
# written / asked, the labels of the unanswered questions ("; "-separated, as the notebook names them:
# "Pergunta 2"), the report's file name (empty when it could not be written), the registry keys of the
# exercises passed (space-separated: what ``lms`` weighs), the reasons for manual review (space-separated
# grade.INSTRUCTOR_CODE...), the sandbox the code ran in ("bwrap", "none"; empty when nothing ran) and the
# language of the submission's notebook ("pt_BR", "en": its set-up cell's; empty when the file could not be read).
CSV_COLUMNS = (
    "submission",
    "notebook",
    "status",
    "exercises_passed",
    "exercises_total",
    "answers_written",
    "answers_total",
    "unanswered_questions",
    "report",
    "passed_exercises",
    "review",
    "sandbox",
    "language",
)


class GradingRefused(RuntimeError):
    """The report folder cannot be used: another grader holds it, or it holds files of someone else."""


class GradingOutputError(RuntimeError):
    """The class CSV could not be written (a full disk...); the message names the file."""


def row_passed(row: dict) -> bool:
    """A CSV row with no unreadable file, crash, time-out or reason for review, and every exercise correct."""
    return row["status"] == OK and row["exercises_passed"] == row["exercises_total"] and not row.get("review")


def find_submissions(paths) -> list:
    """The entries to grade: paths as given, folders searched recursively (checkpoints skipped).

    Every entry named like a notebook is kept, whatever it is (a link, a folder): grading reports it. A folder
    given on the command line is searched (even through a link: the instructor named it); links to folders
    inside it are not followed.
    """
    found = []
    for path in map(Path, paths):
        if path.is_dir():
            found += [p for p in sorted(path.rglob("*.ipynb")) if ".ipynb_checkpoints" not in p.parts]
            found += notebook_scripts(path)
        elif os.path.lexists(path):
            found.append(path)
        else:
            raise FileNotFoundError(text("grade.no_such_path", path=path))
    unique = {os.path.abspath(p): p for p in found}
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


def _common_folder(submissions) -> Path:
    parents = [Path(os.path.abspath(p)).parent for p in submissions]
    return Path(os.path.commonpath(parents)) if parents else Path(".")


def report_names(submissions) -> dict:
    """A unique report file name per submission, from its path below the folders' common parent.

    ``turma/ana/02_fcn_alexnet.ipynb`` -> ``ana__02_fcn_alexnet.md``; a clash gets ``-2``, ``-3``... The path
    is taken as given: a link named ``x.ipynb`` gives ``x.md`` wherever it points.
    """
    common = _common_folder(submissions)
    names, taken = {}, set()
    for original in submissions:
        relative = Path(os.path.abspath(original)).relative_to(common).with_suffix("")
        stem = re.sub(r"[^\w.()-]+", "_", "__".join(relative.parts)).strip("_.") or "submission"
        name, counter = f"{stem}.md", 2
        while name.lower() in taken or name.lower() in (CSV_NAME, LOCK_NAME):
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
        """No unreadable file, crash, time-out or reason for review, and every exercise correct."""
        return all(row_passed(row) for row in self.rows)


# --------------------------------------------------------------------------------------------------
# The report folder: one grader at a time, never a file of someone else
# --------------------------------------------------------------------------------------------------
@contextlib.contextmanager
def folder_lock(report_dir: Path):
    """Hold ``report_dir/.grade.lock`` for the whole grading (released when the process ends, even killed)."""
    try:
        handle = os.open(report_dir / LOCK_NAME, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o644)
    except OSError as error:  # a link in its place (never followed), a read-only folder...
        raise GradingRefused(
            text("grade.lock_not_created", lock=report_dir / LOCK_NAME, error=error.strerror or error)
        ) from None
    try:
        try:
            import fcntl

            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except ImportError:  # Windows: no flock; the lock file's presence is the lock
            pass
        except BlockingIOError:
            holder = os.read(handle, 100).decode(errors="replace").strip() or "?"
            raise GradingRefused(text("grade.folder_busy", folder=report_dir, holder=holder)) from None
        os.ftruncate(handle, 0)
        os.write(handle, str(os.getpid()).encode())
        yield
    finally:
        os.close(handle)


def previous_reports(report_dir: Path):
    """The report names listed by the ``grades.csv`` of an earlier grading; None when there is none."""
    path = report_dir / CSV_NAME
    if not os.path.lexists(path):
        return None
    try:
        with open(path, newline="", encoding="utf-8") as handle:
            return {row.get("report") for row in csv.DictReader(handle) if row.get("report")}
    except (OSError, UnicodeDecodeError, csv.Error):
        return set()  # damaged: it is replaced, but it vouches for no report


def check_report_folder(report_dir: Path, names, replace: bool):
    """Refuse (GradingRefused) a folder with an earlier grading (unless ``replace``) or with files of someone
    else where a report goes; returns the earlier grading's reports (replaced ones are removed at the end)."""
    previous = previous_reports(report_dir)
    if previous is not None and not replace:
        raise GradingRefused(text("grade.earlier_grading", folder=report_dir, csv=CSV_NAME))
    ours = previous or set()
    foreign = [
        name
        for name in names
        if os.path.lexists(report_dir / name) and (name not in ours or (report_dir / name).is_dir())
    ]
    if foreign:
        raise GradingRefused(text("grade.foreign_files", folder=report_dir, files=", ".join(sorted(foreign)[:5])))
    return ours


def write_csv(path: Path, rows: list) -> None:
    """Write the class CSV atomically; GradingOutputError names the file when it cannot be written."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    try:
        atomic_write(
            path, lambda temporary: Path(temporary).write_text(buffer.getvalue(), encoding="utf-8", newline="")
        )
    except OSError as error:
        raise GradingOutputError(
            text("grade.csv_not_written", csv=CSV_NAME, error=write_error_text(path, error), folder=path.parent)
        ) from error


# --------------------------------------------------------------------------------------------------
# Grading
# --------------------------------------------------------------------------------------------------
def _row(name: str, report_name: str, result: dict) -> dict:
    from fcn_course.checks.registry import course_notebook_of

    reflections = result.get("reflections") or []
    return {
        "submission": name,
        "notebook": course_notebook_of(Path(name).name) or "?",
        "status": result["status"],
        "exercises_passed": result["passed"],
        "exercises_total": result["total"],
        "answers_written": sum(answer["answered"] for answer in reflections),
        "answers_total": len(reflections),
        "unanswered_questions": "; ".join(
            a.get("label") or text("grade.question_label", number=i, language=result.get("report_language"))
            for i, a in enumerate(reflections, start=1)
            if not a["answered"]
        ),
        "report": "" if result.get("report_error") else report_name,
        "passed_exercises": " ".join(e["key"] for e in result["exercises"] if e["passed"] and e.get("key")),
        "review": " ".join(result.get("review") or {}),
        "sandbox": result.get("sandbox") or "",
        "language": result.get("language") or "",
    }


def _grade_one(submission, name: str, report: Path, options: dict) -> dict:
    """Grade one entry; an unexpected error of the grader itself becomes a CRASHED row, never an abort (its
    report in the language asked for, else the course's default: nothing was read to tell)."""
    try:
        return grade(submission, report_path=report, quiet=True, name=name, **options)
    except Exception as error:
        result = {
            "status": CRASHED,
            "exercises": [],
            "cell_errors": [],
            "reflections": [],
            "review": {},
            "checks_error": f"{type(error).__name__}: {error}",
            "passed": 0,
            "total": 0,
            "sandbox": "",
        }
        with speaking(options.get("language") or DEFAULT_LANGUAGE) as spoken:
            markdown = report_markdown(name, result)
        return {**result, "report_language": spoken, "report_error": write_report(report, markdown)}


def grade_class(
    paths,
    report_dir,
    timeout=None,
    jobs: int = 1,
    *,
    replace: bool = False,
    sandbox_mode: str = "auto",
    limits=sandbox.DEFAULT_LIMITS,
    zygote: bool = True,
    language=None,
) -> ClassGrades:
    """Grade every submission under ``paths``; reports and the CSV go to ``report_dir`` (created).

    ``timeout``: seconds of CPU time per submission (None: ``DEFAULT_TIMEOUT``); ``jobs``: submissions graded at once;
    ``replace``: replace an earlier grading in ``report_dir``; ``sandbox_mode`` and ``limits``: see
    ``fcn_course.instructor.sandbox``; ``zygote``: fork each child from a pre-imported zygote, one per job, where
    that works (Linux; with bwrap the zygote runs in the sandbox: ``fcn_course.instructor.grade_zygote``), else a
    new process each; ``language``: None, each report in its submission's language, or the one of every report
    (``grade --lang``). Raises FileNotFoundError (a path does not exist), GradingRefused (the
    folder is locked or holds files of someone else), ``sandbox.SandboxUnavailable`` and GradingOutputError
    (the CSV could not be written).
    """
    timeout = DEFAULT_TIMEOUT if timeout is None else timeout
    submissions = find_submissions(paths)
    if sandbox_mode != "auto":  # refused before anything runs (``auto`` is decided when code is about to run)
        sandbox.resolve_sandbox(sandbox_mode)
    report_dir = Path(report_dir)
    report_dir.mkdir(parents=True, exist_ok=True)
    names = report_names(submissions)
    common = _common_folder(submissions)
    private = [
        report_dir.resolve(),
        *{Path(p).resolve() if Path(p).is_dir() else Path(os.path.abspath(p)).parent for p in paths},
    ]
    options = {
        "timeout": timeout,
        "sandbox_mode": sandbox_mode,
        "limits": limits,
        "private": private,
        "language": language,
    }

    def one(submission):
        name = Path(os.path.abspath(submission)).relative_to(common).as_posix()
        result = _grade_one(submission, name, report_dir / names[submission], options)
        row = _row(name, names[submission], result)
        print(
            text(
                "grade.progress",
                status=status_label(row["status"]),
                passed=row["exercises_passed"],
                total=row["exercises_total"],
                answered=row["answers_written"],
                questions=row["answers_total"],
                submission=row["submission"],
            ),
            flush=True,
        )
        if result.get("report_error"):
            print(text("grade.report_not_written", error=result["report_error"]), flush=True)
        return row

    with folder_lock(report_dir):
        earlier = check_report_folder(report_dir, names.values(), replace)
        zygotes = ZygotePool() if zygote and zygote_supported() else contextlib.nullcontext()
        with zygotes, ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:  # each grading is its own process
            options["zygotes"] = zygotes if isinstance(zygotes, ZygotePool) else None
            rows = list(pool.map(one, submissions))
        for stale in earlier - set(names.values()):  # the earlier grading's reports of other submissions
            stale_path = report_dir / stale
            ours = Path(stale).name == stale and stale.endswith(".md")
            if ours and (stale_path.is_file() or stale_path.is_symlink()):
                stale_path.unlink()
        csv_path = report_dir / CSV_NAME
        write_csv(csv_path, rows)
    return ClassGrades(rows, csv_path, report_dir)

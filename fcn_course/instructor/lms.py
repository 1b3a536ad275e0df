"""Grades an LMS takes: one row per student with a numeric grade, a Moodle grading worksheet, feedback files.

``python -m fcn_course.instructor export-grades REPORT_DIR`` reads the class summary ``grades.csv`` that
``grade`` wrote (one row per submitted notebook, ``fcn_course.instructor.grade_class``) and writes, into
``REPORT_DIR/lms/`` (or ``--out``):

* ``students.csv``: one row per student (``STUDENT_COLUMNS``): who (identifier, name), the points and the
  grade, and per course notebook the points and the status. ``--excel`` writes it for Excel in Portuguese:
  ``;`` between fields, a decimal comma and a UTF-8 byte-order mark.
* ``moodle_grading_worksheet.csv``: for Moodle's assignment page, "Upload grading worksheet" (the
  assignment's *Offline grading worksheet* feedback type must be on). Moodle matches rows by the
  ``Identifier`` column, ``Participant <id>``: the id in the folder names of its "Download all submissions"
  (``Ana Souza_12345_assignsubmission_file_``). Moodle also requires ``Grade`` and ``Last modified (grade)``
  columns, named in the language of the Moodle session that uploads; ``--moodle-worksheet FILE`` fills in
  the worksheet downloaded from Moodle ("Download grading worksheet") instead, whatever its language.
* ``moodle_feedback_files.zip``: the Markdown reports, one folder per student named as Moodle's feedback
  importer expects (``Ana Souza_12345_assignfeedback_file_/``); upload it with "Upload multiple feedback
  files in a zip" (the *Feedback files* feedback type must be on).
* ``feedback/<student>/``: the same reports for every student, for an LMS without such an import.

Who a submission belongs to comes from its path below the class folder: a Moodle folder or file name
(``<full name>_<participant id>_assignsubmission_file_``), a Google Classroom file name
(``<Student Name> - 02_fcn_alexnet.ipynb``), else the first folder (``ana/02_fcn_alexnet.ipynb``) or, for a
file alone, its name. A roster CSV (``--roster``: ``id`` and optional ``name``, ``email``, ``match``
columns) maps those onto the identifiers the LMS knows.

The grade: each exercise weighs its registry ``points`` (``fcn_course.checks.exercise``; 1 by default; a
Desafio weighs nothing and cannot be given points),
overridden by ``--weights FILE`` (CSV ``exercise,points`` or JSON ``{"exercise": points}``) and
``--weight KEY=POINTS``. A notebook that could not be graded (unreadable, time-out, crash) or was not
handed in counts 0 of its points, never 0 of 0. Every course notebook anyone handed in counts for everyone
(``--notebooks`` names them instead). The grade is ``points / maximum × --scale`` (default 10).
"""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Optional

from fcn_course.instructor.grade import OK, status_label
from fcn_course.instructor.grade_class import CSV_NAME
from fcn_course.messages import text

OUT_DIR = "lms"
STUDENTS_CSV = "students.csv"
WORKSHEET_CSV = "moodle_grading_worksheet.csv"
FEEDBACK_ZIP = "moodle_feedback_files.zip"
FEEDBACK_DIR = "feedback"
NOT_SUBMITTED = "missing"  # a notebook status in students.csv: nobody handed it in for this student
DEFAULT_SCALE = 10.0

# What Moodle's assignment download calls each student's folder (or, without folders, each file's prefix).
MOODLE_NAME = re.compile(r"^(?P<name>[^_/]+)_(?P<id>\d+)_assign(?:submission|feedback)_[a-z]+_?(?P<rest>.*)$")
# Google Classroom renames what a student attaches: "Ana Souza - 02_fcn_alexnet.ipynb".
CLASSROOM_NAME = re.compile(r"^(?P<name>.+?) - (?P<rest>.+\.(?:ipynb|py))$")
# Moodle's worksheet columns, in English ("Identifier" = get_string('recordid', 'assign'), and so on).
MOODLE_COLUMNS = ("Identifier", "Full name", "Grade", "Maximum grade", "Last modified (grade)")
MOODLE_PARTICIPANT = "Participant "


@dataclass
class Student:
    """One student of the class, and what they handed in: ``rows`` per course notebook (grades.csv rows)."""

    id: str  # what the LMS knows them by: a roster id, Moodle's participant id, a name
    name: str = ""
    email: str = ""
    moodle_id: Optional[str] = None  # the participant id of Moodle's download, when the files came from there
    folder: str = ""  # Moodle's folder name prefix: "Ana Souza_12345"
    rows: dict = field(default_factory=dict)  # notebook -> list of grades.csv rows


def identify(submission: str) -> dict:
    """Who handed in ``submission`` (its path below the class folder, as in grades.csv): ``id``, ``name``,
    ``moodle_id`` and ``folder``, from Moodle's or Classroom's names, else the first folder or the file name."""
    parts = PurePosixPath(submission).parts
    for part in parts:
        moodle = MOODLE_NAME.match(unicodedata.normalize("NFC", part))
        if moodle:
            return {
                "id": moodle["id"],
                "name": moodle["name"],
                "moodle_id": moodle["id"],
                "folder": f"{moodle['name']}_{moodle['id']}",
            }
    classroom = CLASSROOM_NAME.match(unicodedata.normalize("NFC", parts[-1]))
    if classroom:
        return {"id": classroom["name"], "name": classroom["name"], "moodle_id": None, "folder": ""}
    who = parts[0] if len(parts) > 1 else PurePosixPath(parts[-1]).stem
    return {"id": who, "name": who, "moodle_id": None, "folder": ""}


def _fold(value: str) -> str:
    """Case and accents folded, for matching names: "José  Souza" -> "jose souza"."""
    decomposed = unicodedata.normalize("NFKD", value)
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).casefold().split())


def read_roster(path) -> list:
    """The roster CSV: ``id`` (required), optional ``name``, ``email`` and ``match`` (a text that appears in
    that student's submission paths; default: the name and the id). ``,`` or ``;`` separated, BOM or not."""
    content = Path(path).read_text(encoding="utf-8-sig")
    dialect = csv.Sniffer().sniff(content.splitlines()[0], delimiters=",;\t") if content.strip() else csv.excel
    rows = list(csv.DictReader(io.StringIO(content), dialect=dialect))
    if not rows or "id" not in rows[0]:
        raise ValueError(text("lms.roster_needs_id", path=path, found=list(rows[0]) if rows else text("lms.nothing")))
    return [{key: (row.get(key) or "").strip() for key in ("id", "name", "email", "match")} for row in rows]


def _roster_entry(roster: list, submission: str, who: dict) -> Optional[dict]:
    """The roster row of a submission: its ``match`` text in the path, else its id or name equal to who's."""
    path = _fold(submission)
    for entry in roster:
        if entry["match"] and _fold(entry["match"]) in path:
            return entry
    for entry in roster:
        if _fold(entry["id"]) in (_fold(who["id"]), _fold(who["name"])) or (
            entry["name"] and _fold(entry["name"]) == _fold(who["name"])
        ):
            return entry
    return None


def read_grades(report_dir) -> list:
    """The rows of ``REPORT_DIR/grades.csv`` (as ``grade`` wrote them)."""
    path = Path(report_dir) / CSV_NAME
    if not path.is_file():
        raise FileNotFoundError(text("lms.grades_not_found", path=path, report_dir=report_dir))
    with open(path, newline="", encoding="utf-8-sig") as handle:
        return list(csv.DictReader(handle))


def group_by_student(rows, roster: Optional[list] = None):
    """``(students, unmatched)``: the students (in order of first appearance; a roster's order when given)
    with their rows per notebook, and the submissions no roster entry matched (they get their own row)."""
    students, unmatched = {}, []
    for entry in roster or []:
        students[entry["id"]] = Student(entry["id"], entry["name"], entry["email"])
    for row in rows:
        who = identify(row["submission"])
        entry = _roster_entry(roster, row["submission"], who) if roster else None
        if roster and entry is None:
            unmatched.append(row["submission"])
        key = entry["id"] if entry else who["id"]
        student = students.setdefault(key, Student(key, who["name"]))
        student.name = student.name or who["name"]
        if who["moodle_id"]:
            student.moodle_id, student.folder = who["moodle_id"], who["folder"]
        student.rows.setdefault(row["notebook"], []).append(row)
    return list(students.values()), unmatched


# --------------------------------------------------------------------------------------------------
# Points
# --------------------------------------------------------------------------------------------------
def read_weights(path) -> dict:
    """``{exercise key: points}`` from a CSV (``exercise,points``) or a JSON object."""
    content = Path(path).read_text(encoding="utf-8-sig")
    if Path(path).suffix.lower() == ".json":
        return {str(key): float(value) for key, value in json.loads(content).items()}
    dialect = csv.Sniffer().sniff(content.splitlines()[0], delimiters=",;\t")
    return {
        row["exercise"].strip(): float(row["points"].replace(",", "."))
        for row in csv.DictReader(io.StringIO(content), dialect=dialect)
        if row.get("exercise")
    }


def exercise_points(overrides: Optional[dict] = None) -> dict:
    """``{notebook: {exercise key: points}}``: the registry's points, with ``overrides`` (unknown keys refused)."""
    from fcn_course.checks import exercises

    rows = [row for row in exercises() if not row.challenge]  # a Desafio is extra: never part of the grade
    unknown = sorted(set(overrides or {}) - {row.key for row in rows})
    if unknown:
        raise ValueError(text("lms.unknown_weights", unknown=unknown, exercises=", ".join(row.key for row in rows)))
    points = {}
    for row in rows:
        points.setdefault(row.notebook, {})[row.key] = float((overrides or {}).get(row.key, row.points))
    return points


def row_points(row: dict, weights: dict) -> float:
    """The points of one graded notebook: the weights of the exercises it passed (0 unless graded ``ok``)."""
    if row["status"] != OK:
        return 0.0
    if "passed_exercises" in row:
        return sum(weights.get(key, 0.0) for key in (row["passed_exercises"] or "").split())
    total = int(row["exercises_total"] or 0)  # an older grades.csv: counts only, so equal shares
    return sum(weights.values()) * int(row["exercises_passed"] or 0) / total if total else 0.0


@dataclass
class StudentGrade:
    """One student's line of ``students.csv``."""

    student: Student
    points: float
    maximum: float
    grade: float
    notebooks: dict  # notebook -> (points, maximum, status)
    answers: tuple  # (written, asked)


def grade_students(students, points: dict, notebooks=None, scale: float = DEFAULT_SCALE) -> list:
    """Each student's points, maximum and grade over ``notebooks`` (default: every notebook with exercises
    that someone handed in). Of several files for one notebook the best counts."""
    if notebooks is None:
        handed_in = {notebook for student in students for notebook in student.rows}
        notebooks = [notebook for notebook in points if notebook in handed_in]
    graded = []
    for student in students:
        per_notebook, answers = {}, [0, 0]
        for notebook in notebooks:
            weights = points.get(notebook, {})
            rows = student.rows.get(notebook, [])
            best = max(rows, key=lambda row: row_points(row, weights), default=None)
            per_notebook[notebook] = (
                (row_points(best, weights) if best else 0.0),
                sum(weights.values()),
                best["status"] if best else NOT_SUBMITTED,
            )
        for rows in student.rows.values():
            best_answers = max(rows, key=lambda row: int(row["answers_written"] or 0))
            answers[0] += int(best_answers["answers_written"] or 0)
            answers[1] += int(best_answers["answers_total"] or 0)
        total = sum(p for p, _, _ in per_notebook.values())
        maximum = sum(m for _, m, _ in per_notebook.values())
        grade = round(total / maximum * scale, 2) if maximum else 0.0
        graded.append(StudentGrade(student, total, maximum, grade, per_notebook, tuple(answers)))
    return graded


# --------------------------------------------------------------------------------------------------
# The files
# --------------------------------------------------------------------------------------------------
STUDENT_COLUMNS = (
    "student_id",
    "name",
    "email",
    "moodle_participant",
    "points",
    "max_points",
    "grade",
    "answers_written",
    "answers_total",
)  # then <notebook>_points and <notebook>_status


def _number(value: float, excel: bool) -> str:
    shown = f"{value:.2f}".rstrip("0").rstrip(".")
    return shown.replace(".", ",") if excel else shown


def write_students_csv(graded, path, excel: bool = False) -> Path:
    """``students.csv``; ``excel``: ``;``-separated, decimal comma, UTF-8 with BOM (Excel in Portuguese)."""
    notebooks = list(graded[0].notebooks) if graded else []
    columns = list(STUDENT_COLUMNS) + [f"{nb}_{what}" for nb in notebooks for what in ("points", "status")]
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8-sig" if excel else "utf-8") as handle:
        writer = csv.writer(handle, delimiter=";" if excel else ",")
        writer.writerow(columns)
        for line in graded:
            student = line.student
            cells = [
                student.id,
                student.name,
                student.email,
                student.moodle_id or "",
                _number(line.points, excel),
                _number(line.maximum, excel),
                _number(line.grade, excel),
                line.answers[0],
                line.answers[1],
            ]
            for notebook in notebooks:
                points, _, status = line.notebooks[notebook]
                cells += [_number(points, excel), status]
            writer.writerow(cells)
    return path


def write_moodle_worksheet(
    graded, path, scale: float = DEFAULT_SCALE, template=None, grade_column: Optional[str] = None
) -> tuple:
    """Moodle's grading worksheet: ``(path, rows written)``.

    From scratch: ``MOODLE_COLUMNS`` (English), one row per student with a Moodle participant id. With
    ``template`` (the worksheet downloaded from Moodle, any language): the same file, every other column
    kept, with the grade column (``grade_column``, default the one named as in ``GRADE_HEADERS``) filled in
    for the rows whose identifier (the first column, "Participant 12345") ends with a participant id graded.
    """
    by_id = {line.student.moodle_id: line for line in graded if line.student.moodle_id}
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    written = 0
    if template is None:
        with open(path, "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(MOODLE_COLUMNS)
            for moodle_id, line in by_id.items():
                writer.writerow(
                    [
                        f"{MOODLE_PARTICIPANT}{moodle_id}",
                        line.student.name,
                        _number(line.grade, False),
                        _number(scale, False),
                        "",
                    ]
                )
                written += 1
        return path, written
    with open(template, newline="", encoding="utf-8-sig") as handle:
        rows = list(csv.reader(handle))
    header = rows[0]
    column = _grade_column(header, grade_column)
    for row in rows[1:]:
        number = re.search(r"(\d+)\s*$", row[0]) if row else None
        if number and number.group(1) in by_id:
            row += [""] * (len(header) - len(row))
            row[column] = _number(by_id[number.group(1)].grade, False)
            written += 1
    with open(path, "w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)
    return path, written


GRADE_HEADERS = ("grade", "nota", "note")  # Moodle's "Grade" in English, Portuguese, French


def _grade_column(header: list, wanted: Optional[str]) -> int:
    names = [name.strip().casefold() for name in header]
    candidates = [wanted.casefold()] if wanted else list(GRADE_HEADERS)
    for candidate in candidates:
        if candidate in names:
            return names.index(candidate)
    raise ValueError(text("lms.no_grade_column", header=header))


def write_feedback(graded, report_dir, out_dir) -> tuple:
    """Each student's reports: ``feedback/<student>/<notebook>.md`` for everyone, and the zip Moodle's
    "Upload multiple feedback files in a zip" reads (``<full name>_<participant id>_assignfeedback_file_/``)
    for students whose files came from Moodle. ``(folder, zip path or None, files)``."""
    report_dir, out_dir = Path(report_dir), Path(out_dir)
    folder = out_dir / FEEDBACK_DIR
    entries = []
    for line in graded:
        student = line.student
        safe = re.sub(r"[^\w.@ -]+", "_", student.id).strip() or "student"
        for notebook, rows in student.rows.items():
            for index, row in enumerate(rows, start=1):
                report = report_dir / row["report"]
                if not report.is_file():
                    continue
                name = f"relatorio_{notebook}.md" if len(rows) == 1 else f"relatorio_{notebook}_{index}.md"
                target = folder / safe / name
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(report.read_bytes())
                if student.moodle_id:
                    entries.append((f"{student.folder}_assignfeedback_file_/{name}", target))
    zip_path = None
    if entries:
        zip_path = out_dir / FEEDBACK_ZIP
        with zipfile.ZipFile(zip_path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for arcname, source in entries:
                archive.write(source, arcname)
    return folder, zip_path, len(entries)


@dataclass
class Export:
    """What ``export_grades`` wrote."""

    graded: list
    students_csv: Path
    worksheet: Optional[Path]
    worksheet_rows: int
    feedback_dir: Path
    feedback_zip: Optional[Path]
    unmatched: list


def export_grades(
    report_dir,
    out_dir=None,
    roster=None,
    weights=None,
    notebooks=None,
    scale: float = DEFAULT_SCALE,
    excel: bool = False,
    moodle_worksheet=None,
    grade_column: Optional[str] = None,
) -> Export:
    """Read ``report_dir/grades.csv`` and write the LMS files into ``out_dir`` (default ``report_dir/lms``).

    ``roster``: a roster CSV path; ``weights``: ``{exercise: points}`` overrides; ``notebooks``: the course
    notebooks that count (default: those handed in); ``moodle_worksheet``: Moodle's downloaded worksheet.
    """
    out_dir = Path(out_dir) if out_dir is not None else Path(report_dir) / OUT_DIR
    students, unmatched = group_by_student(read_grades(report_dir), read_roster(roster) if roster else None)
    points = exercise_points(weights)
    if notebooks is not None:
        unknown = sorted(set(notebooks) - set(points))
        if unknown:
            raise ValueError(text("lms.notebooks_without_exercises", unknown=unknown, notebooks=", ".join(points)))
    graded = grade_students(students, points, notebooks, scale)
    students_csv = write_students_csv(graded, out_dir / STUDENTS_CSV, excel=excel)
    worksheet, worksheet_rows = None, 0
    if moodle_worksheet is not None or any(line.student.moodle_id for line in graded):
        worksheet, worksheet_rows = write_moodle_worksheet(
            graded, out_dir / WORKSHEET_CSV, scale, template=moodle_worksheet, grade_column=grade_column
        )
    feedback_dir, feedback_zip, _ = write_feedback(graded, report_dir, out_dir)
    return Export(graded, students_csv, worksheet, worksheet_rows, feedback_dir, feedback_zip, unmatched)


def summary(export: Export) -> list:
    """Lines for the instructor, in the active language (``export-grades --lang``)."""
    lines = [text("lms.students", count=len(export.graded), path=export.students_csv)]
    for line in export.graded:
        problems = [
            f"{nb} {status_label(status) if status != NOT_SUBMITTED else text('lms.not_handed_in')}"
            for nb, (_, _, status) in line.notebooks.items()
            if status != OK
        ]
        points = text("lms.points", points=_number(line.points, False), maximum=_number(line.maximum, False))
        lines.append(
            f"  {line.student.id:<30} {line.grade:>6.2f}  ({points}){'  ' + '; '.join(problems) if problems else ''}"
        )
    if export.worksheet:
        lines.append(text("lms.worksheet", rows=export.worksheet_rows, path=export.worksheet))
    if export.feedback_zip:
        lines.append(text("lms.feedback_zip", path=export.feedback_zip))
    lines.append(text("lms.feedback_dir", path=export.feedback_dir))
    if export.unmatched:
        lines.append(text("lms.unmatched", names=", ".join(export.unmatched)))
    return lines

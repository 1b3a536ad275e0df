"""Tests of class grading (fcn_course.instructor.grade_class): one row per entry whatever it is, names from the
paths as given, reports and CSV written atomically and never through links, the report folder owned by one
grading at a time. Most tests replace the grading process by a stand-in (the child is tested in
test_instructor_grade.py); one grades a real class folder."""

import csv
import errno
import os
import unicodedata
from pathlib import Path

import pytest
from test_instructor_grade import RECALL, RIGHT, notebook_01, setup_says, write, write_raw
from tiny_course import sha256
from helpers import raised_in_each_language

from fcn_course.instructor import grade as grade_module
from fcn_course.instructor import sandbox
from fcn_course.instructor.__main__ import main as instructor_main
from fcn_course.instructor.grade import CRASHED, INVALID, NOT_A_FILE, OK
from fcn_course.instructor import grade_class as grade_class_module
from fcn_course.instructor.grade_class import (
    CSV_COLUMNS,
    CSV_NAME,
    LOCK_NAME,
    ClassGrades,
    GradingOutputError,
    GradingRefused,
    find_submissions,
    folder_lock,
    grade_class,
    report_names,
    row_passed,
)
from fcn_course.instructor.grade_zygote import ZygotePool
from fcn_course.instructor.grade_zygote import supported as zygote_supported
from fcn_course.messages import text


def read_csv(path: Path) -> dict:
    with open(path, encoding="utf-8", newline="") as handle:
        return {row["submission"]: row for row in csv.DictReader(handle)}


def passing_child(copy_path, timeout, *args, **kwargs):
    """A stand-in for the grading process: every notebook passes its one exercise."""
    return {
        "status": OK,
        "exercises": [{"key": "iou", "name": "Exercício 0", "passed": True, "messages": []}],
        "cell_errors": [],
        "checks_error": None,
        "review": {},
    }


@pytest.fixture
def fake_child(monkeypatch):
    """No process: the stand-in child, and ``--sandbox auto`` decided without asking bwrap."""
    monkeypatch.setattr(grade_module, "_run_child", passing_child)
    monkeypatch.setattr(sandbox, "bwrap_available", lambda: False)


def small_class(folder: Path) -> Path:
    for student in ("ana", "bia"):
        write(notebook_01(RIGHT), folder / student / "01_dados_e_metricas.ipynb")
    return folder


# ---------------------------------------------------------------- a real class folder
def test_report_names_are_unique_per_submission():
    names = report_names(
        [
            Path("turma/ana/02_fcn_alexnet.ipynb"),
            Path("turma/bruno/02_fcn_alexnet.ipynb"),
            Path("turma/ana/02 fcn alexnet.ipynb"),
            Path("turma/ana/02_fcn_alexnet.py"),
        ]
    )
    assert names[Path("turma/ana/02_fcn_alexnet.ipynb")] == "ana__02_fcn_alexnet.md"
    assert names[Path("turma/bruno/02_fcn_alexnet.ipynb")] == "bruno__02_fcn_alexnet.md"
    assert len(set(names.values())) == 4


@pytest.mark.subprocess
def test_grading_a_class_folder_of_mixed_submissions(tmp_path, capsys):
    turma = tmp_path / "turma"
    write(notebook_01(RIGHT), turma / "ana" / "01_dados_e_metricas.ipynb")
    write(notebook_01(RECALL), turma / "bruno" / "01_dados_e_metricas.ipynb")  # same name as ana's
    copy_name = unicodedata.normalize("NFD", "Cópia de 01_dados_e_metricas (1).ipynb")  # Colab, saved on a Mac
    write(notebook_01(RIGHT), turma / "carla" / copy_name)
    good = (turma / "ana" / "01_dados_e_metricas.ipynb").read_text()
    (turma / "davi").mkdir()
    (turma / "davi" / "01_dados_e_metricas.ipynb").write_text(good[:500])  # truncated upload
    checkpoint = write(notebook_01(RECALL), turma / "ana" / ".ipynb_checkpoints" / "01_dados_e_metricas.ipynb")
    digests = {p: sha256(p) for p in turma.rglob("*.ipynb")}

    status = instructor_main(["grade", str(turma), "--report-dir", str(tmp_path / "out" / "notas"), "--timeout", "300"])

    assert status == 1  # bruno failed and davi's file is unreadable
    assert {p: sha256(p) for p in turma.rglob("*.ipynb")} == digests
    assert sorted(p.name for p in turma.rglob("*") if p.is_file() and p != checkpoint) == sorted(
        ["01_dados_e_metricas.ipynb"] * 3 + [copy_name]
    )
    reports = sorted(p.name for p in (tmp_path / "out" / "notas").glob("*.md"))
    assert len(reports) == 4 and "ana__01_dados_e_metricas.md" in reports and "bruno__01_dados_e_metricas.md" in reports
    with open(tmp_path / "out" / "notas" / "grades.csv", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        rows = {row["submission"]: row for row in reader}
    assert tuple(reader.fieldnames) == CSV_COLUMNS and CSV_NAME == "grades.csv"
    assert len(rows) == 4
    assert rows["ana/01_dados_e_metricas.ipynb"]["exercises_passed"] == "1"
    assert rows["bruno/01_dados_e_metricas.ipynb"]["exercises_passed"] == "0"
    carla = rows[f"carla/{copy_name}"]
    assert (carla["notebook"], carla["exercises_passed"], carla["exercises_total"]) == ("01_dados_e_metricas", "1", "1")
    assert rows["davi/01_dados_e_metricas.ipynb"]["status"] == INVALID == "invalid"
    assert rows["ana/01_dados_e_metricas.ipynb"]["status"] == OK
    progress = capsys.readouterr().out
    assert "arquivo inválido" in progress and "corrigido" in progress  # people read the labels
    assert "recall" in (tmp_path / "out" / "notas" / "bruno__01_dados_e_metricas.md").read_text()


def test_exit_zero_flag_and_a_missing_path(tmp_path):
    (tmp_path / "broken.ipynb").write_text("{")
    assert instructor_main(["grade", str(tmp_path / "broken.ipynb"), "--report-dir", str(tmp_path / "r")]) == 1
    assert (
        instructor_main(
            ["grade", str(tmp_path / "broken.ipynb"), "--report-dir", str(tmp_path / "r"), "--exit-zero", "--replace"]
        )
        == 0
    )
    assert instructor_main(["grade", str(tmp_path / "nowhere"), "--report-dir", str(tmp_path / "r")]) == 2


def test_a_jupytext_script_in_a_class_folder_is_a_submission_and_other_scripts_are_named(tmp_path, capsys):
    (tmp_path / "ana").mkdir()
    script = tmp_path / "ana" / "02_fcn_alexnet.py"
    script.write_text("# ---\n# jupyter:\n#   jupytext:\n# ---\n\n# %%\nx = 1\n")
    helper = tmp_path / "ana" / "utils.py"
    helper.write_text("def f():\n    return 1\n")
    write(notebook_01(RIGHT), tmp_path / "ana" / "01_dados_e_metricas.ipynb")

    found = find_submissions([tmp_path])

    assert sorted(p.name for p in found) == ["01_dados_e_metricas.ipynb", "02_fcn_alexnet.py"]
    assert "utils.py" in capsys.readouterr().err


@pytest.mark.safety
# ---------------------------------------------------------------- one bad entry never stops the class
def test_every_entry_ends_as_a_row_whatever_it_is(tmp_path, fake_child, monkeypatch, capsys):
    turma = small_class(tmp_path / "turma")
    (turma / "carla" / "x.ipynb").mkdir(parents=True)  # a folder named like a notebook
    nb = notebook_01(RIGHT)
    del nb.cells[2]["source"]
    write_raw(nb, turma / "davi" / "01_dados_e_metricas.ipynb")  # a cell without "source"
    (turma / "eva").mkdir()
    (turma / "eva" / "01_dados_e_metricas.ipynb").symlink_to("/etc/passwd")  # a link out of the class
    (turma / "eva" / "02_fcn_alexnet.ipynb").symlink_to(turma / "nowhere")  # a broken link
    write(notebook_01(RIGHT, "\n# the grader breaks on this one\n"), turma / "fabio" / "01_dados_e_metricas.ipynb")

    def child(copy_path, *args, **kwargs):
        if "the grader breaks" in copy_path.read_text():
            raise RuntimeError("the grader itself broke")
        return passing_child(copy_path, *args, **kwargs)

    monkeypatch.setattr(grade_module, "_run_child", child)

    assert instructor_main(["grade", str(turma), "--report-dir", str(tmp_path / "notas")]) == 1

    rows = read_csv(tmp_path / "notas" / CSV_NAME)
    assert {name: row["status"] for name, row in rows.items()} == {
        "ana/01_dados_e_metricas.ipynb": OK,
        "bia/01_dados_e_metricas.ipynb": OK,
        "carla/x.ipynb": NOT_A_FILE,
        "davi/01_dados_e_metricas.ipynb": INVALID,
        "eva/01_dados_e_metricas.ipynb": NOT_A_FILE,
        "eva/02_fcn_alexnet.ipynb": NOT_A_FILE,
        "fabio/01_dados_e_metricas.ipynb": CRASHED,
    }
    reports = sorted(p.name for p in (tmp_path / "notas").glob("*.md"))
    assert "passwd.md" not in reports and "eva__01_dados_e_metricas.md" in reports and len(reports) == 7
    eva = (tmp_path / "notas" / "eva__01_dados_e_metricas.md").read_text()
    assert "root:x" not in eva and "link simbólico" in eva
    assert "the grader itself broke" in (tmp_path / "notas" / "fabio__01_dados_e_metricas.md").read_text()
    assert "não é um arquivo comum" in capsys.readouterr().out


def mixed_class(folder: Path) -> Path:
    """ana works in the English edition, bia in the Portuguese one, caio in a notebook from before the set-up
    cell chose a language; davi's file is unreadable."""
    write(setup_says(notebook_01(RIGHT), "os.environ['FCN_COURSE_LANG'] = 'en'"), folder / "ana" / "01.ipynb")
    write(notebook_01(RIGHT), folder / "bia" / "01_dados_e_metricas.ipynb")
    write(setup_says(notebook_01(RIGHT), ""), folder / "caio" / "01_dados_e_metricas.ipynb")
    (folder / "davi").mkdir()
    (folder / "davi" / "01_dados_e_metricas.ipynb").write_text("{")
    return folder


def test_each_report_of_a_class_speaks_its_submissions_language_and_the_csv_says_which(tmp_path, fake_child, capsys):
    turma = mixed_class(tmp_path / "turma")

    instructor_main(["grade", str(turma), "--report-dir", str(tmp_path / "notas")])

    rows = read_csv(tmp_path / "notas" / CSV_NAME)
    assert {name: row["language"] for name, row in rows.items()} == {
        "ana/01.ipynb": "en",
        "bia/01_dados_e_metricas.ipynb": "pt_BR",
        "caio/01_dados_e_metricas.ipynb": "pt_BR",
        "davi/01_dados_e_metricas.ipynb": "",  # nothing could be read to tell
    }
    reports = {name: (tmp_path / "notas" / row["report"]).read_text() for name, row in rows.items()}
    assert reports["ana/01.ipynb"].startswith("# Grading report: ana/01.ipynb")
    for name in ("bia/01_dados_e_metricas.ipynb", "caio/01_dados_e_metricas.ipynb", "davi/01_dados_e_metricas.ipynb"):
        assert reports[name].startswith("# Relatório de correção"), name
    progress = capsys.readouterr().out  # the instructor's lines: the grader's own language
    assert "corrigido" in progress and "arquivo inválido" in progress and " graded " not in progress


def test_grade_lang_puts_every_report_and_every_line_in_one_language(tmp_path, fake_child, capsys):
    turma = mixed_class(tmp_path / "turma")

    instructor_main(["grade", str(turma), "--report-dir", str(tmp_path / "notas"), "--lang", "en"])

    rows = read_csv(tmp_path / "notas" / CSV_NAME)
    assert [row["language"] for row in rows.values()] == ["en", "pt_BR", "pt_BR", ""]  # still the submissions'
    for name, row in rows.items():
        assert (tmp_path / "notas" / row["report"]).read_text().startswith("# Grading report"), name
    progress = capsys.readouterr().out
    assert "graded" in progress and "invalid file" in progress and "corrigido" not in progress


def test_a_grader_that_breaks_on_a_submission_reports_it_in_the_language_asked(tmp_path, monkeypatch, capsys):
    """The report written for a submission the grader itself broke on (no language read from it): the one
    ``--lang`` asked for, else the course's default."""

    def broken(*args, **kwargs):
        raise RuntimeError("the grader itself broke")

    monkeypatch.setattr("fcn_course.instructor.grade_class.grade", broken)
    write(notebook_01(RIGHT), tmp_path / "turma" / "01_dados_e_metricas.ipynb")
    for language, title in ((None, "# Relatório de correção"), ("en", "# Grading report")):
        grades = grade_class([tmp_path / "turma"], tmp_path / "notas", replace=True, language=language, zygote=False)
        (row,) = grades.rows
        assert row["status"] == CRASHED and row["language"] == ""
        assert (tmp_path / "notas" / row["report"]).read_text().startswith(title)


def test_a_row_with_a_reason_for_review_is_not_a_pass():
    row = {"status": OK, "exercises_passed": 1, "exercises_total": 1, "review": "instructor_code"}
    assert not row_passed(row) and row_passed({**row, "review": ""})
    assert CSV_COLUMNS[-3:] == ("review", "sandbox", "language")  # new columns go at the end: programs read the others


@pytest.mark.safety
# ---------------------------------------------------------------- the report folder: one grading, nobody else's files
def test_a_second_class_into_the_same_folder_keeps_the_first_unless_replace(tmp_path, fake_child):
    class_a, class_b = small_class(tmp_path / "a"), tmp_path / "b"
    write(notebook_01(RIGHT), class_b / "caio" / "01_dados_e_metricas.ipynb")
    write(notebook_01(RIGHT), class_b / "dora" / "01_dados_e_metricas.ipynb")
    notas = tmp_path / "notas"
    grade_class([class_a], notas)
    (notas / "minhas-notas.txt").write_text("the instructor's own file")
    first = sha256(notas / CSV_NAME)

    assert instructor_main(["grade", str(class_b), "--report-dir", str(notas)]) == 2
    with pytest.raises(GradingRefused, match="--replace"):
        grade_class([class_b], notas)
    assert sha256(notas / CSV_NAME) == first and len(list(notas.glob("*.md"))) == 2

    grade_class([class_b], notas, replace=True)
    assert set(read_csv(notas / CSV_NAME)) == {"caio/01_dados_e_metricas.ipynb", "dora/01_dados_e_metricas.ipynb"}
    assert sorted(p.name for p in notas.glob("*.md")) == [
        "caio__01_dados_e_metricas.md",
        "dora__01_dados_e_metricas.md",
    ]
    assert (notas / "minhas-notas.txt").read_text() == "the instructor's own file"


@pytest.mark.safety
def test_a_file_someone_else_put_where_a_report_goes_is_never_overwritten(tmp_path, fake_child):
    turma = small_class(tmp_path / "turma")
    notas = tmp_path / "notas"
    notas.mkdir()
    (notas / "ana__01_dados_e_metricas.md").write_text("my notes on Ana")
    for replace in (False, True):
        with pytest.raises(GradingRefused, match="ana__01_dados_e_metricas.md"):
            grade_class([turma], notas, replace=replace)
    assert (notas / "ana__01_dados_e_metricas.md").read_text() == "my notes on Ana"
    assert not (notas / CSV_NAME).exists()


@pytest.mark.safety
def test_a_report_that_became_a_link_is_replaced_never_written_through(tmp_path, fake_child):
    turma = small_class(tmp_path / "turma")
    notas = tmp_path / "notas"
    grade_class([turma], notas)
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    (notas / "ana__01_dados_e_metricas.md").unlink()
    (notas / "ana__01_dados_e_metricas.md").symlink_to(victim)
    grade_class([turma], notas, replace=True)
    assert victim.read_text() == "keep me" and not (notas / "ana__01_dados_e_metricas.md").is_symlink()


@pytest.mark.safety
def test_two_graders_at_once_cannot_interleave(tmp_path, fake_child):
    turma = small_class(tmp_path / "turma")
    notas = tmp_path / "notas"
    notas.mkdir()
    with folder_lock(notas), pytest.raises(GradingRefused, match=f"escrevendo em .*processo {os.getpid()}"):
        grade_class([turma], notas)  # another grading holds the folder
    assert not (notas / CSV_NAME).exists()
    grade_class([turma], notas)  # released: the next one runs
    assert len(read_csv(notas / CSV_NAME)) == 2


# ---------------------------------------------------------------- a full disk
def fill_disk_under(folder: Path, monkeypatch, csv_too: bool):
    """Writes into ``folder`` fail with ENOSPC after half their text (the CSV too when ``csv_too``)."""
    real_write_text = Path.write_text

    def write_text(self, data, *args, **kwargs):
        if self.parent == folder and (csv_too or CSV_NAME not in self.name):
            real_write_text(self, data[: len(data) // 2], *args, **kwargs)
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real_write_text(self, data, *args, **kwargs)

    monkeypatch.setattr(Path, "write_text", write_text)


@pytest.mark.safety
def test_a_full_disk_leaves_no_partial_report_and_a_consistent_csv(tmp_path, fake_child, monkeypatch, capsys):
    turma = small_class(tmp_path / "turma")
    notas = tmp_path / "notas"
    notas.mkdir()
    fill_disk_under(notas, monkeypatch, csv_too=False)
    grades = grade_class([turma], notas)
    monkeypatch.undo()

    assert [row["report"] for row in grades.rows] == ["", ""]  # the CSV names no report that is not there
    assert sorted(p.name for p in notas.iterdir() if p.name != ".grade.lock") == [CSV_NAME]
    assert set(read_csv(notas / CSV_NAME)) == {"ana/01_dados_e_metricas.ipynb", "bia/01_dados_e_metricas.ipynb"}
    disk_full = text("files.disk_full", path=notas / "ana__01_dados_e_metricas.md", folder=notas)
    assert f"relatório não escrito: {disk_full}" in capsys.readouterr().out


@pytest.mark.safety
def test_a_csv_that_cannot_be_written_is_a_clear_failure_naming_it(tmp_path, fake_child, monkeypatch, capsys):
    turma = small_class(tmp_path / "turma")
    notas = tmp_path / "notas"
    notas.mkdir()
    fill_disk_under(notas, monkeypatch, csv_too=True)
    with pytest.raises(GradingOutputError, match=f"{CSV_NAME} não pôde ser escrito"):
        grade_class([turma], notas)
    assert instructor_main(["grade", str(turma), "--report-dir", str(notas)]) == 1
    monkeypatch.undo()
    disk_full = text("files.disk_full", path=notas / CSV_NAME, folder=notas)
    assert f"{CSV_NAME} não pôde ser escrito: {disk_full}" in capsys.readouterr().err
    assert sorted(p.name for p in notas.iterdir()) == [".grade.lock"]  # nothing half-written


# ---------------------------------------------------------------- names, rows and options (no grading process)
def test_clashing_report_names_are_numbered_from_2_upwards():
    names = report_names([Path("turma/ana/02.ipynb"), Path("turma/ana/02.py"), Path("turma/ana__02.ipynb")])
    assert list(names.values()) == ["ana__02.md", "ana__02-2.md", "ana__02-3.md"]


def test_all_passed_is_true_only_when_every_row_passed(tmp_path):
    row = {"status": OK, "exercises_passed": 1, "exercises_total": 1, "review": ""}
    assert ClassGrades([row, row], tmp_path / CSV_NAME, tmp_path).all_passed is True
    assert ClassGrades([row, {**row, "exercises_passed": 0}], tmp_path / CSV_NAME, tmp_path).all_passed is False


def test_a_row_counts_the_answers_names_the_unanswered_and_lists_only_passed_keys():
    from fcn_course.instructor.grade_class import _row

    result = {
        "status": OK,
        "passed": 1,
        "total": 2,
        "exercises": [{"key": "iou", "passed": True}, {"key": "dice", "passed": False}, {"passed": True}],
        "reflections": [
            {"answered": True, "label": "Pergunta A"},
            {"answered": False, "label": "Pergunta B"},
            {"answered": False},
        ],
        "review": {"instructor_code": "details"},
        "sandbox": "bwrap",
        "language": "en",
        "report_language": "pt_BR",
    }
    row = _row("ana/02_fcn_alexnet.ipynb", "ana__02_fcn_alexnet.md", result)
    assert row == {
        "submission": "ana/02_fcn_alexnet.ipynb",
        "notebook": "02_fcn_alexnet",
        "status": OK,
        "exercises_passed": 1,
        "exercises_total": 2,
        "answers_written": 1,
        "answers_total": 3,
        "unanswered_questions": "Pergunta B; " + text("grade.question_label", number=3, language="pt_BR"),
        "report": "ana__02_fcn_alexnet.md",
        "passed_exercises": "iou",
        "review": "instructor_code",
        "sandbox": "bwrap",
        "language": "en",
    }
    assert _row("ana/notas.ipynb", "ana__notas.md", {**result, "report_error": "full"})["notebook"] == "?"
    bare = _row("x.ipynb", "x.md", {"status": OK, "passed": 0, "total": 0, "exercises": []})
    assert (bare["answers_total"], bare["review"], bare["sandbox"], bare["language"]) == (0, "", "", "")


def test_a_submission_the_grader_broke_on_counts_no_exercise(tmp_path, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("the grader itself broke")

    monkeypatch.setattr(grade_class_module, "grade", broken)
    write(notebook_01(RIGHT), tmp_path / "turma" / "01_dados_e_metricas.ipynb")
    (row,) = grade_class([tmp_path / "turma"], tmp_path / "notas", zygote=False).rows
    assert (row["status"], row["exercises_passed"], row["exercises_total"]) == (CRASHED, 0, 0)


def recording_grade(calls: list):
    """A stand-in for ``grade``: records its keyword arguments, passes every submission."""

    def fake(submission, **kwargs):
        calls.append(kwargs)
        return {**passing_child(submission, None), "passed": 1, "total": 1}

    return fake


def test_grade_class_passes_its_timeout_zygotes_and_quiet_to_each_grading(tmp_path, monkeypatch):
    calls = []
    monkeypatch.setattr(grade_class_module, "grade", recording_grade(calls))
    turma = small_class(tmp_path / "turma")
    grade_class([turma], tmp_path / "a")
    grade_class([turma], tmp_path / "b", timeout=42, zygote=False)
    assert [call["timeout"] for call in calls] == [grade_module.DEFAULT_TIMEOUT] * 2 + [42] * 2
    assert all(call["quiet"] is True for call in calls)  # the report goes to its file, not the progress
    assert [isinstance(call["zygotes"], ZygotePool) for call in calls[:2]] == [zygote_supported()] * 2
    assert [call["zygotes"] for call in calls[2:]] == [None, None]


def most_at_once(turma: Path, report_dir: Path, monkeypatch, **options) -> int:
    """How many submissions a class grading graded at once (each stand-in grading lasts 0.3 s)."""
    import threading
    import time

    active, most, lock = [0], [0], threading.Lock()

    def fake(submission, **kwargs):
        with lock:
            active[0] += 1
            most[0] = max(most[0], active[0])
        time.sleep(0.3)
        with lock:
            active[0] -= 1
        return {**passing_child(submission, None), "passed": 1, "total": 1}

    monkeypatch.setattr(grade_class_module, "grade", fake)
    grade_class([turma], report_dir, zygote=False, **options)
    return most[0]


def test_submissions_are_graded_one_at_a_time_unless_jobs_says_more(tmp_path, monkeypatch):
    turma = small_class(tmp_path / "turma")
    assert most_at_once(turma, tmp_path / "default", monkeypatch) == 1
    assert most_at_once(turma, tmp_path / "zero", monkeypatch, jobs=0) == 1
    assert most_at_once(turma, tmp_path / "two", monkeypatch, jobs=2) == 2


def test_an_unavailable_sandbox_is_refused_before_anything_is_written(tmp_path, fake_child):
    turma = small_class(tmp_path / "turma")
    with pytest.raises(sandbox.SandboxUnavailable):
        grade_class([turma], tmp_path / "notas", sandbox_mode="bwrap")
    assert not (tmp_path / "notas").exists()


def test_the_report_folder_is_created_with_its_parents(tmp_path, fake_child):
    grade_class([small_class(tmp_path / "turma")], tmp_path / "out" / "deep" / "notas")
    assert len(read_csv(tmp_path / "out" / "deep" / "notas" / CSV_NAME)) == 2


def test_a_grading_prints_no_report_only_progress_lines(tmp_path, fake_child, capsys):
    grade_class([small_class(tmp_path / "turma")], tmp_path / "notas")
    out = capsys.readouterr().out
    assert "corrigido" in out and "# Relatório de correção" not in out and len(out.splitlines()) == 2


class FlushRecorder:
    """A stdout that records what was written before each flush."""

    def __init__(self):
        self.pending, self.flushed = "", []

    def write(self, data):
        self.pending += data
        return len(data)

    def flush(self):
        self.flushed.append(self.pending)
        self.pending = ""


@pytest.mark.safety
def test_each_progress_line_is_flushed_as_its_submission_ends(tmp_path, fake_child, monkeypatch):
    """A pipe (a log, a CI job) shows each line at once, the "report not written" ones too."""
    turma = small_class(tmp_path / "turma")
    notas = tmp_path / "notas"
    notas.mkdir()
    fill_disk_under(notas, monkeypatch, csv_too=False)
    stdout = FlushRecorder()
    monkeypatch.setattr("sys.stdout", stdout)
    grade_class([turma], notas, zygote=False)
    monkeypatch.undo()
    lines = [line for chunk in stdout.flushed for line in chunk.splitlines()]
    assert len(lines) == 4 and "relatório não escrito" in lines[1] and stdout.pending == ""
    assert all(chunk.endswith("\n") and chunk.count("\n") == 1 for chunk in stdout.flushed if chunk)


# ---------------------------------------------------------------- the lock file
def test_the_lock_file_holds_only_the_graders_process_id_and_is_not_executable(tmp_path):
    notas = tmp_path / "notas"
    notas.mkdir()
    (notas / LOCK_NAME).write_text("9" * 30)  # a longer id left by an earlier grading
    old_umask = os.umask(0o022)
    try:
        with folder_lock(notas):
            assert (notas / LOCK_NAME).read_text() == str(os.getpid())
        os.unlink(notas / LOCK_NAME)
        with folder_lock(notas):
            assert (notas / LOCK_NAME).stat().st_mode & 0o777 == 0o644
    finally:
        os.umask(old_umask)


# ---------------------------------------------------------------- an earlier grading's CSV
@pytest.mark.safety
def test_a_damaged_csv_of_an_earlier_grading_still_asks_for_replace_and_vouches_for_no_report(tmp_path, fake_child):
    turma = small_class(tmp_path / "turma")
    notas = tmp_path / "notas"
    notas.mkdir()
    (notas / CSV_NAME).write_bytes(b"submission,report\nana,\xff\xfe.md\n")  # not UTF-8
    with pytest.raises(GradingRefused, match="--replace"):
        grade_class([turma], notas)
    (notas / "ana__01_dados_e_metricas.md").write_text("my notes on Ana")
    with pytest.raises(GradingRefused, match="ana__01_dados_e_metricas.md"):
        grade_class([turma], notas, replace=True)
    (notas / "ana__01_dados_e_metricas.md").unlink()
    assert len(grade_class([turma], notas, replace=True).rows) == 2


@pytest.mark.safety
def test_replace_removes_only_the_earlier_reports_never_other_files_it_listed(tmp_path, fake_child):
    """A hand-edited CSV may list any name: only a ``.md`` file right in the folder is an earlier report."""
    notas = tmp_path / "notas"
    grade_class([small_class(tmp_path / "a")], notas)
    (notas / "minhas-notas.txt").write_text("mine")
    (notas / "sub").mkdir()
    (notas / "sub" / "x.md").write_text("mine too")
    (notas / "velho.md").mkdir()
    rows = list(read_csv(notas / CSV_NAME).values())
    extra = [
        {**rows[0], "submission": f"z{i}", "report": r}
        for i, r in enumerate(("minhas-notas.txt", "sub/x.md", "velho.md"))
    ]
    with open(notas / CSV_NAME, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=CSV_COLUMNS)
        writer.writeheader()
        writer.writerows(rows + extra)
    write(notebook_01(RIGHT), tmp_path / "b" / "caio" / "01_dados_e_metricas.ipynb")

    grade_class([tmp_path / "b"], notas, replace=True)

    assert sorted(p.name for p in notas.glob("*.md") if p.is_file()) == ["01_dados_e_metricas.md"]
    assert (notas / "minhas-notas.txt").read_text() == "mine" and (notas / "sub" / "x.md").read_text() == "mine too"
    assert (notas / "velho.md").is_dir()


# --------------------------------------------------------------------------------------------------
# What stops a grading is said in the course's language (Portuguese; English in the English edition)
# --------------------------------------------------------------------------------------------------
def test_a_missing_submission_path_is_said_in_the_course_language(tmp_path):
    portuguese, english = raised_in_each_language(FileNotFoundError, find_submissions, [tmp_path / "nowhere"])
    assert "nowhere: arquivo ou pasta não encontrado" in portuguese
    assert "nowhere: no such file or folder" in english


@pytest.mark.safety
def test_a_lock_that_cannot_be_created_is_said_in_the_course_language(tmp_path):
    (tmp_path / ".grade.lock").symlink_to(tmp_path / "elsewhere")  # never followed

    def lock():
        with folder_lock(tmp_path):
            pass

    portuguese, english = raised_in_each_language(GradingRefused, lock)
    assert "não pode ser criado" in portuguese and "--report-dir" in portuguese
    assert "cannot be created" in english and "--report-dir" in english


@pytest.mark.safety
def test_a_folder_another_grading_holds_is_said_in_the_course_language(tmp_path):
    def second_lock():
        with folder_lock(tmp_path):
            pass

    with folder_lock(tmp_path):
        portuguese, english = raised_in_each_language(GradingRefused, second_lock)
    assert f"outra correção está escrevendo em {tmp_path} (processo {os.getpid()})" in portuguese
    assert f"another grading is writing into {tmp_path} (process {os.getpid()})" in english


def test_an_earlier_grading_and_foreign_files_are_said_in_the_course_language(tmp_path):
    from fcn_course.instructor.grade_class import check_report_folder

    (tmp_path / "ana__01.md").write_text("my notes")
    portuguese, english = raised_in_each_language(GradingRefused, check_report_folder, tmp_path, ["ana__01.md"], False)
    assert "nenhuma correção anterior escreveu: ana__01.md" in portuguese
    assert "no earlier grading wrote: ana__01.md" in english
    (tmp_path / CSV_NAME).write_text("report\n")
    portuguese, english = raised_in_each_language(GradingRefused, check_report_folder, tmp_path, [], False)
    assert f"já tem as notas de uma correção anterior ({CSV_NAME}); passe --replace" in portuguese
    assert f"already holds the grades of an earlier grading ({CSV_NAME}); pass --replace" in english


def test_a_class_csv_that_cannot_be_written_is_said_in_the_course_language(tmp_path, monkeypatch):
    from fcn_course.instructor import grade_class as module

    def full_disk(path, write):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(module, "atomic_write", full_disk)
    portuguese, english = raised_in_each_language(GradingOutputError, module.write_csv, tmp_path / CSV_NAME, [])
    assert f"{CSV_NAME} não pôde ser escrito" in portuguese and f"estão em {tmp_path}" in portuguese
    assert f"{CSV_NAME} could not be written" in english and f"are in {tmp_path}" in english

"""Tests of the LMS export (fcn_course.instructor.lms): students from Moodle/Classroom names or a roster, one row
per student with a numeric grade from the exercise weights, the Excel option, Moodle's worksheet and feedback zip.

Most tests write a grades.csv by hand (what ``grade`` writes), so they run no student code; the last one grades
a small Moodle download for real."""

import csv
import zipfile
from pathlib import Path

import pytest

from fcn_course.checks import exercises_for_notebook
from fcn_course.checks.exercise import get_exercise
from fcn_course.instructor.__main__ import main as instructor_main
from fcn_course.instructor.grade_class import CSV_COLUMNS
from helpers import raised_in_each_language

from fcn_course.instructor.lms import (
    FEEDBACK_ZIP,
    MOODLE_COLUMNS,
    STUDENTS_CSV,
    WORKSHEET_CSV,
    export_grades,
    identify,
    summary,
    write_students_csv,
)
from fcn_course.messages import text

NB01, NB02 = "01_dados_e_metricas", "02_fcn_alexnet"


def graded_keys(notebook: str) -> tuple:
    """The exercises of a notebook that count in the grade (its Desafio is extra)."""
    return tuple(key for key in exercises_for_notebook(f"{notebook}.ipynb") if not get_exercise(key).challenge)


KEYS02 = graded_keys(NB02)
ANA = "Ana Souza_12345_assignsubmission_file_"
BRUNO = "Bruno Lima_67890_assignsubmission_file_"


def row(submission, notebook, status="ok", passed=(), total=None, answers=(0, 0), report=None):
    keys = graded_keys(notebook)
    return {
        "submission": submission,
        "notebook": notebook,
        "status": status,
        "exercises_passed": len(passed),
        "exercises_total": len(keys) if total is None else total,
        "answers_written": answers[0],
        "answers_total": answers[1],
        "unanswered_questions": "",
        "report": report or "",
        "passed_exercises": " ".join(passed),
    }


def write_grades(folder: Path, rows) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / "grades.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=CSV_COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    for r in rows:
        if r["report"]:
            (folder / r["report"]).write_text(f"# Relatório de correção: {r['submission']}\n", encoding="utf-8")
    return folder


def read_csv(path, delimiter=","):
    with open(path, newline="", encoding="utf-8-sig") as handle:
        return list(csv.DictReader(handle, delimiter=delimiter))


def test_students_are_identified_from_moodle_classroom_and_plain_folders():
    assert identify(f"{ANA}/02_fcn_alexnet.ipynb") == {
        "id": "12345",
        "name": "Ana Souza",
        "moodle_id": "12345",
        "folder": "Ana Souza_12345",
    }
    flat = identify("Ana Souza_12345_assignsubmission_file_02_fcn_alexnet.ipynb")  # Moodle without folders
    assert (flat["moodle_id"], flat["name"]) == ("12345", "Ana Souza")
    assert identify("Carla Dias - 02_fcn_alexnet.ipynb")["id"] == "Carla Dias"  # Google Classroom
    assert identify("davi/sub/Cópia de 02_fcn_alexnet.ipynb")["id"] == "davi"
    assert identify("02_fcn_alexnet.ipynb")["id"] == "02_fcn_alexnet"


def test_one_row_per_student_with_a_grade_from_the_weights_and_zero_of_n_for_time_outs(tmp_path):
    reports = write_grades(
        tmp_path / "notas",
        [
            row(f"{ANA}/{NB01}.ipynb", NB01, passed=("iou",), report="a1.md"),
            row(f"{ANA}/{NB02}.ipynb", NB02, passed=KEYS02, report="a2.md"),
            row(f"{BRUNO}/{NB01}.ipynb", NB01, passed=(), report="b1.md"),
            row(f"{BRUNO}/{NB02}.ipynb", NB02, status="timed_out", passed=(), total=0, report="b2.md"),
        ],
    )
    weights = {KEYS02[0]: 3.0}  # the first FCN exercise weighs 3

    export = export_grades(reports, weights=weights)

    rows = {r["student_id"]: r for r in read_csv(export.students_csv)}
    maximum = 1 + (len(KEYS02) - 1) + 3  # notebook 01 (1 point) + notebook 02 (weights)
    assert set(rows) == {"12345", "67890"} and export.students_csv.name == STUDENTS_CSV
    assert (rows["12345"]["points"], rows["12345"]["max_points"], rows["12345"]["grade"]) == (
        str(maximum),
        str(maximum),
        "10",
    )
    bruno = rows["67890"]
    assert (bruno["points"], bruno["max_points"], bruno["grade"]) == ("0", str(maximum), "0")  # 0 of N, not 0 of 0
    assert (bruno[f"{NB02}_status"], bruno[f"{NB02}_points"]) == ("timed_out", "0")
    assert rows["12345"]["name"] == "Ana Souza"


def test_partial_credit_follows_the_exercise_weights_and_a_missing_notebook_counts_zero(tmp_path):
    half = KEYS02[: len(KEYS02) // 2]
    reports = write_grades(
        tmp_path / "notas",
        [row(f"ana/{NB02}.ipynb", NB02, passed=half), row(f"bruno/{NB01}.ipynb", NB01, passed=("iou",))],
    )
    export = export_grades(reports, scale=100)
    rows = {r["student_id"]: r for r in read_csv(export.students_csv)}
    total = sum(get_exercise(k).points for k in KEYS02) + 1
    assert float(rows["ana"]["points"]) == sum(get_exercise(k).points for k in half)
    assert float(rows["ana"]["grade"]) == round(float(rows["ana"]["points"]) / total * 100, 2)
    assert rows["ana"][f"{NB01}_status"] == "missing" and rows["bruno"][f"{NB02}_status"] == "missing"


def test_answers_count_each_notebooks_file_with_most_answers_and_add_up_over_the_notebooks(tmp_path):
    """Of two files of notebook 01 the one with more written answers counts (it comes second here), then
    notebook 02's answers are added: written 2 + 4, asked 3 + 5."""
    reports = write_grades(
        tmp_path / "notas",
        [
            row(f"ana/{NB01}.ipynb", NB01, answers=(1, 3)),
            row(f"ana/{NB01} (1).ipynb", NB01, answers=(2, 3)),
            row(f"ana/{NB02}.ipynb", NB02, answers=(4, 5)),
        ],
    )
    export = export_grades(reports)
    (ana,) = read_csv(export.students_csv)
    assert (ana["answers_written"], ana["answers_total"]) == ("6", "8")
    assert export.graded[0].answers == (6, 8)


def test_empty_answer_cells_count_as_no_answers(tmp_path):
    """A grades.csv from before the answer columns (its rows merged into a newer one leave the cells empty): an
    empty cell is zero, so a file with 0 of 2 answers written still beats an empty one (ties: the first file)."""
    reports = write_grades(
        tmp_path / "notas",
        [
            row(f"ana/{NB01}.ipynb", NB01, answers=(0, 2)),
            row(f"ana/{NB01} (1).ipynb", NB01, answers=("", "")),
            row(f"bruno/{NB01}.ipynb", NB01, answers=("", "")),
        ],
    )
    rows = {r["student_id"]: r for r in read_csv(export_grades(reports).students_csv)}
    assert (rows["ana"]["answers_written"], rows["ana"]["answers_total"]) == ("0", "2")
    assert (rows["bruno"]["answers_written"], rows["bruno"]["answers_total"]) == ("0", "0")


def test_students_csv_makes_its_folders_and_can_be_written_again(tmp_path):
    reports = write_grades(tmp_path / "notas", [row(f"ana/{NB02}.ipynb", NB02, passed=KEYS02[:1])])
    graded = export_grades(reports).graded
    path = tmp_path / "elsewhere" / "lms" / STUDENTS_CSV
    for _ in range(2):
        assert write_students_csv(graded, path) == path
        assert [r["student_id"] for r in read_csv(path)] == ["ana"]


def test_the_summary_names_the_feedback_zip_and_the_folder_of_reports(tmp_path):
    reports = write_grades(tmp_path / "notas", [row(f"{ANA}/{NB02}.ipynb", NB02, passed=KEYS02, report="ana.md")])
    export = export_grades(reports)
    lines = summary(export)
    assert export.feedback_zip is not None
    assert text("lms.feedback_zip", path=export.feedback_zip) in lines
    assert lines[-1] == text("lms.feedback_dir", path=export.feedback_dir)


def test_the_excel_option_writes_semicolons_decimal_commas_and_a_bom(tmp_path):
    reports = write_grades(tmp_path / "notas", [row(f"ana/{NB02}.ipynb", NB02, passed=KEYS02[:1])])
    export = export_grades(reports, excel=True, scale=10)
    raw = export.students_csv.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = read_csv(export.students_csv, delimiter=";")
    assert rows[0]["grade"] == f"{10 / len(KEYS02):.2f}".rstrip("0").rstrip(".").replace(".", ",")


def test_moodle_worksheet_and_feedback_zip_use_moodles_participant_ids(tmp_path):
    reports = write_grades(
        tmp_path / "notas",
        [
            row(f"{ANA}/{NB02}.ipynb", NB02, passed=KEYS02, report="ana.md"),
            row(f"{BRUNO}/{NB02}.ipynb", NB02, status="invalid", total=0, report="bruno.md"),
        ],
    )
    export = export_grades(reports)

    worksheet = read_csv(export.worksheet)
    assert export.worksheet.name == WORKSHEET_CSV and tuple(worksheet[0]) == MOODLE_COLUMNS
    assert {(r["Identifier"], r["Grade"]) for r in worksheet} == {
        ("Participant 12345", "10"),
        ("Participant 67890", "0"),
    }
    with zipfile.ZipFile(export.feedback_zip) as archive:
        names = sorted(archive.namelist())
        assert names == [
            f"Ana Souza_12345_assignfeedback_file_/relatorio_{NB02}.md",
            f"Bruno Lima_67890_assignfeedback_file_/relatorio_{NB02}.md",
        ]
        assert archive.read(names[0]).decode().startswith("# Relatório de correção")
    assert export.feedback_zip.name == FEEDBACK_ZIP
    assert (export.feedback_dir / "12345" / f"relatorio_{NB02}.md").is_file()


def test_a_downloaded_moodle_worksheet_is_filled_in_whatever_its_language(tmp_path):
    reports = write_grades(tmp_path / "notas", [row(f"{ANA}/{NB02}.ipynb", NB02, passed=KEYS02)])
    downloaded = tmp_path / "planilha.csv"
    downloaded.write_text(
        "Identificador,Nome completo,Status,Nota,Nota máxima,Última modificação (nota)\n"
        "Participante 12345,Ana Souza,Enviado,,10,\nParticipante 99999,Outra Pessoa,,,10,\n",
        encoding="utf-8-sig",
    )
    export = export_grades(reports, moodle_worksheet=downloaded)
    rows = read_csv(export.worksheet)
    assert [(r["Identificador"], r["Nota"], r["Status"]) for r in rows] == [
        ("Participante 12345", "10", "Enviado"),
        ("Participante 99999", "", ""),
    ]
    assert export.worksheet_rows == 1


def test_a_roster_maps_submissions_to_ids_and_lists_the_unmatched(tmp_path):
    reports = write_grades(
        tmp_path / "notas",
        [
            row(f"Ana Souza - {NB02}.ipynb", NB02, passed=KEYS02),
            row(f"jose/{NB02}.ipynb", NB02, passed=()),
            row(f"zeca/{NB02}.ipynb", NB02, passed=()),
        ],
    )
    roster = tmp_path / "turma.csv"
    roster.write_text(
        "id;name;email;match\n2024001;Ana Souza;ana@x.br;\n2024002;José Lima;jose@x.br;jose\n2024003;Maria;m@x.br;\n",
        encoding="utf-8-sig",
    )
    export = export_grades(reports, roster=roster)
    rows = {r["student_id"]: r for r in read_csv(export.students_csv)}
    assert rows["2024001"]["grade"] == "10" and rows["2024001"]["email"] == "ana@x.br"
    assert rows["2024002"]["grade"] == "0" and rows["2024003"][f"{NB02}_status"] == "missing"
    assert export.unmatched == [f"zeca/{NB02}.ipynb"] and "zeca" in rows


def test_unknown_weights_and_a_missing_grades_csv_are_refused_with_the_fix(tmp_path, capsys):
    reports = write_grades(tmp_path / "notas", [row(f"ana/{NB02}.ipynb", NB02)])
    with pytest.raises(ValueError, match="exercício\\(s\\) desconhecido"):
        export_grades(reports, weights={"no-such-exercise": 2})
    assert instructor_main(["export-grades", str(tmp_path / "nowhere")]) == 2
    assert "`python -m fcn_course.instructor grade ... --report-dir" in capsys.readouterr().err


@pytest.mark.subprocess
def test_grade_then_export_a_moodle_download(tmp_path, capsys):
    """The real pipeline on a small Moodle download: two students, notebook 01, one right and one wrong."""
    import nbformat

    from test_instructor_grade import RECALL, RIGHT, notebook_01, write

    turma = tmp_path / "download"
    write(notebook_01(RIGHT), turma / ANA / f"{NB01}.ipynb")
    write(notebook_01(RECALL), turma / BRUNO / f"{NB01}.ipynb")
    assert nbformat.read(turma / ANA / f"{NB01}.ipynb", as_version=4).cells

    assert instructor_main(["grade", str(turma), "--report-dir", str(tmp_path / "notas"), "--exit-zero"]) == 0
    assert instructor_main(["export-grades", str(tmp_path / "notas"), "--excel", "--weight", "iou=2"]) in (0, None)

    rows = {r["student_id"]: r for r in read_csv(tmp_path / "notas" / "lms" / STUDENTS_CSV, delimiter=";")}
    assert (rows["12345"]["points"], rows["12345"]["grade"]) == ("2", "10")
    assert (rows["67890"]["points"], rows["67890"]["grade"]) == ("0", "0")
    with zipfile.ZipFile(tmp_path / "notas" / "lms" / FEEDBACK_ZIP) as archive:
        assert "recall" in archive.read(f"Bruno Lima_67890_assignfeedback_file_/relatorio_{NB01}.md").decode()
    assert "planilha de notas do Moodle" in capsys.readouterr().out
    # --lang: the same export, its summary in English (the files' columns and statuses do not change)
    assert instructor_main(["export-grades", str(tmp_path / "notas"), "--excel", "--lang", "en"]) in (0, None)
    assert "Moodle grading worksheet" in capsys.readouterr().out


def test_a_desafio_weighs_nothing_in_the_grade_and_cannot_be_given_points():
    from fcn_course.instructor.lms import exercise_points

    points = exercise_points()
    assert "miou-per-image" not in points["01_dados_e_metricas"] and "iou" in points["01_dados_e_metricas"]
    with pytest.raises(ValueError, match="exercício\\(s\\) desconhecido"):
        exercise_points({"miou-per-image": 2})


# --------------------------------------------------------------------------------------------------
# What stops export-grades is said in the course's language (Portuguese; English in the English edition)
# --------------------------------------------------------------------------------------------------
def test_a_roster_without_ids_is_said_in_the_course_language(tmp_path):
    from fcn_course.instructor.lms import read_roster

    roster = tmp_path / "turma.csv"
    roster.write_text("nome,email\nAna,ana@x.br\n", encoding="utf-8")
    portuguese, english = raised_in_each_language(ValueError, read_roster, roster)
    assert "precisa de uma coluna 'id'" in portuguese and "['nome', 'email']" in portuguese
    assert "needs an 'id' column" in english and "['nome', 'email']" in english
    roster.write_text("", encoding="utf-8")
    portuguese, english = raised_in_each_language(ValueError, read_roster, roster)
    assert "encontrei nada" in portuguese
    assert "found nothing" in english


def test_a_missing_grades_csv_is_said_in_the_course_language(tmp_path):
    from fcn_course.instructor.lms import read_grades

    portuguese, english = raised_in_each_language(FileNotFoundError, read_grades, tmp_path)
    assert "não foi encontrado: rode antes `python -m fcn_course.instructor grade" in portuguese
    assert "not found: run `python -m fcn_course.instructor grade" in english


def test_unknown_weights_are_said_in_the_course_language():
    from fcn_course.instructor.lms import exercise_points

    portuguese, english = raised_in_each_language(ValueError, exercise_points, {"no-such-exercise": 2})
    assert "exercício(s) desconhecido(s) ['no-such-exercise'] nos pesos" in portuguese
    assert "unknown exercise(s) ['no-such-exercise'] in the weights" in english


def test_a_worksheet_without_a_grade_column_is_said_in_the_course_language():
    from fcn_course.instructor.lms import _grade_column

    portuguese, english = raised_in_each_language(ValueError, _grade_column, ["Nome", "Email"], None)
    assert "nenhuma coluna de nota entre ['Nome', 'Email']: indique-a com --grade-column" in portuguese
    assert "no grade column among ['Nome', 'Email']: name it with --grade-column" in english


def test_notebooks_without_exercises_are_said_in_the_course_language(tmp_path):
    reports = write_grades(tmp_path / "notas", [row(f"ana/{NB02}.ipynb", NB02)])
    portuguese, english = raised_in_each_language(ValueError, export_grades, reports, notebooks=["99_nada"])
    assert "o(s) notebook(s) ['99_nada'] não têm exercícios" in portuguese
    assert "notebook(s) ['99_nada'] have no exercises" in english

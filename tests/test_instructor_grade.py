"""Tests of the grader (fcn_course.instructor.grade and grade_class) on submissions made from the real student
notebooks, written to temporary folders: one submission, then a class folder of mixed submissions."""
import csv
import os
import unicodedata
from pathlib import Path

import nbformat
import pytest

from fcn_course.checks import exercises_for_notebook

from fcn_course.definitions import load_definitions
from fcn_course.instructor.__main__ import main as instructor_main
from fcn_course.instructor.grade import (CRASHED, INVALID, OK, TIMEOUT, grade, question_label, reflection_answers,
                                         report_markdown, status_label)
from fcn_course.instructor.grade_class import CSV_COLUMNS, CSV_NAME, find_submissions, report_names
from tiny_course import sha256

ROOT = Path(__file__).resolve().parents[1]
STUDENT = ROOT / "notebooks"

RIGHT = '''import numpy as np


def iou_and_dice_from_confusion(matrix):
    matrix = np.asarray(matrix, dtype=float)
    tp = np.diag(matrix)
    fp, fn = matrix.sum(0) - tp, matrix.sum(1) - tp
    with np.errstate(invalid="ignore", divide="ignore"):
        return tp / (tp + fp + fn), 2 * tp / (2 * tp + fp + fn)
'''
RECALL = '''import numpy as np


def iou_and_dice_from_confusion(matrix):
    tp = np.diag(matrix)
    return tp / matrix.sum(1), 2 * tp / (matrix.sum(0) + matrix.sum(1))
'''


def notebook_01(exercise_source: str, extra: str = ""):
    """The student notebook 01 with its Exercise 0 cell replaced (and ``extra`` appended to that cell)."""
    nb = nbformat.read(STUDENT / "01_dados_e_metricas.ipynb", as_version=4)
    cell = next(c for c in nb.cells if c.cell_type == "code" and "def iou_and_dice_from_confusion" in c.source)
    cell.source = exercise_source + extra
    return nb


def write(nb, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path


@pytest.mark.subprocess
def test_grade_runs_the_code_in_its_own_process_folder_and_home_and_never_modifies_the_submission(tmp_path):
    spy = tmp_path / "spy.txt"
    class_body = (f"\n\nclass Spy:\n    import os\n    open({str(spy)!r}, 'w').write("
                  "f\"{os.getpid()}|{os.getcwd()}|{os.environ['HOME']}|{os.environ.get('FCN_COURSE_SMOKE')}\")\n")
    submission = write(notebook_01(RIGHT, class_body), tmp_path / "aluno" / "01_dados_e_metricas.ipynb")
    digest = sha256(submission)

    result = grade(submission, report_path=tmp_path / "new" / "folder" / "report.md")

    assert sha256(submission) == digest
    assert sorted(p.name for p in submission.parent.iterdir()) == ["01_dados_e_metricas.ipynb"]
    pid, cwd, home, smoke = spy.read_text().split("|")
    assert int(pid) != os.getpid() and smoke == "1"
    assert Path(cwd) not in (submission.parent, Path.cwd()) and home != os.environ.get("HOME")
    assert result["status"] == OK and (result["passed"], result["total"]) == (1, 1)
    report = (tmp_path / "new" / "folder" / "report.md").read_text()
    assert "1 de 1 exercício correto." in report and "Exercício 0" in report


@pytest.mark.subprocess
def test_a_submission_that_never_ends_is_stopped_by_the_time_limit(tmp_path):
    submission = write(notebook_01(RIGHT, "\n\nclass Forever:\n    while True:\n        pass\n"),
                       tmp_path / "01_dados_e_metricas.ipynb")
    result = grade(submission, timeout=20, quiet=True)
    assert result["status"] == TIMEOUT and "Tempo esgotado" in result["report"]


def test_a_truncated_notebook_is_reported_not_fatal(tmp_path):
    good = write(notebook_01(RIGHT), tmp_path / "good.ipynb").read_text()
    truncated = tmp_path / "01_dados_e_metricas.ipynb"
    truncated.write_text(good[: len(good) // 2])
    result = grade(truncated, quiet=True)
    assert result["status"] == INVALID and "Arquivo inválido" in result["report"]


@pytest.mark.subprocess
def test_reflection_answers_are_flagged_and_notebook_04_never_reports_zero_of_zero(tmp_path):
    nb = nbformat.read(STUDENT / "04_comparacao.ipynb", as_version=4)
    placeholders = [c for c in nb.cells if c.cell_type == "markdown" and c.source.strip() == "_Escreva sua resposta aqui._"]
    assert len(placeholders) >= 5
    placeholders[0].source = "A escolha do *backbone* mudou mais a mIoU."
    index = nb.cells.index(placeholders[2])  # answered in a new cell below the placeholder
    nb.cells.insert(index + 1, nbformat.v4.new_markdown_cell("O ônibus: é grande e rígido."))
    submission = write(nb, tmp_path / "04_comparacao.ipynb")

    result = grade(submission, quiet=True)

    assert [answer["answered"] for answer in result["reflections"]] == [i in (0, 2) for i in range(len(placeholders))]
    assert f"Perguntas de reflexão: 2 de {len(placeholders)} respondidas." in result["report"]
    assert "❌ sem resposta: Previsão 3: Qual das quatro mudanças" in result["report"]  # the notebook's own label
    assert "0 de 0" not in result["report"] and "não tem exercícios de código" in result["report"]


@pytest.mark.subprocess
def test_extra_statements_in_every_exercise_cell_still_grade_fully_correct(tmp_path):
    """A test line and a computed constant in each exercise cell of notebook 02; 03/04 still load the classes."""
    nb = nbformat.read(ROOT / "solutions" / "notebooks" / "02_fcn_alexnet.ipynb", as_version=4)
    edited = 0
    for cell in nb.cells:
        if cell.cell_type == "code" and ("class FCN_AlexNet" in cell.source or "def make_optimizer" in cell.source
                                         or "def compute_loss" in cell.source):
            cell.source = "HIDDEN = 64 * 2\n" + cell.source + "\nprint('testando', HIDDEN)\nresult = HIDDEN + 1\n"
            edited += 1
    assert edited >= 2
    submission = write(nb, tmp_path / "02_fcn_alexnet.ipynb")

    result = grade(submission, quiet=True)

    expected = len(exercises_for_notebook("02_fcn_alexnet.ipynb"))
    assert result["status"] == OK and (result["passed"], result["total"]) == (expected, expected), result["report"]
    loaded = load_definitions(submission, ["FCN_AlexNet", "make_optimizer", "compute_loss", "make_criterion"])
    assert loaded["FCN_AlexNet"](3, skip=True).skip == "8s"


def test_reflection_questions_carry_the_notebooks_own_labels_and_no_markdown():
    """The report names each question as the notebook and the rubric do ("Pergunta 2", not "Pergunta 4: 2.**")."""
    labels = {}
    for path in sorted(STUDENT.glob("0*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        labels[path.stem[:2]] = [(a["label"], a["question"]) for a in reflection_answers(nb, nb)]
    assert [label for label, _ in labels["02"]] == ["Pergunta A"] and [l for l, _ in labels["03"]] == ["Pergunta B"]
    assert [label for label, _ in labels["04"]] == ["Previsões 1 e 2", "Previsão 3"] + [
        f"Pergunta {n}" for n in range(1, 7)]
    assert labels["04"][3][1].startswith("Abra a figura das predições")
    assert not any("*" in question or "`" in question for values in labels.values() for _, question in values)
    report = report_markdown("x.ipynb", {"status": OK, "exercises": [], "cell_errors": [], "checks_error": None,
                                         "reflections": [{"question": "Abra", "answered": False,
                                                          "label": "Pergunta 2"}]})
    assert "❌ sem resposta: Pergunta 2: Abra" in report


def test_question_labels_fall_back_on_the_first_line_without_emphasis():
    assert question_label("### Uma *pergunta* sem rótulo\n\nTexto.") == (None, "Uma pergunta sem rótulo")
    assert question_label("**Pergunta de reflexão 6: análise.** Use o `explorador`.") == ("Pergunta 6",
                                                                                          "Use o explorador.")


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


# ---------------------------------------------------------------- a class folder
def test_report_names_are_unique_per_submission():
    names = report_names([Path("turma/ana/02_fcn_alexnet.ipynb"), Path("turma/bruno/02_fcn_alexnet.ipynb"),
                          Path("turma/ana/02 fcn alexnet.ipynb"), Path("turma/ana/02_fcn_alexnet.py")])
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
        ["01_dados_e_metricas.ipynb"] * 3 + [copy_name])
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


def test_statuses_are_language_neutral_machine_values_with_labels_for_people():
    assert (OK, INVALID, TIMEOUT, CRASHED) == ("ok", "invalid", "timed_out", "crashed")
    assert [status_label(s) for s in (OK, INVALID, TIMEOUT, CRASHED)] == [
        "corrigido", "arquivo inválido", "tempo esgotado", "erro na correção"]
    assert all(column.isascii() and column == column.lower() and " " not in column for column in CSV_COLUMNS)


def test_a_crashed_grading_is_reported_in_portuguese_with_the_error():
    result = {"status": CRASHED, "exercises": [], "cell_errors": [], "checks_error": "boom",
              "reflections": [{"question": "Por quê?", "answered": False}]}
    report = report_markdown("ana/02.ipynb", result)
    assert report.startswith("# Relatório de correção: ana/02.ipynb")
    assert "## ⚠️ As verificações não puderam terminar" in report and "```\nboom\n```" in report
    assert "❌ sem resposta: Pergunta 1: Por quê?" in report and "não tem exercícios" not in report


def test_exit_zero_flag_and_a_missing_path(tmp_path):
    (tmp_path / "broken.ipynb").write_text("{")
    assert instructor_main(["grade", str(tmp_path / "broken.ipynb"), "--report-dir", str(tmp_path / "r")]) == 1
    assert instructor_main(["grade", str(tmp_path / "broken.ipynb"), "--report-dir", str(tmp_path / "r"),
                            "--exit-zero"]) == 0
    assert instructor_main(["grade", str(tmp_path / "nowhere"), "--report-dir", str(tmp_path / "r")]) == 2


@pytest.mark.subprocess
def test_reflection_answers_of_a_renamed_copy_are_counted(tmp_path):
    """Drive's "Salvar uma cópia" renames the file: the answers are still found through the course notebook."""
    nb = nbformat.read(STUDENT / "04_comparacao.ipynb", as_version=4)
    placeholders = [c for c in nb.cells if c.cell_type == "markdown" and c.source.strip() == "_Escreva sua resposta aqui._"]
    placeholders[1].source = "A *skip* ajudou mais nas bordas do ônibus."
    submission = write(nb, tmp_path / "Cópia de 04_comparacao.ipynb")

    result = grade(submission, quiet=True)

    assert [answer["answered"] for answer in result["reflections"]] == [i == 1 for i in range(len(placeholders))]
    assert f"Perguntas de reflexão: 1 de {len(placeholders)} respondidas." in result["report"]

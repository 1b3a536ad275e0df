"""Tests of the grader (fcn_course.instructor.grade, with its child process grade_child, its sandbox and its
source review) on submissions made from the real student notebooks, written to temporary folders; the hostile
cases (links, broken files, limits, escapes, tampering) each try the attack. The class folder: see
test_instructor_grade_class.py."""

import errno
import json
import os
import random
import re
from pathlib import Path

import nbformat
import pytest
from tiny_course import sha256

from fcn_course.checks import exercises_for_notebook, get_exercise
from fcn_course.definitions import load_definitions
from fcn_course.instructor import grade as grade_module
from fcn_course.instructor import sandbox
from fcn_course.instructor.grade import (
    CHECKS_REPLACED,
    CRASHED,
    FILE_CHANGED,
    FORGED_RESULT,
    INSTRUCTOR_CODE,
    INTERPRETER_TOOLS,
    INVALID,
    NOT_A_FILE,
    OK,
    PRIVATE_FILES,
    TAMPERED,
    TIMEOUT,
    grade,
    question_label,
    reflection_answers,
    report_markdown,
    split_challenges,
    source_review,
    status_label,
    submission_language,
)
from fcn_course.instructor.grade_class import CSV_COLUMNS
from fcn_course.instructor.grade_time import ChildRun
from fcn_course.instructor.sandbox import (
    GIB,
    Limits,
    SandboxUnavailable,
    bwrap_available,
)
from fcn_course.messages import text

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


def notebook_01(exercise_source: str, extra: str = "", edition: str = ""):
    """The student notebook 01 with its Exercise 0 cell replaced (and ``extra`` appended to that cell);
    ``edition="en"``: that of the English edition (``notebooks/en/``)."""
    nb = nbformat.read(STUDENT / edition / "01_dados_e_metricas.ipynb", as_version=4)
    cell = next(c for c in nb.cells if c.cell_type == "code" and "def iou_and_dice_from_confusion" in c.source)
    cell.source = exercise_source + extra
    return nb


def write(nb, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path


def spy_cell(expression: str) -> str:
    """A class body that reports ``expression`` (evaluated in the grading process) through its error message:
    the child cannot write outside its own folder, but its cell errors reach the result."""
    return (
        f"\n\nclass Spy:\n    import json, os, sys\n    raise RuntimeError('SPY' + json.dumps({expression}) + 'YPS')\n"
    )


def spied(result: dict):
    """The value a :func:`spy_cell` reported (from the cell errors of a grading result)."""
    import json

    error = next(e["error"] for e in result["cell_errors"] if "SPY" in e["error"])
    return json.loads(error.split("SPY", 1)[1].rsplit("YPS", 1)[0])


@pytest.mark.subprocess
def test_grade_runs_the_code_in_its_own_process_folder_and_home_and_never_modifies_the_submission(tmp_path):
    observed = "[os.getpid(), os.getcwd(), os.environ['HOME'], os.environ.get('FCN_COURSE_SMOKE')]"
    submission = write(notebook_01(RIGHT, spy_cell(observed)), tmp_path / "aluno" / "01_dados_e_metricas.ipynb")
    digest = sha256(submission)

    result = grade(submission, report_path=tmp_path / "new" / "folder" / "report.md", sandbox_mode="none")

    assert sha256(submission) == digest
    assert sorted(p.name for p in submission.parent.iterdir()) == ["01_dados_e_metricas.ipynb"]
    pid, cwd, home, smoke = spied(result)
    assert int(pid) != os.getpid() and smoke == "1"
    assert Path(cwd) not in (submission.parent, Path.cwd()) and home != os.environ.get("HOME")
    assert result["status"] == OK and (result["passed"], result["total"]) == (1, 1)
    report = (tmp_path / "new" / "folder" / "report.md").read_text()
    assert "1 de 1 exercício correto." in report and "Exercício 0" in report


@pytest.mark.subprocess
def test_a_submission_that_never_ends_is_stopped_by_the_time_limit(tmp_path):
    submission = write(
        notebook_01(RIGHT, "\n\nclass Forever:\n    while True:\n        pass\n"),
        tmp_path / "01_dados_e_metricas.ipynb",
    )
    result = grade(submission, timeout=20, quiet=True)
    assert result["status"] == TIMEOUT and "Tempo esgotado" in result["report"]


def test_a_truncated_notebook_is_reported_not_fatal(tmp_path):
    good = write(notebook_01(RIGHT), tmp_path / "good.ipynb").read_text()
    truncated = tmp_path / "01_dados_e_metricas.ipynb"
    truncated.write_text(good[: len(good) // 2])
    result = grade(truncated, quiet=True)
    assert result["status"] == INVALID and "Arquivo inválido" in result["report"]


@pytest.mark.subprocess
def test_reflection_answers_are_flagged_and_notebook_05_never_reports_zero_of_zero(tmp_path):
    nb = nbformat.read(STUDENT / "05_comparacao.ipynb", as_version=4)
    placeholders = [
        c for c in nb.cells if c.cell_type == "markdown" and c.source.strip() == "_Escreva sua resposta aqui._"
    ]
    assert len(placeholders) >= 5
    placeholders[0].source = "A escolha do *backbone* mudou mais a mIoU."
    index = nb.cells.index(placeholders[2])  # answered in a new cell below the placeholder
    nb.cells.insert(index + 1, nbformat.v4.new_markdown_cell("O ônibus: é grande e rígido."))
    submission = write(nb, tmp_path / "05_comparacao.ipynb")

    result = grade(submission, quiet=True)

    assert [answer["answered"] for answer in result["reflections"]] == [i in (0, 2) for i in range(len(placeholders))]
    assert f"Perguntas de reflexão: 2 de {len(placeholders)} respondidas." in result["report"]
    assert "❌ sem resposta: Pergunta 1: Das escolhas que a sua grade compara" in result["report"]  # its own label
    assert "❌ sem resposta: Previsão 3 (antes de rodar): Qual das quatro mudanças" in result["report"]
    assert "0 de 0" not in result["report"] and "não tem exercícios de código" in result["report"]


@pytest.mark.subprocess
def test_extra_statements_in_every_exercise_cell_still_grade_fully_correct(tmp_path):
    """A test line and a computed constant in each exercise cell of notebook 02; 03, 04 and 05 still load the classes."""
    nb = nbformat.read(ROOT / "solutions" / "notebooks" / "02_fcn_alexnet.ipynb", as_version=4)
    edited = 0
    for cell in nb.cells:
        if cell.cell_type == "code" and (
            "class FCN_AlexNet" in cell.source
            or "def make_optimizer" in cell.source
            or "def compute_loss" in cell.source
        ):
            cell.source = "HIDDEN = 64 * 2\n" + cell.source + "\nprint('testando', HIDDEN)\nresult = HIDDEN + 1\n"
            edited += 1
    assert edited >= 2
    submission = write(nb, tmp_path / "02_fcn_alexnet.ipynb")

    result = grade(submission, quiet=True)

    keys = exercises_for_notebook("02_fcn_alexnet.ipynb")
    expected = len([key for key in keys if not get_exercise(key).challenge])  # the Desafio is reported apart
    assert result["status"] == OK and (result["passed"], result["total"]) == (expected, expected), result["report"]
    assert [e["passed"] for e in result["challenges"]] == [True] * (len(keys) - expected)
    loaded = load_definitions(submission, ["FCN_AlexNet", "make_optimizer", "compute_loss", "make_criterion"])
    assert loaded["FCN_AlexNet"](3, skip=True).skip == "8s"


def test_statuses_are_language_neutral_machine_values_with_labels_for_people():
    assert (OK, INVALID, TIMEOUT, CRASHED) == ("ok", "invalid", "timed_out", "crashed")
    assert [status_label(s) for s in (OK, INVALID, TIMEOUT, CRASHED)] == [
        "corrigido",
        "arquivo inválido",
        "tempo esgotado",
        "erro na correção",
    ]
    assert all(column.isascii() and column == column.lower() and " " not in column for column in CSV_COLUMNS)


def test_a_crashed_grading_is_reported_in_portuguese_with_the_error():
    result = {
        "status": CRASHED,
        "exercises": [],
        "cell_errors": [],
        "checks_error": "boom",
        "reflections": [{"question": "Por quê?", "answered": False}],
    }
    report = report_markdown("ana/02.ipynb", result)
    assert report.startswith("# Relatório de correção: ana/02.ipynb")
    assert "## ⚠️ As verificações não puderam terminar" in report and "```\nboom\n```" in report
    assert "❌ sem resposta: Pergunta 1: Por quê?" in report and "não tem exercícios" not in report


def test_the_new_statuses_have_labels_for_people():
    assert (TAMPERED, NOT_A_FILE) == ("tampered", "not_a_file")
    assert [status_label(s) for s in (TAMPERED, NOT_A_FILE)] == ["para revisão manual", "não é um arquivo comum"]


def test_reflection_questions_carry_the_notebooks_own_labels_and_no_markdown():
    """The report names each question as the notebook and the rubric do ("Pergunta 2", not "Pergunta 4: 2.**")."""
    labels = {}
    for path in sorted(STUDENT.glob("0*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        labels[path.stem[:2]] = [(a["label"], a["question"]) for a in reflection_answers(nb, nb)]
    assert [label for label, _ in labels["01"]] == ["Previsão (antes de rodar)"]
    assert labels["02"] == []  # since the split (issue 23) its two questions are in 03
    assert [label for label, _ in labels["03"]] == ["Previsão (antes de rodar)", "Pergunta A"]
    assert [label for label, _ in labels["04"]] == ["Pergunta B"]
    assert [label for label, _ in labels["05"]] == ["Previsões 1 e 2"] + [f"Pergunta {n}" for n in range(1, 6)] + [
        "Previsão 3 (antes de rodar)",
        "Previsão 3, depois da medição",
        "Pergunta 6",
    ]
    assert dict(labels["05"])["Pergunta 2"].startswith("Abra a figura das predições")
    assert not any("*" in question or "`" in question for values in labels.values() for _, question in values)
    report = report_markdown(
        "x.ipynb",
        {
            "status": OK,
            "exercises": [],
            "cell_errors": [],
            "checks_error": None,
            "reflections": [{"question": "Abra", "answered": False, "label": "Pergunta 2"}],
        },
    )
    assert "❌ sem resposta: Pergunta 2: Abra" in report


def test_question_labels_fall_back_on_the_first_line_without_emphasis():
    assert question_label("### Uma *pergunta* sem rótulo\n\nTexto.") == (None, "Uma pergunta sem rótulo")
    assert question_label("**Pergunta de reflexão 6: análise.** Use o `explorador`.") == (
        "Pergunta 6",
        "Use o explorador.",
    )


@pytest.mark.subprocess
def test_reflection_answers_of_a_renamed_copy_are_counted(tmp_path):
    """Drive's "Salvar uma cópia" renames the file: the answers are still found through the course notebook."""
    nb = nbformat.read(STUDENT / "05_comparacao.ipynb", as_version=4)
    placeholders = [
        c for c in nb.cells if c.cell_type == "markdown" and c.source.strip() == "_Escreva sua resposta aqui._"
    ]
    placeholders[1].source = "A *skip* ajudou mais nas bordas do ônibus."
    submission = write(nb, tmp_path / "Cópia de 05_comparacao.ipynb")

    result = grade(submission, quiet=True)

    assert [answer["answered"] for answer in result["reflections"]] == [i == 1 for i in range(len(placeholders))]
    assert f"Perguntas de reflexão: 1 de {len(placeholders)} respondidas." in result["report"]


# ---------------------------------------------------------------- entries that are not notebooks: never run
@pytest.fixture
def no_sandbox_probe(monkeypatch):
    """``auto`` means ``none`` without asking bwrap (a process: fast tests start none)."""
    monkeypatch.setattr(sandbox, "bwrap_available", lambda: False)


def no_child(*args, **kwargs):
    raise AssertionError("nothing may run for this entry")


@pytest.mark.safety
def test_a_link_is_reported_never_followed_and_the_report_quotes_nothing_of_its_target(
    tmp_path, monkeypatch, no_sandbox_probe
):
    monkeypatch.setattr(grade_module, "_run_child", no_child)
    secret = tmp_path / "passwd"
    secret.write_text("root:x:0:0:root:/root:/bin/bash\n")
    link = tmp_path / "turma" / "01_dados_e_metricas.ipynb"
    link.parent.mkdir()
    link.symlink_to(secret)

    result = grade(link, report_path=tmp_path / "out" / "r.md", quiet=True)

    assert result["status"] == NOT_A_FILE and result["submission"] == str(link)
    assert "link simbólico" in result["report"] and "root:x" not in result["report"]
    assert "passwd" not in result["report"]


def test_a_folder_named_like_a_notebook_and_a_cell_without_source_are_rows_not_crashes(
    tmp_path, monkeypatch, no_sandbox_probe
):
    monkeypatch.setattr(grade_module, "_run_child", no_child)
    folder = tmp_path / "x.ipynb"
    folder.mkdir()
    assert grade(folder, quiet=True)["status"] == NOT_A_FILE
    nb = notebook_01(RIGHT)
    del nb.cells[3]["source"]
    broken = write_raw(nb, tmp_path / "01_dados_e_metricas.ipynb")
    result = grade(broken, quiet=True)
    assert result["status"] == INVALID and "célula 4" in result["report"]


def write_raw(nb, path: Path) -> Path:
    """Write ``nb`` as JSON without nbformat's validation (a broken notebook, as a student's editor may save)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(nb))
    return path


# ---------------------------------------------------------------- the child's result, checked by the parent
def fake_child(write_result):
    """A stand-in for the child process (``grade_time.run_limited``): ``write_result(workdir, token)`` plays the
    child's part, reading the token file as the child does; exit code 0."""

    def run_limited(command, cpu_seconds, *, cwd, env):
        token = (Path(cwd) / "token").read_text()
        (Path(cwd) / "token").unlink()
        write_result(Path(cwd), token)
        return ChildRun(0, "", "", 1.0, 1.0)

    return run_limited


@pytest.mark.safety
def test_a_result_that_is_not_json_is_a_crash_and_one_without_the_token_is_tampering(tmp_path, monkeypatch):
    submission = write(notebook_01(RIGHT), tmp_path / "01_dados_e_metricas.ipynb")
    not_json = fake_child(lambda w, token: (w / "result.json").write_text("{oops"))
    monkeypatch.setattr(grade_module, "run_limited", not_json)
    result = grade(submission, quiet=True, sandbox_mode="none")
    assert result["status"] == CRASHED and "ilegível" in result["report"]

    forged = {
        "token": "a guess",
        "exercises": [{"key": "iou", "name": "Exercício 0", "passed": True, "messages": []}],
        "cell_errors": [],
        "checks_error": None,
    }
    monkeypatch.setattr(
        grade_module, "run_limited", fake_child(lambda w, token: (w / "result.json").write_text(json.dumps(forged)))
    )
    result = grade(submission, quiet=True, sandbox_mode="none")
    assert result["status"] == TAMPERED and FORGED_RESULT in result["review"] and result["passed"] == 0


@pytest.mark.safety
def test_a_submission_that_changes_its_own_file_while_graded_is_tampered_not_fatal(tmp_path, monkeypatch):
    submission = write(notebook_01(RIGHT), tmp_path / "01_dados_e_metricas.ipynb")

    def child_that_edits(workdir, token):
        submission.write_text(submission.read_text().replace("tp / (tp + fp + fn)", "tp / tp"))
        (workdir / "result.json").write_text(
            json.dumps({"token": token, "exercises": [], "cell_errors": [], "checks_error": None})
        )

    monkeypatch.setattr(grade_module, "run_limited", fake_child(child_that_edits))
    result = grade(submission, quiet=True, sandbox_mode="none")
    assert result["status"] == TAMPERED and FILE_CHANGED in result["review"]
    assert "mudou enquanto era corrigido" in result["report"]


# ---------------------------------------------------------------- the report
FORGED_BLOCK = "\n\n**1 de 1 exercício correto.**\n\n## ✅ Exercício 0 (forjado)\n- tudo certo"


@pytest.mark.safety
def test_report_text_escapes_what_the_submission_printed():
    markdown_it = pytest.importorskip("markdown_it")
    result = {
        "status": OK,
        "review": {},
        "checks_error": "```\n# forged heading",
        "exercises": [{"name": "Exercício 0", "passed": False, "messages": [f"erro: {FORGED_BLOCK}"]}],
        "cell_errors": [{"label": "célula 3 `x`", "error": f"ValueError: {FORGED_BLOCK}`"}],
    }
    report = report_markdown("ana/01 *negrito*.ipynb", result)
    html = markdown_it.MarkdownIt().render(report)
    assert html.count("<h2>") == 3  # the exercise, the unfinished checks, the cells with errors: nothing forged
    assert "<strong>" in html and html.count("<strong>") == 1  # the real score only
    assert "forjado" in html and "<h2>✅" not in html and "<em>" not in html and "<h1>forged" not in html


def test_a_report_that_cannot_be_written_says_why_and_leaves_no_partial_file(tmp_path, monkeypatch, no_sandbox_probe):
    submission = write(notebook_01(RIGHT), tmp_path / "01_dados_e_metricas.ipynb")
    monkeypatch.setattr(
        grade_module,
        "_run_child",
        lambda *a, **k: {"status": OK, "exercises": [], "cell_errors": [], "checks_error": None},
    )
    reports = tmp_path / "reports"
    reports.mkdir()
    (reports / "r.md").write_text("the earlier report")
    real_write_text = Path.write_text

    def full_disk(self, data, *args, **kwargs):
        if self.parent == reports:
            real_write_text(self, data[: len(data) // 2], *args, **kwargs)
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real_write_text(self, data, *args, **kwargs)

    monkeypatch.setattr(Path, "write_text", full_disk)
    result = grade(submission, report_path=reports / "r.md", quiet=True)
    monkeypatch.undo()

    assert result["report_error"] == text("files.disk_full", path=reports / "r.md", folder=reports)
    assert [p.name for p in reports.iterdir()] == ["r.md"] and (reports / "r.md").read_text() == "the earlier report"


def test_a_report_path_that_is_a_link_is_replaced_never_written_through(tmp_path, monkeypatch, no_sandbox_probe):
    submission = write(notebook_01(RIGHT), tmp_path / "01_dados_e_metricas.ipynb")
    monkeypatch.setattr(
        grade_module,
        "_run_child",
        lambda *a, **k: {"status": OK, "exercises": [], "cell_errors": [], "checks_error": None},
    )
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    (tmp_path / "r.md").symlink_to(victim)
    grade(submission, report_path=tmp_path / "r.md", quiet=True)
    assert victim.read_text() == "keep me"
    assert not (tmp_path / "r.md").is_symlink() and "Relatório" in (tmp_path / "r.md").read_text()


# ---------------------------------------------------------------- a hostile submission, really run
def processes_with_arguments(*arguments: str) -> list:
    """Live processes (not zombies) whose command line is exactly ``arguments``."""
    wanted, found = "\0".join(arguments).encode() + b"\0", []
    for entry in Path("/proc").iterdir():
        try:
            if (
                entry.name.isdigit()
                and (entry / "cmdline").read_bytes() == wanted
                and " Z " not in (entry / "stat").read_text().split(")", 1)[1][:4]
            ):
                found.append(int(entry.name))
        except OSError:
            pass
    return found


ATTACKS = '''

import json, os, resource, subprocess, sys
from solutions.fcn_alexnet import FCN_AlexNet


class Snoop:
    sleeper = subprocess.Popen(["sleep", "{marker}"])
    observed = {{"env": sorted(os.environ), "cwd": os.getcwd(), "path": sys.path, "sleeper": sleeper.pid,
                "limits": [resource.getrlimit(getattr(resource, kind))[0]
                           for kind in ("RLIMIT_AS", "RLIMIT_CPU", "RLIMIT_FSIZE", "RLIMIT_NPROC")]}}
    for name, attempt in [("classmate", lambda: open({classmate!r}).read()),
                          ("class_folder", lambda: os.listdir({class_folder!r})),
                          ("instructor", lambda: __import__("fcn_course.instructor.grade")),
                          ("solutions_file", lambda: open({solutions_file!r}).read()),
                          ("delete_in_working_folder", lambda: os.remove({working_file!r}))]:
        try:
            attempt()
            observed[name] = "allowed"
        except Exception as error:
            observed[name] = type(error).__name__
    raise RuntimeError("SPY" + json.dumps(observed) + "YPS")


class Memory:
    import numpy
    big = numpy.empty(9 * 2 ** 30, dtype=numpy.uint8)


class BigFile:
    open("big.bin", "wb").write(b"0" * (20 * 2 ** 20))


class Injection:
    raise ValueError({forged!r})
'''

CHILD_VARIABLES = {
    "PATH",
    "HOME",
    "USERPROFILE",
    "TMPDIR",
    "TEMP",
    "TMP",
    "LANG",
    "LC_ALL",
    "FCN_COURSE_SMOKE",
    "FCN_COURSE_LANG",  # the grading's language (grade --lang)
    "MPLBACKEND",
    "PYTHONPATH",
    "PYTHONDONTWRITEBYTECODE",
    "PYTHONNOUSERSITE",
    "PYTHONIOENCODING",
    "MALLOC_ARENA_MAX",
    "LC_CTYPE",
    "OMP_NUM_THREADS",
    "MKL_NUM_THREADS",
    "FCN_COURSE_GRADE_CPU_SECONDS",  # one thread, CPU limit
    "TORCHINDUCTOR_CACHE_DIR",
    "KMP_DUPLICATE_LIB_OK",
    "KMP_INIT_AT_FORK",
}  # PyTorch sets these


@pytest.fixture(scope="module")
def zygote_pool():
    """One pre-imported grading parent for the module's tests (``grade_zygote``): the safety tests run twice,
    with a fresh process and forked from it."""
    from fcn_course.instructor.grade_zygote import ZygotePool

    with ZygotePool() as pool:
        yield pool


@pytest.fixture(params=["process", "zygote", "bwrap-zygote"])
def launcher(request):
    """How the child starts (``grade``'s ``sandbox_mode`` and ``zygotes``): a fresh process per submission, forked
    from the module's zygote (Linux only), or forked from a zygote that runs in the bwrap sandbox."""
    from fcn_course.instructor.grade_zygote import supported

    if request.param == "process":
        return {"sandbox_mode": "none", "zygotes": None}
    if not supported():
        pytest.skip("no zygote on this platform (grade_zygote.supported)")
    if request.param == "bwrap-zygote" and not bwrap_available():
        pytest.skip("bubblewrap (bwrap) is not installed or cannot run here")
    mode = "bwrap" if request.param == "bwrap-zygote" else "none"
    return {"sandbox_mode": mode, "zygotes": request.getfixturevalue("zygote_pool")}


@pytest.mark.safety
@pytest.mark.subprocess
def test_a_hostile_submission_runs_in_its_box_and_is_flagged_for_review(tmp_path, monkeypatch, launcher):
    marker = str(random.randint(10**6, 10**7))
    monkeypatch.setenv("FCN_COURSE_INSTRUCTOR_SECRET", "s3cr3t")
    working = tmp_path / "professor"
    working.mkdir()
    (working / "notas.txt").write_text("keep")
    monkeypatch.chdir(working)
    turma = tmp_path / "turma"
    classmate = write(notebook_01(RIGHT), turma / "bia" / "01_dados_e_metricas.ipynb")
    attacks = ATTACKS.format(
        marker=marker,
        classmate=str(classmate),
        class_folder=str(turma),
        solutions_file=str(ROOT / "solutions" / "fcn_alexnet.py"),
        working_file=str(working / "notas.txt"),
        forged=FORGED_BLOCK,
    )
    submission = write(notebook_01(RIGHT, attacks), turma / "ana" / "01_dados_e_metricas.ipynb")

    result = grade(
        submission,
        quiet=True,
        timeout=300,
        private=[turma],
        limits=Limits(memory_bytes=6 * GIB, file_bytes=10 * 2**20),
        **launcher,
    )

    observed = spied(result)
    assert set(observed["env"]) <= CHILD_VARIABLES and "FCN_COURSE_INSTRUCTOR_SECRET" not in observed["env"]
    assert Path(observed["cwd"]) not in (working, submission.parent) and str(ROOT) not in observed["path"]
    memory, cpu, file_size, processes = observed["limits"]
    assert (memory, cpu, file_size) == (6 * GIB, 300, 10 * 2**20) and processes > 0
    assert {
        key: observed[key]
        for key in ("classmate", "class_folder", "instructor", "solutions_file", "delete_in_working_folder")
    } == {
        "classmate": "PermissionError",
        "class_folder": "PermissionError",
        "instructor": "ImportError",
        "solutions_file": "PermissionError",
        "delete_in_working_folder": "PermissionError",
    }
    assert (working / "notas.txt").read_text() == "keep"
    assert not processes_with_arguments("sleep", marker), "a process the submission started outlived the grading"
    errors = " ".join(error["error"] for error in result["cell_errors"])
    assert "MemoryError" in errors and "File too large" in errors and "solutions.fcn_alexnet" in errors
    assert result["status"] == OK and (result["passed"], result["total"]) == (1, 1)
    assert set(result["review"]) == {INSTRUCTOR_CODE, PRIVATE_FILES} and "Para revisão manual" in result["report"]
    lines = result["report"].splitlines()
    assert lines.count("**1 de 1 exercício correto.**") == 1 and sum(line.startswith("## ✅") for line in lines) == 1


TAMPERING_CELL = '''

import numpy as np
from fcn_course import checks
import fcn_course.checks.registry as registry


class Tamper:
    import sys
    np.allclose = lambda *args, **kwargs: True
    registry.check = lambda key, namespace=None, verbose=True: checks.CheckResult("Exercício 0", True, [], key=key)
    harness = sys.modules["__main__"]  # the grading process itself: hide what changed from its result
    harness.write_result = lambda path, result, real=harness.write_result: real(path, {**result, "replaced": []})
'''

FORGING_CELL = '''

class Forge:
    import json, os
    open("result.json", "w").write(json.dumps({"token": "?", "exercises": [{"key": "iou", "name": "Exercício 0",
        "passed": True, "messages": []}], "cell_errors": [], "checks_error": None}))
    os._exit(0)
'''


@pytest.mark.safety
@pytest.mark.subprocess
def test_a_submission_that_replaces_the_checks_is_caught(tmp_path, launcher):
    submission = write(notebook_01(RECALL, TAMPERING_CELL), tmp_path / "01_dados_e_metricas.ipynb")
    result = grade(submission, quiet=True, timeout=300, **launcher)
    assert result["status"] == TAMPERED
    assert {"numpy.allclose", "fcn_course.checks.registry.check", "__main__.write_result"} <= set(
        result["review"][CHECKS_REPLACED]
    )
    assert {"np.allclose =", "registry.check ="} <= set(result["review"][INTERPRETER_TOOLS])
    assert "não é confiável" in result["report"]


@pytest.mark.safety
@pytest.mark.subprocess
def test_a_result_file_written_by_the_submission_is_recognised_as_forged(tmp_path, launcher):
    submission = write(notebook_01(RECALL, FORGING_CELL), tmp_path / "01_dados_e_metricas.ipynb")
    result = grade(submission, quiet=True, timeout=300, **launcher)
    assert result["status"] == TAMPERED and FORGED_RESULT in result["review"] and result["passed"] == 0


def test_the_source_review_flags_imports_paths_and_interpreter_tools():
    nb = notebook_01(
        RIGHT,
        "\n\nimport sys\nfrom fcn_course import instructor\nF = sys._getframe\n"
        "P = '../../solutions/fcn_alexnet.py'\nimport torch\n"
        "torch.backends.cudnn.benchmark = True\n",
    )
    review = source_review(nb)
    assert review[INSTRUCTOR_CODE] == ["fcn_course.instructor", "../../solutions/fcn_alexnet.py"]
    assert review[INTERPRETER_TOOLS] == ["sys._getframe"]  # torch.backends settings are ordinary
    assert source_review(notebook_01(RIGHT)) == {}  # the course's own cells raise nothing


SANDBOX_CELL = '''

import json, os, socket, subprocess


class Outside:
    observed = {{}}
    try:
        socket.create_connection(("1.1.1.1", 53), timeout=3)
        observed["network"] = "open"
    except OSError as error:
        observed["network"] = type(error).__name__
    observed["class_folder"] = subprocess.run(["ls", "-A", {class_folder!r}], capture_output=True, text=True).stdout
    observed["solutions"] = subprocess.run(["cat", {solutions_file!r}], capture_output=True).returncode
    observed["write_home"] = subprocess.run(["touch", {home_file!r}], capture_output=True).returncode
    observed["write_tmp"] = subprocess.run(["touch", {tmp_file!r}], capture_output=True).returncode
    observed["capabilities"] = subprocess.run(["grep", "CapEff", "/proc/self/status"], capture_output=True,
                                              text=True).stdout.split()[-1]
    raise RuntimeError("SPY" + json.dumps(observed) + "YPS")
'''


@pytest.mark.safety
@pytest.mark.subprocess
@pytest.mark.parametrize("forked", [False, True], ids=["process", "zygote"])
def test_in_the_bwrap_sandbox_programs_the_submission_starts_see_no_network_and_no_class(tmp_path, request, forked):
    """Also forked from a zygote in the sandbox: the zygote never sees the class folder either."""
    if not bwrap_available():
        pytest.skip("bubblewrap (bwrap) is not installed or cannot run here")
    zygotes = request.getfixturevalue("zygote_pool") if forked else None
    turma = tmp_path / "turma"
    write(notebook_01(RIGHT), turma / "bia" / "01_dados_e_metricas.ipynb")
    home_file = Path.home() / f"grading-sandbox-{random.randint(10**6, 10**7)}"
    cell = SANDBOX_CELL.format(
        class_folder=str(turma),
        solutions_file=str(ROOT / "solutions" / "fcn_alexnet.py"),
        home_file=str(home_file),
        tmp_file=str(tmp_path / "outside.txt"),
    )
    submission = write(notebook_01(RIGHT, cell), turma / "ana" / "01_dados_e_metricas.ipynb")
    try:
        result = grade(submission, quiet=True, sandbox_mode="bwrap", timeout=300, private=[turma], zygotes=zygotes)
        observed = spied(result)
        assert observed["network"] != "open" and observed["class_folder"] == ""
        assert observed["solutions"] != 0 and observed["write_home"] != 0 and not home_file.exists()
        assert not (tmp_path / "outside.txt").exists()  # /tmp in the sandbox is its own, thrown away
        assert int(observed["capabilities"], 16) == 0  # none, even when the grader runs as root
        assert result["sandbox"] == "bwrap" and result["status"] == OK and result["passed"] == 1
    finally:
        home_file.unlink(missing_ok=True)


def test_asking_for_bwrap_where_it_does_not_work_is_a_clear_error(monkeypatch):
    monkeypatch.setattr(sandbox.shutil, "which", lambda name: None)
    sandbox.bwrap_available.cache_clear()
    try:
        with pytest.raises(SandboxUnavailable, match="apt-get install bubblewrap"):
            sandbox.resolve_sandbox("bwrap")
        assert sandbox.resolve_sandbox("auto") == "none"
    finally:
        sandbox.bwrap_available.cache_clear()


# --------------------------------------------------------------------------------------------------
# The grading's language (grade --lang, issue 24): reports, labels and the checks' feedback follow it;
# the statuses and the CSV columns are machine values that never change with it
# --------------------------------------------------------------------------------------------------
def test_the_report_and_the_labels_follow_the_grading_language():
    from fcn_course.messages import set_language

    set_language("en")
    result = {
        "status": CRASHED,
        "exercises": [],
        "cell_errors": [],
        "checks_error": "boom",
        "reflections": [{"question": "Why?", "answered": False}],
    }
    report = report_markdown("ana/02.ipynb", result)
    assert report.startswith("# Grading report: ana/02.ipynb")
    assert "## ⚠️ The checks could not finish" in report and "❌ not answered: Question 1: Why?" in report
    assert (TAMPERED, status_label(TAMPERED)) == ("tampered", "for manual review")
    # A notebook still in Portuguese graded in English: its labels are found, and named in English.
    assert question_label("**Pergunta de reflexão 6: análise.** Use o `explorador`.") == (
        "Question 6",
        "Use o explorador.",
    )
    assert question_label("**Reflection question B.** Why?") == ("Question B", "Why?")


def test_the_checks_of_a_submission_get_the_grading_language(tmp_path):
    from fcn_course.environment import LANG_ENV
    from fcn_course.messages import set_language

    assert sandbox.child_environment(tmp_path, [])[LANG_ENV] == "pt_BR"
    set_language("en")
    assert sandbox.child_environment(tmp_path, [])[LANG_ENV] == "en"


def setup_says(nb, line: str):
    """``nb`` with the line of its set-up cell (the second cell) that chooses the language replaced by ``line``
    (``""``: removed, as in a notebook made before the line existed)."""
    setup = nb.cells[1]
    source = re.sub(r"^os\.environ\['FCN_COURSE_LANG'\] = .*$", line, setup.source, count=1, flags=re.MULTILINE)
    assert source != setup.source or "FCN_COURSE_LANG" in line
    setup.source = source
    return nb


@pytest.mark.parametrize(
    "line, language",
    [
        ("os.environ['FCN_COURSE_LANG'] = 'pt_BR'  # a língua das mensagens deste notebook", "pt_BR"),
        ("os.environ['FCN_COURSE_LANG'] = 'en'  # the language of this notebook's messages", "en"),
        ('os.environ["FCN_COURSE_LANG"] = "EN"', "en"),  # spelled as the catalogue accepts it
        ("", "pt_BR"),  # a notebook from before the line: the course's default
        ("os.environ['FCN_COURSE_LANG'] = 'fr'", "pt_BR"),  # not a language of the catalogue
        ("os.environ['FCN_COURSE_LANG'] = 'en_US.UTF-8'", "pt_BR"),
        ("os.environ['FCN_COURSE_LANG'] = 42", "pt_BR"),
        ("os.environ['FCN_COURSE_LANG'] = 'e' + 'n'", "pt_BR"),  # only a plain string is read
        ("os.environ['FCN_COURSE_LANG'] = 'en' +", "pt_BR"),  # the cell no longer parses
        ("!pip install -q tqdm\nos.environ['FCN_COURSE_LANG'] = 'en'", "en"),  # IPython syntax around it
    ],
)
def test_a_submissions_language_is_read_from_its_setup_cell(line, language):
    assert submission_language(setup_says(notebook_01(RIGHT), line)) == language


def test_reading_a_submissions_language_never_runs_its_code(tmp_path):
    ran = tmp_path / "ran"
    line = f"os.environ['FCN_COURSE_LANG'] = __import__('pathlib').Path({str(ran)!r}).touch() or 'en'"
    assert submission_language(setup_says(notebook_01(RIGHT), line)) == "pt_BR" and not ran.exists()


def test_a_moved_or_missing_setup_cell_still_gives_a_language():
    """A student may add a cell above the set-up cell or delete it: the first code cell that chooses a
    language is read; none at all, or no cell at all, is the course's default."""
    nb = setup_says(notebook_01(RIGHT), "os.environ['FCN_COURSE_LANG'] = 'en'")
    nb.cells.insert(1, nbformat.v4.new_code_cell("import os\nos.environ['FCN_COURSE_DATA'] = '/dados'"))
    assert submission_language(nb) == "en"
    del nb.cells[2]
    assert submission_language(nb) == "pt_BR"
    assert submission_language(nbformat.v4.new_notebook()) == "pt_BR"


def language_spy(seen: list):
    """A stand-in for the child process that records the language it was given (its environment and the
    grader's active language while it runs) and answers with the exercise's title in that language."""

    def run_child(copy_path, *args, **kwargs):
        from fcn_course.environment import LANG_ENV
        from fcn_course.messages import active_language

        seen.append((sandbox.child_environment(copy_path.parent, [])[LANG_ENV], active_language()))
        exercise = {"key": "iou", "name": get_exercise("iou").title, "passed": True, "messages": []}
        return {"status": OK, "exercises": [exercise], "cell_errors": [], "checks_error": None, "review": {}}

    return run_child


def test_each_submission_is_graded_and_reported_in_its_own_language(tmp_path, monkeypatch, no_sandbox_probe):
    """Per submission, not per grading: the child gets the language of the submission's set-up cell, and the
    report speaks it; the grader's own language (set_language) is not changed and does not decide."""
    from fcn_course.messages import active_language, set_language

    seen = []
    monkeypatch.setattr(grade_module, "_run_child", language_spy(seen))
    set_language("en")  # the instructor's language: it does not choose the students'
    english = write(setup_says(notebook_01(RIGHT), "os.environ['FCN_COURSE_LANG'] = 'en'"), tmp_path / "a" / "01.ipynb")
    portuguese = write(notebook_01(RIGHT), tmp_path / "b" / "01_dados_e_metricas.ipynb")
    older = write(setup_says(notebook_01(RIGHT), ""), tmp_path / "c" / "01_dados_e_metricas.ipynb")

    results = [grade(path, quiet=True) for path in (english, portuguese, older)]

    assert seen == [("en", "en"), ("pt_BR", "pt_BR"), ("pt_BR", "pt_BR")]
    assert [r["language"] for r in results] == ["en", "pt_BR", "pt_BR"]
    assert [r["report_language"] for r in results] == ["en", "pt_BR", "pt_BR"]
    assert results[0]["report"].startswith("# Grading report: 01.ipynb")
    assert "**1 of 1 exercise correct.**" in results[0]["report"] and "Exercise 0" in results[0]["report"]
    for result in results[1:]:
        assert result["report"].startswith("# Relatório de correção") and "1 de 1 exercício correto" in result["report"]
        assert "Exercício 0" in result["report"]
    assert active_language() == "en"


def test_a_language_the_instructor_forces_is_used_for_every_submission(tmp_path, monkeypatch, no_sandbox_probe):
    """``grade --lang``: every report and every child in that language; the submission's own is still noted."""
    seen = []
    monkeypatch.setattr(grade_module, "_run_child", language_spy(seen))
    portuguese = write(notebook_01(RIGHT), tmp_path / "01_dados_e_metricas.ipynb")
    (tmp_path / "broken.ipynb").write_text("{")

    forced = grade(portuguese, quiet=True, language="en")
    unreadable = [grade(tmp_path / "broken.ipynb", quiet=True, language=lang) for lang in (None, "en")]

    assert seen == [("en", "en")] and (forced["language"], forced["report_language"]) == ("pt_BR", "en")
    assert forced["report"].startswith("# Grading report") and "Exercise 0" in forced["report"]
    assert [r["status"] for r in unreadable] == [INVALID, INVALID]
    assert [r["language"] for r in unreadable] == ["", ""]  # nothing could be read to tell
    assert [r["report_language"] for r in unreadable] == ["pt_BR", "en"]
    assert "Arquivo inválido" in unreadable[0]["report"] and "Invalid file" in unreadable[1]["report"]
    with pytest.raises(ValueError, match="'fr'"):
        grade(portuguese, quiet=True, language="fr")


def test_an_english_submission_finds_its_answers_through_the_english_student_notebook(tmp_path, monkeypatch):
    """The reflection answers are found through the student notebook of the submission's edition
    (``notebooks/en/``), and through the course's own when that edition has no such notebook."""
    course = tmp_path / "course"
    for folder, words in ((course / "notebooks", "Português"), (course / "notebooks" / "en", "English")):
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(words)])
        write(nb, folder / "01_dados_e_metricas.ipynb")
    monkeypatch.setattr(grade_module, "PACKAGE_PARENT", course)

    assert grade_module._template_for("01_dados_e_metricas", "en").cells[0].source == "English"
    assert grade_module._template_for("01_dados_e_metricas", "pt_BR").cells[0].source == "Português"
    (course / "notebooks" / "en" / "01_dados_e_metricas.ipynb").unlink()
    assert grade_module._template_for("01_dados_e_metricas", "en").cells[0].source == "Português"
    assert grade_module._template_for(None, "en") is None


@pytest.mark.subprocess
def test_a_submission_of_the_english_edition_is_reported_in_english_with_its_answers_found(tmp_path):
    """The real English notebook 05: its language from its set-up cell, its answers found through
    ``notebooks/en/05_comparacao.ipynb`` (English placeholders), its report and labels in English."""
    nb = nbformat.read(STUDENT / "en" / "05_comparacao.ipynb", as_version=4)
    placeholders = [
        c for c in nb.cells if c.cell_type == "markdown" and c.source.strip() == "_Write your answer here._"
    ]
    assert len(placeholders) >= 5
    placeholders[1].source = "The backbone changed the mIoU the most."
    submission = write(nb, tmp_path / "ana" / "05_comparacao.ipynb")

    result = grade(submission, quiet=True, sandbox_mode="none")

    assert (result["language"], result["report_language"], result["status"]) == ("en", "en", OK)
    assert [answer["answered"] for answer in result["reflections"]] == [i == 1 for i in range(len(placeholders))]
    assert result["report"].startswith("# Grading report: 05\\_comparacao.ipynb")
    assert f"Reflection questions: 1 of {len(placeholders)} answered." in result["report"]
    assert "❌ not answered: Question 2: Open the figure" in result["report"]
    assert "✅ Question 1: Of the choices your grid compares" in result["report"]


MEDDLING_CELL = """

class Meddle:
    import os
    os.environ['FCN_COURSE_LANG'] = 'fr'  # would make every message of the checks fail, were it read
"""


@pytest.mark.subprocess
@pytest.mark.slow
def test_a_submission_in_english_gets_english_feedback_whatever_its_code_does_to_the_language(tmp_path):
    """The child that runs the checks speaks the submission's language (chosen explicitly from the grader's
    configuration, so that code of the submission that changes FCN_COURSE_LANG changes nothing)."""
    observed = "[os.environ.get('FCN_COURSE_LANG'), sys.modules['fcn_course.messages'].active_language()]"
    nb = notebook_01(RECALL, MEDDLING_CELL + spy_cell(observed), edition="en")
    submission = write(nb, tmp_path / "01_dados_e_metricas.ipynb")

    result = grade(submission, quiet=True, sandbox_mode="none")

    assert result["status"] == OK and result["passed"] == 0 and result["checks_error"] is None, result["report"]
    assert spied(result) == ["fr", "en"]
    feedback = " ".join(result["exercises"][0]["messages"])
    assert "this is each class's recall" in feedback and "isso é" not in feedback
    assert result["exercises"][0]["name"].startswith("Exercise 0") and result["report"].startswith("# Grading report")


def test_a_desafio_is_reported_apart_as_extra_and_never_counted():
    graded, desafios = split_challenges(
        [
            {"key": "iou", "name": "Exercício 0 (IoU)", "passed": True, "messages": []},
            {"key": "miou-per-image", "name": "Desafio 1 (mIoU por imagem)", "passed": False, "messages": ["falta"]},
        ]
    )
    assert [e["key"] for e in graded] == ["iou"] and [e["key"] for e in desafios] == ["miou-per-image"]
    result = {"status": OK, "exercises": graded, "challenges": desafios, "cell_errors": [], "checks_error": None}
    report = report_markdown("ana/01.ipynb", result)
    assert "**1 de 1 exercício correto.**" in report or "1 de 1" in report.split("##")[0]
    extra = report.split("## ⭐ Desafios (extras: não contam na nota)", 1)[1]
    assert "0 de 1 desafios resolvidos" in extra and "Desafio 1 (mIoU por imagem)" in extra and "- falta" in extra
    assert "Desafio" not in report.split("## ⭐", 1)[0]


def test_a_result_that_is_no_json_object_is_said_in_the_course_language(tmp_path):
    """A child that writes a JSON list, not an object, crashed: the report says so in the submission's language."""
    from fcn_course import messages

    result = tmp_path / "result.json"
    result.write_text("[1, 2]", encoding="utf-8")
    ended = ChildRun(returncode=0, stdout="", stderr="", cpu_s=0.1, wall_s=0.1)
    portuguese = grade_module._read_result(result, "token", ended, timeout=10, attempts=1)
    with messages.speaking("en"):
        english = grade_module._read_result(result, "token", ended, timeout=10, attempts=1)
    assert portuguese["status"] == english["status"] == CRASHED
    assert text("grade.not_a_json_object", language="pt_BR") in portuguese["checks_error"]
    assert text("grade.not_a_json_object", language="en") in english["checks_error"]
    assert "o resultado não é um objeto JSON" in portuguese["checks_error"]


def test_a_sandbox_mode_that_cannot_be_had_is_said_in_the_course_language(monkeypatch):
    from helpers import raised_in_each_language

    portuguese, english = raised_in_each_language(ValueError, sandbox.resolve_sandbox, "docker")
    assert "sandbox deve ser um de" in portuguese and "'docker'" in portuguese
    assert "sandbox must be one of" in english and "'docker'" in english
    monkeypatch.setattr(sandbox, "bwrap_available", lambda: False)
    portuguese, english = raised_in_each_language(SandboxUnavailable, sandbox.resolve_sandbox, "bwrap")
    assert "não está instalado" in portuguese and "apt-get install bubblewrap" in portuguese
    assert "is not installed" in english and "apt-get install bubblewrap" in english

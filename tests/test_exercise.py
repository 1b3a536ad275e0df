"""An exercise is one row: what a row is, how the course numbers it, and one extra exercise taken through every
tool that reads the registry (build, student notebook, self-check, class grading, nbgrader export, site)."""

import importlib
import sys
import textwrap

import nbformat
import pytest

from fcn_course import checks, messages
from fcn_course.checks.exercise import Exercise, exercise, exercise_numbers, register, unregister
from fcn_course.checks.feedback import ExerciseNotDone
from fcn_course.instructor.build import build
from fcn_course.instructor.grade_class import grade_class
from fcn_course.instructor.nbgrader_export import check_keys, export_nbgrader
from fcn_course.instructor.site import rubric_page
from tiny_course import make_repo

# The extra exercise, as a course author writes it: a check module with its row (here a file of its own so
# that the grader's child process can import it too) ...
CHECK_MODULE = '''
"""The extra exercise ``halve``: a function that returns half of a number."""
from fcn_course import messages
from fcn_course.checks.exercise import exercise
from fcn_course.checks.feedback import Failed, finish, run_student_code

messages.catalogue()["exercise.halve"] = "metade de um número"  # a real exercise adds this line to pt_BR.py


@exercise("halve", notebook="01_dados_e_metricas", names=("halve",))
def check_halve(halve, verbose=True):
    problems = []
    try:
        if run_student_code(problems, "halve(8)", halve, 8) != 4:
            problems.append("halve(8) deveria dar 4.")
    except Failed:
        pass
    return finish("halve", problems, verbose)
'''

# ... and the solution notebook's cells: the reference in a solution region, then the one-line check cell.
NOTEBOOK = '''
    # %%
    from fcn_course import checks

    # %% [markdown]
    # ## Exercício extra: metade

    # %%
    def halve(x):
        """Half of x."""
        BEGIN: divida x por 2
        return x / 2
        END

    # %%
    checks.check(
        "halve",
    );
'''


@pytest.fixture
def extra_exercise(tmp_path, monkeypatch):
    """The ``halve`` exercise registered (in this process and, through PYTHONPATH, in the grader's child)."""
    folder = tmp_path / "extra_checks"
    folder.mkdir()
    (folder / "halve_check.py").write_text(CHECK_MODULE)
    monkeypatch.syspath_prepend(str(folder))
    monkeypatch.setenv("PYTHONPATH", str(folder))
    module = importlib.import_module("halve_check")
    yield module
    unregister("halve")
    sys.modules.pop("halve_check", None)
    messages.catalogue().pop("exercise.halve", None)


@pytest.mark.subprocess
def test_an_extra_exercise_goes_through_build_check_grading_nbgrader_and_site(extra_exercise, tmp_path, capsys):
    row = checks.get_exercise("halve")
    assert row.number == "1", "the new exercise closes notebook 01 (after Exercício 0) and takes the next number"
    assert checks.get_exercise("alexnet-noskip").number == "2"  # the later ones shift, nothing edited by hand

    repo = make_repo(tmp_path, {"01_dados_e_metricas": NOTEBOOK})
    build(repo, quiet=True, names=("01_dados_e_metricas",))
    solution = repo / "solutions" / "notebooks" / "01_dados_e_metricas.ipynb"
    student = repo / "notebooks" / "01_dados_e_metricas.ipynb"
    assert "x / 2" not in student.read_text() and "divida x por 2" in student.read_text()

    # The self-check in a notebook: the stub stops "Run all", the answer passes.
    namespace = {}
    for cell in nbformat.read(student, as_version=4).cells:
        if cell.cell_type == "code" and "checks.check" not in cell.source:
            exec(cell.source, namespace)
    with pytest.raises(ExerciseNotDone, match=r"Exercício \d+ \(metade de um número\)"):
        checks.check("halve", namespace)
    namespace["halve"] = lambda x: x / 2
    assert checks.check("halve", namespace).passed
    assert f"✅ Exercício {row.number} (metade de um número): tudo certo!" in capsys.readouterr().out

    # Class grading: the solution passes, the untouched student notebook does not.
    submissions = tmp_path / "class"
    submissions.mkdir()
    (submissions / "ana_01_dados_e_metricas.ipynb").write_bytes(solution.read_bytes())
    (submissions / "bia_01_dados_e_metricas.ipynb").write_bytes(student.read_bytes())
    grades = grade_class([submissions], tmp_path / "reports", timeout=300)
    reports = {path.name: path.read_text() for path in (tmp_path / "reports").glob("*.md")}
    title = f"Exercício {row.number} (metade de um número)"
    assert any(f"✅ {title}" in text for name, text in reports.items() if name.startswith("ana")), reports
    assert any(f"❌ {title}" in text for name, text in reports.items() if name.startswith("bia")), reports
    assert len(grades.rows) == 2

    # nbgrader: the check cell (a call over three lines) becomes a locked test cell with its hidden assert.
    [exported] = export_nbgrader(repo, tmp_path / "nbgrader", names=("01_dados_e_metricas",))
    test_cells = [
        c
        for c in nbformat.read(exported, as_version=4).cells
        if c.metadata.get("nbgrader", {}).get("grade") and c.cell_type == "code"
    ]
    assert len(test_cells) == 1 and test_cells[0].metadata.nbgrader["locked"]
    assert "assert checks.check('halve', verbose=False).passed" in test_cells[0].source

    # The site's rubric lists it with its number and names.
    assert f"| {row.number} | 01_dados_e_metricas | {title} | `halve` | sim |" in rubric_page()


def test_numbers_follow_the_course_order_and_groups_share_one():
    numbers = exercise_numbers()
    assert [
        numbers[key]
        for key in (
            "iou",
            "alexnet-noskip",
            "alexnet-skip",
            "optimizer",
            "loss",
            "training",
            "upsampler",
            "class-weights",
            "dice-loss",
            "vgg16-noskip",
            "vgg16-skip",
            "vgg16-scoresum",
        )
    ] == list("012333455666")


def test_a_row_for_an_unknown_notebook_or_a_second_row_with_one_key_is_refused():
    with pytest.raises(ValueError, match="not in fcn_course.outline"):
        register(Exercise("x", "99_nothing", ("x",), print))
    with pytest.raises(ValueError, match="registered twice"):
        register(Exercise("iou", "02_fcn_alexnet", ("x",), print))


def test_check_keys_finds_calls_over_several_lines_and_refuses_unknown_keys():
    assert check_keys('checks.check(\n    "alexnet-skip",\n)\n') == ["alexnet-skip"]
    assert check_keys("%matplotlib inline\nchecks.check('iou')") == []  # magics: never a check cell
    assert check_keys("print('checks.check(\"iou\")')") == []
    with pytest.raises(Exception, match="chave de um exercício registrado"):
        check_keys('checks.check("no-such-exercise")')


def test_check_reports_an_unknown_key_and_missing_names_without_raising(capsys):
    result = checks.check("no-such-exercise", {})
    assert not result.passed and "alexnet-skip" in result.messages[0]
    result = checks.check("alexnet-skip", {})
    assert not result.passed and result.key == "alexnet-skip"
    assert "FCN_AlexNet" in result.messages[0] and "02_fcn_alexnet.ipynb" in result.messages[0]
    assert "❌ Exercício 2 (FCN-AlexNet com skip)" in capsys.readouterr().out


def test_check_reads_the_callers_globals_by_default():
    namespace = {"checks": checks}
    exec(
        textwrap.dedent('''
        def iou_and_dice_from_confusion(matrix):
            raise NotImplementedError("ainda não")
        result = checks.check("iou", verbose=False)
    '''),
        namespace,
    )
    assert not namespace["result"].passed and "ainda não" in namespace["result"].messages[0]


def test_every_exercise_has_its_title_in_the_catalogue():
    for row in checks.exercises():
        word = "Desafio" if row.challenge else "Exercício"
        assert row.title == f"{word} {row.number} ({messages.text(f'exercise.{row.key}')})"


def test_a_desafio_is_optional_worth_no_points_and_renumbers_no_exercise(monkeypatch):
    monkeypatch.setitem(messages.catalogue(), "exercise.extra-challenge", "um desafio de teste")
    before = {row.key: row.number for row in checks.exercises() if not row.challenge}
    challenges_before = [row.key for row in checks.exercises() if row.challenge]
    decorate = exercise("extra-challenge", notebook="01_dados_e_metricas", names=("f",), challenge=True, points=3)
    try:
        decorate(lambda f, verbose=True: None)
        row = checks.get_exercise("extra-challenge")
        assert row.optional and row.challenge and row.points == 0
        assert {r.key: r.number for r in checks.exercises() if not r.challenge} == before
        assert row.number == str(challenges_before.index("miou-per-image") + 2)  # after notebook 01's Desafio
        assert row.title == f"Desafio {row.number} (um desafio de teste)"
    finally:
        unregister("extra-challenge")


def test_an_exercise_weighs_one_point_in_the_grade_unless_its_row_says_otherwise():
    from fcn_course.instructor.lms import exercise_points

    points = exercise_points()
    assert points["01_dados_e_metricas"]["iou"] == 1.0  # a row of the decorator
    assert points["02_fcn_alexnet"]["alexnet-skip"] == 1.0  # a row registered directly (the FCN checks)
    assert Exercise("x", "01_dados_e_metricas", ("x",), print).points == 1.0


def test_the_decorator_hands_back_the_check_and_register_the_row(monkeypatch):
    monkeypatch.setitem(messages.catalogue(), "exercise.extra-row", "uma linha de teste")

    def check_extra(f, verbose=True):
        return None

    try:
        assert exercise("extra-row", notebook="01_dados_e_metricas", names=("f",))(check_extra) is check_extra
        assert checks.get_exercise("extra-row").check is check_extra
        unregister("extra-row")
        row = Exercise("extra-row", "01_dados_e_metricas", ("f",), check_extra)
        assert register(row) is row and checks.get_exercise("extra-row") is row
    finally:
        unregister("extra-row")


def test_a_row_run_without_verbose_judges_silently(capsys):
    def stub(matrix):
        raise NotImplementedError("ainda não")

    row = checks.get_exercise("iou")
    assert not row.run({"iou_and_dice_from_confusion": stub}).passed
    assert capsys.readouterr().out == ""
    row.run({"iou_and_dice_from_confusion": stub}, verbose=True)
    assert row.title in capsys.readouterr().out


def test_is_challenge_says_true_for_a_desafio_only():
    assert checks.is_challenge("miou-per-image") is True
    assert checks.is_challenge("iou") is False and checks.is_challenge("no-such-exercise") is False

"""Concept checks (fcn_course.quiz): every question is well formed, the feedback is the right one, the text
fallback tells how to answer, the widgets answer a click, and the graders leave the quiz cells alone."""

import re
from pathlib import Path

import nbformat
import pytest

from fcn_course import quiz
from fcn_course.definitions import execute_definition_cells
from fcn_course.messages import catalogue, set_language, text

ROOT = Path(__file__).resolve().parents[1]
KEYS = quiz.question_keys()
QUIZ_CALL = re.compile(r"""quiz\.ask\(\s*["']([\w-]+)["']""")


def test_the_catalogue_holds_the_questions_the_issue_asks_for():
    assert len(KEYS) >= 10
    assert {"void-iou", "dataset-miou", "stride-32", "conv-replaces-fc", "transposed-size"} <= set(KEYS)


@pytest.mark.parametrize("key", KEYS)
def test_each_question_has_one_right_option_and_every_option_an_explanation(key):
    asked = quiz.question(key)
    letters = [option.letter for option in asked.options]
    assert letters == list(quiz.LETTERS[: len(letters)]), "options are a, b, c... without gaps"
    assert 3 <= len(letters) <= 5
    assert asked.right in letters, f"quiz.{key}.right names no option"
    assert all(option.text.strip() and option.why.strip() for option in asked.options)
    assert len({option.why for option in asked.options}) == len(letters), "each option its own explanation"
    assert len({option.text for option in asked.options}) == len(letters)


@pytest.mark.parametrize("key", KEYS)
def test_the_catalogue_block_of_a_question_has_no_stray_key(key):
    block = {name for name in catalogue() if name.startswith(f"quiz.{key}.")}
    letters = [option.letter for option in quiz.question(key).options]
    expected = {f"quiz.{key}.question", f"quiz.{key}.right"}
    expected |= {f"quiz.{key}.{part}.{letter}" for letter in letters for part in ("option", "why")}
    assert block == expected


@pytest.mark.parametrize("key", KEYS)
def test_the_right_option_is_not_given_away_by_its_length(key):
    """A review aid: the right option is never much the longest (a common tell of hand-written quizzes)."""
    asked = quiz.question(key)
    right = len(asked.option(asked.right).text)
    others = [len(option.text) for option in asked.options if option.letter != asked.right]
    assert right <= 1.3 * max(others), f"{key}: the right option is much longer than every other"


def test_the_right_letters_are_spread_over_the_options():
    """Not always 'b': a student who learns the pattern learns nothing."""
    rights = [quiz.question(key).right for key in KEYS]
    assert max(rights.count(letter) for letter in set(rights)) <= len(rights) // 2


@pytest.mark.parametrize("key", KEYS)
def test_a_right_and_a_wrong_answer_get_their_own_feedback(key):
    asked = quiz.question(key)
    right = asked.option(asked.right)
    wrong = next(option for option in asked.options if option.letter != asked.right)
    assert quiz.feedback(key, right.letter) == text("quiz.right_answer", letter=right.letter, why=right.why)
    said = quiz.feedback(key, wrong.letter)
    assert said == text("quiz.wrong_answer", letter=wrong.letter, why=wrong.why)
    assert right.why not in said, "a wrong answer never reads the right option's explanation"


def test_answers_are_read_leniently_and_an_unknown_letter_lists_the_options():
    asked = quiz.question("stride-32")
    assert quiz.feedback("stride-32", f" {asked.right.upper()}) ") == quiz.feedback("stride-32", asked.right)
    said = quiz.feedback("stride-32", "z")
    assert "'z'" in said and "a, b, c, d" in said


def test_an_unknown_question_names_the_known_ones():
    with pytest.raises(quiz.UnknownQuestion, match="stride-32"):
        quiz.ask("no-such-question", static=True)


def test_without_widgets_ask_prints_the_question_options_and_how_to_answer(capsys):
    quiz.ask("void-iou", static=True)
    out = capsys.readouterr().out
    asked = quiz.question("void-iou")
    assert asked.prompt in out
    assert all(f"{option.letter}) {option.text}" in out for option in asked.options)
    assert 'quiz.ask("void-iou", resposta=' in out
    assert all(option.why not in out for option in asked.options), "no explanation before an answer"


def test_with_an_answer_ask_prints_its_feedback(capsys):
    asked = quiz.question("skip-adds")
    quiz.ask("skip-adds", resposta=asked.right)
    assert capsys.readouterr().out.strip() == quiz.feedback("skip-adds", asked.right)


def test_outside_jupyter_ask_falls_back_to_text(capsys):
    quiz.ask("stride-32")  # pytest is no Jupyter kernel (and the suite sets FCN_COURSE_STATIC)
    assert 'resposta="' in capsys.readouterr().out


def test_the_widget_answers_a_click_with_the_feedback_of_the_chosen_option():
    pytest.importorskip("ipywidgets")
    box = quiz.question_widget("conv-replaces-fc")
    prompt, choices, button, answer = box.children
    assert quiz.question("conv-replaces-fc").prompt in prompt.value
    assert button.description == text("quiz.check_button")
    button.click()
    assert text("quiz.choose_first") in answer.value
    asked = quiz.question("conv-replaces-fc")
    for option in asked.options:
        choices.value = option.letter
        button.click()
        marker = "✅" if option.letter == asked.right else "❌"
        assert marker in answer.value and option.why.split(" ")[0] in answer.value


# --------------------------------------------------------------------------------------------------
# The notebooks ask only questions that exist, and the graders leave the quiz cells alone
# --------------------------------------------------------------------------------------------------
def _asked_in(folder: str) -> dict:
    return {
        path.name: QUIZ_CALL.findall(path.read_text(encoding="utf-8")) for path in sorted((ROOT / folder).glob("*.py"))
    }


def test_every_question_a_notebook_asks_exists():
    for name, keys in _asked_in("solutions/notebooks").items():
        unknown = set(keys) - set(KEYS)
        assert not unknown, f"{name} asks {sorted(unknown)}, not in the catalogue"


def test_the_grader_skips_a_quiz_cell():
    """The grader runs a notebook's definitions only: the import runs, the question is never asked."""
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell("from fcn_course import quiz"),
        nbformat.v4.new_code_cell('quiz.ask("void-iou")'),
        nbformat.v4.new_code_cell('quiz.ask("no-such-question", resposta="a")'),  # would raise if it ran
    ]
    namespace, failures = execute_definition_cells(nb, name="quiz-test")
    assert failures == []
    assert namespace["quiz"] is quiz


def test_the_nbgrader_export_leaves_a_quiz_cell_ungraded():
    from fcn_course.instructor.nbgrader_export import check_keys, mark_for_nbgrader

    class Place:
        notebook, position = "01_dados_e_metricas", 3

        @staticmethod
        def label(cell):
            return "cell 3"

    cell = nbformat.v4.new_code_cell('quiz.ask("void-iou")')
    assert check_keys(cell.source) == []
    marked = mark_for_nbgrader(cell, Place())
    assert "nbgrader" not in marked.metadata and marked.source == 'quiz.ask("void-iou")'


def test_in_english_the_text_fallback_asks_for_answer_not_the_portuguese_keyword(capsys):
    set_language("en")
    quiz.ask("void-iou", static=True)
    out = capsys.readouterr().out
    assert 'quiz.ask("void-iou", answer="a")' in out
    assert "resposta" not in out


def test_answer_is_an_english_spelling_of_resposta(capsys):
    asked = quiz.question("skip-adds")
    quiz.ask("skip-adds", answer=asked.right)
    assert capsys.readouterr().out.strip() == quiz.feedback("skip-adds", asked.right)
    with pytest.raises(TypeError, match="answer="):
        quiz.ask("skip-adds", resposta="a", answer="b")

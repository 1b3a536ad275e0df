"""Concept checks: a quick multiple-choice question with instant feedback on every option.

A notebook asks one with ``quiz.ask("void-iou")``. In Jupyter with widgets it shows the question as radio
buttons and a "Conferir" button; the answer is explained at once, and a wrong option gets its own explanation
(the misconception it reveals), never the right letter, so the student can try again. Without a widget front
end (plain execution, nbval, the grader, an HTML export) it prints the question, the options and how to
answer in text: ``quiz.ask("void-iou", resposta="b")`` prints the feedback (``answer="b"`` is the same, the
spelling the English edition uses).

Nothing here is graded: the grader runs only a notebook's definitions (a ``quiz.ask`` call is skipped) and the
nbgrader export leaves these cells as plain cells.

Every word lives in the message catalogue (``fcn_course/messages/pt_BR.py``), one block per question::

    quiz.<key>.question     the question
    quiz.<key>.right        the letter of the right option (a machine value)
    quiz.<key>.option.<l>   option <l> (a, b, c...)
    quiz.<key>.why.<l>      why option <l> is right, or which misconception makes it wrong
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Optional

from fcn_course.messages import catalogue, text
from fcn_course.widgets import widgets_available

PREFIX = "quiz."
LETTERS = "abcdefgh"


@dataclass(frozen=True)
class Option:
    """One answer: its letter, its text and the explanation shown when it is chosen."""

    letter: str
    text: str
    why: str


@dataclass(frozen=True)
class Question:
    """A concept check read from the catalogue."""

    key: str
    prompt: str
    options: tuple  # of Option, in letter order
    right: str  # the letter of the right option

    def option(self, letter: str) -> Optional[Option]:
        return next((option for option in self.options if option.letter == letter), None)


def question_keys() -> tuple:
    """The keys of every question in the catalogue, in catalogue order."""
    return tuple(
        key[len(PREFIX) : -len(".question")]
        for key in catalogue()
        if key.startswith(PREFIX) and key.endswith(".question")
    )


class UnknownQuestion(KeyError):
    """``ask`` was given a key the catalogue has no question for."""


def question(key: str) -> Question:
    """The question ``key`` from the catalogue (:class:`UnknownQuestion` names the known keys)."""
    messages = catalogue()
    if f"{PREFIX}{key}.question" not in messages:
        raise UnknownQuestion(text("quiz.unknown", key=key, keys=", ".join(question_keys())))
    options = tuple(
        Option(letter, text(f"quiz.{key}.option.{letter}"), text(f"quiz.{key}.why.{letter}"))
        for letter in LETTERS
        if f"{PREFIX}{key}.option.{letter}" in messages
    )
    return Question(key, text(f"quiz.{key}.question"), options, text(f"quiz.{key}.right"))


def _letter(resposta) -> str:
    """A student's answer as a letter: ``"B"``, ``" b) "`` and ``"b"`` all give ``"b"``."""
    return str(resposta).strip().lower().rstrip(")").strip()


def feedback(key: str, resposta) -> str:
    """The explanation of answer ``resposta`` (a letter) to question ``key``, in Portuguese."""
    asked = question(key)
    letter = _letter(resposta)
    option = asked.option(letter)
    if option is None:
        letters = ", ".join(o.letter for o in asked.options)
        return text("quiz.not_an_option", answer=resposta, letters=letters)
    if letter == asked.right:
        return text("quiz.right_answer", letter=letter, why=option.why)
    return text("quiz.wrong_answer", letter=letter, why=option.why)


def question_text(key: str) -> str:
    """The question, its options and how to answer in text (what ``ask`` prints without widgets)."""
    asked = question(key)
    lines = [text("quiz.heading", question=asked.prompt)]
    lines += [text("quiz.option_line", letter=o.letter, option=o.text) for o in asked.options]
    lines.append(text("quiz.how_to_answer", key=key, letter=asked.options[0].letter))
    return "\n".join(lines)


def question_widget(key: str):
    """The interactive version: the question, radio buttons, a "Conferir" button and the feedback area.

    Returns the ``ipywidgets.VBox``; its ``children`` are (question, choices, button, feedback), so a test can
    choose an option, click and read the feedback without a browser.
    """
    import ipywidgets

    asked = question(key)
    prompt = ipywidgets.HTML(f"<b>{html.escape(text('quiz.heading', question=asked.prompt))}</b>")
    choices = ipywidgets.RadioButtons(
        options=[(f"{o.letter}) {o.text}", o.letter) for o in asked.options],
        value=None,
        layout=ipywidgets.Layout(width="auto"),
    )
    button = ipywidgets.Button(description=text("quiz.check_button"))
    answer = ipywidgets.HTML()

    def show_feedback(_button=None):
        said = text("quiz.choose_first") if choices.value is None else feedback(key, choices.value)
        answer.value = f"<p>{html.escape(said)}</p>"

    button.on_click(show_feedback)
    return ipywidgets.VBox([prompt, choices, button, answer])


def ask(key: str, resposta=None, static: Optional[bool] = None, *, answer=None) -> None:
    """Ask concept check ``key``: widgets in Jupyter, text elsewhere; with ``resposta``, print its feedback.

    ``answer`` is ``resposta`` spelt in English (the English edition's text tells students to use it); giving
    both is a TypeError. ``static=True`` forces the text version, ``static=False`` the widgets (None: decide
    like ``fcn_course.widgets``). Returns nothing, so a notebook cell shows nothing twice.
    """
    if answer is not None:
        if resposta is not None:
            raise TypeError(text("quiz.two_answers"))
        resposta = answer
    if resposta is not None:
        print(feedback(key, resposta))
        return
    if static is None:
        static = not widgets_available()
    if static:
        print(question_text(key))
        return
    from IPython.display import display

    display(question_widget(key))

"""Self-checks for the course's exercises, with feedback in Portuguese.

Every exercise is one row (``fcn_course.checks.exercise``) declared next to its check; a notebook checks an
exercise with one call right after its cell, ``checks.check("alexnet-skip")``. A check prints what is right
or wrong (with a hint) and returns a :class:`CheckResult`; it never raises because of the student's answer (an
exception in their code is explained in Portuguese at their line; a check that cannot decide says so), so the
rest of the notebook keeps working. Only a required exercise that is still a stub (it raises
``NotImplementedError``) makes the check cell raise :class:`ExerciseNotDone`, so that "Run all" stops at the
first unfinished exercise instead of failing further down; an optional one (the warm-up) only reports it.
An error in the student's code is reported at the line of their cell, never at a library line. The
instructor's grader calls :func:`run_all`.

The checks compare the student's code with *behaviour* (shapes, gradients, reference values from PyTorch),
never with a copy of the solution; they probe for each known mistake to name it (softmax at the end, frozen
layers, dropout left on in evaluation, an extra channel...), and give a neutral hint when none matches. Their
sentences live in the message catalogue (``fcn_course/messages/pt_BR.py``, keys ``checks.<module>.<name>``).

The package: ``exercise`` (what a row is, its number and title), ``feedback`` (what every check shares), one
module per group of exercises (``metrics``, ``models``, ``training``, ``upsampling``, ``losses``,
``scores``, ``challenges``: the Desafios) and ``registry`` (imports them all in course order; :func:`check` and :func:`run_all`).
The ``check_*`` functions stay importable for scripts and tests that call one check directly.
"""

from __future__ import annotations

# The registry first: it imports the check modules in course order (their rows' order gives the numbers).
from fcn_course.checks.registry import check, course_notebook_of, exercises_for_notebook, run_all  # isort: skip
from fcn_course.checks.challenges import (
    check_focal_loss,
    check_min_input_size,
    check_miou_per_image,
    check_multiply_adds,
    check_whole_image,
)
from fcn_course.checks.exercise import Exercise, exercise, exercises, get_exercise, is_challenge
from fcn_course.checks.feedback import CheckResult, ExerciseNotDone
from fcn_course.checks.losses import check_class_weights, check_dice_loss
from fcn_course.checks.metrics import check_iou_from_confusion
from fcn_course.checks.models import check_fcn
from fcn_course.checks.scores import check_score_sum
from fcn_course.checks.training import check_loss, check_optimizer, check_training
from fcn_course.checks.upsampling import check_upsampler

__all__ = [
    "CheckResult",
    "ExerciseNotDone",
    "Exercise",
    "exercise",
    "exercises",
    "get_exercise",
    "check",
    "run_all",
    "exercises_for_notebook",
    "course_notebook_of",
    "check_iou_from_confusion",
    "check_fcn",
    "check_optimizer",
    "check_loss",
    "check_training",
    "check_upsampler",
    "check_class_weights",
    "check_dice_loss",
    "check_score_sum",
    "is_challenge",
    "check_miou_per_image",
    "check_min_input_size",
    "check_focal_loss",
    "check_whole_image",
    "check_multiply_adds",
]

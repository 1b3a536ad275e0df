"""Self-checks for the course's exercises, with feedback in Portuguese.

Run a check right after an exercise cell, e.g. ``checks.check_fcn(FCN_AlexNet, skip=False)``. Each check
prints what is right or wrong (with a hint) and returns a :class:`CheckResult`; it never raises because of a
wrong answer, so the rest of the notebook keeps working. Only a required exercise that is still a stub (it
raises ``NotImplementedError``) makes the check cell raise :class:`ExerciseNotDone`, so that "Run all" stops at
the first unfinished exercise instead of failing further down; an optional one (Exercício 0) only reports it.
An error in the student's code is reported at the line of their cell, never at a library line. The instructor's grader calls :func:`run_all`.

The checks compare the student's code with *behaviour* (shapes, gradients, reference values from PyTorch),
never with a copy of the solution.

The package: ``feedback`` (what every check shares), one module per group of exercises (``metrics``,
``models``, ``training``, ``upsampling``, ``losses``, ``scores``), ``titles`` and ``registry`` (the table :data:`EXERCISES` that the grader, the course
runner and the tests read).
"""
from __future__ import annotations

from fcn_course.checks.feedback import CheckResult, ExerciseNotDone
from fcn_course.checks.metrics import check_iou_from_confusion
from fcn_course.checks.models import check_fcn
from fcn_course.checks.registry import EXERCISES, EXERCISES_BY_KEY, Exercise, exercises_for_notebook, run_all
from fcn_course.checks.titles import exercise_title, fcn_exercise_title
from fcn_course.checks.losses import check_class_weights, check_dice_loss
from fcn_course.checks.scores import check_score_sum
from fcn_course.checks.training import check_loss, check_optimizer, check_training
from fcn_course.checks.upsampling import check_upsampler

__all__ = ["CheckResult", "ExerciseNotDone", "check_iou_from_confusion", "check_fcn", "check_optimizer",
           "check_loss", "check_training", "EXERCISES", "EXERCISES_BY_KEY", "Exercise", "exercises_for_notebook",
           "run_all", "exercise_title", "fcn_exercise_title", "check_upsampler", "check_class_weights",
           "check_dice_loss", "check_score_sum"]

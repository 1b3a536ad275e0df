"""The exercise registry: one row per self-checked exercise, read by the notebooks, the grader and the tests.

A row says which notebook holds the exercise, the title students read, the names the notebook must define
and how to run its check. ``run_all`` grades a namespace (a submitted notebook's definitions) against it.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from fcn_course.checks.feedback import CheckResult, describe_error
from fcn_course.checks.metrics import check_iou_from_confusion
from fcn_course.checks.models import check_fcn
from fcn_course.checks.titles import TITLES, is_required
from fcn_course.checks.losses import check_class_weights, check_dice_loss
from fcn_course.checks.scores import check_score_sum
from fcn_course.checks.training import check_loss, check_optimizer, check_training
from fcn_course.checks.upsampling import check_upsampler
from fcn_course.definitions import use_exercises
from fcn_course.outline import COURSE_NOTEBOOKS


@dataclass(frozen=True)
class Exercise:
    """One self-checked exercise: the registry row the notebooks, the grader and the tests share."""

    key: str           # unique: "alexnet-skip"
    number: str        # as the notebooks number it, in reading order
    notebook: str      # file name without extension, e.g. "02_fcn_alexnet"
    title: str         # what the student reads in the feedback
    names: tuple       # what the notebook must define for the check to run
    run: Callable      # run(namespace, verbose) -> CheckResult
    required: bool = True  # optional exercises never stop "Run all"


def _fcn_exercise(key, number, notebook, backbone, class_name, skip):
    return Exercise(key, number, notebook, TITLES[key], (class_name,),
                    lambda ns, verbose: check_fcn(ns[class_name], skip, verbose, backbone=backbone))


EXERCISES = (
    Exercise("iou", "0", "01_dados_e_metricas", TITLES["iou"],
             ("iou_and_dice_from_confusion",),
             lambda ns, verbose: check_iou_from_confusion(ns["iou_and_dice_from_confusion"], verbose=verbose),
             required=is_required("iou")),
    _fcn_exercise("alexnet-noskip", "1", "02_fcn_alexnet", "alexnet", "FCN_AlexNet", False),
    _fcn_exercise("alexnet-skip", "2", "02_fcn_alexnet", "alexnet", "FCN_AlexNet", True),
    Exercise("optimizer", "3", "02_fcn_alexnet", TITLES["optimizer"],
             ("make_optimizer", "FCN_AlexNet"),
             lambda ns, verbose: check_optimizer(ns["make_optimizer"], ns["FCN_AlexNet"], verbose)),
    Exercise("loss", "3", "02_fcn_alexnet", TITLES["loss"],
             ("compute_loss", "make_criterion"),
             lambda ns, verbose: check_loss(ns["compute_loss"], ns["make_criterion"](), verbose)),
    Exercise("training", "3", "02_fcn_alexnet", TITLES["training"],
             ("FCN_AlexNet", "make_optimizer", "compute_loss", "make_criterion"),
             lambda ns, verbose: check_training(ns["FCN_AlexNet"], ns["make_optimizer"], ns["compute_loss"],
                                                ns["make_criterion"](), verbose)),
    Exercise("upsampler", "4", "02_fcn_alexnet", TITLES["upsampler"], ("make_upsampler",),
             lambda ns, verbose: check_upsampler(ns["make_upsampler"], verbose)),
    Exercise("class-weights", "5", "02_fcn_alexnet", TITLES["class-weights"], ("class_weights",),
             lambda ns, verbose: check_class_weights(ns["class_weights"], verbose)),
    Exercise("dice-loss", "5", "02_fcn_alexnet", TITLES["dice-loss"], ("dice_loss",),
             lambda ns, verbose: check_dice_loss(ns["dice_loss"], verbose)),
    _fcn_exercise("vgg16-noskip", "6", "03_fcn_vgg16", "vgg16", "FCN_VGG16", False),
    _fcn_exercise("vgg16-skip", "6", "03_fcn_vgg16", "vgg16", "FCN_VGG16", True),
    Exercise("vgg16-scoresum", "6", "03_fcn_vgg16", TITLES["vgg16-scoresum"], ("FCN8s_VGG16_Sum",),
             lambda ns, verbose: check_score_sum(ns["FCN8s_VGG16_Sum"], verbose)),
)
EXERCISES_BY_KEY = {exercise.key: exercise for exercise in EXERCISES}
use_exercises(lambda: EXERCISES)  # load_definitions' messages name the exercise whose cell defines a name


COPY_PREFIXES = ("Cópia de ", "Copia de ", "Copy of ")


def course_notebook_of(file_name: str):
    """The course notebook a (possibly renamed) file is, e.g. ``"02_fcn_alexnet"``; None when none matches.

    Copies renamed by Colab, Drive or a browser are recognised: "Cópia de 02_fcn_alexnet.ipynb" (also in the
    decomposed Unicode macOS writes), "Copy of Copy of 02_fcn_alexnet.ipynb", "02_fcn_alexnet (1).ipynb".
    """
    name = unicodedata.normalize("NFC", Path(file_name).name)
    name = name.removesuffix(".ipynb").removesuffix(".py")
    for notebook in COURSE_NOTEBOOKS:
        if notebook in name:
            return notebook
    stripped = name
    while any(stripped.startswith(prefix) for prefix in COPY_PREFIXES):
        stripped = next(stripped.removeprefix(p) for p in COPY_PREFIXES if stripped.startswith(p))
    number = stripped.strip()[:2]
    return next((notebook for notebook in COURSE_NOTEBOOKS if notebook[:2] == number), None)


def exercises_for_notebook(file_name: str):
    """Keys of the exercises of a course notebook, found from its (possibly renamed) file name.

    None when the name matches no course notebook (see :func:`course_notebook_of`).
    """
    notebook = course_notebook_of(file_name)
    if notebook is None:
        return None
    return tuple(exercise.key for exercise in EXERCISES if exercise.notebook == notebook)


def run_all(namespace: dict, exercises=None, verbose: bool = False) -> list:
    """Run the checks of ``exercises`` (keys of EXERCISES; None = all) on ``namespace``.

    ``namespace`` holds a student's notebook definitions. A name the student deleted or renamed is
    reported as missing; a stub is reported as not implemented; nothing raises.
    """
    results = []
    for exercise in EXERCISES:
        if exercises is not None and exercise.key not in exercises:
            continue
        absent = [name for name in exercise.names if name not in namespace]
        if absent:
            results.append(CheckResult(exercise.title, False, [
                f"não encontrei {', '.join(absent)} no notebook {exercise.notebook}.ipynb (a célula do "
                f"exercício {exercise.number} foi apagada, renomeada ou não roda?)."]))
            continue
        try:
            results.append(exercise.run(namespace, verbose))
        except Exception as error:  # e.g. make_criterion itself is still a stub
            results.append(CheckResult(exercise.title, False, [describe_error(error)]))
    return results

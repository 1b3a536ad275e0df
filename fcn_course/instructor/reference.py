"""The reference solutions (``solutions/``) as the instructor commands inject them.

``solutions/`` is not an installed package: it lives at the root of the course repository. This module is
the one place that makes it importable (it puts the repository root on ``sys.path``) and the one place that
knows where each reference lives: the student package (``fcn_course.backbones``) names a backbone's FCN class
but never the reference solutions, which it does not ship.
"""

from __future__ import annotations

import importlib
import sys

from fcn_course.backbones import BACKBONES
from fcn_course.instructor import repo_root

# The module of solutions/ that holds the reference FCN of each backbone (its class name is in the registry).
REFERENCE_MODULES = {"alexnet": "solutions.fcn_alexnet", "vgg16": "solutions.fcn_vgg16"}


def _make_solutions_importable() -> None:
    root = str(repo_root())
    if root not in sys.path:
        sys.path.insert(0, root)


def reference_model_classes() -> dict:
    """``{"alexnet": FCN_AlexNet, "vgg16": FCN_VGG16, ...}``: the reference class of every registered backbone.

    :data:`REFERENCE_MODULES` says which module holds each one, the backbone registry
    (``fcn_course.backbones``) its class name; a backbone without a reference module (one registered for an
    experiment) is left out.
    """
    _make_solutions_importable()
    return {
        spec.name: getattr(importlib.import_module(REFERENCE_MODULES[spec.name]), spec.class_name)
        for spec in BACKBONES.values()
        if spec.name in REFERENCE_MODULES
    }


def reference_ingredients() -> tuple:
    """``(model_classes, make_optimizer, compute_loss, make_criterion)``: what the comparison grid needs."""
    _make_solutions_importable()
    from solutions.training import compute_loss, make_criterion, make_optimizer

    return reference_model_classes(), make_optimizer, compute_loss, make_criterion

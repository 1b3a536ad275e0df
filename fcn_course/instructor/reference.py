"""The reference solutions (``solutions/``) as the instructor commands inject them.

``solutions/`` is not an installed package: it lives at the root of the course repository. This module is
the one place that makes it importable (it puts the repository root on ``sys.path``).
"""
from __future__ import annotations

import importlib
import sys

from fcn_course.backbones import BACKBONES
from fcn_course.instructor import repo_root


def _make_solutions_importable() -> None:
    root = str(repo_root())
    if root not in sys.path:
        sys.path.insert(0, root)


def reference_model_classes() -> dict:
    """``{"alexnet": FCN_AlexNet, "vgg16": FCN_VGG16, ...}``: the reference class of every registered backbone.

    The backbone registry (``fcn_course.backbones``) says where each reference class lives
    (``solution_module``); a backbone registered without one has no reference class and is left out.
    """
    _make_solutions_importable()
    return {spec.name: getattr(importlib.import_module(spec.solution_module), spec.class_name)
            for spec in BACKBONES.values() if spec.solution_module}


def reference_ingredients() -> tuple:
    """``(model_classes, make_optimizer, compute_loss, make_criterion)``: what the comparison grid needs."""
    _make_solutions_importable()
    from solutions.training import compute_loss, make_criterion, make_optimizer

    return reference_model_classes(), make_optimizer, compute_loss, make_criterion

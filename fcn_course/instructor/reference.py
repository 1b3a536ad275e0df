"""The reference solutions (``solutions/``) as the instructor commands inject them.

``solutions/`` is not an installed package: it lives at the root of the course repository. This module is
the one place that makes it importable (it puts the repository root on ``sys.path``).
"""
from __future__ import annotations

import sys

from fcn_course.instructor import repo_root


def _make_solutions_importable() -> None:
    root = str(repo_root())
    if root not in sys.path:
        sys.path.insert(0, root)


def reference_model_classes() -> dict:
    """``{"alexnet": FCN_AlexNet, "vgg16": FCN_VGG16}`` from ``solutions/``."""
    _make_solutions_importable()
    from solutions.fcn_alexnet import FCN_AlexNet
    from solutions.fcn_vgg16 import FCN_VGG16

    return {"alexnet": FCN_AlexNet, "vgg16": FCN_VGG16}


def reference_ingredients() -> tuple:
    """``(model_classes, make_optimizer, compute_loss, make_criterion)``: what the comparison grid needs."""
    _make_solutions_importable()
    from solutions.training import compute_loss, make_criterion, make_optimizer

    return reference_model_classes(), make_optimizer, compute_loss, make_criterion

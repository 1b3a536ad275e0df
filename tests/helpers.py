"""Small helpers shared by several test modules (fixtures live in conftest.py)."""

from __future__ import annotations

import hashlib
from pathlib import Path


def tree_digest(folder) -> dict:
    """``{relative path: sha256}`` of every file under ``folder`` (the byte-identical check)."""
    folder = Path(folder)
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def voc_path(root, *parts) -> Path:
    """A path inside ``root``'s ``VOCdevkit/VOC2012``."""
    return Path(root) / "VOCdevkit" / "VOC2012" / Path(*parts)


def split_ids(root, image_set):
    """The image ids listed in ``ImageSets/Segmentation/<image_set>.txt``."""
    return voc_path(root, "ImageSets", "Segmentation", f"{image_set}.txt").read_text().split()


def tiny_features(last_channels: int, weights=None):
    """A small classification-style network with ``.features`` (strides 8, 16, 32), like torchvision's: the
    backbone of the tiny FCNs the tests register (``cuts={8: 6, 16: 9}``, channels 8, 16, ``last_channels``)."""
    from torch import nn

    model = nn.Module()
    model.features = nn.Sequential(
        nn.Conv2d(3, 8, 3, stride=2, padding=1),
        nn.ReLU(inplace=True),
        nn.MaxPool2d(2),  # 1/4
        nn.Conv2d(8, 8, 3, padding=1),
        nn.ReLU(inplace=True),
        nn.MaxPool2d(2),  # 1/8  (end 6)
        nn.Conv2d(8, 16, 3, padding=1),
        nn.ReLU(inplace=True),
        nn.MaxPool2d(2),  # 1/16 (end 9)
        nn.Conv2d(16, last_channels, 3, padding=1),
        nn.ReLU(inplace=True),
        nn.MaxPool2d(2),  # 1/32
    )
    return model


def load_train_script():
    """``scripts/train.py`` as a module (it is a script, not part of a package): its ``main(argv)`` for tests."""
    import importlib.util

    path = Path(__file__).resolve().parents[1] / "scripts" / "train.py"
    spec = importlib.util.spec_from_file_location("train_script", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def raised_in_each_language(error_type, call, *args, **kwargs) -> tuple:
    """The messages of the ``error_type`` that ``call(*args, **kwargs)`` raises: in the course's default
    language (Portuguese) and under ``messages.speaking("en")`` (the English edition). Each is checked to
    read as its language: a Portuguese word in the first, none in the second."""
    import pytest

    from fcn_course import messages
    from test_messages import looks_portuguese

    with pytest.raises(error_type) as default:
        call(*args, **kwargs)
    with messages.speaking("en"):
        with pytest.raises(error_type) as english:
            call(*args, **kwargs)
    assert type(default.value) is type(english.value) is error_type
    portuguese, english = str(default.value), str(english.value)
    assert looks_portuguese(portuguese), f"not Portuguese by default: {portuguese}"
    assert not looks_portuguese(english), f"not English under speaking('en'): {english}"
    return portuguese, english

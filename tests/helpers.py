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

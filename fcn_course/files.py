"""Atomic file writes: write a temporary file next to the target, then rename it over the target.

``os.replace`` is atomic, so a reader (or a run resumed after a crash) sees either the previous complete
file or the new complete file, never half of one. Used for checkpoints, histories, caches and reports.
"""
from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path


def atomic_write(path, write) -> Path:
    """Call ``write(temporary_path)``, then rename the temporary file to ``path``; returns ``path``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(handle)
    try:
        write(temporary)
        os.chmod(temporary, 0o644)  # mkstemp makes a private file; run and data folders are often shared
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.remove(temporary)
    return path


def write_json(path, data, indent: int = 1) -> Path:
    """Write ``data`` as JSON atomically (Paths and other objects are written as text)."""
    text = json.dumps(data, indent=indent, default=str)
    return atomic_write(path, lambda temporary: Path(temporary).write_text(text, encoding="utf-8"))

"""Writing files safely: atomic replacement and one JSON sanitiser.

``os.replace`` is atomic, so a reader (or a run resumed after a crash) sees either the previous complete
file or the new complete file, never half of one. Used for checkpoints, histories, caches and reports.
"""
from __future__ import annotations

import json
import math
import os
import tempfile
import time
from pathlib import Path

TEMPORARY_SUFFIX = ".tmp"
STALE_TEMPORARY_SECONDS = 60  # a temporary file this old belongs to a write that was killed


def atomic_write(path, write) -> Path:
    """Call ``write(temporary_path)``, then rename the temporary file to ``path``; returns ``path``.

    Temporary files of earlier writes to the same ``path`` that were killed (SIGKILL, power cut) are
    removed first, so they never pile up.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    remove_orphan_temporaries(path)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=TEMPORARY_SUFFIX)
    os.close(handle)
    try:
        write(temporary)
        os.chmod(temporary, 0o644)  # mkstemp makes a private file; run and data folders are often shared
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.remove(temporary)
    return path


def remove_orphan_temporaries(path, older_than: float = STALE_TEMPORARY_SECONDS) -> list:
    """Delete ``.<name>.*.tmp`` files left next to ``path`` by killed writes; returns what was removed.

    Only files of our own naming pattern that are older than ``older_than`` seconds are removed, so a
    write in progress in another process is left alone.
    """
    path = Path(path)
    removed = []
    now = time.time()
    for candidate in path.parent.glob(f".{path.name}.*{TEMPORARY_SUFFIX}"):
        try:
            if now - candidate.stat().st_mtime >= older_than:
                candidate.unlink()
                removed.append(candidate)
        except OSError:
            pass  # gone already, or not ours to remove
    return removed


def json_safe(value):
    """``value`` as JSON can store it: NaN/inf -> None, tuples -> lists, Paths and other objects -> text.

    Matplotlib figures (under a ``"figure"`` key) are dropped. The one sanitiser of the course: histories,
    run configurations, grid indices and reports all go through it.
    """
    if isinstance(value, dict):
        return {str(key): json_safe(item) for key, item in value.items() if key != "figure"}
    if isinstance(value, (list, tuple)):
        return [json_safe(item) for item in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if hasattr(value, "item") and callable(value.item) and getattr(value, "ndim", 1) == 0:
        return json_safe(value.item())  # numpy / torch scalars
    return str(value)


def write_json(path, data, indent: int = 1) -> Path:
    """Write ``data`` as JSON atomically, through :func:`json_safe`."""
    text = json.dumps(json_safe(data), indent=indent)
    return atomic_write(path, lambda temporary: Path(temporary).write_text(text, encoding="utf-8"))


def read_json(path, what: str = "file"):
    """Read a JSON file; a damaged one raises a ValueError that names the file and what to do."""
    path = Path(path)
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise ValueError(f"{path} is not valid JSON ({error}); this {what} is damaged: delete it "
                         "(it is rewritten on the next run) or restore it from a copy.") from error

"""Writing files safely: atomic replacement, output folders that own what they wrote, one JSON sanitiser.

``os.replace`` is atomic, so a reader (or a run resumed after a crash) sees either the previous complete
file or the new complete file, never half of one. Used for checkpoints, histories, caches and reports.
A full disk or a missing permission while writing is reported as such, naming the file (``DiskFullError``,
``PermissionError``), and leaves the previous file as it was.

``OutputFolder`` is the one rule of every command that writes into a folder a person chose (the main job,
the site, ``synth``, ``predict``, ``release``, the nbgrader export, the train script): it keeps a record of
the files it wrote there (``.fcn-course-files.json``) and only ever overwrites or deletes those; it writes
beside a person's own files, never over them, and never through a symbolic link.
"""

from __future__ import annotations

import errno
import json
import math
import os
import shutil
import tempfile
import time
from pathlib import Path, PurePosixPath

from fcn_course.messages import text

TEMPORARY_SUFFIX = ".tmp"
STALE_TEMPORARY_SECONDS = 60  # a temporary file this old belongs to a write that was killed


DISK_FULL = {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)}  # no space left; disk quota exceeded
NOT_ALLOWED = {errno.EACCES, errno.EPERM, errno.EROFS}  # no permission; read-only file system


class DiskFullError(OSError):
    """The disk (or the user's quota) was full while writing a file; the message names the file."""


def atomic_write(path, write) -> Path:
    """Call ``write(temporary_path)``, then rename the temporary file to ``path``; returns ``path``.

    Temporary files of earlier writes to the same ``path`` that were killed (SIGKILL, power cut) are
    removed first, so they never pile up. A full disk raises DiskFullError and a missing permission
    PermissionError, both naming ``path``; ``path`` then keeps its previous content.
    """
    path = Path(path)
    temporary = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        remove_orphan_temporaries(path)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=TEMPORARY_SUFFIX)
        os.close(handle)
        write(temporary)
        os.chmod(temporary, 0o644)  # mkstemp makes a private file; run and data folders are often shared
        os.replace(temporary, path)
    except OSError as error:
        raise explained_write_error(error, path) from error
    finally:
        if temporary is not None and os.path.exists(temporary):
            os.remove(temporary)
    return path


def atomic_write_file(path, write) -> Path:
    """Like ``atomic_write``, but ``write(file)`` receives the temporary file opened for binary writing.

    For ``torch.save``: given a path it writes through its own C++ code, which reports a full disk as
    "unexpected pos"; given a Python file, the disk's own error comes back (and is explained here).
    """

    def write_through_python(temporary):
        with open(temporary, "wb") as file:
            write(file)

    return atomic_write(path, write_through_python)


def explained_write_error(error: OSError, path) -> OSError:
    """``error`` as the student should read it: a full disk or a missing permission named as such, with ``path``."""
    if isinstance(error, (DiskFullError, NotOurFileError)):
        return error
    if error.errno in DISK_FULL:
        return DiskFullError(error.errno, text("files.disk_full", path=path, folder=Path(path).parent))
    if isinstance(error, PermissionError) or error.errno in NOT_ALLOWED:
        return PermissionError(error.errno, text("files.no_permission", path=path, error=error.strerror or error))
    return error


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
    """Read a JSON file; a damaged one raises a ValueError that names the file and what to do.

    ``what`` names the kind of file for the message: ``file``, ``run_description``, ``run_outcome``,
    ``training_history`` or ``grid_index`` (the keys ``files.what.*`` of the catalogue).
    """
    path = Path(path)
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise ValueError(text("files.damaged_json", path=path, error=error, what=text(f"files.what.{what}"))) from error


# --------------------------------------------------------------------------------------------------
# Output folders: a command owns the files it wrote, and only those
# --------------------------------------------------------------------------------------------------
OWNER_FILE = ".fcn-course-files.json"  # in an output folder: who wrote there, and which files


class NotOurFileError(FileExistsError):
    """A command was about to write over (or through a link to) a file it did not write; nothing was changed."""


class OutputFolder:
    """A folder a command writes into: it overwrites and deletes only the files it wrote there itself.

    The record ``OWNER_FILE`` lists those files (paths relative to the folder) and the command (``owner``).
    Writing a name that holds a person's file, or whose path crosses a symbolic link, raises
    NotOurFileError before anything is written; the person's files beside the command's are never
    touched. ``adopt_marker``: the file an older version of the command left in its folders instead of a
    record; in a folder with that marker and no record, the names the command writes may be replaced.
    """

    def __init__(self, root, owner: str, adopt_marker: str = None):
        self.root = Path(root)
        self.owner = owner
        if self.root.exists() and not self.root.is_dir():
            raise NotADirectoryError(errno.ENOTDIR, text("files.not_a_folder", path=self.root))
        self.record = self.root / OWNER_FILE
        self.files = self._read_record()
        self.adopted = not self.record.exists() and adopt_marker is not None and (self.root / adopt_marker).is_file()

    def _read_record(self) -> set:
        if self.record.is_symlink() or not self.record.is_file():
            return set()
        try:
            record = json.loads(self.record.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return set()  # a damaged record: nothing is known to be ours, so nothing is overwritten
        if not isinstance(record, dict) or record.get("owner") != self.owner:
            return set()  # another command's folder: none of its files is ours
        return {name for name in record.get("files", []) if isinstance(name, str)}

    def _save_record(self) -> None:
        write_json(self.record, {"owner": self.owner, "files": sorted(self.files)})

    def relative(self, name) -> str:
        """``name`` as the record stores it (``a/b.png``); ValueError for a name that leaves the folder."""
        parts = PurePosixPath(str(name).replace(os.sep, "/")).parts
        if not parts or parts[0] == "/" or ".." in parts or Path(name).is_absolute():
            raise ValueError(f"{name!r}: the files of {self.owner} stay inside {self.root}")
        return "/".join(part for part in parts if part != ".")

    def owns(self, name) -> bool:
        """True when ``name`` is a file this command wrote here (or may replace in an adopted older folder)."""
        return self.adopted or self.relative(name) in self.files

    def link_on_the_way(self, name):
        """The first symbolic link on the path of ``name`` inside the folder (``name`` itself included), or None."""
        path = self.root
        for part in self.relative(name).split("/"):
            path = path / part
            if path.is_symlink():
                return path
        return None

    def problem(self, name) -> str:
        """Why ``name`` may not be written ("" when it may): a link on its way, or a file someone else made."""
        link = self.link_on_the_way(name)
        if link is not None:
            return text("files.link", path=link, owner=self.owner)
        path = self.root / self.relative(name)
        if path.exists() and (not path.is_file() or not self.owns(name)):
            return text("files.not_ours", path=path, owner=self.owner)
        return ""

    def check(self, names) -> None:
        """Raise NotOurFileError listing every name of ``names`` that may not be written (nothing is written)."""
        problems = [found for found in (self.problem(name) for name in names) if found]
        if problems:
            shown = "\n  ".join(problems[:10]) + ("\n  ..." if len(problems) > 10 else "")
            raise NotOurFileError(
                errno.EEXIST, text("files.refused", count=len(problems), problems=shown, folder=self.root)
            )

    def claim(self, names) -> list:
        """Check ``names``, record them as this command's files, and return their paths (to write them next).

        They are recorded before they are written: a write killed halfway leaves a file the next run may replace.
        """
        names = [self.relative(name) for name in names]
        self.check(names)
        new = set(names) - self.files
        if new or not self.record.is_file():
            self.files |= new
            try:
                self.root.mkdir(parents=True, exist_ok=True)
            except OSError as error:
                raise explained_write_error(error, self.root) from error
            self._save_record()
        return [self.root / name for name in names]

    def path(self, name) -> Path:
        """``claim`` one name; returns its path."""
        return self.claim([name])[0]

    def write(self, name, write) -> Path:
        """Write the file ``name`` atomically with ``write(temporary_path)`` (see ``atomic_write``)."""
        return atomic_write(self.path(name), write)

    def write_text(self, name, content: str) -> Path:
        return self.write(name, lambda temporary: Path(temporary).write_text(content, encoding="utf-8"))

    def copy_tree(self, source, into: str = "") -> list:
        """Copy every file under the folder ``source`` to ``into/`` here; every name is checked before any copy."""
        source = Path(source)
        names = sorted(
            str(PurePosixPath(into, path.relative_to(source).as_posix())).lstrip("/")
            for path in source.rglob("*")
            if path.is_file()
        )
        targets = self.claim(names)
        for name, target in zip(names, targets):
            original = source / PurePosixPath(name).relative_to(into) if into else source / name
            atomic_write(target, lambda temporary, original=original: shutil.copyfile(original, temporary))
        return targets

    def remove_own(self) -> None:
        """Delete the files this command wrote here (links and other people's files stay), then its empty folders."""
        for name in sorted(self.files, reverse=True):
            path = self.root / name
            if self.problem(name) == "" and path.is_file():
                path.unlink()
            for parent in path.parents:
                if parent == self.root or self.root not in parent.parents:
                    break
                try:
                    parent.rmdir()  # only when empty: a person's file inside keeps its folder
                except OSError:
                    break
        self.files = set()
        self._save_record()

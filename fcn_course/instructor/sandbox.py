"""Where a submission's code runs while it is graded: limits, a minimal environment, and an optional sandbox.

Grading runs the student's code as the instructor's user. Two layers keep that code in its box:

* **Always** (``--sandbox none`` included): the child process gets resource limits (:class:`Limits`: address
  space, file size, number of processes; its CPU time is the time limit, ``grade_time``), a session of its own
  so that the whole process group is killed at the time limit and after it ends (``grade_time.run_limited``),
  an environment with only what the checks need (:func:`child_environment`: no instructor variables), a
  temporary folder that is its working folder, HOME and TMPDIR, and a Python path that holds the course package
  but not the repository (so ``solutions/`` is not importable). Inside the child, ``grade_child`` adds a guard
  that blocks importing or reading the reference solutions and the instructor wing, and reading the class
  folder, the report folder and the instructor's home.
  That guard works at the Python level: a program the submission starts (``os.system("cat ...")``) is not
  covered by it.
* **``--sandbox bwrap``** (the default where `bubblewrap <https://github.com/containers/bubblewrap>`_ works):
  the child runs in a bubblewrap sandbox with no network, every file read-only except its temporary folder,
  an empty ``/tmp``, and the class folders, the report folder, ``solutions/`` and the instructor's home
  replaced by empty folders, no capabilities (``--cap-drop ALL`` for root), whatever program the
  submission starts. ``auto`` (the default) uses it when it works and falls back to ``none``. A class is graded
  by children forked from a zygote that runs in that same sandbox, cleared between submissions
  (``grade_zygote``).

The limits are applied by the child itself (:func:`apply_limits`, its first step, before any student code):
a process may lower its limits but, unless it runs as root, never raise them again. ``RLIMIT_NPROC`` counts every
process and thread of the user, not only the child's, so it is set to what the user runs now plus
``Limits.processes``; root ignores it, which is one more reason to grade as an ordinary user.
"""

from __future__ import annotations

import dataclasses
import functools
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Optional

from fcn_course.environment import LANG_ENV, SMOKE_ENV
from fcn_course.messages import active_language, text

SANDBOX_MODES = ("auto", "bwrap", "none")
GIB = 2**30


@dataclass(frozen=True)
class Limits:
    """Resource limits of one grading process (None: no limit of that kind).

    ``memory_bytes``: address space (``RLIMIT_AS``). Importing PyTorch alone maps about 3.5 GiB and grading
    notebook 04 peaks at about 4.6 GiB of address space (1.7 GiB resident), so the default leaves room for
    bigger machines (more threads, more memory arenas) and still stops a submission that allocates gigabytes.
    The CPU time (``RLIMIT_CPU``) is the grading's time limit, set by ``grade_time``. ``file_bytes``: the
    largest file the child may write (``RLIMIT_FSIZE``). ``processes``: how many more processes and threads
    than the user runs now (``RLIMIT_NPROC``).
    """

    memory_bytes: Optional[int] = 8 * GIB
    file_bytes: Optional[int] = 100 * 2**20
    processes: Optional[int] = 256


DEFAULT_LIMITS = Limits()


# --------------------------------------------------------------------------------------------------
# In the child: apply the limits (its first step)
# --------------------------------------------------------------------------------------------------
def user_task_count() -> Optional[int]:
    """Processes and threads of this user now (what ``RLIMIT_NPROC`` counts), None without ``/proc``."""
    proc, uid, count = Path("/proc"), os.getuid(), 0
    if not proc.is_dir():
        return None
    for entry in proc.iterdir():
        if entry.name.isdigit():
            try:
                if entry.stat().st_uid == uid:
                    count += len(os.listdir(entry / "task"))
            except OSError:
                pass  # the process ended while we looked
    return count


def limits_for_child(limits: Limits) -> dict:
    """The limits as the child applies them: the number of processes made absolute."""
    values = asdict(limits)
    if values["processes"] is not None:
        running = user_task_count()
        values["processes"] = None if running is None else running + values["processes"]
    return values


def apply_limits(values: dict) -> None:
    """Lower this process's limits to ``values`` (from :func:`limits_for_child`); inherited by its children."""
    try:
        import resource
    except ImportError:  # Windows: no POSIX limits (the time limit still applies)
        return
    kinds = {"memory_bytes": "RLIMIT_AS", "file_bytes": "RLIMIT_FSIZE", "processes": "RLIMIT_NPROC"}
    for key, name in kinds.items():
        if values.get(key) is None or not hasattr(resource, name):
            continue
        kind = getattr(resource, name)
        _, hard = resource.getrlimit(kind)
        limit = int(values[key]) if hard == resource.RLIM_INFINITY else min(int(values[key]), hard)
        resource.setrlimit(kind, (limit, limit))


# --------------------------------------------------------------------------------------------------
# In the parent: the environment, the Python path and the command
# --------------------------------------------------------------------------------------------------
def module_root(module_name: str) -> Optional[Path]:
    """The ``sys.path`` folder a loaded module was imported from (None for built-in modules)."""
    module = sys.modules.get(module_name)
    file = getattr(module, "__file__", None)
    if not file:
        return None
    depth = module_name.count(".") + (1 if Path(file).name == "__init__.py" else 0)
    return Path(file).resolve().parents[depth]


def python_path(workdir: Path, check_modules) -> list:
    """The child's Python path: a folder with only the course package in it, then the folders of check modules
    that live outside the package (an extra exercise's module). The repository root is not on it."""
    import fcn_course

    package = Path(fcn_course.__file__).resolve().parent
    lib = workdir / "lib"
    lib.mkdir()
    try:
        (lib / "fcn_course").symlink_to(package, target_is_directory=True)
        paths = [lib]
    except OSError:  # no symlinks (Windows without privileges): the guard still blocks ``solutions``
        paths = [package.parent]
    for name in check_modules:
        root = module_root(name)
        if root is not None and root != package.parent and root not in paths:
            paths.append(root)
    return paths


def child_environment(workdir: Path, paths: list) -> dict:
    """Only what the checks need: no variable of the instructor's environment is passed on.

    HOME, TMPDIR and the working folder are the grading's temporary folder; smoke mode; a fixed locale; the
    course's language of this grading (``FCN_COURSE_LANG``, so that the checks' feedback speaks it);
    Matplotlib without a display; at most two malloc arenas (each reserves address space, see :class:`Limits`);
    one thread unless the instructor's environment says otherwise.
    """
    home, temporary = workdir / "home", workdir / "tmp"
    home.mkdir(exist_ok=True)
    temporary.mkdir(exist_ok=True)
    environment = {
        "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.defpath.lstrip(os.pathsep) or "/usr/bin:/bin"]),
        "HOME": str(home),
        "USERPROFILE": str(home),
        "TMPDIR": str(temporary),
        "TEMP": str(temporary),
        "TMP": str(temporary),
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        SMOKE_ENV: "1",
        LANG_ENV: active_language(),  # the checks' feedback in the grading's language (--lang)
        "MPLBACKEND": "Agg",
        "PYTHONPATH": os.pathsep.join(map(str, paths)),
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONNOUSERSITE": "1",
        "PYTHONIOENCODING": "utf-8",
        "MALLOC_ARENA_MAX": "2",
        # one thread per child: --jobs runs children side by side, and idle OpenMP threads spinning for work on a
        # shared machine cost CPU time (measured: 15 s instead of 27 s for a notebook-02 submission)
        "OMP_NUM_THREADS": os.environ.get("OMP_NUM_THREADS", "1"),
        "MKL_NUM_THREADS": os.environ.get("MKL_NUM_THREADS", "1"),
    }
    if "SYSTEMROOT" in os.environ:  # Python on Windows cannot start without it
        environment["SYSTEMROOT"] = os.environ["SYSTEMROOT"]
    return environment


def readable_paths(paths: list) -> list:
    """What the child must be able to read: its Python path, the course package and the Python installation."""
    import fcn_course

    found = [Path(p).resolve() for p in paths] + [Path(fcn_course.__file__).resolve().parent]
    found += [Path(p).resolve() for p in {sys.prefix, sys.base_prefix, sys.exec_prefix}]
    return list(dict.fromkeys(found))


# --------------------------------------------------------------------------------------------------
# bubblewrap
# --------------------------------------------------------------------------------------------------
BWRAP_OPTIONS = (
    "--die-with-parent",
    "--new-session",
    "--unshare-all",
    "--ro-bind",
    "/",
    "/",
    "--dev",
    "/dev",
    "--proc",
    "/proc",
)


def bwrap_options() -> tuple:
    """``BWRAP_OPTIONS``, and for root ``--cap-drop ALL``: run by root, bubblewrap leaves the child its
    capabilities (mounting, reading any process's files...), which a zygote's children share one after the other.
    (An ordinary user's sandbox has none; a setuid bubblewrap may refuse the option from an ordinary user.)"""
    root = hasattr(os, "geteuid") and os.geteuid() == 0
    return (*BWRAP_OPTIONS, "--cap-drop", "ALL") if root else BWRAP_OPTIONS


class SandboxUnavailable(RuntimeError):
    """``--sandbox bwrap`` was asked for and bubblewrap does not work here."""


@functools.lru_cache(maxsize=1)
def bwrap_available() -> bool:
    """Does bubblewrap run here with the options the grader uses (installed, user namespaces allowed)?"""
    program = shutil.which("bwrap")
    if program is None:
        return False
    try:
        done = subprocess.run([program, *bwrap_options(), "true"], capture_output=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0


def resolve_sandbox(mode: str) -> str:
    """``auto`` -> ``bwrap`` when it works, else ``none``; ``bwrap`` that does not work -> SandboxUnavailable."""
    if mode not in SANDBOX_MODES:
        raise ValueError(text("sandbox.unknown_mode", choices=", ".join(SANDBOX_MODES), mode=mode))
    if mode == "auto":
        return "bwrap" if bwrap_available() else "none"
    if mode == "bwrap" and not bwrap_available():
        raise SandboxUnavailable(text("sandbox.no_bwrap"))
    return mode


def outermost(hidden) -> list:
    """The folders of ``hidden`` that exist and lie in no other of them (a folder inside a hidden one is hidden
    with it): what the sandbox mounts, in order; two lists with the same outermost folders hide the same."""
    hidden = [Path(p) for p in dict.fromkeys(map(str, hidden)) if Path(p).is_dir()]
    return [p for p in hidden if not any(other != p and other in p.parents for other in hidden)]


def bwrap_command(command: list, workdir: Path, readable: list, hidden: list) -> list:
    """``command`` inside bubblewrap: no network, everything read-only, ``workdir`` writable.

    ``hidden`` folders (class folders, report folder, ``solutions/``, the instructor's home, ``/tmp``) are
    replaced by empty ones, ``readable`` ones shown again inside them; a deeper folder wins over a shallower
    one, so the mounts go from the shortest path to the longest.
    """
    mounts = [(path, "--tmpfs") for path in outermost(hidden)]
    mounts += [(Path(p), "--ro-bind") for p in readable if Path(p).exists()]
    arguments = []
    for path, kind in sorted(mounts, key=lambda mount: (len(mount[0].parts), mount[1] == "--ro-bind")):
        arguments += [kind, str(path)] if kind == "--tmpfs" else [kind, str(path), str(path)]
    return [
        shutil.which("bwrap"),
        *bwrap_options(),
        *arguments,
        "--bind",
        str(workdir),
        str(workdir),
        "--chdir",
        str(workdir),
        "--",
        *command,
    ]


# Folders the system needs: never hidden, even when one is the instructor's working folder.
SYSTEM_FOLDERS = tuple(
    map(Path, ("/", "/usr", "/lib", "/lib64", "/bin", "/sbin", "/etc", "/opt", "/var", "/proc", "/sys", "/dev", "/run"))
)


def can_hide(folder) -> bool:
    """False for the system's folders and those that hold the Python installation."""
    folder = Path(folder).resolve()
    installation = Path(sys.base_prefix).resolve()
    return folder not in SYSTEM_FOLDERS and folder != installation and folder not in installation.parents


def hidden_folders(private: list) -> list:
    """Folders the sandbox replaces by empty ones: the private folders, the temporary root and the home."""
    found = [Path(p) for p in private] + [Path(tempfile.gettempdir()), Path.home()]
    return [folder for folder in dict.fromkeys(found) if can_hide(folder)]


def signal_code(run, mode: str, cpu_seconds: float):
    """A ``grade_time.ChildRun`` as if there were no bubblewrap in between: bwrap ends with 128 + N when the child
    it runs was killed by signal N, where Python reports -N; and the child's CPU time does not reach the parent
    through bwrap, so SIGXCPU (sent only by the CPU limit) is what says that the CPU limit stopped it."""
    if mode != "bwrap" or run.returncode <= 128:
        return run
    from fcn_course.instructor import grade_time

    run = dataclasses.replace(run, returncode=128 - run.returncode)
    if run.limit is None and run.returncode == -getattr(signal, "SIGXCPU", 24):
        run = dataclasses.replace(run, limit=grade_time.CPU, cpu_s=max(run.cpu_s, cpu_seconds))
    return run


def write_token(path: Path, token: str) -> None:
    """The one-time token the child reads (and deletes) before any student code runs; only this user reads it."""
    handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0), 0o600)
    with os.fdopen(handle, "w") as output:
        output.write(token)

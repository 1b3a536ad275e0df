"""A pre-imported grading parent (a "zygote"): one fork per submission instead of a fresh Python each time.

Every grading child imports PyTorch, torchvision, nbformat, jupytext and the course's checks before the first
line of student code runs: about 5.5 s of CPU and 900 MB per submission, most of a notebook-02 grading. A zygote
is a small server, ``python -m fcn_course.instructor.grade_zygote``, that imports all that once, then, for each
submission the grader sends it, forks one child that runs ``grade_child`` exactly as ``python -m`` would (a
session of its own, its folder, its environment, its limits, the token, the guard, the fingerprint), and
reports how the child ended (exit code, output, CPU time from ``os.wait4``, the CPU or wall-clock limit that
stopped it: ``grade_time.ChildRun``). The imported modules are shared copy-on-write, so each submission pays
neither the import time nor its memory.

What a zygote never weakens:

* the zygote runs no student code, holds no instructor data besides the current request (the same folders the
  child's guard is given anyway), and each child is a new process: what one submission's code changes dies
  with its child; the zygote is single-threaded, so forking it is safe;
* a child cannot forge another submission's outcome: every request carries a fresh nonce, the grader reads
  only the answer with its nonce, and the zygote is not dumpable (``PR_SET_DUMPABLE``), so a child cannot
  open its pipes through ``/proc``; the result itself still needs the token only the grader knows;
* a zygote that dies (killed by a child...) is noticed (:class:`ZygoteGone`), and the grader runs that
  attempt in a fresh process (``grade._run_child``), then starts a new zygote.

Where it is used: on Linux (``os.fork``); elsewhere the grader starts a fresh process per submission as before:
there is no ``fork`` on Windows, and macOS's system libraries are not safe to use after ``fork``.
``fcn_course.instructor.grade_class`` keeps one zygote per worker (``--jobs``): :class:`ZygotePool`.

**With the bubblewrap sandbox** (``--sandbox bwrap``, and ``auto`` where it works) the zygote itself starts
inside bubblewrap with the very mounts a fresh sandboxed child gets (``sandbox.bwrap_command``: no network,
every file read-only, the class folders, the report folder, ``solutions/``, the instructor's working folder and
home and ``/tmp`` replaced by empty folders), so every child it forks inherits that box: what the sandbox
promises holds for programs the child starts too. A forked child cannot get namespaces of its own (making
them needs capabilities the sandbox does not give: ``sandbox.bwrap_options``, ``--cap-drop ALL`` when root
grades), so the children of one zygote share its namespaces, one after the other (a zygote grades one
submission at a time). Without capabilities a child also cannot change the shared mounts, nor open the
zygote's pipes through ``/proc`` (it is not dumpable), even when root grades: a forked child holds a copy of
the zygote's memory, the current nonce included, so those pipes are what must stay out of its reach.
What one submission could leave for the next is removed between them, by the zygote (``--isolated``), before
each fork and after each child ends:

* processes: the zygote is PID 2 in a PID namespace of its own (``--unshare-pid``; PID 1 is bubblewrap's, which
  reaps orphans), so ``kill(-1, SIGKILL)`` reaches every other process in it, and only those: a grandchild that
  left its child's session (double fork, ``setsid``) dies too, and the zygote waits until none is left;
* files: the only writable places are the sandbox's own empty folders (``tmpfs``: ``/tmp``, ``/dev/shm``, the
  hidden folders) and the zygote's work area (a folder of the grader's, the only one bound writable, where each
  submission gets a new subfolder from the grader). Whatever appeared in them since the zygote started is
  removed (without following links), except the current submission's folder (before the fork) and its
  ``result.json`` (after: the grader reads it, then removes the folder); bubblewrap's own entries that were
  changed, or anything that cannot be removed, end the zygote (the grader starts a new one);
* the zygote never sees the class folder (hidden from it as from the child): a submission reaches it as a copy
  in the work area, written by the grader; and it still runs no student code;
* the nonce, the token and the fingerprint are checked as without the sandbox.

Why a folder of the grader's as the work area, not a ``tmpfs`` the submission's bytes are piped into: the
grader writes the copy and the one-time token and reads ``result.json`` exactly as for a fresh sandboxed child
(the same files, the same checks, ``O_NOFOLLOW``), and that one folder is all the two sides share. Every promise
of the sandbox is kept in this form, so no case falls back on a fresh process but a zygote that fails.

What stays shared between two submissions of one zygote: System V and POSIX IPC objects (message queues,
semaphores, shared memory made without a file). They are not files: the next child never opens one unless its
own code does, so they cannot change its verdict; they could carry data from one submission to the next, as
the two students could themselves. A zygote's mounts are decided when it starts: a submission whose hidden
folders differ (another class folder) gets a new zygote (:meth:`ZygotePool.get`).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Optional

from fcn_course.instructor import sandbox
from fcn_course.instructor.grade_time import CPU, CPU_LIMIT_ENV, WALL, ChildRun, _kill_group, _stopped_by_cpu_limit
from fcn_course.instructor.grade_time import wall_limit as default_wall_limit
from fcn_course.messages import text

# What every grading child imports: imported once by the zygote (see the module's docstring).
PRELOADED = ("torch", "torchvision", "nbformat", "jupytext", "fcn_course.checks", "fcn_course.definitions")
WARM_BACKBONES = ("alexnet", "vgg16")  # their initial weights drawn once in the zygote (``checks.models``), shared
READY = "ready"
ISOLATED = "--isolated"  # the zygote runs in its own bubblewrap sandbox: it clears it between children
MAX_OUTPUT_CHARS = 200_000  # of a child's stdout and stderr each, in the answer


class ZygoteGone(RuntimeError):
    """The zygote ended or answered nonsense: the grader runs this attempt in a fresh process instead."""


def supported() -> bool:
    """Can this platform fork a grading child from a zygote? (Linux only: see the module's docstring.)"""
    return sys.platform.startswith("linux") and hasattr(os, "fork") and hasattr(os, "wait4")


# --------------------------------------------------------------------------------------------------
# The zygote process
# --------------------------------------------------------------------------------------------------
def _dumpable(flag: bool) -> None:
    """``PR_SET_DUMPABLE`` (best effort): off in the zygote, which keeps other processes of this user (its
    children) out of ``/proc/<zygote>/fd``; on again in each child, like any process (the zygote reads its
    memory use in ``/proc``)."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(4, int(flag), 0, 0, 0)  # PR_SET_DUMPABLE = 4
    except (OSError, AttributeError):
        pass


def preload() -> None:
    """Import what every grading child imports, and draw the course backbones' initial weights."""
    import importlib

    for name in PRELOADED:
        importlib.import_module(name)
    from fcn_course.checks import models

    for name in WARM_BACKBONES:
        models._initial_weights(name, [])


def _output(handle) -> str:
    handle.seek(0)
    return handle.read().decode("utf-8", errors="replace")[-MAX_OUTPUT_CHARS:]


def _become_child(request: dict, out, err) -> None:
    """In the forked child: what ``subprocess.Popen(["python", "-s", "-B", "-m", grade_child, CONFIG])``
    with ``start_new_session``, ``cwd``, ``env`` and the output files would have given; never returns."""
    code = 1
    try:
        os.setsid()
        signal.signal(signal.SIGINT, signal.default_int_handler)  # as in a new Python (the zygote ignores it)
        _dumpable(True)
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)  # the zygote's request and answer pipes are no longer reachable
        os.dup2(out.fileno(), 1)
        os.dup2(err.fileno(), 2)
        os.close(null)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        tempfile.tempdir = None  # found again from TMPDIR
        # As `python -m` would: the child's own folder first, never the zygote's start folder (in the sandbox, the
        # work area that holds the other, private, submission folders: an import looking there was flagged).
        own = [entry for entry in sys.path if entry not in request["zygote_path"] and entry != _start_entry]
        sys.path[:] = [request["cwd"], *request["path"], *own]
        sys.argv = ["grade_child", json.dumps(request["config"])]
        import runpy

        runpy.run_module("fcn_course.instructor.grade_child", run_name="__main__", alter_sys=True)
        code = 0
    except SystemExit as stop:
        code = stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 1)
    except BaseException:  # noqa: BLE001 - reported on stderr, like an uncaught error in ``python -m``
        import traceback

        traceback.print_exc()
    finally:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except Exception:  # noqa: BLE001 - closed or replaced by the student's code
                pass
        os._exit(code)


def private_mb(pid: int) -> float:
    """Memory of process ``pid`` that it shares with no other (``/proc/PID/smaps_rollup``), 0 if unknown: what a
    forked child adds to its zygote (its resident size counts the zygote's pages it only reads)."""
    try:
        lines = Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()
    except OSError:
        return 0.0
    return sum(int(line.split()[1]) for line in lines if line.startswith(("Private_Clean:", "Private_Dirty:"))) / 1024


# --------------------------------------------------------------------------------------------------
# In a sandboxed zygote (``--isolated``): nothing of one submission is left for the next
# --------------------------------------------------------------------------------------------------
def _unescape(field: str) -> str:
    return re.sub(r"\\([0-7]{3})", lambda octal: chr(int(octal.group(1), 8)), field)


def _mounts() -> dict:
    """Mount point -> whether it is a writable ``tmpfs`` (one of the sandbox's own folders), for the mounts one
    sees (``/proc/self/mountinfo`` lists them in the order they were made, also those a later mount on the same
    folder or one above it covers: bubblewrap's new ``/dev`` covers the host's ``/dev/shm``)."""
    found = {}
    for line in Path("/proc/self/mountinfo").read_text().splitlines():
        fields, kind = line.split(" - ", 1)
        point, options = _unescape(fields.split()[4]), fields.split()[5].split(",")
        below = point.rstrip("/") + "/"
        found = {other: value for other, value in found.items() if other != point and not other.startswith(below)}
        found[point] = kind.split()[0] == "tmpfs" and "rw" in options and point != "/"
    return found


def _kind(path: str):
    """What ``path`` is, without following it: ``"folder"``, ``"file"`` or ``("link", target)``."""
    if os.path.islink(path):
        return ("link", os.readlink(path))
    return "folder" if os.path.isdir(path) else "file"


class Box:
    """The sandbox a zygote runs in, as it was when the zygote started: its writable places and what they held
    (bubblewrap's mount points and links); :meth:`clear` brings it back to that."""

    def __init__(self, work: str):
        mounts = _mounts()
        self.mounts = set(mounts)
        self.roots = sorted({work, *(point for point, writable in mounts.items() if writable)})
        self.initial = {path: _kind(path) for root in self.roots for path in self._walk(root)}

    def _walk(self, folder: str):
        """Every path under ``folder``, not entering links or other mounts."""
        try:
            entries = list(os.scandir(folder))
        except OSError:
            return
        for entry in entries:
            yield entry.path
            if entry.path not in self.mounts and entry.is_dir(follow_symlinks=False):
                yield from self._walk(entry.path)

    def _others(self) -> list:
        """The processes of this PID namespace besides PID 1 and this one (zombies aside)."""
        found = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit() and int(entry.name) not in (1, os.getpid()):
                try:
                    if (entry / "stat").read_text().rsplit(")", 1)[1].split()[0] != "Z":
                        found.append(int(entry.name))
                except OSError:
                    pass  # ended meanwhile
        return found

    def end_processes(self) -> bool:
        """Kill every other process of the PID namespace (never outside one: PID 2 under PID 1 is bubblewrap's
        layout); True when none is left."""
        if (os.getpid(), os.getppid()) != (2, 1):
            return False
        for _ in range(500):
            try:
                os.kill(-1, signal.SIGKILL)  # Linux: every process we may signal but PID 1 and ourselves
            except ProcessLookupError:
                pass
            if not self._others():
                return True
            time.sleep(0.01)
        return False

    def _empty(self, folder: str, keep: tuple) -> bool:
        clean = True
        for path in list(self._walk_once(folder)):
            if path in self.mounts or path in keep:
                continue
            before = self.initial.get(path)
            leads_to_kept = any(kept.startswith(path + os.sep) for kept in keep)
            if before is not None or leads_to_kept:
                if _kind(path) == "folder":
                    clean &= self._empty(path, keep)
                elif before != _kind(path):
                    clean = False
                continue
            try:
                if _kind(path) == "folder":
                    shutil.rmtree(path, onerror=_open_and_retry)
                else:
                    os.unlink(path)
            except OSError:
                clean = False
        return clean

    @staticmethod
    def _walk_once(folder: str):
        try:
            return [entry.path for entry in os.scandir(folder)]
        except OSError:
            return []

    def clear(self, keep=()) -> bool:
        """End every other process and remove what appeared in the writable places since the zygote started,
        except ``keep`` (paths, with the folders that lead to them); False when something could not be."""
        ended = self.end_processes()
        keep = tuple(os.path.normpath(str(path)) for path in keep)
        return ended and all([self._empty(root, keep) for root in self.roots])


def _open_and_retry(function, path, _error) -> None:
    """``shutil.rmtree``'s error handler: a folder the submission closed (``chmod 000``) is opened again."""
    os.chmod(os.path.dirname(path), 0o700)
    if os.path.isdir(path) and not os.path.islink(path):
        os.chmod(path, 0o700)
        shutil.rmtree(path)
    else:
        function(path)


def _output_file():
    """A file for a child's stdout or stderr that lives in memory (the sandboxed zygote has no folder to keep it
    in that the child could not reach)."""
    if hasattr(os, "memfd_create"):
        return open(os.memfd_create("grading-output"), "w+b")
    return tempfile.TemporaryFile()


def _supervise(request: dict, box: Optional[Box] = None) -> dict:
    """Fork the child for ``request``, wait for it with the wall-clock backstop, and say how it ended (its
    private memory sampled while it runs); with a ``box``, the sandbox is cleared before and after the child."""
    start, limit, poll, private = time.monotonic(), None, 0.05, 0.0
    clean = box is None or box.clear(keep=[request["cwd"]])
    with _output_file() as out, _output_file() as err:
        pid = os.fork()
        if pid == 0:
            _become_child(request, out, err)
        while True:
            done, status, usage = os.wait4(pid, os.WNOHANG)
            if done:
                break
            if time.monotonic() - start > request["wall_seconds"]:
                limit = WALL
                _kill_group(pid)
                done, status, usage = os.wait4(pid, 0)
                break
            private = max(private, private_mb(pid))
            time.sleep(poll)
            poll = min(poll * 1.5, 0.25)
        _kill_group(pid)  # anything the child left running
        returncode = os.waitstatus_to_exitcode(status)
        stdout, stderr = _output(out), _output(err)
    if box is not None:
        clean = box.clear(keep=[request["config"]["result"]]) and clean
    cpu_s = usage.ru_utime + usage.ru_stime
    if limit is None and _stopped_by_cpu_limit(returncode, cpu_s, request["cpu_seconds"]):
        limit = CPU
    return {
        "nonce": request["nonce"],
        "returncode": returncode,
        "stdout": stdout,
        "stderr": stderr,
        "cpu_s": cpu_s,
        "wall_s": time.monotonic() - start,
        "limit": limit,
        "peak_mb": usage.ru_maxrss / 1024,
        "private_mb": private,
        "clean": clean,
    }


def serve(requests, answers, box: Optional[Box] = None) -> None:
    """The zygote's loop: one request (a JSON line) in, one child, one answer (a JSON line) out; with a ``box``
    that could not be cleared, the zygote ends after its answer (the grader starts a new one)."""
    answers.write(READY + "\n")
    answers.flush()
    for line in requests:
        request = json.loads(line)
        answer = _supervise(request, box)
        del request  # nothing of one submission lingers for the next
        answers.write(json.dumps(answer) + "\n")
        answers.flush()
        if not answer["clean"]:
            return


_start_entry = None  # the folder `python -m` put first on the zygote's sys.path (its start folder)


def main(argv=()) -> int:
    global _start_entry
    if sys.path and os.path.realpath(sys.path[0] or ".") == os.path.realpath(os.getcwd()):
        _start_entry = sys.path[0]
    _dumpable(False)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C in the grader's terminal: the grader ends us
    preload()
    box = Box(os.getcwd()) if ISOLATED in argv else None  # bubblewrap starts us in the work area
    if box is not None and not box.end_processes():
        return 1  # not alone in a PID namespace: nothing could be cleared between children
    serve(sys.stdin, sys.stdout, box)
    return 0


# --------------------------------------------------------------------------------------------------
# The grader's side
# --------------------------------------------------------------------------------------------------
class Zygote:
    """One zygote process, used by one grading thread at a time (``run`` is not thread-safe).

    ``sandbox_mode`` ``"bwrap"``: the zygote runs in bubblewrap, ``hidden`` folders replaced by empty ones (see the
    module's docstring), and each submission must be graded in a folder from :meth:`workdir`; ``"none"``: the
    zygote sees what the grader sees (``work`` is None)."""

    def __init__(self, sandbox_mode: str = "none", hidden=()):
        self.folder = tempfile.TemporaryDirectory(prefix="fcn_course_zygote_")
        folder = Path(self.folder.name)
        from fcn_course.checks import exercises

        self.modules = sorted({row.module for row in exercises()})
        self.hidden = tuple(str(path) for path in hidden)
        paths = sandbox.python_path(folder, self.modules)
        self.path = [str(p) for p in paths]
        environment = sandbox.child_environment(folder, paths)
        command = [sys.executable, "-s", "-B", "-m", "fcn_course.instructor.grade_zygote"]
        self.work = None
        if sandbox_mode == "bwrap":
            self.work = folder / "work"  # the only folder it may write to, besides the sandbox's empty ones
            self.work.mkdir(mode=0o700)
            readable = [*sandbox.readable_paths(paths), folder]
            command = sandbox.bwrap_command([*command, ISOLATED], self.work, readable, list(hidden))
        self.sandbox_mode = sandbox_mode
        self.process = subprocess.Popen(
            command,
            cwd=folder,
            env=environment,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            encoding="utf-8",
            start_new_session=True,  # the grader's Ctrl-C does not reach it; close() ends it
        )
        if self.process.stdout.readline().strip() != READY:
            self.close()
            raise ZygoteGone(text("grade.zygote_not_started"))

    def fits(self, sandbox_mode: str, hidden, modules) -> bool:
        """Was this zygote started for that sandbox, those hidden folders and those check modules?"""
        return (self.sandbox_mode, self.hidden, self.modules) == (sandbox_mode, tuple(map(str, hidden)), modules)

    @contextlib.contextmanager
    def workdir(self):
        """A new folder in the sandboxed zygote's work area for one submission, removed afterwards."""
        folder = self.work / secrets.token_hex(8)
        folder.mkdir(mode=0o700)
        try:
            yield folder
        finally:
            shutil.rmtree(folder, ignore_errors=True)

    def run(self, config: dict, cpu_seconds: float, *, cwd, env, wall_seconds: Optional[float] = None) -> ChildRun:
        """Like ``grade_time.run_limited`` for ``python -m fcn_course.instructor.grade_child CONFIG``, forked."""
        nonce = secrets.token_hex(16)
        request = {
            "nonce": nonce,
            "config": config,
            "cwd": str(cwd),
            "env": {**env, CPU_LIMIT_ENV: f"{cpu_seconds:g}"},
            "path": [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p],
            "zygote_path": self.path,
            "cpu_seconds": cpu_seconds,
            "wall_seconds": default_wall_limit(cpu_seconds) if wall_seconds is None else wall_seconds,
        }
        try:
            self.process.stdin.write(json.dumps(request) + "\n")
            self.process.stdin.flush()
            while True:
                line = self.process.stdout.readline()
                if not line:
                    raise ZygoteGone(text("grade.zygote_ended"))
                answer = json.loads(line)
                if isinstance(answer, dict) and answer.get("nonce") == nonce:
                    break  # an answer with another nonce was forged by an earlier child: skipped
        except (OSError, ValueError) as error:
            self.close()
            raise ZygoteGone(text("grade.zygote_failed", error=error)) from error
        except ZygoteGone:
            self.close()
            raise
        return ChildRun(
            int(answer["returncode"]),
            str(answer["stdout"]),
            str(answer["stderr"]),
            float(answer["cpu_s"]),
            float(answer["wall_s"]),
            answer["limit"] if answer["limit"] in (CPU, WALL) else None,
            peak_mb=float(answer["peak_mb"]),
            private_mb=float(answer["private_mb"]),
        )

    @property
    def alive(self) -> bool:
        return self.process.poll() is None

    def close(self) -> None:
        """End the zygote (and anything left in its session) and remove its folder."""
        for stream in (self.process.stdin, self.process.stdout):
            try:
                stream.close()
            except OSError:
                pass
        _kill_group(self.process.pid)
        self.process.wait()
        self.folder.cleanup()


class ZygotePool:
    """One zygote per grading thread, started when the thread first needs one; ``with`` ends them all."""

    def __init__(self):
        self._local, self._all, self._lock = threading.local(), [], threading.Lock()

    def get(self, sandbox_mode: str = "none", hidden=()) -> Zygote:
        """This thread's zygote for ``sandbox_mode`` and ``hidden`` folders: a new one when it has none, when its
        zygote ended or was started for other folders or other check modules; ZygoteGone if none starts."""
        from fcn_course.checks import exercises

        modules = sorted({row.module for row in exercises()})
        zygote = getattr(self._local, "zygote", None)
        if zygote is not None and not (zygote.alive and zygote.fits(sandbox_mode, hidden, modules)):
            with self._lock:
                self._all = [other for other in self._all if other is not zygote]
            zygote.close()
            zygote = None
        if zygote is None:
            self._local.zygote = None
            zygote = self._local.zygote = Zygote(sandbox_mode, hidden)
            with self._lock:
                self._all.append(zygote)
        return zygote

    def started(self) -> list:
        """The zygotes running now (one per thread at most)."""
        with self._lock:
            return list(self._all)

    def close(self) -> None:
        with self._lock:
            zygotes, self._all = self._all, []
        for zygote in zygotes:
            zygote.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

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

Where it is used: on Linux (``os.fork``), with ``--sandbox none`` (and ``auto`` where bubblewrap does not
work). Elsewhere the grader starts a fresh process per submission as before: there is no ``fork`` on Windows,
macOS's system libraries are not safe to use after ``fork``, and the bubblewrap sandbox (``--sandbox bwrap``)
wraps each child in namespaces of its own, which a fork of one shared parent cannot have.
``fcn_course.instructor.grade_class`` keeps one zygote per worker (``--jobs``): :class:`ZygotePool`.
"""

from __future__ import annotations

import json
import os
import secrets
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

# What every grading child imports: imported once by the zygote (see the module's docstring).
PRELOADED = ("torch", "torchvision", "nbformat", "jupytext", "fcn_course.checks", "fcn_course.definitions")
WARM_BACKBONES = ("alexnet",)  # their initial weights drawn once in the zygote (``checks.models``), shared
READY = "ready"
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
        own = [entry for entry in sys.path if entry not in request["zygote_path"]]
        sys.path[:] = [*request["path"], *own]
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


def _supervise(request: dict) -> dict:
    """Fork the child for ``request``, wait for it with the wall-clock backstop, and say how it ended (its
    private memory sampled while it runs)."""
    start, limit, poll, private = time.monotonic(), None, 0.05, 0.0
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
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
    }


def serve(requests, answers) -> None:
    """The zygote's loop: one request (a JSON line) in, one child, one answer (a JSON line) out."""
    answers.write(READY + "\n")
    answers.flush()
    for line in requests:
        request = json.loads(line)
        answer = _supervise(request)
        del request  # nothing of one submission lingers for the next
        answers.write(json.dumps(answer) + "\n")
        answers.flush()


def main() -> int:
    _dumpable(False)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C in the grader's terminal: the grader ends us
    preload()
    serve(sys.stdin, sys.stdout)
    return 0


# --------------------------------------------------------------------------------------------------
# The grader's side
# --------------------------------------------------------------------------------------------------
class Zygote:
    """One zygote process, used by one grading thread at a time (``run`` is not thread-safe)."""

    def __init__(self):
        self.folder = tempfile.TemporaryDirectory(prefix="fcn_course_zygote_")
        workdir = Path(self.folder.name)
        from fcn_course.checks import exercises

        modules = sorted({row.module for row in exercises()})
        self.path = [str(p) for p in sandbox.python_path(workdir, modules)]
        environment = sandbox.child_environment(workdir, [Path(p) for p in self.path])
        self.process = subprocess.Popen(
            [sys.executable, "-s", "-B", "-m", "fcn_course.instructor.grade_zygote"],
            cwd=workdir,
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
            raise ZygoteGone("the grading zygote did not start")

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
                    raise ZygoteGone("the grading zygote ended")
                answer = json.loads(line)
                if isinstance(answer, dict) and answer.get("nonce") == nonce:
                    break  # an answer with another nonce was forged by an earlier child: skipped
        except (OSError, ValueError) as error:
            self.close()
            raise ZygoteGone(f"the grading zygote failed: {error}") from error
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

    def get(self) -> Zygote:
        """This thread's zygote (a new one when it has none or its zygote ended); ZygoteGone if none starts."""
        zygote = getattr(self._local, "zygote", None)
        if zygote is None or not zygote.alive:
            zygote = self._local.zygote = Zygote()
            with self._lock:
                self._all.append(zygote)
        return zygote

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
    sys.exit(main())

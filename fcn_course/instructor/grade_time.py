"""Time limits for the grading child: on CPU time, retried once, and a verdict that says whose fault it is.

A wall-clock limit punishes a correct submission when the grading machine is busy (``--jobs`` above the cores,
other users): the child then waits for a core, not for the student's code. So the limit is on the child's
**CPU time**: the child sets ``RLIMIT_CPU`` on itself (:func:`limit_own_cpu`, the first thing it does, before
any student code runs) from the environment variable ``CPU_LIMIT_ENV``, and the parent measures the child's
CPU time when it ends (``os.wait4``). A wall-clock backstop (``WALL_FACTOR`` times the CPU limit) still stops
a child that waits without computing (a ``time.sleep`` or a blocked read in a definition).

A time-out is retried once before it is reported (:func:`run_with_retry`), and :func:`timeout_message` says
which limit was hit: the CPU limit (the code itself needs that much), or the wall clock with little CPU used,
on a loaded machine (the machine's fault: the student is told so, and the instructor grades again) or on an
idle one (the code waits for something).

POSIX only; elsewhere (Windows) the limit is on wall-clock time, as ``subprocess.run(timeout=...)`` gives.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from typing import Optional

from fcn_course.messages import text

CPU_LIMIT_ENV = "FCN_COURSE_GRADE_CPU_SECONDS"  # read by the grading child (limit_own_cpu)
WALL_FACTOR = 4  # wall-clock backstop: 4 x the CPU limit (a child that gets a core a quarter of the time)
WALL_MARGIN = 60  # ... and at least this many seconds more than the CPU limit
CPU, WALL = "cpu", "wall"  # which limit stopped a child
HARD_LIMIT_MARGIN = 5  # RLIMIT_CPU: SIGXCPU at the limit, SIGKILL this many seconds later


@dataclass
class ChildRun:
    """How a grading child ended: exit code, output, CPU and wall seconds, and the limit that stopped it."""

    returncode: int
    stdout: str
    stderr: str
    cpu_s: float
    wall_s: float
    limit: Optional[str] = None  # None, CPU or WALL
    peak_mb: Optional[float] = None  # the child's peak resident memory (shared pages included), when known
    private_mb: Optional[float] = None  # ... of which its own (not shared with a zygote: grade_zygote), sampled


def wall_limit(cpu_seconds: float) -> float:
    """The wall-clock backstop for a CPU limit of ``cpu_seconds``."""
    return max(cpu_seconds * WALL_FACTOR, cpu_seconds + WALL_MARGIN)


def limit_own_cpu(environ=None) -> Optional[int]:
    """In the grading child: stop this process after ``$FCN_COURSE_GRADE_CPU_SECONDS`` of CPU (None: no limit)."""
    value = (os.environ if environ is None else environ).get(CPU_LIMIT_ENV)
    if not value:
        return None
    try:
        import resource
    except ImportError:  # Windows: the parent's wall-clock limit is the only one
        return None
    seconds = max(1, int(float(value) + 0.999))
    resource.setrlimit(resource.RLIMIT_CPU, (seconds, seconds + HARD_LIMIT_MARGIN))
    return seconds


def _stopped_by_cpu_limit(status_code: int, cpu_s: float, cpu_seconds: float) -> bool:
    killed_by = {-getattr(signal, "SIGXCPU", 0), -signal.SIGKILL}
    return status_code in killed_by and cpu_s >= cpu_seconds - 0.5


def run_limited(
    command, cpu_seconds: float, *, cwd, env, wall_seconds: Optional[float] = None, poll: float = 0.05
) -> ChildRun:
    """Run ``command`` with a CPU-time limit of ``cpu_seconds`` and a wall-clock backstop of ``wall_seconds``
    (default :func:`wall_limit`)."""
    env = {**env, CPU_LIMIT_ENV: f"{cpu_seconds:g}"}
    wall_seconds = wall_limit(cpu_seconds) if wall_seconds is None else wall_seconds
    if not hasattr(os, "wait4"):  # pragma: no cover - Windows
        return _run_wall_clock(command, cpu_seconds, cwd=cwd, env=env)
    start, limit = time.monotonic(), None
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        child = subprocess.Popen(
            command, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=err, start_new_session=True
        )  # its own process group: killed with anything it started
        while True:
            pid, status, usage = os.wait4(child.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() - start > wall_seconds:
                limit = WALL
                _kill_group(child.pid)
                pid, status, usage = os.wait4(child.pid, 0)
                break
            time.sleep(poll)
            poll = min(poll * 1.5, 0.5)
        child.returncode = os.waitstatus_to_exitcode(status)
        _kill_group(child.pid)  # anything the child left running
        out.seek(0)
        err.seek(0)
        stdout, stderr = (handle.read().decode("utf-8", errors="replace") for handle in (out, err))
    cpu_s = usage.ru_utime + usage.ru_stime
    if limit is None and _stopped_by_cpu_limit(child.returncode, cpu_s, cpu_seconds):
        limit = CPU
    peak_mb = usage.ru_maxrss / (1024 * 1024 if sys.platform == "darwin" else 1024)  # bytes on macOS, else KiB
    return ChildRun(child.returncode, stdout, stderr, cpu_s, time.monotonic() - start, limit, peak_mb)


def _kill_group(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def _run_wall_clock(command, seconds, *, cwd, env) -> ChildRun:  # pragma: no cover - Windows
    start = time.monotonic()
    try:
        done = subprocess.run(
            command, cwd=cwd, env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=seconds
        )
    except subprocess.TimeoutExpired:
        return ChildRun(-1, "", "", float("nan"), time.monotonic() - start, WALL)
    return ChildRun(done.returncode, done.stdout, done.stderr, float("nan"), time.monotonic() - start)


def run_with_retry(command, cpu_seconds: float, *, cwd, env, retries: int = 1, wall_seconds: Optional[float] = None):
    """:func:`run_limited`, again (up to ``retries`` times) when a limit stopped it: ``(last run, attempts)``."""
    for attempt in range(1, retries + 2):  # noqa: B007 - the number of attempts is returned
        run = run_limited(command, cpu_seconds, cwd=cwd, env=env, wall_seconds=wall_seconds)
        if run.limit is None:
            break
    return run, attempt


def machine_busy() -> bool:
    """More runnable processes than cores over the last minute (a child then waits for a core)."""
    try:
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
        return os.getloadavg()[0] > cores
    except OSError:  # pragma: no cover - no load average on this system
        return False


def timeout_message(run: ChildRun, cpu_seconds: float, attempts: int) -> str:
    """What the student's report says about a time-out (from the message catalogue): whose fault it is."""
    known = run.cpu_s == run.cpu_s  # NaN where the CPU time is unknown (Windows)
    if run.limit == CPU or (known and run.cpu_s >= cpu_seconds * 0.9):
        key = "grade.timed_out_cpu"  # the code itself needed that much CPU
    elif not known or machine_busy():
        key = "grade.timed_out_busy"  # it waited for a core: the machine's fault
    else:
        key = "grade.timed_out_waiting"  # an idle machine, little CPU used: the code waits for something
    return text(key, seconds=cpu_seconds, wall=run.wall_s, cpu=run.cpu_s if known else 0.0, attempts=attempts)

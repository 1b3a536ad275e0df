"""Tests of the grading child's time limits (fcn_course.instructor.grade_time): CPU time, not wall time, one
retry, and a time-out message that blames the code only when the code used the CPU. Plain Python children, no
PyTorch: each test takes a few seconds."""

import os
import sys

import pytest

from fcn_course.instructor import grade_time
from fcn_course.instructor.grade_time import CPU, WALL, ChildRun, run_limited, run_with_retry, timeout_message

pytestmark = pytest.mark.skipif(not hasattr(os, "wait4"), reason="CPU-time limits need POSIX")
LIMITED = "import sys\nfrom fcn_course.instructor.grade_time import limit_own_cpu\nlimit_own_cpu()\n"


def python(code: str) -> list:
    return [sys.executable, "-c", LIMITED + code]


@pytest.mark.subprocess
def test_a_busy_loop_is_stopped_by_its_cpu_time_and_retried_once(tmp_path):
    run, attempts = run_with_retry(
        python("while True:\n    pass\n"), 1, cwd=tmp_path, env=dict(os.environ), wall_seconds=120
    )
    assert run.limit == CPU and attempts == 2 and run.cpu_s >= 0.9
    message = timeout_message(run, 1, attempts)
    assert "limite de 1 s de tempo de CPU" in message and "2 tentativa(s)" in message


@pytest.mark.subprocess
def test_a_child_that_waits_is_stopped_by_the_wall_clock_backstop_and_not_blamed_for_a_slow_machine(tmp_path):
    run = run_limited(python("import time\ntime.sleep(60)\n"), 30, cwd=tmp_path, env=dict(os.environ), wall_seconds=2)
    assert run.limit == WALL and run.cpu_s < 2 and 2 <= run.wall_s < 30
    message = timeout_message(run, 30, 2)
    assert "de CPU" in message and "laço" not in message  # waiting or an overloaded machine, never "your loop"


@pytest.mark.subprocess
def test_a_child_within_its_limits_reports_its_cpu_time_and_output(tmp_path):
    run = run_limited(python("print('pronto'); sys.exit(3)\n"), 30, cwd=tmp_path, env=dict(os.environ))
    assert (run.limit, run.returncode, run.stdout.strip()) == (None, 3, "pronto") and run.cpu_s < 30


def test_the_timeout_message_tells_a_slow_machine_from_slow_code(monkeypatch):
    starved = ChildRun(-9, "", "", cpu_s=20.0, wall_s=1200.0, limit=WALL)
    monkeypatch.setattr(grade_time, "machine_busy", lambda: True)
    busy = timeout_message(starved, 300, 2)
    assert "sobrecarregada" in busy and "não indica um problema no seu notebook" in busy
    monkeypatch.setattr(grade_time, "machine_busy", lambda: False)
    assert "esperando" in timeout_message(starved, 300, 2)
    assert "laço" in timeout_message(ChildRun(-24, "", "", 300.5, 400.0, CPU), 300, 2)

"""Keeps the markers ``kernel`` and ``subprocess`` honest, so that the fast lane stays fast.

The fast lane (``bash scripts/run_tests.sh --fast``) leaves out the tests marked ``kernel`` (they start a Jupyter
kernel), ``subprocess`` (they start another process: Python, nbgrader, Sphinx, a virtualenv), ``browser`` and
``slow``. A test that starts a kernel or a process without its marker would silently make the fast lane slow, so
these hooks (imported by conftest.py) records every process started while a test runs, fixtures included, and fails
the test with the marker to add. Tests marked ``browser`` may start anything (a browser, JupyterLab).
"""

from __future__ import annotations

import functools
import subprocess

import pytest

_started: list = []  # the command of every process started since the last test report
_real_popen_init = subprocess.Popen.__init__


def is_kernel(command) -> bool:
    """Whether a process command starts a Jupyter (IPython) kernel."""
    words = [command] if isinstance(command, (str, bytes)) else list(command)
    return any("ipykernel" in str(word) for word in words)


def is_version_probe(command) -> bool:
    """Whether a command only asks a program for its version (``pandoc --version``, run by a library at import)
    or the machine for its processor (``uname -p``: ``platform.processor()``, once per process; in a parallel
    run, during the first test of each worker)."""
    words = command.split() if isinstance(command, (str, bytes)) else list(command)
    words = [str(word) for word in words]
    return len(words) == 2 and (words[1] == "--version" or words == ["uname", "-p"])


def missing_markers(markers, commands) -> list:
    """The markers a test that started ``commands`` lacks, given the names of its ``markers``."""
    commands = [command for command in commands if not is_version_probe(command)]
    if "browser" in markers or not commands:
        return []
    missing = []
    if any(is_kernel(command) for command in commands) and "kernel" not in markers:
        missing.append("kernel")
    if any(not is_kernel(command) for command in commands) and "subprocess" not in markers:
        missing.append("subprocess")
    return missing


@functools.wraps(_real_popen_init)
def _recording_popen_init(self, args, *more, **options):
    _started.append(args)
    _real_popen_init(self, args, *more, **options)


def pytest_configure(config):
    subprocess.Popen.__init__ = _recording_popen_init


def pytest_unconfigure(config):
    subprocess.Popen.__init__ = _real_popen_init


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_protocol(item, nextitem):
    """Forget what started before this test: the notebooks' kernels (nbval items lie outside tests/, where
    these hooks do not run; in a parallel run they come before the tests of the same worker)."""
    _started.clear()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    commands = list(_started)
    _started.clear()
    report = outcome.get_result()
    if not isinstance(item, pytest.Function) or report.failed:
        return  # nbval's notebook cells run in a kernel by design
    missing = missing_markers({marker.name for marker in item.iter_markers()}, commands)
    if missing:
        shown = " ".join(map(str, commands[0])) if not isinstance(commands[0], (str, bytes)) else commands[0]
        report.outcome = "failed"
        report.longrepr = (
            f"{item.nodeid} started {len(commands)} process(es) (the first: {shown[:200]}) during its "
            f"{call.when}, but is not marked {' and '.join(missing)}: add "
            + " ".join(f"@pytest.mark.{name}" for name in missing)
            + " (the fast lane leaves such tests out; README, Tests)"
        )

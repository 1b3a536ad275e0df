"""Tests of tests/process_markers.py: which marker a test that starts a process must carry."""

import subprocess
import sys

import pytest

from process_markers import is_kernel, is_version_probe, missing_markers

KERNEL = [sys.executable, "-m", "ipykernel_launcher", "-f", "/tmp/kernel-1.json"]
SCRIPT = [sys.executable, "scripts/train.py", "--smoke"]


def test_a_kernel_command_is_told_from_another_process():
    assert is_kernel(KERNEL) and is_kernel(" ".join(KERNEL))
    assert not is_kernel(SCRIPT) and not is_kernel("sphinx-build -b html src out")


def test_a_version_probe_is_told_from_a_real_run():
    assert is_version_probe(["pandoc", "--version"]) and is_version_probe("pandoc --version")
    assert is_version_probe(["uname", "-p"]) and not is_version_probe(["uname", "-a"])
    assert not is_version_probe(SCRIPT) and not is_version_probe([sys.executable, "--version", "-c", "pass"])


@pytest.mark.parametrize(
    "markers, commands, missing",
    [
        (set(), [], []),
        (set(), [KERNEL], ["kernel"]),
        (set(), [SCRIPT], ["subprocess"]),
        (set(), [KERNEL, SCRIPT], ["kernel", "subprocess"]),
        ({"kernel"}, [KERNEL], []),
        ({"kernel"}, [KERNEL, SCRIPT], ["subprocess"]),
        ({"subprocess"}, [KERNEL], ["kernel"]),
        ({"subprocess", "parametrize"}, [SCRIPT], []),
        ({"browser"}, [KERNEL, SCRIPT], []),
        (set(), [["pandoc", "--version"]], []),  # a library asking for a version at import time: not the test's own
    ],
)
def test_missing_markers(markers, commands, missing):
    assert missing_markers(markers, commands) == missing


@pytest.mark.subprocess
def test_a_process_started_by_a_test_is_recorded():
    import process_markers

    process_markers._started.clear()
    subprocess.run([sys.executable, "-c", "pass"], check=True)
    assert process_markers._started[-1] == [sys.executable, "-c", "pass"]


def test_processes_started_before_a_test_are_not_charged_to_it():
    """A notebook's kernel (nbval, outside tests/) started before a test on the same worker is forgotten."""
    import process_markers

    process_markers._started.append(KERNEL)
    process_markers.pytest_runtest_protocol(item=None, nextitem=None)
    assert process_markers._started == []

"""The GPU check script stays runnable: the same code on the CPU, tiny settings (the real run needs CUDA)."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.subprocess  # each test runs the script as a child process


def test_gpu_check_runs_on_the_cpu_and_prints_the_table(tmp_path):
    done = subprocess.run(
        [
            sys.executable,
            "benchmarks/gpu_check.py",
            "--device",
            "cpu",
            "--size",
            "64",
            "--images",
            "2",
            "--epochs",
            "1",
            "--backbones",
            "alexnet",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    table = [line for line in done.stdout.splitlines() if line.startswith("| alexnet-")]
    assert [line.split(" | ")[0] for line in table] == [
        "| alexnet-noskip-scratch",
        "| alexnet-noskip-pretrained",
        "| alexnet-skip-scratch",
        "| alexnet-skip-pretrained",
    ]


def test_gpu_check_says_when_there_is_no_gpu():
    import pytest
    import torch

    if torch.cuda.is_available():
        pytest.skip("a GPU is here: the check would run for real")
    done = subprocess.run(
        [sys.executable, "benchmarks/gpu_check.py"], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 2 and "no CUDA GPU here" in done.stdout

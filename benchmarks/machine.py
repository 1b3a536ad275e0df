"""The machine a benchmark ran on, printed with every figure: timings on two CPU models differ about 2x, so
only figures measured side by side in one run compare."""

from __future__ import annotations

import os
import platform
import subprocess


def cpu_model() -> str:
    """``lscpu``'s model name (else platform's), and the number of cores this process may use."""
    model = platform.processor() or platform.machine()
    try:
        lines = subprocess.run(["lscpu"], capture_output=True, text=True, timeout=10).stdout.splitlines()
        model = next((line.split(":", 1)[1].strip() for line in lines if line.startswith("Model name")), model)
    except (OSError, subprocess.SubprocessError):
        pass
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return f"{model}, {cores} core(s), load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}"

"""Grading at class scale: CPU seconds, wall seconds and peak memory per submission and per class.

Three measurements, on a correct notebook-02 submission (``solutions/notebooks/02_fcn_alexnet.ipynb`` unless
``--submission`` names another notebook):

1. **where the time goes**: one grading child run by hand, with a timer around each phase (interpreter start,
   importing PyTorch, the course's checks, nbformat, running the definitions, then each exercise's check);
   ``--profile`` adds the ten most expensive functions (cProfile);
2. **one submission** through the real grader (``fcn_course.instructor.grade.grade``): the child's CPU time
   (user + system) and peak memory (max RSS), and the wall time;
3. **a class** (``--students N``, each with ``--notebooks`` copies of the submission, e.g. 01–04) through
   ``grade_class`` with ``--jobs`` children at once: wall time, CPU time, and the figure scaled to 80 × 4.

The machine comes first (``lscpu``'s model name, cores, the load average): CPU seconds compare across
machines, wall seconds only on an idle one.

    python benchmarks/bench_grading.py                       # phases + one submission
    python benchmarks/bench_grading.py --students 4 --jobs 2 # ... + a class of 4 students x 1 notebook
    python benchmarks/bench_grading.py --phases-only --profile
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run from anywhere

from fcn_course.environment import SMOKE_ENV  # noqa: E402 - after the path is set

DEFAULT_SUBMISSION = ROOT / "solutions" / "notebooks" / "02_fcn_alexnet.ipynb"
TARGETS = {"cpu_s": 10.0, "peak_mb": 600.0, "class_minutes_80x4_on_2_cores": 15.0}


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


def _cpu(usage) -> float:
    return usage.ru_utime + usage.ru_stime


def _peak_mb(usage) -> float:
    return usage.ru_maxrss / (1024 * 1024 if sys.platform == "darwin" else 1024)  # bytes on macOS, KiB on Linux


# --------------------------------------------------------------------------------------------------
# 1. Where the time goes: the grading child's work, phase by phase (runs in a child of this script)
# --------------------------------------------------------------------------------------------------
def child_phases(copy: Path, profile: bool) -> dict:
    """What ``python -m fcn_course.instructor.grade`` does, timed phase by phase (this runs in a child)."""
    phases, last = [], {"cpu": _cpu(resource.getrusage(resource.RUSAGE_SELF)), "wall": time.perf_counter()}
    phases.append(
        {
            "phase": "interpreter start",
            "cpu_s": last["cpu"],
            "wall_s": None,
            "peak_mb": _peak_mb(resource.getrusage(resource.RUSAGE_SELF)),
        }
    )

    def mark(name):
        usage, now = resource.getrusage(resource.RUSAGE_SELF), time.perf_counter()
        phases.append(
            {
                "phase": name,
                "cpu_s": _cpu(usage) - last["cpu"],
                "wall_s": now - last["wall"],
                "peak_mb": _peak_mb(usage),
            }
        )
        last.update(cpu=_cpu(usage), wall=now)

    import torch  # noqa: F401

    mark("import torch")
    import torchvision  # noqa: F401

    mark("import torchvision")
    import nbformat  # noqa: F401
    import jupytext  # noqa: F401

    mark("import nbformat, jupytext")
    from fcn_course import checks
    from fcn_course.instructor import grade  # noqa: F401  (what the child imports besides)

    mark("import fcn_course.checks (+ engine, backbones...)")
    from fcn_course.definitions import execute_definition_cells, read_notebook

    namespace, failures = execute_definition_cells(read_notebook(copy), name=copy.name)
    mark(f"read + run the definitions ({len(failures)} failed)")
    profiler = None
    if profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    for key in checks.exercises_for_notebook(copy.name) or ():
        passed = checks.check(key, namespace, verbose=False).passed
        mark(f"check {key} ({'passed' if passed else 'FAILED'})")
    top = []
    if profiler is not None:
        import io
        import pstats

        profiler.disable()
        stream = io.StringIO()
        pstats.Stats(profiler, stream=stream).sort_stats("tottime").print_stats(10)
        top = [line for line in stream.getvalue().splitlines() if line.strip()][-11:]
    return {"phases": phases, "threads": torch.get_num_threads(), "profile": top}


def measure_phases(submission: Path, profile: bool, env_extra: dict) -> dict:
    with tempfile.TemporaryDirectory(prefix="bench_grading_") as folder:
        copy = Path(folder) / submission.name
        shutil.copyfile(submission, copy)
        env = {
            **os.environ,
            SMOKE_ENV: "1",
            "MPLBACKEND": "Agg",
            "HOME": folder,
            "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
            **env_extra,
        }
        command = [sys.executable, __file__, "--child", str(copy)] + (["--profile"] if profile else [])
        done = subprocess.run(command, cwd=folder, env=env, capture_output=True, text=True)
        if done.returncode != 0:
            raise SystemExit(f"the measuring child failed:\n{done.stderr[-3000:]}")
        return json.loads(done.stdout.strip().splitlines()[-1])


def print_phases(result: dict, title: str) -> None:
    print(f"\n## Where the time goes ({title}; torch threads: {result['threads']})\n")
    print("| phase | CPU s | wall s | peak MB after |\n| --- | ---: | ---: | ---: |")
    for row in result["phases"]:
        wall = "" if row["wall_s"] is None else f"{row['wall_s']:.2f}"
        print(f"| {row['phase']} | {row['cpu_s']:.2f} | {wall} | {row['peak_mb']:.0f} |")
    total = sum(row["cpu_s"] for row in result["phases"])
    print(f"| **total** | **{total:.2f}** | | **{max(r['peak_mb'] for r in result['phases']):.0f}** |")
    if result["profile"]:
        print("\nMost expensive functions (cProfile, own time, checks only):\n```")
        print("\n".join(result["profile"]))
        print("```")


# --------------------------------------------------------------------------------------------------
# 2. and 3. The real grader: one submission, then a class
# --------------------------------------------------------------------------------------------------
def _children_usage():
    return resource.getrusage(resource.RUSAGE_CHILDREN)


def measure_submission(submission: Path) -> dict:
    from fcn_course.instructor.grade import grade

    before, start = _children_usage(), time.perf_counter()
    result = grade(submission, quiet=True)
    after = _children_usage()
    return {
        "status": result["status"],
        "passed": result["passed"],
        "total": result["total"],
        "wall_s": time.perf_counter() - start,
        "cpu_s": _cpu(after) - _cpu(before),
        "peak_mb": _peak_mb(after),
    }


def make_class(folder: Path, submission: Path, students: int, notebooks: int) -> Path:
    """``folder/turma/aluno-NN/<notebook copies>``: every student hands in the same correct notebook(s)."""
    turma = folder / "turma"
    for number in range(1, students + 1):
        student = turma / f"Aluno {number:02d}_{10000 + number}_assignsubmission_file_"
        student.mkdir(parents=True)
        for copy in range(notebooks):
            name = submission.name if copy == 0 else f"{submission.stem} ({copy}){submission.suffix}"
            shutil.copyfile(submission, student / name)
    return turma


def measure_class(submission: Path, students: int, notebooks: int, jobs: int) -> dict:
    from fcn_course.instructor.grade_class import grade_class

    with tempfile.TemporaryDirectory(prefix="bench_grading_class_") as folder:
        turma = make_class(Path(folder), submission, students, notebooks)
        before, start = _children_usage(), time.perf_counter()
        grades = grade_class([turma], Path(folder) / "notas", jobs=jobs)
        after = _children_usage()
    wall, count = time.perf_counter() - start, students * notebooks
    return {
        "submissions": count,
        "jobs": jobs,
        "wall_s": wall,
        "cpu_s": _cpu(after) - _cpu(before),
        "statuses": sorted({row["status"] for row in grades.rows}),
        "wall_80x4_min": wall / count * 320 / 60,
        "cpu_80x4_min_on_2_cores": (_cpu(after) - _cpu(before)) / count * 320 / 2 / 60,
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--submission", type=Path, default=DEFAULT_SUBMISSION, help="the notebook to grade")
    parser.add_argument("--students", type=int, default=0, help="also grade a class of N students (default: 0)")
    parser.add_argument("--notebooks", type=int, default=1, help="copies of the submission per student")
    parser.add_argument("--jobs", type=int, default=2, help="children at once for the class (default: 2)")
    parser.add_argument("--profile", action="store_true", help="cProfile the checks (phases only)")
    parser.add_argument("--phases-only", action="store_true", help="only measure where the time goes")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child_phases(args.child, args.profile)))
        return 0
    print(f"# Grading benchmark\n\nmachine: {cpu_model()}\nsubmission: {args.submission}")
    print(
        f"targets: ≤ {TARGETS['cpu_s']:g} s CPU and ≤ {TARGETS['peak_mb']:g} MB per notebook-02 submission; "
        f"80 × 4 notebooks ≤ {TARGETS['class_minutes_80x4_on_2_cores']:g} min on 2 cores"
    )
    print_phases(measure_phases(args.submission, args.profile, {"OMP_NUM_THREADS": "1"}), "one thread")
    if args.phases_only:
        return 0
    one = measure_submission(args.submission)
    print(
        f"\n## One submission, through the grader\n\nstatus {one['status']}, {one['passed']}/{one['total']} "
        f"exercises; CPU {one['cpu_s']:.1f} s, wall {one['wall_s']:.1f} s, peak {one['peak_mb']:.0f} MB "
        f"({'within' if one['cpu_s'] <= TARGETS['cpu_s'] and one['peak_mb'] <= TARGETS['peak_mb'] else 'OVER'}"
        " the target)"
    )
    if args.students:
        group = measure_class(args.submission, args.students, args.notebooks, args.jobs)
        print(
            f"\n## A class: {args.students} student(s) × {args.notebooks} notebook(s), --jobs {group['jobs']}\n\n"
            f"statuses {group['statuses']}; wall {group['wall_s']:.1f} s ({group['wall_s'] / group['submissions']:.1f}"
            f" s per submission), CPU {group['cpu_s']:.1f} s ({group['cpu_s'] / group['submissions']:.1f} s per "
            f"submission)\nscaled to 80 × 4 such submissions: {group['wall_80x4_min']:.1f} min wall here, "
            f"{group['cpu_80x4_min_on_2_cores']:.1f} min of CPU spread over 2 cores"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())

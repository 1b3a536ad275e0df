"""Grading at class scale: CPU seconds, wall seconds and peak memory per submission and per class.

Three measurements, on a correct notebook-02 submission (``solutions/notebooks/02_fcn_alexnet.ipynb`` unless
``--submission`` names another notebook):

1. **where the time goes**: one grading child run by hand, with a timer around each phase (interpreter start,
   importing PyTorch, the course's checks, nbformat, running the definitions, then each exercise's check);
   ``--profile`` adds the ten most expensive functions (cProfile);
2. **one submission** through the real grader (``fcn_course.instructor.grade.grade``), ``--repeats`` times
   in a new process each (the way before issue 22) and then forked from a zygote (``grade_zygote``), with
   ``--sandbox none`` and, where bubblewrap works, ``--sandbox bwrap`` (the default's choice; the zygote then
   runs in the sandbox), side by side: the child's CPU time (user + system), its peak resident memory (shared
   pages included) and, forked, its private memory (sampled), and the wall time;
3. **a class** (``--students N``, each with ``--notebooks`` copies of the submission, e.g. 01–04) through
   ``grade_class`` with ``--jobs`` children at once, with and without the zygote, in each sandbox: wall time,
   CPU time, and the figures extrapolated to 80 × 4;
4. ``--course``: every solution notebook of the outline forked from one zygote (in the sandbox ``--sandbox`` names,
   ``auto`` by default): one student's whole course, and the zygote's own CPU per submission.

The machine comes first (``lscpu``'s model name, cores, the load average): CPU seconds compare across
machines, wall seconds only on an idle one.

    python benchmarks/bench_grading.py                       # phases + one submission
    python benchmarks/bench_grading.py --students 4 --jobs 2 # ... + a class of 4 students x 1 notebook
    python benchmarks/bench_grading.py --phases-only --profile
    python benchmarks/bench_grading.py --course              # every solution notebook through one zygote
"""

from __future__ import annotations

import argparse
import json
import os
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
from machine import cpu_model  # noqa: E402 - benchmarks/machine.py, next to this file

DEFAULT_SUBMISSION = ROOT / "solutions" / "notebooks" / "02_fcn_alexnet.ipynb"
TARGETS = {"cpu_s": 10.0, "peak_mb": 600.0, "class_minutes_80x4_on_2_cores": 15.0}


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


def measure_submission(submission: Path, zygotes=None, sandbox_mode: str = "none") -> dict:
    """One grading through ``grade``; the child's own figures."""
    from fcn_course.instructor.grade import grade

    start = time.perf_counter()
    result = grade(submission, quiet=True, sandbox_mode=sandbox_mode, zygotes=zygotes)
    process = result.get("process") or {}
    return {
        "status": result["status"],
        "passed": result["passed"],
        "total": result["total"],
        "wall_s": time.perf_counter() - start,
        "cpu_s": process.get("cpu_s") or 0.0,
        "peak_mb": process.get("peak_mb") or 0.0,
        "private_mb": process.get("private_mb"),
    }


def process_cpu_s(pid: int) -> float:
    """CPU seconds (user + system) process ``pid`` has used so far (``/proc/PID/stat``)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def family(pid: int) -> set:
    """Process ``pid`` and every live descendant (a sandboxed zygote runs under two bubblewrap processes)."""
    parents = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parents[int(entry.name)] = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except OSError:
                pass
    found = {pid}
    for _ in range(len(parents)):
        grown = found | {child for child, parent in parents.items() if parent in found}
        if grown == found:
            break
        found = grown
    return found


def tree_cpu_s(pid: int) -> float:
    """CPU seconds of process ``pid`` and every live descendant."""
    total = 0.0
    for member in family(pid):
        try:
            total += process_cpu_s(member)
        except OSError:
            pass
    return total


def sandboxes() -> list:
    """The sandboxes to compare: ``none``, and ``bwrap`` where it works (what ``auto`` picks then)."""
    from fcn_course.instructor import sandbox

    return ["none", "bwrap"] if sandbox.bwrap_available() else ["none"]


def zygote_for(pool, submission: Path, sandbox_mode: str):
    """Start the pool's zygote as ``grade`` would for ``submission`` (its hidden folders, in the bwrap sandbox)."""
    from fcn_course.instructor import grade, sandbox

    if sandbox_mode == "none":
        return pool.get()
    private = grade._private_folders(Path(os.path.abspath(submission)), [])
    return pool.get("bwrap", sandbox.outermost(sandbox.hidden_folders([*private, grade.SOLUTIONS_DIR])))


def measure_launchers(submission: Path, repeats: int) -> list:
    """The same submission graded ``repeats`` times in a new process each (the old way) and forked from a
    zygote (``grade_zygote``), without a sandbox and in bwrap, in this one run: lines for the table."""
    from fcn_course.instructor import grade_zygote

    rows = []
    for mode in sandboxes():
        rows += [(f"new process, {mode}", measure_submission(submission, None, mode)) for _ in range(repeats)]
        if not grade_zygote.supported():
            continue
        start = time.perf_counter()
        with grade_zygote.ZygotePool() as pool:
            zygote = zygote_for(pool, submission, mode)
            started = {"wall_s": time.perf_counter() - start, "cpu_s": tree_cpu_s(zygote.process.pid)}
            rows.append((f"zygote start, {mode} (once per job)", {**started, "status": "", "passed": 0, "total": 0}))
            rows += [
                (f"forked from the zygote, {mode}", measure_submission(submission, pool, mode)) for _ in range(repeats)
            ]
            rows[-1][1]["zygote_rss_mb"] = max(private_rss_mb(member) for member in family(zygote.process.pid))
            assert pool.started() == [zygote], "the benchmark's zygote was replaced"
    return rows


def private_rss_mb(pid: int) -> float:
    try:
        lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    except OSError:
        return 0.0
    return next((int(line.split()[1]) / 1024 for line in lines if line.startswith("VmRSS:")), 0.0)


def measure_course(mode: str, repeats: int = 1) -> list:
    """Every solution notebook of the outline graded through one zygote in sandbox ``mode`` (CPU seconds and
    private MB each): what one student of the whole course costs; last, the zygote's own CPU (its start, and
    per submission its supervision and, in bwrap, the clearing of its sandbox)."""
    from fcn_course.instructor import grade_zygote
    from fcn_course.outline import COURSE_NOTEBOOKS

    rows = []
    paths = [ROOT / "solutions" / "notebooks" / f"{name}.ipynb" for name in COURSE_NOTEBOOKS]
    paths = [path for path in paths if path.is_file()]
    with grade_zygote.ZygotePool() as pool:
        zygote = zygote_for(pool, paths[0], mode)
        started = tree_cpu_s(zygote.process.pid)
        for path in paths:
            rows += [(path.stem, measure_submission(path, pool, mode)) for _ in range(repeats)]
        assert pool.started() == [zygote], "the benchmark's zygote was replaced"
        own = (tree_cpu_s(zygote.process.pid) - started) / len(rows)
    return rows, started, own


def print_course(rows: list, started: float, own: float, mode: str) -> None:
    print(f"\n## Every notebook of the course, forked from one zygote (--sandbox {mode})\n")
    print("| notebook | status | CPU s | wall s | private MB |\n| --- | --- | ---: | ---: | ---: |")
    for name, row in rows:
        private = f"{row['private_mb']:.0f}" if row.get("private_mb") else ""
        print(
            f"| {name} | {row['status']} {row['passed']}/{row['total']} | {row['cpu_s']:.2f} | {row['wall_s']:.1f} | {private} |"
        )
    per_student = sum(row["cpu_s"] for _, row in rows) + own * len(rows)
    print(f"\nthe zygote: {started:.1f} s of CPU to start (once per job), {own:.2f} s per submission besides the child")
    print(
        f"\none student, every notebook: {per_student:.1f} s of CPU; 80 students on 2 cores: "
        f"{per_student * 80 / 2 / 60:.1f} min (extrapolated from CPU time, plus one zygote start per job)"
    )


def print_launchers(rows: list) -> None:
    print("\n## One submission, through the grader (--sandbox none, bwrap), a new process vs a zygote\n")
    print("| launcher | status | CPU s | wall s | peak RSS MB (shared pages incl.) | private MB |")
    print("| --- | --- | ---: | ---: | ---: | ---: |")
    for name, row in rows:
        status = f"{row['status']} {row['passed']}/{row['total']}" if row["status"] else ""
        # a child started through bwrap: its CPU time does not reach the grader (sandbox.signal_code)
        cpu = f"{row['cpu_s']:.2f}" if row["cpu_s"] or not row["status"] else "n/a (behind bwrap)"
        peak = f"{row['peak_mb']:.0f}" if row.get("peak_mb") else ""
        private = f"{row['private_mb']:.0f}" if row.get("private_mb") else ""
        print(f"| {name} | {status} | {cpu} | {row['wall_s']:.1f} | {peak} | {private} |")
    for name, row in rows:
        if "zygote_rss_mb" in row and row["zygote_rss_mb"]:
            print(f"\n{name}: the zygote's resident memory (shared with its children) {row['zygote_rss_mb']:.0f} MB")


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


def measure_class(submission: Path, students: int, notebooks: int, jobs: int, zygote: bool, mode: str) -> dict:
    from fcn_course.instructor.grade_class import grade_class

    with tempfile.TemporaryDirectory(prefix="bench_grading_class_") as folder:
        turma = make_class(Path(folder), submission, students, notebooks)
        before, start = _children_usage(), time.perf_counter()
        grades = grade_class([turma], Path(folder) / "notas", jobs=jobs, sandbox_mode=mode, zygote=zygote)
        after = _children_usage()
    wall, count = time.perf_counter() - start, students * notebooks
    return {
        "submissions": count,
        "jobs": jobs,
        "zygote": zygote,
        "sandbox": sorted({row["sandbox"] for row in grades.rows}),
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
    parser.add_argument("--course", action="store_true", help="only: every solution notebook through a zygote")
    parser.add_argument("--sandbox", choices=("auto", "bwrap", "none"), default="auto", help="for --course")
    parser.add_argument("--repeats", type=int, default=2, help="gradings per launcher (default: 2)")
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
    if args.course:
        from fcn_course.instructor import sandbox

        mode = sandbox.resolve_sandbox(args.sandbox)
        print_course(*measure_course(mode), mode)
        return 0
    print_phases(measure_phases(args.submission, args.profile, {"OMP_NUM_THREADS": "1"}), "one thread")
    if args.phases_only:
        return 0
    print_launchers(measure_launchers(args.submission, args.repeats))
    for mode, zygote in [(mode, zygote) for mode in sandboxes() for zygote in (False, True)] if args.students else ():
        group = measure_class(args.submission, args.students, args.notebooks, args.jobs, zygote, mode)
        print(
            f"\n## A class: {args.students} student(s) × {args.notebooks} notebook(s), --jobs {group['jobs']}, "
            f"--sandbox {mode} (ran in {group['sandbox']}), {'zygote' if zygote else 'a new process each'}\n\n"
            f"statuses {group['statuses']}; wall {group['wall_s']:.1f} s ({group['wall_s'] / group['submissions']:.1f}"
            f" s per submission), CPU {group['cpu_s']:.1f} s ({group['cpu_s'] / group['submissions']:.1f} s per "
            f"submission)\nextrapolated to 80 × 4 such submissions: {group['wall_80x4_min']:.1f} min wall here, "
            f"{group['cpu_80x4_min_on_2_cores']:.1f} min of CPU spread over 2 cores"
            + (
                " (the CPU of children behind bwrap does not reach this process: see --course)"
                if mode == "bwrap"
                else ""
            )
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The main job: execute the whole solution course and keep the executed notebooks and their HTML.

``bash scripts/run_course.sh`` runs it. The demo profile (the synthetic VOC twin, sized so that a 2-core CPU
shows the FCNs learning in a few minutes) unless real Pascal VOC is found (then the full profile); at the end
it prints a table of every training run of the course with its per-class validation IoU.
"""
from __future__ import annotations

import os
import time
from pathlib import Path

from fcn_course import runs
from fcn_course.config import PROFILES, data_root
from fcn_course.engine import History
from fcn_course.environment import RUNS_ENV, STATIC_ENV
from fcn_course.instructor.execute import execute_notebook
from fcn_course.instructor.pairs import CourseLayoutError, solution_sources
from fcn_course.outline import COURSE_NOTEBOOKS
from fcn_course.voc import voc_is_ready


def real_voc_present(root: Path | None = None) -> bool:
    """True when an extracted Pascal VOC 2012 tree is in the course's data folder."""
    return voc_is_ready(root or data_root())


def _set_course_environment(out: Path) -> None:
    """What the notebooks' kernels inherit: where runs go, static figures (the profile goes per kernel)."""
    os.environ[RUNS_ENV] = str(out.resolve() / "runs")  # checkpoints and reports of the notebooks
    os.environ.setdefault(STATIC_ENV, "1")  # widgets -> static figures that the HTML can show


def choose_profile(smoke=None, profile=None) -> str:
    """The profile of the main job: the one asked for, else full when real VOC is here, else demo."""
    if profile:
        return profile
    if smoke:
        return "smoke"
    return "full" if real_voc_present() else "demo"


def run_course(repo_root: Path, out_dir=None, smoke=None, profile=None, site: bool = True,
               names=COURSE_NOTEBOOKS) -> int:
    """Execute the outline's solution notebooks, in the outline's order, with a run profile (see ``choose_profile``).

    With ``site`` (the default) the student website is built at the end, in ``<run folder>/site/``.
    Returns 0 when every notebook ran (and the site was built), 1 otherwise (what failed is named); a
    solution folder that does not match the outline is refused before anything runs.
    """
    try:
        sources = solution_sources(repo_root, names)
    except CourseLayoutError as error:
        print(f"!! the course was not run: {error}")
        return 1
    profile = choose_profile(smoke, profile)
    out = Path(out_dir or Path(repo_root) / "runs" / time.strftime("course-%Y%m%d-%H%M%S"))
    out.mkdir(parents=True, exist_ok=True)
    where = f"Pascal VOC in {data_root()}" if profile == "full" else "the synthetic VOC twin"
    print(f">> running the solution course with the '{profile}' profile ({PROFILES[profile]['description']}; "
          f"{where}); results go to {out}")
    started = time.perf_counter()
    _set_course_environment(out)
    for source in sources:
        tic = time.perf_counter()
        print(f">> {source.stem} ...", flush=True)
        try:
            executed = execute_notebook(source.with_suffix(".ipynb"), out, profile=profile)
        except Exception as error:  # report which notebook failed, keep what ran
            print(f"!! {source.stem} failed: {error}")
            return 1
        print(f"   done in {time.perf_counter() - tic:.0f}s -> {executed} (+ .html)")
    print_summary(out / "runs")
    print(f">> course finished in {time.perf_counter() - started:.0f}s; open {out} to read the executed notebooks")
    return build_course_site(repo_root, out, names) if site else 0


def build_course_site(repo_root: Path, run_dir: Path, names=COURSE_NOTEBOOKS) -> int:
    """The student website of this run (``run_dir/site``); 1 with the reason when it cannot be built."""
    from fcn_course.instructor.mathjax import MathJaxMissing
    from fcn_course.instructor.site import SiteError, build_site

    print(">> building the course website (student version) ...", flush=True)
    try:
        build_site(repo_root, run_dir, names=names)
    except (SiteError, MathJaxMissing) as error:
        print(f"!! the course website was not built: {error}")
        return 1
    return 0


def _class_names(run_dir: Path, count: int) -> list:
    """The run's class names from its run folder (``run.json``); numbered when the folder does not say."""
    try:
        return list(runs.read_run_config(run_dir)["classes"])
    except (FileNotFoundError, KeyError):
        return [f"class {index}" for index in range(count)]


def print_summary(runs_dir: Path) -> None:
    """A table of every training run of the course (best epoch, mIoU(fg), IoU per class), then the skip gains.

    The skip gain of a backbone is mIoU(fg) with skip minus without, for runs with the same initialisation
    (the lesson of notebook 04: skip connections recover thin structures).
    """
    run_dirs = runs.run_folders(runs_dir)
    rows = []
    for run_dir in run_dirs:
        scores = History.load(runs.history_path(run_dir)).best_entry()
        if scores is not None:
            rows.append((run_dir, scores))
    if not rows:
        return
    print(">> validation results of every run of the course (best epoch; smoke-profile figures mean nothing):")
    print("   | run | best epoch | mIoU(fg) | IoU per class |")
    print("   |---|---|---|---|")
    best = {}
    for run_dir, scores in rows:
        names = _class_names(run_dir, len(scores["iou"]))
        per_class = ", ".join(f"{name} {_fmt(iou)}" for name, iou in zip(names, scores["iou"]))
        print(f"   | {run_dir.relative_to(runs_dir)} | {scores['epoch']} | {_fmt(scores['miou_fg'])} | {per_class} |")
        best.setdefault(run_dir.name, scores["miou_fg"])  # a notebook run and its grid twin share a name
    for name, with_skip in sorted(best.items()):
        without = best.get(name.replace("-skip-", "-noskip-"))
        if "-skip-" in name and without is not None and with_skip is not None:
            print(f"   skip gain {name.replace('-skip-', ' ')}: {with_skip - without:+.3f} mIoU(fg) "
                  f"({_fmt(without)} -> {_fmt(with_skip)})")


def _fmt(value) -> str:
    """A score with 3 decimals; n/a for a class absent from the split (NaN, stored as null in JSON)."""
    return "n/a" if value is None or value != value else f"{value:.3f}"

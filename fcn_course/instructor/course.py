"""The main job: execute the whole solution course and keep the executed notebooks and their HTML.

``bash scripts/run_course.sh`` runs it. Smoke mode (synthetic VOC, tiny settings) unless real Pascal VOC
is found; at the end it prints the per-class validation IoU of every training run of the course.
"""
from __future__ import annotations

import os
import time
from pathlib import Path

from fcn_course import runs
from fcn_course.config import RUNS_ENV, SMOKE_ENV, data_root
from fcn_course.engine import History
from fcn_course.instructor.execute import execute_notebook
from fcn_course.instructor.pairs import solution_sources
from fcn_course.voc import voc_is_ready


def real_voc_present(root: Path | None = None) -> bool:
    """True when an extracted Pascal VOC 2012 tree is in the course's data folder."""
    return voc_is_ready(root or data_root())


def _set_course_environment(out: Path, smoke: bool) -> None:
    """What the notebooks' kernels inherit: where runs go, static figures, smoke mode on or off."""
    os.environ[RUNS_ENV] = str(out.resolve() / "runs")  # checkpoints and reports of the notebooks
    os.environ.setdefault("FCN_COURSE_STATIC", "1")  # widgets -> static figures that the HTML can show
    if smoke:
        os.environ[SMOKE_ENV] = "1"
    else:
        os.environ.pop(SMOKE_ENV, None)


def run_course(repo_root: Path, out_dir=None, smoke=None, site: bool = True) -> int:
    """Execute solutions/notebooks/*.ipynb in course order; smoke mode unless real VOC is found.

    With ``site`` (the default) the student website is built at the end, in ``<run folder>/site/``.
    Returns 0 when every notebook ran (and the site was built), 1 otherwise (what failed is named).
    """
    if smoke is None:
        smoke = not real_voc_present()
    out = Path(out_dir or Path(repo_root) / "runs" / time.strftime("course-%Y%m%d-%H%M%S"))
    out.mkdir(parents=True, exist_ok=True)
    mode = "smoke mode (synthetic VOC, tiny settings)" if smoke else f"full mode (Pascal VOC in {data_root()})"
    print(f">> running the solution course in {mode}; results go to {out}")
    _set_course_environment(out, smoke)
    for source in solution_sources(repo_root):
        tic = time.perf_counter()
        print(f">> {source.stem} ...", flush=True)
        try:
            executed = execute_notebook(source.with_suffix(".ipynb"), out, smoke=smoke)
        except Exception as error:  # report which notebook failed, keep what ran
            print(f"!! {source.stem} failed: {error}")
            return 1
        print(f"   done in {time.perf_counter() - tic:.0f}s -> {executed} (+ .html)")
    print_summary(out / "runs")
    print(f">> course finished; open {out} to read the executed notebooks")
    return build_course_site(repo_root, out) if site else 0


def build_course_site(repo_root: Path, run_dir: Path) -> int:
    """The student website of this run (``run_dir/site``); 1 with the reason when it cannot be built."""
    from fcn_course.instructor.mathjax import MathJaxMissing
    from fcn_course.instructor.site import SiteError, build_site

    print(">> building the course website (student version) ...", flush=True)
    try:
        build_site(repo_root, run_dir)
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
    """Per-class validation IoU of every training run of the course, at its best epoch."""
    run_dirs = runs.run_folders(runs_dir)
    if not run_dirs:
        return
    print(">> validation IoU per class at the best epoch of each run (smoke-mode figures mean nothing about VOC):")
    for run_dir in run_dirs:
        scores = History.load(runs.history_path(run_dir)).best_entry()
        if scores is None:
            continue
        names = _class_names(run_dir, len(scores["iou"]))
        per_class = ", ".join(f"{name} {_fmt(iou)}" for name, iou in zip(names, scores["iou"]))
        print(f"   {run_dir.relative_to(runs_dir)}: mIoU(fg) {_fmt(scores['miou_fg'])} "
              f"(epoch {scores['epoch']}) | {per_class}")


def _fmt(value) -> str:
    """A score with 3 decimals; n/a for a class absent from the split (NaN, stored as null in JSON)."""
    return "n/a" if value is None or value != value else f"{value:.3f}"

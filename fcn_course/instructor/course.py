"""The main job: execute the whole solution course and keep the executed notebooks and their HTML.

``bash scripts/run_course.sh`` runs it. The demo profile (the synthetic VOC twin, sized so that a 2-core CPU
shows the FCNs learning in a few minutes) unless real Pascal VOC is found (then the full profile); at the end
it prints a table of every training run of the course with its per-class validation IoU.

A slow machine never fails the course: cells have no time limit unless one is asked for (``cell_timeout``,
``--cell-timeout``), every notebook prints how long it took, and when a notebook takes far longer than it did
on the reference machine (``EXPECTED_SECONDS``) the job says so once, with what to expect.
The run folder is the main job's own (``files.OutputFolder``): a person's files in an ``--out`` they chose are
never overwritten; a folder holding a file of the names the job writes is refused before anything runs.

One language per run (``--lang``, default ``pt_BR``): the Portuguese solution notebooks
(``solutions/notebooks/NN``) run into the run folder itself, a translation's (``solutions/notebooks/<language>/NN``,
written by the build from ``solutions/locale/<language>/``) into the run folder's ``<language>/`` folder, with
its own ``runs/`` (``pairs.language_folder``: the folder says the language, no other record is needed). Run
the job twice with the same ``--out`` to have both languages in one run folder; the site built at the end
(``site``) has every language the run folder holds.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from fcn_course import runs
from fcn_course.config import PROFILES, data_root
from fcn_course.engine import History
from fcn_course.environment import RUNS_ENV, STATIC_ENV
from fcn_course.files import NotOurFileError, OutputFolder
from fcn_course.instructor.execute import OWNER, execute_notebook, executed_names
from fcn_course.instructor.pairs import language_folder
from fcn_course.instructor.pairs import SOLUTION_DIR, CourseLayoutError, solution_sources
from fcn_course.messages import DEFAULT_LANGUAGE, known_language, text
from fcn_course.outline import COURSE_NOTEBOOKS
from fcn_course.voc import voc_is_ready


# Seconds each notebook took in the main job on the reference machine (2-core CPU; README, "Time budget").
# 02 and 03 are ESTIMATES, not measurements: they split the 70 s measured for the old notebook 02 (training
# and predictions stayed in 02; the transposed-convolution demos, the two checks of exercise 5, the pixel
# count and the extra set-up and load_definitions of 03 moved out).
EXPECTED_SECONDS = {
    "demo": {
        "01_dados_e_metricas": 13,
        "02_fcn_alexnet": 55,
        "03_upsampling_e_perdas": 20,
        "04_fcn_vgg16": 104,
        "05_comparacao": 268,
    },
}
SLOW_FACTOR = 3  # a notebook this many times slower than on the reference machine: the job says so (once)
clock = time.perf_counter  # the main job's clock (tests replace it)


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


def course_sources(repo_root, language: str = DEFAULT_LANGUAGE, names=COURSE_NOTEBOOKS) -> list:
    """The solution notebooks the main job runs in ``language``, in the outline's order (their ``.py``; the job
    executes the ``.ipynb`` beside each): ``solutions/notebooks/NN.py`` for Portuguese,
    ``solutions/notebooks/<language>/NN.py`` for a translation.

    CourseLayoutError when the Portuguese folder does not match the outline, or when a notebook of the
    translation is missing (the message says how to make it).
    """
    language = known_language(language)
    sources = solution_sources(repo_root, names)
    if language == DEFAULT_LANGUAGE:
        return sources
    folder = Path(repo_root) / SOLUTION_DIR / language
    translated = [folder / source.name for source in sources]
    missing = [path for path in translated if not path.with_suffix(".ipynb").is_file()]
    if missing:
        raise CourseLayoutError(
            text(
                "course.edition_missing",
                edition=language,
                missing=", ".join(str(path.with_suffix(".ipynb")) for path in missing),
            )
        )
    return translated


def run_course(
    repo_root: Path,
    out_dir=None,
    smoke=None,
    profile=None,
    site: bool = True,
    names=COURSE_NOTEBOOKS,
    cell_timeout=None,
    language: str = DEFAULT_LANGUAGE,
) -> int:
    """Execute the outline's solution notebooks, in the outline's order, with a run profile (see ``choose_profile``).

    ``language``: which edition runs (``course_sources``); its executed notebooks go to
    ``execute.language_folder(run folder, language)``.
    With ``site`` (the default) the student website is built at the end, in ``<run folder>/site/``, with
    every language the run folder holds.
    ``cell_timeout``: seconds allowed to each cell (None, the default: no limit; a slow machine finishes).
    Returns 0 when every notebook ran (and the site was built), 1 otherwise (what failed is named); a
    solution folder that does not match the outline, and an ``out_dir`` holding a file of the names the job
    writes that it did not write itself, are refused before anything runs.
    """
    try:
        sources = course_sources(repo_root, language, names)
    except CourseLayoutError as error:
        print(text("course.not_run", reason=error))
        return 1
    profile = choose_profile(smoke, profile)
    run_dir = Path(out_dir or Path(repo_root) / "runs" / time.strftime("course-%Y%m%d-%H%M%S"))
    out = language_folder(run_dir, language)
    refused = refuse_foreign_files(out, sources)
    if refused:
        print(text("course.refused", reason=refused))
        return 1
    out.mkdir(parents=True, exist_ok=True)
    where = text("course.data_voc", root=data_root()) if profile == "full" else text("course.data_synthetic")
    limit = text("course.cell_limit", seconds=cell_timeout) if cell_timeout else text("course.no_cell_limit")
    description = text(PROFILES[profile]["description"])
    print(text("course.start", profile=profile, description=description, data=where, limit=limit, out=out))
    started = clock()
    _set_course_environment(out)
    warned = False
    for number, source in enumerate(sources, start=1):
        tic = clock()
        print(text("course.notebook_start", number=number, total=len(sources), name=source.stem), flush=True)
        try:
            executed = execute_notebook(source.with_suffix(".ipynb"), out, profile=profile, timeout=cell_timeout)
        except Exception as error:  # report which notebook failed, keep what ran
            print(text("course.notebook_failed", name=source.stem, error=error))
            return 1
        took = clock() - tic
        so_far = clock() - started
        print(text("course.notebook_done", took=f"{took:.0f}", so_far=f"{so_far:.0f}", path=executed), flush=True)
        slow = (
            None
            if warned
            else slow_machine_message(profile, source.stem, took, [s.stem for s in sources], cell_timeout)
        )
        if slow:
            print(slow, flush=True)
            warned = True
    print_summary(out / "runs")
    print(text("course.finished", took=f"{clock() - started:.0f}", out=out))
    return build_course_site(repo_root, run_dir, names) if site else 0


def refuse_foreign_files(out: Path, sources) -> str:
    """Why the main job may not write into ``out`` ("" when it may): a file of its names that it did not write.

    Checked before the first notebook runs, so a refused folder is left exactly as it was.
    """
    try:
        OutputFolder(out, OWNER).check(
            [name for source in sources for name in executed_names(source.stem)] + ["mathjax/MathJax.js"]
        )
    except (NotOurFileError, NotADirectoryError) as error:
        return str(error)
    return ""


def slow_machine_message(profile: str, name: str, took: float, names, cell_timeout=None) -> str:
    """A warning when notebook ``name`` took ``SLOW_FACTOR`` times longer than on the reference machine ("" else).

    It says how much slower, how long the whole course should then take, and that nothing will time out.
    """
    expected = EXPECTED_SECONDS.get(profile, {})
    if name not in expected or took < SLOW_FACTOR * expected[name]:
        return ""
    ratio = took / expected[name]
    total = sum(expected.get(other, 0) for other in names)
    limit = text("course.slow_no_limit") if not cell_timeout else text("course.slow_limit", seconds=cell_timeout)
    return text(
        "course.slow_machine",
        ratio=f"{ratio:.0f}",
        name=name,
        took=f"{took:.0f}",
        expected=expected[name],
        minutes=f"{ratio * total / 60:.0f}",
        reference_minutes=f"{total / 60:.0f}",
        limit=limit,
    )


def build_course_site(repo_root: Path, run_dir: Path, names=COURSE_NOTEBOOKS) -> int:
    """The student website of this run (``run_dir/site``); 1 with the reason when it cannot be built."""
    from fcn_course.instructor.mathjax import MathJaxMissing
    from fcn_course.instructor.site import SiteError, build_site

    print(text("course.site_start"), flush=True)
    try:
        build_site(repo_root, run_dir, names=names)
    except (SiteError, MathJaxMissing) as error:
        print(text("course.site_failed", error=error))
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
    (the lesson of notebook 05: skip connections recover thin structures).
    """
    run_dirs = runs.run_folders(runs_dir)
    rows = []
    for run_dir in run_dirs:
        scores = History.load(runs.history_path(run_dir)).best_entry()
        if scores is not None:
            rows.append((run_dir, scores))
    if not rows:
        return
    print(text("course.summary_heading"))
    print(text("course.summary_header"))
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
            print(
                text(
                    "course.skip_gain",
                    run=name.replace("-skip-", " "),
                    gain=f"{with_skip - without:+.3f}",
                    without=_fmt(without),
                    with_skip=_fmt(with_skip),
                )
            )


def _fmt(value) -> str:
    """A score with 3 decimals; n/a for a class absent from the split (NaN, stored as null in JSON)."""
    return "n/a" if value is None or value != value else f"{value:.3f}"

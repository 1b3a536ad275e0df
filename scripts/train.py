"""Train one FCN configuration of the reference solutions from the command line and record the run.

Examples (from the repository root)::

    .venv/bin/python scripts/train.py --backbone alexnet --skip 8s --pretrained --epochs 50
    .venv/bin/python scripts/train.py --backbone vgg16 --skip none --scratch --lr 1e-4
    .venv/bin/python scripts/train.py --profile smoke --epochs 1     # a quick check on synthetic data

The profile (full, demo, smoke; see ``fcn_course.config.PROFILES``) comes from ``--profile``, else from
the environment. The full profile needs Pascal VOC 2012 in ``<data root>/VOCdevkit/VOC2012`` (data root:
``$FCN_COURSE_DATA``, default ``~/fcn_course_data``; ``--download`` fetches it). The run folder (default
``runs/<backbone>-<skip>-<pretrained|scratch>-<time>``, where ``runs/`` is ``$FCN_COURSE_RUNS`` or ``./runs``)
is a standard run folder (``fcn_course.runs``): ``run.json``, ``history.json``, ``last.pt``, ``best.pt``,
``pred_epoch_XXX.png`` and ``curves.png``. ``--resume`` with other settings than the folder's is refused.

A ``--run-dir`` that is not a run folder (no ``run.json``) and holds a file of those names is refused (nothing
of a person's is overwritten, nothing is written through a link), and a start that fails before the first
epoch is recorded (a bad setting such as ``--batch-size 0``) takes its ``run.json`` back: the corrected retry
in the same folder is not refused.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # no window: figures go to files

from fcn_course import runs  # noqa: E402
from fcn_course.backbones import BACKBONES  # noqa: E402
from fcn_course.config import course_args, profile_names, seed_everything  # noqa: E402
from fcn_course.data import make_loaders, prepare_data  # noqa: E402
from fcn_course.engine import TrainingIngredients, count_parameters, fit  # noqa: E402
from fcn_course.files import OutputFolder  # noqa: E402
from fcn_course.instructor.reference import reference_ingredients  # noqa: E402
from fcn_course.messages import text  # noqa: E402
from fcn_course.plots import plot_history, save_figure, show_epoch_predictions  # noqa: E402

SKIP_CHOICES = {"none": False, "8s": "8s", "16s": "16s"}
OWNER = "the train script"
# What a run folder holds besides the per-epoch figures (see fcn_course.runs).
RUN_FOLDER_FILES = (
    runs.RUN_FILE,
    runs.HISTORY_FILE,
    runs.LAST_CHECKPOINT,
    runs.BEST_CHECKPOINT,
    runs.OUTCOME_FILE,
    runs.CURVES_FIGURE,
)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=text("train.description"))
    parser.add_argument("--backbone", choices=tuple(BACKBONES), default="alexnet", help=text("train.backbone"))
    parser.add_argument("--skip", choices=tuple(SKIP_CHOICES), default="8s", help=text("train.skip"))
    weights = parser.add_mutually_exclusive_group()
    weights.add_argument(
        "--pretrained",
        dest="pretrained",
        action="store_true",
        default=None,
        help=text("train.pretrained"),
    )
    weights.add_argument(
        "--scratch",
        dest="pretrained",
        action="store_false",
        help=text("train.scratch"),
    )
    parser.add_argument("--profile", choices=profile_names(), help=text("train.profile"))
    parser.add_argument("--smoke", action="store_true", help=text("train.smoke"))
    parser.add_argument("--epochs", type=int, help=text("train.epochs"))
    parser.add_argument("--lr", type=float, help=text("train.lr"))
    parser.add_argument("--size", type=int, help=text("train.size"))
    parser.add_argument("--batch-size", type=int, help=text("train.batch_size"))
    parser.add_argument("--max-samples", type=int, help=text("train.max_samples"))
    parser.add_argument("--seed", type=int, help=text("train.seed"))
    parser.add_argument("--download", action="store_true", help=text("train.download"))
    parser.add_argument("--run-dir", type=Path, help=text("train.run_dir"))
    parser.add_argument("--resume", action="store_true", help=text("train.resume"))
    parser.add_argument("--no-progress", action="store_true", help=text("train.no_progress"))
    return parser.parse_args(argv)


def build_args(options) -> dict:
    """course_args() of the chosen profile with the command-line overrides."""
    overrides = {"skip": SKIP_CHOICES[options.skip], "backbone": options.backbone}
    for key, value in (
        ("pretrained", options.pretrained),
        ("epoch_num", options.epochs),
        ("lr", options.lr),
        ("w_size", options.size),
        ("h_size", options.size),
        ("batch_size", options.batch_size),
        ("max_samples", options.max_samples),
        ("seed", options.seed),
    ):
        if value is not None:
            overrides[key] = value
    backbone = overrides.pop("backbone")
    args = course_args(profile="smoke" if options.smoke else options.profile, download=options.download, **overrides)
    args["backbone"] = backbone
    return args


def default_run_dir(options, args) -> Path:
    """runs/<backbone>-<skip>-<pretrained|scratch>-<timestamp> (runs/ = args['runs_dir'])."""
    weights = "pretrained" if args["pretrained"] else "scratch"
    stamp = time.strftime("%Y%m%d-%H%M%S")
    return Path(args["runs_dir"]) / f"{options.backbone}-{options.skip}-{weights}-{stamp}"


def main(argv=None) -> int:
    options = parse_args(argv)
    if options.resume and options.run_dir is None:
        raise SystemExit(text("train.resume_needs_run_dir"))
    args = build_args(options)
    run_dir = options.run_dir or default_run_dir(options, args)
    if not options.resume and runs.checkpoint_path(run_dir, "last").is_file():
        print(text("train.run_exists", run_dir=run_dir), file=sys.stderr)
        return 2
    fresh = not (run_dir / runs.RUN_FILE).exists()
    try:
        OutputFolder(run_dir, OWNER, adopt_marker=runs.RUN_FILE).check(RUN_FOLDER_FILES)  # a person's folder
        prepare_data(args)
        runs.start_run(run_dir, args)  # refuses other settings before anything is trained or written
    except (runs.RunMismatchError, OSError, ValueError) as error:
        print(text("cli.error", error=error), file=sys.stderr)
        return 2
    print(text("train.run_folder", run_dir=run_dir))
    try:
        return train(options, args, run_dir)
    except (OSError, ValueError) as error:  # a bad setting (--batch-size 0), a full disk, a missing file...
        print(text("cli.error", error=error), file=sys.stderr)
        return 2
    finally:
        if fresh:
            runs.discard_unstarted_run(run_dir)  # only when no epoch was recorded: the retry starts clean


def train(options, args, run_dir) -> int:
    """Build the data, the reference model and its optimiser, and train them in ``run_dir``."""
    ingredients = TrainingIngredients.of(reference_ingredients())
    seed_everything(args["seed"])  # the model's random initialisation is part of the run
    train_loader, val_loader = make_loaders(args)
    print(text("train.data_line", train=len(train_loader.dataset), val=len(val_loader.dataset), device=args["device"]))
    net = ingredients.model_classes[options.backbone](
        args["n_classes"], pretrained=args["pretrained"], skip=args["skip"]
    )
    net = net.to(args["device"])
    print(
        text(
            "train.model_line",
            model=type(net).__name__,
            skip=args["skip"],
            pretrained=args["pretrained"],
            parameters=f"{count_parameters(net):,}",
        )
    )
    optimizer = ingredients.make_optimizer(net, args)
    loss_fn = ingredients.loss_fn()
    history = fit(
        net,
        train_loader,
        val_loader,
        loss_fn,
        optimizer,
        args,
        run_dir=run_dir,
        resume=options.resume,
        show=show_epoch_predictions(args["classes"]),
        progress=not options.no_progress,
    )
    save_figure(plot_history(history), runs.curves_path(run_dir))
    print(text("train.results_in", run_dir=run_dir))
    return 0


if __name__ == "__main__":
    sys.exit(main())

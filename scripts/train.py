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
    parser = argparse.ArgumentParser(
        description="Train one FCN configuration (reference solutions) on Pascal "
        "VOC or the synthetic twin, as the profile says."
    )
    parser.add_argument("--backbone", choices=tuple(BACKBONES), default="alexnet")
    parser.add_argument(
        "--skip",
        choices=tuple(SKIP_CHOICES),
        default="8s",
        help="skip connections: none (FCN-32s), 8s or 16s (default: 8s)",
    )
    weights = parser.add_mutually_exclusive_group()
    weights.add_argument(
        "--pretrained",
        dest="pretrained",
        action="store_true",
        default=None,
        help="start the backbone from ImageNet weights (default of the full profile)",
    )
    weights.add_argument(
        "--scratch",
        dest="pretrained",
        action="store_false",
        help="random initialisation (default of the demo and smoke profiles)",
    )
    parser.add_argument("--profile", choices=profile_names(), help="run profile (default: from the environment)")
    parser.add_argument("--smoke", action="store_true", help="the same as --profile smoke")
    parser.add_argument("--epochs", type=int, help="number of epochs (args['epoch_num'])")
    parser.add_argument("--lr", type=float, help="learning rate")
    parser.add_argument("--size", type=int, help="square crop size fed to the network (w_size = h_size)")
    parser.add_argument("--batch-size", type=int)
    parser.add_argument("--max-samples", type=int, help="keep at most this many images per split")
    parser.add_argument("--seed", type=int)
    parser.add_argument("--download", action="store_true", help="download Pascal VOC when it is missing")
    parser.add_argument("--run-dir", type=Path, help="folder of this run (created)")
    parser.add_argument("--resume", action="store_true", help="continue the run in --run-dir from last.pt")
    parser.add_argument("--no-progress", action="store_true", help="hide the progress bars")
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
        raise SystemExit("--resume needs --run-dir (the folder that holds last.pt)")
    args = build_args(options)
    run_dir = options.run_dir or default_run_dir(options, args)
    if not options.resume and runs.checkpoint_path(run_dir, "last").is_file():
        print(
            f"error: {run_dir} already holds a run: pass --resume to continue it, or choose another --run-dir "
            "(nothing was changed)",
            file=sys.stderr,
        )
        return 2
    fresh = not (run_dir / runs.RUN_FILE).exists()
    try:
        OutputFolder(run_dir, OWNER, adopt_marker=runs.RUN_FILE).check(RUN_FOLDER_FILES)  # a person's folder
        prepare_data(args)
        runs.start_run(run_dir, args)  # refuses other settings before anything is trained or written
    except (runs.RunMismatchError, OSError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(f"run folder: {run_dir}")
    try:
        return train(options, args, run_dir)
    except (OSError, ValueError) as error:  # a bad setting (--batch-size 0), a full disk, a missing file...
        print(f"error: {error}", file=sys.stderr)
        return 2
    finally:
        if fresh:
            runs.discard_unstarted_run(run_dir)  # only when no epoch was recorded: the retry starts clean


def train(options, args, run_dir) -> int:
    """Build the data, the reference model and its optimiser, and train them in ``run_dir``."""
    ingredients = TrainingIngredients.of(reference_ingredients())
    seed_everything(args["seed"])  # the model's random initialisation is part of the run
    train_loader, val_loader = make_loaders(args)
    print(f"train: {len(train_loader.dataset)} images, val: {len(val_loader.dataset)} images, device: {args['device']}")
    net = ingredients.model_classes[options.backbone](
        args["n_classes"], pretrained=args["pretrained"], skip=args["skip"]
    )
    net = net.to(args["device"])
    print(
        f"{type(net).__name__} skip={args['skip']} pretrained={args['pretrained']}: "
        f"{count_parameters(net):,} parameters"
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
    print(f"results in {run_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

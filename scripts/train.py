"""Train one FCN configuration from the command line and record the run.

Examples (from the repository root)::

    .venv/bin/python scripts/train.py --backbone alexnet --skip 8s --pretrained --epochs 50
    .venv/bin/python scripts/train.py --backbone vgg16 --skip none --scratch --lr 1e-4
    .venv/bin/python scripts/train.py --smoke --epochs 1          # a quick check on synthetic data

Real Pascal VOC 2012 is used when ``<data root>/VOCdevkit/VOC2012`` exists (data root:
``$FCN_COURSE_DATA``, default ``~/fcn_course_data``); otherwise the small synthetic VOC twin is used
and the script says so. The run folder (default ``runs/<backbone>-<skip>-<pretrained|scratch>-<time>``, where
``runs/`` is ``$FCN_COURSE_RUNS`` or ``./runs``)
receives ``args.json``, ``history.json``, ``last.pt``, ``best.pt``, ``pred_epoch_XXX.png`` and
``curves.png``. Models, optimiser and loss come from the instructor's ``solutions`` package.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))  # so that `solutions` (not an installed package) can be imported

SKIP_CHOICES = {"none": False, "8s": "8s", "16s": "16s"}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description="Train one FCN configuration on Pascal VOC "
                                                 "(or the synthetic twin when VOC is absent).")
    parser.add_argument("--backbone", choices=("alexnet", "vgg16"), default="alexnet")
    parser.add_argument("--skip", choices=tuple(SKIP_CHOICES), default="8s",
                        help="skip connections: none (FCN-32s), 8s or 16s (default: 8s)")
    weights = parser.add_mutually_exclusive_group()
    weights.add_argument("--pretrained", dest="pretrained", action="store_true", default=None,
                         help="start the backbone from ImageNet weights (default outside smoke mode)")
    weights.add_argument("--scratch", dest="pretrained", action="store_false",
                         help="random initialisation (default in smoke mode)")
    parser.add_argument("--epochs", type=int, help="number of epochs (args['epoch_num'])")
    parser.add_argument("--lr", type=float, help="learning rate")
    parser.add_argument("--size", type=int, help="square crop size fed to the network (w_size = h_size)")
    parser.add_argument("--batch-size", type=int)
    parser.add_argument("--max-samples", type=int, help="keep at most this many images per split")
    parser.add_argument("--seed", type=int)
    parser.add_argument("--run-dir", type=Path, help="folder of this run (created)")
    parser.add_argument("--resume", action="store_true", help="continue the run in --run-dir from last.pt")
    parser.add_argument("--smoke", action="store_true",
                        help="quick run: synthetic data, 96 px, 2 epochs (sets FCN_COURSE_SMOKE=1)")
    parser.add_argument("--no-progress", action="store_true", help="hide the progress bars")
    return parser.parse_args(argv)


def build_args(options) -> dict:
    """course_args() with the command-line overrides, on real VOC when present else synthetic data."""
    from fcn_course.config import course_args, synthetic_root

    overrides = {"skip": SKIP_CHOICES[options.skip]}
    for key, value in (("pretrained", options.pretrained), ("epoch_num", options.epochs),
                       ("lr", options.lr), ("w_size", options.size), ("h_size", options.size),
                       ("batch_size", options.batch_size), ("max_samples", options.max_samples),
                       ("seed", options.seed)):
        if value is not None:
            overrides[key] = value
    args = course_args(**overrides)

    voc = Path(args["root"]) / "VOCdevkit" / "VOC2012"
    if args["smoke"]:
        banner("SMOKE MODE: training on the SYNTHETIC dataset", args["root"])
    elif voc.is_dir():
        banner("Training on REAL Pascal VOC 2012", voc)
    else:
        args["root"] = synthetic_root()
        banner(f"Pascal VOC NOT FOUND at {voc}: training on the SYNTHETIC dataset instead",
               args["root"])
    return args


def banner(message, path):
    line = "=" * max(60, len(message) + 4)
    print(f"{line}\n  {message}\n  data: {path}\n{line}", flush=True)


def build_model(backbone, args):
    if backbone == "alexnet":
        from solutions.fcn_alexnet import FCN_AlexNet as Model
    else:
        from solutions.fcn_vgg16 import FCN_VGG16 as Model
    return Model(args["n_classes"], pretrained=args["pretrained"], skip=args["skip"])


def default_run_dir(options, args) -> Path:
    """runs/<backbone>-<skip>-<pretrained|scratch>-<timestamp> (runs/ = args['runs_dir'])."""
    weights = "pretrained" if args["pretrained"] else "scratch"
    stamp = time.strftime("%Y%m%d-%H%M%S")
    return Path(args["runs_dir"]) / f"{options.backbone}-{options.skip}-{weights}-{stamp}"


def plain(value):
    """A value that JSON can store (tuples as lists, paths and devices as text)."""
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, (int, float, bool, str, type(None))):
        return value
    return str(value)


def main(argv=None) -> int:
    options = parse_args(argv)
    if options.smoke:
        os.environ["FCN_COURSE_SMOKE"] = "1"  # before course_args() reads it
    if options.resume and options.run_dir is None:
        raise SystemExit("--resume needs --run-dir (the folder that holds last.pt)")

    import matplotlib

    matplotlib.use("Agg")  # no window: figures go to files
    import matplotlib.pyplot as plt

    from fcn_course.config import seed_everything
    from fcn_course.data import make_loaders
    from fcn_course.engine import count_parameters, fit
    from fcn_course.plots import plot_history
    from solutions.training import compute_loss, make_criterion, make_optimizer

    args = build_args(options)
    run_dir = options.run_dir or default_run_dir(options, args)
    run_dir.mkdir(parents=True, exist_ok=True)
    print(f"run folder: {run_dir}")

    seed_everything(args["seed"])  # the model's random initialisation is part of the run
    train_loader, val_loader = make_loaders(args)
    print(f"train: {len(train_loader.dataset)} images, val: {len(val_loader.dataset)} images, "
          f"device: {args['device']}")
    net = build_model(options.backbone, args).to(args["device"])
    print(f"{type(net).__name__} skip={args['skip']} pretrained={args['pretrained']}: "
          f"{count_parameters(net):,} parameters")
    optimizer = make_optimizer(net, args)
    criterion = make_criterion()

    def loss_fn(outputs, labels):
        return compute_loss(outputs, labels, criterion)

    record = {key: plain(value) for key, value in args.items()}
    record["backbone"] = options.backbone
    (run_dir / "args.json").write_text(json.dumps(record, indent=1), encoding="utf-8")

    history = fit(net, train_loader, val_loader, loss_fn, optimizer, args, run_dir=run_dir,
                  resume=options.resume, class_names=args["classes"],
                  progress=not options.no_progress)

    figure = plot_history(history)
    figure.savefig(run_dir / "curves.png", dpi=100, bbox_inches="tight")
    plt.close(figure)
    print(f"results in {run_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

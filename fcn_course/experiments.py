"""The comparison grid of the course: backbone x skip connections x pretrained weights (the runner).

``run_grid`` trains every combination with the SAME settings (data, epochs, image size, learning
rate, seed), so that differences in the scores come from the architecture and the initialisation
only. Each run lives in its own run folder ``out_dir/<backbone>-<skip|noskip>-<pretrained|scratch>/``
(see ``fcn_course.runs``): a run whose outcome covers all the epochs is not trained again; one with
``last.pt`` but no outcome was interrupted and is resumed; one started with other settings is refused.

A pretrained run whose ImageNet weights cannot be loaded (offline, no local copy; the smoke profile never
downloads) is recorded as *skipped*, with the reason. It is never trained with random weights under a
"pretrained" label. A run that breaks (a damaged checkpoint, say) is recorded as *failed* and the grid
goes on with the others.

Your four pieces (FCN classes, ``make_optimizer``, ``compute_loss``, ``make_criterion``) travel together as
one ``TrainingIngredients``. ``GridResult.write_report()`` writes the report files (``fcn_course.report``).
Command line: ``python -m fcn_course grid`` (see ``main``); it exits with status 1 when a run failed or
diverged, so that a script notices.

Why this module is long: the grid (train every configuration, resume, skip, report failures) and its command
line live together so that students read one file to know what `python -m fcn_course grid` does; the
formatter added about a hundred lines.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

from fcn_course import engine, report, runs
from fcn_course.backbones import BACKBONES, PretrainedWeightsError, local_weights_file
from fcn_course.config import (
    PROFILE_ENV,
    PROFILES,
    RUNS_ENV,
    WEIGHTS_ENV,
    backbone_args,
    course_args,
    profile_names,
    seed_everything,
)
from fcn_course.data import make_loaders, prepare_data
from fcn_course.definitions import load_definitions
from fcn_course.engine import TrainingIngredients
from fcn_course.messages import text
from fcn_course.metrics import nanmean, stored_score
from fcn_course.outline import model_notebook_defaults, model_notebooks
from fcn_course.report import format_score, status_label

GRID_FILE = runs.GRID_FILE
# Which settings every run of a grid must share: runs.DEFINING_SETTINGS except the configuration's own
# (runs.check_grid_settings). A grid folder trained with other values is not reused (epoch_num may grow: runs
# then continue from their last checkpoint).
# The student's names for the pieces a grid needs besides the FCN classes.
TRAINING_NAMES = ("make_optimizer", "compute_loss", "make_criterion")


# --------------------------------------------------------------------------------------------------
# One run
# --------------------------------------------------------------------------------------------------
class RunResult:
    """Outcome of one configuration of the grid.

    ``status`` is ``"done"`` (trained, now or earlier), ``"skipped"`` (pretrained weights unavailable;
    ``reason`` says why), ``"diverged"`` (the loss became NaN; ``reason`` has the message) or ``"failed"``
    (the run could not go on, e.g. a damaged checkpoint; ``reason`` says what to do).
    ``history`` is the ``engine.History`` of the run (None when it never started).
    """

    def __init__(
        self, backbone, skip, pretrained, status, reason="", history=None, parameters=None, run_dir=None, reused=False
    ):
        self.backbone = backbone
        self.skip = skip
        self.pretrained = bool(pretrained)
        self.status = status
        self.reason = reason
        self.history = history
        self.parameters = parameters
        self.run_dir = Path(run_dir) if run_dir is not None else None
        self.reused = reused  # True when the run had finished before this call (not trained again)

    @property
    def name(self) -> str:
        return runs.run_name(self.backbone, self.skip, self.pretrained)

    def __repr__(self):
        return f"RunResult({self.name}, {self.status})"

    def has_scores(self) -> bool:
        return self.history is not None and len(self.history) > 0

    def best_val(self) -> dict | None:
        """Validation results of the best epoch (highest foreground mIoU): the weights in best.pt."""
        return self.history.best_entry("miou_fg") if self.has_scores() else None

    def final_val(self) -> dict | None:
        """Validation results of the last epoch."""
        return self.history.val[-1] if self.has_scores() else None

    def seconds_per_epoch(self) -> float:
        """Mean training time of one epoch (validation not included)."""
        if not self.has_scores():
            return float("nan")
        return float(np.mean([entry["time"] for entry in self.history.train]))

    def to_dict(self) -> dict:
        """What grid.json stores about this run (the scores are in the run's own folder)."""
        return {
            "name": self.name,
            "backbone": self.backbone,
            "skip": self.skip,
            "pretrained": self.pretrained,
            "status": self.status,
            "reason": self.reason,
            "parameters": self.parameters,
            "run_dir": str(self.run_dir) if self.run_dir else None,
        }


def load_run(run_dir, backbone, skip, pretrained, status="done", reason="") -> RunResult:
    """Rebuild a RunResult from a run folder (history + outcome)."""
    run_dir = Path(run_dir)
    outcome = runs.read_outcome(run_dir) or {}
    history = runs.read_history(run_dir)
    return RunResult(
        backbone,
        skip,
        pretrained,
        outcome.get("status", status),
        outcome.get("reason", reason),
        history=history,
        parameters=outcome.get("parameters"),
        run_dir=run_dir,
        reused=True,
    )


def _finished_run(run_dir: Path, epochs: int, backbone, skip, pretrained) -> RunResult | None:
    """The earlier result when ``run_dir`` holds a run that ended (all ``epochs`` done, or diverged)."""
    outcome = runs.read_outcome(run_dir)
    if outcome is None or not runs.history_path(run_dir).is_file():
        return None
    if outcome["status"] == "diverged" or outcome["epochs"] >= epochs:
        return load_run(run_dir, backbone, skip, pretrained)
    return None  # fewer epochs than asked now: fit resumes from last.pt and continues


def adoptable_run(candidate: Path, run_args: dict) -> RunResult | None:
    """A finished run elsewhere (e.g. the one notebook 02 trained) with exactly the settings of this grid run.

    Returned as a RunResult pointing at that folder, so the grid reports it without training it twice;
    None when the folder is missing, unfinished, or was trained with any other setting.
    """
    try:
        recorded = runs.read_run_config(candidate)
    except (FileNotFoundError, ValueError):
        return None
    wanted = runs.run_config(run_args)
    finished = _finished_run(
        candidate, run_args["epoch_num"], run_args["backbone"], run_args["skip"], run_args["pretrained"]
    )
    if runs.settings_diff(recorded, wanted) or finished is None or finished.status != "done":
        return None
    if not runs.checkpoint_path(candidate, "best").is_file():
        return None
    return finished


def _weights_unavailable(backbone, pretrained, args) -> str:
    """Why a pretrained run cannot start without a download the profile forbids ("" when it can)."""
    if pretrained and not args.get("downloads_weights", True) and local_weights_file(backbone) is None:
        return text(
            "grid.no_local_weights",
            profile=args.get("profile"),
            file=BACKBONES[backbone].weight_file,
            weights_env=WEIGHTS_ENV,
        )
    return ""


def criterion_ingredients(model_classes, make_optimizer, compute_loss, criterion) -> TrainingIngredients:
    """The ingredients of the calls of earlier course versions, which passed a criterion already made."""
    return TrainingIngredients(model_classes, make_optimizer, compute_loss, make_criterion=lambda: criterion)


def train_configuration(
    ingredients, backbone, skip, pretrained, args, run_dir, *older_form, progress=True, reuse_from=None
) -> RunResult:
    """Train one configuration in ``run_dir`` (or reuse/resume it; see the module docstring).

    ``ingredients``: your ``TrainingIngredients`` (the class of ``backbone`` is taken from its ``model_classes``).
    ``reuse_from``: a folder of earlier runs (notebooks 02 and 04 train into ``args["runs_dir"]``); a finished
    run there with the same name and exactly the same settings is reported instead of training it again.

    The form of earlier course versions still works: ``train_configuration(model_class, backbone, skip,
    pretrained, make_optimizer, compute_loss, criterion, args, run_dir, progress=True, reuse_from=None)``.
    """
    if older_form:
        model_class, make_optimizer, compute_loss = ingredients, args, run_dir
        criterion, args, run_dir, *rest = older_form
        if rest:  # progress and reuse_from were given by position too
            progress = rest[0]
            reuse_from = rest[1] if len(rest) > 1 else reuse_from
        ingredients = criterion_ingredients({backbone: model_class}, make_optimizer, compute_loss, criterion)
    ingredients = TrainingIngredients.of(ingredients)
    run_dir = Path(run_dir)
    name = run_dir.name
    finished = _finished_run(run_dir, args["epoch_num"], backbone, skip, pretrained)
    if finished is not None:
        print(
            text(
                "grid.already_finished",
                name=name,
                epochs=len(finished.history),
                status=finished.status,
                run_dir=run_dir,
            )
        )
        return finished
    run_args = {**args, "backbone": backbone, "skip": skip, "pretrained": pretrained}
    if reuse_from is not None and not runs.checkpoint_path(run_dir, "last").is_file():
        adopted = adoptable_run(Path(reuse_from) / name, run_args)
        if adopted is not None:
            print(text("grid.reused", name=name, run_dir=adopted.run_dir))
            return adopted

    print(f"== {name}")
    reason = _weights_unavailable(backbone, pretrained, args)
    if reason:
        print(text("grid.skipped", name=name, reason=reason))
        return RunResult(backbone, skip, pretrained, "skipped", reason=reason)
    seed_everything(args["seed"])  # same initial weights for a configuration, run after run
    try:
        net = ingredients.model_classes[backbone](args["n_classes"], pretrained=pretrained, skip=skip)
    except PretrainedWeightsError as error:
        print(text("grid.skipped_weights", name=name))
        return RunResult(backbone, skip, pretrained, "skipped", reason=str(error))

    # The run's own args (run_args): the model and the optimiser see which case they are in, and the run
    # folder records the backbone too.
    optimizer = ingredients.make_optimizer(net, run_args)
    loss_fn = ingredients.loss_fn()
    train_loader, val_loader = make_loaders(run_args)  # fresh loaders: same shuffling for every run
    resume = runs.checkpoint_path(run_dir, "last").is_file()
    status, reason = "done", ""
    try:
        history = engine.fit(
            net,
            train_loader,
            val_loader,
            loss_fn,
            optimizer,
            run_args,
            run_dir=run_dir,
            resume=resume,
            show_freq=0,
            progress=progress,
        )
    except engine.NonFiniteLossError as error:
        print(text("grid.diverged", name=name, error=error))
        status, reason = "diverged", str(error)
        history = runs.read_history(run_dir) or runs.History()

    parameters = engine.count_parameters(net)
    runs.write_outcome(run_dir, status, len(history), parameters, reason)
    return RunResult(
        backbone, skip, pretrained, status, reason, history=history, parameters=parameters, run_dir=run_dir
    )


# --------------------------------------------------------------------------------------------------
# The grid
# --------------------------------------------------------------------------------------------------
def run_grid(
    ingredients,
    args,
    out_dir,
    *older_form,
    backbones=("alexnet", "vgg16"),
    skips=(False, True),
    pretrained=(False, True),
    progress=True,
    reuse_from=None,
) -> "GridResult":
    """Train every (backbone, skip, pretrained) combination with the same ``args``; returns a GridResult.

    - ``ingredients``: your ``TrainingIngredients(model_classes, make_optimizer, compute_loss, make_criterion)``,
      with ``model_classes = {"alexnet": FCN_AlexNet, "vgg16": FCN_VGG16}``;
    - ``args``: a ``course_args()`` dict (epochs, image size, data...); ``skip`` and ``pretrained``
      are set for each run;
    - ``out_dir``: one sub-folder per run; run again with the same folder to continue an interrupted grid;
    - ``reuse_from``: a folder of runs trained before (notebooks 02 and 04 write to ``args["runs_dir"]``): a
      finished run there with exactly this grid's settings is reported, not trained twice.

    The profile may give a backbone settings of its own (``config.PROFILES[...]["per_backbone"]``: fewer
    images and epochs for VGG16 in the demo profile); the report says so.

    In the smoke profile (``args["smoke"]``) the settings are shrunk to its ``grid_limits`` in
    ``config.PROFILES`` (2 epochs, 64 px crops, 12 images per split) so that the whole grid takes a minute or two on a CPU. A run that fails
    (not a wrong setting: a damaged file, say) is reported as failed and the grid goes on.

    The form of earlier course versions still works: ``run_grid(model_classes, make_optimizer, compute_loss,
    criterion, args, out_dir, ...)``.
    """
    if older_form:
        model_classes, make_optimizer, compute_loss = ingredients, args, out_dir
        criterion, args, out_dir = older_form
        ingredients = criterion_ingredients(model_classes, make_optimizer, compute_loss, criterion)
    ingredients = TrainingIngredients.of(ingredients)
    model_classes = ingredients.model_classes
    if args.get("smoke"):
        args = smoke_grid_args(args)
    out_dir = Path(out_dir)
    missing = [backbone for backbone in backbones if backbone not in model_classes]
    if missing:
        raise KeyError(text("grid.no_model_class", missing=missing))
    runs.check_grid_settings(out_dir, args)
    runs.write_grid_index(out_dir, args, [])  # the settings are recorded before the first run starts

    results = []
    started = time.perf_counter()
    for backbone in backbones:
        for skip in skips:
            for use_pretrained in pretrained:
                run_dir = out_dir / runs.run_name(backbone, skip, use_pretrained)
                try:
                    run = train_configuration(
                        ingredients,
                        backbone,
                        skip,
                        use_pretrained,
                        backbone_args(args, backbone),
                        run_dir,
                        progress=progress,
                        reuse_from=reuse_from,
                    )
                except runs.RunMismatchError:
                    raise
                except (OSError, RuntimeError, ValueError, KeyError) as error:
                    print(text("grid.failed", name=run_dir.name, error=f"{type(error).__name__}: {error}"))
                    run = RunResult(
                        backbone,
                        skip,
                        use_pretrained,
                        "failed",
                        run_dir=run_dir,
                        reason=text("grid.failed_reason", error=f"{type(error).__name__}: {error}", run_dir=run_dir),
                    )
                results.append(run)
                # kept up to date: an interrupted grid can be inspected
                runs.write_grid_index(out_dir, args, [run.to_dict() for run in results])
    outcomes = ", ".join(f"{run.name} {run.status}" for run in results)
    print(text("grid.finished", seconds=time.perf_counter() - started, outcomes=outcomes))
    return GridResult(results, args, out_dir, model_classes=model_classes)


def smoke_grid_args(args) -> dict:
    """A copy of ``args`` shrunk to the smoke profile's ``grid_limits`` (never enlarged); says what it changed."""
    limits = PROFILES["smoke"]["grid_limits"]
    smaller = {
        "epoch_num": min(args["epoch_num"], limits["epoch_num"]),
        "h_size": min(args["h_size"], limits["h_size"]),
        "w_size": min(args["w_size"], limits["w_size"]),
        "max_samples": min(args.get("max_samples") or limits["max_samples"], limits["max_samples"]),
        "batch_size": min(args["batch_size"], limits["batch_size"]),
    }
    changed = {key: value for key, value in smaller.items() if args.get(key) != value}
    if changed:
        print(text("grid.smoke_shrunk", settings=", ".join(f"{key}={value}" for key, value in changed.items())))
    return {**args, **smaller}


def load_grid(out_dir, model_classes=None) -> "GridResult":
    """Rebuild the GridResult of an earlier ``run_grid`` from its folder (no training)."""
    out_dir = Path(out_dir)
    index = runs.read_grid_index(out_dir)
    results = []
    for entry in index["runs"]:
        run_dir = runs.grid_entry_folder(out_dir, entry)
        if entry["status"] in ("skipped", "failed"):
            results.append(
                RunResult(
                    entry["backbone"],
                    entry["skip"],
                    entry["pretrained"],
                    entry["status"],
                    entry["reason"],
                    run_dir=run_dir,
                )
            )
        else:
            results.append(
                load_run(
                    run_dir, entry["backbone"], entry["skip"], entry["pretrained"], entry["status"], entry["reason"]
                )
            )
    return GridResult(results, index["args"], out_dir, model_classes=model_classes)


# --------------------------------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------------------------------
class GridResult:
    """The runs of a grid, their scores as table rows, and the report files."""

    def __init__(self, runs, args, out_dir, model_classes=None):
        self.runs = list(runs)
        self.args = dict(args)
        self.out_dir = Path(out_dir)
        self.model_classes = model_classes
        self.classes = tuple(self.args["classes"])

    def __repr__(self):
        return f"GridResult({len(self.runs)} runs in {self.out_dir})"

    def trained_runs(self) -> list:
        """Runs with at least one epoch of scores."""
        return [run for run in self.runs if run.has_scores()]

    def rows(self) -> list:
        """One dict per run (plain Python values; NaN/None where there is no score).

        Per-class IoU, Dice(fg) and pixel accuracy are those of the best epoch (the weights in best.pt).
        Dice(fg) is the mean Dice over the classes except background, like mIoU(fg).
        """
        rows = []
        for run in self.runs:
            best, final = run.best_val(), run.final_val()
            row = {
                "config": run.name,
                "backbone": run.backbone,
                "skip": run.skip,
                "pretrained": run.pretrained,
                "status": run.status,
                "epochs": len(run.history) if run.has_scores() else 0,
                "best_epoch": best["epoch"] if best else None,
                "best_miou_fg": stored_score(best["miou_fg"]) if best else float("nan"),
                "final_miou_fg": stored_score(final["miou_fg"]) if final else float("nan"),
            }
            for index, name in enumerate(self.classes):
                row[f"iou_{name}"] = stored_score(best["iou"][index]) if best else float("nan")
            row["dice_fg"] = nanmean([stored_score(value) for value in best["dice"][1:]]) if best else float("nan")
            row["pixel_acc"] = stored_score(best["pixel_acc"]) if best else float("nan")
            row["parameters"] = run.parameters
            row["sec_per_epoch"] = run.seconds_per_epoch()
            row["reason"] = run.reason
            rows.append(row)
        return rows

    def markdown_table(self) -> str:
        """The rows as a Markdown table (what report.md and the command line show)."""
        columns = (
            [
                text(f"grid.column_{name}")
                for name in ("configuration", "status", "best_miou", "best_epoch", "final_miou")
            ]
            + [f"IoU {name}" for name in self.classes]
            + [text(f"grid.column_{name}") for name in ("dice", "pixel_accuracy", "parameters", "seconds_per_epoch")]
        )
        lines = ["| " + " | ".join(columns) + " |", "|" + "|".join(["---"] * len(columns)) + "|"]
        for row in self.rows():
            status = status_label(row["status"])
            if row["reason"]:
                status += ": " + row["reason"].splitlines()[0].removesuffix(" Tried:")[:80]
            cells = [
                row["config"],
                status,
                format_score(row["best_miou_fg"]),
                format_score(row["best_epoch"]),
                format_score(row["final_miou_fg"]),
            ]
            cells += [format_score(row[f"iou_{name}"]) for name in self.classes]
            cells += [
                format_score(row["dice_fg"]),
                format_score(row["pixel_acc"]),
                f"{row['parameters'] / 1e6:.1f} M" if row["parameters"] else "—",
                format_score(row["sec_per_epoch"], digits=1),
            ]
            lines.append("| " + " | ".join(cells) + " |")
        return "\n".join(lines)

    def write_report(self, out_dir=None) -> dict:
        """Write report.md, report.csv and the figures (see ``fcn_course.report``); returns ``{name: path}``."""
        return report.write_report(self, out_dir or self.out_dir)


# --------------------------------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------------------------------
def ingredients_from_notebooks(notebooks) -> TrainingIngredients:
    """Your FCN classes, make_optimizer, compute_loss and make_criterion, as written in your notebooks."""
    namespace = {}
    for path in notebooks:
        namespace.update(load_definitions(path))
    model_classes = {
        spec.name: namespace[spec.class_name] for spec in BACKBONES.values() if spec.class_name in namespace
    }
    missing = [name for name in TRAINING_NAMES if name not in namespace]
    if missing or not model_classes:
        wanted = missing or [spec.class_name for spec in BACKBONES.values()]
        raise ValueError(text("grid.notebooks_lack", notebooks=", ".join(map(str, notebooks)), names=", ".join(wanted)))
    return TrainingIngredients(model_classes, *(namespace[name] for name in TRAINING_NAMES))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m fcn_course grid",
        description=text("cli.grid.description"),
    )
    limits = PROFILES["smoke"]["grid_limits"]
    parser.add_argument("--profile", choices=profile_names(), help=text("cli.grid.profile", profile_env=PROFILE_ENV))
    parser.add_argument(
        "--smoke",
        action="store_true",
        help=text("cli.grid.smoke", epochs=limits["epoch_num"], size=limits["h_size"], images=limits["max_samples"]),
    )
    parser.add_argument("--epochs", type=int, help=text("cli.grid.epochs"))
    parser.add_argument("--size", type=int, help=text("cli.grid.size"))
    parser.add_argument("--max-samples", type=int, help=text("cli.grid.max_samples"))
    parser.add_argument(
        "--backbones", default=",".join(BACKBONES), help=text("cli.grid.backbones", choices=", ".join(BACKBONES))
    )
    parser.add_argument("--scratch-only", action="store_true", help=text("cli.grid.scratch_only"))
    parser.add_argument("--out", help=text("cli.grid.out", runs_env=RUNS_ENV))
    parser.add_argument(
        "--models",
        nargs="+",
        metavar="NOTEBOOK",
        help=text("cli.grid.models", notebooks=" ".join(model_notebook_defaults())),
    )
    parser.add_argument("--quiet", action="store_true", help=text("cli.grid.quiet"))
    return parser


def main(argv=None, ingredients=None) -> int:
    """``python -m fcn_course grid [--smoke] [--epochs N] [--size S] [--backbones ...] [--out DIR]``.

    ``ingredients`` (a ``TrainingIngredients``, or the tuple of its four pieces) are used when ``--models``
    is not given (the instructor's command passes the reference ones); otherwise they are read from the
    student's notebooks. Exit status: 0 when every run is done or skipped, 1 when one failed or diverged,
    2 when nothing could start.
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["--"]:  # accept ``python -m fcn_course grid -- --smoke`` as well
        argv = argv[1:]
    options = build_parser().parse_args(argv)
    args = course_args(profile="smoke" if options.smoke else options.profile)
    if options.epochs:
        args["epoch_num"] = options.epochs
    if options.size:
        args["h_size"] = args["w_size"] = options.size
    if options.max_samples:
        args["max_samples"] = options.max_samples
    backbones = tuple(name.strip() for name in options.backbones.split(",") if name.strip())
    unknown = [name for name in backbones if name not in BACKBONES]
    if unknown:
        print(text("grid.unknown_backbones", unknown=unknown, choices=", ".join(BACKBONES)), file=sys.stderr)
        return 2
    out_dir = Path(options.out or args["runs_dir"] / ("grid-smoke" if options.smoke else "grid"))

    try:
        if options.models or ingredients is None:
            ingredients = ingredients_from_notebooks(model_notebooks(options.models))
        ingredients = TrainingIngredients.of(ingredients)
    except (ImportError, KeyError, ValueError, FileNotFoundError) as error:
        print(text("cli.error", error=error), file=sys.stderr)
        return 2
    if any(name not in ingredients.model_classes for name in backbones):
        backbones = tuple(name for name in backbones if name in ingredients.model_classes)
        print(text("grid.only_defined", backbones=", ".join(backbones)))

    try:
        prepare_data(args)
        result = run_grid(
            ingredients,
            args,
            out_dir,
            backbones=backbones,
            pretrained=(False,) if options.scratch_only else (False, True),
            progress=not options.quiet,
        )
    except (runs.RunMismatchError, FileNotFoundError, PermissionError) as error:
        print(text("cli.error", error=error), file=sys.stderr)
        return 2
    paths = result.write_report(out_dir)
    print()
    print(result.markdown_table())
    print("\n" + text("grid.report_written", path=paths["report.md"]))
    return 0 if all(run.status in ("done", "skipped") for run in result.runs) else 1


if __name__ == "__main__":
    sys.exit(main())

"""The comparison grid of the course: backbone x skip connections x pretrained weights.

``run_grid`` trains every combination with the SAME settings (data, epochs, image size, learning
rate, seed), so that differences in the scores come from the architecture and the initialisation
only. Each run lives in its own folder ``out_dir/<backbone>-<skip|noskip>-<pretrained|scratch>/``:

- ``history.json``, ``last.pt``, ``best.pt``: written by ``engine.fit`` after every epoch;
- ``config.json``: what ``predict.load_model_from_checkpoint`` needs to rebuild the network;
- ``summary.json``: written when the run ends. A run with a summary for all the epochs is not
  trained again; a run with ``last.pt`` but no summary was interrupted and is resumed.

A pretrained run whose ImageNet weights cannot be loaded (offline, no local copy) is recorded as
*skipped*, with the reason. It is never trained with random weights under a "pretrained" label.

``GridResult.write_report()`` writes ``report.md``, ``report.csv``, ``curves.png``, ``per_class.png`` and
``qualitative.png`` (text inside the figures in Portuguese, as in ``fcn_course.plots``). Command line:
``python -m fcn_course grid --smoke`` (see ``main``).
"""
from __future__ import annotations

import argparse
import csv
import json
import math
import os
import sys
import time
from pathlib import Path

import numpy as np
import torch
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from fcn_course import engine
from fcn_course.backbones import PretrainedWeightsError
from fcn_course.config import seed_everything
from fcn_course.data import VOCSubset, class_colors, denormalize, make_loaders
from fcn_course.files import write_json
from fcn_course.metrics import nanmean
from fcn_course.plots import PORTUGUESE_NAMES
from fcn_course.predict import default_model_classes, load_model_from_checkpoint, save_model_config
from fcn_course.widgets import colour_label

GRID_FILE = "grid.json"
SUMMARY_FILE = "summary.json"
REPORT_FILES = ("report.md", "report.csv", "curves.png", "per_class.png", "qualitative.png")
QUALITATIVE_IMAGES = 4  # validation images shown in qualitative.png
# Smoke mode (args["smoke"]): at most these settings, so that the 8 runs take a minute or two on a CPU.
SMOKE_GRID = {"epoch_num": 2, "size": 64, "max_samples": 12, "batch_size": 4}
# Settings every run of a grid must share. A grid folder trained with other values is not reused
# (epoch_num may grow: runs then continue from their last checkpoint).
SHARED_SETTINGS = ("classes", "h_size", "w_size", "batch_size", "lr", "weight_decay", "momentum",
                   "max_samples", "seed", "augment")


def run_name(backbone: str, skip, pretrained: bool) -> str:
    """Folder name of a configuration, e.g. ``alexnet-skip-scratch``."""
    return f"{backbone}-{'skip' if skip else 'noskip'}-{'pretrained' if pretrained else 'scratch'}"


def _score(value) -> float:
    """A metric as a float; missing values (None, stored for NaN in JSON) become NaN."""
    return float("nan") if value is None else float(value)


# --------------------------------------------------------------------------------------------------
# One run
# --------------------------------------------------------------------------------------------------
class RunResult:
    """Outcome of one configuration of the grid.

    ``status`` is ``"done"`` (trained, now or earlier), ``"skipped"`` (pretrained weights unavailable;
    ``reason`` says why) or ``"diverged"`` (the loss became NaN; ``reason`` has the message).
    ``history`` is the ``engine.History`` of the run (None when it never started).
    """

    def __init__(self, backbone, skip, pretrained, status, reason="", history=None, parameters=None,
                 run_dir=None, reused=False):
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
        return run_name(self.backbone, self.skip, self.pretrained)

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
        return {"name": self.name, "backbone": self.backbone, "skip": self.skip, "pretrained": self.pretrained,
                "status": self.status, "reason": self.reason, "parameters": self.parameters}


def _read_json(path: Path):
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None


def load_run(run_dir, backbone, skip, pretrained, status="done", reason="") -> RunResult:
    """Rebuild a RunResult from a run folder (history.json + summary.json)."""
    run_dir = Path(run_dir)
    summary = _read_json(run_dir / SUMMARY_FILE) or {}
    history_path = run_dir / engine.HISTORY_FILE
    history = engine.History.load(history_path) if history_path.is_file() else None
    return RunResult(backbone, skip, pretrained, summary.get("status", status), summary.get("reason", reason),
                     history=history, parameters=summary.get("parameters"), run_dir=run_dir, reused=True)


def _finished_run(run_dir: Path, epochs: int, backbone, skip, pretrained) -> RunResult | None:
    """The earlier result when ``run_dir`` holds a run that ended (all ``epochs`` done, or diverged)."""
    summary = _read_json(run_dir / SUMMARY_FILE)
    if summary is None or not (run_dir / engine.HISTORY_FILE).is_file():
        return None
    if summary["status"] == "diverged" or summary["epochs"] >= epochs:
        return load_run(run_dir, backbone, skip, pretrained)
    return None  # fewer epochs than asked now: fit resumes from last.pt and continues


def train_configuration(model_class, backbone, skip, pretrained, make_optimizer, compute_loss, criterion,
                        args, run_dir, progress=True) -> RunResult:
    """Train one configuration in ``run_dir`` (or reuse/resume it; see the module docstring)."""
    run_dir = Path(run_dir)
    name = run_dir.name
    finished = _finished_run(run_dir, args["epoch_num"], backbone, skip, pretrained)
    if finished is not None:
        print(f"== {name}: already finished ({len(finished.history)} epochs, {finished.status}); "
              f"reusing {run_dir}")
        return finished

    print(f"== {name}")
    seed_everything(args["seed"])  # same initial weights for a configuration, run after run
    try:
        net = model_class(args["n_classes"], pretrained=pretrained, skip=skip)
    except PretrainedWeightsError as error:
        print(f"== {name}: SKIPPED, the ImageNet weights could not be loaded (see the report for why)")
        return RunResult(backbone, skip, pretrained, "skipped", reason=str(error))

    # The run's own args: the model and the optimiser see which case they are in, and every
    # checkpoint written by fit records the backbone too.
    run_args = {**args, "backbone": backbone, "skip": skip, "pretrained": pretrained}
    optimizer = make_optimizer(net, run_args)

    def loss_fn(outputs, labels):
        return compute_loss(outputs, labels, criterion)

    train_loader, val_loader = make_loaders(run_args)  # fresh loaders: same shuffling for every run
    save_model_config(run_dir, backbone, skip, args["classes"], pretrained, size=(args["h_size"], args["w_size"]))
    resume = (run_dir / engine.LAST_CHECKPOINT).is_file()
    status, reason = "done", ""
    try:
        history = engine.fit(net, train_loader, val_loader, loss_fn, optimizer, run_args, run_dir=run_dir,
                             resume=resume, show_freq=0, progress=progress)
    except engine.NonFiniteLossError as error:
        print(f"== {name}: DIVERGED: {error}")
        status, reason = "diverged", str(error)
        history_path = run_dir / engine.HISTORY_FILE
        history = engine.History.load(history_path) if history_path.is_file() else engine.History()

    parameters = engine.count_parameters(net)
    write_json(run_dir / SUMMARY_FILE, {"status": status, "reason": reason, "epochs": len(history),
                                         "parameters": parameters, "backbone": backbone, "skip": skip,
                                         "pretrained": pretrained})
    return RunResult(backbone, skip, pretrained, status, reason, history=history, parameters=parameters,
                     run_dir=run_dir)


# --------------------------------------------------------------------------------------------------
# The grid
# --------------------------------------------------------------------------------------------------
def run_grid(model_classes, make_optimizer, compute_loss, criterion, args, out_dir,
             backbones=("alexnet", "vgg16"), skips=(False, True), pretrained=(False, True),
             progress=True) -> "GridResult":
    """Train every (backbone, skip, pretrained) combination with the same ``args``; returns a GridResult.

    - ``model_classes``: ``{"alexnet": FCN_AlexNet, "vgg16": FCN_VGG16}`` (your classes);
    - ``make_optimizer(net, args)``, ``compute_loss(outputs, labels, criterion)``, ``criterion``: yours too;
    - ``args``: a ``course_args()`` dict (epochs, image size, data...); ``skip`` and ``pretrained``
      are set for each run;
    - ``out_dir``: one sub-folder per run; run again with the same folder to continue an interrupted grid.

    In smoke mode (``args["smoke"]``) the settings are shrunk to ``SMOKE_GRID`` (2 epochs, 64 px crops,
    12 images per split) so that the whole grid takes a minute or two on a CPU.
    """
    if args.get("smoke"):
        args = smoke_grid_args(args)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    check_same_settings(out_dir, args)
    missing = [backbone for backbone in backbones if backbone not in model_classes]
    if missing:
        raise KeyError(f"model_classes has no class for {missing}; give e.g. "
                       "{'alexnet': FCN_AlexNet, 'vgg16': FCN_VGG16}.")

    runs = []
    started = time.perf_counter()
    for backbone in backbones:
        for skip in skips:
            for use_pretrained in pretrained:
                run_dir = out_dir / run_name(backbone, skip, use_pretrained)
                run = train_configuration(model_classes[backbone], backbone, skip, use_pretrained,
                                          make_optimizer, compute_loss, criterion, args, run_dir, progress)
                runs.append(run)
                _save_grid_index(out_dir, runs, args)  # kept up to date: an interrupted grid can be inspected
    print(f"== grid finished in {time.perf_counter() - started:.0f}s: "
          + ", ".join(f"{run.name} {run.status}" for run in runs))
    return GridResult(runs, args, out_dir, model_classes=model_classes)


def smoke_grid_args(args) -> dict:
    """A copy of ``args`` shrunk to the SMOKE_GRID settings (never enlarged); says what it changed."""
    size = SMOKE_GRID["size"]
    smaller = {"epoch_num": min(args["epoch_num"], SMOKE_GRID["epoch_num"]),
               "h_size": min(args["h_size"], size), "w_size": min(args["w_size"], size),
               "max_samples": min(args.get("max_samples") or SMOKE_GRID["max_samples"], SMOKE_GRID["max_samples"]),
               "batch_size": min(args["batch_size"], SMOKE_GRID["batch_size"])}
    changed = {key: value for key, value in smaller.items() if args.get(key) != value}
    if changed:
        print("smoke mode: the grid runs with " + ", ".join(f"{key}={value}" for key, value in changed.items()))
    return {**args, **smaller}


def check_same_settings(out_dir: Path, args) -> None:
    """Refuse to mix runs trained with different settings in one grid folder."""
    index = _read_json(out_dir / GRID_FILE)
    if index is None:
        return
    before = _as_stored({key: index["args"].get(key) for key in SHARED_SETTINGS})
    now = _as_stored({key: args.get(key) for key in SHARED_SETTINGS})
    changed = [f"{key}: {before[key]} -> {now[key]}" for key in SHARED_SETTINGS if before[key] != now[key]]
    if changed:
        raise ValueError(f"{out_dir} holds a grid trained with other settings ({'; '.join(changed)}). "
                         "Use another out_dir, or delete this one to start again.")


def _as_stored(values: dict) -> dict:
    """``values`` as they read back from a JSON file (tuples become lists, Paths become text)."""
    return json.loads(json.dumps(values, default=str))


def _save_grid_index(out_dir: Path, runs, args) -> None:
    """Write grid.json: the settings and every run of the folder (runs of earlier calls are kept)."""
    current = [run.to_dict() for run in runs]
    names = {entry["name"] for entry in current}
    earlier = (_read_json(out_dir / GRID_FILE) or {}).get("runs", [])
    kept = [entry for entry in earlier if entry["name"] not in names]
    settings = {key: value for key, value in args.items() if key != "device"}
    write_json(out_dir / GRID_FILE, {"args": settings, "runs": kept + current})


def load_grid(out_dir, model_classes=None) -> "GridResult":
    """Rebuild the GridResult of an earlier ``run_grid`` from its folder (no training)."""
    out_dir = Path(out_dir)
    index = _read_json(out_dir / GRID_FILE)
    if index is None:
        raise FileNotFoundError(f"No {GRID_FILE} in {out_dir}: is it the output folder of run_grid?")
    runs = []
    for entry in index["runs"]:
        run_dir = out_dir / entry["name"]
        if entry["status"] == "skipped":
            runs.append(RunResult(entry["backbone"], entry["skip"], entry["pretrained"], "skipped", entry["reason"]))
        else:
            runs.append(load_run(run_dir, entry["backbone"], entry["skip"], entry["pretrained"],
                                 entry["status"], entry["reason"]))
    return GridResult(runs, index["args"], out_dir, model_classes=model_classes)


# --------------------------------------------------------------------------------------------------
# Results and report
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
            row = {"config": run.name, "backbone": run.backbone, "skip": bool(run.skip),
                   "pretrained": run.pretrained, "status": run.status,
                   "epochs": len(run.history) if run.has_scores() else 0,
                   "best_epoch": best["epoch"] if best else None,
                   "best_miou_fg": _score(best["miou_fg"]) if best else float("nan"),
                   "final_miou_fg": _score(final["miou_fg"]) if final else float("nan")}
            for index, name in enumerate(self.classes):
                row[f"iou_{name}"] = _score(best["iou"][index]) if best else float("nan")
            row["dice_fg"] = nanmean([_score(value) for value in best["dice"][1:]]) if best else float("nan")
            row["pixel_acc"] = _score(best["pixel_acc"]) if best else float("nan")
            row["parameters"] = run.parameters
            row["sec_per_epoch"] = run.seconds_per_epoch()
            row["reason"] = run.reason
            rows.append(row)
        return rows

    table = rows  # the name used in SPEC.md

    def markdown_table(self) -> str:
        """The rows as a Markdown table (what report.md and the command line show)."""
        columns = (["configuration", "status", "best mIoU(fg)", "best epoch", "final mIoU(fg)"]
                   + [f"IoU {name}" for name in self.classes]
                   + ["Dice(fg)", "pixel acc.", "parameters", "s/epoch"])
        lines = ["| " + " | ".join(columns) + " |", "|" + "|".join(["---"] * len(columns)) + "|"]
        for row in self.rows():
            status = row["status"]
            if row["reason"]:
                status += ": " + row["reason"].splitlines()[0].removesuffix(" Tried:")[:80]
            cells = [row["config"], status, _fmt(row["best_miou_fg"]), _fmt(row["best_epoch"]),
                     _fmt(row["final_miou_fg"])]
            cells += [_fmt(row[f"iou_{name}"]) for name in self.classes]
            cells += [_fmt(row["dice_fg"]), _fmt(row["pixel_acc"]),
                      f"{row['parameters'] / 1e6:.1f} M" if row["parameters"] else "—",
                      _fmt(row["sec_per_epoch"], digits=1)]
            lines.append("| " + " | ".join(cells) + " |")
        return "\n".join(lines)

    def write_report(self, out_dir=None) -> dict:
        """Write report.md, report.csv, curves.png, per_class.png, qualitative.png; returns ``{name: path}``.

        qualitative.png needs the model classes and the validation data; when either is missing it is
        left out and report.md says why.
        """
        out_dir = Path(out_dir or self.out_dir)
        out_dir.mkdir(parents=True, exist_ok=True)
        paths = {"report.csv": self.write_csv(out_dir / "report.csv"),
                 "curves.png": plot_curves(self.trained_runs(), out_dir / "curves.png"),
                 "per_class.png": plot_per_class(self.trained_runs(), self.classes, out_dir / "per_class.png")}
        note = ""
        try:
            paths["qualitative.png"] = self.plot_qualitative(out_dir / "qualitative.png")
        except (ImportError, FileNotFoundError, ValueError) as error:
            note = f"qualitative.png not written: {error}"
            print(note)
        paths["report.md"] = self.write_markdown(out_dir / "report.md", note)
        return paths

    def write_csv(self, path) -> Path:
        rows = self.rows()
        with open(path, "w", newline="", encoding="utf-8") as file:
            writer = csv.DictWriter(file, fieldnames=list(rows[0]) if rows else ["config"])
            writer.writeheader()
            writer.writerows(rows)
        return Path(path)

    def write_markdown(self, path, note="") -> Path:
        args = self.args
        lines = ["# Comparison grid: backbone x skip connections x pretrained weights", "",
                 f"Shared settings: {args['epoch_num']} epochs, crops of {args['h_size']}x{args['w_size']} px, "
                 f"batch {args['batch_size']}, lr {args['lr']}, weight decay {args['weight_decay']}, "
                 f"classes {', '.join(self.classes)}, max_samples {args.get('max_samples')}, "
                 f"seed {args['seed']}, data {args['root']}" + (" (smoke mode)" if args.get("smoke") else "") + ".",
                 "", "Scores on the validation split; mIoU(fg) = mean IoU over the classes except background. "
                 "Per-class IoU, Dice(fg) and pixel accuracy are those of the best epoch.", "",
                 self.markdown_table(), ""]
        reasons = {}  # reason -> runs that share it (the same missing weight file, say)
        for run in self.runs:
            if run.reason:
                reasons.setdefault(run.reason, []).append(f"{run.name} ({run.status})")
        if reasons:
            lines += ["## Runs that did not finish", ""]
            for reason, names in reasons.items():
                lines += [f"{', '.join(names)}:", "", "```", reason, "```", ""]
        if note:
            lines += [f"Note: {note}", ""]
        lines += ["## Figures", "", "![learning curves](curves.png)", "", "![per-class IoU](per_class.png)", ""]
        if not note:
            lines += ["![predictions](qualitative.png)", ""]
        Path(path).write_text("\n".join(lines), encoding="utf-8")
        return Path(path)

    def plot_qualitative(self, path, n_images=QUALITATIVE_IMAGES) -> Path:
        """The same validation images for every trained run: rows image, ground truth, one per run."""
        runs = [run for run in self.trained_runs() if run.run_dir and (run.run_dir / engine.BEST_CHECKPOINT).is_file()]
        if not runs:
            raise FileNotFoundError("no trained run with a best.pt")
        model_classes = self.model_classes or default_model_classes()
        dataset = VOCSubset(self.args["root"], "val", classes=self.classes,
                            size=(self.args["h_size"], self.args["w_size"]), verbose=False)
        count = min(n_images, len(dataset))
        if count == 0:
            raise ValueError("the validation split is empty")
        samples = [dataset[index] for index in range(count)]
        images = torch.stack([image for image, _ in samples])

        rows = [("imagem", [denormalize(image) for image, _ in samples]),
                ("rótulo verdadeiro", [colour_label(label, self.classes) for _, label in samples])]
        for run in runs:
            model = load_model_from_checkpoint(run.run_dir / engine.BEST_CHECKPOINT, model_classes)
            with torch.no_grad():
                predictions = model(images).argmax(dim=1)
            best = run.best_val()
            rows.append((f"{run.name}\nmIoU(fg) {_fmt(_score(best['miou_fg']))}",
                         [colour_label(prediction, self.classes) for prediction in predictions]))

        figure = Figure(figsize=(2.2 * count + 2, 2.0 * len(rows)), layout="constrained")
        axes = figure.subplots(len(rows), count, squeeze=False)
        for row_axes, (title, pictures) in zip(axes, rows):
            for ax, picture in zip(row_axes, pictures):
                ax.imshow(picture, interpolation="nearest")
                ax.set_xticks([])
                ax.set_yticks([])
            row_axes[0].set_ylabel(title, rotation=0, ha="right", va="center", fontsize=9)
        figure.suptitle("Imagens de validação: rótulo verdadeiro e predição de cada configuração (best.pt)")
        return _save(figure, path)


# --------------------------------------------------------------------------------------------------
# Figures and formatting helpers
# --------------------------------------------------------------------------------------------------
def _fmt(value, digits=3) -> str:
    """A table cell: numbers rounded, missing values as a dash."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if isinstance(value, int):
        return str(value)
    return f"{value:.{digits}f}"


def _save(figure, path) -> Path:
    figure.savefig(path, dpi=90)
    return Path(path)


def _line_style(run) -> dict:
    """Same colour for a backbone+pretrained pair; solid line with skip connections, dashed without."""
    palette = {("alexnet", False): "tab:blue", ("alexnet", True): "tab:cyan",
               ("vgg16", False): "tab:red", ("vgg16", True): "tab:orange"}
    return {"color": palette.get((run.backbone, run.pretrained)), "linestyle": "-" if run.skip else "--",
            "marker": "o", "markersize": 3, "label": run.name}


def plot_curves(runs, path) -> Path:
    """Validation mIoU(fg) and training loss against the epoch, every run on the same axes."""
    figure = Figure(figsize=(12, 4.5), layout="constrained")
    ax_miou, ax_loss = figure.subplots(1, 2)
    for run in runs:
        style = _line_style(run)
        ax_miou.plot(run.history.values("val", "epoch"),
                     [_score(v) for v in run.history.values("val", "miou_fg")], **style)
        ax_loss.plot(run.history.values("train", "epoch"),
                     [_score(v) for v in run.history.values("train", "loss_mean")], **style)
    ax_miou.set(title="mIoU de validação (sem o fundo)", xlabel="época", ylabel="mIoU(fg)")
    ax_loss.set(title="perda de treino", xlabel="época", ylabel="entropia cruzada")
    for ax in (ax_miou, ax_loss):
        ax.grid(alpha=0.3)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # epochs are whole numbers
    if runs:
        ax_loss.legend(loc="upper left", bbox_to_anchor=(1.02, 1), fontsize=8)
    else:
        ax_miou.text(0.5, 0.5, "nenhuma configuração treinada", ha="center", transform=ax_miou.transAxes)
    return _save(figure, path)


def plot_per_class(runs, classes, path) -> Path:
    """Grouped bars: IoU of each class (best epoch), one bar per run."""
    figure = Figure(figsize=(max(6, 1.6 * len(classes) + 3), 4.5), layout="constrained")
    ax = figure.subplots()
    width = 0.8 / max(len(runs), 1)
    positions = np.arange(len(classes))
    for number, run in enumerate(runs):
        ious = [_score(v) for v in run.best_val()["iou"]]
        style = _line_style(run)
        ax.bar(positions + (number - (len(runs) - 1) / 2) * width, np.nan_to_num(ious), width,
               color=style["color"], hatch=None if run.skip else "//", edgecolor="black", label=run.name)
    ax.set_xticks(positions, [PORTUGUESE_NAMES.get(name, name) for name in classes])
    ax.set(ylim=(0, 1), ylabel="IoU (melhor época)", title="IoU por classe e configuração")
    for tick, colour in zip(ax.get_xticklabels(), class_colors(classes) / 255.0):
        tick.set_bbox({"facecolor": colour, "alpha": 0.4, "edgecolor": "none"})
    if runs:
        ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1), fontsize=8)
    ax.grid(axis="y", alpha=0.3)
    return _save(figure, path)


# --------------------------------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------------------------------
def _grid_ingredients(notebooks=None):
    """(model_classes, make_optimizer, compute_loss, make_criterion): from notebooks, else the references."""
    if notebooks:
        from fcn_course.nbtools import load_definitions

        namespace = {}
        for path in notebooks:
            namespace.update(load_definitions(path))
        missing = [name for name in ("make_optimizer", "compute_loss", "make_criterion") if name not in namespace]
        model_classes = {backbone: namespace[name] for backbone, name in
                         (("alexnet", "FCN_AlexNet"), ("vgg16", "FCN_VGG16")) if name in namespace}
        if missing or not model_classes:
            raise ValueError(f"{', '.join(map(str, notebooks))} do not define {missing or 'FCN_AlexNet/FCN_VGG16'}"
                             "; pass the notebooks where you wrote them (02 and 03)")
        return model_classes, namespace["make_optimizer"], namespace["compute_loss"], namespace["make_criterion"]
    try:
        from solutions.training import compute_loss, make_criterion, make_optimizer
    except ImportError as error:
        raise ImportError("the reference solutions (solutions/) are not here (student release?): pass your "
                          "notebooks with --models notebooks/02_fcn_alexnet.ipynb notebooks/03_fcn_vgg16.ipynb, "
                          "or call run_grid from notebook 04") from error
    return default_model_classes(), make_optimizer, compute_loss, make_criterion


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m fcn_course grid",
        description="Train the comparison grid (backbone x skip x pretrained) with the reference models of "
                    "solutions/ and print the report table. Running it again with the same --out reuses "
                    "finished runs and resumes interrupted ones.")
    parser.add_argument("--smoke", action="store_true",
                        help=f"synthetic data and tiny settings (at most {SMOKE_GRID['epoch_num']} epochs, "
                             f"{SMOKE_GRID['size']} px, {SMOKE_GRID['max_samples']} images per split): "
                             "a minute or two on a CPU")
    parser.add_argument("--epochs", type=int, help="epochs per run (default: course_args()['epoch_num'])")
    parser.add_argument("--size", type=int, help="square crop size in pixels (default: course_args())")
    parser.add_argument("--max-samples", type=int, help="use only the first N images of each split")
    parser.add_argument("--backbones", default="alexnet,vgg16", help="comma-separated: alexnet,vgg16")
    parser.add_argument("--scratch-only", action="store_true", help="leave out the pretrained runs")
    parser.add_argument("--out", help="output folder (default: $FCN_COURSE_RUNS/grid, or grid-smoke with --smoke)")
    parser.add_argument("--models", nargs="+", metavar="NOTEBOOK",
                        help="take FCN_AlexNet/FCN_VGG16, make_optimizer, compute_loss and make_criterion from "
                             "your notebooks (e.g. notebooks/02_fcn_alexnet.ipynb notebooks/03_fcn_vgg16.ipynb) "
                             "instead of the reference solutions")
    parser.add_argument("--quiet", action="store_true", help="no progress bars")
    return parser


def main(argv=None) -> int:
    """``python -m fcn_course grid [--smoke] [--epochs N] [--size S] [--backbones ...] [--out DIR]``."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["--"]:  # accept ``python -m fcn_course grid -- --smoke`` as well
        argv = argv[1:]
    options = build_parser().parse_args(argv)
    if options.smoke:
        os.environ["FCN_COURSE_SMOKE"] = "1"  # course_args() then uses the synthetic dataset
    from fcn_course.config import course_args

    args = course_args()  # in smoke mode run_grid shrinks the settings further (see SMOKE_GRID)
    if options.epochs:
        args["epoch_num"] = options.epochs
    if options.size:
        args["h_size"] = args["w_size"] = options.size
    if options.max_samples:
        args["max_samples"] = options.max_samples
    backbones = tuple(name.strip() for name in options.backbones.split(",") if name.strip())
    unknown = [name for name in backbones if name not in ("alexnet", "vgg16")]
    if unknown:
        print(f"error: unknown backbone(s) {unknown}; choose from alexnet, vgg16", file=sys.stderr)
        return 2
    out_dir = Path(options.out or args["runs_dir"] / ("grid-smoke" if options.smoke else "grid"))

    try:
        model_classes, make_optimizer, compute_loss, make_criterion = _grid_ingredients(options.models)
    except (ImportError, KeyError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if options.models and any(name not in model_classes for name in backbones):
        backbones = tuple(name for name in backbones if name in model_classes)
        print(f"your notebooks define the FCNs of: {', '.join(backbones)}; the grid runs those only")

    result = run_grid(model_classes, make_optimizer, compute_loss, make_criterion(), args, out_dir,
                      backbones=backbones, pretrained=(False,) if options.scratch_only else (False, True),
                      progress=not options.quiet)
    paths = result.write_report(out_dir)
    print()
    print(result.markdown_table())
    print(f"\nreport: {paths['report.md']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

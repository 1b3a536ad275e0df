"""The report of a comparison grid: a table (Markdown and CSV) and three figures, written to the grid folder.

``write_report(grid, out_dir)`` writes ``report.md``, ``report.csv``, ``curves.png``, ``per_class.png`` and
``qualitative.png``. The figures themselves are drawn by ``fcn_course.plots`` (text in Portuguese, as in
every figure of the course); this module only decides what goes in them and where the files go.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

import torch

from fcn_course import plots, runs
from fcn_course.config import per_backbone_settings
from fcn_course.data import VOCSubset
from fcn_course.messages import text
from fcn_course.predict import load_model_from_checkpoint

REPORT_FILES = ("report.md", "report.csv", "curves.png", "per_class.png", "qualitative.png")
QUALITATIVE_IMAGES = 4  # validation images shown in qualitative.png


def status_label(status: str) -> str:
    """A run's status (a machine value: ``done``, ``skipped``, ``diverged``, ``failed``) as people read it."""
    return text(f"grid.status_{status}")


def format_score(value, digits=3) -> str:
    """A table cell: numbers rounded, missing values as a dash."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if isinstance(value, int):
        return str(value)
    return f"{value:.{digits}f}"


def write_report(grid, out_dir) -> dict:
    """Write the report files of ``grid`` (an ``experiments.GridResult``) in ``out_dir``; returns ``{name: path}``.

    qualitative.png needs the model classes and the validation data; when either is missing it is left
    out and report.md says why.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    trained = grid.trained_runs()
    paths = {
        "report.csv": write_csv(grid.rows(), out_dir / "report.csv"),
        "curves.png": plots.save_figure(plots.grid_curves(trained), out_dir / "curves.png", dpi=90),
        "per_class.png": plots.save_figure(
            plots.per_class_iou(trained, grid.classes), out_dir / "per_class.png", dpi=90
        ),
    }
    note = ""
    try:
        paths["qualitative.png"] = plots.save_figure(qualitative_figure(grid), out_dir / "qualitative.png", dpi=90)
    except (ImportError, FileNotFoundError, ValueError, KeyError) as error:
        note = text("report.qualitative_not_written", error=error)
        print(note)
    paths["report.md"] = write_markdown(grid, out_dir / "report.md", note)
    return paths


def write_csv(rows, path) -> Path:
    """One line per run, the columns of ``GridResult.rows()``."""
    with open(path, "w", newline="", encoding="utf-8") as file:
        writer = csv.DictWriter(file, fieldnames=list(rows[0]) if rows else ["config"])
        writer.writeheader()
        writer.writerows(rows)
    return Path(path)


def write_markdown(grid, path, note="") -> Path:
    """report.md: the shared settings, the table, why some runs did not finish, and the figures."""
    args = grid.args
    shared = text(
        "report.shared_settings",
        epochs=args["epoch_num"],
        height=args["h_size"],
        width=args["w_size"],
        batch=args["batch_size"],
        lr=args["lr"],
        weight_decay=args["weight_decay"],
        classes=", ".join(grid.classes),
        max_samples=args.get("max_samples"),
        seed=args["seed"],
        root=args["root"],
    )
    if args.get("profile"):
        shared += text("report.profile_suffix", profile=args["profile"])
    lines = [
        f"# {text('report.title')}",
        "",
        shared + ".",
        *_per_backbone_lines(args),
        "",
        text("report.scores_explained"),
        "",
        grid.markdown_table(),
        "",
    ]
    reasons = {}  # reason -> runs that share it (the same missing weight file, say)
    for run in grid.runs:
        if run.reason:
            reasons.setdefault(run.reason, []).append(f"{run.name} ({status_label(run.status)})")
    if reasons:
        lines += [f"## {text('report.unfinished_heading')}", ""]
        for reason, names in reasons.items():
            lines += [f"{', '.join(names)}:", "", "```", reason, "```", ""]
    if note:
        lines += [text("report.note", note=note), ""]
    lines += [f"## {text('report.figures_heading')}", "", f"![{text('report.curves_alt')}](curves.png)", ""]
    lines += [f"![{text('report.per_class_alt')}](per_class.png)", ""]
    if not note:
        lines += [f"![{text('report.predictions_alt')}](qualitative.png)", ""]
    Path(path).write_text("\n".join(lines), encoding="utf-8")
    return Path(path)


def _per_backbone_lines(args) -> list:
    """Say which backbones trained with settings of their own (then AlexNet vs VGG16 is not a fair race)."""
    own = per_backbone_settings(args.get("profile"))
    return [
        "",
        *(
            text(
                "report.own_settings",
                backbone=name,
                settings=", ".join(f"{key}={value}" for key, value in settings.items()),
            )
            for name, settings in own.items()
        ),
    ]


def qualitative_figure(grid, n_images: int = QUALITATIVE_IMAGES):
    """The same validation images for every trained run: rows image, ground truth, one per run (best.pt)."""
    trained = [
        run for run in grid.trained_runs() if run.run_dir and runs.checkpoint_path(run.run_dir, "best").is_file()
    ]
    if not trained:
        raise FileNotFoundError(text("report.no_best_checkpoint"))
    if not grid.model_classes:
        raise ValueError(text("report.no_model_classes"))
    dataset = VOCSubset(
        grid.args["root"], "val", classes=grid.classes, size=(grid.args["h_size"], grid.args["w_size"]), verbose=False
    )
    count = min(n_images, len(dataset))
    if count == 0:
        raise ValueError(text("report.empty_validation"))
    samples = [dataset[index] for index in range(count)]
    images = torch.stack([image for image, _ in samples])
    predictions = {}
    for run in trained:
        model = load_model_from_checkpoint(runs.checkpoint_path(run.run_dir, "best"), grid.model_classes)
        with torch.no_grad():
            predicted = model(images).argmax(dim=1)
        title = f"{run.name}\nmIoU(fg) {format_score(run.best_val()['miou_fg'])}"
        predictions[title] = predicted
    return plots.prediction_rows(images, [label for _, label in samples], predictions, grid.classes)

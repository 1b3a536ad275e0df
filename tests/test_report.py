"""The grid report (fcn_course.report): report.md says which backbones trained with settings of their own."""

import csv
from types import SimpleNamespace

import pytest

from fcn_course.experiments import GridResult, RunResult
from fcn_course.messages import text
from fcn_course.report import REPORT_FILES, write_markdown, write_report
from fcn_course.runs import History

SHARED = {
    "epoch_num": 12,
    "h_size": 160,
    "w_size": 160,
    "batch_size": 8,
    "lr": 1e-3,
    "weight_decay": 5e-4,
    "max_samples": None,
    "seed": 0,
    "root": "data",
}


def _report(tmp_path, **args) -> str:
    """report.md of a grid with no runs and the given settings."""
    grid = SimpleNamespace(
        args={**SHARED, **args},
        classes=("background", "bus", "person"),
        runs=[],
        markdown_table=lambda: "| configuration |",
    )
    return write_markdown(grid, tmp_path / "report.md").read_text(encoding="utf-8")


def test_the_demo_report_says_vgg16_trained_with_its_own_settings(tmp_path):
    report = _report(tmp_path, profile="demo")
    own = "epoch_num=10, lr=0.0003, w_size=96, h_size=96, max_samples=48"
    assert text("report.own_settings", backbone="vgg16", settings=own) in report
    assert text("report.profile_suffix", profile="demo") in report


@pytest.mark.parametrize("args", [{"profile": "full"}, {"profile": "smoke"}, {}, {"profile": "quick"}])
def test_without_per_backbone_settings_the_report_says_nothing_about_them(tmp_path, args):
    """Full and smoke give no backbone settings of its own; an old grid without a known profile neither."""
    report = _report(tmp_path, **args)
    assert "**vgg16**" not in report and "Configurações comuns: 12 épocas" in report


def _scores(epoch, miou_fg):
    """One epoch's results, as engine.fit records them (three classes)."""
    return {
        "epoch": epoch,
        "loss_mean": 1.0 / epoch,
        "loss_std": 0.0,
        "miou_fg": miou_fg,
        "miou": miou_fg,
        "iou": [0.9, miou_fg, miou_fg],
        "dice": [0.95, miou_fg, miou_fg],
        "mdice": miou_fg,
        "pixel_acc": 0.8,
        "time": 2.0,
        "batch_losses": [1.0 / epoch],
    }


def test_the_report_of_a_grid_without_checkpoints_lists_its_runs_and_says_why_a_figure_is_missing(tmp_path, capsys):
    """report.csv has a header and a row per run; report.md gives each unfinished run's reason once; a report
    written again into the same folder replaces the files (a grid reported after every call)."""
    history = History()
    for epoch, miou_fg in ((1, 0.2), (2, 0.5)):
        history.append(_scores(epoch, miou_fg), _scores(epoch, miou_fg))
    grid_runs = [
        RunResult("alexnet", False, False, "done", history=history, parameters=10, run_dir=tmp_path / "a"),
        RunResult("alexnet", True, False, "failed", reason="last.pt is damaged", run_dir=tmp_path / "b"),
        RunResult("alexnet", True, True, "skipped", reason="last.pt is damaged", run_dir=tmp_path / "c"),
    ]
    grid = GridResult(grid_runs, {**SHARED, "classes": ("background", "bus", "person")}, tmp_path)
    out_dir = tmp_path / "report"
    for _ in range(2):
        paths = write_report(grid, out_dir)
        assert (
            text("report.qualitative_not_written", error=text("report.no_best_checkpoint")) in capsys.readouterr().out
        )
    assert sorted(paths) == sorted(set(REPORT_FILES) - {"qualitative.png"})
    assert all(paths[name] == out_dir / name and paths[name].is_file() for name in paths)
    with open(paths["report.csv"], newline="", encoding="utf-8") as file:
        rows = list(csv.DictReader(file))
    assert [row["config"] for row in rows] == [run.name for run in grid_runs]
    report = paths["report.md"].read_text(encoding="utf-8")
    unfinished = report.split(f"## {text('report.unfinished_heading')}")[1].split(
        f"## {text('report.figures_heading')}"
    )[0]
    assert "alexnet-skip-scratch (failed), alexnet-skip-pretrained (skipped):" in unfinished
    assert unfinished.count("last.pt is damaged") == 1
    note = text("report.note", note=text("report.qualitative_not_written", error=text("report.no_best_checkpoint")))
    assert note in report and "(qualitative.png)" not in report

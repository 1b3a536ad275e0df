"""The grid report (fcn_course.report): report.md says which backbones trained with settings of their own."""

import csv
from types import SimpleNamespace

import pytest
import torch
from PIL import Image

from fcn_course import report as report_module
from fcn_course.experiments import GridResult, RunResult
from fcn_course.messages import text
from fcn_course.report import REPORT_FILES, format_score, qualitative_figure, write_markdown, write_report
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
    failed, skipped = text("grid.status_failed"), text("grid.status_skipped")
    assert f"alexnet-skip-scratch ({failed}), alexnet-skip-pretrained ({skipped}):" in unfinished
    assert unfinished.count("last.pt is damaged") == 1
    note = text("report.note", note=text("report.qualitative_not_written", error=text("report.no_best_checkpoint")))
    assert note in report and "(qualitative.png)" not in report


def test_table_cells_round_to_three_digits_keep_whole_numbers_and_show_a_dash_when_missing():
    assert format_score(0.123456) == "0.123" and format_score(0.5) == "0.500" and format_score(1.0) == "1.000"
    assert format_score(12) == "12" and format_score(0.123456, digits=1) == "0.1"
    assert format_score(None) == "—" and format_score(float("nan")) == "—"


class _AllPerson(torch.nn.Module):
    """Predicts class 2 (person) everywhere; stands for a network loaded from best.pt."""

    def forward(self, x):
        scores = torch.zeros(x.shape[0], 3, *x.shape[-2:])
        scores[:, 2] = 1.0
        return scores


@pytest.fixture
def trained_grid(synthetic_voc_root, tmp_path, monkeypatch):
    """A grid of one finished run with a best.pt on the synthetic VOC twin (8 validation images, 64x64 crops);
    the checkpoint is 'loaded' as a network that predicts person everywhere (no training here)."""
    history = History()
    for epoch, miou_fg in ((1, 0.2), (2, 0.5)):
        history.append(_scores(epoch, miou_fg), _scores(epoch, miou_fg))
    run_dir = tmp_path / "alexnet-noskip-scratch"
    run_dir.mkdir()
    (run_dir / "best.pt").write_bytes(b"weights")
    loaded = []
    monkeypatch.setattr(
        report_module, "load_model_from_checkpoint", lambda path, classes: loaded.append(path) or _AllPerson()
    )
    run = RunResult("alexnet", False, False, "done", history=history, parameters=10, run_dir=run_dir)
    args = {
        **SHARED,
        "root": synthetic_voc_root,
        "h_size": 64,
        "w_size": 64,
        "classes": ("background", "bus", "person"),
    }
    grid = GridResult([run], args, tmp_path, model_classes={"alexnet": _AllPerson})
    return grid, loaded


def test_the_qualitative_figure_shows_four_validation_images_or_as_many_as_asked_and_prints_nothing(
    trained_grid, capsys
):
    """Rows: the image, its ground truth, one per trained run (from its best.pt); one column per image."""
    grid, loaded = trained_grid
    assert len(qualitative_figure(grid).axes) == 3 * 4
    assert len(qualitative_figure(grid, n_images=1).axes) == 3 * 1
    assert loaded == [grid.runs[0].run_dir / "best.pt"] * 2
    assert capsys.readouterr().out == ""  # the validation set is read quietly (no dataset summary in a report)


def test_the_report_figures_are_pngs_of_90_dpi_in_a_folder_it_makes(trained_grid, tmp_path):
    grid, _ = trained_grid
    out_dir = tmp_path / "reports" / "grid"  # neither folder exists yet
    paths = write_report(grid, out_dir)
    assert sorted(paths) == sorted(REPORT_FILES)
    for name in ("curves.png", "per_class.png", "qualitative.png"):
        with Image.open(paths[name]) as image:
            assert image.format == "PNG" and image.info["dpi"] == pytest.approx((90, 90), abs=0.01), name

"""The grid report (fcn_course.report): report.md says which backbones trained with settings of their own."""

from types import SimpleNamespace

import pytest

from fcn_course.messages import text

from fcn_course.report import write_markdown

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

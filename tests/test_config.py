"""Course settings: the original hyper-parameters, smoke mode, folders and clear errors."""
from pathlib import Path

import pytest
import torch

from fcn_course import config


def test_full_settings_are_the_original_courses(monkeypatch, tmp_path):
    monkeypatch.delenv("FCN_COURSE_SMOKE", raising=False)
    monkeypatch.setenv("FCN_COURSE_DATA", str(tmp_path / "voc"))
    monkeypatch.delenv("FCN_COURSE_RUNS", raising=False)
    args = config.course_args()
    expected = {"epoch_num": 50, "lr": 1e-4, "weight_decay": 5e-4, "momentum": 0.9, "batch_size": 8,
                "w_size": 224, "h_size": 224, "show_freq": 5, "pretrained": True, "skip": True, "n_classes": 3,
                "classes": ("background", "bus", "person"), "smoke": False}
    assert {key: args[key] for key in expected} == expected
    assert args["root"] == tmp_path / "voc" and args["runs_dir"] == Path("runs")
    assert isinstance(args["device"], torch.device)


def test_smoke_mode_shrinks_settings_and_builds_the_synthetic_set(monkeypatch, tmp_path):
    monkeypatch.setenv("FCN_COURSE_SMOKE", "1")
    monkeypatch.setenv("FCN_COURSE_DATA", str(tmp_path))
    monkeypatch.setenv("FCN_COURSE_RUNS", str(tmp_path / "my_runs"))
    args = config.course_args()
    assert args["smoke"] and args["epoch_num"] == 2 and (args["h_size"], args["w_size"]) == (96, 96)
    assert not args["pretrained"]
    assert args["root"] == tmp_path / "synthetic"
    assert (args["root"] / "VOCdevkit" / "VOC2012" / "ImageSets" / "Segmentation" / "train.txt").is_file()
    assert args["runs_dir"] == tmp_path / "my_runs"


@pytest.mark.parametrize("value, smoke", [("1", True), ("true", True), ("0", False), ("", False), ("no", False)])
def test_smoke_switch_values(monkeypatch, value, smoke):
    monkeypatch.setenv("FCN_COURSE_SMOKE", value)
    assert config.smoke_mode() is smoke


def test_overrides_and_a_typo_in_a_setting(monkeypatch, tmp_path):
    monkeypatch.setenv("FCN_COURSE_DATA", str(tmp_path))
    args = config.course_args(epoch_num=7, classes=["background", "person"], root=tmp_path)
    assert args["epoch_num"] == 7 and args["n_classes"] == 2 and args["classes"] == ("background", "person")
    with pytest.raises(ValueError, match="unknown setting.*'epochs'.*epoch_num"):
        config.course_args(epochs=10, root=tmp_path)


def test_seed_everything_repeats_random_draws():
    config.seed_everything(5)
    first = torch.rand(3)
    config.seed_everything(5)
    assert torch.equal(first, torch.rand(3))

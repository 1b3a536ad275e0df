"""The profile table (fcn_course.profiles): one table for every profile fact, every --profile option reads it."""

import argparse
from pathlib import Path

import pytest

from fcn_course import config, profiles
from helpers import load_train_script
from fcn_course.profiles import PROFILES, per_backbone_settings, profile_names

REPO_ROOT = Path(__file__).resolve().parents[1]
FIELDS = {"description", "settings", "synthetic", "per_backbone", "downloads_weights", "grid_limits"}


def test_every_profile_has_every_field():
    for name, profile in PROFILES.items():
        assert set(profile) == FIELDS, name
    assert profiles.DEFAULT_PROFILE in PROFILES and profile_names() == ("full", "demo", "smoke")


def test_config_re_exports_the_table():
    """Notebook 01 and the README point students to config.PROFILES."""
    assert config.PROFILES is PROFILES and config.DEFAULT_PROFILE == profiles.DEFAULT_PROFILE
    assert config.per_backbone_settings is per_backbone_settings and config.profile_names is profile_names


def test_the_demo_profile_is_the_measured_one():
    """solutions/RESULTS.md and the README's figures were measured with exactly these values."""
    demo = PROFILES["demo"]
    assert demo["settings"] == {
        "epoch_num": 12,
        "batch_size": 8,
        "w_size": 160,
        "h_size": 160,
        "show_freq": 4,
        "pretrained": False,
        "lr": 1e-3,
    }
    assert demo["synthetic"] == {"n_train": 300, "n_val": 100, "size": (200, 160), "seed": 1}
    assert demo["per_backbone"] == {
        "vgg16": {"epoch_num": 10, "lr": 3e-4, "w_size": 96, "h_size": 96, "max_samples": 48}
    }
    assert not demo["downloads_weights"] and demo["grid_limits"] == {}


def test_the_smoke_profile_is_the_tiny_run_of_ci():
    """Two epochs (so that the code of a later epoch runs: best.pt kept or not, the history grown), predictions
    shown every epoch (the display code runs), from scratch (nothing to download), 4 crops of 96x96 per batch
    (AlexNet needs at least 63 px), on a synthetic twin of 32 + 12 pictures of 160x120 drawn with seed 0."""
    smoke = PROFILES["smoke"]
    assert smoke["settings"] == {
        "epoch_num": 2,
        "batch_size": 4,
        "w_size": 96,
        "h_size": 96,
        "show_freq": 1,
        "pretrained": False,
    }
    assert smoke["synthetic"] == {"n_train": 32, "n_val": 12, "size": (160, 120), "seed": 0}
    assert smoke["per_backbone"] == {} and not smoke["downloads_weights"]


def test_only_the_smoke_grid_is_limited():
    assert PROFILES["smoke"]["grid_limits"] == {
        "epoch_num": 2,
        "h_size": 64,
        "w_size": 64,
        "max_samples": 12,
        "batch_size": 4,
    }
    assert PROFILES["full"]["grid_limits"] == {} and PROFILES["demo"]["grid_limits"] == {}


def test_per_backbone_settings():
    assert per_backbone_settings("demo") == {
        "vgg16": {"epoch_num": 10, "lr": 3e-4, "w_size": 96, "h_size": 96, "max_samples": 48}
    }
    assert per_backbone_settings("full") == {} and per_backbone_settings("smoke") == {}


def test_per_backbone_settings_of_an_unknown_profile_are_none():
    """An old grid recorded without a profile (or with a profile this course no longer has) still reports."""
    assert per_backbone_settings(None) == {} and per_backbone_settings("quick") == {}


def test_per_backbone_settings_are_a_copy():
    per_backbone_settings("demo")["vgg16"]["epoch_num"] = 1000
    assert PROFILES["demo"]["per_backbone"]["vgg16"]["epoch_num"] == 10


def _profile_choices(parser) -> tuple:
    """The choices of the ``--profile`` option of ``parser``."""
    (option,) = [action for action in parser._actions if "--profile" in action.option_strings]
    return tuple(option.choices)


def _sub_command(parser, name):
    """The parser of the sub-command ``name`` of ``parser``."""
    (commands,) = [action for action in parser._actions if isinstance(action, argparse._SubParsersAction)]
    return commands.choices[name]


def test_every_profile_option_offers_the_profiles_of_the_table(monkeypatch):
    """A profile added to the table is offered by every command, with no list typed by hand elsewhere."""
    from fcn_course import experiments
    from fcn_course.instructor.__main__ import build_parser as instructor_parser

    monkeypatch.setitem(PROFILES, "tiny", {**PROFILES["smoke"], "description": "a test profile"})
    train = load_train_script()
    parsers = {
        "python -m fcn_course.instructor course": _sub_command(instructor_parser(), "course"),
        "python -m fcn_course grid": experiments.build_parser(),
    }
    for command, parser in parsers.items():
        assert _profile_choices(parser) == ("full", "demo", "smoke", "tiny"), command
    assert train.parse_args(["--profile", "tiny"]).profile == "tiny"
    assert instructor_parser().parse_args(["course", "--profile", "tiny"]).profile == "tiny"
    with pytest.raises(SystemExit):
        experiments.build_parser().parse_args(["--profile", "quick"])


@pytest.mark.parametrize("profile, downloads", [("full", True), ("demo", False), ("smoke", False)])
def test_only_the_full_profile_downloads_imagenet_weights(monkeypatch, profile, downloads):
    """The synthetic profiles train from scratch and never reach the network (smoke runs offline, in CI)."""
    monkeypatch.delenv("FCN_COURSE_PROFILE", raising=False)
    monkeypatch.delenv("FCN_COURSE_SMOKE", raising=False)
    args = config.course_args(profile=profile)
    assert args["downloads_weights"] is downloads
    if args["synthetic"]:
        assert args["pretrained"] is False

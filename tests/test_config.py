"""Course settings: the original hyper-parameters, smoke mode, folders and clear errors."""

from pathlib import Path

import pytest
import torch

from fcn_course import config


def test_full_settings_are_the_original_courses(monkeypatch, tmp_path):
    monkeypatch.delenv("FCN_COURSE_SMOKE", raising=False)
    monkeypatch.delenv("FCN_COURSE_PROFILE", raising=False)
    monkeypatch.setenv("FCN_COURSE_DATA", str(tmp_path / "voc"))
    monkeypatch.delenv("FCN_COURSE_RUNS", raising=False)
    args = config.course_args()
    expected = {
        "epoch_num": 50,
        "lr": 1e-4,
        "weight_decay": 5e-4,
        "momentum": 0.9,
        "batch_size": 8,
        "w_size": 224,
        "h_size": 224,
        "show_freq": 5,
        "pretrained": True,
        "skip": True,
        "n_classes": 3,
        "classes": ("background", "bus", "person"),
        "smoke": False,
    }
    assert {key: args[key] for key in expected} == expected
    assert args["root"] == tmp_path / "voc" and args["runs_dir"] == Path("runs") / "full"
    assert isinstance(args["device"], torch.device)


def test_smoke_profile_shrinks_settings_and_writes_nothing(monkeypatch, tmp_path):
    monkeypatch.setenv("FCN_COURSE_SMOKE", "1")
    monkeypatch.delenv("FCN_COURSE_PROFILE", raising=False)
    monkeypatch.setenv("FCN_COURSE_DATA", str(tmp_path))
    monkeypatch.setenv("FCN_COURSE_RUNS", str(tmp_path / "my_runs"))
    args = config.course_args()
    assert args["smoke"] and args["profile"] == "smoke" and "FCN_COURSE_SMOKE=1" in args["profile_reason"]
    assert args["epoch_num"] == 2 and (args["h_size"], args["w_size"]) == (96, 96) and not args["pretrained"]
    assert args["root"] == tmp_path / "synthetic-smoke" and args["synthetic"]["n_train"] == 32
    assert args["runs_dir"] == tmp_path / "my_runs" / "smoke"
    assert list(tmp_path.iterdir()) == []  # course_args is pure: the data is written by prepare_data


def test_prepare_data_writes_the_synthetic_twin_once(monkeypatch, tmp_path, capsys):
    from fcn_course.data import prepare_data

    monkeypatch.setenv("FCN_COURSE_DATA", str(tmp_path))
    args = config.course_args(smoke=True)
    prepare_data(args)
    out = capsys.readouterr().out
    assert "gerado" in out and "Perfil 'smoke'" in out
    assert (args["root"] / "VOCdevkit" / "VOC2012" / "ImageSets" / "Segmentation" / "train.txt").is_file()
    stamp = (args["root"] / "synthetic.json").stat().st_mtime_ns
    prepare_data(args)
    assert "gerado" not in capsys.readouterr().out and (args["root"] / "synthetic.json").stat().st_mtime_ns == stamp


def test_prepare_data_never_writes_into_a_folder_it_did_not_make(monkeypatch, tmp_path):
    from fcn_course.data import prepare_data

    monkeypatch.setenv("FCN_COURSE_DATA", str(tmp_path))
    args = config.course_args(profile="demo")
    args["root"].mkdir(parents=True)
    (args["root"] / "mine.txt").write_text("my notes")
    with pytest.raises(ValueError, match="o curso não escreveu"):
        prepare_data(args)
    assert sorted(p.name for p in args["root"].iterdir()) == ["mine.txt"]


@pytest.mark.parametrize(
    "environment, profile",
    [
        ({"FCN_COURSE_SMOKE": "1"}, "smoke"),
        ({"FCN_COURSE_SMOKE": "true"}, "smoke"),
        ({"FCN_COURSE_SMOKE": "0"}, "full"),
        ({"FCN_COURSE_SMOKE": ""}, "full"),
        ({"FCN_COURSE_SMOKE": "no"}, "full"),
        ({"FCN_COURSE_PROFILE": "demo"}, "demo"),
        ({"FCN_COURSE_PROFILE": "demo", "FCN_COURSE_SMOKE": "1"}, "demo"),
        ({}, "full"),
    ],
)
def test_profile_from_the_environment(monkeypatch, environment, profile):
    for name in ("FCN_COURSE_SMOKE", "FCN_COURSE_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    assert config.course_args()["profile"] == profile


def test_one_source_of_truth_for_the_profile(monkeypatch):
    monkeypatch.setenv("FCN_COURSE_SMOKE", "1")
    assert config.course_args(smoke=False)["profile"] == "full"
    monkeypatch.delenv("FCN_COURSE_SMOKE")
    smoke = config.course_args(smoke=True)
    assert smoke["smoke"] and smoke["epoch_num"] == 2 and smoke["synthetic"]
    assert config.course_args(profile="demo")["profile"] == "demo"
    with pytest.raises(ValueError, match="não combinam"):
        config.course_args(profile="demo", smoke=True)
    with pytest.raises(ValueError, match="escolha um de full, demo, smoke"):
        config.course_args(profile="quick")
    monkeypatch.setenv("FCN_COURSE_PROFILE", "fast")
    with pytest.raises(ValueError, match="FCN_COURSE_PROFILE"):
        config.course_args()


def test_environment_is_read_in_one_place(monkeypatch, tmp_path):
    environment = config.read_environment(
        {
            "FCN_COURSE_DATA": str(tmp_path),
            "FCN_COURSE_WEIGHTS": "~/w",
            "FCN_COURSE_STATIC": "yes",
            "FCN_COURSE_RUNS": str(tmp_path / "r"),
        }
    )
    assert environment.data_dir == tmp_path and environment.runs_dir == tmp_path / "r"
    assert environment.static_widgets and environment.weights == Path("~/w").expanduser()
    assert environment.profile is None and config.read_environment({}).runs_dir == Path("runs")


def test_overrides_and_a_typo_in_a_setting(monkeypatch, tmp_path):
    monkeypatch.setenv("FCN_COURSE_DATA", str(tmp_path))
    args = config.course_args(epoch_num=7, classes=["background", "person"], root=tmp_path)
    assert args["epoch_num"] == 7 and args["n_classes"] == 2 and args["classes"] == ("background", "person")
    with pytest.raises(ValueError, match="desconhecida.*'epochs'.*epoch_num"):
        config.course_args(epochs=10, root=tmp_path)


def test_seed_everything_repeats_random_draws():
    config.seed_everything(5)
    first = torch.rand(3)
    config.seed_everything(5)
    assert torch.equal(first, torch.rand(3))


# --------------------------------------------------------------------------------------------------
# Per-backbone settings: VGG16 trains with smaller settings in the demo profile (notebook 04, the grid)
# --------------------------------------------------------------------------------------------------
VGG16_DEMO = {"epoch_num": 10, "lr": 3e-4, "w_size": 96, "h_size": 96, "max_samples": 48}


def test_backbone_args_applies_the_profiles_settings_for_that_backbone(monkeypatch, tmp_path):
    monkeypatch.setenv("FCN_COURSE_DATA", str(tmp_path))
    args = config.course_args(profile="demo")
    vgg = config.backbone_args(args, "vgg16")
    assert {key: vgg[key] for key in VGG16_DEMO} == VGG16_DEMO
    assert {key: args[key] for key in VGG16_DEMO} == {
        "epoch_num": 12,
        "lr": 1e-3,
        "w_size": 160,
        "h_size": 160,
        "max_samples": None,
    }  # the caller's dict is left alone
    assert {key: vgg[key] for key in set(vgg) - set(VGG16_DEMO)} == {
        key: args[key] for key in set(args) - set(VGG16_DEMO)
    }
    assert config.backbone_args(args, "alexnet") == args  # AlexNet keeps the profile's settings


def test_vgg_args_are_the_vgg16_settings_of_notebook_03(monkeypatch, tmp_path):
    monkeypatch.setenv("FCN_COURSE_DATA", str(tmp_path))
    args = config.course_args(profile="demo")
    assert config.vgg_args(args) == config.backbone_args(args, "vgg16") != args
    assert config.vgg_args(args)["epoch_num"] == 10


@pytest.mark.parametrize("profile", ["full", "smoke"])
def test_profiles_without_per_backbone_settings_leave_args_as_they_are(monkeypatch, tmp_path, profile):
    monkeypatch.setenv("FCN_COURSE_DATA", str(tmp_path))
    args = config.course_args(profile=profile)
    assert config.vgg_args(args) == args and config.backbone_args(args, "alexnet") == args


def test_smoke_false_without_a_profile_in_the_environment_is_the_default_profile(monkeypatch):
    for name in ("FCN_COURSE_PROFILE", "FCN_COURSE_SMOKE"):
        monkeypatch.delenv(name, raising=False)
    assert config.course_args(smoke=False)["profile"] == "full"
    monkeypatch.setenv("FCN_COURSE_PROFILE", "demo")
    assert config.course_args(smoke=False)["profile"] == "demo"
    monkeypatch.setenv("FCN_COURSE_PROFILE", "smoke")
    assert config.course_args(smoke=False)["profile"] == "full"


def test_pick_device_takes_the_cpu_when_neither_cuda_nor_mps_is_available(monkeypatch):
    from fcn_course.config import pick_device

    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: False)
    assert pick_device() == torch.device("cpu")
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: True)  # an Apple machine
    assert pick_device() == torch.device("mps")

"""Course settings: the original hyper-parameters, smoke mode, folders and clear errors."""

import random
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from fcn_course import config
from fcn_course.messages import text


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
        "seed": 0,
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


def test_runs_root_is_the_runs_folder_of_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("FCN_COURSE_RUNS", str(tmp_path / "r"))
    assert config.runs_root() == tmp_path / "r"


class _Shell:
    """An IPython shell: a Jupyter kernel's has a ``kernel``, the terminal's has not."""


def test_in_jupyter_kernel_only_inside_a_kernel(monkeypatch):
    import IPython

    kernel_shell, terminal_shell = _Shell(), _Shell()
    kernel_shell.kernel = object()
    for shell, inside in ((None, False), (terminal_shell, False), (kernel_shell, True)):
        monkeypatch.setattr(IPython, "get_ipython", lambda shell=shell: shell)
        assert config.in_jupyter_kernel() is inside
    monkeypatch.setitem(sys.modules, "IPython", None)  # IPython not installed: `import IPython` fails
    assert config.in_jupyter_kernel() is False


def test_pick_device_takes_cuda_first(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: True)
    assert config.pick_device() == torch.device("cuda")


@pytest.mark.parametrize("cpus, workers", [(None, 0), (1, 0), (2, 0), (3, 2), (4, 3), (5, 4), (8, 4), (64, 4)])
def test_data_loader_workers_none_on_two_cores_then_one_core_left_free_and_at_most_four(monkeypatch, cpus, workers):
    monkeypatch.setattr(config.os, "cpu_count", lambda: cpus)
    assert config.default_num_workers() == workers


def test_a_typo_in_a_setting_lists_every_setting_that_may_be_given(monkeypatch, tmp_path):
    monkeypatch.setenv("FCN_COURSE_DATA", str(tmp_path))
    with pytest.raises(ValueError) as error:
        config.course_args(epochs=10)
    message = str(error.value)
    for name in ("'epoch_num'", "'lr'", "'seed'", "'root'", "'device'", "'augment'", "'runs_dir'"):
        assert name in message, name
    assert "'profile'" not in message and "'smoke'" not in message  # chosen by the profile=/smoke= arguments


def test_a_root_given_by_hand_is_used_as_it_is_even_in_a_synthetic_profile(monkeypatch, tmp_path):
    monkeypatch.setenv("FCN_COURSE_DATA", str(tmp_path / "data"))
    args = config.course_args(profile="smoke", root=tmp_path / "my_voc")
    assert args["root"] == tmp_path / "my_voc" and args["synthetic"] is None
    assert config.course_args(profile="smoke")["synthetic"] is not None


def test_describe_profile_says_why_the_profile_runs_or_that_it_was_chosen_by_hand(monkeypatch, tmp_path):
    monkeypatch.setenv("FCN_COURSE_DATA", str(tmp_path))
    args = config.course_args(profile="demo")
    assert args["profile_reason"] in config.describe_profile(args)
    assert text("config.reason_by_hand") not in config.describe_profile(args)
    args["profile_reason"] = ""  # settings written by hand, e.g. an older notebook's args
    assert text("config.reason_by_hand") in config.describe_profile(args)


def test_seed_everything_repeats_the_draws_of_python_numpy_and_torch_and_seeds_with_0_by_default():
    def draws():
        return random.random(), float(np.random.rand()), float(torch.rand(1))

    config.seed_everything(5)
    first = draws()
    config.seed_everything(5)
    assert draws() == first
    config.seed_everything()
    default = draws()
    config.seed_everything(0)
    assert draws() == default != first

"""Course settings: the hyper-parameter dict, the run profiles, the environment, device and seeds.

Every notebook starts with ``args = course_args()``. The keys are the ones of the original course
notebook, so its cells read the same. A **profile** decides how big a run is:

* ``full``  — the original course: Pascal VOC 2012, 224×224 crops, 50 epochs (a GPU is advised);
* ``demo``  — the synthetic VOC twin, sized so that a 2-core CPU shows an FCN *learning* in minutes;
* ``smoke`` — the synthetic twin in miniature: every cell runs in seconds (CI, nbval); it learns nothing.

The profile comes from ``course_args(profile=...)``, else from the environment (``FCN_COURSE_PROFILE``, or
``FCN_COURSE_SMOKE=1`` for ``smoke``), else ``full``. ``course_args`` is pure: it reads the environment
through :func:`read_environment` and writes nothing; ``fcn_course.data.prepare_data(args)`` makes the data
ready (generating the synthetic twin when the profile uses it).

The profile table is ``PROFILES`` (written in ``fcn_course.profiles``); the environment variables' names and
their reader are in ``fcn_course.environment``. Both are re-exported here.
"""

from __future__ import annotations

import os
import random
from pathlib import Path
from typing import Optional

import numpy as np
import torch

# The environment variables (their names and the one reader) and the profile table live in two small modules
# without PyTorch; they are re-exported here, so that ``config.PROFILES`` and ``config.read_environment`` work.
from fcn_course.environment import (  # noqa: F401  (re-exported)
    DATA_ENV,
    LANG_ENV,
    PROFILE_ENV,
    RUNS_ENV,
    SMOKE_ENV,
    STATIC_ENV,
    WEIGHTS_ENV,
    Environment,
    read_environment,
)
from fcn_course.profiles import (  # noqa: F401  (re-exported)
    DEFAULT_PROFILE,
    PROFILES,
    per_backbone_settings,
    profile_names,
)
from fcn_course.messages import text
from fcn_course.voc import DEFAULT_CLASSES

# Settings that course_args() fills in itself but that may also be given.
OPTIONAL_KEYS = {"root", "runs_dir", "device", "augment", "download", "profile", "smoke"}


# --------------------------------------------------------------------------------------------------
# Folders and the machine
# --------------------------------------------------------------------------------------------------
def data_root() -> Path:
    """Folder that holds (or will hold) ``VOCdevkit/``: ``$FCN_COURSE_DATA`` or ``~/fcn_course_data``."""
    return read_environment().data_dir


def runs_root() -> Path:
    """Folder for training runs (checkpoints, histories, figures): ``$FCN_COURSE_RUNS`` or ``./runs``."""
    return read_environment().runs_dir


def synthetic_root(profile: str) -> Path:
    """Folder of the synthetic VOC twin of ``profile`` (a path only: ``data.prepare_data`` writes it)."""
    return data_root() / f"synthetic-{profile}"


def in_jupyter_kernel() -> bool:
    """True inside a Jupyter kernel (figures and widgets can be displayed), False in scripts and tests."""
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and hasattr(shell, "kernel")


def pick_device() -> torch.device:
    """The fastest device available: CUDA GPU, Apple MPS, otherwise CPU."""
    if torch.cuda.is_available():
        return torch.device("cuda")
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")


def default_num_workers() -> int:
    """DataLoader workers: a few on a big machine, none on a 2-core one (workers would only compete)."""
    cpus = os.cpu_count() or 1
    return 0 if cpus <= 2 else min(4, cpus - 1)


# --------------------------------------------------------------------------------------------------
# The settings
# --------------------------------------------------------------------------------------------------
def _choose_profile(profile, smoke, environment: Environment) -> tuple[str, str]:
    """(profile, why): an argument wins over the environment, which wins over the default."""
    if profile is not None and smoke is not None and (profile == "smoke") != bool(smoke):
        raise ValueError(text("config.profile_and_smoke_disagree", profile=repr(profile), smoke=repr(smoke)))
    if profile is None and smoke is not None:
        asked = environment.profile if environment.profile not in (None, "smoke") else DEFAULT_PROFILE
        profile = "smoke" if smoke else asked
        return profile, f"course_args(smoke={bool(smoke)})"
    if profile is not None:
        if profile not in PROFILES:
            raise ValueError(text("config.unknown_profile", profile=repr(profile), choices=", ".join(PROFILES)))
        return profile, f"course_args(profile={profile!r})"
    if environment.profile is not None:
        return environment.profile, environment.profile_source
    return DEFAULT_PROFILE, text("config.default_profile_reason")


def course_args(profile: Optional[str] = None, smoke: Optional[bool] = None, **overrides) -> dict:
    """The course's hyper-parameters (keys as in the original notebook), shaped by a profile.

    ``course_args()`` takes the profile from the environment (default ``full``); ``course_args(profile="demo")``
    or ``course_args(smoke=True)`` choose one. Any key can be overridden: ``course_args(epoch_num=10,
    skip=False)``. Pure: reads the environment, writes nothing.
    """
    environment = read_environment()
    profile, reason = _choose_profile(profile, smoke, environment)
    chosen = PROFILES[profile]
    args = {
        "epoch_num": 50,  # number of epochs
        "classes": DEFAULT_CLASSES,
        "pretrained": True,  # start the backbone from ImageNet weights
        "skip": True,  # use skip connections
        "lr": 1e-4,  # learning rate
        "weight_decay": 5e-4,  # L2 penalty
        "momentum": 0.9,  # used as Adam's beta1
        "num_workers": default_num_workers(),
        "batch_size": 8,
        "w_size": 224,  # width of the crop fed to the network
        "h_size": 224,  # height of the crop
        "show_freq": 5,  # show predictions every show_freq epochs
        "max_samples": None,  # keep every sample of the subset
        "seed": 0,
        "cache_in_memory": "auto",  # keep decoded images in RAM when both splits fit in half the free memory
    }
    args.update(chosen["settings"])
    unknown = sorted(set(overrides) - set(args) - OPTIONAL_KEYS)
    if unknown:
        known = sorted(set(args) | OPTIONAL_KEYS - {"profile", "smoke"})
        raise ValueError(text("config.unknown_settings", unknown=unknown, known=known))
    args.update(overrides)
    args["profile"] = profile
    args["profile_reason"] = reason
    args["smoke"] = profile == "smoke"  # derived from the profile, never set on its own
    args["downloads_weights"] = chosen["downloads_weights"]
    args["synthetic"] = dict(chosen["synthetic"]) if chosen["synthetic"] else None
    args["classes"] = tuple(args["classes"])
    args["n_classes"] = len(args["classes"])
    if "root" not in args:
        args["root"] = synthetic_root(profile) if args["synthetic"] else environment.data_dir
    elif "root" in overrides:
        args["synthetic"] = None  # a root given by hand is used as it is
    args["root"] = Path(args["root"])
    # Each profile keeps its runs apart: a smoke run never collides with a demo run of the same name.
    args["runs_dir"] = Path(args.get("runs_dir") or environment.runs_dir / profile)
    if "device" not in args:
        args["device"] = pick_device()
    return args


def backbone_args(args: dict, backbone: str) -> dict:
    """``args`` with the profile's own settings for ``backbone`` (e.g. fewer images for VGG16 in the demo).

    A copy: ``args`` itself is left as it is.
    """
    return {**args, **per_backbone_settings(args["profile"]).get(backbone, {})}


def vgg_args(args: dict) -> dict:
    """The settings of notebook 04: ``args`` with the profile's reductions for VGG16 (slower per step)."""
    return backbone_args(args, "vgg16")


def describe_profile(args: dict) -> str:
    """Two lines for the top of a notebook, in the active language: which profile runs, why, and what that means."""
    profile = args["profile"]
    data = text("config.data_synthetic") if args.get("synthetic") else text("config.data_voc", root=args["root"])
    return text(
        "config.profile_line",
        profile=profile,
        reason=args.get("profile_reason") or text("config.reason_by_hand"),
        description=text(PROFILES[profile]["description"]),
        data=data,
        epochs=args["epoch_num"],
        height=args["h_size"],
        width=args["w_size"],
        batch=args["batch_size"],
        lr=args["lr"],
        pretrained=args["pretrained"],
    )


def seed_everything(seed: int = 0) -> None:
    """Seed Python, NumPy and PyTorch so that a run can be repeated."""
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    if torch.cuda.is_available():
        torch.cuda.manual_seed_all(seed)

"""Course settings: the hyper-parameter dict, smoke mode, data folders, device and seeds.

Every notebook starts with ``args = course_args()``. The keys are the ones of the original course
notebook, so its cells read the same. Smoke mode (``FCN_COURSE_SMOKE=1``) swaps real Pascal VOC and
the full settings for the synthetic dataset, small images and two epochs, so that a whole notebook
runs on a laptop CPU (and in CI) in about a minute.
"""
from __future__ import annotations

import os
import random
from pathlib import Path

import numpy as np
import torch

SMOKE_ENV = "FCN_COURSE_SMOKE"
DATA_ENV = "FCN_COURSE_DATA"
RUNS_ENV = "FCN_COURSE_RUNS"
DEFAULT_CLASSES = ("background", "bus", "person")

# Size of the synthetic dataset built for smoke runs (images are 160x120, like a small VOC photo).
SMOKE_TRAIN_IMAGES = 32
SMOKE_VAL_IMAGES = 12


# Settings that course_args() fills in itself but that may also be given.
OPTIONAL_KEYS = {"root", "runs_dir", "device", "augment", "download"}


def env_flag(name: str) -> bool:
    """True when the environment variable ``name`` is set to 1, true, yes or on."""
    return os.environ.get(name, "").strip().lower() in {"1", "true", "yes", "on"}


def smoke_mode() -> bool:
    """True when the environment asks for a quick run on synthetic data."""
    return env_flag(SMOKE_ENV)


def in_jupyter_kernel() -> bool:
    """True inside a Jupyter kernel (figures and widgets can be displayed), False in scripts and tests."""
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and hasattr(shell, "kernel")


def data_root() -> Path:
    """Folder that holds (or will hold) ``VOCdevkit/``: ``$FCN_COURSE_DATA`` or ``~/fcn_course_data``."""
    return Path(os.environ.get(DATA_ENV) or Path.home() / "fcn_course_data").expanduser()


def runs_root() -> Path:
    """Folder for training runs (checkpoints, histories, figures): ``$FCN_COURSE_RUNS`` or ``./runs``."""
    return Path(os.environ.get(RUNS_ENV) or "runs").expanduser()


def synthetic_root() -> Path:
    """Folder of the synthetic VOC twin used by smoke runs; it is written on first use."""
    from fcn_course.synthetic import make_synthetic_voc  # local import: keeps config light

    root = data_root() / "synthetic"
    if not (root / "VOCdevkit" / "VOC2012" / "ImageSets" / "Segmentation" / "val.txt").exists():
        make_synthetic_voc(root, n_train=SMOKE_TRAIN_IMAGES, n_val=SMOKE_VAL_IMAGES, seed=0)
    return root


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


def course_args(**overrides) -> dict:
    """The course's hyper-parameters (keys as in the original notebook); smoke mode shrinks them.

    Any key can be overridden: ``course_args(epoch_num=10, skip=False)``.
    """
    smoke = smoke_mode()
    args = {
        "epoch_num": 50,          # number of epochs
        "classes": DEFAULT_CLASSES,
        "pretrained": True,       # start the backbone from ImageNet weights
        "skip": True,             # use skip connections
        "lr": 1e-4,               # learning rate
        "weight_decay": 5e-4,     # L2 penalty
        "momentum": 0.9,          # used as Adam's beta1
        "num_workers": default_num_workers(),
        "batch_size": 8,
        "w_size": 224,            # width of the crop fed to the network
        "h_size": 224,            # height of the crop
        "show_freq": 5,           # show predictions every show_freq epochs
        "max_samples": None,      # keep every sample of the subset
        "seed": 0,
        "smoke": smoke,
    }
    if smoke:
        args.update(epoch_num=2, batch_size=4, w_size=96, h_size=96, show_freq=1, pretrained=False)
    unknown = sorted(set(overrides) - set(args) - OPTIONAL_KEYS)
    if unknown:
        raise ValueError(f"unknown setting(s) {unknown}; the course's settings are "
                       f"{sorted(set(args) | OPTIONAL_KEYS)} (e.g. course_args(epoch_num=10))")
    args.update(overrides)
    args["classes"] = tuple(args["classes"])
    args["n_classes"] = len(args["classes"])
    if "root" not in args:
        args["root"] = synthetic_root() if smoke else data_root()
    args["root"] = Path(args["root"])
    args["runs_dir"] = Path(args.get("runs_dir") or runs_root())
    if "device" not in args:
        args["device"] = pick_device()
    return args


def seed_everything(seed: int = 0) -> None:
    """Seed Python, NumPy and PyTorch so that a run can be repeated."""
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    if torch.cuda.is_available():
        torch.cuda.manual_seed_all(seed)

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
"""
from __future__ import annotations

import os
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

import numpy as np
import torch

from fcn_course.voc import DEFAULT_CLASSES

PROFILE_ENV = "FCN_COURSE_PROFILE"
SMOKE_ENV = "FCN_COURSE_SMOKE"
DATA_ENV = "FCN_COURSE_DATA"
RUNS_ENV = "FCN_COURSE_RUNS"
WEIGHTS_ENV = "FCN_COURSE_WEIGHTS"
STATIC_ENV = "FCN_COURSE_STATIC"

# --------------------------------------------------------------------------------------------------
# Profiles: one place says how big each kind of run is.
# --------------------------------------------------------------------------------------------------
# ``synthetic`` describes the synthetic twin a profile trains on (None: real Pascal VOC).
# ``per_backbone`` holds settings a backbone changes within the profile: VGG16 is about 21x slower per step
# than AlexNet, so the demo profile gives it fewer images and epochs (notebook 03 and the grid use them; the
# grid report says so, since it makes AlexNet-vs-VGG16 an unequal comparison).
PROFILES = {
    "full": {
        "description": "Pascal VOC 2012 com as configurações do curso original",
        "settings": {},
        "synthetic": None,
        "per_backbone": {},
        "downloads_weights": True,
    },
    "demo": {
        "description": "conjunto sintético, dimensionado para mostrar a FCN aprendendo em poucos minutos numa CPU",
        # Measured with benchmarks/bench_demo.py (solutions/RESULTS.md): AlexNet with skip ~0.72 mIoU(fg),
        # without skip ~0.42, in about 40 s of training each on 2 CPU cores.
        "settings": {"epoch_num": 12, "batch_size": 8, "w_size": 160, "h_size": 160, "show_freq": 4,
                     "pretrained": False, "lr": 1e-3},
        # 300 + 100 pictures of 200x160: 217 training and 69 validation images pass the 3-class filter.
        "synthetic": {"n_train": 300, "n_val": 100, "size": (200, 160), "seed": 1},
        # VGG16 is ~21x slower per step: smaller crops and fewer images; from scratch and without batch
        # norm it needs a smaller learning rate (at 1e-3 the first epoch's loss explodes).
        "per_backbone": {"vgg16": {"epoch_num": 10, "lr": 3e-4, "w_size": 96, "h_size": 96, "max_samples": 48}},
        "downloads_weights": False,
    },
    "smoke": {
        "description": "conjunto sintético mínimo: só confere que cada célula roda (não aprende nada)",
        "settings": {"epoch_num": 2, "batch_size": 4, "w_size": 96, "h_size": 96, "show_freq": 1,
                     "pretrained": False},
        "synthetic": {"n_train": 32, "n_val": 12, "size": (160, 120), "seed": 0},
        "per_backbone": {},
        "downloads_weights": False,
    },
}
DEFAULT_PROFILE = "full"

# Settings that course_args() fills in itself but that may also be given.
OPTIONAL_KEYS = {"root", "runs_dir", "device", "augment", "download", "profile", "smoke"}
# ``downloads_weights``: whether a pretrained run may download ImageNet weights (hundreds of MB). The demo and
# smoke profiles use a local copy when there is one and otherwise report pretrained runs as skipped.


# --------------------------------------------------------------------------------------------------
# The environment: read in one place
# --------------------------------------------------------------------------------------------------
def _flag(value: Optional[str]) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class Environment:
    """Everything the course reads from environment variables (see README, "Environment variables")."""

    profile: Optional[str]      # FCN_COURSE_PROFILE, or "smoke" when FCN_COURSE_SMOKE=1; None when unset
    profile_source: str         # which variable chose it, for the message printed at the top of notebooks
    data_dir: Path              # FCN_COURSE_DATA, default ~/fcn_course_data: holds VOCdevkit/
    runs_dir: Path              # FCN_COURSE_RUNS, default ./runs
    weights: Optional[Path]     # FCN_COURSE_WEIGHTS: a folder (or file) with ImageNet weight files
    static_widgets: bool        # FCN_COURSE_STATIC=1: widgets drawn as static figures


def read_environment(environ=None) -> Environment:
    """Read the course's environment variables (``environ`` defaults to ``os.environ``).

    Raises a ValueError naming the valid profiles when ``FCN_COURSE_PROFILE`` holds something else.
    """
    environ = os.environ if environ is None else environ
    profile, source = None, "padrão"
    if environ.get(PROFILE_ENV, "").strip():
        profile, source = environ[PROFILE_ENV].strip().lower(), f"{PROFILE_ENV}={environ[PROFILE_ENV].strip()}"
        if profile not in PROFILES:
            raise ValueError(f"{PROFILE_ENV}={environ[PROFILE_ENV]!r} is not a profile; choose one of "
                             f"{', '.join(PROFILES)}.")
    elif _flag(environ.get(SMOKE_ENV)):
        profile, source = "smoke", f"{SMOKE_ENV}=1"
    weights = environ.get(WEIGHTS_ENV, "").strip()
    return Environment(
        profile=profile,
        profile_source=source,
        data_dir=Path(environ.get(DATA_ENV) or Path.home() / "fcn_course_data").expanduser(),
        runs_dir=Path(environ.get(RUNS_ENV) or "runs").expanduser(),
        weights=Path(weights).expanduser() if weights else None,
        static_widgets=_flag(environ.get(STATIC_ENV)),
    )


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
        raise ValueError(f"course_args got profile={profile!r} and smoke={smoke!r}, which disagree; give one.")
    if profile is None and smoke is not None:
        profile = "smoke" if smoke else (environment.profile if environment.profile != "smoke" else DEFAULT_PROFILE)
        return profile, f"course_args(smoke={bool(smoke)})"
    if profile is not None:
        if profile not in PROFILES:
            raise ValueError(f"unknown profile {profile!r}; choose one of {', '.join(PROFILES)}.")
        return profile, f"course_args(profile={profile!r})"
    if environment.profile is not None:
        return environment.profile, environment.profile_source
    return DEFAULT_PROFILE, "padrão (nenhuma variável de ambiente escolheu outro perfil)"


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
        "cache_in_memory": "auto",  # keep decoded images in RAM when both splits fit in half the free memory
    }
    args.update(chosen["settings"])
    unknown = sorted(set(overrides) - set(args) - OPTIONAL_KEYS)
    if unknown:
        raise ValueError(f"unknown setting(s) {unknown}; the course's settings are "
                         f"{sorted(set(args) | OPTIONAL_KEYS - {'profile', 'smoke'})} (e.g. course_args(epoch_num=10))")
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
    """``args`` with the profile's own settings for ``backbone`` (e.g. fewer images for VGG16 in the demo)."""
    return {**args, **PROFILES[args["profile"]]["per_backbone"].get(backbone, {})}


def vgg_args(args: dict) -> dict:
    """The settings of notebook 03: ``args`` with the profile's reductions for VGG16 (slower per step)."""
    return backbone_args(args, "vgg16")


def describe_profile(args: dict) -> str:
    """One Portuguese line for the top of a notebook: which profile runs, why, and what that means."""
    profile = args["profile"]
    data = ("conjunto sintético (imitação do VOC gerada pelo curso)" if args.get("synthetic")
            else f"Pascal VOC 2012 em {args['root']}")
    return (f"Perfil '{profile}' ({args.get('profile_reason', 'escolhido à mão')}): {PROFILES[profile]['description']}.\n"
            f"  dados: {data}; {args['epoch_num']} épocas, recortes {args['h_size']}x{args['w_size']}, "
            f"lote {args['batch_size']}, lr {args['lr']:g}, pretrained={args['pretrained']}.")


def seed_everything(seed: int = 0) -> None:
    """Seed Python, NumPy and PyTorch so that a run can be repeated."""
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    if torch.cuda.is_available():
        torch.cuda.manual_seed_all(seed)

"""The run profiles: one table says how big each kind of run is (``full``, ``demo``, ``smoke``).

``fcn_course.config`` turns a profile into the course's settings (``course_args``) and re-exports this table
as ``config.PROFILES``; every command-line ``--profile`` option takes its choices from it
(:func:`profile_names`). This module imports neither PyTorch nor the rest of the course, so that tools which
only need the profiles' names (the instructor's commands, the environment reader) start fast.

Each profile has:

* ``description``: one Portuguese line, printed at the top of every notebook;
* ``settings``: what the profile changes in the course's hyper-parameters (``{}``: the original course);
* ``synthetic``: the synthetic VOC twin the profile trains on (None: real Pascal VOC);
* ``per_backbone``: settings a backbone changes within the profile (:func:`per_backbone_settings`). VGG16 is
  about 21x slower per step than AlexNet, so the demo profile gives it fewer images and epochs (notebook 04 and
  the grid use them; the grid report says so, since it makes AlexNet-vs-VGG16 an unequal comparison);
* ``downloads_weights``: whether a pretrained run may download ImageNet weights (hundreds of MB). The demo and
  smoke profiles use a local copy when there is one and otherwise report pretrained runs as skipped;
* ``grid_limits``: the most the comparison grid may use in this profile (``{}``: no limit). The smoke grid is
  shrunk to them so that its 8 runs take a minute or two on a CPU.
"""

from __future__ import annotations

from typing import Optional

PROFILES = {
    "full": {
        "description": "profiles.full",  # a catalogue key (fcn_course.messages)
        "settings": {},
        "synthetic": None,
        "per_backbone": {},
        "downloads_weights": True,
        "grid_limits": {},
    },
    "demo": {
        "description": "profiles.demo",
        # Measured with benchmarks/bench_demo.py (solutions/RESULTS.md): AlexNet with skip ~0.72 mIoU(fg),
        # without skip ~0.42, in about 40 s of training each on 2 CPU cores.
        "settings": {
            "epoch_num": 12,
            "batch_size": 8,
            "w_size": 160,
            "h_size": 160,
            "show_freq": 4,
            "pretrained": False,
            "lr": 1e-3,
        },
        # 300 + 100 pictures of 200x160: 217 training and 69 validation images pass the 3-class filter.
        "synthetic": {"n_train": 300, "n_val": 100, "size": (200, 160), "seed": 1},
        # VGG16 is ~21x slower per step: smaller crops and fewer images; from scratch and without batch
        # norm it needs a smaller learning rate (at 1e-3 the first epoch's loss explodes).
        "per_backbone": {"vgg16": {"epoch_num": 10, "lr": 3e-4, "w_size": 96, "h_size": 96, "max_samples": 48}},
        "downloads_weights": False,
        "grid_limits": {},
    },
    "smoke": {
        "description": "profiles.smoke",
        "settings": {"epoch_num": 2, "batch_size": 4, "w_size": 96, "h_size": 96, "show_freq": 1, "pretrained": False},
        "synthetic": {"n_train": 32, "n_val": 12, "size": (160, 120), "seed": 0},
        "per_backbone": {},
        "downloads_weights": False,
        "grid_limits": {"epoch_num": 2, "h_size": 64, "w_size": 64, "max_samples": 12, "batch_size": 4},
    },
}
DEFAULT_PROFILE = "full"


def profile_names() -> tuple:
    """The profiles' names, in the table's order: the choices of every ``--profile`` option."""
    return tuple(PROFILES)


def per_backbone_settings(profile: Optional[str]) -> dict:
    """``{backbone: settings}`` that ``profile`` gives some backbones of their own (a copy).

    Empty when the profile changes nothing per backbone, and for a name that is not a profile (e.g. a grid
    recorded before profiles existed), so that a report of an old grid can still be written.
    """
    own = PROFILES.get(profile, {}).get("per_backbone", {})
    return {backbone: dict(settings) for backbone, settings in own.items()}

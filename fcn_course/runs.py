"""The run folder: what a training run leaves on disk, written and read in one place.

A run folder holds::

    run.json        what defines the run: backbone, skip, pretrained, classes and the training settings
    history.json    per-epoch train/val results (engine.History)
    last.pt         everything needed to resume (weights, optimiser, RNG states, history)
    best.pt         the weights of the epoch with the best validation mIoU(fg)
    outcome.json    how the run ended, for the grid: done / diverged, epochs, parameter count
    pred_epoch_XXX.png, curves.png   figures

and a grid folder holds ``grid.json`` (the grid's settings and its runs) next to one run folder per
configuration.

This module is the one owner of those files: their names, what goes into them, and reading them back. The
engine, the train script and the grid write through it; ``predict``, the grid report and the course summary
read the backbone and the class names from ``run.json`` and never guess. One list says which settings
define a run (``DEFINING_SETTINGS``) and one function compares them (``settings_diff``): resuming a run with
other settings than those in ``run.json``, or a grid with other settings than those in ``grid.json``, is
refused with a readable diff, so one folder never mixes two experiments.

Why this module is long: it is the one owner of the run folder (names, run.json, checkpoints, history, the
grid index and the one settings diff), so that no other module writes into a run; the formatter added the rest.
"""

from __future__ import annotations

import math
import os
import tempfile
import zipfile
from pathlib import Path
from typing import Optional

import torch

from fcn_course.files import atomic_write_file, json_safe, read_json, remove_orphan_temporaries, write_json
from fcn_course.messages import text

RUN_FILE = "run.json"
HISTORY_FILE = "history.json"
LAST_CHECKPOINT = "last.pt"
BEST_CHECKPOINT = "best.pt"
OUTCOME_FILE = "outcome.json"
GRID_FILE = "grid.json"  # in a grid folder: the shared settings and the list of its runs
CURVES_FIGURE = "curves.png"
PREDICTION_FIGURE = "pred_epoch_{epoch:03d}.png"  # the predictions on the first validation batch of an epoch
RUN_FORMAT = 1

# The settings that define a run: resuming with another value of any of them is refused.
# (``epoch_num`` is not among them: a finished run may be continued for more epochs.)
DEFINING_SETTINGS = (
    "backbone",
    "skip",
    "pretrained",
    "classes",
    "h_size",
    "w_size",
    "batch_size",
    "lr",
    "weight_decay",
    "momentum",
    "max_samples",
    "seed",
    "augment",
    "synthetic",
)
# The defining settings that name a configuration of the grid (see ``run_name``): the runs of one grid differ
# in these and share every other defining setting.
CONFIGURATION_SETTINGS = ("backbone", "skip", "pretrained")
# Files of older versions of the course that described a run.
LEGACY_FILES = ("config.json", "args.json", "summary.json")


class RunMismatchError(ValueError):
    """A run folder was asked to continue with settings other than the ones it was started with."""


class RunFormatError(ValueError):
    """A ``run.json`` of a format this version of the course does not read (written by a newer version)."""


def read_run_file(run_dir) -> dict:
    """``run_dir/run.json``; a ``format`` other than ``RUN_FORMAT`` (none: the current one) raises RunFormatError."""
    path = Path(run_dir) / RUN_FILE
    config = read_json(path, "run_description")
    found = config.get("format", RUN_FORMAT) if isinstance(config, dict) else None
    if found != RUN_FORMAT:
        raise RunFormatError(text("runs.unknown_format", path=path, found=found, known=RUN_FORMAT))
    return config


def run_name(backbone: str, skip, pretrained: bool) -> str:
    """Folder name of a configuration, e.g. ``alexnet-skip-scratch`` (``alexnet-skip16s-scratch`` for 16s)."""
    skip_part = "noskip" if not skip else ("skip16s" if skip == "16s" else "skip")
    return f"{backbone}-{skip_part}-{'pretrained' if pretrained else 'scratch'}"


def normalise_skip(skip):
    """``True`` and ``"8s"`` are the same network: store both as ``"8s"``."""
    return "8s" if skip is True else skip


def defining_settings(args: dict) -> dict:
    """The ``DEFINING_SETTINGS`` of ``args``, each in the one form it is stored and compared in.

    ``skip=True`` is stored as ``"8s"``, ``pretrained`` and ``augment`` as booleans, and everything as JSON
    stores it (tuples as lists, paths as text): ``classes=("background", "bus")`` read back from ``run.json``
    is the same setting as the tuple it was written from.
    """
    settings = {key: args.get(key) for key in DEFINING_SETTINGS}
    settings["skip"] = normalise_skip(settings["skip"])
    settings["pretrained"] = bool(settings["pretrained"])
    settings["augment"] = bool(settings["augment"])
    return json_safe(settings)


def run_config(args: dict) -> dict:
    """The ``run.json`` content for ``args`` (a ``course_args()`` dict holding ``backbone`` too)."""
    if not args.get("backbone"):
        raise ValueError(text("runs.no_backbone"))
    config = defining_settings(args)
    config.update(
        format=RUN_FORMAT,
        n_classes=len(config["classes"]),
        epoch_num=args.get("epoch_num"),
        profile=args.get("profile"),
    )
    return config


def settings_diff(before: dict, now: dict, leave_out=()) -> list:
    """``["lr: 0.0001 -> 0.05", ...]``: the defining settings that differ between two runs' settings.

    Both sides are compared in their stored form (``defining_settings``), so a ``run.json`` or ``grid.json``
    read back compares equal to the ``args`` it was written from. ``leave_out``: settings not to compare (the
    grid leaves out ``CONFIGURATION_SETTINGS``, in which its runs differ by design).
    """
    before, now = defining_settings(before), defining_settings(now)
    return [
        f"{key}: {before[key]!r} -> {now[key]!r}"
        for key in DEFINING_SETTINGS
        if key not in leave_out and before[key] != now[key]
    ]


def check_writable(run_dir) -> None:
    """Fail now, not after an epoch of training, when ``run_dir`` cannot be written."""
    run_dir = Path(run_dir)
    try:
        run_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=run_dir, prefix=".write-test-"):
            pass
    except OSError as error:
        raise PermissionError(text("runs.not_writable", run_dir=run_dir, error=error.strerror or error)) from error


def check_checkpoint_complete(path) -> None:
    """Raise ValueError naming ``path`` when it is a truncated checkpoint (a kill during a save, a broken copy).

    ``torch.save`` writes a zip archive whose directory is at the end: a file that starts like one but has
    no directory was cut short. Only the end of the file is read, so this costs nothing even for VGG16.
    """
    path = Path(path)
    with open(path, "rb") as file:
        starts_like_a_zip = file.read(2) == b"PK"
    if starts_like_a_zip and not zipfile.is_zipfile(path):
        best = path.with_name(BEST_CHECKPOINT)
        kept = text("runs.best_is_separate", best=best.name) if best != path else ""
        raise ValueError(text("runs.truncated_checkpoint", path=path, kept=kept, folder=path.parent))


def start_run(run_dir, args: dict) -> dict:
    """Prepare ``run_dir`` for training ``args``: check it, record ``run.json``, return the config.

    A folder that already describes a run with other defining settings raises RunMismatchError with the
    diff and is left untouched; so is a folder whose ``last.pt`` is truncated (ValueError; see
    ``check_checkpoint_complete``). Temporary files of killed writes are cleaned.
    """
    run_dir = Path(run_dir)
    config = run_config(args)
    check_writable(run_dir)
    for name in (RUN_FILE, HISTORY_FILE, LAST_CHECKPOINT, BEST_CHECKPOINT, OUTCOME_FILE):
        remove_orphan_temporaries(run_dir / name)
    if (run_dir / LAST_CHECKPOINT).is_file():
        check_checkpoint_complete(run_dir / LAST_CHECKPOINT)
    if (run_dir / RUN_FILE).is_file():
        before = read_run_file(run_dir)
        changed = settings_diff(before, config)
        if changed:
            raise RunMismatchError(text("runs.other_settings", run_dir=run_dir, changes="\n  ".join(changed)))
        if before.get("epoch_num") == config["epoch_num"]:
            return before
    elif (run_dir / LAST_CHECKPOINT).is_file():
        raise RunMismatchError(text("runs.checkpoint_without_run_file", run_dir=run_dir, run_file=RUN_FILE))
    write_json(run_dir / RUN_FILE, config)
    return config


def discard_unstarted_run(run_dir) -> bool:
    """Take back the ``run.json`` of a start that failed before any epoch was recorded (so that the corrected
    retry is not refused as "other settings"); True when done. The folder goes only when nothing else is in it."""
    run_dir = Path(run_dir)
    recorded = any((run_dir / name).exists() for name in (HISTORY_FILE, LAST_CHECKPOINT, BEST_CHECKPOINT))
    if recorded or not (run_dir / RUN_FILE).is_file():
        return False
    (run_dir / RUN_FILE).unlink()
    if not any(run_dir.iterdir()):
        run_dir.rmdir()
    return True


def read_run_config(run_dir) -> dict:
    """What defines the run in ``run_dir`` (``backbone``, ``skip``, ``classes``, ...), from ``run.json``.

    Folders of earlier course versions are read from their ``config.json``/``args.json``/``summary.json``.
    When nothing says which network the folder holds, a FileNotFoundError says how to redo or describe it.
    """
    run_dir = Path(run_dir)
    if (run_dir / RUN_FILE).is_file():
        return read_run_file(run_dir)
    legacy = {}
    for name in LEGACY_FILES:
        path = run_dir / name
        if path.is_file():
            legacy.update({key: value for key, value in read_json(path).items() if value is not None})
    if legacy.get("backbone") and legacy.get("classes"):
        legacy["skip"] = normalise_skip(legacy.get("skip", False))
        legacy.setdefault("n_classes", len(legacy["classes"]))
        return legacy
    raise FileNotFoundError(text("runs.no_run_file", run_dir=run_dir, run_file=RUN_FILE))


def write_run_config(run_dir, args: dict) -> Path:
    """Write ``run.json`` for ``args`` without any check (to describe a folder made by hand)."""
    return write_json(Path(run_dir) / RUN_FILE, run_config(args))


def write_outcome(run_dir, status: str, epochs: int, parameters: int, reason: str = "") -> Path:
    """Record how the run ended: ``status`` is ``done`` or ``diverged`` (``reason`` then says why)."""
    return write_json(
        Path(run_dir) / OUTCOME_FILE, {"status": status, "reason": reason, "epochs": epochs, "parameters": parameters}
    )


def read_outcome(run_dir) -> Optional[dict]:
    """The recorded outcome of the run (also from an older ``summary.json``), or None."""
    for name in (OUTCOME_FILE, "summary.json"):
        path = Path(run_dir) / name
        if path.is_file():
            try:
                return read_json(path, "run_outcome")
            except ValueError:
                return None  # a damaged outcome: the run is treated as unfinished and resumed
    return None


# --------------------------------------------------------------------------------------------------
# File names
# --------------------------------------------------------------------------------------------------
def history_path(run_dir) -> Path:
    """``run_dir/history.json``."""
    return Path(run_dir) / HISTORY_FILE


def checkpoint_path(run_dir, which: str = "best") -> Path:
    """``run_dir/best.pt`` or ``run_dir/last.pt``."""
    if which not in ("best", "last"):
        raise ValueError(text("runs.bad_checkpoint_choice", which=which))
    return Path(run_dir) / (BEST_CHECKPOINT if which == "best" else LAST_CHECKPOINT)


def prediction_figure_path(run_dir, epoch: int) -> Path:
    """``run_dir/pred_epoch_007.png``: the figure of the predictions after ``epoch``."""
    return Path(run_dir) / PREDICTION_FIGURE.format(epoch=epoch)


def curves_path(run_dir) -> Path:
    """``run_dir/curves.png``: the learning curves of the run."""
    return Path(run_dir) / CURVES_FIGURE


# --------------------------------------------------------------------------------------------------
# The history of a run
# --------------------------------------------------------------------------------------------------
class History:
    """The per-epoch results of a run: ``history.train`` and ``history.val`` are lists of dicts.

    ``history["val"]`` works too, so it reads like the plain dict ``{"train": [...], "val": [...]}``
    that is written to ``history.json``. (Also known as ``fcn_course.engine.History``.)
    """

    def __init__(self, train=None, val=None):
        self.train = list(train or [])
        self.val = list(val or [])

    def __getitem__(self, phase):
        if phase not in ("train", "val"):
            raise ValueError(text("runs.bad_phase", phase=phase))
        return self.train if phase == "train" else self.val

    def __len__(self):
        return len(self.val)

    def __repr__(self):
        return f"History({len(self.train)} train epochs, {len(self.val)} val epochs)"

    def append(self, train_stats, val_stats):
        """Record one epoch."""
        self.train.append(train_stats)
        self.val.append(val_stats)

    def values(self, phase, key):
        """One metric over the epochs, e.g. ``history.values("val", "miou_fg")``."""
        return [entry[key] for entry in self[phase]]

    def best_epoch(self, key="miou_fg"):
        """Epoch with the highest validation ``key`` (NaN counts as worst); None when empty."""
        if not self.val:
            return None
        best = max(self.val, key=lambda entry: _as_score(entry.get(key)))
        return best["epoch"]

    def best_entry(self, key="miou_fg"):
        """Validation results (a dict) of the best epoch by ``key``; None when empty."""
        epoch = self.best_epoch(key)
        if epoch is None:
            return None
        return next(entry for entry in self.val if entry["epoch"] == epoch)

    def best_miou(self, key="miou_fg"):
        """Highest validation ``key`` reached so far; None when empty."""
        entry = self.best_entry(key)
        return None if entry is None else entry[key]

    def to_dict(self) -> dict:
        return {"train": self.train, "val": self.val}

    @classmethod
    def from_dict(cls, data) -> "History":
        return cls(data.get("train"), data.get("val"))

    def save(self, path) -> Path:
        """Write the history as JSON (NaN written as null), atomically."""
        return write_json(path, self.to_dict())

    @classmethod
    def load(cls, path) -> "History":
        """Read a ``history.json`` (null values come back as None)."""
        return cls.from_dict(read_json(path, "training_history"))


def _as_score(value):
    """A number to compare epochs; missing or NaN values lose."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return -math.inf
    return value


def save_history(run_dir, history: History) -> Path:
    """Write ``run_dir/history.json``."""
    return history.save(history_path(run_dir))


def read_history(run_dir) -> Optional[History]:
    """The history of the run in ``run_dir``; None when it has none yet (never trained an epoch)."""
    path = history_path(run_dir)
    return History.load(path) if path.is_file() else None


# --------------------------------------------------------------------------------------------------
# Checkpoints
# --------------------------------------------------------------------------------------------------
def save_checkpoint(state: dict, path) -> Path:
    """``torch.save(state, path)`` done atomically; a full disk raises ``files.DiskFullError`` naming ``path``."""
    return atomic_write_file(Path(path), lambda file: torch.save(state, file))


def read_checkpoint(path, map_location="cpu") -> dict:
    """The dict saved in the checkpoint at ``path`` (``epoch``, ``model``, ``history``... as ``save_epoch`` wrote).

    Read as data only (``weights_only=True``): a file that would run code when loaded is refused. A bare
    ``state_dict`` saved with ``torch.save(net.state_dict(), path)`` comes back as ``{"model": state_dict}``.
    Missing, damaged and foreign files raise errors that say what to do.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(text("runs.checkpoint_not_found", path=path))
    try:
        checkpoint = torch.load(path, map_location=map_location, weights_only=True)
    except Exception as error:  # truncated by a kill during the save, damaged by a copy, not a checkpoint...
        raise ValueError(
            text("runs.unreadable_checkpoint", path=path, error=f"{type(error).__name__}: {str(error)[:120]}")
        ) from error
    if not isinstance(checkpoint, dict):
        raise ValueError(text("runs.not_a_dict_of_weights", path=path))
    if "model" not in checkpoint:  # a bare state_dict saved with torch.save(net.state_dict(), path)
        checkpoint = {"model": checkpoint}
    return checkpoint


def load_checkpoint(path, net, optimizer=None, scaler=None, map_location="cpu") -> dict:
    """Load the weights saved in ``path`` into ``net`` (and optimiser/scaler state when given).

    Returns the whole checkpoint dict (``epoch``, ``history``, ``metrics``... as saved by ``save_epoch``).
    """
    checkpoint = read_checkpoint(path, map_location)
    net.load_state_dict(checkpoint["model"])
    if optimizer is not None:
        if checkpoint.get("optimizer") is None:
            raise KeyError(text("runs.no_optimizer_state", path=path, best=BEST_CHECKPOINT, last=LAST_CHECKPOINT))
        optimizer.load_state_dict(checkpoint["optimizer"])
    if scaler is not None and checkpoint.get("scaler") is not None:
        scaler.load_state_dict(checkpoint["scaler"])
    return checkpoint


def save_epoch(run_dir, epoch: int, history: History, model_state: dict, args: dict, resume_state: dict) -> None:
    """Record a finished epoch: best.pt (when this epoch is the best so far), then last.pt, then history.json.

    In that order, an interruption between two writes never leaves a last.pt that is newer than
    best.pt: resuming from last.pt can then not skip the saving of a best epoch. ``resume_state`` is what
    last.pt holds besides the weights to continue exactly (``optimizer``, ``scaler`` and ``rng`` states);
    both checkpoints store the run's ``args`` without the device.
    """
    stored_args = json_safe({key: value for key, value in args.items() if key != "device"})
    if history.best_epoch() == epoch:
        save_checkpoint(
            {
                "epoch": epoch,
                "model": model_state,
                "metrics": json_safe(history.val[-1]),
                "args": stored_args,
            },
            checkpoint_path(run_dir, "best"),
        )
    save_checkpoint(
        {"epoch": epoch, "model": model_state, **resume_state, "history": history.to_dict(), "args": stored_args},
        checkpoint_path(run_dir, "last"),
    )
    save_history(run_dir, history)


# --------------------------------------------------------------------------------------------------
# The grid index (grid.json)
# --------------------------------------------------------------------------------------------------
def relative_run_folder(grid_dir, run_dir) -> Optional[str]:
    """How a grid index records a run's folder: relative to the grid folder (so both can move together)."""
    if run_dir is None:
        return None
    return os.path.relpath(Path(run_dir).resolve(), Path(grid_dir).resolve())


def grid_entry_folder(grid_dir, entry: dict) -> Path:
    """The folder of one run listed in a grid index (its own sub-folder, or a run adopted from elsewhere)."""
    recorded = entry.get("run_dir")
    return Path(grid_dir) / (recorded if recorded else entry["name"])


def read_grid_index(grid_dir) -> dict:
    """``{"args": the grid's settings, "runs": [one dict per run]}`` from ``grid_dir/grid.json``."""
    path = Path(grid_dir) / GRID_FILE
    if not path.is_file():
        raise FileNotFoundError(text("runs.no_grid_index", grid_dir=grid_dir, grid_file=GRID_FILE))
    return read_json(path, "grid_index")


def write_grid_index(grid_dir, args: dict, entries) -> Path:
    """Write ``grid_dir/grid.json``: the grid's settings (``args`` without the device) and its runs.

    ``entries``: one dict per run of this call, with its ``name`` and ``run_dir`` (stored relative to the grid
    folder). Runs of earlier calls with other names are kept, so one folder can be filled in several calls.
    """
    grid_dir = Path(grid_dir)
    current = [{**entry, "run_dir": relative_run_folder(grid_dir, entry.get("run_dir"))} for entry in entries]
    names = {entry["name"] for entry in current}
    earlier = read_grid_index(grid_dir).get("runs", []) if (grid_dir / GRID_FILE).is_file() else []
    kept = [entry for entry in earlier if entry["name"] not in names]
    settings = {key: value for key, value in args.items() if key != "device"}
    return write_json(grid_dir / GRID_FILE, {"args": settings, "runs": kept + current})


def check_grid_settings(grid_dir, args: dict) -> None:
    """Refuse to mix runs trained with different settings in one grid folder (nothing is changed).

    The same comparison as resuming a run (``settings_diff``), leaving out the settings that name a
    configuration (the runs of a grid differ in those by design).
    """
    if not (Path(grid_dir) / GRID_FILE).is_file():
        return
    changed = settings_diff(read_grid_index(grid_dir)["args"], args, leave_out=CONFIGURATION_SETTINGS)
    if changed:
        raise RunMismatchError(text("runs.grid_other_settings", grid_dir=grid_dir, changes="; ".join(changed)))


def grid_run_folders(grid_dir) -> dict:
    """``{run name: folder}`` of the trained runs of a grid folder (those with a best.pt), sorted by name.

    Read from the grid index when there is one (it lists runs adopted from notebooks 02/04 too), else from
    the sub-folders that hold a best.pt.
    """
    grid_dir = Path(grid_dir)
    if (grid_dir / GRID_FILE).is_file():
        entries = read_grid_index(grid_dir)["runs"]
        folders = {entry["name"]: grid_entry_folder(grid_dir, entry) for entry in entries}
    else:
        folders = {path.parent.name: path.parent for path in grid_dir.glob(f"*/{BEST_CHECKPOINT}")}
    return {name: folders[name] for name in sorted(folders) if (folders[name] / BEST_CHECKPOINT).is_file()}


def run_folders(parent) -> list:
    """Every run folder under ``parent`` (folders holding a history), sorted by path."""
    return sorted(path.parent for path in Path(parent).rglob(HISTORY_FILE))

"""The run folder: what a training run leaves on disk, written and read in one place.

A run folder holds::

    run.json        what defines the run: backbone, skip, pretrained, classes and the training settings
    history.json    per-epoch train/val results (engine.History)
    last.pt         everything needed to resume (weights, optimiser, RNG states, history)
    best.pt         the weights of the epoch with the best validation mIoU(fg)
    outcome.json    how the run ended, for the grid: done / diverged, epochs, parameter count
    pred_epoch_XXX.png, curves.png   figures

The engine, the train script and the grid all write it through this module; ``predict``, the grid report
and the course summary read the backbone and the class names from ``run.json`` and never guess. Resuming a
run with settings other than those in ``run.json`` is refused with a readable diff, so one folder never
mixes two experiments.
"""
from __future__ import annotations

import json
import os
import tempfile
import zipfile
from pathlib import Path
from typing import Optional

from fcn_course.files import json_safe, read_json, remove_orphan_temporaries, write_json
from fcn_course.messages import text

RUN_FILE = "run.json"
HISTORY_FILE = "history.json"
LAST_CHECKPOINT = "last.pt"
BEST_CHECKPOINT = "best.pt"
OUTCOME_FILE = "outcome.json"
GRID_FILE = "grid.json"  # in a grid folder: the shared settings and the list of its runs
RUN_FORMAT = 1

# The settings that define a run: resuming with another value of any of them is refused.
# (``epoch_num`` is not among them: a finished run may be continued for more epochs.)
DEFINING_SETTINGS = ("backbone", "skip", "pretrained", "classes", "h_size", "w_size", "batch_size", "lr",
                     "weight_decay", "momentum", "max_samples", "seed", "augment", "synthetic")
# Files of older versions of the course that described a run.
LEGACY_FILES = ("config.json", "args.json", "summary.json")


class RunMismatchError(ValueError):
    """A run folder was asked to continue with settings other than the ones it was started with."""


class RunFormatError(ValueError):
    """A ``run.json`` of a format this version of the course does not read (written by a newer version)."""


def read_run_file(run_dir) -> dict:
    """``run_dir/run.json``, checked at the door: a format other than ``RUN_FORMAT`` raises RunFormatError.

    Files without a ``format`` (none has been written so far) count as the current format.
    """
    path = Path(run_dir) / RUN_FILE
    config = read_json(path, "run description")
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


def run_config(args: dict) -> dict:
    """The ``run.json`` content for ``args`` (a ``course_args()`` dict holding ``backbone`` too)."""
    if not args.get("backbone"):
        raise ValueError("the run's settings do not say which backbone it uses: add args['backbone'] "
                         "(e.g. 'alexnet').")
    settings = {key: args.get(key) for key in DEFINING_SETTINGS}
    settings["skip"] = normalise_skip(settings["skip"])
    settings["pretrained"] = bool(settings["pretrained"])
    settings["augment"] = bool(settings["augment"])
    config = json_safe(settings)
    config.update(format=RUN_FORMAT, n_classes=len(config["classes"]), epoch_num=args.get("epoch_num"),
                  profile=args.get("profile"))
    return config


def settings_diff(before: dict, now: dict) -> list:
    """``["lr: 0.0001 -> 0.05", ...]``: the defining settings that differ."""
    return [f"{key}: {before.get(key)!r} -> {now.get(key)!r}" for key in DEFINING_SETTINGS
            if before.get(key) != now.get(key)]


def check_writable(run_dir) -> None:
    """Fail now, not after an epoch of training, when ``run_dir`` cannot be written."""
    run_dir = Path(run_dir)
    try:
        run_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=run_dir, prefix=".write-test-"):
            pass
    except OSError as error:
        raise PermissionError(f"cannot write in the run folder {run_dir} ({error.strerror or error}); "
                              "choose another folder (run_dir=..., or FCN_COURSE_RUNS).") from error


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
        kept = f" {best.name} is a separate file: predict can still use it if it is intact." if best != path else ""
        raise ValueError(f"the checkpoint {path} is truncated (a kill during a save, or a broken copy), so this run "
                         f"cannot continue from it. Nothing was changed.{kept} To train this run again from its "
                         f"start, delete {path} (or the whole folder {path.parent}).")


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
            raise RunMismatchError(
                f"{run_dir} holds a run started with other settings:\n  " + "\n  ".join(changed)
                + "\nNothing was changed. Use another run folder for the new settings, or the old settings "
                  "to continue this run.")
        if before.get("epoch_num") == config["epoch_num"]:
            return before
    elif (run_dir / LAST_CHECKPOINT).is_file():
        raise RunMismatchError(f"{run_dir} holds a checkpoint but no {RUN_FILE} (a run of an older version of "
                               "the course): its settings cannot be compared with these. Start a new run folder.")
    write_json(run_dir / RUN_FILE, config)
    return config


def discard_unstarted_run(run_dir) -> bool:
    """Take back the ``run.json`` of a start that failed before any epoch was recorded; True when done.

    A run folder whose first attempt failed (a bad setting, a model that does not run) would otherwise refuse
    the corrected retry as "started with other settings". Nothing is removed once an epoch was recorded
    (``history.json`` or a checkpoint), and the folder itself goes only when nothing else is in it.
    """
    run_dir = Path(run_dir)
    trained = [name for name in (HISTORY_FILE, LAST_CHECKPOINT, BEST_CHECKPOINT) if (run_dir / name).exists()]
    if trained or not (run_dir / RUN_FILE).is_file():
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
    raise FileNotFoundError(
        f"{run_dir} has no {RUN_FILE} saying which network it holds (backbone, skip, classes). Train it again "
        "with this version of the course, or describe it: fcn_course.runs.write_run_config(run_dir, "
        "{'backbone': 'alexnet', 'skip': True, 'pretrained': False, 'classes': ('background', 'bus', 'person'), "
        "...course_args()}).")


def write_run_config(run_dir, args: dict) -> Path:
    """Write ``run.json`` for ``args`` without any check (to describe a folder made by hand)."""
    return write_json(Path(run_dir) / RUN_FILE, run_config(args))


def write_outcome(run_dir, status: str, epochs: int, parameters: int, reason: str = "") -> Path:
    """Record how the run ended: ``status`` is ``done`` or ``diverged`` (``reason`` then says why)."""
    return write_json(Path(run_dir) / OUTCOME_FILE, {"status": status, "reason": reason, "epochs": epochs,
                                                     "parameters": parameters})


def read_outcome(run_dir) -> Optional[dict]:
    """The recorded outcome of the run (also from an older ``summary.json``), or None."""
    for name in (OUTCOME_FILE, "summary.json"):
        path = Path(run_dir) / name
        if path.is_file():
            try:
                return read_json(path, "run outcome")
            except ValueError:
                return None  # a damaged outcome: the run is treated as unfinished and resumed
    return None


def history_path(run_dir) -> Path:
    return Path(run_dir) / HISTORY_FILE


def checkpoint_path(run_dir, which: str = "best") -> Path:
    """``run_dir/best.pt`` or ``run_dir/last.pt``."""
    if which not in ("best", "last"):
        raise ValueError(f"which must be 'best' or 'last', not {which!r}")
    return Path(run_dir) / (BEST_CHECKPOINT if which == "best" else LAST_CHECKPOINT)


def relative_run_folder(grid_dir, run_dir) -> Optional[str]:
    """How a grid index records a run's folder: relative to the grid folder (so both can move together)."""
    if run_dir is None:
        return None
    return os.path.relpath(Path(run_dir).resolve(), Path(grid_dir).resolve())


def grid_entry_folder(grid_dir, entry: dict) -> Path:
    """The folder of one run listed in a grid index (its own sub-folder, or a run adopted from elsewhere)."""
    recorded = entry.get("run_dir")
    return Path(grid_dir) / (recorded if recorded else entry["name"])


def grid_run_folders(grid_dir) -> dict:
    """``{run name: folder}`` of the trained runs of a grid folder (those with a best.pt), sorted by name.

    Read from the grid index when there is one (it lists runs adopted from notebooks 02/03 too), else from
    the sub-folders that hold a best.pt.
    """
    grid_dir = Path(grid_dir)
    if (grid_dir / GRID_FILE).is_file():
        entries = read_json(grid_dir / GRID_FILE, "grid index")["runs"]
        folders = {entry["name"]: grid_entry_folder(grid_dir, entry) for entry in entries}
    else:
        folders = {path.parent.name: path.parent for path in grid_dir.glob(f"*/{BEST_CHECKPOINT}")}
    return {name: folders[name] for name in sorted(folders) if (folders[name] / BEST_CHECKPOINT).is_file()}


def run_folders(parent) -> list:
    """Every run folder under ``parent`` (folders holding a history), sorted by path."""
    return sorted(path.parent for path in Path(parent).rglob(HISTORY_FILE))


def same_json(a, b) -> bool:
    """True when ``a`` and ``b`` are equal once stored as JSON (tuples and lists, Paths and text alike)."""
    return json.dumps(json_safe(a), sort_keys=True) == json.dumps(json_safe(b), sort_keys=True)


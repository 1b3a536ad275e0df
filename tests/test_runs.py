"""Tests of fcn_course.runs: the run folder's names, its description (run.json), one comparison of settings
for resume and grid, checkpoints, history, the grid index, and resuming only what a run is."""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

import pytest
import torch
from torch import nn

from fcn_course import engine, runs
from fcn_course.data import make_loaders
from fcn_course.environment import DATA_ENV
from fcn_course.messages import text
from fcn_course.files import read_json
from helpers import load_train_script, raised_in_each_language, tree_digest

REPO_ROOT = Path(__file__).resolve().parents[1]
CLASSES = ("background", "bus", "person")
SETTINGS = {
    "backbone": "alexnet",
    "skip": True,
    "pretrained": False,
    "classes": CLASSES,
    "h_size": 64,
    "w_size": 64,
    "batch_size": 4,
    "lr": 1e-4,
    "weight_decay": 5e-4,
    "momentum": 0.9,
    "max_samples": 6,
    "seed": 0,
    "augment": False,
    "synthetic": True,
    "epoch_num": 2,
    "device": torch.device("cpu"),
}
# A different value for every defining setting the runs of a grid share.
SHARED_CHANGES = {
    "classes": ("background", "person"),
    "h_size": 96,
    "w_size": 96,
    "batch_size": 8,
    "lr": 1e-3,
    "weight_decay": 0.0,
    "momentum": 0.5,
    "max_samples": 12,
    "seed": 1,
    "augment": True,
    "synthetic": False,
}


# --------------------------------------------------------------------------------------------------
# One list of defining settings, one diff: resume and grid refuse the same changes
# --------------------------------------------------------------------------------------------------
def test_every_defining_setting_is_either_a_configuration_or_shared_by_a_grid():
    shared = [key for key in runs.DEFINING_SETTINGS if key not in runs.CONFIGURATION_SETTINGS]
    assert sorted(shared) == sorted(SHARED_CHANGES)
    assert set(runs.CONFIGURATION_SETTINGS) < set(runs.DEFINING_SETTINGS)


@pytest.mark.safety
@pytest.mark.parametrize("key", sorted(SHARED_CHANGES))
def test_resume_and_grid_refuse_the_same_change_with_the_same_diff(tmp_path, key):
    changed = {**SETTINGS, key: SHARED_CHANGES[key]}
    (line,) = runs.settings_diff(SETTINGS, changed)
    assert line.startswith(f"{key}: ")

    runs.start_run(tmp_path / "run", SETTINGS)
    with pytest.raises(runs.RunMismatchError) as resumed:
        runs.start_run(tmp_path / "run", changed)
    runs.write_grid_index(tmp_path / "grid", SETTINGS, [])
    with pytest.raises(runs.RunMismatchError) as grid:
        runs.check_grid_settings(tmp_path / "grid", changed)
    assert line in str(resumed.value) and line in str(grid.value)


@pytest.mark.parametrize("key, value", [("backbone", "vgg16"), ("skip", False), ("pretrained", True)])
def test_a_grid_holds_other_configurations_but_a_run_folder_does_not(tmp_path, key, value):
    runs.write_grid_index(tmp_path / "grid", SETTINGS, [])
    runs.check_grid_settings(tmp_path / "grid", {**SETTINGS, key: value})  # another run of the same grid
    runs.start_run(tmp_path / "run", SETTINGS)
    with pytest.raises(runs.RunMismatchError, match=f"{key}: "):
        runs.start_run(tmp_path / "run", {**SETTINGS, key: value})


def test_settings_are_compared_as_they_are_stored(tmp_path):
    """A file read back is the same setting as the args it was written from: tuples and lists, True and "8s",
    1 and 1.0, no augment and augment=False, the device (not a defining setting) left out."""
    same = {
        **SETTINGS,
        "classes": list(CLASSES),
        "skip": "8s",
        "batch_size": 4.0,
        "augment": None,
        "device": "cuda",
        "epoch_num": 50,
        "profile": "demo",
    }
    assert runs.settings_diff(SETTINGS, same) == []
    runs.start_run(tmp_path / "run", SETTINGS)
    runs.start_run(tmp_path / "run", same)
    runs.write_grid_index(tmp_path / "grid", SETTINGS, [])
    runs.check_grid_settings(tmp_path / "grid", same)
    assert runs.settings_diff(SETTINGS, {**SETTINGS, "lr": 0.05}) == ["lr: 0.0001 -> 0.05"]
    assert runs.settings_diff(SETTINGS, {**SETTINGS, "skip": "16s"}, leave_out=runs.CONFIGURATION_SETTINGS) == []


def test_a_folder_without_a_grid_index_accepts_any_settings(tmp_path):
    runs.check_grid_settings(tmp_path, SETTINGS)
    with pytest.raises(FileNotFoundError, match="grid.json"):
        runs.read_grid_index(tmp_path)


# --------------------------------------------------------------------------------------------------
# The grid index
# --------------------------------------------------------------------------------------------------
def test_grid_index_keeps_earlier_runs_and_records_folders_relative_to_the_grid(tmp_path):
    grid_dir, adopted = tmp_path / "grid", tmp_path / "runs" / "alexnet-skip-scratch"
    runs.write_grid_index(
        grid_dir, SETTINGS, [{"name": "alexnet-noskip-scratch", "run_dir": grid_dir / "alexnet-noskip-scratch"}]
    )
    runs.write_grid_index(
        grid_dir,
        SETTINGS,
        [{"name": "alexnet-skip-scratch", "run_dir": str(adopted)}, {"name": "vgg16-skip-pretrained", "run_dir": None}],
    )
    index = runs.read_grid_index(grid_dir)
    assert "device" not in index["args"] and index["args"]["lr"] == SETTINGS["lr"]
    entries = {entry["name"]: entry["run_dir"] for entry in index["runs"]}
    assert entries == {
        "alexnet-noskip-scratch": "alexnet-noskip-scratch",
        "alexnet-skip-scratch": "../runs/alexnet-skip-scratch",
        "vgg16-skip-pretrained": None,
    }
    folders = {entry["name"]: runs.grid_entry_folder(grid_dir, entry) for entry in index["runs"]}
    assert folders["alexnet-skip-scratch"].resolve() == adopted.resolve()
    assert folders["vgg16-skip-pretrained"] == grid_dir / "vgg16-skip-pretrained"


# --------------------------------------------------------------------------------------------------
# File names
# --------------------------------------------------------------------------------------------------
def test_file_names_of_a_run_folder(tmp_path):
    assert runs.prediction_figure_path(tmp_path, 7) == tmp_path / "pred_epoch_007.png"
    assert runs.prediction_figure_path(tmp_path, 120).name == "pred_epoch_120.png"
    assert runs.curves_path(tmp_path) == tmp_path / "curves.png"
    assert runs.history_path(tmp_path) == tmp_path / "history.json"
    assert runs.checkpoint_path(tmp_path) == tmp_path / "best.pt"
    assert runs.checkpoint_path(tmp_path, "last") == tmp_path / "last.pt"
    with pytest.raises(ValueError, match="'best' ou 'last'"):
        runs.checkpoint_path(tmp_path, "final")


# --------------------------------------------------------------------------------------------------
# History and checkpoints
# --------------------------------------------------------------------------------------------------
def scores(epoch, miou_fg):
    return {"epoch": epoch, "miou_fg": miou_fg, "loss_mean": 1.0}


def test_history_is_saved_and_read_back(tmp_path):
    assert engine.History is runs.History  # notebooks and scripts know it as engine.History
    assert runs.read_history(tmp_path) is None  # no epoch trained yet
    history = runs.History([scores(1, 0.1)], [scores(1, float("nan"))])
    runs.save_history(tmp_path, history)
    again = runs.read_history(tmp_path)
    assert again.train == history.train and again.val[0]["miou_fg"] is None


def test_save_epoch_writes_best_only_for_the_best_epoch(tmp_path):
    """Epoch 1 is the best; epoch 2 is worse: best.pt keeps epoch 1, last.pt and history.json move on."""
    history = runs.History()
    resume_state = {"optimizer": {"state": {}, "param_groups": []}, "scaler": None, "rng": {"torch": torch.ones(2)}}
    for epoch, miou_fg in ((1, 0.5), (2, 0.3)):
        history.append(scores(epoch, miou_fg), scores(epoch, miou_fg))
        weights = {"weight": torch.full((2,), float(epoch))}
        runs.save_epoch(tmp_path, epoch, history, weights, SETTINGS, resume_state)
    best = runs.read_checkpoint(runs.checkpoint_path(tmp_path, "best"))
    last = runs.read_checkpoint(runs.checkpoint_path(tmp_path, "last"))
    assert best["epoch"] == 1 and torch.equal(best["model"]["weight"], torch.ones(2))
    assert best["metrics"]["miou_fg"] == 0.5 and "optimizer" not in best
    assert last["epoch"] == 2 and torch.equal(last["model"]["weight"], torch.full((2,), 2.0))
    assert last["history"]["val"] == history.val and torch.equal(last["rng"]["torch"], torch.ones(2))
    assert "device" not in best["args"] and "device" not in last["args"] and last["args"]["lr"] == SETTINGS["lr"]
    assert len(runs.read_history(tmp_path)) == 2


def test_read_checkpoint_explains_missing_damaged_and_foreign_files(tmp_path):
    with pytest.raises(FileNotFoundError, match="Checkpoint não encontrado"):
        runs.read_checkpoint(tmp_path / "best.pt")
    (tmp_path / "junk.pt").write_bytes(b"not a checkpoint")
    with pytest.raises(ValueError, match="não pode ser lido"):
        runs.read_checkpoint(tmp_path / "junk.pt")
    torch.save([1, 2], tmp_path / "list.pt")
    with pytest.raises(ValueError, match="dicionário"):
        runs.read_checkpoint(tmp_path / "list.pt")


def test_a_bare_state_dict_loads_like_a_checkpoint(tmp_path):
    saved, loaded = nn.Linear(2, 3), nn.Linear(2, 3)
    torch.save(saved.state_dict(), tmp_path / "weights.pt")
    assert set(runs.load_checkpoint(tmp_path / "weights.pt", loaded)) == {"model"}
    assert torch.equal(saved.weight, loaded.weight)


# ==================================================================================================
# Safety (issue #11, README "Safety"; marked `safety`):
# resume only what it is (a mismatched resume is refused with the diff, nothing
# changed); a damaged description or an unwritable folder is named; orphan temporaries cleaned.
# Each test reproduces one fault and asserts the outcome: a clear error that names the file and the fix, or a
# correct result; where files were there before, every one of them is byte-identical afterwards.
# ==================================================================================================


TRAIN_FLAGS = [
    "--smoke",
    "--backbone",
    "alexnet",
    "--skip",
    "none",
    "--epochs",
    "1",
    "--size",
    "64",
    "--max-samples",
    "4",
    "--batch-size",
    "2",
    "--lr",
    "0.0001",
    "--seed",
    "0",
    "--no-progress",
]


@pytest.fixture
def script_without_training(monkeypatch):
    """scripts/train.py with its ``train`` step replaced by a recorder of what is ready when training would
    start: the data root and the run's description (run.json), or None where there is none."""
    script = load_train_script()
    calls = []

    def record(options, args, run_dir):
        description = run_dir / runs.RUN_FILE
        calls.append((Path(args["root"]), read_json(description) if description.is_file() else None))
        return 0

    monkeypatch.setattr(script, "train", record)
    return script, calls


def test_the_train_script_prepares_the_data_and_the_run_folder_before_it_trains(
    script_without_training, tmp_path, monkeypatch, capsys
):
    script, calls = script_without_training
    monkeypatch.setenv(DATA_ENV, str(tmp_path / "data"))
    run_dir = tmp_path / "run"
    assert script.main(TRAIN_FLAGS + ["--run-dir", str(run_dir)]) == 0
    ((root, description),) = calls
    assert root.is_relative_to(tmp_path / "data") and (root / "VOCdevkit").is_dir()  # the smoke twin, written
    assert description is not None and description["lr"] == 0.0001 and description["seed"] == 0
    assert text("train.run_folder", run_dir=run_dir) in capsys.readouterr().out.splitlines()


@pytest.mark.safety
def test_the_train_script_refuses_a_resume_with_other_settings_before_it_trains(
    script_without_training, tmp_path, capsys
):
    script, calls = script_without_training
    run_dir = tmp_path / "run"
    runs.start_run(run_dir, script.build_args(script.parse_args(TRAIN_FLAGS)))
    runs.save_history(run_dir, runs.History())  # a run that has begun: its description stays
    before = tree_digest(run_dir)
    flags = list(TRAIN_FLAGS)
    flags[flags.index("--lr") + 1] = "0.05"
    assert script.main(flags + ["--run-dir", str(run_dir), "--resume"]) == 2
    assert calls == [] and "lr: 0.0001 -> 0.05" in capsys.readouterr().err
    assert tree_digest(run_dir) == before


def test_the_train_script_names_its_default_run_folder_after_what_it_trains(monkeypatch, tmp_path):
    script = load_train_script()
    options = script.parse_args(["--smoke", "--backbone", "vgg16", "--skip", "16s", "--scratch"])
    args = {**script.build_args(options), "runs_dir": tmp_path / "runs"}
    monkeypatch.setattr(script.time, "strftime", lambda pattern: f"<{pattern}>")
    assert script.default_run_dir(options, args) == tmp_path / "runs" / "vgg16-16s-scratch-<%Y%m%d-%H%M%S>"
    options = script.parse_args(["--smoke", "--pretrained"])
    assert script.default_run_dir(options, {**script.build_args(options), "runs_dir": tmp_path}).name.startswith(
        "alexnet-8s-pretrained-"
    )


def test_the_train_script_takes_scratch_or_pretrained_but_not_both(capsys):
    script = load_train_script()
    assert script.build_args(script.parse_args(["--smoke", "--scratch"]))["pretrained"] is False
    assert script.build_args(script.parse_args(["--smoke", "--pretrained"]))["pretrained"] is True
    with pytest.raises(SystemExit):
        script.parse_args(["--scratch", "--pretrained"])
    assert "--scratch" in capsys.readouterr().err


def test_the_train_script_draws_into_files_whatever_backend_the_environment_asked_for():
    import matplotlib

    asked = matplotlib.get_backend()
    matplotlib.use("svg")
    try:
        load_train_script()
        assert matplotlib.get_backend().lower() == "agg"  # no window, on a laptop as on a cluster node
    finally:
        matplotlib.use(asked)


@pytest.fixture(scope="module")
def trained_run(tmp_path_factory):
    """A one-epoch run of scripts/train.py (smoke, 64 px, lr 1e-4)."""
    run_dir = tmp_path_factory.mktemp("train") / "run"
    assert load_train_script().main(TRAIN_FLAGS + ["--run-dir", str(run_dir)]) == 0
    return run_dir


@pytest.mark.slow
def test_train_script_says_what_it_trains_and_where_and_draws_no_progress_bar_with_no_progress(tmp_path, capsys):
    """The model line (class, skip, pretrained, parameter count) and the results folder on stdout; with
    --no-progress nothing on stderr (no tqdm bar of an epoch's training or validation)."""
    from fcn_course.config import course_args
    from fcn_course.instructor.reference import reference_ingredients
    from fcn_course.messages import text

    run_dir = tmp_path / "run"
    assert load_train_script().main(TRAIN_FLAGS + ["--run-dir", str(run_dir)]) == 0
    captured = capsys.readouterr()
    model_class = engine.TrainingIngredients.of(reference_ingredients()).model_classes["alexnet"]
    net = model_class(course_args(smoke=True)["n_classes"], pretrained=False, skip=False)
    parameters = f"{engine.count_parameters(net):,}"
    model_line = text("train.model_line", model=type(net).__name__, skip=False, pretrained=False, parameters=parameters)
    assert model_line in captured.out.splitlines()
    assert captured.out.splitlines()[-1] == text("train.results_in", run_dir=run_dir)
    script = load_train_script()
    train_loader, val_loader = make_loaders(script.build_args(script.parse_args(TRAIN_FLAGS)))
    data_line = text("train.data_line", train=len(train_loader.dataset), val=len(val_loader.dataset), device="cpu")
    assert data_line in captured.out.splitlines()
    assert runs.curves_path(run_dir).is_file()  # the learning curves, drawn after the last epoch
    assert text("engine.progress", epoch=1, phase=text("engine.phase.train")) not in captured.err
    assert text("engine.progress", epoch=1, phase=text("engine.phase.val")) not in captured.err


@pytest.mark.slow
def test_the_train_script_initialises_its_model_from_the_run_seed_alone(tmp_path):
    """Whatever the random state before (another cell, another run), a run with the same seed gives the same
    numbers: the model's random initialisation comes from the run's seed."""
    histories = []
    for state, name in ((1, "a"), (2, "b")):
        torch.manual_seed(state)
        assert load_train_script().main(TRAIN_FLAGS + ["--run-dir", str(tmp_path / name)]) == 0
        histories.append(read_json(tmp_path / name / runs.HISTORY_FILE))
    losses = [[epoch["loss_mean"] for epoch in history["train"]] for history in histories]
    assert losses[0] == losses[1]


@pytest.mark.slow
@pytest.mark.safety
@pytest.mark.parametrize(
    "flag, value, shown",
    [
        ("--lr", "0.05", "lr: 0.0001 -> 0.05"),
        ("--size", "96", "h_size: 64 -> 96"),
        ("--batch-size", "3", "batch_size: 2 -> 3"),
        ("--seed", "9", "seed: 0 -> 9"),
    ],
)
def test_train_resume_with_other_settings_is_refused(trained_run, tmp_path, capsys, flag, value, shown):
    """Case 4a: --resume --lr 0.05 ... trained on silently; now refused with the diff, nothing changed."""
    run_dir = Path(shutil.copytree(trained_run, tmp_path / "run"))
    before = tree_digest(run_dir)
    flags = list(TRAIN_FLAGS)
    flags[flags.index(flag) + 1] = value
    assert load_train_script().main(flags + ["--run-dir", str(run_dir), "--resume", "--epochs", "2"]) == 2
    message = capsys.readouterr().err
    assert shown in message and "Nada foi alterado" in message
    assert tree_digest(run_dir) == before


@pytest.mark.safety
def test_start_run_refuses_a_mismatch_and_changes_nothing(trained_run, tmp_path):
    run_dir = Path(shutil.copytree(trained_run, tmp_path / "run"))
    before = tree_digest(run_dir)
    config = read_json(run_dir / runs.RUN_FILE)
    with pytest.raises(runs.RunMismatchError, match=r"lr: 0.0001 -> 0.05"):
        runs.start_run(run_dir, {**config, "lr": 0.05})
    assert tree_digest(run_dir) == before


@pytest.mark.safety
@pytest.mark.parametrize("name", ["run.json", "config.json"])
def test_a_damaged_run_description_names_the_file(tmp_path, name):
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    (run_dir / name).write_text('{"backbone": "alexnet", "classes": ["backgro')
    before = tree_digest(run_dir)
    with pytest.raises(ValueError) as error:
        runs.read_run_config(run_dir)
    assert str(run_dir / name) in str(error.value) and "Apague-o" in str(error.value)
    if name == "run.json":
        with pytest.raises(ValueError, match="run.json"):
            runs.start_run(run_dir, {"backbone": "alexnet", "classes": CLASSES})
    assert tree_digest(run_dir) == before


@pytest.mark.safety
def test_a_read_only_run_folder_is_found_before_training(tmp_path):
    blocker = tmp_path / "a_file"
    blocker.write_text("not a folder")
    with pytest.raises(PermissionError, match="não consigo gravar na pasta da execução"):
        runs.start_run(blocker / "run", {"backbone": "alexnet", "classes": CLASSES})


@pytest.mark.safety
def test_orphan_temporaries_of_killed_writes_are_cleaned(tmp_path):
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    orphan = run_dir / ".last.pt.abc123.tmp"
    orphan.write_bytes(b"half a checkpoint")
    old = time.time() - 3600
    os.utime(orphan, (old, old))
    young = run_dir / ".best.pt.def456.tmp"
    young.write_bytes(b"a write in progress elsewhere")
    runs.start_run(run_dir, {"backbone": "alexnet", "classes": CLASSES})
    assert not orphan.exists() and young.exists()


# --------------------------------------------------------------------------------------------------
# Safety: the run folder is checked at the door; a failed start can be taken back
# --------------------------------------------------------------------------------------------------
def _digest(folder):
    return {path.name: path.read_bytes() for path in folder.iterdir()}


@pytest.mark.safety
def test_a_run_folder_of_an_unknown_format_is_refused_with_the_version_and_the_fix(tmp_path):
    """run.json with "format": 99 (a newer course) was never checked: resume went on."""
    run_dir = tmp_path / "run"
    runs.start_run(run_dir, SETTINGS)
    config = json.loads((run_dir / runs.RUN_FILE).read_text())
    (run_dir / runs.RUN_FILE).write_text(json.dumps({**config, "format": 99}))
    before = _digest(run_dir)
    for attempt in (lambda: runs.start_run(run_dir, SETTINGS), lambda: runs.read_run_config(run_dir)):
        with pytest.raises(runs.RunFormatError) as error:
            attempt()
        message = str(error.value)
        assert "99" in message and str(runs.RUN_FORMAT) in message and str(run_dir / runs.RUN_FILE) in message
        assert "atualize" in message.lower()
    assert _digest(run_dir) == before


@pytest.mark.safety
def test_a_run_that_never_recorded_an_epoch_can_be_discarded_but_not_a_trained_one(tmp_path):
    run_dir = tmp_path / "run"
    runs.start_run(run_dir, {**SETTINGS, "batch_size": 0})
    assert runs.discard_unstarted_run(run_dir) and not run_dir.exists()
    runs.start_run(run_dir, SETTINGS)  # the corrected settings are not refused
    (run_dir / runs.HISTORY_FILE).write_text('{"train": [{"epoch": 1}], "val": [{"epoch": 1}]}')
    before = _digest(run_dir)
    assert not runs.discard_unstarted_run(run_dir)
    assert _digest(run_dir) == before


@pytest.mark.safety
def test_train_script_refuses_a_folder_that_already_holds_a_run_without_resume(tmp_path, capsys):
    """Exit status 2 and nothing changed: a second training into the same folder must be asked for (--resume)."""
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    runs.checkpoint_path(run_dir, "last").write_bytes(b"an earlier run's weights")
    before = tree_digest(run_dir)
    assert load_train_script().main(TRAIN_FLAGS + ["--run-dir", str(run_dir)]) == 2
    assert "--resume" in capsys.readouterr().err and tree_digest(run_dir) == before


# --------------------------------------------------------------------------------------------------
# A student's mistake is said in the course's language (Portuguese; English in the English edition)
# --------------------------------------------------------------------------------------------------
def test_an_unknown_checkpoint_is_said_in_the_course_language(tmp_path):
    portuguese, english = raised_in_each_language(ValueError, runs.checkpoint_path, tmp_path, "final")
    assert "which deve ser 'best' ou 'last', não 'final'" in portuguese
    assert "which must be 'best' or 'last', not 'final'" in english


def test_an_unknown_phase_of_a_history_is_said_in_the_course_language():
    history = runs.History()
    portuguese, english = raised_in_each_language(ValueError, history.__getitem__, "test")
    assert "as fases 'train' e 'val', não 'test'" in portuguese and "history['val']" in portuguese
    assert "the phases 'train' and 'val', not 'test'" in english and "history['val']" in english

"""Tests of fcn_course.runs: the run folder, its description (run.json) and resuming only what it is."""
from __future__ import annotations

import importlib.util
import os
import shutil
import time
from pathlib import Path

import pytest

from fcn_course import runs
from fcn_course.files import read_json
from helpers import tree_digest

REPO_ROOT = Path(__file__).resolve().parents[1]
CLASSES = ("background", "bus", "person")

# ==================================================================================================
# Safety (issue #11, README "Safety"; marked `safety`):
# resume only what it is (a mismatched resume is refused with the diff, nothing
# changed); a damaged description or an unwritable folder is named; orphan temporaries cleaned.
# Each test reproduces one fault and asserts the outcome: a clear error that names the file and the fix, or a
# correct result; where files were there before, every one of them is byte-identical afterwards.
# ==================================================================================================

def load_train_script():
    spec = importlib.util.spec_from_file_location("train_script", REPO_ROOT / "scripts" / "train.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


TRAIN_FLAGS = ["--smoke", "--backbone", "alexnet", "--skip", "none", "--epochs", "1", "--size", "64",
               "--max-samples", "4", "--batch-size", "2", "--lr", "0.0001", "--seed", "0", "--no-progress"]


@pytest.fixture(scope="module")
def trained_run(tmp_path_factory):
    """A one-epoch run of scripts/train.py (smoke, 64 px, lr 1e-4)."""
    run_dir = tmp_path_factory.mktemp("train") / "run"
    assert load_train_script().main(TRAIN_FLAGS + ["--run-dir", str(run_dir)]) == 0
    return run_dir


@pytest.mark.slow
@pytest.mark.safety
@pytest.mark.parametrize("flag, value, shown", [("--lr", "0.05", "lr: 0.0001 -> 0.05"),
                                                ("--size", "96", "h_size: 64 -> 96"),
                                                ("--batch-size", "3", "batch_size: 2 -> 3"),
                                                ("--seed", "9", "seed: 0 -> 9")])
def test_train_resume_with_other_settings_is_refused(trained_run, tmp_path, capsys, flag, value, shown):
    """Case 4a: --resume --lr 0.05 ... trained on silently; now refused with the diff, nothing changed."""
    run_dir = Path(shutil.copytree(trained_run, tmp_path / "run"))
    before = tree_digest(run_dir)
    flags = list(TRAIN_FLAGS)
    flags[flags.index(flag) + 1] = value
    assert load_train_script().main(flags + ["--run-dir", str(run_dir), "--resume", "--epochs", "2"]) == 2
    message = capsys.readouterr().err
    assert shown in message and "Nothing was changed" in message
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
    assert str(run_dir / name) in str(error.value) and "delete it" in str(error.value)
    if name == "run.json":
        with pytest.raises(ValueError, match="run.json"):
            runs.start_run(run_dir, {"backbone": "alexnet", "classes": CLASSES})
    assert tree_digest(run_dir) == before


@pytest.mark.safety
def test_a_read_only_run_folder_is_found_before_training(tmp_path):
    blocker = tmp_path / "a_file"
    blocker.write_text("not a folder")
    with pytest.raises(PermissionError, match="cannot write in the run folder"):
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

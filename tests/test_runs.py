"""Tests of fcn_course.runs: the run folder is checked at the door."""
from __future__ import annotations

import json

import pytest

from fcn_course import runs

CLASSES = ("background", "bus", "person")
SETTINGS = {"backbone": "alexnet", "skip": True, "pretrained": False, "classes": CLASSES, "h_size": 64,
            "w_size": 64, "batch_size": 4, "lr": 1e-4, "weight_decay": 5e-4, "momentum": 0.9, "max_samples": 6,
            "seed": 0, "augment": False, "synthetic": True, "epoch_num": 2}


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

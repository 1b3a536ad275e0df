"""Atomic writes: a failure while writing leaves the previous file complete and no temporary file."""
import json

import pytest

from fcn_course.files import atomic_write, write_json


def test_write_json_round_trip(tmp_path):
    path = write_json(tmp_path / "sub" / "a.json", {"x": 1, "where": tmp_path})
    assert json.loads(path.read_text()) == {"x": 1, "where": str(tmp_path)}


@pytest.mark.safety
def test_failed_write_keeps_the_old_file_and_no_temporary(tmp_path):
    path = write_json(tmp_path / "a.json", {"version": 1})

    def half_then_crash(temporary):
        with open(temporary, "w") as handle:
            handle.write('{"version": 2, "trunc')
        raise KeyboardInterrupt  # e.g. the student stops the kernel mid-write

    with pytest.raises(KeyboardInterrupt):
        atomic_write(path, half_then_crash)
    assert json.loads(path.read_text()) == {"version": 1}
    assert [p.name for p in tmp_path.iterdir()] == ["a.json"]

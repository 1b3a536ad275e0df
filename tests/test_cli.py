"""The course's command line: `python -m fcn_course ...`."""
import pytest

from fcn_course.__main__ import main


def test_check_reports_the_notebooks_in_sync(capsys):
    assert main(["check"]) == 0
    assert "notebooks in sync" in capsys.readouterr().out


@pytest.mark.parametrize("command", ["grid", "predict"])
def test_grid_and_predict_accept_options_first(command, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main([command, "--help"])  # options before any positional argument reach the sub-command
    assert exit_info.value.code == 0
    assert f"python -m fcn_course {command}" in capsys.readouterr().out


def test_synth_writes_a_vocdevkit_tree(tmp_path, capsys):
    assert main(["synth", str(tmp_path), "--train", "3", "--val", "2"]) == 0
    assert (tmp_path / "VOCdevkit" / "VOC2012" / "ImageSets" / "Segmentation" / "val.txt").is_file()


def test_unknown_command_is_an_error(capsys):
    with pytest.raises(SystemExit):
        main(["train-everything"])
    assert "invalid choice" in capsys.readouterr().err

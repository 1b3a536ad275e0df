"""The course's command lines: `python -m fcn_course ...` (students) and `python -m fcn_course.instructor ...`."""
import pytest

from fcn_course.__main__ import INSTRUCTOR_COMMANDS
from fcn_course.__main__ import main
from fcn_course.instructor.__main__ import main as instructor_main


def test_check_reports_the_notebooks_in_sync(capsys):
    assert instructor_main(["check"]) == 0
    assert "notebooks in sync" in capsys.readouterr().out


@pytest.mark.parametrize("command", ["grid", "predict"])
def test_grid_and_predict_accept_options_first(command, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main([command, "--help"])  # options before any positional argument reach the sub-command
    assert exit_info.value.code == 0
    assert f"python -m fcn_course {command}" in capsys.readouterr().out


@pytest.mark.parametrize("command", ["grid", "predict"])
def test_instructor_grid_and_predict_accept_options_first(command, capsys):
    with pytest.raises(SystemExit) as exit_info:
        instructor_main([command, "--help"])
    assert exit_info.value.code == 0
    assert "--models" in capsys.readouterr().out


def test_synth_writes_a_vocdevkit_tree(tmp_path, capsys):
    assert main(["synth", str(tmp_path), "--train", "3", "--val", "2"]) == 0
    assert (tmp_path / "VOCdevkit" / "VOC2012" / "ImageSets" / "Segmentation" / "val.txt").is_file()


def test_unknown_command_is_an_error(capsys):
    with pytest.raises(SystemExit):
        main(["train-everything"])
    assert "invalid choice" in capsys.readouterr().err


@pytest.mark.parametrize("command", INSTRUCTOR_COMMANDS)
def test_instructor_commands_are_not_student_commands(command, capsys):
    """The student CLI names the instructor command to run instead, in Portuguese and in English."""
    assert main([command, "--help"]) == 2
    err = capsys.readouterr().err
    assert f"python -m fcn_course.instructor {command}" in err
    assert "comando do professor" in err and "instructor command" in err


def test_student_help_says_which_commands_are_for_students(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert "Student commands" in out and "python -m fcn_course.instructor" in out
    for command in ("synth", "download", "grid", "predict"):
        assert command in out


def test_the_student_cli_does_not_import_the_instructor_wing():
    import ast
    from pathlib import Path

    import fcn_course.__main__ as student_cli

    tree = ast.parse(Path(student_cli.__file__).read_text(encoding="utf-8"))
    imported = [node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)]
    imported += [alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names]
    assert not any(name and name.startswith(("fcn_course.instructor", "solutions")) for name in imported)


# ==================================================================================================
# Safety (issue #11, README "Safety"; marked `safety`):
# the download command says what --replace overwrites.
# Each test reproduces one fault and asserts the outcome: a clear error that names the file and the fix, or a
# correct result; where files were there before, every one of them is byte-identical afterwards.
# ==================================================================================================

@pytest.mark.safety
def test_download_command_help_says_what_replace_deletes(capsys):
    from fcn_course.__main__ import main

    with pytest.raises(SystemExit):
        main(["download", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "--replace" in text and "overwrites" in text and "kept" in text

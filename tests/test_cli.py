"""The course's command lines: `python -m fcn_course ...` (students) and `python -m fcn_course.instructor ...`."""

from pathlib import Path

import pytest

from fcn_course.__main__ import INSTRUCTOR_COMMANDS
from fcn_course.__main__ import main
from fcn_course.instructor.__main__ import main as instructor_main
from fcn_course.messages import set_language, text


def test_check_reports_the_notebooks_in_sync(capsys):
    assert instructor_main(["check"]) == 0
    assert text("instructor_cli.in_sync") in capsys.readouterr().out


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
    """The student CLI names the instructor command to run instead, in the active language."""
    assert main([command, "--help"]) == 2
    err = capsys.readouterr().err
    assert f"python -m fcn_course.instructor {command}" in err and "comando do professor" in err
    set_language("en")
    assert main([command]) == 2
    assert "instructor command" in capsys.readouterr().err


def test_site_points_to_the_instructor_command(capsys):
    """``python -m fcn_course site`` (the website is built by the instructor wing) says where to run it."""
    assert main(["site"]) == 2
    err = capsys.readouterr().err
    assert "python -m fcn_course.instructor site" in err and "invalid choice" not in err


@pytest.mark.parametrize("command", ["build", "check"])
def test_instructor_commands_refuse_a_repository_that_does_not_match_the_outline(
    command, tmp_path, monkeypatch, capsys
):
    """The tiny repository's 01_demo is not in the course outline, and the outline's notebooks are missing."""
    from fcn_course.instructor import __main__ as instructor_cli
    from tiny_course import make_repo, snapshot

    repo = make_repo(tmp_path)
    before = snapshot(repo)
    monkeypatch.setattr(instructor_cli, "repo_root", lambda: repo)
    assert instructor_main([command]) == 1
    captured = capsys.readouterr()
    said = captured.out + captured.err
    stray = repo / "solutions" / "notebooks" / "01_demo.py"
    outline = "fcn_course/outline.py"
    assert (
        text("course.outline_stray", path=stray, name="01_demo", outline=outline, folder="solutions/notebooks") in said
    )
    missing = f"{repo / 'solutions' / 'notebooks' / '02_fcn_alexnet'}.py"
    assert text("course.outline_missing", path=missing, name="02_fcn_alexnet", outline=outline) in said
    assert snapshot(repo) == before


def test_student_help_says_which_commands_are_for_students(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["--help"])
    assert exit_info.value.code == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "Comandos do aluno" in out and "python -m fcn_course.instructor" in out
    for command in ("synth", "download", "grid", "predict"):
        assert command in out
    assert " ".join(text("cli.synth").split()) in out  # the catalogue's words, not the code's


@pytest.mark.parametrize("language, words", [("pt_BR", "Comandos do aluno"), ("en", "Student commands")])
@pytest.mark.parametrize("command", ["", "grid", "predict", "download"])
def test_every_student_help_comes_from_the_catalogue_in_the_active_language(language, words, command, capsys):
    """`--help` of the student CLI and of each command speaks the language chosen with set_language."""
    set_language(language)
    with pytest.raises(SystemExit) as exit_info:
        main([command, "--help"] if command else ["--help"])
    assert exit_info.value.code == 0
    out = " ".join(capsys.readouterr().out.split())
    expected = {
        "": text("cli.description"),
        "grid": text("cli.grid.description"),
        "predict": text("cli.predict.description"),
        "download": text("cli.download_replace"),
    }[command]
    assert " ".join(expected.split()) in out
    if not command:
        assert words in out


def test_the_student_cli_does_not_import_the_instructor_wing():
    import ast
    from pathlib import Path

    import fcn_course.__main__ as student_cli

    tree = ast.parse(Path(student_cli.__file__).read_text(encoding="utf-8"))
    imported = [node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)]
    imported += [alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names]
    assert not any(name and name.startswith(("fcn_course.instructor", "solutions")) for name in imported)


@pytest.mark.slow  # seconds on 2 CPU cores (issue #19: the fast lane under 2 minutes)
def test_grid_exits_non_zero_when_a_run_failed(synthetic_voc_root, tmp_path, monkeypatch, capsys):
    """`python -m fcn_course grid` with one run that cannot go on (its last.pt is truncated): the other run is
    trained and reported, and the exit status says that something failed."""
    monkeypatch.setenv("FCN_COURSE_DATA", str(synthetic_voc_root))
    monkeypatch.delenv("FCN_COURSE_SMOKE", raising=False)
    out_dir = tmp_path / "grid"
    broken = out_dir / "alexnet-noskip-scratch" / "last.pt"
    broken.parent.mkdir(parents=True)
    broken.write_bytes(b"PK\x03\x04" + b"cut short" * 10)  # starts like torch.save's zip, has no directory
    notebook = Path(__file__).resolve().parent.parent / "solutions" / "notebooks" / "02_fcn_alexnet.ipynb"
    code = main(
        [
            "grid",
            "--epochs",
            "1",
            "--size",
            "64",
            "--max-samples",
            "3",
            "--scratch-only",
            "--quiet",
            "--out",
            str(out_dir),
            "--models",
            str(notebook),
        ]
    )
    printed = capsys.readouterr().out
    assert (
        f"| alexnet-noskip-scratch | {text('grid.status_failed')}" in printed
        and f"| alexnet-skip-scratch | {text('grid.status_done')} |" in printed
    )
    assert code == 1


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
    said = " ".join(capsys.readouterr().out.split())
    assert "--replace" in said and "sobrescreve" in said and "mantidos" in said


@pytest.mark.parametrize("command, default", [("grade", None), ("export-grades", "pt_BR")])
def test_grade_and_export_grades_take_a_language(command, default, capsys):
    """``export-grades`` speaks Brazilian Portuguese unless told; ``grade`` speaks each submission's own
    language unless ``--lang`` forces one (``None``: per submission)."""
    from fcn_course.instructor.__main__ import build_parser

    parser = build_parser()
    assert parser.parse_args([command, "folder"]).lang == default
    assert parser.parse_args([command, "folder", "--lang", "en"]).lang == "en"
    with pytest.raises(SystemExit):
        parser.parse_args([command, "folder", "--lang", "fr"])
    assert "pt_BR" in capsys.readouterr().err  # the refusal lists the languages there are


def test_the_instructor_help_comes_from_the_catalogue(capsys):
    set_language("en")
    with pytest.raises(SystemExit):
        instructor_main(["grade", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    first_sentence = text("instructor_cli.grade.description").split(".")[0]  # argparse may break at hyphens later
    assert " ".join(first_sentence.split()) in out and "--lang" in out
    assert "each submission's own language" in out  # grade's --lang: what happens without it

"""The environment variables (fcn_course.environment): one module names them and reads them, without PyTorch."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from fcn_course import config, environment
from fcn_course.environment import ENVIRONMENT_VARIABLES, read_environment
from helpers import raised_in_each_language

REPO_ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.subprocess
def test_the_names_and_the_reader_load_without_torch():
    """The instructor's kernel runner, the Colab set-up and the instructor's parser need the names, not torch."""
    code = "\n".join(
        [
            "import sys",
            "sys.modules['torch'] = sys.modules['torchvision'] = None  # any import of them now fails",
            "from fcn_course.environment import PROFILE_ENV, read_environment",
            "from fcn_course.profiles import PROFILES, profile_names",
            "import fcn_course.colab, fcn_course.instructor.execute",
            "from fcn_course.instructor.__main__ import build_parser",
            "build_parser().parse_args(['course', '--profile', 'demo'])",
            "assert read_environment({PROFILE_ENV: 'demo'}).profile == 'demo'",
            "print('loaded without torch')",
        ]
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "loaded without torch" in done.stdout


@pytest.mark.subprocess
def test_the_blocked_torch_import_really_fails():
    """The check above would prove nothing if a blocked torch could still be imported."""
    code = (
        "import sys; sys.modules['torch'] = None\ntry:\n    import fcn_course.config\nexcept ImportError:\n"
        "    print('blocked')"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True, timeout=120)
    assert done.stdout.strip() == "blocked", done.stderr


def test_config_re_exports_the_names_and_the_reader():
    """Notebooks and students may keep writing config.DATA_ENV or config.read_environment()."""
    for name in (
        "PROFILE_ENV",
        "SMOKE_ENV",
        "DATA_ENV",
        "RUNS_ENV",
        "WEIGHTS_ENV",
        "STATIC_ENV",
        "LANG_ENV",
        "Environment",
        "read_environment",
    ):
        assert getattr(config, name) is getattr(environment, name), name
    assert set(ENVIRONMENT_VARIABLES) == {
        "FCN_COURSE_PROFILE",
        "FCN_COURSE_SMOKE",
        "FCN_COURSE_DATA",
        "FCN_COURSE_RUNS",
        "FCN_COURSE_WEIGHTS",
        "FCN_COURSE_STATIC",
        "FCN_COURSE_LANG",
    }


def _spelled_names(path: Path) -> list:
    """(line, name) where ``path`` writes an environment variable's name as a literal (a string or a keyword)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Constant) and node.value in ENVIRONMENT_VARIABLES:
            found.append((node.lineno, node.value))
        elif isinstance(node, ast.keyword) and node.arg in ENVIRONMENT_VARIABLES:
            found.append((node.value.lineno, f"{node.arg}="))
    return found


def test_no_module_spells_an_environment_name_itself():
    """Code sets and reads the variables through the names of fcn_course.environment, never a copy.

    Sentences that mention a variable ("set FCN_COURSE_SMOKE=1") are fine. benchmarks/mutation_test.py is
    left out on purpose: it must not import the course (its forked test runs import the mutated copy), and so
    are the notebooks (solutions/notebooks/): their set-up cell runs before the course is installed on Colab,
    and the build writes its language line from ``environment.LANG_ENV`` (``colab.setup_cell_source``).
    ``FCN_COURSE_LANG`` alone is named by the message catalogue (every message asks for it, and the catalogue
    sits below ``environment``, which re-exports it).
    """
    own = {REPO_ROOT / "fcn_course" / "environment.py", REPO_ROOT / "benchmarks" / "mutation_test.py"}
    catalogue = REPO_ROOT / "fcn_course" / "messages" / "__init__.py"
    notebooks = REPO_ROOT / "solutions" / "notebooks"
    code = [
        path
        for folder in ("fcn_course", "scripts", "benchmarks", "solutions")
        for path in sorted((REPO_ROOT / folder).rglob("*.py"))
        if path not in own and notebooks not in path.parents
    ]
    assert len(code) > 30
    spelled = [
        f"{path.relative_to(REPO_ROOT)}:{line} {name}"
        for path in code
        for line, name in _spelled_names(path)
        if not (path == catalogue and name == "FCN_COURSE_LANG")
    ]
    assert catalogue in code and not spelled, "import these names from fcn_course.environment:\n" + "\n".join(spelled)


def test_the_scan_finds_a_copied_name(tmp_path):
    """The scan above sees both spellings it looks for."""
    sample = tmp_path / "sample.py"
    sample.write_text('SMOKE = "FCN_COURSE_SMOKE"\nenv = dict(FCN_COURSE_DATA="x")\n', encoding="utf-8")
    assert _spelled_names(sample) == [(1, "FCN_COURSE_SMOKE"), (2, "FCN_COURSE_DATA=")]


@pytest.mark.parametrize(
    "environ, profile, source",
    [
        ({}, None, "default"),
        ({"FCN_COURSE_PROFILE": " Demo "}, "demo", "FCN_COURSE_PROFILE=Demo"),
        ({"FCN_COURSE_SMOKE": "yes"}, "smoke", "FCN_COURSE_SMOKE=1"),
        ({"FCN_COURSE_SMOKE": "ON"}, "smoke", "FCN_COURSE_SMOKE=1"),
        ({"FCN_COURSE_SMOKE": "0"}, None, "default"),
        ({"FCN_COURSE_PROFILE": "full", "FCN_COURSE_SMOKE": "1"}, "full", "FCN_COURSE_PROFILE=full"),
        ({"FCN_COURSE_PROFILE": "  ", "FCN_COURSE_SMOKE": "1"}, "smoke", "FCN_COURSE_SMOKE=1"),
    ],
)
def test_which_variable_chooses_the_profile(environ, profile, source):
    environment = read_environment(environ)
    assert (environment.profile, environment.profile_source) == (profile, source)


def test_an_unknown_profile_is_refused_with_the_valid_ones():
    with pytest.raises(ValueError, match="FCN_COURSE_PROFILE='fast'.*full, demo, smoke"):
        read_environment({"FCN_COURSE_PROFILE": "fast"})


def test_an_unknown_profile_is_said_in_the_course_language():
    portuguese, english = raised_in_each_language(ValueError, read_environment, {"FCN_COURSE_PROFILE": "fast"})
    assert "FCN_COURSE_PROFILE='fast' não é um perfil do curso; escolha um de full, demo, smoke" in portuguese
    assert "FCN_COURSE_PROFILE='fast' is not a profile of the course; choose one of full, demo, smoke" in english


def test_folders_flags_and_defaults(tmp_path):
    given = read_environment(
        {
            "FCN_COURSE_DATA": str(tmp_path / "data"),
            "FCN_COURSE_RUNS": "~/r",
            "FCN_COURSE_WEIGHTS": " ",
            "FCN_COURSE_STATIC": "true",
        }
    )
    assert given.data_dir == tmp_path / "data" and given.runs_dir == Path("~/r").expanduser()
    assert given.weights is None and given.static_widgets
    default = read_environment({})
    assert default.data_dir == Path.home() / "fcn_course_data" and default.runs_dir == Path("runs")
    assert default.weights is None and not default.static_widgets
    assert not read_environment({"FCN_COURSE_STATIC": "0"}).static_widgets


def test_the_process_environment_is_the_default(monkeypatch, tmp_path):
    monkeypatch.setenv("FCN_COURSE_DATA", str(tmp_path))
    assert read_environment().data_dir == tmp_path


@pytest.mark.parametrize(
    "environ, language", [({}, None), ({"FCN_COURSE_LANG": " "}, None), ({"FCN_COURSE_LANG": " en "}, "en")]
)
def test_the_language_variable_is_read_as_written(environ, language):
    """FCN_COURSE_LANG is read here, as written: fcn_course.messages checks it against its languages."""
    assert read_environment(environ).language == language
    assert environment.read_language(environ) == language

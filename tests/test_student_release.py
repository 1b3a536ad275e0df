"""The student release as a student meets it: unzipped, installed in a fresh virtualenv, used outside the repo.

The fresh virtualenv sees this environment's packages (torch, jupytext, ...) through a ``.pth`` line that
names their folder, so nothing is downloaded. A plain path line does not run the ``.pth`` files of that
folder, so the editable install of the repository's ``fcn_course`` stays invisible: what the tests import is
the released copy.
"""

import os
import subprocess
import sys
import sysconfig
import textwrap
import zipfile
from pathlib import Path

import pytest

from fcn_course.instructor.release import release

ROOT = Path(__file__).resolve().parent.parent
# Every test needs the release installed in a fresh virtualenv (its python runs as a child process).
pytestmark = pytest.mark.subprocess

STUB_ERRORS = {"NotImplementedError", "ExerciseNotDone"}  # as in test_notebooks.py


def _site_packages(venv: Path) -> Path:
    relative = Path(sysconfig.get_path("purelib")).relative_to(sys.prefix)
    return venv / relative


def _run(python: Path, *args, cwd: Path, check: bool = True) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "VIRTUAL_ENV")}
    completed = subprocess.run([str(python), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300)
    if check and completed.returncode != 0:
        raise AssertionError(f"{args} failed ({completed.returncode}):\n{completed.stdout}\n{completed.stderr}")
    return completed


@pytest.fixture(scope="module")
def installed_release(tmp_path_factory):
    """(python of a fresh virtualenv with the released fcn_course installed, unzipped release, work folder)."""
    tmp = tmp_path_factory.mktemp("student_release")
    zip_path = release(ROOT, tmp / "dist")
    with zipfile.ZipFile(zip_path) as archive:
        archive.extractall(tmp / "unzipped")
    unzipped = tmp / "unzipped" / "fcn-course"

    venv = tmp / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    python = venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    site = _site_packages(venv)
    (site / "course_environment.pth").write_text(sysconfig.get_path("purelib") + "\n")
    _run(
        python,
        "-m",
        "pip",
        "install",
        "--quiet",
        "--no-deps",
        "--no-build-isolation",
        "--no-index",
        str(unzipped),
        cwd=tmp,
    )
    work = tmp / "student"
    work.mkdir()
    return python, unzipped, work


def test_the_released_package_is_the_one_imported_and_has_no_instructor_wing(installed_release):
    python, _, work = installed_release
    code = (
        "import importlib.util, fcn_course; print(fcn_course.__file__); "
        "print(importlib.util.find_spec('fcn_course.instructor'))"
    )
    location, instructor = _run(python, "-c", code, cwd=work).stdout.split()
    assert Path(location).is_relative_to(python.parent.parent), location  # the venv, not the repository
    assert instructor == "None"


@pytest.mark.parametrize("command", ["build", "course", "grade"])
def test_instructor_commands_say_where_they_run(installed_release, command):
    python, _, work = installed_release
    completed = _run(python, "-m", "fcn_course", command, cwd=work, check=False)
    assert completed.returncode == 2
    assert f"python -m fcn_course.instructor {command}" in completed.stderr
    assert "comando do professor" in completed.stderr


def test_student_help_works(installed_release, monkeypatch):
    """In Portuguese by default; FCN_COURSE_LANG=en switches the installed package to English."""
    python, _, work = installed_release
    out = _run(python, "-m", "fcn_course", "--help", cwd=work).stdout
    assert "synth" in out and "predict" in out and "Comandos do aluno" in out
    monkeypatch.setenv("FCN_COURSE_LANG", "en")
    assert "Student commands" in _run(python, "-m", "fcn_course", "--help", cwd=work).stdout


@pytest.mark.kernel
def test_released_notebook_01_runs_to_its_end(installed_release):
    """In the release's own kernel (this virtualenv): notebook 01's only exercise is optional, so an untouched
    notebook runs every cell ("Run All" never stops there)."""
    python, unzipped, work = installed_release
    script = textwrap.dedent('''
        import sys
        import nbformat
        from nbclient import NotebookClient
        from nbclient.exceptions import CellExecutionError

        nb = nbformat.read(sys.argv[1], as_version=4)
        client = NotebookClient(nb, timeout=300, kernel_name="python3",
                                resources={"metadata": {"path": sys.argv[2]}})
        try:
            client.execute()
        except CellExecutionError as error:
            print(error.ename)
        source = "import fcn_course; print(fcn_course.__file__)"
        client = NotebookClient(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source)]),
                                kernel_name="python3")
        print(client.execute().cells[0].outputs[0]["text"].strip())
    ''')
    notebook = unzipped / "notebooks" / "01_dados_e_metricas.ipynb"
    lines = _run(python, "-c", script, str(notebook), str(notebook.parent), cwd=work).stdout.split()
    assert len(lines) == 1 and lines[0] not in STUB_ERRORS, lines  # no error name printed before the path
    assert Path(lines[-1]).is_relative_to(python.parent.parent)  # the kernel used the released package

"""The "Abrir no Colab" badge and set-up cell: present in every notebook, inert outside Colab, one-step on Colab.

Colab is simulated: a fake ``google.colab`` module (with a fake ``drive``) in ``sys.modules`` and a fake
``subprocess.run`` that records the install command instead of running it. No network.
"""
import os
import subprocess
import sys
import types

import nbformat
import pytest

from fcn_course import colab
from fcn_course.outline import COURSE_NOTEBOOKS
from fcn_course.instructor import REPO_ROOT

NOTEBOOK_FOLDERS = ("notebooks", "solutions/notebooks")


@pytest.mark.parametrize("folder", NOTEBOOK_FOLDERS)
@pytest.mark.parametrize("name", COURSE_NOTEBOOKS)
def test_every_notebook_starts_with_the_badge_and_the_setup_cell(folder, name):
    cells = nbformat.read(REPO_ROOT / folder / f"{name}.ipynb", as_version=4).cells
    expected_badge, expected_setup = colab.badge_markdown(name), colab.setup_cell_source()
    assert cells[0].cell_type == "markdown" and cells[0].source == expected_badge, (
        f"the first cell of {folder}/{name} must be the Colab badge; put this cell first in "
        f"solutions/notebooks/{name}.py and run `python -m fcn_course.instructor build`:\n{expected_badge}")
    assert cells[1].cell_type == "code" and cells[1].source == expected_setup, (
        f"the second cell of {folder}/{name} must be the Colab set-up cell:\n{expected_setup}")


def test_badge_opens_the_student_notebook_of_the_repository_on_colab():
    badge = colab.badge_markdown("02_fcn_alexnet")
    assert "Abrir no Colab" in badge and colab.COLAB_BADGE_IMAGE in badge
    assert (f"https://colab.research.google.com/github/{colab.REPOSITORY}/blob/main/notebooks/02_fcn_alexnet.ipynb"
            in badge)
    assert colab.REPOSITORY_URL in colab.setup_cell_source()


class FakeRun:
    """Stands in for subprocess.run: records commands; 'installs' by making fcn_course importable again."""

    def __init__(self, monkeypatch):
        self.calls = []
        self.monkeypatch = monkeypatch

    def __call__(self, command, **kwargs):
        self.calls.append((command, kwargs))
        self.monkeypatch.setattr("importlib.util.find_spec", self.real_find_spec)
        return subprocess.CompletedProcess(command, 0)

    real_find_spec = staticmethod(__import__("importlib.util").util.find_spec)


@pytest.fixture
def fake_run(monkeypatch):
    run = FakeRun(monkeypatch)
    monkeypatch.setattr(subprocess, "run", run)
    return run


@pytest.fixture
def fake_colab(monkeypatch):
    """A simulated Colab runtime: ``google.colab`` and ``google.colab.drive`` whose mount is recorded."""
    mounts = []
    google = types.ModuleType("google")
    google_colab = types.ModuleType("google.colab")
    drive = types.ModuleType("google.colab.drive")
    drive.mount = lambda mount_point, **kwargs: mounts.append(mount_point)
    google_colab.drive = drive
    google.colab = google_colab
    for name, module in [("google", google), ("google.colab", google_colab), ("google.colab.drive", drive)]:
        monkeypatch.setitem(sys.modules, name, module)
    return mounts


def run_setup_cell(use_drive=False):
    source = colab.setup_cell_source()
    if use_drive:
        source = source.replace(f"{colab.DRIVE_FLAG} = False", f"{colab.DRIVE_FLAG} = True")
    namespace = {}
    exec(compile(source, "<setup cell>", "exec"), namespace)
    return namespace


def pretend_not_installed(monkeypatch):
    real = FakeRun.real_find_spec
    monkeypatch.setattr("importlib.util.find_spec",
                        lambda name, *args: None if name == "fcn_course" else real(name, *args))


def test_setup_cell_does_nothing_outside_colab(monkeypatch, fake_run):
    monkeypatch.delitem(sys.modules, "google.colab", raising=False)
    monkeypatch.delenv(colab.DATA_ENV, raising=False)
    pretend_not_installed(monkeypatch)
    run_setup_cell(use_drive=True)
    assert fake_run.calls == []
    assert colab.DATA_ENV not in os.environ


def test_setup_cell_installs_the_course_from_the_repository_on_colab(monkeypatch, fake_run, fake_colab, capsys):
    monkeypatch.delenv(colab.DATA_ENV, raising=False)
    pretend_not_installed(monkeypatch)
    run_setup_cell(use_drive=False)
    [(command, kwargs)] = fake_run.calls
    assert command[:4] == [sys.executable, "-m", "pip", "install"]
    assert command[-1] == f"git+{colab.REPOSITORY_URL}"
    assert kwargs.get("check") is True  # a failed install stops the cell with pip's error
    assert fake_colab == []  # Drive is not mounted unless asked for
    assert colab.DATA_ENV not in os.environ
    assert "Curso instalado" in capsys.readouterr().out


def test_setup_cell_skips_the_install_when_the_course_is_already_there(monkeypatch, fake_run, fake_colab):
    monkeypatch.delenv(colab.DATA_ENV, raising=False)
    run_setup_cell()
    assert fake_run.calls == []


def test_setup_cell_puts_the_data_folder_on_drive_when_asked(monkeypatch, tmp_path, fake_run, fake_colab):
    monkeypatch.delenv(colab.DATA_ENV, raising=False)
    monkeypatch.setattr(colab, "DRIVE_MOUNT_POINT", str(tmp_path / "drive"))
    pretend_not_installed(monkeypatch)
    run_setup_cell(use_drive=True)
    assert len(fake_run.calls) == 1
    assert fake_colab == [str(tmp_path / "drive")]
    data = tmp_path / "drive" / colab.DRIVE_DATA_FOLDER
    assert os.environ[colab.DATA_ENV] == str(data) and data.is_dir()
    from fcn_course.config import read_environment

    assert read_environment().data_dir == data  # the course reads the folder the cell chose

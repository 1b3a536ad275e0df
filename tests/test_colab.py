"""The "Abrir no Colab" badge and set-up cell: present in every notebook, inert outside Colab, one-step on Colab,
written by the build for the one repository setting.

Colab is simulated: a fake ``google.colab`` module (with a fake ``drive``, the ``fake_colab`` fixture of
conftest.py) in ``sys.modules`` and a fake ``subprocess.run`` that records the install command instead of
running it. No network.
"""

import os
import subprocess
import sys

import nbformat
import pytest

from fcn_course import colab
from fcn_course.instructor import REPO_ROOT
from fcn_course.instructor.build import build
from fcn_course.instructor.colab_cells import ColabRepositoryError, colab_repository, github_repository
from fcn_course.instructor.sync import check_in_sync
from fcn_course.outline import COURSE_NOTEBOOKS
from tiny_course import build_fix, make_repo

NOTEBOOK_FOLDERS = ("notebooks", "solutions/notebooks")


@pytest.mark.parametrize("folder", NOTEBOOK_FOLDERS)
@pytest.mark.parametrize("name", COURSE_NOTEBOOKS)
def test_every_notebook_starts_with_the_badge_and_the_setup_cell(folder, name):
    cells = nbformat.read(REPO_ROOT / folder / f"{name}.ipynb", as_version=4).cells
    repository = colab_repository(REPO_ROOT)
    expected_badge, expected_setup = colab.badge_markdown(name, repository), colab.setup_cell_source(repository)
    assert cells[0].cell_type == "markdown" and cells[0].source == expected_badge, (
        f"the first cell of {folder}/{name} must be the Colab badge; put this cell first in "
        f"solutions/notebooks/{name}.py and run `python -m fcn_course.instructor build`:\n{expected_badge}"
    )
    assert cells[1].cell_type == "code" and cells[1].source == expected_setup, (
        f"the second cell of {folder}/{name} must be the Colab set-up cell (`python -m fcn_course.instructor "
        f"build` writes it):\n{expected_setup}"
    )


def test_the_reference_page_has_an_address_that_works_on_colab():
    """Colab opens a notebook alone, so a relative link to notebooks/referencia.md leads nowhere there."""
    assert colab.reference_url("ana/fork") == "https://github.com/ana/fork/blob/main/notebooks/referencia.md"
    assert colab.reference_url() == f"https://github.com/{colab.REPOSITORY}/blob/main/notebooks/referencia.md"


def test_badge_opens_the_student_notebook_of_the_repository_on_colab():
    badge = colab.badge_markdown("02_fcn_alexnet")
    assert "Abrir no Colab" in badge and colab.COLAB_BADGE_IMAGE in badge
    assert (
        f"https://colab.research.google.com/github/{colab.REPOSITORY}/blob/main/notebooks/02_fcn_alexnet.ipynb" in badge
    )
    assert colab.REPOSITORY_URL in colab.setup_cell_source()


class FakeRun:
    """Stands in for subprocess.run: records commands; 'installs' by making fcn_course importable again, or
    fails like pip (exit status 1) when ``returncode`` is 1."""

    def __init__(self, monkeypatch):
        self.calls = []
        self.monkeypatch = monkeypatch
        self.returncode = 0

    def __call__(self, command, **kwargs):
        self.calls.append((command, kwargs))
        if self.returncode == 0:
            self.monkeypatch.setattr("importlib.util.find_spec", self.real_find_spec)
        return subprocess.CompletedProcess(command, self.returncode)

    real_find_spec = staticmethod(__import__("importlib.util").util.find_spec)


@pytest.fixture
def fake_run(monkeypatch):
    run = FakeRun(monkeypatch)
    monkeypatch.setattr(subprocess, "run", run)
    return run


def run_setup_cell(use_drive=False):
    source = colab.setup_cell_source()
    if use_drive:
        source = source.replace(f"{colab.DRIVE_FLAG} = False", f"{colab.DRIVE_FLAG} = True")
    namespace = {}
    exec(compile(source, "<setup cell>", "exec"), namespace)
    return namespace


def pretend_not_installed(monkeypatch):
    real = FakeRun.real_find_spec
    monkeypatch.setattr(
        "importlib.util.find_spec", lambda name, *args: None if name == "fcn_course" else real(name, *args)
    )


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


@pytest.mark.parametrize("repository", [colab.REPOSITORY, "a-very-long-owner-name/a-very-long-repository-name"])
def test_a_failed_install_stops_the_cell_with_a_portuguese_message(monkeypatch, fake_run, fake_colab, repository):
    monkeypatch.delenv(colab.DATA_ENV, raising=False)
    pretend_not_installed(monkeypatch)
    fake_run.returncode = 1  # pip could not clone the repository (private, misspelt, no network)
    cell = colab.setup_cell_source(repository)
    with pytest.raises(RuntimeError) as error:
        exec(compile(cell, "<setup cell>", "exec"), {})
    assert type(error.value) is RuntimeError  # not subprocess.CalledProcessError and its English traceback
    message = str(error.value)  # the cell's message, written over several short lines, joins back exactly
    assert message == colab.text("colab.install_failed", url=colab.repository_url(repository))
    assert "Não consegui instalar o curso" in message and "repositório privado" in message
    assert fake_colab == []  # nothing else ran
    message_lines = cell.split("raise RuntimeError(")[1].splitlines()
    assert all(len(line) <= 100 for line in message_lines if colab.repository_url(repository) not in line)


# --------------------------------------------------------------------------------------------------
# One setting, fcn_course.colab.REPOSITORY, and the build writes the cells from it
# --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "remote, repository",
    [
        ("https://github.com/ana/fcn-course.git", "ana/fcn-course"),
        ("https://github.com/ana/fcn-course", "ana/fcn-course"),
        ("git@github.com:ana/fcn.course.git\n", "ana/fcn.course"),
        ("ssh://git@github.com/prof-x/curso_fcn.git", "prof-x/curso_fcn"),
        ("https://token@github.com/ana/fcn-course.git", "ana/fcn-course"),
        ("https://gitlab.com/ana/fcn-course.git", None),
        ("/home/ana/fcn-course", None),
    ],
)
def test_github_repository_of_a_remote_address(remote, repository):
    assert github_repository(remote) == repository


def _git(folder, *arguments):
    subprocess.run(["git", *arguments], cwd=folder, check=True, capture_output=True)


@pytest.mark.subprocess  # git
def test_origin_takes_the_repository_of_the_git_remote(tmp_path):
    _git(tmp_path, "init", "-q")
    with pytest.raises(ColabRepositoryError, match="get-url origin"):
        colab_repository(tmp_path, "origin")  # no remote yet: the message says what to write instead
    _git(tmp_path, "remote", "add", "origin", "git@github.com:prof-x/fcn-alunos.git")
    assert colab_repository(tmp_path, "origin") == "prof-x/fcn-alunos"
    assert colab_repository(tmp_path, "ana/fork") == "ana/fork"  # an explicit setting wins
    with pytest.raises(ColabRepositoryError, match="dono/nome"):
        colab_repository(tmp_path, "https://github.com/ana/fork")


COLAB_NOTEBOOK = """
    # %% [markdown]
    # {badge}

    # %%
    {setup}

    # %% [markdown]
    # # 01 · Título
    #
    # A [referência rápida](referencia.md) ([no GitHub]({reference})).
"""


def _colab_repo(tmp_path, repository):
    """A tiny course whose notebook starts with the Colab cells written for ``repository``."""
    setup = "\n    ".join(colab.setup_cell_source(repository).splitlines())
    return make_repo(
        tmp_path,
        {
            "01_demo": COLAB_NOTEBOOK.format(
                badge=colab.badge_markdown("01_demo", repository),
                setup=setup,
                reference=colab.reference_url(repository),
            )
        },
    )


def test_the_build_rewrites_both_colab_cells_from_the_setting(tmp_path, monkeypatch):
    repo = _colab_repo(tmp_path, "upstream/fcn-course")
    build(repo, names=("01_demo",), quiet=True)
    assert check_in_sync(repo, names=("01_demo",)) == []
    monkeypatch.setattr(colab, "REPOSITORY", "my-fork/fcn-course")
    assert any(problem.endswith(build_fix()) for problem in check_in_sync(repo, names=("01_demo",)))
    build(repo, names=("01_demo",), quiet=True)
    for folder in ("solutions/notebooks", "notebooks"):
        cells = nbformat.read(repo / folder / "01_demo.ipynb", as_version=4).cells
        assert cells[0].source == colab.badge_markdown("01_demo", "my-fork/fcn-course")
        assert cells[1].source == colab.setup_cell_source("my-fork/fcn-course")
        assert f"([no GitHub]({colab.reference_url('my-fork/fcn-course')}))" in cells[2].source
        assert "upstream" not in (repo / folder / "01_demo.py").read_text()
    assert check_in_sync(repo, names=("01_demo",)) == []


@pytest.mark.subprocess  # git
def test_the_build_can_take_the_repository_from_the_git_remote(tmp_path, monkeypatch):
    repo = _colab_repo(tmp_path, "upstream/fcn-course")
    _git(repo, "init", "-q")
    _git(repo, "remote", "add", "origin", "https://github.com/prof-x/fcn-alunos.git")
    monkeypatch.setattr(colab, "REPOSITORY", colab.FROM_ORIGIN)
    build(repo, names=("01_demo",), quiet=True)
    cells = nbformat.read(repo / "notebooks" / "01_demo.ipynb", as_version=4).cells
    assert "github/prof-x/fcn-alunos/blob/main/notebooks/01_demo.ipynb" in cells[0].source
    assert "git+https://github.com/prof-x/fcn-alunos" in cells[1].source


def test_a_setting_that_is_not_a_repository_is_reported_by_check(tmp_path, monkeypatch):
    repo = _colab_repo(tmp_path, "upstream/fcn-course")
    build(repo, names=("01_demo",), quiet=True)
    monkeypatch.setattr(colab, "REPOSITORY", "not a repository")
    [problem] = check_in_sync(repo, names=("01_demo",))
    assert "REPOSITORY in fcn_course/colab.py" in problem and "dono/nome" in problem


def test_on_colab_only_where_google_colab_is_loaded(fake_colab, monkeypatch):
    assert colab.on_colab()
    monkeypatch.delitem(sys.modules, "google.colab")
    assert not colab.on_colab()


def test_setup_colab_run_again_reuses_the_drive_folder_and_says_where_the_data_goes(
    monkeypatch, tmp_path, fake_colab, capsys
):
    """A student runs the set-up cell again (a second session): the Drive folder exists, nothing fails."""
    monkeypatch.delenv(colab.DATA_ENV, raising=False)
    monkeypatch.setattr(colab, "DRIVE_MOUNT_POINT", str(tmp_path / "drive"))
    first, again = colab.setup_colab(use_drive=True), colab.setup_colab(use_drive=True)
    assert first == again == str(tmp_path / "drive" / colab.DRIVE_DATA_FOLDER)
    assert capsys.readouterr().out.count(first) == 2


def test_a_long_address_in_the_setup_cell_stays_whole_on_one_line():
    address = "https://github.com/" + "a" * 120 + "/fcn-course.git"
    lines = colab._string_lines(f"falhou a instalação de {address} agora", indent=4)
    assert any(address in line for line in lines)
    assert all(len(line) <= 100 for line in lines if address not in line)


# --------------------------------------------------------------------------------------------------
# A Colab setting that names no repository is said in the course's language (English in the English edition)
# --------------------------------------------------------------------------------------------------
@pytest.mark.subprocess  # git
def test_a_setting_without_a_github_repository_is_said_in_the_course_language(tmp_path, monkeypatch):
    from fcn_course.instructor import colab_cells
    from helpers import raised_in_each_language

    _git(tmp_path, "init", "-q")
    portuguese, english = raised_in_each_language(ColabRepositoryError, colab_repository, tmp_path, "origin")
    assert "não é um repositório do GitHub" in portuguese and '"dono/nome"' in portuguese
    assert "not a GitHub repository" in english and '"owner/name"' in english
    portuguese, english = raised_in_each_language(ColabRepositoryError, colab_repository, tmp_path, "a b")
    assert "'a b': escreva um repositório do GitHub" in portuguese
    assert "'a b': write a GitHub repository" in english

    def no_git(*args, **kwargs):
        raise FileNotFoundError("git")

    monkeypatch.setattr(colab_cells.subprocess, "run", no_git)
    portuguese, english = raised_in_each_language(ColabRepositoryError, colab_repository, tmp_path, "origin")
    assert "não foi possível rodar o git" in portuguese
    assert "git could not be run" in english

"""Tests of ``publish`` (fcn_course.instructor.publish): the student release as a git repository of its own,
on a tiny course in temporary folders. Runs git."""

import subprocess
import zipfile

import pytest

from fcn_course.messages import text
from fcn_course.instructor.build import build
from fcn_course.instructor.leaks import scan_for_leaks
from fcn_course.instructor.colab_cells import colab_repository
from fcn_course.instructor.publish import PublishError, check_publish_folder, publish
from fcn_course.instructor.release import RELEASE_MARKER, ReleaseError, SolutionLeakError
from helpers import raised_in_each_language
from tiny_course import TINY_OUTLINE, edit_solution_py, make_repo

pytestmark = pytest.mark.subprocess


@pytest.fixture
def course(tmp_path, monkeypatch):
    """A built tiny course; git commits get a fixed author (a CI machine may have none configured)."""
    for variable in ("GIT_AUTHOR_NAME", "GIT_COMMITTER_NAME"):
        monkeypatch.setenv(variable, "Professora")
    for variable in ("GIT_AUTHOR_EMAIL", "GIT_COMMITTER_EMAIL"):
        monkeypatch.setenv(variable, "prof@example.org")
    repo = make_repo(tmp_path)
    build(repo, names=TINY_OUTLINE, quiet=True)
    return repo


def git(folder, *arguments) -> str:
    return subprocess.run(["git", *arguments], cwd=folder, check=True, capture_output=True, text=True).stdout


def tracked(folder) -> list:
    return git(folder, "ls-files").split()


def test_publish_makes_a_repository_with_the_release_only(course, tmp_path):
    out = tmp_path / "alunos"
    assert publish(course, out, names=TINY_OUTLINE) is True
    files = tracked(out)
    assert "notebooks/01_demo.ipynb" in files and "fcn_course/__init__.py" in files and RELEASE_MARKER in files
    assert not any(name.startswith("solutions/") or "instructor" in name for name in files)
    assert git(out, "rev-parse", "--abbrev-ref", "HEAD").strip() == "main"
    assert len(git(out, "log", "--oneline").splitlines()) == 1
    # The leak scan over everything that would be pushed.
    archive = tmp_path / "pushed.zip"
    with zipfile.ZipFile(archive, "w") as pushed:
        for name in files:
            pushed.write(out / name, f"alunos/{name}")
    assert scan_for_leaks(archive, course) == []


def test_publishing_again_commits_only_a_change(course, tmp_path, capsys):
    out = tmp_path / "alunos"
    publish(course, out, names=TINY_OUTLINE)
    assert "git remote add origin https://github.com/" in capsys.readouterr().out
    assert publish(course, out, names=TINY_OUTLINE) is False
    assert text("publish.unchanged", out=out) in capsys.readouterr().out
    (course / "fcn_course" / "extra.py").write_text("EXTRA = 1\n")
    assert publish(course, out, names=TINY_OUTLINE) is True
    assert "fcn_course/extra.py" in tracked(out)
    assert "git remote add" not in capsys.readouterr().out  # the remote was added after the first publication
    edit_solution_py(course)
    build(course, names=TINY_OUTLINE, quiet=True)
    (course / "fcn_course" / "extra.py").unlink()  # a file the release no longer has leaves the repository too
    assert publish(course, out, names=TINY_OUTLINE) is True
    assert "fcn_course/extra.py" not in tracked(out) and "root(25)" in (out / "notebooks" / "01_demo.py").read_text()
    assert len(git(out, "log", "--oneline").splitlines()) == 3
    assert git(out, "status", "--porcelain") == ""


def test_the_first_publication_says_how_to_push_to_the_repository_the_colab_cells_name(course, tmp_path, capsys):
    out = tmp_path / "alunos"
    publish(course, out, names=TINY_OUTLINE)
    printed = capsys.readouterr().out
    assert f"  git remote add origin https://github.com/{colab_repository(course)}.git\n" in printed
    assert printed.rstrip().endswith("git push -u origin main")


def test_publish_makes_the_missing_parent_folders_and_accepts_an_empty_folder(course, tmp_path):
    assert publish(course, tmp_path / "cursos" / "2026" / "alunos", names=TINY_OUTLINE) is True
    assert RELEASE_MARKER in tracked(tmp_path / "cursos" / "2026" / "alunos")
    (tmp_path / "vazia").mkdir()
    assert publish(course, tmp_path / "vazia", names=TINY_OUTLINE) is True
    assert RELEASE_MARKER in tracked(tmp_path / "vazia")


def test_check_publish_folder_tells_a_new_folder_from_a_published_one(course, tmp_path):
    out = tmp_path / "alunos"
    assert check_publish_folder(course, out) is False
    out.mkdir()
    assert check_publish_folder(course, out) is False
    publish(course, out, names=TINY_OUTLINE)
    assert check_publish_folder(course, out) is True


def init_repository_with_notes(repo, out):
    out.mkdir()
    git(out, "init", "-q")
    (out / "notas.txt").write_text("minhas notas")


def marker_without_repository(repo, out):
    out.mkdir()
    (out / RELEASE_MARKER).write_text("")


@pytest.mark.parametrize(
    "prepare, message",
    [
        (lambda repo, out: (out.mkdir(), (out / "notas.txt").write_text("minhas notas")), "não escreveu"),
        (init_repository_with_notes, "não escreveu"),
        (marker_without_repository, "não escreveu"),
        (lambda repo, out: None, "repositório do curso"),
    ],
)
def test_publish_refuses_a_folder_it_did_not_make(course, tmp_path, prepare, message):
    out = tmp_path / "alunos" if message != "repositório do curso" else course / "publicado"
    prepare(course, out)
    before = sorted(path.name for path in out.iterdir()) if out.is_dir() else None
    with pytest.raises(PublishError, match=message):
        publish(course, out, names=TINY_OUTLINE)
    assert (sorted(path.name for path in out.iterdir()) if out.is_dir() else None) == before


def test_publish_refuses_uncommitted_edits_in_the_student_repository(course, tmp_path):
    out = tmp_path / "alunos"
    publish(course, out, names=TINY_OUTLINE)
    (out / "README.md").write_text("editado à mão")
    with pytest.raises(PublishError, match="não registradas"):
        publish(course, out, names=TINY_OUTLINE)
    assert (out / "README.md").read_text() == "editado à mão"


def test_a_git_failure_is_reported_with_git_own_message_as_text(course, tmp_path, monkeypatch):
    out = tmp_path / "alunos"
    (out / ".git").mkdir(parents=True)  # a broken repository: git itself refuses to work in it
    (out / RELEASE_MARKER).write_text("")
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    git_says = subprocess.run(["git", "status", "--porcelain"], cwd=out, capture_output=True, text=True)
    assert git_says.returncode != 0 and git_says.stderr.strip()
    with pytest.raises(PublishError) as refused:
        publish(course, out, names=TINY_OUTLINE)
    assert str(refused.value) == f"`git status --porcelain` falhou em {out.resolve()}:\n{git_says.stderr.strip()}"


def test_publish_checks_the_repository_the_colab_cells_name(course, tmp_path):
    with pytest.raises(PublishError, match="REPOSITORY"):
        publish(course, tmp_path / "alunos", repository="prof-x/fcn-alunos", names=TINY_OUTLINE)
    assert not (tmp_path / "alunos").exists()
    from fcn_course import colab

    assert publish(course, tmp_path / "alunos", repository=colab.REPOSITORY, names=TINY_OUTLINE) is True


def test_a_leak_stops_the_publication_before_the_repository_is_touched(course, tmp_path):
    (course / "fcn_course" / "helpers.py").write_text(
        "def double(x):\n    result = x * 2  # the doubled input, computed here\n    return result\n"
    )
    with pytest.raises(SolutionLeakError):
        publish(course, tmp_path / "alunos", names=TINY_OUTLINE)
    assert not (tmp_path / "alunos").exists()


def test_the_publish_command_says_why_it_refuses(course, tmp_path, monkeypatch, capsys):
    from fcn_course.instructor import __main__ as instructor_cli

    monkeypatch.setattr(instructor_cli, "repo_root", lambda: course)
    (tmp_path / "alunos").mkdir()
    (tmp_path / "alunos" / "notas.txt").write_text("minhas notas")
    assert instructor_cli.main(["publish", str(tmp_path / "alunos")]) == 1
    assert capsys.readouterr().err.startswith(text("instructor_cli.publish_refused", error=""))
    assert (tmp_path / "alunos" / "notas.txt").read_text() == "minhas notas"


# --------------------------------------------------------------------------------------------------
# Language editions (issue 24): the published repository is the one every Colab badge opens, and an
# English notebook's badge opens notebooks/en/: each translated edition goes there, with its pages.
# --------------------------------------------------------------------------------------------------
def test_publish_puts_each_edition_where_its_colab_badge_opens_it(tmp_path, monkeypatch):
    from fcn_course import colab
    from tiny_course import PAGES, make_english_course

    for variable in ("GIT_AUTHOR_NAME", "GIT_COMMITTER_NAME"):
        monkeypatch.setenv(variable, "Professora")
    for variable in ("GIT_AUTHOR_EMAIL", "GIT_COMMITTER_EMAIL"):
        monkeypatch.setenv(variable, "prof@example.org")
    course = make_english_course(tmp_path)
    out = tmp_path / "alunos"
    assert publish(course, out, names=TINY_OUTLINE) is True
    files = tracked(out)
    english = colab.notebook_folder("en")
    assert {f"{english}/01_demo.ipynb", f"{english}/01_demo.py", f"{english}/README.md"} <= set(files)
    assert colab.reference_url(language="en").endswith(f"{english}/referencia.md") and (
        f"{english}/referencia.md" in files
    )
    assert colab.colab_url("01_demo", language="en").endswith(f"{english}/01_demo.ipynb")
    assert "# # Exercises" in (out / english / "01_demo.py").read_text()
    assert (out / english / "README.md").read_text().endswith(PAGES["en"]["README.md"])
    assert (out / "README.md").read_text() == PAGES["pt_BR"]["README.md"]  # the course's own language at the top
    assert "Qual é a raiz" in (out / "notebooks" / "01_demo.py").read_text()
    assert not any(name.startswith("solutions/") or "instructor" in name for name in files)
    archive = tmp_path / "pushed.zip"
    with zipfile.ZipFile(archive, "w") as pushed:
        for name in files:
            pushed.write(out / name, f"alunos/{name}")
    assert scan_for_leaks(archive, course) == []


def test_publish_refuses_an_edition_without_its_pages(tmp_path):
    from tiny_course import make_english_course

    course = make_english_course(tmp_path)
    (course / "notebooks" / "en" / "README.md").unlink()
    with pytest.raises(ReleaseError, match="notebooks/en/README.md"):
        publish(course, tmp_path / "alunos", names=TINY_OUTLINE)
    assert not (tmp_path / "alunos").exists()


# --------------------------------------------------------------------------------------------------
# What stops publish is said in the course's language (Portuguese; English in the English edition)
# --------------------------------------------------------------------------------------------------
def test_git_that_cannot_run_or_fails_is_said_in_the_course_language(tmp_path, monkeypatch):
    from fcn_course.instructor import publish as module

    portuguese, english = raised_in_each_language(PublishError, module._git, tmp_path, "log")
    assert "`git log` falhou em" in portuguese
    assert "`git log` failed in" in english

    def no_git(*args, **kwargs):
        raise FileNotFoundError("git")

    monkeypatch.setattr(module.subprocess, "run", no_git)
    portuguese, english = raised_in_each_language(PublishError, module._git, tmp_path, "status")
    assert "não foi possível rodar o git" in portuguese and "instale o git" in portuguese
    assert "git could not be run" in english and "install git" in english


def test_a_folder_publish_may_not_use_is_said_in_the_course_language(tmp_path):
    from fcn_course.instructor.publish import check_publish_folder

    repo = tmp_path / "repo"
    repo.mkdir()
    portuguese, english = raised_in_each_language(PublishError, check_publish_folder, repo, repo / "alunos")
    assert "fica dentro do repositório do curso" in portuguese
    assert "lies inside the course repository" in english
    out = tmp_path / "alunos"
    out.mkdir()
    (out / "notas.txt").write_text("minhas notas")
    portuguese, english = raised_in_each_language(PublishError, check_publish_folder, repo, out)
    assert "que o `publish` não escreveu" in portuguese
    assert "that `publish` did not write" in english
    (out / RELEASE_MARKER).write_text("release")
    subprocess.run(["git", "init", "-q"], cwd=out, check=True)
    portuguese, english = raised_in_each_language(PublishError, check_publish_folder, repo, out)
    assert "tem mudanças não registradas" in portuguese
    assert "has uncommitted changes" in english


def test_a_repository_the_colab_cells_do_not_name_is_said_in_the_course_language(tmp_path, monkeypatch):
    from fcn_course.instructor import publish as module

    monkeypatch.setattr(module, "colab_repository", lambda repo_root: "prof/fcn-course")
    check = module.check_colab_repository
    portuguese, english = raised_in_each_language(PublishError, check, tmp_path, "prof-x/fcn-alunos")
    assert 'abrem e instalam de github.com/prof/fcn-course, não de prof-x/fcn-alunos' in portuguese
    assert 'REPOSITORY = "prof-x/fcn-alunos"' in portuguese
    assert "open and install from github.com/prof/fcn-course on Colab, not prof-x/fcn-alunos" in english

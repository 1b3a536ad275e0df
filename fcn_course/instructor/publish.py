"""Publish the student release as a git repository of its own: what students, and Colab, read.

Pushing the course repository itself to a public host would give away ``solutions/`` and the rubric. Students
(and Colab's badge and set-up cell) need a public repository that holds only the student release:
``python -m fcn_course.instructor publish DIR`` makes ``DIR`` that repository. It builds the release
(``release``: no ``solutions/``, no instructor wing, refused when the leak scan finds a solution line or the
notebooks are out of date) and commits exactly its files in ``DIR``. It holds every language: the published
repository is the one each notebook's Colab badge opens, and an English notebook's badge opens
``notebooks/en/<notebook>.ipynb`` there (``colab.notebook_folder``), so each translated edition goes in its
folder, with its README and reference page (``release``'s ``editions``); the course's own language stays at the
top. So ``publish`` takes no ``--lang``: ``release --lang`` is the zip of one language.

Where it commits:

* a new or empty ``DIR``: ``git init``, branch ``main``, the first commit;
* a ``DIR`` published before (a git repository holding the release marker): its files are replaced by the
  new release and committed on top (the history stays; nothing is committed when nothing changed);
* anything else (a folder of yours, the course repository, a published folder with uncommitted edits) is
  refused, and nothing is changed.

It never pushes: it prints the two commands that do. With ``--repository owner/name`` it first checks that
the notebooks' Colab badge and set-up cell name that repository (``REPOSITORY`` in ``fcn_course/colab.py``).
"""

from __future__ import annotations

import datetime
import shutil
import subprocess
import tempfile
from pathlib import Path

from fcn_course.instructor.colab_cells import colab_repository
from fcn_course.instructor.release import RELEASE_MARKER, ReleaseError, release
from fcn_course.messages import text
from fcn_course.outline import COURSE_NOTEBOOKS

BRANCH = "main"  # the branch Colab's badge opens (fcn_course.colab.BRANCH)


class PublishError(ReleaseError):
    """The student repository cannot be written (see the message for what to do)."""


def _git(folder: Path, *arguments: str) -> str:
    """Run git in ``folder``; its output, or PublishError with git's own message."""
    try:
        done = subprocess.run(["git", *arguments], cwd=folder, capture_output=True, text=True)
    except OSError as error:
        raise PublishError(text("publish.no_git", error=error)) from None
    if done.returncode != 0:
        raise PublishError(
            text("publish.git_failed", command=" ".join(arguments), folder=folder, stderr=done.stderr.strip())
        )
    return done.stdout


def _is_inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def check_publish_folder(repo_root: Path, out_dir: Path) -> bool:
    """Refuse an ``out_dir`` that publishing could harm; True when it was published before, False when new.

    Refused: the course repository, a folder inside it or around it, a non-empty folder that is not a
    published student repository, and a published one with uncommitted changes (they would be lost).
    """
    repo, out = repo_root.resolve(), out_dir.resolve()
    if _is_inside(out, repo) or _is_inside(repo, out):
        raise PublishError(text("publish.out_in_repository", out=out_dir, repo=repo))
    if not out.is_dir() or not any(out.iterdir()):
        return False
    if not ((out / ".git").is_dir() and (out / RELEASE_MARKER).is_file()):
        raise PublishError(text("publish.out_foreign", out=out_dir, marker=RELEASE_MARKER))
    if _git(out, "status", "--porcelain").strip():
        raise PublishError(text("publish.uncommitted", out=out_dir))
    return True


def check_colab_repository(repo_root: Path, repository: str) -> None:
    """PublishError unless the notebooks' Colab cells name ``repository`` (the one they are pushed to)."""
    configured = colab_repository(repo_root)
    if configured != repository:
        raise PublishError(text("publish.colab_elsewhere", configured=configured, repository=repository))


def _replace_files(out: Path, release_folder: Path) -> None:
    """Make ``out`` hold exactly the files of ``release_folder``; ``out/.git`` is kept."""
    for entry in out.iterdir():
        if entry.name == ".git":
            continue
        shutil.rmtree(entry) if entry.is_dir() and not entry.is_symlink() else entry.unlink()
    shutil.copytree(release_folder, out, dirs_exist_ok=True)


def publish(repo_root, out_dir, repository: str = None, names=COURSE_NOTEBOOKS) -> bool:
    """Write the student release into the git repository ``out_dir`` and commit it (see the module's docstring).

    ``repository`` (GitHub ``owner/name``), when given, must be what the notebooks' Colab cells name.
    Returns True when a commit was made, False when the release had not changed. ``names``: the course
    outline (tests pass a tiny course's).
    """
    repo_root, out = Path(repo_root), Path(out_dir)
    published_before = check_publish_folder(repo_root, out)
    if repository is not None:
        check_colab_repository(repo_root, repository)
    with tempfile.TemporaryDirectory() as scratch:
        # The leak scan and the up-to-date check; every translated edition in notebooks/<language>/.
        zip_path = release(repo_root, scratch, names=names, editions=True)
        out.mkdir(parents=True, exist_ok=True)
        if not published_before:
            _git(out, "init", "-q")
            _git(out, "symbolic-ref", "HEAD", f"refs/heads/{BRANCH}")
        _replace_files(out, zip_path.with_suffix(""))
    _git(out, "add", "--all")
    if not _git(out, "status", "--porcelain").strip():
        print(text("publish.unchanged", out=out))
        return False
    _git(out, "commit", "-q", "-m", f"Student release of {datetime.date.today().isoformat()}")
    target = repository or colab_repository(repo_root)
    remote = "" if published_before else f"  git remote add origin https://github.com/{target}.git\n"
    print(text("publish.committed", out=out, target=target, remote=remote, branch=BRANCH))
    return True

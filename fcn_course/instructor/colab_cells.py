"""The Colab cells of the notebooks, rewritten by the build from the one setting ``fcn_course.colab.REPOSITORY``.

Every course notebook starts with the "Abrir no Colab" badge and the Colab set-up cell (``fcn_course.colab``),
and its title cell links the reference page on GitHub too (a relative link breaks on Colab). All of them name
the GitHub repository of the students' notebooks, so a fork, or a course whose student release is
published as its own repository (``publish``), changes one line, ``REPOSITORY`` in ``fcn_course/colab.py``,
and runs ``python -m fcn_course.instructor build``: the step :func:`refresh_colab_cells` rewrites both cells of
every solution notebook, and so of every student notebook. ``REPOSITORY = "origin"`` takes the repository
of ``git remote get-url origin`` at build time.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from fcn_course import colab
from fcn_course.instructor.student import NotebookBuildError
from fcn_course.messages import DEFAULT_LANGUAGE, LANGUAGES, text

# A badge in any language, for any repository and branch (the one to refresh), and the first line of the
# set-up cell in any language.
BADGE_PATTERN = re.compile(
    r"\[!\[(?:"
    + "|".join(re.escape(text("colab.badge", language=language)) for language in LANGUAGES)
    + r")\]\("
    + re.escape(colab.COLAB_BADGE_IMAGE)
    + r"\)\]\(https://colab\.research\.google\.com/github/[^)\s]+\.ipynb\)"
)
SETUP_FIRST_LINES = {colab.setup_cell_source(language=language).splitlines()[0] for language in LANGUAGES}
# The reference page's address on GitHub, for any repository, branch and language (the one to refresh).
REFERENCE_LINK = re.compile(
    r"https://github\.com/[A-Za-z0-9-]+/[A-Za-z0-9._-]+/blob/[^/\s)]+/notebooks/(?:[A-Za-z_]+/)?referencia\.md"
)
REPOSITORY_NAME = re.compile(r"[A-Za-z0-9-]+/[A-Za-z0-9._-]+")
# https://github.com/o/n(.git), git@github.com:o/n(.git), ssh://git@github.com/o/n(.git)
GITHUB_REMOTE = re.compile(
    r"^(?:https://(?:[^@/]+@)?github\.com/|git@github\.com:|ssh://git@github\.com/)"
    r"(?P<repository>[A-Za-z0-9-]+/[A-Za-z0-9._-]+?)(?:\.git)?/?$"
)
SETTING = "REPOSITORY in fcn_course/colab.py"  # where to change it, for messages


class ColabRepositoryError(NotebookBuildError):
    """The Colab repository setting cannot be turned into a GitHub "owner/name" (build and check say so)."""


def github_repository(remote_url: str):
    """``owner/name`` of a GitHub remote address (https or ssh); None for any other address."""
    match = GITHUB_REMOTE.match(remote_url.strip())
    return match["repository"] if match else None


def _origin(repo_root: Path) -> str:
    """The GitHub ``owner/name`` of ``git remote get-url origin`` in ``repo_root``."""
    try:
        done = subprocess.run(
            ["git", "remote", "get-url", "origin"], cwd=repo_root, capture_output=True, text=True, timeout=30
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        raise ColabRepositoryError(
            text("colab.origin_no_git", setting=SETTING, origin=colab.FROM_ORIGIN, error=error)
        ) from None
    repository = github_repository(done.stdout) if done.returncode == 0 else None
    if repository is None:
        found = done.stdout.strip() or done.stderr.strip() or "nothing"
        raise ColabRepositoryError(
            text("colab.origin_not_github", setting=SETTING, origin=colab.FROM_ORIGIN, repo_root=repo_root, found=found)
        )
    return repository


def colab_repository(repo_root, setting: str = None) -> str:
    """The GitHub ``owner/name`` the notebooks of ``repo_root`` open on Colab and install from.

    ``setting`` defaults to ``fcn_course.colab.REPOSITORY``: an ``owner/name``, or ``"origin"`` for the
    GitHub repository of ``git remote get-url origin`` in ``repo_root``.
    """
    setting = colab.REPOSITORY if setting is None else setting
    if setting == colab.FROM_ORIGIN:
        return _origin(Path(repo_root))
    if not REPOSITORY_NAME.fullmatch(setting):
        raise ColabRepositoryError(
            text("colab.bad_repository", setting=SETTING, setting_value=setting, origin=colab.FROM_ORIGIN)
        )
    return setting


def is_badge_cell(cell) -> bool:
    return cell.cell_type == "markdown" and bool(BADGE_PATTERN.fullmatch(cell.source.strip()))


def is_setup_cell(cell) -> bool:
    first_line = cell.source.splitlines()[:1]
    return cell.cell_type == "code" and bool(first_line) and first_line[0] in SETUP_FIRST_LINES


def links_the_reference_page(cell) -> bool:
    return cell.cell_type == "markdown" and bool(REFERENCE_LINK.search(cell.source))


def localised_colab_cell(cell, notebook: str, repository: str, language: str = DEFAULT_LANGUAGE):
    """The cell with its badge, set-up code or reference address written for ``repository`` in ``language``
    (``cell`` itself when it is none of those)."""
    if is_badge_cell(cell):
        cell.source = colab.badge_markdown(notebook, repository, language)
    elif is_setup_cell(cell):
        cell.source = colab.setup_cell_source(repository, language)
    elif links_the_reference_page(cell):
        cell.source = REFERENCE_LINK.sub(colab.reference_url(repository, language), cell.source)
    return cell


def refresh_colab_cells(cell, place):
    """Cell step: the Colab badge, the set-up cell and the reference page's GitHub address rewritten for the
    configured repository; others unchanged.

    Without a repository root (``place.repo_root`` None) the cells are left as they are.
    """
    if place.repo_root is None or not (is_badge_cell(cell) or is_setup_cell(cell) or links_the_reference_page(cell)):
        return cell
    return localised_colab_cell(cell, place.notebook, colab_repository(place.repo_root))

"""The student release: what students download, as a folder and a zip.

It holds the student package (``fcn_course/`` without this instructor wing), the student notebooks of the
course outline, the students' README (``notebooks/README.md`` becomes ``README.md``), LICENSE,
environment.yml, pyproject.toml and jupytext.toml: nothing of ``solutions/``. The zip is refused when the
notebooks do not match the outline or are out of date, or when the leak scan finds a solution line in it.

Each language has its release (``release --lang en``): the notebooks, README and reference page of a
translated edition (``notebooks/<language>/``, written by the build and the translators) go where the
Portuguese ones go, so the student's folder looks the same in every language, and the marker file speaks
the release's language. A release holds one language only: the Portuguese one never carries
``notebooks/<language>/``. ``publish`` asks for every edition besides (``editions=True``), each in
``notebooks/<language>/``, where its notebooks' Colab badge opens them in the published repository.
"""

from __future__ import annotations

import shutil
import tempfile
import zipfile
from pathlib import Path

from fcn_course.files import OWNER_FILE, NotOurFileError, OutputFolder

from fcn_course.instructor.editions import edition_folders
from fcn_course.instructor.leaks import LEAK_ALLOWLIST, scan_for_leaks
from fcn_course.instructor.pairs import (
    LOCALE_DIR,
    NOTEBOOK_SUFFIXES,
    REFERENCE_PAGE,
    SOLUTION_DIR,
    STUDENT_DIR,
    CourseLayoutError,
    solution_sources,
)
from fcn_course.instructor.sync import check_in_sync
from fcn_course.instructor.translation import TranslationError, translated_languages
from fcn_course.messages import DEFAULT_LANGUAGE, known_language, text
from fcn_course.outline import COURSE_NOTEBOOKS

RELEASE_FILES = ("README.md", "environment.yml", "pyproject.toml", "jupytext.toml")
# Written into every release folder (its text: the catalogue's ``release.marker_file``, in the release's
# language): the only folder ``release`` will ever delete is one holding it.
RELEASE_MARKER = ".fcn-course-release"
STUDENT_README = "README.md"  # in a language's student folder: the students' guide, the release's README.md
STUDENT_PAGES = (STUDENT_README, REFERENCE_PAGE.name)  # a translated edition's pages: both are required
OWNER = "release"  # how the output folder's record names this command (files.OutputFolder)
INSTRUCTOR_PACKAGE = "instructor"  # fcn_course/instructor/: never released
_NOT_RELEASED = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info", ".ipynb_checkpoints")


class ReleaseError(RuntimeError):
    """The student release cannot be built."""


class SolutionLeakError(ReleaseError):
    """Solution code (or a solution marker) was found in the student release."""


def student_folder(language: str) -> Path:
    """Where ``language``'s student notebooks and pages are in the repository: ``notebooks/`` for the
    course's own language, ``notebooks/<language>/`` for a translation (relative to the repository)."""
    return STUDENT_DIR if language == DEFAULT_LANGUAGE else edition_folders(language)[1]


def _refuse_missing_edition(repo_root: Path, language: str, names) -> None:
    """ReleaseError unless ``language`` is the course's own or a translated edition with every notebook of
    ``names`` and both pages (``STUDENT_PAGES``); the message says what to write or run."""
    if language == DEFAULT_LANGUAGE:
        return
    try:
        languages = translated_languages(repo_root)
    except TranslationError as error:
        raise ReleaseError(str(error)) from None
    if language not in languages:
        raise ReleaseError(text("release.no_edition", edition=language, folder=repo_root / LOCALE_DIR / language))
    folder = repo_root / student_folder(language)
    missing = [
        text("release.edition_notebook_missing", path=folder / f"{name}{suffix}")
        for name in names
        for suffix in NOTEBOOK_SUFFIXES
        if not (folder / f"{name}{suffix}").is_file()
    ]
    missing += [
        text(
            "release.edition_page_missing",
            path=folder / page,
            edition=language,
            original=repo_root / STUDENT_DIR / page,
        )
        for page in STUDENT_PAGES
        if not (folder / page).is_file()
    ]
    if missing:
        raise ReleaseError(text("release.edition_incomplete", edition=language, problems="\n  ".join(missing)))


def _copy_top_files(repo_root: Path, folder: Path, language: str) -> None:
    for name in RELEASE_FILES:
        if not (repo_root / name).is_file():
            raise ReleaseError(text("release.top_file_missing", path=repo_root / name, name=name))
        shutil.copy2(repo_root / name, folder / name)
    # Students get their own guide as README.md (the repository's README speaks to maintainers).
    student_readme = repo_root / student_folder(language) / STUDENT_README
    if student_readme.is_file():
        shutil.copy2(student_readme, folder / "README.md")
    for license_file in repo_root.glob("LICENSE*"):
        shutil.copy2(license_file, folder / license_file.name)


def _copy_student_package(repo_root: Path, folder: Path) -> None:
    """``fcn_course/`` without the instructor wing."""

    def ignore(directory, names):
        ignored = set(_NOT_RELEASED(directory, names))
        if Path(directory).resolve() == (repo_root / "fcn_course").resolve():
            ignored.add(INSTRUCTOR_PACKAGE)
        return ignored

    shutil.copytree(repo_root / "fcn_course", folder / "fcn_course", ignore=ignore)


def _copy_student_notebooks(repo_root: Path, language: str, target: Path, names, readme: bool = False) -> None:
    """``language``'s student notebooks and reference page into ``target`` (its README too when ``readme``)."""
    source = repo_root / student_folder(language)
    target.mkdir(parents=True)
    for name in names:
        for suffix in NOTEBOOK_SUFFIXES:
            shutil.copy2(source / f"{name}{suffix}", target)
    # The reference page (formulas and glossary) that every notebook links to, next to them.
    for page in (REFERENCE_PAGE.name, STUDENT_README) if readme else (REFERENCE_PAGE.name,):
        if (source / page).is_file():
            shutil.copy2(source / page, target)


def _other_editions(repo_root: Path, language: str) -> list:
    """The translated languages besides ``language``. Each is complete and up to date by then: what ``check``
    lists (``_refuse_stale_notebooks``) covers every translated edition's notebooks and pages."""
    try:
        return [other for other in translated_languages(repo_root) if other != language]
    except TranslationError as error:
        raise ReleaseError(str(error)) from None


def _refuse_leaks(zip_path: Path, repo_root: Path) -> None:
    leaks = scan_for_leaks(zip_path, repo_root)
    if not leaks:
        return
    zip_path.unlink()
    shown = "\n  ".join(leaks[:20]) + ("\n  ..." if len(leaks) > 20 else "")
    raise SolutionLeakError(
        text("release.gives_away_solutions", count=len(leaks), lines=shown, allowlist=LEAK_ALLOWLIST)
    )


def _is_inside(path: Path, folder: Path) -> bool:
    """True when ``path`` is ``folder`` or lies under it (both resolved)."""
    return path == folder or folder in path.parents


def _own_zip(zip_path: Path, name: str) -> bool:
    """True when ``zip_path`` is a release zip written by ``release`` (it holds ``<name>/RELEASE_MARKER``)."""
    try:
        with zipfile.ZipFile(zip_path) as archive:
            return f"{name}/{RELEASE_MARKER}" in archive.namelist()
    except (OSError, zipfile.BadZipFile):
        return False


def check_output_folder(repo_root: Path, out_dir: Path, name: str) -> None:
    """Refuse any ``out_dir`` where writing the release could delete or overwrite something it did not make.

    Refused: an ``out_dir`` that is, contains or lies inside the repository's copied folders (the repository
    itself when it contains it), and an ``out_dir`` holding anything but a previous release (the folder
    ``<name>/`` with the marker file and the zip ``<name>.zip`` that contains it). Missing or empty: fine.
    """
    repo, out = repo_root.resolve(), out_dir.resolve()
    fix = text("release.choose_another_out")
    if _is_inside(repo, out):
        raise ReleaseError(text("release.out_holds_repository", out=out_dir, repo=repo, fix=fix))
    for copied in (repo / "fcn_course", repo / STUDENT_DIR, repo / SOLUTION_DIR):
        if _is_inside(out, copied):
            raise ReleaseError(text("release.out_inside_copied", out=out_dir, copied=copied, repo=repo, fix=fix))
    if not out.is_dir():
        return
    foreign = []
    for entry in sorted(out.iterdir()):
        if entry.is_symlink():
            raise ReleaseError(text("release.out_holds_link", out=out_dir, entry=entry.name, fix=fix))
        if entry.name == OWNER_FILE:
            continue  # the record of what the release wrote here (files.OutputFolder)
        if entry.name == name and entry.is_dir() and (entry / RELEASE_MARKER).is_file():
            continue
        if entry.name == f"{name}.zip" and entry.is_file() and _own_zip(entry, name):
            continue
        foreign.append(entry.name)
    if foreign:
        shown = ", ".join(foreign[:10]) + (", ..." if len(foreign) > 10 else "")
        raise ReleaseError(
            text("release.out_holds_foreign", out=out_dir, shown=shown, name=name, marker=RELEASE_MARKER)
        )


def _zip_folder(out_dir: Path, name: str, zip_path) -> None:
    """Zip ``out_dir/<name>/`` (paths in the zip start with ``<name>/``) into the file ``zip_path``."""
    with tempfile.TemporaryDirectory(prefix="fcn-course-release-") as work:
        archive = shutil.make_archive(str(Path(work) / name), "zip", root_dir=out_dir, base_dir=name)
        shutil.copyfile(archive, zip_path)


def _refuse_stale_notebooks(repo_root: Path, names) -> None:
    """ReleaseError when the notebooks do not match the outline or are out of date (what ``check`` lists)."""
    try:
        sources = solution_sources(repo_root, names)
    except CourseLayoutError as error:
        raise ReleaseError(str(error)) from None
    if not sources:
        raise ReleaseError(text("release.no_solution_notebooks", folder=repo_root / SOLUTION_DIR))
    problems = check_in_sync(repo_root, names)
    if problems:
        raise ReleaseError(text("release.out_of_date", problems="\n  ".join(problems)))


def release(
    repo_root,
    out_dir,
    name: str = "fcn-course",
    names=COURSE_NOTEBOOKS,
    language: str = DEFAULT_LANGUAGE,
    editions: bool = False,
) -> Path:
    """Build the student release (``out_dir/<name>/`` and ``out_dir/<name>.zip``) and return the zip.

    ``names`` is the course outline (``COURSE_NOTEBOOKS``; tests pass a tiny course's). ``language``: the
    release's language (its notebooks, README and reference page at the places of the Portuguese ones);
    ``editions``: also every other translated edition in ``notebooks/<language>/`` (what ``publish`` pushes).
    Raises ReleaseError when ``out_dir`` holds anything but a previous release (see ``check_output_folder``:
    the repository, a user's folder), when the solution notebooks do not match the outline, when the
    notebooks are out of date or a translated edition is missing or incomplete, and SolutionLeakError
    (after deleting the zip) listing where solution code or markers were found.
    """
    repo_root, out_dir = Path(repo_root), Path(out_dir)
    language = known_language(language)
    check_output_folder(repo_root, out_dir, name)
    _refuse_stale_notebooks(repo_root, names)
    _refuse_missing_edition(repo_root, language, names)
    others = _other_editions(repo_root, language) if editions else []
    try:
        output = OutputFolder(out_dir, OWNER, adopt_marker=f"{name}/{RELEASE_MARKER}")
        output.claim([f"{name}/{RELEASE_MARKER}", f"{name}.zip"])
    except (NotOurFileError, NotADirectoryError) as error:
        raise ReleaseError(f"{error}") from None
    folder = out_dir / name
    if folder.exists():
        shutil.rmtree(folder)  # our previous release: check_output_folder found its marker (and no link)
    folder.mkdir(parents=True)
    (folder / RELEASE_MARKER).write_text(text("release.marker_file", language=language), encoding="utf-8")
    _copy_top_files(repo_root, folder, language)
    _copy_student_package(repo_root, folder)
    _copy_student_notebooks(repo_root, language, folder / STUDENT_DIR, names)
    for other in others:  # where its Colab badge opens it: the edition's folder in the course repository
        _copy_student_notebooks(repo_root, other, folder / student_folder(other), names, readme=True)
    zip_path = output.write(f"{name}.zip", lambda temporary: _zip_folder(out_dir, name, temporary))
    _refuse_leaks(zip_path, repo_root)
    print(text("release.written", path=zip_path))
    return zip_path

"""Build: solution notebooks from their sources, then the student notebooks from the solutions.

For each notebook of the course outline, ``solutions/notebooks/NN_name.py``: refresh its include cells and
write the .py back; write the paired .ipynb keeping only the outputs of ``# NBVAL_CHECK_OUTPUT`` cells
(optionally re-executing it in smoke mode first); then write ``notebooks/NN_name.ipynb`` + ``.py``, which
say on their title cell which file they come from; then each translated language's pair of both
(``editions``: ``solutions/notebooks/<language>/`` and ``notebooks/<language>/``), and the students' pages
in each language (``pages``: ``notebooks/<language>/README.md`` and ``referencia.md``). The cell steps are
those of ``pipeline``. A student pair or page edited by hand since the last build (``.generated.json`` in its
folder records what the build wrote) is never overwritten unless forced, and then a backup is kept.
"""

from __future__ import annotations

import datetime
import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from jupytext.combine import combine_inputs_with_outputs

from fcn_course.instructor.editions import edition_folders, editions_of
from fcn_course.instructor.execute import DEFAULT_CELL_TIMEOUT, execute_in_place
from fcn_course.instructor.pages import edition_path, page_catalogue_path, page_editions
from fcn_course.instructor.pairs import (
    STUDENT_DIR,
    cell_signature,
    give_cells_stable_ids,
    ipynb_text,
    jupytext_config,
    py_text,
    read_py_notebook,
    sha256,
    solution_sources,
)
from fcn_course.instructor.pipeline import SOLUTION_IPYNB, SOLUTION_SOURCE, student_notebook, transform
from fcn_course.outline import COURSE_NOTEBOOKS

MANIFEST_NAME = ".generated.json"


@dataclass
class BuildReport:
    """What :func:`build` did; ``print(report)`` gives a summary for the instructor."""

    written: list = field(default_factory=list)  # files (re)written
    unchanged: list = field(default_factory=list)  # files already up to date
    skipped: list = field(default_factory=list)  # (file, reason) left untouched
    backups: list = field(default_factory=list)  # (file, backup copy) made before overwriting

    @property
    def ok(self) -> bool:
        return not self.skipped

    def __str__(self) -> str:
        lines = [f"wrote {path}" for path in self.written]
        lines += [f"backed up {path} to {backup}" for path, backup in self.backups]
        lines += [f"SKIPPED {path}: {reason}" for path, reason in self.skipped]
        lines.append(
            f"{len(self.written)} file(s) written, {len(self.unchanged)} unchanged, {len(self.skipped)} skipped."
        )
        return "\n".join(lines)


def _write_if_changed(path: Path, text: str, report: BuildReport) -> None:
    data = text.encode("utf-8")
    if path.exists() and path.read_bytes() == data:
        report.unchanged.append(path)
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    report.written.append(path)


def _backup(path: Path, report: BuildReport) -> None:
    """Copy ``path`` to ``path.bak-<timestamp>`` before it is overwritten."""
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    backup = path.with_name(f"{path.name}.bak-{stamp}")
    counter = 1
    while backup.exists():
        backup = path.with_name(f"{path.name}.bak-{stamp}-{counter}")
        counter += 1
    shutil.copy2(path, backup)
    report.backups.append((path, backup))


def _load_manifest(path: Path) -> dict:
    """``{file name: sha256}`` of the student files the build last wrote (empty when never built)."""
    if not path.is_file():
        return {}
    return json.loads(path.read_text(encoding="utf-8"))


def _write_student_pair(nb, ipynb_path: Path, config, manifest: dict, force: bool, report: BuildReport) -> None:
    """Write a student .ipynb + .py pair, unless someone edited either file since the last build."""
    texts = {ipynb_path: ipynb_text(nb), ipynb_path.with_suffix(".py"): py_text(nb, config)}
    _write_generated(texts, manifest, force, report, "the pair", "the solution notebook")


def _write_generated(texts: dict, manifest: dict, force: bool, report: BuildReport, what: str, source: str) -> None:
    """Write ``{path: text}`` (``what``: "the pair", "the page"), unless someone edited one of those files
    since the last build (then SKIPPED, saying to move the change to ``source``); ``force`` backs them up
    and overwrites them. ``manifest`` records what was written."""
    first = next(iter(texts))
    edited = [
        path
        for path, text in texts.items()
        if path.exists()
        and path.read_bytes() != text.encode("utf-8")
        and sha256(path.read_bytes()) != manifest.get(path.name)
    ]
    if edited and not force:
        names = ", ".join(str(path) for path in edited)
        reason = (
            f"{names} changed since the generator last wrote it (edited by hand?), so {what} was not "
            f"regenerated. Move your changes to {source}, or build with force=True "
            f"(--force) to overwrite it; a backup copy is kept."
        )
        report.skipped.append((first, reason))
        return
    for path in edited:
        _backup(path, report)
    for path, text in texts.items():
        _write_if_changed(path, text, report)
        manifest[path.name] = sha256(text.encode("utf-8"))


def _ipynb_edited_after_py(source: Path, ipynb: Path, inputs, previous) -> bool:
    """True when the .ipynb is newer than its .py and their cells differ (edited without Jupytext)."""
    newer = ipynb.stat().st_mtime > source.stat().st_mtime + 1
    return newer and cell_signature(previous) != cell_signature(inputs)


def _protect_edited_ipynb(source: Path, nb, previous, force: bool, report: BuildReport) -> bool:
    """False (and a SKIPPED entry) when the solution .ipynb was edited without Jupytext and not forced."""
    ipynb = source.with_suffix(".ipynb")
    if previous is None or not _ipynb_edited_after_py(source, ipynb, nb, previous):
        return True
    if force:
        _backup(ipynb, report)
        return True
    report.skipped.append(
        (
            ipynb,
            (
                f"{ipynb} is newer than {source.name} and their cells differ: it was probably edited "
                f"without Jupytext. Sync the pair (jupytext --sync {ipynb}) or build with force=True "
                f"to rebuild it from the .py (a backup copy is kept)."
            ),
        )
    )
    return False


def _build_solution(
    source: Path, repo_root: Path, config, execute: bool, force: bool, timeout: int, report: BuildReport
):
    """Refresh includes, write the solution pair and return the solution notebook (or None if skipped)."""
    nb = read_py_notebook(source, config)
    ipynb = source.with_suffix(".ipynb")
    previous = nbformat.read(ipynb, as_version=4) if ipynb.exists() else None
    if not _protect_edited_ipynb(source, nb, previous, force, report):
        return None
    nb = transform(nb, SOLUTION_SOURCE, source.stem, repo_root)
    if previous is not None:
        # Reuses the cell ids and the outputs of the cells whose source did not change.
        nb = combine_inputs_with_outputs(nb, previous, fmt="py:percent")
        give_cells_stable_ids(nb)
    _write_if_changed(source, py_text(nb, config), report)
    if execute:
        execute_in_place(nb, cwd=source.parent, smoke=True, timeout=timeout, label=str(source))
    nb = transform(nb, SOLUTION_IPYNB, source.stem)
    _write_if_changed(ipynb, ipynb_text(nb), report)
    return nb


def _build_editions(repo_root: Path, solution, name: str, config, manifests: dict, force: bool, report) -> None:
    """Write each translated language's solution and student pair of notebook ``name`` (``editions``); a
    language whose catalogue is incomplete is SKIPPED with what to do."""
    for language, made in editions_of(repo_root, solution, name).items():
        if isinstance(made, Exception):
            report.skipped.append((repo_root / STUDENT_DIR / language / f"{name}.ipynb", str(made)))
            continue
        for folder, nb in zip(edition_folders(language), made):
            if folder not in manifests:
                manifests[folder] = _load_manifest(repo_root / folder / MANIFEST_NAME)
            _write_student_pair(nb, repo_root / folder / f"{name}.ipynb", config, manifests[folder], force, report)


def _build_pages(repo_root: Path, manifests: dict, force: bool, report) -> None:
    """Write each translated language's students' pages (``pages``); a page whose catalogue is missing or
    incomplete is SKIPPED with what to do."""
    for (language, page), made in page_editions(repo_root).items():
        path = repo_root / edition_path(language, page)
        if isinstance(made, Exception):
            report.skipped.append((path, str(made)))
            continue
        folder = path.parent.relative_to(repo_root)
        if folder not in manifests:
            manifests[folder] = _load_manifest(repo_root / folder / MANIFEST_NAME)
        source = f"{STUDENT_DIR / page} or {page_catalogue_path(repo_root, language, page).relative_to(repo_root)}"
        _write_generated({path: made}, manifests[folder], force, report, "the page", source)


def build(
    repo_root,
    execute: bool = False,
    force: bool = False,
    timeout: int = DEFAULT_CELL_TIMEOUT,
    quiet: bool = False,
    names=COURSE_NOTEBOOKS,
) -> BuildReport:
    """Build the solution notebook pair of each course notebook and generate the student notebooks from them.

    ``names`` is the course outline (``COURSE_NOTEBOOKS``; tests pass a tiny course's). When the solution
    folder and the outline disagree, CourseLayoutError says how to fix it and nothing is written.
    ``execute=True`` re-runs each solution notebook in smoke mode (``timeout`` seconds per cell) to
    refresh its checked outputs. Files whose content would not change are not touched, so a second
    build changes nothing. Student notebooks edited since the last build are skipped unless
    ``force=True``, which backs them up first. The report (written, skipped and backed-up files) is
    printed unless ``quiet=True``, and returned.
    """
    repo_root = Path(repo_root)
    sources = solution_sources(repo_root, names)
    config = jupytext_config(repo_root)
    report = BuildReport()
    manifest = _load_manifest(repo_root / STUDENT_DIR / MANIFEST_NAME)
    manifests = {STUDENT_DIR: manifest}
    for source in sources:
        solution = _build_solution(source, repo_root, config, execute, force, timeout, report)
        if solution is None:
            continue
        student = student_notebook(solution, source.stem)
        _write_student_pair(student, repo_root / STUDENT_DIR / f"{source.stem}.ipynb", config, manifest, force, report)
        _build_editions(repo_root, solution, source.stem, config, manifests, force, report)
    _build_pages(repo_root, manifests, force, report)
    for folder, written in manifests.items():
        path = repo_root / folder / MANIFEST_NAME
        if written or path.exists():
            text = json.dumps(written, indent=2, sort_keys=True) + "\n"
            _write_if_changed(path, text, BuildReport())  # bookkeeping: not in the report
    if not quiet:
        print(report)
    return report

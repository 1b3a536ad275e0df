"""Language editions: each translated language's notebooks, made from the Portuguese ones and a catalogue.

The course is written once, in Portuguese, in ``solutions/notebooks/NN.py``. For every language with a
folder in ``solutions/locale`` (``translation``), the build also writes

* ``solutions/notebooks/<language>/NN.ipynb`` + ``.py``: the solution notebook with its prose translated,
  its Colab cells in that language (which set the notebook's language), and no stored outputs (nbval runs
  every cell of it; the outputs of the same code are pinned in the Portuguese edition);
* ``notebooks/<language>/NN.ipynb`` + ``.py``: its student version, made by the same steps as the
  Portuguese one (``pipeline``) while the message catalogue speaks the language, so the hints cells and
  the stubs are in it too.

The students' pages (``notebooks/README.md``, ``notebooks/referencia.md``) have their own catalogues and
editions: see ``pages``.

Nothing is half-translated: a notebook whose catalogue lacks a translation, or holds a stale one, is not
written, and the build and ``check`` say which file to complete. ``check`` also compares each written file
with what the build would write now.
"""

from __future__ import annotations

from pathlib import Path

from fcn_course.definitions import read_notebook
from fcn_course.instructor.colab_cells import colab_repository, localised_colab_cell
from fcn_course.instructor.pairs import (
    NOTEBOOK_SUFFIXES,
    SOLUTION_DIR,
    STUDENT_DIR,
    cell_signature,
    jupytext_config,
    read_py_notebook,
    solution_sources,
)
from fcn_course.instructor.pages import update_page_catalogues
from fcn_course.instructor.pipeline import SOLUTION_SOURCE, add_provenance, make_student_notebook, transform
from fcn_course.instructor.translation import (
    TranslationError,
    catalogue_path,
    read_catalogue,
    translate_notebook,
    translated_languages,
    update_catalogues,
)
from fcn_course.messages import speaking, text
from fcn_course.outline import COURSE_NOTEBOOKS


def edition_folders(language: str) -> tuple:
    """``(solution folder, student folder)`` of ``language``, relative to the repository: the order of
    :func:`edition`'s notebooks."""
    return SOLUTION_DIR / language, STUDENT_DIR / language


def edition(solution, notebook: str, language: str, repo_root) -> tuple:
    """``(translated solution notebook, its student notebook)`` of one course notebook.

    ``solution`` is the Portuguese solution notebook as the build writes it. TranslationError when the
    catalogue is missing or incomplete (the message says what to run).
    """
    path = catalogue_path(repo_root, language, notebook)
    if not path.is_file():
        raise TranslationError(text("translation.catalogue_missing", path=path, edition=language))
    translated = translate_notebook(solution, read_catalogue(path), notebook, language)
    repository = colab_repository(repo_root)
    for cell in translated.cells:
        localised_colab_cell(cell, notebook, repository, language)
        if cell.cell_type == "code":
            # No stored outputs: the same code's outputs are pinned (nbval) in the Portuguese edition, and in
            # another language even unchanged code may print differently (thousands: 2.310 / 2,310).
            cell.outputs, cell.execution_count = [], None
    with speaking(language):
        student = make_student_notebook(translated, notebook)
    add_provenance(student, notebook, language)
    add_provenance(translated, notebook, language)
    return translated, student


def editions_of(repo_root, solution, notebook: str) -> dict:
    """``{language: (solution, student) or TranslationError}`` for every translated language."""
    found = {}
    for language in translated_languages(repo_root):
        try:
            found[language] = edition(solution, notebook, language, repo_root)  # edition copies it
        except TranslationError as error:
            found[language] = error
    return found


def edition_problems(repo_root, solution, notebook: str) -> list:
    """What ``check`` reports for one notebook's editions: incomplete catalogues, files out of date."""
    repo_root = Path(repo_root)
    problems = []
    for language, made in editions_of(repo_root, solution, notebook).items():
        if isinstance(made, TranslationError):
            problems.append(str(made))
            continue
        for folder, nb in zip(edition_folders(language), made):
            for suffix in NOTEBOOK_SUFFIXES:
                path = repo_root / folder / f"{notebook}{suffix}"
                if not path.exists():
                    problems.append(text("sync.file_missing", path=path))
                elif cell_signature(read_notebook(path)) != cell_signature(nb):
                    problems.append(text("sync.edition_differs", path=path))
    return problems


def update_translations(repo_root, language: str, names=COURSE_NOTEBOOKS) -> list:
    """Write ``solutions/locale/<language>/<name>.po`` for each course notebook from its solution source,
    then ``solutions/locale/<language>/pages/<stem>.po`` for each students' page (``pages``): new units
    empty, changed ones fuzzy, translations kept. Returns each one's ``Coverage``, notebooks first."""
    repo_root = Path(repo_root)
    config = jupytext_config(repo_root)
    notebooks = [
        (source.stem, transform(read_py_notebook(source, config), SOLUTION_SOURCE, source.stem, repo_root))
        for source in solution_sources(repo_root, names)
    ]
    return update_catalogues(repo_root, language, notebooks) + update_page_catalogues(repo_root, language)

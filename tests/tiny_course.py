"""A tiny course repository for the tests of the instructor tooling and of fcn_course.definitions.

``make_repo`` writes one solution notebook (``01_demo``: a Markdown answer, a function with a solution
region, an include cell, a solution-only cell and a checked output), the included ``solutions/model.py`` and
the files the release copies. In ``percent`` texts, BEGIN and END stand for the solution markers.
"""

import hashlib
import textwrap
from pathlib import Path

import jupytext

from fcn_course.instructor.markers import BEGIN_MARKER as BEGIN
from fcn_course.instructor.markers import END_MARKER as END
from fcn_course.messages import text

REPO_ROOT = Path(__file__).resolve().parents[1]
TINY_OUTLINE = ("01_demo",)  # the tiny course's outline: the ``names`` its build, check and release take


def percent(text: str) -> str:
    """py:percent text from an indented block; BEGIN/END stand for the solution markers."""
    return textwrap.dedent(text).lstrip("\n").replace("BEGIN", BEGIN).replace("END", END)


def nb_from(text: str):
    return jupytext.reads(percent(text), fmt="py:percent")


MODEL_FILE = percent('''
    class Doubler:
        """Doubles its input."""

        def forward(self, x):
            BEGIN: Devolva o dobro de x.
            result = x * 2  # the doubled input, computed here
            return result
            END
''')

NOTEBOOK_01 = '''
    # %% [markdown]
    # # Exercícios
    #
    # Qual é a raiz de 16?

    # %% [markdown]
    # BEGIN
    # A raiz quadrada de dezesseis vale quatro, pois quatro vezes quatro dá dezesseis.
    # END

    # %%
    import math


    def root(x):
        """Square root of x."""
        BEGIN: Use math.sqrt.
        value = math.sqrt(x)  # the square root of the input number
        return value
        END

    # %% tags=["include:solutions/model.py"]
    placeholder

    # %% tags=["solution-only"]
    assert root(16) == 4, "the reference solution is wrong"

    # %%
    # NBVAL_CHECK_OUTPUT
    print(root(16))
'''


def make_repo(tmp_path: Path, notebooks=None) -> Path:
    """A tiny course repository: one solution notebook, an included file and the release files."""
    repo = tmp_path / "repo"
    (repo / "solutions" / "notebooks").mkdir(parents=True)
    (repo / "fcn_course").mkdir()
    (repo / "fcn_course" / "__init__.py").write_text('"""Tiny helper package."""\n')
    (repo / "solutions" / "__init__.py").write_text("")
    (repo / "solutions" / "model.py").write_text(MODEL_FILE)
    (repo / "jupytext.toml").write_text((REPO_ROOT / "jupytext.toml").read_text())
    for name in ("README.md", "environment.yml", "pyproject.toml"):
        (repo / name).write_text(f"{name}\n")
    for name, source in (notebooks or {"01_demo": NOTEBOOK_01}).items():
        (repo / "solutions" / "notebooks" / f"{name}.py").write_text(percent(source))
    return repo


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def snapshot(folder: Path) -> dict:
    return {path: path.read_bytes() for path in sorted(folder.rglob("*")) if path.is_file()}


def add_stray_solution(repo) -> Path:
    """A solution notebook that the outline does not name (dropped into the folder by hand)."""
    path = repo / "solutions" / "notebooks" / "05_extra.py"
    path.write_text("# %% [markdown]\n# # Extra\n")
    return path


def build_fix() -> str:
    """How every "out of date" line of ``check`` ends (in the active language): run the build."""
    return text("sync.file_missing", path="").rsplit(": ", 1)[1]


def stray_message(path: Path) -> str:
    """What build, check and release say about a solution notebook the outline does not name (and its fix)."""
    return text(
        "course.outline_stray", path=path, name=path.stem, outline="fcn_course/outline.py", folder="solutions/notebooks"
    )


def edit_solution_py(repo):
    """Change a line of the solution source without rebuilding: the notebooks are then out of date."""
    path = repo / "solutions/notebooks/01_demo.py"
    path.write_text(path.read_text().replace("print(root(16))", "print(root(25))"))


# The tiny course's English edition (issue 24): its answer translated, the rest as written or as in
# tests/test_instructor_editions.py, and each language's students' pages.
ENGLISH_ANSWER = "The square root of sixteen is four, since four times four is sixteen."
PAGES = {
    "pt_BR": {"README.md": "# Curso: guia dos alunos\n", "referencia.md": "# Referência rápida\n"},
    "en": {"README.md": "# Course: the students' guide\n", "referencia.md": "# Quick reference\n"},
}


def write_pages(repo: Path, language: str) -> None:
    """The students' README and reference page of ``language`` (``notebooks/`` or ``notebooks/<language>/``)."""
    folder = repo / "notebooks" / ("" if language == "pt_BR" else language)
    folder.mkdir(parents=True, exist_ok=True)
    for page, content in PAGES[language].items():
        (folder / page).write_text(content, encoding="utf-8")


def make_english_course(tmp_path: Path) -> Path:
    """The tiny course, built, with a complete English edition and the pages of both languages (the English
    pages made by the build from their catalogues, as in the real course)."""
    from babel.messages.pofile import read_po

    from fcn_course.instructor.build import build
    from fcn_course.instructor.pages import page_catalogue_path
    from fcn_course.instructor.translation import write_catalogue
    from tests.test_instructor_editions import ENGLISH, translate

    repo = make_repo(tmp_path)
    write_pages(repo, "pt_BR")
    answer = f"{BEGIN}\nA raiz quadrada de dezesseis vale quatro, pois quatro vezes quatro dá dezesseis.\n{END}"
    translate(repo, english={**ENGLISH, answer: f"{BEGIN}\n{ENGLISH_ANSWER}\n{END}"})
    for page, english in PAGES["en"].items():
        path = page_catalogue_path(repo, "en", page)
        with open(path, "rb") as handle:
            catalog = read_po(handle)
        for message in catalog:
            if message.id:
                message.string = english.strip()  # each tiny page is one block
        write_catalogue(catalog, path)
    report = build(repo, names=TINY_OUTLINE, quiet=True)
    assert report.ok, report
    assert ENGLISH_ANSWER in (repo / "solutions/notebooks/en/01_demo.py").read_text()
    return repo

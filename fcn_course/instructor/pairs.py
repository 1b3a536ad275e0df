"""Notebook files of the course: where they are, how they are read and the exact text they are written as.

Each notebook is a Jupytext pair, ``NN_name.ipynb`` + ``NN_name.py`` (``py:percent``). The solution
notebooks' ``.py`` files (``solutions/notebooks/``) are the sources; the student notebooks
(``notebooks/``) are generated from them. Writing the same notebook twice gives the same bytes (stable
cell ids, fixed Jupytext settings), so a second build changes nothing.
"""
from __future__ import annotations

import hashlib
import re
from pathlib import Path

import jupytext
from jupytext.config import JupytextConfiguration, load_jupytext_configuration_file

SOLUTION_DIR = Path("solutions") / "notebooks"
STUDENT_DIR = Path("notebooks")

SOLUTION_ONLY_TAG = "solution-only"
INCLUDE_TAG_PREFIX = "include:"
CHECK_OUTPUT_MARKER = "# NBVAL_CHECK_OUTPUT"  # nbval --nbval-lax compares the outputs of these cells

# Used when the repository has no jupytext.toml; keep in sync with the one at the repository root.
DEFAULT_JUPYTEXT_SETTINGS = {
    "formats": "ipynb,py:percent",
    "notebook_metadata_filter": "kernelspec,-all",
    "cell_metadata_filter": "tags,title,-all",
}
PYTHON3_KERNELSPEC = {"display_name": "Python 3", "language": "python", "name": "python3"}


def jupytext_config(repo_root) -> JupytextConfiguration:
    """The repository's jupytext.toml, or the course defaults when there is none."""
    config_file = Path(repo_root) / "jupytext.toml"
    if config_file.is_file():
        return load_jupytext_configuration_file(str(config_file))
    return JupytextConfiguration(**DEFAULT_JUPYTEXT_SETTINGS)


def solution_sources(repo_root) -> list[Path]:
    """The solution notebook sources, ``solutions/notebooks/NN_name.py``, in course order."""
    folder = Path(repo_root) / SOLUTION_DIR
    return sorted(path for path in folder.glob("*.py") if re.match(r"\d\d_", path.name))


def read_py_notebook(path: Path, config: JupytextConfiguration):
    """Read a solution source (``py:percent``) with a kernelspec and content-derived cell ids."""
    nb = jupytext.read(path, fmt="py:percent", config=config)
    nb.metadata.setdefault("kernelspec", dict(PYTHON3_KERNELSPEC))
    give_cells_stable_ids(nb, fresh=True)
    return nb


def give_cells_stable_ids(nb, fresh: bool = False) -> None:
    """Give cells ids derived from their content, so that rebuilding gives the same .ipynb.

    With ``fresh=True`` every id is replaced (Jupytext draws random ids when it reads a .py);
    otherwise only missing or duplicated ids are.
    """
    used = set()
    for cell in nb.cells:
        cell_id = None if fresh else cell.get("id")
        if cell_id is None or cell_id in used:
            digest = hashlib.sha1(f"{cell.cell_type}\n{cell.source}".encode("utf-8")).hexdigest()
            cell_id, counter = digest[:8], 1
            while cell_id in used:
                cell_id, counter = f"{digest[:8]}-{counter}", counter + 1
        cell.id = cell_id
        used.add(cell_id)


def _with_final_newline(text: str) -> str:
    return text if text.endswith("\n") else text + "\n"


def py_text(nb, config: JupytextConfiguration) -> str:
    """The exact text of the notebook's py:percent file (what ``jupytext.write`` would write)."""
    return _with_final_newline(jupytext.writes(nb, fmt="py:percent", config=config))


def ipynb_text(nb) -> str:
    """The exact text of the notebook's .ipynb file."""
    return _with_final_newline(jupytext.writes(nb, fmt="ipynb"))


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def tags(cell) -> list:
    """The cell's tags (an empty list when it has none)."""
    return list(cell.get("metadata", {}).get("tags", []))


def cell_signature(nb) -> list:
    """What must match between two versions of a notebook: cell types, sources and tags."""
    return [(cell.cell_type, cell.source, tuple(tags(cell))) for cell in nb.cells]

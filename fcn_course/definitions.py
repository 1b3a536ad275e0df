"""Use in one notebook the functions and classes a student wrote in another one.

Notebooks 03, 04 and 05 call ``load_definitions("02_fcn_alexnet.ipynb", names=["FCN_AlexNet"])`` so that the
student's code lives in one place. Only *definitions* run (imports, ``def``, ``class``, constants): every
other statement (training, plots, downloads, a ``print`` a student added to test a class) is skipped, so
loading is fast and has no side effects.

This module is part of the student package; the instructor tooling (build, grading, release) lives in
``fcn_course.instructor`` and is not shipped to students.
"""

from __future__ import annotations

import ast
import linecache
import re
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

import jupytext
import nbformat

from fcn_course import colab
from fcn_course.messages import text
from fcn_course.outline import original_name


def read_notebook(path) -> nbformat.NotebookNode:
    """Read a ``.ipynb`` notebook, or the Jupytext ``py:percent`` file paired with it (``.py``)."""
    path = Path(path)
    if path.suffix == ".py":
        return jupytext.read(path, fmt="py:percent")
    return nbformat.read(path, as_version=4)


def python_source(source: str) -> str:
    """The cell as plain Python: IPython magics and shell lines become ``get_ipython()`` calls."""
    from IPython.core.inputtransformer2 import TransformerManager  # ships with ipykernel

    return TransformerManager().transform_cell(source)


def has_ipython_syntax(source: str) -> bool:
    """True for cells with magics (``%matplotlib``), shell lines (``!pip``) or other IPython syntax."""
    return python_source(source).rstrip("\n") != source.rstrip("\n")


def cell_label(name: str, index: int, cell) -> str:
    """``'02_fcn_alexnet', cell 5 ('class FCN_AlexNet(nn.Module):')``: names a cell in messages."""
    first_line = next((line.strip() for line in cell.source.splitlines() if line.strip()), "")
    return f"{name!r}, cell {index + 1} ({first_line[:60]!r})"


# Expressions a constant may be computed from (``HIDDEN = 64 * 2``, ``SIZES = (SIDE, SIDE)``): no calls,
# so evaluating them cannot train, download or print anything.
_SAFE_EXPRESSION_NODES = (
    ast.Constant,
    ast.Name,
    ast.Load,
    ast.BinOp,
    ast.UnaryOp,
    ast.BoolOp,
    ast.Compare,
    ast.Tuple,
    ast.List,
    ast.Set,
    ast.Dict,
    ast.Attribute,
    ast.Subscript,
    ast.Slice,
    ast.operator,
    ast.unaryop,
    ast.boolop,
    ast.cmpop,
    ast.expr_context,
)


def _is_constant_assignment(node) -> bool:
    """``NAME = <expression without calls>`` (or annotated, or ``A, B = ...``): safe to run anywhere."""
    if isinstance(node, ast.Assign):
        targets, value = node.targets, node.value
    elif isinstance(node, ast.AnnAssign):
        targets, value = [node.target], node.value
    else:
        return False
    for target in targets:
        names = target.elts if isinstance(target, (ast.Tuple, ast.List)) else [target]
        if not all(isinstance(name, ast.Name) for name in names):
            return False
    return value is None or all(isinstance(part, _SAFE_EXPRESSION_NODES) for part in ast.walk(value))


_DEFINITIONS = (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Pass)


def is_definition(node) -> bool:
    """An import, a def/class or a constant: a statement that only defines something.

    A bare string (a cell's docstring) is not one: it defines nothing, so skipping it changes nothing.
    """
    return isinstance(node, _DEFINITIONS) or _is_constant_assignment(node)


def cell_filename(notebook: str, number: int) -> str:
    """``<02_fcn_alexnet.ipynb cell 5>``: the file name the code of a loaded cell runs under.

    Tracebacks show it, and the self-checks read it back (:func:`parse_cell_filename`) to tell a student
    which cell of which notebook failed. ``number`` counts from 1, as students count cells.
    """
    return f"<{notebook} cell {number}>"


def parse_cell_filename(filename: str) -> tuple[str, int] | None:
    """``("02_fcn_alexnet.ipynb", 5)`` for a name written by :func:`cell_filename`; None for any other file."""
    found = re.fullmatch(r"<(.+) cell (\d+)>", filename)
    return (found.group(1), int(found.group(2))) if found else None


def cell_name_pt(name: str, index: int) -> str:
    """``célula 5 de 02_fcn_alexnet.ipynb``: names a cell in the messages students read."""
    return text("definitions.cell_name", number=index + 1, notebook=name)


@dataclass
class CellFailure:
    """A definition of a cell that could not be run (messages for students, in Portuguese)."""

    index: int  # 0-based position in the notebook
    label: str  # "célula 5 de 02_fcn_alexnet.ipynb ('class FCN_AlexNet(nn.Module):')"
    error: str  # "SyntaxError: ... (linha 3)"


def _looks_like_definitions(source: str) -> bool:
    """For a cell that does not parse: does it seem to define something (``def``/``class``/``import``)?"""
    return bool(re.search(r"^\s*(def|class|import|from|async\s+def)\s", source, re.MULTILINE))


def _definitions_only(tree: ast.Module) -> ast.Module:
    """The cell without its other statements (prints, test lines, training): only what it defines."""
    return ast.Module(body=[node for node in tree.body if is_definition(node)], type_ignores=[])


def execute_definition_cells(nb, name: str = "notebook") -> tuple[dict, list[CellFailure]]:
    """Run the definitions of every code cell of ``nb`` in a fresh namespace; errors are collected, not raised.

    Students add lines to exercise cells (a ``print`` to test their class, a computed constant above it): the
    definitions (imports, def/class, constants computed without calls) are kept and every other top-level
    statement is skipped, so extra lines never lose a class and nothing trains, plots or downloads. A cell
    that does not parse is reported when it looks like it defines something (so that a student's typo in a
    function is not silently ignored). A constant that cannot be computed here (it needs a skipped variable)
    is skipped too.
    """
    namespace = {"__name__": "__notebook__", "__builtins__": __builtins__}
    failures = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code" or has_ipython_syntax(cell.source):
            continue
        first_line = next((line.strip() for line in cell.source.splitlines() if line.strip()), "")
        label = f"{cell_name_pt(name, index)} ({first_line[:60]!r})"
        filename = cell_filename(name, index + 1)
        try:
            tree = ast.parse(cell.source, filename)
        except SyntaxError as error:
            if _looks_like_definitions(cell.source):
                failures.append(
                    CellFailure(
                        index,
                        label,
                        text("definitions.error_at_line", line=error.lineno, error=f"SyntaxError: {error.msg}"),
                    )
                )
            continue
        # Register the source so that tracebacks show the student's lines.
        linecache.cache[filename] = (len(cell.source), None, cell.source.splitlines(True), filename)
        for node in _definitions_only(tree).body:
            code = compile(ast.Module(body=[node], type_ignores=[]), filename, "exec")
            try:
                exec(code, namespace)
            except Exception as error:  # noqa: BLE001 - a student's cell may raise anything
                if _is_constant_assignment(node) and isinstance(error, NameError):
                    continue  # computed from a variable of a skipped statement (``N = len(dataset)``)
                failures.append(
                    CellFailure(
                        index,
                        label,
                        text(
                            "definitions.error_at_line",
                            error=f"{type(error).__name__}: {error}",
                            line=getattr(node, "lineno", "?"),
                        ),
                    )
                )
    return namespace, failures


def _public(namespace: dict) -> dict:
    return {key: value for key, value in namespace.items() if not key.startswith("__")}


def paired_file(path) -> Path | None:
    """The Jupytext pair of a notebook (``02.ipynb`` <-> ``02.py``), None when there is none."""
    path = Path(path)
    other = path.with_suffix(".py" if path.suffix == ".ipynb" else ".ipynb")
    if not other.is_file():
        return None
    if other.suffix == ".py" and "# %%" not in other.read_text(encoding="utf-8", errors="replace"):
        return None  # a plain Python file with the same name, not a notebook pair
    return other


def _code_sources(nb) -> list:
    return [cell.source.strip() for cell in nb.cells if cell.cell_type == "code"]


def read_newest(path) -> tuple[nbformat.NotebookNode, Path, str | None]:
    """Read whichever of a notebook and its Jupytext pair was saved last: ``(notebook, file read, note)``.

    Students edit the ``.ipynb`` in VS Code or Colab, or only the ``.py`` in a text editor; the pair then
    disagrees, and the file saved last holds their work. ``note`` (Portuguese, for the student) says which
    file was read when it is not ``path`` and the two differ; None otherwise.
    """
    path = Path(path)
    other = paired_file(path)
    nb = read_notebook(path)
    if other is None or other.stat().st_mtime <= path.stat().st_mtime:
        return nb, path, None
    newer = read_notebook(other)
    if _code_sources(newer) == _code_sources(nb):
        return nb, path, None
    note = text("definitions.newer_pair", newer=other.name, older=path.name)
    return newer, other, note


def notebook_folders(path: Path) -> list:
    """Where to look for the notebook ``path``: its folder and, for a bare file name on Colab, the Google Drive
    folders where students keep notebooks (``colab.DRIVE_NOTEBOOK_FOLDERS``: Colab's working folder is
    ``/content``, and "Salvar uma cópia no Drive" puts the copy in ``MyDrive/Colab Notebooks``)."""
    folders = [path.parent]
    if colab.on_colab() and path.parent == Path("."):
        folders += [Path(colab.DRIVE_MOUNT_POINT) / folder for folder in colab.DRIVE_NOTEBOOK_FOLDERS]
    return folders


def _find_in(folder: Path, name: str):
    """``folder/name``, else its Jupytext pair, else the newest renamed copy of either ("Cópia de ..."); None."""
    exact = folder / name
    if exact.is_file() or paired_file(exact) is not None:
        return exact if exact.is_file() else paired_file(exact)
    if not folder.is_dir():
        return None
    wanted = {name, paired_name(name)}
    copies = [entry for entry in folder.iterdir() if entry.is_file() and original_name(entry.name) in wanted]
    return max(copies, key=lambda entry: entry.stat().st_mtime, default=None)


def paired_name(name: str) -> str:
    """``02.ipynb`` <-> ``02.py``: the file name of a notebook's Jupytext pair."""
    path = Path(name)
    return path.with_suffix(".py" if path.suffix == ".ipynb" else ".ipynb").name


def find_notebook(notebook_path) -> Path:
    """The file to read for ``notebook_path``: the notebook, its Jupytext pair, or a copy of either that Google
    Drive, Colab or a browser renamed ("Cópia de 02_fcn_alexnet.ipynb", "02_fcn_alexnet (1).ipynb"), in the
    notebook's folder and, on Colab, in the Drive folders (:func:`notebook_folders`). When it reads another
    file than the one named, it says which. FileNotFoundError, in Portuguese, says where it looked.
    """
    path = Path(notebook_path)
    folders = notebook_folders(path)
    for folder in folders:
        found = _find_in(folder, path.name)
        if found is not None:
            if found not in (path, path.with_name(paired_name(path.name))):  # a copy, or in Drive
                print(text("definitions.reading_copy", path=found, name=path.name))
            return found
    if len(folders) == 1:
        raise FileNotFoundError(text("definitions.not_found", path=path))
    message = text("definitions.not_found_in", name=path.name, folders=", ".join(str(f) for f in folders))
    if not (Path(colab.DRIVE_MOUNT_POINT) / "MyDrive").is_dir():
        message += " " + text("definitions.mount_drive", flag=colab.DRIVE_FLAG, mount_point=colab.DRIVE_MOUNT_POINT)
    raise FileNotFoundError(message)


# Which exercise cell defines a name is known to the exercise registry (``fcn_course.checks``), a layer above
# this module. The registry hands its rows over when it is imported (notebooks import it in their first cell),
# so the messages below can name the exercise without this module importing upward.
_exercise_rows: Callable[[], Iterable] = tuple  # () -> rows with .notebook, .names and .title; none yet


def use_exercises(rows: Callable[[], Iterable]) -> None:
    """Name exercises after ``rows()`` (rows with ``notebook``, ``names`` and ``title``) in the messages below."""
    global _exercise_rows
    _exercise_rows = rows


def _exercise_defining(notebook: str, name: str) -> str:
    """``' (Exercício 1 (FCN-AlexNet sem skip))'``: the exercise whose cell defines ``name``, if one does."""
    stem = Path(original_name(notebook)).stem  # "Cópia de 02_fcn_alexnet.ipynb" holds 02's exercises
    titles = [row.title for row in _exercise_rows() if name in row.names and row.notebook == stem]
    return f" ({titles[0]})" if titles else ""


class MissingDefinitions(KeyError):
    """Names a notebook does not define (a KeyError, as before); shown as its message, in lines, not as the
    quoted repr that a plain KeyError prints (with a literal ``\\n`` between the lines)."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


def _missing_message(path: Path, missing: list, namespace: dict, failures: list) -> str:
    """Portuguese: which names are missing, which cell should define them and what to do."""
    lines = [text("definitions.not_defined", notebook=path.name, names=", ".join(missing))]
    for name in missing:
        lines.append(
            text(
                "definitions.where_to_define",
                name=name,
                notebook=path.name,
                exercise=_exercise_defining(path.name, name),
            )
        )
    found = ", ".join(sorted(_public(namespace))) or text("definitions.nothing_found")
    lines.append(text("definitions.found", found=found))
    if failures:
        lines.append(text("definitions.failed_cells") + "".join(f"\n  {f.label}: {f.error}" for f in failures))
    return "\n".join(lines)


def load_definitions(notebook_path, names=None) -> dict:
    """Run the definitions of a notebook's code cells (imports, functions, classes, constants).

    Returns the defined names, or only ``names`` (a list) when given; a KeyError (in Portuguese, for the
    student) says which are missing and which exercise cell should define them. Cells that fail are
    reported with a warning. The newer of the notebook and its Jupytext pair is read (see
    :func:`read_newest`); a copy renamed by Google Drive, or the notebook in the Drive folders on Colab, is
    found too (see :func:`find_notebook`). Example, in notebook 05:
    ``FCN_AlexNet = load_definitions("02_fcn_alexnet.ipynb", ["FCN_AlexNet"])["FCN_AlexNet"]``.
    """
    path = find_notebook(notebook_path)
    nb, read_path, note = read_newest(path)
    if note:
        print(note)
    namespace, failures = execute_definition_cells(nb, name=read_path.name)
    problems = "".join(f"\n  {failure.label}: {failure.error}" for failure in failures)
    if failures:
        warnings.warn(
            text("definitions.cells_failed_warning", notebook=read_path.name, problems=problems), stacklevel=2
        )
    if names is None:
        return _public(namespace)
    if isinstance(names, str):
        names = [names]
    missing = [name for name in names if name not in namespace]
    if missing:
        raise MissingDefinitions(_missing_message(path, missing, namespace, failures))
    return {name: namespace[name] for name in names}

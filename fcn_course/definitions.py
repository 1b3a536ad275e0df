"""Use in one notebook the functions and classes a student wrote in another one.

Notebooks 03 and 04 call ``load_definitions("02_fcn_alexnet.ipynb", names=["FCN_AlexNet"])`` so that the
student's code lives in one place. Only *definition cells* run (imports, ``def``, ``class``, constants):
cells that train, plot or download are skipped, so loading is fast and has no side effects.

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

import jupytext
import nbformat


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


def _is_constant_assignment(node) -> bool:
    """``NAME = <literal>`` (or annotated, or ``A, B = <literal>``): safe to run anywhere."""
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
    if value is None:
        return True
    try:
        ast.literal_eval(value)
    except (ValueError, TypeError, SyntaxError, RecursionError):  # not a literal (``x = f()``)
        return False
    return True


def _is_docstring(node) -> bool:
    return isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)


def is_definition_cell(source: str) -> bool:
    """True when every top-level statement is an import, a def/class, a docstring or a constant.

    Such cells can be run on their own: they only define things. Cells with IPython syntax
    (magics, shell lines) or syntax errors are not definition cells.
    """
    if has_ipython_syntax(source):
        return False
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return False
    definitions = (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Pass)
    for node in tree.body:
        if not (isinstance(node, definitions) or _is_docstring(node) or _is_constant_assignment(node)):
            return False
    return bool(tree.body)


@dataclass
class CellFailure:
    """A definition cell that could not be run."""

    index: int      # 0-based position in the notebook
    label: str      # readable description of the cell
    error: str      # "SyntaxError: ... (line 3)"


def _looks_like_definitions(source: str) -> bool:
    """For a cell that does not parse: does it seem to define something (``def``/``class``/``import``)?"""
    return bool(re.search(r"^\s*(def|class|import|from|async\s+def)\s", source, re.MULTILINE))


def execute_definition_cells(nb, name: str = "notebook") -> tuple[dict, list[CellFailure]]:
    """Run the definition cells of ``nb`` in a fresh namespace; errors are collected, not raised.

    A cell that does not parse is reported when it looks like it defines something (so that a
    student's typo in a function is not silently ignored).
    """
    namespace = {"__name__": "__notebook__", "__builtins__": __builtins__}
    failures = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code" or has_ipython_syntax(cell.source):
            continue
        label = cell_label(name, index, cell)
        filename = f"<{name} cell {index + 1}>"
        try:
            code = compile(cell.source, filename, "exec")
        except SyntaxError as error:
            if _looks_like_definitions(cell.source):
                failures.append(CellFailure(index, label, f"SyntaxError: {error.msg} (line {error.lineno})"))
            continue
        if not is_definition_cell(cell.source):
            continue
        # Register the source so that tracebacks show the student's lines.
        linecache.cache[filename] = (len(cell.source), None, cell.source.splitlines(True), filename)
        try:
            exec(code, namespace)
        except Exception as error:  # noqa: BLE001 - a student's cell may raise anything
            failures.append(CellFailure(index, label, f"{type(error).__name__}: {error}"))
    return namespace, failures


def _public(namespace: dict) -> dict:
    return {key: value for key, value in namespace.items() if not key.startswith("__")}


def load_definitions(notebook_path, names=None) -> dict:
    """Run only the definition cells of a notebook (imports, functions, classes, constants).

    Returns the defined names, or only ``names`` (a list) when given; a KeyError lists those
    missing. Cells that fail are reported with a warning (and in the KeyError). Example, in
    notebook 04: ``FCN_AlexNet = load_definitions("02_fcn_alexnet.ipynb", ["FCN_AlexNet"])["FCN_AlexNet"]``.
    """
    path = Path(notebook_path)
    namespace, failures = execute_definition_cells(read_notebook(path), name=path.name)
    problems = "".join(f"\n  {failure.label}: {failure.error}" for failure in failures)
    if failures:
        warnings.warn(f"Some definition cells of {path} failed:{problems}", stacklevel=2)
    if names is None:
        return _public(namespace)
    if isinstance(names, str):
        names = [names]
    missing = [name for name in names if name not in namespace]
    if missing:
        found = ", ".join(sorted(_public(namespace))) or "nothing"
        raise KeyError(
            f"{path} does not define {', '.join(missing)} (it defines: {found}). Run and save that notebook "
            f"and check the names." + (f" These cells failed:{problems}" if failures else "")
        )
    return {name: namespace[name] for name in names}

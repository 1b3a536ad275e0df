"""What a submission's source shows before it runs: imports of the solutions, tools that can reach the checks.

The grader (``fcn_course.instructor.grade``) blocks importing ``solutions`` and the instructor wing while a
submission runs, and fingerprints the checks; this module reads the code cells to put up for manual review a
submission that tried (``INSTRUCTOR_CODE``: an import or a path of ``solutions/`` or the instructor wing, even
when the import would fail) or that uses tools no exercise needs and that can reach the checks from inside
(``INTERPRETER_TOOLS``: the interpreter's frames, the garbage collector, ``ctypes``, builtins, assignments into
imported modules such as ``torch.allclose = ...``). A flag only asks for a look: it changes no grade.
"""

from __future__ import annotations

import ast
import re
from typing import Optional

INSTRUCTOR_CODE = "instructor_code"  # imports or reads solutions/ or the instructor wing
INTERPRETER_TOOLS = "interpreter_tools"  # the source uses frames, gc, ctypes, or assigns into imported modules

_INSTRUCTOR_TEXT = re.compile(r"(^|[\s/\\.'\"])solutions($|[\s/\\.'\"])|fcn_course[./\\]instructor")
# Attributes and names that reach the interpreter's frames, objects or memory (nothing an exercise needs).
_TOOL_ATTRIBUTES = {
    "_getframe",
    "currentframe",
    "f_back",
    "f_locals",
    "f_globals",
    "tb_frame",
    "gi_frame",
    "cr_frame",
    "get_referrers",
    "get_referents",
    "get_objects",
    "addaudithook",
    "__fspath__",
}
_TOOL_NAMES = {"__builtins__", "builtins", "ctypes", "gc"}


def _imported_module(node) -> list:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
        return [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
    return []


def _root_name(node) -> Optional[str]:
    """``torch`` for ``torch.nn.functional.relu``, ``sys`` for ``sys.modules["__main__"].f``."""
    while isinstance(node, (ast.Attribute, ast.Subscript, ast.Call)):
        node = node.func if isinstance(node, ast.Call) else node.value
    return node.id if isinstance(node, ast.Name) else None


def _patches_a_module(target, imported: set) -> bool:
    """``torch.allclose = ...``, ``checks.check = ...``, ``sys.modules[...] = ...`` (``torch.backends.*``
    settings are ordinary)."""
    if isinstance(target, ast.Subscript):
        return ast.unparse(target.value) == "sys.modules"
    return (
        isinstance(target, ast.Attribute) and _root_name(target) in imported and "backends" not in ast.unparse(target)
    )


def _tools_in(tree, imported: set) -> list:
    """Names of the tampering tools in a parsed cell (``"sys._getframe"``, ``"torch.allclose ="``...)."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in _TOOL_ATTRIBUTES:
            found.append(ast.unparse(node))
        elif isinstance(node, ast.Name) and node.id in _TOOL_NAMES:
            found.append(node.id)
        elif isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Delete)):
            targets = node.targets if isinstance(node, (ast.Assign, ast.Delete)) else [node.target]
            found += [f"{ast.unparse(t)} =" for t in targets if _patches_a_module(t, imported)]
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in ("setattr", "delattr")
            and node.args
            and _root_name(node.args[0]) in imported
        ):
            found.append(f"{node.func.id}({ast.unparse(node.args[0])}, ...)")
    return found


def _names_instructor_code(name: str) -> bool:
    return name.split(".")[0] == "solutions" or name.startswith("fcn_course.instructor")


def _imported_names(trees) -> set:
    """The names the cells bind by importing (``torch``, ``nn``, ``checks``...)."""
    names = set()
    for tree in trees:
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names |= {alias.asname or alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom):
                names |= {alias.asname or alias.name for alias in node.names}
    return names


def source_review(nb) -> dict:
    """``{reason: [details]}`` from the code cells' source: importing or naming ``solutions`` or the instructor
    wing (``INSTRUCTOR_CODE``), and tools that can reach the checks from inside (``INTERPRETER_TOOLS``)."""
    from fcn_course.definitions import python_source

    trees, review = [], {}
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        try:
            trees.append(ast.parse(python_source(cell.source)))
        except (SyntaxError, ValueError):
            if _INSTRUCTOR_TEXT.search(cell.source):
                review.setdefault(INSTRUCTOR_CODE, []).append(cell.source.strip().splitlines()[0][:60])
    imported = _imported_names(trees)
    for tree in trees:
        for node in ast.walk(tree):
            hits = [name for name in _imported_module(node) if _names_instructor_code(name)]
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and _INSTRUCTOR_TEXT.search(node.value):
                hits.append(node.value[:60])
            review.setdefault(INSTRUCTOR_CODE, []).extend(hits[:1])
        review.setdefault(INTERPRETER_TOOLS, []).extend(_tools_in(tree, imported))
    return {reason: list(dict.fromkeys(details)) for reason, details in review.items() if details}

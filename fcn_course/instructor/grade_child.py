"""What the grading process runs for one submission: ``python -m fcn_course.instructor.grade_child CONFIG``.

The parent (``fcn_course.instructor.grade``) starts this in a temporary folder (see ``sandbox``). The steps,
in this order, so that everything that protects the grading is in place before the first line of student code:

1. lower the resource limits (``grade_time.limit_own_cpu``, ``sandbox.apply_limits``), and speak the
   submission's language (``language``, chosen by the grader: ``grade.submission_language``), set here
   rather than left to ``FCN_COURSE_LANG``, so that neither the zygote this child may be forked from nor
   the submission's code changing the variable decides;
2. read the one-time token the grader left in the ``token`` file, and delete the file: the result must carry
   the token, so a result file written by the student's code (which cannot read it any more) is forged;
3. import the checks (and the modules of extra exercises) and take a :class:`Fingerprint` of the code that
   judges: the check modules, their functions' code, the exercise rows, their classes, and the library
   functions the checks rely on (``torch``, ``numpy``, builtins);
4. install the :func:`install_guard` audit hook and forget the instructor wing: importing ``solutions`` or
   ``fcn_course.instructor``, reading their files, and reading or changing the class folder, the report folder
   or the instructor's home fail with a Portuguese message, and each attempt is recorded;
5. run the submission's definitions (``fcn_course.definitions``);
6. compare the fingerprint, run the checks through the references taken in step 3, compare again;
7. write ``result.json`` (a new file, never through a link) with the token.

Python runs the student's code in this same process, so a determined student who walks the interpreter's
frames could still reach the checks while they run; the grader flags source code that uses such tools for
manual review (``grade.source_review``), and ``--sandbox bwrap`` keeps that code away from every other file.
"""

from __future__ import annotations

import importlib
import json
import os
import sys
import types
from pathlib import Path

from fcn_course.instructor import sandbox
from fcn_course.instructor.grade_time import limit_own_cpu

BLOCKED_MODULES = ("solutions", "fcn_course.instructor")
# Audit events that name files (the positions of the paths in their arguments).
PATH_EVENTS = {
    "open": (0,),
    "os.listdir": (0,),
    "os.scandir": (0,),
    "os.remove": (0,),
    "os.rmdir": (0,),
    "os.rename": (0, 1),
    "os.mkdir": (0,),
    "os.chmod": (0,),
    "os.chown": (0,),
    "os.truncate": (0,),
    "os.link": (0, 1),
    "os.symlink": (1,),
    "os.utime": (0,),
    "os.chdir": (0,),
    "shutil.rmtree": (0,),
    "shutil.copyfile": (0, 1),
    "shutil.copytree": (0, 1),
    "shutil.move": (0, 1),
}
# Library modules whose functions the checks call: replacing one of them (``torch.allclose = ...``) is
# tampering; new names in them are not (libraries add names when a submodule is imported).
# The same for what writes the result (``json``, ``os``, ``io``).
LIBRARY_MODULES = (
    "builtins",
    "math",
    "numpy",
    "torch",
    "torch.nn",
    "torch.nn.functional",
    "torch.nn.init",
    "torch.nn.modules.module",
    "torch.optim",
    "unittest.mock",
    "contextlib",
    "functools",
    "inspect",
    "traceback",
    "json",
    "json.encoder",
    "os",
    "posixpath",
    "io",
)


# --------------------------------------------------------------------------------------------------
# The guard: an audit hook (PEP 578), which code cannot remove once it is installed
# --------------------------------------------------------------------------------------------------
def _blocked_module(name: str) -> bool:
    return any(name == blocked or name.startswith(blocked + ".") for blocked in BLOCKED_MODULES)


def _deepest(path: str, folders) -> int:
    """The length of the longest folder of ``folders`` that holds ``path`` (-1: none does)."""
    return max(
        (len(folder) for folder in folders if path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)),
        default=-1,
    )


def path_verdict(path: str, rules: dict):
    """``"instructor"``, ``"private"`` or None (allowed) for a resolved path, from the folders in ``rules``.

    The harness's own files are allowed; the solutions and the instructor wing are always denied; otherwise
    the deepest folder that holds the path decides: what the child needs (its folder, the package, Python) is
    allowed, the private folders (class, reports, home, temporary root) are denied.
    """
    if path in rules["allowed_files"]:
        return None
    if _deepest(path, rules["denied"]) >= 0:
        return "instructor"
    private = _deepest(path, rules["private"])
    return "private" if private >= 0 and private > _deepest(path, rules["allowed"]) else None


def install_guard(rules: dict) -> list:
    """Install the audit hook; returns the list it appends each blocked attempt to (``{"kind", "what"}``)."""
    from fcn_course.messages import text

    attempts = []

    def guard(event, arguments):
        if event == "import" and arguments and isinstance(arguments[0], str) and _blocked_module(arguments[0]):
            attempts.append({"kind": "instructor", "what": arguments[0]})
            raise ImportError(text("grade.blocked_import", module=arguments[0]))
        for position in PATH_EVENTS.get(event, ()):
            if position >= len(arguments) or not isinstance(arguments[position], (str, bytes, os.PathLike)):
                continue
            path = os.path.realpath(os.fsdecode(arguments[position]))
            kind = path_verdict(path, rules)
            if kind:
                attempts.append({"kind": kind, "what": path})
                raise PermissionError(text("grade.blocked_path", path=os.fsdecode(arguments[position])))

    sys.addaudithook(guard)
    return attempts


def forget_instructor_wing() -> None:
    """Remove the instructor wing from the loaded modules, so that importing it goes through the guard."""
    for name in [name for name in sys.modules if _blocked_module(name)]:
        del sys.modules[name]
    package = sys.modules.get("fcn_course")
    if package is not None and hasattr(package, "instructor"):
        delattr(package, "instructor")


# --------------------------------------------------------------------------------------------------
# The fingerprint of the code that judges
# --------------------------------------------------------------------------------------------------
def _state(value) -> tuple:
    """What must stay the same object: a function's code and defaults too (they can be swapped in place)."""
    if isinstance(value, types.FunctionType):
        return (value, value.__code__, value.__defaults__, value.__kwdefaults__)
    return (value,)


def _same(first: tuple, second: tuple) -> bool:
    return len(first) == len(second) and all(a is b for a, b in zip(first, second))


def _is_submodule(value, name: str) -> bool:
    """A package gains its submodule as an attribute when the submodule is imported: not tampering."""
    return isinstance(value, types.ModuleType) and value.__name__ == name and sys.modules.get(name) is value


def _namespace_state(namespace) -> dict:
    return {key: _state(value) for key, value in list(namespace.items())}


def _module_state(name: str) -> dict:
    module = sys.modules.get(name)
    return _namespace_state(vars(module)) if module is not None else {}


class Fingerprint:
    """Identities of everything the checks' verdict depends on, taken before the student's code runs."""

    def __init__(self, own_modules, library_modules, classes, rows):
        self.own = {name: _namespace_state(vars(sys.modules[name])) for name in own_modules}
        self.library = {
            name: _namespace_state(vars(sys.modules[name])) for name in library_modules if name in sys.modules
        }
        self.classes = {f"{cls.__module__}.{cls.__qualname__}": (cls, _namespace_state(vars(cls))) for cls in classes}
        self.rows_module = sys.modules["fcn_course.checks.exercise"]
        self.rows = {row.key: (row, _namespace_state(vars(row))) for row in rows}

    @classmethod
    def take(cls, extra_modules=()):
        """The fingerprint of the course package (without its instructor wing), ``extra_modules`` and the
        libraries and classes the checks use."""
        import torch

        from fcn_course.checks import exercises

        own = sorted(
            {
                name
                for name in sys.modules
                if name == "fcn_course" or name.startswith("fcn_course.")
                if not _blocked_module(name)
            }
            | set(extra_modules)
            | {"__main__"}
        )  # this harness too
        classes = {
            value
            for name in own
            for value in vars(sys.modules[name]).values()
            if isinstance(value, type) and value.__module__ in own
        }
        classes |= {torch.Tensor, torch.nn.Module, torch.optim.Optimizer}
        return cls(own, LIBRARY_MODULES, sorted(classes, key=lambda c: (c.__module__, c.__qualname__)), exercises())

    @staticmethod
    def _compare(where: str, before: dict, now: dict, strict: bool) -> list:
        changed = [f"{where}.{key}" for key, state in before.items() if key not in now or not _same(state, now[key])]
        if strict:  # a new global in a check module can shadow a builtin the check uses
            changed += [
                f"{where}.{key}"
                for key, state in now.items()
                if key not in before and not key.startswith("__") and not _is_submodule(state[0], f"{where}.{key}")
            ]
        return changed

    def changes(self) -> list:
        """What the student's code replaced, added or removed (``"torch.allclose"``...); [] when nothing."""
        found = []
        for name, before in self.own.items():
            found += self._compare(name, before, _module_state(name), strict=True)
        for name, before in self.library.items():
            found += self._compare(name, before, _module_state(name), strict=False)
        for where, (cls, before) in self.classes.items():
            found += self._compare(where, before, _namespace_state(vars(cls)), strict=True)
        rows = getattr(self.rows_module, "_ROWS", {})
        for key, (row, before) in self.rows.items():
            if rows.get(key) is not row or not all(
                _same(before[k], now) for k, now in _namespace_state(vars(row)).items() if k in before
            ):
                found.append(f"exercise {key}")
        return list(dict.fromkeys(found))


# --------------------------------------------------------------------------------------------------
# The grading itself
# --------------------------------------------------------------------------------------------------
def grade_copy(copy_path: Path, config: dict) -> dict:
    """Steps 3 to 6 on the copy of the submission: ``{"exercises", "cell_errors", "checks_error", "blocked",
    "replaced"}``."""
    for module in config["modules"]:
        importlib.import_module(module)
    from fcn_course import checks
    from fcn_course.definitions import execute_definition_cells, read_notebook

    forget_instructor_wing()
    fingerprint = Fingerprint.take(config["modules"])
    run_all, rows, keys = checks.run_all, checks.exercises(), checks.exercises_for_notebook(copy_path.name)
    notebook = read_notebook(copy_path)
    attempts = install_guard(config["rules"])

    namespace, failures = execute_definition_cells(notebook, name=copy_path.name)
    replaced = fingerprint.changes()
    cell_errors = [{"cell": failure.index, "label": failure.label, "error": failure.error} for failure in failures]
    if keys is None:  # a name the course does not know: grade the exercises whose names it defines
        keys = tuple(row.key for row in rows if all(name in namespace for name in row.names))
    checks_error = None
    try:
        results = [
            {
                "key": r.key,
                "name": str(r.exercise),
                "passed": r.passed is True,
                "messages": [str(m) for m in r.messages],
            }
            for r in run_all(namespace, exercises=keys)
        ]
    except Exception as error:
        results, checks_error = [], f"{type(error).__name__}: {error}"
    replaced = list(dict.fromkeys(replaced + fingerprint.changes()))
    return {
        "exercises": results,
        "cell_errors": cell_errors,
        "checks_error": checks_error,
        "blocked": list(attempts),
        "replaced": replaced,
    }


def write_result(path: Path, result: dict) -> None:
    """Write ``result`` to a new file at ``path`` (what the student's code left there is removed, never
    followed)."""
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
    handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
    with os.fdopen(handle, "w", encoding="utf-8") as output:
        json.dump(result, output)


def main(argv) -> int:
    """``CONFIG`` (JSON): ``copy``, ``result``, ``limits``, ``modules`` (check modules to import) and ``rules``
    (the guard's folders), ``token`` (the file that holds the token), ``language`` (of the checks' feedback)."""
    from fcn_course.messages import set_language

    config = json.loads(argv[0])
    limit_own_cpu()  # the time limit, in CPU seconds (grade_time)
    sandbox.apply_limits(config["limits"])
    set_language(config.get("language"))  # before the fingerprint: the submission's code must leave it so
    token_path = Path(config["token"])
    token = token_path.read_text().strip()
    token_path.unlink()  # gone before the first line of student code
    here = os.getcwd()
    sys.path[:] = [entry for entry in sys.path if entry not in ("", here)]  # ``-m`` put the working folder first
    grade, write = grade_copy, write_result  # held here: replacing the module's names later changes nothing
    result = grade(Path(config["copy"]), config)
    write(Path(config["result"]), {"token": token, **result})
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

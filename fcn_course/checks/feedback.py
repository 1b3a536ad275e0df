"""What every check shares: the result, the Portuguese feedback, and running the student's code safely.

A check collects problems (Portuguese sentences) and never raises because of a wrong answer; only the stub of
a required exercise (``NotImplementedError``) makes an interactive check raise :class:`ExerciseNotDone`, so
that "Run all" stops at the first unfinished exercise. Errors are located in the student's cell
(:func:`student_frame`), never in PyTorch or in this package.
"""
from __future__ import annotations

import re
import sysconfig
import traceback
from dataclasses import dataclass, field
from pathlib import Path

from fcn_course import backbones
from fcn_course.definitions import parse_cell_filename


@dataclass
class CheckResult:
    """Outcome of one check: which exercise, whether it passed, and the feedback lines."""

    exercise: str
    passed: bool
    messages: list = field(default_factory=list)

    def __str__(self) -> str:
        head = f"{'✅' if self.passed else '❌'} {self.exercise}"
        if self.passed:
            return head + ": tudo certo!"
        return "\n".join([head + ":"] + [f"   - {m}" for m in self.messages])

    def __bool__(self) -> bool:
        return self.passed


class Failed(Exception):
    """Internal: stops a check at the first problem found (message already in Portuguese)."""


class ExerciseNotDone(NotImplementedError):
    """The exercise still holds its stub: a check cell raises this so that "Run all" stops there."""


def finish(exercise: str, problems: list, verbose: bool, required: bool = True) -> CheckResult:
    """The result of a check; in a notebook (``verbose``) print it, and stop "Run all" at a required stub.

    An optional exercise (``required=False``, like Exercício 0) never stops the notebook: its stub is only
    reported, so the cells after it still run.
    """
    result = CheckResult(exercise, passed=not problems, messages=[str(m) for m in problems])
    if verbose:
        print(result)
        stub = next((m for m in problems if isinstance(m, StubMessage)), None)
        if stub and required:
            raise ExerciseNotDone(f"Termine o {exercise} antes de seguir: {stub}")
        if stub:
            print("   (exercício opcional: o resto do notebook roda sem ele; volte a ele quando quiser.)")
    return result


class StubMessage(str):
    """A problem message that says the exercise is still the stub (the check cell then raises)."""


def describe_error(error: BaseException) -> str:
    """Short Portuguese description of an exception raised by the student's code."""
    if isinstance(error, NotImplementedError):
        hint = str(error) or "complete o trecho marcado"
        return f"ainda não implementado ({hint})"
    frame = student_frame(error)
    where = f" ({frame_label(frame)}: `{frame.line}`)" if frame is not None and frame.line else ""
    return f"seu código gerou {type(error).__name__}: {error}{where}"


# Code that is not the student's: this package, the standard library and installed packages (PyTorch...).
_LIBRARY_FOLDERS = tuple({str(Path(__file__).resolve().parents[1])} | {
    str(Path(folder).resolve()) for key, folder in sysconfig.get_paths().items()
    if key in ("stdlib", "platstdlib", "purelib", "platlib")})


def _is_library(filename: str) -> bool:
    if filename.startswith("<"):  # a notebook cell or code compiled from a string
        return filename.startswith("<frozen") or filename == "<string>"
    try:
        path = str(Path(filename).resolve())
    except (OSError, ValueError):
        return False
    return path.startswith(_LIBRARY_FOLDERS) or "site-packages" in path


def student_frame(error: BaseException):
    """The last traceback frame in the student's code (their notebook cell), None when there is none."""
    frames = [frame for frame in traceback.extract_tb(error.__traceback__) if not _is_library(frame.filename)]
    return frames[-1] if frames else None


def frame_label(frame) -> str:
    """Where a frame is, in Portuguese: ``célula 12 de 02_fcn_alexnet.ipynb, linha 5``."""
    loaded = parse_cell_filename(frame.filename)  # a cell run by fcn_course.definitions
    if loaded:
        return f"célula {loaded[1]} de {loaded[0]}, linha {frame.lineno}"
    ipython = re.fullmatch(r"<ipython-input-(\d+)-\w+>", frame.filename)  # older IPython
    if ipython:
        return f"célula [{ipython.group(1)}], linha {frame.lineno}"
    if "ipykernel_" in frame.filename:  # Jupyter: /tmp/ipykernel_<pid>/<hash>.py
        return f"linha {frame.lineno} da sua célula"
    return f"{Path(frame.filename).name}, linha {frame.lineno}"


def run_student_code(problems: list, what: str, function, *args, **kwargs):
    """Call the student's code; turn an exception into a Portuguese problem and stop the check."""
    try:
        return function(*args, **kwargs)
    except backbones.PretrainedWeightsError:
        raise
    except Exception as error:  # the student's code may fail in any way: report it
        message = f"{what}: {describe_error(error)}"
        problems.append(StubMessage(message) if isinstance(error, NotImplementedError) else message)
        raise Failed from error

"""What every check shares: the result, the Portuguese feedback, and running the student's code safely.

A check collects problems (Portuguese sentences) and never raises because of a wrong answer; only the stub of
a required exercise (``NotImplementedError``) makes an interactive check raise :class:`ExerciseNotDone`, so
that "Run all" stops at the first unfinished exercise. Errors are located in the student's cell
(:func:`student_frame`), never in PyTorch or in this package.
"""

from __future__ import annotations

import contextlib
import re
import sysconfig
import traceback
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

import torch

from fcn_course import backbones
from fcn_course.checks.exercise import get_exercise
from fcn_course.definitions import parse_cell_filename
from fcn_course.messages import text


@dataclass
class CheckResult:
    """Outcome of one check: the exercise's title (and key), whether it passed, and the feedback lines.

    ``notes`` are remarks on a right answer (an accepted variant, e.g. the paper's scaled skip scores).
    """

    exercise: str
    passed: bool
    messages: list = field(default_factory=list)
    key: Optional[str] = None  # the registry key ("alexnet-skip"); None for a check outside the registry
    notes: list = field(default_factory=list)

    def __str__(self) -> str:
        notes = [text("checks.feedback.note", note=note) for note in self.notes]
        if self.passed:
            return "\n".join([text("checks.passed", title=self.exercise)] + notes)
        return "\n".join([text("checks.failed", title=self.exercise)] + [f"   - {m}" for m in self.messages] + notes)

    def __bool__(self) -> bool:
        return self.passed


class Failed(Exception):
    """Internal: stops a check at the first problem found (message already in Portuguese)."""


class ExerciseNotDone(NotImplementedError):
    """The exercise still holds its stub: a check cell raises this so that "Run all" stops there."""


def finish(key: str, problems: list, verbose: bool, title: Optional[str] = None, notes=()) -> CheckResult:
    """The result of the check of exercise ``key``; in a notebook (``verbose``) print it, and stop "Run all"
    at the stub of a required exercise.

    The title and whether the exercise is optional come from its registry row; ``title`` names a check
    without a row (the FCN of an extra backbone). An optional exercise (like Exercício 0) never stops the
    notebook: its stub is only reported, so the cells after it still run.
    """
    row = get_exercise(key)
    title = row.title if row is not None else title or key
    result = CheckResult(
        title, passed=not problems, messages=[str(m) for m in problems], key=key, notes=[str(note) for note in notes]
    )
    if verbose:
        print(result)
        stub = next((m for m in problems if isinstance(m, StubMessage)), None)
        if stub and (row is None or row.required):
            raise ExerciseNotDone(text("checks.finish_first", title=title, stub=stub))
        if stub:
            print(text("checks.challenge_stub" if row is not None and row.challenge else "checks.optional_stub"))
    return result


class StubMessage(str):
    """A problem message that says the exercise is still the stub (the check cell then raises)."""


def describe_error(error: BaseException) -> str:
    """Short Portuguese description of an exception raised by the student's code."""
    if isinstance(error, NotImplementedError):
        return text("checks.not_implemented", hint=str(error) or text("checks.not_implemented_default"))
    frame = student_frame(error)
    where = text("checks.error_where", where=frame_label(frame), line=frame.line) if frame and frame.line else ""
    return text("checks.student_error", error_type=type(error).__name__, error=error, where=where)


# Code that is not the student's: this package, the standard library and installed packages (PyTorch...).
_LIBRARY_FOLDERS = tuple(
    {str(Path(__file__).resolve().parents[1])}
    | {
        str(Path(folder).resolve())
        for key, folder in sysconfig.get_paths().items()
        if key in ("stdlib", "platstdlib", "purelib", "platlib")
    }
)


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
        return text("checks.where_loaded_cell", cell=loaded[1], notebook=loaded[0], line=frame.lineno)
    ipython = re.fullmatch(r"<ipython-input-(\d+)-\w+>", frame.filename)  # older IPython
    if ipython:
        return text("checks.where_ipython_cell", cell=ipython.group(1), line=frame.lineno)
    if "ipykernel_" in frame.filename:  # Jupyter: /tmp/ipykernel_<pid>/<hash>.py
        return text("checks.where_your_cell", line=frame.lineno)
    return text("checks.where_file", file=Path(frame.filename).name, line=frame.lineno)


class NotACourseBackbone(backbones.PretrainedWeightsError):
    """Raised by the checks' stand-in for ImageNet weights when a student's model asks for the weights of a
    network the course does not register (its message is already in Portuguese)."""


def run_student_code(problems: list, what: str, function, *args, **kwargs):
    """Call the student's code; turn an exception into a Portuguese problem and stop the check."""
    try:
        return function(*args, **kwargs)
    except Exception as error:  # the student's code may fail in any way: report it
        message = f"{what}: {_describe(error)}"
        problems.append(StubMessage(message) if isinstance(error, NotImplementedError) else message)
        raise Failed from error


def _describe(error: BaseException) -> str:
    """:func:`describe_error`, but a request for ImageNet weights gets its own explanation (the checks build
    every model with pretrained=False, without downloading anything)."""
    if isinstance(error, NotACourseBackbone):
        return str(error)
    if isinstance(error, backbones.PretrainedWeightsError):
        frame = student_frame(error)
        where = text("checks.error_where", where=frame_label(frame), line=frame.line) if frame and frame.line else ""
        return text("checks.feedback.weights_requested", where=where)
    return describe_error(error)


def undecided(error: BaseException) -> str:
    """The problem a check reports when it cannot decide (something it did not foresee went wrong)."""
    return text("checks.feedback.undecided", error=describe_error(error))


@contextlib.contextmanager
def judging(problems: list):
    """Run the body of a check: a first problem found (:class:`Failed`) ends it, and nothing else escapes.

    Whatever the student's objects do that the check did not foresee (an attribute that is not a tensor, a
    method that raises) becomes a Portuguese problem saying the check could not decide, never a traceback.
    """
    try:
        yield
    except Failed:
        pass
    except Exception as error:  # noqa: BLE001 - a check never raises because of the student's answer
        problems.append(undecided(error))


_FRAME = re.compile(r'File "(?P<file>[^"]+)", line (?P<line>\d+), in (?P<name>[^\n]+)\n(?P<code>[^\n]*)')


def _forward_frame(function, *args):
    """The student's line whose result the backward pass needed intact, found with autograd's anomaly mode
    (it reports where the tensor was made); None when it is not in the student's code."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            with torch.autograd.detect_anomaly(check_nan=False):
                function(*args).backward()
        except Exception:  # noqa: BLE001 - the error is known; only its forward traceback is wanted
            pass
    frames = [
        traceback.FrameSummary(m["file"], int(m["line"]), m["name"], line=m["code"].strip())
        for warning in caught
        for m in _FRAME.finditer(str(warning.message))
    ]
    frames = [frame for frame in frames if not _is_library(frame.filename)]
    return frames[-1] if frames else None


def run_backward(problems: list, what: str, loss, function, *args):
    """``loss.backward()``; an error there is the student's (an in-place change of a tensor autograd needs is
    the usual one): explain it, with the student's line found by running ``function(*args)`` again."""
    try:
        loss.backward()
    except Exception as error:  # noqa: BLE001
        if "inplace operation" in str(error):
            frame = _forward_frame(function, *args)
            where = text("checks.error_where", where=frame_label(frame), line=frame.line) if frame else ""
            problems.append(text("checks.feedback.inplace", what=what, where=where))
        else:
            problems.append(f"{what}: {describe_error(error)}")
        raise Failed from error

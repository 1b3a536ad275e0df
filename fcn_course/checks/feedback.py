"""What every check shares: the result, the Portuguese feedback, and running the student's code safely.

A check collects problems (Portuguese sentences) and never raises because of a wrong answer; only a stub
(``NotImplementedError``) makes an interactive check raise :class:`ExerciseNotDone`, so that "Run all" stops
at the first unfinished exercise.
"""
from __future__ import annotations

import traceback
from dataclasses import dataclass, field

from fcn_course import backbones


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


def finish(exercise: str, problems: list, verbose: bool) -> CheckResult:
    result = CheckResult(exercise, passed=not problems, messages=[str(m) for m in problems])
    if verbose:
        print(result)
        stub = next((m for m in problems if isinstance(m, StubMessage)), None)
        if stub:
            raise ExerciseNotDone(f"{exercise}: {stub}")
    return result


class StubMessage(str):
    """A problem message that says the exercise is still the stub (the check cell then raises)."""


def describe_error(error: BaseException) -> str:
    """Short Portuguese description of an exception raised by the student's code."""
    if isinstance(error, NotImplementedError):
        hint = str(error) or "complete o trecho marcado"
        return f"ainda não implementado ({hint})"
    where = traceback.extract_tb(error.__traceback__)
    line = f" (linha {where[-1].lineno}: `{where[-1].line}`)" if where and where[-1].line else ""
    return f"seu código gerou {type(error).__name__}: {error}{line}"


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

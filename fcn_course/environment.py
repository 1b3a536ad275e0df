"""The course's environment variables: their names, and the one function that reads them.

Every module that sets or reads one of these variables imports its name from here (``fcn_course.config``
re-exports them for notebooks and students). The table of what each variable does is in the README,
section "Environment variables".

This module imports neither PyTorch nor the rest of the course except the profile table and the message
catalogue (which imports no PyTorch either, and owns ``FCN_COURSE_LANG`` since every sentence it looks up asks
for it: the name is re-exported here with the others), so that the instructor's tools (running notebooks in
kernels, the main job) and the Colab set-up cell can use the names without loading PyTorch
(``tests/test_environment.py`` checks it).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from fcn_course.messages import LANG_ENV, read_language, text
from fcn_course.profiles import PROFILES

PROFILE_ENV = "FCN_COURSE_PROFILE"  # full, demo or smoke
SMOKE_ENV = "FCN_COURSE_SMOKE"  # 1: the smoke profile (older scripts; PROFILE_ENV wins when both are set)
DATA_ENV = "FCN_COURSE_DATA"  # folder that holds VOCdevkit/ and the synthetic twins
RUNS_ENV = "FCN_COURSE_RUNS"  # where training runs go
WEIGHTS_ENV = "FCN_COURSE_WEIGHTS"  # a folder (or file) with ImageNet weight files
STATIC_ENV = "FCN_COURSE_STATIC"  # 1: widgets drawn as static figures

ENVIRONMENT_VARIABLES = (PROFILE_ENV, SMOKE_ENV, DATA_ENV, RUNS_ENV, WEIGHTS_ENV, STATIC_ENV, LANG_ENV)


def _is_on(value: Optional[str]) -> bool:
    """True for the values that switch a flag variable on: 1, true, yes, on (any case, spaces ignored)."""
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class Environment:
    """Everything the course reads from environment variables (see README, "Environment variables")."""

    profile: Optional[str]  # FCN_COURSE_PROFILE, or "smoke" when FCN_COURSE_SMOKE=1; None when unset
    profile_source: str  # which variable chose it, for the message printed at the top of notebooks ("default")
    data_dir: Path  # FCN_COURSE_DATA, default ~/fcn_course_data: holds VOCdevkit/
    runs_dir: Path  # FCN_COURSE_RUNS, default ./runs
    weights: Optional[Path]  # FCN_COURSE_WEIGHTS: a folder (or file) with ImageNet weight files
    static_widgets: bool  # FCN_COURSE_STATIC=1: widgets drawn as static figures
    language: Optional[str]  # FCN_COURSE_LANG as written (pt_BR, en); None when unset


def read_environment(environ=None) -> Environment:
    """Read the course's environment variables (``environ`` defaults to ``os.environ``).

    Raises a ValueError naming the valid profiles when ``FCN_COURSE_PROFILE`` holds something else.
    """
    environ = os.environ if environ is None else environ
    profile, source = None, "default"
    if environ.get(PROFILE_ENV, "").strip():
        profile, source = environ[PROFILE_ENV].strip().lower(), f"{PROFILE_ENV}={environ[PROFILE_ENV].strip()}"
        if profile not in PROFILES:
            raise ValueError(
                text(
                    "environment.unknown_profile",
                    variable=PROFILE_ENV,
                    value=environ[PROFILE_ENV],
                    choices=", ".join(PROFILES),
                )
            )
    elif _is_on(environ.get(SMOKE_ENV)):
        profile, source = "smoke", f"{SMOKE_ENV}=1"
    weights = environ.get(WEIGHTS_ENV, "").strip()
    return Environment(
        profile=profile,
        profile_source=source,
        data_dir=Path(environ.get(DATA_ENV) or Path.home() / "fcn_course_data").expanduser(),
        runs_dir=Path(environ.get(RUNS_ENV) or "runs").expanduser(),
        weights=Path(weights).expanduser() if weights else None,
        static_widgets=_is_on(environ.get(STATIC_ENV)),
        language=read_language(environ),
    )

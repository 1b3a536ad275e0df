#!/usr/bin/env bash
# Every test: library, reference models, learning test, notebook sync/drift, nbval over the solution
# notebooks in smoke mode and the student notebooks up to their first exercise; ruff (lint and format) first.
# The tests run in parallel on every CPU core (pytest-xdist).
#   bash scripts/run_tests.sh --fast [pytest options]   the fast lane: tests/ without the tests marked slow, kernel,
#                                                        subprocess or browser, and without the notebooks (nbval),
#                                                        in parallel too (-n 0 after the command: one process)
source "$(dirname "${BASH_SOURCE[0]}")/_env.sh"
# Lint and formatting first (seconds): ruff, configured in pyproject.toml.
"$PY" -m ruff check --quiet . || { echo "!! ruff check failed: fix the lines above (ruff check --fix fixes some)"; exit 1; }
"$PY" -m ruff format --check --quiet . || { echo "!! not formatted: run ruff format ."; exit 1; }
if [[ "${1:-}" == "--fast" ]]; then
    shift
    exec "$PY" -m pytest -n auto tests -m "not slow and not kernel and not subprocess and not browser" "$@"
fi
# In parallel: one pytest-xdist worker per CPU core; each edition's solution notebooks stay together on one
# worker (conftest.py). Pass -n 0 after the command to run everything in this one process.
exec "$PY" -m pytest -n auto "$@"

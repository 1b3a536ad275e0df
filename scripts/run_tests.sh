#!/usr/bin/env bash
# Every test: library, reference models, learning test, notebook sync/drift, nbval over the solution
# notebooks in smoke mode and the student notebooks up to their first exercise.
source "$(dirname "${BASH_SOURCE[0]}")/_env.sh"
exec "$PY" -m pytest "$@"

# Sourced by run_course.sh and run_tests.sh: make sure a Python environment with the course installed is
# active. Uses the active virtualenv/conda env if there is one, otherwise creates ./.venv on first use.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"

if [[ -n "${VIRTUAL_ENV:-}" || -n "${CONDA_PREFIX:-}" ]]; then
    PY="python"
else
    if [[ ! -x .venv/bin/python ]]; then
        echo ">> creating a virtual environment in .venv (first run only)"
        "${PYTHON:-python3}" -m venv .venv
    fi
    PY="$repo/.venv/bin/python"
fi

# (Re)install when the project's dependency list changed since the last install into this environment.
stamp="$("$PY" -c 'import sys; print(sys.prefix)')/.fcn-course-installed"
want="$("$PY" -c 'import hashlib; print(hashlib.sha256(open("pyproject.toml", "rb").read()).hexdigest())')"
if [[ ! -f "$stamp" || "$(cat "$stamp")" != "$want" ]]; then
    echo ">> installing fcn-course and its dependencies (a few minutes the first time: PyTorch is large)"
    log="$(mktemp)"
    if ! { "$PY" -m pip install --upgrade pip && "$PY" -m pip install -e ".[dev,instructor]"; } > "$log" 2>&1; then
        tail -n 40 "$log"
        echo "!! installation failed (full log: $log)"
        exit 1
    fi
    echo "$want" > "$stamp"
fi
export MPLBACKEND="${MPLBACKEND:-Agg}"

"""Settings shared by every test, notebooks included (nbval kernels inherit this environment).

The whole suite runs in smoke mode: synthetic VOC written under .cache/ in the repository, tiny
settings, a non-interactive matplotlib backend and static figures instead of widgets.

The README's test command runs the tests in parallel (pytest-xdist, one worker per CPU core). Three things
keep the workers out of each other's way:

- each worker computes on one thread (``OMP_NUM_THREADS=1``; PyTorch would use every core in each worker);
- each worker trains into its own runs folder (``.cache/runs/gw0``, ``gw1`` ...): two notebooks that train the
  same configuration never write into the same run at once;
- the cells of a solution notebook run in order in one kernel, and notebook 05 adopts the runs 02 and 04
  trained: each edition's solution notebooks go to one worker together, in the course's order (the scheduler
  below; pytest-xdist's own ``--dist loadgroup`` cannot rename the items of pytest 9);
- the smoke profile's synthetic twin is written once, before the workers start, so that no worker reads a
  picture another one is still writing.
"""

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent

os.environ["FCN_COURSE_SMOKE"] = "1"
os.environ.setdefault("FCN_COURSE_DATA", str(ROOT / ".cache" / "data"))
os.environ.setdefault("FCN_COURSE_STATIC", "1")
os.environ["MPLBACKEND"] = "Agg"
WORKER = os.environ.get("PYTEST_XDIST_WORKER")  # gw0, gw1 ... in pytest-xdist's workers; None otherwise
if WORKER is not None and int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1")) > 1:
    # one thread per worker (and per kernel or process it starts): the workers already fill the cores
    os.environ.setdefault("OMP_NUM_THREADS", "1")
# Always here, never in a runs folder of the developer's own FCN_COURSE_RUNS (notebook 05 empties its smoke
# folders); set, not defaulted, since the workers inherit the environment of the process that starts them.
os.environ["FCN_COURSE_RUNS"] = str(ROOT / ".cache" / "runs" / (WORKER or "main"))


def pytest_configure(config):
    """Before parallel workers start (in the process that starts them): the smoke twin, written once."""
    if WORKER is None and getattr(config.option, "numprocesses", None):
        from fcn_course.config import course_args
        from fcn_course.synthetic import ensure_synthetic_voc

        args = course_args()
        ensure_synthetic_voc(args["root"], args["synthetic"])


@pytest.hookimpl(optionalhook=True)  # a hook of pytest-xdist, called in the process that starts the workers
def pytest_xdist_make_scheduler(config, log):
    """Send each edition's solution notebooks to one worker, in order; every other test on its own."""
    from xdist.scheduler import LoadScopeScheduling

    class EditionsTogether(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            path = nodeid.split("::", 1)[0]
            return str(Path(path).parent) if path.endswith(".ipynb") else nodeid

    return EditionsTogether(config, log)

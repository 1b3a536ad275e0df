"""Settings shared by every test, notebooks included (nbval kernels inherit this environment).

The whole suite runs in smoke mode: synthetic VOC written under .cache/ in the repository, tiny
settings, a non-interactive matplotlib backend and static figures instead of widgets.
"""

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent

os.environ["FCN_COURSE_SMOKE"] = "1"
os.environ.setdefault("FCN_COURSE_DATA", str(ROOT / ".cache" / "data"))
os.environ.setdefault("FCN_COURSE_STATIC", "1")
os.environ["MPLBACKEND"] = "Agg"
os.environ.setdefault("FCN_COURSE_RUNS", str(ROOT / ".cache" / "runs"))

"""The course's outline: its notebooks in reading order, named once.

The self-checks' exercise registry (``fcn_course.checks.EXERCISES``), the grader, the course runner, the
command line and the tests all take the notebook names from here.
"""
from __future__ import annotations

COURSE_NOTEBOOKS = ("01_dados_e_metricas", "02_fcn_alexnet", "03_fcn_vgg16", "04_comparacao")
STUDENT_NOTEBOOK_DIR = "notebooks"
# The notebooks whose exercises define the FCN classes, the optimiser and the loss (read by notebook 04,
# ``python -m fcn_course grid`` and ``python -m fcn_course predict``).
MODEL_NOTEBOOKS = tuple(f"{STUDENT_NOTEBOOK_DIR}/{name}.ipynb" for name in ("02_fcn_alexnet", "03_fcn_vgg16"))

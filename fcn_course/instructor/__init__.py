"""The instructor wing of the course: everything students never need.

One job per module:

* ``markers``   -- solution regions (``### BEGIN SOLUTION`` ... ``### END SOLUTION``): find and strip them
* ``pairs``     -- notebook files: jupytext settings, .ipynb/.py texts, stable cell ids, the solution list
* ``includes``  -- ``include:<path>`` cells that take their body from ``solutions/*.py``
* ``student``   -- the student version of a solution notebook
* ``build``     -- write solution pairs, checked outputs, student pairs and their manifest
* ``sync``      -- list what is out of date (used by ``check``, the release and a test)
* ``execute``   -- run notebooks with nbclient (whole, or until the first exercise stub)
* ``grade``     -- grade a student's notebook with ``fcn_course.checks``
* ``leaks``     -- find solution lines in a release zip
* ``release``   -- the student release: student package, student notebooks, README, LICENSE, environment
* ``course``    -- the main job: execute the whole solution course
* ``reference`` -- the reference models and training functions of ``solutions/``
* ``site``      -- the course website (Sphinx + MyST-NB) from the executed notebooks of a run folder
* ``mathjax``   -- the local MathJax copy that the website and the HTML copies load (no CDN)
* ``nbgrader_export`` -- the solution notebooks as an nbgrader ``source/`` folder
* ``__main__``  -- ``python -m fcn_course.instructor {course,build,check,grade,release,site,grid,predict}``

The student package (``fcn_course``) never imports this wing; this wing imports the student package and
``solutions/``. It is installed with the repository (``pip install -e ".[dev,instructor]"``) and left out
of the student release.
"""
from __future__ import annotations

from pathlib import Path

# The course repository: the folder that holds fcn_course/ and solutions/ (an editable install).
REPO_ROOT = Path(__file__).resolve().parents[2]


def repo_root() -> Path:
    """The course repository (with ``solutions/``), or a SystemExit that says where to run the command."""
    for folder in (REPO_ROOT, Path.cwd()):
        if (folder / "solutions" / "notebooks").is_dir():
            return folder
    raise SystemExit(
        f"error: the course repository (a folder with solutions/notebooks/) was not found in {REPO_ROOT} "
        f"nor in {Path.cwd()}. Run the instructor commands from a clone of the course repository, "
        f"installed with: pip install -e \".[dev,instructor]\""
    )

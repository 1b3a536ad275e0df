"""The instructor wing of the course: everything students never need.

One job per module:

* ``markers``   -- solution regions (``### BEGIN SOLUTION`` ... ``### END SOLUTION``): find and strip them
* ``pairs``     -- notebook files: the folders, the course notebooks (from ``fcn_course.outline``), jupytext
  settings, .ipynb/.py texts, stable cell ids
* ``includes``  -- ``include:<path>`` cells that take their body from ``solutions/*.py``
* ``colab_cells`` -- the Colab badge and set-up cell, rewritten for the one repository setting
  (``fcn_course.colab.REPOSITORY``, or the git remote)
* ``student``   -- the cell steps of the student version (drop ``solution-only`` cells, stub solution regions...)
* ``pipeline``  -- the cell steps composed into recipes: solution pair, student notebook, site page (nbgrader's in
  ``nbgrader_export``), and the provenance line of generated notebooks
* ``build``     -- write solution pairs, checked outputs, student pairs and their manifest
* ``sync``      -- list what is out of date (used by ``check``, the release and a test)
* ``execute``   -- run notebooks with nbclient (whole, or until the first exercise stub)
* ``grade``     -- grade a student's notebook with ``fcn_course.checks``, in its own process
* ``grade_child`` -- what that process runs: the guard, the fingerprint of the checks, the checks themselves
* ``grade_review`` -- what a submission's source shows (imports of the solutions, tools that reach the checks)
* ``sandbox``   -- the grading process's limits, environment and optional bubblewrap sandbox
* ``grade_class`` -- grade a class: every notebook under files and folders, one report each, one CSV (grades.csv)
* ``leaks``     -- find solution lines in a release zip
* ``release``   -- the student release: student package, student notebooks, README, LICENSE, environment;
  one language's (``--lang``)
* ``publish``   -- the student release as a git repository of its own (what students and Colab read), with
  every translated edition in ``notebooks/<language>/``
* ``course``    -- the main job: execute the whole solution course
* ``reference`` -- the reference models and training functions of ``solutions/``
* ``site``      -- the course website (Sphinx + MyST-NB) from the executed notebooks of a run folder
* ``mathjax``   -- the local MathJax copy that the website and the HTML copies load (no CDN)
* ``nbgrader_export`` -- the solution notebooks as an nbgrader course folder (the ``NBGRADER`` recipe) and its
  ``nbgrader_config.py``
* ``nbgrader_autograde`` -- the preprocessors that config gives nbgrader's autograde (kernels' profile, hidden tests)
* ``__main__``  -- ``python -m fcn_course.instructor {course,build,check,grade,release,publish,site,grid,predict}``

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
    from fcn_course.instructor.pairs import SOLUTION_DIR

    for folder in (REPO_ROOT, Path.cwd()):
        if (folder / SOLUTION_DIR).is_dir():
            return folder
    from fcn_course.messages import text

    raise SystemExit(
        text("instructor.no_repository", solutions=SOLUTION_DIR.as_posix(), package_root=REPO_ROOT, cwd=Path.cwd())
    )

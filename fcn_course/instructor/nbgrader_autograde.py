"""What nbgrader's ``autograde`` runs with in a course folder written by the export: two preprocessors.

The course folder's ``nbgrader_config.py`` (written by ``nbgrader_export``) puts them in place of nbgrader's own:

* :class:`CourseExecute` -- nbgrader's ``Execute`` whose kernels run with the grading profile (``smoke`` by
  default: a tiny synthetic dataset written in seconds, so a grading machine needs no Pascal VOC). Only the
  kernels get it: the nbgrader process, and formgrader's Jupyter server, keep their environment.
* :class:`HiddenTestsOverwriteCells` -- nbgrader's ``OverwriteCells`` without its false alarm on hidden tests.
  nbgrader stores each locked test cell with its hidden tests (and that text's checksum) in the gradebook, and
  gives the students the cell without them; at autograde it compares the submitted cell with the stored one,
  so every test cell with hidden tests is reported as changed ("Attribute 'checksum' ... has changed!",
  jupyter/nbgrader#1961), even when the student never touched it. This one stays quiet when the submitted
  cell is exactly the released one (the stored cell without its hidden tests) and still reports a cell the
  student really edited. Either way nbgrader puts the stored cell back, hidden tests included, before grading.

This module imports nbgrader; only the config file and the tests import it.
"""

from __future__ import annotations

import copy
import shutil
import tempfile
from pathlib import Path

from nbgrader import utils
from nbgrader.converters.autograde import Autograde
from nbgrader.preprocessors import ClearHiddenTests, Execute, OverwriteCells
from traitlets import Enum

from fcn_course.environment import RUNS_ENV
from fcn_course.instructor.execute import kernel_env
from fcn_course.instructor.nbgrader_export import GRADING_PROFILE
from fcn_course.outline import COURSE_NOTEBOOKS
from fcn_course.profiles import profile_names


class CourseExecute(Execute):
    """nbgrader's ``Execute``; its kernels run with ``FCN_COURSE_PROFILE`` set to :attr:`profile`, and write
    their training runs into a temporary folder removed after each notebook (``FCN_COURSE_RUNS``, unless the
    instructor set it): otherwise every student's autograded folder kept ~40 MB of checkpoints and figures."""

    _runs = None  # the temporary runs folder of the notebook being executed

    profile = Enum(
        profile_names(),
        default_value=GRADING_PROFILE,
        help="the course profile the notebooks run with during autograde",
    ).tag(config=True)

    def preprocess(self, nb, resources=None, *args, **kwargs):
        folder = Path(((resources or {}).get("metadata") or {}).get("path") or ".")
        copied, missing = bring_earlier_notebooks(folder)
        for path in missing:
            self.log.warning(
                "%s loads definitions from the student's %s, which is not in %s: its cells that use them fail "
                "(collect and autograde that notebook too, or copy it next to this one)",
                folder.name,
                path.name,
                path.parent,
            )
        with tempfile.TemporaryDirectory(prefix="fcn_course_autograde_runs_") as runs:
            self._runs = runs
            try:
                return super().preprocess(nb, resources, *args, **kwargs)
            finally:
                self._runs = None
                for path in copied:
                    path.unlink(missing_ok=True)

    def setup_kernel(self, **kwargs):
        env = kwargs.setdefault("env", kernel_env(smoke=False, profile=self.profile))
        if self._runs and not env.get(RUNS_ENV):
            env[RUNS_ENV] = self._runs
        return super().setup_kernel(**kwargs)


class HiddenTestsOverwriteCells(OverwriteCells):
    """nbgrader's ``OverwriteCells``, reporting a changed checksum only for a cell the student edited."""

    def preprocess_cell(self, cell, resources, cell_index):
        self._submitted = cell  # report_change needs the cell, nbgrader passes only its id
        return super().preprocess_cell(cell, resources, cell_index)

    def released_checksum(self, grade_id: str) -> str:
        """The checksum of the cell as the students got it: the gradebook's cell without its hidden tests."""
        stored = self.gradebook.find_source_cell(grade_id, self.notebook_id, self.assignment_id)
        released = copy.deepcopy(self._submitted)
        released.source = stored.source
        ClearHiddenTests(parent=self).preprocess_cell(released, {}, 0)
        return utils.compute_checksum(released)

    def report_change(self, name, attr, old, new):
        if attr == "checksum" and new == self.released_checksum(name):
            return  # the released cell, untouched: only the hidden tests differ from the gradebook's
        super().report_change(name, attr, old, new)


def bring_earlier_notebooks(folder: Path, submitted: str = "submitted", autograded: str = "autograded"):
    """Copy the student's earlier course notebooks next to the one nbgrader autogrades in ``folder``.

    Notebooks 03 and later load the student's definitions from the earlier ones (``load_definitions
    ("02_fcn_alexnet.ipynb")``, in the notebook's own folder), but nbgrader gives each assignment a folder of
    its own: ``autograded/<student>/<notebook>/``. The student's ``submitted/<student>/<earlier>/<earlier>.ipynb``
    is copied in when that folder holds no such file (nothing there is overwritten). Returns ``(copied, missing)``:
    the files copied (removed after the notebook ran) and the earlier notebooks the student did not submit.
    Outside nbgrader's layout, or for a notebook the outline does not name, nothing is done.
    """
    folder = Path(folder)
    student = folder.parent
    if folder.name not in COURSE_NOTEBOOKS or student.parent.name != autograded:
        return [], []
    handed_in = student.parent.parent / submitted / student.name
    copied, missing = [], []
    for earlier in COURSE_NOTEBOOKS[: COURSE_NOTEBOOKS.index(folder.name)]:
        target, source = folder / f"{earlier}.ipynb", handed_in / earlier / f"{earlier}.ipynb"
        if target.exists():
            continue
        if source.is_file():
            shutil.copyfile(source, target)
            copied.append(target)
        else:
            missing.append(source)
    return copied, missing


def _replaced(preprocessors: list, ours: dict) -> list:
    return [ours.get(preprocessor, preprocessor) for preprocessor in preprocessors]


def sanitize_preprocessors() -> list:
    """nbgrader's ``Autograde.sanitize_preprocessors`` with :class:`HiddenTestsOverwriteCells`."""
    defaults = Autograde.class_traits()["sanitize_preprocessors"].default()
    return _replaced(defaults, {OverwriteCells: HiddenTestsOverwriteCells})


def autograde_preprocessors() -> list:
    """nbgrader's ``Autograde.autograde_preprocessors`` with :class:`CourseExecute`."""
    defaults = Autograde.class_traits()["autograde_preprocessors"].default()
    return _replaced(defaults, {Execute: CourseExecute})

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

from nbgrader import utils
from nbgrader.converters.autograde import Autograde
from nbgrader.preprocessors import ClearHiddenTests, Execute, OverwriteCells
from traitlets import Enum

from fcn_course.instructor.execute import kernel_env
from fcn_course.instructor.nbgrader_export import GRADING_PROFILE
from fcn_course.profiles import profile_names


class CourseExecute(Execute):
    """nbgrader's ``Execute``; its kernels run with ``FCN_COURSE_PROFILE`` set to :attr:`profile`."""

    profile = Enum(
        profile_names(),
        default_value=GRADING_PROFILE,
        help="the course profile the notebooks run with during autograde",
    ).tag(config=True)

    def setup_kernel(self, **kwargs):
        kwargs.setdefault("env", kernel_env(smoke=False, profile=self.profile))
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

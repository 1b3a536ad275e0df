"""Tests of fcn_course.instructor.markers (solution regions).

Most of its behaviour is tested through the build (test_instructor_build.py); these are the cases found by mutation
testing (benchmarks/mutation_test.py) that no other test pinned.
"""
import pytest

from fcn_course.instructor.markers import find_solution_regions, region_lines
from tiny_course import BEGIN, END


def test_a_malformed_end_marker_is_reported_at_its_own_line_number():
    source = f"x = 1\n{BEGIN}\ny = 2\n{END} trailing text\n"
    with pytest.raises(ValueError, match=r"^line 4: .*must be alone on its line"):
        find_solution_regions(source)


def test_an_end_marker_without_begin_is_reported_at_its_own_line_number():
    with pytest.raises(ValueError, match=r"^line 2: .*without a"):
        find_solution_regions(f"x = 1\n{END}\n")


def test_a_malformed_begin_marker_is_reported_at_its_own_line_number():
    source = f"x = 1\ny = 2\n{BEGIN} but no colon\nz = 3\n{END}\n"
    with pytest.raises(ValueError, match=r"^line 3: .*must be alone on its line"):
        find_solution_regions(source)


def test_a_nested_begin_marker_is_reported_at_its_own_line_and_names_the_open_region():
    source = f"x = 1\n{BEGIN}\ny = 2\n{BEGIN}\n{END}\n"
    with pytest.raises(ValueError, match=r"^line 4: .*inside the region opened at line 2 "):
        find_solution_regions(source)


def test_region_lines_are_exactly_the_lines_between_the_markers():
    source = f"def f(x):\n    {BEGIN}\n    y = x + 1\n    return y\n    {END}\n\n{BEGIN}\nz = 0\n{END}\n"
    assert region_lines(source) == {2, 3, 7}

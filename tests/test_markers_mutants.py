"""Marker cases found by mutation testing (benchmarks/mutation_test.py) that no other test pinned."""
import pytest

from fcn_course.instructor.markers import find_solution_regions
from tiny_course import BEGIN, END


def test_a_malformed_end_marker_is_reported_at_its_own_line_number():
    source = f"x = 1\n{BEGIN}\ny = 2\n{END} trailing text\n"
    with pytest.raises(ValueError, match=r"^line 4: .*must be alone on its line"):
        find_solution_regions(source)


def test_an_end_marker_without_begin_is_reported_at_its_own_line_number():
    with pytest.raises(ValueError, match=r"^line 2: .*without a"):
        find_solution_regions(f"x = 1\n{END}\n")

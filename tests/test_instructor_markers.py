"""Tests of fcn_course.instructor.markers (solution regions).

Most of its behaviour is tested through the build (test_instructor_build.py); these are the cases found by mutation
testing (benchmarks/mutation_test.py) that no other test pinned.
"""

import pytest

from fcn_course.instructor.markers import answer_in_hints, find_solution_regions, hints_markdown, region_lines
from helpers import raised_in_each_language
from tiny_course import BEGIN, END


def test_a_malformed_end_marker_is_reported_at_its_own_line_number():
    source = f"x = 1\n{BEGIN}\ny = 2\n{END} trailing text\n"
    with pytest.raises(ValueError, match=r"^linha 4: .*deve ficar sozinho na sua linha"):
        find_solution_regions(source)


def test_an_end_marker_without_begin_is_reported_at_its_own_line_number():
    with pytest.raises(ValueError, match=r"^linha 2: .*sem um"):
        find_solution_regions(f"x = 1\n{END}\n")


def test_a_malformed_begin_marker_is_reported_at_its_own_line_number():
    source = f"x = 1\ny = 2\n{BEGIN} but no colon\nz = 3\n{END}\n"
    with pytest.raises(ValueError, match=r"^linha 3: .*deve ficar sozinho na sua linha"):
        find_solution_regions(source)


def test_a_nested_begin_marker_is_reported_at_its_own_line_and_names_the_open_region():
    source = f"x = 1\n{BEGIN}\ny = 2\n{BEGIN}\n{END}\n"
    with pytest.raises(ValueError, match=r"^linha 4: .*dentro da região aberta na linha 2 "):
        find_solution_regions(source)


def test_region_lines_are_exactly_the_lines_between_the_markers():
    source = f"def f(x):\n    {BEGIN}\n    y = x + 1\n    return y\n    {END}\n\n{BEGIN}\nz = 0\n{END}\n"
    assert region_lines(source) == {2, 3, 7}


# --------------------------------------------------------------------------------------------------
# Hints in tiers
# --------------------------------------------------------------------------------------------------
TIERED = (
    f"def up(channels):\n    {BEGIN}: crie a camada que amplia\n    ### DICA: qual camada desfaz um stride?\n"
    f"    ### DICA: o stride é o fator\n    ### ESQUELETO: layer = nn.ConvTranspose2d(channels, ...)\n"
    f"    layer = nn.ConvTranspose2d(channels, channels, kernel_size=4, stride=2)\n    return layer\n    {END}\n"
)


def test_hint_lines_are_read_in_order_and_are_not_solution_lines():
    (region,) = find_solution_regions(TIERED)
    assert region.goal == "crie a camada que amplia"
    assert region.hints == ("qual camada desfaz um stride?", "o stride é o fator")
    assert region.skeleton == ("layer = nn.ConvTranspose2d(channels, ...)",)
    assert region_lines(TIERED) == {5, 6}  # hints are for the students: not secret


def test_a_hint_line_outside_a_region_is_an_error():
    with pytest.raises(ValueError, match=r"^linha 2: .*dentro de uma região '### BEGIN SOLUTION'"):
        find_solution_regions("x = 1\n### DICA: use y\n")


@pytest.mark.parametrize(
    "hint",
    [
        "layer = nn.ConvTranspose2d(channels, channels, kernel_size=4, stride=2)",  # the whole line
        "use nn.ConvTranspose2d(channels,channels,kernel_size=4,stride=2)",  # its right side, spaces aside
    ],
)
def test_a_hint_that_holds_a_solution_line_is_found(hint):
    source = TIERED.replace("o stride é o fator", hint)
    assert answer_in_hints(source) == [
        (hint, "layer = nn.ConvTranspose2d(channels, channels, kernel_size=4, stride=2)")
    ]


def test_hints_that_name_the_tool_are_not_the_answer():
    assert answer_in_hints(TIERED) == []


def test_hints_open_one_by_one_the_skeleton_last():
    markdown = hints_markdown(TIERED)
    first, second, skeleton = (markdown.index(s) for s in ("Dica 1", "Dica 2", "Esqueleto"))
    assert first < second < skeleton
    assert markdown.count("<details>") == 3 and markdown.endswith("</details></details></details>")  # nested
    assert "```python\nlayer = nn.ConvTranspose2d(channels, ...)\n```" in markdown
    assert hints_markdown(f"{BEGIN}: sem dicas\nx = 1\n{END}\n") == ""


def test_a_skeleton_may_show_a_line_that_only_opens_a_block():
    source = (
        f"{BEGIN}: amplie sem gradiente\n### ESQUELETO: with torch.no_grad():\n### ESQUELETO:     layer = ...\n"
        f"with torch.no_grad():\n    layer = upsample_the_scores_of_every_class(x)\n{END}\n"
    )
    assert answer_in_hints(source) == []


# --------------------------------------------------------------------------------------------------
# A misplaced marker is said in the course's language (Portuguese; English in the English edition)
# --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "source, portuguese_part, english_part",
    [
        (
            f"x = 1\n{BEGIN} but no colon\n{END}\n",
            "linha 2: '### BEGIN SOLUTION' deve ficar sozinho",
            "line 2: '### BEGIN SOLUTION' must be alone",
        ),
        (f"{BEGIN}\n{BEGIN}\n{END}\n", "dentro da região aberta na linha 1", "inside the region opened at line 1"),
        (
            f"{BEGIN}\n{END} x\n",
            "linha 2: '### END SOLUTION' deve ficar sozinho",
            "line 2: '### END SOLUTION' must be alone",
        ),
        (f"{END}\n", "linha 1: '### END SOLUTION' sem um '### BEGIN SOLUTION'", "line 1: '### END SOLUTION' without a"),
        ("### DICA: use y\n", "deve estar dentro de uma região", "must be inside a '### BEGIN SOLUTION' region"),
        (f"{BEGIN}\nx = 1  ### DICA: y\n{END}\n", "deve estar sozinha na linha", "must be alone on its line"),
        (
            f"{BEGIN}\n### DICA:\n{END}\n",
            "linha 2: '### DICA:' sem uma dica depois dele",
            "line 2: '### DICA:' without a hint",
        ),
        (
            f"x = 1\n{BEGIN}\ny = 2\n",
            "linha 2: '### BEGIN SOLUTION' nunca é fechado",
            "line 2: '### BEGIN SOLUTION' is never closed",
        ),
    ],
)
def test_a_misplaced_marker_is_said_in_the_course_language(source, portuguese_part, english_part):
    portuguese, english = raised_in_each_language(ValueError, find_solution_regions, source)
    assert portuguese_part in portuguese
    assert english_part in english

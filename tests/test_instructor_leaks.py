"""Tests of fcn_course.instructor.leaks (the release's leak scan).

The scan is tested end to end with the release (test_instructor_release.py); these are the cases found by mutation
testing (benchmarks/mutation_test.py) that no other test pinned.
"""

import zipfile

from fcn_course.instructor.leaks import LEAK_ALLOWLIST, _allowed_lines, scan_for_leaks, secret_lines
from tiny_course import BEGIN, make_repo, percent


def test_solution_regions_of_a_plain_solutions_file_are_secret(tmp_path):
    """A reference file of solutions/ that no notebook includes still has secret solution regions."""
    repo = make_repo(tmp_path)
    (repo / "solutions" / "halver.py").write_text(
        percent('''
        def halve(x):
            BEGIN: Devolva a metade de x.
            half = x / 2  # the halved input, computed only in the reference
            return half
            END
    ''')
    )
    assert "half = x / 2  # the halved input, computed only in the reference" in secret_lines(repo)


def test_a_leak_is_reported_at_its_line_number_counted_from_one(tmp_path):
    repo = make_repo(tmp_path)
    zip_path = tmp_path / "release.zip"
    with zipfile.ZipFile(zip_path, "w") as archive:
        archive.writestr("fcn-course/README.md", f"first line\nsecond line\n{BEGIN}\n")
    assert scan_for_leaks(zip_path, repo) == [f"fcn-course/README.md:3: solution marker: {BEGIN}"]


def _scan(tmp_path, files: dict) -> list:
    """scan_for_leaks over a zip holding ``files`` ({name in the zip: bytes or text}), against the tiny course."""
    repo = make_repo(tmp_path)
    zip_path = tmp_path / "scanned.zip"
    with zipfile.ZipFile(zip_path, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return scan_for_leaks(zip_path, repo)


SECRET_CODE = "result = x * 2  # the doubled input, computed here"  # from the solution region of solutions/model.py
SECRET_ANSWER = "A raiz quadrada de dezesseis vale quatro, pois quatro vezes quatro dá dezesseis."  # a Markdown answer


def test_a_binary_file_is_skipped(tmp_path):
    assert _scan(tmp_path, {"fcn-course/logo.png": b"\x89PNG\r\n\x1a\n\xff\xfe\x00binary"}) == []


def test_a_python_module_is_scanned_once_as_plain_text(tmp_path):
    leaks = _scan(tmp_path, {"fcn-course/fcn_course/helpers.py": f"def double(x):\n    {SECRET_CODE}\n"})
    assert leaks == [f"fcn-course/fcn_course/helpers.py:2: solution line: {SECRET_CODE}"]


def test_a_student_py_notebook_is_also_read_as_cells(tmp_path):
    """In a py:percent notebook a Markdown answer is commented out ("# A raiz..."): its cells are read too."""
    notebook = f"# %% [markdown]\n# {SECRET_ANSWER}\n"
    leaks = _scan(tmp_path, {"fcn-course/notebooks/01_demo.py": notebook})
    assert leaks == [f"fcn-course/notebooks/01_demo.py:3: solution line: {SECRET_ANSWER}"]


def test_comments_and_blank_lines_of_the_allowlist_allow_nothing(tmp_path):
    repo = make_repo(tmp_path)
    (repo / LEAK_ALLOWLIST).write_text("# generic idioms\n\nvalue = math.sqrt(x)  # generic\n", encoding="utf-8")
    assert _allowed_lines(repo) == {"value = math.sqrt(x)  # generic"}


def test_a_solution_line_of_the_minimum_length_leaks_and_a_shorter_one_does_not(tmp_path):
    """The documented threshold: 25 characters (stripped) count as a leak, 24 are too common to count."""
    at_threshold, shorter = "half = numbers.sum() / 20", "half = numbers.sum() / 2"
    assert (len(at_threshold), len(shorter)) == (25, 24)
    repo = make_repo(tmp_path)
    (repo / "solutions" / "halver.py").write_text(
        percent(f'''
        def halve(numbers):
            BEGIN: Devolva a metade da soma.
            {shorter}
            {at_threshold}
            return half
            END
    ''')
    )
    zip_path = tmp_path / "release.zip"
    with zipfile.ZipFile(zip_path, "w") as archive:
        archive.writestr("fcn-course/fcn_course/halves.py", f"def halve(numbers):\n    {shorter}\n    {at_threshold}\n")
    assert scan_for_leaks(zip_path, repo) == [f"fcn-course/fcn_course/halves.py:3: solution line: {at_threshold}"]


def test_the_solution_notebooks_of_a_translated_edition_are_secret(tmp_path):
    """``solutions/notebooks/<language>/`` (written by the build from a catalogue) holds solutions too: its
    solution-only cells and regions are secret, read as notebooks from the .py and the .ipynb alike."""
    import nbformat

    repo = make_repo(tmp_path)
    edition = repo / "solutions" / "notebooks" / "en"
    edition.mkdir()
    (edition / "01_demo.py").write_text(
        percent('''
        # %% [markdown]
        # # Exercises

        # %% [markdown] tags=["solution-only"]
        # The reference answer in English, which students never see.

        # %% [markdown]
        # BEGIN
        # The square root of sixteen is four, since four times four is sixteen.
        # END
    ''')
    )
    only_in_ipynb = nbformat.v4.new_markdown_cell(
        "An English model answer kept in the notebook file only.", metadata={"tags": ["solution-only"]}
    )
    nbformat.write(nbformat.v4.new_notebook(cells=[only_in_ipynb]), edition / "01_demo.ipynb")
    secret = secret_lines(repo)
    assert "The reference answer in English, which students never see." in secret
    assert "The square root of sixteen is four, since four times four is sixteen." in secret
    assert "An English model answer kept in the notebook file only." in secret
    assert "# Exercises" not in secret  # a heading students see stays visible

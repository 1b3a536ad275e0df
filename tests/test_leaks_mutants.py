"""Leak-scan cases found by mutation testing (benchmarks/mutation_test.py) that no other test pinned."""
import zipfile

from fcn_course.instructor.leaks import scan_for_leaks, secret_lines
from tiny_course import BEGIN, END, make_repo, percent


def test_solution_regions_of_a_plain_solutions_file_are_secret(tmp_path):
    """A reference file of solutions/ that no notebook includes still has secret solution regions."""
    repo = make_repo(tmp_path)
    (repo / "solutions" / "halver.py").write_text(percent('''
        def halve(x):
            BEGIN: Devolva a metade de x.
            half = x / 2  # the halved input, computed only in the reference
            return half
            END
    '''))
    assert "half = x / 2  # the halved input, computed only in the reference" in secret_lines(repo)


def test_a_leak_is_reported_at_its_line_number_counted_from_one(tmp_path):
    repo = make_repo(tmp_path)
    zip_path = tmp_path / "release.zip"
    with zipfile.ZipFile(zip_path, "w") as archive:
        archive.writestr("fcn-course/README.md", f"first line\nsecond line\n{BEGIN}\n")
    assert scan_for_leaks(zip_path, repo) == [f"fcn-course/README.md:3: solution marker: {BEGIN}"]

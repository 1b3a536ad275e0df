"""Tests of the student release and its leak scan (fcn_course.instructor.release) on tiny notebooks written to temporary folders."""

import json
import zipfile

import pytest

from fcn_course.files import OWNER_FILE
from fcn_course.instructor import release as release_module
from fcn_course.instructor.build import build
from fcn_course.instructor.leaks import LEAK_ALLOWLIST
from fcn_course.instructor.release import ReleaseError, SolutionLeakError, release
from fcn_course.messages import text
from tiny_course import (
    build_fix,
    stray_message,
    BEGIN,
    END,
    ENGLISH_ANSWER,
    PAGES,
    REPO_ROOT,
    TINY_OUTLINE,
    add_stray_solution,
    edit_solution_py,
    make_english_course,
    make_repo,
)


from helpers import raised_in_each_language, tree_digest

# --------------------------------------------------------------------------------------------------
# Release
# --------------------------------------------------------------------------------------------------


def test_release_excludes_solutions(tmp_path):
    repo = make_repo(tmp_path)
    build(repo, names=TINY_OUTLINE, quiet=True)
    zip_path = release(repo, tmp_path / "dist", names=TINY_OUTLINE)
    names = zipfile.ZipFile(zip_path).namelist()
    assert "fcn-course/notebooks/01_demo.ipynb" in names and "fcn-course/notebooks/01_demo.py" in names
    assert "fcn-course/fcn_course/__init__.py" in names and "fcn-course/jupytext.toml" in names
    assert not any("solutions" in name or name.endswith(".generated.json") for name in names)


def test_release_puts_the_reference_page_next_to_the_notebooks(tmp_path):
    repo = make_repo(tmp_path)
    build(repo, names=TINY_OUTLINE, quiet=True)
    (repo / "notebooks" / "referencia.md").write_text("# Referência rápida\n", encoding="utf-8")
    zip_path = release(repo, tmp_path / "dist", names=TINY_OUTLINE)
    assert zipfile.ZipFile(zip_path).read("fcn-course/notebooks/referencia.md").decode() == "# Referência rápida\n"


def test_the_course_has_its_reference_page():
    text = (REPO_ROOT / "notebooks" / "referencia.md").read_text(encoding="utf-8")
    for topic in ("convolução transposta", "campo receptivo", "IoU", "Dice", "mIoU", "revocação", "*stride*", "lote"):
        assert topic.lower() in text.lower(), topic


@pytest.mark.parametrize(
    "plant",
    [
        lambda repo: (repo / "fcn_course" / "helpers.py").write_text(
            "def double(x):\n    result = x * 2  # the doubled input, computed here\n    return result\n"
        ),
        lambda repo: (repo / "README.md").write_text(f"Use {BEGIN} in your notebooks\n"),
        lambda repo: (repo / "fcn_course" / "notes.md").write_text(
            "A raiz quadrada de dezesseis vale quatro, pois quatro vezes quatro dá dezesseis.\n"
        ),
    ],
)
def test_release_scan_catches_a_planted_leak(tmp_path, plant):
    repo = make_repo(tmp_path)
    build(repo, names=TINY_OUTLINE, quiet=True)
    plant(repo)
    with pytest.raises(SolutionLeakError, match="entregaria soluções"):
        release(repo, tmp_path / "dist", names=TINY_OUTLINE)
    assert not (tmp_path / "dist" / "fcn-course.zip").exists()


def test_release_allowlist_accepts_a_generic_line(tmp_path):
    repo = make_repo(tmp_path)
    build(repo, names=TINY_OUTLINE, quiet=True)
    line = "value = math.sqrt(x)  # the square root of the input number"
    (repo / "fcn_course" / "helpers.py").write_text(line + "\n")
    with pytest.raises(SolutionLeakError, match="release_allowlist.txt"):
        release(repo, tmp_path / "dist", names=TINY_OUTLINE)
    (repo / LEAK_ALLOWLIST).write_text(f"# generic idioms\n{line}\n")
    assert release(repo, tmp_path / "dist", names=TINY_OUTLINE).is_file()


def test_release_refuses_stale_student_notebooks(tmp_path):
    repo = make_repo(tmp_path)
    build(repo, names=TINY_OUTLINE, quiet=True)
    edit_solution_py(repo)
    with pytest.raises(ReleaseError) as error:
        release(repo, tmp_path / "dist", names=TINY_OUTLINE)
    assert str(error.value).endswith(build_fix())


def test_release_refuses_a_solution_notebook_the_outline_does_not_name(tmp_path):
    repo = make_repo(tmp_path)
    build(repo, names=TINY_OUTLINE, quiet=True)
    stray = add_stray_solution(repo)
    with pytest.raises(ReleaseError) as error:
        release(repo, tmp_path / "dist", names=TINY_OUTLINE)
    assert stray_message(stray) in str(error.value) and build_fix() not in str(error.value)
    assert not (tmp_path / "dist").exists()


def test_release_refuses_a_student_notebook_the_outline_does_not_name(tmp_path):
    repo = make_repo(tmp_path)
    build(repo, names=TINY_OUTLINE, quiet=True)
    (repo / "notebooks" / "scratch.ipynb").write_text("{}")  # not a course notebook: check reports it
    with pytest.raises(ReleaseError) as error:
        release(repo, tmp_path / "dist", names=TINY_OUTLINE)
    orphan = repo / "notebooks" / "scratch.ipynb"
    outline = "fcn_course/outline.py"
    assert text(
        "sync.orphan_student", path=orphan, solutions="solutions/notebooks", name="scratch", outline=outline
    ) in str(error.value)


def test_release_leaves_out_the_instructor_wing(tmp_path):
    repo = make_repo(tmp_path)
    build(repo, names=TINY_OUTLINE, quiet=True)
    wing = repo / "fcn_course" / "instructor"
    wing.mkdir()
    (wing / "__init__.py").write_text('"""Instructor tooling."""\n')
    (wing / "markers.py").write_text(f"BEGIN_MARKER = {BEGIN!r}\nEND_MARKER = {END!r}\n")  # would be a leak
    names = zipfile.ZipFile(release(repo, tmp_path / "dist", names=TINY_OUTLINE)).namelist()
    assert "fcn-course/fcn_course/__init__.py" in names
    assert not any("instructor" in name for name in names)


def test_the_student_package_does_not_spell_out_the_markers():
    """The markers are written plainly in the instructor wing only, which the release leaves out."""
    package = REPO_ROOT / "fcn_course"
    for path in package.rglob("*.py"):
        if "instructor" not in path.relative_to(package).parts:
            text = path.read_text(encoding="utf-8")
            assert BEGIN not in text and END not in text, f"{path} spells out a solution marker"


# --------------------------------------------------------------------------------------------------
# The instructor rubric (solutions/rubric.md) never reaches the students
# --------------------------------------------------------------------------------------------------
def _repo_with_the_real_rubric(tmp_path):
    repo = make_repo(tmp_path)
    (repo / "solutions" / "rubric.md").write_text(
        (REPO_ROOT / "solutions" / "rubric.md").read_text(encoding="utf-8"), encoding="utf-8"
    )
    build(repo, names=TINY_OUTLINE, quiet=True)
    return repo


def test_release_leaves_out_the_rubric(tmp_path):
    repo = _repo_with_the_real_rubric(tmp_path)
    names = zipfile.ZipFile(release(repo, tmp_path / "dist", names=TINY_OUTLINE)).namelist()
    assert not any("rubric" in name for name in names)


def test_release_scan_catches_a_rubric_line_copied_into_the_package(tmp_path):
    repo = _repo_with_the_real_rubric(tmp_path)
    model_answer = next(
        line
        for line in (repo / "solutions" / "rubric.md").read_text(encoding="utf-8").splitlines()
        if "Zero-initialised skips" in line
    )
    (repo / "fcn_course" / "notes.md").write_text(model_answer + "\n", encoding="utf-8")
    with pytest.raises(SolutionLeakError, match="Zero-initialised skips"):
        release(repo, tmp_path / "dist", names=TINY_OUTLINE)

        release(repo, tmp_path / "dist")


# ==================================================================================================
# Safety (issue #11, README "Safety"; marked `safety`):
# release never deletes what it did not make.
# Each test reproduces one fault and asserts the outcome: a clear error that names the file and the fix, or a
# correct result; where files were there before, every one of them is byte-identical afterwards.
# ==================================================================================================


@pytest.fixture
def built_repo(tmp_path):
    repo = make_repo(tmp_path)
    build(repo, names=TINY_OUTLINE, quiet=True)
    (repo / "my_uncommitted_notes.txt").write_text("work of a week\n")
    (repo / ".git").mkdir()
    (repo / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    return repo


@pytest.mark.safety
def test_release_refuses_a_folder_that_contains_the_repository(built_repo):
    """Case 1: ``release --out ..`` from a clone named like the release used to delete the whole clone."""
    before = tree_digest(built_repo.parent)
    for out_dir, name in (
        (built_repo.parent, built_repo.name),
        (built_repo.parent, "fcn-course"),
        (built_repo, "fcn-course"),
        (built_repo / "fcn_course", "fcn-course"),
    ):
        with pytest.raises(ReleaseError, match="repositório") as error:
            release(built_repo, out_dir, name=name, names=TINY_OUTLINE)
        assert str(built_repo) in str(error.value) and "--out" in str(error.value)
    assert tree_digest(built_repo.parent) == before


@pytest.mark.safety
def test_release_refuses_a_non_empty_folder_it_did_not_make(built_repo, tmp_path):
    out_dir = tmp_path / "Desktop"
    (out_dir / "fcn-course").mkdir(parents=True)
    (out_dir / "fcn-course" / "thesis.tex").write_text("my thesis\n")
    before = tree_digest(out_dir)
    with pytest.raises(ReleaseError, match="thesis.tex|fcn-course") as error:
        release(built_repo, out_dir, names=TINY_OUTLINE)
    assert "não fez" in str(error.value) and "pasta nova ou vazia" in str(error.value)
    assert tree_digest(out_dir) == before

    other = tmp_path / "downloads"
    other.mkdir()
    (other / "fcn-course.zip").write_bytes(b"someone else's zip")
    with pytest.raises(ReleaseError, match="fcn-course.zip"):
        release(built_repo, other, names=TINY_OUTLINE)
    assert (other / "fcn-course.zip").read_bytes() == b"someone else's zip"


@pytest.mark.safety
def test_beside_an_older_release_a_file_named_like_its_zip_that_is_no_zip_is_kept(built_repo, tmp_path):
    """An older release folder (its marker, no record of the files written) is adopted, but a
    ``fcn-course.zip`` next to it that is not a zip at all is a person's file: refused, left as it was."""
    out_dir = tmp_path / "dist"
    (out_dir / "fcn-course").mkdir(parents=True)
    (out_dir / "fcn-course" / release_module.RELEASE_MARKER).write_text("older release\n")
    (out_dir / "fcn-course.zip").write_bytes(b"my notes, not a zip")
    with pytest.raises(ReleaseError, match="fcn-course.zip"):
        release(built_repo, out_dir, names=TINY_OUTLINE)
    assert (out_dir / "fcn-course.zip").read_bytes() == b"my notes, not a zip"


@pytest.mark.safety
def test_release_replaces_only_its_own_previous_release(built_repo, tmp_path):
    out_dir = tmp_path / "dist"
    first = release(built_repo, out_dir, names=TINY_OUTLINE)
    assert (out_dir / "fcn-course" / release_module.RELEASE_MARKER).is_file()
    assert f"fcn-course/{release_module.RELEASE_MARKER}" in zipfile.ZipFile(first).namelist()
    (out_dir / "fcn-course" / "stale.txt").write_text("left from the previous release\n")
    second = release(built_repo, out_dir, names=TINY_OUTLINE)  # recognised by the marker: replaced
    assert second == first and not (out_dir / "fcn-course" / "stale.txt").exists()
    empty = tmp_path / "empty"
    empty.mkdir()
    assert release(built_repo, empty, names=TINY_OUTLINE).is_file()  # an empty folder is fine


@pytest.mark.safety
def test_release_command_refuses_the_parent_of_the_repository(built_repo, monkeypatch, capsys):
    from fcn_course.instructor import __main__ as instructor_main

    monkeypatch.setattr(instructor_main, "repo_root", lambda: built_repo)
    before = tree_digest(built_repo.parent)
    assert instructor_main.main(["release", "--out", str(built_repo / "..")]) == 1
    assert capsys.readouterr().err.startswith(text("instructor_cli.release_refused", error=""))
    assert tree_digest(built_repo.parent) == before


# --------------------------------------------------------------------------------------------------
# Safety: release never writes through a symbolic link, and rewrites its own release
# --------------------------------------------------------------------------------------------------
@pytest.mark.safety
@pytest.mark.parametrize("linked", ["fcn-course.zip", "fcn-course"])
def test_release_never_writes_through_a_symbolic_link(tmp_path, linked):
    """A link named like the release (to an own release elsewhere) had the new release written through it."""
    repo = make_repo(tmp_path)
    build(repo, names=TINY_OUTLINE, quiet=True)
    elsewhere = tmp_path / "published"
    published = release(repo, elsewhere, names=TINY_OUTLINE)
    before = {path: path.read_bytes() for path in elsewhere.rglob("*") if path.is_file()}
    out = tmp_path / "dist"
    out.mkdir()
    target = published if linked.endswith(".zip") else elsewhere / "fcn-course"
    (out / linked).symlink_to(target, target_is_directory=target.is_dir())
    (repo / "README.md").write_text("a newer README\n")
    with pytest.raises(ReleaseError, match="link"):
        release(repo, out, names=TINY_OUTLINE)
    assert {path: path.read_bytes() for path in elsewhere.rglob("*") if path.is_file()} == before


@pytest.mark.safety
def test_a_release_into_its_own_folder_is_repeatable(tmp_path):
    repo = make_repo(tmp_path)
    build(repo, names=TINY_OUTLINE, quiet=True)
    first = release(repo, tmp_path / "dist", names=TINY_OUTLINE)
    assert release(repo, tmp_path / "dist", names=TINY_OUTLINE) == first and zipfile.is_zipfile(first)


@pytest.mark.safety
@pytest.mark.parametrize("count, cut", [(10, False), (11, True)])
def test_the_refusal_names_at_most_ten_foreign_files(built_repo, tmp_path, count, cut):
    out_dir = tmp_path / "Desktop"
    out_dir.mkdir()
    names = [f"note_{number:02d}.txt" for number in range(count)]
    for name in names:
        (out_dir / name).write_text("mine\n")
    with pytest.raises(ReleaseError) as error:
        release(built_repo, out_dir, names=TINY_OUTLINE)
    message = str(error.value)
    assert all(name in message for name in names[:10]) and ("note_10.txt" in message) is False
    assert (", ..." in message) is cut


# ==================================================================================================
# Language editions (issue 24): ``release --lang`` releases one language's notebooks and pages, at the
# same places in every language; the Portuguese release never carries another language's files.
# ==================================================================================================
@pytest.fixture
def english_repo(tmp_path):
    """The tiny course with a complete English edition (its answer translated) and each language's pages."""
    return make_english_course(tmp_path)


def _released(zip_path) -> dict:
    with zipfile.ZipFile(zip_path) as archive:
        return {name: archive.read(name).decode("utf-8") for name in archive.namelist() if not name.endswith("/")}


def test_the_english_release_puts_its_notebooks_and_pages_where_the_portuguese_ones_are(english_repo, tmp_path):
    files = _released(release(english_repo, tmp_path / "dist", names=TINY_OUTLINE, language="en"))
    assert "# # Exercises" in files["fcn-course/notebooks/01_demo.py"]
    assert "Exercises" in files["fcn-course/notebooks/01_demo.ipynb"]
    assert not any("Qual é a raiz" in content for content in files.values())
    assert files["fcn-course/README.md"].endswith(PAGES["en"]["README.md"])  # after the build's provenance line
    assert files["fcn-course/notebooks/referencia.md"].endswith(PAGES["en"]["referencia.md"])
    assert not any("/en/" in name or "solutions" in name for name in files)
    assert "fcn-course/fcn_course/__init__.py" in files and "fcn-course/jupytext.toml" in files


def test_the_portuguese_release_leaves_out_every_other_language(english_repo, tmp_path):
    files = _released(release(english_repo, tmp_path / "dist", names=TINY_OUTLINE))
    assert "Qual é a raiz de 16?" in files["fcn-course/notebooks/01_demo.py"]
    assert files["fcn-course/README.md"] == PAGES["pt_BR"]["README.md"]
    assert files["fcn-course/notebooks/referencia.md"] == PAGES["pt_BR"]["referencia.md"]
    assert not any("/en/" in name or "solutions" in name for name in files), sorted(files)
    assert not any("Exercises" in content or "Quick reference" in content for content in files.values())
    assert "fcn-course/notebooks/README.md" not in files  # the students' guide is the release's README, once


def test_a_release_with_every_edition_puts_each_translation_in_its_own_folder(english_repo, tmp_path):
    """What ``publish`` pushes: the Portuguese course in notebooks/, the English one in notebooks/en/ with its
    guide and reference page (where its Colab badges point)."""
    files = _released(release(english_repo, tmp_path / "dist", names=TINY_OUTLINE, editions=True))
    assert "Qual é a raiz de 16?" in files["fcn-course/notebooks/01_demo.py"]
    assert "# # Exercises" in files["fcn-course/notebooks/en/01_demo.py"]
    assert "Exercises" in files["fcn-course/notebooks/en/01_demo.ipynb"]
    assert files["fcn-course/notebooks/en/README.md"].endswith(PAGES["en"]["README.md"])
    assert files["fcn-course/notebooks/en/referencia.md"].endswith(PAGES["en"]["referencia.md"])
    assert files["fcn-course/README.md"] == PAGES["pt_BR"]["README.md"]
    assert not any("pt_BR" in name for name in files)


def test_a_release_with_every_edition_refuses_an_incomplete_one(english_repo, tmp_path):
    (english_repo / "notebooks" / "en" / "01_demo.ipynb").unlink()
    with pytest.raises(ReleaseError) as error:
        release(english_repo, tmp_path / "dist", names=TINY_OUTLINE, editions=True)
    assert text("sync.file_missing", path=english_repo / "notebooks" / "en" / "01_demo.ipynb") in str(error.value)
    assert not (tmp_path / "dist").exists()


def test_the_release_carries_the_license_files(tmp_path):
    repo = make_repo(tmp_path)
    build(repo, names=TINY_OUTLINE, quiet=True)
    (repo / "LICENSE").write_text("MIT, the course's authors\n")
    (repo / "LICENSE-notebooks").write_text("CC BY 4.0\n")
    files = _released(release(repo, tmp_path / "dist", names=TINY_OUTLINE))
    assert files["fcn-course/LICENSE"] == "MIT, the course's authors\n"
    assert files["fcn-course/LICENSE-notebooks"] == "CC BY 4.0\n"


def test_the_release_says_where_its_zip_is_and_records_its_files_as_its_own(tmp_path, capsys):
    repo = make_repo(tmp_path)
    build(repo, names=TINY_OUTLINE, quiet=True)
    zip_path = release(repo, tmp_path / "dist", names=TINY_OUTLINE)
    assert text("release.written", path=zip_path) in capsys.readouterr().out
    record = json.loads((tmp_path / "dist" / OWNER_FILE).read_text(encoding="utf-8"))
    assert record["owner"] == release_module.OWNER
    assert sorted(record["files"]) == sorted([f"fcn-course/{release_module.RELEASE_MARKER}", "fcn-course.zip"])


@pytest.mark.parametrize("count, cut", [(20, False), (21, True)])
def test_a_leak_refusal_shows_at_most_twenty_lines(tmp_path, monkeypatch, count, cut):
    leaks = [f"a.py:{line}: x = {line}" for line in range(1, count + 1)]
    monkeypatch.setattr(release_module, "scan_for_leaks", lambda zip_path, repo_root: leaks)
    (tmp_path / "r.zip").write_bytes(b"zip")
    with pytest.raises(SolutionLeakError) as error:
        release_module._refuse_leaks(tmp_path / "r.zip", tmp_path)
    message = str(error.value)
    assert all(f"\n  {leak}" in message for leak in leaks[:20])
    assert ("a.py:21:" in message, "\n  ..." in message) == (False, cut)
    assert not (tmp_path / "r.zip").exists()


def test_the_release_marker_file_speaks_the_release_language(english_repo, tmp_path):
    for language in ("pt_BR", "en"):
        files = _released(release(english_repo, tmp_path / language, names=TINY_OUTLINE, language=language))
        assert files[f"fcn-course/{release_module.RELEASE_MARKER}"] == text("release.marker_file", language=language)
    assert text("release.marker_file", language="en") != text("release.marker_file", language="pt_BR")


@pytest.mark.parametrize("page", ["README.md", "referencia.md"])
def test_the_english_release_needs_the_english_pages(english_repo, tmp_path, page):
    (english_repo / "notebooks" / "en" / page).unlink()
    with pytest.raises(ReleaseError) as error:  # the build writes it from its catalogue
        release(english_repo, tmp_path / "dist", names=TINY_OUTLINE, language="en")
    assert text("sync.file_missing", path=english_repo / "notebooks" / "en" / page) in str(error.value)
    assert not (tmp_path / "dist").exists()


def test_the_release_of_an_untranslated_language_says_how_to_translate(tmp_path):
    repo = make_repo(tmp_path)
    build(repo, names=TINY_OUTLINE, quiet=True)
    with pytest.raises(ReleaseError, match="translations --lang en"):
        release(repo, tmp_path / "dist", names=TINY_OUTLINE, language="en")
    assert not (tmp_path / "dist").exists()


def test_the_english_release_refuses_an_english_notebook_edited_by_hand(english_repo, tmp_path):
    path = english_repo / "notebooks" / "en" / "01_demo.py"
    path.write_text(path.read_text() + "\n# %%\nprint('mine')\n")
    with pytest.raises(ReleaseError) as error:
        release(english_repo, tmp_path / "dist", names=TINY_OUTLINE, language="en")
    assert str(error.value).endswith(build_fix())


@pytest.mark.parametrize("language", ["pt_BR", "en"])
def test_the_leak_scan_knows_the_english_solutions_are_secret(english_repo, tmp_path, language):
    (english_repo / "fcn_course" / "notes.md").write_text(ENGLISH_ANSWER + "\n", encoding="utf-8")
    with pytest.raises(SolutionLeakError, match="square root of sixteen"):
        release(english_repo, tmp_path / "dist", names=TINY_OUTLINE, language=language)


@pytest.fixture
def tiny_commands(english_repo, monkeypatch):
    """The instructor's commands on the English tiny course: its outline instead of the course's."""
    import functools

    from fcn_course.instructor import __main__ as instructor_main
    from fcn_course.instructor import nbgrader_export

    monkeypatch.setattr(instructor_main, "repo_root", lambda: english_repo)
    monkeypatch.setattr(release_module, "release", functools.partial(release, names=TINY_OUTLINE))
    export = functools.partial(nbgrader_export.export_nbgrader, names=TINY_OUTLINE)
    monkeypatch.setattr(nbgrader_export, "export_nbgrader", export)
    return instructor_main


def test_the_release_command_takes_the_language(english_repo, tiny_commands, tmp_path):
    instructor_main = tiny_commands
    assert instructor_main.main(["release", "--lang", "en", "--out", str(tmp_path / "en")]) == 0
    assert "Exercises" in _released(tmp_path / "en" / "fcn-course.zip")["fcn-course/notebooks/01_demo.py"]
    # Without --out, each language has its own default folder: one release never replaces the other's.
    assert instructor_main.main(["release"]) == 0 and instructor_main.main(["release", "--lang", "en"]) == 0
    portuguese = _released(english_repo / "dist" / "fcn-course-student" / "fcn-course.zip")
    english = _released(english_repo / "dist" / "fcn-course-student-en" / "fcn-course.zip")
    assert "Qual é a raiz" in portuguese["fcn-course/notebooks/01_demo.py"]
    assert "Exercises" in english["fcn-course/notebooks/01_demo.py"]


def test_the_nbgrader_export_of_the_release_command_takes_the_language(tiny_commands, tmp_path):
    instructor_main = tiny_commands
    course = tmp_path / "course"
    arguments = ["release", "--lang", "en", "--out", str(tmp_path / "en"), "--nbgrader", str(course)]
    assert instructor_main.main(arguments) == 0
    assert "Exercises" in (course / "source" / "01_demo" / "01_demo.ipynb").read_text()


@pytest.mark.slow
def test_the_english_release_of_the_real_course_has_no_solution(tmp_path):
    """The real course's English edition: its release passes the leak scan (its English Colab cells, hints and
    stubs are no solution) and the Portuguese release stays Portuguese."""
    import shutil

    from fcn_course import colab
    from fcn_course.outline import COURSE_NOTEBOOKS

    repo = tmp_path / "repo"
    for folder in ("fcn_course", "solutions", "notebooks"):
        shutil.copytree(REPO_ROOT / folder, repo / folder, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    for name in ("README.md", "environment.yml", "pyproject.toml", "jupytext.toml"):
        shutil.copy2(REPO_ROOT / name, repo / name)

    english = _released(release(repo, tmp_path / "en", language="en"))
    setup = colab.setup_cell_source(language="en").splitlines()[0]
    assert all(setup in english[f"fcn-course/notebooks/{name}.py"] for name in COURSE_NOTEBOOKS)
    portuguese = _released(release(repo, tmp_path / "pt"))
    assert not any("/en/" in name for name in portuguese)
    assert not any(setup in content for name, content in portuguese.items() if "/notebooks/" in name)


# --------------------------------------------------------------------------------------------------
# What stops a release is said in the course's language (Portuguese; English in the English edition)
# --------------------------------------------------------------------------------------------------
def test_a_missing_or_incomplete_edition_is_said_in_the_course_language(tmp_path):
    refuse = release_module._refuse_missing_edition
    portuguese, english = raised_in_each_language(ReleaseError, refuse, tmp_path, "en", ("01_demo",))
    assert "o curso não tem a edição en" in portuguese and "translations --lang en" in portuguese
    assert "the course has no en edition" in english and "translations --lang en" in english
    (tmp_path / "solutions" / "locale" / "en").mkdir(parents=True)
    portuguese, english = raised_in_each_language(ReleaseError, refuse, tmp_path, "en", ("01_demo",))
    assert "a edição en está incompleta:" in portuguese and "01_demo.ipynb não existe: rode o build" in portuguese
    assert "README.md não existe: a versão en precisa ali da tradução" in portuguese
    assert "the en edition is incomplete:" in english and "01_demo.ipynb is missing: run the build" in english
    assert "README.md is missing: the en release needs the translation" in english


def test_a_missing_top_file_is_said_in_the_course_language(tmp_path):
    copy = release_module._copy_top_files
    portuguese, english = raised_in_each_language(ReleaseError, copy, tmp_path, tmp_path / "out", "pt_BR")
    assert "README.md não existe; a versão dos alunos precisa dele" in portuguese
    assert "README.md is missing; the release needs it" in english


def test_solution_lines_in_a_release_are_said_in_the_course_language(tmp_path, monkeypatch):
    monkeypatch.setattr(release_module, "scan_for_leaks", lambda zip_path, repo_root: ["a.py:3: x = 42"])

    def refuse():
        (tmp_path / "r.zip").write_bytes(b"zip")
        release_module._refuse_leaks(tmp_path / "r.zip", tmp_path)

    portuguese, english = raised_in_each_language(SolutionLeakError, refuse)
    assert "entregaria soluções (1 linha(s)):\n  a.py:3: x = 42" in portuguese and str(LEAK_ALLOWLIST) in portuguese
    assert "would give away solutions (1 line(s)):\n  a.py:3: x = 42" in english and str(LEAK_ALLOWLIST) in english


def test_an_output_folder_the_release_may_not_use_is_said_in_the_course_language(tmp_path):
    check = release_module.check_output_folder
    repo = tmp_path / "repo"
    (repo / "fcn_course").mkdir(parents=True)
    portuguese, english = raised_in_each_language(ReleaseError, check, repo, tmp_path, "fcn-course")
    assert "é ou contém o repositório" in portuguese and "Escolha outra --out" in portuguese
    assert "is or contains the repository" in english and "Choose another --out" in english
    portuguese, english = raised_in_each_language(ReleaseError, check, repo, repo / "fcn_course" / "x", "fcn-course")
    assert "fica dentro de" in portuguese and "que a versão copia do repositório" in portuguese
    assert "lies inside" in english and "which the release copies from the repository" in english
    out = tmp_path / "out"
    out.mkdir()
    (out / "link").symlink_to(tmp_path)
    portuguese, english = raised_in_each_language(ReleaseError, check, repo, out, "fcn-course")
    assert "contém link, um link simbólico" in portuguese
    assert "holds link, a symbolic link" in english
    (out / "link").unlink()
    (out / "thesis.tex").write_text("my thesis\n")
    portuguese, english = raised_in_each_language(ReleaseError, check, repo, out, "fcn-course")
    assert "contém arquivos que a versão não fez (thesis.tex)" in portuguese
    assert "holds files the release did not make (thesis.tex)" in english


def test_missing_or_stale_notebooks_are_said_in_the_course_language(tmp_path, monkeypatch):
    monkeypatch.setattr(release_module, "solution_sources", lambda repo_root, names: {})
    refuse = release_module._refuse_stale_notebooks
    portuguese, english = raised_in_each_language(ReleaseError, refuse, tmp_path, ("01_demo",))
    assert "nenhum notebook de solução em" in portuguese
    assert "no solution notebooks in" in english
    monkeypatch.setattr(release_module, "solution_sources", lambda repo_root, names: {"01_demo": None})
    monkeypatch.setattr(release_module, "check_in_sync", lambda repo_root, names: ["01_demo.ipynb: stale"])
    portuguese, english = raised_in_each_language(ReleaseError, refuse, tmp_path, ("01_demo",))
    assert "os notebooks estão desatualizados; rode antes o build:\n  01_demo.ipynb: stale" in portuguese
    assert "the notebooks are out of date; run the build first:\n  01_demo.ipynb: stale" in english

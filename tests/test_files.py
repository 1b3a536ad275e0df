"""Atomic writes: a failure while writing leaves the previous file complete and no temporary file."""

import json

import pytest

from fcn_course.files import atomic_write, json_safe, read_json, write_json


def test_write_json_round_trip(tmp_path):
    path = write_json(tmp_path / "sub" / "a.json", {"x": 1, "where": tmp_path})
    assert json.loads(path.read_text()) == {"x": 1, "where": str(tmp_path)}
    assert read_json(path) == {"x": 1, "where": str(tmp_path)}


def test_json_safe_keeps_finite_floats_and_turns_nan_and_infinity_into_null():
    assert json_safe({"loss": 0.25, "miou": float("nan"), "lr": float("inf"), "ok": [1.5, -float("inf")]}) == {
        "loss": 0.25,
        "miou": None,
        "lr": None,
        "ok": [1.5, None],
    }


@pytest.mark.safety
def test_failed_write_keeps_the_old_file_and_no_temporary(tmp_path):
    path = write_json(tmp_path / "a.json", {"version": 1})

    def half_then_crash(temporary):
        with open(temporary, "w") as handle:
            handle.write('{"version": 2, "trunc')
        raise KeyboardInterrupt  # e.g. the student stops the kernel mid-write

    with pytest.raises(KeyboardInterrupt):
        atomic_write(path, half_then_crash)
    assert json.loads(path.read_text()) == {"version": 1}
    assert [p.name for p in tmp_path.iterdir()] == ["a.json"]


# --------------------------------------------------------------------------------------------------
# Full disks and permissions: reported as such, naming the file, nothing half-written
# --------------------------------------------------------------------------------------------------
import errno  # noqa: E402
import os  # noqa: E402

from fcn_course import files  # noqa: E402


@pytest.mark.safety
def test_a_full_disk_is_reported_naming_the_file_and_the_old_file_survives(tmp_path):
    path = write_json(tmp_path / "history.json", {"version": 1})

    def full_disk(temporary):
        with open(temporary, "w") as handle:
            handle.write('{"version": 2, "tru')
        raise OSError(errno.ENOSPC, "No space left on device")

    with pytest.raises(files.DiskFullError) as error:
        atomic_write(path, full_disk)
    assert isinstance(error.value, OSError) and error.value.errno == errno.ENOSPC
    assert str(path) in str(error.value) and "espaço" in str(error.value)
    assert json.loads(path.read_text()) == {"version": 1}
    assert [p.name for p in tmp_path.iterdir()] == ["history.json"]


@pytest.mark.safety
def test_a_binary_write_that_fills_the_disk_is_reported_too(tmp_path):
    """atomic_write_file hands a Python file to the writer: torch.save's own C++ writer says only 'unexpected pos'."""
    path = tmp_path / "last.pt"
    path.write_bytes(b"previous checkpoint")

    def fills_the_disk(file):
        file.write(b"PK\x03\x04 half a zip")
        raise OSError(errno.ENOSPC, "No space left on device")

    with pytest.raises(files.DiskFullError, match="last.pt"):
        files.atomic_write_file(path, fills_the_disk)
    assert path.read_bytes() == b"previous checkpoint"
    assert [p.name for p in tmp_path.iterdir()] == ["last.pt"]
    files.atomic_write_file(path, lambda file: file.write(b"new"))
    assert path.read_bytes() == b"new"


@pytest.mark.safety
@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="needs file permissions that bind (not root)")
def test_a_folder_without_write_permission_is_reported_naming_the_file(tmp_path):
    folder = tmp_path / "shared"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        with pytest.raises(PermissionError) as error:
            write_json(folder / "run.json", {"a": 1})
    finally:
        folder.chmod(0o755)
    assert str(folder / "run.json") in str(error.value) and "permissão" in str(error.value)
    assert list(folder.iterdir()) == []


@pytest.mark.safety
def test_a_refused_permission_is_reported_naming_the_file(tmp_path):
    """The same without file permissions (which root ignores): the write itself is refused."""
    path = write_json(tmp_path / "grid.json", {"version": 1})

    def refused(temporary):
        raise PermissionError(errno.EACCES, "Permission denied", temporary)

    with pytest.raises(PermissionError) as error:
        atomic_write(path, refused)
    assert str(path) in str(error.value) and "permissão" in str(error.value)
    assert json.loads(path.read_text()) == {"version": 1} and [p.name for p in tmp_path.iterdir()] == ["grid.json"]


# --------------------------------------------------------------------------------------------------
# OutputFolder: a command owns what it wrote, and only that
# --------------------------------------------------------------------------------------------------
@pytest.mark.safety
def test_an_output_folder_refuses_to_overwrite_a_file_it_did_not_write(tmp_path):
    (tmp_path / "01_dados_e_metricas.ipynb").write_text("the student's own notebook")
    folder = files.OutputFolder(tmp_path, "the main job")
    with pytest.raises(files.NotOurFileError) as error:
        folder.write_text("01_dados_e_metricas.ipynb", "executed")
    assert "01_dados_e_metricas.ipynb" in str(error.value) and "the main job" in str(error.value)
    assert (tmp_path / "01_dados_e_metricas.ipynb").read_text() == "the student's own notebook"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["01_dados_e_metricas.ipynb"]  # nothing else written


@pytest.mark.safety
def test_an_output_folder_rewrites_its_own_files_and_writes_beside_others(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    folder = files.OutputFolder(tmp_path, "predict")
    folder.write_text("a_mask.png", "first")
    again = files.OutputFolder(tmp_path, "predict")  # a later run: the record says a_mask.png is its own
    again.write_text("a_mask.png", "second")
    assert (tmp_path / "a_mask.png").read_text() == "second" and (tmp_path / "notes.txt").read_text() == "mine"
    assert again.owns("a_mask.png") and not again.owns("notes.txt")
    other = files.OutputFolder(tmp_path, "the site builder")  # another tool owns nothing here
    with pytest.raises(files.NotOurFileError):
        other.write_text("a_mask.png", "third")


@pytest.mark.safety
def test_an_output_folder_never_writes_through_a_symbolic_link(tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    precious = elsewhere / "thesis.png"
    precious.write_text("a year of work")
    out = tmp_path / "out"
    out.mkdir()
    (out / "photo.jpg_mask.png").symlink_to(precious)
    (out / "sub").symlink_to(elsewhere, target_is_directory=True)
    folder = files.OutputFolder(out, "predict")
    for name in ("photo.jpg_mask.png", "sub/thesis.png", "sub/new.png"):
        with pytest.raises(files.NotOurFileError, match="link"):
            folder.write_text(name, "overwritten")
    assert precious.read_text() == "a year of work" and sorted(p.name for p in elsewhere.iterdir()) == ["thesis.png"]
    with pytest.raises(ValueError, match="inside"):
        folder.path("../escape.txt")


@pytest.mark.safety
def test_an_output_folder_that_is_a_file_is_a_clear_error(tmp_path):
    (tmp_path / "predictions").write_text("a file")
    with pytest.raises(NotADirectoryError, match="predictions"):
        files.OutputFolder(tmp_path / "predictions", "predict")


@pytest.mark.safety
def test_removing_its_own_files_keeps_what_the_user_put_beside_and_inside(tmp_path):
    folder = files.OutputFolder(tmp_path, "the site builder")
    folder.write_text("index.html", "page")
    folder.write_text("notebooks/01.html", "page")
    folder.write_text("_static/mathjax/MathJax.js", "js")
    (tmp_path / "my_notes.txt").write_text("beside")
    (tmp_path / "notebooks" / "comments.md").write_text("inside one of its folders")
    files.OutputFolder(tmp_path, "the site builder").remove_own()
    left = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*") if p.name != files.OWNER_FILE)
    assert left == ["my_notes.txt", "notebooks", "notebooks/comments.md"]


@pytest.mark.safety
def test_a_folder_with_an_older_marker_is_adopted_but_only_for_the_names_written(tmp_path):
    (tmp_path / ".old-marker").write_text("made by an older version")
    (tmp_path / "index.html").write_text("old page")
    (tmp_path / "notes.txt").write_text("the user's")
    folder = files.OutputFolder(tmp_path, "the site builder", adopt_marker=".old-marker")
    folder.write_text("index.html", "new page")
    folder.remove_own()
    assert not (tmp_path / "index.html").exists() and (tmp_path / "notes.txt").read_text() == "the user's"


@pytest.mark.safety
def test_copy_tree_checks_every_file_before_copying_any(tmp_path):
    source = tmp_path / "built"
    (source / "deep").mkdir(parents=True)
    (source / "a.html").write_text("a")
    (source / "deep" / "b.html").write_text("b")
    out = tmp_path / "out"
    (out / "deep").mkdir(parents=True)
    (out / "deep" / "b.html").write_text("the user's")
    folder = files.OutputFolder(out, "the site builder")
    with pytest.raises(files.NotOurFileError, match="b.html"):
        folder.copy_tree(source)
    assert not (out / "a.html").exists() and (out / "deep" / "b.html").read_text() == "the user's"
    (out / "deep" / "b.html").unlink()
    assert sorted(folder.copy_tree(source)) == [out / "a.html", out / "deep" / "b.html"]
    assert folder.owns("deep/b.html")

"""Tests of fcn_course.download: fetching the VOC archive (checksums, mirror, resume), extracting it safely."""
import hashlib
import io
import tarfile
from pathlib import Path

import pytest

from fcn_course import data, download
from fcn_course.data import VOCSubset


def leftovers(root: Path):
    """Partial downloads and extraction folders that must never survive."""
    return [path.name for path in root.iterdir() if path.name.endswith(".part") or "extracting" in path.name]


def test_download_and_extract(voc_archive, tmp_path, monkeypatch):
    archive, md5, _ = voc_archive
    monkeypatch.setattr(download, "VOC_SOURCES", [(archive.as_uri(), "md5", md5)])
    root = tmp_path / "data"
    voc = data.download_voc(root)
    assert voc == root / "VOCdevkit" / "VOC2012" and data.voc_is_ready(root)
    assert not (root / data.VOC_ARCHIVE).exists() and leftovers(root) == []
    assert len(VOCSubset(root, "train", min_classes=0, verbose=False)) == 3


def test_download_falls_back_to_the_mirror(voc_archive, tmp_path, monkeypatch):
    archive, _, sha1 = voc_archive
    monkeypatch.setattr(download, "VOC_SOURCES", [
        ((tmp_path / "missing.tar").as_uri(), "md5", "0" * 32),   # host down
        (archive.as_uri(), "sha1", sha1),                          # mirror fine
    ])
    root = tmp_path / "data"
    data.download_voc(root, keep_archive=True)
    assert data.voc_is_ready(root) and (root / data.VOC_ARCHIVE).exists() and leftovers(root) == []


def test_bad_checksum_is_rejected_then_mirror_used(voc_archive, tmp_path, monkeypatch):
    archive, md5, sha1 = voc_archive
    monkeypatch.setattr(download, "VOC_SOURCES", [(archive.as_uri(), "md5", "f" * 32), (archive.as_uri(), "sha1", sha1)])
    root = tmp_path / "data"
    data.download_voc(root)
    assert data.voc_is_ready(root)


def test_download_failure_explains_every_attempt(voc_archive, tmp_path, monkeypatch):
    archive, _, _ = voc_archive
    first, second = (tmp_path / "missing.tar").as_uri(), archive.as_uri()
    monkeypatch.setattr(download, "VOC_SOURCES", [(first, "md5", "0" * 32), (second, "sha1", "0" * 40)])
    root = tmp_path / "data"
    with pytest.raises(RuntimeError) as error:
        data.download_voc(root)
    message = str(error.value)
    assert first in message and second in message
    assert "URLError" in message and "checksum mismatch" in message
    assert str(root / "VOCdevkit" / "VOC2012") in message
    assert "FCN_COURSE_SMOKE=1" in message and "make_synthetic_voc" in message
    assert not (root / data.VOC_ARCHIVE).exists() and leftovers(root) == []


def test_download_is_skipped_when_the_tree_is_there(synthetic_voc_root, monkeypatch):
    def no_network(*args, **kwargs):
        raise AssertionError("download_voc must not touch the network when the tree is present")

    monkeypatch.setattr(download.urllib.request, "urlopen", no_network)
    assert data.download_voc(synthetic_voc_root) == Path(synthetic_voc_root) / "VOCdevkit" / "VOC2012"
    VOCSubset(synthetic_voc_root, "val", download=True, verbose=False)


class BrokenResponse(io.BytesIO):
    """An HTTP response whose connection drops after the first chunk."""

    headers = {"Content-Length": str(10 * download.CHUNK_BYTES)}

    def read(self, size=-1):
        if self.tell() > 0:
            raise ConnectionResetError("connection reset by peer")
        return super().read(size)


def test_interrupted_download_leaves_no_final_file(tmp_path, monkeypatch):
    """Only the .part file stays (so that the next call continues from it: see the tests of resuming below)."""
    monkeypatch.setattr(download.urllib.request, "urlopen", lambda url, timeout: BrokenResponse(b"x" * 1000))
    monkeypatch.setattr(download, "VOC_SOURCES", [("https://example.invalid/voc.tar", "md5", "0" * 32)])
    root = tmp_path / "data"
    with pytest.raises(RuntimeError, match="ConnectionResetError"):
        data.download_voc(root)
    assert not (root / data.VOC_ARCHIVE).exists() and leftovers(root) == [data.VOC_ARCHIVE + ".part"]
    assert (root / (data.VOC_ARCHIVE + ".part")).read_bytes() == b"x" * 1000


def test_unsafe_archive_member_is_refused(tmp_path, monkeypatch):
    archive = tmp_path / "evil.tar"
    with tarfile.open(archive, "w") as tar:
        payload = b"gotcha"
        member = tarfile.TarInfo("../evil.txt")
        member.size = len(payload)
        tar.addfile(member, io.BytesIO(payload))
    md5 = hashlib.md5(archive.read_bytes()).hexdigest()
    monkeypatch.setattr(download, "VOC_SOURCES", [(archive.as_uri(), "md5", md5)])
    root = tmp_path / "data"
    with pytest.raises(RuntimeError, match="outside"):
        data.download_voc(root)
    assert not (tmp_path / "evil.txt").exists() and not (root / "evil.txt").exists()

"""Tests of fcn_course.download: fetching the VOC archive (checksums, mirror, resume), extracting it safely."""

import hashlib
import http.server
import io
import shutil
import tarfile
import threading
from pathlib import Path

import pytest

from fcn_course import data, download
from fcn_course.data import VOCSubset
from fcn_course.messages import text
from helpers import split_ids, tree_digest, voc_path


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
    monkeypatch.setattr(
        download,
        "VOC_SOURCES",
        [
            ((tmp_path / "missing.tar").as_uri(), "md5", "0" * 32),  # host down
            (archive.as_uri(), "sha1", sha1),  # mirror fine
        ],
    )
    root = tmp_path / "data"
    data.download_voc(root, keep_archive=True)
    assert data.voc_is_ready(root) and (root / data.VOC_ARCHIVE).exists() and leftovers(root) == []


def test_bad_checksum_is_rejected_then_mirror_used(voc_archive, tmp_path, monkeypatch):
    archive, md5, sha1 = voc_archive
    monkeypatch.setattr(
        download, "VOC_SOURCES", [(archive.as_uri(), "md5", "f" * 32), (archive.as_uri(), "sha1", sha1)]
    )
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
    assert "URLError" in message and "não confere" in message
    assert str(root / "VOCdevkit" / "VOC2012") in message
    assert "FCN_COURSE_PROFILE=demo" in message and "make_synthetic_voc" in message
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
    with pytest.raises(RuntimeError, match="fora de"):
        data.download_voc(root)
    assert not (tmp_path / "evil.txt").exists() and not (root / "evil.txt").exists()


# ==================================================================================================
# Safety (issue #11, README "Safety"; marked `safety`):
# download_voc only adds what is missing, replacing needs an explicit flag, user folders
# survive; an interrupted download continues from its .part file (HTTP Range) and is still verified.
# Each test reproduces one fault and asserts the outcome: a clear error that names the file and the fix, or a
# correct result; where files were there before, every one of them is byte-identical afterwards.
# ==================================================================================================


def user_extras(root: Path) -> Path:
    """A user's own folder and file inside VOC2012 (e.g. the SBD 'aug' annotations)."""
    extra = voc_path(root, "SegmentationClassAug")
    extra.mkdir(parents=True, exist_ok=True)
    (extra / "2007_000032.png").write_bytes(b"user annotation")
    voc_path(root, "notes.txt").write_text("my notes\n")
    return extra


@pytest.mark.safety
def test_download_into_a_damaged_tree_adds_only_the_missing_files(served_voc_archive, tmp_path, capsys):
    """Case 3: a tree that was 'not ready' was deleted, user folders included."""
    root = tmp_path / "data"
    data.download_voc(root)
    shutil.rmtree(voc_path(root, "SegmentationClass"))  # damaged: one required part is gone
    user_extras(root)
    edited = voc_path(root, "JPEGImages", split_ids(root, "train")[0] + ".jpg")
    edited.write_bytes(b"a user's edited picture")
    before = tree_digest(root)
    data.download_voc(root)
    assert data.voc_is_ready(root)
    after = tree_digest(root)
    assert {key: after[key] for key in before} == before  # every file that was there is byte-identical
    added = set(after) - set(before)
    assert added and all(name.startswith("VOCdevkit/VOC2012/SegmentationClass/") for name in added)
    report = capsys.readouterr().out
    assert "faltam" in report and "SegmentationClass" in report


@pytest.mark.safety
def test_download_replace_overwrites_only_the_archive_files(served_voc_archive, tmp_path):
    root = tmp_path / "data"
    data.download_voc(root)
    extra = user_extras(root)
    edited = voc_path(root, "JPEGImages", split_ids(root, "train")[0] + ".jpg")
    original = edited.read_bytes()
    edited.write_bytes(b"damaged")
    data.download_voc(root)  # the tree is ready: nothing happens without the flag
    assert edited.read_bytes() == b"damaged"
    data.download_voc(root, replace=True)
    assert edited.read_bytes() == original
    assert (extra / "2007_000032.png").read_bytes() == b"user annotation"
    assert voc_path(root, "notes.txt").read_text() == "my notes\n"


@pytest.mark.safety
def test_download_no_longer_accepts_the_old_force_flag():
    with pytest.raises(TypeError):
        data.download_voc("/nonexistent", force=True)


PAYLOAD = bytes(range(256)) * 4096  # 1 MiB


class ArchiveServer(http.server.BaseHTTPRequestHandler):
    """Serves PAYLOAD at any path; honours Range unless ``ignore_range``; may drop the connection midway."""

    ignore_range = False
    drop_after = None  # bytes sent before the connection is dropped (once)
    send_length = True  # False: no Content-Length, the body ends when the connection closes
    requests: list = []

    def do_GET(self):
        start = 0
        asked = self.headers.get("Range")
        type(self).requests.append(asked)
        if asked and not self.ignore_range:
            start = int(asked.split("=")[1].split("-")[0])
            if start >= len(PAYLOAD):
                self.send_response(416)
                self.send_header("Content-Range", f"bytes */{len(PAYLOAD)}")
                self.end_headers()
                return
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{len(PAYLOAD) - 1}/{len(PAYLOAD)}")
        else:
            self.send_response(200)
        body = PAYLOAD[start:]
        if self.send_length:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if type(self).drop_after is not None:
            self.wfile.write(body[: type(self).drop_after])
            type(self).drop_after = None
            self.wfile.flush()
            self.close_connection = True
            return
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    """A loopback HTTP server (127.0.0.1) in a thread; yields (its URL, its handler class)."""
    handler = type(
        "Handler", (ArchiveServer,), {"requests": [], "ignore_range": False, "drop_after": None, "send_length": True}
    )
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/voc.tar", handler
    httpd.shutdown()
    httpd.server_close()


SHA1 = hashlib.sha1(PAYLOAD).hexdigest()


@pytest.mark.safety
def test_an_interrupted_download_resumes_from_its_part_file(server, tmp_path):
    """Case 8: an interrupted 2 GB download restarted from byte 0."""
    url, handler = server
    handler.drop_after = 300_000
    destination = tmp_path / "voc.tar"
    partial = tmp_path / "voc.tar.part"
    with pytest.raises(Exception):  # noqa: B017 - whatever urllib raises for a connection cut mid-transfer
        download.fetch(url, destination, "sha1", SHA1)
    assert not destination.exists() and partial.stat().st_size == 300_000  # kept for the next try
    download.fetch(url, destination, "sha1", SHA1)
    assert handler.requests == [None, "bytes=300000-"]
    assert destination.read_bytes() == PAYLOAD and not partial.exists()


@pytest.mark.safety
def test_a_resumed_download_cut_again_says_how_far_the_whole_file_got(server, tmp_path):
    """The bytes and the length in the message count the part already there, not only this connection's."""
    url, handler = server
    partial = tmp_path / "voc.tar.part"
    partial.write_bytes(PAYLOAD[:300_000])
    handler.drop_after = 200_000
    with pytest.raises(ConnectionError) as caught:
        download.fetch(url, tmp_path / "voc.tar", "sha1", SHA1)
    assert str(caught.value) == text(
        "download.connection_ended", received=500_000, length=len(PAYLOAD), partial=partial
    )
    assert partial.read_bytes() == PAYLOAD[:500_000] and handler.requests == ["bytes=300000-"]


def test_the_progress_bar_counts_to_the_announced_length_and_has_no_total_without_one(server, tmp_path, monkeypatch):
    """A server that announces no Content-Length is read to its end: no total (no bar stuck at 1 byte)."""
    url, handler = server
    totals = []
    real_tqdm = download.tqdm

    def recording_tqdm(*args, **kwargs):
        totals.append(kwargs.get("total"))
        return real_tqdm(*args, **kwargs)

    monkeypatch.setattr(download, "tqdm", recording_tqdm)
    download.fetch(url, tmp_path / "voc.tar", "sha1", SHA1)
    handler.send_length = False
    download.fetch(url, tmp_path / "again.tar", "sha1", SHA1)
    assert totals == [len(PAYLOAD), None]
    assert (tmp_path / "again.tar").read_bytes() == PAYLOAD


@pytest.mark.safety
def test_a_server_that_ignores_range_restarts_cleanly(server, tmp_path):
    url, handler = server
    handler.ignore_range = True
    (tmp_path / "voc.tar.part").write_bytes(PAYLOAD[:500_000])
    download.fetch(url, tmp_path / "voc.tar", "sha1", SHA1)
    assert handler.requests == ["bytes=500000-"]
    assert (tmp_path / "voc.tar").read_bytes() == PAYLOAD and not (tmp_path / "voc.tar.part").exists()


@pytest.mark.safety
def test_a_damaged_part_file_is_caught_by_the_checksum_and_downloaded_again(server, tmp_path):
    url, handler = server
    (tmp_path / "voc.tar.part").write_bytes(b"\0" * 400_000)  # not the archive's first bytes
    download.fetch(url, tmp_path / "voc.tar", "sha1", SHA1)
    assert handler.requests == ["bytes=400000-", None]
    assert (tmp_path / "voc.tar").read_bytes() == PAYLOAD


@pytest.mark.safety
def test_a_complete_part_file_is_verified_not_downloaded_again(server, tmp_path):
    url, handler = server
    (tmp_path / "voc.tar.part").write_bytes(PAYLOAD)
    download.fetch(url, tmp_path / "voc.tar", "sha1", SHA1)
    assert (tmp_path / "voc.tar").read_bytes() == PAYLOAD


@pytest.mark.safety
def test_a_wrong_checksum_still_fails_and_leaves_no_part_file(server, tmp_path):
    url, _ = server
    with pytest.raises(ValueError, match="checksum sha1 não confere"):
        download.fetch(url, tmp_path / "voc.tar", "sha1", "0" * 40)
    assert not (tmp_path / "voc.tar").exists() and not (tmp_path / "voc.tar.part").exists()


@pytest.mark.safety
def test_a_file_url_with_a_part_file_gives_the_right_archive(tmp_path):
    source = tmp_path / "mirror" / "voc.tar"
    source.parent.mkdir()
    source.write_bytes(PAYLOAD)
    (tmp_path / "voc.tar.part").write_bytes(PAYLOAD[:123_456])
    download.fetch(source.as_uri(), tmp_path / "voc.tar", "sha1", SHA1)
    assert (tmp_path / "voc.tar").read_bytes() == PAYLOAD and not (tmp_path / "voc.tar.part").exists()


@pytest.mark.safety
def test_an_archive_the_user_put_there_is_kept(served_voc_archive, tmp_path):
    """download_voc deletes the archive only when it downloaded it itself."""
    root = tmp_path / "data"
    root.mkdir()
    (root / data.VOC_ARCHIVE).write_bytes(served_voc_archive)  # copied by hand from a USB stick
    data.download_voc(root)
    assert data.voc_is_ready(root) and (root / data.VOC_ARCHIVE).read_bytes() == served_voc_archive


def test_missing_voc_files_names_each_missing_image_and_mask_once(synthetic_voc_root, tmp_path):
    """trainval lists the train and val ids again: a deleted file is still named once, nothing else is."""
    root = tmp_path / "voc"
    shutil.copytree(synthetic_voc_root, root)
    assert download.missing_voc_files(root) == []
    voc = download.voc_folder(root)
    image_id = (voc / "ImageSets" / "Segmentation" / "train.txt").read_text().split()[0]
    gone = [voc / "JPEGImages" / f"{image_id}.jpg", voc / "SegmentationClass" / f"{image_id}.png"]
    for path in gone:
        path.unlink()
    assert download.missing_voc_files(root) == gone

"""Getting Pascal VOC 2012 onto the disk, without ever losing a file that is already there.

``download_voc(root)`` fetches the 2 GB archive (trying a mirror when Oxford is down), continues an interrupted
download from its ``.part`` file (HTTP ``Range``), verifies the checksum, refuses archive members that would land
outside the data folder, and adds only the files that are missing: a user's own folders inside ``VOC2012/`` and
any file already there survive every call. ``replace=True`` overwrites the archive's own files, and nothing else.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tarfile
import urllib.error
import urllib.request
from pathlib import Path

from tqdm.auto import tqdm

from fcn_course.config import PROFILE_ENV
from fcn_course.messages import text
from fcn_course.voc import IMAGE_SETS, REQUIRED_PARTS, voc_folder, voc_is_ready


VOC_ARCHIVE = "VOCtrainval_11-May-2012.tar"
# Where the archive can be fetched, in order, with the checksum each host publishes.
# The Oxford host (torchvision's URL) is often down, hence the mirror.
VOC_SOURCES = [
    (
        "https://thor.robots.ox.ac.uk/pascal/VOC/voc2012/VOCtrainval_11-May-2012.tar",
        "md5",
        "6cd6e144f989b92b3379bac3b3de84fd",
    ),
    (
        "http://d2l-data.s3-accelerate.amazonaws.com/VOCtrainval_11-May-2012.tar",
        "sha1",
        "4e443f8a2eca6b1dac8a6c57641b67dd40621a49",
    ),
]
CHUNK_BYTES = 1 << 20


def download_voc(root, replace: bool = False, keep_archive: bool = False) -> Path:
    """Download and extract Pascal VOC 2012 trainval (~2 GB) into ``root``; return ``root/VOCdevkit/VOC2012``.

    Never deletes what you have. When the tree is complete (every part and every file its split lists name),
    nothing happens. When something is missing (a damaged tree), what is missing is printed, the archive is
    fetched and only the missing files are added: every file already there is left as it is.

    ``replace=True`` also OVERWRITES the files of the archive that are already in the tree (your edits of
    VOC's own images, masks and lists are lost). Files and folders that are not in the archive (your own
    ``SegmentationClassAug/``, notes...) are kept by every call.

    Each source in ``VOC_SOURCES`` is tried in turn; an interrupted download continues from its ``.part``
    file on the next call, and a file is kept only if its checksum matches. The archive is deleted after
    extraction when this call downloaded it, unless ``keep_archive=True`` (an archive you put there is kept).
    """
    root = Path(root).expanduser()
    missing = missing_voc_files(root)
    if not missing and not replace:
        return voc_folder(root)
    if missing and voc_folder(root).exists():
        print(text("download.incomplete_tree", voc=voc_folder(root), missing=describe_missing(missing)))
    root.mkdir(parents=True, exist_ok=True)
    archive = root / VOC_ARCHIVE

    downloaded = not archive_is_valid(archive)
    if downloaded:
        errors = []
        for url, algorithm, expected in VOC_SOURCES:
            try:
                fetch(url, archive, algorithm, expected)
                break
            except Exception as error:  # network, disk or checksum problem: try the next source
                errors.append(f"{url}\n      -> {type(error).__name__}: {error}")
        else:
            raise RuntimeError(download_failed_message(root, errors))

    counts = extract_voc(archive, root, replace=replace)
    print(text("download.done", voc=voc_folder(root), **counts))
    if downloaded and not keep_archive:
        archive.unlink()
    return voc_folder(root)


def missing_voc_files(root) -> list:
    """What the VOC tree under ``root`` lacks: required folders, then the images and masks its split lists name."""
    voc = voc_folder(root)
    missing = [voc / part for part in REQUIRED_PARTS if not (voc / part).is_dir()]
    if missing:
        return missing
    for image_set in IMAGE_SETS:
        split = voc / "ImageSets" / "Segmentation" / f"{image_set}.txt"
        if not split.is_file():
            missing.append(split)
            continue
        for image_id in split.read_text(encoding="utf-8").split():
            for path in (voc / "JPEGImages" / f"{image_id}.jpg", voc / "SegmentationClass" / f"{image_id}.png"):
                if not path.is_file():
                    missing.append(path)
    return list(dict.fromkeys(missing))  # trainval repeats train and val


def describe_missing(paths, shown: int = 5) -> str:
    """``"a, b, c e mais 12"``: a short list of missing paths for a message."""
    names = [str(path) for path in paths]
    listed = ", ".join(names[:shown])
    return text("download.and_more", shown=listed, more=len(names) - shown) if len(names) > shown else listed


def file_digest(path, algorithm: str) -> str:
    """Hex checksum (``'md5'``, ``'sha1'``...) of a file, read in chunks."""
    return _digest_of(path, hashlib.new(algorithm)).hexdigest()


def _digest_of(path, digest):
    """``digest`` updated with the bytes of the file ``path``."""
    with open(path, "rb") as file:
        while chunk := file.read(CHUNK_BYTES):
            digest.update(chunk)
    return digest


def archive_is_valid(archive: Path) -> bool:
    """True when a previously downloaded archive matches one of the known checksums."""
    if not archive.is_file():
        return False
    return any(file_digest(archive, algorithm) == expected for _, algorithm, expected in VOC_SOURCES)


def fetch(url: str, destination: Path, algorithm: str, expected: str) -> None:
    """Download ``url`` to ``destination``, continuing an interrupted download, and check its checksum.

    The bytes go to ``destination.part`` first. When a ``.part`` file is there, only the rest is asked for
    (HTTP ``Range``); a server that sends the whole file instead starts it again. An interrupted download
    keeps its ``.part`` for the next call. Only a complete file with the right checksum is renamed to
    ``destination``; a wrong checksum deletes the ``.part`` (a resumed one is downloaded once more from
    the start first, in case the old part was damaged).
    """
    partial = destination.with_name(destination.name + ".part")
    resumed = partial.is_file() and partial.stat().st_size > 0
    got = download_part(url, partial, algorithm)
    if got != expected and resumed:
        print(text("download.restart", partial=partial, name=destination.name))
        partial.unlink()
        got = download_part(url, partial, algorithm)
    if got != expected:
        partial.unlink(missing_ok=True)
        raise ValueError(text("download.checksum_mismatch", algorithm=algorithm, got=got, expected=expected))
    os.replace(partial, destination)


def download_part(url: str, partial: Path, algorithm: str) -> str:
    """Append the rest of ``url`` to ``partial`` (all of it when there is no part yet); returns the whole file's checksum.

    Raises ConnectionError, keeping ``partial``, when the connection ends before the announced length.
    """
    offset = partial.stat().st_size if partial.is_file() else 0
    headers = {"Range": f"bytes={offset}-"} if offset else {}
    try:
        response = urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=60)
    except urllib.error.HTTPError as error:
        if error.code == 416 and offset:  # nothing after the part: it may be complete already
            return file_digest(partial, algorithm)
        raise
    with response:
        digest = hashlib.new(algorithm)
        continues = offset and getattr(response, "status", None) == 206 and range_start(response) == offset
        if continues:
            _digest_of(partial, digest)
        else:
            offset = 0  # the server sends the whole file (file:// URLs, servers without Range): start again
        length = int(response.headers.get("Content-Length") or 0) or None
        received = 0
        with (
            open(partial, "ab" if continues else "wb") as out,
            tqdm(
                total=offset + length if length else None,
                initial=offset,
                unit="B",
                unit_scale=True,
                desc=text("download.progress", name=partial.name[: -len(".part")]),
            ) as bar,
        ):
            while chunk := response.read(CHUNK_BYTES):
                out.write(chunk)
                digest.update(chunk)
                received += len(chunk)
                bar.update(len(chunk))
    if length is not None and received < length:
        raise ConnectionError(
            text("download.connection_ended", received=offset + received, length=offset + length, partial=partial)
        )
    return digest.hexdigest()


def range_start(response) -> int:
    """The first byte of a 206 answer (``Content-Range: bytes START-END/TOTAL``), -1 when it does not say."""
    content_range = response.headers.get("Content-Range") or ""
    try:
        return int(content_range.split()[1].split("-")[0])
    except (IndexError, ValueError):
        return -1


def extract_voc(archive: Path, root: Path, replace: bool = False) -> dict:
    """Extract the archive next to it and add its ``VOCdevkit/VOC2012`` files to the tree under ``root``.

    Files that are not there yet are moved in; files already there are kept (replaced only with
    ``replace=True``); anything that is not in the archive is never touched. Returns the counts
    ``{"added": ..., "replaced": ..., "kept": ...}``.
    """
    staging = root / ".VOCdevkit.extracting"
    shutil.rmtree(staging, ignore_errors=True)  # a leftover of our own interrupted extraction
    try:
        with tarfile.open(archive) as tar:
            safe_extract(tar, staging)
        if not voc_is_ready(staging):
            raise RuntimeError(text("download.archive_without_voc", archive=archive, parts=", ".join(REQUIRED_PARTS)))
        counts = {"added": 0, "replaced": 0, "kept": 0}
        merge_tree(voc_folder(staging), voc_folder(root), replace, counts)
        return counts
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def merge_tree(source: Path, target: Path, replace: bool, counts: dict) -> None:
    """Move what ``source`` holds into ``target``: missing files and folders are added (one rename for a
    whole missing folder), files present are replaced only when ``replace``; ``counts`` tallies the files."""
    if not target.exists() and not target.is_symlink():
        files = 1 if source.is_file() else sum(1 for path in source.rglob("*") if path.is_file())
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(source, target)
        counts["added"] += files
    elif source.is_dir() and target.is_dir():
        for child in sorted(source.iterdir()):
            merge_tree(child, target / child.name, replace, counts)
    elif replace and source.is_file() and target.is_file():
        os.replace(source, target)
        counts["replaced"] += 1
    else:
        counts["kept"] += 1 if source.is_file() else sum(1 for path in source.rglob("*") if path.is_file())


def safe_extract(tar: tarfile.TarFile, destination: Path) -> None:
    """Extract regular files and folders only, refusing any path that would land outside ``destination``."""
    destination = Path(destination).resolve()
    members = []
    for member in tar.getmembers():
        target = (destination / member.name).resolve()
        if target != destination and destination not in target.parents:
            raise RuntimeError(text("download.unsafe_member", member=member.name, destination=destination))
        if member.isfile() or member.isdir():  # VOC has no links or devices: skip anything else
            members.append(member)
    if hasattr(tarfile, "data_filter"):  # Python >= 3.12 (and recent 3.9-3.11 patch releases)
        tar.extractall(destination, members=members, filter="data")
    else:
        tar.extractall(destination, members=members)


def download_failed_message(root: Path, errors) -> str:
    """What went wrong, and the three ways forward."""
    tried = "\n".join(f"  - {error}" for error in errors)
    return text(
        "download.failed", archive=VOC_ARCHIVE, root=root, tried=tried, voc=voc_folder(root), profile_env=PROFILE_ENV
    )

"""Shared pytest fixtures."""

import sys
import types

import pytest
import torch

from fcn_course import messages
from fcn_course.environment import LANG_ENV
from fcn_course.synthetic import make_synthetic_voc

# Hooks that fail a test starting a Jupyter kernel or another process without the marker that says so (fast lane).
from process_markers import (  # noqa: F401, E402
    pytest_configure,
    pytest_runtest_makereport,
    pytest_runtest_protocol,
    pytest_unconfigure,
)


@pytest.fixture(autouse=True)
def default_language(monkeypatch):
    """Every test starts in the course's default language, whatever the machine's FCN_COURSE_LANG, and a
    test that calls ``set_language`` leaves no language behind it."""
    monkeypatch.delenv(LANG_ENV, raising=False)
    messages.set_language(None)
    yield
    monkeypatch.delenv(LANG_ENV, raising=False)  # a test's own FCN_COURSE_LANG, before set_language reads it
    messages.set_language(None)


@pytest.fixture(scope="session")
def synthetic_voc_root(tmp_path_factory):
    """Folder holding a small synthetic ``VOCdevkit/VOC2012`` (24 train + 8 val images, 160x120), built once.

    Shared by the whole session: do not modify its files. A test that edits the tree should copy it
    first (``shutil.copytree(synthetic_voc_root, tmp_path / "voc")``).
    """
    root = tmp_path_factory.mktemp("synthetic_voc")
    return make_synthetic_voc(root, n_train=24, n_val=8, size=(160, 120), seed=0)


class ModeSensitiveNet(torch.nn.Module):
    """Predicts class 1 everywhere in evaluation mode, something else in training mode.

    Its batch norm holds running statistics far from any image's (means 10, -10, 10), and a dropout follows:
    in evaluation mode the scores are ``x - 10``, ``x + 10``, ``x - 10`` (class 1 wins); in training mode the
    batch's own statistics and the dropout decide, and the running statistics move. Code that predicts without
    ``model.eval()`` gets a different answer from this net, unlike from the course's FCNs at initialisation.
    """

    def __init__(self):
        super().__init__()
        self.norm = torch.nn.BatchNorm2d(3)
        with torch.no_grad():
            self.norm.running_mean.copy_(torch.tensor([10.0, -10.0, 10.0]))
        self.dropout = torch.nn.Dropout(p=0.5)

    def forward(self, x):
        return self.dropout(self.norm(x[:, :3]))


@pytest.fixture
def mode_sensitive_net():
    """A ``ModeSensitiveNet`` in training mode (as a model is after construction or after training)."""
    torch.manual_seed(0)
    return ModeSensitiveNet().train()


@pytest.fixture
def fake_colab(monkeypatch):
    """A simulated Colab runtime: ``google.colab`` and ``google.colab.drive`` whose mount is recorded."""
    mounts = []
    google = types.ModuleType("google")
    google_colab = types.ModuleType("google.colab")
    drive = types.ModuleType("google.colab.drive")
    drive.mount = lambda mount_point, **kwargs: mounts.append(mount_point)
    google_colab.drive = drive
    google.colab = google_colab
    for name, module in [("google", google), ("google.colab", google_colab), ("google.colab.drive", drive)]:
        monkeypatch.setitem(sys.modules, name, module)
    return mounts


@pytest.fixture
def voc_copy(synthetic_voc_root, tmp_path):
    """A private copy of the synthetic tree, for tests that change files (without the caches other tests wrote)."""
    import shutil
    from pathlib import Path

    from fcn_course import data

    ignore = shutil.ignore_patterns(data.CACHE_DIR_NAME)
    return Path(shutil.copytree(synthetic_voc_root, tmp_path / "voc", ignore=ignore))


@pytest.fixture
def voc_archive(tmp_path):
    """A tiny tar with the VOC layout (a 4-image synthetic tree): (its path, its md5, its sha1)."""
    import hashlib
    import tarfile

    source = make_synthetic_voc(tmp_path / "source", n_train=3, n_val=1, size=(48, 40))
    archive = tmp_path / "tiny_voc.tar"
    with tarfile.open(archive, "w") as tar:
        tar.add(source / "VOCdevkit", arcname="VOCdevkit")
    content = archive.read_bytes()
    return archive, hashlib.md5(content).hexdigest(), hashlib.sha1(content).hexdigest()


@pytest.fixture
def served_voc_archive(voc_archive, monkeypatch):
    """``voc_archive`` served as the only download source (file://); returns the archive's bytes."""
    from fcn_course import download

    archive, md5, _ = voc_archive
    monkeypatch.setattr(download, "VOC_SOURCES", [(archive.as_uri(), "md5", md5)])
    return archive.read_bytes()


@pytest.fixture
def probenet_registered(monkeypatch):
    """Register the tiny backbone of tests/check_helpers.py (quick FCN self-checks on a CPU) for one test."""
    from check_helpers import PROBENET
    from fcn_course import backbones

    monkeypatch.setitem(backbones.BACKBONES, PROBENET.name, PROBENET)
    return PROBENET

"""Shared pytest fixtures."""
import pytest

from fcn_course.synthetic import make_synthetic_voc


@pytest.fixture(scope="session")
def synthetic_voc_root(tmp_path_factory):
    """Folder holding a small synthetic ``VOCdevkit/VOC2012`` (24 train + 8 val images, 160x120), built once.

    Shared by the whole session: do not modify its files. A test that edits the tree should copy it
    first (``shutil.copytree(synthetic_voc_root, tmp_path / "voc")``).
    """
    root = tmp_path_factory.mktemp("synthetic_voc")
    return make_synthetic_voc(root, n_train=24, n_val=8, size=(160, 120), seed=0)


@pytest.fixture
def probenet_registered(monkeypatch):
    """Register the tiny backbone of tests/check_helpers.py (quick FCN self-checks on a CPU) for one test."""
    from check_helpers import PROBENET
    from fcn_course import backbones

    monkeypatch.setitem(backbones.BACKBONES, PROBENET.name, PROBENET)
    return PROBENET

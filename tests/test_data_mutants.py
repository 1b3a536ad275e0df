"""Data cases found by mutation testing (benchmarks/mutation_test.py) that no other test pinned."""
import os
import shutil
from pathlib import Path

import pytest
import torch
from torchvision import tv_tensors

from fcn_course import data
from fcn_course.config import course_args
from fcn_course.data import VOCNotFoundError, VOCSubset, make_loaders, pad_to_size, prepare_data, random_scale
from fcn_course.voc import VOID


@pytest.fixture
def voc_copy(synthetic_voc_root, tmp_path):
    """A private copy of the synthetic tree, without the caches other tests wrote."""
    ignore = shutil.ignore_patterns(data.CACHE_DIR_NAME)
    return Path(shutil.copytree(synthetic_voc_root, tmp_path / "voc", ignore=ignore))


# --------------------------------------------------------------------------------------------------
# A missing tree
# --------------------------------------------------------------------------------------------------
def test_a_folder_with_jpegimages_outside_a_vocdevkit_gets_no_voc2012_hint(tmp_path):
    """The "you passed the VOC2012 folder" hint needs both signs: JPEGImages inside, VOCdevkit above."""
    photos = tmp_path / "photos"
    (photos / "JPEGImages").mkdir(parents=True)
    with pytest.raises(VOCNotFoundError) as error:
        data.require_voc_tree(photos, "train")
    assert "VOC2012 folder itself" not in str(error.value)
    empty_voc2012 = tmp_path / "VOCdevkit" / "VOC2012"
    empty_voc2012.mkdir(parents=True)
    with pytest.raises(VOCNotFoundError) as error:
        data.require_voc_tree(empty_voc2012, "train")
    assert "VOC2012 folder itself" not in str(error.value)


def test_prepare_data_without_voc_nor_synthetic_nor_download_says_how_to_get_it(tmp_path):
    with pytest.raises(VOCNotFoundError, match="download=True"):
        prepare_data({"root": str(tmp_path / "nowhere"), "synthetic": None, "download": False}, verbose=False)


# --------------------------------------------------------------------------------------------------
# Padding and random scaling
# --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("height, width", [(3, 4), (4, 3), (3, 3)])
def test_a_picture_one_pixel_short_is_padded_to_the_size(height, width):
    image = tv_tensors.Image(torch.zeros(3, height, width, dtype=torch.uint8))
    label = tv_tensors.Mask(torch.ones(height, width, dtype=torch.uint8))
    padded_image, padded_label = pad_to_size(image, label, (4, 4))
    assert padded_image.shape == (3, 4, 4) and padded_label.shape == (4, 4)
    assert int((padded_label == VOID).sum()) == 16 - height * width


@pytest.mark.parametrize("height, width, expected", [(1, 4, (1, 2)), (4, 1, (2, 1)), (2, 4, (1, 2))])
def test_random_scale_keeps_at_least_one_pixel_per_side(height, width, expected):
    image = tv_tensors.Image(torch.zeros(3, height, width, dtype=torch.uint8))
    label = tv_tensors.Mask(torch.ones(height, width, dtype=torch.uint8))
    scaled_image, scaled_label = random_scale(image, label, 0.5, 0.5)
    assert tuple(scaled_image.shape[-2:]) == expected and tuple(scaled_label.shape) == expected


# --------------------------------------------------------------------------------------------------
# The subset's progress bar
# --------------------------------------------------------------------------------------------------
def test_indexing_many_masks_shows_a_progress_bar_only_when_verbose(voc_copy, monkeypatch, capsys):
    subset = VOCSubset(voc_copy, "train", verbose=False)
    monkeypatch.setattr(data, "load_cached_subset", lambda *args: None)  # index again every time
    monkeypatch.setattr(data, "count_chosen_classes", lambda path, lookup: 2)
    mask = subset.masks[0]
    many_ids = [f"id{i}" for i in range(250)]
    paths = {image_id: (subset.images[0], mask) for image_id in many_ids}
    capsys.readouterr()
    assert subset.select_ids(many_ids, paths, verbose=False) == many_ids
    assert "indexing train masks" not in capsys.readouterr().err
    assert subset.select_ids(many_ids, paths, verbose=True) == many_ids
    assert "indexing train masks" in capsys.readouterr().err


# --------------------------------------------------------------------------------------------------
# Memory
# --------------------------------------------------------------------------------------------------
def test_available_memory_is_free_pages_times_page_size(monkeypatch):
    figures = {"SC_AVPHYS_PAGES": 1000, "SC_PAGE_SIZE": 4096}
    monkeypatch.setattr(os, "sysconf", figures.__getitem__, raising=False)
    assert data.available_memory_bytes() == 4_096_000


def test_with_workers_the_memory_cache_is_filled_before_they_start(synthetic_voc_root):
    """Filled in the main process, so that every worker shares one copy instead of filling its own."""
    args = course_args(root=synthetic_voc_root, h_size=32, w_size=32, batch_size=2, num_workers=1,
                       max_samples=2, device="cpu", cache_in_memory=True)
    train_loader, val_loader = make_loaders(args)
    for dataset in (train_loader.dataset, val_loader.dataset):
        assert dataset.memory and all(entry is not None for entry in dataset.memory)

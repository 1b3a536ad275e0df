"""Contracts of fcn_course.data that mutation testing showed were unguarded (issue #15).

* Augmented labels stay labels: resizing them must pick existing values (nearest), never blend a class
  index with its neighbour or with void (255) into a value that is no class at all.
* The subset cache is one file per class list: two class sets do not overwrite each other's index.
"""
from __future__ import annotations

import shutil

import torch

from fcn_course import data
from fcn_course.data import VOCSubset
from fcn_course.voc import VOID

SIZE = (64, 64)


def test_augmented_labels_hold_only_values_of_the_original_label(synthetic_voc_root):
    dataset = VOCSubset(synthetic_voc_root, "train", size=SIZE, augment=True, verbose=False)
    allowed = set(range(len(dataset.classes))) | {VOID}
    originals = [set(torch.as_tensor(dataset.load(i)[1]).unique().tolist()) for i in range(len(dataset))]
    seen = set()
    for seed in range(4):
        torch.manual_seed(seed)
        for index in range(len(dataset)):
            _, label = dataset[index]
            values = set(label.unique().tolist())
            assert values <= allowed, f"item {index}, seed {seed}: label values {sorted(values - allowed)} are no class"
            assert values <= originals[index] | {VOID}, f"item {index}, seed {seed}: new values {values - originals[index]}"
            seen |= values
    assert seen == allowed  # every class (and void) really went through the augmentation


def test_two_class_sets_keep_two_cache_files_both_served_from_cache(synthetic_voc_root, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user_cache"))
    root = tmp_path / "voc"
    shutil.copytree(synthetic_voc_root, root, ignore=shutil.ignore_patterns(data.CACHE_DIR_NAME))
    class_sets = [("background", "bus", "person"), ("background", "person")]

    first = [VOCSubset(root, "train", classes=classes, verbose=False) for classes in class_sets]
    assert not any(dataset.from_cache for dataset in first)
    assert len(list((root / data.CACHE_DIR_NAME).glob("subset_train_*.json"))) == 2

    second = [VOCSubset(root, "train", classes=classes, verbose=False) for classes in class_sets]
    assert all(dataset.from_cache for dataset in second)
    assert [d.ids for d in second] == [d.ids for d in first]
    assert first[0].ids != first[1].ids  # the two class sets really select different images

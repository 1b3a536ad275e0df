"""Metric cases found by mutation testing (benchmarks/mutation_test.py) that no other test pinned."""
import pytest
import torch

from fcn_course.metrics import ConfusionMatrix


def test_frequency_weighted_iou_counts_a_class_with_a_single_labelled_pixel():
    labels = torch.tensor([[0, 0, 0, 1]])
    preds = torch.tensor([[0, 0, 1, 1]])  # class 1: its one pixel found, plus one false positive
    matrix = ConfusionMatrix(2, ignore_index=255)
    matrix.update(preds, labels)
    scores = matrix.compute()
    iou_background, iou_one = 2 / 3, 1 / 2
    assert scores["iou"] == pytest.approx([iou_background, iou_one])
    assert scores["fw_iou"] == pytest.approx(3 / 4 * iou_background + 1 / 4 * iou_one)

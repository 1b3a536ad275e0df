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


def test_num_classes_limit_is_ten_thousand():
    assert ConfusionMatrix(10_000).num_classes == 10_000
    with pytest.raises(ValueError, match="between 1 and 10000"):
        ConfusionMatrix(10_001)


def test_out_of_range_error_lists_only_the_bad_values_and_at_most_five():
    matrix = ConfusionMatrix(3)
    with pytest.raises(ValueError, match=r"class indices \[5\] \(other"):
        matrix.update(torch.tensor([0, 1, 2, 0]), torch.tensor([0, 1, 5, 255]))
    with pytest.raises(ValueError, match=r"class indices \[3, 4, 5, 6, 7\] \(other"):
        matrix.update(torch.tensor([0] * 7), torch.tensor([3, 4, 5, 6, 7, 8, 9]))

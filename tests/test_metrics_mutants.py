"""Metric cases found by mutation testing (benchmarks/mutation_test.py) that no other test pinned."""
import math

import pytest
import torch

from fcn_course.metrics import ConfusionMatrix, stored_score


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


def test_boolean_labels_are_refused_like_floating_ones():
    matrix = ConfusionMatrix(2)
    with pytest.raises(TypeError, match="integer class indices"):
        matrix.update(torch.zeros(1, 2, 2, dtype=torch.long), torch.zeros(1, 2, 2, dtype=torch.bool))
    with pytest.raises(TypeError, match="integer class indices"):
        matrix.update(torch.zeros(1, 2, 2, dtype=torch.long), torch.zeros(1, 2, 2))
    assert int(matrix.matrix.sum()) == 0


def test_the_table_has_rules_as_wide_as_its_header_above_and_below_the_classes():
    matrix = ConfusionMatrix(2)
    matrix.update(torch.tensor([[0, 1]]), torch.tensor([[0, 1]]))
    lines = matrix.table(["background", "a much longer name"]).splitlines()
    header, rule, first, second, closing, mean = lines
    assert rule == closing == "-" * len(header)
    assert len(first) == len(second) == len(mean) == len(header)
    assert first.startswith("background") and mean.startswith("mean")


def test_repr_says_classes_void_and_how_many_pixels_were_counted():
    matrix = ConfusionMatrix(3, ignore_index=255)
    matrix.update(torch.tensor([[0, 1, 2]]), torch.tensor([[0, 255, 2]]))
    assert repr(matrix) == "ConfusionMatrix(num_classes=3, ignore_index=255, pixels=2)"


@pytest.mark.parametrize("stored, expected", [(0.5, 0.5), ("0.25", 0.25), (1, 1.0)])
def test_a_stored_score_reads_back_as_a_float(stored, expected):
    value = stored_score(stored)
    assert isinstance(value, float) and value == expected


def test_a_missing_stored_score_is_nan():
    assert math.isnan(stored_score(None))


def test_a_single_pixel_out_of_range_is_refused_too():
    matrix = ConfusionMatrix(3)
    with pytest.raises(ValueError, match="outside 0..2"):
        matrix.update(torch.tensor([[0]]), torch.tensor([[7]]))
    with pytest.raises(ValueError, match="outside 0..2"):
        matrix.update(torch.tensor([[7]]), torch.tensor([[0]]))


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_a_matrix_made_on_the_cpu_counts_gpu_tensors():
    matrix = ConfusionMatrix(2)
    matrix.update(torch.tensor([[0, 1, 1]], device="cuda"), torch.tensor([[0, 1, 0]], device="cuda"))
    assert matrix.matrix.is_cuda and matrix.matrix.cpu().tolist() == [[1, 1], [0, 1]]

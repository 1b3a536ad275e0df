"""Tests of solutions/losses.py (class weights, Dice loss).

The first cases were found by mutation testing (benchmarks/mutation_test.py): no other test pinned them.

The Dice loss is checked against the docstring's formula worked out by hand on a tiny case, with eps = 1.
"""

import math

import torch
import torch.nn.functional as F

from solutions.losses import VOID_LABEL, class_weights, dice_loss


def _one_pixel_per_class_case():
    """Two pixels, two classes: scores give p = (3/4, 1/4) on the class-0 pixel and (1/2, 1/2) on the class-1 one."""
    outputs = torch.tensor([[[[math.log(3.0), 0.0]], [[0.0, 0.0]]]])  # [B=1, C=2, H=1, W=2]
    labels = torch.tensor([[[0, 1]]])
    return outputs, labels


def test_dice_loss_of_a_small_case_is_the_formula_with_eps_one():
    # class 0: sum(p*g) = 3/4, sum(p) + sum(g) = (3/4 + 1/2) + 1 = 9/4 -> (2*3/4 + 1) / (9/4 + 1) = 10/13
    # class 1: sum(p*g) = 1/2, sum(p) + sum(g) = (1/4 + 1/2) + 1 = 7/4 -> (2*1/2 + 1) / (7/4 + 1) = 8/11
    outputs, labels = _one_pixel_per_class_case()
    expected = 1 - (10 / 13 + 8 / 11) / 2
    assert math.isclose(dice_loss(outputs, labels).item(), expected, rel_tol=1e-5)


def test_dice_loss_without_eps_is_the_plain_formula():
    outputs, labels = _one_pixel_per_class_case()
    expected = 1 - ((2 * 3 / 4) / (9 / 4) + (2 * 1 / 2) / (7 / 4)) / 2
    assert math.isclose(dice_loss(outputs, labels, eps=0.0).item(), expected, rel_tol=1e-5)


def test_void_pixels_change_nothing_even_with_a_single_class():
    """Void pixels are left out of every sum, whatever the number of classes (one class: a perfect Dice)."""
    outputs = torch.randn(1, 1, 2, 2)
    labels = torch.tensor([[[0, VOID_LABEL], [0, 0]]])
    assert dice_loss(outputs, labels).item() == 0.0


def test_class_weights_are_the_median_frequency_over_each_frequency():
    weights = class_weights([600, 300, 100, 0])
    # freq = (0.6, 0.3, 0.1) over the present classes, median 0.3; the absent class gets 0
    assert weights.dtype == torch.float32
    assert torch.allclose(weights, torch.tensor([0.5, 1.0, 3.0, 0.0]))


# ==================================================================================================
# Weighted cross-entropy and Dice loss: what they are for
# ==================================================================================================


def test_class_weights_make_a_weighted_loss_that_counts_rare_pixels_more():
    weights = class_weights([1000, 100, 10])
    logits, labels = torch.zeros(1, 3, 1, 2), torch.tensor([[[0, 2]]])
    per_pixel = F.cross_entropy(logits, labels, reduction="none")
    weighted = F.cross_entropy(logits, labels, weight=weights, reduction="none")
    assert weighted[0, 0, 1] / per_pixel[0, 0, 1] > weighted[0, 0, 0] / per_pixel[0, 0, 0]


def test_dice_loss_is_lower_for_a_better_prediction():
    labels = torch.randint(0, 3, (2, 8, 8))
    truth = F.one_hot(labels, 3).permute(0, 3, 1, 2).float()
    assert dice_loss(truth * 5, labels) < dice_loss(torch.zeros(2, 3, 8, 8), labels) < dice_loss(-truth * 5, labels)

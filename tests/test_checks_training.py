"""Tests of fcn_course.checks.training: cases found by mutation testing that no other test pinned.

(The checks are mostly tested in test_checks.py.)
"""
import pytest
from torch import nn

from fcn_course import checks
from fcn_course.checks import training
from fcn_course.checks.training import _tiny_loader
from solutions.fcn_alexnet import FCN_AlexNet
from solutions.training import compute_loss, make_criterion, make_optimizer


@pytest.mark.filterwarnings("ignore:Using a target size")  # MSELoss, given class indices, warns
def test_a_criterion_of_the_wrong_kind_is_named_in_the_feedback():
    result = checks.check_loss(compute_loss, nn.MSELoss(), verbose=False)
    assert not result.passed
    assert any("nn.CrossEntropyLoss (veio MSELoss)" in message for message in result.messages)


def test_the_training_check_batch_is_easy_a_bright_square_and_a_dark_disc_on_faint_noise():
    """Easy on purpose: a correct solution must learn it in a few steps, so a loss that does not fall is a bug."""
    [(images, labels)] = _tiny_loader()
    background, square, disc = (images.permute(1, 0, 2, 3)[:, labels == c] for c in (0, 1, 2))
    assert background.abs().mean() < 0.2 and background.std() < 0.2
    assert square.mean() > 1.0 and disc.mean() < -1.0


def test_non_finite_training_figures_are_reported(monkeypatch):
    """The engine stops on a NaN loss itself; should figures ever come back non-finite, the check still says so."""
    def epoch_with_nan_loss(*args, **kwargs):
        return {"loss_mean": float("nan")}

    monkeypatch.setattr(training, "train_one_epoch", epoch_with_nan_loss)
    result = checks.check_training(FCN_AlexNet, make_optimizer, compute_loss, make_criterion(), verbose=False)
    assert not result.passed
    assert any("valores não finitos" in message for message in result.messages)

"""The Desafios' self-checks (fcn_course/checks/challenges.py): right answers written as students write them
pass; each usual mistake fails with the hint that names it; a Desafio is optional and numbered apart."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from check_helpers import failed_messages
from fcn_course import checks
from fcn_course.checks import challenges
from fcn_course.checks.exercise import challenges as challenge_rows
from fcn_course.checks.feedback import ExerciseNotDone
from fcn_course.messages import text
from fcn_course.metrics import ConfusionMatrix


# ---------------------------------------------------------------- mIoU per image
def miou_per_image(labels, predictions, num_classes, ignore_index=255):
    """A right answer, with the library's ConfusionMatrix (one per image)."""
    scores = []
    for label, prediction in zip(labels, predictions):
        matrix = ConfusionMatrix(num_classes, ignore_index=ignore_index)
        matrix.update(torch.as_tensor(prediction), torch.as_tensor(label))
        scores.append(matrix.compute()["miou"])
    return float(np.nanmean(scores))


def test_miou_per_image_accepts_a_right_answer():
    assert challenges.check_miou_per_image(miou_per_image, verbose=False).passed


def test_the_reference_differs_from_the_dataset_miou_on_the_cases():
    """Otherwise the Desafio would teach nothing: the check's cases tell the two means apart."""
    for labels, predictions, n in challenges._miou_cases().values():
        per_image = challenges.reference_miou_per_image(labels, predictions, n)
        assert not np.isclose(per_image, challenges._dataset_miou(labels, predictions, n))


def test_the_dataset_miou_is_named():
    def dataset(labels, predictions, num_classes, ignore_index=255):
        matrix = ConfusionMatrix(num_classes, ignore_index=ignore_index)
        for label, prediction in zip(labels, predictions):
            matrix.update(torch.as_tensor(prediction), torch.as_tensor(label))
        return matrix.compute()["miou"]

    assert "mIoU do conjunto" in failed_messages(challenges.check_miou_per_image(dataset, verbose=False))


def test_absent_classes_counted_as_zero_are_named():
    def zero_for_absent(labels, predictions, num_classes, ignore_index=255):
        means = []
        for label, prediction in zip(labels, predictions):
            matrix = ConfusionMatrix(num_classes, ignore_index=ignore_index)
            matrix.update(torch.as_tensor(prediction), torch.as_tensor(label))
            means.append(np.nan_to_num(np.asarray(matrix.compute()["iou"], dtype=float)).mean())
        return float(np.mean(means))

    assert "np.nanmean" in failed_messages(challenges.check_miou_per_image(zero_for_absent, verbose=False))


def test_void_counted_as_background_is_named():
    def void_as_background(labels, predictions, num_classes, ignore_index=255):
        labels = [np.where(label == ignore_index, 0, label) for label in labels]
        return miou_per_image(labels, predictions, num_classes, ignore_index)

    assert "void (255)" in failed_messages(challenges.check_miou_per_image(void_as_background, verbose=False))


def test_a_value_that_is_no_number_is_reported():
    result = challenges.check_miou_per_image(lambda *a: [0.1, 0.2], verbose=False)
    assert "devolva um número" in failed_messages(result)


def test_a_wrong_mean_of_mious_is_quoted_to_four_decimals():
    messages = failed_messages(challenges.check_miou_per_image(lambda *a: 0.123456789, verbose=False))
    assert "deu 0.1235." in messages


# ---------------------------------------------------------------- the smallest input
def min_input_size(features):
    """A right answer, by walking the layers backwards (the size formula, inverted)."""
    side = 1
    for layer in reversed([m for m in features if isinstance(m, (nn.Conv2d, nn.MaxPool2d))]):
        pick = lambda v: v[0] if isinstance(v, tuple) else v  # noqa: E731
        kernel, stride, padding, dilation = (
            pick(layer.kernel_size),
            pick(layer.stride),
            pick(layer.padding),
            pick(layer.dilation),
        )
        side = max(1, (side - 1) * stride + dilation * (kernel - 1) + 1 - 2 * padding)
    return side


def test_min_input_size_accepts_a_right_answer():
    assert challenges.check_min_input_size(min_input_size, verbose=False).passed


def test_the_reference_size_is_what_a_real_forward_accepts():
    from torchvision import models

    features = models.alexnet(weights=None).features
    assert challenges.reference_min_input_size(features) == 63  # the README's figure
    with torch.no_grad():
        assert features(torch.zeros(1, 3, 63, 63)).shape[-1] == 1
        with pytest.raises(RuntimeError):
            features(torch.zeros(1, 3, 62, 62))


def test_min_input_size_off_by_one_is_named():
    result = challenges.check_min_input_size(lambda features: min_input_size(features) + 1, verbose=False)
    assert "Errou por um" in failed_messages(result)


def test_min_input_size_as_a_float_fails():
    assert not challenges.check_min_input_size(lambda features: 63.0, verbose=False).passed


def test_the_smallest_side_can_be_one():
    """A network whose layers all keep the size accepts a single pixel: the search starts at side 1."""
    assert challenges.reference_min_input_size(nn.Sequential(nn.Conv2d(3, 4, kernel_size=1), nn.ReLU())) == 1


# ---------------------------------------------------------------- focal loss
def focal_loss(logits, labels, gamma, ignore_index=255):
    """A right answer: the cross-entropy per pixel gives −log p_t."""
    ce = F.cross_entropy(logits, labels, ignore_index=ignore_index, reduction="none")
    valid = labels != ignore_index
    return (((1 - torch.exp(-ce)) ** gamma) * ce)[valid].mean()


def test_focal_loss_accepts_a_right_answer():
    assert challenges.check_focal_loss(focal_loss, verbose=False).passed


def test_the_focal_reference_equals_cross_entropy_at_gamma_zero_and_weighs_easy_pixels_less():
    logits, labels = torch.randn(1, 3, 4, 4) * 3, torch.randint(0, 3, (1, 4, 4))
    labels[0, 0, 0] = 255
    assert torch.allclose(
        challenges.reference_focal_loss(logits, labels, 0.0), F.cross_entropy(logits, labels, ignore_index=255)
    )
    easy = torch.zeros(1, 3, 1, 1)
    easy[0, 0] = 5.0  # class 0 very likely
    label = torch.zeros(1, 1, 1, dtype=torch.long)
    ratio = challenges.reference_focal_loss(easy, label, 2.0) / F.cross_entropy(easy, label)
    assert ratio < 0.01


def test_focal_loss_without_the_factor_is_named():
    def plain(logits, labels, gamma):
        return F.cross_entropy(logits, labels, ignore_index=255)

    assert "(1 − p_t)^γ" in failed_messages(challenges.check_focal_loss(plain, verbose=False))


def test_focal_loss_through_numpy_has_no_gradient():
    def detached(logits, labels, gamma):
        return focal_loss(logits, labels, gamma).detach()

    assert "gradiente" in failed_messages(challenges.check_focal_loss(detached, verbose=False))


def test_focal_loss_is_judged_at_gamma_zero_two_and_a_half():
    """γ = 0 (the cross-entropy), a strong factor (2, the paper's value) and a fractional one (0.5)."""
    gammas = []

    def recording(logits, labels, gamma):
        gammas.append(gamma)
        return focal_loss(logits, labels, gamma)

    assert challenges.check_focal_loss(recording, verbose=False).passed
    assert gammas == [0.0, 2.0, 0.5]


def test_check_focal_loss_prints_its_feedback_by_default(capsys):
    challenges.check_focal_loss(focal_loss)
    assert text("exercise.focal-loss") in capsys.readouterr().out


def test_a_wrong_focal_loss_is_quoted_to_four_decimals():
    logits, labels, gamma = next(iter(challenges._focal_cases().values()))
    expected = float(challenges.reference_focal_loss(logits, labels, gamma))
    assert round(expected, 4) != round(expected, 5)  # the case tells four decimals from five

    def constant(logits, labels, gamma):
        return torch.tensor(0.123456789, requires_grad=True)

    messages = failed_messages(challenges.check_focal_loss(constant, verbose=False))
    assert f"deveria ser {round(expected, 4)}, mas deu 0.1235." in messages


def test_focal_loss_that_ignores_the_background_instead_of_void_fails():
    """Class 0 (background) is a class like the others: only 255 is void."""

    def background_ignored(logits, labels, gamma):
        return focal_loss(logits, torch.where(labels == 0, 255, labels), gamma)

    assert not challenges.check_focal_loss(background_ignored, verbose=False).passed


def test_focal_loss_with_void_counted_as_background_is_named():
    def void_as_background(logits, labels, gamma):
        return focal_loss(logits, torch.where(labels == 255, 0, labels), gamma)

    messages = failed_messages(challenges.check_focal_loss(void_as_background, verbose=False))
    assert text("checks.challenges.hint_void_counted") in messages


def test_an_exponent_truncated_to_an_integer_is_named_as_the_missing_factor():
    """At γ = 0.5, (1 − p_t) ** int(γ) is 1: the loss is the cross-entropy, and the hint says the factor is missing."""

    def integer_exponent(logits, labels, gamma):
        return focal_loss(logits, labels, int(gamma))

    messages = failed_messages(challenges.check_focal_loss(integer_exponent, verbose=False))
    assert text("checks.challenges.case_gamma", gamma=0.5) in messages
    assert text("checks.challenges.hint_focal_no_factor") in messages


def test_a_focal_loss_with_another_formula_gets_the_formula_hint():
    def p_t_to_the_gamma(logits, labels, gamma):
        ce = F.cross_entropy(logits, labels, ignore_index=255, reduction="none")
        return ((torch.exp(-ce) ** gamma) * ce)[labels != 255].mean()

    messages = failed_messages(challenges.check_focal_loss(p_t_to_the_gamma, verbose=False))
    assert text("checks.challenges.hint_focal_formula") in messages


def test_focal_loss_that_counts_the_classes_from_the_labels_fails():
    """The logits say how many classes there are; the labels of a batch may miss some (here the last)."""

    def classes_from_labels(logits, labels, gamma):
        valid = labels != 255
        one_hot = F.one_hot(torch.where(valid, labels, 0)).permute(0, 3, 1, 2).float()
        p_t = (F.softmax(logits, dim=1) * one_hot).sum(1)
        return (-((1 - p_t) ** gamma) * torch.log(p_t))[valid].mean()

    assert not challenges.check_focal_loss(classes_from_labels, verbose=False).passed


# ---------------------------------------------------------------- whole image
def predict_whole_image(model, images, multiple=32):
    """A right answer: pad right and bottom, predict, crop back."""
    height, width = images.shape[-2:]
    pad_h, pad_w = (-height) % multiple, (-width) % multiple
    with torch.no_grad():
        scores = model(F.pad(images, (0, pad_w, 0, pad_h), mode="reflect" if min(height, width) > 32 else "constant"))
    return scores[..., :height, :width]


def test_whole_image_accepts_a_right_answer():
    assert challenges.check_whole_image(predict_whole_image, verbose=False).passed


def test_whole_image_centred_padding_cropped_back_passes():
    def centred(model, images):
        height, width = images.shape[-2:]
        pad_h, pad_w = (-height) % 32, (-width) % 32
        top, left = pad_h // 2, pad_w // 2
        scores = model(F.pad(images, (left, pad_w - left, top, pad_h - top)))
        return scores[..., top : top + height, left : left + width]

    assert challenges.check_whole_image(centred, verbose=False).passed


@pytest.mark.parametrize(
    "wrong, message",
    [
        (lambda model, images: model(images), "múltiplos de 32"),
        (
            lambda model, images: model(F.pad(images, (0, (-images.shape[-1]) % 32, 0, (-images.shape[-2]) % 32))),
            "recorte de volta",
        ),
        (
            lambda model, images: F.interpolate(
                model(F.interpolate(images, size=(64, 128), mode="bilinear")), size=images.shape[-2:], mode="bilinear"
            ),
            "redimensionar",
        ),
    ],
    ids=["no padding", "no crop", "resized"],
)
def test_whole_image_mistakes_are_named(wrong, message):
    assert message in failed_messages(challenges.check_whole_image(wrong, verbose=False))


def test_padding_only_the_height_is_refused_by_the_probe():
    """The probe refuses a side that is not a multiple of 32 whichever side it is."""

    def height_only(model, images):
        height, width = images.shape[-2:]
        return model(F.pad(images, (0, 0, 0, (-height) % 32)))[..., :height, :width]

    messages = failed_messages(challenges.check_whole_image(height_only, verbose=False))
    assert text("checks.challenges.probe_refuses", size=(64, 50)) in messages


def test_an_answer_that_keeps_one_image_is_told_the_batch_shape():
    def first_image_only(model, images):
        return predict_whole_image(model, images[:1])

    messages = failed_messages(challenges.check_whole_image(first_image_only, verbose=False))
    case = text("checks.challenges.case_image", height=64, width=96)
    assert (
        text("checks.challenges.wrong_whole_shape", case=case, expected=(2, 3, 64, 96), shape=(1, 3, 64, 96))
        in messages
    )


# ---------------------------------------------------------------- multiply-adds
def count_multiply_adds(features, side):
    """A right answer, written with a dummy forward pass and hooks (another way students take)."""
    total = []

    def count(layer, inputs, output):
        total.append(output.shape[-1] * output.shape[-2] * layer.out_channels * layer.weight[0].numel())

    hooks = [m.register_forward_hook(count) for m in features.modules() if isinstance(m, nn.Conv2d)]
    try:
        with torch.no_grad():
            features(torch.zeros(1, 3, side, side))
    finally:
        for hook in hooks:
            hook.remove()
    return int(sum(total))


def test_multiply_adds_accepts_a_right_answer_and_vgg16_costs_many_times_alexnet():
    assert challenges.check_multiply_adds(count_multiply_adds, verbose=False).passed
    cases = list(challenges._macs_cases().values())
    alexnet, vgg16 = (challenges.reference_multiply_adds(features, side) for features, side in cases[:2])
    assert 0.6e9 < alexnet < 0.7e9 and 15e9 < vgg16 < 16e9  # torchvision's documented ~0.71 and ~15.5 GFLOPS
    assert 15 < vgg16 / alexnet < 30  # the 21x of the measured step times is of this order


def test_multiply_adds_counted_as_parameters_is_named():
    def parameters(features, side):
        return sum(m.weight.numel() for m in features.modules() if isinstance(m, nn.Conv2d))

    assert "número de pesos" in failed_messages(challenges.check_multiply_adds(parameters, verbose=False))


def test_multiply_adds_without_the_pooling_reduction_fails():
    def ignores_pooling(features, side):
        only_convolutions = nn.Sequential(*[m for m in features if not isinstance(m, nn.MaxPool2d)])
        return count_multiply_adds(only_convolutions, side)

    assert "poolings" in failed_messages(challenges.check_multiply_adds(ignores_pooling, verbose=False))


def test_each_multiply_adds_case_is_named_with_the_side_it_is_judged_at():
    sides = []

    def recording(features, side):
        sides.append(side)
        return count_multiply_adds(features, side)

    assert challenges.check_multiply_adds(recording, verbose=False).passed
    assert sides == [224, 224, 97]
    probe = text("checks.challenges.case_probe")
    assert list(challenges._macs_cases()) == [
        text("checks.challenges.case_macs", network=network, side=side)
        for network, side in (("AlexNet", 224), ("VGG16", 224), (probe, 97))
    ]


def test_the_multiply_adds_are_an_integer_and_quoted_as_one():
    features, side = next(iter(challenges._macs_cases().values()))
    expected = challenges.reference_multiply_adds(features, side)
    assert type(expected) is int
    messages = failed_messages(challenges.check_multiply_adds(lambda features, side: 5, verbose=False))
    assert f"fazem {expected} multiplicações-e-somas" in messages


# ---------------------------------------------------------------- what a Desafio is
def test_desafios_are_optional_worth_no_points_and_numbered_apart():
    rows = challenge_rows()
    assert [row.key for row in rows] == [
        "miou-per-image",
        "min-input-size",
        "focal-loss",
        "multiply-adds",
        "whole-image",
    ]
    assert all(row.optional and row.challenge and row.points == 0 for row in rows)
    assert [row.number for row in rows] == ["1", "2", "3", "4", "5"]
    assert rows[0].title == "Desafio 1 (mIoU por imagem contra mIoU do conjunto)"
    numbered = [row.number for row in checks.exercises() if not row.challenge]
    assert numbered[0] == "0" and "Desafio" not in " ".join(
        row.title for row in checks.exercises() if not row.challenge
    )


def test_a_desafio_stub_never_stops_run_all(capsys):
    def stub(*args):
        raise NotImplementedError("escreva a função")

    try:
        result = checks.check("miou-per-image", {"miou_per_image": stub})
    except ExerciseNotDone:
        pytest.fail("a Desafio's stub stopped the notebook")
    assert not result.passed
    assert "Desafio" in capsys.readouterr().out


def test_a_challenge_row_must_be_optional():
    with pytest.raises(ValueError, match="always optional"):
        checks.Exercise(
            "x", "01_dados_e_metricas", ("f",), lambda f, verbose=True: None, optional=False, challenge=True
        )


def test_a_wrong_min_input_size_without_a_hint_ends_its_sentence_cleanly():
    """No hint fits a far-off answer: the message then ends at its full stop, with no dangling space."""
    result = challenges.check_min_input_size(lambda features: 1000, verbose=False)
    assert not result.passed and all(message == message.rstrip() for message in result.messages)

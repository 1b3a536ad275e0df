"""Tests of fcn_course.metrics.ConfusionMatrix against scikit-learn and simple invariants."""

import math
import warnings

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import confusion_matrix, f1_score, jaccard_score

from fcn_course.messages import speaking, text
from fcn_course.metrics import ConfusionMatrix, stored_score
from helpers import raised_in_each_language

VOID = 255


def random_batch(rng, n_classes, shape=(4, 24, 32), void_fraction=0.1):
    """Random labels (with some void pixels) and predictions that agree with them ~60% of the time."""
    labels = rng.integers(0, n_classes, size=shape)
    preds = np.where(rng.random(shape) < 0.6, labels, rng.integers(0, n_classes, size=shape))
    labels = np.where(rng.random(shape) < void_fraction, VOID, labels)
    return preds, labels


def sklearn_reference(preds, labels, n_classes):
    """Confusion matrix, IoU and Dice from scikit-learn on the non-void pixels.

    scikit-learn scores a class absent from both labels and predictions as 0 (``zero_division``);
    the course reports NaN there, so those entries are set to NaN here.
    """
    keep = labels.ravel() != VOID
    y_true, y_pred = labels.ravel()[keep], preds.ravel()[keep]
    classes = list(range(n_classes))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "a single label was found", etc.
        matrix = confusion_matrix(y_true, y_pred, labels=classes)
        iou = jaccard_score(y_true, y_pred, labels=classes, average=None, zero_division=0)
        dice = f1_score(y_true, y_pred, labels=classes, average=None, zero_division=0)
    absent = ~np.isin(classes, np.concatenate([y_true, y_pred]))
    return matrix, np.where(absent, np.nan, iou), np.where(absent, np.nan, dice)


def scores_of(preds, labels, n_classes):
    cm = ConfusionMatrix(n_classes)
    cm.update(preds, labels)
    return cm, cm.compute()


def assert_same_scores(a, b):
    assert a.keys() == b.keys()
    for key in a:
        np.testing.assert_allclose(a[key], b[key], err_msg=key)


@pytest.mark.parametrize("n_classes", [2, 3, 21])
def test_matches_sklearn_on_random_data(n_classes):
    preds, labels = random_batch(np.random.default_rng(n_classes), n_classes)
    cm, scores = scores_of(preds, labels, n_classes)
    ref_matrix, ref_iou, ref_dice = sklearn_reference(preds, labels, n_classes)

    np.testing.assert_array_equal(cm.matrix.numpy(), ref_matrix)
    np.testing.assert_allclose(scores["iou"], ref_iou)
    np.testing.assert_allclose(scores["dice"], ref_dice)
    assert scores["miou"] == pytest.approx(np.mean(ref_iou))
    assert scores["miou_fg"] == pytest.approx(np.mean(ref_iou[1:]))
    assert scores["mdice"] == pytest.approx(np.mean(ref_dice))

    keep = labels != VOID
    assert scores["pixel_acc"] == pytest.approx(np.mean(preds[keep] == labels[keep]))
    recall = np.diag(ref_matrix) / ref_matrix.sum(axis=1)
    assert scores["mean_acc"] == pytest.approx(recall.mean())
    frequency = ref_matrix.sum(axis=1) / ref_matrix.sum()
    assert scores["fw_iou"] == pytest.approx(np.sum(frequency * ref_iou))


def test_void_pixels_are_not_counted_as_background():
    labels = np.array([[0, 1], [VOID, VOID]])
    preds = np.array([[0, 1], [0, 0]])  # predicting background on void must not matter
    cm, scores = scores_of(preds, labels, 2)
    assert int(cm.matrix.sum()) == 2
    assert scores["iou"] == [1.0, 1.0]


def test_all_void_gives_nan_without_warnings():
    labels = np.full((2, 8, 8), VOID)
    preds = np.zeros((2, 8, 8), dtype=np.int64)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # any RuntimeWarning (0/0, mean of empty slice) fails the test
        _, scores = scores_of(preds, labels, 3)
    for key in ("miou", "miou_fg", "mdice", "pixel_acc", "mean_acc", "fw_iou"):
        assert math.isnan(scores[key]), key
    assert all(math.isnan(v) for v in scores["iou"] + scores["dice"])


def test_fresh_matrix_computes_nan():
    scores = ConfusionMatrix(3).compute()
    assert math.isnan(scores["miou"])


def test_absent_class_is_nan_and_left_out_of_the_mean():
    labels = np.array([[0, 0, 1, 1]])
    preds = np.array([[0, 0, 1, 0]])  # class 2 appears nowhere
    _, scores = scores_of(preds, labels, 3)
    assert math.isnan(scores["iou"][2]) and math.isnan(scores["dice"][2])
    assert scores["iou"][:2] == pytest.approx([2 / 3, 1 / 2])
    assert scores["miou"] == pytest.approx((2 / 3 + 1 / 2) / 2)
    assert scores["miou_fg"] == pytest.approx(1 / 2)


def test_class_only_predicted_counts_as_zero():
    """A class never in the labels but predicted somewhere has IoU 0 (a false positive), not NaN."""
    labels = np.array([[0, 0, 0, 0]])
    preds = np.array([[0, 0, 0, 2]])
    _, scores = scores_of(preds, labels, 3)
    assert scores["iou"][2] == 0.0
    assert math.isnan(scores["iou"][1])
    assert math.isnan(scores["recall"][2])  # recall needs the class in the labels


def test_perfect_prediction_scores_one():
    rng = np.random.default_rng(1)
    labels = rng.integers(0, 4, size=(3, 16, 16))
    preds = labels.copy()
    labels[:, 0, :] = VOID
    _, scores = scores_of(preds, labels, 4)
    for key in ("miou", "miou_fg", "mdice", "pixel_acc", "mean_acc", "fw_iou"):
        assert scores[key] == pytest.approx(1.0), key


def test_a_single_class_only():
    labels = np.zeros((2, 5, 5), dtype=np.int64)
    _, scores = scores_of(labels.copy(), labels, 1)
    assert scores["iou"] == [1.0]
    assert scores["miou"] == 1.0
    assert math.isnan(scores["miou_fg"])  # no foreground class at all


def test_logits_give_the_same_matrix_as_their_argmax():
    torch.manual_seed(0)
    logits = torch.randn(2, 3, 10, 12)
    labels = torch.randint(0, 3, (2, 10, 12))
    from_logits, from_indices = ConfusionMatrix(3), ConfusionMatrix(3)
    from_logits.update(logits, labels)
    from_indices.update(logits.argmax(dim=1), labels)
    assert torch.equal(from_logits.matrix, from_indices.matrix)


def test_single_image_without_batch_axis():
    logits = torch.randn(3, 6, 7)
    labels = torch.randint(0, 3, (6, 7))
    single, batched = ConfusionMatrix(3), ConfusionMatrix(3)
    single.update(logits, labels)
    batched.update(logits[None], labels[None])
    assert torch.equal(single.matrix, batched.matrix)


def test_numpy_and_torch_inputs_agree():
    preds, labels = random_batch(np.random.default_rng(2), 5)
    from_numpy, _ = scores_of(preds, labels.astype(np.uint8), 5)
    from_torch, _ = scores_of(torch.from_numpy(preds), torch.from_numpy(labels), 5)
    assert torch.equal(from_numpy.matrix, from_torch.matrix)
    assert from_numpy.matrix.dtype == torch.int64


def test_accumulating_batches_equals_one_update_on_everything():
    rng = np.random.default_rng(3)
    batches = [random_batch(rng, 4, shape=(2, 8, 9)) for _ in range(5)]
    step_by_step = ConfusionMatrix(4)
    for preds, labels in batches:
        step_by_step.update(preds, labels)
    all_at_once, _ = scores_of(np.concatenate([p for p, _ in batches]), np.concatenate([lab for _, lab in batches]), 4)
    assert torch.equal(step_by_step.matrix, all_at_once.matrix)
    assert_same_scores(step_by_step.compute(), all_at_once.compute())


def test_reset_empties_the_matrix():
    cm, _ = scores_of(np.zeros((4, 4), dtype=int), np.zeros((4, 4), dtype=int), 2)
    cm.reset()
    assert int(cm.matrix.sum()) == 0


def test_custom_ignore_index():
    labels = np.array([[0, 1, -100]])
    preds = np.array([[0, 1, 1]])
    cm = ConfusionMatrix(2, ignore_index=-100)
    cm.update(preds, labels)
    assert int(cm.matrix.sum()) == 2


@pytest.mark.parametrize(
    "preds, labels, message",
    [
        (torch.zeros(2, 4, 5, dtype=torch.long), torch.zeros(2, 4, 4, dtype=torch.long), "não combinam"),
        (torch.zeros(2, 5, 4, 4), torch.zeros(2, 4, 4, dtype=torch.long), "num_classes=3"),
        (torch.zeros(2, 4, 4), torch.zeros(2, 4, 4, dtype=torch.long), "eixo de classes"),
        (torch.full((4, 4), 3), torch.zeros(4, 4, dtype=torch.long), "preds contém índices de classe \\[3\\]"),
        (torch.zeros(4, 4, dtype=torch.long), torch.full((4, 4), 7), "labels contém índices de classe \\[7\\]"),
        (torch.zeros(4, 4, dtype=torch.long), torch.full((4, 4), -1), "labels contém índices de classe \\[-1\\]"),
    ],
)
def test_clear_errors(preds, labels, message):
    with pytest.raises((ValueError, TypeError), match=message):
        ConfusionMatrix(3).update(preds, labels)


def test_out_of_range_prediction_on_void_pixel_is_ignored():
    cm = ConfusionMatrix(2)
    cm.update(np.array([[0, 9]]), np.array([[0, VOID]]))
    assert int(cm.matrix.sum()) == 1


def test_table_lists_every_class():
    cm, _ = scores_of(np.array([[0, 1, 1]]), np.array([[0, 1, 0]]), 3)
    table = cm.table(["background", "bus", "person"])
    assert "background" in table and "bus" in table and text("metrics.table_mean") in table
    assert "0.5000" in table  # IoU of background and bus
    assert table.splitlines()[4].split()[-2:] == ["-", "-"]  # person never seen
    assert str(cm).split()[0] == text("metrics.table_class")


def test_the_class_table_speaks_the_readers_language():
    """Notebook 01 prints this table to students: its headers come from the catalogue."""
    cm, _ = scores_of(np.array([[0, 1]]), np.array([[0, 1]]), 2)
    for language in ("pt_BR", "en"):
        with speaking(language):
            lines = cm.table(["background", "bus"]).splitlines()
        assert lines[0].split() == [text("metrics.table_class", language), "IoU", "Dice"]
        assert lines[-1].split()[0] == text("metrics.table_mean", language)
    assert text("metrics.table_mean", "pt_BR") != text("metrics.table_mean", "en")


def test_original_notebook_formula_is_recall_not_iou():
    """The original course divided intersection by the label's pixel count: that is recall.

    A model that predicts "bus" everywhere gets a perfect score for bus with that formula, while its
    IoU is small because of the many false positives.
    """
    rng = np.random.default_rng(4)
    labels = rng.integers(0, 3, size=(4, 32, 32))
    preds = np.where(rng.random(labels.shape) < 0.5, labels, 1)  # over-predicts class 1
    original = []
    for c in range(3):
        intersection = np.sum(np.logical_and(labels == c, preds == c))
        original.append(intersection / np.sum(labels == c))
    _, scores = scores_of(preds, labels, 3)

    np.testing.assert_allclose(original, scores["recall"])
    assert original[1] == 1.0 and scores["iou"][1] < 0.6  # "perfect" bus, poor IoU
    assert np.mean(original) > scores["miou"] + 0.1  # the original formula flatters the model


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_cuda_matches_cpu():
    preds, labels = random_batch(np.random.default_rng(5), 21, shape=(2, 64, 64))
    on_cpu, _ = scores_of(torch.from_numpy(preds), torch.from_numpy(labels), 21)
    on_gpu, _ = scores_of(torch.from_numpy(preds).cuda(), torch.from_numpy(labels).cuda(), 21)
    assert on_gpu.matrix.device.type == "cuda"
    assert torch.equal(on_cpu.matrix, on_gpu.matrix.cpu())
    assert_same_scores(on_cpu.compute(), on_gpu.compute())


@st.composite
def segmentation_batches(draw):
    """Random small label maps (with void) and predictions; some classes may be missing entirely."""
    n_classes = draw(st.integers(1, 6))
    shape = (draw(st.integers(1, 3)), draw(st.integers(1, 9)), draw(st.integers(1, 9)))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    used = draw(st.integers(1, n_classes))  # labels only use the first classes
    labels = rng.integers(0, used, size=shape)
    preds = rng.integers(0, n_classes, size=shape)
    agree = rng.random(shape) < draw(st.floats(0, 1))
    preds = np.where(agree, labels, preds)
    labels = np.where(rng.random(shape) < draw(st.floats(0, 1)), VOID, labels)
    return n_classes, preds, labels


@pytest.mark.slow
@settings(max_examples=150, deadline=None)
@given(segmentation_batches())
def test_property_matches_reference_and_invariants(batch):
    n_classes, preds, labels = batch
    cm, scores = scores_of(preds, labels, n_classes)

    keep = labels != VOID
    reference = np.zeros((n_classes, n_classes), dtype=np.int64)
    np.add.at(reference, (labels[keep], preds[keep]), 1)
    np.testing.assert_array_equal(cm.matrix.numpy(), reference)
    if keep.any():
        _, ref_iou, ref_dice = sklearn_reference(preds, labels, n_classes)
        np.testing.assert_allclose(scores["iou"], ref_iou)
        np.testing.assert_allclose(scores["dice"], ref_dice)

    iou, dice = np.array(scores["iou"]), np.array(scores["dice"])
    assert np.array_equal(np.isnan(iou), np.isnan(dice))
    seen = ~np.isnan(iou)
    assert np.all((0 <= iou[seen]) & (iou[seen] <= dice[seen] + 1e-12) & (dice[seen] <= 1))
    np.testing.assert_allclose(iou[seen], dice[seen] / (2 - dice[seen]))
    if seen.any():
        assert scores["miou"] == pytest.approx(iou[seen].mean())
    else:
        assert math.isnan(scores["miou"])
    if keep.any():
        assert 0 <= scores["pixel_acc"] <= 1
        assert scores["fw_iou"] <= 1 + 1e-12


# ==================================================================================================
# Metric cases found by mutation testing (benchmarks/mutation_test.py) that no other test pinned
# ==================================================================================================


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
    with pytest.raises(ValueError, match="entre 1 e 10000"):
        ConfusionMatrix(10_001)


def test_out_of_range_error_lists_only_the_bad_values_and_at_most_five():
    matrix = ConfusionMatrix(3)
    with pytest.raises(ValueError, match=r"índices de classe \[5\] \(além"):
        matrix.update(torch.tensor([0, 1, 2, 0]), torch.tensor([0, 1, 5, 255]))
    with pytest.raises(ValueError, match=r"índices de classe \[3, 4, 5, 6, 7\] \(além"):
        matrix.update(torch.tensor([0] * 7), torch.tensor([3, 4, 5, 6, 7, 8, 9]))


def test_boolean_labels_are_refused_like_floating_ones():
    matrix = ConfusionMatrix(2)
    with pytest.raises(TypeError, match="índices inteiros de classe"):
        matrix.update(torch.zeros(1, 2, 2, dtype=torch.long), torch.zeros(1, 2, 2, dtype=torch.bool))
    with pytest.raises(TypeError, match="índices inteiros de classe"):
        matrix.update(torch.zeros(1, 2, 2, dtype=torch.long), torch.zeros(1, 2, 2))
    assert int(matrix.matrix.sum()) == 0


def test_the_table_has_rules_as_wide_as_its_header_above_and_below_the_classes():
    matrix = ConfusionMatrix(2)
    matrix.update(torch.tensor([[0, 1]]), torch.tensor([[0, 1]]))
    lines = matrix.table(["background", "a much longer name"]).splitlines()
    header, rule, first, second, closing, mean = lines
    assert rule == closing == "-" * len(header)
    assert len(first) == len(second) == len(mean) == len(header)
    assert first.startswith("background") and mean.startswith(text("metrics.table_mean"))


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
    with pytest.raises(ValueError, match="fora de 0..2"):
        matrix.update(torch.tensor([[0]]), torch.tensor([[7]]))
    with pytest.raises(ValueError, match="fora de 0..2"):
        matrix.update(torch.tensor([[7]]), torch.tensor([[0]]))


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_a_matrix_made_on_the_cpu_counts_gpu_tensors():
    matrix = ConfusionMatrix(2)
    matrix.update(torch.tensor([[0, 1, 1]], device="cuda"), torch.tensor([[0, 1, 0]], device="cuda"))
    assert matrix.matrix.is_cuda and matrix.matrix.cpu().tolist() == [[1, 1], [0, 1]]


# --------------------------------------------------------------------------------------------------
# A student's mistake is said in the course's language (Portuguese; English in the English edition)
# --------------------------------------------------------------------------------------------------
def test_a_value_that_is_no_array_is_said_in_the_course_language():
    portuguese, english = raised_in_each_language(TypeError, ConfusionMatrix(3).update, object(), [[0]])
    assert "preds deve ser um tensor do torch ou um array do numpy, não object" in portuguese
    assert "preds must be a torch tensor or a numpy array, not object" in english


def test_a_number_of_classes_out_of_range_is_said_in_the_course_language():
    portuguese, english = raised_in_each_language(ValueError, ConfusionMatrix, 0)
    assert "num_classes deve estar entre 1 e 10000, não 0" in portuguese
    assert "num_classes must be between 1 and 10000, not 0" in english


def test_labels_that_are_not_integers_are_said_in_the_course_language():
    portuguese, english = raised_in_each_language(
        TypeError, ConfusionMatrix(2).update, torch.zeros(1, 2, 2, dtype=torch.long), torch.zeros(1, 2, 2)
    )
    assert "índices inteiros de classe" in portuguese and "labels.long()" in portuguese
    assert "integer class indices" in english and "labels.long()" in english


def test_scores_with_another_number_of_classes_are_said_in_the_course_language():
    portuguese, english = raised_in_each_language(
        ValueError, ConfusionMatrix(3).update, torch.zeros(2, 5, 4, 4), torch.zeros(2, 4, 4, dtype=torch.long)
    )
    assert "5 classes no eixo das classes" in portuguese and "num_classes=3" in portuguese
    assert "5 classes on the class axis" in english and "num_classes=3" in english


def test_floating_predictions_without_a_class_axis_are_said_in_the_course_language():
    portuguese, english = raised_in_each_language(
        TypeError, ConfusionMatrix(3).update, torch.zeros(2, 4, 4), torch.zeros(2, 4, 4, dtype=torch.long)
    )
    assert "não têm eixo de classes" in portuguese and "outputs.argmax(1)" in portuguese
    assert "have no class axis" in english and "outputs.argmax(1)" in english


def test_shapes_that_do_not_match_are_said_in_the_course_language():
    portuguese, english = raised_in_each_language(
        ValueError,
        ConfusionMatrix(3).update,
        torch.zeros(2, 4, 5, dtype=torch.long),
        torch.zeros(2, 4, 4, dtype=torch.long),
    )
    assert "preds e labels não combinam: preds (2, 4, 5) vs labels (2, 4, 4)" in portuguese
    assert "preds and labels do not match: preds (2, 4, 5) vs labels (2, 4, 4)" in english


def test_class_indices_out_of_range_are_said_in_the_course_language():
    portuguese, english = raised_in_each_language(
        ValueError, ConfusionMatrix(3).update, torch.tensor([0, 1, 2, 0]), torch.tensor([0, 1, 5, 255])
    )
    assert "labels contém índices de classe [5] (além do ignorado 255) fora de 0..2" in portuguese
    assert "labels contain class indices [5] (other than the ignored 255) outside 0..2" in english


def test_a_wrong_number_of_class_names_is_said_in_the_course_language():
    portuguese, english = raised_in_each_language(ValueError, ConfusionMatrix(3).table, ["background", "bus"])
    assert "2 nomes de classes para 3 classes" in portuguese
    assert "2 class names for 3 classes" in english

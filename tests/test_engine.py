"""Tests of fcn_course.engine: metrics of an epoch, checkpoints/resume, errors, the train script,
and one real learning run (FCN-AlexNet from scratch on the synthetic VOC twin)."""

from __future__ import annotations

import copy
import json
import math
import os
import re
import subprocess
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from fcn_course import engine
from helpers import load_train_script
from fcn_course.plots import show_epoch_predictions
from fcn_course.engine import (
    History,
    NonFiniteLossError,
    backbone_and_head_parameters,
    count_parameters,
    fit,
    load_checkpoint,
    make_grad_scaler,
    save_checkpoint,
    train_one_epoch,
    validate,
)

REPO_ROOT = Path(__file__).resolve().parents[1]
CLASSES = ("background", "bus", "person")


# --------------------------------------------------------------------------------------------------
# Small models and data that make the engine tests fast
# --------------------------------------------------------------------------------------------------
class TinyNet(nn.Module):
    """A 2-layer FCN-like net (with dropout so that random states matter for resume tests)."""

    def __init__(self, num_classes=3, dropout=0.2):
        super().__init__()
        self.backbone = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.ReLU(), nn.Dropout2d(dropout))
        self.classifier = nn.Conv2d(8, num_classes, 1)

    def forward(self, x):
        return self.classifier(self.backbone(x))


class InputAsLogits(nn.Module):
    """Returns its input: lets a test choose the network's scores pixel by pixel."""

    def forward(self, x):
        return x


def cross_entropy(outputs, labels):
    return F.cross_entropy(outputs, labels, ignore_index=255)


def blob_dataset(n=8, size=32, seed=0):
    """Images with one coloured rectangle of class 1 or 2 (void border) on a noisy background."""
    g = torch.Generator().manual_seed(seed)
    images = 0.3 * torch.randn(n, 3, size, size, generator=g)
    labels = torch.zeros(n, size, size, dtype=torch.int64)
    for i in range(n):
        c = 1 + i % 2
        top, left = (int(v) for v in torch.randint(0, size // 2, (2,), generator=g))
        h, w = (int(v) for v in torch.randint(size // 4, size // 2, (2,), generator=g))
        labels[i, top - 1 : top + h + 1, max(left - 1, 0) : left + w + 1] = 255
        labels[i, top : top + h, left : left + w] = c
        images[i, c, top : top + h, left : left + w] += 1.5
    return TensorDataset(images, labels)


def tiny_args(**overrides):
    args = {
        "device": torch.device("cpu"),
        "n_classes": 3,
        "classes": CLASSES,
        "epoch_num": 2,
        "show_freq": 1,
        "seed": 0,
        "backbone": "tinynet",
    }
    args.update(overrides)
    return args


def tiny_loaders(seed=0):
    # like make_loaders: the shuffling has its own generator (so resume must restore it too)
    train = DataLoader(
        blob_dataset(8, seed=seed), batch_size=4, shuffle=True, generator=torch.Generator().manual_seed(seed)
    )
    val = DataLoader(blob_dataset(4, seed=seed + 1), batch_size=4)
    return train, val


# --------------------------------------------------------------------------------------------------
# (2) one epoch returns sane figures; the loss goes down when overfitting one batch
# --------------------------------------------------------------------------------------------------
def _assert_sane(stats, num_classes=3):
    for key in ("loss_mean", "loss_std", "miou_fg", "miou", "mdice", "pixel_acc", "time"):
        assert math.isfinite(stats[key]), key
    assert stats["loss_std"] >= 0 and stats["time"] >= 0
    for key in ("miou_fg", "miou", "mdice", "pixel_acc"):
        assert 0.0 <= stats[key] <= 1.0, key
    assert len(stats["iou"]) == len(stats["dice"]) == num_classes
    assert all(math.isnan(v) or 0.0 <= v <= 1.0 for v in stats["iou"])


def test_train_and_validate_return_sane_figures(capsys):
    torch.manual_seed(0)
    net = TinyNet()
    train_loader, val_loader = tiny_loaders()
    optimizer = torch.optim.Adam(net.parameters(), lr=1e-2)

    train_stats = train_one_epoch(net, train_loader, cross_entropy, optimizer, "cpu", 1, 3, progress=False)
    val_stats = validate(net, val_loader, cross_entropy, "cpu", 1, 3, progress=False)

    for stats in (train_stats, val_stats):
        _assert_sane(stats)
        assert stats["epoch"] == 1
    assert len(train_stats["batch_losses"]) == 2
    assert train_stats["loss_mean"] == pytest.approx(np.mean(train_stats["batch_losses"]))
    assert train_stats["loss_std"] == pytest.approx(np.std(train_stats["batch_losses"]))
    assert "figure" not in val_stats
    out = capsys.readouterr().out
    line = r"\[época 1\] \[{}\] perda \d+\.\d{{4}} \+/- \d+\.\d{{4}} \| mIoU\(fg\) \d\.\d{{4}} \| tempo \d+\.\ds"
    assert re.search(line.format("treino"), out), out
    assert re.search(line.format("validação"), out), out


def test_validate_keeps_the_first_batch_and_the_plots_callback_saves_its_figure(tmp_path):
    from matplotlib.figure import Figure

    from fcn_course.plots import show_epoch_predictions

    _, val_loader = tiny_loaders()
    stats = validate(TinyNet(), val_loader, cross_entropy, "cpu", 3, 3, progress=False, keep_first_batch=True)
    images, predictions, labels = stats["first_batch"]
    first_images, first_labels = next(iter(val_loader))
    assert torch.equal(images, first_images) and torch.equal(labels, first_labels)
    assert predictions.shape == labels.shape
    path = tmp_path / "figs" / "pred.png"
    figure = show_epoch_predictions(CLASSES)(images, predictions, labels, epoch=3, figure_path=path)
    assert isinstance(figure, Figure) and path.is_file()
    assert "first_batch" not in validate(TinyNet(), val_loader, cross_entropy, "cpu", 3, 3, progress=False)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="mixed precision is used on CUDA only")
def test_mixed_precision_on_cuda():
    torch.manual_seed(0)
    net = TinyNet().cuda()
    optimizer = torch.optim.Adam(net.parameters(), lr=1e-2)
    scaler = engine.make_grad_scaler("cuda")
    assert scaler is not None
    train_loader, val_loader = tiny_loaders()
    stats = [
        train_one_epoch(net, train_loader, cross_entropy, optimizer, "cuda", epoch, 3, scaler=scaler, progress=False)
        for epoch in range(1, 6)
    ]
    _assert_sane(stats[-1])
    assert stats[-1]["loss_mean"] < stats[0]["loss_mean"]
    _assert_sane(validate(net, val_loader, cross_entropy, "cuda", 1, 3, progress=False))


@pytest.mark.slow
def test_loss_decreases_when_overfitting_one_batch():
    torch.manual_seed(0)
    net = TinyNet()
    batch = next(iter(DataLoader(blob_dataset(4), batch_size=4)))
    optimizer = torch.optim.Adam(net.parameters(), lr=1e-2)
    losses = [
        train_one_epoch(net, [batch], cross_entropy, optimizer, "cpu", step, 3, progress=False)["loss_mean"]
        for step in range(1, 21)
    ]
    assert losses[-1] < 0.5 * losses[0], losses
    assert validate(net, [batch], cross_entropy, "cpu", 1, 3, progress=False)["miou_fg"] > 0.5


def test_epoch_iou_comes_from_one_confusion_matrix_not_a_mean_over_batches():
    # batch 1: 1 person pixel, predicted right; batch 2: 15 person pixels, all predicted as background
    labels = torch.zeros(2, 1, 4, 4, dtype=torch.int64)
    labels[0, 0, 0, 0] = 2
    labels[1, 0, :, :] = 2
    labels[1, 0, 0, 0] = 0
    logits = torch.zeros(2, 1, 3, 4, 4)
    logits[0, 0, 2, 0, 0] = 5.0  # the single person pixel of batch 1 is found
    logits[0, 0, 0] += 1.0 * (labels[0, 0] == 0)  # background elsewhere
    logits[1, 0, 0] = 5.0  # batch 2: everything background
    loader = [(logits[0], labels[0]), (logits[1], labels[1])]
    stats = validate(InputAsLogits(), loader, cross_entropy, "cpu", 1, 3, progress=False)
    # pooled person IoU = 1 / 16; a mean of per-batch IoUs would give (1 + 0) / 2
    assert stats["iou"][2] == pytest.approx(1 / 16)
    assert math.isnan(stats["iou"][1])  # no bus anywhere
    assert stats["miou_fg"] == pytest.approx(1 / 16)


# --------------------------------------------------------------------------------------------------
# (3) void pixels (255) change neither the loss nor the metrics
# --------------------------------------------------------------------------------------------------
def test_void_pixels_do_not_affect_loss_or_metrics():
    g = torch.Generator().manual_seed(0)
    labels = torch.randint(0, 3, (2, 16, 16), generator=g)
    labels[:, 4:10, 4:10] = 255
    void = labels == 255
    logits = torch.randn(2, 3, 16, 16, generator=g)
    other = logits.clone()
    other[void.unsqueeze(1).expand_as(other)] = 100.0 * torch.randn(int(void.sum()) * 3, generator=g)

    a = validate(InputAsLogits(), [(logits, labels)], cross_entropy, "cpu", 1, 3, progress=False)
    b = validate(InputAsLogits(), [(other, labels)], cross_entropy, "cpu", 1, 3, progress=False)
    for key in ("loss_mean", "miou", "miou_fg", "pixel_acc", "mdice"):
        assert a[key] == pytest.approx(b[key]), key
    assert a["iou"] == pytest.approx(b["iou"])

    # and the figures are those of the non-void pixels alone
    preds, truth = logits.argmax(1)[~void], labels[~void]
    assert a["pixel_acc"] == pytest.approx((preds == truth).float().mean().item())
    for c in range(3):
        inter = ((preds == c) & (truth == c)).sum().item()
        union = ((preds == c) | (truth == c)).sum().item()
        assert a["iou"][c] == pytest.approx(inter / union)


# --------------------------------------------------------------------------------------------------
# (4) + (5) checkpoints: resume reproduces an uninterrupted run; saves are atomic
# --------------------------------------------------------------------------------------------------
def _fit_tiny(run_dir, epochs, resume=False, init_seed=0):
    torch.manual_seed(init_seed)
    net = TinyNet()
    optimizer = torch.optim.Adam(net.parameters(), lr=1e-2)
    train_loader, val_loader = tiny_loaders()
    history = fit(
        net,
        train_loader,
        val_loader,
        cross_entropy,
        optimizer,
        tiny_args(epoch_num=epochs),
        run_dir=run_dir,
        resume=resume,
        progress=False,
        show=show_epoch_predictions(CLASSES),
    )
    return history, net


def _numbers(history):
    keys = ("epoch", "loss_mean", "loss_std", "miou_fg", "miou", "pixel_acc", "mdice", "batch_losses")
    return [[entry[k] for k in keys] + [entry["iou"]] for phase in ("train", "val") for entry in history[phase]]


@pytest.mark.slow
@pytest.mark.safety
def test_resume_reproduces_an_uninterrupted_run(tmp_path):
    import matplotlib.pyplot as plt

    straight, straight_net = _fit_tiny(tmp_path / "straight", epochs=2)
    _fit_tiny(tmp_path / "split", epochs=1)
    # a different initial model: resume must overwrite it with the checkpoint
    resumed, resumed_net = _fit_tiny(tmp_path / "split", epochs=2, resume=True, init_seed=123)

    assert len(straight) == len(resumed) == 2
    for a, b in zip(_numbers(straight), _numbers(resumed)):
        np.testing.assert_allclose(np.array(a[:-2], dtype=float), np.array(b[:-2], dtype=float), rtol=1e-6, atol=1e-7)
        np.testing.assert_allclose(a[-2], b[-2], rtol=1e-6)  # per-batch losses
        np.testing.assert_allclose(np.array(a[-1], dtype=float), np.array(b[-1], dtype=float), rtol=1e-6)
    for p, q in zip(straight_net.parameters(), resumed_net.parameters()):
        torch.testing.assert_close(p, q)
    # the prediction figure of epoch 2 is the same picture
    np.testing.assert_allclose(
        plt.imread(tmp_path / "straight" / "pred_epoch_002.png"),
        plt.imread(tmp_path / "split" / "pred_epoch_002.png"),
        atol=1e-6,
    )
    # history.json on disk matches
    on_disk = History.load(tmp_path / "split" / "history.json")
    assert [e["epoch"] for e in on_disk.val] == [1, 2]
    assert on_disk.val[1]["loss_mean"] == pytest.approx(straight.val[1]["loss_mean"])


@pytest.mark.slow
@pytest.mark.safety
def test_fit_writes_run_folder_without_temporary_files(tmp_path):
    history, net = _fit_tiny(tmp_path, epochs=2)
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == [
        "best.pt",
        "history.json",
        "last.pt",
        "outcome.json",
        "pred_epoch_001.png",
        "pred_epoch_002.png",
        "run.json",
    ]

    saved = json.loads((tmp_path / "history.json").read_text())
    assert len(saved["train"]) == len(saved["val"]) == 2
    assert history.best_epoch() in (1, 2)
    assert history.best_miou() == max(e["miou_fg"] for e in history.val)

    last = load_checkpoint(tmp_path / "last.pt", TinyNet(), torch.optim.Adam(TinyNet().parameters(), lr=1e-2))
    assert last["epoch"] == 2
    fresh = TinyNet()
    best = load_checkpoint(tmp_path / "best.pt", fresh)
    assert best["epoch"] == history.best_epoch()
    assert best["metrics"]["miou_fg"] == pytest.approx(history.best_miou())
    with pytest.raises(KeyError, match="last.pt"):
        load_checkpoint(tmp_path / "best.pt", fresh, torch.optim.Adam(fresh.parameters()))


def test_interrupted_save_keeps_previous_checkpoint_and_leaves_no_temp_file(tmp_path, monkeypatch):
    path = tmp_path / "last.pt"
    save_checkpoint({"epoch": 1}, path)

    def broken_save(obj, f, *args, **kwargs):
        (f.write if hasattr(f, "write") else Path(f).write_bytes)(b"half a checkpoint")  # a file or a path
        raise KeyboardInterrupt  # e.g. the student stops the cell while saving

    monkeypatch.setattr(engine.torch, "save", broken_save)
    with pytest.raises(KeyboardInterrupt):
        save_checkpoint({"epoch": 2}, path)
    monkeypatch.undo()

    assert [p.name for p in tmp_path.iterdir()] == ["last.pt"]
    assert torch.load(path, weights_only=True) == {"epoch": 1}


def test_resume_without_checkpoint_starts_from_scratch(tmp_path):
    history, _ = _fit_tiny(tmp_path / "new", epochs=1, resume=True)
    assert [e["epoch"] for e in history.val] == [1]


def test_history_helpers_and_json_nan(tmp_path):
    history = History()
    assert history.best_epoch() is None and history.best_miou() is None
    history.append({"epoch": 1, "miou_fg": 0.2}, {"epoch": 1, "miou_fg": float("nan"), "iou": [0.5, float("nan")]})
    history.append({"epoch": 2, "miou_fg": 0.3}, {"epoch": 2, "miou_fg": 0.4, "iou": [0.5, 0.4]})
    history.append({"epoch": 3, "miou_fg": 0.5}, {"epoch": 3, "miou_fg": 0.35, "iou": [0.5, 0.3]})
    assert history.best_epoch() == 2 and history.best_miou() == 0.4
    assert history.values("train", "miou_fg") == [0.2, 0.3, 0.5]
    history.save(tmp_path / "history.json")
    text = (tmp_path / "history.json").read_text()
    assert "NaN" not in text  # strict JSON
    loaded = History.load(tmp_path / "history.json")
    assert loaded["val"][0]["miou_fg"] is None and loaded.best_epoch() == 2


# --------------------------------------------------------------------------------------------------
# (6) backbone / head parameter split
# --------------------------------------------------------------------------------------------------
def _ids(params):
    return {id(p) for p in params}


def test_backbone_and_head_parameters_on_a_toy_net():
    class Toy(nn.Module):
        def __init__(self):
            super().__init__()
            self.backbone1 = nn.Conv2d(3, 4, 3)
            self.backbone2 = nn.Conv2d(4, 4, 3)
            self.classifier = nn.Conv2d(4, 2, 1)
            self.scale = nn.Parameter(torch.ones(1))

    toy = Toy()
    backbone, head = backbone_and_head_parameters(toy)
    assert _ids(backbone) == _ids(toy.backbone1.parameters()) | _ids(toy.backbone2.parameters())
    assert _ids(head) == _ids(toy.classifier.parameters()) | {id(toy.scale)}
    assert count_parameters(toy) == sum(p.numel() for p in backbone + head)


@pytest.mark.parametrize("skip", [False, "8s", "16s"])
def test_backbone_and_head_parameters_on_fcn_alexnet(skip):
    from solutions.fcn_alexnet import FCN_AlexNet

    net = FCN_AlexNet(3, pretrained=False, skip=skip)
    backbone, head = backbone_and_head_parameters(net)
    if skip:
        expected = _ids(net.backbone1.parameters()) | _ids(net.backbone2.parameters())
    else:
        expected = _ids(net.backbone.parameters())
    assert _ids(backbone) == expected
    assert _ids(head) == _ids(net.classifier.parameters())
    assert not _ids(backbone) & _ids(head)
    assert _ids(backbone) | _ids(head) == _ids(net.parameters())
    assert count_parameters(net) == sum(p.numel() for p in net.parameters())


# --------------------------------------------------------------------------------------------------
# (7) a NaN loss stops training with advice
# --------------------------------------------------------------------------------------------------
def test_nan_loss_raises_a_clear_error_before_updating_weights():
    torch.manual_seed(0)
    net = TinyNet()
    before = [p.detach().clone() for p in net.parameters()]
    optimizer = torch.optim.SGD(net.parameters(), lr=0.1)

    def nan_loss(outputs, labels):
        return cross_entropy(outputs, labels) * float("nan")

    train_loader, val_loader = tiny_loaders()
    with pytest.raises(NonFiniteLossError, match="taxa de aprendizado"):
        train_one_epoch(net, train_loader, nan_loss, optimizer, "cpu", 1, 3, progress=False)
    for p, q in zip(before, net.parameters()):
        torch.testing.assert_close(p, q)
    with pytest.raises(FloatingPointError, match="diminua args\\['lr'\\]"):
        validate(net, val_loader, nan_loss, "cpu", 1, 3, progress=False)


@pytest.mark.parametrize(
    "bad_loss, error, message",
    [
        (lambda outputs, labels: None, TypeError, "return loss"),
        (
            lambda outputs, labels: F.cross_entropy(outputs, labels, ignore_index=255, reduction="none"),
            ValueError,
            "único número",
        ),
    ],
)
def test_loss_fn_must_return_one_number(bad_loss, error, message):
    net = TinyNet()
    train_loader, _ = tiny_loaders()
    with pytest.raises(error, match=message):
        train_one_epoch(
            net, train_loader, bad_loss, torch.optim.SGD(net.parameters(), lr=0.1), "cpu", 1, 3, progress=False
        )


def test_too_high_learning_rate_is_reported_as_divergence():
    torch.manual_seed(0)
    net = TinyNet()
    optimizer = torch.optim.SGD(net.parameters(), lr=1e8)
    train_loader, _ = tiny_loaders()
    with pytest.raises(NonFiniteLossError, match="divergiu"):
        for epoch in range(1, 6):
            train_one_epoch(net, train_loader, cross_entropy, optimizer, "cpu", epoch, 3, progress=False)


# --------------------------------------------------------------------------------------------------
# (1) a real learning run: FCN-AlexNet from scratch learns the synthetic shapes
# --------------------------------------------------------------------------------------------------
# Measured on CPU (torch 2.14, 4 seeds of the model/shuffling): final val mIoU(fg) 0.63-0.65, never
# below 0.56 in the last 3 epochs; about 20 s on one thread. Chance (all background) gives 0.
LEARN_SIZE = 128  # synthetic pictures are drawn at this size, so the crop keeps the whole scene
LEARN_TRAIN_IMAGES = 64  # about 49 pass the "at least 2 of background/bus/person" filter
LEARN_VAL_IMAGES = 24
LEARN_EPOCHS = 15
LEARN_LR = 1e-3
LEARN_MIN_MIOU_FG = 0.4


@pytest.fixture
def one_thread():
    """Run on one CPU thread: on a busy 2-core machine two threads were measured 5x slower."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.mark.slow
def test_fcn_alexnet_learns_synthetic_voc(tmp_path_factory, one_thread):
    from fcn_course.data import make_loaders
    from fcn_course.synthetic import make_synthetic_voc
    from solutions.fcn_alexnet import FCN_AlexNet
    from solutions.training import compute_loss, make_criterion, make_optimizer

    root = make_synthetic_voc(
        tmp_path_factory.mktemp("learn_voc"),
        n_train=LEARN_TRAIN_IMAGES,
        n_val=LEARN_VAL_IMAGES,
        size=(LEARN_SIZE, LEARN_SIZE),
        seed=0,
    )
    args = tiny_args(
        root=root,
        epoch_num=LEARN_EPOCHS,
        lr=LEARN_LR,
        pretrained=False,
        skip="8s",
        w_size=LEARN_SIZE,
        h_size=LEARN_SIZE,
        batch_size=4,
        num_workers=0,
        max_samples=None,
        weight_decay=5e-4,
        momentum=0.9,
        show_freq=0,
    )
    train_loader, val_loader = make_loaders(args)
    engine.seed_everything(0)
    net = FCN_AlexNet(3, pretrained=False, skip="8s")
    optimizer = make_optimizer(net, args)
    criterion = make_criterion()

    tic = time.perf_counter()
    history = fit(
        net, train_loader, val_loader, lambda o, t: compute_loss(o, t, criterion), optimizer, args, progress=False
    )
    seconds = time.perf_counter() - tic

    val_miou = history.values("val", "miou_fg")
    print(f"learning test: {seconds:.1f}s, val mIoU(fg) per epoch {[round(v, 3) for v in val_miou]}")
    assert history.val[-1]["loss_mean"] < history.val[0]["loss_mean"]
    assert history.train[-1]["miou_fg"] > history.train[0]["miou_fg"]
    assert val_miou[-1] > LEARN_MIN_MIOU_FG, val_miou
    assert history.best_epoch() > 1


# --------------------------------------------------------------------------------------------------
# (8) the command-line run
# --------------------------------------------------------------------------------------------------
@pytest.mark.subprocess
def test_train_script_smoke_run(tmp_path):
    env = dict(
        os.environ, FCN_COURSE_DATA=str(tmp_path / "data"), FCN_COURSE_RUNS=str(tmp_path / "runs"), FCN_COURSE_SMOKE=""
    )
    done = subprocess.run(
        [sys.executable, str(REPO_ROOT / "scripts" / "train.py"), "--smoke", "--epochs", "1", "--no-progress"],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Perfil 'smoke'" in done.stdout and "conjunto sintético" in done.stdout
    (run_dir,) = (tmp_path / "runs" / "smoke").iterdir()  # runs/<profile>/<backbone>-<skip>-<weights>-<time>
    assert re.fullmatch(r"alexnet-8s-scratch-\d{8}-\d{6}", run_dir.name), run_dir.name
    history = json.loads((run_dir / "history.json").read_text())
    assert [e["epoch"] for e in history["val"]] == [1]
    for name in ("curves.png", "last.pt", "best.pt", "run.json", "pred_epoch_001.png"):
        assert (run_dir / name).is_file(), name
    recorded = json.loads((run_dir / "run.json").read_text())
    assert recorded["classes"] == list(CLASSES) and recorded["backbone"] == "alexnet" and recorded["skip"] == "8s"


@pytest.mark.subprocess
def test_train_script_never_trains_over_an_existing_run(tmp_path):
    """Without --resume, a --run-dir that already holds a run is refused and left byte-identical."""
    env = dict(os.environ, FCN_COURSE_DATA=str(tmp_path / "data"), FCN_COURSE_SMOKE="")
    run_dir = tmp_path / "run"
    command = [
        sys.executable,
        str(REPO_ROOT / "scripts" / "train.py"),
        "--smoke",
        "--epochs",
        "1",
        "--no-progress",
        "--run-dir",
        str(run_dir),
    ]
    assert subprocess.run(command, cwd=REPO_ROOT, env=env, capture_output=True, timeout=120).returncode == 0
    before = {path.name: path.read_bytes() for path in run_dir.iterdir()}
    again = subprocess.run(command, cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert again.returncode == 2 and "--resume" in again.stderr
    assert {path.name: path.read_bytes() for path in run_dir.iterdir()} == before


# --------------------------------------------------------------------------------------------------
# TrainingIngredients: the student's four pieces as one object
# --------------------------------------------------------------------------------------------------
def test_training_ingredients_make_one_criterion_per_loss_function_and_unpack_like_the_tuple():
    made = []

    def make_criterion():
        made.append(nn.CrossEntropyLoss(ignore_index=255))
        return made[-1]

    def compute_loss(outputs, labels, criterion):
        return criterion(outputs, labels) * 2

    pieces = ({"tinynet": TinyNet}, lambda net, args: None, compute_loss, make_criterion)
    ingredients = engine.TrainingIngredients.of(pieces)
    assert engine.TrainingIngredients.of(ingredients) is ingredients
    assert tuple(ingredients) == pieces  # model_classes, make_optimizer, compute_loss, make_criterion = ...
    loss_fn = ingredients.loss_fn()
    outputs, labels = torch.randn(2, 3, 4, 4), torch.randint(0, 3, (2, 4, 4))
    assert loss_fn(outputs, labels) == pytest.approx(2 * F.cross_entropy(outputs, labels).item())
    loss_fn(outputs, labels)
    assert len(made) == 1  # made once, when the loss function was made
    with pytest.raises(TypeError, match=r"TrainingIngredients\(model_classes.*não dict"):
        engine.TrainingIngredients.of({"tinynet": TinyNet})


# ==================================================================================================
# Contracts that mutation testing showed were unguarded (issue #15):
# * ``validate`` runs the network in evaluation mode: dropout off, so the figures are reproducible and
#   ``best.pt`` is not chosen from noise.
# * ``best.pt`` holds the best epoch, not the last one.
# ==================================================================================================


class DropoutNet(TinyNet):
    """A tiny FCN with heavy dropout: in training mode two passes over the same data differ."""

    def __init__(self, num_classes=3):
        super().__init__(num_classes, dropout=0.5)


def blobs(n=8, size=24, seed=0):
    """Noisy images with one square of class 1 or 2, brighter in the channel of its class."""
    g = torch.Generator().manual_seed(seed)
    images = 0.3 * torch.randn(n, 3, size, size, generator=g)
    labels = torch.zeros(n, size, size, dtype=torch.int64)
    for i in range(n):
        c = 1 + i % 2
        top, left = (int(v) for v in torch.randint(0, size // 2, (2,), generator=g))
        labels[i, top : top + size // 3, left : left + size // 3] = c
        images[i, c, top : top + size // 3, left : left + size // 3] += 1.5
    return TensorDataset(images, labels)


def loaders(seed=0):
    train = DataLoader(blobs(8, seed=seed), batch_size=4, shuffle=True, generator=torch.Generator().manual_seed(seed))
    val = DataLoader(blobs(4, seed=seed + 1), batch_size=2)
    return train, val


def dropoutnet_args(**overrides):
    return tiny_args(**{"epoch_num": 3, "show_freq": 0, "backbone": "dropoutnet", **overrides})


# --------------------------------------------------------------------------------------------------
# validate: evaluation mode
# --------------------------------------------------------------------------------------------------
def test_validate_twice_gives_identical_figures_equal_to_a_manual_eval_pass():
    torch.manual_seed(0)
    net = DropoutNet()
    _, val_loader = loaders()
    net.train()  # as fit leaves it after an epoch of training
    first = validate(net, val_loader, cross_entropy, "cpu", 1, 3, progress=False)
    net.train()
    second = validate(net, val_loader, cross_entropy, "cpu", 1, 3, progress=False)

    for key in ("loss_mean", "miou_fg", "miou", "pixel_acc", "mdice"):
        assert first[key] == second[key], f"{key}: {first[key]} then {second[key]} (is dropout on?)"
    assert first["batch_losses"] == second["batch_losses"]

    net.eval()
    with torch.no_grad():
        manual = [cross_entropy(net(images), labels).item() for images, labels in val_loader]
    assert first["batch_losses"] == pytest.approx(manual, rel=1e-6)
    assert not net.training


def test_validate_does_not_change_the_weights():
    torch.manual_seed(0)
    net = DropoutNet()
    before = copy.deepcopy(net.state_dict())
    validate(net, loaders()[1], cross_entropy, "cpu", 1, 3, progress=False)
    for name, value in net.state_dict().items():
        assert torch.equal(value, before[name]), name


# --------------------------------------------------------------------------------------------------
# best.pt: the best epoch, not the last
# --------------------------------------------------------------------------------------------------
def test_best_checkpoint_keeps_the_best_epoch_when_validation_gets_worse(tmp_path, monkeypatch):
    """Epoch 1 scores best, epoch 2 worst, epoch 3 in between: best.pt must hold epoch 1's weights."""
    scores = {1: 0.9, 2: 0.1, 3: 0.5}
    weights = {}
    real_validate = engine.validate

    def scripted_validate(net, loader, loss_fn, device, epoch, num_classes, **kwargs):
        stats = real_validate(net, loader, loss_fn, device, epoch, num_classes, **kwargs)
        stats["miou_fg"] = scores[epoch]
        weights[epoch] = copy.deepcopy(net.state_dict())
        return stats

    monkeypatch.setattr(engine, "validate", scripted_validate)
    torch.manual_seed(0)
    net = DropoutNet()
    optimizer = torch.optim.Adam(net.parameters(), lr=1e-2)
    history = fit(net, *loaders(), cross_entropy, optimizer, dropoutnet_args(), run_dir=tmp_path, progress=False)

    assert history.best_epoch() == 1
    best = load_checkpoint(tmp_path / "best.pt", DropoutNet())
    assert best["epoch"] == 1
    assert best["metrics"]["miou_fg"] == pytest.approx(0.9)
    for name, value in best["model"].items():
        assert torch.equal(value, weights[1][name]), f"best.pt {name} is not epoch 1's"
    assert any(not torch.equal(weights[1][name], weights[3][name]) for name in weights[1])  # training moved
    last = torch.load(tmp_path / "last.pt", weights_only=True)
    assert last["epoch"] == 3
    # the settings travel with both checkpoints, without the device (a machine detail, not a setting)
    for checkpoint in (best, last):
        assert "device" not in checkpoint["args"] and checkpoint["args"]["n_classes"] == 3
    for name, value in last["model"].items():
        assert torch.equal(value, weights[3][name])


# ==================================================================================================
# Engine cases found by mutation testing (benchmarks/mutation_test.py) that no other test pinned
# ==================================================================================================


def tiny_net():
    torch.manual_seed(0)
    return nn.Conv2d(3, 3, 1)


def tiny_loader(n=4, size=8, batch_size=2):
    g = torch.Generator().manual_seed(0)
    images = torch.randn(n, 3, size, size, generator=g)
    labels = torch.randint(0, 3, (n, size, size), generator=g)
    return DataLoader(TensorDataset(images, labels), batch_size=batch_size)


def one_epoch_args(**overrides):
    return tiny_args(**{"classes": ("a", "b", "c"), "epoch_num": 1, "show_freq": 0, **overrides})


# --------------------------------------------------------------------------------------------------
# Gradient scaling (CUDA mixed precision), checked with the CPU scaler and a CUDA scaler that is disabled
# --------------------------------------------------------------------------------------------------
def test_a_cuda_device_gets_a_grad_scaler_and_the_cpu_none():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "CUDA is not available. Disabling." on a machine without a GPU
        scaler = make_grad_scaler("cuda")
    assert isinstance(scaler, torch.amp.GradScaler)
    assert make_grad_scaler("cpu") is None


def test_a_torch_without_torch_amp_grad_scaler_gets_the_older_cuda_one(monkeypatch):
    """torch < 2.3 has only torch.cuda.amp.GradScaler: the course must still get a scaler there."""
    monkeypatch.delattr(torch.amp, "GradScaler")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # deprecated, and disabled without a GPU
        scaler = make_grad_scaler("cuda")
    assert isinstance(scaler, torch.cuda.amp.GradScaler)


def test_training_with_a_scaler_updates_it_after_every_step():
    """A GradScaler refuses a second step() without update() in between: two batches need both updates."""
    net = tiny_net()
    optimizer = torch.optim.SGD(net.parameters(), lr=0.1)
    scaler = torch.amp.GradScaler("cpu", init_scale=8.0)
    stats = train_one_epoch(net, tiny_loader(), cross_entropy, optimizer, "cpu", 1, 3, scaler=scaler, progress=False)
    assert len(stats["batch_losses"]) == 2


def test_load_checkpoint_restores_the_scaler_state_when_both_have_one(tmp_path):
    net = tiny_net()
    saved = torch.amp.GradScaler("cpu", init_scale=8.0)
    save_checkpoint({"model": net.state_dict(), "scaler": saved.state_dict()}, tmp_path / "with.pt")
    save_checkpoint({"model": net.state_dict(), "scaler": None}, tmp_path / "without.pt")

    restored = torch.amp.GradScaler("cpu", init_scale=1024.0)
    load_checkpoint(tmp_path / "with.pt", net, scaler=restored)
    assert restored.get_scale() == 8.0

    untouched = torch.amp.GradScaler("cpu", init_scale=1024.0)
    load_checkpoint(tmp_path / "without.pt", net, scaler=untouched)  # a CPU run saved no scaler
    assert untouched.get_scale() == 1024.0


# --------------------------------------------------------------------------------------------------
# fit
# --------------------------------------------------------------------------------------------------
def test_fit_shows_progress_bars_unless_told_not_to(capsys):
    loader = tiny_loader()
    net = tiny_net()
    fit(net, loader, loader, cross_entropy, torch.optim.SGD(net.parameters(), lr=0.1), one_epoch_args())
    assert "época 1 treino" in capsys.readouterr().err
    fit(net, loader, loader, cross_entropy, torch.optim.SGD(net.parameters(), lr=0.1), one_epoch_args(), progress=False)
    assert "época 1 treino" not in capsys.readouterr().err


def test_checkpoints_store_the_run_settings_without_the_device(tmp_path):
    loader = tiny_loader()
    net = tiny_net()
    fit(
        net,
        loader,
        loader,
        cross_entropy,
        torch.optim.SGD(net.parameters(), lr=0.1),
        one_epoch_args(),
        run_dir=tmp_path / "run",
        progress=False,
    )
    for name in (engine.BEST_CHECKPOINT, engine.LAST_CHECKPOINT):
        stored = torch.load(tmp_path / "run" / name, weights_only=True)["args"]
        assert "device" not in stored, name
        assert stored["n_classes"] == 3 and stored["backbone"] == "tinynet" and stored["epoch_num"] == 1, name


# --------------------------------------------------------------------------------------------------
# Counting parameters, the training bar, the epoch's time
# --------------------------------------------------------------------------------------------------
def test_count_parameters_all_or_only_the_trainable_ones():
    net = nn.Sequential(nn.Conv2d(3, 4, 1), nn.Conv2d(4, 2, 1))  # 12 + 4 and 8 + 2 parameters
    for p in net[0].parameters():
        p.requires_grad_(False)
    assert engine.count_parameters(net) == 26
    assert engine.count_parameters(net, trainable_only=True) == 10


def test_train_one_epoch_shows_a_bar_with_the_batch_loss_by_default(capsys):
    net = tiny_net()
    train_one_epoch(net, tiny_loader(), cross_entropy, torch.optim.SGD(net.parameters(), lr=0.1), "cpu", 1, 3)
    shown = capsys.readouterr().err
    assert "época 1 treino" in shown and "perda=" in shown


def test_the_epoch_time_is_the_time_the_epoch_took():
    import time

    net = tiny_net()
    tic = time.perf_counter()
    stats = train_one_epoch(
        net, tiny_loader(), cross_entropy, torch.optim.SGD(net.parameters(), lr=0.1), "cpu", 1, 3, progress=False
    )
    assert 0 < stats["time"] <= time.perf_counter() - tic


# --------------------------------------------------------------------------------------------------
# What defines a run
# --------------------------------------------------------------------------------------------------
def test_a_network_of_unknown_class_without_args_backbone_is_refused_with_how_to_fix():
    args = one_epoch_args()
    del args["backbone"]
    with pytest.raises(ValueError, match=r"args\['backbone'\]"):
        engine.run_settings(tiny_net(), args)


def test_run_settings_takes_skip_from_the_network_or_says_false():
    plain = engine.run_settings(tiny_net(), one_epoch_args())
    assert plain["skip"] is False and plain["backbone"] == "tinynet"
    with_skip = tiny_net()
    with_skip.skip = True
    assert engine.run_settings(with_skip, one_epoch_args())["skip"] is True
    assert engine.run_settings(with_skip, one_epoch_args(skip=False))["skip"] is False  # args win when given


# --------------------------------------------------------------------------------------------------
# One epoch: the mode, the scaler, the bars, empty loaders, the time
# --------------------------------------------------------------------------------------------------
class ModeRecorder(nn.Module):
    """A 1x1 convolution that notes, at every forward pass, whether it was in training mode."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 3, 1)
        self.modes = []

    def forward(self, x):
        self.modes.append(self.training)
        return self.conv(x)


def test_training_runs_in_training_mode_even_after_a_validation():
    net = ModeRecorder()
    net.eval()  # as validate leaves it
    train_one_epoch(
        net, tiny_loader(), cross_entropy, torch.optim.SGD(net.parameters(), lr=0.1), "cpu", 1, 3, progress=False
    )
    assert net.modes == [True, True]


def test_a_given_scaler_is_the_one_used_and_it_grows_after_steps_without_overflow():
    net = tiny_net()
    scaler = torch.amp.GradScaler("cpu", init_scale=8.0, growth_factor=2.0, growth_interval=1)
    train_one_epoch(
        net,
        tiny_loader(),
        cross_entropy,
        torch.optim.SGD(net.parameters(), lr=0.1),
        "cpu",
        1,
        3,
        scaler=scaler,
        progress=False,
    )
    assert scaler.get_scale() == 32.0  # two batches, each update doubles it


def test_an_empty_loader_is_an_error_that_says_what_to_check():
    net = tiny_net()
    empty = tiny_loader(n=0)
    with pytest.raises(ValueError, match="loader de treino não produziu nenhum lote"):
        train_one_epoch(
            net, empty, cross_entropy, torch.optim.SGD(net.parameters(), lr=0.1), "cpu", 1, 3, progress=False
        )
    with pytest.raises(ValueError, match="loader de validação não produziu nenhum lote"):
        engine.validate(net, empty, cross_entropy, "cpu", 1, 3, progress=False)


def test_validate_shows_a_bar_with_the_batch_loss_by_default_and_none_when_told(capsys):
    engine.validate(tiny_net(), tiny_loader(), cross_entropy, "cpu", 1, 3)
    shown = capsys.readouterr().err
    assert "época 1 validação" in shown and "perda=" in shown
    engine.validate(tiny_net(), tiny_loader(), cross_entropy, "cpu", 1, 3, progress=False)
    assert "época 1 validação" not in capsys.readouterr().err


def test_both_bars_are_cleared_when_their_epoch_is_done(capsys):
    """leave=False: the notebook keeps the one-line epoch summaries, not a finished bar above each."""
    net = tiny_net()
    train_one_epoch(net, tiny_loader(), cross_entropy, torch.optim.SGD(net.parameters(), lr=0.1), "cpu", 1, 3)
    engine.validate(net, tiny_loader(), cross_entropy, "cpu", 1, 3)
    shown = capsys.readouterr().err
    assert "época 1 treino" in shown and "época 1 validação" in shown
    assert "\n" not in shown and shown.rstrip("\r").split("\r")[-1].strip() == ""


def test_the_validation_time_is_the_time_the_validation_took():
    import time

    tic = time.perf_counter()
    stats = engine.validate(tiny_net(), tiny_loader(), cross_entropy, "cpu", 1, 3, progress=False)
    assert 0 < stats["time"] <= time.perf_counter() - tic


def test_history_repr_counts_its_epochs():
    history = engine.History(train=[{"epoch": 1}, {"epoch": 2}], val=[{"epoch": 1}])
    assert repr(history) == "History(2 train epochs, 1 val epochs)"


# --------------------------------------------------------------------------------------------------
# Checkpoints are read as data, never as code
# --------------------------------------------------------------------------------------------------
class NotATensor:
    """Something a tampered checkpoint could carry: loading it would run code of this class."""


def test_a_checkpoint_that_holds_pickled_objects_is_refused(tmp_path):
    net = tiny_net()
    path = tmp_path / "tampered.pt"
    torch.save({"model": net.state_dict(), "extra": NotATensor()}, path)
    with pytest.raises(ValueError, match="não pode ser lido"):
        load_checkpoint(path, net)


# --------------------------------------------------------------------------------------------------
# fit: its messages, its default figure frequency, seeding and resuming every random generator
# --------------------------------------------------------------------------------------------------
def sgd(net):
    return torch.optim.SGD(net.parameters(), lr=0.1)


def test_fit_says_where_it_starts_resumes_and_which_epoch_was_best(tmp_path, capsys):
    loader = tiny_loader()
    net = tiny_net()
    fit(
        net,
        loader,
        loader,
        cross_entropy,
        sgd(net),
        one_epoch_args(),
        run_dir=tmp_path / "run",
        resume=True,
        progress=False,
    )
    printed = capsys.readouterr().out
    assert f"Nenhum checkpoint em {tmp_path / 'run'}: começando da época 1." in printed
    assert re.search(r"Melhor mIoU\(fg\) de validação \d\.\d{4} na época 1\.", printed)
    fit(
        net,
        loader,
        loader,
        cross_entropy,
        sgd(net),
        one_epoch_args(epoch_num=2),
        run_dir=tmp_path / "run",
        resume=True,
        progress=False,
    )
    printed = capsys.readouterr().out
    assert f"Retomando {tmp_path / 'run'} depois da época 1." in printed and "Nenhum checkpoint" not in printed


def test_without_show_freq_in_args_no_figure_is_asked_for():
    loader = tiny_loader()
    net = tiny_net()
    shown = []
    args = one_epoch_args()
    del args["show_freq"]
    fit(net, loader, loader, cross_entropy, sgd(net), args, show=lambda *a, **k: shown.append(k), progress=False)
    assert shown == []


def test_fit_seeds_the_generators_from_args_seed():
    """Two runs from the same weights give the same figures, whatever the global generators held before."""
    data = TensorDataset(torch.randn(8, 3, 8, 8), torch.randint(0, 3, (8, 8, 8)))
    histories = []
    for disturbance in (1, 2):
        torch.manual_seed(0)
        net = nn.Sequential(nn.Conv2d(3, 3, 1), nn.Dropout2d(0.5))
        torch.manual_seed(disturbance)  # shuffling and dropout below must not depend on this
        loader = DataLoader(data, batch_size=2, shuffle=True)  # shuffled by the global generator
        histories.append(fit(net, loader, loader, cross_entropy, sgd(net), one_epoch_args(epoch_num=2), progress=False))
    assert histories[0].train == [
        {**entry, "time": histories[0].train[i]["time"]} for i, entry in enumerate(histories[1].train)
    ]


def test_resuming_puts_back_the_python_and_numpy_generators_too(tmp_path):
    """Student code may draw from random or numpy.random (an augmentation): a resume continues their sequence."""
    import random

    import numpy as np

    loader = tiny_loader()
    net = tiny_net()
    fit(net, loader, loader, cross_entropy, sgd(net), one_epoch_args(), run_dir=tmp_path / "run", progress=False)
    expected = (random.random(), float(np.random.rand()))
    random.seed(99)
    np.random.seed(99)
    fit(
        net,
        loader,
        loader,
        cross_entropy,
        sgd(net),
        one_epoch_args(),
        run_dir=tmp_path / "run",
        resume=True,
        progress=False,
    )  # nothing left to train: only the state is restored
    assert (random.random(), float(np.random.rand())) == expected


def test_every_loader_generator_is_saved_once():
    first, second = torch.Generator().manual_seed(1), torch.Generator().manual_seed(2)
    data = TensorDataset(torch.zeros(4, 1))
    loaders = (DataLoader(data, shuffle=True, generator=first), DataLoader(data, shuffle=True, generator=second))
    saved = engine._rng_state(loaders)["loaders"]
    assert len(saved) == 2
    assert torch.equal(saved[0], first.get_state()) and torch.equal(saved[1], second.get_state())


# --------------------------------------------------------------------------------------------------
# On a GPU (skipped without one; benchmarks/mutation_test.py runs the "CUDA only" mutants there)
# --------------------------------------------------------------------------------------------------
needs_cuda = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")


@needs_cuda
def test_fit_moves_the_network_to_the_gpu_and_a_resume_there_is_exact(tmp_path):
    """Dropout draws from the CUDA generator: a resume must put it back, even after something else used it."""

    def net():
        torch.manual_seed(0)
        return nn.Sequential(nn.Conv2d(3, 3, 1), nn.Dropout2d(0.5), nn.Conv2d(3, 3, 1))

    loader = tiny_loader(n=8)
    args = one_epoch_args(device=torch.device("cuda"), epoch_num=2)
    whole = net()
    straight = fit(whole, loader, loader, cross_entropy, sgd(whole), args, progress=False)
    assert all(p.is_cuda for p in whole.parameters())
    half = net()
    fit(
        half,
        loader,
        loader,
        cross_entropy,
        sgd(half),
        {**args, "epoch_num": 1},
        run_dir=tmp_path / "run",
        progress=False,
    )
    resumed = net()
    torch.cuda.manual_seed_all(123)  # another cell used the GPU generator in between
    resumed_history = fit(
        resumed,
        loader,
        loader,
        cross_entropy,
        sgd(resumed),
        args,
        run_dir=tmp_path / "run",
        resume=True,
        progress=False,
    )
    assert [e["loss_mean"] for e in resumed_history.train] == [e["loss_mean"] for e in straight.train]


# --------------------------------------------------------------------------------------------------
# Safety: a full disk while saving, a failed start, a run folder that is a person's folder
# --------------------------------------------------------------------------------------------------
@pytest.mark.safety
def test_a_full_disk_while_writing_last_pt_names_the_file_and_keeps_the_previous_one(tmp_path, monkeypatch):
    """A full disk ended in torch's '[enforce fail at inline_container.cc] unexpected pos' with no word of disk."""
    import errno

    from fcn_course.files import DiskFullError

    path = tmp_path / "last.pt"
    save_checkpoint({"epoch": 1}, path)

    def full_disk_save(obj, f, *args, **kwargs):
        if hasattr(f, "write"):  # a Python file: the operating system's own error comes back
            f.write(b"PK\x03\x04 part of a checkpoint")
            raise OSError(errno.ENOSPC, "No space left on device")
        Path(f).write_bytes(b"PK\x03\x04 part of a checkpoint")  # a path: torch's C++ writer, as measured
        raise RuntimeError("[enforce fail at inline_container.cc:672] . unexpected pos 704 vs 598")

    monkeypatch.setattr(engine.torch, "save", full_disk_save)
    with pytest.raises(DiskFullError) as error:
        save_checkpoint({"epoch": 2}, path)
    monkeypatch.undo()
    assert str(path) in str(error.value) and "disco" in str(error.value)
    assert [p.name for p in tmp_path.iterdir()] == ["last.pt"]
    assert torch.load(path, weights_only=True)["epoch"] == 1


SCRIPT_FLAGS = [
    "--smoke",
    "--backbone",
    "alexnet",
    "--skip",
    "none",
    "--epochs",
    "1",
    "--size",
    "64",
    "--max-samples",
    "4",
    "--lr",
    "0.0001",
    "--seed",
    "0",
    "--no-progress",
]


@pytest.mark.slow
@pytest.mark.safety
def test_a_failed_start_leaves_nothing_that_blocks_the_corrected_retry(tmp_path, monkeypatch, capsys):
    """--batch-size 0 failed after run.json was written; the corrected retry was then refused as a mismatch."""
    monkeypatch.setenv("FCN_COURSE_DATA", str(tmp_path / "data"))
    run_dir = tmp_path / "run"
    assert load_train_script().main(SCRIPT_FLAGS + ["--batch-size", "0", "--run-dir", str(run_dir)]) == 2
    assert "batch_size" in capsys.readouterr().err
    assert not (run_dir / "run.json").exists()
    assert load_train_script().main(SCRIPT_FLAGS + ["--batch-size", "2", "--run-dir", str(run_dir)]) == 0
    assert json.loads((run_dir / "run.json").read_text())["batch_size"] == 2


@pytest.mark.safety
def test_the_train_script_never_writes_over_a_persons_files(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("FCN_COURSE_DATA", str(tmp_path / "data"))
    folder = tmp_path / "my_figures"
    folder.mkdir()
    (folder / "curves.png").write_bytes(b"the curves of my thesis")
    assert load_train_script().main(SCRIPT_FLAGS + ["--batch-size", "2", "--run-dir", str(folder)]) == 2
    assert "curves.png" in capsys.readouterr().err
    assert sorted(p.name for p in folder.iterdir()) == ["curves.png"]
    assert (folder / "curves.png").read_bytes() == b"the curves of my thesis"

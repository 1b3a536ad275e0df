"""Contracts of fcn_course.engine that mutation testing showed were unguarded (issue #15).

* ``validate`` runs the network in evaluation mode: dropout off, so the figures are reproducible and
  ``best.pt`` is not chosen from noise.
* ``best.pt`` holds the best epoch, not the last one.
"""
from __future__ import annotations

import copy

import pytest
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from fcn_course import engine
from fcn_course.engine import fit, load_checkpoint, validate

CLASSES = ("background", "bus", "person")


class DropoutNet(nn.Module):
    """A tiny FCN with heavy dropout: in training mode two passes over the same data differ."""

    def __init__(self, num_classes=3):
        super().__init__()
        self.backbone = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.ReLU(), nn.Dropout2d(0.5))
        self.classifier = nn.Conv2d(8, num_classes, 1)

    def forward(self, x):
        return self.classifier(self.backbone(x))


def cross_entropy(outputs, labels):
    return F.cross_entropy(outputs, labels, ignore_index=255)


def blobs(n=8, size=24, seed=0):
    """Noisy images with one square of class 1 or 2, brighter in the channel of its class."""
    g = torch.Generator().manual_seed(seed)
    images = 0.3 * torch.randn(n, 3, size, size, generator=g)
    labels = torch.zeros(n, size, size, dtype=torch.int64)
    for i in range(n):
        c = 1 + i % 2
        top, left = (int(v) for v in torch.randint(0, size // 2, (2,), generator=g))
        labels[i, top:top + size // 3, left:left + size // 3] = c
        images[i, c, top:top + size // 3, left:left + size // 3] += 1.5
    return TensorDataset(images, labels)


def loaders(seed=0):
    train = DataLoader(blobs(8, seed=seed), batch_size=4, shuffle=True, generator=torch.Generator().manual_seed(seed))
    val = DataLoader(blobs(4, seed=seed + 1), batch_size=2)
    return train, val


def args(**overrides):
    settings = {"device": torch.device("cpu"), "n_classes": 3, "classes": CLASSES, "epoch_num": 3,
                "show_freq": 0, "seed": 0, "backbone": "dropoutnet"}
    settings.update(overrides)
    return settings


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
    history = fit(net, *loaders(), cross_entropy, optimizer, args(), run_dir=tmp_path, progress=False)

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

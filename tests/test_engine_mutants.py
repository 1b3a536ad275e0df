"""Engine cases found by mutation testing (benchmarks/mutation_test.py) that no other test pinned."""
import warnings

import pytest

import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from fcn_course import engine
from fcn_course.engine import fit, load_checkpoint, make_grad_scaler, save_checkpoint, train_one_epoch


def cross_entropy(outputs, labels):
    return F.cross_entropy(outputs, labels, ignore_index=255)


def tiny_net():
    torch.manual_seed(0)
    return nn.Conv2d(3, 3, 1)


def tiny_loader(n=4, size=8, batch_size=2):
    g = torch.Generator().manual_seed(0)
    images = torch.randn(n, 3, size, size, generator=g)
    labels = torch.randint(0, 3, (n, size, size), generator=g)
    return DataLoader(TensorDataset(images, labels), batch_size=batch_size)


def tiny_args(**overrides):
    args = {"device": torch.device("cpu"), "n_classes": 3, "classes": ("a", "b", "c"), "epoch_num": 1,
            "show_freq": 0, "seed": 0, "backbone": "tinynet"}
    args.update(overrides)
    return args


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
    stats = train_one_epoch(net, tiny_loader(), cross_entropy, optimizer, "cpu", 1, 3,
                            scaler=scaler, progress=False)
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
    fit(net, loader, loader, cross_entropy, torch.optim.SGD(net.parameters(), lr=0.1), tiny_args())
    assert "epoch 1 train" in capsys.readouterr().err
    fit(net, loader, loader, cross_entropy, torch.optim.SGD(net.parameters(), lr=0.1), tiny_args(),
        progress=False)
    assert "epoch 1 train" not in capsys.readouterr().err


def test_checkpoints_store_the_run_settings_without_the_device(tmp_path):
    loader = tiny_loader()
    net = tiny_net()
    fit(net, loader, loader, cross_entropy, torch.optim.SGD(net.parameters(), lr=0.1), tiny_args(),
        run_dir=tmp_path / "run", progress=False)
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
    assert "epoch 1 train" in shown and "loss=" in shown


def test_the_epoch_time_is_the_time_the_epoch_took():
    import time

    net = tiny_net()
    tic = time.perf_counter()
    stats = train_one_epoch(net, tiny_loader(), cross_entropy, torch.optim.SGD(net.parameters(), lr=0.1),
                            "cpu", 1, 3, progress=False)
    assert 0 < stats["time"] <= time.perf_counter() - tic


# --------------------------------------------------------------------------------------------------
# What defines a run
# --------------------------------------------------------------------------------------------------
def test_a_network_of_unknown_class_without_args_backbone_is_refused_with_how_to_fix():
    args = tiny_args()
    del args["backbone"]
    with pytest.raises(ValueError, match=r"args\['backbone'\]"):
        engine.run_settings(tiny_net(), args)


def test_run_settings_takes_skip_from_the_network_or_says_false():
    plain = engine.run_settings(tiny_net(), tiny_args())
    assert plain["skip"] is False and plain["backbone"] == "tinynet"
    with_skip = tiny_net()
    with_skip.skip = True
    assert engine.run_settings(with_skip, tiny_args())["skip"] is True
    assert engine.run_settings(with_skip, tiny_args(skip=False))["skip"] is False  # args win when given

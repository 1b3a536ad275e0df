"""Engine cases found by mutation testing (benchmarks/mutation_test.py) that no other test pinned."""
import re
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
    train_one_epoch(net, tiny_loader(), cross_entropy, torch.optim.SGD(net.parameters(), lr=0.1), "cpu", 1, 3,
                    progress=False)
    assert net.modes == [True, True]


def test_a_given_scaler_is_the_one_used_and_it_grows_after_steps_without_overflow():
    net = tiny_net()
    scaler = torch.amp.GradScaler("cpu", init_scale=8.0, growth_factor=2.0, growth_interval=1)
    train_one_epoch(net, tiny_loader(), cross_entropy, torch.optim.SGD(net.parameters(), lr=0.1), "cpu", 1, 3,
                    scaler=scaler, progress=False)
    assert scaler.get_scale() == 32.0  # two batches, each update doubles it


def test_an_empty_loader_is_an_error_that_says_what_to_check():
    net = tiny_net()
    empty = tiny_loader(n=0)
    with pytest.raises(ValueError, match="training loader produced no batches"):
        train_one_epoch(net, empty, cross_entropy, torch.optim.SGD(net.parameters(), lr=0.1), "cpu", 1, 3,
                        progress=False)
    with pytest.raises(ValueError, match="validation loader produced no batches"):
        engine.validate(net, empty, cross_entropy, "cpu", 1, 3, progress=False)


def test_validate_shows_a_bar_with_the_batch_loss_by_default_and_none_when_told(capsys):
    engine.validate(tiny_net(), tiny_loader(), cross_entropy, "cpu", 1, 3)
    shown = capsys.readouterr().err
    assert "epoch 1 val" in shown and "loss=" in shown
    engine.validate(tiny_net(), tiny_loader(), cross_entropy, "cpu", 1, 3, progress=False)
    assert "epoch 1 val" not in capsys.readouterr().err


def test_both_bars_are_cleared_when_their_epoch_is_done(capsys):
    """leave=False: the notebook keeps the one-line epoch summaries, not a finished bar above each."""
    net = tiny_net()
    train_one_epoch(net, tiny_loader(), cross_entropy, torch.optim.SGD(net.parameters(), lr=0.1), "cpu", 1, 3)
    engine.validate(net, tiny_loader(), cross_entropy, "cpu", 1, 3)
    shown = capsys.readouterr().err
    assert "epoch 1 train" in shown and "epoch 1 val" in shown
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
    with pytest.raises(ValueError, match="cannot be read"):
        load_checkpoint(path, net)


# --------------------------------------------------------------------------------------------------
# fit: its messages, its default figure frequency, seeding and resuming every random generator
# --------------------------------------------------------------------------------------------------
def sgd(net):
    return torch.optim.SGD(net.parameters(), lr=0.1)


def test_fit_says_where_it_starts_resumes_and_which_epoch_was_best(tmp_path, capsys):
    loader = tiny_loader()
    net = tiny_net()
    fit(net, loader, loader, cross_entropy, sgd(net), tiny_args(), run_dir=tmp_path / "run", resume=True,
        progress=False)
    printed = capsys.readouterr().out
    assert f"No checkpoint in {tmp_path / 'run'}: starting from epoch 1." in printed
    assert re.search(r"Best val mIoU\(fg\) \d\.\d{4} at epoch 1\.", printed)
    fit(net, loader, loader, cross_entropy, sgd(net), tiny_args(epoch_num=2), run_dir=tmp_path / "run",
        resume=True, progress=False)
    printed = capsys.readouterr().out
    assert f"Resuming {tmp_path / 'run'} after epoch 1." in printed and "No checkpoint" not in printed


def test_without_show_freq_in_args_no_figure_is_asked_for():
    loader = tiny_loader()
    net = tiny_net()
    shown = []
    args = tiny_args()
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
        histories.append(fit(net, loader, loader, cross_entropy, sgd(net), tiny_args(epoch_num=2),
                             progress=False))
    assert histories[0].train == [{**entry, "time": histories[0].train[i]["time"]}
                                  for i, entry in enumerate(histories[1].train)]


def test_resuming_puts_back_the_python_and_numpy_generators_too(tmp_path):
    """Student code may draw from random or numpy.random (an augmentation): a resume continues their sequence."""
    import random

    import numpy as np

    loader = tiny_loader()
    net = tiny_net()
    fit(net, loader, loader, cross_entropy, sgd(net), tiny_args(), run_dir=tmp_path / "run", progress=False)
    expected = (random.random(), float(np.random.rand()))
    random.seed(99)
    np.random.seed(99)
    fit(net, loader, loader, cross_entropy, sgd(net), tiny_args(), run_dir=tmp_path / "run", resume=True,
        progress=False)  # nothing left to train: only the state is restored
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
    args = tiny_args(device=torch.device("cuda"), epoch_num=2)
    whole = net()
    straight = fit(whole, loader, loader, cross_entropy, sgd(whole), args, progress=False)
    assert all(p.is_cuda for p in whole.parameters())
    half = net()
    fit(half, loader, loader, cross_entropy, sgd(half), {**args, "epoch_num": 1}, run_dir=tmp_path / "run",
        progress=False)
    resumed = net()
    torch.cuda.manual_seed_all(123)  # another cell used the GPU generator in between
    resumed_history = fit(resumed, loader, loader, cross_entropy, sgd(resumed), args, run_dir=tmp_path / "run",
                          resume=True, progress=False)
    assert [e["loss_mean"] for e in resumed_history.train] == [e["loss_mean"] for e in straight.train]

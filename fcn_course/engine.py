"""Training engine: one epoch of training, validation, the epoch loop, checkpoints and history.

This is the ``train()`` / ``validate()`` pair of the original course notebook, rewritten so that
the figures it prints can be trusted:

* the IoU of an epoch comes from ONE confusion matrix filled with every pixel of the epoch (averaging
  per-batch IoUs would weigh a batch with 10 person pixels like one with 10 000);
* pixels labelled 255 ("void", object borders in Pascal VOC) count in no metric (and, when your loss
  uses ignore_index=255, not in the loss either);
* a loss that becomes NaN/inf stops training at once with an explanation, instead of 50 epochs of NaN;
* on a CUDA GPU the forward pass runs in mixed precision (float16): faster, and less GPU memory;
* ``fit`` saves checkpoints that can be resumed, so a Colab session that drops loses at most one epoch.

What is NOT here is your work in the exercises: the model, the optimiser and the loss. The engine
only receives ``loss_fn(outputs, labels) -> scalar tensor`` and an optimiser built by you.
"""
from __future__ import annotations

import contextlib
import math
import random
import time
from pathlib import Path

import numpy as np
import torch
from tqdm.auto import tqdm

from fcn_course import runs
from fcn_course.backbones import backbone_for_class
from fcn_course.config import seed_everything
from fcn_course.files import atomic_write_file, json_safe, read_json, write_json
from fcn_course.metrics import ConfusionMatrix
from fcn_course.runs import BEST_CHECKPOINT, HISTORY_FILE, LAST_CHECKPOINT  # noqa: F401  (file names of a run)
from fcn_course.voc import VOID  # label 255: ignored by the loss and the metrics


class NonFiniteLossError(FloatingPointError):
    """The loss became NaN or infinite: training diverged."""


# --------------------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------------------
def uses_mixed_precision(device) -> bool:
    """Mixed precision (float16 autocast + gradient scaling) is used on CUDA GPUs only."""
    return torch.device(device).type == "cuda"


def make_grad_scaler(device):
    """A ``torch.amp.GradScaler`` on CUDA, ``None`` elsewhere (plain float32 needs no scaling)."""
    if not uses_mixed_precision(device):
        return None
    if hasattr(torch.amp, "GradScaler"):  # torch >= 2.3
        return torch.amp.GradScaler("cuda")
    return torch.cuda.amp.GradScaler()


def _autocast(device):
    """Context manager: float16 autocast on CUDA, nothing at all on CPU/MPS."""
    if uses_mixed_precision(device):
        return torch.autocast(device_type="cuda", dtype=torch.float16)
    return contextlib.nullcontext()


def count_parameters(net: torch.nn.Module, trainable_only: bool = False) -> int:
    """Number of parameters (weights and biases) of ``net``."""
    return sum(p.numel() for p in net.parameters() if p.requires_grad or not trainable_only)


def backbone_and_head_parameters(net: torch.nn.Module):
    """Split the parameters of ``net`` into (backbone, head) lists.

    Backbone = parameters of the direct children whose name starts with ``"backbone"``
    (``backbone``, ``backbone1``, ``backbone2``...), i.e. the part that may come pretrained on
    ImageNet. Head = every other parameter (the classifier you add).
    """
    backbone, head = [], []
    for name, child in net.named_children():
        target = backbone if name.startswith("backbone") else head
        target.extend(child.parameters())
    head.extend(net.parameters(recurse=False))  # parameters registered directly on the network
    return backbone, head


def _summarise(phase, epoch, losses, matrix, seconds) -> dict:
    """Turn the losses of every batch and the epoch's confusion matrix into a dict of plain numbers."""
    scores = matrix.compute()
    losses = np.asarray(losses, dtype=np.float64)
    stats = {
        "epoch": int(epoch),
        "loss_mean": float(losses.mean()),
        "loss_std": float(losses.std()),
        "miou_fg": float(scores["miou_fg"]),
        "miou": float(scores["miou"]),
        "iou": [float(v) for v in scores["iou"]],
        "dice": [float(v) for v in scores["dice"]],
        "mdice": float(scores["mdice"]),
        "pixel_acc": float(scores["pixel_acc"]),
        "time": float(seconds),
        "batch_losses": [float(v) for v in losses],
    }
    print(f"[epoch {epoch}] [{phase}] loss {stats['loss_mean']:.4f} +/- {stats['loss_std']:.4f} "
          f"| mIoU(fg) {stats['miou_fg']:.4f} | time {seconds:.1f}s")
    return stats


def _check_loss(loss, epoch, batch_index):
    """Stop with an explanation when loss_fn returned no single number, or a NaN/infinite one."""
    if not isinstance(loss, torch.Tensor):
        raise TypeError(f"loss_fn returned {type(loss).__name__}, not a tensor: it must return the loss "
                        "of the batch (did you forget `return loss`?).")
    if loss.numel() != 1:
        raise ValueError(f"loss_fn returned a tensor of shape {tuple(loss.shape)}; it must be a single "
                         "number (a scalar tensor): the mean loss over the pixels of the batch.")
    if not torch.isfinite(loss.detach()).all():
        raise NonFiniteLossError(
            f"The loss is {loss.item()} at epoch {epoch}, batch {batch_index}: training diverged. "
            "The usual cause is a learning rate that is too high: lower args['lr'] (for example by a "
            "factor of 10) and start again from a fresh model. Also check that the loss ignores void "
            "pixels (ignore_index=255) and that labels are in 0..num_classes-1."
        )


def _check_not_empty(losses, loader_name):
    if not losses:
        raise ValueError(f"The {loader_name} loader produced no batches: check the dataset "
                         "(is it empty?) and drop_last/batch_size.")


# --------------------------------------------------------------------------------------------------
# One epoch
# --------------------------------------------------------------------------------------------------
def train_one_epoch(net, loader, loss_fn, optimizer, device, epoch, num_classes,
                    scaler=None, progress=True) -> dict:
    """Train ``net`` for one pass over ``loader``; return the epoch's loss and metrics.

    ``loss_fn(outputs, labels)`` gets the logits ``[B, C, H, W]`` and labels ``[B, H, W]`` and must
    return a scalar tensor. On CUDA the forward pass runs under float16 autocast and the backward
    pass through ``scaler`` (a ``torch.amp.GradScaler``; one is created if none is given).
    """
    device = torch.device(device)
    if scaler is None:
        scaler = make_grad_scaler(device)
    net.train()
    matrix = ConfusionMatrix(num_classes, ignore_index=VOID)
    losses = []
    tic = time.perf_counter()

    bar = tqdm(loader, desc=f"epoch {epoch} train", leave=False, disable=not progress)
    for i, (images, labels) in enumerate(bar):
        images = images.to(device, non_blocking=True)
        labels = labels.to(device, non_blocking=True)

        optimizer.zero_grad(set_to_none=True)
        with _autocast(device):
            outputs = net(images)
            loss = loss_fn(outputs, labels)
        _check_loss(loss, epoch, i)

        if scaler is not None:
            scaler.scale(loss).backward()
            scaler.step(optimizer)
            scaler.update()
        else:
            loss.backward()
            optimizer.step()

        matrix.update(outputs.detach().argmax(dim=1), labels)
        losses.append(loss.item())
        bar.set_postfix(loss=f"{losses[-1]:.4f}")

    _check_not_empty(losses, "training")
    return _summarise("train", epoch, losses, matrix, time.perf_counter() - tic)


def validate(net, loader, loss_fn, device, epoch, num_classes, progress=True, keep_first_batch=False) -> dict:
    """Evaluate ``net`` on ``loader`` without updating it; return the epoch's loss and metrics.

    The network is put in evaluation mode (dropout off), so validating twice gives the same figures.
    With ``keep_first_batch=True`` the dict also holds ``"first_batch"``: ``(images, predictions, labels)``
    of the first batch on the CPU, for a figure of the predictions.
    """
    device = torch.device(device)
    net.eval()
    matrix = ConfusionMatrix(num_classes, ignore_index=VOID)
    losses = []
    first_batch = None
    tic = time.perf_counter()

    bar = tqdm(loader, desc=f"epoch {epoch} val", leave=False, disable=not progress)
    with torch.no_grad():
        for i, (images, labels) in enumerate(bar):
            images = images.to(device, non_blocking=True)
            labels = labels.to(device, non_blocking=True)
            with _autocast(device):
                outputs = net(images)
                loss = loss_fn(outputs, labels)
            _check_loss(loss, epoch, i)

            predictions = outputs.argmax(dim=1)
            matrix.update(predictions, labels)
            losses.append(loss.item())
            bar.set_postfix(loss=f"{losses[-1]:.4f}")
            if keep_first_batch and i == 0:
                first_batch = (images.detach().float().cpu(), predictions.cpu(), labels.cpu())

    _check_not_empty(losses, "validation")
    stats = _summarise("val", epoch, losses, matrix, time.perf_counter() - tic)
    if first_batch is not None:
        stats["first_batch"] = first_batch
    return stats


# --------------------------------------------------------------------------------------------------
# History of a run
# --------------------------------------------------------------------------------------------------
class History:
    """The per-epoch results of a run: ``history.train`` and ``history.val`` are lists of dicts.

    ``history["val"]`` works too, so it reads like the plain dict ``{"train": [...], "val": [...]}``
    that is written to ``history.json``.
    """

    def __init__(self, train=None, val=None):
        self.train = list(train or [])
        self.val = list(val or [])

    def __getitem__(self, phase):
        if phase not in ("train", "val"):
            raise ValueError(f"a History has the phases 'train' and 'val', not {phase!r}")
        return self.train if phase == "train" else self.val

    def __len__(self):
        return len(self.val)

    def __repr__(self):
        return f"History({len(self.train)} train epochs, {len(self.val)} val epochs)"

    def append(self, train_stats, val_stats):
        """Record one epoch."""
        self.train.append(train_stats)
        self.val.append(val_stats)

    def values(self, phase, key):
        """One metric over the epochs, e.g. ``history.values("val", "miou_fg")``."""
        return [entry[key] for entry in self[phase]]

    def best_epoch(self, key="miou_fg"):
        """Epoch with the highest validation ``key`` (NaN counts as worst); None when empty."""
        if not self.val:
            return None
        best = max(self.val, key=lambda entry: _as_score(entry.get(key)))
        return best["epoch"]

    def best_entry(self, key="miou_fg"):
        """Validation results (a dict) of the best epoch by ``key``; None when empty."""
        epoch = self.best_epoch(key)
        if epoch is None:
            return None
        return next(entry for entry in self.val if entry["epoch"] == epoch)

    def best_miou(self, key="miou_fg"):
        """Highest validation ``key`` reached so far; None when empty."""
        entry = self.best_entry(key)
        return None if entry is None else entry[key]

    def to_dict(self) -> dict:
        return {"train": self.train, "val": self.val}

    @classmethod
    def from_dict(cls, data) -> "History":
        return cls(data.get("train"), data.get("val"))

    def save(self, path) -> Path:
        """Write the history as JSON (NaN written as null), atomically."""
        return write_json(path, self.to_dict())

    @classmethod
    def load(cls, path) -> "History":
        """Read a ``history.json`` (null values come back as None)."""
        return cls.from_dict(read_json(path, "training history"))


def _as_score(value):
    """A number to compare epochs; missing or NaN values lose."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return -math.inf
    return value


# --------------------------------------------------------------------------------------------------
# Checkpoints
# --------------------------------------------------------------------------------------------------
def save_checkpoint(state: dict, path) -> Path:
    """``torch.save(state, path)`` done atomically (temporary file in the same folder + rename).

    A full disk raises ``files.DiskFullError`` naming ``path`` (the previous checkpoint stays complete).
    """
    return atomic_write_file(Path(path), lambda file: torch.save(state, file))


def load_checkpoint(path, net, optimizer=None, scaler=None, map_location="cpu") -> dict:
    """Load the weights saved in ``path`` into ``net`` (and optimiser/scaler state when given).

    Returns the whole checkpoint dict (``epoch``, ``history``, ``metrics``... as saved by ``fit``).
    """
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"No checkpoint at {path}. Train first with fit(..., run_dir=...).")
    try:
        checkpoint = torch.load(path, map_location=map_location, weights_only=True)
    except Exception as error:  # truncated by a kill during the save, damaged by a copy...
        raise ValueError(f"the checkpoint {path} cannot be read ({type(error).__name__}: {str(error)[:120]}); it is "
                         "truncated or damaged. Delete it to train that run again from its start.") from error
    net.load_state_dict(checkpoint["model"])
    if optimizer is not None:
        if checkpoint.get("optimizer") is None:
            raise KeyError(f"{path} holds no optimiser state (best.pt keeps only the weights); "
                           "resume from last.pt instead.")
        optimizer.load_state_dict(checkpoint["optimizer"])
    if scaler is not None and checkpoint.get("scaler") is not None:
        scaler.load_state_dict(checkpoint["scaler"])
    return checkpoint


def _loader_generators(loaders):
    """The torch.Generator objects that drive shuffling, when a loader was given its own."""
    generators = []
    for loader in loaders:
        for owner in (loader, getattr(loader, "sampler", None), getattr(loader, "batch_sampler", None)):
            generator = getattr(owner, "generator", None)
            if isinstance(generator, torch.Generator) and all(generator is not g for g in generators):
                generators.append(generator)
    return generators


def _rng_state(loaders) -> dict:
    """Every random number generator state that shapes the next epoch (shuffling, dropout...)."""
    numpy_state = np.random.get_state()
    return {
        "python": random.getstate(),
        # the numpy state holds an array: stored as a tensor so that weights_only loading accepts it
        "numpy": (numpy_state[0], torch.from_numpy(numpy_state[1].astype(np.int64)),
                  *numpy_state[2:]),
        "torch": torch.get_rng_state(),
        "cuda": torch.cuda.get_rng_state_all() if torch.cuda.is_available() else [],
        "loaders": [g.get_state() for g in _loader_generators(loaders)],
    }


def _set_rng_state(state: dict, loaders) -> None:
    random.setstate(_as_tuples(state["python"]))
    name, keys, *rest = state["numpy"]
    np.random.set_state((name, np.asarray(keys.cpu(), dtype=np.uint32), *rest))
    torch.set_rng_state(state["torch"].cpu())
    if state["cuda"] and torch.cuda.is_available():
        torch.cuda.set_rng_state_all([s.cpu() for s in state["cuda"]])
    for generator, saved in zip(_loader_generators(loaders), state["loaders"]):
        generator.set_state(saved.cpu())


def _as_tuples(value):
    """random.setstate wants tuples; a checkpoint may hand back lists."""
    if isinstance(value, (list, tuple)):
        return tuple(_as_tuples(v) for v in value)
    return value


# --------------------------------------------------------------------------------------------------
# The epoch loop
# --------------------------------------------------------------------------------------------------
def run_settings(net, args) -> dict:
    """``args`` completed with what defines the run: the backbone (from the network's class) and ``skip``."""
    settings = dict(args)
    if not settings.get("backbone"):
        spec = backbone_for_class(type(net))
        if spec is None:
            raise ValueError(f"cannot tell which backbone {type(net).__name__} uses: give args['backbone'] "
                             "(a name registered in fcn_course.backbones.BACKBONES).")
        settings["backbone"] = spec.name
    if settings.get("skip") is None:
        settings["skip"] = getattr(net, "skip", False)
    return settings


def fit(net, train_loader, val_loader, loss_fn, optimizer, args, run_dir=None, resume=False,
        show_freq=None, show=None, progress=True) -> History:
    """Train for epochs 1..``args['epoch_num']``, validating after each epoch.

    Every ``show_freq`` epochs (default ``args['show_freq']``; 0 = never) the predictions of the first
    validation batch are handed to ``show(images, predictions, labels, epoch=..., figure_path=...)``, e.g.
    ``fcn_course.plots.show_epoch_predictions(args["classes"])``, which draws them.

    With ``run_dir`` the run is recorded there (see ``fcn_course.runs``): ``run.json`` (its settings),
    ``history.json``, ``last.pt`` (everything needed to resume), ``best.pt`` (weights of the epoch with the
    best validation foreground mIoU) and ``pred_epoch_XXX.png``. The folder is checked before the first
    epoch: it must be writable, and a folder started with other settings is refused (nothing in it
    changes). ``resume=True`` continues from ``run_dir/last.pt`` and gives the same numbers as a run that
    was never interrupted (exactly so on the CPU with ``num_workers=0``).
    """
    device = torch.device(args["device"])
    num_classes = args["n_classes"]
    show_freq = args.get("show_freq", 0) if show_freq is None else show_freq
    run_dir = Path(run_dir) if run_dir is not None else None
    loaders = (train_loader, val_loader)
    settings = run_settings(net, args)

    net.to(device)
    scaler = make_grad_scaler(device)
    history = History()
    first_epoch = 1

    if resume and run_dir is None:
        raise ValueError("resume=True needs the run_dir that holds last.pt.")
    if run_dir is not None:
        runs.start_run(run_dir, settings)
    if resume and (run_dir / LAST_CHECKPOINT).exists():
        checkpoint = load_checkpoint(run_dir / LAST_CHECKPOINT, net, optimizer, scaler)
        history = History.from_dict(checkpoint["history"])
        first_epoch = checkpoint["epoch"] + 1
        _set_rng_state(checkpoint["rng"], loaders)
        print(f"Resuming {run_dir} after epoch {checkpoint['epoch']}.")
    else:
        if resume:
            print(f"No checkpoint in {run_dir}: starting from epoch 1.")
        seed_everything(args["seed"])

    for epoch in range(first_epoch, args["epoch_num"] + 1):
        train_stats = train_one_epoch(net, train_loader, loss_fn, optimizer, device, epoch,
                                      num_classes, scaler=scaler, progress=progress)
        wants_figure = show is not None and bool(show_freq) and epoch % show_freq == 0
        val_stats = validate(net, val_loader, loss_fn, device, epoch, num_classes, progress=progress,
                             keep_first_batch=wants_figure)
        first_batch = val_stats.pop("first_batch", None)
        if first_batch is not None:
            figure_path = run_dir / f"pred_epoch_{epoch:03d}.png" if run_dir else None
            show(*first_batch, epoch=epoch, figure_path=figure_path)
        history.append(train_stats, val_stats)
        if run_dir is not None:
            _save_run(run_dir, net, optimizer, scaler, epoch, history, settings, loaders)

    if run_dir is not None:
        runs.write_outcome(run_dir, "done", len(history), count_parameters(net))
    if history.val:
        print(f"Best val mIoU(fg) {history.best_miou():.4f} at epoch {history.best_epoch()}.")
    return history


def _save_run(run_dir, net, optimizer, scaler, epoch, history, args, loaders):
    """Write best.pt (when this epoch is the best so far), then last.pt, then history.json.

    In that order, an interruption between two writes never leaves a last.pt that is newer than
    best.pt: resuming from last.pt can then not skip the saving of a best epoch.
    """
    model_state = net.state_dict()
    stored_args = json_safe({key: value for key, value in args.items() if key != "device"})
    if history.best_epoch() == epoch:
        save_checkpoint({
            "epoch": epoch,
            "model": model_state,
            "metrics": json_safe(history.val[-1]),
            "args": stored_args,
        }, run_dir / BEST_CHECKPOINT)
    save_checkpoint({
        "epoch": epoch,
        "model": model_state,
        "optimizer": optimizer.state_dict(),
        "scaler": scaler.state_dict() if scaler is not None else None,
        "history": history.to_dict(),
        "rng": _rng_state(loaders),
        "args": stored_args,
    }, run_dir / LAST_CHECKPOINT)
    history.save(run_dir / HISTORY_FILE)

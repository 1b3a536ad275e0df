"""Training engine: one epoch of training, validation, the epoch loop (recorded in a run folder).

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
only receives ``loss_fn(outputs, labels) -> scalar tensor`` and an optimiser built by you; the grid and the
train script receive your pieces together, as one ``TrainingIngredients``. What a run leaves on disk (file
names, checkpoints, history) belongs to ``fcn_course.runs``.
"""

from __future__ import annotations

import contextlib
import random
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np
import torch
from tqdm.auto import tqdm

from fcn_course import runs
from fcn_course.backbones import backbone_for_class
from fcn_course.config import seed_everything
from fcn_course.messages import text
from fcn_course.metrics import ConfusionMatrix

# The run folder is ``runs``'s: these names are kept here because notebooks and scripts use them as engine.*.
from fcn_course.runs import BEST_CHECKPOINT, HISTORY_FILE, LAST_CHECKPOINT  # noqa: F401  (file names of a run)
from fcn_course.runs import History, load_checkpoint, save_checkpoint  # noqa: F401
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
    print(
        text(
            "engine.epoch_line",
            epoch=epoch,
            phase=text(f"engine.phase.{phase}"),
            loss_mean=stats["loss_mean"],
            loss_std=stats["loss_std"],
            miou_fg=stats["miou_fg"],
            seconds=seconds,
        )
    )
    return stats


def _check_loss(loss, epoch, batch_index):
    """Stop with an explanation when loss_fn returned no single number, or a NaN/infinite one."""
    if not isinstance(loss, torch.Tensor):
        raise TypeError(text("engine.loss_not_a_tensor", given=type(loss).__name__))
    if loss.numel() != 1:
        raise ValueError(text("engine.loss_not_a_number", shape=tuple(loss.shape)))
    if not torch.isfinite(loss.detach()).all():
        raise NonFiniteLossError(text("engine.loss_not_finite", loss=loss.item(), epoch=epoch, batch=batch_index))


def _check_not_empty(losses, phase):
    """Stop with an explanation when the loader of ``phase`` ('train' or 'val') gave no batch at all."""
    if not losses:
        raise ValueError(text("engine.empty_loader", phase=text(f"engine.phase.{phase}")))


# --------------------------------------------------------------------------------------------------
# One epoch
# --------------------------------------------------------------------------------------------------
def train_one_epoch(net, loader, loss_fn, optimizer, device, epoch, num_classes, scaler=None, progress=True) -> dict:
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

    description = text("engine.progress", epoch=epoch, phase=text("engine.phase.train"))
    bar = tqdm(loader, desc=description, leave=False, disable=not progress)
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
        bar.set_postfix_str(text("engine.progress_loss", loss=losses[-1]))

    _check_not_empty(losses, "train")
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

    description = text("engine.progress", epoch=epoch, phase=text("engine.phase.val"))
    bar = tqdm(loader, desc=description, leave=False, disable=not progress)
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
            bar.set_postfix_str(text("engine.progress_loss", loss=losses[-1]))
            if keep_first_batch and i == 0:
                first_batch = (images.detach().float().cpu(), predictions.cpu(), labels.cpu())

    _check_not_empty(losses, "val")
    stats = _summarise("val", epoch, losses, matrix, time.perf_counter() - tic)
    if first_batch is not None:
        stats["first_batch"] = first_batch
    return stats


# --------------------------------------------------------------------------------------------------
# Checkpoints
# --------------------------------------------------------------------------------------------------
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
        "numpy": (numpy_state[0], torch.from_numpy(numpy_state[1].astype(np.int64)), *numpy_state[2:]),
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
# Your four pieces, together
# --------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class TrainingIngredients:
    """What you wrote in the exercises that a training run needs, as one object.

    - ``model_classes``: your FCN class for each backbone, e.g. ``{"alexnet": FCN_AlexNet, "vgg16": FCN_VGG16}``;
    - ``make_optimizer(net, args)``: the optimiser for a network and its settings (exercise 3);
    - ``compute_loss(outputs, labels, criterion)``: the loss of a batch (exercise 3);
    - ``make_criterion()``: the criterion ``compute_loss`` uses (exercise 3).

    To change one piece for one comparison, copy the object with ``dataclasses.replace``, e.g.
    ``replace(ingredients, make_criterion=weighted_criterion)``. It unpacks like the tuple of the same four
    pieces: ``model_classes, make_optimizer, compute_loss, make_criterion = ingredients``.
    """

    model_classes: dict
    make_optimizer: Callable
    compute_loss: Callable
    make_criterion: Callable

    @classmethod
    def of(cls, ingredients) -> "TrainingIngredients":
        """``ingredients`` itself, or the ``(model_classes, make_optimizer, compute_loss, make_criterion)``
        tuple of earlier versions of the course made into one."""
        if isinstance(ingredients, cls):
            return ingredients
        if not isinstance(ingredients, (tuple, list)) or len(ingredients) != 4:
            raise TypeError(text("engine.ingredients_expected", given=type(ingredients).__name__))
        return cls(*ingredients)

    def __iter__(self):
        return iter((self.model_classes, self.make_optimizer, self.compute_loss, self.make_criterion))

    def loss_fn(self) -> Callable:
        """``loss_fn(outputs, labels)`` for ``fit``: your ``compute_loss`` with a criterion made now."""
        criterion = self.make_criterion()

        def loss_fn(outputs, labels):
            return self.compute_loss(outputs, labels, criterion)

        return loss_fn


# --------------------------------------------------------------------------------------------------
# The epoch loop
# --------------------------------------------------------------------------------------------------
def run_settings(net, args) -> dict:
    """``args`` completed with what defines the run: the backbone (from the network's class) and ``skip``."""
    settings = dict(args)
    if not settings.get("backbone"):
        spec = backbone_for_class(type(net))
        if spec is None:
            raise ValueError(text("engine.unknown_backbone", net=type(net).__name__))
        settings["backbone"] = spec.name
    if settings.get("skip") is None:
        settings["skip"] = getattr(net, "skip", False)
    return settings


def fit(
    net,
    train_loader,
    val_loader,
    loss_fn,
    optimizer,
    args,
    run_dir=None,
    resume=False,
    show_freq=None,
    show=None,
    progress=True,
) -> History:
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
        raise ValueError(text("engine.resume_needs_run_dir"))
    if run_dir is not None:
        runs.start_run(run_dir, settings)
    if resume and runs.checkpoint_path(run_dir, "last").exists():
        checkpoint = load_checkpoint(runs.checkpoint_path(run_dir, "last"), net, optimizer, scaler)
        history = History.from_dict(checkpoint["history"])
        first_epoch = checkpoint["epoch"] + 1
        _set_rng_state(checkpoint["rng"], loaders)
        print(text("engine.resuming", run_dir=run_dir, epoch=checkpoint["epoch"]))
    else:
        if resume:
            print(text("engine.no_checkpoint", run_dir=run_dir))
        seed_everything(args["seed"])

    for epoch in range(first_epoch, args["epoch_num"] + 1):
        train_stats = train_one_epoch(
            net, train_loader, loss_fn, optimizer, device, epoch, num_classes, scaler=scaler, progress=progress
        )
        wants_figure = show is not None and bool(show_freq) and epoch % show_freq == 0
        val_stats = validate(
            net, val_loader, loss_fn, device, epoch, num_classes, progress=progress, keep_first_batch=wants_figure
        )
        first_batch = val_stats.pop("first_batch", None)
        if first_batch is not None:
            figure_path = runs.prediction_figure_path(run_dir, epoch) if run_dir else None
            show(*first_batch, epoch=epoch, figure_path=figure_path)
        history.append(train_stats, val_stats)
        if run_dir is not None:
            _save_run(run_dir, net, optimizer, scaler, epoch, history, settings, loaders)

    if run_dir is not None:
        runs.write_outcome(run_dir, "done", len(history), count_parameters(net))
    if history.val:
        print(text("engine.best_epoch", miou=history.best_miou(), epoch=history.best_epoch()))
    return history


def _save_run(run_dir, net, optimizer, scaler, epoch, history, args, loaders):
    """Record the epoch in the run folder (``runs.save_epoch``), with what last.pt needs to resume exactly."""
    runs.save_epoch(
        run_dir,
        epoch,
        history,
        net.state_dict(),
        args,
        resume_state={
            "optimizer": optimizer.state_dict(),
            "scaler": scaler.state_dict() if scaler is not None else None,
            "rng": _rng_state(loaders),
        },
    )

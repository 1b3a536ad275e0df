"""The exercises ``optimizer``, ``loss`` and ``training``: the optimiser (four cases), the loss over flattened pixels, and a tiny training round."""

from __future__ import annotations

import contextlib
import io
import math

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from fcn_course.checks.exercise import exercise
from fcn_course.checks.feedback import CheckResult, Failed, finish, judging, run_student_code
from fcn_course.checks.models import build_model, check_raw_scores, check_trainable, offline_backbones
from fcn_course.engine import train_one_epoch, validate
from fcn_course.messages import text
from fcn_course.voc import VOID  # label 255: ignored by the loss and the metrics


def _optimizer_args(
    pretrained: bool, skip: bool, momentum: float = 0.9, weight_decay: float = 5e-4, lr: float = 1e-3
) -> dict:
    return {
        "lr": lr,
        "weight_decay": weight_decay,
        "momentum": momentum,
        "pretrained": pretrained,
        "skip": skip,
        "n_classes": 3,
    }


# The four cases pretrained × skip. The from-scratch ones change momentum, weight decay and learning rate, so
# that an optimiser that ignores args (Adam's default betas (0.9, 0.999) equal momentum 0.9, its default lr is
# 1e-3) or hard-codes them is caught.
OPTIMIZER_CASES = [
    (True, True, 0.9, 5e-4),
    (True, False, 0.9, 5e-4),
    (False, True, 0.8, 1e-4),
    (False, False, 0.8, 1e-4),
]


@exercise("optimizer", notebook="02_fcn_alexnet", names=("make_optimizer", "FCN_AlexNet"), group="training-pieces")
def check_optimizer(make_optimizer, model_cls, verbose: bool = True) -> CheckResult:
    """The four cases pretrained × skip: Adam, betas, weight decay, learning rate of each part."""
    problems, calls = [], []
    with judging(problems), offline_backbones(calls):
        for pretrained, skip, momentum, weight_decay in OPTIMIZER_CASES:
            case = f"pretrained={pretrained}, skip={skip}"
            args = _optimizer_args(pretrained, skip, momentum, weight_decay, lr=1e-3 if pretrained else 2e-3)
            net = build_model(
                problems,
                text("checks.training.build_case", case=case),
                calls,
                model_cls,
                3,
                pretrained=False,
                skip=skip,
            )
            optimizer = run_student_code(problems, f"make_optimizer ({case})", make_optimizer, net, args)
            _check_one_optimizer(net, optimizer, args, case, problems)
            if problems:
                raise Failed
    return finish("optimizer", problems, verbose)


def _check_hyperparameters(optimizer, args, case, problems):
    """betas and weight decay, once per optimiser (not once per parameter group)."""
    betas = {tuple(group["betas"]) for group in optimizer.param_groups}
    want_betas = (args["momentum"], 0.999)
    if betas != {want_betas}:
        problems.append(
            text("checks.training.betas", case=case, momentum=args["momentum"], want=want_betas, got=sorted(betas)[0])
        )
    decays = {group["weight_decay"] for group in optimizer.param_groups}
    if not all(math.isclose(decay, args["weight_decay"]) for decay in decays):
        problems.append(
            text("checks.training.weight_decay", case=case, want=args["weight_decay"], got=sorted(decays)[0])
        )


def _decoupled(optimizer) -> bool:
    """AdamW, or Adam(decoupled_weight_decay=True): weight decay applied to the weights, not as an L2 term."""
    return isinstance(optimizer, torch.optim.AdamW) or any(
        group.get("decoupled_weight_decay", False) for group in optimizer.param_groups
    )


def _check_one_optimizer(net, optimizer, args, case, problems):
    if not isinstance(optimizer, torch.optim.Adam):
        problems.append(text("checks.training.not_adam", case=case, kind=type(optimizer).__name__))
        return
    if _decoupled(optimizer):
        problems.append(text("checks.training.decoupled", case=case, kind=type(optimizer).__name__))
        return
    _check_hyperparameters(optimizer, args, case, problems)
    lr, seen = args["lr"], {}
    for group in optimizer.param_groups:
        for p in group["params"]:
            if id(p) in seen:
                problems.append(text("checks.training.duplicate_parameter", case=case))
                return
            seen[id(p)] = group["lr"]
    trainable = [(name, p) for name, p in net.named_parameters() if p.requires_grad]
    absent = [name for name, p in trainable if id(p) not in seen]
    if absent:
        count = (
            text("checks.training.missing_one", total=len(trainable))
            if len(absent) == 1
            else text("checks.training.missing_many", count=len(absent), total=len(trainable))
        )
        problems.append(text("checks.training.parameter_missing", case=case, name=absent[0], count=count))
        return
    for name, p in trainable:
        is_backbone = name.split(".")[0].startswith("backbone")
        want = lr * 0.1 if (is_backbone and args["pretrained"]) else lr
        if not math.isclose(seen[id(p)], want, rel_tol=1e-6):
            part = text("checks.training.part_backbone" if is_backbone else "checks.training.part_classifier")
            rule = text("checks.training.rule_pretrained" if args["pretrained"] else "checks.training.rule_scratch")
            problems.append(
                text("checks.training.wrong_lr", case=case, part=part, name=name, lr=seen[id(p)], want=want, rule=rule)
            )
            return


def _loss_hint(loss, outputs, labels) -> str:
    """The likely cause of a wrong loss value, in Portuguese (each known mistake gets its own hint)."""
    n_classes = outputs.shape[1]
    flat_outputs = outputs.permute(0, 2, 3, 1).reshape(-1, n_classes)
    known = [  # (the value a known mistake gives, its hint)
        (
            F.cross_entropy(
                outputs.reshape(-1, n_classes), labels.reshape(-1)[: outputs.numel() // n_classes], ignore_index=VOID
            ),
            "checks.training.loss_hint_scrambled",
        ),
        (
            F.cross_entropy(outputs.transpose(1, 3).reshape(-1, n_classes), labels.reshape(-1), ignore_index=VOID),
            "checks.training.loss_hint_transposed",
        ),
        (F.cross_entropy(outputs, labels, ignore_index=VOID, reduction="sum"), "checks.training.loss_hint_sum"),
        (
            F.cross_entropy(flat_outputs.softmax(dim=1), labels.reshape(-1), ignore_index=VOID),
            "checks.training.loss_hint_softmax",
        ),
    ]
    for value, hint in known:
        if torch.isclose(loss, value, rtol=1e-4, atol=1e-5):
            return text(hint)
    return text("checks.training.loss_hint_flatten")


def made_criterion(problems: list, criterion_or_factory):
    """The criterion a check is given: an ``nn.Module`` as it is, else the student's ``make_criterion()``."""
    if isinstance(criterion_or_factory, nn.Module):
        return criterion_or_factory
    return run_student_code(problems, "make_criterion()", criterion_or_factory)


def _loss_probe(classes: int, height: int, width: int, seed: int):
    """Random scores [2, classes, height, width] (requiring grad) and labels with a void row."""
    generator = torch.Generator().manual_seed(seed)
    outputs = torch.randn(2, classes, height, width, generator=generator, requires_grad=True)
    labels = torch.randint(0, classes, (2, height, width), generator=generator)
    labels[:, 0, :] = VOID
    return outputs, labels


def _student_loss(problems, compute_loss, outputs, labels, criterion, hint=""):
    """The student's loss of (outputs, labels) as a scalar tensor; else a problem (``hint`` added), and stop."""
    what = text("checks.training.compute_loss_call", classes=outputs.shape[1])
    try:
        loss = run_student_code(problems, what, compute_loss, outputs, labels, criterion)
    except Failed:
        problems[-1] += hint
        raise
    if not isinstance(loss, torch.Tensor) or loss.dim() != 0:
        problems.append(text("checks.training.loss_not_scalar"))
        raise Failed
    return loss


def _check_criterion(problems, criterion, compute_loss):
    """nn.CrossEntropyLoss, mean over the pixels, void ignored, no class weights or smoothing."""
    if isinstance(criterion, nn.NLLLoss):
        outputs, labels = _loss_probe(3, 5, 7, seed=0)
        loss = _student_loss(problems, compute_loss, outputs, labels, criterion)
        reference = F.cross_entropy(outputs, labels, ignore_index=VOID)
        same = torch.isclose(loss.detach().to(reference.dtype), reference)
        problems.append(
            text(
                "checks.training.nll_loss",
                value=text("checks.training.nll_value_right" if same else "checks.training.nll_value_wrong"),
            )
        )
        raise Failed
    if not isinstance(criterion, nn.CrossEntropyLoss):
        problems.append(text("checks.training.not_cross_entropy", kind=type(criterion).__name__))
        raise Failed  # the loss computed with another criterion would only add confusing messages
    if criterion.reduction != "mean":
        problems.append(text("checks.training.reduction", reduction=criterion.reduction))
        raise Failed
    if criterion.ignore_index != VOID:
        problems.append(text("checks.training.ignore_index"))
        raise Failed
    if criterion.weight is not None or criterion.label_smoothing:
        problems.append(text("checks.training.weighted_criterion"))
        raise Failed


@exercise("loss", notebook="02_fcn_alexnet", names=("compute_loss", "make_criterion"), group="training-pieces")
def check_loss(compute_loss, criterion, verbose: bool = True) -> CheckResult:
    """Loss over the flattened pixels, void (255) ignored, equal to PyTorch's reference value, for several
    class counts and sizes.

    ``criterion`` is the criterion itself or the student's ``make_criterion`` (called here).
    """
    problems = []
    with judging(problems):
        criterion = made_criterion(problems, criterion)
        _check_criterion(problems, criterion, compute_loss)
        for index, (classes, height, width) in enumerate(((3, 5, 7), (5, 4, 6))):
            outputs, labels = _loss_probe(classes, height, width, seed=index)
            reference = F.cross_entropy(outputs, labels, ignore_index=VOID)
            hint = text("checks.training.hint_class_count") if index else ""
            loss = _student_loss(problems, compute_loss, outputs, labels, criterion, hint)
            value = loss.detach().to(reference.dtype)  # a loss computed in double precision is compared all the same
            if not torch.isclose(value, reference):  # rtol 1e-5: float rounding (~1e-7 for a loss near 1) passes
                problems.append(
                    text(
                        "checks.training.wrong_loss",
                        classes=classes,
                        value=loss.item(),
                        reference=reference.item(),
                        hint=_loss_hint(value, outputs.detach(), labels),
                    )
                    + hint
                )
                raise Failed
            if index == 0:
                loss.backward()
                if outputs.grad is None or not torch.isfinite(outputs.grad).all():
                    problems.append(text("checks.training.loss_no_gradient"))
                    raise Failed
    return finish("loss", problems, verbose)


# --------------------------------------------------------------------------------------------------
# A tiny training round with the student's pieces
# --------------------------------------------------------------------------------------------------
def _tiny_loader(n: int = 4, size: int = 64):
    """One batch of easy data: a bright square (class 1) and a dark disc (class 2) with void borders."""
    generator = torch.Generator().manual_seed(0)
    images = torch.randn(n, 3, size, size, generator=generator) * 0.1
    labels = torch.zeros(n, size, size, dtype=torch.long)
    labels[:, 8:32, 8:32] = 1
    labels[:, 36:60, 30:56] = 2
    images[:, :, 8:32, 8:32] += 1.5
    images[:, :, 36:60, 30:56] -= 1.5
    labels[:, 7, 7:33] = VOID
    return [(images, labels)]


@exercise(
    "training",
    notebook="02_fcn_alexnet",
    names=("FCN_AlexNet", "make_optimizer", "compute_loss", "make_criterion"),
    group="training-pieces",
)
def check_training(model_cls, make_optimizer, compute_loss, criterion, verbose: bool = True) -> CheckResult:
    """Train a few steps on one easy batch: the loss must fall and the figures must be sane.

    Before training, the model must return raw scores and leave nothing frozen (it is trained from scratch);
    when the loss does not fall, the hint says why (no parameter of the net in the optimiser, a zero learning
    rate, frozen weights, weights that never change) or that the cause is unknown.
    """
    problems, calls = [], []
    torch.manual_seed(0)
    with judging(problems), offline_backbones(calls):
        criterion = made_criterion(problems, criterion)
        net = build_model(problems, text("checks.models.build"), calls, model_cls, 3, pretrained=False, skip=False)
        args = {**_optimizer_args(False, False), "lr": 1e-3}
        optimizer = run_student_code(problems, "make_optimizer", make_optimizer, net, args)
        loader, device = _tiny_loader(), torch.device("cpu")
        _check_before_training(net, loader, problems)

        def loss_fn(outputs, labels):
            return compute_loss(outputs, labels, criterion)

        before = {name: p.detach().clone() for name, p in net.named_parameters()}
        start = _evaluation_loss(problems, net, loader, loss_fn)
        first = last = None
        for epoch in range(1, 9):
            with contextlib.redirect_stdout(io.StringIO()):  # keep the notebook output short
                stats = run_student_code(
                    problems,
                    "train_one_epoch",
                    train_one_epoch,
                    net,
                    loader,
                    loss_fn,
                    optimizer,
                    device,
                    epoch,
                    3,
                    progress=False,
                )
            first = first or stats
            last = stats
        with contextlib.redirect_stdout(io.StringIO()):
            val = run_student_code(problems, "validate", validate, net, loader, loss_fn, device, 1, 3, progress=False)
        figures = [last["loss_mean"], val["loss_mean"], val["miou_fg"], val["pixel_acc"]]
        if not all(np.isfinite(figures)):
            problems.append(text("checks.training.not_finite", figures=figures))
        elif not last["loss_mean"] < first["loss_mean"]:
            problems.append(
                text(
                    "checks.training.loss_did_not_fall",
                    first=first["loss_mean"],
                    last=last["loss_mean"],
                    hint=_no_learning_hint(net, optimizer, before),
                )
            )
        elif not (0.0 <= val["miou_fg"] <= 1.0 and 0.0 <= val["pixel_acc"] <= 1.0):
            problems.append(
                text("checks.training.metrics_out_of_range", miou=val["miou_fg"], accuracy=val["pixel_acc"])
            )
        elif not val["loss_mean"] < start:  # dropout makes the training losses noisy: evaluation mode is not
            problems.append(
                text(
                    "checks.training.eval_loss_did_not_fall",
                    first=start,
                    last=val["loss_mean"],
                    hint=_no_learning_hint(net, optimizer, before),
                )
            )
    return finish("training", problems, verbose)


def _check_before_training(net, loader, problems):
    """Raw scores out of the model, and nothing frozen in a model trained from scratch."""
    images = loader[0][0]
    net.eval()
    with torch.no_grad():
        output = run_student_code(problems, text("checks.training.forward"), net, images)
    if isinstance(output, torch.Tensor):
        check_raw_scores(net, images, output, problems, text("checks.training.forward"))
    check_trainable(net, problems)
    net.train()


def _evaluation_loss(problems, net, loader, loss_fn) -> float:
    """The loss on the batch in evaluation mode (no dropout): the figure training must lower."""
    images, labels = loader[0]
    net.eval()
    with torch.no_grad():
        loss = run_student_code(problems, "compute_loss", loss_fn, net(images), labels)
    net.train()
    return float(loss)


def _no_learning_hint(net, optimizer, before: dict) -> str:
    """Why the loss did not fall, found by looking at the optimiser and the weights; neutral when unknown."""
    in_optimizer = {id(p) for group in getattr(optimizer, "param_groups", []) for p in group["params"]}
    parameters = list(net.named_parameters())
    if not any(id(p) in in_optimizer for _, p in parameters):
        return text("checks.training.no_learning_foreign_parameters")
    if all(group.get("lr", 0) == 0 for group in optimizer.param_groups):
        return text("checks.training.no_learning_zero_lr")
    frozen = [name for name, p in parameters if not p.requires_grad]
    if frozen:
        return text("checks.training.no_learning_frozen", name=frozen[0], count=len(frozen), total=len(parameters))
    if all(torch.equal(p.detach(), before[name]) for name, p in parameters):
        return text("checks.training.no_learning_unchanged")
    return text("checks.training.no_learning_unknown")

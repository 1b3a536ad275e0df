"""The exercises ``optimizer``, ``loss`` and ``training``: the optimiser (four cases), the loss over flattened pixels, and a tiny training round."""
from __future__ import annotations

import contextlib
import io
import math

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from fcn_course.checks.feedback import CheckResult, Failed, finish, run_student_code
from fcn_course.checks.exercise import exercise
from fcn_course.engine import train_one_epoch, validate
from fcn_course.voc import VOID  # label 255: ignored by the loss and the metrics


def _optimizer_args(pretrained: bool, skip: bool, momentum: float = 0.9, weight_decay: float = 5e-4) -> dict:
    return {"lr": 1e-3, "weight_decay": weight_decay, "momentum": momentum, "pretrained": pretrained, "skip": skip,
            "n_classes": 3}


# The four cases pretrained × skip. The from-scratch ones change momentum and weight decay, so that an optimiser
# that ignores args (Adam's default betas (0.9, 0.999) equal momentum 0.9) or hard-codes them is caught.
OPTIMIZER_CASES = [(True, True, 0.9, 5e-4), (True, False, 0.9, 5e-4), (False, True, 0.8, 1e-4),
                   (False, False, 0.8, 1e-4)]


@exercise("optimizer", notebook="02_fcn_alexnet", names=("make_optimizer", "FCN_AlexNet"), group="training-pieces")
def check_optimizer(make_optimizer, model_cls, verbose: bool = True) -> CheckResult:
    """The four cases pretrained × skip: Adam, betas, weight decay, learning rate of each part."""
    problems = []
    try:
        for pretrained, skip, momentum, weight_decay in OPTIMIZER_CASES:
            case = f"pretrained={pretrained}, skip={skip}"
            args = _optimizer_args(pretrained, skip, momentum, weight_decay)
            net = run_student_code(problems, f"criar o modelo ({case})", model_cls, 3, pretrained=False, skip=skip)
            optimizer = run_student_code(problems, f"make_optimizer ({case})", make_optimizer, net, args)
            _check_one_optimizer(net, optimizer, args, case, problems)
            if problems:
                raise Failed
    except Failed:
        pass
    return finish("optimizer", problems, verbose)


def _check_hyperparameters(optimizer, args, case, problems):
    """betas and weight decay, once per optimiser (not once per parameter group)."""
    betas = {tuple(group["betas"]) for group in optimizer.param_groups}
    want_betas = (args["momentum"], 0.999)
    if betas != {want_betas}:
        problems.append(f"{case}: com args['momentum'] = {args['momentum']}, betas deveria ser "
                        f"(args['momentum'], 0.999) = {want_betas}, veio {sorted(betas)[0]}. Dica: passe "
                        "betas=(args['momentum'], 0.999) ao Adam (o padrão do Adam não segue args).")
    decays = {group["weight_decay"] for group in optimizer.param_groups}
    if not all(math.isclose(decay, args["weight_decay"]) for decay in decays):
        problems.append(f"{case}: weight_decay deveria ser args['weight_decay'] ({args['weight_decay']:g}), veio "
                        f"{sorted(decays)[0]:g}. Dica: passe weight_decay=args['weight_decay'] ao Adam (vale para "
                        "todos os grupos de parâmetros).")


def _check_one_optimizer(net, optimizer, args, case, problems):
    if not isinstance(optimizer, torch.optim.Adam):
        problems.append(f"{case}: use torch.optim.Adam (veio {type(optimizer).__name__}).")
        return
    _check_hyperparameters(optimizer, args, case, problems)
    lr, seen = args["lr"], {}
    for group in optimizer.param_groups:
        for p in group["params"]:
            if id(p) in seen:
                problems.append(f"{case}: um mesmo parâmetro aparece duas vezes no otimizador (passe cada um uma vez só).")
                return
            seen[id(p)] = group["lr"]
    trainable = [(name, p) for name, p in net.named_parameters() if p.requires_grad]
    absent = [name for name, p in trainable if id(p) not in seen]
    if absent:
        count = (f"falta 1 de {len(trainable)} tensores de parâmetros" if len(absent) == 1 else
                 f"faltam {len(absent)} de {len(trainable)} tensores de parâmetros")
        problems.append(f"{case}: o parâmetro `{absent[0]}` não está no otimizador (não seria treinado); {count}.")
        return
    for name, p in trainable:
        is_backbone = name.split(".")[0].startswith("backbone")
        want = lr * 0.1 if (is_backbone and args["pretrained"]) else lr
        if not math.isclose(seen[id(p)], want, rel_tol=1e-6):
            part = "do backbone" if is_backbone else "do classificador"
            if args["pretrained"]:
                rule = "o backbone pré-treinado usa lr × 0.1 e o resto usa lr"
            else:
                rule = ("treinando do zero (pretrained=False) o backbone não tem pesos do ImageNet a preservar: "
                        "tudo usa o mesmo lr; o lr × 0.1 vale só com pretrained=True")
            problems.append(f"{case}: parâmetros {part} (`{name}`) com lr={seen[id(p)]:g}, esperado {want:g} "
                            f"({rule}).")
            return


def _loss_hint(loss, outputs, labels) -> str:
    """The likely cause of a wrong loss value, in Portuguese (each known mistake gets its own hint)."""
    n_classes = outputs.shape[1]
    flat_outputs = outputs.permute(0, 2, 3, 1).reshape(-1, n_classes)
    known = {
        "scrambled": F.cross_entropy(outputs.reshape(-1, n_classes), labels.reshape(-1)[: outputs.numel() // n_classes],
                                     ignore_index=VOID),
        "sum": F.cross_entropy(outputs, labels, ignore_index=VOID, reduction="sum"),
        "softmax": F.cross_entropy(flat_outputs.softmax(dim=1), labels.reshape(-1), ignore_index=VOID),
    }
    hints = {
        "scrambled": "parece que você achatou [B, C, H, W] direto com view/reshape(-1, C): isso mistura canais e "
                     "pixels. O eixo das classes precisa ser o último antes do reshape (veja torch.permute).",
        "sum": "parece a soma da perda nos pixels, não a média: use reduction='mean' (o padrão) e não multiplique "
               "pelo número de pixels.",
        "softmax": "parece que você aplicou softmax antes da perda: nn.CrossEntropyLoss já aplica log_softmax, "
                   "então passe os escores brutos (logits) da rede.",
    }
    for name, value in known.items():
        if torch.isclose(loss, value, rtol=1e-4, atol=1e-5):
            return hints[name]
    return "achate as saídas para [B·H·W, C] (permute + reshape) e os rótulos para [B·H·W]."


def made_criterion(problems: list, criterion_or_factory):
    """The criterion a check is given: an ``nn.Module`` as it is, else the student's ``make_criterion()``."""
    if isinstance(criterion_or_factory, nn.Module):
        return criterion_or_factory
    return run_student_code(problems, "make_criterion()", criterion_or_factory)


@exercise("loss", notebook="02_fcn_alexnet", names=("compute_loss", "make_criterion"), group="training-pieces")
def check_loss(compute_loss, criterion, verbose: bool = True) -> CheckResult:
    """Loss over the flattened pixels, void (255) ignored, equal to PyTorch's reference value.

    ``criterion`` is the criterion itself or the student's ``make_criterion`` (called here).
    """
    problems = []
    generator = torch.Generator().manual_seed(0)
    outputs = torch.randn(2, 3, 5, 7, generator=generator, requires_grad=True)
    labels = torch.randint(0, 3, (2, 5, 7), generator=generator)
    labels[:, 0, :] = VOID
    reference = F.cross_entropy(outputs, labels, ignore_index=VOID)
    try:
        criterion = made_criterion(problems, criterion)
        if not isinstance(criterion, nn.CrossEntropyLoss):
            problems.append(f"o critério deve ser nn.CrossEntropyLoss (veio {type(criterion).__name__}).")
            raise Failed  # the loss computed with another criterion would only add confusing messages
        elif criterion.reduction != "mean":
            problems.append(f"o critério usa reduction={criterion.reduction!r}: a perda deve ser a média nos pixels "
                            "(reduction='mean', o padrão), senão ela cresce com o tamanho da imagem e do lote.")
            raise Failed
        elif criterion.ignore_index != VOID:
            problems.append("o critério deve ignorar os pixels void: nn.CrossEntropyLoss(ignore_index=255). "
                            "Void é a borda incerta dos objetos, não é fundo.")
            raise Failed
        loss = run_student_code(problems, "compute_loss", compute_loss, outputs, labels, criterion)
        if not isinstance(loss, torch.Tensor) or loss.dim() != 0:
            problems.append("compute_loss deve devolver um tensor escalar (a média da perda nos pixels).")
            raise Failed
        value = loss.detach().to(reference.dtype)  # a loss computed in double precision is compared all the same
        if not torch.isclose(value, reference):  # rtol 1e-5: float rounding (~1e-7 for a loss near 1) passes
            hint = _loss_hint(value, outputs.detach(), labels)
            problems.append(f"valor da perda {loss.item():.5f}, esperado {reference.item():.5f}. Dica: {hint}")
            raise Failed
        loss.backward()
        if outputs.grad is None or not torch.isfinite(outputs.grad).all():
            problems.append("a perda não propaga gradiente até as saídas da rede (não use .detach()/.item()).")
    except Failed:
        pass
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


@exercise("training", notebook="02_fcn_alexnet",
          names=("FCN_AlexNet", "make_optimizer", "compute_loss", "make_criterion"), group="training-pieces")
def check_training(model_cls, make_optimizer, compute_loss, criterion, verbose: bool = True) -> CheckResult:
    """Train a few steps on one easy batch: the loss must fall and the figures must be sane."""
    problems = []
    torch.manual_seed(0)
    try:
        criterion = made_criterion(problems, criterion)
        net = run_student_code(problems, "criar o modelo", model_cls, 3, pretrained=False, skip=False)
        args = {**_optimizer_args(False, False), "lr": 1e-3}
        optimizer = run_student_code(problems, "make_optimizer", make_optimizer, net, args)

        def loss_fn(outputs, labels):
            return compute_loss(outputs, labels, criterion)

        loader, device = _tiny_loader(), torch.device("cpu")
        first = last = None
        for epoch in range(1, 9):
            with contextlib.redirect_stdout(io.StringIO()):  # keep the notebook output short
                stats = run_student_code(problems, "train_one_epoch", train_one_epoch, net, loader, loss_fn, optimizer,
                             device, epoch, 3, progress=False)
            first = first or stats
            last = stats
        with contextlib.redirect_stdout(io.StringIO()):
            val = run_student_code(problems, "validate", validate, net, loader, loss_fn, device, 1, 3, progress=False)
        figures = [last["loss_mean"], val["loss_mean"], val["miou_fg"], val["pixel_acc"]]
        if not all(np.isfinite(figures)):
            problems.append(f"valores não finitos (perda/mIoU): {figures}. Verifique a perda e o lr.")
        elif not last["loss_mean"] < first["loss_mean"]:
            problems.append(f"a perda não caiu em 8 passos no mesmo lote ({first['loss_mean']:.3f} → "
                            f"{last['loss_mean']:.3f}): confira o otimizador (zero_grad/step) e a perda.")
        elif not (0.0 <= val["miou_fg"] <= 1.0 and 0.0 <= val["pixel_acc"] <= 1.0):
            problems.append(f"métricas fora de [0, 1]: {val['miou_fg']}, {val['pixel_acc']}.")
    except Failed:
        pass
    return finish("training", problems, verbose)

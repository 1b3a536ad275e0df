"""Self-checks for the course's exercises, with feedback in Portuguese.

Run a check right after an exercise cell, e.g. ``checks.check_fcn(FCN_AlexNet, skip=False)``. Each check
prints what is right or wrong (with a hint) and returns a :class:`CheckResult`; it never raises because of a
wrong answer, so the rest of the notebook keeps working. Only an exercise that is still a stub (it raises
``NotImplementedError``) makes the check cell raise :class:`ExerciseNotDone`, so that "Run all" stops at the
first unfinished exercise instead of failing further down. The instructor's grader calls :func:`run_all`.

The checks compare the student's code with *behaviour* (shapes, gradients, reference values from PyTorch),
never with a copy of the solution.
"""
from __future__ import annotations

import contextlib
import io
import math
import traceback
import functools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable
from unittest import mock

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.overrides import TorchFunctionMode

from fcn_course import backbones
from fcn_course.engine import train_one_epoch, validate
from fcn_course.metrics import ConfusionMatrix
from fcn_course.outline import COURSE_NOTEBOOKS
from fcn_course.voc import VOID  # label 255: ignored by the loss and the metrics


@dataclass
class CheckResult:
    """Outcome of one check: which exercise, whether it passed, and the feedback lines."""

    exercise: str
    passed: bool
    messages: list = field(default_factory=list)

    def __str__(self) -> str:
        head = f"{'✅' if self.passed else '❌'} {self.exercise}"
        if self.passed:
            return head + ": tudo certo!"
        return "\n".join([head + ":"] + [f"   - {m}" for m in self.messages])

    def __bool__(self) -> bool:
        return self.passed


class _Failed(Exception):
    """Internal: stops a check at the first problem found (message already in Portuguese)."""


class ExerciseNotDone(NotImplementedError):
    """The exercise still holds its stub: a check cell raises this so that "Run all" stops there."""


def _finish(exercise: str, problems: list, verbose: bool) -> CheckResult:
    result = CheckResult(exercise, passed=not problems, messages=[str(m) for m in problems])
    if verbose:
        print(result)
        stub = next((m for m in problems if isinstance(m, _StubMessage)), None)
        if stub:
            raise ExerciseNotDone(f"{exercise}: {stub}")
    return result


class _StubMessage(str):
    """A problem message that says the exercise is still the stub (the check cell then raises)."""


def _describe_error(error: BaseException) -> str:
    """Short Portuguese description of an exception raised by the student's code."""
    if isinstance(error, NotImplementedError):
        hint = str(error) or "complete o trecho marcado"
        return f"ainda não implementado ({hint})"
    where = traceback.extract_tb(error.__traceback__)
    line = f" (linha {where[-1].lineno}: `{where[-1].line}`)" if where and where[-1].line else ""
    return f"seu código gerou {type(error).__name__}: {error}{line}"


def _run(problems: list, what: str, function, *args, **kwargs):
    """Call the student's code; turn an exception into a Portuguese problem and stop the check."""
    try:
        return function(*args, **kwargs)
    except backbones.PretrainedWeightsError:
        raise
    except Exception as error:  # the student's code may fail in any way: report it
        message = f"{what}: {_describe_error(error)}"
        problems.append(_StubMessage(message) if isinstance(error, NotImplementedError) else message)
        raise _Failed from error


# --------------------------------------------------------------------------------------------------
# Exercício 0: IoU and Dice from a confusion matrix
# --------------------------------------------------------------------------------------------------
def _reference_iou_dice(matrix: np.ndarray):
    """IoU and Dice per class as the library computes them (fcn_course.metrics.ConfusionMatrix)."""
    confusion = ConfusionMatrix(len(matrix))
    confusion.matrix = torch.as_tensor(matrix, dtype=torch.int64)
    scores = confusion.compute()
    return np.array(scores["iou"], dtype=float), np.array(scores["dice"], dtype=float)


def check_iou_from_confusion(function, verbose: bool = True) -> CheckResult:
    """Exercício 0: ``function(matrix) -> (iou, dice)`` per class, NaN for classes that never appear."""
    exercise = exercise_title("iou")
    problems = []
    cases = {
        "uma matriz 3x3 comum": np.array([[50, 3, 2], [4, 20, 1], [6, 0, 14]]),
        "uma classe ausente (linha e coluna zeradas)": np.array([[10, 2, 0], [1, 7, 0], [0, 0, 0]]),
        "predição perfeita": np.diag([5, 9, 4]),
    }
    try:
        for name, matrix in cases.items():
            got = _run(problems, f"com {name}", function, matrix.copy())
            if not (isinstance(got, tuple) and len(got) == 2):
                problems.append("a função deve devolver uma tupla (iou, dice).")
                raise _Failed
            want = _reference_iou_dice(matrix)
            for label, value, expected in zip(("IoU", "Dice"), got, want):
                value = np.asarray(value, dtype=float)
                if value.shape != expected.shape:
                    problems.append(f"{label} com {name}: esperado um valor por classe {expected.shape}, "
                                    f"veio {value.shape}.")
                    raise _Failed
                if not np.allclose(value, expected, equal_nan=True, atol=1e-6):
                    hint = ("para uma classe que não aparece nem no rótulo nem na predição, devolva NaN "
                            "(0/0), não 0 nem 1." if np.isnan(expected).any() else
                            "lembre: IoU = TP/(TP+FP+FN) e Dice = 2TP/(2TP+FP+FN); linhas = classe real, "
                            "colunas = classe predita; FP soma a coluna, FN soma a linha (sem o TP).")
                    problems.append(f"{label} com {name}: esperado {np.round(expected, 4)}, "
                                    f"veio {np.round(value, 4)}. Dica: {hint}")
                    raise _Failed
    except _Failed:
        pass
    return _finish(exercise, problems, verbose)


# --------------------------------------------------------------------------------------------------
# Exercícios 1, 2 e 4: the FCN classes
# --------------------------------------------------------------------------------------------------
def _backbone_of(model_cls, backbone=None):
    """The registered backbone of the student's class: given by name, else found from the class."""
    if backbone is not None:
        return backbones.get_backbone(backbone)
    return backbones.backbone_for_class(model_cls)


@functools.lru_cache(maxsize=None)
def _first_conv_shape(name: str) -> tuple:
    """Weight shape of the first convolution of backbone ``name`` (built once, without weights)."""
    features = backbones.get_backbone(name).build(weights=None).features
    return tuple(_first_conv(features).weight.shape)


def _first_conv(module: nn.Module):
    return next((m for m in module.modules() if isinstance(m, nn.Conv2d)), None)


@contextlib.contextmanager
def _spy_backbone_loader(calls: list):
    """Replace ``fcn_course.backbones.load_backbone`` (behind ``load_alexnet``, ``load_vgg16``...) by a spy.

    The spy records the ``pretrained`` argument and returns a network whose weights are a recognisable
    pattern (no download needed), so the check can see whether they reach the model untouched
    (pretrained=True) or are re-initialised (pretrained=False). It works however the student imported the
    loader (``from fcn_course.backbones import load_alexnet as carrega``, ``backbones.load_alexnet``...).
    """
    real_loader = backbones.load_backbone

    def spy(name, pretrained=False, *args, **kwargs):
        calls.append(bool(pretrained))
        net = real_loader(name, pretrained=False)
        # A recognisable pattern in the part an FCN reuses: it must survive with pretrained=True and be
        # replaced by initialize_weights with pretrained=False.
        generator = torch.Generator().manual_seed(1234)
        with torch.no_grad():
            for p in net.features.parameters():
                p.copy_(torch.rand(p.shape, generator=generator) * 1e-3 + 0.5)
        return net

    with mock.patch.object(backbones, "load_backbone", spy):
        yield


class _UpsamplingRecorder(TorchFunctionMode):
    """Records the ``mode`` of every ``F.interpolate`` call made inside ``with`` (however it was imported:
    ``F.interpolate``, ``from torch.nn.functional import interpolate``, ``nn.Upsample``...)."""

    def __init__(self):
        super().__init__()
        self.modes = []

    def __torch_function__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        if func is F.interpolate:
            self.modes.append(kwargs.get("mode", args[3] if len(args) > 3 else "nearest"))
        return func(*args, **kwargs)


def _check_structure(net: nn.Module, skip: bool, first_conv_shape, problems: list):
    names = ("backbone1", "backbone2", "classifier") if skip else ("backbone", "classifier")
    missing = [n for n in names if not isinstance(getattr(net, n, None), nn.Module)]
    if missing:
        problems.append(f"faltam os atributos {', '.join('self.' + n for n in missing)} "
                        f"(com skip={skip} a rede deve ter {', '.join(names)}).")
        raise _Failed
    first = _first_conv(getattr(net, names[0]))
    if first is None or tuple(first.weight.shape) != first_conv_shape:
        problems.append(f"`{names[0]}` deve começar pela primeira convolução do backbone do torchvision "
                        f"(pesos {first_conv_shape}); use as camadas `features` do modelo carregado.")
    if any(isinstance(m, nn.Linear) for m in net.modules()):
        problems.append("a FCN não deve ter camadas nn.Linear: troque as camadas totalmente conectadas por "
                        "convoluções (é isso que torna a rede 'totalmente convolucional').")
    last_conv = [m for m in net.classifier.modules() if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d))]
    if not last_conv:
        problems.append("`classifier` deve conter convoluções (a última com num_classes canais de saída).")


def _check_shapes(net: nn.Module, sizes, num_classes: int, problems: list):
    net.eval()
    for h, w in sizes:
        x = torch.randn(2, 3, h, w)
        with torch.no_grad():
            out = _run(problems, f"forward com entrada [2, 3, {h}, {w}]", net, x)
        expected = (2, num_classes, h, w)
        if isinstance(out, torch.Tensor) and out.dim() == 4 and out.shape[1] != num_classes:
            problems.append(f"com num_classes={num_classes} a saída tem {out.shape[1]} canais: a última "
                            "convolução do classifier deve ter num_classes canais de saída (não fixe 3).")
            raise _Failed
        if not isinstance(out, torch.Tensor) or tuple(out.shape) != expected:
            shape = tuple(out.shape) if isinstance(out, torch.Tensor) else type(out).__name__
            problems.append(f"para a entrada [2, 3, {h}, {w}] a saída deveria ser {list(expected)}, veio "
                            f"{list(shape) if isinstance(shape, tuple) else shape}. Dica: interpole os escores "
                            "para o tamanho da entrada (x.shape[-2:]), não para um tamanho fixo como 224.")
            raise _Failed


def _check_skip_used(net: nn.Module, problems: list):
    """The output must depend on backbone1's features directly, not only through backbone2."""
    x = torch.randn(1, 3, 96, 96)
    clean = {}

    def keep_clean(module, inputs, output):
        clean["f1"] = output.detach().clone()

    net.eval()
    handle = net.backbone1.register_forward_hook(keep_clean)
    with torch.no_grad():
        reference = net(x)
    handle.remove()

    def perturb(module, inputs, output):
        return output + torch.randn_like(output) * (output.abs().mean() + 1.0)

    def feed_clean(module, inputs):
        return (clean["f1"],)

    handles = [net.backbone1.register_forward_hook(perturb), net.backbone2.register_forward_pre_hook(feed_clean)]
    try:
        with torch.no_grad():
            perturbed = net(x)
    finally:
        for h in handles:
            h.remove()
    if torch.allclose(reference, perturbed):
        problems.append("a saída não muda quando só o caminho raso (saída de backbone1) muda: a skip "
                        "connection não está sendo usada. Dica: concatene as features de backbone1 com as de "
                        "backbone2 (interpoladas para o mesmo tamanho) com torch.cat(..., dim=1) antes do "
                        "classifier.")


def _check_pretrained_flag(model_cls, skip: bool, loader_name: str, problems: list):
    for pretrained in (True, False):
        calls = []
        with _spy_backbone_loader(calls):
            net = _run(problems, f"criar o modelo com pretrained={pretrained}", model_cls, 3,
                       pretrained=pretrained, skip=skip)
        if not calls:
            problems.append(f"o modelo não chamou `{loader_name}(pretrained)` de fcn_course.backbones; use-o "
                            "para que o argumento pretrained seja respeitado (ele baixa/carrega os pesos do "
                            "ImageNet ou explica como obtê-los).")
            return
        if calls[0] != pretrained:
            problems.append(f"com pretrained={pretrained} o backbone foi carregado com pretrained={calls[0]}: "
                            f"passe o argumento adiante, `{loader_name}(pretrained)`.")
            return
        first = _first_conv(net.backbone1 if skip else net.backbone)
        marked = first is not None and bool(((first.weight > 0.499) & (first.weight < 0.5011)).all())
        if pretrained and not marked:
            problems.append("com pretrained=True os pesos do ImageNet foram sobrescritos depois de carregados; "
                            "só chame initialize_weights quando pretrained=False.")
        if not pretrained and marked:
            problems.append("com pretrained=False os pesos deveriam ser inicializados: chame "
                            "initialize_weights(self) no fim do __init__ quando pretrained=False.")


def check_fcn(model_cls, skip: bool = False, verbose: bool = True, backbone=None) -> CheckResult:
    """Exercícios 1, 2 e 4: structure, output shapes, upsampling, skip path and the pretrained flag.

    The backbone (and so the first convolution expected, the loader to call and the input sizes to try)
    comes from the registry in ``fcn_course.backbones``: from ``backbone`` when given, else from the class.
    """
    spec = _backbone_of(model_cls, backbone)
    if spec is None:
        names = ", ".join(entry.class_name for entry in backbones.BACKBONES.values())
        return _finish(f"FCN {getattr(model_cls, '__name__', model_cls)}", [
            f"não reconheci o backbone de {getattr(model_cls, '__name__', model_cls)!s}: use um dos nomes de "
            f"classe do curso ({names}) ou chame check_fcn(..., backbone='alexnet')."], verbose)
    exercise = fcn_exercise_title(spec, skip)
    loader_name, first_conv_shape = spec.loader_name, _first_conv_shape(spec.name)
    problems = []
    sizes = list(spec.check_sizes)
    try:
        net = _run(problems, "criar o modelo", model_cls, 3, pretrained=False, skip=skip)
        _check_structure(net, skip, first_conv_shape, problems)
        with _UpsamplingRecorder() as recorder:
            _check_shapes(net, sizes, 3, problems)
        modes = recorder.modes
        uses_module = any(isinstance(m, nn.ConvTranspose2d) for m in net.modules())
        if not modes and not uses_module:
            problems.append("não encontrei upsampling: use F.interpolate(..., mode='bilinear') para voltar ao "
                            "tamanho da entrada.")
        elif modes and "bilinear" not in modes and not uses_module:
            problems.append(f"o upsampling usa mode={modes[0]!r}; as FCNs usam interpolação bilinear "
                            "(mode='bilinear').")
        five = _run(problems, "criar o modelo com num_classes=5", model_cls, 5, pretrained=False, skip=skip)
        _check_shapes(five, sizes[:1], 5, problems)
        if skip:
            _check_skip_used(net, problems)
        _check_pretrained_flag(model_cls, skip, loader_name, problems)
    except _Failed:
        pass
    return _finish(exercise, problems, verbose)


# --------------------------------------------------------------------------------------------------
# Optimiser and loss
# --------------------------------------------------------------------------------------------------
def _optimizer_args(pretrained: bool, skip: bool) -> dict:
    return {"lr": 1e-3, "weight_decay": 5e-4, "momentum": 0.9, "pretrained": pretrained, "skip": skip,
            "n_classes": 3}


def check_optimizer(make_optimizer, model_cls, verbose: bool = True) -> CheckResult:
    """The four cases pretrained × skip: Adam, betas, weight decay, learning rate of each part."""
    exercise = exercise_title("optimizer")
    problems = []
    try:
        for pretrained in (True, False):
            for skip in (True, False):
                case = f"pretrained={pretrained}, skip={skip}"
                args = _optimizer_args(pretrained, skip)
                net = _run(problems, f"criar o modelo ({case})", model_cls, 3, pretrained=False, skip=skip)
                optimizer = _run(problems, f"make_optimizer ({case})", make_optimizer, net, args)
                _check_one_optimizer(net, optimizer, args, case, problems)
                if problems:
                    raise _Failed
    except _Failed:
        pass
    return _finish(exercise, problems, verbose)


def _check_one_optimizer(net, optimizer, args, case, problems):
    if not isinstance(optimizer, torch.optim.Adam):
        problems.append(f"{case}: use torch.optim.Adam (veio {type(optimizer).__name__}).")
        return
    lr, seen = args["lr"], {}
    for group in optimizer.param_groups:
        if tuple(group["betas"]) != (args["momentum"], 0.999):
            problems.append(f"{case}: betas deveria ser (args['momentum'], 0.999), veio {tuple(group['betas'])}.")
        if not math.isclose(group["weight_decay"], args["weight_decay"]):
            problems.append(f"{case}: weight_decay deveria ser args['weight_decay'] ({args['weight_decay']}), "
                            f"veio {group['weight_decay']}.")
        for p in group["params"]:
            if id(p) in seen:
                problems.append(f"{case}: um mesmo parâmetro aparece em dois grupos do otimizador.")
            seen[id(p)] = group["lr"]
    trainable = [(name, p) for name, p in net.named_parameters() if p.requires_grad]
    absent = [name for name, p in trainable if id(p) not in seen]
    if absent:
        problems.append(f"{case}: o parâmetro `{absent[0]}` não está no otimizador (não seria treinado); "
                        f"faltam {len(absent)} de {len(trainable)} tensores de parâmetros.")
        return
    for name, p in trainable:
        is_backbone = name.split(".")[0].startswith("backbone")
        want = lr * 0.1 if (is_backbone and args["pretrained"]) else lr
        if not math.isclose(seen[id(p)], want, rel_tol=1e-6):
            part = "do backbone" if is_backbone else "do classificador"
            rule = ("o backbone pré-treinado usa lr × 0.1 e o resto usa lr" if args["pretrained"]
                    else "treinando do zero, tudo usa o mesmo lr")
            problems.append(f"{case}: parâmetros {part} (`{name}`) com lr={seen[id(p)]:g}, esperado {want:g} "
                            f"({rule}).")
            return


def check_loss(compute_loss, criterion, verbose: bool = True) -> CheckResult:
    """Loss over the flattened pixels, void (255) ignored, equal to PyTorch's reference value."""
    exercise = exercise_title("loss")
    problems = []
    generator = torch.Generator().manual_seed(0)
    outputs = torch.randn(2, 3, 5, 7, generator=generator, requires_grad=True)
    labels = torch.randint(0, 3, (2, 5, 7), generator=generator)
    labels[:, 0, :] = VOID
    reference = F.cross_entropy(outputs, labels, ignore_index=VOID)
    try:
        if not isinstance(criterion, nn.CrossEntropyLoss):
            problems.append(f"o critério deve ser nn.CrossEntropyLoss (veio {type(criterion).__name__}).")
        elif criterion.ignore_index != VOID:
            problems.append("o critério deve ignorar os pixels void: nn.CrossEntropyLoss(ignore_index=255). "
                            "Void é a borda incerta dos objetos, não é fundo.")
            raise _Failed
        loss = _run(problems, "compute_loss", compute_loss, outputs, labels, criterion)
        if not isinstance(loss, torch.Tensor) or loss.dim() != 0:
            problems.append("compute_loss deve devolver um tensor escalar (a média da perda nos pixels).")
            raise _Failed
        if not torch.isclose(loss.detach(), reference, atol=1e-5):
            scrambled = F.cross_entropy(outputs.reshape(-1, 3), labels.reshape(-1)[: outputs.numel() // 3],
                                        ignore_index=VOID)
            hint = ("parece que você achatou [B, C, H, W] direto com view/reshape(-1, C): isso mistura canais e "
                    "pixels. O eixo das classes precisa ser o último antes do reshape (veja torch.permute)."
                    if torch.isclose(loss.detach(), scrambled, atol=1e-5) else
                    "achate as saídas para [B·H·W, C] (permute + reshape) e os rótulos para [B·H·W].")
            problems.append(f"valor da perda {loss.item():.5f}, esperado {reference.item():.5f}. Dica: {hint}")
            raise _Failed
        loss.backward()
        if outputs.grad is None or not torch.isfinite(outputs.grad).all():
            problems.append("a perda não propaga gradiente até as saídas da rede (não use .detach()/.item()).")
    except _Failed:
        pass
    return _finish(exercise, problems, verbose)


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


def check_training(model_cls, make_optimizer, compute_loss, criterion, verbose: bool = True) -> CheckResult:
    """Train a few steps on one easy batch: the loss must fall and the figures must be sane."""
    exercise = exercise_title("training")
    problems = []
    torch.manual_seed(0)
    try:
        net = _run(problems, "criar o modelo", model_cls, 3, pretrained=False, skip=False)
        args = {**_optimizer_args(False, False), "lr": 1e-3}
        optimizer = _run(problems, "make_optimizer", make_optimizer, net, args)

        def loss_fn(outputs, labels):
            return compute_loss(outputs, labels, criterion)

        loader, device = _tiny_loader(), torch.device("cpu")
        first = last = None
        for epoch in range(1, 9):
            with contextlib.redirect_stdout(io.StringIO()):  # keep the notebook output short
                stats = _run(problems, "train_one_epoch", train_one_epoch, net, loader, loss_fn, optimizer,
                             device, epoch, 3, progress=False)
            first = first or stats
            last = stats
        with contextlib.redirect_stdout(io.StringIO()):
            val = _run(problems, "validate", validate, net, loader, loss_fn, device, 1, 3, progress=False)
        figures = [last["loss_mean"], val["loss_mean"], val["miou_fg"], val["pixel_acc"]]
        if not all(np.isfinite(figures)):
            problems.append(f"valores não finitos (perda/mIoU): {figures}. Verifique a perda e o lr.")
        elif not last["loss_mean"] < first["loss_mean"]:
            problems.append(f"a perda não caiu em 8 passos no mesmo lote ({first['loss_mean']:.3f} → "
                            f"{last['loss_mean']:.3f}): confira o otimizador (zero_grad/step) e a perda.")
        elif not (0.0 <= val["miou_fg"] <= 1.0 and 0.0 <= val["pixel_acc"] <= 1.0):
            problems.append(f"métricas fora de [0, 1]: {val['miou_fg']}, {val['pixel_acc']}.")
    except _Failed:
        pass
    return _finish(exercise, problems, verbose)


# --------------------------------------------------------------------------------------------------
# Everything, for the grader
# --------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Exercise:
    """One self-checked exercise: the registry row the notebooks, the grader and the tests share."""

    key: str           # unique: "alexnet-skip"
    number: str        # as the notebooks number it, in reading order
    notebook: str      # file name without extension, e.g. "02_fcn_alexnet"
    title: str         # what the student reads in the feedback
    names: tuple       # what the notebook must define for the check to run
    run: Callable      # run(namespace, verbose) -> CheckResult
    required: bool = True  # optional exercises never stop "Run all"


def _fcn_exercise(key, number, notebook, backbone, class_name, skip, title):
    return Exercise(key, number, notebook, title, (class_name,),
                    lambda ns, verbose: check_fcn(ns[class_name], skip, verbose, backbone=backbone))


EXERCISES = (
    Exercise("iou", "0", "01_dados_e_metricas", "Exercício 0 (IoU e Dice a partir da matriz de confusão)",
             ("iou_and_dice_from_confusion",),
             lambda ns, verbose: check_iou_from_confusion(ns["iou_and_dice_from_confusion"], verbose=verbose),
             required=False),
    _fcn_exercise("alexnet-noskip", "1", "02_fcn_alexnet", "alexnet", "FCN_AlexNet", False,
                  "Exercício 1 (FCN-AlexNet sem skip)"),
    _fcn_exercise("alexnet-skip", "2", "02_fcn_alexnet", "alexnet", "FCN_AlexNet", True,
                  "Exercício 2 (FCN-AlexNet com skip)"),
    Exercise("optimizer", "3", "02_fcn_alexnet", "Exercício 3: otimizador (quatro casos pretrained × skip)",
             ("make_optimizer", "FCN_AlexNet"),
             lambda ns, verbose: check_optimizer(ns["make_optimizer"], ns["FCN_AlexNet"], verbose)),
    Exercise("loss", "3", "02_fcn_alexnet", "Exercício 3: função de perda (entropia cruzada nos pixels achatados)",
             ("compute_loss", "make_criterion"),
             lambda ns, verbose: check_loss(ns["compute_loss"], ns["make_criterion"](), verbose)),
    Exercise("training", "3", "02_fcn_alexnet", "Exercício 3: treino e validação com as suas peças",
             ("FCN_AlexNet", "make_optimizer", "compute_loss", "make_criterion"),
             lambda ns, verbose: check_training(ns["FCN_AlexNet"], ns["make_optimizer"], ns["compute_loss"],
                                                ns["make_criterion"](), verbose)),
    _fcn_exercise("vgg16-noskip", "4", "03_fcn_vgg16", "vgg16", "FCN_VGG16", False,
                  "Exercício 4 (FCN-VGG16 sem skip)"),
    _fcn_exercise("vgg16-skip", "4", "03_fcn_vgg16", "vgg16", "FCN_VGG16", True,
                  "Exercício 4 (FCN-VGG16 com skip)"),
)
EXERCISES_BY_KEY = {exercise.key: exercise for exercise in EXERCISES}


def exercise_title(key: str) -> str:
    """The title students read for exercise ``key`` (from EXERCISES)."""
    return EXERCISES_BY_KEY[key].title


def fcn_exercise_title(spec, skip) -> str:
    """The title of the FCN exercise of backbone ``spec`` with/without skip (a generic one for extra backbones)."""
    key = f"{spec.name}-{'skip' if skip else 'noskip'}"
    if key in EXERCISES_BY_KEY:
        return EXERCISES_BY_KEY[key].title
    return f"FCN-{spec.display_name} {'com' if skip else 'sem'} skip"


def exercises_for_notebook(file_name: str):
    """Keys of the exercises of a course notebook, found from the number its file name starts with.

    Copies renamed by Colab or a browser ("Cópia de 02_fcn_alexnet.ipynb", "02_fcn_alexnet (1).ipynb") are
    recognised too. None when the name matches no course notebook.
    """
    name = Path(file_name).stem
    for prefix in ("Cópia de ", "Copy of ", "Copia de "):
        name = name.removeprefix(prefix)
    number = name.strip()[:2]
    if number not in {notebook[:2] for notebook in COURSE_NOTEBOOKS}:
        return None
    return tuple(exercise.key for exercise in EXERCISES if exercise.notebook[:2] == number)


def run_all(namespace: dict, exercises=None, verbose: bool = False) -> list:
    """Run the checks of ``exercises`` (keys of EXERCISES; None = all) on ``namespace``.

    ``namespace`` holds a student's notebook definitions. A name the student deleted or renamed is
    reported as missing; a stub is reported as not implemented; nothing raises.
    """
    results = []
    for exercise in EXERCISES:
        if exercises is not None and exercise.key not in exercises:
            continue
        absent = [name for name in exercise.names if name not in namespace]
        if absent:
            results.append(CheckResult(exercise.title, False, [
                f"não encontrei {', '.join(absent)} no notebook {exercise.notebook}.ipynb (a célula do "
                f"exercício {exercise.number} foi apagada, renomeada ou não roda?)."]))
            continue
        try:
            results.append(exercise.run(namespace, verbose))
        except Exception as error:  # e.g. make_criterion itself is still a stub
            results.append(CheckResult(exercise.title, False, [_describe_error(error)]))
    return results

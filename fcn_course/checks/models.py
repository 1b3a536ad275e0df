"""The FCN exercises (rows ``<backbone>-skip``/``-noskip``): the FCN classes (structure, output shapes, upsampling, skip path, pretrained flag).

The backbone of the student's class, and with it the first convolution expected, the loader and the input
sizes to try, comes from the registry in ``fcn_course.backbones``.
"""
from __future__ import annotations

import contextlib
import functools
from unittest import mock

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.overrides import TorchFunctionMode

from fcn_course import backbones
from fcn_course.checks.feedback import CheckResult, Failed, finish, run_student_code
from fcn_course.checks.exercise import Exercise, register
from fcn_course.messages import text


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


def _mark(net: nn.Module) -> nn.Module:
    """Give the part an FCN reuses (``features``) a recognisable pattern of weights.

    It must survive with pretrained=True and be replaced by initialize_weights with pretrained=False.
    """
    generator = torch.Generator().manual_seed(1234)
    with torch.no_grad():
        for p in net.features.parameters():
            p.copy_(torch.rand(p.shape, generator=generator) * 1e-3 + 0.5)
    return net


def _is_marked(module) -> bool:
    first = _first_conv(module) if module is not None else None
    return first is not None and bool(((first.weight > 0.499) & (first.weight < 0.5011)).all())


@functools.lru_cache(maxsize=None)
def _torchvision_class(name: str):
    """torchvision's model class behind backbone ``name`` (``AlexNet``, ``VGG``); None for other builders."""
    cls = type(backbones.get_backbone(name).build(weights=None))
    return cls if cls.__module__.startswith("torchvision.") else None


@contextlib.contextmanager
def _spy_backbone_loader(calls: list):
    """Watch every way a student may build the backbone, without downloading anything.

    ``calls`` receives one ``pretrained`` flag per backbone built. Spied: ``fcn_course.backbones.load_backbone``
    (behind ``load_alexnet``, ``load_vgg16``..., however the student imported them, aliases included) and
    torchvision's own builders (``torchvision.models.alexnet(weights=...)``): their model classes are patched to
    record the construction and their weight enums to hand over a recognisable pattern instead of downloading
    (whether the weights are fetched after the model is built, as torchvision does, or before).
    The check then sees whether the weights reach the model untouched (pretrained=True) or are re-initialised
    (pretrained=False).
    """
    from torchvision.models._api import WeightsEnum

    real_loader = backbones.load_backbone
    inside_loader, weights_fetched_first = [], []  # names of the backbones being loaded / fetched early

    def spy(name, pretrained=False, *args, **kwargs):
        calls.append(bool(pretrained))
        inside_loader.append(name)
        try:
            return _mark(real_loader(name, pretrained=False))
        finally:
            inside_loader.pop()

    def spied_init(real_init):
        def init(self, *args, **kwargs):
            real_init(self, *args, **kwargs)
            if not inside_loader:  # False, unless the weights were fetched first (True after, if they are then)
                calls.append(bool(weights_fetched_first))
            _mark(self)
        return init

    def fake_weights(self, *args, **kwargs):
        spec = next((spec for spec in backbones.BACKBONES.values() if type(spec.weights) is type(self)), None)
        if spec is None:
            raise backbones.PretrainedWeightsError(f"{self} não é um backbone do curso: use um dos registrados.")
        if calls:
            calls[-1] = True  # torchvision's builders: the model is built first, then its weights are fetched
        else:
            weights_fetched_first.append(spec.name)  # the state dict first, loaded into the model built next
        return _mark(spec.build(weights=None)).state_dict()

    with contextlib.ExitStack() as stack:
        stack.enter_context(mock.patch.object(backbones, "load_backbone", spy))
        stack.enter_context(mock.patch.object(WeightsEnum, "get_state_dict", fake_weights))
        for cls in {_torchvision_class(name) for name in backbones.BACKBONES} - {None}:
            stack.enter_context(mock.patch.object(cls, "__init__", spied_init(cls.__init__)))
        yield


class _UpsamplingRecorder(TorchFunctionMode):
    """Records the ``mode`` of every ``F.interpolate`` call made inside ``with`` (however it was imported:
    ``F.interpolate``, ``from torch.nn.functional import interpolate``, ``nn.Upsample``...)."""

    def __init__(self):
        super().__init__()
        self.modes = []

    def __torch_function__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        if func is F.interpolate:  # it hands every argument but the input over as keywords, mode included
            self.modes.append(kwargs["mode"])
        return func(*args, **kwargs)


def _check_structure(net: nn.Module, skip: bool, first_conv_shape, problems: list):
    names = ("backbone1", "backbone2", "classifier") if skip else ("backbone", "classifier")
    missing = [n for n in names if not isinstance(getattr(net, n, None), nn.Module)]
    if missing:
        problems.append(f"faltam os atributos {', '.join('self.' + n for n in missing)} "
                        f"(com skip={skip} a rede deve ter {', '.join(names)}).")
        raise Failed
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
            out = run_student_code(problems, f"forward com entrada [2, 3, {h}, {w}]", net, x)
        expected = (2, num_classes, h, w)
        if isinstance(out, torch.Tensor) and out.dim() == 4 and out.shape[1] != num_classes:
            problems.append(f"com num_classes={num_classes} a saída tem {out.shape[1]} canais: a última "
                            "convolução do classifier deve ter num_classes canais de saída (não fixe 3).")
            raise Failed
        if not isinstance(out, torch.Tensor) or tuple(out.shape) != expected:
            shape = tuple(out.shape) if isinstance(out, torch.Tensor) else type(out).__name__
            problems.append(f"para a entrada [2, 3, {h}, {w}] a saída deveria ser {list(expected)}, veio "
                            f"{list(shape) if isinstance(shape, tuple) else shape}. Dica: interpole os escores "
                            "para o tamanho da entrada (x.shape[-2:]), não para um tamanho fixo como 224.")
            raise Failed


def _footprint(net: nn.Module, x: torch.Tensor, path: str) -> int:
    """How many output pixels change when the features of ``path`` change at one position.

    ``path`` is "shallow" (backbone1's output; backbone2 keeps its clean input, so only the skip path sees the
    change) or "deep" (backbone2's output). Fine detail shows as a small footprint.
    """
    clean = {}
    hooks = [net.backbone1.register_forward_hook(lambda m, i, o: clean.__setitem__("shallow", o.detach().clone())),
             net.backbone2.register_forward_hook(lambda m, i, o: clean.__setitem__("deep", o.detach().clone()))]
    with torch.no_grad():
        reference = net(x)
    for hook in hooks:
        hook.remove()
    features = clean[path]
    delta = torch.zeros_like(features)
    generator = torch.Generator().manual_seed(0)
    delta[..., features.shape[-2] // 2, features.shape[-1] // 2] = (
        torch.randn(features.shape[1], generator=generator) * (features.abs().mean() * 10 + 1))
    module = net.backbone1 if path == "shallow" else net.backbone2
    hooks = [module.register_forward_hook(lambda m, i, o: o + delta)]
    if path == "shallow":
        hooks.append(net.backbone2.register_forward_pre_hook(lambda m, i: (clean["shallow"],)))
    try:
        with torch.no_grad():
            changed = (net(x) - reference).abs().sum(dim=(0, 1))
    finally:
        for hook in hooks:
            hook.remove()
    return int((changed > changed.max() * 1e-3).sum()) if changed.max() > 0 else 0


def _check_skip_used(net: nn.Module, size, problems: list):
    """The output must depend on backbone1's features directly, and with finer detail than 1/32."""
    net.eval()
    x = torch.randn(1, 3, *size)
    shallow, deep = _footprint(net, x, "shallow"), _footprint(net, x, "deep")
    if shallow == 0:
        problems.append("a saída não muda quando só o caminho raso (saída de backbone1) muda: a skip "
                        "connection não está sendo usada. Dica: concatene as features de backbone1 com as de "
                        "backbone2 (interpoladas para o mesmo tamanho) com torch.cat(..., dim=1) antes do "
                        "classifier.")
        raise Failed
    if shallow >= deep / 2:
        problems.append("a skip connection não traz detalhe fino: uma mudança num ponto das features de "
                        f"backbone1 altera {shallow} pixels da saída, tanto quanto um ponto do mapa de 1/32 "
                        f"({deep} pixels). Dica: a fusão deve acontecer na resolução de backbone1 (amplie as "
                        "features profundas até o tamanho das rasas, não reduza as rasas a 1/32).")
        raise Failed


def _check_pretrained_flag(model_cls, skip: bool, loader_name: str, problems: list):
    for pretrained in (True, False):
        calls = []
        with _spy_backbone_loader(calls):
            net = run_student_code(problems, f"criar o modelo com pretrained={pretrained}", model_cls, 3,
                       pretrained=pretrained, skip=skip)
        if not calls:
            problems.append(f"o modelo não chamou `{loader_name}(pretrained)` de fcn_course.backbones (nem o "
                            "construtor do torchvision); use-o para que o argumento pretrained seja respeitado "
                            "(ele baixa/carrega os pesos do ImageNet ou explica como obtê-los).")
            return
        if calls[0] != pretrained:
            problems.append(f"com pretrained={pretrained} o backbone foi carregado com pretrained={calls[0]}: "
                            f"passe o argumento adiante, `{loader_name}(pretrained)`.")
            return
        marked = _is_marked(getattr(net, "backbone1" if skip else "backbone", None))
        if pretrained and not marked:
            problems.append("com pretrained=True os pesos do ImageNet foram sobrescritos depois de carregados; "
                            "só chame initialize_weights quando pretrained=False.")
        if not pretrained and marked:
            problems.append("com pretrained=False os pesos deveriam ser inicializados: chame "
                            "initialize_weights(self) no fim do __init__ quando pretrained=False.")


def _check_variant(model_cls, skip, spec, problems: list):
    """Structure, output shapes, upsampling and the skip path of one variant (False, True/"8s" or "16s")."""
    sizes = list(spec.check_sizes)
    net = run_student_code(problems, "criar o modelo", model_cls, 3, pretrained=False, skip=skip)
    _check_structure(net, bool(skip), _first_conv_shape(spec.name), problems)
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
    five = run_student_code(problems, "criar o modelo com num_classes=5", model_cls, 5, pretrained=False, skip=skip)
    _check_shapes(five, sizes[:1], 5, problems)
    if skip:
        _check_skip_used(net, sizes[0], problems)


def check_fcn(model_cls, skip: bool = False, verbose: bool = True, backbone=None) -> CheckResult:
    """The FCN exercises: structure, output shapes, upsampling, skip path and the pretrained flag.

    ``skip=True`` checks both skip variants the exercise asks for: "8s" (``True``) and "16s"; each must use
    the shallow path with finer detail than the 1/32 map.

    The backbone (and so the first convolution expected, the loader to call and the input sizes to try)
    comes from the registry in ``fcn_course.backbones``: from ``backbone`` when given, else from the class.
    """
    spec = _backbone_of(model_cls, backbone)
    if spec is None:
        names = ", ".join(entry.class_name for entry in backbones.BACKBONES.values())
        name = getattr(model_cls, "__name__", model_cls)
        return finish("fcn", [text("checks.fcn_unknown_backbone", name=name, names=names)], verbose,
                      title=f"FCN {name}")
    key = fcn_exercise_key(spec.name, skip)
    problems = []
    try:
        for variant in ([True, "16s"] if skip is True else [skip]):
            variant_problems = []
            try:
                _check_variant(model_cls, variant, spec, variant_problems)
            finally:
                prefix = "com skip='16s': " if variant == "16s" else ""
                problems.extend(type(m)(prefix + m) for m in variant_problems)
        _check_pretrained_flag(model_cls, skip, spec.loader_name, problems)
    except Failed:
        pass
    return finish(key, problems, verbose, title=_extra_backbone_title(spec, skip))


def fcn_exercise_key(backbone: str, skip) -> str:
    """``alexnet-skip``: the key of the FCN exercise of ``backbone`` with or without skip."""
    return f"{backbone}-{'skip' if skip else 'noskip'}"


def _extra_backbone_title(spec, skip) -> str:
    """The title of the FCN of a backbone the course has no exercise for (``FCN-TinyNet com skip``)."""
    return text("exercise.fcn_extra_backbone", backbone=spec.display_name,
                skip=text("exercise.with_skip" if skip else "exercise.without_skip"))


# The course's FCN exercises: each backbone with and without skip, in the notebook that builds it. Rows of
# one group share a number (VGG16's two variants and the FCN-8s head of notebook 03 are one exercise).
COURSE_FCNS = (("alexnet", "02_fcn_alexnet", None), ("vgg16", "03_fcn_vgg16", "vgg16"))
for _backbone, _notebook, _group in COURSE_FCNS:
    for _skip in (False, True):
        register(Exercise(fcn_exercise_key(_backbone, _skip), _notebook,
                          (backbones.get_backbone(_backbone).class_name,),
                          functools.partial(check_fcn, skip=_skip, backbone=_backbone), group=_group))

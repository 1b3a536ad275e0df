"""The FCN exercises (rows ``<backbone>-skip``/``-noskip``): the FCN classes (structure, output shapes, upsampling, skip path, pretrained flag).

The backbone of the student's class, and with it the first convolution expected, the loader, the cuts and the
input sizes to try, comes from the registry in ``fcn_course.backbones``. Every model is built under
:func:`offline_backbones`, which stands in for the ImageNet weights (nothing is downloaded) and records which
``pretrained`` flag each backbone was loaded with. The probes here (raw scores, evaluation mode, nothing frozen
from scratch, bilinear upsampling) are shared with the other checks that build a model (training, scores).

Why this module is long: each FCN mistake a student makes needs its own probe (raw scores, evaluation mode,
frozen layers, the backbone's cut, the interpolation at every level, the pretrained flag), and they all share
the offline stand-in for the weights; split them by probe when a new one is added.
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
from fcn_course.checks.exercise import Exercise, register
from fcn_course.checks.feedback import CheckResult, Failed, NotACourseBackbone, finish, judging, run_student_code
from fcn_course.messages import text


def _backbone_of(model_cls, backbone=None):
    """The registered backbone of the student's class: given by name, else found from the class."""
    if backbone is not None:
        return backbones.get_backbone(backbone)
    return backbones.backbone_for_class(model_cls)


@functools.lru_cache(maxsize=None)
def _first_conv_shape(name: str) -> tuple:
    """Weight shape of the first convolution of backbone ``name`` (built once, without weights)."""
    return tuple(_first_conv(_shell(name).features).weight.shape)


def _shell(name: str) -> nn.Module:
    """Backbone ``name`` built on the meta device: its layers and shapes, without memory or initialisation (quick
    even for VGG16)."""
    with torch.device("meta"):
        return backbones.get_backbone(name).build(weights=None)


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
    cls = type(_shell(name))
    return cls if cls.__module__.startswith("torchvision.") else None


_INITIAL_WEIGHTS = {}  # backbone name -> its randomly initialised state dict, drawn once per process
_PROBES = {}  # backbone name -> {key: every PROBE_STRIDE-th value} of its shared (non-features) tensors
PROBE_STRIDE = 4099  # sparse enough to cost nothing, dense enough to see any initialisation run over a tensor
REUSED_PART = "features."  # the part of a backbone an FCN reuses: each build gets its own copy


def _initial_weights(name: str, building: list) -> dict:
    """The state dict of backbone ``name`` as ``build(weights=None)`` initialises it, drawn once per process
    from a fixed seed (without touching the global random state): the checks build the backbone a dozen times
    per submission, and drawing AlexNet's 58 M classifier weights each time was half of the checks' CPU time.
    ``building`` is the loader's stack of the spies below: the template is no model of the student's."""
    if name not in _INITIAL_WEIGHTS or not _shared_part_intact(name):
        building.append(name)
        try:
            with torch.random.fork_rng(devices=[]):
                torch.manual_seed(0)
                _INITIAL_WEIGHTS[name] = backbones.get_backbone(name).build(weights=None).state_dict()
        finally:
            building.pop()
        _PROBES[name] = {key: _probe(value) for key, value in _shared_part(_INITIAL_WEIGHTS[name]).items()}
    return _INITIAL_WEIGHTS[name]


def _shared_part(state: dict) -> dict:
    """The entries of a backbone's state dict outside :data:`REUSED_PART` (the ImageNet classifier)."""
    return {key: value for key, value in state.items() if not key.startswith(REUSED_PART)}


def _probe(tensor: torch.Tensor) -> torch.Tensor:
    return tensor.detach().reshape(-1)[::PROBE_STRIDE].clone()


def _shared_part_intact(name: str) -> bool:
    """False when a student's code changed the shared classifier in place (``initialize_weights`` over the whole
    network, ``.data.normal_()``...): the template is then drawn again, so the next model starts as a copy would."""
    shared = _shared_part(_INITIAL_WEIGHTS[name])
    return all(torch.equal(_probe(shared[key]), probe) for key, probe in _PROBES[name].items())


def _fresh_backbone(name: str, building: list) -> nn.Module:
    """Backbone ``name`` as ``build(weights=None)`` gives it (the same constructor runs, so the spies see the same
    calls), its weights taken from :func:`_initial_weights` instead of drawn anew: deterministic and independent
    of every other model. ``features``, the part an FCN reuses, trains and re-initialises, is a copy of its own;
    the rest (VGG16's 124 M classifier weights, which an FCN drops) shares the template's memory, since copying
    it for each of a dozen builds was most of a VGG16 check's time; a change to it is seen and undone
    (:func:`_shared_part_intact`)."""
    initial = _initial_weights(name, building)
    with torch.device("meta"):
        net = backbones.get_backbone(name).build(weights=None)
    if any(buffer not in initial for buffer, _ in net.named_buffers()):  # one the state dict does not hold
        return backbones.get_backbone(name).build(weights=None)
    net.load_state_dict(_shared_part(initial), strict=False, assign=True)
    net.features.to_empty(device="cpu")
    net.features.load_state_dict(
        {key[len(REUSED_PART) :]: value for key, value in initial.items() if key.startswith(REUSED_PART)}
    )
    if any(tensor.is_meta for tensor in [*net.parameters(), *net.buffers()]):  # a part outside the state dict
        return backbones.get_backbone(name).build(weights=None)
    return net


@contextlib.contextmanager
def offline_backbones(calls: list):
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

    inside_loader, weights_fetched_first = [], []  # names of the backbones being loaded / fetched early

    def spy(name, pretrained=False, *args, **kwargs):
        calls.append(bool(pretrained))
        inside_loader.append(name)
        try:
            return _mark(_fresh_backbone(name, inside_loader))  # what real_loader(name, False) builds
        finally:
            inside_loader.pop()

    def spied_init(real_init):
        def init(self, *args, **kwargs):
            real_init(self, *args, **kwargs)
            if not inside_loader:  # False, unless the weights were fetched first (True after, if they are then)
                calls.append(bool(weights_fetched_first))
                weights_fetched_first.clear()  # those weights went into this model
            _mark(self)

        return init

    def fake_weights(self, *args, **kwargs):
        spec = next((spec for spec in backbones.BACKBONES.values() if type(spec.weights) is type(self)), None)
        if spec is None:
            raise NotACourseBackbone(
                text("checks.models.not_a_course_backbone", weights=self, names=", ".join(backbones.BACKBONES))
            )
        if calls:
            calls[-1] = True  # torchvision's builders: the model is built first, then its weights are fetched
        else:
            weights_fetched_first.append(spec.name)  # the state dict first, loaded into the model built next
        return _mark(_fresh_backbone(spec.name, inside_loader)).state_dict()

    with contextlib.ExitStack() as stack:
        stack.enter_context(mock.patch.object(backbones, "load_backbone", spy))
        stack.enter_context(mock.patch.object(WeightsEnum, "get_state_dict", fake_weights))
        for cls in {_torchvision_class(name) for name in backbones.BACKBONES} - {None}:
            stack.enter_context(mock.patch.object(cls, "__init__", spied_init(cls.__init__)))
        yield


class UpsamplingRecorder(TorchFunctionMode):
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


def build_model(problems: list, what: str, calls: list, model_cls, *args, **kwargs):
    """Build the student's model inside :func:`offline_backbones` (``calls`` then holds, for this model
    only, the ``pretrained`` flag each backbone was loaded with)."""
    calls.clear()
    return run_student_code(problems, what, model_cls, *args, **kwargs)


def _check_structure(net: nn.Module, skip: bool, first_conv_shape, problems: list) -> bool:
    """The attributes of the variant, the course's backbone, no nn.Linear, a convolutional classifier; whether the
    backbone starts like the course's (its cuts can then be compared with the registry's)."""
    names = ("backbone1", "backbone2", "classifier") if skip else ("backbone", "classifier")
    missing = [n for n in names if not isinstance(getattr(net, n, None), nn.Module)]
    if missing:
        problems.append(
            text(
                "checks.models.missing_attributes",
                missing=", ".join("self." + n for n in missing),
                skip=skip,
                names=", ".join(names),
            )
        )
        raise Failed
    first = _first_conv(getattr(net, names[0]))
    course_backbone = first is not None and tuple(first.weight.shape) == first_conv_shape
    if not course_backbone:
        problems.append(text("checks.models.first_conv", name=names[0], shape=first_conv_shape))
    if any(isinstance(m, nn.Linear) for m in net.modules()):
        problems.append(text("checks.models.linear_layers"))
    last_conv = [m for m in net.classifier.modules() if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d))]
    if not last_conv:
        problems.append(text("checks.models.classifier_without_conv"))
    return course_backbone


def check_trainable(net: nn.Module, problems: list):
    """Trained from scratch (pretrained=False), every parameter must learn: nothing frozen."""
    parameters = list(net.named_parameters())
    frozen = [name for name, p in parameters if not p.requires_grad]
    if frozen:
        problems.append(
            text("checks.models.frozen_from_scratch", count=len(frozen), total=len(parameters), name=frozen[0])
        )
        raise Failed


def _class_count_problem(channels: int, num_classes: int) -> str:
    """The hint for an output with ``channels`` channels where ``num_classes`` were asked for."""
    if channels == num_classes + 1:
        return text("checks.models.void_channel", num_classes=num_classes, channels=channels)
    return text("checks.models.wrong_class_count", num_classes=num_classes, channels=channels)


def _activation_kind(output) -> str:
    """What a model's output looks like when a final activation transformed its scores: "softmax",
    "log_softmax", "sigmoid" or "ReLU"; None when it can be raw scores."""
    output = output.detach().float()
    if output.dim() < 2 or output.numel() < 8:
        return None
    if output.min() >= 0 and output.max() <= 1 and torch.allclose(output.sum(dim=1), torch.ones(()), atol=1e-3):
        return "softmax"
    if output.max() <= 0 and torch.allclose(output.logsumexp(dim=1), torch.zeros(()), atol=1e-3):
        return "log_softmax"
    if output.min() > 0 and output.max() < 1:
        return "sigmoid"
    if output.min() >= 0 and output.max() > 0:
        return "ReLU"
    return None


def last_conv(net: nn.Module):
    classifier = getattr(net, "classifier", None)
    convs = (
        [m for m in classifier.modules() if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d))]
        if isinstance(classifier, nn.Module)
        else []
    )
    return convs[-1] if convs else None


def check_raw_scores(
    net: nn.Module,
    x: torch.Tensor,
    output: torch.Tensor,
    problems: list,
    what: str,
    kinds=("softmax", "log_softmax", "sigmoid", "ReLU"),
):
    """The model must return raw class scores: the loss (CrossEntropyLoss) applies log-softmax itself.

    An output that looks transformed (all probabilities, all non-negative...) is probed once more with the
    sign of the classifier's last convolution flipped: raw scores change sign with it, a final activation
    keeps its look (a ReLU over scores that were all positive gives all zeros: still non-negative). Without that convolution only softmax and log_softmax (exact properties) are reported.
    Only the activations in ``kinds`` are reported (a check with a more precise probe for one leaves it out).
    """
    kind = _activation_kind(output)
    if kind not in kinds:
        return
    last = last_conv(net)
    if last is not None:
        with torch.no_grad():
            for parameter in last.parameters():
                parameter.neg_()
            try:
                flipped = run_student_code(problems, what, net, x)
            finally:
                for parameter in last.parameters():
                    parameter.neg_()
        if _activation_kind(flipped) != kind and not (kind == "ReLU" and flipped.min() >= 0):
            return  # raw scores: they changed sign (a ReLU's output stays non-negative, all zero at worst)
    elif kind in ("sigmoid", "ReLU"):
        return
    problems.append(text("checks.models.not_raw_scores", kind=kind))
    raise Failed


def check_eval_behavior(net: nn.Module, x: torch.Tensor, output: torch.Tensor, problems: list, what: str):
    """In evaluation mode the output is deterministic (no dropout left on) and each image's output does not
    depend on the other images of the batch (no batch norm on the batch's statistics)."""
    with torch.no_grad():
        again = run_student_code(problems, what, net, x)
        if not torch.allclose(again, output, atol=1e-5, rtol=1e-4):
            problems.append(text("checks.models.dropout_in_eval"))
            raise Failed
        alone = run_student_code(problems, what, net, x[:1])
    if not torch.allclose(alone, output[:1], atol=1e-4, rtol=1e-3):
        problems.append(text("checks.models.batch_statistics_in_eval"))
        raise Failed


def _check_shapes(net: nn.Module, sizes, num_classes: int, problems: list, probe_eval: bool = False):
    """Output [2, num_classes, H, W] for every input size, in evaluation mode; with ``probe_eval``, also raw
    scores and a sane evaluation mode (on the first size)."""
    net.eval()
    for index, (h, w) in enumerate(sizes):
        x = torch.randn(2, 3, h, w)
        what = text("checks.models.forward", height=h, width=w)
        with torch.no_grad():
            out = run_student_code(problems, what, net, x)
        expected = (2, num_classes, h, w)
        if isinstance(out, torch.Tensor) and out.dim() == 4 and out.shape[1] != num_classes:
            problems.append(_class_count_problem(out.shape[1], num_classes))
            raise Failed
        if not isinstance(out, torch.Tensor) or tuple(out.shape) != expected:
            shape = list(out.shape) if isinstance(out, torch.Tensor) else type(out).__name__
            problems.append(
                text("checks.models.wrong_output_shape", height=h, width=w, expected=list(expected), shape=shape)
            )
            raise Failed
        if probe_eval and index == 0:
            check_raw_scores(net, x, out, problems, what)
            check_eval_behavior(net, x, out, problems, what)


@functools.lru_cache(maxsize=None)
def _reference_shape(name: str, end, size: tuple) -> tuple:
    """[C, h, w] of ``features[:end]`` (``end`` None = the whole ``features``) of backbone ``name`` for an input
    of ``size``: where a right cut of the backbone ends."""
    features = _shell(name).features
    with torch.no_grad():
        return tuple(features[:end](torch.zeros(1, 3, *size, device="meta")).shape[1:])


def reference_shapes(spec, size: tuple) -> dict:
    """The output shapes of the right cuts of ``spec``'s features for an input of ``size``: {8, 16, 32: [C, h, w]}."""
    return {stride: _reference_shape(spec.name, spec.cuts.get(stride), size) for stride in (8, 16, 32)}


def _outputs_of(net: nn.Module, names, x: torch.Tensor) -> dict:
    """The outputs of the submodules ``names`` during one forward pass (those that ran)."""
    seen, hooks = {}, []
    for name in names:
        module = getattr(net, name)
        hooks.append(
            module.register_forward_hook(
                lambda m, i, o, name=name: seen.setdefault(name, o) if isinstance(o, torch.Tensor) else None
            )
        )
    try:
        with torch.no_grad():
            net(x)
    finally:
        for hook in hooks:
            hook.remove()
    return seen


def _describe_shape(shape) -> str:
    return text("checks.models.map_shape", channels=shape[0], height=shape[1], width=shape[2])


def _check_cut(net: nn.Module, skip, spec, shapes: dict, size: tuple, problems: list):
    """The backbone is cut where the variant says: the whole ``features`` (1/32) without skip; for "8s" and "16s"
    backbone1 ends at the pooling of 1/8 or 1/16 and backbone2 is the rest."""
    names = ("backbone1", "backbone2") if skip else ("backbone",)
    seen = _outputs_of(net, names, torch.randn(1, 3, *size))
    deep = seen.get(names[-1])
    if deep is not None and tuple(deep.shape[1:]) != shapes[32]:
        problems.append(
            text(
                "checks.models.deep_cut",
                name=names[-1],
                expected=_describe_shape(shapes[32]),
                shape=_describe_shape(deep.shape[1:]),
                height=size[0],
                width=size[1],
            )
        )
        raise Failed
    if not skip or "backbone1" not in seen:
        return
    stride = 16 if skip == "16s" else 8
    shallow = tuple(seen["backbone1"].shape[1:])
    if shallow != shapes[stride]:
        other = 8 if stride == 16 else 16
        built_as = text("checks.models.built_as", other=f"{other}s") if shallow == shapes[other] else ""
        problems.append(
            text(
                "checks.models.shallow_cut",
                skip="8s" if skip is True else skip,
                stride=stride,
                expected=_describe_shape(shapes[stride]),
                shape=_describe_shape(shallow),
                height=size[0],
                width=size[1],
                built_as=built_as,
            )
        )
        raise Failed


def _footprint(net: nn.Module, x: torch.Tensor, path: str) -> int:
    """How many output pixels change when the features of ``path`` change at one position.

    ``path`` is "shallow" (backbone1's output; backbone2 keeps its clean input, so only the skip path sees the
    change) or "deep" (backbone2's output). Fine detail shows as a small footprint.
    """
    clean = {}
    hooks = [
        net.backbone1.register_forward_hook(lambda m, i, o: clean.__setitem__("shallow", o.detach().clone())),
        net.backbone2.register_forward_hook(lambda m, i, o: clean.__setitem__("deep", o.detach().clone())),
    ]
    try:
        with torch.no_grad():
            reference = net(x)
    finally:
        for hook in hooks:
            hook.remove()
    features = clean[path]
    delta = torch.zeros_like(features)
    generator = torch.Generator().manual_seed(0)
    delta[..., features.shape[-2] // 2, features.shape[-1] // 2] = torch.randn(
        features.shape[1], generator=generator
    ) * (features.abs().mean() * 10 + 1)
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
        problems.append(text("checks.models.skip_unused"))
        raise Failed
    if shallow >= deep / 2:
        problems.append(text("checks.models.skip_coarse", shallow=shallow, deep=deep))
        raise Failed


def _check_pretrained_flag(model_cls, skip, loader_name: str, calls: list, problems: list):
    for pretrained in (True, False):
        net = build_model(
            problems,
            text("checks.models.build_pretrained", pretrained=pretrained),
            calls,
            model_cls,
            3,
            pretrained=pretrained,
            skip=skip,
        )
        if not calls:
            problems.append(text("checks.models.loader_not_called", loader=loader_name))
            return
        if calls[0] != pretrained:
            problems.append(
                text("checks.models.flag_not_passed", pretrained=pretrained, loaded=calls[0], loader=loader_name)
            )
            return
        marked = _is_marked(getattr(net, "backbone1" if skip else "backbone", None))
        if pretrained and not marked:
            problems.append(text("checks.models.pretrained_overwritten"))
        if not pretrained and marked:
            problems.append(text("checks.models.never_initialised"))


def check_upsampling_modes(modes: list, uses_module: bool, problems: list):
    """Every interpolation of the scores is bilinear (a transposed convolution may stand for one)."""
    if not modes and not uses_module:
        problems.append(text("checks.models.no_upsampling"))
        return
    wrong = [mode for mode in modes if mode not in ("bilinear", "bicubic")]
    if wrong:
        problems.append(text("checks.models.not_bilinear", mode=wrong[0]))


def _check_variant(model_cls, skip, spec, calls: list, problems: list):
    """Structure, output shapes, upsampling and the skip path of one variant (False, True/"8s" or "16s")."""
    sizes = list(spec.check_sizes)
    net = build_model(problems, text("checks.models.build"), calls, model_cls, 3, pretrained=False, skip=skip)
    course_backbone = _check_structure(net, bool(skip), _first_conv_shape(spec.name), problems)
    check_trainable(net, problems)
    with UpsamplingRecorder() as recorder:
        _check_shapes(net, sizes, 3, problems, probe_eval=True)
    uses_module = any(isinstance(m, nn.ConvTranspose2d) for m in net.modules())
    check_upsampling_modes(recorder.modes, uses_module, problems)
    if course_backbone:
        _check_cut(net, skip, spec, reference_shapes(spec, sizes[0]), sizes[0], problems)
    five = build_model(problems, text("checks.models.build_five"), calls, model_cls, 5, pretrained=False, skip=skip)
    _check_shapes(five, sizes[:1], 5, problems)
    if skip:
        _check_skip_used(net, sizes[0], problems)


def check_fcn(model_cls, skip: bool = False, verbose: bool = True, backbone=None) -> CheckResult:
    """The FCN exercises: structure, output shapes, upsampling, skip path and the pretrained flag.

    ``skip=True`` checks both skip variants the exercise asks for: "8s" (``True``) and "16s"; each must cut the
    backbone at its own pooling and use the shallow path with finer detail than the 1/32 map. The model must
    return raw scores, behave in evaluation mode (no dropout, no batch statistics), train every layer from
    scratch and pass ``pretrained`` on. Every model is built with a stand-in for the ImageNet weights: nothing
    is downloaded, and a model that asks for them whatever ``pretrained`` says is told so.

    The backbone (and so the first convolution expected, the loader to call and the input sizes to try)
    comes from the registry in ``fcn_course.backbones``: from ``backbone`` when given, else from the class.
    """
    spec = _backbone_of(model_cls, backbone)
    if spec is None:
        names = ", ".join(entry.class_name for entry in backbones.BACKBONES.values())
        name = getattr(model_cls, "__name__", model_cls)
        return finish(
            "fcn", [text("checks.fcn_unknown_backbone", name=name, names=names)], verbose, title=f"FCN {name}"
        )
    key = fcn_exercise_key(spec.name, skip)
    problems, calls = [], []
    _first_conv_shape(spec.name), reference_shapes(spec, tuple(spec.check_sizes[0]))  # built before the spy
    with judging(problems), offline_backbones(calls):
        for variant in [True, "16s"] if skip is True else [skip]:
            variant_problems = []
            try:
                _check_variant(model_cls, variant, spec, calls, variant_problems)
            finally:
                prefix = text("checks.models.prefix_16s") if variant == "16s" else ""
                problems.extend(type(m)(prefix + m) for m in variant_problems)
        _check_pretrained_flag(model_cls, skip, spec.loader_name, calls, problems)
    return finish(key, problems, verbose, title=_extra_backbone_title(spec, skip))


def fcn_exercise_key(backbone: str, skip) -> str:
    """``alexnet-skip``: the key of the FCN exercise of ``backbone`` with or without skip."""
    return f"{backbone}-{'skip' if skip else 'noskip'}"


def _extra_backbone_title(spec, skip) -> str:
    """The title of the FCN of a backbone the course has no exercise for (``FCN-TinyNet com skip``)."""
    return text(
        "exercise.fcn_extra_backbone",
        backbone=spec.display_name,
        skip=text("exercise.with_skip" if skip else "exercise.without_skip"),
    )


# The course's FCN exercises: each backbone with and without skip, in the notebook that builds it. Rows of
# one group share a number (VGG16's two variants and the FCN-8s head of notebook 04 are one exercise).
COURSE_FCNS = (("alexnet", "02_fcn_alexnet", None), ("vgg16", "04_fcn_vgg16", "vgg16"))
for _backbone, _notebook, _group in COURSE_FCNS:
    for _skip in (False, True):
        register(
            Exercise(
                fcn_exercise_key(_backbone, _skip),
                _notebook,
                (backbones.get_backbone(_backbone).class_name,),
                functools.partial(check_fcn, skip=_skip, backbone=_backbone),
                group=_group,
            )
        )

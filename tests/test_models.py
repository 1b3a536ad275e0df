"""Tests of the reference solutions: FCN_AlexNet, FCN_VGG16 and solutions/training.py."""

import dataclasses
import hashlib
import re
import socket
import urllib.error
from pathlib import Path

import pytest
import torch
import torch.nn.functional as F
import torchvision
from torch import nn

from fcn_course import backbones
from fcn_course.backbones import PretrainedWeightsError
from solutions.fcn_alexnet import FCN_AlexNet
from solutions.fcn_vgg16 import FCN_VGG16
from solutions.training import compute_loss, make_criterion, make_optimizer

ROOT = Path(__file__).resolve().parents[1]
NUM_CLASSES = 3
SHALLOW_CHANNELS = {(FCN_AlexNet, "8s"): 64, (FCN_AlexNet, "16s"): 192, (FCN_VGG16, "8s"): 256, (FCN_VGG16, "16s"): 512}
FEATURE_LAYERS = {FCN_AlexNet: 13, FCN_VGG16: 31}  # len(torchvision model.features)

_cache = {}


def build(model_class, skip):
    """One model per configuration for the whole module (building VGG16 takes about a second)."""
    key = (model_class, skip)
    if key not in _cache:
        torch.manual_seed(0)
        _cache[key] = model_class(NUM_CLASSES, pretrained=False, skip=skip).eval()
    return _cache[key]


CONFIGS = [(m, s) for m in (FCN_AlexNet, FCN_VGG16) for s in (False, "8s", "16s")]
CONFIG_IDS = [f"{m.__name__}-{s}" for m, s in CONFIGS]
SKIP_CONFIGS = [(m, s) for m, s in CONFIGS if s]
SKIP_CONFIG_IDS = [f"{m.__name__}-{s}" for m, s in SKIP_CONFIGS]


# --------------------------------------------------------------------------------------------
# Shapes and structure
# --------------------------------------------------------------------------------------------

SIZES = {
    FCN_AlexNet: [(2, 224, 224), (2, 96, 96), (1, 64, 64), (1, 97, 131)],
    FCN_VGG16: [(2, 64, 64), (1, 97, 131), (1, 33, 45)],
}


@pytest.mark.slow
@pytest.mark.parametrize("model_class, skip", CONFIGS, ids=CONFIG_IDS)
def test_output_shape(model_class, skip):
    net = build(model_class, skip)
    with torch.no_grad():
        for batch, height, width in SIZES[model_class]:
            out = net(torch.randn(batch, 3, height, width))
            assert out.shape == (batch, NUM_CLASSES, height, width)
            assert torch.isfinite(out).all()


@pytest.mark.parametrize(
    "model_class, skip, size",
    [(FCN_AlexNet, False, (33, 45)), (FCN_AlexNet, "8s", (62, 200)), (FCN_VGG16, False, (31, 64))],
)
def test_too_small_input_gives_clear_error(model_class, skip, size):
    with pytest.raises(ValueError, match="at least"):
        build(model_class, skip)(torch.randn(1, 3, *size))


@pytest.mark.parametrize("model_class, skip", CONFIGS, ids=CONFIG_IDS)
def test_attribute_names(model_class, skip):
    net = build(model_class, skip)
    names = {name for name, _ in net.named_children()}
    if skip:
        assert names == {"backbone1", "backbone2", "classifier"}
        assert not hasattr(net, "backbone")
        assert len(net.backbone1) + len(net.backbone2) == FEATURE_LAYERS[model_class]
        assert isinstance(net.backbone1[-1], nn.MaxPool2d)
        convs = [m for m in net.backbone1.modules() if isinstance(m, nn.Conv2d)]
        assert convs[-1].out_channels == SHALLOW_CHANNELS[(model_class, skip)]
    else:
        assert names == {"backbone", "classifier"}
        assert not hasattr(net, "backbone1") and not hasattr(net, "backbone2")
        assert len(net.backbone) == FEATURE_LAYERS[model_class]
    # Fully convolutional: no Linear layer anywhere.
    assert not any(isinstance(m, nn.Linear) for m in net.modules())


@pytest.mark.slow
def test_skip_true_means_8s():
    net = FCN_AlexNet(NUM_CLASSES, skip=True)
    assert net.skip == "8s"
    assert len(net.backbone1) == len(build(FCN_AlexNet, "8s").backbone1)
    assert FCN_AlexNet(NUM_CLASSES, skip=False).skip is False


@pytest.mark.parametrize("model_class", [FCN_AlexNet, FCN_VGG16])
@pytest.mark.parametrize("skip", ["32s", "8", 1, 0, None, "yes"])
def test_invalid_skip_raises(model_class, skip):
    with pytest.raises(ValueError, match="skip"):
        model_class(NUM_CLASSES, skip=skip)


@pytest.mark.slow
@pytest.mark.parametrize("model_class, skip", SKIP_CONFIGS, ids=SKIP_CONFIG_IDS)
def test_skip_models_use_the_shallow_features_directly(model_class, skip):
    """Perturb backbone1's output on the skip path only (backbone2 still gets the clean one): output changes."""
    net = build(model_class, skip)
    x = torch.randn(1, 3, 64, 64)
    with torch.no_grad():
        clean_output = net(x)
        clean_shallow = net.backbone1(x)

        def perturb(module, inputs, output):
            return output + 1.0

        def feed_clean(module, inputs):
            return (clean_shallow,)

        handles = [net.backbone1.register_forward_hook(perturb), net.backbone2.register_forward_pre_hook(feed_clean)]
        try:
            perturbed_output = net(x)
        finally:
            for handle in handles:
                handle.remove()
    assert not torch.allclose(clean_output, perturbed_output)


@pytest.mark.slow
@pytest.mark.parametrize("model_class, skip", CONFIGS, ids=CONFIG_IDS)
def test_deep_features_are_used(model_class, skip):
    net = build(model_class, skip)
    deep = net.backbone2 if skip else net.backbone
    x = torch.randn(1, 3, 64, 64)
    with torch.no_grad():
        clean_output = net(x)
        handle = deep.register_forward_hook(lambda module, inputs, output: output + 1.0)
        try:
            perturbed_output = net(x)
        finally:
            handle.remove()
    assert not torch.allclose(clean_output, perturbed_output)


DEEP_CHANNELS = {FCN_AlexNet: 256, FCN_VGG16: 512}  # pool5's channels


def upsampled(scores, size):
    return F.interpolate(scores, size=size, mode="bilinear", align_corners=False)


@pytest.mark.parametrize("model_class, skip", CONFIGS, ids=CONFIG_IDS)
def test_the_forward_pass_upsamples_bilinearly_without_aligned_corners(model_class, skip):
    """The course's upsampling (notebook 02): bilinear, align_corners=False, for the deep map and the scores."""
    net = build(model_class, skip)
    size = (160, 200) if model_class is FCN_AlexNet else (70, 90)  # deep maps of 4x5 and 2x2: corners matter
    x = torch.randn(1, 3, *size)
    with torch.no_grad():
        if skip:
            shallow = net.backbone1(x)
            deep = upsampled(net.backbone2(shallow), shallow.shape[-2:])
            expected = upsampled(net.classifier(torch.cat([shallow, deep], dim=1)), size)
        else:
            expected = upsampled(net.classifier(net.backbone(x)), size)
        torch.testing.assert_close(net(x), expected)


@pytest.mark.parametrize("model_class, skip", CONFIGS, ids=CONFIG_IDS)
def test_the_classifier_drops_half_of_its_channels_while_training(model_class, skip):
    net = build(model_class, skip)
    assert [module.p for module in net.modules() if isinstance(module, nn.Dropout2d)] == [0.5]


@pytest.mark.parametrize("model_class, skip", SKIP_CONFIGS, ids=SKIP_CONFIG_IDS)
def test_the_skip_classifier_is_light_one_by_one_convolutions_over_both_levels(model_class, skip):
    """It runs at the shallow level's resolution (1/8 or 1/16): 1x1 convolutions keep it cheap."""
    convolutions = [module for module in build(model_class, skip).classifier if isinstance(module, nn.Conv2d)]
    assert [conv.kernel_size for conv in convolutions] == [(1, 1), (1, 1)]
    assert convolutions[0].in_channels == SHALLOW_CHANNELS[(model_class, skip)] + DEEP_CHANNELS[model_class]
    assert convolutions[0].out_channels == convolutions[1].in_channels and convolutions[1].out_channels == NUM_CLASSES


@pytest.mark.parametrize("model_class, skip", [(FCN_AlexNet, "8s"), (FCN_VGG16, False), (FCN_VGG16, "16s")])
def test_from_scratch_uses_initialize_weights(model_class, skip):
    net = build(model_class, skip)
    for module in net.modules():
        if isinstance(module, nn.Conv2d):
            assert torch.all(module.bias == 0)  # torchvision's default init gives non-zero biases


@pytest.mark.slow
def test_backward_reaches_every_parameter():
    net = FCN_AlexNet(NUM_CLASSES, skip="8s")
    net(torch.randn(2, 3, 64, 64)).sum().backward()
    for name, parameter in net.named_parameters():
        assert parameter.grad is not None and parameter.grad.abs().sum() > 0, name


# --------------------------------------------------------------------------------------------
# Pretrained backbones
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def weights_folder(tmp_path_factory):
    """A folder with an AlexNet weight file whose values are known (made here, no download)."""
    state = torchvision.models.alexnet(weights=None).state_dict()
    state["features.0.weight"].fill_(0.5)
    state["features.3.bias"].fill_(-0.25)
    folder = tmp_path_factory.mktemp("weights")
    torch.save(state, folder / "state.pth")
    prefix = hashlib.sha256((folder / "state.pth").read_bytes()).hexdigest()[:8]
    (folder / "state.pth").rename(folder / f"alexnet-test-{prefix}.pth")  # a torchvision-style name, own hash
    return folder, state


@pytest.fixture
def offline(monkeypatch, tmp_path):
    """Empty torch hub cache, FCN_COURSE_WEIGHTS unset, downloads fail at once."""

    def fail(*args, **kwargs):
        raise urllib.error.URLError("simulated: no internet")

    monkeypatch.setattr(torch.hub, "get_dir", lambda: str(tmp_path))
    monkeypatch.setattr(torch.hub, "download_url_to_file", fail)
    monkeypatch.setattr(socket.socket, "connect", fail)
    monkeypatch.delenv("FCN_COURSE_WEIGHTS", raising=False)


@pytest.mark.slow
@pytest.mark.parametrize("skip", [False, "8s", "16s"])
def test_pretrained_backbone_holds_the_file_weights(offline, monkeypatch, weights_folder, skip):
    folder, state = weights_folder
    monkeypatch.setenv("FCN_COURSE_WEIGHTS", str(folder))
    (weight_file,) = folder.glob("alexnet-test-*.pth")
    monkeypatch.setitem(
        backbones.BACKBONES,
        "alexnet",
        dataclasses.replace(backbones.BACKBONES["alexnet"], weight_file=weight_file.name),
    )
    net = FCN_AlexNet(NUM_CLASSES, pretrained=True, skip=skip)
    if skip:
        backbone_state = {**net.backbone1.state_dict(), **net.backbone2.state_dict()}  # keys keep their index
    else:
        backbone_state = net.backbone.state_dict()
    file_features = {k[len("features.") :]: v for k, v in state.items() if k.startswith("features.")}
    assert backbone_state.keys() == file_features.keys()
    for key, tensor in file_features.items():
        assert torch.equal(backbone_state[key], tensor), key  # not re-initialised afterwards


@pytest.mark.slow
@pytest.mark.parametrize("model_class", [FCN_AlexNet, FCN_VGG16])
def test_pretrained_offline_raises(offline, model_class):
    with pytest.raises(PretrainedWeightsError, match=r"\.pth"):
        model_class(NUM_CLASSES, pretrained=True)


# --------------------------------------------------------------------------------------------
# Loss
# --------------------------------------------------------------------------------------------


def test_make_criterion():
    criterion = make_criterion()
    assert isinstance(criterion, nn.CrossEntropyLoss)
    assert criterion.ignore_index == 255


def test_compute_loss_matches_cross_entropy_and_ignores_void():
    torch.manual_seed(0)
    outputs = torch.randn(2, NUM_CLASSES, 5, 7)
    labels = torch.randint(0, NUM_CLASSES, (2, 5, 7))
    labels[0, :2] = 255
    loss = compute_loss(outputs, labels, make_criterion())
    assert loss.shape == ()
    assert torch.allclose(loss, F.cross_entropy(outputs, labels, ignore_index=255))

    changed = outputs.clone()
    changed[0, :, :2] = 100.0  # only void pixels change
    assert torch.allclose(compute_loss(changed, labels, make_criterion()), loss)


def test_compute_loss_flattens_pixels():
    seen = {}

    def spy(outputs, labels):
        seen["shapes"] = (tuple(outputs.shape), tuple(labels.shape))
        return F.cross_entropy(outputs, labels, ignore_index=255)

    compute_loss(torch.randn(2, NUM_CLASSES, 4, 6), torch.zeros(2, 4, 6, dtype=torch.long), spy)
    assert seen["shapes"] == ((2 * 4 * 6, NUM_CLASSES), (2 * 4 * 6,))


# --------------------------------------------------------------------------------------------
# Optimiser
# --------------------------------------------------------------------------------------------


def course_args(pretrained, skip):
    return {"pretrained": pretrained, "skip": skip, "lr": 1e-4, "weight_decay": 5e-4, "momentum": 0.9}


@pytest.mark.parametrize("pretrained", [True, False])
@pytest.mark.parametrize("skip", [True, False])
def test_make_optimizer(pretrained, skip):
    net = build(FCN_AlexNet, "8s" if skip else False)
    args = course_args(pretrained, skip)
    optimizer = make_optimizer(net, args)
    assert isinstance(optimizer, torch.optim.Adam)

    lr_of = {}
    for group in optimizer.param_groups:
        assert group["weight_decay"] == args["weight_decay"]
        assert group["betas"] == (0.9, 0.999)
        for parameter in group["params"]:
            assert id(parameter) not in lr_of, "a parameter appears in two groups"
            lr_of[id(parameter)] = group["lr"]

    for name, parameter in net.named_parameters():
        assert id(parameter) in lr_of, f"{name} is not optimised"
        in_backbone = name.startswith("backbone")
        expected = args["lr"] * 0.1 if (pretrained and in_backbone) else args["lr"]
        assert lr_of[id(parameter)] == pytest.approx(expected), name
    assert len(lr_of) == len(list(net.parameters()))


def test_make_optimizer_accepts_16s():
    net = build(FCN_VGG16, "16s")
    optimizer = make_optimizer(net, course_args(True, "16s"))
    assert {g["lr"] for g in optimizer.param_groups} == {1e-5, 1e-4}


# --------------------------------------------------------------------------------------------
# The files as students receive them (solution regions replaced by NotImplementedError)
# --------------------------------------------------------------------------------------------

REGION = re.compile(r"^([ \t]*)### BEGIN SOLUTION(?::[ \t]*([^\n]*))?\n.*?^[ \t]*### END SOLUTION[ \t]*\n", re.M | re.S)


def strip_solutions(source):
    """What a student sees: every region replaced by `raise NotImplementedError(hint)`."""
    return REGION.sub(lambda m: f"{m.group(1)}raise NotImplementedError({(m.group(2) or '').strip()!r})\n", source)


@pytest.mark.parametrize("file_name, regions", [("fcn_alexnet.py", 4), ("fcn_vgg16.py", 4), ("training.py", 5)])
def test_student_version_is_valid_python(file_name, regions):
    source = (ROOT / "solutions" / file_name).read_text(encoding="utf-8")
    assert source.count("### BEGIN SOLUTION") == source.count("### END SOLUTION") == regions
    student = strip_solutions(source)
    assert "### BEGIN SOLUTION" not in student
    compile(student, file_name, "exec")
    namespace = {}
    exec(compile(student, file_name, "exec"), namespace)  # as if pasted into a notebook cell
    if file_name == "training.py":
        with pytest.raises(NotImplementedError):
            namespace["make_criterion"]()
        with pytest.raises(NotImplementedError):
            namespace["make_optimizer"](None, course_args(False, False))
    else:
        model_class = namespace["FCN_AlexNet" if "alexnet" in file_name else "FCN_VGG16"]
        for skip in (False, True):
            with pytest.raises(NotImplementedError, match="classifier"):
                model_class(NUM_CLASSES, skip=skip)
        with pytest.raises(ValueError):
            model_class(NUM_CLASSES, skip="4s")  # the validation is part of the skeleton


@pytest.mark.parametrize("file_name", ["fcn_alexnet.py", "fcn_vgg16.py", "training.py"])
def test_solution_file_is_self_contained(file_name):
    """Pasted whole into a notebook cell, the file defines everything it needs."""
    source = (ROOT / "solutions" / file_name).read_text(encoding="utf-8")
    namespace = {}
    exec(compile(source, file_name, "exec"), namespace)
    if file_name != "training.py":
        model_class = namespace["FCN_AlexNet" if "alexnet" in file_name else "FCN_VGG16"]
        assert model_class.__name__ in source

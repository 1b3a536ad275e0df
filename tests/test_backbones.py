"""Tests of fcn_course.backbones: split points, weight loading (offline-safe), initialisations."""

import dataclasses
import hashlib
import os
import socket
import time
import urllib.error
import urllib.request

import pytest
import torch
import torch.nn.functional as F
import torchvision
from torch import nn

from fcn_course import backbones
from fcn_course.backbones import (
    ALEXNET_CHANNELS,
    ALEXNET_MIN_INPUT_SIZE,
    ALEXNET_STRIDE8_END,
    ALEXNET_STRIDE16_END,
    VGG16_CHANNELS,
    VGG16_MIN_INPUT_SIZE,
    VGG16_STRIDE8_END,
    VGG16_STRIDE16_END,
    WEIGHT_FILES,
    PretrainedWeightsError,
    bilinear_kernel,
    feature_channels,
    initialize_weights,
    load_alexnet,
    load_vgg16,
)
from fcn_course.messages import text
from helpers import tree_digest

ALEXNET_FILE = "alexnet-owt-7be5be79.pth"
VGG16_FILE = "vgg16-397923af.pth"


# --------------------------------------------------------------------------------------------
# Fixtures: no network, an empty torch hub cache, no FCN_COURSE_WEIGHTS
# --------------------------------------------------------------------------------------------


def _no_network(*args, **kwargs):
    raise AssertionError("network access attempted")


@pytest.fixture
def no_network(monkeypatch):
    """Any network access fails the test."""
    monkeypatch.setattr(socket.socket, "connect", _no_network)
    monkeypatch.setattr(urllib.request, "urlopen", _no_network)
    monkeypatch.setattr(torch.hub, "download_url_to_file", _no_network)
    monkeypatch.setattr(torch.hub, "load_state_dict_from_url", _no_network)


@pytest.fixture
def empty_hub(monkeypatch, tmp_path):
    """torch.hub.get_dir() points to an empty temporary folder; FCN_COURSE_WEIGHTS is unset."""
    hub = tmp_path / "hub"
    hub.mkdir()
    monkeypatch.setattr(torch.hub, "get_dir", lambda: str(hub))
    monkeypatch.delenv("FCN_COURSE_WEIGHTS", raising=False)
    return hub


@pytest.fixture(scope="module")
def alexnet_state():
    """A random AlexNet state dict with one recognisable tensor."""
    state = torchvision.models.alexnet(weights=None).state_dict()
    state["features.0.weight"].fill_(0.123)
    return state


@pytest.fixture(scope="module")
def saved_alexnet(tmp_path_factory, alexnet_state):
    """`alexnet_state` saved once (244 MB) under a torchvision-style name carrying its own sha256 prefix."""
    folder = tmp_path_factory.mktemp("saved")
    torch.save(alexnet_state, folder / "state.pth")
    prefix = hashlib.sha256((folder / "state.pth").read_bytes()).hexdigest()[:8]
    path = folder / f"alexnet-test-{prefix}.pth"
    (folder / "state.pth").rename(path)
    return path


@pytest.fixture
def alexnet_file(saved_alexnet, monkeypatch):
    """The saved test weights, with the registry told that this is AlexNet's weight file name (its hash
    matches the name, as torchvision's real files do)."""
    spec = backbones.BACKBONES["alexnet"]
    monkeypatch.setitem(backbones.BACKBONES, "alexnet", dataclasses.replace(spec, weight_file=saved_alexnet.name))
    return saved_alexnet


@pytest.fixture
def hashless_names(monkeypatch):
    """Weight file names without a hash, so that the tests reach the loading errors behind the hash check."""
    for name in ("alexnet", "vgg16"):
        spec = backbones.BACKBONES[name]
        monkeypatch.setitem(backbones.BACKBONES, name, dataclasses.replace(spec, weight_file=f"{name}-local.pth"))


def _assert_same_state(model, state):
    model_state = model.state_dict()
    assert model_state.keys() == state.keys()
    for key, tensor in state.items():
        assert torch.equal(model_state[key], tensor), key


# --------------------------------------------------------------------------------------------
# The registry
# --------------------------------------------------------------------------------------------


def test_register_backbone_adds_or_replaces_by_name_and_returns_the_backbone(monkeypatch):
    monkeypatch.setattr(backbones, "BACKBONES", dict(backbones.BACKBONES))
    tiny = dataclasses.replace(backbones.ALEXNET, name="tiny", display_name="Tiny")
    assert backbones.register_backbone(tiny) is tiny
    assert backbones.get_backbone("tiny") is tiny
    other = dataclasses.replace(tiny, display_name="Tiny 2")
    backbones.register_backbone(other)
    assert backbones.get_backbone("tiny") is other


def test_an_unknown_backbone_name_is_a_key_error_listing_the_known_ones():
    with pytest.raises(KeyError) as unknown:
        backbones.get_backbone("resnet")
    assert unknown.value.args[0] == text("backbones.unknown", name="resnet", known="alexnet, vgg16")


def test_backbone_for_class_reads_the_declared_backbone_name_first():
    class Declared(nn.Module):
        backbone_name = "vgg16"

    class FCN_AlexNet(nn.Module):  # noqa: N801 - the name of the exercise's class
        backbone_name = "vgg16"

    assert backbones.backbone_for_class(Declared) is backbones.VGG16
    assert backbones.backbone_for_class(FCN_AlexNet) is backbones.VGG16


def test_backbone_for_class_finds_the_fcn_class_name_among_the_classes_it_inherits_from():
    class FCN_AlexNet(nn.Module):  # noqa: N801 - the name of the exercise's class
        pass

    class MyFCN(FCN_AlexNet):
        backbone_name = "resnet"  # not registered: the class names decide

    class Unrelated(nn.Module):
        pass

    assert backbones.backbone_for_class(FCN_AlexNet) is backbones.ALEXNET
    assert backbones.backbone_for_class(MyFCN) is backbones.ALEXNET
    assert backbones.backbone_for_class(Unrelated) is None
    assert backbones.backbone_for_class(object()) is None


# --------------------------------------------------------------------------------------------
# Split points of `features`
# --------------------------------------------------------------------------------------------


def test_alexnet_split_points_match_torchvision():
    features = torchvision.models.alexnet(weights=None).features
    assert len(features) == 13
    x = torch.randn(1, 3, 224, 224)
    for end, stride, size in [(ALEXNET_STRIDE8_END, 8, 27), (ALEXNET_STRIDE16_END, 16, 13), (len(features), 32, 6)]:
        assert isinstance(features[end - 1], nn.MaxPool2d)
        out = features[:end](x)
        assert out.shape == (1, ALEXNET_CHANNELS[stride], size, size)
        assert feature_channels(features[:end]) == ALEXNET_CHANNELS[stride]


@pytest.mark.slow
def test_vgg16_split_points_match_torchvision():
    features = torchvision.models.vgg16(weights=None).features
    assert len(features) == 31
    x = torch.randn(1, 3, 64, 64)
    for end, stride in [(VGG16_STRIDE8_END, 8), (VGG16_STRIDE16_END, 16), (len(features), 32)]:
        assert isinstance(features[end - 1], nn.MaxPool2d)
        out = features[:end](x)
        assert out.shape == (1, VGG16_CHANNELS[stride], 64 // stride, 64 // stride)
        assert feature_channels(features[:end]) == VGG16_CHANNELS[stride]


@pytest.mark.slow
@pytest.mark.parametrize(
    "builder, min_size",
    [(torchvision.models.alexnet, ALEXNET_MIN_INPUT_SIZE), (torchvision.models.vgg16, VGG16_MIN_INPUT_SIZE)],
)
def test_min_input_size_is_exact(builder, min_size):
    features = builder(weights=None).features
    assert features(torch.randn(1, 3, min_size, min_size)).shape[-1] == 1
    with pytest.raises(RuntimeError):
        features(torch.randn(1, 3, min_size - 1, min_size - 1))


def test_feature_channels_needs_a_conv():
    with pytest.raises(ValueError):
        feature_channels(nn.ReLU())


# --------------------------------------------------------------------------------------------
# Loading: pretrained=False, local files, errors
# --------------------------------------------------------------------------------------------


@pytest.mark.slow
def test_pretrained_false_makes_no_network_call(no_network, empty_hub):
    alexnet = load_alexnet(pretrained=False)
    vgg16 = load_vgg16()
    assert isinstance(alexnet, torchvision.models.AlexNet)
    assert isinstance(vgg16, torchvision.models.VGG)
    assert list(empty_hub.iterdir()) == []


def test_weight_file_names():
    assert WEIGHT_FILES == {"alexnet": ALEXNET_FILE, "vgg16": VGG16_FILE}
    assert torchvision.models.AlexNet_Weights.IMAGENET1K_V1.url.endswith(ALEXNET_FILE)
    assert torchvision.models.VGG16_Weights.IMAGENET1K_V1.url.endswith(VGG16_FILE)


@pytest.mark.slow
def test_pretrained_from_weights_folder(no_network, empty_hub, monkeypatch, alexnet_state, alexnet_file):
    monkeypatch.setenv("FCN_COURSE_WEIGHTS", str(alexnet_file.parent))
    model = load_alexnet(pretrained=True)
    _assert_same_state(model, alexnet_state)
    assert torch.all(model.features[0].weight == 0.123)


@pytest.mark.slow
def test_pretrained_from_weights_file(no_network, empty_hub, tmp_path, monkeypatch, alexnet_state, alexnet_file):
    path = tmp_path / "my_alexnet.pth"
    path.symlink_to(alexnet_file)
    monkeypatch.setenv("FCN_COURSE_WEIGHTS", str(path))
    _assert_same_state(load_alexnet(pretrained=True), alexnet_state)


@pytest.mark.slow
def test_pretrained_from_hub_cache(no_network, empty_hub, alexnet_state, alexnet_file):
    (empty_hub / "checkpoints").mkdir()
    (empty_hub / "checkpoints" / alexnet_file.name).symlink_to(alexnet_file)
    _assert_same_state(load_alexnet(pretrained=True), alexnet_state)


@pytest.mark.slow
def test_weights_folder_without_the_file_falls_back_to_hub_cache(
    no_network, empty_hub, tmp_path, monkeypatch, alexnet_state, alexnet_file
):
    monkeypatch.setenv("FCN_COURSE_WEIGHTS", str(tmp_path))  # exists, holds no weight file
    (empty_hub / "checkpoints").mkdir()
    (empty_hub / "checkpoints" / alexnet_file.name).symlink_to(alexnet_file)
    _assert_same_state(load_alexnet(pretrained=True), alexnet_state)


def _raise_url_error(*args, **kwargs):
    raise urllib.error.URLError("simulated: no internet")


@pytest.mark.slow
@pytest.mark.parametrize("loader, file_name", [(load_alexnet, ALEXNET_FILE), (load_vgg16, VGG16_FILE)])
def test_offline_download_raises_clear_error(monkeypatch, empty_hub, loader, file_name):
    monkeypatch.setattr(torch.hub, "download_url_to_file", _raise_url_error)
    with pytest.raises(PretrainedWeightsError) as info:
        loader(pretrained=True)
    message = str(info.value)
    assert isinstance(info.value, RuntimeError)
    assert message.startswith("Não consegui carregar os pesos da ImageNet")  # Portuguese: a student reads it
    assert file_name in message
    assert "simulated: no internet" in message  # the download's own error
    assert "https://download.pytorch.org/models/" + file_name in message
    assert str(empty_hub / "checkpoints") in message  # where to put the file
    assert "FCN_COURSE_WEIGHTS" in message
    assert "pretrained=False" in message
    assert isinstance(info.value.__cause__, urllib.error.URLError)


def test_the_weights_error_lists_every_place_it_looked_at(empty_hub, tmp_path, monkeypatch):
    monkeypatch.setattr(torch.hub, "download_url_to_file", _raise_url_error)
    with pytest.raises(PretrainedWeightsError) as unset:
        load_alexnet(pretrained=True)
    assert text("backbones.env_not_set", env="FCN_COURSE_WEIGHTS") in str(unset.value)
    monkeypatch.setenv("FCN_COURSE_WEIGHTS", str(tmp_path))
    with pytest.raises(PretrainedWeightsError) as info:
        load_alexnet(pretrained=True)
    message = str(info.value)
    for path, where in [
        (tmp_path / ALEXNET_FILE, text("backbones.where_env_folder", env="FCN_COURSE_WEIGHTS")),
        (empty_hub / "checkpoints" / ALEXNET_FILE, text("backbones.where_hub_cache")),
    ]:
        assert text("backbones.file_not_found", path=path, where=where) in message
    assert text("backbones.env_not_set", env="FCN_COURSE_WEIGHTS") not in message


def test_the_loaders_build_random_weights_by_default(no_network, empty_hub):
    assert isinstance(load_alexnet(), torchvision.models.AlexNet)
    assert isinstance(backbones.load_backbone("alexnet"), torchvision.models.AlexNet)
    assert list(empty_hub.iterdir()) == []


def _online():
    try:
        socket.create_connection(("download.pytorch.org", 443), timeout=1).close()
        return True
    except OSError:
        return False


@pytest.mark.safety
def test_random_weights_under_the_torchvision_name_are_refused(no_network, empty_hub, saved_alexnet):
    """Pretrained means pretrained: a file whose sha256 does not match the prefix in its name is refused."""
    (empty_hub / "checkpoints").mkdir()
    (empty_hub / "checkpoints" / ALEXNET_FILE).symlink_to(saved_alexnet)  # random weights, official name
    with pytest.raises(PretrainedWeightsError, match="sha256 dele não começa com 7be5be79") as info:
        load_alexnet(pretrained=True)
    message = str(info.value)
    assert str(empty_hub / "checkpoints" / ALEXNET_FILE) in message and "apague-o e baixe-o de novo" in message


def test_hash_prefix_of_torchvision_file_names():
    assert backbones.expected_hash_prefix(ALEXNET_FILE) == "7be5be79"
    assert backbones.expected_hash_prefix(VGG16_FILE) == "397923af"
    assert backbones.expected_hash_prefix("my_alexnet.pth") is None


def test_real_offline_call_raises_our_error_quickly(empty_hub, monkeypatch):
    """Without mocks: on a machine without internet torchvision fails fast and we wrap its error."""
    if _online():
        pytest.skip("internet is reachable: this test would download 233 MB")
    previous_timeout = socket.getdefaulttimeout()
    socket.setdefaulttimeout(5)  # a firewall that drops packets would otherwise make urlopen wait for minutes
    start = time.perf_counter()
    try:
        with pytest.raises(PretrainedWeightsError, match=ALEXNET_FILE):
            load_alexnet(pretrained=True)
    finally:
        socket.setdefaulttimeout(previous_timeout)
    assert time.perf_counter() - start < 30


def test_corrupt_local_file_raises_clear_error(no_network, empty_hub, tmp_path, monkeypatch, hashless_names):
    path = tmp_path / "alexnet-local.pth"
    path.write_bytes(b"this is not a checkpoint")
    monkeypatch.setenv("FCN_COURSE_WEIGHTS", str(tmp_path))
    with pytest.raises(PretrainedWeightsError) as info:
        load_alexnet(pretrained=True)
    message = str(info.value)
    assert str(path) in message and "inutilizável" in message
    assert "pretrained=False" in message


@pytest.mark.slow
def test_weights_of_another_network_raise_clear_error(no_network, empty_hub, saved_alexnet, hashless_names):
    (empty_hub / "checkpoints").mkdir()
    (empty_hub / "checkpoints" / "vgg16-local.pth").symlink_to(saved_alexnet)  # AlexNet weights, VGG16 name
    with pytest.raises(PretrainedWeightsError, match="Missing key"):
        load_vgg16(pretrained=True)


def test_incomplete_state_dict_is_rejected(no_network, empty_hub, alexnet_state, hashless_names):
    (empty_hub / "checkpoints").mkdir()
    partial = {k: v for k, v in alexnet_state.items() if not k.startswith("classifier")}
    torch.save(partial, empty_hub / "checkpoints" / "alexnet-local.pth")
    with pytest.raises(PretrainedWeightsError, match="classifier"):
        load_alexnet(pretrained=True)


@pytest.mark.safety
def test_a_weight_file_that_would_run_code_when_loaded_is_refused_without_running_it(
    no_network, empty_hub, tmp_path, hashless_names
):
    ran = tmp_path / "the file's code ran"

    class RunsCode:
        def __reduce__(self):
            return os.mkdir, (str(ran),)

    (empty_hub / "checkpoints").mkdir()
    torch.save({"features.0.weight": RunsCode()}, empty_hub / "checkpoints" / "alexnet-local.pth")
    with pytest.raises(PretrainedWeightsError, match="alexnet-local.pth"):
        load_alexnet(pretrained=True)
    assert not ran.exists()


@pytest.mark.parametrize("missing", ["weights", "weight_file"])
def test_a_backbone_without_imagenet_weights_says_so_when_they_are_asked_for(
    no_network, empty_hub, monkeypatch, missing
):
    spec = backbones.BACKBONES["alexnet"]
    monkeypatch.setitem(backbones.BACKBONES, "alexnet", dataclasses.replace(spec, **{missing: None}))
    with pytest.raises(PretrainedWeightsError) as info:
        backbones.load_backbone("alexnet", pretrained=True)
    assert str(info.value) == text("backbones.no_weights", backbone="AlexNet")


def test_local_weights_file_is_the_first_local_copy_or_none(empty_hub, tmp_path, monkeypatch):
    assert backbones.local_weights_file("alexnet") is None  # nothing local: it would be downloaded
    (empty_hub / "checkpoints").mkdir()
    cached = empty_hub / "checkpoints" / ALEXNET_FILE
    cached.write_bytes(b"")
    assert backbones.local_weights_file("alexnet") == cached
    assert backbones.local_weights_file("vgg16") is None
    (tmp_path / "weights").mkdir()
    (tmp_path / "weights" / ALEXNET_FILE).write_bytes(b"")
    monkeypatch.setenv("FCN_COURSE_WEIGHTS", str(tmp_path / "weights"))
    assert backbones.local_weights_file("alexnet") == tmp_path / "weights" / ALEXNET_FILE  # the folder comes first
    spec = backbones.BACKBONES["alexnet"]
    monkeypatch.setitem(backbones.BACKBONES, "alexnet", dataclasses.replace(spec, weight_file=None))
    assert backbones.local_weights_file("alexnet") is None  # no weight file to look for


# --------------------------------------------------------------------------------------------
# initialize_weights
# --------------------------------------------------------------------------------------------


def test_initialize_weights():
    conv = nn.Conv2d(64, 128, kernel_size=3)
    deconv = nn.ConvTranspose2d(8, 8, kernel_size=4, stride=2)
    linear = nn.Linear(500, 400)
    norm = nn.BatchNorm2d(16)
    for layer in (conv, deconv, linear):
        nn.init.constant_(layer.bias, 5.0)
    nn.init.constant_(norm.weight, 3.0)
    nn.init.constant_(norm.bias, 3.0)

    initialize_weights(nn.Sequential(conv, deconv), nn.Sequential(nn.Sequential(linear, norm)))

    for layer in (conv, deconv, linear):
        assert torch.all(layer.bias == 0)
    assert torch.all(norm.weight == 1) and torch.all(norm.bias == 0)
    # Kaiming normal for ReLU: std = sqrt(2 / fan_in).
    assert conv.weight.std().item() == pytest.approx((2 / (64 * 9)) ** 0.5, rel=0.05)
    assert linear.weight.std().item() == pytest.approx((2 / 500) ** 0.5, rel=0.05)
    assert abs(conv.weight.mean().item()) < 0.01


# --------------------------------------------------------------------------------------------
# bilinear_kernel
# --------------------------------------------------------------------------------------------


def _bilinear_deconv(channels, factor):
    deconv = nn.ConvTranspose2d(
        channels, channels, kernel_size=2 * factor, stride=factor, padding=factor // 2, bias=False
    )
    with torch.no_grad():
        deconv.weight.copy_(bilinear_kernel(channels, channels, 2 * factor))
    return deconv


def test_bilinear_kernel_shape_and_diagonal():
    weight = bilinear_kernel(3, 5, 4)
    assert weight.shape == (3, 5, 4, 4)
    for i in range(3):
        for j in range(5):
            if i != j:
                assert torch.all(weight[i, j] == 0)
    assert torch.allclose(weight[0, 0, 0], torch.tensor([0.0625, 0.1875, 0.1875, 0.0625]))
    # Odd size: the centre weight is 1.
    assert bilinear_kernel(1, 1, 3)[0, 0, 1, 1] == 1
    assert torch.allclose(bilinear_kernel(1, 1, 3)[0, 0, 1], torch.tensor([0.5, 1.0, 0.5]))


@pytest.mark.parametrize("factor", [2, 4, 8])
def test_bilinear_kernel_upsamples_constant_and_ramp(factor):
    deconv = _bilinear_deconv(2, factor)
    size = 6
    interior = slice(factor, -factor)  # the borders see zero padding
    with torch.no_grad():
        constant = deconv(torch.full((1, 2, size, size), 3.0))
        assert constant.shape == (1, 2, size * factor, size * factor)
        assert torch.allclose(constant[..., interior, interior], torch.tensor(3.0))

        ramp = torch.arange(size, dtype=torch.float32).repeat(size, 1)  # value = column index
        up = deconv(ramp.expand(1, 2, size, size))[0, 0, interior, interior]
        steps = up[:, 1:] - up[:, :-1]
        assert torch.allclose(steps, torch.tensor(1.0 / factor), atol=1e-5)  # still a linear ramp
        assert torch.allclose(up[:, 0], up[0, 0])  # constant along the other axis


@pytest.mark.parametrize("factor", [2, 4, 8])
def test_bilinear_kernel_matches_interpolate_inside(factor):
    x = torch.randn(1, 3, 7, 5)
    with torch.no_grad():
        up = _bilinear_deconv(3, factor)(x)
    expected = F.interpolate(x, scale_factor=factor, mode="bilinear", align_corners=False)
    assert up.shape == expected.shape
    inside = slice(factor, -factor)
    assert torch.allclose(up[..., inside, inside], expected[..., inside, inside], atol=1e-5)


def test_module_exports():
    for name in ("load_alexnet", "load_vgg16", "initialize_weights", "bilinear_kernel", "PretrainedWeightsError"):
        assert hasattr(backbones, name)


# ==================================================================================================
# bilinear_kernel for any factor (even: kernel 2s; odd: 2s - 1)
# ==================================================================================================


def _transposed(factor, kernel_size):
    layer = torch.nn.ConvTranspose2d(2, 2, kernel_size, stride=factor, padding=factor // 2, bias=False)
    layer.weight.data.copy_(bilinear_kernel(2, 2, kernel_size))
    return layer


@pytest.mark.parametrize("factor", [2, 3, 4, 5, 8])
def test_bilinear_kernel_matches_interpolation_for_any_factor(factor):
    x = torch.randn(1, 2, 7, 9)
    y = _transposed(factor, 2 * factor - factor % 2)(x)
    reference = F.interpolate(x, scale_factor=factor, mode="bilinear", align_corners=False)
    assert y.shape == reference.shape
    inside = (..., slice(factor, -factor), slice(factor, -factor))
    assert torch.allclose(y[inside], reference[inside], atol=1e-5)


@pytest.mark.parametrize("factor", [3, 5])
def test_kernel_2s_with_an_odd_factor_gives_one_pixel_too_many(factor):
    """The docstring's warning: the paper's kernel 2s only fits even factors."""
    assert _transposed(factor, 2 * factor)(torch.randn(1, 2, 7, 9)).shape[-2:] == (7 * factor + 1, 9 * factor + 1)


# ==================================================================================================
# Safety (issue #11, README "Safety"; marked `safety`):
# hash-checked weights.
# Each test reproduces one fault and asserts the outcome: a clear error that names the file and the fix, or a
# correct result; where files were there before, every one of them is byte-identical afterwards.
# ==================================================================================================


@pytest.mark.safety
def test_random_weights_in_the_weights_folder_under_the_torchvision_name_are_refused(tmp_path, monkeypatch):
    """Case 7: a randomly initialised state dict was accepted as 'pretrained'."""
    folder = tmp_path / "weights"
    folder.mkdir()
    fake = folder / backbones.BACKBONES["alexnet"].weight_file
    torch.save(torchvision.models.alexnet(weights=None).features.state_dict(), fake)
    monkeypatch.setenv("FCN_COURSE_WEIGHTS", str(folder))
    monkeypatch.setattr(torch.hub, "get_dir", lambda: str(tmp_path / "hub"))
    before = tree_digest(folder)
    with pytest.raises(backbones.PretrainedWeightsError, match="sha256 dele não começa com") as error:
        backbones.load_backbone("alexnet", pretrained=True)
    assert str(fake) in str(error.value) and "apague-o" in str(error.value)
    assert tree_digest(folder) == before

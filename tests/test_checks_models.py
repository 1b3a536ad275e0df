"""The self-checks of the FCN exercises (fcn_course/checks/models.py): structure, output shapes, upsampling, the
skip path, the cut of the backbone, raw scores, evaluation mode and the pretrained flag, however the backbone is
built."""

import dataclasses

import pytest
import torch
import torch.nn.functional as F
import torchvision
from torch import nn
from torchvision.models import AlexNet_Weights

from check_helpers import PROBENET, FCN_ProbeNet, Stub, load_probenet
from check_helpers import messages as _messages
from fcn_course import backbones, checks
from fcn_course.backbones import initialize_weights, load_alexnet
from fcn_course.checks import models as model_checks
from solutions.fcn_alexnet import FCN_AlexNet
from solutions.fcn_vgg16 import FCN_VGG16


# ---------------------------------------------------------------- the reference solutions pass
@pytest.fixture(autouse=True)
def fresh_backbone_caches():
    """The checks cache what they learn about each backbone; each test here computes it again, so that it
    checks the computation and not a value an earlier test left in the cache."""
    model_checks._first_conv_shape.cache_clear()
    model_checks._torchvision_class.cache_clear()


@pytest.mark.parametrize("skip", [False, True])
def test_reference_alexnet_passes(skip):
    assert checks.check_fcn(FCN_AlexNet, skip=skip, verbose=False).passed


@pytest.mark.slow  # builds two real VGG16s (~5-10 s); the probe-backbone tests keep the VGG16 path in the fast lane
def test_reference_vgg16_passes_both_variants():
    assert checks.check_fcn(FCN_VGG16, skip=False, verbose=False).passed
    assert checks.check_fcn(FCN_VGG16, skip=True, verbose=False).passed


# ---------------------------------------------------------------- typical wrong models
class _Base(nn.Module):
    def __init__(self, num_classes, pretrained=False, skip=False):
        super().__init__()
        self.skip = skip
        self.backbone = load_alexnet(pretrained).features
        self.classifier = nn.Conv2d(256, num_classes, 1)
        if not pretrained:
            initialize_weights(self)


class NoUpsampling(_Base):
    def forward(self, x):
        return self.classifier(self.backbone(x))


class FixedSize(_Base):
    def forward(self, x):
        return F.interpolate(self.classifier(self.backbone(x)), size=(224, 224), mode="bilinear")


class NearestUpsampling(_Base):
    def forward(self, x):
        return F.interpolate(self.classifier(self.backbone(x)), size=x.shape[-2:], mode="nearest")


class AlwaysReinitialised(_Base):
    def __init__(self, num_classes, pretrained=False, skip=False):
        super().__init__(num_classes, pretrained, skip)
        initialize_weights(self)  # wipes the ImageNet weights

    def forward(self, x):
        return F.interpolate(self.classifier(self.backbone(x)), size=x.shape[-2:], mode="bilinear")


class IgnoresPretrained(nn.Module):
    def __init__(self, num_classes, pretrained=False, skip=False):
        super().__init__()
        self.backbone = load_alexnet(False).features
        self.classifier = nn.Conv2d(256, num_classes, 1)

    def forward(self, x):
        return F.interpolate(self.classifier(self.backbone(x)), size=x.shape[-2:], mode="bilinear")


class WithLinear(_Base):
    def __init__(self, num_classes, pretrained=False, skip=False):
        super().__init__(num_classes, pretrained, skip)
        self.extra = nn.Linear(4, 4)

    def forward(self, x):
        return F.interpolate(self.classifier(self.backbone(x)), size=x.shape[-2:], mode="bilinear")


class SkipIgnored(nn.Module):
    """Has backbone1/backbone2 but classifies the deep features only."""

    def __init__(self, num_classes, pretrained=False, skip=True):
        super().__init__()
        features = load_alexnet(pretrained).features
        self.backbone1, self.backbone2 = features[:3], features[3:]
        self.classifier = nn.Conv2d(256, num_classes, 1)
        if not pretrained:
            initialize_weights(self)

    def forward(self, x):
        deep = self.backbone2(self.backbone1(x))
        return F.interpolate(self.classifier(deep), size=x.shape[-2:], mode="bilinear")


class FixedThreeClasses(_Base):
    def __init__(self, num_classes, pretrained=False, skip=False):
        super().__init__(3, pretrained, skip)  # ignores num_classes

    def forward(self, x):
        return F.interpolate(self.classifier(self.backbone(x)), size=x.shape[-2:], mode="bilinear")


class NeverInitialised(nn.Module):
    def __init__(self, num_classes, pretrained=False, skip=False):
        super().__init__()
        self.backbone = load_alexnet(pretrained).features
        self.classifier = nn.Conv2d(256, num_classes, 1)

    def forward(self, x):
        return F.interpolate(self.classifier(self.backbone(x)), size=x.shape[-2:], mode="bilinear")


class ImportedInterpolate(_Base):
    """Correct, with `interpolate` imported by name and `nn.Upsample`: the check must still see it."""

    def forward(self, x):
        from torch.nn.functional import interpolate

        return interpolate(self.classifier(self.backbone(x)), size=x.shape[-2:], mode="bilinear", align_corners=False)


def test_upsampling_is_seen_however_interpolate_is_imported():
    assert checks.check_fcn(ImportedInterpolate, skip=False, verbose=False, backbone="alexnet").passed


@pytest.mark.parametrize(
    "model_cls, skip, expected",
    [
        (NoUpsampling, False, "interpole os escores para o tamanho da entrada"),
        (FixedSize, False, "não para um tamanho fixo como 224"),
        (NearestUpsampling, False, "mode='bilinear'"),
        (AlwaysReinitialised, False, "só chame initialize_weights quando pretrained=False"),
        (IgnoresPretrained, False, "com pretrained=True o backbone foi carregado com pretrained=False"),
        (WithLinear, False, "não deve ter camadas nn.Linear"),
        (SkipIgnored, True, "a skip connection não está sendo usada"),
        (FixedThreeClasses, False, "a última convolução do classifier deve ter num_classes canais"),
        (NeverInitialised, False, "chame initialize_weights(self) no fim do __init__ quando pretrained=False"),
        (NoUpsampling, True, "faltam os atributos self.backbone1, self.backbone2"),
    ],
)
def test_wrong_models_fail_with_the_right_hint(model_cls, skip, expected):
    result = checks.check_fcn(model_cls, skip=skip, verbose=False, backbone="alexnet")
    assert not result.passed
    assert expected in _messages(result)


def test_a_stub_is_reported_and_stops_run_all_in_the_notebook(capsys):
    result = checks.check_fcn(Stub, skip=False, verbose=False, backbone="alexnet")
    assert not result.passed
    assert "ainda não implementado (crie self.backbone e self.classifier)" in _messages(result)
    with pytest.raises(checks.ExerciseNotDone, match="Exercício 1 .*crie self.backbone"):
        checks.check_fcn(Stub, skip=False, backbone="alexnet")  # interactive use: the check cell raises
    assert "❌ Exercício 1" in capsys.readouterr().out


def test_the_backbone_comes_from_the_registry():
    """Subclasses of the course's classes are recognised; an unknown class gets a hint, not a wrong check."""

    class MyAlexNet(FCN_AlexNet):
        pass

    assert checks.check_fcn(MyAlexNet, skip=False, verbose=False).passed

    class Mystery(nn.Module):
        pass

    result = checks.check_fcn(Mystery, skip=False, verbose=False)
    assert not result.passed and "backbone='alexnet'" in _messages(result)


def test_checks_do_not_download_weights(monkeypatch):
    """The pretrained-flag check uses a spy, so it works offline and leaves the library untouched."""
    from fcn_course import backbones

    real = backbones.load_alexnet
    assert checks.check_fcn(FCN_AlexNet, skip=False, verbose=False).passed
    assert backbones.load_alexnet is real
    assert torch.get_default_dtype() == torch.float32


# ---------------------------------------------------------------- issue #10 and #15: false negatives
class Only16sBroken(FCN_AlexNet):
    """Correct for "8s"; for "16s" the classifier still expects the 64 channels of pool1 (crashes in training)."""

    def __init__(self, num_classes, pretrained=False, skip=False):
        super().__init__(num_classes, pretrained, skip)
        if self.skip == "16s":
            self.classifier[0] = nn.Conv2d(64 + 256, 128, kernel_size=1)


class FusesOnlyAtOneThirtySecond(FCN_AlexNet):
    """Uses backbone1, but shrinks it to the 1/32 map before fusing: no resolution is gained."""

    def forward(self, x):
        shallow = self.backbone1(x)
        deep = self.backbone2(shallow)
        shallow = F.adaptive_avg_pool2d(shallow, deep.shape[-2:])
        scores = self.classifier(torch.cat([shallow, deep], dim=1))
        return F.interpolate(scores, size=x.shape[-2:], mode="bilinear", align_corners=False)


def test_a_bug_only_in_the_16s_variant_is_caught():
    result = checks.check_fcn(Only16sBroken, skip=True, verbose=False)
    assert not result.passed and "com skip='16s'" in _messages(result)


def test_a_skip_fused_only_at_one_thirty_second_is_caught():
    result = checks.check_fcn(FusesOnlyAtOneThirtySecond, skip=True, verbose=False)
    assert not result.passed and "a skip connection não traz detalhe fino" in _messages(result)


# ---------------------------------------------------------------- the pretrained flag, however the backbone is built
ALIAS_AND_TORCHVISION = '''
    # %%
    import torch.nn.functional as F
    import torchvision
    from torch import nn
    from torchvision.models import AlexNet_Weights
    from fcn_course.backbones import initialize_weights
    from fcn_course.backbones import load_alexnet as carrega


    class FCN_AlexNet(nn.Module):
        def __init__(self, num_classes, pretrained=False, skip=False):
            super().__init__()
            self.backbone = BUILD.features
            self.classifier = nn.Conv2d(256, num_classes, 1)
            if not pretrained:
                initialize_weights(self)

        def forward(self, x):
            return F.interpolate(self.classifier(self.backbone(x)), size=x.shape[-2:], mode="bilinear")
'''


@pytest.mark.parametrize(
    "build",
    [
        "carrega(pretrained)",
        pytest.param(
            "torchvision.models.alexnet(weights=AlexNet_Weights.IMAGENET1K_V1 if pretrained else None)",
            marks=pytest.mark.slow,
        ),  # builds real AlexNets: one spelling stays fast
        pytest.param(
            'torchvision.models.alexnet(weights="DEFAULT" if pretrained else None)', marks=pytest.mark.slow
        ),  # builds real AlexNets: one spelling stays fast
    ],
)
def test_aliases_and_torchvision_builders_pass_without_downloading(build, tmp_path, monkeypatch):
    from fcn_course.definitions import load_definitions
    from tiny_course import percent

    def no_download(*args, **kwargs):
        raise AssertionError("a check must never download weights")

    monkeypatch.setattr(torch.hub, "load_state_dict_from_url", no_download)
    path = tmp_path / "02_fcn_alexnet.py"
    path.write_text(percent(ALIAS_AND_TORCHVISION.replace("BUILD", build)))
    model = load_definitions(path, ["FCN_AlexNet"])["FCN_AlexNet"]
    result = checks.check_fcn(model, skip=False, verbose=False)
    assert result.passed, result.messages


def test_torchvision_builder_ignoring_pretrained_is_still_caught(tmp_path):
    from fcn_course.definitions import load_definitions
    from tiny_course import percent

    path = tmp_path / "02_fcn_alexnet.py"
    path.write_text(percent(ALIAS_AND_TORCHVISION.replace("BUILD", "torchvision.models.alexnet()")))
    model = load_definitions(path, ["FCN_AlexNet"])["FCN_AlexNet"]
    result = checks.check_fcn(model, skip=False, verbose=False)
    assert not result.passed and "carregado com pretrained=False" in _messages(result)


class _TorchvisionHead(nn.Module):
    def forward(self, x):
        return F.interpolate(self.classifier(self.backbone(x)), size=x.shape[-2:], mode="bilinear")


class WeightsFetchedFirst(_TorchvisionHead):
    """Correct: the state dict is fetched first, then loaded into the model built next."""

    def __init__(self, num_classes, pretrained=False, skip=False):
        super().__init__()
        state = AlexNet_Weights.IMAGENET1K_V1.get_state_dict() if pretrained else None
        alexnet = torchvision.models.alexnet()
        if state is not None:
            alexnet.load_state_dict(state)
        self.backbone = alexnet.features
        self.classifier = nn.Conv2d(256, num_classes, 1)
        if not pretrained:
            backbones.initialize_weights(self)


def test_weights_fetched_before_the_model_is_built_count_as_pretrained():
    result = checks.check_fcn(WeightsFetchedFirst, skip=False, verbose=False, backbone="alexnet")
    assert result.passed, result.messages


class NeverInitialisedTorchvision(_TorchvisionHead):
    """Wrong: built with torchvision's own builder, but never re-initialised when pretrained=False."""

    def __init__(self, num_classes, pretrained=False, skip=False):
        super().__init__()
        self.backbone = torchvision.models.alexnet(weights="DEFAULT" if pretrained else None).features
        self.classifier = nn.Conv2d(256, num_classes, 1)


def test_a_torchvision_built_backbone_left_uninitialised_is_caught():
    result = checks.check_fcn(NeverInitialisedTorchvision, skip=False, verbose=False, backbone="alexnet")
    assert not result.passed
    assert "chame initialize_weights(self) no fim do __init__ quando pretrained=False" in _messages(result)


class ResNetBackbone(_TorchvisionHead):
    """Wrong: a backbone the course does not register (its weights cannot stand in for AlexNet's)."""

    def __init__(self, num_classes, pretrained=False, skip=False):
        super().__init__()
        resnet = torchvision.models.resnet18(weights="DEFAULT" if pretrained else None)
        self.backbone = nn.Sequential(*list(resnet.children())[:-2])
        self.classifier = nn.Conv2d(512, num_classes, 1)


@pytest.mark.slow  # builds a real ResNet and the check's networks (~4-7 s)
def test_weights_of_a_backbone_the_course_does_not_know_fail_the_check_with_a_clear_message():
    """Issue 20: no check ever raises; the check answers in Portuguese instead."""
    result = checks.check_fcn(ResNetBackbone, skip=False, verbose=False, backbone="alexnet")
    assert not result.passed and "não é um backbone do curso" in _messages(result)


def test_a_backbone_loaded_without_passing_pretrained_is_caught():
    class DefaultLoad(_TorchvisionHead):
        def __init__(self, num_classes, pretrained=False, skip=False):
            super().__init__()
            self.backbone = backbones.load_backbone("alexnet").features  # pretrained left at its default
            self.classifier = nn.Conv2d(256, num_classes, 1)
            if not pretrained:
                backbones.initialize_weights(self)

    result = checks.check_fcn(DefaultLoad, skip=False, verbose=False, backbone="alexnet")
    assert "com pretrained=True o backbone foi carregado com pretrained=False" in _messages(result)


# ---------------------------------------------------------------- which variant is checked; where the skip's fine detail starts
def test_check_fcn_without_skip_checks_the_exercise_without_skip():
    built = []

    class Recorder(nn.Module):
        def __init__(self, num_classes, pretrained=False, skip=False):
            super().__init__()
            built.append(skip)
            raise NotImplementedError("crie self.backbone")

    result = checks.check_fcn(Recorder, verbose=False, backbone="alexnet")
    assert result.exercise == "Exercício 1 (FCN-AlexNet sem skip)"
    assert built == [False]


class _PooledSkip(FCN_AlexNet):
    """A skip whose shallow features are pooled to ``grid`` x ``grid`` before the fusion (for a 224 input)."""

    grid = None

    def forward(self, x):
        shallow = self.backbone1(x)
        deep = self.backbone2(shallow)
        shallow = F.adaptive_avg_pool2d(shallow, self.grid)
        deep = F.interpolate(deep, size=shallow.shape[-2:], mode="bilinear", align_corners=False)
        scores = self.classifier(torch.cat([shallow, deep], dim=1))
        return F.interpolate(scores, size=x.shape[-2:], mode="bilinear", align_corners=False)


def _skip_problems(grid):
    torch.manual_seed(0)
    net = type("Pooled", (_PooledSkip,), {"grid": grid})(3, pretrained=False, skip=True)
    problems = []
    try:
        model_checks._check_skip_used(net, (224, 224), problems)
    except model_checks.Failed:
        pass
    return " ".join(problems)


def test_a_skip_fused_barely_finer_than_the_deep_map_is_caught():
    """8x8 against the deep map's 6x6 (for the 224x224 input the check probes the skip with): a point of the
    shallow features reaches more than half as many output pixels as a point of the deep map."""
    pooled = type("Pooled", (_PooledSkip,), {"grid": 8})
    message = _messages(checks.check_fcn(pooled, skip=True, verbose=False, backbone="alexnet"))
    assert "a skip connection não traz detalhe fino" in message


def test_a_skip_fused_clearly_finer_than_the_deep_map_is_accepted():
    """12x12 (about 1/19 of the input): clearly finer than 1/32, which is all the exercise asks (its "16s"
    variant fuses at 1/16)."""
    assert _skip_problems(12) == ""


def _skip_net():
    torch.manual_seed(0)
    return FCN_AlexNet(3, pretrained=False, skip=True)


def test_the_skip_probe_works_on_a_tall_input_and_whatever_the_scale_of_the_scores():
    net = _skip_net()
    with torch.no_grad():
        net.classifier[-1].weight.mul_(1e-4)  # tiny scores: the probe's changes are far below 1
    problems = []
    model_checks._check_skip_used(net, (224, 96), problems)  # the shallow map is 27x11: its centre is (13, 5)
    assert problems == []


def test_the_skip_probe_leaves_the_network_as_it_found_it():
    net = _skip_net()
    net.eval()
    x = torch.randn(1, 3, 224, 224)
    with torch.no_grad():
        before = net(x)
    model_checks._check_skip_used(net, (224, 224), [])
    modules = (net.backbone1, net.backbone2)
    assert not any(m._forward_hooks or m._forward_pre_hooks for m in modules)
    with torch.no_grad():
        assert torch.equal(net(x), before)


# ---------------------------------------------------------------- structure, shapes and upsampling
def test_the_five_class_model_runs_once_and_the_three_class_one_at_every_size():
    """The model with num_classes=5 only has to show that the class count is not fixed: one forward pass keeps
    the check quick; the input sizes are tried with the three-class model (several passes at the first size
    probe the evaluation mode, the raw scores and the cut of the backbone)."""
    forwards = []

    class Counted(FCN_AlexNet):
        def forward(self, x):
            output = super().forward(x)
            forwards.append((output.shape[1], tuple(x.shape[-2:])))
            return output

    assert checks.check_fcn(Counted, skip=False, verbose=False).passed
    sizes = list(backbones.get_backbone("alexnet").check_sizes)
    assert sorted({size for classes, size in forwards if classes == 3}) == sorted(sizes)
    assert [size for classes, size in forwards if classes == 5] == sizes[:1]


class _HandMade(nn.Module):
    """Wrong: its own small backbone (not AlexNet's, no loader called) and a classifier without convolutions."""

    def __init__(self, num_classes, pretrained=False, skip=False):
        super().__init__()
        self.backbone = nn.Sequential(nn.Conv2d(3, 16, 3, stride=2, padding=1), nn.ReLU(), nn.MaxPool2d(16))
        self.classifier = nn.Sequential(nn.ReLU())
        self.scores = nn.Conv2d(16, num_classes, 1)

    def forward(self, x):
        scores = self.scores(self.classifier(self.backbone(x)))
        return F.interpolate(scores, size=x.shape[-2:], mode="bilinear", align_corners=False)


class _RepeatsPixels(_HandMade):
    """Wrong: reaches the input size by repeating each score 32 times (no interpolation, nothing learnable)."""

    def forward(self, x):
        scores = self.scores(self.classifier(self.backbone(x)))
        height, width = x.shape[-2:]
        big = scores.repeat_interleave(-(-height // scores.shape[-2]), 2).repeat_interleave(
            -(-width // scores.shape[-1]), 3
        )
        return big[..., :height, :width]


def test_a_hand_made_backbone_and_a_classifier_without_convolutions_are_named():
    message = _messages(checks.check_fcn(_HandMade, skip=False, verbose=False, backbone="alexnet"))
    assert (
        "`backbone` deve começar pela primeira convolução do backbone do torchvision (pesos (64, 3, 11, 11))" in message
    )
    assert "`classifier` deve conter convoluções" in message
    assert "o modelo não chamou `load_alexnet(pretrained)` de fcn_course.backbones" in message


def test_an_output_of_the_right_size_without_any_upsampling_is_caught():
    message = _messages(checks.check_fcn(_RepeatsPixels, skip=False, verbose=False, backbone="alexnet"))
    assert "não encontrei upsampling: use F.interpolate(..., mode='bilinear')" in message


def test_the_upsampling_mode_is_read_however_interpolate_is_called():
    scores = torch.randn(1, 2, 3, 3)
    with model_checks.UpsamplingRecorder() as recorder:
        F.interpolate(scores, (6, 6), None, "bilinear")  # mode as the 4th positional argument
        nn.Upsample(size=(6, 6), mode="bilinear")(scores)  # nn.Upsample passes it positionally
        F.interpolate(scores, scale_factor=2, mode="bicubic")  # as a keyword
        F.interpolate(scores, size=(6, 6))  # PyTorch's default
    assert recorder.modes == ["bilinear", "bilinear", "bicubic", "nearest"]


def test_the_shapes_are_checked_in_evaluation_mode():
    """Like validation: a model that returns extra outputs while training (an auxiliary head) is right."""

    class AuxiliaryWhileTraining(FCN_AlexNet):
        def forward(self, x):
            output = super().forward(x)
            return (output, output) if self.training else output

    torch.manual_seed(0)
    net = AuxiliaryWhileTraining(3, pretrained=False, skip=False)
    problems = []
    model_checks._check_shapes(net, [(96, 96)], 3, problems)
    assert problems == []


# ---------------------------------------------------------------- issue 20: wrong answers, on a quick backbone
# The FCN of tests/check_helpers.py on a tiny registered backbone stands for the student's FCN_AlexNet: each
# wrong answer changes it as a student would.


def _check(model_cls, skip=False):
    return checks.check_fcn(model_cls, skip=skip, verbose=False, backbone="probenet")


class EndsWithSoftmax(FCN_ProbeNet):
    def forward(self, x):
        return super().forward(x).softmax(dim=1)


class EndsWithLogSoftmax(FCN_ProbeNet):
    def forward(self, x):
        return F.log_softmax(super().forward(x), dim=1)


class EndsWithReLU(FCN_ProbeNet):
    def forward(self, x):
        return F.relu(super().forward(x))


class FrozenEvenFromScratch(FCN_ProbeNet):
    def __init__(self, num_classes, pretrained=False, skip=False):
        super().__init__(num_classes, pretrained, skip)
        for name, parameter in self.named_parameters():
            if name.startswith("backbone"):
                parameter.requires_grad = False


class SixteenBuiltAsEight(FCN_ProbeNet):
    """skip="16s" silently built as "8s": the cut ignores the variant."""

    def __init__(self, num_classes, pretrained=False, skip=False):
        super().__init__(num_classes, pretrained, "8s" if skip else False)


class EightBuiltAsSixteen(FCN_ProbeNet):
    def __init__(self, num_classes, pretrained=False, skip=False):
        super().__init__(num_classes, pretrained, "16s" if skip else False)


class AlwaysPretrained(FCN_ProbeNet):
    """Asks for the ImageNet weights whatever `pretrained` says."""

    def __init__(self, num_classes, pretrained=False, skip=False):
        super().__init__(num_classes, True, skip)
        if not pretrained:
            backbones.initialize_weights(self)


class VoidChannel(FCN_ProbeNet):
    """One more output channel, for void."""

    def __init__(self, num_classes, pretrained=False, skip=False):
        super().__init__(num_classes + 1, pretrained, skip)


class TwentyOneClasses(FCN_ProbeNet):
    def __init__(self, num_classes, pretrained=False, skip=False):
        super().__init__(21, pretrained, skip)


class FunctionalDropout(FCN_ProbeNet):
    """Dropout left on after .eval(): F.dropout2d defaults to training=True."""

    def forward(self, x):
        scores = self.classifier(F.dropout2d(self.backbone(x), 0.5))
        return F.interpolate(scores, size=x.shape[-2:], mode="bilinear", align_corners=False)


class BatchNormInForward(FCN_ProbeNet):
    """A BatchNorm created in forward: always in training mode, it normalises with the batch's statistics."""

    def forward(self, x):
        features = self.backbone(x)
        scores = self.classifier(nn.BatchNorm2d(features.shape[1])(features))
        return F.interpolate(scores, size=x.shape[-2:], mode="bilinear", align_corners=False)


class NearestAtOneLevel(FCN_ProbeNet):
    """The deep features are enlarged with nearest-neighbour interpolation, the scores with bilinear."""

    def scores(self, x):
        shallow = self.backbone1(x)
        deep = F.interpolate(self.backbone2(shallow), size=shallow.shape[-2:], mode="nearest")
        return self.classifier(torch.cat([shallow, deep], dim=1))


class LastPoolingDropped(FCN_ProbeNet):
    def __init__(self, num_classes, pretrained=False, skip=False):
        super().__init__(num_classes, pretrained, skip)
        self.backbone = load_probenet(pretrained).features[:-1]
        if not pretrained:
            backbones.initialize_weights(self.backbone)


class FixedSizeOfTheFirstProbe(FCN_ProbeNet):
    def forward(self, x):
        return F.interpolate(self.scores(x), size=(96, 96), mode="bilinear", align_corners=False)


class ReLUOverPositiveScores(nn.Module):
    """Scores that are all positive before a final ReLU: flipping the last convolution's sign gives all zeros."""

    def __init__(self):
        super().__init__()
        self.classifier = nn.Sequential(nn.Conv2d(3, 3, 1))
        with torch.no_grad():
            self.classifier[0].weight.zero_()
            self.classifier[0].bias.fill_(1.0)

    def forward(self, x):
        return F.relu(self.classifier(x))


def test_a_final_relu_is_reported_even_when_the_flipped_scores_are_all_zero():
    """Raw scores change sign with the last convolution; a ReLU's output stays non-negative (here all zero)."""
    net = ReLUOverPositiveScores().eval()
    x = torch.randn(2, 3, 8, 8)
    problems = []
    with pytest.raises(model_checks.Failed):
        model_checks.check_raw_scores(net, x, net(x), problems, "net")
    assert "a saída parece ter passado por ReLU no fim do forward" in problems[0]


@pytest.mark.parametrize(
    "model_cls, skip, hint",
    [
        (EndsWithSoftmax, False, "a saída parece ter passado por softmax no fim do forward"),
        (EndsWithLogSoftmax, False, "passado por log_softmax"),
        (EndsWithReLU, False, "passado por ReLU"),
        (FrozenEvenFromScratch, False, "com pretrained=False 8 de 12 tensores de parâmetros estão congelados"),
        (
            SixteenBuiltAsEight,
            True,
            "com skip='16s': com skip='16s', para uma entrada 96x96 self.backbone1 deveria "
            "terminar no pooling de 1/16 (16 canais, 6x6); veio 8 canais, 12x12 (é o corte de "
            "skip='8s')",
        ),
        (EightBuiltAsSixteen, True, "self.backbone1 deveria terminar no pooling de 1/8"),
        (
            AlwaysPretrained,
            False,
            "com pretrained=False o backbone foi carregado com pretrained=True: passe o argumento "
            "adiante, `load_probenet(pretrained)`",
        ),
        (VoidChannel, False, "a saída tem 4 canais, um a mais: void (255) não é uma classe"),
        (TwentyOneClasses, False, "a saída tem 21 canais: a última convolução do classifier deve ter num_classes"),
        (FunctionalDropout, False, "há dropout ativo mesmo em eval"),
        (BatchNormInForward, False, "uma BatchNorm está usando as estatísticas do lote mesmo em eval"),
        (NearestAtOneLevel, True, "o upsampling usa mode='nearest' em pelo menos uma das interpolações"),
        (LastPoolingDropped, False, "self.backbone deveria terminar onde termina `features`"),
        (FixedSizeOfTheFirstProbe, False, "para a entrada [2, 3, 64, 64] a saída deveria ser [2, 3, 64, 64]"),
    ],
)
def test_wrong_fcns_fail_with_the_hint_naming_their_mistake(probenet_registered, model_cls, skip, hint):
    result = _check(model_cls, skip)
    assert not result.passed
    assert hint in _messages(result), _messages(result)


def test_a_model_asking_for_imagenet_weights_whatever_pretrained_says_never_downloads(probenet_registered, monkeypatch):
    def offline(*args, **kwargs):
        raise backbones.PretrainedWeightsError("offline")

    monkeypatch.setattr(backbones, "_load_local_weights", offline)
    message = _messages(_check(AlwaysPretrained))
    assert "carregado com pretrained=True" in message and "use pretrained=False" not in message


class UpsampleModules(FCN_ProbeNet):
    """nn.Upsample layers, align_corners=True."""

    def __init__(self, num_classes, pretrained=False, skip=False):
        super().__init__(num_classes, pretrained, skip)
        self.up = nn.Upsample(scale_factor=None, mode="bilinear", align_corners=True)

    def forward(self, x):
        self.up.size = tuple(x.shape[-2:])
        return self.up(self.scores(x))


class BatchNormLayers(FCN_ProbeNet):
    """A BatchNorm registered as a layer: in eval it uses its running statistics."""

    def __init__(self, num_classes, pretrained=False, skip=False):
        super().__init__(num_classes, pretrained, skip)
        channels = self.classifier[0].in_channels
        self.classifier = nn.Sequential(nn.BatchNorm2d(channels), *self.classifier)


class FrozenOnlyWhenPretrained(FCN_ProbeNet):
    def __init__(self, num_classes, pretrained=False, skip=False):
        super().__init__(num_classes, pretrained, skip)
        if pretrained:
            for name, parameter in self.named_parameters():
                parameter.requires_grad = not name.startswith("backbone")


class LearnedDeepUpsampling(FCN_ProbeNet):
    """The deep features enlarged by a transposed convolution started as bilinear (the course's option)."""

    def __init__(self, num_classes, pretrained=False, skip=False):
        super().__init__(num_classes, pretrained, skip)
        if self.skip:
            factor = 2 if self.skip == "16s" else 4
            self.up = nn.ConvTranspose2d(24, 24, 2 * factor, stride=factor, padding=factor // 2, bias=False)
            with torch.no_grad():
                self.up.weight.copy_(backbones.bilinear_kernel(24, 24, 2 * factor))

    def scores(self, x):
        if not self.skip:
            return super().scores(x)
        shallow = self.backbone1(x)
        deep = F.interpolate(
            self.up(self.backbone2(shallow)), size=shallow.shape[-2:], mode="bilinear", align_corners=False
        )
        return self.classifier(torch.cat([shallow, deep], dim=1))


@pytest.mark.parametrize(
    "model_cls", [FCN_ProbeNet, UpsampleModules, BatchNormLayers, FrozenOnlyWhenPretrained, LearnedDeepUpsampling]
)
@pytest.mark.parametrize("skip", [False, True])
def test_acceptable_fcns_pass(probenet_registered, model_cls, skip):
    result = _check(model_cls, skip)
    assert result.passed, result.messages


def test_the_probes_try_several_sizes_and_class_counts():
    assert len(PROBENET.check_sizes) >= 3
    assert len({h for h, w in backbones.get_backbone("alexnet").check_sizes}) >= 2


# ---------------------------------------------------------------- issue 19: what the mutation run found untested
class _Scores(nn.Module):
    """A last 1x1 convolution in ``classifier`` and a final step: enough for the raw-scores probe."""

    def __init__(self, final):
        super().__init__()
        self.classifier = nn.Sequential(nn.Conv2d(3, 3, 1))
        self.final = final

    def forward(self, x):
        return self.final(self.classifier(x))


def _raw_scores_problems(net, x):
    problems = []
    try:
        model_checks.check_raw_scores(net, x, net(x), problems, "net")
    except model_checks.Failed:
        pass
    return problems


def test_probabilities_with_an_epsilon_against_log_zero_are_reported_as_a_softmax():
    """A softmax plus 1e-5 (so that a later log never sees zero) sums to 1 within 1e-3: it is named softmax."""
    net = _Scores(lambda scores: scores.softmax(dim=1) + 1e-5).eval()
    problems = _raw_scores_problems(net, torch.randn(2, 3, 8, 8, generator=torch.Generator().manual_seed(0)))
    assert len(problems) == 1 and "a saída parece ter passado por softmax no fim do forward" in problems[0]


def test_a_final_sigmoid_is_reported():
    net = _Scores(torch.sigmoid).eval()
    problems = _raw_scores_problems(net, torch.randn(2, 3, 8, 8, generator=torch.Generator().manual_seed(0)))
    assert len(problems) == 1 and "a saída parece ter passado por sigmoid no fim do forward" in problems[0]


class NegativeScoresOutsideAClassifier(nn.Module):
    """Raw scores, all negative here, from a last convolution that is not in ``classifier``."""

    def __init__(self):
        super().__init__()
        self.score = nn.Conv2d(3, 3, 1)
        with torch.no_grad():
            self.score.bias.fill_(-100.0)

    def forward(self, x):
        return self.score(x)


def test_negative_scores_are_not_taken_for_a_log_softmax_without_a_convolution_to_flip():
    """Without the last convolution only the exact properties are reported: all ≤ 0 is not log-softmax."""
    net = NegativeScoresOutsideAClassifier().eval()
    x = torch.randn(2, 3, 8, 8, generator=torch.Generator().manual_seed(0))
    assert net(x).max() < 0
    assert _raw_scores_problems(net, x) == []


class SoftmaxAtTheFirstProbesSize(FixedSizeOfTheFirstProbe):
    """Two mistakes: a final softmax, and the scores interpolated to a fixed size (the first size tried)."""

    def forward(self, x):
        return super().forward(x).softmax(dim=1)


def test_raw_scores_are_probed_at_the_first_size_before_the_other_sizes_are_tried(probenet_registered):
    message = _messages(_check(SoftmaxAtTheFirstProbesSize))
    assert "passado por softmax" in message and "para a entrada [2, 3, 64, 64]" not in message, message


def test_a_wrong_cut_with_skip_true_is_explained_as_the_8s_variant(probenet_registered):
    message = _messages(_check(EightBuiltAsSixteen, True))
    assert "com skip='8s', para uma entrada 96x96 self.backbone1 deveria terminar no pooling de 1/8" in message, message


def test_a_wrong_cut_names_the_input_size_height_first(monkeypatch):
    """The cuts are compared at the first size tried; a backbone may start with a size that is not square."""
    monkeypatch.setitem(
        backbones.BACKBONES, "probenet", dataclasses.replace(PROBENET, check_sizes=((64, 96), (96, 96), (97, 131)))
    )
    message = _messages(_check(SixteenBuiltAsEight, True))
    assert "com skip='16s', para uma entrada 64x96 self.backbone1 deveria terminar no pooling de 1/16" in message, (
        message
    )


@pytest.mark.slow  # draws AlexNet's template again (~2-5 s)
def test_a_backbone_changed_in_place_does_not_change_the_next_one():
    """A loaded backbone shares its classifier with the checks' template: a student's code that changes it in
    place (``.data.normal_()``) must not hand the change to the next model, which starts as a fresh copy would."""
    with model_checks.offline_backbones([]):
        first = load_alexnet(False)
        pristine = first.classifier[-1].bias.detach().clone()
        first.classifier[-1].bias.data.normal_()
        second = load_alexnet(False)
    assert torch.equal(second.classifier[-1].bias, pristine)


@pytest.mark.slow  # builds and initialises a real AlexNet (~2-4 s)
def test_a_torchvision_builder_called_after_the_course_loader_is_still_recorded():
    calls = []
    with model_checks.offline_backbones(calls):
        load_alexnet(False)
        torchvision.models.alexnet(weights=None)
    assert calls == [False, False]


def build_batch_norm_net(weights=None):
    """A tiny backbone with a BatchNorm in ``features`` (running statistics: buffers, not parameters)."""
    model = nn.Module()
    model.features = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(), nn.MaxPool2d(32))
    return model


def test_a_backbone_with_batch_norm_in_its_features_is_loaded_with_its_running_statistics(monkeypatch):
    """The checks' copy of ``features`` holds the buffers as built (the weights' pattern covers parameters only)."""
    spec = dataclasses.replace(PROBENET, name="batchnormnet", build=build_batch_norm_net)
    monkeypatch.setitem(backbones.BACKBONES, spec.name, spec)
    monkeypatch.setattr(model_checks, "_INITIAL_WEIGHTS", {})
    monkeypatch.setattr(model_checks, "_PROBES", {})
    with model_checks.offline_backbones([]):
        norm = backbones.load_backbone(spec.name, False).features[1]
    assert torch.equal(norm.running_mean, torch.zeros(8)) and torch.equal(norm.running_var, torch.ones(8))


def test_the_figures_of_a_coarse_skip_are_those_of_a_point_added_at_the_centre_of_each_map():
    """The feedback quotes how many output pixels change when a point of each map changes: the point is added at
    the centre (away from the borders, whose footprints are cut), the same change each time (seed 0, added), so the
    figures are fixed for a given network."""
    message = _skip_problems(8)
    assert "altera 7044 pixels da saída, tanto quanto um ponto do mapa de 1/32 (12166 pixels)" in message, message

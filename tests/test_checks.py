"""The self-checks pass on the reference solutions and fail, with the right Portuguese hint, on typical mistakes."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn, optim

from fcn_course import checks
from fcn_course.backbones import initialize_weights, load_alexnet
from solutions.fcn_alexnet import FCN_AlexNet
from solutions.fcn_vgg16 import FCN_VGG16
from solutions.training import compute_loss, make_criterion, make_optimizer


def _messages(result):
    return " ".join(result.messages)


# ---------------------------------------------------------------- the reference solutions pass
@pytest.mark.parametrize("skip", [False, True])
def test_reference_alexnet_passes(skip):
    assert checks.check_fcn(FCN_AlexNet, skip=skip, verbose=False).passed


def test_reference_vgg16_passes_both_variants():
    assert checks.check_fcn(FCN_VGG16, skip=False, verbose=False).passed
    assert checks.check_fcn(FCN_VGG16, skip=True, verbose=False).passed


def test_reference_optimizer_loss_and_training_pass():
    assert checks.check_optimizer(make_optimizer, FCN_AlexNet, verbose=False).passed
    assert checks.check_loss(compute_loss, make_criterion(), verbose=False).passed
    assert checks.check_training(FCN_AlexNet, make_optimizer, compute_loss, make_criterion(), verbose=False)


def test_printed_feedback_is_portuguese(capsys):
    checks.check_loss(compute_loss, make_criterion())
    assert "✅ Exercício 3 (função de perda" in capsys.readouterr().out


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

        return interpolate(self.classifier(self.backbone(x)), size=x.shape[-2:], mode="bilinear",
                           align_corners=False)


def test_upsampling_is_seen_however_interpolate_is_imported():
    assert checks.check_fcn(ImportedInterpolate, skip=False, verbose=False, backbone="alexnet").passed


class Stub(nn.Module):
    def __init__(self, num_classes, pretrained=False, skip=False):
        super().__init__()
        raise NotImplementedError("crie self.backbone e self.classifier")


@pytest.mark.parametrize("model_cls, skip, expected", [
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
])
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


# ---------------------------------------------------------------- typical wrong optimisers
def _adam(params, args, **overrides):
    options = dict(lr=args["lr"], weight_decay=args["weight_decay"], betas=(args["momentum"], 0.999))
    options.update(overrides)
    return optim.Adam(params, **options)


def same_lr_everywhere(net, args):
    return _adam(net.parameters(), args)


def sgd(net, args):
    return optim.SGD(net.parameters(), lr=args["lr"])


def forgets_classifier(net, args):
    backbone = [p for name, p in net.named_parameters() if name.startswith("backbone")]
    return _adam(backbone, args)


def wrong_betas(net, args):
    return make_optimizer(net, {**args, "momentum": 0.5})


def pretrained_everything_slow(net, args):
    return _adam(net.parameters(), args, lr=args["lr"] * 0.1)


@pytest.mark.parametrize("make, expected", [
    (same_lr_everywhere, "o backbone pré-treinado usa lr × 0.1"),
    (sgd, "use torch.optim.Adam"),
    (forgets_classifier, "não está no otimizador"),
    (wrong_betas, "betas deveria ser (args['momentum'], 0.999)"),
    (pretrained_everything_slow, "parâmetros do classificador"),
])
def test_wrong_optimizers_fail(make, expected):
    result = checks.check_optimizer(make, FCN_AlexNet, verbose=False)
    assert not result.passed
    assert expected in _messages(result)


# ---------------------------------------------------------------- typical wrong losses
def flatten_without_permute(outputs, labels, criterion):
    return criterion(outputs.reshape(-1, outputs.shape[1]), labels.reshape(-1))


def detached(outputs, labels, criterion):
    return compute_loss(outputs, labels, criterion).detach().requires_grad_()


def summed(outputs, labels, criterion):
    return compute_loss(outputs, labels, criterion) * labels.numel()


def test_loss_flattened_without_permute_gets_the_permute_hint():
    result = checks.check_loss(flatten_without_permute, make_criterion(), verbose=False)
    assert not result.passed and "mistura canais e pixels" in _messages(result)


def test_loss_without_ignore_index_is_caught():
    result = checks.check_loss(compute_loss, nn.CrossEntropyLoss(), verbose=False)
    assert not result.passed and "ignore_index=255" in _messages(result)


def test_detached_loss_is_caught():
    result = checks.check_loss(detached, make_criterion(), verbose=False)
    assert not result.passed and "não propaga gradiente" in _messages(result)


def test_wrong_loss_value_is_caught():
    result = checks.check_loss(summed, make_criterion(), verbose=False)
    assert not result.passed and "esperado" in _messages(result)


def test_training_with_a_frozen_optimizer_is_caught():
    def no_learning(net, args):
        return optim.Adam(net.parameters(), lr=0.0)

    result = checks.check_training(FCN_AlexNet, no_learning, compute_loss, make_criterion(), verbose=False)
    assert not result.passed and "a perda não caiu" in _messages(result)


# ---------------------------------------------------------------- exercise 0
def iou_dice(matrix):
    tp = np.diag(matrix).astype(float)
    fp, fn = matrix.sum(0) - tp, matrix.sum(1) - tp
    with np.errstate(invalid="ignore"):
        return tp / (tp + fp + fn), 2 * tp / (2 * tp + fp + fn)


def test_iou_from_confusion_accepts_a_correct_answer():
    assert checks.check_iou_from_confusion(iou_dice, verbose=False).passed


def test_iou_from_confusion_rejects_recall_and_zero_for_absent_classes():
    recall = checks.check_iou_from_confusion(lambda m: (np.diag(m) / m.sum(1), np.diag(m) / m.sum(1)),
                                             verbose=False)
    assert not recall.passed and "IoU = TP/(TP+FP+FN)" in _messages(recall)

    def zero_for_absent(matrix):
        iou, dice = iou_dice(matrix)
        return np.nan_to_num(iou), np.nan_to_num(dice)

    absent = checks.check_iou_from_confusion(zero_for_absent, verbose=False)
    assert not absent.passed and "devolva NaN" in _messages(absent)


# ---------------------------------------------------------------- the grader's entry point
def test_run_all_reports_every_exercise_and_missing_names():
    namespace = {"FCN_AlexNet": FCN_AlexNet, "make_optimizer": make_optimizer, "compute_loss": compute_loss,
                 "make_criterion": make_criterion, "iou_and_dice_from_confusion": iou_dice}
    results = checks.run_all(namespace)
    by_name = {r.exercise: r for r in results}
    assert len(results) == len(checks.exercises())
    assert all(r.passed for r in results if not r.exercise.startswith(("Exercício 4", "Exercício 5", "Exercício 6")))
    vgg = [r for r in results if "VGG16" in r.exercise]
    assert vgg and all(not r.passed and "FCN_VGG16" in _messages(r) for r in vgg)
    assert by_name["Exercício 1 (FCN-AlexNet sem skip)"].passed


def test_run_all_grades_only_the_exercises_of_one_notebook():
    assert checks.exercises_for_notebook("03_fcn_vgg16 (1).ipynb") == ("vgg16-noskip", "vgg16-skip", "vgg16-scoresum")
    assert checks.exercises_for_notebook("my_notebook.ipynb") is None
    results = checks.run_all({}, exercises=checks.exercises_for_notebook("02_fcn_alexnet.ipynb"))
    assert [r.key for r in results] == ["alexnet-noskip", "alexnet-skip", "optimizer", "loss", "training",
                                        "upsampler", "class-weights", "dice-loss"]
    assert [r.exercise.split(" (")[0] for r in results] == [
        "Exercício 1", "Exercício 2", "Exercício 3", "Exercício 3", "Exercício 3", "Exercício 4", "Exercício 5",
        "Exercício 5"]
    assert all("não encontrei" in _messages(r) for r in results)


def test_the_backbone_comes_from_the_registry():
    """Subclasses of the course's classes are recognised; an unknown class gets a hint, not a wrong check."""
    class MyAlexNet(FCN_AlexNet):
        pass

    assert checks.check_fcn(MyAlexNet, skip=False, verbose=False).passed

    class Mystery(nn.Module):
        pass

    result = checks.check_fcn(Mystery, skip=False, verbose=False)
    assert not result.passed and "backbone='alexnet'" in _messages(result)


def test_run_all_survives_a_stubbed_criterion():
    def make_criterion_stub():
        raise NotImplementedError("crie a CrossEntropyLoss")

    namespace = {"compute_loss": compute_loss, "make_criterion": make_criterion_stub}
    loss = [r for r in checks.run_all(namespace) if "função de perda" in r.exercise][0]
    assert not loss.passed and "ainda não implementado" in _messages(loss)


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


def _two_groups(net, args, backbone_lr, **adam):
    backbone = [p for name, p in net.named_parameters() if name.startswith("backbone")]
    rest = [p for name, p in net.named_parameters() if not name.startswith("backbone")]
    return optim.Adam([{"params": backbone, "lr": backbone_lr}, {"params": rest, "lr": args["lr"]}], **adam)


def default_betas(net, args):
    """Right learning rates and weight decay, but Adam's default betas (0.9 = momentum of the pretrained cases)."""
    lr = args["lr"] * 0.1 if args["pretrained"] else args["lr"]
    return _two_groups(net, args, lr, weight_decay=args["weight_decay"])


def slow_backbone_even_from_scratch(net, args):
    return _two_groups(net, args, args["lr"] * 0.1, weight_decay=args["weight_decay"],
                       betas=(args["momentum"], 0.999))


def no_weight_decay(net, args):
    return make_optimizer(net, {**args, "weight_decay": 0.0})


@pytest.mark.parametrize("make, expected", [
    (default_betas, "betas=(args['momentum'], 0.999)"),
    (slow_backbone_even_from_scratch, "o lr × 0.1 vale só com pretrained=True"),
    (no_weight_decay, "weight_decay deveria ser args['weight_decay']"),
])
def test_optimizer_mistakes_of_the_from_scratch_cases_and_hyperparameters(make, expected):
    result = checks.check_optimizer(make, FCN_AlexNet, verbose=False)
    assert not result.passed
    assert expected in _messages(result)


def test_each_optimizer_problem_is_printed_once():
    result = checks.check_optimizer(no_weight_decay, FCN_AlexNet, verbose=False)
    assert _messages(result).count("weight_decay deveria ser") == 1


def test_one_missing_parameter_tensor_is_singular():
    def forgets_one(net, args):
        params = list(net.parameters())[:-1]
        return optim.Adam(params, lr=args["lr"], weight_decay=args["weight_decay"], betas=(args["momentum"], 0.999))

    result = checks.check_optimizer(forgets_one, FCN_AlexNet, verbose=False)
    assert "falta 1 de" in _messages(result) and "faltam 1" not in _messages(result)


def test_reduction_sum_and_softmax_before_the_loss_get_their_own_hints():
    result = checks.check_loss(compute_loss, nn.CrossEntropyLoss(ignore_index=255, reduction="sum"), verbose=False)
    assert not result.passed and "reduction='sum'" in _messages(result)
    assert "achatou" not in _messages(result)

    def summed_inside(outputs, labels, criterion):
        return F.cross_entropy(outputs, labels, ignore_index=255, reduction="sum")

    result = checks.check_loss(summed_inside, make_criterion(), verbose=False)
    assert not result.passed and "soma da perda" in _messages(result)

    def softmax_first(outputs, labels, criterion):
        return compute_loss(outputs.softmax(dim=1), labels, criterion)

    result = checks.check_loss(softmax_first, make_criterion(), verbose=False)
    assert not result.passed and "softmax antes da perda" in _messages(result)


def test_a_wrong_dice_with_a_right_iou_fails_naming_dice():
    def dice_as_iou(matrix):
        iou, _ = iou_dice(matrix)
        return iou, iou

    result = checks.check_iou_from_confusion(dice_as_iou, verbose=False)
    assert not result.passed
    assert _messages(result).startswith("Dice com") and "Dice = 2TP/(2TP+FP+FN)" in _messages(result)


def test_the_recall_bug_is_named_recall():
    result = checks.check_iou_from_confusion(lambda m: (np.diag(m) / m.sum(1), iou_dice(m)[1]), verbose=False)
    assert not result.passed and "recall" in _messages(result) and "Dica: lembre" not in _messages(result)


# ---------------------------------------------------------------- accepted alternatives
def test_iou_and_dice_returned_as_a_list_pass():
    assert checks.check_iou_from_confusion(lambda m: list(iou_dice(m)), verbose=False).passed


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


@pytest.mark.parametrize("build", [
    "carrega(pretrained)",
    "torchvision.models.alexnet(weights=AlexNet_Weights.IMAGENET1K_V1 if pretrained else None)",
    'torchvision.models.alexnet(weights="DEFAULT" if pretrained else None)',
])
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


# ---------------------------------------------------------------- where the error is, and Run All
CAT_MISTAKE = '''
    # %%
    import torch
    from solutions.fcn_alexnet import FCN_AlexNet as Reference


    class FCN_AlexNet(Reference):
        def forward(self, x):
            shallow = self.backbone1(x)
            deep = self.backbone2(shallow)
            fused = torch.cat([shallow, deep], dim=1)  # sizes differ: deep was not interpolated
            return fused
'''


def test_an_error_names_the_students_cell_and_line_not_a_library_line(tmp_path):
    from fcn_course.definitions import load_definitions
    from tiny_course import percent

    path = tmp_path / "02_fcn_alexnet.py"
    path.write_text(percent(CAT_MISTAKE))
    model = load_definitions(path, ["FCN_AlexNet"])["FCN_AlexNet"]
    message = _messages(checks.check_fcn(model, skip=True, verbose=False))
    assert "célula 1 de 02_fcn_alexnet.py, linha 9: `fused = torch.cat([shallow, deep], dim=1)" in message
    assert "checks" not in message and "functional.py" not in message and "linha 206" not in message


def test_an_optional_exercise_never_stops_run_all_but_a_required_one_does(capsys):
    def stub(matrix):
        raise NotImplementedError("calcule TP, FP e FN")

    result = checks.check_iou_from_confusion(stub)  # interactive: must not raise
    assert not result.passed
    out = capsys.readouterr().out
    assert "ainda não implementado (calcule TP, FP e FN)" in out and "exercício opcional" in out
    with pytest.raises(checks.ExerciseNotDone, match="Termine o Exercício 1"):
        checks.check_fcn(Stub, skip=False, backbone="alexnet")

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
    assert "✅ Exercício 3: função de perda" in capsys.readouterr().out


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
    assert len(results) == len(checks.EXERCISES)
    assert all(r.passed for r in results if not r.exercise.startswith(("Exercício 4", "Exercício 5", "Exercício 6")))
    vgg = [r for r in results if "VGG16" in r.exercise]
    assert vgg and all(not r.passed and "FCN_VGG16" in _messages(r) for r in vgg)
    assert by_name["Exercício 1 (FCN-AlexNet sem skip)"].passed


def test_run_all_grades_only_the_exercises_of_one_notebook():
    assert checks.exercises_for_notebook("03_fcn_vgg16 (1).ipynb") == ("vgg16-noskip", "vgg16-skip", "vgg16-scoresum")
    assert checks.exercises_for_notebook("my_notebook.ipynb") is None
    results = checks.run_all({}, exercises=checks.exercises_for_notebook("02_fcn_alexnet.ipynb"))
    assert [r.exercise.split(" (")[0] for r in results] == [
        "Exercício 1", "Exercício 2", "Exercício 3: otimizador", "Exercício 3: função de perda",
        "Exercício 3: treino e validação com as suas peças", "Exercício 4", "Exercício 5: pesos das classes",
        "Exercício 5: perda de Dice"]
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

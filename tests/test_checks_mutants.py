"""Self-check cases (fcn_course/checks/) found by mutation testing (benchmarks/mutation_test.py) that no other
test pinned: what a student sees when they call a check, and the false negatives the mutants revealed."""
import pytest
import torch
import torch.nn.functional as F
import torchvision
from torch import nn, optim
from torchvision.models import AlexNet_Weights

from fcn_course import backbones, checks
from fcn_course.checks import models as model_checks
from fcn_course.checks.registry import run_all
from fcn_course.checks.training import _tiny_loader
from fcn_course.voc import VOID
from solutions.fcn_alexnet import FCN_AlexNet
from solutions.fcn_vgg16_scores import FCN8s_VGG16_Sum
from solutions.training import compute_loss, make_criterion, make_optimizer


def _messages(result):
    return " ".join(result.messages)


@pytest.fixture(autouse=True)
def fresh_backbone_caches():
    """The checks cache what they learn about each backbone; each test here computes it again, so that it
    checks the computation and not a value an earlier test left in the cache."""
    model_checks._first_conv_shape.cache_clear()
    model_checks._torchvision_class.cache_clear()


# ---------------------------------------------------------------- the pretrained flag, however the backbone is built
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


def test_weights_of_a_backbone_the_course_does_not_know_stop_the_check_with_a_clear_error():
    with pytest.raises(backbones.PretrainedWeightsError, match="não é um backbone do curso"):
        checks.check_fcn(ResNetBackbone, skip=False, verbose=False, backbone="alexnet")


# ---------------------------------------------------------------- what the student sees by default
class _Broken(nn.Module):
    """A model whose constructor fails at once (any check stops there, quickly)."""

    def __init__(self, num_classes, pretrained=False, skip=False):
        super().__init__()
        raise ValueError("quebrado")


def _broken(*args, **kwargs):
    raise ValueError("quebrado")


@pytest.mark.parametrize("run, title", [
    (lambda: checks.check_iou_from_confusion(_broken), "Exercício 0"),
    (lambda: checks.check_fcn(_Broken, backbone="alexnet"), "Exercício 1"),
    (lambda: checks.check_optimizer(_broken, FCN_AlexNet), "Exercício 3: otimizador"),
    (lambda: checks.check_loss(_broken, nn.MSELoss()), "Exercício 3: função de perda"),
    (lambda: checks.check_training(_Broken, make_optimizer, compute_loss, make_criterion()), "Exercício 3: treino"),
    (lambda: checks.check_upsampler(_broken), "Exercício 4"),
    (lambda: checks.check_class_weights(_broken), "Exercício 5: pesos"),
    (lambda: checks.check_dice_loss(_broken), "Exercício 5: perda de Dice"),
    (lambda: checks.check_score_sum(_Broken), "Exercício 6: FCN-8s"),
])
def test_every_check_prints_its_verdict_when_called_as_in_the_notebook(run, title, capsys):
    result = run()
    assert not result.passed
    assert f"❌ {title}" in capsys.readouterr().out


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


def test_run_all_grades_quietly_and_reports_a_stub_without_raising(capsys):
    def class_weights(counts):
        raise NotImplementedError("calcule as frequências")

    [result] = run_all({"class_weights": class_weights}, exercises={"class-weights"})
    assert not result.passed and "ainda não implementado (calcule as frequências)" in _messages(result)
    assert capsys.readouterr().out == ""


def test_an_error_in_a_students_python_file_names_the_file_and_line():
    def class_weights(counts):
        raise ValueError("contagens inválidas")

    result = checks.check_class_weights(class_weights, verbose=False)
    line = class_weights.__code__.co_firstlineno + 1
    assert f"seu código gerou ValueError: contagens inválidas (test_checks_mutants.py, linha {line}: " \
           "`raise ValueError(\"contagens inválidas\")`)" in _messages(result)


@pytest.mark.parametrize("run", [
    lambda model: checks.check_score_sum(model, verbose=False),
    lambda model: checks.check_training(model, make_optimizer, compute_loss, make_criterion(), verbose=False),
])
def test_checks_that_build_a_random_model_are_reproducible(run):
    """The check seeds torch before building the student's model: the same model gets the same verdict."""
    draws = []

    class DrawsAtConstruction(nn.Module):
        def __init__(self, num_classes, pretrained=False, skip=False):
            super().__init__()
            draws.append(torch.rand(1).item())
            raise ValueError("pare aqui")

    run(DrawsAtConstruction)
    torch.rand(5)  # the notebook goes on drawing random numbers between two runs of the check
    run(DrawsAtConstruction)
    assert len(draws) == 2 and draws[0] == draws[1]


# ---------------------------------------------------------------- Exercício 0: the hint names the mistake
def test_iou_computed_as_precision_is_named_precision():
    def precision(matrix):
        tp = torch.as_tensor(matrix).diag().double()
        return (tp / torch.as_tensor(matrix).sum(0)).numpy(), (tp / torch.as_tensor(matrix).sum(0)).numpy()

    result = checks.check_iou_from_confusion(precision, verbose=False)
    assert not result.passed
    assert "isso é a precisão de cada classe, TP/(TP+FP): falta o FN no denominador" in _messages(result)


# ---------------------------------------------------------------- Exercício 2: where the skip's fine detail starts
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
    """8x8 against the deep map's 6x6: a point of the shallow features reaches more than half as many pixels."""
    assert "a skip connection não traz detalhe fino" in _skip_problems(8)


def test_a_skip_fused_clearly_finer_than_the_deep_map_is_accepted():
    """12x12 (about 1/19 of the input): clearly finer than 1/32, which is all the exercise asks (its "16s"
    variant fuses at 1/16)."""
    assert _skip_problems(12) == ""


# ---------------------------------------------------------------- Exercício 1: the five-class model
def test_the_five_class_model_runs_once_and_the_three_class_one_at_every_size():
    """The model with num_classes=5 only has to show that the class count is not fixed: one forward pass keeps
    the check quick; the input sizes are tried with the three-class model."""
    forwards = []

    class Counted(FCN_AlexNet):
        def forward(self, x):
            output = super().forward(x)
            forwards.append((output.shape[1], tuple(x.shape[-2:])))
            return output

    assert checks.check_fcn(Counted, skip=False, verbose=False).passed
    sizes = list(backbones.get_backbone("alexnet").check_sizes)
    assert [size for classes, size in forwards if classes == 3] == sizes
    assert [size for classes, size in forwards if classes == 5] == sizes[:1]


# ---------------------------------------------------------------- Exercício 3: the tiny training round
def test_the_training_check_gives_make_optimizer_the_args_of_the_model_it_built():
    built, seen = [], []

    class Recorded(FCN_AlexNet):
        def __init__(self, num_classes, pretrained=False, skip=False):
            super().__init__(num_classes, pretrained, skip)
            built.append((num_classes, pretrained, skip))

    def spy(net, args):
        seen.append(dict(args))
        raise ValueError("pare aqui")

    checks.check_training(Recorded, spy, compute_loss, make_criterion(), verbose=False)
    [(num_classes, pretrained, skip)] = built
    [args] = seen
    assert (args["n_classes"], args["pretrained"], args["skip"]) == (num_classes, pretrained, skip)


def test_the_training_check_prints_only_its_verdict(capsys):
    result = checks.check_training(FCN_AlexNet, make_optimizer, compute_loss, make_criterion())
    assert result.passed
    captured = capsys.readouterr()
    assert captured.out == "✅ Exercício 3: treino e validação com as suas peças: tudo certo!\n"
    assert captured.err == ""  # no progress bar


def test_the_training_batch_labels_agree_with_the_picture():
    """Class 1 is exactly the bright square, class 2 exactly the dark disc; void (255) is a one-pixel border
    just outside the square's top edge, corner to corner, as VOC outlines objects: never on an object."""
    [(images, labels)] = _tiny_loader()
    brightness = images.mean(dim=1)
    assert torch.equal(labels == 1, brightness > 0.75)
    assert torch.equal(labels == 2, brightness < -0.75)
    void = (labels == VOID).nonzero()
    rows, cols = (labels[0] == 1).nonzero().unbind(1)
    assert len(void) > 0 and set(void[:, 1].tolist()) == {int(rows.min()) - 1}
    assert (int(void[:, 2].min()), int(void[:, 2].max())) == (int(cols.min()) - 1, int(cols.max()) + 1)


# ---------------------------------------------------------------- Exercício 6: score summation
class _BiasFreeScores(FCN8s_VGG16_Sum):
    """Correct: the score layers have no bias (a sum of class scores needs none)."""

    def __init__(self, num_classes, pretrained=False):
        super().__init__(num_classes, pretrained)
        self.score_pool4 = nn.Conv2d(512, num_classes, kernel_size=1, bias=False)
        self.score_pool3 = nn.Conv2d(256, num_classes, kernel_size=1, bias=False)


def test_score_layers_without_bias_pass():
    result = checks.check_score_sum(_BiasFreeScores, verbose=False)
    assert result.passed, result.messages


# ---------------------------------------------------------------- Exercício 3: the optimiser
@pytest.mark.filterwarnings("ignore:optimizer contains a parameter group with duplicate parameters")
def test_a_parameter_given_twice_to_the_optimizer_is_named():
    def classifier_twice(net, args):
        params = list(net.parameters()) + list(net.classifier.parameters())
        return optim.Adam(params, lr=args["lr"], weight_decay=args["weight_decay"], betas=(args["momentum"], 0.999))

    result = checks.check_optimizer(classifier_twice, FCN_AlexNet, verbose=False)
    assert not result.passed
    assert "um mesmo parâmetro aparece duas vezes no otimizador" in _messages(result)

"""Self-check cases (fcn_course/checks/) found by mutation testing (benchmarks/mutation_test.py) that no other
test pinned: what a student sees when they call a check, and the false negatives the mutants revealed."""
import importlib
import json
import linecache

import numpy as np
import pytest
import torch
import torch.nn.functional as F
import torchvision
from torch import nn, optim
from torchvision.models import AlexNet_Weights

from fcn_course import backbones, checks
from fcn_course.checks import feedback, training
from fcn_course.checks import models as model_checks
from fcn_course.checks import exercises, run_all
from fcn_course.checks.training import _tiny_loader
from fcn_course.config import course_args
from fcn_course.voc import VOID
from solutions.fcn_alexnet import FCN_AlexNet
from solutions.fcn_vgg16_scores import FCN8s_VGG16_Sum
from solutions.losses import dice_loss
from solutions.training import compute_loss, make_criterion, make_optimizer


def _messages(result):
    return " ".join(result.messages)


def iou_dice(matrix):
    tp = np.diag(matrix).astype(float)
    fp, fn = matrix.sum(0) - tp, matrix.sum(1) - tp
    with np.errstate(invalid="ignore"):
        return tp / (tp + fp + fn), 2 * tp / (2 * tp + fp + fn)


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
    (lambda: checks.check_optimizer(_broken, FCN_AlexNet), "Exercício 3 (otimizador"),
    (lambda: checks.check_loss(_broken, nn.MSELoss()), "Exercício 3 (função de perda"),
    (lambda: checks.check_training(_Broken, make_optimizer, compute_loss, make_criterion()), "Exercício 3 (treino"),
    (lambda: checks.check_upsampler(_broken), "Exercício 4"),
    (lambda: checks.check_class_weights(_broken), "Exercício 5 (pesos"),
    (lambda: checks.check_dice_loss(_broken), "Exercício 5 (perda de Dice"),
    (lambda: checks.check_score_sum(_Broken), "Exercício 6 (FCN-8s"),
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
    """8x8 against the deep map's 6x6 (for the 224x224 input the check probes the skip with): a point of the
    shallow features reaches more than half as many output pixels as a point of the deep map."""
    pooled = type("Pooled", (_PooledSkip,), {"grid": 8})
    message = _messages(checks.check_fcn(pooled, skip=True, verbose=False, backbone="alexnet"))
    assert "a skip connection não traz detalhe fino" in message


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
    assert captured.out == "✅ Exercício 3 (treino e validação com as suas peças): tudo certo!\n"
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


# ---------------------------------------------------------------- where an error in the student's code is shown
def _raise_from_the_course_package(counts):
    return backbones.get_backbone("resnet")  # raises inside fcn_course


def _raise_from_the_standard_library(counts):
    return importlib.import_module("um_modulo_que_nao_existe")  # raises inside importlib (and frozen frames)


def _raise_from_code_compiled_from_a_string(counts):
    exec("raise ValueError('quebrado')")  # the raising frame is "<string>"


@pytest.mark.parametrize("function", [_raise_from_the_course_package, _raise_from_the_standard_library,
                                      _raise_from_code_compiled_from_a_string])
def test_an_error_raised_inside_a_library_names_the_students_line_that_called_it(function):
    message = _messages(checks.check_class_weights(function, verbose=False))
    line = function.__code__.co_firstlineno + 1
    assert f"(test_checks_mutants.py, linha {line}: `" in message
    assert message.count(", linha ") == 1  # one location: the student's, not the library's frame


def test_a_library_function_handed_in_directly_is_reported_without_a_location():
    message = _messages(checks.check_class_weights(json.loads, verbose=False))
    assert message.startswith("class_weights([900, 90, 10]): seu código gerou TypeError: the JSON object must be")
    assert "linha" not in message


@pytest.mark.parametrize("file_name, label", [
    ("<ipython-input-7-0a1b2c3d>", "célula [7], linha 3"),     # older IPython
    ("/tmp/ipykernel_4242/123456789.py", "linha 3 da sua célula"),  # Jupyter
])
def test_an_error_in_a_notebook_cell_names_the_cell_line(file_name, label, monkeypatch):
    source = "def class_weights(counts):\n    total = sum(counts)\n    raise ValueError('quebrado')\n"
    monkeypatch.setitem(linecache.cache, file_name, (len(source), None, source.splitlines(True), file_name))
    namespace = {}
    exec(compile(source, file_name, "exec"), namespace)
    message = _messages(checks.check_class_weights(namespace["class_weights"], verbose=False))
    assert f"({label}: `raise ValueError('quebrado')`)" in message


# ---------------------------------------------------------------- Exercício 0: what the answer must return
@pytest.mark.parametrize("answer, hint", [
    (lambda matrix: {"iou": iou_dice(matrix)[0], "dice": iou_dice(matrix)[1]}, "`return iou, dice`"),
    (lambda matrix: iou_dice(matrix)[0], "`return iou, dice`"),
    (lambda matrix: (np.nanmean(iou_dice(matrix)[0]), np.nanmean(iou_dice(matrix)[1])), "um valor por classe"),
])
def test_an_answer_of_the_wrong_form_gets_its_hint(answer, hint):
    result = checks.check_iou_from_confusion(answer, verbose=False)
    assert not result.passed and hint in _messages(result)


# ---------------------------------------------------------------- Exercício 1: structure and upsampling
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
            -(-width // scores.shape[-1]), 3)
        return big[..., :height, :width]


def test_a_hand_made_backbone_and_a_classifier_without_convolutions_are_named():
    message = _messages(checks.check_fcn(_HandMade, skip=False, verbose=False, backbone="alexnet"))
    assert "`backbone` deve começar pela primeira convolução do backbone do torchvision (pesos (64, 3, 11, 11))" \
        in message
    assert "`classifier` deve conter convoluções" in message
    assert "o modelo não chamou `load_alexnet(pretrained)` de fcn_course.backbones" in message


def test_an_output_of_the_right_size_without_any_upsampling_is_caught():
    message = _messages(checks.check_fcn(_RepeatsPixels, skip=False, verbose=False, backbone="alexnet"))
    assert "não encontrei upsampling: use F.interpolate(..., mode='bilinear')" in message


def test_the_upsampling_mode_is_read_however_interpolate_is_called():
    scores = torch.randn(1, 2, 3, 3)
    with model_checks._UpsamplingRecorder() as recorder:
        F.interpolate(scores, (6, 6), None, "bilinear")                    # mode as the 4th positional argument
        nn.Upsample(size=(6, 6), mode="bilinear")(scores)                  # nn.Upsample passes it positionally
        F.interpolate(scores, scale_factor=2, mode="bicubic")              # as a keyword
        F.interpolate(scores, size=(6, 6))                                 # PyTorch's default
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


# ---------------------------------------------------------------- Exercício 2: the skip probe
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


# ---------------------------------------------------------------- the registry's rows
def test_each_fcn_row_checks_its_own_variant_and_backbone():
    from fcn_course.checks import models

    seen = {}

    def fake_check_fcn(model_cls, skip, verbose, backbone=None):
        seen[model_cls] = (skip, backbone)
        return checks.CheckResult("x", True)

    rows = {"alexnet-noskip": "FCN_AlexNet", "alexnet-skip": "FCN_AlexNet", "vgg16-noskip": "FCN_VGG16",
            "vgg16-skip": "FCN_VGG16"}
    for key, class_name in rows.items():
        row = checks.get_exercise(key)
        assert row.names == (class_name,) and row.check.func is models.check_fcn
        seen.clear()
        fake_row = checks.Exercise(key, row.notebook, row.names,
                                   lambda cls, verbose, kw=row.check.keywords: fake_check_fcn(cls, verbose=verbose, **kw))
        fake_row.run({class_name: key})
        assert seen == {key: (key.endswith("-skip"), key.split("-")[0])}


def test_only_exercise_zero_is_optional_and_the_rows_agree_with_the_checks():
    assert [exercise.key for exercise in exercises() if not exercise.required] == ["iou"]
    assert all(exercise.required is not exercise.optional for exercise in exercises())


@pytest.mark.parametrize("file_name, notebook", [
    ("Cópia de 02_meu_fcn.ipynb", "02_fcn_alexnet"),
    ("Copy of Copy of 03 vgg (2).ipynb", "03_fcn_vgg16"),
    ("01 - dados.ipynb", "01_dados_e_metricas"),
    ("Copy of notas.ipynb", None),
])
def test_a_renamed_copy_is_recognised_by_its_number(file_name, notebook):
    from fcn_course.checks.registry import course_notebook_of

    assert course_notebook_of(file_name) == notebook


# ---------------------------------------------------------------- Exercício 5: class weights and Dice loss
def _median_over_present(counts, divide):
    frequencies = torch.as_tensor(counts, dtype=torch.float32)
    frequencies = frequencies / frequencies.sum()
    median = frequencies[frequencies > 0].median()
    return median, frequencies, divide(median, frequencies)


def test_class_weights_with_a_small_epsilon_in_the_division_pass():
    """Right up to rounding: the check compares with a relative tolerance (1e-3)."""
    def with_epsilon(counts):
        median, frequencies, weights = _median_over_present(counts, lambda m, f: m / (f + 1e-6))
        return torch.where(frequencies > 0, weights, torch.zeros(()))

    result = checks.check_class_weights(with_epsilon, verbose=False)
    assert result.passed, result.messages


def test_class_weights_that_only_avoid_the_division_by_zero_are_caught():
    """A huge but finite weight for a class without pixels is still wrong: it must be 0."""
    def clamped(counts):
        return _median_over_present(counts, lambda m, f: m / f.clamp(min=1e-6))[2]

    result = checks.check_class_weights(clamped, verbose=False)
    assert not result.passed and "uma classe sem nenhum pixel deve receber peso 0" in _messages(result)


def test_a_dice_loss_without_smoothing_passes():
    """2·I/(P+G) per class with no smoothing term is right: every class of the check's batch has pixels."""
    def plain_dice(outputs, labels):
        valid = (labels != VOID).unsqueeze(1)
        probabilities = outputs.softmax(dim=1) * valid
        target = F.one_hot(labels.masked_fill(labels == VOID, 0), outputs.shape[1]).permute(0, 3, 1, 2) * valid
        intersection = (probabilities * target).sum(dim=(0, 2, 3))
        return 1 - (2 * intersection / (probabilities.sum(dim=(0, 2, 3)) + target.sum(dim=(0, 2, 3)))).mean()

    result = checks.check_dice_loss(plain_dice, verbose=False)
    assert result.passed, result.messages


def test_a_dice_loss_that_never_reaches_one_is_caught():
    result = checks.check_dice_loss(lambda outputs, labels: dice_loss(outputs, labels) / 2, verbose=False)
    assert not result.passed and "com a predição toda errada a perda deveria ser ≈ 1" in _messages(result)


def test_a_missing_score_layer_is_named():
    class NoScorePool3(FCN8s_VGG16_Sum):
        def __init__(self, num_classes, pretrained=False):
            super().__init__(num_classes, pretrained)
            del self.score_pool3

    result = checks.check_score_sum(NoScorePool3, verbose=False)
    assert not result.passed and "crie self.score_pool3 como nn.Conv2d (veio NoneType)" in _messages(result)


# ---------------------------------------------------------------- Exercício 4: the upsampler
def _bilinear_upsampler(padding=lambda factor: factor // 2, frozen=False):
    def make(channels, factor, learnable):
        kernel = 2 * factor - factor % 2
        layer = nn.ConvTranspose2d(channels, channels, kernel, stride=factor, padding=padding(factor), bias=False)
        with torch.no_grad():
            layer.weight.copy_(backbones.bilinear_kernel(channels, channels, kernel))
        layer.weight.requires_grad_(False if frozen else learnable)
        return layer
    return make


def test_an_upsampler_that_never_learns_is_caught():
    result = checks.check_upsampler(_bilinear_upsampler(frozen=True), verbose=False)
    assert not result.passed
    assert "learnable=True: layer.weight.requires_grad deveria ser True" in _messages(result)


def test_a_wrong_size_at_an_even_factor_gets_the_even_factor_hint():
    result = checks.check_upsampler(_bilinear_upsampler(padding=lambda factor: 0), verbose=False)
    assert _messages(result).startswith("fator 2: uma entrada 7x9 deveria virar 14x18")
    assert "Confira kernel_size=2*fator, stride=fator e padding=fator // 2." in _messages(result)


# ---------------------------------------------------------------- Exercício 3: optimiser, loss, training
def test_a_learning_rate_divided_by_ten_passes():
    def divided(net, args):
        backbone = [p for name, p in net.named_parameters() if name.startswith("backbone")]
        rest = [p for name, p in net.named_parameters() if not name.startswith("backbone")]
        slow = args["lr"] / 10 if args["pretrained"] else args["lr"]
        return optim.Adam([{"params": backbone, "lr": slow}, {"params": rest}], lr=args["lr"],
                          weight_decay=args["weight_decay"], betas=(args["momentum"], 0.999))

    result = checks.check_optimizer(divided, FCN_AlexNet, verbose=False)
    assert result.passed, result.messages


def test_the_optimizer_check_gives_make_optimizer_the_args_of_each_model_it_built():
    built, seen = [], []

    class Recorded(FCN_AlexNet):
        def __init__(self, num_classes, pretrained=False, skip=False):
            super().__init__(num_classes, pretrained, skip)
            built.append((num_classes, skip))

    def recording(net, args):
        seen.append((args["n_classes"], args["skip"]))
        return make_optimizer(net, args)

    assert checks.check_optimizer(recording, Recorded, verbose=False).passed
    assert len(seen) == 4 and seen == built


def test_the_training_check_uses_the_courses_adam_settings():
    seen = []

    def spy(net, args):
        seen.append(dict(args))
        raise ValueError("pare aqui")

    checks.check_training(FCN_AlexNet, spy, compute_loss, make_criterion(), verbose=False)
    course = course_args(smoke=True)
    assert (seen[0]["momentum"], seen[0]["weight_decay"]) == (course["momentum"], course["weight_decay"])


@pytest.mark.parametrize("wrong", [
    lambda outputs, labels, criterion: compute_loss(outputs, labels, criterion).item(),  # a float
    lambda outputs, labels, criterion: F.cross_entropy(outputs, labels, ignore_index=255, reduction="none"),
])
def test_a_loss_that_is_not_a_scalar_tensor_is_caught(wrong):
    result = checks.check_loss(wrong, make_criterion(), verbose=False)
    assert not result.passed and "compute_loss deve devolver um tensor escalar" in _messages(result)


def test_a_sum_rebuilt_from_the_mean_gets_the_sum_hint():
    def mean_times_pixels(outputs, labels, criterion):
        return compute_loss(outputs, labels, criterion) * (labels != 255).sum()

    result = checks.check_loss(mean_times_pixels, make_criterion(), verbose=False)
    assert not result.passed and "parece a soma da perda nos pixels" in _messages(result)


def _fake_engine(monkeypatch, miou_fg=0.5):
    """The training check with an engine that records its calls: one fixed loss, the given validation mIoU."""
    calls = []

    def train_one_epoch(net, loader, loss_fn, optimizer, device, epoch, num_classes, progress=True):
        calls.append(("train", epoch, num_classes))
        return {"loss_mean": 1.0}

    def validate(net, loader, loss_fn, device, epoch, num_classes, progress=True):
        calls.append(("validate", epoch, num_classes))
        return {"loss_mean": 1.0, "miou_fg": miou_fg, "pixel_acc": 0.5}

    monkeypatch.setattr(training, "train_one_epoch", train_one_epoch)
    monkeypatch.setattr(training, "validate", validate)
    return calls


def test_the_training_check_runs_the_eight_steps_it_announces(monkeypatch):
    calls = _fake_engine(monkeypatch)
    result = checks.check_training(FCN_AlexNet, make_optimizer, compute_loss, make_criterion(), verbose=False)
    assert "a perda não caiu em 8 passos no mesmo lote (1.000 → 1.000)" in _messages(result)
    assert calls == [("train", epoch, 3) for epoch in range(1, 9)] + [("validate", 1, 3)]


def test_training_metrics_outside_zero_one_are_reported(monkeypatch):
    _fake_engine(monkeypatch, miou_fg=1.5)
    monkeypatch.setattr(training, "train_one_epoch", lambda *args, **kwargs: {"loss_mean": 2.0 - kwargs.get(
        "epoch", args[5]) / 10})
    result = checks.check_training(FCN_AlexNet, make_optimizer, compute_loss, make_criterion(), verbose=False)
    assert not result.passed and "métricas fora de [0, 1]: 1.5, 0.5" in _messages(result)


def test_the_training_batch_lies_on_faint_noise():
    [(images, labels)] = _tiny_loader()
    background = images.permute(1, 0, 2, 3)[:, labels == 0]
    assert 0.05 < background.std() < 0.2


def test_a_frame_whose_file_cannot_be_resolved_counts_as_the_students(monkeypatch):
    """Path.resolve can fail (a deleted working folder, Python 3.10's pathlib on odd paths): no crash, and the
    frame is shown rather than hidden as a library frame."""
    def unresolvable(self, strict=False):
        raise OSError("the working folder is gone")

    def class_weights(counts):
        raise ValueError("quebrado")

    monkeypatch.setattr(feedback.Path, "resolve", unresolvable)
    message = _messages(checks.check_class_weights(class_weights, verbose=False))
    line = class_weights.__code__.co_firstlineno + 1
    assert f"(test_checks_mutants.py, linha {line}: `raise ValueError(\"quebrado\")`)" in message


def test_a_loss_computed_in_double_precision_is_judged_without_crashing():
    def in_double(outputs, labels, criterion):
        return F.cross_entropy(outputs.double(), labels, ignore_index=255)

    def summed_in_double(outputs, labels, criterion):
        return F.cross_entropy(outputs.double(), labels, ignore_index=255, reduction="sum")

    assert checks.check_loss(in_double, make_criterion(), verbose=False).passed
    result = checks.check_loss(summed_in_double, make_criterion(), verbose=False)
    assert not result.passed and "parece a soma da perda nos pixels" in _messages(result)


def test_a_loss_computed_by_hand_passes_despite_rounding():
    """log_softmax, the target's log-probability, the mean over non-void pixels: equal to PyTorch's value up to
    float rounding, which the check must absorb."""
    def by_hand(outputs, labels, criterion):
        flat = outputs.permute(0, 2, 3, 1).reshape(-1, outputs.shape[1])
        targets = labels.reshape(-1)
        valid = targets != 255
        return -flat.log_softmax(dim=1)[valid].gather(1, targets[valid, None]).mean()

    result = checks.check_loss(by_hand, make_criterion(), verbose=False)
    assert result.passed, result.messages

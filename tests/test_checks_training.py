"""The self-checks of Exercício 3 (fcn_course/checks/training.py): the optimiser (four cases), the loss over the
flattened pixels and a tiny training round with the student's pieces."""

import pytest
import torch
import torch.nn.functional as F
from torch import nn, optim

from check_helpers import FCN_ProbeNet
from check_helpers import messages as _messages
from fcn_course import checks
from fcn_course.checks import training
from fcn_course.checks.training import _tiny_loader
from fcn_course.config import course_args
from fcn_course.messages import text
from fcn_course.voc import VOID
from solutions.fcn_alexnet import FCN_AlexNet
from solutions.training import compute_loss, make_criterion, make_optimizer


# ---------------------------------------------------------------- the references pass
@pytest.mark.slow  # seconds on 2 CPU cores (issue #19: the fast lane under 2 minutes)
def test_reference_optimizer_loss_and_training_pass():
    assert checks.check_optimizer(make_optimizer, FCN_AlexNet, verbose=False).passed
    assert checks.check_loss(compute_loss, make_criterion(), verbose=False).passed
    assert checks.check_training(FCN_AlexNet, make_optimizer, compute_loss, make_criterion(), verbose=False)


# ---------------------------------------------------------------- the optimiser
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


@pytest.mark.parametrize(
    "make, expected",
    [
        (same_lr_everywhere, "o backbone pré-treinado usa lr × 0.1"),
        (sgd, "use torch.optim.Adam"),
        (forgets_classifier, "não está no otimizador"),
        (wrong_betas, "betas deveria ser (args['momentum'], 0.999)"),
        (pretrained_everything_slow, "parâmetros do classificador"),
    ],
)
def test_wrong_optimizers_fail(make, expected):
    result = checks.check_optimizer(make, FCN_AlexNet, verbose=False)
    assert not result.passed
    assert expected in _messages(result)


def _two_groups(net, args, backbone_lr, **adam):
    backbone = [p for name, p in net.named_parameters() if name.startswith("backbone")]
    rest = [p for name, p in net.named_parameters() if not name.startswith("backbone")]
    return optim.Adam([{"params": backbone, "lr": backbone_lr}, {"params": rest, "lr": args["lr"]}], **adam)


def default_betas(net, args):
    """Right learning rates and weight decay, but Adam's default betas (0.9 = momentum of the pretrained cases)."""
    lr = args["lr"] * 0.1 if args["pretrained"] else args["lr"]
    return _two_groups(net, args, lr, weight_decay=args["weight_decay"])


def slow_backbone_even_from_scratch(net, args):
    return _two_groups(net, args, args["lr"] * 0.1, weight_decay=args["weight_decay"], betas=(args["momentum"], 0.999))


def no_weight_decay(net, args):
    return make_optimizer(net, {**args, "weight_decay": 0.0})


@pytest.mark.parametrize(
    "make, expected",
    [
        (default_betas, "betas=(args['momentum'], 0.999)"),
        (slow_backbone_even_from_scratch, "o lr × 0.1 vale só com pretrained=True"),
        (no_weight_decay, "weight_decay deveria ser args['weight_decay']"),
    ],
)
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


@pytest.mark.filterwarnings("ignore:optimizer contains a parameter group with duplicate parameters")
def test_a_parameter_given_twice_to_the_optimizer_is_named():
    def classifier_twice(net, args):
        params = list(net.parameters()) + list(net.classifier.parameters())
        return optim.Adam(params, lr=args["lr"], weight_decay=args["weight_decay"], betas=(args["momentum"], 0.999))

    result = checks.check_optimizer(classifier_twice, FCN_AlexNet, verbose=False)
    assert not result.passed
    assert "um mesmo parâmetro aparece duas vezes no otimizador" in _messages(result)


def test_a_learning_rate_divided_by_ten_passes():
    def divided(net, args):
        backbone = [p for name, p in net.named_parameters() if name.startswith("backbone")]
        rest = [p for name, p in net.named_parameters() if not name.startswith("backbone")]
        slow = args["lr"] / 10 if args["pretrained"] else args["lr"]
        return optim.Adam(
            [{"params": backbone, "lr": slow}, {"params": rest}],
            lr=args["lr"],
            weight_decay=args["weight_decay"],
            betas=(args["momentum"], 0.999),
        )

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


# ---------------------------------------------------------------- the loss
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


@pytest.mark.parametrize(
    "wrong",
    [
        lambda outputs, labels, criterion: compute_loss(outputs, labels, criterion).item(),  # a float
        lambda outputs, labels, criterion: F.cross_entropy(outputs, labels, ignore_index=255, reduction="none"),
    ],
)
def test_a_loss_that_is_not_a_scalar_tensor_is_caught(wrong):
    result = checks.check_loss(wrong, make_criterion(), verbose=False)
    assert not result.passed and "compute_loss deve devolver um tensor escalar" in _messages(result)


def test_a_sum_rebuilt_from_the_mean_gets_the_sum_hint():
    def mean_times_pixels(outputs, labels, criterion):
        return compute_loss(outputs, labels, criterion) * (labels != 255).sum()

    result = checks.check_loss(mean_times_pixels, make_criterion(), verbose=False)
    assert not result.passed and "parece a soma da perda nos pixels" in _messages(result)


def test_a_sum_accumulated_pixel_by_pixel_gets_the_sum_hint():
    """Added pixel by pixel, column by column, the sum of the 3-class probe differs from PyTorch's by two float
    ulps (1.5e-5 on 82.3): the hint still recognises the sum, up to a relative tolerance."""

    def accumulated(outputs, labels, criterion):
        per_pixel = F.cross_entropy(outputs, labels, ignore_index=255, reduction="none")
        total = torch.zeros(())
        for column in range(per_pixel.shape[2]):
            for row in range(per_pixel.shape[1]):
                for image in range(per_pixel.shape[0]):
                    total = total + per_pixel[image, row, column]
        return total

    result = checks.check_loss(accumulated, make_criterion(), verbose=False)
    assert not result.passed and text("checks.training.loss_hint_sum") in _messages(result)


def test_a_wrong_loss_matching_no_known_mistake_gets_the_flattening_hint():
    def labels_flattened_in_another_order(outputs, labels, criterion):
        flat = outputs.permute(0, 2, 3, 1).reshape(-1, outputs.shape[1])
        return criterion(flat, labels.transpose(1, 2).reshape(-1))

    result = checks.check_loss(labels_flattened_in_another_order, make_criterion(), verbose=False)
    assert not result.passed and text("checks.training.loss_hint_flatten") in _messages(result)


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


# ---------------------------------------------------------------- the tiny training round
@pytest.mark.slow  # seconds on 2 CPU cores (issue #19: the fast lane under 2 minutes)
def test_training_with_a_frozen_optimizer_is_caught():
    def no_learning(net, args):
        return optim.Adam(net.parameters(), lr=0.0)

    result = checks.check_training(FCN_AlexNet, no_learning, compute_loss, make_criterion(), verbose=False)
    assert not result.passed and "a perda não caiu" in _messages(result)


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


@pytest.mark.slow  # seconds on 2 CPU cores (issue #19: the fast lane under 2 minutes)
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


def test_the_training_check_uses_the_courses_adam_settings():
    seen = []

    def spy(net, args):
        seen.append(dict(args))
        raise ValueError("pare aqui")

    checks.check_training(FCN_AlexNet, spy, compute_loss, make_criterion(), verbose=False)
    course = course_args(smoke=True)
    assert (seen[0]["momentum"], seen[0]["weight_decay"]) == (course["momentum"], course["weight_decay"])


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
    monkeypatch.setattr(
        training, "train_one_epoch", lambda *args, **kwargs: {"loss_mean": 2.0 - kwargs.get("epoch", args[5]) / 10}
    )
    result = checks.check_training(FCN_AlexNet, make_optimizer, compute_loss, make_criterion(), verbose=False)
    assert not result.passed and "métricas fora de [0, 1]: 1.5, 0.5" in _messages(result)


def test_the_training_batch_lies_on_faint_noise():
    [(images, labels)] = _tiny_loader()
    background = images.permute(1, 0, 2, 3)[:, labels == 0]
    assert 0.05 < background.std() < 0.2


# ---------------------------------------------------------------- issue 20: more wrong optimisers, as students write them
# On the tiny FCN of tests/check_helpers.py (same attribute names as FCN_AlexNet), to keep them quick.
def _groups(net, backbone_lr, rest_lr, **adam):
    backbone = [p for name, p in net.named_parameters() if name.startswith("backbone")]
    rest = [p for name, p in net.named_parameters() if not name.startswith("backbone")]
    return optim.Adam([{"params": backbone, "lr": backbone_lr}, {"params": rest, "lr": rest_lr}], **adam)


def _course(args):
    return {"weight_decay": args["weight_decay"], "betas": (args["momentum"], 0.999)}


def adamw(net, args):
    slow = args["lr"] * 0.1 if args["pretrained"] else args["lr"]
    return optim.AdamW(
        [
            {"params": [p for n, p in net.named_parameters() if n.startswith("backbone")], "lr": slow},
            {"params": [p for n, p in net.named_parameters() if not n.startswith("backbone")]},
        ],
        lr=args["lr"],
        **_course(args),
    )


def adam_decoupled(net, args):
    slow = args["lr"] * 0.1 if args["pretrained"] else args["lr"]
    return _groups(net, slow, args["lr"], decoupled_weight_decay=True, **_course(args))


def lr_hard_coded(net, args):
    slow = 1e-4 if args["pretrained"] else 1e-3
    return _groups(net, slow, 1e-3, **_course(args))


def weight_decay_hard_coded(net, args):
    slow = args["lr"] * 0.1 if args["pretrained"] else args["lr"]
    return _groups(net, slow, args["lr"], weight_decay=5e-4, betas=(args["momentum"], 0.999))


def classifier_slowed_instead(net, args):
    slow = args["lr"] * 0.1 if args["pretrained"] else args["lr"]
    return _groups(net, args["lr"], slow, **_course(args))


def backbone_a_hundred_times_slower(net, args):
    slow = args["lr"] * 0.01 if args["pretrained"] else args["lr"]
    return _groups(net, slow, args["lr"], **_course(args))


def only_backbone1_slowed(net, args):
    if not (args["pretrained"] and args["skip"]):
        return make_optimizer(net, args)
    return optim.Adam(
        [
            {"params": net.backbone1.parameters(), "lr": args["lr"] * 0.1},
            {"params": list(net.backbone2.parameters()) + list(net.classifier.parameters())},
        ],
        lr=args["lr"],
        **_course(args),
    )


def parameters_of_a_new_model(net, args):
    other = type(net)(3, pretrained=False, skip=args["skip"])
    return make_optimizer(other, args)


def no_decay_on_the_backbone(net, args):
    slow = args["lr"] * 0.1 if args["pretrained"] else args["lr"]
    backbone = [p for name, p in net.named_parameters() if name.startswith("backbone")]
    rest = [p for name, p in net.named_parameters() if not name.startswith("backbone")]
    return optim.Adam(
        [{"params": backbone, "lr": slow, "weight_decay": 0.0}, {"params": rest}], lr=args["lr"], **_course(args)
    )


def rmsprop(net, args):
    return optim.RMSprop(net.parameters(), lr=args["lr"], momentum=args["momentum"])


@pytest.mark.parametrize(
    "make, hint",
    [
        (adamw, "veio AdamW com weight decay desacoplado"),
        (adam_decoupled, "veio Adam com weight decay desacoplado"),
        (lr_hard_coded, "com lr=0.001, esperado 0.002"),
        (weight_decay_hard_coded, "weight_decay deveria ser args['weight_decay'] (0.0001), veio 0.0005"),
        (classifier_slowed_instead, "parâmetros do backbone"),
        (backbone_a_hundred_times_slower, "o backbone pré-treinado usa lr × 0.1 e o resto usa lr"),
        (only_backbone1_slowed, "parâmetros do backbone (`backbone2.6.weight`) com lr=0.001, esperado 0.0001"),
        (parameters_of_a_new_model, "não está no otimizador (não seria treinado)"),
        (no_decay_on_the_backbone, "weight_decay deveria ser args['weight_decay']"),
        (rmsprop, "use torch.optim.Adam (veio RMSprop)"),
        (sgd, "use torch.optim.Adam (veio SGD)"),
    ],
)
def test_more_wrong_optimizers_fail_with_the_hint_naming_their_mistake(probenet_registered, make, hint):
    result = checks.check_optimizer(make, FCN_ProbeNet, verbose=False)
    assert not result.passed
    assert hint in _messages(result), _messages(result)


def by_name(net, args):
    """Groups built from the parameters' names, in a loop."""
    groups = {"backbone": [], "rest": []}
    for name, parameter in net.named_parameters():
        groups["backbone" if name.startswith("backbone") else "rest"].append(parameter)
    factor = 0.1 if args["pretrained"] else 1.0
    return optim.Adam(
        [{"params": groups["backbone"], "lr": args["lr"] * factor}, {"params": groups["rest"], "lr": args["lr"]}],
        weight_decay=args["weight_decay"],
        betas=(args["momentum"], 0.999),
    )


def one_group_from_scratch(net, args):
    if not args["pretrained"]:
        return optim.Adam(net.parameters(), args["lr"], (args["momentum"], 0.999), weight_decay=args["weight_decay"])
    return by_name(net, args)


def modules_listed(net, args):
    parts = [net.backbone1, net.backbone2] if args["skip"] else [net.backbone]
    slow = args["lr"] * 0.1 if args["pretrained"] else args["lr"]
    groups = [{"params": part.parameters(), "lr": slow} for part in parts]
    return optim.Adam(
        groups + [{"params": net.classifier.parameters(), "lr": args["lr"]}],
        lr=args["lr"],
        betas=(args["momentum"], 0.999),
        weight_decay=args["weight_decay"],
        eps=1e-8,
        amsgrad=False,
    )


@pytest.mark.parametrize("make", [make_optimizer, by_name, one_group_from_scratch, modules_listed])
def test_acceptable_optimizers_pass(probenet_registered, make):
    result = checks.check_optimizer(make, FCN_ProbeNet, verbose=False)
    assert result.passed, result.messages


# ---------------------------------------------------------------- issue 20: more wrong losses, as students write them
def _flat(outputs):
    return outputs.permute(0, 2, 3, 1).reshape(-1, outputs.shape[1])


def log_softmax_then_nll(outputs, labels, criterion):
    return criterion(F.log_softmax(_flat(outputs), dim=1), labels.reshape(-1))


def transposed(outputs, labels, criterion):
    return criterion(outputs.transpose(1, 3).reshape(-1, outputs.shape[1]), labels.reshape(-1))


def three_classes(outputs, labels, criterion):
    return criterion(outputs.permute(0, 2, 3, 1).reshape(-1, 3), labels.reshape(-1))


def as_a_float(outputs, labels, criterion):
    return criterion(_flat(outputs), labels.reshape(-1)).item()


def softmax_then_log(outputs, labels, criterion):
    return criterion(_flat(outputs).softmax(dim=1).log().exp(), labels.reshape(-1))


@pytest.mark.parametrize(
    "loss, criterion, hint",
    [
        (
            log_softmax_then_nll,
            nn.NLLLoss(ignore_index=255),
            "junto com log_softmax ela é equivalente a nn.CrossEntropyLoss",
        ),
        (transposed, make_criterion(), "parece que você usou transpose(1, 3)"),
        (three_classes, make_criterion(), "Com 3 classes deu certo: não fixe o número de classes"),
        (compute_loss, nn.MSELoss(), "o critério deve ser nn.CrossEntropyLoss (veio MSELoss)"),
        (compute_loss, nn.CrossEntropyLoss(weight=torch.ones(3), ignore_index=255), "pesos de classe (weight=...)"),
        (compute_loss, nn.CrossEntropyLoss(ignore_index=255, label_smoothing=0.1), "label_smoothing"),
        (compute_loss, nn.CrossEntropyLoss(ignore_index=-100), "ignore_index=255"),
        (compute_loss, nn.CrossEntropyLoss(ignore_index=255, reduction="none"), "reduction='none'"),
        (as_a_float, make_criterion(), "compute_loss deve devolver um tensor escalar"),
        (softmax_then_log, make_criterion(), "softmax antes da perda"),
        (flatten_without_permute, make_criterion(), "mistura canais e pixels"),
        (
            lambda outputs, labels, criterion: F.cross_entropy(outputs, labels, ignore_index=255, reduction="sum"),
            make_criterion(),
            "soma da perda",
        ),
    ],
)
def test_more_wrong_losses_fail_with_the_hint_naming_their_mistake(loss, criterion, hint):
    result = checks.check_loss(loss, criterion, verbose=False)
    assert not result.passed
    assert hint in _messages(result), _messages(result)


def test_nll_loss_with_log_softmax_is_called_equivalent_and_the_course_asks_cross_entropy():
    message = _messages(checks.check_loss(log_softmax_then_nll, nn.NLLLoss(ignore_index=255), verbose=False))
    assert "o valor da sua perda está certo" in message
    assert "O curso pede nn.CrossEntropyLoss(ignore_index=255) em make_criterion" in message


def four_dimensional(outputs, labels, criterion):
    """CrossEntropyLoss takes [B, C, H, W] and [B, H, W] directly: the same mean over the pixels."""
    return criterion(outputs, labels)


def movedim_and_flatten(outputs, labels, criterion):
    return criterion(outputs.movedim(1, -1).flatten(0, 2), labels.flatten())


def void_removed_by_hand(outputs, labels, criterion):
    flat, targets = _flat(outputs), labels.reshape(-1)
    keep = targets != 255
    return criterion(flat[keep], targets[keep])


@pytest.mark.parametrize("loss", [compute_loss, four_dimensional, movedim_and_flatten, void_removed_by_hand])
def test_acceptable_losses_pass(loss):
    result = checks.check_loss(loss, make_criterion(), verbose=False)
    assert result.passed, result.messages


# ---------------------------------------------------------------- issue 20: the training round names why nothing learns
class EndsWithSoftmax(FCN_ProbeNet):
    def forward(self, x):
        return super().forward(x).softmax(dim=1)


class FrozenBackbone(FCN_ProbeNet):
    def __init__(self, num_classes, pretrained=False, skip=False):
        super().__init__(num_classes, pretrained, skip)
        for parameter in self.backbone.parameters():
            parameter.requires_grad = False


def tiny_learning_rate_everywhere_frozen(net, args):
    for parameter in net.parameters():
        parameter.requires_grad_(False)
    return make_optimizer(net, args)


@pytest.mark.parametrize(
    "model_cls, make, hint",
    [
        (EndsWithSoftmax, make_optimizer, "a saída parece ter passado por softmax"),
        (FrozenBackbone, make_optimizer, "com pretrained=False 8 de 12 tensores de parâmetros estão congelados"),
        (FCN_ProbeNet, parameters_of_a_new_model, "o otimizador não contém nenhum parâmetro da rede que recebeu"),
        pytest.param(
            FCN_ProbeNet,
            lambda net, args: optim.Adam(net.parameters(), lr=0.0),
            "o otimizador tem lr = 0",
            marks=pytest.mark.slow,
        ),
        (FCN_ProbeNet, tiny_learning_rate_everywhere_frozen, "estão congelados (requires_grad=False)"),
    ],
)
def test_a_training_round_that_cannot_learn_says_why(probenet_registered, model_cls, make, hint):
    result = checks.check_training(model_cls, make, compute_loss, make_criterion(), verbose=False)
    assert not result.passed
    assert hint in _messages(result), _messages(result)


def test_a_training_round_that_does_learn_passes_on_the_tiny_fcn(probenet_registered):
    result = checks.check_training(FCN_ProbeNet, make_optimizer, compute_loss, make_criterion(), verbose=False)
    assert result.passed, result.messages


# Cases found by mutation testing that no other test pinned
@pytest.mark.filterwarnings("ignore:Using a target size")  # MSELoss, given class indices, warns
def test_a_criterion_of_the_wrong_kind_is_named_in_the_feedback():
    result = checks.check_loss(compute_loss, nn.MSELoss(), verbose=False)
    assert not result.passed
    assert any("nn.CrossEntropyLoss (veio MSELoss)" in message for message in result.messages)


def test_the_training_check_batch_is_easy_a_bright_square_and_a_dark_disc_on_faint_noise():
    """Easy on purpose: a correct solution must learn it in a few steps, so a loss that does not fall is a bug."""
    [(images, labels)] = _tiny_loader()
    background, square, disc = (images.permute(1, 0, 2, 3)[:, labels == c] for c in (0, 1, 2))
    assert background.abs().mean() < 0.2 and background.std() < 0.2
    assert square.mean() > 1.0 and disc.mean() < -1.0


def test_non_finite_training_figures_are_reported(monkeypatch):
    """The engine stops on a NaN loss itself; should figures ever come back non-finite, the check still says so."""

    def epoch_with_nan_loss(*args, **kwargs):
        return {"loss_mean": float("nan")}

    monkeypatch.setattr(training, "train_one_epoch", epoch_with_nan_loss)
    result = checks.check_training(FCN_AlexNet, make_optimizer, compute_loss, make_criterion(), verbose=False)
    assert not result.passed
    assert any("valores não finitos" in message for message in result.messages)

"""What every self-check shares (fcn_course/checks/feedback.py): the verdict printed in the notebook, the stub that
stops "Run all", the student's cell and line in an error message, and a check that never raises."""

import importlib
import json
import linecache

import pytest
import torch
from torch import nn

from check_helpers import Stub
from check_helpers import messages as _messages
from fcn_course import backbones, checks
from fcn_course.checks import feedback
from fcn_course.messages import text
from solutions.fcn_alexnet import FCN_AlexNet
from solutions.training import compute_loss, make_criterion, make_optimizer


# ---------------------------------------------------------------- what the student sees by default
def test_printed_feedback_is_portuguese(capsys):
    checks.check_loss(compute_loss, make_criterion())
    assert "✅ Exercício 3 (função de perda" in capsys.readouterr().out


class _Broken(nn.Module):
    """A model whose constructor fails at once (any check stops there, quickly)."""

    def __init__(self, num_classes, pretrained=False, skip=False):
        super().__init__()
        raise ValueError("quebrado")


def _broken(*args, **kwargs):
    raise ValueError("quebrado")


@pytest.mark.parametrize(
    "run, title",
    [
        (lambda: checks.check_iou_from_confusion(_broken), "Exercício 0"),
        (lambda: checks.check_fcn(_Broken, backbone="alexnet"), "Exercício 1"),
        (lambda: checks.check_optimizer(_broken, FCN_AlexNet), "Exercício 3 (otimizador"),
        (lambda: checks.check_loss(_broken, nn.MSELoss()), "Exercício 3 (função de perda"),
        (lambda: checks.check_training(_Broken, make_optimizer, compute_loss, make_criterion()), "Exercício 3 (treino"),
        (lambda: checks.check_upsampler(_broken), "Exercício 4"),
        (lambda: checks.check_class_weights(_broken), "Exercício 5 (pesos"),
        (lambda: checks.check_dice_loss(_broken), "Exercício 5 (perda de Dice"),
        (lambda: checks.check_score_sum(_Broken), "Exercício 6 (FCN-8s"),
    ],
)
def test_every_check_prints_its_verdict_when_called_as_in_the_notebook(run, title, capsys):
    result = run()
    assert not result.passed
    assert f"❌ {title}" in capsys.readouterr().out


@pytest.mark.parametrize(
    "run",
    [
        lambda model: checks.check_score_sum(model, verbose=False),
        lambda model: checks.check_training(model, make_optimizer, compute_loss, make_criterion(), verbose=False),
    ],
)
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


def test_an_optional_exercise_never_stops_run_all_but_a_required_one_does(capsys):
    def stub(matrix):
        raise NotImplementedError("calcule TP, FP e FN")

    result = checks.check_iou_from_confusion(stub)  # interactive: must not raise
    assert not result.passed
    out = capsys.readouterr().out
    assert "ainda não implementado (calcule TP, FP e FN)" in out and "exercício opcional" in out
    with pytest.raises(checks.ExerciseNotDone, match="Termine o Exercício 1"):
        checks.check_fcn(Stub, skip=False, backbone="alexnet")


# ---------------------------------------------------------------- where an error in the student's code is shown
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


def test_an_error_in_a_students_python_file_names_the_file_and_line():
    def class_weights(counts):
        raise ValueError("contagens inválidas")

    result = checks.check_class_weights(class_weights, verbose=False)
    line = class_weights.__code__.co_firstlineno + 1
    assert (
        f"seu código gerou ValueError: contagens inválidas (test_checks_feedback.py, linha {line}: "
        "`raise ValueError(\"contagens inválidas\")`)" in _messages(result)
    )


def _raise_from_the_course_package(counts):
    return backbones.get_backbone("resnet")  # raises inside fcn_course


def _raise_from_the_standard_library(counts):
    return importlib.import_module("um_modulo_que_nao_existe")  # raises inside importlib (and frozen frames)


def _raise_from_code_compiled_from_a_string(counts):
    exec("raise ValueError('quebrado')")  # the raising frame is "<string>"


@pytest.mark.parametrize(
    "function",
    [_raise_from_the_course_package, _raise_from_the_standard_library, _raise_from_code_compiled_from_a_string],
)
def test_an_error_raised_inside_a_library_names_the_students_line_that_called_it(function):
    message = _messages(checks.check_class_weights(function, verbose=False))
    line = function.__code__.co_firstlineno + 1
    assert f"(test_checks_feedback.py, linha {line}: `" in message
    assert message.count(", linha ") == 1  # one location: the student's, not the library's frame


def test_a_library_function_handed_in_directly_is_reported_without_a_location():
    message = _messages(checks.check_class_weights(json.loads, verbose=False))
    assert message.startswith(
        "class_weights(torch.tensor([900, 90, 10])): seu código gerou TypeError: the JSON object must be"
    )  # the counts come as the notebook gives them: an int64 tensor
    assert "linha" not in message


@pytest.mark.parametrize(
    "file_name, label",
    [
        ("<ipython-input-7-0a1b2c3d>", "célula [7], linha 3"),  # older IPython
        ("/tmp/ipykernel_4242/123456789.py", "linha 3 da sua célula"),  # Jupyter
    ],
)
def test_an_error_in_a_notebook_cell_names_the_cell_line(file_name, label, monkeypatch):
    source = "def class_weights(counts):\n    total = sum(counts)\n    raise ValueError('quebrado')\n"
    monkeypatch.setitem(linecache.cache, file_name, (len(source), None, source.splitlines(True), file_name))
    namespace = {}
    exec(compile(source, file_name, "exec"), namespace)
    message = _messages(checks.check_class_weights(namespace["class_weights"], verbose=False))
    assert f"({label}: `raise ValueError('quebrado')`)" in message


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
    assert f"(test_checks_feedback.py, linha {line}: `raise ValueError(\"quebrado\")`)" in message


# ---------------------------------------------------------------- issue 20: a check never raises
class _OddUpsampler(nn.ConvTranspose2d):
    """Builds like the right layer, but its forward returns text instead of a tensor."""

    def forward(self, x):
        return "escores"


def _odd_upsampler(channels, factor, learnable):
    kernel = 2 * factor - factor % 2
    layer = _OddUpsampler(channels, channels, kernel, stride=factor, padding=factor // 2, bias=False)
    layer.weight.requires_grad_(learnable)
    return layer


@pytest.mark.parametrize(
    "run",
    [
        lambda: checks.check_upsampler(_odd_upsampler, verbose=False),
        lambda: checks.check_iou_from_confusion(lambda matrix: ("iou", "dice"), verbose=False),
        lambda: checks.check_class_weights(lambda counts: torch.full((len(counts),), float("nan")), verbose=False),
        lambda: checks.check_dice_loss(
            lambda outputs, labels: torch.tensor(float("nan"), requires_grad=True), verbose=False
        ),
        lambda: checks.check_loss(
            lambda outputs, labels, criterion: torch.tensor(float("nan")), make_criterion(), verbose=False
        ),
        lambda: checks.check_dice_loss(lambda outputs, labels: outputs.mean() * float("inf"), verbose=False),
    ],
)
def test_a_check_answers_whatever_the_students_code_returns(run):
    result = run()
    assert isinstance(result, checks.CheckResult) and not result.passed
    assert result.messages and all(message.strip() for message in result.messages)


def test_a_check_that_cannot_decide_says_so_instead_of_raising():
    message = " ".join(checks.check_upsampler(_odd_upsampler, verbose=False).messages)
    assert message.startswith("não consegui terminar esta verificação: ")
    assert "AttributeError" in message


def test_judging_stops_at_the_first_problem_and_turns_anything_else_into_a_problem():
    problems = []
    with feedback.judging(problems):
        problems.append("primeiro")
        raise feedback.Failed
    assert problems == ["primeiro"]
    with feedback.judging(problems):
        {}["chave"]
    assert len(problems) == 2 and "KeyError" in problems[1]


def test_a_passing_result_prints_its_notes(capsys):
    result = feedback.CheckResult("Exercício 9 (teste)", True, notes=["uma variante aceita"])
    print(result)
    assert capsys.readouterr().out == "✅ Exercício 9 (teste): tudo certo!\n   ℹ️ nota: uma variante aceita\n"


def test_imagenet_weights_asked_for_in_a_check_are_explained_in_portuguese():
    offline = backbones.PretrainedWeightsError("Could not load the ImageNet weights of AlexNet (pretrained=True).")

    def class_weights(counts):
        raise offline

    message = " ".join(checks.check_class_weights(class_weights, verbose=False).messages)
    line = class_weights.__code__.co_firstlineno + 1
    assert (
        f"o seu código pediu os pesos do ImageNet (test_checks_feedback.py, linha {line}: `raise offline`)" in message
    )
    assert "Could not load" not in message


def exp_changed_in_place_then_nan_gradient(x):
    y = x.exp()
    y.add_(1)  # exp's backward needs its output intact
    return (y * 0).sqrt().sum()  # and the gradient of this line is NaN (0 x the infinite slope of sqrt at 0)


def test_an_in_place_change_is_traced_to_its_line_even_when_the_gradient_also_has_nan():
    """The NaN in the gradient is not what broke the backward pass: the line named is the one whose result was
    changed in place."""
    problems, x = [], torch.randn(4, requires_grad=True)
    loss = exp_changed_in_place_then_nan_gradient(x)
    with pytest.raises(feedback.Failed):
        feedback.run_backward(problems, "f(x)", loss, exp_changed_in_place_then_nan_gradient, x)
    line = exp_changed_in_place_then_nan_gradient.__code__.co_firstlineno + 1
    where = text("checks.where_file", file="test_checks_feedback.py", line=line)
    assert problems == [
        text("checks.feedback.inplace", what="f(x)", where=text("checks.error_where", where=where, line="y = x.exp()"))
    ]

"""The registry of exercises (fcn_course/checks/registry.py): checks.check and run_all, in course order, and the
exercises of each notebook."""

import re

import pytest

from check_helpers import iou_dice
from check_helpers import messages as _messages
from fcn_course import checks
from fcn_course.checks import exercises, exercises_for_notebook, run_all
from solutions.fcn_alexnet import FCN_AlexNet
from solutions.fcn_vgg16_scores import FCN8s_VGG16_Sum
from solutions.losses import class_weights, dice_loss
from solutions.training import compute_loss, make_criterion, make_optimizer
from solutions.upsampling import make_upsampler


# ---------------------------------------------------------------- the grader's entry point
@pytest.mark.slow  # seconds on 2 CPU cores (issue #19: the fast lane under 2 minutes)
def test_run_all_reports_every_exercise_and_missing_names():
    namespace = {
        "FCN_AlexNet": FCN_AlexNet,
        "make_optimizer": make_optimizer,
        "compute_loss": compute_loss,
        "make_criterion": make_criterion,
        "iou_and_dice_from_confusion": iou_dice,
    }
    results = checks.run_all(namespace)
    by_name = {r.exercise: r for r in results}
    assert len(results) == len(checks.exercises())
    assert all(
        r.passed for r in results if not r.exercise.startswith(("Exercício 4", "Exercício 5", "Exercício 6", "Desafio"))
    )
    vgg = [r for r in results if "VGG16" in r.exercise]
    assert vgg and all(not r.passed and "FCN_VGG16" in _messages(r) for r in vgg)
    assert by_name["Exercício 1 (FCN-AlexNet sem skip)"].passed


def test_run_all_grades_only_the_exercises_of_one_notebook():
    assert checks.exercises_for_notebook("04_fcn_vgg16 (1).ipynb") == (
        "vgg16-noskip",
        "vgg16-skip",
        "vgg16-scoresum",
        "multiply-adds",
    )
    # a notebook's Desafio is graded with it (the grader lists it apart, as extra)
    assert checks.exercises_for_notebook("my_notebook.ipynb") is None
    results = checks.run_all({}, exercises=checks.exercises_for_notebook("02_fcn_alexnet.ipynb"))
    assert [r.key for r in results] == [
        "alexnet-noskip",
        "alexnet-skip",
        "optimizer",
        "loss",
        "training",
        "min-input-size",
    ]
    assert [r.exercise.split(" (")[0] for r in results] == ["Exercício 1", "Exercício 2"] + ["Exercício 3"] * 3 + [
        "Desafio 2"
    ]
    assert all("não encontrei" in _messages(r) for r in results)
    moved = checks.run_all({}, exercises=checks.exercises_for_notebook("03_upsampling_e_perdas.ipynb"))
    assert [r.key for r in moved] == ["upsampler", "class-weights", "dice-loss", "focal-loss"]
    assert [r.exercise.split(" (")[0] for r in moved] == ["Exercício 4", "Exercício 5", "Exercício 5", "Desafio 3"]


def test_run_all_survives_a_stubbed_criterion():
    def make_criterion_stub():
        raise NotImplementedError("crie a CrossEntropyLoss")

    namespace = {"compute_loss": compute_loss, "make_criterion": make_criterion_stub}
    loss = [r for r in checks.run_all(namespace) if "função de perda" in r.exercise][0]
    assert not loss.passed and "ainda não implementado" in _messages(loss)


def test_run_all_grades_quietly_and_reports_a_stub_without_raising(capsys):
    def class_weights(counts):
        raise NotImplementedError("calcule as frequências")

    [result] = run_all({"class_weights": class_weights}, exercises={"class-weights"})
    assert not result.passed and "ainda não implementado (calcule as frequências)" in _messages(result)
    assert capsys.readouterr().out == ""


@pytest.mark.slow  # seconds on 2 CPU cores (issue #19: the fast lane under 2 minutes)
def test_new_exercises_are_graded_from_their_notebooks():
    moved = {"upsampler", "class-weights", "dice-loss"}
    assert set(exercises_for_notebook("03_upsampling_e_perdas.ipynb")) == moved | {"focal-loss"}  # + its Desafio
    assert not moved & set(exercises_for_notebook("02_fcn_alexnet.ipynb"))
    assert "vgg16-scoresum" in exercises_for_notebook("04_fcn_vgg16.ipynb")
    namespace = {
        "make_upsampler": make_upsampler,
        "class_weights": class_weights,
        "dice_loss": dice_loss,
        "FCN8s_VGG16_Sum": FCN8s_VGG16_Sum,
    }
    results = run_all(namespace, exercises={"upsampler", "class-weights", "dice-loss", "vgg16-scoresum"})
    assert [r.passed for r in results] == [True] * 4
    missing = run_all({}, exercises={"upsampler"})[0]
    assert not missing.passed and "make_upsampler" in missing.messages[0]


# ---------------------------------------------------------------- the registry's rows
def test_each_fcn_row_checks_its_own_variant_and_backbone():
    from fcn_course.checks import models

    seen = {}

    def fake_check_fcn(model_cls, skip, verbose, backbone=None):
        seen[model_cls] = (skip, backbone)
        return checks.CheckResult("x", True)

    rows = {
        "alexnet-noskip": "FCN_AlexNet",
        "alexnet-skip": "FCN_AlexNet",
        "vgg16-noskip": "FCN_VGG16",
        "vgg16-skip": "FCN_VGG16",
    }
    for key, class_name in rows.items():
        row = checks.get_exercise(key)
        assert row.names == (class_name,) and row.check.func is models.check_fcn
        seen.clear()
        fake_row = checks.Exercise(
            key,
            row.notebook,
            row.names,
            lambda cls, verbose, kw=row.check.keywords: fake_check_fcn(cls, verbose=verbose, **kw),
        )
        fake_row.run({class_name: key})
        assert seen == {key: (key.endswith("-skip"), key.split("-")[0])}


def test_only_exercise_zero_and_the_desafios_are_optional_and_the_rows_agree_with_the_checks():
    assert [exercise.key for exercise in exercises() if not exercise.required and not exercise.challenge] == ["iou"]
    assert all(exercise.required is not exercise.optional for exercise in exercises())


def test_exercise_numbers_follow_the_reading_order():
    numbers = [int(exercise.number) for exercise in exercises() if not exercise.challenge]
    assert numbers == sorted(numbers)
    for exercise in exercises():
        word = "Desafio" if exercise.challenge else "Exercício"
        assert exercise.title.startswith(f"{word} {exercise.number}")


@pytest.mark.parametrize(
    "file_name, notebook",
    [
        ("Cópia de 02_meu_fcn.ipynb", "02_fcn_alexnet"),
        ("Copy of Copy of 04 vgg (2).ipynb", "04_fcn_vgg16"),
        ("03 - perdas.ipynb", "03_upsampling_e_perdas"),
        ("01 - dados.ipynb", "01_dados_e_metricas"),
        ("Copy of notas.ipynb", None),
    ],
)
def test_a_renamed_copy_is_recognised_by_its_number(file_name, notebook):
    from fcn_course.checks.registry import course_notebook_of

    assert course_notebook_of(file_name) == notebook


def test_the_copy_prefixes_have_one_owner_the_outline():
    """Issue 22: the registry recognises Drive's and Colab's copies with the outline's prefixes, not a copy of
    them (a prefix added to the outline is recognised by the grader too)."""
    from fcn_course import outline
    from fcn_course.checks import registry

    assert not any(
        name == "COPY_PREFIXES" and value is not outline.COPY_PREFIXES for name, value in vars(registry).items()
    )
    assert registry.course_notebook_of(f"{outline.COPY_PREFIXES[-1]}02 x.ipynb") == "02_fcn_alexnet"


@pytest.mark.parametrize("language", ["pt_BR", "en"])
def test_a_missing_name_names_its_exercise_or_challenge_by_its_title(language):
    """A challenge shares its number with an exercise (Desafio 1, Exercício 1): the message says which one."""
    from fcn_course.messages import set_language

    set_language(language)
    challenge = checks.get_exercise("miou-per-image")
    result = checks.check("miou-per-image", {}, verbose=False)
    assert challenge.title in result.messages[0]
    exercise = checks.get_exercise("alexnet-skip")
    assert exercise.title in checks.check("alexnet-skip", {}, verbose=False).messages[0]


PORTUGUESE = re.compile(
    r"[ãõçáéíóúâêô]|\b(não|você|seu|sua|célula|linha|exercício|desafio|dica|imagem|rótulo|época|perda)\b", re.I
)


@pytest.mark.parametrize("answer", ["missing", "stub", "returns-none", "raises"])
def test_in_english_every_check_fails_without_a_word_of_portuguese(answer):
    """What an English student reads when an answer is absent, a stub, empty or broken: English only."""
    from fcn_course.messages import set_language

    set_language("en")

    def stub(*args, **kwargs):
        raise NotImplementedError("write the code")

    def nothing(*args, **kwargs):
        return None

    def broken(*args, **kwargs):
        raise ValueError("a bug of mine")

    answers = {"stub": stub, "returns-none": nothing, "raises": broken}
    for row in exercises():
        namespace = {} if answer == "missing" else {name: answers[answer] for name in row.names}
        result = checks.check(row.key, namespace, verbose=False)
        said = "\n".join([str(result)] + [str(m) for m in result.messages])
        assert not result.passed, row.key
        assert not PORTUGUESE.search(said), f"{row.key}: {said}"

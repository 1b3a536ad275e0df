"""The exercises ``class-weights`` and ``dice-loss``: class weights from pixel counts (median-frequency balancing) and the soft Dice loss."""
from __future__ import annotations

import math

import torch

from fcn_course.checks.feedback import CheckResult, Failed, finish, run_student_code
from fcn_course.checks.exercise import exercise
from fcn_course.voc import VOID


@exercise("class-weights", notebook="02_fcn_alexnet", names=("class_weights",), group="imbalance")
def check_class_weights(class_weights, verbose: bool = True) -> CheckResult:
    """``class_weights(pixel_counts)``: median(freq) / freq_c; 0 for a class without pixels."""
    problems = []
    try:
        weights = _as_vector(problems, run_student_code(problems, "class_weights([900, 90, 10])",
                                                        class_weights, [900, 90, 10]), 3)
        if weights[0] >= weights[2]:
            problems.append("a classe mais frequente (900 pixels) recebeu peso maior ou igual ao da mais rara "
                            f"(10 pixels): {weights.tolist()}. O peso deve ser inversamente proporcional à "
                            "frequência (mediana / freq).")
            raise Failed
        expected = torch.tensor([0.1, 1.0, 9.0])
        if not torch.allclose(weights, expected, rtol=1e-3):
            ratio = weights / expected
            hint = (" Os pesos estão na proporção certa, mas falta dividir pela mediana das frequências: a "
                    "classe de frequência mediana deve receber peso 1." if torch.allclose(ratio, ratio[0], rtol=1e-3)
                    else " Calcule freq = contagens / total e peso = mediana(freq) / freq.")
            problems.append(f"para [900, 90, 10] esperava pesos [0.1, 1, 9]; veio "
                            f"{[round(float(w), 4) for w in weights]}.{hint}")
            raise Failed
        weights = _as_vector(problems, run_student_code(problems, "class_weights([500, 0, 300, 200])",
                                                        class_weights, [500, 0, 300, 200]), 4)
        if not torch.isfinite(weights).all() or weights[1] != 0:
            problems.append("uma classe sem nenhum pixel deve receber peso 0 (e nada de inf ou nan): veio "
                            f"{weights.tolist()}. Calcule a mediana só das frequências > 0.")
        elif not math.isclose(float(weights[2]), 1.0, rel_tol=1e-3):
            problems.append("a mediana deve ser tomada só sobre as classes presentes: para [500, 0, 300, 200] "
                            f"a classe de 300 pixels deveria ter peso 1, veio {float(weights[2]):.4f}.")
    except Failed:
        pass
    return finish("class-weights", problems, verbose)


def _as_vector(problems, weights, length):
    if not isinstance(weights, torch.Tensor) or weights.shape != (length,) or not weights.is_floating_point():
        problems.append(f"devolva um tensor float com um peso por classe (formato [{length}]); veio "
                        f"{type(weights).__name__} {tuple(getattr(weights, 'shape', ()))}.")
        raise Failed
    return weights.detach().float()


def _batch(seed=0):
    generator = torch.Generator().manual_seed(seed)
    labels = torch.randint(0, 3, (2, 16, 16), generator=generator)
    labels[:, :2, :] = VOID
    return labels, torch.randn(2, 3, 16, 16, generator=generator)


@exercise("dice-loss", notebook="02_fcn_alexnet", names=("dice_loss",), group="imbalance")
def check_dice_loss(dice_loss, verbose: bool = True) -> CheckResult:
    """``dice_loss(outputs, labels)``: a differentiable scalar in [0, 1], 0 when right, void left out."""
    problems = []
    try:
        labels, logits = _batch()
        logits.requires_grad_(True)
        loss = run_student_code(problems, "dice_loss(outputs, labels)", dice_loss, logits, labels)
        if not isinstance(loss, torch.Tensor) or loss.dim() != 0:
            problems.append("devolva um único número (tensor escalar): a média do Dice sobre as classes, "
                            f"não {tuple(getattr(loss, 'shape', ()))}.")
            raise Failed
        if not loss.requires_grad:
            problems.append("a perda não tem gradiente: use probabilidades (softmax nos canais), nunca argmax, "
                            "e não chame .item() nem .detach().")
            raise Failed
        if not 0.0 <= float(loss.detach()) <= 1.0:
            problems.append(f"a perda de Dice fica entre 0 e 1, veio {float(loss.detach()):.4f}: aplique softmax nos "
                            "canais antes de medir a sobreposição.")
            raise Failed
        loss.backward()
        if logits.grad is None or not torch.isfinite(logits.grad).all() or logits.grad.abs().sum() == 0:
            problems.append("o gradiente da perda em relação aos escores é nulo ou não finito.")
            raise Failed
        if logits.grad[:, :, :2, :].abs().max() > 1e-7:
            problems.append("os pixels void (255) influenciaram a perda: zere probabilidades e alvos nesses "
                            "pixels (e troque 255 por uma classe válida antes do one-hot).")
            raise Failed
        right = torch.nn.functional.one_hot(labels.masked_fill(labels == VOID, 0), 3).permute(0, 3, 1, 2) * 40.0
        perfect = float(run_student_code(problems, "dice_loss(predição perfeita)", dice_loss, right.float(), labels))
        if perfect > 0.02:
            problems.append(f"com a predição perfeita a perda deveria ser ≈ 0, veio {perfect:.4f}: Dice = "
                            "2·interseção / (soma de p + soma de g), por classe; a perda é 1 - média.")
            raise Failed
        wrong = right.roll(1, dims=1)
        worst = float(run_student_code(problems, "dice_loss(predição toda errada)", dice_loss, wrong.float(), labels))
        if worst < 0.9:
            problems.append(f"com a predição toda errada a perda deveria ser ≈ 1, veio {worst:.4f}.")
    except Failed:
        pass
    return finish("dice-loss", problems, verbose)

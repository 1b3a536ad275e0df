"""The titles students read in the feedback, one per exercise key (the registry and the checks share them)."""
from __future__ import annotations

TITLES = {
    "iou": "Exercício 0 (IoU e Dice a partir da matriz de confusão)",
    "alexnet-noskip": "Exercício 1 (FCN-AlexNet sem skip)",
    "alexnet-skip": "Exercício 2 (FCN-AlexNet com skip)",
    "optimizer": "Exercício 3: otimizador (quatro casos pretrained × skip)",
    "loss": "Exercício 3: função de perda (entropia cruzada nos pixels achatados)",
    "training": "Exercício 3: treino e validação com as suas peças",
    "upsampler": "Exercício 4 (upsampling aprendido: ConvTranspose2d iniciada como bilinear)",
    "class-weights": "Exercício 5: pesos das classes (balanceamento pela mediana das frequências)",
    "dice-loss": "Exercício 5: perda de Dice",
    "vgg16-noskip": "Exercício 6 (FCN-VGG16 sem skip)",
    "vgg16-skip": "Exercício 6 (FCN-VGG16 com skip)",
    "vgg16-scoresum": "Exercício 6: FCN-8s do artigo (soma dos escores de pool3, pool4 e pool5)",
}


# Optional exercises: their check reports a stub but never stops "Run all" (the registry rows say so too).
OPTIONAL_EXERCISES = frozenset({"iou"})


def is_required(key: str) -> bool:
    """Whether an unfinished exercise ``key`` stops "Run all" at its check cell."""
    return key not in OPTIONAL_EXERCISES


def exercise_title(key: str) -> str:
    """The title students read for exercise ``key``."""
    return TITLES[key]


def fcn_exercise_title(spec, skip) -> str:
    """The title of the FCN exercise of backbone ``spec`` with/without skip (a generic one for extra backbones)."""
    return TITLES.get(f"{spec.name}-{'skip' if skip else 'noskip'}",
                      f"FCN-{spec.display_name} {'com' if skip else 'sem'} skip")

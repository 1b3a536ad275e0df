"""The exercise ``vgg16-scoresum``: the paper's FCN-8s head on VGG16 (class scores of pool3, pool4, pool5 summed)."""
from __future__ import annotations

import torch
import torch.nn as nn

from fcn_course.checks.feedback import CheckResult, Failed, finish, run_student_code
from fcn_course.checks.exercise import exercise

NUM_CLASSES = 3
SCORE_LAYERS = {"score_pool3": 256, "score_pool4": 512}  # name -> channels of the pooling it reads


@exercise("vgg16-scoresum", notebook="03_fcn_vgg16", names=("FCN8s_VGG16_Sum",), group="vgg16")
def check_score_sum(model_class, verbose: bool = True) -> CheckResult:
    """Score layers 1x1 -> C, output [B, C, H, W], each skip adds class scores (linear in its layer)."""
    problems = []
    try:
        torch.manual_seed(0)
        net = run_student_code(problems, f"criar {getattr(model_class, '__name__', 'o modelo')}(3)",
                               model_class, NUM_CLASSES, pretrained=False)
        _check_score_layers(net, problems)
        net.eval()
        x = torch.randn(1, 3, 64, 80)
        with torch.no_grad():
            output = run_student_code(problems, "forward numa imagem 64x80", net, x)
        if tuple(output.shape) != (1, NUM_CLASSES, 64, 80):
            problems.append(f"a saída deveria ter formato [1, {NUM_CLASSES}, 64, 80] (escores por pixel, do "
                            f"tamanho da entrada); veio {list(output.shape)}.")
            raise Failed
        for name in SCORE_LAYERS:
            _check_adds_scores(net, name, x, problems)
    except Failed:
        pass
    return finish("vgg16-scoresum", problems, verbose)


def _check_score_layers(net, problems):
    for name, channels in SCORE_LAYERS.items():
        layer = getattr(net, name, None)
        if not isinstance(layer, nn.Conv2d):
            problems.append(f"crie self.{name} como nn.Conv2d (veio {type(layer).__name__}).")
            raise Failed
        if layer.kernel_size != (1, 1) or layer.in_channels != channels or layer.out_channels != NUM_CLASSES:
            problems.append(f"self.{name} deveria ser Conv2d({channels}, num_classes, kernel_size=1): cada nível "
                            "prevê escores de classe, que são então somados; veio "
                            f"Conv2d({layer.in_channels}, {layer.out_channels}, kernel_size={layer.kernel_size}).")
            raise Failed


def _check_adds_scores(net, name, x, problems):
    """The output must move linearly with the skip's score layer: it is *added*, nothing non-linear after.

    Only the layer's weight is scaled: its bias (if it has one) is the same in the three passes, so it cancels
    in the differences compared.
    """
    layer = getattr(net, name)
    generator = torch.Generator().manual_seed(1)
    weight = torch.randn(layer.weight.shape, generator=generator) * 0.05
    outputs = []
    with torch.no_grad():
        for scale in (0.0, 1.0, 2.0):
            layer.weight.copy_(weight * scale)
            outputs.append(net(x))
    first, second = outputs[1] - outputs[0], outputs[2] - outputs[1]
    if first.abs().max() < 1e-6:
        problems.append(f"self.{name} não muda a saída: some os escores dele (depois de interpolar os escores "
                        "mais profundos ao tamanho do mapa dele) no forward.")
        raise Failed
    if not torch.allclose(first, second, atol=1e-4 * float(first.abs().max()) + 1e-6):
        problems.append(f"a saída não varia linearmente com self.{name}: os escores dos níveis devem ser "
                        "somados e só interpolados depois (nada de ReLU, concatenação com camadas não "
                        "lineares ou outra convolução depois da soma).")
        raise Failed

"""Learned upsampling (course exercise): a transposed convolution that starts as bilinear interpolation."""

import torch
import torch.nn.functional as F
from torch import nn

from fcn_course.backbones import ALEXNET_CHANNELS, bilinear_kernel


def make_upsampler(channels, factor, learnable):
    """A ConvTranspose2d that makes maps `factor` times larger and starts as bilinear interpolation.

    Stride `factor`, no bias. The kernel size and the padding are yours to derive: an input of n pixels must
    give exactly factor * n pixels, for an even factor and for an odd one, and the kernel must be a bilinear
    tent that sums the same on every output phase. The weight comes from `bilinear_kernel` (channel i feeds
    only channel i). With `learnable=False` the weight is frozen (requires_grad=False): a fixed bilinear layer.
    """
    ### BEGIN SOLUTION: crie a camada que amplia os mapas `factor` vezes e começa como interpolação bilinear; guarde-a em `upsampler`
    ### DICA: A camada que aprende a ampliar é a convolução transposta, `nn.ConvTranspose2d`, com `channels` canais na entrada e na saída e sem bias. Para ampliar `factor` vezes, qual deve ser o stride?
    ### DICA: Na fórmula do tamanho, (n - 1)*stride - 2*padding + kernel, exija que o resultado seja factor*n para todo n: sobra uma relação entre kernel e padding. Para factor = 2, a seção "O tamanho da saída" já deu um par que serve. Para factor = 3, procure na tabela das somas por fase uma tenda que some igual em todas as fases e tenha a paridade que a relação pede.
    ### DICA: O peso inicial vem de `bilinear_kernel` (veja a docstring dela); copiar para um parâmetro exige `torch.no_grad()`, e `learnable` decide se o peso recebe gradiente.
    ### ESQUELETO: kernel_size = ...  # uma expressão de factor que sirva para fatores pares e ímpares
    ### ESQUELETO: padding = ...  # deduzido da mesma conta
    ### ESQUELETO: upsampler = nn.ConvTranspose2d(channels, channels, kernel_size=kernel_size, stride=..., padding=padding, bias=False)
    ### ESQUELETO: with torch.no_grad():
    ### ESQUELETO:     upsampler.weight.copy_(...)
    ### ESQUELETO: upsampler.weight.requires_grad_(...)
    kernel_size = 2 * factor - factor % 2
    padding = factor // 2
    upsampler = nn.ConvTranspose2d(
        channels, channels, kernel_size=kernel_size, stride=factor, padding=padding, bias=False
    )
    with torch.no_grad():
        upsampler.weight.copy_(bilinear_kernel(channels, channels, kernel_size))
    upsampler.weight.requires_grad_(learnable)
    ### END SOLUTION
    return upsampler


def fit_to_size(x, size):
    """Crop (centre) or pad (repeating the border) `x` [B, C, h, w] to `size` = (H, W).

    A stride-32 map times 4 is not always exactly the size of the stride-8 map (AlexNet's borders), so the
    upsampled map is trimmed or completed by a few pixels, as the FCN paper crops its upsampled scores.
    """
    for axis, target in ((2, size[0]), (3, size[1])):
        extra = x.shape[axis] - target
        if extra > 0:
            x = x.narrow(axis, extra // 2, target)
        elif extra < 0:
            before, after = -extra // 2, -extra - (-extra // 2)
            padding = (before, after, 0, 0) if axis == 3 else (0, 0, before, after)
            x = F.pad(x, padding, mode="replicate")
    return x


def with_learned_upsampling(fcn_class, learnable=True):
    """An FCN class like `fcn_class` (skip "8s" on AlexNet) whose deep features are upsampled by
    `make_upsampler` (x4: from stride 32 to stride 8) instead of `F.interpolate`.

    The final upsampling of the class scores stays fixed bilinear interpolation, as in the FCN paper.
    """

    class FCNWithTransposedConv(fcn_class):
        def __init__(self, num_classes, pretrained=False, skip="8s"):
            super().__init__(num_classes, pretrained=pretrained, skip=skip)
            if self.skip != "8s":
                raise ValueError("the learned-upsampling variant is written for skip='8s' (pool5 -> pool1, x4)")
            self.upsample_deep = make_upsampler(ALEXNET_CHANNELS[32], 4, learnable)

        def forward(self, x):
            shallow = self.backbone1(x)
            deep = fit_to_size(self.upsample_deep(self.backbone2(shallow)), shallow.shape[-2:])
            scores = self.classifier(torch.cat([shallow, deep], dim=1))
            return F.interpolate(scores, size=x.shape[-2:], mode="bilinear", align_corners=False)

    FCNWithTransposedConv.__name__ = f"{fcn_class.__name__}_{'Learned' if learnable else 'Frozen'}Upsampling"
    return FCNWithTransposedConv

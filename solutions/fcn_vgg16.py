"""FCN with a VGG16 backbone (course exercise): FCN-32s without skip connections, FCN-8s or FCN-16s with them."""

import torch
import torch.nn.functional as F
from torch import nn

from fcn_course.backbones import (
    VGG16_CHANNELS,
    VGG16_MIN_INPUT_SIZE,
    VGG16_STRIDE8_END,
    VGG16_STRIDE16_END,
    initialize_weights,
    load_vgg16,
)


class FCN_VGG16(nn.Module):
    """Fully Convolutional Network built on the convolutional layers (`features`) of VGG16.

    skip=False (FCN-32s): backbone -> classifier at 1/32 of the input -> bilinear upsampling to the input.
    skip=True or "8s" (FCN-8s) / "16s" (FCN-16s): backbone1 (up to pool3, 1/8, or pool4, 1/16) ->
    backbone2 (the rest); the deep features are upsampled to the size of the shallow ones and concatenated
    with them on the channel axis before the classifier.
    Output: class scores [B, num_classes, H, W] for an input [B, 3, H, W].
    """

    def __init__(self, num_classes, pretrained=False, skip=False):
        super().__init__()

        if skip is True:
            skip = "8s"
        if skip is not False and skip not in ("8s", "16s"):
            raise ValueError(f"skip must be False, True, '8s' or '16s'; got {skip!r}")
        self.skip = skip

        if self.skip:
            ### BEGIN SOLUTION: crie self.backbone1, self.backbone2 e self.classifier da versão com skip
            ### DICA: as camadas convolucionais que `load_vgg16` traz formam um `nn.Sequential`: fatiadas com `[:i]` e `[i:]`, dão duas partes que, uma depois da outra, fazem o mesmo que o todo.
            ### DICA: Em '8s' o corte fica no fim do pool3 (`VGG16_STRIDE8_END`), em '16s' no fim do pool4 (`VGG16_STRIDE16_END`); o classificador recebe os canais da parte rasa mais os da profunda (veja `VGG16_CHANNELS`) e termina em num_classes canais.
            ### ESQUELETO: features = ...
            ### ESQUELETO: split, shallow_channels = ..., ...  # dependem de self.skip
            ### ESQUELETO: self.backbone1 = ...
            ### ESQUELETO: self.backbone2 = ...
            ### ESQUELETO: self.classifier = nn.Sequential(...)  # convoluções 1x1, ReLU, Dropout2d
            features = load_vgg16(pretrained).features
            if self.skip == "8s":
                split, shallow_channels = VGG16_STRIDE8_END, VGG16_CHANNELS[8]  # pool3: 256 channels
            else:
                split, shallow_channels = VGG16_STRIDE16_END, VGG16_CHANNELS[16]  # pool4: 512 channels
            self.backbone1 = features[:split]
            self.backbone2 = features[split:]

            # Light classifier (1x1 convolutions): it runs at the high resolution of the skip.
            self.classifier = nn.Sequential(
                nn.Conv2d(shallow_channels + VGG16_CHANNELS[32], 256, kernel_size=1),
                nn.ReLU(inplace=True),
                nn.Dropout2d(0.5),
                nn.Conv2d(256, num_classes, kernel_size=1),
            )
            ### END SOLUTION
        else:
            ### BEGIN SOLUTION: crie self.backbone e self.classifier da versão sem skip
            ### DICA: O backbone são só as camadas convolucionais da rede: veja o que `load_vgg16` devolve (`print(load_vgg16(False))`) e qual atributo guarda essas camadas.
            ### DICA: O classificador troca as camadas totalmente conectadas por convoluções: uma 3x3 que mantém o tamanho do mapa, ReLU, Dropout2d e uma 1x1 que termina em num_classes canais; os canais de entrada estão em `VGG16_CHANNELS[32]`.
            ### ESQUELETO: self.backbone = ...
            ### ESQUELETO: self.classifier = nn.Sequential(
            ### ESQUELETO:     nn.Conv2d(..., ..., kernel_size=3, padding=...),
            ### ESQUELETO:     ...,
            ### ESQUELETO:     nn.Conv2d(..., num_classes, kernel_size=1),
            ### ESQUELETO: )
            self.backbone = load_vgg16(pretrained).features

            # Classifier on the 512-channel maps at 1/32 of the input (it replaces VGG16's FC layers).
            self.classifier = nn.Sequential(
                nn.Conv2d(VGG16_CHANNELS[32], 512, kernel_size=3, padding=1),
                nn.ReLU(inplace=True),
                nn.Dropout2d(0.5),
                nn.Conv2d(512, num_classes, kernel_size=1),
            )
            ### END SOLUTION

        if not pretrained:
            initialize_weights(self)

    def forward(self, x):
        height, width = x.shape[-2:]
        if min(height, width) < VGG16_MIN_INPUT_SIZE:
            raise ValueError(
                f"FCN_VGG16 needs images of at least {VGG16_MIN_INPUT_SIZE}x{VGG16_MIN_INPUT_SIZE} pixels "
                f"(VGG16 halves them 5 times); got {height}x{width}"
            )

        if self.skip:
            ### BEGIN SOLUTION: calcule os escores da versão com skip e guarde-os em `output` ([B, num_classes, H, W])
            ### DICA: O caminho é backbone1 -> backbone2; guarde a saída de backbone1 (a parte rasa): você vai usá-la de novo.
            ### DICA: Para concatenar nos canais (`torch.cat(..., dim=1)`) os mapas precisam ter a mesma altura e largura: amplie o mapa profundo com `F.interpolate` (bilinear) até o tamanho do raso; no fim, amplie os escores até (height, width).
            ### ESQUELETO: shallow = ...
            ### ESQUELETO: deep = ...
            ### ESQUELETO: deep = F.interpolate(deep, size=..., mode="bilinear", align_corners=False)
            ### ESQUELETO: scores = self.classifier(...)
            ### ESQUELETO: output = ...
            shallow = self.backbone1(x)  # [B, 256, H/8, W/8] ("8s") or [B, 512, H/16, W/16] ("16s")
            deep = self.backbone2(shallow)  # [B, 512, H/32, W/32]
            deep = F.interpolate(deep, size=shallow.shape[-2:], mode="bilinear", align_corners=False)
            scores = self.classifier(torch.cat([shallow, deep], dim=1))
            output = F.interpolate(scores, size=(height, width), mode="bilinear", align_corners=False)
            ### END SOLUTION
        else:
            ### BEGIN SOLUTION: calcule os escores da versão sem skip e guarde-os em `output` ([B, num_classes, H, W])
            ### DICA: Os escores saem do classificador aplicado às features do backbone: um mapa com 1/32 do tamanho da imagem.
            ### DICA: Para ampliar, use `F.interpolate` com `mode="bilinear"` e `align_corners=False`; o tamanho de saída é o da imagem, (height, width).
            ### ESQUELETO: scores = ...  # [B, num_classes, H/32, W/32]
            ### ESQUELETO: output = F.interpolate(...)
            scores = self.classifier(self.backbone(x))  # [B, num_classes, H/32, W/32]
            output = F.interpolate(scores, size=(height, width), mode="bilinear", align_corners=False)
            ### END SOLUTION

        return output

"""FCN-8s as in the paper (course exercise): class scores from pool3, pool4 and pool5, fused by summation."""

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


class FCN8s_VGG16_Sum(nn.Module):
    """FCN-8s with the paper's head: every level predicts class scores; the scores are added.

    pool5 (1/32) -> classifier -> C scores; upsampled to pool4's size and added to score_pool4(pool4);
    upsampled to pool3's size and added to score_pool3(pool3); upsampled to the input. score_pool3 and
    score_pool4 are 1x1 convolutions with C outputs (the paper starts them at zero, so training begins
    from the FCN-32s prediction). Output: class scores [B, C, H, W].
    """

    def __init__(self, num_classes, pretrained=False):
        super().__init__()
        features = load_vgg16(pretrained).features
        self.to_pool3 = features[:VGG16_STRIDE8_END]  # 256 channels, 1/8
        self.to_pool4 = features[VGG16_STRIDE8_END:VGG16_STRIDE16_END]  # 512 channels, 1/16
        self.to_pool5 = features[VGG16_STRIDE16_END:]  # 512 channels, 1/32
        self.classifier = nn.Sequential(
            nn.Conv2d(VGG16_CHANNELS[32], 512, kernel_size=3, padding=1),
            nn.ReLU(inplace=True),
            nn.Dropout2d(0.5),
            nn.Conv2d(512, num_classes, kernel_size=1),
        )
        ### BEGIN SOLUTION: crie as camadas que dão escores de classe ao pool4 e ao pool3: self.score_pool4 e self.score_pool3
        ### DICA: Um escore por classe em cada pixel, sem olhar os vizinhos: que tamanho de kernel faz isso?
        ### DICA: Os canais de entrada estão em `VGG16_CHANNELS`, cujo índice é o stride (16 para o pool4, 8 para o pool3); a saída tem num_classes canais.
        ### ESQUELETO: self.score_pool4 = nn.Conv2d(..., ..., kernel_size=...)
        ### ESQUELETO: self.score_pool3 = ...
        self.score_pool4 = nn.Conv2d(VGG16_CHANNELS[16], num_classes, kernel_size=1)
        self.score_pool3 = nn.Conv2d(VGG16_CHANNELS[8], num_classes, kernel_size=1)
        ### END SOLUTION
        if not pretrained:
            initialize_weights(self)
        for layer in (self.score_pool4, self.score_pool3):
            nn.init.zeros_(layer.weight)  # as in the paper: the skips start silent
            nn.init.zeros_(layer.bias)

    def forward(self, x):
        height, width = x.shape[-2:]
        if min(height, width) < VGG16_MIN_INPUT_SIZE:
            raise ValueError(
                f"FCN8s_VGG16_Sum needs images of at least {VGG16_MIN_INPUT_SIZE}x"
                f"{VGG16_MIN_INPUT_SIZE} pixels; got {height}x{width}"
            )
        pool3 = self.to_pool3(x)
        pool4 = self.to_pool4(pool3)
        pool5 = self.to_pool5(pool4)
        ### BEGIN SOLUTION: combine os escores do pool5, do pool4 e do pool3 (FCN-8s) e guarde o resultado em `output`
        ### DICA: Comece pelos escores do classifier sobre o pool5 e suba um nível de cada vez: pool4, depois pool3.
        ### DICA: Em cada nível, amplie os escores até o tamanho do mapa daquele nível (`F.interpolate`, bilinear) e SOME os escores dele (não concatene); no fim, amplie até (height, width).
        ### ESQUELETO: scores = ...  # [B, C, H/32, W/32]
        ### ESQUELETO: scores = F.interpolate(scores, size=..., mode="bilinear", align_corners=False)
        ### ESQUELETO: scores = scores + ...
        ### ESQUELETO: ...  # o mesmo para o pool3
        ### ESQUELETO: output = ...
        scores = self.classifier(pool5)
        scores = F.interpolate(scores, size=pool4.shape[-2:], mode="bilinear", align_corners=False)
        scores = scores + self.score_pool4(pool4)
        scores = F.interpolate(scores, size=pool3.shape[-2:], mode="bilinear", align_corners=False)
        scores = scores + self.score_pool3(pool3)
        output = F.interpolate(scores, size=(height, width), mode="bilinear", align_corners=False)
        ### END SOLUTION
        return output

"""FCN with an AlexNet backbone (course exercise): FCN-32s without skip connections, FCN-8s or FCN-16s with them."""

import torch
import torch.nn.functional as F
from torch import nn

from fcn_course.backbones import (
    ALEXNET_CHANNELS,
    ALEXNET_MIN_INPUT_SIZE,
    ALEXNET_STRIDE8_END,
    ALEXNET_STRIDE16_END,
    initialize_weights,
    load_alexnet,
)


class FCN_AlexNet(nn.Module):
    """Fully Convolutional Network built on the convolutional layers (`features`) of AlexNet.

    skip=False (FCN-32s): backbone -> classifier at 1/32 of the input -> bilinear upsampling to the input.
    skip=True or "8s" (FCN-8s) / "16s" (FCN-16s): backbone1 (up to pool1, 1/8, or pool2, 1/16) ->
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
            ### BEGIN SOLUTION: crie self.backbone1 (features até o pool1 em '8s' ou o pool2 em '16s'), self.backbone2 (o resto) e self.classifier (convoluções sobre os canais concatenados)
            features = load_alexnet(pretrained).features
            if self.skip == "8s":
                split, shallow_channels = ALEXNET_STRIDE8_END, ALEXNET_CHANNELS[8]  # pool1: 64 channels
            else:
                split, shallow_channels = ALEXNET_STRIDE16_END, ALEXNET_CHANNELS[16]  # pool2: 192 channels
            self.backbone1 = features[:split]
            self.backbone2 = features[split:]

            # Light classifier (1x1 convolutions): it runs at the high resolution of the skip.
            self.classifier = nn.Sequential(
                nn.Conv2d(shallow_channels + ALEXNET_CHANNELS[32], 128, kernel_size=1),
                nn.ReLU(inplace=True),
                nn.Dropout2d(0.5),
                nn.Conv2d(128, num_classes, kernel_size=1),
            )
            ### END SOLUTION
        else:
            ### BEGIN SOLUTION: crie self.backbone = load_alexnet(pretrained).features e self.classifier só com convoluções, terminando em num_classes canais
            self.backbone = load_alexnet(pretrained).features

            # Classifier on the 256-channel maps at 1/32 of the input (it replaces AlexNet's FC layers).
            self.classifier = nn.Sequential(
                nn.Conv2d(ALEXNET_CHANNELS[32], 256, kernel_size=3, padding=1),
                nn.ReLU(inplace=True),
                nn.Dropout2d(0.5),
                nn.Conv2d(256, num_classes, kernel_size=1),
            )
            ### END SOLUTION

        if not pretrained:
            initialize_weights(self)

    def forward(self, x):
        height, width = x.shape[-2:]
        if min(height, width) < ALEXNET_MIN_INPUT_SIZE:
            raise ValueError(
                f"FCN_AlexNet needs images of at least {ALEXNET_MIN_INPUT_SIZE}x{ALEXNET_MIN_INPUT_SIZE} pixels "
                f"(AlexNet shrinks them about 32 times); got {height}x{width}"
            )

        if self.skip:
            ### BEGIN SOLUTION: backbone1 -> backbone2; interpole a saída profunda ao tamanho da rasa, concatene nos canais, classifique e interpole ao tamanho de x; guarde o resultado em `output`
            shallow = self.backbone1(x)  # [B, 64, H/8, W/8] ("8s") or [B, 192, H/16, W/16] ("16s")
            deep = self.backbone2(shallow)  # [B, 256, H/32, W/32]
            deep = F.interpolate(deep, size=shallow.shape[-2:], mode="bilinear", align_corners=False)
            scores = self.classifier(torch.cat([shallow, deep], dim=1))
            output = F.interpolate(scores, size=(height, width), mode="bilinear", align_corners=False)
            ### END SOLUTION
        else:
            ### BEGIN SOLUTION: backbone -> classifier; interpole os escores das classes (bilinear) ao tamanho de x; guarde o resultado em `output`
            scores = self.classifier(self.backbone(x))  # [B, num_classes, H/32, W/32]
            output = F.interpolate(scores, size=(height, width), mode="bilinear", align_corners=False)
            ### END SOLUTION

        return output

# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# [![Open in Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/fcn-course/fcn-course/blob/main/notebooks/en/04_fcn_vgg16.ipynb)

# %%
# Google Colab: installs the course and (if you want) keeps the data in your Drive.
# Outside Colab this cell only chooses the language of the course's messages.
USAR_DRIVE = False  # True: the course's data in MyDrive/fcn_course_data in your Google Drive
import importlib.util, os.path, subprocess, sys
os.environ['FCN_COURSE_LANG'] = 'en'  # the language of this notebook's messages
if "google.colab" in sys.modules:
    if importlib.util.find_spec("fcn_course") is None:
        install = subprocess.run([sys.executable, "-m", "pip", "install", "-q",
                                  "git+https://github.com/fcn-course/fcn-course"])
        if install.returncode != 0:
            raise RuntimeError(
                "Could not install the course from https://github.com/fcn-course/fcn-course (pip's "
                "message, above, says why). Check the internet connection and whether that address "
                "opens in a browser: Colab does not install from a private repository. Then run "
                "this cell again."
            )
    from fcn_course.colab import setup_colab
    setup_colab(use_drive=USAR_DRIVE)

# %% [markdown]
# <!-- generated from solutions/notebooks/04_fcn_vgg16.py and solutions/locale/en/04_fcn_vgg16.po; edit those files, then run python -m fcn_course.instructor build -->
# # 04 · FCN with VGG16 (Exercise 6)
#
# To look up at any time: the [quick reference](referencia.md) gathers shapes, formulas and a glossary of the
# terms used in this course. In Colab the link above does not open (there the notebook stands alone, without the
# other files of the course): use the [same page on GitHub](https://github.com/fcn-course/fcn-course/blob/main/notebooks/en/referencia.md),
# which is the file `notebooks/en/referencia.md` of the repository.
#
# In notebook 02 you turned AlexNet into an FCN. Now you will repeat the recipe with a deeper network,
# **VGG16**: it is the network with which the authors of FCNs (Long, Shelhamer and Darrell, CVPR 2015,
# [arXiv:1411.4038](https://arxiv.org/abs/1411.4038)) got their best results.
#
# | Notebook | Contents |
# |---|---|
# | 01 · Data and metrics | hyperparameters, weight initialization, metrics (IoU, mIoU, Dice), Pascal VOC 2012 and the `DataLoader`s; exercise 0 |
# | 02 · FCN with AlexNet | the theory of FCNs, Kaiming initialization, bilinear upsampling, skip connections; exercises 1 and 2 (FCN-AlexNet) and 3 (optimizer and loss), training and predictions |
# | 03 · Learned upsampling and losses | transposed convolution and the checkerboard pattern; exercises 4 (learned upsampling) and 5 (class weights and Dice loss) |
# | **04 · FCN with VGG16** (this one) | exercise 6: the same adaptation for a deeper network, and the paper's head, which sums scores |
# | 05 · Comparison | exercise 7: with and without skip connections, pretrained or from scratch; what came after FCNs |
#
# **By the end of this notebook you can**
#
# 1. point out the pool3, pool4 and pool5 cuts in VGG16's `features`, and give the stride (8, 16 and 32)
#    and the number of channels (256, 512 and 512) of each;
# 2. explain, with the figures of Table 1 of the paper, why VGG16 makes better FCNs than AlexNet, and
#    say how much slower a training iteration is with it;
# 3. write `FCN_VGG16` without and with skip connections (**Exercise 6**), with the same interface as your
#    `FCN_AlexNet`, and make it pass the self-checks;
# 4. write the paper's head (an FCN-8s that **sums the scores** of pool3, pool4 and pool5; second part of
#    exercise 6) and explain why it starts with its skips set to zero;
# 5. count the parameters of each variant and say how many are in the backbone and how many in the
#    classifier;
# 6. train the network with the optimizer and the loss from notebook 02, without copying them, and compare
#    its mIoU curve with that of FCN-AlexNet.
#
# **How long it takes.**
#
# * **Study time: ~55 min**: reading carefully (about 25 min), running the cells, doing both parts of
#   exercise 6, waiting for the training (1 to 2 min in the `demo` profile) and answering question B. It
#   fits in a 100-minute class.
# * **Machine time**: on a CPU, each training iteration with VGG16 costs about 21 times as much as with
#   AlexNet (measured further down). That is why the `demo` profile gives VGG16 fewer images (48), smaller
#   crops (96×96) and a smaller learning rate (`lr=3e-4`: from scratch and without batch norm, the loss
#   explodes in the first epoch with `1e-3`); the 10 epochs take about a minute on a 2-core CPU. In the
#   `full` profile, training VGG16 without a GPU is not practical: see the "Time budget" table in the
#   `README.md`.

# %% [markdown]
# ## Setup
#
# The imports and the hyperparameters, as in the previous notebooks. `vgg_args` applies the adjustments the
# profile sets for VGG16 (in `demo`: fewer images, smaller crops, a smaller `lr`); the output of the cell
# tells you which profile is running.

# %%
import math
from pathlib import Path

import matplotlib.pyplot as plt
import torch
from torch import nn

from fcn_course import checks, engine, plots, quiz, runs
from fcn_course.backbones import VGG16_CHANNELS, VGG16_STRIDE8_END, VGG16_STRIDE16_END, load_vgg16
from fcn_course.config import course_args, seed_everything, vgg_args
from fcn_course.data import make_loaders, prepare_data
from fcn_course.definitions import load_definitions
from fcn_course.messages import thousands  # 3060547 -> "3,060,547", grouped as the notebook's language writes it

# %%
# %matplotlib inline

args = vgg_args(course_args())  # the profile's settings, reduced where VGG16 needs it (slower per step)
seed_everything(args["seed"])

print("device:", args["device"])
prepare_data(args)  # says which profile runs, and writes the synthetic dataset when it needs one
print({key: args[key] for key in ("epoch_num", "classes", "pretrained", "skip", "lr", "batch_size",
                                  "h_size", "w_size")})

# %% [markdown]
# ### Reusing your code from notebook 02
#
# The optimizer (`make_optimizer`), the criterion (`make_criterion`) and the loss function
# (`compute_loss`) that you wrote in notebook 02 work just as well for VGG16: nothing in them depends on
# the backbone. Instead of copying them here, we **load** them from notebook 02 with
# `load_definitions`. This function reads the file `02_fcn_alexnet.ipynb` (in the same folder as this
# notebook) and runs only the cells that *define* things (imports, functions, classes and constants),
# without training anything again.
#
# This way your code lives **in one place only**: if you fix something in notebook 02 (and save it), the
# fix applies automatically here and in notebook 05, and there are never two different versions of the
# same function scattered across the course.

# %%
loaded = load_definitions("02_fcn_alexnet.ipynb", names=["make_optimizer", "compute_loss", "make_criterion"])
make_optimizer = loaded["make_optimizer"]
compute_loss = loaded["compute_loss"]
make_criterion = loaded["make_criterion"]
print("loaded from 02_fcn_alexnet.ipynb:", ", ".join(loaded))

# %% [markdown]
# ## A refresher on VGG16
#
# VGG16 (Simonyan and Zisserman, 2014, [arXiv:1409.1556](https://arxiv.org/abs/1409.1556)) follows a simple rule: only $3\times3$ convolutions (with
# padding 1, which preserves the size), each followed by a ReLU, and $2\times2$ max pooling with
# stride 2, which halves the height and the width. There are **13 convolutional layers in 5 blocks**,
# each block ending in a pooling layer, followed by 3 fully connected layers (13 + 3 = 16 layers with
# weights, hence the name). As with AlexNet, the FCN uses only the convolutional part, `features`.
#
# | Block | Convolutions | Channels | Ends in | Cumulative stride | Size for 224×224 |
# |---|---|---|---|---|---|
# | 1 | conv1_1, conv1_2 | 64 | pool1 | 2 | 112×112 |
# | 2 | conv2_1, conv2_2 | 128 | pool2 | 4 | 56×56 |
# | 3 | conv3_1 … conv3_3 | 256 | **pool3** | **8** | 28×28 |
# | 4 | conv4_1 … conv4_3 | 512 | **pool4** | **16** | 14×14 |
# | 5 | conv5_1 … conv5_3 | 512 | **pool5** | **32** | 7×7 |
#
# The three outputs in bold are the ones that matter for FCNs: **pool5** (stride 32) is the output of the
# whole backbone (FCN-32s); **pool4** (stride 16) feeds the skip connection of FCN-16s, and
# **pool3** (stride 8) that of FCN-8s. In VGG16, where every convolution preserves the size, 224
# divided by the side of the map gives exactly the stride; in AlexNet it did not (notebook 02). The
# receptive field of VGG16's pool5, computed in notebook 02, is 212 pixels. Let's check by passing a $224\times224$ image through the layers of
# `features`, one by one, and printing the size after each pooling layer:

# %%
# NBVAL_CHECK_OUTPUT
features = load_vgg16(pretrained=False).features
x = torch.zeros(1, 3, 224, 224)
conv_count = 0
pool_count = 0
with torch.no_grad():
    for index, layer in enumerate(features):
        x = layer(x)
        if isinstance(layer, nn.Conv2d):
            conv_count += 1
        if isinstance(layer, nn.MaxPool2d):
            pool_count += 1
            print(f"pool{pool_count} = features[{index:2d}]: {x.shape[1]:3d} channels, "
                  f"{x.shape[2]:3d}x{x.shape[3]:<3d} (stride {224 // x.shape[2]:2d}), after {conv_count:2d} convs")
print()
print(f"features[:{VGG16_STRIDE8_END}] ends with pool3, features[:{VGG16_STRIDE16_END}] ends with pool4")
print("channels at each stride:", VGG16_CHANNELS)

# %% [markdown]
# The constants `VGG16_STRIDE8_END`, `VGG16_STRIDE16_END` and `VGG16_CHANNELS` of `fcn_course.backbones`
# hold these numbers: `features[:17]` goes from the input up to pool3, `features[17:]` is the rest. They
# will come in handy in the exercise.
#
# The design of the FCN is the same as in notebook 02; only the backbone changes, and the sizes with it (for
# a $224\times224$ input: pool3 $28\times28$, pool5 $7\times7$):

# %%
plots.fcn_diagram(skip=True, backbone="vgg16")

# %% [markdown]
# ### Why VGG16?
#
# In the FCN paper, the same adaptation was made with three classification networks. From Table 1 of the
# paper (mean IU, the paper's name for mIoU, on the VOC 2011 validation set):
#
# | Backbone | mean IU | Parameters (the paper's FCN) |
# |---|---|---|
# | FCN-AlexNet | 39.8 | 57 M |
# | FCN-VGG16 | **56.0** | 134 M |
#
# (FCN-GoogLeNet reached 42.5.) Changing only the backbone was worth more than 16 points. Why?
#
# * **Depth**: 13 convolutions against 5. Each extra layer, with its ReLU, lets the network compose more
#   complex patterns; VGG16's features classify ImageNet much better (the torchvision documentation gives
#   a top-1 accuracy of about 71.6%, against AlexNet's 56.5%), and an FCN inherits the quality of its
#   backbone's features.
# * **Small filters**: two $3\times3$ convolutions see the same region as one $5\times5$ convolution, with
#   fewer weights and one more nonlinearity in between.
# * **Less detail lost right at the start**: AlexNet's first layer uses $11\times11$ filters with
#   stride 4, which throw away resolution in one go; VGG16 shrinks the image gradually, halving it each time.
#
# The drawback is the cost: VGG16 does much more arithmetic per pixel. On a 2-core CPU, a training
# iteration with a batch of 8 $224\times224$ images took **2.81 s** with FCN-VGG16 against
# **0.132 s** with FCN-AlexNet, both without skip connections (measured with
# `benchmarks/bench_models.py`; see the benchmarks table in the `README.md`): about **21 times**
# slower. To train on the real VOC, use a GPU (in
# Colab, *Runtime → Change runtime type → GPU*).
#
# A note on the parameters: the paper's 134 M include VGG16's `fc6` and `fc7` layers turned into
# convolutions (`fc6` alone has over 100 M weights). The FCNs of this course use a light convolutional
# classifier in their place, and are much smaller (you will count them just below). What makes VGG16
# expensive is the **number of operations** in the convolutional layers, which work at high
# resolution.

# %%
quiz.ask("params-vs-compute")

# %% [markdown]
# ## Exercise 6: FCN with VGG16
#
# Implement the class `FCN_VGG16(num_classes, pretrained=False, skip=False)`, with **the same
# interface** as your `FCN_AlexNet` from notebook 02. That way the rest of the course (optimizer,
# training, comparison) works with either of them.
#
# * Use `load_vgg16(pretrained)` from `fcn_course.backbones` and keep only its `.features` attribute.
# * **Without a skip** (`skip=False`, FCN-32s): `self.backbone` = all the layers of `features`;
#   `self.classifier` = convolutions only, the last one with `num_classes` output channels. In `forward`:
#   backbone → classifier → `F.interpolate(..., mode="bilinear")` up to the size of the input.
# * **With a skip** (`skip=True` or `"8s"`, FCN-8s): `self.backbone1` = `features` up to pool3
#   (256 channels, 1/8 of the input) and `self.backbone2` = the rest (512 channels, 1/32). With `skip="16s"`
#   (FCN-16s), the cut is at pool4 (512 channels, 1/16). In `forward`: go through `backbone1`, then
#   through `backbone2`; interpolate the deep output to the size of the shallow output; **concatenate** the
#   two along the channel axis (`torch.cat(..., dim=1)`); apply the classifier (which receives
#   256 + 512 = 768 channels in the `"8s"` case) and interpolate the scores to the size of the input.
# * The names matter: only the modules whose name starts with `backbone` receive pretrained weights, and
#   it is by these names that your `make_optimizer` gives them a 10× smaller learning rate.
# * The final `initialize_weights(self)` (when `pretrained=False`) is already in the skeleton, as in
#   notebook 02.
# * The output must have the shape `[B, num_classes, H, W]` for **any** input of at least 32×32
#   pixels (VGG16 halves the image five times), including odd and non-square sizes.
#
# A tip on cost: with a skip, the classifier works at the resolution of pool3 (28×28 for a 224×224
# input), 16 times as many positions as at pool5 (4 times in the "16s" case, 14×14). A light
# classifier, with $1\times1$ convolutions, keeps training fast.

# %%
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
            raise NotImplementedError("create self.backbone1, self.backbone2 and self.classifier for the version with a skip")
        else:
            raise NotImplementedError("create self.backbone and self.classifier for the version without a skip")

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
            raise NotImplementedError("compute the scores of the version with a skip and store them in `output` ([B, num_classes, H, W])")
        else:
            raise NotImplementedError("compute the scores of the version without a skip and store them in `output` ([B, num_classes, H, W])")

        return output

# %% [markdown]
# **Hints** (open one at a time, only when you need it: the next one appears inside the previous one)
#
# **Part 1:** create self.backbone1, self.backbone2 and self.classifier for the version with a skip
#
# <details><summary>Hint 1</summary>
#
# The convolutional layers that `load_vgg16` provides form an `nn.Sequential`: sliced with `[:i]` and `[i:]`, they give two parts that, one after the other, do the same as the whole.
#
# <details><summary>Hint 2</summary>
#
# In '8s' the cut is at the end of pool3 (`VGG16_STRIDE8_END`), in '16s' at the end of pool4 (`VGG16_STRIDE16_END`); the classifier receives the channels of the shallow part plus those of the deep part (see `VGG16_CHANNELS`) and ends in num_classes channels.
#
# <details><summary>Skeleton (fill in the `...`)</summary>
#
# ```python
# features = ...
# split, shallow_channels = ..., ...  # they depend on self.skip
# self.backbone1 = ...
# self.backbone2 = ...
# self.classifier = nn.Sequential(...)  # 1x1 convolutions, ReLU, Dropout2d
# ```
#
# </details></details></details>
#
# **Part 2:** create self.backbone and self.classifier for the version without a skip
#
# <details><summary>Hint 1</summary>
#
# The backbone is just the convolutional layers of the network: look at what `load_vgg16` returns (`print(load_vgg16(False))`) and at which attribute holds those layers.
#
# <details><summary>Hint 2</summary>
#
# The classifier replaces the fully connected layers with convolutions: a 3x3 one that keeps the size of the map, ReLU, Dropout2d and a 1x1 one that ends in num_classes channels; the input channels are in `VGG16_CHANNELS[32]`.
#
# <details><summary>Skeleton (fill in the `...`)</summary>
#
# ```python
# self.backbone = ...
# self.classifier = nn.Sequential(
#     nn.Conv2d(..., ..., kernel_size=3, padding=...),
#     ...,
#     nn.Conv2d(..., num_classes, kernel_size=1),
# )
# ```
#
# </details></details></details>
#
# **Part 3:** compute the scores of the version with a skip and store them in `output` ([B, num_classes, H, W])
#
# <details><summary>Hint 1</summary>
#
# The path is backbone1 -> backbone2; keep the output of backbone1 (the shallow part): you will use it again.
#
# <details><summary>Hint 2</summary>
#
# To be concatenated along the channels (`torch.cat(..., dim=1)`), the maps must have the same height and width: upsample the deep map with `F.interpolate` (bilinear) to the size of the shallow one; at the end, upsample the scores to (height, width).
#
# <details><summary>Skeleton (fill in the `...`)</summary>
#
# ```python
# shallow = ...
# deep = ...
# deep = F.interpolate(deep, size=..., mode="bilinear", align_corners=False)
# scores = self.classifier(...)
# output = ...
# ```
#
# </details></details></details>
#
# **Part 4:** compute the scores of the version without a skip and store them in `output` ([B, num_classes, H, W])
#
# <details><summary>Hint 1</summary>
#
# The scores come out of the classifier applied to the backbone's features: a map 1/32 the size of the image.
#
# <details><summary>Hint 2</summary>
#
# To upsample, use `F.interpolate` with `mode="bilinear"` and `align_corners=False`; the output size is that of the image, (height, width).
#
# <details><summary>Skeleton (fill in the `...`)</summary>
#
# ```python
# scores = ...  # [B, num_classes, H/32, W/32]
# output = F.interpolate(...)
# ```
#
# </details></details></details>

# %% [markdown]
# ### Checking your implementation
#
# The self-checks below create your network (without pretrained weights, so nothing is downloaded), pass
# images of various sizes through it and check the output shapes, the upsampling, the use of the skip
# connection and the passing on of the `pretrained` argument. First without a skip:

# %%
checks.check("vgg16-noskip");

# %% [markdown]
# And with a skip:

# %%
checks.check("vgg16-skip");

# %% [markdown]
# How many parameters does each variant have? Almost all of them are in the backbone (VGG16's 13 convolutions
# add up to about 14.7 M); the classifier is small.

# %%
# NBVAL_CHECK_OUTPUT
for skip in (False, "16s", "8s"):
    net = FCN_VGG16(args["n_classes"], pretrained=False, skip=skip)
    backbone_params, head_params = engine.backbone_and_head_parameters(net)
    n_backbone = sum(p.numel() for p in backbone_params)
    n_head = sum(p.numel() for p in head_params)
    print(f"skip={str(skip):>5}: {(n_backbone + n_head) / 1e6:5.2f} M parameters "
          f"(backbone {n_backbone / 1e6:5.2f} M, classifier {n_head / 1e6:4.2f} M)")
del net

# %% [markdown]
# ### Second part of exercise 6: the paper's head, summing scores
#
# With a skip, your `FCN_VGG16` **concatenates the features** of pool3 (or pool4) with the upsampled deep
# features and classifies the result. The paper does something else (§4.2): **each level predicts class
# scores**, and the scores are **summed** after being upsampled. Each of pool4 and pool3 gets just one
# $1\times1$ score convolution; pool5 first goes through `fc6`/`fc7` turned into convolutions and through
# `score_fr` (here, through a classifier like the one of your FCN-32s). In FCN-8s, the scores of pool5 are
# upsampled to the size of pool4 and added to the scores of pool4; the result is upsampled to the size of
# pool3 and added to the scores of pool3; finally, it is upsampled to the size of the image.

# %% [markdown]
# **Before you write, think and answer (reflection question B).** (1) How many parameters does the
# paper's head add, in its two skips, with 3 classes? And the concatenation of pool3 in your `FCN_VGG16`? (2)
# The paper initializes the `score_pool3` and `score_pool4` convolutions with **zeros**: what does the network
# predict at the start of training, and why is that a good idea? (3) Use Table 2 of the paper (in notebook
# 02) to work out how much FCN-16s gains over FCN-32s and how much FCN-8s gains over FCN-16s. Why does the
# second skip pay off less than the first?

# %% [markdown]
# _Write your answer here._

# %% [markdown]
# **The exercise.** Complete `FCN8s_VGG16_Sum`: the two $1\times1$ convolutions and the sums in `forward`. The
# self-check verifies that the output changes **linearly** with `score_pool3` and `score_pool4`, which only
# happens when the scores are summed (with no ReLU or any other layer after the sum).

# %%
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
        raise NotImplementedError("create the layers that give pool4 and pool3 their class scores: self.score_pool4 and self.score_pool3")
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
        raise NotImplementedError("combine the scores of pool5, pool4 and pool3 (FCN-8s) and store the result in `output`")
        return output


# %% [markdown]
# **Hints** (open one at a time, only when you need it: the next one appears inside the previous one)
#
# **Part 1:** create the layers that give pool4 and pool3 their class scores: self.score_pool4 and self.score_pool3
#
# <details><summary>Hint 1</summary>
#
# One score per class at each pixel, without looking at the neighbors: what kernel size does that?
#
# <details><summary>Hint 2</summary>
#
# The input channels are in `VGG16_CHANNELS`, indexed by the stride (16 for pool4, 8 for pool3); the output has num_classes channels.
#
# <details><summary>Skeleton (fill in the `...`)</summary>
#
# ```python
# self.score_pool4 = nn.Conv2d(..., ..., kernel_size=...)
# self.score_pool3 = ...
# ```
#
# </details></details></details>
#
# **Part 2:** combine the scores of pool5, pool4 and pool3 (FCN-8s) and store the result in `output`
#
# <details><summary>Hint 1</summary>
#
# Start with the scores of the classifier on pool5 and go up one level at a time: pool4, then pool3.
#
# <details><summary>Hint 2</summary>
#
# At each level, upsample the scores to the size of that level's map (`F.interpolate`, bilinear) and ADD that level's own scores (do not concatenate); at the end, upsample to (height, width).
#
# <details><summary>Skeleton (fill in the `...`)</summary>
#
# ```python
# scores = ...  # [B, C, H/32, W/32]
# scores = F.interpolate(scores, size=..., mode="bilinear", align_corners=False)
# scores = scores + ...
# ...  # the same for pool3
# output = ...
# ```
#
# </details></details></details>

# %%
checks.check("vgg16-scoresum");

# %%
# NBVAL_CHECK_OUTPUT
paper_head = FCN8s_VGG16_Sum(args["n_classes"])
concat_head = FCN_VGG16(args["n_classes"], pretrained=False, skip="8s")
print(f"score layers of the paper's head: "
      f"{thousands(sum(p.numel() for p in [*paper_head.score_pool3.parameters(), *paper_head.score_pool4.parameters()]))} "
      f"parameters")
print(f"whole networks: paper's FCN-8s {engine.count_parameters(paper_head) / 1e6:.2f} M, "
      f"concatenation FCN-8s {engine.count_parameters(concat_head) / 1e6:.2f} M")
del paper_head, concat_head

# %% [markdown]
# Compare with your answer to part (1) of question B: the two score layers add up to a few thousand
# parameters, while the concatenation puts the whole classifier on top of 256 + 512 channels. For the
# whole networks the order is reversed, but for another reason: in the paper's head, pool5 goes through a
# $3\times3$ classifier with 512 channels, much larger than the $1\times1$ classifier of the concatenation.

# %%
quiz.ask("pretrained-change")

# %% [markdown]
# ## Training FCN-VGG16
#
# Now the training, with the same pieces as in notebook 02: the `DataLoader`s from notebook 01, your
# criterion, your loss and your optimizer, and the function `engine.fit`, which alternates a training
# epoch with a validation epoch and saves the checkpoints.
#
# The configuration comes from `args`: in the `full` profile, a backbone **pretrained** on ImageNet and
# **with a skip connection** (`pretrained=True`, `skip=True`), as in the original course. This needs the
# VGG16 weights (`vgg16-397923af.pth`, about 530 MB), downloaded automatically the first time. Without
# internet access, creating the network stops with a message that explains where to put the file; if you
# prefer to train from scratch, use `args["pretrained"] = False` (and expect a much lower mIoU). In the
# `demo` and `smoke` profiles, the network is trained from scratch, with no download.

# %%
train_loader, val_loader = make_loaders(args)
print(f"batches per epoch: train {len(train_loader)}, val {len(val_loader)}")

criterion = make_criterion()


def loss_fn(outputs, labels):
    """The loss that engine.fit calls: your compute_loss with your criterion."""
    return compute_loss(outputs, labels, criterion)


# %% [markdown]
# As in notebook 02, the training run is saved in its own folder inside `runs/` (next to this notebook):
# `history.json` (the metrics of each epoch), `last.pt` (everything needed to resume training) and `best.pt`
# (the weights of the epoch with the best validation mIoU). If the session drops in the middle of training
# (it happens in Colab), create the network and the optimizer again and call `engine.fit(..., resume=True)`
# with the same folder: training picks up from the last saved epoch.

# %%
seed_everything(args["seed"])
net = FCN_VGG16(args["n_classes"], pretrained=args["pretrained"], skip=args["skip"]).to(args["device"])
optimizer = make_optimizer(net, args)
print(f"FCN_VGG16(pretrained={args['pretrained']}, skip={args['skip']}): "
      f"{thousands(engine.count_parameters(net))} parameters on {args['device']}")

runs_dir = args["runs_dir"]
run_dir = runs_dir / runs.run_name("vgg16", args["skip"], args["pretrained"])
print("run folder:", run_dir.resolve())

history = engine.fit(net, train_loader, val_loader, loss_fn, optimizer, args, run_dir=run_dir,
                     show=plots.show_epoch_predictions(args["classes"]))

# %% [markdown]
# ### Learning curves
#
# The training loss should fall epoch after epoch. The validation mIoU (without the background) is what
# matters: if it stops rising while the training loss keeps falling, the network has started to memorize
# the training set (overfitting).

# %%
plots.plot_history(history)

# %% [markdown]
# ### Predictions of the best model
#
# We load the weights of the best epoch (`best.pt`) and look at a few validation images: image, prediction
# and ground truth. The cell prints the mIoU(fg) of the best epoch and that of the last one: the first was
# chosen by looking at the validation set itself, and is therefore optimistic (notebook 05).

# %%
checkpoint = engine.load_checkpoint(runs.checkpoint_path(run_dir, "best"), net, map_location=args["device"])
print(f"best epoch: {checkpoint['epoch']}, val mIoU(fg) {checkpoint['metrics']['miou_fg']:.4f}")
print(f"last epoch: {history.val[-1]['epoch']}, val mIoU(fg) {history.val[-1]['miou_fg']:.4f}")

images, labels = next(iter(val_loader))
net.eval()
with torch.no_grad():
    predictions = net(images.to(args["device"])).argmax(dim=1).cpu()
plots.show_predictions(images, predictions, labels, classes=args["classes"])

# %% [markdown]
# ## Comparing with the FCN-AlexNet of notebook 02
#
# If you trained FCN-AlexNet in notebook 02 with the same settings, its history is saved in `runs/`. The
# cell below looks for that history and, if it finds it, draws the two validation mIoU curves side by side
# (if it does not, it just tells you so).
#
# Keep in mind that, in the `demo` profile, VGG16 trained with fewer images, smaller crops and a different
# learning rate than AlexNet (measured on a 2-core CPU, seed 0, best validation epoch: mIoU(fg) 0.654 for
# VGG16 with a skip, 0.724 for AlexNet with a skip): the comparison between backbones is not fair there, and in `smoke` (2 epochs) it says nothing. The
# systematic comparison, with the eight combinations of backbone, skip and pretraining, is the subject of notebook 05.

# %%
alexnet_history_path = runs.history_path(runs_dir / runs.run_name("alexnet", args["skip"], args["pretrained"]))
if alexnet_history_path.is_file():
    alexnet_history = engine.History.load(alexnet_history_path)
    figure, ax = plt.subplots(figsize=(6, 3.6))
    for name, run_history in (("FCN-AlexNet", alexnet_history), ("FCN-VGG16", history)):
        scores = [math.nan if value is None else value for value in run_history.values("val", "miou_fg")]
        ax.plot(run_history.values("val", "epoch"), scores, "o-", label=name)
        print(f"{name:<12} best val mIoU(fg) {run_history.best_miou():.4f} "
              f"(epoch {run_history.best_epoch()} of {len(run_history)})")
    ax.set(xlabel="epoch", ylabel="validation mIoU(fg)", title=f"{run_dir.name} against AlexNet")
    ax.grid(alpha=0.3)
    ax.legend()
    plt.show()
else:
    print(f"No FCN-AlexNet history at {alexnet_history_path}: run the training of notebook 02 "
          "with the same settings to compare.")

# %% [markdown]
# ## Challenge (optional, extra): how much arithmetic does each network do?
#
# For those who want to go further: the challenge is not graded, and the rest of the notebook runs without it.
#
# A training step of FCN-VGG16 took about 21 times as long as one of FCN-AlexNet, and the number of
# parameters does not explain it (look back at the quick quiz earlier in the notebook). Measure the real
# cost: write `count_multiply_adds(features, side)`, which returns how many **multiply-adds** the
# `nn.Conv2d` layers of `features` perform for an input of `side`×`side` pixels. For each output position
# and each output channel, a convolution performs (input channels / groups) × (kernel area)
# multiply-adds. Leave the biases, the ReLUs and the pooling layers out of the count, but not out of the
# size: the pooling layers shrink the map that the following convolutions receive. The self-check uses the
# `features` of AlexNet and of VGG16 at $224\times224$ and a test network at $97\times97$.
#
# To go further: what is the VGG16/AlexNet ratio, and how does it compare with the 21 times measured? Which
# layer of VGG16 costs the most, and why?

# %%
def count_multiply_adds(features, side):
    """Multiply-adds of the Conv2d layers of `features` for a side x side input (biases, ReLU and pooling
    left out of the count; pooling still shrinks the map the next convolutions see)."""
    raise NotImplementedError("follow the side of the map layer by layer and add up the multiply-adds of each convolution")


# %% [markdown]
# **Hints** (open one at a time, only when you need it: the next one appears inside the previous one)
#
# <details><summary>Hint 1</summary>
#
# The side of the map changes at each `nn.Conv2d` and at each `nn.MaxPool2d`, by the formula ⌊(n + 2p − d(k − 1) − 1)/s⌋ + 1 from notebook 02; the other layers leave it unchanged.
#
# <details><summary>Hint 2</summary>
#
# Once you have the output side of a convolution, add side² × out_channels × (in_channels / groups) × kernel area; the attributes of the layer (`kernel_size`, `stride`...) may be tuples (height, width).
#
# <details><summary>Skeleton (fill in the `...`)</summary>
#
# ```python
# total = ...
# for ...:  # each layer of features
#     ...  # ignore the layers that do not change the size
#     side = ...
#     ...  # for a convolution, add its count to total
# return ...
# ```
#
# </details></details></details>

# %%
checks.check("multiply-adds");

# %% [markdown]
# ## Summary
#
# * VGG16 has 13 $3\times3$ convolutions in 5 blocks; pool3, pool4 and pool5 have strides 8, 16 and 32
#   and 256, 512 and 512 channels.
# * FCN-VGG16 uses the same recipe as FCN-AlexNet: `features` as the backbone, a classifier made only of
#   convolutions, bilinear upsampling; with a skip, `features` is cut at pool3 (FCN-8s) or at pool4
#   (FCN-16s) and the two outputs are concatenated.
# * In the paper, replacing AlexNet with VGG16 took the mean IU (mIoU) from 39.8 to 56.0; in exchange,
#   each training iteration costs much more (on a 2-core CPU, about 21 times more: 2.81 s against
#   0.132 s).
# * Your optimizer and your loss came from notebook 02 through `load_definitions`: the code stays in one
#   place.
#
# In **notebook 05**, you will compare the eight variants in a controlled way: AlexNet or VGG16, with or
# without a skip, pretrained or from scratch.

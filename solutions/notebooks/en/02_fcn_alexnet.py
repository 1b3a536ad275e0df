# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# [![Open in Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/fcn-course/fcn-course/blob/main/notebooks/en/02_fcn_alexnet.ipynb)

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
# <!-- generated from solutions/notebooks/02_fcn_alexnet.py and solutions/locale/en/02_fcn_alexnet.po; edit those files, then run python -m fcn_course.instructor build -->
# # 02 · FCN with AlexNet
#
# Keep this at hand: the [quick reference](referencia.md) gathers shapes, formulas and a glossary of the terms
# used in this course. In Colab the link above does not open (there the notebook stands alone, without the other
# files of the course): use the [same page on GitHub](https://github.com/fcn-course/fcn-course/blob/main/notebooks/en/referencia.md),
# which is the file `notebooks/en/referencia.md` of the repository.
#
# In notebook 01 we prepared the data and the metrics. Now we build and train our first
# **Fully Convolutional Network**, with AlexNet as the backbone: the network that won the ImageNet
# classification challenge in 2012 (ILSVRC 2012, ImageNet Large Scale Visual Recognition Challenge).
#
# The paper we follow is Long, Shelhamer and Darrell, *Fully Convolutional Networks for Semantic
# Segmentation*, CVPR 2015 ([arXiv:1411.4038](https://arxiv.org/abs/1411.4038)). When the text cites
# "the paper" with a section (§4.3, for example), it uses the numbering of that arXiv version.
#
# **By the end of this notebook you can**
#
# 1. show, with a short calculation, that a fully connected layer is a convolution as large as the feature
#    map, and explain why this lets the network return a map of scores instead of a single label;
# 2. state the stride and the receptive field of each AlexNet cut that the FCN uses (pool1, pool2, pool5) and
#    compute them from the layers' `kernel_size`, `stride`, `padding` and `dilation`;
# 3. compute the standard deviation of a layer's Kaiming initialisation and show what happens to the
#    activations when the weights start too small or too large;
# 4. write the FCN-AlexNet without skip connections (**Exercise 1**) and with them (**Exercise 2**) and
#    make both pass their self-checks;
# 5. build the optimiser for the four cases pretrained × skip, and the per-pixel loss that ignores void
#    (**Exercise 3**);
# 6. train the network and explain every number that training prints (loss, mIoU(fg), time per epoch).
#
# Each code exercise is followed by a self-check cell (`checks.…`) that tells you, in English, what is
# right and what is still missing.
#
# **How long it takes.**
#
# * **Study time: ~95 min**: reading carefully (about 40 min), running the cells, doing Exercises
#   1 to 3 and waiting for training (about 1 min in the `demo` profile). It fits in a 100-minute class.
#   Transposed convolution and the losses for imbalanced classes, which used to be here, now have their own
#   notebook, 03.
# * **Machine time**: training is what takes time. In the `demo` profile, on a 2-core CPU, each epoch of
#   FCN-AlexNet takes about 3.5 s (12 epochs: under a minute) and the whole notebook, self-checks included,
#   a little over 1 minute (70 s measured). In the `full` profile there are 50 epochs on VOC: see the
#   "Time budget" table in `README.md` (on a GPU like Colab's, not measured yet).

# %% [markdown]
# ## Setup
#
# The same settings as in notebook 01: hyperparameters, device and `DataLoader`s. The output of the cell
# says which profile is running (`full`, `demo` or `smoke`; see notebook 01).

# %%
import time
from pathlib import Path

import matplotlib.pyplot as plt
import torch
import torch.nn.functional as F
from torch import nn
from torchvision import models

from fcn_course import checks, plots, quiz, runs
from fcn_course.backbones import (ALEXNET_CHANNELS, ALEXNET_STRIDE8_END, ALEXNET_STRIDE16_END, bilinear_kernel,
                                  initialize_weights, load_alexnet)
from fcn_course.config import course_args, seed_everything
from fcn_course.data import make_loaders, prepare_data
from fcn_course.engine import count_parameters, fit

# %%
# %matplotlib inline

args = course_args()
seed_everything(args["seed"])

print("device:", args["device"])
prepare_data(args)  # says which profile runs, and writes the synthetic dataset when it needs one
print({key: args[key] for key in ("epoch_num", "classes", "pretrained", "skip", "lr", "batch_size",
                                  "h_size", "w_size")})

train_loader, val_loader = make_loaders(args)

# %% [markdown]
# ## One label per image, one label per pixel
#
# A **classification** CNN gives **one label for the whole image** ("this photo shows a bus").
# In **semantic segmentation** we want **one label per pixel**: this is a **dense prediction** (the term
# the paper uses). The output of the network is no longer a vector of $C$ scores but a tensor
# $[B, C, H, W]$: for each pixel, one score per class. A `softmax` over axis 1 gives the probability
# distribution of the classes at each pixel, and an `argmax` over the same axis gives the label map $[B, H, W]$.

# %% [markdown]
# ## From a classification CNN to an FCN
#
# A classic CNN (AlexNet, VGG) has two parts:
#
# * **convolutional and pooling layers** (`model.features`): they extract features; the spatial
#   resolution drops (224 → 6 in AlexNet) and the number of channels grows;
# * **fully connected layers** (FC, `model.classifier`): they flatten the feature map into a vector and
#   produce one score per class. By flattening, the network **throws away the spatial layout**, and the first
#   FC layer only accepts a vector of a fixed size (in AlexNet, $256\times6\times6 = 9216$ numbers).
#
# A detail of torchvision: in its AlexNet and VGG16, the image does not need a fixed size.
# Between `features` and `classifier` there is an `nn.AdaptiveAvgPool2d`. It reduces a map of any size to
# $6\times6$ in AlexNet and to $7\times7$ in VGG16; if the map is smaller, it repeats positions. Even so,
# the output is still **one** vector of scores for the whole image. Adaptive pooling solves the size
# problem, but it does not give back the spatial layout.
#
# Long, Shelhamer and Darrell (CVPR 2015) observed that an FC layer is just a convolution whose filter
# covers the whole feature map. Replace the FC layers with **convolutions** and the network becomes **fully
# convolutional**: it accepts images of any size and produces a **map** of scores, one per region of the
# image. All that is left is to upsample this map to the size of the image.

# %%
plots.cnn_to_fcn_diagram()

# %% [markdown]
# Let's see this in numbers: an FC layer on AlexNet's $256\times6\times6$ features (9216
# inputs, 10 outputs) and a $6\times6$ convolution with **the same weights** give the same scores. But the
# convolution also works on a larger feature map, and then it returns a map of scores.

# %%
# NBVAL_CHECK_OUTPUT
torch.manual_seed(0)
fc = nn.Linear(256 * 6 * 6, 10)
conv = nn.Conv2d(256, 10, kernel_size=6)
with torch.no_grad():
    conv.weight.copy_(fc.weight.view(10, 256, 6, 6))  # each output of the FC layer becomes one 256x6x6 filter
    conv.bias.copy_(fc.bias)

    features = torch.randn(1, 256, 6, 6)
    fc_scores = fc(features.flatten(start_dim=1))
    conv_scores = conv(features)
    print("FC scores:  ", tuple(fc_scores.shape))
    print("conv scores:", tuple(conv_scores.shape))
    print("same values:", torch.allclose(fc_scores, conv_scores.flatten(start_dim=1), atol=1e-5))

    bigger = torch.randn(1, 256, 12, 16)  # the features of a larger image
    print("conv on 256x12x16 features:", tuple(conv(bigger).shape), "-> a 7x11 map of scores")
    print("the FC layer would need exactly", fc.in_features, "inputs, but got", bigger[0].numel())

# %% [markdown]
# ## Transfer learning
#
# Learning the convolutional layers of an AlexNet or a VGG16 from scratch is expensive: that is what was
# done on **ImageNet** (1.2 million images), with a lot of GPU time. The layers that come out of that
# training already know how to detect edges, textures and object parts, and this is useful for any task
# with photos. Transfer learning means reusing this knowledge: the FCN's backbone starts with the ImageNet
# weights and only the new classifier starts random (with PyTorch's default initialisation; Kaiming
# initialisation, explained before Exercises 1 and 2, is applied when the whole network is trained from scratch).
#
# During training, the new classifier has to change a lot; the backbone only needs fine-tuning. A common
# choice, and the one this course makes (inherited from the original course), is to give the pretrained
# backbone a **10 times smaller** learning rate (`lr × 0.1`), so that large updates do not spoil what we
# wanted to reuse. It is a design choice, not a rule: the FCN paper fine-tunes **all** layers with the same
# rate (SGD with momentum 0.9, batches of 20 images, a fixed rate of $10^{-4}$ for FCN-VGG16 and twice
# that for the biases; §4.3, "Optimization"). In notebook 05 you will see that this choice gets mixed up
# with the effect of pretraining.
#
# The FCN authors did not train from scratch: they write that it is "not feasible" given the **time**
# needed to learn the base classification networks (§4.3, "Fine-tuning"), and they always start from
# pretrained networks. The reason they give is computation time, not the amount of data. In our case
# there is also little data (the subset has a few hundred training images, notebook 01); in
# notebook 05 we will measure how much difference pretraining makes.
#
# `load_alexnet(pretrained=True)` loads the ImageNet weights (downloading them the first time);
# `pretrained=False` creates the network with random weights, without going online.

# %% [markdown]
# ## Inside AlexNet
#
# Our FCN uses only the `features` part of AlexNet: 5 convolutions and 3 max-pooling layers.

# %%
alexnet_features = load_alexnet(pretrained=False).features
print(alexnet_features)

# %% [markdown]
# Let's pass a fake $224\times224$ image through the layers one at a time and look at the spatial size
# after each one. The right-hand column is just the ratio between 224 and the side of the map. It is **not**
# the stride: convolutions and pooling layers without padding lose a few pixels at the borders, so the map
# is a bit smaller than $224/\text{stride}$ and the ratio is not a whole number (4.1, 8.3, 17.2, 37.3).

# %%
# NBVAL_CHECK_OUTPUT
x = torch.zeros(1, 3, 224, 224)
with torch.no_grad():
    for index, layer in enumerate(alexnet_features):
        x = layer(x)
        note = ""
        if index + 1 == ALEXNET_STRIDE8_END:
            note = '  <- end of backbone1 for "8s" (features[:3])'
        elif index + 1 == ALEXNET_STRIDE16_END:
            note = '  <- end of backbone1 for "16s" (features[:6])'
        elif index + 1 == len(alexnet_features):
            note = "  <- end of the backbone (pool5)"
        print(f"{index:2d} {type(layer).__name__:<10} {str(list(x.shape)):<18} 224/{x.shape[-1]} = "
              f"{224 / x.shape[-1]:4.1f}{note}")
print("channels at each stride:", ALEXNET_CHANNELS)

# %% [markdown]
# ### Stride and receptive field, computed
#
# The **cumulative stride** of a map is the distance, in input pixels, between two neighbouring positions
# of that map: the product of the strides of all the layers up to that point. The **receptive field** is the
# side of the window of the input image that one position of the map depends on. For each layer $l$ with
# kernel $k_l$, stride $s_l$ and dilation $d_l$, starting from $S_0 = r_0 = 1$ (an input pixel sees
# itself):
#
# $$ r_l = r_{l-1} + d_l\,(k_l - 1)\,S_{l-1}, \qquad S_l = S_{l-1}\,s_l . $$
#
# (A kernel of side $k$ with dilation $d$ reaches $d\,(k-1)$ positions beyond the first one in the previous
# map, and neighbouring positions of that map are $S_{l-1}$ input pixels apart.) The cell below applies
# these two formulas to the `kernel_size`, `stride`, `padding` and `dilation` attributes of the layers of
# `features` in torchvision's AlexNet and VGG16 (`weights=None`: nothing is downloaded) and prints a
# line each time the stride grows.

# %%
# NBVAL_CHECK_OUTPUT
def first(value):
    """Layer settings may be an int or an (h, w) tuple; our layers are square, so take the first."""
    return value[0] if isinstance(value, tuple) else value


def stride_and_receptive_field(features, input_size=224):
    """Walk a `features` Sequential; yield (index, layer, map size, stride, receptive field) where the stride grows.

    map size: side of the output for a square input of `input_size` pixels;
    stride: input pixels between two neighbouring positions of the map (the product of the strides so far);
    receptive field: side, in input pixels, of the window that one position of the map depends on.
    """
    stride, field, size = 1, 1, input_size
    for index, layer in enumerate(features):
        if not isinstance(layer, (nn.Conv2d, nn.MaxPool2d)):
            continue  # ReLU and Dropout change neither the size, the stride nor the receptive field
        kernel, step = first(layer.kernel_size), first(layer.stride)
        padding, dilation = first(layer.padding), first(layer.dilation)
        field += dilation * (kernel - 1) * stride  # the kernel's taps are `stride` input pixels apart
        size = (size + 2 * padding - dilation * (kernel - 1) - 1) // step + 1
        stride *= step
        if step > 1:
            yield index, layer, size, stride, field


layer_names = {"AlexNet": ("conv1", "pool1", "pool2", "pool5"),
               "VGG16": ("pool1", "pool2", "pool3", "pool4", "pool5")}
for name, net in (("AlexNet", models.alexnet(weights=None)), ("VGG16", models.vgg16(weights=None))):
    print(f"{name + ', 224x224':<22}{'map':>8}{'224/map':>9}{'stride':>8}{'receptive field':>17}")
    rows = stride_and_receptive_field(net.features)
    for layer_name, (index, layer, size, stride, field) in zip(layer_names[name], rows):
        print(f"  {layer_name} = features[{index:2d}]{f'{size}x{size}':>8}{224 / size:9.1f}{stride:8d}{field:14d} px")

# %% [markdown]
# The strides are exact: 4, 8, 16 and 32 in AlexNet, as in VGG16. Each position of AlexNet's pool5
# depends on a $195\times195$ pixel window, almost the whole image; in VGG16, on a $212\times212$ one.
# (This is the theoretical receptive field: for positions near the border, part of that window falls in the padding.)
#
# We care about three cut points:
#
# * after **pool1** (`features[:3]`): 64 channels at $27\times27$, stride 8, receptive field of 19
#   pixels;
# * after **pool2** (`features[:6]`): 192 channels at $13\times13$, stride 16, receptive field of 67
#   pixels;
# * after **pool5** (the output of `features`): 256 channels at $6\times6$, stride 32, receptive field
#   of 195 pixels.
#
# The constants `ALEXNET_STRIDE8_END = 3` and `ALEXNET_STRIDE16_END = 6` in `fcn_course.backbones` hold
# these indices, and `ALEXNET_CHANNELS` holds the channels. Note that an image smaller than 63 pixels
# does not survive the reductions: FCN-AlexNet refuses inputs smaller than that.

# %%
quiz.ask("stride-32")

# %% [markdown]
# ## Back to the resolution of the image: bilinear interpolation
#
# The output of the backbone has $6\times6$ positions, but we want a class for each of the $224\times224$
# pixels. The simplest way to upsample a map is **bilinear interpolation**: each new pixel is a
# weighted average of the 4 nearest neighbours in the small map, with weights that depend on the distance.
# Unlike "nearest neighbour", which produces blocks, the result changes smoothly. In PyTorch:
# `F.interpolate(x, size=(H, W), mode="bilinear", align_corners=False)`. (The original course used
# `F.upsample`, which is deprecated.)

# %%
plots.bilinear_demo()

# %% [markdown]
# In the paper, upsampling is done by **transposed convolutions** (`nn.ConvTranspose2d`) with the weights
# of bilinear interpolation, but each one is treated differently:
#
# * the **intermediate** layers, which upsample the scores 2× before each sum with a skip (in
#   FCN-16s and FCN-8s), are **initialised** with bilinear interpolation and then **learned** during
#   training;
# * the **final** layer, which upsamples to the size of the image (×32, ×16 or ×8), stays **fixed** at
#   bilinear interpolation: its weights are not trained.
#
# This course uses `F.interpolate` in both places, that is, only fixed bilinear interpolation (what a
# transposed convolution computes inside is left for notebook 03). The function
# `bilinear_kernel` in `fcn_course.backbones` creates the weights of a transposed convolution that performs
# this same interpolation. Let's check (away from the borders, where the transposed convolution does not
# have enough neighbours):

# %%
# NBVAL_CHECK_OUTPUT
torch.manual_seed(0)
factor = 2
upsample = nn.ConvTranspose2d(3, 3, kernel_size=2 * factor, stride=factor, padding=factor // 2, bias=False)
with torch.no_grad():
    upsample.weight.copy_(bilinear_kernel(3, 3, 2 * factor))
    scores = torch.randn(1, 3, 8, 8)
    learned = upsample(scores)
    fixed = F.interpolate(scores, scale_factor=factor, mode="bilinear", align_corners=False)
inner = (slice(None), slice(None), slice(factor, -factor), slice(factor, -factor))
print("shapes:", tuple(learned.shape), tuple(fixed.shape))
print("equal away from the borders:", torch.allclose(learned[inner], fixed[inner], atol=1e-5))

# %% [markdown]
# ## Where to upsample?
#
# The original exercise asked you to interpolate AlexNet's **features** ($256\times6\times6$) up to
# $256\times224\times224$ and only then apply the classifier. It works, but it is expensive: the classifier
# then runs on 50 thousand positions instead of 36. We measured one training iteration (forward + backward,
# a batch of 8 images of 224×224, on a 2-core CPU) with a classifier made of a single
# $1\times1$ convolution (256 → 3 channels): **0.10 s** classifying at the resolution of the features and
# interpolating the scores, against **0.89 s** interpolating the 256 feature channels first. With the
# $3\times3$ classifier of the next cell, the difference would be much larger: 0.021 against 29.6 GMAC
# per image, as the cell prints. (GMAC: billions of multiply-accumulate operations, the computation
# $a \leftarrow a + w\,x$ that a convolution is made of; 1 GMAC is $10^9$ of them.)
#
# So in this course the classifier runs at the resolution of the features, and we interpolate the **class
# scores** (which have only $C$ channels). This is also what the paper does. And if the classifier is a
# **single** $1\times1$ convolution, the order does not even change the result: the $1\times1$ convolution
# only mixes the channels of each pixel, and bilinear interpolation only mixes neighbouring positions of each
# channel; both are linear (and the interpolation weights sum to 1, so the bias passes through unchanged),
# hence they commute. With ReLUs or $3\times3$ convolutions in between, the two orders give different
# networks (equally valid), and we keep the cheaper one.

# %%
# NBVAL_CHECK_OUTPUT
torch.manual_seed(0)
features = torch.randn(1, 256, 7, 7)
score_layer = nn.Conv2d(256, 3, kernel_size=1)
with torch.no_grad():
    classify_then_upsample = F.interpolate(score_layer(features), size=(224, 224), mode="bilinear",
                                           align_corners=False)
    upsample_then_classify = score_layer(F.interpolate(features, size=(224, 224), mode="bilinear",
                                                       align_corners=False))
difference = (classify_then_upsample - upsample_then_classify).abs().max().item()
print("shapes:", tuple(classify_then_upsample.shape), tuple(upsample_then_classify.shape))
print("max difference below 1e-4:", difference < 1e-4)

# Multiply-accumulate operations of a classifier "3x3 conv 256->256, then 1x1 conv 256->3" per image.
macs_per_position = 256 * 256 * 3 * 3 + 256 * 3
for side in (6, 224):
    print(f"classifier on a {side}x{side} map: {side * side * macs_per_position / 1e9:7.3f} GMAC")

# %%
quiz.ask("conv-replaces-fc")

# %% [markdown]
# ## Skip connections
#
# An FCN without shortcuts bets that all the spatial information it needs survives down to the
# $6\times6$ map, and then upsamples that map 32 times: this is **FCN-32s**. Contours come out blurred, and
# small objects vanish. The FCN paper itself proposed **skip connections**: bring the features of a
# **shallow** layer (with a higher resolution) to the classifier as well.
#
# * **FCN-16s**: combines the prediction made at the end of the backbone with a prediction made from
#   **pool4** (stride 16);
# * **FCN-8s**: also adds a prediction made from **pool3** (stride 8).
#
# (The names pool3/pool4 come from VGG16, the network used in the paper. In AlexNet, which has fewer pooling
# layers, the equivalents are pool1, with stride 8, and pool2, with stride 16: exactly the same strides,
# as the table computed above showed.)
#
# Why do they help?
#
# 1. **Spatial detail**: the deep layers know *what* is in the image, the shallow ones know *where* the
#    edges are; the classifier now sees both, and the final map is sharper.
# 2. **Gradients with a shorter path**: the gradient reaches the shallow layers through a shortcut, without
#    going through the whole network. The paper does not make this argument (its motivation is item 1), but
#    it is an effect you will meet again in U-Nets and ResNets.
#
# The two diagrams below use AlexNet's sizes for a $224\times224$ input: conv1
# $55\times55$, pool1 $27\times27$, pool2 $13\times13$ and pool5 $6\times6$. Without skip (FCN-32s), the
# classifier predicts on a $6\times6$ map, which is upsampled to $224\times224$. With skip (FCN-8s
# style), the pool5 features are upsampled from $6\times6$ to $27\times27$ and concatenated with those of
# pool1; the scores come out at $27\times27$ and are upsampled to $224\times224$.

# %%
plots.fcn_diagram(skip=False, backbone="alexnet")

# %%
plots.fcn_diagram(skip=True, backbone="alexnet")

# %%
quiz.ask("skip-adds")

# %% [markdown]
# The paper's figures, in *mean IU* (*mean intersection over union*: the paper's name for the mIoU
# of notebook 01, the mean of the IoUs of the 21 classes, in %). Table 1 is in §4.1 of the paper and
# Table 2 in §4.2:
#
# | Model | mean IU | Set |
# |---|---|---|
# | FCN-AlexNet | 39.8 | VOC2011 val (Table 1) |
# | FCN-VGG16 | 56.0 | VOC2011 val (Table 1) |
# | FCN-32s-fixed (only the last layer trained; the rest frozen) | 45.4 | seg11valid (Table 2) |
# | FCN-32s | 59.4 | seg11valid (Table 2) |
# | FCN-16s | 62.4 | seg11valid (Table 2) |
# | FCN-8s | 62.7 | seg11valid (Table 2) |
#
# Be careful when you read the two tables together: FCN-VGG16 in Table 1 (56.0) and FCN-32s in Table 2 (59.4)
# are **the same network**; the caption of Table 2 says that FCN-32s is FCN-VGG16 "renamed". The 3.4-point
# difference comes from two changes of protocol, not from the architecture:
#
# * **more training data**: the extra annotations of SBD (Semantic Boundaries Dataset, Hariharan et
#   al., 2011), with 11,355 images, 8,498 for training and 2,857 for validation; the paper trains on the 8,498;
# * **a different validation set**: seg11valid, 736 images of the VOC 2011 validation set that are not in
#   SBD's training set (footnote 7 of the paper).
#
# The "fixed" row shows that fine-tuning the backbone is worth much more than training only the
# last layer. Do not expect these figures in the course: we use 3 classes, fewer images, fewer epochs and
# a different way of combining the branches. What the table says about backbones and skip connections is
# for you to work out in notebooks 04 and 05, where there are questions about it.
#
# ### Concatenate or sum?
#
# The paper **sums class scores**, not features (§4.2). Each branch produces $C$ channels of scores:
#
# * pool5 goes through VGG16's former fully connected layers, turned into convolutions
#   (`fc6`, $7\times7$, and `fc7`, $1\times1$), and then through a $1\times1$ score convolution
#   (`score_fr`);
# * pool4 and pool3 each get just a $1\times1$ score convolution (`score_pool4`,
#   `score_pool3`).
#
# These score maps are summed after being upsampled (and cropped) to the same size.
#
# In this course, as in the original one, **we concatenate features** along the channel axis: the shallow
# features and the deep ones (upsampled to the size of the shallow ones) become a single tensor, and the
# classifier learns to combine them. Practical consequence: **the first layer of the classifier must accept
# $C_{shallow} + C_{deep}$ input channels**. Both variants are valid; in notebook 04 you
# also write the paper's.

# %%
# NBVAL_CHECK_OUTPUT
shallow = torch.randn(8, 64, 27, 27)  # pool1 of AlexNet ("8s")
deep = torch.randn(8, 256, 6, 6)      # pool5
deep_up = F.interpolate(deep, size=shallow.shape[-2:], mode="bilinear", align_corners=False)
fused = torch.cat([shallow, deep_up], dim=1)  # dim=1 is the channel axis of [B, C, H, W]
print("shallow:", tuple(shallow.shape))
print("deep upsampled:", tuple(deep_up.shape))
print("concatenated:", tuple(fused.shape), "-> 64 + 256 =", 64 + 256, "channels")

first_classifier_layer = nn.Conv2d(64 + 256, 128, kernel_size=1)  # must expect C_skip + C_deep channels
print("after the first classifier layer:", tuple(first_classifier_layer(fused).shape))

# The paper's alternative: class scores from each path (C channels each), then a sum.
num_classes = 3
summed = (nn.Conv2d(64, num_classes, kernel_size=1)(shallow)
          + F.interpolate(nn.Conv2d(256, num_classes, kernel_size=1)(deep), size=(27, 27), mode="bilinear",
                          align_corners=False))
print("paper-style sum of scores:", tuple(summed.shape))

# %% [markdown]
# ## Weight initialisation (Kaiming)
#
# The `FCN_AlexNet` class of Exercises 1 and 2 ends with `initialize_weights(self)` when
# `pretrained=False`. What does that line do, and why?
#
# When a layer is trained **from scratch** (without ImageNet weights), its weights start random. But
# not just any random: if the weights are too small, the signal shrinks at every layer until it vanishes; if
# they are too large, it explodes. In both cases the gradients also vanish or explode, and the network
# does not learn.
#
# Consider a layer with $n_{in}$ inputs per neuron (its fan-in; in a $k\times k$ convolution
# with $C_{in}$ channels, $n_{in} = C_{in}\,k^2$), followed by a ReLU. Since the ReLU sets half of the
# values to zero, it halves the second moment of the signal. He et al. (2015) showed that, to compensate
# and keep the variance of the activations roughly constant from layer to layer, it is enough to draw
# the weights from
#
# $$ w \sim \mathcal{N}\!\left(0,\ \sigma^2\right), \qquad \sigma = \sqrt{\frac{2}{n_{in}}} .$$
#
# This is **Kaiming initialisation** (or He initialisation; He, Zhang, Ren and Sun, *Delving Deep into
# Rectifiers*, 2015, [arXiv:1502.01852](https://arxiv.org/abs/1502.01852)). The function `initialize_weights`
# in `fcn_course.backbones` applies it to every convolution and linear layer of a module (and sets the
# biases, the `bias` attribute, to zero). Let's check it on a $3\times3$ convolution with 256 input channels:

# %%
# NBVAL_CHECK_OUTPUT
torch.manual_seed(0)
layer = nn.Conv2d(in_channels=256, out_channels=256, kernel_size=3)
initialize_weights(layer)

fan_in = layer.in_channels * layer.kernel_size[0] * layer.kernel_size[1]
expected_std = (2 / fan_in) ** 0.5
measured_std = layer.weight.std().item()
print(f"fan_in = 256 * 3 * 3 = {fan_in}")
print(f"expected std sqrt(2 / fan_in) = {expected_std:.4f}")
print(f"measured std / expected std   = {measured_std / expected_std:.2f}")
print(f"all biases are zero: {bool((layer.bias == 0).all())}")


# %% [markdown]
# Why does this matter? Let's stack 15 layers (linear + ReLU) and measure the standard deviation of the
# activations after each one, comparing Kaiming initialisation with weights drawn with a fixed standard
# deviation of 0.01 (too small) and of 0.1 (too large).

# %%
def activation_stds(init, depth=15, width=256, seed=0):
    """Std of the activations after each Linear+ReLU layer of a deep stack initialised with `init`."""
    torch.manual_seed(seed)
    x = torch.randn(1024, width)
    stds = []
    for _ in range(depth):
        layer = nn.Linear(width, width)
        init(layer)
        x = torch.relu(layer(x))
        stds.append(x.std().item())
    return stds


def fixed_std_init(std):
    """Normal weights with a fixed std and zero bias, ignoring the fan-in."""
    def init(layer):
        nn.init.normal_(layer.weight, std=std)
        nn.init.zeros_(layer.bias)
    return init


with torch.no_grad():
    results = {
        "Kaiming": activation_stds(initialize_weights),
        "std 0.01": activation_stds(fixed_std_init(0.01)),
        "std 0.1": activation_stds(fixed_std_init(0.1)),
    }
print("layer " + "".join(f"{name:>12}" for name in results))
for depth in (1, 5, 10, 15):
    print(f"{depth:5d} " + "".join(f"{stds[depth - 1]:12.2e}" for stds in results.values()))

# %% [markdown]
# With Kaiming, the standard deviation stays in the same order of magnitude from start to end. With 0.01 it
# shrinks about 10× per layer (after 15 layers, practically zero); with 0.1 it grows at every layer.
# That is why every FCN trained from scratch in this course calls `initialize_weights`. When the
# backbone comes pretrained, its weights are already good and are **not** reinitialised; the new
# classifier then keeps PyTorch's default initialisation.

# %% [markdown]
# ## Exercises 1 and 2: the FCN-AlexNet
#
# Complete the class `FCN_AlexNet(num_classes, pretrained=False, skip=False)` in the cell below. The
# signature, the attribute names and the final `initialize_weights` are already there; complete the
# parts that raise `NotImplementedError`.
#
# **Exercise 1: without skip connections** (`skip=False`, an FCN-32s)
#
# * `self.backbone`: AlexNet's convolutional layers, `load_alexnet(pretrained).features`. Always
#   use `load_alexnet(pretrained)`: it respects the `pretrained` argument and, if the weights cannot
#   be obtained, explains how to fix it.
# * `self.classifier`: an `nn.Sequential` **with convolutions only** (and ReLU/Dropout, if you like), taking
#   256 channels and ending with `num_classes` channels. No `nn.Linear`!
# * `forward`: backbone → classifier → `F.interpolate(..., size=x.shape[-2:], mode="bilinear",
#   align_corners=False)`. Interpolate to the size **of the input** (not to a fixed 224): the network must
#   work with any size, rectangular ones included.
#
# **Exercise 2: with skip connections** (`skip=True`, which means `"8s"`, or `skip="16s"`)
#
# * `self.backbone1`: AlexNet's features up to pool1 (`features[:ALEXNET_STRIDE8_END]`, for
#   `"8s"`) or up to pool2 (`features[:ALEXNET_STRIDE16_END]`, for `"16s"`);
# * `self.backbone2`: the rest of the features;
# * `self.classifier`: convolutions only, and the first one takes `ALEXNET_CHANNELS[8] + ALEXNET_CHANNELS[32]`
#   channels (or `ALEXNET_CHANNELS[16] + ALEXNET_CHANNELS[32]`). Since it runs at a higher resolution,
#   prefer light layers ($1\times1$);
# * `forward`: `shallow = backbone1(x)`, `deep = backbone2(shallow)`, upsample `deep` to the size of
#   `shallow`, concatenate along the channels (`torch.cat(..., dim=1)`), apply the classifier and upsample
#   the scores to the size of `x`.
#
# Only the parts whose name starts with `backbone` get ImageNet weights: that is how the optimiser (and the
# library) tells what belongs to the backbone.

# %% tags=["include:solutions/fcn_alexnet.py"]
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
            ### BEGIN SOLUTION: create self.backbone1, self.backbone2 and self.classifier for the version with skip
            ### DICA: The convolutional layers that `load_alexnet` provides form an `nn.Sequential`: sliced with `[:i]` and `[i:]`, they give two parts that, run one after the other, do the same as the whole.
            ### DICA: In '8s' the cut is at the end of pool1 (`ALEXNET_STRIDE8_END`), in '16s' at the end of pool2 (`ALEXNET_STRIDE16_END`); the classifier takes the channels of the shallow part plus those of the deep part (see `ALEXNET_CHANNELS`) and ends with num_classes channels.
            ### ESQUELETO: features = ...
            ### ESQUELETO: split, shallow_channels = ..., ...  # depend on self.skip
            ### ESQUELETO: self.backbone1 = ...
            ### ESQUELETO: self.backbone2 = ...
            ### ESQUELETO: self.classifier = nn.Sequential(...)  # 1x1 convolutions, ReLU, Dropout2d
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
            ### BEGIN SOLUTION: create self.backbone and self.classifier for the version without skip
            ### DICA: The backbone is just the convolutional layers of the network: look at what `load_alexnet` returns (`print(load_alexnet(False))`) and at which attribute holds those layers.
            ### DICA: The classifier replaces the fully connected layers with convolutions: a 3x3 one that keeps the size of the map, ReLU, Dropout2d and a 1x1 one that ends with num_classes channels; the input channels are in `ALEXNET_CHANNELS[32]`.
            ### ESQUELETO: self.backbone = ...
            ### ESQUELETO: self.classifier = nn.Sequential(
            ### ESQUELETO:     nn.Conv2d(..., ..., kernel_size=3, padding=...),
            ### ESQUELETO:     ...,
            ### ESQUELETO:     nn.Conv2d(..., num_classes, kernel_size=1),
            ### ESQUELETO: )
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
            ### BEGIN SOLUTION: compute the scores for the version with skip and store them in `output` ([B, num_classes, H, W])
            ### DICA: The path is backbone1 -> backbone2; keep the output of backbone1 (the shallow part): you will use it again.
            ### DICA: To concatenate along the channels (`torch.cat(..., dim=1)`) the maps must have the same height and width: upsample the deep map with `F.interpolate` (bilinear) to the size of the shallow one; at the end, upsample the scores to (height, width).
            ### ESQUELETO: shallow = ...
            ### ESQUELETO: deep = ...
            ### ESQUELETO: deep = F.interpolate(deep, size=..., mode="bilinear", align_corners=False)
            ### ESQUELETO: scores = self.classifier(...)
            ### ESQUELETO: output = ...
            shallow = self.backbone1(x)  # [B, 64, H/8, W/8] ("8s") or [B, 192, H/16, W/16] ("16s")
            deep = self.backbone2(shallow)  # [B, 256, H/32, W/32]
            deep = F.interpolate(deep, size=shallow.shape[-2:], mode="bilinear", align_corners=False)
            scores = self.classifier(torch.cat([shallow, deep], dim=1))
            output = F.interpolate(scores, size=(height, width), mode="bilinear", align_corners=False)
            ### END SOLUTION
        else:
            ### BEGIN SOLUTION: compute the scores for the version without skip and store them in `output` ([B, num_classes, H, W])
            ### DICA: The scores come from the classifier applied to the features of the backbone: a map 1/32 the size of the image.
            ### DICA: To upsample, use `F.interpolate` with `mode="bilinear"` and `align_corners=False`; the output size is that of the image, (height, width).
            ### ESQUELETO: scores = ...  # [B, num_classes, H/32, W/32]
            ### ESQUELETO: output = F.interpolate(...)
            scores = self.classifier(self.backbone(x))  # [B, num_classes, H/32, W/32]
            output = F.interpolate(scores, size=(height, width), mode="bilinear", align_corners=False)
            ### END SOLUTION

        return output

# %%
checks.check("alexnet-noskip");

# %%
checks.check("alexnet-skip");

# %% [markdown]
# Let's look at the two networks and at the output size for a batch of images of the size we will use:

# %%
from fcn_course.messages import thousands  # 3060547 -> "3,060,547", grouped as the notebook's language writes it

for skip in (False, True):
    net = FCN_AlexNet(args["n_classes"], pretrained=False, skip=skip)
    with torch.no_grad():
        out = net(torch.zeros(2, 3, args["h_size"], args["w_size"]))
    print(f"skip={skip}: output {tuple(out.shape)}, {thousands(count_parameters(net))} parameters")
print(net)

# %% [markdown]
# ## Exercise 3: optimiser and loss function
#
# ### The optimiser
#
# Complete `make_optimizer(net, args)` for the **four cases** (`pretrained` × `skip`). The case
# "pretrained without skip" is already written and serves as a model:
#
# * always **Adam**, with `lr=args["lr"]`, `weight_decay=args["weight_decay"]` and
#   `betas=(args["momentum"], 0.999)` (the course's "momentum" is Adam's $\beta_1$);
# * **pretrained** backbone: the parameters of the backbone (`net.backbone`, or `net.backbone1` and
#   `net.backbone2`) in one group with `lr = args["lr"] * 0.1`; `net.classifier` with the normal `lr`;
# * **from scratch**: all the parameters with the same `lr` (there is no prior knowledge to preserve).
#
# ### The loss function
#
# Segmentation is pixel classification, so the loss is the **cross-entropy**, applied to each pixel
# as if it were one classification example:
#
# * `make_criterion()` returns `nn.CrossEntropyLoss(ignore_index=255)`: the void pixels do not count;
# * `compute_loss(outputs, labels, criterion)` takes the scores `[B, C, H, W]` and the labels
#   `[B, H, W]`, flattens the scores to `[B·H·W, C]` (one row per pixel, one column per class; use
#   `permute` to move the classes to the end before the `reshape`) and the labels to `[B·H·W]`, and
#   applies the criterion.
#
# (PyTorch's `CrossEntropyLoss` also accepts `[B, C, H, W]` directly; here we flatten to make it
# explicit that each pixel is one example, as the original course asked.)

# %% tags=["include:solutions/training.py"]
"""Loss and optimiser for training the FCNs (course exercise)."""

from torch import nn, optim


def make_criterion():
    """Cross-entropy over the pixels; void pixels (label 255, object borders) are ignored."""
    ### BEGIN SOLUTION: create the loss function for classifying each pixel and store it in `criterion`
    ### DICA: Each pixel is a classification problem among C classes: the loss is PyTorch's cross-entropy (`torch.nn`).
    ### DICA: Border pixels have label 255 ('void') and must not count: look in the documentation of that loss for the argument that ignores a label.
    ### ESQUELETO: criterion = nn.CrossEntropyLoss(...)
    criterion = nn.CrossEntropyLoss(ignore_index=255)
    ### END SOLUTION
    return criterion


def compute_loss(outputs, labels, criterion):
    """Loss of a batch: outputs [B, C, H, W] (class scores), labels [B, H, W] (class indices).

    Each pixel is one classification example, so both are flattened: outputs -> [B*H*W, C] and
    labels -> [B*H*W], as in image classification (one row per example, one column per class).
    """
    ### BEGIN SOLUTION: compute the mean loss over the pixels of the batch and store it in `loss`
    ### DICA: The `criterion` accepts scores [N, C] and labels [N]: treat each pixel of the batch as one sample (N = B*H*W).
    ### DICA: Move the class axis to the end with `permute` before the `reshape(-1, C)`: a direct `reshape` of [B, C, H, W] would mix up the scores of different pixels.
    ### ESQUELETO: num_classes = ...
    ### ESQUELETO: outputs_flat = ...  # [B*H*W, C]
    ### ESQUELETO: labels_flat = ...  # [B*H*W]
    ### ESQUELETO: loss = criterion(..., ...)
    num_classes = outputs.shape[1]
    outputs_flat = outputs.permute(0, 2, 3, 1).reshape(-1, num_classes)  # [B, H, W, C] -> [B*H*W, C]
    labels_flat = labels.reshape(-1)  # [B*H*W]
    loss = criterion(outputs_flat, labels_flat)
    ### END SOLUTION
    return loss


def make_optimizer(net, args):
    """Adam for the four cases of the exercise (pretrained or not, with skip connections or not).

    A pretrained backbone already knows useful features, so it is fine-tuned with a 10x smaller
    learning rate than the new classifier. From scratch, every layer uses args['lr'].
    """
    if args['pretrained']:
        if args['skip']:
            # Skip Connections + pretrained.
            ### BEGIN SOLUTION: create the Adam optimiser for the version with skip and a pretrained backbone and store it in `optimizer`
            ### DICA: Compare with the case without skip just below: Adam accepts a list of groups `{'params': ..., 'lr': ...}`, and a group without 'lr' uses the general lr.
            ### DICA: Here there are two pretrained parts, backbone1 and backbone2, both with a 10 times smaller lr; the classifier uses the lr from `args`.
            ### ESQUELETO: optimizer = optim.Adam([{'params': ..., 'lr': ...},
            ### ESQUELETO:                         ...],
            ### ESQUELETO:                        lr=..., weight_decay=..., betas=...)
            optimizer = optim.Adam(
                [
                    {'params': net.backbone1.parameters(), 'lr': args['lr'] * 0.1},
                    {'params': net.backbone2.parameters(), 'lr': args['lr'] * 0.1},
                    {'params': net.classifier.parameters()},
                ],
                lr=args['lr'],
                weight_decay=args['weight_decay'],
                betas=(args['momentum'], 0.999),
            )
            ### END SOLUTION

        else:
            # No Skip Connections + pretrained.
            optimizer = optim.Adam(
                [
                    {'params': net.backbone.parameters(), 'lr': args['lr'] * 0.1},
                    {'params': net.classifier.parameters()},
                ],
                lr=args['lr'],
                weight_decay=args['weight_decay'],
                betas=(args['momentum'], 0.999),
            )
    else:
        if args['skip']:
            # Skip Connections + from scratch.
            ### BEGIN SOLUTION: create the Adam optimiser for the network trained from scratch and store it in `optimizer`
            ### DICA: From scratch there is no pretrained backbone to preserve: all the layers learn at the same pace.
            ### DICA: A single group is enough, `net.parameters()`; lr, weight_decay and betas come from `args`, as in the pretrained case just above.
            ### ESQUELETO: optimizer = optim.Adam(..., lr=..., weight_decay=..., betas=...)
            optimizer = optim.Adam(
                net.parameters(), lr=args['lr'], weight_decay=args['weight_decay'], betas=(args['momentum'], 0.999)
            )
            ### END SOLUTION

        else:
            # No Skip Connections + from scratch.
            ### BEGIN SOLUTION: create the Adam optimiser for the network trained from scratch and store it in `optimizer`
            ### DICA: From scratch there is no pretrained backbone to preserve: all the layers learn at the same pace.
            ### DICA: A single group is enough, `net.parameters()`; lr, weight_decay and betas come from `args`, as in the pretrained case just above.
            ### ESQUELETO: optimizer = optim.Adam(..., lr=..., weight_decay=..., betas=...)
            optimizer = optim.Adam(
                net.parameters(), lr=args['lr'], weight_decay=args['weight_decay'], betas=(args['momentum'], 0.999)
            )
            ### END SOLUTION

    return optimizer

# %%
checks.check("optimizer");

# %%
checks.check("loss");

# %% [markdown]
# Before spending epochs on training, a quick test of your three pieces together (model, optimiser and
# loss): a few iterations on a single easy batch, where the loss has to go down.

# %%
checks.check("training");

# %% [markdown]
# ## Training
#
# ### The network
#
# We create the network with the settings in `args` (in the `full` profile: pretrained, with skip).
#
# With `pretrained=True`, the library needs AlexNet's ImageNet weights
# (`alexnet-owt-7be5be79.pth`, about 230 MB). It looks for them in this order: in the folder (or file)
# given by the environment variable `FCN_COURSE_WEIGHTS`; in the torch hub cache
# (`~/.cache/torch/hub/checkpoints/`); and, last, it tries to download them. If nothing works, you will see a
# `PretrainedWeightsError` listing what was tried and where to put the file. Without internet, just
# copy the file into one of those folders (or use `pretrained=False`, knowing that the mIoU will be lower).
# The library **never** silently swaps pretrained weights for random ones.

# %%
seed_everything(args["seed"])
net = FCN_AlexNet(args["n_classes"], pretrained=args["pretrained"], skip=args["skip"]).to(args["device"])
print(f"FCN_AlexNet(pretrained={args['pretrained']}, skip={args['skip']}): "
      f"{thousands(count_parameters(net))} parameters on {args['device']}")

# %% [markdown]
# ### Optimiser, loss and the training loop
#
# The epoch loop lives in `fcn_course.engine.fit`. It is the original course's `train()`/`validate()` pair,
# rewritten so that the numbers can be trusted: one confusion matrix per epoch (notebook
# 01), void pixels ignored, a stop with an explanation if the loss becomes `NaN`, checkpoints and mixed
# precision on the GPU. What it does **not** do is your work: it takes your network, your
# optimiser and a function `loss_fn(outputs, labels)` built with your `compute_loss`.
#
# `run_dir` holds the history (`history.json`) and the checkpoints `last.pt` (to resume an interrupted
# training run: call `fit(..., resume=True)` with the same `run_dir`) and `best.pt` (the weights of the epoch
# with the best validation mIoU). Every `show_freq` epochs, `fit` shows the predictions on the first
# validation batch.

# %% [markdown]
# ### How to read what training prints
#
# For each epoch, one training line and one validation line, as in the original course:
#
# * **mean loss ± standard deviation** (`loss … +/- …`): the mean of the loss over the batches of the epoch,
#   and how much it varied from one batch to the next. The training loss should go down; if the validation
#   loss stops going down (or goes up) while the training loss keeps going down, the network has started to
#   memorise the training set (overfitting).
# * **mIoU(fg)**: the mIoU **without the background** (bus and person), computed with a single confusion
#   matrix over all the pixels of the epoch, as we saw in notebook 01. It is the main number; the validation
#   one is the one that counts.
# * **time** (`time …s`): the seconds spent on the epoch (useful to estimate how long the 50 epochs will take).
#
# At the end, `fit` reports the best validation mIoU(fg) and the epoch in which it occurred. The history
# also keeps, per epoch, the mIoU with the background, the IoU and the Dice of each class, and the pixel accuracy.

# %%
optimizer = make_optimizer(net, args)
criterion = make_criterion()


def loss_fn(outputs, labels):
    """The loss the engine calls on every batch."""
    return compute_loss(outputs, labels, criterion)


run_dir = Path(args["runs_dir"]) / runs.run_name("alexnet", args["skip"], args["pretrained"])
print("run folder:", run_dir.resolve())

tic = time.perf_counter()
history = fit(net, train_loader, val_loader, loss_fn, optimizer, args, run_dir=run_dir,
              show=plots.show_epoch_predictions(args["classes"]))
print(f"training took {time.perf_counter() - tic:.0f} s")

# %% [markdown]
# **What to expect.** In the `demo` profile (synthetic VOC, 12 epochs, from scratch), the best validation
# mIoU(fg) measured on a 2-core CPU was between 0.716 and 0.724 over three seeds (with seed 0,
# the best epoch was the 11th of 12). The predictions in the last figure already look like segmentations:
# whole buses, separate people. The cell after the curves prints both measures of your training run, that of
# the **last** epoch and that of the **best** one; notebook 05 explains why the best one is optimistic. In
# `smoke` (2 epochs), the numbers only show that everything works. On the real VOC (`full` profile,
# pretrained), expect a similar curve but different numbers, which this course has not measured yet.

# %%
plots.plot_history(history)

# %%
last = history.val[-1]
print(f"validation after epoch {last['epoch']}:")
print(f"  mIoU (fg) {last['miou_fg']:.4f} | mIoU (all) {last['miou']:.4f} | pixel accuracy {last['pixel_acc']:.4f}")
for name, iou, dice in zip(args["classes"], last["iou"], last["dice"]):
    print(f"  {name:<12} IoU {iou:.4f}  Dice {dice:.4f}")
print(f"best validation mIoU (fg): {history.best_miou():.4f} at epoch {history.best_epoch()}")

# %% [markdown]
# ### Predictions
#
# Finally, the predictions of the trained network on the first validation batch: image, prediction and
# ground truth (void in beige).

# %%
images, labels = next(iter(val_loader))
net.eval()
with torch.no_grad():
    outputs = net(images.to(args["device"]))
plots.show_predictions(images, outputs.argmax(dim=1).cpu(), labels, classes=args["classes"])

# %% [markdown]
# ## Challenge (optional, extra): the smallest input size
#
# If you want to go further: the challenge is not graded, and the rest of the notebook runs without it.
#
# FCN-AlexNet refuses images less than 63 pixels on a side. Where does that number come from? Write
# `min_input_size(features)`: it takes an `nn.Sequential` of layers (like `models.alexnet().features`) and
# returns the **smallest side** $n$ of an $n\times n$ input for which every layer produces a non-empty
# output. Do the calculation with the size formula, without running the network: a layer with kernel $k$,
# stride $s$, padding $p$ and dilation $d$ turns a side $n$ into $\lfloor (n + 2p - d(k-1) - 1)/s \rfloor + 1$,
# and the output is empty when $n + 2p < d(k-1) + 1$. The self-check uses the `features` of AlexNet and
# VGG16 and a test network with padding and dilation.
#
# Going further: why does a 63-pixel image give a map of only $1\times1$ at pool5, if the receptive
# field of a pool5 position is 195 pixels?

# %%
def min_input_size(features):
    """The smallest side n of an n x n input for which every Conv2d and MaxPool2d of `features` gives a
    non-empty output (the size formula, without running the network)."""
    ### BEGIN SOLUTION: go through the layers from the last to the first, computing the smallest side each one must receive
    ### DICA: Start from the end: the last layer must produce at least 1 position. What is the smallest input side that gives an output of side m?
    ### DICA: Inverting the formula: to produce side m, a layer needs an input of side (m − 1)·s + d·(k − 1) + 1 − 2p (and never less than 1). Apply this layer by layer, from back to front, with the function `first` from the stride section.
    ### ESQUELETO: side = 1
    ### ESQUELETO: layers = ...  # only Conv2d and MaxPool2d change the size
    ### ESQUELETO: for ...:  # from the last layer to the first
    ### ESQUELETO:     kernel, step = ...
    ### ESQUELETO:     padding, dilation = ...
    ### ESQUELETO:     side = ...
    ### ESQUELETO: return ...
    side = 1  # the last layer must give at least one position
    layers = [layer for layer in features if isinstance(layer, (nn.Conv2d, nn.MaxPool2d))]
    for layer in reversed(layers):
        kernel, step = first(layer.kernel_size), first(layer.stride)
        padding, dilation = first(layer.padding), first(layer.dilation)
        side = max(1, (side - 1) * step + dilation * (kernel - 1) + 1 - 2 * padding)
    return side
    ### END SOLUTION


# %%
checks.check("min-input-size");

# %% [markdown]
# ## Summary
#
# * An FCN reuses the convolutions of a classification CNN, replaces the FC layers with
#   convolutions and upsamples the scores with bilinear interpolation to the size of the image.
# * AlexNet's cuts have an exact stride of 8 (pool1), 16 (pool2) and 32 (pool5); the receptive field of
#   pool5 is 195 pixels (212 in VGG16).
# * In this course, the backbone pretrained on ImageNet is fine-tuned with a 10× smaller learning rate;
#   this is a common choice, not the paper's, which fine-tunes all layers with the same rate (§4.3).
# * Classifying at the resolution of the features and upsampling the scores is much cheaper than upsampling
#   the features; if the classifier is a single $1\times1$ convolution, both orders give the same
#   result.
# * Skip connections bring spatial detail from the shallow layers; when concatenating, the next layer receives
#   $C_{shallow} + C_{deep}$ channels.
# * Layers trained from scratch start with Kaiming: $\sigma = \sqrt{2/n_{in}}$ keeps the signal stable
#   through the ReLUs.
# * The loss is the per-pixel cross-entropy, ignoring void: `[B, C, H, W] → [B·H·W, C]`.
# To experiment: change `args` (for example `course_args(skip=False)` or `course_args(skip="16s")`) and
# train again.
#
# **Next.** Your network still upsamples its maps with a fixed computation and treats all pixels the same. In
# **notebook 03** you replace the interpolation with a layer that learns to upsample, and tackle the imbalance
# between the background and the objects (Exercises 4 and 5). Then, in **notebook 04**, the same recipe with
# VGG16, and in **notebook 05** the comparison of all the combinations.

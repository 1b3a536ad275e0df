# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# [![Open in Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/fcn-course/fcn-course/blob/main/notebooks/en/03_upsampling_e_perdas.ipynb)

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
# <!-- generated from solutions/notebooks/03_upsampling_e_perdas.py and solutions/locale/en/03_upsampling_e_perdas.po; edit those files, then run python -m fcn_course.instructor build -->
# # 03 · Learned upsampling and imbalanced classes (Exercises 4 and 5)
#
# Keep it at hand: the [quick reference](referencia.md) gathers shapes, formulas and a glossary of the
# terms used in this course. In Colab the link above does not open (there the notebook is on its own,
# without the course's other files): use the [same page on GitHub](https://github.com/fcn-course/fcn-course/blob/main/notebooks/en/referencia.md),
# which is the file `notebooks/en/referencia.md` of the repository.
#
# In notebook 02 you built and trained FCN-AlexNet. It upsamples its maps with `F.interpolate`, a fixed
# computation, and it treats every pixel the same in the loss. Here we change both of these choices.
#
# First, the upsampling. We replace the interpolation with a layer that has weights, the **transposed
# convolution**. You will compute its output by hand, see where the name comes from, and work out on
# your own which kernel upsamples the image by exactly the right amount.
#
# Then, the imbalance. The background covers most of the pixels. We look at two ways to give the rare
# classes more of a say: class weights and the Dice loss.
#
# **By the end of this notebook you can**
#
# 1. compute by hand the output of a transposed convolution and its size, with and without padding;
# 2. explain why it is called "transposed", by writing the convolution as a matrix;
# 3. predict when the checkerboard pattern appears and explain its cause;
# 4. derive the kernel and the padding that upsample a map exactly $s$ times, for even and odd $s$, and
#    build the layer that starts out bilinear (**Exercise 4**);
# 5. compute class weights by median frequency balancing and write the Dice loss without counting
#    void pixels (**Exercise 5**).
#
# **How long it takes.**
#
# * **Study time: ~70 min**: reading carefully (about 25 min), doing the calculations by hand along with
#   the cells, solving exercises 4 and 5, and writing the prediction and question A. It fits in a
#   100-minute class, with time to spare for the derivation in exercise 4.
# * **Machine time**: this notebook trains no network. With the `demo` profile it should run in about
#   20 s on a 2-core CPU (an estimate, not a measurement: this material used to be part of notebook 02).
#   Notebook 05 is where the effect of these choices on training is measured.

# %% [markdown]
# ## Setup
#
# The same settings as in the previous notebooks: hyperparameters, device and `DataLoader`s. The cell's
# output says which profile is running (`full`, `demo` or `smoke`; see notebook 01).

# %%
import torch
import torch.nn.functional as F
from torch import nn

from fcn_course import checks, plots, quiz
from fcn_course.backbones import ALEXNET_CHANNELS, bilinear_kernel
from fcn_course.config import course_args, seed_everything
from fcn_course.data import make_loaders, prepare_data
from fcn_course.definitions import load_definitions
from fcn_course.engine import count_parameters
from fcn_course.messages import thousands  # 3060547 -> "3,060,547", grouped as the notebook's language writes it

# %%
# %matplotlib inline

args = course_args()
seed_everything(args["seed"])

print("device:", args["device"])
prepare_data(args)  # says which profile runs, and writes the synthetic dataset when it needs one
train_loader, val_loader = make_loaders(args)

# %% [markdown]
# ### Your FCN-AlexNet, from notebook 02
#
# Exercise 4 replaces one part of **your** `FCN_AlexNet`. You do not need to copy the class here: the
# function `load_definitions` reads the file `02_fcn_alexnet.ipynb` (in the same folder as this notebook)
# and runs only the cells that define things. Nothing is trained again. If you fix the class in notebook
# 02, save it and run this cell again.

# %%
FCN_AlexNet = load_definitions("02_fcn_alexnet.ipynb", names=["FCN_AlexNet"])["FCN_AlexNet"]
print("loaded from 02_fcn_alexnet.ipynb: FCN_AlexNet")

# %% [markdown]
# ## Transposed convolution: upsampling with weights
#
# So far, every upsampling in the course has been `F.interpolate`, an operation without weights.
# Exercise 4 replaces one of these interpolations with a layer that has weights, the **transposed
# convolution** (`nn.ConvTranspose2d`). First, let's see what it computes, with numbers small enough to
# check by hand.
#
# ### A worked example by hand
#
# The rule, for a $k\times k$ kernel and stride $s$, without padding: each input pixel $x_{ij}$ leaves a
# "stamp" on the output, a copy of the kernel multiplied by $x_{ij}$, with its top-left corner at
# position $(s\,i,\ s\,j)$. Where two stamps land on the same pixel, their values add up.
#
# Take the $2\times2$ input, the $3\times3$ kernel and the stride below:
#
# $$ X = \begin{bmatrix} 1 & 2\\ 3 & 4 \end{bmatrix}, \qquad
#    K = \begin{bmatrix} 0 & 1 & 0\\ 1 & 2 & 1\\ 0 & 1 & 0 \end{bmatrix}, \qquad s = 2. $$
#
# The four stamps are $1\cdot K$ in rows 0 to 2 and columns 0 to 2, $2\cdot K$ in rows 0 to 2 and
# columns 2 to 4, $3\cdot K$ in rows 2 to 4 and columns 0 to 2, and $4\cdot K$ in rows 2 to 4 and
# columns 2 to 4. So the output has $5\times5$ pixels. Since $k = 3$ is larger than $s = 2$,
# neighbouring stamps overlap in row 2 and in column 2:
#
# * pixel (1, 2) lies in the last column of the stamp of $x_{00} = 1$ (weight $K_{1,2} = 1$) and in the
#   first column of the stamp of $x_{01} = 2$ (weight $K_{1,0} = 1$): $1\cdot1 + 2\cdot1 = 3$;
# * by the same calculation, pixel (3, 2) is $3 + 4 = 7$, pixel (2, 1) is $1 + 3 = 4$ and pixel (2, 3)
#   is $2 + 4 = 6$;
# * the central pixel (2, 2) is a corner of all four stamps, and the corners of $K$ are 0: the sum is 0.
#
# Every other pixel gets a single stamp; for example, pixel (1, 1) is $1\cdot K_{1,1} = 2$ and pixel
# (3, 3) is $4\cdot K_{1,1} = 8$. The result:
#
# $$ Y = \begin{bmatrix} 0 & 1 & 0 & 2 & 0\\ 1 & 2 & 3 & 4 & 2\\ 0 & 4 & 0 & 6 & 0\\
#                         3 & 6 & 7 & 8 & 4\\ 0 & 3 & 0 & 4 & 0 \end{bmatrix}. $$
#
# The cell below does the same calculation with `F.conv_transpose2d` and with an `nn.ConvTranspose2d`
# layer (in the layer, the weight has the shape `[input channels, output channels, k, k]`).

# %%
# NBVAL_CHECK_OUTPUT
def print_grid(name, tensor):
    """Print a small 2-D map [1, 1, H, W] as rows of integers."""
    print(name)
    for row in tensor[0, 0].round().int().tolist():
        print("   ", " ".join(f"{value:3d}" for value in row))


small_input = torch.tensor([[1.0, 2.0],
                            [3.0, 4.0]]).view(1, 1, 2, 2)
small_kernel = torch.tensor([[0.0, 1.0, 0.0],
                             [1.0, 2.0, 1.0],
                             [0.0, 1.0, 0.0]]).view(1, 1, 3, 3)

stamped = F.conv_transpose2d(small_input, small_kernel, stride=2)
print_grid("F.conv_transpose2d(X, K, stride=2):", stamped)

layer = nn.ConvTranspose2d(1, 1, kernel_size=3, stride=2, bias=False)
with torch.no_grad():
    layer.weight.copy_(small_kernel)
    print("the nn.ConvTranspose2d layer gives the same map:", torch.equal(layer(small_input), stamped))

# %% [markdown]
# ### The output size
#
# Along one axis, the last stamp starts at position $(n_{in} - 1)\,s$ and covers $k$ pixels. Without
# padding, then, the output has $(n_{in} - 1)\,s + k$ pixels: in the example, $(2 - 1)\cdot 2 + 3 = 5$.
# In a transposed convolution, the `padding` $p$ does not add zeros: it **crops** $p$ pixels from each
# side of this full output. The `output_padding`, on the other hand, adds pixels on one side only (at
# the bottom and on the right). Putting it all together (this is the formula in the PyTorch
# documentation, with dilation 1):
#
# $$ n_{out} = (n_{in} - 1)\,s - 2p + k + \texttt{output\_padding}. $$
#
# What is `output_padding` for? A convolution with a stride greater than 1 takes different sizes to the
# same size: with $k = 3$, $s = 2$ and $p = 1$, inputs of 5 and of 6 pixels both become 3. The
# transposed convolution, which goes the way back, needs to know which of the two sizes you want:
# without `output_padding`, $(3 - 1)\cdot2 - 2 + 3 = 5$; with `output_padding=1`, 6.
#
# For FCNs, the goal is to upsample exactly $s$ times. With an even $s$, kernel $k = 2s$ and $p = s/2$,
# the formula gives $(n_{in} - 1)\,s - s + 2s = s\,n_{in}$: this is the layer we checked against
# `F.interpolate` in notebook 02, in the section on bilinear interpolation ($k = 4$, $s = 2$, $p = 1$:
# from 8 to 16 pixels). In exercise 4 you will use the formula for an odd factor too.

# %%
# NBVAL_CHECK_OUTPUT
def transposed_output_size(n_in, kernel, stride, padding=0, output_padding=0):
    """Side of the output of a transposed convolution (dilation 1), as in PyTorch's documentation."""
    return (n_in - 1) * stride - 2 * padding + kernel + output_padding


for n_in, kernel, stride, padding, output_padding in [(2, 3, 2, 0, 0), (2, 3, 2, 1, 0), (3, 3, 2, 1, 0),
                                                      (3, 3, 2, 1, 1), (8, 4, 2, 1, 0)]:
    measured = F.conv_transpose2d(torch.ones(1, 1, n_in, n_in), torch.ones(1, 1, kernel, kernel),
                                  stride=stride, padding=padding, output_padding=output_padding)
    print(f"n_in={n_in} k={kernel} s={stride} p={padding} output_padding={output_padding}: "
          f"formula {transposed_output_size(n_in, kernel, stride, padding, output_padding)}, "
          f"PyTorch {measured.shape[-1]}")

for n_in in (5, 6):
    shrunk = F.conv2d(torch.ones(1, 1, n_in, n_in), torch.ones(1, 1, 3, 3), stride=2, padding=1)
    print(f"the convolution k=3 s=2 p=1 takes {n_in} pixels to {shrunk.shape[-1]}")

print_grid("padding=1 crops one pixel from each side of Y:",
           F.conv_transpose2d(small_input, small_kernel, stride=2, padding=1))

# %%
quiz.ask("transposed-size")

# %% [markdown]
# ### Why "transposed": the convolution as a matrix
#
# A convolution is a linear operation, and every linear operation is a multiplication by a matrix. In
# one dimension, with kernel $w = (w_0, w_1, w_2)$ and stride 2, an input of 5 numbers becomes an output
# of 2, with $y_0 = w_0 x_0 + w_1 x_1 + w_2 x_2$ and $y_1 = w_0 x_2 + w_1 x_3 + w_2 x_4$. In matrix form:
#
# $$ y = C\,x, \qquad C = \begin{bmatrix} w_0 & w_1 & w_2 & 0 & 0\\ 0 & 0 & w_0 & w_1 & w_2 \end{bmatrix}. $$
#
# The matrix $C$ has shape $2\times5$: it **reduces** 5 numbers to 2. Its transpose $C^\top$ has shape
# $5\times2$ and goes the opposite way, from 2 numbers to 5. Each column of $C^\top$ is the kernel,
# shifted down 2 positions from one column to the next, so $C^\top y$ is the sum of the stamps
# $y_0\,w$ and $y_1\,w$: exactly the rule of the example above. Hence the name: with the same kernel and
# the same stride, the transposed convolution multiplies by $C^\top$ (this is the point of view of the
# book *Dive into Deep Learning*, §14.10, <https://d2l.ai/chapter_computer-vision/transposed-conv.html>).
#
# Two caveats:
#
# * $C^\top$ gives back the **size** of the convolution's input, not its **values**: in general
#   $C^\top C\,x \ne x$. The name "deconvolution", which the FCN paper also uses (§3.3), is misleading:
#   this layer does not undo a convolution.
# * Multiplying by $C^\top$ is also what the backward pass of a convolution does to carry the gradient
#   from the output back to the input. That is why the paper calls the operation "backwards
#   convolution".
#
# The cell below builds $C$ column by column (column $j$ is the convolution applied to the vector that
# has 1 at position $j$ and 0 everywhere else) and checks both claims; then it does the same with the
# 2-D example above.

# %%
# NBVAL_CHECK_OUTPUT
def convolution_matrix(conv, input_shape):
    """The matrix C of a linear map `conv` (a function of one tensor): column j is conv(e_j), flattened."""
    size = torch.Size(input_shape).numel()
    basis = torch.eye(size).view(size, *input_shape)  # e_0, e_1, ... as inputs of shape input_shape
    return torch.stack([conv(e).flatten() for e in basis], dim=1)


w_1d = torch.tensor([1.0, 2.0, 3.0]).view(1, 1, 3)
C = convolution_matrix(lambda e: F.conv1d(e.view(1, 1, -1), w_1d, stride=2), (5,))
print("C (2x5):", C.int().tolist())

y_1d = torch.tensor([1.0, 10.0])
transposed_1d = F.conv_transpose1d(y_1d.view(1, 1, 2), w_1d, stride=2).flatten()
print("C^T y:                        ", (C.T @ y_1d).int().tolist())
print("F.conv_transpose1d(y, w, s=2):", transposed_1d.int().tolist())

# The gradient that flows back through the convolution is C^T times the gradient of its output.
x_1d = torch.randn(5, requires_grad=True)
(F.conv1d(x_1d.view(1, 1, 5), w_1d, stride=2).flatten() * y_1d).sum().backward()
print("backward of conv1d is C^T y too:", torch.allclose(x_1d.grad, C.T @ y_1d))

# The same in 2-D: the convolution (k=3, stride 2) maps 5x5 to 2x2, so C is 4x25.
C2 = convolution_matrix(lambda e: F.conv2d(e.view(1, 1, 5, 5), small_kernel, stride=2), (5, 5))
print("2-D example: C is", tuple(C2.shape), "and C^T X equals Y:",
      torch.equal((C2.T @ small_input.flatten()).view(1, 1, 5, 5), stamped))

# %% [markdown]
# ## Exercise 4: learned upsampling
#
# So far, the network upsamples its maps with `F.interpolate(..., mode="bilinear")`, a **fixed**
# operation: it has no weights. The FCN paper uses the **transposed convolution** from the previous
# section (`nn.ConvTranspose2d`), with stride $s$, which upsamples the map $s$ times and *has* weights
# (§3.3). If the kernel is a bilinear "tent", the layer performs bilinear interpolation (away from the
# borders); if the weights are trained, the upsampling can learn to respect object boundaries. In the
# paper, the intermediate 2× upsamplings start out bilinear and are learned, and the last upsampling (up
# to the size of the image) stays fixed (§4.2).

# %% [markdown]
# **Prediction (before you run it).** A transposed convolution with kernel $k$ and stride $s$ copies each
# input pixel, multiplied by the kernel, into a $k\times k$ window of the output; the windows of
# neighbouring pixels are $s$ pixels apart and overlap. The figure below applies three layers with
# stride 2 to a **constant** image: (a) the $4\times4$ bilinear kernel; (b) a $3\times3$ kernel with all
# weights equal; (c) a $4\times4$ kernel drawn at random. Which of them do you expect to return a
# constant image, and why? Write your prediction in the cell below, and only then run the cell with the
# figure.

# %% [markdown]
# ### BEGIN SOLUTION
# Only (a). Each output pixel sums some of the kernel's weights, and which weights depends on the
# pixel's position within the period of $s$ pixels (its "phase"). The output is constant only when these
# sums are equal for all phases. In (b), with $k = 3$ and $s = 2$, one phase gets two weights and the
# other gets one: uneven overlap, checkerboard. In (c), each phase gets two weights, but randomly drawn
# weights almost never add up to the same value: checkerboard too. The bilinear tent is designed so that
# the sums are equal.
# ### END SOLUTION

# %%
plots.checkerboard_demo(factor=2)

# %% [markdown]
# Compare with your prediction. The bilinear kernel keeps the image constant; the other two produce
# **checkerboard artifacts**: a periodic texture that is not in the image.
#
# The calculation behind it, in one dimension: with a constant input equal to 1, away from the borders,
# the output pixel in phase $p$ ($p = 0, \dots, s-1$) receives the sum of the kernel weights
# $w_p + w_{p+s} + w_{p+2s} + \dots$. The output is constant when this sum is the same in every phase.
# There are two ways to fail:
#
# * **uneven overlap**: when $k$ is not a multiple of $s$, the phases receive different numbers of
#   weights. The uniform kernel (b) sums to 2 in one phase and to 1 in the other;
# * **uneven weights**: even with $k$ a multiple of $s$, an arbitrary kernel, like the random one (c)
#   or one learned in training, has no reason to sum to the same value in every phase.
#
# The bilinear tent of size $2s$ sums to the same value in every phase, and so does the one of size
# $2s-1$. In other words, "$k$ a multiple of $s$" is not the rule: what matters is the sum per phase.
# The cell below does the calculation for one row of each kernel. This is the analysis of Odena,
# Dumoulin and Olah, *Deconvolution and Checkerboard Artifacts* (Distill, 2016,
# <https://distill.pub/2016/deconv-checkerboard/>).

# %%
def tent(size, stride):
    """1-D bilinear weights (a "tent") of a kernel with `size` taps that upsamples `stride` times.

    `bilinear_kernel` builds its 2-D kernel as this tent times itself (rows x columns).
    """
    center = (size - 1) / 2
    return torch.tensor([1 - abs(i - center) / stride for i in range(size)])


def phase_sums(taps, stride):
    """Sum of the kernel taps that land on each output phase, for a constant 1-D input (away from the borders)."""
    return [round(float(taps[phase::stride].sum()), 3) for phase in range(stride)]


torch.manual_seed(0)
for name, taps, stride in [("(a) bilinear, k=4, s=2", tent(4, 2), 2),
                           ("(b) uniform, k=3, s=2", torch.ones(3), 2),
                           ("(c) random, k=4, s=2", torch.rand(4), 2),
                           ("bilinear, k=5, s=3", tent(5, 3), 3),
                           ("bilinear, k=6, s=3", tent(6, 3), 3)]:
    print(f"{name:<23} taps {[round(float(t), 2) for t in taps]} -> sum per phase {phase_sums(taps, stride)}")


# %% [markdown]
# That is why the layer starts out bilinear. What is left is choosing the kernel size, and that part is
# yours.
#
# **Derive before you code.** The section "The output size" gave the recipe for an **even** factor:
# $k = 2s$ and $p = s/2$. The paper only uses even factors, but your function must work for any factor,
# and for an odd $s$, $p = s/2$ is not even an integer. Work it out on paper:
#
# 1. in the formula $n_{out} = (n_{in} - 1)\,s - 2p + k$, require $n_{out} = s\,n_{in}$ for **any**
#    $n_{in}$. What relation between $k$, $p$ and $s$ is left?
# 2. try the recipe for even factors on $s = 3$: with $k = 6$ and $p = 1$, how many pixels come out of
#    an input of 7?
# 3. still with $s = 3$, find a pair of integers $(k, p)$ that satisfies the relation from step 1 and
#    whose tent sums to the same value in every phase (look at the table above);
# 4. write $k$ and $p$ as expressions of `factor` that work for both even and odd factors. A Python
#    hint: `factor % 2` is 1 for odd numbers and 0 for even ones, and `factor // 2` is integer division.
#
# The self-check tests even and odd factors (2, 3 and 4). If the size comes out wrong, it tells you for
# which factor.
#
# **The exercise.** Complete `make_upsampler(channels, factor, learnable)`: an `nn.ConvTranspose2d`
# without bias, with the kernel and the padding you derived, the weight copied from `bilinear_kernel`,
# and `requires_grad` equal to `learnable`. The function
# `with_learned_upsampling(FCN_AlexNet, learnable)` (already written) takes your FCN-AlexNet with skip
# `"8s"` and replaces the interpolation of the pool5 features (×4, from 1/32 to 1/8) with this layer;
# the final upsampling stays fixed, as in the paper. Notebook 05 compares the learned and the frozen
# versions with the fixed interpolation.

# %% tags=["include:solutions/upsampling.py"]
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
    ### BEGIN SOLUTION: create the layer that upsamples the maps `factor` times and starts as bilinear interpolation; store it in `upsampler`
    ### DICA: The layer that learns to upsample is the transposed convolution, `nn.ConvTranspose2d`, with `channels` channels in and out and no bias. To upsample `factor` times, what must the stride be?
    ### DICA: In the size formula, (n - 1)*stride - 2*padding + kernel, require the result to be factor*n for every n: what is left is a relation between kernel and padding. For factor = 2, the section "The output size" already gave a pair that works. For factor = 3, look in the table of sums per phase for a tent that sums to the same value in every phase and has the parity the relation asks for.
    ### DICA: The initial weight comes from `bilinear_kernel` (see its docstring); copying into a parameter requires `torch.no_grad()`, and `learnable` decides whether the weight gets a gradient.
    ### ESQUELETO: kernel_size = ...  # an expression of factor that works for even and odd factors
    ### ESQUELETO: padding = ...  # derived from the same calculation
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


# %%
checks.check("upsampler");

# %%
for learnable in (False, True):
    variant = with_learned_upsampling(FCN_AlexNet, learnable)(args["n_classes"], skip="8s")
    trainable = count_parameters(variant, trainable_only=True) - count_parameters(
        FCN_AlexNet(args["n_classes"], skip="8s"), trainable_only=True)
    print(f"{type(variant).__name__}: +{thousands(trainable)} trainable parameters beyond FCN_AlexNet(skip='8s')")

# %% [markdown]
# **Reflection question A (answer before you look at notebook 05).** The learned layer has
# 256 × 256 × 8 × 8 ≈ 4.2 million more **trainable** weights than the frozen one (the frozen one has the
# same weights, but they do not change), and it starts out identical to it. Do you expect it to improve
# the validation mIoU, make it worse or leave it unchanged, with a few hundred training images? Why?

# %% [markdown] tags=["points:4"]
# ### BEGIN SOLUTION
# Open answer; what is assessed is the argument (see `solutions/rubric.md`). A good argument: the layer
# starts out bilinear, so at first nothing changes; it can only move away from the interpolation if the
# gradient asks for it. With little data, the 4.2 million new weights (a full kernel connecting each of
# the 256 input channels to each of the 256 output channels) can fit the training set without any gain
# on validation. The paper does not measure this choice on its own; the authors' repository says, in its
# FAQ, that learning or fixing the bilinear kernels made no significant difference in accuracy. But
# their layer has one kernel per class and mixes no channels; with more channels mixed, the result may
# be different.
# ### END SOLUTION

# %%
quiz.ask("bilinear-init")

# %% [markdown]
# ## Exercise 5: imbalanced classes
#
# In notebook 01 you saw that the background covers the vast majority of the pixels. With the plain
# cross-entropy, every pixel weighs the same, so the network is rewarded above all for getting the
# background right. Two common remedies:
#
# * **weighted cross-entropy**: each class gets a weight $w_c$ (`nn.CrossEntropyLoss(weight=...)`).
#   With *median frequency balancing* (Eigen and Fergus, 2015,
#   [arXiv:1411.4734](https://arxiv.org/abs/1411.4734); SegNet uses it too),
#   $w_c = \text{median}(f)/f_c$, where $f_c$ is the fraction of the training pixels that belong to
#   class $c$: rare classes weigh more than 1, common ones less;
# * **Dice loss**: $1 - \frac{1}{C}\sum_c \frac{2\sum p_c g_c}{\sum p_c + \sum g_c}$, with $p_c$ the
#   predicted probability (softmax) and $g_c$ the one-hot label. Each class enters the mean with the
#   same weight, whatever its size. V-Net (Milletari, Navab and Ahmadi, 2016,
#   [arXiv:1606.04797](https://arxiv.org/abs/1606.04797)), which made this loss popular, sums the
#   squares $p_c^2$ and $g_c^2$ in the denominator; the form without squares, used here, is also common.
#
# Something to keep in mind: the FCN authors tried class balancing and reported that they did not need
# it (the background covers about 3/4 of the pixels in VOC; §4.3, "Class Balancing"). Notebook 05
# measures the effect on our subset.

# %% [markdown]
# ### Example: median frequency weights, with 3 classes
#
# Suppose the training set has 10,000 labelled pixels (void pixels are not counted): 7,000 of
# background, 2,000 of bus and 1,000 of person. The path is counts → frequencies → median → weights:
#
# 1. **frequencies** $f_c$: each count divided by the total, $f = (0.7,\ 0.2,\ 0.1)$;
# 2. **median** of the frequencies: sorted, they are $0.1 \le 0.2 \le 0.7$, and the middle one is
#    $0.2$;
# 3. **weights** $w_c = 0.2 / f_c$: background $0.2/0.7 \approx 0.286$; bus $0.2/0.2 = 1$;
#    person $0.2/0.1 = 2$.
#
# The class with the median frequency gets weight 1, the common one less than 1 and the rare one more
# than 1. Look at the product weight × count: $0.286 \cdot 7000 \approx 2000$, $1 \cdot 2000 = 2000$ and
# $2 \cdot 1000 = 2000$. With these weights, each class contributes the same total weight to the loss,
# as if they all had the median frequency. After the exercise, `class_weights([7000, 2000, 1000])`
# should return these three weights.

# %%
# NBVAL_CHECK_OUTPUT
example_counts = {"background": 7000, "bus": 2000, "person": 1000}
example_total = sum(example_counts.values())
example_freq = {name: count / example_total for name, count in example_counts.items()}
example_median = sorted(example_freq.values())[len(example_freq) // 2]  # 3 classes: the middle one
print(f"total {example_total} labelled pixels; median frequency {example_median:.3f}")
for name, count in example_counts.items():
    weight = example_median / example_freq[name]
    print(f"{name:<12} count {count:5d}  freq {example_freq[name]:.3f}  weight {weight:.3f}"
          f"  weight x count {weight * count:6.0f}")

# %%
quiz.ask("median-frequency")

# %% [markdown]
# ### Example: the Dice loss on a $2\times2$ image, with one void pixel
#
# An image of 4 pixels and 3 classes (0 background, 1 bus, 2 person). The labels, and the probabilities
# the network predicts (after the softmax) at each pixel:
#
# | pixel | label | $p_0$ | $p_1$ | $p_2$ |
# |---|---|---|---|---|
# | (0, 0) | 0 | 0.8 | 0.1 | 0.1 |
# | (0, 1) | 1 | 0.2 | 0.6 | 0.2 |
# | (1, 0) | 2 | 0.1 | 0.3 | 0.6 |
# | (1, 1) | 255 (void) | 0.5 | 0.25 | 0.25 |
#
# The void pixel is left out of **all** the sums, those of the probabilities and those of the one-hot
# labels alike. That leaves 3 pixels, and for each class we compute three numbers:
#
# * **background**: $\sum p_0 g_0 = 0.8$ (only pixel (0, 0) has label 0); $\sum p_0 = 0.8 + 0.2 +
#   0.1 = 1.1$; $\sum g_0 = 1$. Dice $= 2\cdot0.8 / (1.1 + 1) = 1.6/2.1 \approx 0.762$;
# * **bus**: $\sum p_1 g_1 = 0.6$; $\sum p_1 = 0.1 + 0.6 + 0.3 = 1.0$; $\sum g_1 = 1$.
#   Dice $= 1.2/2.0 = 0.600$;
# * **person**: $\sum p_2 g_2 = 0.6$; $\sum p_2 = 0.1 + 0.2 + 0.6 = 0.9$; $\sum g_2 = 1$.
#   Dice $= 1.2/1.9 \approx 0.632$.
#
# The mean of the three is $(0.762 + 0.600 + 0.632)/3 \approx 0.664$, and the loss is
# $1 - 0.664 \approx 0.336$. If the void pixel counted as background, it would add 0.5 to the
# background's intersection, and its probabilities would enlarge the denominators of all three classes:
# the loss would change because of a pixel that has no true label.
#
# The cell below redoes the calculation with Python lists. Once you have written `dice_loss` in the
# exercise, you can check it on this example: the scores whose softmax gives these probabilities are
# their logarithms, and with `eps=0` (no smoothing) your function should give the same 0.336.

# %%
# NBVAL_CHECK_OUTPUT
example_labels = [0, 1, 2, 255]  # pixels (0, 0), (0, 1), (1, 0), (1, 1)
example_probabilities = [[0.8, 0.1, 0.1], [0.2, 0.6, 0.2], [0.1, 0.3, 0.6], [0.5, 0.25, 0.25]]


def example_dice_terms(labels, probabilities):
    """Per class: (sum(p*g), sum(p), sum(g), Dice) over the non-void pixels, with plain Python sums."""
    kept = [(label, p) for label, p in zip(labels, probabilities) if label != 255]  # void pixels leave
    terms = []
    for c in range(3):
        intersection = sum(p[c] for label, p in kept if label == c)
        sum_p = sum(p[c] for _, p in kept)
        sum_g = sum(1 for label, _ in kept if label == c)
        terms.append((intersection, sum_p, sum_g, 2 * intersection / (sum_p + sum_g)))
    return terms


terms = example_dice_terms(example_labels, example_probabilities)
for c, (intersection, sum_p, sum_g, dice) in enumerate(terms):
    print(f"class {c}: sum(p*g) {intersection:.2f}  sum(p) {sum_p:.2f}  sum(g) {sum_g}  Dice {dice:.3f}")
mean_dice = sum(dice for *_, dice in terms) / 3
print(f"mean Dice {mean_dice:.3f} -> Dice loss {1 - mean_dice:.3f}")

void_as_background = [0 if label == 255 else label for label in example_labels]
wrong_terms = example_dice_terms(void_as_background, example_probabilities)
print(f"with the void pixel counted as background the loss would be "
      f"{1 - sum(dice for *_, dice in wrong_terms) / 3:.3f}")

# %% [markdown]
# **The exercise.** Complete `class_weights(pixel_counts)` (a class with no pixels gets weight 0) and
# `dice_loss(outputs, labels)` (void pixels stay out of the sums).

# %% tags=["include:solutions/losses.py"]
"""Losses for class imbalance (course exercise): class weights from pixel counts, and the Dice loss."""

import torch
import torch.nn.functional as F

VOID_LABEL = 255  # object borders: ignored by every loss


def class_weights(pixel_counts):
    """Median-frequency balancing: weight_c = median(freq) / freq_c, with freq_c = count_c / total.

    A rare class gets a weight above 1, a common one below 1; the class of median frequency gets 1.
    A class with no pixel at all gets weight 0 (there is nothing of it to learn). Returns float32 [C].
    """
    counts = torch.as_tensor(pixel_counts, dtype=torch.float64)
    ### BEGIN SOLUTION: compute the class weights by median frequency balancing and store them in `weights` (float32)
    ### DICA: A class's frequency is its pixel count divided by the total; its weight is the median of the frequencies divided by the class's frequency.
    ### DICA: A class with no pixels at all is left out of the median and gets weight 0: a boolean mask of the classes that are present avoids dividing by zero.
    ### ESQUELETO: freq = ...
    ### ESQUELETO: present = ...  # True for the classes with at least one pixel
    ### ESQUELETO: weights = ...  # zeros, the same size as freq
    ### ESQUELETO: weights[present] = ...
    ### ESQUELETO: # at the end, convert weights to float32
    freq = counts / counts.sum()
    present = freq > 0
    weights = torch.zeros_like(freq)
    weights[present] = freq[present].median() / freq[present]
    weights = weights.float()
    ### END SOLUTION
    return weights


def dice_loss(outputs, labels, eps=1.0):
    """Soft Dice loss: 1 - mean over classes of 2*sum(p*g) / (sum(p) + sum(g)).

    outputs [B, C, H, W] are class scores (softmax turns them into probabilities p), labels [B, H, W]
    hold class indices (g is their one-hot form). Void pixels (255) are left out of every sum. `eps` keeps
    the ratio defined for a class absent from the batch and smooths the gradient.
    """
    ### BEGIN SOLUTION: compute the soft Dice loss, leaving out the void pixels, and store it in `loss`
    ### DICA: p are the probabilities (softmax over the channels) and g the one-hot labels, with the classes on axis 1; for each class, sum p*g, p and g over the batch, the height and the width.
    ### DICA: Void pixels (255) go into no sum: multiply p and g by a mask of the valid pixels; before the one-hot, replace 255 with any class, otherwise `F.one_hot` fails.
    ### ESQUELETO: valid = ...  # [B, 1, H, W]: True where the pixel is not void
    ### ESQUELETO: probabilities = ...
    ### ESQUELETO: targets = ...  # one-hot [B, C, H, W], zero at void pixels
    ### ESQUELETO: intersection = ...  # [C]
    ### ESQUELETO: sizes = ...  # [C]: sum of p plus sum of g
    ### ESQUELETO: loss = 1 - ...  # mean Dice over the classes, with eps
    num_classes = outputs.shape[1]
    valid = (labels != VOID_LABEL).unsqueeze(1)  # [B, 1, H, W]
    probabilities = outputs.softmax(dim=1) * valid  # void pixels count for nothing
    targets = F.one_hot(labels.masked_fill(~valid.squeeze(1), 0), num_classes)
    targets = targets.permute(0, 3, 1, 2).to(probabilities.dtype) * valid
    intersection = (probabilities * targets).sum(dim=(0, 2, 3))
    sizes = probabilities.sum(dim=(0, 2, 3)) + targets.sum(dim=(0, 2, 3))
    loss = 1 - ((2 * intersection + eps) / (sizes + eps)).mean()
    ### END SOLUTION
    return loss


# %%
checks.check("class-weights");

# %%
checks.check("dice-loss");

# %% [markdown]
# The weights that balancing would give our training set:

# %%
train_counts = torch.zeros(args["n_classes"], dtype=torch.int64)
for _, batch_labels in train_loader:
    valid = batch_labels[batch_labels != 255]
    train_counts += torch.bincount(valid.reshape(-1), minlength=args["n_classes"])
for name, count, weight in zip(args["classes"], train_counts.tolist(), class_weights(train_counts).tolist()):
    print(f"{name:<12} {thousands(count):>10} pixels  weight {weight:.3f}")

# %% [markdown]
# ## Challenge (optional, extra): focal loss, ignoring void pixels
#
# For those who want to go further: the challenge is not graded, and the rest of the notebook runs
# without it.
#
# The class weights of Exercise 5 treat all the pixels of a class alike. The **focal loss** (Lin,
# Goyal, Girshick, He and Dollár, 2017, [arXiv:1708.02002](https://arxiv.org/abs/1708.02002)) weights
# each **pixel** by how hard it is: with $p_t$ the probability (softmax) that the network gives to the
# pixel's correct class, the loss of the pixel is
#
# $$ -(1 - p_t)^{\gamma}\,\log p_t . $$
#
# With $\gamma = 0$ it is the cross-entropy; with $\gamma > 0$, a pixel that the network already gets
# right with a comfortable margin ($p_t$ close to 1) barely counts, and the hard ones dominate. (The
# paper adds a per-class weight $\alpha$; here we leave it out.)
#
# Write `focal_loss(logits, labels, gamma=2.0)`: `logits` `[B, C, H, W]`, `labels` `[B, H, W]` with 255
# at the void pixels; return the mean of the loss over the pixels that are **not** void, as a tensor
# with a gradient. The self-check verifies that it equals the cross-entropy with $\gamma = 0$, that it
# ignores void pixels, and that it gives the value of the formula with $\gamma = 0.5$ and $\gamma = 2$.
#
# To go further: why could the focal loss help the bus class more than median frequency weights, on a
# dataset where most of the background pixels are easy?

# %%
def focal_loss(logits, labels, gamma=2.0, ignore_index=255):
    """Mean over the non-void pixels of -(1 - p_t)^gamma * log p_t, p_t the softmax probability of the
    pixel's true class (Lin et al., 2017, without the class weight alpha)."""
    ### BEGIN SOLUTION: compute −(1 − p_t)^γ · log p_t at each pixel and return the mean over the pixels that are not void
    ### DICA: The cross-entropy of each pixel, with `reduction="none"`, is already −log p_t; so p_t = exp(−CE).
    ### DICA: Multiply the loss of each pixel by the factor (1 − p_t)^γ and take the mean over only the pixels whose label is not `ignore_index` (a boolean mask).
    ### ESQUELETO: per_pixel = ...
    ### ESQUELETO: valid = ...
    ### ESQUELETO: factor = ...
    ### ESQUELETO: return ...
    per_pixel = F.cross_entropy(logits, labels, ignore_index=ignore_index, reduction="none")
    valid = labels != ignore_index
    factor = (1 - torch.exp(-per_pixel)) ** gamma
    return (factor * per_pixel)[valid].mean()
    ### END SOLUTION


# %%
checks.check("focal-loss");

# %% [markdown]
# ## Summary
#
# * A transposed convolution "stamps" the kernel, multiplied by each input pixel, every $s$ pixels of
#   the output; where the stamps overlap, their values add up.
# * The output has $(n_{in} - 1)\,s - 2p + k + \texttt{output\_padding}$ pixels; `padding` crops the
#   output instead of adding zeros.
# * It multiplies by the transpose of the convolution's matrix: it gives back the size, not the values.
# * The checkerboard pattern appears when the phases of the output receive different sums of weights.
#   The bilinear tent sums to the same value in every phase, which is why the layer starts out that way.
# * Median frequency weights make every class weigh the same in total; the Dice loss gives every class
#   the same weight in the mean. In both calculations, void pixels are left out.
#
# In **notebook 04** you will repeat the recipe of notebook 02 with a deeper network, VGG16. In
# **notebook 05** we measure whether learned upsampling and the weighted loss actually help.

# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# [![Open in Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/fcn-course/fcn-course/blob/main/notebooks/en/01_dados_e_metricas.ipynb)

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
# <!-- generated from solutions/notebooks/01_dados_e_metricas.py and solutions/locale/en/01_dados_e_metricas.po; edit those files, then run python -m fcn_course.instructor build -->
# # 01 · Data and metrics
#
# Whenever you need it, the [quick reference](referencia.md) gathers tensor shapes, formulas and a glossary
# of the terms used in this course. In Colab the link above does not open (there the notebook stands alone,
# without the course's other files): use the [same page on GitHub](https://github.com/fcn-course/fcn-course/blob/main/notebooks/en/referencia.md),
# which is the file `notebooks/en/referencia.md` of the repository.
#
# Welcome to the course on **semantic segmentation with Fully Convolutional Networks (FCNs)**!
#
# In semantic segmentation, the network does not give a single label to the whole image: it tells you **the
# class of every pixel**. Over five notebooks, we will turn classification networks that you already know
# (AlexNet and VGG16) into networks that segment images from Pascal VOC 2012.
#
# | Notebook | Contents |
# |---|---|
# | **01 · Data and metrics** (this one) | hyperparameters, metrics (IoU, mIoU, Dice), Pascal VOC 2012 and the `DataLoader`s; exercise 0 |
# | 02 · FCN with AlexNet | the theory of FCNs, Kaiming initialisation, bilinear upsampling, skip connections; exercises 1 and 2 (FCN-AlexNet) and 3 (optimiser and loss), training and predictions |
# | 03 · Learned upsampling and losses | transposed convolution and the checkerboard pattern; exercises 4 (learned upsampling) and 5 (class weights and Dice loss) |
# | 04 · FCN with VGG16 | exercise 6: the same adaptation for a deeper network, and the paper's head that adds up scores |
# | 05 · Comparison | exercise 7: with and without skip connections, pretrained or from scratch, and the new options; what came after FCNs |
#
# **By the end of this notebook you can**
#
# 1. choose the run profile (`full`, `demo` or `smoke`) and change any of the course's hyperparameters with
#    `course_args(...)`;
# 2. compute the IoU, the mIoU (with and without the background) and the Dice of a small example, by hand and
#    from a confusion matrix (**Exercise 0**);
# 3. point out three common mistakes in computing these metrics (void counted as background, a mean over
#    images, intersection divided by the label) and say how each one changes the number;
# 4. get Pascal VOC 2012, read the labels through the palette indices, build the background/bus/person
#    subset and explain what the image filter lets through;
# 5. create the `DataLoader`s that the next notebooks use.
#
# **How long it takes.**
#
# * **Study time: ~60 min**: reading carefully (about 30 min), running the cells and looking at the figures,
#   doing exercise 0 and writing down a prediction. It fits in a 100-minute class.
# * **Machine time**: this notebook trains nothing. In the `demo` profile it runs in under a minute on a
#   2-core CPU (including generating the synthetic dataset, about 3 s); in the `full` profile, the time goes
#   into downloading VOC (about 2 GB) and, the first time only, reading the labels to build the subset.
#   The measured times of each notebook and profile are in the *Time budget* table of the `README.md`.
#
# **Before you start.** The `README.md` of the `notebooks/` folder collects everything that is not course
# content: how to install the course on your own computer, the `.ipynb` + `.py` pair of each notebook, the
# three run profiles in detail, how the exercises are numbered and the writing conventions.

# %% [markdown]
# ## How to run this course
#
# All of the course's helper code lives in the `fcn_course` package (feel free to read it: it was written to
# be read). The notebooks narrate, explain and call that package; the code that **you** write goes in the
# exercise cells.
#
# **In Google Colab**: click the *Open in Colab* badge at the top of the notebook, choose *Runtime →
# Change runtime type → GPU* and run the setup cell just below the badge (it installs the course package;
# with `USAR_DRIVE = True`, the data is kept in your Google Drive). Notebooks 03, 04 and 05 read the classes
# you wrote in the earlier ones: keep all five notebooks in the same folder of your Drive
# (*File → Save a copy in Drive*) and open them from there. **On your own computer**, follow the `README.md`
# of the `notebooks/` folder.
#
# **Profiles.** The course runs in three profiles: `full` (the default: the real VOC, 50 epochs; needs a
# GPU), `demo` (a synthetic VOC on which you can watch the FCN learn in a few minutes on a CPU) and `smoke`
# (the same synthetic dataset in miniature, only to check that everything runs). Choose one with the
# environment variable `FCN_COURSE_PROFILE=demo` (or `smoke`) before you start Jupyter, or with
# `course_args(profile="demo")`; the first cell of each notebook prints which profile is running and why.
# The variable `FCN_COURSE_DATA` chooses the data folder (default: `~/fcn_course_data`). The details of
# each profile are in the `README.md` of the `notebooks/` folder.

# %% [markdown]
# ## Setup
#
# First, the imports. Notice that almost everything comes from the `fcn_course` package.

# %%
import matplotlib.pyplot as plt
import numpy as np
import torch
from PIL import Image
from sklearn.metrics import f1_score, jaccard_score

from fcn_course import checks, plots, quiz
from fcn_course.config import course_args, seed_everything
from fcn_course.data import (VOC_CLASSES, VOID, VOCSubset, download_voc, label_lookup_table, make_loaders,
                             prepare_data, read_voc_mask, voc_colormap, voc_folder, voc_is_ready)
from fcn_course.metrics import ConfusionMatrix
from fcn_course.widgets import dataset_browser

# %% [markdown]
# Now the hyperparameters. The function `course_args()` returns a dictionary with the **same keys as the
# original course**; the `demo` and `smoke` profiles change some of the values. To change any value, pass it
# as an argument, for example `course_args(epoch_num=10, skip=False)`. (The line `%matplotlib inline` makes
# the figures appear inside the notebook.)

# %%
# %matplotlib inline

args = course_args()
seed_everything(args["seed"])

print("device:", args["device"])
prepare_data(args)  # says which profile runs, and writes the synthetic dataset when it needs one
for key, value in args.items():
    print(f"  {key:>13}: {value}")

# %% [markdown]
# What each key means (values of the `full` profile):
#
# | Key | Value | Meaning |
# |---|---|---|
# | `epoch_num` | 50 | number of epochs (each epoch goes through the whole training set once) |
# | `classes`, `n_classes` | `("background", "bus", "person")`, 3 | the classes the network will learn (see the Pascal VOC section) |
# | `pretrained` | `True` | the backbone starts from the weights trained on ImageNet (transfer learning) |
# | `skip` | `True` | use skip connections (notebook 02) |
# | `lr` | 1e-4 | Adam's learning rate |
# | `weight_decay` | 5e-4 | an L2 penalty on the weights: it discourages large weights and reduces overfitting |
# | `momentum` | 0.9 | used as Adam's $\beta_1$: the weight of the moving average of the gradients |
# | `num_workers` | depends on the machine | processes that load images in parallel with training |
# | `batch_size` | 8 | images per batch (also called a mini-batch) |
# | `w_size`, `h_size` | 224, 224 | size of the crop taken from each image, the same as ImageNet's |
# | `show_freq` | 5 | every 5 epochs, show the network's predictions on validation images |
# | `root` | data folder | the folder that **contains** `VOCdevkit/` |
# | `max_samples` | `None` | optional limit on the number of images (useful for quick tests) |
# | `runs_dir` | `runs` | where training runs keep their history and checkpoints (`FCN_COURSE_RUNS` changes the default) |
# | `device` | `cuda`, `mps` or `cpu` | where the network runs: the GPU, if there is one |
# | `seed` | 0 | seed of the random number generators, so that an experiment can be repeated |
#
# In the `smoke` profile: `epoch_num=2`, `batch_size=4`, 96×96 images, `show_freq=1` and `pretrained=False`.
# In `demo`: `epoch_num=12`, 160×160 images, `lr=1e-3` and `pretrained=False` (notebook 04's VGG16 uses
# 96×96, 48 images, 10 epochs and `lr=3e-4`). Neither profile downloads weights. The full table is in
# `fcn_course.config.PROFILES`.

# %% [markdown]
# How to initialise the weights of a network trained from scratch (Kaiming initialisation) is explained in
# notebook 02, where it is first used.

# %% [markdown]
# ## Metrics for semantic segmentation
#
# For each class $c$, we count pixels, comparing the prediction with the true label (the *ground truth*):
#
# * $TP_c$ (true positives): pixels of class $c$ predicted as $c$;
# * $FP_c$ (false positives): pixels of **other** classes predicted as $c$;
# * $FN_c$ (false negatives): pixels of class $c$ predicted as **another** class.
#
# ### IoU (Jaccard)
#
# Let $A$ be the set of pixels that the label assigns to class $c$, and $B$ the set of pixels that the
# network predicts as $c$. The **Intersection over Union** (IoU), or **Jaccard index**, is
#
# $$ IoU_c = \frac{|A \cap B|}{|A \cup B|} = \frac{TP_c}{TP_c + FP_c + FN_c} . $$
#
# It ranges from 0 (no overlap) to 1 (a perfect prediction) and penalises both kinds of error: painting too
# many pixels ($FP$) and leaving pixels out ($FN$).

# %%
plots.iou_illustration()

# %% [markdown]
# ### mIoU
#
# With several classes, the standard metric is the mean of the IoUs, the **mean IoU**:
#
# $$ mIoU = \frac{1}{|\mathcal{C}|}\sum_{c \in \mathcal{C}} IoU_c , $$
#
# where $\mathcal{C}$ is the set of classes that appear (in the label or in the prediction): a class absent
# from both would have $0/0$, so it is left out of the mean. Since every class has the same weight, a small
# class (a person far away) counts as much as the background, which takes up most of the image.
#
# ### F1 (Dice)
#
# The **F1 score**, called the **Dice coefficient** in segmentation, is
#
# $$ Dice_c = \frac{2\,|A \cap B|}{|A| + |B|} = \frac{2\,TP_c}{2\,TP_c + FP_c + FN_c} . $$
#
# The two metrics count the same things, and each one determines the other: dividing the numerator and the
# denominator by $TP + FP + FN$ gives
#
# $$ Dice = \frac{2\,IoU}{1 + IoU}, \qquad IoU = \frac{Dice}{2 - Dice} . $$
#
# So they rank models in the same order (for one class); Dice is always $\geq$ IoU.

# %% [markdown]
# ### A small example, worked by hand
#
# A $4\times4$ label with three classes (0 = background, 1 = bus, 2 = person) and one ***void*** pixel
# (255: a border that the annotators chose not to classify), and the prediction of a network that "paints
# too much bus":

# %%
label = np.array([
    [0, 0, 1, 1],
    [0, 0, 1, 1],
    [0, 2, 2, VOID],
    [0, 2, 2, 2],
])
prediction = np.array([
    [0, 1, 1, 1],
    [0, 1, 1, 1],
    [0, 2, 2, 1],
    [0, 0, 2, 2],
])
toy_classes = ("background", "bus", "person")

fig, axes = plt.subplots(1, 2, figsize=(7, 3.5))
for ax, (title, mask) in zip(axes, [("label", label), ("prediction", prediction)]):
    ax.imshow(plots.colorize(mask, toy_classes))
    for (row, col), value in np.ndenumerate(mask):  # write the class index on each pixel
        ax.text(col, row, str(value), ha="center", va="center", fontsize=12)
    ax.set_title(title)
    ax.set_xticks([])
    ax.set_yticks([])

# %% [markdown]
# Leaving the void pixel aside, 15 pixels remain. Counting class by class:
#
# * **background** (6 pixels in the label): 4 predicted as background, 2 as bus → $TP=4$, $FN=2$; one person
#   pixel was predicted as background → $FP=1$. $IoU = 4/(4+1+2) = 4/7 \approx 0.5714$.
# * **bus** (4 pixels): all 4 right → $TP=4$, $FN=0$; but 2 background pixels became bus →
#   $FP=2$. $IoU = 4/(4+2+0) = 4/6 \approx 0.6667$.
# * **person** (5 pixels): 4 right, 1 became background → $TP=4$, $FN=1$, $FP=0$.
#   $IoU = 4/5 = 0.8$.
#
# $mIoU = (0.5714 + 0.6667 + 0.8)/3 \approx 0.6794$. The Dice scores: $8/11 \approx 0.7273$,
# $8/10 = 0.8$ and $8/9 \approx 0.8889$ (check: $2 \cdot 0.8/(1+0.8) = 0.8889$).
#
# Now with the `ConfusionMatrix` class from `fcn_course.metrics`. It accumulates a **confusion matrix**
# $M$, where $M_{t,p}$ counts the pixels of true class $t$ predicted as $p$; so
# $TP_c = M_{c,c}$, $FN_c$ is the rest of row $c$ and $FP_c$ the rest of column $c$. To double-check, we
# compute the same with scikit-learn, passing only the pixels that are not void:

# %%
# NBVAL_CHECK_OUTPUT
matrix = ConfusionMatrix(num_classes=3, ignore_index=VOID)
matrix.update(prediction, label)
scores = matrix.compute()
print("confusion matrix (rows = true class, columns = predicted class):")
print(matrix.matrix.numpy())
print()
print(matrix.table(toy_classes))
print(f"pixel accuracy: {scores['pixel_acc']:.4f}")

valid = label != VOID
sk_iou = jaccard_score(label[valid], prediction[valid], labels=[0, 1, 2], average=None)
sk_dice = f1_score(label[valid], prediction[valid], labels=[0, 1, 2], average=None)
print()
print("scikit-learn IoU: ", np.round(sk_iou, 4))
print("scikit-learn Dice:", np.round(sk_dice, 4))
print("same as ConfusionMatrix:", np.allclose(sk_iou, scores["iou"]) and np.allclose(sk_dice, scores["dice"]))
print("Dice == 2 IoU / (1 + IoU):", np.allclose(scores["dice"], 2 * sk_iou / (1 + sk_iou)))

# %% [markdown]
# ### Pitfall 1: void pixels are not background
#
# The 255 pixels of Pascal VOC mark object borders and ambiguous regions. They are **not** background: they
# are pixels for which we do not know the answer. That is why they are **ignored** both in the loss
# (`CrossEntropyLoss(ignore_index=255)`, notebook 02) and in the metrics (the `ignore_index=255` of
# `ConfusionMatrix`).
#
# The original course turned void pixels into background. See the effect on the example: the network
# predicted bus on the void pixel, and that "mistake" now counts against it. Worse: in training, the network
# would learn to label exactly the borders of objects as background.

# %%
# NBVAL_CHECK_OUTPUT
void_as_background = np.where(label == VOID, 0, label)
wrong = ConfusionMatrix(num_classes=3, ignore_index=VOID)
wrong.update(prediction, void_as_background)
print("IoU per class, void ignored:       ", np.round(scores["iou"], 4))
print("IoU per class, void as background: ", np.round(wrong.compute()["iou"], 4))

# %%
quiz.ask("void-iou")

# %% [markdown]
# ### Pitfall 2: one matrix for the whole set, not a mean over images
#
# The IoU of a validation set is computed with **a single** confusion matrix, adding up the pixels of all
# the images, and the formula is applied only at the end. Computing the IoU of each image (or each batch)
# and taking the mean gives **a different number**: in it, every image has the same weight, whether its
# object has 2 pixels or 2000. Depending on the data, that number comes out higher or lower than the IoU of
# the whole set, and the two cannot be compared.
#
# Two examples, each with two $10\times10$ images: one with a big person (50 pixels) and one with a tiny
# person (2 pixels), and no false positives.
#
# * **A**: the network finds only half of the big person (25 pixels) and gets the tiny person exactly right.
# * **B**: the network finds the whole big person and **misses** the tiny one.

# %%
# NBVAL_CHECK_OUTPUT
def person_iou(pairs):
    """Person IoU (class 1) of each (label, prediction) pair on its own, and of one matrix over all pairs."""
    whole_split = ConfusionMatrix(num_classes=2)
    per_image = []
    for lab, pred in pairs:
        image_matrix = ConfusionMatrix(num_classes=2)
        image_matrix.update(pred, lab)
        per_image.append(image_matrix.compute()["iou"][1])
        whole_split.update(pred, lab)
    return per_image, whole_split.compute()["iou"][1]


big = np.zeros((10, 10), dtype=np.int64)
big[:5, :] = 1                          # a big person: 50 pixels
big_half_found = np.zeros_like(big)
big_half_found[:5, :5] = 1              # only half of it found
tiny = np.zeros((10, 10), dtype=np.int64)
tiny[0, :2] = 1                         # a tiny person: 2 pixels
tiny_missed = np.zeros_like(tiny)       # predicted as background

examples = {
    "A: big person half found, tiny person found": [(big, big_half_found), (tiny, tiny.copy())],
    "B: big person found, tiny person missed": [(big, big.copy()), (tiny, tiny_missed)],
}
for name, pairs in examples.items():
    per_image, whole = person_iou(pairs)
    print(name)
    print(f"  person IoU of each image:           {', '.join(f'{iou:.4f}' for iou in per_image)}")
    print(f"  mean of the per-image IoUs:         {np.mean(per_image):.4f}")
    print(f"  IoU of one matrix over both images: {whole:.4f}")

# %% [markdown]
# In **A**, the network found 27 of the 52 person pixels: the IoU of the whole set is $27/52 \approx 0.52$,
# and the mean over images comes out **higher**, $0.75$, because the easy image, with 2 pixels, counts as
# much as the hard one, with 50. In **B**, it found 50 of the 52: the IoU of the whole set is
# $50/52 \approx 0.96$, and the mean over images comes out **lower**, $0.50$, because a single small object
# that is missed drops its image's IoU to zero.
#
# The mean over images is neither an "optimistic" nor a "pessimistic" version of the mIoU: it is a different
# measure, with a different meaning, and numbers computed one way cannot be compared with numbers computed
# the other way. The course's training and validation functions (`fcn_course.engine`) accumulate a single
# `ConfusionMatrix` per epoch.

# %%
quiz.ask("dataset-miou")

# %% [markdown]
# ### Pitfall 3: dividing the intersection by the label is not IoU
#
# For each class, the original course computed the intersection divided by the **number of pixels of the
# class in the label**, $TP/(TP+FN)$. That is **recall** (also called per-class accuracy), not IoU: it
# ignores false positives. In our example, the network painted bus over background pixels, and bus would
# still get a perfect score; a network that painted **the whole image** as bus would also get 1.0 for bus.
#
# (The original code had one more slip: the accumulators started at `np.asarray(n_classes)`, that is, the
# scalar 3, added to every class.)

# %%
# NBVAL_CHECK_OUTPUT
recall = np.asarray(scores["recall"])
print(f"{'class':<12}{'IoU':>8}{'TP/(TP+FN)':>12}")
for name, iou, rec in zip(toy_classes, scores["iou"], recall):
    print(f"{name:<12}{iou:8.4f}{rec:12.4f}")
print(f"{'mean (fg)':<12}{scores['miou_fg']:8.4f}{recall[1:].mean():12.4f}")

everything_bus = np.ones_like(prediction)
all_bus = ConfusionMatrix(num_classes=3)
all_bus.update(everything_bus, label)
print()
print("a 'network' that predicts bus everywhere:")
print(f"  bus IoU {all_bus.compute()['iou'][1]:.4f}, bus TP/(TP+FN) {all_bus.compute()['recall'][1]:.4f}")

# %%
quiz.ask("recall-not-iou")

# %% [markdown]
# ### mIoU with and without the background
#
# The original course printed the mean of the IoUs **without the background** (classes 1 onwards). The
# background is usually the easiest and most frequent class, so including it pulls the mean up; without it,
# the number speaks only about the objects we care about. `ConfusionMatrix` computes both:
#
# * `miou`: the mean over all classes (the usual definition in papers, including the FCN paper, which has 21
#   classes counting the background);
# * `miou_fg`: the mean without class 0 (fg stands for foreground), the one that the course's training prints.
#
# In the example: `miou` = 0.6794 and `miou_fg` = (0.6667 + 0.8)/2 = 0.7333. When you compare numbers with
# a paper, always check which of the two was used (and on which dataset).

# %% [markdown]
# ## Exercise 0 (optional, warm-up): IoU and Dice from the confusion matrix
#
# Complete the function `iou_and_dice_from_confusion(matrix)`. It takes an $n \times n$ confusion matrix
# (rows = true class, columns = predicted class) and returns two arrays of length $n$: the IoU and the Dice
# of each class. For a class that appears neither in the label nor in the prediction (its row and column are
# all zeros), return `NaN`.
#
# Hints: `np.diag` gives the $TP$s; summing a column gives $TP + FP$; summing a row gives $TP + FN$. A
# $0/0$ division in NumPy gives `nan` (with a warning that `np.errstate` silences).

# %%
import numpy as np


def iou_and_dice_from_confusion(matrix):
    """Per-class IoU and Dice from a confusion matrix (rows = true class, columns = predicted class).

    Returns two float arrays with one value per class; NaN for a class absent from labels and predictions.
    """
    matrix = np.asarray(matrix, dtype=np.float64)
    raise NotImplementedError("compute the IoU and the Dice of each class from the confusion matrix and store them in `iou` and `dice`")
    return iou, dice


# %% [markdown]
# **Hints** (open one at a time, only when you need it: the next one appears inside the previous one)
#
# <details><summary>Hint 1</summary>
#
# In the matrix, the rows are the true class and the columns the predicted class: the hits (TP) are on the diagonal; a class's FP are in its column off the diagonal, its FN in its row.
#
# <details><summary>Hint 2</summary>
#
# Compute TP, FP and FN for all classes at once with NumPy operations (no loop) and apply the formulas from the text; an absent class gives 0/0, which must become NaN without a warning (`np.errstate`).
#
# <details><summary>Skeleton (fill in the `...`)</summary>
#
# ```python
# tp = ...
# fp = ...
# fn = ...
# with np.errstate(...):
#     iou = ...
#     dice = ...
# ```
#
# </details></details></details>

# %%
checks.check("iou");

# %% [markdown]
# ## Challenge (optional, extra): per-image mIoU versus whole-set mIoU
#
# One step beyond Pitfall 2, for those who want it: the challenge is not graded, and the rest of the notebook
# runs without it.
#
# Write `miou_per_image(labels, predictions, num_classes, ignore_index=255)`. It takes a list of labels and
# a list of predictions (2D arrays of class indices, one pair per image; the sizes may differ from one image
# to the next) and returns the **mean, over the images, of each image's mIoU**. In each image, ignore the
# void pixels and leave out of that image's mean the classes absent from it (those in neither its label nor
# its prediction). The self-check compares your function with a reference on randomly drawn sets, with
# absent classes, a class that is only predicted, and void pixels.
#
# Once it passes, the next cell puts it side by side with the whole-set mIoU on examples A and B of
# Pitfall 2. To go further: build an example of your own in which the per-image mean is **above** the
# whole-set mIoU and another in which it is **below**, and explain each one in a sentence. Which of the two
# measures would you use to compare with a paper?

# %%
def miou_per_image(labels, predictions, num_classes, ignore_index=VOID):
    """Mean over images of each image's mIoU: one confusion matrix per image, void pixels ignored, and the
    classes absent from an image (from its label and its prediction) left out of that image's mean."""
    raise NotImplementedError("compute the mIoU of each image (one confusion matrix per image) and return their mean")


# %% [markdown]
# **Hints** (open one at a time, only when you need it: the next one appears inside the previous one)
#
# <details><summary>Hint 1</summary>
#
# `ConfusionMatrix(num_classes, ignore_index=...)` already computes the mIoU of one image, with NaN for the absent classes: create a new one for each (label, prediction) pair.
#
# <details><summary>Hint 2</summary>
#
# For each pair, `update` takes the prediction and then the label (as tensors), and `compute()` returns a dictionary with the key "miou"; at the end, average over the images with `np.nanmean`.
#
# <details><summary>Skeleton (fill in the `...`)</summary>
#
# ```python
# scores = ...  # the mIoU of each image
# for ...:  # each (label, prediction) pair
#     matrix = ...
#     ...
# return ...
# ```
#
# </details></details></details>

# %%
checks.check("miou-per-image");

# %%
if checks.check("miou-per-image", verbose=False):  # runs once your miou_per_image passes the check
    for name, pairs in examples.items():
        labels_of_pair, predictions_of_pair = zip(*pairs)
        whole_split = ConfusionMatrix(num_classes=2)
        for lab, pred in pairs:
            whole_split.update(pred, lab)
        print(name)
        print(f"  mean of the per-image mIoUs: {miou_per_image(labels_of_pair, predictions_of_pair, 2):.4f}")
        print(f"  mIoU of one matrix:          {whole_split.compute()['miou']:.4f}")

# %% [markdown]
# ## The Pascal VOC 2012 dataset
#
# [Pascal VOC](http://host.robots.ox.ac.uk/pascal/VOC/voc2012/) was, together with COCO, one of the great
# computer vision benchmarks; the 2012 edition has labels for detection and for segmentation. Its
# segmentation part has:
#
# * **1464** training images (`train`) and **1449** validation images (`val`);
# * **20 object classes + the background** (`background`), 21 classes in total;
# * **void** pixels (value 255) on object borders and in ambiguous regions.
#
# ### How to get the data
#
# You need the folder `VOCdevkit/VOC2012/` (with `JPEGImages/`, `SegmentationClass/` and
# `ImageSets/Segmentation/`) inside the data folder, `args["root"]`. There are three ways:
#
# 1. **Through the course**: in a terminal, `python -m fcn_course download`; or, in Python,
#    `download_voc(args["root"])`. The archive is about 2 GB. The Oxford server is often down, so the
#    library tries a mirror, and it verifies the archive's checksum before extracting it: an interrupted
#    download is never accepted as complete.
# 2. **By hand**: download `VOCtrainval_11-May-2012.tar` some other way and extract it into the data folder.
# 3. **A copy that already exists** (on a lab server, for example): point the environment variable
#    `FCN_COURSE_DATA` to the folder that contains `VOCdevkit/`.
#
# In the `demo` and `smoke` profiles, `args["root"]` points to the synthetic VOC, which `prepare_data(args)`
# (in the first cell) generates the first time it runs.

# %%
print("data folder:", args["root"])
if not voc_is_ready(args["root"]):
    # About 2 GB: comment this line out if you prefer to download and extract the archive yourself.
    download_voc(args["root"])
voc_dir = voc_folder(args["root"])
print("VOC tree ready:", voc_is_ready(args["root"]))

# %% [markdown]
# ### The label format
#
# Each label in `SegmentationClass/` is a PNG with a **palette** (mode `"P"`): each pixel stores an
# **index** from 0 to 255, and the palette only says which colour to draw each index in. The index **is** the
# class: 0 = background, 1 = aeroplane, ..., 6 = bus, ..., 15 = person, ..., 20 = TV monitor, 255 = void.
# `np.array(Image.open(path))` reads the indices directly.
#
# Beware of `Image.open(path).convert("I")` (or `"L"`): these conversions replace each index with the
# **luminance** (the brightness) of its colour in the palette. Bus becomes 90, person 147 and void 220. The
# original course did this and then looked for the values 89 and 147; with current versions of Pillow bus
# gives 90, and the bus class **vanished without any error**. Let's see it on a label from the dataset in
# use (in the `demo` and `smoke` profiles, the synthetic VOC also saves its labels as palette PNGs):

# %%
def has_class(mask_path, class_name):
    """True when the VOC mask at `mask_path` contains at least one pixel of `class_name`."""
    return bool((read_voc_mask(mask_path) == VOC_CLASSES.index(class_name)).any())


train_ids = (voc_dir / "ImageSets" / "Segmentation" / "train.txt").read_text().split()
mask_path = next(voc_dir / "SegmentationClass" / f"{image_id}.png" for image_id in train_ids
                 if has_class(voc_dir / "SegmentationClass" / f"{image_id}.png", "bus"))

with Image.open(mask_path) as mask:
    print(f"{mask_path.name}: PNG mode {mask.mode!r}, size {mask.size}")
    indices = np.array(mask)
    luminance = np.array(mask.convert("I"))

print(f"{'np.array(mask)':>14} {'class':>12} {'convert(I)':>12}")
for value in np.unique(indices):
    name = "void" if value == VOID else VOC_CLASSES[value]
    print(f"{value:>14} {name:>12} {np.unique(luminance[indices == value])[0]:>12}")

# %% [markdown]
# And it is not just a matter of different numbers: luminance **merges** distinct classes. In the table
# below, aeroplane (1) and potted plant (16) have the same brightness, and so do bird (3) and sofa (18); after
# a `convert("I")`, there is no way to tell them apart. (The values may vary slightly between versions of
# Pillow, one more reason not to depend on them.)

# %%
palette_image = Image.fromarray(np.arange(256, dtype=np.uint8).reshape(16, 16), mode="P")
palette_image.putpalette(voc_colormap().ravel().tolist())
brightness = np.array(palette_image.convert("I")).ravel()

for index, name in enumerate(VOC_CLASSES):
    twins = [VOC_CLASSES[other] for other in range(len(VOC_CLASSES))
             if other != index and brightness[other] == brightness[index]]
    note = f"  <- same as {', '.join(twins)}" if twins else ""
    print(f"{index:3d} {name:<12} colour {tuple(int(c) for c in voc_colormap()[index])!s:<16} "
          f"luminance {brightness[index]:3d}{note}")

# %% [markdown]
# ### Choosing the classes
#
# As in the original course, we will work with three classes: **background, bus and person**. The classes are
# chosen **by name**, in `args["classes"]`; the position in the tuple becomes the index the network uses:
# `background → 0`, `bus → 1`, `person → 2`. The other 18 VOC classes become background, and void stays
# 255. To use all 21 classes, just pass `course_args(classes=VOC_CLASSES)`.
#
# Under the hood, this is just a lookup table with 256 entries: `new_label = table[voc_label]`.

# %%
# NBVAL_CHECK_OUTPUT
table = label_lookup_table(("background", "bus", "person"))
for voc_index in range(len(VOC_CLASSES)):
    print(f"{VOC_CLASSES[voc_index]:>12} ({voc_index:2d}) -> {table[voc_index]}")
print(f"{'void':>12} ({VOID}) -> {table[VOID]}")

# %% [markdown]
# ### Filtering the images
#
# Most VOC images contain neither a bus nor a person. We keep only those that show **at least two of the
# chosen classes** (for example, background and person). The `VOCSubset` class reads each label only once,
# saves the list of accepted images in a cache file and, on later runs, reads only that file. (The original
# course decoded almost 3000 images on every run.)
#
# Each item of a `VOCSubset` is an `(image, label)` pair: the image, cropped at the centre to
# `h_size × w_size` and normalised with the ImageNet mean and standard deviation, and the label, with the
# course's indices (0, 1, 2 or 255).
#
# **The filter looks at the whole label; the network sees only the central crop.** VOC photos are much
# larger than $224\times224$. A bus or a person near the edge may fall outside the crop.
#
# How many images does this affect? The numbers below come from the course's review and have not yet been
# confirmed by a full run on the real VOC: read them as estimates. With the course's three classes, the
# filter keeps about 350 training images and 495 validation images. In the $224\times224$ central crops,
# about 38 of the training images and 58 of the validation images are left with fewer than two of the
# chosen classes. In 54 validation crops, only background appears. The cell below prints how many images
# the filter kept in the dataset you are using.
#
# Why filter on the whole label? Because then the filter does not depend on geometry. The same cache works
# for any `h_size`/`w_size` and also for data augmentation (`augment=True`), where the crop is drawn at
# random every epoch. The price: with the central crop, about 1 in 9 images reaches the network without an
# object of the chosen classes, or without background.
#
# * **In training**, these images teach the network to say "background" where there is no bus or person.
#   That is not a bad thing.
# * **In validation**, they bring no bus or person pixels to get right. But every pixel that the network
#   wrongly paints as bus or person counts against it.
#
# Since there is a single confusion matrix for the whole set (Pitfall 2), these images cause no divisions by
# zero: they only add background pixels and the occasional false positive.

# %%
size = (args["h_size"], args["w_size"])
train_set = VOCSubset(args["root"], "train", classes=args["classes"], size=size)
val_set = VOCSubset(args["root"], "val", classes=args["classes"], size=size)

# %%
image, label_map = train_set[0]
print("image:", tuple(image.shape), image.dtype, f"min {image.min():.2f}, max {image.max():.2f}")
print("label:", tuple(label_map.shape), label_map.dtype, "values", torch.unique(label_map).tolist())

# %% [markdown]
# ### Looking at the samples
#
# The normalised image has negative values and values greater than 1; to show it, we have to undo the
# normalisation (`fcn_course.data.denormalize`). The labels are drawn with the colours of the VOC palette
# (person in pink, bus in teal, void in beige).

# %%
plots.show_samples(train_set, n=4)

# %% [markdown]
# To browse the dataset at your own pace, use the interactive browser below (it needs `ipywidgets`;
# without it, for example when running outside Jupyter, you get a static figure with the first samples
# instead).

# %%
dataset_browser(val_set)

# %% [markdown]
# ### Data augmentation for segmentation
#
# In classification, rotating or flipping the image does not change the label ("bus" is still "bus"). In
# segmentation the label **is an image**: every geometric transformation (cropping, flipping, rescaling,
# rotation) must be applied **to the image and the label together, with the same random parameters**;
# otherwise the bus moves to the left while its label stays on the right. Colour-only transformations
# (brightness, contrast) change only the image.

# %% [markdown]
# **Prediction (before you run).** To upsample the image we use bilinear interpolation. And the label? It
# stores class indices (0 = background, 1 = bus, 2 = person, 255 = void). What would bilinear interpolation
# do at the boundary between the background (0) and a person (2)? And near a void pixel? Write your
# prediction in the cell below, and only then run the figure.

# %% [markdown]
# _Write your answer here._

# %%
plots.label_interpolation_demo(train_set[0][1], args["classes"])

# %% [markdown]
# Compare with your prediction. The mean of 0 and 2 is 1: bilinear interpolation **invents a bus** along the
# outline of every person, and near void (255) it creates numbers that are not even classes. Indices are not
# quantities you can average; for the label, always use the **nearest neighbour**
# (`InterpolationMode.NEAREST`).
#
# `VOCSubset` already does this with `augment=True` (and so does `make_loaders` with
# `args["augment"] = True`): a random zoom between 0.5× and 1.5× (bilinear on the image, nearest neighbour on
# the label), a random crop and a horizontal flip with probability 1/2, drawn once and applied to both. The
# original course used no data augmentation, which is why the default is `False`; notebook 05 measures the
# effect. Below, the same training image is augmented four times: in each version, the label follows the
# image.

# %%
augmented_set = VOCSubset(args["root"], "train", classes=args["classes"], size=size, augment=True, verbose=False)
torch.manual_seed(args["seed"])
versions = [augmented_set[0] for _ in range(4)]
plots.show_predictions(torch.stack([image for image, _ in versions]), torch.stack([label for _, label in versions]),
                       torch.stack([label for _, label in versions]), classes=args["classes"],
                       title="Four random draws of data augmentation on the same image (the label is shown as the 'prediction')")

# %% [markdown]
# ### How many pixels does each class have?
#
# Counting the pixels of the training labels (central crops, void left out):

# %%
def count_class_pixels(dataset, num_classes):
    """Pixels of each class over every label of ``dataset`` (void, 255, left out)."""
    counts = torch.zeros(num_classes, dtype=torch.int64)
    for _, label in dataset:
        counts += torch.bincount(label[label != VOID].reshape(-1), minlength=num_classes)
    return counts


# %%
train_pixel_counts = count_class_pixels(train_set, args["n_classes"])
plots.pixel_frequencies(train_pixel_counts, args["classes"])

# %% [markdown]
# The background dominates. With cross-entropy every pixel has the same weight, and a network that answered
# "background" everywhere would already get most pixels right (but it would have an IoU of 0 for bus and for
# person: one more reason to report `miou_fg`). In notebook 03 (exercise 5) you will compute class weights
# from these counts and write the Dice loss; notebook 05 measures whether balancing the classes helps here.

# %% [markdown]
# ## The `DataLoader`s
#
# Finally, `make_loaders(args)` builds the two `DataLoader`s (training shuffled, validation in a fixed
# order) from the dictionary of hyperparameters. This is the line that the following notebooks use.

# %%
train_loader, val_loader = make_loaders(args)
images, labels = next(iter(train_loader))
print(f"batches per epoch: train {len(train_loader)}, val {len(val_loader)}")
print("images:", tuple(images.shape), images.dtype)
print("labels:", tuple(labels.shape), labels.dtype)
print("label values in this batch:", torch.unique(labels).tolist())

# %% [markdown]
# Images arrive as `[B, 3, H, W]` (float) and labels as `[B, H, W]` (`int64` integers, the type that
# `CrossEntropyLoss` expects), with values in `0..n_classes-1` and 255 on void pixels.
#
# ## Summary
#
# * $IoU = TP/(TP+FP+FN)$, $Dice = 2TP/(2TP+FP+FN) = 2\,IoU/(1+IoU)$; the mIoU is the mean over classes.
# * Void pixels (255) are ignored, not treated as background.
# * A single confusion matrix per set: the mean over images or batches is a different number, higher or
#   lower depending on the data, and it cannot be compared with the whole-set mIoU.
# * The subset filter looks at the whole label, but the network sees the central crop: some crops are left
#   with neither bus nor person.
# * Intersection divided by the label is recall, not IoU.
# * VOC labels: read the palette indices (`np.array(Image.open(...))`), never the luminance.
#
# In **notebook 02**, we will build the first FCN, with AlexNet as the backbone.

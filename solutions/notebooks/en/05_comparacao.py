# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# [![Open in Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/fcn-course/fcn-course/blob/main/notebooks/en/05_comparacao.ipynb)

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
# <!-- generated from solutions/notebooks/05_comparacao.py and solutions/locale/en/05_comparacao.po; edit those files, then run python -m fcn_course.instructor build -->
# # 05 · Comparing the variants (Exercise 7)
#
# To look things up at any time: the [quick reference](referencia.md) gathers shapes, formulas and a glossary of the
# terms used in this course. In Colab the link above does not open (there the notebook stands alone, without the
# course's other files): use the [same page on GitHub](https://github.com/fcn-course/fcn-course/blob/main/notebooks/en/referencia.md),
# which is the file `notebooks/en/referencia.md` in the repository.
#
# You now have two FCNs, each with and without skip connections, and each can start from ImageNet weights or
# from scratch. Which of these choices makes the biggest difference? In this notebook we answer with a
# **controlled experiment**: train every combination and compare them, changing one choice at a time.
# In the `full` profile, the eight variants train with the same data, epochs and learning rate; in
# `demo`, VGG16 trains with smaller settings, as you will see below.
#
# | Notebook | Contents |
# |---|---|
# | 01 · Data and metrics | hyperparameters, weight initialisation, metrics (IoU, mIoU, Dice), Pascal VOC 2012 and the `DataLoader`s; exercise 0 |
# | 02 · FCN with AlexNet | FCN theory, Kaiming initialisation, bilinear upsampling, skip connections; exercises 1 and 2 (FCN-AlexNet) and 3 (optimiser and loss), training and predictions |
# | 03 · Learned upsampling and losses | transposed convolution and the checkerboard pattern; exercises 4 (learned upsampling) and 5 (class weights and Dice loss) |
# | 04 · FCN with VGG16 | exercise 6: the same adaptation for a deeper network, and the paper's head that adds scores |
# | **05 · Comparison** (this one) | exercise 7: with and without skip connections, pretrained or from scratch, and the new options; what came after FCNs |
#
# **By the end of this notebook you can**
#
# 1. train the backbone × skip × pretraining grid (8 configurations) with your own classes and produce the
#    report (**Exercise 7**);
# 2. say, from the table and the figures, which of the three choices changed the mIoU the most, and where
#    (edges, small objects, which class) each configuration goes wrong;
# 3. point out what the grid does not separate (pretraining comes together with a lower learning rate for the
#    backbone);
# 4. list at least three reasons why your mIoU cannot be compared with the paper's numbers;
# 5. segment a photo of your own with the best model, in the notebook and from the command line;
# 6. place FCNs among the networks that came after them (U-Net, SegNet, DeepLab) and tell semantic, instance
#    and panoptic segmentation apart.
#
# **How long it takes.**
#
# * **Study time: ~90 min**: reading carefully (about 30 min), looking at the table and the figures, and
#   writing your predictions and answers (nine written answers). It fits in a 100-minute class if the grid
#   has already run: run it before class if you can. The two sections marked **At home (optional)**, at the
#   end, add up to about 10 min and have no graded question.
# * **Machine time**: the grid reuses the training runs of notebooks 02 and 04 when the configurations are
#   the same, so it only trains what is missing. In the `demo` profile, on a 2-core CPU: AlexNet and VGG16
#   without skip connections (about 1 minute each), plus the comparison of options (five short AlexNet runs);
#   the pretrained ones show up as skipped if the weights are not on disk (`demo` never downloads weights).
#   In the `full` profile there are 8 runs of 50 epochs on VOC: see the "Time budget" table in the
#   `README.md`.

# %% [markdown]
# ## Setup
#
# The imports and the hyperparameters, as in the previous notebooks.

# %%
import shutil
from dataclasses import replace
from pathlib import Path

import numpy as np
import torch
from IPython.display import Image, Markdown, display

from fcn_course import checks, experiments, plots, quiz, runs
from fcn_course.config import course_args, seed_everything
from fcn_course.data import VOCSubset, prepare_data
from fcn_course.definitions import load_definitions
from fcn_course.metrics import ConfusionMatrix
from fcn_course.predict import load_model_from_checkpoint, predict_image, save_prediction
from fcn_course.widgets import prediction_explorer

# %%
# %matplotlib inline

args = course_args()
seed_everything(args["seed"])

print("device:", args["device"])
prepare_data(args)  # says which profile runs, and writes the synthetic dataset when it needs one

# %% [markdown]
# ### Your code from notebooks 02, 03 and 04
#
# The comparison uses **your** implementations: the two FCNs, the optimiser, the criterion and the loss, as
# well as the learned upsampling and the class weights. As in notebook 04, they are loaded from the notebooks
# where you wrote them, with `load_definitions` (which runs only the definition cells of those notebooks). If
# you fix something there, save that notebook and run this cell again: the code stays in one place.

# %%
from_02 = load_definitions("02_fcn_alexnet.ipynb",
                           names=["FCN_AlexNet", "make_optimizer", "compute_loss", "make_criterion"])
from_04 = load_definitions("04_fcn_vgg16.ipynb", names=["FCN_VGG16"])

FCN_AlexNet = from_02["FCN_AlexNet"]
make_optimizer = from_02["make_optimizer"]
compute_loss = from_02["compute_loss"]
make_criterion = from_02["make_criterion"]
FCN_VGG16 = from_04["FCN_VGG16"]
# For the comparison of the new options (exercises 4 and 5 of notebook 03, and the pixel counts of notebook 01):
from_03 = load_definitions("03_upsampling_e_perdas.ipynb", names=["with_learned_upsampling", "class_weights"])
with_learned_upsampling = from_03["with_learned_upsampling"]
class_weights = from_03["class_weights"]
count_class_pixels = load_definitions("01_dados_e_metricas.ipynb", names=["count_class_pixels"])["count_class_pixels"]

model_classes = {"alexnet": FCN_AlexNet, "vgg16": FCN_VGG16}
print("models:", {name: cls.__name__ for name, cls in model_classes.items()})
# Your four pieces travel together: the grid builds each run's network, optimiser and loss from them.
ingredients = experiments.TrainingIngredients(model_classes, make_optimizer, compute_loss, make_criterion)

# %% [markdown]
# ## Exercise 7: the experiment grid
#
# The original course asked you to *compare the performance of FCNs with and without skip connections, and with
# the backbone pretrained or not*. The exercise is to run the grid below and answer questions 1 to 5 of the
# "Reflection questions" section; it has no automatic self-check cell. With the two backbones, there are
# $2 \times 2 \times 2 = 8$ configurations:
#
# | | no skip, from scratch | with skip, from scratch | no skip, pretrained | with skip, pretrained |
# |---|---|---|---|---|
# | **AlexNet** | `alexnet-noskip-scratch` | `alexnet-skip-scratch` | `alexnet-noskip-pretrained` | `alexnet-skip-pretrained` |
# | **VGG16** | `vgg16-noskip-scratch` | `vgg16-skip-scratch` | `vgg16-noskip-pretrained` | `vgg16-skip-pretrained` |
#
# For the comparison to be fair, **only what is being compared may change** from one configuration to
# another. If VGG16 trained for more epochs than AlexNet, we would not know whether the difference came from
# the backbone or from the training time.
#
# * **In the `full` profile**, the data, the image size, the number of epochs, the learning rate, the batch
#   size and the seed are the same in all eight configurations.
# * **In the `demo` profile**, they are not: to fit in minutes of CPU time, VGG16 trains on 48 images,
#   96×96 crops, 10 epochs and `lr=3e-4`, against all the images, 160×160, 12 epochs and `lr=1e-3` for
#   AlexNet. There, compare skip against no skip **within** each backbone; AlexNet against VGG16 is not a
#   fair comparison.
#
# There is one exception, and you programmed it yourself in exercise 3: in the pretrained configurations, your
# `make_optimizer` trains the backbone with `lr × 0.1`; in the from-scratch configurations, with `lr`. So
# "pretrained versus from scratch" changes **two** factors at once: the backbone's initial weights and its
# learning rate. Separating them would take a control, for example a network trained from scratch whose
# backbone also learns at `lr × 0.1`. The grid does not run that control: when you read the table, put the
# difference down to both changes together.
#
# The work is done by `experiments.run_grid`: for each configuration, it creates the network with your class,
# builds the optimiser with your `make_optimizer` (which receives the configuration's `pretrained` and `skip`)
# and trains with `engine.fit`. Each configuration gets its own folder with `history.json`, `last.pt` and
# `best.pt`. If training is interrupted, run the cell again: finished configurations are reused, and the
# interrupted one picks up where it stopped.
#
# **What it costs.** In the `full` profile, there are 8 runs of 50 epochs on 224×224 images: on a GPU, from
# tens of minutes to a few hours, depending on the GPU; on a CPU, many hours (estimates, not measurements).
# Most of the time goes to the VGG16 configurations, where each iteration costs about 21 times as much as
# with AlexNet on a CPU (notebook 04). If time is short, reduce `args["epoch_num"]` (for example to 20), but
# **for all** configurations. In the `smoke` profile, the grid is tiny (64×64 images, 12 images per set,
# 2 epochs) and runs in seconds. In the `demo` profile, the grid's report says which settings VGG16 used.

# %% [markdown]
# ### Before running: your predictions
#
# Scientists write down their hypothesis before the experiment; afterwards, the comparison is what teaches
# you. Answer **before** running the grid, and do not read the "Reading the results" section yet (it comes
# after the questions). You may argue from what you have already seen: the paper's table in notebook 02 and
# your own training run in notebook 02.
#
# **Prediction 1.** Rank the three choices (backbone, skip, pretraining) from the one that will change the
# mIoU the most to the one that will change it the least, and say why. Think of the real VOC, even if you run
# `demo`.
#
# **Prediction 2.** In which regions of the images do you expect the versions with skip connections to be
# more accurate? Will the difference in mIoU be large or small in your profile?

# %% [markdown] tags=["points:4"]
# ### BEGIN SOLUTION
# Student's answer: any well-justified order is accepted (the criteria are in `solutions/rubric.md`).
# Expected order on the real VOC (an expectation, not yet measured by the course): pretraining, then the
# backbone, then skip; the gain from skips shows at the edges and on small objects. In `demo`, the gain from
# skips in mIoU is large, because the synthetic people are thinner than one cell of the stride-32 grid.
# ### END SOLUTION

# %%
GRID_DIR = args["runs_dir"] / ("grid-smoke" if args["smoke"] else "grid")
if args["smoke"] and GRID_DIR.exists():
    shutil.rmtree(GRID_DIR)  # smoke runs are cheap: always start from a clean folder
print("grid folder:", GRID_DIR)
print(f"settings: {args['epoch_num']} epochs, {args['h_size']}x{args['w_size']} px, batch {args['batch_size']}, "
      f"lr {args['lr']}, max_samples {args['max_samples']}")

# %%
grid = experiments.run_grid(ingredients, args, GRID_DIR,
                            backbones=("alexnet", "vgg16"), skips=(False, True), pretrained=(False, True),
                            reuse_from=args["runs_dir"])  # the runs of notebooks 02 and 04 are not trained twice

# %% [markdown]
# ### Skipped configurations: pretrained weights that could not be loaded
#
# A "pretrained" configuration needs the ImageNet weights (`alexnet-owt-7be5be79.pth` and
# `vgg16-397923af.pth`). If they cannot be loaded (no internet and no local copy), the configuration shows up
# as **skipped**, with the reason (the cell's output says `skipped`). It is **never** trained with random
# weights in place of the pretrained ones. In the `demo` and `smoke` profiles the course never downloads
# weights: the pretrained configurations only run if the files are already in PyTorch's cache or in
# `FCN_COURSE_WEIGHTS`; otherwise, they show up as skipped, with the reason.
#
# Why not "carry on" with random weights? Because the table row would say `pretrained` while measuring
# something else: a run from scratch (and, on top of that, with the backbone learning 10× more slowly, because
# your optimiser thinks it is already trained). The experiment's conclusion ("pretraining does not help")
# would be false, and nothing in the report would give the mistake away. A missing result is honest; a result
# with the wrong label misleads.
#
# To include these configurations, put the files in PyTorch's cache (`~/.cache/torch/hub/checkpoints/`) or
# in a folder named by the environment variable `FCN_COURSE_WEIGHTS`, and run the grid again: the
# configurations that already finished are reused.

# %%
for run in grid.runs:
    if run.status == "skipped":
        print(f"{run.name}: skipped")
        print("   " + "\n   ".join(run.reason.splitlines()[:4]))
    else:
        print(f"{run.name}: {run.status}")

# %% [markdown]
# ## The report
#
# `write_report` saves a table (`report.md` and `report.csv`) and three figures in the grid's folder:
# `curves.png` (learning curves), `per_class.png` (IoU per class) and `qualitative.png` (each configuration's
# predictions on the same validation images).

# %%
paths = grid.write_report(GRID_DIR)
for name, path in paths.items():
    print(f"{name:>16}: {path}")

# %% [markdown]
# ### The table
#
# Each row has: the best validation mIoU without the background (`best mIoU(fg)`) and the epoch where it
# occurred (those are the weights saved in `best.pt`), the mIoU of the last epoch (`final mIoU(fg)`), the IoU
# of each class, the mean Dice without the background, the pixel accuracy, the number of parameters and the
# training time per epoch. The per-class IoUs and the Dice are those of the best epoch. The table shows both
# mIoUs, the best epoch's and the last epoch's, because the best one is optimistic (see "Honest evaluation",
# further down).

# %%
display(Markdown(grid.markdown_table()))

# %% [markdown]
# ### Learning curves
#
# On the left, the validation mIoU; on the right, the training loss. Same colour = same backbone and same
# initialisation; solid line = with skip, dashed line = without skip.

# %%
display(Image(filename=str(paths["curves.png"])))

# %% [markdown]
# ### IoU per class
#
# The mIoU is an average, and it hides differences between the classes. In the chart below, each group of bars
# is a class, and each bar is a configuration (hatched bars = without skip).

# %%
display(Image(filename=str(paths["per_class.png"])))

# %% [markdown]
# ### Predictions side by side
#
# The same validation images, with the ground truth and each configuration's prediction (weights from
# `best.pt`). Here you see what the numbers do not show: blurry or sharp edges, small objects found or
# missed.

# %%
if "qualitative.png" in paths:
    display(Image(filename=str(paths["qualitative.png"])))
else:
    print("qualitative.png was not written: see report.md for the reason")

# %% [markdown]
# ## Reflection questions
#
# Answer in the cells below, based on **your** results: the table, the curves and the figures above. Do it
# **before** reading the next section, "Reading the results". First compare what you see with your
# predictions 1 and 2; the next section then tells you what to expect on the real VOC. The grading criteria
# are in the `README.md` of the `notebooks/` folder.
#
# What each profile lets you answer:
#
# * **`full`**: every question, with all eight configurations;
# * **`demo`**: pretraining is left out (nothing is downloaded), and AlexNet against VGG16 is not a fair
#   comparison. Answer with what your grid does compare, and say what it does not compare;
# * **`smoke`**: the numbers are noise. Answer by reasoning, and say why nothing can be concluded.

# %% [markdown]
# **1.** Of the choices your grid compares (backbone, skip, pretraining), which one changed the mIoU the most?
# Why do you think it was that one? Is there a difference in the table that cannot be put down to a single
# choice?

# %% [markdown] tags=["points:4"]
# ### BEGIN SOLUTION
# It depends on the profile (criteria in `solutions/rubric.md`).
#
# * **`full`** (what to expect; the course has not measured it on VOC yet): pretraining matters most. The
#   pretrained configurations should end up far above those trained from scratch, with either backbone. The
#   bus/person subset has only a few hundred images, and a backbone with millions of weights trained from
#   scratch memorises the training set without learning features that generalise; with the ImageNet weights,
#   the network already extracts edges, textures and object parts. A good answer notes that, in the grid,
#   pretraining comes together with the 10× lower learning rate for the backbone, and that the grid does not
#   separate the two effects. Next comes the backbone (VGG16 > AlexNet, as in Table 1 of the paper) and,
#   last, the skip connections.
# * **`demo`**: only skip can be compared fairly, and it changes the mIoU a lot (measured on a CPU, seed 0,
#   best epoch: +0.30 for AlexNet and +0.38 for VGG16). A good answer says that pretraining did not run and
#   that the AlexNet × VGG16 difference mixes the backbone with the data, the image size, the epochs and the
#   `lr`.
# ### END SOLUTION

# %% [markdown]
# **2.** Open the figure with the side-by-side predictions. In which parts of the images are the versions with
# skip connections more accurate than those without? In your grid, is the mIoU difference between them large
# or small compared with the difference you see in the figures? Explain the size of that difference from what is in the
# images of your dataset.

# %% [markdown] tags=["points:4"]
# ### BEGIN SOLUTION
# At the edges of objects and on small objects (a person in the background, legs, arms). Without skips, the
# network decides on a grid 32× coarser than the image, and the bilinear upsampling rounds off the outlines;
# with pool3 or pool4 (pool1 or pool2 in AlexNet), the network has finer spatial information.
#
# * **`full`** (expected): the difference in mIoU is small. Edge pixels are few compared with the pixels
#   inside the objects and in the background, which both versions already get right, and the IoU counts
#   pixels. In the paper, FCN-16s gains 3 points over FCN-32s, and FCN-8s only 0.3 more.
# * **`demo`**: the difference is large (+0.30 mIoU(fg) for AlexNet, seed 0, best epoch), because the
#   synthetic people have arms and legs thinner than one cell of the stride-32 grid: without skips, whole
#   people disappear, not just their edges (person IoU 0.57 with skips against 0.18 without).
# ### END SOLUTION

# %% [markdown]
# **3.** Compare the IoU of the bus with that of the person. Which one is higher in your best configurations?
# Which characteristics of the two classes explain the result?

# %% [markdown] tags=["points:4"]
# ### BEGIN SOLUTION
# It depends on the balance between two effects, and the answer should rest on the grid's numbers. In favour
# of the bus: it is large, rigid and has a simple outline, so most of its pixels lie far from the edges, and
# an error of a few pixels along the outline weighs little in the IoU. Against the person: it is smaller,
# articulated, has thin parts (arms, legs) that vanish on a stride-32 grid, and appears in groups and partly
# hidden. In favour of the person: it is the most frequent class in VOC, so the network sees many more
# examples of people than of buses. The expectation (not yet measured on VOC) is that, in pretrained
# networks, the bus gets an IoU equal to or higher than the person's; from scratch, with few buses in the
# training set, the person may win. In the measured `demo`, the bus wins comfortably (0.88 against 0.57 for
# AlexNet with skips).
# ### END SOLUTION

# %% [markdown]
# **4.** Is your best mIoU comparable to the 62.7 of FCN-8s in the paper? Name at least three differences
# between the two measurements.

# %% [markdown] tags=["points:4"]
# ### BEGIN SOLUTION
# No. (1) Classes: the paper averages over the 21 VOC classes, background included; we use 3 classes and
# report the mean without the background (`miou_fg`), that is, over bus and person only. (2) Evaluation set:
# the paper uses seg11valid (736 images from the VOC 2011 validation set, footnote 7 of the paper); we use the
# VOC 2012 validation set, filtered (only images with at least two of our classes). (3) Resolution: the paper
# evaluates the whole image; we evaluate 224×224 centre crops. (4) Training data: the paper trains on the
# 8,498 SBD training images, with the 20 object classes; we train on a few hundred. (5) Architecture: the
# paper adds scores upsampled by transposed convolutions; we concatenate features. (6) Choice of epoch: our
# "best mIoU" was chosen on the validation set itself. Comparing numbers only makes sense when they were
# measured under the same rules.
# ### END SOLUTION

# %% [markdown]
# **5.** VGG16 is much slower than AlexNet (see the seconds-per-epoch column). In what situation would you
# choose FCN-AlexNet anyway?

# %% [markdown]
# ### BEGIN SOLUTION
# When cost matters more than the last few points of mIoU: to test ideas quickly (a change in the
# preprocessing, the loss, the hyperparameters) before spending hours on VGG16; with little computing power
# (CPU only); or to run segmentation in real time on modest hardware. A conclusion drawn with AlexNet (for
# example, "pretraining helps a lot") usually holds for VGG16 too, so it works well as a draft network. (Today,
# for these cases, we would use modern lightweight backbones, such as the MobileNets.)
# ### END SOLUTION

# %% [markdown]
# ## Reading the results (read after answering)
#
# Now compare your predictions 1 and 2, and your answers, with what each profile shows.
#
# ### What each profile lets you conclude
#
# * **`demo`** (the default without VOC): networks trained from scratch for a few minutes on the synthetic
#   VOC. The lesson about skip connections stands out clearly. Measured on a 2-core CPU (seed 0, best
#   validation epoch): AlexNet with skips reaches 0.724 mIoU(fg) and without skips 0.424, and the person IoU
#   drops from 0.57 to 0.18. The synthetic people have arms and legs thinner than one cell of the stride-32
#   grid; in the qualitative figure, without skips, they turn into blobs. VGG16 trains with fewer images and
#   smaller crops, so the order between AlexNet and VGG16 in `demo` teaches nothing about backbones.
#   Pretraining does not appear, because nothing is downloaded.
# * **`smoke`**: 2 epochs on a dozen 64×64 drawings; the differences are chance. It shows that the code runs
#   from start to finish; **do not draw conclusions from it**.
# * **`full`**: the complete training on the real VOC. What changes compared with `demo`: real photos (people
#   of every size, partly hidden buses), ImageNet pretraining and 50 epochs. The course has not yet run these
#   eight configurations on VOC: what follows is what is **expected**, based on the paper, not a measurement.
#   The expected range for each configuration is in the instructor's materials.
#
# ### What to expect on the real VOC
#
# * **Pretrained ≫ from scratch.** This should be the strongest effect in the grid. The subset with buses
#   and people has a few hundred training images, far too few to learn the millions of weights of a backbone
#   from scratch. The ImageNet weights (1.2 million images) already know how to detect edges, textures and
#   object parts; the FCN only has to learn to combine them into per-pixel labels. Remember that the grid
#   also changes the backbone's learning rate: the measured effect belongs to both factors together. The
#   authors of the FCN paper did not even train from scratch: they wrote that it "is not feasible" because
#   of the **time** needed to learn the base classification networks (§4.3), an argument about computing
#   cost, not about a lack of data.
# * **With skip > without skip**, above all at the **edges** and on **small objects**. Without skips, the
#   prediction is made on a grid 32× coarser than the image (7×7 for VGG16 and 6×6 for AlexNet, at
#   224×224) and then upsampled: edges come out rounded, and an object smaller than one cell of that grid can
#   vanish. The pool3 or pool4 features bring the spatial detail back. Since edges are a small fraction of
#   the pixels in real photos, the gain in mIoU should be smaller than the visual gain.
# * **VGG16 > AlexNet**, at the cost of much slower training (see the seconds-per-epoch column).
#
# ### The paper's numbers, for reference
#
# Long, Shelhamer and Darrell (2015, [arXiv:1411.4038](https://arxiv.org/abs/1411.4038)) measured the *mean IU* (mean intersection over union, their
# name for the mIoU) over the 21 VOC classes:
#
# | Table 1 (VOC 2011 validation) | mean IU |
# |---|---|
# | FCN-AlexNet | 39.8 |
# | FCN-VGG16 | 56.0 |
#
# | Table 2 (FCN-VGG16, validation subset "seg11valid") | mean IU |
# |---|---|
# | FCN-32s-fixed (only the last layer trained; the rest frozen) | 45.4 |
# | FCN-32s (no skip) | 59.4 |
# | FCN-16s (skip from pool4) | 62.4 |
# | FCN-8s (skips from pool4 and pool3) | 62.7 |
#
# Notice three things. Fine-tuning the whole network (59.4) is much better than training only the last layer
# (45.4). The paper fine-tunes all layers with the same learning rate (§4.3); your optimiser also trains the
# backbone, but with a 10× lower rate, a common choice inherited from the original course. The first skip
# connection is worth 3 points and the second only 0.3: each skip you add gains less than the one before. And
# changing the backbone (Table 1) matters more than the skip connections.
#
# And one caveat: the FCN-VGG16 of Table 1 (56.0) and the FCN-32s of Table 2 (59.4) are **the same network**
# (the caption of Table 2 says that FCN-32s is FCN-VGG16 "renamed"). The 3.4 points between them come from
# also training on the extra SBD images (Hariharan et al.) and from evaluating on another validation subset
# (seg11valid, 736 images), not from a change of architecture. It is a good example of the topic of the next
# section.
#
# ### Why numbers from different papers do not match
#
# Failing to reproduce a paper's mIoU is common, and not always because someone made a mistake. The mIoU
# changes with:
#
# * **the evaluation set**: VOC 2011 validation, "seg11valid", VOC 2012 validation or the test server give
#   different numbers for the same model;
# * **the classes and the average**: 21 classes including the background, or only the objects (`miou`
#   versus `miou_fg`); our subset has only 3 classes;
# * **the way it is computed**: one confusion matrix for the whole set, or the mean of per-image IoUs (a
#   different number, which can come out higher or lower, as we saw in notebook 01); void ignored or
#   counted as background;
# * **the training data**: many works (the FCN paper included) also train on the extra images annotated by
#   Hariharan et al. (the SBD set: 11,355 images, 8,498 of them for training and 2,857 for validation);
# * **the resolution**: whole images or 224×224 crops (as here).
#
# That is why our mIoU (two object classes, filtered validation images, 224×224 crops) **is not comparable**
# to the 62.7 of FCN-8s. Comparisons hold within the same grid, under the same rules.
#
# ### Bus or person?
#
# Go back to your answer to question 3. A bus is usually a large, rigid object with a simple outline; a
# person is smaller, articulated, has thin arms and legs, appears in groups and is often partly hidden. On the
# other hand, VOC has many more people than buses, so the network sees many more examples of people. Which
# effect won in your grid?

# %% [markdown]
# ### Honest evaluation: who chose `best.pt`?
#
# The `best.pt` of each configuration is the epoch with the **highest validation mIoU**, and the table's
# `best mIoU(fg)` column reports that same mIoU. We use the same set to **choose** and to **measure**: among
# 50 epochs, the best one is partly the one that got lucky on those images, so the reported number is
# **optimistic** (the selection error goes away if we measure again on images that played no part in the
# choice). The same goes for comparing many configurations and reporting the best one.
#
# The honest protocol: set aside part of the **training set** (for example 10 to 20% of the images) as a
# validation set to choose the epoch, the hyperparameters and the configuration; train on the rest; and
# measure on the VOC validation set **only once**, at the end, with the chosen model. The course does not do
# this, to keep the notebooks simple and faithful to the original.
#
# That is why the course always shows both measures. The grid's table has the mIoU of the best epoch
# (`best mIoU(fg)`) and that of the last one (`final mIoU(fg)`), and the cell below shows the difference
# between them. Read the best one as an optimistic upper bound, and compare configurations by the **last**
# one, which was not chosen by looking at the validation set. The measured numbers that the course's texts
# quote (such as the 0.724 of `demo`) are from the best epoch, and the text says so each time.
#
# Another difference in protocol: we measure 224×224 **centre crops**, not the whole image (the paper
# evaluates the whole image). The crop loses the borders of the photo, which is sometimes exactly where the
# bus or the people are, and the FCN, which accepts any size, could be evaluated on the whole image (one image
# per batch, because the sizes vary).

# %%
for run in grid.runs:
    if run.has_scores():
        best, last = run.best_val(), run.final_val()
        print(f"{run.name:<26} best {best['miou_fg']:.4f} (epoch {best['epoch']})  last {last['miou_fg']:.4f}  "
              f"optimism {best['miou_fg'] - last['miou_fg']:+.4f}")

# %%
quiz.ask("best-checkpoint")

# %% [markdown]
# ## The new options: learned upsampling, data augmentation and weighted loss
#
# Alongside the grid, a smaller comparison on **one** configuration (FCN-AlexNet with skips, from scratch),
# changing **one thing at a time** relative to the baseline. The five runs use the settings in `args` with
# **half the epochs**, to fit the profile's time budget. Across them, the epochs, the batch size, the learning
# rate and the seed are the same. Compare the options with each other, not with the run of notebook 02,
# which had twice as many epochs.
#
# | option | what changes | exercise |
# |---|---|---|
# | baseline | fixed bilinear interpolation, no augmentation, plain cross-entropy | 2 and 3 |
# | frozen upsampling | bilinear transposed convolution, not trained | 4 |
# | learned upsampling | the same convolution, trained | 4 |
# | data augmentation | `augment=True` (zoom, crop and flip) | notebook 01 |
# | weighted loss | `CrossEntropyLoss(weight=class_weights(...))` | 5 |

# %%
quiz.ask("one-change")

# %% [markdown]
# **Prediction 3 (before running).** Which of the four changes do you expect to help most on the validation
# set? Could any of them make things worse? For learned upsampling, start from your answer to reflection
# question A in notebook 03.

# %% [markdown]
# ### BEGIN SOLUTION
# Student's answer (criteria in `solutions/rubric.md`). A good guess tells the three mechanisms apart. Data
# augmentation fights overfitting when there is little data and enough epochs; with half the epochs, it may
# even slow learning down. In the paper, mirroring and random shifts of up to 32 pixels "yielded no
# noticeable improvement" (§4.3, "Augmentation"). Learned upsampling should change little: it starts out
# identical to the frozen one, and the authors' repository reports that learning the bilinear kernels or
# keeping them fixed made no significant difference (in its FAQ). The weighted loss trades correct background
# pixels for correct object pixels; the paper found class balancing unnecessary (§4.3, "Class Balancing"),
# but there the background is about 3/4 of the pixels and there are 21 classes.
# ### END SOLUTION

# %%
OPTIONS_DIR = args["runs_dir"] / ("options-smoke" if args["smoke"] else "options")
if args["smoke"] and OPTIONS_DIR.exists():
    shutil.rmtree(OPTIONS_DIR)  # smoke runs are cheap: always start from a clean folder

counting_set = VOCSubset(args["root"], "train", classes=args["classes"], size=(args["h_size"], args["w_size"]),
                         max_samples=args["max_samples"], verbose=False)
weights = class_weights(count_class_pixels(counting_set, args["n_classes"]))
print("class weights:", dict(zip(args["classes"], [round(w, 3) for w in weights.tolist()])))

# Half the epochs of the profile: five runs fit the time budget. Compare the options with each other (same
# epochs, same seed), not with the run of notebook 02.
option_args = {**args, "epoch_num": max(1, args["epoch_num"] // 2)}


def weighted_criterion():
    return torch.nn.CrossEntropyLoss(weight=weights.to(args["device"]), ignore_index=255)


def with_alexnet(alexnet_class):
    """Your ingredients with another AlexNet class (the one change of an option)."""
    return replace(ingredients, model_classes={"alexnet": alexnet_class})


options = {  # label -> (ingredients, settings): one change at a time
    "baseline (fixed bilinear)": (ingredients, option_args),
    "frozen upsampling": (with_alexnet(with_learned_upsampling(FCN_AlexNet, learnable=False)), option_args),
    "learned upsampling": (with_alexnet(with_learned_upsampling(FCN_AlexNet, learnable=True)), option_args),
    "data augmentation": (ingredients, {**option_args, "augment": True}),
    "weighted loss": (replace(ingredients, make_criterion=weighted_criterion), option_args),
}
option_runs = {}
folders = ["base", "upsampling-frozen", "upsampling-learned", "augment", "weighted-loss"]
for folder, (label, (option_ingredients, settings)) in zip(folders, options.items()):
    option_runs[label] = experiments.train_configuration(option_ingredients, "alexnet", "8s", False, settings,
                                                         OPTIONS_DIR / folder, progress=False)

# %%
for label, run in option_runs.items():
    best, last = run.best_val(), run.final_val()
    if best:
        print(f"{label:<22} val mIoU(fg): best {best['miou_fg']:.4f} (epoch {best['epoch']}), "
              f"last {last['miou_fg']:.4f} (epoch {last['epoch']})")
    else:
        print(f"{label:<22} {run.status}")
plots.option_comparison(option_runs, args["classes"])

# %% [markdown]
# Compare with your prediction 3 and with your answer to reflection question A in notebook 03. The figure and
# the printed table show the best epoch and the last one; compare the options by the last one. In the `smoke`
# profile, these numbers are noise. In the `demo` profile (synthetic dataset, a few minutes of CPU time), the
# differences already show, but with a single seed a difference of one or two points may still be chance: an
# option only really "helps" if the gain holds up with other seeds.

# %% [markdown]
# **Prediction 3, after the measurement.** Which part of your prediction 3 (or of question A) did the
# measurement contradict? Suggest an explanation for the difference and a test that would confirm it (another
# seed, more epochs, another profile...). If everything was confirmed, say which result looks the most
# fragile to you, and why.

# %% [markdown] tags=["points:4"]
# ### BEGIN SOLUTION
# Open answer: what counts is an honest comparison between what was predicted and what was measured, with the
# numbers from the cell above. Explanations that often come up: with half the epochs, data augmentation has
# not paid off yet (or it slowed learning down); the learned layer barely moved away from bilinear, and its
# difference from the frozen one is within the chance of a single seed; the weighted loss raised the person
# IoU and lowered the background's. A good test: repeat with other seeds (and, for augmentation, with more
# epochs) and see whether the order holds.
# ### END SOLUTION

# %% [markdown]
# ## Exploring the predictions
#
# The explorer below loads the `best.pt` of each trained configuration. Pick a configuration and an image: it
# shows the image, the prediction, the ground truth and an error map (wrong pixels in red, void pixels in
# grey). Without `ipywidgets` (or outside Jupyter), you get a static figure with the first images of the first
# configuration instead.

# %%
val_set = VOCSubset(args["root"], "val", classes=args["classes"], size=(args["h_size"], args["w_size"]),
                    max_samples=args["max_samples"])
prediction_explorer(GRID_DIR, val_set, model_classes=model_classes)

# %% [markdown]
# ## Reading the errors: the confusion matrix
#
# The IoU tells you **how much** the network gets wrong; the confusion matrix tells you **how**. Each row is a
# true class, each column a predicted class, and each row has been divided by the class's total number of
# pixels: the diagonal is the fraction of each class's pixels that the network got right (its *recall*), and
# off the diagonal you see where the pixels it got wrong went. Below: the best trained configuration, on the
# validation crops.

# %%
best_run = max((run for run in grid.runs if run.has_scores()), key=lambda run: run.best_val()["miou_fg"])
best_model = load_model_from_checkpoint(runs.checkpoint_path(best_run.run_dir, "best"), model_classes,
                                        device=args["device"])
confusion = ConfusionMatrix(args["n_classes"])
with torch.no_grad():
    for image, label in val_set:
        confusion.update(best_model(image[None].to(args["device"])).cpu(), label[None])
plots.confusion_matrix_figure(confusion.matrix, args["classes"], title=f"{best_run.name} (best.pt, validation)")

# %% [markdown]
# **Reflection question 6: error analysis.** Use the explorer above and the confusion matrix to **find three
# failure modes** of the best configuration. For each one: describe what happens (with the name of an example
# image), say which cell of the confusion matrix it feeds, and suggest a cause (resolution, context, rare
# class, void label, cropping...) and something that would fix it.

# %% [markdown] tags=["points:6"]
# ### BEGIN SOLUTION
# Typical modes (criteria in `solutions/rubric.md`): (1) rounded outlines: person and bus pixels at the edge
# predicted as background (person/bus rows, background column), cause: prediction on a grid of stride 8 to
# 32, remedy: finer skips or learned upsampling; (2) small or distant people who vanish entirely (same cell),
# cause: the object is smaller than one cell of the deep grid and the background dominates the loss, remedy:
# a skip from pool3, weighted loss; (3) bus ↔ person confusion where they touch (people inside or in front of
# the bus), cause: shared context, remedy: more data or data augmentation; (4) background predicted as an
# object on similar textures (false positives, the object's column), cause: too little variety in training.
# ### END SOLUTION

# %% [markdown]
# ## At home (optional): segment an image of your own
#
# This part and the next are for after class. Neither has a graded question.
#
# An FCN accepts images of any size. `fcn_course.predict` has the three functions you need to use a trained
# model on any photo:
#
# 1. `load_model_from_checkpoint(path_to_best.pt, model_classes=...)` rebuilds the network from the
#    checkpoint (with your classes);
# 2. `predict_image(model, image_path)` returns the class of each pixel, at the photo's original size (and
#    the probabilities);
# 3. `save_prediction(image_path, label, classes, out_dir)` saves the mask in the VOC format
#    (`<name>_mask.png`) and the photo with the classes painted over it (`<name>_overlay.png`).
#
# **How to use your photo.** Put it in the same folder as this notebook, named `minha_foto.jpg` (Portuguese for
# "my photo"), or change `MY_IMAGE` below. In Colab, upload the file from the sidebar (folder icon → *Upload to session storage*)
# or in a cell:
#
# ```python
# from google.colab import files
# uploaded = files.upload()          # opens a file chooser
# MY_IMAGE = Path(next(iter(uploaded)))
# ```
#
# If the photo is not found (as in the `demo` and `smoke` profiles), we use a validation image. Phone photos
# are large: the FCN accepts any size, but uses a lot of memory. Shrink the photo first, to something like
# 500 pixels on the longer side (the size of VOC photos, the scale the network knows).
#
# We use the configuration with the best validation mIoU in the grid.

# %%
MY_IMAGE = Path("minha_foto.jpg")
if MY_IMAGE.is_file():
    image_path = MY_IMAGE
else:
    image_path = val_set.images[0]
    print(f"{MY_IMAGE} not found: using the validation image {image_path.name} instead")

finished = [run for run in grid.runs if run.status == "done"]
best_run = max(finished, key=lambda run: run.best_val()["miou_fg"] if run.best_val()["miou_fg"] is not None else -1.0)
checkpoint_path = runs.checkpoint_path(best_run.run_dir, "best")  # the grid's folder, or the reused run of 02/03
print(f"model: {best_run.name} (best val mIoU(fg) {best_run.best_val()['miou_fg']:.3f})")

model = load_model_from_checkpoint(checkpoint_path, model_classes=model_classes, device=args["device"])
label, probabilities = predict_image(model, image_path)
found = [args["classes"][index] for index in np.unique(label)]
print(f"{image_path.name}: {label.shape[1]}x{label.shape[0]} pixels, classes found: {', '.join(found)}")

PREDICTIONS_DIR = GRID_DIR / "minhas_predicoes"
mask_path, overlay_path = save_prediction(image_path, label, args["classes"], PREDICTIONS_DIR)
display(Image(filename=str(overlay_path)))

# %% [markdown]
# The `_mask.png` mask is a PNG with a palette, just like the VOC labels: `np.array(Image.open(...))`
# returns the VOC class indices (0 = background, 6 = bus, 15 = person).
#
# ### From the command line
#
# You can do the same in a terminal, for one image or a whole folder of images:
#
# ```bash
# python -m fcn_course predict CHECKPOINT IMAGE_OR_FOLDER --out OUTPUT_FOLDER --models NOTEBOOKS
# ```
#
# for example, from this notebook's folder:
#
# ```bash
# python -m fcn_course predict runs/grid/vgg16-skip-pretrained/best.pt photos/ --out predictions/ \
#     --models 02_fcn_alexnet.ipynb 04_fcn_vgg16.ipynb
# ```
#
# In a notebook, put a `!` in front of the command. Careful: the command line does not see the classes
# defined in this notebook. Give it the notebooks where you wrote them, with
# `--models 02_fcn_alexnet.ipynb 04_fcn_vgg16.ipynb` (the paths are relative to the folder where the command
# runs).

# %% tags=["solution-only"]
import subprocess
import sys

# Solution notebook only: the instructor's command line rebuilds the network with the reference models
# of solutions/. Students run `python -m fcn_course predict`, which takes the classes from their
# notebooks 02 and 04.
repo_root = next(folder for folder in Path.cwd().resolve().parents if (folder / "solutions").is_dir())
command = [sys.executable, "-m", "fcn_course.instructor", "predict", str(checkpoint_path.resolve()),
           str(Path(image_path).resolve()), "--out", str((PREDICTIONS_DIR / "cli").resolve())]
completed = subprocess.run(command, cwd=repo_root, capture_output=True, text=True)
print(completed.stdout + completed.stderr)

# %% [markdown]
# ## Challenge (optional, extra): evaluate the whole image, at any size
#
# For those who want to go further: the challenge is not graded, and the rest of the notebook runs without it.
#
# The "Honest evaluation" section pointed out that we measure centre crops, although an FCN can see the whole
# image. The course's FCNs interpolate the deep features up to the size of the skip, and accept any side
# length from the backbone's minimum upwards. Many others, however (the paper's, with transposed convolutions
# and cropping, or a U-Net), require sides that are multiples of the total stride, 32. An evaluator that works
# for any of them pads the image up to the next multiple of 32, predicts, and crops the scores back to the
# original size.
#
# Write `predict_whole_image(model, images)`: for images `[N, 3, H, W]` of any size, return the model's
# scores `[N, C, H, W]`, without resizing the image. The self-check uses a test network that refuses sides
# that are not multiples of 32, with images of awkward sizes (37×50, 33×95, 100×31...).
#
# To go further: with your function, evaluate the `best.pt` of the best configuration on the whole validation
# images (one per batch) and compare with the mIoU on the crops. Which one is higher, and why?

# %%
import torch.nn.functional as F


def predict_whole_image(model, images, multiple=32):
    """Class scores [N, C, H, W] for images [N, 3, H, W] of any size: pad to a multiple of `multiple`, predict,
    crop back to H x W."""
    height, width = images.shape[-2:]
    ### BEGIN SOLUTION: pad the images to a multiple of `multiple`, run the model and crop the scores back to the original size
    ### DICA: `(-height) % multiple` is how much is missing to reach the next multiple; `F.pad(images, (0, pad_w, 0, pad_h))` adds columns on the right and rows at the bottom.
    ### DICA: The original image sits in the top-left corner of the padded image: its scores are the first `height` rows and `width` columns of the scores.
    ### ESQUELETO: pad_h, pad_w = ...
    ### ESQUELETO: scores = ...  # the model on the padded image (no gradient)
    ### ESQUELETO: return ...
    pad_h, pad_w = (-height) % multiple, (-width) % multiple
    with torch.no_grad():
        scores = model(F.pad(images, (0, pad_w, 0, pad_h)))
    return scores[..., :height, :width]
    ### END SOLUTION


# %%
checks.check("whole-image");

# %% [markdown]
# ## At home (optional): what came after FCNs
#
# FCNs paved the way for almost every segmentation network that came after them. Here are four ideas you will
# recognise when you meet them:
#
# * **U-Net** (Ronneberger, Fischer and Brox, 2015, [arXiv:1505.04597](https://arxiv.org/abs/1505.04597)).
#   One path that shrinks the image (the encoder) and
#   another, symmetric one that enlarges it back (the decoder), with a skip connection at **every**
#   resolution. At each level, the encoder's features are **concatenated** with the decoder's and go
#   through new convolutions. It is the operation you wrote in exercises 2 and 6 (concatenating along the
#   channel axis, instead of adding scores as the FCN paper does), only repeated at every level and with
#   learned upsampling: your FCN with skips is a simple cousin of the U-Net.
# * **SegNet** (Badrinarayanan, Kendall and Cipolla, 2015,
#   [arXiv:1511.00561](https://arxiv.org/abs/1511.00561)). Also an encoder and a decoder, but the
#   decoder upsamples the maps using the **indices** stored by each max-pooling layer of the encoder
#   (where in the window the maximum was), instead of interpolating or concatenating features.
# * **DeepLab** (Chen et al., 2014 and 2016, [arXiv:1412.7062](https://arxiv.org/abs/1412.7062) and
#   [arXiv:1606.00915](https://arxiv.org/abs/1606.00915)). Instead of shrinking the image 32 times and then upsampling it, it removes some of the
#   backbone's strides and uses **dilated convolutions** (also called *atrous*): the kernel is spread out, and
#   the receptive field grows without losing resolution (it is the `dilation` parameter in the
#   receptive-field formula of notebook 02). **ASPP** (*atrous spatial pyramid pooling*) applies dilated
#   convolutions with different rates in parallel, to see each pixel at several scales at once.
# * **Semantic, instance, panoptic.** Here we did **semantic segmentation**: each pixel gets a class, and
#   two people side by side become a single "person" blob. **Instance segmentation** separates each object
#   (person 1, person 2), usually only for the classes of countable things; Mask R-CNN (He et al., 2017,
#   [arXiv:1703.06870](https://arxiv.org/abs/1703.06870)) is the classic example. **Panoptic
#   segmentation** (Kirillov et al., 2018,
#   [arXiv:1801.00868](https://arxiv.org/abs/1801.00868)) combines the two: every pixel gets a class, and the
#   pixels of countable things also get the number of their instance.
#
# ## Summary
#
# * A controlled experiment changes one thing at a time. In the `full` profile, the 8 configurations share
#   the same data, epochs, learning rate and seed; in `demo`, VGG16 uses smaller settings, and skip is only
#   compared with no skip within each backbone. In every profile, pretraining comes together with a 10× lower
#   learning rate for the backbone: the grid measures both effects together.
# * A configuration without its pretrained weights is skipped, with the reason, and never trained with random
#   weights under the "pretrained" label.
# * What to expect on the real VOC (not yet measured by the course): pretrained ≫ from scratch; VGG16 >
#   AlexNet (but slower); skips improve edges and small objects, with a small gain in mIoU. In the measured
#   `demo`, the gain from skips is large (+0.30 mIoU(fg) for AlexNet, best epoch), because the synthetic
#   people are thin.
# * The best epoch was chosen on the validation set itself: its mIoU is optimistic. Compare by the last one.
# * The FCN paper: FCN-AlexNet 39.8 and FCN-VGG16 56.0 (Table 1); FCN-32s-fixed 45.4, FCN-32s 59.4,
#   FCN-16s 62.4 and FCN-8s 62.7 (Table 2); FCN-VGG16 and FCN-32s are the same network, with different
#   training data and a different validation set. You can only compare mIoU numbers measured on the same set,
#   with the same classes and the same way of computing them.
# * After FCNs: U-Net (concatenation at every level), SegNet (pooling indices), DeepLab (dilated
#   convolutions, ASPP); and, beyond semantic segmentation, instance and panoptic segmentation.
# * `fcn_course.predict` and `python -m fcn_course predict` apply a trained model to your photos.
#
# Congratulations: you have built, trained and evaluated FCNs from end to end!

"""Facts about Pascal VOC 2012 and the ImageNet backbones, in one place, below everything else.

What the numbers in a VOC mask mean (``VOC_CLASSES``, ``VOID``, the palette), how a mask is read, where
the files of a ``VOCdevkit`` tree live, and the ImageNet statistics every input is normalised with. The
loader (``data``), the synthetic twin (``synthetic``), the figures (``plots``) and ``predict`` all read
these from here; this module imports nothing from the course but the message catalogue (which needs only
the environment reader, and only when first asked), so it can never be part of an import circle.
"""

from __future__ import annotations

from collections.abc import Mapping

from pathlib import Path

import numpy as np
import torch
from PIL import Image
from torchvision.transforms import v2

from fcn_course.messages import text

# ----------------------------------------------------------------------------------------------------
# Classes and colours
# ----------------------------------------------------------------------------------------------------

VOC_CLASSES = (
    "background",
    "aeroplane",
    "bicycle",
    "bird",
    "boat",
    "bottle",
    "bus",
    "car",
    "cat",
    "chair",
    "cow",
    "diningtable",
    "dog",
    "horse",
    "motorbike",
    "person",
    "pottedplant",
    "sheep",
    "sofa",
    "train",
    "tvmonitor",
)
DEFAULT_CLASSES = ("background", "bus", "person")  # the course's subset (index 0 must be background)


def class_label(name: str) -> str:
    """The name students read for the VOC class ``name`` (legends, tables): ``"bus"`` -> ``"ônibus"``.

    From the message catalogue (``voc.class.<name>``); a name that is not a VOC class is returned as it is.
    """
    return text(f"voc.class.{name}") if name in VOC_CLASSES else name


class _ClassLabels(Mapping):
    """``{VOC name: the name students read}``, looked up when read: in the language active then."""

    def __getitem__(self, name):
        if name not in VOC_CLASSES:
            raise KeyError(name)
        return class_label(name)

    def __iter__(self):
        return iter(VOC_CLASSES)

    def __len__(self):
        return len(VOC_CLASSES)


# The students' name of every VOC class, as a mapping (``CLASS_LABELS.get(name, name)``); PORTUGUESE_NAMES
# is its older name.
CLASS_LABELS = _ClassLabels()
PORTUGUESE_NAMES = CLASS_LABELS

VOID = 255  # "don't know" pixels (object borders, ambiguous regions): ignored by the loss and the metrics

# Statistics of ImageNet, the data the pretrained backbones were trained on.
IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)
MEAN_COLOR = [round(255 * m) for m in IMAGENET_MEAN]  # padding color: about 0 after normalization
MEAN_COLOUR = MEAN_COLOR  # the British spelling of earlier versions


def voc_colormap() -> np.ndarray:
    """The VOC palette, ``uint8 [256, 3]``: row ``i`` is the colour of class index ``i``.

    The bits of the index are spread over the three channels, from the most significant bit down:
    bit 0 -> red, bit 1 -> green, bit 2 -> blue, then bits 3, 4, 5 one level lower, and so on.
    So 1 = aeroplane = (128, 0, 0), 6 = bus = (0, 128, 128), 15 = person = (192, 128, 128).
    """
    colormap = np.zeros((256, 3), dtype=np.uint8)
    for index in range(256):
        red = green = blue = 0
        code = index
        for bit in range(7, -1, -1):
            red |= (code & 1) << bit
            green |= ((code >> 1) & 1) << bit
            blue |= ((code >> 2) & 1) << bit
            code >>= 3
        colormap[index] = (red, green, blue)
    return colormap


def class_colors(classes) -> np.ndarray:
    """VOC colour of each class name, ``uint8 [len(classes), 3]`` (to draw masks with the usual colours)."""
    classes = list(classes)
    check_names(classes)
    return voc_colormap()[[VOC_CLASSES.index(name) for name in classes]]


def denormalize(image) -> np.ndarray:
    """Undo the ImageNet normalisation: ``[3, H, W]`` tensor -> ``[H, W, 3]`` float array in [0, 1].

    A batch ``[B, 3, H, W]`` gives ``[B, H, W, 3]``. Use it before ``plt.imshow``.
    """
    image = torch.as_tensor(image).detach().cpu().float()
    mean = torch.tensor(IMAGENET_MEAN).view(3, 1, 1)
    std = torch.tensor(IMAGENET_STD).view(3, 1, 1)
    return (image * std + mean).clamp(0, 1).movedim(-3, -1).numpy()


def check_names(names) -> None:
    """Raise a ValueError naming the valid classes when a name is not a VOC class."""
    unknown = [name for name in names if name not in VOC_CLASSES]
    if unknown:
        raise ValueError(text("voc.unknown_classes", unknown=unknown, valid=", ".join(VOC_CLASSES)))


def check_classes(classes) -> tuple:
    """Validate a choice of classes and return it as a tuple.

    Background must come first: index 0 collects every pixel of the classes that were not chosen.
    """
    if isinstance(classes, str):
        raise ValueError(text("voc.classes_not_a_list", classes=classes))
    classes = tuple(classes)
    check_names(classes)
    if not classes or classes[0] != "background":
        raise ValueError(text("voc.background_first", classes=classes))
    if len(set(classes)) != len(classes):
        raise ValueError(text("voc.class_repeated", classes=classes))
    return classes


def label_lookup_table(classes) -> np.ndarray:
    """Table ``uint8 [256]`` turning VOC indices into course indices: ``new_label = table[voc_label]``.

    A chosen class gets its position in ``classes``; the other VOC classes become background (0);
    void stays 255. Indices that VOC never uses (21..254) are treated as void.
    """
    classes = check_classes(classes)
    table = np.full(256, VOID, dtype=np.uint8)
    table[: len(VOC_CLASSES)] = 0
    for new_index, name in enumerate(classes):
        table[VOC_CLASSES.index(name)] = new_index
    return table


def read_voc_mask(path) -> np.ndarray:
    """Class indices of a VOC mask, ``uint8 [H, W]``.

    The PNG stores indices plus a palette: ``np.array`` reads the indices. Never call
    ``convert('L')`` or ``convert('I')`` on it: they return the *brightness* of each colour
    (bus 6 -> 90, person 15 -> 147) and even merge different classes.
    """
    with Image.open(path) as mask:
        if mask.mode not in ("P", "L"):
            raise ValueError(text("voc.mask_not_palette", path=path, mode=mask.mode))
        return np.array(mask)


def normalize_image(image: torch.Tensor) -> torch.Tensor:
    """uint8 picture ``[3, H, W]`` -> float32 in [0, 1], normalised with the ImageNet mean/std.

    The backbones were trained on ImageNet pictures normalised this way, so every input must be too.
    """
    image = v2.functional.to_dtype(image, torch.float32, scale=True)
    return v2.functional.normalize(image, IMAGENET_MEAN, IMAGENET_STD)


# ----------------------------------------------------------------------------------------------------
# Folder layout of a VOCdevkit tree
# ----------------------------------------------------------------------------------------------------

REQUIRED_PARTS = ("JPEGImages", "SegmentationClass", "ImageSets/Segmentation")
IMAGE_SETS = ("train", "val", "trainval")
CACHE_DIR_NAME = ".fcn_course_cache"  # subset indices, next to VOCdevkit/


def voc_folder(root) -> Path:
    """``root/VOCdevkit/VOC2012``: where the dataset lives (root is the folder that contains VOCdevkit)."""
    return Path(root).expanduser() / "VOCdevkit" / "VOC2012"


def voc_is_ready(root) -> bool:
    """True when the extracted VOC 2012 tree is in place under ``root``."""
    voc = voc_folder(root)
    return all((voc / part).is_dir() for part in REQUIRED_PARTS)


def split_file(root, image_set: str) -> Path:
    """The list of image ids of a split: ``root/VOCdevkit/VOC2012/ImageSets/Segmentation/<image_set>.txt``."""
    return voc_folder(root) / "ImageSets" / "Segmentation" / f"{image_set}.txt"

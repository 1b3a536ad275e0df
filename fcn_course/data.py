"""Pascal VOC 2012 for the course: class names, palette, download, the class subset and the loaders.

The pieces, in the order a notebook meets them:

* ``VOC_CLASSES``, ``VOID`` and ``voc_colormap()``: what the numbers in a VOC mask mean. A mask is a
  palette PNG: ``np.array(Image.open(path))`` gives the class index of every pixel (0..20, 255 = void).
* ``download_voc(root)`` (from ``fcn_course.download``): fetches and extracts the 2 GB archive, trying a mirror
  when Oxford is down, resuming an interrupted download, and only ever adding missing files.
* ``VOCSubset``: the images that show at least two of the chosen classes (background, bus, person by
  default), cropped to a fixed size and normalised for an ImageNet backbone. Which images qualify is
  computed once from the masks and cached on disk, so later runs start in a fraction of a second.
* ``prepare_data(args)``: makes the data of a ``course_args()`` dict ready (writes the synthetic twin of the
  demo and smoke profiles, or checks that Pascal VOC is in place) and says which profile runs.
* ``make_loaders(args)``: the train and validation ``DataLoader`` of a ``course_args()`` dict.

The VOC facts themselves (classes, palette, void, reading a mask, ImageNet statistics) live in
``fcn_course.voc`` and are re-exported here for the notebooks.

Why this module is long: the subset, its index and cache, the geometry of image and label and the loaders
are one pipeline that students read top to bottom; ruff's formatter (one argument per line in long calls)
added the last hundred lines. Split the cache out if it grows again.
"""

from __future__ import annotations

import hashlib
import json
import os
import warnings
from pathlib import Path

import numpy as np
import torch
from PIL import Image
from torch.utils.data import DataLoader, Dataset
from torchvision import tv_tensors
from torchvision.datasets import VOCSegmentation
from torchvision.transforms import v2
from torchvision.transforms.v2 import functional as F
from tqdm.auto import tqdm

from fcn_course.config import PROFILE_ENV, describe_profile
from fcn_course.download import VOC_ARCHIVE, describe_missing, download_voc
from fcn_course.files import write_json
from fcn_course.messages import text
from fcn_course.synthetic import ensure_synthetic_voc, make_synthetic_voc
from fcn_course.voc import (
    CACHE_DIR_NAME,
    DEFAULT_CLASSES,
    IMAGE_SETS,
    IMAGENET_MEAN,
    IMAGENET_STD,
    MEAN_COLOUR,
    REQUIRED_PARTS,
    VOC_CLASSES,
    VOID,
    check_classes,
    class_colors,
    denormalize,
    label_lookup_table,
    normalize_image,
    read_voc_mask,
    split_file,
    voc_colormap,
    voc_folder,
    voc_is_ready,
)

__all__ = [
    "VOC_CLASSES",
    "VOID",
    "IMAGENET_MEAN",
    "IMAGENET_STD",
    "DEFAULT_CLASSES",
    "voc_colormap",
    "class_colors",
    "denormalize",
    "check_classes",
    "label_lookup_table",
    "read_voc_mask",
    "voc_folder",
    "voc_is_ready",
    "download_voc",
    "VOCNotFoundError",
    "VOCSubset",
    "prepare_data",
    "make_loaders",
    "make_synthetic_voc",
    "available_memory_bytes",
    "cache_fits_in_memory",
]


class VOCNotFoundError(FileNotFoundError):
    """The Pascal VOC 2012 tree is not where the course looks for it."""


def require_voc_tree(root: Path, image_set: str) -> None:
    """Raise VOCNotFoundError explaining where the tree is expected and how to get it."""
    voc = voc_folder(root)
    needed = [voc / part for part in REQUIRED_PARTS] + [voc / "ImageSets" / "Segmentation" / f"{image_set}.txt"]
    missing = [str(path) for path in needed if not path.exists()]
    if not missing:
        return
    hint = ""
    if (root / "JPEGImages").is_dir() and root.parent.name == "VOCdevkit":
        hint = text("data.hint_voc2012_folder", root=str(root.parent.parent))
    elif (root / "VOC2012").is_dir():
        hint = text("data.hint_vocdevkit_folder", root=str(root.parent))
    raise VOCNotFoundError(
        text(
            "data.voc_not_found",
            root=root,
            voc=voc,
            hint=hint,
            archive=VOC_ARCHIVE,
            missing="\n".join(f"  - {path}" for path in missing),
            profile_env=PROFILE_ENV,
        )
    )


# ----------------------------------------------------------------------------------------------------
# Which images belong to the subset: computed from the masks once, then cached as JSON
# ----------------------------------------------------------------------------------------------------

# Bump the "v1" when the rule changes, so that old caches are ignored.
SUBSET_RULE = (
    "v1: keep an image when at least min_classes of the chosen classes appear in its mask; "
    "other VOC classes count as background; void is ignored"
)


class MaskError(ValueError):
    """A mask that is not a Pascal VOC class-index mask of its photo (unknown indices, another size)."""


def count_chosen_classes(mask_path, lookup: np.ndarray) -> int:
    """How many of the chosen classes appear in one mask (background included, void not).

    A mask holding an index that is neither a VOC class (0..20) nor void (255) raises MaskError naming the
    file and the values: such a pixel would otherwise silently become void.
    """
    try:
        mask = read_voc_mask(mask_path)
    except OSError as error:
        raise OSError(damaged_file_message(mask_path, error)) from error
    voc_indices = np.flatnonzero(np.bincount(mask.ravel(), minlength=256))  # the indices present
    unknown = [str(index) for index in voc_indices if len(VOC_CLASSES) <= index < VOID]
    if unknown:
        raise MaskError(
            text("data.mask_unknown_indices", path=mask_path, values=", ".join(unknown[:8]), last=len(VOC_CLASSES) - 1)
        )
    course_indices = set(lookup[voc_indices].tolist()) - {VOID}
    return len(course_indices)


def check_mask_size(image_path, mask_path, image_size=None, mask_size=None) -> None:
    """MaskError naming both files when a mask and its photo differ in size (sizes: read from the headers)."""
    if image_size is None:
        with Image.open(image_path) as picture, Image.open(mask_path) as mask:
            image_size, mask_size = picture.size, mask.size
    if tuple(image_size) != tuple(mask_size):
        raise MaskError(
            text(
                "data.mask_size",
                mask=mask_path,
                mask_size="x".join(map(str, mask_size)),
                image=image_path,
                image_size="x".join(map(str, image_size)),
            )
        )


def cache_folders(root: Path) -> list:
    """Where the subset index may be kept, in order of preference.

    Inside the data folder (``root/.fcn_course_cache``), so that everyone using that folder shares it;
    when the data folder is read-only (a shared lab copy), in ``~/.cache/fcn_course/<hash of root>``.
    """
    user_cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    root_key = hashlib.sha1(str(root.resolve()).encode()).hexdigest()[:12]
    return [root / CACHE_DIR_NAME, user_cache / "fcn_course" / root_key]


def subset_cache_name(image_set: str, classes, min_classes: int) -> str:
    """One JSON file per (split, classes, rule); what it was computed from is checked inside (``expected``)."""
    key = json.dumps([list(classes), min_classes, SUBSET_RULE])
    return f"subset_{image_set}_{hashlib.sha1(key.encode()).hexdigest()[:12]}.json"


def ids_fingerprint(ids) -> str:
    """A hash of the split's id list: the cache is stale as soon as the list changes."""
    return hashlib.sha1("\n".join(ids).encode()).hexdigest()


def masks_fingerprint(mask_paths) -> str:
    """A hash of every mask's size and modification time: the cache is stale as soon as a mask is edited.

    Reading a few thousand file sizes takes milliseconds; hashing the masks' content would read them all.
    """
    digest = hashlib.sha1()
    for path in mask_paths:
        info = os.stat(path)
        digest.update(f"{Path(path).name} {info.st_size} {info.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def cache_problem(record, expected: dict, known_ids) -> str:
    """Why a cache record cannot be used ("" when it can): wrong content, or made from other data."""
    kept = record.get("kept") if isinstance(record, dict) else None
    if not isinstance(kept, list) or not all(isinstance(image_id, str) for image_id in kept):
        return text("data.cache_not_an_index")
    changed = [key for key, value in expected.items() if record.get(key) != value]
    if changed:
        return text("data.cache_from_other_data", changed=", ".join(changed))
    if not set(kept) <= set(known_ids):
        return text("data.cache_unknown_images")
    return ""


def load_cached_subset(root: Path, name: str, expected: dict, known_ids=()):
    """The kept ids of the first valid cache file, or None (missing, damaged, or made from other data).

    When a cache file is there but cannot be used, one line says which file and why (it is then rebuilt).
    """
    problems = []
    for folder in cache_folders(root):
        path = folder / name
        if not path.is_file():
            continue
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            problems.append((path, text("data.cache_unreadable", error=type(error).__name__)))
            continue
        problem = cache_problem(record, expected, known_ids)
        if not problem:
            return record["kept"]
        problems.append((path, problem))
    if problems:
        path, problem = problems[0]
        print(text("data.cache_rebuilt", path=path, problem=problem))
    return None


def save_cached_subset(root: Path, name: str, record: dict) -> None:
    """Save the index in the first cache folder that accepts it; only warn if none does."""
    errors = []
    for folder in cache_folders(root):
        try:
            write_json(folder / name, record)  # creates the folder
            return
        except OSError as error:
            errors.append(f"{folder}: {error}")
    warnings.warn(text("data.cache_not_saved", errors="; ".join(errors)), stacklevel=2)


# ----------------------------------------------------------------------------------------------------
# The dataset
# ----------------------------------------------------------------------------------------------------

SCALE_RANGE = (0.5, 1.5)  # random zoom of the training augmentation


def as_size(size) -> tuple:
    """``224`` or ``(h, w)`` -> ``(h, w)``."""
    if isinstance(size, int):
        return (size, size)
    height, width = size
    return (int(height), int(width))


def pad_to_size(image, label, size):
    """Pad (evenly on each side) until the picture is at least ``size``: image with the mean colour, label with void."""
    height, width = image.shape[-2:]
    extra_h, extra_w = max(size[0] - height, 0), max(size[1] - width, 0)
    if extra_h == 0 and extra_w == 0:
        return image, label
    padding = [extra_w // 2, extra_h // 2, extra_w - extra_w // 2, extra_h - extra_h // 2]  # left, top, right, bottom
    return F.pad(image, padding, fill=MEAN_COLOUR), F.pad(label, padding, fill=VOID)


def random_scale(image, label, low: float, high: float):
    """Zoom image and label by the same random factor (bilinear for the image, nearest for the label)."""
    factor = float(torch.empty(1).uniform_(low, high))
    height, width = image.shape[-2:]
    new_size = [max(1, round(height * factor)), max(1, round(width * factor))]
    image = F.resize(image, new_size, antialias=True)
    label = F.resize(label, new_size, interpolation=v2.InterpolationMode.NEAREST)
    return image, label


def damaged_file_message(path, error) -> str:
    """What to say about a VOC file that cannot be read."""
    return text("data.damaged_file", path=path, error=error)


def check_listed_files(paths: dict) -> None:
    """Raise FileNotFoundError naming the images and masks that the split lists but that are not on disk.

    Checked when the dataset is built (a stat per file: milliseconds on VOC), not when an item loads mid-epoch.
    """
    missing = [path for image, mask in paths.values() for path in (image, mask) if not path.is_file()]
    if missing:
        raise FileNotFoundError(text("data.listed_files_missing", count=len(missing), files=describe_missing(missing)))


class VOCSubset(Dataset):
    """Pascal VOC 2012 images that show at least ``min_classes`` of the chosen ``classes``.

    Items are ``(image, label)``: ``image`` float32 ``[3, H, W]`` normalised with the ImageNet mean/std,
    ``label`` int64 ``[H, W]`` with values ``0..len(classes)-1`` (in the order of ``classes``) and
    ``VOID = 255`` where the annotation is uncertain. VOC classes that were not chosen become background.

    Geometry: a centre crop of ``size = (h, w)`` (smaller pictures are padded, the label with void).
    With ``augment=True``: random zoom, random crop and horizontal flip, the same for image and label.
    ``root`` is the folder that contains ``VOCdevkit/``. The filter reads the masks once and caches the
    result (see ``SUBSET_RULE``). ``max_samples`` keeps only the first kept images (quick runs).

    ``cache_in_memory=True`` keeps every decoded picture and label (uint8, full size: what ``load``
    returns, before any random zoom, crop or flip) in RAM the first time it is read, so that later
    epochs skip JPEG and PNG decoding; the random augmentation still runs on every access. Check the
    cost first with ``cache_bytes()`` and ``cache_fits_in_memory``. With DataLoader worker processes,
    call ``fill_cache()`` before building the loader, so that the workers share one filled cache
    instead of each filling its own.
    """

    def __init__(
        self,
        root,
        image_set: str = "train",
        classes=DEFAULT_CLASSES,
        size=(224, 224),
        min_classes: int = 2,
        augment: bool = False,
        download: bool = False,
        max_samples=None,
        verbose: bool = True,
        cache_in_memory: bool = False,
    ):
        if image_set not in IMAGE_SETS:
            raise ValueError(text("data.bad_image_set", choices=", ".join(IMAGE_SETS), image_set=image_set))
        self.root = Path(root).expanduser()
        self.image_set = image_set
        self.classes = check_classes(classes)
        if min_classes > len(self.classes):
            raise ValueError(
                text(
                    "data.min_classes_too_high",
                    min_classes=min_classes,
                    count=len(self.classes),
                    classes=", ".join(self.classes),
                )
            )
        self.size = as_size(size)
        self.min_classes = min_classes
        self.augment = augment
        self.max_samples = max_samples
        self.lookup = label_lookup_table(self.classes)

        if download:
            download_voc(self.root)
        require_voc_tree(self.root, image_set)
        # torchvision reads the split list and builds the file paths for us.
        voc = VOCSegmentation(str(self.root), year="2012", image_set=image_set, download=False)
        paths = {}
        for image, mask in zip(voc.images, voc.masks):
            image_id = Path(image).name[: -len(".jpg")]
            if image_id:  # a blank line of the split file gives an empty id
                paths[image_id] = (Path(image), Path(mask))
        all_ids = list(paths)
        self.total = len(all_ids)
        if not all_ids:
            raise ValueError(text("data.empty_split", split=split_file(self.root, image_set)))
        check_listed_files(paths)

        self.from_cache = False  # becomes True when the filter's result is read from the cache
        self.kept = self.select_ids(all_ids, paths, verbose)
        if not self.kept:
            raise ValueError(
                text(
                    "data.nothing_kept",
                    image_set=image_set,
                    total=self.total,
                    split=split_file(self.root, image_set),
                    min_classes=min_classes,
                    classes=", ".join(self.classes),
                )
            )
        self.ids = self.kept[:max_samples] if max_samples is not None else list(self.kept)
        self.images = [paths[image_id][0] for image_id in self.ids]
        self.masks = [paths[image_id][1] for image_id in self.ids]
        self.cache_in_memory = cache_in_memory
        self.memory = [None] * len(self.ids)  # decoded (image, label) pairs, filled on first read

        if augment:
            self.crop = v2.Compose([v2.RandomCrop(self.size), v2.RandomHorizontalFlip()])
        else:
            self.crop = v2.CenterCrop(self.size)
        if verbose:
            print(self.summary())

    def select_ids(self, all_ids, paths, verbose: bool) -> list:
        """Ids of the split that pass the filter: from the cache when valid, else by reading every mask."""
        if self.min_classes <= 0:
            return list(all_ids)
        cache_name = subset_cache_name(self.image_set, self.classes, self.min_classes)
        expected = {
            "image_set": self.image_set,
            "classes": list(self.classes),
            "min_classes": self.min_classes,
            "rule": SUBSET_RULE,
            "ids_sha1": ids_fingerprint(all_ids),
            "masks_sha1": masks_fingerprint(paths[image_id][1] for image_id in all_ids),
        }
        kept = load_cached_subset(self.root, cache_name, expected, all_ids)
        if kept is not None:
            self.from_cache = True
            return kept
        quiet = not verbose or len(all_ids) < 200  # a progress bar only when it takes a while
        masks = tqdm(all_ids, desc=text("data.indexing_masks", image_set=self.image_set), leave=False, disable=quiet)
        kept, problems = [], []
        for image_id in masks:  # every mask is checked: all the bad ones are named at once
            image_path, mask_path = paths[image_id]
            try:
                check_mask_size(image_path, mask_path)
                if count_chosen_classes(mask_path, self.lookup) >= self.min_classes:
                    kept.append(image_id)
            except MaskError as error:
                problems.append(str(error))
        if problems:
            raise MaskError(
                text(
                    "data.bad_masks",
                    count=len(problems),
                    total=len(all_ids),
                    problems="\n  ".join(problems[:5] + ["..."] * (len(problems) > 5)),
                    split=split_file(self.root, self.image_set),
                )
            )
        save_cached_subset(self.root, cache_name, {**expected, "total": len(all_ids), "kept": kept})
        return kept

    def summary(self) -> str:
        """One line, e.g. ``train: 123 de 1464 imagens mantidas, com >= 2 de (background, bus, person)``."""
        line = text(
            "data.summary",
            image_set=self.image_set,
            kept=len(self.kept),
            total=self.total,
            min_classes=self.min_classes,
            classes=", ".join(self.classes),
        )
        if len(self.ids) < len(self.kept):
            line += text("data.summary_first", count=len(self.ids), max_samples=self.max_samples)
        return line

    def __len__(self) -> int:
        return len(self.ids)

    def load(self, index: int):
        """The full-size picture (uint8 ``[3, H, W]``) and its label in course indices (uint8 ``[H, W]``).

        A damaged file (truncated by an interrupted copy, say) raises an OSError that names it.
        """
        path = self.images[index]
        try:
            with Image.open(path) as picture:
                rgb = np.array(picture.convert("RGB"))
            path = self.masks[index]
            mask = read_voc_mask(path)
        except OSError as error:
            raise OSError(damaged_file_message(path, error)) from error
        label = self.lookup[mask]
        check_mask_size(self.images[index], self.masks[index], rgb.shape[1::-1], label.shape[::-1])
        image = tv_tensors.Image(torch.from_numpy(rgb).permute(2, 0, 1))
        return image, tv_tensors.Mask(torch.from_numpy(label))

    def load_cached(self, index: int):
        """``load(index)``, served from memory after the first read when ``cache_in_memory`` is on.

        The stored tensors are never modified: every transform of ``__getitem__`` returns new ones.
        """
        if not self.cache_in_memory:
            return self.load(index)
        if self.memory[index] is None:
            image, label = self.load(index)
            self.memory[index] = (image.as_subclass(torch.Tensor), label.as_subclass(torch.Tensor))
        image, label = self.memory[index]
        return tv_tensors.Image(image), tv_tensors.Mask(label)

    def fill_cache(self) -> "VOCSubset":
        """Decode every item into the in-memory cache now (turns the cache on); returns the dataset."""
        self.cache_in_memory = True
        for index in range(len(self)):
            self.load_cached(index)
        return self

    def cache_bytes(self) -> int:
        """Bytes the in-memory cache needs: 3 bytes (RGB) + 1 byte (label) per pixel of every picture.

        Only the JPEG headers are read (no decoding), so this takes a fraction of a second on VOC.
        """
        total = 0
        for path in self.images:
            with Image.open(path) as picture:
                width, height = picture.size
            total += 4 * width * height
        return total

    def __getitem__(self, index: int):
        image, label = self.load_cached(index)
        if self.augment:
            image, label = random_scale(image, label, *SCALE_RANGE)
        image, label = pad_to_size(image, label, self.size)
        image, label = self.crop(image, label)  # v2 applies the same crop/flip to both
        image = normalize_image(image)
        return image.as_subclass(torch.Tensor), label.as_subclass(torch.Tensor).long()


def prepare_data(args: dict, verbose: bool = True) -> Path:
    """Make the dataset of ``args`` ready and return its root (the folder that contains ``VOCdevkit/``).

    Synthetic profiles (demo, smoke) write their synthetic twin the first time (a few seconds); with real
    VOC, ``args["download"]`` fetches it, otherwise a missing tree raises VOCNotFoundError saying how to get
    it. With ``verbose``, prints which profile runs and why (the first line of every notebook's output).
    """
    root = Path(args["root"])
    if args.get("synthetic"):
        if ensure_synthetic_voc(root, args["synthetic"]) and verbose:
            print(text("data.synthetic_written", root=root))
    elif args.get("download"):
        download_voc(root)
    else:
        require_voc_tree(root, "train")
    if verbose:
        print(describe_profile(args))
    return root


def available_memory_bytes():
    """RAM that is free now (Linux: available pages), or None when the system does not say."""
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, ValueError, OSError):
        return None


def cache_fits_in_memory(n_bytes: int, share: float = 0.5) -> bool:
    """True when ``n_bytes`` is at most ``share`` of the free RAM (False when the free RAM is unknown).

    Half by default: the model, the batches and the notebook need the rest.
    """
    free = available_memory_bytes()
    return free is not None and n_bytes <= share * free


def make_loaders(args: dict):
    """``(train_loader, val_loader)`` for a ``course_args()`` dict.

    Uses ``root``, ``classes``, ``h_size``, ``w_size``, ``batch_size``, ``num_workers``, ``max_samples`` and
    ``seed``; optional ``augment`` (default False, as in the original course), ``download`` (False) and
    ``cache_in_memory`` (False; True; or ``"auto"``: on when both splits fit in half the free RAM; see
    ``VOCSubset``).
    """
    prepare_data(args, verbose=False)
    cache = args.get("cache_in_memory", False)
    common = dict(
        root=args["root"],
        classes=args["classes"],
        size=(args["h_size"], args["w_size"]),
        max_samples=args.get("max_samples"),
        download=args.get("download", False),
        cache_in_memory=cache is True,
    )
    train_set = VOCSubset(image_set="train", augment=args.get("augment", False), **common)
    val_set = VOCSubset(image_set="val", **common)
    if cache == "auto":
        fits = cache_fits_in_memory(train_set.cache_bytes() + val_set.cache_bytes())
        train_set.cache_in_memory = val_set.cache_in_memory = fits

    device = torch.device(args.get("device") or ("cuda" if torch.cuda.is_available() else "cpu"))
    workers = args.get("num_workers", 0)
    if workers > 0 and train_set.cache_in_memory:
        train_set.fill_cache()  # filled before the workers start: they share it instead of each filling one
        val_set.fill_cache()
    loader_options = dict(
        batch_size=args["batch_size"],
        num_workers=workers,
        pin_memory=device.type == "cuda",
        persistent_workers=workers > 0,
    )
    shuffle_order = torch.Generator().manual_seed(args.get("seed", 0))
    train_loader = DataLoader(train_set, shuffle=True, generator=shuffle_order, **loader_options)
    val_loader = DataLoader(val_set, shuffle=False, **loader_options)
    return train_loader, val_loader

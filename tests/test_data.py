"""Tests of fcn_course.data: palette, class mapping, subset filter and its cache, geometry, loaders.

(The download of VOC is tested in test_download.py.)
"""

import hashlib
import io
import json
import os
import shutil
import time
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image
from torchvision import tv_tensors

from fcn_course import data, download
from fcn_course.config import PROFILE_ENV, course_args


from fcn_course.config import describe_profile
from fcn_course.data import (
    VOC_CLASSES,
    VOID,
    VOCNotFoundError,
    VOCSubset,
    class_colors,
    denormalize,
    make_loaders,
    pad_to_size,
    prepare_data,
    random_scale,
    voc_colormap,
)
from fcn_course.files import read_json, write_json
from helpers import split_ids, voc_path

SIZE = (96, 96)  # the smoke-mode crop


def raw_mask(root, image_id):
    """VOC indices of a mask, read the right way."""
    return np.array(Image.open(Path(root) / "VOCdevkit/VOC2012/SegmentationClass" / f"{image_id}.png"))


def map_to_classes(raw, classes):
    """Reference mapping written independently of the library: chosen -> position, void kept, rest -> 0."""
    expected = np.zeros_like(raw, dtype=np.int64)
    for new_index, name in enumerate(classes):
        expected[raw == VOC_CLASSES.index(name)] = new_index
    expected[raw == VOID] = VOID
    return expected


def centre_crop(array, size):
    height, width = array.shape[:2]
    top, left = round((height - size[0]) / 2), round((width - size[1]) / 2)
    return array[top : top + size[0], left : left + size[1]]


def brute_force_subset(root, image_set, classes, min_classes):
    kept = []
    for image_id in split_ids(root, image_set):
        present = set(np.unique(map_to_classes(raw_mask(root, image_id), classes)).tolist()) - {VOID}
        if len(present) >= min_classes:
            kept.append(image_id)
    return kept


# ---------------------------------------------------------------------------------------------------- palette


def test_class_names_and_void():
    assert len(VOC_CLASSES) == 21
    assert VOC_CLASSES[0] == "background" and VOC_CLASSES[6] == "bus" and VOC_CLASSES[15] == "person"
    assert VOC_CLASSES[-1] == "tvmonitor"
    assert VOID == 255


def test_palette_values():
    colormap = voc_colormap()
    assert colormap.shape == (256, 3) and colormap.dtype == np.uint8
    assert tuple(colormap[0]) == (0, 0, 0)
    assert tuple(colormap[1]) == (128, 0, 0)
    assert tuple(colormap[6]) == (0, 128, 128)
    assert tuple(colormap[15]) == (192, 128, 128)
    assert tuple(colormap[255]) == (224, 224, 192)
    assert len({tuple(colour) for colour in colormap}) == 256  # every index has its own colour
    colours = class_colors(("background", "bus", "person"))
    np.testing.assert_array_equal(colours, [[0, 0, 0], [0, 128, 128], [192, 128, 128]])
    with pytest.raises(ValueError, match="Nomes válidos"):
        class_colors(["bus", "zebra"])


def test_convert_pitfall_luminance_is_not_the_class_index(tmp_path):
    """Why the course reads masks with np.array(Image.open(p)) and never with convert('L'/'I')."""
    indices = np.array([[0, 1, 6, 15], [16, 3, 18, 255]], dtype=np.uint8)
    mask = Image.frombytes("P", (4, 2), indices.tobytes())
    mask.putpalette(voc_colormap().ravel().tolist())
    path = tmp_path / "mask.png"
    mask.save(path)

    np.testing.assert_array_equal(np.array(Image.open(path)), indices)
    np.testing.assert_array_equal(data.read_voc_mask(path), indices)
    luminance = np.array(Image.open(path).convert("L"))
    assert luminance[0, 2] == 90 and luminance[0, 3] == 147 and luminance[1, 3] == 220  # bus, person, void
    assert luminance[0, 1] == luminance[1, 0]  # aeroplane (1) and pottedplant (16) become the same number
    assert luminance[1, 1] == luminance[1, 2]  # bird (3) and sofa (18) too
    assert not np.array_equal(np.array(Image.open(path).convert("I")), indices)


def test_read_voc_mask_rejects_colour_masks(tmp_path):
    path = tmp_path / "rgb.png"
    Image.new("RGB", (4, 4), (0, 128, 128)).save(path)
    with pytest.raises(ValueError, match="PNG de paleta.*voc_colormap"):
        data.read_voc_mask(path)


def test_denormalize_inverts_normalisation():
    picture = torch.rand(3, 5, 7)
    mean = torch.tensor(data.IMAGENET_MEAN).view(3, 1, 1)
    std = torch.tensor(data.IMAGENET_STD).view(3, 1, 1)
    restored = denormalize((picture - mean) / std)
    assert restored.shape == (5, 7, 3)
    np.testing.assert_allclose(restored, picture.permute(1, 2, 0).numpy(), atol=1e-5)
    assert denormalize(torch.zeros(2, 3, 4, 4)).shape == (2, 4, 4, 3)


# ---------------------------------------------------------------------------------------------------- labels


def test_items_shapes_dtypes_and_values(synthetic_voc_root):
    dataset = VOCSubset(synthetic_voc_root, "train", size=SIZE, verbose=False)
    assert len(dataset) > 0 and dataset.classes == ("background", "bus", "person")
    values = set()
    for index in range(len(dataset)):
        image, label = dataset[index]
        assert image.shape == (3, *SIZE) and image.dtype == torch.float32
        assert label.shape == SIZE and label.dtype == torch.int64
        assert type(image) is torch.Tensor and type(label) is torch.Tensor  # plain tensors, not tv_tensors
        values |= set(label.unique().tolist())
    assert values <= {0, 1, 2, VOID}
    assert {0, 1, 2, VOID} <= values  # background, bus, person and void borders all survive


@pytest.mark.parametrize("classes", [("background", "bus", "person"), ("background", "person", "bus")])
def test_labels_follow_the_raw_palette_png_and_the_class_order(synthetic_voc_root, classes):
    dataset = VOCSubset(synthetic_voc_root, "train", classes=classes, size=SIZE, verbose=False)
    saw_other_classes = False
    for index, image_id in enumerate(dataset.ids):
        raw = centre_crop(raw_mask(synthetic_voc_root, image_id), SIZE)
        label = dataset[index][1].numpy()
        np.testing.assert_array_equal(label, map_to_classes(raw, classes))
        assert np.all(label[raw == 15] == classes.index("person"))
        assert np.all(label[raw == 6] == classes.index("bus"))
        assert np.all(label[raw == VOID] == VOID)
        other = (raw != 0) & (raw != 6) & (raw != 15) & (raw != VOID)  # car, dog, aeroplane
        assert np.all(label[other] == 0)
        saw_other_classes |= bool(other.any())
    assert saw_other_classes  # the check above was not vacuous


def test_all_21_classes_keep_the_voc_indices(synthetic_voc_root):
    dataset = VOCSubset(synthetic_voc_root, "val", classes=VOC_CLASSES, size=SIZE, verbose=False)
    for index, image_id in enumerate(dataset.ids):
        raw = centre_crop(raw_mask(synthetic_voc_root, image_id), SIZE)
        np.testing.assert_array_equal(dataset[index][1].numpy(), raw)


def test_images_are_centre_crops_normalised_like_imagenet(synthetic_voc_root):
    dataset = VOCSubset(synthetic_voc_root, "val", size=SIZE, verbose=False)
    image = dataset[0][0]
    jpeg = np.array(Image.open(dataset.images[0]).convert("RGB")) / 255
    np.testing.assert_allclose(denormalize(image), centre_crop(jpeg, SIZE), atol=1e-5)


def test_size_as_int_or_non_square_and_padding(synthetic_voc_root):
    assert VOCSubset(synthetic_voc_root, "val", size=64, verbose=False)[0][0].shape == (3, 64, 64)
    image, label = VOCSubset(synthetic_voc_root, "val", size=(64, 100), verbose=False)[0]
    assert image.shape == (3, 64, 100) and label.shape == (64, 100)
    # Larger than the 120x160 pictures: padded evenly, the label with void, the image with ~0 (mean colour).
    image, label = VOCSubset(synthetic_voc_root, "val", size=(140, 170), verbose=False)[0]
    assert label.shape == (140, 170)
    assert torch.all(label[:10] == VOID) and torch.all(label[-10:] == VOID)
    assert torch.all(label[:, :5] == VOID) and torch.all(label[:, -5:] == VOID)
    assert image[:, :10].abs().max() < 0.03


# ---------------------------------------------------------------------------------------------------- subset filter


@pytest.mark.parametrize("image_set", ["train", "val"])
@pytest.mark.parametrize(
    "classes,min_classes",
    [
        (("background", "bus", "person"), 2),
        (("background", "person"), 2),
        (("background", "bus", "person", "car"), 3),
    ],
)
def test_subset_matches_brute_force(synthetic_voc_root, image_set, classes, min_classes):
    dataset = VOCSubset(synthetic_voc_root, image_set, classes=classes, min_classes=min_classes, verbose=False)
    assert dataset.ids == brute_force_subset(synthetic_voc_root, image_set, classes, min_classes)
    assert dataset.total == len(split_ids(synthetic_voc_root, image_set))


def test_the_default_subset_drops_some_images(synthetic_voc_root):
    dataset = VOCSubset(synthetic_voc_root, "train", verbose=False)
    assert 0 < len(dataset) < dataset.total
    expected = f"train: {len(dataset)} de {dataset.total} imagens mantidas, com >= 2 de (background, bus, person)"
    assert dataset.summary() == expected


def test_summary_is_printed_once(synthetic_voc_root, capsys):
    VOCSubset(synthetic_voc_root, "val", max_samples=2)
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 1 and out[0].startswith("val: ") and "usando as 2 primeiras" in out[0]


def test_max_samples_keeps_the_first_ids(synthetic_voc_root):
    full = VOCSubset(synthetic_voc_root, "train", verbose=False)
    small = VOCSubset(synthetic_voc_root, "train", max_samples=3, verbose=False)
    assert small.ids == full.ids[:3] and len(small) == 3


def count_mask_reads(monkeypatch):
    """Make data.read_voc_mask count its calls."""
    calls = []
    original = data.read_voc_mask

    def spy(path):
        calls.append(path)
        return original(path)

    monkeypatch.setattr(data, "read_voc_mask", spy)
    return calls


def test_second_construction_uses_the_cache(voc_copy, monkeypatch):
    first = VOCSubset(voc_copy, "train", verbose=False)
    assert not first.from_cache
    cache_files = list((voc_copy / data.CACHE_DIR_NAME).glob("*.json"))
    assert len(cache_files) == 1 and not list((voc_copy / data.CACHE_DIR_NAME).glob("*.tmp"))
    record = json.loads(cache_files[0].read_text())
    assert record["kept"] == first.ids and record["total"] == first.total
    assert record["ids_sha1"] == hashlib.sha1("\n".join(split_ids(voc_copy, "train")).encode()).hexdigest()

    reads = count_mask_reads(monkeypatch)
    second = VOCSubset(voc_copy, "train", verbose=False)
    assert second.from_cache and reads == [] and second.ids == first.ids


def test_cache_is_per_split_and_classes(voc_copy, monkeypatch):
    VOCSubset(voc_copy, "train", verbose=False)
    reads = count_mask_reads(monkeypatch)
    other = VOCSubset(voc_copy, "train", classes=("background", "person"), verbose=False)
    assert not other.from_cache and len(reads) == other.total
    assert other.ids == brute_force_subset(voc_copy, "train", ("background", "person"), 2)


def test_cache_is_invalidated_when_the_split_list_changes(voc_copy, monkeypatch):
    before = VOCSubset(voc_copy, "train", verbose=False)
    split_file = voc_copy / "VOCdevkit/VOC2012/ImageSets/Segmentation/train.txt"
    new_ids = split_ids(voc_copy, "train")[:10] + split_ids(voc_copy, "val")
    split_file.write_text("".join(f"{image_id}\n" for image_id in new_ids))

    reads = count_mask_reads(monkeypatch)
    after = VOCSubset(voc_copy, "train", verbose=False)
    assert not after.from_cache and len(reads) == len(new_ids)
    assert after.total == len(new_ids) != before.total
    assert after.ids == brute_force_subset(voc_copy, "train", data.DEFAULT_CLASSES, 2)


def test_corrupt_cache_is_rebuilt(voc_copy):
    first = VOCSubset(voc_copy, "train", verbose=False)
    for cache_file in (voc_copy / data.CACHE_DIR_NAME).glob("*.json"):
        cache_file.write_text("{not json")
    again = VOCSubset(voc_copy, "train", verbose=False)
    assert not again.from_cache and again.ids == first.ids


def refuse_writes_under(monkeypatch, folder: Path):
    """Make the cache writer fail inside ``folder``, as on a read-only data folder."""
    from fcn_course import files

    original = files.tempfile.mkstemp

    def mkstemp(dir, **kwargs):
        if Path(dir).is_relative_to(folder):
            raise PermissionError(13, "Permission denied", dir)
        return original(dir=dir, **kwargs)

    monkeypatch.setattr(files.tempfile, "mkstemp", mkstemp)


def test_cache_falls_back_to_the_user_cache_when_root_is_read_only(voc_copy, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user_cache"))
    refuse_writes_under(monkeypatch, voc_copy)
    VOCSubset(voc_copy, "val", verbose=False)
    assert len(list((tmp_path / "user_cache" / "fcn_course").glob("*/subset_val_*.json"))) == 1
    assert not list((voc_copy / data.CACHE_DIR_NAME).glob("*"))  # no temporary file left behind
    assert VOCSubset(voc_copy, "val", verbose=False).from_cache


def test_a_read_only_shared_cache_is_still_used(voc_copy, tmp_path, monkeypatch):
    VOCSubset(voc_copy, "val", verbose=False)  # the instructor's run fills root/.fcn_course_cache
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user_cache"))
    refuse_writes_under(monkeypatch, voc_copy)
    reads = count_mask_reads(monkeypatch)
    assert VOCSubset(voc_copy, "val", verbose=False).from_cache and reads == []


def test_no_writable_cache_only_warns(voc_copy, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user_cache"))
    refuse_writes_under(monkeypatch, tmp_path)
    with pytest.warns(UserWarning, match="recalculado da próxima vez"):
        dataset = VOCSubset(voc_copy, "val", verbose=False)
    assert dataset.ids == brute_force_subset(voc_copy, "val", data.DEFAULT_CLASSES, 2)


# ---------------------------------------------------------------------------------------------------- augmentation

CLASS_COLOURS = {0: (20, 40, 220), 1: (230, 200, 20), 2: (220, 30, 200)}  # blue background, yellow bus, magenta person


def write_colour_coded_voc(root: Path, n_images=4, height=90, width=130):
    """A tree where the image colour tells the class: stripes of bus and person on a background."""
    voc = root / "VOCdevkit" / "VOC2012"
    for folder in ("JPEGImages", "SegmentationClass", "ImageSets/Segmentation"):
        (voc / folder).mkdir(parents=True, exist_ok=True)
    ids = [f"coded_{number}" for number in range(n_images)]
    for number, image_id in enumerate(ids):
        course = np.zeros((height, width), dtype=np.uint8)
        course[10 + number : 60, 15:55] = 1  # an asymmetric layout: flips and shifts show
        course[30:85, 80 + 3 * number : 100 + 3 * number] = 2
        image = np.zeros((height, width, 3), dtype=np.uint8)
        for index, colour in CLASS_COLOURS.items():
            image[course == index] = colour
        voc_mask = np.array([0, 6, 15], dtype=np.uint8)[course]
        voc_mask[30:33, 20:30] = VOID
        Image.fromarray(image).save(voc / "JPEGImages" / f"{image_id}.jpg", quality=100, subsampling=0)
        mask = Image.frombytes("P", (width, height), voc_mask.tobytes())
        mask.putpalette(voc_colormap().ravel().tolist())
        mask.save(voc / "SegmentationClass" / f"{image_id}.png")
    for image_set in ("train", "val", "trainval"):
        (voc / "ImageSets/Segmentation" / f"{image_set}.txt").write_text("\n".join(ids) + "\n")
    return root


def test_augmentation_keeps_image_and_label_aligned(tmp_path):
    root = write_colour_coded_voc(tmp_path)
    dataset = VOCSubset(root, "train", size=(64, 64), augment=True, verbose=False)
    palette = np.array([CLASS_COLOURS[index] for index in range(3)], dtype=float) / 255
    torch.manual_seed(0)
    outputs = set()
    for _ in range(6):
        for index in range(len(dataset)):
            image, label = dataset[index]
            rgb, label = denormalize(image), label.numpy().astype(int)
            outputs.add(label.tobytes())
            # Judge only pixels 2+ pixels away from class edges and from the crop's border
            # (bilinear resizing blends colours there, nearest does not).
            padded = np.pad(label, 2, constant_values=-1)
            neighbours = [padded[2 + dy : 2 + dy + 64, 2 + dx : 2 + dx + 64] for dy in (-2, 0, 2) for dx in (-2, 0, 2)]
            interior = np.all([n == label for n in neighbours], axis=0) & (label != VOID)
            nearest_class = np.argmin(((rgb[:, :, None, :] - palette) ** 2).sum(-1), axis=-1)
            assert interior.sum() > 500
            agreement = (nearest_class[interior] == label[interior]).mean()
            assert agreement > 0.99, f"image and label disagree on {1 - agreement:.1%} of the pixels"
    assert len(outputs) > 20  # the augmentation really varies


def test_augmentation_is_off_by_default_and_deterministic(tmp_path):
    root = write_colour_coded_voc(tmp_path)
    dataset = VOCSubset(root, "train", size=(64, 64), verbose=False)
    first, second = dataset[1], dataset[1]
    assert torch.equal(first[0], second[0]) and torch.equal(first[1], second[1])


# ---------------------------------------------------------------------------------------------------- errors


def test_missing_root_explains_where_and_how(tmp_path):
    with pytest.raises(VOCNotFoundError) as error:
        VOCSubset(tmp_path / "nowhere", "train", verbose=False)
    message = str(error.value)
    assert str(tmp_path / "nowhere" / "VOCdevkit" / "VOC2012") in message
    for advice in ("download=True", "download_voc", "make_synthetic_voc", "CONTÉM VOCdevkit"):
        assert advice in message
    demo, smoke = f"{PROFILE_ENV}=demo", f"{PROFILE_ENV}=smoke"
    assert demo in message and smoke in message and message.index(demo) < message.index(smoke)
    assert isinstance(error.value, FileNotFoundError)


def test_passing_the_voc2012_folder_gives_a_hint(synthetic_voc_root):
    with pytest.raises(VOCNotFoundError, match="passou a própria pasta VOC2012"):
        VOCSubset(Path(synthetic_voc_root) / "VOCdevkit" / "VOC2012", "train", verbose=False)
    with pytest.raises(VOCNotFoundError, match="passou a própria pasta VOCdevkit"):
        VOCSubset(Path(synthetic_voc_root) / "VOCdevkit", "train", verbose=False)


def test_bad_class_names_list_the_valid_ones(synthetic_voc_root):
    with pytest.raises(ValueError) as error:
        VOCSubset(synthetic_voc_root, "train", classes=("background", "buss"), verbose=False)
    assert "buss" in str(error.value) and "person" in str(error.value) and "tvmonitor" in str(error.value)


def test_background_must_come_first(synthetic_voc_root):
    with pytest.raises(ValueError, match="primeira classe deve ser 'background'"):
        VOCSubset(synthetic_voc_root, "train", classes=("bus", "background", "person"), verbose=False)
    with pytest.raises(ValueError, match="só pode aparecer uma vez"):
        VOCSubset(synthetic_voc_root, "train", classes=("background", "bus", "bus"), verbose=False)
    with pytest.raises(ValueError, match="lista de nomes"):
        VOCSubset(synthetic_voc_root, "train", classes="background", verbose=False)


def test_bad_image_set(synthetic_voc_root):
    with pytest.raises(ValueError, match="train"):
        VOCSubset(synthetic_voc_root, "test", verbose=False)


# ---------------------------------------------------------------------------------------------------- loaders


def test_make_loaders_shapes_dtypes_and_seeded_shuffle(synthetic_voc_root):
    args = course_args(
        root=synthetic_voc_root,
        h_size=64,
        w_size=80,
        batch_size=4,
        num_workers=0,
        max_samples=None,
        device="cpu",
        seed=3,
    )
    train_loader, val_loader = make_loaders(args)
    images, labels = next(iter(train_loader))
    assert images.shape == (4, 3, 64, 80) and images.dtype == torch.float32
    assert labels.shape == (4, 64, 80) and labels.dtype == torch.int64
    assert set(labels.unique().tolist()) <= {0, 1, 2, VOID}
    assert val_loader.batch_size == 4 and not train_loader.pin_memory
    assert not train_loader.dataset.augment
    assert len(val_loader.dataset) == len(brute_force_subset(synthetic_voc_root, "val", data.DEFAULT_CLASSES, 2))

    again, _ = make_loaders(args)
    assert torch.equal(next(iter(again))[1], labels)  # same seed, same shuffle
    val_images, _ = next(iter(val_loader))
    assert torch.equal(val_images[0], val_loader.dataset[0][0])  # validation is not shuffled


def test_make_loaders_max_samples_and_augment(synthetic_voc_root):
    args = course_args(
        root=synthetic_voc_root,
        h_size=48,
        w_size=48,
        batch_size=2,
        num_workers=0,
        max_samples=3,
        device="cpu",
        augment=True,
    )
    train_loader, val_loader = make_loaders(args)
    assert len(train_loader.dataset) == 3 and len(val_loader.dataset) == 3
    assert train_loader.dataset.augment and not val_loader.dataset.augment


# ---------------------------------------------------------------------------------------------------- download


class BrokenResponse(io.BytesIO):
    """An HTTP response whose connection drops after the first chunk."""

    headers = {"Content-Length": str(10 * download.CHUNK_BYTES)}

    def read(self, size=-1):
        if self.tell() > 0:
            raise ConnectionResetError("connection reset by peer")
        return super().read(size)


# ---------------------------------------------------------------------------------------------------- memory cache


def test_cached_items_equal_uncached_items(synthetic_voc_root):
    plain = VOCSubset(synthetic_voc_root, "train", size=SIZE, verbose=False)
    cached = VOCSubset(synthetic_voc_root, "train", size=SIZE, verbose=False, cache_in_memory=True)
    for _ in range(2):  # first pass fills the cache, second pass is served from it
        for index in range(len(plain)):
            (image, label), (cached_image, cached_label) = plain[index], cached[index]
            assert torch.equal(image, cached_image) and torch.equal(label, cached_label)
            assert type(cached_image) is torch.Tensor and cached_label.dtype == torch.int64
    assert all(entry is not None for entry in cached.memory)
    stored_image, stored_label = cached.memory[0]
    assert stored_image.dtype == torch.uint8 and stored_label.dtype == torch.uint8
    assert stored_image.shape == (3, 120, 160) and stored_label.shape == (120, 160)  # full size, before any crop


def test_cache_is_off_by_default(synthetic_voc_root):
    dataset = VOCSubset(synthetic_voc_root, "train", size=SIZE, verbose=False)
    dataset[0]
    assert not dataset.cache_in_memory and dataset.memory[0] is None


def test_cached_augmentation_still_varies_and_keeps_valid_labels(synthetic_voc_root):
    dataset = VOCSubset(synthetic_voc_root, "train", size=SIZE, augment=True, verbose=False, cache_in_memory=True)
    torch.manual_seed(0)
    epochs = [[dataset[index] for index in range(len(dataset))] for _ in range(3)]
    for epoch in epochs:
        for image, label in epoch:
            assert image.shape == (3, *SIZE) and label.shape == SIZE
            assert set(label.unique().tolist()) <= {0, 1, 2, VOID}
    # Random zoom, crop and flip still run on every access: the same image differs from epoch to epoch.
    assert sum(not torch.equal(epochs[0][i][1], epochs[2][i][1]) for i in range(len(dataset))) > len(dataset) // 2
    # The stored picture itself never changes.
    reference = VOCSubset(synthetic_voc_root, "train", size=SIZE, verbose=False).load(0)
    assert torch.equal(dataset.memory[0][0], reference[0]) and torch.equal(dataset.memory[0][1], reference[1])


def test_second_epoch_opens_no_file(synthetic_voc_root, monkeypatch):
    dataset = VOCSubset(synthetic_voc_root, "train", size=SIZE, augment=True, verbose=False, cache_in_memory=True)
    opened = []
    real_open = Image.open
    monkeypatch.setattr(Image, "open", lambda *args, **kwargs: opened.append(args[0]) or real_open(*args, **kwargs))
    first = [dataset[index] for index in range(len(dataset))]
    assert len(opened) == 2 * len(dataset)  # one JPEG and one PNG per image
    opened.clear()
    second = [dataset[index] for index in range(len(dataset))]
    assert opened == [] and len(second) == len(first)


def test_fill_cache_decodes_everything_up_front(synthetic_voc_root, monkeypatch):
    dataset = VOCSubset(synthetic_voc_root, "val", size=SIZE, verbose=False)
    assert dataset.fill_cache() is dataset and dataset.cache_in_memory
    monkeypatch.setattr(Image, "open", lambda *args, **kwargs: pytest.fail("the cache was not used"))
    assert all(dataset[index][0].shape == (3, *SIZE) for index in range(len(dataset)))


def test_cache_bytes_counts_rgb_and_label_bytes(synthetic_voc_root):
    dataset = VOCSubset(synthetic_voc_root, "train", size=SIZE, verbose=False)
    assert dataset.cache_bytes() == len(dataset) * 160 * 120 * 4
    dataset.fill_cache()
    held = sum(image.numel() + label.numel() for image, label in dataset.memory)
    assert held == dataset.cache_bytes()


def test_cache_fits_in_memory(monkeypatch):
    monkeypatch.setattr(data, "available_memory_bytes", lambda: 1000)
    assert data.cache_fits_in_memory(500) and not data.cache_fits_in_memory(501)
    assert data.cache_fits_in_memory(900, share=0.9)
    monkeypatch.setattr(data, "available_memory_bytes", lambda: None)
    assert not data.cache_fits_in_memory(1)


def test_available_memory_is_a_positive_number_on_linux():
    free = data.available_memory_bytes()
    assert free is None or free > 0


def test_make_loaders_passes_the_cache_setting(synthetic_voc_root):
    args = course_args(
        root=synthetic_voc_root,
        h_size=64,
        w_size=64,
        batch_size=4,
        num_workers=0,
        max_samples=None,
        device="cpu",
        cache_in_memory=False,
    )
    train_loader, val_loader = make_loaders(args)
    assert not train_loader.dataset.cache_in_memory and not val_loader.dataset.cache_in_memory
    assert course_args()["cache_in_memory"] == "auto"  # the course's default: on when it fits in memory
    args["cache_in_memory"] = True
    train_loader, val_loader = make_loaders(args)
    assert train_loader.dataset.cache_in_memory and val_loader.dataset.cache_in_memory
    batches = [labels for _ in range(2) for _, labels in train_loader]
    assert all(entry is not None for entry in train_loader.dataset.memory)
    first, second = (
        torch.cat(half).flatten().sort().values for half in (batches[: len(batches) // 2], batches[len(batches) // 2 :])
    )
    assert torch.equal(first, second)  # no augmentation: both epochs see the same pixels (in another order)


@pytest.mark.parametrize("free, expected", [(10**12, True), (1000, False), (None, False)])
def test_make_loaders_auto_cache_only_when_it_fits(synthetic_voc_root, monkeypatch, free, expected):
    monkeypatch.setattr(data, "available_memory_bytes", lambda: free)
    args = course_args(
        root=synthetic_voc_root, h_size=64, w_size=64, batch_size=4, num_workers=0, max_samples=None, device="cpu"
    )
    args["cache_in_memory"] = "auto"
    train_loader, val_loader = make_loaders(args)
    assert train_loader.dataset.cache_in_memory is expected and val_loader.dataset.cache_in_memory is expected


# ==================================================================================================
# Contracts that mutation testing showed were unguarded (issue #15):
# * Augmented labels stay labels: resizing them must pick existing values (nearest), never blend a class
#   index with its neighbour or with void (255) into a value that is no class at all.
# * The subset cache is one file per class list: two class sets do not overwrite each other's index.
# ==================================================================================================

AUGMENTED_SIZE = (64, 64)


def test_augmented_labels_hold_only_values_of_the_original_label(synthetic_voc_root):
    dataset = VOCSubset(synthetic_voc_root, "train", size=AUGMENTED_SIZE, augment=True, verbose=False)
    allowed = set(range(len(dataset.classes))) | {VOID}
    originals = [set(torch.as_tensor(dataset.load(i)[1]).unique().tolist()) for i in range(len(dataset))]
    seen = set()
    for seed in range(4):
        torch.manual_seed(seed)
        for index in range(len(dataset)):
            _, label = dataset[index]
            values = set(label.unique().tolist())
            assert values <= allowed, f"item {index}, seed {seed}: label values {sorted(values - allowed)} are no class"
            assert values <= originals[index] | {VOID}, (
                f"item {index}, seed {seed}: new values {values - originals[index]}"
            )
            seen |= values
    assert seen == allowed  # every class (and void) really went through the augmentation


def test_two_class_sets_keep_two_cache_files_both_served_from_cache(synthetic_voc_root, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user_cache"))
    root = tmp_path / "voc"
    shutil.copytree(synthetic_voc_root, root, ignore=shutil.ignore_patterns(data.CACHE_DIR_NAME))
    class_sets = [("background", "bus", "person"), ("background", "person")]

    first = [VOCSubset(root, "train", classes=classes, verbose=False) for classes in class_sets]
    assert not any(dataset.from_cache for dataset in first)
    assert len(list((root / data.CACHE_DIR_NAME).glob("subset_train_*.json"))) == 2

    second = [VOCSubset(root, "train", classes=classes, verbose=False) for classes in class_sets]
    assert all(dataset.from_cache for dataset in second)
    assert [d.ids for d in second] == [d.ids for d in first]
    assert first[0].ids != first[1].ids  # the two class sets really select different images


# ==================================================================================================
# Data cases found by mutation testing (benchmarks/mutation_test.py) that no other test pinned
# ==================================================================================================


# --------------------------------------------------------------------------------------------------
# A missing tree
# --------------------------------------------------------------------------------------------------
def test_a_folder_with_jpegimages_outside_a_vocdevkit_gets_no_voc2012_hint(tmp_path):
    """The "you passed the VOC2012 folder" hint needs both signs: JPEGImages inside, VOCdevkit above."""
    photos = tmp_path / "photos"
    (photos / "JPEGImages").mkdir(parents=True)
    with pytest.raises(VOCNotFoundError) as error:
        data.require_voc_tree(photos, "train")
    assert "própria pasta VOC2012" not in str(error.value)
    empty_voc2012 = tmp_path / "VOCdevkit" / "VOC2012"
    empty_voc2012.mkdir(parents=True)
    with pytest.raises(VOCNotFoundError) as error:
        data.require_voc_tree(empty_voc2012, "train")
    assert "própria pasta VOC2012" not in str(error.value)


def test_prepare_data_without_voc_nor_synthetic_nor_download_says_how_to_get_it(tmp_path):
    with pytest.raises(VOCNotFoundError, match="download=True"):
        prepare_data({"root": str(tmp_path / "nowhere"), "synthetic": None, "download": False}, verbose=False)


# --------------------------------------------------------------------------------------------------
# Padding and random scaling
# --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("height, width", [(3, 4), (4, 3), (3, 3)])
def test_a_picture_one_pixel_short_is_padded_to_the_size(height, width):
    image = tv_tensors.Image(torch.zeros(3, height, width, dtype=torch.uint8))
    label = tv_tensors.Mask(torch.ones(height, width, dtype=torch.uint8))
    padded_image, padded_label = pad_to_size(image, label, (4, 4))
    assert padded_image.shape == (3, 4, 4) and padded_label.shape == (4, 4)
    assert int((padded_label == VOID).sum()) == 16 - height * width


@pytest.mark.parametrize("height, width, expected", [(1, 4, (1, 2)), (4, 1, (2, 1)), (2, 4, (1, 2))])
def test_random_scale_keeps_at_least_one_pixel_per_side(height, width, expected):
    image = tv_tensors.Image(torch.zeros(3, height, width, dtype=torch.uint8))
    label = tv_tensors.Mask(torch.ones(height, width, dtype=torch.uint8))
    scaled_image, scaled_label = random_scale(image, label, 0.5, 0.5)
    assert tuple(scaled_image.shape[-2:]) == expected and tuple(scaled_label.shape) == expected


# --------------------------------------------------------------------------------------------------
# The subset's progress bar
# --------------------------------------------------------------------------------------------------
def test_indexing_many_masks_shows_a_progress_bar_only_when_verbose(voc_copy, monkeypatch, capsys):
    subset = VOCSubset(voc_copy, "train", verbose=False)
    monkeypatch.setattr(data, "load_cached_subset", lambda *args: None)  # index again every time
    monkeypatch.setattr(data, "count_chosen_classes", lambda path, lookup: 2)
    mask = subset.masks[0]
    many_ids = [f"id{i}" for i in range(250)]
    paths = {image_id: (subset.images[0], mask) for image_id in many_ids}
    capsys.readouterr()
    assert subset.select_ids(many_ids, paths, verbose=False) == many_ids
    assert "indexando as máscaras de train" not in capsys.readouterr().err
    assert subset.select_ids(many_ids, paths, verbose=True) == many_ids
    assert "indexando as máscaras de train" in capsys.readouterr().err


# --------------------------------------------------------------------------------------------------
# Memory
# --------------------------------------------------------------------------------------------------
def test_available_memory_is_free_pages_times_page_size(monkeypatch):
    figures = {"SC_AVPHYS_PAGES": 1000, "SC_PAGE_SIZE": 4096}
    monkeypatch.setattr(os, "sysconf", figures.__getitem__, raising=False)
    assert data.available_memory_bytes() == 4_096_000


def test_with_workers_the_memory_cache_is_filled_before_they_start(synthetic_voc_root):
    """Filled in the main process, so that every worker shares one copy instead of filling its own."""
    args = course_args(
        root=synthetic_voc_root,
        h_size=32,
        w_size=32,
        batch_size=2,
        num_workers=1,
        max_samples=2,
        device="cpu",
        cache_in_memory=True,
    )
    train_loader, val_loader = make_loaders(args)
    for dataset in (train_loader.dataset, val_loader.dataset):
        assert dataset.memory and all(entry is not None for entry in dataset.memory)


# --------------------------------------------------------------------------------------------------
# The subset index cache: where it lives, when it is stale, what a damaged one looks like
# --------------------------------------------------------------------------------------------------
def test_without_xdg_cache_home_the_user_cache_is_under_home_dot_cache(tmp_path, monkeypatch):
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    shared, personal = data.cache_folders(tmp_path / "voc")
    assert shared == tmp_path / "voc" / data.CACHE_DIR_NAME
    assert personal.parent == tmp_path / "home" / ".cache" / "fcn_course"


def test_editing_a_mask_makes_the_cached_index_stale(voc_copy):
    """A mask painted all background no longer has two classes: the cache must not keep its image."""
    from PIL import Image

    first = VOCSubset(voc_copy, "train", verbose=False)
    edited_id = first.ids[0]
    mask_path = Path(first.masks[0])
    with Image.open(mask_path) as mask:
        palette = mask.getpalette()
        blank = Image.new("P", mask.size, 0)
    blank.putpalette(palette)
    blank.save(mask_path)
    again = VOCSubset(voc_copy, "train", verbose=False)
    assert not again.from_cache
    assert edited_id not in again.ids and set(again.ids) == set(first.ids) - {edited_id}


def test_a_cache_whose_kept_is_not_a_list_of_ids_is_not_used():
    expected = {"image_set": "val"}
    problem = "não contém um índice do subconjunto"
    assert problem in data.cache_problem({**expected, "kept": "ab"}, expected, ["a", "b"])  # a string
    assert problem in data.cache_problem({**expected, "kept": ["a", 3]}, expected, ["a", 3])
    assert problem in data.cache_problem(["a"], expected, ["a"])
    assert data.cache_problem({**expected, "kept": ["a"]}, expected, ["a", "b"]) == ""


def test_a_cache_naming_images_outside_the_split_is_rebuilt_and_says_why(voc_copy, capsys):
    first = VOCSubset(voc_copy, "val", verbose=False)
    (cache_file,) = (voc_copy / data.CACHE_DIR_NAME).glob("subset_val_*.json")
    record = json.loads(cache_file.read_text())
    record["kept"].append("2099_999999")
    cache_file.write_text(json.dumps(record))
    capsys.readouterr()
    again = VOCSubset(voc_copy, "val", verbose=False)
    assert not again.from_cache and again.ids == first.ids
    assert "cita imagens que não estão na lista da divisão" in capsys.readouterr().out


def test_the_warning_about_an_unwritable_cache_names_every_folder_tried(voc_copy, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user_cache"))

    def refuse(path, record):
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(data, "write_json", refuse)
    with pytest.warns(UserWarning) as warned:
        VOCSubset(voc_copy, "val", verbose=False)
    message = str(warned[0].message)
    for folder in data.cache_folders(voc_copy):
        assert str(folder) in message


# --------------------------------------------------------------------------------------------------
# Sizes
# --------------------------------------------------------------------------------------------------
def test_a_picture_larger_than_the_size_is_not_padded():
    image = tv_tensors.Image(torch.zeros(3, 5, 6, dtype=torch.uint8))
    label = tv_tensors.Mask(torch.ones(5, 6, dtype=torch.uint8))
    padded_image, padded_label = pad_to_size(image, label, (4, 4))
    assert padded_image.shape == (3, 5, 6) and padded_label.shape == (5, 6)
    assert not (padded_label == VOID).any()


def test_the_default_item_size_is_224_by_224(voc_copy):
    image, label = VOCSubset(voc_copy, "val", verbose=False)[0]
    assert image.shape == (3, 224, 224) and label.shape == (224, 224)


@pytest.mark.parametrize("count, bar", [(199, False), (200, True)])
def test_the_indexing_progress_bar_starts_at_200_masks(voc_copy, monkeypatch, capsys, count, bar):
    subset = VOCSubset(voc_copy, "train", verbose=False)
    monkeypatch.setattr(data, "load_cached_subset", lambda *args: None)
    monkeypatch.setattr(data, "count_chosen_classes", lambda path, lookup: 2)
    ids = [f"id{i}" for i in range(count)]
    paths = {image_id: (subset.images[0], subset.masks[0]) for image_id in ids}
    capsys.readouterr()
    subset.select_ids(ids, paths, verbose=True)
    assert ("indexando as máscaras de train" in capsys.readouterr().err) == bar


# --------------------------------------------------------------------------------------------------
# prepare_data and make_loaders on a profile whose data is not there yet
# --------------------------------------------------------------------------------------------------
def smoke_args_in(folder: Path) -> dict:
    args = course_args(profile="smoke", h_size=32, w_size=32, batch_size=2, max_samples=2, device="cpu")
    return {**args, "root": str(folder)}


def test_prepare_data_says_what_it_generated_and_which_profile_runs(tmp_path, capsys):
    args = smoke_args_in(tmp_path / "synthetic")
    assert prepare_data(args, verbose=True) == tmp_path / "synthetic"
    printed = capsys.readouterr().out
    assert f"conjunto sintético gerado em {tmp_path / 'synthetic'}" in printed
    assert describe_profile(args) in printed
    assert prepare_data(args, verbose=True) == tmp_path / "synthetic"
    assert "gerado" not in capsys.readouterr().out  # already there: nothing generated


def test_prepare_data_quiet_prints_nothing_even_when_it_generates(tmp_path, capsys):
    prepare_data(smoke_args_in(tmp_path / "synthetic"), verbose=False)
    assert capsys.readouterr().out == ""
    assert (tmp_path / "synthetic" / "VOCdevkit" / "VOC2012").is_dir()


def test_make_loaders_generates_a_missing_synthetic_dataset(tmp_path):
    train_loader, _ = make_loaders(smoke_args_in(tmp_path / "synthetic"))
    images, labels = next(iter(train_loader))
    assert images.shape == (2, 3, 32, 32) and labels.shape == (2, 32, 32)


def test_with_one_worker_the_workers_persist_between_epochs(synthetic_voc_root):
    args = course_args(
        root=synthetic_voc_root, h_size=32, w_size=32, batch_size=2, num_workers=1, max_samples=2, device="cpu"
    )
    train_loader, val_loader = make_loaders(args)
    assert train_loader.persistent_workers and val_loader.persistent_workers
    args["num_workers"] = 0
    train_loader, val_loader = make_loaders(args)
    assert not train_loader.persistent_workers and not val_loader.persistent_workers


def test_an_unreadable_cache_file_is_named_when_the_index_is_rebuilt(voc_copy, capsys):
    VOCSubset(voc_copy, "val", verbose=False)
    (cache_file,) = (voc_copy / data.CACHE_DIR_NAME).glob("subset_val_*.json")
    cache_file.write_text("{ half a json")
    capsys.readouterr()
    assert not VOCSubset(voc_copy, "val", verbose=False).from_cache
    printed = capsys.readouterr().out
    assert f"índice do subconjunto refeito: {cache_file} não pode ser lido (JSONDecodeError)" in printed


def test_the_first_index_goes_into_the_data_folder_without_a_warning(voc_copy, recwarn):
    assert not (voc_copy / data.CACHE_DIR_NAME).exists()
    VOCSubset(voc_copy, "val", verbose=False)
    assert len(list((voc_copy / data.CACHE_DIR_NAME).glob("subset_val_*.json"))) == 1
    assert not [w for w in recwarn if "índice do subconjunto" in str(w.message)]


# --------------------------------------------------------------------------------------------------
# The split's files, the filter, the download switch
# --------------------------------------------------------------------------------------------------
def test_a_damaged_picture_is_named_with_how_to_repair_it(voc_copy):
    subset = VOCSubset(voc_copy, "val", verbose=False)
    picture = Path(subset.images[0])
    picture.write_bytes(picture.read_bytes()[:200])  # an interrupted copy
    with pytest.raises(OSError, match="danificado") as raised:
        subset[0]
    assert str(picture) in str(raised.value) and "download_voc(root)" in str(raised.value)


def test_a_listed_picture_missing_on_disk_is_named_before_anything_is_read(voc_copy):
    subset = VOCSubset(voc_copy, "val", verbose=False)
    missing = Path(subset.images[0])
    missing.unlink()
    with pytest.raises(FileNotFoundError, match=missing.name):
        VOCSubset(voc_copy, "val", verbose=False)


def test_min_classes_1_drops_an_image_whose_mask_is_all_void(voc_copy):
    from PIL import Image

    every = VOCSubset(voc_copy, "val", min_classes=0, verbose=False)
    mask_path = Path(every.masks[0])
    with Image.open(mask_path) as mask:
        palette = mask.getpalette()
        void = Image.new("P", mask.size, VOID)
    void.putpalette(palette)
    void.save(mask_path)
    assert every.ids[0] in VOCSubset(voc_copy, "val", min_classes=0, verbose=False).ids
    assert every.ids[0] not in VOCSubset(voc_copy, "val", min_classes=1, verbose=False).ids


def test_download_true_asks_download_voc_for_the_missing_files_first(voc_copy, monkeypatch):
    calls = []
    monkeypatch.setattr(data, "download_voc", lambda root: calls.append(root))
    VOCSubset(voc_copy, "val", verbose=False)
    assert calls == []
    VOCSubset(voc_copy, "val", download=True, verbose=False)
    assert calls == [voc_copy]


def test_prepare_data_downloads_when_asked(tmp_path, monkeypatch):
    calls = []
    monkeypatch.setattr(data, "download_voc", lambda root: calls.append(root))
    args = {"root": str(tmp_path / "voc"), "synthetic": None, "download": True}
    assert prepare_data(args, verbose=False) == tmp_path / "voc" and calls == [tmp_path / "voc"]


def test_prepare_data_is_verbose_by_default(tmp_path, capsys):
    args = smoke_args_in(tmp_path / "synthetic")
    prepare_data(args)
    assert describe_profile(args) in capsys.readouterr().out


# --------------------------------------------------------------------------------------------------
# Zooming out
# --------------------------------------------------------------------------------------------------
def test_zooming_a_fine_pattern_out_blends_it_instead_of_aliasing():
    """Antialiasing: stripes two pixels wide, halved, turn grey; without it they stay pure black and white."""
    stripes = ((torch.arange(16) // 2) % 2 * 255).to(torch.uint8)
    image = tv_tensors.Image(stripes.expand(3, 16, 16).clone())
    label = tv_tensors.Mask(torch.zeros(16, 16, dtype=torch.uint8))
    small, _ = random_scale(image, label, 0.5, 0.5)
    assert small.shape == (3, 8, 8)
    inside = small[..., 1:-1]  # away from the borders, where the image is extended
    assert 40 <= int(inside.min()) and int(inside.max()) <= 215


# --------------------------------------------------------------------------------------------------
# make_loaders with the fewest settings
# --------------------------------------------------------------------------------------------------
MINIMAL_KEYS = ("root", "classes", "h_size", "w_size", "batch_size")


def minimal_args(synthetic_voc_root, **extra) -> dict:
    """Only the keys make_loaders requires: every optional one takes its documented default."""
    full = course_args(root=synthetic_voc_root, h_size=32, w_size=32, batch_size=2, max_samples=4)
    return {**{key: full[key] for key in MINIMAL_KEYS}, "max_samples": 4, **extra}


def test_make_loaders_defaults_no_workers_no_memory_cache_no_download(synthetic_voc_root, monkeypatch):
    monkeypatch.setattr(data, "download_voc", lambda root: pytest.fail("download_voc called"))
    train_loader, val_loader = make_loaders(minimal_args(synthetic_voc_root))
    for loader in (train_loader, val_loader):
        assert loader.num_workers == 0
        assert loader.dataset.cache_in_memory is False
        assert loader.pin_memory == torch.cuda.is_available()


def test_make_loaders_default_seed_is_zero(synthetic_voc_root):
    def first_labels(args):
        train_loader, _ = make_loaders(args)
        return torch.cat([labels for _, labels in train_loader])

    assert torch.equal(
        first_labels(minimal_args(synthetic_voc_root)), first_labels(minimal_args(synthetic_voc_root, seed=0))
    )


def test_only_the_training_loader_shuffles(synthetic_voc_root):
    from torch.utils.data import RandomSampler, SequentialSampler

    train_loader, val_loader = make_loaders(minimal_args(synthetic_voc_root))
    assert isinstance(train_loader.sampler, RandomSampler)
    assert isinstance(val_loader.sampler, SequentialSampler)


def test_without_workers_the_memory_cache_fills_as_items_are_read(synthetic_voc_root):
    train_loader, _ = make_loaders(minimal_args(synthetic_voc_root, cache_in_memory=True))
    assert train_loader.dataset.cache_in_memory
    assert all(entry is None for entry in train_loader.dataset.memory)
    train_loader.dataset[0]
    assert train_loader.dataset.memory[0] is not None


def test_auto_cache_asks_whether_both_splits_fit_together(synthetic_voc_root, monkeypatch):
    asked = []
    monkeypatch.setattr(data, "cache_fits_in_memory", lambda n_bytes: asked.append(n_bytes) or True)
    train_loader, val_loader = make_loaders(minimal_args(synthetic_voc_root, cache_in_memory="auto"))
    assert asked == [train_loader.dataset.cache_bytes() + val_loader.dataset.cache_bytes()]
    assert train_loader.dataset.cache_in_memory and val_loader.dataset.cache_in_memory


def test_make_loaders_leaves_the_profile_line_to_the_notebook(synthetic_voc_root, capsys):
    """The notebook prints it once, at its top (prepare_data); every later make_loaders stays quiet about it."""
    args = course_args(root=synthetic_voc_root, h_size=32, w_size=32, batch_size=2, max_samples=4)
    make_loaders(args)
    assert describe_profile(args) not in capsys.readouterr().out


def test_the_indexing_progress_bar_is_cleared_when_done(voc_copy, monkeypatch, capsys):
    """leave=False: the notebook keeps the subset summary, not a finished bar above it."""
    subset = VOCSubset(voc_copy, "train", verbose=False)
    monkeypatch.setattr(data, "load_cached_subset", lambda *args: None)
    monkeypatch.setattr(data, "count_chosen_classes", lambda path, lookup: 2)
    ids = [f"id{i}" for i in range(200)]
    paths = {image_id: (subset.images[0], subset.masks[0]) for image_id in ids}
    capsys.readouterr()
    subset.select_ids(ids, paths, verbose=True)
    shown = capsys.readouterr().err
    assert "indexando as máscaras de train" in shown
    assert shown.rstrip("\r").split("\r")[-1].strip() == "" and not shown.endswith("\n")


def test_a_non_square_size_pads_height_and_width_each_to_its_own_target():
    image = tv_tensors.Image(torch.zeros(3, 5, 5, dtype=torch.uint8))
    label = tv_tensors.Mask(torch.ones(5, 5, dtype=torch.uint8))
    padded_image, padded_label = pad_to_size(image, label, (4, 8))  # (height, width)
    assert padded_image.shape == (3, 5, 8) and padded_label.shape == (5, 8)
    padded_image, padded_label = pad_to_size(image, label, (8, 4))
    assert padded_image.shape == (3, 8, 5) and padded_label.shape == (8, 5)


# ==================================================================================================
# Safety (issue #11, README "Safety"; marked `safety`):
# the subset cache notices edited masks and rebuilds a damaged index with one line; every
# error names the file and the fix.
# Each test reproduces one fault and asserts the outcome: a clear error that names the file and the fix, or a
# correct result; where files were there before, every one of them is byte-identical afterwards.
# ==================================================================================================


@pytest.mark.safety
def test_an_edited_mask_invalidates_the_subset_cache(voc_copy):
    """Case 5: after masks were edited the old ids were served from the cache."""
    first = data.VOCSubset(voc_copy, "train", verbose=False)
    kept = first.ids[0]
    mask_path = voc_path(voc_copy, "SegmentationClass", f"{kept}.png")
    with Image.open(mask_path) as mask:
        background = Image.new("P", mask.size, 0)
        background.putpalette(mask.getpalette())
    time.sleep(0.01)
    background.save(mask_path)  # now background only: must leave the subset
    again = data.VOCSubset(voc_copy, "train", verbose=False)
    assert not again.from_cache and kept not in again.ids
    assert data.VOCSubset(voc_copy, "train", verbose=False).from_cache  # and the new index is reused


@pytest.mark.safety
@pytest.mark.parametrize("content", ['{"image_set": "train"}', '[1, 2, 3]', '"kept"', '{"kept": 3}'])
def test_a_cache_of_the_wrong_shape_is_rebuilt_with_one_line(voc_copy, capsys, content):
    """Case 8: valid JSON with the wrong content gave a bare KeyError."""
    first = data.VOCSubset(voc_copy, "train", verbose=False)
    (cache_file,) = (voc_copy / data.CACHE_DIR_NAME).glob("*.json")
    record = read_json(cache_file)
    damaged = content if content != '{"kept": 3}' else None
    if damaged is None:
        record["kept"] = 3
        write_json(cache_file, record)
    else:
        cache_file.write_text(damaged)
    capsys.readouterr()
    again = data.VOCSubset(voc_copy, "train", verbose=False)
    assert not again.from_cache and again.ids == first.ids
    lines = [line for line in capsys.readouterr().out.splitlines() if "refeito" in line]
    assert len(lines) == 1 and cache_file.name in lines[0]


@pytest.mark.safety
def test_a_truncated_jpeg_names_the_file(voc_copy):
    dataset = data.VOCSubset(voc_copy, "train", min_classes=0, verbose=False)
    path = dataset.images[0]
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    with pytest.raises(OSError) as error:
        dataset[0]
    assert str(path) in str(error.value) and "download_voc" in str(error.value)


@pytest.mark.safety
def test_a_listed_jpeg_that_does_not_exist_is_found_at_construction(voc_copy):
    missing = voc_path(voc_copy, "JPEGImages", split_ids(voc_copy, "train")[-1] + ".jpg")
    missing.unlink()
    with pytest.raises(FileNotFoundError) as error:
        data.VOCSubset(voc_copy, "train", verbose=False)
    assert str(missing) in str(error.value) and "download_voc" in str(error.value)


@pytest.mark.safety
def test_an_empty_split_is_a_clear_error(voc_copy):
    split = voc_path(voc_copy, "ImageSets", "Segmentation", "train.txt")
    split.write_text("")
    with pytest.raises(ValueError) as error:
        data.VOCSubset(voc_copy, "train", verbose=False)
    assert str(split) in str(error.value)


@pytest.mark.safety
def test_a_filter_that_keeps_nothing_is_a_clear_error(voc_copy):
    with pytest.raises(ValueError, match="nenhuma das") as error:
        data.VOCSubset(voc_copy, "train", classes=("background", "cow"), verbose=False)
    assert "min_classes" in str(error.value)


@pytest.mark.safety
def test_min_classes_above_the_number_of_classes_is_refused(voc_copy):
    with pytest.raises(ValueError, match="min_classes=4") as error:
        data.VOCSubset(voc_copy, "train", min_classes=4, verbose=False)
    assert "3 classes" in str(error.value)


# --------------------------------------------------------------------------------------------------
# Safety: masks are checked when the subset is built, naming the file and the real cause
# --------------------------------------------------------------------------------------------------
def _rewrite_mask(root, image_id, change):
    """Replace a mask by ``change(indices)`` (a uint8 array), saved as a VOC palette PNG."""
    path = Path(root) / "VOCdevkit/VOC2012/SegmentationClass" / f"{image_id}.png"
    indices = change(raw_mask(root, image_id))
    mask = Image.fromarray(np.ascontiguousarray(indices, dtype=np.uint8), mode="P")
    mask.putpalette(data.voc_colormap().ravel().tolist())
    mask.save(path)
    return path


@pytest.mark.safety
def test_a_mask_with_an_index_outside_the_classes_names_the_file_and_the_cause(voc_copy):
    """Index 100 silently became void, and the error that followed advised 'lower min_classes'."""
    ids = split_ids(voc_copy, "train")
    paths = [
        _rewrite_mask(voc_copy, image_id, lambda indices: np.where(indices == VOID, VOID, 100)) for image_id in ids
    ]  # every mask of the split painted with 100 (say, an instance mask)
    path = paths[0]
    with pytest.raises(ValueError) as error:
        VOCSubset(voc_copy, "train", verbose=False)
    message = str(error.value)
    assert str(path) in message and "100" in message and "min_classes" not in message
    assert str(len(ids)) in message  # how many masks are affected
    assert not list((voc_copy / data.CACHE_DIR_NAME).glob("*.json"))  # nothing cached from bad masks


@pytest.mark.safety
def test_a_mask_whose_size_differs_from_its_image_is_found_at_construction_naming_both_files(voc_copy):
    """It failed only when that item was read, mid-epoch, naming the id and not the file."""
    image_id = split_ids(voc_copy, "train")[3]
    path = _rewrite_mask(voc_copy, image_id, lambda indices: indices[:-10, :-20])
    with pytest.raises(ValueError) as error:
        VOCSubset(voc_copy, "train", verbose=False)
    message = str(error.value)
    assert str(path) in message and f"{image_id}.jpg" in message
    assert "140x110" in message and "160x120" in message  # width x height of the mask and of the photo

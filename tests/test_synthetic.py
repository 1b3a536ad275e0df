"""Tests of fcn_course.synthetic: a genuine, deterministic, learnable VOC look-alike."""

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from fcn_course import data
from fcn_course.data import VOC_CLASSES, VOID, voc_colormap
from fcn_course.synthetic import draw_scene, ensure_synthetic_voc, make_synthetic_voc

BUS, PERSON = VOC_CLASSES.index("bus"), VOC_CLASSES.index("person")
DRAWN = {0, VOID} | {VOC_CLASSES.index(name) for name in ("aeroplane", "bus", "car", "dog", "person")}


def voc(root):
    return Path(root) / "VOCdevkit" / "VOC2012"


def read_ids(root, image_set):
    return (voc(root) / "ImageSets/Segmentation" / f"{image_set}.txt").read_text().split()


def all_masks(root):
    return [
        np.array(Image.open(voc(root) / "SegmentationClass" / f"{image_id}.png"))
        for image_id in read_ids(root, "trainval")
    ]


def test_tree_layout(synthetic_voc_root):
    train, val = read_ids(synthetic_voc_root, "train"), read_ids(synthetic_voc_root, "val")
    assert len(train) == 24 and len(val) == 8 and not set(train) & set(val)
    assert read_ids(synthetic_voc_root, "trainval") == train + val
    for image_id in train + val:
        image = Image.open(voc(synthetic_voc_root) / "JPEGImages" / f"{image_id}.jpg")
        mask = Image.open(voc(synthetic_voc_root) / "SegmentationClass" / f"{image_id}.png")
        assert image.format == "JPEG" and image.mode == "RGB" and image.size == (160, 120)
        assert mask.format == "PNG" and mask.mode == "P" and mask.size == (160, 120)


def test_masks_carry_the_voc_palette(synthetic_voc_root):
    image_id = read_ids(synthetic_voc_root, "train")[0]
    mask = Image.open(voc(synthetic_voc_root) / "SegmentationClass" / f"{image_id}.png")
    np.testing.assert_array_equal(np.array(mask.getpalette()[:768]).reshape(256, 3), voc_colormap())
    indices = np.array(mask)
    np.testing.assert_array_equal(np.array(mask.convert("RGB")), voc_colormap()[indices])


def test_mask_values_and_void_borders(synthetic_voc_root):
    seen = set()
    for mask in all_masks(synthetic_voc_root):
        seen |= set(np.unique(mask).tolist())
        objects = (mask != 0) & (mask != VOID)
        background = mask == 0
        # Void separates every object from the background: no object pixel touches a background pixel.
        assert not (objects[:, 1:] & background[:, :-1]).any() and not (objects[:, :-1] & background[:, 1:]).any()
        assert not (objects[1:] & background[:-1]).any() and not (objects[:-1] & background[1:]).any()
        if objects.any():
            assert (mask == VOID).any()
    assert seen <= DRAWN and {0, BUS, PERSON, VOID} <= seen and len(seen) >= 6


def test_about_a_third_of_the_images_have_no_bus_and_no_person(tmp_path):
    root = make_synthetic_voc(tmp_path, n_train=80, n_val=0, size=(80, 60), seed=1)
    without = [not ({BUS, PERSON} & set(np.unique(mask).tolist())) for mask in all_masks(root)]
    assert 0.15 <= np.mean(without) <= 0.45


def test_objects_sit_near_the_centre(synthetic_voc_root):
    inside = []
    for mask in all_masks(synthetic_voc_root):
        objects = (mask != 0) & (mask != VOID)
        if objects.sum():
            inside.append(objects[12:108, 32:128].sum() / objects.sum())  # the 96x96 centre crop
    assert np.mean(inside) > 0.9


def test_each_class_has_its_own_look(synthetic_voc_root):
    pixels = {BUS: [], PERSON: []}
    for image_id in read_ids(synthetic_voc_root, "trainval"):
        image = np.array(Image.open(voc(synthetic_voc_root) / "JPEGImages" / f"{image_id}.jpg"), dtype=float)
        mask = np.array(Image.open(voc(synthetic_voc_root) / "SegmentationClass" / f"{image_id}.png"))
        for index in pixels:
            pixels[index].append(image[mask == index])
    bus, person = (np.concatenate(pixels[index]).mean(0) for index in (BUS, PERSON))
    assert bus[0] > bus[2] + 50 and bus[1] > bus[2] + 30  # yellow-orange
    assert person[0] > person[1] + 40  # magenta shirts, skin


def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path):
    first = make_synthetic_voc(tmp_path / "a", n_train=5, n_val=2, seed=7)
    second = make_synthetic_voc(tmp_path / "b", n_train=5, n_val=2, seed=7)
    third = make_synthetic_voc(tmp_path / "c", n_train=5, n_val=2, seed=8)
    files = sorted(path.relative_to(first) for path in first.rglob("*") if path.is_file())
    assert len(files) == 2 * 7 + 3 + 1  # pictures, masks, split lists and the record of what synth wrote
    for name in files:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name
    assert any((first / name).read_bytes() != (third / name).read_bytes() for name in files)


def test_size_is_width_by_height(tmp_path):
    root = make_synthetic_voc(tmp_path, n_train=2, n_val=1, size=(100, 70))
    for image_id in read_ids(root, "trainval"):
        assert Image.open(voc(root) / "JPEGImages" / f"{image_id}.jpg").size == (100, 70)
        assert np.array(Image.open(voc(root) / "SegmentationClass" / f"{image_id}.png")).shape == (70, 100)


def test_rebuilding_forgets_the_old_subset_cache(tmp_path):
    root = make_synthetic_voc(tmp_path, n_train=6, n_val=2, size=(80, 60), seed=0)
    data.VOCSubset(root, "train", verbose=False)
    assert (root / data.CACHE_DIR_NAME).is_dir()
    make_synthetic_voc(root, n_train=6, n_val=2, size=(80, 60), seed=5)  # same ids, new masks
    assert not (root / data.CACHE_DIR_NAME).exists()
    assert not data.VOCSubset(root, "train", verbose=False).from_cache


def test_data_module_reexports_it():
    assert data.make_synthetic_voc is make_synthetic_voc


@pytest.mark.parametrize("image_set", ["train", "val"])
def test_readable_by_torchvision(synthetic_voc_root, image_set):
    from torchvision.datasets import VOCSegmentation

    dataset = VOCSegmentation(str(synthetic_voc_root), year="2012", image_set=image_set, download=False)
    image, target = dataset[0]
    assert image.size == target.size == (160, 120)


def block_majority_recall(masks, class_id, cell):
    """Share of ``class_id`` pixels still labelled ``class_id`` when each cell x cell block takes its majority label.

    That is the best a classifier working at stride ``cell`` could do without finer features.
    """
    kept = total = 0
    for mask in masks:
        height, width = (mask.shape[0] // cell) * cell, (mask.shape[1] // cell) * cell
        blocks = mask[:height, :width].reshape(height // cell, cell, width // cell, cell).swapaxes(1, 2)
        blocks = blocks.reshape(height // cell, width // cell, cell * cell)
        counts = np.stack([(blocks == value).sum(-1) for value in range(VOID)], axis=-1)  # void never wins
        majority = np.repeat(np.repeat(counts.argmax(-1), cell, 0), cell, 1)
        selected = mask[:height, :width] == class_id
        kept += (majority[selected] == class_id).sum()
        total += selected.sum()
    return kept / total


def test_people_are_thinner_than_a_stride_32_cell(tmp_path):
    """The lesson of skip connections needs it: at stride 32 people melt into the background, buses do not."""
    root = make_synthetic_voc(tmp_path, n_train=40, n_val=0, size=(200, 160), seed=3)
    masks = all_masks(root)
    assert block_majority_recall(masks, PERSON, 32) < 0.4
    assert block_majority_recall(masks, PERSON, 8) > 0.6
    assert block_majority_recall(masks, BUS, 32) > 0.5


def test_objects_are_textured_and_sometimes_occluded(tmp_path):
    from skimage.measure import label as connected_components

    root = make_synthetic_voc(tmp_path, n_train=40, n_val=0, size=(200, 160), seed=2)
    body_spread, pieces = [], []
    for image_id, mask in zip(read_ids(root, "trainval"), all_masks(root)):
        image = np.array(Image.open(voc(root) / "JPEGImages" / f"{image_id}.jpg"), dtype=float)
        body = (mask == BUS) & (image.sum(-1) > 300)  # the yellow body, without dark windows and wheels
        if body.sum() > 200:
            body_spread.append(image[body].std(axis=0).mean())
            pieces.append(connected_components(mask == BUS).max())
    assert np.median(body_spread) > 15  # stripes, checks or blotches: flat paint plus noise gives about 8
    assert max(pieces) >= 2  # a pole or a person in front cuts a bus in pieces


# --------------------------------------------------------------------------------------------------
# Safety: synth writes only over its own tree
# --------------------------------------------------------------------------------------------------
@pytest.mark.safety
def test_synth_never_writes_into_a_voc_tree_it_did_not_write(tmp_path, capsys):
    """synth into the real VOC's folder replaced its split lists and added its pictures among VOC's."""
    from fcn_course.__main__ import main

    real = make_synthetic_voc(tmp_path / "made_elsewhere", n_train=2, n_val=1, size=(40, 30))
    (real / ".fcn-course-files.json").unlink(missing_ok=True)  # as a real VOC tree: nothing says the course wrote it
    lists = voc(real) / "ImageSets" / "Segmentation"
    (lists / "train.txt").write_text("2007_000032\n")
    before = {path: path.read_bytes() for path in real.rglob("*") if path.is_file()}
    assert main(["synth", str(real), "--train", "2", "--val", "1"]) == 2
    err = capsys.readouterr().err
    assert "train.txt" in err and "Traceback" not in err
    assert {path: path.read_bytes() for path in real.rglob("*") if path.is_file()} == before


@pytest.mark.safety
def test_synth_never_writes_through_a_symbolic_link(tmp_path):
    elsewhere = tmp_path / "photos"
    elsewhere.mkdir()
    root = tmp_path / "data"
    (voc(root)).mkdir(parents=True)
    (voc(root) / "JPEGImages").symlink_to(elsewhere, target_is_directory=True)
    with pytest.raises(FileExistsError, match="link"):
        make_synthetic_voc(root, n_train=2, n_val=1, size=(40, 30))
    assert list(elsewhere.iterdir()) == []


@pytest.mark.safety
def test_synth_rewrites_its_own_tree_and_keeps_a_persons_file_beside_it(tmp_path):
    root = make_synthetic_voc(tmp_path, n_train=2, n_val=1, size=(40, 30), seed=0)
    (voc(root) / "notes.txt").write_text("mine")
    make_synthetic_voc(root, n_train=2, n_val=1, size=(40, 30), seed=3)
    assert (voc(root) / "notes.txt").read_text() == "mine" and read_ids(root, "val") == ["synth_000003"]


# --------------------------------------------------------------------------------------------------
# The entry points' promises: defaults, the folder the data layer reuses, the files' formats
# --------------------------------------------------------------------------------------------------
def test_the_defaults_make_the_documented_twin(tmp_path):
    """32 training and 12 validation pictures of 160x120, from seed 0."""
    root = make_synthetic_voc(tmp_path / "default")
    train, val = read_ids(root, "train"), read_ids(root, "val")
    assert (len(train), len(val)) == (32, 12) and train[0] == "synth_000001" and val[-1] == "synth_000044"
    first = voc(root) / "JPEGImages" / "synth_000001.jpg"
    assert Image.open(first).size == (160, 120)
    explicit = make_synthetic_voc(tmp_path / "seed0", n_train=1, n_val=0, size=(160, 120), seed=0)
    for part in ("JPEGImages/synth_000001.jpg", "SegmentationClass/synth_000001.png"):
        assert (voc(root) / part).read_bytes() == (voc(explicit) / part).read_bytes(), part


def test_pictures_are_jpegs_of_quality_90(tmp_path):
    """Compressed as VOC's photos are, with the quantisation of Pillow's quality 90 (small artefacts)."""
    import io

    root = make_synthetic_voc(tmp_path, n_train=1, n_val=0, size=(48, 40))
    reference = io.BytesIO()
    Image.new("RGB", (48, 40)).save(reference, format="JPEG", quality=90)
    written = Image.open(voc(root) / "JPEGImages" / "synth_000001.jpg")
    assert written.quantization == Image.open(reference).quantization


def test_ensure_writes_the_twin_once_then_reuses_it_until_the_settings_change(tmp_path):
    root = tmp_path / "synthetic-demo"
    spec = {"n_train": 3, "n_val": 1, "size": (40, 30), "seed": 2}
    assert ensure_synthetic_voc(root, spec) is True  # nothing there yet: written
    assert json.loads((root / "synthetic.json").read_text()) == {"n_train": 3, "n_val": 1, "size": [40, 30], "seed": 2}
    assert read_ids(root, "train") == ["synth_000001", "synth_000002", "synth_000003"]
    assert read_ids(root, "val") == ["synth_000004"]
    mask = voc(root) / "SegmentationClass" / "synth_000001.png"
    written = mask.read_bytes()
    mask.write_bytes(b"left alone")  # a file the second call would rewrite if it wrote the twin again
    assert ensure_synthetic_voc(root, dict(spec)) is False  # same settings (a tuple or a list): reused
    assert mask.read_bytes() == b"left alone"
    assert ensure_synthetic_voc(root, dict(spec, seed=3)) is True  # other settings: written again
    assert mask.read_bytes() not in (b"left alone", written)
    assert json.loads((root / "synthetic.json").read_text())["seed"] == 3


def test_ensure_rewrites_its_own_folder_when_its_record_is_damaged_or_the_tree_incomplete(tmp_path):
    root = tmp_path / "synthetic-smoke"
    spec = {"n_train": 2, "n_val": 1, "size": (40, 30), "seed": 0}
    ensure_synthetic_voc(root, spec)
    (root / "synthetic.json").write_text("{ damaged")
    assert ensure_synthetic_voc(root, spec) is True and json.loads((root / "synthetic.json").read_text())["n_val"] == 1
    shutil.rmtree(voc(root) / "SegmentationClass")  # same settings, but the masks are gone
    assert ensure_synthetic_voc(root, spec) is True
    assert len(list((voc(root) / "SegmentationClass").glob("*.png"))) == 3


def test_ensure_never_writes_into_a_folder_the_course_did_not_write(tmp_path):
    root = tmp_path / "photos"
    root.mkdir()
    (root / "holiday.jpg").write_bytes(b"a person's picture")
    with pytest.raises(ValueError, match="synthetic.json"):
        ensure_synthetic_voc(root, {"n_train": 2, "n_val": 1, "size": (40, 30)})
    assert [path.name for path in root.iterdir()] == ["holiday.jpg"]


# --------------------------------------------------------------------------------------------------
# A seed names one twin, in every version: what the pages, READMEs and benchmarks report on the twin
# (scores after a demo run, pixel counts, timings) stays comparable from release to release. A deliberate
# change of the drawing must update these digests (the assertion prints the new one).
# --------------------------------------------------------------------------------------------------
REFERENCE_MASKS = "8b0514eadbf4f16b0cf5d11c272de1c2ac467d61ba8b2e5fcdb682f65d7624dc"
REFERENCE_PICTURES = "2b77520f4485d0a9c7058e5a009de2c4acd26b8f7b5c53cefe83113e29f81e2a"


def digest(arrays) -> str:
    import hashlib

    sha = hashlib.sha256()
    for array in arrays:
        sha.update(np.ascontiguousarray(array).tobytes())
    return sha.hexdigest()


def test_seed_0_names_the_same_masks_in_every_version(tmp_path):
    root = make_synthetic_voc(tmp_path, n_train=32, n_val=8, size=(160, 120), seed=0)
    assert digest(all_masks(root)) == REFERENCE_MASKS


def test_seed_0_names_the_same_pictures_in_every_version():
    """The pictures before JPEG compression (the JPEG coder's bytes may differ from one Pillow to another)."""
    class_index = {name: VOC_CLASSES.index(name) for name in ("aeroplane", "bus", "car", "dog", "person")}
    pictures = [draw_scene(np.random.default_rng([0, number]), 160, 120, class_index)[0] for number in range(1, 41)]
    assert all(picture.dtype == np.uint8 and picture.shape == (120, 160, 3) for picture in pictures)
    assert digest(pictures) == REFERENCE_PICTURES


def test_narrow_pictures_are_drawn_without_floating_point_errors(tmp_path):
    """In a portrait twin people reach the picture's left edge: their patterns stay finite there too."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        root = make_synthetic_voc(tmp_path, n_train=20, n_val=0, size=(40, 120), seed=0)
    masks = all_masks(root)
    assert len(masks) == 20 and any((mask[:, 0] == PERSON).any() for mask in masks)

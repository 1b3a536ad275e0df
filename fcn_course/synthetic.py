"""A small synthetic twin of Pascal VOC 2012, for smoke runs, tests and CI.

``make_synthetic_voc`` writes a genuine ``VOCdevkit/VOC2012`` tree (JPEG photos, palette PNG masks with
void borders, ImageSets split lists), so every line of the course that reads Pascal VOC also reads
this folder. The pictures are simple cartoons (a yellow bus with windows and wheels, people with a head, arms
and legs, a red car, a brown dog, a grey aeroplane) on noisy gradient backgrounds: easy enough that a
small FCN learns something in two epochs on a CPU, varied enough that it is not trivial.

What makes the course's lessons visible on it:

* thin structures: people come in groups of one to three, at several scales, with arms and legs a few
  pixels wide. At stride 32 a person is narrower than one feature cell, so an FCN-32s loses most of
  them, while the stride-8 features of a skip connection keep them;
* texture: objects keep their class colour but carry stripes, checks or blotches, so a pixel's colour
  alone is not its class;
* clutter and occlusion: background blobs of every colour, and poles in front of the objects
  (labelled background) that cut them into pieces.

About 30% of the images contain neither a bus nor a person, so the course's 3-class filter
(background, bus, person) drops them, as it drops most real VOC images.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
from PIL import Image
from skimage import draw
from skimage.segmentation import find_boundaries

from fcn_course.config import DATA_ENV
from fcn_course.files import OutputFolder, write_json
from fcn_course.messages import text
from fcn_course.voc import CACHE_DIR_NAME, VOC_CLASSES, voc_colormap, voc_is_ready

# Chance that an image holds neither a bus nor a person.
NO_BUS_NO_PERSON_RATE = 0.3
OTHER_CLASSES = ("aeroplane", "car", "dog")
# Chance that poles (background) stand in front of the objects of an image.
OCCLUDER_RATE = 0.35


OWNER = "synth"  # how the data folder's record of its files names the synthetic twin's writer (files.OutputFolder)
VOC_PART = "VOCdevkit/VOC2012"


def make_synthetic_voc(root, n_train: int = 32, n_val: int = 12, size=(160, 120), seed: int = 0) -> Path:
    """Write a synthetic ``root/VOCdevkit/VOC2012`` tree and return ``root``.

    ``size`` is ``(width, height)`` of every image. The same ``seed`` gives the same files, byte for
    byte. Images are named ``synth_000001``...; the first ``n_train`` go to ``train.txt``, the next
    ``n_val`` to ``val.txt`` and all of them to ``trainval.txt``.

    ``root`` is the twin's own folder (``files.OutputFolder``): files it did not write there (a real Pascal
    VOC tree, a person's pictures) are never overwritten, nor written through a symbolic link; such a folder
    raises FileExistsError before anything is written. Files a person puts beside the twin stay.
    """
    root = Path(root).expanduser()
    ids = [f"synth_{number:06d}" for number in range(1, n_train + n_val + 1)]
    splits = {"train": ids[:n_train], "val": ids[n_train:], "trainval": ids}
    folder = OutputFolder(root, OWNER, adopt_marker=SPEC_FILE)
    folder.claim(
        [f"{VOC_PART}/JPEGImages/{image_id}.jpg" for image_id in ids]
        + [f"{VOC_PART}/SegmentationClass/{image_id}.png" for image_id in ids]
        + [f"{VOC_PART}/ImageSets/Segmentation/{split}.txt" for split in splits]
    )

    width, height = size
    palette = voc_colormap().ravel().tolist()
    class_index = {name: VOC_CLASSES.index(name) for name in ("bus", "person") + OTHER_CLASSES}

    for number, image_id in enumerate(ids, start=1):
        rng = np.random.default_rng([seed, number])  # one generator per image: order does not matter
        image, label = draw_scene(rng, width, height, class_index)
        folder.write(
            f"{VOC_PART}/JPEGImages/{image_id}.jpg",
            lambda temporary, image=image: Image.fromarray(image).save(temporary, format="JPEG", quality=90),
        )
        mask = Image.frombytes("P", (width, height), label.tobytes())
        mask.putpalette(palette)
        folder.write(
            f"{VOC_PART}/SegmentationClass/{image_id}.png",
            lambda temporary, mask=mask: mask.save(temporary, format="PNG"),
        )

    # Split lists last: a tree with split lists is a complete tree.
    for split, split_ids in splits.items():
        folder.write(
            f"{VOC_PART}/ImageSets/Segmentation/{split}.txt",
            lambda temporary, split_ids=split_ids: write_split(Path(temporary), split_ids),
        )

    # The masks may have changed under the same ids: forget any subset index computed before.
    shutil.rmtree(root / CACHE_DIR_NAME, ignore_errors=True)
    return root


SPEC_FILE = "synthetic.json"  # written last: says which settings made this folder (and that we made it)


def ensure_synthetic_voc(root, spec: dict) -> bool:
    """Make sure ``root`` holds the synthetic twin described by ``spec`` (``make_synthetic_voc`` keywords).

    Returns True when it had to be written, False when the folder already matched. A folder the course did
    not write (no ``synthetic.json`` in it, but files) is never touched: a ValueError says what to do.
    """
    root = Path(root).expanduser()
    spec = {key: list(value) if isinstance(value, tuple) else value for key, value in spec.items()}
    marker = root / SPEC_FILE
    if marker.is_file():
        try:
            if json.loads(marker.read_text(encoding="utf-8")) == spec and voc_is_ready(root):
                return False
        except ValueError:
            pass  # a damaged marker: our own folder, rewrite it
    elif root.exists() and any(root.iterdir()) and not OutputFolder(root, OWNER).files:
        raise ValueError(text("synthetic.foreign_folder", root=root, marker=SPEC_FILE, data_env=DATA_ENV))
    make_synthetic_voc(root, **spec)
    write_json(marker, spec)
    return True


def write_split(path: Path, ids) -> None:
    """One image id per line, as in VOC's ImageSets files."""
    path.write_text("".join(f"{image_id}\n" for image_id in ids))


def draw_scene(rng, width: int, height: int, class_index: dict):
    """One picture and its label map (uint8 class indices, 255 on the void borders of objects)."""
    image = background(rng, width, height)
    label = np.zeros((height, width), dtype=np.uint8)
    for name in choose_objects(rng):
        DRAWERS[name](rng, image, label, class_index[name])
    if rng.random() < OCCLUDER_RATE:
        draw_poles(rng, image, label)
    add_void_borders(label)
    return image.round().clip(0, 255).astype(np.uint8), label


def choose_objects(rng) -> list:
    """Names of the objects of one picture, in drawing order (big ones behind, persons in front)."""
    if rng.random() < NO_BUS_NO_PERSON_RATE:
        names = list(rng.choice(OTHER_CLASSES, size=rng.integers(0, 3), replace=False))
    else:
        main = str(rng.choice(["bus", "person", "both"]))
        names = ["bus", "person"] if main == "both" else [main]
        if rng.random() < 0.5:
            names.append(str(rng.choice(OTHER_CLASSES)))
    order = ("aeroplane", "bus", "car", "dog", "person")
    return sorted((str(name) for name in names), key=order.index)


def background(rng, width: int, height: int) -> np.ndarray:
    """A float image: a gradient between two dull colours, a few clutter patches and noise."""
    start, end = rng.uniform(40, 200, size=(2, 3))
    angle = rng.uniform(0, 2 * np.pi)
    yy, xx = np.mgrid[0:height, 0:width]
    ramp = (np.cos(angle) * xx / width + np.sin(angle) * yy / height + 1) / 2  # 0..1 along the gradient
    image = start + (end - start) * ramp[..., None]
    for _ in range(rng.integers(0, 4)):  # patches of background "stuff" (walls, grass, road...)
        rr, cc = draw.rectangle(
            (rng.integers(0, height), rng.integers(0, width)),
            extent=(rng.integers(5, height // 2), rng.integers(5, width // 2)),
            shape=(height, width),
        )
        grey = rng.uniform(60, 170)
        image[rr, cc] = grey + rng.uniform(-25, 25, size=3)
    add_clutter(rng, image)
    return image + rng.normal(0, 8, size=image.shape)


def add_clutter(rng, image) -> None:
    """Small blobs of any colour (stones, leaves, signs...): background that is not one flat colour."""
    height, width = image.shape[:2]
    for _ in range(rng.integers(2, 7)):
        radius = rng.uniform(0.02, 0.06) * height
        rr, cc = draw.ellipse(
            rng.uniform(0, height), rng.uniform(0, width), radius, radius * rng.uniform(0.5, 2), shape=(height, width)
        )
        image[rr, cc] = rng.uniform(30, 225, size=3)


def texture(rng, amount: float = 25):
    """A random surface pattern: a function of pixel coordinates giving a brightness offset.

    Stripes (any direction), checks or soft blotches, so that an object is not one flat colour.
    """
    kind = rng.integers(0, 3)
    period = rng.uniform(4, 10)
    angle = rng.uniform(0, np.pi)
    phase = rng.uniform(0, 2 * np.pi, size=2)
    if kind == 0:  # stripes
        return lambda rr, cc: amount * np.sign(np.sin((rr * np.cos(angle) + cc * np.sin(angle)) / period * 2 * np.pi))
    if kind == 1:  # checks
        return lambda rr, cc: amount * np.sign(np.sin(rr / period * np.pi + phase[0]) * np.sin(cc / period * np.pi))
    return lambda rr, cc: amount * np.sin(rr / (2 * period) + phase[0]) * np.cos(cc / (3 * period) + phase[1])


def paint(rng, image, label, rr, cc, colour, class_id, pattern=None) -> None:
    """Fill the pixels (rr, cc) with a slightly noisy colour (plus ``pattern``) and mark them ``class_id``."""
    rr, cc = np.ravel(rr), np.ravel(cc)  # draw.rectangle gives 2-D coordinate arrays
    values = np.asarray(colour, dtype=float) + rng.normal(0, 6, size=(len(rr), 3))
    if pattern is not None:
        values += pattern(rr, cc)[:, None]
    image[rr, cc] = values
    label[rr, cc] = class_id


def thick_line(rng, image, label, start, end, thickness, colour, class_id) -> None:
    """A straight bar of ``thickness`` pixels from ``start`` to ``end`` (``(row, col)`` points)."""
    (r0, c0), (r1, c1) = start, end
    length = max(np.hypot(r1 - r0, c1 - c0), 1e-6)
    nr, nc = -(c1 - c0) / length * thickness / 2, (r1 - r0) / length * thickness / 2  # half-width normal
    rr, cc = draw.polygon([r0 + nr, r1 + nr, r1 - nr, r0 - nr], [c0 + nc, c1 + nc, c1 - nc, c0 - nc], shape=label.shape)
    paint(rng, image, label, rr, cc, colour, class_id)


def draw_poles(rng, image, label) -> None:
    """One or two thin upright poles (lamp posts, trees) in front of everything, labelled background."""
    height, width = label.shape
    for _ in range(rng.integers(1, 3)):
        x = rng.uniform(0.3, 0.7) * width
        thickness = rng.uniform(0.025, 0.05) * width
        top = rng.uniform(0, 0.4) * height
        thick_line(
            rng,
            image,
            label,
            (top, x),
            (height, x + rng.uniform(-0.05, 0.05) * width),
            thickness,
            jitter(rng, (90, 80, 70), 30),
            0,
        )


def jitter(rng, colour, amount: float = 20):
    """A colour close to ``colour``."""
    return np.clip(np.asarray(colour, dtype=float) + rng.uniform(-amount, amount, size=3), 0, 255)


def center(rng, width: int, height: int, y_range=(0.4, 0.6)):
    """A random point near the middle of the picture (a centre crop keeps the objects)."""
    return rng.uniform(0.35, 0.65) * width, rng.uniform(*y_range) * height


def draw_bus(rng, image, label, class_id) -> None:
    """A yellow-orange box with a row of dark windows and two black wheels."""
    height, width = label.shape
    cx, cy = center(rng, width, height)
    w, h = rng.uniform(0.40, 0.55) * width, rng.uniform(0.28, 0.36) * height
    top, left = cy - h / 2, cx - w / 2
    rr, cc = draw.rectangle((top, left), extent=(h, w), shape=label.shape)
    paint(rng, image, label, rr, cc, jitter(rng, (235, 170, 30)), class_id, texture(rng))
    n_windows = int(rng.integers(3, 6))
    window_w = w / (n_windows * 1.5)
    for k in range(n_windows):
        x = left + window_w * (0.5 + 1.5 * k)
        rr, cc = draw.rectangle((top + 0.15 * h, x), extent=(0.3 * h, window_w), shape=label.shape)
        paint(rng, image, label, rr, cc, (45, 60, 90), class_id)
    radius = 0.16 * h
    for x in (left + 0.22 * w, left + 0.78 * w):
        rr, cc = draw.disk((top + h, x), radius, shape=label.shape)
        paint(rng, image, label, rr, cc, (20, 20, 20), class_id)


def draw_person(rng, image, label, class_id) -> None:
    """One to three people side by side, at one scale, each drawn by ``draw_one_person``."""
    height, width = label.shape
    cx, cy = center(rng, width, height, y_range=(0.45, 0.6))
    body_h = rng.uniform(0.14, 0.30) * height
    count = int(rng.integers(1, 4))
    spacing = body_h * rng.uniform(0.6, 0.9)
    for k in range(count):
        x = cx + (k - (count - 1) / 2) * spacing
        draw_one_person(rng, image, label, class_id, x, cy + rng.uniform(-0.05, 0.05) * body_h, body_h)


def draw_one_person(rng, image, label, class_id, cx, cy, body_h) -> None:
    """An upright body (ellipse) in a patterned magenta shirt, thin arms and legs, a skin-coloured head.

    Limbs are 3 to 5 pixels wide on a 120-pixel-high picture: the 2-pixel void band around objects
    leaves their middle labelled, and an FCN-32s (one feature cell per 32 pixels) cannot resolve them.
    """
    body_w = body_h * rng.uniform(0.35, 0.45)
    leg_h = body_h * 0.8
    limb = max(0.22 * body_w, 3.0)
    trousers = jitter(rng, (50, 40, 80), 10)
    bottom = cy + body_h / 2 + leg_h
    for side in (-1, 1):
        hip = (cy + 0.2 * body_h, cx + side * 0.2 * body_w)
        thick_line(
            rng, image, label, hip, (bottom, cx + side * rng.uniform(0.2, 0.6) * body_w), limb, trousers, class_id
        )
    skin = jitter(rng, (235, 190, 160), 10)
    for side in (-1, 1):
        shoulder = (cy - 0.3 * body_h, cx + side * 0.35 * body_w)
        hand = (cy + rng.uniform(-0.6, 0.4) * body_h, cx + side * rng.uniform(0.6, 1.0) * body_h * 0.6)
        thick_line(rng, image, label, shoulder, hand, limb * 0.9, skin * 0.9, class_id)
    rr, cc = draw.ellipse(cy, cx, body_h / 2, body_w / 2, shape=label.shape)
    paint(rng, image, label, rr, cc, jitter(rng, (190, 50, 140)), class_id, texture(rng, 20))
    radius = body_w * 0.4
    rr, cc = draw.disk((cy - body_h / 2 - radius * 0.8, cx), radius, shape=label.shape)
    paint(rng, image, label, rr, cc, skin, class_id)


def draw_car(rng, image, label, class_id) -> None:
    """A low red body with a trapezoid roof, light windows and two wheels."""
    height, width = label.shape
    cx, cy = center(rng, width, height, y_range=(0.5, 0.65))
    w, h = rng.uniform(0.28, 0.38) * width, rng.uniform(0.10, 0.14) * height
    top, left = cy - h / 2, cx - w / 2
    colour = jitter(rng, (200, 30, 35))
    roof_rows = [top, top - 0.9 * h, top - 0.9 * h, top]
    roof_cols = [left + 0.15 * w, left + 0.3 * w, left + 0.7 * w, left + 0.85 * w]
    rr, cc = draw.polygon(roof_rows, roof_cols, shape=label.shape)
    paint(rng, image, label, rr, cc, colour, class_id)
    rr, cc = draw.rectangle((top - 0.7 * h, left + 0.33 * w), extent=(0.6 * h, 0.34 * w), shape=label.shape)
    paint(rng, image, label, rr, cc, (190, 210, 225), class_id)
    rr, cc = draw.rectangle((top, left), extent=(h, w), shape=label.shape)
    paint(rng, image, label, rr, cc, colour, class_id)
    for x in (left + 0.2 * w, left + 0.8 * w):
        rr, cc = draw.disk((top + h, x), 0.4 * h, shape=label.shape)
        paint(rng, image, label, rr, cc, (20, 20, 20), class_id)


def draw_dog(rng, image, label, class_id) -> None:
    """A brown horizontal body, four legs, a head and a tail."""
    height, width = label.shape
    cx, cy = center(rng, width, height, y_range=(0.5, 0.65))
    w, h = rng.uniform(0.18, 0.26) * width, rng.uniform(0.10, 0.14) * height
    facing = 1 if rng.random() < 0.5 else -1
    colour = jitter(rng, (140, 90, 45))
    for dx in (-0.35 * w, -0.2 * w, 0.2 * w, 0.35 * w):
        rr, cc = draw.rectangle((cy, cx + dx), extent=(h, 0.06 * w), shape=label.shape)
        paint(rng, image, label, rr, cc, colour * 0.8, class_id)
    rr, cc = draw.ellipse(cy, cx, h / 2, w / 2, shape=label.shape)
    paint(rng, image, label, rr, cc, colour, class_id)
    rr, cc = draw.disk((cy - 0.6 * h, cx + facing * 0.55 * w), 0.45 * h, shape=label.shape)
    paint(rng, image, label, rr, cc, colour * 0.9, class_id)
    tail_rows = [cy - 0.2 * h, cy - 0.9 * h, cy - 0.8 * h]
    tail_cols = [cx - facing * 0.45 * w, cx - facing * 0.65 * w, cx - facing * 0.5 * w]
    rr, cc = draw.polygon(tail_rows, tail_cols, shape=label.shape)
    paint(rng, image, label, rr, cc, colour, class_id)


def draw_aeroplane(rng, image, label, class_id) -> None:
    """A light grey fuselage with swept wings and a tail fin, high in the picture."""
    height, width = label.shape
    cx, cy = center(rng, width, height, y_range=(0.3, 0.45))
    length, thickness = rng.uniform(0.35, 0.5) * width, rng.uniform(0.06, 0.09) * height
    facing = 1 if rng.random() < 0.5 else -1
    colour = jitter(rng, (215, 220, 230), 12)
    wing_rows = [cy, cy + 2.5 * thickness, cy + 2.5 * thickness, cy]
    wing_cols = [
        cx + facing * 0.1 * length,
        cx - facing * 0.15 * length,
        cx - facing * 0.05 * length,
        cx + facing * 0.2 * length,
    ]
    rr, cc = draw.polygon(wing_rows, wing_cols, shape=label.shape)
    paint(rng, image, label, rr, cc, colour * 0.85, class_id)
    tail = cx - facing * 0.45 * length
    fin_rows = [cy, cy - 1.8 * thickness, cy - 1.8 * thickness, cy]
    fin_cols = [tail + facing * 0.15 * length, tail, tail + facing * 0.05 * length, tail + facing * 0.2 * length]
    rr, cc = draw.polygon(fin_rows, fin_cols, shape=label.shape)
    paint(rng, image, label, rr, cc, colour * 0.85, class_id)
    rr, cc = draw.ellipse(cy, cx, thickness / 2, length / 2, shape=label.shape)
    paint(rng, image, label, rr, cc, colour, class_id)


DRAWERS = {
    "aeroplane": draw_aeroplane,
    "bus": draw_bus,
    "car": draw_car,
    "dog": draw_dog,
    "person": draw_person,
}


def add_void_borders(label: np.ndarray) -> None:
    """Mark a thin band around every object as void (255), as the VOC annotators did.

    The band is 2 pixels wide (one on each side of every edge): about 1% of the picture's width,
    like VOC's 5-pixel band on 500-pixel photos.
    """
    label[find_boundaries(label, mode="thick")] = 255

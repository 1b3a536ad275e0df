"""Segment your own photos with a trained FCN.

Three steps, each a function you can call from a notebook:

1. ``load_model_from_checkpoint("runs/.../best.pt")`` rebuilds the network saved by ``engine.fit``;
2. ``predict_image(model, "my_photo.jpg")`` gives the class of every pixel, at the photo's own size;
3. ``save_prediction("my_photo.jpg", label, classes, "out/")`` writes ``my_photo.jpg_mask.png`` (a palette
   PNG in the Pascal VOC format) and ``my_photo.jpg_overlay.png`` (the photo with the classes painted on it).
   The whole file name is kept, so ``photo.jpg`` and ``photo.png`` never share an output; the output folder
   may not be the folder of the inputs, so no input is ever overwritten or segmented again.

Command line: ``python -m fcn_course predict CHECKPOINT IMAGE_OR_FOLDER --out DIR``.

How a checkpoint says which network it holds: it lies in a run folder whose ``run.json`` (written by
``engine.fit`` for notebooks, the train script and the grid alike; see ``fcn_course.runs``) records the
backbone, ``skip`` and the class names. Nothing is guessed from the weights.

The FCN classes are yours: pass ``model_classes={"alexnet": FCN_AlexNet, ...}``, or ``--models`` your
notebooks on the command line (by default ``notebooks/02_fcn_alexnet.ipynb``, ``03_upsampling_e_perdas.ipynb``
and ``04_fcn_vgg16.ipynb``; the classes are in 02 and 04).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image, UnidentifiedImageError

from fcn_course import runs
from fcn_course.backbones import BACKBONES
from fcn_course.config import pick_device
from fcn_course.definitions import load_definitions
from fcn_course.files import OutputFolder
from fcn_course.messages import text
from fcn_course.outline import model_notebook_defaults, model_notebooks
from fcn_course.plots import overlay
from fcn_course.voc import MEAN_COLOUR, VOC_CLASSES, VOID, normalize_image, voc_colormap

OWNER = "predict"  # how the output folder's record names this command (see files.OutputFolder)
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp", ".gif", ".tif", ".tiff", ".webp")
MIN_SIDE = 64  # AlexNet needs at least 63x63 pixels; smaller images are enlarged to this size


# --------------------------------------------------------------------------------------------------
# Images in, class indices out
# --------------------------------------------------------------------------------------------------
def load_image(image) -> Image.Image:
    """Open ``image`` (a path or a PIL image) as an 8-bit RGB PIL image, with a clear error when it is not one.

    Pictures come in many modes; each is turned into the RGB a person sees (see ``as_rgb``).
    """
    if isinstance(image, Image.Image):
        return as_rgb(image, "the image")
    path = Path(image)
    if not path.exists():
        raise FileNotFoundError(text("predict.image_not_found", path=path))
    if path.is_dir():
        raise IsADirectoryError(text("predict.is_a_folder", path=path))
    try:
        with Image.open(path) as opened:
            return as_rgb(opened, path)
    except Image.DecompressionBombError as error:  # a tiny file that claims billions of pixels
        raise ValueError(text("predict.too_many_pixels", path=path, error=error)) from error
    except (UnidentifiedImageError, OSError) as error:
        raise ValueError(text("predict.not_an_image", path=path, error=error)) from error


SIXTEEN_BIT_MODES = ("I;16", "I;16L", "I;16B", "I;16N", "I")


def as_rgb(picture: Image.Image, name) -> Image.Image:
    """``picture`` as 8-bit RGB, converted the way a person would see it (``name`` is used in errors).

    - 16-bit greyscale (modes ``I;16*``, and ``I`` holding values 0..65535, how Pillow opens 16-bit PNGs) is
      scaled to 0..255 (value / 257): ``convert("RGB")`` would clip every value above 255 to white;
    - transparent pixels (``RGBA``, ``LA``, ``P`` with a transparent colour) are painted in the ImageNet mean
      colour, which the network sees as zero, as the padding of the training crops;
    - ``CMYK``, ``1`` (black and white), ``L``, ``P`` and ``RGB`` go through Pillow's conversion;
    - anything else (32-bit integers beyond 16 bits, floating point) is refused: convert it to 8-bit first.
    """
    if picture.mode in SIXTEEN_BIT_MODES:
        values = np.asarray(picture).astype(np.int64)
        if values.size and (values.min() < 0 or values.max() > 65535):
            raise ValueError(
                text("predict.beyond_16_bits", name=name, mode=picture.mode, low=values.min(), high=values.max())
            )
        grey = np.round(values / 257.0).astype(np.uint8)
        return Image.fromarray(np.stack([grey] * 3, axis=-1), mode="RGB")
    if picture.mode == "F":
        raise ValueError(text("predict.floating_point", name=name))
    if picture.mode in ("RGBA", "LA", "PA", "La", "RGBa") or "transparency" in picture.info:
        rgba = picture.convert("RGBA")
        background = Image.new("RGB", picture.size, tuple(MEAN_COLOUR))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return picture.convert("RGB")


def network_input_size(width: int, height: int, size=None) -> tuple:
    """``(width, height)`` the network will see.

    ``size=None``: the image's own size (an FCN accepts any size); an int ``s``: ``s x s`` (like the
    ``w_size``/``h_size`` crops used in training); a pair: ``(height, width)``. Images smaller than
    ``MIN_SIDE`` pixels are enlarged so that the backbone has something left to pool.
    """
    if size is not None:
        if isinstance(size, int):
            height, width = size, size
        else:
            height, width = int(size[0]), int(size[1])
    shortest = min(width, height)
    if shortest < MIN_SIDE:
        scale = MIN_SIDE / shortest
        width, height = round(width * scale), round(height * scale)
    return width, height


def image_to_tensor(image: Image.Image, size=None) -> torch.Tensor:
    """Resize (see ``network_input_size``) and normalise with the ImageNet statistics -> ``[1, 3, H, W]``.

    This is the same normalisation as the training data: the backbone expects it.
    """
    width, height = network_input_size(*image.size, size=size)
    if (width, height) != image.size:
        image = image.resize((width, height), Image.BILINEAR)
    pixels = torch.from_numpy(np.array(image, dtype=np.uint8)).permute(2, 0, 1)  # [3, H, W]
    return normalize_image(pixels).unsqueeze(0)


def predict_image(model, image, size=None, device=None):
    """Segment one image; returns ``(label, probabilities)`` at the image's ORIGINAL resolution.

    - ``model``: an FCN returning class scores ``[1, C, h, w]``;
    - ``image``: a path or a PIL image;
    - ``size``: ``None`` runs the whole image at its own size (the course trains on crops of VOC photos
      that are not resized, so this is the scale the network knows); an int ``s`` resizes it to
      ``s x s`` first; a pair means ``(height, width)``. Very large photos need a lot of memory at
      their own size: pass ``size`` (or shrink them to about 500 pixels, the size of VOC photos).
    - ``device``: where to run (default: where the model's weights are; if given, the model is moved there).

    ``label`` is an int64 array ``[H, W]`` of class indices (0 .. C-1, in the order of the training
    ``classes``); ``probabilities`` is a float32 array ``[C, H, W]`` (softmax of the scores, which are
    upsampled bilinearly to the original size before the softmax).
    """
    picture = load_image(image)
    width, height = picture.size
    if device is None:
        device = next(model.parameters()).device
    else:
        device = torch.device(device)
        model.to(device)

    model.eval()
    with torch.no_grad():
        scores = model(image_to_tensor(picture, size).to(device)).float()
        scores = F.interpolate(scores, size=(height, width), mode="bilinear", align_corners=False)
        probabilities = torch.softmax(scores, dim=1)[0]
    label = probabilities.argmax(dim=0)
    return label.cpu().numpy().astype(np.int64), probabilities.cpu().numpy()


# --------------------------------------------------------------------------------------------------
# Writing the result
# --------------------------------------------------------------------------------------------------
def voc_indices(label: np.ndarray, classes) -> np.ndarray:
    """Translate course class indices (0 .. len(classes)-1) into Pascal VOC indices (bus = 6, person = 15).

    Void pixels (255) stay 255.
    """
    lookup = np.full(256, VOID, dtype=np.uint8)
    for course_index, name in enumerate(classes):
        if name not in VOC_CLASSES:
            raise ValueError(text("predict.unknown_class", name=repr(name), known=", ".join(VOC_CLASSES)))
        lookup[course_index] = VOC_CLASSES.index(name)
    label = np.asarray(label)
    if label.size and (label.min() < 0 or (label.max() >= len(classes) and label.max() != VOID)):
        raise ValueError(text("predict.label_outside", last=len(classes) - 1, low=label.min(), high=label.max()))
    return lookup[label.astype(np.int64)]


def mask_image(label: np.ndarray, classes) -> Image.Image:
    """A palette ('P') PNG image: pixel values are VOC class indices, colours are the VOC colours.

    It is the format of ``VOCdevkit/VOC2012/SegmentationClass/*.png``: ``np.array(Image.open(path))``
    gives the VOC class index of each pixel back.
    """
    mask = Image.fromarray(voc_indices(label, classes), mode="P")
    mask.putpalette(voc_colormap().astype(np.uint8).flatten().tolist())
    return mask


def overlay_image(image, label: np.ndarray, classes, alpha: float = 0.5) -> Image.Image:
    """The photo with every non-background pixel tinted with its class colour (``alpha`` = opacity)."""
    picture = np.asarray(load_image(image), dtype=np.float32)
    if picture.shape[:2] != np.asarray(label).shape:
        raise ValueError(
            text("predict.label_shape", shape=np.asarray(label).shape, height=picture.shape[0], width=picture.shape[1])
        )
    tinted = overlay(picture / 255.0, np.asarray(label), classes, alpha)  # background stays as it is
    return Image.fromarray((tinted * 255.0).round().clip(0, 255).astype(np.uint8))


def output_paths(image_path, out_dir) -> tuple:
    """Where the mask and overlay of ``image_path`` go: ``out_dir/<file name>_mask.png`` and ``..._overlay.png``.

    The whole file name, suffix included, so that ``photo.jpg`` and ``photo.png`` give ``photo.jpg_mask.png``
    and ``photo.png_mask.png``: two inputs of one folder never share an output name.
    """
    name = Path(image_path).name
    return Path(out_dir) / f"{name}_mask.png", Path(out_dir) / f"{name}_overlay.png"


def refuse_input_folder(image_or_folder, out_dir) -> None:
    """Refuse to write results where the inputs are read from (the input folder, or the folder of an input file).

    Results there could overwrite a user's picture of that name, and would be taken as inputs by the next run.
    """
    source = Path(image_or_folder)
    folder = source if source.is_dir() else source.parent
    if Path(out_dir).resolve() == folder.resolve():
        raise ValueError(text("predict.output_is_input_folder", out_dir=out_dir, folder=folder))


def save_prediction(image_path, label: np.ndarray, classes, out_dir, alpha: float = 0.5):
    """Write ``<file name>_mask.png`` and ``<file name>_overlay.png`` into ``out_dir``; returns both paths.

    ``out_dir`` must not be the folder of the image (see ``refuse_input_folder``). Only files that predict
    wrote there itself are ever replaced: a file of yours under one of those names, or a symbolic link, raises
    FileExistsError (``files.NotOurFileError``) and nothing is written (see ``files.OutputFolder``).
    """
    image_path = Path(image_path)
    out_dir = Path(out_dir)
    refuse_input_folder(image_path, out_dir)
    overlay = overlay_image(image_path, label, classes, alpha=alpha)  # also checks the sizes agree
    mask_path, overlay_path = output_paths(image_path, out_dir)
    folder = OutputFolder(out_dir, OWNER)
    folder.claim([mask_path.name, overlay_path.name])
    folder.write(mask_path.name, lambda temporary: mask_image(label, classes).save(temporary, format="PNG"))
    folder.write(overlay_path.name, lambda temporary: overlay.save(temporary, format="PNG"))
    return mask_path, overlay_path


# --------------------------------------------------------------------------------------------------
# Rebuilding a trained network
# --------------------------------------------------------------------------------------------------
def read_checkpoint_config(path) -> dict:
    """What the run of the checkpoint at ``path`` is: ``backbone``, ``skip``, ``classes``, ``n_classes``...

    Read from the run folder (``run.json``, see ``fcn_course.runs``); a folder that does not say which
    network it holds raises FileNotFoundError with how to fix it.
    """
    return _config_of(path, runs.read_checkpoint(path))  # the file first: a missing or damaged one is said first


def _config_of(path, checkpoint: dict) -> dict:
    """See ``read_checkpoint_config``; for a checkpoint already loaded."""
    config = dict(runs.read_run_config(Path(path).parent))
    config["classes"] = list(config["classes"])
    config["n_classes"] = len(config["classes"])
    config["epoch"] = checkpoint.get("epoch")
    return config


def load_model_from_checkpoint(path, model_classes, device="cpu"):
    """Rebuild the FCN saved in ``path`` (best.pt or last.pt) and load its weights; returns it in eval mode.

    ``model_classes`` maps backbone names to your classes, e.g. ``{"alexnet": FCN_AlexNet}``. The network is
    built with ``pretrained=False``: the checkpoint already holds every weight, so nothing is downloaded.
    """
    checkpoint = runs.read_checkpoint(path)
    config = _config_of(path, checkpoint)
    backbone = config["backbone"]
    if not model_classes or backbone not in model_classes:
        raise KeyError(
            text(
                "predict.missing_model_class",
                path=path,
                backbone=backbone,
                known=sorted(model_classes or {}),
                class_name=BACKBONES[backbone].class_name if backbone in BACKBONES else "FCN",
            )
        )
    model = model_classes[backbone](config["n_classes"], pretrained=False, skip=config["skip"])
    try:
        model.load_state_dict(checkpoint["model"])
    except RuntimeError as error:
        raise RuntimeError(
            text(
                "predict.weights_do_not_fit",
                path=path,
                class_name=model_classes[backbone].__name__,
                skip=repr(config["skip"]),
                error=error,
            )
        ) from error
    return model.to(device).eval()


def load_run_models(grid_dir, model_classes, device="cpu") -> dict:
    """``{run name: model}`` for every trained run of the grid folder ``grid_dir`` (its best.pt; sorted by name)."""
    grid_dir = Path(grid_dir)
    if not grid_dir.is_dir():
        raise FileNotFoundError(text("predict.grid_not_found", grid_dir=grid_dir))
    folders = runs.grid_run_folders(grid_dir)
    if not folders:
        raise FileNotFoundError(text("predict.no_trained_run", grid_dir=grid_dir))
    return {
        name: load_model_from_checkpoint(runs.checkpoint_path(folder, "best"), model_classes, device)
        for name, folder in folders.items()
    }


# --------------------------------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------------------------------
def find_images(image_or_folder) -> list:
    """The image files to segment: the file itself, or the images directly inside a folder (sorted)."""
    path = Path(image_or_folder)
    if not path.exists():
        raise FileNotFoundError(text("predict.not_found", path=path))
    if path.is_file():
        return [path]
    images = sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES)
    if not images:
        raise FileNotFoundError(text("predict.no_images", path=path, suffixes=", ".join(IMAGE_SUFFIXES)))
    return images


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m fcn_course predict",
        description=text("cli.predict.description"),
    )
    parser.add_argument("checkpoint", help=text("cli.predict.checkpoint"))
    parser.add_argument("images", help=text("cli.predict.images"))
    parser.add_argument("--out", default="predictions", help=text("cli.predict.out"))
    parser.add_argument(
        "--size",
        type=int,
        default=None,
        help=text("cli.predict.size"),
    )
    parser.add_argument("--device", default=None, help=text("cli.predict.device"))
    parser.add_argument("--alpha", type=float, default=0.5, help=text("cli.predict.alpha"))
    parser.add_argument(
        "--models",
        nargs="+",
        metavar="NOTEBOOK",
        default=None,
        help=text("cli.predict.models", notebooks=" ".join(model_notebook_defaults())),
    )
    return parser


def model_classes_from_notebooks(paths) -> dict:
    """The FCN classes (FCN_AlexNet, FCN_VGG16...) defined in the given notebooks, keyed by backbone name."""
    classes = {}
    for path in paths:
        namespace = load_definitions(path)
        classes.update(
            {spec.name: namespace[spec.class_name] for spec in BACKBONES.values() if spec.class_name in namespace}
        )
    if not classes:
        names = ", ".join(spec.class_name for spec in BACKBONES.values())
        raise ValueError(text("predict.no_fcn_class", names=names, paths=", ".join(map(str, paths))))
    return classes


def main(argv=None, model_classes=None) -> int:
    """``python -m fcn_course predict CHECKPOINT IMAGE_OR_FOLDER --out DIR``; returns the exit code.

    ``model_classes`` is used when ``--models`` is not given (the instructor's command passes the reference
    classes); otherwise the classes come from the student's notebooks.
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["--"]:  # accept ``python -m fcn_course predict -- ARGS`` as well
        argv = argv[1:]
    options = build_parser().parse_args(argv)
    try:
        refuse_input_folder(options.images, options.out)
        OutputFolder(options.out, OWNER)  # a --out that is a file is said now, before the model is loaded
        config = read_checkpoint_config(options.checkpoint)
        images = find_images(options.images)
        device = torch.device(options.device) if options.device else pick_device()
        if options.models or model_classes is None:
            model_classes = model_classes_from_notebooks(model_notebooks(options.models))
        model = load_model_from_checkpoint(options.checkpoint, model_classes=model_classes, device=device)
    except (OSError, ValueError, KeyError, ImportError, RuntimeError) as error:
        print(text("predict.error", error=error), file=sys.stderr)
        return 2

    size = options.size
    print(
        text(
            "predict.model_line",
            backbone=config["backbone"],
            skip=config["skip"],
            classes=config["classes"],
            size=size or text("predict.original_size"),
        )
    )

    failures = 0
    for image_path in images:
        try:  # a bad picture, or an output name that holds someone else's file: said, and the others go on
            label, _ = predict_image(model, image_path, size=size, device=device)
            mask_path, overlay_path = save_prediction(
                image_path, label, config["classes"], options.out, alpha=options.alpha
            )
        except (ValueError, OSError) as error:
            print(text("predict.skipped", path=image_path, error=error), file=sys.stderr)
            failures += 1
            continue
        found = [config["classes"][i] for i in np.unique(label)]
        print(f"{image_path.name}: {', '.join(found)} -> {mask_path.name}, {overlay_path.name}")
    if failures == len(images):
        print(text("predict.none_segmented"), file=sys.stderr)
        return 2
    print(text("predict.results_in", folder=Path(options.out).resolve()))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

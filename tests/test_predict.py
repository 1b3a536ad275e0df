"""Tests of fcn_course.predict: inference on an own image, mask/overlay files, checkpoints, command line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image
from torch import nn

from fcn_course import data, predict, runs
from fcn_course.engine import save_checkpoint
from fcn_course.files import OWNER_FILE
from fcn_course.predict import (
    load_image,
    load_model_from_checkpoint,
    predict_image,
    read_checkpoint_config,
    save_prediction,
)
from helpers import tree_digest
from solutions.fcn_alexnet import FCN_AlexNet

REPO_ROOT = Path(__file__).resolve().parents[1]
CLASSES = ("background", "bus", "person")
MODELS = {"alexnet": FCN_AlexNet}
RUN_ARGS = {
    "backbone": "alexnet",
    "classes": CLASSES,
    "skip": True,
    "pretrained": False,
    "h_size": 64,
    "w_size": 64,
    "batch_size": 4,
    "lr": 1e-4,
    "weight_decay": 5e-4,
    "momentum": 0.9,
    "seed": 0,
}
BUS_COLOUR, PERSON_COLOUR = (0, 128, 128), (192, 128, 128)


class LeftPersonRightBus(nn.Module):
    """Scores that say 'person' on the left half of the input and 'bus' on the right half."""

    def __init__(self):
        super().__init__()
        self.dummy = nn.Parameter(torch.zeros(1))

    def forward(self, x):
        height, width = x.shape[-2:]
        scores = torch.zeros(x.shape[0], 3, height, width)
        scores[:, 2, :, : width // 2] = 5.0
        scores[:, 1, :, width // 2 :] = 5.0
        return scores + 0 * self.dummy


def write_photo(path, size=(160, 120), colour=(40, 90, 160)):
    """A plain JPEG 'photo' of ``size`` = (width, height)."""
    Image.new("RGB", size, colour).save(path, quality=95)
    return path


@pytest.fixture(scope="module")
def alexnet_checkpoint(tmp_path_factory):
    """An FCN-AlexNet (skip) checkpoint in the engine's format, as in a grid run folder."""
    run_dir = tmp_path_factory.mktemp("run") / "alexnet-skip-scratch"
    torch.manual_seed(0)
    net = FCN_AlexNet(len(CLASSES), skip=True)
    save_checkpoint({"epoch": 3, "model": net.state_dict(), "args": RUN_ARGS}, run_dir / "best.pt")
    runs.write_run_config(run_dir, RUN_ARGS)
    return run_dir / "best.pt"


# --------------------------------------------------------------------------------------------------
# predict_image
# --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("size", [None, 64, (72, 96)])
def test_prediction_has_the_original_resolution(tmp_path, size):
    photo = write_photo(tmp_path / "photo.jpg", size=(150, 110))
    label, probabilities = predict_image(LeftPersonRightBus(), photo, size=size)
    assert label.shape == (110, 150) and label.dtype == np.int64
    assert probabilities.shape == (3, 110, 150)
    assert np.allclose(probabilities.sum(axis=0), 1.0, atol=1e-5)
    assert label[55, 10] == 2 and label[55, 140] == 1


def test_prediction_runs_in_evaluation_mode(tmp_path, mode_sensitive_net):
    """Dropout off and the running statistics of batch norm, whatever mode the model was left in."""
    running_mean = mode_sensitive_net.norm.running_mean.clone()
    label, _ = predict_image(mode_sensitive_net, write_photo(tmp_path / "photo.jpg", size=(80, 64)))
    assert (label == 1).all()  # what the net says in evaluation mode
    assert torch.equal(mode_sensitive_net.norm.running_mean, running_mean)


@pytest.mark.slow
def test_real_fcn_on_a_pil_image_of_odd_size(alexnet_checkpoint):
    model = load_model_from_checkpoint(alexnet_checkpoint, MODELS)
    label, _ = predict_image(model, Image.new("RGB", (101, 77), (200, 30, 30)))
    assert label.shape == (77, 101) and set(np.unique(label)) <= {0, 1, 2}
    tiny_label, _ = predict_image(model, Image.new("RGB", (40, 30)))  # enlarged for AlexNet, then back
    assert tiny_label.shape == (30, 40)


def test_input_is_normalised_with_imagenet_statistics():
    tensor = predict.image_to_tensor(Image.new("RGB", (70, 70), (124, 116, 104)))  # about the ImageNet mean
    assert tensor.shape == (1, 3, 70, 70) and tensor.abs().max() < 0.02


def test_image_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="não encontrad"):
        predict.load_image(tmp_path / "missing.jpg")
    text = tmp_path / "notes.jpg"
    text.write_text("not a picture")
    with pytest.raises(ValueError, match="não é uma imagem"):
        predict.load_image(text)


# --------------------------------------------------------------------------------------------------
# save_prediction
# --------------------------------------------------------------------------------------------------
def test_mask_and_overlay_files(tmp_path):
    photo = write_photo(tmp_path / "street.jpg", size=(160, 120), colour=(40, 90, 160))
    label, _ = predict_image(LeftPersonRightBus(), photo)
    mask_path, overlay_path = save_prediction(photo, label, CLASSES, tmp_path / "out")
    assert mask_path.name == "street.jpg_mask.png" and overlay_path.name == "street.jpg_overlay.png"

    with Image.open(mask_path) as mask:
        assert mask.mode == "P" and mask.size == (160, 120)
        indices = np.array(mask)
        rgb = np.array(mask.convert("RGB"))
    assert indices[60, 5] == 15 and indices[60, 155] == 6  # VOC indices: person 15, bus 6
    assert tuple(rgb[60, 5]) == PERSON_COLOUR and tuple(rgb[60, 155]) == BUS_COLOUR

    with Image.open(overlay_path) as overlay:
        assert overlay.mode == "RGB" and overlay.size == (160, 120)
        blended = np.array(overlay).astype(int)
    photo_pixel = np.array(Image.open(photo))[60, 5].astype(int)
    expected = np.round(0.5 * photo_pixel + 0.5 * np.array(PERSON_COLOUR))
    assert np.abs(blended[60, 5] - expected).max() <= 1


def test_background_is_left_untouched_and_sizes_must_agree(tmp_path):
    photo = write_photo(tmp_path / "empty.jpg", size=(80, 64))
    background = np.zeros((64, 80), dtype=np.int64)
    overlay = predict.overlay_image(photo, background, CLASSES)
    assert np.array_equal(np.array(overlay), np.array(Image.open(photo).convert("RGB")))
    with pytest.raises(ValueError, match="formato"):
        save_prediction(photo, np.zeros((10, 10), dtype=np.int64), CLASSES, tmp_path / "out")
    with pytest.raises(ValueError, match="fora de"):
        predict.mask_image(np.full((4, 4), 7), CLASSES)


# --------------------------------------------------------------------------------------------------
# Checkpoints
# --------------------------------------------------------------------------------------------------
def test_checkpoint_config(alexnet_checkpoint):
    config = read_checkpoint_config(alexnet_checkpoint)
    assert config["backbone"] == "alexnet" and config["skip"] == "8s"
    assert config["classes"] == list(CLASSES) and config["n_classes"] == 3 and config["epoch"] == 3


def test_bare_state_dict_needs_a_run_description(tmp_path, alexnet_checkpoint):
    """torch.save(net.state_dict()) alone says nothing of the network: nothing is guessed, the error says how
    to describe the folder; once described, it loads."""
    weights = torch.load(alexnet_checkpoint, weights_only=True)["model"]
    torch.save(weights, tmp_path / "weights.pt")
    with pytest.raises(FileNotFoundError, match="write_run_config"):
        read_checkpoint_config(tmp_path / "weights.pt")
    runs.write_run_config(tmp_path, RUN_ARGS)
    model = load_model_from_checkpoint(tmp_path / "weights.pt", MODELS)
    assert isinstance(model, FCN_AlexNet) and not model.training and model.skip == "8s"


def test_run_folder_of_the_previous_version_still_loads(tmp_path, alexnet_checkpoint):
    """Runs written by version 0.1 (config.json of the grid/predict) keep working."""
    (tmp_path / "config.json").write_text(
        '{"backbone": "alexnet", "skip": true, "pretrained": false, '
        '"classes": ["background", "bus", "person"], "n_classes": 3}'
    )
    (tmp_path / "best.pt").write_bytes(alexnet_checkpoint.read_bytes())
    model = load_model_from_checkpoint(tmp_path / "best.pt", MODELS)
    assert model.skip == "8s"


def test_checkpoint_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="Checkpoint não encontrado"):
        read_checkpoint_config(tmp_path / "nothing.pt")
    (tmp_path / "junk.pt").write_text("junk")
    with pytest.raises(ValueError, match="não é um checkpoint do PyTorch"):
        read_checkpoint_config(tmp_path / "junk.pt")


def test_missing_model_class_is_explained(alexnet_checkpoint):
    with pytest.raises(KeyError, match="alexnet"):
        load_model_from_checkpoint(alexnet_checkpoint, model_classes={"vgg16": object})
    with pytest.raises(KeyError, match="FCN_AlexNet"):
        load_model_from_checkpoint(alexnet_checkpoint, model_classes=None)


# --------------------------------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------------------------------
def test_command_line_on_a_folder(tmp_path, alexnet_checkpoint, capsys):
    photos = tmp_path / "photos"
    photos.mkdir()
    write_photo(photos / "a.jpg", size=(120, 90))
    write_photo(photos / "b.png", size=(90, 120))
    (photos / "readme.txt").write_text("not an image: ignored")
    out = tmp_path / "out"
    assert (
        predict.main([str(alexnet_checkpoint), str(photos), "--out", str(out), "--device", "cpu"], model_classes=MODELS)
        == 0
    )
    assert sorted(p.name for p in out.iterdir() if p.name != OWNER_FILE) == [
        "a.jpg_mask.png",
        "a.jpg_overlay.png",
        "b.png_mask.png",
        "b.png_overlay.png",
    ]
    assert Image.open(out / "b.png_mask.png").size == (90, 120)
    assert "a.jpg" in capsys.readouterr().out


@pytest.mark.parametrize(
    "case, message",
    [
        ("missing checkpoint", "Checkpoint não encontrado"),
        ("missing image", "Não encontrado"),
        ("not an image", "não é uma imagem"),
        ("empty folder", "Nenhuma imagem em"),
    ],
)
def test_command_line_errors(tmp_path, alexnet_checkpoint, capsys, case, message):
    checkpoint, target = alexnet_checkpoint, tmp_path / "missing.jpg"
    if case == "missing checkpoint":
        checkpoint = tmp_path / "missing.pt"
    elif case == "not an image":
        target = tmp_path / "notes.jpg"
        target.write_text("hello")
    elif case == "empty folder":
        target = tmp_path / "folder"
        target.mkdir()
        (target / "notes.txt").write_text("hello")
    code = predict.main(
        [str(checkpoint), str(target), "--out", str(tmp_path / "out"), "--device", "cpu"], model_classes=MODELS
    )
    assert code == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "out").exists()  # nothing written


@pytest.mark.subprocess
def test_python_dash_m_entry_point(tmp_path, alexnet_checkpoint):
    photo = write_photo(tmp_path / "cat.jpg", size=(100, 80))
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "fcn_course.instructor",
            "predict",
            str(alexnet_checkpoint),
            str(photo),
            "--out",
            str(tmp_path / "out"),
            "--device",
            "cpu",
        ],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "out" / "cat.jpg_mask.png").is_file()


def test_command_line_with_the_students_own_classes(tmp_path, alexnet_checkpoint, monkeypatch):
    """In the student release there is no solutions/: --models takes the classes from a notebook."""
    photo = write_photo(tmp_path / "dog.jpg", size=(100, 80))
    notebook = REPO_ROOT / "solutions" / "notebooks" / "02_fcn_alexnet.ipynb"
    code = predict.main(
        [
            str(alexnet_checkpoint),
            str(photo),
            "--out",
            str(tmp_path / "out"),
            "--device",
            "cpu",
            "--models",
            str(notebook),
        ]
    )
    assert code == 0 and (tmp_path / "out" / "dog.jpg_overlay.png").is_file()


def test_command_line_models_without_an_fcn_class(tmp_path, alexnet_checkpoint, capsys):
    notebook = REPO_ROOT / "solutions" / "notebooks" / "01_dados_e_metricas.ipynb"
    code = predict.main([str(alexnet_checkpoint), str(write_photo(tmp_path / "x.jpg")), "--models", str(notebook)])
    assert code == 2 and "nenhuma classe FCN (FCN_AlexNet, FCN_VGG16)" in capsys.readouterr().err


def test_command_line_defaults_to_the_student_notebooks(tmp_path, alexnet_checkpoint, monkeypatch):
    """Run from a course folder, `python -m fcn_course predict` finds notebooks/02 and 03 by itself."""
    course = tmp_path / "course"
    (course / "notebooks").mkdir(parents=True)
    source = REPO_ROOT / "solutions" / "notebooks"
    for name in ("02_fcn_alexnet.ipynb", "04_fcn_vgg16.ipynb"):
        (course / "notebooks" / name).write_bytes((source / name).read_bytes())
    monkeypatch.chdir(course)
    photo = write_photo(tmp_path / "bird.jpg", size=(100, 80))
    assert predict.main([str(alexnet_checkpoint), str(photo), "--out", str(tmp_path / "out"), "--device", "cpu"]) == 0
    monkeypatch.chdir(tmp_path)  # no notebooks here: the error says what to pass
    assert predict.main([str(alexnet_checkpoint), str(photo), "--out", str(tmp_path / "out2")]) == 2


# ==================================================================================================
# Safety (issue #11, README "Safety"; marked `safety`):
# predict never writes into or over its inputs, two inputs never share an output name;
# images as they come (16-bit, LA, P with transparency, CMYK, 1-bit) are read as a person sees them.
# Each test reproduces one fault and asserts the outcome: a clear error that names the file and the fix, or a
# correct result; where files were there before, every one of them is byte-identical afterwards.
# ==================================================================================================


class HalfAndHalf(torch.nn.Module):
    """Scores that say 'person' on the left half of the input and 'bus' on the right half."""

    def __init__(self):
        super().__init__()
        self.dummy = torch.nn.Parameter(torch.zeros(1))

    def forward(self, x):
        height, width = x.shape[-2:]
        scores = torch.zeros(x.shape[0], 3, height, width)
        scores[:, 2, :, : width // 2] = 5.0
        scores[:, 1, :, width // 2 :] = 5.0
        return scores + 0 * self.dummy


@pytest.fixture(scope="module")
def checkpoint(tmp_path_factory):
    """An FCN-AlexNet checkpoint with its run.json, as training leaves it."""
    run_dir = tmp_path_factory.mktemp("run") / "alexnet-skip-scratch"
    torch.manual_seed(0)
    net = FCN_AlexNet(len(CLASSES), skip=True)
    settings = {"backbone": "alexnet", "classes": CLASSES, "skip": True, "pretrained": False}
    run_dir.mkdir(parents=True)
    torch.save({"epoch": 1, "model": net.state_dict()}, run_dir / "best.pt")
    runs.write_run_config(run_dir, settings)
    return run_dir / "best.pt"


def photos(folder: Path) -> Path:
    """``photo.jpg`` and ``photo.png`` (different pictures), and a user's own ``shot_mask.png``."""
    folder.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (96, 80), (200, 30, 30)).save(folder / "photo.jpg", quality=95)
    Image.new("RGB", (96, 80), (30, 30, 200)).save(folder / "photo.png")
    Image.new("RGB", (96, 80), (30, 200, 30)).save(folder / "shot_mask.png")
    return folder


@pytest.mark.safety
def test_two_inputs_never_share_an_output_name(tmp_path, checkpoint):
    """Case 2a: photo.jpg and photo.png both wrote photo_mask.png; now each keeps its own suffix."""
    inputs = photos(tmp_path / "in")
    before = tree_digest(inputs)
    assert (
        predict.main(
            [str(checkpoint), str(inputs), "--out", str(tmp_path / "out")], model_classes={"alexnet": FCN_AlexNet}
        )
        == 0
    )
    written = sorted(path.name for path in (tmp_path / "out").iterdir() if path.name != OWNER_FILE)
    assert written == [
        "photo.jpg_mask.png",
        "photo.jpg_overlay.png",
        "photo.png_mask.png",
        "photo.png_overlay.png",
        "shot_mask.png_mask.png",
        "shot_mask.png_overlay.png",
    ]
    overlays = {name: np.array(Image.open(tmp_path / "out" / name)) for name in written if "overlay" in name}
    assert not np.array_equal(overlays["photo.jpg_overlay.png"], overlays["photo.png_overlay.png"])
    assert tree_digest(inputs) == before


@pytest.mark.safety
@pytest.mark.parametrize("where", ["same", "file"])
def test_predict_refuses_to_write_into_the_input_folder(tmp_path, checkpoint, capsys, where):
    """Case 2b: --out equal to the input folder overwrote a user's shot_mask.png and then segmented it."""
    inputs = photos(tmp_path / "in")
    before = tree_digest(inputs)
    images = inputs if where == "same" else inputs / "photo.jpg"
    code = predict.main([str(checkpoint), str(images), "--out", str(inputs)], model_classes={"alexnet": FCN_AlexNet})
    assert code == 2
    message = capsys.readouterr().err
    assert str(inputs) in message and "--out" in message
    assert tree_digest(inputs) == before


@pytest.mark.safety
def test_save_prediction_never_writes_next_to_its_input(tmp_path):
    photo = tmp_path / "photo.jpg"
    Image.new("RGB", (64, 64), (10, 20, 30)).save(photo)
    before = tree_digest(tmp_path)
    with pytest.raises(ValueError, match="entrada"):
        save_prediction(photo, np.zeros((64, 64), dtype=np.int64), CLASSES, tmp_path)
    assert tree_digest(tmp_path) == before


@pytest.mark.safety
def test_a_16_bit_png_is_scaled_not_clipped(tmp_path):
    """Case 6: a 16-bit PNG was clipped to 255 in 99.6 % of its pixels."""
    ramp = np.linspace(0, 65535, 64 * 64).reshape(64, 64).astype(np.uint16)
    path = tmp_path / "depth16.png"
    Image.fromarray(ramp).save(path)
    with Image.open(path) as opened:
        assert opened.mode.startswith("I")
    rgb = np.array(load_image(path))
    assert rgb.dtype == np.uint8 and rgb.shape == (64, 64, 3)
    expected = np.round(ramp / 257.0)
    assert np.abs(rgb[..., 0].astype(int) - expected).max() <= 1
    assert (rgb == 255).mean() < 0.01


@pytest.mark.safety
def test_a_32_bit_image_out_of_the_16_bit_range_is_refused(tmp_path):
    path = tmp_path / "big.tif"
    Image.fromarray(np.full((32, 32), 200_000, dtype=np.int32), mode="I").save(path)
    with pytest.raises(ValueError, match="big.tif") as error:
        load_image(path)
    assert "8 bits" in str(error.value)


def modes_and_expected():
    """(name, PIL image, the RGB a person sees) for the modes Pillow's convert('RGB') gets wrong or right."""
    mean = tuple(int(value) for value in data.MEAN_COLOUR)
    la = Image.new("LA", (8, 8), (100, 255))
    la.putpixel((0, 0), (30, 0))  # fully transparent pixel
    palette = Image.new("P", (8, 8), 1)
    palette.putpalette([0, 0, 0, 250, 10, 10] + [0] * 762)
    palette.putpixel((0, 0), 0)
    palette.info["transparency"] = 0
    cmyk = Image.new("CMYK", (8, 8), (0, 255, 255, 0))  # pure red in print colours
    bilevel = Image.new("1", (8, 8), 1)
    bilevel.putpixel((0, 0), 0)
    return [
        ("LA", la, {(1, 1): (100, 100, 100), (0, 0): mean}),
        ("P+transparency", palette, {(1, 1): (250, 10, 10), (0, 0): mean}),
        ("CMYK", cmyk, {(1, 1): (255, 0, 0)}),
        ("1", bilevel, {(1, 1): (255, 255, 255), (0, 0): (0, 0, 0)}),
    ]


@pytest.mark.safety
@pytest.mark.parametrize("name, picture, expected", modes_and_expected(), ids=lambda v: v if isinstance(v, str) else "")
def test_other_image_modes_are_converted_correctly(tmp_path, name, picture, expected):
    suffix = ".jpg" if name == "CMYK" else (".png" if name != "1" else ".bmp")
    path = tmp_path / f"image{suffix}"
    picture.save(path) if name != "CMYK" else picture.save(path, quality=100)
    rgb = np.array(load_image(path))
    for (x, y), colour in expected.items():
        assert np.abs(rgb[y, x].astype(int) - colour).max() <= 3, (name, (x, y), rgb[y, x], colour)


@pytest.mark.safety
def test_predict_on_a_16_bit_png_sees_the_picture(tmp_path):
    """The network gets the same input from the 16-bit picture as from its 8-bit version."""
    seen = []

    class Spy(HalfAndHalf):
        def forward(self, x):
            seen.append(x)
            return super().forward(x)

    picture = (np.indices((64, 64)).sum(axis=0) * 500).astype(np.uint16)
    Image.fromarray(picture).save(tmp_path / "deep.png")
    Image.fromarray(np.round(picture / 257).astype(np.uint8)).convert("RGB").save(tmp_path / "flat.png")
    predict_image(Spy(), tmp_path / "deep.png")
    predict_image(Spy(), tmp_path / "flat.png")
    assert torch.allclose(seen[0], seen[1], atol=0.05)


# --------------------------------------------------------------------------------------------------
# Safety: predict owns its output folder; a bad picture is reported and the others are segmented
# --------------------------------------------------------------------------------------------------
def decompression_bomb(path, side=100_000):
    """A tiny PNG that claims to be ``side`` x ``side`` pixels (10 gigapixels): Pillow refuses to open it."""
    import struct
    import zlib

    def chunk(kind, payload):
        return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))

    header = struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b"")
    )
    return path


@pytest.mark.safety
def test_a_decompression_bomb_is_reported_and_the_other_pictures_are_segmented(tmp_path, alexnet_checkpoint, capsys):
    photos = tmp_path / "photos"
    photos.mkdir()
    decompression_bomb(photos / "a_bomb.png")
    write_photo(photos / "b_good.jpg", size=(96, 80))
    out = tmp_path / "out"
    code = predict.main(
        [str(alexnet_checkpoint), str(photos), "--out", str(out), "--device", "cpu"], model_classes=MODELS
    )
    assert code == 1  # some pictures failed
    err = capsys.readouterr().err
    assert "a_bomb.png" in err and "Traceback" not in err
    assert (out / "b_good.jpg_mask.png").is_file() and not (out / "a_bomb.png_mask.png").exists()


@pytest.mark.safety
def test_predict_never_writes_through_a_symbolic_link_in_its_output_folder(tmp_path, alexnet_checkpoint, capsys):
    photos = tmp_path / "photos"
    photos.mkdir()
    write_photo(photos / "photo.jpg", size=(96, 80))
    precious = tmp_path / "thesis_figure.png"
    precious.write_bytes(b"a year of work")
    out = tmp_path / "out"
    out.mkdir()
    (out / "photo.jpg_mask.png").symlink_to(precious)
    code = predict.main(
        [str(alexnet_checkpoint), str(photos), "--out", str(out), "--device", "cpu"], model_classes=MODELS
    )
    assert code == 2  # the only picture could not be written
    assert precious.read_bytes() == b"a year of work"
    assert "photo.jpg_mask.png" in capsys.readouterr().err
    with pytest.raises(FileExistsError, match="link"):
        save_prediction(photos / "photo.jpg", np.zeros((80, 96), dtype=np.int64), CLASSES, out)
    assert precious.read_bytes() == b"a year of work"


@pytest.mark.safety
def test_predict_writes_beside_a_users_file_never_over_it(tmp_path, alexnet_checkpoint, capsys):
    photos = tmp_path / "photos"
    photos.mkdir()
    write_photo(photos / "a.jpg", size=(96, 80))
    write_photo(photos / "b.jpg", size=(96, 80))
    out = tmp_path / "out"
    out.mkdir()
    (out / "a.jpg_overlay.png").write_bytes(b"the user's own overlay")
    command = [str(alexnet_checkpoint), str(photos), "--out", str(out), "--device", "cpu"]
    assert predict.main(command, model_classes=MODELS) == 1
    assert "a.jpg_overlay.png" in capsys.readouterr().err
    assert (out / "a.jpg_overlay.png").read_bytes() == b"the user's own overlay"
    assert (out / "b.jpg_mask.png").is_file() and (out / "b.jpg_overlay.png").is_file()
    (out / "a.jpg_overlay.png").unlink()
    assert predict.main(command, model_classes=MODELS) == 0  # its own results of the first run are replaced


@pytest.mark.safety
def test_an_output_path_that_is_a_file_is_a_clear_error(tmp_path, alexnet_checkpoint, capsys):
    photo = write_photo(tmp_path / "photo.jpg", size=(96, 80))
    out = tmp_path / "predictions"
    out.write_text("a file, not a folder")
    code = predict.main(
        [str(alexnet_checkpoint), str(photo), "--out", str(out), "--device", "cpu"], model_classes=MODELS
    )
    assert code == 2
    err = capsys.readouterr().err
    assert str(out) in err and "pasta" in err and "Traceback" not in err
    assert out.read_text() == "a file, not a folder"


def test_load_image_turns_a_pil_image_of_another_mode_into_rgb_of_the_same_size():
    grey = Image.new("L", (70, 65), color=128)
    rgb = load_image(grey)
    assert rgb.mode == "RGB" and rgb.size == (70, 65)
    assert np.array(rgb)[0, 0].tolist() == [128, 128, 128]

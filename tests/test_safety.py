"""Fault injection (issue #11): nothing a user has is lost, nothing wrong goes by silently.

Each test reproduces one fault on synthetic data (or a loopback HTTP server) and asserts the outcome: a clear
error that names the file and the fix, or a correct result; and, where files were there before, that every one
of them is byte-identical afterwards (``tree_digest`` before == after).
"""
from __future__ import annotations

import hashlib
import http.server
import importlib.util
import os
import shutil
import tarfile
import threading
import time
import zipfile
from pathlib import Path

import numpy as np
import pytest
import torch
import torchvision
from PIL import Image

from fcn_course import backbones, data, download, predict, runs
from fcn_course.config import course_args
from fcn_course.experiments import run_grid
from fcn_course.files import read_json, write_json
from fcn_course.instructor.build import build
from fcn_course.instructor import release as release_module
from fcn_course.instructor.release import ReleaseError, release
from fcn_course.predict import load_image, predict_image, save_prediction
from solutions.fcn_alexnet import FCN_AlexNet
from solutions.training import compute_loss, make_criterion, make_optimizer
from tiny_course import TINY_OUTLINE, make_repo

REPO_ROOT = Path(__file__).resolve().parents[1]
CLASSES = ("background", "bus", "person")


def tree_digest(folder) -> dict:
    """``{relative path: sha256}`` of every file under ``folder`` (the byte-identical check)."""
    folder = Path(folder)
    return {str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(folder.rglob("*")) if path.is_file()}


@pytest.fixture
def voc_copy(synthetic_voc_root, tmp_path):
    """A private copy of the synthetic VOC tree (without the caches other tests wrote)."""
    ignore = shutil.ignore_patterns(data.CACHE_DIR_NAME)
    return Path(shutil.copytree(synthetic_voc_root, tmp_path / "voc", ignore=ignore))


def voc_path(root, *parts) -> Path:
    return Path(root) / "VOCdevkit" / "VOC2012" / Path(*parts)


def split_ids(root, image_set):
    return voc_path(root, "ImageSets", "Segmentation", f"{image_set}.txt").read_text().split()


# ==================================================================================================
# 1. release never deletes what it did not make
# ==================================================================================================

@pytest.fixture
def built_repo(tmp_path):
    repo = make_repo(tmp_path)
    build(repo, names=TINY_OUTLINE, quiet=True)
    (repo / "my_uncommitted_notes.txt").write_text("work of a week\n")
    (repo / ".git").mkdir()
    (repo / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    return repo


def test_release_refuses_a_folder_that_contains_the_repository(built_repo):
    """Case 1: ``release --out ..`` from a clone named like the release used to delete the whole clone."""
    before = tree_digest(built_repo.parent)
    for out_dir, name in ((built_repo.parent, built_repo.name), (built_repo.parent, "fcn-course"),
                          (built_repo, "fcn-course"), (built_repo / "fcn_course", "fcn-course")):
        with pytest.raises(ReleaseError, match="repository") as error:
            release(built_repo, out_dir, name=name, names=TINY_OUTLINE)
        assert str(built_repo) in str(error.value) and "--out" in str(error.value)
    assert tree_digest(built_repo.parent) == before


def test_release_refuses_a_non_empty_folder_it_did_not_make(built_repo, tmp_path):
    out_dir = tmp_path / "Desktop"
    (out_dir / "fcn-course").mkdir(parents=True)
    (out_dir / "fcn-course" / "thesis.tex").write_text("my thesis\n")
    before = tree_digest(out_dir)
    with pytest.raises(ReleaseError, match="thesis.tex|fcn-course") as error:
        release(built_repo, out_dir, names=TINY_OUTLINE)
    assert "did not make" in str(error.value) and "empty folder" in str(error.value)
    assert tree_digest(out_dir) == before

    other = tmp_path / "downloads"
    other.mkdir()
    (other / "fcn-course.zip").write_bytes(b"someone else's zip")
    with pytest.raises(ReleaseError, match="fcn-course.zip"):
        release(built_repo, other, names=TINY_OUTLINE)
    assert (other / "fcn-course.zip").read_bytes() == b"someone else's zip"


def test_release_replaces_only_its_own_previous_release(built_repo, tmp_path):
    out_dir = tmp_path / "dist"
    first = release(built_repo, out_dir, names=TINY_OUTLINE)
    assert (out_dir / "fcn-course" / release_module.RELEASE_MARKER).is_file()
    assert f"fcn-course/{release_module.RELEASE_MARKER}" in zipfile.ZipFile(first).namelist()
    (out_dir / "fcn-course" / "stale.txt").write_text("left from the previous release\n")
    second = release(built_repo, out_dir, names=TINY_OUTLINE)  # recognised by the marker: replaced
    assert second == first and not (out_dir / "fcn-course" / "stale.txt").exists()
    empty = tmp_path / "empty"
    empty.mkdir()
    assert release(built_repo, empty, names=TINY_OUTLINE).is_file()  # an empty folder is fine


def test_release_command_refuses_the_parent_of_the_repository(built_repo, monkeypatch, capsys):
    from fcn_course.instructor import __main__ as instructor_main

    monkeypatch.setattr(instructor_main, "repo_root", lambda: built_repo)
    before = tree_digest(built_repo.parent)
    assert instructor_main.main(["release", "--out", str(built_repo / "..")]) == 1
    assert "release refused" in capsys.readouterr().err
    assert tree_digest(built_repo.parent) == before


# ==================================================================================================
# 2. predict never writes into or over its inputs; two inputs never share an output name
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
        scores[:, 1, :, width // 2:] = 5.0
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


def test_two_inputs_never_share_an_output_name(tmp_path, checkpoint):
    """Case 2a: photo.jpg and photo.png both wrote photo_mask.png; now each keeps its own suffix."""
    inputs = photos(tmp_path / "in")
    before = tree_digest(inputs)
    assert predict.main([str(checkpoint), str(inputs), "--out", str(tmp_path / "out")],
                        model_classes={"alexnet": FCN_AlexNet}) == 0
    written = sorted(path.name for path in (tmp_path / "out").iterdir())
    assert written == ["photo.jpg_mask.png", "photo.jpg_overlay.png", "photo.png_mask.png",
                       "photo.png_overlay.png", "shot_mask.png_mask.png", "shot_mask.png_overlay.png"]
    overlays = {name: np.array(Image.open(tmp_path / "out" / name)) for name in written if "overlay" in name}
    assert not np.array_equal(overlays["photo.jpg_overlay.png"], overlays["photo.png_overlay.png"])
    assert tree_digest(inputs) == before


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


def test_save_prediction_never_writes_next_to_its_input(tmp_path):
    photo = tmp_path / "photo.jpg"
    Image.new("RGB", (64, 64), (10, 20, 30)).save(photo)
    before = tree_digest(tmp_path)
    with pytest.raises(ValueError, match="input"):
        save_prediction(photo, np.zeros((64, 64), dtype=np.int64), CLASSES, tmp_path)
    assert tree_digest(tmp_path) == before


# ==================================================================================================
# 3. download_voc only adds what is missing; replacing needs an explicit flag; user folders survive
# ==================================================================================================

@pytest.fixture
def voc_archive(tmp_path, monkeypatch):
    """A tiny VOC tar served as the only source (file://); returns the archive's bytes."""
    source = data.make_synthetic_voc(tmp_path / "source", n_train=3, n_val=1, size=(48, 40))
    archive = tmp_path / "tiny_voc.tar"
    with tarfile.open(archive, "w") as tar:
        tar.add(source / "VOCdevkit", arcname="VOCdevkit")
    content = archive.read_bytes()
    monkeypatch.setattr(download, "VOC_SOURCES", [(archive.as_uri(), "md5", hashlib.md5(content).hexdigest())])
    return content


def user_extras(root: Path) -> Path:
    """A user's own folder and file inside VOC2012 (e.g. the SBD 'aug' annotations)."""
    extra = voc_path(root, "SegmentationClassAug")
    extra.mkdir(parents=True, exist_ok=True)
    (extra / "2007_000032.png").write_bytes(b"user annotation")
    voc_path(root, "notes.txt").write_text("my notes\n")
    return extra


def test_download_into_a_damaged_tree_adds_only_the_missing_files(voc_archive, tmp_path, capsys):
    """Case 3: a tree that was 'not ready' was deleted, user folders included."""
    root = tmp_path / "data"
    data.download_voc(root)
    shutil.rmtree(voc_path(root, "SegmentationClass"))  # damaged: one required part is gone
    user_extras(root)
    edited = voc_path(root, "JPEGImages", split_ids(root, "train")[0] + ".jpg")
    edited.write_bytes(b"a user's edited picture")
    before = tree_digest(root)
    data.download_voc(root)
    assert data.voc_is_ready(root)
    after = tree_digest(root)
    assert {key: after[key] for key in before} == before  # every file that was there is byte-identical
    added = set(after) - set(before)
    assert added and all(name.startswith("VOCdevkit/VOC2012/SegmentationClass/") for name in added)
    report = capsys.readouterr().out
    assert "faltam" in report and "SegmentationClass" in report


def test_download_replace_overwrites_only_the_archive_files(voc_archive, tmp_path):
    root = tmp_path / "data"
    data.download_voc(root)
    extra = user_extras(root)
    edited = voc_path(root, "JPEGImages", split_ids(root, "train")[0] + ".jpg")
    original = edited.read_bytes()
    edited.write_bytes(b"damaged")
    data.download_voc(root)  # the tree is ready: nothing happens without the flag
    assert edited.read_bytes() == b"damaged"
    data.download_voc(root, replace=True)
    assert edited.read_bytes() == original
    assert (extra / "2007_000032.png").read_bytes() == b"user annotation"
    assert voc_path(root, "notes.txt").read_text() == "my notes\n"


def test_download_no_longer_accepts_the_old_force_flag():
    with pytest.raises(TypeError):
        data.download_voc("/nonexistent", force=True)


def test_download_command_help_says_what_replace_deletes(capsys):
    from fcn_course.__main__ import main

    with pytest.raises(SystemExit):
        main(["download", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "--replace" in text and "overwrites" in text and "kept" in text


# ==================================================================================================
# 4. resume only what it is (fixed by the refactor; verified here)
# ==================================================================================================

def load_train_script():
    spec = importlib.util.spec_from_file_location("train_script", REPO_ROOT / "scripts" / "train.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


TRAIN_FLAGS = ["--smoke", "--backbone", "alexnet", "--skip", "none", "--epochs", "1", "--size", "64",
               "--max-samples", "4", "--batch-size", "2", "--lr", "0.0001", "--seed", "0", "--no-progress"]


@pytest.fixture(scope="module")
def trained_run(tmp_path_factory):
    """A one-epoch run of scripts/train.py (smoke, 64 px, lr 1e-4)."""
    run_dir = tmp_path_factory.mktemp("train") / "run"
    assert load_train_script().main(TRAIN_FLAGS + ["--run-dir", str(run_dir)]) == 0
    return run_dir


@pytest.mark.parametrize("flag, value, shown", [("--lr", "0.05", "lr: 0.0001 -> 0.05"),
                                                ("--size", "96", "h_size: 64 -> 96"),
                                                ("--batch-size", "3", "batch_size: 2 -> 3"),
                                                ("--seed", "9", "seed: 0 -> 9")])
def test_train_resume_with_other_settings_is_refused(trained_run, tmp_path, capsys, flag, value, shown):
    """Case 4a: --resume --lr 0.05 ... trained on silently; now refused with the diff, nothing changed."""
    run_dir = Path(shutil.copytree(trained_run, tmp_path / "run"))
    before = tree_digest(run_dir)
    flags = list(TRAIN_FLAGS)
    flags[flags.index(flag) + 1] = value
    assert load_train_script().main(flags + ["--run-dir", str(run_dir), "--resume", "--epochs", "2"]) == 2
    message = capsys.readouterr().err
    assert shown in message and "Nothing was changed" in message
    assert tree_digest(run_dir) == before


def test_start_run_refuses_a_mismatch_and_changes_nothing(trained_run, tmp_path):
    run_dir = Path(shutil.copytree(trained_run, tmp_path / "run"))
    before = tree_digest(run_dir)
    config = read_json(run_dir / runs.RUN_FILE)
    with pytest.raises(runs.RunMismatchError, match=r"lr: 0.0001 -> 0.05"):
        runs.start_run(run_dir, {**config, "lr": 0.05})
    assert tree_digest(run_dir) == before


def tiny_grid_args(root, **overrides):
    settings = dict(root=root, epoch_num=1, h_size=64, w_size=64, batch_size=3, max_samples=6, num_workers=0,
                    device=torch.device("cpu"), seed=0, show_freq=0, lr=1e-3, smoke=False)
    return course_args(**{**settings, **overrides})


def tiny_grid(args, out_dir, make_opt=make_optimizer):
    return run_grid({"alexnet": FCN_AlexNet}, make_opt, compute_loss, make_criterion(), args, out_dir,
                    backbones=("alexnet",), skips=(False, True), pretrained=(False,), progress=False)


def test_grid_killed_in_its_first_run_refuses_other_settings(synthetic_voc_root, tmp_path):
    """Case 4b: a grid killed during its first run, rerun with other settings, mixed 64 px and 48 px epochs."""
    def killed(net, args):
        raise KeyboardInterrupt  # as a Ctrl-C (or a kill) during the first run

    out_dir = tmp_path / "grid"
    with pytest.raises(KeyboardInterrupt):
        tiny_grid(tiny_grid_args(synthetic_voc_root), out_dir, make_opt=killed)
    before = tree_digest(out_dir)
    assert "grid.json" in before
    with pytest.raises(runs.RunMismatchError, match="h_size: 64 -> 96"):
        tiny_grid(tiny_grid_args(synthetic_voc_root, h_size=96, w_size=96), out_dir)
    assert tree_digest(out_dir) == before


# ==================================================================================================
# 5. the subset cache notices edited masks; 8. a wrong-shaped cache is rebuilt with one line
# ==================================================================================================

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


# ==================================================================================================
# 6. images as they come (16-bit, LA, P with transparency, CMYK, 1-bit)
# ==================================================================================================

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


def test_a_32_bit_image_out_of_the_16_bit_range_is_refused(tmp_path):
    path = tmp_path / "big.tif"
    Image.fromarray(np.full((32, 32), 200_000, dtype=np.int32), mode="I").save(path)
    with pytest.raises(ValueError, match="big.tif") as error:
        load_image(path)
    assert "8-bit" in str(error.value)


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
    return [("LA", la, {(1, 1): (100, 100, 100), (0, 0): mean}),
            ("P+transparency", palette, {(1, 1): (250, 10, 10), (0, 0): mean}),
            ("CMYK", cmyk, {(1, 1): (255, 0, 0)}),
            ("1", bilevel, {(1, 1): (255, 255, 255), (0, 0): (0, 0, 0)})]


@pytest.mark.parametrize("name, picture, expected", modes_and_expected(), ids=lambda v: v if isinstance(v, str) else "")
def test_other_image_modes_are_converted_correctly(tmp_path, name, picture, expected):
    suffix = ".jpg" if name == "CMYK" else (".png" if name != "1" else ".bmp")
    path = tmp_path / f"image{suffix}"
    picture.save(path) if name != "CMYK" else picture.save(path, quality=100)
    rgb = np.array(load_image(path))
    for (x, y), colour in expected.items():
        assert np.abs(rgb[y, x].astype(int) - colour).max() <= 3, (name, (x, y), rgb[y, x], colour)


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


# ==================================================================================================
# 8. every error names the file and the fix
# ==================================================================================================

def test_a_truncated_jpeg_names_the_file(voc_copy):
    dataset = data.VOCSubset(voc_copy, "train", min_classes=0, verbose=False)
    path = dataset.images[0]
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    with pytest.raises(OSError) as error:
        dataset[0]
    assert str(path) in str(error.value) and "download_voc" in str(error.value)


def test_a_listed_jpeg_that_does_not_exist_is_found_at_construction(voc_copy):
    missing = voc_path(voc_copy, "JPEGImages", split_ids(voc_copy, "train")[-1] + ".jpg")
    missing.unlink()
    with pytest.raises(FileNotFoundError) as error:
        data.VOCSubset(voc_copy, "train", verbose=False)
    assert str(missing) in str(error.value) and "download_voc" in str(error.value)


def test_an_empty_split_is_a_clear_error(voc_copy):
    split = voc_path(voc_copy, "ImageSets", "Segmentation", "train.txt")
    split.write_text("")
    with pytest.raises(ValueError) as error:
        data.VOCSubset(voc_copy, "train", verbose=False)
    assert str(split) in str(error.value)


def test_a_filter_that_keeps_nothing_is_a_clear_error(voc_copy):
    with pytest.raises(ValueError, match="nenhuma das") as error:
        data.VOCSubset(voc_copy, "train", classes=("background", "cow"), verbose=False)
    assert "min_classes" in str(error.value)


def test_min_classes_above_the_number_of_classes_is_refused(voc_copy):
    with pytest.raises(ValueError, match="min_classes=4") as error:
        data.VOCSubset(voc_copy, "train", min_classes=4, verbose=False)
    assert "3 classes" in str(error.value)


@pytest.mark.parametrize("name", ["run.json", "config.json"])
def test_a_damaged_run_description_names_the_file(tmp_path, name):
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    (run_dir / name).write_text('{"backbone": "alexnet", "classes": ["backgro')
    before = tree_digest(run_dir)
    with pytest.raises(ValueError) as error:
        runs.read_run_config(run_dir)
    assert str(run_dir / name) in str(error.value) and "delete it" in str(error.value)
    if name == "run.json":
        with pytest.raises(ValueError, match="run.json"):
            runs.start_run(run_dir, {"backbone": "alexnet", "classes": CLASSES})
    assert tree_digest(run_dir) == before


def test_a_truncated_last_checkpoint_fails_its_run_and_the_grid_goes_on(synthetic_voc_root, tmp_path):
    """Case 8: a truncated last.pt gave a raw PytorchStreamReader error and aborted the whole grid.

    Neither fallback is taken: resuming from best.pt would lose the optimiser state and the epochs after the best
    one (not an exact resume), and restarting would overwrite that run's best.pt and history. The run is reported
    as failed with the file and the fix, every file of it is left as it was, and the other runs go on.
    """
    out_dir = tmp_path / "grid"
    tiny_grid(tiny_grid_args(synthetic_voc_root), out_dir)
    broken = out_dir / "alexnet-noskip-scratch"
    last = broken / runs.LAST_CHECKPOINT
    last.write_bytes(last.read_bytes()[:1000])
    before = tree_digest(broken)
    result = tiny_grid(tiny_grid_args(synthetic_voc_root, epoch_num=2), out_dir)
    status = {run.name: run for run in result.runs}
    assert status["alexnet-noskip-scratch"].status == "failed"
    assert str(last) in status["alexnet-noskip-scratch"].reason
    assert status["alexnet-skip-scratch"].status == "done" and len(status["alexnet-skip-scratch"].history) == 2
    assert tree_digest(broken) == before


def test_a_read_only_run_folder_is_found_before_training(tmp_path):
    blocker = tmp_path / "a_file"
    blocker.write_text("not a folder")
    with pytest.raises(PermissionError, match="cannot write in the run folder"):
        runs.start_run(blocker / "run", {"backbone": "alexnet", "classes": CLASSES})


def test_orphan_temporaries_of_killed_writes_are_cleaned(tmp_path):
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    orphan = run_dir / ".last.pt.abc123.tmp"
    orphan.write_bytes(b"half a checkpoint")
    old = time.time() - 3600
    os.utime(orphan, (old, old))
    young = run_dir / ".best.pt.def456.tmp"
    young.write_bytes(b"a write in progress elsewhere")
    runs.start_run(run_dir, {"backbone": "alexnet", "classes": CLASSES})
    assert not orphan.exists() and young.exists()


def test_random_weights_under_the_torchvision_name_are_refused(tmp_path, monkeypatch):
    """Case 7: a randomly initialised state dict was accepted as 'pretrained'."""
    folder = tmp_path / "weights"
    folder.mkdir()
    fake = folder / backbones.BACKBONES["alexnet"].weight_file
    torch.save(torchvision.models.alexnet(weights=None).features.state_dict(), fake)
    monkeypatch.setenv("FCN_COURSE_WEIGHTS", str(folder))
    monkeypatch.setattr(torch.hub, "get_dir", lambda: str(tmp_path / "hub"))
    before = tree_digest(folder)
    with pytest.raises(backbones.PretrainedWeightsError, match="sha256 dele não começa com") as error:
        backbones.load_backbone("alexnet", pretrained=True)
    assert str(fake) in str(error.value) and "apague-o" in str(error.value)
    assert tree_digest(folder) == before


# ==================================================================================================
# 8. an interrupted download continues from its .part file (HTTP Range) and is still verified
# ==================================================================================================

PAYLOAD = bytes(range(256)) * 4096  # 1 MiB


class ArchiveServer(http.server.BaseHTTPRequestHandler):
    """Serves PAYLOAD at any path; honours Range unless ``ignore_range``; may drop the connection midway."""

    ignore_range = False
    drop_after = None  # bytes sent before the connection is dropped (once)
    requests: list = []

    def do_GET(self):
        start = 0
        asked = self.headers.get("Range")
        type(self).requests.append(asked)
        if asked and not self.ignore_range:
            start = int(asked.split("=")[1].split("-")[0])
            if start >= len(PAYLOAD):
                self.send_response(416)
                self.send_header("Content-Range", f"bytes */{len(PAYLOAD)}")
                self.end_headers()
                return
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{len(PAYLOAD) - 1}/{len(PAYLOAD)}")
        else:
            self.send_response(200)
        body = PAYLOAD[start:]
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if type(self).drop_after is not None:
            self.wfile.write(body[: type(self).drop_after])
            type(self).drop_after = None
            self.wfile.flush()
            self.close_connection = True
            return
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    """A loopback HTTP server (127.0.0.1) in a thread; yields (its URL, its handler class)."""
    handler = type("Handler", (ArchiveServer,), {"requests": [], "ignore_range": False, "drop_after": None})
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/voc.tar", handler
    httpd.shutdown()
    httpd.server_close()


SHA1 = hashlib.sha1(PAYLOAD).hexdigest()


def test_an_interrupted_download_resumes_from_its_part_file(server, tmp_path):
    """Case 8: an interrupted 2 GB download restarted from byte 0."""
    url, handler = server
    handler.drop_after = 300_000
    destination = tmp_path / "voc.tar"
    partial = tmp_path / "voc.tar.part"
    with pytest.raises(Exception):
        download.fetch(url, destination, "sha1", SHA1)
    assert not destination.exists() and partial.stat().st_size == 300_000  # kept for the next try
    download.fetch(url, destination, "sha1", SHA1)
    assert handler.requests == [None, "bytes=300000-"]
    assert destination.read_bytes() == PAYLOAD and not partial.exists()


def test_a_server_that_ignores_range_restarts_cleanly(server, tmp_path):
    url, handler = server
    handler.ignore_range = True
    (tmp_path / "voc.tar.part").write_bytes(PAYLOAD[:500_000])
    download.fetch(url, tmp_path / "voc.tar", "sha1", SHA1)
    assert handler.requests == ["bytes=500000-"]
    assert (tmp_path / "voc.tar").read_bytes() == PAYLOAD and not (tmp_path / "voc.tar.part").exists()


def test_a_damaged_part_file_is_caught_by_the_checksum_and_downloaded_again(server, tmp_path):
    url, handler = server
    (tmp_path / "voc.tar.part").write_bytes(b"\0" * 400_000)  # not the archive's first bytes
    download.fetch(url, tmp_path / "voc.tar", "sha1", SHA1)
    assert handler.requests == ["bytes=400000-", None]
    assert (tmp_path / "voc.tar").read_bytes() == PAYLOAD


def test_a_complete_part_file_is_verified_not_downloaded_again(server, tmp_path):
    url, handler = server
    (tmp_path / "voc.tar.part").write_bytes(PAYLOAD)
    download.fetch(url, tmp_path / "voc.tar", "sha1", SHA1)
    assert (tmp_path / "voc.tar").read_bytes() == PAYLOAD


def test_a_wrong_checksum_still_fails_and_leaves_no_part_file(server, tmp_path):
    url, _ = server
    with pytest.raises(ValueError, match="checksum sha1 não confere"):
        download.fetch(url, tmp_path / "voc.tar", "sha1", "0" * 40)
    assert not (tmp_path / "voc.tar").exists() and not (tmp_path / "voc.tar.part").exists()


def test_a_file_url_with_a_part_file_gives_the_right_archive(tmp_path):
    source = tmp_path / "mirror" / "voc.tar"
    source.parent.mkdir()
    source.write_bytes(PAYLOAD)
    (tmp_path / "voc.tar.part").write_bytes(PAYLOAD[:123_456])
    download.fetch(source.as_uri(), tmp_path / "voc.tar", "sha1", SHA1)
    assert (tmp_path / "voc.tar").read_bytes() == PAYLOAD and not (tmp_path / "voc.tar.part").exists()


def test_an_archive_the_user_put_there_is_kept(voc_archive, tmp_path):
    """download_voc deletes the archive only when it downloaded it itself."""
    root = tmp_path / "data"
    root.mkdir()
    (root / data.VOC_ARCHIVE).write_bytes(voc_archive)  # copied by hand from a USB stick
    data.download_voc(root)
    assert data.voc_is_ready(root) and (root / data.VOC_ARCHIVE).read_bytes() == voc_archive


def test_every_promise_of_the_readme_points_to_an_existing_test():
    """The README's Safety section names its tests: each one must exist (in test_safety.py unless named)."""
    import re

    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## Safety\n", 1)[1].split("\n## ", 1)[0]
    cited = re.findall(r"`(?:(test_\w+)\.py::)?(test_\w+)`", section)
    assert len(cited) >= 20
    for module, name in cited:
        source = (REPO_ROOT / "tests" / f"{module or 'test_safety'}.py").read_text(encoding="utf-8")
        assert f"def {name}(" in source, f"README cites {module or 'test_safety'}::{name}, which does not exist"

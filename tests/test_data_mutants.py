"""Data cases found by mutation testing (benchmarks/mutation_test.py) that no other test pinned."""
import json
import os
import shutil
from pathlib import Path

import pytest
import torch
from torchvision import tv_tensors

from fcn_course import data
from fcn_course.config import course_args, describe_profile
from fcn_course.data import VOCNotFoundError, VOCSubset, make_loaders, pad_to_size, prepare_data, random_scale
from fcn_course.voc import VOID


@pytest.fixture
def voc_copy(synthetic_voc_root, tmp_path):
    """A private copy of the synthetic tree, without the caches other tests wrote."""
    ignore = shutil.ignore_patterns(data.CACHE_DIR_NAME)
    return Path(shutil.copytree(synthetic_voc_root, tmp_path / "voc", ignore=ignore))


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
    args = course_args(root=synthetic_voc_root, h_size=32, w_size=32, batch_size=2, num_workers=1,
                       max_samples=2, device="cpu", cache_in_memory=True)
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
    args = course_args(root=synthetic_voc_root, h_size=32, w_size=32, batch_size=2, num_workers=1,
                       max_samples=2, device="cpu")
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

    assert torch.equal(first_labels(minimal_args(synthetic_voc_root)),
                       first_labels(minimal_args(synthetic_voc_root, seed=0)))


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

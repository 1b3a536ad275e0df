"""Time to the first training batch: the cached subset index vs the original notebook's decode pass.

The original course found its (background, bus, person) images by decoding every image and label of
both splits through the transforms and testing the classes, on every run, before its first batch.
``VOCSubset`` reads only the masks, once, and caches the list of kept ids; later runs read a small
JSON file. Both sides below prepare train and val, then fetch the first training batch.

Run: ``.venv/bin/python benchmarks/bench_data.py`` (about half a minute on 2 CPU cores). It builds a
synthetic VOC tree (500 pictures of 320x240) in a temporary folder and prints how long that took too (the
twin must stay quick to build: every test session and the main job make one).
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from anywhere without installing

import torch  # noqa: E402
from torch.utils.data import DataLoader  # noqa: E402

from fcn_course.data import DEFAULT_CLASSES, VOCSubset, make_synthetic_voc  # noqa: E402
from machine import cpu_model  # noqa: E402 - benchmarks/machine.py, next to this file

N_TRAIN = 300
N_VAL = 200
PICTURE_SIZE = (320, 240)  # (width, height): smaller than a VOC photo (500x375), to build quickly
CROP = (224, 224)
BATCH_SIZE = 8
WARM_REPEATS = 5


def first_batch_seconds(root) -> float:
    """Build both datasets and the loader, then fetch one batch (what a notebook does before training)."""
    start = time.perf_counter()
    train_set = VOCSubset(root, "train", size=CROP, verbose=False)
    VOCSubset(root, "val", size=CROP, verbose=False)
    loader = DataLoader(train_set, batch_size=BATCH_SIZE, shuffle=True, num_workers=0)
    next(iter(loader))
    return time.perf_counter() - start


def original_decode_pass_seconds(root) -> tuple[float, int]:
    """Decode every image + label of both splits through the transforms, test the classes, load a batch."""
    start = time.perf_counter()
    kept = 0
    for image_set in ("train", "val"):
        everything = VOCSubset(root, image_set, size=CROP, min_classes=0, verbose=False)  # no filter: all ids
        for index in range(len(everything)):
            _, label = everything[index]
            present = set(label.unique().tolist()) - {255}
            kept += len(present) >= 2
    loader = DataLoader(everything, batch_size=BATCH_SIZE, shuffle=True, num_workers=0)
    next(iter(loader))  # ...and it still has to load its first batch afterwards
    return time.perf_counter() - start, kept


def main() -> None:
    # One thread, as in DataLoader workers: tensor ops on single pictures gain nothing from more, and on a
    # busy 2-core machine several threads make them many times slower.
    torch.set_num_threads(1)
    print(f"machine: {cpu_model()}")
    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        root = make_synthetic_voc(folder, n_train=N_TRAIN, n_val=N_VAL, size=PICTURE_SIZE, seed=0)
        print(
            f"synthetic VOC: {N_TRAIN} train + {N_VAL} val images of {PICTURE_SIZE[0]}x{PICTURE_SIZE[1]} "
            f"(built in {time.perf_counter() - start:.1f} s); classes {DEFAULT_CLASSES}, crop {CROP}, "
            f"batch {BATCH_SIZE}, num_workers 0\n"
        )

        decode_pass, kept_by_decoding = original_decode_pass_seconds(root)
        cold = first_batch_seconds(root)  # first run: reads every mask once, writes the cache
        warm = statistics.median(first_batch_seconds(root) for _ in range(WARM_REPEATS))
        kept = sum(len(VOCSubset(root, image_set, verbose=False)) for image_set in ("train", "val"))

        rows = [
            ("original: decode all images+labels, then first batch", decode_pass),
            ("VOCSubset, first run (masks only, writes the cache)", cold),
            (f"VOCSubset, warm cache (median of {WARM_REPEATS})", warm),
        ]
        for name, seconds in rows:
            print(f"  {name:<58} {seconds * 1000:9.1f} ms   x{decode_pass / seconds:6.1f}")
        print(
            f"\nwarm time-to-first-batch is {decode_pass / warm:.0f}x faster than the original's decode pass "
            f"(target >= 50x).\nKept {kept} of {N_TRAIN + N_VAL} images (the decode pass keeps {kept_by_decoding}: "
            "it tests the classes of the centre crop, VOCSubset those of the whole mask).\n"
            "The decode pass grows with the number of images, the warm start does not "
            "(real VOC has 1464 + 1449 images, about 6 times more than here)."
        )


if __name__ == "__main__":
    main()

"""Loader throughput with and without the in-memory image cache, next to FCN-AlexNet's training speed.

Issue #12, item 3: on a GPU, FCN-AlexNet consumes pictures faster than one or two CPU cores decode
500x375 JPEGs. ``VOCSubset(cache_in_memory=True)`` keeps the decoded pictures in RAM, so epochs after
the first skip decoding. This script writes a synthetic VOC twin with VOC-sized pictures (500x375),
then prints, for the course's 224x224 crops and batch 8:

- loader images/s without the cache, and with it (first epoch, which fills it, and later epochs),
  with and without the training augmentation (random zoom, crop, flip: still done every epoch);
- FCN-AlexNet (skip, from scratch) training images/s on this machine's CPU, and on CUDA when present.

Usage: ``python benchmarks/bench_loader.py [--images 120] [--epochs 3] [--threads 2]`` (about a minute).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import torch
from torch.utils.data import DataLoader

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from fcn_course.data import VOCSubset, cache_fits_in_memory  # noqa: E402
from fcn_course.synthetic import make_synthetic_voc  # noqa: E402
from solutions.fcn_alexnet import FCN_AlexNet  # noqa: E402
from solutions.training import compute_loss, make_criterion, make_optimizer  # noqa: E402

CROP = 224
BATCH = 8


def epoch_rates(dataset, epochs: int) -> list:
    """Images per second of each pass over a DataLoader (no workers: the 2-core setting of the course)."""
    loader = DataLoader(
        dataset, batch_size=BATCH, shuffle=True, num_workers=0, generator=torch.Generator().manual_seed(0)
    )
    rates = []
    for _ in range(epochs):
        tic = time.perf_counter()
        count = sum(len(images) for images, _ in loader)
        rates.append(count / (time.perf_counter() - tic))
    return rates


def model_rate(device: torch.device, steps: int = 5) -> float:
    """FCN-AlexNet (skip, scratch) training images/s: forward, loss, backward, Adam step."""
    torch.manual_seed(0)
    net = FCN_AlexNet(3, pretrained=False, skip=True).to(device)
    optimizer = make_optimizer(
        net, {"pretrained": False, "skip": True, "lr": 1e-3, "weight_decay": 5e-4, "momentum": 0.9}
    )
    criterion = make_criterion()
    images = torch.randn(BATCH, 3, CROP, CROP, device=device)
    labels = torch.randint(0, 3, (BATCH, CROP, CROP), device=device)
    for step in range(steps + 2):
        if step == 2:  # two warm-up steps (allocations, cuDNN autotuning)
            if device.type == "cuda":
                torch.cuda.synchronize()
            tic = time.perf_counter()
        optimizer.zero_grad(set_to_none=True)
        compute_loss(net(images), labels, criterion).backward()
        optimizer.step()
    if device.type == "cuda":
        torch.cuda.synchronize()
    return steps * BATCH / (time.perf_counter() - tic)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--images", type=int, default=120, help="synthetic training pictures (before the filter)")
    parser.add_argument("--epochs", type=int, default=3, help="passes over the loader per setting")
    parser.add_argument("--threads", type=int, default=2, help="torch threads (Colab and the course CPU: 2)")
    parser.add_argument("--out", help="where to write the synthetic set (default: a temporary folder)")
    options = parser.parse_args(argv)
    torch.set_num_threads(options.threads)

    root = Path(options.out or tempfile.mkdtemp(prefix="bench_loader_"))
    tic = time.perf_counter()
    make_synthetic_voc(root, n_train=options.images, n_val=0, size=(500, 375), seed=0)
    print(
        f"torch {torch.__version__}, {torch.get_num_threads()} threads; {options.images} synthetic 500x375 "
        f"pictures written in {time.perf_counter() - tic:.1f} s; crops {CROP}x{CROP}, batch {BATCH}, no workers"
    )

    rows = []
    for augment in (False, True):
        plain = VOCSubset(root, "train", size=CROP, augment=augment, verbose=False)
        cached = VOCSubset(root, "train", size=CROP, augment=augment, verbose=False, cache_in_memory=True)
        without, with_cache = epoch_rates(plain, options.epochs), epoch_rates(cached, options.epochs)
        steady_without = sum(without[1:]) / (len(without) - 1)
        steady_with = sum(with_cache[1:]) / (len(with_cache) - 1)
        rows.append((augment, steady_without, with_cache[0], steady_with))
    need = cached.cache_bytes()
    print(
        f"\nin-memory cache of {len(cached)} pictures: {need / 2**20:.0f} MiB "
        f"(fits in half the free RAM: {cache_fits_in_memory(need)})"
    )

    print("\n| augmentation | no cache (img/s) | cache, 1st epoch (img/s) | cache, later epochs (img/s) | ratio |")
    print("|---|---|---|---|---|")
    for augment, steady_without, first_with, steady_with in rows:
        print(
            f"| {'on' if augment else 'off'} | {steady_without:.0f} | {first_with:.0f} | {steady_with:.0f} | "
            f"{steady_with / steady_without:.1f}x |"
        )

    print(f"\nFCN-AlexNet (skip, scratch) training, {CROP} px, batch {BATCH}:")
    print(f"  CPU ({torch.get_num_threads()} threads): {model_rate(torch.device('cpu')):.0f} img/s")
    if torch.cuda.is_available():
        print(f"  {torch.cuda.get_device_name()}: {model_rate(torch.device('cuda'), steps=20):.0f} img/s")
    else:
        print("  CUDA: not available on this machine")
    return 0


if __name__ == "__main__":
    sys.exit(main())

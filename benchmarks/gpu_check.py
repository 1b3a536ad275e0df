"""The GPU check of the course: CUDA-only tests, then the time of one training epoch of each configuration.

Run it on a machine with a CUDA GPU (a lent GPU machine, Colab, a lab server), from the repository root::

    python benchmarks/gpu_check.py                 # CUDA tests + timings at 224 px + estimates for real VOC
    python benchmarks/gpu_check.py --skip-tests    # timings only

It prints, for each of the 8 configurations of the comparison grid (backbone x skip x pretrained), the
seconds of one training epoch and one validation pass on the synthetic VOC twin at 224×224, batch 8, then the
estimated wall time of notebook 02, notebook 04 and the full grid on real Pascal VOC (the course's subset:
``VOC_SUBSET_IMAGES`` train/val images, 50 epochs). Pretrained configurations are timed with random weights:
a step costs the same, and the check needs no download. Copy the printed table into solutions/RESULTS.md
with the device name. ``--device cpu --size 64 --images 8`` runs the same code on a CPU (the test suite does).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import torch

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from fcn_course import engine  # noqa: E402
from fcn_course.backbones import BACKBONES  # noqa: E402
from fcn_course.config import course_args  # noqa: E402
from fcn_course.data import make_loaders, prepare_data  # noqa: E402
from fcn_course.environment import DATA_ENV  # noqa: E402
from fcn_course.instructor.reference import reference_ingredients  # noqa: E402

# Images of the course's subset of real VOC (background, bus, person; at least 2 of them per image).
VOC_SUBSET_IMAGES = {"train": 350, "val": 495}
CUDA_TESTS = ["tests/test_engine.py::test_mixed_precision_on_cuda", "tests/test_metrics.py"]


def run_cuda_tests() -> int:
    """The tests that skip without a GPU (mixed precision, GradScaler, metrics on the GPU), run here."""
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:randomly", *CUDA_TESTS, "-k", "cuda or gpu or mixed"]
    print(">> CUDA-only tests:", " ".join(command[3:]), flush=True)
    return subprocess.run(command, cwd=REPO_ROOT).returncode


def time_configuration(model_class, backbone, skip, pretrained, ingredients, args) -> dict:
    """Seconds of one training epoch and one validation pass (after one warm-up epoch), and images per second."""
    _, make_optimizer, compute_loss, make_criterion = ingredients
    criterion = make_criterion()
    run_args = {**args, "backbone": backbone, "skip": skip, "pretrained": pretrained}
    net = model_class(args["n_classes"], pretrained=False, skip=skip).to(args["device"])
    optimizer = make_optimizer(net, run_args)
    train_loader, val_loader = make_loaders(run_args)

    def loss_fn(outputs, labels):
        return compute_loss(outputs, labels, criterion)

    device = torch.device(args["device"])
    scaler = engine.make_grad_scaler(device)
    timings = {}
    for epoch in (1, 2):  # the first epoch warms up cuDNN and the caches
        tic = time.perf_counter()
        engine.train_one_epoch(
            net, train_loader, loss_fn, optimizer, device, epoch, args["n_classes"], scaler=scaler, progress=False
        )
        _synchronise(device)
        timings["train"] = time.perf_counter() - tic
        tic = time.perf_counter()
        engine.validate(net, val_loader, loss_fn, device, epoch, args["n_classes"], progress=False)
        _synchronise(device)
        timings["val"] = time.perf_counter() - tic
    timings["train_images_per_s"] = len(train_loader.dataset) / timings["train"]
    timings["val_images_per_s"] = len(val_loader.dataset) / timings["val"]
    return timings


def _synchronise(device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize()


def estimate_seconds(timing: dict, epochs: int) -> float:
    """Wall time of ``epochs`` epochs on the real VOC subset, from the measured images per second."""
    per_epoch = (
        VOC_SUBSET_IMAGES["train"] / timing["train_images_per_s"]
        + VOC_SUBSET_IMAGES["val"] / timing["val_images_per_s"]
    )
    return epochs * per_epoch


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cuda")
    parser.add_argument("--size", type=int, default=224, help="square crop size (default 224, as the course)")
    parser.add_argument("--images", type=int, default=64, help="synthetic images per split to time on")
    parser.add_argument("--epochs", type=int, default=50, help="epochs of the estimates (the course: 50)")
    parser.add_argument("--backbones", nargs="+", default=list(BACKBONES), help="default: every registered one")
    parser.add_argument("--skip-tests", action="store_true")
    options = parser.parse_args(argv)
    if options.device == "cuda" and not torch.cuda.is_available():
        print("no CUDA GPU here: run this on a GPU machine (or pass --device cpu to try the script)")
        return 2
    status = 0 if options.skip_tests or options.device != "cuda" else run_cuda_tests()
    device_name = torch.cuda.get_device_name(0) if options.device == "cuda" else "CPU"
    print(f">> timing the 8 configurations on {device_name}, {options.size}x{options.size}, batch 8", flush=True)

    with tempfile.TemporaryDirectory() as data:
        os.environ[DATA_ENV] = data  # the synthetic twin is written there, then removed
        args = course_args(
            profile="smoke",
            epoch_num=1,
            batch_size=8,
            h_size=options.size,
            w_size=options.size,
            max_samples=options.images,
            device=torch.device(options.device),
            num_workers=0,
        )
        args["synthetic"] = {
            "n_train": options.images * 2,
            "n_val": options.images,
            "size": (max(options.size, 160), max(options.size, 120)),
            "seed": 0,
        }
        prepare_data(args, verbose=False)
        ingredients = reference_ingredients()
        rows = []
        for backbone in options.backbones:
            if backbone not in ingredients[0]:
                continue
            for skip in (False, True):
                for pretrained in (False, True):
                    timing = time_configuration(ingredients[0][backbone], backbone, skip, pretrained, ingredients, args)
                    rows.append((backbone, skip, pretrained, timing))
    print(f"\n| configuration | train epoch (s) | val pass (s) | train img/s | est. {options.epochs} epochs on VOC |")
    print("|---|---|---|---|---|")
    for backbone, skip, pretrained, timing in rows:
        name = f"{backbone}-{'skip' if skip else 'noskip'}-{'pretrained' if pretrained else 'scratch'}"
        print(
            f"| {name} | {timing['train']:.2f} | {timing['val']:.2f} | {timing['train_images_per_s']:.0f} | "
            f"{estimate_seconds(timing, options.epochs) / 60:.1f} min |"
        )
    by_name = {(b, bool(s), p): t for b, s, p, t in rows}
    if ("alexnet", True, True) not in by_name or ("vgg16", True, True) not in by_name:
        return status  # the notebook estimates need both backbones
    notebook_02 = estimate_seconds(by_name[("alexnet", True, True)], options.epochs)
    notebook_03 = estimate_seconds(by_name[("vgg16", True, True)], options.epochs)
    grid = sum(estimate_seconds(timing, options.epochs) for *_, timing in rows)
    print(
        f"\nestimated on real VOC ({VOC_SUBSET_IMAGES['train']} train / {VOC_SUBSET_IMAGES['val']} val images, "
        f"{options.epochs} epochs) on {device_name}: notebook 02 {notebook_02 / 60:.0f} min, notebook 04 "
        f"{notebook_03 / 60:.0f} min, full grid {grid / 60:.0f} min (the grid reuses the runs of 02 and 03: "
        f"{(grid - notebook_02 - notebook_03) / 60:.0f} min more)"
    )
    return status


if __name__ == "__main__":
    sys.exit(main())

"""Benchmark: ConfusionMatrix vs the original course's per-class evaluation loop.

Both run on the same random predictions (200 label maps of 224x224 by default, with ~5% void pixels)
for 21 classes (all of Pascal VOC) and 3 classes (background/bus/person, the course's subset).
Besides the time, it prints the mIoU each method reports on the same data: the original loop divides
the intersection by the label's pixel count (that is recall, not IoU) and its accumulators start at the
scalar n_classes, which adds 3 (or 21) pixels to every class.

Run:  python benchmarks/bench_metrics.py [--images 200] [--size 224] [--device cpu|cuda] [--threads 1]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import torch

from fcn_course.metrics import ConfusionMatrix

VOID = 255


def original_evaluate(prds, labs, n_classes):
    """The original notebook's evaluate(): per image, per class, count label pixels and overlap."""
    int_sum = np.zeros(n_classes, dtype=np.float32)
    uni_sum = np.zeros(n_classes, dtype=np.float32)
    for prd, lab in zip(prds, labs):
        for c in range(n_classes):
            union = np.sum(lab.ravel() == c)  # named "union", but it is only the label's pixel count
            if union > 0:
                uni_sum[c] += union
                intersection = np.sum(np.logical_and(lab.ravel() == c, prd.ravel() == c))
                int_sum[c] += intersection
    return int_sum, uni_sum


def original_miou(preds, labels, n_classes):
    """The original validate() loop: one image per batch, copied to numpy, accumulators starting at n_classes."""
    int_all = np.asarray(n_classes, dtype=np.float32)
    uni_all = np.asarray(n_classes, dtype=np.float32)
    for prd, lab in zip(preds, labels):
        int_sum, uni_sum = original_evaluate([prd.cpu().numpy()], [lab.cpu().numpy()], n_classes)
        int_all = int_all + int_sum
        uni_all = uni_all + uni_sum
    iou = np.divide(int_all, uni_all)
    return float(iou[1:].mean())


def confusion_matrix_miou(preds, labels, n_classes, batch_size=8):
    """The course's way: one ConfusionMatrix over the whole split, updated batch by batch."""
    cm = ConfusionMatrix(n_classes)
    for start in range(0, len(preds), batch_size):
        cm.update(preds[start : start + batch_size], labels[start : start + batch_size])
    scores = cm.compute()
    if preds.is_cuda:
        torch.cuda.synchronize()
    return scores["miou_fg"], scores["miou"]


def make_data(n_images, size, n_classes, seed=0):
    """Labels with a few large regions (like real masks) and predictions right ~70% of the time."""
    rng = np.random.default_rng(seed)
    blocks = rng.integers(0, n_classes, size=(n_images, size // 32 + 1, size // 32 + 1))
    labels = blocks.repeat(32, axis=1).repeat(32, axis=2)[:, :size, :size]
    wrong = rng.random(labels.shape) > 0.7
    preds = np.where(wrong, rng.integers(0, n_classes, size=labels.shape), labels)
    labels = np.where(rng.random(labels.shape) < 0.05, VOID, labels)
    return preds.astype(np.int64), labels.astype(np.int64)


def best_time(function, repeats):
    """Smallest wall time of a few runs (the least disturbed by other processes)."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return min(times), result


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=200)
    parser.add_argument("--size", type=int, default=224)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--device", default="cpu")
    parser.add_argument(
        "--threads",
        type=int,
        default=1,
        help="torch CPU threads (1 = fair against single-threaded numpy, and stable on a busy machine)",
    )
    args = parser.parse_args()
    device = torch.device(args.device)
    torch.set_num_threads(args.threads)

    print(
        f"{args.images} label maps of {args.size}x{args.size} on {device} (batches of 8 for ConfusionMatrix, "
        f"one image at a time for the original loop), torch {torch.__version__}, {torch.get_num_threads()} "
        f"CPU thread(s), best of {args.repeats}"
    )
    header = (
        f"{'classes':>7} | {'original loop':>13} | {'ConfusionMatrix':>15} | {'speed-up':>8} | "
        f"{'original mIoU':>13} | {'mIoU (fg)':>9} | {'mIoU (all)':>10}"
    )
    print(header)
    print("-" * len(header))
    for n_classes in (21, 3):
        preds, labels = make_data(args.images, args.size, n_classes)
        preds_t = torch.from_numpy(preds).to(device)
        labels_t = torch.from_numpy(labels).to(device)
        confusion_matrix_miou(preds_t[:8], labels_t[:8], n_classes)  # warm-up (CUDA start, caches)

        t_original, wrong_miou = best_time(
            lambda p=preds_t, t=labels_t, n=n_classes: original_miou(p, t, n), args.repeats
        )
        t_cm, (miou_fg, miou) = best_time(
            lambda p=preds_t, t=labels_t, n=n_classes: confusion_matrix_miou(p, t, n), args.repeats
        )
        print(
            f"{n_classes:>7} | {t_original:>12.3f}s | {t_cm:>14.3f}s | {t_original / t_cm:>7.1f}x | "
            f"{wrong_miou:>13.4f} | {miou_fg:>9.4f} | {miou:>10.4f}"
        )
    print(
        "original mIoU = what the original notebook prints (recall, plus n_classes pixels added to every class, classes 1..n-1);"
        " mIoU (fg) is the correct value over the same classes."
    )


if __name__ == "__main__":
    main()

"""The demo profile, measured: the four from-scratch runs of the course on the synthetic VOC twin.

The demo profile is the default run that teaches (issue #12): on a 2-core CPU, in about six minutes of
training in total, FCN-AlexNet with skip connections (notebook 02) reaches a foreground mIoU of at least
0.6 and visibly beats FCN-AlexNet without them (notebook 04), and FCN-VGG16 (notebook 03 and the grid)
runs with fewer images and epochs. This script trains those four configurations with ``DEMO_PROFILE``
and prints one table: configuration, best validation mIoU(fg), per-class IoU and seconds. It is the
command the results page is regenerated from.

Usage: ``python benchmarks/bench_demo.py [--seeds 0 1 2] [--out DIR] [--backbones alexnet vgg16]``.
Each value of the profile can be overridden for experiments, e.g. ``--set alexnet.epoch_num=8``.
"""
from __future__ import annotations

import argparse
import ast
import copy
import os
import sys
import tempfile
import time
from pathlib import Path

import torch

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from fcn_course import experiments  # noqa: E402
from fcn_course.config import course_args  # noqa: E402
from fcn_course.synthetic import make_synthetic_voc  # noqa: E402
from solutions.fcn_alexnet import FCN_AlexNet  # noqa: E402
from solutions.fcn_vgg16 import FCN_VGG16  # noqa: E402
from solutions.training import compute_loss, make_criterion, make_optimizer  # noqa: E402

# The demo profile: the synthetic set, then the training settings of each backbone (course_args keys).
DEMO_PROFILE = {
    # 300 + 100 pictures of 200x160: 217 training and 69 validation images pass the 3-class filter.
    "synthetic": {"n_train": 300, "n_val": 100, "size": (200, 160), "seed": 1},
    "alexnet": {"epoch_num": 12, "batch_size": 8, "lr": 1e-3, "h_size": 160, "w_size": 160,
                "max_samples": None},
    # VGG16 is ~20x slower per step than AlexNet on a CPU: smaller crops, fewer pictures (48 per split).
    # From scratch and without batch norm it needs a smaller lr: at 1e-3 the first epoch's loss explodes.
    "vgg16": {"epoch_num": 10, "batch_size": 8, "lr": 3e-4, "h_size": 96, "w_size": 96,
              "max_samples": 48},
}
MODEL_CLASSES = {"alexnet": FCN_AlexNet, "vgg16": FCN_VGG16}


def apply_overrides(profile: dict, assignments) -> dict:
    """A copy of ``profile`` with ``section.key=value`` assignments (values read as Python literals)."""
    profile = copy.deepcopy(profile)
    for assignment in assignments:
        path, text = assignment.split("=", 1)
        section, key = path.split(".", 1)
        try:
            value = ast.literal_eval(text)
        except (ValueError, SyntaxError):
            value = text
        profile[section][key] = value
    return profile


def build_data(profile: dict, data_dir: Path) -> tuple:
    """Write the synthetic set of the profile; return its root and the seconds it took."""
    tic = time.perf_counter()
    root = make_synthetic_voc(data_dir, **profile["synthetic"])
    return root, time.perf_counter() - tic


def run_backbone(backbone: str, profile: dict, root: Path, out_dir: Path, seed: int):
    """Train the backbone with and without skip from scratch; return ``[(row, seconds, steady_seconds), ...]``.

    ``seconds`` is the run's wall-clock time (loaders, training, validation, checkpoints).
    ``steady_seconds`` is epochs x the fastest epoch (training + validation): on a shared machine another
    job running at the same time can slow some epochs ten-fold (two processes of two threads on two
    cores), and the fastest epoch is the best estimate of what an epoch takes on an idle machine.
    """
    args = course_args(root=root, pretrained=False, seed=seed, smoke=False, device=torch.device("cpu"),
                       num_workers=0, **profile[backbone])
    args["cache_in_memory"] = True  # read by make_loaders when data.py supports it
    rows = []
    for skip in (True, False):
        tic = time.perf_counter()
        result = experiments.run_grid({backbone: MODEL_CLASSES[backbone]}, make_optimizer, compute_loss,
                                      make_criterion(), args, out_dir / f"{backbone}-seed{seed}",
                                      backbones=(backbone,), skips=(skip,), pretrained=(False,),
                                      progress=False)
        rows.append((result.rows()[0], time.perf_counter() - tic, steady_seconds(result.runs[0].history)))
    # report.md, curves, per-class bars and the qualitative grid (same validation images for both runs)
    experiments.load_grid(out_dir / f"{backbone}-seed{seed}", MODEL_CLASSES).write_report()
    return rows


def steady_seconds(history) -> float:
    """Epochs x the fastest epoch (training + validation) of a run's history: its time on an idle machine."""
    epochs = [train["time"] + val["time"] for train, val in zip(history.train, history.val)]
    return len(epochs) * min(epochs)


def format_table(rows) -> str:
    """Markdown table: configuration, seed, best val mIoU(fg), best epoch, per-class IoU, seconds."""
    lines = ["| configuration | seed | best mIoU(fg) | best epoch | IoU background | IoU bus | IoU person "
             "| seconds | steady seconds |",
             "|---|---|---|---|---|---|---|---|---|"]
    for seed, row, seconds, steady in rows:
        lines.append(f"| {row['config']} | {seed} | {row['best_miou_fg']:.3f} | {row['best_epoch']} | "
                     f"{row['iou_background']:.3f} | {row['iou_bus']:.3f} | {row['iou_person']:.3f} | "
                     f"{seconds:.0f} | {steady:.0f} |")
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0], help="training seeds (init and shuffle)")
    parser.add_argument("--backbones", nargs="+", default=["alexnet", "vgg16"], choices=sorted(MODEL_CLASSES))
    parser.add_argument("--set", action="append", default=[], metavar="SECTION.KEY=VALUE",
                        help="override one value of DEMO_PROFILE (repeatable)")
    parser.add_argument("--threads", type=int, default=2, help="torch threads (the course's 2-core CPU)")
    parser.add_argument("--out", help="keep data and runs here (default: a temporary folder)")
    options = parser.parse_args(argv)

    torch.set_num_threads(options.threads)
    profile = apply_overrides(DEMO_PROFILE, options.set)
    work_dir = Path(options.out or tempfile.mkdtemp(prefix="bench_demo_"))
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, results in {work_dir}")
    print(f"profile: {profile}")
    root, data_seconds = build_data(profile, work_dir / "data")
    print(f"synthetic set written in {data_seconds:.1f} s")

    table = []
    for seed in options.seeds:
        for backbone in options.backbones:
            for entry in run_backbone(backbone, profile, root, work_dir / "runs", seed):
                table.append((seed, *entry))
                print(format_table([(seed, *entry)]).splitlines()[-1], flush=True)

    print("\n================ demo profile ================")
    print(format_table(table))
    for seed in options.seeds:
        total = sum(seconds for s, _, seconds, _ in table if s == seed)
        steady = sum(steady for s, _, _, steady in table if s == seed)
        print(f"seed {seed}: total training wall time {total:.0f} s ({total / 60:.1f} min); "
              f"epochs x fastest epoch {steady:.0f} s ({steady / 60:.1f} min)")
    print(f"machine load average (1, 5, 15 min): {os.getloadavg()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Benchmark of the comparison grid (fcn_course.experiments).

1. Wall time of the smoke grid (``python -m fcn_course grid --smoke``: both backbones, with and
   without skip, pretrained runs skipped offline), on fresh synthetic data.
2. One "real-size" comparison on a larger synthetic VOC twin: FCN-AlexNet with and without skip
   connections, from scratch, a few epochs at 160 px crops; prints both best validation mIoU(fg)
   side by side and checks the expected ordering (skip >= no skip).

Usage: ``python benchmarks/bench_grid.py [--epochs 10] [--size 160] [--train 100] [--val 40]``
(about 4-6 minutes on 2 otherwise idle CPU cores). Results go to a temporary folder unless ``--out`` is given.
"""

from __future__ import annotations

import argparse
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
from fcn_course.environment import DATA_ENV, SMOKE_ENV  # noqa: E402
from fcn_course.synthetic import make_synthetic_voc  # noqa: E402
from solutions.fcn_alexnet import FCN_AlexNet  # noqa: E402
from solutions.training import compute_loss, make_criterion, make_optimizer  # noqa: E402


class Timer:
    """Wall-clock and CPU seconds of a block (CPU time is less sensitive to other jobs on the machine)."""

    def __enter__(self):
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc):
        self.wall = time.perf_counter() - self.wall
        self.cpu = time.process_time() - self.cpu

    def __str__(self):
        return f"{self.wall:.1f} s wall, {self.cpu:.1f} s CPU"


def bench_smoke_grid(work_dir: Path) -> Timer:
    """Time of the smoke grid CLI, synthetic data included (built in a fresh data folder)."""
    os.environ[DATA_ENV] = str(work_dir / "data")
    with Timer() as timer:
        code = experiments.main(["--smoke", "--out", str(work_dir / "grid-smoke"), "--quiet"])
    os.environ.pop(SMOKE_ENV, None)
    if code != 0:
        raise SystemExit(f"smoke grid failed with exit code {code}")
    return timer


def bench_skip_comparison(work_dir: Path, epochs: int, size: int, n_train: int, n_val: int, lr: float):
    """FCN-AlexNet skip vs no skip, from scratch, same settings; returns the GridResult."""
    root = make_synthetic_voc(work_dir / "synthetic-large", n_train=n_train, n_val=n_val, size=(200, 160), seed=1)
    args = course_args(
        root=root,
        epoch_num=epochs,
        h_size=size,
        w_size=size,
        batch_size=8,
        lr=lr,
        pretrained=False,
        max_samples=None,
        seed=0,
        smoke=False,
        device=torch.device("cpu"),
    )
    model_classes = {"alexnet": FCN_AlexNet}
    result = experiments.run_grid(
        model_classes,
        make_optimizer,
        compute_loss,
        make_criterion(),
        args,
        work_dir / "grid-skip",
        backbones=("alexnet",),
        skips=(False, True),
        pretrained=(False,),
        progress=False,
    )
    result.write_report()
    return result


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--size", type=int, default=160)
    parser.add_argument("--train", type=int, default=100, help="synthetic training images (before the filter)")
    parser.add_argument("--val", type=int, default=40, help="synthetic validation images (before the filter)")
    parser.add_argument("--lr", type=float, default=1e-3, help="Adam learning rate for the from-scratch runs")
    parser.add_argument("--skip-smoke", action="store_true", help="leave out the smoke grid timing")
    parser.add_argument("--out", help="keep the results here (default: a temporary folder)")
    options = parser.parse_args(argv)

    work_dir = Path(options.out or tempfile.mkdtemp(prefix="bench_grid_"))
    work_dir.mkdir(parents=True, exist_ok=True)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, results in {work_dir}")

    smoke_time = None
    if not options.skip_smoke:
        smoke_time = bench_smoke_grid(work_dir)

    with Timer() as comparison_time:
        result = bench_skip_comparison(work_dir, options.epochs, options.size, options.train, options.val, options.lr)

    print("\n================ results ================")
    print(f"machine load average (1, 5, 15 min): {os.getloadavg()}")
    if smoke_time is not None:
        print(f"smoke grid (python -m fcn_course grid --smoke): {smoke_time}")
    print(
        f"skip comparison: AlexNet from scratch, {options.epochs} epochs, {options.size} px crops, "
        f"lr {options.lr}: {comparison_time}"
    )
    print(result.markdown_table())
    rows = {row["config"]: row for row in result.rows()}
    no_skip, skip = rows["alexnet-noskip-scratch"], rows["alexnet-skip-scratch"]
    print(
        f"\nbest val mIoU(fg):  no skip {no_skip['best_miou_fg']:.3f} (epoch {no_skip['best_epoch']})"
        f"   |   skip {skip['best_miou_fg']:.3f} (epoch {skip['best_epoch']})"
    )
    if skip["best_miou_fg"] >= no_skip["best_miou_fg"]:
        print("ordering as expected: skip >= no skip (finer stride-8 features sharpen the object borders)")
    else:
        print(
            "UNEXPECTED ordering: no skip > skip. Possible reasons: too few epochs for the larger skip "
            "classifier input, the noise of a small validation set, or a learning rate that suits one "
            "configuration better; look at curves.png in " + str(work_dir / "grid-skip")
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())

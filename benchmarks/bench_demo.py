"""The demo profile, measured: the four from-scratch runs of the course on the synthetic VOC twin.

The demo profile (``fcn_course.config.PROFILES["demo"]``) is the default run that teaches (issue #12): on a
2-core CPU, in a few minutes of training in total, FCN-AlexNet with skip connections (notebook 02) reaches a
foreground mIoU of at least 0.6 and visibly beats FCN-AlexNet without them (notebook 05), and FCN-VGG16
(notebook 04 and the grid) runs with the profile's own, smaller settings. This script trains those four
configurations exactly as the notebooks do (``experiments.run_grid`` applies the profile's per-backbone
settings) and prints one table: configuration, best validation mIoU(fg), per-class IoU and seconds. It is
the command the results page is regenerated from::

    python benchmarks/bench_demo.py --seeds 0 1 2 --write-results solutions/RESULTS.md

``--set lr=5e-4`` overrides one setting of the profile for an experiment (not for the results page).
"""

from __future__ import annotations

import argparse
import ast
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

import torch

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from fcn_course import experiments  # noqa: E402
from fcn_course.config import PROFILES, course_args  # noqa: E402
from fcn_course.data import prepare_data  # noqa: E402
from fcn_course.environment import DATA_ENV  # noqa: E402
from fcn_course.instructor.reference import reference_ingredients  # noqa: E402

RESULTS_START, RESULTS_END = "<!-- demo-results:start -->", "<!-- demo-results:end -->"


def parse_settings(assignments) -> dict:
    """``["lr=5e-4", "epoch_num=8"]`` -> ``{"lr": 0.0005, "epoch_num": 8}`` (values read as Python literals)."""
    settings = {}
    for assignment in assignments:
        key, text = assignment.split("=", 1)
        try:
            settings[key] = ast.literal_eval(text)
        except (ValueError, SyntaxError):
            settings[key] = text
    return settings


def steady_seconds(history) -> float:
    """Epochs x the fastest epoch (training + validation): the run's time on an idle machine.

    On a shared machine another job can slow some epochs ten-fold; the fastest epoch is the best estimate of
    what an epoch takes when the two cores are free.
    """
    epochs = [train["time"] + val["time"] for train, val in zip(history.train, history.val)]
    return len(epochs) * min(epochs)


def run_seed(seed: int, backbones, overrides: dict, out_dir: Path) -> list:
    """Train the profile's scratch configurations for one seed; ``[(row, wall seconds, steady seconds)]``."""
    args = course_args(profile="demo", seed=seed, device=torch.device("cpu"), num_workers=0, **overrides)
    prepare_data(args, verbose=False)
    model_classes, make_optimizer, compute_loss, make_criterion = reference_ingredients()
    rows = []
    for backbone in backbones:
        for skip in (True, False):
            tic = time.perf_counter()
            grid = experiments.run_grid(
                model_classes,
                make_optimizer,
                compute_loss,
                make_criterion(),
                args,
                out_dir / f"seed{seed}",
                backbones=(backbone,),
                skips=(skip,),
                pretrained=(False,),
                progress=False,
            )
            run = grid.runs[-1]
            rows.append((grid.rows()[-1], time.perf_counter() - tic, steady_seconds(run.history)))
    experiments.load_grid(out_dir / f"seed{seed}", model_classes).write_report()  # figures to look at
    return rows


def format_table(rows) -> str:
    """Markdown table: configuration, seed, best val mIoU(fg), best epoch, per-class IoU, seconds."""
    lines = [
        "| configuration | seed | best mIoU(fg) | best epoch | IoU background | IoU bus | IoU person "
        "| wall s | steady s |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for seed, row, seconds, steady in rows:
        lines.append(
            f"| {row['config']} | {seed} | {row['best_miou_fg']:.3f} | {row['best_epoch']} | "
            f"{row['iou_background']:.3f} | {row['iou_bus']:.3f} | {row['iou_person']:.3f} | "
            f"{seconds:.0f} | {steady:.0f} |"
        )
    return "\n".join(lines)


def skip_gains(rows) -> list:
    """``"seed 0, alexnet: skip - no skip = +0.300"`` lines."""
    best = {(seed, row["config"]): row["best_miou_fg"] for seed, row, _, _ in rows}
    lines = []
    for (seed, name), score in sorted(best.items()):
        if "-skip-" in name and (seed, name.replace("-skip-", "-noskip-")) in best:
            gain = score - best[seed, name.replace("-skip-", "-noskip-")]
            lines.append(f"seed {seed}, {name.split('-')[0]}: skip - no skip = {gain:+.3f} mIoU(fg)")
    return lines


def write_results(path: Path, text: str) -> None:
    """Replace the block between the two markers of the results page with ``text``."""
    page = path.read_text(encoding="utf-8")
    if RESULTS_START not in page or RESULTS_END not in page:
        raise SystemExit(f"{path} has no {RESULTS_START} ... {RESULTS_END} block to replace")
    before, rest = page.split(RESULTS_START, 1)
    after = rest.split(RESULTS_END, 1)[1]
    path.write_text(f"{before}{RESULTS_START}\n{text}\n{RESULTS_END}{after}", encoding="utf-8")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0], help="training seeds (init and shuffle)")
    parser.add_argument("--backbones", nargs="+", default=["alexnet", "vgg16"])
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override one setting of the demo profile (repeatable; not for the results page)",
    )
    parser.add_argument("--threads", type=int, default=2, help="torch threads (the course's 2-core CPU)")
    parser.add_argument("--out", help="keep data and runs here (default: a temporary folder)")
    parser.add_argument(
        "--write-results", type=Path, metavar="RESULTS_MD", help="write the table into this page (solutions/RESULTS.md)"
    )
    options = parser.parse_args(argv)
    overrides = parse_settings(options.set)
    if overrides and options.write_results:
        raise SystemExit("--set changes the profile: its figures do not belong on the results page")

    torch.set_num_threads(options.threads)
    work_dir = Path(options.out or tempfile.mkdtemp(prefix="bench_demo_"))
    os.environ[DATA_ENV] = str(work_dir / "data")  # the synthetic twin is written there
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, results in {work_dir}")
    print(f"demo profile: {PROFILES['demo']}" + (f", overridden by {overrides}" if overrides else ""))
    table = []
    for seed in options.seeds:
        table += [(seed, *entry) for entry in run_seed(seed, options.backbones, overrides, work_dir / "runs")]

    text = [format_table(table), "", *(f"- {line}" for line in skip_gains(table))]
    for seed in options.seeds:
        wall = sum(seconds for s, _, seconds, _ in table if s == seed)
        steady = sum(steady for s, _, _, steady in table if s == seed)
        text.append(f"- seed {seed}: training wall time {wall:.0f} s, epochs x fastest epoch {steady:.0f} s")
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    text.append(
        f"- measured {time.strftime('%Y-%m-%d')} on {platform.processor() or platform.machine()}, "
        f"{os.cpu_count()} cores, torch {torch.__version__}, {options.threads} threads, load average {load}"
    )
    print("\n".join(["", "================ demo profile ================", *text]))
    if options.write_results:
        write_results(options.write_results, "\n".join(text))
        print(f"written to {options.write_results}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

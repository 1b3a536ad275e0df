"""Speed of the reference FCNs compared with a plain FCN-32s on the same backbone.

For each of the 8 configurations of the exercise (AlexNet/VGG16 x skip/no skip x pretrained/scratch)
it measures one training step (forward + loss + backward + Adam step), one inference forward
(no_grad, eval mode) and the parameter count, and divides the training step by the one of a plain,
obvious FCN: `features -> 1x1 conv to the classes -> bilinear upsampling to the input`.
Pretrained weights only change the values of the weights, not the computation, so every model is
built with weights=None (no download) and the pretrained rows repeat the timings of the scratch rows.

    python benchmarks/bench_models.py            # batch 8, 224x224 (the course's setting)
    python benchmarks/bench_models.py --quick    # small size, to check that it runs
"""

import argparse
import os
import sys
import time
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from anywhere

from fcn_course.backbones import load_alexnet, load_vgg16  # noqa: E402
from solutions.fcn_alexnet import FCN_AlexNet  # noqa: E402
from solutions.fcn_vgg16 import FCN_VGG16  # noqa: E402
from solutions.training import compute_loss, make_criterion, make_optimizer  # noqa: E402

MODELS = {"alexnet": (FCN_AlexNet, load_alexnet), "vgg16": (FCN_VGG16, load_vgg16)}


class PlainFCN(nn.Module):
    """The simplest FCN-32s: backbone features -> 1x1 conv to the classes -> bilinear upsampling."""

    def __init__(self, features, num_classes):
        super().__init__()
        self.backbone = features
        channels = [m for m in features.modules() if isinstance(m, nn.Conv2d)][-1].out_channels
        self.classifier = nn.Conv2d(channels, num_classes, kernel_size=1)

    def forward(self, x):
        scores = self.classifier(self.backbone(x))
        return F.interpolate(scores, size=x.shape[-2:], mode="bilinear", align_corners=False)


def make_steps(net, args, images, labels):
    """Two functions running one training step and one inference forward of `net` on one batch."""
    criterion = make_criterion()
    optimizer = make_optimizer(net, args)

    def train_step():
        net.train()
        optimizer.zero_grad()
        loss = compute_loss(net(images), labels, criterion)
        loss.backward()
        optimizer.step()
        synchronize(images.device)

    def inference():
        net.eval()
        with torch.no_grad():
            net(images)
        synchronize(images.device)

    return train_step, inference


def synchronize(device):
    """Wait for the GPU to finish (its calls are asynchronous); nothing to do on the CPU."""
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def time_interleaved(functions, warmup, repeats):
    """Median wall time (s) of each function; the calls alternate so that a busy machine slows all alike."""
    for _ in range(warmup):
        for function in functions:
            function()
    times = [[] for _ in functions]
    for _ in range(repeats):
        for function, function_times in zip(functions, times):
            start = time.perf_counter()
            function()
            function_times.append(time.perf_counter() - start)
    return [sorted(t)[len(t) // 2] for t in times]


def count_flops(function):
    """Floating-point operations of convolutions and matrix products in one call (independent of machine load)."""
    with FlopCounterMode(display=False) as counter:
        function()
    return counter.get_total_flops()


def count_parameters(net):
    return sum(p.numel() for p in net.parameters())


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=224, help="image height and width (default 224)")
    parser.add_argument("--batch", type=int, default=8, help="batch size (default 8)")
    parser.add_argument("--classes", type=int, default=3, help="number of classes (default 3)")
    parser.add_argument("--repeats", type=int, default=3, help="timed repetitions (default 3, median)")
    parser.add_argument("--warmup", type=int, default=1, help="untimed warm-up repetitions (default 1)")
    parser.add_argument("--models", default="alexnet,vgg16", help="comma-separated: alexnet,vgg16")
    parser.add_argument("--threads", type=int, default=os.cpu_count(), help="torch threads (default: all cores)")
    parser.add_argument("--device", default="cpu", help="cpu or cuda (default cpu)")
    parser.add_argument("--quick", action="store_true", help="size 64, batch 2, 1 repetition: checks that it runs")
    options = parser.parse_args(argv)
    if options.quick:
        options.size, options.batch, options.repeats, options.warmup = 64, 2, 1, 1

    torch.manual_seed(0)
    torch.set_num_threads(options.threads)
    device = torch.device(options.device)
    images = torch.randn(options.batch, 3, options.size, options.size, device=device)
    labels = torch.randint(0, options.classes, (options.batch, options.size, options.size), device=device)
    labels[:, :4] = 255  # a few void pixels, as in VOC

    print(
        f"batch {options.batch}, {options.size}x{options.size}, {options.classes} classes, "
        f"{torch.get_num_threads()} threads, torch {torch.__version__}, "
        f"{options.device}, median of {options.repeats} after {options.warmup} warm-up, "
        f"load average {os.getloadavg()[0]:.1f} (other processes slow the timings down)"
    )
    base_args = {"pretrained": False, "lr": 1e-4, "weight_decay": 5e-4, "momentum": 0.9}
    header = (
        f"{'model':8} {'skip':5} {'weights':10} {'params':>8} {'train s':>8} {'infer s':>8} "
        f"{'plain train s':>13} {'ratio':>6} {'FLOP ratio':>10}"
    )
    print(header)
    print("-" * len(header))

    for name in options.models.split(","):
        fcn_class, load_backbone = MODELS[name]
        plain = PlainFCN(load_backbone(pretrained=False).features, options.classes).to(device)
        plain_train, _ = make_steps(plain, dict(base_args, skip=False), images, labels)
        plain_flops = count_flops(plain_train)

        for skip in (False, "8s", "16s"):
            net = fcn_class(options.classes, pretrained=False, skip=skip).to(device)
            train_step, inference = make_steps(net, dict(base_args, skip=skip), images, labels)
            plain_time, train_time, infer_time = time_interleaved(
                [plain_train, train_step, inference], options.warmup, options.repeats
            )
            flops_ratio = count_flops(train_step) / plain_flops
            params = f"{count_parameters(net) / 1e6:.2f}M"
            for weights in ("scratch", "pretrained"):
                if skip == "16s" and weights == "pretrained":
                    continue  # extra row: the exercise's grid uses skip=True, i.e. "8s"
                print(
                    f"{name:8} {str(skip):5} {weights:10} {params:>8} {train_time:8.3f} {infer_time:8.3f} "
                    f"{plain_time:13.3f} {train_time / plain_time:5.2f}x {flops_ratio:9.3f}x",
                    flush=True,
                )
    print("skip 8s = skip=True. 'pretrained' rows repeat the 'scratch' timings: same computation, other weights.")
    print("ratio = train step / train step of the plain FCN-32s (features -> 1x1 conv -> bilinear upsampling),")
    print("both timed alternately on the same batch; FLOP ratio: the same for the conv/matmul operations counted")
    print("by torch.utils.flop_counter (interpolation, concatenation and activations are not counted).")
    print(f"Load average at the end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()

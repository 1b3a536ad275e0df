"""The shape of the house: imports point one way, no import circles, and a new backbone is one registry entry.

Student package = ``fcn_course/`` without ``fcn_course/instructor/``. It must never import the reference
solutions (``solutions``) nor the instructor tooling, and its modules must not import each other in a circle
(function-level imports included: they hide the real graph but still form it).
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from fcn_course import backbones, checks, engine, experiments, runs
from fcn_course.config import course_args
from fcn_course.predict import load_model_from_checkpoint, predict_image

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "fcn_course"
LONG_MODULE_LINES = 500
LONG_MODULE_REASON = "Why this module is long"


def student_modules() -> dict:
    """``{"fcn_course.data": path, ...}`` for every module of the student package."""
    modules = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        if parts[:2] == ("fcn_course", "instructor"):
            continue
        modules[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return modules


def imported_names(path: Path) -> set:
    """Every module name ``path`` imports, at any depth (inside functions too)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def test_student_package_never_imports_solutions_or_the_instructor_wing():
    offenders = {name: sorted(imported for imported in imported_names(path)
                              if imported.split(".")[0] == "solutions" or imported.startswith("fcn_course.instructor"))
                 for name, path in student_modules().items()}
    assert {name: found for name, found in offenders.items() if found} == {}


def test_student_package_has_no_import_cycle():
    modules = student_modules()
    graph = {name: {imported for imported in imported_names(path) if imported in modules and imported != name}
             for name, path in modules.items()}
    graph = {name: edges - {"fcn_course"} for name, edges in graph.items()}  # the package __init__ is empty
    assert "fcn_course.checks.models" in graph and "fcn_course.instructor.grade" not in graph

    def cycle_from(start, node, seen):
        for neighbour in graph[node]:
            if neighbour == start:
                return seen + [neighbour]
            if neighbour not in seen:
                found = cycle_from(start, neighbour, seen + [neighbour])
                if found:
                    return found
        return None

    cycles = [cycle for name in graph if (cycle := cycle_from(name, name, [name]))]
    assert cycles == [], " -> ".join(cycles[0])


def test_long_modules_say_why():
    for name, path in student_modules().items():
        source = path.read_text(encoding="utf-8")
        if source.count("\n") > LONG_MODULE_LINES:
            assert LONG_MODULE_REASON in (ast.get_docstring(ast.parse(source)) or ""), name


def test_the_import_check_would_see_a_hidden_import(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("def f():\n    from solutions.fcn_alexnet import FCN_AlexNet\n    import fcn_course.instructor.grade\n")
    assert {"solutions.fcn_alexnet", "fcn_course.instructor.grade"} <= imported_names(sample)


# --------------------------------------------------------------------------------------------------
# A new backbone is one registry entry: checks, training, predict and the grid take it as it is.
# --------------------------------------------------------------------------------------------------
def build_tinynet(weights=None):
    """A tiny classification-style network with `.features` (strides 8, 16, 32), like torchvision's."""
    model = nn.Module()
    model.features = nn.Sequential(
        nn.Conv2d(3, 8, 3, stride=2, padding=1), nn.ReLU(inplace=True), nn.MaxPool2d(2),  # 1/4
        nn.Conv2d(8, 8, 3, padding=1), nn.ReLU(inplace=True), nn.MaxPool2d(2),            # 1/8  (end 6)
        nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(inplace=True), nn.MaxPool2d(2),           # 1/16 (end 9)
        nn.Conv2d(16, 16, 3, padding=1), nn.ReLU(inplace=True), nn.MaxPool2d(2),          # 1/32
    )
    return model


TINYNET = backbones.Backbone(
    name="tinynet", display_name="TinyNet", build=build_tinynet, cuts={8: 6, 16: 9},
    channels={8: 8, 16: 16, 32: 16}, min_input_size=32, class_name="FCN_TinyNet", loader_name="load_tinynet",
    check_sizes=((64, 64), (97, 131)))


class FCN_TinyNet(nn.Module):
    """An FCN written for the extra backbone exactly as students write theirs, reading only the registry."""

    def __init__(self, num_classes, pretrained=False, skip=False):
        super().__init__()
        spec = backbones.get_backbone("tinynet")
        features = backbones.load_backbone("tinynet", pretrained).features
        self.skip = "8s" if skip is True else skip
        if self.skip:
            stride = 8 if self.skip == "8s" else 16
            self.backbone1, self.backbone2 = features[:spec.cuts[stride]], features[spec.cuts[stride]:]
            channels = spec.channels[stride] + spec.channels[32]
        else:
            self.backbone, channels = features, spec.channels[32]
        self.classifier = nn.Sequential(nn.Conv2d(channels, 16, 1), nn.ReLU(inplace=True),
                                        nn.Conv2d(16, num_classes, 1))
        if not pretrained:
            backbones.initialize_weights(self)

    def forward(self, x):
        size = x.shape[-2:]
        if self.skip:
            shallow = self.backbone1(x)
            deep = F.interpolate(self.backbone2(shallow), size=shallow.shape[-2:], mode="bilinear",
                                 align_corners=False)
            scores = self.classifier(torch.cat([shallow, deep], dim=1))
        else:
            scores = self.classifier(self.backbone(x))
        return F.interpolate(scores, size=size, mode="bilinear", align_corners=False)


def make_optimizer(net, args):
    return torch.optim.Adam(net.parameters(), lr=args["lr"], betas=(args["momentum"], 0.999),
                            weight_decay=args["weight_decay"])


def compute_loss(outputs, labels, criterion):
    return criterion(outputs.permute(0, 2, 3, 1).reshape(-1, outputs.shape[1]), labels.reshape(-1))


@pytest.fixture
def tinynet_registered(monkeypatch):
    monkeypatch.setitem(backbones.BACKBONES, "tinynet", TINYNET)


@pytest.mark.slow
def test_an_extra_backbone_goes_through_check_training_predict_and_grid(tinynet_registered, synthetic_voc_root,
                                                                        tmp_path):
    # the self-check recognises the class from the registry and checks it like the course's FCNs
    for skip in (False, True):
        result = checks.check_fcn(FCN_TinyNet, skip=skip, verbose=False)
        assert result.passed, result.messages
        assert "TinyNet" in result.exercise

    # a short training records the backbone in the run folder, read back by predict
    args = course_args(root=synthetic_voc_root, epoch_num=1, h_size=64, w_size=64, batch_size=4, max_samples=4,
                       num_workers=0, device=torch.device("cpu"), pretrained=False, skip=True, lr=1e-3)
    from fcn_course.data import make_loaders

    train_loader, val_loader = make_loaders(args)
    net = FCN_TinyNet(3, skip=True)
    criterion = nn.CrossEntropyLoss(ignore_index=255)
    run_dir = tmp_path / "tiny-run"
    engine.fit(net, train_loader, val_loader, lambda o, t: compute_loss(o, t, criterion), make_optimizer(net, args),
               args, run_dir=run_dir, progress=False)
    assert runs.read_run_config(run_dir)["backbone"] == "tinynet"
    model = load_model_from_checkpoint(runs.checkpoint_path(run_dir, "best"), {"tinynet": FCN_TinyNet})
    label, _ = predict_image(model, next(iter(sorted((synthetic_voc_root / "VOCdevkit" / "VOC2012" /
                                                        "JPEGImages").glob("*.jpg")))))
    assert label.ndim == 2

    # and a one-run grid
    grid = experiments.run_grid({"tinynet": FCN_TinyNet}, make_optimizer, compute_loss, criterion, args,
                                tmp_path / "grid", backbones=("tinynet",), skips=(False,), pretrained=(False,),
                                progress=False)
    assert [run.status for run in grid.runs] == ["done"]
    assert grid.rows()[0]["config"] == "tinynet-noskip-scratch"
    assert (grid.write_report()["qualitative.png"]).is_file()


def test_pretrained_weights_of_a_backbone_without_them_are_refused(tinynet_registered):
    with pytest.raises(backbones.PretrainedWeightsError, match="pretrained=False"):
        FCN_TinyNet(3, pretrained=True)

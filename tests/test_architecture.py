"""The shape of the house: the README's layer picture holds, no import circles, and a new backbone is one
registry entry.

The README ("How the code fits together") draws the code as rows, from the bottom up. :data:`LAYERS` is that
picture as data: a module may import modules of its own row and of the rows below it, never of a row above
(``plots`` importing ``engine`` fails). Every import counts: function-level ones, relative ones
(``from ..engine import fit``) and string ones (``importlib.import_module("solutions.fcn_alexnet")``,
``__import__(...)``). The student package (``fcn_course/`` without ``fcn_course/instructor/``) also ships no
path of ``solutions/`` or of the instructor wing as data: the instructor wing owns that knowledge.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from fcn_course import backbones, checks, engine, experiments, runs
from helpers import tiny_features
from fcn_course.config import course_args
from fcn_course.predict import load_model_from_checkpoint, predict_image

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
LONG_MODULE_LINES = 500
LONG_MODULE_REASON = "Why this module is long"

# The README's picture, bottom row first. An entry covers a module or a package with everything inside it.
LAYERS = (
    (
        "fcn_course",
        "fcn_course.config",
        "fcn_course.profiles",
        "fcn_course.environment",
        "fcn_course.files",
        "fcn_course.voc",
        "fcn_course.outline",
        "fcn_course.messages",
        "fcn_course.definitions",
        "fcn_course.colab",
    ),
    ("fcn_course.data", "fcn_course.download", "fcn_course.synthetic"),
    ("fcn_course.runs", "fcn_course.plots", "fcn_course.metrics", "fcn_course.backbones"),
    ("fcn_course.engine",),
    (
        "fcn_course.checks",
        "fcn_course.experiments",
        "fcn_course.report",
        "fcn_course.widgets",
        "fcn_course.quiz",
        "fcn_course.predict",
        "fcn_course.__main__",
    ),
    ("solutions",),
    ("fcn_course.instructor",),
    ("scripts", "benchmarks"),
)
WING = ("solutions", "fcn_course.instructor")  # what the student package must never reach
# A path of solutions/ or of the instructor wing, written as a string: "solutions.fcn_alexnet", "solutions/x.py".
WING_PATH = re.compile(r"(solutions|fcn_course[./]instructor)\b[\w./*-]*")
IMPORT_FUNCTIONS = {"import_module", "__import__"}  # importlib.import_module("x"), __import__("x")


# --------------------------------------------------------------------------------------------------
# Reading the code: modules, what each imports, which row it sits in
# --------------------------------------------------------------------------------------------------
def module_files(root: Path = ROOT) -> dict:
    """``{"fcn_course.data": path, "solutions.training": path, "scripts.train": path, ...}``.

    The whole ``fcn_course`` package (instructor wing included), the modules of ``solutions/`` (not its
    notebooks, which sit on top of everything), ``scripts/`` and ``benchmarks/``.
    """
    paths = sorted((root / "fcn_course").rglob("*.py"))
    for folder in ("solutions", "scripts", "benchmarks"):
        paths += sorted((root / folder).glob("*.py"))
    modules = {}
    for path in paths:
        parts = path.relative_to(root).with_suffix("").parts
        modules[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return modules


def _package_of(name: str, path: Path) -> str:
    """The package a relative import in module ``name`` starts from."""
    return name if path.name == "__init__.py" else name.rpartition(".")[0]


def _relative_base(name: str, path: Path, level: int) -> str:
    """``from ..x import y`` in ``fcn_course.plots.labels``: level 2 -> ``fcn_course``."""
    package = _package_of(name, path).split(".")
    return ".".join(package[: len(package) - (level - 1)])


def _string_import(node: ast.Call, name: str):
    """The module an ``import_module("...")``/``__import__("...")`` call names, as far as it is written.

    ``f"{__name__}.{language}"`` gives this module's name; ``f"solutions.fcn_{name}"`` gives ``solutions``
    (the part before the first unknown); a name computed elsewhere gives None.
    """
    called = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", None)
    if called not in IMPORT_FUNCTIONS or not node.args:
        return None
    argument = node.args[0]
    if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
        return argument.value
    if not isinstance(argument, ast.JoinedStr):
        return None
    written = ""
    for part in argument.values:
        if isinstance(part, ast.Constant):
            written += part.value
        elif isinstance(part.value, ast.Name) and part.value.id == "__name__":
            written += name
        else:
            return written.rpartition(".")[0] or None  # the complete dotted part before the unknown
    return written


def imported_names(path: Path, name: str = "sample") -> set:
    """Every module name ``path`` imports, at any depth (inside functions too), relative and string imports
    resolved; ``from a import b`` gives both ``a`` and ``a.b`` (b may be a module or a name in a)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = _relative_base(name, path, node.level) if node.level else ""
            module = ".".join(part for part in (base, node.module) if part)
            names.add(module)
            names.update(f"{module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Call):
            found = _string_import(node, name)
            if found:
                names.add(found)
    return names


def known_module(imported: str, modules) -> str | None:
    """The module of ``modules`` that ``imported`` loads: itself, or the module that defines the name."""
    while imported:
        if imported in modules:
            return imported
        imported = imported.rpartition(".")[0]
    return None


def imports_of(name: str, path: Path, modules) -> set:
    """The modules of this repository that module ``name`` imports (itself and its own packages left out)."""
    found = {known_module(imported, modules) for imported in imported_names(path, name)}
    return {module for module in found if module and module != name and not name.startswith(module + ".")}


def layer_of(module: str):
    """The row of ``module`` in :data:`LAYERS` (0 = bottom), None when no row holds it."""
    for number, row in enumerate(LAYERS):
        for entry in row:
            if module == entry or (entry != "fcn_course" and module.startswith(entry + ".")):
                return number
    return None


def upward_imports(modules: dict) -> list:
    """``["fcn_course.plots imports fcn_course.engine (a higher row)", ...]``: the imports the picture forbids."""
    found = []
    for name, path in modules.items():
        for imported in sorted(imports_of(name, path, modules)):
            if layer_of(name) is not None and layer_of(imported) is not None and layer_of(imported) > layer_of(name):
                found.append(f"{name} imports {imported} (a higher row)")
    return found


def student_modules(modules: dict) -> dict:
    """The student package: ``fcn_course`` without its instructor wing (what the release ships)."""
    return {
        name: path
        for name, path in modules.items()
        if name.split(".")[0] == "fcn_course" and not (name + ".").startswith("fcn_course.instructor.")
    }


def import_cycles(modules: dict) -> list:
    """Every import circle among ``modules``, each as ``[a, b, ..., a]``."""
    graph = {name: imports_of(name, path, modules) for name, path in modules.items()}

    def cycle_from(start, node, seen):
        for neighbour in sorted(graph[node]):
            if neighbour == start:
                return seen + [neighbour]
            if neighbour not in seen:
                found = cycle_from(start, neighbour, seen + [neighbour])
                if found:
                    return found
        return None

    return [cycle for name in graph if (cycle := cycle_from(name, name, [name]))]


def _docstrings(tree) -> set:
    """The ids of the docstring nodes of a module and its functions and classes (prose, not data)."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                found.add(id(first.value))
    return found


def wing_paths_in(path: Path) -> list:
    """Strings of ``path``'s code (docstrings left out) that are a path of ``solutions/`` or of the wing.

    A whole string counts (``"solutions.fcn_alexnet"``, ``"solutions"``), and so does the written start of an
    f-string (``f"solutions.fcn_{name}"``); a sentence that mentions the wing (``"run: python -m
    fcn_course.instructor build"``) is prose for people, not data.
    """
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped = _docstrings(tree)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            skipped.update(id(part) for part in node.values)  # judged here, as a whole, not part by part
            start = node.values[0].value if node.values and isinstance(node.values[0], ast.Constant) else ""
            if WING_PATH.fullmatch(start.strip()):
                found.append((node.lineno, f"{path.name}:{node.lineno}: f{start!r}..."))
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skipped:
            if WING_PATH.fullmatch(node.value.strip()):
                found.append((node.lineno, f"{path.name}:{node.lineno}: {node.value!r}"))
    return [hit for _, hit in sorted(found)]


# --------------------------------------------------------------------------------------------------
# The picture holds for the real code
# --------------------------------------------------------------------------------------------------
def test_every_module_has_a_row_in_the_layer_table():
    modules = module_files()
    assert "fcn_course.checks.models" in modules and "fcn_course.instructor.grade" in modules
    assert "solutions.fcn_alexnet" in modules and "scripts.train" in modules
    homeless = [name for name in modules if layer_of(name) is None]
    assert homeless == [], (
        f"{homeless}: give each a row in LAYERS (tests/test_architecture.py) and in the "
        "README's picture (How the code fits together)"
    )


def test_no_module_imports_from_a_higher_row():
    assert upward_imports(module_files()) == []


def test_student_package_never_imports_solutions_or_the_instructor_wing():
    modules = module_files()
    offenders = {
        name: sorted(
            imported
            for imported in imports_of(name, path, modules)
            if any(imported == wing or imported.startswith(wing + ".") for wing in WING)
        )
        for name, path in student_modules(modules).items()
    }
    assert {name: found for name, found in offenders.items() if found} == {}


def test_student_package_ships_no_path_of_solutions_or_of_the_instructor_wing():
    found = [hit for path in student_modules(module_files()).values() for hit in wing_paths_in(path)]
    assert found == [], "the instructor wing owns these (e.g. fcn_course/instructor/reference.py)"


def test_no_import_cycle_in_the_package_the_wing_solutions_and_scripts():
    cycles = import_cycles(module_files())
    assert cycles == [], " -> ".join(cycles[0])


def test_long_modules_say_why():
    for name, path in student_modules(module_files()).items():
        source = path.read_text(encoding="utf-8")
        if source.count("\n") > LONG_MODULE_LINES:
            assert LONG_MODULE_REASON in (ast.get_docstring(ast.parse(source)) or ""), name


# One spelling for public names: American ("color", "normalize"). An old British name may stay as an alias of
# the American one (``colour_label = color_label``), for notebooks and students that use it.
BRITISH = {
    "colour": "color",
    "normalis": "normaliz",
    "initialis": "initializ",
    "visualis": "visualiz",
    "optimis": "optimiz",
    "organis": "organiz",
    "recognis": "recogniz",
    "summaris": "summariz",
    "centre": "center",
    "grey": "gray",
    "behaviour": "behavior",
    "favour": "favor",
}
# Renamed by the work on the run folder (issue 19, item 2), which rewrites that module.
SPELLING_PENDING = {"fcn_course.runs": {"normalise_skip"}}


def _american(name: str) -> str:
    """``colour_label`` -> ``color_label``, ``MEAN_COLOUR`` -> ``MEAN_COLOR``, ``ColourMap`` -> ``ColorMap``."""

    def swap(found):
        british = found.group(0)
        american = BRITISH[british.lower()]
        return american.upper() if british.isupper() else american.capitalize() if british[0].isupper() else american

    return re.sub("|".join(BRITISH), swap, name, flags=re.IGNORECASE)


def public_names(path: Path) -> dict:
    """``{name: the name it is an alias of, or None}`` for the module-level public names of ``path``."""
    names = {}
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names[node.name] = None
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            alias_of = node.value.id if isinstance(node.value, ast.Name) else None
            names.update({target.id: alias_of for target in targets if isinstance(target, ast.Name)})
    return {name: alias_of for name, alias_of in names.items() if not name.startswith("_")}


def british_names(path: Path, pending=frozenset()) -> list:
    """Public names spelled the British way that are not an alias of their American spelling."""
    found = []
    for name, alias_of in public_names(path).items():
        if _american(name) != name and alias_of != _american(name) and name not in pending:
            found.append(f"{name} (call it {_american(name)}; keep {name} = {_american(name)} if notebooks use it)")
    return found


def test_public_names_are_spelled_the_american_way():
    found = {
        name: hits
        for name, path in student_modules(module_files()).items()
        if (hits := british_names(path, SPELLING_PENDING.get(name, frozenset())))
    }
    assert found == {}


def test_the_spelling_check_would_see_a_british_name(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text(
        "def colour_label(x):\n    pass\ndef color_map():\n    pass\nMEAN_COLOUR = 1\n"
        "def normalize_image(x):\n    pass\nnormalise_image = normalize_image\n"
        "def _grey():\n    pass\nclass ColourMap:\n    pass\n"
    )
    assert british_names(sample) == [
        "colour_label (call it color_label; keep colour_label = color_label if notebooks use it)",
        "MEAN_COLOUR (call it MEAN_COLOR; keep MEAN_COLOUR = MEAN_COLOR if notebooks use it)",
        "ColourMap (call it ColorMap; keep ColourMap = ColorMap if notebooks use it)",
    ]


def readme_rows() -> list:
    """The README's picture as rows of module names, bottom row first (same spelling as :data:`LAYERS`)."""
    section = README.read_text(encoding="utf-8").split("## How the code fits together", 1)[1]
    picture = section.split("```", 2)[1].splitlines()[1:]
    rows = []
    for line in picture:
        names_column = re.split(r"\s{4,}", line.strip())[0]
        if line.startswith("notebooks/") or names_column.startswith("fcn_course/ ("):
            continue  # the notebooks on top (not modules), the heading of the student package
        rows.append(tuple(_readme_module(token) for token in names_column.split()))
    return rows[::-1]


def _readme_module(token: str) -> str:
    """``checks/`` -> ``fcn_course.checks``, ``solutions/*.py`` -> ``solutions``, ``scripts/`` -> ``scripts``."""
    name = token.removesuffix("/*.py").strip("/").replace("/", ".")
    return name if name.split(".")[0] in ("fcn_course", "solutions", "scripts", "benchmarks") else f"fcn_course.{name}"


def test_the_readme_draws_the_same_rows():
    expected = [tuple(sorted(set(row) - {"fcn_course"})) for row in LAYERS]
    assert [tuple(sorted(row)) for row in readme_rows()] == expected


# --------------------------------------------------------------------------------------------------
# The checks above would see what they look for
# --------------------------------------------------------------------------------------------------
def _tiny_repository(root: Path, files: dict) -> dict:
    for relative, source in files.items():
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_text(source)
    return module_files(root)


def test_the_import_check_would_see_a_hidden_import(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text(
        "def f():\n    from solutions.fcn_alexnet import FCN_AlexNet\n    import fcn_course.instructor.grade\n"
    )
    assert {"solutions.fcn_alexnet", "fcn_course.instructor.grade"} <= imported_names(sample)


def test_an_import_from_a_higher_row_fails(tmp_path):
    modules = _tiny_repository(
        tmp_path,
        {
            "fcn_course/__init__.py": "",
            "fcn_course/engine.py": "from fcn_course import plots\n",
            "fcn_course/plots.py": "def f():\n    from fcn_course.engine import fit\n",
        },
    )
    assert upward_imports(modules) == ["fcn_course.plots imports fcn_course.engine (a higher row)"]


def test_relative_imports_are_resolved(tmp_path):
    modules = _tiny_repository(
        tmp_path,
        {
            "fcn_course/__init__.py": "",
            "fcn_course/engine.py": "",
            "fcn_course/plots/__init__.py": "from . import labels\nfrom .labels import colorize\n",
            "fcn_course/plots/labels.py": "from ..engine import fit\nfrom .. import voc\n",
            "fcn_course/voc.py": "",
        },
    )
    assert imports_of("fcn_course.plots", modules["fcn_course.plots"], modules) == {"fcn_course.plots.labels"}
    assert imports_of("fcn_course.plots.labels", modules["fcn_course.plots.labels"], modules) == {
        "fcn_course.engine",
        "fcn_course.voc",
    }
    assert upward_imports(modules) == ["fcn_course.plots.labels imports fcn_course.engine (a higher row)"]


def test_string_imports_are_resolved(tmp_path):
    modules = _tiny_repository(
        tmp_path,
        {
            "fcn_course/__init__.py": "",
            "fcn_course/backbones.py": (
                "import importlib\n"
                "def reference(name):\n"
                "    return importlib.import_module('solutions.fcn_alexnet'), __import__(f'solutions.fcn_{name}')\n"
            ),
            "fcn_course/messages/__init__.py": "import importlib\nimportlib.import_module(f'{__name__}.{language}')\n",
            "solutions/__init__.py": "",
            "solutions/fcn_alexnet.py": "",
        },
    )
    assert imported_names(modules["fcn_course.backbones"], "fcn_course.backbones") >= {
        "solutions.fcn_alexnet",
        "solutions",
    }
    assert upward_imports(modules) == [
        "fcn_course.backbones imports solutions (a higher row)",
        "fcn_course.backbones imports solutions.fcn_alexnet (a higher row)",
    ]
    assert imports_of("fcn_course.messages", modules["fcn_course.messages"], modules) == set()


def test_a_cycle_through_the_instructor_wing_is_found(tmp_path):
    modules = _tiny_repository(
        tmp_path,
        {
            "fcn_course/__init__.py": "",
            "fcn_course/instructor/__init__.py": "",
            "fcn_course/instructor/build.py": "from fcn_course.instructor import grade\n",
            "fcn_course/instructor/grade.py": "def f():\n    from .build import build\n",
        },
    )
    assert import_cycles(modules)[0] == [
        "fcn_course.instructor.build",
        "fcn_course.instructor.grade",
        "fcn_course.instructor.build",
    ]


def test_a_path_of_solutions_shipped_as_data_is_found(tmp_path):
    sample = tmp_path / "backbones.py"
    sample.write_text(
        '"""Docstrings may say solutions.fcn_alexnet."""\n'
        'ALEXNET = dict(solution_module="solutions.fcn_alexnet")\n'
        'WING = "fcn_course.instructor"\n'
        'def f(name):\n    return f"solutions.fcn_{name}", "python -m fcn_course.instructor build"\n'
    )
    assert wing_paths_in(sample) == [
        "backbones.py:2: 'solutions.fcn_alexnet'",
        "backbones.py:3: 'fcn_course.instructor'",
        "backbones.py:5: f'solutions.fcn_'...",
    ]


# --------------------------------------------------------------------------------------------------
# A new backbone is one registry entry: checks, training, predict and the grid take it as it is.
# --------------------------------------------------------------------------------------------------
def build_tinynet(weights=None):
    """A tiny backbone (``tests/helpers.tiny_features``) ending with 16 channels."""
    return tiny_features(16, weights)


TINYNET = backbones.Backbone(
    name="tinynet",
    display_name="TinyNet",
    build=build_tinynet,
    cuts={8: 6, 16: 9},
    channels={8: 8, 16: 16, 32: 16},
    min_input_size=32,
    class_name="FCN_TinyNet",
    loader_name="load_tinynet",
    check_sizes=((64, 64), (97, 131)),
)


class FCN_TinyNet(nn.Module):
    """An FCN written for the extra backbone exactly as students write theirs, reading only the registry."""

    def __init__(self, num_classes, pretrained=False, skip=False):
        super().__init__()
        spec = backbones.get_backbone("tinynet")
        features = backbones.load_backbone("tinynet", pretrained).features
        self.skip = "8s" if skip is True else skip
        if self.skip:
            stride = 8 if self.skip == "8s" else 16
            self.backbone1, self.backbone2 = features[: spec.cuts[stride]], features[spec.cuts[stride] :]
            channels = spec.channels[stride] + spec.channels[32]
        else:
            self.backbone, channels = features, spec.channels[32]
        self.classifier = nn.Sequential(
            nn.Conv2d(channels, 16, 1), nn.ReLU(inplace=True), nn.Conv2d(16, num_classes, 1)
        )
        if not pretrained:
            backbones.initialize_weights(self)

    def forward(self, x):
        size = x.shape[-2:]
        if self.skip:
            shallow = self.backbone1(x)
            deep = F.interpolate(self.backbone2(shallow), size=shallow.shape[-2:], mode="bilinear", align_corners=False)
            scores = self.classifier(torch.cat([shallow, deep], dim=1))
        else:
            scores = self.classifier(self.backbone(x))
        return F.interpolate(scores, size=size, mode="bilinear", align_corners=False)


def make_optimizer(net, args):
    return torch.optim.Adam(
        net.parameters(), lr=args["lr"], betas=(args["momentum"], 0.999), weight_decay=args["weight_decay"]
    )


def compute_loss(outputs, labels, criterion):
    return criterion(outputs.permute(0, 2, 3, 1).reshape(-1, outputs.shape[1]), labels.reshape(-1))


@pytest.fixture
def tinynet_registered(monkeypatch):
    monkeypatch.setitem(backbones.BACKBONES, "tinynet", TINYNET)


@pytest.mark.slow
def test_an_extra_backbone_goes_through_check_training_predict_and_grid(
    tinynet_registered, synthetic_voc_root, tmp_path
):
    # the self-check recognises the class from the registry and checks it like the course's FCNs
    for skip in (False, True):
        result = checks.check_fcn(FCN_TinyNet, skip=skip, verbose=False)
        assert result.passed, result.messages
        assert "TinyNet" in result.exercise

    # a short training records the backbone in the run folder, read back by predict
    args = course_args(
        root=synthetic_voc_root,
        epoch_num=1,
        h_size=64,
        w_size=64,
        batch_size=4,
        max_samples=4,
        num_workers=0,
        device=torch.device("cpu"),
        pretrained=False,
        skip=True,
        lr=1e-3,
    )
    from fcn_course.data import make_loaders

    train_loader, val_loader = make_loaders(args)
    net = FCN_TinyNet(3, skip=True)
    criterion = nn.CrossEntropyLoss(ignore_index=255)
    run_dir = tmp_path / "tiny-run"
    engine.fit(
        net,
        train_loader,
        val_loader,
        lambda o, t: compute_loss(o, t, criterion),
        make_optimizer(net, args),
        args,
        run_dir=run_dir,
        progress=False,
    )
    assert runs.read_run_config(run_dir)["backbone"] == "tinynet"
    model = load_model_from_checkpoint(runs.checkpoint_path(run_dir, "best"), {"tinynet": FCN_TinyNet})
    label, _ = predict_image(
        model, next(iter(sorted((synthetic_voc_root / "VOCdevkit" / "VOC2012" / "JPEGImages").glob("*.jpg"))))
    )
    assert label.ndim == 2

    # and a one-run grid
    grid = experiments.run_grid(
        {"tinynet": FCN_TinyNet},
        make_optimizer,
        compute_loss,
        criterion,
        args,
        tmp_path / "grid",
        backbones=("tinynet",),
        skips=(False,),
        pretrained=(False,),
        progress=False,
    )
    assert [run.status for run in grid.runs] == ["done"]
    assert grid.rows()[0]["config"] == "tinynet-noskip-scratch"
    assert (grid.write_report()["qualitative.png"]).is_file()


def test_pretrained_weights_of_a_backbone_without_them_are_refused(tinynet_registered):
    with pytest.raises(backbones.PretrainedWeightsError, match="pretrained=False"):
        FCN_TinyNet(3, pretrained=True)

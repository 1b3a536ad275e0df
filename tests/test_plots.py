"""Headless tests of fcn_course.plots: every helper draws a figure with the expected panels."""

import io
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # no display needed

import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
import torchvision  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from fcn_course import plots  # noqa: E402
from fcn_course.data import VOCSubset  # noqa: E402
from fcn_course.engine import History  # noqa: E402
from fcn_course.experiments import RunResult  # noqa: E402
from helpers import raised_in_each_language  # noqa: E402

CLASSES = ("background", "bus", "person")
BUS, PERSON, VOID_COLOUR = (0, 128, 128), (192, 128, 128), (224, 224, 192)


def check_figure(figure, n_axes):
    """The figure has the expected panels and renders to PNG."""
    assert isinstance(figure, Figure)
    assert len(figure.axes) == n_axes
    png = io.BytesIO()
    figure.savefig(png, format="png", dpi=40)
    assert png.getvalue().startswith(b"\x89PNG")


def test_colorize_uses_voc_colours_of_the_chosen_classes():
    label = np.array([[0, 1], [2, 255]])
    rgb = plots.colorize(label, CLASSES)
    assert rgb.dtype == np.uint8 and rgb.shape == (2, 2, 3)
    assert tuple(rgb[0, 0]) == (0, 0, 0)
    assert tuple(rgb[0, 1]) == BUS  # index 1 of the subset is drawn with VOC's bus colour
    assert tuple(rgb[1, 0]) == PERSON
    assert tuple(rgb[1, 1]) == VOID_COLOUR


def test_colorize_with_voc_indices_and_tensors():
    label = torch.tensor([[6, 15], [255, 0]])  # original VOC indices
    rgb = plots.colorize(label)
    assert tuple(rgb[0, 0]) == BUS and tuple(rgb[0, 1]) == PERSON and tuple(rgb[1, 0]) == VOID_COLOUR


def test_colorize_rejects_unknown_indices():
    with pytest.raises(ValueError, match="fora de 0..2"):
        plots.colorize(np.array([[0, 5]]), CLASSES)


def test_show_samples(synthetic_voc_root):
    dataset = VOCSubset(synthetic_voc_root, "val", classes=CLASSES, size=(64, 80), verbose=False)
    figure = plots.show_samples(dataset, n=2)
    check_figure(figure, 2 * 3)
    assert [ax.get_title() for ax in figure.axes[:3]] == ["Imagem", "Rótulo", "Sobreposição"]
    legend = figure.axes[2].get_legend()
    assert [text.get_text() for text in legend.get_texts()] == ["fundo", "ônibus", "pessoa", "void (ignorado)"]


def test_show_predictions_with_scores_and_indices():
    torch.manual_seed(0)
    images = torch.randn(5, 3, 32, 40)
    labels = torch.randint(0, 3, (5, 32, 40))
    labels[:, 0] = 255
    check_figure(plots.show_predictions(images, torch.randn(5, 3, 32, 40), labels, CLASSES, title="época 1"), 4 * 3)
    check_figure(plots.show_predictions(images, labels.clamp(max=2), labels, CLASSES, max_items=2), 2 * 3)
    # the engine passes the names as class_names=...
    check_figure(plots.show_predictions(images[:1], labels[:1].clamp(max=2), labels[:1], class_names=CLASSES), 3)


def test_plot_history():
    history = {
        "train": [
            {"epoch": e, "loss_mean": 1 / e, "loss_std": 0.1, "miou_fg": 0.1 * e, "miou": 0.2} for e in (1, 2, 3)
        ],
        "val": [{"epoch": e, "loss_mean": 1.1 / e, "loss_std": 0.2, "miou_fg": None, "miou": 0.1} for e in (1, 2, 3)],
    }
    figure = plots.plot_history(history)
    check_figure(figure, 2)
    loss_axes = figure.axes[0]
    assert len(loss_axes.lines) == 2 and len(loss_axes.collections) == 2  # two curves, two ±std bands
    check_figure(plots.plot_history({"train": history["train"]}, keys="miou"), 1)


def test_plot_history_rejects_per_class_lists():
    history = {"train": [{"epoch": 1, "iou": [0.1, 0.2]}], "val": []}
    with pytest.raises(ValueError, match="escalar"):
        plots.plot_history(history, keys=("iou",))


def test_box_iou():
    assert plots.box_iou((0, 0, 2, 2), (0, 0, 2, 2)) == 1.0
    assert plots.box_iou((0, 0, 2, 2), (1, 0, 2, 2)) == pytest.approx(2 / 6)
    assert plots.box_iou((0, 0, 1, 1), (5, 5, 1, 1)) == 0.0


def test_iou_illustration_prints_the_iou_in_each_title():
    figure = plots.iou_illustration()
    check_figure(figure, 3)
    titles = [ax.get_title() for ax in figure.axes]
    assert all("IoU = 0." in title for title in titles)
    values = [float(title.split("=")[1]) for title in titles]
    assert values == sorted(values)  # poor < good < excellent


@pytest.mark.parametrize("skip", [False, True])
def test_fcn_diagram(skip):
    check_figure(plots.fcn_diagram(skip=skip), 1)
    check_figure(plots.fcn_diagram(skip=skip, backbone="alexnet"), 1)


@pytest.mark.slow
@pytest.mark.parametrize("backbone", ["alexnet", "vgg16"])
def test_diagram_sizes_are_those_of_the_real_network(backbone):
    """The sizes the diagrams print are the feature-map sizes torchvision's network gives a 224x224 image."""
    features = getattr(torchvision.models, backbone)(weights=None).features
    sizes, x = {}, torch.zeros(1, 3, 224, 224)
    pools = convs = 0
    with torch.no_grad():
        for layer in features:
            x = layer(x)
            if isinstance(layer, torch.nn.Conv2d):
                convs += 1
                sizes.setdefault(f"conv{convs}", x.shape[-1])
            if isinstance(layer, torch.nn.MaxPool2d):
                pools += 1
                sizes[f"pool{pools}"] = x.shape[-1]
    if backbone == "alexnet":  # AlexNet has 3 poolings: the last one follows conv5 ("pool5")
        sizes["pool5"] = sizes.pop("pool3")
    for name, size in plots.DIAGRAM_STAGES[backbone]["stages"]:
        assert sizes[name] == size, name


def test_cnn_to_fcn_diagram():
    check_figure(plots.cnn_to_fcn_diagram(), 2)


def test_bilinear_demo():
    figure = plots.bilinear_demo()
    check_figure(figure, 3 + 1)  # three images and the colour bar
    nearest, bilinear = (ax.images[0].get_array() for ax in figure.axes[1:3])
    assert nearest.shape == bilinear.shape == (32, 32)
    assert len(np.unique(nearest)) <= 16 < len(np.unique(bilinear))  # blocks vs smooth values


@pytest.fixture(autouse=True)
def no_pyplot_figures_left():
    """The helpers must not leave figures registered in pyplot (they would pile up in notebooks)."""
    import matplotlib.pyplot as plt

    before = plt.get_fignums()
    yield
    assert plt.get_fignums() == before


# --------------------------------------------------------------------------------------------------
# The package: one module per audience, every figure reachable as plots.<name>, its text in the catalogue
# --------------------------------------------------------------------------------------------------
# The public names of fcn_course/plots.py before it became a package: notebooks and students call them.
NAMES_BEFORE_THE_SPLIT = {
    "VOID_LABEL",
    "as_numpy",
    "colorize",
    "overlay",
    "legend_handles",
    "show_samples",
    "show_predictions",
    "show_epoch_predictions",
    "save_figure",
    "display_figure",
    "METRIC_TITLES",
    "PHASE_NAMES",
    "plot_history",
    "box_iou",
    "iou_illustration",
    "DIAGRAM_STAGES",
    "fcn_diagram",
    "cnn_to_fcn_diagram",
    "bilinear_demo",
    "grid_curves",
    "per_class_iou",
    "prediction_rows",
    "checkerboard_demo",
    "label_interpolation_demo",
    "pixel_frequencies",
    "confusion_matrix_figure",
    "option_comparison",
}
PLOTS_MODULES = ("figures", "labels", "training", "results", "sketches")


def test_the_names_from_before_the_split_still_work():
    assert NAMES_BEFORE_THE_SPLIT <= set(plots.__all__)
    assert all(hasattr(plots, name) for name in plots.__all__)


def test_every_public_name_of_the_plots_modules_is_a_name_of_plots():
    import ast
    import importlib

    for module_name in PLOTS_MODULES:
        module = importlib.import_module(f"fcn_course.plots.{module_name}")
        tree = ast.parse(Path(module.__file__).read_text(encoding="utf-8"))
        defined = [node.name for node in tree.body if isinstance(node, (ast.FunctionDef, ast.ClassDef))]
        defined += [
            target.id
            for node in tree.body
            if isinstance(node, ast.Assign)
            for target in node.targets
            if isinstance(target, ast.Name)
        ]
        public = [name for name in defined if not name.startswith("_")]
        assert public, module_name
        for name in public:
            assert name in plots.__all__ and getattr(plots, name) is getattr(module, name), f"{module_name}.{name}"


def test_figure_text_is_read_from_the_catalogue(monkeypatch):
    from fcn_course.messages import pt_BR

    monkeypatch.setitem(pt_BR.MESSAGES, "figures.confusion.title", "Título trocado")
    monkeypatch.setitem(pt_BR.MESSAGES, "figures.confusion.predicted", "prevista (trocado)")
    figure = plots.confusion_matrix_figure(np.eye(2), ("background", "bus"))
    assert (figure.axes[0].get_title(), figure.axes[0].get_xlabel()) == ("Título trocado", "prevista (trocado)")
    assert plots.confusion_matrix_figure(np.eye(2), ("background", "bus"), title="X").axes[0].get_title() == "X"


def test_the_plots_code_writes_no_portuguese_sentence():
    """Text with Portuguese letters (ã, ç, é...) lives in fcn_course/messages, not in the figures' code."""
    import ast

    folder = Path(plots.__file__).parent
    found = []
    for path in sorted(folder.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = {
            id(node.body[0].value)
            for node in ast.walk(tree)
            if isinstance(node, (ast.Module, ast.FunctionDef, ast.ClassDef))
            and node.body
            and isinstance(node.body[0], ast.Expr)
        }
        found += [
            f"{path.name}:{node.lineno}"
            for node in ast.walk(tree)
            if isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and id(node) not in docstrings
            and any(letter in node.value for letter in "ãõçáéíóúâêôà")
        ]
    assert found == []


# ==================================================================================================
# Figures of issue #13: checkerboard artefacts, label interpolation, pixel frequencies, confusion matrix, options
# ==================================================================================================


def _titles(figure):
    return [ax.get_title() for ax in figure.axes]


def test_checkerboard_demo_shows_flat_bilinear_and_uneven_bad_kernels():
    titles = _titles(plots.checkerboard_demo(factor=2))
    assert "mín 1.00, máx 1.00" in titles[1]  # bilinear: the constant stays constant
    assert "mín 1.00" not in titles[2] or "máx 1.00" not in titles[2]  # kernel 3, stride 2: uneven


def test_label_interpolation_demo_counts_invented_indices():
    label = np.zeros((12, 12), dtype=np.int64)
    label[:, 6:] = 2
    label[0, :] = 255
    titles = _titles(plots.label_interpolation_demo(label, CLASSES))
    invented = int(titles[3].rsplit(" ", 1)[1])
    assert invented > 0  # bilinear makes bus (1) between background (0) and person (2)


def test_confusion_matrix_figure_is_row_normalised():
    matrix = np.array([[90, 10, 0], [5, 5, 0], [0, 0, 0]])
    figure = plots.confusion_matrix_figure(matrix, CLASSES)
    texts = [t.get_text() for t in figure.axes[0].texts]
    assert texts[:3] == ["0.90", "0.10", "0.00"] and texts[3:6] == ["0.50", "0.50", "0.00"]
    assert texts[6:] == ["0.00"] * 3  # a class without pixels: no division by zero


def test_pixel_frequencies_and_option_comparison_draw():
    assert isinstance(plots.pixel_frequencies([800, 50, 150], CLASSES), Figure)
    history = History()
    entry = {"epoch": 1, "loss_mean": 1.0, "miou_fg": 0.4, "iou": [0.9, 0.3, 0.5], "time": 1.0}
    history.append(dict(entry), dict(entry))
    runs = {
        "base": RunResult("alexnet", True, False, "done", history=history),
        "falhou": RunResult("alexnet", True, False, "diverged"),
    }
    figure = plots.option_comparison(runs, CLASSES)
    assert " 0.400" in [t.get_text() for t in figure.axes[0].texts]


def test_label_interpolation_demo_says_by_how_much_the_label_is_resized():
    from fcn_course.messages import text

    figure = plots.label_interpolation_demo(np.zeros((8, 8), dtype=np.int64), CLASSES, factor=1.5)
    assert figure.get_suptitle() == text("figures.label_interpolation.title", factor=1.5)


def _scored_run(backbone, skip, pretrained, ious):
    """A run whose best (and only) epoch has these per-class IoUs."""
    history = History()
    entry = {"epoch": 1, "miou_fg": float(np.mean(ious[1:])), "iou": list(ious), "loss_mean": 1.0}
    history.append(dict(entry), dict(entry))
    return RunResult(backbone, skip, pretrained, "done", history=history)


def test_per_class_iou_draws_each_runs_best_ious_in_its_own_colour_on_a_zero_to_one_scale():
    from matplotlib.colors import to_rgba

    runs = [
        _scored_run("alexnet", True, False, [0.9, 0.5, 0.25]),
        _scored_run("vgg16", True, False, [0.8, 0.4, 0.2]),
        _scored_run("vgg16", False, True, [0.7, 0.3, 0.1]),
    ]
    figure = plots.per_class_iou(runs, CLASSES)
    (ax,) = figure.axes
    assert ax.get_ylim() == (0.0, 1.0)
    bars = ax.patches
    assert [round(bar.get_height(), 6) for bar in bars] == [0.9, 0.5, 0.25, 0.8, 0.4, 0.2, 0.7, 0.3, 0.1]
    colours = [bars[3 * number].get_facecolor() for number in range(3)]
    assert colours[1] == to_rgba("tab:red") and len(set(colours)) == 3  # one colour per backbone+pretrained pair
    for tick, colour in zip(ax.get_xticklabels(), ((0, 0, 0), BUS, PERSON)):
        box = tick.get_bbox_patch()
        assert box.get_facecolor()[:3] == pytest.approx([c / 255 for c in colour])
        assert 0 < box.get_alpha() < 1  # the class colour behind its name, the name still readable


# --------------------------------------------------------------------------------------------------
# A student's mistake is said in the course's language (Portuguese; English in the English edition)
# --------------------------------------------------------------------------------------------------
def test_a_batch_given_to_colorize_is_said_in_the_course_language():
    portuguese, english = raised_in_each_language(ValueError, plots.colorize, np.zeros((2, 4, 4), dtype=int))
    assert "um mapa de rótulos [H, W]" in portuguese and "(2, 4, 4)" in portuguese and "label[0]" in portuguese
    assert "one label map [H, W]" in english and "(2, 4, 4)" in english and "label[0]" in english


def test_label_values_outside_the_classes_are_said_in_the_course_language():
    portuguese, english = raised_in_each_language(ValueError, plots.colorize, np.array([[0, 5]]), CLASSES)
    assert "valores [5] fora de 0..2 e de 255 (void)" in portuguese
    assert "values [5] outside 0..2 and 255 (void)" in english


def test_a_dataset_without_classes_is_said_in_the_course_language():
    portuguese, english = raised_in_each_language(ValueError, plots.show_samples, [(torch.zeros(3, 4, 4), None)])
    assert "passe classes=..." in portuguese and ".classes" in portuguese
    assert "pass classes=..." in english and ".classes" in english


def test_an_empty_dataset_is_said_in_the_course_language():
    portuguese, english = raised_in_each_language(ValueError, plots.show_samples, [], classes=CLASSES)
    assert "está vazio" in portuguese and "min_classes" in portuguese
    assert "is empty" in english and "min_classes" in english


def test_batches_of_different_sizes_are_said_in_the_course_language():
    images, preds, labels = torch.zeros(2, 3, 4, 4), torch.zeros(1, 4, 4, dtype=torch.long), torch.zeros(2, 4, 4)
    portuguese, english = raised_in_each_language(ValueError, plots.show_predictions, images, preds, labels, CLASSES)
    assert "2 imagens, 1 predições, 2 rótulos" in portuguese
    assert "2 images, 1 predictions, 2 labels" in english


def test_a_per_class_history_key_is_said_in_the_course_language():
    history = {"train": [{"epoch": 1, "iou": [0.1, 0.2]}], "val": []}
    portuguese, english = raised_in_each_language(ValueError, plots.plot_history, history, keys=("iou",))
    assert "'iou'" in portuguese and "uma lista (um valor por classe)" in portuguese
    assert "'iou'" in english and "a list (one value per class)" in english

"""Tests of fcn_course.widgets, headless: static figures, and the widgets driven from code."""

from __future__ import annotations

import IPython
import numpy as np
import pytest
import torch
from matplotlib.figure import Figure
from torch import nn

from fcn_course import config, runs, widgets
from fcn_course.data import VOCSubset
from fcn_course.engine import save_checkpoint
from fcn_course.widgets import DatasetBrowser, PredictionExplorer, dataset_browser, prediction_explorer
from solutions.fcn_alexnet import FCN_AlexNet

CLASSES = ("background", "bus", "person")
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"


class ConstantNet(nn.Module):
    """Predicts the same class everywhere (so that two 'configurations' give different pictures)."""

    def __init__(self, class_index, num_classes=3):
        super().__init__()
        self.class_index = class_index
        self.num_classes = num_classes
        self.dummy = nn.Parameter(torch.zeros(1))  # a parameter, so that the device can be read

    def forward(self, x):
        scores = torch.zeros(x.shape[0], self.num_classes, *x.shape[-2:])
        scores[:, self.class_index] = 1.0
        return scores + 0 * self.dummy


@pytest.fixture(scope="module")
def val_set(synthetic_voc_root):
    return VOCSubset(synthetic_voc_root, "val", classes=CLASSES, size=(64, 64), max_samples=3, verbose=False)


@pytest.fixture
def models():
    return {"all-background": ConstantNet(0), "all-person": ConstantNet(2)}


# --------------------------------------------------------------------------------------------------
# Interactive or static
# --------------------------------------------------------------------------------------------------
class FakeKernelShell:
    kernel = object()


def test_detection(monkeypatch):
    monkeypatch.delenv(config.STATIC_ENV, raising=False)
    monkeypatch.setattr(IPython, "get_ipython", lambda: None)
    assert not widgets.widgets_available()  # plain Python (pytest, scripts)

    monkeypatch.setattr(IPython, "get_ipython", lambda: FakeKernelShell())
    assert widgets.widgets_available()  # inside a Jupyter kernel

    monkeypatch.setenv(config.STATIC_ENV, "1")
    assert not widgets.widgets_available()  # forced static


def test_static_mode_gives_figures(monkeypatch, val_set, models):
    monkeypatch.setenv(config.STATIC_ENV, "1")  # static=None: decided by widgets_available()
    figure = dataset_browser(val_set)
    assert isinstance(figure, Figure) and len(figure.axes) == 2 * len(val_set)
    assert all(not ax.get_xticks().size and not ax.get_yticks().size for ax in figure.axes)  # pictures, no axes
    figure = prediction_explorer(models, val_set, n_static=2)
    assert isinstance(figure, Figure) and len(figure.axes) == 4 * 2


def test_the_static_browser_is_seven_inches_wide_with_three_inches_per_sample(val_set):
    """Each sample's row (image, labels) keeps the same height whatever the number of samples shown."""
    for n_static in (1, 3):
        figure = dataset_browser(val_set, static=True, n_static=n_static)
        assert tuple(figure.get_size_inches()) == pytest.approx((7.0, 3.0 * n_static))


def test_static_prediction_explorer_chooses_config(val_set, models):
    figure = prediction_explorer(models, val_set, config="all-person", static=True, n_static=1)
    assert figure._suptitle.get_text() == "all-person"
    with pytest.raises(KeyError, match="all-person"):
        prediction_explorer(models, val_set, config="vgg99", static=True)


# --------------------------------------------------------------------------------------------------
# Widgets, driven from code
# --------------------------------------------------------------------------------------------------
def test_dataset_browser_redraws_on_each_control(val_set):
    browser = dataset_browser(val_set, static=False)
    assert isinstance(browser, DatasetBrowser)
    assert WIDGET_MIME in browser._repr_mimebundle_()
    assert browser.index.max == len(val_set) - 1

    pictures = [browser.image.value]
    browser.index.value = 1
    pictures.append(browser.image.value)
    browser.opacity.value = 1.0
    pictures.append(browser.image.value)
    browser.show_labels.value = False
    pictures.append(browser.image.value)
    assert all(len(png) > 1000 for png in pictures)
    assert len(set(pictures)) == len(pictures)  # every change redrew something different
    assert browser.figure.axes[0].get_title() == "imagem"

    legend_names = [text.get_text() for text in browser.figure.legends[0].get_texts()]
    assert legend_names == ["fundo", "ônibus", "pessoa", "void (ignorado)"]


@pytest.mark.slow
def test_prediction_explorer_switches_config_and_image(val_set, models):
    explorer = prediction_explorer(models, val_set, static=False)
    assert isinstance(explorer, PredictionExplorer)
    first = explorer.image.value
    explorer.config.value = "all-person"
    second = explorer.image.value
    explorer.index.value = 2
    third = explorer.image.value
    assert len({first, second, third}) == 3
    assert np.all(explorer.cache["all-person", 2] == 2)
    assert [ax.get_title() for ax in explorer.figure.axes[:3]] == ["imagem", "predição", "rótulo verdadeiro"]
    assert explorer.figure.axes[3].get_title().startswith("erros")


@pytest.mark.slow
def test_prediction_explorer_from_grid_folder(val_set, tmp_path):
    run_dir = tmp_path / "alexnet-skip-scratch"
    torch.manual_seed(0)
    net = FCN_AlexNet(len(CLASSES), skip=True)
    save_checkpoint({"epoch": 1, "model": net.state_dict(), "args": {"classes": list(CLASSES)}}, run_dir / "best.pt")
    runs.write_run_config(run_dir, {"backbone": "alexnet", "skip": True, "pretrained": False, "classes": CLASSES})
    explorer = prediction_explorer(tmp_path, val_set, static=False, model_classes={"alexnet": FCN_AlexNet})
    assert list(explorer.models) == ["alexnet-skip-scratch"]
    assert explorer.prediction("alexnet-skip-scratch", 0).shape == (64, 64)
    (tmp_path / "empty").mkdir()
    with pytest.raises(FileNotFoundError, match="best.pt"):
        prediction_explorer(tmp_path / "empty", val_set, static=True, model_classes={"alexnet": FCN_AlexNet})


# --------------------------------------------------------------------------------------------------
# Picture helpers
# --------------------------------------------------------------------------------------------------
def test_predict_sample_predicts_in_evaluation_mode(val_set, mode_sensitive_net):
    """Dropout off and the running statistics of batch norm, whatever mode the model was left in."""
    running_mean = mode_sensitive_net.norm.running_mean.clone()
    image, _ = val_set[0]
    prediction = widgets.predict_sample(mode_sensitive_net, image)
    assert prediction.shape == tuple(image.shape[-2:])
    assert (prediction == 1).all()  # what the net says in evaluation mode
    assert torch.equal(mode_sensitive_net.norm.running_mean, running_mean)  # predicting did not train it


def test_colors_and_error_map():
    label = np.array([[0, 1], [2, 255]])
    colours = widgets.color_label(label, CLASSES)
    assert np.allclose(colours[0, 1], np.array([0, 128, 128]) / 255)  # bus
    assert np.allclose(colours[1, 0], np.array([192, 128, 128]) / 255)  # person
    assert np.allclose(colours[1, 1], np.array([224, 224, 192]) / 255)  # void

    prediction = np.array([[0, 2], [2, 0]])
    errors = widgets.error_map(prediction, label)
    assert tuple(errors[0, 0]) == widgets.ERROR_COLORS["correct"]
    assert tuple(errors[0, 1]) == widgets.ERROR_COLORS["wrong"]
    assert tuple(errors[1, 0]) == widgets.ERROR_COLORS["correct"]
    assert tuple(errors[1, 1]) == widgets.ERROR_COLORS["void"]
    # what a student reads in the legend: correct pixels white, wrong ones red, void grey
    assert tuple(errors[0, 0]) == (1.0, 1.0, 1.0)
    red, green, blue = errors[0, 1]
    assert red > 0.5 > max(green, blue)
    assert len(set(errors[1, 1])) == 1 and 0 < errors[1, 1][0] < 1


def test_the_british_names_of_earlier_versions_still_work():
    assert widgets.colour_label is widgets.color_label and widgets.ERROR_COLOURS is widgets.ERROR_COLORS


def test_empty_dataset_is_refused(val_set):
    class Empty(list):
        classes = CLASSES

    with pytest.raises(ValueError, match="está vazio"):
        dataset_browser(Empty(), static=True)

"""fcn_course.instructor.reference: the instructor wing, not the student package, knows where the reference
solutions live, and hands them to the commands that need them (grid, predict, train script)."""

import sys

import pytest

from fcn_course import backbones
from fcn_course.instructor import reference


def test_every_course_backbone_has_its_reference_class():
    classes = reference.reference_model_classes()
    assert list(classes) == list(backbones.BACKBONES)  # registry order: alexnet, vgg16
    from solutions.fcn_alexnet import FCN_AlexNet
    from solutions.fcn_vgg16 import FCN_VGG16

    assert classes == {"alexnet": FCN_AlexNet, "vgg16": FCN_VGG16}
    assert all(cls.__name__ == backbones.BACKBONES[name].class_name for name, cls in classes.items())


def test_a_backbone_without_a_reference_is_left_out(monkeypatch):
    extra = backbones.Backbone(
        name="tinynet",
        display_name="TinyNet",
        build=lambda weights=None: None,
        cuts={8: 1, 16: 2},
        channels={8: 1, 16: 1, 32: 1},
        min_input_size=32,
        class_name="FCN_TinyNet",
        loader_name="load_tinynet",
    )
    monkeypatch.setitem(backbones.BACKBONES, "tinynet", extra)
    assert "tinynet" not in reference.reference_model_classes()


def test_the_ingredients_are_the_solutions_training_functions():
    model_classes, make_optimizer, compute_loss, make_criterion = reference.reference_ingredients()
    training = sys.modules["solutions.training"]
    assert (make_optimizer, compute_loss, make_criterion) == (
        training.make_optimizer,
        training.compute_loss,
        training.make_criterion,
    )
    assert set(model_classes) == {"alexnet", "vgg16"}


def test_the_student_registry_says_nothing_about_solutions():
    spec = backbones.BACKBONES["alexnet"]
    assert not hasattr(spec, "solution_module")
    with pytest.raises(TypeError):
        backbones.Backbone(
            name="x",
            display_name="X",
            build=None,
            cuts={},
            channels={},
            min_input_size=1,
            class_name="FCN_X",
            loader_name="load_x",
            solution_module="solutions.fcn_x",
        )

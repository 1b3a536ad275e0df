"""Tests of fcn_course.voc: the names students read for the VOC classes (the rest of voc is exercised through
fcn_course.data in tests/test_data.py)."""

from fcn_course import voc
from fcn_course.messages import catalogue


def test_every_voc_class_has_a_name_for_students_from_the_catalogue():
    assert set(voc.CLASS_LABELS) == set(voc.VOC_CLASSES)
    assert {key for key in catalogue() if key.startswith("voc.class.")} == {
        f"voc.class.{name}" for name in voc.VOC_CLASSES
    }
    assert [voc.class_label(name) for name in voc.DEFAULT_CLASSES] == ["fundo", "ônibus", "pessoa"]
    assert voc.CLASS_LABELS["tvmonitor"] == "tv/monitor"


def test_a_name_that_is_not_a_voc_class_is_shown_as_it_is():
    assert voc.class_label("zebra") == "zebra"


def test_the_old_name_of_the_labels_still_works():
    assert voc.PORTUGUESE_NAMES is voc.CLASS_LABELS

"""fcn_course: helper package of the FCN semantic segmentation course."""

__version__ = "0.1.0"

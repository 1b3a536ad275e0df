"""Sphinx configuration of the course website (built by ``python -m fcn_course.instructor site``).

``fcn_course/instructor/site.py`` copies this file into a staging folder, one per language of the site, next to
the generated landing page, the executed notebooks and ``course_site.json`` (the language, the titles from the
message catalogue, and the language switch), then runs Sphinx on it. Everything the pages need at view time
is copied into the site: MathJax comes from the ``jupyter-server-mathjax`` package (``_static/mathjax``),
never a CDN. The instructor build is run with ``-t instructor``.
"""

import json
from pathlib import Path

_site_file = Path(__file__).with_name("course_site.json")  # written by site.py; absent: a Portuguese site
_site = json.loads(_site_file.read_text(encoding="utf-8")) if _site_file.is_file() else {}

project = _site.get("project", "fcn-course")
author = "fcn-course"
copyright = "fcn-course (MIT)"
language = _site.get("language", "pt_BR")  # the language of the pages' text (also picks the search stemmer)

extensions = ["myst_nb"]
myst_enable_extensions = ["dollarmath", "amsmath"]
nb_execution_mode = "off"  # the notebooks come executed by the main job: render their stored outputs
nb_output_stderr = "remove"  # progress bars and warnings of the run are not course content
nb_ipywidgets_js = {}  # no widget JavaScript from a CDN (the main job draws widgets as static figures)
suppress_warnings = ["mystnb.unknown_mime_type", "myst.header"]
exclude_patterns = ["_build", "**.ipynb_checkpoints"]

html_theme = "sphinx_book_theme"
html_static_path = ["_static"]
html_css_files = ["course.css"]  # docs/site/_static/course.css: long code lines wrap; the language switch
html_title = _site.get("title", project)
html_last_updated_fmt = None
html_show_sourcelink = False
html_copy_source = False
html_theme_options = {
    "use_download_button": False,
    "use_fullscreen_button": False,
    "show_toc_level": 2,
}
from fcn_course.instructor.mathjax import FONT_CONFIG, SCRIPT  # noqa: E402

mathjax_path = f"mathjax/{SCRIPT}"  # _static/mathjax/: the copy from jupyter-server-mathjax
# MathJax 2 (what the package ships): its fonts, and MyST's convention of typesetting only the math nodes
# (MyST marks the page sections "mathjax_ignore" and the formulas "math").
mathjax2_config = {
    **FONT_CONFIG,
    "tex2jax": {
        "ignoreClass": "tex2jax_ignore|mathjax_ignore",
        "processClass": "tex2jax_process|mathjax_process|math|output_area",
    },
}
myst_update_mathjax = False  # MyST would write a MathJax 3/4 configuration, which MathJax 2 ignores

if tags.has("instructor") and _site.get("announcement"):  # noqa: F821 (Sphinx defines ``tags`` here)
    html_theme_options["announcement"] = _site["announcement"]


def setup(app):
    """The language switch at the top of every page (``site.add_language_switch``), when the site has two."""
    from fcn_course.instructor.site import add_language_switch

    if _site.get("switch"):
        app.connect(
            "html-page-context",
            lambda app, pagename, template, context, doctree: add_language_switch(_site["switch"], pagename, context),
        )

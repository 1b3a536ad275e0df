"""Sphinx configuration of the course website (built by ``python -m fcn_course.instructor site``).

``fcn_course/instructor/site.py`` copies this file into a staging folder next to the generated landing page
and the executed notebooks, then runs Sphinx on it. Everything the pages need at view time is copied into
the site: MathJax comes from the ``jupyter-server-mathjax`` package (``_static/mathjax``), never a CDN.
The instructor build is run with ``-t instructor``.
"""

project = "FCN: segmentação semântica"
author = "fcn-course"
copyright = "fcn-course (MIT)"
language = "pt_BR"  # the course's text is Brazilian Portuguese (also picks the search stemmer)

extensions = ["myst_nb"]
myst_enable_extensions = ["dollarmath", "amsmath"]
nb_execution_mode = "off"  # the notebooks come executed by the main job: render their stored outputs
nb_output_stderr = "remove"  # progress bars and warnings of the run are not course content
nb_ipywidgets_js = {}  # no widget JavaScript from a CDN (the main job draws widgets as static figures)
suppress_warnings = ["mystnb.unknown_mime_type", "myst.header"]
exclude_patterns = ["_build", "**.ipynb_checkpoints"]

html_theme = "sphinx_book_theme"
html_static_path = ["_static"]
html_css_files = ["course.css"]  # docs/site/_static/course.css: long code lines wrap
html_title = "FCN: segmentação semântica"
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

if tags.has("instructor"):  # noqa: F821 (Sphinx defines ``tags`` while reading this file)
    html_title = "FCN: segmentação semântica (versão do professor)"
    html_theme_options["announcement"] = (
        "Versão do professor: contém as soluções e a rubrica. Não publique este site para os alunos."
    )

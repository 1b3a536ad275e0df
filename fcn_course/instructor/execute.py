"""Running notebooks in a Jupyter kernel (nbclient): whole, or until the first unfinished exercise.

The kernel is ipykernel's ``python3``, which jupyter_client starts with this very interpreter, so the
notebooks see the same environment (virtualenv) as the command that runs them.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import NamedTuple, Optional

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from fcn_course.definitions import read_notebook
from fcn_course.environment import PROFILE_ENV, SMOKE_ENV
from fcn_course.files import OutputFolder
from fcn_course.messages import text

DEFAULT_CELL_TIMEOUT = 600  # seconds allowed to each cell (build and grading; the main job has no limit by default)
KERNEL_NAME = "python3"
OWNER = "the main job"  # how a folder of executed notebooks records who wrote it (files.OutputFolder)


def kernel_env(smoke: bool, profile: Optional[str] = None) -> dict:
    """This process's environment for a kernel: the run ``profile`` when given, else smoke on or off."""
    env = dict(os.environ)
    env.pop(SMOKE_ENV, None)
    env.pop(PROFILE_ENV, None)
    if profile:
        env[PROFILE_ENV] = profile
    elif smoke:
        env[SMOKE_ENV] = "1"
    return env


def _client(nb, cwd, timeout: int, **options) -> NotebookClient:
    return NotebookClient(
        nb, timeout=timeout, kernel_name=KERNEL_NAME, resources={"metadata": {"path": str(cwd)}}, **options
    )


def execute_in_place(nb, cwd, smoke: bool, timeout: int, label: str) -> None:
    """Run every cell of ``nb`` in place (for the solution build: no timings, no widget state)."""
    client = _client(nb, cwd, timeout, record_timing=False, store_widget_state=False)
    try:
        client.execute(env=kernel_env(smoke))
    except CellExecutionError as error:
        raise RuntimeError(text("course.smoke_failed", label=label, error=error)) from None


# nbconvert's "lab" page without the scripts it would fetch from a CDN (require.js and the widget manager:
# the main job draws widgets as static figures, so the page needs neither).
OFFLINE_TEMPLATE = """{%- extends 'index.html.j2' -%}
{% from 'mathjax.html.j2' import mathjax %}
{% block html_head_js_mathjax %}{{ resources.mathjax_config_script }}{{ mathjax(resources.mathjax_url) }}{% endblock html_head_js_mathjax %}
{% block html_head_js_requirejs %}{% endblock html_head_js_requirejs %}
{% block jupyter_widgets %}{% endblock jupyter_widgets %}
"""


def write_html(nb, html_path) -> Path:
    """An HTML copy of a notebook that reads offline: MathJax copied next to it, nothing from a CDN.

    Remote badge images (the Colab badge) become plain links, as on the course website. The page and MathJax
    are the main job's own files of their folder (``files.OutputFolder``): a person's file is never overwritten.
    """
    import copy

    from jinja2 import DictLoader
    from nbconvert import HTMLExporter

    from fcn_course.instructor.mathjax import config_script, copy_mathjax, script_url
    from fcn_course.instructor.site import offline_badges

    html_path = Path(html_path)
    folder = OutputFolder(html_path.parent, OWNER)
    folder.check([html_path.name])
    copy_mathjax(folder)
    page = copy.deepcopy(nb)
    offline_badges(page)
    exporter = HTMLExporter(
        mathjax_url=script_url(),
        template_file="offline.html.j2",
        extra_loaders=[DictLoader({"offline.html.j2": OFFLINE_TEMPLATE})],
    )
    html, _ = exporter.from_notebook_node(page, resources={"mathjax_config_script": config_script()})
    return folder.write_text(html_path.name, html)


def executed_names(stem: str) -> list:
    """The files ``execute_notebook`` writes for the notebook ``stem`` (MathJax aside): its .ipynb and .html."""
    return [f"{stem}.ipynb", f"{stem}.html"]


def execute_notebook(
    path, out_dir, smoke: bool = True, timeout: Optional[int] = DEFAULT_CELL_TIMEOUT, profile: Optional[str] = None
) -> Path:
    """Run a copy of a notebook (cwd = its folder) and save the executed .ipynb and an HTML export.

    The files go to ``out_dir/<name>.ipynb`` and ``out_dir/<name>.html`` (with ``out_dir/mathjax/``, the
    math renderer the HTML loads); they are written even when a cell fails (then the error is raised after
    saving them). ``timeout``: seconds allowed to each cell (None: no limit). Returns the .ipynb path.

    ``out_dir`` is the main job's output folder (``files.OutputFolder``): a file of those names that the main job
    did not write there (a person's own notebook) is refused before anything runs, never overwritten.
    """
    path = Path(path).resolve()
    folder = OutputFolder(out_dir, OWNER)
    notebook_name, html_name = executed_names(path.stem)
    folder.check([notebook_name, html_name])
    nb = read_notebook(path)
    try:
        _client(nb, path.parent, timeout).execute(env=kernel_env(smoke, profile))
    finally:
        folder.write_text(notebook_name, nbformat.writes(nb) + "\n")
        write_html(nb, folder.root / html_name)
    return folder.root / notebook_name


class FirstError(NamedTuple):
    """The first cell that raised: its 0-based index in the notebook, the error name and message."""

    index: Optional[int]
    name: Optional[str]
    message: Optional[str]


def run_until_first_stub(path, smoke: bool = True, timeout: int = DEFAULT_CELL_TIMEOUT) -> FirstError:
    """Run a (student) notebook cell by cell and stop at the first error.

    Returns ``(cell index, error name, error message)``, or ``(None, None, None)`` if every cell ran.
    For a fresh student notebook the first error should be the first exercise's NotImplementedError.
    """
    path = Path(path).resolve()
    failed_cells = []
    client = _client(
        read_notebook(path),
        path.parent,
        timeout,
        on_cell_error=lambda cell, cell_index, execute_reply: failed_cells.append(cell_index),
    )
    try:
        client.execute(env=kernel_env(smoke))
    except CellExecutionError as error:
        return FirstError(failed_cells[-1] if failed_cells else None, error.ename, error.evalue)
    return FirstError(None, None, None)

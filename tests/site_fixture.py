"""A tiny executed course for the website tests: two notebooks with math, a figure and solution regions.

``tiny_site(base)`` writes a course repository (``tiny_course.make_repo`` plus the real ``docs/site``
sources), builds its notebooks, executes the two solution notebooks in a Jupyter kernel like the main job
does (executed .ipynb + HTML copies in a run folder) and builds the student and instructor sites from them:
about 20 s on 2 cores instead of the several minutes of the whole course. Built once per test session.
"""

import os
import shutil
from pathlib import Path

from tiny_course import REPO_ROOT, make_repo

NAMES = ("01_demo", "02_demo")
SOLUTION_LINE = "value = math.pi * r ** 2  # area of the circle of radius r"
ANSWER_LINE = "A área cresce com o quadrado do raio, então dobrar o raio quadruplica a área."

NOTEBOOKS = {
    "01_demo": '''
    # %% [markdown]
    # [![Abrir no Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/o/r/blob/main/notebooks/01_demo.ipynb)

    # %% [markdown]
    # # 01 · Círculos
    #
    # **Ao final deste notebook você consegue**
    #
    # 1. calcular a área $A = \\pi r^2$ de um círculo
    #    de raio $r$;
    # 2. desenhar a área em função do raio.
    #
    # A razão entre as áreas é
    #
    # $$
    # \\frac{A(2r)}{A(r)} = 4 .
    # $$

    # %%
    # %matplotlib inline
    import math

    import matplotlib.pyplot as plt


    def area(r):
        """Area of a circle of radius r."""
        BEGIN: Use math.pi.
        SOLUTION_LINE
        return value
        END

    # %%
    radii = [0.5 * step for step in range(9)]
    legend = "raio de cada círculo do gráfico, em unidades arbitrárias, de zero até quatro em passos de meio; a área cresce com o quadrado do raio"
    figure, axes = plt.subplots(figsize=(4, 3))
    axes.plot(radii, [area(r) for r in radii], marker="o")
    axes.set_xlabel("raio")
    plt.show()

    # %% [markdown]
    # O que acontece com a área quando o raio dobra?

    # %% [markdown]
    # BEGIN
    # ANSWER_LINE
    # END
    ''',
    "02_demo": '''
    # %% [markdown]
    # # 02 · Tensores
    #
    # **Ao final deste notebook você consegue**
    #
    # 1. ler a forma $[B, C, H, W]$ de um lote de imagens.

    # %%
    # %matplotlib inline
    import matplotlib.pyplot as plt
    import numpy as np

    image = np.linspace(0, 1, 64 * 48).reshape(48, 64)
    plt.figure(figsize=(3, 2))
    plt.imshow(image, cmap="viridis")
    plt.title("gradiente")
    plt.show()
    ''',
}

_BUILT = {}


def tiny_site(base: Path) -> dict:
    """Build (once) and return the paths: repo, run (executed notebooks + HTML), site, instructor site."""
    if _BUILT:
        return _BUILT
    from fcn_course.instructor.build import build
    from fcn_course.instructor.execute import execute_notebook
    from fcn_course.instructor.site import build_site

    texts = {
        name: text.replace("SOLUTION_LINE", SOLUTION_LINE).replace("ANSWER_LINE", ANSWER_LINE)
        for name, text in NOTEBOOKS.items()
    }
    repo = make_repo(base, notebooks=texts)
    shutil.copytree(REPO_ROOT / "docs" / "site", repo / "docs" / "site")
    assert build(repo, names=NAMES).ok
    shutil.copy2(REPO_ROOT / "notebooks" / "referencia.md", repo / "notebooks")  # the students' reference page
    run = base / "run"
    os.environ.setdefault("FCN_COURSE_STATIC", "1")
    for name in NAMES:
        execute_notebook(repo / "solutions" / "notebooks" / f"{name}.ipynb", run)
    _BUILT.update(
        repo=repo,
        run=run,
        site=build_site(repo, run, names=NAMES).parent,
        instructor_site=build_site(repo, run, instructor=True, names=NAMES).parent,
    )
    return _BUILT


# English words for the tiny course's prose: the fake English catalogue replaces these in each unit's text and
# copies the rest as it is (a real catalogue translates every unit; the site only needs some English to show).
ENGLISH = {
    "Ao final deste notebook você consegue": "By the end of this notebook you can",
    "Círculos": "Circles",
    "Tensores": "Tensors",
    "calcular a área": "compute the area",
    "desenhar a área em função do raio": "draw the area as a function of the radius",
    "ler a forma": "read the shape",
    "de um lote de imagens": "of a batch of images",
}
_BILINGUAL = {}


def english_catalogue(nb, name: str):
    """A complete English catalogue of ``nb``: each unit with the words of ``ENGLISH`` replaced."""
    from fcn_course.instructor.translation import template

    catalog = template(nb, name, "en")
    for message in catalog:
        if message.id:
            translated = message.id
            for portuguese, english in ENGLISH.items():
                translated = translated.replace(portuguese, english)
            message.string = translated
    return catalog


def bilingual_site(base: Path) -> dict:
    """Build (once) the tiny course's student site from a run folder with both languages.

    The Portuguese notebooks are ``tiny_site``'s executed ones; the English ones are made from them by the
    English edition (``editions.edition``, with :func:`english_catalogue`), outputs kept, so no kernel runs
    again. The run folder holds Portuguese at its root and English in ``en/`` (``execute.language_folder``).
    """
    if _BILINGUAL:
        return _BILINGUAL
    import nbformat

    from fcn_course.instructor.editions import edition
    from fcn_course.instructor.execute import language_folder
    from fcn_course.instructor.site import build_site
    from fcn_course.instructor.translation import catalogue_path, write_catalogue

    tiny = tiny_site(base / "tiny")
    repo, run = tiny["repo"], base / "run"
    (run / "en").mkdir(parents=True)
    for name in NAMES:
        executed = nbformat.read(tiny["run"] / f"{name}.ipynb", as_version=4)
        nbformat.write(executed, run / f"{name}.ipynb")
        write_catalogue(english_catalogue(executed, name), catalogue_path(repo, "en", name))
        english, _student = edition(executed, name, "en", repo)
        nbformat.write(english, language_folder(run, "en") / f"{name}.ipynb")
    shutil.rmtree(repo / "solutions" / "locale")  # the other site tests see the repository as tiny_site made it
    _BILINGUAL.update(repo=repo, run=run, site=build_site(repo, run, names=NAMES).parent)
    return _BILINGUAL

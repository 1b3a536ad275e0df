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

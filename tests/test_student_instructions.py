"""What students are told works inside the student release (issue #10, item 7): no repository-only scripts,
one set of Colab instructions, how the .ipynb/.py pair works, and a command line whose help agrees."""

from pathlib import Path

import nbformat
import pytest

from fcn_course import messages
from fcn_course.__main__ import INSTRUCTOR_COMMANDS, build_parser

ROOT = Path(__file__).resolve().parents[1]
STUDENT_TEXTS = {
    path.name: "\n".join(cell.source for cell in nbformat.read(path, as_version=4).cells)
    for path in sorted((ROOT / "notebooks").glob("*.ipynb"))
}
STUDENT_TEXTS["README.md"] = (ROOT / "notebooks" / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", sorted(STUDENT_TEXTS))
def test_student_texts_never_point_to_repository_only_things(name):
    for missing_in_release in ("scripts/run_tests.sh", "run_course.sh", ".venv/bin/jupyter", "scripts/"):
        assert missing_in_release not in STUDENT_TEXTS[name], f"{name} mentions {missing_in_release}"


def test_one_set_of_colab_instructions_and_how_the_pair_works():
    for name in ("01_dados_e_metricas.ipynb", "README.md"):
        text = " ".join(STUDENT_TEXTS[name].replace("#", " ").split())  # line breaks and Markdown comments apart
        # Colab: the badge and the set-up cell under it, the same words in the notebook and the guide
        assert "selo *Abrir no Colab*" in text and "célula de preparação" in text, name
        assert "USAR_DRIVE = True" in text and "mesma pasta do seu Drive" in text, name
        assert "pip install -q -e ." not in text and "git+<endereço" not in text, name
    # The pair's troubleshooting is logistics: it lives in the guide, and notebook 01 points there (issue #23).
    guide = " ".join(STUDENT_TEXTS["README.md"].split())
    assert "HTTP 400" in guide and "jupytext --sync" in guide and "salvo por último" in guide
    notebook = " ".join(STUDENT_TEXTS["01_dados_e_metricas.ipynb"].replace("#", " ").split())
    assert "`README.md` da pasta `notebooks/`" in notebook and "par `.ipynb` + `.py`" in notebook


def test_the_student_help_lists_grid_and_predict_as_student_commands():
    help_text = build_parser().format_help()
    marker = messages.text("cli.epilog", commands="{commands}").split("{commands}")[0].strip()  # "Só para o professor:"
    student_part, instructor_part = help_text.split(marker)
    assert "grid" in student_part and "predict" in student_part
    assert "grid" not in instructor_part and "predict" not in instructor_part
    assert "grid" not in INSTRUCTOR_COMMANDS and "predict" not in INSTRUCTOR_COMMANDS


def test_every_command_the_student_guide_runs_is_installed_by_its_install_command():
    """`jupyter lab` is not a dependency of the course: the guide installs it where it tells students to run it."""
    guide = STUDENT_TEXTS["README.md"]
    install = next(line for line in guide.splitlines() if line.startswith("pip install"))
    if "jupyter lab" in guide:
        assert "jupyterlab" in install, install

"""The project's own wiring: dependency lists agree, the two README commands and CI stay the same."""

import ast
import re
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
CONDA_NAMES = {"torch": "pytorch"}  # PyPI name -> conda-forge name when they differ

tomllib = pytest.importorskip("tomllib") if sys.version_info >= (3, 11) else pytest.importorskip("tomli")


def _split(requirement: str):
    name, spec = re.match(r"^([A-Za-z0-9_.\-]+)\s*(.*)$", requirement.strip()).groups()
    return name.lower().replace("_", "-"), spec.replace(" ", "")


def _pyproject_requirements():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extras = project["optional-dependencies"]
    reqs = project["dependencies"] + extras["dev"] + extras["instructor"]
    return {CONDA_NAMES.get(name, name): spec for name, spec in map(_split, reqs)}


def _conda_requirements():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda = [d for d in env["dependencies"] if isinstance(d, str)]
    return {name: spec for name, spec in map(_split, conda) if name not in {"python", "pip"}}


def test_environment_yml_matches_pyproject():
    assert _conda_requirements() == _pyproject_requirements()


def test_environment_yml_installs_the_package():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip_section = [d["pip"] for d in env["dependencies"] if isinstance(d, dict)]
    assert pip_section == [["-e ."]]


def test_instructor_tooling_is_an_extra():
    """Only the instructor wing executes notebooks: students do not install nbclient/nbconvert."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    student = {name for name, _ in map(_split, project["dependencies"])}
    instructor = {name for name, _ in map(_split, project["optional-dependencies"]["instructor"])}
    assert {"nbclient", "nbconvert"} <= instructor and not {"nbclient", "nbconvert"} & student
    assert '".[dev,instructor]"' in (ROOT / "scripts" / "_env.sh").read_text()


def test_no_exact_pins():
    for name, spec in _pyproject_requirements().items():
        assert not spec.startswith("=="), f"{name} is pinned exactly ({spec}); use a range"


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text()
    commands = re.findall(r"^(bash scripts/run_\w+\.sh)\s*$", readme, flags=re.M)
    assert commands[:2] == ["bash scripts/run_course.sh", "bash scripts/run_tests.sh"]
    assert "bash scripts/run_tests.sh" in (ROOT / ".ci" / "run").read_text()


def _safety_citations():
    """(module, test) for every test the README's Safety section names (`test_module.py::test_name`)."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## Safety\n", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"`(?:(test_\w+)\.py::)?(test_\w+)`", section)


def test_every_promise_of_the_readme_points_to_an_existing_test():
    """The README's Safety section names its tests, each with its file: each one must exist."""
    cited = _safety_citations()
    assert len(cited) >= 20
    for module, name in cited:
        assert module, f"README cites {name} without its file: write `test_<module>.py::{name}`"
        source = (ROOT / "tests" / f"{module}.py").read_text(encoding="utf-8")
        assert f"def {name}(" in source, f"README cites {module}::{name}, which does not exist"


def test_every_test_the_safety_section_cites_is_marked_safety():
    """``pytest -m safety`` runs every promise of the README's Safety section."""
    for module, name in _safety_citations():
        tree = ast.parse((ROOT / "tests" / f"{module}.py").read_text(encoding="utf-8"))
        [test] = [node for node in tree.body if isinstance(node, ast.FunctionDef) and node.name == name]
        markers = {ast.unparse(decorator) for decorator in test.decorator_list}
        assert "pytest.mark.safety" in markers, f"{module}::{name} is cited in README's Safety section: mark it safety"

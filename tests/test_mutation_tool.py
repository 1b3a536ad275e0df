"""The mutation-testing script (benchmarks/mutation_test.py) stays in step with the code it mutates.

The script itself is too slow for CI; these checks are not. They fail when a refactor leaves one of the
issue #15 bugs or an "equivalent mutant" entry pointing at code that no longer exists, so that the next
mutation run re-introduces the bugs it is meant to re-introduce.
"""

import importlib.util
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def tool():
    spec = importlib.util.spec_from_file_location("mutation_test", REPO_ROOT / "benchmarks" / "mutation_test.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["mutation_test"] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    yield module
    sys.modules.pop("mutation_test", None)


def test_every_known_bug_still_finds_its_original_text_once(tool):
    files = sorted({path for _, path, _, _ in tool.KNOWN_BUGS})
    mutants = tool.known_bug_mutants(files)
    assert len(mutants) == len(tool.KNOWN_BUGS)
    for mutant in mutants:
        source = (REPO_ROOT / mutant.path).read_bytes()
        changed = mutant.apply(source)
        assert changed != source
        compile(changed, mutant.path, "exec")  # the re-introduced bug is valid Python


def test_a_known_bug_whose_code_moved_away_stops_the_run(tool, monkeypatch):
    monkeypatch.setattr(tool, "KNOWN_BUGS", [("gone", "fcn_course/metrics.py", "no such text here", "x")])
    with pytest.raises(SystemExit, match="occurs 0 times"):
        tool.known_bug_mutants(["fcn_course/metrics.py"])


def test_every_known_bug_lies_in_a_mutated_module(tool):
    units = tool.module_units([])
    mutated = {path for files, _ in units.values() for path in files}
    assert {path for _, path, _, _ in tool.KNOWN_BUGS} <= mutated


def test_every_equivalent_entry_matches_a_mutant_of_the_current_code(tool):
    entries = tool.read_equivalents()
    assert entries, "benchmarks/mutation_equivalent.txt lists no mutant"
    by_path = {}
    for entry in entries:
        mutants = by_path.setdefault(entry["path"], tool.find_mutants(entry["path"]))
        assert any(tool.equivalence_reason(m, [entry]) for m in mutants), (
            f"stale entry in mutation_equivalent.txt: {entry['path']} {entry['description']} {entry['code']}"
        )


def test_the_finder_makes_the_documented_kinds_of_mutant(tool, tmp_path):
    (tmp_path / "sample.py").write_text(
        "def f(a, b, net):\n    net.eval()\n    if a < b and not a:\n        return a + 1\n    return a * 2.5\n"
    )
    described = {m.description for m in tool.find_mutants("sample.py", root=tmp_path)}
    assert {
        "`<` -> `>=`",
        "`and` -> `or`",
        "`not` removed",
        "`+` -> `-`",
        "`1` -> `2`",
        "`*` -> `/`",
        "`2.5` -> `0.0`",
        "call statement removed",
        "returned value -> `None`",
        "`.eval()` -> `.train()`",
    } <= described


def mirror_test_module(path: str) -> str:
    """The test module that mirrors a code module (README, "Tests"): fcn_course/data.py -> tests/test_data.py,
    fcn_course/instructor/leaks.py -> tests/test_instructor_leaks.py, solutions/losses.py ->
    tests/test_solutions_losses.py."""
    parts = list(Path(path).with_suffix("").parts)
    if parts[0] == "fcn_course":
        parts = parts[1:]
    return "tests/test_" + "_".join(parts) + ".py"


def test_every_test_module_of_the_map_exists(tool):
    for unit, tests in tool.MODULE_TESTS.items():
        for test in tests:
            assert (REPO_ROOT / test).is_file(), f"MODULE_TESTS[{unit!r}] names {test}, which does not exist"


def test_a_unit_runs_exactly_the_test_modules_of_its_map_entry(tool):
    """The map is explicit: no test module is attached by its file name (stems collide: checks/metrics.py and
    fcn_course/metrics.py, checks/training.py and solutions/training.py...)."""
    units = tool.module_units([])
    assert set(units) == set(tool.MODULE_TESTS)
    for unit, (_, tests) in units.items():
        assert tests == list(tool.MODULE_TESTS[unit])


def test_a_mutated_module_s_own_test_module_is_in_its_map_entry(tool):
    for unit, (files, tests) in tool.module_units([]).items():
        for path in files:
            mirror = mirror_test_module(path)
            if (REPO_ROOT / mirror).is_file():
                assert mirror in tests, f"{mirror} tests {path}: add it to MODULE_TESTS[{unit!r}]"


def test_a_test_module_missing_from_the_disk_stops_the_run(tool, monkeypatch):
    monkeypatch.setattr(tool, "MODULE_TESTS", {"fcn_course/metrics.py": ["tests/test_no_such_module.py"]})
    with pytest.raises(SystemExit, match="test_no_such_module.py"):
        tool.module_units([])


def code_modules() -> list:
    """Every module of the student package and its instructor wing, and the training script, that has code."""
    paths = sorted(p.relative_to(REPO_ROOT).as_posix() for p in (REPO_ROOT / "fcn_course").rglob("*.py"))
    return [*paths, "scripts/train.py"]


def test_every_module_with_code_is_mutated_by_a_unit_of_the_map(tool):
    """A module left out of MODULE_TESTS is never mutated, so nobody learns how weak its tests are (issue #19)."""
    mutated = {path for files, _ in tool.module_units([]).values() for path in files}
    missing = [path for path in code_modules() if tool.find_mutants(path) and path not in mutated]
    assert not missing, f"add these modules to MODULE_TESTS (benchmarks/mutation_test.py) with their tests: {missing}"


def test_the_same_seed_draws_the_same_sample_and_another_seed_another(tool):
    mutants = tool.find_mutants("fcn_course/metrics.py")
    assert len(mutants) > 20
    first = tool.sample(mutants, 10, seed=1)
    assert len(first) == 10 and first == tool.sample(mutants, 10, seed=1)
    assert first != tool.sample(mutants, 10, seed=2)
    assert [m.start for m in first] == sorted(m.start for m in first)
    assert tool.sample(mutants, 0, seed=1) == mutants

"""Mutation testing of the course's core: do the tests notice a small, realistic bug?

For every listed module the script makes "mutants" (one small change each: a comparison flipped, an
operator swapped, a constant changed, a call removed, a returned value replaced by None, ``eval()`` and
``train()`` swapped...), runs the tests of that module against each mutant and counts how many mutants
make a test fail ("killed"). A surviving mutant is a bug the suite would let through.

How, so that it is fast and never touches your files:

* the repository is copied to a temporary folder; mutants are written into that copy only;
* a baseline run of each module's tests records, with ``coverage``, which test runs which line, and how
  long each test takes; a mutant then runs only the tests that execute its line, fastest first, and
  stops at the first failure (``-x``); a line that only runs at import time (a default argument, a
  module constant) gets all the module's tests; a line no test executes is a survivor without a run;
* each mutant's pytest runs in a fork of this process, which has already imported torch & co., so it
  does not pay their import time; it gets a fresh copy of the data folder built by the baseline and a
  per-mutant time limit (a mutant that hangs counts as killed, by timeout).

Mutants listed in ``benchmarks/mutation_equivalent.txt`` cannot change behaviour: they are left out of
the kill rate and printed apart. An entry whose reason starts with "CUDA only" is a mutant that only a GPU
can show (a tensor moved to the GPU, mixed precision): on a machine with CUDA it is run like any other
(its tests are skipped elsewhere), without CUDA it is set apart as "needs a GPU". With ``--max-mutants N`` (default 60) a module with more mutants is
sampled, deterministically (the same mutants on every run of the same code); the output says so.

Run (from the repository root; not part of CI: the default run, every module of the map, takes hours on 2 CPU
cores; run a few modules, a small sample (--max-mutants, --seed) or the fast tests only (-m)):

    python benchmarks/mutation_test.py                          # every module
    python benchmarks/mutation_test.py --module engine data     # modules whose path contains a word
    python benchmarks/mutation_test.py --max-mutants 0          # every mutant, no sampling
    python benchmarks/mutation_test.py --module plots --max-mutants 12 --seed 3 -m "not slow and not kernel"
                                          # another sample of 12, run against the fast tests only
    python benchmarks/mutation_test.py --list                   # the mutants, without running anything
    python benchmarks/mutation_test.py --known-bugs             # only KNOWN_BUGS (issue #15), a few minutes
"""

from __future__ import annotations

import argparse
import ast
import hashlib
import json
import os
import platform
import re
import shutil
import signal
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
EQUIVALENT_FILE = REPO_ROOT / "benchmarks" / "mutation_equivalent.txt"
RESULTS_FILE = REPO_ROOT / ".cache" / "mutation" / "last_run.json"
KNOWN_BUGS_FILE = REPO_ROOT / ".cache" / "mutation" / "known_bugs.json"
# An entry of mutation_equivalent.txt whose reason starts with this is a mutant only a GPU can show: it is
# run (and must be killed) where CUDA is available, and set apart ("needs a GPU") elsewhere.
CUDA_ONLY = "CUDA only"
COPY_IGNORE = (
    ".git",
    ".cache",
    ".venv",
    "runs",
    "__pycache__",
    ".pytest_cache",
    ".hypothesis",
    "*.egg-info",
    ".ipynb_checkpoints",
    "build",
    "dist",
)

# What is mutated, and the test modules that guard it: an explicit map, nothing is added by file name. Each module's
# own test module (tests/test_<module>.py, tests/test_instructor_<module>.py, tests/test_solutions_<module>.py,
# tests/test_checks_<module>.py) is listed with the other test modules that exercise its code.
# tests/test_mutation_tool.py checks that every file named here exists and that no mirror test module is missing.
CHECK_TESTS = [
    f"tests/test_checks_{name}.py"
    for name in (
        "metrics",
        "models",
        "training",
        "upsampling",
        "losses",
        "scores",
        "challenges",
        "feedback",
        "registry",
    )
]
TOOLING_TESTS = ["tests/test_definitions.py", "tests/test_instructor_build.py"]
MODULE_TESTS = {
    # -- the student package --------------------------------------------------------------------------------------
    "fcn_course/__main__.py": ["tests/test_cli.py"],
    "fcn_course/backbones.py": ["tests/test_backbones.py", "tests/test_checks_models.py"],
    "fcn_course/colab.py": ["tests/test_colab.py"],
    "fcn_course/config.py": ["tests/test_config.py"],
    "fcn_course/data.py": ["tests/test_data.py", "tests/test_download.py"],
    "fcn_course/definitions.py": TOOLING_TESTS,
    "fcn_course/download.py": ["tests/test_download.py"],
    "fcn_course/engine.py": ["tests/test_engine.py"],
    "fcn_course/environment.py": ["tests/test_environment.py"],
    "fcn_course/experiments.py": ["tests/test_experiments.py"],
    "fcn_course/files.py": ["tests/test_files.py"],
    "fcn_course/metrics.py": ["tests/test_metrics.py"],
    "fcn_course/outline.py": ["tests/test_outline.py"],
    "fcn_course/predict.py": ["tests/test_predict.py"],
    "fcn_course/profiles.py": ["tests/test_profiles.py"],
    "fcn_course/quiz.py": ["tests/test_quiz.py"],
    "fcn_course/report.py": ["tests/test_report.py", "tests/test_experiments.py"],
    "fcn_course/runs.py": ["tests/test_runs.py", "tests/test_engine.py"],
    "fcn_course/synthetic.py": ["tests/test_synthetic.py"],
    "fcn_course/voc.py": ["tests/test_voc.py"],
    "fcn_course/widgets.py": ["tests/test_widgets.py"],
    "fcn_course/checks/*.py": [*CHECK_TESTS, "tests/test_exercise.py"],
    "fcn_course/messages/*.py": ["tests/test_messages.py"],
    "fcn_course/plots/*.py": ["tests/test_plots.py"],
    # -- the instructor wing ---------------------------------------------------------------------------------------
    "fcn_course/instructor/__init__.py": ["tests/test_cli.py"],
    "fcn_course/instructor/__main__.py": ["tests/test_cli.py"],
    "fcn_course/instructor/build.py": ["tests/test_instructor_build.py"],
    "fcn_course/instructor/colab_cells.py": ["tests/test_colab.py", "tests/test_instructor_build.py"],
    "fcn_course/instructor/course.py": ["tests/test_instructor_course.py"],
    "fcn_course/instructor/execute.py": ["tests/test_instructor_build.py", "tests/test_instructor_course.py"],
    "fcn_course/instructor/grade.py": ["tests/test_instructor_grade.py"],
    "fcn_course/instructor/grade_child.py": ["tests/test_instructor_grade.py"],
    "fcn_course/instructor/grade_class.py": ["tests/test_instructor_grade_class.py"],
    "fcn_course/instructor/grade_review.py": ["tests/test_instructor_grade.py"],
    "fcn_course/instructor/grade_time.py": ["tests/test_instructor_grade_time.py"],
    "fcn_course/instructor/grade_zygote.py": [
        "tests/test_instructor_grade_zygote.py",
        "tests/test_instructor_grade.py",
    ],
    "fcn_course/instructor/includes.py": ["tests/test_instructor_build.py", "tests/test_instructor_leaks.py"],
    "fcn_course/instructor/leaks.py": ["tests/test_instructor_leaks.py", "tests/test_instructor_release.py"],
    "fcn_course/instructor/lms.py": ["tests/test_instructor_lms.py"],
    "fcn_course/instructor/markers.py": [
        "tests/test_instructor_markers.py",
        "tests/test_instructor_build.py",
        "tests/test_instructor_release.py",
    ],
    "fcn_course/instructor/mathjax.py": ["tests/test_instructor_course.py", "tests/test_site.py"],
    "fcn_course/instructor/nbgrader_autograde.py": ["tests/test_nbgrader_export.py"],
    "fcn_course/instructor/nbgrader_export.py": ["tests/test_nbgrader_export.py"],
    "fcn_course/instructor/pairs.py": ["tests/test_instructor_build.py", "tests/test_outline.py"],
    "fcn_course/instructor/pipeline.py": ["tests/test_instructor_build.py", "tests/test_nbgrader_export.py"],
    "fcn_course/instructor/publish.py": ["tests/test_publish.py"],
    "fcn_course/instructor/reference.py": ["tests/test_instructor_reference.py"],
    "fcn_course/instructor/release.py": ["tests/test_instructor_release.py"],
    "fcn_course/instructor/sandbox.py": ["tests/test_instructor_grade.py"],
    "fcn_course/instructor/site.py": ["tests/test_site.py"],
    "fcn_course/instructor/translation.py": ["tests/test_instructor_translation.py"],
    "fcn_course/instructor/editions.py": ["tests/test_instructor_editions.py"],
    "fcn_course/instructor/pages.py": ["tests/test_instructor_pages.py"],
    "fcn_course/instructor/student.py": ["tests/test_instructor_build.py"],
    "fcn_course/instructor/sync.py": ["tests/test_instructor_build.py", "tests/test_colab.py"],
    # -- the training script and the reference solutions -----------------------------------------------------------
    "scripts/train.py": ["tests/test_runs.py", "tests/test_engine.py", "tests/test_profiles.py"],
    "solutions/*.py": [
        "tests/test_models.py",
        "tests/test_solutions_fcn_alexnet.py",
        "tests/test_solutions_fcn_vgg16.py",
        "tests/test_solutions_fcn_vgg16_scores.py",
        "tests/test_solutions_losses.py",
        "tests/test_solutions_upsampling.py",
        *CHECK_TESTS,
    ],
}
# Real bugs that once survived every test (issue #15), re-introduced on every run and outside the sampling:
# each must be killed. (name, file, original text, buggy text); the original must occur once in the file.
KNOWN_BUGS = [
    (
        "validation in training mode (dropout on)",
        "fcn_course/engine.py",
        "    net.eval()\n    matrix = ConfusionMatrix(",
        "    net.train()\n    matrix = ConfusionMatrix(",
    ),
    (
        "best.pt written every epoch",
        "fcn_course/runs.py",
        "    if history.best_epoch() == epoch:\n        save_checkpoint(",
        "    if True:\n        save_checkpoint(",
    ),
    (
        "labels zoomed bilinearly under augmentation",
        "fcn_course/data.py",
        "    label = F.resize(label, new_size, interpolation=v2.InterpolationMode.NEAREST)",
        "    label = tv_tensors.Mask(F.resize(label.as_subclass(torch.Tensor)[None], new_size, antialias=True)[0])",
    ),
    (
        "Exercise 0 check never compares Dice",
        "fcn_course/checks/metrics.py",
        'zip(("IoU", "Dice"), got, want)',
        'zip(("IoU",), got, want)',
    ),
    (
        "optimiser check tries only the pretrained cases",
        "fcn_course/checks/training.py",
        "        for pretrained, skip, momentum, weight_decay in OPTIMIZER_CASES:",
        "        for pretrained, skip, momentum, weight_decay in OPTIMIZER_CASES[:2]:",
    ),
    (
        "optimiser check never looks at weight_decay",
        "fcn_course/checks/training.py",
        '    if not all(math.isclose(decay, args["weight_decay"]) for decay in decays):',
        "    if False:",
    ),
    (
        "subset cache name ignores the class list",
        "fcn_course/data.py",
        "    key = json.dumps([list(classes), min_classes, SUBSET_RULE])",
        "    key = json.dumps([min_classes, SUBSET_RULE])",
    ),
]
# Heavy libraries imported once by this process, so that each forked test run starts with them loaded.
PRELOAD = (
    "numpy",
    "torch",
    "torchvision",
    "torchvision.transforms.v2",
    "PIL.Image",
    "matplotlib",
    "matplotlib.pyplot",
    "sklearn.metrics",
    "hypothesis",
    "nbformat",
    "jupytext",
    "tqdm.auto",
    "pytest",
    "coverage",
)


# --------------------------------------------------------------------------------------------------
# Mutants
# --------------------------------------------------------------------------------------------------
@dataclass
class Mutant:
    path: str  # relative to the repository root
    line: int
    start: int  # byte offsets of the replaced span in the file
    end: int
    replacement: bytes
    description: str  # e.g. "`<` -> `>=`"
    code: str  # the original line, stripped

    @property
    def key(self) -> str:
        return f"{self.path}:{self.line}:{self.start}:{self.description}"

    def apply(self, source: bytes) -> bytes:
        return source[: self.start] + self.replacement + source[self.end :]


COMPARE_FLIPS = {
    ast.Eq: ast.NotEq,
    ast.NotEq: ast.Eq,
    ast.Lt: ast.GtE,
    ast.GtE: ast.Lt,
    ast.Gt: ast.LtE,
    ast.LtE: ast.Gt,
    ast.Is: ast.IsNot,
    ast.IsNot: ast.Is,
    ast.In: ast.NotIn,
    ast.NotIn: ast.In,
}
BINARY_SWAPS = {
    ast.Add: ast.Sub,
    ast.Sub: ast.Add,
    ast.Mult: ast.Div,
    ast.Div: ast.Mult,
    ast.FloorDiv: ast.Div,
    ast.Mod: ast.FloorDiv,
    ast.Pow: ast.Mult,
    ast.BitAnd: ast.BitOr,
    ast.BitOr: ast.BitAnd,
    ast.MatMult: ast.Mult,
}
SYMBOLS = {
    ast.Eq: "==",
    ast.NotEq: "!=",
    ast.Lt: "<",
    ast.GtE: ">=",
    ast.Gt: ">",
    ast.LtE: "<=",
    ast.Is: "is",
    ast.IsNot: "is not",
    ast.In: "in",
    ast.NotIn: "not in",
    ast.Add: "+",
    ast.Sub: "-",
    ast.Mult: "*",
    ast.Div: "/",
    ast.FloorDiv: "//",
    ast.Mod: "%",
    ast.Pow: "**",
    ast.BitAnd: "&",
    ast.BitOr: "|",
    ast.MatMult: "@",
    ast.And: "and",
    ast.Or: "or",
}
MODE_SWAPS = {"eval": "train", "train": "eval"}


class MutantFinder(ast.NodeVisitor):
    """Walks one module and lists its mutants (code only: no docstring, string, annotation or __main__ block)."""

    def __init__(self, path: str, source: bytes):
        self.path, self.source = path, source
        self.lines = source.splitlines(keepends=True)
        self.line_starts = [0]
        for text in self.lines:
            self.line_starts.append(self.line_starts[-1] + len(text))
        self.mutants: list[Mutant] = []

    # -- positions -----------------------------------------------------------------------------
    def offset(self, line: int, col: int) -> int:
        return self.line_starts[line - 1] + col  # ast columns are UTF-8 byte offsets

    def span(self, node) -> tuple:
        return self.offset(node.lineno, node.col_offset), self.offset(node.end_lineno, node.end_col_offset)

    def add(self, node, start: int, end: int, replacement: str, description: str):
        line_text = self.lines[node.lineno - 1].decode("utf-8", "replace")
        if "pragma: no mutate" in line_text:
            return
        self.mutants.append(
            Mutant(self.path, node.lineno, start, end, replacement.encode(), description, line_text.strip())
        )

    def replace_token(self, node, gap_start: int, gap_end: int, old: str, new: str):
        """Replace the operator ``old`` found between two operands (bytes gap_start..gap_end) by ``new``."""
        gap = self.source[gap_start:gap_end].decode()
        pattern = (
            r"\b" + r"\s+".join(map(re.escape, old.split())) + r"\b"
            if old[0].isalpha()
            else r"(?<![*/<>=!])" + re.escape(old) + r"(?![*/<>=])"
        )
        match = re.search(pattern, gap)
        if match is None:
            return
        new_gap = gap[: match.start()] + new + gap[match.end() :]
        self.add(node, gap_start, gap_end, new_gap, f"`{old}` -> `{new}`")

    def none_keeping_lines(self, start: int, end: int) -> str:
        """``None``, spread over as many lines as the replaced text so that line numbers stay put."""
        newlines = self.source[start:end].count(b"\n")
        return "None" if not newlines else "(None" + "\n" * newlines + ")"

    # -- what is skipped -----------------------------------------------------------------------
    def visit_If(self, node):
        test = node.test
        if isinstance(test, ast.Compare) and isinstance(test.left, ast.Name) and test.left.id == "__name__":
            return  # the script entry point
        self.generic_visit(node)

    def visit_FunctionDef(self, node):
        self.visit_body_with_docstring(node)
        for default in node.args.defaults + [d for d in node.args.kw_defaults if d is not None]:
            self.visit(default)  # default-argument changes come from the constant operator
        for decorator in node.decorator_list:
            self.visit(decorator)

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_ClassDef(self, node):
        self.visit_body_with_docstring(node)

    def visit_Module(self, node):
        self.visit_body_with_docstring(node)

    def visit_body_with_docstring(self, node):
        body = node.body
        if (
            body
            and isinstance(body[0], ast.Expr)
            and isinstance(body[0].value, ast.Constant)
            and isinstance(body[0].value.value, str)
        ):
            body = body[1:]
        for statement in body:
            self.visit(statement)

    def visit_AnnAssign(self, node):
        if node.value is not None:
            self.visit(node.value)

    def visit_Assign(self, node):
        if any(isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets):
            return
        self.generic_visit(node)

    def visit_JoinedStr(self, node):
        return  # f-strings: messages

    # -- operators -----------------------------------------------------------------------------
    def visit_Compare(self, node):
        operands = [node.left] + node.comparators
        for left, op, right in zip(operands, node.ops, operands[1:]):
            flip = COMPARE_FLIPS.get(type(op))
            if flip:
                self.replace_token(node, self.span(left)[1], self.span(right)[0], SYMBOLS[type(op)], SYMBOLS[flip])
        self.generic_visit(node)

    def visit_BinOp(self, node):
        swap = BINARY_SWAPS.get(type(node.op))
        if swap:
            self.replace_token(
                node, self.span(node.left)[1], self.span(node.right)[0], SYMBOLS[type(node.op)], SYMBOLS[swap]
            )
        self.generic_visit(node)

    def visit_AugAssign(self, node):
        swap = BINARY_SWAPS.get(type(node.op))
        if swap:
            self.replace_token(
                node,
                self.span(node.target)[1],
                self.span(node.value)[0],
                SYMBOLS[type(node.op)] + "=",
                SYMBOLS[swap] + "=",
            )
        self.generic_visit(node)

    def visit_BoolOp(self, node):
        old = SYMBOLS[type(node.op)]
        new = "or" if old == "and" else "and"
        start, end = self.span(node)
        text = self.source[start:end].decode()
        pieces, cursor = [], 0
        for value in node.values:  # swap every `and`/`or` between the operands, keep the operands
            value_start, value_end = (s - start for s in self.span(value))
            gap = text[cursor:value_start]
            pieces.append(re.sub(rf"\b{old}\b", new, gap) + text[value_start:value_end])
            cursor = value_end
        pieces.append(text[cursor:])
        self.add(node, start, end, "".join(pieces), f"`{old}` -> `{new}`")
        self.generic_visit(node)

    def visit_UnaryOp(self, node):
        if isinstance(node.op, ast.Not):
            start, end = self.span(node)
            operand_start, operand_end = self.span(node.operand)
            self.add(node, start, end, self.source[operand_start:operand_end].decode(), "`not` removed")
        self.generic_visit(node)

    def visit_List(self, node):
        if any(isinstance(e, (ast.List, ast.Tuple)) for e in node.elts):
            return  # a table of numbers (a test matrix): data, not logic
        self.generic_visit(node)

    visit_Tuple = visit_List

    def visit_Constant(self, node):
        value = node.value
        if isinstance(value, bool):
            new, description = repr(not value), f"`{value}` -> `{not value}`"
        elif isinstance(value, int):
            new, description = repr(value + 1), f"`{value}` -> `{value + 1}`"
        elif isinstance(value, float):
            changed = 0.0 if value else 1.0
            new, description = repr(changed), f"`{value!r}` -> `{changed!r}`"
        else:
            return  # strings, bytes, None, Ellipsis
        start, end = self.span(node)
        self.add(node, start, end, new, description)

    def visit_Expr(self, node):
        call = node.value.value if isinstance(node.value, ast.Await) else node.value
        if isinstance(call, ast.Call):
            start, end = self.span(node)
            self.add(node, start, end, self.none_keeping_lines(start, end), "call statement removed")
        self.generic_visit(node)

    def visit_Return(self, node):
        value = node.value
        if value is not None and not (isinstance(value, ast.Constant) and value.value is None):
            start, end = self.span(value)
            self.add(node, start, end, self.none_keeping_lines(start, end), "returned value -> `None`")
        self.generic_visit(node)

    def visit_Call(self, node):
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr in MODE_SWAPS and not node.args:
            end = self.offset(func.end_lineno, func.end_col_offset)
            new = MODE_SWAPS[func.attr]
            self.add(node, end - len(func.attr), end, new, f"`.{func.attr}()` -> `.{new}()`")
        self.generic_visit(node)


def find_mutants(path: str, root: Path = REPO_ROOT) -> list:
    source = (root / path).read_bytes()
    finder = MutantFinder(path, source)
    finder.visit(ast.parse(source))
    unique = {}
    for mutant in finder.mutants:
        unique.setdefault((mutant.start, mutant.end, mutant.replacement), mutant)
    return sorted(unique.values(), key=lambda m: (m.start, m.description))


def known_bug_mutants(files: list, root: Path = REPO_ROOT) -> list:
    """The KNOWN_BUGS that live in ``files``, as mutants; a bug whose original text is gone stops the run."""
    mutants = []
    for name, path, old, new in KNOWN_BUGS:
        if path not in files:
            continue
        source = (root / path).read_bytes()
        count = source.count(old.encode())
        if count != 1:
            raise SystemExit(
                f"KNOWN_BUGS: '{name}': its original text occurs {count} times in {path} (expected "
                "once); the code changed: update the entry so that it re-introduces the same bug."
            )
        start = source.index(old.encode())
        line = source[:start].count(b"\n") + 1
        mutants.append(
            Mutant(
                path,
                line,
                start,
                start + len(old.encode()),
                new.encode(),
                f"known bug: {name}",
                old.strip().splitlines()[0],
            )
        )
    return mutants


def sample(mutants: list, limit: int, seed: int = 0) -> list:
    """At most ``limit`` mutants, chosen by a hash of what they are and of ``seed`` (stable from run to run).

    The same seed on the same code gives the same mutants; another seed draws another sample (seed 0 is the
    sample of the runs made before the option existed).
    """
    if not limit or len(mutants) <= limit:
        return mutants
    salt = f"{seed}|" if seed else ""

    def stable_hash(m):
        return hashlib.sha1(f"{salt}{m.path}|{m.code}|{m.description}|{m.start}".encode()).hexdigest()

    chosen = sorted(mutants, key=stable_hash)[:limit]
    return sorted(chosen, key=lambda m: m.start)


# --------------------------------------------------------------------------------------------------
# Equivalent mutants: "path:line<TAB>mutation<TAB>original line<TAB>reason" (line only a hint)
# --------------------------------------------------------------------------------------------------
def read_equivalents(path: Path = EQUIVALENT_FILE) -> list:
    entries = []
    if not path.exists():
        return entries
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        fields = raw.split("\t")
        if len(fields) != 4:
            raise SystemExit(
                f"{path}:{number}: expected 4 tab-separated fields "
                "(path:line, mutation, original line, reason), got {len(fields)}."
            )
        location, description, code, reason = (f.strip() for f in fields)
        entries.append({"path": location.rsplit(":", 1)[0], "description": description, "code": code, "reason": reason})
    return entries


def equivalence_reason(mutant: Mutant, entries: list):
    for entry in entries:
        if (entry["path"], entry["description"], entry["code"]) == (mutant.path, mutant.description, mutant.code):
            return entry["reason"]
    return None


# --------------------------------------------------------------------------------------------------
# Running pytest in a fork of this process
# --------------------------------------------------------------------------------------------------
def cuda_available() -> bool:
    """Asked in a child process: initialising CUDA here would make it unusable in the forked test runs."""
    import subprocess

    probe = subprocess.run(
        [sys.executable, "-c", "import torch; print(torch.cuda.is_available())"], capture_output=True, text=True
    )
    return probe.stdout.strip() == "True"


HAS_CUDA = False  # set by main()


def preload():
    os.environ.setdefault("MPLBACKEND", "Agg")
    for name in PRELOAD:
        try:
            __import__(name)
        except ImportError:
            pass


def run_pytest_forked(copy_root: Path, arguments: list, env: dict, timeout: float, before=None):
    """Run pytest with ``arguments`` in a child process; return (exit code, seconds). 124 = timed out."""
    tic = time.perf_counter()
    pid = os.fork()
    if pid == 0:  # the child: never returns
        code = 70
        try:
            os.setpgid(0, 0)
            null = os.open(os.devnull, os.O_WRONLY)
            os.dup2(null, 1)
            os.dup2(null, 2)
            os.chdir(copy_root)
            sys.path.insert(0, str(copy_root))
            sys.dont_write_bytecode = True  # a stale .pyc must never stand in for a mutant
            os.environ.update(env)
            import pytest

            plugins = [before()] if before else []
            code = int(pytest.main(["-q", "-p", "no:randomly", "-p", "no:cacheprovider", *arguments], plugins=plugins))
        except BaseException:  # noqa: BLE001  (whatever happens, the child must exit here)
            code = 71
        finally:
            os._exit(code)
    deadline = tic + timeout
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status), time.perf_counter() - tic
        if time.perf_counter() > deadline:
            try:
                os.killpg(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            os.waitpid(pid, 0)
            return 124, time.perf_counter() - tic
        time.sleep(0.05)


class BaselineRecorder:
    """pytest plugin for the baseline run: one coverage context per test, and each test's time and outcome."""

    def __init__(self, cov, out_file: Path):
        self.cov, self.out_file = cov, out_file
        self.durations, self.failed = {}, set()

    def pytest_runtest_protocol(self, item, nextitem):
        self.cov.switch_context(item.nodeid)
        self.started = time.perf_counter()

    def pytest_runtest_logreport(self, report):
        if report.failed:
            self.failed.add(report.nodeid)
        if report.when == "teardown":
            self.durations[report.nodeid] = time.perf_counter() - self.started
            self.cov.switch_context("")

    def pytest_sessionfinish(self, session):
        self.cov.stop()
        self.cov.save()
        self.out_file.write_text(json.dumps({"durations": self.durations, "failed": sorted(self.failed)}))


def run_baseline(copy_root: Path, work: Path, module_paths: list, test_files: list, env: dict):
    """Run every needed test file once on the original code, with coverage per test.

    Returns ({test id: seconds}, {module path: {line: [test ids]}}, [failed test ids], seconds).
    """
    data_file, summary = work / "baseline.coverage", work / "baseline.json"

    def recorder():
        import coverage

        cov = coverage.Coverage(data_file=str(data_file), include=[str(copy_root / p) for p in module_paths])
        cov.start()
        return BaselineRecorder(cov, summary)

    code, seconds = run_pytest_forked(copy_root, test_files, env, timeout=3600, before=recorder)
    if not summary.exists():
        raise SystemExit(
            f"the baseline test run failed (pytest exit code {code}); run the tests by hand: "
            f"python -m pytest {' '.join(test_files)}"
        )
    record = json.loads(summary.read_text())
    import coverage

    data = coverage.CoverageData(basename=str(data_file))
    data.read()
    lines = {}
    for path in module_paths:
        by_line = data.contexts_by_lineno(str(copy_root / path)) or {}
        lines[path] = {int(k): v for k, v in by_line.items()}
    return record["durations"], lines, record["failed"], seconds


# --------------------------------------------------------------------------------------------------
# The run
# --------------------------------------------------------------------------------------------------
@dataclass
class Result:
    mutant: dict
    status: str  # killed / timeout / survived / not covered / equivalent / error
    seconds: float = 0.0
    tests_run: int = 0
    reason: str = ""


@dataclass
class ModuleReport:
    path: str  # the unit: a file or a glob
    files: list
    tests: list
    total_mutants: int = 0
    results: list = field(default_factory=list)
    known: list = field(default_factory=list)  # KNOWN_BUGS in this unit's files
    known_results: list = field(default_factory=list)


def module_units(filters) -> dict:
    """{unit: (files, test files)} for the units whose name or files contain one of ``filters`` (all when empty).

    A unit is one entry of MODULE_TESTS: one file, or a package's files (``fcn_course/checks/*.py``), with the
    test modules listed there (a missing one stops the run).
    """
    chosen = {}
    for pattern, tests in MODULE_TESTS.items():
        files = [
            p.relative_to(REPO_ROOT).as_posix()
            for p in sorted(REPO_ROOT.glob(pattern))
            if p.name != "__init__.py" or p.read_text().strip()
        ]
        if filters and not any(f in pattern or any(f in path for path in files) for f in filters):
            continue
        missing = [t for t in tests if not (REPO_ROOT / t).is_file()]
        if missing:
            raise SystemExit(f"MODULE_TESTS[{pattern!r}] names test modules that do not exist: {', '.join(missing)}")
        chosen[pattern] = (files, list(tests))
    return chosen


def tests_for(mutant: Mutant, line_tests: dict, module_tests: list, durations: dict, failed: set):
    """The tests to run for a mutant, fastest first; None when no test executes its line."""
    covering = set()
    end_line = mutant.line + mutant.replacement.count(b"\n")
    seen_at_import = False
    for line in range(mutant.line, end_line + 1):
        for context in line_tests.get(line, []):
            if context:
                covering.add(context)
            else:
                seen_at_import = True
    covering = {t for t in covering if t in durations and t not in failed and t.split("::")[0] in module_tests}
    if not covering:
        if not seen_at_import:
            return None
        covering = {t for t in durations if t.split("::")[0] in module_tests and t not in failed}
    return sorted(covering, key=lambda t: durations.get(t, 0.0))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--module", nargs="*", default=[], help="only modules whose path contains one of these")
    parser.add_argument(
        "--max-mutants", type=int, default=60, help="sample at most this many mutants per module (0 = all; default 60)"
    )
    parser.add_argument(
        "--timeout-factor",
        type=float,
        default=3.0,
        help="a mutant's time limit: this times its tests' baseline time, plus 30 s",
    )
    parser.add_argument(
        "--seed", type=int, default=0, help="which sample of mutants --max-mutants draws (same seed, same mutants)"
    )
    parser.add_argument(
        "-m",
        "--markers",
        default="",
        help='run only the tests that match this pytest marker expression, e.g. "not slow and not kernel"',
    )
    parser.add_argument("--list", action="store_true", help="list the mutants and stop")
    parser.add_argument(
        "--known-bugs", action="store_true", help="run only the KNOWN_BUGS (issue #15's survivors), no sampled mutants"
    )
    options = parser.parse_args(argv)

    modules = module_units(options.module)
    if not modules:
        raise SystemExit(f"no module matches {options.module}; known: {', '.join(MODULE_TESTS)}")
    equivalents = read_equivalents()
    reports = []
    for unit, (files, tests) in modules.items():
        every = [mutant for path in files for mutant in find_mutants(path)]
        report = ModuleReport(unit, files, tests, total_mutants=len(every))
        report.mutants = [] if options.known_bugs else sample(every, options.max_mutants, options.seed)
        report.known = known_bug_mutants(files)
        if report.known or not options.known_bugs:
            reports.append(report)
    if options.list:
        for report in reports:
            for mutant in report.known + report.mutants:
                print(f"{mutant.path}:{mutant.line}\t{mutant.description}\t{mutant.code}")
        return 0

    tic = time.perf_counter()
    global HAS_CUDA
    HAS_CUDA = cuda_available()
    preload()
    work = Path(tempfile.mkdtemp(prefix="fcn_mutation_"))
    copy_root = work / "repo"
    shutil.copytree(REPO_ROOT, copy_root, ignore=shutil.ignore_patterns(*COPY_IGNORE), symlinks=True)
    pristine_data = work / "data"
    base_env = {
        "FCN_COURSE_DATA": str(pristine_data),
        "FCN_COURSE_RUNS": str(work / "runs"),
        "XDG_CACHE_HOME": str(work / "xdg"),
        "PYTHONDONTWRITEBYTECODE": "1",
        "MPLBACKEND": "Agg",
        "PYTHONPATH": str(copy_root),
    }
    all_tests = sorted({t for r in reports for t in r.tests})
    print(f"Baseline: {len(all_tests)} test files on the original code, with coverage per test...", flush=True)
    marker_options = ["-m", options.markers] if options.markers else []
    durations, line_tests, failed, baseline_seconds = run_baseline(
        copy_root, work, [f for r in reports for f in r.files], [*marker_options, *all_tests], base_env
    )
    failed = set(failed)
    print(
        f"  {len(durations)} tests in {baseline_seconds:.0f} s"
        + (f"; {len(failed)} FAIL on the original code and are not used: {sorted(failed)}" if failed else ""),
        flush=True,
    )

    try:
        for report in reports:
            run_module(
                report,
                copy_root,
                work,
                pristine_data,
                base_env,
                line_tests,
                durations,
                failed,
                equivalents,
                options.timeout_factor,
            )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    seconds = time.perf_counter() - tic
    print_summary(reports, seconds, baseline_seconds, options.max_mutants, table=not options.known_bugs)
    save_results(reports, seconds, options)
    return 0


def run_module(
    report, copy_root, work, pristine_data, base_env, line_tests, durations, failed, equivalents, timeout_factor
):
    tic = time.perf_counter()
    print(
        f"\n{report.path}: {len(report.mutants)} mutants"
        + (f" (sampled from {report.total_mutants})" if len(report.mutants) < report.total_mutants else "")
        + f", tests: {' '.join(report.tests)}",
        flush=True,
    )
    for mutant in report.known:
        tests = tests_for(mutant, line_tests.get(mutant.path, {}), report.tests, durations, failed)
        result = (
            Result(asdict_mutant(mutant), "not covered")
            if tests is None
            else run_mutant(
                mutant,
                tests,
                copy_root,
                work,
                pristine_data,
                base_env,
                timeout=timeout_factor * sum(durations[t] for t in tests) + 30,
            )
        )
        report.known_results.append(result)
        print(
            f"  {result.status:8s} {mutant.description[len('known bug: ') :]} ({mutant.path}:{mutant.line})", flush=True
        )
    for number, mutant in enumerate(report.mutants, 1):
        reason = equivalence_reason(mutant, equivalents)
        if reason and reason.startswith(CUDA_ONLY) and not HAS_CUDA:
            result = Result(asdict_mutant(mutant), "needs a GPU", reason=reason)
        elif reason and not reason.startswith(CUDA_ONLY):
            result = Result(asdict_mutant(mutant), "equivalent", reason=reason)
        else:
            tests = tests_for(mutant, line_tests.get(mutant.path, {}), report.tests, durations, failed)
            if tests is None:
                result = Result(asdict_mutant(mutant), "not covered")
            else:
                result = run_mutant(
                    mutant,
                    tests,
                    copy_root,
                    work,
                    pristine_data,
                    base_env,
                    timeout=timeout_factor * sum(durations[t] for t in tests) + 30,
                )
        report.results.append(result)
        mark = {
            "killed": ".",
            "timeout": "t",
            "survived": "S",
            "not covered": "N",
            "equivalent": "e",
            "needs a GPU": "g",
            "error": "E",
        }[result.status]
        print(mark, end="" if number % 60 else "\n", flush=True)
    report.seconds = time.perf_counter() - tic
    print(f"  [{report.seconds:.0f} s]", flush=True)


def asdict_mutant(mutant: Mutant) -> dict:
    record = asdict(mutant)
    record["replacement"] = mutant.replacement.decode("utf-8", "replace")
    return record


def run_mutant(mutant, tests, copy_root: Path, work: Path, pristine_data: Path, base_env, timeout):
    target = copy_root / mutant.path
    original = target.read_bytes()
    scratch = work / "mutant"
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir()
    if pristine_data.exists():
        shutil.copytree(pristine_data, scratch / "data", symlinks=True)
    env = dict(
        base_env,
        FCN_COURSE_DATA=str(scratch / "data"),
        FCN_COURSE_RUNS=str(scratch / "runs"),
        XDG_CACHE_HOME=str(scratch / "xdg"),
    )
    try:
        target.write_bytes(mutant.apply(original))
        code, seconds = run_pytest_forked(copy_root, ["-x", *tests], env, timeout)
    finally:
        target.write_bytes(original)
    # 1: a test failed; 2-4: the mutant broke collection or an import (a conftest, a module constant);
    # 5 (no test collected) or a crash of the child is the tool's problem, shown as an error.
    status = {0: "survived", 1: "killed", 2: "killed", 3: "killed", 4: "killed", 124: "timeout"}.get(code, "error")
    return Result(
        asdict_mutant(mutant),
        status,
        seconds,
        len(tests),
        reason="" if status != "error" else f"pytest exit code {code}",
    )


def print_summary(reports, seconds, baseline_seconds, max_mutants, table=True):
    if table:
        print_rates(reports, seconds, baseline_seconds, max_mutants)
    print_known_and_survivors(reports)


def print_rates(reports, seconds, baseline_seconds, max_mutants):
    print("\nmodule                                 mutants  killed  survived  equivalent  GPU  kill rate   time")
    for report in reports:
        counts = {
            s: sum(r.status == s for r in report.results)
            for s in ("killed", "timeout", "survived", "not covered", "equivalent", "needs a GPU", "error")
        }
        killed = counts["killed"] + counts["timeout"]
        alive = counts["survived"] + counts["not covered"] + counts["error"]
        rate = killed / (killed + alive) if killed + alive else float("nan")
        sampled = f"{len(report.results)}/{report.total_mutants}"
        print(
            f"{report.path:38s} {sampled:>8s}  {killed:6d}  {alive:8d}  {counts['equivalent']:10d}  "
            f"{counts['needs a GPU']:3d}  {rate:8.1%}  {report.seconds:5.0f} s"
        )
    print(
        f"\nTotal {seconds / 60:.1f} min (baseline {baseline_seconds:.0f} s) on {platform.node() or 'this machine'}, "
        f"{os.cpu_count()} CPUs, Python {platform.python_version()}."
        + (f" Modules with more than {max_mutants} mutants were sampled (deterministically)." if max_mutants else "")
    )


def print_known_and_survivors(reports):
    known = [r for report in reports for r in report.known_results]
    if known:
        caught = sum(r.status in ("killed", "timeout") for r in known)
        print(
            f"\nKnown bugs (issue #15, not sampled, not in the rates above): {caught}/{len(known)} killed"
            + ("" if caught == len(known) else " -- a test that used to catch one no longer does:")
        )
        for r in known:
            if r.status not in ("killed", "timeout"):
                print(f"  {r.mutant['path']}:{r.mutant['line']}\t{r.mutant['description']}\t[{r.status}]")
    survivors = [r for report in reports for r in report.results if r.status in ("survived", "not covered", "error")]
    if survivors:
        print(
            "\nSurvivors (a test should fail on each; or, if it cannot change behaviour, list it in "
            f"{EQUIVALENT_FILE.relative_to(REPO_ROOT)}):"
        )
        for r in survivors:
            m = r.mutant
            note = {"not covered": " [no test runs this line]", "error": f" [{r.reason}]"}.get(r.status, "")
            print(f"  {m['path']}:{m['line']}\t{m['description']}\t{m['code']}{note}")
    on_gpu = [r for report in reports for r in report.results if r.status == "needs a GPU"]
    if on_gpu:
        print(
            "\nNeed a GPU to be observed (left out of the kill rate here; run this script on a CUDA machine, "
            "where their tests run):"
        )
        for r in on_gpu:
            m = r.mutant
            print(f"  {m['path']}:{m['line']}\t{m['description']}\t{m['code']}\t-- {r.reason}")
    equivalent = [r for report in reports for r in report.results if r.status == "equivalent"]
    if equivalent:
        print("\nEquivalent (left out of the kill rate):")
        for r in equivalent:
            m = r.mutant
            print(f"  {m['path']}:{m['line']}\t{m['description']}\t{m['code']}\t-- {r.reason}")


def save_results(reports, seconds, options):
    results_file = KNOWN_BUGS_FILE if options.known_bugs else RESULTS_FILE
    results_file.parent.mkdir(parents=True, exist_ok=True)
    results_file.write_text(
        json.dumps(
            {
                "seconds": seconds,
                "max_mutants": options.max_mutants,
                "machine": platform.node(),
                "cpus": os.cpu_count(),
                "modules": [
                    {
                        "path": r.path,
                        "files": r.files,
                        "tests": r.tests,
                        "total_mutants": r.total_mutants,
                        "results": [asdict(x) for x in r.results],
                        "known_bugs": [asdict(x) for x in r.known_results],
                    }
                    for r in reports
                ],
            },
            indent=1,
        )
    )
    print(f"\nEvery result: {results_file.relative_to(REPO_ROOT)}")


if __name__ == "__main__":
    sys.exit(main())

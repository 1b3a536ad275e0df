"""Grading one student's notebook with the course's self-checks, without touching the submission.

Grading RUNS THE STUDENT'S CODE (the definitions of their notebook: imports, functions, classes, constants).
So each submission is graded in a separate Python process (``grade_child``) with limits (memory, CPU time,
file size, processes, a time limit that kills its whole process group), in a temporary folder that is its
HOME and working folder, with an environment of its own, in smoke mode, and inside a bubblewrap sandbox where
one works (``sandbox``). The submission itself is only read, never followed through a link (a link, a folder
or a device is reported as "not a regular file"), and its hash is compared before and after.

Nobody is fooled: the child cannot import ``solutions`` or the instructor wing, its result must carry a token
only the grader knows, and the code that judges is fingerprinted before the student's code runs and compared
after. What the student's code did to get around that, and source code that imports the solutions or uses
tools that can reach the checks (frames, patched modules), puts the submission up for manual review: the
``review`` reasons below; tampering also gives the status ``tampered``.

The report (Markdown, for the student, its sentences from the message catalogue ``fcn_course.messages``) lists
each exercise, the cells that failed, and which reflection answers (Markdown solution regions, "_Escreva sua
resposta aqui._" in the student notebook) were written. Everything the submission produced (error messages,
check feedback quoting it) is escaped or fenced, so it can never add Markdown of its own. A broken cell, a
crashing check, a time-out, an unreadable file or a report that cannot be written is reported, never fatal.
``fcn_course.instructor.grade_class`` grades a whole class folder with this.

Languages: each submission is graded in its own language, the one its Colab set-up cell gives
``FCN_COURSE_LANG`` (``fcn_course.colab``; read from the source with ``ast``, never run:
:func:`submission_language`), else the course's default; its report, the checks' feedback (the child is
told the language explicitly, whatever its environment or the zygote it was forked from) and the student
notebook its answers are found through (``notebooks/<language>/`` for a translated edition) follow it.
``grade(language=...)`` (``grade --lang``) puts every submission in one language instead.
"""

from __future__ import annotations

import ast
import hashlib
import json
import os
import re
import secrets
import stat
import sys
import tempfile
from pathlib import Path
from typing import Optional

import nbformat

from fcn_course.files import atomic_write
from fcn_course.instructor import sandbox
from fcn_course.instructor.grade_review import INSTRUCTOR_CODE, INTERPRETER_TOOLS, source_review  # noqa: F401
from fcn_course.instructor.grade_time import run_limited, timeout_message
from fcn_course.instructor.markers import answer_placeholders
from fcn_course.instructor.pairs import STUDENT_DIR
from fcn_course.environment import LANG_ENV
from fcn_course.messages import DEFAULT_LANGUAGE, LANGUAGES, active_language, known_language, speaking, text

DEFAULT_TIMEOUT = 300  # seconds of CPU time per submission (measured: at most ~40 s, notebook 04's VGG16s)
PACKAGE_PARENT = Path(__file__).resolve().parents[2]  # the folder that holds fcn_course/ (and solutions/)
SOLUTIONS_DIR = PACKAGE_PARENT / "solutions"
MAX_SUBMISSION_BYTES = 100 * 2**20  # a notebook with every figure is a few MB
MAX_RESULT_BYTES = 20 * 2**20

# The statuses of a graded submission (also the "status" column of the class CSV): machine values, the same in
# every language; people read them through status_label.
OK, INVALID, TIMEOUT, CRASHED = "ok", "invalid", "timed_out", "crashed"
TAMPERED, NOT_A_FILE = "tampered", "not_a_file"
STATUS_LABELS = {
    OK: "grade.status_ok",
    INVALID: "grade.status_invalid",
    TIMEOUT: "grade.status_timed_out",
    CRASHED: "grade.status_crashed",
    TAMPERED: "grade.status_tampered",
    NOT_A_FILE: "grade.status_not_a_file",
}

# Why a submission is up for manual review (the "review" column of the class CSV, space-separated).
# INSTRUCTOR_CODE: imports or reads solutions/ or the instructor wing; INTERPRETER_TOOLS: the source uses
# frames, gc, ctypes, or assigns into imported modules (both also found in the source: grade_review).
PRIVATE_FILES = "private_files"  # tried to read or change the class folder, the reports, the home
CHECKS_REPLACED = "checks_replaced"  # the code that judges changed while the submission ran
FORGED_RESULT = "forged_result"  # the result file did not come from the grader
FILE_CHANGED = "file_changed"  # the submission changed while it was graded
TAMPERING = (CHECKS_REPLACED, FORGED_RESULT, FILE_CHANGED)  # these make the status TAMPERED


def status_label(status: str) -> str:
    """What people read for a status: ``"timed_out"`` -> ``"tempo esgotado"`` (from the message catalogue)."""
    return text(STATUS_LABELS[status])


# --------------------------------------------------------------------------------------------------
# Reflection answers: found through the student notebook the submission was made from
# --------------------------------------------------------------------------------------------------
def _same_cell(cell, source: str, cell_id: Optional[str]) -> bool:
    return cell.source.strip() == source or (cell_id is not None and cell.get("id") == cell_id)


def _first_line(text: str) -> str:
    return next((line.strip(" #*") for line in text.splitlines() if line.strip(" #*")), "")[:80]


_BOLD = re.compile(r"\*\*(.+?)\*\*(?!\*)")
_NUMBERED = re.compile(r"^(\w{1,3})\.$")  # **2.**


# **Pergunta de reflexão A ...**, **Previsão 1.**: the words are the notebooks' language, so in the catalogue.
class _InAnyLanguage:
    """A catalogue pattern tried in every language of the catalogue, looked up when used: a notebook in
    Portuguese graded with ``--lang en`` (or the other way round) still has its labels found."""

    def __init__(self, key: str):
        self.key = key

    def _patterns(self):
        return [re.compile(text(self.key, language=language), re.IGNORECASE) for language in LANGUAGES]

    def search(self, value: str):
        return next((found for pattern in self._patterns() if (found := pattern.search(value))), None)

    def finditer(self, value: str):
        return next((pattern.finditer(value) for pattern in self._patterns() if pattern.search(value)), iter(()))


_QUESTION = _InAnyLanguage("grade.question_label_pattern")
_PREDICTION = _InAnyLanguage("grade.prediction_label_pattern")


def _plain(markdown: str) -> str:
    """Markdown emphasis and code marks removed, white space collapsed: ``**2.** Abra *a*`` -> ``2. Abra a``."""
    return " ".join(re.sub(r"[*_`]+", "", markdown).split())


def question_label(source: str):
    """The notebook's own name for a reflection question (``Pergunta 2``, ``Pergunta A``, ``Previsões 1 e 2``)
    and its text without the label, from the bold label the question cell starts its paragraph with.

    ``(None, first line)`` when the cell has no such label (the report then numbers the question itself).
    """
    for paragraph in re.split(r"\n\s*\n", source):
        labels = [
            (match, _NUMBERED.match(match.group(1).strip()) or _QUESTION.search(match.group(1)))
            for match in _BOLD.finditer(paragraph)
        ]
        found = [(match, label) for match, label in labels if label]
        if found:
            match, label = found[0]
            rest = _plain(paragraph[match.end() :])
            return text("grade.question_label", number=label.group(1)), rest[:80]
        predictions = [(match, _PREDICTION.search(match.group(1))) for match in _BOLD.finditer(paragraph)]
        if any(found for _, found in predictions):
            first = next(match for match, found in predictions if found)
            bold = [_plain(m.group(1)).strip(" .:") for m in _BOLD.finditer(source) if _PREDICTION.search(m.group(1))]
            numbers = list(
                dict.fromkeys(m.group(1) for label in bold for m in _PREDICTION.finditer(label) if m.group(1))
            )
            if len(bold) == 1 or not numbers:  # the notebook's own words: "Previsão 3", "Previsão (antes de rodar)"
                return bold[0], _plain(paragraph[first.end() :])[:80]
            listed = text("grade.and_join", first=", ".join(numbers[:-1]), last=numbers[-1])
            return text("grade.predictions_label", numbers=listed), _plain(paragraph[first.end() :])[:80]
    return None, _plain(_first_line(source))


def reflection_answers(submission, template) -> list:
    """One ``{"question", "answered"}`` per reflection question of ``template`` (the student notebook).

    A question's answer is whatever the submission holds between the question cell and the cell that follows
    the placeholder in the template (the student may edit the placeholder cell or add cells below it); it is
    answered when any of those cells holds something besides the placeholder.
    """
    answers, start = [], 0
    cells = submission.cells
    for index, cell in enumerate(template.cells):
        if cell.cell_type != "markdown" or cell.source.strip() not in answer_placeholders() or index == 0:
            continue
        question = template.cells[index - 1]
        following = template.cells[index + 1] if index + 1 < len(template.cells) else None
        at = next(
            (i for i in range(start, len(cells)) if _same_cell(cells[i], question.source.strip(), question.get("id"))),
            None,
        )
        if at is None:  # the question cell was edited too: fall back on the placeholder cell's id
            region = [c for c in cells if cell.get("id") is not None and c.get("id") == cell.get("id")]
        else:
            end = next(
                (
                    i
                    for i in range(at + 1, len(cells))
                    if following is not None and _same_cell(cells[i], following.source.strip(), following.get("id"))
                ),
                len(cells),
            )
            region, start = cells[at + 1 : end], end
        written = [c for c in region if c.source.strip() and c.source.strip() not in answer_placeholders()]
        label, question_text = question_label(question.source)
        answers.append({"question": question_text, "answered": bool(written), "label": label})
    return answers


def _template_for(notebook: Optional[str], language: str = DEFAULT_LANGUAGE):
    """The student notebook a submission was made from: that of its language's edition
    (``notebooks/en/<name>.ipynb``, ``instructor.editions``) when there is one, else the course's own
    ``notebooks/<name>.ipynb``; None if unknown."""
    if not notebook:
        return None
    folders = [STUDENT_DIR] if language == DEFAULT_LANGUAGE else [STUDENT_DIR / language, STUDENT_DIR]
    path = next((p for folder in folders if (p := PACKAGE_PARENT / folder / f"{notebook}.ipynb").is_file()), None)
    return nbformat.read(path, as_version=4) if path is not None else None


# --------------------------------------------------------------------------------------------------
# A submission's language: what its set-up cell gives FCN_COURSE_LANG, read from the source, never run
# --------------------------------------------------------------------------------------------------
def _assigned_language(source: str) -> Optional[str]:
    """What a top-level ``os.environ["FCN_COURSE_LANG"] = ...`` of a code cell assigns: the string, ``""``
    for anything but a plain string, None when the cell assigns nothing there (or does not parse)."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        try:
            from fcn_course.definitions import python_source  # ``!pip ...`` lines around it

            tree = ast.parse(python_source(source))
        except Exception:  # noqa: BLE001 - whatever the student wrote, the grader goes on
            return None
    for node in tree.body:
        if not isinstance(node, ast.Assign):
            continue
        for target in node.targets:
            if (
                isinstance(target, ast.Subscript)
                and isinstance(target.value, (ast.Attribute, ast.Name))
                and ast.unparse(target.value) in ("os.environ", "environ")
                and isinstance(target.slice, ast.Constant)
                and target.slice.value == LANG_ENV
            ):
                value = node.value
                return value.value if isinstance(value, ast.Constant) and isinstance(value.value, str) else ""
    return None


def submission_language(nb) -> str:
    """The language a submission speaks: what the first code cell that sets ``FCN_COURSE_LANG`` assigns to
    it (the Colab set-up cell, the second cell of every course notebook), read with ``ast``, never run.

    Anything that is not a language of the catalogue (an edited line, an expression, a cell that no longer
    parses), or no such line at all (a notebook from before the set-up cell had it), is the course's
    default, :data:`~fcn_course.messages.DEFAULT_LANGUAGE`.
    """
    for cell in nb.get("cells") or []:
        if cell.get("cell_type") != "code":
            continue
        assigned = _assigned_language(str(cell.get("source", "")))
        if assigned is not None:
            try:
                return known_language(assigned)
            except ValueError:
                return DEFAULT_LANGUAGE
    return DEFAULT_LANGUAGE


# --------------------------------------------------------------------------------------------------
# Reading a submission: a regular file, never through a link, parsed from the bytes that were read
# --------------------------------------------------------------------------------------------------
def _error_text(error: BaseException) -> str:
    message = str(error).splitlines()[0] if str(error) else ""
    return f"{type(error).__name__}: {message}"


def read_entry(path: Path):
    """``(bytes, None, None)`` for a regular file, else ``(None, status, reason)``; a link is never followed."""
    try:
        info = os.lstat(path)
    except OSError as error:
        return None, INVALID, _error_text(error)
    if stat.S_ISLNK(info.st_mode):
        return None, NOT_A_FILE, text("grade.not_a_file_link")
    if stat.S_ISDIR(info.st_mode):
        return None, NOT_A_FILE, text("grade.not_a_file_folder")
    if not stat.S_ISREG(info.st_mode):
        return None, NOT_A_FILE, text("grade.not_a_file_other")
    if info.st_size > MAX_SUBMISSION_BYTES:
        return None, INVALID, text("grade.too_big", size=info.st_size / 2**20, limit=MAX_SUBMISSION_BYTES / 2**20)
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        with os.fdopen(os.open(path, flags), "rb") as handle:
            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):  # swapped after lstat
                return None, NOT_A_FILE, text("grade.not_a_file_other")
            return handle.read(MAX_SUBMISSION_BYTES + 1), None, None
    except OSError as error:  # swapped for a link after lstat (ELOOP), unreadable...
        return None, INVALID, _error_text(error)


def _structure_problem(nb) -> Optional[str]:
    """What makes a parsed notebook impossible to grade (a cell without ``source``...), None when fine."""
    cells = nb.get("cells")
    if not isinstance(cells, list):
        return text("grade.invalid_no_cells")
    for number, cell in enumerate(cells, start=1):
        if (
            not isinstance(cell, dict)
            or cell.get("cell_type") not in ("code", "markdown", "raw")
            or not isinstance(cell.get("source"), str)
        ):
            return text("grade.invalid_cell", number=number)
    return None


def parse_submission(data: bytes, suffix: str):
    """The notebook in ``data`` (``.py``: jupytext py:percent), or the reason it cannot be read."""
    try:
        source = data.decode("utf-8")
        if suffix == ".py":
            import jupytext

            nb = jupytext.reads(source, fmt="py:percent")
        else:
            nb = nbformat.reads(source, as_version=4)
    except Exception as error:
        return None, _error_text(error)
    problem = _structure_problem(nb)
    return (None, problem) if problem else (nb, None)


# --------------------------------------------------------------------------------------------------
# The child process (grade_child): limits, environment, guard rules, sandbox; its result checked here
# --------------------------------------------------------------------------------------------------
def _guard_rules(workdir: Path, readable: list, private) -> dict:
    """The folders the child's guard denies (solutions, instructor wing, private folders) and allows."""
    instructor = Path(__file__).resolve().parent
    real = os.path.realpath  # the guard compares resolved paths
    return {
        "denied": [real(SOLUTIONS_DIR), real(instructor)],
        "allowed_files": [
            real(instructor / name) for name in ("__init__.py", "grade_child.py", "sandbox.py", "grade_time.py")
        ],
        "allowed": [real(workdir)] + [real(path) for path in readable],
        "private": [real(path) for path in private if sandbox.can_hide(path)],
    }


def _private_folders(submission: Path, private) -> list:
    """What a submission must not read or change: its folder and ``private`` (the class folders, the reports),
    the instructor's working folder and home, and the temporary root (other submissions' folders)."""
    return list(
        dict.fromkeys(
            [Path(p) for p in private] + [submission.parent, Path.cwd(), Path.home(), Path(tempfile.gettempdir())]
        )
    )


def _read_result(path: Path, token: str, run, timeout: float, attempts: int) -> dict:
    """The child's result, checked: it exists, it is JSON, and it carries the token (``run``: how the child
    ended, a ``grade_time.ChildRun``)."""
    if run.limit is not None:
        return {"status": TIMEOUT, "checks_error": timeout_message(run, timeout, attempts)}
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0)
    try:
        with os.fdopen(os.open(path, flags), "rb") as handle:
            raw = handle.read(MAX_RESULT_BYTES)
    except OSError:
        raw = None
    if run.returncode != 0 or raw is None:
        tail = " | ".join((run.stderr or run.stdout).strip().splitlines()[-5:])
        return {"status": CRASHED, "checks_error": text("grade.child_crashed", code=run.returncode, tail=tail)}
    try:
        data = json.loads(raw.decode("utf-8"))
        if not isinstance(data, dict):
            raise ValueError(text("grade.not_a_json_object"))
    except ValueError as error:
        return {"status": CRASHED, "checks_error": text("grade.unreadable_result", error=_error_text(error))}
    if not secrets.compare_digest(str(data.get("token", "")), token):
        return {"status": TAMPERED, "checks_error": text("grade.forged_result_detail"), "review": {FORGED_RESULT: []}}
    return _checked_result(data)


def _checked_result(data: dict) -> dict:
    """The child's result with the types the report expects (anything else: a crash, reported)."""
    try:
        exercises = [
            {
                "key": str(e.get("key")),
                "name": str(e["name"]),
                "passed": e["passed"] is True,
                "messages": [str(m) for m in e["messages"]],
            }
            for e in data["exercises"]
        ]
        cell_errors = [
            {"cell": e.get("cell"), "label": str(e["label"]), "error": str(e["error"])} for e in data["cell_errors"]
        ]
        blocked, replaced = list(data.get("blocked") or []), [str(name) for name in data.get("replaced") or []]
    except (KeyError, TypeError, AttributeError) as error:
        return {"status": CRASHED, "checks_error": text("grade.unreadable_result", error=_error_text(error))}
    review = {}
    for attempt in blocked:
        reason = INSTRUCTOR_CODE if attempt.get("kind") == "instructor" else PRIVATE_FILES
        review.setdefault(reason, []).append(str(attempt.get("what")))
    if replaced:
        review[CHECKS_REPLACED] = replaced
    checks_error = data.get("checks_error")
    return {
        "status": OK,
        "exercises": exercises,
        "cell_errors": cell_errors,
        "checks_error": None if checks_error is None else str(checks_error),
        "review": review,
    }


def _run_child(
    copy_path: Path,
    timeout: float,
    sandbox_mode: str = "none",
    limits=sandbox.DEFAULT_LIMITS,
    private=(),
    retries: int = 1,
    zygotes=None,
) -> dict:
    """Run ``grade_child`` on the copy (its folder is the child's) with ``timeout`` seconds of CPU time, tried
    again ``retries`` times after a time-out (``grade_time``), with the other limits and, for ``"bwrap"``, in the
    sandbox; the result checked by :func:`_read_result`. With ``zygotes`` (a ``grade_zygote.ZygotePool``), the
    child is forked from this thread's pre-imported zygote instead of started afresh; in the bwrap sandbox that
    zygote runs in the sandbox itself and the copy goes to a new folder in its work area (a zygote that fails
    falls back on a fresh process)."""
    hidden = sandbox.outermost(sandbox.hidden_folders([*private, SOLUTIONS_DIR])) if sandbox_mode == "bwrap" else []
    if zygotes is not None:
        from fcn_course.instructor.grade_zygote import ZygoteGone

        try:
            zygote = zygotes.get(sandbox_mode, hidden)
            if zygote.work is None:
                return _attempts(copy_path, timeout, sandbox_mode, limits, private, retries, hidden, zygote)
            with zygote.workdir() as workdir:
                copy = workdir / copy_path.name
                copy.write_bytes(copy_path.read_bytes())
                return _attempts(copy, timeout, sandbox_mode, limits, private, retries, hidden, zygote)
        except ZygoteGone as error:
            print(text("grade.zygote_fallback", error=error), file=sys.stderr)
    return _attempts(copy_path, timeout, sandbox_mode, limits, private, retries, hidden, None)


def _attempts(copy_path: Path, timeout, sandbox_mode, limits, private, retries, hidden, zygote) -> dict:
    """The attempts of :func:`_run_child` in the copy's folder, each with a new token file; the checked result."""
    from fcn_course.checks import exercises

    workdir = copy_path.parent
    modules = sorted({row.module for row in exercises()})  # the child checks against this process's registry
    paths = sandbox.python_path(workdir, modules)
    readable = sandbox.readable_paths(paths)
    config = {
        "copy": str(copy_path),
        "result": str(workdir / "result.json"),
        "token": str(workdir / "token"),
        "limits": sandbox.limits_for_child(limits),
        "modules": modules,
        "rules": _guard_rules(workdir, readable, private),
        "language": active_language(),  # the child speaks it whatever its environment says (grade_child)
    }
    command = [sys.executable, "-s", "-B", "-m", "fcn_course.instructor.grade_child", json.dumps(config)]
    if sandbox_mode == "bwrap":
        command = sandbox.bwrap_command(command, workdir, readable, hidden)
    token, environment = secrets.token_hex(16), sandbox.child_environment(workdir, paths)
    for attempt in range(1, retries + 2):  # noqa: B007 - grade_time.run_with_retry, with a new token file for each attempt
        sandbox.write_token(workdir / "token", token)  # the child reads it and deletes it before any student code
        if zygote is not None:
            run = zygote.run(config, timeout, cwd=workdir, env=environment)
        else:
            run = sandbox.signal_code(
                run_limited(command, timeout, cwd=workdir, env=environment), sandbox_mode, timeout
            )
        if run.limit is None:
            break
    result = _read_result(workdir / "result.json", token, run, timeout, attempt)
    return {
        **result,
        "process": {"cpu_s": run.cpu_s, "wall_s": run.wall_s, "peak_mb": run.peak_mb, "private_mb": run.private_mb},
    }


# --------------------------------------------------------------------------------------------------
# The report: what the submission produced is escaped or fenced, never read as Markdown
# --------------------------------------------------------------------------------------------------
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~])")


def one_line(value) -> str:
    """``value`` as text on one line (a Markdown line break in it could start a heading or a block)."""
    return " ⏎ ".join(re.split(r"\r\n|\r|\n", str(value))).strip()


def md_text(value) -> str:
    """Text from the submission, shown as it is: one line, every Markdown character escaped."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", one_line(value))


def md_code(value) -> str:
    """Text from the submission as inline code, whatever backticks it holds."""
    value = one_line(value)
    ticks = "`" * (max((len(run) for run in re.findall(r"`+", value)), default=0) + 1)
    pad = " " if value.startswith("`") or value.endswith("`") else ""
    return f"{ticks}{pad}{value}{pad}{ticks}"


def md_block(value) -> str:
    """Text from the submission as a fenced block, with a fence longer than any backtick run inside it."""
    value = str(value)
    fence = "`" * max(3, max((len(run) for run in re.findall(r"`+", value)), default=0) + 1)
    return f"{fence}\n{value}\n{fence}"


def _review_lines(review: dict) -> list:
    if not review:
        return []
    lines = [f"## ⚠️ {text('grade.review_heading')}", "", text("grade.review_intro"), ""]
    for reason, details in review.items():
        shown = ", ".join(md_code(detail) for detail in details[:5]) + (" …" if len(details) > 5 else "")
        lines.append(f"- {text(f'grade.review_{reason}')}" + (f" ({shown})" if details else ""))
    return lines + [""]


def split_challenges(exercises: list) -> tuple:
    """``(graded exercises, Desafios)``: a Desafio (``challenge=True`` row) is extra work, reported apart and never
    counted in ``passed``, ``total``, the class table's passed exercises or the numeric grade."""
    from fcn_course.checks import is_challenge

    graded = [exercise for exercise in exercises if not is_challenge(exercise.get("key"))]
    return graded, [exercise for exercise in exercises if is_challenge(exercise.get("key"))]


def _challenge_lines(challenges: list) -> list:
    """The report's section of Desafios: extra, each with its feedback."""
    if not challenges:
        return []
    passed = sum(challenge["passed"] for challenge in challenges)
    lines = [
        f"## ⭐ {text('grade.challenges_heading')}",
        "",
        text('grade.challenges_score', passed=passed, total=len(challenges)),
        "",
    ]
    for challenge in challenges:
        lines.append(f"### {'✅' if challenge['passed'] else '➖'} {md_text(challenge['name'])}")
        lines += [f"- {md_text(message)}" for message in challenge["messages"]]
        lines.append("")
    return lines


def report_markdown(name: str, result: dict) -> str:
    """The Markdown report of one graded submission (for the student, sentences from the message catalogue)."""
    exercises, lines = result["exercises"], [f"# {text('grade.report_title', name=md_text(name))}", ""]
    if result["status"] in (INVALID, NOT_A_FILE):
        heading, advice = (
            ("grade.invalid_heading", "grade.invalid_advice")
            if result["status"] == INVALID
            else ("grade.not_a_file_heading", "grade.not_a_file_advice")
        )
        lines += [
            f"## ⚠️ {text(heading)}",
            "",
            text("grade.invalid_reason", error=md_text(result["checks_error"])),
            "",
            text(advice),
            "",
        ]
        return "\n".join(lines)
    lines += _review_lines(result.get("review") or {})
    passed = sum(exercise["passed"] for exercise in exercises)
    if exercises:
        total = len(exercises)
        score = (
            text("grade.score_one", passed=passed, total=total)
            if total == 1
            else text("grade.score_many", passed=passed, total=total)
        )
        lines += [f"**{score}**", ""]
    elif result["status"] == OK and not result["checks_error"]:
        lines += [text("grade.no_code_exercises"), ""]
    reflections = result.get("reflections") or []
    if reflections:
        answered = sum(answer["answered"] for answer in reflections)
        lines += [f"**{text('grade.reflections_score', answered=answered, total=len(reflections))}**", ""]
        labels = [a.get("label") or text("grade.question_label", number=i) for i, a in enumerate(reflections, start=1)]
        lines += [
            f"- ✅ {text('grade.reflection_answered', label=label, question=a['question'])}"
            if a["answered"]
            else f"- ❌ {text('grade.reflection_unanswered', label=label, question=a['question'])}"
            for label, a in zip(labels, reflections)
        ]
        lines.append("")
    for exercise in exercises:
        lines.append(f"## {'✅' if exercise['passed'] else '❌'} {md_text(exercise['name'])}")
        lines += [f"- {md_text(message)}" for message in exercise["messages"]]
        lines.append("")
    lines += _challenge_lines(result.get("challenges") or [])
    if result["checks_error"]:
        title = (
            text("grade.timed_out_heading") if result["status"] == TIMEOUT else text("grade.checks_unfinished_heading")
        )
        lines += [f"## ⚠️ {title}", "", md_block(result["checks_error"]), ""]
    if result["cell_errors"]:
        lines += [f"## ⚠️ {text('grade.cell_errors_heading')}", "", text("grade.cell_errors_intro"), ""]
        lines += [f"- {md_text(error['label'])}: {md_code(error['error'])}" for error in result["cell_errors"]]
        lines.append("")
    return "\n".join(lines)


def write_error_text(path, error: OSError) -> str:
    """What went wrong writing ``path``, naming it (``fcn_course.files`` already explains a full disk)."""
    message = error.strerror or str(error)
    return message if str(path) in message else f"{path}: {message}"


def write_report(path, markdown: str) -> Optional[str]:
    """Write the report atomically (a link at ``path`` is replaced, never written through); None, or what went
    wrong, naming the file (a full disk leaves the previous file or none, never half of one)."""
    try:
        atomic_write(path, lambda temporary: Path(temporary).write_text(markdown, encoding="utf-8"))
    except OSError as error:
        return write_error_text(path, error)
    return None


# --------------------------------------------------------------------------------------------------
# One submission
# --------------------------------------------------------------------------------------------------
def _graded(
    submission: Path,
    data: bytes,
    nb,
    timeout: float,
    sandbox_mode: str,
    limits,
    private,
    retries,
    zygotes=None,
    language: str = DEFAULT_LANGUAGE,
) -> dict:
    """Grade the bytes read from ``submission`` (``nb``, parsed from them): review the source, run the child,
    find the answers through the student notebook of the submission's ``language``."""
    from fcn_course.checks.registry import course_notebook_of

    review = source_review(nb)
    sandbox_mode = sandbox.resolve_sandbox(sandbox_mode)  # asked only when code is about to run
    with tempfile.TemporaryDirectory(prefix="fcn_course_grade_") as workdir:
        copy_path = Path(workdir) / submission.name
        copy_path.write_bytes(data)
        private = _private_folders(submission, private)
        result = _run_child(copy_path, timeout, sandbox_mode, limits, private, retries, zygotes)
    for reason, details in (result.pop("review", None) or {}).items():
        review[reason] = list(dict.fromkeys(review.get(reason, []) + details))
    template = _template_for(course_notebook_of(submission.name), language)
    reflections = reflection_answers(nb, template) if template is not None else []
    return {**result, "review": review, "reflections": reflections, "sandbox": sandbox_mode}


def grade(
    submission_path,
    report_path=None,
    timeout: float = DEFAULT_TIMEOUT,
    name: Optional[str] = None,
    quiet: bool = False,
    retries: int = 1,
    *,
    sandbox_mode: str = "auto",
    limits=sandbox.DEFAULT_LIMITS,
    private=(),
    zygotes=None,
    language: Optional[str] = None,
) -> dict:
    """Grade one student's notebook with the course's checks (``fcn_course.checks.run_all``).

    Returns a dict with ``status`` (``OK``, ``INVALID``, ``TIMEOUT``, ``CRASHED``, ``TAMPERED``, ``NOT_A_FILE``:
    ``status_label`` gives their names for people), ``exercises`` (name, passed, messages), ``cell_errors``,
    ``challenges`` (the Desafios, like ``exercises`` but extra: never in ``passed`` or ``total``),
    ``checks_error``, ``reflections`` (question, answered), ``review`` (``{reason: details}``, see the reasons
    above), ``passed``, ``total``, ``sandbox`` (``"bwrap"`` or ``"none"``; ``""`` when nothing ran) and
    ``report`` (Markdown, printed unless ``quiet``, and written atomically to ``report_path`` when given, its
    folder created;
    ``report_error`` says why it could not be written). ``name`` is how the report names the submission
    (default: file name). The path is taken as given: a link is reported, never followed.
    ``sandbox_mode``: ``auto``, ``bwrap`` or ``none`` (see ``sandbox``); ``limits``: ``sandbox.Limits``;
    ``private``: folders the submission must not read (the class folders, the report folder).
    ``timeout`` is in seconds of CPU time; a time-out is tried again ``retries`` times before it is reported.
    ``zygotes``: a ``grade_zygote.ZygotePool`` to fork the child from (a class: ``grade_class``), None for a
    fresh process; ``process`` in the result: the child's CPU and wall seconds and peak memory (when it ran).
    ``language``: None (each submission in its own: ``language`` in the result, see
    :func:`submission_language`; ``""`` when the file could not be read), or the one every report and check
    speaks (``grade --lang``); ``report_language`` in the result: the one the report and feedback are in.
    """
    submission = Path(os.path.abspath(submission_path))
    forced = None if language is None else known_language(language)
    with speaking(forced or DEFAULT_LANGUAGE):  # what is said about a file that cannot be read
        data, status, reason = read_entry(submission)
        nb, unreadable = parse_submission(data, submission.suffix) if data is not None else (None, None)
    detected = submission_language(nb) if nb is not None else ""
    with speaking(forced or detected or DEFAULT_LANGUAGE) as spoken:
        if data is None:
            result = {"status": status, "checks_error": reason}
        elif nb is None:
            result = {"status": INVALID, "checks_error": unreadable, "review": {}}
        else:
            private = [*private, *([Path(os.path.abspath(report_path)).parent] if report_path is not None else [])]
            result = _graded(
                submission, data, nb, timeout, sandbox_mode, limits, private, retries, zygotes, language=detected
            )
        if data is not None and read_entry(submission)[0] != data:
            result["review"][FILE_CHANGED] = []
        result = {
            "exercises": [],
            "cell_errors": [],
            "checks_error": None,
            "reflections": [],
            "review": {},
            "sandbox": "",
            "process": None,
            **result,
        }
        result["exercises"], result["challenges"] = split_challenges(result["exercises"])
        if any(reason in result["review"] for reason in TAMPERING):
            result["status"] = TAMPERED
        markdown = report_markdown(name or submission.name, result)
    if not quiet:
        print(markdown)
    report_error = write_report(report_path, markdown) if report_path is not None else None
    return {
        "submission": str(submission),
        "sha256": hashlib.sha256(data).hexdigest() if data else None,
        "language": detected,
        "report_language": spoken,
        **result,
        "passed": sum(e["passed"] for e in result["exercises"]),
        "total": len(result["exercises"]),
        "report": markdown,
        "report_error": report_error,
    }

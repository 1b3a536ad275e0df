"""Grading one student's notebook with the course's self-checks, without touching the submission.

Grading RUNS THE STUDENT'S CODE (the definitions of their notebook: imports, functions, classes, constants).
So each submission is graded in a separate Python process, with a time limit, in a temporary folder that is
also its HOME and working directory, in smoke mode; the submission itself is only read (its hash is compared
before and after). It is still the instructor's user that runs that code: grade untrusted submissions in a
container or a throw-away account.

The report (Markdown, for the student, its sentences from the message catalogue ``fcn_course.messages``) lists
each exercise, the cells that failed, and which reflection answers (Markdown solution regions, "_Escreva sua
resposta aqui._" in the student notebook) were written. A broken cell, a crashing check, a time-out or an
unreadable file is reported, never fatal.
``fcn_course.instructor.grade_class`` grades a whole class folder with this.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Optional

import nbformat

from fcn_course.environment import SMOKE_ENV
from fcn_course.instructor.grade_time import limit_own_cpu, run_with_retry, timeout_message
from fcn_course.instructor.markers import ANSWER_PLACEHOLDER
from fcn_course.instructor.pairs import STUDENT_DIR, sha256
from fcn_course.messages import text

DEFAULT_TIMEOUT = 300  # seconds of CPU time per submission (measured: at most ~40 s, notebook 03's VGG16s)
PACKAGE_PARENT = Path(__file__).resolve().parents[2]  # the folder that holds fcn_course/ (and solutions/)

# The statuses of a graded submission (also the "status" column of the class CSV): machine values, the same in
# every language; people read them through status_label.
OK, INVALID, TIMEOUT, CRASHED = "ok", "invalid", "timed_out", "crashed"
STATUS_LABELS = {OK: "grade.status_ok", INVALID: "grade.status_invalid", TIMEOUT: "grade.status_timed_out",
                 CRASHED: "grade.status_crashed"}


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
_QUESTION = re.compile(text("grade.question_label_pattern"), re.IGNORECASE)
_PREDICTION = re.compile(text("grade.prediction_label_pattern"), re.IGNORECASE)


def _plain(markdown: str) -> str:
    """Markdown emphasis and code marks removed, white space collapsed: ``**2.** Abra *a*`` -> ``2. Abra a``."""
    return " ".join(re.sub(r"[*_`]+", "", markdown).split())


def question_label(source: str):
    """The notebook's own name for a reflection question (``Pergunta 2``, ``Pergunta A``, ``Previsões 1 e 2``)
    and its text without the label, from the bold label the question cell starts its paragraph with.

    ``(None, first line)`` when the cell has no such label (the report then numbers the question itself).
    """
    for paragraph in re.split(r"\n\s*\n", source):
        labels = [(match, _NUMBERED.match(match.group(1).strip()) or _QUESTION.search(match.group(1)))
                  for match in _BOLD.finditer(paragraph)]
        found = [(match, label) for match, label in labels if label]
        if found:
            match, label = found[0]
            rest = _plain(paragraph[match.end():])
            return text("grade.question_label", number=label.group(1)), rest[:80]
        predictions = [(match, _PREDICTION.search(match.group(1))) for match in _BOLD.finditer(paragraph)]
        if any(found for _, found in predictions):
            first = next(match for match, found in predictions if found)
            numbers = [m.group(1) for m in _PREDICTION.finditer(source)]
            key = "grade.prediction_label" if len(numbers) == 1 else "grade.predictions_label"
            listed = text("grade.and_join", first=", ".join(numbers[:-1]), last=numbers[-1]) if len(numbers) > 1 \
                else numbers[0]
            return text(key, numbers=listed), _plain(paragraph[first.end():])[:80]
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
        if cell.cell_type != "markdown" or cell.source.strip() != ANSWER_PLACEHOLDER or index == 0:
            continue
        question = template.cells[index - 1]
        following = template.cells[index + 1] if index + 1 < len(template.cells) else None
        at = next((i for i in range(start, len(cells)) if _same_cell(cells[i], question.source.strip(),
                                                                     question.get("id"))), None)
        if at is None:  # the question cell was edited too: fall back on the placeholder cell's id
            region = [c for c in cells if cell.get("id") is not None and c.get("id") == cell.get("id")]
        else:
            end = next((i for i in range(at + 1, len(cells)) if following is not None and
                        _same_cell(cells[i], following.source.strip(), following.get("id"))), len(cells))
            region, start = cells[at + 1:end], end
        written = [c for c in region if c.source.strip() not in ("", ANSWER_PLACEHOLDER)]
        label, question_text = question_label(question.source)
        answers.append({"question": question_text, "answered": bool(written), "label": label})
    return answers


def _template_for(notebook: Optional[str]):
    """The student notebook ``notebooks/<name>.ipynb`` a submission was made from, None if unknown."""
    path = PACKAGE_PARENT / STUDENT_DIR / f"{notebook}.ipynb"
    return nbformat.read(path, as_version=4) if notebook and path.is_file() else None


# --------------------------------------------------------------------------------------------------
# The child process: runs the student's definitions and the checks, writes JSON
# --------------------------------------------------------------------------------------------------
def run_checks(copy_path: Path) -> dict:
    """Grade a copy of the submission in this process: ``{"exercises", "cell_errors", "checks_error"}``."""
    from fcn_course import checks
    from fcn_course.definitions import execute_definition_cells, read_notebook

    namespace, failures = execute_definition_cells(read_notebook(copy_path), name=copy_path.name)
    cell_errors = [{"cell": failure.index, "label": failure.label, "error": failure.error} for failure in failures]
    try:
        exercises = checks.exercises_for_notebook(copy_path.name)
        if exercises is None:  # a name the course does not know: grade the exercises whose names it defines
            exercises = tuple(e.key for e in checks.exercises() if all(name in namespace for name in e.names))
        results = [{"key": r.key, "name": r.exercise, "passed": bool(r.passed),
                    "messages": [str(m) for m in r.messages]}
                   for r in checks.run_all(namespace, exercises=exercises)]
    except Exception as error:  # noqa: BLE001 - report it instead of losing the whole grading
        return {"exercises": [], "cell_errors": cell_errors, "checks_error": f"{type(error).__name__}: {error}"}
    return {"exercises": results, "cell_errors": cell_errors, "checks_error": None}


def _child_environment(workdir: Path) -> dict:
    home = workdir / "home"
    home.mkdir()
    python_path = os.pathsep.join(filter(None, [str(PACKAGE_PARENT), os.environ.get("PYTHONPATH")]))
    return {**os.environ, "HOME": str(home), "USERPROFILE": str(home), SMOKE_ENV: "1", "MPLBACKEND": "Agg",
            "PYTHONPATH": python_path, "PYTHONDONTWRITEBYTECODE": "1",
            # one thread per child: --jobs runs children side by side, and idle OpenMP threads spinning for work
            # on a shared machine cost CPU time (measured: 15 s instead of 27 s for a notebook-02 submission)
            "OMP_NUM_THREADS": os.environ.get("OMP_NUM_THREADS", "1"),
            "MKL_NUM_THREADS": os.environ.get("MKL_NUM_THREADS", "1")}


def _run_child(copy_path: Path, timeout: float, retries: int = 1) -> dict:
    """Run :func:`run_checks` in a separate process (cwd and HOME = the temporary folder), with a limit of
    ``timeout`` seconds of CPU time, tried again ``retries`` times after a time-out (``grade_time``)."""
    from fcn_course.checks import exercises

    out = copy_path.parent / "result.json"
    modules = sorted({row.module for row in exercises()})  # the child checks against this process's registry
    command = [sys.executable, "-m", "fcn_course.instructor.grade", str(copy_path), str(out), *modules]
    done, attempts = run_with_retry(command, timeout, cwd=copy_path.parent, env=_child_environment(copy_path.parent),
                                    retries=retries)
    if done.limit is not None:
        return {"status": TIMEOUT, "checks_error": timeout_message(done, timeout, attempts)}
    if done.returncode != 0 or not out.is_file():
        tail = (done.stderr or done.stdout).strip().splitlines()[-5:]
        return {"status": CRASHED, "checks_error": text("grade.child_crashed", code=done.returncode,
                                                        tail=" | ".join(tail))}
    return {"status": OK, **json.loads(out.read_text(encoding="utf-8"))}


# --------------------------------------------------------------------------------------------------
# The report
# --------------------------------------------------------------------------------------------------
def report_markdown(name: str, result: dict) -> str:
    """The Markdown report of one graded submission (for the student, sentences from the message catalogue)."""
    exercises, lines = result["exercises"], [f"# {text('grade.report_title', name=name)}", ""]
    if result["status"] == INVALID:
        lines += [f"## ⚠️ {text('grade.invalid_heading')}", "",
                  text("grade.invalid_reason", error=result["checks_error"]), "", text("grade.invalid_advice"), ""]
        return "\n".join(lines)
    passed = sum(exercise["passed"] for exercise in exercises)
    if exercises:
        total = len(exercises)
        score = (text("grade.score_one", passed=passed, total=total) if total == 1
                 else text("grade.score_many", passed=passed, total=total))
        lines += [f"**{score}**", ""]
    elif result["status"] == OK and not result["checks_error"]:
        lines += [text("grade.no_code_exercises"), ""]
    reflections = result.get("reflections") or []
    if reflections:
        answered = sum(answer["answered"] for answer in reflections)
        lines += [f"**{text('grade.reflections_score', answered=answered, total=len(reflections))}**", ""]
        labels = [a.get("label") or text("grade.question_label", number=i) for i, a in enumerate(reflections, start=1)]
        lines += [f"- ✅ {text('grade.reflection_answered', label=label, question=a['question'])}" if a["answered"]
                  else f"- ❌ {text('grade.reflection_unanswered', label=label, question=a['question'])}"
                  for label, a in zip(labels, reflections)]
        lines.append("")
    for exercise in exercises:
        lines.append(f"## {'✅' if exercise['passed'] else '❌'} {exercise['name']}")
        lines += [f"- {message}" for message in exercise["messages"]]
        lines.append("")
    if result["checks_error"]:
        title = (text("grade.timed_out_heading") if result["status"] == TIMEOUT
                 else text("grade.checks_unfinished_heading"))
        lines += [f"## ⚠️ {title}", "", f"```\n{result['checks_error']}\n```", ""]
    if result["cell_errors"]:
        lines += [f"## ⚠️ {text('grade.cell_errors_heading')}", "", text("grade.cell_errors_intro"), ""]
        lines += [f"- {error['label']}: `{error['error']}`" for error in result["cell_errors"]]
        lines.append("")
    return "\n".join(lines)


def _read_submission(path: Path):
    """The submitted notebook, or the reason it cannot be read (the error's own words)."""
    try:
        if path.suffix == ".py":
            import jupytext

            return jupytext.read(path, fmt="py:percent"), None
        return nbformat.read(path, as_version=4), None
    except Exception as error:  # noqa: BLE001 - truncated JSON, not a notebook, bad encoding...
        return None, f"{type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}"


def grade(submission_path, report_path=None, timeout: float = DEFAULT_TIMEOUT, name: Optional[str] = None,
          quiet: bool = False, retries: int = 1) -> dict:
    """Grade one student's notebook with the course's checks (``fcn_course.checks.run_all``).

    Returns a dict with ``status`` (``OK``, ``INVALID``, ``TIMEOUT``, ``CRASHED``: ``status_label`` gives their
    names for people), ``exercises``
    (name, passed, messages), ``cell_errors``, ``checks_error``, ``reflections`` (question, answered),
    ``passed``, ``total`` and ``report`` (Markdown, printed unless ``quiet``, and written to ``report_path``
    when given, its folder created). ``name`` is how the report names the submission (default: file name).
    ``timeout`` is in seconds of CPU time; a time-out is tried again ``retries`` times before it is reported.
    """
    from fcn_course.checks.registry import course_notebook_of

    submission = Path(submission_path).resolve()
    digest_before = sha256(submission.read_bytes())
    nb, unreadable = _read_submission(submission)
    if unreadable:
        result = {"status": INVALID, "exercises": [], "cell_errors": [], "checks_error": unreadable}
    else:
        with tempfile.TemporaryDirectory(prefix="fcn_course_grade_") as workdir:
            copy_path = Path(workdir) / submission.name
            shutil.copyfile(submission, copy_path)
            result = {"exercises": [], "cell_errors": [], "checks_error": None,
                      **_run_child(copy_path, timeout, retries)}
        template = _template_for(course_notebook_of(submission.name))
        result["reflections"] = reflection_answers(nb, template) if template is not None else []
    if sha256(submission.read_bytes()) != digest_before:
        raise RuntimeError(f"{submission} changed while it was being graded")
    markdown = report_markdown(name or submission.name, result)
    if not quiet:
        print(markdown)
    if report_path is not None:
        Path(report_path).parent.mkdir(parents=True, exist_ok=True)
        Path(report_path).write_text(markdown, encoding="utf-8")
    return {"submission": str(submission), "sha256": digest_before, "reflections": [], **result,
            "passed": sum(e["passed"] for e in result["exercises"]), "total": len(result["exercises"]),
            "report": markdown}


def _child_main(argv) -> int:
    """``python -m fcn_course.instructor.grade COPY RESULT_JSON [CHECK_MODULE ...]``: what the grading
    process runs; the check modules are imported first, so that their exercises are registered."""
    import importlib

    limit_own_cpu()  # before any student code runs (the parent passed the limit in the environment)
    copy_path, out = Path(argv[0]), Path(argv[1])
    for module in argv[2:]:
        importlib.import_module(module)
    out.write_text(json.dumps(run_checks(copy_path)), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(_child_main(sys.argv[1:]))

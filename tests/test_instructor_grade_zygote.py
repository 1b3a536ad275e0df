"""Tests of the pre-imported grading parent (fcn_course.instructor.grade_zygote): a submission forked from it is
graded as a fresh process grades it, in a process of its own that leaves nothing to the next one, under the same
time limit; a zygote that fails is replaced by a fresh process. The hostile submissions of test_instructor_grade
also run through a zygote there (its ``zygotes`` fixture)."""

import os
import random
import subprocess
import sys

import pytest
from test_instructor_grade import (
    RECALL,
    RIGHT,
    TAMPERING_CELL,
    notebook_01,
    processes_with_arguments,
    setup_says,
    spied,
    spy_cell,
    write,
)

from fcn_course.instructor import grade_zygote
from fcn_course.messages import text
from fcn_course.instructor.sandbox import bwrap_available
from fcn_course.instructor.grade import CHECKS_REPLACED, OK, TAMPERED, TIMEOUT, grade
from fcn_course.instructor.grade_class import grade_class

pytestmark = [
    pytest.mark.subprocess,
    pytest.mark.skipif(not grade_zygote.supported(), reason="no zygote on this platform"),
]


@pytest.fixture(scope="module")
def pool():
    with grade_zygote.ZygotePool() as zygotes:
        yield zygotes


def test_a_forked_submission_gets_the_verdicts_of_a_fresh_process_in_a_process_of_its_own(tmp_path, pool):
    observed = "[os.getpid(), os.getppid(), os.getcwd(), os.environ['HOME'], sys.modules['__main__'].__name__]"
    wrong = write(notebook_01(RECALL, spy_cell(observed)), tmp_path / "ana" / "01_dados_e_metricas.ipynb")
    right = write(notebook_01(RIGHT, spy_cell(observed)), tmp_path / "bia" / "01_dados_e_metricas.ipynb")

    fresh = grade(wrong, quiet=True, sandbox_mode="none")
    forked = [grade(path, quiet=True, sandbox_mode="none", zygotes=pool) for path in (wrong, right)]

    strip = [{k: e[k] for k in ("key", "passed", "messages")} for e in fresh["exercises"]]
    assert [{k: e[k] for k in ("key", "passed", "messages")} for e in forked[0]["exercises"]] == strip
    assert (forked[0]["passed"], forked[1]["passed"]) == (0, 1) and all(r["status"] == OK for r in forked)
    (pid_a, parent_a, cwd_a, home_a, main_a), (pid_b, parent_b, cwd_b, *_) = (spied(r) for r in forked)
    zygote = pool.get().process.pid
    assert parent_a == parent_b == zygote and len({pid_a, pid_b, zygote, os.getpid()}) == 4
    assert cwd_a != cwd_b and home_a.startswith(cwd_a) and main_a == "__main__"
    assert forked[0]["process"]["cpu_s"] > 0 and forked[0]["process"]["private_mb"] > 0


def test_what_one_forked_submission_changes_dies_with_its_child(tmp_path, pool):
    tampering = write(notebook_01(RECALL, TAMPERING_CELL), tmp_path / "ana" / "01_dados_e_metricas.ipynb")
    honest = write(notebook_01(RIGHT), tmp_path / "bia" / "01_dados_e_metricas.ipynb")

    first = grade(tampering, quiet=True, sandbox_mode="none", zygotes=pool)
    second = grade(honest, quiet=True, sandbox_mode="none", zygotes=pool)

    assert first["status"] == TAMPERED and "numpy.allclose" in first["review"][CHECKS_REPLACED]
    assert second["status"] == OK and second["review"] == {} and second["passed"] == 1


PIPES_PROBE = (
    "\n\nclass Probe:\n    import json, os\n    try:\n        os.listdir(f'/proc/{os.getppid()}/fd')\n"
    "        seen = 'allowed'\n    except OSError as error:\n        seen = type(error).__name__\n"
    "    raise RuntimeError('SPY' + json.dumps(seen) + 'YPS')\n"
)


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root reads every process's files")
def test_a_forked_child_cannot_reach_the_zygotes_pipes(tmp_path, pool):
    """The zygote is not dumpable: its open files (the pipes its answers go through) are closed to its children
    (for an ordinary user, as the grader should run: ``sandbox``)."""
    submission = write(notebook_01(RIGHT, PIPES_PROBE), tmp_path / "01_dados_e_metricas.ipynb")
    result = grade(submission, quiet=True, sandbox_mode="none", zygotes=pool)
    assert spied(result) == "PermissionError"


def test_a_forked_submission_that_never_ends_is_stopped_by_the_cpu_limit(tmp_path, pool):
    forever = write(
        notebook_01(RIGHT, "\n\nclass Forever:\n    while True:\n        pass\n"),
        tmp_path / "01_dados_e_metricas.ipynb",
    )
    result = grade(forever, timeout=3, quiet=True, sandbox_mode="none", zygotes=pool)
    assert result["status"] == TIMEOUT and "Tempo esgotado" in result["report"]
    assert pool.get().alive  # the zygote itself goes on


def test_a_zygote_that_fails_is_replaced_by_a_fresh_process(tmp_path, capsys):
    class Broken:
        def get(self, *how):
            raise grade_zygote.ZygoteGone(text("grade.zygote_ended"))

    submission = write(notebook_01(RIGHT), tmp_path / "01_dados_e_metricas.ipynb")
    result = grade(submission, quiet=True, sandbox_mode="none", zygotes=Broken())
    assert result["status"] == OK and result["passed"] == 1
    assert "esta entrega roda num processo novo" in capsys.readouterr().err


def test_a_zygote_that_does_not_say_it_is_ready_is_ended_and_the_grader_is_told(monkeypatch):
    monkeypatch.setattr(grade_zygote, "READY", "a word the zygote never says")
    with pytest.raises(grade_zygote.ZygoteGone) as gone:
        grade_zygote.Zygote()
    assert str(gone.value) == text("grade.zygote_not_started")


def test_a_zygote_that_dies_or_hangs_up_is_reported_and_closed(tmp_path):
    zygote = grade_zygote.Zygote()
    process = zygote.process
    process.kill()
    process.wait()
    with pytest.raises(grade_zygote.ZygoteGone) as gone:
        zygote.run({}, 5, cwd=tmp_path, env={})
    assert str(gone.value).startswith(text("grade.zygote_failed", error="").strip())  # the pipe is broken
    assert process.stdin.closed

    zygote = grade_zygote.Zygote()
    zygote.process.kill()
    zygote.process.wait()
    zygote.process = subprocess.Popen(  # reads the request, then hangs up without an answer
        [sys.executable, "-c", "import sys; sys.stdin.readline()"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    with pytest.raises(grade_zygote.ZygoteGone) as gone:
        zygote.run({}, 5, cwd=tmp_path, env={})
    assert str(gone.value) == text("grade.zygote_ended")
    assert zygote.process.stdout.closed


def test_a_class_is_graded_through_one_zygote_per_job_and_they_end_with_it(tmp_path, monkeypatch):
    started = []
    real_init = grade_zygote.Zygote.__init__

    def counting_init(self, *how):
        real_init(self, *how)
        started.append(self)

    monkeypatch.setattr(grade_zygote.Zygote, "__init__", counting_init)
    for student in ("ana", "bia", "caio"):
        write(notebook_01(RIGHT), tmp_path / "turma" / student / "01_dados_e_metricas.ipynb")

    grades = grade_class([tmp_path / "turma"], tmp_path / "notas", jobs=1, sandbox_mode="none")

    assert [row["status"] for row in grades.rows] == [OK] * 3
    assert len(started) == 1 and not started[0].alive


@pytest.mark.slow
@pytest.mark.parametrize("sandboxed", [False, True], ids=["zygote", "zygote-in-bwrap"])
def test_each_forked_submission_speaks_its_own_language_and_none_is_left_for_the_next(tmp_path, sandboxed):
    """The zygote starts for the first submission, in English (its own environment says ``en``); the children
    it forks one after the other speak each submission's language, in their environment and in the checks'
    feedback: never the zygote's nor the previous submission's."""
    if sandboxed and not bwrap_available():
        pytest.skip("bubblewrap (bwrap) is not installed or cannot run here")
    observed = "[os.environ.get('FCN_COURSE_LANG'), sys.modules['fcn_course.messages'].active_language()]"
    lines = {
        "ana": "os.environ['FCN_COURSE_LANG'] = 'en'",
        "bia": "os.environ['FCN_COURSE_LANG'] = 'pt_BR'",
        "caio": "",  # a notebook from before the line: the course's default
        "davi": "os.environ['FCN_COURSE_LANG'] = 'en'",
    }
    paths = [
        write(setup_says(notebook_01(RECALL, spy_cell(observed)), line), tmp_path / who / "01_dados_e_metricas.ipynb")
        for who, line in lines.items()
    ]
    options = {"quiet": True, "sandbox_mode": "bwrap" if sandboxed else "none", "private": [tmp_path]}
    with grade_zygote.ZygotePool() as zygotes:
        results = [grade(paths[0], zygotes=zygotes, **options)]
        zygote = zygotes.started()
        results += [grade(path, zygotes=zygotes, **options) for path in paths[1:]]
        assert len(zygote) == 1 and zygotes.started() == zygote  # one zygote forked them all

    assert [spied(result) for result in results] == [["en", "en"], ["pt_BR", "pt_BR"], ["pt_BR", "pt_BR"], ["en", "en"]]
    feedback = [" ".join(result["exercises"][0]["messages"]) for result in results]
    assert ["isso é" in text for text in feedback] == [False, True, True, False]
    assert ["this is each class's recall" in text for text in feedback] == [True, False, False, True]


# ---------------------------------------------------------------- a zygote in the bwrap sandbox
LEAVER = """

class Leave:
    import os, subprocess
    for folder in ("/tmp", "/dev/shm", os.path.dirname(os.getcwd()), {hidden!r}):
        subprocess.run(["sh", "-c", f"mkdir -p {{folder}}/left-{marker} && touch {{folder}}/left-{marker}.txt"])
    subprocess.run(["sh", "-c", "setsid sleep {marker} >/dev/null 2>&1 < /dev/null & exit 0"])
"""

LOOKER = """

class Look:
    import json, os, subprocess
    seen = subprocess.run(["sh", "-c", "ls -A /tmp /dev/shm .. {hidden}; cat /proc/[0-9]*/cmdline | tr '\\\\0' ' '"],
                          capture_output=True, text=True).stdout
    raise RuntimeError("SPY" + json.dumps(seen) + "YPS")
"""


@pytest.fixture(scope="module")
def sandboxed_pool():
    if not bwrap_available():
        pytest.skip("bubblewrap (bwrap) is not installed or cannot run here")
    with grade_zygote.ZygotePool() as zygotes:
        yield zygotes


@pytest.mark.safety
def test_in_the_sandbox_nothing_of_one_submission_reaches_the_next_one_of_the_same_zygote(tmp_path, sandboxed_pool):
    """Files in /tmp, /dev/shm, the work area and the hidden (empty, writable) class folder and instructor's home,
    and a grandchild that left the child's session (setsid, in the background): all gone when the next submission
    runs, forked from the same zygote."""
    marker = str(random.randint(10**6, 10**7))
    turma = tmp_path / "turma"
    hidden = (str(turma), os.path.expanduser("~"))
    leaver = LEAVER.format(marker=marker, hidden=hidden).replace(f"{hidden!r}):", f"{', '.join(map(repr, hidden))}):")
    leaver = write(notebook_01(RIGHT, leaver), turma / "ana" / "01_dados_e_metricas.ipynb")
    looker = write(
        notebook_01(RIGHT, LOOKER.format(hidden=" ".join(hidden))), turma / "bia" / "01_dados_e_metricas.ipynb"
    )
    options = {"quiet": True, "sandbox_mode": "bwrap", "private": [turma], "zygotes": sandboxed_pool}

    first = grade(leaver, **options)
    assert first["status"] == OK and first["cell_errors"] == [] and first["passed"] == 1
    assert not processes_with_arguments("sleep", marker), "a grandchild outlived the submission that started it"
    zygote = sandboxed_pool.started()
    second = grade(looker, **options)

    seen = spied(second)
    assert "/tmp:" in seen and "/dev/shm:" in seen and "grade_zygote" in seen  # the probe ran and saw the zygote
    assert f"left-{marker}" not in seen and f"sleep {marker}" not in seen
    assert second["status"] == OK and second["passed"] == 1 and sandboxed_pool.started() == zygote  # the same one


@pytest.mark.safety
def test_a_child_of_a_sandboxed_zygote_cannot_reach_its_pipes_even_as_root(tmp_path, sandboxed_pool):
    """In the sandbox the children have no capabilities (``--cap-drop ALL`` for root), so the zygote being not
    dumpable keeps its pipes from them whoever grades (root may list ``/proc/2/fd``, not open what is there)."""
    answers = "open(f'/proc/{os.getppid()}/fd/1', 'w')"  # the pipe the zygote answers the grader through
    probe = PIPES_PROBE.replace("os.listdir(f'/proc/{os.getppid()}/fd')", answers)
    submission = write(notebook_01(RIGHT, probe), tmp_path / "01_dados_e_metricas.ipynb")
    result = grade(submission, quiet=True, sandbox_mode="bwrap", zygotes=sandboxed_pool)
    assert spied(result) == "PermissionError"


@pytest.mark.safety
def test_a_sandboxed_zygote_sees_no_class_folder_and_other_hidden_folders_get_their_own(tmp_path, sandboxed_pool):
    """The zygote (PID 2 of the sandbox, the child's parent) shares its mounts with the child: the class folder
    is not there; a submission whose folders to hide differ is not forked from a zygote started for others."""
    listing = "__import__('subprocess').run(['ls', '-A', {turma!r}], capture_output=True, text=True).stdout"
    seen = f"[open('/proc/2/cmdline').read(), {listing}, os.getppid()]"
    zygotes = []
    for turma in (tmp_path / "turma", tmp_path / "outra"):
        write(notebook_01(RIGHT), turma / "bia" / "01_dados_e_metricas.ipynb")
        probe = spy_cell(seen.format(turma=str(turma)))
        submission = write(notebook_01(RIGHT, probe), turma / "ana" / "01_dados_e_metricas.ipynb")
        result = grade(submission, quiet=True, sandbox_mode="bwrap", private=[turma], zygotes=sandboxed_pool)
        command, listed, parent = spied(result)
        assert "grade_zygote" in command and listed == "" and parent == 2
        zygotes += sandboxed_pool.started()
    assert zygotes[0] is zygotes[1]  # both classes lie in /tmp, hidden by the same mounts: one zygote serves both
    other = sandboxed_pool.get("bwrap", [tmp_path / "turma"])
    assert other is not zygotes[0] and not zygotes[0].alive and other.hidden == (str(tmp_path / "turma"),)


@pytest.mark.parametrize("sandboxed", [False, True], ids=["zygote", "zygote-in-bwrap"])
def test_a_correct_submission_that_imports_a_new_module_is_not_sent_to_manual_review(tmp_path, sandboxed):
    """Found grading a class of real notebooks: every submission was flagged "tried to read files outside its copy"
    (the zygote's own start folder stayed on the forked child's sys.path, and an import looked in it)."""
    if sandboxed and not bwrap_available():
        pytest.skip("bubblewrap (bwrap) is not installed or cannot run here")
    importing = "\n\nimport colorsys, wave  # modules the zygote never imported: the import system searches sys.path\n"
    right = write(notebook_01(RIGHT + importing), tmp_path / "ana" / "01_dados_e_metricas.ipynb")
    with grade_zygote.ZygotePool() as zygotes:
        result = grade(right, quiet=True, sandbox_mode="bwrap" if sandboxed else "none", zygotes=zygotes)
    assert result["status"] == OK and result["passed"] == 1
    assert result["review"] == {}, result["review"]

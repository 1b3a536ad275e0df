"""Tests of the pre-imported grading parent (fcn_course.instructor.grade_zygote): a submission forked from it is
graded as a fresh process grades it, in a process of its own that leaves nothing to the next one, under the same
time limit; a zygote that fails is replaced by a fresh process. The hostile submissions of test_instructor_grade
also run through a zygote there (its ``zygotes`` fixture)."""

import os

import pytest
from test_instructor_grade import RECALL, RIGHT, TAMPERING_CELL, notebook_01, spied, spy_cell, write

from fcn_course.instructor import grade_zygote
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


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root reads every process's files")
def test_a_forked_child_cannot_reach_the_zygotes_pipes(tmp_path, pool):
    """The zygote is not dumpable: its open files (the pipes its answers go through) are closed to its children
    (for an ordinary user, as the grader should run: ``sandbox``)."""
    probe = (
        "\n\nclass Probe:\n    import json, os\n    try:\n        os.listdir(f'/proc/{os.getppid()}/fd')\n"
        "        seen = 'allowed'\n    except OSError as error:\n        seen = type(error).__name__\n"
        "    raise RuntimeError('SPY' + json.dumps(seen) + 'YPS')\n"
    )
    submission = write(notebook_01(RIGHT, probe), tmp_path / "01_dados_e_metricas.ipynb")
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
        def get(self):
            raise grade_zygote.ZygoteGone("the grading zygote ended")

    submission = write(notebook_01(RIGHT), tmp_path / "01_dados_e_metricas.ipynb")
    result = grade(submission, quiet=True, sandbox_mode="none", zygotes=Broken())
    assert result["status"] == OK and result["passed"] == 1
    assert "new process" in capsys.readouterr().err


def test_a_class_is_graded_through_one_zygote_per_job_and_they_end_with_it(tmp_path, monkeypatch):
    started = []
    real_init = grade_zygote.Zygote.__init__

    def counting_init(self):
        real_init(self)
        started.append(self)

    monkeypatch.setattr(grade_zygote.Zygote, "__init__", counting_init)
    for student in ("ana", "bia", "caio"):
        write(notebook_01(RIGHT), tmp_path / "turma" / student / "01_dados_e_metricas.ipynb")

    grades = grade_class([tmp_path / "turma"], tmp_path / "notas", jobs=1, sandbox_mode="none")

    assert [row["status"] for row in grades.rows] == [OK] * 3
    assert len(started) == 1 and not started[0].alive

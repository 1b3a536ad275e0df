"""The main job (fcn_course.instructor.course): which profile and which notebooks it runs, and its summary."""

import json
from pathlib import Path

import pytest

from fcn_course.environment import DATA_ENV, RUNS_ENV, STATIC_ENV
from fcn_course.instructor import course
from fcn_course.instructor.course import choose_profile, course_sources, print_summary, run_course
from fcn_course.instructor.pairs import CourseLayoutError
from fcn_course.messages import text
from fcn_course.voc import REQUIRED_PARTS, voc_folder
from tiny_course import TINY_OUTLINE, add_stray_solution, make_repo, stray_message


# --------------------------------------------------------------------------------------------------
# Which profile the main job runs: the one asked for, else full with real VOC, else demo
# --------------------------------------------------------------------------------------------------
def _data_folder(tmp_path, monkeypatch, voc: bool) -> Path:
    """$FCN_COURSE_DATA for this test: with an extracted VOC 2012 tree when ``voc``, else empty."""
    data = tmp_path / "data"
    data.mkdir()
    if voc:
        for part in REQUIRED_PARTS:
            (voc_folder(data) / part).mkdir(parents=True)
    monkeypatch.setenv(DATA_ENV, str(data))
    return data


def test_with_real_voc_the_main_job_runs_the_full_profile(tmp_path, monkeypatch):
    _data_folder(tmp_path, monkeypatch, voc=True)
    assert choose_profile() == "full" and choose_profile(smoke=False) == "full"


def test_without_voc_the_main_job_runs_the_demo_profile(tmp_path, monkeypatch):
    _data_folder(tmp_path, monkeypatch, voc=False)
    assert choose_profile() == "demo" and choose_profile(smoke=False) == "demo"


def test_an_incomplete_voc_tree_is_not_voc(tmp_path, monkeypatch):
    data = _data_folder(tmp_path, monkeypatch, voc=False)
    (voc_folder(data) / "JPEGImages").mkdir(parents=True)  # masks and lists missing: an interrupted download
    assert choose_profile() == "demo"


@pytest.mark.parametrize("voc", [True, False])
@pytest.mark.parametrize(
    "asked, profile",
    [
        ({"profile": "full"}, "full"),
        ({"profile": "demo"}, "demo"),
        ({"profile": "smoke"}, "smoke"),
        ({"smoke": True}, "smoke"),
    ],
)
def test_the_profile_asked_for_wins_over_the_data_found(tmp_path, monkeypatch, voc, asked, profile):
    _data_folder(tmp_path, monkeypatch, voc=voc)
    assert choose_profile(**asked) == profile


@pytest.mark.parametrize("voc, profile", [(True, "full"), (False, "demo")])
def test_run_course_gives_every_notebook_the_chosen_profile(tmp_path, monkeypatch, voc, profile):
    _data_folder(tmp_path, monkeypatch, voc=voc)
    monkeypatch.setenv(RUNS_ENV, str(tmp_path / "runs"))  # run_course sets both: restored after the test
    monkeypatch.setenv(STATIC_ENV, "1")
    sources = [tmp_path / "01_a.py", tmp_path / "02_b.py"]
    given = []

    def fake_execute(notebook, out, profile, timeout=None):
        given.append((notebook.name, profile))
        return out / notebook.name

    monkeypatch.setattr(course, "solution_sources", lambda repo_root, names=None: sources)
    monkeypatch.setattr(course, "execute_notebook", fake_execute)
    assert course.run_course(tmp_path, out_dir=tmp_path / "out", site=False) == 0
    assert given == [("01_a.ipynb", profile), ("02_b.ipynb", profile)]


# --------------------------------------------------------------------------------------------------
# Which language: --lang picks the solution notebooks of one language (default: Portuguese)
# --------------------------------------------------------------------------------------------------
def _english_edition(repo) -> Path:
    """Stand-ins for the English solution notebooks the build writes (solutions/notebooks/en/)."""
    folder = repo / "solutions" / "notebooks" / "en"
    folder.mkdir()
    for name in TINY_OUTLINE:
        for suffix in (".py", ".ipynb"):
            (folder / f"{name}{suffix}").write_text("")
    return folder


def test_the_main_job_runs_the_portuguese_notebooks_unless_another_language_is_asked(tmp_path):
    from fcn_course.instructor.__main__ import build_parser

    repo = make_repo(tmp_path)
    english = _english_edition(repo)
    portuguese = [repo / "solutions" / "notebooks" / f"{name}.py" for name in TINY_OUTLINE]
    assert course_sources(repo, names=TINY_OUTLINE) == portuguese
    assert course_sources(repo, "pt_BR", names=TINY_OUTLINE) == portuguese
    assert course_sources(repo, "en", names=TINY_OUTLINE) == [english / f"{name}.py" for name in TINY_OUTLINE]
    assert course_sources(repo, "EN", names=TINY_OUTLINE) == course_sources(repo, "en", names=TINY_OUTLINE)
    assert build_parser().parse_args(["course"]).lang == "pt_BR"
    assert build_parser().parse_args(["course", "--lang", "en"]).lang == "en"


def test_the_main_job_in_a_language_without_its_notebooks_says_how_to_make_them(tmp_path, capsys):
    repo = make_repo(tmp_path)
    with pytest.raises(CourseLayoutError, match="translations --lang en"):
        course_sources(repo, "en", names=TINY_OUTLINE)
    assert run_course(repo, out_dir=tmp_path / "run", smoke=True, site=False, names=TINY_OUTLINE, language="en") == 1
    assert "solutions/notebooks/en/01_demo" in capsys.readouterr().out
    assert not (tmp_path / "run").exists()  # refused before anything ran


def test_the_main_job_in_english_writes_into_the_english_folder_of_the_run_folder(tmp_path, monkeypatch):
    monkeypatch.setenv(RUNS_ENV, str(tmp_path / "runs"))  # run_course sets both: restored after the test
    monkeypatch.setenv(STATIC_ENV, "1")
    repo = make_repo(tmp_path)
    english = _english_edition(repo)
    given = []

    def fake_execute(notebook, out, profile, timeout=None):
        given.append((notebook, out))
        return out / notebook.name

    monkeypatch.setattr(course, "execute_notebook", fake_execute)
    out = tmp_path / "out"
    assert run_course(repo, out_dir=out, profile="smoke", site=False, names=TINY_OUTLINE, language="en") == 0
    assert given == [(english / "01_demo.ipynb", out / "en")]
    assert Path(course.os.environ[RUNS_ENV]) == (out / "en" / "runs").resolve()  # the English run's trainings


# --------------------------------------------------------------------------------------------------
# The summary: class names come from the run folder
# --------------------------------------------------------------------------------------------------


def test_the_course_refuses_a_solution_notebook_the_outline_does_not_name(tmp_path, capsys):
    repo = make_repo(tmp_path)
    stray = add_stray_solution(repo)
    assert run_course(repo, out_dir=tmp_path / "run", smoke=True, site=False, names=TINY_OUTLINE) == 1
    assert stray_message(stray) in capsys.readouterr().out
    assert not (tmp_path / "run").exists()  # refused before anything ran


def _write_run(run_dir, classes, ious, run_json=True):
    run_dir.mkdir(parents=True)
    val = [{"epoch": 1, "miou_fg": 0.5, "iou": ious}]
    (run_dir / "history.json").write_text(json.dumps({"train": [{"epoch": 1}], "val": val}))
    if run_json:
        (run_dir / "run.json").write_text(json.dumps({"backbone": "alexnet", "skip": False, "classes": classes}))


def test_summary_names_the_classes_of_each_run(tmp_path, capsys):
    _write_run(tmp_path / "a" / "alexnet-noskip-scratch", ["background", "cat", "dog", "bird"], [0.9, 0.5, 0.25, None])
    _write_run(tmp_path / "b" / "old-run", None, [0.8, 0.4], run_json=False)
    print_summary(tmp_path)
    out = capsys.readouterr().out
    assert "| a/alexnet-noskip-scratch | 1 | 0.500 | background 0.900, cat 0.500, dog 0.250, bird n/a |" in out
    assert "| b/old-run | 1 | 0.500 | class 0 0.800, class 1 0.400 |" in out


def test_summary_prints_the_skip_gain_of_each_backbone(tmp_path, capsys):
    for name, miou in (("alexnet-noskip-scratch", 0.25), ("alexnet-skip-scratch", 0.75)):
        _write_run(tmp_path / name, ["background", "bus", "person"], [0.9, miou, miou])
        history = json.loads((tmp_path / name / "history.json").read_text())
        history["val"][0]["miou_fg"] = miou
        (tmp_path / name / "history.json").write_text(json.dumps(history))
    print_summary(tmp_path)
    gain = text("course.skip_gain", run="alexnet scratch", gain="+0.500", without="0.250", with_skip="0.750")
    assert gain in capsys.readouterr().out


def test_no_runs_no_summary(tmp_path, capsys):
    print_summary(tmp_path)
    assert capsys.readouterr().out == ""


# --------------------------------------------------------------------------------------------------
# Safety: the main job owns its output folder; a slow machine never fails the course
# --------------------------------------------------------------------------------------------------
@pytest.mark.safety
def test_the_main_job_never_overwrites_a_notebook_it_did_not_write(tmp_path, capsys):
    """--out at a folder holding the user's own notebook overwrote it (and added ~600 MathJax files)."""
    repo = make_repo(tmp_path)
    out = tmp_path / "my_course"
    out.mkdir()
    (out / "01_demo.ipynb").write_text("the student's own notebook")
    assert run_course(repo, out_dir=out, smoke=True, site=False, names=TINY_OUTLINE) == 1
    said = capsys.readouterr().out
    assert "01_demo.ipynb" in said and text("course.refused", reason="").splitlines()[-1] in said
    assert sorted(p.name for p in out.iterdir()) == ["01_demo.ipynb"]  # no MathJax, no runs/, nothing
    assert (out / "01_demo.ipynb").read_text() == "the student's own notebook"


@pytest.mark.kernel
@pytest.mark.safety
def test_the_main_job_writes_beside_a_persons_files_and_reruns_over_its_own(tmp_path, monkeypatch):
    from fcn_course.instructor.build import build
    from fcn_course.instructor.execute import execute_notebook

    monkeypatch.setenv(RUNS_ENV, str(tmp_path / "runs"))
    repo = make_repo(tmp_path)
    build(repo, names=TINY_OUTLINE, quiet=True)
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    source = repo / "solutions" / "notebooks" / "01_demo.ipynb"
    for _ in range(2):  # the second run replaces the first one's files: they are its own
        executed = execute_notebook(source, out, smoke=True, timeout=120)
    assert executed == out / "01_demo.ipynb" and (out / "01_demo.html").is_file()
    assert (out / "mathjax" / "MathJax.js").is_file() and (out / "notes.txt").read_text() == "mine"


@pytest.fixture
def fake_course(tmp_path, monkeypatch):
    """run_course over two fake notebooks: records the timeout each got; ``clock`` is advanced by the notebooks."""
    monkeypatch.setenv(RUNS_ENV, str(tmp_path / "runs"))
    monkeypatch.setenv(STATIC_ENV, "1")
    names = ("01_dados_e_metricas", "02_fcn_alexnet")
    sources = [tmp_path / f"{name}.py" for name in names]
    state = {"now": 1000.0, "took": {}, "timeouts": []}

    def fake_execute(notebook, out, profile, timeout=None):
        state["timeouts"].append(timeout)
        state["now"] += state["took"].get(notebook.stem, 1.0)
        return out / notebook.name

    monkeypatch.setattr(course, "solution_sources", lambda repo_root, names=None: sources)
    monkeypatch.setattr(course, "execute_notebook", fake_execute)
    monkeypatch.setattr(course, "clock", lambda: state["now"])
    return state


@pytest.mark.safety
def test_the_main_job_has_no_cell_time_limit_unless_asked(tmp_path, fake_course):
    from fcn_course.instructor.__main__ import build_parser

    assert course.run_course(tmp_path, out_dir=tmp_path / "a", profile="demo", site=False) == 0
    assert course.run_course(tmp_path, out_dir=tmp_path / "b", profile="demo", site=False, cell_timeout=900) == 0
    assert fake_course["timeouts"] == [None, None, 900, 900]
    assert build_parser().parse_args(["course"]).cell_timeout is None
    assert build_parser().parse_args(["course", "--cell-timeout", "900"]).cell_timeout == 900


@pytest.mark.safety
def test_the_main_job_prints_its_progress_and_says_when_the_machine_is_far_slower(tmp_path, fake_course, capsys):
    expected = course.EXPECTED_SECONDS["demo"]
    fake_course["took"] = {name: seconds for name, seconds in expected.items()}  # the reference machine's pace
    assert course.run_course(tmp_path, out_dir=tmp_path / "a", profile="demo", site=False) == 0
    said = capsys.readouterr().out
    assert "01_dados_e_metricas" in said and f" {expected['01_dados_e_metricas']:.0f} s " in said
    assert text("course.slow_no_limit") not in said

    fake_course["took"] = {name: 10 * seconds for name, seconds in expected.items()}  # a busy, slow laptop
    assert course.run_course(tmp_path, out_dir=tmp_path / "b", profile="demo", site=False) == 0
    said = capsys.readouterr().out
    assert said.count(text("course.slow_no_limit")) == 1  # said once, after the first notebook
    assert (
        text(
            "course.slow_machine",
            ratio="10",
            name="01_dados_e_metricas",
            took="",
            expected="",
            minutes="",
            reference_minutes="",
            limit="",
        ).split(" (")[0]
        in said
    )


def test_a_missing_edition_of_the_course_is_said_in_the_course_language(tmp_path):
    from helpers import raised_in_each_language

    repo = make_repo(tmp_path)
    portuguese, english = raised_in_each_language(CourseLayoutError, course_sources, repo, "en", TINY_OUTLINE)
    assert "os notebooks de solução en" in portuguese and "não existem: rode" in portuguese
    assert "the en solution notebooks" in english and "are missing: run" in english

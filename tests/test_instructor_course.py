"""The main job (fcn_course.instructor.course): which notebooks it runs; its summary names the classes of each run."""
import json

from fcn_course.instructor.course import print_summary, run_course
from tiny_course import TINY_OUTLINE, add_stray_solution, make_repo


def test_the_course_refuses_a_solution_notebook_the_outline_does_not_name(tmp_path, capsys):
    repo = make_repo(tmp_path)
    stray = add_stray_solution(repo)
    assert run_course(repo, out_dir=tmp_path / "run", smoke=True, site=False, names=TINY_OUTLINE) == 1
    assert f"{stray} is not a course notebook" in capsys.readouterr().out
    assert not (tmp_path / "run").exists()  # refused before anything ran


def _write_run(run_dir, classes, ious, run_json=True):
    run_dir.mkdir(parents=True)
    val = [{"epoch": 1, "miou_fg": 0.5, "iou": ious}]
    (run_dir / "history.json").write_text(json.dumps({"train": [{"epoch": 1}], "val": val}))
    if run_json:
        (run_dir / "run.json").write_text(json.dumps({"backbone": "alexnet", "skip": False, "classes": classes}))


def test_summary_names_the_classes_of_each_run(tmp_path, capsys):
    _write_run(tmp_path / "a" / "alexnet-noskip-scratch", ["background", "cat", "dog", "bird"],
               [0.9, 0.5, 0.25, None])
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
    assert "skip gain alexnet scratch: +0.500 mIoU(fg) (0.250 -> 0.750)" in capsys.readouterr().out


def test_no_runs_no_summary(tmp_path, capsys):
    print_summary(tmp_path)
    assert capsys.readouterr().out == ""

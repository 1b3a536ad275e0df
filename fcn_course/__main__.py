"""Command line of the course: ``python -m fcn_course <command>`` (also installed as ``fcn-course``).

Student commands:  synth, download, predict
Instructor commands: course, build, check, grade, release, grid
Run ``python -m fcn_course <command> --help`` for the options of each one.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


def _cmd_synth(a):
    from fcn_course.synthetic import make_synthetic_voc

    root = make_synthetic_voc(a.root, n_train=a.train, n_val=a.val, seed=a.seed)
    print(f"synthetic VOC written to {root}")


def _cmd_download(a):
    from fcn_course.config import data_root
    from fcn_course.data import download_voc

    print(f"Pascal VOC 2012 is ready in {download_voc(a.root or data_root())}")


def _cmd_course(a):
    from fcn_course.course import run_course

    return run_course(REPO_ROOT, out_dir=a.out, smoke=a.smoke)


def _cmd_build(a):
    from fcn_course import nbtools

    nbtools.build(REPO_ROOT, execute=a.execute, force=a.force)


def _cmd_check(a):
    from fcn_course import nbtools

    problems = nbtools.check_in_sync(REPO_ROOT)
    for problem in problems:
        print("-", problem)
    print("notebooks in sync" if not problems else f"{len(problems)} problem(s): run `python -m fcn_course build`")
    return 1 if problems else 0


def _cmd_grade(a):
    from fcn_course import nbtools

    for submission in a.submissions:
        report = Path(a.report_dir) / (Path(submission).stem + "-report.md") if a.report_dir else None
        nbtools.grade(submission, report_path=report)


def _cmd_release(a):
    from fcn_course import nbtools

    try:
        print(f"student release: {nbtools.release(REPO_ROOT, a.out)}")
    except nbtools.SolutionLeakError as error:
        print(f"release refused: {error}", file=sys.stderr)
        return 1


def _cmd_grid(a):
    from fcn_course.experiments import main as grid_main

    return grid_main(a.rest)


def _cmd_predict(a):
    from fcn_course.predict import main as predict_main

    return predict_main(a.rest)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m fcn_course", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("synth", help="write the synthetic VOC twin (offline data in the real VOCdevkit layout)")
    p.add_argument("root", help="folder that will contain VOCdevkit/")
    p.add_argument("--train", type=int, default=32)
    p.add_argument("--val", type=int, default=12)
    p.add_argument("--seed", type=int, default=0)
    p.set_defaults(func=_cmd_synth)

    p = sub.add_parser("download", help="download and extract Pascal VOC 2012 (about 2 GB)")
    p.add_argument("--root", help="folder that will contain VOCdevkit/ (default: $FCN_COURSE_DATA or ~/fcn_course_data)")
    p.set_defaults(func=_cmd_download)

    p = sub.add_parser("course", help="run every solution notebook; executed notebooks and HTML go to a run folder")
    p.add_argument("--smoke", action="store_true", default=None,
                   help="synthetic data and tiny settings (default when real VOC is not found)")
    p.add_argument("--out", help="run folder (default runs/course-<timestamp>)")
    p.set_defaults(func=_cmd_course)

    p = sub.add_parser("build", help="refresh solution notebooks from solutions/*.py and regenerate student notebooks")
    p.add_argument("--execute", action="store_true", help="re-execute solution notebooks (smoke) to refresh checked outputs")
    p.add_argument("--force", action="store_true", help="overwrite student notebooks edited by hand (a backup is kept)")
    p.set_defaults(func=_cmd_build)

    p = sub.add_parser("check", help="fail when notebooks, their .py pairs or the student versions drifted")
    p.set_defaults(func=_cmd_check)

    p = sub.add_parser("grade", help="grade submitted student notebooks (never modifies them)")
    p.add_argument("submissions", nargs="+")
    p.add_argument("--report-dir", help="also write one Markdown report per submission here")
    p.set_defaults(func=_cmd_grade)

    p = sub.add_parser("release", help="build the student release folder and zip (nothing of solutions/)")
    p.add_argument("--out", default=str(REPO_ROOT / "dist" / "fcn-course-student"))
    p.set_defaults(func=_cmd_release)

    for name, func, text in [("grid", _cmd_grid, "run the comparison grid (backbone x skip x pretrained)"),
                             ("predict", _cmd_predict, "segment your own images with a trained checkpoint")]:
        p = sub.add_parser(name, help=text, add_help=False)
        p.add_argument("rest", nargs=argparse.REMAINDER)
        p.set_defaults(func=func)
    return parser


def main(argv=None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in ("grid", "predict"):  # these two parse their own options
        func = _cmd_grid if argv[0] == "grid" else _cmd_predict
        return int(func(argparse.Namespace(rest=argv[1:])) or 0)
    args = build_parser().parse_args(argv)
    result = args.func(args)
    return int(result or 0)


if __name__ == "__main__":
    sys.exit(main())

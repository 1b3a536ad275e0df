"""Instructor commands: ``python -m fcn_course.instructor <command>``, run from the course repository.

  course   run every solution notebook; executed notebooks and HTML go to a run folder
  build    refresh solution notebooks from solutions/*.py and regenerate the student notebooks
  check    fail when notebooks, their .py pairs or the student versions drifted
  grade    grade submitted student notebooks (never modifies them)
  export-grades  grades an LMS takes (one row per student, Moodle worksheet and feedback zip) from grade's CSV
  release  build the student release folder and zip (no solutions, no instructor tooling)
  publish  the student release as a git repository of its own, to push where students and Colab read it
  site     the course website from the executed notebooks of a run folder (student or instructor)
  grid     the comparison grid with the reference models (or a student's, with --models NOTEBOOK...)
  predict  segment images with a checkpoint, using the reference models (or --models NOTEBOOK...)

Run ``python -m fcn_course.instructor <command> --help`` for the options of each one.
"""

from __future__ import annotations

import argparse
import sys

from fcn_course.instructor import repo_root
from fcn_course.profiles import profile_names

PROG = "python -m fcn_course.instructor"


def _cmd_course(a):
    from fcn_course.instructor.course import run_course

    return run_course(
        repo_root(), out_dir=a.out, smoke=a.smoke, profile=a.profile, site=a.site, cell_timeout=a.cell_timeout
    )


def _cmd_build(a):
    from fcn_course.instructor.build import build
    from fcn_course.instructor.pairs import CourseLayoutError

    try:
        return 0 if build(repo_root(), execute=a.execute, force=a.force).ok else 1
    except CourseLayoutError as error:
        print(f"build refused, nothing was written: {error}", file=sys.stderr)
        return 1


def _cmd_check(a):
    from fcn_course.instructor.sync import check_in_sync

    problems = check_in_sync(repo_root())
    for problem in problems:
        print("-", problem)
    print(
        "notebooks in sync"
        if not problems
        else f"{len(problems)} problem(s); each says its fix (most often: run `{PROG} build`)"
    )
    return 1 if problems else 0


def _cmd_grade(a):
    from fcn_course.instructor.grade_class import GradingOutputError, GradingRefused, grade_class, row_passed
    from fcn_course.instructor.sandbox import GIB, Limits, SandboxUnavailable

    limits = Limits(memory_bytes=int(a.memory_limit * GIB) if a.memory_limit else None)
    try:
        grades = grade_class(
            a.submissions,
            a.report_dir,
            timeout=a.timeout,
            jobs=a.jobs,  # timeout None: default
            replace=a.replace,
            sandbox_mode=a.sandbox,
            limits=limits,
            zygote=not a.no_zygote,
        )
    except (FileNotFoundError, GradingRefused, SandboxUnavailable) as error:
        print(f"grade: {error}", file=sys.stderr)
        return 2
    except GradingOutputError as error:
        print(f"grade: {error}", file=sys.stderr)
        return 1
    problems = sum(not row_passed(row) for row in grades.rows)
    print(
        f"{len(grades.rows)} submission(s) graded, {problems} with a failed exercise, an error or a reason for "
        f"manual review; reports and {grades.csv_path.name} in {grades.report_dir}"
    )
    return 0 if grades.all_passed or a.exit_zero else 1


def _cmd_export_grades(a):
    from fcn_course.instructor.lms import export_grades, read_weights, summary

    try:
        weights = read_weights(a.weights) if a.weights else {}
        for item in a.weight or []:
            key, _, points = item.partition("=")
            weights[key.strip()] = float(points.replace(",", "."))
        export = export_grades(
            a.report_dir,
            out_dir=a.out,
            roster=a.roster,
            weights=weights,
            notebooks=a.notebooks.split(",") if a.notebooks else None,
            scale=a.scale,
            excel=a.excel,
            moodle_worksheet=a.moodle_worksheet,
            grade_column=a.grade_column,
        )
    except (FileNotFoundError, ValueError) as error:
        print(f"export-grades: {error}", file=sys.stderr)
        return 2
    print("\n".join(summary(export)))


def _cmd_release(a):
    from fcn_course.instructor.release import ReleaseError, release

    root = repo_root()
    try:
        print(f"student release: {release(root, a.out or root / 'dist' / 'fcn-course-student')}")
    except ReleaseError as error:
        print(f"release refused: {error}", file=sys.stderr)
        return 1
    if a.nbgrader:
        return _export_nbgrader(root, a.nbgrader)


def _cmd_publish(a):
    from fcn_course.instructor.publish import publish
    from fcn_course.instructor.release import ReleaseError

    try:
        publish(repo_root(), a.folder, repository=a.repository)
    except ReleaseError as error:
        print(f"publish refused: {error}", file=sys.stderr)
        return 1


def _export_nbgrader(root, course_dir):
    from fcn_course.instructor.nbgrader_export import NbgraderExportError, export_nbgrader

    try:
        export_nbgrader(root, course_dir)
    except NbgraderExportError as error:
        print(f"nbgrader export refused: {error}", file=sys.stderr)
        return 1


def _cmd_site(a):
    from fcn_course.instructor.mathjax import MathJaxMissing
    from fcn_course.instructor.site import SiteError, build_site

    try:
        build_site(repo_root(), run_dir=a.run_from, out_dir=a.out, instructor=a.instructor)
    except (SiteError, MathJaxMissing) as error:
        print(f"site not built: {error}", file=sys.stderr)
        return 1


def _cmd_grid(argv):
    from fcn_course.experiments import main as grid_main
    from fcn_course.instructor.reference import reference_ingredients

    return grid_main(argv, ingredients=reference_ingredients())


def _cmd_predict(argv):
    from fcn_course.instructor.reference import reference_model_classes
    from fcn_course.predict import main as predict_main

    return predict_main(argv, model_classes=reference_model_classes())


# grid and predict parse their own options (those of the student commands, plus the reference models).
SELF_PARSING = {"grid": _cmd_grid, "predict": _cmd_predict}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG, description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="command")

    p = sub.add_parser("course", help="run every solution notebook; executed notebooks and HTML go to a run folder")
    p.add_argument(
        "--profile",
        choices=profile_names(),
        help="run profile (default: full when Pascal VOC is found, else demo: the synthetic twin, "
        "sized to show the FCNs learning in minutes on a CPU)",
    )
    p.add_argument(
        "--smoke",
        action="store_true",
        default=None,
        help="the same as --profile smoke: tiny settings, every cell runs in seconds, nothing is learnt",
    )
    p.add_argument("--out", help="run folder (default runs/course-<timestamp>)")
    p.add_argument(
        "--no-site",
        dest="site",
        action="store_false",
        help="do not build the course website at the end (see the `site` command)",
    )
    p.add_argument(
        "--cell-timeout",
        type=int,
        default=None,
        metavar="SECONDS",
        help="stop a notebook whose cell runs longer than this (default: no limit, so that a slow "
        "or busy machine still finishes the course)",
    )
    p.set_defaults(func=_cmd_course)

    p = sub.add_parser("build", help="refresh solution notebooks from solutions/*.py and regenerate student notebooks")
    p.add_argument(
        "--execute", action="store_true", help="re-execute solution notebooks (smoke) to refresh checked outputs"
    )
    p.add_argument("--force", action="store_true", help="overwrite student notebooks edited by hand (a backup is kept)")
    p.set_defaults(func=_cmd_build)

    p = sub.add_parser("check", help="fail when notebooks, their .py pairs or the student versions drifted")
    p.set_defaults(func=_cmd_check)

    p = sub.add_parser(
        "grade",
        help="grade submitted student notebooks (never modifies them)",
        description="Grade student notebooks: files, or folders searched for .ipynb. Each submission "
        "RUNS STUDENT CODE in its own process (time limit, memory, CPU, file size and "
        "process limits, temporary HOME and working folder, minimal environment, smoke "
        "mode; in a bubblewrap sandbox where one works). One Markdown report per "
        "submission and a class CSV (grades.csv) go to --report-dir. Exit status 1 when "
        "any submission has a failed exercise, an unreadable file, a crash, a time-out "
        "or a reason for manual review (see --exit-zero); 2 when nothing was graded "
        "(a path does not exist, the report folder is refused or locked).",
    )
    p.add_argument("submissions", nargs="+", help="notebooks or folders of notebooks")
    p.add_argument(
        "--report-dir",
        default="grading-reports",
        help="folder for the reports and grades.csv, created if missing (default: grading-reports)",
    )
    p.add_argument(
        "--replace",
        action="store_true",
        help="replace the grades and reports of an earlier grading in --report-dir (refused without it)",
    )
    p.add_argument(
        "--timeout",
        type=float,
        default=None,
        help="seconds of CPU time allowed per submission, tried twice before a time-out is reported "
        "(default: 300, fcn_course.instructor.grade.DEFAULT_TIMEOUT; a wall-clock backstop of 4 times "
        "that stops a submission that waits without computing)",
    )
    p.add_argument("--jobs", type=int, default=1, help="submissions graded at the same time (default: 1)")
    p.add_argument(
        "--sandbox",
        choices=("auto", "bwrap", "none"),
        default="auto",
        help="bwrap: no network, read-only files except the grading's temporary folder, the class "
        "folders hidden; none: limits and the Python-level guard only; auto (default): bwrap when "
        "it works here",
    )
    p.add_argument(
        "--no-zygote",
        action="store_true",
        help="start a new Python process for every submission instead of forking it from a pre-imported one "
        "(Linux; with bwrap the zygote runs in the sandbox; it saves ~6 s of CPU per submission)",
    )
    p.add_argument(
        "--memory-limit",
        type=float,
        default=8,
        metavar="GIB",
        help="address space allowed per submission, in GiB (default: 8; 0: no limit)",
    )
    p.add_argument(
        "--exit-zero",
        action="store_true",
        help="exit 0 even when some submission failed (for scripts that only want the reports)",
    )
    p.set_defaults(func=_cmd_grade)

    p = sub.add_parser(
        "export-grades",
        help="grades an LMS takes: one row per student, Moodle worksheet, feedback",
        description="Read REPORT_DIR/grades.csv (written by `grade`) and write, into REPORT_DIR/lms: "
        "students.csv (one row per student, numeric grade from the exercise weights), "
        "moodle_grading_worksheet.csv (Moodle's 'Upload grading worksheet') and "
        "moodle_feedback_files.zip (Moodle's 'Upload multiple feedback files in a zip') "
        "when the submissions came from Moodle's download, and feedback/<student>/. "
        "See fcn_course/instructor/lms.py and the README.",
    )
    p.add_argument("report_dir", help="the --report-dir of `grade` (holds grades.csv and the reports)")
    p.add_argument("--out", help="output folder (default: REPORT_DIR/lms)")
    p.add_argument("--roster", help="roster CSV: id (required), name, email, match (text in the student's paths)")
    p.add_argument("--weights", help="points per exercise: CSV 'exercise,points' or JSON {exercise: points}")
    p.add_argument(
        "--weight",
        action="append",
        metavar="EXERCISE=POINTS",
        help="points of one exercise (repeatable; after --weights); default: the registry's points",
    )
    p.add_argument("--notebooks", help="comma-separated course notebooks that count (default: those handed in)")
    p.add_argument("--scale", type=float, default=10.0, help="the grade of full marks (default: 10)")
    p.add_argument(
        "--excel",
        action="store_true",
        help="students.csv for Excel in Portuguese: ';' separator, decimal comma, UTF-8 with BOM",
    )
    p.add_argument(
        "--moodle-worksheet",
        metavar="CSV",
        help="the grading worksheet downloaded from the Moodle assignment: filled in, not written anew",
    )
    p.add_argument("--grade-column", help="the worksheet's grade column (default: Grade, Nota...)")
    p.set_defaults(func=_cmd_export_grades)

    p = sub.add_parser("release", help="build the student release folder and zip (no solutions, no instructor tooling)")
    p.add_argument("--out", help="output folder (default: dist/fcn-course-student in the repository)")
    p.add_argument(
        "--nbgrader", metavar="DIR", help="also write an nbgrader course folder: DIR/source/<notebook>/<notebook>.ipynb"
    )
    p.set_defaults(func=_cmd_release)

    p = sub.add_parser(
        "publish",
        help="the student release as a git repository of its own (no solutions/)",
        description="Build the student release (as `release` does: leak scan, notebooks up to date) "
        "and commit exactly its files in FOLDER, a git repository of its own: new or "
        "empty the first time, then the folder of the previous publication. Nothing is "
        "pushed: the commands to push it are printed.",
    )
    p.add_argument("folder", metavar="FOLDER", help="the student repository (a new folder the first time)")
    p.add_argument(
        "--repository",
        metavar="OWNER/NAME",
        help="the GitHub repository you will push to: refused unless the notebooks' Colab badge and "
        "set-up cell name it (REPOSITORY in fcn_course/colab.py, then build)",
    )
    p.set_defaults(func=_cmd_publish)

    p = sub.add_parser("site", help="the course website from the executed notebooks of a run folder")
    p.add_argument(
        "--from",
        dest="run_from",
        metavar="RUN_FOLDER",
        help="a main-job run folder (default: the newest finished runs/course-*)",
    )
    p.add_argument(
        "--instructor",
        action="store_true",
        help="the instructor site: solutions and rubric included (never publish it to students)",
    )
    p.add_argument("--out", help="output folder (default: RUN_FOLDER/site or RUN_FOLDER/site-instructor)")
    p.set_defaults(func=_cmd_site)

    for name, text in [
        ("grid", "comparison grid with the reference models (or --models NOTEBOOK...)"),
        ("predict", "segment images with a checkpoint and the reference models"),
    ]:
        sub.add_parser(name, help=text, add_help=False)
    return parser


def main(argv=None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in SELF_PARSING:
        return int(SELF_PARSING[argv[0]](argv[1:]) or 0)
    args = build_parser().parse_args(argv)
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())

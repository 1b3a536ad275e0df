"""Instructor commands: ``python -m fcn_course.instructor <command>``, run from the course repository.

  course   run every solution notebook; executed notebooks and HTML go to a run folder
  build    refresh solution notebooks from solutions/*.py and regenerate the student notebooks
  translations  write the catalogues a translator fills in (solutions/locale/<language>/*.po)
  check    fail when notebooks, their .py pairs, the student versions or a translation drifted
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
from fcn_course.messages import LANGUAGES, DEFAULT_LANGUAGE, set_language, text
from fcn_course.profiles import profile_names

PROG = "python -m fcn_course.instructor"


def _cmd_course(a):
    from fcn_course.instructor.course import run_course

    return run_course(
        repo_root(),
        out_dir=a.out,
        smoke=a.smoke,
        profile=a.profile,
        site=a.site,
        cell_timeout=a.cell_timeout,
        language=a.lang,
    )


def _cmd_build(a):
    from fcn_course.instructor.build import build
    from fcn_course.instructor.pairs import CourseLayoutError

    try:
        return 0 if build(repo_root(), execute=a.execute, force=a.force).ok else 1
    except CourseLayoutError as error:
        print(text("instructor_cli.build_refused", error=error), file=sys.stderr)
        return 1


def _cmd_translations(a):
    from fcn_course.instructor.editions import update_translations
    from fcn_course.instructor.translation import TranslationError, catalogue_path

    try:
        report = update_translations(repo_root(), a.lang)
    except TranslationError as error:
        print(f"translations: {error}", file=sys.stderr)
        return 1
    for found in report:
        print(
            text(
                "instructor_cli.translations.line",
                path=catalogue_path(repo_root(), found.language, found.notebook).relative_to(repo_root()),
                total=found.total,
                missing=len(found.missing),
                stale=len(found.stale),
            )
        )
    return 0 if all(found.complete for found in report) else 1


def _cmd_check(a):
    from fcn_course.instructor.sync import check_in_sync

    problems = check_in_sync(repo_root())
    for problem in problems:
        print("-", problem)
    print(
        text("instructor_cli.in_sync")
        if not problems
        else text("instructor_cli.out_of_sync", count=len(problems), prog=PROG)
    )
    return 1 if problems else 0


def _cmd_grade(a):
    from fcn_course.instructor.grade_class import GradingOutputError, GradingRefused, grade_class, row_passed
    from fcn_course.instructor.sandbox import GIB, Limits, SandboxUnavailable

    if a.lang is not None:  # every report, the checks' feedback and these lines; else each submission's own
        set_language(a.lang)
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
            language=a.lang,
        )
    except (FileNotFoundError, GradingRefused, SandboxUnavailable) as error:
        print(f"grade: {error}", file=sys.stderr)
        return 2
    except GradingOutputError as error:
        print(f"grade: {error}", file=sys.stderr)
        return 1
    problems = sum(not row_passed(row) for row in grades.rows)
    print(
        text(
            "instructor_cli.graded",
            count=len(grades.rows),
            problems=problems,
            csv=grades.csv_path.name,
            folder=grades.report_dir,
        )
    )
    return 0 if grades.all_passed or a.exit_zero else 1


def _cmd_export_grades(a):
    from fcn_course.instructor.lms import export_grades, read_weights, summary

    set_language(a.lang)
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


def _default_release_folder(root, language):
    """``dist/fcn-course-student`` (``-<language>`` for a translation): one language's release never
    replaces another's."""
    suffix = "" if language == DEFAULT_LANGUAGE else f"-{language}"
    return root / "dist" / f"fcn-course-student{suffix}"


def _cmd_release(a):
    from fcn_course.instructor.release import ReleaseError, release

    root = repo_root()
    try:
        zip_path = release(root, a.out or _default_release_folder(root, a.lang), language=a.lang)
        print(text("instructor_cli.released", folder=zip_path))
    except ReleaseError as error:
        print(text("instructor_cli.release_refused", error=error), file=sys.stderr)
        return 1
    if a.nbgrader:
        return _export_nbgrader(root, a.nbgrader, a.lang)


def _cmd_publish(a):
    from fcn_course.instructor.publish import publish
    from fcn_course.instructor.release import ReleaseError

    try:
        publish(repo_root(), a.folder, repository=a.repository)
    except ReleaseError as error:
        print(text("instructor_cli.publish_refused", error=error), file=sys.stderr)
        return 1


def _export_nbgrader(root, course_dir, language=DEFAULT_LANGUAGE):
    from fcn_course.instructor.nbgrader_export import NbgraderExportError, export_nbgrader

    try:
        export_nbgrader(root, course_dir, language=language)
    except NbgraderExportError as error:
        print(text("instructor_cli.nbgrader_refused", error=error), file=sys.stderr)
        return 1


def _cmd_site(a):
    from fcn_course.instructor.mathjax import MathJaxMissing
    from fcn_course.instructor.site import SiteError, build_site

    try:
        build_site(repo_root(), run_dir=a.run_from, out_dir=a.out, instructor=a.instructor)
    except (SiteError, MathJaxMissing) as error:
        print(text("instructor_cli.site_not_built", error=error), file=sys.stderr)
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


def _language_option(parser, per_submission: bool = False) -> None:
    """``--lang``: the language of the reports and of the checks' feedback (default: Brazilian Portuguese; with
    ``per_submission``, ``grade``'s: None, each submission's own language)."""
    parser.add_argument(
        "--lang",
        choices=LANGUAGES,
        default=None if per_submission else DEFAULT_LANGUAGE,
        help=text("instructor_cli.grade.lang" if per_submission else "instructor_cli.lang", default=DEFAULT_LANGUAGE),
    )


def build_parser() -> argparse.ArgumentParser:
    """The instructor's commands; every help text comes from the catalogue (``instructor_cli.*``)."""
    parser = argparse.ArgumentParser(
        prog=PROG, description=text("instructor_cli.description"), formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="command")

    p = sub.add_parser("course", help=text("instructor_cli.course"))
    p.add_argument("--profile", choices=profile_names(), help=text("instructor_cli.course.profile"))
    p.add_argument("--smoke", action="store_true", default=None, help=text("instructor_cli.course.smoke"))
    p.add_argument("--out", help=text("instructor_cli.course.out"))
    p.add_argument("--no-site", dest="site", action="store_false", help=text("instructor_cli.course.no_site"))
    p.add_argument(
        "--cell-timeout",
        type=int,
        default=None,
        metavar="SECONDS",
        help=text("instructor_cli.course.cell_timeout"),
    )
    p.add_argument(
        "--lang",
        choices=LANGUAGES,
        default=DEFAULT_LANGUAGE,
        help=text("instructor_cli.course.lang", default=DEFAULT_LANGUAGE),
    )
    p.set_defaults(func=_cmd_course)

    p = sub.add_parser("build", help=text("instructor_cli.build"))
    p.add_argument("--execute", action="store_true", help=text("instructor_cli.build.execute"))
    p.add_argument("--force", action="store_true", help=text("instructor_cli.build.force"))
    p.set_defaults(func=_cmd_build)

    p = sub.add_parser(
        "translations",
        help=text("instructor_cli.translations"),
        description=text("instructor_cli.translations.description"),
    )
    p.add_argument("--lang", required=True, choices=[name for name in LANGUAGES if name != DEFAULT_LANGUAGE])
    p.set_defaults(func=_cmd_translations)

    p = sub.add_parser("check", help=text("instructor_cli.check"))
    p.set_defaults(func=_cmd_check)

    p = sub.add_parser("grade", help=text("instructor_cli.grade"), description=text("instructor_cli.grade.description"))
    p.add_argument("submissions", nargs="+", help=text("instructor_cli.grade.submissions"))
    p.add_argument("--report-dir", default="grading-reports", help=text("instructor_cli.grade.report_dir"))
    p.add_argument("--replace", action="store_true", help=text("instructor_cli.grade.replace"))
    p.add_argument("--timeout", type=float, default=None, help=text("instructor_cli.grade.timeout"))
    p.add_argument("--jobs", type=int, default=1, help=text("instructor_cli.grade.jobs"))
    p.add_argument(
        "--sandbox", choices=("auto", "bwrap", "none"), default="auto", help=text("instructor_cli.grade.sandbox")
    )
    p.add_argument("--no-zygote", action="store_true", help=text("instructor_cli.grade.no_zygote"))
    p.add_argument(
        "--memory-limit", type=float, default=8, metavar="GIB", help=text("instructor_cli.grade.memory_limit")
    )
    p.add_argument("--exit-zero", action="store_true", help=text("instructor_cli.grade.exit_zero"))
    _language_option(p, per_submission=True)
    p.set_defaults(func=_cmd_grade)

    p = sub.add_parser(
        "export-grades",
        help=text("instructor_cli.export"),
        description=text("instructor_cli.export.description"),
    )
    p.add_argument("report_dir", help=text("instructor_cli.export.report_dir"))
    p.add_argument("--out", help=text("instructor_cli.export.out"))
    p.add_argument("--roster", help=text("instructor_cli.export.roster"))
    p.add_argument("--weights", help=text("instructor_cli.export.weights"))
    p.add_argument("--weight", action="append", metavar="EXERCISE=POINTS", help=text("instructor_cli.export.weight"))
    p.add_argument("--notebooks", help=text("instructor_cli.export.notebooks"))
    p.add_argument("--scale", type=float, default=10.0, help=text("instructor_cli.export.scale"))
    p.add_argument("--excel", action="store_true", help=text("instructor_cli.export.excel"))
    p.add_argument("--moodle-worksheet", metavar="CSV", help=text("instructor_cli.export.moodle_worksheet"))
    p.add_argument("--grade-column", help=text("instructor_cli.export.grade_column"))
    _language_option(p)
    p.set_defaults(func=_cmd_export_grades)

    p = sub.add_parser("release", help=text("instructor_cli.release"))
    p.add_argument("--out", help=text("instructor_cli.release.out"))
    p.add_argument("--nbgrader", metavar="DIR", help=text("instructor_cli.release.nbgrader"))
    p.add_argument(
        "--lang",
        choices=LANGUAGES,
        default=DEFAULT_LANGUAGE,
        help=text("instructor_cli.release.lang", default=DEFAULT_LANGUAGE),
    )
    p.set_defaults(func=_cmd_release)

    p = sub.add_parser(
        "publish", help=text("instructor_cli.publish"), description=text("instructor_cli.publish.description")
    )
    p.add_argument("folder", metavar="FOLDER", help=text("instructor_cli.publish.folder"))
    p.add_argument("--repository", metavar="OWNER/NAME", help=text("instructor_cli.publish.repository"))
    p.set_defaults(func=_cmd_publish)

    p = sub.add_parser("site", help=text("instructor_cli.site"))
    p.add_argument("--from", dest="run_from", metavar="RUN_FOLDER", help=text("instructor_cli.site.from"))
    p.add_argument("--instructor", action="store_true", help=text("instructor_cli.site.instructor"))
    p.add_argument("--out", help=text("instructor_cli.site.out"))
    p.set_defaults(func=_cmd_site)

    sub.add_parser("grid", help=text("instructor_cli.grid"), add_help=False)
    sub.add_parser("predict", help=text("instructor_cli.predict"), add_help=False)
    return parser


def main(argv=None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in SELF_PARSING:
        return int(SELF_PARSING[argv[0]](argv[1:]) or 0)
    args = build_parser().parse_args(argv)
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())

"""Command line of the course for students: ``python -m fcn_course <command>`` (also ``fcn-course``).

Student commands: synth, download, grid, predict. ``grid`` and ``predict`` use the FCNs you wrote: pass
your notebooks with ``--models`` (by default, notebooks/02_fcn_alexnet.ipynb, notebooks/03_upsampling_e_perdas.ipynb and
notebooks/04_fcn_vgg16.ipynb of the current folder when they exist).

course, build, check, grade, release and site are instructor commands: they are not part of the student
package and run from the course repository as ``python -m fcn_course.instructor <command>``; asked here,
they answer with that command.
"""

from __future__ import annotations

import argparse
import sys

from fcn_course.environment import DATA_ENV
from fcn_course.messages import text

INSTRUCTOR_COMMANDS = ("course", "build", "check", "grade", "release", "publish", "site")


def _cmd_synth(a):
    from fcn_course.synthetic import make_synthetic_voc

    try:
        root = make_synthetic_voc(a.root, n_train=a.train, n_val=a.val, seed=a.seed)
    except OSError as error:  # a folder holding files synth did not write, a link, a full disk...
        print(f"synth: {error}", file=sys.stderr)
        return 2
    print(text("cli.synth_written", root=root))


def _cmd_download(a):
    from fcn_course.config import data_root
    from fcn_course.data import download_voc

    print(text("cli.voc_ready", root=download_voc(a.root or data_root(), replace=a.replace)))


def _cmd_grid(argv):
    from fcn_course.experiments import main as grid_main

    return grid_main(argv)


def _cmd_predict(argv):
    from fcn_course.predict import main as predict_main

    return predict_main(argv)


# grid and predict parse their own options, so that `grid --help` shows theirs.
SELF_PARSING = {"grid": _cmd_grid, "predict": _cmd_predict}


def instructor_only(command: str) -> int:
    """Say where an instructor command runs (in the active language); exit status 2."""
    print(text("cli.instructor_only", command=command), file=sys.stderr)
    return 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m fcn_course",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description=text("cli.description"),
        epilog=text("cli.epilog", commands=", ".join(INSTRUCTOR_COMMANDS)),
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="command")

    p = sub.add_parser("synth", help=text("cli.synth"))
    p.add_argument("root", help=text("cli.root"))
    p.add_argument("--train", type=int, default=32, help=text("cli.synth_train"))
    p.add_argument("--val", type=int, default=12, help=text("cli.synth_val"))
    p.add_argument("--seed", type=int, default=0, help=text("cli.synth_seed"))
    p.set_defaults(func=_cmd_synth)

    p = sub.add_parser("download", help=text("cli.download"))
    p.add_argument("--root", help=text("cli.download_root", data_env=DATA_ENV))
    p.add_argument("--replace", action="store_true", help=text("cli.download_replace"))
    p.set_defaults(func=_cmd_download)

    # Listed for --help only: main() hands them their arguments before this parser runs.
    sub.add_parser("grid", add_help=False, help=text("cli.grid"))
    sub.add_parser("predict", add_help=False, help=text("cli.predict"))
    return parser


def main(argv=None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in SELF_PARSING:
        return int(SELF_PARSING[argv[0]](argv[1:]) or 0)
    if argv and argv[0] in INSTRUCTOR_COMMANDS:
        return instructor_only(argv[0])
    args = build_parser().parse_args(argv)
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())

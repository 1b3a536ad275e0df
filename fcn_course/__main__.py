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

INSTRUCTOR_COMMANDS = ("course", "build", "check", "grade", "release", "publish", "site")

INSTRUCTOR_ONLY_MESSAGE = (
    "'{command}' é um comando do professor: ele não faz parte do pacote dos alunos. No repositório do curso, "
    "rode: python -m fcn_course.instructor {command}\n"
    "'{command}' is an instructor command, not part of the student package. From the course repository, "
    "run: python -m fcn_course.instructor {command}"
)


def _cmd_synth(a):
    from fcn_course.synthetic import make_synthetic_voc

    try:
        root = make_synthetic_voc(a.root, n_train=a.train, n_val=a.val, seed=a.seed)
    except OSError as error:  # a folder holding files synth did not write, a link, a full disk...
        print(f"synth: {error}", file=sys.stderr)
        return 2
    print(f"synthetic VOC written to {root}")


def _cmd_download(a):
    from fcn_course.config import data_root
    from fcn_course.data import download_voc

    print(f"Pascal VOC 2012 is ready in {download_voc(a.root or data_root(), replace=a.replace)}")


def _cmd_grid(argv):
    from fcn_course.experiments import main as grid_main

    return grid_main(argv)


def _cmd_predict(argv):
    from fcn_course.predict import main as predict_main

    return predict_main(argv)


# grid and predict parse their own options, so that `grid --help` shows theirs.
SELF_PARSING = {"grid": _cmd_grid, "predict": _cmd_predict}


def instructor_only(command: str) -> int:
    """Say, in Portuguese and English, where an instructor command runs; exit status 2."""
    print(INSTRUCTOR_ONLY_MESSAGE.format(command=command), file=sys.stderr)
    return 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m fcn_course",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Student commands of the FCN course. Run `python -m fcn_course <command> --help` for the "
        "options of each one.",
        epilog="For instructors only: " + ", ".join(INSTRUCTOR_COMMANDS) + " run from the course repository as "
        "`python -m fcn_course.instructor <command>` (comandos do professor).",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="command")

    p = sub.add_parser("synth", help="write the synthetic VOC twin (offline data in the real VOCdevkit layout)")
    p.add_argument("root", help="folder that will contain VOCdevkit/")
    p.add_argument("--train", type=int, default=32)
    p.add_argument("--val", type=int, default=12)
    p.add_argument("--seed", type=int, default=0)
    p.set_defaults(func=_cmd_synth)

    p = sub.add_parser("download", help="download and extract Pascal VOC 2012 (about 2 GB)")
    p.add_argument(
        "--root", help="folder that will contain VOCdevkit/ (default: $FCN_COURSE_DATA or ~/fcn_course_data)"
    )
    p.add_argument(
        "--replace",
        action="store_true",
        help="also re-extract the files of the archive that are already in VOCdevkit/VOC2012: this "
        "overwrites VOC's own images, masks and lists (your edits of them are lost). Files and "
        "folders that are not in the archive (e.g. SegmentationClassAug/) are always kept. Without "
        "it, only missing files are added.",
    )
    p.set_defaults(func=_cmd_download)

    # Listed for --help only: main() hands them their arguments before this parser runs.
    sub.add_parser(
        "grid",
        add_help=False,
        help="train the comparison grid (backbone x skip x pretrained) with "
        "your models (--models NOTEBOOK...; default: your notebooks 02, "
        "03 and 04 in ./notebooks)",
    )
    sub.add_parser(
        "predict",
        add_help=False,
        help="segment your own images with a trained checkpoint and your models (--models NOTEBOOK...)",
    )
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

#!/usr/bin/env bash
# Main job: run the whole solution course end to end and keep the executed notebooks (+ HTML) in runs/.
# Real Pascal VOC is used when it is found (see README, "Where the data goes"); otherwise the synthetic
# VOC twin in smoke mode. Extra arguments go to `python -m fcn_course.instructor course` (e.g. --smoke).
source "$(dirname "${BASH_SOURCE[0]}")/_env.sh"
exec "$PY" -m fcn_course.instructor course "$@"

#!/usr/bin/env bash
# Main job: run the whole solution course end to end and keep the executed notebooks (+ HTML) in runs/.
# The full profile when real Pascal VOC is found (see README, "Where the data goes"), otherwise the demo
# profile on the synthetic VOC twin (fcn_course.instructor.course.choose_profile). Extra arguments go to
# `python -m fcn_course.instructor course` (e.g. --profile smoke, or --smoke).
source "$(dirname "${BASH_SOURCE[0]}")/_env.sh"
exec "$PY" -m fcn_course.instructor course "$@"

#!/bin/sh
# Rewrites internal/stamp of the benchmark module in $1 with a new value, as
# an edit would: every program that prints it is recompiled and relinked.
set -eu
printf '// Package stamp is rewritten before each timed build.\npackage stamp\n\nconst Value = "%s-%s"\n' \
    "$(date +%s%N)" "$$" > "$1/internal/stamp/stamp.go"

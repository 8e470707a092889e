#!/usr/bin/env bash
# Runs the whole test suite under AddressSanitizer, then ThreadSanitizer
# (or the sanitizers named as arguments), each from its own build directory
# (.build/sanitize-<name>) so the ordinary build stays as it is.
#
# Sanitizer reports go to files, not stderr (tests read the products' stderr),
# and are printed at the end; the run fails when the suite fails or any
# report was written. Leak checking is off: the Swift runtime keeps
# allocations alive until exit by design.
#
# usage: scripts/sanitize.sh [address] [thread]
set -euo pipefail
cd "$(dirname "$0")/.."

sanitizers=("$@")
[ ${#sanitizers[@]} -eq 0 ] && sanitizers=(address thread)

reports=$(mktemp -d /tmp/ko-sanitize.XXXXXX)
status=0
for sanitizer in "${sanitizers[@]}"; do
    scratch=.build/sanitize-$sanitizer
    mkdir -p "$reports/$sanitizer"
    echo "== $sanitizer: building into $scratch"
    start=$(date +%s)
    swift build --build-tests --sanitize="$sanitizer" --scratch-path "$scratch"
    built=$(date +%s)
    echo "== $sanitizer: running the suite"
    export ASAN_OPTIONS="detect_leaks=0:log_path=$reports/address/report"
    export TSAN_OPTIONS="halt_on_error=0:second_deadlock_stack=1:log_path=$reports/thread/report"
    export UBSAN_OPTIONS="print_stacktrace=1:log_path=$reports/undefined/report"
    if ! scripts/test.sh --sanitize="$sanitizer" --scratch-path "$scratch"; then
        echo "== $sanitizer: the suite failed"
        status=1
    fi
    done_at=$(date +%s)
    echo "== $sanitizer: build $((built - start))s, tests $((done_at - built))s"
    count=$(find "$reports/$sanitizer" -type f | wc -l)
    if [ "$count" -gt 0 ]; then
        echo "== $sanitizer: $count report file(s):"
        for report in "$reports/$sanitizer"/*; do
            echo "--- $report"
            cat "$report"
        done
        status=1
    else
        echo "== $sanitizer: no reports"
    fi
done
rm -rf "$reports"
exit $status

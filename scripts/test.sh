#!/usr/bin/env bash
# Runs the test suite: installs what is missing, builds with warnings as errors, then runs every
# test (pure units, real EGL rendering on Mesa llvmpipe, the built binary end to end).
# Extra arguments go to `swift test` (e.g. --filter CLITests).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh

# One formatter configuration (.swift-format) for the whole tree; a lint finding fails the run.
swift format lint --strict -r Sources Tests Package.swift
swift build --build-tests -Xswiftc -warnings-as-errors

log="$(mktemp)"
trap 'rm -f "$log"' EXIT
# The suite is XCTest; Swift Testing would only add an empty "0 tests" run after it.
set +e
swift test --skip-build --disable-swift-testing "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
summary=$(grep -E "^[[:space:]]*Executed [0-9]+ tests?, with [0-9]+ failures?" "$log" | tail -1)
if [ -n "$summary" ]; then
  total=$(echo "$summary" | sed -E 's/.*Executed ([0-9]+) tests?.*/\1/')
  failed=$(echo "$summary" | sed -E 's/.*with ([0-9]+) failures?.*/\1/')
  echo "tests: $((total - failed)) passed, $failed failed"
fi
bash scripts/check_cluster.sh
exit "$status"

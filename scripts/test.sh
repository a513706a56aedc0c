#!/usr/bin/env bash
# Runs the test suite: installs what is missing, builds with warnings as errors, then runs every
# test (pure units, real EGL rendering on Mesa llvmpipe, the built binary end to end).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh

# llvmpipe everywhere in tests: deterministic and the same on every machine.
export LIBGL_ALWAYS_SOFTWARE=1

swift build --build-tests -Xswiftc -warnings-as-errors
swift test --skip-build "$@"

#!/usr/bin/env bash
# Quick start: install what is missing, build SceneFarm (release), render the sample driving
# dataset into out/sample, and verify its labels.
#   FRAMES=8 SCENE=scenes/driving_street.yaml OUT=out/sample ./scripts/quickstart.sh
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh

scene="${SCENE:-scenes/driving_street.yaml}"
out="${OUT:-out/sample}"
frames="${FRAMES:-8}"

swift build -c release --product scenefarm
bin="$(swift build -c release --show-bin-path)/scenefarm"
"$bin" render "$scene" --out "$out" --frames "$frames"
"$bin" verify "$out"
echo "sample dataset: $out (binary: $bin)"

#!/usr/bin/env bash
# Regenerates the README gallery from a built scenefarm binary, headless (EGL; no display, no GPU):
#
#   docs/gallery/weather.png  one view of scenes/driving_weather_sweep.yaml under each of its six
#                             conditions, each color image beside its semantic segmentation
#   docs/gallery/scenes.png   one frame of each library scene, color beside semantic
#
#   scripts/gallery.sh                         uses .build/release/scenefarm
#   SCENEFARM=.build/debug/scenefarm scripts/gallery.sh
#
# Installs nothing: build first (`swift build -c release --product scenefarm`). Environment:
# SCENEFARM (the binary), WEATHER_VIEW (the sweep's view, default 1: frames 6*VIEW ... 6*VIEW+5),
# SIZE (each panel's render size, default 480x270) and OUT_DIR (default docs/gallery).
set -euo pipefail

# SCENEFARM is taken as the caller gave it (relative to where they stand, or a name on PATH).
if [ -n "${SCENEFARM:-}" ]; then
    case "$SCENEFARM" in
        */*)
            if dir=$(cd "$(dirname "$SCENEFARM")" 2>/dev/null && pwd); then
                BIN=$dir/$(basename "$SCENEFARM")
            else
                BIN=$SCENEFARM
            fi
            ;;
        *) BIN=$(command -v "$SCENEFARM" || echo "$SCENEFARM") ;;
    esac
fi
cd "$(dirname "$0")/.."
BIN=${BIN:-.build/release/scenefarm}
if [ ! -x "$BIN" ]; then
    echo "gallery.sh: no scenefarm binary at $BIN; build it (swift build -c release --product scenefarm)" \
        "or point SCENEFARM at one" >&2
    exit 1
fi
WEATHER_VIEW=${WEATHER_VIEW:-1}
SIZE=${SIZE:-480x270}
OUT_DIR=${OUT_DIR:-docs/gallery}
mkdir -p "$OUT_DIR"

# The sweep has six conditions, so view k is frames 6k ... 6k+5; two conditions per row.
first=$((6 * WEATHER_VIEW))
frames=$(seq -s, "$first" $((first + 5)))
"$BIN" preview scenes/driving_weather_sweep.yaml --png "$OUT_DIR/weather.png" --frames "$frames" \
    --overlays rgb,semantic --columns 4 --size "$SIZE" --scale 1

# One frame of each library scene (the frame picked for what it shows), rendered at one size so that
# the panels line up.
"$BIN" preview \
    scenes/driving_highway.yaml --frames 12 \
    scenes/driving_intersection.yaml --frames 0 \
    scenes/driving_parking_lot.yaml --frames 0 \
    scenes/robotics_warehouse.yaml --frames 20 \
    scenes/robotics_bin_picking.yaml --frames 100 \
    scenes/robotics_corridor.yaml --frames 0 \
    --png "$OUT_DIR/scenes.png" --overlays rgb,semantic --columns 4 --size "$SIZE" --scale 1

ls -l "$OUT_DIR/weather.png" "$OUT_DIR/scenes.png"

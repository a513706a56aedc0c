#!/usr/bin/env bash
# Renders a small dataset, makes its HTML report and screenshots it with headless Chromium into
# docs/images/report.png. Installs Chromium (Debian package) when it is missing.
#
#   scripts/report_screenshot.sh [SCENE] [FRAMES]
set -euo pipefail
cd "$(dirname "$0")/.."

SCENE=${1:-scenes/driving_street.yaml}
FRAMES=${2:-24}
OUT_PNG=docs/images/report.png

if ! command -v chromium >/dev/null 2>&1; then
    echo "installing chromium" >&2
    SUDO=$([ "$(id -u)" = 0 ] || echo sudo)
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi

swift build -c debug --product scenefarm >/dev/null
BIN=$(swift build --show-bin-path)/scenefarm

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
"$BIN" render "$SCENE" --out "$WORK/dataset" --frames "$FRAMES"
"$BIN" report "$WORK/dataset" --out "$WORK/report.html" --samples 4

mkdir -p "$(dirname "$OUT_PNG")"
chromium --headless --no-sandbox --disable-gpu --hide-scrollbars \
    --screenshot="$PWD/$OUT_PNG" --window-size=1280,2000 "file://$WORK/report.html" 2>/dev/null

# Keep the committed image small: re-encode with a reduced palette when it is large.
if [ "$(stat -c %s "$OUT_PNG")" -gt 600000 ] && command -v pngquant >/dev/null 2>&1; then
    pngquant --force --quality 60-85 --output "$OUT_PNG" "$OUT_PNG"
fi
ls -l "$OUT_PNG"

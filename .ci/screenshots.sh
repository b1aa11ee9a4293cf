#!/usr/bin/env bash
# Takes screenshots of the real GUI under Xvfb: every main screen into
# $OUT (default /tmp/marketbench-shots), and the three the README shows
# into docs/screenshots/.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${OUT:-/tmp/marketbench-shots}
mkdir -p "$out"
Xvfb :97 -screen 0 1400x900x24 >/dev/null 2>&1 &
xvfb=$!
trap 'kill $xvfb' EXIT
sleep 1
DISPLAY=:97 LANG=en_US.UTF-8 MB_SCREENSHOTS="$out" MARKETBENCH_BUNDLED_PLUGINS="$PWD/bin/plugins" go test -count=1 ./app/ui
cp "$out"/data-filter.png docs/screenshots/data.png
cp "$out"/segments.png docs/screenshots/segments.png
cp "$out"/import.png docs/screenshots/import.png
cp "$out"/models-detail.png docs/screenshots/models.png
cp "$out"/campaigns.png docs/screenshots/campaigns.png
echo "Screenshots in $out; README images updated in docs/screenshots/."

#!/usr/bin/env bash
# Takes screenshots of the real GUI under Xvfb, in English and in Chinese:
# every main screen into $OUT/en and $OUT/zh-Hans (default OUT:
# /tmp/marketbench-shots), and the ones the README shows into
# docs/screenshots/ (Chinese ones with a -zh suffix).
set -euo pipefail
cd "$(dirname "$0")/.."
out=${OUT:-/tmp/marketbench-shots}
mkdir -p "$out"
Xvfb :97 -screen 0 1400x900x24 >/dev/null 2>&1 &
xvfb=$!
trap 'kill $xvfb' EXIT
sleep 1
for lang in en_US zh_CN; do
	dir="$out/${lang%_*}"
	suffix=""
	[ "$lang" = zh_CN ] && dir="$out/zh-Hans" && suffix="-zh"
	mkdir -p "$dir"
	DISPLAY=:97 LANG=$lang.UTF-8 LANGUAGE= LC_ALL= MB_SCREENSHOTS="$dir" MARKETBENCH_BUNDLED_PLUGINS="$PWD/bin/plugins" \
		go test -count=1 -run '^$' ./app/ui
	cp "$dir"/data-filter.png docs/screenshots/data$suffix.png
	cp "$dir"/segments.png docs/screenshots/segments$suffix.png
	cp "$dir"/import.png docs/screenshots/import$suffix.png
	cp "$dir"/models-detail.png docs/screenshots/models$suffix.png
	cp "$dir"/campaigns.png docs/screenshots/campaigns$suffix.png
done
echo "Screenshots in $out/en and $out/zh-Hans; README images updated in docs/screenshots/."

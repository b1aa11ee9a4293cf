#!/usr/bin/env bash
# Takes screenshots of the real GUI under Xvfb: every main screen at
# 1024×700 (the smallest screen Marketbench fits) and at 1920×1080, in
# English and in Chinese, in the default dark theme, plus a light-theme set
# at 1024×700 in English. They go into $OUT/<language>/<size>[-light]
# (default OUT: /tmp/marketbench-shots); the ones the README shows, at
# 1024×700, into docs/screenshots/ (Chinese ones with a -zh suffix).
# Each set takes about a minute; a screen that makes the window grow past
# its size is named on stderr.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${OUT:-/tmp/marketbench-shots}
mkdir -p "$out"
display=97 # the first free X display from here
while [ -e /tmp/.X$display-lock ]; do display=$((display + 1)); done
shoot() { # lang size theme
	local lang=$1 size=$2 theme=$3 dir
	dir="$out/${lang%_*}/$size"
	[ "$lang" = zh_CN ] && dir="$out/zh-Hans/$size"
	[ "$theme" = light ] && dir="$dir-light"
	mkdir -p "$dir"
	Xvfb :$display -screen 0 "${size}x24" >/dev/null 2>&1 &
	local xvfb=$!
	sleep 1
	DISPLAY=:$display LANG=$lang.UTF-8 LANGUAGE= LC_ALL= FYNE_THEME=$theme MB_SHOT_SIZE=$size MB_SCREENSHOTS="$dir" \
		MARKETBENCH_BUNDLED_PLUGINS="$PWD/bin/plugins" go test -v -count=1 -run '^$' ./app/ui >&2 || { kill $xvfb; exit 1; }
	kill $xvfb
	wait $xvfb 2>/dev/null || true
	echo "$dir"
}
for lang in en_US zh_CN; do
	suffix=""
	[ "$lang" = zh_CN ] && suffix="-zh"
	dir=$(shoot $lang 1024x700 dark)
	shoot $lang 1920x1080 dark >/dev/null
	cp "$dir"/data-filter.png docs/screenshots/data$suffix.png
	cp "$dir"/segments.png docs/screenshots/segments$suffix.png
	cp "$dir"/import.png docs/screenshots/import$suffix.png
	cp "$dir"/models-detail.png docs/screenshots/models$suffix.png
	cp "$dir"/campaigns.png docs/screenshots/campaigns$suffix.png
	cp "$dir"/products-customer.png docs/screenshots/products$suffix.png
	cp "$dir"/value-check.png docs/screenshots/value$suffix.png
	cp "$dir"/journeys-split.png docs/screenshots/journeys$suffix.png
done
shoot en_US 1024x700 light >/dev/null
echo "Screenshots in $out/en and $out/zh-Hans; README images updated in docs/screenshots/."

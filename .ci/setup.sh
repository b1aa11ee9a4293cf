#!/usr/bin/env bash
# Checks the system packages cgo needs (Fyne: OpenGL and X11 headers; DuckDB:
# a C compiler) and installs the missing ones with apt-get when it can.
# Usage: .ci/setup.sh [extra-package ...]
set -euo pipefail

pkgs=(gcc g++ pkg-config libgl1-mesa-dev xorg-dev "$@")

if ! command -v go >/dev/null 2>&1; then
	echo "Go is not installed (or not on PATH). Install Go 1.26 from https://go.dev/dl/ and run this again." >&2
	exit 1
fi
if ! command -v dpkg-query >/dev/null 2>&1; then
	echo "This is not a Debian/Ubuntu system; install the equivalents of: ${pkgs[*]}" >&2
	exit 0
fi

missing=()
for p in "${pkgs[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing+=("$p")
	fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "Installing missing system packages: ${missing[*]}"
if [ "$(id -u)" -eq 0 ]; then
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
	sudo apt-get update -qq
	sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
	echo "Some system packages are missing and I cannot install them without root. Run:" >&2
	echo "  sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
	exit 1
fi

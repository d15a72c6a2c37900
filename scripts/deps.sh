#!/bin/sh
# scripts/deps.sh [build|test|bench]: install what elbship needs from
# Debian's archive, skipping what is already installed.  Runs apt-get update
# once, and only if something is missing.  Uses sudo when not root.
set -eu

mode=${1:-build}
build="make gcc libc6-dev pkg-config git ca-certificates libisal-dev libjansson-dev libssl-dev libcurl4-openssl-dev libexpat1-dev zlib1g-dev"
test_pkgs="$build clang libclang-rt-14-dev jq gzip python3 curl"
bench_pkgs="$build isal goaccess time"

case $mode in
build) want=$build ;;
test) want=$test_pkgs ;;
bench) want=$bench_pkgs ;;
*) echo "usage: scripts/deps.sh [build|test|bench]" >&2; exit 2 ;;
esac

missing=
for p in $want; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done
# Node.js and npm (for s3rver): any installation will do (Debian's, or
# NodeSource's, which bundles npm and conflicts with Debian's npm package).
if [ "$mode" = test ]; then
	command -v node >/dev/null 2>&1 || missing="$missing nodejs"
	command -v npm >/dev/null 2>&1 || missing="$missing npm"
fi
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	if command -v sudo >/dev/null 2>&1; then
		SUDO=sudo
	else
		echo "elbship deps: missing Debian packages:$missing" >&2
		echo "elbship deps: run as root or install sudo" >&2
		exit 1
	fi
else
	SUDO=
fi
echo "elbship deps: installing:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null

#!/bin/sh
# scripts/deps.sh [--check] [build|test|bench]: install what elbship needs,
# skipping what is already there.
#
#   build   Debian packages: the compiler, make, the -dev libraries
#   test    build's, plus clang, jq, python3, curl, Node.js and npm; then
#           the tests' pinned npm packages (npm ci --prefix tests: s3rver;
#           npm ci --prefix tests/deploy: the CloudFormation validator),
#           each when its node_modules is missing or older than its lockfile
#   bench   build's, plus isal, goaccess and time
#
# Runs apt-get update once, and only if a Debian package is missing; uses
# sudo when not root.  With --check nothing is installed: it says what is
# missing (and how to get it) on stderr and exits 1, or exits 0 (tests/run.sh
# checks this way: the tests never install anything, ./dev.sh test does).
set -eu
cd "$(dirname "$0")/.."

check=
if [ "${1:-}" = --check ]; then
	check=1
	shift
fi
mode=${1:-build}
build="make gcc libc6-dev pkg-config git ca-certificates libisal-dev libjansson-dev libssl-dev libcurl4-openssl-dev libexpat1-dev zlib1g-dev"
# Every command the test scripts run that a minimal Debian 12 (debootstrap
# --variant=minbase) lacks: clang (the -Werror build, fuzz smoke), jq,
# python3 (test servers), curl, procps (pgrep: the Lambda suite's warm
# process), openssl (test certificates), unzip and binutils (readelf,
# objcopy, strip: the package suite).  scripts/minimal-root.sh checks it.
test_pkgs="$build clang libclang-rt-14-dev jq gzip python3 curl procps openssl unzip binutils"
bench_pkgs="$build isal goaccess time"
npm_dirs="tests tests/deploy"	# each with package.json + package-lock.json

case $mode in
build) want=$build ;;
test) want=$test_pkgs ;;
bench) want=$bench_pkgs ;;
*) echo "usage: scripts/deps.sh [--check] [build|test|bench]" >&2; exit 2 ;;
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

# npm_current DIR: DIR/node_modules was installed (npm ci writes its
# .package-lock.json) after DIR/package-lock.json last changed.
npm_current() {
	[ -f "$1/node_modules/.package-lock.json" ] &&
	    [ -z "$(find "$1/package-lock.json" -newer \
	    "$1/node_modules/.package-lock.json")" ]
}

if [ -n "$check" ]; then
	rc=0
	if [ -n "$missing" ]; then
		echo "elbship deps: missing Debian packages:$missing" >&2
		rc=1
	fi
	if [ "$mode" = test ]; then
		for d in $npm_dirs; do
			if ! npm_current "$d"; then
				echo "elbship deps: $d/node_modules is missing or older than $d/package-lock.json (npm ci --prefix $d)" >&2
				rc=1
			fi
		done
	fi
	[ "$rc" -eq 0 ] ||
	    echo "elbship deps: ./dev.sh test installs them (or: scripts/deps.sh $mode)" >&2
	exit "$rc"
fi

if [ -n "$missing" ]; then
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
fi

if [ "$mode" = test ]; then
	for d in $npm_dirs; do
		npm_current "$d" && continue
		echo "elbship deps: npm ci --prefix $d" >&2
		npm ci --prefix "$d" --no-audit --no-fund --loglevel=error >&2
	done
fi
exit 0

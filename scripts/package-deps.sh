#!/bin/sh
# scripts/package-deps.sh [x86_64|arm64|all]: install what scripts/package.sh
# and tests/package/run.sh need from Debian's archive, skipping what is
# already there (apt-get update runs once, and only when something is
# missing).  Uses sudo when not root.  package.sh runs it first; it is
# quick when everything is there.
#
#   x86_64 (default)  the build dependencies (scripts/deps.sh build: gcc,
#                     make, the -dev packages, libexpat1-dev's libexpat.a
#                     among them), unzip, binutils, python3, jq
#   arm64             the above, plus the arm64 architecture (dpkg
#                     multiarch), Debian's aarch64 cross compiler, the arm64
#                     -dev packages elbship links against, and qemu-user-static
#                     to run the result.  libisal-dev and libisal2 are not
#                     Multi-Arch: same (the :arm64 ones would replace the
#                     host's), so those two are `apt-get download`ed and
#                     unpacked into build/lambda-deps/sysroot-arm64/ instead
#                     (kept until `make clean`)
#   all               both
set -eu
cd "$(dirname "$0")/.."

want_arch=${1:-x86_64}
case $want_arch in
x86_64|arm64|all) ;;
*) echo "usage: scripts/package-deps.sh [x86_64|arm64|all]" >&2; exit 2 ;;
esac

if [ "$(id -u)" -ne 0 ]; then
	if command -v sudo >/dev/null 2>&1; then SUDO=sudo; else SUDO=; fi
else
	SUDO=
fi
need_root() {
	if [ "$(id -u)" -ne 0 ] && [ -z "$SUDO" ]; then
		echo "elbship package-deps: $1: run as root or install sudo" >&2
		exit 1
	fi
}
export DEBIAN_FRONTEND=noninteractive

scripts/deps.sh build

installed() {	# installed PKG[:ARCH]
	dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"
}

pkgs="unzip binutils python3 jq"
arm_pkgs="gcc-aarch64-linux-gnu binutils-aarch64-linux-gnu qemu-user-static libc6:arm64 libcurl4-openssl-dev:arm64 libjansson-dev:arm64 libexpat1-dev:arm64 libssl-dev:arm64 zlib1g-dev:arm64"

# ---- arm64 multiarch -------------------------------------------------------------
case $want_arch in
arm64|all)
	if ! dpkg --print-foreign-architectures | grep -qx arm64; then
		need_root "dpkg --add-architecture arm64"
		echo "elbship package-deps: dpkg --add-architecture arm64" >&2
		$SUDO dpkg --add-architecture arm64
	fi
	pkgs="$pkgs $arm_pkgs"
	;;
esac

missing=
for p in $pkgs; do
	installed "$p" || missing="$missing $p"
done
if [ -n "$missing" ]; then
	need_root "installing$missing"
	echo "elbship package-deps: installing:$missing" >&2
	$SUDO apt-get update -qq
	# shellcheck disable=SC2086
	$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi

deps=build/lambda-deps
mkdir -p "$deps"

# ---- libisal for arm64 (not co-installable with the host's) ---------------------
case $want_arch in
arm64|all)
	sysroot=$deps/sysroot-arm64
	# the version apt would install (refetched when Debian updates it)
	want=$(apt-cache show --no-all-versions libisal2:arm64 2>/dev/null | sed -n 's/^Version: //p' | head -n 1)
	if ! installed libisal-dev:arm64 && { [ ! -e "$sysroot/usr/lib/aarch64-linux-gnu/libisal.so" ] ||
	    [ "$(cat "$sysroot/.version" 2>/dev/null)" != "$want" ]; }; then
		rm -rf "$deps/debs-arm64" "$sysroot"
		mkdir -p "$deps/debs-arm64" "$sysroot"
		(cd "$deps/debs-arm64" && apt-get download -qq libisal2:arm64 libisal-dev:arm64 2>&1 |
		    grep -v 'unsandboxed' >&2) || true
		n=0
		for d in "$deps/debs-arm64"/*.deb; do
			[ -f "$d" ] || continue
			dpkg-deb -x "$d" "$sysroot"
			n=$((n + 1))
		done
		if [ "$n" -ne 2 ] || [ ! -e "$sysroot/usr/lib/aarch64-linux-gnu/libisal.so" ]; then
			echo "elbship package-deps: apt-get download libisal2:arm64 libisal-dev:arm64 failed" >&2
			rm -rf "$sysroot"
			exit 1
		fi
		echo "$want" >"$sysroot/.version"
		echo "elbship package-deps: libisal $want for arm64 in $sysroot" >&2
	fi
	;;
esac
exit 0

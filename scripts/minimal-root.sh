#!/usr/bin/env bash
# scripts/minimal-root.sh [--root DIR] [--mirror URL] [--commands "demo test"]
#
# The README's two commands (./dev.sh demo, ./dev.sh test) on a minimal
# Debian 12, as a new user would run them: a check to run by hand before a
# release (not in CI: it needs root and takes minutes, most of them in
# apt-get and the test suite).
#
#   1. the root: DIR if it already holds a Debian system (DIR/etc/debian_version,
#      e.g. a previous run's, or an unpacked debian:12 container image),
#      else `debootstrap --variant=minbase bookworm DIR MIRROR` (default
#      DIR: /var/tmp/elbship-minimal-root, MIRROR: http://deb.debian.org/debian);
#   2. the host's certificate authorities (/usr/local/share/ca-certificates,
#      /etc/ssl/certs/ca-certificates.crt), its apt sources when the host is
#      bookworm too, and its proxy and CA variables (http_proxy,
#      https_proxy, no_proxy, SSL_CERT_FILE, NODE_EXTRA_CA_CERTS...), so that
#      the package registries answer inside as they do outside;
#   3. a fresh clone of this checkout's HEAD (committed work only, as CI
#      sees it) in DIR/src/elbship, replacing any earlier copy;
#   4. /proc, /sys, /dev, /dev/pts and a /dev/shm mounted, then, under
#      chroot with a clean environment (env -i: PATH, HOME, LANG and the
#      variables of step 2), `./dev.sh demo` then `./dev.sh test`, each
#      logged to DIR-COMMAND.log (beside DIR);
#   5. the mounts undone (also on error or Ctrl-C).  The root is kept: a
#      re-run with the same DIR skips debootstrap and finds the packages
#      installed; for a clean check remove it first (rm -rf DIR).
#
# Exit status: 0 if both commands succeed (the test suite's last line
# "N passed, 0 failed"), 1 otherwise, 2 on a usage error.  Needs root,
# debootstrap (apt-get install debootstrap) for a new root, and git.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD

root=/var/tmp/elbship-minimal-root
mirror=http://deb.debian.org/debian
commands="demo test"

usage() {
	echo "usage: scripts/minimal-root.sh [--root DIR] [--mirror URL] [--commands \"demo test\"]" >&2
	exit 2
}
while [ $# -gt 0 ]; do
	case $1 in
	--root) [ $# -ge 2 ] || usage; root=$2; shift 2 ;;
	--mirror) [ $# -ge 2 ] || usage; mirror=$2; shift 2 ;;
	--commands) [ $# -ge 2 ] || usage; commands=$2; shift 2 ;;
	-h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*) usage ;;
	esac
done
for c in $commands; do
	case $c in demo|test) ;; *) echo "minimal-root: --commands takes demo and/or test, not '$c'" >&2; exit 2 ;; esac
done

say() { echo "minimal-root: $*" >&2; }
die() { echo "minimal-root: error: $*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || die "needs root (debootstrap, mount, chroot)"
command -v git >/dev/null || die "needs git"
mkdir -p "$root"
root=$(cd "$root" && pwd)

# ---- 1. the root --------------------------------------------------------------------
if [ -f "$root/etc/debian_version" ]; then
	say "using the existing root $root (Debian $(cat "$root/etc/debian_version"))"
else
	command -v debootstrap >/dev/null || die "no debootstrap (apt-get install debootstrap)"
	[ -z "$(ls -A "$root")" ] || die "$root is neither empty nor a Debian root"
	say "debootstrap --variant=minbase bookworm $root $mirror (a few minutes)"
	t0=$(date +%s)
	debootstrap --variant=minbase bookworm "$root" "$mirror" >"$root-debootstrap.log" 2>&1 ||
	    { tail -n 20 "$root-debootstrap.log" >&2; die "debootstrap failed (log: $root-debootstrap.log)"; }
	say "debootstrap done in $(($(date +%s) - t0)) s"
fi

# ---- 2. the host's CAs, apt sources and proxies -----------------------------------------
if [ -d /usr/local/share/ca-certificates ]; then
	mkdir -p "$root/usr/local/share/ca-certificates"
	cp -a /usr/local/share/ca-certificates/. "$root/usr/local/share/ca-certificates/"
fi
if [ -f /etc/ssl/certs/ca-certificates.crt ]; then
	# until the root's own ca-certificates package (a build dependency)
	# rebuilds it, with the local CAs above
	mkdir -p "$root/etc/ssl/certs"
	cp /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/ca-certificates.crt"
fi
if grep -qs bookworm /etc/os-release; then
	[ -f /etc/apt/sources.list ] && cp /etc/apt/sources.list "$root/etc/apt/sources.list"
	if [ -d /etc/apt/sources.list.d ] && [ -n "$(ls -A /etc/apt/sources.list.d)" ]; then
		cp -a /etc/apt/sources.list.d/. "$root/etc/apt/sources.list.d/"
		# the .sources files replace debootstrap's one-line sources.list
		[ -f /etc/apt/sources.list ] || : >"$root/etc/apt/sources.list"
	fi
fi
cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
envs=(PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8
    DEBIAN_FRONTEND=noninteractive)
for v in http_proxy https_proxy no_proxy HTTP_PROXY HTTPS_PROXY NO_PROXY SSL_CERT_FILE SSL_CERT_DIR \
    NODE_EXTRA_CA_CERTS CURL_CA_BUNDLE REQUESTS_CA_BUNDLE; do
	[ -n "${!v:-}" ] && envs+=("$v=${!v}")
done
# the npm client's own settings (registry, CA), if the host has any
[ -f "$HOME/.npmrc" ] && cp "$HOME/.npmrc" "$root/root/.npmrc"

# ---- 3. the checkout ---------------------------------------------------------------------
head=$(git rev-parse HEAD)
[ -z "$(git status --porcelain --untracked-files=no)" ] ||
    say "note: uncommitted changes are not copied (the root gets HEAD, $head)"
rm -rf "$root/src/elbship"
mkdir -p "$root/src"
git clone -q --no-local "$repo" "$root/src/elbship"
git -C "$root/src/elbship" checkout -q --detach "$head"
say "checkout: elbship $("$root/src/elbship/scripts/version.sh") in $root/src/elbship"

# ---- 4. mounts and the commands ----------------------------------------------------------
mounted=()
cleanup() {
	local i
	for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do
		umount "${mounted[$i]}" 2>/dev/null || umount -l "${mounted[$i]}" 2>/dev/null || true
	done
}
trap cleanup EXIT
trap 'exit 130' INT TERM
mnt() {	# mnt TARGET MOUNT-ARGS...
	local t=$root$1
	shift
	mkdir -p "$t"
	mount "$@" "$t"
	mounted+=("$t")
}
mnt /proc -t proc proc
mnt /sys -t sysfs sysfs
mnt /dev --bind /dev
mnt /dev/pts --bind /dev/pts
mnt /dev/shm -t tmpfs -o mode=1777 shm

status=0
for c in $commands; do
	log=$root-$c.log
	say "./dev.sh $c (log: $log)"
	t0=$(date +%s)
	if env -i "${envs[@]}" chroot "$root" /bin/sh -c 'cd /src/elbship && exec ./dev.sh "$1"' sh "$c" \
	    >"$log" 2>&1; then
		rc=0
	else
		rc=$?
	fi
	took=$(($(date +%s) - t0))
	case $c in
	demo)
		# the demo's documents on stdout, its summary on stderr
		summary=$(grep '^elbship: ' "$log" | head -n 3)
		if [ "$rc" -eq 0 ] && grep -q '^{"@timestamp":' "$log"; then
			say "./dev.sh demo: ok in $took s"
		else
			say "./dev.sh demo: FAILED (exit $rc) in $took s"
			tail -n 20 "$log" >&2
			status=1
		fi
		[ -n "$summary" ] && echo "$summary" | sed 's/^/    /' >&2
		;;
	test)
		last=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
		if [ "$rc" -eq 0 ] && [[ $last =~ ^[0-9]+\ passed,\ 0\ failed ]]; then
			say "./dev.sh test: ok in $took s: $last"
		else
			say "./dev.sh test: FAILED (exit $rc) in $took s: ${last:-no summary line}"
			grep -E '^(FAIL|    not ok)' "$log" | head -n 30 >&2 || true
			status=1
		fi
		;;
	esac
done
exit "$status"

# tests/lib/s3suite.sh: the start every suite with s3rver shares (tests/s3,
# tests/enqueue, tests/lambda/lib.sh).  Sourced from the repository's root
# after `set -u`; sets:
#   repo      the repository's root
#   ELBSHIP   the binary under test, absolute (default build/release/elbship)
#   tmp       a scratch directory, removed at exit (KEEP=1 keeps it)
#   pids      processes to end at exit (append to it)
#   s3        tests/s3/s3util.py against the s3rver started in $tmp/s3,
#             whose environment (endpoint, credentials) is exported
# and the TAP helpers of tests/lib/tap.sh.  If s3rver does not start, the
# suite ends with one failed check and the server's log.
repo=$PWD
ELBSHIP=$(realpath "${ELBSHIP:-build/release/elbship}")
tmp=$(mktemp -d)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	"$repo/tests/s3/s3rver.sh" stop "$tmp/s3" >/dev/null 2>&1
	wait 2>/dev/null
	[ -n "${KEEP:-}" ] && echo "# kept $tmp" || rm -rf "$tmp"
}
trap cleanup EXIT
. tests/lib/tap.sh

export S3RVER_PARENT_PID=$$
if ! "$repo/tests/s3/s3rver.sh" start "$tmp/s3" >"$tmp/s3.log" 2>&1; then
	notok "s3rver starts"; sed 's/^/# /' "$tmp/s3.log"; finish
fi
# shellcheck disable=SC1091
. "$tmp/s3/env"
s3() { python3 "$repo/tests/s3/s3util.py" --env-file "$tmp/s3/env" "$@"; }

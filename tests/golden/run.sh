#!/usr/bin/env bash
# tests/golden/run.sh [CASE...]: golden tests.  For every tests/golden/<dir>/<case>.log
# (or <case>.log.gz) run `elbship ship` on it and compare the documents with
# <case>.ndjson, field by field, with tools/jsoncmp.
#
#   <case>.log     the input; its file NAME matters (AWS-style names give the
#                  log type, cloud.region and cloud.account.id, and every
#                  name gives event.id = sha256(name without .gz)[:20]-offset)
#   <case>.ndjson  the expected documents, one JSON object per line
#   <case>.args    optional: extra elbship flags, e.g. `--type alb` or `-e`
#   <case>.rc      optional: the expected exit status (default 0)
#   <case>.todo    optional: a known bug in src/; its first line is the
#                  reason.  Differences are then printed as
#                  `ok N - ... # TODO reason` and do not fail the suite.
#
# The expected documents are written from the spec (lb-log-formats.md) and
# the field names in docs/fields.md, and checked value by value by hand;
# never by pasting elbship's output, which would only pin its bugs down.
# A case that shows a bug gets a .todo file rather than a wrong .ndjson.
# Directories: alb, clb, nlb, albconn (one log type each, AWS-style and
# generic names) and mixed (sniffing several types in one file, gzip,
# a last line without newline).
#
# With CASE arguments, only the cases whose name (<dir>/<case>, as the TAP
# lines print it) contains one of them run: `tests/golden/run.sh
# alb/` for one directory, `tests/golden/run.sh _escapes` for one case.
#
# The .log is passed as a path relative to the repository root, so
# log.file.path is stable.  Environment: ELBSHIP (default
# build/release/elbship), TOOLS (default build/release/tools).  Prints TAP
# and ends with one "# N passed, M failed" line; exits 1 on failures.
set -u
cd "$(dirname "$0")/../.."

ELBSHIP=${ELBSHIP:-build/release/elbship}
TOOLS=${TOOLS:-build/release/tools}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

n=0
passed=0
failed=0

# tap OK TEXT: one numbered TAP line of our own.
tap() {
	n=$((n + 1))
	if [ "$1" -eq 1 ]; then
		echo "ok $n - $2"
		passed=$((passed + 1))
	else
		echo "not ok $n - $2"
		failed=$((failed + 1))
	fi
}

for bin in "$ELBSHIP" "$TOOLS/jsoncmp"; do
	if [ ! -x "$bin" ]; then
		echo "# $bin is not built (make all tools)"
		echo "# 0 passed, 1 failed"
		exit 1
	fi
done

# wanted NAME: no CASE was given, or NAME contains one.
wanted() {
	local c
	[ ${#cases[@]} -eq 0 ] && return 0
	for c in "${cases[@]}"; do
		case $1 in *"$c"*) return 0 ;; esac
	done
	return 1
}
cases=("$@")

for log in tests/golden/*/*.log tests/golden/*/*.log.gz; do
	[ -e "$log" ] || continue
	base=${log%.gz}
	base=${base%.log}
	name=${base#tests/golden/}
	wanted "$name" || continue
	want=$base.ndjson
	args=()
	if [ -f "$base.args" ]; then
		read -r -a args <"$base.args"
	fi
	rc_want=0
	[ -f "$base.rc" ] && rc_want=$(head -n 1 "$base.rc")
	todo=()
	if [ -f "$base.todo" ]; then
		todo=(--todo "$(head -n 1 "$base.todo")")
	fi
	if [ ! -f "$want" ]; then
		tap 0 "$name: no $want"
		continue
	fi
	"$ELBSHIP" ship -q "${args[@]}" "$log" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	if [ "$rc" -ne "$rc_want" ]; then
		tap 0 "$name: elbship exited $rc, expected $rc_want"
		sed 's/^/#   /' "$tmp/err" | head -n 5
	fi
	# Renumber jsoncmp's TAP lines into ours; keep its summary as counts.
	"$TOOLS/jsoncmp" --name "$name" --max-diffs 8 "${todo[@]}" "$want" \
	    "$tmp/out" \
	    >"$tmp/cmp" 2>&1
	while IFS= read -r line; do
		case $line in
		"ok "*)
			n=$((n + 1)); passed=$((passed + 1))
			echo "ok $n ${line#ok * }" ;;
		"not ok "*)
			n=$((n + 1)); failed=$((failed + 1))
			echo "not ok $n ${line#not ok * }" ;;
		"# "[0-9]*" passed, "*) ;;
		*)
			echo "# $line" ;;
		esac
	done <"$tmp/cmp"
	if ! grep -qE '^# [0-9]+ passed, [0-9]+ failed' "$tmp/cmp"; then
		tap 0 "$name: jsoncmp gave no summary"
	fi
done

if [ ${#cases[@]} -gt 0 ] && [ "$n" -eq 0 ]; then
	tap 0 "no golden case's name contains: ${cases[*]}"
fi
echo "# $passed passed, $failed failed"
[ "$failed" -eq 0 ]

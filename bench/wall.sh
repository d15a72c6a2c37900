#!/usr/bin/env bash
# bench/wall.sh: wall-clock time of shipping to a local _bulk endpoint
# (bench/bulk_sink.py --errors-only, which leaves the cores to elbship),
# gzip and uncompressed, --threads 1 and 2, best of
# WALL_RUNS (default 5), on the same input as bench/cost.sh.  What a Lambda
# invocation is billed is its duration: this is that, where cost.sh is CPU.
#
#   bench/wall.sh                 # ELBSHIP=path to compare another build
set -euo pipefail
cd "$(dirname "$0")/.."
ELBSHIP=${ELBSHIP:-build/release/elbship}
RUNS=${WALL_RUNS:-5}
. bench/cost-input.sh
rm -f "$OUT/wall.port"
python3 bench/bulk_sink.py --port-file "$OUT/wall.port" --errors-only &
sink=$!
trap 'kill $sink 2>/dev/null' EXIT
for _ in $(seq 100); do [ -s "$OUT/wall.port" ] && break; sleep 0.05; done
url=http://127.0.0.1:$(cat "$OUT/wall.port")
mb=$(awk "BEGIN{printf \"%.0f\", $(stat -c %s "$in") / 1e6}")
best() {	# best CMD...: the lowest wall time of RUNS runs
	local b= v
	for _ in $(seq "$RUNS"); do
		/usr/bin/time -o "$OUT/wall.time" -f '%e' "$@" >/dev/null 2>&1
		v=$(tail -n 1 "$OUT/wall.time")
		if [ -z "$b" ] || awk "BEGIN{exit !($v < $b)}"; then b=$v; fi
	done
	echo "$b"
}
echo "| elbship ship --es (local endpoint), $mb MB of ALB logs | wall s | MB/s |"
echo "|---|---:|---:|"
for c in "" --no-compress; do
	for t in 1 2; do
		w=$(best "$ELBSHIP" ship -q --threads "$t" $c --es "$url" "$in")
		echo "| --threads $t ${c:-(gzip)} | $w | $(awk "BEGIN{printf \"%.0f\", $mb / $w}") |"
	done
done

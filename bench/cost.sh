#!/usr/bin/env bash
# bench/cost.sh: CPU seconds per million documents, parse+encode alone and
# parse+encode+compress+send to a local _bulk endpoint, one thread each,
# so the sink's overhead shows as a ratio (target: at most 2x).
#
#   bench/cost.sh                 # generates build/bench/cost-input.log (200 MB) once
#   COST_BYTES=100000000 bench/cost.sh
#   COST_RUNS=9 bench/cost.sh     # best of 9 instead of 5
set -euo pipefail
cd "$(dirname "$0")/.."
ELBSHIP=${ELBSHIP:-build/release/elbship}
RUNS=${COST_RUNS:-5}
. bench/cost-input.sh
lines=$(wc -l <"$in")
cpu() {	# cpu CMD...: user+sys seconds of CMD
	/usr/bin/time -f '%U %S' "$@" 2>&1 >/dev/null | tail -n 1 | awk '{print $1 + $2}'
}
best() {	# best N CMD...: the lowest of N runs
	local n=$1 b=
	shift
	for _ in $(seq "$n"); do
		v=$(cpu "$@")
		if [ -z "$b" ] || awk "BEGIN{exit !($v < $b)}"; then b=$v; fi
	done
	echo "$b"
}
parse=$(best "$RUNS" "$ELBSHIP" ship -q --threads 1 "$in" -o /dev/null)
rm -f "$OUT/sink.port"
python3 bench/bulk_sink.py --port-file "$OUT/sink.port" &
sink=$!
trap 'kill $sink 2>/dev/null' EXIT
for _ in $(seq 100); do [ -s "$OUT/sink.port" ] && break; sleep 0.05; done
url=http://127.0.0.1:$(cat "$OUT/sink.port")
ship=$(best "$RUNS" "$ELBSHIP" ship -q --threads 1 --es "$url" "$in")
raw=$(best "$RUNS" "$ELBSHIP" ship -q --threads 1 --no-compress --es "$url" "$in")
# The floor under the gzip row: elbship's request compression (gzenc(),
# ISA-L level 1, the fastest deflate on this machine) over the same _bulk
# body in 5 MB requests, in process, and nothing else.
cc -O2 -std=c11 -D_GNU_SOURCE -Isrc -o "$OUT/gzcost" bench/gzcost.c \
    "$(dirname "$ELBSHIP")/libelbship.a" -lisal
"$ELBSHIP" ship -q --threads 1 --format bulk "$in" -o "$OUT/cost-input.bulk"
read -r deflate zbytes bbytes < <("$OUT/gzcost" "$OUT/cost-input.bulk" 5000000 "$RUNS")
rm -f "$OUT/cost-input.bulk"
per() { awk "BEGIN{printf \"%.2f\", $1 * 1000000 / $lines}"; }
{
	echo "| elbship, one thread, $lines ALB lines ($(du -m "$in" | cut -f1) MB) | CPU s per million documents | ratio |"
	echo "|---|---:|---:|"
	echo "| parse + encode (NDJSON to /dev/null) | $(per "$parse") | 1.00 |"
	echo "| parse + encode + gzip + send (_bulk, local endpoint) | $(per "$ship") | $(awk "BEGIN{printf \"%.2f\", $ship / $parse}") |"
	echo "| parse + encode + send, uncompressed | $(per "$raw") | $(awk "BEGIN{printf \"%.2f\", $raw / $parse}") |"
	echo "| gzip alone: the same \`_bulk\` bodies, compressed in process and nothing else ($(awk "BEGIN{printf \"%.1f\", 100 * $zbytes / $bbytes}")% of their size) | $(per "$deflate") | $(awk "BEGIN{printf \"%.2f\", $deflate / $parse}") |"
} | tee "$OUT/cost.md"

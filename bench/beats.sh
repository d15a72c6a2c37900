#!/usr/bin/env bash
# bench/beats.sh: the Logstash beats sink beside the _bulk and tcp sinks:
# documents per second (wall) and elbship's CPU seconds per million
# documents, one pipeline thread, against local minimal receivers
# (bench/bulk_sink.py, bench/beats_sink.py; not the strict test servers,
# too slow at millions of documents).  Never part of the tests; the
# machine should be quiet.
#
#   bench/beats.sh                     # build/bench/cost-input.log (200 MB), best of 3
#   COST_BYTES=50000000 BEATS_RUNS=1 bench/beats.sh
#
# Rows: _bulk (gzip, the default), tcp (json_lines, no acknowledgements),
# beats at compression 3 (the default, Filebeat's), 1 and 0, and beats
# with windows of 512 (more round trips).  The receivers run on the same
# machine: their CPU is not counted, but they share its cores.
set -euo pipefail
cd "$(dirname "$0")/.."
ELBSHIP=${ELBSHIP:-build/release/elbship}
RUNS=${BEATS_RUNS:-3}
. bench/cost-input.sh
lines=$(wc -l <"$in")
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done' EXIT

start() {	# start NAME CMD...: a receiver; its port in $OUT/NAME.port
	rm -f "$OUT/$1.port"
	"${@:2}" --port-file "$OUT/$1.port" >/dev/null 2>&1 &
	pids+=($!)
	for _ in $(seq 100); do [ -s "$OUT/$1.port" ] && break; sleep 0.05; done
}
start bulk python3 bench/bulk_sink.py
start tcp python3 bench/beats_sink.py --mode tcp
start beats python3 bench/beats_sink.py --mode beats
bulk=$(cat "$OUT/bulk.port") tcp=$(cat "$OUT/tcp.port") beats=$(cat "$OUT/beats.port")

# measure ARGS...: "wall cpu" of the best run (by wall) of elbship ship ARGS
measure() {
	local best_w= best_c= w c t0 out
	for _ in $(seq "$RUNS"); do
		t0=$EPOCHREALTIME
		out=$(/usr/bin/time -f '%U %S' "$ELBSHIP" ship -q --threads 1 "$@" "$in" 2>&1 >/dev/null | tail -n 1)
		w=$(awk "BEGIN{print $EPOCHREALTIME - $t0}")
		c=$(echo "$out" | awk '{print $1 + $2}')
		if [ -z "$best_w" ] || awk "BEGIN{exit !($w < $best_w)}"; then best_w=$w; best_c=$c; fi
	done
	echo "$best_w $best_c"
}
row() {	# row LABEL ARGS...
	local label=$1 w c
	shift
	read -r w c < <(measure "$@")
	printf '| %s | %.0f | %.2f |\n' "$label" "$(awk "BEGIN{print $lines / $w}")" \
	    "$(awk "BEGIN{print $c * 1000000 / $lines}")"
}
{
	echo "| sink, one pipeline thread, $lines ALB lines ($(du -m "$in" | cut -f1) MB) | documents/s | CPU s per million documents |"
	echo "|---|---:|---:|"
	row "_bulk, gzip (\`--es\`)" --es "http://127.0.0.1:$bulk"
	row "Logstash tcp, json_lines (\`--logstash tcp://\`, no acknowledgements)" --logstash "tcp://127.0.0.1:$tcp"
	row "Logstash beats, compression 3, windows of 2048 (the defaults)" --logstash "beats://127.0.0.1:$beats"
	row "Logstash beats, compression 1" --logstash "beats://127.0.0.1:$beats" --beats-compression 1
	row "Logstash beats, uncompressed" --logstash "beats://127.0.0.1:$beats" --beats-compression 0
	row "Logstash beats, compression 3, windows of 512" --logstash "beats://127.0.0.1:$beats" --beats-window 512
} | tee "$OUT/beats.md"

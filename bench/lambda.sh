#!/usr/bin/env bash
# bench/lambda.sh: what one Lambda invocation ships, in MB/s of raw log.
# The real `bootstrap` (the release binary) runs under the project's
# Runtime API server (tests/servers/runtime_api.py), reads one gzip ALB log
# of LAMBDA_BYTES (default 100000000) raw bytes from s3rver and ships it to
# bench/bulk_sink.py --errors-only (a _bulk endpoint that answers
# {"errors":false} and leaves the CPUs to the function), once pinned to one
# CPU (taskset -c 0: Lambda below 1,769 MB of memory has at most one vCPU)
# and once to two (taskset -c 0,1: 3,538 MB and more have two or more).
# Each CPU count runs LAMBDA_RUNS (default 3) invocations of the same event
# in one warm process; the best is reported, from the function's own
# per-object log line (bytes_decoded / duration_ms: S3 read, decompression,
# parsing, compression and the _bulk requests, as billed).
#
#   bench/lambda.sh                  # needs tests/node_modules (npm ci --prefix tests) and jq
#   LAMBDA_BYTES=400000000 LAMBDA_RUNS=5 bench/lambda.sh
#
# Prints a Markdown table and, for docs/benchmarks.md, the cost of a TB of
# raw log at those speeds (see "Cost per TB" there for the arithmetic).
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
ELBSHIP=$(realpath "${ELBSHIP:-build/release/elbship}")
BYTES=${LAMBDA_BYTES:-100000000}
RUNS=${LAMBDA_RUNS:-3}
OUT=build/bench
mkdir -p "$OUT"
command -v jq >/dev/null || { echo "lambda.sh: jq is required" >&2; exit 1; }
[ -x "$ELBSHIP" ] || { echo "lambda.sh: $ELBSHIP is not built (make)" >&2; exit 1; }

. bench/lambda-input.sh
key=AWSLogs/111122223333/elasticloadbalancing/eu-west-1/2025/11/03/$name
raw=$(gzip -dc "$obj" | wc -c)
[ -f tests/node_modules/s3rver/package.json ] ||
    npm ci --prefix tests --no-audit --no-fund --loglevel=error

tmp=$(mktemp -d)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	tests/s3/s3rver.sh stop "$tmp/s3" >/dev/null 2>&1 || true
	wait 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT
wait_file() {
	local i
	for i in $(seq 200); do [ -s "$1" ] && return 0; sleep 0.05; done
	echo "lambda.sh: $1 did not appear" >&2
	exit 1
}

# The servers (s3rver, the sink, the Runtime API) run on the CPUs the
# function does not get when there are 4 or more; else they share them,
# and the figures are lower than Lambda's (say so with the results).
ncpu=$(nproc)
pin=()
note="the test servers shared the function's CPUs (nproc $ncpu < 4): a lower bound"
if [ "$ncpu" -ge 4 ]; then
	pin=(taskset -c "2-$((ncpu - 1))")
	note="the test servers ran on CPUs 2-$((ncpu - 1))"
fi

# s3rver with the object
S3RVER_PARENT_PID=$$ "${pin[@]}" tests/s3/s3rver.sh start "$tmp/s3" >/dev/null
# shellcheck disable=SC1091
. "$tmp/s3/env"
s3() { python3 "$repo/tests/s3/s3util.py" --env-file "$tmp/s3/env" "$@"; }
s3 mb logs >/dev/null
s3 put logs "$key" "$obj" >/dev/null
size=$(stat -c %s "$obj")
for _ in $(seq 600); do	# s3rver answers the PUT before the object is on disk
	s3 head logs "$key" 2>/dev/null | grep -qi "^content-length: $size" && break
	sleep 0.1
done

# the _bulk endpoint
"${pin[@]}" python3 bench/bulk_sink.py --port-file "$tmp/sink.port" --errors-only &
pids+=($!)
wait_file "$tmp/sink.port"
es=http://127.0.0.1:$(cat "$tmp/sink.port")

# RUNS invocations of one S3 notification
event=$(jq -cn --arg k "$key" '{Records:[{eventVersion:"2.1",eventSource:"aws:s3",
    awsRegion:"us-east-1",eventTime:"2025-11-03T14:01:07.512Z",eventName:"ObjectCreated:Put",
    s3:{s3SchemaVersion:"1.0",configurationId:"elb",bucket:{name:"logs",arn:"arn:aws:s3:::logs"},
    object:{key:$k,size:1,eTag:"x",sequencer:"01"}}}]}')
for _ in $(seq "$RUNS"); do echo "$event"; done >"$tmp/events.ndjson"

mkdir -p "$tmp/task"
cp "$ELBSHIP" "$tmp/task/bootstrap"

# invoke CPUS: run the function pinned to CPUs 0..CPUS-1; prints the best
# MB/s (raw log) of its invocations.
invoke() {
	local cpus=$1 set rt fn i
	set=$(seq -s, 0 $((cpus - 1)))
	rm -f "$tmp/rt.port"
	"${pin[@]}" python3 tests/servers/runtime_api.py --port 0 --port-file "$tmp/rt.port" \
	    --events "$tmp/events.ndjson" --results "$tmp/res-$cpus.ndjson" \
	    --exit-after-all --deadline-ms 900000 >"$tmp/rt.log" 2>&1 &
	rt=$!
	pids+=($rt)
	wait_file "$tmp/rt.port"
	# ELBSHIP_THREADS: the function sizes its threads by sysconf(), which
	# taskset does not change; a Lambda function's vCPUs are what it gets.
	env -i PATH=/usr/bin:/bin HOME="$tmp" TZ=UTC \
	    AWS_LAMBDA_RUNTIME_API="127.0.0.1:$(cat "$tmp/rt.port")" \
	    AWS_LAMBDA_FUNCTION_NAME=elbship-bench AWS_REGION=us-east-1 \
	    AWS_LAMBDA_FUNCTION_MEMORY_SIZE=$((cpus * 1769)) \
	    AWS_ACCESS_KEY_ID="$AWS_ACCESS_KEY_ID" AWS_SECRET_ACCESS_KEY="$AWS_SECRET_ACCESS_KEY" \
	    AWS_SESSION_TOKEN= AWS_ENDPOINT_URL_S3="$AWS_ENDPOINT_URL_S3" \
	    ELBSHIP_ES_URL="$es" ELBSHIP_THREADS="$cpus" ELBSHIP_DEAD_LETTER_FILE="$tmp/dl.ndjson" \
	    taskset -c "$set" "$tmp/task/bootstrap" >"$tmp/fn-$cpus.out" 2>"$tmp/fn-$cpus.err" &
	fn=$!
	pids+=($fn)
	for i in $(seq 36000); do	# 30 minutes at most
		kill -0 "$rt" 2>/dev/null && kill -0 "$fn" 2>/dev/null || break
		sleep 0.05
	done
	kill "$fn" "$rt" 2>/dev/null || true
	wait "$fn" "$rt" 2>/dev/null || true
	if [ "$(jq -s 'map(select(.outcome == "response")) | length' "$tmp/res-$cpus.ndjson")" -ne "$RUNS" ]; then
		echo "lambda.sh: not every invocation succeeded at $cpus CPU(s):" >&2
		tail -n 5 "$tmp/fn-$cpus.err" "$tmp/fn-$cpus.out" "$tmp/res-$cpus.ndjson" >&2
		exit 1
	fi
	grep '"msg":"object"' "$tmp/fn-$cpus.out" |
	    jq -s --argjson raw "$raw" 'map($raw / 1e6 / (.duration_ms / 1000)) | max'
}

mb1=$(invoke 1)
mb2=$(invoke 2)
rev=$(git describe --tags --always --dirty 2>/dev/null || echo unknown)
echo "| one invocation, $((raw / 1000000)) MB of ALB log ($((size / 1000000)) MB gzip), best of $RUNS | MB/s (raw log) | s per GB |"
echo "|---|---:|---:|"
awk -v a="$mb1" -v b="$mb2" 'BEGIN {
	printf "| 1 vCPU (taskset -c 0, ELBSHIP_THREADS=1) | %.0f | %.2f |\n", a, 1000 / a
	printf "| 2 vCPUs (taskset -c 0,1, ELBSHIP_THREADS=2) | %.0f | %.2f |\n", b, 1000 / b }'
echo
echo "(elbship $rev; $(lscpu | sed -n 's/^Model name: *//p' | head -n 1); $(date -u '+%Y-%m-%d %H:%M UTC'); $note)"
echo
# Cost per TB of raw log: GB-seconds = memory (GB) x seconds; 1 TB = 10^6 MB.
# Prices per GB-second (us-east-1, first tier): x86_64 0.0000166667,
# arm64 0.0000133334; requests (0.20 per million) are negligible here.
awk -v a="$mb1" -v b="$mb2" 'BEGIN {
	x86 = 0.0000166667; arm = 0.0000133334
	s1 = 1e6 / a; s2 = 1e6 / b
	gb1 = 1769 / 1024; gb2 = 3538 / 1024
	printf "| memory | s per TB | GB-s per TB | x86_64 $/TB | arm64 $/TB (if as fast) |\n|---|---:|---:|---:|---:|\n"
	printf "| 1,769 MB (1 vCPU) | %.0f | %.0f | %.2f | %.2f |\n", s1, s1 * gb1, s1 * gb1 * x86, s1 * gb1 * arm
	printf "| 3,538 MB (2 vCPUs) | %.0f | %.0f | %.2f | %.2f |\n", s2, s2 * gb2, s2 * gb2 * x86, s2 * gb2 * arm }'

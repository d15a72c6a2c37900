#!/usr/bin/env bash
# tests/failure/run.sh: the promise under failure, seen from the command
# line (issue 11): every input line and file in the counts after a fatal
# 401/403, Ctrl-C while reading and while waiting for retries, credentials
# over plain http, inputs that would share ids, dangling links, ELB's test
# file, a stable time for error documents.  (The sink's side -- wrong URLs,
# memory during outages, 413 splits -- is in tests/delivery.)
set -u
cd "$(dirname "$0")/../.."
ELBSHIP=${ELBSHIP:-build/release/elbship}
ELBSHIP=$(realpath "$ELBSHIP")
SERVERS=$PWD/tests/servers
tmp=$(mktemp -d)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
. tests/lib/tap.sh

cc -O2 -o "$tmp/gen" bench/gen_alb.c 2>/dev/null || { notok "build the generator"; finish; }
name() { echo "111122223333_elasticloadbalancing_eu-west-1_app.f-alb.0123456789abcdef_20251103T11${1}Z_10.0.4.18_abc${1}.log"; }
mkdir -p "$tmp/two"
"$tmp/gen" --lines 20000 --seed 1 >"$tmp/two/$(name 00)"
"$tmp/gen" --lines 20000 --seed 2 >"$tmp/two/$(name 05)"

start_es() {	# start_es NAME ARGS...: sets $port
	local name=$1
	shift
	rm -f "$tmp/$name.port"
	python3 "$SERVERS/es_server.py" --port 0 --port-file "$tmp/$name.port" \
	    "$@" >"$tmp/$name.server.log" 2>&1 &
	pids+=($!)
	wait_file "$tmp/$name.port"
	port=$(cat "$tmp/$name.port")
}
count_of() { grep -o "[0-9]\+ $1" "$2" | tail -n 1 | cut -d' ' -f1; }

# ---- a fatal 403 after two requests: every line of both files counted ----------
start_es f403 --request-403-after 2
"$ELBSHIP" ship --es "http://127.0.0.1:$port" --batch-docs 1000 "$tmp/two" \
    >/dev/null 2>"$tmp/f403.err"
rc=$?
ind=$(count_of indexed "$tmp/f403.err"); und=$(count_of undelivered "$tmp/f403.err")
check "403 mid-run: exit 5, 2 files and 40000 lines in the summary, indexed + undelivered = 40000 ($ind + $und)" \
    "[ $rc -eq 5 ] && grep -q '2 files (0 gzip, 0 failed), 40000 lines' $tmp/f403.err && [ \$((${ind:-0} + ${und:-0})) -eq 40000 ]"
check "403 mid-run: the cause is said once, and why the rest is undelivered" \
    "[ \$(grep -c '^elbship: elasticsearch: the cluster does not allow' $tmp/f403.err) -eq 1 ] && grep -q 'undelivered because: the cluster does not allow this user' $tmp/f403.err"

# ---- Ctrl-C ---------------------------------------------------------------------
"$ELBSHIP" ship /dev/zero >/dev/null 2>"$tmp/zero.err" &
p=$!
sleep 1
kill -INT $p
t0=$(date +%s%N)
wait $p
rc=$?
ms=$((($(date +%s%N) - t0) / 1000000))
check "SIGINT while reading /dev/zero: exit 6 within 5 s (${ms} ms)" "[ $rc -eq 6 ] && [ $ms -lt 5000 ]"
mkfifo "$tmp/fifo"
"$ELBSHIP" ship - <"$tmp/fifo" >/dev/null 2>"$tmp/stdin.err" &
p=$!
exec 3>"$tmp/fifo"	# a writer that never writes: stdin stays silent
sleep 1
kill -TERM $p
wait $p
rc=$?
exec 3>&-
check "SIGTERM while reading a silent stdin: exit 6" "[ $rc -eq 6 ] && grep -q 'interrupted' $tmp/stdin.err"
# An outage: the sink refuses every connection and retries for up to 300 s.
"$ELBSHIP" ship --es http://127.0.0.1:9 --retry-time 300 "$tmp/two" >/dev/null 2>"$tmp/outage.err" &
p=$!
sleep 2
kill -INT $p
t0=$(date +%s%N)
wait $p
rc=$?
ms=$((($(date +%s%N) - t0) / 1000000))
und=$(count_of undelivered "$tmp/outage.err")
check "SIGINT while waiting for retries: exit 6 within 5 s (${ms} ms), what was read counted undelivered ($und)" \
    "[ $rc -eq 6 ] && [ $ms -lt 5000 ] && [ ${und:-0} -gt 0 ]"

# ---- credentials over plain http ----------------------------------------------------
ELBSHIP_ES_PASSWORD=pw "$ELBSHIP" ship --es http://es.example.com:9200 --es-user u "$tmp/two" >/dev/null 2>"$tmp/plain.err"
rc=$?
check "credentials over plain http to a remote host: refused (exit 2), the message says why and what flag allows it" \
    "[ $rc -eq 2 ] && grep -q 'refusing to send credentials over plain http' $tmp/plain.err && grep -q 'allow-plain-http-credentials' $tmp/plain.err && ! grep -q pw $tmp/plain.err"
start_es plain --auth basic:u:pw
ELBSHIP_ES_PASSWORD=pw "$ELBSHIP" ship --es "http://127.0.0.1:$port" --es-user u examples/ >/dev/null 2>"$tmp/plain2.err"
rc=$?
check "credentials over plain http to loopback: allowed" "[ $rc -eq 0 ]"
ELBSHIP_ES_PASSWORD=pw ELBSHIP_ALLOW_PLAIN_HTTP_CREDENTIALS=1 "$ELBSHIP" ship \
    --es http://192.0.2.1:9 --es-user u --retry-attempts 1 --timeout 1 examples/ >/dev/null 2>"$tmp/plain3.err"
rc=$?
check "--allow-plain-http-credentials lets them go (here: to an unreachable address, exit 5)" "[ $rc -eq 5 ]"

# ---- distinct inputs never share ids silently -------------------------------------------
mkdir -p "$tmp/srv1" "$tmp/srv2"
head -n 50 "$tmp/two/$(name 00)" >"$tmp/srv1/access.log"
head -n 50 "$tmp/two/$(name 05)" >"$tmp/srv2/access.log"
start_es same
"$ELBSHIP" ship --es "http://127.0.0.1:$port" "$tmp/srv1/access.log" "$tmp/srv2/access.log" >/dev/null 2>"$tmp/same.err"
rc=$?
check "two inputs named access.log to a cluster: the second refused (exit 1), 50 indexed, 0 duplicate" \
    "[ $rc -eq 1 ] && grep -q 'srv2/access.log: not shipped: an earlier input of this run has the same file name' $tmp/same.err && [ \$(count_of indexed $tmp/same.err) -eq 50 ] && [ \$(count_of duplicate $tmp/same.err) -eq 0 ]"
"$ELBSHIP" ship "$tmp/srv1/access.log" "$tmp/srv2/access.log" 2>"$tmp/same2.err" | wc -l >"$tmp/same2.n"
check "the same to stdout: both written (100 lines) with a warning" \
    "[ \$(cat $tmp/same2.n) -eq 100 ] && grep -q 'warning: an earlier input has the same file name' $tmp/same2.err"
"$ELBSHIP" ship --es "http://127.0.0.1:$port" - <"$tmp/srv1/access.log" >/dev/null 2>"$tmp/stdin-name.err"
rc=$?
check "stdin to a cluster without --name: refused (exit 2), saying why" \
    "[ $rc -eq 2 ] && grep -q 'stdin (-) needs --name' $tmp/stdin-name.err"

# ---- dangling links, ELB's test file ------------------------------------------------------
mkdir -p "$tmp/dl"
ln -s "$tmp/nowhere" "$tmp/dl/$(name 10)"
"$ELBSHIP" ship "$tmp/dl" >/dev/null 2>"$tmp/dl.err"
rc=$?
check "a dangling link named like a log: said, counted failed, exit 1" \
    "[ $rc -eq 1 ] && grep -q 'cannot open.*$(name 10)' $tmp/dl.err && grep -q '1 files (0 gzip, 1 failed)' $tmp/dl.err"
mkdir -p "$tmp/tf/AWSLogs/111122223333"
echo "ELB test" >"$tmp/tf/AWSLogs/111122223333/ELBAccessLogTestFile"
"$ELBSHIP" ship "$tmp/tf/AWSLogs/111122223333/ELBAccessLogTestFile" >"$tmp/tf.out" 2>"$tmp/tf.err"
rc=$?
check "ELB's ELBAccessLogTestFile: skipped with a word, no document, exit 0" \
    "[ $rc -eq 0 ] && [ ! -s $tmp/tf.out ] && grep -q \"ELB's test file, not a log: skipped\" $tmp/tf.err"

# ---- a stable time for error documents ------------------------------------------------------
echo "this is not a log line" >"$tmp/odd.log"
touch -d '2024-02-03 04:05:06 UTC' "$tmp/odd.log"
ts1=$("$ELBSHIP" ship -q "$tmp/odd.log" | jq -r '."@timestamp"')
sleep 1
ts2=$("$ELBSHIP" ship -q "$tmp/odd.log" | jq -r '."@timestamp"')
check "an error document without a time, in a file not named as AWS names logs, takes the file's time ($ts1), the same on a rerun" \
    "[ '$ts1' = '2024-02-03T04:05:06Z' ] && [ '$ts1' = '$ts2' ]"
ts3=$(echo "not a log line" | "$ELBSHIP" ship -q - | jq -r '."@timestamp"')
check "from stdin it takes the epoch ($ts3), never the clock" "[ '$ts3' = '1970-01-01T00:00:00Z' ]"

finish

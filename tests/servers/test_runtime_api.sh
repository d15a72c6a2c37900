#!/usr/bin/env bash
# tests/servers/test_runtime_api.sh: self-test of tests/servers/runtime_api.py
# (the Lambda Runtime API test server).  curl plays the runtime.
#
#   tests/servers/test_runtime_api.sh        KEEP=1 keeps the temp directory
#
# Four servers: A (3 events, --exit-after-all: next -> response, next ->
# error, next -> response twice, stale id, headers, keep-alive, results
# file, the exit), B (init error and what is refused after it, unknown id,
# 404, 405), C (--drop-next, 413 with a 7 MB body sent with Expect:
# 100-continue, a chunked non-JSON /error), D (--next-delay-ms, a forced 500,
# a missed deadline), E (--enforce-deadline: a timeout ends the run).  Needs
# bash, curl, jq, python3; about 3 s.
#
# TAP: "ok N - ..." / "not ok N - ..." and a last line "# N passed, M
# failed"; exit 1 if anything failed.
set -u
export LC_ALL=C

HERE=$(cd "$(dirname "$0")" && pwd)
SERVER=$HERE/runtime_api.py
for tool in curl jq python3; do
	if ! command -v "$tool" >/dev/null; then
		echo "not ok 1 - $tool is needed"
		echo "# 0 passed, 1 failed"
		exit 1
	fi
done

T=$(mktemp -d "${TMPDIR:-/tmp}/runtime-api-test.XXXXXX") || exit 1
PIDS=()
cleanup() {
	local p
	for p in "${PIDS[@]}"; do
		kill "$p" 2>/dev/null
	done
	[ -n "${KEEP:-}" ] && echo "# kept $T" || rm -rf "$T"
}
trap cleanup EXIT

# ---- TAP ------------------------------------------------------------------

n=0
passed=0
failed=0
ok() {
	n=$((n + 1)); passed=$((passed + 1)); echo "ok $n - $1"
}
not_ok() {
	n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"
	[ -n "${2:-}" ] && echo "#   $2"
	return 0
}
# check DESC CMD...: ok when CMD succeeds
check() {
	local d=$1
	shift
	if "$@"; then ok "$d"; else not_ok "$d" "failed: $*"; fi
}
# eq DESC GOT WANT
eq() {
	if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1" "got [$2], want [$3]"; fi
}

# ---- helpers --------------------------------------------------------------

# start NAME ARGS...: start a server; sets PID_NAME and BASE_NAME
start() {
	local name=$1 i
	shift
	python3 "$SERVER" --port 0 --port-file "$T/$name.port" "$@" \
		2>"$T/$name.err" &
	local pid=$!
	PIDS+=("$pid")
	for i in $(seq 100); do
		[ -s "$T/$name.port" ] && break
		sleep 0.05
	done
	if [ ! -s "$T/$name.port" ]; then
		echo "Bail out! server $name did not start: $(cat "$T/$name.err")"
		exit 1
	fi
	printf -v "PID_$name" '%s' "$pid"
	printf -v "BASE_$name" 'http://127.0.0.1:%s' "$(cat "$T/$name.port")"
}

# req METHOD URL [CURL ARGS...]: sets CODE and RC; body in $T/body, headers
# in $T/hdrs
req() {
	local m=$1 u=$2
	shift 2
	: >"$T/body"
	: >"$T/hdrs"
	CODE=$(curl -s -m 10 -o "$T/body" -D "$T/hdrs" -w '%{http_code}' \
		-X "$m" "$@" "$u")
	RC=$?
}

# hdr NAME: the value of response header NAME (case-insensitive)
hdr() {
	tr -d '\r' <"$T/hdrs" | awk -v n="$1" '
		index($0, ":") && tolower(substr($0, 1, index($0, ":") - 1)) == tolower(n) {
			v = substr($0, index($0, ":") + 1); sub(/^ +/, "", v); print v; exit
		}'
}

# body_is TEXT: the response body is exactly TEXT plus "\n"
body_is() {
	printf '%s\n' "$1" | cmp -s - "$T/body"
}

# body_exact TEXT: the response body is exactly TEXT
body_exact() {
	printf '%s' "$1" | cmp -s - "$T/body"
}

now_ms() { date +%s%3N; }

# wait_exit PID: wait up to 5 s for PID to exit; sets WRC to its status
wait_exit() {
	local i
	for i in $(seq 100); do
		kill -0 "$1" 2>/dev/null || break
		sleep 0.05
	done
	if kill -0 "$1" 2>/dev/null; then WRC=timeout; return 1; fi
	wait "$1"
	WRC=$?
}

ACCEPTED='{"status":"OK"}'
INVALID_ID='{"errorMessage":"Invalid request ID","errorType":"InvalidRequestID"}'
transition() {
	printf '{"errorMessage":"State transition from %s to %s failed for runtime. Error: State transition is not allowed","errorType":"InvalidStateTransition"}' "$1" "$2"
}
UUID4_RE='^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$'
TRACE_RE='^Root=1-[0-9a-f]{8}-[0-9a-f]{24};Parent=[0-9a-f]{16};Sampled=0$'
ARN='arn:aws:lambda:us-east-1:012345678912:function:test_function'

# ---- A: the happy path, duplicates, --exit-after-all ----------------------

cat >"$T/a.ndjson" <<'EOF'
{"source":"s3","n":1}

{"event":{"n":2},"request_id":"req-2","deadline_ms":60000,"trace_id":"Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700;Parent=9a9197af755a6419;Sampled=1","client_context":{"c":1}}
[1, 2, 3]
EOF
start A --events "$T/a.ndjson" --results "$T/a.results" \
	--stats-file "$T/a.stats" --deadline-ms 5000 --exit-after-all
API=$BASE_A/2018-06-01/runtime

before=$(now_ms)
req GET "$API/invocation/next"
eq "A: next 1 -> 200" "$CODE" 200
check "A: next 1 body is the raw event line, byte for byte" \
	body_exact '{"source":"s3","n":1}'
eq "A: next 1 Content-Type" "$(hdr Content-Type)" application/json
ID1=$(hdr Lambda-Runtime-Aws-Request-Id)
check "A: Lambda-Runtime-Aws-Request-Id is a uuid4 [$ID1]" \
	grep -Eq "$UUID4_RE" <<<"$ID1"
DL=$(hdr Lambda-Runtime-Deadline-Ms)
check "A: Lambda-Runtime-Deadline-Ms is epoch ms now + 5000 [$DL]" \
	test "$DL" -ge $((before + 5000)) -a "$DL" -le $(($(now_ms) + 5000))
eq "A: Lambda-Runtime-Invoked-Function-Arn" \
	"$(hdr Lambda-Runtime-Invoked-Function-Arn)" "$ARN"
check "A: Lambda-Runtime-Trace-Id is an X-Ray header [$(hdr Lambda-Runtime-Trace-Id)]" \
	grep -Eq "$TRACE_RE" <<<"$(hdr Lambda-Runtime-Trace-Id)"
eq "A: no Lambda-Runtime-Client-Context by default" \
	"$(hdr Lambda-Runtime-Client-Context)" ""

req POST "$API/invocation/$ID1/response" --data-binary '{"ok":1}'
eq "A: response 1 -> 202" "$CODE" 202
check "A: 202 body is {\"status\":\"OK\"}" body_is "$ACCEPTED"

req GET "$API/invocation/next"
eq "A: next 2 -> 200" "$CODE" 200
eq "A: wrapped request_id" "$(hdr Lambda-Runtime-Aws-Request-Id)" req-2
eq "A: wrapped trace_id" "$(hdr Lambda-Runtime-Trace-Id)" \
	'Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700;Parent=9a9197af755a6419;Sampled=1'
eq "A: wrapped client_context" "$(hdr Lambda-Runtime-Client-Context)" '{"c":1}'
check "A: wrapped event sent compact" body_exact '{"n":2}'

req POST "$API/invocation/req-2/error" \
	-H 'Lambda-Runtime-Function-Error-Type: Runtime.Test' \
	-H 'Content-Type: application/json' \
	--data-binary '{"errorMessage":"boom","errorType":"Boom","stackTrace":["at x"]}'
eq "A: error 2 -> 202" "$CODE" 202
check "A: error 202 body" body_is "$ACCEPTED"
req POST "$API/invocation/req-2/response" --data-binary '{}'
eq "A: response after error -> 403" "$CODE" 403
check "A: ... InvalidStateTransition body" \
	body_is "$(transition RuntimeResponseSentState InvocationResponse)"

req GET "$API/invocation/next"
ID3=$(hdr Lambda-Runtime-Aws-Request-Id)
check "A: next 3 body is the raw line with its spaces" body_exact '[1, 2, 3]'
req POST "$API/invocation/$ID3/response" --data-binary 'not json'
eq "A: non-JSON response accepted -> 202" "$CODE" 202
req POST "$API/invocation/$ID3/response" --data-binary '{"again":true}'
eq "A: second response for the same id -> 403" "$CODE" 403
check "A: ... exact body (RIE state machine)" \
	body_is "$(transition RuntimeResponseSentState InvocationResponse)"
req POST "$API/invocation/$ID3/error" --data-binary '{}'
eq "A: error after response -> 403" "$CODE" 403
check "A: ... exact body" \
	body_is "$(transition RuntimeResponseSentState InvocationErrorResponse)"
req POST "$API/invocation/$ID1/response" --data-binary '{}'
eq "A: response for an earlier (stale) id -> 400" "$CODE" 400
check "A: ... InvalidRequestID body" body_is "$INVALID_ID"

conns=$(curl -s -o /dev/null -o /dev/null -w '%{num_connects} ' \
	"$BASE_A/_test/stats" "$BASE_A/_test/stats")
eq "A: keep-alive: the second request reuses the connection" "$conns" "1 0 "

req GET "$API/invocation/next"
eq "A: the /next after the last event is never answered (curl: empty reply)" \
	"$RC" 52
wait_exit "$PID_A"
eq "A: --exit-after-all: the server exits 0" "$WRC" 0

eq "A: results: one line per invocation" "$(wc -l <"$T/a.results")" 3
r() {
	local line=$1 filter=$2
	shift 2
	sed -n "${line}p" "$T/a.results" | jq -c "$@" "$filter"
}
eq "A: result 1" "$(r 1 '[.event_index,.outcome,.status,.body,.body_is_json,.came_back_for_next,.completed_before_deadline,.request_id==$ID1]' --arg ID1 "$ID1")" \
	'[0,"response",202,{"ok":1},true,true,true,true]'
eq "A: result 1 deadline_ms is the header sent" "$(r 1 .deadline_ms)" "$DL"
eq "A: result 2 (error)" "$(r 2 '[.event_index,.outcome,.error_type_header,.body.errorMessage,.error_body_conforms,.content_type,.came_back_for_next]')" \
	'[1,"error","Runtime.Test","boom",true,"application/json",true]'
eq "A: result 3 (non-JSON response recorded as text)" \
	"$(r 3 '[.outcome,.body,.body_is_json,.body_bytes,.came_back_for_next]')" \
	'["response","not json",false,8,true]'
check "A: duration_ms recorded" \
	test "$(r 1 '.duration_ms >= 0 and .duration_ms < 5000')" = true
eq "A: stats: run complete, counts" \
	"$(jq -c '[.run_complete,.events_served,.completed,.responses,.errors,.next_calls]' "$T/a.stats")" \
	'[true,3,3,2,1,4]'
eq "A: stats: violations recorded" \
	"$(jq -c '[.violations[].kind]' "$T/a.stats")" \
	'["duplicate_response","duplicate_response","duplicate_error","stale_request_id"]'

# ---- B: init error, unknown id, 404, 405 ------------------------------------

echo '{"n":1}' >"$T/b.ndjson"
start B --events "$T/b.ndjson" --results "$T/b.results" \
	--init-error-file "$T/b.init"
API=$BASE_B/2018-06-01/runtime

req POST "$API/invocation/nope/response" --data-binary '{}'
eq "B: response for an unknown id -> 400" "$CODE" 400
check "B: ... InvalidRequestID body" body_is "$INVALID_ID"
req POST "$API/init/error" -H 'Lambda-Runtime-Function-Error-Type: Runtime.ConfigInvalid' \
	--data-binary '{"errorMessage":"bad config","errorType":"ConfigError"}'
eq "B: init/error -> 202" "$CODE" 202
check "B: init/error 202 body" body_is "$ACCEPTED"
eq "B: --init-error-file written" \
	"$(jq -c '[.error_type_header,.body.errorMessage,.body_is_json]' "$T/b.init" 2>&1)" \
	'["Runtime.ConfigInvalid","bad config",true]'
eq "B: results: {\"init_error\":...}" \
	"$(head -n 1 "$T/b.results" | jq -c '[.init_error.error_type_header,.init_error.body.errorType]')" \
	'["Runtime.ConfigInvalid","ConfigError"]'
req POST "$API/init/error" --data-binary '{}'
eq "B: second init/error -> 403" "$CODE" 403
check "B: ... exact body" body_is "$(transition InitError InitError)"
req GET "$API/invocation/next"
eq "B: next after init/error -> 403" "$CODE" 403
check "B: ... exact body" body_is "$(transition InitError Ready)"
req GET "$BASE_B/2018-06-01/runtime/bogus"
eq "B: unknown path -> 404" "$CODE" 404
check "B: ... Go's body" body_is "404 page not found"
req GET "$BASE_B/runtime/invocation/next"
eq "B: path without /2018-06-01 -> 404" "$CODE" 404
req GET "$API/invocation/x/response"
eq "B: GET on /response -> 405" "$CODE" 405
eq "B: ... Allow: POST" "$(hdr Allow)" POST
req POST "$API/invocation/next" --data-binary ''
eq "B: POST on /next -> 405" "$CODE" 405
eq "B: ... Allow: GET" "$(hdr Allow)" GET
req GET "$BASE_B/_test/stats"
eq "B: /_test/stats violations" "$(jq -c '[.violations[].kind]' "$T/body")" \
	'["unknown_request_id","init_error_not_allowed","next_after_init_error","not_found","not_found","method_not_allowed","method_not_allowed"]'
kill -TERM "$PID_B"
wait_exit "$PID_B"
eq "B: SIGTERM -> exit 0" "$WRC" 0

# ---- C: --drop-next, 413, chunked non-JSON error ----------------------------

printf '{"n":0}\n{"n":1}\n' >"$T/c.ndjson"
start C --events "$T/c.ndjson" --results "$T/c.results" --drop-next 1
API=$BASE_C/2018-06-01/runtime
head -c 7000000 /dev/zero | tr '\0' a >"$T/big"

req GET "$API/invocation/next"
eq "C: --drop-next 1: the first /next gets no answer (curl: empty reply)" "$RC" 52
req GET "$API/invocation/next"
check "C: the dropped event is served by the next /next" body_exact '{"n":0}'
ID=$(hdr Lambda-Runtime-Aws-Request-Id)
req POST "$API/invocation/$ID/response" --data-binary "@$T/big"
eq "C: 7 MB response (Expect: 100-continue) -> 413" "$CODE" 413
check "C: ... RequestEntityTooLarge body" \
	body_is '{"errorMessage":"Exceeded maximum allowed payload size (6291556 bytes).","errorType":"RequestEntityTooLarge"}'
req POST "$API/invocation/$ID/response" --data-binary '{"small":1}'
eq "C: response after the 413 -> 403 (the invocation already failed)" "$CODE" 403
req GET "$API/invocation/next"
ID=$(hdr Lambda-Runtime-Aws-Request-Id)
req POST "$API/invocation/$ID/error" -H 'Transfer-Encoding: chunked' \
	--data-binary 'plain text'
eq "C: chunked non-JSON /error -> 202" "$CODE" 202
req GET "$BASE_C/_test/results"
eq "C: /_test/results: the 413 invocation" \
	"$(jq -c '.invocations[0] | [.outcome,.status,.platform_error,.body.errorType,.body_bytes,.complete]' "$T/body")" \
	'["error",413,"Function.ResponseSizeTooLarge","Function.ResponseSizeTooLarge",7000000,true]'
eq "C: /_test/results: the non-JSON error" \
	"$(jq -c '.invocations[1] | [.outcome,.body,.body_is_json,.error_body_conforms,.error_type_header,.complete]' "$T/body")" \
	'["error","plain text",false,false,null,false]'
kill -TERM "$PID_C"
wait_exit "$PID_C"
eq "C: results at exit: the unfinished invocation is written too" \
	"$(jq -c '[.event_index,.came_back_for_next]' "$T/c.results" | tr -d '\n')" \
	'[0,true][1,false]'

# ---- D: --next-delay-ms, forced 500, missed deadline ------------------------

printf '{"event":{"n":1},"deadline_ms":1}\n{"n":2}\n' >"$T/d.ndjson"
start D --events "$T/d.ndjson" --next-delay-ms 300 --response-status 500
API=$BASE_D/2018-06-01/runtime

t0=$(now_ms)
req GET "$API/invocation/next"
t1=$(now_ms)
check "D: --next-delay-ms 300 delays /next ($((t1 - t0)) ms)" test $((t1 - t0)) -ge 300
ID=$(hdr Lambda-Runtime-Aws-Request-Id)
sleep 0.05
req POST "$API/invocation/$ID/response" --data-binary '{"late":true}'
eq "D: --response-status 500 -> 500" "$CODE" 500
check "D: ... InternalServerError body" \
	body_is '{"errorMessage":"Internal Server Error","errorType":"InternalServerError"}'
req GET "$API/invocation/next"
eq "D: a /next after the 500 is still served" "$CODE" 200
req GET "$BASE_D/_test/results"
eq "D: result: forced 500, deadline missed, came back" \
	"$(jq -c '.invocations[0] | [.status,.forced_status,.body.late,.completed_before_deadline,.came_back_for_next,.timeout_ms]' "$T/body")" \
	'[500,true,true,false,true,1]'
req GET "$BASE_D/_test/stats"
eq "D: stats: container error and the request after it" \
	"$(jq -c '[.container_error,[.violations[].kind]]' "$T/body")" \
	'[true,["request_after_container_error"]]'
kill -TERM "$PID_D"
wait_exit "$PID_D"

# ---- E: --enforce-deadline: Lambda ends an unanswered invocation ----------

printf '{"n":1}\n{"event":{"n":2},"deadline_ms":400,"request_id":"req-late"}\n{"n":3}\n' >"$T/e.ndjson"
start E --events "$T/e.ndjson" --results "$T/e.results" --stats-file "$T/e.stats" \
	--enforce-deadline --deadline-ms 5000
API=$BASE_E/2018-06-01/runtime
req GET "$API/invocation/next"
ID=$(hdr Lambda-Runtime-Aws-Request-Id)
req POST "$API/invocation/$ID/response" --data-binary '{"ok":1}'
eq "E: an answer in time is accepted" "$CODE" 202
t0=$(now_ms)
req GET "$API/invocation/next"
eq "E: the second event handed out" "$(hdr Lambda-Runtime-Aws-Request-Id)" req-late
wait_exit "$PID_E"
t1=$(now_ms)
eq "E: unanswered at its deadline: the server exits (status 0)" "$WRC" 0
check "E: ... at the deadline, not long after ($((t1 - t0)) ms)" test $((t1 - t0)) -lt 2000
eq "E: result 0: the response, in time" \
	"$(jq -c 'select(.event_index == 0) | [.outcome,.completed_before_deadline,.came_back_for_next]' "$T/e.results")" \
	'["response",true,true]'
eq "E: result 1: timeout, as Lambda reports it" \
	"$(jq -c 'select(.event_index == 1) | [.outcome,.platform_error,.body.errorType,.body.errorMessage,.completed_before_deadline,.status]' "$T/e.results")" \
	'["timeout","Sandbox.Timedout","Sandbox.Timedout","RequestId: req-late Error: Task timed out after 0.40 seconds",false,null]'
eq "E: no result for the event never handed out" "$(wc -l <"$T/e.results")" 2
eq "E: stats: one timeout, not run_complete" "$(jq -c '[.timeouts,.run_complete,.events_remaining]' "$T/e.stats")" '[1,false,1]'

echo "# $passed passed, $failed failed"
[ "$failed" -eq 0 ]

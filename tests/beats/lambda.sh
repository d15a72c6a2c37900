#!/usr/bin/env bash
# tests/beats/lambda.sh: the Lambda function shipping to Logstash's beats
# input (ELBSHIP_LOGSTASH_URL=beats://...), the real bootstrap against the
# Runtime API test server, s3rver and tests/servers/beats_server.py.
#
#   1. every sample object acknowledged, over SQS and direct S3 events;
#   2. a window Logstash processed but never acknowledged (a reset before
#      its ACK): sent again, counted once, the server has it twice;
#   3. a Logstash that never acknowledges: the SQS message in
#      batchItemFailures, the cause in the object line, in time;
#      and with a long timeout, the deadline bounds the wait;
#   4. a warm function: after a failed invocation (the sink gave up), the
#      next one delivers (reset() between invocations).
set -u
. "$(dirname "$0")/../lambda/lib.sh"

bs=
es=	# no Elasticsearch: lib.sh passes ELBSHIP_ES_URL=$es
start_beats() {	# start_beats ARGS...: the beats server; sets $beats, $ctl
	[ -n "$bs" ] && { kill "$bs" 2>/dev/null; wait "$bs" 2>/dev/null; }
	rm -f "$tmp/beats.port" "$tmp/beats.cport"
	python3 "$repo/tests/servers/beats_server.py" --port 0 --port-file "$tmp/beats.port" \
	    --control-port-file "$tmp/beats.cport" "$@" >"$tmp/beats.log" 2>&1 &
	bs=$!
	pids+=("$bs")
	wait_file "$tmp/beats.cport"
	wait_file "$tmp/beats.port"
	beats=beats://127.0.0.1:$(cat "$tmp/beats.port")
	ctl=http://127.0.0.1:$(cat "$tmp/beats.cport")
}
beats_ids() { curl -s "$ctl/_test/events" | jq -r '.event.id' | sort; }
objs() { grep '"msg":"object"' "$tmp/fn.out"; }
r() { result "$1" "$2"; }
# ELBSHIP_ES_URL (lib.sh sets it) emptied: an empty variable is unset.
run_beats() {	# run_beats EVENTS RESULTS [runtime args] -- [env...]
	local ev=$1 res=$2
	shift 2
	local rargs=()
	while [ $# -gt 0 ] && [ "$1" != -- ]; do rargs+=("$1"); shift; done
	[ "${1:-}" = -- ] && shift
	run_function "$ev" "$res" "${rargs[@]}" -- ELBSHIP_ES_URL= \
	    ELBSHIP_LOGSTASH_URL="$beats" "$@"
	cp "$tmp/fn.out" "$res.out"
	cp "$tmp/fn.err" "$res.err"
}
all4="$prefix/$alb $prefix/$clb $prefix/$nlb $prefix/$conn"
n_all4=$((n_alb + n_clb + n_nlb + n_conn))
"$ELBSHIP" ship -q examples | jq -r .event.id | sort >"$tmp/local.ids"

# ---- 1. delivered -------------------------------------------------------------------
start_beats --partial-ack 7
{
	sqsevent "$(sqsrec m-1 "$(s3event "$prefix/$alb")")" "$(sqsrec m-2 "$(s3event "$prefix/$clb")")"
	s3event "$prefix/$nlb" "$prefix/$conn"
} >"$tmp/ok-events.ndjson"
run_beats "$tmp/ok-events.ndjson" "$tmp/ok-res.ndjson" -- ELBSHIP_BEATS_WINDOW=16
check "beats: the function starts with a beats:// URL (an acknowledging sink)" \
    "[ \$(grep -c request_id $tmp/ok-res.ndjson) -eq 2 ] && ! grep -q 'must be http' $tmp/fn.err $tmp/fn.out"
check "beats, SQS: no batchItemFailures, both objects' $((n_alb + n_clb)) lines acknowledged" \
    "[ \"\$(r 0 $tmp/ok-res.ndjson | jq -c .body.batchItemFailures)\" = '[]' ] && [ \"\$(objs | jq -s '[.[] | select(.message_id == \"m-1\" or .message_id == \"m-2\") | .indexed] | add')\" = $((n_alb + n_clb)) ]"
check "beats, direct S3: response ok, $((n_nlb + n_conn)) acknowledged" \
    "[ \"\$(r 1 $tmp/ok-res.ndjson | jq -r .outcome)\" = response ] && [ \"\$(r 1 $tmp/ok-res.ndjson | jq .body.indexed)\" = $((n_nlb + n_conn)) ]"
beats_ids >"$tmp/ok.ids"
check "beats: Logstash received every sample line once, ids as a local run's" \
    "[ \"\$(cat $tmp/ok.ids)\" = \"\$(cat $tmp/local.ids)\" ]"
check "beats: windows of ELBSHIP_BEATS_WINDOW=16, acknowledged in parts" \
    "[ \"\$(curl -s $ctl/_test/stats | jq '.windows >= $((n_all4 / 16)) and .partial_acks > 0 and (.violations | length) == 0')\" = true ]"

# ---- 2. an ACK lost: sent again, counted once ------------------------------------------
start_beats --reset-before-ack 2
s3event $all4 >"$tmp/dup-events.ndjson"
run_beats "$tmp/dup-events.ndjson" "$tmp/dup-res.ndjson" -- ELBSHIP_BEATS_WINDOW=25 ELBSHIP_TIMEOUT=5
beats_ids >"$tmp/dup.ids"
check "lost ACK: response ok, every line counted acknowledged once ($n_all4)" \
    "[ \"\$(r 0 $tmp/dup-res.ndjson | jq -r .outcome)\" = response ] && [ \"\$(r 0 $tmp/dup-res.ndjson | jq .body.indexed)\" = $n_all4 ]"
check "lost ACK: Logstash has every line, the unacknowledged window twice" \
    "[ \"\$(sort -u $tmp/dup.ids)\" = \"\$(cat $tmp/local.ids)\" ] && [ \$(uniq -d $tmp/dup.ids | wc -l) -ge 1 ]"

# ---- 3. never acknowledged: a timely failure with the cause --------------------------------
start_beats --never-ack
deadline_ev() { jq -cn --argjson e "$1" '{event:$e, deadline_ms:8000}'; }
{
	deadline_ev "$(sqsevent "$(sqsrec msg-h "$(s3event "$prefix/$alb")")")"
	deadline_ev "$(s3event "$prefix/$clb")"
} >"$tmp/hung-events.ndjson"
run_beats "$tmp/hung-events.ndjson" "$tmp/hung-res.ndjson" --enforce-deadline -- \
    ELBSHIP_TIMEOUT=0.5 ELBSHIP_RETRY_ATTEMPTS=2
check "never acknowledged, SQS: answered in time, the message in batchItemFailures" \
    "[ \"\$(r 0 $tmp/hung-res.ndjson | jq -r .completed_before_deadline)\" = true ] && [ \"\$(r 0 $tmp/hung-res.ndjson | jq -c '[.body.batchItemFailures[]?.itemIdentifier]')\" = '[\"msg-h\"]' ]"
check "never acknowledged, direct S3: an invocation error in time" \
    "[ \"\$(r 1 $tmp/hung-res.ndjson | jq -r .outcome)\" = error ] && [ \"\$(r 1 $tmp/hung-res.ndjson | jq -r .completed_before_deadline)\" = true ]"
check "never acknowledged: each object line says failed, no acknowledgement" \
    "[ \$(objs | jq -c 'select(.status == \"failed\" and (.error | test(\"no acknowledgement\")))' | wc -l) -eq 2 ]"

# ---- 3b. the deadline bounds the wait (a 60 s timeout, a 4 s invocation) --------------------
start_beats --never-ack
jq -cn --argjson e "$(s3event "$prefix/$clb")" '{event:$e, deadline_ms:4000}' >"$tmp/dl-events.ndjson"
run_beats "$tmp/dl-events.ndjson" "$tmp/dl-res.ndjson" --enforce-deadline -- \
    ELBSHIP_TIMEOUT=60 ELBSHIP_DEADLINE_MARGIN=1
check "never acknowledged, long timeout: an error before the deadline, not a Lambda timeout" \
    "[ \"\$(r 0 $tmp/dl-res.ndjson | jq -r .outcome)\" = error ] && [ \"\$(r 0 $tmp/dl-res.ndjson | jq -r .completed_before_deadline)\" = true ]"
check "never acknowledged, long timeout: the object line names the deadline" \
    "objs | jq -e 'select(.status == \"failed\") | .error | test(\"deadline\")' >/dev/null"

# ---- 4. warm: a failed invocation, then a good one ----------------------------------------
start_beats --never-ack-first 1
{
	s3event "$prefix/$nlb"
	s3event "$prefix/$nlb"
} >"$tmp/warm-events.ndjson"
run_beats "$tmp/warm-events.ndjson" "$tmp/warm-res.ndjson" -- \
    ELBSHIP_TIMEOUT=0.5 ELBSHIP_RETRY_ATTEMPTS=1
check "warm: the first invocation fails (its window never acknowledged, the sink gave up)" \
    "[ \"\$(r 0 $tmp/warm-res.ndjson | jq -r .outcome)\" = error ]"
check "warm: the next one delivers every line ($n_nlb): the failure was forgotten" \
    "[ \"\$(r 1 $tmp/warm-res.ndjson | jq -r .outcome)\" = response ] && [ \"\$(r 1 $tmp/warm-res.ndjson | jq .body.indexed)\" = $n_nlb ]"

finish

#!/usr/bin/env bash
# tests/lambda/run.sh: the real `bootstrap` against the project's Lambda
# Runtime API test server, s3rver (signature checking on) and the
# Elasticsearch test server.
#
# Every envelope (S3, SQS, SNS in SQS, SNS, EventBridge direct and in SQS,
# s3:TestEvent, garbage), redelivery without duplicates, SQS partial batch
# failures naming exactly the failed messages, the deadline, start-up
# errors, and 1,000 warm invocations with flat memory and descriptors.
. "$(dirname "$0")/lib.sh"

# ---- every envelope ----------------------------------------------------------------
start_es
ev=$tmp/events.ndjson
{
	s3event "$prefix/$alb" "$prefix/$clb"						# 0 S3, two records
	sqsevent "$(sqsrec msg-a "$(s3event "$prefix/$nlb")")" \
	    "$(sqsrec msg-b "$(snsenv "$(s3event "$prefix/$conn")")")" \
	    "$(sqsrec msg-c 'this is not json')"					# 1 SQS: S3, SNS-in-SQS, garbage
	snsdirect "$(s3event "$oddkey")"						# 2 SNS direct, odd key
	ebevent "$oddkey"								# 3 EventBridge direct
	sqsevent "$(sqsrec msg-d "$(ebevent "$prefix/$alb")")"				# 4 EventBridge in SQS
	jq -cn '{Service:"Amazon S3",Event:"s3:TestEvent",Time:"2025-11-03T09:00:00.000Z",Bucket:"logs",RequestId:"r",HostId:"h"}'	# 5
	jq -cn '{foo:1,bar:{baz:2}}'							# 6 not an event
	s3event "$prefix/$alb" "$prefix/$clb"						# 7 redelivery of 0
	sqsevent "$(sqsrec msg-e "$(s3event "$prefix/$nlb")")" \
	    "$(sqsrec msg-f "$(s3event "$prefix/missing.log")")"			# 8 SQS: one object missing
	s3event "$prefix/no-such-object.log"						# 9 direct, missing object
	s3event "$prefix/$alb" "$prefix/$alb" | jq -c '.Records[1].eventName="ObjectRemoved:Delete"'	# 10 ignore removals
} >"$ev"
run_function "$ev" "$tmp/res.ndjson"
check "the function answered all 11 invocations" "[ \$(grep -c request_id $tmp/res.ndjson) -eq 11 ]"
r() { result "$1" "$tmp/res.ndjson"; }
check "S3 notification, two records: response ok" \
    "[ \"\$(r 0 | jq -r .outcome)\" = response ] && [ \"\$(r 0 | jq .body.objects)\" = 2 ]"
check "SQS: batchItemFailures names exactly the unreadable message" \
    "[ \"\$(r 1 | jq -c '[.body.batchItemFailures[].itemIdentifier]')\" = '[\"msg-c\"]' ]"
check "SNS direct with an odd key (space, +, é, =, %): response ok" \
    "[ \"\$(r 2 | jq -r .outcome)\" = response ] && [ \"\$(r 2 | jq .body.objects)\" = 1 ]"
check "EventBridge direct (key as is): response ok" \
    "[ \"\$(r 3 | jq -r .outcome)\" = response ] && [ \"\$(r 3 | jq .body.objects)\" = 1 ]"
check "EventBridge in SQS: no failures" \
    "[ \"\$(r 4 | jq -c .body.batchItemFailures)\" = '[]' ]"
check "s3:TestEvent acknowledged" \
    "[ \"\$(r 5 | jq -r .outcome)\" = response ] && [ \"\$(r 5 | jq .body.test_events)\" = 1 ]"
check "an unknown event is an error naming its keys" \
    "[ \"\$(r 6 | jq -r .outcome)\" = error ] && r 6 | jq -r .body.errorMessage | grep -q 'foo, bar'"
check "redelivery: response ok, every document counted duplicate" \
    "[ \"\$(r 7 | jq .body.duplicates)\" = $((n_alb + n_clb)) ] && [ \"\$(r 7 | jq .body.indexed)\" = 0 ]"
check "SQS with a missing object: exactly that message fails" \
    "[ \"\$(r 8 | jq -c '[.body.batchItemFailures[].itemIdentifier]')\" = '[\"msg-f\"]' ]"
check "direct event with a missing object: an error (Lambda retries)" \
    "[ \"\$(r 9 | jq -r .outcome)\" = error ] && [ \"\$(r 9 | jq -r .error_type_header)\" = Elbship.ObjectFailed ]"
check "ObjectRemoved records are skipped" "[ \"\$(r 10 | jq .body.objects)\" = 1 ]"
stored >"$tmp/stored"
want=$((n_alb + n_clb + n_nlb + n_conn))
check "the store holds each sample line once ($want documents)" \
    "[ \$(wc -l <$tmp/stored) -eq $want ] && [ -z \"\$(uniq -d $tmp/stored)\" ]"
check "the function's blocks were compressed where they lie (every action line in the encoder's gap)" \
    "[ \"\$(curl -s $es/_test/stats | jq '.actions_spaced == .items_by_action.create')\" = true ]"
"$ELBSHIP" ship -q examples | jq -r .event.id | sort >"$tmp/local.ids"
check "ids from the Lambda equal ids from a local run of the same files" \
    "cmp -s $tmp/stored $tmp/local.ids"
check "one JSON log line per object and per invocation, all valid JSON" \
    "jq -e . $tmp/fn.out >/dev/null && [ \$(grep -c '\"msg\":\"invocation\"' $tmp/fn.out) -eq 11 ] && [ \$(grep -c '\"msg\":\"object\"' $tmp/fn.out) -ge 9 ]"
check "object log lines carry the counts" \
    "grep '\"msg\":\"object\"' $tmp/fn.out | head -n 1 | jq -e 'has(\"bucket\") and has(\"key\") and has(\"log_type\") and has(\"lines\") and has(\"documents\") and has(\"malformed\") and has(\"duplicates\") and has(\"dead_lettered\") and has(\"undelivered\") and has(\"bytes_in\") and has(\"bytes_out\") and has(\"duration_ms\") and has(\"mb_per_s\")' >/dev/null"
check "invocation log lines are CloudWatch EMF" \
    "grep '\"msg\":\"invocation\"' $tmp/fn.out | head -n 1 | jq -e '._aws.CloudWatchMetrics[0].Namespace == \"elbship\" and (.Lines | type) == \"number\"' >/dev/null"
check "no per-line logging" "[ \$(wc -l <$tmp/fn.out) -lt 40 ]"
check "the trace id is exported per invocation (_X_AMZN_TRACE_ID, logged)" \
    "[ \"\$(grep '\"msg\":\"invocation\"' $tmp/fn.out | head -n 1 | jq -r .trace_id)\" = \"\$(r 0 | jq -r .trace_id)\" ] && [ \"\$(r 0 | jq -r .trace_id)\" != null ]"
check "the runtime kept one connection to the Runtime API, no violations" \
    "[ \"\$(jq .connections $tmp/res.ndjson.stats)\" = 1 ] && [ \"\$(jq .violation_count $tmp/res.ndjson.stats)\" = 0 ]"

# ---- deadline --------------------------------------------------------------------
# The cluster answers slower than the time left: elbship stops in time,
# reports the object failed, and the redelivery completes it.
kill "${pids[@]}" 2>/dev/null
start_es --slow-first 1 --slow-ms 4000
jq -cn --argjson e "$(s3event "$prefix/$alb")" '{event:$e, deadline_ms:2500}' >"$tmp/dl-events.ndjson"
s3event "$prefix/$alb" >>"$tmp/dl-events.ndjson"
run_function "$tmp/dl-events.ndjson" "$tmp/dl-res.ndjson" -- ELBSHIP_DEADLINE_MARGIN=1.2
d0=$(result 0 "$tmp/dl-res.ndjson"); d1=$(result 1 "$tmp/dl-res.ndjson")
check "deadline: the invocation ends with an error before its deadline" \
    "[ \"\$(echo '$d0' | jq -r .outcome)\" = error ] && [ \"\$(echo '$d0' | jq -r .completed_before_deadline)\" = true ]"
check "deadline: the log says how far it got" \
    "grep '\"msg\":\"object\"' $tmp/fn.out | head -n 1 | jq -e '.status == \"failed\" and (.read_to_offset | type) == \"number\"' >/dev/null"
check "deadline: the retried event completes (indexed + duplicate = all lines)" \
    "[ \"\$(echo '$d1' | jq -r .outcome)\" = response ] && [ \$(( \$(echo '$d1' | jq .body.indexed) + \$(echo '$d1' | jq .body.duplicates) )) -eq $n_alb ]"
check "deadline: the store holds every line once" \
    "[ \$(stored | wc -l) -eq $n_alb ]"

# ---- dead letters: by default to the cluster's elbship-dead-letter index ------------
# (/tmp does not outlive the execution environment.)
kill "${pids[@]}" 2>/dev/null
start_es --item-400-rate 0.1 --item-400-index 'logs-*'
s3event "$prefix/$alb" >"$tmp/dli-events.ndjson"
run_function "$tmp/dli-events.ndjson" "$tmp/dli-res.ndjson" -- ELBSHIP_DEAD_LETTER_FILE=
d0=$(result 0 "$tmp/dli-res.ndjson")
curl -s "$es/_test/docs" | jq -r 'select(._index == "elbship-dead-letter") | ._id' | sort >"$tmp/dli.ids"
ndl=$(wc -l <"$tmp/dli.ids")
check "dead letters: by default in the index elbship-dead-letter ($ndl, each once), as many as the response counts" \
    "[ \"\$(echo '$d0' | jq -r .outcome)\" = response ] && [ $ndl -gt 0 ] && [ -z \"\$(uniq -d $tmp/dli.ids)\" ] && [ \"\$(echo '$d0' | jq .body.dead_lettered)\" = $ndl ] && [ \$(( \$(echo '$d0' | jq .body.indexed) + $ndl )) -eq $n_alb ]"
check "dead letters: no file in /tmp" "[ ! -e /tmp/elbship-dead-letter.ndjson ] || [ /tmp/elbship-dead-letter.ndjson -ot $tmp/dli-events.ndjson ]"

# ---- a 403 (a privilege missing for a while) does not stick to the warm process ----
kill "${pids[@]}" 2>/dev/null
start_es --request-403-after 0 --request-403-count 1
s3event "$prefix/$clb" >"$tmp/f403-events.ndjson"
s3event "$prefix/$clb" >>"$tmp/f403-events.ndjson"
run_function "$tmp/f403-events.ndjson" "$tmp/f403-res.ndjson" -- ELBSHIP_BATCH_DOCS=3 ELBSHIP_MAX_INFLIGHT=1
check "403 on one request: the failed object's counts still add up to its documents (unsent ones undelivered)" \
    "grep '\"msg\":\"object\"' $tmp/fn.out | head -n 1 | jq -e '.documents == $n_clb and .indexed + .duplicates + .dead_lettered + .undelivered == .documents and .undelivered > 0' >/dev/null"
check "403 on one request: that invocation fails, naming it; the next one in the same process delivers" \
    "[ \"\$(result 0 $tmp/f403-res.ndjson | jq -r .outcome)\" = error ] && result 0 $tmp/f403-res.ndjson | jq -r .body.errorMessage | grep -q 'objects failed' && cat $tmp/fn.out $tmp/fn.err | grep -q 'HTTP 403' && [ \"\$(result 1 $tmp/f403-res.ndjson | jq -r .outcome)\" = response ] && [ \"\$(result 1 $tmp/f403-res.ndjson | jq .body.indexed)\" = $n_clb ]"

# ---- the password from Secrets Manager ------------------------------------------
kill "${pids[@]}" 2>/dev/null
rm -f "$tmp/sec.port"
smarn=arn:aws:secretsmanager:us-east-1:111122223333:secret:elbship-es-AbCdEf
python3 "$repo/tests/servers/secrets_server.py" --port 0 --port-file "$tmp/sec.port" \
    --service secretsmanager --auth "$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY:us-east-1" \
    --secret "$smarn={\"password\":\"lambda-pw-xyz\"}" >"$tmp/sec.log" 2>&1 &
pids+=($!)
wait_file "$tmp/sec.port"
start_es --auth basic:elastic:lambda-pw-xyz
s3event "$prefix/$clb" >"$tmp/sec-events.ndjson"
run_function "$tmp/sec-events.ndjson" "$tmp/sec-res.ndjson" -- \
    ELBSHIP_ES_USERNAME=elastic ELBSHIP_ES_PASSWORD_SECRET="$smarn#password" \
    AWS_ENDPOINT_URL_SECRETS_MANAGER="http://127.0.0.1:$(cat "$tmp/sec.port")"
check "password read from Secrets Manager at start-up: the object is indexed" \
    "[ \"\$(result 0 $tmp/sec-res.ndjson | jq .body.indexed)\" = $n_clb ]"
check "the secret appears in no log line" "! grep -q lambda-pw-xyz $tmp/fn.out $tmp/fn.err"

# A rotation: the cluster takes only the new password, which Secrets Manager
# gets after the function read the old one at start-up.  The invocation that
# meets the 401 fails; the function reads the secret again, and the retry
# (the next invocation, in the same process) is indexed.
start_es --auth basic:elastic:rotated-pw-abc
s3event "$prefix/$clb" >"$tmp/rot-events.ndjson"
s3event "$prefix/$clb" >>"$tmp/rot-events.ndjson"
secport=$(cat "$tmp/sec.port")
sec_reqs() { curl -s "http://127.0.0.1:$secport/_test/stats" | jq .requests; }
before=$(sec_reqs)
( for _ in $(seq 300); do [ "$(sec_reqs)" -gt "$before" ] && break; sleep 0.05; done
  curl -s -X POST --data-binary "{\"name\":\"$smarn\",\"value\":\"{\\\"password\\\":\\\"rotated-pw-abc\\\"}\"}" \
    "http://127.0.0.1:$(cat "$tmp/sec.port")/_test/rotate" >/dev/null ) &
run_function "$tmp/rot-events.ndjson" "$tmp/rot-res.ndjson" --next-delay-ms 3000 -- \
    ELBSHIP_ES_USERNAME=elastic ELBSHIP_ES_PASSWORD_SECRET="$smarn#password" \
    AWS_ENDPOINT_URL_SECRETS_MANAGER="http://127.0.0.1:$(cat "$tmp/sec.port")"
check "a rotated password: the invocation that meets the 401 fails, the secret is read again, the next one is indexed" \
    "[ \"\$(result 0 $tmp/rot-res.ndjson | jq -r .outcome)\" = error ] && grep -q 'read them again from Secrets' $tmp/fn.out && [ \"\$(result 1 $tmp/rot-res.ndjson | jq .body.indexed)\" = $n_clb ] && ! grep -q rotated-pw-abc $tmp/fn.out $tmp/fn.err"

# ---- start-up errors ---------------------------------------------------------------
echo '{}' >"$tmp/one.ndjson"
run_function "$tmp/one.ndjson" "$tmp/init-res.ndjson" --init-error-file "$tmp/init.json" -- \
    ELBSHIP_ES_URL= ELBSHIP_BATCH_DOCS=lots
check "start-up: a bad setting is posted to /init/error, naming it" \
    "jq -e '.body.errorMessage | test(\"ELBSHIP_BATCH_DOCS\")' $tmp/init.json >/dev/null"
run_function "$tmp/one.ndjson" "$tmp/init-res2.ndjson" --init-error-file "$tmp/init2.json" -- \
    ELBSHIP_ES_URL=
check "start-up: no sink configured is an init error saying what to set" \
    "jq -e '.body.errorMessage | test(\"ELBSHIP_ES_URL\")' $tmp/init2.json >/dev/null"
run_function "$tmp/one.ndjson" "$tmp/init-res3.ndjson" --init-error-file "$tmp/init3.json" -- \
    ELBSHIP_ES_INDEX='ELB-{type}'
check "start-up: an index name Elasticsearch would refuse is an init error naming ELBSHIP_ES_INDEX" \
    "jq -e '.body.errorMessage | test(\"ELBSHIP_ES_INDEX\")' $tmp/init3.json >/dev/null"

# ---- ELB's ELBAccessLogTestFile is skipped in every envelope ------------------------
# (issue 15; written when access logging is turned on, let through by
# NotificationSuffix=any). It is in the bucket, so reading it would make an
# error document: none may appear.
kill "${pids[@]}" 2>/dev/null
start_es
tkey=AWSLogs/111122223333/ELBAccessLogTestFile
printf 'Enable AccessLog for ELB: shop-alb at 2025-11-03T09:00:00.000Z' >"$tmp/testfile"
s3 put logs "$tkey" "$tmp/testfile" >/dev/null
{
	s3event "$tkey"								# 0 S3 direct
	sqsevent "$(sqsrec msg-t "$(s3event "$tkey")")" \
	    "$(sqsrec msg-u "$(s3event "$prefix/$clb")")"			# 1 SQS, with a real log
	ebevent "$tkey"								# 2 EventBridge
} >"$tmp/tf-events.ndjson"
run_function "$tmp/tf-events.ndjson" "$tmp/tf-res.ndjson"
tf() { result "$1" "$tmp/tf-res.ndjson"; }
check "ELBAccessLogTestFile: S3 and EventBridge events answered with no object, counted as test events" \
    "[ \"\$(tf 0 | jq -c '[.outcome, .body.objects, .body.test_events]')\" = '[\"response\",0,1]' ] && [ \"\$(tf 2 | jq -c '[.outcome, .body.objects, .body.test_events]')\" = '[\"response\",0,1]' ]"
check "ELBAccessLogTestFile: in SQS its message succeeds beside a real log's" \
    "[ \"\$(tf 1 | jq -c .body.batchItemFailures)\" = '[]' ] && [ \$(stored | wc -l) -eq $n_clb ] && ! grep -q ELBAccessLogTestFile $tmp/fn.out"

# ---- 1,000 warm invocations: flat memory and descriptors -------------------------
start_es
cp "$(realpath "${ELBSHIP_RELEASE:-build/release/elbship}")" "$tmp/task/bootstrap"
one=$(s3event "$prefix/$nlb")
for _ in $(seq 1000); do printf '%s\n' "$one"; done >"$tmp/many.ndjson"
(
	while [ ! -s "$tmp/rt.port" ]; do sleep 0.05; done
	while :; do
		p=$(pgrep -f "$tmp/task/bootstrap" | head -n 1)
		[ -n "$p" ] || { sleep 0.05; continue; }
		c=$(curl -s "http://127.0.0.1:$(cat "$tmp/rt.port")/_test/stats" | jq -r '.completed // 0' 2>/dev/null)
		echo "$c $(awk '/VmRSS/ {print $2}' /proc/"$p"/status 2>/dev/null) $(ls /proc/"$p"/fd 2>/dev/null | wc -l)"
		sleep 0.2
	done
) >"$tmp/samples" 2>/dev/null &
sampler=$!
rm -f "$tmp/rt.port"
run_function "$tmp/many.ndjson" "$tmp/many-res.ndjson"
kill "$sampler" 2>/dev/null
curl -s "$es/_test/stats" >"$tmp/many-es.stats"
check "the sink's keep-alive connections are reused across warm invocations" \
    "[ \$(jq .bulk_requests $tmp/many-es.stats) -ge 1000 ] && [ \$(jq .connections_accepted $tmp/many-es.stats) -le 4 ]"
check "1,000 invocations answered" \
    "[ \$(jq -r .outcome $tmp/many-res.ndjson | grep -c response) -eq 1000 ]"
awk 'NF == 3 && $2 > 0' "$tmp/samples" >"$tmp/s2"
early=$(awk 'NR == 3' "$tmp/s2"); late=$(tail -n 2 "$tmp/s2" | head -n 1)
echo "# samples (invocations rss_kb fds): early '$early' late '$late' of $(wc -l <"$tmp/s2")"
check "memory flat across 1,000 invocations (RSS growth under 2 MB)" \
    "[ -n \"$early\" ] && [ -n \"$late\" ] && [ \$(( \$(echo $late | cut -d' ' -f2) - \$(echo $early | cut -d' ' -f2) )) -lt 2048 ]"
check "open descriptors flat across 1,000 invocations" \
    "[ -n \"$early\" ] && [ \"\$(echo $late | cut -d' ' -f3)\" -le \"\$(echo $early | cut -d' ' -f3)\" ]"

finish

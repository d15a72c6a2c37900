#!/usr/bin/env bash
# tests/enqueue/run.sh: `elbship enqueue` end to end: a prefix of 1,101
# objects in s3rver (listing pages), enqueued into the project's SQS test
# server under faults (entries failed, throttling, 5xx, resets before and
# after the queue stored a batch), the queue's messages handed to the
# function (`bootstrap` against the Runtime API test server) as SQS events
# of up to 10 records, the Elasticsearch test server holding every line
# exactly once; --dry-run and the filters; an interrupted run resumed with
# --state sending nothing twice; the bad inputs (unknown or unreachable
# queue, a queue of another region, access denied, an empty prefix), each
# one line and the right exit status.
set -u
cd "$(dirname "$0")/../.."
# repo, ELBSHIP, tmp, pids, the TAP helpers, s3rver and s3 (tests/lib/s3suite.sh)
. tests/lib/s3suite.sh

# ---- s3rver with 1,101 small logs under AWS's names ---------------------------
s3 mb logs >/dev/null
mkdir -p "$tmp/src"
zcat examples/*app.shop-alb*3kq9zz1p.log.gz | head -n 3 | gzip >"$tmp/src/alb.gz"
head -n 3 examples/*web-clb* >"$tmp/src/clb"
zcat examples/*net.edge-nlb*.log.gz | head -n 3 | gzip >"$tmp/src/nlb.gz"
zcat examples/conn_log.* | head -n 3 | gzip >"$tmp/src/conn.gz"
prefix=AWSLogs/111122223333/elasticloadbalancing/eu-west-1/2025/11/03
a=111122223333_elasticloadbalancing_eu-west-1
nobj=1100
for i in $(seq 0 $((nobj - 1))); do
	t=$(printf '20251103T%02d%02dZ' $((i / 60)) $((i % 60)))
	r=$(printf '%08x' $((i * 2654435761 % 4294967296)))
	case $((i % 4)) in
	0) printf '%s/%s_app.shop-alb.1a2b3c4d5e6f7a8b_%s_10.0.4.17_%s.log.gz\t%s\n' "$prefix" "$a" "$t" "$r" "$tmp/src/alb.gz" ;;
	1) printf '%s/%s_web-clb_%s_198.51.100.10_%s.log\t%s\n' "$prefix" "$a" "$t" "$r" "$tmp/src/clb" ;;
	2) printf '%s/%s_net.edge-nlb.0f1e2d3c4b5a6978_%s_%s.log.gz\t%s\n' "$prefix" "$a" "$t" "$r" "$tmp/src/nlb.gz" ;;
	3) printf '%s/conn_log.%s_app.shop-alb.1a2b3c4d5e6f7a8b_%s_10.0.4.17_%s.log.gz\t%s\n' "$prefix" "$a" "$t" "$r" "$tmp/src/conn.gz" ;;
	esac
done >"$tmp/list"
# A key that needs form encoding in the notification, and two objects that
# are not logs.
oddkey="AWSLogs/odd dir/é+ü=%/${a}_web-clb_20240601T0805Z_198.51.100.10_0dd0dd00.log"
printf '%s\t%s\n' "$oddkey" "$tmp/src/clb" >>"$tmp/list"
printf '%s\t%s\n' "AWSLogs/readme.txt" README.md "AWSLogs/ELBAccessLogTestFile" README.md >>"$tmp/list"
s3 put-list logs "$tmp/list" >"$tmp/put.log" 2>&1
want_obj=$((nobj + 1))
want_docs=$((want_obj * 3))
check "$want_obj logs and 2 other objects in s3rver" "[ \$(s3 ls logs | wc -l) -eq $((want_obj + 2)) ]"

# ---- servers -----------------------------------------------------------------------------
auth="$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY"
start_sqs() {	# start_sqs NAME ARGS...: $NAME_url is its queue URL
	local name=$1
	shift
	rm -f "$tmp/$name.port"
	python3 "$repo/tests/servers/sqs_server.py" --port 0 --port-file "$tmp/$name.port" \
	    --auth "$auth" "$@" >"$tmp/$name.log" 2>&1 &
	pids+=($!)
	wait_file "$tmp/$name.port"
	eval "${name}_port=$(cat "$tmp/$name.port")"
	eval "${name}_url=http://127.0.0.1:$(cat "$tmp/$name.port")/111122223333/elbship"
}
msgs() { curl -s "http://127.0.0.1:$1/_test/messages"; }
sqsstats() { curl -s "http://127.0.0.1:$1/_test/stats"; }
# the decoded keys of a server's messages, one per line
keys() { msgs "$1" | jq -r '.[].Body | fromjson | .Records[0].s3.object.key' |
    python3 -c 'import sys,urllib.parse; [print(urllib.parse.unquote_plus(l.rstrip("\n"))) for l in sys.stdin]'; }
enq() { "$ELBSHIP" enqueue --retry-initial-ms 5 "$@"; }

# ---- --dry-run and the filters ------------------------------------------------------------
start_sqs dry
enq --queue-url "$dry_url" --dry-run s3://logs/AWSLogs/ >"$tmp/dry.out" 2>"$tmp/dry.err"
rc=$?
check "--dry-run: exit 0, lists the $want_obj logs (not the other objects), sends nothing" \
    "[ $rc -eq 0 ] && [ \$(wc -l <$tmp/dry.out) -eq $want_obj ] && ! grep -q readme $tmp/dry.out && grep -q 'would be enqueued' $tmp/dry.err && [ \$(msgs $dry_port | jq length) -eq 0 ]"
enq --dry-run --since 2025-11-03T10:00Z --until 2025-11-03T12:00Z s3://logs/AWSLogs/ >"$tmp/dry2.out" 2>/dev/null
enq --dry-run --lb web-clb s3://logs/AWSLogs/ >"$tmp/dry3.out" 2>/dev/null
enq --dry-run --type nlb s3://logs/AWSLogs/ >"$tmp/dry4.out" 2>/dev/null
check "--since/--until take the ship backfill's interval (120 objects), --lb and --type its names" \
    "[ \$(wc -l <$tmp/dry2.out) -eq 120 ] && [ \$(wc -l <$tmp/dry3.out) -eq $((nobj / 4 + 1)) ] && [ \$(wc -l <$tmp/dry4.out) -eq $((nobj / 4)) ] && ! grep -qv edge-nlb $tmp/dry4.out"

# ---- enqueue under faults -------------------------------------------------------------------
start_sqs main --entry-fail-rate 0.2 --throttle-rate 0.1 --error-5xx-rate 0.05 \
    --reset-rate 0.05 --reset-after-store-rate 0.03 --seed 7
enq --queue-url "$main_url" --state "$tmp/state" --concurrency 6 s3://logs/AWSLogs/ \
    >"$tmp/enq.out" 2>"$tmp/enq.err"
rc=$?
sed 's/^/# /' "$tmp/enq.err"
check "enqueue under faults: exit 0, the summary says $want_obj listed, $want_obj enqueued, 0 failed" \
    "[ $rc -eq 0 ] && grep -q \"$want_obj listed, $want_obj enqueued, 0 skipped (state), 0 failed\" $tmp/enq.err"
sqsstats "$main_port" >"$tmp/main.stats"
check "every fault fired (entries failed, throttling, 5xx, resets before and after storing)" \
    "jq -e '.faults.entry_fail > 0 and .faults.throttle > 0 and .faults[\"5xx\"] > 0 and .faults.reset > 0 and .faults.reset_after_store > 0 and .violation_count == 0' $tmp/main.stats >/dev/null"
keys "$main_port" | sort >"$tmp/main.keys"
cut -f1 "$tmp/list" | grep -v -e readme -e ELBAccessLogTestFile | sort >"$tmp/want.keys"
check "the queue holds a message for every log (decoded keys equal the listing)" \
    "cmp -s <(sort -u $tmp/main.keys) $tmp/want.keys"
ndup=$(( $(wc -l <"$tmp/main.keys") - want_obj ))
check "messages sent twice only where the queue stored a batch whose answer was reset ($ndup)" \
    "[ $ndup -le \$(( \$(jq .faults.reset_after_store $tmp/main.stats) * 10 )) ]"
msgs "$main_port" | jq -c '.[0].Body | fromjson' >"$tmp/one.json"
check "a message is S3's own ObjectCreated notification (version 2.1, bucket, key, size, eTag, sequencer)" \
    "jq -e '.Records | length == 1 and .[0].eventVersion == \"2.1\" and .[0].eventSource == \"aws:s3\" and (.[0].eventName | startswith(\"ObjectCreated:\")) and .[0].awsRegion == \"us-east-1\" and .[0].s3.bucket.name == \"logs\" and .[0].s3.bucket.arn == \"arn:aws:s3:::logs\" and (.[0].s3.object.size | type) == \"number\" and (.[0].s3.object.eTag | test(\"^[0-9a-f]{32}\$\")) and (.[0].s3.object.sequencer | test(\"^[0-9A-F]+\$\")) and (.[0].eventTime | test(\"^2[0-9-]+T[0-9:]+[.][0-9]{3}Z\$\"))' $tmp/one.json >/dev/null"
msgs "$main_port" | jq -r '.[].Body | fromjson | .Records[0].s3.object.key' | grep 'odd' | head -n 1 >"$tmp/odd.enc"
check "the odd key is form-encoded as S3 does (space +, others %XX, / kept)" \
    "grep -qx 'AWSLogs/odd+dir/%C3%A9%2B%C3%BC%3D%25/${a}_web-clb_20240601T0805Z_198.51.100.10_0dd0dd00.log' $tmp/odd.enc"
check "the state file records every object once" \
    "[ \$(grep -vc '^#' $tmp/state) -eq $want_obj ] && [ \$(grep -v '^#' $tmp/state | sort -u | wc -l) -eq $want_obj ]"
grep -c '' "$tmp/main.keys" >"$tmp/main.count"
enq --queue-url "$main_url" --state "$tmp/state" s3://logs/AWSLogs/ >/dev/null 2>"$tmp/again.err"
rc=$?
check "rerun with --state: exit 0, all $want_obj skipped, nothing sent" \
    "[ $rc -eq 0 ] && grep -q '0 enqueued, $want_obj skipped' $tmp/again.err && [ \$(msgs $main_port | jq length) -eq \$(cat $tmp/main.count) ]"

# ---- the function ships what the queue holds -----------------------------------------------
rm -f "$tmp/es.port"
python3 "$repo/tests/servers/es_server.py" --port 0 --port-file "$tmp/es.port" >"$tmp/es.log" 2>&1 &
pids+=($!)
wait_file "$tmp/es.port"
es=http://127.0.0.1:$(cat "$tmp/es.port")
python3 tests/enqueue/sqs2lambda.py receive "$main_url" "$tmp/events.ndjson" "$tmp/handles.json" >"$tmp/recv.log" 2>&1
check "the messages become SQS events of at most 10 records ($(wc -l <"$tmp/events.ndjson") events)" \
    "[ \$(jq -s 'map(.Records | length) | add' $tmp/events.ndjson) -eq \$(cat $tmp/main.count) ] && [ \$(jq -s 'map(.Records | length) | max' $tmp/events.ndjson) -le 10 ]"
mkdir -p "$tmp/task"
cp "$ELBSHIP" "$tmp/task/bootstrap"
rm -f "$tmp/rt.port"
python3 "$repo/tests/servers/runtime_api.py" --port 0 --port-file "$tmp/rt.port" \
    --events "$tmp/events.ndjson" --results "$tmp/res.ndjson" --exit-after-all \
    --deadline-ms 120000 >"$tmp/rt.log" 2>&1 &
rt=$!
pids+=($rt)
wait_file "$tmp/rt.port"
env -i PATH=/usr/bin:/bin HOME="$tmp" TZ=UTC \
    AWS_LAMBDA_RUNTIME_API="127.0.0.1:$(cat "$tmp/rt.port")" \
    AWS_LAMBDA_FUNCTION_NAME=elbship-test AWS_REGION=us-east-1 \
    AWS_ACCESS_KEY_ID="$AWS_ACCESS_KEY_ID" AWS_SECRET_ACCESS_KEY="$AWS_SECRET_ACCESS_KEY" \
    AWS_ENDPOINT_URL_S3="$AWS_ENDPOINT_URL_S3" ELBSHIP_ES_URL="$es" \
    ELBSHIP_RETRY_INITIAL_MS=20 ELBSHIP_DEAD_LETTER_FILE="$tmp/dl.ndjson" \
    "$tmp/task/bootstrap" >"$tmp/fn.out" 2>"$tmp/fn.err" &
fn=$!
pids+=($fn)
for _ in $(seq 12000); do	# 10 minutes at most
	kill -0 "$rt" 2>/dev/null && kill -0 "$fn" 2>/dev/null || break
	sleep 0.05
done
sleep 0.2
kill "$fn" "$rt" 2>/dev/null
wait "$fn" "$rt" 2>/dev/null
check "the function answered every event, no message reported failed" \
    "[ \$(wc -l <$tmp/res.ndjson) -eq \$(wc -l <$tmp/events.ndjson) ] && [ \$(jq -r .outcome $tmp/res.ndjson | grep -vc response) -eq 0 ] && [ \$(jq -c '.body.batchItemFailures[]?' $tmp/res.ndjson | wc -l) -eq 0 ]"
curl -s "$es/_test/docs" | jq -r ._id | sort >"$tmp/stored"
check "Elasticsearch holds every line exactly once ($want_docs documents)" \
    "[ \$(wc -l <$tmp/stored) -eq $want_docs ] && [ -z \"\$(uniq -d $tmp/stored)\" ]"
check "the messages sent twice became duplicates, not documents ($ndup objects)" \
    "[ \$(grep '\"msg\":\"object\"' $tmp/fn.out | jq -s 'map(.duplicates) | add') -eq \$(( ndup * 3 )) ] && [ \$(grep -c '\"msg\":\"object\"' $tmp/fn.out) -eq \$(cat $tmp/main.count) ]"
python3 tests/enqueue/sqs2lambda.py delete "$main_url" "$tmp/handles.json" "$tmp/res.ndjson" >"$tmp/del.log" 2>&1
check "the messages shipped are deleted (DeleteMessageBatch): the queue is empty" \
    "[ \$(msgs $main_port | jq '[.[] | select(.Deleted | not)] | length') -eq 0 ]"

# ---- interrupted, then resumed with --state: nothing sent twice ----------------------------
start_sqs slow --delay-ms 40
"$ELBSHIP" enqueue --queue-url "$slow_url" --state "$tmp/state2" --concurrency 2 \
    s3://logs/AWSLogs/ >/dev/null 2>"$tmp/int.err" &
e=$!
for _ in $(seq 400); do
	[ -f "$tmp/state2" ] && [ "$(grep -vc '^#' "$tmp/state2")" -ge 200 ] && break
	sleep 0.05
done
kill -INT "$e"
wait "$e"
rc=$?
done1=$(grep -vc '^#' "$tmp/state2")
check "interrupted: exit 6, says how to resume, some objects recorded ($done1)" \
    "[ $rc -eq 6 ] && grep -q 'run the same command again' $tmp/int.err && [ $done1 -gt 0 ] && [ $done1 -lt $want_obj ]"
check "interrupted: every message the queue took is in the state file" \
    "[ \$(msgs $slow_port | jq length) -eq $done1 ]"
enq --queue-url "$slow_url" --state "$tmp/state2" --concurrency 4 s3://logs/AWSLogs/ \
    >/dev/null 2>"$tmp/res2.err"
rc=$?
keys "$slow_port" | sort >"$tmp/slow.keys"
check "resumed: exit 0, $done1 skipped, the queue holds every log exactly once" \
    "[ $rc -eq 0 ] && grep -q \"$((want_obj - done1)) enqueued, $done1 skipped\" $tmp/res2.err && cmp -s $tmp/slow.keys $tmp/want.keys"

# ---- entries the queue refuses for good ---------------------------------------------------
start_sqs rej --entry-reject-rate 0.1 --seed 3
n17=$((nobj - 17 * 60))	# objects from 17:00 on
enq --queue-url "$rej_url" --state "$tmp/state3" --since 2025-11-03T17:00Z s3://logs/AWSLogs/ \
    >/dev/null 2>"$tmp/rej.err"
rc=$?
nrej=$(sqsstats "$rej_port" | jq .faults.entry_reject)
check "entries refused as the sender's fault fail alone, not retried: exit 5, $nrej failed, named" \
    "[ $rc -eq 5 ] && grep -q \"$nrej failed\" $tmp/rej.err && grep -q 'InvalidMessageContents' $tmp/rej.err && [ \$(msgs $rej_port | jq length) -eq \$(( n17 - nrej )) ] && [ $nrej -gt 0 ]"
"$ELBSHIP" enqueue --queue-url "$dry_url" --state "$tmp/state3" --since 2025-11-03T17:00Z \
    s3://logs/AWSLogs/ >/dev/null 2>&1
check "a rerun sends exactly the failed ones" "[ \$(msgs $dry_port | jq length) -eq $nrej ]"

# ---- a queue whose MaximumMessageSize is small: smaller calls -------------------------------
start_sqs small --max-message-bytes 4000
enq --queue-url "$small_url" --since 2025-11-03T18:00Z s3://logs/AWSLogs/ >/dev/null 2>"$tmp/small.err"
rc=$?
check "BatchRequestTooLong: the batches shrink until they fit, every object enqueued once" \
    "[ $rc -eq 0 ] && [ \$(keys $small_port | sort -u | wc -l) -eq $((nobj - 18 * 60)) ] && [ \$(msgs $small_port | jq length) -eq $((nobj - 18 * 60)) ] && [ \$(sqsstats $small_port | jq '.calls[\"error:BatchRequestTooLong\"]') -ge 1 ]"

# ---- the SQS test server is strict, as SQS is ----------------------------------------------
sq() { python3 tests/enqueue/sqs2lambda.py call "$dry_url" "$@"; }
ents() {	# ents N [BODY]: N entries with ids e0..eN-1
	jq -cn --arg u "$dry_url" --argjson n "$1" --arg b "${2:-x}" \
	    '{QueueUrl:$u, Entries:[range($n) | {Id:"e\(.)", MessageBody:$b}]}'
}
big=$(head -c 30000 /dev/zero | tr '\0' a)
ents 9 "$big" >"$tmp/big9.json"
ents 8 "$big" >"$tmp/big8.json"
check "SendMessageBatch: 11 entries is TooManyEntriesInBatchRequest" \
    "sq SendMessageBatch \"\$(ents 11)\" | grep -q '^400 AWS.SimpleQueueService.TooManyEntriesInBatchRequest;Sender .*com.amazonaws.sqs#TooManyEntriesInBatchRequest'"
check "SendMessageBatch: no entries is EmptyBatchRequest" \
    "sq SendMessageBatch \"\$(ents 0)\" | grep -q '^400 AWS.SimpleQueueService.EmptyBatchRequest'"
check "SendMessageBatch: repeated ids are BatchEntryIdsNotDistinct, a bad id InvalidBatchEntryId" \
    "sq SendMessageBatch \"\$(ents 2 | jq -c '.Entries[1].Id = \"e0\"')\" | grep -q BatchEntryIdsNotDistinct && sq SendMessageBatch \"\$(ents 1 | jq -c '.Entries[0].Id = \"a.b\"')\" | grep -q InvalidBatchEntryId"
check "SendMessageBatch: more than 256 KiB of bodies is BatchRequestTooLong" \
    "sq SendMessageBatch @$tmp/big9.json | grep -q BatchRequestTooLong && sq SendMessageBatch @$tmp/big8.json | grep -q '^200 '"
check "unsigned requests are MissingAuthenticationToken (403)" \
    "sq GetQueueUrl '{\"QueueName\":\"elbship\"}' --unsigned | grep -q '^403 MissingAuthenticationToken'"
qa=$(jq -cn --arg u "$dry_url" '{QueueUrl:$u, AttributeNames:["All"]}')
check "GetQueueUrl and GetQueueAttributes answer as SQS does" \
    "sq GetQueueUrl '{\"QueueName\":\"elbship\"}' | grep -qF '\"QueueUrl\":\"$dry_url\"' && sq GetQueueAttributes \"\$qa\" | grep -q '\"ApproximateNumberOfMessages\":\"[0-9]*\"'"
check "an unknown queue is QueueDoesNotExist" \
    "sq GetQueueUrl '{\"QueueName\":\"nope\"}' | grep -q '^400 AWS.SimpleQueueService.NonExistentQueue;Sender .*com.amazonaws.sqs#QueueDoesNotExist'"

# ---- bad input: one line each, the right exit status ------------------------------------------
oneline() {	# oneline NAME WANT_RC PATTERN ARGS...: run quietly, check
	local name=$1 want=$2 pat=$3 rc f
	shift 3
	f=$tmp/$(echo "$name" | tr -c 'a-z0-9\n' _).err
	enq -q "$@" >/dev/null 2>"$f"
	rc=$?
	sed 's/^/# /' "$f"
	check "$name: exit $want, one line: $pat" \
	    "[ $rc -eq $want ] && [ \$(wc -l <$f) -eq 1 ] && grep -q -- \"$pat\" $f"
}
oneline "unknown queue" 5 "queue http://127.0.0.1:$main_port/111122223333/nope does not exist" \
    --queue-url "http://127.0.0.1:$main_port/111122223333/nope" s3://logs/AWSLogs/
oneline "unreachable queue URL" 5 "cannot reach SQS at http://127.0.0.1:1/" \
    --queue-url "http://127.0.0.1:1/111122223333/elbship" s3://logs/AWSLogs/
oneline "queue URL of another region" 2 "is in eu-west-1, but the region is us-east-1" \
    --queue-url https://sqs.eu-west-1.amazonaws.com/111122223333/elbship \
    --sqs-endpoint-url "http://127.0.0.1:$dry_port" s3://logs/AWSLogs/
start_sqs euw --region eu-west-1
oneline "queue in another region than the one signed for" 5 "is not in region us-east-1" \
    --queue-url "$euw_url" s3://logs/AWSLogs/
start_sqs deny --deny-send
oneline "credentials without sqs:SendMessage" 5 "access denied to queue .* sqs:SendMessage" \
    --queue-url "$deny_url" s3://logs/AWSLogs/
oneline "a prefix with no objects" 1 "no ELB log files under s3://logs/nothing/" \
    --queue-url "$dry_url" s3://logs/nothing/
oneline "no queue URL" 2 "give the queue: --queue-url" s3://logs/AWSLogs/
oneline "a bad --since" 2 "--since/--until want a time" --queue-url "$dry_url" --since soon s3://logs/AWSLogs/
oneline "not an s3 URL" 2 "is not s3://bucket/prefix/" --queue-url "$dry_url" /var/log/
enq --queue-url "$dry_url" --state "$tmp/state4" --since 2025-11-03T18:00Z --progress s3://logs/AWSLogs/ \
    >/dev/null 2>"$tmp/prog.err"
check "--progress: a line rewritten in place with the counts" \
    "grep -q \$'\\r\\033\\[Kelbship enqueue: [0-9]* listed, [0-9]* enqueued, [0-9]* skipped, 0 failed' $tmp/prog.err"
clean() { local p; for p in "$@"; do sqsstats "$p" | jq -e '.violation_count == 0' >/dev/null || return 1; done; }
check "no request to the SQS test servers broke the protocol" \
    "clean $main_port $slow_port $rej_port $dry_port $euw_port $deny_port $small_port"

finish

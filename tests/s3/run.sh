#!/usr/bin/env bash
# tests/s3/run.sh: elbship reading from a real S3-compatible server
# (s3rver, with SigV4 checking: tests/s3/server.js).
#
# Single objects (plain, gzip, multi-member gzip), prefixes (backfill) past
# 1,000 keys, odd keys, filters, credentials from the environment and from
# a profile, wrong credentials, a missing object, a connection cut
# mid-object (resumed with Range, proven by the proxy's log), and a
# backfill interrupted and resumed with --state with nothing missing or
# duplicated at the sink.
set -u
cd "$(dirname "$0")/../.."
# repo, ELBSHIP, tmp, pids, the TAP helpers, s3rver and s3 (tests/lib/s3suite.sh)
. tests/lib/s3suite.sh
unset AWS_ENDPOINT_URL AWS_PROFILE AWS_SESSION_TOKEN
ship() { "$ELBSHIP" ship "$@"; }

pre=AWSLogs/111122223333/elasticloadbalancing/eu-west-1/2025/11/03
s3 mb logs >/dev/null
for f in examples/*; do s3 put logs "$pre/$(basename "$f")" "$f" >/dev/null; done
clb=$(basename examples/*web-clb*)
alb=$(basename examples/111122223333_*app.shop-alb*)
odd="odd dir/a b+c%d=e é 日本/$clb"
s3 put logs "$odd" "examples/$clb" >/dev/null
ship -q examples | jq -r .event.id | sort >"$tmp/local.ids"

# ---- single objects -------------------------------------------------------
ship -q "s3://logs/$pre/$alb" >"$tmp/alb.out" 2>"$tmp/alb.err"
check "one gzip (multi-member) object: exit 0, every line" \
    "[ \$? -eq 0 ] && [ \$(wc -l <$tmp/alb.out) -eq \$(ship -q examples/$alb | wc -l) ]"
check "one object: ids equal those of the local copy" \
    "cmp -s <(jq -r .event.id $tmp/alb.out) <(ship -q examples/$alb | jq -r .event.id)"
check "one object: log.file.path and aws.s3.* name bucket and key" \
    "jq -e 'select(.log.file.path == \"s3://logs/$pre/$alb\" and .aws.s3.bucket.name == \"logs\" and .aws.s3.object.key == \"$pre/$alb\")' $tmp/alb.out >/dev/null"
ship -q "s3://logs/$odd" >"$tmp/odd.out" 2>"$tmp/odd.err"
rc=$?
check "an odd key (space, +, %, =, é, 日本): exit 0 and every line" \
    "[ $rc -eq 0 ] && [ \$(wc -l <$tmp/odd.out) -eq \$(ship -q examples/$clb | wc -l) ]"
check "an odd key: same ids as the local copy (the file name decides)" \
    "cmp -s <(jq -r .event.id $tmp/odd.out) <(ship -q examples/$clb | jq -r .event.id)"

# ---- errors -------------------------------------------------------------------
ship -q "s3://logs/$pre/nope.log" >/dev/null 2>"$tmp/missing.err"
rc=$?
check "a missing object: exit 1, one line saying not found" \
    "[ $rc -eq 1 ] && grep -q 'not found (HTTP 404' $tmp/missing.err"
AWS_SECRET_ACCESS_KEY=wrong-secret ship -q "s3://logs/$pre/$alb" >/dev/null 2>"$tmp/badkey.err"
rc=$?
check "wrong credentials: exit 1, access denied, no secret shown" \
    "[ $rc -eq 1 ] && grep -q 'HTTP 403 SignatureDoesNotMatch' $tmp/badkey.err && ! grep -q 'wrong-secret' $tmp/badkey.err"
env -i PATH="$PATH" HOME="$tmp" AWS_ENDPOINT_URL_S3="$AWS_ENDPOINT_URL_S3" \
    AWS_REGION="${AWS_REGION:-us-east-1}" \
    "$ELBSHIP" ship -q "s3://logs/$pre/$alb" >/dev/null 2>"$tmp/nokey.err"
rc=$?
check "no credentials at all: exit 1, one clear error" \
    "[ $rc -eq 1 ] && grep -q 'no AWS credentials found' $tmp/nokey.err"
env -i PATH="$PATH" HOME="$tmp" AWS_ACCESS_KEY_ID="$AWS_ACCESS_KEY_ID" \
    AWS_SECRET_ACCESS_KEY="$AWS_SECRET_ACCESS_KEY" \
    "$ELBSHIP" ship -q "s3://logs/$pre/$alb" >/dev/null 2>"$tmp/noregion.err"
rc=$?
check "no region: exit 1, one clear error" \
    "[ $rc -eq 1 ] && grep -q 'no AWS region' $tmp/noregion.err"
mkdir -p "$tmp/home/.aws"
printf '[default]\nregion = us-east-1\n[profile logs]\nregion = us-east-1\n' >"$tmp/home/.aws/config"
printf '[logs]\naws_access_key_id = %s\naws_secret_access_key = %s\n' \
    "$AWS_ACCESS_KEY_ID" "$AWS_SECRET_ACCESS_KEY" >"$tmp/home/.aws/credentials"
env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY -u AWS_REGION -u AWS_DEFAULT_REGION \
    HOME="$tmp/home" AWS_PROFILE=logs "$ELBSHIP" ship -q "s3://logs/$pre/$alb" \
    >"$tmp/prof.out" 2>"$tmp/prof.err"
check "credentials and region from an AWS profile (~/.aws/credentials, config)" \
    "[ \$? -eq 0 ] && [ \$(wc -l <$tmp/prof.out) -eq \$(wc -l <$tmp/alb.out) ]"

# ---- prefixes: backfill ------------------------------------------------------------
ship -q "s3://logs/$pre/" | jq -r .event.id | sort >"$tmp/prefix.ids"
check "a prefix: every sample log, ids equal to a local run" "cmp -s $tmp/prefix.ids $tmp/local.ids"
ship -q "s3://logs/AWSLogs/" --lb shop-alb | jq -r .aws.elb.name | sort -u >"$tmp/lb.names"
check "--lb keeps one load balancer's logs (ALB and its connection log)" \
    "[ \"\$(cat $tmp/lb.names)\" = app/shop-alb/1a2b3c4d5e6f7a8b ]"
ship -q "s3://logs/AWSLogs/" --type nlb | jq -r .aws.elb.type | sort -u >"$tmp/t.types"
check "--type nlb keeps NLB logs only" "[ \"\$(cat $tmp/t.types)\" = tls ]"
ship -q "s3://logs/AWSLogs/" --since 2025-01-01 | jq -r .aws.elb.name | sort -u >"$tmp/since.names"
check "--since drops the 2024 Classic log" "! grep -q web-clb $tmp/since.names && [ -s $tmp/since.names ]"
ship -q "s3://logs/AWSLogs/" --until 2025-01-01 | jq -r .log.file.path | sort -u >"$tmp/until.paths"
check "--until keeps only the 2024 Classic log" "[ \"\$(cat $tmp/until.paths)\" = \"s3://logs/$pre/$clb\" ]"
ship -q "s3://logs/nothing-here/" >/dev/null 2>"$tmp/empty.err"
check "an empty prefix says so" "grep -q 'no ELB log files under' $tmp/empty.err"

# 1,100 logs under one prefix: ListObjectsV2 pagination.
mkdir -p "$tmp/many"
line=$(head -n 1 "examples/$clb")
: >"$tmp/many.list"
for i in $(seq -w 1 1100); do
	name=111122223333_elasticloadbalancing_eu-west-1_many-clb_20250101T${i:0:2}${i:2:2}Z_10.0.1.$((10#$i % 250))_r$i.log
	printf '%s\n' "$line" >"$tmp/many/$name"
	printf 'bulk/%s\t%s\n' "$name" "$tmp/many/$name" >>"$tmp/many.list"
done
s3 put-list logs "$tmp/many.list" >/dev/null 2>&1
ship -q --concurrency 8 "s3://logs/bulk/" >"$tmp/many.out" 2>"$tmp/many.err"
check "1,100 objects under a prefix (pagination past 1,000): 1,100 documents" \
    "[ \$(wc -l <$tmp/many.out) -eq 1100 ] && [ \$(jq -r .event.id $tmp/many.out | sort -u | wc -l) -eq 1100 ]"
ship --progress --concurrency 4 "s3://logs/bulk/" >/dev/null 2>"$tmp/progress.err"
check "--progress shows objects, bytes, rate and ETA" \
    "grep -q 'objects, .* MB, .* MB/s, ETA' $tmp/progress.err"
ship "s3://logs/bulk/" >/dev/null 2>"$tmp/noprog.err"
check "no progress when stderr is not a terminal" "! grep -q 'ETA' $tmp/noprog.err"

# ---- a connection cut mid-object: resumed with Range ---------------------------
big=111122223333_elasticloadbalancing_eu-west-1_app.big-alb.0123456789abcdef_20251103T1200Z_10.0.4.19_bigbig01.log.gz
cc -O2 -o "$tmp/gen" bench/gen_alb.c
"$tmp/gen" --bytes 4000000 --seed 9 | gzip -6 >"$tmp/$big"
s3 put logs "big/$big" "$tmp/$big" >/dev/null
python3 "$repo/tests/s3/dropproxy.py" --listen-port 0 --port-file "$tmp/proxy.port" \
    --target "127.0.0.1:$S3RVER_PORT" --drop-after-bytes 300000 --drop-times 2 \
    --match "$big" --log "$tmp/proxy.log" --parent-pid $$ >"$tmp/proxy.out" 2>&1 &
pids+=($!)
wait_file "$tmp/proxy.port"
AWS_ENDPOINT_URL_S3=http://127.0.0.1:$(cat "$tmp/proxy.port") \
    ship -q "s3://logs/big/$big" >"$tmp/big.out" 2>"$tmp/big.err"
rc=$?
ship -q "$tmp/$big" | jq -r .event.id >"$tmp/big.local"
check "cut twice mid-object: exit 0 and every line, in order" \
    "[ $rc -eq 0 ] && cmp -s <(jq -r .event.id $tmp/big.out) $tmp/big.local"
check "the proxy saw Range requests resuming where the cuts were" \
    "[ \$(grep -c '\"range\": *\"bytes=[1-9][0-9]*-\"' $tmp/proxy.log) -ge 2 ]"
check "bytes requested in all: the object once, not restarted" \
    "[ \$(jq -s '[.[] | select(.body_bytes != null) | .body_bytes] | add' $tmp/proxy.log) -le \$(( \$(stat -c %s $tmp/$big) + 1000 )) ]"

# ---- throttling and 5xx: retried with backoff ---------------------------------
start_fault() {	# start_fault NAME ARGS...: sets $fport
	rm -f "$tmp/$1.port"
	python3 "$repo/tests/s3/faultproxy.py" --port-file "$tmp/$1.port" \
	    --target "127.0.0.1:$S3RVER_PORT" --log "$tmp/$1.log" "${@:2}" \
	    >"$tmp/$1.out" 2>&1 &
	pids+=($!)
	wait_file "$tmp/$1.port"
	fport=$(cat "$tmp/$1.port")
}
start_fault slowdown --fail 2 --status 503 --code SlowDown --match "$alb"
AWS_ENDPOINT_URL_S3=http://127.0.0.1:$fport ship -q --retry-initial-ms 20 "s3://logs/$pre/$alb" \
    >"$tmp/sd.out" 2>"$tmp/sd.err"
rc=$?
check "503 SlowDown twice on GetObject: retried, exit 0, every line" \
    "[ $rc -eq 0 ] && cmp -s $tmp/sd.out $tmp/alb.out && [ \$(grep -c '\"status\": 503' $tmp/slowdown.log) -eq 2 ]"
start_fault list500 --fail 2 --status 500 --code InternalError --match 'list-type=2'
AWS_ENDPOINT_URL_S3=http://127.0.0.1:$fport ship -q --retry-initial-ms 20 "s3://logs/$pre/" \
    | jq -r .event.id | sort >"$tmp/l5.ids"
check "500 twice on ListObjectsV2: retried, every object shipped" \
    "cmp -s $tmp/l5.ids $tmp/local.ids"
start_fault hard --fail 100 --status 503 --code SlowDown --match "$alb"
AWS_ENDPOINT_URL_S3=http://127.0.0.1:$fport ship -q --retry-initial-ms 20 "s3://logs/$pre/" \
    >"$tmp/hard.out" 2>"$tmp/hard.err"
rc=$?
check "one object throttled for good: exit 1, the others shipped, the summary names it" \
    "[ $rc -eq 1 ] && grep -q 'gave up after' $tmp/hard.err && grep -q '1 of 4 objects failed' $tmp/hard.err && [ \$(wc -l <$tmp/hard.out) -eq \$(( \$(wc -l <$tmp/local.ids) - \$(wc -l <$tmp/alb.out) )) ]"

# ---- backfill to Elasticsearch, interrupted, resumed with --state -----------------
rm -f "$tmp/es.port"
python3 "$repo/tests/servers/es_server.py" --port 0 --port-file "$tmp/es.port" \
    --slow-first 100000 --slow-ms 40 >"$tmp/es.log" 2>&1 &
pids+=($!)
wait_file "$tmp/es.port"
es=http://127.0.0.1:$(cat "$tmp/es.port")
"$ELBSHIP" ship --es "$es" --state "$tmp/state" --concurrency 4 "s3://logs/bulk/" \
    >/dev/null 2>"$tmp/bf1.err" &
bf=$!
for _ in $(seq 200); do
	[ -f "$tmp/state" ] && [ "$(grep -vc '^#' "$tmp/state")" -ge 100 ] && break
	sleep 0.05
done
kill -INT "$bf"
wait "$bf"
rc=$?
done1=$(grep -vc '^#' "$tmp/state")	# the first line is the format's header
check "interrupted backfill: exit 6 and says how to resume" \
    "[ $rc -eq 6 ] && grep -q 'run the same command again to resume' $tmp/bf1.err"
check "interrupted backfill: some objects recorded, not all ($done1)" \
    "[ $done1 -gt 0 ] && [ $done1 -lt 1100 ]"
ship --es "$es" --state "$tmp/state" --concurrency 4 "s3://logs/bulk/" \
    >/dev/null 2>"$tmp/bf2.err"
rc=$?
check "resumed backfill: exit 0, skipping the objects already done" \
    "[ $rc -eq 0 ] && grep -q \"$done1 objects already done\" $tmp/bf2.err"
curl -s "$es/_test/docs" | jq -r ._id | sort >"$tmp/bf.ids"
check "after the resume the store holds all 1,100 documents, each once" \
    "[ \$(wc -l <$tmp/bf.ids) -eq 1100 ] && [ -z \"\$(uniq -d $tmp/bf.ids)\" ] && cmp -s $tmp/bf.ids <(jq -r .event.id $tmp/many.out | sort)"
check "the state file lists every object once, after its header" \
    "[ \$(grep -v '^#' $tmp/state | sort -u | wc -l) -eq 1100 ] && [ \$(wc -l <$tmp/state) -eq 1101 ] && head -n 1 $tmp/state | grep -q '^# elbship state 2\$'"

finish

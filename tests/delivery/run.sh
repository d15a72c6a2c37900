#!/usr/bin/env bash
# tests/delivery/run.sh: the accounting invariant under every fault.
#
# For each fault the project's Elasticsearch / Logstash test servers can
# inject, ship the same input and prove, line by line, that every input
# document ended in exactly one place: stored by the server, or in the
# dead-letter file, or counted undelivered, and that the summary's counts
# say the same.  Also: auth, secrets never printed, connection reuse.
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

# The input: the samples, a generated ALB file of ~3,000 lines with a few
# malformed lines in it, and a file whose type is sniffed.
mkdir -p "$tmp/in"
cp examples/* "$tmp/in/"
cc -O2 -o "$tmp/gen" bench/gen_alb.c 2>/dev/null || { echo "not ok 1 - build generator"; echo "# 0 passed, 1 failed"; exit 1; }
big=111122223333_elasticloadbalancing_eu-west-1_app.gen-alb.0123456789abcdef_20251103T1100Z_10.0.4.18_9z8y7x6w.log
"$tmp/gen" --bytes 1500000 --seed 7 >"$tmp/in/$big"
sed -i '100s/ 200 / two-hundred /; 1000s/"GET /"GET/; 2000s/^h2 /broken /' "$tmp/in/$big"
gzip -9 "$tmp/in/$big"
"$ELBSHIP" ship -q "$tmp/in" | jq -r '.event.id' | sort >"$tmp/all.ids"
total=$(wc -l <"$tmp/all.ids")
check "input has $total documents, all ids distinct" \
    "[ \"\$(sort -u $tmp/all.ids | wc -l)\" -eq $total ] && [ $total -gt 2000 ]"

# One server of each kind at a time: each case starts its own, and the one
# before it (a Python process holding every document it stored) goes.
declare -A live=()
replace_server() {	# replace_server KIND: stop the running one of KIND
	[ -n "${live[$1]:-}" ] && { kill "${live[$1]}" 2>/dev/null; wait "${live[$1]}" 2>/dev/null; }
	live[$1]=
}
start_es() {	# start_es NAME ARGS...: ES test server, sets $port
	local name=$1
	shift
	replace_server es
	rm -f "$tmp/$name.port"
	python3 "$SERVERS/es_server.py" --port 0 --port-file "$tmp/$name.port" \
	    --seed 3 "$@" >"$tmp/$name.server.log" 2>&1 &
	pids+=($!)
	live[es]=$!
	wait_file "$tmp/$name.port"
	port=$(cat "$tmp/$name.port")
}

count_of() {	# count_of WORD FILE: the number before WORD in the summary
	grep -o "[0-9]\+ $1" "$2" | tail -n 1 | cut -d' ' -f1
}

# run_case NAME "server args" "elbship args" [expect_rc]
run_case() {
	local name=$1 sargs=$2 eargs=$3 want_rc=${4:-0} rc ind dup dl und
	start_es "$name" $sargs
	rm -f "$tmp/$name.dl"
	# shellcheck disable=SC2086
	"$ELBSHIP" ship --es "http://127.0.0.1:$port" --dead-letter "$tmp/$name.dl" \
	    --retry-initial-ms 20 --batch-docs 400 $eargs "$tmp/in" \
	    >"$tmp/$name.out" 2>"$tmp/$name.err"
	rc=$?
	curl -s "http://127.0.0.1:$port/_test/docs" | jq -r '._id' | sort >"$tmp/$name.stored"
	if [ -s "$tmp/$name.dl" ]; then jq -r '.elbship.id' "$tmp/$name.dl" | sort >"$tmp/$name.dlids"; else : >"$tmp/$name.dlids"; fi
	ind=$(count_of indexed "$tmp/$name.err"); dup=$(count_of duplicate "$tmp/$name.err")
	dl=$(count_of dead-lettered "$tmp/$name.err"); und=$(count_of undelivered "$tmp/$name.err")
	check "$name: exit status $want_rc (got $rc)" "[ $rc -eq $want_rc ]"
	check "$name: indexed+duplicate+dead-lettered+undelivered = $total ($ind+$dup+$dl+$und)" \
	    "[ \$((${ind:-0} + ${dup:-0} + ${dl:-0} + ${und:-0})) -eq $total ]"
	check "$name: stored and dead-lettered ids are disjoint" \
	    "[ -z \"\$(comm -12 $tmp/$name.stored $tmp/$name.dlids)\" ]"
	check "$name: no id stored twice or dead-lettered twice" \
	    "[ -z \"\$(uniq -d $tmp/$name.stored)\" ] && [ -z \"\$(uniq -d $tmp/$name.dlids)\" ]"
	sort -m "$tmp/$name.stored" "$tmp/$name.dlids" >"$tmp/$name.settled"
	check "$name: every settled id is an input id" \
	    "[ -z \"\$(comm -23 $tmp/$name.settled $tmp/all.ids)\" ]"
	check "$name: input ids not settled = undelivered (${und:-0})" \
	    "[ \"\$(comm -23 $tmp/all.ids $tmp/$name.settled | wc -l)\" -eq ${und:-0} ]"
	check "$name: dead-letter file has exactly the dead-lettered count" \
	    "[ \"\$(wc -l <$tmp/$name.dlids)\" -eq ${dl:-0} ]"
	check "$name: server saw no protocol violations" \
	    "[ \"\$(curl -s http://127.0.0.1:$port/_test/stats | jq '.violations | length')\" = 0 ]"
}

run_case clean "" ""
check "clean: everything indexed" "[ \$(count_of indexed $tmp/clean.err) -eq $total ]"
check "clean: request bodies were gzip" \
    "[ \"\$(curl -s http://127.0.0.1:$port/_test/stats | jq .gzip_requests)\" -eq \"\$(curl -s http://127.0.0.1:$port/_test/stats | jq .bulk_requests)\" ]"

# The default path: each block compressed where it lies, its action lines
# in the gaps the encoder left (padded with JSON whitespace); without gzip
# the documents are copied into the request and the action lines are tight.
start_es fragments
"$ELBSHIP" ship --es "http://127.0.0.1:$port" "$tmp/in" >/dev/null 2>"$tmp/fragments.err"
check "default ship: every action line written in the encoder's gap (the blocks compressed where they lie), all indexed" \
    "[ \"\$(curl -s http://127.0.0.1:$port/_test/stats | jq .actions_spaced)\" -eq $total ] && [ \$(count_of indexed $tmp/fragments.err) -eq $total ]"
start_es tight
"$ELBSHIP" ship --es "http://127.0.0.1:$port" --no-compress "$tmp/in" >/dev/null 2>"$tmp/tight.err"
check "--no-compress: action lines without padding, all indexed" \
    "[ \"\$(curl -s http://127.0.0.1:$port/_test/stats | jq .actions_spaced)\" -eq 0 ] && [ \$(count_of indexed $tmp/tight.err) -eq $total ]"

start_es one_conn
"$ELBSHIP" ship --es "http://127.0.0.1:$port" --batch-docs 200 --max-inflight 1 \
    "$tmp/in" >/dev/null 2>&1
curl -s "http://127.0.0.1:$port/_test/stats" >"$tmp/one_conn.stats"
# (the stats request itself is the second connection)
check "one request in flight: one keep-alive connection for all requests" \
    "[ \"\$(jq .connections_accepted $tmp/one_conn.stats)\" -eq 2 ] && [ \"\$(jq .bulk_requests $tmp/one_conn.stats)\" -gt 10 ]"
start_es two_conn
"$ELBSHIP" ship --es "http://127.0.0.1:$port" --batch-docs 200 --max-inflight 2 \
    "$tmp/in" >/dev/null 2>&1
curl -s "http://127.0.0.1:$port/_test/stats" >"$tmp/two_conn.stats"
check "two requests in flight: at most two connections for all requests" \
    "[ \"\$(jq .connections_accepted $tmp/two_conn.stats)\" -le 3 ]"

# Re-running the same input against the same store: all duplicates.
"$ELBSHIP" ship --es "http://127.0.0.1:$port" --batch-docs 400 "$tmp/in" >/dev/null 2>"$tmp/rerun.err"
check "rerun: every document counted duplicate, none indexed twice" \
    "[ \$(count_of duplicate $tmp/rerun.err) -eq $total ] && [ \$(count_of indexed $tmp/rerun.err) -eq 0 ]"
check "rerun: the store still holds each id once" \
    "[ \"\$(curl -s http://127.0.0.1:$port/_test/docs | jq -r ._id | sort | uniq -d | wc -l)\" -eq 0 ]"

# Rollover.  Elasticsearch checks a create's _id in the data stream's
# current backing index only: a data stream that rolled over between two
# runs takes the second run's documents again.  Dated indices
# (--es-index 'elb-{type}-{date}') name each document's index after its own
# day, so a re-run at any time meets every first copy.
start_es rollover
"$ELBSHIP" ship -q --es "http://127.0.0.1:$port" "$tmp/in" >/dev/null 2>&1
rolled=0
for t in alb clb nlb albconn unknown; do
	code=$(curl -s -o /dev/null -w '%{http_code}' -XPOST "http://127.0.0.1:$port/logs-elb.$t-default/_rollover")
	[ "$code" = 200 ] && rolled=$((rolled + 1))
done
check "rollover: every data stream elbship wrote rolled over ($rolled)" "[ $rolled -eq 4 ]"
"$ELBSHIP" ship --es "http://127.0.0.1:$port" "$tmp/in" >/dev/null 2>"$tmp/rollover.err"
check "rollover: a re-run after it indexes all $total documents a second time (data streams cannot prevent it)" \
    "[ \$(count_of indexed $tmp/rollover.err) -eq $total ] && [ \"\$(curl -s http://127.0.0.1:$port/_test/docs | jq -r ._id | sort | uniq -d | wc -l)\" -eq $total ]"
start_es dated
"$ELBSHIP" ship --es "http://127.0.0.1:$port" --es-index 'elb-{type}-{date}' "$tmp/in" >/dev/null 2>"$tmp/dated.err"
check "dated: all $total documents indexed" "[ \$(count_of indexed $tmp/dated.err) -eq $total ]"
curl -s "http://127.0.0.1:$port/_test/docs" >"$tmp/dated.docs"
check "dated: each document is in elb-TYPE-YYYY.MM.DD of its own @timestamp" \
    "[ \"\$(jq -r '(._source[\"@timestamp\"][0:10] | gsub(\"-\"; \".\")) as \$d | select((._index | test(\"^elb-(alb|clb|nlb|albconn)-\" + \$d + \"\$\")) | not) | ._id' $tmp/dated.docs | wc -l)\" -eq 0 ] && [ \"\$(wc -l <$tmp/dated.docs)\" -eq $total ]"
"$ELBSHIP" ship --es "http://127.0.0.1:$port" --es-index 'elb-{type}-{date}' "$tmp/in" >/dev/null 2>"$tmp/dated2.err"
check "dated: a re-run (no rollover can happen to a dated index) is all duplicates" \
    "[ \$(count_of duplicate $tmp/dated2.err) -eq $total ] && [ \$(count_of indexed $tmp/dated2.err) -eq 0 ]"
check "dated: the store holds each id once" \
    "[ \"\$(curl -s http://127.0.0.1:$port/_test/docs | jq -r ._id | sort | uniq -d | wc -l)\" -eq 0 ]"

run_case item429 "--item-429-rate 0.3" ""
check "item429: some items were retried" "grep -q '[1-9][0-9]* retried' $tmp/item429.err"
run_case item503 "--item-503-rate 0.2" ""
run_case item400 "--item-400-rate 0.02" ""
check "item400: dead letters carry line, document, status and reason" \
    "jq -e 'select(.elbship.status == 400 and (.elbship.error.reason | length) > 0 and (.event.original | length) > 0 and .document.event.id == .elbship.id)' $tmp/item400.dl >/dev/null"

# Dead letters to an index of the same cluster (the Lambda function's
# default): each record is a create with the document's own id, counted
# dead-lettered only once the cluster confirmed it; 429s on the records are
# retried like any item.
start_es dl_index --item-400-rate 0.02 --item-400-index 'logs-*' --item-429-rate 0.2
"$ELBSHIP" ship --es "http://127.0.0.1:$port" --dead-letter-index elbship-dead-letter \
    --retry-initial-ms 20 --batch-docs 400 "$tmp/in" >/dev/null 2>"$tmp/dl_index.err"
rc=$?
curl -s "http://127.0.0.1:$port/_test/docs" >"$tmp/dl_index.docs"
jq -r 'select(._index != "elbship-dead-letter") | ._id' "$tmp/dl_index.docs" | sort >"$tmp/dl_index.stored"
jq -r 'select(._index == "elbship-dead-letter") | ._id' "$tmp/dl_index.docs" | sort >"$tmp/dl_index.dlids"
dl=$(count_of dead-lettered "$tmp/dl_index.err")
check "dl_index: exit 0, indexed + dead-lettered = $total, none undelivered" \
    "[ $rc -eq 0 ] && [ \$((\$(count_of indexed $tmp/dl_index.err) + ${dl:-0})) -eq $total ] && [ \$(count_of undelivered $tmp/dl_index.err) -eq 0 ]"
check "dl_index: the index holds exactly the dead-lettered count (${dl:-0}), each id once" \
    "[ ${dl:-0} -gt 0 ] && [ \$(wc -l <$tmp/dl_index.dlids) -eq ${dl:-0} ] && [ -z \"\$(uniq -d $tmp/dl_index.dlids)\" ]"
check "dl_index: stored and dead-lettered ids are disjoint and together every input id" \
    "[ -z \"\$(comm -12 $tmp/dl_index.stored $tmp/dl_index.dlids)\" ] && [ \"\$(sort -m $tmp/dl_index.stored $tmp/dl_index.dlids)\" = \"\$(cat $tmp/all.ids)\" ]"
check "dl_index: records carry id, target index, status, reason, line, and the document as a string" \
    "[ \$(jq -c 'select(._index == \"elbship-dead-letter\") | ._source | select(.elbship.status == 400 and (.elbship.index | startswith(\"logs-elb.\")) and (.elbship.error.reason | length) > 0 and (.event.original | length) > 0 and (.document | type) == \"string\" and (.document | fromjson | .event.id) == .elbship.id)' $tmp/dl_index.docs | wc -l) -eq ${dl:-0} ]"
check "dl_index: the summary says where the dead letters are" \
    "grep -q 'dead letters are in the index elbship-dead-letter' $tmp/dl_index.err"
"$ELBSHIP" setup --print | jq -r '."_index_template/elbship-dead-letter".template.mappings.properties
    | paths(objects | has("type")) | map(select(. != "properties")) | join(".")' | sort >"$tmp/dl_mapped"
jq -r 'select(._index == "elbship-dead-letter") | ._source | paths(scalars) | join(".")' \
    "$tmp/dl_index.docs" | sort -u >"$tmp/dl_paths"
check "dl_index: every field of a record is in setup's dead-letter template" \
    "[ -s $tmp/dl_paths ] && [ -z \"\$(comm -23 $tmp/dl_paths $tmp/dl_mapped)\" ]"
"$ELBSHIP" ship --es "http://127.0.0.1:$port" --dead-letter-index elbship-dead-letter \
    --retry-initial-ms 20 --batch-docs 400 "$tmp/in" >/dev/null 2>"$tmp/dl_index2.err"
rc=$?
check "dl_index: a re-run is duplicates and the same dead letters (409 in the index), nothing stored twice" \
    "[ $rc -eq 0 ] && [ \$(count_of duplicate $tmp/dl_index2.err) -eq \$(wc -l <$tmp/dl_index.stored) ] && [ \$(count_of dead-lettered $tmp/dl_index2.err) -eq ${dl:-0} ] && [ \"\$(curl -s http://127.0.0.1:$port/_test/docs | jq -r ._id | sort | uniq -d | wc -l)\" -eq 0 ]"
start_es dl_reject --item-400-rate 0.02
"$ELBSHIP" ship --es "http://127.0.0.1:$port" --dead-letter-index elbship-dead-letter \
    --retry-initial-ms 20 --batch-docs 400 "$tmp/in" >/dev/null 2>"$tmp/dl_reject.err"
rc=$?
check "dl_reject: when the dead-letter index rejects them too, they are undelivered (exit 5, ${dl:-0})" \
    "[ $rc -eq 5 ] && [ \$(count_of undelivered $tmp/dl_reject.err) -eq ${dl:-0} ] && [ \$(count_of dead-lettered $tmp/dl_reject.err) -eq 0 ] && grep -q 'the dead-letter index elbship-dead-letter rejected it too: HTTP 400' $tmp/dl_reject.err"
# A document alone too large for the cluster (413): its record holds the
# line (at most 4096 bytes) and no document, so that it fits.
start_es dl_413 --max-content-length 1800
"$ELBSHIP" ship --es "http://127.0.0.1:$port" --dead-letter-index elbship-dead-letter \
    --retry-initial-ms 20 --batch-docs 20 "$tmp/in" >/dev/null 2>"$tmp/dl_413.err"
rc=$?
curl -s "http://127.0.0.1:$port/_test/docs" >"$tmp/dl_413.docs"
dl=$(count_of dead-lettered "$tmp/dl_413.err")
check "dl_413: exit 0, too-large documents dead-lettered ($dl) as records without the document, the rest indexed" \
    "[ $rc -eq 0 ] && [ ${dl:-0} -gt 0 ] && [ \$((\$(count_of indexed $tmp/dl_413.err) + ${dl:-0})) -eq $total ] && [ \$(jq -c 'select(._index == \"elbship-dead-letter\") | ._source | select(.elbship.status == 413 and .document == null and (.event.original | length) > 0)' $tmp/dl_413.docs | wc -l) -eq ${dl:-0} ]"

# A privilege revoked mid-run (every request after the first: 403): the
# dead letters of the first request, the batches in flight and everything
# read after are all counted, undelivered, and the run fails.
start_es dl_403 --item-400-rate 0.2 --item-400-index 'logs-*' --request-403-after 1
"$ELBSHIP" ship --es "http://127.0.0.1:$port" --dead-letter-index elbship-dead-letter \
    --retry-initial-ms 20 --batch-docs 50 --max-inflight 2 "$tmp/in" >/dev/null 2>"$tmp/dl_403.err"
rc=$?
docs=$(grep -o '[0-9]* documents (' "$tmp/dl_403.err" | cut -d' ' -f1)
check "dl_403: exit 5; indexed + dead-lettered + undelivered = the $docs documents read" \
    "[ $rc -eq 5 ] && [ \$((\$(count_of indexed $tmp/dl_403.err) + \$(count_of dead-lettered $tmp/dl_403.err) + \$(count_of undelivered $tmp/dl_403.err))) -eq ${docs:-0} ] && grep -q 'does not allow this user to write there (HTTP 403)' $tmp/dl_403.err"
run_case req429 "--request-429-first 2" ""
run_case req503 "--request-503-first 2" ""
run_case too_large "--max-content-length 60000" ""
check "too_large: batches were split (more requests than batches)" \
    "grep -q '413' $tmp/too_large.server.log || [ \"\$(curl -s http://127.0.0.1:$port/_test/stats | jq '.bulk_responses_by_status[\"413\"] // 0')\" -gt 0 ]"
run_case reset_request "--reset-mid-request 2" ""
run_case reset_response "--reset-mid-response 2" ""
check "reset_response: documents stored before the reset came back as duplicates" \
    "[ \$(count_of duplicate $tmp/reset_response.err) -gt 0 ]"
run_case slow "--slow-first 1 --slow-ms 2500" "--timeout 1"
run_case down_at_start "--down-for-ms 1500" ""
run_case budget "--item-429-rate 1.0" "--retry-attempts 3" 5
check "budget: everything undelivered, exit 5, and the summary says so" \
    "[ \$(count_of undelivered $tmp/budget.err) -eq $total ]"

# Authentication, and secrets never printed.
secret=s3cr3t-pa55word-xyz
start_es auth_basic --auth "basic:elastic:$secret"
ELBSHIP_ES_PASSWORD=$secret "$ELBSHIP" ship --es "http://127.0.0.1:$port" \
    --es-user elastic "$tmp/in" >"$tmp/ab.out" 2>"$tmp/ab.err"
check "basic auth: delivered" "[ \$(count_of indexed $tmp/ab.err) -eq $total ]"
ELBSHIP_ES_PASSWORD=wrong-$secret "$ELBSHIP" ship --es "http://127.0.0.1:$port" \
    --es-user elastic "$tmp/in" >"$tmp/ab2.out" 2>"$tmp/ab2.err"
rc=$?
check "basic auth, wrong password: exit 5, one clear message" \
    "[ $rc -eq 5 ] && grep -q 'rejected the credentials (HTTP 401)' $tmp/ab2.err"
printf '%s\n' "$secret" >"$tmp/pw"
"$ELBSHIP" ship --es "http://127.0.0.1:$port" --es-user elastic \
    --es-password-file "$tmp/pw" "$tmp/in" >/dev/null 2>"$tmp/ab3.err"
check "basic auth from --es-password-file" "[ \$(count_of indexed $tmp/ab3.err) -eq 0 ] && [ \$(count_of duplicate $tmp/ab3.err) -eq $total ]"
key=$(printf 'id1:apikeysecret-xyz' | base64)
start_es auth_key --auth "apikey:$key"
ELBSHIP_ES_API_KEY=$key "$ELBSHIP" ship --es "http://127.0.0.1:$port" "$tmp/in" \
    >/dev/null 2>"$tmp/ak.err"
check "API key: delivered" "[ \$(count_of indexed $tmp/ak.err) -eq $total ]"
check "no secret in any output or log" \
    "! grep -rq -e '$secret' -e '$key' -e apikeysecret $tmp/*.err $tmp/*.out"
start_es auth_sigv4 --auth "sigv4:AKIDTEST0001:sigv4secret-xyz:eu-west-1:es"
AWS_ACCESS_KEY_ID=AKIDTEST0001 AWS_SECRET_ACCESS_KEY=sigv4secret-xyz AWS_REGION=eu-west-1 \
    "$ELBSHIP" ship --es "http://127.0.0.1:$port" --es-aws-sigv4 es "$tmp/in" >/dev/null 2>"$tmp/sv.err"
check "SigV4 (es): delivered" "[ \$(count_of indexed $tmp/sv.err) -eq $total ]"
start_es auth_aoss --auth "sigv4:AKIDTEST0001:sigv4secret-xyz:eu-west-1:aoss"
AWS_ACCESS_KEY_ID=AKIDTEST0001 AWS_SECRET_ACCESS_KEY=sigv4secret-xyz AWS_REGION=eu-west-1 \
    AWS_SESSION_TOKEN=tok-123 "$ELBSHIP" ship --es "http://127.0.0.1:$port" \
    --es-aws-sigv4 aoss "$tmp/in" >/dev/null 2>"$tmp/so.err"
check "SigV4 (aoss, with session token): delivered" "[ \$(count_of indexed $tmp/so.err) -eq $total ]"
check "SigV4: no secret in any output" "! grep -q sigv4secret $tmp/sv.err $tmp/so.err"
"$ELBSHIP" ship --es "http://user:pw@127.0.0.1:$port" "$tmp/in" >/dev/null 2>"$tmp/url.err"
rc=$?
check "credentials in the URL are refused (exit 2)" "[ $rc -eq 2 ] && ! grep -q ':pw@' $tmp/url.err"

# Secrets from AWS Secrets Manager and SSM Parameter Store (SigV4 checked).
start_secrets() {	# start_secrets SERVICE NAME=VALUE
	replace_server secrets
	rm -f "$tmp/sec.port"
	python3 "$SERVERS/secrets_server.py" --port 0 --port-file "$tmp/sec.port" \
	    --service "$1" --auth AKIDTEST0002:secrets-key-xyz:eu-west-1 --secret "$2" \
	    >"$tmp/sec.log" 2>&1 &
	pids+=($!)
	live[secrets]=$!
	wait_file "$tmp/sec.port"
	sec=http://127.0.0.1:$(cat "$tmp/sec.port")
}
smarn=arn:aws:secretsmanager:eu-west-1:111122223333:secret:es-creds-AbCdEf
start_secrets secretsmanager "$smarn={\"password\":\"$secret\"}"
start_es auth_sm --auth "basic:elastic:$secret"
AWS_ENDPOINT_URL_SECRETS_MANAGER=$sec AWS_ACCESS_KEY_ID=AKIDTEST0002 \
    AWS_SECRET_ACCESS_KEY=secrets-key-xyz AWS_REGION=eu-west-1 \
    "$ELBSHIP" ship --es "http://127.0.0.1:$port" --es-user elastic \
    --es-password-secret "$smarn#password" "$tmp/in" >/dev/null 2>"$tmp/sm.err"
check "password from Secrets Manager (a key of a JSON secret): delivered" \
    "[ \$(count_of indexed $tmp/sm.err) -eq $total ]"
AWS_ENDPOINT_URL_SECRETS_MANAGER=$sec AWS_ACCESS_KEY_ID=AKIDTEST0002 \
    AWS_SECRET_ACCESS_KEY=wrong AWS_REGION=eu-west-1 \
    "$ELBSHIP" ship --es "http://127.0.0.1:$port" --es-user elastic \
    --es-password-secret "$smarn#password" "$tmp/in" >/dev/null 2>"$tmp/sm2.err"
rc=$?
check "Secrets Manager refuses the signature: exit 2, one line naming the secret" \
    "[ $rc -eq 2 ] && [ \$(wc -l <$tmp/sm2.err) -eq 1 ] && grep -q 'InvalidSignatureException' $tmp/sm2.err"
ssmarn=arn:aws:ssm:eu-west-1:111122223333:parameter/elbship/es-api-key
start_secrets ssm "$ssmarn=$key"
start_es auth_ssm --auth "apikey:$key"
AWS_ENDPOINT_URL_SSM=$sec AWS_ACCESS_KEY_ID=AKIDTEST0002 \
    AWS_SECRET_ACCESS_KEY=secrets-key-xyz AWS_REGION=eu-west-1 \
    "$ELBSHIP" ship --es "http://127.0.0.1:$port" --es-api-key-secret "$ssmarn" \
    "$tmp/in" >/dev/null 2>"$tmp/ssm.err"
check "API key from SSM Parameter Store (SecureString, decrypted): delivered" \
    "[ \$(count_of indexed $tmp/ssm.err) -eq $total ]"
check "no secret from Secrets Manager or SSM in any output" \
    "! grep -q -e '$secret' -e apikeysecret $tmp/sm.err $tmp/sm2.err $tmp/ssm.err"

# TLS: verification on by default, a custom CA, mutual TLS, the one flag
# that turns verification off; the same for Logstash's tcp input (tls://).
mkdir -p "$tmp/pki"
(
	cd "$tmp/pki" || exit 1
	openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 2 \
	    -subj /CN=elbship-test-ca 2>/dev/null
	for who in server client; do
		openssl req -newkey rsa:2048 -nodes -keyout $who.key -out $who.csr \
		    -subj /CN=$who 2>/dev/null
		printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' >$who.ext
		openssl x509 -req -in $who.csr -CA ca.pem -CAkey ca.key -CAcreateserial \
		    -out $who.pem -days 2 -extfile $who.ext 2>/dev/null
	done
)
start_es tls --tls-cert "$tmp/pki/server.pem" --tls-key "$tmp/pki/server.key"
"$ELBSHIP" ship --es "https://127.0.0.1:$port" --retry-attempts 1 "$tmp/in" \
    >/dev/null 2>"$tmp/tls0.err"
rc=$?
check "TLS: an unknown CA is refused (verification is on), exit 5" \
    "[ $rc -eq 5 ] && grep -qi 'certificate' $tmp/tls0.err"
"$ELBSHIP" ship --es "https://127.0.0.1:$port" --es-ca "$tmp/pki/ca.pem" "$tmp/in" \
    >/dev/null 2>"$tmp/tls1.err"
check "TLS with --es-ca: delivered" "[ \$(count_of indexed $tmp/tls1.err) -eq $total ]"
"$ELBSHIP" ship --es "https://127.0.0.1:$port" --insecure-skip-tls-verify "$tmp/in" \
    >/dev/null 2>"$tmp/tls2.err"
check "TLS with --insecure-skip-tls-verify: delivered (all duplicates now)" \
    "[ \$(count_of duplicate $tmp/tls2.err) -eq $total ]"
start_es mtls --tls-cert "$tmp/pki/server.pem" --tls-key "$tmp/pki/server.key" \
    --client-ca "$tmp/pki/ca.pem"
"$ELBSHIP" ship --es "https://127.0.0.1:$port" --es-ca "$tmp/pki/ca.pem" \
    --retry-attempts 1 "$tmp/in" >/dev/null 2>"$tmp/mtls0.err"
rc=$?
check "mutual TLS without a client certificate: refused, exit 5" "[ $rc -eq 5 ]"
"$ELBSHIP" ship --es "https://127.0.0.1:$port" --es-ca "$tmp/pki/ca.pem" \
    --es-cert "$tmp/pki/client.pem" --es-key "$tmp/pki/client.key" "$tmp/in" \
    >/dev/null 2>"$tmp/mtls1.err"
check "mutual TLS with --es-cert/--es-key: delivered" \
    "[ \$(count_of indexed $tmp/mtls1.err) -eq $total ]"
"$ELBSHIP" ship --es "https://127.0.0.1:$port" --es-cert "$tmp/pki/client.pem" \
    "$tmp/in" >/dev/null 2>"$tmp/mtls2.err"
rc=$?
check "a client certificate without its key: exit 2, one line" \
    "[ $rc -eq 2 ] && [ \$(wc -l <$tmp/mtls2.err) -eq 1 ]"

# Logstash http input: acknowledged, exact accounting.
start_ls() {
	local name=$1
	shift
	replace_server ls
	rm -f "$tmp/$name.port" "$tmp/$name.cport"
	python3 "$SERVERS/logstash_server.py" --port 0 --port-file "$tmp/$name.port" \
	    --seed 3 "$@" >"$tmp/$name.server.log" 2>&1 &
	pids+=($!)
	live[ls]=$!
	wait_file "$tmp/$name.port"
	port=$(cat "$tmp/$name.port")
}
for c in "clean:" "r429:--429-rate 0.3" "r503:--503-first 2" "reset:--reset-mid-response 2"; do
	name=ls_${c%%:*}
	start_ls "$name" --mode http ${c#*:}
	"$ELBSHIP" ship --logstash "http://127.0.0.1:$port" --retry-initial-ms 20 \
	    --batch-docs 400 "$tmp/in" >/dev/null 2>"$tmp/$name.err"
	rc=$?
	curl -s "http://127.0.0.1:$port/_test/events" | jq -r '.event.id' | sort >"$tmp/$name.ids"
	check "$name: exit 0 and $total indexed" "[ $rc -eq 0 ] && [ \$(count_of indexed $tmp/$name.err) -eq $total ]"
	check "$name: every input document reached Logstash" \
	    "[ -z \"\$(comm -23 $tmp/all.ids $(printf %q "$tmp/$name.ids"))\" ]"
done

# Logstash tcp input over TLS (tls://).
start_ls ls_tls --mode tcp --control-port-file "$tmp/ls_tls.cport" \
    --tls-cert "$tmp/pki/server.pem" --tls-key "$tmp/pki/server.key"
wait_file "$tmp/ls_tls.cport"
"$ELBSHIP" ship --logstash "tls://127.0.0.1:$port" --es-ca "$tmp/pki/ca.pem" "$tmp/in" \
    >/dev/null 2>"$tmp/ls_tls.err"
rc=$?
curl -s "http://127.0.0.1:$(cat "$tmp/ls_tls.cport")/_test/events" | jq -r '.event.id' | sort -u >"$tmp/ls_tls.ids"
check "logstash tls://: exit 0 and every document arrived" \
    "[ $rc -eq 0 ] && [ -z \"\$(comm -23 $tmp/all.ids $tmp/ls_tls.ids)\" ]"

# Logstash tcp input: at least once, reconnects.
start_ls ls_tcp --mode tcp --control-port-file "$tmp/ls_tcp.cport" --close-after-lines 1000
wait_file "$tmp/ls_tcp.cport"
"$ELBSHIP" ship --logstash "tcp://127.0.0.1:$port" --retry-initial-ms 20 "$tmp/in" \
    >/dev/null 2>"$tmp/ls_tcp.err"
rc=$?
curl -s "http://127.0.0.1:$(cat "$tmp/ls_tcp.cport")/_test/events" | jq -r '.event.id' | sort -u >"$tmp/ls_tcp.ids"
# (The summary also counts what was re-sent after the break: how much
# depends on when the break is seen, mid-stream or at the end.)
check "logstash tcp: exit 0, $total sent, some re-sent, summary says no acknowledgements" \
    "[ $rc -eq 0 ] && [ \$(count_of sent, $tmp/ls_tcp.err) -eq $total ] && [ \$(count_of re-sent $tmp/ls_tcp.err) -gt 0 ] && grep -q 'no acknowledgements' $tmp/ls_tcp.err"
check "logstash tcp: every document arrived (the peer closed once mid-stream)" \
    "[ -z \"\$(comm -23 $tmp/all.ids $tmp/ls_tcp.ids)\" ]"

# The peer closes (and drops what it read past its limit) after the last
# batch and before elbship's end of stream (stdin stays open a second):
# the end-of-stream check sees the close, over TLS too (where unread session
# tickets hide the EOF from a peek), and sends the window again.
for mode in tcp tls; do
	name=ls_end_$mode
	if [ $mode = tls ]; then
		start_ls "$name" --mode tcp --control-port-file "$tmp/$name.cport" \
		    --close-after-lines $((total - 3)) \
		    --tls-cert "$tmp/pki/server.pem" --tls-key "$tmp/pki/server.key"
	else
		start_ls "$name" --mode tcp --control-port-file "$tmp/$name.cport" \
		    --close-after-lines $((total - 3))
	fi
	wait_file "$tmp/$name.cport"
	sleep 1 | "$ELBSHIP" ship --logstash "$mode://127.0.0.1:$port" --es-ca "$tmp/pki/ca.pem" \
	    --retry-initial-ms 20 --name stdin-held-open.log "$tmp/in" - >/dev/null 2>"$tmp/$name.err"
	rc=$?
	curl -s "http://127.0.0.1:$(cat "$tmp/$name.cport")/_test/events" | jq -r '.event.id' | sort -u >"$tmp/$name.ids"
	check "logstash $mode://, peer closes before the end of stream: exit 0, the window re-sent, every document arrived" \
	    "[ $rc -eq 0 ] && [ \$(count_of re-sent $tmp/$name.err) -gt 0 ] && [ -z \"\$(comm -23 $tmp/all.ids $tmp/$name.ids)\" ]"
done

# A wrong URL fails loudly (exit 5, like 401/403): a path the cluster has no
# handler for (GET / is checked before the first request), what a proxy or
# another service answers (404, 405, 407, a redirect), or a _bulk answer
# that is not one.  Nothing is dead-lettered, the message names the URL and
# the status.
wrong_url() {	# wrong_url NAME URL_SUFFIX WANT_REGEX (after the URL) [server args...]
	local name=$1 suffix=$2 want=$3 rc
	shift 3
	start_es "$name" "$@"
	rm -f "$tmp/$name.dl"
	"$ELBSHIP" ship --es "http://127.0.0.1:$port$suffix" --dead-letter "$tmp/$name.dl" \
	    --retry-initial-ms 20 "$tmp/in" >/dev/null 2>"$tmp/$name.err"
	rc=$?
	check "$name: exit 5, nothing dead-lettered or stored, the message names the URL and the status" \
	    "[ $rc -eq 5 ] && [ ! -e $tmp/$name.dl ] && [ \$(count_of dead-lettered $tmp/$name.err) -eq 0 ] && [ \$(count_of indexed $tmp/$name.err) -eq 0 ] && [ -z \"\$(curl -s http://127.0.0.1:$port/_test/docs)\" ] && grep -Eq \"http://127.0.0.1:$port$suffix/$want\" $tmp/$name.err"
}
wrong_url url_path /es/prod ' answered GET with HTTP 400: no handler found for uri \[/es/prod/\]'
wrong_url url_404 "" ' answered GET with HTTP 404' --answer-all 404
wrong_url url_405 "" ' answered GET with HTTP 405' --answer-all 405
wrong_url url_407 "" ' answered GET with HTTP 407' --answer-all 407
wrong_url url_301 "" ' answered GET with HTTP 301, a redirect to https://127.0.0.1:[0-9]+/' --answer-all 301
wrong_url url_308 "" ' answered GET with HTTP 308, a redirect to https://' --answer-all 308
wrong_url url_bulk404 "" '_bulk answered HTTP 404' --answer-bulk 404
wrong_url url_bulk200 "" '_bulk answered HTTP 200 with a body that is not JSON' --answer-bulk 200

# 413 splits are not retries: every document needs exactly two sends (its
# first attempt is a 429), and --retry-attempts 2 allows exactly that,
# however many times its batch was split before.
run_case split_attempts "--max-content-length 60000 --item-429-first 1" "--retry-attempts 2"
check "split_attempts: batches were split, every document indexed after one retry" \
    "[ \"\$(curl -s http://127.0.0.1:$port/_test/stats | jq '.bulk_responses_by_status[\"413\"] // 0')\" -gt 0 ] && [ \$(count_of indexed $tmp/split_attempts.err) -eq $total ] && grep -q \"$total retried\" $tmp/split_attempts.err"

# Memory stays bounded while the sink fails: documents waiting for a retry
# hold back reading.  Peak RSS under 64 MB for 120,000 lines against an
# absent sink, a 429 storm and 413 splits (a release build; under the
# sanitizers only completion is checked).
mem=111122223333_elasticloadbalancing_eu-west-1_app.mem-alb.0123456789abcdef_20251103T1100Z_10.0.4.18_1a2b3c4d.log
mkdir -p "$tmp/mem"
"$tmp/gen" --lines 120000 --seed 11 >"$tmp/mem/$mem"
# The release build where there is one (the suite itself runs the sanitizer
# build): peak RSS is what a user gets only without the sanitizers' shadow
# memory, and 120,000 lines through the retries take minutes under them.
MEMBIN=$ELBSHIP
[ -x build/release/elbship ] && MEMBIN=$(realpath build/release/elbship)
sanitized=0
ldd "$MEMBIN" 2>/dev/null | grep -q -e libasan -e libubsan && sanitized=1
peak_ok() {	# peak_ok FILE: "Maximum resident set size" under 64 MB, or sanitized
	local kb
	kb=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$1")
	echo "# $(basename "$1" .time): peak RSS ${kb:-?} kB"
	[ $sanitized -eq 1 ] || [ "${kb:-999999}" -lt 65536 ]
}
mem_case() {	# mem_case NAME URL LINES WANT_RC "elbship args"
	local name=$1 url=$2 lines=$3 want=$4 rc
	mkdir -p "$tmp/$name.in"
	head -n "$lines" "$tmp/mem/$mem" >"$tmp/$name.in/$mem"
	# shellcheck disable=SC2086
	/usr/bin/time -v -o "$tmp/$name.time" "$MEMBIN" ship --es "$url" --retry-initial-ms 20 $5 \
	    "$tmp/$name.in/$mem" >/dev/null 2>"$tmp/$name.err"
	rc=$?
	check "$name: exit $want, every document accounted for, peak RSS under 64 MB" \
	    "[ $rc -eq $want ] && [ \$((\$(count_of indexed $tmp/$name.err) + \$(count_of undelivered $tmp/$name.err))) -eq $lines ] && peak_ok $tmp/$name.time"
	rm -rf "$tmp/$name.in"
}
mem_case mem_absent http://127.0.0.1:9 120000 5 "--retry-time 0.5"
check "mem_absent: all undelivered, the cause says connection refused" \
    "[ \$(count_of undelivered $tmp/mem_absent.err) -eq 120000 ] && grep -q 'undelivered because: .*127.0.0.1 port 9' $tmp/mem_absent.err"
start_es mem_413 --max-content-length 1000000
mem_case mem_413 "http://127.0.0.1:$port" 120000 0 ""
# Every item refused three times (429) before it is taken: the whole input
# waits for retries, three rounds over (a random rate would leave a long
# tail of 30-second backoffs for the unluckiest items).
start_es mem_429 --item-429-first 3
mem_case mem_429 "http://127.0.0.1:$port" 60000 0 "--retry-attempts 40"
replace_server es

# Ctrl-C while put() waits for memory during an outage: the run stops in
# seconds (not --retry-time), exit 6, every document read is accounted for.
mkdir -p "$tmp/int"
cp "$tmp/mem/$mem" "$tmp/int/"
"$ELBSHIP" ship --es http://127.0.0.1:9 --retry-time 300 "$tmp/int/$mem" >/dev/null 2>"$tmp/int.err" &
ipid=$!
sleep 3
kill -INT $ipid
t0=$(date +%s)
wait $ipid
rc=$?
t1=$(date +%s)
docs=$(grep -o '[0-9]* documents (' "$tmp/int.err" | cut -d' ' -f1)
check "interrupted during an outage: exit 6 within 10 s, indexed + undelivered = the ${docs:-?} documents read" \
    "[ $rc -eq 6 ] && [ $((t1 - t0)) -le 10 ] && [ \$((\$(count_of indexed $tmp/int.err) + \$(count_of undelivered $tmp/int.err))) -eq ${docs:-0} ] && [ ${docs:-0} -gt 0 ]"

finish

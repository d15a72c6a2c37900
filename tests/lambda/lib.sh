# tests/lambda/lib.sh: what the Lambda suites share; source it from a suite
# in tests/lambda/ (it changes to the repository root).
#
# Starts s3rver (signature checking on) with the sample logs under
# s3://logs/$prefix/ (and one odd key, $oddkey), sources tests/lib/tap.sh,
# and defines:
#   $alb $clb $nlb $conn      the sample file names; $n_alb ... their lines
#   start_es [ARGS...]        the Elasticsearch test server; sets $es
#   stored                    the stored document ids, sorted
#   s3event KEY...            an S3 notification, one record per key
#   sqsrec ID BODY, sqsevent REC...   an SQS message, an SQS event
#   ebevent, snsenv, snsdirect        EventBridge and SNS envelopes
#   run_function EVENTS RESULTS [runtime_api args] -- [env...]
#                             the real bootstrap against runtime_api.py until
#                             every event is answered (or either one exits);
#                             its stdout in $tmp/fn.out, stderr $tmp/fn.err
#   result INDEX FILE         the result line of invocation INDEX
# Every process started goes in $pids and is ended at exit.
set -u
cd "$(dirname "$0")/../.."
# repo, ELBSHIP, tmp, pids, the TAP helpers, s3rver and s3 (tests/lib/s3suite.sh)
. tests/lib/s3suite.sh

# ---- s3rver with the sample logs --------------------------------------------
prefix=AWSLogs/111122223333/elasticloadbalancing/eu-west-1/2025/11/03
s3 mb logs >/dev/null
for f in examples/*; do s3 put logs "$prefix/$(basename "$f")" "$f" >/dev/null; done
clb=$(basename examples/*web-clb*)
alb=$(basename examples/111122223333_*app.shop-alb*)
nlb=$(basename examples/*net.edge-nlb*)
conn=$(basename examples/conn_log*)
oddkey="odd dir/é+ünï=%/$clb"
s3 put logs "$oddkey" "examples/$clb" >/dev/null
check "sample logs uploaded to s3rver" "[ \$(s3 ls logs | wc -l) -ge 5 ]"
lines() { "$ELBSHIP" ship -q "examples/$1" | wc -l; }
n_alb=$(lines "$alb"); n_clb=$(lines "$clb"); n_nlb=$(lines "$nlb"); n_conn=$(lines "$conn")

# ---- Elasticsearch test server ---------------------------------------------
start_es() {
	rm -f "$tmp/es.port"
	python3 "$repo/tests/servers/es_server.py" --port 0 --port-file "$tmp/es.port" "$@" \
	    >"$tmp/es.log" 2>&1 &
	pids+=($!)
	wait_file "$tmp/es.port"
	es=http://127.0.0.1:$(cat "$tmp/es.port")
}
stored() { curl -s "$es/_test/docs" | jq -r ._id | sort; }

# ---- events ---------------------------------------------------------------------
form() { python3 -c 'import sys,urllib.parse; print(urllib.parse.quote_plus(sys.argv[1], safe="/"))' "$1"; }
s3rec() {	# s3rec KEY [eventName]: one S3 notification record
	jq -cn --arg k "$(form "$1")" --arg e "${2:-ObjectCreated:Put}" \
	    '{eventVersion:"2.1",eventSource:"aws:s3",awsRegion:"us-east-1",eventTime:"2025-11-03T10:21:07.512Z",eventName:$e,s3:{s3SchemaVersion:"1.0",configurationId:"elb",bucket:{name:"logs",arn:"arn:aws:s3:::logs"},object:{key:$k,size:100,eTag:"x",sequencer:"01"}}}'
}
s3event() {	# s3event KEY...: an S3 notification with one record per key
	local recs=()
	for k in "$@"; do recs+=("$(s3rec "$k")"); done
	printf '%s\n' "${recs[@]}" | jq -cs '{Records:.}'
}
ebevent() {	# ebevent KEY: EventBridge Object Created (key as is)
	jq -cn --arg k "$1" '{version:"0",id:"e1","detail-type":"Object Created",source:"aws.s3",account:"111122223333",time:"2025-11-03T10:21:07Z",region:"us-east-1",resources:["arn:aws:s3:::logs"],detail:{version:"0",bucket:{name:"logs"},object:{key:$k,size:100,etag:"x"},reason:"PutObject"}}'
}
snsenv() {	# snsenv JSON: the SNS HTTP/SQS envelope around a message
	jq -cn --arg m "$1" '{Type:"Notification",MessageId:"m1",TopicArn:"arn:aws:sns:us-east-1:1:t",Subject:"Amazon S3 Notification",Message:$m,Timestamp:"2025-11-03T10:21:08Z",SignatureVersion:"1",Signature:"x",SigningCertURL:"https://x",UnsubscribeURL:"https://x"}'
}
sqsrec() {	# sqsrec ID BODY
	jq -cn --arg id "$1" --arg b "$2" '{messageId:$id,receiptHandle:"rh",body:$b,attributes:{ApproximateReceiveCount:"1"},messageAttributes:{},md5OfBody:"x",eventSource:"aws:sqs",eventSourceARN:"arn:aws:sqs:us-east-1:1:q",awsRegion:"us-east-1"}'
}
sqsevent() { printf '%s\n' "$@" | jq -cs '{Records:.}'; }
snsdirect() {
	jq -cn --arg m "$1" '{Records:[{EventSource:"aws:sns",EventVersion:"1.0",EventSubscriptionArn:"arn:x",Sns:{Type:"Notification",MessageId:"m2",Message:$m,SigningCertUrl:"https://x",UnsubscribeUrl:"https://x"}}]}'
}

# ---- running the function ------------------------------------------------------
mkdir -p "$tmp/task"
cp "$ELBSHIP" "$tmp/task/bootstrap"
run_function() {	# run_function EVENTS RESULTS [runtime args] -- [env...]
	local events=$1 results=$2
	shift 2
	local rargs=() envs=()
	while [ $# -gt 0 ] && [ "$1" != -- ]; do rargs+=("$1"); shift; done
	[ "${1:-}" = -- ] && shift
	envs=("$@")
	rm -f "$tmp/rt.port"
	python3 "$repo/tests/servers/runtime_api.py" --port 0 --port-file "$tmp/rt.port" \
	    --events "$events" --results "$results" --exit-after-all \
	    --deadline-ms 60000 \
	    --stats-file "$results.stats" "${rargs[@]}" \
	    >"$tmp/rt.log" 2>&1 &
	local rt=$!
	pids+=($rt)
	wait_file "$tmp/rt.port"
	env -i PATH=/usr/bin:/bin HOME="$tmp" TZ=UTC \
	    AWS_LAMBDA_RUNTIME_API="127.0.0.1:$(cat "$tmp/rt.port")" \
	    AWS_LAMBDA_FUNCTION_NAME=elbship-test AWS_REGION=us-east-1 \
	    AWS_ACCESS_KEY_ID="$AWS_ACCESS_KEY_ID" AWS_SECRET_ACCESS_KEY="$AWS_SECRET_ACCESS_KEY" \
	    AWS_SESSION_TOKEN= AWS_ENDPOINT_URL_S3="$AWS_ENDPOINT_URL_S3" \
	    ELBSHIP_ES_URL="$es" ELBSHIP_RETRY_INITIAL_MS=20 \
	    ELBSHIP_DEAD_LETTER_FILE="$tmp/dl.ndjson" "${envs[@]}" \
	    "$tmp/task/bootstrap" >"$tmp/fn.out" 2>"$tmp/fn.err" &
	fn=$!
	pids+=($fn)
	# Until the server has served everything (and exited) or the
	# function has exited (start-up errors).
	local i
	for i in $(seq 6000); do	# 5 minutes at most
		kill -0 "$rt" 2>/dev/null && kill -0 "$fn" 2>/dev/null || break
		sleep 0.05
	done
	sleep 0.2
	kill "$fn" "$rt" 2>/dev/null
	wait "$fn" "$rt" 2>/dev/null
}
result() { sed -n "$(($1 + 1))p" "$2"; }	# result INDEX FILE

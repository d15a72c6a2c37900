#!/usr/bin/env bash
# tests/servers/selftest.sh: self-test of the elbship test servers
# (es_server.py, logstash_server.py, sigv4.py, hang_server.py).
#
# Starts each server on a free port (--port 0 --port-file), exercises every
# endpoint and every fault with curl and tclient.py, and checks the answers.
# TAP output ("ok N - ...", "not ok N - ..."), then "# N passed, M failed";
# exits non-zero if anything failed.  Needs bash, curl, python3, openssl.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
PY=/usr/bin/python3
[ -x "$PY" ] || PY=$(command -v python3)
if ! command -v curl >/dev/null 2>&1; then	# installed by ./dev.sh test, not here
	echo "not ok 1 - curl is needed (./dev.sh test installs it)"
	echo "# 0 passed, 1 failed"
	exit 1
fi
T=$(mktemp -d /tmp/elbship-servers.XXXXXX)
PIDS=()
cleanup() {
	local p
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT

n=0 passed=0 failed=0
ok() { n=$((n + 1)); passed=$((passed + 1)); echo "ok $n - $1"; }
nok() {
	n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"
	[ $# -gt 1 ] && printf '#   %s\n' "${2:0:1500}"
	return 0
}
is() { if [ "$2" = "$3" ]; then ok "$1"; else nok "$1" "got [$2] want [$3]"; fi; }
has() { case "$2" in *"$3"*) ok "$1" ;; *) nok "$1" "[$3] not in [${2:0:800}]" ;; esac; }
lacks() { case "$2" in *"$3"*) nok "$1" "[$3] found in [${2:0:800}]" ;; *) ok "$1" ;; esac; }

# J EXPR / NJ EXPR: JSON / NJSON on stdin as `d`, print the Python EXPR
# (strings as they are, anything else as JSON).  python3 -S -E: fast start.
JPY='import json, sys
def out(v): print(v if isinstance(v, str) else json.dumps(v))
try:
    text = sys.stdin.read()
    d = [json.loads(l) for l in text.splitlines() if l.strip()] \
        if sys.argv[2] == "nd" else json.loads(text)
except ValueError:
    print("<not JSON>")
    sys.exit(0)
out(eval(sys.argv[1]))'
J() { "$PY" -S -E -c "$JPY" "$1" js; }
NJ() { "$PY" -S -E -c "$JPY" "$1" nd; }
TC() { "$PY" "$HERE/tclient.py" "$@"; }

# start VAR SCRIPT ARGS...: start a server; $VAR = port, ${VAR}_PID = pid
start() {
	local var=$1 script=$2 pf i
	shift 2
	pf="$T/$var.port"
	"$PY" "$HERE/$script" --port 0 --port-file "$pf" "$@" >"$T/$var.log" 2>&1 &
	PIDS+=("$!")
	printf -v "${var}_PID" '%s' "$!"
	for i in $(seq 150); do [ -s "$pf" ] && break; sleep 0.02; done
	printf -v "$var" '%s' "$(cat "$pf" 2>/dev/null)"
	[ -n "${!var}" ] || { echo "# $script did not start:"; sed 's/^/#   /' "$T/$var.log"; }
}
U() { echo "http://127.0.0.1:$1$2"; }
C() { curl -s --max-time 5 "$@"; }
code() { curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$@"; }
bulk() { # bulk PORT PATH FILE [curl args]
	local port=$1 path=$2 file=$3
	shift 3
	curl -s --max-time 5 -H 'Content-Type: application/x-ndjson' \
		--data-binary @"$file" "$@" "$(U "$port" "$path")"
}
stat() { C "$(U "$1" /_test/stats)" | J "$2"; }
wait_stat() { # wait_stat PORT EXPR WANT: poll (up to 3 s) until EXPR == WANT
	local i got
	for i in $(seq 60); do
		got=$(stat "$1" "$2")
		[ "$got" = "$3" ] && break
		sleep 0.05
	done
	echo "$got"
}

ts='"@timestamp":"2025-11-03T10:15:42.123456Z"'
DS=logs-aws.elb_logs-default

# ============================================================================
echo "# es_server: cluster info, keep-alive"
start ES es_server.py
r=$(C -i "$(U $ES /)")
has "GET / has X-elastic-product" "$r" "X-elastic-product: Elasticsearch"
is "GET / version.number" "$(C "$(U $ES /)" | J 'd["version"]["number"]')" "8.15.0"
is "GET / tagline" "$(C "$(U $ES /)" | J 'd["tagline"]')" "You Know, for Search"
r=$(curl -s -I --max-time 5 "$(U $ES /)")
has "HEAD / is 200 with content-length" "$r" "200 OK"
c0=$(stat $ES 'd["connections_accepted"]')
C "$(U $ES /)" "$(U $ES /)" "$(U $ES /_cluster/health)" >/dev/null
c1=$(stat $ES 'd["connections_accepted"]')
is "three requests in one curl reuse one connection" "$((c1 - c0))" "2"

echo "# es_server: _bulk semantics"
cat >"$T/b1" <<EOF
{"create":{"_index":"$DS","_id":"k1"}}
{$ts,"message":"one"}
{"create":{"_index":"$DS","_id":"k2"}}
{$ts,"message":"two"}
{"create":{"_index":"$DS","_id":"k3"}}
{$ts,"message":"three"}
EOF
r=$(bulk $ES /_bulk "$T/b1")
is "create x3 into a data stream: errors false" "$(echo "$r" | J 'd["errors"]')" "false"
is "create x3: statuses in order" "$(echo "$r" | J '[i["create"]["status"] for i in d["items"]]')" "[201, 201, 201]"
is "create x3: ids in request order" "$(echo "$r" | J '[i["create"]["_id"] for i in d["items"]]')" '["k1", "k2", "k3"]'
has "data stream item _index is the backing index" "$(echo "$r" | J 'd["items"][0]["create"]["_index"]')" ".ds-$DS-"
is "result/_version/_shards like ES" "$(echo "$r" | J '[d["items"][0]["create"][k] for k in ("result","_version","_shards","_primary_term")]')" '["created", 1, {"total": 2, "successful": 1, "failed": 0}, 1]'
r=$(bulk $ES /_bulk "$T/b1")
is "same bulk again: HTTP 200 but errors true" "$(echo "$r" | J 'd["errors"]')" "true"
is "same bulk again: all 409" "$(echo "$r" | J '[i["create"]["status"] for i in d["items"]]')" "[409, 409, 409]"
is "409 reason is ES's text" "$(echo "$r" | J 'd["items"][1]["create"]["error"]["reason"]')" "[k2]: version conflict, document already exists (current version [1])"
is "409 type" "$(echo "$r" | J 'd["items"][1]["create"]["error"]["type"]')" "version_conflict_engine_exception"
is "409 error has index_uuid, shard, index" "$(echo "$r" | J 'sorted(d["items"][0]["create"]["error"])')" '["index", "index_uuid", "reason", "shard", "type"]'
cat >"$T/b2" <<EOF
{"create":{"_index":"$DS","_id":"k4"}}
{$ts,"n":4}
{"index":{"_index":"$DS","_id":"k5"}}
{$ts,"n":5}
{"create":{"_index":"$DS","_id":"k6"}}
{"n":6}
{"create":{"_index":"$DS","_id":"k7"}}
{"@timestamp":"yesterday","n":7}
{"index":{"_index":"$DS","_id":"k8","op_type":"create"}}
{$ts,"n":8}
EOF
r=$(bulk $ES /_bulk "$T/b2")
is "mixed items keep order and are independent" "$(echo "$r" | J '[list(i)[0] + ":" + str(list(i.values())[0]["status"]) for i in d["items"]]')" '["create:201", "index:400", "create:400", "create:400", "create:201"]'
is "index into a data stream: ES's reason" "$(echo "$r" | J 'd["items"][1]["index"]["error"]["reason"]')" "only write ops with an op_type of create are allowed in data streams"
is "missing @timestamp: document_parsing_exception" "$(echo "$r" | J 'd["items"][2]["create"]["error"]["type"]')" "document_parsing_exception"
has "missing @timestamp: reason" "$(echo "$r" | J 'd["items"][2]["create"]["error"]["reason"]')" "failed to parse: data stream timestamp field [@timestamp] is missing"
has "bad @timestamp rejected" "$(echo "$r" | J 'd["items"][3]["create"]["error"]["reason"]')" "failed to parse field [@timestamp] of type [date]"
cat >"$T/b3" <<'EOF'
{"index":{"_index":"plain","_id":"x"}}
{"v":1}
{"index":{"_index":"plain","_id":"x"}}
{"v":2}
{"update":{"_index":"plain","_id":"x"}}
{"doc":{"w":3}}
{"update":{"_index":"plain","_id":"nope"}}
{"doc":{"w":3}}
{"update":{"_index":"plain","_id":"up"}}
{"doc":{"w":4},"doc_as_upsert":true}
{"delete":{"_index":"plain","_id":"up"}}
{"delete":{"_index":"plain","_id":"up"}}
EOF
r=$(bulk $ES /_bulk "$T/b3")
is "index/update/delete statuses" "$(echo "$r" | J '[list(i.values())[0]["status"] for i in d["items"]]')" "[201, 200, 200, 404, 201, 200, 404]"
is "index twice: results created, updated; versions 1, 2" "$(echo "$r" | J '[(d["items"][k]["index"]["result"], d["items"][k]["index"]["_version"]) for k in (0, 1)]')" '[["created", 1], ["updated", 2]]'
is "update of a missing doc: document_missing_exception" "$(echo "$r" | J 'd["items"][3]["update"]["error"]["type"]')" "document_missing_exception"
is "delete of a missing doc: not_found, no error object" "$(echo "$r" | J '[d["items"][6]["delete"]["result"], "error" in d["items"][6]["delete"]]')" '["not_found", false]'
is "stored doc after update is merged" "$(C "$(U $ES /plain/_doc/x)" | J 'd["_source"]')" '{"v": 2, "w": 3}'
printf '{"create":{"_index":"plain"}}\n{"auto":true}\n' >"$T/b4"
r=$(bulk $ES /_bulk "$T/b4")
is "missing _id: generated 20-char id" "$(echo "$r" | J 'len(d["items"][0]["create"]["_id"])')" "20"
printf '{"create":{"_id":"t1"}}\n{"a":1}\n' >"$T/b5"
is "_index from the URL target" "$(bulk $ES /urlidx/_bulk "$T/b5" | J 'd["items"][0]["create"]["_index"]')" "urlidx"
is "_index in the action wins over the URL" "$(printf '{"create":{"_index":"act","_id":"t2"}}\n{"a":1}\n' | curl -s -H 'Content-Type: application/x-ndjson' --data-binary @- "$(U $ES /urlidx/_bulk)" | J 'd["items"][0]["create"]["_index"]')" "act"
is "application/json is accepted too" "$(curl -s -H 'Content-Type: application/json' --data-binary @"$T/b5" "$(U $ES /other/_bulk)" | J 'd["errors"]')" "false"
is "_index uppercase: invalid_index_name_exception" "$(printf '{"create":{"_index":"Bad","_id":"1"}}\n{"a":1}\n' | curl -s -H 'Content-Type: application/x-ndjson' --data-binary @- "$(U $ES /_bulk)" | J 'd["items"][0]["create"]["error"]["reason"]')" "Invalid index name [Bad], must be lowercase"
r=$(printf '{"create":{"_index":"dup","_id":"1"}}\n{"a":1,"a":2}\n{"create":{"_index":"dup","_id":"2"}}\n[1,2]\n' | curl -s -H 'Content-Type: application/x-ndjson' --data-binary @- "$(U $ES /_bulk)")
has "duplicate keys in a source: item 400 Duplicate field" "$(echo "$r" | J 'd["items"][0]["create"]["error"]["reason"]')" "Duplicate field 'a'"
is "a source that is not an object: item 400" "$(echo "$r" | J 'd["items"][1]["create"]["status"]')" "400"
has "non-object sources are recorded as violations" "$(stat $ES 'd["violations"]')" "source is not a JSON object"

echo "# es_server: whole-request errors"
r=$(printf '{"create":{"_id":"1"}}\n{"a":1}\n' | curl -s -H 'Content-Type: application/x-ndjson' --data-binary @- "$(U $ES /_bulk)")
is "no _index anywhere: action_request_validation_exception" "$(echo "$r" | J '[d["status"], d["error"]["reason"]]')" '[400, "Validation Failed: 1: index is missing;"]'
r=$(printf '{"create":{"_index":"a","_id":"1"}}\n{"a":1}' | curl -s -H 'Content-Type: application/x-ndjson' --data-binary @- "$(U $ES /_bulk)")
is "no final newline: ES's reason" "$(echo "$r" | J 'd["error"]["reason"]')" 'The bulk request must be terminated by a newline [\n]'
r=$(printf '{"create":{"_index":"a"},"x":1}\n{"a":1}\n' | curl -s -H 'Content-Type: application/x-ndjson' --data-binary @- "$(U $ES /_bulk)")
has "two keys in an action line: 400" "$(echo "$r" | J 'd["error"]["reason"]')" "Malformed action/metadata line [1], expected END_OBJECT"
r=$(printf '{"upsert":{"_index":"a"}}\n{"a":1}\n' | curl -s -H 'Content-Type: application/x-ndjson' --data-binary @- "$(U $ES /_bulk)")
has "unknown action: 400" "$(echo "$r" | J 'd["error"]["reason"]')" "expected field [create], [delete], [index] or [update] but found [upsert]"
r=$(printf '{"create":{"_index":"a","_type":"doc"}}\n{"a":1}\n' | curl -s -H 'Content-Type: application/x-ndjson' --data-binary @- "$(U $ES /_bulk)")
is "unknown action parameter: 400" "$(echo "$r" | J 'd["error"]["reason"]')" "Action/metadata line [1] contains an unknown parameter [_type]"
r=$(printf '{"update":{"_index":"a","_id":"1"}}\n{"upsert":{"a":1}}\n' | curl -s -H 'Content-Type: application/x-ndjson' --data-binary @- "$(U $ES /_bulk)")
is "update without doc or script: 400" "$(echo "$r" | J 'd["error"]["reason"]')" "Validation Failed: 1: script or doc is missing;"
r=$(printf '{"create":{"_index":"a","_id":"1"}}\n' | curl -s -H 'Content-Type: application/x-ndjson' --data-binary @- "$(U $ES /_bulk)")
has "create without a source line: 400" "$(echo "$r" | J 'd["error"]["reason"]')" "has no source line"
is "empty body: 400 request body is required" "$(curl -s -X POST -H 'Content-Type: application/x-ndjson' "$(U $ES /_bulk)" | J 'd["error"]["reason"]')" "request body is required"
r=$(curl -s -H 'Content-Type: text/plain' --data-binary @"$T/b5" "$(U $ES /x/_bulk)")
is "text/plain: 406 like ES" "$r" '{"error":"Content-Type header [text/plain] is not supported","status":406}'
is "no Content-Type: 406" "$(curl -s -H 'Content-Type:' --data-binary @"$T/b5" "$(U $ES /x/_bulk)" | J 'd["status"]')" "406"
r=$(curl -s -H 'Content-Type: application/x-ndjson' -H 'Transfer-Encoding: chunked' --data-binary @"$T/b5" "$(U $ES /x/_bulk)")
is "chunked body: 400" "$(echo "$r" | J 'd["status"]')" "400"
has "chunked body is a recorded violation" "$(stat $ES 'd["violations"]')" "Transfer-Encoding: chunked"
is "unknown query parameter: 400" "$(bulk $ES '/x/_bulk?foo=1' "$T/b5" | J 'd["error"]["reason"]')" "request [/x/_bulk] contains unrecognized parameter: [foo]"
is "bad refresh value: 400" "$(bulk $ES '/x/_bulk?refresh=yes' "$T/b5" | J 'd["status"]')" "400"
is "documented parameters accepted" "$(bulk $ES '/x/_bulk?refresh=false&timeout=1m&require_alias=false&pipeline=_none' "$T/b5" | J 'd["items"][0]["create"]["status"]')" "201"
has "query parameters are recorded" "$(stat $ES 'd["bulk_params"][-1]')" '"timeout": "1m"'
is "GET /_bulk: 405 with allowed methods" "$(C "$(U $ES /_bulk)" | J 'd["error"]')" "Incorrect HTTP method for uri [/_bulk] and method [GET], allowed: [POST, PUT]"
is "unknown endpoint: 400 no handler" "$(code "$(U $ES /a/b/c)")" "400"
# A URL with a path prefix (issue 11 point 1): real ES has no route for it.
d0=$(stat $ES 'd["docs_stored"]')
r=$(curl -s -i --max-time 5 -H 'Content-Type: application/x-ndjson' --data-binary @"$T/b5" "$(U $ES /es/prod/_bulk)")
has "POST /es/prod/_bulk: 400" "$r" "HTTP/1.1 400 Bad Request"
is "... ES's body: a string error, no status" "$(echo "$r" | sed -n '$p')" '{"error":"no handler found for uri [/es/prod/_bulk] and method [POST]"}'
has "... with X-elastic-product" "$r" "X-elastic-product: Elasticsearch"
is "... nothing stored" "$(stat $ES 'd["docs_stored"]')" "$d0"
is "the uri in the error keeps the query string" "$(bulk $ES '/es/prod/_bulk?refresh=false' "$T/b5")" '{"error":"no handler found for uri [/es/prod/_bulk?refresh=false] and method [POST]"}'
is "GET /a/b/c: the same body" "$(C "$(U $ES /a/b/c)")" '{"error":"no handler found for uri [/a/b/c] and method [GET]"}'
is "after a no-handler 400 the connection carries the next request" "$(curl -s -w '%{http_code}:%{num_connects} ' --max-time 5 -H 'Content-Type: application/x-ndjson' --data-binary @"$T/b5" -o /dev/null "$(U $ES /es/prod/_bulk)" -o /dev/null "$(U $ES /k1/_bulk)")" "400:1 200:0 "
is "GET /nope is the get-index API: 404 index_not_found_exception" "$(C "$(U $ES /nope)" | J '[d["status"], d["error"]["type"]]')" '[404, "index_not_found_exception"]'

echo "# es_server: encodings, filter_path, compression"
printf '{"create":{"_index":"gz","_id":"g1"}}\n{"a":1}\n' | gzip -c >"$T/g1"
is "gzip request body decoded" "$(curl -s -H 'Content-Type: application/x-ndjson' -H 'Content-Encoding: gzip' --data-binary @"$T/g1" "$(U $ES /_bulk)" | J 'd["items"][0]["create"]["status"]')" "201"
printf '{"create":{"_index":"gz","_id":"g2"}}\n{"a":2}\n' | "$PY" -c 'import sys,zlib; sys.stdout.buffer.write(zlib.compress(sys.stdin.buffer.read()))' >"$T/d1"
is "deflate request body decoded" "$(curl -s -H 'Content-Type: application/x-ndjson' -H 'Content-Encoding: deflate' --data-binary @"$T/d1" "$(U $ES /_bulk)" | J 'd["items"][0]["create"]["status"]')" "201"
is "gzip/deflate counted" "$(stat $ES '[d["gzip_requests"], d["deflate_requests"]]')" "[1, 1]"
is "Content-Encoding zstd: 400" "$(curl -s -H 'Content-Type: application/x-ndjson' -H 'Content-Encoding: zstd' --data-binary @"$T/g1" "$(U $ES /_bulk)" | J 'd["status"]')" "400"
has "zstd recorded as a violation" "$(stat $ES 'd["violations"]')" "unsupported Content-Encoding [zstd]"
r=$(bulk $ES '/_bulk?filter_path=errors,items.*.status' "$T/b1")
is "filter_path=errors,items.*.status" "$r" '{"errors":true,"items":[{"create":{"status":409}},{"create":{"status":409}},{"create":{"status":409}}]}'
cat "$T/b1" >"$T/b6"
printf '{"create":{"_index":"%s","_id":"k9"}}\n{%s}\n' "$DS" "$ts" >>"$T/b6"
r=$(bulk $ES '/_bulk?filter_path=items.*.error' "$T/b6")
is "filter_path=items.*.error drops successful items" "$(echo "$r" | J 'len(d["items"])')" "3"
is "filter_path with ** and exclusion" "$(bulk $ES '/_bulk?filter_path=**.status,-items.*.error' "$T/b1" | J 'd["items"][0]')" '{"create": {"status": 409}}'
is "errors are not filtered" "$(printf 'x\n' | curl -s -H 'Content-Type: application/x-ndjson' --data-binary @- "$(U $ES '/_bulk?filter_path=took')" | J 'd["status"]')" "400"
r=$(curl -s -D - -o /dev/null --compressed "$(U $ES /)")
has "Accept-Encoding: gzip gives a gzip response" "$r" "content-encoding: gzip"
{ printf '{"create":{"_index":"gz","_id":"m1"}}\n{"a":1}\n' | gzip -c; printf '{"create":{"_index":"gz","_id":"m2"}}\n{"a":2}\n' | gzip -c; } >"$T/mm.gz"
is "multi-member gzip body: every member read" "$(curl -s -H 'Content-Type: application/x-ndjson' -H 'Content-Encoding: gzip' --data-binary @"$T/mm.gz" "$(U $ES /_bulk)" | J 'len(d["items"])')" "2"
is "filter_path on GET /" "$(C "$(U $ES '/?filter_path=version.number')")" '{"version":{"number":"8.15.0"}}'
printf '{"create":{"_index":"notds","_id":"r"}}\n{"a":1}\n' >"$T/b8"
is "require_data_stream=true on a plain index target: item error" "$(bulk $ES '/_bulk?require_data_stream=true' "$T/b8" | J 'd["items"][0]["create"]["error"]["type"]')" "index_not_found_exception"
is "?pretty pretty-prints" "$(C "$(U $ES '/?pretty')" | head -2 | tail -1)" '  "name" : "es-test-node-1",'

echo "# es_server: setup endpoints"
J_PUT() { curl -s --max-time 5 -X PUT -H 'Content-Type: application/json' --data-binary "$2" "$(U $ES "$1")"; }
is "PUT component template: ack" "$(J_PUT /_component_template/elb-mappings '{"template":{"mappings":{"properties":{"@timestamp":{"type":"date"}}}}}')" '{"acknowledged":true}'
is "PUT component template without template: 400" "$(J_PUT /_component_template/bad '{"version":1}' | J 'd["error"]["reason"]')" "[1:2] Required [template]"
is "GET component template" "$(C "$(U $ES /_component_template/elb-mappings)" | J 'd["component_templates"][0]["name"]')" "elb-mappings"
is "GET missing component template: 404 resource_not_found_exception" "$(C "$(U $ES /_component_template/nope)" | J '[d["status"], d["error"]["type"]]')" '[404, "resource_not_found_exception"]'
is "HEAD missing component template: 404" "$(curl -s -I -o /dev/null -w '%{http_code}' "$(U $ES /_component_template/nope)")" "404"
r=$(J_PUT /_index_template/elb '{"index_patterns":["logs-aws.elb_logs-*"],"data_stream":{},"priority":200,"composed_of":["elb-mappings","elb-settings"]}')
is "index template naming a missing component template: 400" "$(echo "$r" | J 'd["error"]["type"]')" "invalid_index_template_exception"
is "PUT ILM policy: ack" "$(J_PUT /_ilm/policy/elb-policy '{"policy":{"phases":{"hot":{"actions":{"rollover":{"max_age":"1d"}}},"delete":{"min_age":"30d","actions":{"delete":{}}}}}}')" '{"acknowledged":true}'
is "ILM policy with an unknown phase: 400" "$(J_PUT /_ilm/policy/bad '{"policy":{"phases":{"lukewarm":{}}}}' | J 'd["status"]')" "400"
is "GET ILM policy: version 1" "$(C "$(U $ES /_ilm/policy/elb-policy)" | J 'd["elb-policy"]["version"]')" "1"
is "GET missing ILM policy: 404" "$(code "$(U $ES /_ilm/policy/nope)")" "404"
J_PUT /_component_template/elb-settings '{"template":{"settings":{"index.lifecycle.name":"elb-policy"}}}' >/dev/null
is "PUT index template: ack" "$(J_PUT /_index_template/elb '{"index_patterns":["logs-aws.elb_logs-*"],"data_stream":{},"priority":200,"composed_of":["elb-mappings","elb-settings"]}')" '{"acknowledged":true}'
is "HEAD index template: 200" "$(curl -s -I -o /dev/null -w '%{http_code}' "$(U $ES /_index_template/elb)")" "200"
is "same patterns and priority: 400" "$(J_PUT /_index_template/elb2 '{"index_patterns":["logs-aws.*"],"priority":200}' | J 'd["error"]["type"]')" "illegal_argument_exception"
is "unknown template key: 400" "$(J_PUT /_index_template/elb3 '{"index_patterns":["x*"],"mapping":{}}' | J 'd["error"]["reason"]')" "[1:2] [index_template] unknown field [mapping]"
is "template PUT with x-ndjson content type: 406" "$(curl -s -o /dev/null -w '%{http_code}' -X PUT -H 'Content-Type: application/x-ndjson' --data-binary '{"index_patterns":["y*"]}' "$(U $ES /_index_template/y)")" "406"
is "PUT data stream matching the template: ack" "$(curl -s -X PUT "$(U $ES /_data_stream/logs-aws.elb_logs-prod)")" '{"acknowledged":true}'
is "PUT it again: resource_already_exists_exception" "$(curl -s -X PUT "$(U $ES /_data_stream/logs-aws.elb_logs-prod)" | J 'd["error"]["type"]')" "resource_already_exists_exception"
is "PUT data stream with no template: 400" "$(curl -s -X PUT "$(U $ES /_data_stream/nomatch)" | J 'd["error"]["reason"]')" "no matching index template found for data stream [nomatch]"
is "GET data stream: template and ILM policy" "$(C "$(U $ES /_data_stream/logs-aws.elb_logs-prod)" | J '[d["data_streams"][0]["template"], d["data_streams"][0]["ilm_policy"]]')" '["elb", "elb-policy"]'
is "data stream created before the template used the builtin logs template" "$(C "$(U $ES /_data_stream/$DS)" | J 'd["data_streams"][0]["template"]')" "logs"
is "GET /_data_stream lists both" "$(C "$(U $ES /_data_stream)" | J 'len(d["data_streams"])')" "2"
is "GET missing data stream: 404 index_not_found_exception" "$(C "$(U $ES /_data_stream/nope)" | J 'd["error"]["type"]')" "index_not_found_exception"
is "PUT pipeline without processors: 400" "$(J_PUT /_ingest/pipeline/p1 '{"description":"x"}' | J 'd["error"]["reason"]')" "[processors] required property is missing"
printf '{"create":{"_index":"piped","_id":"p"}}\n{"a":1}\n' >"$T/b7"
is "pipeline that does not exist: item 400" "$(bulk $ES '/_bulk?pipeline=p1' "$T/b7" | J 'd["items"][0]["create"]["error"]["reason"]')" "pipeline with id [p1] does not exist"
is "PUT pipeline: ack" "$(J_PUT /_ingest/pipeline/p1 '{"processors":[{"set":{"field":"x","value":1}}]}')" '{"acknowledged":true}'
is "pipeline that exists: 201" "$(bulk $ES '/_bulk?pipeline=p1' "$T/b7" | J 'd["items"][0]["create"]["status"]')" "201"
is "GET missing pipeline: 404 with body {}" "$(curl -s -w ' %{http_code}' "$(U $ES /_ingest/pipeline/nope)")" "{} 404"
is "PUT index: ack" "$(J_PUT /myindex '{"settings":{"number_of_shards":1}}' | J 'd["acknowledged"]')" "true"
is "PUT index matching a data-stream template: 400" "$(J_PUT /logs-aws.elb_logs-x '{}' | J 'd["status"]')" "400"
is "HEAD existing index: 200" "$(curl -s -I -o /dev/null -w '%{http_code}' "$(U $ES /myindex)")" "200"

echo "# es_server: introspection"
r=$(C "$(U $ES /_test/docs)")
is "/_test/docs lists docs in insertion order" "$(echo "$r" | NJ '[x["_id"] for x in d[:3]]')" '["k1", "k2", "k3"]'
is "/_test/docs ?index= filters by target" "$(C "$(U $ES "/_test/docs?index=$DS")" | NJ 'len(d)')" "6"
has "/_test/docs shows the backing index" "$(echo "$r" | NJ 'd[0]["_backing_index"]')" ".ds-$DS"
is "/_test/requests has one record per bulk" "$(C "$(U $ES /_test/requests)" | J 'len(d) == '"$(stat $ES 'd["bulk_requests"]')")" "true"
has "stats count items by status" "$(stat $ES 'd["items_by_status"]')" '"409"'
is "POST /_test/reset empties the store" "$(curl -s -X POST "$(U $ES /_test/reset)" >/dev/null; C "$(U $ES /_test/docs)" | wc -c)" "0"

echo "# es_server: data stream rollover"
RO() { # RO PATH [BODY]: POST a rollover, print the response
	if [ $# -gt 1 ]; then
		curl -s --max-time 5 -X POST -H 'Content-Type: application/json' --data-binary "$2" "$(U $ES "$1")"
	else
		curl -s --max-time 5 -X POST "$(U $ES "$1")"
	fi
}
# Backing index names carry the UTC day they were made: do not let the
# checks below straddle midnight.
left=$((86400 - $(date -u +%s) % 86400))
[ "$left" -lt 120 ] && sleep $((left + 1))
day=$(date -u +%Y.%m.%d)
G1=".ds-$DS-$day-000001" G2=".ds-$DS-$day-000002" G3=".ds-$DS-$day-000003"
printf '{"create":{"_index":"%s","_id":"r1"}}\n{%s}\n{"create":{"_index":"%s","_id":"r2"}}\n{%s}\n' "$DS" "$ts" "$DS" "$ts" >"$T/r1"
printf '{"create":{"_index":"%s","_id":"r1"}}\n{%s,"copy":2}\n' "$DS" "$ts" >"$T/r2"
is "bulk create makes the data stream: generation 1 write index" "$(bulk $ES /_bulk "$T/r1" | J '[i["create"]["_index"] for i in d["items"]]')" "[\"$G1\", \"$G1\"]"
r=$(bulk $ES /_bulk "$T/r2")
is "before rollover: create of an existing _id is 409 in the write index" "$(echo "$r" | J '[d["items"][0]["create"]["status"], d["items"][0]["create"]["_index"]]')" "[409, \"$G1\"]"
r=$(RO "/$DS/_rollover" '{"conditions":{"max_docs":5}}')
is "max_docs not met: rolled_over false, nothing acknowledged" "$(echo "$r" | J '[d["rolled_over"], d["acknowledged"], d["shards_acknowledged"], d["dry_run"]]')" "[false, false, false, false]"
is "max_docs not met: conditions as ES prints them" "$(echo "$r" | J 'd["conditions"]')" '{"[max_docs: 5]": false}'
is "max_docs not met: old_index/new_index name what it would do" "$(echo "$r" | J '[d["old_index"], d["new_index"]]')" "[\"$G1\", \"$G2\"]"
is "max_docs not met: generation still 1, one backing index" "$(C "$(U $ES /_data_stream/$DS)" | J '[d["data_streams"][0]["generation"], len(d["data_streams"][0]["indices"])]')" "[1, 1]"
r=$(RO "/$DS/_rollover?dry_run=true" '{"conditions":{"max_docs":2}}')
is "dry_run with a met condition: dry_run true, rolled_over false" "$(echo "$r" | J '[d["dry_run"], d["rolled_over"], d["acknowledged"], d["conditions"], d["new_index"]]')" "[true, false, false, {\"[max_docs: 2]\": true}, \"$G2\"]"
is "dry_run changes nothing" "$(C "$(U $ES /_data_stream/$DS)" | J '[d["data_streams"][0]["generation"], [i["index_name"] for i in d["data_streams"][0]["indices"]]]'),$(bulk $ES /_bulk "$T/r2" | J 'd["items"][0]["create"]["status"]')" "[1, [\"$G1\"]],409"
r=$(RO "/$DS/_rollover" '{"conditions":{"max_docs":2,"max_age":"30d"}}')
is "rollover response keys in ES's order" "$(echo "$r" | J 'list(d)')" '["acknowledged", "shards_acknowledged", "old_index", "new_index", "rolled_over", "dry_run", "lazy", "conditions"]'
is "max_docs met (any max_*): rolled over" "$(echo "$r" | J '[d["acknowledged"], d["shards_acknowledged"], d["rolled_over"], d["dry_run"], d["lazy"]]')" "[true, true, true, false, false]"
is "rollover: old_index generation 1, new_index generation 2" "$(echo "$r" | J '[d["old_index"], d["new_index"]]')" "[\"$G1\", \"$G2\"]"
is "rollover: each condition with whether it was met" "$(echo "$r" | J 'd["conditions"]')" '{"[max_docs: 2]": true, "[max_age: 30d]": false}'
is "GET /_data_stream: generation 2, both backing indices in order" "$(C "$(U $ES /_data_stream/$DS)" | J '[d["data_streams"][0]["generation"], [i["index_name"] for i in d["data_streams"][0]["indices"]]]')" "[2, [\"$G1\", \"$G2\"]]"
r=$(bulk $ES /_bulk "$T/r2")
is "after rollover: create of an _id only the old backing index holds is 201 in the new one" "$(echo "$r" | J '[d["items"][0]["create"]["status"], d["items"][0]["create"]["result"], d["items"][0]["create"]["_index"]]')" "[201, \"created\", \"$G2\"]"
is "after rollover: create of it again is 409 (it is in the write index now)" "$(bulk $ES /_bulk "$T/r2" | J '[d["items"][0]["create"]["status"], d["items"][0]["create"]["_index"]]')" "[409, \"$G2\"]"
r=$(C "$(U $ES "/_test/docs?index=$DS")")
is "/_test/docs?index=DS: documents of every backing index" "$(echo "$r" | NJ '[x["_id"] for x in d]')" '["r1", "r2", "r1"]'
is "/_test/docs: two copies of r1, in two backing indices" "$(echo "$r" | NJ '[[x["_index"], x["_backing_index"]] for x in d if x["_id"] == "r1"]')" "[[\"$DS\", \"$G1\"], [\"$DS\", \"$G2\"]]"
is "the old backing index keeps its documents" "$(C "$(U $ES "/_test/docs?index=$G1")" | NJ '[x["_id"] for x in d]')" '["r1", "r2"]'
is "GET /DS shows every backing index" "$(C "$(U $ES "/$DS")" | J 'sorted(d)')" "[\"$G1\", \"$G2\"]"
r=$(RO "/$DS/_rollover")
is "no conditions: rolls over to generation 3, conditions {}" "$(echo "$r" | J '[d["rolled_over"], d["old_index"], d["new_index"], d["conditions"]]')" "[true, \"$G2\", \"$G3\", {}]"
is "rollovers counted" "$(stat $ES 'd["rollovers"]')" "2"
r=$(RO "/$DS/_rollover/my-new-index")
is "rollover of a data stream to a named index: 400 like ES" "$(echo "$r" | J '[d["status"], d["error"]["type"], d["error"]["reason"]]')" '[400, "illegal_argument_exception", "new index name may not be specified when rolling over a data stream"]'
J_PUT /plainro '{}' >/dev/null
r=$(RO /plainro/_rollover)
is "rollover of a plain index: 400 with ES's reason" "$(echo "$r" | J '[d["status"], d["error"]["type"], d["error"]["reason"]]')" '[400, "illegal_argument_exception", "rollover target is a [concrete index] but one of [alias,data_stream] was expected"]'
r=$(RO /no-such-target/_rollover)
is "rollover of a missing target: ES 8.x answers 400 does not exist" "$(echo "$r" | J '[d["status"], d["error"]["type"], d["error"]["reason"]]')" '[400, "illegal_argument_exception", "rollover target [no-such-target] does not exist"]'
is "min_* without max_*: validation error" "$(RO "/$DS/_rollover" '{"conditions":{"min_docs":1}}' | J 'd["error"]["reason"]')" "Validation Failed: 1: at least one max_* rollover condition must be set when using min_* conditions;"
is "unknown condition: 400" "$(RO "/$DS/_rollover" '{"conditions":{"max_dox":1}}' | J 'd["error"]["reason"]')" "[1:2] [conditions] unknown field [max_dox]"
is "size condition: 400 (not supported here)" "$(RO "/$DS/_rollover" '{"conditions":{"max_size":"1gb"}}' | J 'd["status"]')" "400"
has "size condition is a recorded violation" "$(stat $ES 'd["violations"]')" "rollover condition [max_size] is not supported"
is "GET on _rollover: 405, POST only" "$(code "$(U $ES "/$DS/_rollover")")" "405"
is "generation still 3 after the refused requests" "$(C "$(U $ES /_data_stream/$DS)" | J 'd["data_streams"][0]["generation"]')" "3"
curl -s -X POST "$(U $ES /_test/reset)" >/dev/null
is "/_test/reset forgets the data stream and its backing indices" "$(code "$(U $ES /_data_stream/$DS)"),$(code "$(U $ES "/$G2")"),$(bulk $ES /_bulk "$T/r2" | J 'd["items"][0]["create"]["_index"]')" "404,404,$G1"
curl -s -X POST "$(U $ES /_test/reset)" >/dev/null

# ============================================================================
echo "# es_server: authentication"
start EA es_server.py --auth basic:elastic:s3cret-pw --auth apikey:aWQ6a2V5 \
	--auth sigv4:AKIDEXAMPLE:wJalrSECRETkey:eu-west-1:es
r=$(curl -s -i "$(U $EA /)")
has "no credentials: 401" "$r" "401 Unauthorized"
has "no credentials: WWW-Authenticate Basic" "$r" 'WWW-Authenticate: Basic realm="security" charset="UTF-8"'
has "no credentials: security_exception reason" "$r" "missing authentication credentials for REST request [/]"
is "wrong password: 401" "$(code -u elastic:nope "$(U $EA /)")" "401"
is "right password: 200" "$(code -u elastic:s3cret-pw "$(U $EA /)")" "200"
is "API key: 200" "$(code -H 'Authorization: ApiKey aWQ6a2V5' "$(U $EA /)")" "200"
is "wrong API key: 401" "$(code -H 'Authorization: ApiKey bm9wZQ==' "$(U $EA /)")" "401"
is "_test endpoints need no auth" "$(code "$(U $EA /_test/stats)")" "200"
is "rollover needs auth: 401" "$(code -X POST "$(U $EA /logs-a-b/_rollover)")" "401"
printf '{"create":{"_index":"signed","_id":"s1"}}\n{"a":1}\n' >"$T/s1"
SIG=(--aws-sigv4 "aws:amz:eu-west-1:es" -u AKIDEXAMPLE:wJalrSECRETkey)
is "SigV4 (curl --aws-sigv4) accepted" "$(bulk $EA /_bulk "$T/s1" "${SIG[@]}" | J 'd["items"][0]["create"]["status"]')" "201"
r=$(bulk $EA /_bulk "$T/s1" --aws-sigv4 "aws:amz:eu-west-1:es" -u AKIDEXAMPLE:wrong)
has "SigV4 wrong secret: AWS-style 403 message" "$r" "The request signature we calculated does not match"
has "SigV4 403 shows the canonical request" "$r" "The Canonical String for this request should have been"
is "SigV4 wrong secret: status 403" "$(code -H 'Content-Type: application/x-ndjson' --data-binary @"$T/s1" --aws-sigv4 "aws:amz:eu-west-1:es" -u AKIDEXAMPLE:wrong "$(U $EA /_bulk)")" "403"
is "SigV4 wrong region: 403" "$(code -H 'Content-Type: application/x-ndjson' --data-binary @"$T/s1" --aws-sigv4 "aws:amz:us-east-1:es" -u AKIDEXAMPLE:wJalrSECRETkey "$(U $EA /_bulk)")" "403"
is "SigV4 with filter_path=errors,items.*.status sent raw: 403 (query not canonical)" "$(code -H 'Content-Type: application/x-ndjson' --data-binary @"$T/s1" "${SIG[@]}" "$(U $EA '/_bulk?filter_path=errors,items.*.status')")" "403"
is "SigV4 with the query percent-encoded: 200" "$(code -H 'Content-Type: application/x-ndjson' --data-binary @"$T/s1" "${SIG[@]}" "$(U $EA '/_bulk?filter_path=errors%2Citems.%2A.status')")" "200"
gzip -c "$T/s1" >"$T/s1.gz"
is "SigV4 over a gzip body (hash of the bytes sent)" "$(code -H 'Content-Type: application/x-ndjson' -H 'Content-Encoding: gzip' --data-binary @"$T/s1.gz" "${SIG[@]}" "$(U $EA /_bulk)")" "200"
r=$(TC signed POST $EA /_bulk "$T/s1" AKIDEXAMPLE wJalrSECRETkey eu-west-1 es --date 20200101T000000Z)
is "SigV4 with a stale X-Amz-Date: 403" "$(echo "$r" | head -1)" "403"
has "stale date: Signature expired" "$r" "Signature expired"
r=$(TC signed POST $EA /_bulk "$T/s1" AKIDEXAMPLE wJalrSECRETkey eu-west-1 es)
is "SigV4 from sigv4.sign (independent signer) accepted" "$(echo "$r" | head -1)" "200"
r=$(stat $EA 'd["auth_failures"]')
has "auth failures recorded with reasons" "$r" "signature mismatch"
lacks "no secret in the stats" "$(C "$(U $EA /_test/stats)")" "wJalrSECRETkey"
lacks "no password in the stats" "$(C "$(U $EA /_test/stats)")" "s3cret-pw"

start EAO es_server.py --auth sigv4:AKIDEXAMPLE:wJalrSECRETkey:eu-west-1:aoss:SESSIONTOKEN
r=$(TC signed POST $EAO /_bulk "$T/s1" AKIDEXAMPLE wJalrSECRETkey eu-west-1 aoss --token SESSIONTOKEN)
is "aoss with x-amz-content-sha256 and the session token: 200" "$(echo "$r" | head -1)" "200"
r=$(TC signed POST $EAO /_bulk "$T/s1" AKIDEXAMPLE wJalrSECRETkey eu-west-1 aoss --token SESSIONTOKEN --no-sha-header)
is "aoss without x-amz-content-sha256: 403" "$(echo "$r" | head -1)" "403"
has "aoss: reason recorded" "$(stat $EAO 'd["auth_failures"]')" "x-amz-content-sha256 (required by aoss)"
r=$(TC signed POST $EAO /_bulk "$T/s1" AKIDEXAMPLE wJalrSECRETkey eu-west-1 aoss)
is "aoss without the session token: 403" "$(echo "$r" | head -1)" "403"
sha=$("$PY" -c 'import hashlib,sys; print(hashlib.sha256(open(sys.argv[1],"rb").read()).hexdigest())' "$T/s1")
is "aoss via curl --aws-sigv4 + x-amz-content-sha256 + token headers: 200" "$(code -H 'Content-Type: application/x-ndjson' -H "x-amz-content-sha256: $sha" -H 'x-amz-security-token: SESSIONTOKEN' --data-binary @"$T/s1" --aws-sigv4 "aws:amz:eu-west-1:aoss" -u AKIDEXAMPLE:wJalrSECRETkey "$(U $EAO /_bulk)")" "200"
is "sigv4.py known-answer vectors" "$("$PY" "$HERE/sigv4.py" --self-test | grep -c '^ok')" "8"

# ============================================================================
echo "# es_server: faults"
ids() { # ids PREFIX N: a bulk of N creates with ids PREFIX1..N
	local i
	for i in $(seq "$2"); do
		printf '{"create":{"_index":"f","_id":"%s%d"}}\n{"n":%d}\n' "$1" "$i" "$i"
	done
}
# retry_failed PORT FILE: resend only the items that got 429/5xx, up to 20 times
retry_failed() {
	"$PY" - "$1" "$2" <<'PYEOF'
import json, sys, urllib.request
port, path = int(sys.argv[1]), sys.argv[2]
lines = open(path, "rb").read().split(b"\n")[:-1]
pairs = [(lines[i], lines[i + 1]) for i in range(0, len(lines), 2)]
final = {}
for attempt in range(20):
    body = b"".join(a + b"\n" + s + b"\n" for a, s in pairs)
    req = urllib.request.Request("http://127.0.0.1:%d/_bulk" % port, data=body,
                                 headers={"Content-Type": "application/x-ndjson"})
    resp = json.load(urllib.request.urlopen(req))
    retry = []
    for pair, item in zip(pairs, resp["items"]):
        it = item["create"]
        final[it["_id"]] = it["status"]
        if it["status"] == 429 or it["status"] >= 500:
            retry.append(pair)
    pairs = retry
    if not pairs:
        break
print(json.dumps({"attempts": attempt + 1,
                  "statuses": sorted(set(final.values()))}))
PYEOF
}
ids a 20 >"$T/f1"
start EF es_server.py --seed 7 --item-429-rate 0.3 --item-503-rate 0.2
r=$(bulk $EF /_bulk "$T/f1")
has "item 429s injected" "$(echo "$r" | J '[list(i.values())[0]["status"] for i in d["items"]]')" "429"
has "item 429: es_rejected_execution_exception" "$r" "es_rejected_execution_exception"
has "item 503s injected (unavailable_shards_exception)" "$r" "unavailable_shards_exception"
r2=$(curl -s -X POST "$(U $EF /_test/reset)" >/dev/null; bulk $EF /_bulk "$T/f1")
is "same seed, same outcome after reset" "$(echo "$r2" | J '[list(i.values())[0]["status"] for i in d["items"]]')" "$(echo "$r" | J '[list(i.values())[0]["status"] for i in d["items"]]')"
curl -s -X POST "$(U $EF /_test/reset)" >/dev/null
r=$(retry_failed $EF "$T/f1")
is "retrying only 429/503 items ends with all created" "$(echo "$r" | J 'd["statuses"]')" "[201]"
is "no duplicates: 20 docs stored" "$(C "$(U $EF /_test/docs)" | NJ 'len(set(x["_id"] for x in d))')" "20"
start EF4 es_server.py --seed 3 --item-400-rate 0.3
ids b 20 >"$T/f2"
s1=$(bulk $EF4 /_bulk "$T/f2" | J '[i["create"]["_id"] for i in d["items"] if i["create"]["status"] == 400]')
curl -s -X POST "$(U $EF4 /_test/reset)" >/dev/null
ids c 0 >/dev/null
s2=$(bulk $EF4 /_bulk "$T/f2" | J '[i["create"]["_id"] for i in d["items"] if i["create"]["status"] == 400]')
is "item 400 is decided by _id: the same docs fail again" "$s2" "$s1"
has "item 400 type for 8.15" "$(bulk $EF4 /_bulk "$T/f2")" "document_parsing_exception"
printf 'k1\nk2\n' >"$T/preset"
start EF9 es_server.py --item-409-ids "$T/preset"
printf '{"create":{"_index":"p","_id":"k1"}}\n{"a":1}\n{"create":{"_index":"p","_id":"k3"}}\n{"a":1}\n{"index":{"_index":"p","_id":"k2"}}\n{"a":1}\n' >"$T/f3"
is "--item-409-ids: create 409, other create 201, index 200 v2" "$(bulk $EF9 /_bulk "$T/f3" | J '[(list(i.values())[0]["status"], list(i.values())[0].get("_version")) for i in d["items"]]')" '[[409, null], [201, 1], [200, 2]]'
start ER es_server.py --request-429-first 2 --request-503-first 1
r=$(bulk $ER /_bulk "$T/s1")
is "bulk 1: whole-request 429 circuit_breaking_exception" "$(echo "$r" | J '[d["status"], d["error"]["type"], d["error"]["durability"]]')" '[429, "circuit_breaking_exception", "TRANSIENT"]'
is "bulk 2: 429" "$(code -H 'Content-Type: application/x-ndjson' --data-binary @"$T/s1" "$(U $ER /_bulk)")" "429"
is "bulk 3: 503 cluster_block_exception" "$(bulk $ER /_bulk "$T/s1" | J '[d["status"], d["error"]["type"]]')" '[503, "cluster_block_exception"]'
is "bulk 4: stored" "$(bulk $ER /_bulk "$T/s1" | J 'd["items"][0]["create"]["status"]')" "201"
is "nothing stored by the rejected requests" "$(C "$(U $ER /_test/docs)" | NJ 'len(d)')" "1"
start E403 es_server.py --request-403-after 1
is "--request-403-after 1: bulk 1 stored" "$(bulk $E403 /_bulk "$T/s1" | J 'd["items"][0]["create"]["status"]')" "201"
is "--request-403-after 1: bulk 2 is a 403 security_exception" "$(bulk $E403 /_bulk "$T/s1" | J '[d["status"], d["error"]["type"]]')" '[403, "security_exception"]'
start EM es_server.py --max-content-length 1kb
head -c 1500 /dev/zero | tr '\0' 'x' | "$PY" -c 'import sys; v=sys.stdin.read(); sys.stdout.write("{\"create\":{\"_index\":\"m\",\"_id\":\"big\"}}\n{\"v\":\"%s\"}\n" % v)' >"$T/big"
r=$(curl -s -i -H 'Content-Type: application/x-ndjson' -H 'Expect:' --data-binary @"$T/big" "$(U $EM /_bulk)")
has "identity body over http.max_content_length: 413" "$r" "413 Request Entity Too Large"
has "413 has an empty body" "$r" "content-length: 0"
gzip -c "$T/big" >"$T/big.gz"
r=$(curl -s -i -H 'Content-Type: application/x-ndjson' -H 'Content-Encoding: gzip' --data-binary @"$T/big.gz" "$(U $EM /_bulk)")
has "gzip body small on the wire but over the limit decoded: 413" "$r" "413 Request Entity Too Large"
has "gzip 413 closes the connection" "$r" "connection: close"
r=$( { printf 'POST /_bulk HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-ndjson\r\nContent-Length: 5000\r\nExpect: 100-continue\r\n\r\n'; } | TC raw $EM --wait 0.5)
has "Expect: 100-continue with a too-big Content-Length: 417" "$r" "HTTP/1.1 417"
is "small body under the limit: 201" "$(bulk $EM /_bulk "$T/s1" | J 'd["items"][0]["create"]["status"]')" "201"
start EQ es_server.py --reset-mid-request 1
curl -s --max-time 5 -H 'Content-Type: application/x-ndjson' --data-binary @"$T/b1" "$(U $EQ /_bulk)" >/dev/null
rc=$?
is "reset mid-request: curl sees a transport error" "$([ $rc -ne 0 ] && echo yes)" "yes"
is "reset mid-request: nothing stored; retry stores" "$(C "$(U $EQ /_test/docs)" | NJ 'len(d)'),$(bulk $EQ /_bulk "$T/b1" | J 'd["errors"]')" "0,false"
start ES2 es_server.py --reset-mid-response 1
curl -s --max-time 5 -H 'Content-Type: application/x-ndjson' --data-binary @"$T/b1" "$(U $ES2 /_bulk)" >/dev/null
rc=$?
is "reset mid-response: curl sees a transport error" "$([ $rc -ne 0 ] && echo yes)" "yes"
is "reset mid-response: the docs were stored" "$(C "$(U $ES2 /_test/docs)" | NJ 'len(d)')" "3"
is "reset mid-response: the retry gets 409s" "$(bulk $ES2 /_bulk "$T/b1" | J '[i["create"]["status"] for i in d["items"]]')" "[409, 409, 409]"
start EW es_server.py --slow-first 1 --slow-ms 700
curl -s --max-time 0.25 -H 'Content-Type: application/x-ndjson' --data-binary @"$T/b1" "$(U $EW /_bulk)" >/dev/null
is "slow first request: client timeout (curl 28)" "$?" "28"
is "slow request: docs stored after the delay anyway" "$(wait_stat $EW 'd["docs_stored"]' 3)" "3"
is "next request is not slow (all 409)" "$(bulk $EW /_bulk "$T/b1" --max-time 0.5 | J '[i["create"]["status"] for i in d["items"]]')" "[409, 409, 409]"
start EC es_server.py --slow-first 100 --slow-ms 1500
cpids=()
for i in 1 2 3; do bulk $EC /_bulk "$T/b1" >/dev/null & cpids+=($!); done
wait "${cpids[@]}"
bulk $EC /_bulk "$T/b1" >/dev/null
is "max_concurrent_bulk: 3 bulk requests at once, then 1 alone; none left in progress" "$(stat $EC '[d["max_concurrent_bulk"], d["bulk_in_progress"], d["bulk_requests"]]')" "[3, 0, 4]"
start EH es_server.py --hang
curl -s --max-time 0.5 -H 'Content-Type: application/x-ndjson' --data-binary @"$T/b1" "$(U $EH /_bulk)" >/dev/null
is "--hang: a bulk request is read and never answered (curl 28)" "$?" "28"
curl -s --max-time 0.5 "$(U $EH /)" >/dev/null
is "--hang: GET / too" "$?" "28"
is "--hang: /_test/* still answers; counted, nothing stored" "$(stat $EH '[d["hung_requests"], d["docs_stored"], d["bulk_requests"], d["faults_fired"]]')" '[2, 0, 0, {"hang": 2}]'
start ED es_server.py --down-for-ms 3000
curl -s --max-time 1 "$(U $ED /)" >/dev/null
is "down-for-ms: connection refused (curl 7) while not listening" "$?" "7"
sleep 3
is "down-for-ms: then it answers" "$(code "$(U $ED /)")" "200"
r=$( { printf 'GET / HTTP/1.1\r\nHost: x\r\n\r\nGET /_cluster/health HTTP/1.1\r\nHost: x\r\n\r\n'; } | TC raw $ES --wait 0.4)
is "two pipelined requests, two responses, connection kept open" "$(echo "$r" | grep -o 'HTTP/1.1 200' | wc -l),${r: -6}" "2,<OPEN>"
start EI es_server.py --idle-timeout-ms 200
r=$( { printf 'GET / HTTP/1.1\r\nHost: x\r\n\r\n'; } | TC raw $EI --wait 1)
is "--idle-timeout-ms: idle keep-alive connection closed by the server" "${r: -5}" "<EOF>"

start EO es_server.py --flavor opensearch --version 2.15.0 --no-auto-create
r=$(C -i "$(U $EO /)")
lacks "opensearch flavor: no X-elastic-product" "$r" "X-elastic-product"
has "opensearch flavor: version.distribution" "$r" '"distribution":"opensearch"'
is "--no-auto-create: item 404 index_not_found_exception" "$(bulk $EO /_bulk "$T/s1" | J '[d["items"][0]["create"]["status"], d["items"][0]["create"]["error"]["reason"]]')" '[404, "no such index [signed]"]'

echo "# es_server: TLS, --dump"
if command -v openssl >/dev/null 2>&1; then
	(
		cd "$T" || exit 1
		openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
			-subj /CN=test-ca -keyout ca.key -out ca.crt 2>/dev/null
		openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj /CN=localhost \
			-addext subjectAltName=DNS:localhost,IP:127.0.0.1 -keyout srv.key -out srv.csr 2>/dev/null
		printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\n' >ext
		openssl x509 -req -in srv.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 \
			-extfile ext -out srv.crt 2>/dev/null
		openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj /CN=client \
			-keyout cli.key -out cli.csr 2>/dev/null
		openssl x509 -req -in cli.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 \
			-out cli.crt 2>/dev/null
	)
	start ET es_server.py --tls-cert "$T/srv.crt" --tls-key "$T/srv.key" --client-ca "$T/ca.crt"
	is "TLS + client cert: 200" "$(code --cacert "$T/ca.crt" --cert "$T/cli.crt" --key "$T/cli.key" "https://127.0.0.1:$ET/")" "200"
	curl -s --max-time 3 --cacert "$T/ca.crt" "https://127.0.0.1:$ET/" >/dev/null
	is "TLS without the client cert: handshake fails" "$([ $? -ne 0 ] && echo yes)" "yes"
	r=$(curl -s --cacert "$T/ca.crt" --cert "$T/cli.crt" --key "$T/cli.key" "https://127.0.0.1:$ET/_test/stats" | J 'd["tls_handshake_failures"] >= 1')
	is "TLS handshake failures counted" "$r" "true"
	start LTT logstash_server.py --mode tcp --control-port-file "$T/LTT.ctl" --tls-cert "$T/srv.crt" --tls-key "$T/srv.key"
	printf '{"tls":1}\n{"tls":2}\n' | TC tcp $LTT --ca "$T/ca.crt" >/dev/null
	is "logstash tcp over TLS: 2 events" "$(wait_stat "$(cat "$T/LTT.ctl")" 'd["events"]' 2)" "2"
else
	for k in 1 2 3 4; do ok "# SKIP openssl not installed"; done
fi
start EX es_server.py --dump "$T/dump.ndjson"
bulk $EX /_bulk "$T/b1" >/dev/null
kill -TERM "$EX_PID"
for i in $(seq 100); do [ -s "$T/dump.ndjson.stats.json" ] && break; sleep 0.02; done
is "--dump on SIGTERM writes the docs" "$(NJ 'len(d)' <"$T/dump.ndjson" 2>/dev/null)" "3"
is "--dump writes the stats" "$(J 'd["bulk_requests"]' <"$T/dump.ndjson.stats.json" 2>/dev/null)" "1"

# ============================================================================
echo "# logstash_server: http input"
start LH logstash_server.py --mode http
r=$(curl -s -i -H 'Content-Type: application/json' -d '[{"a":1},{"a":2}]' "$(U $LH /)")
has "JSON array: 200" "$r" "200 OK"
has "JSON array: body ok" "$r" $'\r\n\r\nok'
is "JSON array: one event per element" "$(stat $LH 'd["events"]')" "2"
C -H 'Content-Type: application/json; charset=UTF-8' -d '{"b":1}' "$(U $LH /any/path)" >/dev/null
is "JSON object: one event, event.original set by the codec" "$(C "$(U $LH /_test/events)" | NJ 'd[-1]["event"]["original"]')" '{"b":1}'
C -H 'Content-Type: application/json' -d 'not json' "$(U $LH /)" >/dev/null
is "invalid JSON: still 200, _jsonparsefailure event" "$(C "$(U $LH /_test/events)" | NJ '[d[-1]["message"], d[-1]["tags"]]')" '["not json", ["_jsonparsefailure"]]'
C -H 'Content-Type: application/x-ndjson' --data-binary $'{"c":1}\n{"c":2}\n' "$(U $LH /)" >/dev/null
is "x-ndjson by default: ONE plain event" "$(C "$(U $LH /_test/events)" | NJ 'd[-1]["message"] == "{\"c\":1}\n{\"c\":2}\n"')" "true"
has "x-ndjson to the plain codec is a recorded violation" "$(stat $LH 'd["violations"]')" "plain codec"
printf '[{"g":1}]' | gzip -c >"$T/lg.gz"
C -H 'Content-Type: application/json' -H 'Content-Encoding: gzip' --data-binary @"$T/lg.gz" "$(U $LH /)" >/dev/null
is "gzip body decoded" "$(C "$(U $LH /_test/events)" | NJ 'd[-1]["g"]')" "1"
is "corrupt gzip: 400" "$(code -H 'Content-Type: application/json' -H 'Content-Encoding: gzip' -d 'xx' "$(U $LH /)")" "400"
C -H 'Content-Type: application/json' -d '{"url":{"path":"/shop"},"user_agent":{"original":"Mozilla"},"@timestamp":"2025-11-03T10:15:42.123456Z"}' "$(U $LH '/ingest?x=1')" >/dev/null
r=$(C "$(U $LH /_test/events)" | NJ '[d[-1]["url"]["path"], d[-1]["user_agent"]["original"], d[-1]["@version"], d[-1]["@timestamp"]]')
is "ECS decoration overwrites url.path and user_agent.original" "$r" "[\"/ingest?x=1\", \"curl/$(curl --version | awk 'NR == 1 {print $2}')\", \"1\", \"2025-11-03T10:15:42.123456Z\"]"
has "clobbered fields are counted" "$(stat $LH 'd["clobbered_fields"]')" '"url.path": 1'
is "?view=decoded shows the codec output" "$(C "$(U $LH '/_test/events?view=decoded')" | NJ 'd[-1]["url"]["path"]')" "/shop"
C -H 'Content-Type: application/json' -d '{"@timestamp":"Nov 3 2025"}' "$(U $LH /)" >/dev/null
is "bad @timestamp: _timestampparsefailure, value kept in _@timestamp" "$(C "$(U $LH /_test/events)" | NJ '[d[-1]["tags"], d[-1]["_@timestamp"]]')" '[["_timestampparsefailure"], "Nov 3 2025"]'
is "chunked body accepted" "$(code -H 'Content-Type: application/json' -H 'Transfer-Encoding: chunked' -d '{"ch":1}' "$(U $LH /)")" "200"
c0=$(stat $LH 'd["connections_accepted"]')
C -H 'Content-Type: application/json' -d '{"k":1}' "$(U $LH /)" "$(U $LH /)" >/dev/null
c1=$(stat $LH 'd["connections_accepted"]')
is "keep-alive: two posts, one connection" "$((c1 - c0))" "2"
is "POST /_test/reset" "$(curl -s -X POST "$(U $LH /_test/reset)" >/dev/null; stat $LH 'd["events"]')" "0"

start LN logstash_server.py --mode http --ndjson --auth user:pw --max-content-length 100 --ecs-compatibility disabled
r=$(curl -s -i -H 'Content-Type: application/json' -d '{}' "$(U $LN /)")
has "auth: no credentials: 401" "$r" "401 Unauthorized"
has "auth: WWW-Authenticate Basic realm" "$r" 'WWW-Authenticate: Basic realm="Logstash HTTP Input"'
is "auth: wrong password: 401" "$(code -u user:bad -H 'Content-Type: application/json' -d '{}' "$(U $LN /)")" "401"
C -u user:pw -H 'Content-Type: application/x-ndjson' --data-binary $'{"c":1}\n{"c":2}\n' "$(U $LN /)" >/dev/null
is "--ndjson: x-ndjson split into events" "$(stat $LN 'd["events"]')" "2"
is "ecs disabled: host and headers set" "$(C "$(U $LN /_test/events)" | NJ '[d[0]["host"], d[0]["headers"]["request_method"]]')" '["127.0.0.1", "POST"]'
is "over max_content_length: 413" "$(code -u user:pw -H 'Content-Type: application/json' --data-binary @"$T/big" "$(U $LN /)")" "413"

start LF logstash_server.py --mode http --503-first 2 --reset-mid-response 3
is "503-first: request 1" "$(code -H 'Content-Type: application/json' -d '{"r":1}' "$(U $LF /)")" "503"
is "503-first: request 2" "$(code -H 'Content-Type: application/json' -d '{"r":2}' "$(U $LF /)")" "503"
curl -s --max-time 5 -H 'Content-Type: application/json' -d '{"r":3}' "$(U $LF /)" >/dev/null
is "reset-mid-response: transport error" "$([ $? -ne 0 ] && echo yes)" "yes"
is "reset-mid-response: the event was stored; 503s stored nothing" "$(C "$(U $LF /_test/events)" | NJ '[x["r"] for x in d]')" "[3]"
start LB logstash_server.py --mode http --429-rate 0.5 --seed 5
for i in $(seq 12); do code -H 'Content-Type: application/json' -d "{\"i\":$i}" "$(U $LB /)"; echo; done >"$T/codes"
busy=$(grep -c 429 "$T/codes")
has "429-rate: some requests answered 429" "$(sort -u "$T/codes" | tr '\n' ' ')" "429"
is "429-rate: a 429 stores nothing" "$(stat $LB 'd["events"]')" "$((12 - busy))"
is "429 has an empty body" "$(stat $LB 'd["responses_by_status"].get("429", 0)')" "$busy"
start LC logstash_server.py --mode http --429-rate 1 --429-close
r=$( { printf 'POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}'; } | TC raw $LC --wait 0.5)
has "--429-close: 429 then connection: close" "$r" "connection: close"
is "--429-close: the server closed it" "${r: -5}" "<EOF>"

# ============================================================================
echo "# logstash_server: tcp input (json_lines)"
start LT logstash_server.py --mode tcp --control-port-file "$T/LT.ctl"
LTC=$(cat "$T/LT.ctl")
printf '{"a":1}\nnot json\n[{"b":1},{"b":2}]\n\n{"tail":1}' | TC tcp $LT >/dev/null
is "tcp: lines become events (array -> 2, bad -> tagged, tail flushed)" "$(wait_stat $LTC 'd["events"]' 5)" "5"
r=$(C "$(U $LTC /_test/events)")
is "tcp: invalid line -> _jsonparsefailure event" "$(echo "$r" | NJ '[x["tags"] for x in d if "message" in x]')" '[["_jsonparsefailure"]]'
is "tcp: unterminated final line decoded at close" "$(echo "$r" | NJ 'd[-1]["tail"]')" "1"
has "tcp: unterminated final line is a violation" "$(stat $LTC 'd["violations"]')" "unterminated final line"
is "tcp: ecs v8 adds nothing but @version/@timestamp" "$(echo "$r" | NJ 'sorted(d[0])')" '["@timestamp", "@version", "a"]'
writers=()
for k in 1 2 3; do
	printf '{"c":%d}\n{"c":%d}\n' "$k" "$k" | TC tcp $LT >/dev/null &
	writers+=("$!")
done
wait "${writers[@]}"
is "tcp: several connections" "$(wait_stat $LTC 'd["events"]' 11)" "11"
start LT2 logstash_server.py --mode tcp --control-port-file "$T/LT2.ctl" --close-after-lines 3
printf '{"n":1}\n{"n":2}\n{"n":3}\n{"n":4}\n{"n":5}\n' | TC tcp $LT2 >/dev/null
LT2C=$(cat "$T/LT2.ctl")
is "close-after-lines 3: 3 events kept" "$(wait_stat $LT2C 'd["events"]' 3)" "3"
is "close-after-lines: the connection log says so, 2 lines dropped" "$(stat $LT2C '[d["connection_log"][0]["end"], d["lines_dropped"]]')" '["close (fault)", 2]'
printf '{"n":6}\n' | TC tcp $LT2 >/dev/null
is "close-after-lines fires once: next connection delivers" "$(wait_stat $LT2C 'd["events"]' 4)" "4"
start LT3 logstash_server.py --mode tcp --control-port-file "$T/LT3.ctl" --reset-after-lines 2
r=$(for i in $(seq 40); do printf '{"n":%d}\n' "$i"; done | TC tcp $LT3 --chunks 40 --pause 0.01)
is "reset-after-lines: the client sees a reset" "$r" "reset"
is "reset-after-lines: 2 events kept" "$(stat "$(cat "$T/LT3.ctl")" 'd["events"]')" "2"
start LT4 logstash_server.py --mode tcp --control-port-file "$T/LT4.ctl" --refuse-first-ms 3000
r=$(printf '{"x":1}\n' | TC tcp $LT4 2>&1)
has "refuse-first-ms: refused while not listening" "$r" "Connection refused"
sleep 3
is "refuse-first-ms: then accepted" "$(printf '{"x":1}\n' | TC tcp $LT4)" "sent"

# ============================================================================
echo "# hang_server"
# hlog FILE N: the events of FILE once it has N lines (up to 3 s)
hlog() {
	local i
	for i in $(seq 60); do [ "$(wc -l <"$1" 2>/dev/null)" -ge "$2" ] && break; sleep 0.05; done
	NJ '[x["event"] for x in d]' <"$1"
}
start HS hang_server.py --log "$T/hs.log"
curl -s --max-time 0.5 -d abc "$(U $HS /bucket/key)" >/dev/null
is "hang_server: accepted, never answered (curl 28)" "$?" "28"
is "hang_server: the request read, then held until the client gave up" "$(hlog "$T/hs.log" 3)" '["connect", "request", "closed"]'
is "hang_server: the request logged" "$(NJ '[d[1]["method"], d[1]["target"], d[1]["body_bytes"]]' <"$T/hs.log")" '["POST", "/bucket/key", 3]'
start HN hang_server.py --read none --log "$T/hn.log"
curl -s --max-time 0.5 "$(U $HN /)" >/dev/null
is "hang_server --read none: never answered (curl 28)" "$?" "28"
is "hang_server --read none: nothing read, held until the client gave up" "$(hlog "$T/hn.log" 2)" '["connect", "closed"]'

echo "# $passed passed, $failed failed"
[ "$failed" -eq 0 ]

#!/usr/bin/env bash
# tests/beats/run.sh: the Logstash beats input sink (--logstash beats://),
# against tests/servers/beats_server.py, 20,000 lines under each fault.
#
# For every case: elbship's counts (the summary's acknowledged and
# undelivered) add up to the input, and every input id reached the server
# at least once.  A window Logstash processed whose ACK was lost is sent
# again: the server then holds those events twice, while elbship counts
# each document once, when it is acknowledged (the re-sends are in
# "retried"); the deterministic ids (@metadata._id = event.id) let
# Logstash's elasticsearch output (document_id, action create) keep one copy.
set -u
cd "$(dirname "$0")/../.."
ELBSHIP=$(realpath "${ELBSHIP:-build/release/elbship}")
SERVERS=$PWD/tests/servers
tmp=$(mktemp -d)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	[ -n "${KEEP:-}" ] && echo "# kept $tmp" || rm -rf "$tmp"
}
trap cleanup EXIT
. tests/lib/tap.sh

# The input: 20,000 generated ALB lines, one of them malformed (an error
# document is a document too).
cc -O2 -o "$tmp/gen" bench/gen_alb.c 2>/dev/null || { notok "build the generator"; finish; }
in=$tmp/111122223333_elasticloadbalancing_eu-west-1_app.beats-alb.0123456789abcdef_20251103T1100Z_10.0.4.18_9z8y7x6w.log
"$tmp/gen" --lines 20000 --seed 11 >"$in"
sed -i '500s/ 200 / two-hundred /' "$in"
"$ELBSHIP" ship -q "$in" | jq -r '.event.id' | sort >"$tmp/all.ids"
total=$(wc -l <"$tmp/all.ids")
check "input: $total documents, ids distinct" \
    "[ $total -eq 20000 ] && [ \"\$(sort -u $tmp/all.ids | wc -l)\" -eq $total ]"

server=
start() {	# start NAME ARGS...: a beats server; sets $port and $ctl
	local name=$1
	shift
	[ -n "$server" ] && { kill "$server" 2>/dev/null; wait "$server" 2>/dev/null; }
	rm -f "$tmp/$name.port" "$tmp/$name.cport"
	python3 "$SERVERS/beats_server.py" --port 0 --port-file "$tmp/$name.port" \
	    --control-port-file "$tmp/$name.cport" "$@" >"$tmp/$name.server.log" 2>&1 &
	server=$!
	pids+=("$server")
	wait_file "$tmp/$name.cport"
	wait_file "$tmp/$name.port"
	port=$(cat "$tmp/$name.port")
	ctl=http://127.0.0.1:$(cat "$tmp/$name.cport")
}
count_of() {	# count_of WORD FILE: the number before WORD in the summary
	grep -o "[0-9]\+ $1" "$2" | tail -n 1 | cut -d' ' -f1
}
stat() { curl -s "$ctl/_test/stats" | jq -r "$1"; }
ids() { curl -s "$ctl/_test/events" | jq -r '.event.id' | sort; }

# ship NAME [elbship args...]: 20,000 lines to beats://127.0.0.1:$port
ship() {
	local name=$1 t0=$SECONDS
	shift
	"$ELBSHIP" ship --logstash "${scheme:-beats}://127.0.0.1:$port" \
	    --retry-initial-ms 20 "$@" "$in" >/dev/null 2>"$tmp/$name.err"
	rc=$?
	ids >"$tmp/$name.ids"
	ack=$(count_of acknowledged, "$tmp/$name.err")
	und=$(count_of undelivered "$tmp/$name.err")
	retried=$(count_of retried "$tmp/$name.err")
	echo "# $name: $((SECONDS - t0)) s"
}

# delivered NAME: the checks every fault that heals must pass
delivered() {
	local name=$1
	check "$name: exit 0, $total acknowledged once, none undelivered (${ack:-?} + ${und:-?})" \
	    "[ $rc -eq 0 ] && [ '${ack:-}' = $total ] && [ '${und:-}' = 0 ]"
	check "$name: the server saw every input id at least once" \
	    "[ -z \"\$(comm -23 $tmp/all.ids <(sort -u $tmp/$name.ids))\" ]"
	check "$name: the server saw nothing else" \
	    "[ -z \"\$(comm -13 $tmp/all.ids <(sort -u $tmp/$name.ids))\" ]"
	check "$name: no protocol violations" "[ \"\$(stat '.violations | length')\" = 0 ]"
}

# ---- clean ----------------------------------------------------------------------
start clean
ship clean
delivered clean
check "clean: each id exactly once, nothing re-sent" \
    "[ -z \"\$(uniq -d $tmp/clean.ids)\" ] && [ '$retried' = 0 ]"
check "clean: windows of 2048 (Filebeat's bulk_max_size), compressed" \
    "[ \"\$(stat .windows)\" = 10 ] && [ \"\$(stat .compressed_frames)\" = 10 ] && [ \"\$(stat .connections_accepted)\" = 1 ]"
check "clean: the summary says acknowledged, through the beats input" \
    "grep -q 'delivered to logstash: $total acknowledged' $tmp/clean.err"
curl -s "$ctl/_test/events" | head -n 1 >"$tmp/clean.first"
check "clean: @metadata as Filebeat sends it (beat, type, version) with _id = event.id" \
    "jq -e '.\"@metadata\".beat == \"elbship\" and .\"@metadata\".type == \"_doc\" and (.\"@metadata\".version | type == \"string\" and length > 0) and .\"@metadata\"._id == .event.id' $tmp/clean.first >/dev/null"
check "clean: the event is the document (Logstash tags it beats_input_raw_event)" \
    "jq -e '(.tags | index(\"beats_input_raw_event\")) != null and .\"@version\" == \"1\" and (.\"@timestamp\" | type == \"string\")' $tmp/clean.first >/dev/null"
"$ELBSHIP" ship -q "$in" | head -n 1 >"$tmp/doc.first"
check "clean: every field of the document arrives unchanged" \
    "[ \"\$(jq -cS 'del(.\"@metadata\", .tags, .\"@version\")' $tmp/clean.first)\" = \"\$(jq -cS . $tmp/doc.first)\" ]"

# ---- no compression, small windows ------------------------------------------------
start plain
ship plain --beats-compression 0 --beats-window 500
delivered plain
check "plain: 40 windows of 500, no compressed frame" \
    "[ \"\$(stat .windows)\" = 40 ] && [ \"\$(stat .compressed_frames)\" = 0 ] && [ \"\$(stat .data_frames)\" = $total ]"

# ---- partial ACKs -------------------------------------------------------------------
start partial --partial-ack 300
ship partial
delivered partial
check "partial: Logstash acknowledged in parts ($(stat .partial_acks) partial ACKs), nothing re-sent" \
    "[ \"\$(stat .partial_acks)\" -gt 50 ] && [ '$retried' = 0 ] && [ -z \"\$(uniq -d $tmp/partial.ids)\" ]"

# ---- busy: delayed ACKs, keep-alives past the timeout --------------------------------
# Each window takes 3 s, the timeout is 2 s: only the keep-alives (every
# 200 ms) keep the connection.
start busy --ack-delay-ms 3000 --keepalive-ms 200
ship busy --timeout 2 --beats-window 10000
delivered busy
check "busy: keep-alive ACKs ($(stat .keepalives)) held one connection, nothing re-sent" \
    "[ \"\$(stat .keepalives)\" -gt 10 ] && [ \"\$(stat .connections_accepted)\" = 1 ] && [ '$retried' = 0 ]"

# A busy Logstash stops reading: with windows too large for the socket
# buffers (uncompressed), the second window's send waits out the first
# one's processing; the keep-alives that come meanwhile prove the peer
# alive (before, the send timed out and every attempt failed the same way).
start busy_send --ack-delay-ms 3000 --keepalive-ms 200
ship busy_send --timeout 2 --beats-window 10000 --beats-compression 0
delivered busy_send
check "busy_send: a send held up by a busy Logstash lives on its keep-alives: one connection, nothing re-sent" \
    "[ \"\$(stat .connections_accepted)\" = 1 ] && [ '$retried' = 0 ]"

# ---- a reset mid-window ---------------------------------------------------------------
start reset_mid --reset-mid-window 7000
ship reset_mid
delivered reset_mid
check "reset mid-window: a second connection, the lost window sent again (retried $retried)" \
    "[ \"\$(stat .connections_accepted)\" -ge 2 ] && [ \"\$(stat .faults_fired.reset_mid_window)\" = 1 ] && [ '$retried' -gt 0 ]"

# ---- a reset after processing, before the ACK: duplicates at the server ------------------
start reset_ack --reset-before-ack 3
ship reset_ack
delivered reset_ack
dups=$(uniq -d "$tmp/reset_ack.ids" | wc -l)
check "reset before ACK: the server holds the unacknowledged window twice ($dups ids), elbship counts each document once" \
    "[ $dups -gt 0 ] && [ $dups -le 4096 ] && [ '$retried' -ge $dups ]"

# ---- the peer closes between windows ----------------------------------------------------
start close --close-after-window 2
ship close
delivered close
check "close: reconnected ($(stat .connections_accepted) connections)" \
    "[ \"\$(stat .connections_accepted)\" -ge 2 ] && [ \"\$(stat .faults_fired.close_after_window)\" = 1 ]"

# ---- an ACK past the window's end: a protocol error --------------------------------------
start bad_ack --ack-beyond 4
ship bad_ack
delivered bad_ack
check "ACK past the end: the connection dropped, the window sent again (retried $retried)" \
    "[ \"\$(stat .connections_accepted)\" = 2 ] && [ '$retried' -gt 0 ] && [ \$(uniq -d $tmp/bad_ack.ids | wc -l) -ge 2048 ]"

# ---- windows never acknowledged, then the pipeline recovers ------------------------------
start hung2 --never-ack-first 2
ship hung2 --timeout 2
delivered hung2
check "never-ack first 2: timed out, the two windows sent again (retried $retried), delivered" \
    "[ '$retried' = 4096 ] && [ \"\$(stat .connections_accepted)\" = 2 ]"

# ---- never acknowledged: undelivered, with the cause --------------------------------------
start hung --never-ack
t0=$(date +%s)
ship hung --timeout 0.5 --retry-attempts 3
secs=$(($(date +%s) - t0))
check "never-ack: exit 5, all $total undelivered, none acknowledged (${ack:-?} + ${und:-?})" \
    "[ $rc -eq 5 ] && [ '${ack:-}' = 0 ] && [ '${und:-}' = $total ]"
check "never-ack: the cause says no acknowledgement" \
    "grep -q 'undelivered because: no acknowledgement after 3 attempts.*no acknowledgement from beats://127.0.0.1:$port within' $tmp/hung.err"
check "never-ack: given up within the budget (${secs} s)" "[ $secs -le 10 ]"

# ---- interrupted while waiting for an ACK ----------------------------------------------------
start hung_int --never-ack
t0=$SECONDS
"$ELBSHIP" ship --logstash "beats://127.0.0.1:$port" --timeout 60 "$in" >/dev/null 2>"$tmp/int.err" &
el=$!
sleep 2
kill -INT "$el"
wait "$el"
rc=$?
secs=$((SECONDS - t0))
und=$(count_of undelivered "$tmp/int.err"); ack=$(count_of acknowledged, "$tmp/int.err")
check "SIGINT while waiting for an ACK: exit 6 at once (${secs} s), what was read undelivered ($und), none acknowledged" \
    "[ $rc -eq 6 ] && [ $secs -le 6 ] && [ '${und:-0}' -gt 0 ] && [ '${ack:-}' = 0 ]"

# ---- refused at first ---------------------------------------------------------------------
start refused --refuse-first-ms 1000
ship refused
delivered refused

# ---- an idle connection closed by the input (client_inactivity_timeout) ----------------------
# stdin: half the lines, a pause longer than the input's idle close, the rest.
start idle --idle-close-ms 300
{ head -n 10000 "$in"; sleep 2; tail -n +10001 "$in"; } |
    "$ELBSHIP" ship --logstash "beats://127.0.0.1:$port" --retry-initial-ms 20 \
    --name "$(basename "$in")" - >/dev/null 2>"$tmp/idle.err"
rc=$?
ids >"$tmp/idle.ids"
ack=$(count_of acknowledged, "$tmp/idle.err"); und=$(count_of undelivered "$tmp/idle.err")
delivered idle
check "idle: the input closed the idle connection, elbship opened another" \
    "[ \"\$(stat .idle_closes)\" -ge 1 ] && [ \"\$(stat .connections_accepted)\" -ge 2 ]"

# ---- not a beats input ---------------------------------------------------------------------
rm -f "$tmp/http.port"
python3 "$SERVERS/logstash_server.py" --mode http --port 0 --port-file "$tmp/http.port" \
    >"$tmp/http.log" 2>&1 &
pids+=($!)
wait_file "$tmp/http.port"
"$ELBSHIP" ship --logstash "beats://127.0.0.1:$(cat "$tmp/http.port")" --retry-attempts 2 \
    --retry-initial-ms 20 "$in" >/dev/null 2>"$tmp/http.err"
rc=$?
# (The http input answers 400 and closes: elbship reads the answer, or,
# when the close comes first, only sees its send fail.)
check "beats:// to an http input: exit 5, every document undelivered, a cause" \
    "[ $rc -eq 5 ] && [ '$(count_of undelivered "$tmp/http.err")' = $total ] && grep -Eq \"undelivered because: .*(answered byte 0x3c \\('<'\\) where a Lumberjack v2 ACK was due|failed|closed|reset)\" $tmp/http.err"

# ---- TLS ------------------------------------------------------------------------------------
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
pki=$tmp/pki
scheme=beatss
start tls --tls-cert "$pki/server.pem" --tls-key "$pki/server.key"
ship tls0 --retry-attempts 1
check "beatss://: an unknown CA is refused (verification is on), exit 5" \
    "[ $rc -eq 5 ] && grep -qi certificate $tmp/tls0.err"
ship tls --es-ca "$pki/ca.pem"
delivered tls
ship tls_insecure --insecure-skip-tls-verify
check "beatss:// with --insecure-skip-tls-verify: delivered (the server has every id twice now)" \
    "[ $rc -eq 0 ] && [ '$ack' = $total ] && [ \"\$(uniq -d $tmp/tls_insecure.ids | wc -l)\" = $total ]"
start mtls --tls-cert "$pki/server.pem" --tls-key "$pki/server.key" --client-ca "$pki/ca.pem"
ship mtls0 --es-ca "$pki/ca.pem" --retry-attempts 1
check "beatss://, client certificate required: refused without one, exit 5" "[ $rc -eq 5 ] && [ '${und:-}' = $total ]"
ship mtls --es-ca "$pki/ca.pem" --es-cert "$pki/client.pem" --es-key "$pki/client.key"
delivered mtls
check "beatss://, client certificate required: the server saw CN=client" \
    "[ \"\$(stat '[.connection_log[] | select(.client_cert_cn == \"client\")] | length')\" -ge 1 ]"
scheme=beats

# ---- settings ----------------------------------------------------------------------------------
"$ELBSHIP" ship --logstash beats://127.0.0.1:1 --beats-window 0 "$in" >/dev/null 2>"$tmp/bad.err"
check "--beats-window 0 is refused, exit 2" "[ \$? -eq 2 ] && grep -q 'beats-window' $tmp/bad.err"
"$ELBSHIP" ship --logstash beats://127.0.0.1:1 --beats-compression 10 "$in" >/dev/null 2>"$tmp/bad.err"
check "--beats-compression 10 is refused, exit 2" "[ \$? -eq 2 ] && grep -q 'beats-compression' $tmp/bad.err"
"$ELBSHIP" ship --logstash beats://127.0.0.1 "$in" >/dev/null 2>"$tmp/bad.err"
check "beats:// without a port is refused, exit 2" "[ \$? -eq 2 ] && grep -q 'HOST:PORT' $tmp/bad.err"
check "--help lists the beats settings" "\"$ELBSHIP\" ship --help 2>&1 | grep -q ELBSHIP_BEATS_COMPRESSION"

finish

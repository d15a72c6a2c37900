#!/usr/bin/env bash
# tests/servers/beats_selftest.sh: self-test of tests/servers/beats_server.py
# (the Logstash beats input test server) with tests/servers/ljclient.py:
# the protocol as the beats input speaks it, what it refuses, and every
# fault.  TAP output, then "# N passed, M failed".
set -u
cd "$(dirname "$0")/../.."
HERE=$PWD/tests/servers
tmp=$(mktemp -d)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
. tests/lib/tap.sh

srv=
start() {	# start ARGS...: a fresh server; $port, $ctl
	[ -n "$srv" ] && { kill "$srv" 2>/dev/null; wait "$srv" 2>/dev/null; }
	rm -f "$tmp/port" "$tmp/cport"
	python3 "$HERE/beats_server.py" --port 0 --port-file "$tmp/port" \
	    --control-port-file "$tmp/cport" "$@" >"$tmp/server.log" 2>&1 &
	srv=$!
	pids+=("$srv")
	wait_file "$tmp/cport"
	wait_file "$tmp/port"
	port=$(cat "$tmp/port")
	ctl=http://127.0.0.1:$(cat "$tmp/cport")
}
lj() { python3 "$HERE/ljclient.py" "$port" "$@"; }
st() { curl -s "$ctl/_test/stats" | jq -c "$1"; }
ev() { curl -s "$ctl/_test/events"; }
frame() { python3 -c 'import struct,sys; print((sys.argv[1].encode() + struct.pack(">I", int(sys.argv[2]))).hex())' "$@"; }

# ---- the protocol -------------------------------------------------------------------
start
out=$(lj --events 3)
check "a window of 3: one ACK naming sequence 3" "[ '$(echo "$out" | jq -c .acks)' = '[3]' ]"
check "3 events stored, 1 window, no violation" \
    "[ '$(st '[.events, .windows, (.violations | length)]')' = '[3,1,0]' ]"
check "events as the beats input makes them: @metadata kept, peer ip, raw-event tag, @version, @timestamp" \
    "ev | head -n 1 | jq -e '.\"@metadata\".beat == \"ljclient\" and .\"@metadata\".input.beats.host.ip == \"127.0.0.1\" and .tags == [\"beats_input_raw_event\"] and .\"@version\" == \"1\" and (.\"@timestamp\" | type == \"string\")' >/dev/null"
out=$(lj --events 50 --compress 6 --windows 2)
check "compressed windows: ACK 50 twice" "[ '$(echo "$out" | jq -c .acks)' = '[50,50]' ]"
check "compressed frames counted, 103 events in all" \
    "[ '$(st '[.compressed_frames, .events]')' = '[2,103]' ]"
curl -s -XPOST "$ctl/_test/reset" >/dev/null
check "POST /_test/reset empties the store" "[ '$(st '[.events, .windows]')' = '[0,0]' ]"

# ---- what it refuses ------------------------------------------------------------------
out=$(lj --raw "$(frame 1W 1)")
check "version '1' closes the connection" "[ '$(echo "$out" | jq -r .end)' = eof ]"
check "... recorded: Invalid version of beats protocol: 49" \
    "st .violations | grep -q 'Invalid version of beats protocol: 49'"
out=$(lj --raw "$(frame 2W 1)325a")
check "an unknown frame type closes the connection, recorded" \
    "[ '$(echo "$out" | jq -r .end)' = eof ] && st .violations | grep -q 'Invalid Frame Type, received: 90'"
arr=$(python3 -c 'import struct; b=b"[1,2]"; print((b"2W"+struct.pack(">I",1)+b"2J"+struct.pack(">II",1,len(b))+b).hex())')
out=$(lj --raw "$arr")
check "a JSON array instead of an object closes the connection" \
    "[ '$(echo "$out" | jq -r .end)' = eof ] && st .violations | grep -q 'not a JSON object'"
curl -s -XPOST "$ctl/_test/reset" >/dev/null
out=$(lj --events 2 --seq-start 5 --timeout 1)
check "sequence numbers not starting at 1: recorded (Logstash acknowledges all the same)" \
    "[ '$(echo "$out" | jq -c .acks)' = '[6]' ] && st .violations | grep -q 'sequence 5 where 1 was due'"
curl -s -XPOST "$ctl/_test/reset" >/dev/null
two=$(python3 -c 'import struct,json
def J(s): b=json.dumps({"n":s}).encode(); return b"2J"+struct.pack(">II",s,len(b))+b
print((b"2W"+struct.pack(">I",3)+J(1)+J(2)+b"2W"+struct.pack(">I",1)+J(1)).hex())')
out=$(lj --raw "$two" --timeout 1)
check "a window frame before the batch is complete: the partial batch is acknowledged (2), then the next (1)" \
    "[ '$(echo "$out" | jq -c .acks)' = '[2,1]' ] && st .violations | grep -q 'current batch was not complete'"

# ---- faults -----------------------------------------------------------------------------
start --partial-ack 2
out=$(lj --events 5)
check "--partial-ack 2: ACKs 2, 4, then 5" "[ '$(echo "$out" | jq -c .acks)' = '[2,4,5]' ]"
start --ack-delay-ms 700 --keepalive-ms 100
out=$(lj --events 5)
check "--ack-delay-ms: keep-alive ACKs (sequence 0) while busy, then 5" \
    "echo '$out' | jq -e '(.acks | length) >= 4 and .acks[-1] == 5 and (.acks[:-1] | all(. == 0))' >/dev/null"
start --reset-mid-window 3
out=$(lj --events 5)
check "--reset-mid-window 3: reset, no ACK, the incomplete batch lost" \
    "[ '$(echo "$out" | jq -c '[.end, .acks]')' = '[\"reset\",[]]' ] && [ '$(st '[.events, .events_lost]')' = '[0,3]' ]"
start --reset-before-ack 1
out=$(lj --events 5)
check "--reset-before-ack 1: events stored, reset instead of the ACK" \
    "[ '$(echo "$out" | jq -c '[.end, .acks]')' = '[\"reset\",[]]' ] && [ '$(st .events)' = 5 ]"
out=$(lj --events 5)
check "... once: the next connection is acknowledged (the store has the window twice)" \
    "[ '$(echo "$out" | jq -c .acks)' = '[5]' ] && [ '$(st .events)' = 10 ]"
start --close-after-window 1
out=$(lj --events 4 --windows 2)
check "--close-after-window 1: ACK 4, then the connection is closed" \
    "[ '$(echo "$out" | jq -c '[.acks, .end]')' = '[[4],\"eof\"]' ]"
start --ack-beyond 1
out=$(lj --events 3 --timeout 1)
check "--ack-beyond 1: window 1 acknowledged with sequence 4 (past its end)" \
    "[ '$(echo "$out" | jq -c .acks)' = '[4]' ]"
start --never-ack-first 1
out=$(lj --events 4 --timeout 1)
check "--never-ack-first 1: the first window is never acknowledged (no keep-alive either)" \
    "[ '$(echo "$out" | jq -c '[.acks, .end]')' = '[[],\"timeout\"]' ] && [ '$(st .events)' = 0 ]"
out=$(lj --events 4)
check "... the second is" "[ '$(echo "$out" | jq -c .acks)' = '[4]' ]"
start --idle-close-ms 300
out=$(lj --raw "" --timeout 2)
check "--idle-close-ms: an idle connection is closed (client_inactivity_timeout)" \
    "[ '$(echo "$out" | jq -r .end)' = eof ] && [ '$(st .idle_closes)' = 1 ]"
start --refuse-first-ms 800
out=$(lj --events 1)
check "--refuse-first-ms: refused at first" \
    "echo '$out' | jq -r .end | grep -q 'connect:'"

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
start --tls-cert "$pki/server.pem" --tls-key "$pki/server.key"
out=$(lj --tls --ca "$pki/ca.pem" --events 3 --compress 3)
check "TLS: a compressed window acknowledged" "[ '$(echo "$out" | jq -c .acks)' = '[3]' ]"
start --tls-cert "$pki/server.pem" --tls-key "$pki/server.key" --client-ca "$pki/ca.pem"
out=$(lj --tls --ca "$pki/ca.pem" --events 3)
check "mutual TLS: refused without a client certificate" \
    "[ '$(echo "$out" | jq -c .acks)' = '[]' ] && [ '$(st .events)' = 0 ]"
out=$(lj --tls --ca "$pki/ca.pem" --cert "$pki/client.pem" --key "$pki/client.key" --events 3)
check "mutual TLS: acknowledged with one, its CN recorded" \
    "[ '$(echo "$out" | jq -c .acks)' = '[3]' ] && st .connection_log | grep -q '\"client_cert_cn\":\"client\"'"

finish

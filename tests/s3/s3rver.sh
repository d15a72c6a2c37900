#!/usr/bin/env bash
# tests/s3/s3rver.sh start|stop|status|env DIR
#
#   start DIR   start s3rver (tests/s3/server.js: s3rver with SigV4 checking)
#               on 127.0.0.1, a free port picked by the kernel, data in
#               DIR/data, log in DIR/s3rver.log; wait until it answers; write
#               DIR/env (sourceable: `. DIR/env`) and DIR/pid.  Fails if one
#               is already running for DIR.
#   stop DIR    stop it (SIGTERM, then SIGKILL after 3 s); removes DIR/pid,
#               DIR/port and DIR/env (DIR/data and the log stay).
#   status DIR  exit 0 if it is running and answering.
#   env DIR     print DIR/env.
#
# Environment (all optional):
#   S3RVER_PARENT_PID=PID   the server exits by itself when PID is gone (a
#                           test script passes $$ so that no server outlives it)
#   S3RVER_MAX_SECONDS=N    the server exits after N seconds (default 3600)
#   S3RVER_ALLOW_ANONYMOUS=1  let unsigned requests through (default: 403)
#   S3RVER_SIGV4_CHECK=0    stock s3rver behaviour: any SigV4 secret accepted
#   S3RVER_KEEPALIVE_MS=N   idle keep-alive connections close after N ms
#                           (default: Node's 5000)
#   S3RVER_ACCESS_KEY_ID, S3RVER_SECRET_ACCESS_KEY, S3RVER_REGION: credentials
#                           and region (defaults below)
#
# Needs tests/node_modules (./dev.sh test installs it: npm ci --prefix tests);
# see tests/s3/README.md.
set -u

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)

: "${S3RVER_ACCESS_KEY_ID:=AKIAELBSHIPTEST00001}"
: "${S3RVER_SECRET_ACCESS_KEY:=elbship/test+Secret/0123456789abcdefGHIJ}"
: "${S3RVER_REGION:=us-east-1}"
export S3RVER_ACCESS_KEY_ID S3RVER_SECRET_ACCESS_KEY S3RVER_REGION

usage() {
	echo "usage: tests/s3/s3rver.sh start|stop|status|env DIR" >&2
	exit 2
}

[ $# -eq 2 ] || usage
cmd=$1
dir=$2

# alive PID: running and not a zombie (kill -0 is true for a zombie, and on
# some machines PID 1 is slow to reap the orphaned server)
alive() {
	local st
	[ -n "${1:-}" ] || return 1
	st=$(sed -n 's/.*) \(.\).*/\1/p' "/proc/$1/stat" 2>/dev/null)
	[ -n "$st" ] && [ "$st" != Z ] && [ "$st" != X ]
}

# ours PID: that process is our server.js (not a recycled pid)
ours() { tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null | grep -q 'tests/s3/server\.js'; }

answers() { # answers PORT: any HTTP answer from s3rver (403 when unsigned)
	curl -s -o /dev/null -m 2 -w '%{http_code}' "http://127.0.0.1:$1/" 2>/dev/null | grep -qE '^[1-5][0-9][0-9]$'
}

do_start() {
	mkdir -p "$dir" || exit 1
	dir=$(cd "$dir" && pwd)
	if [ -f "$dir/pid" ] && alive "$(cat "$dir/pid")" && ours "$(cat "$dir/pid")"; then
		echo "s3rver.sh: already running for $dir (pid $(cat "$dir/pid"))" >&2
		exit 1
	fi
	if [ ! -f "$repo/tests/node_modules/s3rver/package.json" ]; then
		echo "s3rver.sh: tests/node_modules/s3rver is missing: run ./dev.sh test (or npm ci --prefix tests) in $repo" >&2
		exit 1
	fi
	rm -f "$dir/pid" "$dir/port" "$dir/env"
	mkdir -p "$dir/data"

	local args=(--directory "$dir/data" --address 127.0.0.1 --port 0 --port-file "$dir/port"
		--access-key-id "$S3RVER_ACCESS_KEY_ID" --secret-access-key "$S3RVER_SECRET_ACCESS_KEY"
		--region "$S3RVER_REGION" --max-seconds "${S3RVER_MAX_SECONDS:-3600}")
	[ -n "${S3RVER_PARENT_PID:-}" ] && args+=(--parent-pid "$S3RVER_PARENT_PID")
	[ "${S3RVER_ALLOW_ANONYMOUS:-0}" = 1 ] && args+=(--allow-anonymous)
	[ "${S3RVER_SIGV4_CHECK:-1}" = 0 ] && args+=(--no-sigv4-check)
	[ -n "${S3RVER_KEEPALIVE_MS:-}" ] && args+=(--keep-alive-ms "$S3RVER_KEEPALIVE_MS")

	# --openssl-legacy-provider: s3rver's continuation tokens use DES.
	# FORCE_COLOR=0: no ANSI colours in the log.
	FORCE_COLOR=0 NO_COLOR=1 nohup node --openssl-legacy-provider "$here/server.js" "${args[@]}" \
		>"$dir/s3rver.log" 2>&1 </dev/null &
	local pid=$! port="" _
	echo "$pid" >"$dir/pid"

	for _ in $(seq 1 100); do # up to 10 s; usually ~0.3 s
		if ! alive "$pid"; then
			echo "s3rver.sh: s3rver exited during start; log:" >&2
			sed 's/^/    /' "$dir/s3rver.log" >&2
			rm -f "$dir/pid"
			exit 1
		fi
		if [ -s "$dir/port" ]; then
			port=$(cat "$dir/port")
			answers "$port" && break
		fi
		sleep 0.1
	done
	if [ -z "$port" ] || ! answers "$port"; then
		echo "s3rver.sh: s3rver did not answer within 10 s; log:" >&2
		sed 's/^/    /' "$dir/s3rver.log" >&2
		kill "$pid" 2>/dev/null
		rm -f "$dir/pid"
		exit 1
	fi

	cat >"$dir/env.tmp" <<-EOF
		export AWS_ENDPOINT_URL_S3=http://127.0.0.1:$port
		export AWS_ACCESS_KEY_ID=$S3RVER_ACCESS_KEY_ID
		export AWS_SECRET_ACCESS_KEY=$S3RVER_SECRET_ACCESS_KEY
		export AWS_REGION=$S3RVER_REGION
		export AWS_DEFAULT_REGION=$S3RVER_REGION
		export S3RVER_PORT=$port
		export S3RVER_PID=$pid
		export S3RVER_DIR=$dir
	EOF
	mv "$dir/env.tmp" "$dir/env"
	echo "s3rver.sh: s3rver pid $pid on http://127.0.0.1:$port (env in $dir/env)" >&2
}

do_stop() {
	local pid
	[ -f "$dir/pid" ] || return 0
	pid=$(cat "$dir/pid")
	if alive "$pid" && ours "$pid"; then
		kill "$pid" 2>/dev/null
		for _ in $(seq 1 30); do
			alive "$pid" || break
			sleep 0.1
		done
		if alive "$pid"; then
			kill -9 "$pid" 2>/dev/null
			sleep 0.1
		fi
	fi
	rm -f "$dir/pid" "$dir/port" "$dir/env"
}

case $cmd in
start) do_start ;;
stop) do_stop ;;
status)
	[ -f "$dir/pid" ] && alive "$(cat "$dir/pid")" && [ -s "$dir/port" ] && answers "$(cat "$dir/port")"
	;;
env)
	[ -f "$dir/env" ] || { echo "s3rver.sh: no $dir/env (not started?)" >&2; exit 1; }
	cat "$dir/env"
	;;
*) usage ;;
esac

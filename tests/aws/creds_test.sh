#!/usr/bin/env bash
# tests/aws/creds_test.sh: the container credentials endpoint, end to end.
#
#   TOOLS=build/asan/tools tests/aws/creds_test.sh
#
# Starts tests/servers/creds_server.py (a loopback stand-in for the ECS /
# EKS Pod Identity endpoint, requiring a token) and runs $TOOLS/awscreds
# (default build/release/tools) with a clean environment in which only
# AWS_CONTAINER_CREDENTIALS_FULL_URI points at it: the credentials arrive
# (compared by SHA-256, as awscreds never prints secrets), with the token
# from the variable or the token file (which wins); a wrong or missing
# token is one clear error without retries; plain http to a host that is
# not loopback or a container endpoint is refused before any request;
# a 5xx or a timeout is retried once; bad answers are clear errors; and no
# message ever holds the secret, the session token or a token.  Needs bash,
# python3, sha256sum; one test waits for the 2 s timeout.
#
# TAP: "ok N - ..." / "not ok N - ..." and a last line "# N passed, M
# failed"; exit 1 if anything failed.
set -u
export LC_ALL=C

cd "$(dirname "$0")/../.." || exit 1
ROOT=$PWD
TOOLS=${TOOLS:-build/release/tools}
case $TOOLS in
/*) ;;
*) TOOLS=$ROOT/$TOOLS ;;
esac
AWSCREDS=$TOOLS/awscreds
if [ ! -x "$AWSCREDS" ]; then
	echo "not ok 1 - $AWSCREDS is not built (make tools)"
	echo "# 0 passed, 1 failed"
	exit 1
fi

T=$(mktemp -d "${TMPDIR:-/tmp}/elbship-creds.XXXXXX") || exit 1
server_pid=
cleanup() {
	if [ -n "$server_pid" ]; then
		kill "$server_pid" 2>/dev/null
		wait "$server_pid" 2>/dev/null
	fi
	[ -n "${KEEP:-}" ] || rm -rf "$T"
}
trap cleanup EXIT
cd "$T" || exit 1
mkdir home

# ---- TAP ----------------------------------------------------------------

n=0
passed=0
failed=0

check() { # check DESC FUNC [ARGS...]: ok if FUNC succeeds; FUNC may set $why
	local desc=$1
	shift
	why=
	n=$((n + 1))
	if "$@"; then
		passed=$((passed + 1))
		echo "ok $n - $desc"
	else
		failed=$((failed + 1))
		echo "not ok $n - $desc"
		echo "#   last run: awscreds ${last_args:-} -> exit ${rc:-?}"
		[ -s err ] && head -n 3 err | sed 's/^/#   stderr: /'
		[ -n "$why" ] && echo "#   $why"
	fi
	return 0
}

# ---- the server ---------------------------------------------------------

TOKEN=podTok3n-ABC.def_123
SECRET=ctrSecret/Key+Example=0123456789
SESSION=ctrSessionToken//Example==
AKID=ASIACONTAINEREXAMPLE

python3 "$ROOT/tests/servers/creds_server.py" --port 0 --port-file port \
    --token "$TOKEN" --secret "$SECRET" --session-token "$SESSION" \
    --access-key "$AKID" --expiration 2030-01-02T03:04:05Z \
    --log requests.log 2>server.err &
server_pid=$!
for _ in $(seq 100); do
	[ -s port ] && break
	sleep 0.05
done
if [ ! -s port ]; then
	echo "not ok 1 - creds_server.py did not start"
	sed 's/^/#   /' server.err
	echo "# 0 passed, 1 failed"
	exit 1
fi
PORT=$(cat port)
BASE=http://127.0.0.1:$PORT
: >requests.log

# ---- helpers --------------------------------------------------------------

# run VAR=VALUE... -- ARGS...: awscreds with only the given variables (and
# the sanitizer settings); stdout in ./out, stderr in ./err, status in $rc.
run() {
	local vars=()
	while [ "$1" != "--" ]; do
		vars+=("$1")
		shift
	done
	shift
	last_args="$*"
	env -i HOME="$T/home" PATH="$PATH" \
	    ${ASAN_OPTIONS:+ASAN_OPTIONS="$ASAN_OPTIONS"} \
	    ${UBSAN_OPTIONS:+UBSAN_OPTIONS="$UBSAN_OPTIONS"} \
	    "${vars[@]}" "$AWSCREDS" "$@" >out 2>err
	rc=$?
}

# run_full_uri URI: the creds command with the container endpoint at URI and
# the test's authorization token.
run_full_uri() {
	run AWS_CONTAINER_CREDENTIALS_FULL_URI="$1" \
	    AWS_CONTAINER_AUTHORIZATION_TOKEN="$TOKEN" -- creds
}

sha() { printf '%s' "$1" | sha256sum | cut -d' ' -f1; }

# creds_ok: the served credentials arrived, whole.
creds_ok() {
	[ "$rc" -eq 0 ] || { why="exit $rc"; return 1; }
	grep -qx "source=container" out || { why="source: $(grep source out)"; return 1; }
	grep -qx "access_key=$AKID" out || { why="access key differs"; return 1; }
	grep -qx "secret_sha256=$(sha "$SECRET")" out || { why="secret differs"; return 1; }
	grep -qx "token_sha256=$(sha "$SESSION")" out || { why="session token differs"; return 1; }
	grep -qx "expires=1893553445" out || { why="$(grep expires out), want 1893553445"; return 1; }
}

# fails_with TEXT...: exit 1, stderr holds every TEXT and no secret.
fails_with() {
	local t
	[ "$rc" -eq 1 ] || { why="exit $rc, want 1"; return 1; }
	for t in "$@"; do
		grep -qF -- "$t" err || { why="stderr lacks '$t'"; return 1; }
	done
	no_secret
}

# no_secret: stdout and stderr hold no secret, session token or token.
no_secret() {
	local s
	for s in "$SECRET" "$SESSION" "$TOKEN" wrongTok3n; do
		if grep -qF -- "$s" out err; then
			why="a secret is in the output"
			return 1
		fi
	done
}

# requests PATH N: the server saw N requests for PATH in all.
requests() {
	local k
	k=$(grep -c "^GET $1 " requests.log)
	[ "$k" -eq "$2" ] || { why="$k requests for $1, want $2"; return 1; }
}

all_of() { "$@"; } # all_of F1 && F2 ...: group checks in one TAP line

# ---- tests ----------------------------------------------------------------

run_full_uri "$BASE/creds"
check "token from AWS_CONTAINER_AUTHORIZATION_TOKEN: credentials arrive" \
    all_of creds_ok
check "... in one request, with the token" \
    eval 'requests /creds 1 && grep -q "^GET /creds auth=ok" requests.log'

printf '%s\n' "$TOKEN" >token
run AWS_CONTAINER_CREDENTIALS_FULL_URI="$BASE/file" \
    AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE="$T/token" -- creds
check "token from AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE (final newline dropped)" \
    all_of creds_ok

run AWS_CONTAINER_CREDENTIALS_FULL_URI="$BASE/both" \
    AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE="$T/token" \
    AWS_CONTAINER_AUTHORIZATION_TOKEN=wrongTok3n -- creds
check "the token file wins over AWS_CONTAINER_AUTHORIZATION_TOKEN" \
    all_of creds_ok

run_full_uri "http://localhost:$PORT/local"
check "http://localhost is allowed" all_of creds_ok

run AWS_CONTAINER_CREDENTIALS_FULL_URI="$BASE/wrong" \
    AWS_CONTAINER_AUTHORIZATION_TOKEN=wrongTok3n -- creds
check "a wrong token: one clear error" \
    fails_with "container credentials from $BASE/wrong: HTTP 401" \
    "the authorization token was refused"
check "... not retried, and the endpoint's body (echoing the token) not shown" \
    eval 'requests /wrong 1 && ! grep -q "bad token" err'

printf 'wrongTok3n\n' >badtoken
run AWS_CONTAINER_CREDENTIALS_FULL_URI="$BASE/wrongfile" \
    AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE="$T/badtoken" -- creds
check "a wrong token in the token file: the same error" \
    fails_with "HTTP 401" "the authorization token was refused"

run AWS_CONTAINER_CREDENTIALS_FULL_URI="$BASE/notoken" -- creds
check "no token at all: said so" \
    fails_with "HTTP 401" "no authorization token was sent"

run AWS_CONTAINER_CREDENTIALS_FULL_URI="$BASE/x" \
    AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE="$T/nosuchfile" -- creds
check "a missing token file is named" \
    fails_with "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE $T/nosuchfile"

: >requests.log
run_full_uri "http://10.255.255.1:$PORT/creds"
check "plain http to a non-loopback address is refused" \
    fails_with "AWS_CONTAINER_CREDENTIALS_FULL_URI http://10.255.255.1:$PORT/creds refused" \
    "plain http is allowed only to a loopback address"
run_full_uri "http://example.com:$PORT/creds"
check "plain http to a host name is refused" fails_with "refused"
run_full_uri "http://127.0.0.1@10.255.255.1:$PORT/creds"
check "user info cannot disguise the host" fails_with "refused"
check "... and nothing was sent anywhere" eval '[ ! -s requests.log ]'

run_full_uri "$BASE/fail/1/c"
check "a 500 is retried once, then the credentials arrive" \
    eval 'creds_ok && requests /fail/1/c 2'

run_full_uri "$BASE/fail/2/c"
check "two 500s: an error after 2 tries" \
    eval 'fails_with "HTTP 500" "(2 tries)" && requests /fail/2/c 2'

run_full_uri "$BASE/slowfirst/2600/c"
check "a request over the 2 s timeout is retried" \
    eval 'creds_ok && requests /slowfirst/2600/c 2'

run_full_uri "$BASE/garbage/c"
check "a body that is not JSON: clear error" \
    fails_with "the response is not a JSON object"

run_full_uri "$BASE/nokeys/c"
check "JSON without SecretAccessKey: clear error" \
    fails_with "the response has no SecretAccessKey"

run_full_uri "$BASE/redirect/c"
# (requests.log was emptied before the refusal tests: no /creds since.)
check "a redirect is not followed" \
    eval 'fails_with "HTTP 302" && requests /redirect/c 1 && requests /creds 0'

run_full_uri "$BASE/big/c"
check "a body over 64 KiB is refused" fails_with "is larger than 65536 bytes"

run_full_uri "$BASE/exp/2030-01-02T05:04:05.250%2B02:00/c"
check "Expiration with a fraction and an offset" all_of creds_ok

run_full_uri "$BASE/exp/next%20Tuesday/c"
check "an Expiration that is no time: clear error" \
    fails_with "Expiration is not an ISO 8601 time"

# A port nothing listens on: bind one, note it, let it go.
DEAD=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
run_full_uri "http://127.0.0.1:$DEAD/c"
check "nothing listening: the URL, the cause and the tries" \
    fails_with "container credentials from http://127.0.0.1:$DEAD/c:" "(2 tries)"

: >requests.log
run AWS_ACCESS_KEY_ID=AKIDENV AWS_SECRET_ACCESS_KEY=envSekrit \
    AWS_CONTAINER_CREDENTIALS_FULL_URI="$BASE/creds" \
    AWS_CONTAINER_AUTHORIZATION_TOKEN="$TOKEN" -- creds
check "environment keys win; the endpoint is not asked" \
    eval '[ $rc -eq 0 ] && grep -qx source=environment out && [ ! -s requests.log ]'

mkdir -p home/.aws
printf '[default]\nregion = eu-west-1\n' >home/.aws/config
run_full_uri "$BASE/afterprofile"
check "a default profile without keys falls through to the container" \
    all_of creds_ok
run -- creds
check "nothing configured: the one clear error" \
    fails_with "no AWS credentials found: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, AWS_PROFILE (profile 'default' in $T/home/.aws/config has no aws_access_key_id" \
    "or run where the container credentials endpoint is available"
run -- region
check "awscreds region reads the config file" \
    eval '[ $rc -eq 0 ] && grep -qx region=eu-west-1 out'

echo "# $passed passed, $failed failed"
[ "$failed" -eq 0 ]

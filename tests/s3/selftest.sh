#!/usr/bin/env bash
# tests/s3/selftest.sh: checks the S3 test harness itself (s3rver with SigV4
# checking, s3util.py, dropproxy.py), TAP lines, "# N passed, M failed".
# Needs tests/node_modules (./dev.sh test installs it; this never does).
# Uses the Debian awscli for a cross-check when /usr/bin/aws is there
# (skipped otherwise).  About 15 s.
# shellcheck disable=SC2015 # "A && ok || not_ok": ok always returns 0
set -u
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
cd "$repo" || exit 1

n=0 passed=0 failed=0
ok() { n=$((n + 1)); passed=$((passed + 1)); echo "ok $n - $1"; }
not_ok() {
	n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"
	[ $# -gt 1 ] && printf '%s\n' "$2" | head -n 30 | sed 's/^/#   /'
	return 0
}
skip() { n=$((n + 1)); passed=$((passed + 1)); echo "ok $n - $1 # SKIP $2"; }
check() { # check DESC CMD...: ok when CMD succeeds
	local desc=$1 out
	shift
	if out=$("$@" 2>&1); then ok "$desc"; else not_ok "$desc" "$out"; fi
}
finish() {
	echo "# $passed passed, $failed failed"
	[ "$failed" -eq 0 ]
	exit
}

work=$(mktemp -d "${TMPDIR:-/tmp}/elbship-s3-selftest.XXXXXX")
proxy_pid=
# shellcheck disable=SC2317 # called by the trap
cleanup() {
	[ -n "$proxy_pid" ] && kill "$proxy_pid" 2>/dev/null
	"$here/s3rver.sh" stop "$work/s3" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT

# ---- Node dependencies ----------------------------------------------------
# Installed by ./dev.sh test (npm ci --prefix tests), never here.
if [ ! -f tests/node_modules/s3rver/package.json ]; then
	not_ok "s3rver installed" "tests/node_modules/s3rver is missing: run ./dev.sh test (or npm ci --prefix tests)"
	finish
fi
want=$(sed -n 's/.*"s3rver": *"\([^"]*\)".*/\1/p' tests/package.json | head -n 1)
have=$(sed -n 's/^ *"version": *"\([^"]*\)".*/\1/p' tests/node_modules/s3rver/package.json | head -n 1)
if [ -n "$want" ] && [ "$want" = "$have" ]; then ok "s3rver $have installed, as pinned"; else not_ok "s3rver version: tests/package.json $want, installed $have (./dev.sh test reinstalls it)"; fi

# Debian's python3 when there is one: a pyenv shim in PATH costs ~0.1 s a call
PY=python3
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3
S3UTIL="$PY $here/s3util.py"
# shellcheck disable=SC2086 # S3UTIL is "interpreter script"
check "s3util.py SigV4 signer matches AWS's published example" $S3UTIL selfcheck

# ---- start ----------------------------------------------------------------
t0=$(date +%s%N)
if S3RVER_PARENT_PID=$$ S3RVER_MAX_SECONDS=300 "$here/s3rver.sh" start "$work/s3" 2>"$work/start.err"; then
	ms=$((($(date +%s%N) - t0) / 1000000))
	ok "s3rver started and answered in ${ms} ms (s3rver.sh allows 10 s)"
else
	not_ok "s3rver.sh start" "$(cat "$work/start.err")"
	finish
fi
# shellcheck disable=SC1091
. "$work/s3/env"
for v in AWS_ENDPOINT_URL_S3 AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_REGION S3RVER_PID; do
	[ -n "${!v:-}" ] || not_ok "env file lacks $v"
done
case $AWS_ENDPOINT_URL_S3 in http://127.0.0.1:[0-9]*) ok "env: $AWS_ENDPOINT_URL_S3, key $AWS_ACCESS_KEY_ID, region $AWS_REGION" ;; *) not_ok "env endpoint $AWS_ENDPOINT_URL_S3" ;; esac
S="$S3UTIL --env-file $work/s3/env"
E0=e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855 # SHA-256 of ""

# curlsig SECRET ARGS...: curl with curl's own SigV4 signer (an independent one)
curlsig() {
	local secret=$1
	shift
	curl -sS -m 10 --aws-sigv4 "aws:amz:$AWS_REGION:s3" --user "$AWS_ACCESS_KEY_ID:$secret" "$@"
}

# ---- signature checking ---------------------------------------------------
$S mb harness >/dev/null 2>&1 || not_ok "create bucket harness"
out=$($S --unsigned request GET /harness 2>&1)
case $out in 403*"<Code>AccessDenied</Code>"*) ok "unsigned request -> 403 AccessDenied" ;; *) not_ok "unsigned request" "$out" ;; esac
out=$($S --secret-access-key 'wrong/secret+0123456789abcdefghijklmnopq' request GET /harness --query list-type=2 2>&1)
case $out in 403*"<Code>SignatureDoesNotMatch</Code>"*"<CanonicalRequest>"*) ok "wrong secret (s3util) -> 403 SignatureDoesNotMatch with the CanonicalRequest" ;; *) not_ok "wrong secret (s3util)" "$out" ;; esac
out=$(curlsig wrong-secret -H "x-amz-content-sha256: $E0" -w '\n%{http_code}' "$AWS_ENDPOINT_URL_S3/harness?list-type=2" 2>&1)
case $out in *"<Code>SignatureDoesNotMatch</Code>"*403) ok "wrong secret (curl --aws-sigv4) -> 403 SignatureDoesNotMatch" ;; *) not_ok "wrong secret (curl)" "$out" ;; esac
out=$(curlsig "$AWS_SECRET_ACCESS_KEY" -H "x-amz-content-sha256: $E0" -w '\n%{http_code}' "$AWS_ENDPOINT_URL_S3/harness?list-type=2" 2>&1)
case $out in *"<ListBucketResult"*200) ok "right secret (curl --aws-sigv4) -> 200" ;; *) not_ok "right secret (curl)" "$out" ;; esac
out=$($S --access-key-id S3RVER --secret-access-key S3RVER request GET /harness 2>&1)
case $out in 403*"<Code>InvalidAccessKeyId</Code>"*) ok "s3rver's built-in S3RVER key is gone -> 403 InvalidAccessKeyId" ;; *) not_ok "unknown key id" "$out" ;; esac
out=$($S --region eu-west-1 request GET /harness 2>&1)
case $out in 400*"<Code>AuthorizationHeaderMalformed</Code>"*) ok "wrong region in the scope -> 400 AuthorizationHeaderMalformed" ;; *) not_ok "wrong region" "$out" ;; esac
printf 'payload' >"$work/payload"
out=$(curlsig "$AWS_SECRET_ACCESS_KEY" -X PUT --data-binary @"$work/payload" -H "x-amz-content-sha256: $E0" -w '\n%{http_code}' "$AWS_ENDPOINT_URL_S3/harness/tampered" 2>&1)
case $out in *"<Code>XAmzContentSHA256Mismatch</Code>"*400) ok "body not matching x-amz-content-sha256 -> 400 XAmzContentSHA256Mismatch" ;; *) not_ok "payload hash check" "$out" ;; esac
url=$($S presign harness nonexistent-key)
out=$(curl -sS -m 10 -w '\n%{http_code}' "$url" 2>&1)
case $out in *"<Code>NoSuchKey</Code>"*404) ok "presigned URL (query SigV4) accepted" ;; *) not_ok "presigned URL" "$out" ;; esac
out=$(curl -sS -m 10 -w '\n%{http_code}' "${url%?}$([ "${url: -1}" = 0 ] && echo 1 || echo 0)" 2>&1)
case $out in *"<Code>SignatureDoesNotMatch</Code>"*403) ok "tampered presigned URL -> 403" ;; *) not_ok "tampered presigned URL" "$out" ;; esac

# ---- odd keys -------------------------------------------------------------
keys=(
	'AWSLogs/111122223333/elasticloadbalancing/eu-west-1/2025/11/03/plain.log.gz'
	'space in name.log'
	'plus+sign.log'
	'percent%41literal.log'
	'equals=sign&amp.log'
	'café/é.log'
	'日本/ログ.log'
	'question?hash#.log'
	'tilde~star*(paren).log'
)
i=0 bad=
: >"$work/put.list"
: >"$work/get.list"
for k in "${keys[@]}"; do
	i=$((i + 1))
	printf 'object %d: %s\n' "$i" "$k" >"$work/in.$i"
	printf '%s\t%s\n' "$k" "$work/in.$i" >>"$work/put.list"
	printf '%s\t%s\n' "$k" "$work/out.$i" >>"$work/get.list"
done
$S put-list harness "$work/put.list" 2>"$work/err" || bad="put-list: $(cat "$work/err")"
$S get-list harness "$work/get.list" 2>"$work/err" || bad="$bad get-list: $(cat "$work/err")"
i=0
for k in "${keys[@]}"; do
	i=$((i + 1))
	cmp -s "$work/in.$i" "$work/out.$i" || bad="$bad differs[$k]"
done
[ -z "$bad" ] && ok "put + get round-trip ${#keys[@]} odd keys (space + % = & é 日本 ? # ~ * ( ))" || not_ok "odd keys round-trip" "$bad"
$S ls harness >"$work/ls" 2>&1
printf '%s\n' "${keys[@]}" | LC_ALL=C sort >"$work/want"
if LC_ALL=C sort "$work/ls" | cmp -s - "$work/want"; then ok "ListObjectsV2 gives back exactly those keys"; else not_ok "listing of odd keys" "$(LC_ALL=C sort "$work/ls" | diff - "$work/want")"; fi
$S ls harness --encoding-type url --pages >"$work/ls2" 2>"$work/pages2"
if grep -q 'EncodingType=-' "$work/pages2" && LC_ALL=C sort "$work/ls2" | cmp -s - "$work/want"; then
	ok "encoding-type=url is ignored: no <EncodingType> echoed, keys raw (quirk)"
else
	not_ok "encoding-type=url behaviour changed" "$(cat "$work/pages2")"
fi
out=$($S put harness 'double//slash.log' "$work/in.1" 2>&1)
case $out in *"HTTP 404"*) ok "a key with '//' cannot be stored: 404 from s3rver's router (quirk)" ;; *) not_ok "'//' key behaviour changed" "$out" ;; esac
out=$($S get harness 'no such é key' 2>&1)
case $out in *"HTTP 404 NoSuchKey"*) ok "missing key -> 404 NoSuchKey" ;; *) not_ok "missing key" "$out" ;; esac
out=$($S request GET "/harness/no%20such%20%C3%A9%20key" 2>&1)
case $out in *"<Key>no such &eacute; key</Key>"*) ok "error XML writes é as &eacute; (an HTML entity, not XML: quirk)" ;; *) not_ok "error entity quirk changed" "$out" ;; esac

# ---- more than 1000 keys --------------------------------------------------
t0=$(date +%s%N)
if $S put-many harness 'many/obj-%05d.log' 1100 --size 16 2>"$work/err"; then
	ok "put 1100 objects in $((($(date +%s%N) - t0) / 1000000)) ms"
else
	not_ok "put-many" "$(cat "$work/err")"
fi
$S ls harness --prefix many/ --pages >"$work/many" 2>"$work/pages"
if grep -q '^page 1: KeyCount=1000 keys=1000 .*IsTruncated=true NextContinuationToken=[A-Za-z0-9+/=]' "$work/pages" &&
	grep -q '^page 2: KeyCount=100 keys=100 .*IsTruncated=false' "$work/pages" && [ "$(wc -l <"$work/pages")" -eq 2 ]; then
	ok "ListObjectsV2 pages at 1000 keys with a NextContinuationToken, then 100"
else
	not_ok "pagination" "$(cat "$work/pages")"
fi
if [ "$(sort -u "$work/many" | wc -l)" -eq 1100 ] && LC_ALL=C sort -c "$work/many" 2>/dev/null; then
	ok "1100 distinct keys over the pages, in order"
else
	not_ok "keys over pages" "$(wc -l <"$work/many") keys"
fi
$S ls harness --prefix many/ --max-keys 300 --pages >/dev/null 2>"$work/pages3"
[ "$(wc -l <"$work/pages3")" -eq 4 ] && ok "max-keys=300 gives 4 pages" || not_ok "max-keys=300" "$(cat "$work/pages3")"
if $S rm-all harness --prefix many/ 2>"$work/err" && [ -z "$($S ls harness --prefix many/)" ]; then ok "delete 1100 objects"; else not_ok "delete" "$(cat "$work/err")"; fi

# ---- Range ----------------------------------------------------------------
head -c 100000 /dev/urandom >"$work/big"
$S put harness 'logs/big file é.bin' "$work/big" >/dev/null
out=$($S request GET '/harness/logs/big%20file%20%C3%A9.bin' -H 'Range: bytes=99990-' 2>&1 | tr -d '\r' | head -n 12)
case $out in 206*"content-length: 10"*"content-range: bytes 99990-99999/100000"*) ok "Range bytes=99990- -> 206, Content-Range bytes 99990-99999/100000" ;; *) not_ok "Range request" "$out" ;; esac

# ---- drop proxy -----------------------------------------------------------
$PY "$here/dropproxy.py" --listen-port 0 --port-file "$work/proxy.port" --target "127.0.0.1:$S3RVER_PORT" \
	--drop-after-bytes 30000 --drop-times 2 --match '/big' --log "$work/proxy.log" --parent-pid $$ --max-seconds 120 \
	2>"$work/proxy.err" &
proxy_pid=$!
for _ in $(seq 1 50); do [ -s "$work/proxy.port" ] && break; sleep 0.1; done
pport=$(cat "$work/proxy.port" 2>/dev/null)
if [ -n "$pport" ]; then ok "dropproxy listening on $pport"; else not_ok "dropproxy start" "$(cat "$work/proxy.err")"; fi
purl="http://127.0.0.1:$pport/harness/logs/big%20file%20%C3%A9.bin"
curlsig "$AWS_SECRET_ACCESS_KEY" -H "x-amz-content-sha256: $E0" -o "$work/part1" "$purl" 2>"$work/curl1.err"
rc=$?
got=$(stat -c %s "$work/part1" 2>/dev/null || echo 0)
if [ "$rc" -eq 56 ] && [ "$got" -eq 30000 ]; then ok "full GET cut after 30000 bytes (curl: connection reset, exit 56)"; else not_ok "cut" "rc=$rc got=$got $(cat "$work/curl1.err")"; fi
curlsig "$AWS_SECRET_ACCESS_KEY" -H "x-amz-content-sha256: $E0" -r "$got-" -o "$work/part2" "$purl" 2>/dev/null
rc2=$?
got2=$(stat -c %s "$work/part2" 2>/dev/null || echo 0)
[ "$rc2" -eq 56 ] && [ "$got2" -eq 30000 ] && ok "first resume (Range: bytes=30000-) cut too (--drop-times 2)" || not_ok "second cut" "rc=$rc2 got=$got2"
curlsig "$AWS_SECRET_ACCESS_KEY" -H "x-amz-content-sha256: $E0" -r "$((got + got2))-" -o "$work/part3" -w '%{http_code}' "$purl" >"$work/code3" 2>/dev/null
if [ "$(cat "$work/code3")" = 206 ] && cat "$work/part1" "$work/part2" "$work/part3" | cmp -s - "$work/big"; then
	ok "second resume (Range: bytes=60000-) passes whole (206); the three parts rebuild the object"
else
	not_ok "resume" "code $(cat "$work/code3")"
fi
# The proxy logs the whole answer after its last byte: wait for that line.
for _ in $(seq 50); do
	[ "$(grep -c '"ev": "resp".*/big' "$work/proxy.log")" -ge 3 ] && break
	sleep 0.1
done
ranges=$($PY -c '
import json, sys
for line in open(sys.argv[1]):
    e = json.loads(line)
    if e["ev"] == "resp" and "/big" in e["target"]:
        print("%s %s %d %s" % (e["range"], e["status"], e["body_bytes"], "cut" if e["cut"] else "whole"))
' "$work/proxy.log" | tr '\n' ';')
if [ "$ranges" = "None 200 30000 cut;bytes=30000- 206 30000 cut;bytes=60000- 206 40000 whole;" ]; then
	ok "proxy log: Range none/30000-/60000-, statuses 200/206/206, bytes 30000/30000/40000"
else
	not_ok "proxy log" "$ranges"
fi
# keep-alive through the proxy: one s3util process, one connection, many requests
SP="$S --endpoint http://127.0.0.1:$pport"
$SP put-many harness 'ka/obj-%03d' 50 --threads 1 2>/dev/null && $SP ls harness --prefix ka/ >/dev/null 2>&1
maxreq=$($PY -c '
import json, sys, collections
c = collections.Counter(json.loads(l)["conn"] for l in open(sys.argv[1]) if json.loads(l)["ev"] == "resp")
print(max(c.values()))' "$work/proxy.log")
[ "$maxreq" -ge 50 ] && ok "keep-alive through the proxy: $maxreq requests on one connection" || not_ok "keep-alive" "max $maxreq per connection"
$SP get harness 'logs/big file é.bin' -o "$work/part4" 2>/dev/null && cmp -s "$work/part4" "$work/big" && ok "after --drop-times cuts, GETs pass whole" || not_ok "GET after cuts"

# ---- awscli cross-check ---------------------------------------------------
AWS=/usr/bin/aws
if [ -x "$AWS" ]; then
	export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_EC2_METADATA_DISABLED=true
	# Debian's awscli 2.9 does not read AWS_ENDPOINT_URL_S3 (2.13+ does)
	out=$("$AWS" --endpoint-url "$AWS_ENDPOINT_URL_S3" s3api put-object --bucket harness --key 'awscli/é + ü.log' --body "$work/in.1" --output text --query ETag 2>&1 &&
		$S ls harness --prefix awscli/ 2>&1)
	case $out in *'"'*"awscli/é + ü.log"*) ok "Debian awscli ($("$AWS" --version 2>&1 | cut -d' ' -f1)) signs requests the server accepts" ;; *) not_ok "awscli" "$out" ;; esac
	out=$(AWS_SECRET_ACCESS_KEY=wrong "$AWS" --endpoint-url "$AWS_ENDPOINT_URL_S3" s3api list-objects-v2 --bucket harness 2>&1)
	case $out in *SignatureDoesNotMatch*) ok "awscli with a wrong secret -> SignatureDoesNotMatch" ;; *) not_ok "awscli wrong secret" "$out" ;; esac
else
	skip "awscli cross-check" "/usr/bin/aws not installed (apt-get install awscli)"
fi

# ---- stop -----------------------------------------------------------------
kill "$proxy_pid" 2>/dev/null
proxy_pid=
"$here/s3rver.sh" stop "$work/s3"
st=$(sed -n 's/.*) \(.\).*/\1/p' "/proc/$S3RVER_PID/stat" 2>/dev/null) # Z: exited, not yet reaped
if { [ -z "$st" ] || [ "$st" = Z ]; } && ! curl -s -m 2 -o /dev/null "$AWS_ENDPOINT_URL_S3/"; then
	ok "s3rver.sh stop: process gone, port closed"
else
	not_ok "stop"
fi
finish

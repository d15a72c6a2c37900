#!/usr/bin/env bash
# tests/cli/run.sh: end-to-end tests of the elbship command line.
#
#   ELBSHIP=build/asan/elbship tests/cli/run.sh
#   KEEP=1 tests/cli/run.sh      (keep the temporary directory to look at)
#   tests/cli/run.sh TEXT...     only the checks whose description or
#                                function name contains one of the TEXTs,
#                                e.g. tests/cli/run.sh --max-line t_crlf
#
# Runs $ELBSHIP (default build/release/elbship) on inputs made in a
# temporary directory (removed at the end): flags and their errors, exit
# statuses, paths (files, directories, stdin, unreadable ones), gzip (magic
# bytes, multi-member, truncated, corrupt, trailing garbage), line handling
# (blank, CRLF, no final newline, over-long), ids, labels, bulk output, the
# summary, and that every document is valid JSON (jq).  Needs bash, jq,
# gzip and coreutils; no timing (one check waits 2 x 2 s for progress lines), no network.
#
# TAP: "ok N - ..." / "not ok N - ..." and a last line "# N passed, M
# failed"; exit 1 if anything failed.  A check that finds a known bug in
# src/ is reported as "ok N - ... # TODO bug: ..." (counted as passed, so
# the suite stays green while the bug stays visible); when it passes the
# line says so (the bug may be fixed, or, for memory errors, this build may
# just not detect it: the ASan build does).
set -u
export LC_ALL=C

cd "$(dirname "$0")/../.." || exit 1
ELBSHIP=${ELBSHIP:-build/release/elbship}
case $ELBSHIP in
/*) ;;
*) ELBSHIP=$PWD/$ELBSHIP ;;
esac
if [ ! -x "$ELBSHIP" ]; then
	echo "not ok 1 - $ELBSHIP is not built (make)"
	echo "# 0 passed, 1 failed"
	exit 1
fi
for tool in jq gzip sha256sum; do
	if ! command -v "$tool" >/dev/null; then
		echo "not ok 1 - $tool is needed (scripts/deps.sh test)"
		echo "# 0 passed, 1 failed"
		exit 1
	fi
done

# Settings also come from ELBSHIP_* variables: start from none.
for v in $(env | sed -n 's/^\(ELBSHIP_[A-Za-z0-9_]*\)=.*/\1/p'); do
	unset "$v"
done
SETTINGS_SRC=$PWD/src/core/settings.c
REPO=$PWD

T=$(mktemp -d "${TMPDIR:-/tmp}/elbship-cli.XXXXXX") || exit 1
trap 'chmod -R u+rwx "$T" 2>/dev/null; [ -n "${KEEP:-}" ] || rm -rf "$T"' EXIT
cd "$T" || exit 1

# ---- TAP ----------------------------------------------------------------

n=0
passed=0
failed=0

# wanted DESC FUNC: the check is to run (no TEXT given, or DESC or FUNC
# contains one).
filters=("$@")
wanted() {
	local f
	[ ${#filters[@]} -eq 0 ] && return 0
	for f in "${filters[@]}"; do
		case "$1 $2" in *"$f"*) return 0 ;; esac
	done
	return 1
}

ok() {
	n=$((n + 1))
	passed=$((passed + 1))
	echo "ok $n - $1"
}

# notok DESC: a failure, with what the last run did.
notok() {
	n=$((n + 1))
	failed=$((failed + 1))
	echo "not ok $n - $1"
	echo "#   last run: elbship ${last_args:-} -> exit ${rc:-?}"
	if [ -s err ]; then
		head -n 5 err | sed 's/^/#   stderr: /'
	fi
	[ -n "${why:-}" ] && echo "#   $why"
}

# check DESC FUNC [ARGS...]: ok if FUNC succeeds.  FUNC may set $why.
check() {
	local desc=$1
	shift
	wanted "$desc" "$1" || return 0
	why=
	if "$@"; then ok "$desc"; else notok "$desc"; fi
}

# todo DESC BUG FUNC [ARGS...]: a check of behavior a known bug in src/
# breaks: counted as passed either way, marked TODO.
todo() {
	local desc=$1 bug=$2
	shift 2
	wanted "$desc" "$1" || return 0
	why=
	n=$((n + 1))
	passed=$((passed + 1))
	if "$@"; then
		echo "ok $n - $desc # TODO passes with this build; known bug: $bug"
	else
		echo "ok $n - $desc # TODO bug: $bug"
		[ -n "$why" ] && echo "#   $why"
	fi
}

skip() {
	wanted "$1" "" || return 0
	n=$((n + 1))
	passed=$((passed + 1))
	echo "ok $n - $1 # SKIP $2"
}

# ---- running elbship ----------------------------------------------------

# run ARGS...: run elbship with stdin from /dev/null; stdout in ./out,
# stderr in ./err, the exit status in $rc.
run() {
	last_args="$*"
	# (the braces keep bash's "Segmentation fault" notices off stderr)
	{ "$ELBSHIP" "$@" <"${STDIN:-/dev/null}" >out 2>err; } 2>/dev/null
	rc=$?
}

# run_in FILE ARGS...: run with stdin from FILE.
run_in() {
	local f=$1
	shift
	STDIN=$f run "$@"
}

lines() { # lines FILE: number of lines
	wc -l <"$1" | tr -d ' '
}

# one_line: stderr is exactly one line.
one_line() {
	[ "$(lines err)" -eq 1 ] || { why="stderr has $(lines err) lines, want 1"; return 1; }
}

# json_ok FILE: every line of FILE is one valid JSON object.
json_ok() {
	local f=${1:-out} k
	[ -s "$f" ] || return 0
	k=$(jq -c 'if type == "object" then 1 else error("not an object") end' "$f" 2>/dev/null | wc -l)
	[ "$k" -eq "$(lines "$f")" ] || { why="$f: $k valid JSON objects in $(lines "$f") lines"; return 1; }
}

# status WANT: the exit status was WANT.
status() {
	[ "$rc" -eq "$1" ] || { why="exit $rc, want $1"; return 1; }
}

# id_base NAME: the first 20 hex digits of SHA-256(NAME).
id_base() {
	printf '%s' "$1" | sha256sum | cut -c1-20
}

# starts FILE: byte offsets where the lines of FILE start.
starts() {
	awk 'BEGIN { o = 0 } { print o; o += length($0) + 1 }' "$1"
}

# ---- inputs ---------------------------------------------------------------

# Test vectors from the format reference (docs: AWS ELB log formats).
cat >alb.txt <<'EOF'
https 2025-11-03T10:15:42.123456Z app/shop-alb/1a2b3c4d5e6f7a8b 198.51.100.23:53012 10.1.2.3:8080 0.001 0.042 0.000 200 200 512 2048 "GET https://shop.example.com:443/cart?id=7 HTTP/1.1" "Mozilla/5.0 (X11; Linux x86_64)" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 arn:aws:elasticloadbalancing:eu-west-1:111122223333:targetgroup/shop-tg/0123456789abcdef "Root=1-6908c2be-0123456789abcdef01234567" "shop.example.com" "arn:aws:acm:eu-west-1:111122223333:certificate/aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee" 3 2025-11-03T10:15:42.080000Z "waf,forward" "-" "-" "10.1.2.3:8080" "200" "-" "-" TID_0123456789abcdef0123456789abcdef "-" "-" "-"
http 2025-11-03T10:15:43.000001Z app/shop-alb/1a2b3c4d5e6f7a8b 198.51.100.24:40000 - 0.000 0.003 0.000 502 - 40 300 "POST http://shop.example.com:80/fn HTTP/1.1" "curl/8.5.0" - - arn:aws:elasticloadbalancing:eu-west-1:111122223333:targetgroup/fn-tg/fedcba9876543210 "Root=1-6908c2bf-aaaaaaaaaaaaaaaaaaaaaaaa" "-" "-" 0 2025-11-03T10:15:42.990000Z "forward" "-" "LambdaInvalidResponse" "-" "-" "-" "-" TID_11112222333344445555666677778888 "-" "-" "-"
h2 2025-11-03T10:15:44.5Z app/shop-alb/1a2b3c4d5e6f7a8b [2001:db8::7]:443 10.1.2.4:8080 0.000 0.010 0.000 301 - 90 200 "GET https://shop.example.com:443/old?q=\x22x\x22 HTTP/2.0" "Caf\xC3\xA9Bot/1.0 \x5cz" TLS_AES_128_GCM_SHA256 TLSv1.3 - "Root=1-6908c2c0-bbbbbbbbbbbbbbbbbbbbbbbb" "shop.example.com" "session-reused" 5 2025-11-03T10:15:44.400000Z "redirect" "https://shop.example.com:443/new" "-" "-" "-" "Acceptable" "SpaceInUri" TID_aaaabbbbccccddddeeeeffff00001111 "-" "-" "-" 10.0.4.17 - extra
EOF
cat >clb.txt <<'EOF'
2024-06-01T08:00:01.000123Z web-clb 198.51.100.4:40001 10.0.1.5:80 0.000041 0.002310 0.000020 200 200 0 1534 "GET http://www.example.org:80/index.html HTTP/1.1" "curl/8.5.0" - -
2024-06-01T08:00:02.500000Z web-clb 198.51.100.4:40002 10.0.1.5:80 0.000050 0.001000 0.000030 304 304 0 0 "GET https://www.example.org:443/a.css HTTP/1.1" "Mozilla/5.0 (X11)" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2
2024-06-01T08:00:03.000001Z tcp-clb 198.51.100.9:51000 10.0.1.6:5432 0.001000 0.000030 0.000040 - - 812 3305 "- - - " "-" - -
2024-06-01T08:00:04.000001Z web-clb 198.51.100.9:51001 - -1 -1 -1 504 0 0 0 "GET http://www.example.org:80/slow HTTP/1.1" "curl/8.5.0" - -
EOF
cat >nlb.txt <<'EOF'
tls 2.0 2025-11-03T10:20:05 net/edge-nlb/0f1e2d3c4b5a6978 c0ffee12345678ab 198.51.100.7:50211 10.2.0.15:443 120 8 517 4096 - arn:aws:acm:us-east-1:111122223333:certificate/12345678-aaaa-bbbb-cccc-1234567890ab - ECDHE-RSA-AES128-GCM-SHA256 tlsv12 - api.example.com h2 h2 "h2","http/1.1" 2025-11-03T10:20:04
EOF
cat >conn.txt <<'EOF'
2025-11-03T10:15:41.900100Z 198.51.100.23 53012 443 TLSv1.3 TLS_AES_128_GCM_SHA256 0.012 "CN=client-7,O=Example,C=DE" NotBefore=2025-01-01T00:00:00Z;NotAfter=2026-01-01T00:00:00Z 0A1B2C3D4E5F Success TID_0123456789abcdef0123456789abcdef X25519MLKEM768 app/shop-alb/1a2b3c4d5e6f7a8b 10.0.4.17
2025-11-03T10:15:45.000000Z 203.0.113.5 60001 80 - - - "-" - - - TID_00000000000000000000000000000001 - app/shop-alb/1a2b3c4d5e6f7a8b 10.0.4.17
EOF

# AWS-style file names (docs/fields.md, lbname.h).
ALB=111122223333_elasticloadbalancing_eu-west-1_app.shop-alb.1a2b3c4d5e6f7a8b_20251103T1020Z_10.0.4.17_3kq9zz1p.log
ALB2=111122223333_elasticloadbalancing_eu-west-1_app.shop-alb.1a2b3c4d5e6f7a8b_20251103T1025Z_10.0.4.17_7p1kq9zz.log
NLB=111122223333_elasticloadbalancing_us-east-1_net.edge-nlb.0f1e2d3c4b5a6978_20251103T1025Z_7abc12de.log
CONN=conn_log.111122223333_elasticloadbalancing_eu-west-1_app.shop-alb.1a2b3c4d5e6f7a8b_20251103T1020Z_10.0.4.17_9zz1p3kq.log
CONN2=conn_log_111122223333_elasticloadbalancing_eu-west-1_app.shop-alb.1a2b3c4d5e6f7a8b_20251103T1025Z_10.0.4.17_1p3kq9zz.log
CLB=111122223333_elasticloadbalancing_us-east-1_my-clb_20240601T0800Z_10.0.1.9_abcd1234.log

# big.txt: 3000 distinct ALB lines (about 1.5 MB).
awk 'NR <= 3 { l[NR - 1] = $0 }
    END { for (i = 1; i <= 3000; i++) { s = l[i % 3]; sub(/:[0-9]+ /, ":" i " ", s); print s } }' \
    alb.txt >big.txt

# ---- help and version ---------------------------------------------------

t_main_help() {
	run --help
	status 0 && [ ! -s err ] && grep -q '^usage: elbship COMMAND' out &&
	    grep -q 'ship PATH' out && grep -q -- '--version' out
}
check "elbship --help: usage on stdout, exit 0" t_main_help

t_ship_help() {
	local f
	run ship --help
	status 0 || return 1
	[ ! -s err ] || { why="stderr not empty"; return 1; }
	for f in '-o, --output FILE' '--format FORMAT' '-t, --type TYPE' \
	    '-l, --label KEY=VALUE' '-e, --event-original' '--name NAME' \
	    '--strict' '--max-line BYTES' '--threads N' '-q, --quiet' \
	    '-h, --help' 'Exit status'; do
		grep -qF -- "$f" out || { why="help lacks '$f'"; return 1; }
	done
	for f in 0 1 2 3 4; do
		grep -qE "^  $f  [^ ]" out || { why="help lacks exit status $f"; return 1; }
	done
}
check "ship --help documents every flag and exit statuses 0-4" t_ship_help

# Every long option in the settings table (src/core/settings.c) is in the
# help, with its environment variable if it has one.  (Compares the binary
# with the source: the binary must be built from this tree, as tests/run.sh
# does.)
t_help_table() {
	local o e
	[ -f "$SETTINGS_SRC" ] || { why="no $SETTINGS_SRC"; return 1; }
	need_help1
	for o in $(grep -oE '^[[:space:]]*\{ "[a-z0-9-]+",' "$SETTINGS_SRC" | tr -d '{", \t'); do
		grep -qE -- "--$o( |$)" help1 || { why="--$o is not in ship --help"; return 1; }
	done
	for e in $(grep -oE '"ELBSHIP_[A-Z0-9_]+"' "$SETTINGS_SRC" | tr -d '"' | sort -u); do
		grep -qF -- "$e" help1 || { why="$e is not in ship --help"; return 1; }
	done
}

# need_help1: help1 holds `ship --help` (t_help_ship writes it; this is for
# a check run alone: tests/cli/run.sh TEXT).
need_help1() {
	[ -s help1 ] || "$ELBSHIP" ship --help >help1 2>/dev/null
}

t_help_ship() {
	run ship --help
	mv out help1
	run help ship
	status 0 && cmp -s out help1 && [ ! -s err ]
}
check "elbship help ship = elbship ship --help" t_help_ship

t_ship_h_short() {
	need_help1
	run ship -h
	status 0 && cmp -s out help1
}
check "ship -h = ship --help" t_ship_h_short
if [ -f "$SETTINGS_SRC" ]; then
	check "ship --help lists every option and ELBSHIP_* variable of the settings table" t_help_table
else
	skip "ship --help lists every option and ELBSHIP_* variable of the settings table" "no src/core/settings.c"
fi

t_version() {
	local v
	run --version
	status 0 && [ "$(lines out)" -eq 1 ] && grep -qE '^elbship [^ ]+$' out || return 1
	v=$(cat out)
	run -V
	status 0 && [ "$(cat out)" = "$v" ] || return 1
	run version
	status 0 && [ "$(cat out)" = "$v" ] && [ ! -s err ]
}
check "--version, -V, version: 'elbship VERSION', exit 0" t_version

t_no_command() {
	run
	status 2 && [ ! -s out ] && grep -q usage err
}
check "no command: usage on stderr, exit 2" t_no_command

t_bad_command() {
	run frobnicate
	status 2 && one_line && grep -q "'frobnicate'" err && [ ! -s out ]
}
check "unknown command: one line naming it, exit 2" t_bad_command

# ---- command line errors: exit 2, one line, no usage dump ---------------

# usage_err NEEDLE ARGS...: exit 2, nothing on stdout, exactly one line on
# stderr, containing NEEDLE, and no usage text.
usage_err() {
	local needle=$1
	shift
	run "$@"
	status 2 || return 1
	one_line || return 1
	[ ! -s out ] || { why="stdout not empty"; return 1; }
	grep -qi 'usage' err && { why="usage dumped"; return 1; }
	grep -qF -- "$needle" err || { why="stderr does not mention '$needle'"; return 1; }
}
check "unknown long option" usage_err "--bogus" ship --bogus alb.txt
check "unknown short option" usage_err "-x" ship -x alb.txt
check "unknown option after a path" usage_err "--nope" ship alb.txt --nope
check "unknown short option first in a cluster (-xe) is named" \
    usage_err "-x" ship -xe alb.txt
check "-o without a value" usage_err "-o" ship alb.txt -o
check "--output without a value" usage_err "--output" ship alb.txt --output
check "--type without a value" usage_err "--type" ship alb.txt --type
check "--max-line without a value" usage_err "--max-line" ship alb.txt --max-line
check "--type foo" usage_err "'foo'" ship --type foo alb.txt
check "--type ALB (case matters)" usage_err "'ALB'" ship --type ALB alb.txt
check "--format xml" usage_err "'xml'" ship --format xml alb.txt
check "--label without =" usage_err "'env'" ship --label env alb.txt
check "--label with an empty key" usage_err "'=prod'" ship --label =prod alb.txt
check "--label with a dot in the key" usage_err "'a.b=c'" ship -l a.b=c alb.txt
check "--label with a space in the key" usage_err "'a b=c'" ship -l 'a b=c' alb.txt
check "--max-line 1023 (below the minimum)" usage_err "'1023'" ship --max-line 1023 alb.txt
check "--max-line 67108865 (above the maximum)" usage_err "'67108865'" ship --max-line 67108865 alb.txt
check "--max-line abc" usage_err "'abc'" ship --max-line abc alb.txt
check "--max-line -5" usage_err "'-5'" ship --max-line=-5 alb.txt
check "--max-line 2k" usage_err "'2k'" ship --max-line 2k alb.txt
check "--max-line 99999999999999999999999 (overflow)" usage_err "'99999999999999999999999'" \
    ship --max-line 99999999999999999999999 alb.txt
check "--threads 0" usage_err "'0'" ship --threads 0 alb.txt
check "--threads -1" usage_err "'-1'" ship --threads=-1 alb.txt
check "--threads x" usage_err "'x'" ship --threads x alb.txt
check "--threads 1000" usage_err "'1000'" ship --threads 1000 alb.txt
check "--threads '' (empty)" usage_err "''" ship --threads= alb.txt
check "no PATH" usage_err "PATH" ship
check "--s3-retries 101 (above the maximum)" usage_err "'101'" ship --s3-retries 101 alb.txt
check "--s3-timeout 0 (below the minimum)" usage_err "'0'" ship --s3-timeout 0 alb.txt
check "no PATH, only options" usage_err "PATH" ship -q -e

t_too_many_labels() {
	local i args=()
	for i in $(seq 1 65); do args+=(-l "k$i=v"); done
	usage_err "label" ship "${args[@]}" alb.txt
}
check "65 --label options: one line, exit 2" t_too_many_labels

t_good_values() {
	local a
	for a in "--type alb" "--type auto" "--format ndjson" "--format bulk" \
	    "--max-line 1024" "--max-line 262144" "--threads 1" "--threads 2" \
	    "--threads 16" "-l a-B_9=x" "--label=k=v=w" "--name x.log" \
	    "--s3-retries 0" "--s3-retries 100" "--s3-timeout 0.5"; do
		# shellcheck disable=SC2086
		run ship -q $a alb.txt
		[ "$rc" -eq 0 ] || { why="'$a' gave exit $rc"; return 1; }
	done
}
check "valid option values are accepted" t_good_values

t_env_bad() {
	ELBSHIP_MAX_LINE=12 usage_err "ELBSHIP_MAX_LINE" ship alb.txt
}
check "a bad ELBSHIP_* value: one line naming the variable, exit 2" t_env_bad

t_env_flag_wins() {
	ELBSHIP_TYPE=clb run ship -q alb.txt
	[ "$(jq -r .event.kind out | sort -u)" = "pipeline_error" ] ||
	    { why="ELBSHIP_TYPE=clb not applied"; return 1; }
	ELBSHIP_TYPE=clb run ship -q -t alb alb.txt
	[ "$(jq -r .event.kind out | sort -u)" = "event" ] || { why="-t alb did not win"; return 1; }
	ELBSHIP_LABELS=a=1,b=2 run ship -q alb.txt
	[ "$(head -n 1 out | jq -c .labels)" = '{"a":"1","b":"2"}' ] || { why="ELBSHIP_LABELS"; return 1; }
}
check "ELBSHIP_TYPE / ELBSHIP_LABELS apply, and a flag wins over the environment" t_env_flag_wins

# ---- paths ----------------------------------------------------------------

t_missing_path() {
	run ship nope.log alb.txt
	status 1 || return 1
	[ "$(grep -c "nope.log" err)" -eq 1 ] || { why="want one line naming nope.log"; return 1; }
	grep "nope.log" err | grep -qi 'no such file' || { why="no reason given"; return 1; }
	[ "$(lines out)" -eq 3 ] || { why="alb.txt not processed: $(lines out) documents"; return 1; }
	grep -q '1 failed' err && json_ok
}
check "nonexistent path: one line naming it, other paths processed, exit 1" t_missing_path

t_missing_quiet() {
	run ship -q alb.txt nope.log
	status 1 && one_line && grep -q "nope.log" err && [ "$(lines out)" -eq 3 ]
}
check "nonexistent path with -q: still reported, exit 1" t_missing_quiet

if [ "$(id -u)" -eq 0 ]; then
	skip "unreadable file: one line naming it, exit 1" "running as root"
	skip "unreadable directory: one line naming it, exit 1" "running as root"
else
	t_unreadable_file() {
		cp alb.txt secret.log
		chmod 000 secret.log
		run ship secret.log clb.txt
		chmod 644 secret.log
		status 1 && [ "$(grep -c 'secret.log' err)" -eq 1 ] &&
		    grep 'secret.log' err | grep -qi 'permission denied' &&
		    [ "$(lines out)" -eq 4 ]
	}
	check "unreadable file: one line naming it, other paths processed, exit 1" t_unreadable_file

	t_unreadable_dir() {
		mkdir -p locked
		cp clb.txt "locked/$CLB"
		chmod 000 locked
		run ship locked alb.txt
		chmod 755 locked
		status 1 && [ "$(grep -c 'locked' err)" -eq 1 ] &&
		    grep 'locked' err | grep -qi 'permission denied' &&
		    [ "$(lines out)" -eq 3 ]
	}
	check "unreadable directory: one line naming it, other paths processed, exit 1" t_unreadable_dir
fi

# ---- stdin, --name, ids ---------------------------------------------------

t_stdin() {
	local b
	run_in alb.txt ship -q -
	status 0 && json_ok || return 1
	b=$(id_base stdin)
	[ "$(jq -r '.event.id' out | tr '\n' ' ')" = "$b-0 $b-625 $b-1075 " ] ||
	    { why="ids $(jq -r .event.id out | tr '\n' ' '), want base $b"; return 1; }
	[ "$(jq -r '.log.file.path' out | sort -u)" = "-" ] || { why="log.file.path is not -"; return 1; }
}
check "stdin via -: ids from the name 'stdin', offsets 0 625 1075" t_stdin

t_stdin_name() {
	local b
	b=$(id_base shop.log)
	run_in alb.txt ship -q --name shop.log -
	status 0 && [ "$(jq -r '.event.id' out | head -n 1)" = "$b-0" ] ||
	    { why="want $b-0"; return 1; }
	run_in alb.txt ship -q --name some/dir/shop.log.gz -
	[ "$(jq -r '.event.id' out | head -n 1)" = "$b-0" ] ||
	    { why="--name some/dir/shop.log.gz: want $b-0 (no directory, no .gz)"; return 1; }
}
check "--name NAME: id prefix = first 20 hex of SHA-256(NAME without dir and .gz)" t_stdin_name

t_stdin_aws_name() {
	run_in clb.txt ship -q --name "$CLB" -
	status 0 && json_ok || return 1
	[ "$(jq -r '.cloud.region + " " + .cloud.account.id + " " + .event.kind' out | sort -u)" = \
	    "us-east-1 111122223333 event" ] || { why="cloud fields or kinds wrong"; return 1; }
}
check "--name with an AWS name: type, region and account from the name" t_stdin_aws_name

# (also writes ref.json, alb.txt's documents without log.file.path, which
# later checks compare with; need_ref writes it for a check run alone)
need_ref() {
	[ -s ref.json ] && return 0
	mkdir -p a
	cp alb.txt "a/$ALB"
	"$ELBSHIP" ship -q "a/$ALB" 2>/dev/null | jq -c 'del(.log.file.path)' >ref.json
}

t_same_ids() {
	local ref
	mkdir -p a b
	cp alb.txt "a/$ALB"
	gzip -c alb.txt >"b/$ALB.gz"
	run ship -q "a/$ALB"
	jq -c 'del(.log.file.path)' out >ref.json
	ref=$(jq -r .event.id out | tr '\n' ' ')
	[ "$ref" != "" ] && [ "${ref%%-*}" = "$(id_base "$ALB")" ] || { why="plain ids $ref"; return 1; }
	run ship -q "b/$ALB.gz"
	jq -c 'del(.log.file.path)' out | cmp -s - ref.json || { why="gzipped copy differs"; return 1; }
	run_in "b/$ALB.gz" ship -q --name "$ALB.gz" -
	jq -c 'del(.log.file.path)' out | cmp -s - ref.json || { why="stdin --name differs"; return 1; }
	mkdir -p elsewhere/deeper
	cp "a/$ALB" elsewhere/deeper/
	run ship -q "$T/elsewhere/deeper/$ALB"
	jq -c 'del(.log.file.path)' out | cmp -s - ref.json || { why="copy elsewhere differs"; return 1; }
	[ "$(jq -r .log.file.path out | head -n 1)" = "$T/elsewhere/deeper/$ALB" ] ||
	    { why="log.file.path is not the path given"; return 1; }
}
check "same file plain, gzipped, from stdin --name, elsewhere: same documents and ids" t_same_ids

t_ids_unique() {
	run ship -q big.txt
	[ "$(jq -r .event.id out | sort -u | wc -l)" -eq 3000 ]
}
check "3000 lines: 3000 distinct ids" t_ids_unique

# ---- output -----------------------------------------------------------------

t_output_file() {
	run ship -o docs.json alb.txt
	status 0 && [ ! -s out ] && [ "$(lines docs.json)" -eq 3 ] && json_ok docs.json &&
	    grep -q 'documents' err
}
check "--output FILE: documents in FILE, nothing on stdout" t_output_file

t_output_dash() {
	run ship -q -o - alb.txt
	status 0 && [ "$(lines out)" -eq 3 ]
}
check "--output -: stdout" t_output_dash

t_output_bad_dir() {
	run ship -o nodir/x.json alb.txt
	status 4 && one_line && grep -q 'nodir/x.json' err
}
check "--output in a missing directory: one line, exit 4" t_output_bad_dir

t_output_full() {
	[ -w /dev/full ] || { why="no /dev/full"; return 1; }
	run ship -o /dev/full alb.txt
	status 4 && grep -q '/dev/full' err || return 1
	run ship -q -o /dev/full big.txt alb.txt
	status 4 && grep -q '/dev/full' err
}
if [ -e /dev/full ]; then
	check "write failure (--output /dev/full): reported, exit 4" t_output_full
else
	skip "write failure (--output /dev/full): reported, exit 4" "no /dev/full"
fi

t_output_full_wins() {
	run ship -q --strict -o /dev/full nope.log alb.txt
	status 4
}
[ -e /dev/full ] && check "write failure beats unreadable input: exit 4" t_output_full_wins

t_bulk() {
	local docs acts
	run ship -q --format bulk alb.txt clb.txt
	status 0 && json_ok || return 1
	[ "$(lines out)" -eq 14 ] || { why="$(lines out) lines, want 14"; return 1; }
	acts=$(awk 'NR % 2 == 1' out | jq -c '.')
	docs=$(awk 'NR % 2 == 0' out | jq -c '{"create":{"_id":.event.id}}')
	[ "$acts" = "$docs" ] || { why="action lines are not {\"create\":{\"_id\":event.id}}"; return 1; }
	awk 'NR % 2 == 1' out | grep -qvE '^\{"create":\{"_id":"[0-9a-f]{20}-[0-9]+"\}\}$' &&
	    { why="action line not in the exact form"; return 1; }
	return 0
}
check "--format bulk: {\"create\":{\"_id\":ID}} before each document, ID = event.id" t_bulk

t_ndjson_same() {
	run ship -q alb.txt
	mv out a.json
	run ship -q --format ndjson alb.txt
	cmp -s out a.json || { why="--format ndjson differs from the default"; return 1; }
	run ship -q --format bulk alb.txt
	awk 'NR % 2 == 0' out | cmp -s - a.json
}
check "--format ndjson is the default; bulk documents = ndjson documents" t_ndjson_same

# ---- directories ------------------------------------------------------------

mkdir -p tree/a/b tree/c tree/.hid tree/z
gzip -c alb.txt >"tree/a/$ALB.gz"
gzip -c nlb.txt >"tree/a/b/$NLB.gz"
head -n 1 conn.txt | gzip -c >"tree/c/$CONN.gz"
tail -n 1 conn.txt | gzip -c >"tree/c/$CONN2.gz"
cp clb.txt "tree/$CLB"
cp alb.txt "tree/z/$ALB2"
cp alb.txt tree/notes.log              # not an AWS name
cp alb.txt tree/a/readme.txt
cp alb.txt "tree/$CLB.bak"             # AWS name, wrong suffix
cp alb.txt "tree/a/$ALB.gz.tmp"
cp alb.txt "tree/.hid/$ALB2"           # hidden directory
cp alb.txt "tree/.$ALB2"               # hidden file

t_dir_walk() {
	local want got
	run ship tree
	status 0 && json_ok || return 1
	want="tree/$CLB tree/a/$ALB.gz tree/a/b/$NLB.gz tree/c/$CONN.gz tree/c/$CONN2.gz tree/z/$ALB2"
	got=$(jq -r '.log.file.path' out | uniq | tr '\n' ' ')
	[ "$got" = "$want " ] || { why="files in this order: $got"; return 1; }
	[ "$(lines out)" -eq 13 ] || { why="$(lines out) documents, want 13"; return 1; }
	grep -q '6 files (4 gzip, 0 failed)' err || { why="summary does not say 6 files, 4 gzip"; return 1; }
	grep -q 'by type: alb 6, clb 4, nlb 1, alb-conn 2' err || { why="by type wrong"; return 1; }
	[ "$(jq -r 'select(.event.kind != "event") | .log.file.path' out)" = "" ] ||
	    { why="error documents in the walk"; return 1; }
}
check "directory walked recursively: AWS-named logs only, in name order, types from names" t_dir_walk

t_dir_stable() {
	run ship -q tree
	mv out walk1
	run ship -q tree/
	sed "s#\"tree//#\"tree/#g" out | cmp -s - walk1 || { why="tree/ differs from tree"; return 1; }
	grep -q 'tree//' out && { why="double slash in paths"; return 1; }
	run ship -q --threads 1 tree
	cmp -s out walk1
}
check "directory walk is stable (same output again, with tree/, with --threads 1)" t_dir_stable

t_dir_empty() {
	mkdir -p nologs/sub
	cp alb.txt nologs/access.log
	cp alb.txt nologs/sub/x.log.gz
	run ship nologs
	status 0 && [ ! -s out ] && grep -q "nologs" err && grep -qi 'no ELB log files' err
}
check "directory without ELB logs: a message naming it, no documents" t_dir_empty

t_dir_symlink_loop() {
	mkdir -p looped
	cp clb.txt "looped/$CLB"
	ln -s . looped/self
	run ship looped
	[ "$rc" -le 1 ] && [ "$(lines out)" -eq 4 ] ||
	    { why="$(lines out) documents from one 4-line file (exit $rc)"; return 1; }
}
check "a symlink loop under a directory: each log shipped once" \
    t_dir_symlink_loop

t_dir_and_stdin() {
	run_in clb.txt ship -q tree/z - 
	status 0 && [ "$(lines out)" -eq 7 ]
}
check "a directory and - together" t_dir_and_stdin

# ---- gzip ---------------------------------------------------------------------

t_gzip_magic() {
	need_ref
	mkdir -p gzn
	gzip -c alb.txt >"gzn/$ALB"    # gzip without .gz
	run ship "gzn/$ALB"
	status 0 && grep -q '1 files (1 gzip' err || { why="not read as gzip"; return 1; }
	run ship -q "gzn/$ALB"
	jq -c 'del(.log.file.path)' out | cmp -s - ref.json
}
check "gzip found by its magic bytes without .gz" t_gzip_magic

t_plain_gz_name() {
	need_ref
	mkdir -p gzn
	cp alb.txt "gzn/$ALB.gz"       # .gz that is not gzip
	run ship -q "gzn/$ALB.gz"
	status 0 && jq -c 'del(.log.file.path)' out | cmp -s - ref.json
}
check "a .gz name holding plain text is read as plain text" t_plain_gz_name

split_big() { # three gzip members of 1000 lines each -> multi.gz
	head -n 1000 big.txt | gzip -c >m1.gz
	sed -n '1001,2000p' big.txt | gzip -c >m2.gz
	tail -n 1000 big.txt | gzip -c >m3.gz
	cat m1.gz m2.gz m3.gz >multi.log.gz
}
split_big
mkdir -p plain
cp big.txt plain/multi.log
(cd plain && "$ELBSHIP" ship -q multi.log | jq -c 'del(.log.file.path)') >big.json

t_multi_member() {
	local threads
	for threads in 1 2 4; do
		run ship --threads "$threads" multi.log.gz
		status 0 || return 1
		jq -c 'del(.log.file.path)' out | cmp -s - big.json ||
		    { why="--threads $threads: documents differ from the plain file's"; return 1; }
	done
	[ "$(jq -r '.log.offset' out | tr '\n' ' ')" = "$(starts big.txt | tr '\n' ' ')" ] ||
	    { why="log.offset is not continuous across members"; return 1; }
}
check "multi-member gzip: every line, offsets continuous across members" t_multi_member

# Damaged copies are named multi.log.gz too (in other directories), so
# their documents, ids included, compare with the plain file's.
mkdir -p trunc trunc2 corrupt garbage

t_truncated() {
	local size cut want got
	size=$(stat -c %s m1.gz)
	for cut in $((size / 3)) $((size / 2)) $((size - 3)); do
		head -c "$cut" m1.gz >trunc/multi.log.gz
		want=$(gzip -dc trunc/multi.log.gz 2>/dev/null | wc -l)
		run ship trunc/multi.log.gz
		status 1 || return 1
		[ "$(grep -c 'trunc/multi.log.gz' err)" -eq 1 ] &&
		    grep 'trunc/multi.log.gz' err | grep -q truncated ||
		    { why="cut at $cut: no one line naming the file and 'truncated'"; return 1; }
		got=$(lines out)
		[ "$got" -eq "$want" ] && [ "$got" -gt 0 ] ||
		    { why="cut at $cut: $got documents, gzip -dc gets $want complete lines"; return 1; }
		jq -c 'del(.log.file.path)' out | cmp -s - <(head -n "$got" big.json) ||
		    { why="cut at $cut: documents are not the file's first $got"; return 1; }
	done
}
check "truncated gzip: error naming the file and 'truncated', every complete line before it, exit 1" t_truncated

t_truncated_member2() {
	head -c $(($(stat -c %s m1.gz) + 5)) multi.log.gz >trunc2/multi.log.gz
	run ship -q trunc2/multi.log.gz
	status 1 && grep -q 'truncated' err && grep -q 'member 2' err &&
	    [ "$(lines out)" -eq 1000 ] &&
	    jq -c 'del(.log.file.path)' out | cmp -s - <(head -n 1000 big.json)
}
check "truncated in the 2nd member's header: member 1 complete, exit 1" t_truncated_member2

t_corrupt() {
	local s1
	s1=$(stat -c %s m1.gz)
	cp multi.log.gz corrupt/multi.log.gz
	printf '\377\000\377\000\377' |
	    dd of=corrupt/multi.log.gz bs=1 seek=$((s1 + 20)) conv=notrunc 2>/dev/null
	run ship corrupt/multi.log.gz
	status 1 || return 1
	[ "$(grep -c 'corrupt/multi.log.gz' err)" -eq 1 ] || { why="want one line naming the file"; return 1; }
	grep 'corrupt/multi.log.gz' err | grep -q "member 2 (starting at byte $s1)" ||
	    { why="the message does not name member 2 and its offset $s1"; return 1; }
	grep 'corrupt/multi.log.gz' err | grep -qE 'compressed byte [0-9]+' ||
	    { why="no failure offset"; return 1; }
	[ "$(lines out)" -ge 1000 ] || { why="$(lines out) documents, want member 1's 1000"; return 1; }
	jq -c 'del(.log.file.path)' out | head -n 1000 | cmp -s - <(head -n 1000 big.json)
}
check "corrupt 2nd member: error naming member 2 and offsets, member 1's lines all there, exit 1" t_corrupt

t_garbage() {
	{ gzip -c alb.txt; printf 'this is not gzip\n'; } >garbage.log.gz
	run ship garbage.log.gz
	status 1 && grep -q 'garbage.log.gz' err && grep -qi 'trailing' err &&
	    [ "$(lines out)" -eq 3 ]
}
check "trailing garbage after a member: reported, the member's lines there, exit 1" t_garbage

t_gzip_threads_same() {
	local th
	for th in 1 3; do
		run ship -q --threads "$th" corrupt/multi.log.gz
		mv out "corrupt.$th"
		mv err "corrupt.err.$th"
	done
	cmp -s corrupt.1 corrupt.3 && cmp -s corrupt.err.1 corrupt.err.3
}
check "corrupt gzip: same documents and message with 1 and 3 threads" t_gzip_threads_same

t_empty_gzip() {
	printf '' | gzip -c >empty.log.gz
	run ship empty.log.gz
	status 0 && [ ! -s out ] && grep -q '0 lines' err
}
check "gzip of nothing: no documents, exit 0" t_empty_gzip

# ---- lines -------------------------------------------------------------------

t_empty_file() {
	: >empty.log
	run ship empty.log
	status 0 && [ ! -s out ] && grep -q '1 files (0 gzip, 0 failed), 0 lines: 0 documents' err
}
check "empty file: no documents, exit 0" t_empty_file

t_blank_only() {
	printf '\n  \n\t\n\r\n \t \n' >blank.log
	run ship blank.log
	status 0 && [ ! -s out ] &&
	    grep -q '5 lines: 0 documents (0 malformed, 0 too long), 5 blank' err
}
check "only blank lines: counted blank, no documents" t_blank_only

t_blank_between() {
	awk '{ print; print "" }' alb.txt >gaps.log
	run ship gaps.log
	status 0 && [ "$(lines out)" -eq 3 ] && grep -q '6 lines: 3 documents' err &&
	    [ "$(jq -r .log.offset out | tr '\n' ' ')" = "0 626 1077 " ]
}
check "blank lines between: skipped, offsets still exact" t_blank_between

t_crlf() {
	sed 's/$/\r/' alb.txt >crlf.log
	run ship -q -e -t alb crlf.log
	status 0 && json_ok || return 1
	[ "$(jq -r '.event.kind' out | sort -u)" = "event" ] || { why="CRLF lines malformed"; return 1; }
	[ "$(jq -r '.event.original' out)" = "$(cat alb.txt)" ] || { why="event.original keeps the CR"; return 1; }
	[ "$(jq -r '.log.offset' out | tr '\n' ' ')" = "0 626 1077 " ]
}
check "CRLF lines: CR dropped, documents good, offsets exact" t_crlf

t_no_final_newline() {
	head -c -1 alb.txt >nonl.log
	run ship -q -e -t alb nonl.log
	status 0 && [ "$(lines out)" -eq 3 ] && [ "$(jq -r .event.kind out | sort -u)" = "event" ] &&
	    [ "$(jq -r .log.offset out | tr '\n' ' ')" = "0 625 1075 " ] &&
	    [ "$(jq -r .event.original out | tail -n 1)" = "$(tail -n 1 alb.txt)" ]
}
check "final line without newline: still a document" t_no_final_newline

# mklong N: an ALB line, an N-byte line of 'L', two more ALB lines.
mklong() {
	{
		head -n 1 alb.txt
		head -c "$1" /dev/zero | tr '\0' L
		echo
		tail -n 2 alb.txt
	} >long.log
}

# long_ok N MAXLINE: the N-byte line is an over-long error document.
long_ok() {
	local len=$1 max=$2 keep msg
	keep=$((len < 4096 ? len : 4096))
	run ship -t alb --max-line "$max" long.log
	status 0 && json_ok || return 1
	[ "$(lines out)" -eq 4 ] || { why="$(lines out) documents, want 4"; return 1; }
	grep -q '4 lines: 4 documents (1 malformed, 1 too long)' err ||
	    { why="not counted too long: $(grep lines: err)"; return 1; }
	msg="line of $len bytes is longer than the limit of $max bytes (--max-line); event.original holds its first $keep bytes"
	[ "$(sed -n 2p out | jq -r .error.message)" = "$msg" ] ||
	    { why="error.message: $(sed -n 2p out | jq -r .error.message)"; return 1; }
	[ "$(sed -n 2p out | jq -r .event.kind)" = "pipeline_error" ] || { why="not an error document"; return 1; }
	[ "$(sed -n 2p out | jq -r .event.original)" = "$(head -c "$keep" /dev/zero | tr '\0' L)" ] ||
	    { why="event.original is not the first $keep bytes"; return 1; }
	[ "$(jq -r .log.offset out | tr '\n' ' ')" = "0 625 $((626 + len)) $((626 + len + 450)) " ] ||
	    { why="offsets $(jq -r .log.offset out | tr '\n' ' ')"; return 1; }
	[ "$(jq -r .event.kind out | sed -n '1p;3p;4p' | sort -u)" = "event" ] ||
	    { why="the lines around it are not good documents"; return 1; }
}

mklong $((2 * 1024 * 1024))
check "2 MiB line, --max-line 1024: error document with its first 4096 bytes, counted too long, later lines fine" \
    long_ok $((2 * 1024 * 1024)) 1024
mklong 5000
check "5000-byte line, --max-line 1024: counted too long" \
    long_ok 5000 1024
mklong 3000
check "3000-byte line, --max-line 1024: too long, event.original is the whole 3000 bytes" \
    long_ok 3000 1024
mklong $((300 * 1024))
check "300 KiB line at the default --max-line (256 KiB): counted too long" \
    long_ok $((300 * 1024)) 262144

# ---- malformed lines, --strict, the summary ----------------------------------

{
	cat alb.txt
	echo "this is not a log line"
	sed -n 1p alb.txt | sed 's/ 200 200 / 2x0 200 /'
} >bad.log

BAD1=$(stat -c %s alb.txt)        # offset of the first bad line
BAD2=$((BAD1 + 23))

t_malformed() {
	run ship bad.log
	status 0 && json_ok || return 1
	[ "$(jq -r 'select(.event.kind == "pipeline_error") | .log.offset' out | tr '\n' ' ')" = "$BAD1 $BAD2 " ] ||
	    { why="error documents at the wrong offsets"; return 1; }
	[ "$(jq -r 'select(.event.kind == "pipeline_error") | .error.message | length > 0' out | sort -u)" = "true" ] ||
	    { why="error document without error.message"; return 1; }
	[ "$(jq -r 'select(.event.kind == "pipeline_error") | .event.original' out | tail -n 1)" = "$(tail -n 1 bad.log)" ] ||
	    { why="error document without the line in event.original"; return 1; }
	grep -q "bad.log: offset $BAD1:" err && grep -q "bad.log: offset $BAD2: .*elb_status_code" err ||
	    { why="malformed lines not reported on stderr with file and offset"; return 1; }
	grep -q '5 lines: 5 documents (2 malformed, 0 too long), 0 blank' err
}
check "malformed lines: error documents, reported with file and offset, exit 0" t_malformed

t_strict() {
	run ship -q --strict bad.log
	status 3 && [ "$(lines out)" -eq 5 ] || return 1
	run ship -q --strict alb.txt
	status 0 || return 1
	run ship -q --strict bad.log nope.log
	status 1
}
check "--strict: exit 3 on malformed lines, 0 without; unreadable input (1) wins" t_strict

t_many_malformed() {
	local i
	for i in $(seq 1 8); do echo "junk $i"; done >junk.log
	run ship -t alb junk.log
	[ "$(grep -c 'junk.log: offset' err)" -eq 5 ] && grep -q '\.\.\. and 3 more malformed lines' err
}
check "the first 5 malformed lines are reported, then a count of the rest" t_many_malformed

t_summary() {
	run ship "tree/$CLB" "tree/a/$ALB.gz" bad.log
	status 0 || return 1
	[ "$(lines err)" -ge 3 ] || return 1
	grep -qE '^elbship: 3 files \(1 gzip, 0 failed\), 12 lines: 12 documents \(2 malformed, 0 too long\), 0 blank$' err ||
	    { why="files/lines line"; return 1; }
	grep -qE '^elbship: by type: alb 7, clb 4, unknown 1$' err || { why="by type line"; return 1; }
	grep -qE '^elbship: [0-9.]+ [kMG]?B in \([0-9.]+ [kMG]?B decompressed\), [0-9.]+ [kMG]?B out, [0-9.]+ s, [0-9.]+ MB/s$' err ||
	    { why="bytes/MB/s line"; return 1; }
}
check "summary: files, gzip, failed, lines, documents, malformed, too long, blank, types, bytes, MB/s" t_summary

t_quiet() {
	run ship -q bad.log "tree/a/$ALB.gz"
	status 0 && [ ! -s err ] && [ "$(lines out)" -eq 8 ]
}
check "-q: nothing on stderr (not even malformed lines)" t_quiet

# ---- document contents ------------------------------------------------------

t_labels() {
	run ship -q -l environment=prod --label application=shop -l 'note=a "q" \ caf'$'\xc3\xa9' -l eq=a=b alb.txt
	status 0 && json_ok || return 1
	[ "$(jq -c '.labels' out | sort -u)" = '{"environment":"prod","application":"shop","note":"a \"q\" \\ café","eq":"a=b"}' ]
}
check "labels appear as labels.KEY with their values (quotes, UTF-8, '=' kept)" t_labels

t_no_labels() {
	run ship -q alb.txt
	[ "$(jq -r 'has("labels")' out | sort -u)" = "false" ]
}
check "no --label: no labels object" t_no_labels

t_event_original() {
	run ship -q -e alb.txt clb.txt
	status 0 && [ "$(jq -r .event.original out)" = "$(cat alb.txt clb.txt)" ] || return 1
	run ship -q alb.txt clb.txt
	[ "$(jq -r '.event | has("original")' out | sort -u)" = "false" ]
}
check "-e adds event.original (the line as logged); without -e it is absent" t_event_original

t_types_forced() {
	mkdir -p forced
	cp clb.txt "forced/$ALB"                # CLB lines in an ALB-named file
	run ship -q "forced/$ALB"
	[ "$(jq -r .event.kind out | sort -u)" = "pipeline_error" ] || { why="not errors without --type"; return 1; }
	run ship -q -t clb "forced/$ALB"
	[ "$(jq -r .event.kind out | sort -u)" = "event" ] || { why="--type clb did not force"; return 1; }
}
check "--type forces the parser over the file name" t_types_forced

t_sniff() {
	cat alb.txt clb.txt nlb.txt conn.txt >mixed.log
	run ship mixed.log
	status 0 && json_ok && [ "$(lines out)" -eq 10 ] &&
	    grep -q 'by type: alb 3, clb 4, nlb 1, alb-conn 2' err &&
	    grep -q '(0 malformed' err
}
check "a file with no AWS name: each line's type from its shape" t_sniff

t_weird_bytes() {
	{
		printf 'raw \001\002\033[31m control\n'
		printf 'bad utf-8 \377\376 \300\257 end\n'
		printf 'nul \000 inside\n'
		printf '"quoted \\x22 \\xZZ \\x00 \\xC3\n'
		sed -n 1p alb.txt | sed 's/Mozilla/\xff\xfeMoz\\x00\\x0a/'
		printf '%s\n' "$(sed -n 3p alb.txt) \"unterminated extra"
	} >weird.log
	run ship -e weird.log
	status 0 && json_ok && [ "$(lines out)" -eq 6 ]
}
check "control bytes, invalid UTF-8, NUL, \\x escapes: still valid JSON" t_weird_bytes

t_weird_names() {
	local f
	mkdir -p names
	f=names/we\"ird\\n$'\xff\x01'me.log
	cp clb.txt "$f"
	run ship -q -l "k=a"$'\xfe\x02'"b" "$f"
	status 0 && json_ok && [ "$(lines out)" -eq 4 ] &&
	    [ "$(jq -r .log.file.path out | sort -u)" = 'names/we"ird\n\xFF'$'\x01''me.log' ]
}
check "file names and labels with quotes, backslashes, control bytes, bad UTF-8: valid JSON" t_weird_names

t_long_region_name() {
	local r
	r=$(head -c 600 /dev/zero | tr '\0' r)
	run_in clb.txt ship -q --name "111122223333_elasticloadbalancing_${r}_my-clb_20240601T0800Z_10.0.1.9_abcd1234.log" -
	status 0 && json_ok && [ "$(lines out)" -eq 4 ]
}
check "--name with a 600-byte region: valid documents" \
    t_long_region_name

t_ctl_region_file() {
	local r
	mkdir -p ctlname
	r=$(head -c 165 /dev/zero | tr '\0' '\001')
	cp clb.txt "ctlname/111122223333_elasticloadbalancing_${r}_my-clb_20240601T0800Z_10.0.1.9_abcd1234.log"
	run ship -q ctlname
	status 0 && json_ok && [ "$(lines out)" -eq 4 ]
}
check "a file named with 165 control bytes in its region: valid documents" \
    t_ctl_region_file

t_name_time() {
	mkdir -p badend
	echo "not a log line" >'badend/111122223333_elasticloadbalancing_eu-west-1_app.x.y_2025","aT10"0Z_10.0.4.17_abc.log'
	# Not AWS's shape, so a directory walk skips it; named, it is shipped.
	run ship -q badend/*
	status 0 && json_ok && [ "$(lines out)" -eq 1 ]
}
check "an AWS-shaped name with quotes in its interval end: valid error document" \
    t_name_time

t_huge_decimal() {
	local d
	d=$(head -c 40 /dev/zero | tr '\0' 9)
	sed -n 1p alb.txt | sed "s/ 0.001 0.042 / $d 0.042 /" >hugedec.log
	run ship -q -t alb hugedec.log
	status 0 && json_ok || return 1
	jq -e '.event.kind == "pipeline_error" or ((.aws.elb.request_processing_time.sec // 0) < 3.4e38)' out >/dev/null ||
	    { why="request_processing_time.sec: $(jq -c .aws.elb.request_processing_time out)"; return 1; }
}
check "a 40-digit processing time is not passed on as a number no float field can hold" \
    t_huge_decimal

t_extra_fields() {
	printf '%s\n' "$(sed -n 1p alb.txt) 10.0.4.17 foo \"bar baz" >extra.log
	run ship -q -t alb extra.log
	status 0 && json_ok || return 1
	jq -r '.aws.elb.extra_fields | join(" ")' out | grep -q 'foo' ||
	    { why="extra_fields: $(jq -c .aws.elb.extra_fields out)"; return 1; }
}
check "extra fields with an unterminated quote are kept" t_extra_fields

# An error document for a line without a time, in a file without an AWS
# name, takes @timestamp from the clock: drop it before comparing runs.
no_clock() {
	jq -c 'if .event.kind == "pipeline_error" then del(.["@timestamp"]) else . end' "$@"
}

t_threads_same() {
	local th
	run ship -q --threads 1 tree multi.log.gz bad.log
	no_clock out >th1
	for th in 2 3 16; do
		run ship -q --threads "$th" tree multi.log.gz bad.log
		no_clock out | cmp -s - th1 || { why="--threads $th differs from --threads 1"; return 1; }
	done
}
check "--threads 1, 2, 3, 16: identical output" t_threads_same

t_all_json() {
	run ship -e -l env=x tree multi.log.gz mixed.log weird.log bad.log crlf.log
	json_ok && [ "$(jq -r .event.id out | sort | uniq -d | wc -l)" -eq 0 ]
}
check "every document of a mixed run is valid JSON (jq), ids unique" t_all_json

t_dated_overlap() {
	run ship --es http://127.0.0.1:9 --es-index 'logs-elb.{type}-{date}' "$REPO/examples"
	[ "$rc" -eq 2 ] && grep -q "ELBSHIP_ES_INDEX.*must not overlap logs-\*-\*" err
}
check "a dated --es-index under logs-*-* is refused before any request (exit 2): it would become data streams that roll over" t_dated_overlap

t_dl_index_bad() {
	run ship --logstash http://127.0.0.1:9 --dead-letter-index dl "$REPO/examples"
	[ "$rc" -eq 2 ] && grep -q "dead-letter-index (ELBSHIP_DEAD_LETTER_INDEX) is an index of the cluster" err || { why="logstash: $(cat err)"; return 1; }
	run ship --es http://127.0.0.1:9 --dead-letter-index 'dl-{type}' "$REPO/examples"
	[ "$rc" -eq 2 ] && grep -q "one index, no placeholders" err || { why="placeholder: $(cat err)"; return 1; }
	run ship --es http://127.0.0.1:9 --dead-letter-index 'Dead' "$REPO/examples"
	[ "$rc" -eq 2 ] && grep -q "ELBSHIP_DEAD_LETTER_INDEX.*'D' is not allowed" err || { why="uppercase: $(cat err)"; return 1; }
}
check "--dead-letter-index: refused with Logstash, with a placeholder, in capitals (exit 2, naming the setting)" t_dl_index_bad

# Progress on local input: a line rewritten at most once a second, so the
# input arrives in two parts 2 s apart (the only check that waits: twice).
t_progress() {
	local repo=$1 i
	for i in $(seq 16); do
		gzip -dc "$repo"/examples/*app.shop-alb*.log.gz
	done >prog.log
	[ "$(wc -c <prog.log)" -gt 400000 ] || { why="input too small"; return 1; }
	{ head -c 300000 prog.log; sleep 2; tail -c +300001 prog.log; } |
	    "$ELBSHIP" ship --progress --name x.log -o /dev/null - 2>err
	grep -q 'elbship: file 1, [0-9]* lines, [0-9.]* MB, [0-9.]* MB/s' err ||
	    { why="no progress line"; return 1; }
	# taken off the screen (\r ESC[K) before the summary, which follows whole
	grep -q $'\r\033\\[Kelbship: 1 files' err || { why="summary not on a clean line"; return 1; }
	{ head -c 300000 prog.log; sleep 2; tail -c +300001 prog.log; } |
	    "$ELBSHIP" ship --name x.log -o /dev/null - 2>err
	! grep -q 'elbship: file 1,' err || { why="progress shown off a terminal without --progress"; return 1; }
}
check "--progress: files, lines, MB and MB/s on stderr, cleared before the summary; none by default off a terminal" t_progress "$REPO"

if [ ${#filters[@]} -gt 0 ] && [ "$n" -eq 0 ]; then
	n=1; failed=1
	echo "not ok 1 - no check's description or function name contains: ${filters[*]}"
fi
echo "# $passed passed, $failed failed"
[ "$failed" -eq 0 ]

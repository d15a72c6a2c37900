# tests/lib/tap.sh: TAP helpers for the suites written in shell; source it.
#
#   ok DESC / notok DESC      one "ok N - DESC" / "not ok N - DESC" line
#   check DESC 'SHELL TEST'   ok if the test (eval'd) succeeds, else notok
#   finish                    "# N passed, M failed"; exit 0 only if none failed
#   wait_file FILE            wait (30 s at most) until FILE is non-empty, as a
#                             test server's port file; a "not ok" if it never is
n=0 fail=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
notok() { n=$((n + 1)); fail=$((fail + 1)); echo "not ok $n - $1"; }
check() { if eval "$2"; then ok "$1"; else notok "$1"; fi; }
finish() { echo "# $((n - fail)) passed, $fail failed"; [ "$fail" -eq 0 ]; exit $?; }
wait_file() {
	local i
	for i in $(seq 600); do [ -s "$1" ] && return 0; sleep 0.05; done
	notok "a test server wrote $1 within 30 s"
	return 1
}

# tests/lib/tap.sh: TAP helpers for the suites written in shell; source it.
#
#   ok DESC / notok DESC      one "ok N - DESC" / "not ok N - DESC" line
#   check DESC 'SHELL TEST'   ok if the test (eval'd) succeeds, else notok
#   finish                    "# N passed, M failed"; exit 0 only if none failed
n=0 fail=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
notok() { n=$((n + 1)); fail=$((fail + 1)); echo "not ok $n - $1"; }
check() { if eval "$2"; then ok "$1"; else notok "$1"; fi; }
finish() { echo "# $((n - fail)) passed, $fail failed"; [ "$fail" -eq 0 ]; exit $?; }

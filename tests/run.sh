#!/usr/bin/env bash
# tests/run.sh: the whole suite (what `./dev.sh test` and .ci/run run).
#
#   0. checks that what it needs is installed (scripts/deps.sh --check
#      test): it installs nothing; ./dev.sh test installs, then runs this;
#   1. builds elbship three ways: gcc release, gcc ASan+UBSan, and clang
#      (to prove -Wall -Wextra -Werror holds there too), and compiles every
#      header on its own (gcc and clang);
#   2. unit tests against both gcc builds; golden, CLI, docs, setup and
#      credentials suites against the sanitizer build (and the cheap ones
#      against release too);
#   3. the end-to-end suites that start test servers (Elasticsearch,
#      Logstash, Lambda Runtime API, secrets, s3rver), in two lanes side by
#      side, against the sanitizer build; the CloudFormation and package
#      checks; a short fuzz smoke run.
#
# Each suite prints TAP lines and ends with "# N passed, M failed"; this
# script adds them up and ends with "N passed, M failed" (exit 1 if any
# failed).  Logs: build/test-logs/.
set -u
cd "$(dirname "$0")/.."

log_dir=build/test-logs
rm -rf "$log_dir"
mkdir -p "$log_dir"
results=$log_dir/results

# run_suite NAME CMD...: run a suite, print its line (and its failures),
# record its counts in $results.
run_suite() {
	local name=$1 out rc line p f start
	shift
	out="$log_dir/$(echo "$name" | tr ' /' '__').log"
	start=$(date +%s)
	timeout 1200 "$@" >"$out" 2>&1	# a stuck suite fails, not hangs
	rc=$?
	line=$(grep -E '^# [0-9]+ passed, [0-9]+ failed' "$out" | tail -n 1)
	if [ -z "$line" ]; then
		{
			echo "FAIL $name: exited $rc without a summary (see $out)"
			tail -n 20 "$out" | sed 's/^/    /'
		}
		echo "0 1" >>"$results"
		return
	fi
	p=$(echo "$line" | sed -E 's/^# ([0-9]+) passed.*/\1/')
	f=$(echo "$line" | sed -E 's/.*passed, ([0-9]+) failed.*/\1/')
	if [ "$f" -gt 0 ] || [ "$rc" -ne 0 ]; then
		grep -E '^not ok' "$out" | head -n 20 | sed 's/^/    /'
		[ "$f" -eq 0 ] && f=1
	fi
	printf '%-40s %4d passed, %d failed  (%ds)\n' "$name" "$p" "$f" \
	    $(($(date +%s) - start))
	echo "$p $f" >>"$results"
}

fatal() { echo "$1"; echo "0 passed, 1 failed"; exit 1; }

# Installing is ./dev.sh test's job (scripts/deps.sh test); here only a
# check, which names what is missing and how to get it.
scripts/deps.sh --check test 2>&1 ||
    fatal "test dependencies missing: run ./dev.sh test (installs them, then runs this)"

echo "== build (gcc release, gcc asan+ubsan, clang)"
make -s -j2 all tests tools >"$log_dir/build-release.log" 2>&1 ||
    { cat "$log_dir/build-release.log"; fatal "release build failed"; }
make -s -j2 VARIANT=asan all tests tools >"$log_dir/build-asan.log" 2>&1 ||
    { cat "$log_dir/build-asan.log"; fatal "asan build failed"; }
if make -s -j2 CC=clang O=build/clang VARIANT=release all tests tools \
    >"$log_dir/build-clang.log" 2>&1; then
	echo "clang -Wall -Wextra -Werror build          1 passed, 0 failed"
	echo "1 0" >>"$results"
else
	echo "FAIL clang build:"; tail -n 20 "$log_dir/build-clang.log"
	echo "0 1" >>"$results"
fi

run_suite "headers (each compiles on its own)" tests/headers/run.sh

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:halt_on_error=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1

for variant in release asan; do
	echo "== $variant"
	for t in build/$variant/tests/test_*; do
		[ -x "$t" ] || continue
		run_suite "$variant unit $(basename "$t")" "$t"
	done
	suites="tests/golden/run.sh tests/docs/run.sh tests/fidelity/run.sh"
	[ "$variant" = asan ] && suites="$suites tests/cli/run.sh tests/setup/run.sh tests/aws/creds_test.sh"
	for s in $suites; do
		[ -x "$s" ] || continue
		run_suite "$variant $(dirname "$s" | sed 's,tests/,,')" \
		    env ELBSHIP="build/$variant/elbship" TOOLS="build/$variant/tools" "$s"
	done
done

# The suites with test servers, in two lanes (each suite uses its own
# ports and directories), against the sanitizer build, where a leak or a
# bad access in the network code fails the run.
echo "== end to end, with the test servers (asan build)"
lane() {
	local s
	for s in "$@"; do
		[ -x "$s" ] || continue
		run_suite "$(echo "$s" | sed 's,tests/,,; s,/run.sh,,; s,\.sh$,,')" \
		    env ELBSHIP="build/asan/elbship" TOOLS="build/asan/tools" "$s"
	done
}
lane tests/servers/selftest.sh tests/delivery/run.sh tests/deploy/run.sh \
    tests/package/run.sh tests/enqueue/run.sh >"$log_dir/lane1.out" &
lane1=$!
lane tests/servers/test_runtime_api.sh tests/s3/selftest.sh tests/s3/run.sh \
    tests/lambda/run.sh tests/lambda/delivery.sh tests/failure/run.sh \
    tests/servers/beats_selftest.sh tests/beats/run.sh tests/beats/lambda.sh \
    >"$log_dir/lane2.out" &
lane2=$!
wait $lane1 $lane2
cat "$log_dir/lane1.out" "$log_dir/lane2.out"

if [ -x fuzz/run.sh ]; then
	echo "== fuzz smoke"
	run_suite "fuzz smoke" fuzz/run.sh smoke
fi

passed=$(awk '{p += $1} END {print p + 0}' "$results")
failed=$(awk '{f += $2} END {print f + 0}' "$results")
echo
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]

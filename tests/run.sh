#!/usr/bin/env bash
# tests/run.sh: the whole suite (what `./dev.sh test` and .ci/run run).
#
# Builds elbship twice (release, and ASan+UBSan), and with clang to prove the
# code is -Werror clean there too; then runs, against both gcc builds, every
# unit test binary, the golden tests and the CLI tests, then a short fuzz
# smoke run.  Each suite prints TAP lines and ends with "# N passed, M
# failed"; this script adds them up and ends with "N passed, M failed".
set -u
cd "$(dirname "$0")/.."

passed=0
failed=0
log_dir=build/test-logs
mkdir -p "$log_dir"

# run_suite NAME CMD...: run a suite, echo its failures, add its counts.
run_suite() {
	local name=$1 out rc line p f
	shift
	out="$log_dir/$(echo "$name" | tr ' /' '__').log"
	"$@" >"$out" 2>&1
	rc=$?
	line=$(grep -E '^# [0-9]+ passed, [0-9]+ failed' "$out" | tail -n 1)
	if [ -z "$line" ]; then
		echo "FAIL $name: exited $rc without a summary (see $out)"
		tail -n 20 "$out" | sed 's/^/    /'
		failed=$((failed + 1))
		return
	fi
	p=$(echo "$line" | sed -E 's/^# ([0-9]+) passed.*/\1/')
	f=$(echo "$line" | sed -E 's/.*passed, ([0-9]+) failed.*/\1/')
	if [ "$f" -gt 0 ] || [ "$rc" -ne 0 ]; then
		grep -E '^not ok' "$out" | head -n 20 | sed 's/^/    /'
		[ "$f" -eq 0 ] && f=1
	fi
	printf '%-40s %4d passed, %d failed\n' "$name" "$p" "$f"
	passed=$((passed + p))
	failed=$((failed + f))
}

scripts/deps.sh test || { echo "0 passed, 1 failed"; exit 1; }
if [ ! -f node_modules/s3rver/package.json ]; then
	npm ci --no-audit --no-fund --loglevel=error >"$log_dir/npm.log" 2>&1 ||
	    { cat "$log_dir/npm.log"; echo "0 passed, 1 failed"; exit 1; }
fi

echo "== build (gcc release, gcc asan+ubsan, clang)"
if ! make -s -j2 all tests tools >"$log_dir/build-release.log" 2>&1; then
	cat "$log_dir/build-release.log"; echo "0 passed, 1 failed"; exit 1
fi
if ! make -s -j2 VARIANT=asan all tests tools >"$log_dir/build-asan.log" 2>&1; then
	cat "$log_dir/build-asan.log"; echo "0 passed, 1 failed"; exit 1
fi
if make -s -j2 CC=clang O=build/clang VARIANT=release all tests tools \
    >"$log_dir/build-clang.log" 2>&1; then
	passed=$((passed + 1)); echo "clang -Wall -Wextra -Werror build          1 passed, 0 failed"
else
	failed=$((failed + 1)); echo "FAIL clang build:"; tail -n 20 "$log_dir/build-clang.log"
fi

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:halt_on_error=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1

for variant in release asan; do
	echo "== $variant"
	for t in build/$variant/tests/test_*; do
		[ -x "$t" ] || continue
		run_suite "$variant unit $(basename "$t")" "$t"
	done
	for s in tests/golden/run.sh tests/cli/run.sh tests/docs/run.sh \
	    tests/setup/run.sh tests/aws/creds_test.sh; do
		[ -x "$s" ] || continue
		run_suite "$variant $(dirname "$s" | sed 's,tests/,,')" \
		    env ELBSHIP="build/$variant/elbship" TOOLS="build/$variant/tools" "$s"
	done
done

# Suites that talk to the test servers: once, against the sanitizer build
# (where a leak or a bad access in the network code fails the run).
echo "== servers and end to end (asan build)"
for s in tests/servers/selftest.sh tests/servers/test_runtime_api.sh \
    tests/s3/selftest.sh tests/delivery/run.sh tests/s3/run.sh \
    tests/lambda/run.sh tests/deploy/run.sh tests/package/run.sh; do
	[ -x "$s" ] || continue
	run_suite "$(echo "$s" | sed 's,tests/,,; s,/run.sh,,; s,\.sh$,,')" \
	    env ELBSHIP="build/asan/elbship" TOOLS="build/asan/tools" "$s"
done

if [ -x fuzz/run.sh ]; then
	echo "== fuzz smoke"
	run_suite "fuzz smoke" fuzz/run.sh smoke
fi

echo
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]

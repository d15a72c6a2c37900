#!/bin/sh
# dev.sh: the project's entry points on a fresh Debian 12 machine.
#
#   ./dev.sh demo    install build dependencies if missing, build, and ship the
#                    bundled sample logs (examples/) as ECS NDJSON to stdout,
#                    with the summary on stderr
#   ./dev.sh test    install test dependencies if missing (Debian packages,
#                    the arm64 cross toolchain when it can be had, the tests'
#                    pinned npm packages) and run the whole suite
#                    (tests/run.sh, which installs nothing); ends with
#                    "N passed, M failed"
#   ./dev.sh bench   benchmarks (bench/run.sh; several minutes)
#   ./dev.sh fuzz    long fuzzing runs (FUZZ_SECONDS per target)
set -eu
cd "$(dirname "$0")"

case ${1:-} in
demo)
	scripts/deps.sh build
	make -s -j2 >&2
	exec build/release/elbship ship --label environment=demo examples/
	;;
test)
	# On failure tests/run.sh names what is missing, and ends with its
	# "N passed, M failed" line all the same.
	scripts/deps.sh test ||
	    echo "elbship: installing the test dependencies failed" >&2
	# The Lambda package's cross build (arm64, run under qemu): if Debian's
	# cross toolchain cannot be installed here, tests/package/run.sh says SKIP.
	mkdir -p build
	scripts/package-deps.sh all >build/package-deps.log 2>&1 ||
	    echo "note: arm64 cross toolchain not installed (see build/package-deps.log)"
	exec tests/run.sh
	;;
bench)
	scripts/deps.sh bench
	exec make -s bench
	;;
fuzz)
	scripts/deps.sh test
	exec fuzz/run.sh long
	;;
*)
	echo "usage: ./dev.sh demo|test|bench|fuzz" >&2
	exit 2
	;;
esac

#!/bin/sh
# dev.sh: the project's entry points on a fresh Debian 12 machine.
#
#   ./dev.sh demo    install build dependencies if missing, build, and ship the
#                    bundled sample logs (examples/) as ECS NDJSON to stdout,
#                    with the summary on stderr
#   ./dev.sh test    install test dependencies if missing and run the whole
#                    suite; ends with "N passed, M failed"
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

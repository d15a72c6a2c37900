#!/usr/bin/env bash
# tests/fidelity/run.sh: elbship's documents against Elastic's own.
#
# The lines of Elastic's pipeline test for the aws.elb_logs dataset
# (test-alb.log) go through `elbship ship -e`; compare.py checks the
# documents field by field against Elastic's expected documents
# (test-alb.log-expected.json), allowing only the differences that
# docs/fields.md ("Differences from Elastic's pipeline") names with a
# reason.  See README.md here for where the fixtures come from.
#
# Environment: ELBSHIP (default build/release/elbship).  Prints TAP and
# ends with one "# N passed, M failed" line; exits 1 on failures.
set -u
cd "$(dirname "$0")/../.."
ELBSHIP=${ELBSHIP:-build/release/elbship}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if [ ! -x "$ELBSHIP" ]; then
	echo "# $ELBSHIP is not built (make)"
	echo "# 0 passed, 1 failed"
	exit 1
fi
if ! "$ELBSHIP" ship -q -e tests/fidelity/test-alb.log >"$tmp/docs.ndjson"; then
	echo "not ok 1 - elbship ship -e tests/fidelity/test-alb.log"
	echo "# 0 passed, 1 failed"
	exit 1
fi
exec python3 tests/fidelity/compare.py tests/fidelity/test-alb.log-expected.json \
    "$tmp/docs.ndjson" docs/fields.md

#!/usr/bin/env bash
# bench/s3rss.sh: peak memory while streaming a 1 GB (uncompressed) ALB log
# from an S3-compatible server (s3rver), to show it does not grow with the
# object: the bound is the foundation's (32 MiB).
#
#   bench/s3rss.sh            # S3RSS_BYTES=1073741824 by default
set -euo pipefail
cd "$(dirname "$0")/.."
ELBSHIP=${ELBSHIP:-build/release/elbship}
BYTES=${S3RSS_BYTES:-1073741824}
OUT=build/bench
mkdir -p "$OUT"
name=111122223333_elasticloadbalancing_eu-west-1_app.rss-alb.0123456789abcdef_20251103T1300Z_10.0.4.20_rssrss01.log.gz
if [ ! -s "$OUT/$name" ]; then
	cc -O2 -o "$OUT/gen_alb" bench/gen_alb.c
	"$OUT/gen_alb" --bytes "$BYTES" --seed 11 | gzip -1 >"$OUT/$name"
fi
[ -f tests/node_modules/s3rver/package.json ] ||
    npm ci --prefix tests --no-audit --no-fund --loglevel=error
dir=$(mktemp -d)
trap 'tests/s3/s3rver.sh stop "$dir/s3" >/dev/null 2>&1; rm -rf "$dir"' EXIT
S3RVER_PARENT_PID=$$ tests/s3/s3rver.sh start "$dir/s3" >/dev/null
# shellcheck disable=SC1091
. "$dir/s3/env"
python3 tests/s3/s3util.py --env-file "$dir/s3/env" mb bench >/dev/null
python3 tests/s3/s3util.py --env-file "$dir/s3/env" put bench "$name" "$OUT/$name" >/dev/null
# s3rver answers the PUT before the object is on disk: wait for all of it.
size=$(stat -c %s "$OUT/$name")
for _ in $(seq 600); do
	python3 tests/s3/s3util.py --env-file "$dir/s3/env" head bench "$name" 2>/dev/null |
	    grep -qi "^content-length: $size" && break
	sleep 0.1
done
for threads in 1 2; do
	/usr/bin/time -f '%e %M' -o "$dir/t" "$ELBSHIP" ship -q --threads $threads \
	    "s3://bench/$name" -o /dev/null
	read -r secs kb <"$dir/t"
	echo "| s3://.../$(du -m "$OUT/$name" | cut -f1) MB gzip ($((BYTES / 1048576)) MiB of log), --threads $threads | $secs s | $(awk "BEGIN{printf \"%.0f\", $BYTES/1e6/$secs}") MB/s | $((kb / 1024)) MiB |"
done

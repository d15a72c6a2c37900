#!/usr/bin/env bash
# bench/peers.sh: elbship's CPU per GB of ALB log beside stand-ins for
# Elastic Serverless Forwarder (ESF) and a Logstash node, on the object
# bench/lambda.sh ships (LAMBDA_BYTES raw, default 100 MB, gzip -6), and
# what each costs per TB of raw log.  Neither peer can run here (no AWS,
# no Logstash package), so:
#
#   elbship    the release build, `ship -q --threads 1 --es URL` of the
#              gzip object to bench/bulk_sink.py: decompression, parsing,
#              gzip and the _bulk requests, on one thread.
#   ESF        bench/esf_model.py: ESF's per-line work re-done in Python
#              from its source (download into memory, gzip, line split,
#              the event dict, the _bulk body, gzip level 9), orjson as
#              ESF uses when the machine has it.
#   ESF's ingest pipeline, and a Logstash node
#              bench/GrokStandIn.java (ingest / logstash): the grok of the
#              AWS integration's elb_logs pipeline with Joni, the regex
#              engine both use, and the JSON in and out with Jackson; a
#              lower bound (no user_agent, geoip, date, ... nor the
#              node's own overhead).  Needs javac and Debian's
#              libjruby-joni-java and libjackson2-core-java (bench/deps.sh
#              installs them when missing, unless PEERS_NO_DEPS=1; without
#              them those rows are skipped).
#
# Each row is the best of PEERS_RUNS (default 3) runs, in CPU seconds
# (user+sys) of the process doing the work (the receiver's excluded); the
# Java rows after a warm-up pass over the first 16 MiB.  CPU seconds per
# GB make the MB/s per vCPU (1000 / s per GB) and the cost per TB:
#
#   Lambda     s per TB x 1,769/1,024 GB x the price per GB-second (x86_64
#              0.0000166667, arm64 0.0000133334, as bench/lambda.sh): the
#              duration of a CPU-bound function at or below 1,769 MB, where
#              Lambda gives memory/1,769 of one vCPU (ESF's 512 MB default
#              takes 3.5x as long for 3.5x less memory: the same GB-s).
#   EC2        s per TB / vCPUs x the hourly price / 3,600 (PEERS_EC2_HOURLY,
#              default 0.085, c6i.large on-demand in us-east-1, Linux;
#              PEERS_EC2_VCPUS 2), at 100% use: a floor.
#
#   bench/peers.sh                      # under 2 minutes on a 2-vCPU machine
#   PEERS_RUNS=1 LAMBDA_BYTES=20000000 bench/peers.sh   # a smoke run
#
# Prints Markdown rows for docs/benchmarks.md ("ESF and a Logstash node
# beside elbship"); also written to build/bench/peers.md.
set -euo pipefail
cd "$(dirname "$0")/.."
ELBSHIP=${ELBSHIP:-build/release/elbship}
BYTES=${LAMBDA_BYTES:-100000000}
RUNS=${PEERS_RUNS:-3}
HOURLY=${PEERS_EC2_HOURLY:-0.085}
VCPUS=${PEERS_EC2_VCPUS:-2}
OUT=build/bench
mkdir -p "$OUT"
[ -x "$ELBSHIP" ] || { echo "peers.sh: $ELBSHIP is not built (make)" >&2; exit 1; }
# GNU time, jq, a JDK, Joni and Jackson: installs what is missing only.
[ -n "${PEERS_NO_DEPS:-}" ] || bench/deps.sh
[ -x /usr/bin/time ] || { echo "peers.sh: GNU time is required (bench/deps.sh)" >&2; exit 1; }
command -v jq >/dev/null || { echo "peers.sh: jq is required" >&2; exit 1; }

# The object bench/lambda.sh ships.
. bench/lambda-input.sh
raw=$(gzip -dc "$obj" | wc -c)
lines=$(gzip -dc "$obj" | wc -l)

# The Java stand-in's libraries.
CP=/usr/share/java/joni.jar:/usr/share/java/jcodings.jar:/usr/share/java/jackson-core.jar
have_java() { command -v javac >/dev/null && [ -f /usr/share/java/joni.jar ] &&
    [ -f /usr/share/java/jcodings.jar ] && [ -f /usr/share/java/jackson-core.jar ]; }
java_ok=
if have_java; then
	mkdir -p "$OUT/java"
	javac -cp "$CP" -d "$OUT/java" bench/GrokStandIn.java && java_ok=1
else
	echo "peers.sh: no javac or Joni/Jackson jars: the Java rows are skipped" >&2
fi

cpu() {	# cpu CMD...: user+sys seconds of CMD
	/usr/bin/time -f '%U %S' "$@" 2>&1 >/dev/null | tail -n 1 | awk '{print $1 + $2}'
}
min() { awk -v a="$1" -v b="$2" 'BEGIN { print (a == "" || b < a) ? b : a }'; }

# elbship to a local _bulk endpoint
rm -f "$OUT/peers-sink.port"
python3 bench/bulk_sink.py --port-file "$OUT/peers-sink.port" &
sink=$!
trap 'kill $sink 2>/dev/null || true' EXIT
for _ in $(seq 100); do [ -s "$OUT/peers-sink.port" ] && break; sleep 0.05; done
url=http://127.0.0.1:$(cat "$OUT/peers-sink.port")
e=
for _ in $(seq "$RUNS"); do
	e=$(min "$e" "$(cpu "$ELBSHIP" ship -q --threads 1 --es "$url" "$obj")")
done
echo "elbship: $e s" >&2

# ESF's stand-in: it reports its own CPU (start-up excluded: a warm Lambda)
f='' fjson=''
for _ in $(seq "$RUNS"); do
	j=$(python3 bench/esf_model.py "$obj")
	[ "$(jq -r .docs <<<"$j")" = "$lines" ] || { echo "peers.sh: esf_model.py: $j" >&2; exit 1; }
	f=$(min "$f" "$(jq -r .cpu_s <<<"$j")")
	fjson=$j
done
echo "ESF model: $f s ($fjson)" >&2

# The Java stand-ins
l='' i='' ljson='' ijson=''
if [ -n "$java_ok" ]; then
	for _ in $(seq "$RUNS"); do
		j=$(java -cp "$CP:$OUT/java" GrokStandIn logstash "$obj" bench/peers_grok.txt)
		[ "$(jq -r .lines <<<"$j")" = "$lines" ] || { echo "peers.sh: logstash: $j" >&2; exit 1; }
		l=$(min "$l" "$(jq -r .cpu_s <<<"$j")")
		ljson=$j
		j=$(java -cp "$CP:$OUT/java" GrokStandIn ingest "$obj" bench/peers_grok.txt)
		[ "$(jq -r .lines <<<"$j")" = "$lines" ] || { echo "peers.sh: ingest: $j" >&2; exit 1; }
		i=$(min "$i" "$(jq -r .cpu_s <<<"$j")")
		ijson=$j
	done
	echo "logstash stand-in: $l s ($ljson)" >&2
	echo "ingest stand-in: $i s ($ijson)" >&2
fi

rev=$(git describe --tags --always --dirty 2>/dev/null || echo unknown)
{
echo "| tool | how measured | CPU s per GB | MB/s per vCPU | cost per TB of raw log |"
echo "|---|---|---:|---:|---:|"
awk -v raw="$raw" -v e="$e" -v f="$f" -v l="$l" -v i="$i" -v hourly="$HOURLY" -v vcpus="$VCPUS" '
function spg(c) { return c / (raw / 1e9) }
function lam(c,  s) { s = spg(c) * 1000 * 1769 / 1024; return sprintf("$%.2f x86_64, $%.2f arm64 (Lambda)", s * 0.0000166667, s * 0.0000133334) }
function ec2(c) { return spg(c) * 1000 / vcpus * hourly / 3600 }
BEGIN {
	printf "| elbship | measured: `ship --threads 1 --es` to a local `_bulk` endpoint | %.2f | %.0f | %s |\n", spg(e), 1000 / spg(e), lam(e)
	printf "| Elastic Serverless Forwarder | stand-in: `bench/esf_model.py`, ESF'"'"'s Python work re-done | %.1f | %.1f | %s, plus its waits for each `_bulk` answer |\n", spg(f), 1000 / spg(f), lam(f)
	if (i != "")
		printf "| + its ingest pipeline, in the cluster | stand-in, lower bound: grok + JSON only (`GrokStandIn ingest`) | at least %.1f | at most %.1f | at least $%.2f more (as EC2 vCPU time) |\n", spg(i), 1000 / spg(i), ec2(i)
	if (l != "")
		printf "| Logstash node | stand-in, lower bound: grok + JSON + gzip only (`GrokStandIn logstash`) | at least %.1f | at most %.1f | at least $%.2f (EC2, %s vCPUs at $%s/h, 100%% busy) |\n", spg(l), 1000 / spg(l), ec2(l), vcpus, hourly
	# Published figures (see docs/benchmarks.md for what they measured);
	# their costs use the same prices as the rows above.
	s = 45 * 0.5 / 35.1 * 1e6
	printf "| ESF, published | a comment in its source, 2021 ([`storage/storage.py`](https://github.com/elastic/elastic-serverless-forwarder/blob/main/storage/storage.py)): \"6.2M gzip of 35.1 of inflated content ... ingested in 45 secs\", memory not stated | | 0.78 a function | $%.1f x86_64, $%.1f arm64 if at its default 512 MB ([`application.yaml`](https://github.com/elastic/elastic-serverless-forwarder/blob/main/.internal/aws/cloudformation/application.yaml)) |\n", s * 0.0000166667, s * 0.0000133334
	hi = 1.5e3 / 101 / 4; lo = 1.5e3 / 101 / 8
	printf "| Logstash, published | [elastic/logstash#9625](https://github.com/elastic/logstash/issues/9625) (2018, Logstash 6.3, Java execution): 1.5 GB of Apache log, 6.9M lines, grok + date + geoip + useragent, in 1:41 on a 2017 MacBook Pro: 68,316 events/s, 14.9 MB/s | | %.1f-%.1f (8 or 4 hardware threads: not stated) | $%.1f-%.1f (EC2 as above) |\n", lo, hi, 1e6 / hi / vcpus * hourly / 3600, 1e6 / lo / vcpus * hourly / 3600
}'
echo
echo "(Measured rows: $((raw / 1000000)) MB of ALB log, $lines lines, best of $RUNS; elbship $rev; $(jq -r .serializer <<<"$fjson") on Python $(jq -r .python <<<"$fjson")${ljson:+; OpenJDK $(jq -r .java <<<"$ljson")}; $(lscpu | sed -n 's/^Model name: *//p' | head -n 1), $(nproc) vCPUs; $(date -u '+%Y-%m-%d %H:%M UTC').)"
if [ -n "$ijson" ]; then
	echo
	echo "Grok matches per expression (Classic HTTP, Classic TCP, ALB, NLB): ingest $(jq -c .matched <<<"$ijson"), unmatched $(jq -r .unmatched <<<"$ijson") of $lines; Logstash (the ALB expression alone) unmatched $(jq -r .unmatched <<<"$ljson")."
fi
} | tee "$OUT/peers.md"

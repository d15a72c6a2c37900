#!/usr/bin/env bash
# bench/run.sh: throughput and memory benchmarks for elbship (see bench/README.md).
#
#   bench/run.sh            # or: make bench
#
# Environment:
#   BENCH_BYTES    size of the generated plain log in bytes (default 419430400 = 400 MiB)
#   BENCH_RUNS     runs per row; the best wall time is reported (default 10:
#                  this VM's speed varies by up to 30% from run to run)
#   BENCH_SEED     generator seed (default 1)
#   BENCH_MEMBER   uncompressed size of each gzip member, split(1) -C syntax (default 8M)
#   BENCH_SKIP     rows to skip, space or comma separated:
#                  elbship-plain elbship-gz igzip gzip goaccess mixes
#   BENCH_MIXES    the other line mixes (bench/gen_mix.c), each measured plain and
#                  as both kinds of gzip (default: long ipv6 clb nlb albconn)
#   BENCH_MIX_BYTES  size of each mix's log (default 104857600 = 100 MiB)
#   BENCH_VERIFY   1 (default): one extra untimed elbship run on the .gz that counts
#                  the NDJSON lines it writes and compares them with the input lines
#   BENCH_NO_DEPS  1: do not run bench/deps.sh (apt-get install isal goaccess time)
#   ELBSHIP        binary to benchmark (default build/release/elbship)
#   CC             compiler for the generator (default cc)
#
# Output: a Markdown report on stdout, also written to build/bench/results.md.
# Progress goes to stderr.
set -euo pipefail
export LC_ALL=C

cd "$(dirname "${BASH_SOURCE[0]}")/.."

OUT=build/bench
BENCH_BYTES=${BENCH_BYTES:-419430400}
BENCH_RUNS=${BENCH_RUNS:-10}
BENCH_SEED=${BENCH_SEED:-1}
BENCH_MEMBER=${BENCH_MEMBER:-8M}
BENCH_SKIP=${BENCH_SKIP:-}
BENCH_VERIFY=${BENCH_VERIFY:-1}
BENCH_MIXES=${BENCH_MIXES-long ipv6 clb nlb albconn}
BENCH_MIX_BYTES=${BENCH_MIX_BYTES:-104857600}
ELBSHIP=${ELBSHIP:-build/release/elbship}
CC=${CC:-cc}
TIME=/usr/bin/time

log() { printf 'bench: %s\n' "$*" >&2; }
die() { printf 'bench: error: %s\n' "$*" >&2; exit 1; }

[[ $BENCH_BYTES =~ ^[0-9]+$ ]] && ((BENCH_BYTES > 0)) || die "BENCH_BYTES must be a positive integer (bytes), got '$BENCH_BYTES'"
[[ $BENCH_RUNS =~ ^[0-9]+$ ]] && ((BENCH_RUNS > 0)) || die "BENCH_RUNS must be a positive integer, got '$BENCH_RUNS'"
[[ $BENCH_SEED =~ ^[0-9]+$ ]] || die "BENCH_SEED must be a non-negative integer, got '$BENCH_SEED'"

skipped() { [[ " ${BENCH_SKIP//,/ } " == *" $1 "* ]]; }

mkdir -p "$OUT"
TMP=$(mktemp -d "$OUT/tmp.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

# ---------------------------------------------------------------- tools
if [[ ${BENCH_NO_DEPS:-0} != 1 ]]; then
	bench/deps.sh || log "warning: bench/deps.sh failed; rows whose tool is missing are marked n/a"
fi
[[ -x $TIME ]] || die "$TIME (GNU time, Debian package 'time') is required for peak RSS"

# ------------------------------------------------------------ generator
GEN=$OUT/gen_alb
if [[ ! -x $GEN || bench/gen_alb.c -nt $GEN ]]; then
	log "building $GEN"
	$CC -std=c11 -O2 -Wall -Wextra -Werror -o "$GEN" bench/gen_alb.c
fi
GENMIX=$OUT/gen_mix
if [[ ! -x $GENMIX || bench/gen_mix.c -nt $GENMIX ]]; then
	log "building $GENMIX"
	$CC -std=c11 -O2 -Wall -Wextra -Werror -o "$GENMIX" bench/gen_mix.c
fi

# --------------------------------------------------------------- elbship
ELB_OK=0
ELB_WHY=""
log "building elbship (make)"
if ${MAKE:-make} -s >"$TMP/make.log" 2>&1; then
	:
else
	log "warning: make failed (elbship rows will be n/a); last lines:"
	tail -n 5 "$TMP/make.log" >&2 || true
fi
if [[ ! -x $ELBSHIP ]]; then
	ELB_WHY="$ELBSHIP not built"
elif ! "$ELBSHIP" ship --help >/dev/null 2>&1 </dev/null; then
	ELB_WHY="\`elbship ship --help\` fails (no ship command yet)"
else
	ELB_OK=1
fi
((ELB_OK)) || log "elbship rows: n/a ($ELB_WHY)"

# ------------------------------------------------------------------ data
# The file name carries the size: alb-400m.log for 400 MiB, else alb-<bytes>.log.
if ((BENCH_BYTES % 1048576 == 0)); then
	LABEL="$((BENCH_BYTES / 1048576))m"
else
	LABEL="$BENCH_BYTES"
fi
LOGF=$OUT/alb-$LABEL.log
GZF=$LOGF.gz
STAMP=$LOGF.params
GEN_SUM=$(cksum <bench/gen_alb.c | cut -d' ' -f1)
WANT="bytes=$BENCH_BYTES seed=$BENCH_SEED gen=$GEN_SUM"

if [[ ! -f $LOGF || ! -f $STAMP ]] || [[ $(sed -n 1p "$STAMP") != "$WANT" ]]; then
	log "generating $LOGF ($BENCH_BYTES bytes, seed $BENCH_SEED)"
	rm -f "$GZF"
	"$GEN" --bytes "$BENCH_BYTES" --seed "$BENCH_SEED" >"$LOGF.tmp"
	mv "$LOGF.tmp" "$LOGF"
	{
		echo "$WANT"
		wc -l <"$LOGF"
	} >"$STAMP"
fi
LOG_BYTES=$(stat -c %s "$LOGF")
LOG_LINES=$(sed -n 2p "$STAMP")

# make_gz LOG: LOG.gz, multi-member (one gzip -6 member per ~BENCH_MEMBER of
# lines, as AWS writes large logs), and LOG.1.gz, one member (gzip -6), each
# made when missing or older than LOG and checked to decompress to LOG.
make_gz() {
	local log=$1
	if [[ ! -f $log.gz || $log -nt $log.gz ]]; then
		log "compressing $log.gz (multi-member: one gzip -6 member per ~$BENCH_MEMBER of lines)"
		rm -rf "$TMP/split"
		mkdir -p "$TMP/split"
		split -C "$BENCH_MEMBER" -d -a 5 "$log" "$TMP/split/part."
		find "$TMP/split" -name 'part.*' -print0 | xargs -0 -n 4 -P "$(nproc)" gzip -6 -n
		find "$TMP/split" -name 'part.*.gz' | sort | xargs cat >"$log.gz.tmp"
		rm -rf "$TMP/split"
		gzip -dc "$log.gz.tmp" | cmp -s - "$log" || die "$log.gz.tmp does not decompress to $log"
		mv "$log.gz.tmp" "$log.gz"
	fi
	if [[ ! -f $log.1.gz || $log -nt $log.1.gz ]]; then
		log "compressing $log.1.gz (one gzip -6 member)"
		gzip -6 -n -c "$log" >"$log.1.gz.tmp"
		gzip -dc "$log.1.gz.tmp" | cmp -s - "$log" || die "$log.1.gz.tmp does not decompress to $log"
		mv "$log.1.gz.tmp" "$log.1.gz"
	fi
}
make_gz "$LOGF"
GZ1=$LOGF.1.gz
GZ_BYTES=$(stat -c %s "$GZF")
GZ1_BYTES=$(stat -c %s "$GZ1")
MEMBERS=$(((LOG_BYTES + $(numfmt --from=iec "$BENCH_MEMBER") - 1) / $(numfmt --from=iec "$BENCH_MEMBER")))

# ----------------------------------------------------------- measurement
# Microseconds since the epoch, from bash's $EPOCHREALTIME (no fork).
now_us() { local t=$EPOCHREALTIME; echo $((10#${t/./})); }

ROWS=()       # "name|cmd shown|status|wall_us|rss_kb"

# measure NAME SHOWN CMD...: BENCH_RUNS runs of CMD (stdout and stdin
# /dev/null); keeps the best wall time and the highest peak RSS.
measure() {
	local name=$1 shown=$2
	shift 2
	local best="" rss=0 i t0 t1 w m rc
	log "running $name: $shown"
	for ((i = 1; i <= BENCH_RUNS; i++)); do
		rc=0
		t0=$(now_us)
		$TIME -f '%e %M' -o "$TMP/time" -- "$@" </dev/null >/dev/null 2>"$TMP/stderr" || rc=$?
		t1=$(now_us)
		if ((rc != 0)); then
			log "  $name failed (exit $rc):"
			tail -n 5 "$TMP/stderr" | sed 's/^/    /' >&2 || true
			ROWS+=("$name|$shown|failed (exit $rc)||")
			return 0
		fi
		w=$((t1 - t0))
		m=$(awk 'END { print $2 }' "$TMP/time")
		log "  run $i: $(fmt_s "$w") s, peak RSS $((m / 1024)) MiB"
		if [[ -z $best ]] || ((w < best)); then best=$w; fi
		if ((m > rss)); then rss=$m; fi
	done
	ROWS+=("$name|$shown|ok|$best|$rss")
}

fmt_s() { awk -v u="$1" 'BEGIN { printf "%.3f", u / 1e6 }'; }

row_get() { # NAME FIELD(3=status 4=wall 5=rss)
	local r
	for r in "${ROWS[@]}"; do
		if [[ ${r%%|*} == "$1" ]]; then
			cut -d'|' -f"$2" <<<"$r"
			return
		fi
	done
}

log "warming the page cache"
cat "$LOGF" "$GZF" "$GZ1" >/dev/null

if skipped elbship-plain; then
	:
elif ((ELB_OK)); then
	# The target is for one core: --threads 1.  The default (a thread per
	# CPU) is shown beside it.
	measure "elbship (plain)" "elbship ship --threads 1 $LOGF --output /dev/null" "$ELBSHIP" ship --threads 1 "$LOGF" --output /dev/null
	measure "elbship (plain, all CPUs)" "elbship ship $LOGF --output /dev/null" "$ELBSHIP" ship "$LOGF" --output /dev/null
else
	ROWS+=("elbship (plain)|elbship ship --threads 1 $LOGF --output /dev/null|n/a||")
fi

# Both kinds of gzip: AWS's multi-member files ("elbship (gz)", "igzip -dc")
# and one member as gzip -6 writes it ("... (gz, 1 member)").
if skipped elbship-gz; then
	:
elif ((ELB_OK)); then
	measure "elbship (gz)" "elbship ship $GZF --output /dev/null" "$ELBSHIP" ship "$GZF" --output /dev/null
	measure "elbship (gz, 1 member)" "elbship ship $GZ1 --output /dev/null" "$ELBSHIP" ship "$GZ1" --output /dev/null
else
	ROWS+=("elbship (gz)|elbship ship $GZF --output /dev/null|n/a||")
	ROWS+=("elbship (gz, 1 member)|elbship ship $GZ1 --output /dev/null|n/a||")
fi

if skipped igzip; then
	:
elif command -v igzip >/dev/null 2>&1; then
	measure "igzip -dc" "igzip -dc $GZF > /dev/null" igzip -dc "$GZF"
	measure "igzip -dc (1 member)" "igzip -dc $GZ1 > /dev/null" igzip -dc "$GZ1"
else
	ROWS+=("igzip -dc|igzip -dc $GZF > /dev/null|n/a (igzip missing)||")
	ROWS+=("igzip -dc (1 member)|igzip -dc $GZ1 > /dev/null|n/a (igzip missing)||")
fi

if ! skipped gzip; then
	measure "gzip -dc" "gzip -dc $GZF > /dev/null" gzip -dc "$GZF"
fi

GA_NOTE=""
if skipped goaccess; then
	:
elif command -v goaccess >/dev/null 2>&1; then
	GA_JSON=$OUT/goaccess.json
	rm -f "$GA_JSON"
	measure "goaccess" "goaccess $LOGF --log-format=AWSALB --no-global-config -o $GA_JSON" \
		goaccess "$LOGF" --log-format=AWSALB --no-global-config -o "$GA_JSON"
	if [[ -s $GA_JSON ]]; then
		ga_num() { grep -o "\"$1\": *[0-9]*" "$GA_JSON" | head -n 1 | grep -o '[0-9]*$'; }
		ga_total=$(ga_num total_requests) ga_valid=$(ga_num valid_requests) ga_failed=$(ga_num failed_requests)
		GA_NOTE=$(awk -v t="$ga_total" -v v="$ga_valid" -v f="$ga_failed" -v n="$LOG_LINES" 'BEGIN {
			printf "GoAccess %s AWSALB format: %d of %d lines read, %d valid (%.2f%%), %d rejected (%.2f%%).",
				"'"$(goaccess --version 2>/dev/null | head -n 1 | sed 's/^GoAccess - //; s/\.$//')"'",
				t, n, v, 100 * v / n, f, 100 * f / n }')
		if ((ga_failed * 2 > LOG_LINES)); then
			GA_NOTE+=" **GoAccess rejects most lines, so its time is not comparable.**"
		fi
		if ((ga_failed > 0)); then
			# Field 4 (client:port) never contains a space.
			v6=$(awk '$4 !~ /^\[/ && gsub(/:/, ":", $4) > 1 { n++ } END { print n + 0 }' "$LOGF")
			if ((v6 == ga_failed)); then
				GA_NOTE+=" The rejected lines are exactly the $v6 lines whose client is a plain IPv6 address (\`2001:db8::1:443\`): its AWSALB format reads the client as \`%h:%^\` (bracketed IPv6 is accepted). Its time still covers reading the whole file."
			else
				GA_NOTE+=" ($v6 lines have a plain IPv6 client, which its \`%h:%^\` client field cannot read.)"
			fi
		fi
	fi
else
	ROWS+=("goaccess|goaccess (missing)|n/a (goaccess missing)||")
fi

# ---------------------------------------------------------------- mixes
# Each other line mix: plain --threads 1, and gzip -> NDJSON (default
# threads) against igzip -dc alone on the same file, for both kinds of gzip.
MIXROWS=()	# "mix|bytes|lines|plain_us|gz1_us|igz1_us|gzm_us|igzm_us"
best_of() { # CMD...: best wall time in us of BENCH_RUNS runs, "" on failure
	local i t0 t1 w best=""
	for ((i = 1; i <= BENCH_RUNS; i++)); do
		t0=$(now_us)
		"$@" </dev/null >/dev/null 2>/dev/null || { echo ""; return 0; }
		t1=$(now_us)
		w=$((t1 - t0))
		if [[ -z $best ]] || ((w < best)); then best=$w; fi
	done
	echo "$best"
}
if ((ELB_OK)) && ! skipped mixes; then
	for mix in $BENCH_MIXES; do
		mf=$OUT/mix-$mix-$BENCH_MIX_BYTES.log
		mstamp=$mf.params
		mwant="mix=$mix bytes=$BENCH_MIX_BYTES seed=$BENCH_SEED gen=$(cksum <bench/gen_mix.c | cut -d' ' -f1)"
		if [[ ! -f $mf || ! -f $mstamp ]] || [[ $(cat "$mstamp") != "$mwant" ]]; then
			log "generating $mf"
			"$GENMIX" --mix "$mix" --bytes "$BENCH_MIX_BYTES" --seed "$BENCH_SEED" >"$mf.tmp"
			mv "$mf.tmp" "$mf"
			echo "$mwant" >"$mstamp"
		fi
		make_gz "$mf"
		cat "$mf" "$mf.gz" "$mf.1.gz" >/dev/null
		log "mix $mix: plain, gz (1 member), gz (8M members)"
		mp=$(best_of "$ELBSHIP" ship --threads 1 "$mf" --output /dev/null)
		mg1=$(best_of "$ELBSHIP" ship "$mf.1.gz" --output /dev/null)
		mgm=$(best_of "$ELBSHIP" ship "$mf.gz" --output /dev/null)
		mi1="" mim=""
		if command -v igzip >/dev/null 2>&1; then
			mi1=$(best_of igzip -dc "$mf.1.gz")
			mim=$(best_of igzip -dc "$mf.gz")
		fi
		MIXROWS+=("$mix|$(stat -c %s "$mf")|$(wc -l <"$mf")|$mp|$mg1|$mi1|$mgm|$mim")
	done
fi

VERIFY_NOTE=""
if ((ELB_OK)) && [[ $BENCH_VERIFY == 1 ]] && ! skipped elbship-gz; then
	log "verifying: elbship ship $GZF --output /dev/stdout | wc -l"
	set +o pipefail
	got=$("$ELBSHIP" ship "$GZF" --output /dev/stdout </dev/null 2>"$TMP/verify.err" | wc -l)
	set -o pipefail
	if ((got == LOG_LINES)); then
		VERIFY_NOTE="Check: \`elbship ship\` on the .gz wrote $got NDJSON lines for $LOG_LINES input lines."
	else
		VERIFY_NOTE="**Check failed:** \`elbship ship FILE.gz --output /dev/stdout\` wrote $got NDJSON lines for $LOG_LINES input lines (a tool that drops or merges records is not benchmarked fairly)."
		log "warning: elbship wrote $got lines for $LOG_LINES input lines"
	fi
fi

# ---------------------------------------------------------------- report
mb_s() { awk -v b="$LOG_BYTES" -v u="$1" 'BEGIN { printf "%.0f", b / 1e6 / (u / 1e6) }'; }
lines_s() { awk -v n="$LOG_LINES" -v u="$1" 'BEGIN { printf "%.0f", n / (u / 1e6) }'; }
mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }
cell() { [[ -n $1 ]] && echo "$1" || echo "n/a"; }

CPU=$(lscpu | sed -n 's/^Model name: *//p' | head -n 1)
MEM=$(awk '/^MemTotal:/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
KERNEL=$(uname -sr)
OS=$(. /etc/os-release 2>/dev/null && echo "${PRETTY_NAME:-}")
REV=$(git describe --tags --always --dirty 2>/dev/null || echo "no commit")
ver() { "$@" 2>&1 | head -n 1 || true; }

report() {
	echo "# elbship benchmark results"
	echo
	echo "- Date: $(date -u '+%Y-%m-%d %H:%M UTC'), elbship revision: \`$REV\`"
	echo "- Machine: $CPU, $(nproc) CPUs (nproc), $MEM RAM, $KERNEL${OS:+, $OS}"
	echo "- Input: \`$LOGF\`: $LOG_BYTES bytes, $LOG_LINES lines, $(awk -v b="$LOG_BYTES" -v n="$LOG_LINES" 'BEGIN { printf "%.0f", b / n }') bytes/line on average (bench/gen_alb.c, seed $BENCH_SEED)."
	echo "  \`$GZF\`: $GZ_BYTES bytes, ~$MEMBERS gzip members (gzip -6, one per ~$BENCH_MEMBER of lines, like AWS multi-member files)."
	echo "  \`$GZ1\`: $GZ1_BYTES bytes, one gzip -6 member."
	echo "- Best of $BENCH_RUNS runs (wall); peak RSS is the highest of the runs (GNU time %M). Page cache warm."
	echo "  MB/s = uncompressed input bytes / 10^6 / wall seconds, for every row (gzip rows included)."
	echo "- Tools: $(ver igzip --version), $(ver gzip --version), $(ver goaccess --version | sed 's/\.$//')"
	echo
	echo "| tool | wall s | MB/s (uncompressed) | lines/s | peak RSS MiB |"
	echo "|---|---:|---:|---:|---:|"
	local r name shown status wall rss
	for r in "${ROWS[@]}"; do
		IFS='|' read -r name shown status wall rss <<<"$r"
		if [[ $status == ok ]]; then
			echo "| $name | $(fmt_s "$wall") | $(mb_s "$wall") | $(lines_s "$wall") | $(mib "$rss") |"
		else
			echo "| $name | $status | | | |"
		fi
	done
	echo
	echo "Commands:"
	echo
	for r in "${ROWS[@]}"; do
		IFS='|' read -r name shown status wall rss <<<"$r"
		echo "- $name: \`$shown\`"
	done
	echo
	[[ -n $GA_NOTE ]] && echo "$GA_NOTE" && echo
	[[ -n $VERIFY_NOTE ]] && echo "$VERIFY_NOTE" && echo

	# Targets (issue 13).
	local ep eg ig eg1 ig1 ratio="n/a" ratio1="n/a"
	ep=$(row_get "elbship (plain)" 4)
	eg=$(row_get "elbship (gz)" 4)
	ig=$(row_get "igzip -dc" 4)
	eg1=$(row_get "elbship (gz, 1 member)" 4)
	ig1=$(row_get "igzip -dc (1 member)" 4)
	if [[ -n $eg && -n $ig ]]; then
		ratio=$(awk -v a="$eg" -v b="$ig" 'BEGIN { printf "%.2f", a / b }')
	fi
	if [[ -n $eg1 && -n $ig1 ]]; then
		ratio1=$(awk -v a="$eg1" -v b="$ig1" 'BEGIN { printf "%.2f", a / b }')
	fi
	echo "Ratio elbship gz wall / igzip -dc wall: one member **$ratio1**, ~$BENCH_MEMBER members **$ratio**"
	echo
	echo "| target | measured | met? |"
	echo "|---|---|---|"
	if [[ -n $ep ]]; then
		local mbs
		mbs=$(mb_s "$ep")
		echo "| plain -> NDJSON >= 800 MB/s on one core (\`--threads 1\`; aim beyond: 1 GB/s) | $mbs MB/s | $( ((mbs >= 800)) && echo yes || echo NO) |"
	else
		echo "| plain -> NDJSON >= 800 MB/s | n/a | n/a |"
	fi
	local rr label
	for rr in "1 member:$ratio1" "~$BENCH_MEMBER members:$ratio"; do
		label=${rr%%:*}
		rr=${rr#*:}
		if [[ $rr != n/a ]]; then
			echo "| gz ($label) wall <= 1.3 x igzip -dc wall | ${rr}x | $(awk -v r="$rr" 'BEGIN { print (r <= 1.3) ? "yes" : "NO" }') |"
		else
			echo "| gz ($label) wall <= 1.3 x igzip -dc wall | n/a | n/a |"
		fi
	done
	local rp rg
	rp=$(row_get "elbship (plain)" 5)
	rg=$(row_get "elbship (gz)" 5)
	if [[ -n $rp || -n $rg ]]; then
		local mx=${rp:-0}
		[[ -n $rg ]] && ((rg > mx)) && mx=$rg
		echo "| elbship peak RSS < 32 MiB | $(mib "$mx") MiB | $(awk -v k="$mx" 'BEGIN { print (k < 32768) ? "yes" : "NO" }') |"
	else
		echo "| elbship peak RSS < 32 MiB | n/a | n/a |"
	fi
	if ((${#MIXROWS[@]} > 0)); then
		echo
		echo "Other line mixes (bench/gen_mix.c, seed $BENCH_SEED, best of $BENCH_RUNS): plain is \`--threads 1\`, the gzip columns elbship's wall (default threads) / \`igzip -dc\`'s on the same file."
		echo
		echo "| mix | bytes | bytes/line | plain MB/s | gz 1 member: ratio | gz ~$BENCH_MEMBER members: ratio |"
		echo "|---|---:|---:|---:|---:|---:|"
		local mr mix mb ml mp mg1 mi1 mgm mim
		for mr in "${MIXROWS[@]}"; do
			IFS='|' read -r mix mb ml mp mg1 mi1 mgm mim <<<"$mr"
			awk -v mix="$mix" -v b="$mb" -v l="$ml" -v p="$mp" -v g1="$mg1" -v i1="$mi1" \
			    -v gm="$mgm" -v im="$mim" 'function r(a, c) { return (a == "" || c == "") ? "n/a" : sprintf("%.2fx", a / c) }
			    BEGIN { printf "| %s | %d | %.0f | %s | %s | %s |\n", mix, b, b / l,
			    p == "" ? "n/a" : sprintf("%.0f", b / p), r(g1, i1), r(gm, im) }'
		done
	fi
	if ((!ELB_OK)); then
		echo
		echo "elbship rows are n/a: $ELB_WHY."
	fi
}

report | tee "$OUT/results.md.tmp"
mv "$OUT/results.md.tmp" "$OUT/results.md"
log "wrote $OUT/results.md"

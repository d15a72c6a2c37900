#!/usr/bin/env bash
# bench/instr.sh: the parser's cost in instructions per input byte, one
# thread, plain input -> NDJSON, for each line mix, counted by callgrind.
# Unlike wall time, the counts do not depend on the machine's load, so
# they compare two builds on a shared or noisy machine.
#
#   bench/instr.sh                       # every mix, build/release/elbship
#   ELBSHIP=other/elbship bench/instr.sh alb long
#
# Mixes: alb (bench/gen_alb.c, the throughput benchmark's lines), and the
# mixes of bench/gen_mix.c: long (long URLs and user agents), ipv6, clb,
# nlb, albconn.  Each input is INSTR_BYTES (default 20000000) bytes, seed
# 3, made under build/bench/instr/.  The fixed cost of a run (dynamic
# loading, set-up: measured on an empty file) is subtracted before
# dividing by the bytes.  Needs valgrind.
set -euo pipefail
export LC_ALL=C
cd "$(dirname "${BASH_SOURCE[0]}")/.."

ELBSHIP=${ELBSHIP:-build/release/elbship}
BYTES=${INSTR_BYTES:-20000000}
OUT=build/bench/instr
CC=${CC:-cc}
mkdir -p "$OUT"
command -v valgrind >/dev/null || { echo "instr: valgrind is required" >&2; exit 1; }
[[ -x $ELBSHIP ]] || { echo "instr: $ELBSHIP is not built" >&2; exit 1; }
for g in gen_alb gen_mix; do
	if [[ ! -x $OUT/$g || bench/$g.c -nt $OUT/$g ]]; then
		$CC -std=c11 -O2 -Wall -Wextra -Werror -o "$OUT/$g" "bench/$g.c"
	fi
done

mixes=${*:-alb long ipv6 clb nlb albconn}

# count FILE: instructions of one run (callgrind's total).
count() {
	valgrind --tool=callgrind --callgrind-out-file=/dev/null \
	    "$ELBSHIP" ship -q --threads 1 "$1" -o /dev/null 2>&1 |
	    sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
}

: >"$OUT/empty.log"
fixed=$(count "$OUT/empty.log")
printf '| mix | bytes | lines | instructions | per byte | per line |\n'
printf '|---|---:|---:|---:|---:|---:|\n'
for m in $mixes; do
	f=$OUT/$m-$BYTES.log
	if [[ ! -s $f ]]; then
		if [[ $m == alb ]]; then
			"$OUT/gen_alb" --bytes "$BYTES" --seed 3 >"$f"
		else
			"$OUT/gen_mix" --mix "$m" --bytes "$BYTES" --seed 3 >"$f"
		fi
	fi
	b=$(stat -c %s "$f")
	l=$(wc -l <"$f")
	ir=$(count "$f")
	awk -v m="$m" -v b="$b" -v l="$l" -v ir="$ir" -v fx="$fixed" 'BEGIN {
		printf "| %s | %d | %d | %d | %.2f | %.0f |\n", m, b, l, ir,
		    (ir - fx) / b, (ir - fx) / l }'
done
echo "(fixed cost of a run, subtracted: $fixed instructions; $ELBSHIP)"

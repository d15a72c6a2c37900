# bench/cost-input.sh: sourced by bench/cost.sh and bench/wall.sh.  Sets
# OUT (build/bench) and in, the generated ALB log both measure
# (COST_BYTES, default 200 MB, made once and kept).
OUT=build/bench
mkdir -p "$OUT"
in=$OUT/cost-input.log
if [ ! -s "$in" ]; then
	cc -O2 -o "$OUT/gen_alb" bench/gen_alb.c
	"$OUT/gen_alb" --bytes "${COST_BYTES:-200000000}" --seed 5 >"$in"
fi

# bench/lambda-input.sh: sourced by bench/lambda.sh and bench/peers.sh.
# With OUT and BYTES set, sets name (the object's AWS-style file name) and
# obj, the gzip ALB log of BYTES raw bytes both measure (seed 13, gzip -6;
# made once and kept under OUT).
name=111122223333_elasticloadbalancing_eu-west-1_app.bench-alb.0123456789abcdef_20251103T1400Z_10.0.4.30_lambda01.log.gz
obj=$OUT/lambda-$BYTES-$name
if [ ! -s "$obj" ]; then
	cc -std=c11 -O2 -o "$OUT/gen_alb" bench/gen_alb.c
	"$OUT/gen_alb" --bytes "$BYTES" --seed 13 | gzip -6 -n >"$obj.tmp"
	mv "$obj.tmp" "$obj"
fi

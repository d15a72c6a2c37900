#!/usr/bin/env bash
# tests/docs/run.sh [--update]: keep docs/fields.md true.
#
# 1. Every field path elbship writes for the sample logs (and for an error
#    document) is listed in docs/fields.md's tables.
# 2. The example documents at the end of docs/fields.md are what elbship
#    writes today (--update rewrites them).
set -u
cd "$(dirname "$0")/../.."
ELBSHIP=${ELBSHIP:-build/release/elbship}
TOOLS=${TOOLS:-build/release/tools}
doc=docs/fields.md
. tests/lib/tap.sh
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Documents to check: the samples, with event.original and a label, and a
# malformed line.
"$ELBSHIP" ship -q -e --label environment=prod examples >"$tmp/docs.ndjson"
printf 'this is not a log line\n' >"$tmp/bad.log"
"$ELBSHIP" ship -q "$tmp/bad.log" >>"$tmp/docs.ndjson"

jq -r '[paths(scalars)] | map(map(if type == "number" then "[]" else . end) | join(".")) | .[]' \
    "$tmp/docs.ndjson" | sed 's/\.\[\]$//; s/\.\[\]\./\./g' | sort -u >"$tmp/paths"
while read -r p; do
	case $p in labels.*) key='labels.\*' ;; *) key=$p ;; esac
	if grep -q "^| \`$key\` |" "$doc"; then
		ok "field $p is documented"
	else
		notok "field $p is written but not listed in $doc"
	fi
done <"$tmp/paths"

# The examples section: one document per log type, from examples/.
gen() {
	local f t
	for f in examples/*; do
		case $(basename "$f") in
		conn_log*) t="ALB connection log" ;;
		*_app.*) t="ALB access log" ;;
		*_net.*) t="NLB access log" ;;
		*) t="Classic ELB access log" ;;
		esac
		printf '### %s\n\nFirst line of `%s`:\n\n```json\n' "$t" "$f"
		"$ELBSHIP" ship -q -e "$f" | head -n 1 | "$TOOLS/jsonpretty"
		printf '```\n\n'
	done
}
marker='Generated from `examples/`'
head -n "$(grep -n "$marker" "$doc" | cut -d: -f1)" "$doc" >"$tmp/head"
sed -n "$(($(grep -n "$marker" "$doc" | cut -d: -f1) + 1)),/^$/p" "$doc" >"$tmp/intro"
{ cat "$tmp/head" "$tmp/intro"; gen; } >"$tmp/fields.md"
if [ "${1:-}" = "--update" ]; then
	cp "$tmp/fields.md" "$doc"
	echo "updated $doc"
fi
if cmp -s "$tmp/fields.md" "$doc"; then
	ok "example documents in $doc are current"
else
	notok "example documents in $doc differ from elbship's output (run tests/docs/run.sh --update)"
	diff "$tmp/fields.md" "$doc" | head -n 20 | sed 's/^/# /'
fi
# docs/configuration.md carries the environment table elbship prints.
"$ELBSHIP" help environment >"$tmp/env.md"
if awk '/^## Variables/{f=1; next} /^## /{f=0} f' docs/configuration.md | grep '^|' |
    cmp -s - "$tmp/env.md"; then
	ok "docs/configuration.md lists every variable as elbship does"
else
	notok "docs/configuration.md's table differs from 'elbship help environment'"
fi

finish

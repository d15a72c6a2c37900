#!/usr/bin/env bash
# tests/setup/run.sh: `elbship setup` (the index templates and ILM policy).
#
#   ELBSHIP=build/asan/elbship tests/setup/run.sh
#   KEEP=1 tests/setup/run.sh      (keep the temporary directory)
#
# Offline:
#   - src/sink/estemplate_data.c is what scripts/gen-templates.sh makes of
#     share/es/*.json, and those are JSON;
#   - every field path of the documents elbship writes from examples/ (with
#     -e and a label), of error documents (a bad line, an over-long line)
#     and of a document read from stdin with --name has an explicit mapping
#     in `elbship setup --print` (Elasticsearch and --opensearch), so
#     nothing is left to dynamic mapping (labels.* by its dynamic template);
#   - every field in docs/fields.md is mapped with the type its Type column
#     gives, and every mapped field is in docs/fields.md;
#   - the ILM policy, retention, OpenSearch differences, --help (every
#     flag), usage errors (exit 2, one line), an unreachable cluster (exit
#     1), and that no password ever shows;
#   - dated indices (--es-index with {date} or {month}): the elbship-dated
#     set --print shows (no rollover, no data_stream, the glob, the shared
#     mappings, retention 0, OpenSearch), and the patterns refused (logs-,
#     a leading placeholder, --create-data-streams) before any request.
# Online, against tests/servers/es_server.py (skipped if it is not there):
#   the first run creates (GET then PUT) each resource and what the cluster
#   holds is what --print shows; a second run only reads (no PUT) and says
#   "unchanged"; a new retention updates the ILM policy only; --dry-run
#   writes nothing; --force rewrites; --create-data-streams makes data
#   streams that use the elbship template (priority over the built-in
#   logs-*-*); a refused PUT (template collision) and bad credentials exit 1
#   with the status and ES's reason; OpenSearch is detected and gets no ILM.
#   The dated set installs beside the data stream set (both at priority
#   200), re-runs unchanged, --dry-run, retention 0 (no policy; the old one
#   is left and said so), and `ship --es-index 'elb-{type}-{date}'` stores
#   into plain indices elb-TYPE-YYYY.MM.DD.
#
# TAP: "ok N - ..." / "not ok N - ..." and a last line "# N passed, M
# failed"; exit 1 if anything failed.  Needs bash, jq; python3 for the
# online part (ES_SERVER=path overrides tests/servers/es_server.py).
set -u
export LC_ALL=C

cd "$(dirname "$0")/../.." || exit 1
ROOT=$PWD
ELBSHIP=${ELBSHIP:-build/release/elbship}
case $ELBSHIP in
/*) ;;
*) ELBSHIP=$ROOT/$ELBSHIP ;;
esac
if [ ! -x "$ELBSHIP" ]; then
	echo "not ok 1 - $ELBSHIP is not built (make)"
	echo "# 0 passed, 1 failed"
	exit 1
fi
if ! command -v jq >/dev/null; then
	echo "not ok 1 - jq is needed (scripts/deps.sh test)"
	echo "# 0 passed, 1 failed"
	exit 1
fi

T=$(mktemp -d "${TMPDIR:-/tmp}/elbship-setup.XXXXXX") || exit 1
server_pid=
cleanup() {
	[ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
	[ -n "${KEEP:-}" ] || rm -rf "$T"
}
trap cleanup EXIT

# ---- TAP ------------------------------------------------------------------

n=0
passed=0
failed=0

ok() {
	n=$((n + 1))
	passed=$((passed + 1))
	echo "ok $n - $1"
}

notok() {
	n=$((n + 1))
	failed=$((failed + 1))
	echo "not ok $n - $1"
	[ -n "${why:-}" ] && echo "#   $why"
	if [ -n "${last_args:-}" ]; then
		echo "#   last run: elbship $last_args -> exit ${rc:-?}"
		[ -s "$T/err" ] && head -n 3 "$T/err" | sed 's/^/#   stderr: /'
	fi
	return 0
}

# check DESC CMD...: ok if CMD succeeds.  CMD may set $why.
check() {
	local desc=$1
	shift
	why=
	if "$@"; then ok "$desc"; else notok "$desc"; fi
}

skip() {
	n=$((n + 1))
	passed=$((passed + 1))
	echo "ok $n - $1 # SKIP $2"
}

# todo DESC REASON: a known inconsistency, counted as passed.
todo() {
	n=$((n + 1))
	passed=$((passed + 1))
	echo "ok $n - $1 # TODO $2"
}

# run ARGS...: elbship with stdout in $T/out, stderr in $T/err, status in $rc.
run() {
	last_args="$*"
	"$ELBSHIP" "$@" </dev/null >"$T/out" 2>"$T/err"
	rc=$?
}

is_rc() { why="exit $rc, want $1"; [ "$rc" -eq "$1" ]; }
one_line_err() {
	why="stderr has $(wc -l <"$T/err") lines, want 1: $(head -c 300 "$T/err")"
	[ "$(wc -l <"$T/err")" -eq 1 ]
}
err_has() { why="stderr lacks '$1': $(head -c 300 "$T/err")"; grep -qF -- "$1" "$T/err"; }
out_has() { why="stdout lacks '$1'"; grep -qF -- "$1" "$T/out"; }
jqe() { jq -e "$@" >/dev/null; }	# jqe FILTER FILE: jq -e, quietly
no_secret() {
	why="'$1' appears in the output"
	! grep -qF -- "$1" "$T/out" "$T/err"
}

# ---- generated data ---------------------------------------------------------

check "src/sink/estemplate_data.c is current (scripts/gen-templates.sh --check)" \
    scripts/gen-templates.sh --check
for f in share/es/*.json; do
	check "$f is a JSON object" jqe 'type == "object"' "$f"
done

# ---- documents and their field paths ------------------------------------------

docs=$T/docs.ndjson
"$ELBSHIP" ship -q -e --label environment=prod examples >"$docs"
printf 'this is not a log line\n' >"$T/bad.log"
"$ELBSHIP" ship -q --label environment=prod "$T/bad.log" >>"$docs"
# an over-long line: an error document holding its first 4096 bytes
head -c 3000 /dev/zero | tr '\0' x >"$T/long.log"
echo >>"$T/long.log"
"$ELBSHIP" ship -q --max-line 1024 "$T/long.log" >>"$docs"
# stdin, named
for f in examples/*; do
	case $f in
	*.gz) gzip -dc "$f" ;;
	*) cat "$f" ;;
	esac | "$ELBSHIP" ship -q -e --name "$(basename "$f")" - >>"$docs"
done
check "documents written ($(wc -l <"$docs") of them)" test -s "$docs"
check "an error document is among them" \
    grep -q '"kind":"pipeline_error"' "$docs"

jq -r '[paths(scalars)] | map(map(if type == "number" then "[]" else . end) | join(".")) | .[]' \
    "$docs" | sed 's/\.\[\]$//; s/\.\[\]\./\./g' | sort -u >"$T/docpaths"

# ---- the bodies -----------------------------------------------------------------

run setup --print
check "setup --print exits 0" is_rc 0
cp "$T/out" "$T/es.json"
run setup --print --opensearch
check "setup --print --opensearch exits 0" is_rc 0
cp "$T/out" "$T/os.json"
run setup --print --es http://127.0.0.1:1
check "--print does not contact the cluster (--es unreachable, exit 0)" is_rc 0

check "Elasticsearch: ILM policy, 2 component templates, index template, dead-letter template, enrichment pipeline" \
    jqe 'keys == ["_component_template/elbship-mappings",
        "_component_template/elbship-settings", "_ilm/policy/elbship",
        "_index_template/elbship", "_index_template/elbship-dead-letter",
        "_ingest/pipeline/elbship"]' "$T/es.json"
check "Elasticsearch: the settings make the pipeline the indices' default_pipeline" \
    jqe '."_component_template/elbship-settings".template.settings.index.default_pipeline == "elbship"' "$T/es.json"
check "pipeline: GeoIP of source.ip (city, ASN) and user agent parsing, missing fields ignored" \
    jqe '."_ingest/pipeline/elbship".processors | map(to_entries[0]) as $p
        | ([$p[] | select(.key == "geoip" and .value.field == "source.ip"
              and .value.ignore_missing == true) | .value.target_field] == ["source.geo", "source.as"])
          and ([$p[] | select(.key == "user_agent" and .value.field == "user_agent.original"
              and .value.ignore_missing == true)] | length == 1)' "$T/es.json"
check "data_stream.dataset mapped as the constant aws.elb_logs (the dashboards' filter), type logs" \
    jqe '."_component_template/elbship-mappings".template.mappings.properties.data_stream.properties
        | .dataset == {"type": "constant_keyword", "value": "aws.elb_logs"}
          and .type == {"type": "constant_keyword", "value": "logs"}' "$T/es.json"
run setup --print --no-enrich
check "--no-enrich: no pipeline, no default_pipeline" \
    jqe '(has("_ingest/pipeline/elbship") | not) and (."_component_template/elbship-settings"
        .template.settings.index | has("default_pipeline") | not)' "$T/out"
ELBSHIP_NO_ENRICH=1 "$ELBSHIP" setup --print >"$T/out" 2>"$T/err"
check "ELBSHIP_NO_ENRICH=1: no pipeline either" jqe 'has("_ingest/pipeline/elbship") | not' "$T/out"
check "OpenSearch: no enrichment pipeline, no default_pipeline" \
    jqe '(has("_ingest/pipeline/elbship") | not) and (tostring | test("default_pipeline") | not)' "$T/os.json"
check "OpenSearch: no ILM policy" \
    jqe 'keys == ["_component_template/elbship-mappings",
        "_component_template/elbship-settings", "_index_template/elbship",
        "_index_template/elbship-dead-letter"]' \
    "$T/os.json"
check "dead-letter template: elbship-dead-letter, a plain index, priority 250, dynamic false" \
    jqe '."_index_template/elbship-dead-letter" | .index_patterns == ["elbship-dead-letter"]
        and (has("data_stream") | not) and .priority == 250
        and .template.mappings.dynamic == false
        and .template.mappings.properties.document.index == false' "$T/es.json"
run setup --print --dead-letter-index my-dead-letters
check "dead-letter template: --dead-letter-index names the index it matches" \
    jqe '."_index_template/elbship-dead-letter".index_patterns == ["my-dead-letters"]' "$T/out"
run setup --print --dead-letter-index 'dl-{type}'
check "dead-letter template: a name with a placeholder is refused (exit 2)" is_rc 2
check "index template: logs-elb.*-*, data stream, priority > 100, composed of both" \
    jqe '."_index_template/elbship" | .index_patterns == ["logs-elb.*-*"]
        and .data_stream == {} and .priority >= 200
        and .composed_of == ["elbship-settings", "elbship-mappings"]' \
    "$T/es.json"
check "settings name the ILM policy elbship" \
    jqe '."_component_template/elbship-settings".template.settings.index.lifecycle.name == "elbship"' \
    "$T/es.json"
check "OpenSearch settings have no lifecycle" \
    jqe '."_component_template/elbship-settings".template.settings.index | has("lifecycle") | not' \
    "$T/os.json"
check "ILM: rollover at 50gb per primary shard or 30d, delete at 90d" \
    jqe '."_ilm/policy/elbship".policy.phases
        | .hot.actions.rollover == {"max_primary_shard_size": "50gb", "max_age": "30d"}
        and .delete.min_age == "90d" and .delete.actions == {"delete": {}}' \
    "$T/es.json"
run setup --print --retention-days 7
check "--retention-days 7: delete at 7d" \
    jqe '."_ilm/policy/elbship".policy.phases.delete.min_age == "7d"' "$T/out"
run setup --print --retention-days=0
check "--retention-days=0: no delete phase" \
    jqe '."_ilm/policy/elbship".policy.phases | has("delete") | not' "$T/out"
check "each body carries _meta.elbship_hash" \
    jqe '[.[] | (.policy // .) | ._meta.elbship_hash | test("^[0-9a-f]{16}$")] | all' \
    "$T/es.json"
check "mappings: root dynamic false (not strict), date_detection false" \
    jqe '."_component_template/elbship-mappings".template.mappings
        | .dynamic == false and .date_detection == false' "$T/es.json"
check "no wildcard or match_only_text in the OpenSearch bodies" \
    sh -c "! grep -Eq 'wildcard|match_only_text' '$T/os.json'"

# ---- dated indices: --es-index with {date} or {month} ---------------------------

run setup --print --es-index 'elb-{type}-{date}'
check "dated: setup --print --es-index 'elb-{type}-{date}' exits 0" is_rc 0
cp "$T/out" "$T/dated.json"
check "dated: ILM policy, 2 component templates, index template (elbship-dated*)" \
    jqe 'keys == ["_component_template/elbship-dated-settings",
        "_component_template/elbship-mappings", "_ilm/policy/elbship-dated",
        "_index_template/elbship-dated", "_index_template/elbship-dead-letter",
        "_ingest/pipeline/elbship"]' "$T/dated.json"
check "dated: index template elb-*-*, no data_stream, priority 200, composed of both" \
    jqe '."_index_template/elbship-dated" | .index_patterns == ["elb-*-*"]
        and (has("data_stream") | not) and .priority == 200
        and .composed_of == ["elbship-dated-settings", "elbship-mappings"]
        and ._meta.managed_by == "elbship"' "$T/dated.json"
check "dated: no rollover anywhere" \
    sh -c "! grep -q rollover '$T/dated.json'"
check "dated: the policy only deletes, at 90d" \
    jqe '."_ilm/policy/elbship-dated".policy.phases
        == {"delete": {"min_age": "90d", "actions": {"delete": {}}}}' \
    "$T/dated.json"
check "dated: settings name the ILM policy elbship-dated" \
    jqe '."_component_template/elbship-dated-settings".template.settings.index.lifecycle.name == "elbship-dated"' \
    "$T/dated.json"
check "dated: otherwise the settings of elbship-settings" \
    cmp -s <(jq -S '."_component_template/elbship-dated-settings".template.settings.index | del(.lifecycle)' "$T/dated.json") \
    <(jq -S '."_component_template/elbship-settings".template.settings.index | del(.lifecycle)' "$T/es.json")
check "dated: elbship-mappings is the data streams' (same body, same hash)" \
    cmp -s <(jq -S '."_component_template/elbship-mappings"' "$T/dated.json") \
    <(jq -S '."_component_template/elbship-mappings"' "$T/es.json")
check "dated: each body carries _meta.elbship_hash, none the data streams'" \
    jqe --slurpfile ds "$T/es.json" '
        [to_entries[] | select(.key != "_component_template/elbship-mappings"
                               and .key != "_index_template/elbship-dead-letter"
                               and .key != "_ingest/pipeline/elbship")
         | .value | (.policy // .) | ._meta.elbship_hash] as $h
        | ($h | map(test("^[0-9a-f]{16}$")) | all) and ($h | length) == 3
        and ([$ds[0][] | (.policy // .) | ._meta.elbship_hash] as $d
             | [$h[] | select(. as $x | $d | index($x))] | length == 0)' \
    "$T/dated.json"
run setup --print --es-index 'elb-{type}-{date}'
check "dated: --print is stable" cmp -s "$T/out" "$T/dated.json"
run setup --print --es-index 'elb-{type}-{date}' --retention-days 0
check "dated, --retention-days 0: no policy, no lifecycle setting" \
    jqe 'keys == ["_component_template/elbship-dated-settings",
        "_component_template/elbship-mappings", "_index_template/elbship-dated",
        "_index_template/elbship-dead-letter", "_ingest/pipeline/elbship"]
        and (."_component_template/elbship-dated-settings".template.settings.index
             | has("lifecycle") | not)' "$T/out"
run setup --print --es-index 'elb-{type}-{date}' --retention-days 7
check "dated, --retention-days 7: delete at 7d" \
    jqe '."_ilm/policy/elbship-dated".policy.phases.delete.min_age == "7d"' "$T/out"
run setup --print --es-index 'elb-{type}-{date}' --opensearch
check "dated, OpenSearch: no policy, no lifecycle, no wildcard" \
    jqe 'keys == ["_component_template/elbship-dated-settings",
        "_component_template/elbship-mappings", "_index_template/elbship-dated",
        "_index_template/elbship-dead-letter"]
        and (tostring | test("lifecycle|wildcard|match_only_text|\"data_stream\":\\{\\}|default_pipeline") | not)' \
    "$T/out"
ELBSHIP_ES_INDEX='elb-{type}-{month}' "$ELBSHIP" setup --print >"$T/out" 2>"$T/err"
check "dated: ELBSHIP_ES_INDEX='elb-{type}-{month}' gives the dated set for elb-*-*" \
    jqe '."_index_template/elbship-dated".index_patterns == ["elb-*-*"]' "$T/out"
run setup --print --es-index 'elb-alb-{month}'
check "dated: elb-alb-{month} -> index_patterns [elb-alb-*]" \
    jqe '."_index_template/elbship-dated".index_patterns == ["elb-alb-*"]' "$T/out"
run setup --print --es-index 'elb-{type}'
check "an undated --es-index that is not logs-elb.*: the data stream set, as before" \
    cmp -s "$T/out" "$T/es.json"

# path <TAB> type <TAB> noindex|- <TAB> sub=type,...|-  for every mapped leaf
flatten() {
	jq -r '
	def leaves($p):
	  to_entries[] | ($p + .key) as $path | .value as $v |
	  if ($v | has("properties")) then ($v.properties | leaves($path + "."))
	  else [$path, ($v.type // "object"),
	        (if $v.index == false then "noindex" else "-" end),
	        ((($v.fields // {}) | to_entries | map("\(.key)=\(.value.type)")
	          | join(",")) | if . == "" then "-" else . end)] | @tsv
	  end;
	."_component_template/elbship-mappings".template.mappings.properties | leaves("")' "$1"
}
flatten "$T/es.json" >"$T/es.map"
flatten "$T/os.json" >"$T/os.map"

# labels.* is mapped by the dynamic template (keyword) under a dynamic object
labels_ok() {
	jq -e '."_component_template/elbship-mappings".template.mappings
	    | (.properties.labels.dynamic == true)
	      and ([.dynamic_templates[] | .labels // empty
	            | select(.path_match == "labels.*" and .mapping.type == "keyword")]
	           | length == 1)' "$1" >/dev/null
}

mapped() { # mapped MAPFILE PATH: the type, or nothing
	awk -F'\t' -v p="$2" '$1 == p { print $2 }' "$1"
}

# ---- every field of every document is mapped ---------------------------------------

for flavor in es os; do
	name=Elasticsearch
	[ $flavor = os ] && name=OpenSearch
	while read -r p; do
		case $p in
		labels.*)
			if labels_ok "$T/$flavor.json"; then
				ok "$name: $p mapped (keyword, by the labels.* dynamic template)"
			else
				why="no labels.* dynamic template to keyword"; notok "$name: $p mapped"
			fi
			continue ;;
		esac
		t=$(mapped "$T/$flavor.map" "$p")
		if [ -n "$t" ] && [ "$t" != object ]; then
			ok "$name: $p mapped ($t)"
		else
			why="no explicit mapping: it would be left unindexed"
			notok "$name: $p (written by elbship) has an explicit mapping"
		fi
	done <"$T/docpaths"
done

# ---- the mapping agrees with docs/fields.md ------------------------------------------

sed -n 's/^| `\([^`]*\)` | \([^|]*\) |.*/\1\t\2/p' docs/fields.md |
    sed 's/ *$//' | sort -u >"$T/doc.types"
check "docs/fields.md lists fields ($(wc -l <"$T/doc.types") rows)" test -s "$T/doc.types"

# Differences from docs/fields.md made on purpose, with the reason; each
# is reported as TODO until docs/fields.md says the same.
known() { # known PATH DOCTYPE FLAVOR MAPPEDTYPE: the reason, or nothing
	case "$1|$2|$3|$4" in
	"error.message|keyword|es|match_only_text")
		echo "docs/fields.md says keyword; mapped match_only_text as in ECS (full-text search on messages)" ;;
	"error.message|keyword|os|text")
		echo "docs/fields.md says keyword; mapped text (OpenSearch's match_only_text)" ;;
	esac
}

# row PATH DOCTYPE FLAVOR: one docs/fields.md row against one flavour
row() {
	local p=$1 dt=$2 fl=$3 line t idx subs want reason name=Elasticsearch
	[ "$fl" = os ] && name=OpenSearch
	if [ "$p" = "labels.*" ]; then
		if [ "$dt" = keyword ] && labels_ok "$T/$fl.json"; then
			ok "$name: labels.* is keyword as docs/fields.md says"
		else
			why="docs say '$dt'"; notok "$name: labels.* mapped as docs/fields.md says"
		fi
		return
	fi
	line=$(awk -F'\t' -v p="$p" '$1 == p' "$T/$fl.map")
	if [ -z "$line" ]; then
		why="docs/fields.md lists it as $dt"
		notok "$name: $p (docs/fields.md) is mapped"
		return
	fi
	t=$(printf '%s' "$line" | cut -f2)
	idx=$(printf '%s' "$line" | cut -f3)
	subs=$(printf '%s' "$line" | cut -f4)
	case $dt in
	"keyword (not indexed)")
		if [ "$t" = keyword ] && [ "$idx" = noindex ]; then
			ok "$name: $p is $dt"
		else
			why="mapped $t ($idx)"; notok "$name: $p is $dt"
		fi
		return ;;
	"keyword (+ text)")
		case "$t|$subs" in
		keyword\|*=text*|keyword\|*=match_only_text*)
			ok "$name: $p is $dt ($subs)" ;;
		*) why="mapped $t, multi-fields $subs"; notok "$name: $p is $dt" ;;
		esac
		return ;;
	wildcard)
		if [ "$fl" = os ]; then
			case "$t|$subs" in
			keyword\|*=text*) ok "$name: $p is keyword + text (no wildcard in OpenSearch)" ;;
			*) why="mapped $t, multi-fields $subs"; notok "$name: $p is keyword + text" ;;
			esac
			return
		fi
		want=wildcard ;;
	match_only_text)
		# OpenSearch has no match_only_text: text (docs/fields.md says so).
		if [ "$fl" = os ]; then want=text; else want=match_only_text; fi ;;
	constant_keyword)
		# nor constant_keyword (before 2.14): keyword (docs/fields.md).
		if [ "$fl" = os ]; then want=keyword; else want=constant_keyword; fi ;;
	*"[]") want=${dt%\[\]} ;;
	*) want=$dt ;;
	esac
	if [ "$t" = "$want" ]; then
		ok "$name: $p is $want as docs/fields.md says"
		return
	fi
	reason=$(known "$p" "$dt" "$fl" "$t")
	if [ -n "$reason" ]; then
		todo "$name: $p is mapped $t" "$reason"
	else
		why="docs/fields.md says '$dt', mapped '$t'"
		notok "$name: $p is mapped as docs/fields.md says"
	fi
}

while IFS=$'\t' read -r p dt; do
	row "$p" "$dt" es
	row "$p" "$dt" os
done <"$T/doc.types"

# every mapped field is documented (no stray or misspelled mapping)
cut -f1 "$T/doc.types" | sort -u >"$T/doc.paths"
while IFS=$'\t' read -r p t _; do
	[ "$p" = labels ] && continue
	if grep -qxF -- "$p" "$T/doc.paths"; then
		ok "mapped field $p is in docs/fields.md"
	else
		why="mapped $t but not listed in docs/fields.md"
		notok "mapped field $p is in docs/fields.md"
	fi
done <"$T/es.map"
check "the OpenSearch mapping has the same fields as Elasticsearch's" \
    cmp -s <(cut -f1 "$T/es.map") <(cut -f1 "$T/os.map")

# ---- help and usage errors ------------------------------------------------------------

run setup --help
check "setup --help exits 0" is_rc 0
for flag in --print --retention-days --create-data-streams --opensearch \
    --elasticsearch --dry-run --force --quiet --help --es --es-index \
    --es-user --es-password-file --es-api-key-file --es-aws-sigv4 \
    --aws-region --es-ca --es-cert --es-key --insecure-skip-tls-verify \
    --timeout ELBSHIP_ES_URL ELBSHIP_ES_PASSWORD ELBSHIP_ES_API_KEY \
    ELBSHIP_ES_CA_FILE "Exit status"; do
	check "setup --help mentions $flag" out_has "$flag"
done
for res in _ilm/policy/elbship-dated _component_template/elbship-dated-settings \
    _index_template/elbship-dated "{date}" "{month}"; do
	check "setup --help lists $res (dated indices)" out_has "$res"
done
"$ELBSHIP" help setup >"$T/help2" 2>&1
check "'elbship help setup' is the same help" cmp -s "$T/out" "$T/help2"
"$ELBSHIP" --help >"$T/help3" 2>&1
check "'elbship --help' lists setup" grep -q '^  setup ' "$T/help3"

usage_err() { # DESC ARGS...: exit 2, one line on stderr
	local d=$1
	shift
	run "$@"
	check "$d: exit 2" is_rc 2
	check "$d: one line on stderr" one_line_err
}
usage_err "no --es" setup
usage_err "--retention-days abc" setup --retention-days abc --print
usage_err "--retention-days 36501" setup --retention-days 36501 --print
usage_err "--retention-days without a value" setup --retention-days
usage_err "unknown option" setup --bogus
usage_err "an operand" setup --print extra
usage_err "ftp:// URL" setup --es ftp://example.com
usage_err "credentials in the URL" setup --es http://elastic:hunter2@127.0.0.1:1
check "credentials in the URL: not echoed" no_secret hunter2
usage_err "password without user" env ELBSHIP_ES_PASSWORD=x "$ELBSHIP" setup --es http://127.0.0.1:1
run setup --print --bogus
check "a bad flag is refused even with --print" is_rc 2

# dated --es-index that setup cannot serve: exit 2, one line, no cluster asked
usage_err "dated logs-elb.{type}-{date}" setup --es http://127.0.0.1:1 \
    --es-index 'logs-elb.{type}-{date}'
check "dated logs-elb.{type}-{date}: says why and suggests elb-{type}-{date}" \
    sh -c "grep -qF 'logs-*-*' '$T/err' && grep -qF 'data streams' '$T/err' &&
        grep -qF 'elb-{type}-{date}' '$T/err'"
check "dated logs-elb.{type}-{date}: names the pattern" \
    err_has "--es-index 'logs-elb.{type}-{date}'"
usage_err "dated logs-{type}-{date}, with --print" setup --print \
    --es-index 'logs-{type}-{date}'
check "dated logs-{type}-{date}: suggests elb-{type}-{date}" err_has "elb-{type}-{date}"
usage_err "dated {type}-{date} (starts with a placeholder)" setup --print \
    --es-index '{type}-{date}'
check "dated {type}-{date}: says it must start with fixed text" err_has "fixed text"
usage_err "dated metrics-{type}-{date}" setup --print --es-index 'metrics-{type}-{date}'
usage_err "an invalid --es-index (uppercase)" setup --print --es-index 'Elb-{type}-{date}'
check "an invalid --es-index: says which character" err_has "'E' is not allowed"
usage_err "an invalid --es-index (unknown placeholder)" setup --print \
    --es-index 'elb-{type}-{day}'
usage_err "--create-data-streams with a dated --es-index" setup \
    --es http://127.0.0.1:1 --es-index 'elb-{type}-{date}' --create-data-streams
check "--create-data-streams with a dated --es-index: says why" \
    err_has "--create-data-streams does not go with a dated --es-index"

ELBSHIP_ES_PASSWORD=topsecret-pw "$ELBSHIP" setup --es http://127.0.0.1:1 \
    --es-user elastic --timeout 5 >"$T/out" 2>"$T/err"
rc=$?
last_args="setup --es http://127.0.0.1:1 --es-user elastic"
check "unreachable cluster: exit 1" is_rc 1
check "unreachable cluster: one line" one_line_err
check "unreachable cluster: says it cannot reach it" err_has "cannot reach http://127.0.0.1:1"
check "unreachable cluster: no password in the output" no_secret topsecret-pw

# ---- online: the test server ------------------------------------------------------------

server=${ES_SERVER:-tests/servers/es_server.py}
online_skip() {
	skip "online: setup against $server" "$1"
}

# start_server ARGS...: start es_server.py; sets $U
start_server() {
	local i
	rm -f "$T/port"
	python3 "$server" --port 0 --port-file "$T/port" "$@" \
	    >"$T/server.log" 2>&1 &
	server_pid=$!
	for i in $(seq 1 100); do
		[ -s "$T/port" ] && break
		sleep 0.1
	done
	if [ ! -s "$T/port" ]; then
		return 1
	fi
	U=http://127.0.0.1:$(cat "$T/port")
}

stop_server() {
	[ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
	server_pid=
}

# get PATH: GET from the server (as elastic:s3cret), body on stdout
get() {
	python3 - "$U/$1" <<'EOF'
import base64, sys, urllib.error, urllib.request
req = urllib.request.Request(sys.argv[1])
req.add_header("Authorization", "Basic " + base64.b64encode(b"elastic:s3cret").decode())
try:
    sys.stdout.write(urllib.request.urlopen(req, timeout=10).read().decode())
except urllib.error.HTTPError as e:
    sys.stdout.write(e.read().decode())
EOF
}

# put PATH BODY
put() {
	python3 - "$U/$1" "$2" <<'EOF'
import base64, sys, urllib.error, urllib.request
req = urllib.request.Request(sys.argv[1], data=sys.argv[2].encode(), method="PUT")
req.add_header("Authorization", "Basic " + base64.b64encode(b"elastic:s3cret").decode())
req.add_header("Content-Type", "application/json")
try:
    sys.stdout.write(urllib.request.urlopen(req, timeout=10).read().decode())
except urllib.error.HTTPError as e:
    sys.stdout.write(e.read().decode())
EOF
}

# reset: the server forgets everything (POST /_test/reset)
reset() {
	python3 - "$U/_test/reset" <<'EOF'
import sys, urllib.request
sys.stdout.write(urllib.request.urlopen(urllib.request.Request(
    sys.argv[1], data=b"", method="POST"), timeout=10).read().decode())
EOF
}

requests_total() { get _test/stats | jq '.requests_total'; }

# setup_run ARGS...: setup against the server as elastic
setup_run() {
	last_args="setup --es $U --es-user elastic $*"
	ELBSHIP_ES_PASSWORD=s3cret "$ELBSHIP" setup --es "$U" --es-user elastic \
	    "$@" </dev/null >"$T/out" 2>"$T/err"
	rc=$?
}

all_say() { # all_say WORD: every resource line says WORD
	why="$(cat "$T/out")"
	[ "$(grep -c ": $1\$" "$T/out")" -eq "$2" ]
}

hash_is() { # hash_is PATH JQ-PATH-IN-GET [PRINTED]: installed hash = --print's
	local want got
	want=$(jq -r --arg k "$1" '.[$k] | (.policy // .) | ._meta.elbship_hash' "${3:-$T/es.json}")
	got=$(get "$1" | jq -r "$2")
	why="installed $got, --print has $want"
	[ -n "$want" ] && [ "$want" = "$got" ]
}

if [ ! -f "$server" ]; then
	online_skip "$server does not exist"
elif ! command -v python3 >/dev/null; then
	online_skip "python3 is not installed"
elif ! start_server --auth basic:elastic:s3cret; then
	online_skip "$server did not start: $(head -c 200 "$T/server.log")"
else
	before=$(requests_total)
	setup_run
	check "online: first run exits 0" is_rc 0
	check "online: detects Elasticsearch 8.15.0" out_has "Elasticsearch 8.15.0 at $U"
	check "online: first run creates all 6 (with the enrichment pipeline)" all_say created 6
	check "online: first run made 13 requests (GET /, then GET + PUT each)" \
	    test "$(( $(requests_total) - before - 1 ))" -eq 13
	check "online: the ILM policy is installed as --print shows" \
	    hash_is _ilm/policy/elbship '.elbship.policy._meta.elbship_hash'
	check "online: elbship-settings is installed as --print shows" \
	    hash_is _component_template/elbship-settings \
	    '.component_templates[0].component_template._meta.elbship_hash'
	check "online: elbship-mappings is installed as --print shows" \
	    hash_is _component_template/elbship-mappings \
	    '.component_templates[0].component_template._meta.elbship_hash'
	check "online: the index template is installed as --print shows" \
	    hash_is _index_template/elbship \
	    '.index_templates[0].index_template._meta.elbship_hash'
	check "online: the dead-letter index template is installed as --print shows" \
	    hash_is _index_template/elbship-dead-letter \
	    '.index_templates[0].index_template._meta.elbship_hash'
	check "online: installed mappings equal --print's" \
	    cmp -s <(get _component_template/elbship-mappings |
	        jq -S '.component_templates[0].component_template.template') \
	    <(jq -S '."_component_template/elbship-mappings".template' "$T/es.json")
	check "online: the server saw no protocol violations" \
	    test "$(get _test/stats | jq '.violations | length')" -eq 0

	before=$(requests_total)
	setup_run
	check "online: second run exits 0" is_rc 0
	check "online: second run: all 6 unchanged" all_say unchanged 6
	check "online: second run only reads (7 GETs, no PUT)" \
	    test "$(( $(requests_total) - before - 1 ))" -eq 7

	setup_run --retention-days 30
	check "online: --retention-days 30 updates the ILM policy" \
	    out_has "ILM policy elbship: updated"
	check "online: and nothing else" all_say unchanged 5
	check "online: the policy now deletes at 30d" \
	    test "$(get _ilm/policy/elbship | jq -r '.elbship.policy.phases.delete.min_age')" = 30d

	before=$(requests_total)
	setup_run --retention-days 60 --dry-run
	check "online: --dry-run exits 0" is_rc 0
	check "online: --dry-run says 'would be updated'" \
	    out_has "ILM policy elbship: would be updated"
	check "online: --dry-run writes nothing (7 GETs)" \
	    test "$(( $(requests_total) - before - 1 ))" -eq 7
	check "online: after --dry-run the policy still deletes at 30d" \
	    test "$(get _ilm/policy/elbship | jq -r '.elbship.policy.phases.delete.min_age')" = 30d

	setup_run --retention-days 30 --force
	check "online: --force rewrites all 6" all_say "rewritten (--force)" 6

	setup_run --retention-days 30 --create-data-streams
	check "online: --create-data-streams exits 0" is_rc 0
	for t in alb clb nlb albconn; do
		check "online: data stream logs-elb.$t-default created" \
		    out_has "data stream logs-elb.$t-default: created"
		check "online: logs-elb.$t-default uses the elbship template, not logs-*-*" \
		    test "$(get _data_stream/logs-elb.$t-default | jq -r '.data_streams[0].template')" = elbship
	done
	setup_run --retention-days 30 --create-data-streams
	check "online: re-run: data streams exist" all_say exists 4
	check "online: re-run: templates unchanged" all_say unchanged 6

	# dated indices: their own set, beside the data stream set (both at
	# priority 200: the cluster refuses overlapping patterns there)
	"$ELBSHIP" setup --print --es-index 'elb-{type}-{date}' \
	    --retention-days 30 >"$T/dated30.json"
	before=$(requests_total)
	setup_run --es-index 'elb-{type}-{date}' --retention-days 30
	check "online dated: exits 0" is_rc 0
	check "online dated: creates the ILM policy elbship-dated" \
	    out_has "ILM policy elbship-dated: created"
	check "online dated: creates elbship-dated-settings" \
	    out_has "component template elbship-dated-settings: created"
	check "online dated: the shared elbship-mappings is unchanged" \
	    out_has "component template elbship-mappings: unchanged"
	check "online dated: creates the index template elbship-dated" \
	    out_has "index template elbship-dated: created"
	check "online dated: 3 created" all_say created 3
	check "online dated: 3 unchanged (pipeline, mappings, dead-letter template)" all_say unchanged 3
	check "online dated: 10 requests (GET /, 6 GETs, 3 PUTs)" \
	    test "$(( $(requests_total) - before - 1 ))" -eq 10
	check "online dated: the ILM policy is installed as --print shows" \
	    hash_is _ilm/policy/elbship-dated \
	    '."elbship-dated".policy._meta.elbship_hash' "$T/dated30.json"
	check "online dated: elbship-dated-settings is installed as --print shows" \
	    hash_is _component_template/elbship-dated-settings \
	    '.component_templates[0].component_template._meta.elbship_hash' \
	    "$T/dated30.json"
	check "online dated: the index template is installed as --print shows" \
	    hash_is _index_template/elbship-dated \
	    '.index_templates[0].index_template._meta.elbship_hash' "$T/dated30.json"
	check "online dated: the installed policy has no rollover, deletes at 30d" \
	    test "$(get _ilm/policy/elbship-dated | jq -c '."elbship-dated".policy.phases')" = \
	    '{"delete":{"min_age":"30d","actions":{"delete":{}}}}'
	check "online dated: both index templates are there, at priority 200 (and the dead-letter one at 250)" \
	    test "$(get _index_template | jq -c '[.index_templates[]
	        | select(.name | startswith("elbship"))
	        | [.name, .index_template.priority, .index_template.index_patterns[0],
	           (.index_template | has("data_stream"))]] | sort')" = \
	    '[["elbship",200,"logs-elb.*-*",true],["elbship-dated",200,"elb-*-*",false],["elbship-dead-letter",250,"elbship-dead-letter",false]]'
	check "online dated: the data stream set is untouched" \
	    hash_is _index_template/elbship \
	    '.index_templates[0].index_template._meta.elbship_hash'
	check "online dated: the server saw no protocol violations" \
	    test "$(get _test/stats | jq '.violations | length')" -eq 0

	before=$(requests_total)
	setup_run --es-index 'elb-{type}-{date}' --retention-days 30
	check "online dated: second run: all 6 unchanged" all_say unchanged 6
	check "online dated: second run only reads (7 GETs)" \
	    test "$(( $(requests_total) - before - 1 ))" -eq 7
	check "online dated: second run prints no note on existing indices" \
	    sh -c "! grep -q 'Existing' '$T/out'"
	setup_run --retention-days 30
	check "online dated: the data stream set is still unchanged" all_say unchanged 6

	before=$(requests_total)
	setup_run --es-index 'elb-{type}-{date}' --retention-days 60 --dry-run
	check "online dated: --dry-run exits 0" is_rc 0
	check "online dated: --dry-run says the policy would be updated" \
	    out_has "ILM policy elbship-dated: would be updated"
	check "online dated: --dry-run: the rest unchanged" all_say unchanged 5
	check "online dated: --dry-run writes nothing (7 GETs)" \
	    test "$(( $(requests_total) - before - 1 ))" -eq 7

	# ship into them: one plain index per type and day
	last_args="ship --es $U --es-user elastic --es-index 'elb-{type}-{date}' examples"
	ELBSHIP_ES_PASSWORD=s3cret "$ELBSHIP" ship --es "$U" --es-user elastic \
	    --es-index 'elb-{type}-{date}' examples </dev/null >"$T/out" 2>"$T/err"
	rc=$?
	check "online dated: ship --es-index 'elb-{type}-{date}' examples exits 0" is_rc 0
	python3 -c 'import sys, urllib.request; sys.stdout.write(urllib.request.urlopen(sys.argv[1]).read().decode())' \
	    "$U/_test/docs" | jq -r '[._index, (._backing_index // "-")] | @tsv' >"$T/dated.docs"
	check "online dated: documents stored ($(wc -l <"$T/dated.docs"))" test -s "$T/dated.docs"
	check "online dated: each in a plain index elb-TYPE-YYYY.MM.DD" \
	    sh -c "! grep -Evq '^elb-(alb|clb|nlb|albconn|unknown)-[0-9]{4}\.[0-9]{2}\.[0-9]{2}	-\$' '$T/dated.docs'"
	check "online dated: alb, clb, nlb and albconn indices" \
	    test "$(cut -f1 "$T/dated.docs" | sed 's/^elb-\([a-z]*\)-.*/\1/' | sort -u | tr '\n' ' ')" = "alb albconn clb nlb "
	di=$(grep -m1 '^elb-alb-' "$T/dated.docs" | cut -f1)
	check "online dated: $di is an index, not a data stream" \
	    test "$(get "_data_stream/$di" | jq -r '.status // 200')" = 404

	# no retention: no policy for new indices; the old one is left, and said so
	setup_run --es-index 'elb-{type}-{date}' --retention-days 0
	check "online dated, retention 0: exits 0" is_rc 0
	check "online dated, retention 0: elbship-dated-settings updated" \
	    out_has "component template elbship-dated-settings: updated"
	check "online dated, retention 0: the rest unchanged, no policy line" \
	    sh -c "[ \$(grep -c ': unchanged\$' '$T/out') -eq 4 ] && ! grep -q '^ILM policy' '$T/out'"
	check "online dated, retention 0: the installed settings name no policy" \
	    test "$(get _component_template/elbship-dated-settings | jq '.component_templates[0].component_template.template.settings.index | has("lifecycle")')" = false
	check "online dated, retention 0: warns that the old policy still deletes" \
	    err_has "ILM policy elbship-dated (from an earlier setup) is left in place"
	check "online dated, retention 0: the policy is not deleted" \
	    test "$(get _ilm/policy/elbship-dated | jq -r '."elbship-dated".policy.phases.delete.min_age')" = 30d
	setup_run --es-index 'elb-{type}-{date}' --retention-days 0
	check "online dated, retention 0: second run: 5 unchanged" all_say unchanged 5

	setup_run --es-index 'elb-{type}-{month}' --retention-days 7 --dry-run
	check "online dated: {month} with --retention-days 7 warns" \
	    err_has "a month's index is deleted 7 days after its first document"
	check "online dated: {month} has the same pattern elb-*-*: template unchanged" \
	    out_has "index template elbship-dated: unchanged"

	# another dated pattern: the one index template now matches it
	setup_run --es-index 'lb-{type}-{month}' --retention-days 0
	check "online dated: another pattern updates elbship-dated" \
	    out_has "index template elbship-dated: updated"
	check "online dated: which now matches lb-*-*" \
	    test "$(get _index_template/elbship-dated | jq -c '.index_templates[0].index_template.index_patterns')" = '["lb-*-*"]'

	before=$(requests_total)
	setup_run --es-index 'logs-elb.{type}-{date}'
	check "online dated: logs-elb.{type}-{date} refused: exit 2" is_rc 2
	check "online dated: refused before any request" \
	    test "$(( $(requests_total) - before - 1 ))" -eq 0
	setup_run --es-index 'elb-{type}-{date}' --create-data-streams
	check "online dated: --create-data-streams refused: exit 2" is_rc 2

	# an undated --es-index outside logs-elb.*-*: warned, installed as before
	setup_run --es-index 'elb-{type}' --retention-days 30
	check "online: undated elb-{type}: exits 0" is_rc 0
	check "online: undated elb-{type}: warns that the template will not apply" \
	    err_has "data stream 'elb-alb' (from --es-index 'elb-{type}') does not match logs-elb.*-*"
	check "online: undated elb-{type}: the data stream set, unchanged" all_say unchanged 6

	# enrichment: the pipeline is installed, and the documents shipped
	# into the data streams go through it (the test server records which
	# pipelines each stored document went through: _pipelines)
	check "online: the pipeline is installed as --print shows" \
	    hash_is _ingest/pipeline/elbship '.elbship._meta.elbship_hash'
	check "online dated: documents went through the pipeline elbship (the dated settings' default_pipeline)" \
	    sh -c "python3 -c 'import sys, urllib.request; sys.stdout.write(urllib.request.urlopen(sys.argv[1]).read().decode())' \
	        '$U/_test/docs' | jq -e -s 'map(select(._index | startswith(\"elb-\"))) | length > 0 and all(._pipelines == [\"elbship\"])' >/dev/null"
	for pipe in default _none; do
		reset >/dev/null
		setup_run --retention-days 30 --create-data-streams
		if [ $pipe = default ]; then
			last_args="ship --es $U --es-user elastic examples"
			ELBSHIP_ES_PASSWORD=s3cret "$ELBSHIP" ship --es "$U" \
			    --es-user elastic examples </dev/null >"$T/out" 2>"$T/err"
		else
			last_args="ship --es $U --es-user elastic --es-pipeline _none examples"
			ELBSHIP_ES_PASSWORD=s3cret "$ELBSHIP" ship --es "$U" \
			    --es-user elastic --es-pipeline _none examples </dev/null \
			    >"$T/out" 2>"$T/err"
		fi
		rc=$?
		check "online enrich ($pipe): ship into the data streams exits 0" is_rc 0
		python3 -c 'import sys, urllib.request; sys.stdout.write(urllib.request.urlopen(sys.argv[1]).read().decode())' \
		    "$U/_test/docs" >"$T/docs.ndjson"
		if [ $pipe = default ]; then
			check "online enrich: every document went through the pipeline elbship" \
			    jqe -s 'length >= 100 and all(._index | startswith("logs-elb.")) and all(._pipelines == ["elbship"])' "$T/docs.ndjson"
		else
			check "online enrich: --es-pipeline _none skips it (the cluster's ?pipeline=_none)" \
			    jqe -s 'length >= 100 and all(has("_pipelines") | not)' "$T/docs.ndjson"
		fi
	done
	reset >/dev/null
	setup_run --retention-days 30 --no-enrich
	check "online --no-enrich: exits 0" is_rc 0
	check "online --no-enrich: no pipeline installed" \
	    test "$(get _ingest/pipeline/elbship | jq -r 'if . == {} then 404 else (.status // 200) end')" = 404
	check "online --no-enrich: settings without default_pipeline" \
	    test "$(get _component_template/elbship-settings | jq '.component_templates[0].component_template.template.settings.index | has("default_pipeline")')" = false
	ELBSHIP_ES_PASSWORD=s3cret "$ELBSHIP" ship --es "$U" --es-user elastic \
	    examples </dev/null >"$T/out" 2>"$T/err"
	rc=$?
	check "online --no-enrich: ship exits 0" is_rc 0
	check "online --no-enrich: no document went through a pipeline" \
	    sh -c "python3 -c 'import sys, urllib.request; sys.stdout.write(urllib.request.urlopen(sys.argv[1]).read().decode())' \
	        '$U/_test/docs' | jq -e -s 'length > 0 and all(has(\"_pipelines\") | not)' >/dev/null"
	# beside Elastic Agent: the integration's template (as Fleet installs
	# it: logs-aws.elb_logs-*, priority 200, its own default pipeline) and
	# elbship's coexist; each side's documents go to its own data streams,
	# through its own pipeline
	reset >/dev/null
	put _ingest/pipeline/logs-aws.elb_logs-2.0.0 '{"processors":[{"set":{"field":"x","value":1}}]}' >/dev/null
	put _index_template/logs-aws.elb_logs '{"index_patterns":["logs-aws.elb_logs-*"],"priority":200,"data_stream":{},"template":{"settings":{"index":{"default_pipeline":"logs-aws.elb_logs-2.0.0"}},"mappings":{"properties":{"data_stream":{"properties":{"dataset":{"type":"constant_keyword"}}},"aws":{"properties":{"elb":{"properties":{"backend":{"properties":{"port":{"type":"keyword"}}}}}}}}}}}' >/dev/null
	setup_run --retention-days 30
	check "online beside the integration: setup exits 0 (no overlapping template at its priority)" is_rc 0
	check "online beside the integration: all 6 created" all_say created 6
	check "online beside the integration: the integration's template is untouched" \
	    test "$(get _index_template/logs-aws.elb_logs | jq -r '.index_templates[0].index_template.template.settings.index.default_pipeline')" = logs-aws.elb_logs-2.0.0
	python3 - "$U/_bulk" <<'PYEOF' >/dev/null
import base64, sys, urllib.request
body = b'{"create":{"_index":"logs-aws.elb_logs-default"}}\n{"@timestamp":"2025-11-03T10:00:00Z","message":"http 2025-11-03T10:00:00Z ..."}\n'
req = urllib.request.Request(sys.argv[1], data=body, method="POST")
req.add_header("Authorization", "Basic " + base64.b64encode(b"elastic:s3cret").decode())
req.add_header("Content-Type", "application/x-ndjson")
sys.stdout.write(urllib.request.urlopen(req, timeout=10).read().decode())
PYEOF
	ELBSHIP_ES_PASSWORD=s3cret "$ELBSHIP" ship --es "$U" --es-user elastic \
	    examples </dev/null >"$T/out" 2>"$T/err"
	rc=$?
	check "online beside the integration: elbship ships (exit 0)" is_rc 0
	check "online beside the integration: the agent's data stream keeps the integration's template" \
	    test "$(get _data_stream/logs-aws.elb_logs-default | jq -r '.data_streams[0].template')" = logs-aws.elb_logs
	check "online beside the integration: elbship's data streams use elbship's" \
	    test "$(get _data_stream/logs-elb.alb-default | jq -r '.data_streams[0].template')" = elbship
	python3 -c 'import sys, urllib.request; sys.stdout.write(urllib.request.urlopen(sys.argv[1]).read().decode())' \
	    "$U/_test/docs" >"$T/docs.ndjson"
	check "online beside the integration: the agent's document went through the integration's pipeline only" \
	    jqe -s '[.[] | select(._index == "logs-aws.elb_logs-default")] | length == 1 and all(._pipelines == ["logs-aws.elb_logs-2.0.0"])' "$T/docs.ndjson"
	check "online beside the integration: elbship's documents through elbship's only" \
	    jqe -s '[.[] | select(._index | startswith("logs-elb."))] | length >= 100 and all(._pipelines == ["elbship"])' "$T/docs.ndjson"

	reset >/dev/null
	put _component_template/elbship-settings '{"template":{"settings":{"index":{"default_pipeline":"elbship"}}}}' >/dev/null
	put _index_template/elbship '{"index_patterns":["logs-elb.*-*"],"priority":200,"data_stream":{},"composed_of":["elbship-settings"]}' >/dev/null
	ELBSHIP_ES_PASSWORD=s3cret "$ELBSHIP" ship --es "$U" --es-user elastic \
	    --dead-letter "$T/dl.ndjson" examples </dev/null >"$T/out" 2>"$T/err"
	rc=$?
	check "online: a default_pipeline that does not exist: every document dead-lettered with the cluster's 400 (setup installs the pipeline first)" \
	    sh -c "grep -q 'pipeline with id \[elbship\] does not exist' '$T/dl.ndjson' && \
	        [ \$(wc -l <'$T/dl.ndjson') -ge 100 ]"

	# the cluster refuses: another template, same priority, overlapping
	# pattern, there first
	reset >/dev/null
	put _index_template/other '{"index_patterns":["logs-elb.x*"],"priority":200,"data_stream":{}}' >/dev/null
	setup_run
	check "online: a refused PUT exits 1" is_rc 1
	check "online: a refused PUT: one line" one_line_err
	check "online: it names the request and the status" \
	    err_has "PUT /_index_template/elbship: HTTP 400"
	check "online: it gives ES's reason" err_has "illegal_argument_exception"

	last_args="setup --es $U --es-user elastic (wrong password)"
	ELBSHIP_ES_PASSWORD=wrong-pw-123 "$ELBSHIP" setup --es "$U" \
	    --es-user elastic >"$T/out" 2>"$T/err"
	rc=$?
	check "online: bad credentials exit 1" is_rc 1
	check "online: bad credentials: one line" one_line_err
	check "online: bad credentials: HTTP 401 and the reason" \
	    err_has "HTTP 401 (credentials rejected or not allowed): security_exception"
	check "online: bad credentials: no password in the output" no_secret wrong-pw-123
	stop_server

	# API key
	key=$(printf 'id1:secret-api-key' | base64)
	if start_server --auth "apikey:$key"; then
		last_args="setup --es $U (ELBSHIP_ES_API_KEY)"
		ELBSHIP_ES_API_KEY=$key "$ELBSHIP" setup --es "$U" >"$T/out" 2>"$T/err"
		rc=$?
		check "online API key: exits 0" is_rc 0
		check "online API key: 6 created" all_say created 6
		ELBSHIP_ES_API_KEY=$(printf 'id1:wrong-key-77' | base64) \
		    "$ELBSHIP" setup --es "$U" >"$T/out" 2>"$T/err"
		rc=$?
		check "online API key: a wrong key exits 1" is_rc 1
		check "online API key: a wrong key is not shown" \
		    no_secret "$(printf 'id1:wrong-key-77' | base64)"
		stop_server
	else
		online_skip "$server --auth apikey did not start"
	fi

	# AWS SigV4 (Amazon OpenSearch Service)
	ak=AKIDEXAMPLE
	sk=wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY
	if start_server --flavor opensearch --version 2.13.0 \
	    --auth "sigv4:$ak:$sk:eu-west-1:es"; then
		last_args="setup --es $U --es-aws-sigv4 es --aws-region eu-west-1"
		env -u AWS_SESSION_TOKEN -u AWS_PROFILE AWS_ACCESS_KEY_ID=$ak \
		    AWS_SECRET_ACCESS_KEY=$sk "$ELBSHIP" setup --es "$U" \
		    --es-aws-sigv4 es --aws-region eu-west-1 >"$T/out" 2>"$T/err"
		rc=$?
		check "online SigV4: exits 0" is_rc 0
		check "online SigV4: OpenSearch detected through a signed GET /" \
		    out_has "OpenSearch 2.13.0 at $U"
		check "online SigV4: 4 created" all_say created 4
		env -u AWS_SESSION_TOKEN -u AWS_PROFILE AWS_ACCESS_KEY_ID=$ak \
		    AWS_SECRET_ACCESS_KEY=not-the-key-42 "$ELBSHIP" setup --es "$U" \
		    --es-aws-sigv4 es --aws-region eu-west-1 >"$T/out" 2>"$T/err"
		rc=$?
		check "online SigV4: a wrong secret exits 1" is_rc 1
		check "online SigV4: HTTP 403 with AWS's message" \
		    err_has "HTTP 403 (credentials rejected or not allowed): The request signature"
		check "online SigV4: the secret is not shown" no_secret not-the-key-42
		stop_server
	else
		online_skip "$server --auth sigv4 did not start"
	fi

	if start_server --flavor opensearch --version 2.11.0; then
		last_args="setup --es $U"
		"$ELBSHIP" setup --es "$U" >"$T/out" 2>"$T/err"
		rc=$?
		check "online OpenSearch: exits 0" is_rc 0
		check "online OpenSearch: detected" out_has "OpenSearch 2.11.0 at $U"
		check "online OpenSearch: 4 created (no ILM)" all_say created 4
		check "online OpenSearch: says there is no ILM" out_has "OpenSearch has no ILM"
		check "online OpenSearch: says no enrichment pipeline is installed" \
		    out_has "OpenSearch: no enrichment pipeline is installed"
		check "online OpenSearch: none was" \
		    test "$(get _ingest/pipeline/elbship | jq -r 'if . == {} then 404 else (.status // 200) end')" = 404
		check "online OpenSearch: no ILM policy was installed" \
		    test "$(get _ilm/policy/elbship | jq -r '.status // 200')" = 404
		check "online OpenSearch: installed mappings have no wildcard" \
		    sh -c "! python3 -c 'import urllib.request,sys; print(urllib.request.urlopen(sys.argv[1]).read().decode())' '$U/_component_template/elbship-mappings' | grep -q wildcard"
		"$ELBSHIP" setup --es "$U" >"$T/out" 2>"$T/err"
		check "online OpenSearch: second run unchanged" all_say unchanged 4
		last_args="setup --es $U --es-index 'elb-{type}-{date}'"
		"$ELBSHIP" setup --es "$U" --es-index 'elb-{type}-{date}' \
		    >"$T/out" 2>"$T/err"
		rc=$?
		check "online OpenSearch dated: exits 0" is_rc 0
		check "online OpenSearch dated: settings and index template created" \
		    all_say created 2
		check "online OpenSearch dated: mappings shared, unchanged" \
		    out_has "component template elbship-mappings: unchanged"
		check "online OpenSearch dated: points ISM at elb-*-*" \
		    out_has "use an ISM policy for elb-*-*"
		check "online OpenSearch dated: no ILM policy, no warning" \
		    sh -c "[ \"\$(python3 -c 'import urllib.request,urllib.error,sys
try: urllib.request.urlopen(sys.argv[1]); print(200)
except urllib.error.HTTPError as e: print(e.code)' '$U/_ilm/policy/elbship-dated')\" = 404 ] && [ ! -s '$T/err' ]"
		stop_server
	else
		online_skip "$server --flavor opensearch did not start"
	fi
fi

echo "# $passed passed, $failed failed"
[ "$failed" -eq 0 ]

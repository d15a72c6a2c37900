#!/usr/bin/env bash
# tests/deploy/run.sh: the CloudFormation template deploy/elbship.yaml.
#
#   1. validate.js checks it against AWS's resource specification as shipped
#      in npm's @aws-cdk/aws-service-spec (types, properties and their
#      shapes, required properties, intrinsic functions, references);
#      strict.js reads it with js-yaml as well as the `yaml` package, which
#      must agree, with no null value and well-formed console labels (and
#      must refuse copies with an unquoted label, a duplicate key, a date);
#   2. deploy/deploy.sh refuses parameters the template does not declare;
#      settings.js compares every ELBSHIP_* parameter's default, range and
#      values with `elbship ship --help` and src/core/settings.c (ELBSHIP:
#      the binary, default build/release/elbship);
#   2. the same validator, run as a command on copies of the template with
#      a typo'd property and with a required property removed, must fail
#      and name the defect;
#   3. checks.js asserts what the project needs of the template (least
#      privilege, notification ordering without a cycle, optional parts
#      behind conditions, provided.al2023 / bootstrap / arm64, the ELB
#      delivery bucket policy, a locked-down bucket...) and proves that the
#      validator and the checks catch a series of planted defects.
#
# Test-only Node dependencies live in tests/deploy (package.json and its
# lockfile, exact versions); ./dev.sh test installs them (npm ci --prefix
# tests/deploy); this suite only checks that the pinned versions are there.
#
# Prints TAP lines and ends with "# N passed, M failed"; exits non-zero on
# any failure. About ten seconds once node_modules is there.
# ELBSHIP_TEMPLATE=FILE checks another template (e.g. a broken copy).
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cd "$root" || exit 1

template=${ELBSHIP_TEMPLATE:-deploy/elbship.yaml}
n=0
passed=0
failed=0

ok() {
	n=$((n + 1)); passed=$((passed + 1))
	echo "ok $n - $1"
}
not_ok() {
	n=$((n + 1)); failed=$((failed + 1))
	echo "not ok $n - $1"
	shift
	[ $# -gt 0 ] && printf '%s\n' "$@" | head -n 15 | sed 's/^/#   /'
}
finish() {
	echo "# $passed passed, $failed failed"
	[ "$failed" -eq 0 ]
	exit
}

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
	not_ok "node and npm are installed"
	finish
fi

# The pinned versions (package.json) must be the installed ones.
deps_current() {
	node -e '
		const fs = require("fs"), p = require("path"), d = process.argv[1];
		const want = JSON.parse(fs.readFileSync(p.join(d, "package.json"))).devDependencies;
		for (const [name, v] of Object.entries(want)) {
			const f = p.join(d, "node_modules", name, "package.json");
			if (!fs.existsSync(f) || JSON.parse(fs.readFileSync(f)).version !== v)
				process.exit(1);
		}' "$here" 2>/dev/null
}
if deps_current; then
	ok "test dependencies installed at the pinned versions ($(node -p 'Object.entries(require(process.argv[1]).devDependencies).map(([k, v]) => k + "@" + v).join(", ")' "$here/package.json"))"
else
	not_ok "test dependencies installed at the pinned versions" \
	    "run ./dev.sh test (or npm ci --prefix tests/deploy)"
	finish
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# 1. The template against the specification.
out=$(node "$here/validate.js" "$template" 2>&1)
rc=$?
if [ "$rc" -eq 0 ]; then
	ok "$template is valid: ${out#"$template: "}"
else
	not_ok "$template is valid against AWS's resource specification" "$out"
fi

# 1b. Strictly read (strict.js): js-yaml with CloudFormation's short tags
# and duplicate keys refused, the same value as the `yaml` package reads,
# no null anywhere, console labels exactly {default: STRING}.
out=$(node "$here/strict.js" "$template" 2>&1)
rc=$?
if [ "$rc" -eq 0 ]; then
	ok "$template read strictly: ${out#"$template: "}"
else
	not_ok "$template read strictly by js-yaml and yaml (strict.js)" "$out"
fi
# ... and strict.js must refuse the slip issue 15 found (an unquoted
# console label with ", " in it: two keys), a duplicate key, and a value
# the two parsers read differently (an unquoted date: js-yaml's timestamp).
strict_refuses() {	# strict_refuses NAME WHAT SED-SCRIPT PATTERN
	local out rc
	sed "$3" "$template" >"$tmp/$1.yaml"
	if cmp -s "$template" "$tmp/$1.yaml"; then
		not_ok "strict.js refuses $2" "the line to change is not in $template"
		return
	fi
	out=$(node "$here/strict.js" "$tmp/$1.yaml" 2>&1)
	rc=$?
	if [ "$rc" -eq 1 ] && grep -Eq -- "$4" <<<"$out"; then
		ok "strict.js refuses $2: $(grep -E -- "$4" <<<"$out" | head -n 1 | sed "s|^$tmp/||")"
	else
		not_ok "strict.js refuses $2" "exit status $rc, no line matching: $4" "$out"
	fi
}
strict_refuses label "an unquoted console label holding ', '" \
    "s|{default: 'Sink (Elasticsearch / OpenSearch, or Logstash)'}|{default: Sink (Elasticsearch / OpenSearch, or Logstash)}|" \
    'ParameterGroups\[2\]\.Label.*(null|is not \{default: STRING\})'
strict_refuses dupkey "a duplicate key" \
    's|^      MemorySize: !Ref MemorySize$|      MemorySize: !Ref MemorySize\n      MemorySize: 512|' \
    'js-yaml: duplicated mapping key'
strict_refuses date "a value the two parsers read differently" \
    "0,/Version: '2012-10-17'/s//Version: 2012-10-17/" \
    'read it differently: .*timestamp'

# 2. The validator command on broken copies. mutate NAME SED-SCRIPT: a copy
# of the template with one edit, which must have changed something.
mutate() {
	sed "$2" "$template" >"$tmp/$1.yaml"
	! cmp -s "$template" "$tmp/$1.yaml"
}
# expect_invalid NAME DESCRIPTION PATTERN...: validate.js must exit 1 and
# print every PATTERN (grep -E).
expect_invalid() {
	local name=$1 what=$2 pat missing=()
	shift 2
	out=$(node "$here/validate.js" "$tmp/$name.yaml" 2>&1)
	rc=$?
	for pat in "$@"; do
		grep -Eq -- "$pat" <<<"$out" || missing+=("no error matching: $pat")
	done
	if [ "$rc" -eq 1 ] && [ ${#missing[@]} -eq 0 ]; then
		ok "validate.js rejects $what (exit 1): $(grep -E -- "$1" <<<"$out" | head -n 1 | sed "s|^$tmp/||")"
	else
		not_ok "validate.js rejects $what" "exit status $rc" "${missing[@]}" "$out"
	fi
}

typo='s/^      MemorySize: !Ref MemorySize$/      MemorySise: !Ref MemorySize/'
noreq='/^      Role: !GetAtt FunctionRole.Arn$/d'
if mutate typo "$typo"; then
	expect_invalid typo "a copy with a typo'd property (MemorySise)" \
	    'Resources\.Function\.Properties\.MemorySise: AWS::Lambda::Function has no property MemorySise \(did you mean MemorySize\?\)'
else
	not_ok "validate.js rejects a typo'd property" "the line to change is not in $template"
fi
if mutate noreq "$noreq"; then
	expect_invalid noreq "a copy missing a required property (the function's Role)" \
	    'Resources\.Function\.Properties: AWS::Lambda::Function requires property Role'
else
	not_ok "validate.js rejects a missing required property" "the line to remove is not in $template"
fi
if mutate both "$typo;$noreq"; then
	expect_invalid both "a copy with both defects, reporting both" \
	    'has no property MemorySise' 'requires property Role' ': 2 error\(s\)$'
else
	not_ok "validate.js rejects a copy with both defects" "the lines to change are not in $template"
fi

# 2b. deploy/deploy.sh refuses a parameter the template does not declare
# (aws cloudformation deploy would drop it silently), naming it; --help says
# what becomes of parameters left out. Dry runs only, with a fake aws that
# fails if called, and a stand-in zip.
mkdir -p "$tmp/fakebin" "$tmp/dist"
printf '#!/bin/sh\necho "fake aws called: $*" >&2\nexit 99\n' >"$tmp/fakebin/aws"
chmod +x "$tmp/fakebin/aws"
python3 -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1], "w").writestr("bootstrap", "#!/bin/sh\n")' \
    "$tmp/dist/elbship-0.9.0-lambda-x86_64.zip"
dry() {	# dry PARAMS-JSON: deploy.sh --dry-run with those parameters; out, err, rc
	printf '%s\n' "$1" >"$tmp/params.json"
	PATH="$tmp/fakebin:$PATH" "$root/deploy/deploy.sh" --stack elbship-test --params "$tmp/params.json" \
	    --code-bucket my-artifacts --zip "$tmp/dist/elbship-0.9.0-lambda-x86_64.zip" --template "$template" \
	    --dry-run >"$tmp/dry.out" 2>"$tmp/dry.err"
	rc=$?
}
dry '{"EsUrl": "https://es.example:9200", "LogLevel": "warn"}'
if [ "$rc" -eq 0 ] && grep -q 'EsUrl=https://es.example:9200' "$tmp/dry.out" && [ ! -s "$tmp/dry.err" ]; then
	ok "deploy.sh --dry-run takes declared parameters without a warning"
else
	not_ok "deploy.sh --dry-run takes declared parameters without a warning" "exit $rc" "$(cat "$tmp/dry.err")"
fi
dry '{"EsUrl": "https://es.example:9200", "EsUrll": "x", "MemmorySize": 512}'
if [ "$rc" -ne 0 ] && grep -q 'not a parameter of .*: EsUrll MemmorySize' "$tmp/dry.err" && [ ! -s "$tmp/dry.out" ]; then
	ok "deploy.sh refuses undeclared parameters (exit $rc), naming each: $(head -n 1 "$tmp/dry.err" | sed "s|$tmp/||g")"
else
	not_ok "deploy.sh refuses undeclared parameters, naming each" "exit $rc" "$(cat "$tmp/dry.err" "$tmp/dry.out")"
fi
dry '[{"ParameterKey": "EsUrl", "ParameterValue": "https://es.example:9200"}, {"ParameterKey": "Typo", "UsePreviousValue": true}]'
if [ "$rc" -ne 0 ] && grep -q 'not a parameter of .*: Typo' "$tmp/dry.err"; then
	ok "deploy.sh refuses an undeclared parameter in CloudFormation's list form too, even with UsePreviousValue"
else
	not_ok "deploy.sh refuses an undeclared parameter in CloudFormation's list form" "exit $rc" "$(cat "$tmp/dry.err")"
fi
help=$("$root/deploy/deploy.sh" --help 2>&1)
if grep -q "Parameters left out of the file keep the stack's current" <<<"$help" &&
    grep -q "is an error (exit 1, naming it)" <<<"$help"; then
	ok "deploy.sh --help: parameters left out keep the stack's current values; an undeclared one is an error"
else
	not_ok "deploy.sh --help says parameters left out keep the stack's current values" "$help"
fi

# 2c. Parameters against elbship's settings table (settings.js): the
# default, range and values each ELBSHIP_* parameter's text gives are
# those of `elbship ship --help` and src/core/settings.c; and the check
# catches the wrong DeadlineMargin default issue 15 found, a default
# --help changes and a range the table does not have.
elbship=${ELBSHIP:-build/release/elbship}
if [ -x "$elbship" ] && "$elbship" ship --help >"$tmp/help.txt" 2>&1; then
	out=$(node "$here/settings.js" "$template" "$tmp/help.txt" src/core/settings.c 2>&1)
	rc=$?
	if [ "$rc" -eq 0 ]; then
		ok "every ELBSHIP_* parameter's default, range and values are elbship's ($(tail -n 1 <<<"$out" | sed 's/^# //'))"
	else
		not_ok "every ELBSHIP_* parameter's default, range and values are elbship's (settings.js)" \
		    "$(grep -v '^ok' <<<"$out")"
	fi
	settings_catches() {	# settings_catches WHAT PARAM TEMPLATE-SED HELP-SED
		sed "$3" "$template" >"$tmp/st.yaml"
		sed "$4" "$tmp/help.txt" >"$tmp/st-help.txt"
		if cmp -s "$template" "$tmp/st.yaml" && cmp -s "$tmp/help.txt" "$tmp/st-help.txt"; then
			not_ok "settings.js catches $1" "the text to change is in neither file"
			return
		fi
		out=$(node "$here/settings.js" "$tmp/st.yaml" "$tmp/st-help.txt" src/core/settings.c 2>&1)
		if [ $? -eq 1 ] && grep -q "^not ok - $2 " <<<"$out"; then
			ok "settings.js catches $1: $(grep "^not ok - $2 " <<<"$out" | sed 's/^not ok - //')"
		else
			not_ok "settings.js catches $1" "$out"
		fi
	}
	settings_catches "DeadlineMargin's old text (default 10)" DeadlineMargin \
	    "/^      object is reported failed for a retry (0-600); empty for the default\$/{N;s/empty for the default\\n.*/empty for the default (10)./}" ''
	settings_catches "a default --help changes (max-inflight 2 -> 3)" MaxInflight \
	    '' 's/bulk requests in flight at once (default 2)/bulk requests in flight at once (default 3)/'
	settings_catches "a range the settings table does not have (MaxInflight 1-32)" MaxInflight \
	    's/bulk requests in flight at once (1-16)/bulk requests in flight at once (1-32)/' ''
else
	not_ok "$elbship ship --help runs (build it: make)"
fi

# 3. The project's assertions, and the planted defects they must catch.
out=$(node "$here/checks.js" "$template" 2>&1)
rc=$?
seen=0
while IFS= read -r line; do
	case $line in
	'ok - '*) ok "${line#ok - }"; seen=$((seen + 1)) ;;
	'not ok - '*) n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - ${line#not ok - }"; seen=$((seen + 1)) ;;
	'#'*) echo "$line" ;;
	esac
done <<<"$out"
if [ "$rc" -ne 0 ] || [ "$seen" -eq 0 ]; then
	not_ok "checks.js ran to the end" "exit status $rc" "$out"
fi

finish

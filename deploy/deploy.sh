#!/usr/bin/env bash
# deploy/deploy.sh: deploy a packaged elbship (scripts/package.sh) as the
# Lambda function of a CloudFormation stack (deploy/elbship.yaml), and
# publish a function version stamped with the release.
#
#   deploy/deploy.sh --stack NAME --params FILE --code-bucket BUCKET
#                    [--region R] [--arch arm64|x86_64] [--zip PATH]
#                    [--function NAME] [--template FILE] [--dry-run]
#
#   --stack        the stack (one per environment), created or updated
#   --params       the stack's parameters: a JSON object {"Key": "Value", ...}
#                  or CloudFormation's [{"ParameterKey": .., "ParameterValue":
#                  ..}, ...] (an entry with "UsePreviousValue": true keeps the
#                  stack's current value).  Numbers and booleans are written
#                  as text, a list as "a,b,c".  CodeS3Bucket, CodeS3Key,
#                  Architecture (and ReleaseVersion, when the template has
#                  it) are set by this script.  A name the template does not
#                  declare is an error (exit 1, naming it): CloudFormation's
#                  deploy would drop it without a word.
#                  Parameters left out of the file keep the stack's current
#                  values when it is updated (not the template's defaults;
#                  those apply only when the stack is created): to go back
#                  to a default, give it explicitly (e.g. "LogLevel": "").
#   --code-bucket  where the zip goes, in the stack's region
#   --arch         the zip's architecture (default: the one in --zip's name,
#                  else x86_64)
#   --zip          default dist/elbship-VERSION-lambda-ARCH.zip, VERSION being
#                  scripts/version.sh's (X.Y.Z, or X.Y.Z-dev.gHASH between
#                  releases); the file name (elbship-VERSION-lambda-ARCH.zip)
#                  gives the version
#   --function     the function's name (default: the stack's FunctionName
#                  output, else its one AWS::Lambda::Function)
#   --template     default deploy/elbship.yaml
#   --dry-run      print the commands, one per line, shell-quoted, without
#                  running anything (no AWS call, no credentials needed)
#
# What it runs:
#   1. aws s3 cp ZIP s3://BUCKET/elbship/elbship-VERSION-lambda-ARCH.zip
#      (a key per version and architecture, so a new release changes
#      CodeS3Key and CloudFormation deploys it)
#   2. aws cloudformation deploy ... --parameter-overrides (the file's, then
#      CodeS3Bucket, CodeS3Key, Architecture, ReleaseVersion)
#      --capabilities CAPABILITY_IAM --no-fail-on-empty-changeset; the
#      template goes through the code bucket (--s3-bucket), so it may pass
#      CloudFormation's 51,200-byte limit for an inline template
#   3. the function's name from the stack's outputs
#   4. aws lambda update-function-code, only if the function's CodeSha256 is
#      not the zip's: the same key with other bytes (a rebuild of the same
#      version, e.g. after a Debian security update of a bundled library)
#      is a change CloudFormation cannot see
#   5. aws lambda wait function-updated, then aws lambda publish-version
#      --description "elbship VERSION" --code-sha256 (Lambda refuses if the
#      code is not this zip)
#   6. prints the version published and the function's ARN
#
# Values of parameters whose name ends in Password, ApiKey or Secret are
# printed as '****' (dry run included); they are still passed to
# CloudFormation as given.  Prefer the template's *SecretArn parameters.
set -euo pipefail
cd "$(dirname "$0")/.."

stack='' params='' bucket='' region='' arch='' zip='' function='' dry=0
template=deploy/elbship.yaml

usage() {
	echo "usage: deploy/deploy.sh --stack NAME --params FILE --code-bucket BUCKET" \
	    "[--region R] [--arch arm64|x86_64] [--zip PATH] [--function NAME]" \
	    "[--template FILE] [--dry-run]" >&2
	exit 2
}
die() { echo "deploy: error: $*" >&2; exit 1; }
warn() { echo "deploy: warning: $*" >&2; }

while [ $# -gt 0 ]; do
	opt=$1
	case $opt in
	--dry-run) dry=1; shift; continue ;;
	-h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	--*=*) val=${opt#*=}; opt=${opt%%=*}; shift ;;
	--*) [ $# -ge 2 ] || usage; val=$2; shift 2 ;;
	*) usage ;;
	esac
	case $opt in
	--stack) stack=$val ;;
	--params) params=$val ;;
	--code-bucket) bucket=$val ;;
	--region) region=$val ;;
	--arch) arch=$val ;;
	--zip) zip=$val ;;
	--function) function=$val ;;
	--template) template=$val ;;
	*) echo "deploy: unknown option $opt" >&2; usage ;;
	esac
done
[ -n "$stack" ] && [ -n "$params" ] && [ -n "$bucket" ] || usage
[[ $stack =~ ^[A-Za-z][-A-Za-z0-9]{0,127}$ ]] ||
    die "--stack '$stack' is not a stack name (a letter, then letters, digits, -; at most 128)"
[[ $bucket =~ ^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$ ]] ||
    die "--code-bucket '$bucket' is not an S3 bucket name"
[ -z "$region" ] || [[ $region =~ ^[a-z]{2}(-[a-z]+)+-[0-9]+$ ]] ||
    die "--region '$region' is not a region name"
command -v jq >/dev/null || die "jq is needed (apt-get install jq)"

# ---- the zip and its version ----------------------------------------------------------
if [ -z "$zip" ]; then
	[ -n "$arch" ] || arch=x86_64
	v=$(scripts/version.sh) || die "no --zip, and scripts/version.sh failed"
	zip=dist/elbship-$v-lambda-$arch.zip
fi
base=$(basename "$zip")
[[ $base =~ ^elbship-(.+)-lambda-(x86_64|arm64)\.zip$ ]] ||
    die "$zip: not named elbship-VERSION-lambda-ARCH.zip as scripts/package.sh names it"
version=${BASH_REMATCH[1]}
zarch=${BASH_REMATCH[2]}
[ -n "$arch" ] || arch=$zarch
case $arch in x86_64|arm64) ;; *) die "--arch must be arm64 or x86_64, not '$arch'" ;; esac
[ "$arch" = "$zarch" ] || die "--arch $arch, but $zip is built for $zarch"
[ -f "$zip" ] || die "$zip not found: build it with scripts/package.sh --arch $arch"
unzip -Z1 "$zip" 2>/dev/null | grep -x bootstrap >/dev/null || die "$zip has no bootstrap at its root"
case $version in
*.dirty|*-dirty) warn "$version: built from a tree with uncommitted changes (not traceable to a commit)" ;;
esac
sha256=$(python3 -c 'import base64, hashlib, sys; print(base64.b64encode(hashlib.sha256(open(sys.argv[1], "rb").read()).digest()).decode())' "$zip")
key=elbship/$base

# ---- parameters -----------------------------------------------------------------------------
[ -f "$params" ] || die "$params: no such file"
pjq='
if type == "object" then
	to_entries | map({k: .key, v: .value, prev: false})
elif type == "array" then
	map(if type != "object" or (.ParameterKey | type) != "string" then
		error("an entry without ParameterKey: \(tojson)")
	    else {k: .ParameterKey, v: .ParameterValue, prev: (.UsePreviousValue == true)} end)
else error("neither an object nor an array") end
| map(select(.prev | not)
	| if .v == null then error("\(.k): no value")
	  elif (.v | type) == "array" then .v |= (map(tostring) | join(","))
	  elif (.v | type) == "object" then error("\(.k): an object is not a parameter value")
	  else .v |= tostring end)
| .[] | .k, .v'
keys=() vals=()
err=$(jq -r "$pjq" "$params" 2>&1 >/dev/null) || die "$params: ${err#jq: error (at *): }"
while IFS= read -r -d '' k && IFS= read -r -d '' v; do
	[[ $k =~ ^[A-Za-z0-9]{1,255}$ ]] || die "$params: '$k' is not a parameter name"
	case $k in
	CodeS3Bucket|CodeS3Key|Architecture|ReleaseVersion)
		warn "$params sets $k: ignored (this script sets it)"; continue ;;
	esac
	keys+=("$k") vals+=("$v")
done < <(jq -r -j "$pjq"' | ., "\u0000"' "$params")

tparams=
if [ -f "$template" ]; then
	# the template's parameter names: the keys indented by two under Parameters:
	tparams=$(awk '/^[^ #]/ { inp = ($0 ~ /^Parameters:/); next }
	    inp && /^  [A-Za-z0-9]+:/ { sub(/^  /, ""); sub(/:.*/, ""); print }' "$template")
	# CloudFormation would refuse it, and `aws cloudformation deploy` drops
	# it silently instead: a typo would leave the stack's value as it was.
	# (every name in the file, those with UsePreviousValue too)
	unknown=()
	while IFS= read -r k; do
		grep -qx "$k" <<<"$tparams" || unknown+=("$k")
	done < <(jq -r 'if type == "object" then keys_unsorted[] else .[].ParameterKey end' "$params")
	[ ${#unknown[@]} -eq 0 ] ||
	    die "$params: not a parameter of $template: ${unknown[*]} (see deploy/README.md for the list)"
elif [ "$dry" -eq 0 ]; then
	die "$template not found"
else
	warn "$template not found (dry run goes on)"
fi
keys+=(CodeS3Bucket CodeS3Key Architecture) vals+=("$bucket" "$key" "$arch")
if [ -z "$tparams" ] || grep -qx ReleaseVersion <<<"$tparams"; then
	keys+=(ReleaseVersion) vals+=("$version")
fi

# ---- commands -------------------------------------------------------------------------------
# q WORD: the word as the shell reads it back ('...' unless plainly safe)
q() {
	if [[ $1 =~ ^[A-Za-z0-9_./:=@%+,-]+$ ]]; then
		printf '%s' "$1"
	elif [[ $1 != *\'* ]]; then
		printf "'%s'" "$1"
	elif [[ $1 != *[\"\$\`\\!]* ]]; then
		printf '"%s"' "$1"
	else
		printf "'%s'" "${1//\'/\'\\\'\'}"
	fi
}
# line WORD...: a command line, words quoted; an argument "\$function"
# stays a shell variable
line() {
	local out='' w
	for w in "$@"; do
		if [ "$w" = '"$function"' ]; then out+=${out:+ }$w; else out+=${out:+ }$(q "$w"); fi
	done
	printf '%s' "$out"
}
secret_key() { [[ ${1,,} =~ (password|apikey|secret)$ ]]; }

reg=()
[ -n "$region" ] && reg=(--region "$region")
overrides=() shown=()
for i in "${!keys[@]}"; do
	overrides+=("${keys[$i]}=${vals[$i]}")
	if secret_key "${keys[$i]}"; then shown+=("${keys[$i]}=****"); else shown+=("${keys[$i]}=${vals[$i]}"); fi
done
caps=(CAPABILITY_IAM)
if [ -f "$template" ] && grep -Eq '^\s+(RoleName|ManagedPolicyName|GroupName|UserName|InstanceProfileName):' "$template"; then
	caps+=(CAPABILITY_NAMED_IAM)
fi

upload=(aws s3 cp "$zip" "s3://$bucket/$key" --only-show-errors "${reg[@]}")
deploy_cmd=(aws cloudformation deploy --template-file "$template" --stack-name "$stack"
    --s3-bucket "$bucket" --s3-prefix elbship/cloudformation
    --parameter-overrides "${overrides[@]}" --capabilities "${caps[@]}"
    --no-fail-on-empty-changeset "${reg[@]}")
deploy_shown=(aws cloudformation deploy --template-file "$template" --stack-name "$stack"
    --s3-bucket "$bucket" --s3-prefix elbship/cloudformation
    --parameter-overrides "${shown[@]}" --capabilities "${caps[@]}"
    --no-fail-on-empty-changeset "${reg[@]}")
outputs=(aws cloudformation describe-stacks --stack-name "$stack"
    --query "Stacks[0].Outputs[?OutputKey=='FunctionName'].OutputValue" --output text "${reg[@]}")
resources=(aws cloudformation describe-stack-resources --stack-name "$stack"
    --query "StackResources[?ResourceType=='AWS::Lambda::Function'].PhysicalResourceId" --output text "${reg[@]}")
fn='"$function"'
getsha=(aws lambda get-function-configuration --function-name "$fn" --query CodeSha256 --output text "${reg[@]}")
update=(aws lambda update-function-code --function-name "$fn" --s3-bucket "$bucket" --s3-key "$key" --output json "${reg[@]}")
waitupd=(aws lambda wait function-updated --function-name "$fn" "${reg[@]}")
publish=(aws lambda publish-version --function-name "$fn" --description "elbship $version"
    --code-sha256 "$sha256" --output json "${reg[@]}")

if [ "$dry" -eq 1 ]; then
	echo "# elbship $version ($arch): $zip -> s3://$bucket/$key, stack $stack"
	line "${upload[@]}"; echo
	line "${deploy_shown[@]}"; echo
	if [ -n "$function" ]; then
		echo "function=$(q "$function")"
	else
		echo "function=\$($(line "${outputs[@]}"))"
	fi
	echo "if [ \"\$($(line "${getsha[@]}"))\" != $(q "$sha256") ]; then $(line "${update[@]}"); fi"
	line "${waitupd[@]}"; echo
	line "${publish[@]}"; echo
	exit 0
fi

# ---- run ----------------------------------------------------------------------------------------
command -v aws >/dev/null || die "no aws command (Debian: apt-get install awscli)"
run() {	# run SHOWN-LINE -- COMMAND...: prints the line, runs the command
	local label=$1
	shift 2
	echo "+ $label" >&2
	"$@"
}
subst() {	# the command with "$function" replaced by its value
	local w
	for w in "$@"; do
		if [ "$w" = "$fn" ]; then printf '%s\0' "$function"; else printf '%s\0' "$w"; fi
	done
}
runf() {	# runf COMMAND...: run a command that names "$function"
	local cmd=()
	mapfile -d '' -t cmd < <(subst "$@")
	run "$(line "${cmd[@]}")" -- "${cmd[@]}"
}

echo "deploy: elbship $version ($arch), stack $stack" >&2
run "$(line "${upload[@]}")" -- "${upload[@]}" || die "upload to s3://$bucket/$key failed"
run "$(line "${deploy_shown[@]}")" -- "${deploy_cmd[@]}" >&2 ||
    die "aws cloudformation deploy failed (see the stack's events: aws cloudformation describe-stack-events --stack-name $stack)"
if [ -z "$function" ]; then
	function=$(run "$(line "${outputs[@]}")" -- "${outputs[@]}") || die "describe-stacks failed"
	if [ -z "$function" ] || [ "$function" = None ]; then
		function=$(run "$(line "${resources[@]}")" -- "${resources[@]}") ||
		    die "describe-stack-resources failed"
		[ -n "$function" ] && [ "$function" != None ] || die "stack $stack has no Lambda function"
		[[ $function != *[[:space:]]* ]] ||
		    die "stack $stack has several functions ($function): name one with --function"
	fi
fi
echo "deploy: function $function" >&2
current=$(runf "${getsha[@]}") || die "get-function-configuration failed"
if [ "$current" != "$sha256" ]; then
	echo "deploy: the function's code ($current) is not the zip's ($sha256): updating it" >&2
	runf "${update[@]}" >/dev/null || die "update-function-code failed"
else
	echo "deploy: the function runs the zip's code (CodeSha256 $sha256)" >&2
fi
runf "${waitupd[@]}" || die "the function did not finish updating"
out=$(runf "${publish[@]}") || die "publish-version failed"
published=$(jq -r .Version <<<"$out")
arn=$(jq -r .FunctionArn <<<"$out")
echo "published version $published of $function: elbship $version ($arch)"
echo "function ARN: $arn"
echo "code: s3://$bucket/$key (CodeSha256 $sha256)"

#!/usr/bin/env bash
# bench/deps.sh: install the tools the benchmarks compare against, only if
# they are missing (Debian/Ubuntu):
#   isal      -> igzip   (ISA-L gzip, the decompression speed reference)
#   goaccess  -> goaccess (a popular log analyser with an AWS ALB format)
#   time      -> /usr/bin/time (GNU time, for peak RSS)
#   jq, default-jdk-headless, libjruby-joni-java, libjackson2-core-java
#             -> bench/peers.sh's ESF and Logstash stand-ins
# gzip itself is Essential on Debian and always present.
#
# Runs `apt-get update` once, and only if something must be installed.
# Uses sudo when not root.  Safe to run repeatedly.
set -euo pipefail

PKGS=(isal goaccess time jq default-jdk-headless libjruby-joni-java
    libjackson2-core-java)

missing=()
for p in "${PKGS[@]}"; do
	status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	if [[ $status != "install ok installed" ]]; then
		missing+=("$p")
	fi
done

if ((${#missing[@]} == 0)); then
	exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
	echo "bench/deps.sh: missing packages (${missing[*]}) and no apt-get; install them by hand" >&2
	exit 1
fi

SUDO=()
if [[ $(id -u) -ne 0 ]]; then
	if command -v sudo >/dev/null 2>&1; then
		SUDO=(sudo)
	else
		echo "bench/deps.sh: need root or sudo to install: ${missing[*]}" >&2
		exit 1
	fi
fi

echo "bench/deps.sh: installing ${missing[*]}" >&2
"${SUDO[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"

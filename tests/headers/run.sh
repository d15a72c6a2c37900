#!/usr/bin/env bash
# tests/headers/run.sh: every header compiles on its own.
#
# For each src/**/*.h, a translation unit holding only
# `#include "that/header.h"` (twice: the include guard holds) is compiled with the project's flags (make
# print-cflags: -std=c11 -Wall -Wextra -Werror ... -Isrc), by gcc and, when
# it is installed, by clang: a header that leans on an include its users
# happen to make first fails here (libcperciva's tests/buildsingles).
# CC=... picks one compiler instead.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/tap.sh
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

flags=$(make -s --no-print-directory print-cflags) || { notok "make print-cflags"; finish; }
if [ -n "${CC:-}" ]; then
	ccs=$CC
else
	ccs=gcc
	command -v clang >/dev/null 2>&1 && ccs="$ccs clang"
fi
for cc in $ccs; do
	for h in $(find src -name '*.h' | sort); do
		rel=${h#src/}
		printf '#include "%s"\n#include "%s"\n' "$rel" "$rel" >"$tmp/one.c"
		# shellcheck disable=SC2086
		if $cc $flags -fsyntax-only "$tmp/one.c" >"$tmp/err" 2>&1; then
			ok "$cc: $rel compiles on its own"
		else
			notok "$cc: $rel compiles on its own"
			sed 's/^/# /' "$tmp/err" | head -n 20
		fi
	done
done
finish

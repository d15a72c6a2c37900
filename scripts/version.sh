#!/bin/sh
# scripts/version.sh: print elbship's version, a semantic version
# (https://semver.org) built from the VERSION file and git:
#
#   X.Y.Z                     a release: HEAD is the commit tagged vX.Y.Z
#                             (X.Y.Z as in VERSION) and the tree is clean
#   X.Y.Z-dev.gHASH           any other commit (HASH: git's short hash):
#                             a pre-release of X.Y.Z, which sorts before it
#   X.Y.Z-dev.gHASH.dirty     ... with uncommitted changes to tracked files
#   X.Y.Z                     outside a git checkout (a source archive of a
#                             release)
#
# VERSION names the release the tree is or is becoming: bump it right
# after a release (CHANGELOG.md, "Releasing").  The Makefile compiles this
# into the binary (elbship --version), scripts/package.sh names the zip
# after it, deploy/deploy.sh publishes the function's version with it.
# No '+' (semver's build metadata): the string goes into S3 keys and URLs.
set -eu
cd "$(dirname "$0")/.."

v=$(tr -d ' \t\r\n' <VERSION 2>/dev/null) || { echo "version.sh: no VERSION file" >&2; exit 1; }
case $v in
[0-9]*.[0-9]*.[0-9]*) ;;
*) echo "version.sh: VERSION holds '$v', not X.Y.Z" >&2; exit 1 ;;
esac
if ! git rev-parse --git-dir >/dev/null 2>&1; then
	echo "$v"
	exit 0
fi
dirty=
git update-index -q --refresh >/dev/null 2>&1 || :	# stat data, as git describe --dirty
git diff-index --quiet HEAD -- 2>/dev/null || dirty=.dirty
if [ -z "$dirty" ] && [ "$(git describe --tags --exact-match HEAD 2>/dev/null)" = "v$v" ]; then
	echo "$v"
else
	echo "$v-dev.g$(git rev-parse --short HEAD)$dirty"
fi

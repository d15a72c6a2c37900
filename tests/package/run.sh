#!/usr/bin/env bash
# tests/package/run.sh: the Lambda package (scripts/package.sh) and the
# deploy script (deploy/deploy.sh).
#
#   - the x86_64 zip: its name and layout, bootstrap stripped with its debug
#     info beside the zip, lib/ exactly the non-glibc libraries it needs,
#     byte-for-byte reproducible;
#   - no GLIBC_ symbol version above 2.34 (Lambda provided.al2023) in
#     bootstrap or lib/, by a scan of its own (which must also flag Debian's
#     libexpat, the reason package.sh builds expat itself);
#   - the zip run as Lambda runs it: in a root holding nothing but Debian's
#     glibc (the libc6 package's libraries) and the unpacked zip in
#     /var/task, under chroot, with Lambda's environment and no other
#     (env -i): it answers the Runtime API test server's S3 TestEvent, every
#     non-glibc library comes from /var/task/lib (LD_DEBUG=libs), and with
#     no ELBSHIP_* setting it posts an init error naming what to set;
#   - all that with a decoy of each bundled library in the root's /lib64,
#     which Lambda's LD_LIBRARY_PATH lists before /var/task/lib: bootstrap's
#     DT_RPATH ($ORIGIN/lib) keeps them out, and with that RPATH ignored
#     (ld.so --inhibit-rpath) a decoy loads and exits 97;
#   - the same for arm64 under qemu-aarch64-static, when the cross toolchain
#     is installed (scripts/package-deps.sh arm64), else skipped;
#     package.sh runs with --no-deps: tests install nothing (./dev.sh test
#     runs scripts/package-deps.sh all first);
#   - deploy/deploy.sh --dry-run (no AWS call: a fake aws fails the test if
#     called), and a run against a fake aws that records its calls;
#   - versions: scripts/version.sh's semantic version (X.Y.Z at the tag
#     vX.Y.Z, X.Y.Z-dev.gHASH[.dirty] elsewhere, in a clone), CHANGELOG.md's
#     section for VERSION, and every zip name the docs give.
#
# Needs root (chroot, mount).  Prints TAP and "# N passed, M failed, K skipped".
set -u
cd "$(dirname "$0")/../.." || exit 1
repo=$PWD
tmp=$(mktemp -d)
pids=()
mounts=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	for m in "${mounts[@]}"; do umount "$m" 2>/dev/null || umount -l "$m"; done
	rm -rf "$tmp"
}
trap cleanup EXIT
n=0 fail=0 skipped=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
notok() { n=$((n + 1)); fail=$((fail + 1)); echo "not ok $n - $1"; }
skip() { n=$((n + 1)); skipped=$((skipped + 1)); echo "ok $n - $1 # SKIP $2"; }
check() { if eval "$2"; then ok "$1"; else notok "$1"; return 1; fi; }
has_all() {	# TEXT WORD...: TEXT contains every WORD
	local text=$1 w
	shift
	for w in "$@"; do
		grep -qF -- "$w" <<<"$text" || { echo "# missing: $w"; return 1; }
	done
}
finish() {
	echo "# $((n - fail - skipped)) passed, $fail failed, $skipped skipped"
	[ "$fail" -eq 0 ]
	exit $?
}
diag() { sed 's/^/# /' "$@" | head -n 40; }
max_glibc=2.34
chroot=$(command -v chroot)
version=$(scripts/version.sh)

# ---- GLIBC version needs, independently of package.sh ------------------------------
glibc_needs() {	# FILE: the GLIBC_* versions FILE needs (.gnu.version_r)
	readelf -V -W "$1" | awk '
	    /^Version needs section/ { n = 1; next }
	    /^Version (symbols|definition) section/ { n = 0 }
	    n && /Name: GLIBC/ { for (i = 1; i <= NF; i++) if ($i == "Name:") print $(i + 1) }' | sort -u
}
too_new() {	# FILE...: "file: symbol@GLIBC_x" for every need above $max_glibc
	local f v
	for f in "$@"; do
		for v in $(glibc_needs "$f"); do
			case $v in
			GLIBC_PRIVATE|GLIBC_ABI*) ;;
			GLIBC_*) [ "$(printf '%s\n%s\n' "${v#GLIBC_}" "$max_glibc" | sort -V | tail -n 1)" = "$max_glibc" ] &&
			    continue ;;
			esac
			readelf --dyn-syms -W "$f" | awk -v f="$(basename "$f")" -v v="$v" \
			    '$7 == "UND" { k = split($8, a, "@"); if (a[k] == v) print f ": " $8 }'
			echo "$(basename "$f"): needs $v"
		done
	done | sort -u
}
newest() {	# FILE...: the newest GLIBC_2.x needed
	local f
	for f in "$@"; do glibc_needs "$f"; done | grep '^GLIBC_2' | sort -V | tail -n 1
}

# ---- a root with glibc only ------------------------------------------------------------
# make_root DEBARCH DIR ZIP: Debian's libc6:DEBARCH libraries (merged /usr:
# /lib and /lib64 link to usr/), /tmp, the zip unpacked in /var/task,
# /elbship -> /var/task/bootstrap (to run it under its other name), decoys
# of the bundled libraries in /lib64, and /proc mounted.
make_root() {
	local debarch=$1 root=$2 zip=$3 f d
	mkdir -p "$root/usr/lib" "$root/usr/lib64" "$root/tmp" "$root/var/task"
	chmod 1777 "$root/tmp"
	ln -s usr/lib "$root/lib"
	ln -s usr/lib64 "$root/lib64"
	dpkg -L "libc6:$debarch" | while IFS= read -r f; do
		case ${f##*/} in *.so|*.so.[0-9]*) ;; *) continue ;; esac
		case $f in */gconv/*) continue ;; esac
		[ -f "$f" ] || [ -L "$f" ] || continue
		d=$(readlink -f "$(dirname "$f")")
		mkdir -p "$root$d"
		cp -P "$f" "$root$d/"
	done
	unzip -q "$zip" -d "$root/var/task"
	ln -s /var/task/bootstrap "$root/elbship"
	make_decoys "$debarch" "$root"
	# /proc, as Lambda has it: the loader finds $ORIGIN (bootstrap's
	# directory, in its DT_RPATH) through /proc/self/exe, and without it
	# drops that RPATH entry
	mkdir -p "$root/proc"
	mount -t proc proc "$root/proc" && mounts+=("$root/proc")
}
# make_decoys DEBARCH ROOT: in ROOT's /lib64 (= /usr/lib64, first in
# Lambda's LD_LIBRARY_PATH after /var/lang/lib, where provided.al2023 keeps
# its own libcurl, OpenSSL, zlib...), a decoy of each library in
# /var/task/lib: same file name and SONAME, no symbols, and a constructor
# that prints "decoy SONAME loaded" and exits 97.  Only bootstrap's
# DT_RPATH ($ORIGIN/lib, searched before LD_LIBRARY_PATH) keeps them out.
make_decoys() {
	local debarch=$1 root=$2 cc=gcc l
	[ "$debarch" = arm64 ] && cc=aarch64-linux-gnu-gcc
	for l in $(ls "$root/var/task/lib"); do
		printf '%s\n' '#include <unistd.h>' \
		    '__attribute__((constructor)) static void decoy(void)' \
		    "{ static const char m[] = \"decoy $l loaded\\n\"; write(2, m, sizeof(m) - 1); _exit(97); }" \
		    >"$tmp/decoy.c"
		"$cc" -shared -fPIC -O1 -Wl,-soname,"$l" -o "$root/usr/lib64/$l" "$tmp/decoy.c" ||
		    echo "# could not build the decoy $l with $cc"
	done
}
glibc_set() {	# DEBARCH: the sonames of Debian's glibc
	dpkg -L "libc6:$1" | sed -n 's|.*/\([^/]*\.so[.0-9]*\)$|\1|p' | sort -u
}
LAMBDA_LD_PATH=/var/lang/lib:/lib64:/usr/lib64:/var/runtime:/var/runtime/lib:/var/task:/var/task/lib:/opt/lib

# run_lambda ROOT TAG EVENTS [ENV...] -- CMD...: the Runtime API test server,
# then CMD (run inside ROOT) with Lambda's environment plus ENV and nothing
# else; results in $tmp/TAG.res, stdout/stderr in $tmp/TAG.out/.err, exit
# status in $tmp/TAG.rc
run_lambda() {
	local root=$1 tag=$2 events=$3 envs=() rt fn
	shift 3
	while [ $# -gt 0 ] && [ "$1" != -- ]; do envs+=("$1"); shift; done
	shift
	rm -f "$tmp/$tag.port"
	python3 "$repo/tests/servers/runtime_api.py" --port 0 --port-file "$tmp/$tag.port" \
	    --events "$events" --results "$tmp/$tag.res" --exit-after-all \
	    --init-error-file "$tmp/$tag.init" >"$tmp/$tag.rt.log" 2>&1 &
	rt=$!
	pids+=("$rt")
	for _ in $(seq 200); do [ -s "$tmp/$tag.port" ] && break; sleep 0.05; done
	(
		env -i PATH=/usr/local/bin:/usr/bin:/bin:/opt/bin LD_LIBRARY_PATH="$LAMBDA_LD_PATH" \
		    LAMBDA_TASK_ROOT=/var/task LAMBDA_RUNTIME_DIR=/var/runtime TZ=:UTC LANG=en_US.UTF-8 \
		    _HANDLER=bootstrap AWS_REGION=eu-west-1 AWS_DEFAULT_REGION=eu-west-1 \
		    AWS_LAMBDA_FUNCTION_NAME=elbship-package-test AWS_LAMBDA_FUNCTION_VERSION='$LATEST' \
		    AWS_LAMBDA_FUNCTION_MEMORY_SIZE=1024 AWS_ACCESS_KEY_ID=AKIDPACKAGETEST \
		    AWS_SECRET_ACCESS_KEY=package-test-secret AWS_SESSION_TOKEN=package-test-token \
		    AWS_LAMBDA_RUNTIME_API="127.0.0.1:$(cat "$tmp/$tag.port")" "${envs[@]}" \
		    "$chroot" "$root" "$@" >"$tmp/$tag.out" 2>"$tmp/$tag.err"
		echo $? >"$tmp/$tag.rc"
	) &
	fn=$!
	pids+=("$fn")
	for _ in $(seq 600); do	# 30 s at most
		kill -0 "$rt" 2>/dev/null && kill -0 "$fn" 2>/dev/null || break
		sleep 0.05
	done
	sleep 0.2
	kill "$rt" 2>/dev/null
	wait "$rt" 2>/dev/null
	for _ in $(seq 40); do [ -f "$tmp/$tag.rc" ] && break; sleep 0.05; done
	kill "$fn" 2>/dev/null
	wait "$fn" 2>/dev/null
}

printf '%s\n' '{"Service":"Amazon S3","Event":"s3:TestEvent","Time":"2025-11-03T09:00:00.000Z","Bucket":"elb-logs","RequestId":"5582815E1AEA5ADF","HostId":"8cLeGAmw098X5cv4Zkwcmo8vvZa3eH3eKxsPzbB9wrR+YstdA6Knx4Ip8EXAMPLE"}' \
    >"$tmp/test-event.ndjson"

# lambda_checks ARCH DEBARCH ROOT PREFIX...: the start checks in ROOT,
# PREFIX (e.g. the qemu binary) before /var/task/bootstrap
lambda_checks() {
	local arch=$1 debarch=$2 root=$3 out res body libs bad gs
	shift 3
	gs=$(glibc_set "$debarch")
	out=$(env -i LD_LIBRARY_PATH="$LAMBDA_LD_PATH" "$chroot" "$root" "$@" /elbship --version 2>&1)
	check "$arch: bootstrap (run as elbship) --version prints 'elbship $version', the zip name's version" \
	    '[ "$out" = "elbship $version" ]' || echo "# got: $out"

	# the bundled libraries win over the decoys in /lib64 (make_decoys)
	local rp ndecoy ldso=/lib64/ld-linux-x86-64.so.2 drc
	[ "$debarch" = arm64 ] && ldso=/lib/ld-linux-aarch64.so.1
	rp=$(readelf -d "$root/var/task/bootstrap" | sed -n 's/.*(RPATH).*Library rpath: \[\(.*\)\]/\1/p')
	check "$arch: bootstrap's DT_RPATH is \$ORIGIN/lib (read before LD_LIBRARY_PATH), and it has no RUNPATH" \
	    '[ "$rp" = "\$ORIGIN/lib" ] && ! readelf -d "$root/var/task/bootstrap" | grep -q "(RUNPATH)"' ||
	    echo "# RPATH: '$rp'"
	ndecoy=$(ls "$root/usr/lib64" | grep -cxFf <(ls "$root/var/task/lib"))
	check "$arch: with a decoy of each of the $ndecoy bundled libraries in /lib64, the bundled ones load (--version runs, no decoy speaks)" \
	    '[ "$ndecoy" -eq "$(ls "$root/var/task/lib" | wc -l)" ] && [ "$out" = "elbship $version" ]'
	out=$(env -i LD_LIBRARY_PATH="$LAMBDA_LD_PATH" "$chroot" "$root" "$@" "$ldso" --inhibit-rpath '' \
	    /var/task/bootstrap --version 2>&1)
	drc=$?
	check "$arch: the decoys bite: with bootstrap's DT_RPATH ignored (ld.so --inhibit-rpath), Lambda's LD_LIBRARY_PATH loads one (exit 97)" \
	    '[ "$drc" -eq 97 ] && grep -q "^decoy lib.* loaded$" <<<"$out"' || echo "# exit $drc: $(head -c 300 <<<"$out")"

	# LD_DEBUG_OUTPUT: a directory only the root has, so that the output of
	# chroot's own loader (on the host) goes to stderr, bootstrap's to a file
	mkdir -p "$root/lddebug"
	run_lambda "$root" "$arch-test" "$tmp/test-event.ndjson" ELBSHIP_ES_URL=http://127.0.0.1:9 LD_DEBUG=libs \
	    LD_DEBUG_OUTPUT=/lddebug/ld \
	    -- "$@" /var/task/bootstrap
	res=$(head -n 1 "$tmp/$arch-test.res" 2>/dev/null)
	if [ "$(jq -r .outcome <<<"$res" 2>/dev/null)" = response ] &&
	    [ "$(jq -r .body.test_events <<<"$res")" = 1 ] &&
	    [ "$(jq -r .came_back_for_next <<<"$res")" = true ]; then
		ok "$arch: in a glibc-only root with Lambda's environment alone, bootstrap answers an S3 TestEvent (a response, test_events 1)"
	else
		notok "$arch: in a glibc-only root with Lambda's environment alone, bootstrap answers an S3 TestEvent"
		echo "# result: $res"
		grep -v '^ *[0-9]*:' "$tmp/$arch-test.err" | diag
		diag "$tmp/$arch-test.out" "$tmp/$arch-test.rt.log"
	fi
	# every library initialised: glibc's from the root, the rest from /var/task/lib
	libs=$(cat "$root"/lddebug/ld.* 2>/dev/null | sed -n 's/.*calling init: //p' | sort -u)
	bad=$(while IFS= read -r l; do
		[ -z "$l" ] && continue
		case $l in
		/var/task/lib/*) ;;
		*) grep -qx "$(basename "$l")" <<<"$gs" || echo "$l" ;;
		esac
	done <<<"$libs")
	check "$arch: LD_DEBUG=libs: every non-glibc library resolved from /var/task/lib, each bundled one loaded" \
	    '[ -n "$libs" ] && [ -z "$bad" ] && [ "$(grep -c "^/var/task/lib/" <<<"$libs")" -eq "$(ls "$root/var/task/lib" | wc -l)" ]' ||
	    { echo "# from elsewhere: $bad"; echo "# loaded from /var/task/lib: $(grep -c "^/var/task/lib/" <<<"$libs"), bundled: $(ls "$root/var/task/lib" | wc -l)"; }

	run_lambda "$root" "$arch-init" "$tmp/test-event.ndjson" -- "$@" /var/task/bootstrap
	body=$(jq -c .body "$tmp/$arch-init.init" 2>/dev/null)
	check "$arch: with no ELBSHIP_* setting it posts an init error naming ELBSHIP_ES_URL and exits non-zero" \
	    '[ "$(jq -r .errorMessage <<<"$body")" != null ] && grep -q ELBSHIP_ES_URL <<<"$body" && [ "$(cat "$tmp/$arch-init.rc" 2>/dev/null)" != 0 ] && [ -s "$tmp/$arch-init.rc" ]' ||
	    { echo "# init error: $body, exit $(cat "$tmp/$arch-init.rc" 2>/dev/null)"; diag "$tmp/$arch-init.err"; }
}

# ==== versions (scripts/version.sh) ==============================================================
release=$(tr -d ' \t\r\n' <VERSION)
check "scripts/version.sh: '$version' is a semantic version, VERSION's ($release) or a pre-release of it (-dev.gHASH[.dirty])" \
    '[[ $release =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] && [[ $version =~ ^${release//./\\.}(-dev\.g[0-9a-f]{4,40}(\.dirty)?)?$ ]]'
vc=$tmp/vclone
if git clone -q --no-local "$repo" "$vc" 2>/dev/null; then
	vgit() { git -C "$vc" -c user.name=t -c user.email=t@example.com "$@"; }
	# the working tree's script and VERSION, committed and tagged in the clone
	cp scripts/version.sh "$vc/scripts/version.sh"
	cp VERSION "$vc/VERSION"
	vgit add scripts/version.sh VERSION
	vgit commit -q --allow-empty -m "version.sh as in the tree tested"
	vgit tag "v$release"
	v_tag=$("$vc/scripts/version.sh")
	vgit commit -q --allow-empty -m next
	v_next=$("$vc/scripts/version.sh")
	h=$(vgit rev-parse --short HEAD)
	echo >>"$vc/README.md"
	v_dirty=$("$vc/scripts/version.sh")
	mkdir -p "$tmp/varchive"
	vgit archive HEAD | tar -x -C "$tmp/varchive"
	v_archive=$("$tmp/varchive/scripts/version.sh")
	check "scripts/version.sh: the commit tagged v$release is $release; the next is $release-dev.g$h; with a change, .dirty; an archive without git, $release" \
	    '[ "$v_tag" = "$release" ] && [ "$v_next" = "$release-dev.g$h" ] && [ "$v_dirty" = "$release-dev.g$h.dirty" ] && [ "$v_archive" = "$release" ]' ||
	    echo "# tagged '$v_tag', next '$v_next', dirty '$v_dirty', archive '$v_archive'"
else
	notok "scripts/version.sh in a clone (git clone failed)"
fi
check "CHANGELOG.md has a section for $release" 'grep -Eq "^## \[?${release//./\\.}\]?( |$)" CHANGELOG.md'
badzip=$(grep -rhoE 'elbship-[^ /`"]*\.zip' README.md docs/*.md deploy/README.md | sort -u |
    grep -vE '^elbship-([0-9]+\.[0-9]+\.[0-9]+(-dev\.g[0-9a-f]+(\.dirty)?)?|<version>|VERSION|\$version|\$v)-lambda-(x86_64|arm64|ARCH)\.zip$')
check "every zip the docs name is named as scripts/package.sh names it (elbship-VERSION-lambda-ARCH.zip)" \
    '[ -z "$badzip" ]' || echo "# $badzip"

if [ "$(id -u)" -ne 0 ]; then
	notok "tests/package needs root (chroot)"
	finish
fi

# ==== x86_64 ===================================================================================
t0=$(date +%s)
if scripts/package.sh --no-deps --arch x86_64 --out "$tmp/dist" >"$tmp/pkg.out" 2>"$tmp/pkg.err"; then
	ok "scripts/package.sh --arch x86_64 builds ($(($(date +%s) - t0)) s)"
else
	notok "scripts/package.sh --arch x86_64 builds"
	diag "$tmp/pkg.err"
	finish
fi
zip=$(tail -n 1 "$tmp/pkg.out")
check "the zip is DIR/elbship-VERSION-lambda-x86_64.zip with VERSION = scripts/version.sh ($version)" \
    '[ "$zip" = "$tmp/dist/elbship-$version-lambda-x86_64.zip" ] && [ -f "$zip" ]' || echo "# got $zip"

listing=$(python3 - "$zip" <<'PY'
import stat, sys, zipfile
for i in zipfile.ZipFile(sys.argv[1]).infolist():
    m = i.external_attr >> 16
    kind = "dir" if stat.S_ISDIR(m) else "file" if stat.S_ISREG(m) else "other"
    print(i.filename, kind, oct(stat.S_IMODE(m)), "%04d%02d%02d%02d%02d%02d" % i.date_time, i.create_system)
PY
)
names=$(awk '{print $1}' <<<"$listing")
check "the zip holds bootstrap (a regular file, mode 0755) at its root" \
    'grep -qx "bootstrap file 0o755 19800101000000 3" <<<"$listing"'
check "everything else is lib/ and regular lib/*.so* files (mode 0644), nothing else (no debug file)" \
    '[ -z "$(grep -v -e "^bootstrap " -e "^lib/ dir " -e "^lib/[^/]*\.so[.0-9]* file 0o644 " <<<"$listing")" ]' ||
    grep -v -e "^bootstrap " -e "^lib/ dir " -e "^lib/[^/]*\.so[.0-9]* file 0o644 " <<<"$listing" | diag
check "entries sorted, every timestamp 1980-01-01 00:00:00" \
    '[ "$names" = "$(LC_ALL=C sort <<<"$names")" ] && [ -z "$(awk "\$4 != \"19800101000000\"" <<<"$listing")" ]'

root=$tmp/root-x86_64
make_root amd64 "$root" "$zip"
task=$root/var/task
check "bootstrap is an x86-64 ELF executable, stripped, with a .gnu_debuglink" \
    'readelf -h "$task/bootstrap" | grep -q "Machine:.*X86-64" && ! readelf -S -W "$task/bootstrap" | grep -q "\.symtab" && readelf -S -W "$task/bootstrap" | grep -q "\.gnu_debuglink"'
dbg=${zip%.zip}.debug
bid() { readelf -n "$1" 2>/dev/null | sed -n 's/.*Build ID: //p'; }
check "its debug info is beside the zip (elbship-VERSION-lambda-x86_64.debug, same build id, .debug_info)" \
    '[ -f "$dbg" ] && [ -n "$(bid "$dbg")" ] && [ "$(bid "$dbg")" = "$(bid "$task/bootstrap")" ] && readelf -S -W "$dbg" 2>/dev/null | grep -q "\.debug_info"'

# lib/: the closure of DT_NEEDED outside glibc, under SONAME names
gset=$(glibc_set amd64)
needs=$( { readelf -d "$task/bootstrap"; for f in "$task"/lib/*; do readelf -d "$f"; done; } |
    sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | sort -u)
missing=$(comm -23 <(comm -23 <(echo "$needs") <(echo "$gset")) <(ls "$task/lib"))
extra=$(comm -13 <(echo "$needs") <(ls "$task/lib"))
glibc_in=$(comm -12 <(ls "$task/lib") <(echo "$gset"))
check "lib/ has every non-glibc library needed (by bootstrap or by lib/), and only those" \
    '[ -z "$missing$extra" ]' || echo "# missing: $missing; not needed: $extra"
check "lib/ has no glibc library (libc, libm, libpthread, ld-linux...): Lambda's are used" '[ -z "$glibc_in" ]' ||
    echo "# $glibc_in"
badname=$(for f in "$task"/lib/*; do s=$(readelf -d "$f" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p'); [ "$s" = "$(basename "$f")" ] || echo "$f:$s"; done)
check "each lib/ file is named by its SONAME" '[ -z "$badname" ]' || echo "# $badname"
check "libcurl, libcrypto, libisal, libjansson are bundled; libexpat is linked in statically, with its own arc4random_buf" \
    '[ -f "$task/lib/libcurl.so.4" ] && [ -f "$task/lib/libcrypto.so.3" ] && [ -f "$task/lib/libisal.so.2" ] && [ -f "$task/lib/libjansson.so.4" ] && ! ls "$task/lib" | grep -q expat && ! grep -q libexpat <<<"$needs" && readelf -s -W "$dbg" 2>/dev/null | awk "\$8 == \"arc4random_buf\" && \$7 != \"UND\" { f = 1 } END { exit !f }" && readelf -s -W "$dbg" 2>/dev/null | grep -q " XML_ParserCreate$"'

# reproducible: the same tree packaged again gives the same bytes
if scripts/package.sh --no-deps --arch x86_64 --out "$tmp/dist2" >"$tmp/pkg2.out" 2>"$tmp/pkg2.err" &&
    cmp -s "$zip" "$tmp/dist2/$(basename "$zip")"; then
	ok "packaging again gives a byte-identical zip (sha256 $(sha256sum "$zip" | cut -c1-16)...)"
else
	notok "packaging again gives a byte-identical zip"
	diag "$tmp/pkg2.err"
fi

# ---- GLIBC ---------------------------------------------------------------------------------------
bad=$(too_new "$task/bootstrap" "$task"/lib/*)
check "x86_64: no GLIBC_ version above $max_glibc, nor GLIBC_PRIVATE, in bootstrap and lib/* (newest: $(newest "$task/bootstrap" "$task"/lib/*))" \
    '[ -z "$bad" ]' || echo "$bad" | diag
if [ -f /usr/lib/x86_64-linux-gnu/libexpat.so.1 ]; then
	check "the scan flags Debian 12's libexpat.so.1 (arc4random_buf@GLIBC_2.36): why package.sh links expat statically" \
	    'too_new "$(readlink -f /usr/lib/x86_64-linux-gnu/libexpat.so.1)" | grep -q "arc4random_buf@GLIBC_2.36"'
else
	skip "the scan flags Debian 12's libexpat.so.1" "libexpat1 not installed"
fi

# ---- as Lambda runs it -------------------------------------------------------------------------
lambda_checks x86_64 amd64 "$root"

# ==== arm64 =====================================================================================
arm_missing=
command -v aarch64-linux-gnu-gcc >/dev/null || arm_missing="$arm_missing gcc-aarch64-linux-gnu"
command -v qemu-aarch64-static >/dev/null || arm_missing="$arm_missing qemu-user-static"
for p in libc6:arm64 libcurl4-openssl-dev:arm64 libjansson-dev:arm64 libexpat1-dev:arm64 libssl-dev:arm64; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || arm_missing="$arm_missing $p"
done
# libisal for arm64: package-deps.sh unpacks it under build/ (not co-installable)
[ -e build/lambda-deps/sysroot-arm64/usr/lib/aarch64-linux-gnu/libisal.so ] ||
    dpkg-query -W -f='${Status}' libisal-dev:arm64 2>/dev/null | grep -q "install ok installed" ||
    arm_missing="$arm_missing libisal-dev:arm64"
arm_tests=("scripts/package.sh --arch arm64 builds" "arm64: zip layout" "arm64: GLIBC"
    "arm64: --version" "arm64: DT_RPATH" "arm64: bundled libraries over decoys" "arm64: the decoys bite"
    "arm64: S3 TestEvent" "arm64: libraries from /var/task/lib" "arm64: init error")
if [ -n "$arm_missing" ]; then
	for t in "${arm_tests[@]}"; do
		skip "$t" "cross toolchain not installed (missing:$arm_missing; scripts/package-deps.sh arm64 installs it)"
	done
else
	t0=$(date +%s)
	if scripts/package.sh --no-deps --arch arm64 --out "$tmp/dist" >"$tmp/pkga.out" 2>"$tmp/pkga.err"; then
		ok "scripts/package.sh --arch arm64 builds ($(($(date +%s) - t0)) s)"
		azip=$(tail -n 1 "$tmp/pkga.out")
		aroot=$tmp/root-arm64
		make_root arm64 "$aroot" "$azip"
		cp "$(command -v qemu-aarch64-static)" "$aroot/qemu-aarch64-static"
		atask=$aroot/var/task
		nonarm=$(for f in "$atask/bootstrap" "$atask"/lib/*; do readelf -h "$f" | grep -q "Machine:.*AArch64" || echo "$f"; done)
		check "arm64: elbship-$version-lambda-arm64.zip: bootstrap (0755, stripped) and lib/*, all AArch64 ELF" \
		    '[ "$azip" = "$tmp/dist/elbship-$version-lambda-arm64.zip" ] && [ -x "$atask/bootstrap" ] && [ -z "$nonarm" ] && ! readelf -S -W "$atask/bootstrap" | grep -q "\.symtab" && [ -f "$atask/lib/libcurl.so.4" ] && [ -f "$atask/lib/libisal.so.2" ]' ||
		    echo "# not AArch64: $nonarm"
		bad=$(too_new "$atask/bootstrap" "$atask"/lib/*)
		check "arm64: no GLIBC_ version above $max_glibc, nor GLIBC_PRIVATE (newest: $(newest "$atask/bootstrap" "$atask"/lib/*))" \
		    '[ -z "$bad" ]' || echo "$bad" | diag
		lambda_checks arm64 arm64 "$aroot" /qemu-aarch64-static
	else
		notok "scripts/package.sh --arch arm64 builds"
		diag "$tmp/pkga.err"
	fi
fi

# ==== deploy/deploy.sh ================================================================================
mkdir -p "$tmp/fakebin"
cat >"$tmp/fakebin/aws" <<'SH'
#!/usr/bin/env bash
# a fake aws: records its arguments, answers what deploy.sh asks
{ printf '%s ' "$@"; echo; } >>"$FAKE_AWS_CALLS"
if [ -n "${FAKE_AWS_FORBIDDEN:-}" ]; then echo "fake aws: called during a dry run" >&2; exit 99; fi
case "$1 $2" in
"s3 cp"|"lambda wait") exit 0 ;;
"cloudformation deploy") echo "Successfully created/updated stack - $6" ;;
"cloudformation describe-stacks") echo elbship-test-Function-AbC123 ;;
"lambda get-function-configuration") echo "${FAKE_CODE_SHA:-c29tZXRoaW5nIGVsc2U=}" ;;
"lambda update-function-code") echo '{"LastUpdateStatus":"InProgress"}' ;;
"lambda publish-version")
	echo '{"Version":"7","FunctionArn":"arn:aws:lambda:eu-west-1:111122223333:function:elbship-test-Function-AbC123:7"}' ;;
*) echo "fake aws: unexpected: $*" >&2; exit 98 ;;
esac
SH
chmod +x "$tmp/fakebin/aws"
cat >"$tmp/params.json" <<'EOF'
{"EsUrl": "https://search.internal.example:9200", "EsUsername": "elbship",
 "EsPassword": "hunter2-PLAINTEXT", "EsApiKey": "ak-PLAINTEXT-1", "ClientSecret": "cs PLAINTEXT 'q'",
 "Labels": "environment=prod,team=web", "MemorySize": 1024, "SubnetIds": ["subnet-1", "subnet-2"]}
EOF
jq '[to_entries[] | {ParameterKey: .key, ParameterValue: (.value | if type == "array" then join(",") else tostring end)}]' \
    "$tmp/params.json" >"$tmp/params-cfn.json"
# The template plus three secret-looking parameters (deploy.sh refuses
# undeclared ones; elbship.yaml has none whose value is a secret, but
# deploy.sh masks them for any template)
sed 's/^Parameters:$/Parameters:\n  EsPassword: {Type: String, Default: ""}\n  EsApiKey: {Type: String, Default: ""}\n  ClientSecret: {Type: String, Default: ""}/' \
    deploy/elbship.yaml >"$tmp/elbship.yaml"
deploy() { PATH="$tmp/fakebin:$PATH" FAKE_AWS_CALLS="$tmp/aws.calls" deploy/deploy.sh --template "$tmp/elbship.yaml" "$@"; }

rm -f "$tmp/aws.calls"
FAKE_AWS_FORBIDDEN=1 deploy --stack elbship-prod --params "$tmp/params.json" --code-bucket my-artifacts \
    --region eu-west-1 --zip "$zip" --dry-run >"$tmp/dry.out" 2>"$tmp/dry.err"
rc=$?
check "deploy --dry-run exits 0 and calls no aws command" '[ $rc -eq 0 ] && [ ! -e "$tmp/aws.calls" ]' ||
    { diag "$tmp/dry.err"; [ -e "$tmp/aws.calls" ] && diag "$tmp/aws.calls"; }
order=$(grep -v '^#' "$tmp/dry.out" | sed -E 's/^function=\$\(//; s/^if \[ "\$\(//' | awk '{print $1, $2, $3}')
want='aws s3 cp
aws cloudformation deploy
aws cloudformation describe-stacks
aws lambda get-function-configuration
aws lambda wait
aws lambda publish-version'
check "dry run: upload, stack deploy, function name, code check/update, wait, publish-version, in that order" \
    '[ "$order" = "$want" ] && grep -q "then aws lambda update-function-code " "$tmp/dry.out"' || diag "$tmp/dry.out"
key=elbship/elbship-$version-lambda-x86_64.zip
check "dry run: the zip goes to s3://BUCKET/$key" \
    'grep -qF "aws s3 cp $zip s3://my-artifacts/$key " "$tmp/dry.out"'
dl=$(grep '^aws cloudformation deploy' "$tmp/dry.out")
check "dry run: the stack, template, params file's values, CodeS3Bucket/Key, Architecture, ReleaseVersion, CAPABILITY_IAM" \
    'has_all "$dl" "--stack-name elbship-prod" "--template-file $tmp/elbship.yaml" "EsUrl=https://search.internal.example:9200" "EsUsername=elbship" "Labels=environment=prod,team=web" "MemorySize=1024" "SubnetIds=subnet-1,subnet-2" "CodeS3Bucket=my-artifacts" "CodeS3Key=$key" "Architecture=x86_64" "ReleaseVersion=$version" "--capabilities CAPABILITY_IAM" "--region eu-west-1"'
sha=$(python3 -c 'import base64,hashlib,sys;print(base64.b64encode(hashlib.sha256(open(sys.argv[1],"rb").read()).digest()).decode())' "$zip")
check "dry run: publish-version with --description 'elbship $version' and the zip's CodeSha256" \
    'grep -qF -- "--description '"'"'elbship $version'"'"' --code-sha256 $sha " "$tmp/dry.out"'
check "dry run: values of *Password, *ApiKey, *Secret parameters are masked (****), nowhere in the output" \
    '! grep -q PLAINTEXT "$tmp/dry.out" "$tmp/dry.err" && grep -qF "EsPassword=****" "$tmp/dry.out" && grep -qF "EsApiKey=****" "$tmp/dry.out" && grep -qF "ClientSecret=****" "$tmp/dry.out"'
# the printed lines are shell: run them with the fake aws, compare to what it records
rm -f "$tmp/aws.calls"
(PATH="$tmp/fakebin:$PATH" FAKE_AWS_CALLS="$tmp/aws.calls" bash -e "$tmp/dry.out" >/dev/null 2>&1)
rc=$?
check "dry run: the printed commands run as printed (the fake aws gets the same arguments, 7 calls)" \
    '[ $rc -eq 0 ] && [ "$(wc -l <"$tmp/aws.calls")" -eq 7 ] && grep -q "^s3 cp " "$tmp/aws.calls" && grep -qF -- "--query Stacks[0].Outputs[?OutputKey=='"'"'FunctionName'"'"'].OutputValue " "$tmp/aws.calls" && grep -qF "publish-version --function-name elbship-test-Function-AbC123 --description elbship $version --code-sha256 $sha " "$tmp/aws.calls"' ||
    { echo "# exit $rc"; diag "$tmp/aws.calls"; }
FAKE_AWS_FORBIDDEN=1 deploy --stack elbship-prod --params "$tmp/params-cfn.json" --code-bucket my-artifacts \
    --region eu-west-1 --zip "$zip" --dry-run >"$tmp/dry2.out" 2>/dev/null
check "dry run: CloudFormation's [{ParameterKey, ParameterValue}] params file gives the same commands" \
    'cmp -s "$tmp/dry.out" "$tmp/dry2.out"' || diff "$tmp/dry.out" "$tmp/dry2.out" | diag
echo '{"EsUrl": ' >"$tmp/bad.json"
FAKE_AWS_FORBIDDEN=1 deploy --stack elbship-prod --params "$tmp/bad.json" --code-bucket my-artifacts \
    --zip "$zip" --dry-run >/dev/null 2>"$tmp/bad.err"
rc=$?
check "deploy refuses a params file that is not JSON, naming it" '[ $rc -ne 0 ] && grep -q "bad.json" "$tmp/bad.err"'
FAKE_AWS_FORBIDDEN=1 deploy --stack elbship-prod --params "$tmp/params.json" --code-bucket my-artifacts \
    --zip "$zip" --arch arm64 --dry-run >/dev/null 2>"$tmp/arch.err"
rc=$?
check "deploy refuses --arch arm64 with an x86_64 zip" '[ $rc -ne 0 ] && grep -q "built for x86_64" "$tmp/arch.err"'

# a run against the fake aws
rm -f "$tmp/aws.calls"
deploy --stack elbship-prod --params "$tmp/params.json" --code-bucket my-artifacts --region eu-west-1 \
    --zip "$zip" >"$tmp/run.out" 2>"$tmp/run.err"
rc=$?
calls=$(awk '{print $1, $2}' "$tmp/aws.calls" 2>/dev/null)
want='s3 cp
cloudformation deploy
cloudformation describe-stacks
lambda get-function-configuration
lambda update-function-code
lambda wait
lambda publish-version'
check "deploy (fake aws): upload, deploy, describe-stacks, code differs so update-function-code, wait, publish-version" \
    '[ $rc -eq 0 ] && [ "$calls" = "$want" ]' || { echo "# exit $rc"; diag "$tmp/run.err" "$tmp/aws.calls"; }
check "deploy (fake aws): CloudFormation gets the secret values themselves; the printed output masks them" \
    'grep "^cloudformation deploy" "$tmp/aws.calls" | grep -q "EsPassword=hunter2-PLAINTEXT" && ! grep -q PLAINTEXT "$tmp/run.out" "$tmp/run.err"'
check "deploy (fake aws): prints the version published and the function ARN" \
    'grep -q "^published version 7 of elbship-test-Function-AbC123: elbship $version (x86_64)" "$tmp/run.out" && grep -qF "function ARN: arn:aws:lambda:eu-west-1:111122223333:function:elbship-test-Function-AbC123:7" "$tmp/run.out"' ||
    diag "$tmp/run.out"
rm -f "$tmp/aws.calls"
FAKE_CODE_SHA=$sha deploy --stack elbship-prod --params "$tmp/params.json" --code-bucket my-artifacts \
    --zip "$zip" >/dev/null 2>&1
rc=$?
check "deploy (fake aws): no update-function-code when the function already runs the zip's code" \
    '[ $rc -eq 0 ] && ! grep -q update-function-code "$tmp/aws.calls" && grep -q "publish-version" "$tmp/aws.calls"'

finish

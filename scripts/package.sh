#!/usr/bin/env bash
# scripts/package.sh [--arch x86_64|arm64] [--out DIR] [--no-deps]
#
# Builds elbship for AWS Lambda's OS-only runtime provided.al2023 (Amazon
# Linux 2023, glibc 2.34) and writes
#
#   DIR/elbship-VERSION-lambda-ARCH.zip     bootstrap (0755) + lib/*.so*
#   DIR/elbship-VERSION-lambda-ARCH.debug   bootstrap's debug info (not in
#                                           the zip; gdb finds it through the
#                                           .gnu_debuglink in bootstrap)
#
# VERSION is scripts/version.sh's (X.Y.Z for a release, the commit tagged
# vX.Y.Z; X.Y.Z-dev.gHASH[.dirty] otherwise), the string the binary prints
# for `elbship --version` (the Makefile compiles the same command's output
# in).  DIR defaults to dist/.
#
# How:
#   - make O=build/lambda-ARCH VARIANT=release, a build directory of its own
#     (arm64: Debian's aarch64-linux-gnu cross compiler and the :arm64 -dev
#     packages; scripts/package-deps.sh installs them).
#   - libexpat is linked statically: Debian 12's libexpat.so.1 calls
#     arc4random_buf@GLIBC_2.36, which glibc 2.34 does not have.  The
#     static link takes Debian's own libexpat.a (libexpat1-dev, so Debian's
#     security updates) and resolves its arc4random_buf (expat's hash salt)
#     to a small getrandom() function of ours (GLIBC_2.25), kept hidden.
#   - every other library stays shared and is copied from Debian into lib/
#     under its SONAME: the non-glibc closure of bootstrap's DT_NEEDED,
#     found with readelf (works for both architectures).  bootstrap's
#     DT_RPATH is $ORIGIN/lib, so these load before any copy in Lambda's
#     /lib64 or /usr/lib64 (LD_LIBRARY_PATH comes after DT_RPATH).  glibc's own
#     libraries (those of Debian's libc6 package) are never copied: Lambda's
#     are used.  Debian's files are copied byte for byte (already stripped;
#     their build ids still match Debian's -dbgsym packages).
#   - bootstrap is stripped; its debug info goes to the .debug file.
#   - glibc check: bootstrap and every lib/ file may need no GLIBC_ symbol
#     version above 2.34 (nor GLIBC_PRIVATE); otherwise the offending
#     symbols are listed and the script fails.
#   - the zip is reproducible: entries sorted, fixed timestamps
#     (1980-01-01), fixed modes, deflate level 9 (python3's zipfile).
#
# --no-deps skips running scripts/package-deps.sh first.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
export LC_ALL=C	# one sort order, whatever the caller's locale

arch=x86_64
out=dist
deps=1
max_glibc=${ELBSHIP_MAX_GLIBC:-2.34}

usage() {
	echo "usage: scripts/package.sh [--arch x86_64|arm64] [--out DIR] [--no-deps]" >&2
	exit 2
}
while [ $# -gt 0 ]; do
	case $1 in
	--arch) [ $# -ge 2 ] || usage; arch=$2; shift 2 ;;
	--arch=*) arch=${1#--arch=}; shift ;;
	--out) [ $# -ge 2 ] || usage; out=$2; shift 2 ;;
	--out=*) out=${1#--out=}; shift ;;
	--no-deps) deps=0; shift ;;
	-h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*) usage ;;
	esac
done

say() { echo "package: $*" >&2; }
die() { echo "package: error: $*" >&2; exit 1; }

host=$(dpkg --print-architecture 2>/dev/null || echo unknown)
[ "$host" = amd64 ] || die "builds only on an amd64 (x86_64) Debian host, not '$host'"

case $arch in
x86_64)
	debarch=amd64
	triplet=x86_64-linux-gnu
	cc=${CC:-gcc}
	tool() { echo "$1"; }
	;;
arm64|aarch64)
	arch=arm64
	debarch=arm64
	triplet=aarch64-linux-gnu
	cc=aarch64-linux-gnu-gcc
	tool() { echo "aarch64-linux-gnu-$1"; }
	;;
*) die "--arch must be x86_64 or arm64, not '$arch'" ;;
esac

if [ "$deps" -eq 1 ]; then
	scripts/package-deps.sh "$arch" >&2 ||
	    die "scripts/package-deps.sh $arch failed (the packages above are needed)"
fi
command -v "$cc" >/dev/null ||
    die "no $cc: run scripts/package-deps.sh $arch (as root)"
for t in strip objcopy ar; do
	command -v "$(tool $t)" >/dev/null ||
	    die "no $(tool $t): run scripts/package-deps.sh $arch (as root)"
done
command -v readelf >/dev/null || die "no readelf (binutils)"
command -v python3 >/dev/null || die "no python3"
libdirs=("/lib/$triplet" "/usr/lib/$triplet")
ldflags=
if [ "$arch" = arm64 ]; then
	# libisal for arm64 lives in a private sysroot (see package-deps.sh)
	sr=$repo/build/lambda-deps/sysroot-arm64/usr/lib/$triplet
	if [ -e "$sr/libisal.so" ]; then
		libdirs=("$sr" "${libdirs[@]}")
		ldflags="-L$sr"
	fi
fi

version=$(scripts/version.sh) || die "scripts/version.sh failed"
O=build/lambda-$arch
name=elbship-$version-lambda-$arch
say "elbship $version for Lambda $arch (build dir $O)"

# ---- libexpat without arc4random_buf@GLIBC_2.36 (static) ------------------------
# Debian's own libexpat.a (libexpat1-dev: the current, security-patched
# build) plus one object of ours defining arc4random_buf, which expat uses
# only to salt its hash tables.  Linked statically, expat's reference
# resolves to that object (hidden: not exported), not to glibc.
ex=$O/expat
deb_a=/usr/lib/$triplet/libexpat.a
[ -f "$deb_a" ] || die "no $deb_a (libexpat1-dev:$debarch): run scripts/package-deps.sh $arch"
mkdir -p "$ex"
cat >"$ex/arc4random_buf.c.new" <<'C'
/* arc4random_buf for Debian's libexpat.a on glibc < 2.36 (AWS Lambda's
 * provided.al2023 has glibc 2.34): getrandom(), else /dev/urandom; like
 * glibc's, it never fails (it aborts if the kernel gives no randomness). */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdlib.h>
#include <sys/random.h>
#include <sys/types.h>
#include <unistd.h>

void arc4random_buf(void *buf, size_t n);

void
arc4random_buf(void *buf, size_t n)
{
	unsigned char *p = buf;
	ssize_t r;
	int fd;

	while (n > 0) {
		r = getrandom(p, n, 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		p += r;
		n -= (size_t)r;
	}
	if (n == 0)
		return;
	fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
	while (fd >= 0 && n > 0) {
		r = read(fd, p, n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		p += r;
		n -= (size_t)r;
	}
	if (fd >= 0)
		close(fd);
	if (n > 0)
		abort();
}
C
if ! cmp -s "$ex/arc4random_buf.c.new" "$ex/arc4random_buf.c"; then
	mv "$ex/arc4random_buf.c.new" "$ex/arc4random_buf.c"
	rm -f "$ex/libexpat.a"
else
	rm -f "$ex/arc4random_buf.c.new"
fi
if [ ! -f "$ex/libexpat.a" ] || [ "$deb_a" -nt "$ex/libexpat.a" ]; then
	say "libexpat: Debian's $deb_a with arc4random_buf of our own"
	rm -rf "$ex/objs"
	mkdir -p "$ex/objs"
	(cd "$ex/objs" && "$(tool ar)" x "$deb_a")
	"$cc" -std=c11 -D_POSIX_C_SOURCE=200809L -O2 -fvisibility=hidden -fstack-protector-strong \
	    -Wall -Wextra -Werror -Wmissing-prototypes -ffile-prefix-map="$repo"=. \
	    -c -o "$ex/objs/zz_elbship_arc4random_buf.o" "$ex/arc4random_buf.c"
	rm -f "$ex/libexpat.a"
	"$(tool ar)" rcsD "$ex/libexpat.a" "$ex/objs"/*.o
fi
ldflags="-L$repo/$ex $ldflags"
# The bundled libraries must be the ones that load: Lambda's LD_LIBRARY_PATH
# lists /lib64 and /usr/lib64 (where provided.al2023 has its own libcurl,
# OpenSSL, zlib...) before /var/task/lib.  DT_RPATH (not RUNPATH:
# --disable-new-dtags) is searched before LD_LIBRARY_PATH, and an
# executable's DT_RPATH also serves its libraries' own dependencies;
# $ORIGIN is bootstrap's directory, /var/task (the loader reads it from
# /proc/self/exe, which Lambda has).  Written '$$ORIGIN' for
# make, which hands the recipe's shell '$ORIGIN' in single quotes.
ldflags="$ldflags -Wl,--disable-new-dtags,-rpath,'\$\$ORIGIN/lib'"

# ---- elbship ----------------------------------------------------------------------
cflags="-ffile-prefix-map=$repo=."
# gcc 12 for aarch64 inlines differently and sees a possible truncation in
# src/cli/setup.c (create_stream's snprintf) that x86_64 does not: a
# warning, not an error, for this build only.
[ "$arch" = arm64 ] && cflags="$cflags -Wno-error=format-truncation"
say "make O=$O VARIANT=release CC=$cc"
# our own make, whatever make may have started us (`make package`)
unset MAKEFLAGS MFLAGS MAKEOVERRIDES MAKELEVEL
if ! env CFLAGS="$cflags" LDFLAGS="$ldflags" make -s -j"$(nproc)" O="$O" VARIANT=release \
    CC="$cc" AR="$(tool ar)" "$O/elbship" >"$O.make.log" 2>&1; then
	cat "$O.make.log" >&2
	die "build failed"
fi
bin=$O/elbship
strings -a "$bin" | grep -xF "$version" >/dev/null ||
    die "$bin does not carry the version '$version' (the tree changed during the build?)"
if readelf -d "$bin" | grep 'NEEDED.*libexpat' >/dev/null; then
	die "$bin links libexpat.so: the static libexpat in $ex was not used"
fi
readelf -s -W "$bin" | awk '$8 == "arc4random_buf" && $7 != "UND" { f = 1 } END { exit !f }' ||
    die "$bin: arc4random_buf is not the one in $ex"
rpath=$(readelf -d "$bin" | sed -n 's/.*(RPATH).*Library rpath: \[\(.*\)\]/\1/p')
[ "$rpath" = '$ORIGIN/lib' ] && ! readelf -d "$bin" | grep -q '(RUNPATH)' ||
    die "$bin: DT_RPATH is '$rpath', not '\$ORIGIN/lib' (or it has a RUNPATH)"

# ---- stage: bootstrap + lib/ ----------------------------------------------------
stage=$O/stage
rm -rf "$stage"
mkdir -p "$stage/lib" "$out"
"$(tool objcopy)" --only-keep-debug "$bin" "$O/bootstrap.debug"
"$(tool strip)" --strip-all -o "$stage/bootstrap" "$bin"
"$(tool objcopy)" --add-gnu-debuglink="$O/bootstrap.debug" "$stage/bootstrap"
chmod 0755 "$stage/bootstrap"

# glibc's sonames: everything Debian's libc6 package ships as a library.
declare -A glibc=()
while read -r f; do
	glibc[$(basename "$f")]=1
done < <(dpkg -L "libc6:$debarch" | grep -E '/[^/]+\.so(\.[0-9]+)*$')
[ -n "${glibc[libc.so.6]:-}" ] || die "dpkg -L libc6:$debarch lists no libc.so.6"

needed() { readelf -d "$1" | sed -n 's/.*(NEEDED).*Shared library: \[\(.*\)\]/\1/p'; }
soname() { readelf -d "$1" | sed -n 's/.*(SONAME).*Library soname: \[\(.*\)\]/\1/p'; }
declare -A seen=()
queue=("$stage/bootstrap")
while [ ${#queue[@]} -gt 0 ]; do
	f=${queue[0]}
	queue=("${queue[@]:1}")
	for lib in $(needed "$f"); do
		[ -n "${glibc[$lib]:-}" ] && continue
		[ -n "${seen[$lib]:-}" ] && continue
		seen[$lib]=1
		src=
		for d in "${libdirs[@]}"; do
			if [ -e "$d/$lib" ]; then src=$(readlink -f "$d/$lib"); break; fi
		done
		[ -n "$src" ] || die "$lib (needed by $(basename "$f")) not found in ${libdirs[*]}"
		sn=$(soname "$src")
		[ "$sn" = "$lib" ] || die "$src has SONAME '$sn', not '$lib'"
		install -m 0644 "$src" "$stage/lib/$lib"
		queue+=("$stage/lib/$lib")
	done
done

# ---- glibc check ----------------------------------------------------------------
# Version needs (.gnu.version_r) of every file, against glibc's libraries.
glibc_check() {	# glibc_check FILE...: prints offending FILE: SYMBOL@VERSION lines
	local f vers v
	for f in "$@"; do
		vers=$(readelf -V -W "$f" | awk '
		    /^Version needs section/ { inneed = 1; next }
		    /^Version (symbols|definition) section/ { inneed = 0 }
		    inneed && /Name: GLIBC/ { for (i = 1; i <= NF; i++) if ($i == "Name:") print $(i + 1) }' |
		    sort -u)
		for v in $vers; do
			if [ "$v" = GLIBC_PRIVATE ] || [[ $v == GLIBC_ABI* ]] ||
			    { [[ $v =~ ^GLIBC_([0-9.]+)$ ]] &&
			      [ "$(printf '%s\n%s\n' "${BASH_REMATCH[1]}" "$max_glibc" | sort -V | tail -n 1)" != "$max_glibc" ]; }; then
				readelf --dyn-syms -W "$f" | awk -v v="$v" '$7 == "UND" { n = split($8, a, "@"); if (a[n] == v) print $8 }' |
				    sort -u | sed "s|^|$(basename "$f"): |"
				# a version needed by no symbol still makes ld.so refuse the file
				readelf --dyn-syms -W "$f" | grep "@$v" >/dev/null || echo "$(basename "$f"): (version need) $v"
			fi
		done
	done
}
bad=$(glibc_check "$stage/bootstrap" "$stage"/lib/*)
if [ -n "$bad" ]; then
	echo "$bad" | sed 's/^/    /' >&2
	die "these need a glibc newer than $max_glibc (Lambda provided.al2023 has 2.34)"
fi
top=$(for f in "$stage/bootstrap" "$stage"/lib/*; do
	readelf -V -W "$f" | grep -o 'Name: GLIBC_2\.[0-9.]*' | sed 's/Name: //'
done | sort -uV | tail -n 1)
say "glibc check: newest version needed is $top (limit $max_glibc)"

# ---- zip ------------------------------------------------------------------------------
zip=$out/$name.zip
python3 - "$stage" "$zip.tmp" <<'PY'
import os, sys, zipfile
stage, dest = sys.argv[1], sys.argv[2]
entries = []
for root, dirs, files in os.walk(stage):
    for d in dirs:
        entries.append(os.path.relpath(os.path.join(root, d), stage) + "/")
    for f in files:
        entries.append(os.path.relpath(os.path.join(root, f), stage))
with zipfile.ZipFile(dest, "w") as z:
    for name in sorted(entries):
        info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
        info.create_system = 3                      # Unix: modes are honoured
        if name.endswith("/"):
            info.external_attr = (0o040755 << 16) | 0x10
            z.writestr(info, b"")
            continue
        mode = 0o100755 if name == "bootstrap" else 0o100644
        info.external_attr = mode << 16
        info.compress_type = zipfile.ZIP_DEFLATED
        with open(os.path.join(stage, name), "rb") as fh:
            z.writestr(info, fh.read(), compress_type=zipfile.ZIP_DEFLATED,
                       compresslevel=9)
PY
mv "$zip.tmp" "$zip"
cp "$O/bootstrap.debug" "$out/$name.debug"
nlib=$(find "$stage/lib" -type f | wc -l)
say "libraries: $(cd "$stage/lib" && ls | tr '\n' ' ')"
say "wrote $zip ($(stat -c %s "$zip") bytes, bootstrap + $nlib libraries; sha256 $(sha256sum "$zip" | cut -d' ' -f1))"
say "debug info: $out/$name.debug"
echo "$zip"

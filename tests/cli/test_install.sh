#!/usr/bin/env bash
# libdcs as a third party sees it: `meson install` into a temporary
# directory, build tools/example/apply_image.c with nothing but
# `pkg-config --cflags --libs dcs`, run it on the sample image
# (tools/sample-image.sh) and check that the hives it writes are
# byte-identical to those of `dcs apply` with the same inputs; then check
# what the installed library exports and what its headers include.
# usage: test_install.sh MESON BUILD-DIR PATH-TO-dcs
set -euo pipefail

meson=$1
build=$(cd "$2" && pwd)
dcs=$3
src=${DCS_SOURCE_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
work=$(mktemp -d "${TMPDIR:-/tmp}/dcs-install.XXXXXX")
trap 'rm -rf "$work"' EXIT
fails=0
checks=0
ok() { checks=$((checks + 1)); }
fail() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }

# 1. install into a staging directory; pkg-config sees it through the sysroot
dest=$work/dest
DESTDIR=$dest "$meson" install -C "$build" --no-rebuild --quiet >"$work/install.log" 2>&1 ||
  { cat "$work/install.log" >&2; exit 1; }
pc=$(find "$dest" -name dcs.pc | head -n1)
[[ -n $pc ]] && ok || { fail "no dcs.pc installed"; exit 1; }
export PKG_CONFIG_PATH=$(dirname "$pc") PKG_CONFIG_SYSROOT_DIR=$dest
cflags=$(pkg-config --cflags dcs)
libs=$(pkg-config --libs dcs)
inc=$(find "$dest" -type d -path '*/include/dcs' | head -n1)
[[ -f $inc/dcs.h && -f $inc/apply.h && -f $inc/image.h ]] && ok || fail "headers not in include/dcs/"
case " $cflags " in *"/include/dcs "*) fail "pkg-config adds include/dcs: $cflags" ;; *) ok ;; esac
libdir=$(find "$dest" -name 'libdcs.so' | head -n1 | xargs dirname)

# 2. no installed header includes a private one, every <dcs/...> is installed
if grep -n '#include "' "$inc"/*.h; then fail "an installed header includes a private one"; else ok; fi
for h in $(grep -ho '#include <dcs/[a-z_]*\.h>' "$inc"/*.h | sed 's/.*<dcs\/\(.*\)>/\1/' | sort -u); do
  [[ -f $inc/$h ]] && ok || fail "dcs/$h is included but not installed"
done

# 3. the example, built the way a user would
${CC:-cc} -std=c11 -Wall -Wextra -Werror $cflags "$src/tools/example/apply_image.c" $libs \
  -o "$work/apply_image" 2>"$work/cc.log" && ok || { cat "$work/cc.log" >&2; fail "example does not build"; exit 1; }

# 4. the same inputs through dcs apply and through the example, both stamping
# the same time (SOURCE_DATE_EPOCH) so their hives compare byte for byte
export SOURCE_DATE_EPOCH=1700000000
# shellcheck source=../../tools/sample-image.sh
source "$src/tools/sample-image.sh"
make_sample_image "$work/a" "$dcs"
cp -a "$work/a" "$work/b"
cp -a "$work/a" "$work/orig"
"$dcs" reg export --hive "$work/a/Users/alice/NTUSER.DAT" --prefix HKEY_CURRENT_USER \
  'Software\Microsoft\Windows\CurrentVersion\Internet Settings\Connections' -o "$work/user.reg"
grep -qa 'D.e.f.a.u.l.t.C.o.n.n.e.c.t.i.o.n.S.e.t.t.i.n.g.s' "$work/user.reg" && ok ||
  fail "the user's .reg has no DefaultConnectionSettings"
"$dcs" apply --from-reg "$work/user.reg" --windows "$work/a" --sid S-1-5-18 --sid S-1-5-19 \
  --backup-dir "$work/bk-a" >"$work/cli.out" && ok || fail "dcs apply failed"
LD_LIBRARY_PATH=$libdir "$work/apply_image" "$work/b" "$work/user.reg" "$work/bk-b" \
  >"$work/example.out" 2>"$work/example.err" && ok || { cat "$work/example.err" >&2; fail "the example failed"; }
grep -q '^LocalSystem (S-1-5-18, .DEFAULT) Windows/System32/config/DEFAULT: create$' "$work/example.out" &&
  ok || { fail "example report"; cat "$work/example.out" >&2; }
for h in Windows/System32/config/DEFAULT Windows/ServiceProfiles/LocalService/NTUSER.DAT; do
  if cmp -s "$work/orig/$h" "$work/a/$h"; then fail "dcs apply left $h unchanged"; else ok; fi
  if cmp "$work/a/$h" "$work/b/$h"; then ok; else fail "$h: the example and dcs apply differ"; fi
done
for h in Windows/ServiceProfiles/NetworkService/NTUSER.DAT Windows/System32/config/SOFTWARE; do
  cmp -s "$work/orig/$h" "$work/b/$h" && ok || fail "the example changed $h"
done
# the base block's timestamp is SOURCE_DATE_EPOCH's, as a FILETIME
ft=$(od -An -t u8 -j 12 -N 8 "$work/a/Windows/System32/config/DEFAULT" | tr -d ' ')
[[ $ft == 133444736000000000 ]] && ok || fail "DEFAULT's timestamp is $ft, not SOURCE_DATE_EPOCH's"
# a malformed SOURCE_DATE_EPOCH is a usage error, nothing written
cp -a "$work/orig" "$work/c"
rc=0
out=$(SOURCE_DATE_EPOCH=17e8 "$dcs" apply --from-reg "$work/user.reg" --windows "$work/c" 2>&1) || rc=$?
[[ $rc == 2 && $out == "dcs: apply: SOURCE_DATE_EPOCH '17e8' is not a count of seconds since 1970 (0 to 253402300799)" ]] &&
  ok || fail "malformed SOURCE_DATE_EPOCH: exit $rc, '$out'"
cmp -s "$work/orig/Windows/System32/config/DEFAULT" "$work/c/Windows/System32/config/DEFAULT" && ok ||
  fail "a malformed SOURCE_DATE_EPOCH changed DEFAULT"
# the backups hold the same files, the undo .reg the same text
(cd "$work/bk-a" && ls) >"$work/bk-a.list"
(cd "$work/bk-b" && ls) >"$work/bk-b.list"
cmp -s "$work/bk-a.list" "$work/bk-b.list" && ok || fail "backups differ: $(cat "$work/bk-a.list" "$work/bk-b.list")"
cmp -s "$work/bk-a/S-1-5-18-DEFAULT.undo.reg" "$work/bk-b/S-1-5-18-DEFAULT.undo.reg" && ok ||
  fail "undo .reg differs"

# 5. the shared library exports only dcs_ functions, each declared in an
# installed header
nm -D --defined-only "$libdir/libdcs.so" | awk '{print $3}' | sort -u >"$work/exports"
[[ -s $work/exports ]] && ok || fail "nm found no exports"
while read -r sym; do
  [[ $sym == dcs_* ]] || { fail "exported without the dcs_ prefix: $sym"; continue; }
  grep -qE "\\b$sym\\(" "$inc"/*.h && ok || fail "exported but in no installed header: $sym"
done <"$work/exports"

echo "$checks checks, $fails failures ($(wc -l <"$work/exports") exported symbols)"
[[ $fails == 0 ]]

#!/usr/bin/env bash
# Issue 10, points 4, 6 and 8: hostile inputs and failing runs, each
# reproducer with its message asserted in full.
# usage: test_cli_hostile.sh PATH-TO-dcs
set -euo pipefail

cli_name=hostile
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
work=$(realpath "$work")
small=$work/small
cleanup() {
  if mountpoint -q "$small" 2>/dev/null; then umount "$small"; fi
  rm -rf "$work"
}
trap cleanup EXIT
same_text() { # same_text FILE TEXT DESCRIPTION: FILE holds exactly TEXT
  if [[ $(cat "$1") == "$2" ]]; then ok; else
    fail "$3: $1 is not as wanted"; diff <(echo "$2") "$1" | sed 's/^/  | /' >&2
  fi
}

# -- point 6: proxy and bypass lists from the command line are checked like
# encode checks them (usage error, exit 2, the offset named)
mkdir -p "$work/h"
cp "$data/hivex-minimal" "$work/h/NTUSER.DAT"
cp "$work/h/NTUSER.DAT" "$work/h.before"
check_list() { # check_list OPTION VALUE MESSAGE
  local extra=()
  [[ $1 == --bypass ]] && extra=(--proxy p:1)
  expect_rc 2 "apply $1 '$2'" -- "$dcs" apply --mode manual_proxy "${extra[@]}" "$1" "$2" \
    --hive "S-1-5-19=$work/h/NTUSER.DAT" --backup-dir "$work/bk"
  same_text "$work/err" "$3" "apply $1 '$2': message"
  cmp -s "$work/h/NTUSER.DAT" "$work/h.before" && ok || fail "apply $1 '$2' wrote the hive"
}
check_list --proxy ';;;' "dcs: apply: --proxy ';;;' names no proxy"
check_list --proxy 'http=' "dcs: apply: --proxy 'http=': offset 5: empty proxy address after '='"
check_list --proxy 'a:99999' "dcs: apply: --proxy 'a:99999': offset 2: port out of range (1..65535)"
check_list --proxy $'a\x01b' "dcs: apply: --proxy 'a\\x01b': offset 1: control character 0x01"
check_list --proxy $'p\xc0:1' "dcs: apply: --proxy 'p\\xc0:1': offset 1: byte 0xc0 is not UTF-8"
# the bypass list as the library's applier takes it (DCS_LIST_SYNTAX): what a
# blob cannot hold is refused, odd entries WinINET stores are warnings
check_list --bypass $'a\x01b' "dcs: apply: --bypass 'a\\x01b': offset 1: control character 0x01"
check_list --bypass $'\xff\xfe' "dcs: apply: --bypass '\\xff\\xfe': offset 0: byte 0xff is not UTF-8"
check_list --bypass "x;$(printf 'b%.0s' {1..2100})" \
  "dcs: apply: --bypass 'x;$(printf 'b%.0s' {1..198})...': offset 2085: entry of 2100 bytes: WinINET takes at most 2083"
expect_rc 0 "apply --bypass ';'" -- "$dcs" apply --mode manual_proxy --proxy p:1 --bypass ';' \
  --hive "S-1-5-19=$work/h/NTUSER.DAT" --dry-run
same_text "$work/err" "dcs: warning: apply: --bypass ';': offset 0: empty entry" "apply --bypass ';': message"
expect_rc 0 "apply --bypass with odd entries" -- "$dcs" apply --mode manual_proxy --proxy p:1 \
  --bypass 'a;;x<y' --hive "S-1-5-19=$work/h/NTUSER.DAT" --dry-run
same_text "$work/err" "dcs: warning: apply: --bypass 'a;;x<y': offset 2: empty entry
dcs: warning: apply: --bypass 'a;;x<y': offset 4: entry outside the list grammar: written as given" \
  "apply --bypass with odd entries: message"
[[ ! -e $work/bk ]] && ok || fail "a refused list left a backup directory"

# -- point 4: a run whose commit fails (no space left for the new hive on a
# small tmpfs) says nothing changed, and leaves no backup or undo .reg behind
if [[ $(id -u) != 0 ]]; then
  echo "not root: the full-disk case needs a tmpfs mount (skipped)"
elif mkdir -p "$small" && mount -t tmpfs -o size=128k tmpfs "$small"; then
  mkdir -p "$small/Windows/System32/config"
  cp "$data/hivex-minimal" "$small/Windows/System32/config/DEFAULT"
  dd if=/dev/zero of="$small/fill" bs=1k count=1000 2>/dev/null || true
  expect_rc 1 "commit on a full disk" -- "$dcs" apply --mode manual_proxy --proxy p:1 \
    --windows "$small" --sid S-1-5-18 --backup-dir "$work/bk4"
  same_text "$work/err" "dcs: apply: cannot write the hive: No space left on device; no hive was changed" "full disk: message"
  cmp -s "$small/Windows/System32/config/DEFAULT" "$data/hivex-minimal" && ok ||
    fail "full disk: the hive changed"
  [[ -z $(ls -A "$work/bk4") ]] && ok || fail "full disk: backups left behind: $(ls "$work/bk4")"
  [[ -z $(find "$small" -name '*.dcs-*') ]] && ok || fail "full disk: leftovers in the image"
  # the default backup directory beside the hive: made, then removed again
  # (12 KiB left: the backup's two .reg files fit, the hive is kept as a
  # hard link, which takes no space, and the commit's files do not fit)
  rm -f "$small/fill"
  dd if=/dev/zero of="$small/fill" bs=1k count=$(( $(df -k --output=avail "$small" | tail -1) - 12 )) 2>/dev/null || true
  rc=0
  "$dcs" apply --mode manual_proxy --proxy p:1 --windows "$small" --sid S-1-5-18 \
    >"$work/out" 2>"$work/err" || rc=$?
  grep -q "no hive was changed" "$work/err" && ok || fail "full disk, default backup dir: $(cat "$work/err")"
  [[ $rc == 1 ]] && ok || { fail "full disk, default backup dir: exit $rc, wanted 1"; cat "$work/err" >&2; }
  [[ -z $(find "$small" -name 'dcs-backup-*') ]] && ok ||
    fail "full disk: the default backup directory left behind: $(find "$small" -name 'dcs-backup-*')"
  cmp -s "$small/Windows/System32/config/DEFAULT" "$data/hivex-minimal" && ok ||
    fail "full disk (default backup dir): the hive changed"
  umount "$small"
else
  fail "cannot mount a tmpfs as root"
fi

# -- point 8: show of an image root that does not exist fails
expect_rc 1 "show --windows /nonexistent" -- "$dcs" show --windows "$work/nonexistent"
same_text "$work/err" "dcs: show: cannot open the image $work/nonexistent: No such file or directory" "show of a missing root: message"

# -- point 8: a SOFTWARE hive without ProfileList: the users are still
# listed, their SID unknown
mkdir -p "$work/img8/Windows/System32/config" "$work/img8/Users/alice"
cp "$data/hivex-minimal" "$work/img8/Windows/System32/config/SOFTWARE"
cp "$data/hivex-minimal" "$work/img8/Users/alice/NTUSER.DAT"
expect_rc 0 "show, SOFTWARE without ProfileList" -- "$dcs" show --windows "$work/img8"
grep -qxF "user alice (SID unknown: no ProfileList in SOFTWARE) Users/alice/NTUSER.DAT" "$work/out" && ok ||
  { fail "show, SOFTWARE without ProfileList: alice not listed"; cat "$work/out" >&2; }

# pt 6
# A hive named for the wrong role is refused before anything is written,
# exit 2 (usage), the file and what it looks like named. Self-contained.
pt6=$work/pt6
mkdir -p "$pt6"
cp "$data/mini-SOFTWARE" "$pt6/SOFTWARE"
cp "$data/dfwinreg-NTUSER.DAT" "$pt6/NTUSER.DAT"
cp "$data/hivex-minimal" "$pt6/DEFAULT"
expect_rc 2 "pt6: SOFTWARE as a user's hive" -- "$dcs" apply --mode manual_proxy --proxy p:6 \
  --hive "S-1-5-18=$pt6/SOFTWARE" --backup-dir "$pt6/bk"
same_text "$work/err" "dcs: apply: error: $pt6/SOFTWARE is not a user's hive: it looks like a SOFTWARE hive (it has a root key Microsoft and no Software)" \
  "pt6: SOFTWARE as a user's hive: message"
cmp -s "$pt6/SOFTWARE" "$data/mini-SOFTWARE" && ok || fail "pt6: the SOFTWARE hive named as a user's changed"
[[ ! -e $pt6/bk ]] && ok || fail "pt6: a backup was written for a misnamed SOFTWARE hive"
expect_rc 2 "pt6: NTUSER.DAT as --software" -- "$dcs" apply --mode manual_proxy --proxy p:6 \
  --hive "S-1-5-18=$pt6/DEFAULT" --machine --software "$pt6/NTUSER.DAT" --backup-dir "$pt6/bk"
same_text "$work/err" "dcs: apply: error: $pt6/NTUSER.DAT is not a SOFTWARE hive: it looks like a user's hive (NTUSER.DAT or DEFAULT: it has a root key Software)" \
  "pt6: NTUSER.DAT as --software: message"
cmp -s "$pt6/NTUSER.DAT" "$data/dfwinreg-NTUSER.DAT" && ok || fail "pt6: the user hive named as SOFTWARE changed"
cmp -s "$pt6/DEFAULT" "$data/hivex-minimal" && ok || fail "pt6: the other hive of a refused run changed"
[[ ! -e $pt6/bk ]] && ok || fail "pt6: a backup was written for a misnamed user hive"
# the right files in the right roles still apply
expect_rc 0 "pt6: each hive in its role" -- "$dcs" apply --mode manual_proxy --proxy p:6 \
  --hive "S-1-5-18=$pt6/NTUSER.DAT" --machine --software "$pt6/SOFTWARE" --backup-dir "$pt6/bk"
# --pac of autoscript: blank, a control character or longer than WinINET's
# 2083 bytes is a usage error (exit 2), nothing written
cp "$data/hivex-minimal" "$pt6/PAC"
check_pac() { # check_pac URL MESSAGE
  expect_rc 2 "pt6: --pac (${#1} bytes)" -- "$dcs" apply --mode autoscript --pac "$1" \
    --hive "S-1-5-18=$pt6/PAC" --backup-dir "$pt6/bkpac"
  same_text "$work/err" "$2" "pt6: --pac (${#1} bytes): message"
  cmp -s "$pt6/PAC" "$data/hivex-minimal" && ok || fail "pt6: a refused --pac wrote the hive"
}
check_pac '' "dcs: apply: source: autoscript needs a PAC URL"
check_pac '  ' "dcs: apply: source: autoscript needs a PAC URL"
check_pac $'http://a/p.pac\nx' "dcs: apply: --pac 'http://a/p.pac\\x0ax': offset 14: control character 0x0a"
check_pac $'http://a/\x7f' "dcs: apply: --pac 'http://a/\\x7f': offset 9: control character 0x7f"
check_pac $'http://x/\xff' "dcs: apply: --pac 'http://x/\\xff': offset 9: byte 0xff is not UTF-8"
check_pac "http://a/$(printf 'a%.0s' {1..2075})" "dcs: apply: --pac 'http://a/$(printf 'a%.0s' {1..191})...': offset 2083: 2084 bytes long: WinINET takes at most 2083"
[[ ! -e $pt6/bkpac ]] && ok || fail "pt6: a refused --pac left a backup directory"
# 2083 bytes fit
expect_rc 0 "pt6: --pac of 2083 bytes" -- "$dcs" apply --mode autoscript \
  --pac "http://a/$(printf 'a%.0s' {1..2074})" --hive "S-1-5-18=$pt6/PAC" --backup-dir "$pt6/bkpac"
# sparse files whose base block claims 4 KiB of bins: 3 GiB is refused
# before reading; 1.5 GiB is read only as far as the header says, and not
# edited (its backup would copy it whole). Peak RSS stays small.
head -c 8192 "$data/hivex-minimal" >"$pt6/big"
truncate -s 3G "$pt6/big"
head -c 8192 "$data/hivex-minimal" >"$pt6/mid"
truncate -s 1500M "$pt6/mid"
rss_small() { # rss_small DESCRIPTION: the last run's peak RSS (KiB in $pt6/rss) under 50 MB
  if [[ -s $pt6/rss && $(tail -1 "$pt6/rss") -lt 51200 ]]; then ok; else
    fail "$1: peak RSS $(tail -1 "$pt6/rss" 2>/dev/null) KiB"; fi
}
timed=()
[[ -x /usr/bin/time ]] && timed=(/usr/bin/time -o "$pt6/rss" -f %M)
expect_rc 1 "pt6: decode of a 3 GiB sparse hive" -- "${timed[@]}" "$dcs" decode --hive "$pt6/big"
same_text "$work/err" "dcs: $pt6/big: $pt6/big: $pt6/big is too large for a hive: 3221225472 bytes, dcs reads at most 2147426304" \
  "pt6: decode of a 3 GiB sparse hive: message"
[[ -n ${timed[*]} ]] && rss_small "pt6: decode of a 3 GiB sparse hive"
expect_rc 1 "pt6: apply to a 3 GiB sparse hive" -- "${timed[@]}" "$dcs" apply --mode manual_proxy --proxy p:6 \
  --hive "S-1-5-18=$pt6/big" --backup-dir "$pt6/bkbig"
same_text "$work/err" "dcs: apply: error: $pt6/big: $pt6/big is too large for a hive: 3221225472 bytes, dcs reads at most 2147426304" \
  "pt6: apply to a 3 GiB sparse hive: message"
[[ -n ${timed[*]} ]] && rss_small "pt6: apply to a 3 GiB sparse hive"
expect_rc 1 "pt6: decode of a 1.5 GiB sparse hive" -- "${timed[@]}" "$dcs" decode --hive "$pt6/mid"
same_text "$work/err" "dcs: $pt6/mid: key \"Software\\Microsoft\\Windows\\CurrentVersion\\Internet Settings\\Connections\" not found (missing \"Software\")" \
  "pt6: decode of a 1.5 GiB sparse hive: message"
[[ -n ${timed[*]} ]] && rss_small "pt6: decode of a 1.5 GiB sparse hive"
expect_rc 3 "pt6: apply to a 1.5 GiB sparse hive" -- "${timed[@]}" "$dcs" apply --mode manual_proxy --proxy p:6 \
  --hive "S-1-5-18=$pt6/mid" --backup-dir "$pt6/bkbig"
same_text "$work/err" "dcs: apply: refused: $pt6/mid is 1572864000 bytes but its header claims 8192 (base block and hive bins): not edited, 1572855808 bytes after the hive bins are more than the slack Windows leaves (16 MiB)" \
  "pt6: apply to a 1.5 GiB sparse hive: message"
[[ -n ${timed[*]} ]] && rss_small "pt6: apply to a 1.5 GiB sparse hive"
[[ $(stat -c %s "$pt6/mid") == 1572864000 ]] && ok || fail "pt6: the 1.5 GiB sparse hive was rewritten"
[[ ! -e $pt6/bkbig ]] && ok || fail "pt6: a backup was written for a sparse hive"
rm -f "$pt6/big" "$pt6/mid"

# pt 7 and 8
# Issue 10 points 7 and 8, self-contained: each reproducer, its exit code
# and its message in full.
p78=$work/p78
mkdir -p "$p78"
enc_reg() { # enc_reg OUT.reg [encode options]: a UTF-16 .reg holding a blob
  local out=$1; shift
  "$dcs" encode --proxy p:1 --output-format reg -o "$out" "$@"
}

# (a) decode --json of a UTF-16 .reg whose key name holds a lone surrogate:
# no '[]', the line:column named, nothing leaked
enc_reg "$p78/ok.reg"
python3 - "$p78/ok.reg" "$p78/surr.reg" <<'PY'
import sys
s = open(sys.argv[1], 'rb').read().decode('utf-16')
i = s.index('Connections]')
open(sys.argv[2], 'wb').write(b'\xff\xfe' + s[:i].encode('utf-16-le') + b'\x00\xd8'
                              + s[i:].encode('utf-16-le'))
PY
expect_rc 1 "decode --json, lone surrogate in a key name" -- "$dcs" decode --json "$p78/surr.reg"
same_text "$work/out" "" "decode --json, lone surrogate: stdout"
same_text "$work/err" "$p78/surr.reg:4:1: error: the key name holds a lone UTF-16 surrogate, which JSON cannot carry: this blob is left out (decode without --json shows it)" "decode --json, lone surrogate: message"
# valgrind cannot run a sanitizer build; there LeakSanitizer (the ASan step
# of tools/test.sh) checks the same run for leaks
# valgrind cannot follow malloc in a static program: for a static dcs (meson
# static_cli) the same sources linked dynamically, dcs-wim, are checked
# (none without wimlib: then this check is not run)
vg_dcs=$(command -v "$dcs")
if command -v readelf >/dev/null && ! readelf -d "$vg_dcs" | grep -q NEEDED; then
  vg_dcs=${vg_dcs%/*}/dcs-wim
  [[ -x $vg_dcs ]] || vg_dcs=
fi
if [[ -n $vg_dcs ]] && command -v valgrind >/dev/null && ! grep -qa __asan_init "$vg_dcs"; then
  rc=0
  valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect --error-exitcode=9 \
    "$vg_dcs" decode --json "$p78/surr.reg" >/dev/null 2>"$p78/vg" || rc=$?
  [[ $rc == 1 ]] && ok || { fail "decode --json, lone surrogate under valgrind: exit $rc"; cat "$p78/vg" >&2; }
fi

# (b) show: SavedLegacySettings without DefaultConnectionSettings is not
# "the same as DefaultConnectionSettings"
mkdir -p "$p78/img/Windows/System32/config" "$p78/img/Users/bob"
cp "$data/hivex-minimal" "$p78/img/Windows/System32/config/SOFTWARE"
cp "$data/hivex-minimal" "$p78/img/Users/bob/NTUSER.DAT"
enc_reg "$p78/sl.reg" --value SavedLegacySettings
"$dcs" reg import --hive "$p78/img/Users/bob/NTUSER.DAT" --prefix HKEY_CURRENT_USER \
  "$p78/sl.reg" >/dev/null 2>&1 && ok || fail "reg import of SavedLegacySettings alone"
expect_rc 0 "show, SavedLegacySettings alone" -- "$dcs" show --windows "$p78/img"
sed -n '/^user bob/,/^$/p' "$work/out" >"$p78/bob"
same_text "$p78/bob" 'user bob (SID unknown: no ProfileList in SOFTWARE) Users/bob/NTUSER.DAT
  DefaultConnectionSettings   absent
  SavedLegacySettings DIFFERS [counter 1] proxy "p:1"
  plain values                (none)' "show, SavedLegacySettings alone"

# (c) encode --json of a WinHTTP blob names the keys it cannot hold
echo '{"format":"winhttp","proxy":"p:1","bypass":"","autoconfig_url":"http://x/p.pac","counter":0,"flags":3}' >"$p78/w.json"
expect_rc 0 "encode --json winhttp with autoconfig_url" -- "$dcs" encode --json "$p78/w.json" -o "$p78/w.bin"
same_text "$work/err" "dcs: warning: $p78/w.json: a WinHTTP blob has no field for autoconfig_url: left out" "encode --json winhttp: warning"

# (d) a corrupt source hive is bad input (exit 1), not a refused target (3)
head -c 5000 "$data/hivex-minimal" >"$p78/badsrc"
cp "$data/hivex-minimal" "$p78/tgt"
expect_rc 1 "apply --from-hive CORRUPT" -- "$dcs" apply --from-hive "$p78/badsrc" \
  --hive "S-1-5-19=$p78/tgt" --backup-dir "$p78/bkd"
same_text "$work/err" "dcs: apply: source: offset 5000: hive bins claim 4096 bytes but the file has only 904 after the base block" "apply --from-hive CORRUPT: message"
cp "$work/err" "$p78/d.err"
cmp -s "$p78/tgt" "$data/hivex-minimal" && ok || fail "apply --from-hive CORRUPT wrote the target"

# (e) the undo .reg deletes the keys the apply created
undo_of() { # undo_of HIVE BACKUPDIR: apply, then print the undo .reg as UTF-8
  "$dcs" apply --mode manual_proxy --proxy p:1 --hive "S-1-5-19=$1" --backup-dir "$2" >/dev/null &&
    iconv -f UTF-16 -t UTF-8 "$2"/*.undo.reg | tr -d '\r'
}
cp "$data/hivex-minimal" "$p78/u1"
[[ $(undo_of "$p78/u1" "$p78/bku1") == 'Windows Registry Editor Version 5.00

[-HKEY_USERS\S-1-5-19\Software]' ]] && ok || fail "undo .reg, nothing there before: $(undo_of "$p78/u1" "$p78/bku1b")"
cp "$data/hivex-minimal" "$p78/u2"
printf 'Windows Registry Editor Version 5.00\r\n\r\n[HKEY_USERS\\S-1-5-19\\Software\\Microsoft\\Windows\\CurrentVersion\\Internet Settings]\r\n"User Agent"="x"\r\n\r\n' >"$p78/is.reg"
"$dcs" reg import --hive "$p78/u2" --prefix 'HKEY_USERS\S-1-5-19' "$p78/is.reg" >/dev/null 2>&1
"$dcs" reg export --hive "$p78/u2" --prefix 'HKEY_USERS\S-1-5-19' -o "$p78/u2.before.reg" 2>/dev/null
[[ $(undo_of "$p78/u2" "$p78/bku2") == 'Windows Registry Editor Version 5.00

[HKEY_USERS\S-1-5-19\Software\Microsoft\Windows\CurrentVersion\Internet Settings]
"ProxyEnable"=-
"ProxyServer"=-

[-HKEY_USERS\S-1-5-19\Software\Microsoft\Windows\CurrentVersion\Internet Settings\Connections]' ]] && ok ||
  fail "undo .reg, Connections created: $(iconv -f UTF-16 -t UTF-8 "$p78"/bku2/*.undo.reg)"
# importing the undo gives back what was there
"$dcs" reg import --hive "$p78/u2" --prefix 'HKEY_USERS\S-1-5-19' "$p78"/bku2/*.undo.reg >/dev/null 2>&1
"$dcs" reg export --hive "$p78/u2" --prefix 'HKEY_USERS\S-1-5-19' -o "$p78/u2.after.reg" 2>/dev/null
cmp -s "$p78/u2.before.reg" "$p78/u2.after.reg" && ok || fail "undo .reg: the hive is not as before"

# (g) pt 7: a version 1.6 differencing hive (layered keys: flags bit 0x2)
# is refused before anything is written
python3 - "$data/hivex-minimal" "$p78/diff16" <<'PY'
import struct, sys
b = bytearray(open(sys.argv[1], 'rb').read())
struct.pack_into('<I', b, 24, 6)
struct.pack_into('<I', b, 144, struct.unpack_from('<I', b, 144)[0] | 2)
c = 0
for i in range(0, 508, 4):
    c ^= struct.unpack_from('<I', b, i)[0]
struct.pack_into('<I', b, 508, c)
open(sys.argv[2], 'wb').write(b)
PY
cp "$p78/diff16" "$p78/diff16.before"
expect_rc 3 "apply to a differencing hive" -- "$dcs" apply --mode manual_proxy --proxy p:1 \
  --hive "S-1-5-19=$p78/diff16" --backup-dir "$p78/bkdiff"
same_text "$work/err" "dcs: apply: refused: offset 144: $p78/diff16: a differencing hive (layered keys): not supported" "apply to a differencing hive: message"
cmp -s "$p78/diff16" "$p78/diff16.before" && ok || fail "apply wrote a differencing hive"
cp "$work/err" "$p78/g.err"
[[ ! -e $p78/bkdiff ]] && ok || fail "apply to a differencing hive left a backup directory"
[[ -z $(find "$p78" -name 'diff16?*' ! -name diff16.before) ]] && ok ||
  fail "apply to a differencing hive left $(find "$p78" -name 'diff16?*' ! -name diff16.before)"

# (h) pt 7: hives dcs cannot fully read are not edited.  A copy with the
# settings applied (a big-data value too), then damaged by cut_hive.py: a
# truncated value list, a cut data cell, a cut big-data segment.  Each is
# refused (exit 3) naming the file and the offset, the hive unchanged, no
# backup, no temporary; the hive's own reg export fails on it as well.
cut=$p78/cut
mkdir -p "$cut"
cp "$data/hivex-minimal" "$cut/applied"
"$dcs" apply --mode manual_proxy --proxy p:1 --hive "S-1-5-19=$cut/applied" \
  --backup-dir "$cut/bk0" >/dev/null 2>&1 && ok || fail "pt7: apply to make the copy"
long=$(printf 'b%.0s' {1..2000})
cp "$data/hivex-minimal" "$cut/applied-big"
"$dcs" apply --mode manual_proxy --proxy p:1 --bypass "$long;$long;$long;$long;$long;$long;$long;$long;$long" \
  --hive "S-1-5-19=$cut/applied-big" --backup-dir "$cut/bk0" >/dev/null 2>&1 && ok ||
  fail "pt7: apply to make the big-data copy"
rm -rf "$cut/bk0"
# a key the apply does not read, with two values: its list is cut too
printf 'Windows Registry Editor Version 5.00\r\n\r\n[HKEY_USERS\\S\\Other]\r\n"a"="1234567890"\r\n"b"=dword:00000001\r\n\r\n' |
  iconv -f utf-8 -t utf-16le | { printf '\xff\xfe'; cat; } >"$cut/other.reg"
cp "$cut/applied" "$cut/applied-other"
"$dcs" reg import --quiet --hive "$cut/applied-other" --prefix 'HKEY_USERS\S' "$cut/other.reg" \
  >/dev/null 2>&1 && ok || fail "pt7: reg import of an unrelated key"
check_cut() { # check_cut NAME MODE FROM MESSAGE-AFTER-THE-PATH [KEY]
  python3 "$src/tests/cli/cut_hive.py" "$2" "$cut/$3" "$cut/$1" ${5:+"$5"} >/dev/null ||
    fail "cut_hive.py $2 $5"
  cp "$cut/$1" "$p78/$1.before"
  expect_rc 3 "pt7: apply to a hive with a $1 cut" -- "$dcs" apply --mode manual_proxy \
    --proxy p:2 --hive "S-1-5-19=$cut/$1" --backup-dir "$cut/bk-$1"
  same_text "$work/err" "dcs: apply: refused: $4" "pt7: $1 cut: message"
  cmp -s "$cut/$1" "$p78/$1.before" && ok || fail "pt7: apply wrote the hive with a $1 cut"
  [[ ! -e $cut/bk-$1 ]] && ok || fail "pt7: a $1 cut left a backup directory"
  [[ -z $(find "$cut" -name "$1?*") ]] && ok || fail "pt7: a $1 cut left $(find "$cut" -name "$1?*")"
  # a dry run says the same: the real run would refuse
  expect_rc 3 "pt7: apply --dry-run, a $1 cut" -- "$dcs" apply --mode manual_proxy \
    --proxy p:2 --hive "S-1-5-19=$cut/$1" --dry-run
  same_text "$work/err" "dcs: apply: refused: $4" "pt7: $1 cut, dry run: message"
  expect_rc 3 "pt7: reg export of a hive with a $1 cut" -- "$dcs" reg export --hive "$cut/$1" \
    --prefix HKU -o "$p78/$1.reg"
  [[ ! -e $p78/$1.reg ]] && ok || fail "pt7: reg export of a $1 cut wrote a .reg"
}
check_cut valuelist valuelist applied \
  "offset 5008: $cut/valuelist: key at 0x390: 1002 values, list at 0x4d8 holds 3"
# (before the whole-hive check this one got exit 1 from the commit, after
# the backup was planned: "no hive was changed")
check_cut otherlist valuelist applied-other \
  "offset 5560: $cut/otherlist: key at 0x5b8: 1002 values, list at 0x548 holds 3" Other
check_cut data data applied "offset 5168: $cut/data: value at 0x430: 59 bytes of data in a cell of 4"
check_cut bigdata bigdata applied-big \
  "offset 24608: $cut/bigdata: big data segment at 0x5020: 4 bytes, needs 1723"
# the same refusals through --windows (the image lock and the default backup
# directory beside the hive): nothing is left in the image
mkdir -p "$cut/img/Windows/System32/config"
cp "$p78/data.before" "$cut/img/Windows/System32/config/DEFAULT"
expect_rc 3 "pt7: apply --windows, a cut data cell" -- "$dcs" apply --mode manual_proxy \
  --proxy p:2 --windows "$cut/img" --sid S-1-5-18
same_text "$work/err" "dcs: apply: refused: offset 5168: Windows/System32/config/DEFAULT: value at 0x430: 59 bytes of data in a cell of 4" \
  "pt7: apply --windows, a cut data cell: message"
[[ $(find "$cut/img" -type f) == "$cut/img/Windows/System32/config/DEFAULT" ]] && ok ||
  fail "pt7: apply --windows left $(find "$cut/img" -type f)"
cmp -s "$cut/img/Windows/System32/config/DEFAULT" "$p78/data.before" && ok ||
  fail "pt7: apply --windows wrote the hive with a cut data cell"

# (f) no message repeats libhivex's "Operation not supported": not in the
# sources, nor in what the corrupt and unsupported hives above printed
! grep -rlF "Operation not supported" "$src/codec" "$src/tools" && ok ||
  fail "\"Operation not supported\" in the sources"
"$dcs" reg export --hive "$p78/badsrc" --prefix HKEY_CURRENT_USER -o "$p78/x.reg" 2>"$p78/f.err" || true
"$dcs" show --windows "$p78/img" >/dev/null 2>>"$p78/f.err" || true
[[ -s $p78/d.err && -s $p78/g.err && -s $p78/f.err ]] && ok || fail "(f): a message is missing"
! cat "$p78/d.err" "$p78/g.err" "$p78/f.err" | grep -F "Operation not supported" && ok ||
  fail "\"Operation not supported\" printed"

echo "$checks checks, $fails failures"
[[ $fails == 0 ]]

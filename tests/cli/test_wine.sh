#!/usr/bin/env bash
# Wine as a real Windows client (issue 14): every kind of .reg file dcs writes
# is imported with Wine's reg.exe into a fresh Wine prefix and read back with
# `reg export` / `regedit /e`; the values must come back byte for byte.  And
# Wine's own exports of its registry convert to themselves with `dcs reg
# convert`.  Headless: no X display, Gecko and Mono disabled, one fresh
# WINEPREFIX in a temporary directory (shared by the checks, each of which
# writes its own subtree), wineserver stopped at the end.
#
# Where Wine is known to differ from Windows, the test follows Windows and
# says so:
#  - hex(2)/hex(7) data in an 8-bit file: Windows reads them by the header
#    (5.00: UTF-16LE bytes), Wine by the byte order mark (none: ANSI)
#    (spec/reg-format.md 1.3).  dcs's regedit5 file in ANSI (a 5.00 header
#    in an 8-bit file) is checked against dcs's own reading, which follows
#    Windows, and in Wine only for the other types.
#  - a REG_DWORD whose size is not 4: Windows' regedit exports it as hex(4),
#    Wine's reg export and regedit /e as dword: with its first 4 bytes
#    (spec/reg-format.md 9.7), so only those bytes can be compared.
#  - REG_SZ data holding line breaks: regedit writes them raw (issue 14), so
#    the string spans lines; Wine's reg.exe skips such a value, what Windows'
#    own import does is unknown.  Those values are left out of the Wine
#    comparison and must be absent in Wine.
#
# usage: test_wine.sh PATH-TO-dcs      exit 77 (skip) only when wine is absent
set -uo pipefail

dcs=$1
src=${DCS_SOURCE_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}

WINE=$(command -v wine || command -v wine64 || { [ -x /usr/lib/wine/wine64 ] && echo /usr/lib/wine/wine64; } || true)
WINESERVER=$(command -v wineserver || { [ -x /usr/lib/wine/wineserver64 ] && echo /usr/lib/wine/wineserver64; } || true)
if [[ -z $WINE || -z $WINESERVER ]]; then
  echo "wine is not installed (tools/install-deps.sh --test installs it): skipped"
  exit 77
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/dcs-wine.XXXXXX")
export WINEPREFIX=$work/prefix WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml=" WINEARCH=win64
unset DISPLAY WAYLAND_DISPLAY
# a fixed locale: Wine's ANSI code page is then Windows-1252, as dcs writes
export LC_ALL=C LANG=C
# DCS_WINE_KEEP=1 keeps the work directory (prefix, files) for a look
cleanup() {
  "$WINESERVER" -k >/dev/null 2>&1
  "$WINESERVER" -w >/dev/null 2>&1
  if [[ -n ${DCS_WINE_KEEP:-} ]]; then echo "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

fails=0
checks=0
ok() { checks=$((checks + 1)); echo "ok   $1"; }
fail() { fails=$((fails + 1)); echo "FAIL $1"; }
note() { echo "note $1"; }
# Z: is the Unix root in every Wine prefix
winpath() { printf 'Z:%s' "${1//\//\\}"; }
wine_() { "$WINE" "$@" </dev/null >>"$work/wine.log" 2>&1; }

# The values of a .reg file as dcs reads it: "key<TAB>name<TAB>type<TAB>hex"
# lines, keys lower-cased (Wine keeps the spelling of keys it already had),
# sorted; set_value lines only.
values() {
  "$dcs" reg dump --quiet "$1" |
    awk -F'\t' 'BEGIN { OFS = "\t" } $1 == "set_value" { print tolower($2), $3, $4, $5 }' |
    LC_ALL=C sort
}
# Lines of $1 missing from $2 (both sorted): must be none.
missing() { LC_ALL=C comm -23 "$1" "$2"; }

echo "wine: $("$WINE" --version 2>/dev/null) ($WINE)"
start=$SECONDS
# (the registry files are written by the wineserver later: look for the
# Windows directory instead)
if wine_ wineboot -i && [[ -d $WINEPREFIX/drive_c/windows/system32 ]]; then
  ok "fresh prefix created headless ($((SECONDS - start)) s)"
else
  fail "wineboot -i"; cat "$work/wine.log"; exit 1
fi
"$WINESERVER" -p 60 # keep the server between commands

# ---- the source: every value type and layout dcs writes ----
# @CASE@ names the subtree of one check.  Text representable in Windows-1252
# (the REGEDIT4 ANSI form); the UTF-16 forms get more below.  Written as the
# 8-bit text of a 5.00 file and turned into a regedit export by dcs itself.
bin100=$(for i in $(seq 0 99); do printf '%02x,' $((i * 7 % 256)); done)
bin100=${bin100%,}
cat >"$work/source.txt" <<EOF
Windows Registry Editor Version 5.00

[HKEY_CURRENT_USER\\Software\\dcs-wine\\@CASE@]
@="default"
"Sz"="a \\"quoted\\" \\\\ path; # not a comment"
"Empty"=""
"Latin"="café € ÿ"
"Dw"=dword:0000002a
"DwMax"=dword:ffffffff
"Qw"=hex(b):01,02,03,04,05,06,07,08
"Bin"=hex:$bin100
"BinEmpty"=hex:
"Exp"=hex(2):25,00,50,00,41,00,54,00,48,00,25,00,5c,00,e9,00,00,00
"Multi"=hex(7):61,00,00,00,e9,00,00,00,00,00
"None"=hex(0):01,02
"Odd"=hex(100):ff
"Dw8"=hex(4):01,00,00,00,00,00,00,00
"Lines"="line one
line two"

[HKEY_CURRENT_USER\\Software\\dcs-wine\\@CASE@\\Sub Key]
"name \\"with\\" quotes \\\\ and ="="v"

[HKEY_CURRENT_USER\\Software\\dcs-wine\\@CASE@\\Zeta]

[HKEY_CURRENT_USER\\Software\\dcs-wine\\@CASE@\\alpha\\deep\\er]
"x"=dword:00000001
EOF
cat >"$work/unicode.txt" <<'EOF'

[HKEY_CURRENT_USER\Software\dcs-wine\@CASE@\Unicode ä中]
"中文"="中文 😀 ä"
"Exp16"=hex(2):2d,4e,87,65,00,00
EOF
# a source for one check: the text with its case name, as dcs writes it
make_source() { # case, unicode(0/1) -> $work/src-CASE.reg (regedit5 UTF-16LE)
  { sed "s/@CASE@/$1/g" "$work/source.txt"; [[ $2 == 1 ]] && sed "s/@CASE@/$1/g" "$work/unicode.txt"; } |
    sed 's/$/\r/' >"$work/src-$1.txt"
  "$dcs" reg convert --quiet --codepage utf8 "$work/src-$1.txt" -o "$work/src-$1.reg"
}
# what Wine must hold: the source's values without the multi-line ones
# (0d000a00 is a CR LF inside REG_SZ data)
expected() { # case
  values "$work/src-$1.reg" | awk -F'\t' '!($3 == "REG_SZ" && $4 ~ /^(....)*0d000a00/)' >"$work/want-$1"
  values "$work/src-$1.reg" | awk -F'\t' '$3 == "REG_SZ" && $4 ~ /^(....)*0d000a00/' >"$work/lines-$1"
}

# Wine commands run side by side (one wineserver serialises the registry):
# bg starts one, wait_all checks them all.
pids=()
whats=()
bg() { # what, wine args...
  local what=$1; shift
  wine_ "$@" &
  pids+=($!)
  whats+=("$what")
}
wait_all() {
  local i
  for i in "${!pids[@]}"; do
    if wait "${pids[$i]}"; then ok "${whats[$i]}"; else fail "${whats[$i]}"; fi
  done
  pids=()
  whats=()
}
cases=()
imported() { # case, file written by dcs: import it into Wine
  bg "$1: Wine's reg import accepts $(basename "$2")" reg import "$(winpath "$2")"
  cases+=("$1")
}

# 1. dcs reg convert, in each form Windows writes and in dcs's UTF-8 form
make_source conv5 1
"$dcs" reg convert --quiet "$work/src-conv5.reg" -o "$work/conv5.reg" --format regedit5
imported conv5 "$work/conv5.reg"
make_source conv4 0
"$dcs" reg convert --quiet "$work/src-conv4.reg" -o "$work/conv4.reg" --format regedit4
head -c 10 "$work/conv4.reg" | grep -q '^REGEDIT4' && ! head -c 2 "$work/conv4.reg" | grep -q $'\xff' &&
  ok "conv4: REGEDIT4, 8-bit" || fail "conv4: not a REGEDIT4 8-bit file"
imported conv4 "$work/conv4.reg"
make_source conv5a 0
"$dcs" reg convert --quiet "$work/src-conv5a.reg" -o "$work/conv5a.reg" --format regedit5 --encoding ansi
# Windows reads hex(2)/hex(7) of a 5.00 file as UTF-16LE whatever the
# encoding: dcs's own reading of the 8-bit file gives the source's values
values "$work/conv5a.reg" >"$work/got-conv5a-dcs"
values "$work/src-conv5a.reg" >"$work/src-conv5a-values"
cmp -s "$work/got-conv5a-dcs" "$work/src-conv5a-values" &&
  ok "conv5a: regedit5 header in an ANSI file reads back (Windows' rule: hex(2)/hex(7) by the header) to the source" ||
  fail "conv5a: regedit5 ANSI does not read back to the source"
imported conv5a "$work/conv5a.reg"

# 2. dcs reg export from an offline hive (regedit5 UTF-16LE)
if "$dcs" reg import --help >/dev/null 2>&1 && [[ -f $src/tests/data/hives/hivex-minimal ]] &&
  install -m 0644 "$src/tests/data/hives/hivex-minimal" "$work/h.hive" && make_source hive 1 &&
  "$dcs" reg import --quiet --hive "$work/h.hive" --prefix 'HKEY_CURRENT_USER\Software\dcs-wine' \
    "$work/src-hive.reg" 2>"$work/hive.err"; then
  "$dcs" reg export --hive "$work/h.hive" --prefix 'HKEY_CURRENT_USER\Software\dcs-wine' hive \
    -o "$work/hive-export.reg" && ok "hive: dcs reg export" || fail "hive: dcs reg export"
  imported hive "$work/hive-export.reg"
else
  note "hive: dcs built without libhivex or no sample hive: reg export not checked ($(cat "$work/hive.err" 2>/dev/null))"
fi

# 3. dcs apply --reg-out (for reg import on a live machine)
"$dcs" apply --mode manual_proxy --proxy 'proxy.example:8080' --bypass '<local>;*.corp' \
  --reg-out "$work/live.reg" --all-services --winhttp >/dev/null 2>&1 &&
  ok "apply --reg-out written" || fail "apply --reg-out"
bg "apply: Wine's reg import accepts --reg-out" reg import "$(winpath "$work/live.reg")"
# 4. dcs apply --cmd-out (reg add commands, for tools that run commands):
# another account and the machine-wide settings, so that its values do not
# overlap the --reg-out ones; a '%' in the bypass list checks the doubling
"$dcs" apply --mode manual_proxy --proxy 'cmd.example:3128' --bypass '<local>;*.corp;50%off' \
  --sid S-1-5-21-1-2-3-1001 --machine --cmd-out "$work/live.cmd" >/dev/null 2>&1 &&
  ok "apply --cmd-out written" || fail "apply --cmd-out"
# the account had a PAC URL, which a manual proxy does not use: the batch
# file deletes it (as the .reg's "AutoConfigURL"=- does), and the delete
# of a value that is absent anyway (none of the others) is no error
CMD_IS='HKU\S-1-5-21-1-2-3-1001\Software\Microsoft\Windows\CurrentVersion\Internet Settings'
wine_ reg add "$CMD_IS" /v AutoConfigURL /d 'http://old.example/x.pac' /f &&
  ok "Wine: a stale AutoConfigURL set before --cmd-out runs" || fail "Wine: reg add AutoConfigURL"
bg "apply: Wine's cmd.exe runs --cmd-out (exit 0)" cmd /c "$(winpath "$work/live.cmd")"
wait_all
echo "---- imported ($((SECONDS - start)) s)"

# ---- read everything back: Wine's own exports ----
bg "Wine's reg export HKCU\\Software\\dcs-wine" \
  reg export 'HKCU\Software\dcs-wine' "$(winpath "$work/back-dcs-wine.reg")" /y
bg "Wine's regedit /e HKEY_CURRENT_USER" regedit /e "$(winpath "$work/wine-hkcu.reg")" HKEY_CURRENT_USER
bg "Wine's regedit /e HKEY_USERS" regedit /e "$(winpath "$work/wine-hku.reg")" HKEY_USERS
bg "Wine's regedit /e HKEY_CLASSES_ROOT" regedit /e "$(winpath "$work/wine-hkcr.reg")" HKEY_CLASSES_ROOT
bg "Wine's regedit /e HKEY_LOCAL_MACHINE\\Software" \
  regedit /e "$(winpath "$work/wine-hklm.reg")" 'HKEY_LOCAL_MACHINE\Software'
wait_all
echo "---- exported ($((SECONDS - start)) s)"
values "$work/back-dcs-wine.reg" >"$work/back-values"
for c in "${cases[@]}"; do
  expected "$c"
  if [[ $c == conv5a ]]; then
    # Wine reads hex(2)/hex(7) of this 8-bit file as ANSI (by the BOM):
    # a known Wine divergence; the other types must match
    note "conv5a: hex(2)/hex(7) not compared in Wine (Wine reads them by the BOM, Windows by the header)"
    awk -F'\t' '$3 != "REG_EXPAND_SZ" && $3 != "REG_MULTI_SZ"' "$work/want-$c" >"$work/want-$c.x"
    mv "$work/want-$c.x" "$work/want-$c"
  fi
  # this case's subtree (keys are lower-cased by values())
  SUB="hkey_current_user\\software\\dcs-wine\\$c" awk -F'\t' \
    '$1 == ENVIRON["SUB"] || index($1, ENVIRON["SUB"] "\\") == 1' "$work/back-values" >"$work/got-$c"
  [[ $c == conv5a ]] &&
    awk -F'\t' '$3 != "REG_EXPAND_SZ" && $3 != "REG_MULTI_SZ"' "$work/got-$c" >"$work/got-$c.x" &&
    mv "$work/got-$c.x" "$work/got-$c"
  # Wine exports a REG_DWORD of another size than 4 as dword: (4 bytes)
  for f in "$work/want-$c" "$work/got-$c"; do
    awk -F'\t' 'BEGIN { OFS = "\t" } $3 == "REG_DWORD" && length($4) > 8 { $4 = substr($4, 1, 8) } 1' \
      "$f" | LC_ALL=C sort >"$f.x" && mv "$f.x" "$f"
  done
  n=$(wc -l <"$work/want-$c")
  if [[ $n -ge 12 && -z $(missing "$work/want-$c" "$work/got-$c") &&
    -z $(missing "$work/got-$c" "$work/want-$c") ]]; then
    ok "$c: all $n values read back from Wine byte for byte"
  else
    fail "$c: values differ in Wine (< wanted, > Wine):"
    diff "$work/want-$c" "$work/got-$c" | head -20
  fi
  # the multi-line REG_SZ: Wine skips it (Windows: unknown)
  while IFS=$'\t' read -r key name _; do
    if grep -qF "$key"$'\t'"$name"$'\t' "$work/got-$c"; then
      note "$c: Wine now imports the multi-line REG_SZ $name: compare it byte for byte"
    fi
  done <"$work/lines-$c"
done
note "REG_SZ data with line breaks (regedit writes them raw) are skipped by Wine's reg import; Windows: unknown"
note "a REG_DWORD of 8 bytes compared by its first 4: Wine exports it as dword:, Windows' regedit as hex(4)"

# apply --reg-out: every value set reads back from its key
cat <(values "$work/wine-hku.reg") <(values "$work/wine-hklm.reg") | LC_ALL=C sort >"$work/got-live"
values "$work/live.reg" >"$work/want-live"
n=$(wc -l <"$work/want-live")
if [[ $n -ge 9 && -z $(missing "$work/want-live" "$work/got-live") ]]; then
  ok "apply: all $n values of --reg-out read back from Wine byte for byte"
else
  fail "apply: --reg-out values differ in Wine:"; missing "$work/want-live" "$work/got-live" | head
fi

# apply --cmd-out: every value the batch file sets (as dcs decode reads it)
# reads back from Wine's exports byte for byte, and reg query sees the policy
"$dcs" decode --json "$work/live.cmd" | python3 -c '
import json, sys
for v in json.load(sys.stdin):
    if v.get("action") != "delete":
        print("%s\t\"%s\"\t%s\t%s" % (v["key"].lower(), v["value"], v["type"], v["data_hex"]))
' | LC_ALL=C sort >"$work/want-cmd"
n=$(wc -l <"$work/want-cmd")
if [[ $n -ge 8 && -z $(missing "$work/want-cmd" "$work/got-live") ]]; then
  ok "apply: all $n values of --cmd-out read back from Wine byte for byte"
else
  fail "apply: --cmd-out values differ in Wine:"; missing "$work/want-cmd" "$work/got-live" | head
fi
if "$WINE" reg query "$CMD_IS" /v AutoConfigURL </dev/null >/dev/null 2>&1; then
  fail "apply: the stale AutoConfigURL is still there after --cmd-out"
else
  ok "apply: --cmd-out deleted the stale AutoConfigURL (Wine's reg query finds none)"
fi
q=$("$WINE" reg query 'HKLM\SOFTWARE\Policies\Microsoft\Windows\CurrentVersion\Internet Settings' \
  /v ProxySettingsPerUser 2>/dev/null </dev/null | tr -d '\r')
if grep -Eq 'ProxySettingsPerUser[[:space:]]+REG_DWORD[[:space:]]+0x0$' <<<"$q"; then
  ok "apply: Wine's reg query reads ProxySettingsPerUser REG_DWORD 0x0 set by --cmd-out"
else
  fail "apply: reg query of ProxySettingsPerUser: $q"
fi

# ---- Wine's own exports convert to themselves ----
selfconv() { # name, export file
  if "$dcs" reg convert --quiet "$2" -o "$2.dcs" && cmp -s "$2" "$2.dcs"; then
    ok "$1 ($(wc -c <"$2") bytes) converts to itself byte for byte"
  else
    fail "$1 does not convert to itself"; cmp "$2" "$2.dcs" | head -3
  fi
}
selfconv "Wine's regedit /e HKEY_CURRENT_USER" "$work/wine-hkcu.reg"
selfconv "Wine's regedit /e HKEY_USERS" "$work/wine-hku.reg"
selfconv "Wine's regedit /e HKEY_CLASSES_ROOT" "$work/wine-hkcr.reg"
selfconv "Wine's regedit /e HKEY_LOCAL_MACHINE\\Software" "$work/wine-hklm.reg"
selfconv "Wine's reg export HKCU\\Software\\dcs-wine" "$work/back-dcs-wine.reg"

# ---- a 5 MB tree in both Windows forms: Wine imports back the same tree ----
# HKLM\Software converted by dcs and imported over itself: any value Wine
# read differently would change in the next export.  Compared by values:
# Wine adds keys of its own meanwhile (NetworkCards, when a process first
# loads its network stack), which are left out.
for form in regedit4 regedit5; do
  "$dcs" reg convert --quiet "$work/wine-hklm.reg" -o "$work/hklm-$form.reg" --format "$form"
  # one after the other: the ANSI form first, then the UTF-16 one
  bg "Wine's reg import of HKLM\\Software as $form ($(wc -c <"$work/hklm-$form.reg") bytes)" \
    reg import "$(winpath "$work/hklm-$form.reg")"
  wait_all
done
wine_ regedit /e "$(winpath "$work/wine-hklm2.reg")" 'HKEY_LOCAL_MACHINE\Software'
values "$work/wine-hklm.reg" >"$work/hklm-before"
values "$work/wine-hklm2.reg" >"$work/hklm-after"
cut -f1 "$work/hklm-before" | LC_ALL=C sort -u >"$work/hklm-keys"
missing "$work/hklm-after" "$work/hklm-before" | LC_ALL=C sort -t $'\t' -k1,1 |
  LC_ALL=C join -t $'\t' - "$work/hklm-keys" >"$work/hklm-changed"
n=$(wc -l <"$work/hklm-before")
if [[ $n -gt 10000 && -z $(missing "$work/hklm-before" "$work/hklm-after") && ! -s $work/hklm-changed ]]; then
  ok "HKLM\\Software ($n values) via dcs reg convert, REGEDIT4 ANSI then regedit5 UTF-16LE: Wine imports back the same values"
else
  fail "HKLM\\Software changed after importing dcs's conversions"
  missing "$work/hklm-before" "$work/hklm-after" | head -5
  head -5 "$work/hklm-changed"
fi

echo "wine suite: $checks checks passed, $fails failed, $((SECONDS - start)) s"
[[ $fails -eq 0 ]]

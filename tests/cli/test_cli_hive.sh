#!/usr/bin/env bash
# End-to-end checks of dcs apply / show / decode --hive on a sample Windows
# image built from tests/data/hives, verified with an independent reader
# (hivexget from libhivex-bin) and byte comparisons.
# usage: cli_hive.sh PATH-TO-dcs
set -euo pipefail

cli_name=hive
# shellcheck source=tests/cli/lib.sh
. "$(dirname "$0")/lib.sh"
differs() { if cmp -s "$1" "$2"; then fail "$3: $1 unchanged"; else ok; fi; }
value_hex() { hivexget "$1" '\Software\Microsoft\Windows\CurrentVersion\Internet Settings\Connections' "$2" | od -An -v -tx1 | tr -d ' \n'; }

IS='\Software\Microsoft\Windows\CurrentVersion\Internet Settings'
SID_ALICE=S-1-5-21-1004336348-1177238915-682003330-1001

# A Windows image with odd letter case, a SOFTWARE hive, and the LocalSystem
# ProfileList trap: systemprofile/NTUSER.DAT must never be written.
new_image() {
  img=$work/img$1
  rm -rf "$img"
  mkdir -p "$img/WINDOWS/system32/Config/systemprofile" "$img/Windows/ServiceProfiles/LocalService" \
    "$img/Windows/ServiceProfiles/NetworkService" "$img/users/Default" "$img/users/alice"
  # two spellings of Windows/: the exact one wins; put everything under both
  rm -rf "$img/Windows"
  mkdir -p "$img/WINDOWS/ServiceProfiles/LocalService" "$img/WINDOWS/ServiceProfiles/NetworkService"
  install -m 0644 "$data/hivex-minimal" "$img/WINDOWS/system32/Config/default"
  install -m 0644 "$data/mini-SOFTWARE" "$img/WINDOWS/system32/Config/SOFTWARE"
  install -m 0644 "$data/hivex-minimal" "$img/WINDOWS/system32/Config/systemprofile/NTUSER.DAT"
  install -m 0644 "$data/yarp-EmptyHive" "$img/WINDOWS/ServiceProfiles/LocalService/ntuser.dat"
  install -m 0644 "$data/ez-NTUSER1.DAT" "$img/WINDOWS/ServiceProfiles/NetworkService/NTUSER.DAT"
  install -m 0644 "$data/dfwinreg-NTUSER.DAT" "$img/users/Default/NTUSER.DAT"
  install -m 0644 "$data/dfwinreg-NTUSER.DAT" "$img/users/alice/NTUSER.DAT"
  DEF=$img/WINDOWS/system32/Config/default
  LS=$img/WINDOWS/ServiceProfiles/LocalService/ntuser.dat
  NS=$img/WINDOWS/ServiceProfiles/NetworkService/NTUSER.DAT
  SW=$img/WINDOWS/system32/Config/SOFTWARE
  TRAP=$img/WINDOWS/system32/Config/systemprofile/NTUSER.DAT
  mkdir -p "$work/orig$1"
  for f in DEF LS NS SW TRAP; do cp "${!f}" "$work/orig$1/$f"; done
}

# 1. default targets: S-1-5-18 and S-1-5-19, found case-insensitively
new_image 1
def_ino1=$(stat -c %i "$DEF")
expect_rc 0 "apply manual_proxy" -- "$dcs" apply --mode manual_proxy --proxy proxy.corp:8080 \
  --bypass '<local>' --windows "$img" --backup-dir "$work/bk1"
contains "$work/out" 'LocalSystem (S-1-5-18, .DEFAULT) WINDOWS/system32/Config/default' "label"
contains "$work/out" 'applied: 2 hives changed' "summary"
for h in DEF LS; do
  got=$(value_hex "${!h}" DefaultConnectionSettings)
  [[ $got == 4600000001000000030000000f000000* ]] && ok || fail "$h blob: $got"
  [[ $got == *70726f78792e636f72703a38303830* ]] && ok || fail "$h proxy string: $got"
  [[ $(value_hex "${!h}" SavedLegacySettings) == "$got" ]] && ok || fail "$h SavedLegacySettings"
  hivexget "${!h}" "$IS" ProxyEnable | grep -qx '1' && ok || fail "$h ProxyEnable"
  hivexget "${!h}" "$IS" ProxyServer | grep -qx 'proxy.corp:8080' && ok || fail "$h ProxyServer"
  hivexget "${!h}" "$IS" ProxyOverride | grep -qx '<local>' && ok || fail "$h ProxyOverride"
done
same "$NS" "$work/orig1/NS" "NetworkService is not a default target"
same "$TRAP" "$work/orig1/TRAP" "systemprofile/NTUSER.DAT is not LocalSystem's hive"
same "$SW" "$work/orig1/SW" "SOFTWARE untouched without --winhttp"

# 2. idempotent: a second run changes no byte and says unchanged; --check agrees
cp "$DEF" "$work/def.after1"; cp "$LS" "$work/ls.after1"
expect_rc 0 "second run" -- "$dcs" apply --mode manual_proxy --proxy proxy.corp:8080 \
  --bypass '<local>' --windows "$img"
contains "$work/out" 'unchanged: every target already has these settings' "second run says unchanged"
same "$DEF" "$work/def.after1" "second run leaves DEFAULT byte-identical"
same "$LS" "$work/ls.after1" "second run leaves LocalService byte-identical"
expect_rc 0 "--check in step" -- "$dcs" apply --mode manual_proxy --proxy proxy.corp:8080 \
  --bypass '<local>' --windows "$img" --check
expect_rc 4 "--check out of step" -- "$dcs" apply --mode autodetect --windows "$img" --check
same "$DEF" "$work/def.after1" "--check changes nothing"
expect_rc 0 "--dry-run" -- "$dcs" apply --mode autodetect --windows "$img" --dry-run
contains "$work/out" 'update' "dry run shows the action"
same "$DEF" "$work/def.after1" "--dry-run changes nothing"

# 3. backups restore the previous hive byte for byte
same "$work/bk1/S-1-5-18-default" "$work/orig1/DEF" "backup of DEFAULT is the old file"
same "$work/bk1/S-1-5-19-ntuser.dat" "$work/orig1/LS" "backup of LocalService is the old file"
cp "$work/bk1/S-1-5-18-default" "$DEF"
same "$DEF" "$work/orig1/DEF" "restored DEFAULT"
# the backup is the old hive's own inode, linked: the commit renamed a new
# file over the hive, so nothing writes that inode again
[[ $(stat -c %i "$work/bk1/S-1-5-18-default") == "$def_ino1" ]] && ok ||
  fail "the backup of DEFAULT is not a hard link of the old hive"
# where no link can be made (a backup directory on another file system:
# EXDEV) the hive is copied, and the directory holds only the backups
shm=$(mktemp -d /dev/shm/dcs-cli-hive.XXXXXX 2>/dev/null) || shm=
if [[ -n $shm && $(stat -c %d "$shm") != $(stat -c %d "$work") ]]; then
  new_image x
  def_inox=$(stat -c %i "$DEF")
  expect_rc 0 "apply, backups on another file system" -- "$dcs" apply --mode manual_proxy \
    --proxy p:3 --windows "$img" --backup-dir "$shm/bk"
  same "$shm/bk/S-1-5-18-default" "$work/origx/DEF" "copied backup of DEFAULT is the old file"
  same "$shm/bk/S-1-5-19-ntuser.dat" "$work/origx/LS" "copied backup of LocalService is the old file"
  [[ $(stat -c %i "$shm/bk/S-1-5-18-default") != "$def_inox" ]] && ok || fail "EXDEV: not a copy"
  [[ $(stat -c %a "$shm/bk/S-1-5-18-default") == $(stat -c %a "$work/origx/DEF") ]] && ok ||
    fail "the copied backup does not keep the hive's mode"
  [[ $(ls "$shm/bk" | grep -cv -e '\.undo\.reg$' -e '\.Connections\.reg$') == 2 ]] && ok ||
    fail "backups on another file system: $(ls "$shm/bk" | tr '\n' ' ')"
  rm -rf "$shm"
else
  [[ -n $shm ]] && rm -rf "$shm"
  echo "no /dev/shm on another file system: the copied backup is not checked"
fi

# 4. explicit SIDs, --all-services, --winhttp (native and WOW6432Node)
new_image 2
expect_rc 0 "--sid S-1-5-20" -- "$dcs" apply --mode autodetect --windows "$img" --sid S-1-5-20
same "$DEF" "$work/orig2/DEF" "--sid replaces the default targets"
differs "$NS" "$work/orig2/NS" "--sid S-1-5-20 writes NetworkService"
expect_rc 0 "--all-services --winhttp" -- "$dcs" apply --mode manual_proxy --proxy p:3128 \
  --windows "$img" --all-services --winhttp
for h in DEF LS NS; do differs "${!h}" "$work/orig2/$h" "--all-services writes $h"; done
for k in '\Microsoft\Windows\CurrentVersion\Internet Settings\Connections' \
         '\WOW6432Node\Microsoft\Windows\CurrentVersion\Internet Settings\Connections'; do
  got=$(hivexget "$SW" "$k" WinHttpSettings | od -An -v -tx1 | tr -d ' \n')
  [[ $got == 28000000000000000300000006000000703a3331323800000000 ]] && ok || fail "WinHttpSettings $k: $got"
done
same "$TRAP" "$work/orig2/TRAP" "trap untouched"

# 5. sources: blob (hex text) byte for byte, user hive with both values
new_image 3
printf '46 00 00 00 07 00 00 00 03 00 00 00 06 00 00 00 70 3a 31 32 33 34\n00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00\n00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00\n' >"$work/blob.hex"
blobhex=$(tr -d ' \n' <"$work/blob.hex")
expect_rc 0 "--from-blob" -- "$dcs" apply --from-blob "$work/blob.hex" --windows "$img"
got=$(value_hex "$DEF" DefaultConnectionSettings)
[[ $got == "$blobhex" ]] && ok || fail "blob not copied byte for byte: $got != $blobhex"
expect_rc 0 "--from-hive" -- "$dcs" apply --from-hive "$img/users/alice/NTUSER.DAT" --windows "$img" \
  --sid S-1-5-19
[[ $(value_hex "$LS" DefaultConnectionSettings) == "$(value_hex "$img/users/alice/NTUSER.DAT" DefaultConnectionSettings)" ]] \
  && ok || fail "--from-hive DefaultConnectionSettings"
[[ $(value_hex "$LS" SavedLegacySettings) == "$(value_hex "$img/users/alice/NTUSER.DAT" SavedLegacySettings)" ]] \
  && ok || fail "--from-hive SavedLegacySettings"
expect_rc 0 "--only-default --no-plain-values" -- "$dcs" apply --mode autodetect --windows "$img" \
  --sid S-1-5-20 --only-default --no-plain-values --connection 'Office VPN'
hivexget "$NS" '\Software\Microsoft\Windows\CurrentVersion\Internet Settings\Connections' >"$work/ns.vals"
contains "$work/ns.vals" '"Office VPN"=hex(3)' "--connection writes the connectoid"
if grep -q SavedLegacySettings "$work/ns.vals"; then fail "--only-default wrote SavedLegacySettings"; else ok; fi
if hivexget "$NS" "$IS" ProxyEnable >/dev/null 2>&1; then fail "--no-plain-values wrote ProxyEnable"; else ok; fi

# 6. --json is one document with the plan and the outcome
expect_rc 0 "--json" -- "$dcs" apply --mode autodetect --windows "$img" --dry-run --json
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["outcome"]=="dry-run", d; assert len(d["targets"])==2; assert d["targets"][0]["sid"]=="S-1-5-18"' "$work/out" \
  && ok || fail "--json document"

# 7. dirty hives are refused (exit 3, nothing changed); --force writes and drops the logs
mkdir -p "$work/dirty1" "$work/dirty2"
cp "$data"/yarp-NewDirtyHive1/NewDirtyHive "$data"/yarp-NewDirtyHive1/NewDirtyHive.LOG? "$work/dirty1/"
xz -dc "$data/regipy-transactions_NTUSER.DAT.xz" >"$work/dirty2/NTUSER.DAT"
xz -dc "$data/regipy-transactions_ntuser.dat.log1.xz" >"$work/dirty2/ntuser.dat.LOG1"
xz -dc "$data/regipy-transactions_ntuser.dat.log2.xz" >"$work/dirty2/ntuser.dat.LOG2"
for d in dirty1/NewDirtyHive dirty2/NTUSER.DAT; do
  cp "$work/$d" "$work/$d.orig"
  expect_rc 3 "dirty $d refused" -- "$dcs" apply --mode autodetect --hive "S-1-5-18=$work/$d"
  contains "$work/out" 'dirty' "refusal says why"
  same "$work/$d" "$work/$d.orig" "refused dirty hive untouched"
  expect_rc 3 "dirty $d refused in a dry run too" -- "$dcs" apply --mode autodetect --hive "S-1-5-18=$work/$d" --dry-run
done
expect_rc 0 "--force" -- "$dcs" apply --mode no_proxy --hive "S-1-5-18=$work/dirty2/NTUSER.DAT" --force \
  --backup-dir "$work/bk-dirty"
contains "$work/err" 'will be lost' "--force warns"
[[ ! -e $work/dirty2/ntuser.dat.LOG1 ]] && ok || fail "--force leaves the pending log"
[[ -s $work/bk-dirty/S-1-5-18-NTUSER.DAT.LOG1 ]] && ok || fail "--force keeps the log in the backup"
expect_rc 0 "forced hive is clean now" -- "$dcs" apply --mode no_proxy --hive "S-1-5-18=$work/dirty2/NTUSER.DAT" --check

# 8. damaged hives are refused with exit 3; a missing one is an error (1)
new_image 4
python3 - "$DEF" <<'EOF'
import sys
p = sys.argv[1]
b = bytearray(open(p, 'rb').read()); b[0x30] ^= 1; open(p, 'wb').write(b)
EOF
cp "$DEF" "$work/def.bad"
expect_rc 3 "bad checksum" -- "$dcs" apply --mode autodetect --windows "$img"
contains "$work/out" 'checksum' "names the checksum"
same "$LS" "$work/orig4/LS" "other target untouched when one is refused"
same "$DEF" "$work/def.bad" "bad hive untouched"
head -c 6000 "$work/orig4/LS" >"$LS"
expect_rc 3 "truncated" -- "$dcs" apply --mode autodetect --hive "S-1-5-19=$LS"
printf 'XXXX' | dd of="$NS" conv=notrunc status=none
expect_rc 3 "wrong signature" -- "$dcs" apply --mode autodetect --hive "S-1-5-20=$NS"
expect_rc 1 "missing hive" -- "$dcs" apply --mode autodetect --hive "S-1-5-20=$work/none"

# 9. a failure while committing the 2nd of 3 hives leaves all three as they
# were: libhivex cannot create the 2nd temporary file, the 2nd or the 3rd
# rename fails (failures injected with strace -e inject=...:error=EIO, the
# call numbers read from a traced clean run; skipped without strace)
if command -v strace >/dev/null && strace -f -o /dev/null true 2>/dev/null; then
  # LeakSanitizer (sanitizer builds) cannot work under ptrace
  nolsan=ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 # the last setting wins
  new_image 5
  # -y: a descriptor's path is shown, for calls made relative to the
  # hive's directory (openat(DIR</path>, "NAME", ...))
  env "$nolsan" strace -y -f -qq -o "$work/trace9" -e trace=openat,rename,renameat,renameat2 "$dcs" \
    apply --mode manual_proxy --proxy p:1 --windows "$img" --all-services \
    --backup-dir "$work/bk9" >/dev/null
  nth() { grep -E "^[0-9]+ +$1\(" "$work/trace9" | grep -n -E -e "$2" | head -1 | cut -d: -f1; }
  # a rename's call name (the library renames relative to a directory) and
  # its number among the calls of that name: "NAME:N"
  nth_rename() { local name; name=$(grep -E "^[0-9]+ +rename[a-z0-9]*\(" "$work/trace9" |
      grep -E -e "$1" | head -1 | sed -E 's/^[0-9]+ +([a-z0-9]+)\(.*/\1/')
    echo "$name:$(nth "$name" "$1")"; }
  at() { echo "(, \"$1\"|${1%/*}>, \"${1##*/}\")"; } # PATH, or DIR</dir>, "NAME"
  # the engine opening the temporary file to write the new version into
  write_open_ls=$(nth openat "${LS%/*}>, \"${LS##*/}\\.dcs-[a-z0-9]*\", O_WRONLY\\|O_TRUNC")
  for fault in "openat:$write_open_ls:cannot open $LS.dcs-*: Input/output error" \
    "$(nth_rename "$(at "$LS")\)"):cannot replace $LS: Input/output error" \
    "$(nth_rename "$(at "$NS")\)"):cannot replace $NS: Input/output error"; do
    IFS=: read -r call n message <<<"$fault"
    new_image 5
    rm -rf "$work/bk9"
    expect_rc 1 "fault $call $n" -- env "$nolsan" strace -f -qq -o /dev/null -e trace=$call \
      -e inject=$call:error=EIO:when=$n "$dcs" apply --mode manual_proxy --proxy p:1 \
      --windows "$img" --all-services --backup-dir "$work/bk9"
    # (message is a pattern: the temporary file's name is random)
    if [[ $(cat "$work/err") == "dcs: apply: "$message"; no hive was changed" ]]; then ok; else
      fail "fault $call $n reported"; sed 's/^/  | /' "$work/err" >&2; fi
    for h in DEF LS NS; do same "${!h}" "$work/orig5/$h" "fault $call $n: $h byte-identical"; done
    for h in DEF LS NS; do
      if ls -A "$(dirname "${!h}")" | grep -q '\.dcs-'; then fail "fault $call $n left a temp file"; else ok; fi
    done
  done
fi

# 10. show names every account and hive, decode --hive reads one value
new_image 6
"$dcs" apply --mode manual_proxy --proxy p:9 --windows "$img" >/dev/null
expect_rc 0 "show" -- "$dcs" show --windows "$img"
contains "$work/out" 'LocalSystem (S-1-5-18, .DEFAULT) WINDOWS/system32/Config/default' "show labels LocalSystem"
contains "$work/out" 'Default user profile (template for new users; not .DEFAULT) users/Default/NTUSER.DAT' "show labels the Default profile"
contains "$work/out" "user ($SID_ALICE) users/alice/NTUSER.DAT" "show finds users through ProfileList"
expect_rc 0 "show --json" -- "$dcs" show --windows "$img" --json
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); k=[h["kind"] for h in d["hives"]]; assert k==["service","service","service","default-profile","user","machine","policy"], k' "$work/out" \
  && ok || fail "show --json kinds"
cat >"$work/set.hsh" <<'EOF'
cd \Software\Microsoft\Windows\CurrentVersion\Internet Settings
setval 2
ProxyEnable
dword:0
ProxyServer
string:p:9
commit
EOF
hivexsh -w -f "$work/set.hsh" "$LS" && ok || fail "hivexsh edit"
expect_rc 0 "show flags disagreement" -- "$dcs" show --windows "$img"
contains "$work/out" 'DISAGREE with the blob: *ProxyEnable$' "plain value disagreement flagged"
expect_rc 0 "decode --hive" -- "$dcs" decode --hive "$DEF" --json
contains "$work/out" '"proxy": "p:9"' "decode --hive"
expect_rc 1 "decode --hive missing value" -- "$dcs" decode --hive "$DEF" --value Nope

# 12. reg import / export: missing parents, deletions, prefix check, round trip
new_image 7
H=$work/imp.hive
install -m 0644 "$data/hivex-minimal" "$H"
printf 'Windows Registry Editor Version 5.00\r\n\r\n[HKEY_USERS\\S-1-5-19\\A\\B\\C]\r\n@="default"\r\n"Sz"="a \\"quoted\\" \\\\ path"\r\n"Dw"=dword:0000002a\r\n"Bin"=hex:01,02,03\r\n"Multi"=hex(7):61,00,00,00,62,00,00,00,00,00\r\n"Q"=hex(b):01,00,00,00,00,00,00,00\r\n"Gone"="x"\r\n\r\n[HKEY_USERS\\S-1-5-19\\A\\B\\C]\r\n"Gone"=-\r\n\r\n[hkey_users\\s-1-5-19\\Old\\Sub]\r\n\r\n[-HKEY_USERS\\S-1-5-19\\Old]\r\n\r\n' >"$work/in.reg"
expect_rc 0 "reg import" -- "$dcs" reg import --hive "$H" --prefix 'HKEY_USERS\S-1-5-19' "$work/in.reg"
hivexregedit --export "$H" '\' >"$work/imp.export" 2>/dev/null && ok || fail "hivexregedit --export after import"
contains "$work/imp.export" '^\[\\A\\B\\C\]' "imported key with missing parents"
contains "$work/imp.export" '"Dw"=dword:0000002a' "imported dword"
contains "$work/imp.export" '"Bin"=hex(3):01,02,03' "imported binary"
contains "$work/imp.export" '"Q"=hex(b):01,00,00,00,00,00,00,00' "imported qword"
if grep -q '"Gone"' "$work/imp.export"; then fail "value deletion not applied"; else ok; fi
if grep -q 'Old' "$work/imp.export"; then fail "key deletion not applied"; else ok; fi
[[ $(hivexget "$H" '\A\B\C' Sz) == 'a "quoted" \ path' ]] && ok || fail "imported string: $(hivexget "$H" '\A\B\C' Sz)"
cp "$H" "$work/imp.before"
printf 'Windows Registry Editor Version 5.00\r\n\r\n[HKEY_USERS\\S-1-5-19\\New]\r\n"v"="1"\r\n\r\n[HKEY_USERS\\S-1-5-20\\Other]\r\n"v"="1"\r\n\r\n' >"$work/outside.reg"
expect_rc 1 "key outside the prefix" -- "$dcs" reg import --hive "$H" --prefix 'HKEY_USERS\S-1-5-19' "$work/outside.reg"
contains "$work/err" 'outside.reg:6:1: key "HKEY_USERS\\S-1-5-20\\Other" is outside the prefix' "names the line"
same "$H" "$work/imp.before" "rejected import writes nothing"
# the input is mapped, not read: a file that shrinks while dcs reads it is an
# error naming it (exit 1), never a crash (SIGBUS), and the hive is untouched.
# strace holds dcs just after it mapped the file (-P: only that mmap is
# delayed) while the test cuts the file, so the loss is certain, not a race.
if command -v strace >/dev/null && strace -o /dev/null true 2>/dev/null; then # as section 9
  { printf 'Windows Registry Editor Version 5.00\r\n\r\n[HKEY_USERS\\S-1-5-19\\Big]\r\n'
    for i in $(seq 4000); do printf '"v%d"="%0100d"\r\n' "$i" "$i"; done; } >"$work/shrink.reg"
  set +e
  env "ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
    strace -qq -o /dev/null -P "$work/shrink.reg" -e trace=mmap -e inject=mmap:delay_exit=5000000 \
    "$dcs" reg import --hive "$H" --prefix 'HKEY_USERS\S-1-5-19' "$work/shrink.reg" >"$work/out" 2>"$work/err" &
  pid=$!
  for _ in $(seq 400); do # until dcs (strace's child) has the file mapped
    child=$(pgrep -P "$pid" || true)
    [[ -n $child ]] && grep -q 'shrink\.reg' "/proc/$child/maps" 2>/dev/null && break
    sleep 0.025
  done
  truncate -s 100 "$work/shrink.reg"
  wait "$pid"
  rc=$?
  set -e
  [[ $rc == 1 ]] && ok || fail "input cut while read: exit $rc, wanted 1"
  contains "$work/err" "shrink.reg: the file shrank while it was read (another program changed it); nothing was written" "names the cut input"
  same "$H" "$work/imp.before" "a cut input writes nothing"
fi
expect_rc 3 "reg import into a dirty hive" -- "$dcs" reg import --hive "$work/dirty1/NewDirtyHive" --prefix 'HKEY_USERS\X' "$work/in.reg"
# export, import the export into an empty hive, export again: identical
expect_rc 0 "reg export" -- "$dcs" reg export --hive "$H" --prefix 'HKEY_USERS\S-1-5-19' A -o "$work/a.reg"
head -c 2 "$work/a.reg" | od -An -tx1 | grep -q 'ff fe' && ok || fail "export is UTF-16LE with BOM"
install -m 0644 "$data/hivex-minimal" "$work/imp2.hive"
expect_rc 0 "re-import export" -- "$dcs" reg import --hive "$work/imp2.hive" --prefix 'HKEY_USERS\S-1-5-19' "$work/a.reg"
expect_rc 0 "export again" -- "$dcs" reg export --hive "$work/imp2.hive" --prefix 'HKEY_USERS\S-1-5-19' A -o "$work/a2.reg"
same "$work/a.reg" "$work/a2.reg" "export -> import -> export round trip"
# layout: regedit's as reged writes it (8-bit, CRLF, 80-column hex)
"$dcs" reg export --hive "$work/imp2.hive" --prefix 'HKEY_USERS\S-1-5-19' 'A' --encoding utf8 -o "$work/a8.reg"
if command -v reged >/dev/null; then
  reged -x "$work/imp2.hive" 'HKEY_USERS\S-1-5-19' '\A' "$work/a-reged.reg" >/dev/null 2>&1 || true
  same "$work/a8.reg" "$work/a-reged.reg" "export matches reged -x byte for byte"
fi

# 13. --from-reg (a user's exported Connections key) and its ambiguity rule
U=$img/users/alice/NTUSER.DAT
"$dcs" reg export --hive "$U" --prefix 'HKEY_CURRENT_USER' \
  'Software\Microsoft\Windows\CurrentVersion\Internet Settings\Connections' -o "$work/user.reg"
expect_rc 0 "--from-reg" -- "$dcs" apply --from-reg "$work/user.reg" --windows "$img"
[[ $(value_hex "$DEF" DefaultConnectionSettings) == "$(value_hex "$U" DefaultConnectionSettings)" ]] \
  && ok || fail "--from-reg copies DefaultConnectionSettings byte for byte"
[[ $(value_hex "$DEF" SavedLegacySettings) == "$(value_hex "$U" SavedLegacySettings)" ]] \
  && ok || fail "--from-reg copies SavedLegacySettings"
"$dcs" reg export --hive "$U" --prefix 'HKEY_USERS\S-1-5-21-9' \
  'Software\Microsoft\Windows\CurrentVersion\Internet Settings\Connections' --encoding utf8 -o "$work/u2.reg"
{ cat "$work/user.reg" | iconv -f UTF-16LE -t UTF-8 | sed '1s/^\xef\xbb\xbf//'; tail -n +2 "$work/u2.reg"; } >"$work/two.reg"
expect_rc 1 "ambiguous --from-reg" -- "$dcs" apply --from-reg "$work/two.reg" --windows "$img" --dry-run
contains "$work/err" 'candidate keys, name the one to use: ' "ambiguity lists the candidates"
contains "$work/err" '^dcs: apply: pick one with --key$' "ambiguity: the hint names --key"
expect_rc 0 "--from-reg --key" -- "$dcs" apply --from-reg "$work/two.reg" --windows "$img" --dry-run \
  --key 'HKEY_USERS\S-1-5-21-9\Software\Microsoft\Windows\CurrentVersion\Internet Settings\Connections'

# 14. --reg-out: regedit layout, read back by our reader, applied with dcs reg import
expect_rc 0 "--reg-out" -- "$dcs" apply --mode manual_proxy --proxy 'p:8' --bypass '<local>' \
  --reg-out "$work/live.reg" --all-services --winhttp
head -c 2 "$work/live.reg" | od -An -tx1 | grep -q 'ff fe' && ok || fail "--reg-out is UTF-16LE with BOM"
expect_rc 0 "--reg-out readable" -- "$dcs" reg dump --count "$work/live.reg"
"$dcs" apply --mode manual_proxy --proxy 'p:8' --reg-out "$work/live-nd.reg" --no-plain-values \
  --all-services --winhttp >/dev/null
expect_rc 0 "--reg-out converts to itself" -- "$dcs" reg convert "$work/live-nd.reg" -o "$work/live2.reg"
same "$work/live-nd.reg" "$work/live2.reg" "--reg-out is in regedit's exact layout and order"
iconv -f UTF-16LE -t UTF-8 "$work/live.reg" | tr -d '\r' >"$work/live.txt"
contains "$work/live.txt" '^\[HKEY_USERS\\S-1-5-20\\Software\\Microsoft\\Windows\\CurrentVersion\\Internet Settings\\Connections\]$' "--reg-out names NetworkService"
contains "$work/live.txt" '^"AutoConfigURL"=-$' "--reg-out deletes the unused plain value"
contains "$work/live.txt" '^\[HKEY_LOCAL_MACHINE\\SOFTWARE\\WOW6432Node\\Microsoft' "--reg-out WinHttpSettings"
python3 - "$work/live.txt" "$work/live18.reg" <<'EOF'
import sys
lines = open(sys.argv[1], encoding='utf-8').read().lstrip('\ufeff').split('\n')
out, keep = [lines[0], ''], False
for l in lines[1:]:
    if l.startswith('['):
        keep = l.startswith('[HKEY_USERS\\S-1-5-18\\')
    if keep:
        out.append(l)
open(sys.argv[2], 'w', newline='\r\n').write('\n'.join(out) + '\n')
EOF
install -m 0644 "$data/hivex-minimal" "$work/live18.hive"
expect_rc 0 "import the S-1-5-18 part" -- "$dcs" reg import --hive "$work/live18.hive" --prefix 'HKEY_USERS\S-1-5-18' "$work/live18.reg"
hivexget "$work/live18.hive" "$IS" ProxyServer | grep -qx 'p:8' && ok || fail "--reg-out data imported"

# 15. the undo .reg restores the values the apply changed
new_image 8
U=$img/users/alice/NTUSER.DAT
hivexregedit --export "$U" '\Software\Microsoft\Windows\CurrentVersion\Internet Settings' >"$work/u.before" 2>/dev/null
expect_rc 0 "apply to a user hive" -- "$dcs" apply --mode manual_proxy --proxy p:7 --bypass x \
  --windows "$img" --sid "$SID_ALICE" --backup-dir "$work/bk8"
undo=$(ls "$work"/bk8/*.undo.reg)
expect_rc 0 "import the undo .reg" -- "$dcs" reg import --hive "$U" --prefix "HKEY_USERS\\$SID_ALICE" "$undo"
hivexregedit --export "$U" '\Software\Microsoft\Windows\CurrentVersion\Internet Settings' >"$work/u.after" 2>/dev/null
same "$work/u.before" "$work/u.after" "undo .reg restores every changed value"
conn=$(ls "$work"/bk8/*.Connections.reg)
expect_rc 0 "Connections backup is a valid .reg" -- "$dcs" reg dump --count "$conn"
iconv -f UTF-16LE -t UTF-8 "$conn" | tr -d '\r' >"$work/conn.txt"
contains "$work/conn.txt" "^\\[HKEY_USERS\\\\$SID_ALICE\\\\Software.*Connections\\]$" "Connections backup names the account"
contains "$work/conn.txt" '^"SavedLegacySettings"=hex:46,00,00,00,0d,' "Connections backup holds the old values"

# 17. show without a SOFTWARE hive: the "Default User" and "All Users"
# junctions (symlinks on a mounted volume) are not user profiles
new_image 17
rm "$SW"
ln -s Default "$img/users/Default User"
ln -s alice "$img/users/All Users"
expect_rc 0 "show without SOFTWARE" -- "$dcs" show --windows "$img"
contains "$work/out" 'user alice (SID unknown: no SOFTWARE hive) users/alice/NTUSER.DAT' "show scans users/"
if grep -q 'Default User\|All Users' "$work/out"; then fail "a profile junction shown as a user"; else ok; fi

# 16. a hive reached through a symbolic link: the link's target is written
# (the link stays a link) and the logs beside the target are the ones judged
mkdir -p "$work/store" "$work/links"
cp "$data/hivex-minimal" "$work/store/NTUSER.DAT"
ln -s "$work/store/NTUSER.DAT" "$work/links/NTUSER.DAT"
expect_rc 0 "apply through a symlink" -- "$dcs" apply --mode manual_proxy --proxy p:16 \
  --hive "S-1-5-19=$work/links/NTUSER.DAT" --backup-dir "$work/bk16"
[[ -L $work/links/NTUSER.DAT ]] && ok || fail "the symlink was replaced by a file"
hivexget "$work/store/NTUSER.DAT" "$IS" ProxyServer | grep -qx 'p:16' && ok || fail "link target not written"
[[ ! -L $work/bk16/S-1-5-19-NTUSER.DAT ]] && ok || fail "the backup is the symlink, not the hive"
same "$work/bk16/S-1-5-19-NTUSER.DAT" "$data/hivex-minimal" "backup through a symlink: the old hive"
xz -dc "$data/regipy-transactions_ntuser.dat.log1.xz" >"$work/store/NTUSER.DAT.LOG1"
cp "$work/store/NTUSER.DAT" "$work/store.before"
expect_rc 3 "dirty log beside the link target" -- "$dcs" apply --mode no_proxy \
  --hive "S-1-5-19=$work/links/NTUSER.DAT" --backup-dir "$work/bk16b"
same "$work/store/NTUSER.DAT" "$work/store.before" "refused through the link: unchanged"

# 18. a ProfileImagePath that climbs out of the image ("..") is not followed:
# the hive outside stays as it was and the conventional path is used
new_image 18
mkdir -p "$work/outside18"
cp "$data/hivex-minimal" "$work/outside18/NTUSER.DAT"
printf 'Windows Registry Editor Version 5.00\r\n\r\n[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\ProfileList\\S-1-5-19]\r\n"ProfileImagePath"="C:\\\\..\\\\outside18"\r\n' >"$work/climb.reg"
expect_rc 0 "plant a climbing ProfileImagePath" -- "$dcs" reg import --hive "$SW" \
  --prefix 'HKEY_LOCAL_MACHINE\SOFTWARE' "$work/climb.reg"
expect_rc 0 "apply with a climbing ProfileList entry" -- "$dcs" apply --mode manual_proxy \
  --proxy p:18 --windows "$img" --backup-dir "$work/bk18"
same "$work/outside18/NTUSER.DAT" "$data/hivex-minimal" "the hive outside the image is untouched"
hivexget "$LS" "$IS" ProxyServer | grep -qx 'p:18' && ok || fail "LocalService's own hive not written"

# 19. show --json lists a service account whose hive is missing, with no hive
new_image 19
rm "$NS"
expect_rc 0 "show --json without NetworkService's hive" -- "$dcs" show --windows "$img" --json
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); h=[x for x in d["hives"] if x.get("sid")=="S-1-5-20"]; assert len(h)==1 and h[0]["hive"] is None and h[0]["kind"]=="service" and "NetworkService" in h[0]["error"], h' "$work/out" \
  && ok || fail "show --json lists the missing NetworkService"

# 20. one file named as two accounts' hives (two spellings, a hard link) is
# refused before anything is written, backups included
mkdir -p "$work/same20"
cp "$data/hivex-minimal" "$work/same20/H"
ln "$work/same20/H" "$work/same20/H2"
for second in "$work/same20/./H" "$work/same20/H2"; do
  expect_rc 1 "one file as two hives ($second)" -- "$dcs" apply --mode manual_proxy --proxy p:20 \
    --hive "S-1-5-18=$work/same20/H" --hive "S-1-5-19=$second" --backup-dir "$work/bk20"
  contains "$work/out" "is the same file as the hive of S-1-5-18" "names the other account"
  same "$work/same20/H" "$data/hivex-minimal" "shared file unchanged"
  [[ ! -e $work/bk20 ]] && ok || fail "a backup was written for a refused run"
done

# 11. usage errors
expect_rc 2 "no source" -- "$dcs" apply --windows "$img"
expect_rc 2 "two sources" -- "$dcs" apply --mode reset --from-blob x --windows "$img"
expect_rc 2 "no target" -- "$dcs" apply --mode reset
expect_rc 2 "bad mode" -- "$dcs" apply --mode sometimes --windows "$img"
expect_rc 2 "bad sid" -- "$dcs" apply --mode reset --sid S-x --windows "$img"
expect_rc 2 "bad sid in --hive" -- "$dcs" apply --mode reset --hive "x=$work/none"
contains "$work/err" "'x' is not a SID" "names the bad SID"
expect_rc 2 "manual_proxy without proxy" -- "$dcs" apply --mode manual_proxy --windows "$img"

echo "$checks checks, $fails failed"
[[ $fails == 0 ]]

#!/usr/bin/env bash
# End-to-end checks of dcs apply / show / decode --hive on a sample Windows
# image built from tests/data/hives, verified with an independent reader
# (hivexget from libhivex-bin) and byte comparisons.
# usage: cli_hive.sh PATH-TO-dcs
set -euo pipefail

dcs=$1
src=${DCS_SOURCE_ROOT:-$(cd "$(dirname "$0")/.." && pwd)}
data=$src/tests/data/hives
work=$(mktemp -d "${TMPDIR:-/tmp}/dcs-cli-hive.XXXXXX")
trap 'rm -rf "$work"' EXIT
fails=0
checks=0

ok() { checks=$((checks + 1)); }
fail() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }
expect_rc() { # expect_rc WANT DESCRIPTION -- command...
  local want=$1 what=$2; shift 3
  local rc=0
  "$@" >"$work/out" 2>"$work/err" || rc=$?
  if [[ $rc != "$want" ]]; then
    fail "$what: exit $rc, wanted $want"; sed 's/^/  | /' "$work/out" "$work/err" >&2
  else ok; fi
}
contains() { if grep -q -- "$2" "$1"; then ok; else fail "$3: '$2' not in $1"; sed 's/^/  | /' "$1" >&2; fi; }
same() { if cmp -s "$1" "$2"; then ok; else fail "$3: $1 differs from $2"; fi; }
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

# 9. a failure while committing the 2nd of 3 hives leaves all three as they were
for fault in commit:2 rename:2 rename:3; do
  new_image 5
  expect_rc 1 "fault $fault" -- env DCS_HIVE_FAULT=$fault "$dcs" apply \
    --mode manual_proxy --proxy p:1 --windows "$img" --all-services
  contains "$work/err" 'no hive was changed' "fault $fault reported"
  for h in DEF LS NS; do same "${!h}" "$work/orig5/$h" "fault $fault: $h byte-identical"; done
  for h in DEF LS NS; do
    if ls -A "$(dirname "${!h}")" | grep -q '\.dcs-'; then fail "fault $fault left a temp file"; else ok; fi
  done
done

# 10. show names every account and hive, decode --hive reads one value
new_image 6
"$dcs" apply --mode manual_proxy --proxy p:9 --windows "$img" >/dev/null
expect_rc 0 "show" -- "$dcs" show --windows "$img"
contains "$work/out" 'LocalSystem (S-1-5-18, .DEFAULT) WINDOWS/system32/Config/default' "show labels LocalSystem"
contains "$work/out" 'Default user profile (template for new users; not .DEFAULT) users/Default/NTUSER.DAT' "show labels the Default profile"
contains "$work/out" "user ($SID_ALICE) users/alice/NTUSER.DAT" "show finds users through ProfileList"
expect_rc 0 "show --json" -- "$dcs" show --windows "$img" --json
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); k=[h["kind"] for h in d["hives"]]; assert k==["service","service","service","default-profile","user","machine"], k' "$work/out" \
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

# 11. usage errors
expect_rc 2 "no source" -- "$dcs" apply --windows "$img"
expect_rc 2 "two sources" -- "$dcs" apply --mode reset --from-blob x --windows "$img"
expect_rc 2 "no target" -- "$dcs" apply --mode reset
expect_rc 2 "bad mode" -- "$dcs" apply --mode sometimes --windows "$img"
expect_rc 2 "bad sid" -- "$dcs" apply --mode reset --sid S-x --windows "$img"
expect_rc 2 "manual_proxy without proxy" -- "$dcs" apply --mode manual_proxy --windows "$img"

echo "$checks checks, $fails failures"
[[ $fails == 0 ]]

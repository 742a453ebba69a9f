#!/usr/bin/env bash
# Every place proxy settings live (issue 13), end to end on the sample image
# of make_places_image.sh: --machine (HKLM Connections + the policy),
# --default-profile, --all-users (all or nothing, missing hives listed),
# --gpp-out / --cmd-out read back by dcs decode, and --wim (replace and FUSE
# mount) compared with the same apply on a folder.  Results are read with
# hivex's own tools (hivexget, hivexregedit) and byte comparisons.
# usage: test_cli_places.sh PATH-TO-dcs
# exit 77 (skip) only for the WIM cases when this dcs has no wimlib and
# everything else passed.
set -euo pipefail

cli_name=places
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
mkimg=$src/tests/cli/make_places_image.sh
trap '[[ -n ${DCS_PLACES_KEEP:-} ]] || rm -rf "$work"' EXIT
# fixed strings here, not lib.sh's patterns
contains() { if grep -qF -- "$2" "$1"; then ok; else fail "$3: '$2' not in $1"; sed 's/^/  | /' "$1" >&2; fi; }
differs() { if cmp -s "$1" "$2"; then fail "$3: $1 unchanged"; else ok; fi; }
equal() { if [[ $1 == "$2" ]]; then ok; else fail "$3: '$1' != '$2'"; fi; }
hexof() { hivexget "$1" "$2" "$3" | od -An -v -tx1 | tr -d ' \n'; }
json() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); $1" "$work/out"; }

MC='\Microsoft\Windows\CurrentVersion\Internet Settings\Connections'
POL='\Policies\Microsoft\Windows\CurrentVersion\Internet Settings'
UC='\Software\Microsoft\Windows\CurrentVersion\Internet Settings\Connections'
SID_ALICE=S-1-5-21-1004336348-1177238915-682003330-1001
SID_CAROL=S-1-5-21-1004336348-1177238915-682003330-1003

img() { # img N [make_places_image options]: $I, the hives, copies of them in $O
  local n=$1; shift
  I=$work/img$n
  O=$work/orig$n
  "$mkimg" "$I" "$@"
  rm -rf "$O"; mkdir -p "$O"
  SW=$I/Windows/System32/config/SOFTWARE DEF=$I/Windows/System32/config/DEFAULT
  DP=$I/Users/Default/NTUSER.DAT AL=$I/Users/alice/NTUSER.DAT BOB=$I/Users/bob/NTUSER.DAT
  LS=$I/Windows/ServiceProfiles/LocalService/NTUSER.DAT
  for f in SW DEF DP AL BOB LS; do [[ -f ${!f} ]] && cp "${!f}" "$O/$f"; done
  return 0
}
# the source: the Default profile's own blob, copied byte for byte
img 0
SRC=$O/DP
SRC_HEX=$(hexof "$SRC" "$UC" DefaultConnectionSettings)
SRC_SAVED=$(hexof "$SRC" "$UC" SavedLegacySettings)

# 1. --machine: HKLM's Connections + ProxySettingsPerUser = 0, with a warning
img 1
expect_rc 0 "machine apply" -- "$dcs" apply --from-hive "$SRC" --windows "$I" --machine \
  --backup-dir "$work/bk1"
equal "$(hexof "$SW" "$MC" DefaultConnectionSettings)" "$SRC_HEX" "machine: HKLM DefaultConnectionSettings is the source's"
equal "$(hexof "$SW" "$MC" SavedLegacySettings)" "$SRC_SAVED" "machine: HKLM SavedLegacySettings is the source's"
hivexregedit --export "$SW" "$POL" >"$work/pol.reg"
contains "$work/pol.reg" '"ProxySettingsPerUser"=dword:00000000' "machine: the policy is REG_DWORD 0"
contains "$work/err" "ProxySettingsPerUser = 0 makes Windows use these machine-wide settings for every account: each user's own proxy settings (HKCU, the service accounts' too) are then ignored" "machine: the warning"
contains "$work/out" "machine-wide Connections + ProxySettingsPerUser=0 (HKLM\\SOFTWARE) Windows/System32/config/SOFTWARE" "machine: label"
for f in DEF DP AL BOB LS; do same "${!f}" "$O/$f" "machine: $f untouched"; done
iconv -f UTF-16LE -t UTF-8 "$work/bk1/SOFTWARE.undo.reg" >"$work/undo1.reg"
contains "$work/undo1.reg" '"ProxySettingsPerUser"=dword:00000001' "machine: the undo .reg puts the policy back"
same "$work/bk1/SOFTWARE" "$O/SW" "machine: the backup is the old SOFTWARE"
expect_rc 0 "machine check after apply" -- "$dcs" apply --from-hive "$SRC" --windows "$I" --machine --check --json
json 'assert d["outcome"]=="in-step" and [t["kind"] for t in d["targets"]]==["machine"], d'  && ok || fail "machine check json"
json 'v=[s for s in d["targets"][0]["values"] if s["value"]=="ProxySettingsPerUser"]; assert v[0]["kind"]=="policy", v' && ok || fail "machine: the policy step's kind"
# show: the policy, and every account's settings are then the machine's
expect_rc 0 "show after machine" -- "$dcs" show --windows "$I"
contains "$work/out" "ProxySettingsPerUser        0: every account uses the machine-wide settings instead of its own" "show: policy line"
n=$(grep -c "in force:                   the machine's DefaultConnectionSettings (HKLM, policy ProxySettingsPerUser=0), not this hive's" "$work/out" || true)
equal "$n" 6 "show: in force for 3 services, the Default profile, alice, bob"
expect_rc 0 "show json after machine" -- "$dcs" show --windows "$I" --json
json 'k=[(h["kind"], h.get("in_force")) for h in d["hives"]]; assert k==[("service","machine-wide")]*3+[("default-profile","machine-wide"),("user","machine-wide"),("user","machine-wide"),("machine",None),("policy","machine-wide")], k' && ok || fail "show json kinds and in_force"
json 'p=d["hives"][-1]; assert p["proxy_settings_per_user"]==0 and p["hive"]=="Windows/System32/config/SOFTWARE", p' && ok || fail "show json policy entry"
# before: the policy is 1, each account its own
img 1b
expect_rc 0 "show before machine" -- "$dcs" show --windows "$I" --json
json 'p=d["hives"][-1]; assert p["kind"]=="policy" and p["proxy_settings_per_user"]==1 and p["in_force"]=="own", p' && ok || fail "show json policy 1"
# --machine with --winhttp: one SOFTWARE target, both planned
expect_rc 0 "machine + winhttp dry run" -- "$dcs" apply --from-hive "$SRC" --windows "$I" --machine --winhttp --dry-run --json
json 'assert len(d["targets"])==1 and [s["value"] for s in d["targets"][0]["values"]]==["DefaultConnectionSettings","SavedLegacySettings","ProxySettingsPerUser","WinHttpSettings"], d["targets"]' && ok || fail "machine+winhttp: one target"

# 2. --default-profile: Users/Default/NTUSER.DAT, never .DEFAULT
img 2
expect_rc 0 "default profile apply" -- "$dcs" apply --mode manual_proxy --proxy dp.example:8080 \
  --windows "$I" --default-profile --backup-dir "$work/bk2"
differs "$DP" "$O/DP" "default profile: changed"
for f in DEF SW AL BOB LS; do same "${!f}" "$O/$f" "default profile: $f untouched"; done
equal "$(hivexget "$DP" '\Software\Microsoft\Windows\CurrentVersion\Internet Settings' ProxyServer)" dp.example:8080 "default profile: ProxyServer"
contains "$work/out" "Default user profile (template for new users; not .DEFAULT) Users/Default/NTUSER.DAT" "default profile: label"
[[ -f $work/bk2/DefaultProfile-NTUSER.DAT ]] && ok || fail "default profile: backup named DefaultProfile-NTUSER.DAT"
expect_rc 0 "default profile check json" -- "$dcs" apply --mode manual_proxy --proxy dp.example:8080 \
  --windows "$I" --default-profile --check --json
json 'assert [(t["kind"], t["sid"]) for t in d["targets"]]==[("default-profile", None)], d' && ok || fail "default profile: kind"

# 3. --all-users: every ProfileList user in one commit
img 3
expect_rc 0 "all users apply" -- "$dcs" apply --from-hive "$SRC" --windows "$I" --all-users --backup-dir "$work/bk3"
equal "$(hexof "$AL" "$UC" DefaultConnectionSettings)" "$SRC_HEX" "all users: alice"
equal "$(hexof "$BOB" "$UC" DefaultConnectionSettings)" "$SRC_HEX" "all users: bob"
for f in DEF SW DP LS; do same "${!f}" "$O/$f" "all users: $f untouched"; done
contains "$work/out" "applied: 2 hives changed, 0 unchanged" "all users: two hives"
# a ProfileList user without a hive: listed, and nothing is written
img 4 --missing-user
expect_rc 1 "all users with a missing hive" -- "$dcs" apply --from-hive "$SRC" --windows "$I" --all-users --json
json 'c=[t for t in d["targets"] if t["sid"]=="'$SID_CAROL'"]; assert len(c)==1 and c[0]["state"]=="error" and c[0]["hive"]=="(not found)" and d["outcome"]=="error", d' && ok || fail "missing user listed"
for f in AL BOB; do same "${!f}" "$O/$f" "missing user: $f untouched (all or nothing)"; done
# a locked hive (another process holds its lock): listed as an error, and
# nothing is written
img 4b
flock "$BOB" sleep 30 &
holder=$!
for _ in $(seq 50); do grep -q "^[0-9]*: FLOCK .* $holder " /proc/locks 2>/dev/null && break; sleep 0.1; done
expect_rc 1 "all users with a locked hive" -- "$dcs" --lock-wait 0.3 apply --from-hive "$SRC" --windows "$I" --all-users --json
kill "$holder" 2>/dev/null; wait "$holder" 2>/dev/null || true
json 'b=[t for t in d["targets"] if t["hive"]=="Users/bob/NTUSER.DAT"]; assert len(b)==1 and b[0]["state"]=="error" and "is locked by another process" in b[0]["error"], d' && ok || fail "locked user listed"
same "$AL" "$O/AL" "locked user: alice untouched (all or nothing)"
# without SOFTWARE: Users/*/NTUSER.DAT, with a warning
img 5 --no-software
expect_rc 0 "all users without SOFTWARE" -- "$dcs" apply --from-hive "$SRC" --windows "$I" --all-users --backup-dir "$work/bk5"
contains "$work/err" "has no Windows/System32/config/SOFTWARE: every user is a Users/*/NTUSER.DAT, without ProfileList to confirm it or give its SID" "no SOFTWARE: warning"
contains "$work/out" "user alice (SID unknown: no SOFTWARE hive) Users/alice/NTUSER.DAT" "no SOFTWARE: alice listed"
equal "$(hexof "$BOB" "$UC" DefaultConnectionSettings)" "$SRC_HEX" "no SOFTWARE: bob"
same "$DP" "$O/DP" "no SOFTWARE: the Default profile is not a user"
# every place at once, checked
img 6
expect_rc 4 "check every place" -- "$dcs" apply --from-hive "$SRC" --windows "$I" --all-services \
  --default-profile --all-users --machine --check --json
json 'assert [t["kind"] for t in d["targets"]]==["service","service","service","default-profile","user","user","machine"], [t["kind"] for t in d["targets"]]' && ok || fail "check: kinds of every place"
expect_rc 2 "default profile needs an image" -- "$dcs" apply --mode reset --reg-out "$work/x.reg" --default-profile
contains "$work/err" "--default-profile and --all-users need an image (--windows or --wim)" "usage: image needed"

# 4. where Windows lives: SystemRoot and the profiles from SOFTWARE, any
# letter case, still inside the image
img 8 --sysroot WINNT --profiles Profiles
mv "$I/WINNT" "$I/winnt"
expect_rc 0 "another SystemRoot and ProfilesDirectory" -- "$dcs" apply --from-hive "$SRC" --windows "$I" \
  --all-services --default-profile --all-users --machine --dry-run --json
json 'h=[t["hive"] for t in d["targets"]]; assert h==["winnt/System32/config/DEFAULT","winnt/ServiceProfiles/LocalService/NTUSER.DAT","winnt/ServiceProfiles/NetworkService/NTUSER.DAT","Profiles/Default/NTUSER.DAT","Profiles/alice/NTUSER.DAT","Profiles/bob/NTUSER.DAT","winnt/System32/config/SOFTWARE"] and all(t["state"]=="ok" for t in d["targets"]), h' && ok || fail "SystemRoot winnt, profiles in Profiles/"
img 9 --xp --sysroot WINDOWS
expect_rc 0 "XP layout" -- "$dcs" apply --mode manual_proxy --proxy xp.example:80 --windows "$I" --default-profile --all-users --backup-dir "$work/bk9"
DXP="$I/Documents and Settings/Default User/NTUSER.DAT"
equal "$(hivexget "$DXP" '\Software\Microsoft\Windows\CurrentVersion\Internet Settings' ProxyServer)" xp.example:80 "XP: the Default User profile"
equal "$(hivexget "$I/Documents and Settings/bob/NTUSER.DAT" '\Software\Microsoft\Windows\CurrentVersion\Internet Settings' ProxyServer)" xp.example:80 "XP: bob"
# a ProfileList Default that climbs out of the image is not followed
img 10 --profiles Profiles
mkdir -p "$work/outside/Default" && cp "$SRC" "$work/outside/Default/NTUSER.DAT"
printf 'cd \\Microsoft\\Windows NT\\CurrentVersion\\ProfileList\nsetval 1\nDefault\nexpandstring:%%SystemDrive%%\\..\\outside\\Default\ncommit\n' >"$work/up.hivexsh"
hivexsh -w -f "$work/up.hivexsh" "$SW" >/dev/null
expect_rc 1 "Default outside the image" -- "$dcs" apply --from-hive "$SRC" --windows "$I" --default-profile --json
json 't=d["targets"][0]; assert t["kind"]=="default-profile" and t["state"]=="error" and t["hive"]=="(not found)", t' && ok || fail "Default outside: not found"
same "$work/outside/Default/NTUSER.DAT" "$SRC" "Default outside: untouched"
# ... nor one whose link leads out: refused (exit 3), nothing written
ln -s "$work/outside" "$I/outside-link"
printf 'cd \\Microsoft\\Windows NT\\CurrentVersion\\ProfileList\nsetval 1\nDefault\nexpandstring:%%SystemDrive%%\\outside-link\\Default\ncommit\n' >"$work/up.hivexsh"
hivexsh -w -f "$work/up.hivexsh" "$SW" >/dev/null
expect_rc 3 "Default through a link out of the image" -- "$dcs" apply --from-hive "$SRC" --windows "$I" --default-profile --json
json 't=d["targets"][0]; assert t["state"]=="refused" and "leads outside" in t["error"], t' && ok || fail "Default link out: refused"
same "$work/outside/Default/NTUSER.DAT" "$SRC" "Default link out: untouched"

# 6. --gpp-out and --cmd-out: read back by dcs decode, bytes equal
expect_rc 0 "gpp and cmd out" -- "$dcs" apply --from-hive "$SRC" --sid S-1-5-18 --sid "$SID_ALICE" \
  --machine --gpp-out "$work/r.xml" --cmd-out "$work/r.cmd" --reg-out "$work/r.reg"
if [[ -s $work/err ]]; then fail "gpp and cmd out: unexpected stderr: $(cat "$work/err")"; else ok; fi
for f in r.xml r.cmd; do
  expect_rc 0 "decode $f" -- "$dcs" decode --json "$work/$f"
  python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
got = sorted((v["key"].lower(), v["value"], v["type"], v["data_hex"]) for v in d if "type" in v)
dels = sorted((v["key"].lower(), v["value"]) for v in d if v.get("action") == "delete")
open(sys.argv[2] + ".deleted", "w").write("".join("\t".join(x) + "\n" for x in dels))
print("\n".join("\t".join(x) for x in got))' "$work/out" "$work/$f" >"$work/$f.values"
  blobs=$(awk -F'\t' -v h="$SRC_HEX" '$2 == "DefaultConnectionSettings" && $4 == h' "$work/$f.values" | wc -l)
  equal "$blobs" 3 "$f: DefaultConnectionSettings of 2 accounts + HKLM equal the source's byte for byte"
  blobs=$(awk -F'\t' -v h="$SRC_SAVED" '$2 == "SavedLegacySettings" && $4 == h' "$work/$f.values" | wc -l)
  equal "$blobs" 3 "$f: SavedLegacySettings of 2 accounts + HKLM equal the source's byte for byte"
done
same "$work/r.xml.values" "$work/r.cmd.values" "Registry.xml and .cmd carry the same values"
"$dcs" reg dump --quiet "$work/r.reg" | awk -F'\t' '$1 == "set_value" { gsub(/"/, "", $3); print tolower($2) "\t" $3 "\t" $4 "\t" $5 }' |
  LC_ALL=C sort >"$work/reg.values"
same "$work/reg.values" "$work/r.xml.values" "the values set are the .reg's"
# and the values deleted too: the plain values the settings do not use
"$dcs" reg dump --quiet "$work/r.reg" | awk -F'\t' '$1 == "delete_value" { gsub(/"/, "", $3); print tolower($2) "\t" $3 }' |
  LC_ALL=C sort >"$work/reg.deleted"
[[ -s $work/reg.deleted ]] && ok || fail "the .reg deletes some plain values"
same "$work/reg.deleted" "$work/r.xml.deleted" "the values deleted are the .reg's (Registry.xml)"
same "$work/reg.deleted" "$work/r.cmd.deleted" "the values deleted are the .reg's (batch file)"
python3 - "$work/r.xml" <<'PY' && ok || fail "Registry.xml: well-formed with the [MS-GPPREF] attributes"
import re, sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
assert root.tag == "RegistrySettings" and root.get("clsid") == "{A3CCFC41-DFDB-43a5-8D26-0FE8B954DA51}"
items = root.findall("Registry")
# 2 accounts x (2 blobs + ProxyEnable), HKLM 2 blobs + policy; and per account
# the 3 plain values the settings do not use deleted (GPMC's D items)
acts = [r.find("Properties").get("action") for r in items]
assert acts.count("U") == 9 and acts.count("D") == 6, acts
for r in items:
    assert r.get("clsid") == "{9CD4B2F4-923D-47f5-A062-E897DD1DAD50}"
    assert re.fullmatch(r"\{[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}\}", r.get("uid"))
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", r.get("changed")) and r.get("name")
    p = r.find("Properties")
    assert p.get("action") in ("U", "D") and p.get("hive") in ("HKEY_USERS", "HKEY_LOCAL_MACHINE")
    assert p.get("action") == "U" or (p.get("type") == "REG_SZ" and p.get("value") == "" and r.get("image") == "8")
    assert p.get("type") in ("REG_BINARY", "REG_DWORD", "REG_SZ") and p.get("key") and p.get("name") is not None
    assert p.get("value") is not None
assert len({r.get("uid") for r in items}) == len(items)
PY
if command -v xmllint >/dev/null; then
  xmllint --noout "$work/r.xml" && ok || fail "xmllint: Registry.xml"
fi
contains "$work/r.cmd" 'reg add "HKLM\SOFTWARE\Policies\Microsoft\Windows\CurrentVersion\Internet Settings" /v "ProxySettingsPerUser" /t REG_DWORD /d 0 /f' "cmd: the policy line"

# 5. --wim: replace mode and FUSE mount, compared with the same apply on a folder
if "$dcs" apply --mode reset --wim "$work/none.wim" >"$work/out" 2>"$work/err"; then :; fi
if grep -qF "built without wimlib" "$work/err"; then
  contains "$work/err" "apply: --wim: this dcs was built without wimlib (meson -Dwim=enabled, with Debian's libwim-dev)" "no wimlib: apply says so"
  expect_rc 1 "show --wim without wimlib" -- "$dcs" show --wim "$work/none.wim"
  contains "$work/err" "show: --wim: this dcs was built without wimlib" "no wimlib: show says so"
  echo "cli_places: $checks checks, $fails failed; the WIM cases need wimlib"
  [[ $fails == 0 ]] && exit 77
  exit 1
fi
# wimlib is loaded on first use (dlopen), not linked: every other command
# starts without libwim and what it brings (libxml2, ICU, libstdc++, ...).
# A static dcs (meson static_cli) loads nothing at all, and runs dcs-wim
# for --wim: without it beside dcs (or installed), --wim says so.
if command -v readelf >/dev/null; then
  dcs_file=$(command -v "$dcs")
  readelf -d "$dcs_file" >"$work/needed"
  if ! grep -q NEEDED "$work/needed"; then
    readelf -l "$dcs_file" | grep -q INTERP && fail "dcs: no NEEDED, yet a dynamic loader" || ok
    [[ -x ${dcs_file%/*}/dcs-wim ]] && ok || fail "a static dcs without dcs-wim beside it"
    readelf -d "${dcs_file%/*}/dcs-wim" | grep -q NEEDED && ok || fail "dcs-wim is not dynamic"
    mkdir -p "$work/alone"
    cp "$dcs_file" "$work/alone/dcs"
    expect_rc 1 "static dcs, no dcs-wim" -- "$work/alone/dcs" show --wim "$work/none.wim"
    if grep -q "^dcs: show: --wim: cannot run .*/dcs-wim (this dcs is linked statically and reads WIM images through it): No such file or directory$" "$work/err"; then
      ok
    else
      fail "static dcs without dcs-wim: $(cat "$work/err")"
    fi
  else
    ! grep -q 'libwim' "$work/needed" && ok ||
      fail "dcs is linked with libwim: $(grep NEEDED "$work/needed" | tr -s ' ' | tr '\n' ' ')"
  fi
fi
if ! command -v wimcapture >/dev/null; then
  echo "cli_places: wimtools (wimcapture) not installed: the WIM cases are not run" >&2
  fails=$((fails + 1))
fi
img 7
wimcapture "$I" "$work/s.wim" sample >/dev/null
cp "$work/s.wim" "$work/s0.wim"
expect_rc 0 "show --wim" -- "$dcs" show --wim "$work/s.wim"
mv "$work/out" "$work/show-wim"
expect_rc 0 "show --windows" -- "$dcs" show --windows "$I"
same "$work/show-wim" "$work/out" "show --wim reads what show --windows reads"
same "$work/s.wim" "$work/s0.wim" "show --wim changes nothing"
expect_rc 4 "check --wim" -- "$dcs" apply --from-hive "$SRC" --wim "$work/s.wim" --all-users --machine --check
same "$work/s.wim" "$work/s0.wim" "check --wim changes nothing"
# the reference: the same apply on the folder
cp -a "$I" "$work/ref"
expect_rc 0 "reference apply" -- "$dcs" apply --from-hive "$SRC" --windows "$work/ref" --all-users --machine --default-profile --no-plain-values --backup-dir "$work/bkref"
compare_wim() { # what, wim: every hive's values equal the reference's
  rm -rf "$work/x"; mkdir "$work/x"
  wimextract "$2" 1 --dest-dir="$work/x" >/dev/null
  local rel
  for rel in Windows/System32/config/SOFTWARE Windows/System32/config/DEFAULT Users/Default/NTUSER.DAT \
    Users/alice/NTUSER.DAT Users/bob/NTUSER.DAT Windows/ServiceProfiles/LocalService/NTUSER.DAT; do
    hivexregedit --export "$work/x/$rel" '\' >"$work/x.reg"
    hivexregedit --export "$work/ref/$rel" '\' >"$work/ref.reg"
    same "$work/x.reg" "$work/ref.reg" "$1: $rel value by value"
  done
}
cp "$work/s0.wim" "$work/r.wim"
expect_rc 0 "apply --wim-replace" -- "$dcs" apply --from-hive "$SRC" --wim "$work/r.wim" --wim-replace \
  --all-users --machine --default-profile --no-plain-values
contains "$work/err" "--wim-replace: each changed hive is put back as a new file: its security descriptor, short (8.3) name and attributes are lost" "replace: the warning"
contains "$work/out" "replaced 3 files in $work/r.wim" "replace: three hives (the Default profile already had the source's settings)"
compare_wim "replace" "$work/r.wim"
ls -d "$work"/r.wim.dcs-backup-* >/dev/null 2>&1 && ok || fail "replace: backups beside the WIM"
if [[ $(id -u) == 0 && -w /dev/fuse ]] && command -v fusermount >/dev/null 2>&1 || [[ $(id -u) == 0 && -w /dev/fuse ]]; then
  cp "$work/s0.wim" "$work/m.wim"
  expect_rc 0 "apply --wim (FUSE mount)" -- "$dcs" apply --from-hive "$SRC" --wim "$work/m.wim" \
    --all-users --machine --default-profile --no-plain-values
  compare_wim "mount" "$work/m.wim"
else
  echo "cli_places: no FUSE here: the mount case is not run" >&2
fi
expect_rc 2 "wim-replace alone" -- "$dcs" apply --mode reset --windows "$I" --wim-replace
contains "$work/err" "--wim-replace goes with --wim" "usage: --wim-replace"

echo "cli_places: $checks checks, $fails failed"
[[ $fails == 0 ]]

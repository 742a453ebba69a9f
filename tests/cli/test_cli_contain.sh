#!/usr/bin/env bash
# Issue 10, point 2: everything dcs finds through --windows stays inside the
# image.  A symbolic link that leads outside (a hive, a directory on the way,
# a ProfileList path, the default backup directory) is refused with a message
# naming it (exit 3 for a target) and the files outside keep every byte; a
# link that stays inside (an NTFS junction of a mounted image, absolute or
# relative) still works.
# usage: test_cli_contain.sh PATH-TO-dcs
set -euo pipefail

cli_name=contain
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
work=$(realpath "$work") # messages name the root as the kernel sees it
has_line() { # has_line FILE LINE DESCRIPTION: LINE is one whole line of FILE
  if grep -qxF -- "$2" "$1"; then ok; else fail "$3: line not in $1: $2"; sed 's/^/  | /' "$1" >&2; fi
}
same() { if cmp -s "$1" "$2"; then ok; else fail "$3: $1 differs from $2"; fi; }
differs() { if cmp -s "$1" "$2"; then fail "$3: $1 unchanged"; else ok; fi; }

SID_BOB=S-1-5-21-1-2-3-1001

# An image with LocalSystem's and LocalService's hives and a SOFTWARE hive;
# $out is a directory outside it holding copies that must stay as they are.
new_image() {
  img=$work/img$1
  out=$work/out$1
  rm -rf "$img" "$out"
  mkdir -p "$img/Windows/System32/config" "$img/Windows/ServiceProfiles/LocalService" "$out"
  install -m 0644 "$data/hivex-minimal" "$img/Windows/System32/config/DEFAULT"
  install -m 0644 "$data/yarp-EmptyHive" "$img/Windows/ServiceProfiles/LocalService/NTUSER.DAT"
  install -m 0644 "$data/mini-SOFTWARE" "$img/Windows/System32/config/SOFTWARE"
  install -m 0644 "$data/hivex-minimal" "$out/DEFAULT"
  mkdir -p "$out/LocalService" "$out/bob" "$out/backup"
  install -m 0644 "$data/yarp-EmptyHive" "$out/LocalService/NTUSER.DAT"
  install -m 0644 "$data/yarp-EmptyHive" "$out/bob/NTUSER.DAT"
  cp -a "$out" "$work/orig$1"
}

# 1. DEFAULT is a symbolic link to a file outside: refused, exit 3, named
new_image 1
ln -sf "$out/DEFAULT" "$img/Windows/System32/config/DEFAULT"
expect_rc 3 "DEFAULT linked outside" -- "$dcs" apply --mode manual_proxy --proxy p:1 \
  --windows "$img" --sid S-1-5-18
has_line "$work/out" "LocalSystem (S-1-5-18, .DEFAULT) (refused)" "target shown refused"
has_line "$work/out" "  refused: LocalSystem (S-1-5-18): Windows/System32/config/DEFAULT: the symbolic link Windows/System32/config/DEFAULT leads outside $img (to $out/DEFAULT)" "DEFAULT: message"
has_line "$work/out" "refused: nothing was changed" "DEFAULT: outcome"
# issue 10 point 4: the per-target error on stderr too, also with --json
has_line "$work/err" "dcs: apply: refused: LocalSystem (S-1-5-18): Windows/System32/config/DEFAULT: the symbolic link Windows/System32/config/DEFAULT leads outside $img (to $out/DEFAULT)" "DEFAULT: stderr"
expect_rc 3 "DEFAULT linked outside (--json)" -- "$dcs" apply --mode manual_proxy --proxy p:1 \
  --windows "$img" --sid S-1-5-18 --json
has_line "$work/err" "dcs: apply: refused: LocalSystem (S-1-5-18): Windows/System32/config/DEFAULT: the symbolic link Windows/System32/config/DEFAULT leads outside $img (to $out/DEFAULT)" "DEFAULT: stderr with --json"
same "$out/DEFAULT" "$work/orig1/DEFAULT" "the file outside is untouched"
if ls "$out" | grep -q 'dcs-'; then fail "dcs left files outside: $(ls "$out")"; else ok; fi
# show names it too, and reads nothing outside
expect_rc 1 "show with DEFAULT linked outside (the report is incomplete)" -- "$dcs" show --windows "$img"
has_line "$work/out" "  refused: LocalSystem (S-1-5-18): Windows/System32/config/DEFAULT: the symbolic link Windows/System32/config/DEFAULT leads outside $img (to $out/DEFAULT)" "show: message"

# 2. Windows/ServiceProfiles is a relative link climbing out of the image
new_image 2
rm -rf "$img/Windows/ServiceProfiles"
ln -s "../../out2" "$img/Windows/ServiceProfiles"
expect_rc 3 "ServiceProfiles linked outside" -- "$dcs" apply --mode manual_proxy --proxy p:2 \
  --windows "$img" --sid S-1-5-19
has_line "$work/out" "  refused: LocalService (S-1-5-19): Windows/ServiceProfiles/LocalService/NTUSER.DAT: the symbolic link Windows/ServiceProfiles leads outside $img (to ../../out2)" "ServiceProfiles: message"
same "$out/LocalService/NTUSER.DAT" "$work/orig2/LocalService/NTUSER.DAT" "hive outside untouched"
# the same directory as an absolute link to the outside
rm "$img/Windows/ServiceProfiles"
ln -s "$out" "$img/Windows/ServiceProfiles"
expect_rc 3 "ServiceProfiles linked outside (absolute)" -- "$dcs" apply --mode manual_proxy \
  --proxy p:2 --windows "$img" --sid S-1-5-19
has_line "$work/out" "  refused: LocalService (S-1-5-19): Windows/ServiceProfiles/LocalService/NTUSER.DAT: the symbolic link Windows/ServiceProfiles leads outside $img (to $out)" "absolute ServiceProfiles: message"
same "$out/LocalService/NTUSER.DAT" "$work/orig2/LocalService/NTUSER.DAT" "hive outside untouched (absolute)"

# 3. links that stay inside work: an NTFS junction of an image mounted at
# $img reads "$img/Other" (the root's own path), or "/Other" (from the root)
for form in mounted rooted relative; do
  new_image 3
  mkdir -p "$img/Other/LocalService"
  mv "$img/Windows/ServiceProfiles/LocalService/NTUSER.DAT" "$img/Other/LocalService/NTUSER.DAT"
  cp "$img/Other/LocalService/NTUSER.DAT" "$work/ls3.before"
  rm -rf "$img/Windows/ServiceProfiles"
  case $form in
    mounted) ln -s "$img/Other" "$img/Windows/ServiceProfiles" ;;
    rooted) ln -s "/Other" "$img/Windows/ServiceProfiles" ;;
    relative) ln -s "../Other" "$img/Windows/ServiceProfiles" ;;
  esac
  expect_rc 0 "junction inside the image ($form)" -- "$dcs" apply --mode manual_proxy --proxy p:3 \
    --windows "$img" --sid S-1-5-19 --backup-dir "$work/bk3$form"
  has_line "$work/out" "LocalService (S-1-5-19) Other/LocalService/NTUSER.DAT" "junction ($form): the hive it leads to"
  differs "$img/Other/LocalService/NTUSER.DAT" "$work/ls3.before" "junction ($form): hive written"
  [[ -L $img/Windows/ServiceProfiles ]] && ok || fail "junction ($form) replaced"
done

# 4. a ProfileList path through a link out of the image: that user refused
new_image 4
printf 'Windows Registry Editor Version 5.00\r\n\r\n[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\ProfileList\\%s]\r\n"ProfileImagePath"="C:\\\\Users\\\\bob"\r\n' "$SID_BOB" >"$work/bob.reg"
expect_rc 0 "plant bob's ProfileList entry" -- "$dcs" reg import --hive "$img/Windows/System32/config/SOFTWARE" \
  --prefix 'HKEY_LOCAL_MACHINE\SOFTWARE' "$work/bob.reg"
mkdir -p "$img/Users"
ln -s "$out/bob" "$img/Users/bob"
expect_rc 3 "ProfileList path linked outside" -- "$dcs" apply --mode manual_proxy --proxy p:4 \
  --windows "$img" --sid "$SID_BOB"
has_line "$work/out" "  refused: $SID_BOB: Users/bob/NTUSER.DAT: the symbolic link Users/bob leads outside $img (to $out/bob)" "ProfileList: message"
same "$out/bob/NTUSER.DAT" "$work/orig4/bob/NTUSER.DAT" "user hive outside untouched"
expect_rc 1 "show with a user linked outside (the report is incomplete)" -- "$dcs" show --windows "$img"
has_line "$work/out" "user ($SID_BOB) (refused)" "show lists the refused user"
has_line "$work/out" "  refused: Users/bob/NTUSER.DAT: the symbolic link Users/bob leads outside $img (to $out/bob)" "show: the user's message"

# 5. the default backup directory: a link planted at its name (every name
# of the next seconds) is not followed out of the image
new_image 5
now=$(date -u +%s)
for s in 0 1 2 3 4 5 6 7 8 9; do
  ln -s "$out/backup" "$img/Windows/System32/config/dcs-backup-$(date -u -d "@$((now + s))" +%Y%m%dT%H%M%SZ)"
done
cp "$img/Windows/System32/config/DEFAULT" "$work/def5.before"
expect_rc 1 "backup directory linked outside" -- "$dcs" apply --mode manual_proxy --proxy p:5 \
  --windows "$img" --sid S-1-5-18
stamp=$(sed -n 's/.*config\/dcs-backup-\([0-9T]*Z\): the symbolic link.*/\1/p' "$work/err" | head -n1)
has_line "$work/err" "dcs: apply: backup failed, nothing changed: Windows/System32/config/dcs-backup-$stamp: the symbolic link Windows/System32/config/dcs-backup-$stamp leads outside $img (to $out/backup)" "backup: message"
same "$img/Windows/System32/config/DEFAULT" "$work/def5.before" "backup refused: hive unchanged"
[[ -z $(ls -A "$out/backup") ]] && ok || fail "backup written outside: $(ls "$out/backup")"

# 6. a transaction log that is a link outside is not read
new_image 6
echo secret >"$out/log"
ln -s "$out/log" "$img/Windows/System32/config/DEFAULT.LOG1"
expect_rc 3 "log linked outside" -- "$dcs" apply --mode manual_proxy --proxy p:6 \
  --windows "$img" --sid S-1-5-18 --backup-dir "$work/bk6"
[[ $(cat "$out/log") == secret && -L $img/Windows/System32/config/DEFAULT.LOG1 ]] && ok ||
  fail "the log outside or its link changed"

# 7. an image root that does not exist
expect_rc 1 "show of a missing image" -- "$dcs" show --windows "$work/nonexistent"
has_line "$work/err" "dcs: show: cannot open the image $work/nonexistent: No such file or directory" "missing image: message"

echo "$checks checks, $fails failures"
[[ $fails == 0 ]]

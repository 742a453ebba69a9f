#!/usr/bin/env bash
# Issue 10, points 4, 6 and 8: hostile inputs and failing runs, each
# reproducer with its message asserted in full.
# usage: test_cli_hostile.sh PATH-TO-dcs
set -euo pipefail

dcs=$1
src=${DCS_SOURCE_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
data=$src/tests/data/hives
work=$(mktemp -d "${TMPDIR:-/tmp}/dcs-hostile.XXXXXX")
work=$(realpath "$work")
small=$work/small
cleanup() {
  if mountpoint -q "$small" 2>/dev/null; then umount "$small"; fi
  rm -rf "$work"
}
trap cleanup EXIT
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
[[ ! -e $work/bk ]] && ok || fail "a refused list left a backup directory"

# -- point 4: a run whose commit fails (no space left for the journal on a
# small tmpfs) says nothing changed, and leaves no backup or undo .reg behind
if [[ $(id -u) != 0 ]]; then
  echo "not root: the full-disk case needs a tmpfs mount (skipped)"
elif mkdir -p "$small" && mount -t tmpfs -o size=128k tmpfs "$small"; then
  mkdir -p "$small/Windows/System32/config"
  cp "$data/hivex-minimal" "$small/Windows/System32/config/DEFAULT"
  dd if=/dev/zero of="$small/fill" bs=1k count=1000 2>/dev/null || true
  expect_rc 1 "commit on a full disk" -- "$dcs" apply --mode manual_proxy --proxy p:1 \
    --windows "$small" --sid S-1-5-18 --backup-dir "$work/bk4"
  same_text "$work/err" "dcs: apply: cannot write the commit journal $small/Windows/System32/config/DEFAULT.dcs-journal.new: No space left on device; no hive was changed" "full disk: message"
  cmp -s "$small/Windows/System32/config/DEFAULT" "$data/hivex-minimal" && ok ||
    fail "full disk: the hive changed"
  [[ -z $(ls -A "$work/bk4") ]] && ok || fail "full disk: backups left behind: $(ls "$work/bk4")"
  [[ -z $(find "$small" -name '*.dcs-*') ]] && ok || fail "full disk: leftovers in the image"
  # the default backup directory beside the hive: made, then removed again
  rm -f "$small/fill"
  dd if=/dev/zero of="$small/fill" bs=1k count=$(( $(df -k --output=avail "$small" | tail -1) - 20 )) 2>/dev/null || true
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
check_pac $'http://a/p.pac\nx' "dcs: apply: source: offset 14: the PAC URL has a control character 0x0a"
check_pac $'http://a/\x7f' "dcs: apply: source: offset 9: the PAC URL has a control character 0x7f"
check_pac "http://a/$(printf 'a%.0s' {1..2075})" "dcs: apply: source: the PAC URL is 2084 bytes long: WinINET takes at most 2083"
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

echo "$checks checks, $fails failures"
[[ $fails == 0 ]]

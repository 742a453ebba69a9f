#!/usr/bin/env bash
# End-to-end checks of `dcs hive recover` on Windows' own dirty hives
# (tests/data/hives/yarp-*, regipy-*): exit codes, -o leaves the inputs
# untouched byte for byte, the in-place run backs up hive and logs and
# leaves the logs, the JSON shape, nothing written on a refusal; hivexget
# (libhivex-bin) reads the results independently.
# usage: test_cli_recover.sh PATH-TO-dcs
set -euo pipefail

cli_name=recover
# shellcheck source=tests/cli/lib.sh
. "$(dirname "$0")/lib.sh"
absent() { if [[ -e $1 ]]; then fail "$2: $1 exists"; else ok; fi; }
# every file of a directory, with its checksum: to prove nothing changed
snapshot() { (cd "$1" && find . -type f -print0 | sort -z | xargs -0 sha256sum); }

new_set() { # new_set DIR: NewDirtyHive with its logs, in mixed letter case
  mkdir -p "$1"
  cp "$data/yarp-NewDirtyHive1/NewDirtyHive" "$1/NewDirtyHive"
  cp "$data/yarp-NewDirtyHive1/NewDirtyHive.LOG1" "$1/newdirtyhive.log1"
  cp "$data/yarp-NewDirtyHive1/NewDirtyHive.LOG2" "$1/NEWDIRTYHIVE.Log2"
  chmod 0640 "$1/NewDirtyHive"
}
WIN10=$data/yarp-NewDirtyHive1/RecoveredHive_Windows10

# 1. -o: byte-identical to Windows 10's own recovery, inputs untouched
new_set "$work/a"
snapshot "$work/a" >"$work/a.before"
expect_rc 0 "recover -o" -- "$dcs" hive recover "$work/a/NewDirtyHive" -o "$work/out.hive"
same "$work/out.hive" "$WIN10" "recover -o output"
snapshot "$work/a" >"$work/a.after"
same "$work/a.before" "$work/a.after" "recover -o leaves the hive and logs"
contains "$work/out" "recovered (new format): 4 log entries applied, sequence 3/2 -> 6/6" "text report"
expect_rc 0 "hivexget reads the recovered key" -- hivexget "$work/out.hive" '\Key3\Key3_1'

# 2. --json shape
expect_rc 0 "recover --json" -- "$dcs" hive recover --json "$work/a/NewDirtyHive" -o "$work/out2.hive"
tr -d ' \n' <"$work/out" >"$work/json"
contains "$work/json" "\"hive\":\"$work/a/NewDirtyHive\",\"state\":\"recovered\",\"entries_applied\":4,\"logs\":\[" "json head"
contains "$work/json" "{\"path\":\"$work/a/newdirtyhive.log1\",\"entries_applied\":1," "json log1"
contains "$work/json" "{\"path\":\"$work/a/NEWDIRTYHIVE.Log2\",\"entries_applied\":3," "json log2"
contains "$work/json" '"sequence":\[3,2\],"sequence_after":\[6,6\],"format":"new","rule":null,"error":null}' "json tail"

# 3. a recovered hive is clean: -o copies it byte for byte, in place writes nothing
expect_rc 0 "recover a clean hive" -- "$dcs" hive recover --json "$work/out.hive" -o "$work/out3.hive"
same "$work/out3.hive" "$work/out.hive" "clean hive copied"
tr -d ' \n' <"$work/out" >"$work/json"
contains "$work/json" '"state":"clean","entries_applied":0,"logs":\[\],"sequence":\[6,6\]' "json clean"
cp "$work/out.hive" "$work/clean.hive"
expect_rc 0 "recover a clean hive in place" -- "$dcs" hive recover "$work/clean.hive" --backup-dir "$work/nobk"
same "$work/clean.hive" "$WIN10" "clean hive in place untouched"
absent "$work/nobk" "no backup for a clean hive"

# 4. in place: backups of hive and logs, the logs stay, the hive is Windows'
new_set "$work/b"
expect_rc 0 "recover in place" -- "$dcs" hive recover "$work/b/NewDirtyHive" --backup-dir "$work/bk"
same "$work/b/NewDirtyHive" "$WIN10" "in place result"
same "$work/bk/NewDirtyHive" "$data/yarp-NewDirtyHive1/NewDirtyHive" "backup of the hive"
same "$work/bk/newdirtyhive.log1" "$data/yarp-NewDirtyHive1/NewDirtyHive.LOG1" "backup of .LOG1"
same "$work/bk/NEWDIRTYHIVE.Log2" "$data/yarp-NewDirtyHive1/NewDirtyHive.LOG2" "backup of .LOG2"
same "$work/b/newdirtyhive.log1" "$data/yarp-NewDirtyHive1/NewDirtyHive.LOG1" "log1 left as it was"
same "$work/b/NEWDIRTYHIVE.Log2" "$data/yarp-NewDirtyHive1/NewDirtyHive.LOG2" "log2 left as it was"
if [[ $(stat -c %a "$work/b/NewDirtyHive") == 640 ]]; then ok; else fail "mode of the hive kept"; fi
# and the rest of dcs now sees a clean hive whose logs are applied
expect_rc 0 "recovered again: clean" -- "$dcs" hive recover "$work/b/NewDirtyHive" -o "$work/b2.hive"
contains "$work/out" "clean (sequence 6/6)" "in-place result is clean"
# default backup directory: dcs-backup-STAMP beside the hive
new_set "$work/c"
expect_rc 0 "recover in place, default backups" -- "$dcs" hive recover "$work/c/NewDirtyHive"
if compgen -G "$work/c/dcs-backup-*/NewDirtyHive" >/dev/null; then ok; else fail "default backup dir"; fi

# a hive another dcs process holds (the lock of lock.h, an flock of the
# file): a bounded wait, then exit 1 with nothing written and no backup
new_set "$work/l"
snapshot "$work/l" >"$work/l.before"
flock "$work/l/NewDirtyHive" sleep 30 &
holder=$!
sleep 0.3
expect_rc 1 "in place, hive locked" -- "$dcs" --lock-wait 0.3 hive recover "$work/l/NewDirtyHive" --backup-dir "$work/lbk"
contains "$work/err" "NewDirtyHive is locked by another process (pid $holder) and was still locked after 0.300 s" "locked: message"
kill "$holder" 2>/dev/null || true
wait "$holder" 2>/dev/null || true
absent "$work/lbk" "locked: no backup"
snapshot "$work/l" >"$work/l.after"
same "$work/l.before" "$work/l.after" "locked: hive and logs untouched"
# the replace fails after the backups were made (the hive's directory is
# immutable: even root cannot create the temporary file): the backups are
# removed again, the hive is untouched (skipped where chattr +i is refused)
new_set "$work/i"
snapshot "$work/i" >"$work/i.before"
if chattr +i "$work/i" 2>/dev/null; then
  expect_rc 1 "in place, replace fails" -- "$dcs" hive recover "$work/i/NewDirtyHive" --backup-dir "$work/ibk"
  chattr -i "$work/i"
  contains "$work/err" "NewDirtyHive" "replace failure names the hive"
  absent "$work/ibk" "replace failed: no backup left"
  snapshot "$work/i" >"$work/i.after"
  same "$work/i.before" "$work/i.after" "replace failed: hive and logs untouched"
else
  echo "skip: chattr +i not supported on $work (replace-failure case)"
fi

# 5. old format (Windows 7): keys and values as Windows 7 left them
mkdir -p "$work/old"
cp "$data/yarp-OldDirtyHive/OldDirtyHive" "$data/yarp-OldDirtyHive/OldDirtyHive.LOG1" "$work/old/"
expect_rc 0 "recover old format" -- "$dcs" hive recover "$work/old/OldDirtyHive" -o "$work/old.hive"
contains "$work/out" "recovered (old format): 64 dirty pages applied, sequence 5/4 -> 6/6" "old text"
K='\key_with_many_subkeys\5000\find_me_in_log'
expect_rc 0 "old: key from the log" -- hivexget "$work/old.hive" "$K"
expect_rc 1 "old: key not in the stale primary" -- hivexget "$work/old/OldDirtyHive" "$K"

# 6. refusals: exit 3, nothing written, inputs untouched
new_set "$work/r"
rm "$work/r/newdirtyhive.log1"                       # entries 2 lost: a gap
snapshot "$work/r" >"$work/r.before"
expect_rc 3 "refuse a gap (-o)" -- "$dcs" hive recover "$work/r/NewDirtyHive" -o "$work/r.out"
contains "$work/err" "refused (gap): .LOG2 starts at entry 3 but the primary's next is 2" "gap message"
absent "$work/r.out" "nothing written on refusal"
expect_rc 3 "refuse a gap (in place)" -- "$dcs" hive recover --json "$work/r/NewDirtyHive" --backup-dir "$work/rbk"
tr -d ' \n' <"$work/out" >"$work/json"
contains "$work/json" '"state":"refused","entries_applied":0,' "json refused"
contains "$work/json" '"rule":"gap","error":"refused(gap):' "json rule"
absent "$work/rbk" "no backup on refusal"
snapshot "$work/r" >"$work/r.after"
same "$work/r.before" "$work/r.after" "refused: inputs untouched"
# a damaged entry with a valid one behind it
new_set "$work/d"
printf '\x55' | dd of="$work/d/NEWDIRTYHIVE.Log2" bs=1 seek=$((0x2800)) conv=notrunc status=none
expect_rc 3 "refuse an unreachable entry" -- "$dcs" hive recover "$work/d/NewDirtyHive" -o "$work/d.out"
contains "$work/err" "refused (unreached-entry)" "unreached message"
absent "$work/d.out" "nothing written (unreached)"
# two spellings of one log
new_set "$work/e"
cp "$work/e/newdirtyhive.log1" "$work/e/NewDirtyHive.LOG1"
expect_rc 3 "refuse ambiguous logs" -- "$dcs" hive recover "$work/e/NewDirtyHive" -o "$work/e.out"
contains "$work/err" "ambiguous-logs" "ambiguous message"
absent "$work/e.out" "nothing written (ambiguous)"

# 7. not a hive: exit 1; usage: exit 2; OUT naming an input: refused, nothing touched
head -c 8192 /dev/zero | tr '\0' 'A' >"$work/junk"
expect_rc 1 "not a hive" -- "$dcs" hive recover "$work/junk" -o "$work/junk.out"
absent "$work/junk.out" "nothing written (not a hive)"
expect_rc 1 "a log is not a primary" -- "$dcs" hive recover "$work/a/newdirtyhive.log1" -o "$work/junk.out"
expect_rc 1 "missing hive" -- "$dcs" hive recover "$work/none" -o "$work/junk.out"
expect_rc 2 "no HIVE" -- "$dcs" hive recover
expect_rc 2 "unknown subcommand" -- "$dcs" hive frobnicate
expect_rc 0 "help" -- "$dcs" hive recover --help
new_set "$work/f"
snapshot "$work/f" >"$work/f.before"
expect_rc 1 "OUT is the hive" -- "$dcs" hive recover "$work/f/NewDirtyHive" -o "$work/f/NewDirtyHive"
expect_rc 1 "OUT is a log" -- "$dcs" hive recover "$work/f/NewDirtyHive" -o "$work/f/newdirtyhive.log1"
snapshot "$work/f" >"$work/f.after"
same "$work/f.before" "$work/f.after" "OUT naming an input: untouched"

# 8. reg export, decode --hive and show read a dirty hive with its logs replayed in memory
new_set "$work/m"
snapshot "$work/m" >"$work/m.before"
expect_rc 0 "reg export of a dirty hive" -- "$dcs" reg export --hive "$work/m/NewDirtyHive" --prefix 'HKEY_USERS\X' --encoding utf8
contains "$work/out" '^\[HKEY_USERS\\X\\Key3\\Key3_2\]' "export holds the logged keys"
contains "$work/err" "exported with its transaction logs replayed in memory (4 entries)" "export says so"
expect_rc 1 "decode --hive of a dirty hive without the value" -- "$dcs" decode --hive "$work/m/NewDirtyHive"
contains "$work/err" "read with its transaction logs replayed in memory (4 entries)" "decode --hive says so"
snapshot "$work/m" >"$work/m.after"
same "$work/m.before" "$work/m.after" "reading a dirty hive changes nothing"

# 9. dcs apply: a dirty target is refused and the message names --recover; with
# --recover its logs are replayed and the edit lands on the recovered hive, in one
# commit, with hive and logs in the backup and the logs left in place
new_set "$work/p"
cp "$work/p/NewDirtyHive" "$work/p.orig"
expect_rc 3 "apply refuses a dirty hive" -- "$dcs" apply --mode no_proxy --hive "S-1-5-18=$work/p/NewDirtyHive"
contains "$work/out" "(recovery replays its logs, forced mode discards them)" "refusal names the modes"
contains "$work/out" "^  hint:    --recover replays its logs, --force discards them$" "refusal hint names --recover"
same "$work/p/NewDirtyHive" "$work/p.orig" "refused: untouched"
expect_rc 0 "apply --recover --dry-run" -- "$dcs" apply --mode no_proxy --hive "S-1-5-18=$work/p/NewDirtyHive" --recover --dry-run
same "$work/p/NewDirtyHive" "$work/p.orig" "dry run: untouched"
expect_rc 0 "apply --recover" -- "$dcs" apply --mode no_proxy --hive "S-1-5-18=$work/p/NewDirtyHive" --recover --backup-dir "$work/pbk"
contains "$work/err" "read and written with its transaction logs replayed (4 entries)" "apply --recover says so"
expect_rc 0 "applied hive holds the logged keys" -- hivexget "$work/p/NewDirtyHive" '\Key3\Key3_1'
expect_rc 0 "applied hive holds the new value" -- hivexget "$work/p/NewDirtyHive" '\Software\Microsoft\Windows\CurrentVersion\Internet Settings\Connections' DefaultConnectionSettings
same "$work/pbk/S-1-5-18-NewDirtyHive" "$work/p.orig" "apply --recover: hive in the backup"
same "$work/pbk/S-1-5-18-NewDirtyHive.Log2" "$data/yarp-NewDirtyHive1/NewDirtyHive.LOG2" "apply --recover: log in the backup"
same "$work/p/NEWDIRTYHIVE.Log2" "$data/yarp-NewDirtyHive1/NewDirtyHive.LOG2" "apply --recover: log left in place"
expect_rc 0 "after apply --recover the hive is clean" -- "$dcs" apply --mode no_proxy --hive "S-1-5-18=$work/p/NewDirtyHive" --check
rm "$work/p/newdirtyhive.log1"
cp "$work/p.orig" "$work/p/NewDirtyHive"
expect_rc 3 "apply --recover with a gap" -- "$dcs" apply --mode no_proxy --hive "S-1-5-18=$work/p/NewDirtyHive" --recover
contains "$work/out" "(its logs cannot be replayed safely): $work/p/NewDirtyHive is dirty: its logs cannot be replayed: refused (gap)" "apply --recover names the rule"
contains "$work/out" "^  hint:    --force writes it anyway; its pending log changes are lost$" "apply --recover refused: hint names --force"
same "$work/p/NewDirtyHive" "$work/p.orig" "apply --recover refused: untouched"

# 10. regipy's real dirty NTUSER.DAT: lower-case logs, a stale .LOG2, growth
if command -v xz >/dev/null; then
  mkdir -p "$work/g"
  xz -dc "$data/regipy-transactions_NTUSER.DAT.xz" >"$work/g/NTUSER.DAT"
  xz -dc "$data/regipy-transactions_ntuser.dat.log1.xz" >"$work/g/ntuser.dat.log1"
  xz -dc "$data/regipy-transactions_ntuser.dat.log2.xz" >"$work/g/ntuser.dat.log2"
  expect_rc 0 "recover regipy" -- "$dcs" hive recover --json "$work/g/NTUSER.DAT" -o "$work/g.out"
  tr -d ' \n' <"$work/out" >"$work/json"
  contains "$work/json" '"entries_applied":23,' "regipy entries"
  contains "$work/json" "{\"path\":\"$work/g/ntuser.dat.log2\",\"entries_applied\":0,\"stale\":true}" "regipy stale log2"
fi

echo "$checks checks, $fails failed"
[[ $fails == 0 ]]

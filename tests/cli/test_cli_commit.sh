#!/usr/bin/env bash
# End-to-end checks of the all-or-nothing commit, its journal and the locks,
# on the sample image of tools/sample-image.sh:
#  1. `dcs apply --windows IMG --all-services` killed (strace -e inject=...
#     :signal=KILL) at every rename, fsync, unlink, link, open and write in
#     turn; then `dcs show --windows IMG` leaves the three hives all old or
#     all new, nothing beside them, and says what it did, word for word;
#  2. the recovery itself killed at each of its renames and unlinks: the
#     run after it still settles everything;
#  3. failing calls (strace error=EIO): a failed 2nd rename is undone
#     (exit 1, "no hive was changed"); a failed undo is exit 5 naming each
#     hive's state, and the next show finishes the commit;
#  4. 20 `dcs apply` and 20 `dcs reg import` at once on one hive, each
#     adding its own value: all 40 values are there at the end;
#  5. a hive locked by another process: bounded wait, the holder named.
# usage: test_cli_commit.sh PATH-TO-dcs    (exit 77 = skipped: no strace)
set -euo pipefail

dcs=$1
src=${DCS_SOURCE_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
data=$src/tests/data/hives
if ! command -v strace >/dev/null || ! strace -f -o /dev/null true 2>/dev/null ||
   ! command -v hivexget >/dev/null; then
  echo "SKIP: strace (or hivexget) is missing, or strace cannot trace here"
  exit 77
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/dcs-cli-commit.XXXXXX")
work=$(cd "$work" && pwd -P)
trap 'rm -rf "$work"' EXIT
fails=0
checks=0
# LeakSanitizer (sanitizer builds) cannot work under ptrace
nolsan=ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 # the last setting wins
ok() { checks=$((checks + 1)); }
fail() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }
same_text() { # same_text FILE EXPECTED DESCRIPTION
  if [[ $(cat "$1") == "$2" ]]; then ok; else
    fail "$3"; echo "  wanted: $2" >&2; sed 's/^/  got:    /' "$1" >&2; fi
}

# The sample image (tools/sample-image.sh's layout).
tpl=$work/template
mkdir -p "$tpl/Windows/System32/config" "$tpl/Windows/ServiceProfiles/LocalService" \
  "$tpl/Windows/ServiceProfiles/NetworkService" "$tpl/Users/alice"
install -m 0644 "$data/hivex-minimal" "$tpl/Windows/System32/config/DEFAULT"
install -m 0644 "$data/mini-SOFTWARE" "$tpl/Windows/System32/config/SOFTWARE"
install -m 0644 "$data/yarp-EmptyHive" "$tpl/Windows/ServiceProfiles/LocalService/NTUSER.DAT"
install -m 0644 "$data/ez-NTUSER1.DAT" "$tpl/Windows/ServiceProfiles/NetworkService/NTUSER.DAT"
new_image() {
  img=$work/img
  rm -rf "$img" "$work/bk"
  cp -a "$tpl" "$img"
  DEF=$img/Windows/System32/config/DEFAULT
  LS=$img/Windows/ServiceProfiles/LocalService/NTUSER.DAT
  NS=$img/Windows/ServiceProfiles/NetworkService/NTUSER.DAT
}
HIVES=(DEF LS NS)
apply_all() { "$dcs" apply --mode manual_proxy --proxy p:1 --windows "$img" --all-services \
  --backup-dir "$work/bk"; }

# the old and the new version of each hive, from a clean run
new_image
mkdir -p "$work/old" "$work/new"
for h in "${HIVES[@]}"; do cp "${!h}" "$work/old/$h"; done
apply_all >/dev/null
for h in "${HIVES[@]}"; do cp "${!h}" "$work/new/$h"; done

# The new version of a hive is not the same bytes from run to run (the
# engine stamps the base block and the keys it writes with the time): it is
# recognised by its size and its DefaultConnectionSettings, read by libhivex
# (an independent reader that never finishes or undoes a commit).
CONN='\Software\Microsoft\Windows\CurrentVersion\Internet Settings\Connections'
blob_of() { hivexget "$1" "$CONN" DefaultConnectionSettings 2>/dev/null | od -An -tx1; }
declare -A NEW_BLOB
for h in "${HIVES[@]}"; do NEW_BLOB[$h]=$(blob_of "$work/new/$h"); done
is_new() {
  [[ $(stat -c %s "$1") == $(stat -c %s "$work/new/$2") && -n ${NEW_BLOB[$2]} &&
     $(blob_of "$1") == "${NEW_BLOB[$2]}" ]]
}

# "old", "new" or "mixed" for the three hives; "torn" when one is neither
state() {
  local s="" h
  for h in "${HIVES[@]}"; do
    if cmp -s "${!h}" "$work/old/$h"; then s+=" old"
    elif is_new "${!h}" "$h"; then s+=" new"
    else echo torn; return; fi
  done
  case $s in " old old old") echo old ;; " new new new") echo new ;; *) echo mixed ;; esac
}
leftovers() { find "$img" -name '*.dcs-*' | sort; }

# What `dcs show` must say, given the files the interrupted run left: with
# a journal beside the first hive (its copy is written first and removed
# last), the journal's recovery, which removes every file it names; else
# each hive's leftovers that no journal names, swept as show opens it
# (DEF, LS, NS), listed in name order.
expected_warning() {
  local after=$1 h list
  if [[ -e $DEF.dcs-journal ]]; then
    if [[ $after == new ]]; then
      echo "dcs: warning: finished a commit that was interrupted: $DEF, $LS and $NS all hold the new content"
    else
      echo "dcs: warning: undid a commit that was interrupted: $DEF, $LS and $NS all hold their previous content"
    fi
    return
  fi
  # each hive in turn: its unfinished copy (every copy is written before
  # any is fsync'd or takes its name), then what no journal names
  for h in "${HIVES[@]}"; do
    [[ ! -e ${!h}.dcs-journal.new ]] ||
      echo "dcs: warning: removed ${!h}.dcs-journal.new, the unfinished journal of a commit that was interrupted before it changed anything"
    list=$(find "${!h%/*}" -maxdepth 1 -type f -regextype posix-extended \
      -regex ".*/${!h##*/}\.dcs-[a-z0-9]{12}(\.old)?" | LC_ALL=C sort |
      sed -e ':a' -e 'N;$!ba' -e 's/\n\([^\n]*\)$/ and \1/' -e 's/\n/, /g')
    [[ -z $list ]] ||
      echo "dcs: warning: removed $list, left by a commit that was interrupted (no journal names them; the hive holds a whole version)"
  done
}

# settle WHAT: run show, then check the outcome: forward when every journal
# copy says prepared, else as the hives were (they are never mixed then)
settle() {
  local what=$1 before way warned rc=0 h
  before=$(state)
  [[ $before != torn ]] && ok || fail "$what: a hive is torn before recovery"
  way=$before
  if [[ -e $DEF.dcs-journal ]]; then
    way=new
    for h in "${HIVES[@]}"; do
      grep -qx 'state prepared' "${!h}.dcs-journal" 2>/dev/null || way=$before
    done
  fi
  warned=$(expected_warning "$way")
  "$dcs" show --windows "$img" >"$work/out" 2>"$work/err" || rc=$?
  [[ $rc == 0 ]] && ok || { fail "$what: show exit $rc"; cat "$work/err" >&2; }
  [[ $(state) == "$way" ]] && ok || fail "$what: hives $(state) after show (was $before), wanted $way"
  [[ -z $(leftovers) ]] && ok || { fail "$what: left behind:"; leftovers >&2; }
  same_text "$work/err" "$warned" "$what: what show said"
}

# strace's name sets (x86-64 glibc uses the first of each; others the rest)
declare -A SET=([rename]=rename,renameat,renameat2 [fsync]=fsync,fdatasync
  [unlink]=unlink,unlinkat [link]=link,linkat [open]=open,openat [write]=write)

# "FIRST TOTAL": the calls of a set a clean run makes, and the first worth
# killing: every one for rename, fsync, unlink and link; for open and write
# (a hundred calls loading libraries, reading hives, writing backups, none
# touching the image) from the last one before the commit's first file
count_calls() {
  new_image
  # -y: a descriptor's path is shown (writes are known by their file)
  env "$nolsan" strace -y -f -qq -o "$work/trace" -e trace="${SET[$1]}" "$dcs" apply --mode manual_proxy \
    --proxy p:1 --windows "$img" --all-services --backup-dir "$work/bk" >/dev/null
  grep -E "^[0-9]+ +(${SET[$1]//,/|})\(" "$work/trace" >"$work/calls"
  local first=1
  if [[ $1 == open || $1 == write ]]; then
    # the first temporary (HIVE.dcs-TOKEN, created, then written) or the
    # journal's first copy (HIVE.dcs-journal.new), whichever comes first
    first=$(grep -n -E -e '\.dcs-[a-z0-9]{12}", O_RDWR\|O_CREAT\|O_EXCL' \
      -e '\.dcs-[a-z0-9]{12}>, ' -e 'dcs-journal\.new", O_WRONLY' -e '"dcs-journal 1' "$work/calls" |
      head -1 | cut -d: -f1)
    first=$((first > 1 ? first - 1 : 1))
  fi
  echo "$first $(grep -c . "$work/calls")"
}

# killed: strace kills the run and itself; the subshell keeps bash quiet
killed_run() { (env "$nolsan" strace -f -qq -o /dev/null -e trace="$1" -e inject="$1":signal=KILL:when="$2" \
  "${@:3}" >/dev/null 2>&1; exit $?) 2>/dev/null; }

# 0. the fsyncs of a clean run, counted: each one costs 0.2-3 ms (ext4 on
# /tmp, a VM's disk), so a new one must be a decision, and they wait in
# three batches (every batch waits for the disk's cache flush).  Three
# hives in three directories, --backup-dir made by the run; 18 =
#  - batch 1, the data, 12: the backups' .reg files (undo of each hive,
#    Connections of the one that has the key: 4), the 3 temporaries (the
#    new content) and the 3 journal copies (beside each hive so that
#    opening any one finds the commit; "prepared", naming each temporary's
#    inode), fsync'd together (threads: the file system commits them as
#    one group) before any copy or backup takes its name.  The hives
#    themselves are backed up as hard links: the commit renames a new file
#    over each hive, so the old inode is never written again and needs no
#    copy or fsync;
#  - batch 2, the names, 5: each hive's directory (temporaries' names, kept
#    links, copies), the backup directory (its files) and, as this run
#    made it, its parent: all before the first hive's rename;
#  - batch 3, 3: the hives' directories after the renames (a failure there
#    still rolls back; nothing is removed before the new names are
#    durable).  Not fsync'd: the directories after removing the kept
#    versions and the copies (a copy that comes back after a crash finds
#    every hive new and is finished; the next commit's own directory fsync
#    makes the removals durable before its copies can be found); and,
#    because the next open of a hive, holding its lock, removes temporaries
#    and kept versions that no journal names (HIVE.dcs-TOKEN,
#    HIVE.dcs-TOKEN.old), no "preparing" journal before the temporaries
#    exist, no directory between the kept links and the copies, and none
#    between removing the kept versions and the copies (a copy missing
#    while every hive is new is finished, whatever kept versions are left).
read -r _ nfsync < <(count_calls fsync)
[[ $nfsync == 18 ]] && ok || fail "a clean 3-hive apply made $nfsync fsync calls, wanted 18"
# the order that makes those batches safe, read from one traced run (call
# numbers in the trace): every backup file fsync'd after the last journal
# copy is written and before the first copy takes its name (batch 1), the
# backup directory fsync'd after the backups' renames and before the first
# hive's rename (batch 2)
new_image
env "$nolsan" strace -y -f -qq -o "$work/trace" -e trace=fsync,openat,rename,renameat,renameat2 \
  "$dcs" apply --mode manual_proxy --proxy p:1 --windows "$img" --all-services \
  --backup-dir "$work/bk" >/dev/null
grep -E "^[0-9]+ +(fsync|openat|rename[a-z0-9]*)\(" "$work/trace" >"$work/calls"
line_of() { { grep -n -E -e "$1" "$work/calls" || true; } | cut -d: -f1 | sed -n "${2:-1}p"; }
last_copy=$(line_of 'dcs-journal\.new", O_WRONLY' 3)
first_copy_named=$(line_of 'rename[a-z0-9]*\(.*dcs-journal\.new", ')
bk_syncs=$(line_of "fsync\([0-9]+<$work/bk/[^>]*\.reg\.tmp" '1,$' | tr '\n' ' ')
last_bk_rename=$(line_of "rename[a-z0-9]*\([0-9]+<$work/bk>" '$')
bk_dir_sync=$(line_of "fsync\([0-9]+<$work/bk>[ )]")
first_hive_rename=$(line_of 'rename[a-z0-9]*\(.*\.dcs-[a-z0-9]{12}", [0-9]+<[^>]*>, "(DEFAULT|NTUSER\.DAT)"')
batched=yes
[[ $(wc -w <<<"$bk_syncs") == 4 && -n $last_copy && -n $first_copy_named ]] || batched=no
for n in $bk_syncs; do ((n > last_copy && n < first_copy_named)) || batched=no; done
[[ $batched == yes ]] && ok ||
  fail "backup files not fsync'd in the journal copies' batch (fsyncs at $bk_syncs; copies written by $last_copy, named from $first_copy_named)"
[[ -n $bk_dir_sync && -n $last_bk_rename && -n $first_hive_rename ]] &&
  ((bk_dir_sync > last_bk_rename && bk_dir_sync < first_hive_rename)) && ok ||
  fail "backup directory fsync'd at ${bk_dir_sync:-none}: wanted after the backups' renames (${last_bk_rename:-none}) and before the first hive's (${first_hive_rename:-none})"
# a --backup-dir three levels below what exists: each new directory's parent
# is fsync'd (its entry), and the backup directory itself (its files)
new_image
env "$nolsan" strace -y -f -qq -o "$work/trace" -e trace=fsync "$dcs" apply --mode manual_proxy \
  --proxy p:1 --windows "$img" --all-services --backup-dir "$work/deep/a/b" >/dev/null
for d in "$work" "$work/deep" "$work/deep/a" "$work/deep/a/b"; do
  grep -F "<$d>" "$work/trace" | grep -q "fsync(" && ok ||
    fail "--backup-dir three levels down: $d was not fsync'd"
done
rm -rf "$work/deep"

# 1. killed at every call in turn
for call in rename fsync unlink link open write; do
  read -r from total < <(count_calls "$call")
  for ((n = from; n <= total; n++)); do
    new_image
    rc=0
    killed_run "${SET[$call]}" "$n" "$dcs" apply --mode manual_proxy --proxy p:1 \
      --windows "$img" --all-services --backup-dir "$work/bk" || rc=$?
    [[ $rc == 137 || $rc == 0 ]] && ok || fail "kill at $call $n: exit $rc"
    settle "kill at $call $n of $total"
  done
done

# 2. the recovery killed too: apply killed after the first hive was
# replaced, then show killed at each of its renames and unlinks
new_image
# -y: a descriptor's path is shown (the hives are renamed relative to their
# directory: renameat(DIR</dir>, "NAME.dcs-TOKEN", DIR</dir>, "NAME"))
env "$nolsan" strace -y -f -qq -o "$work/trace" -e trace=rename,renameat,renameat2 "$dcs" apply \
  --mode manual_proxy --proxy p:1 --windows "$img" --all-services --backup-dir "$work/bk" >/dev/null
# strace counts `when` per system call: number the hive renames among the
# calls of their own name (backups are written with renameat too)
nth_rename() { local to="(, \"$1\"|${1%/*}>, \"${1##*/}\")\\)" name
  name=$(grep -E "^[0-9]+ +rename[a-z0-9]*\(" "$work/trace" | grep -E -e "$to" |
    head -1 | sed -E 's/^[0-9]+ +([a-z0-9]+)\(.*/\1/')
  grep -E "^[0-9]+ +$name\(" "$work/trace" | grep -n -E -e "$to" | head -1 | cut -d: -f1; }
first=$(nth_rename "$DEF")
for call in rename unlink; do
  for ((n = 1; n <= 8; n++)); do
    new_image
    killed_run "${SET[rename]}" $((first + 1)) "$dcs" apply --mode manual_proxy --proxy p:1 \
      --windows "$img" --all-services --backup-dir "$work/bk" || true
    [[ $(state) == mixed ]] && ok || fail "the apply was not cut between two hives"
    killed_run "${SET[$call]}" "$n" "$dcs" show --windows "$img" || true
    settle "recovery killed at $call $n"
  done
done

# 3. failing calls: the 2nd hive cannot be replaced ...
n_ls=$(nth_rename "$LS")
new_image
rc=0
env "$nolsan" strace -f -qq -o /dev/null -e trace="${SET[rename]}" -e inject="${SET[rename]}":error=EIO:when=$n_ls \
  "$dcs" apply --mode manual_proxy --proxy p:1 --windows "$img" --all-services \
  --backup-dir "$work/bk" >"$work/out" 2>"$work/err" || rc=$?
[[ $rc == 1 ]] && ok || fail "failed rename: exit $rc, wanted 1"
same_text "$work/err" "dcs: apply: cannot replace $LS: Input/output error; no hive was changed" \
  "failed rename reported on stderr"
[[ $(state) == old && -z $(leftovers) ]] && ok || fail "failed rename: hives $(state)"
# issue 10 point 4: a run that changed nothing leaves no backup and no undo
# .reg (an undo file for a change that never happened misleads)
[[ -z $(ls -A "$work/bk" 2>/dev/null) ]] && ok ||
  fail "failed rename: left in the backup directory: $(ls -A "$work/bk")"
# ... and putting the first back fails too: exit 5, each hive's state named
new_image
rc=0
env "$nolsan" strace -f -qq -o /dev/null -e trace="${SET[rename]}" \
  -e inject="${SET[rename]}":error=EIO:when=$n_ls..$((n_ls + 1)) \
  "$dcs" apply --mode manual_proxy --proxy p:1 --windows "$img" --all-services \
  --backup-dir "$work/bk" >"$work/out" 2>"$work/err" || rc=$?
[[ $rc == 5 ]] && ok || fail "failed undo: exit $rc, wanted 5"
kept=$(ls "$DEF".dcs-*.old)
ls_new=$(ls "$LS".dcs-* | grep -v -e '\.old$' -e journal)
ns_new=$(ls "$NS".dcs-* | grep -v -e '\.old$' -e journal)
same_text "$work/err" "dcs: apply: cannot replace $LS: Input/output error; putting the previous \
versions back failed too (cannot rename $kept to $DEF: Input/output error), so the hives now \
differ: $DEF holds the new content (its previous content is in $kept); $LS holds its previous \
content (the new one is in $ls_new); $NS holds its previous content (the new one is in $ns_new); \
the journal beside each is kept: the next dcs command that opens one of them finishes or undoes \
the commit" "failed undo: every hive's state on stderr"
grep -q '^error: cannot replace' "$work/out" && ok || fail "failed undo: not on stdout"
settle "after a failed undo"

# 4. 20 applies and 20 imports at once on one hive, each adding a value
new_image
for i in $(seq 1 20); do
  printf 'Windows Registry Editor Version 5.00\r\n\r\n[HKEY_USERS\\S-1-5-19\\Software\\Test]\r\n"imp%d"=dword:%08x\r\n' \
    "$i" "$i" >"$work/imp$i.reg"
done
pids=()
for i in $(seq 1 20); do
  "$dcs" --lock-wait 120 apply --mode manual_proxy --proxy p:1 --hive "S-1-5-19=$LS" \
    --connection "conn$i" --backup-dir "$work/bk$i" >/dev/null 2>"$work/apply$i.err" &
  pids+=($!)
  "$dcs" --lock-wait 120 reg import --hive "$LS" --prefix 'HKEY_USERS\S-1-5-19' \
    "$work/imp$i.reg" 2>"$work/import$i.err" &
  pids+=($!)
done
bad=0
for p in "${pids[@]}"; do wait "$p" || bad=$((bad + 1)); done
[[ $bad == 0 ]] && ok || { fail "$bad of 40 concurrent runs failed"; cat "$work"/*.err >&2; }
"$dcs" reg export --hive "$LS" --prefix 'HKEY_USERS\S-1-5-19' -o "$work/all.reg"
iconv -f UTF-16LE -t UTF-8 "$work/all.reg" 2>/dev/null | tr -d '\r' >"$work/all.txt" ||
  tr -d '\r' <"$work/all.reg" >"$work/all.txt"
lost=0
for i in $(seq 1 20); do
  grep -q "^\"imp$i\"=dword:$(printf %08x "$i")" "$work/all.txt" || lost=$((lost + 1))
  grep -q "^\"conn$i\"=hex:" "$work/all.txt" || lost=$((lost + 1))
done
[[ $lost == 0 ]] && ok || fail "$lost of 40 concurrent updates lost"
[[ -z $(leftovers) ]] && ok || fail "concurrent runs left files behind"

# 5. a hive held by another process: a bounded wait, then the holder named
new_image
flock "$LS" sleep 30 &
holder=$!
sleep 0.3
rc=0
"$dcs" --lock-wait 0.5 reg import --hive "$LS" --prefix 'HKEY_USERS\S-1-5-19' \
  "$work/imp1.reg" 2>"$work/err" || rc=$?
[[ $rc == 1 ]] && ok || fail "locked hive: exit $rc, wanted 1"
same_text "$work/err" "dcs: $LS: $LS is locked by another process (pid $holder) and was still \
locked after 0.500 s; try again when it has finished
dcs: reg import: nothing was written to $LS" "locked hive: message"
kill "$holder" 2>/dev/null || true
wait "$holder" 2>/dev/null || true
[[ $(state) == old ]] && ok || fail "locked hive was written"
rc=0
"$dcs" --lock-wait x show --windows "$img" >/dev/null 2>"$work/err" || rc=$?
[[ $rc == 2 ]] && ok || fail "bad --lock-wait: exit $rc, wanted 2"
same_text "$work/err" "dcs: --lock-wait needs a number of seconds (0 to 86400)" "bad --lock-wait"

# 6. the image lock: a writer of an image (apply --windows) holds its root
# for the whole run; held by another process, a bounded wait and the holder
# named, nothing written; readers (show, apply --check) do not wait
new_image
flock "$img" sleep 30 &
holder=$!
sleep 0.3
rc=0
"$dcs" --lock-wait 0.5 apply --mode manual_proxy --proxy p:6 --windows "$img" --all-services \
  --backup-dir "$work/bk" >"$work/out" 2>"$work/err" || rc=$?
[[ $rc == 1 ]] && ok || fail "locked image: exit $rc, wanted 1"
same_text "$work/err" "dcs: apply: $img is locked by another process (pid $holder) and was still \
locked after 0.500 s; try again when it has finished" "locked image: message"
[[ $(state) == old ]] && ok || fail "locked image was written"
rc=0
"$dcs" --lock-wait 0 show --windows "$img" >/dev/null 2>"$work/err" || rc=$?
[[ $rc == 0 ]] && ok || fail "show waits on a locked image: exit $rc"
rc=0
"$dcs" --lock-wait 0 apply --check --mode manual_proxy --proxy p:6 --windows "$img" \
  --all-services >/dev/null 2>"$work/err" || rc=$?
[[ $rc == 4 ]] && ok || { fail "apply --check on a locked image: exit $rc, wanted 4"; cat "$work/err" >&2; }
kill "$holder" 2>/dev/null || true
wait "$holder" 2>/dev/null || true
# a run that changes nothing takes no lock: it plans from read-only opens
# and neither waits for nor disturbs a writer holding the image and hives
new_image
apply_all >/dev/null
flock "$img" flock "$DEF" flock "$LS" flock "$NS" sleep 3 &
holder=$!
sleep 0.3
rc=0
"$dcs" --lock-wait 0 apply --mode manual_proxy --proxy p:1 --windows "$img" --all-services \
  --backup-dir "$work/bk" >"$work/out" 2>"$work/err" || rc=$?
[[ $rc == 0 ]] && ok || { fail "no-change apply on a locked image: exit $rc, wanted 0"; cat "$work/err" >&2; }
grep -qx 'unchanged: every target already has these settings' "$work/out" && ok ||
  { fail "no-change apply on a locked image: not reported unchanged"; cat "$work/out" >&2; }
wait "$holder" 2>/dev/null || true
# two applies on one image at once: both succeed, one after the other, and
# every hive ends with the same one's settings (never a mix)
IS='\Software\Microsoft\Windows\CurrentVersion\Internet Settings'
for round in 1 2 3; do
  new_image
  "$dcs" --lock-wait 60 apply --mode manual_proxy --proxy a:1 --windows "$img" --all-services \
    --backup-dir "$work/bka" >"$work/a.out" 2>&1 &
  pa=$!
  "$dcs" --lock-wait 60 apply --mode manual_proxy --proxy b:2 --windows "$img" --all-services \
    --backup-dir "$work/bkb" >"$work/b.out" 2>&1 &
  pb=$!
  ra=0 rb=0
  wait "$pa" || ra=$?
  wait "$pb" || rb=$?
  [[ $ra == 0 && $rb == 0 ]] && ok || { fail "round $round: concurrent applies exit $ra and $rb"; cat "$work/a.out" "$work/b.out" >&2; }
  got=$(for h in "${HIVES[@]}"; do hivexget "${!h}" "$IS" ProxyServer; done | sort -u | tr '\n' ' ')
  [[ $got == "a:1 " || $got == "b:2 " ]] && ok || fail "round $round: hives mixed: $got"
  grep -qx 'applied: 3 hives changed, 0 unchanged' "$work/a.out" && grep -qx 'applied: 3 hives changed, 0 unchanged' "$work/b.out" &&
    ok || { fail "round $round: each run must change all three hives"; cat "$work/a.out" "$work/b.out" >&2; }
  [[ -z $(leftovers) ]] && ok || fail "round $round: concurrent applies left files behind"
done

# 7. the sweep of leftovers no journal names: exactly HIVE.dcs-TOKEN and
# HIVE.dcs-TOKEN.old (12 of [a-z0-9]) as regular files, nothing else; never
# while another process holds the hive (a live commit's files), nor with a
# journal beside it (its recovery's files)
new_image
near=("$LS.dcs-ABCDEFGHIJKL" "$LS.dcs-abcdefghijk" "$LS.dcs-abcdefghijklm" "$LS.dcs-abcdefghijkl.older"
  "$LS.dcs-abcdefghijkl.old.old" "$LS.x.dcs-abcdefghijkl" "$LS.dcs-abcdefghijkl-" "$LS.dcs-journal.old")
for f in "${near[@]}"; do echo keep >"$f"; done
mkdir "$LS.dcs-0123456789ab"
ln -s "$work/old/LS" "$LS.dcs-0123456789ab.old"
echo tmp >"$LS.dcs-abcdefghijkl"
echo kept >"$LS.dcs-abcdefghijkl.old"
# -o: flock itself holds the lock (not its child), so killing it frees the hive
flock -o "$LS" sleep 30 &
holder=$!
sleep 0.3
"$dcs" --lock-wait 0 show --windows "$img" >/dev/null 2>"$work/err" || fail "show beside a held hive failed"
[[ -e $LS.dcs-abcdefghijkl && -e $LS.dcs-abcdefghijkl.old && ! -s $work/err ]] && ok ||
  { fail "swept the files of a hive another process holds"; cat "$work/err" >&2; }
kill "$holder" 2>/dev/null || true
wait "$holder" 2>/dev/null || true
echo "dcs-journal 1" >"$LS.dcs-journal"
"$dcs" show --windows "$img" >/dev/null 2>&1 || true
[[ -e $LS.dcs-abcdefghijkl && -e $LS.dcs-abcdefghijkl.old ]] && ok ||
  fail "swept the files beside a journal"
rm "$LS.dcs-journal"
"$dcs" show --windows "$img" >/dev/null 2>"$work/err" || fail "sweeping show failed"
same_text "$work/err" "dcs: warning: removed $LS.dcs-abcdefghijkl and $LS.dcs-abcdefghijkl.old, left \
by a commit that was interrupted (no journal names them; the hive holds a whole version)" "the sweep's warning"
for f in "${near[@]}" "$LS.dcs-0123456789ab" "$LS.dcs-0123456789ab.old"; do
  [[ -e $f || -L $f ]] && ok || fail "the sweep removed $f"
done
[[ $(state) == old ]] && ok || fail "the sweep changed a hive"

echo "$checks checks, $fails failures"
[[ $fails == 0 ]]

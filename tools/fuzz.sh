#!/usr/bin/env bash
# Build the libFuzzer harnesses and run each for a while on its corpus.
#
#   tools/fuzz.sh [--seconds N] [--merge] [--build-dir DIR] [HARNESS...]
#
# HARNESS defaults to every name in fuzz/harnesses.txt.  Each harness runs
# for N seconds (default 60) in fuzz-out/HARNESS/ on a scratch copy of
# corpus/HARNESS/, so the committed corpus only grows through --merge, which
# afterwards adds the scratch inputs that bring new coverage to corpus/HARNESS/
# (libFuzzer -merge=1).  Prints execs/s, total execs, coverage before and
# after (cov: edges, ft: features) and, for a crash, leak or timeout, the
# reproducer path.  Exits 1 if any harness failed, 2 on a usage or build error.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

seconds=60
merge=0
build=build-fuzz
harnesses=()
usage() { sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
while (($#)); do
  case $1 in
    --seconds) seconds=${2:?}; shift 2 ;;
    --seconds=*) seconds=${1#*=}; shift ;;
    --merge) merge=1; shift ;;
    --build-dir) build=${2:?}; shift 2 ;;
    -h|--help) usage ;;
    -*) echo "fuzz.sh: unknown option $1" >&2; usage ;;
    *) harnesses+=("$1"); shift ;;
  esac
done
[[ $seconds =~ ^[0-9]+$ ]] || { echo "fuzz.sh: --seconds needs a number" >&2; exit 2; }
if ((${#harnesses[@]} == 0)); then
  mapfile -t harnesses < <(grep -v -e '^#' -e '^[[:space:]]*$' fuzz/harnesses.txt)
fi
for h in "${harnesses[@]}"; do
  grep -qx "$h" fuzz/harnesses.txt || { echo "fuzz.sh: no harness '$h' in fuzz/harnesses.txt" >&2; exit 2; }
done

command -v clang >/dev/null || { echo "fuzz.sh: clang not found (apt-get install clang libclang-rt-14-dev)" >&2; exit 2; }
if [[ ! -f $build/build.ninja ]]; then
  CC=clang meson setup "$build" -Dfuzz=true -Dtests=disabled -Dbench=false >/dev/null || exit 2
fi
ninja -C "$build" -j2 >/dev/null || { echo "fuzz.sh: build failed (ninja -C $build)" >&2; exit 2; }

# "cov: 123 ft: 456" of the first line matching $2 in log $1
stat_line() { grep -a -E "$2" "$1" | grep -a -o -E 'cov: [0-9]+ ft: [0-9]+' | "${3:-head}" -n1 || true; }
final() { grep -a -o -E "^stat::$2: *[0-9]+" "$1" | grep -o -E '[0-9]+$' | tail -n1 || true; }

failed=0
summary=()
for h in "${harnesses[@]}"; do
  exe=$root/$build/fuzz/$h
  out=$root/fuzz-out/$h
  rm -rf "$out"
  mkdir -p "$out/corpus" "$out/artifacts"
  [[ -d corpus/$h ]] && cp -R "corpus/$h/." "$out/corpus/"
  dict=()
  [[ -f fuzz/$h.dict ]] && dict=(-dict="$root/fuzz/$h.dict")
  # fuzz/NAME.options (OSS-Fuzz format) may raise max_len, e.g. for hives
  maxlen=4096
  if [[ -f fuzz/$h.options ]]; then
    m=$(sed -n 's/^ *max_len *= *\([0-9][0-9]*\).*/\1/p' "fuzz/$h.options" | head -n1)
    [[ -n $m ]] && maxlen=$m
  fi
  echo "== $h: ${seconds}s on $(find "$out/corpus" -type f | wc -l) corpus files"
  rc=0
  # One process (the equivalent of -jobs=1 without libFuzzer's fork-and-log
  # indirection, so the exit status and the log stay ours).
  (cd "$out" && "$exe" "${dict[@]}" -max_total_time="$seconds" -max_len="$maxlen" -timeout=10 \
      -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix=artifacts/ corpus \
      >log 2>&1) || rc=$?
  log=$out/log
  execs=$(final "$log" number_of_executed_units)
  speed=$(final "$log" average_exec_per_sec)
  added=$(final "$log" new_units_added)
  before=$(stat_line "$log" 'INITED')
  after=$(stat_line "$log" '(DONE|pulse|NEW|REDUCE)' tail)
  [[ -n $after ]] || after=$before
  files=$(find "$out/corpus" -type f | wc -l)
  echo "   execs: ${execs:-?}  execs/s: ${speed:-?}  new inputs: ${added:-?}  corpus: $files files"
  echo "   coverage: ${before:-?} -> ${after:-?}"
  repro=$(find "$out/artifacts" -type f \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' \
          -o -name 'oom-*' \) | sort)
  if ((rc != 0)) || [[ -n $repro ]]; then
    failed=1
    echo "   FAILED (exit $rc): $(grep -a -m1 -E '^SUMMARY|property failed|ERROR:' "$log" || echo 'see log')"
    for r in $repro; do echo "   reproducer: $r"; done
    echo "   log: $log"
    echo "   keep it: cp REPRODUCER tests/regressions/$h/<what-it-shows>"
    summary+=("$h: FAILED")
  else
    summary+=("$h: ok, ${execs:-?} execs at ${speed:-?}/s, ${after:-?}, corpus $files")
    if ((merge)); then
      mkdir -p "corpus/$h"
      (cd "$out" && "$exe" -merge=1 "$root/corpus/$h" corpus >merge.log 2>&1) ||
        { echo "   merge failed, see $out/merge.log"; failed=1; }
      echo "   merged: corpus/$h now has $(find "corpus/$h" -type f | wc -l) files"
    fi
  fi
done

echo "== summary"
printf '   %s\n' "${summary[@]}"
exit $failed

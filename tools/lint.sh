#!/usr/bin/env bash
# Static analysis of the library (codec/): cppcheck and clang-tidy, both
# required to report nothing.  Exit 1 on any finding, 2 when a tool is missing.
#
#   tools/lint.sh
#
# Suppressions, all of them (keep this list short and explained):
#   cppcheck missingIncludeSystem  system headers are not given to cppcheck
#                                  on purpose (it would analyse libc).
#   cppcheck unusedFunction        the library's public API is used by
#                                  callers outside codec/.
#   cppcheck clarifyCondition in codec/blob/blob.c
#                                  the decoder's fast path ORs boolean tests
#                                  with '|' on purpose (branch-free).
#   cppcheck memleak in apply_exec.c, hive_reg.c, hive_reg_export.c
#                                  false positives: the buffers are stored
#                                  into a growing array whose owner frees
#                                  them (valgrind and ASan report no leaks).
#   cppcheck knownConditionTrueFalse in regparse.c, regwrite.c
#                                  false positives: cppcheck 2.10 loses track of
#                                  lengths computed through the U() macro and of
#                                  the wrap counter after room() (both covered
#                                  by the reg-cases and export byte tests).
#   clang-tidy bugprone-easily-swappable-parameters
#                                  (data, size, ...) signatures are the API.
#   clang-tidy clang-analyzer-security.insecureAPI.DeprecatedOrUnsafeBufferHandling
#                                  flags every memcpy/snprintf; bounds are
#                                  checked by hand and under ASan/fuzzing.
#   clang-tidy clang-analyzer-valist.Uninitialized
#                                  false positive of clang 14's analyzer for a
#                                  va_list handed on to vsnprintf (error.c).
set -euo pipefail
cd "$(dirname "$0")/.."

for tool in cppcheck clang-tidy; do
  command -v $tool >/dev/null || { echo "lint.sh: $tool not found (apt-get install $tool)" >&2; exit 2; }
done

# a configured build for compile_commands.json and dcs_config.h
if [[ ! -f build-lint/compile_commands.json ]]; then
  CC=clang meson setup build-lint -Dtests=disabled -Dbench=false >/dev/null
fi
ninja -C build-lint -j2 >/dev/null

fail=0
sources=(codec/*/*.c)

echo "== cppcheck"
if ! cppcheck --quiet --error-exitcode=1 --std=c11 --inline-suppr \
    --enable=warning,style,performance,portability \
    --suppress=missingIncludeSystem --suppress=unusedFunction \
    --suppress=clarifyCondition:codec/blob/blob.c \
    --suppress=memleak:codec/apply/apply_exec.c --suppress=memleak:codec/hive/hive_reg.c \
    --suppress=memleak:codec/hive/hive_reg_export.c \
    --suppress=knownConditionTrueFalse:codec/reg/regparse.c \
    --suppress=knownConditionTrueFalse:codec/reg/regwrite.c \
    -D_POSIX_C_SOURCE=200809L -I codec -I codec/include -I build-lint "${sources[@]}"; then
  fail=1
fi

echo "== clang-tidy"
checks='-*,clang-analyzer-*,bugprone-*,performance-*,portability-*,cert-err34-c'
checks+=',-bugprone-easily-swappable-parameters'
checks+=',-clang-analyzer-security.insecureAPI.DeprecatedOrUnsafeBufferHandling'
checks+=',-clang-analyzer-valist.Uninitialized'
# two files at a time on each core (xargs exits non-zero when any run fails)
if ! printf '%s\0' "${sources[@]}" | xargs -0 -n 4 -P "$(nproc)" \
    clang-tidy --quiet -p build-lint --checks="$checks" --warnings-as-errors='*' 2>/dev/null; then
  fail=1
fi

if ((fail)); then
  echo "lint.sh: findings above"
  exit 1
fi
echo "lint.sh: cppcheck and clang-tidy clean on codec/"

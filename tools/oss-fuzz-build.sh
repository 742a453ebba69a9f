#!/usr/bin/env bash
# Build the fuzz harnesses the way OSS-Fuzz and ClusterFuzzLite do, without
# meson: compile with $CC $CFLAGS, link with $CXX $CXXFLAGS ... $LIB_FUZZING_ENGINE,
# put each harness, its dictionary (NAME.dict), its options (NAME.options)
# and its seed corpus (NAME_seed_corpus.zip) in $OUT.  This is the whole build.sh a project
# integration needs:
#
#   OSS-Fuzz / ClusterFuzzLite:  tools/oss-fuzz-build.sh            (their env)
#   by hand, libFuzzer:          CC=clang CXX=clang++ \
#                                CFLAGS='-g -O1 -fsanitize=address,undefined,fuzzer-no-link' \
#                                LIB_FUZZING_ENGINE=-fsanitize=fuzzer OUT=/tmp/out tools/oss-fuzz-build.sh
#   AFL++:                       CC=afl-clang-fast CXX=afl-clang-fast++ \
#                                LIB_FUZZING_ENGINE=/usr/lib/afl/libAFLDriver.a OUT=/tmp/afl tools/oss-fuzz-build.sh
#                                afl-fuzz -i corpus/fuzz_blob -o /tmp/afl-findings -- /tmp/afl/fuzz_blob
#
# Harness names come from fuzz/harnesses.txt.  Needs pkg-config, zlib and
# jansson development files; libhivex when present (as the meson build).
set -euo pipefail
cd "$(dirname "$0")/.."
src=$PWD

: "${OUT:?set OUT to the output directory}"
CC=${CC:-clang}
CXX=${CXX:-clang++}
CFLAGS=${CFLAGS:-}
CXXFLAGS=${CXXFLAGS:-$CFLAGS}
LIB_FUZZING_ENGINE=${LIB_FUZZING_ENGINE:--fsanitize=fuzzer}
work=${WORK:-$(mktemp -d)}
mkdir -p "$OUT" "$work/obj"
OUT=$(cd "$OUT" && pwd)

# the configuration header meson would generate
version=$(sed -n "s/^ *version: *'\([^']*\)'.*/\1/p" meson.build | head -n1)
have_hivex=0
pkgs=(zlib jansson)
if pkg-config --exists hivex 2>/dev/null; then
  have_hivex=1
  pkgs+=(hivex)
fi
printf '#define DCS_VERSION "%s"\n#define DCS_HAVE_HIVEX %d\n' "$version" "$have_hivex" \
  >"$work/dcs_config.h"

# Static archives where the system has them: the OSS-Fuzz runner image does
# not carry the build image's shared libraries.
libs=()
for p in "${pkgs[@]}"; do
  name=$(pkg-config --libs-only-l "$p" | sed 's/^ *-l//; s/ .*//')
  archive=$(pkg-config --variable=libdir "$p")/lib$name.a
  if [[ -f $archive ]]; then libs+=("$archive"); else libs+=($(pkg-config --libs "$p")); fi
done
# shellcheck disable=SC2207
cppflags=(-std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE "-I$work" -I"$src/codec" -I"$src/codec/include"
          -I"$src/tools/cli" -I"$src/fuzz" $(pkg-config --cflags "${pkgs[@]}"))

objs=()
for c in codec/*/*.c tools/cli/json.c; do
  o=$work/obj/$(echo "$c" | tr '/' '_').o
  # shellcheck disable=SC2086
  $CC $CFLAGS "${cppflags[@]}" -c "$c" -o "$o"
  objs+=("$o")
done
rm -f "$work/libdcs_fuzz.a"
ar rcs "$work/libdcs_fuzz.a" "${objs[@]}"

mapfile -t harnesses < <(grep -v -e '^#' -e '^[[:space:]]*$' fuzz/harnesses.txt)
for h in "${harnesses[@]}"; do
  # shellcheck disable=SC2086
  $CC $CFLAGS "${cppflags[@]}" -c "fuzz/$h.c" -o "$work/obj/$h.o"
  # shellcheck disable=SC2086
  $CXX $CXXFLAGS "$work/obj/$h.o" -o "$OUT/$h" $LIB_FUZZING_ENGINE "$work/libdcs_fuzz.a" \
    "${libs[@]}"
  [[ -f fuzz/$h.dict ]] && cp "fuzz/$h.dict" "$OUT/$h.dict"
  [[ -f fuzz/$h.options ]] && cp "fuzz/$h.options" "$OUT/$h.options"
  if [[ -d corpus/$h ]]; then
    rm -f "$OUT/${h}_seed_corpus.zip"
    (cd "corpus/$h" && python3 -m zipfile -c "$OUT/${h}_seed_corpus.zip" ./*)
  fi
  echo "oss-fuzz-build: $OUT/$h"
done

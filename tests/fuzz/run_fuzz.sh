#!/bin/sh
# run_fuzz.sh - build the libFuzzer targets with clang and run each for a while.
#
#   tests/fuzz/run_fuzz.sh [SECONDS] [TARGET...]
#
# SECONDS per target (default $FUZZ_SECONDS or 30). TARGETs are names like decode_fuzz (default:
# every tests/fuzz/*_fuzz.c). Each target runs on a scratch copy of tests/fuzz/corpus/<name>/
# (<name> without _fuzz), so new inputs never land in the repository; crash reproducers are kept
# in $FUZZ_OUT (default <build>/fuzz-out/<target>/). Exits non-zero if any target fails to build,
# crashes, leaks, times out or runs out of memory.
#
# Environment: FUZZ_BUILD_DIR (default <repo>/build-fuzz), FUZZ_SECONDS, FUZZ_OUT,
# FUZZ_ARGS (extra libFuzzer flags, e.g. "-jobs=2 -workers=2"), CC (default clang).
set -eu

repo=$(cd "$(dirname "$0")/../.." && pwd)
seconds=${1:-${FUZZ_SECONDS:-30}}
[ $# -gt 0 ] && shift
case $seconds in
'' | *[!0-9]*) echo "run_fuzz.sh: SECONDS must be a number, got '$seconds'" >&2; exit 2 ;;
esac
build=${FUZZ_BUILD_DIR:-$repo/build-fuzz}
out=${FUZZ_OUT:-$build/fuzz-out}
cc=${CC:-clang}

mkdir -p "$build"
generator=""
command -v ninja >/dev/null 2>&1 && generator="-G Ninja"
# Tests stay off: tests/fuzz/CMakeLists.txt defines the plugin harness itself when needed.
# shellcheck disable=SC2086
CC=$cc cmake -S "$repo" -B "$build" $generator -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DENABLE_FUZZING=ON -DENABLE_TESTS=OFF >"$build/configure.log" 2>&1 ||
    { cat "$build/configure.log" >&2; echo "run_fuzz.sh: configure failed" >&2; exit 1; }
targets=""
for t in "$@"; do
    targets="$targets --target $t"
done
# Named targets build alone (with the plugins they depend on); otherwise everything builds.
# shellcheck disable=SC2086
cmake --build "$build" -j "$(nproc 2>/dev/null || echo 2)" $targets ||
    { echo "run_fuzz.sh: build failed" >&2; exit 1; }

if [ $# -eq 0 ]; then
    set --
    for src in "$repo"/tests/fuzz/*_fuzz.c; do
        [ -e "$src" ] || continue
        set -- "$@" "$(basename "$src" .c)"
    done
fi
[ $# -gt 0 ] || { echo "run_fuzz.sh: no fuzz targets" >&2; exit 1; }

scratch=$(mktemp -d "${TMPDIR:-/tmp}/ingestd-fuzz.XXXXXX")
trap 'rm -rf "$scratch"' EXIT INT TERM

failed=""
for target in "$@"; do
    bin=$build/fuzz/$target
    if [ ! -x "$bin" ]; then
        echo "== $target: not built" >&2
        failed="$failed $target"
        continue
    fi
    corpus=$scratch/$target
    mkdir -p "$corpus" "$out/$target"
    seeds=$repo/tests/fuzz/corpus/${target%_fuzz}
    if [ -d "$seeds" ]; then
        cp -R "$seeds"/. "$corpus"/
    fi
    echo "== $target: ${seconds}s, $(find "$corpus" -type f | wc -l) seed inputs"
    # shellcheck disable=SC2086
    if "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="$out/$target/" ${FUZZ_ARGS:-} "$corpus" >"$out/$target.log" 2>&1; then
        execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$out/$target.log" | tail -n 1)
        echo "== $target: ok, ${execs:-?} executions, corpus now $(find "$corpus" -type f | wc -l) inputs"
    else
        echo "== $target: FAILED (log: $out/$target.log, reproducers: $out/$target/)" >&2
        grep -E "ERROR: |SUMMARY: |Test unit written" "$out/$target.log" >&2 || tail -n 20 "$out/$target.log" >&2
        failed="$failed $target"
    fi
done

if [ -n "$failed" ]; then
    echo "run_fuzz.sh: failures in:$failed" >&2
    exit 1
fi
echo "run_fuzz.sh: all targets clean"

#!/bin/sh
# Run the torture programs against a build: tests/torture/run.sh [--quick] [--build DIR]
# [--seed N] [--json FILE] [NAME...]   (NAME: kill9 crashpoints poison fsrandom diskfull
# backpressure peers hostile; default: all). Without --quick the full variants run (long).
# The build folder defaults to $INGESTD_BUILD, else <source>/build.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
build=${INGESTD_BUILD:-$src/build}
quick=""
seed=1
json=""
names=""
while [ $# -gt 0 ]; do
    case "$1" in
    --quick) quick=--quick ;;
    --build) build=$2; shift ;;
    --seed) seed=$2; shift ;;
    --json) json=$2; shift ;;
    -h|--help) sed -n '2,5p' "$0"; exit 0 ;;
    *) names="$names $1" ;;
    esac
    shift
done
[ -n "$names" ] || names="kill9 crashpoints poison fsrandom diskfull backpressure peers hostile"
build=$(cd "$build" && pwd)
export INGESTD_BIN="$build/bin" INGESTD_SOURCE_DIR="$src" PYTHONDONTWRITEBYTECODE=1
export INGESTD_FIXTURE_PLUGINS="$build/tests/fixture-plugins"
failed=""
for n in $names; do
    echo "=== $n ${quick:-(full)} seed $seed"
    set -- --seed "$seed"
    [ -n "$quick" ] && set -- "$@" --quick
    [ -n "$json" ] && set -- "$@" --json "$json"
    if ! python3 "$here/${n}_torture.py" "$@"; then
        failed="$failed $n"
    fi
done
if [ -n "$failed" ]; then
    echo "torture FAILED:$failed"
    exit 1
fi
echo "torture passed: $names"

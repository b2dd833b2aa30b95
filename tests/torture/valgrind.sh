#!/bin/sh
# valgrind memcheck over the unit tests and integration scenarios:
#   tests/torture/valgrind.sh [BUILD_DIR] [INTEGRATION_TEST...]
# Every unit test program of BUILD_DIR/tests runs under memcheck (invalid access, uninitialized
# values, and definite/indirect leaks are errors); then the named integration scenarios
# (default: tests/torture/valgrind_scenario.py; names without a folder are taken from
# tests/integration/) run with ingestd itself under memcheck,
# through a wrapper placed first in INGESTD_BIN: a memcheck error makes ingestd exit 99, which
# fails the scenario's exit-code checks. Logs: BUILD_DIR/valgrind/. Exit 0 when all are clean.
set -u
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
build=$(cd "${1:-${INGESTD_BUILD:-$src/build}}" && pwd)
[ $# -gt 0 ] && shift
scenarios=${*:-$here/valgrind_scenario.py}
command -v valgrind >/dev/null || { echo "valgrind not installed: skipped"; exit 77; }
out=$build/valgrind
rm -rf "$out" && mkdir -p "$out/bin"
vg="valgrind --tool=memcheck --suppressions=$here/valgrind.supp --error-exitcode=99 --leak-check=full --show-leak-kinds=definite,indirect --errors-for-leak-kinds=definite,indirect --track-origins=yes --num-callers=30"
failed=""
testfail=""
units=0
# VALGRIND_UNITS=0: only the scenarios
[ "${VALGRIND_UNITS:-1}" = 0 ] && units_glob="" || units_glob="$build/tests/*_test"
for t in $units_glob; do
    [ -x "$t" ] || continue
    n=$(basename "$t")
    units=$((units + 1))
    (cd "$build/tests" && $vg --log-file="$out/$n.log" "$t" >"$out/$n.out" 2>&1)
    rc=$?
    if [ $rc -eq 0 ]; then
        echo "clean: $n"
    elif [ $rc -eq 99 ] || ! grep -q "ERROR SUMMARY: 0 errors" "$out/$n.log"; then
        echo "NOT CLEAN: $n (see $out/$n.log)"
        failed="$failed $n"
    else
        # memcheck found nothing; the program's own checks failed (timing tests are ~50x
        # slower under valgrind)
        echo "clean (memcheck), but the test failed under valgrind: $n (see $out/$n.out)"
        testfail="$testfail $n"
    fi
done

# ingestd under memcheck for the integration scenarios
cat >"$out/bin/ingestd" <<WRAP
#!/bin/sh
exec $vg --log-file=$out/ingestd.%p.log $build/bin/ingestd "\$@"
WRAP
chmod +x "$out/bin/ingestd"
ln -sf "$build/bin/ingestctl" "$out/bin/ingestctl"
mkdir -p "$out/lib" && ln -sfn "$build/lib/ingestd" "$out/lib/ingestd"
for s in $scenarios; do
    if INGESTD_BIN="$out/bin" INGESTD_SOURCE_DIR="$src" \
        INGESTD_FIXTURE_PLUGINS="$build/tests/fixture-plugins" PYTHONDONTWRITEBYTECODE=1 \
        python3 "$(case $s in */*) echo "$s" ;; *) echo "$src/tests/integration/$s" ;; esac)" \
        >"$out/$(basename "$s").out" 2>&1; then
        echo "clean: ingestd in $s"
    else
        echo "NOT CLEAN: ingestd in $s (see $out/$(basename "$s").out and $out/ingestd.*.log)"
        failed="$failed $s"
    fi
done
errs=$(grep -l "ERROR SUMMARY: [1-9]" "$out"/*.log 2>/dev/null | wc -l)
echo "valgrind: $units unit programs, scenarios: $scenarios; logs with errors: $errs"
[ -z "$testfail" ] || echo "tests failing under valgrind for other reasons:$testfail"
if [ -n "$failed" ]; then
    echo "valgrind FAILED:$failed"
    exit 1
fi
echo "valgrind: all clean"

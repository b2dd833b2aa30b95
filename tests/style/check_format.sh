#!/usr/bin/env bash
# check_format - fails when a tracked C source or header is not in the repository's
# clang-format style (.clang-format). Generated tables are skipped by their own
# "clang-format off" markers.
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")/../.."
command -v clang-format >/dev/null || { echo "check_format: clang-format is not installed" >&2; exit 1; }
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    mapfile -t files < <(git ls-files '*.c' '*.h')
else
    mapfile -t files < <(find daemon include plugins tests examples bench -name '*.[ch]' 2>/dev/null)
fi
bad=0
for f in "${files[@]}"; do
    [ -f "$f" ] || continue
    if ! clang-format --dry-run --Werror "$f" >/dev/null 2>&1; then
        echo "not formatted: $f (run: clang-format -i $f)"
        bad=$((bad + 1))
    fi
done
echo "check_format: ${#files[@]} files, $bad not formatted"
[ "$bad" -eq 0 ]

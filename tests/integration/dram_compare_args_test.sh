#!/usr/bin/env bash
# scripts/dram_compare.sh checks its arguments before it builds anything: an unknown one, a
# missing or non-executable --against binary and extra arguments are errors (exit 2, one line
# naming what was expected and what was found); -h/--help prints the usage and exits 0.
# Usage: dram_compare_args_test.sh SOURCE_DIR
set -uo pipefail
script="$1/scripts/dram_compare.sh"
fail=0
expect() {  # expect CODE PATTERN ARGS...: exit code CODE and PATTERN in stdout+stderr
  local code=$1 pattern=$2
  shift 2
  local out rc
  out=$("$script" "$@" 2>&1)
  rc=$?
  if [ "$rc" != "$code" ] || ! grep -q -- "$pattern" <<<"$out"; then
    echo "FAIL: dram_compare.sh $*: exit $rc (expected $code), output:"
    echo "$out" | head -5
    fail=1
  fi
}
expect 2 "found: --speedchips" --speedchips
expect 2 "found: --speed extra" --speed extra
expect 2 "found: --against" --against
expect 2 "found '/nonexistent/npusim' (not an executable file)" --against /nonexistent/npusim
expect 0 "scripts/dram_compare.sh --speed-chips" --help
expect 0 "scripts/dram_compare.sh --against OTHER_NPUSIM" -h
exit $fail

#!/usr/bin/env bash
# scripts/dram_compare.sh and scripts/test.sh check their arguments before they build anything:
# an unknown one, extra arguments and (dram_compare.sh) a missing or non-executable --against
# binary are errors (exit 2, one line naming what was expected and what was found); -h/--help
# prints the usage and exits 0.
# Usage: script_args_test.sh SOURCE_DIR
set -uo pipefail
root=$1
fail=0
expect() {  # expect SCRIPT CODE PATTERN ARGS...: exit code CODE and PATTERN in stdout+stderr
  local script="$root/scripts/$1" code=$2 pattern=$3
  shift 3
  local out rc
  out=$("$script" "$@" 2>&1)
  rc=$?
  if [ "$rc" != "$code" ] || ! grep -q -- "$pattern" <<<"$out"; then
    echo "FAIL: $script $*: exit $rc (expected $code), output:"
    echo "$out" | head -5
    fail=1
  fi
}
expect dram_compare.sh 2 "found: --speedchips" --speedchips
expect dram_compare.sh 2 "found: --speed extra" --speed extra
expect dram_compare.sh 2 "found: --against" --against
expect dram_compare.sh 2 "found '/nonexistent/npusim' (not an executable file)" --against /nonexistent/npusim
expect dram_compare.sh 0 "scripts/dram_compare.sh --speed-chips" --help
expect dram_compare.sh 0 "scripts/dram_compare.sh --against OTHER_NPUSIM" -h
expect test.sh 2 "found: --lnog" --lnog
expect test.sh 2 "found: --long extra" --long extra
expect test.sh 0 "scripts/test.sh --sanitize" --help
exit $fail

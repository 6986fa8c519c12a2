#!/usr/bin/env bash
# Fingerprints of the compiler's output: one line per bundled workload x bundled config x
# dataflow variant, with the sha256 of `npusim compile --emit asm` (the whole program: layer
# table, mappings, every instruction and its tokens) and of `--emit mapping`. A compiler change
# that must not change what is compiled (a refactor, a faster search) keeps this output identical:
#   scripts/compile_fingerprints.sh > before.txt   (on the old tree)
#   scripts/compile_fingerprints.sh > after.txt    (on the new tree)
#   diff before.txt after.txt
# Usage: scripts/compile_fingerprints.sh [NPUSIM] (default: build/npusim). Runs 2 at a time.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
npusim=${1:-$root/build/npusim}
[ -x "$npusim" ] || { echo "error: $npusim is not an executable (build first)" >&2; exit 2; }
cd "$root"
variants=("" "array.dataflow=both" "array.dataflow=os" "array.pipelining=none")
jobs=()
for w in workloads/*.yaml; do
  [ "$(basename "$w")" = regression.yaml ] && continue
  for c in configs/*.yaml; do
    for v in "${variants[@]}"; do
      jobs+=("$w|$c|$v")
    done
  done
done
one() {
  IFS='|' read -r w c v <<<"$1"
  set_args=()
  [ -n "$v" ] && set_args=(--set "$v")
  local asm map
  asm=$("$npusim" compile --hw "$c" --workload "$w" "${set_args[@]}" --emit asm 2>&1 | sha256sum)
  map=$("$npusim" compile --hw "$c" --workload "$w" "${set_args[@]}" --emit mapping 2>&1 |
        sha256sum)
  printf '%s %s %s asm=%s mapping=%s\n' "$(basename "$w" .yaml)" "$(basename "$c" .yaml)" \
    "${v:-default}" "${asm:0:16}" "${map:0:16}"
}
export -f one
export npusim
printf '%s\n' "${jobs[@]}" | xargs -P 2 -I{} bash -c 'one "$@"' _ {} | sort

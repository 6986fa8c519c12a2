#!/usr/bin/env bash
# Benchmark (not a test): wall time, simulated cycles per second and peak memory of npusim on a
# large GEMM, with and without the functional data path.
#   scripts/bench.sh [WORKLOAD] [extra npusim run options...]
# Default: workloads/gemm_1024.yaml (1024x1024x1024) on the edge NPU resized to a 32x32 array.
# "sim wall" is compile + simulate as measured inside npusim (stats.json host.wall_seconds);
# "process wall" and "peak RSS" come from /usr/bin/time and include loading the workload
# (seed-generated tensors) and, in functional mode, the reference executor's check.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
workload=${1:-$root/workloads/gemm_1024.yaml}
shift || true
"$root/scripts/build.sh" "$root/build" >/dev/null
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
printf '%-12s %14s %12s %16s %14s %12s\n' mode cycles "sim wall s" "sim cycles/s" "process wall s" "peak RSS MiB"
for mode in functional timing-only; do
  flag=""
  [ "$mode" = timing-only ] && flag="--timing-only"
  /usr/bin/time -f "%e %M" -o "$out/time.txt" \
    "$root/build/npusim" run --workload "$workload" --set array.rows=32 --set array.cols=32 \
      --set scratchpad.bank_width=32B --set accumulator.bank_width=128B \
      $flag --quiet --force --out "$out/$mode" "$@" >/dev/null
  read -r wall rss_kb < "$out/time.txt"
  python3 - "$out/$mode/stats.json" "$mode" "$wall" "$rss_kb" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
cycles = d["totals"]["cycles"]
sim = d["host"]["wall_seconds"]
print(f"{sys.argv[2]:<12} {cycles:>14,} {sim:>12.3f} {cycles / sim:>16,.0f} {float(sys.argv[3]):>14.2f} {int(sys.argv[4]) / 1024:>12.1f}")
PY
done

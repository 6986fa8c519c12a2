#!/usr/bin/env bash
# Benchmark (not a test): sweep throughput. Runs a timing-only ResNet-50 sweep (array shape x
# scratchpad size x DRAM bandwidth x precision: 16 points by default) with -j JOBS and reports
# points per minute, and where the time of one point goes (process start and workload load,
# compile, simulate) from one point's stats.json and a timed `npusim compile`.
#   scripts/bench_sweep.sh [JOBS] [WORKLOAD]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
jobs=${1:-$(nproc)}
workload=${2:-$root/workloads/resnet50.yaml}
"$root/scripts/build.sh" "$root/build" >/dev/null
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
npusim="$root/build/npusim"
start=$(date +%s.%N)
"$npusim" sweep --hw "$root/configs/edge_npu.yaml" --workload "$workload" --timing-only \
  --grid array.rows=16,32 --grid scratchpad.size=256KiB,1MiB \
  --grid dram.bandwidth=16GB/s,32GB/s --precisions int8,fp16 -j "$jobs" --no-progress \
  --out "$out/sweep" >/dev/null
end=$(date +%s.%N)
points=$(($(wc -l < "$out/sweep/results.csv") - 1))
one=$(find "$out/sweep/points" -name stats.json | head -1)
/usr/bin/time -f "%e" -o "$out/compile.txt" "$npusim" compile --workload "$workload" >/dev/null
python3 - "$points" "$start" "$end" "$jobs" "$one" "$(cat "$out/compile.txt")" <<'PY'
import json, sys
points, start, end, jobs = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
wall = end - start
d = json.load(open(sys.argv[5]))
print(f"{points} points, -j {jobs}: {wall:.1f} s wall = {points / wall * 60:.1f} points/minute")
print(f"one point: compile + simulate {d['host']['wall_seconds']:.2f} s "
      f"({d['totals']['cycles']:,} cycles, "
      f"{d['host']['simulated_cycles_per_second']:,.0f} simulated cycles/s); "
      f"npusim compile alone (process, load, compile): {float(sys.argv[6]):.2f} s")
PY

#!/usr/bin/env bash
# Benchmark (not a test): sweep throughput. Runs a timing-only ResNet-50 sweep (array shape x
# scratchpad size x DRAM bandwidth x precision: 16 points by default) with -j JOBS and reports
# points per minute, the CPU time per point (user + system of the sweep and all its children:
# what a cluster plan needs, and less disturbed than wall time by other work on the machine),
# points per core-hour, and where the time of one point goes (process start and workload load,
# compile, simulate) from one point's stats.json and a timed `npusim compile`.
#   scripts/bench_sweep.sh [JOBS] [WORKLOAD] [SWEEP OPTIONS...]
# Extra options go to `npusim sweep`, e.g. `scripts/bench_sweep.sh 2 workloads/resnet50.yaml
# --points-per-process 8` for several points per process (docs/sweeps.md).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
jobs=${1:-$(nproc)}
workload=${2:-$root/workloads/resnet50.yaml}
shift $(($# < 2 ? $# : 2))
"$root/scripts/build.sh" "$root/build" >/dev/null
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
npusim=${NPUSIM_BIN:-$root/build/npusim}  # NPUSIM_BIN: another build, for before/after
cat > "$out/sweep.yaml" <<YAML
hw: $root/configs/edge_npu.yaml
workloads: [$workload]
timing_only: true
grid:
  array:
    - {array.rows: 16, array.cols: 16, scratchpad.bank_width: 16B, accumulator.bank_width: 64B}
    - {array.rows: 32, array.cols: 32, scratchpad.bank_width: 32B, accumulator.bank_width: 128B}
  scratchpad.size: [256KiB, 1MiB]
  dram.bandwidth: [16GB/s, 32GB/s]
  precision: [int8, fp16]
YAML
start=$(date +%s.%N)
/usr/bin/time -f "%U %S" -o "$out/cpu.txt" \
  "$npusim" sweep "$out/sweep.yaml" -j "$jobs" --no-progress --out "$out/sweep" "$@" >/dev/null
end=$(date +%s.%N)
points=$(grep -c ',ok,' "$out/sweep/results.csv" || true)
total=$(($(wc -l < "$out/sweep/results.csv") - 1))
/usr/bin/time -f "%e" -o "$out/compile.txt" "$npusim" compile --workload "$workload" >/dev/null
python3 - "$out/sweep/points" "$points" "$total" "$start" "$end" "$jobs" "$(cat "$out/compile.txt")" \
  "$(cat "$out/cpu.txt")" <<'PY'
import glob, json, sys
pdir, points, total = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
start, end, jobs, compile_s = float(sys.argv[4]), float(sys.argv[5]), int(sys.argv[6]), float(sys.argv[7])
cpu = sum(float(x) for x in sys.argv[8].split())
wall = end - start
sims = [json.load(open(f))["host"] for f in glob.glob(pdir + "/*/stats.json")]
sim_s = sum(h["wall_seconds"] for h in sims)
print(f"{points} of {total} points ran, -j {jobs}: {wall:.1f} s wall = "
      f"{points / wall * 60:.1f} points/minute")
print(f"CPU time: {cpu:.1f} s = {cpu / max(1, total):.2f} s per point = "
      f"{3600 * total / max(cpu, 1e-9):.0f} points per core-hour")
print(f"per point: compile + simulate {sim_s / max(1, len(sims)):.2f} s on average "
      f"({sum(h['simulated_cycles_per_second'] for h in sims) / max(1, len(sims)):,.0f} "
      f"simulated cycles/s); that is {sim_s / (wall * jobs):.0%} of the {jobs} cores' time, the "
      f"rest is process start, loading the workload and config, writing results "
      f"(`npusim compile` of one point, as a process: {compile_s:.2f} s)")
PY

#!/usr/bin/env bash
# Benchmark (not a test): wall time, simulated cycles per second and peak memory of npusim, each
# figure next to a raw int8 GEMM of the same MACs timed in the same run.
#   scripts/bench.sh                        the standard set: ResNet-50 (224x224) and LLaMA-7B
#                                           prefill and decode, functional and timing-only
#   scripts/bench.sh WORKLOAD [options...]  one workload, functional and timing-only; extra
#                                           options go to `npusim run`
# Every run uses the edge NPU resized to a 32x32 array. Columns:
#   sim wall s      compile + simulate as measured inside npusim (stats.json host.wall_seconds)
#   process wall s  the whole process (/usr/bin/time): loading the workload (seed-generated
#                   tensors), compiling, simulating and, in functional runs, the reference
#                   executor's check (on its own thread, concurrently with the simulation)
#   CPU s           user + system seconds of the process (all its threads)
#   raw GEMM s      an int8 x int8 -> int32 GEMM of the run's MACs on one core
#                   (tests/bench/raw_gemm.cc, the best path of sim/kernels), timed before it
#   x GEMM          process wall / raw GEMM
# NPUSIM_BIN=path runs another npusim binary (e.g. an older build, for a before/after table);
# the raw GEMM always comes from this tree's kernels.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/build.sh" "$root/build" >/dev/null
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
# The yardstick: built from its source against the kernel library of this build.
c++ -std=c++17 -O2 -I"$root" "$root/tests/bench/raw_gemm.cc" "$root/build/sim/libnpu_kernels.a" \
  "$root/build/sim/libnpu_core.a" -o "$out/raw_gemm"

if [ $# -gt 0 ]; then
  workloads=("$1")
  shift
else
  workloads=("$root/workloads/resnet50.yaml" "$root/workloads/llama7b_prefill.yaml"
             "$root/workloads/llama7b_decode.yaml")
fi
npusim=${NPUSIM_BIN:-$root/build/npusim}
printf '%-16s %-12s %16s %10s %14s %10s %8s %10s %12s %10s %8s\n' workload mode cycles "sim wall s" \
  "sim cycles/s" "wall s" "CPU s" "RSS MiB" MACs "GEMM s" "x GEMM"
for workload in "${workloads[@]}"; do
  for mode in functional timing-only; do
    flag=""
    [ "$mode" = timing-only ] && flag="--timing-only"
    /usr/bin/time -f "%e %M %U %S" -o "$out/time.txt" \
      "$npusim" run --workload "$workload" --set array.rows=32 --set array.cols=32 \
        --set scratchpad.bank_width=32B --set accumulator.bank_width=128B \
        $flag --quiet --no-progress --force --out "$out/$mode" "$@" >/dev/null
    read -r wall rss_kb user_s sys_s < "$out/time.txt"
    macs=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["totals"]["macs_total"])' \
      "$out/$mode/stats.json")
    read -r gemm_s path _ < <("$out/raw_gemm" "$macs")
    python3 - "$out/$mode/stats.json" "$(basename "$workload" .yaml)" "$mode" "$wall" "$rss_kb" \
      "$gemm_s" "$user_s" "$sys_s" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
cycles = d["totals"]["cycles"]
macs = d["totals"]["macs_total"]
sim = d["host"]["wall_seconds"]
wall, rss, gemm = float(sys.argv[4]), int(sys.argv[5]) / 1024, float(sys.argv[6])
cpu = float(sys.argv[7]) + float(sys.argv[8])
print(f"{sys.argv[2]:<16} {sys.argv[3]:<12} {cycles:>16,} {sim:>10.3f} {cycles / sim:>14,.0f} "
      f"{wall:>10.2f} {cpu:>8.2f} {rss:>10.1f} {macs / 1e9:>11.2f}G {gemm:>10.3f} {wall / gemm:>8.1f}")
PY
  done
done
echo "raw GEMM: sim/kernels path '$path' (NPUSIM_KERNELS chooses another)"

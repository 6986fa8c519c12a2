#!/usr/bin/env bash
# Throughput against cores (`--set cores=N`, shared DRAM): one timing-only run per config x batch
# x cores, one table row each: cycles, inferences/s, speedup over one core at the same batch, MAC
# utilization (of every core's array), the DRAM's share of its peak bandwidth, and the cycles the
# cores' bursts waited at the memory arbiter. A benchmark (not a test): run it once for a note.
# Usage: scripts/multicore_scaling.sh [WORKLOAD] [CONFIGS] [BATCHES] [CORES] (defaults:
#   workloads/resnet50.yaml, "configs/edge_npu.yaml configs/tpu_v1.yaml", "1 8", "1 2 4 8").
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
npusim=${NPUSIM:-$root/build/npusim}
[ -x "$npusim" ] || { echo "error: $npusim is not an executable (build first)" >&2; exit 2; }
workload=${1:-$root/workloads/resnet50.yaml}
configs=${2:-"$root/configs/edge_npu.yaml $root/configs/tpu_v1.yaml"}
batches=${3:-"1 8"}
cores_list=${4:-"1 2 4 8"}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf '%-10s %5s %5s %14s %12s %8s %7s %7s %14s\n' config batch cores cycles infer/s speedup \
  mac-util dram-bw arbiter-wait
for c in $configs; do
  for b in $batches; do
    base=""
    for n in $cores_list; do
      out="$tmp/$(basename "$c" .yaml)_b${b}_c$n"
      "$npusim" run --hw "$c" --workload "$workload" --timing-only --batch "$b" --set cores="$n" \
        --no-progress --quiet --out "$out" > /dev/null
      line=$(python3 - "$out/stats.json" "$base" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
t = d["totals"]
wait = 0
arb = d["components"].get("arbiter", {})
for k, v in arb.items():
    wait += v.get("wait_cycles", 0)
base = float(sys.argv[2]) if sys.argv[2] else t["inferences_per_second"]
print(f'{t["cycles"]} {t["inferences_per_second"]:.1f} {t["inferences_per_second"] / base:.2f} '
      f'{100 * t["mac_utilization"]:.1f}% {100 * t["dram_peak_fraction"]:.1f}% {wait}')
PY
)
      read -r cycles ips speedup util dram wait <<<"$line"
      [ -z "$base" ] && base=$ips
      printf '%-10s %5s %5s %14s %12s %8s %7s %7s %14s\n' "$(basename "$c" .yaml)" "$b" "$n" \
        "$cycles" "$ips" "$speedup" "$util" "$dram" "$wait"
    done
  done
done

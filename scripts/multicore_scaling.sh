#!/usr/bin/env bash
# Throughput against cores (`--set cores=N`, shared DRAM): one timing-only run per workload x
# config x partition x batch x cores, one table row each: cycles, inferences/s, speedup over one
# core at the same batch, MAC utilization (of every core's array), the DRAM's share of its peak
# bandwidth, the DRAM bytes moved (MB, reads and writes of every core), the cycles the cores'
# bursts waited at the memory arbiter, and (partitions channel and spatial) the share of the
# cores' cycles spent waiting at the cross-core barrier (partition pipeline: waiting for the
# previous stage's token, models/platform/stage_tokens.h), averaged over the cores. Each
# partition's speedup is over its own one-core run (one core runs the same program whatever the
# partition). A benchmark (not a test): run it once for a note.
# Usage: scripts/multicore_scaling.sh [WORKLOADS...] [CONFIGS] [BATCHES] [CORES] [PARTITIONS]
#   (defaults: workloads/resnet50.yaml, "configs/edge_npu.yaml configs/tpu_v1.yaml", "1 8",
#   "1 2 4 8", "batch"; PARTITIONS: any of auto batch channel spatial pipeline). With more than
#   five arguments the last four are CONFIGS BATCHES CORES PARTITIONS and every one before them a
#   workload (so `workloads/{resnet50,bert_base_layer}.yaml "..." 1 "1 2 4" "channel spatial"`
#   works); WORKLOADS may also be one argument of several paths separated by spaces.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
npusim=${NPUSIM:-$root/build/npusim}
[ -x "$npusim" ] || { echo "error: $npusim is not an executable (build first)" >&2; exit 2; }
if [ $# -gt 5 ]; then
  workloads=""
  while [ $# -gt 4 ]; do workloads="$workloads $1"; shift; done
  set -- "$workloads" "$@"
fi
workloads=${1:-$root/workloads/resnet50.yaml}
configs=${2:-"$root/configs/edge_npu.yaml $root/configs/tpu_v1.yaml"}
batches=${3:-"1 8"}
cores_list=${4:-"1 2 4 8"}
partitions=${5:-batch}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf '%-16s %-10s %-9s %5s %5s %14s %12s %8s %8s %7s %9s %14s %12s\n' workload config partition \
  batch cores cycles infer/s speedup mac-util dram-bw dram-MB arbiter-wait barrier-wait
for workload in $workloads; do
for c in $configs; do
  for part in $partitions; do
  for b in $batches; do
    base=""
    for n in $cores_list; do
      out="$tmp/$(basename "$workload" .yaml)_$(basename "$c" .yaml)_${part}_b${b}_c$n"
      "$npusim" run --hw "$c" --workload "$workload" --timing-only --batch "$b" --set cores="$n" \
        --set compiler.partition="$part" --no-progress --quiet --out "$out" > /dev/null
      line=$(python3 - "$out/stats.json" "$base" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
t = d["totals"]
wait = 0
arb = d["components"].get("arbiter", {})
for k, v in arb.items():
    wait += v.get("wait_cycles", 0)
barrier = d["components"].get("barrier", d["components"].get("tokens", {}))
bwait = sum(v.get("wait_cycles", 0) for v in barrier.values())
share = f'{100 * bwait / max(1, len(barrier) * t["cycles"]):.1f}%' if barrier else "-"
base = float(sys.argv[2]) if sys.argv[2] else t["inferences_per_second"]
print(f'{t["cycles"]} {t["inferences_per_second"]:.1f} {t["inferences_per_second"] / base:.2f} '
      f'{100 * t["mac_utilization"]:.1f}% {100 * t["dram_peak_fraction"]:.1f}% '
      f'{t["dram_bytes"] / 1e6:.1f} {wait} {share}')
PY
)
      read -r cycles ips speedup util dram mb wait bshare <<<"$line"
      [ -z "$base" ] && base=$ips
      printf '%-16s %-10s %-9s %5s %5s %14s %12s %8s %8s %7s %9s %14s %12s\n' \
        "$(basename "$workload" .yaml)" "$(basename "$c" .yaml)" "$part" "$b" "$n" "$cycles" \
        "$ips" "$speedup" "$util" "$dram" "$mb" "$wait" "$bshare"
    done
  done
  done
done
done

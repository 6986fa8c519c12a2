#!/usr/bin/env bash
# Inferences/s against batch, cross-layer overlap and fusion, with the two bounds a run can reach
# (issue 13's table; docs/architecture.md "Batch" and "Cross-layer overlap"). One timing-only run
# per config x batch x mode, one Markdown row per config x batch:
#   - inferences/s for each mode (MODE = OVERLAP+FUSION, e.g. none+none, full+auto);
#   - compute bound: clock x the array's MACs per cycle / the network's MACs per inference (every
#     MAC on a busy array);
#   - weight bound: clock x the DRAM's peak bytes per cycle x batch / the network's weight bytes
#     (each weight read once per batch from DRAM at its peak, nothing else moved). The weight bytes
#     are the array layers' weights: per layer MACs / (batch x output positions) weights of the
#     layer's precision (conv: H'W' positions, gemm: M rows; attention's matmuls have none);
#   - the best mode's own traffic bound: clock x the DRAM's peak bytes per cycle / the DRAM bytes
#     that run moved per inference (weights, activations that do not stay on chip, spills): how
#     fast its traffic could go at the DRAM's peak;
#   - the best mode's share of min(compute bound, weight bound): how close the batch gets to what
#     the chip allows.
# A benchmark (not a test): run it once for a note.
# Usage: scripts/batch_overlap_table.sh [WORKLOAD] [CONFIGS] [BATCHES] [MODES]
#   defaults: workloads/resnet50.yaml, every bundled chip (edge_npu gemmini nvdla tpu_v1 vta),
#   "1 8 32", "none+none prefetch+none full+none none+auto full+auto".
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
npusim=${NPUSIM:-$root/build/npusim}
[ -x "$npusim" ] || { echo "error: $npusim is not an executable (build first)" >&2; exit 2; }
workload=${1:-$root/workloads/resnet50.yaml}
configs=${2:-"edge_npu gemmini nvdla tpu_v1 vta"}
batches=${3:-"1 8 32"}
modes=${4:-"none+none prefetch+none full+none none+auto full+auto"}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

header="| chip | batch |"
rule="|---|---:|"
for m in $modes; do
  header="$header $m |"
  rule="$rule---:|"
done
echo "$(basename "$workload" .yaml): inferences/s (overlap+fusion)"
echo
echo "$header compute bound | weight bound | best's traffic bound | best / min(bounds) |"
echo "$rule---:|---:|---:|---:|"
for c in $configs; do
  for b in $batches; do
    row="| $(basename "$c" .yaml) | $b |"
    files=()
    error=""
    for m in $modes; do
      overlap=${m%+*}
      fusion=${m#*+}
      out="$tmp/$(basename "$c" .yaml)_b${b}_${overlap}_${fusion}"
      if ! "$npusim" run --hw "$c" --workload "$workload" --timing-only --batch "$b" \
        --set compiler.overlap="$overlap" --set compiler.fusion="$fusion" --no-progress --quiet \
        --force --out "$out" > /dev/null 2> "$tmp/error"; then
        # A point the chip cannot run (e.g. the batch needs more DRAM than dram.size): say why.
        error=$(head -n 1 "$tmp/error" | sed "s|$root/||")
        break
      fi
      files+=("$out/stats.json")
    done
    if [ -n "$error" ]; then
      echo "$row not run: $error |"
      continue
    fi
    row="$row $(python3 - "${files[@]}" <<'PY'
import json, re, sys
runs = [json.load(open(f)) for f in sys.argv[1:]]
d = runs[0]
batch = d.get("batch", 1)  # absent at batch 1
clock = d["clock_hz"]
peak = d["peak"]
macs_per_inference = d["totals"]["macs_total"] / batch
weight_bytes = 0.0
for layer in d["layers"]:
    shape = layer["shape"]
    bits = {"int4": 4, "int8": 8, "bf16": 16, "fp16": 16, "fp32": 32}.get(layer["precision"], 8)
    if layer["op"] == "conv2d":
        h, w, _ = (int(x) for x in shape.split("->")[1].split()[0].split("x"))
        positions = h * w
    elif layer["op"] == "gemm":
        positions = int(re.match(r"(\d+)x", shape).group(1))
    else:
        continue
    weight_bytes += layer["macs_total"] / (batch * positions) * bits / 8
ips = [r["totals"]["inferences_per_second"] for r in runs]
compute = clock * peak["macs_per_cycle"] / macs_per_inference
weights = clock * peak["dram_bytes_per_cycle"] * batch / weight_bytes
best = runs[ips.index(max(ips))]["totals"]
traffic = clock * peak["dram_bytes_per_cycle"] * batch / best["dram_bytes"]
cells = [f"{x:,.0f}" for x in ips]
cells += [f"{compute:,.0f}", f"{weights:,.0f}", f"{traffic:,.0f}",
          f"{100 * max(ips) / min(compute, weights):.0f}%"]
print(" | ".join(cells) + " |")
PY
)"
    echo "$row"
  done
done

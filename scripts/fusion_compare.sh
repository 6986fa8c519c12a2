#!/usr/bin/env bash
# Fusion's effect (docs/fusion.md, "Measured"): each bundled chip runs networks timing-only with
# compiler.fusion none and auto; prints a Markdown table of cycles, DRAM bytes (read + written),
# on-chip window bytes (scratchpad-to-scratchpad copies: the fused intermediates' saved bytes) and
# energy, with the fusion groups formed and the change of each figure.
#   scripts/fusion_compare.sh                    ResNet-50 on every bundled chip
#   scripts/fusion_compare.sh resnet18 mobilenet_v2   other bundled workloads
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
npusim="$root/build/npusim"
[ -x "$npusim" ] || { echo "error: $npusim is not an executable (build first)" >&2; exit 2; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
workloads=("$@")
[ ${#workloads[@]} -gt 0 ] || workloads=(resnet50)

# One timing-only run; prints "cycles dram_bytes energy_uJ groups onchip_saved".
run() {
  local dir="$out/run"
  rm -rf "$dir"
  "$npusim" run --timing-only --quiet --out "$dir" --force "$@" >/dev/null
  python3 - "$dir/stats.json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
t = d["totals"]
f = d.get("fusion", {})
print(t["cycles"], t["counters"]["dram_read_bytes"] + t["counters"]["dram_write_bytes"],
      f'{t["energy_pj"]["total"] / 1e6:.1f}', len(f.get("groups", [])),
      f.get("onchip_bytes_saved", 0))
EOF
}

echo "| workload | chip | cycles none | cycles auto | change | DRAM B none | DRAM B auto | energy uJ none | energy uJ auto | groups | on-chip copy B saved |"
echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
for w in "${workloads[@]}"; do
  for c in edge_npu gemmini nvdla tpu_v1 vta; do
    read -r c0 d0 e0 _ _ < <(run --hw "$c" --workload "$w" --set compiler.fusion=none)
    read -r c1 d1 e1 g1 s1 < <(run --hw "$c" --workload "$w" --set compiler.fusion=auto)
    pct=$(python3 -c "print(f'{100 * ($c1 - $c0) / $c0:+.1f}%')")
    echo "| $w | $c | $c0 | $c1 | $pct | $d0 | $d1 | $e0 | $e1 | $g1 | $s1 |"
  done
done

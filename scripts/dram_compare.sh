#!/usr/bin/env bash
# The simple and the banked DRAM side by side (docs/dram.md, "Simple vs banked"): each bundled
# chip runs networks timing-only with dram.model simple (its config's bandwidth and latency) and
# banked with DRAM presets (the chip's own memory first where it has one: the one its config
# selects); prints a Markdown table of cycles, achieved DRAM bandwidth, row-hit rate and DRAM and
# total energy, plus the host time of each run (a benchmark figure, not a result).
#   scripts/dram_compare.sh            the table of docs/dram.md
#   scripts/dram_compare.sh --speed    only ResNet-50 (32x32 edge NPU, the bench.sh setup),
#                                      simple vs banked host CPU seconds, best of 5 each,
#                                      interleaved
#   scripts/dram_compare.sh --speed-chips
#                                      ResNet-50 timing-only on every bundled chip at its own
#                                      size, simple vs banked (the chip's own memory, else the
#                                      default DDR4-3200; edge_npu also LPDDR4-4266), host CPU
#                                      seconds, best of 3 each, interleaved: issue 12's bound
#                                      (banked at most 2x simple) chip by chip
#   scripts/dram_compare.sh --against OTHER_NPUSIM
#                                      an A/B of this tree's build and another npusim binary
#                                      (e.g. one built from main): every banked run of the table
#                                      must give the same stats.json apart from "host" (exit 1
#                                      when one differs), then --speed for both binaries
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
# The arguments, checked before anything is built: none, --speed, --speed-chips, --against
# OTHER_NPUSIM, or -h/--help (the usage above); anything else is an error (exit 2).
usage() { sed -n '2,21p' "$0" | sed 's/^# \{0,1\}//'; }
case "${1:-}|$#" in
  "|0" | "--speed|1" | "--speed-chips|1") ;;
  "--against|2")
    if [ ! -x "$2" ]; then
      echo "scripts/dram_compare.sh: --against: expected an npusim binary, found '$2' (not an executable file)" >&2
      exit 2
    fi
    ;;
  "-h|1" | "--help|1") usage; exit 0 ;;
  *)
    echo "scripts/dram_compare.sh: expected no argument, --speed, --speed-chips or --against OTHER_NPUSIM; found: $*" >&2
    usage >&2
    exit 2
    ;;
esac
"$root/scripts/build.sh" "$root/build" >/dev/null
npusim="$root/build/npusim"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

# One run of $bin (default: this tree's npusim) into $out/${dir:-run}; prints "cycles GB/s
# row_hit_rate dram_uJ total_uJ cpu_s" (row_hit_rate "-" if simple).
run() {
  local dir="$out/${dir:-run}"
  rm -rf "$dir"
  # The run's user + system CPU seconds from its rusage (/usr/bin/time rounds to 10 ms).
  python3 - "$out/time" "${bin:-$npusim}" run --timing-only --quiet --out "$dir" --force "$@" \
    <<'EOF'
import os, subprocess, sys
child = subprocess.Popen(sys.argv[2:], stdout=subprocess.DEVNULL)
_, status, usage = os.wait4(child.pid, 0)
with open(sys.argv[1], "w") as f:
    f.write(f"{usage.ru_utime} {usage.ru_stime}\n")
sys.exit(os.waitstatus_to_exitcode(status))
EOF
  python3 - "$dir/stats.json" "$out/time" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
t = d["totals"]
u, s = open(sys.argv[2]).read().split()[-2:]
dram = t.get("dram")
hit = f'{100 * dram["row_hit_rate"]:.1f}%' if dram else "-"
print(t["cycles"], f'{t["dram_gbps"]:.2f}', hit, f'{t["energy_pj"]["dram"] / 1e6:.1f}',
      f'{t["energy_pj"]["total"] / 1e6:.1f}', f"{float(u) + float(s):.3f}")
EOF
}

# ResNet-50 on the 32x32 edge NPU, simple and banked, best of 5 interleaved runs of each binary
# given as LABEL=PATH; one line per binary (the label shown when there are several).
speed() {
  local edge32=(--hw "$root/configs/edge_npu.yaml" --workload "$root/workloads/resnet50.yaml"
                --set array.rows=32 --set array.cols=32 --set scratchpad.bank_width=32B
                --set accumulator.bank_width=128B)
  for i in 1 2 3 4 5; do
    for spec in "$@"; do
      for model in simple banked; do
        echo "${spec%%=*} $model $(bin=${spec#*=} run "${edge32[@]}" --set dram.model=$model |
                                    awk '{print $6}')"
      done
    done
  done | awk -v several=$(($# > 1)) '
    { k = $1 " " $2; if (!(k in best) || $3 < best[k]) best[k] = $3
      if (!($1 in seen)) { seen[$1] = 1; order[n++] = $1 } }
    END { for (i = 0; i < n; i++) {
            l = order[i]
            printf "ResNet-50 timing-only, CPU s (best of 5)%s: simple %.3f, banked %.3f, ratio %.2f\n",
                   several ? " " l : "", best[l " simple"], best[l " banked"],
                   best[l " banked"] / best[l " simple"] } }'
}

if [ "${1:-}" = "--speed-chips" ]; then
  # chip, then a preset for the banked runs (none: the chip's own memory or the default)
  chips=("edge_npu" "edge_npu lpddr4_4266" "nvdla" "gemmini" "vta" "tpu_v1")
  for i in 1 2 3; do
    for c in "${chips[@]}"; do
      read -r chip preset <<<"$c"
      args=(--hw "$root/configs/$chip.yaml" --workload "$root/workloads/resnet50.yaml")
      label="$chip${preset:+ $preset}"
      echo "$label|simple|$(run "${args[@]}" --set dram.model=simple | awk '{print $6}')"
      sets=(--set dram.model=banked)
      [ -z "$preset" ] || sets+=(--set dram.preset="$preset")
      echo "$label|banked|$(run "${args[@]}" "${sets[@]}" | awk '{print $6}')"
    done
  done | awk -F'|' '
    { k = $1 "|" $2; if (!(k in best) || $3 < best[k]) best[k] = $3
      if (!($1 in seen)) { seen[$1] = 1; order[n++] = $1 } }
    END { print "| chip (ResNet-50 timing-only) | simple CPU s | banked CPU s | banked / simple |"
          print "|---|---|---|---|"
          for (i = 0; i < n; i++) {
            l = order[i]
            printf "| %s | %.3f | %.3f | %.2f |\n", l, best[l "|simple"], best[l "|banked"],
                   best[l "|banked"] / best[l "|simple"] } }'
  exit 0
fi

if [ "${1:-}" = "--speed" ]; then
  speed "this=$npusim"
  exit 0
fi

# chip config, workload, the presets to compare (the chip's own memory first where it has one);
# PRESET:N keeps N channels (the chip's), PRESET alone the preset's own channel count.
cases=(
  "edge_npu resnet50 ddr4_3200 lpddr4_4266 hbm2"
  "nvdla resnet50 ddr4_3200 lpddr4_4266"
  "gemmini mobilenet_v2 ddr4_3200 lpddr4_4266"
  "tpu_v1 bert_base_layer ddr3_2133:2 ddr4_3200:2 hbm2"
  "vta resnet18 ddr3_1600 ddr4_3200"
)
if [ "${1:-}" = "--against" ]; then
  other=${2:?usage: scripts/dram_compare.sh --against OTHER_NPUSIM}
  differ=0
  for c in "${cases[@]}"; do
    read -r chip wl presets <<<"$c"
    args=(--hw "$root/configs/$chip.yaml" --workload "$root/workloads/$wl.yaml")
    for entry in $presets; do
      p=${entry%%:*}
      sets=(--set dram.model=banked --set dram.preset="$p")
      [ "$entry" = "$p" ] || sets+=(--set dram.channels="${entry#*:}")
      dir=this run "${args[@]}" "${sets[@]}" >/dev/null
      dir=other bin=$other run "${args[@]}" "${sets[@]}" >/dev/null
      if python3 - "$out/this/stats.json" "$out/other/stats.json" <<'EOF'
import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:])
for d in (a, b):
    d.pop("host", None)
sys.exit(0 if a == b else 1)
EOF
      then
        echo "$chip $wl banked $entry: same stats.json"
      else
        echo "$chip $wl banked $entry: DIFFERENT stats.json"
        differ=1
      fi
    done
  done
  speed "this=$npusim" "other=$other"
  exit $differ
fi

echo "| chip | workload | dram | cycles | GB/s | row hits | DRAM uJ | total uJ | host CPU s |"
echo "|---|---|---|---|---|---|---|---|---|"
for c in "${cases[@]}"; do
  read -r chip wl presets <<<"$c"
  args=(--hw "$root/configs/$chip.yaml" --workload "$root/workloads/$wl.yaml")
  read -r cy bw hit de te cpu <<<"$(run "${args[@]}" --set dram.model=simple)"
  [ -n "$cpu" ] || { echo "error: $chip $wl simple failed" >&2; exit 1; }
  echo "| $chip | $wl | simple | $cy | $bw | $hit | $de | $te | $cpu |"
  for entry in $presets; do
    p=${entry%%:*}
    sets=(--set dram.model=banked --set dram.preset="$p")
    [ "$entry" = "$p" ] || sets+=(--set dram.channels="${entry#*:}")
    read -r cy bw hit de te cpu <<<"$(run "${args[@]}" "${sets[@]}")"
    [ -n "$cpu" ] || { echo "error: $chip $wl $entry failed" >&2; exit 1; }
    echo "| | | banked $entry | $cy | $bw | $hit | $de | $te | $cpu |"
  done
done

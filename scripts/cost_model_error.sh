#!/usr/bin/env bash
# The mapper's cost model against simulation: for each bundled network x bundled chip, the
# estimate of every array layer's chosen mapping (`npusim compile --emit estimate`: cycles and
# energy) against the same layer simulated timing-only (`npusim run --timing-only --out`:
# stats.json's per-layer cycles and energy). Prints, per network x chip and over all, the error
# (estimate / simulated - 1) of cycles and of energy: mean, mean |error| and max |error|.
# Usage: scripts/cost_model_error.sh [NPUSIM] [--objective OBJ] [NETWORK...]
#   default networks: resnet50 mobilenet_v2 resnet18 bert_base_layer tiny_resnet; runs 2 at a time.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
npusim=$root/build/npusim
if [ $# -gt 0 ] && [ -x "$1" ] && [ ! -d "$1" ]; then npusim=$1; shift; fi
objective=latency
if [ "${1:-}" = --objective ]; then objective=$2; shift 2; fi
[ -x "$npusim" ] || { echo "error: $npusim is not an executable (build first)" >&2; exit 2; }
networks=("$@")
[ ${#networks[@]} -gt 0 ] || networks=(resnet50 mobilenet_v2 resnet18 bert_base_layer tiny_resnet)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$root"
one() {
  local w=$1 c=$2 d="$tmp/$1.$2"
  mkdir -p "$d"
  "$npusim" compile --hw "$c" --workload "$w" --objective "$objective" --emit estimate \
    -o "$d/estimate.tsv" >/dev/null
  "$npusim" run --hw "$c" --workload "$w" --objective "$objective" --timing-only --quiet \
    --no-progress --out "$d/run" >/dev/null
}
export -f one
export npusim tmp objective
for w in "${networks[@]}"; do
  for c in configs/*.yaml; do echo "$w $(basename "$c" .yaml)"; done
done | xargs -P 2 -n 2 bash -c 'one "$@"' _
python3 - "$tmp" "$objective" "${networks[@]}" <<'EOF'
import json, os, sys
tmp, objective, networks = sys.argv[1], sys.argv[2], sys.argv[3:]
chips = sorted(f[:-5] for f in os.listdir("configs") if f.endswith(".yaml"))
def summary(errs):
    if not errs:
        return "       -        -        -"
    mean = sum(errs) / len(errs)
    mabs = sum(abs(e) for e in errs) / len(errs)
    return "%+7.1f%% %7.1f%% %7.1f%%" % (100 * mean, 100 * mabs, 100 * max(abs(e) for e in errs))
print("cost model error = estimate / simulated - 1, per array layer (objective %s)" % objective)
print("%-16s %-9s %6s | %-26s | %-26s" % ("network", "chip", "layers", "cycles: mean  mean|e|  max|e|",
                                          "energy: mean  mean|e|  max|e|"))
all_c, all_e = [], []
for w in networks:
    net_c, net_e = [], []
    for c in chips:
        d = os.path.join(tmp, w + "." + c)
        est = {}
        with open(os.path.join(d, "estimate.tsv")) as f:
            next(f)
            for line in f:
                name, cyc, pj, _ = line.rstrip("\n").split("\t")
                est[name] = (int(cyc), float(pj))
        stats = json.load(open(os.path.join(d, "run", "stats.json")))
        ce, ee = [], []
        for l in stats["layers"]:
            if l["name"] not in est:
                continue
            cyc, pj = est[l["name"]]
            ce.append(cyc / l["cycles"] - 1)
            ee.append(pj / l["energy_pj"]["total"] - 1)
        print("%-16s %-9s %6d | %s | %s" % (w, c, len(ce), summary(ce), summary(ee)))
        net_c += ce; net_e += ee
    print("%-16s %-9s %6d | %s | %s" % (w, "all", len(net_c), summary(net_c), summary(net_e)))
    all_c += net_c; all_e += net_e
print("%-16s %-9s %6d | %s | %s" % ("all", "all", len(all_c), summary(all_c), summary(all_e)))
EOF

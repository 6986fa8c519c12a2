#!/usr/bin/env bash
# Benchmark (not a test): how much of a sweep's true Pareto front NSGA-II finds with a share of
# the grid's points. Runs the sweep file's whole grid once (the exhaustive front: rank 1 among
# its feasible points, per workload), then `--strategy nsga2 --budget B` for each seed, each in a
# directory pre-filled with hard links to the grid's points (ids are equal, so the search skips
# what the grid already ran and replays exactly what it would have run), and prints per seed the
# share of the true front among the points the search evaluated.
#   scripts/bench_search.sh SWEEP.yaml [SHARE_PERCENT=25] [SEEDS=20] [JOBS=nproc] [OUT=tmp dir]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
file=$1
share=${2:-25}
seeds=${3:-20}
jobs=${4:-$(nproc)}
out=${5:-}
"$root/scripts/build.sh" "$root/build" >/dev/null
npusim="$root/build/npusim"
if [ -z "$out" ]; then
  out=$(mktemp -d)
  trap 'rm -rf "$out"' EXIT
fi
mkdir -p "$out"
"$npusim" sweep "$file" -j "$jobs" --no-progress --strategy grid --out "$out/grid" >/dev/null
total=$(($(wc -l < "$out/grid/results.csv") - 1))
budget=$((total * share / 100))
for seed in $(seq 1 "$seeds"); do
  d="$out/nsga2-$seed"
  rm -rf "$d"
  mkdir -p "$d/points"
  for p in "$out/grid/points"/*/; do
    cp -al "$p" "$d/points/" 2>/dev/null || cp -a "$p" "$d/points/"
  done
  "$npusim" sweep "$file" -j "$jobs" --no-progress --strategy nsga2 --budget "$budget" \
    --seed "$seed" --out "$d" >/dev/null
done
python3 - "$out" "$seeds" "$budget" "$total" <<'PY'
import csv, sys
out, seeds, budget, total = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
grid = list(csv.DictReader(open(out + "/grid/results.csv")))
front = {r["id"] for r in grid if r["rank"] == "1"}
recalls = []
for s in range(1, seeds + 1):
    found = {r["id"] for r in csv.DictReader(open(f"{out}/nsga2-{s}/results.csv"))}
    recalls.append(len(front & found) / len(front))
    print(f"seed {s:3d}: {len(front & found)} of {len(front)} front points "
          f"({recalls[-1]:.0%}) in {len(found)} evaluations")
ok = sum(r >= 0.9 for r in recalls)
print(f"grid {total} points, true front {len(front)}; nsga2 budget {budget} "
      f"({budget / total:.0%}): recall min {min(recalls):.0%}, mean "
      f"{sum(recalls) / len(recalls):.0%}; >= 90% for {ok} of {seeds} seeds")
PY

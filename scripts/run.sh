#!/usr/bin/env bash
# Sets up, builds and runs npusim on the bundled default config and workload (or pass any
# `npusim run` options, e.g. scripts/run.sh --hw configs/gemmini.yaml --out out/).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/build.sh" "$root/build" >/dev/null
exec "$root/build/npusim" run "$@"

#!/usr/bin/env bash
# Installs npusim's build and test dependencies from Debian packages. Idempotent: prints nothing
# and changes nothing when everything is already installed.
#   scripts/setup.sh          build and test dependencies
#   scripts/setup.sh slurm    also a single-node Slurm for `npusim sweep --slurm` and its test
#                             (scripts/slurm-local.sh runs it)
set -euo pipefail

packages=(
  g++ cmake ninja-build pkgconf
  libsystemc-dev        # SystemC 2.3.4 (+ TLM-2.0)
  libyaml-cpp-dev       # YAML configs and workloads
  libonnx-dev           # ONNX import (protobuf classes, shape inference)
  libprotobuf-dev       # protobuf headers for libonnx
  libboost-dev          # Boost headers
  nlohmann-json3-dev    # stats.json
  libgtest-dev          # GoogleTest
  time                  # /usr/bin/time for scripts/bench.sh
  chromium              # headless render check of the HTML reports (scripts/check_html.sh)
  clang libfuzzer-14-dev  # the fuzz targets (scripts/fuzz.sh: -fsanitize=fuzzer,address,undefined)
)
if [ "${1:-}" = "slurm" ]; then
  packages+=(slurm-wlm munge)  # slurmctld, slurmd, sbatch/squeue/sinfo, munged
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "setup: installing ${missing[*]}" >&2
sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq >/dev/null
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null

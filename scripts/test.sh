#!/usr/bin/env bash
# Sets up, builds and runs the whole test suite (unit, model and integration tests).
#   scripts/test.sh             Release build in build/, all tests but the slow proofs (label long)
#                               and the Slurm tests (label slurm)
#   scripts/test.sh --sanitize  ASan + UBSan build in build-asan/, the same tests
#   scripts/test.sh --long      Release build in build/, only the slow proofs (ctest -L long)
#   scripts/test.sh --slurm     Release build, only the tests labelled slurm (`npusim sweep --slurm`
#                               on a local Slurm that the test starts and stops; installs slurm-wlm
#                               and munge through scripts/setup.sh slurm)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
case "${1:-}|$#" in
  "|0" | "--long|1" | "--slurm|1" | "--sanitize|1") ;;
  "-h|1" | "--help|1") sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
  *)
    echo "scripts/test.sh: expected no argument, --long, --slurm or --sanitize; found: $*" >&2
    exit 2
    ;;
esac
build="$root/build"
extra=()
labels=(-LE "long|slurm")
if [ "${1:-}" = "--long" ]; then
  labels=(-L long)
elif [ "${1:-}" = "--slurm" ]; then
  "$root/scripts/setup.sh" slurm
  labels=(-L slurm)
  export NPUSIM_SLURM_TESTS=1
elif [ "${1:-}" = "--sanitize" ]; then
  build="$root/build-asan"
  extra=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DNPUSIM_SANITIZE=ON)
  export ASAN_OPTIONS=detect_stack_use_after_return=0:detect_leaks=1
  export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
fi
"$root/scripts/build.sh" "$build" "${extra[@]}"
cd "$build"
ctest --output-on-failure -j "$(nproc)" "${labels[@]}"

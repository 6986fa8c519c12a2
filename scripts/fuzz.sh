#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz) with clang, -fsanitize=fuzzer,address,undefined, in
# their own build directory, and runs each for a bounded time from its seed corpus (the bundled
# configs, workloads and goldens, tests/fuzz/seeds) plus the checked-in crash corpus.
#
# Usage: scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]   (default 60 s, every target)
# Env:   FUZZ_BUILD (default build-fuzz)
#        FUZZ_SEED (default 1): libFuzzer's -seed, so a run is repeatable (same seed, same inputs
#        tried, apart from timing); FUZZ_SEED=0 draws a fresh seed each run, for longer
#        exploratory fuzzing.
#
# Prints, per target, libFuzzer's final line (executions, cov: and ft: coverage) and exits 1 if
# any target found a crash, leak, timeout or broken property; the reproducer is left in
# $FUZZ_BUILD/artifacts/<target>/ (replay it: $FUZZ_BUILD/fuzz/<target> <file>).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
seconds=${1:-60}
shift || true
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(fuzz_hw_config fuzz_workload fuzz_stats_json fuzz_cli_args)
build=${FUZZ_BUILD:-$root/build-fuzz}

"$root/scripts/setup.sh"
launcher=()
if command -v ccache >/dev/null 2>&1; then
  export CCACHE_BASEDIR="$root" CCACHE_NOHASHDIR=1
  launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
fi
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++ \
  -DNPUSIM_FUZZ=ON -DNPUSIM_WERROR=OFF "${launcher[@]}" >/dev/null
cmake --build "$build" -j "$(nproc)" --target "${targets[@]}"

# libFuzzer takes corpus directories: the small bundled workloads are copied into one (the big
# networks draw tensors for seconds per input).
mkdir -p "$build/seeds/fuzz_workload"
for w in default conv_small gemm_small tiny_resnet tiny_attention digits; do
  cp "$root/workloads/$w.yaml" "$build/seeds/fuzz_workload/"
done
declare -A seeds=(
  [fuzz_hw_config]="$root/configs"
  [fuzz_workload]="$build/seeds/fuzz_workload $root/tests/fuzz/seeds/fuzz_workload"
  [fuzz_stats_json]="$root/tests/golden"
  [fuzz_cli_args]="$root/tests/fuzz/seeds/fuzz_cli_args"
)
failed=0
export ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
for t in "${targets[@]}"; do
  corpus="$build/corpus/$t"
  artifacts="$build/artifacts/$t"
  mkdir -p "$corpus" "$artifacts"
  log="$build/$t.log"
  set +e
  # -rss_limit_mb: a run over 2 GiB is a bug (inputs are bounded); -timeout: a hang is a bug.
  # shellcheck disable=SC2086
  "$build/fuzz/$t" "$corpus" ${seeds[$t]} "$root/tests/fuzz/crashes/$t" \
    -seed="${FUZZ_SEED:-1}" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
    -artifact_prefix="$artifacts/" -print_final_stats=1 >"$log" 2>&1
  rc=$?
  set -e
  runs=$(grep -E '^stat::number_of_executed_units' "$log" | awk '{s+=$2} END {print s+0}')
  last=$(grep -E '#[0-9]+.*(DONE|pulse|NEW|REDUCE|INITED)' "$log" | tail -1 || true)
  cov=$(sed -nE 's/.* cov: ([0-9]+).*/\1/p' <<<"$last")
  ft=$(sed -nE 's/.* ft: ([0-9]+).*/\1/p' <<<"$last")
  if [ $rc -ne 0 ] || ls "$artifacts" | grep -q .; then
    echo "fuzz: $t: FAILED after $runs executions (exit $rc); see $log and $artifacts/"
    # What broke, where (the sanitizer's report and stack), and the reproducer itself, so a CI
    # log alone is enough to replay it: base64 -d > crash; $build/fuzz/$t crash.
    grep -E 'ERROR|runtime error|fuzz property broken|SUMMARY|^ +#[0-9]+ ' "$log" | head -40 || true
    for f in "$artifacts"/*; do
      [ -f "$f" ] || continue
      echo "fuzz: reproducer $(basename "$f") ($(wc -c <"$f") bytes, base64):"
      head -c 16384 "$f" | base64 -w 0
      echo
    done
    failed=1
  else
    echo "fuzz: $t: ok, $runs executions in ${seconds}s, cov: ${cov:-?} ft: ${ft:-?}, corpus $(ls "$corpus" | wc -l) inputs"
  fi
done
exit $failed

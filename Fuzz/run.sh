#!/usr/bin/env bash
# Builds the libFuzzer targets (fuzz-idx, fuzz-checkpoint, fuzz-generator) with AddressSanitizer
# and runs each for SECONDS (default 60), one after the other. New inputs go to
# Fuzz/.build/corpus-<name> (the seed corpora in Fuzz/Corpus stay unchanged),
# crashes to Fuzz/artifacts/. Exits non-zero if a fuzzer finds a crash, a leak
# or a hang; prints the number of executions of each.
#
#   Fuzz/run.sh 600                  # ten minutes each
#   Fuzz/run.sh 60 fuzz-checkpoint   # one target
#   Fuzz/run.sh 0 fuzz-idx Fuzz/artifacts/crash-…   # replay one input
#   FUZZ_SEED=1 Fuzz/run.sh 60       # a fixed libFuzzer seed: the same inputs in the same order (CI)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
shift || true
targets=(fuzz-idx fuzz-checkpoint fuzz-generator)
if [ $# -gt 0 ] && [[ "$1" == fuzz-* ]]; then targets=("$1"); shift; fi
replay=("$@")

scratch=Fuzz/.build
flags=(-c debug -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library)
mkdir -p Fuzz/artifacts "$scratch"
status=0
for target in "${targets[@]}"; do
    echo "== building $target"
    if ! swift build --package-path Fuzz --scratch-path "$scratch" "${flags[@]}" --product "$target" \
        >"$scratch/$target-build.log" 2>&1; then
        grep -v "Cannot export local symbol" "$scratch/$target-build.log" | tail -20; exit 1
    fi
    binary="$(swift build --package-path Fuzz --scratch-path "$scratch" "${flags[@]}" --show-bin-path)/$target"
    corpus_name="${target#fuzz-}"
    if [ ${#replay[@]} -gt 0 ]; then
        "$binary" "${replay[@]}"
        continue
    fi
    work="$scratch/corpus-$corpus_name"
    mkdir -p "$work"
    log="$scratch/$target.log"
    echo "== running $target for ${seconds}s (log: $log)"
    set +e
    "$binary" "$work" "Fuzz/Corpus/$corpus_name" -max_total_time="$seconds" -max_len=4096 -timeout=10 \
        -rss_limit_mb=2048 ${FUZZ_SEED:+-seed=$FUZZ_SEED} -print_final_stats=1 -artifact_prefix=Fuzz/artifacts/"$target"- >"$log" 2>&1
    code=$?
    set -e
    executions=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo "?")
    coverage=$(grep -o 'cov: [0-9]*' "$log" | tail -1 || true)
    if [ $code -ne 0 ]; then
        echo "$target: FAILED (exit $code) after $executions executions; see $log and Fuzz/artifacts/"
        grep -E 'ERROR|Fatal error|SUMMARY|Test unit written' "$log" | head -10 || true
        status=1
    else
        echo "$target: ok, $executions executions in ${seconds}s, $coverage, corpus $(ls "$work" | wc -l) new inputs"
    fi
done
exit $status

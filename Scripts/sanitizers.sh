#!/usr/bin/env bash
# Runs the test suite under AddressSanitizer and then ThreadSanitizer (one
# after the other: each wants both cores), each in its own scratch path
# (.build-asan, .build-tsan). Exits non-zero on the first sanitizer report or
# failing test.
#
#   Scripts/sanitizers.sh                 # both, full suite
#   Scripts/sanitizers.sh thread          # one sanitizer
#   FILTER='GEMM|Conv|IDX' Scripts/sanitizers.sh   # a subset (swift test --filter)
#   SKIP='Classifier' Scripts/sanitizers.sh         # leave tests out (swift test --skip)
#   BACKENDS=builtin Scripts/sanitizers.sh          # only the built-in GEMM (default: "default builtin")
#
# The kernels run on both cores through parallelFor (DispatchQueue.concurrentPerform)
# and the BLAS library's own threads; the suite runs both backends: the BLAS one
# as found on the system and, with GANKIT_BLAS=builtin, the built-in GEMM.
set -euo pipefail
cd "$(dirname "$0")/.."
sanitizers=(address thread)
[ $# -gt 0 ] && sanitizers=("$@")
filter=()
[ -n "${FILTER:-}" ] && filter=(--filter "$FILTER")
[ -n "${SKIP:-}" ] && filter+=(--skip "$SKIP")

# Stop at the first report instead of continuing; suppressions are documented in the file.
export ASAN_OPTIONS="${ASAN_OPTIONS:-halt_on_error=1:detect_leaks=0}"
export TSAN_OPTIONS="${TSAN_OPTIONS:-halt_on_error=1:second_deadlock_stack=1:suppressions=$PWD/Scripts/tsan-suppressions.txt}"

for sanitizer in "${sanitizers[@]}"; do
    case "$sanitizer" in
        address) scratch=.build-asan ;;
        thread) scratch=.build-tsan ;;
        *) echo "unknown sanitizer '$sanitizer' (address or thread)"; exit 2 ;;
    esac
    echo "== $sanitizer sanitizer: build ($scratch)"
    start=$(date +%s)
    swift build --build-tests --sanitize="$sanitizer" --scratch-path "$scratch" 2>&1 | tail -1
    for backend in ${BACKENDS:-default builtin}; do
        echo "== $sanitizer sanitizer: tests, $backend GEMM ${FILTER:+(filter: $FILTER)}"
        log="$scratch/sanitizer-$backend.log"
        set +e
        if [ "$backend" = builtin ]; then
            GANKIT_BLAS=builtin swift test --skip-build --sanitize="$sanitizer" --scratch-path "$scratch" "${filter[@]}" >"$log" 2>&1
        else
            swift test --skip-build --sanitize="$sanitizer" --scratch-path "$scratch" "${filter[@]}" >"$log" 2>&1
        fi
        code=$?
        set -e
        if [ $code -ne 0 ] || grep -q "Sanitizer" "$log"; then
            grep -E -A30 "ERROR: .*Sanitizer|WARNING: ThreadSanitizer" "$log" | head -60 || tail -40 "$log"
            echo "$sanitizer sanitizer, $backend GEMM: FAILED (exit $code); full log in $log"
            exit 1
        fi
        grep -E "Test run with" "$log" | tail -1
    done
    echo "$sanitizer sanitizer: clean in $(( $(date +%s) - start )) s"
done

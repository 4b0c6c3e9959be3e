#!/usr/bin/env bash
# Checks, on -c release binaries (where Swift drops a precondition's message),
# that GANKit's errors still say what went wrong:
# - a GANKIT_BLAS library that cannot be loaded, and a GANKIT_THREADS that is not
#   a whole number >= 1, end with exit status 1 and one line on stderr naming
#   the variable and the value, and no crash report;
# - a shape mismatch prints the layer's message (release-shape-check feeds
#   Dense(784 → 256) a [4, 100] batch).
# After .ci/examples.sh the release build is already there and the build below
# only checks that it is up to date.
set -euo pipefail
cd "$(dirname "$0")/.."
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
swift build -c release --product custom-layer 2>&1 | tail -1
swift build -c release --product release-shape-check 2>&1 | tail -1
bin=".build/release"

fail() { echo "CI: $1"; echo "--- stderr:"; cat "$out/stderr"; exit 1; }

# expect_setting_error VARIABLE=VALUE: custom-layer must exit 1 with one stderr
# line that names the variable and the value, and no backtrace.
expect_setting_error() {
    local setting="$1" variable="${1%%=*}" value="${1#*=}" status=0
    env "$setting" "$bin/custom-layer" >/dev/null 2>"$out/stderr" || status=$?
    [ "$status" -eq 1 ] || fail "$setting: expected exit status 1, got $status"
    [ "$(wc -l < "$out/stderr")" -eq 1 ] || fail "$setting: expected one line on stderr"
    grep -qF "GANKit: $variable must be " "$out/stderr" || fail "$setting: the message does not name $variable"
    grep -qF "got '$value'" "$out/stderr" || fail "$setting: the message does not show the value '$value'"
    if grep -qE 'Backtrac|Program crashed|Fatal error|💣' "$out/stderr"; then fail "$setting: crash report"; fi
    echo "  ok, $setting: $(cat "$out/stderr")"
}

expect_setting_error GANKIT_BLAS=/nonexistent/libnothing.so
expect_setting_error GANKIT_THREADS=abc
expect_setting_error GANKIT_THREADS=0
expect_setting_error GANKIT_THREADS=-3
expect_setting_error GANKIT_THREADS=2.5

# A shape mismatch is a bug in the program, so it crashes (with a backtrace),
# but its first words must be the layer's message.
status=0
"$bin/release-shape-check" >/dev/null 2>"$out/stderr" || status=$?
[ "$status" -ne 0 ] || fail "release-shape-check: expected a non-zero exit status"
grep -qF "Dense(784 → 256): expected input [N, 784], got [4, 100]" "$out/stderr" \
    || fail "release-shape-check: the release binary did not print Dense's message"
echo "  ok, shape mismatch (exit status $status): $(grep -F 'Dense(784 → 256)' "$out/stderr")"

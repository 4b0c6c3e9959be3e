#!/usr/bin/env bash
# Data-parallel training over Open MPI (two ranks on this machine, shared memory):
# - a 2-rank mnist-gan run matches a 1-process run of the same global batch over its
#   first steps (Scripts/compare-histories.py), and only rank 0 writes and prints;
# - a checkpoint of 2 ranks resumes in 1 process, and one of 1 process on 2 ranks;
# - a killed rank, and a rank whose data folder is missing, end the whole job
#   within seconds with a message naming the rank, never a hang.
# Every mpirun runs under `timeout`.
set -euo pipefail
cd "$(dirname "$0")/.."
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT

if ! command -v mpirun >/dev/null || ! ldconfig -p | grep -q 'libmpi\.so\.40'; then
    sudo_=""; [ "$(id -u)" = 0 ] || sudo_=sudo
    $sudo_ apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo_ apt-get install -y -qq openmpi-bin libopenmpi3 >/dev/null
fi
swift build -c release --product mnist-gan 2>&1 | tail -1
bin=".build/release"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1  # CI runs as root
# Shared memory between the ranks, loopback for the launcher, no core binding (GANKit
# gives each rank its share of the cores, see Docs/Distributed.md).
mpi=(timeout 300 mpirun --oversubscribe --bind-to none --mca btl self,vader --mca oob_tcp_if_include lo)
run=(--limit 2048 --epochs 1)

echo "2 ranks against 1 process on the same global batch of 64"
"${mpi[@]}" -np 2 "$bin/mnist-gan" "${run[@]}" --out "$out/two" >"$out/two.log" 2>&1 || { cat "$out/two.log"; exit 1; }
"$bin/mnist-gan" "${run[@]}" --out "$out/one" >"$out/one.log" 2>&1
python3 Scripts/compare-histories.py "$out/one/history.csv" "$out/two/history.csv" --steps 5 --tolerance 1e-5
grep -a "processes: averaging" "$out/two.log" | tr '\r' '\n' | tail -1

echo "only rank 0 printed and wrote files"
[ "$(grep -ac 'training 1 epochs' "$out/two.log")" -eq 1 ] || { echo "CI: the run was announced more than once"; exit 1; }
diff <(cd "$out/one" && find . | sort) <(cd "$out/two" && find . | sort) || { echo "CI: the 2-rank run wrote other files"; exit 1; }
[ "$(wc -l < "$out/two/history.csv")" -eq 33 ] || { echo "CI: history.csv should have 32 steps"; exit 1; }

echo "a checkpoint of 2 ranks resumes in 1 process, and one of 1 process on 2 ranks"
"$bin/mnist-gan" --limit 2048 --epochs 2 --out "$out/two" --resume "$out/two/checkpoint.gankit" >"$out/resume1.log" 2>&1
grep -q "resumed from .* at step 32" "$out/resume1.log" || { cat "$out/resume1.log"; exit 1; }
"${mpi[@]}" -np 2 "$bin/mnist-gan" --limit 2048 --epochs 2 --out "$out/one" --resume "$out/one/checkpoint.gankit" \
    >"$out/resume2.log" 2>&1 || { cat "$out/resume2.log"; exit 1; }
for run_ in one two; do
    [ "$(wc -l < "$out/$run_/history.csv")" -eq 65 ] || { echo "CI: $run_/history.csv should have 64 steps"; exit 1; }
done
grep -q "resumed from .* at step 32" "$out/resume2.log" || { cat "$out/resume2.log"; exit 1; }

echo "a killed rank ends the job"
"${mpi[@]}" -np 2 "$bin/mnist-gan" --epochs 3 --out "$out/kill" >"$out/kill.log" 2>&1 &
job=$!
rank1=""
for _ in $(seq 1 300); do
    if grep -aq "step [0-9]*/937" "$out/kill.log"; then
        for pid in $(pgrep -f "$bin/mnist-gan" || true); do
            tr '\0' '\n' < "/proc/$pid/environ" 2>/dev/null | grep -qx OMPI_COMM_WORLD_RANK=1 && rank1=$pid
        done
        [ -n "$rank1" ] && break
    fi
    sleep 0.1
done
[ -n "$rank1" ] || { cat "$out/kill.log"; echo "CI: rank 1 never started training"; kill "$job"; exit 1; }
killed=$(date +%s)
kill -9 "$rank1"
status=0; wait "$job" || status=$?
took=$(( $(date +%s) - killed ))
[ "$status" -ne 0 ] && [ "$status" -ne 124 ] || { echo "CI: the job should have failed, not ended with status $status"; exit 1; }
[ "$took" -le 30 ] || { echo "CI: the job took $took s to end after rank 1 was killed"; exit 1; }
grep -a "rank 1" "$out/kill.log" | head -1
pgrep -f "$bin/mnist-gan" && { echo "CI: ranks survived the job"; exit 1; }
echo "  ok, ended $took s after the kill with status $status"

echo "a rank without its data folder ends the job with its message"
mkdir -p "$out/empty"
status=0
"${mpi[@]}" -np 1 "$bin/mnist-gan" "${run[@]}" --out "$out/nodata" : \
    -np 1 "$bin/mnist-gan" "${run[@]}" --out "$out/nodata" --data "$out/empty" >"$out/nodata.log" 2>&1 || status=$?
[ "$status" -ne 0 ] && [ "$status" -ne 124 ] || { cat "$out/nodata.log"; echo "CI: status $status"; exit 1; }
grep -a "GANKit rank 1 of 2: mnist-gan: error: .*none of these files exists" "$out/nodata.log" \
    || { cat "$out/nodata.log"; echo "CI: no message naming rank 1 and the missing files"; exit 1; }

echo "a warm data-parallel step allocates nothing in GANKit (MPI's own allocations are counted apart)"
swift build -c release --product gankit-bench 2>&1 | tail -1
"${mpi[@]}" -np 2 "$bin/gankit-bench" --only mlp-small@64 --seconds 1 >"$out/bench.log" 2>&1 || { cat "$out/bench.log"; exit 1; }
grep -a "heap allocations" "$out/bench.log"
[ "$(grep -ac 'heap allocations per step: GANKit 0,' "$out/bench.log")" -eq 2 ] || { echo "CI: a rank's warm step allocated"; exit 1; }

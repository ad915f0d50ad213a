#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Submissions into a full cluster with a deep queue: a local cluster
# (herd up, 4 nodes x 2 CPUs) is filled by 4 long jobs, 8 parallel
# submitters queue N jobs (default 8,500; with the others 9,504 of MaxJobCount 10,000), then 500 sequential
# submissions are timed, with the controller's CPU time per submission
# (utime+stime of herdctld from /proc), and squeue over the whole queue.
# The same 500 on an empty queue first, for the ratio.
# Usage: bench/busy_queue.sh [-n N]   (HERD_BUILD_DIR: default build/release)
set -euo pipefail

src=$(cd "$(dirname "$0")/.." && pwd)
n=8500
[[ ${1:-} == -n ]] && n=$2
build=${HERD_BUILD_DIR:-$src/build/release}
for c in herd herdctld herdd sbatch squeue scancel; do
	[[ -x $build/$c ]] || { echo "busy_queue: $build/$c is not built" >&2; exit 1; }
done
port=22600
while [[ -n $(ss -Htln "( sport = :$port )" 2>/dev/null) ]]; do port=$((port + 11)); done
dir=$(mktemp -d "${TMPDIR:-/tmp}/herd-busy.XXXXXX")
cleanup() {
	"$build/herd" down --dir "$dir/cluster" >/dev/null 2>&1 || true
	rm -rf "$dir"
}
trap cleanup EXIT
"$build/herd" up --dir "$dir/cluster" --port "$port" >/dev/null
eval "$("$build/herd" env --dir "$dir/cluster")"
pid=$(cat "$dir/cluster/run/herdctld.pid")
cd "$dir"
hz=$(getconf CLK_TCK)
cpu() { awk '{ print $14 + $15 }' "/proc/$pid/stat"; }
now() {
	local _t=${EPOCHREALTIME/[.,]/}
	printf -v "$1" '%d' $((10#$_t))
}
timed500() {
	local c0 c1 t0 t1
	c0=$(cpu)
	now t0
	for ((i = 0; i < 500; i++)); do sbatch "$@" --wrap=true -o /dev/null >/dev/null; done
	now t1
	c1=$(cpu)
	echo "$(((t1 - t0) / 500)) us per submission, herdctld $(((c1 - c0) * 1000000 / hz / 500)) us CPU each"
}
echo "empty queue (held jobs): $(timed500 -H)"
scancel -u "$(id -un)"
for ((i = 0; i < 4; i++)); do sbatch -N1 -c2 --wrap='sleep 3600' -o /dev/null >/dev/null; done
per=$(((n + 7) / 8))
for ((w = 0; w < 8; w++)); do
	(for ((i = 0; i < per; i++)); do sbatch --wrap=true -o /dev/null >/dev/null; done) &
done
wait
echo "full cluster, $(squeue -h -t PD | wc -l) pending: $(timed500)"
now t0
squeue >/dev/null
now t1
echo "squeue over $(squeue -h | wc -l) jobs: $(((t1 - t0) / 1000)) ms"
scancel -u "$(id -un)"

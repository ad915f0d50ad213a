#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# herd benchmarks: start a private cluster with `herd up` in a temporary
# directory and print a table.  Speed is measured here, never asserted in
# tests.  Usage: bench/run.sh [-n JOBS] [-p PENDING] [--port P] [--keep]
#   -n JOBS      jobs for the submission and throughput runs (500)
#   -p PENDING   held jobs in the queue for the squeue/sinfo latency (2000)
#   --port P     controller port (default: a free one from 21000)
#   --keep       leave the cluster directory for a look at the logs
#   --slurm      first run Slurm 22.05 on this machine (../shared/reference-slurm,
#                profile lowlat, same N and pending counts) and add its figures
#                and the ratio herd/Slurm to the table
# HERD_BUILD_DIR selects the build (default build/release, else build/ci).
# Record results in bench/RESULTS.md with the machine they ran on.
set -euo pipefail

src=$(cd "$(dirname "$0")/.." && pwd)
jobs=500
pending=2000
port=
keep=0
slurm=0
while [[ $# -gt 0 ]]; do
	case $1 in
	-n) jobs=$2; shift 2 ;;
	-p) pending=$2; shift 2 ;;
	--port) port=$2; shift 2 ;;
	--keep) keep=1; shift ;;
	--slurm) slurm=1; shift ;;
	*) echo "usage: $0 [-n JOBS] [-p PENDING] [--port P] [--keep] [--slurm]" >&2; exit 2 ;;
	esac
done

build=${HERD_BUILD_DIR:-}
if [[ -z $build ]]; then
	for d in release ci dev; do
		if [[ -x $src/build/$d/herd ]]; then
			build=$src/build/$d
			break
		fi
	done
fi
if [[ -z $build || ! -x $build/herd ]]; then
	echo "bench: no herd build; run: cmake --preset release && cmake --build --preset release" >&2
	exit 1
fi
for c in herdctld herdd sbatch squeue sinfo scancel; do
	if [[ ! -x $build/$c ]]; then
		echo "bench: $build/$c is not built yet" >&2
		exit 1
	fi
done

# clocks without a fork (bash >= 5): a `date` per sample would cost more
# than some of the things measured
# (`now VAR` sets VAR to microseconds; `$(...)` would fork a subshell)
now() {
	local t=${EPOCHREALTIME/[.,]/}
	printf -v "$1" '%d' $((10#$t))
}
# jobs per second for COUNT jobs between t0 and t1
per_s() { echo $(($1 * 1000000 / (t1 - t0 > 0 ? t1 - t0 : 1))); }

# a free block of ports below the ephemeral range
if [[ -z $port ]]; then
	port=21000
	while [[ -n $(ss -Htln "( sport >= :$port and sport <= :$((port + 8)) )" 2>/dev/null) ]]; do
		port=$((port + 16))
	done
fi

dir=$(mktemp -d "${TMPDIR:-/tmp}/herd-bench.XXXXXX")
cleanup() {
	"$build/herd" down --dir "$dir" >/dev/null 2>&1 || true
	if ((keep)); then
		echo "bench: kept $dir" >&2
	else
		rm -rf "$dir"
	fi
}
trap cleanup EXIT
work=$dir/work
mkdir -p "$work"
cd "$work"

# Slurm's figures, by metric name of the reference bench.sh
declare -A ref=()
if ((slurm)); then
	refdir=$src/../shared/reference-slurm
	[[ -x $refdir/bench.sh ]] || { echo "bench: $refdir/bench.sh not found" >&2; exit 1; }
	echo "bench: running Slurm 22.05 first (reference-slurm/bench.sh, profile lowlat)" >&2
	BENCH_OUT=$dir/slurm PROFILES=lowlat ROUNDS=1 N=$jobs NQ=$pending "$refdir/bench.sh" >"$dir/slurm.log" 2>&1 || true
	while IFS=$'\t' read -r _ _ k v; do ref[$k]=$v; done <"$dir/slurm/results.tsv"
fi

# row NAME HERD_VALUE UNIT SLURM_KEY (hi|lo: which is better) TARGET
# HERD_VALUE is in jobs/s for rates, in ms for times; Slurm's times are in s.
rows=()
row() {
	local name=$1 v=$2 unit=$3 key=$4 better=$5 target=$6 sv="" ratio=""
	if [[ -n $key && -n ${ref[$key]:-} && ${ref[$key]} != NA ]]; then
		if [[ $unit == ms ]]; then
			sv=$(awk -v s="${ref[$key]}" 'BEGIN { printf "%.1f", s * 1000 }')
		else
			sv=${ref[$key]}
		fi
		ratio=$(awk -v h="$v" -v s="$sv" -v b="$better" \
		    'BEGIN { if (h <= 0 || s <= 0) print "-"; else printf "%.1fx", (b == "hi" ? h / s : s / h) }')
	fi
	rows+=("$(printf '| %-44s | %12s %-4s | %12s | %7s | %-20s |' "$name" "$v" "$unit" "${sv:--}" "${ratio:--}" "$target")")
}

# wait until the queue holds no job in a state that is not final
wait_queue_empty() {
	local deadline n
	now deadline
	deadline=$((deadline + ${1:-600} * 1000000))
	while [[ -n $(squeue -h -o %i 2>/dev/null | head -n 1) ]]; do
		now n
		if ((n > deadline)); then
			echo "bench: queue not empty after ${1:-600}s" >&2
			return 1
		fi
		sleep 0.005
	done
}

median() { sort -n | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)]; else print 0 }'; }

# 1. herd up to all nodes idle
now t0
"$build/herd" up --dir "$dir" --port "$port" >"$dir/up.out" 2>"$dir/up.err" || {
	cat "$dir/up.err" >&2
	exit 1
}
now t1
eval "$(cat "$dir/up.out")"
export SLURM_CONF PATH
row "herd up, 4 nodes, to all idle" "$(((t1 - t0) / 1000))" ms a_ready_s lo "< 300 ms"

# 2. sequential submissions
now t0
for ((i = 0; i < jobs; i++)); do
	sbatch --wrap=true -o /dev/null >/dev/null
done
now t1
row "sequential sbatch ($jobs)" "$(per_s "$jobs")" /s b_seq_submit_jobs_per_s hi ">= 5x Slurm"
wait_queue_empty

# 3. eight parallel submitters
per=$(((jobs + 7) / 8))
now t0
for ((w = 0; w < 8; w++)); do
	(for ((i = 0; i < per; i++)); do sbatch --wrap=true -o /dev/null >/dev/null; done) &
done
wait
now t1
row "8 parallel submitters ($((per * 8)))" "$(per_s $((per * 8)))" /s c_par8_submit_jobs_per_s hi "> sequential"
wait_queue_empty

# 4. submit-to-start latency on an idle cluster: the job stamps its start
lat=()
for ((i = 0; i < 20; i++)); do
	now t0
	id=$(sbatch --parsable -o "$work/lat-$i.out" --wrap='date +%s%N')
	deadline=$((t0 + 60000000))
	until [[ -s $work/lat-$i.out ]]; do
		now n
		((n < deadline)) || break
	done
	wait_queue_empty 60
	start_ns=$(head -n 1 "$work/lat-$i.out" 2>/dev/null || echo 0)
	lat+=($(((start_ns / 1000 - t0))))
	: "$id"
done
lat_med=$(printf '%s\n' "${lat[@]}" | median)
row "submit-to-start latency (median of 20)" "$((lat_med / 1000)).$(((lat_med % 1000) / 100))" ms \
    g_submit_to_start_median_s lo "< 20 ms"

# 5. end to end: submit N trivial jobs, wait for all to finish
now t0
for ((w = 0; w < 8; w++)); do
	(for ((i = 0; i < per; i++)); do sbatch --wrap=true -o /dev/null >/dev/null; done) &
done
wait
wait_queue_empty
now t1
row "end-to-end trivial jobs ($((per * 8)))" "$(per_s $((per * 8)))" /s d_throughput_jobs_per_s hi \
    ">= 500/s, 100x Slurm"

# 6. squeue / sinfo with many pending (held) jobs
perp=$(((pending + 7) / 8))
for ((w = 0; w < 8; w++)); do
	(for ((i = 0; i < perp; i++)); do sbatch -H --wrap=true -o /dev/null >/dev/null; done) &
done
wait
for cmd in squeue sinfo; do
	ts=()
	for ((i = 0; i < 20; i++)); do
		now t0
		$cmd >/dev/null
		now t1
		ts+=($((t1 - t0)))
	done
	m=$(printf '%s\n' "${ts[@]}" | median)
	row "$cmd with $((perp * 8)) pending jobs (median)" "$((m / 1000)).$(((m % 1000) / 100))" ms \
	    "e_${cmd}_median_s" lo "$([[ $cmd == squeue ]] && echo "< 10 ms" || echo "-")"
done
scancel -u "$(id -un)" >/dev/null 2>&1 || true

# 7. sacct over every job of this run (herddbd on SQLite, as herd up runs it)
if [[ -x $build/sacct && -f $dir/slurmdbd.conf ]]; then
	# until herddbd has everything: the count stops growing
	last=-1
	for ((i = 0; i < 400; i++)); do
		n=$(sacct -a -X -n -P -o jobid -S 2000-01-01 2>/dev/null | wc -l)
		((n > 0 && n == last)) && break
		last=$n
		sleep 0.2
	done
	ts=()
	for ((i = 0; i < 10; i++)); do
		now t0
		sacct -a -S 2000-01-01 >/dev/null
		now t1
		ts+=($((t1 - t0)))
	done
	m=$(printf '%s\n' "${ts[@]}" | median)
	row "sacct -a over $(sacct -a -X -n -P -o jobid -S 2000-01-01 | wc -l) jobs (median)" \
	    "$((m / 1000)).$(((m % 1000) / 100))" ms f_sacct_all_median_s lo "< 50 ms for 10,000"
fi

# 8. steps: srun true from outside an allocation (creates and ends a job)
if [[ -x $build/srun && -x $build/salloc ]]; then
	ts=()
	for ((i = 0; i < 20; i++)); do
		now t0
		srun true
		now t1
		ts+=($((t1 - t0)))
	done
	m=$(printf '%s\n' "${ts[@]}" | median)
	row "srun true outside an allocation (median of 20)" "$((m / 1000)).$(((m % 1000) / 100))" ms \
	    h_srun_true_median_s lo "< 10 ms"

	# 9./10. step launch inside one allocation: latency, then steps per second
	# shellcheck disable=SC2016 # expanded by the allocation's shell
	salloc -Q -N1 bash -c '
		now() { local t=${EPOCHREALTIME/[.,]/}; printf -v "$1" "%d" $((10#$t)); }
		for ((i = 0; i < 50; i++)); do now a; srun -n1 true; now b; echo $((b - a)); done >steplat.txt
		now a; for ((i = 0; i < 200; i++)); do srun -n1 true; done; now b
		echo $((200 * 1000000 / (b - a))) >steprate.txt' 2>/dev/null
	m=$(median <steplat.txt)
	row "srun -n1 true inside an allocation (median of 50)" "$((m / 1000)).$(((m % 1000) / 100))" ms "" lo \
	    "< 5 ms"
	row "steps per second from one allocation (200)" "$(cat steprate.txt)" /s "" hi "-"

	# 11. I/O through srun: 1 GB from a task to srun's stdout
	now t0
	srun head -c 1000000000 /dev/zero >/dev/null
	now t1
	row "srun I/O, 1 GB task stdout to srun" "$((1000000000 / (t1 - t0)))" MB/s "" hi ">= 500 MB/s"
fi

# 12. records stored per second by herddbd (SQLite, as herd up runs it):
# 20,000 job rows with their batch steps, sent as herdctld sends them
if [[ -x $build/bench_dbd_ingest && -f $dir/slurmdbd.conf ]]; then
	out=$("$build/bench_dbd_ingest" -f "$SLURM_CONF" -n 20000 -b 1000 2>&1) || out=
	rate=$(awk '/records\/s/ { print $(NF - 1) }' <<<"$out")
	row "herddbd ingest, SQLite (records/s)" "${rate:-error}" "/s" "" hi ">= 20,000"
fi

echo
echo "herd $("$build/herd" --version | awk '{ print $2 }') on $(nproc) cores, $(uname -sr), $(date -u +%Y-%m-%d)"
printf '| %-44s | %17s | %12s | %7s | %-20s |\n' "measurement" "herd" "Slurm 22.05" "ratio" "target"
printf '|%s|%s|%s|%s|%s|\n' "$(printf -- '-%.0s' {1..46})" "$(printf -- '-%.0s' {1..19})" \
    "$(printf -- '-%.0s' {1..14})" "$(printf -- '-%.0s' {1..9})" "$(printf -- '-%.0s' {1..22})"
printf '%s\n' "${rows[@]}"

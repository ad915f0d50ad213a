#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# sacct latency over many job records (issue 4): a herddbd on SQLite is
# filled with synthetic jobs by bench_dbd_ingest (the rows herdctld would
# send), then sacct is timed for every job, one user, a time window and
# one job, at 10,000 records and again at N (default 1,000,000).  It
# also prints the ingest rate of each fill.  --mariadb: the same against
# a private mariadbd (Debian's mariadb-server, started here in the
# temporary directory on a loopback port) instead of SQLite.
# Usage: bench/sacct_scale.sh [-n N] [--mariadb]   (HERD_BUILD_DIR: default build/release)
set -euo pipefail

src=$(cd "$(dirname "$0")/.." && pwd)
big=1000000
mariadb=0
while [[ $# -gt 0 ]]; do
	case $1 in
	-n) big=$2; shift 2 ;;
	--mariadb) mariadb=1; shift ;;
	*) echo "usage: $0 [-n N] [--mariadb]" >&2; exit 2 ;;
	esac
done
build=${HERD_BUILD_DIR:-$src/build/release}
for c in herddbd sacct bench_dbd_ingest; do
	[[ -x $build/$c ]] || { echo "sacct_scale: $build/$c is not built" >&2; exit 1; }
done

now() {
	local _t=${EPOCHREALTIME/[.,]/}
	printf -v "$1" '%d' $((10#$_t))
}
median() { sort -n | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)]; else print 0 }'; }

port=21600
while [[ -n $(ss -Htln "( sport = :$port )" 2>/dev/null) ]]; do port=$((port + 7)); done
dir=$(mktemp -d "${TMPDIR:-/tmp}/herd-sacct.XXXXXX")
cleanup() {
	[[ -n ${dbd:-} ]] && kill "$dbd" 2>/dev/null && wait "$dbd" 2>/dev/null
	if [[ -n ${md:-} ]]; then
		kill "$md" 2>/dev/null
		wait "$md" 2>/dev/null
	fi
	rm -rf "$dir"
}
trap cleanup EXIT
key=$dir/herd.key
head -c 64 /dev/urandom >"$key"
chmod 600 "$key"
cat >"$dir/slurm.conf" <<C
ClusterName=bench
SlurmctldHost=localhost
AuthType=auth/slurm
AuthInfo=key=$key
AccountingStorageType=accounting_storage/slurmdbd
AccountingStorageHost=localhost
AccountingStoragePort=$port
NodeName=n1 CPUs=2
PartitionName=debug Nodes=n1 Default=YES
C
storage="StorageType=accounting_storage/sqlite
StorageLoc=$dir/accounting.db"
backend=SQLite
if ((mariadb)); then
	mdport=$((port + 1))
	root=()
	[[ $(id -u) == 0 ]] && root=(--user=root)
	mariadb-install-db --no-defaults --datadir="$dir/md" "${root[@]}" --auth-root-authentication-method=normal \
		--skip-test-db >"$dir/md-install.log" 2>&1
	mariadbd --no-defaults --datadir="$dir/md" --socket="$dir/md.sock" --port="$mdport" \
		--bind-address=127.0.0.1 "${root[@]}" --skip-grant-tables --skip-name-resolve \
		--innodb-flush-log-at-trx-commit=2 --log-error="$dir/md.log" >/dev/null 2>&1 &
	md=$!
	for _ in $(seq 500); do
		mariadb-admin --no-defaults -h 127.0.0.1 -P "$mdport" -u root ping >/dev/null 2>&1 && break
		sleep 0.02
	done
	storage="StorageType=accounting_storage/mysql
StorageHost=127.0.0.1
StoragePort=$mdport
StorageUser=root
StorageLoc=herd_bench"
	backend="MariaDB $(mariadbd --version | awk '{print $3}') (innodb_flush_log_at_trx_commit=2)"
fi
cat >"$dir/slurmdbd.conf" <<C
DbdHost=localhost
DbdAddr=127.0.0.1
DbdPort=$port
$storage
SlurmUser=$(id -un)
LogFile=$dir/herddbd.log
C
chmod 600 "$dir/slurmdbd.conf"
"$build/herddbd" -D -f "$dir/slurmdbd.conf" >"$dir/herddbd.out" 2>&1 &
dbd=$!
export SLURM_CONF=$dir/slurm.conf
for _ in $(seq 200); do
	"$build/sacct" -n -X -j 1 >/dev/null 2>&1 && break
	sleep 0.05
done

# time CMD... five times; print the median in ms
timed() {
	local ts=() t0 t1
	for ((i = 0; i < 5; i++)); do
		now t0
		"$@" >/dev/null
		now t1
		ts+=($((t1 - t0)))
	done
	local m
	m=$(printf '%s\n' "${ts[@]}" | median)
	echo "$((m / 1000)).$(((m % 1000) / 100))"
}

rows=()
measure() {
	local n=$1 s=$2 e=$3
	local all user window one
	all=$(timed "$build/sacct" -a -X -S 2000-01-01 -E 2100-01-01)
	user=$(timed "$build/sacct" -u daemon -X -S 2000-01-01 -E 2100-01-01)
	window=$(timed "$build/sacct" -a -X -S "$s" -E "$e")
	one=$(timed "$build/sacct" -j $((n / 2)))
	rows+=("$(printf '| %9s | %10s ms | %10s ms | %14s ms | %10s ms |' "$n" "$all" "$user" "$window" "$one")")
}

# bench_dbd_ingest stamps job i as submitted at (start + i) seconds
now t
start_s=$((t / 1000000))
win() { date -d "@$((start_s + $1))" +%Y-%m-%dT%H:%M:%S; }
"$build/bench_dbd_ingest" -f "$SLURM_CONF" -n 10000 -b 1000 >"$dir/ingest1.out"
measure 10000 "$(win 4000)" "$(win 5000)"
if ((big > 10000)); then
	"$build/bench_dbd_ingest" -f "$SLURM_CONF" -n $((big - 10000)) -b 2000 -i 10001 >"$dir/ingest2.out"
	measure "$big" "$(win 400000)" "$(win 401000)"
fi
echo
echo "ingest, herddbd on $backend:"
cat "$dir"/ingest*.out
echo "sacct latency, herddbd on $backend ($(nproc) cores, $(date -u +%Y-%m-%d)); medians of 5"
printf '| %9s | %13s | %13s | %17s | %13s |\n' "records" "every job" "one user (1/10)" "1,000-job window" "one job"
printf '|%s|%s|%s|%s|%s|\n' "-----------" "---------------" "---------------" "-------------------" "---------------"
printf '%s\n' "${rows[@]}"

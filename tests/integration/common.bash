# SPDX-License-Identifier: MIT
# Helpers for the integration tests: each .bats file boots its own local
# cluster with `herd up` in a temporary directory on a port block of its
# own, runs the real commands against it and stops it in teardown_file.
#
#   load common
#   setup_file()    { herd_cluster_up; }          # extra args go to herd up
#   teardown_file() { herd_cluster_down; }
#
# After herd_cluster_up: SLURM_CONF and PATH point at the cluster (the
# export line herd up printed was evaluated), HERD_TEST_DIR is its
# directory and HERD_PORT its controller port.  Waiting is done by
# polling (wait_for_job_state), never by fixed sleeps.

HERD_SOURCE_DIR=${HERD_SOURCE_DIR:-$(cd "$BATS_TEST_DIRNAME/../.." && pwd)}
HERD_SHARED_DIR=${HERD_SHARED_DIR:-$HERD_SOURCE_DIR/../shared}
if [[ -z ${HERD_BUILD_DIR:-} ]]; then
	# run by hand (bats tests/integration/x.bats): take a preset build
	for _d in ci dev release; do
		if [[ -x $HERD_SOURCE_DIR/build/$_d/herd ]]; then
			HERD_BUILD_DIR=$HERD_SOURCE_DIR/build/$_d
			break
		fi
	done
fi
export HERD_SOURCE_DIR HERD_SHARED_DIR HERD_BUILD_DIR
HERD=${HERD_BUILD_DIR:-}/herd

# Ports: blocks of HERD_PORT_BLOCK ports below the kernel's ephemeral range
# (an outgoing connection can never sit on one of our listening ports).
# A block is reserved by creating a directory (atomic), so that test files
# run in parallel by ctest -j never share one; a reservation whose owner
# died is taken over.
HERD_PORT_BLOCK=128
HERD_PORT_MIN=10000
HERD_PORT_RESERVE_DIR=${TMPDIR:-/tmp}/herd-test-ports

herd_now_ms() {
	local ns
	ns=$(date +%s%N)
	echo $((ns / 1000000))
}

_herd_ephemeral_lo() {
	local lo _hi
	if read -r lo _hi </proc/sys/net/ipv4/ip_local_port_range 2>/dev/null; then
		echo "$lo"
	else
		echo 32768
	fi
}

# True when no socket listens on a TCP port in [lo, hi].
_herd_ports_free() {
	local lo=$1 hi=$2
	if command -v ss >/dev/null 2>&1; then
		[[ -z $(ss -Htln "( sport >= :$lo and sport <= :$hi )" 2>/dev/null) ]]
		return
	fi
	local p
	for ((p = lo; p <= hi; p++)); do
		# connect test: refused means nobody listens
		if (exec 9<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
			return 1
		fi
	done
	return 0
}

# herd_reserve_ports: sets HERD_PORT (controller; nodes use the ports
# above it, up to HERD_PORT_BLOCK - 1 of them) and HERD_PORT_LOCK.
herd_reserve_ports() {
	mkdir -p "$HERD_PORT_RESERVE_DIR" 2>/dev/null || true
	local hi_limit nblocks start i idx base lock owner
	hi_limit=$(_herd_ephemeral_lo)
	nblocks=$(((hi_limit - HERD_PORT_MIN) / HERD_PORT_BLOCK))
	((nblocks > 0)) || nblocks=1
	: "${_HERD_PORT_SEQ:=0}"
	start=$((($$ * 7919 + _HERD_PORT_SEQ * 104729 + RANDOM) % nblocks))
	_HERD_PORT_SEQ=$((_HERD_PORT_SEQ + 1))
	for ((i = 0; i < nblocks; i++)); do
		idx=$(((start + i) % nblocks))
		base=$((HERD_PORT_MIN + idx * HERD_PORT_BLOCK))
		lock=$HERD_PORT_RESERVE_DIR/$base
		if ! mkdir "$lock" 2>/dev/null; then
			owner=$(cat "$lock/pid" 2>/dev/null || true)
			if [[ -n $owner ]] && kill -0 "$owner" 2>/dev/null; then
				continue
			fi
			# stale: its owner is gone
			rm -rf "$lock"
			mkdir "$lock" 2>/dev/null || continue
		fi
		echo $$ >"$lock/pid"
		if _herd_ports_free "$base" $((base + HERD_PORT_BLOCK - 1)); then
			HERD_PORT=$base
			HERD_PORT_LOCK=$lock
			export HERD_PORT HERD_PORT_LOCK
			return 0
		fi
		rm -rf "$lock"
	done
	echo "herd_reserve_ports: no free block of $HERD_PORT_BLOCK ports" >&2
	return 1
}

herd_release_ports() {
	if [[ -n ${HERD_PORT_LOCK:-} ]]; then
		rm -rf "$HERD_PORT_LOCK"
	fi
	HERD_PORT_LOCK=
}

# True when the daemons are built (they are being written while the rest
# of the tree exists; tests that need a cluster skip until then).
herd_have_daemons() {
	[[ -x ${HERD_BUILD_DIR:-}/herd && -x $HERD_BUILD_DIR/herdctld && -x $HERD_BUILD_DIR/herdd ]]
}

require_daemons() {
	herd_have_daemons || skip "herdctld/herdd are not built in ${HERD_BUILD_DIR:-(no build dir)}"
	[[ -n ${HERD_TEST_DIR:-} ]] || skip "no cluster (herd_cluster_up failed or was not called)"
}

# require_cmd NAME...: skip when a command is not built yet.
require_cmd() {
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 || skip "$c is not built yet"
	done
}

# herd_new_dir: a fresh short directory (a Unix socket lives in it, and
# socket paths are limited to 107 bytes, so not under BATS_FILE_TMPDIR).
# Mode 0755: jobs of other users and their auth.sock requests must reach it.
herd_new_dir() {
	local d
	d=$(mktemp -d "${TMPDIR:-/tmp}/herd-test.XXXXXX") || return 1
	chmod 0755 "$d"
	echo "$d"
}

# herd_cluster_up [herd up args...]: boot a cluster for this test file.
# Skips nothing itself: when the daemons are missing it returns 0 without
# a cluster, and tests call require_daemons.
herd_cluster_up() {
	herd_have_daemons || return 0
	local try out err
	HERD_TEST_DIR=$(herd_new_dir)
	export HERD_TEST_DIR
	for try in 1 2 3; do
		herd_reserve_ports || return 1
		out=$HERD_TEST_DIR/herd-up.out
		err=$HERD_TEST_DIR/herd-up.err
		if "$HERD" up --dir "$HERD_TEST_DIR" --port "$HERD_PORT" "$@" >"$out" 2>"$err"; then
			eval "$(cat "$out")"
			export SLURM_CONF PATH
			return 0
		fi
		# a port taken between the check and the bind: try another block
		if grep -q -i "address already in use" "$err" "$HERD_TEST_DIR"/log/* 2>/dev/null; then
			herd_release_ports
			continue
		fi
		break
	done
	echo "herd_cluster_up: herd up --dir $HERD_TEST_DIR --port $HERD_PORT $* failed:" >&2
	cat "$err" >&2
	herd_release_ports
	return 1
}

# _herd_cancel_all DIR: cancel every job of the cluster in DIR and wait
# (10 s at most) until none is left.  Jobs outlive herd down by design
# (their herdstepd keeps them running for the next herd up); a test
# cluster must not leave any behind.
_herd_cancel_all() {
	local conf=$1/slurm.conf ids deadline
	[[ -x ${HERD_BUILD_DIR:-}/scancel && -x $HERD_BUILD_DIR/squeue && -f $conf ]] || return 0
	ids=$(SLURM_CONF=$conf "$HERD_BUILD_DIR/squeue" -h -o %i 2>/dev/null) || return 0
	[[ -n $ids ]] || return 0
	# shellcheck disable=SC2086 # one id per word
	SLURM_CONF=$conf "$HERD_BUILD_DIR/scancel" $ids >/dev/null 2>&1 || true
	deadline=$(($(herd_now_ms) + 10000))
	while [[ -n $(SLURM_CONF=$conf "$HERD_BUILD_DIR/squeue" -h -o %i 2>/dev/null) ]]; do
		(($(herd_now_ms) < deadline)) || break
		sleep 0.01
	done
}

# herd_cluster_down: cancel the jobs left, stop the file's cluster,
# release its ports and remove its directory (kept when
# HERD_KEEP_TEST_DIR is set, for post-mortems).
herd_cluster_down() {
	if [[ -n ${HERD_TEST_DIR:-} && -d $HERD_TEST_DIR ]]; then
		_herd_cancel_all "$HERD_TEST_DIR"
		"$HERD" down --dir "$HERD_TEST_DIR" >/dev/null 2>&1 || true
		if [[ -z ${HERD_KEEP_TEST_DIR:-} ]]; then
			rm -rf "$HERD_TEST_DIR"
		else
			echo "# kept $HERD_TEST_DIR" >&3
		fi
	fi
	herd_release_ports
}

# job_state ID: the job's state name (RUNNING, COMPLETED, ...) or "".
job_state() {
	local id=$1 st=
	if command -v squeue >/dev/null 2>&1; then
		st=$(squeue -h -t all -j "$id" -o %T 2>/dev/null | head -n 1) || st=
	fi
	if [[ -z $st ]] && command -v scontrol >/dev/null 2>&1; then
		st=$(scontrol show job "$id" 2>/dev/null | sed -n 's/.*JobState=\([A-Z_]*\).*/\1/p' | head -n 1) || st=
	fi
	echo "$st"
}

# wait_for_job_state ID STATE [TIMEOUT_S=30]: poll until the job is in
# STATE.  Fails at once when the job reaches another final state.
wait_for_job_state() {
	local id=$1 want=$2 timeout_s=${3:-30}
	local deadline st
	deadline=$(($(herd_now_ms) + timeout_s * 1000))
	while :; do
		st=$(job_state "$id")
		[[ $st == "$want" ]] && return 0
		case $st in
		COMPLETED | FAILED | CANCELLED | TIMEOUT | NODE_FAIL | OUT_OF_MEMORY | BOOT_FAIL | DEADLINE | PREEMPTED)
			echo "job $id is $st, not $want" >&2
			return 1
			;;
		esac
		if (($(herd_now_ms) > deadline)); then
			echo "job $id: still '${st:-unknown}' after ${timeout_s}s, wanted $want" >&2
			# for the post-mortem: the queue and the nodes as the controller sees them
			squeue -t all -o "%i %T %r %C %N" >&2 2>/dev/null || true
			sinfo -N -o "%N %T %C %E" >&2 2>/dev/null || true
			return 1
		fi
		sleep 0.01
	done
}

# wait_until TIMEOUT_S CMD...: poll CMD until it succeeds.
wait_until() {
	local timeout_s=$1
	shift
	local deadline
	deadline=$(($(herd_now_ms) + timeout_s * 1000))
	until "$@"; do
		if (($(herd_now_ms) > deadline)); then
			echo "wait_until: '$*' still failing after ${timeout_s}s" >&2
			return 1
		fi
		sleep 0.01
	done
}

# pid_alive PID: true while PID exists and is not a zombie.
pid_alive() {
	local st
	# the state follows the last ')' (comm may hold blanks)
	st=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d ' ' -f 1) || return 1
	[[ -n $st && $st != Z && $st != X ]]
}

# herd_extra_cluster_up [herd up args...]: a second cluster for one test
# (own directory EXTRA_DIR, own port block EXTRA_PORT); the file's
# cluster and its variables are left alone.  Stop it with
# herd_extra_cluster_down (from teardown, so a failing test cleans up).
herd_extra_cluster_up() {
	local saved_port=${HERD_PORT:-} saved_lock=${HERD_PORT_LOCK:-}
	EXTRA_DIR=$(herd_new_dir)
	herd_reserve_ports || return 1
	EXTRA_PORT=$HERD_PORT
	EXTRA_PORT_LOCK=$HERD_PORT_LOCK
	HERD_PORT=$saved_port
	HERD_PORT_LOCK=$saved_lock
	"$HERD" up --dir "$EXTRA_DIR" --port "$EXTRA_PORT" "$@" >"$EXTRA_DIR/herd-up.out" 2>"$EXTRA_DIR/herd-up.err" || {
		cat "$EXTRA_DIR/herd-up.err" >&2
		return 1
	}
}

herd_extra_cluster_down() {
	if [[ -n ${EXTRA_DIR:-} && -d $EXTRA_DIR ]]; then
		_herd_cancel_all "$EXTRA_DIR"
		"$HERD" down --dir "$EXTRA_DIR" >/dev/null 2>&1 || true
		[[ -n ${HERD_KEEP_TEST_DIR:-} ]] || rm -rf "$EXTRA_DIR"
	fi
	if [[ -n ${EXTRA_PORT_LOCK:-} ]]; then
		rm -rf "$EXTRA_PORT_LOCK"
	fi
	EXTRA_DIR=
	EXTRA_PORT_LOCK=
}

# herd_pids DIR: the pids recorded by herd up in DIR, one per line.
herd_pids() {
	awk '{ print $1 }' "$1/run/herd.pids"
}

# wait_acct_lines ID N [TIMEOUT_S=30]: accounting rows arrive shortly after
# a job ends; wait until `sacct -j ID` lists N lines, none still RUNNING.
wait_acct_lines() {
	local id=$1 n=$2 timeout_s=${3:-30} out
	local deadline=$(($(herd_now_ms) + timeout_s * 1000))
	while :; do
		out=$(sacct -n -P -j "$id" -o JobID,State 2>/dev/null) || out=
		if [[ -n $out && $(wc -l <<<"$out") -eq $n && $out != *"|RUNNING"* && $out != *"|PENDING"* ]]; then
			return 0
		fi
		if (($(herd_now_ms) > deadline)); then
			echo "sacct -j $id: not $n final lines after ${timeout_s}s:" >&2
			echo "$out" >&2
			return 1
		fi
		sleep 0.05
	done
}

# --- accounting clusters (acct.bats, acctmgr.bats, mariadb.bats) ---------

# acct_cluster_up NAME [LINE...]: a local two-node cluster NAME whose
# accounting goes to a herddbd on DBD_PORT (HERD_PORT + 100) that the test
# file starts itself (acct_dbd_conf, then acct_start_dbd); LINEs are added
# to its slurm.conf.  Uses HERD_TEST_DIR and HERD_PORT when already set.
acct_cluster_up() {
	local name=$1
	shift
	if [[ -z ${HERD_TEST_DIR:-} ]]; then
		herd_reserve_ports
		HERD_TEST_DIR=$(herd_new_dir)
		export HERD_TEST_DIR
	fi
	DBD_PORT=$((HERD_PORT + 100))
	export DBD_PORT
	{
		cat <<C
ClusterName=$name
SlurmctldHost=localhost
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
AccountingStorageType=accounting_storage/slurmdbd
AccountingStorageHost=localhost
AccountingStoragePort=$DBD_PORT
NodeName=n[1-2] CPUs=2
PartitionName=p Nodes=n[1-2] Default=YES MaxTime=INFINITE State=UP
C
		printf '%s\n' "$@"
	} >"$HERD_TEST_DIR/src.conf"
	"$HERD" up --dir "$HERD_TEST_DIR" --port "$HERD_PORT" --conf "$HERD_TEST_DIR/src.conf" >"$HERD_TEST_DIR/up.out"
	eval "$(cat "$HERD_TEST_DIR/up.out")"
	export SLURM_CONF PATH
}

# acct_dbd_conf LINE...: HERD_TEST_DIR/slurmdbd.conf (mode 0600) for
# DBD_PORT, logging to log/herddbd.log, with these storage lines
acct_dbd_conf() {
	{
		cat <<C
DbdHost=localhost
DbdAddr=127.0.0.1
DbdPort=$DBD_PORT
C
		printf '%s\n' "$@"
		cat <<C
SlurmUser=$(id -un)
LogFile=$HERD_TEST_DIR/log/herddbd.log
C
	} >"$HERD_TEST_DIR/slurmdbd.conf"
	chmod 0600 "$HERD_TEST_DIR/slurmdbd.conf"
}

# acct_start_dbd: herddbd -D on HERD_TEST_DIR/slurmdbd.conf; its pid goes
# to run/herddbd.pid and run/extra.pids (stopped by the file's teardown)
acct_start_dbd() {
	"$HERD_BUILD_DIR/herddbd" -D -f "$HERD_TEST_DIR/slurmdbd.conf" >>"$HERD_TEST_DIR/log/herddbd.out" 2>&1 &
	echo "$!" >"$HERD_TEST_DIR/run/herddbd.pid"
	echo "$!" >>"$HERD_TEST_DIR/run/extra.pids"
}

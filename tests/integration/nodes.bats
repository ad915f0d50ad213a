#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# Node liveness on a real local cluster: a node daemon that dies shows as
# NOT_RESPONDING at once, DOWN ("Not responding") after SlurmdTimeout, its
# job ends NODE_FAIL (or goes back to the queue with --requeue), and with
# ReturnToService=1 the node comes back idle when its daemon returns; the
# job processes it still ran are killed then.

load common

setup_file() {
	[[ -n ${HERD_BUILD_DIR:-} ]] || return 0
	CONF=$(mktemp "${TMPDIR:-/tmp}/nodes-conf.XXXXXX")
	cat >"$CONF" <<'C'
ClusterName=liveness
SlurmctldHost=localhost
SlurmdTimeout=3
ReturnToService=1
KillWait=2
NodeName=n[1-2] CPUs=2
PartitionName=p Nodes=n[1-2] Default=YES MaxTime=INFINITE State=UP
C
	herd_cluster_up --conf "$CONF"
	rm -f "$CONF"
}

teardown_file() {
	if [[ -n ${HERD_TEST_DIR:-} && -f $HERD_TEST_DIR/run/extra.pids ]]; then
		kill $(cat "$HERD_TEST_DIR/run/extra.pids") 2>/dev/null || true
	fi
	herd_cluster_down
}

setup() {
	require_daemons
	require_cmd sbatch squeue sinfo scontrol
	cd "$HERD_TEST_DIR"
}

# the node daemon's pid: the one a test restarted, else the one herd started
herdd_pid() {
	if [[ -f $HERD_TEST_DIR/run/herdd-$1.restarted ]]; then
		cat "$HERD_TEST_DIR/run/herdd-$1.restarted"
	else
		awk -v n="$1" '$3 == "herdd" && $4 == n { print $1 }' "$HERD_TEST_DIR/run/herd.pids"
	fi
}

node_state() { scontrol show node "$1" | sed -n 's/.*State=\([A-Z_+]*\).*/\1/p'; }

# wait_node NODE STATE [timeout_s]
wait_node() {
	local i
	for ((i = 0; i < ${3:-20} * 20; i++)); do
		[[ $(node_state "$1") == "$2" ]] && return 0
		sleep 0.05
	done
	echo "node $1 is $(node_state "$1"), not $2" >&2
	return 1
}

restart_herdd() {
	"$HERD_BUILD_DIR/herdd" -D -f "$HERD_TEST_DIR/slurm.conf" -N "$1" \
	    >>"$HERD_TEST_DIR/log/herdd-$1.out" 2>&1 &
	echo "$!" >>"$HERD_TEST_DIR/run/extra.pids"
	echo "$!" >"$HERD_TEST_DIR/run/herdd-$1.restarted"
}

@test "a dead node daemon: NOT_RESPONDING, DOWN after SlurmdTimeout, NODE_FAIL, back idle" {
	run sbatch --parsable -w n1 --no-requeue --wrap 'sleep 300 & echo $! > n1.pid; wait'
	[ "$status" -eq 0 ]
	id=${output%%;*}
	wait_for_job_state "$id" RUNNING
	for _ in $(seq 100); do [ -s n1.pid ] && break; sleep 0.05; done
	pid=$(herdd_pid n1)
	[ -n "$pid" ]
	kill -9 "$pid"
	wait_node n1 ALLOCATED+NOT_RESPONDING 5
	wait_node n1 DOWN+NOT_RESPONDING 10
	run scontrol show node n1
	[[ $output == *"Reason=Not responding"* ]]
	wait_for_job_state "$id" NODE_FAIL
	run sinfo -h -n n1 -o %t
	[ "$output" = "down*" ]
	# its supervisor outlived the daemon, so the job still runs until then
	kill -0 "$(cat n1.pid)"
	restart_herdd n1
	wait_node n1 IDLE 10
	for _ in $(seq 100); do kill -0 "$(cat n1.pid)" 2>/dev/null || break; sleep 0.05; done
	! kill -0 "$(cat n1.pid)" 2>/dev/null
}

@test "with --requeue the job goes back to the queue and runs again when the node returns" {
	run sbatch --parsable -w n2 --requeue --wrap 'echo "run ${SLURM_RESTART_COUNT:-0}" >> requeued.out; sleep 300'
	id=${output%%;*}
	wait_for_job_state "$id" RUNNING
	kill -9 "$(herdd_pid n2)"
	wait_node n2 DOWN+NOT_RESPONDING 10
	wait_for_job_state "$id" PENDING
	run scontrol show job "$id"
	[[ $output == *"Restarts=1"* ]]
	restart_herdd n2
	wait_for_job_state "$id" RUNNING
	for _ in $(seq 100); do grep -q "run 1" requeued.out && break; sleep 0.05; done
	[ "$(cat requeued.out)" = "$(printf 'run 0\nrun 1')" ]
	scancel "$id"
	wait_for_job_state "$id" CANCELLED
}

@test "a node daemon that hangs (SIGSTOP) goes DOWN after SlurmdTimeout and returns when it resumes" {
	pid=$(herdd_pid n1)
	kill -0 "$pid"
	kill -STOP "$pid"
	wait_node n1 DOWN+NOT_RESPONDING 10 || { kill -CONT "$pid"; false; }
	kill -CONT "$pid"
	wait_node n1 IDLE 10
	run sbatch --parsable -w n1 --wrap 'echo back'
	id=${output%%;*}
	wait_for_job_state "$id" COMPLETED
}

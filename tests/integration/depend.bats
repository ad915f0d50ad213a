#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# Job dependencies (jobs.md section 6) on a real local cluster.

load common

setup_file() {
	herd_cluster_up --nodes 2
}

teardown_file() {
	if [[ -n ${HERD_TEST_DIR:-} && -f $HERD_TEST_DIR/run/extra.pids ]]; then
		kill $(cat "$HERD_TEST_DIR/run/extra.pids") 2>/dev/null || true
	fi
	herd_cluster_down
}

setup() {
	require_daemons
	require_cmd sbatch squeue scontrol scancel
	WORK=$(mktemp -d "$HERD_TEST_DIR/work.XXXXXX")
	cd "$WORK"
}

submit() {
	local out
	out=$(sbatch --parsable "$@") || return 1
	echo "${out%%;*}"
}

# wait_reason ID REASON
wait_reason() {
	local r
	for _ in $(seq 200); do
		r=$(squeue -h -j "$1" -o %r)
		[[ $r == "$2" ]] && return 0
		sleep 0.02
	done
	echo "job $1: reason '$r', wanted '$2'" >&2
	return 1
}

@test "afterok waits, runs after success; afternotok then never satisfied; OR of both runs" {
	a=$(submit --wrap 'sleep 2')
	ok=$(submit -d "afterok:$a" --wrap 'echo ok')
	notok=$(submit -d "afternotok:$a" --wrap true)
	either=$(submit -d "afterok:$a?afternotok:$a" --wrap true)
	wait_reason "$ok" Dependency
	run squeue -h -j "$ok" -o %E
	[ "$output" = "afterok:$a(unfulfilled)" ]
	run squeue -h -j "$either" -o %E
	[ "$output" = "afterok:$a(unfulfilled)?afternotok:$a(unfulfilled)" ]
	wait_for_job_state "$ok" COMPLETED
	wait_for_job_state "$either" COMPLETED
	wait_reason "$notok" DependencyNeverSatisfied
	run squeue -h -j "$notok" -o "%t %E"
	[ "$output" = "PD afternotok:$a(failed)" ]
	run scontrol show job "$notok"
	[[ $output == *"JobState=PENDING Reason=DependencyNeverSatisfied Dependency=afternotok:$a(failed)"* ]]
	scancel "$notok"
}

@test "a failed dependency stays failed across a controller crash" {
	f=$(submit --wrap 'exit 1')
	wait_for_job_state "$f" FAILED
	dep=$(submit -d "afterok:$f" --wrap true)
	wait_reason "$dep" DependencyNeverSatisfied
	pid=$(cat "$HERD_TEST_DIR/run/herdctld.pid")
	kill -9 "$pid"
	while kill -0 "$pid" 2>/dev/null; do sleep 0.05; done
	"$HERD_BUILD_DIR/herdctld" -D -f "$HERD_TEST_DIR/slurm.conf" >>"$HERD_TEST_DIR/log/herdctld.out" 2>&1 &
	echo "$!" >>"$HERD_TEST_DIR/run/extra.pids"
	for _ in $(seq 100); do scontrol ping >/dev/null 2>&1 && break; sleep 0.05; done
	wait_reason "$dep" DependencyNeverSatisfied
	run squeue -h -j "$dep" -o %E
	[ "$output" = "afterok:$f(failed)" ]
	# scontrol update replaces the list: cleared, the job runs
	run scontrol update JobId="$dep" Dependency=
	[ "$status" -eq 0 ]
	wait_for_job_state "$dep" COMPLETED
}

@test "--kill-on-invalid-dep=yes cancels; after:; singleton; unknown ids; syntax errors" {
	f=$(submit --wrap 'exit 2')
	wait_for_job_state "$f" FAILED
	k=$(submit --kill-on-invalid-dep=yes -d "afterok:$f" --wrap true)
	wait_for_job_state "$k" CANCELLED
	# after: the dependent starts once the other has started
	long=$(submit --wrap 'sleep 30')
	aft=$(submit -d "after:$long" --wrap true)
	wait_for_job_state "$aft" COMPLETED
	scancel "$long"
	# singleton: one at a time per name and user
	s1=$(submit -J solo -d singleton --wrap 'sleep 2')
	s2=$(submit -J solo -d singleton --wrap true)
	wait_for_job_state "$s1" RUNNING
	wait_reason "$s2" Dependency
	run squeue -h -j "$s2" -o %E
	[ "$output" = "singleton(unfulfilled)" ]
	wait_for_job_state "$s2" COMPLETED
	# a job the controller does not know satisfies the term
	u=$(submit -d afterany:999999 --wrap true)
	wait_for_job_state "$u" COMPLETED
	for bad in "afterok:abc" "afterok" "afterok:$f,afterany:$f?after:$f" "sometime:$f" "singleton:3"; do
		run sbatch -d "$bad" --wrap true
		[ "$status" -eq 1 ]
		[ "$output" = "sbatch: error: Batch job submission failed: Job dependency problem" ]
	done
}

@test "the dependency as given goes to the accounting record" {
	command -v sqlite3 >/dev/null || skip "the sqlite3 command is not installed"
	[ -f "$HERD_TEST_DIR/accounting.db" ] || skip "no accounting database in this cluster"
	a=$(submit --wrap true)
	b=$(submit -d "afterok:$a" --wrap true)
	wait_for_job_state "$b" COMPLETED
	wait_until 20 sh -c "sqlite3 '$HERD_TEST_DIR/accounting.db' \
		\"SELECT dependency FROM jobs WHERE job_id = $b\" | grep -qx 'afterok:$a'"
	run sqlite3 "$HERD_TEST_DIR/accounting.db" "SELECT count(*) FROM jobs WHERE job_id = $a AND dependency IS NULL"
	[ "$output" = 1 ]
}

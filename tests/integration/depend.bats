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

@test "dependencies on array tasks: A_i, A_[i-j], A_* and a plain array id shown as A_*" {
	a=$(submit -H --array=1-3 --wrap 'exit $((SLURM_ARRAY_TASK_ID == 2))')
	one=$(submit -d "afterok:${a}_1" --wrap true)
	two=$(submit -d "afterok:${a}_2" --wrap true)
	range=$(submit -d "afterany:${a}_[1-2]" --wrap true)
	whole=$(submit -d "afterany:$a" --wrap true)
	star=$(submit -d "afterany:${a}_*" --wrap true)
	wait_reason "$one" Dependency
	run squeue -h -j "$one" -o %E
	[ "$output" = "afterok:${a}_1(unfulfilled)" ]
	run squeue -h -j "$range" -o %E
	[ "$output" = "afterany:${a}_1(unfulfilled),afterany:${a}_2(unfulfilled)" ]
	wait_reason "$whole" Dependency
	run squeue -h -j "$whole" -o %E
	[ "$output" = "afterany:${a}_*(unfulfilled)" ]
	run squeue -h -j "$star" -o %E
	[ "$output" = "afterany:${a}_*(unfulfilled)" ]
	for bad in "afterok:${a}_x" "afterok:${a}_[1-" "afterok:${a}_[3-1]" "afterok:${a}_"; do
		run sbatch -d "$bad" --wrap true
		[ "$status" -eq 1 ]
		[ "$output" = "sbatch: error: Batch job submission failed: Job dependency problem" ]
	done
	# task 1 alone: the job on task 1 runs, the range still waits for task 2
	scontrol release "${a}_1"
	wait_for_job_state "$one" COMPLETED
	run squeue -h -j "$range" -o "%t %E"
	[ "$output" = "PD afterany:${a}_2(unfulfilled)" ]
	run squeue -h -j "$whole" -o %t
	[ "$output" = PD ]
	scontrol release "$a"
	wait_for_job_state "$range" COMPLETED
	wait_for_job_state "$whole" COMPLETED
	wait_for_job_state "$star" COMPLETED
	wait_reason "$two" DependencyNeverSatisfied
	run squeue -h -j "$two" -o %E
	[ "$output" = "afterok:${a}_2(failed)" ]
	scancel "$two"
}

@test "aftercorr: each task waits for the same task of the other array; a failed one fails only its partner" {
	a=$(submit -H --array=1-3 --wrap 'exit $((SLURM_ARRAY_TASK_ID == 2))')
	b=$(submit --array=1-3 -d "aftercorr:$a" -o 'b-%a.out' --wrap 'echo $SLURM_ARRAY_TASK_ID')
	wait_reason "$b" Dependency
	run squeue -h -j "$b" -o "%i %E"
	[ "$output" = "${b}_[1-3] aftercorr:${a}_*(unfulfilled)" ]
	# task 3 first: only b_3 may run
	scontrol release "${a}_3"
	wait_for_job_state "${b}_3" COMPLETED
	[ "$(cat b-3.out)" = 3 ]
	run squeue -h -t PD -j "$b" -o "%i %r"
	[ "$output" = "${b}_[1-2] Dependency" ]
	scontrol release "$a"
	wait_for_job_state "${b}_1" COMPLETED
	[ "$(cat b-1.out)" = 1 ]
	wait_reason "${b}_2" DependencyNeverSatisfied
	run squeue -h -j "${b}_2" -o "%i %E"
	[ "$output" = "${b}_2 aftercorr:${a}_*(failed)" ]
	[ ! -e b-2.out ]
	scancel "$b"
}

#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# Job arrays (jobs.md section 7) on a real local cluster.

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

# all records of array A finished?
array_done() {
	[[ -z $(squeue -h -j "$1" -t PENDING,RUNNING,SUSPENDED,COMPLETING -o %i 2>/dev/null) ]]
}

wait_array_done() {
	for _ in $(seq 600); do
		array_done "$1" && return 0
		sleep 0.05
	done
	squeue -j "$1" >&2
	return 1
}

@test "--array=0-2: one submission, tasks named A_i, files slurm-A_i.out, array environment" {
	run sbatch --array=0-2 --wrap 'echo task $SLURM_ARRAY_TASK_ID of $SLURM_ARRAY_JOB_ID; env | grep ^SLURM_ARRAY | sort'
	[ "$status" -eq 0 ]
	[[ $output =~ ^Submitted\ batch\ job\ ([0-9]+)$ ]]
	a=${BASH_REMATCH[1]}
	wait_array_done "$a"
	run ls -1
	[ "$output" = "$(printf 'slurm-%s_0.out\nslurm-%s_1.out\nslurm-%s_2.out' "$a" "$a" "$a")" ]
	for i in 0 1 2; do
		[ "$(head -n 1 "slurm-${a}_$i.out")" = "task $i of $a" ]
		grep -qx "SLURM_ARRAY_JOB_ID=$a" "slurm-${a}_$i.out"
		grep -qx "SLURM_ARRAY_TASK_ID=$i" "slurm-${a}_$i.out"
		grep -qx "SLURM_ARRAY_TASK_COUNT=3" "slurm-${a}_$i.out"
		grep -qx "SLURM_ARRAY_TASK_MIN=0" "slurm-${a}_$i.out"
		grep -qx "SLURM_ARRAY_TASK_MAX=2" "slurm-${a}_$i.out"
		grep -qx "SLURM_ARRAY_TASK_STEP=1" "slurm-${a}_$i.out"
	done
	# every task has its own job id, the array id is one of them
	run squeue -h -t all -j "$a" -o "%i %A %T"
	[ "${#lines[@]}" -eq 3 ]
	ids=$(squeue -h -t all -j "$a" -o %A | sort -u | wc -l)
	[ "$ids" -eq 3 ]
	run squeue -h -t all -j "${a}_1" -o "%i %T"
	[ "$output" = "${a}_1 COMPLETED" ]
}

@test "throttle %2: pending remainder A_[3-6%2] with JobArrayTaskLimit, never more than 2 running" {
	a=$(sbatch --parsable --array=1-6%2 --wrap 'sleep 1')
	a=${a%%;*}
	for _ in $(seq 100); do
		line=$(squeue -h -j "$a" -o "%i %t %r" | grep PD || true)
		[[ -n $line ]] && break
		sleep 0.02
	done
	[[ $line =~ ^${a}_\[[0-9]-6%2\]\ PD\ JobArrayTaskLimit$ ]]
	max=0
	while ! array_done "$a"; do
		n=$(squeue -h -j "$a" -t R -o %i | wc -l)
		((n > max)) && max=$n
		sleep 0.05
	done
	[ "$max" -le 2 ]
	[ "$max" -ge 1 ]
	[ "$(squeue -h -t all -j "$a" -o %T | grep -c COMPLETED)" -eq 6 ]
}

@test "scancel A_i drops a pending task, scancel A ends the rest" {
	a=$(sbatch --parsable -H --array=1-5 --wrap true)
	a=${a%%;*}
	run squeue -h -j "$a" -o "%i %r"
	[ "$output" = "${a}_[1-5] JobHeldUser" ]
	scancel "${a}_3"
	run squeue -h -t PD -j "$a" -o %i
	[ "$output" = "${a}_[1-2,4-5]" ]
	run scontrol show job "$a"
	[[ $output == *"JobId=$a ArrayJobId=$a ArrayTaskId=1-2,4-5 JobName=wrap"* ]]
	# the cancelled task left in a record of its own, as Slurm does
	run squeue -h -t all -j "${a}_3" -o "%i %T"
	[ "$output" = "${a}_3 CANCELLED" ]
	scancel "$a"
	wait_array_done "$a"
}

@test "one pending task released, updated or held alone: it leaves the array's record" {
	a=$(sbatch --parsable -H --array=1-4 -t 10 --wrap true)
	a=${a%%;*}
	scontrol update JobId="${a}_4" TimeLimit=5
	run scontrol show job "${a}_4"
	[[ $output =~ ^JobId=([0-9]+)\ ArrayJobId=$a\ ArrayTaskId=4\  ]]
	[ "${BASH_REMATCH[1]}" != "$a" ]
	[[ $output == *"TimeLimit=00:05:00"* ]]
	run scontrol show job "$a"
	[[ $output == *"JobId=$a ArrayJobId=$a ArrayTaskId=1-3 "* ]]
	[[ $output == *"TimeLimit=00:10:00"* ]]
	scontrol release "${a}_2"
	wait_for_job_state "${a}_2" COMPLETED
	run squeue -h -t PD -j "$a" -o "%i %r"
	[ "$(sort <<<"$output")" = "$(printf '%s\n%s' "${a}_4 JobHeldUser" "${a}_[1,3] JobHeldUser" | sort)" ]
	scontrol release "$a"
	wait_array_done "$a"
	[ "$(squeue -h -t all -j "$a" -o %T | grep -c COMPLETED)" -eq 4 ]
}

@test "a held array survives a controller crash and runs when released" {
	a=$(sbatch --parsable -H --array=1-3 -o 'out-%A-%a.txt' --wrap 'echo $SLURM_ARRAY_TASK_ID')
	a=${a%%;*}
	pid=$(cat "$HERD_TEST_DIR/run/herdctld.pid")
	kill -9 "$pid"
	while kill -0 "$pid" 2>/dev/null; do sleep 0.05; done
	"$HERD_BUILD_DIR/herdctld" -D -f "$HERD_TEST_DIR/slurm.conf" >>"$HERD_TEST_DIR/log/herdctld.out" 2>&1 &
	echo "$!" >>"$HERD_TEST_DIR/run/extra.pids"
	for _ in $(seq 100); do scontrol ping >/dev/null 2>&1 && break; sleep 0.05; done
	run squeue -h -j "$a" -o "%i %r"
	[ "$output" = "${a}_[1-3] JobHeldUser" ]
	scontrol release "$a"
	wait_array_done "$a"
	for i in 1 2 3; do
		[ "$(cat "out-$a-$i.txt")" = "$i" ]
	done
}

@test "bad array specifications are refused" {
	for bad in 5-1 0-5000 1-x "1,,2" "1-3:0" "%2"; do
		run sbatch "--array=$bad" --wrap true
		[ "$status" -eq 1 ]
		[ "$output" = "sbatch: error: Batch job submission failed: Invalid job array specification" ]
	done
}

@test "afterok on an array waits for every task; a failing task fails it" {
	a=$(sbatch --parsable --array=1-3 --wrap 'sleep 1')
	a=${a%%;*}
	ok=$(sbatch --parsable -d "afterok:$a" --wrap true)
	ok=${ok%%;*}
	for _ in $(seq 100); do [ "$(squeue -h -j "$ok" -o %r)" = Dependency ] && break; sleep 0.02; done
	wait_for_job_state "$ok" COMPLETED
	# every task had ended when it started
	[ "$(squeue -h -t all -j "$a" -o %T | grep -c COMPLETED)" -eq 3 ]
	b=$(sbatch --parsable --array=1-3 --wrap 'exit $((SLURM_ARRAY_TASK_ID == 2))')
	b=${b%%;*}
	never=$(sbatch --parsable -d "afterok:$b" --wrap true)
	never=${never%%;*}
	for _ in $(seq 300); do
		[ "$(squeue -h -j "$never" -o %r)" = DependencyNeverSatisfied ] && break
		sleep 0.02
	done
	run squeue -h -j "$never" -o %E
	[ "$output" = "afterok:${b}_*(failed)" ]
	scancel "$never"
}

#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# Batch jobs end to end on a real local cluster (issue 2): submission,
# placement, output, environment, identity, states and exit codes, cleanup
# of the whole process tree, cancel, time limit, controller restart.

load common

setup_file() {
	herd_cluster_up
}

teardown_file() {
	# controllers restarted by the tests are not in herd's pid file
	if [[ -n ${HERD_TEST_DIR:-} && -f $HERD_TEST_DIR/run/extra.pids ]]; then
		kill $(cat "$HERD_TEST_DIR/run/extra.pids") 2>/dev/null || true
	fi
	herd_cluster_down
}

setup() {
	require_daemons
	require_cmd sbatch squeue sinfo scontrol scancel
	WORK=$(mktemp -d "$HERD_TEST_DIR/work.XXXXXX")
	chmod 0777 "$WORK"
	cd "$WORK"
}

submit() {
	local out
	out=$(sbatch --parsable "$@") || return 1
	echo "${out%%;*}"
}

@test "sinfo shows the default partition idle" {
	run sinfo
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "PARTITION AVAIL  TIMELIMIT  NODES  STATE NODELIST" ]
	[ "${lines[1]}" = "compute*     up 1-00:00:00      4   idle node[01-04]" ]
}

@test "the reference job script runs on 2 nodes and writes slurm-N.out" {
	cat >job.sh <<'S'
#!/bin/bash
#SBATCH --job-name=xs-test-job
#SBATCH --ntasks=4
echo "nodes=$SLURM_JOB_NODELIST tasks=$SLURM_TASKS_PER_NODE cpus=$SLURM_JOB_CPUS_PER_NODE n=$SLURM_NTASKS"
sleep 3
S
	run sbatch job.sh
	[ "$status" -eq 0 ]
	[[ $output =~ ^Submitted\ batch\ job\ ([0-9]+)$ ]]
	id=${BASH_REMATCH[1]}
	wait_for_job_state "$id" RUNNING
	run squeue -h -j "$id" -o "%t %D"
	[ "$output" = "R 2" ]
	run sinfo -h -o "%D %t %N"
	[[ $output == *"2 alloc node[01-02]"* ]]
	[[ $output == *"2 idle node[03-04]"* ]]
	wait_for_job_state "$id" COMPLETED 60
	[ "$(cat "slurm-$id.out")" = "nodes=node[01-02] tasks=2(x2) cpus=2(x2) n=4" ]
}

@test "batch environment of jobs.md 5.1" {
	run submit -J envjob --wrap 'env | grep -E "^(SLURM|ENVIRONMENT|TMPDIR)" | sort'
	[ "$status" -eq 0 ]
	id=$output
	wait_for_job_state "$id" COMPLETED
	f=slurm-$id.out
	grep -qx "SLURM_JOB_ID=$id" "$f"
	grep -qx "SLURM_JOBID=$id" "$f"
	grep -qx "SLURM_JOB_NAME=envjob" "$f"
	node=$(sed -n 's/^SLURMD_NODENAME=//p' "$f")
	[[ $node == node0[1-4] ]]
	grep -qx "SLURM_JOB_NODELIST=$node" "$f"
	grep -qx "SLURM_NODELIST=$node" "$f"
	grep -qx "SLURM_JOB_NUM_NODES=1" "$f"
	grep -qx "SLURM_TASKS_PER_NODE=1" "$f"
	grep -qx "SLURM_CPUS_ON_NODE=1" "$f"
	grep -qx "SLURM_SUBMIT_DIR=$WORK" "$f"
	grep -qx "SLURM_CLUSTER_NAME=herd" "$f"
	grep -qx "SLURM_JOB_PARTITION=compute" "$f"
	grep -qx "ENVIRONMENT=BATCH" "$f"
	grep -q "^SLURM_TASK_PID=[0-9]" "$f"
	grep -q "^SLURM_SUBMIT_HOST=." "$f"
	! grep -q "^SLURM_NTASKS=" "$f"
}

@test "--export=NONE keeps only SLURM variables, a list adds the named ones" {
	export HERD_TEST_VAR=hello HERD_OTHER=x
	run submit --export=NONE --wrap 'echo "v=${HERD_TEST_VAR:-unset}"'
	id=$output
	run submit --export=HERD_TEST_VAR --wrap 'echo "v=${HERD_TEST_VAR:-unset} o=${HERD_OTHER:-unset}"'
	id2=$output
	wait_for_job_state "$id" COMPLETED
	wait_for_job_state "$id2" COMPLETED
	[ "$(cat "slurm-$id.out")" = "v=unset" ]
	[ "$(cat "slurm-$id2.out")" = "v=hello o=unset" ]
}

@test "output patterns %j %x %u %N %% and -D" {
	mkdir sub
	run submit -J pat -D sub -o 'out-%j-%x-%u-%N-%%.txt' -e 'err-%j.txt' --wrap 'echo out; echo err >&2'
	id=$output
	wait_for_job_state "$id" COMPLETED
	[ "$(cat sub/out-"$id"-pat-"$(id -un)"-node0[1-4]-%.txt)" = "out" ]
	[ "$(cat "sub/err-$id.txt")" = "err" ]
}

@test "exit codes: COMPLETED, FAILED 3:0, killed by a signal" {
	run submit --wrap 'exit 0'
	ok=$output
	run submit --wrap 'echo about to fail; exit 3'
	bad=$output
	run submit --wrap 'kill -9 $$'
	sig=$output
	wait_for_job_state "$ok" COMPLETED
	wait_for_job_state "$bad" FAILED
	wait_for_job_state "$sig" FAILED
	run scontrol show job "$bad"
	[[ $output == *"JobState=FAILED Reason=NonZeroExitCode"* ]]
	[[ $output == *"ExitCode=3:0"* ]]
	run scontrol show job "$sig"
	[[ $output == *"ExitCode=0:9"* ]]
	[ "$(cat "slurm-$bad.out")" = "about to fail" ]
}

@test "no process of a job survives it (background sleeper)" {
	run submit --wrap 'sleep 300 & echo $! > sleeper.pid; exit 0'
	id=$output
	wait_for_job_state "$id" COMPLETED
	pid=$(cat sleeper.pid)
	[ -n "$pid" ]
	! kill -0 "$pid" 2>/dev/null
}

@test "scancel of a running job: CANCELLED, message in the output, tree killed" {
	run submit --wrap 'sleep 300 & echo $! > s2.pid; sleep 300'
	id=$output
	wait_for_job_state "$id" RUNNING
	for _ in $(seq 100); do [ -s s2.pid ] && break; sleep 0.05; done
	run scancel "$id"
	[ "$status" -eq 0 ]
	wait_for_job_state "$id" CANCELLED
	grep -q "error: \*\*\* JOB $id ON node0[1-4] CANCELLED AT " "slurm-$id.out"
	! kill -0 "$(cat s2.pid)" 2>/dev/null
	run scontrol show job "$id"
	[[ $output == *"ExitCode=0:15"* ]]
}

@test "held job pends with JobHeldUser, release runs it, scancel of a pending job" {
	run submit -H --wrap true
	id=$output
	run squeue -h -j "$id" -o "%t %r"
	[ "$output" = "PD JobHeldUser" ]
	run scontrol release "$id"
	[ "$status" -eq 0 ]
	wait_for_job_state "$id" COMPLETED
	run submit -H --wrap true
	id2=$output
	run scancel "$id2"
	[ "$status" -eq 0 ]
	wait_for_job_state "$id2" CANCELLED
}

@test "backfill: a small job runs while a big one waits for resources" {
	run submit -n 6 -t 5 --wrap 'sleep 30'
	big1=$output
	wait_for_job_state "$big1" RUNNING
	run submit -n 8 -t 5 --wrap true
	big2=$output
	run submit -n 1 -t 1 --wrap true
	small=$output
	wait_for_job_state "$small" COMPLETED
	run squeue -h -j "$big2" -o "%t %r"
	[ "$output" = "PD Resources" ]
	scancel "$big1" "$big2"
	wait_for_job_state "$big1" CANCELLED
}

@test "a full cluster: each new job gets its reason, and the first starts when CPUs are freed" {
	run submit -n 8 -t 5 --wrap 'sleep 300'
	full=$output
	wait_for_job_state "$full" RUNNING
	first=$(submit -n 2 --wrap true)
	second=$(submit -n 2 --wrap true)
	held=$(submit -H --wrap true)
	later=$(submit --begin=now+1hour --wrap true)
	dep=$(submit -d "afterok:$full" --wrap true)
	reason_is() { [ "$(squeue -h -j "$1" -o %r)" = "$2" ]; }
	wait_until 10 reason_is "$first" Resources
	wait_until 10 reason_is "$second" Priority
	wait_until 10 reason_is "$held" JobHeldUser
	wait_until 10 reason_is "$later" BeginTime
	wait_until 10 reason_is "$dep" Dependency
	scancel "$full"
	wait_for_job_state "$first" COMPLETED
	wait_for_job_state "$second" COMPLETED
	wait_until 10 reason_is "$dep" DependencyNeverSatisfied
	[ "$(squeue -h -j "$held" -o %t)" = PD ]
	[ "$(squeue -h -j "$later" -o %t)" = PD ]
	scancel "$held" "$later" "$dep"
}

@test "bad input: unknown partition, script without #!, CRLF script" {
	g=$HERD_SHARED_DIR/golden/slurm-22.05
	run sbatch --partition=nope --wrap=true
	[ "$status" -eq 1 ]
	[ "$output" = "$(cat "$g/85-err-sbatch-partition-nope.err")" ]
	run sbatch --mem=999999999 --wrap=true
	[ "$status" -eq 1 ]
	[ "$output" = "$(cat "$g/91-err-sbatch-mem-too-much.err")" ]
	printf 'echo hi\n' >noshebang.sh
	run sbatch noshebang.sh
	[ "$status" -eq 1 ]
	[[ $output == *"This does not look like a batch script"* ]]
	printf '#!/bin/sh\r\necho hi\r\n' >crlf.sh
	run sbatch crlf.sh
	[ "$status" -eq 1 ]
	[[ $output == *"DOS line breaks"* ]]
	run sbatch -c 3 --wrap=true
	[ "$status" -eq 1 ]
	[ "$output" = "sbatch: error: Batch job submission failed: Requested node configuration is not available" ]
	run sinfo -h -o %t
	[ "$status" -eq 0 ]
}

@test "an output directory the job cannot write: FAILED (JobLaunchFailure), others unaffected" {
	[ "$(id -u)" -eq 0 ] || skip "needs root to create a user"
	id herdtest >/dev/null 2>&1 || useradd -M -s /bin/sh herdtest
	mkdir -m 0755 locked
	run runuser -u herdtest -- sbatch --parsable -o locked/out.txt --wrap 'echo never'
	[ "$status" -eq 0 ]
	id=${output%%;*}
	wait_for_job_state "$id" FAILED
	run scontrol show job "$id"
	[[ $output == *"Reason=JobLaunchFailure"* ]]
	[ ! -e locked/out.txt ]
	grep -q "job $id: launch failed.*cannot open output $WORK/locked/out.txt: Permission denied" \
	    "$HERD_TEST_DIR"/log/herdctld.log
	run submit --wrap 'echo fine'
	wait_for_job_state "$output" COMPLETED
}

@test "a malformed slurm.conf stops the daemons at start with file:line" {
	printf 'ClusterName=x\nSlurmctldHost=localhost\nNodeNmae=n1\n' >bad.conf
	run "$HERD_BUILD_DIR/herdctld" -D -f bad.conf
	[ "$status" -eq 1 ]
	[ "$output" = "herdctld: fatal: bad.conf:3: unknown key 'NodeNmae'" ]
	run "$HERD_BUILD_DIR/herdd" -D -f bad.conf -N n1
	[ "$status" -eq 1 ]
	[ "$output" = "herdd: fatal: bad.conf:3: unknown key 'NodeNmae'" ]
}

@test "jobs run as the submitting user with their groups" {
	[ "$(id -u)" -eq 0 ] || skip "needs root to create a user"
	id herdtest >/dev/null 2>&1 || useradd -M -s /bin/sh herdtest
	groupadd -f herdgrp
	usermod -a -G herdgrp herdtest
	chmod 0755 "$HERD_TEST_DIR"
	run runuser -u herdtest -- sbatch --parsable --wrap 'id -u; id -gn; id -Gn | tr " " "\n" | grep -x herdgrp'
	[ "$status" -eq 0 ]
	id=${output%%;*}
	wait_for_job_state "$id" COMPLETED
	[ "$(stat -c %U "slurm-$id.out")" = herdtest ]
	[ "$(sed -n 1p "slurm-$id.out")" = "$(id -u herdtest)" ]
	[ "$(sed -n 3p "slurm-$id.out")" = herdgrp ]
	# another user cannot cancel it
	run runuser -u herdtest -- sbatch --parsable --wrap 'sleep 60'
	id2=${output%%;*}
	run runuser -u nobody -- scancel "$id2"
	[ "$status" -ne 0 ]
	[[ $output == *"Access/permission denied"* ]]
	scancel "$id2"
	wait_for_job_state "$id2" CANCELLED
}

@test "the controller survives kill -9: jobs kept, running job reported" {
	run submit --wrap 'exit 0'
	finished=$output
	wait_for_job_state "$finished" COMPLETED
	run submit --wrap 'sleep 4; echo done'
	run_id=$output
	wait_for_job_state "$run_id" RUNNING
	run submit -H --wrap true
	held=$output
	pid=$(cat "$HERD_TEST_DIR/run/herdctld.pid")
	[ -n "$pid" ]
	kill -9 "$pid"
	while kill -0 "$pid" 2>/dev/null; do sleep 0.05; done
	"$HERD_BUILD_DIR/herdctld" -D -f "$HERD_TEST_DIR/slurm.conf" >>"$HERD_TEST_DIR/log/herdctld.out" 2>&1 &
	newpid=$!
	echo "$newpid" >>"$HERD_TEST_DIR/run/extra.pids"
	run squeue -h -j "$held" -o "%t %r"
	for _ in $(seq 100); do [ "$status" -eq 0 ] && break; sleep 0.05; run squeue -h -j "$held" -o "%t %r"; done
	[ "$output" = "PD JobHeldUser" ]
	# a job that had finished before the crash is still known, with its state
	run squeue -h -t all -j "$finished" -o %T
	[ "$output" = "COMPLETED" ]
	wait_for_job_state "$run_id" COMPLETED 30
	[ "$(cat "slurm-$run_id.out")" = "done" ]
	scancel "$held"
	# herd down must stop the restarted controller too
	kill "$newpid"
	wait "$newpid" || true
	"$HERD_BUILD_DIR/herdctld" -D -f "$HERD_TEST_DIR/slurm.conf" >>"$HERD_TEST_DIR/log/herdctld.out" 2>&1 &
	disown
	echo "$!" >>"$HERD_TEST_DIR/run/extra.pids"
	run scontrol ping
	for _ in $(seq 100); do [ "$status" -eq 0 ] && break; sleep 0.05; run scontrol ping; done
	[ "$status" -eq 0 ]
}

@test "a second controller on the same StateSaveLocation is refused" {
	run "$HERD_BUILD_DIR/herdctld" -D -f "$HERD_TEST_DIR/slurm.conf" -L /dev/stderr
	[ "$status" -ne 0 ]
	[[ $output == *"another herdctld"*"StateSaveLocation"* ]]
}

@test "time limit: TIMEOUT, SIGTERM with the time-limit message" {
	run submit -t 1 --wrap 'trap "echo got TERM; exit 1" TERM; sleep 200 & wait'
	id=$output
	wait_for_job_state "$id" TIMEOUT 120
	grep -q "CANCELLED AT .* DUE TO TIME LIMIT \*\*\*" "slurm-$id.out"
	grep -q "got TERM" "slurm-$id.out"
	run scontrol show job "$id"
	[[ $output == *"JobState=TIMEOUT Reason=TimeLimit"* ]]
}

@test "scontrol update PartitionName: DOWN queues without starting, UP starts; bad values change nothing" {
	run scontrol update PartitionName=compute State=DOWN
	[ "$status" -eq 0 ]
	run sinfo -h -o %a
	[ "$output" = "down" ]
	run submit --wrap true
	id=$output
	for _ in $(seq 100); do
		r=$(squeue -h -j "$id" -o %r)
		[ "$r" = PartitionDown ] && break
		sleep 0.02
	done
	[ "$r" = PartitionDown ]
	run scontrol update PartitionName=compute State=SIDEWAYS
	[ "$status" -eq 1 ]
	run sinfo -h -o %a
	[ "$output" = "down" ]
	run scontrol update PartitionName=compute State=UP
	[ "$status" -eq 0 ]
	wait_for_job_state "$id" COMPLETED
	run scontrol update PartitionName=compute MaxTime=2:00:00
	[ "$status" -eq 0 ]
	run sinfo -h -o "%a %l"
	[ "$output" = "up 2:00:00" ]
	run scontrol update PartitionName=nope State=UP
	[ "$status" -eq 1 ]
	[[ $output == *"Invalid partition name specified"* ]]
	scontrol update PartitionName=compute MaxTime=24:00:00
}

@test "sbatch refusals match Slurm's words and exit codes (golden 86-90)" {
	g=$HERD_SHARED_DIR/golden/slurm-22.05
	jobs_before=$(squeue -h -t all -o %i | wc -l)
	cp "$g/noshebang.sh" .
	run sbatch noshebang.sh
	[ "$status" -eq 1 ]
	[ "$output" = "$(cat "$g/86-err-sbatch-no-shebang.err")" ]
	run sbatch does-not-exist.sh
	[ "$status" -eq 1 ]
	[ "$output" = "$(cat "$g/87-err-sbatch-missing-file.err")" ]
	run sbatch </dev/null
	[ "$status" -eq 1 ]
	[ "$output" = "$(cat "$g/88-err-sbatch-empty-stdin.err")" ]
	run sbatch --time=abc --wrap=true
	[ "$status" -eq 255 ]
	[ "$output" = "$(cat "$g/89-err-sbatch-bad-time.err")" ]
	run sbatch --no-such-option --wrap=true
	[ "$status" -eq 255 ]
	[ "$output" = "$(cat "$g/90-err-sbatch-bad-option.err")" ]
	# nothing of that reached the controller
	[ "$(squeue -h -t all -o %i | wc -l)" -eq "$jobs_before" ]
}

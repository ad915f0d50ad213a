#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# Job steps (issue 3): srun inside and outside an allocation, task layout
# and environment, live I/O, stdin, signals, exit codes, steps in squeue,
# salloc.  A real local cluster of 4 nodes with 2 CPUs; as root every
# node has its own host name, as the hosts of a real cluster do.

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
	require_cmd sbatch squeue srun salloc scontrol scancel sacct
	WORK=$(mktemp -d "$HERD_TEST_DIR/work.XXXXXX")
	chmod 0777 "$WORK"
	cd "$WORK"
}

teardown() {
	herd_extra_cluster_down
}

submit() {
	local out
	out=$(sbatch --parsable "$@") || return 1
	echo "${out%%;*}"
}

@test "the reference script: srun hostname prints 2 node names twice, steps N.0 and N.1" {
	[[ $(id -u) == 0 ]] || skip "node host names need root (UTS namespaces)"
	cat >job.sh <<'S'
#!/bin/bash
#SBATCH --job-name=xs-test-job
#SBATCH --ntasks=4
srun hostname
srun sleep 1
S
	id=$(submit job.sh)
	wait_for_job_state "$id" COMPLETED 60
	[ "$(sort "slurm-$id.out" | tr '\n' ' ')" = "node01 node01 node02 node02 " ]
	wait_acct_lines "$id" 4
	run sacct -n -P -j "$id" -o JobID,JobName,State,ExitCode,NNodes,NTasks
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "$id|xs-test-job|COMPLETED|0:0|2|" ]
	[ "${lines[1]}" = "$id.batch|batch|COMPLETED|0:0|1|1" ]
	[ "${lines[2]}" = "$id.0|hostname|COMPLETED|0:0|2|4" ]
	[ "${lines[3]}" = "$id.1|sleep|COMPLETED|0:0|2|4" ]
}

@test "outside an allocation: srun -N2 hostname and srun -n4 -l hostname (golden 45, 46)" {
	[[ $(id -u) == 0 ]] || skip "node host names need root (UTS namespaces)"
	run srun -N2 hostname
	[ "$status" -eq 0 ]
	[ "$(sort <<<"$output" | tr '\n' ' ')" = "node01 node02 " ]
	run srun -n4 -l hostname
	[ "$status" -eq 0 ]
	[ "$(sort <<<"$output" | tr '\n' ' ')" = "0: node01 1: node01 2: node02 3: node02 " ]
}

@test "srun outside an allocation makes a job named after the command and releases it" {
	run srun -n2 -J mystep true
	[ "$status" -eq 0 ]
	run srun sh -c 'exit 7'
	[ "$status" -eq 7 ]
	[[ ${lines[-1]} =~ ^srun:\ error:\ node0[1-4]:\ task\ 0:\ Exited\ with\ exit\ code\ 7$ ]]
	wait_until 20 sh -c "sacct -n -X -P -o JobID,JobName | grep -q '|sh\$'"
	id=$(sacct -n -X -P -o JobID,JobName | awk -F'|' '$2 == "sh" { print $1 }' | tail -n 1)
	[ -n "$id" ]
	wait_acct_lines "$id" 2
	run sacct -n -P -j "$id" -o JobID,JobName,State,ExitCode
	[ "${lines[0]}" = "$id|sh|FAILED|7:0" ]
	[ "${lines[1]}" = "$id.0|sh|FAILED|7:0" ]
	run squeue -h -j "$id"
	[ -z "$output" ] || [[ $output != *" R "* ]]
	run srun
	[ "$status" -eq 1 ]
	[ "$output" = "srun: fatal: No command given to execute." ]
}

@test "task layout and per-task environment (jobs.md 4 and 5.2): block, cyclic" {
	run srun -n4 -l sh -c 'echo $SLURM_PROCID $SLURM_LOCALID $SLURM_NODEID $SLURMD_NODENAME $SLURM_STEP_ID $SLURM_STEP_NUM_TASKS $SLURM_STEP_TASKS_PER_NODE $SLURM_GTIDS $SLURM_CPUS_ON_NODE'
	[ "$status" -eq 0 ]
	sorted=$(sort <<<"$output")
	[ "$sorted" = "0: 0 0 0 node01 0 4 2(x2) 0,1 2
1: 1 1 0 node01 0 4 2(x2) 0,1 2
2: 2 0 1 node02 0 4 2(x2) 2,3 2
3: 3 1 1 node02 0 4 2(x2) 2,3 2" ]
	run srun -n3 -N3 -m cyclic -l sh -c 'echo $SLURMD_NODENAME $SLURM_STEP_NODELIST $SLURM_DISTRIBUTION'
	[ "$status" -eq 0 ]
	[ "$(sort <<<"$output")" = "0: node01 node[01-03]
1: node02 node[01-03]
2: node03 node[01-03]" ]
	cat >lay.sh <<'S'
#!/bin/bash
#SBATCH -N3 -n6
srun -n4 -m cyclic -l sh -c 'echo $SLURMD_NODENAME' | sort
srun -n4 -l sh -c 'echo $SLURMD_NODENAME $SLURM_DISTRIBUTION' | sort
srun -n1 sh -c 'echo n=$SLURM_NNODES $SLURM_STEP_NODELIST'
S
	id=$(submit lay.sh)
	wait_for_job_state "$id" COMPLETED 60
	[ "$(cat "slurm-$id.out")" = "0: node01
1: node02
2: node03
3: node01
0: node01 block
1: node01 block
2: node02 block
3: node03 block
n=1 node01" ]
}

@test "batch step environment of a step (golden 42): job and step variables" {
	cat >env4.sh <<'S'
#!/bin/bash
#SBATCH --job-name=xs-test-job
#SBATCH --ntasks=4
srun sh -c 'env | grep ^SLURM | sort > step-env4-$SLURM_PROCID.txt'
S
	id=$(submit env4.sh)
	wait_for_job_state "$id" COMPLETED 60
	f=step-env4-3.txt
	for v in "SLURM_JOB_ID=$id" "SLURM_JOBID=$id" SLURM_JOB_NAME=xs-test-job SLURM_STEP_ID=0 SLURM_STEPID=0 \
		SLURM_PROCID=3 SLURM_LOCALID=1 SLURM_NODEID=1 SLURM_GTIDS=2,3 SLURM_NTASKS=4 SLURM_NPROCS=4 \
		SLURM_STEP_NUM_TASKS=4 SLURM_STEP_NUM_NODES=2 SLURM_NNODES=2 "SLURM_STEP_NODELIST=node[01-02]" \
		"SLURM_NODELIST=node[01-02]" "SLURM_JOB_NODELIST=node[01-02]" "SLURM_STEP_TASKS_PER_NODE=2(x2)" \
		"SLURM_TASKS_PER_NODE=2(x2)" "SLURM_JOB_CPUS_PER_NODE=2(x2)" "SLURM_JOB_CPUS_PER_NODE_PACK_GROUP_0=2(x2)" \
		SLURM_DISTRIBUTION=block SLURMD_NODENAME=node02 SLURM_TOPOLOGY_ADDR=node02 SLURM_CPUS_ON_NODE=2 \
		SLURM_UMASK=0022 SLURM_LAUNCH_NODE_IPADDR=127.0.0.1 SLURM_SRUN_COMM_HOST=127.0.0.1; do
		grep -qxF "$v" "$f" || {
			echo "missing $v" >&2
			cat "$f" >&2
			return 1
		}
	done
	grep -q '^SLURM_SRUN_COMM_PORT=[0-9]' "$f"
	grep -q '^SLURM_TASK_PID=[0-9]' "$f"
	# each variable once
	[ -z "$(cut -d= -f1 "$f" | sort | uniq -d)" ]
}

@test "steps show in squeue -s and scontrol show step while they run" {
	cat >steps.sh <<'S'
#!/bin/bash
#SBATCH -n4
srun -n2 --exact sleep 30 &
srun -n2 --exact sleep 30 &
wait
S
	id=$(submit steps.sh)
	wait_for_job_state "$id" RUNNING
	wait_until 20 sh -c "squeue -s -h -j $id -o %i | grep -qx $id.1"
	run squeue -s -h -j "$id" -o "%i %j %N"
	[[ $output == *"$id.0 sleep "* ]]
	[[ $output == *"$id.1 sleep "* ]]
	[[ $output == *"$id.batch batch node01"* ]]
	run scontrol show step "$id.0"
	[ "$status" -eq 0 ]
	[[ $output == *"StepId=$id.0 "* ]]
	[[ $output == *"State=RUNNING"* ]]
	[[ $output == *"Tasks=2 Name=sleep"* ]]
	# one step cancelled: the other goes on
	run scancel "$id.0"
	[ "$status" -eq 0 ]
	wait_until 20 sh -c "! squeue -s -h -j $id -o %i | grep -qx $id.0"
	run squeue -s -h -j "$id" -o %i
	[[ $output == *"$id.1"* ]]
	scancel "$id"
	wait_for_job_state "$id" CANCELLED
	run sacct -n -P -j "$id.0" -o JobID,State
	[[ $output == "$id.0|CANCELLED"* ]]
}

@test "a step waits for CPUs held by another step, --overlap shares them" {
	cat >wait.sh <<'S'
#!/bin/bash
#SBATCH -n1
srun sleep 2 &
sleep 0.5
srun echo second 2>err.txt
srun --overlap echo overlapping
wait
S
	id=$(submit wait.sh)
	wait_for_job_state "$id" COMPLETED 60
	grep -qx "srun: Job $id step creation temporarily disabled, retrying (Requested nodes are busy)" err.txt
	grep -qx "srun: Step created for StepId=$id.1" err.txt
	[ "$(cat "slurm-$id.out")" = "second
overlapping" ]
}

@test "output streams as it is written, ordered per task, stdout and stderr apart" {
	# the first line arrives while the task still runs
	srun sh -c 'echo first; sleep 5; echo last' >live.out &
	pid=$!
	wait_until 4 grep -qx first live.out
	pid_alive "$pid"
	wait "$pid"
	[ "$(cat live.out)" = "first
last" ]
	srun -n2 -l sh -c 'for i in 1 2 3 4 5; do echo "out $SLURM_PROCID $i"; echo "err $SLURM_PROCID $i" >&2; done' >out.txt 2>err.txt
	for t in 0 1; do
		[ "$(grep "^$t: " out.txt | tr '\n' ' ')" = "$t: out $t 1 $t: out $t 2 $t: out $t 3 $t: out $t 4 $t: out $t 5 " ]
		[ "$(grep "^$t: " err.txt | tr '\n' ' ')" = "$t: err $t 1 $t: err $t 2 $t: err $t 3 $t: err $t 4 $t: err $t 5 " ]
	done
}

@test "100 MB of binary output through srun arrive intact" {
	head -c 100000000 /dev/urandom >big.bin
	run srun cat big.bin >copy.bin
	srun cat big.bin >copy.bin
	cmp big.bin copy.bin
	rm -f big.bin copy.bin
}

@test "stdin goes to task 0; -i all, -i none; a task that never reads stdin" {
	run sh -c 'printf "hello\nworld\n" | srun -n2 -l cat'
	[ "$status" -eq 0 ]
	[ "$output" = "0: hello
0: world" ]
	run sh -c 'printf "x\n" | srun -n2 -l -i all cat | sort'
	[ "$output" = "0: x
1: x" ]
	run sh -c 'printf "x\n" | srun -i none cat'
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	# endless input to a task that does not read it: srun still ends
	run timeout 20 sh -c 'yes | srun true'
	[ "$status" -eq 0 ]
	head -c 5000000 /dev/urandom >in.bin
	srun cat <in.bin >out.bin
	cmp in.bin out.bin
}

@test "arguments pass through verbatim" {
	run srun printf '[%s]' 'a b' '' "it's" 'ünï' '$HOME' '*'
	[ "$status" -eq 0 ]
	[ "$output" = "[a b][][it's][ünï][\$HOME][*]" ]
}

@test "-o/-e with per-task patterns; -e defaults to -o" {
	run srun -n2 -o 'out-%j-%t.txt' -e 'err-%t.txt' sh -c 'echo o$SLURM_PROCID; echo e$SLURM_PROCID >&2'
	[ "$status" -eq 0 ]
	f=$(ls out-*-0.txt)
	[ "$(cat "$f")" = "o0" ]
	[ "$(cat "${f%-0.txt}-1.txt")" = "o1" ]
	[ "$(cat err-0.txt)" = "e0" ]
	[ "$(cat err-1.txt)" = "e1" ]
	srun -o both.txt sh -c 'echo a; echo b >&2'
	[ "$(sort both.txt | tr '\n' ' ')" = "a b " ]
}

@test "exit codes and signals are reported as Slurm reports them" {
	run srun -n2 sh -c 'exit $((SLURM_PROCID + 2))'
	[ "$status" -eq 3 ]
	[[ $output == *"task 0: Exited with exit code 2"* ]]
	[[ $output == *"task 1: Exited with exit code 3"* ]]
	run srun sh -c 'kill -9 $$'
	[ "$status" -eq 137 ]
	[[ $output =~ srun:\ error:\ node0[1-4]:\ task\ 0:\ Killed ]]
	run srun nosuchcommand-xyz
	[ "$status" -eq 2 ]
	[[ $output == *"slurmstepd: error: execve(): nosuchcommand-xyz: No such file or directory"* ]]
	# --kill-on-bad-exit ends the others at once
	run timeout 30 srun -n2 -K sh -c '[ $SLURM_PROCID = 1 ] && exit 4; sleep 60'
	[ "$status" -eq 143 ] || [ "$status" -eq 4 ]
	[[ $output == *"task 1: Exited with exit code 4"* ]]
	[[ $output == *"srun: Terminating StepId="* ]]
}

@test "Ctrl-C once prints the tasks' state, twice within a second cancels the step" {
	srun -n2 sleep 60 >cc.out 2>cc.err &
	pid=$!
	wait_until 10 sh -c "squeue -s -h -o %i | grep -q '\\.0\$'"
	kill -INT "$pid"
	wait_until 5 grep -q "interrupt (one more within 1 sec to abort)" cc.err
	pid_alive "$pid"
	grep -q "srun: StepId=[0-9]*.0 tasks 0-1: running" cc.err
	sleep 1.2
	kill -INT "$pid"
	sleep 0.2
	kill -INT "$pid"
	st=0
	wait "$pid" || st=$?
	[ "$st" -ne 0 ]
	grep -q "srun: sending Ctrl-C to StepId=" cc.err
	grep -q "CANCELLED AT" cc.err
	# SIGTERM is forwarded to the tasks
	srun sh -c 'trap "echo got TERM; exit 9" TERM; echo ready; while :; do sleep 0.1; done' >term.out 2>&1 &
	pid=$!
	wait_until 10 grep -qx ready term.out
	kill -TERM "$pid"
	st=0
	wait "$pid" || st=$?
	[ "$st" -eq 9 ]
	grep -qx "got TERM" term.out
}

@test "jobs run as the submitting user; others cannot touch their steps" {
	id herdtest >/dev/null 2>&1 || useradd -M -s /bin/sh herdtest
	run runuser -u herdtest -- srun -n2 id -un
	[ "$status" -eq 0 ]
	[ "$output" = "herdtest
herdtest" ]
	runuser -u herdtest -- srun sleep 30 &
	pid=$!
	wait_until 10 sh -c "squeue -s -h -u herdtest -o %i | grep -q '\\.0\$'"
	step=$(squeue -s -h -u herdtest -o %i | grep '\.0$' | head -n 1)
	run runuser -u nobody -- scancel "$step"
	[ "$status" -ne 0 ]
	[[ $output == *"Access/permission denied"* ]]
	scancel "${step%.0}"
	wait "$pid" || true
}

@test "another user cannot start steps in someone else's job" {
	cat >steps.sh <<'S'
#!/bin/bash
#SBATCH -n1
sleep 30
S
	id=$(submit steps.sh)
	wait_for_job_state "$id" RUNNING
	# another user may not start steps in this job
	id herdtest >/dev/null 2>&1 || useradd -M -s /bin/sh herdtest
	run runuser -u herdtest -- srun --jobid="$id" true
	[ "$status" -ne 0 ]
	[[ $output == *"Unable to create step for job $id: Access/permission denied"* ]]
	scancel "$id"
}

@test "salloc runs a command in the allocation; srun inside uses it" {
	run salloc -N2 sh -c 'echo "$SLURM_JOB_NODELIST $SLURM_NNODES"; srun -l hostname | sort; exit 5'
	[ "$status" -eq 5 ]
	[[ ${lines[0]} =~ ^salloc:\ Granted\ job\ allocation\ ([0-9]+)$ ]]
	id=${BASH_REMATCH[1]}
	[ "${lines[1]}" = "node[01-02] 2" ]
	[[ ${lines[2]} == "0: "* && ${lines[3]} == "1: "* ]]
	[ "${lines[4]}" = "salloc: Relinquishing job allocation $id" ]
	wait_acct_lines "$id" 2
	run sacct -n -P -j "$id" -o JobID,JobName,State
	[ "${lines[0]}" = "$id|sh|FAILED" ]
	[ "${lines[1]}" = "$id.0|hostname|COMPLETED" ]
	# a revoked allocation: the command is told
	salloc -n1 sleep 60 >rev.out 2>&1 &
	pid=$!
	wait_until 10 grep -q "Granted job allocation" rev.out
	aid=$(sed -n 's/.*Granted job allocation //p' rev.out)
	scancel "$aid"
	wait "$pid" || true
	grep -q "salloc: Job allocation $aid has been revoked." rev.out
	wait_for_job_state "$aid" CANCELLED
}

@test "an allocation that must wait says so; cancelled while waiting it is revoked" {
	cat >hog.sh <<'S'
#!/bin/bash
#SBATCH -N4 --exclusive
sleep 60
S
	hog=$(submit hog.sh)
	wait_for_job_state "$hog" RUNNING
	srun -n1 true 2>q.err &
	pid=$!
	wait_until 10 grep -q "queued and waiting for resources" q.err
	scancel "$hog"
	wait "$pid"
	grep -q "srun: job [0-9]* queued and waiting for resources" q.err
	grep -q "srun: job [0-9]* has been allocated resources" q.err
	hog=$(submit hog.sh)
	wait_for_job_state "$hog" RUNNING
	salloc -n1 true 2>w.err &
	pid=$!
	wait_until 10 grep -q "queued and waiting" w.err
	kill -TERM "$pid"
	st=0
	wait "$pid" || st=$?
	[ "$st" -eq 1 ]
	grep -q "salloc: Pending job allocation" w.err
	grep -q "salloc: Job allocation [0-9]* has been revoked." w.err
	scancel "$hog"
}

@test "the reference cluster's names: srun output matches golden 45 and 46 byte for byte" {
	[[ $(id -u) == 0 ]] || skip "node host names need root (UTS namespaces)"
	herd_extra_cluster_up --conf "$BATS_TEST_DIRNAME/../../../shared/seed/conf/slurm.conf" ||
		skip "the reference configuration is not available"
	eval "$(cat "$EXTRA_DIR/herd-up.out")"
	g=$BATS_TEST_DIRNAME/../../../shared/golden/slurm-22.05
	run sh -c 'srun -N2 hostname | sort'
	[ "$output" = "$(cat "$g/45-srun-N2-hostname.out")" ]
	run sh -c 'srun -n4 -l hostname | sort'
	[ "$output" = "$(cat "$g/46-srun-n4-hostname.out")" ]
	run srun
	[ "$output" = "$(cat "$g/104-err-srun-no-command.err")" ]
	# more nodes than the partition has: waits, revoked when srun is stopped
	run timeout 5 srun -N5 true
	[ "$status" -eq 124 ]
	[ "$(sed 's/job [0-9]*/job 25/; s/allocation [0-9]*/allocation 25/' <<<"$output")" = "$(cat "$g/103-err-srun-N5-timeout5.err")" ]
}

@test "--multi-prog runs a program per rank; --cpu-bind reaches the tasks' environment" {
	printf '# comment\n0 echo zero %%t\n1-2 echo "mid dle" %%t %%o\n* echo rest %%t\n' >mp.conf
	run srun -n4 -l --multi-prog mp.conf
	[ "$status" -eq 0 ]
	[ "$(sort <<<"$output")" = "0: zero 0
1: mid dle 1 0
2: mid dle 2 1
3: rest 3" ]
	printf '0 echo x\n' >bad.conf
	run srun -n2 --multi-prog bad.conf
	[ "$status" -eq 1 ]
	[[ $output == *"No executable program specified for this task (1)"* ]]
	run srun --cpu-bind=none sh -c 'echo "$SLURM_CPU_BIND|$SLURM_CPU_BIND_TYPE"'
	[ "$output" = "quiet,none|none" ]
}

@test "scancel -s signals the steps, not the batch shell; -b only the batch shell" {
	cat >sig.sh <<'S'
#!/bin/bash
#SBATCH -n1
trap 'echo batch got USR1 >>sig.out' USR1
srun --overlap sh -c 'trap "echo step got USR1 >>sig.out" USR1; touch ready; while :; do sleep 0.1; done' &
while :; do sleep 0.1; done
S
	id=$(submit sig.sh)
	wait_until 20 test -e ready
	scancel -s USR1 "$id"
	wait_until 10 grep -q "step got USR1" sig.out
	sleep 0.5
	! grep -q "batch got USR1" sig.out
	scancel -b -s USR1 "$id"
	wait_until 10 grep -q "batch got USR1" sig.out
	[ "$(grep -c "step got USR1" sig.out)" -eq 1 ]
	scancel "$id"
	wait_for_job_state "$id" CANCELLED
}

@test "--pty runs task 0 on a terminal of its own" {
	run sh -c "srun --pty sh -c 'test -t 0 && test -t 1 && echo tty; exit 4' </dev/null"
	[ "$status" -eq 4 ]
	[ "$(tr -d '\r' <<<"${lines[0]}")" = "tty" ]
	run srun sh -c 'test -t 1 || echo notty'
	[ "$output" = "notty" ]
}

@test "steps survive a controller kill -9: still listed, ids go on, all accounted" {
	cat >st.sh <<'S'
#!/bin/bash
#SBATCH -n2
srun -n1 true
srun -n1 sleep 4
srun -n1 true
S
	id=$(submit st.sh)
	wait_until 20 sh -c "squeue -s -h -j $id -o %i | grep -qx $id.1"
	pid=$(cat "$HERD_TEST_DIR/run/herdctld.pid")
	[ -n "$pid" ]
	kill -9 "$pid"
	while kill -0 "$pid" 2>/dev/null; do sleep 0.05; done
	"$HERD_BUILD_DIR/herdctld" -D -f "$HERD_TEST_DIR/slurm.conf" >>"$HERD_TEST_DIR/log/herdctld.out" 2>&1 &
	echo "$!" >>"$HERD_TEST_DIR/run/extra.pids"
	wait_until 20 sh -c "squeue -s -h -j $id -o %i | grep -qx $id.1"
	wait_for_job_state "$id" COMPLETED 60
	wait_acct_lines "$id" 5
	run sacct -n -P -j "$id" -o JobID,JobName,State
	[ "$output" = "$id|st.sh|COMPLETED
$id.batch|batch|COMPLETED
$id.0|true|COMPLETED
$id.1|sleep|COMPLETED
$id.2|true|COMPLETED" ]
}

@test "usage of each step and of the batch script goes to accounting (MaxRSS, MaxVMSize, CPU)" {
	cat >use.sh <<'S'
#!/bin/bash
srun python3 -c 'x = bytearray(80000000); sum(range(3000000))'
S
	command -v python3 >/dev/null || skip "python3 is not installed"
	id=$(submit use.sh)
	wait_for_job_state "$id" COMPLETED 60
	wait_until 20 sh -c "sacct -n -P -j $id.0 -o MaxRSS | grep -q K"
	run sacct -n -P --noconvert -j "$id.0" -o MaxRSS,MaxVMSize,TotalCPU
	IFS='|' read -r rss vm cpu <<<"$output"
	[ "${rss%K}" -ge 78000 ]
	[[ $vm =~ ^[0-9]+K$ ]]
	[ "$cpu" != "00:00:00" ] && [ "$cpu" != "00:00.000" ]
}

@test "sstat shows the usage of a running step; not to other users" {
	command -v python3 >/dev/null || skip "python3 is not installed"
	cat >stat.sh <<'S'
#!/bin/bash
#SBATCH -n2
srun python3 -c 'import time; x = bytearray(60000000); open("running", "w").close(); time.sleep(30)'
S
	id=$(submit stat.sh)
	wait_until 20 test -e running
	wait_until 20 sh -c "sstat -n -P -j $id -o jobid,ntasks | grep -qx '$id.0|2'"
	run sstat -n -P --noconvert -j "$id" -o jobid,maxrss,ntasks
	[ "$status" -eq 0 ]
	IFS='|' read -r jid rss n <<<"$output"
	[ "$jid" = "$id.0" ]
	[ "${rss%K}" -ge 58000 ]
	[ "$n" = 2 ]
	run sstat -a -n -P -j "$id" -o jobid
	[[ $output == *"$id.batch"* && $output == *"$id.0"* ]]
	id herdtest >/dev/null 2>&1 || useradd -M -s /bin/sh herdtest
	run runuser -u herdtest -- sstat -j "$id"
	[[ $output == *"Access/permission denied"* ]]
	run sstat
	[ "$status" -eq 1 ]
	[ "$output" = "sstat: error: You didn't give me any jobs to stat." ]
	scancel "$id"
}

@test "sstat answers while a step's supervisor is stopped, and herdd goes on serving" {
	command -v python3 >/dev/null || skip "python3 is not installed"
	cat >stopped.sh <<'S'
#!/bin/bash
#SBATCH -n1
srun python3 -c 'import os, time; open("task.pid", "w").write(str(os.getpid())); time.sleep(30)'
S
	id=$(submit stopped.sh)
	wait_until 20 test -s task.pid
	wait_until 20 sh -c "sstat -n -P -j $id.0 -o jobid | grep -qx '$id.0'"
	sup=$(ps -o ppid= -p "$(cat task.pid)" | tr -d ' ')
	[ -n "$sup" ] && [ "$sup" -gt 1 ]
	kill -STOP "$sup"
	# the supervisor cannot publish a fresh sample: sstat gets the last one
	run sstat -n -P -j "$id.0" -o jobid,ntasks
	kill -CONT "$sup"
	[ "$status" -eq 0 ]
	[ "$output" = "$id.0|1" ]
	kill -STOP "$sup"
	sstat -n -P -j "$id.0" -o jobid >sstat.out &
	spid=$!
	run srun -n1 echo served
	wait "$spid"
	kill -CONT "$sup"
	[ "$status" -eq 0 ]
	[ "$output" = served ]
	[ "$(cat sstat.out)" = "$id.0" ]
	scancel "$id"
}

# Skip unless this kernel and file system count what a process writes in
# /proc/<pid>/io (herdstepd's source of MaxDiskWrite): without
# write_bytes herd counts wchar, which any write moves; with it, a file
# system that does not count (tmpfs) would show 0.
require_io_accounting() {
	command -v python3 >/dev/null || skip "python3 is not installed"
	[ -r /proc/self/io ] || skip "/proc/<pid>/io is not readable here: no disk I/O accounting"
	python3 - <<'P' || skip "this file system does not count write_bytes in /proc/<pid>/io"
import os, sys
def wb():
    for l in open("/proc/self/io"):
        if l.startswith("write_bytes:"):
            return int(l.split()[1])
    return None
before = wb()
if before is None:
    sys.exit(0)
fd = os.open("iocheck", os.O_WRONLY | os.O_CREAT, 0o644)
os.write(fd, b"x" * 1048576)
os.fsync(fd)
os.close(fd)
os.unlink("iocheck")
sys.exit(0 if wb() - before >= 1048576 else 1)
P
}

@test "MaxDiskWrite, with the node and task that wrote, of a step where only task 1 writes 20 MB" {
	require_io_accounting
	run srun -N2 -n2 sh -c 'if [ $SLURM_PROCID = 1 ]; then
		echo $SLURM_JOB_ID $SLURMD_NODENAME >writer
		dd if=/dev/zero of=data bs=1M count=20 conv=fsync 2>/dev/null
	fi'
	[ "$status" -eq 0 ]
	read -r id node <writer
	wait_acct_lines "$id" 2
	run sacct -n -P --noconvert -j "$id.0" -o MaxDiskWrite,MaxDiskWriteNode,MaxDiskWriteTask,AveDiskWrite
	IFS='|' read -r max wnode task ave <<<"$output"
	[ "$max" -ge 20971520 ]
	[ "$wnode" = "$node" ]
	[ "$task" = 1 ]
	# the average over the 2 tasks: about half
	[ "$ave" -ge 10485760 ] && [ "$ave" -lt "$max" ]
	run sacct -n -P -j "$id.0" -o MaxDiskWrite
	[[ $output =~ ^[0-9.]+M$ ]]
	run sacct -n -P -j "$id" -o JobID,MaxDiskReadNode,MaxDiskReadTask,MinCPUNode
	[ "${lines[0]}" = "$id|||" ]
	[[ ${lines[1]} =~ ^$id\.0\|[a-z0-9-]+\|[01]\|[a-z0-9-]+$ ]]
}

@test "MaxRSS with the task that used the most memory (task 1 of 2) and its node" {
	command -v python3 >/dev/null || skip "python3 is not installed"
	run srun -n2 python3 -c '
import os, time
big = os.environ["SLURM_PROCID"] == "1"
if big:
    open("big", "w").write(os.environ["SLURM_JOB_ID"] + " " + os.environ["SLURMD_NODENAME"] + "\n")
x = bytearray(150000000 if big else 1000)
time.sleep(1.5)'
	[ "$status" -eq 0 ]
	read -r id node <big
	wait_acct_lines "$id" 2
	run sacct -n -P --noconvert -j "$id.0" -o MaxRSS,MaxRSSNode,MaxRSSTask,AveRSS,MaxVMSizeTask
	IFS='|' read -r rss rnode task ave vtask <<<"$output"
	[ "${rss%K}" -ge 140000 ]
	[ "$rnode" = "$node" ]
	[ "$task" = 1 ]
	[ "$vtask" = 1 ]
	# the other task used little: the average is about half
	[ "${ave%K}" -lt "${rss%K}" ]
}

@test "sstat shows the disk I/O of a running step with the task that wrote" {
	require_io_accounting
	cat >io.sh <<'S'
#!/bin/bash
#SBATCH -n2
srun sh -c 'if [ $SLURM_PROCID = 1 ]; then dd if=/dev/zero of=data bs=1M count=20 conv=fsync 2>/dev/null; fi; touch running.$SLURM_PROCID; sleep 30'
S
	id=$(submit io.sh)
	wait_until 20 test -e running.1
	wait_until 20 sh -c "sstat -n -P --noconvert -j $id.0 -o maxdiskwritetask | grep -qx 1"
	run sstat -n -P --noconvert -j "$id.0" -o jobid,maxdiskwrite,maxdiskwritenode,maxdiskwritetask,ntasks
	[ "$status" -eq 0 ]
	IFS='|' read -r jid max wnode task n <<<"$output"
	[ "$jid" = "$id.0" ]
	[ "$max" -ge 20971520 ]
	[ -n "$wnode" ]
	[ "$task" = 1 ]
	[ "$n" = 2 ]
	run sstat -e
	[[ $output == *MaxDiskWriteNode* && $output == *MinCPUTask* ]]
	scancel "$id"
}

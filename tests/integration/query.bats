#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# squeue, sinfo, scontrol and scancel against a real local cluster: the
# golden outputs of shared/golden/slurm-22.05 with the reference cluster's
# node names (axc-compute-NN) replaced by this cluster's (nodeNN), plus the
# error cases and exit codes.

load common

setup_file() {
	herd_cluster_up
}

teardown_file() {
	herd_cluster_down
}

setup() {
	require_daemons
	require_cmd sbatch squeue sinfo scontrol scancel
	WORK=$(mktemp -d "$HERD_TEST_DIR/work.XXXXXX")
	chmod 0777 "$WORK"
	cd "$WORK"
}

GOLDEN=$HERD_SHARED_DIR/golden/slurm-22.05

# golden FILE: the reference output with this cluster's node names
golden() {
	sed -e 's/axc-compute-/node/g' "$GOLDEN/$1"
}

submit() {
	local out
	out=$(sbatch --parsable "$@") || return 1
	echo "${out%%;*}"
}

@test "sinfo, sinfo -s, -N, -R and -p nope on an idle cluster match the golden files" {
	run sinfo
	[ "$status" -eq 0 ]
	[ "$output" = "$(golden 01-sinfo.out)" ]
	run sinfo -s
	[ "$output" = "$(golden 28-sinfo-s.out)" ]
	run sinfo -R
	[ "$output" = "$(golden 29-sinfo-R.out)" ]
	run sinfo -p nope
	[ "$status" -eq 0 ]
	[ "$output" = "$(golden 101-err-sinfo-p-nope.out)" ]
	# -N: the node list column is as wide as the longest name
	run sinfo -N
	[ "${lines[0]}" = "NODELIST   NODES PARTITION STATE " ]
	[ "${lines[1]}" = "node01         1  compute* idle  " ]
	run sinfo -l
	[ "${lines[1]}" = "PARTITION AVAIL  TIMELIMIT   JOB_SIZE ROOT OVERSUBS     GROUPS  NODES       STATE NODELIST" ]
	[ "${lines[2]}" = "compute*     up 1-00:00:00 1-infinite   no    YES:4        all      4        idle node[01-04]" ]
}

@test "squeue on an empty queue prints the header only" {
	run squeue
	[ "$status" -eq 0 ]
	[ "$output" = "$(golden 02-squeue.out)" ]
	run squeue -h -o "%i %T"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}

@test "a running job in squeue, squeue -l, squeue -s, sinfo and scontrol show job" {
	printf '#!/bin/bash\n#SBATCH --job-name=xs-test-job\n#SBATCH --ntasks=4\nsleep 30\n' >job.sh
	id=$(submit job.sh)
	wait_for_job_state "$id" RUNNING
	run squeue -h -j "$id" -o "%.18i %.9P %.8j %.2t %.6D %R"
	[ "$output" = "$(printf '%18s' "$id")   compute xs-test-  R      2 node[01-02]" ]
	run squeue -l
	[[ ${lines[0]} =~ ^[A-Z][a-z]{2}\ [A-Z][a-z]{2}\ [\ 0-9][0-9]\ [0-9:]{8}\ [0-9]{4}$ ]]
	[ "${lines[1]}" = "             JOBID PARTITION     NAME     USER    STATE       TIME TIME_LIMI  NODES NODELIST(REASON)" ]
	[[ ${lines[2]} == *"  RUNNING "*" 1-00:00:00      2 node[01-02]" ]]
	run squeue -h -o "%i %T" -j "$id"
	[ "$output" = "$id RUNNING" ]
	run squeue -s
	[ "${lines[0]}" = "         STEPID     NAME PARTITION     USER      TIME NODELIST" ]
	[[ $output == *"$id.batch    batch   compute"* ]]
	run sinfo
	[ "$output" = "$(golden 06-sinfo-running.out)" ]
	run scontrol show job "$id"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "JobId=$id JobName=xs-test-job" ]
	[[ $output == *"   JobState=RUNNING Reason=None Dependency=(null)"* ]]
	[[ $output == *"   NodeList=node[01-02]"* ]]
	[[ $output == *"   BatchHost=node01"* ]]
	[[ $output == *"   NumNodes=2 NumCPUs=4 NumTasks=4 CPUs/Task=1 ReqB:S:C:T=0:0:*:*"* ]]
	[[ $output == *"   StdOut=$WORK/slurm-$id.out"* ]]
	# -o: one line per record
	run scontrol -o show job "$id"
	[ "${#lines[@]}" -eq 1 ]
	[[ ${lines[0]} == "JobId=$id JobName=xs-test-job UserId="* ]]
	scancel "$id"
	wait_for_job_state "$id" CANCELLED
	# finished jobs: only with -t all or an explicit id
	run squeue -h
	[ -z "$output" ]
	run squeue -h -t all -o "%i %t"
	[[ $output == *"$id CA"* ]]
}

@test "held, released and cancelled pending jobs" {
	id=$(submit --hold --wrap=true)
	run squeue -h -j "$id" -o "%t %R %Q"
	[ "$output" = "PD (JobHeldUser) 0" ]
	run scontrol show job "$id"
	[[ $output == *"   Priority=0 "* ]]
	[[ $output == *"   NodeList="$'\n'"   NumNodes=1 "* ]]
	run scontrol release "$id"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	wait_for_job_state "$id" COMPLETED
	id=$(submit --hold --wrap=true)
	run scancel "$id"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	wait_for_job_state "$id" CANCELLED
	# cancelling a finished job is silent (22.05)
	run scancel "$id"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}

@test "scancel filters select from the job list" {
	a=$(submit --hold -J filt-a --wrap=true)
	b=$(submit --hold -J filt-b --wrap=true)
	run scancel --name=filt-a
	[ "$status" -eq 0 ]
	wait_for_job_state "$a" CANCELLED
	[ "$(job_state "$b")" = PENDING ]
	run scancel -v -n no-such-name
	[ "$status" -eq 0 ]
	[ "$output" = "scancel: error: No active jobs match ALL job filters, including: job_name=no-such-name " ]
	run scancel -t PENDING -u "$(id -un)"
	[ "$status" -eq 0 ]
	wait_for_job_state "$b" CANCELLED
}

@test "draining and resuming a node" {
	run scontrol update NodeName=node04 State=DRAIN Reason=golden-test
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	run sinfo
	[ "$output" = "$(golden 76-sinfo-drained.out)" ]
	run sinfo -R
	[ "${lines[0]}" = "REASON               USER      TIMESTAMP           NODELIST" ]
	[[ ${lines[1]} =~ ^golden-test\ {10}[a-z0-9_-]+\ +[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\ node04$ ]]
	run scontrol show node node04
	[[ $output == *"   State=IDLE+DRAIN ThreadsPerCore=1 "* ]]
	[[ $output == *"   Reason=golden-test ["*"@"*"]"* ]]
	run sinfo -N -l
	[[ ${lines[5]} == "node04         1  compute*     drained 2       2:1:1 "*" golden-test         " ]]
	run scontrol update NodeName=node04 State=DOWN
	[ "$status" -eq 1 ]
	[ "$output" = "You must specify a reason when DOWNING or DRAINING a node. Request denied" ]
	run scontrol update NodeName=node04 State=RESUME
	[ "$status" -eq 0 ]
	run sinfo
	[ "$output" = "$(golden 82-sinfo-resumed-3s-later.out)" ]
}

@test "errors: unknown job, node, partition; scancel without or with a bad id" {
	run squeue -j 999999
	[ "$status" -eq 1 ]
	[ "$output" = "$(cat "$GOLDEN/97-err-squeue-j-999999.err")" ]
	run scontrol show job 999999
	[ "$status" -eq 1 ]
	[ "$output" = "$(cat "$GOLDEN/98-err-scontrol-show-job-999999.err")" ]
	run scontrol show node nope
	[ "$status" -eq 1 ]
	[ "$output" = "$(golden 99-err-scontrol-show-node-nope.out)" ]
	run scontrol show partition nope
	[ "$status" -eq 1 ]
	[ "$output" = "$(golden 100-err-scontrol-show-partition-nope.out)" ]
	run scancel 999999
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	run scancel -v 999999
	[ "$status" -eq 0 ]
	[ "$output" = "$(cat "$GOLDEN/93-err-scancel-v-999999.err")" ]
	run scancel
	[ "$status" -eq 1 ]
	[ "$output" = "$(cat "$GOLDEN/95-err-scancel-noargs.err")" ]
	run scancel abc
	[ "$status" -eq 1 ]
	[ "$output" = "$(cat "$GOLDEN/96-err-scancel-bad-id.err")" ]
	SLURM_EXIT_ERROR=7 run scancel abc
	[ "$status" -eq 7 ]
}

@test "scontrol ping, show partition, show config, hostlists" {
	run scontrol ping
	[ "$status" -eq 0 ]
	[ "$output" = "Slurmctld(primary) at localhost is UP" ]
	run scontrol show partition
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "PartitionName=compute" ]
	[ "${lines[1]}" = "   AllowGroups=ALL AllowAccounts=ALL AllowQos=ALL" ]
	[ "${lines[6]}" = "   PriorityJobFactor=1 PriorityTier=1 RootOnly=NO ReqResv=NO OverSubscribe=YES:4" ]
	run scontrol show config
	[ "$status" -eq 0 ]
	[[ ${lines[0]} =~ ^Configuration\ data\ as\ of\ [0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}$ ]]
	[[ $output == *$'\nClusterName             = herd\n'* ]]
	[ "${lines[-1]}" = "Slurmctld(primary) at localhost is UP" ]
	run scontrol show hostnames "node[01-03]"
	[ "$output" = $'node01\nnode02\nnode03' ]
	run scontrol show hostlist "node03,node01,node02"
	[ "$output" = "node[03,01-02]" ]
	run scontrol show hostlistsorted "node03,node01,node02,node01"
	[ "$output" = "node[01-03]" ]
	run scontrol bogus
	[ "$status" -eq 1 ]
	[ "$output" = "invalid keyword: bogus" ]
}

@test "scontrol ping reports DOWN and exits 1 when the controller is unreachable" {
	sed -e "s/^SlurmctldPort=.*/SlurmctldPort=1/" "$SLURM_CONF" >"$WORK/down.conf"
	cp "$(dirname "$SLURM_CONF")"/herd.key "$WORK/" 2>/dev/null || true
	SLURM_CONF=$WORK/down.conf run scontrol ping
	[ "$status" -eq 1 ]
	[ "$output" = "Slurmctld(primary) at localhost is DOWN" ]
}

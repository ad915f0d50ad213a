#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# Dynamic node registration: with MaxNodeCount, a herdd started with -Z
# for a name slurm.conf does not have registers it; the node joins the
# Nodes=ALL partitions and, with Feature=compute in its --conf, the
# partition that names the nodeset of that feature (not the others), runs
# jobs, is refused beyond MaxNodeCount, is still known to a restarted
# controller (in the same partitions), and `scontrol delete NodeName=`
# removes it from every partition (the same name may register again).

load common

setup_file() {
	[[ -n ${HERD_BUILD_DIR:-} ]] || return 0
	# kept until teardown: herd up again (controller restart) reads it
	export DYN_CONF
	DYN_CONF=$(mktemp "${TMPDIR:-/tmp}/dynamic-conf.XXXXXX")
	cat >"$DYN_CONF" <<'C'
ClusterName=dynamic
SlurmctldHost=localhost
MaxNodeCount=3
NodeName=n1 CPUs=2
NodeSet=computeset Feature=compute
PartitionName=all Nodes=ALL Default=YES MaxTime=INFINITE State=UP
PartitionName=fixed Nodes=n1 MaxTime=INFINITE State=UP
PartitionName=compute Nodes=n1,computeset MaxTime=INFINITE State=UP
C
	herd_cluster_up --conf "$DYN_CONF"
}

teardown_file() {
	if [[ -n ${HERD_TEST_DIR:-} && -f $HERD_TEST_DIR/run/extra.pids ]]; then
		kill $(cat "$HERD_TEST_DIR/run/extra.pids") 2>/dev/null || true
	fi
	herd_cluster_down
	rm -f "${DYN_CONF:-}"
}

setup() {
	require_daemons
	require_cmd sbatch sinfo scontrol
	cd "$HERD_TEST_DIR"
}

# start_dynamic NAME SPEC: herdd -Z for NAME, logging to log/herdd-NAME.out;
# its pid in run/dyn-NAME.pid
start_dynamic() {
	"$HERD_BUILD_DIR/herdd" -D -f "$HERD_TEST_DIR/slurm.conf" -Z -N "$1" --conf "$2" \
	    >>"$HERD_TEST_DIR/log/herdd-$1.out" 2>&1 &
	echo "$!" >>"$HERD_TEST_DIR/run/extra.pids"
	echo "$!" >"$HERD_TEST_DIR/run/dyn-$1.pid"
}

stop_dynamic() { kill "$(cat "$HERD_TEST_DIR/run/dyn-$1.pid")"; }

node_is() { [[ $(sinfo -h -n "$1" -o %T 2>/dev/null | head -n 1) == "$2" ]]; }

@test "herdd -Z registers a node slurm.conf lacks; it joins the Nodes=ALL partition only" {
	start_dynamic dyn1 "CPUs=3 NodeAddr=127.0.0.1 Port=$((HERD_PORT + 100))"
	wait_until 20 node_is dyn1 idle
	run scontrol show node dyn1
	[[ $output == *"CPUTot=3"* ]]
	[[ $output == *"Partitions=all "* ]]
	run sinfo -h -p all -o %N
	[ "$output" = "dyn1,n1" ]
	run sinfo -h -p fixed -o %N
	[ "$output" = "n1" ]
	# no Feature=compute: not in the nodeset's partition
	run sinfo -h -p compute -o %N
	[ "$output" = "n1" ]
	run sbatch --parsable -w dyn1 --wrap 'hostname >/dev/null; echo on $SLURMD_NODENAME'
	[ "$status" -eq 0 ]
	id=${output%%;*}
	wait_for_job_state "$id" COMPLETED
	[ "$(cat "slurm-$id.out")" = "on dyn1" ]
}

@test "NodeSet Feature=compute: a dynamic node with the feature joins the compute partition and runs its jobs" {
	run scontrol show partition compute
	[[ $output == *" Nodes=n1"$'\n'* ]]
	[[ $output == *"TotalNodes=1 "* ]]
	start_dynamic dyn3 "CPUs=2 Feature=compute NodeAddr=127.0.0.1 Port=$((HERD_PORT + 103))"
	wait_until 20 node_is dyn3 idle
	run scontrol show node dyn3
	[[ $output == *"AvailableFeatures=compute"$'\n'* ]]
	[[ $output == *"ActiveFeatures=compute"$'\n'* ]]
	[[ $output == *"Partitions=all,compute "* ]]
	run sinfo -h -p compute -o %N
	[ "$output" = "dyn3,n1" ]
	run sinfo -h -p fixed -o %N
	[ "$output" = "n1" ]
	run scontrol show partition compute
	[[ $output == *" Nodes=n1,dyn3"$'\n'* ]]
	[[ $output == *"TotalCPUs=4 TotalNodes=2 "* ]]
	run sinfo -h -N -p compute -o '%N %f %b'
	[ "${#lines[@]}" -eq 2 ]
	[[ $output == *"dyn3 compute compute"* ]]
	[[ $output == *"n1 (null) (null)"* ]]
	# -C compute: only dyn3 has it
	run sbatch --parsable -p compute -C compute --wrap 'echo on $SLURMD_NODENAME'
	[ "$status" -eq 0 ]
	id=${output%%;*}
	wait_for_job_state "$id" COMPLETED
	[ "$(cat "slurm-$id.out")" = "on dyn3" ]
	run sbatch --parsable -p compute -w dyn3 --wrap 'echo on $SLURMD_NODENAME'
	[ "$status" -eq 0 ]
	id=${output%%;*}
	wait_for_job_state "$id" COMPLETED
	[ "$(cat "slurm-$id.out")" = "on dyn3" ]
	# a step reaches it too (the controller knows its NodeAddr and Port)
	run srun -p compute -C 'compute|none' -N1 printenv SLURMD_NODENAME
	[ "$status" -eq 0 ]
	[ "$output" = "dyn3" ]
	run sbatch -p compute -C nosuchfeature --wrap true
	[ "$status" -ne 0 ]
	[[ $output == *"Invalid feature specification"* ]]
}

@test "beyond MaxNodeCount a dynamic node is refused" {
	start_dynamic dyn2 "CPUs=1 NodeAddr=127.0.0.1 Port=$((HERD_PORT + 101))"
	wait_until 20 grep -q "registration from unknown node 'dyn2' (MaxNodeCount=3" "$HERD_TEST_DIR"/log/herdctld*
	run scontrol show node dyn2
	[ "$status" -ne 0 ]
	stop_dynamic dyn2
}

@test "a restarted controller still has the dynamic nodes, in their partitions" {
	"$HERD" down --dir "$HERD_TEST_DIR" >/dev/null
	"$HERD" up --dir "$HERD_TEST_DIR" >/dev/null
	wait_until 20 node_is dyn1 idle
	wait_until 20 node_is dyn3 idle
	run scontrol show node dyn1
	[[ $output == *"CPUTot=3"* ]]
	run sinfo -h -p all -o %N
	[ "$output" = "dyn[1,3],n1" ]
	run sinfo -h -p compute -o %N
	[ "$output" = "dyn3,n1" ]
	run scontrol show node dyn3
	[[ $output == *"AvailableFeatures=compute"$'\n'* ]]
	[[ $output == *"Partitions=all,compute "* ]]
	run sbatch --parsable -p compute -w dyn3 --wrap 'echo on $SLURMD_NODENAME'
	[ "$status" -eq 0 ]
	id=${output%%;*}
	wait_for_job_state "$id" COMPLETED
	[ "$(cat "slurm-$id.out")" = "on dyn3" ]
}

@test "scontrol delete removes an idle dynamic node; it may register again" {
	run scontrol delete NodeName=n1
	[ "$status" -ne 0 ]
	stop_dynamic dyn1
	run scontrol delete NodeName=dyn1
	[ "$status" -eq 0 ]
	run scontrol show node dyn1
	[ "$status" -ne 0 ]
	run sinfo -h -p all -o %N
	[ "$output" = "dyn3,n1" ]
	# the nodeset's node leaves the compute partition as cleanly
	stop_dynamic dyn3
	run scontrol delete NodeName=dyn3
	[ "$status" -eq 0 ]
	run sinfo -h -p compute -o %N
	[ "$output" = "n1" ]
	run scontrol show partition compute
	[[ $output == *" Nodes=n1"$'\n'* ]]
	[[ $output == *"TotalCPUs=2 TotalNodes=1 "* ]]
	run sinfo -h -p all -o %N
	[ "$output" = "n1" ]
	run sinfo -h -N -o %N
	[[ $output != *dyn1* && $output != *dyn3* ]]
	# still deleted for a restarted controller
	"$HERD" down --dir "$HERD_TEST_DIR" >/dev/null
	"$HERD" up --dir "$HERD_TEST_DIR" >/dev/null
	run scontrol show node dyn1
	[ "$status" -ne 0 ]
	run sinfo -h -p compute -o %N
	[ "$output" = "n1" ]
	start_dynamic dyn1 "CPUs=3 NodeAddr=127.0.0.1 Port=$((HERD_PORT + 102))"
	wait_until 20 node_is dyn1 idle
	run sinfo -h -p all -o %N
	[[ $output == *dyn1* ]]
}

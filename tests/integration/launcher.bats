#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# The launcher: herd up / status / env / down, the embedded defaults,
# --conf with the reference slurm.conf, a second up refused, down stopping
# exactly what up started, and the failure paths.

load common

setup_file() {
	herd_cluster_up
}

teardown_file() {
	herd_cluster_down
}

teardown() {
	herd_extra_cluster_down
	if [[ -n ${MUNGED_PID:-} ]]; then
		kill "$MUNGED_PID" 2>/dev/null || true
		wait "$MUNGED_PID" 2>/dev/null || true
	fi
	if [[ -n ${DECOY_PID:-} ]]; then
		kill "$DECOY_PID" 2>/dev/null || true
	fi
	if [[ -n ${SCRATCH_DIR:-} ]]; then
		if [[ -d $SCRATCH_DIR/run ]]; then
			"$HERD" down --dir "$SCRATCH_DIR" >/dev/null 2>&1 || true
		fi
		if [[ -f $SCRATCH_DIR/fake.pids ]]; then
			while read -r p; do kill -9 "$p" 2>/dev/null || true; done <"$SCRATCH_DIR/fake.pids"
		fi
		rm -rf "$SCRATCH_DIR"
	fi
}

# sha256 of the files a second herd up must leave alone
state_sum() {
	(cd "$1" && sha256sum slurm.conf run/herd.pids herd.key)
}

@test "herd without a command prints usage and exits 2" {
	[[ -x $HERD ]] || skip "herd is not built"
	run "$HERD"
	[ "$status" -eq 2 ]
	[[ $output == *"Usage: herd up"* ]]
	run "$HERD" frobnicate
	[ "$status" -eq 2 ]
	[[ $output == *"herd: unknown command 'frobnicate'"* ]]
}

@test "herd up rejects bad options before touching anything" {
	[[ -x $HERD ]] || skip "herd is not built"
	SCRATCH_DIR=$(herd_new_dir)
	run "$HERD" up --dir "$SCRATCH_DIR/c" --nodes 0
	[ "$status" -eq 2 ]
	[[ $output == *"invalid --nodes '0'"* ]]
	run "$HERD" up --dir "$SCRATCH_DIR/c" --conf "$HERD_SHARED_DIR/seed/conf/slurm.conf" --nodes 2
	[ "$status" -eq 2 ]
	[[ $output == *"do not apply with --conf"* ]]
	run "$HERD" down --dir "$SCRATCH_DIR/c" --nodes 2
	[ "$status" -eq 2 ]
	[ ! -e "$SCRATCH_DIR/c" ]
}

@test "herd up --conf with a missing file fails and starts nothing" {
	[[ -x $HERD ]] || skip "herd is not built"
	SCRATCH_DIR=$(herd_new_dir)
	run "$HERD" up --dir "$SCRATCH_DIR" --conf "$SCRATCH_DIR/nonexistent.conf"
	[ "$status" -eq 1 ]
	[[ $output == *"nonexistent.conf: No such file or directory"* ]]
	[ ! -e "$SCRATCH_DIR/run/herd.pids" ]
	[ ! -e "$SCRATCH_DIR/slurm.conf" ]
}

@test "herd status and herd down on a directory without a cluster" {
	[[ -x $HERD ]] || skip "herd is not built"
	SCRATCH_DIR=$(herd_new_dir)
	run "$HERD" status --dir "$SCRATCH_DIR"
	[ "$status" -eq 3 ]
	[ "$output" = "no cluster in $SCRATCH_DIR" ]
	run "$HERD" down --dir "$SCRATCH_DIR"
	[ "$status" -eq 0 ]
	[ "$output" = "herd: no cluster is running in $SCRATCH_DIR" ]
	run "$HERD" env --dir "$SCRATCH_DIR"
	[ "$status" -eq 1 ]
}

@test "herd down never signals a process that only reuses a recorded pid" {
	[[ -x $HERD ]] || skip "herd is not built"
	SCRATCH_DIR=$(herd_new_dir)
	mkdir -p "$SCRATCH_DIR/run"
	sleep 300 &
	DECOY_PID=$!
	# the decoy has the recorded pid but not the recorded start time
	echo "$DECOY_PID 1 herdd node01" >"$SCRATCH_DIR/run/herd.pids"
	run "$HERD" status --dir "$SCRATCH_DIR"
	[ "$status" -eq 3 ]
	[[ $output == *"herdd node01"*"$DECOY_PID"*"stopped"* ]]
	run "$HERD" down --dir "$SCRATCH_DIR"
	[ "$status" -eq 0 ]
	pid_alive "$DECOY_PID"
	[ ! -e "$SCRATCH_DIR/run/herd.pids" ]
}

@test "herd up writes the embedded defaults to DIR/slurm.conf" {
	require_daemons
	local c=$HERD_TEST_DIR/slurm.conf d=$HERD_TEST_DIR p=$HERD_PORT
	grep -qx "ClusterName=herd" "$c"
	grep -qx "SlurmctldHost=localhost(127.0.0.1)" "$c"
	grep -qx "SlurmctldPort=$p" "$c"
	grep -qx "AuthType=auth/slurm AuthInfo=key=$d/herd.key,socket=$d/auth.sock" "$c"
	grep -qx "StateSaveLocation=$d/state" "$c"
	grep -qx "SlurmdSpoolDir=$d/spool/%n" "$c"
	grep -qx "SelectType=select/cons_tres" "$c"
	grep -qx "ReturnToService=2" "$c"
	grep -Eqx "NodeName=node\[01-04\] NodeHostname=localhost NodeAddr=127.0.0.1 CPUs=2 RealMemory=[0-9]+ Port=\[$((p + 1))-$((p + 4))\]" "$c"
	grep -qx "PartitionName=compute Nodes=node\[01-04\] Default=YES MaxTime=24:00:00 State=UP OverSubscribe=YES" "$c"
	# accounting: herddbd on SQLite, on the port after the nodes'
	grep -qx "AccountingStorageType=accounting_storage/slurmdbd" "$c"
	grep -qx "AccountingStoragePort=$((p + 5))" "$c"
	grep -qx "StorageType=accounting_storage/sqlite" "$d/slurmdbd.conf"
	grep -qx "StorageLoc=$d/accounting.db" "$d/slurmdbd.conf"
	[ "$(stat -c %a "$d/slurmdbd.conf")" = 600 ]
	# the key is private to its owner
	[ "$(stat -c %a "$d/herd.key")" = 600 ]
}

@test "herd status lists herdctld and one running herdd per node" {
	require_daemons
	run "$HERD" status --dir "$HERD_TEST_DIR"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 7 ]
	[[ ${lines[1]} == herdctld*running ]]
	local i
	for i in 1 2 3 4; do
		[[ ${lines[$((i + 1))]} == "herdd node0$i"*running ]]
	done
	# the embedded accounting daemon
	[[ ${lines[6]} == herddbd*running ]]
	local pid
	for pid in $(herd_pids "$HERD_TEST_DIR"); do
		pid_alive "$pid"
	done
}

@test "herd env prints the line to paste" {
	require_daemons
	run "$HERD" env --dir "$HERD_TEST_DIR"
	[ "$status" -eq 0 ]
	[ "$output" = "export SLURM_CONF=$HERD_TEST_DIR/slurm.conf PATH=$HERD_BUILD_DIR:\$PATH" ]
}

@test "sinfo shows the four default nodes idle" {
	require_daemons
	require_cmd sinfo
	run sinfo -h -o "%P %D %t"
	[ "$status" -eq 0 ]
	[ "$output" = "compute* 4 idle" ]
}

@test "a second herd up on a running cluster is refused and changes nothing" {
	require_daemons
	local before
	before=$(state_sum "$HERD_TEST_DIR")
	run "$HERD" up --dir "$HERD_TEST_DIR" --port "$HERD_PORT" --nodes 2
	[ "$status" -eq 1 ]
	[ "$output" = "herd: a cluster is already running in $HERD_TEST_DIR (herd down to stop it)" ]
	[ "$(state_sum "$HERD_TEST_DIR")" = "$before" ]
	run "$HERD" status --dir "$HERD_TEST_DIR"
	[ "$status" -eq 0 ]
}

@test "herd up refuses ports another cluster listens on" {
	require_daemons
	SCRATCH_DIR=$(herd_new_dir)
	run "$HERD" up --dir "$SCRATCH_DIR" --port "$HERD_PORT"
	[ "$status" -eq 1 ]
	[[ $output == *"herd: port $HERD_PORT is already in use"* ]]
	[ ! -e "$SCRATCH_DIR/run/herd.pids" ]
	run "$HERD" status --dir "$HERD_TEST_DIR"
	[ "$status" -eq 0 ]
}

@test "herd up --nodes 2 --cpus 3 changes the shape" {
	require_daemons
	herd_extra_cluster_up --nodes 2 --cpus 3
	grep -Eqx "NodeName=node\[01-02\] NodeHostname=localhost NodeAddr=127.0.0.1 CPUs=3 RealMemory=[0-9]+ Port=\[$((EXTRA_PORT + 1))-$((EXTRA_PORT + 2))\]" "$EXTRA_DIR/slurm.conf"
	run "$HERD" status --dir "$EXTRA_DIR"
	[ "$status" -eq 0 ]
	# header, herdctld, 2 herdd, herddbd
	[ "${#lines[@]}" -eq 5 ]
	if command -v sinfo >/dev/null; then
		run env SLURM_CONF="$EXTRA_DIR/slurm.conf" sinfo -h -o "%P %D %c %t"
		[ "$status" -eq 0 ]
		[ "$output" = "compute* 2 3 idle" ]
	fi
	if command -v scontrol >/dev/null; then
		run env SLURM_CONF="$EXTRA_DIR/slurm.conf" scontrol show node node02
		[ "$status" -eq 0 ]
		[[ $output == *"CPUTot=3 "* ]]
		[[ $output == *"State=IDLE "* ]]
	fi
}

@test "herd down stops exactly the processes herd up recorded" {
	require_daemons
	herd_extra_cluster_up --nodes 2
	local pids
	pids=$(herd_pids "$EXTRA_DIR")
	[ "$(echo "$pids" | wc -l)" -eq 4 ]
	sleep 300 &
	DECOY_PID=$!
	run "$HERD" down --dir "$EXTRA_DIR"
	[ "$status" -eq 0 ]
	[ "$output" = "herd: stopped 4 daemons in $EXTRA_DIR" ]
	local pid
	for pid in $pids; do
		! pid_alive "$pid"
	done
	[ ! -e "$EXTRA_DIR/run/herd.pids" ]
	# bystanders: our own process and the file's cluster
	pid_alive "$DECOY_PID"
	for pid in $(herd_pids "$HERD_TEST_DIR"); do
		pid_alive "$pid"
	done
	run "$HERD" status --dir "$EXTRA_DIR"
	[ "$status" -eq 3 ]
}

@test "herd up --conf runs the reference cluster: compute and debug, 5 nodes idle" {
	require_daemons
	local ref=$HERD_SHARED_DIR/seed/conf/slurm.conf
	[ -r "$ref" ]
	herd_extra_cluster_up --conf "$ref"
	local c=$EXTRA_DIR/slurm.conf p=$EXTRA_PORT
	grep -qx "SlurmctldHost=axc-headnode(127.0.0.1)" "$c"
	grep -qx "SlurmctldPort=$p" "$c"
	grep -qx "ClusterName=docker-slurm-cluster" "$c"
	grep -qx "NodeName=axc-headnode CPUs=2 State=UNKNOWN NodeAddr=127.0.0.1 Port=$((p + 1))" "$c"
	grep -qx "NodeName=axc-compute-\[01-04\] CPUs=2 State=UNKNOWN NodeAddr=127.0.0.1 Port=\[$((p + 2))-$((p + 5))\]" "$c"
	grep -qx "SlurmctldLogFile=$EXTRA_DIR/log/herdctld.log" "$c"
	grep -qx "StateSaveLocation=$EXTRA_DIR/state" "$c"
	grep -q "^AuthType=auth/slurm AuthInfo=key=$EXTRA_DIR/herd.key" "$c"
	# everything else as the site wrote it
	grep -qx "PartitionName=debug Nodes=axc-headnode Default=No MaxTime=00:30:00 State=UP OverSubscribe=Yes" "$c"
	grep -qx "SelectType=select/cons_res" "$c"
	run "$HERD" status --dir "$EXTRA_DIR"
	[ "$status" -eq 0 ]
	[[ $output == *"herdd axc-headnode"*running* ]]
	[[ $output == *"herdd axc-compute-04"*running* ]]
	[ "${#lines[@]}" -eq 7 ]
	if command -v sinfo >/dev/null; then
		run env SLURM_CONF="$c" sinfo -h -o "%P %D %t"
		[ "$status" -eq 0 ]
		[ "${lines[0]}" = "compute* 4 idle" ]
		[ "${lines[1]}" = "debug 1 idle" ]
	fi
}

@test "herd up gives up on nodes that never register, says which, and stops what it started" {
	require_daemons
	SCRATCH_DIR=$(herd_new_dir)
	# a herd whose herdd never registers: the real controller, a fake node daemon
	mkdir "$SCRATCH_DIR/bin"
	cp "$HERD" "$SCRATCH_DIR/bin/herd"
	ln -s "$HERD_BUILD_DIR/herdctld" "$SCRATCH_DIR/bin/herdctld"
	cat >"$SCRATCH_DIR/bin/herdd" <<-EOF
		#!/bin/sh
		echo \$\$ >>"$SCRATCH_DIR/fake.pids"
		echo "fake herdd \$*"
		exec sleep 300
	EOF
	chmod +x "$SCRATCH_DIR/bin/herdd"
	local saved_port=$HERD_PORT saved_lock=$HERD_PORT_LOCK
	herd_reserve_ports
	local port=$HERD_PORT
	EXTRA_PORT_LOCK=$HERD_PORT_LOCK # released by teardown
	HERD_PORT=$saved_port HERD_PORT_LOCK=$saved_lock
	run "$SCRATCH_DIR/bin/herd" up --dir "$SCRATCH_DIR/c" --port "$port" --nodes 2 --timeout 1
	[ "$status" -eq 1 ]
	[[ $output == *"herd: nodes not ready after 1 s: node01 ("*") node02 ("*")"* ]]
	[[ $output == *"fake herdd -D -f $SCRATCH_DIR/c/slurm.conf -N node01"* ]]
	[ ! -e "$SCRATCH_DIR/c/run/herd.pids" ]
	local p
	while read -r p; do
		! pid_alive "$p"
	done <"$SCRATCH_DIR/fake.pids"
	[ "$(wc -l <"$SCRATCH_DIR/fake.pids")" -eq 2 ]
}

@test "herd up reports a daemon that dies at once, with its output, and stops the rest" {
	require_daemons
	SCRATCH_DIR=$(herd_new_dir)
	mkdir "$SCRATCH_DIR/bin"
	cp "$HERD" "$SCRATCH_DIR/bin/herd"
	ln -s "$HERD_BUILD_DIR/herdd" "$SCRATCH_DIR/bin/herdd"
	cat >"$SCRATCH_DIR/bin/herdctld" <<-EOF
		#!/bin/sh
		echo "herdctld: fatal: cannot start (test)"
		exit 3
	EOF
	chmod +x "$SCRATCH_DIR/bin/herdctld"
	local saved_port=$HERD_PORT saved_lock=$HERD_PORT_LOCK
	herd_reserve_ports
	local port=$HERD_PORT
	EXTRA_PORT_LOCK=$HERD_PORT_LOCK # released by teardown
	HERD_PORT=$saved_port HERD_PORT_LOCK=$saved_lock
	run "$SCRATCH_DIR/bin/herd" up --dir "$SCRATCH_DIR/c" --port "$port" --nodes 2
	[ "$status" -eq 1 ]
	[[ $output == *"herd: herdctld exited with status 3"* ]]
	[[ $output == *"herdctld: fatal: cannot start (test)"* ]]
	[[ $output == *"herd: stopped the 3 daemons herd up started"* ]]
	[ ! -e "$SCRATCH_DIR/c/run/herd.pids" ]
}

@test "herd up --conf FILE --munge keeps auth/munge (against a private munged)" {
	require_daemons
	local munged=/usr/sbin/munged
	[[ -x $munged ]] || munged=$(command -v munged) || skip "munged is not installed"
	SCRATCH_DIR=$(herd_new_dir)
	local m=$SCRATCH_DIR/munge
	mkdir -m 0700 "$m"
	head -c 128 /dev/urandom >"$m/munge.key"
	chmod 0400 "$m/munge.key"
	"$munged" -F -f --key-file="$m/munge.key" --socket="$m/munge.sock" --pid-file="$m/munged.pid" \
	    --log-file="$m/munged.log" --seed-file="$m/munged.seed" >"$m/munged.out" 2>&1 3>&- &
	MUNGED_PID=$!
	wait_until 10 test -S "$m/munge.sock"
	cat >"$SCRATCH_DIR/site.conf" <<-EOF
		ClusterName=MungeTest
		SlurmctldHost=head
		AuthType=auth/munge
		AuthInfo=socket=$m/munge.sock
		NodeName=n[1-2] CPUs=1
		PartitionName=all Nodes=ALL Default=YES
	EOF
	herd_extra_cluster_up --conf "$SCRATCH_DIR/site.conf" --munge
	grep -qx "AuthType=auth/munge" "$EXTRA_DIR/slurm.conf"
	grep -qx "AuthInfo=socket=$m/munge.sock" "$EXTRA_DIR/slurm.conf"
	[ ! -e "$EXTRA_DIR/herd.key" ]
	run "$HERD" status --dir "$EXTRA_DIR"
	[ "$status" -eq 0 ]
	if command -v sinfo >/dev/null; then
		run env SLURM_CONF="$EXTRA_DIR/slurm.conf" sinfo -h -o "%P %D %t"
		[ "$status" -eq 0 ]
		[ "$output" = "all* 2 idle" ]
	fi
}

@test "jobs keep running across herd down; herd up comes back at once and reports them" {
	require_daemons
	require_cmd sbatch squeue scancel
	herd_extra_cluster_up --nodes 2
	export SLURM_CONF=$EXTRA_DIR/slurm.conf
	cd "$EXTRA_DIR"
	local id
	id=$(sbatch --parsable -o /dev/null --wrap='sleep 300')
	wait_for_job_state "$id" RUNNING
	run "$HERD" down --dir "$EXTRA_DIR"
	[ "$status" -eq 0 ]
	# the same cluster comes back (options of the last herd up), and the
	# node that runs the job is busy: herd up must not wait for it to be idle
	run "$HERD" up --dir "$EXTRA_DIR" --timeout 20
	[ "$status" -eq 0 ]
	[[ $output == *"herd: as the last herd up in $EXTRA_DIR: --nodes 2 --cpus 2 --port $EXTRA_PORT"* ]]
	[[ $output == *"2 nodes up (1 idle, the others run jobs from before)"* ]]
	[ "$(job_state "$id")" = RUNNING ]
	scancel "$id"
	wait_for_job_state "$id" CANCELLED
}

@test "herd up after herd down: the last options unless new ones are given" {
	require_daemons
	herd_extra_cluster_up --conf "$HERD_SHARED_DIR/seed/conf/slurm.conf"
	"$HERD" down --dir "$EXTRA_DIR"
	run "$HERD" up --dir "$EXTRA_DIR"
	[ "$status" -eq 0 ]
	[[ $output == *"herd: as the last herd up in $EXTRA_DIR: --conf "*"/seed/conf/slurm.conf --port $EXTRA_PORT"* ]]
	grep -qx "ClusterName=docker-slurm-cluster" "$EXTRA_DIR/slurm.conf"
	"$HERD" down --dir "$EXTRA_DIR"
	# a new shape on the command line wins (the port is still the last one)
	run "$HERD" up --dir "$EXTRA_DIR" --nodes 3
	[ "$status" -eq 0 ]
	[[ $output == *"herd: as the last herd up in $EXTRA_DIR: --port $EXTRA_PORT"* ]]
	grep -qx "ClusterName=herd" "$EXTRA_DIR/slurm.conf"
	run "$HERD" status --dir "$EXTRA_DIR"
	[ "$status" -eq 0 ]
	# header, herdctld, 3 herdd, herddbd
	[ "${#lines[@]}" -eq 6 ]
}

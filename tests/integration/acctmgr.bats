#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# sacctmgr and associations end to end (issue 4, SQLite backend): the
# cluster registers itself with herddbd, the bootstrap tools run
# (add cluster / account / user, show assoc), AccountingStorageEnforce=
# associations checks sbatch -A against what sacctmgr stored, and only
# administrators may change anything.

load common

setup_file() {
	herd_have_daemons || return 0
	[[ -x $HERD_BUILD_DIR/herddbd && -x $HERD_BUILD_DIR/sacctmgr ]] || return 0
	acct_cluster_up MgrTest AccountingStorageEnforce=associations,limits
	acct_dbd_conf StorageType=accounting_storage/sqlite "StorageLoc=$HERD_TEST_DIR/accounting.db"
	acct_start_dbd
	if [[ $(id -u) -eq 0 ]]; then
		id herdtest >/dev/null 2>&1 || useradd -M -s /bin/sh herdtest
		id herdtest2 >/dev/null 2>&1 || useradd -M -s /bin/sh herdtest2
	fi
}

teardown_file() {
	if [[ -n ${HERD_TEST_DIR:-} && -f $HERD_TEST_DIR/run/extra.pids ]]; then
		kill $(cat "$HERD_TEST_DIR/run/extra.pids") 2>/dev/null || true
	fi
	herd_cluster_down
}

setup() {
	require_daemons
	require_cmd herddbd sacctmgr sacct sbatch scontrol
	cd "$HERD_TEST_DIR"
}

need_root() {
	[ "$(id -u)" -eq 0 ] || skip "needs root to run commands as another user"
}

cluster_registered() {
	sacctmgr -n -P show cluster format=cluster 2>/dev/null | grep -qx mgrtest
}

# controller_connections: how often a controller has connected to herddbd
controller_connections() {
	grep -c "controller of cluster mgrtest connected" "$HERD_TEST_DIR/log/herddbd.log" 2>/dev/null || true
}

# restart_dbd: a new herddbd, and the controller connected to it again
# (until then, association changes do not reach the controller)
restart_dbd() {
	local before
	before=$(controller_connections)
	acct_start_dbd
	wait_until 20 sh -c "[ \$(grep -c 'controller of cluster mgrtest connected' '$HERD_TEST_DIR/log/herddbd.log') -gt $before ]"
}

ctld_port() {
	sed -n 's/^SlurmctldPort=//Ip' "$SLURM_CONF" | head -n 1
}

@test "the cluster registers itself with ControlHost/ControlPort, the root account and root's association" {
	wait_until 20 cluster_registered
	run sacctmgr -n -P show cluster format=cluster,controlhost,controlport,rpc,share,qos
	[ "$status" -eq 0 ]
	[ "$output" = "mgrtest|127.0.0.1|$(ctld_port)|9728|1|normal" ]
	run sacctmgr show assoc format=cluster,account,user,share,qos
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "   Cluster    Account       User     Share                  QOS " ]
	[ "${lines[2]}" = "   mgrtest       root                    1               normal " ]
	[ "${lines[3]}" = "   mgrtest       root       root         1               normal " ]
	[ "${#lines[@]}" -eq 4 ]
	run sacctmgr -n -P show qos format=name
	[ "$output" = "normal" ]
}

@test "root's jobs get Account=root by default, in squeue, scontrol and sacct" {
	wait_until 20 cluster_registered
	id=$(sbatch --parsable --wrap true)
	id=${id%%;*}
	run scontrol show job "$id"
	[[ $output == *" Account=root QOS=normal"* ]]
	wait_for_job_state "$id" COMPLETED
	run squeue -h -t all -j "$id" -o %a
	[ "$output" = "root" ]
	for _ in $(seq 200); do
		[[ -n $(sacct -n -P -X -j "$id" -o account 2>/dev/null) ]] && break
		sleep 0.05
	done
	run sacct -n -P -X -j "$id" -o account,qos
	[ "$output" = "root|normal" ]
}

@test "bootstrap used by tools: add cluster, account, user, then show assoc" {
	need_root
	wait_until 20 cluster_registered
	run sacctmgr -i add cluster other
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf ' Adding Cluster(s)\n  Name           = other')" ]
	run sacctmgr -i add cluster other
	[ "$status" -eq 1 ]
	[ "$output" = "$(printf ' This cluster other already exists.  Not adding.\n Nothing new added.')" ]
	run sacctmgr -i add account Physics Cluster=mgrtest Description="physics dept"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = " Adding Account(s)" ]
	[ "${lines[1]}" = "  physics" ]
	[ "${lines[2]}" = "  Description     = physics dept" ]
	[ "${lines[5]}" = "  A = physics    C = mgrtest   " ]
	run sacctmgr -i add user herdtest Account=physics
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = " Adding User(s)" ]
	[ "${lines[2]}" = "  Default Account = physics" ]
	[ "${lines[4]}" = "  U = herdtest  A = physics    C = mgrtest   " ]
	run sacctmgr -n -P show assoc where user=herdtest format=account
	[ "$status" -eq 0 ]
	[ "$output" = "physics" ]
	run sacctmgr -n -P show account where name=physics
	[ "$output" = "physics|physics dept|physics" ]
	run sacctmgr -n -P show user herdtest
	[ "$output" = "herdtest|physics|None" ]
	# the tables are stored: a restarted herddbd still has them
	kill "$(cat "$HERD_TEST_DIR/run/herddbd.pid")"
	while pid_alive "$(cat "$HERD_TEST_DIR/run/herddbd.pid")"; do sleep 0.05; done
	restart_dbd
	run sacctmgr -n -P show assoc where user=herdtest format=cluster,account,user
	[ "$output" = "mgrtest|physics|herdtest" ]
}

@test "enforcement: a bad -A and a user without association are refused; the default account is used" {
	need_root
	wait_until 20 cluster_registered
	run sbatch -A nosuch --wrap true
	[ "$status" -eq 1 ]
	[ "$output" = "sbatch: error: Batch job submission failed: Invalid account or account/partition combination specified" ]
	# root has no association with physics
	run sbatch -A physics --wrap true
	[ "$status" -eq 1 ]
	[ "$output" = "sbatch: error: Batch job submission failed: Invalid account or account/partition combination specified" ]
	run runuser -u herdtest2 -- sbatch --wrap true
	[ "$status" -eq 1 ]
	[ "$output" = "sbatch: error: Batch job submission failed: Invalid account or account/partition combination specified" ]
	# herdtest: -A PHYSICS is physics; no -A is the default account
	run runuser -u herdtest -- sbatch --parsable -A PHYSICS -o /dev/null --wrap true
	[ "$status" -eq 0 ]
	id=${output%%;*}
	run scontrol show job "$id"
	[[ $output == *" Account=physics "* ]]
	run runuser -u herdtest -- sbatch --parsable -o /dev/null --wrap true
	[ "$status" -eq 0 ]
	id=${output%%;*}
	run scontrol show job "$id"
	[[ $output == *" Account=physics "* ]]
	# a QOS the association does not allow
	run runuser -u herdtest -- sbatch --qos=gold -o /dev/null --wrap true
	[ "$status" -eq 1 ]
	[ "$output" = "sbatch: error: Batch job submission failed: Invalid qos specification" ]
	# a new association is used at once: herddbd tells the controller
	sacctmgr -i add user herdtest2 Account=physics >/dev/null
	run runuser -u herdtest2 -- sbatch --parsable -o /dev/null --wrap true
	[ "$status" -eq 0 ]
	# and a removed one is refused at once
	sacctmgr -i delete user herdtest2 >/dev/null
	run runuser -u herdtest2 -- sbatch -o /dev/null --wrap true
	[ "$status" -eq 1 ]
}

@test "an ordinary user may look but not change; an AdminLevel=Admin user may" {
	need_root
	wait_until 20 cluster_registered
	run runuser -u herdtest -- sacctmgr -i add account chem
	[ "$status" -eq 1 ]
	[[ $output == *"sacctmgr: error: Your user doesn't have privilege to perform this action"* ]]
	[[ $output == *" Problem adding accounts: Access/permission denied"* ]]
	run runuser -u herdtest -- sacctmgr -i delete user herdtest
	[ "$status" -eq 1 ]
	[[ $output == *" Error with request: Access/permission denied"* ]]
	run runuser -u herdtest -- sacctmgr -n -P show assoc where user=herdtest format=account
	[ "$status" -eq 0 ]
	[ "$output" = "physics" ]
	run sacctmgr -i modify user where name=herdtest set adminlevel=admin
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf ' Modified users...\n  herdtest')" ]
	run runuser -u herdtest -- sacctmgr -i add account chem
	[ "$status" -eq 0 ]
	run sacctmgr -n -P show user herdtest format=user,admin
	[ "$output" = "herdtest|Administrator" ]
}

@test "without -i the change waits for y; anything else discards it" {
	wait_until 20 cluster_registered
	run sacctmgr add account bio <<<"n"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = " Adding Account(s)" ]
	[[ $output == *$'\nWould you like to commit changes? (You have 30 seconds to decide)\n(N/y):  Changes Discarded' ]]
	[ -z "$(sacctmgr -n -P show account where name=bio)" ]
	run sacctmgr add account bio <<<"y"
	[ "$status" -eq 0 ]
	[ "$(sacctmgr -n -P show account where name=bio format=account)" = "bio" ]
	run sacctmgr -i delete account where name=bio
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf ' Deleting accounts...\n  bio')" ]
	run sacctmgr -i delete account where name=bio
	[ "$status" -eq 1 ]
	[ "$output" = " Nothing deleted" ]
}

@test "bad input gets Slurm's errors" {
	wait_until 20 cluster_registered
	run sacctmgr show assoc format=account,nosuch
	[ "$status" -eq 1 ]
	[ "$output" = "Unknown field 'nosuch'" ]
	run sacctmgr show assoc where color=red
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = " Unknown condition: color=red" ]
	run sacctmgr -i add user nobody1 Account=nosuch
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = " This account 'nosuch' doesn't exist." ]
	run sacctmgr -i modify account where name=root set color=red
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = " Unknown option: color=red" ]
	run sacctmgr frobnicate user
	[ "$status" -eq 1 ]
	[ "$output" = "invalid keyword: frobnicate" ]
	# herddbd is still there
	run sacctmgr -n -P show cluster format=cluster
	[[ $output == *mgrtest* ]]
}

@test "a controller restarted while herddbd is down still checks accounts (assoc.cache)" {
	need_root
	wait_until 20 cluster_registered
	kill "$(cat "$HERD_TEST_DIR/run/herddbd.pid")"
	while pid_alive "$(cat "$HERD_TEST_DIR/run/herddbd.pid")"; do sleep 0.05; done
	pid=$(cat "$HERD_TEST_DIR/run/herdctld.pid")
	kill -9 "$pid"
	while pid_alive "$pid"; do sleep 0.05; done
	"$HERD_BUILD_DIR/herdctld" -D -f "$HERD_TEST_DIR/slurm.conf" >>"$HERD_TEST_DIR/log/herdctld.out" 2>&1 &
	echo "$!" >>"$HERD_TEST_DIR/run/extra.pids"
	wait_until 20 scontrol ping
	run sbatch -A nosuch --wrap true
	[ "$status" -eq 1 ]
	[ "$output" = "sbatch: error: Batch job submission failed: Invalid account or account/partition combination specified" ]
	run runuser -u herdtest -- sbatch --parsable -o /dev/null --wrap true
	[ "$status" -eq 0 ]
	id=${output%%;*}
	run scontrol show job "$id"
	[[ $output == *" Account=physics "* ]]
	restart_dbd
}

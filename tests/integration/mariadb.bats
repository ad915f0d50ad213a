#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# Accounting through the whole chain on MariaDB (issue 4): herdctld ->
# herddbd -> a private mariadbd started here.  The database goes away
# during a stream of jobs and comes back: every job is stored once, with
# its fields, and herddbd says clearly what happened.

load common

# md_up [extra mariadbd options]
md_up() {
	mariadbd --no-defaults --datadir="$MD_DIR/data" --socket="$MD_DIR/sock" --pid-file="$MD_DIR/pid" \
		--log-error="$MD_DIR/mariadb.log" --port="$MD_PORT" --bind-address=127.0.0.1 \
		$([[ $(id -u) == 0 ]] && echo --user=root) --skip-name-resolve \
		--innodb-flush-log-at-trx-commit=2 "$@" >/dev/null 2>&1 &
	MD_PID=$!
	echo "$MD_PID" >"$MD_DIR/md.pid"
	local i
	for ((i = 0; i < 1500; i++)); do
		mariadb-admin --no-defaults -h 127.0.0.1 -P "$MD_PORT" -u root ping >/dev/null 2>&1 && return 0
		kill -0 "$MD_PID" 2>/dev/null || return 1
		sleep 0.02
	done
	return 1
}

md_down() {
	local pid
	pid=$(cat "$MD_DIR/md.pid" 2>/dev/null) || return 0
	kill "$pid" 2>/dev/null || return 0
	while kill -0 "$pid" 2>/dev/null; do sleep 0.05; done
}

setup_file() {
	herd_have_daemons || return 0
	[[ -x $HERD_BUILD_DIR/herddbd && -x $HERD_BUILD_DIR/sacct ]] || return 0
	command -v mariadbd >/dev/null && command -v mariadb-install-db >/dev/null &&
		command -v mariadb-admin >/dev/null || return 0
	herd_reserve_ports
	HERD_TEST_DIR=$(herd_new_dir)
	export HERD_TEST_DIR
	MD_DIR=$HERD_TEST_DIR/mariadb
	MD_PORT=$((HERD_PORT + 110))
	export MD_DIR MD_PORT
	mkdir -p "$MD_DIR"
	mariadb-install-db --no-defaults --datadir="$MD_DIR/data" $([[ $(id -u) == 0 ]] && echo --user=root) \
		--auth-root-authentication-method=normal --skip-test-db >"$MD_DIR/install.log" 2>&1 || return 0
	md_up --skip-grant-tables || return 0
	acct_cluster_up mdtest
	acct_dbd_conf StorageType=accounting_storage/mysql StorageHost=127.0.0.1 "StoragePort=$MD_PORT" \
		StorageUser=root StorageLoc=herd_mdtest
	acct_start_dbd
	touch "$HERD_TEST_DIR/ready"
}

teardown_file() {
	if [[ -n ${HERD_TEST_DIR:-} && -f $HERD_TEST_DIR/run/extra.pids ]]; then
		kill $(cat "$HERD_TEST_DIR/run/extra.pids") 2>/dev/null || true
	fi
	[[ -n ${MD_DIR:-} ]] && md_down
	herd_cluster_down
}

setup() {
	require_daemons
	require_cmd herddbd sacct sbatch
	[[ -e ${HERD_TEST_DIR:-/nonexistent}/ready ]] ||
		skip "no private MariaDB server could be started (mariadb-server not installed?)"
	cd "$HERD_TEST_DIR"
}

# until sacct lists N jobs (allocations), each once
wait_jobs() {
	local n
	for _ in $(seq 600); do
		n=$(sacct -a -X -n -P -o jobid -S 2000-01-01 2>/dev/null | sort -u | wc -l)
		[[ $n -eq $1 ]] && return 0
		sleep 0.05
	done
	echo "sacct lists $n jobs, not $1" >&2
	return 1
}

@test "MariaDB stops during a stream of jobs and returns: every job stored once, with its fields" {
	for i in $(seq 5); do sbatch -o /dev/null --wrap "exit $((i % 2))" >/dev/null; done
	wait_jobs 5
	md_down
	# the database is gone: jobs go on, their rows wait in the controller's queue
	ids=()
	for i in $(seq 15); do ids+=("$(sbatch --parsable -J "gap$i" -o /dev/null --wrap "exit $((i % 3))")"); done
	while [[ -n $(squeue -h -o %i) ]]; do sleep 0.05; done
	run sacct -a -X -n -P -o jobid -S 2000-01-01
	[ "$status" -ne 0 ] || [ "$(wc -l <<<"$output")" -le 5 ]
	md_up --skip-grant-tables
	wait_jobs 20
	# nothing twice, and the fields of the jobs that waited are right
	[ "$(sacct -a -X -n -P -o jobid -S 2000-01-01 | wc -l)" -eq 20 ]
	for i in $(seq 15); do
		id=${ids[$((i - 1))]%%;*}
		want=$([[ $((i % 3)) == 0 ]] && echo "COMPLETED|0:0" || echo "FAILED|$((i % 3)):0")
		run sacct -n -P -X -j "$id" -o jobname,state,exitcode
		[ "$output" = "gap$i|$want" ]
		run sacct -n -P -j "$id.batch" -o jobid
		[ "$output" = "$id.batch" ]
	done
	# herddbd said what happened: one line when the outage began, one when it ended
	log=$HERD_TEST_DIR/log/herddbd.log
	[ "$(grep -c "connection to the database lost" "$log")" -eq 1 ]
	[ "$(grep -c "job record(s) failed" "$log")" -eq 1 ]
	grep -q "herdctld keeps them until it works" "$log"
	grep -q "reconnected to the database at 127.0.0.1:$MD_PORT" "$log"
	grep -q "storing job records works again" "$log"
}

@test "a database that refuses the password: one clear line, herddbd waits, jobs queue; a fixed password file is taken" {
	wait_jobs 20
	# this herddbd goes; the database now checks passwords (root has none)
	kill "$(head -n 1 "$HERD_TEST_DIR/run/extra.pids")"
	while (exec 3<>"/dev/tcp/127.0.0.1/$DBD_PORT") 2>/dev/null; do sleep 0.05; done
	md_down
	md_up
	log=$HERD_TEST_DIR/log/herddbd2.log
	echo wrong >"$HERD_TEST_DIR/pass"
	sed -e "s|^LogFile=.*|LogFile=$log|" "$HERD_TEST_DIR/slurmdbd.conf" >"$HERD_TEST_DIR/slurmdbd2.conf"
	echo "StoragePass=file:$HERD_TEST_DIR/pass" >>"$HERD_TEST_DIR/slurmdbd2.conf"
	chmod 0600 "$HERD_TEST_DIR/slurmdbd2.conf"
	"$HERD_BUILD_DIR/herddbd" -D -vv -f "$HERD_TEST_DIR/slurmdbd2.conf" >>"$HERD_TEST_DIR/log/herddbd.out" 2>&1 &
	echo "$!" >>"$HERD_TEST_DIR/run/extra.pids"
	# refused, retried (a debug line), said once at warning level
	for _ in $(seq 400); do
		grep -q "failed again" "$log" 2>/dev/null && break
		sleep 0.05
	done
	grep -q "failed again" "$log" || { cat "$log" "$HERD_TEST_DIR/log/herddbd.out" >&2; false; }
	[ "$(grep -c "Access denied" "$log")" -ge 2 ]
	[ "$(grep -v debug "$log" | grep -c "Access denied")" -eq 1 ]
	grep -v debug "$log" | grep "Access denied" | grep -q "retrying until it works"
	# meanwhile jobs run and the controller keeps their records
	id=$(sbatch --parsable -J pw -o /dev/null --wrap true)
	while [[ -n $(squeue -h -o %i) ]]; do sleep 0.05; done
	# the password is fixed in its file (empty: root has none): taken at the next try
	: >"$HERD_TEST_DIR/pass"
	wait_jobs 21
	grep -q "the database answers after" "$log"
	run sacct -n -P -X -j "$id" -o jobname,state,exitcode
	[ "$output" = "pw|COMPLETED|0:0" ]
}

#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# Accounting end to end (issue 4, SQLite backend): herdctld sends every
# job's row to herddbd as it changes; while herddbd is down (or the
# controller crashes meanwhile) the rows wait on disk, and when it returns
# every job is there exactly once.

load common

setup_file() {
	herd_have_daemons || return 0
	[[ -x $HERD_BUILD_DIR/herddbd && -x $HERD_BUILD_DIR/sacct ]] || return 0
	acct_cluster_up acctest
	acct_dbd_conf StorageType=accounting_storage/sqlite "StorageLoc=$HERD_TEST_DIR/accounting.db"
	# a job the fresh controller takes before it has heard from herddbd
	sbatch --parsable --hold -J early --wrap true >"$HERD_TEST_DIR/early.id"
	acct_start_dbd
}

teardown_file() {
	if [[ -n ${HERD_TEST_DIR:-} && -f $HERD_TEST_DIR/run/extra.pids ]]; then
		kill $(cat "$HERD_TEST_DIR/run/extra.pids") 2>/dev/null || true
	fi
	herd_cluster_down
}

setup() {
	require_daemons
	require_cmd herddbd sacct sbatch squeue
	cd "$HERD_TEST_DIR"
}

# wait until sacct lists exactly N jobs (allocations only)
wait_sacct_jobs() {
	local n
	for _ in $(seq 400); do
		n=$(sacct -a -X -n -P -o jobid 2>/dev/null | wc -l)
		[[ $n -eq $1 ]] && return 0
		sleep 0.05
	done
	echo "sacct lists $n jobs, not $1" >&2
	sacct -a -X >&2
	return 1
}

@test "a job taken before the controller had association data gets its user's default account" {
	id=$(cat "$HERD_TEST_DIR/early.id")
	for _ in $(seq 200); do
		scontrol show job "$id" | grep -q "Account=root " && break
		sleep 0.05
	done
	scontrol show job "$id" | grep -q "Account=root QOS=normal"
	for _ in $(seq 200); do
		[[ $(sacct -n -P -X -j "$id" -o account) == root ]] && break
		sleep 0.05
	done
	run sacct -n -P -X -j "$id" -o jobname,account,qos,state
	[ "$output" = "early|root|normal|PENDING" ]
	scancel "$id"
}

@test "jobs and their batch steps reach the database as they finish" {
	id=$(sbatch --parsable --wrap 'exit 3')
	id=${id%%;*}
	wait_for_job_state "$id" FAILED
	wait_sacct_jobs 1
	for _ in $(seq 200); do
		[[ $(sacct -n -P -j "$id" -o jobid,state,exitcode 2>/dev/null | wc -l) -eq 2 ]] && break
		sleep 0.05
	done
	run sacct -n -P -j "$id" -o jobid,jobname,state,exitcode
	[ "${lines[0]}" = "$id|wrap|FAILED|3:0" ]
	[ "${lines[1]}" = "$id.batch|batch|FAILED|3:0" ]
}

@test "herddbd down during a stream of jobs, and a controller crash meanwhile: nothing lost, nothing twice" {
	kill -9 "$(cat "$HERD_TEST_DIR/run/herddbd.pid")"
	ids=()
	for i in $(seq 20); do
		id=$(sbatch --parsable --wrap "echo $i")
		ids+=("${id%%;*}")
	done
	for id in "${ids[@]}"; do wait_for_job_state "$id" COMPLETED; done
	# the controller dies too; the queued rows are on disk
	pid=$(cat "$HERD_TEST_DIR/run/herdctld.pid")
	kill -9 "$pid"
	while kill -0 "$pid" 2>/dev/null; do sleep 0.05; done
	"$HERD_BUILD_DIR/herdctld" -D -f "$HERD_TEST_DIR/slurm.conf" >>"$HERD_TEST_DIR/log/herdctld.out" 2>&1 &
	echo "$!" >>"$HERD_TEST_DIR/run/extra.pids"
	for _ in $(seq 100); do scontrol ping >/dev/null 2>&1 && break; sleep 0.05; done
	acct_start_dbd
	wait_sacct_jobs 21
	# every one exactly once, each COMPLETED with its batch step
	[ -z "$(sacct -a -X -n -P -o jobid | sort | uniq -d)" ]
	for id in "${ids[@]}"; do
		run sacct -n -P -j "$id" -o jobid,state
		[ "${lines[0]}" = "$id|COMPLETED" ]
		[ "${lines[1]}" = "$id.batch|COMPLETED" ]
	done
}

@test "a job that was never eligible (held, cancelled) shows only when asked for by id" {
	id=$(sbatch --parsable -H --wrap true)
	id=${id%%;*}
	scancel "$id"
	for _ in $(seq 200); do
		[[ -n $(sacct -n -P -j "$id" -o state 2>/dev/null) ]] && break
		sleep 0.05
	done
	run sacct -n -P -X -j "$id" -o jobid,state
	[ "$output" = "$id|CANCELLED by $(id -u)" ]
	run sacct -a -n -P -X -o jobid
	[[ $output != *"$id"* ]]
}

@test "without AccountingStorageEnforce any -A is accepted (lower-cased); no -A is root's default account" {
	wait_until 20 sh -c 'sacctmgr -n -P show cluster format=cluster 2>/dev/null | grep -qx acctest'
	run sbatch --parsable -H -A Whatever --wrap true
	[ "$status" -eq 0 ]
	id=${output%%;*}
	run scontrol show job "$id"
	[[ $output == *" Account=whatever "* ]]
	scancel "$id"
	run sbatch --parsable -H --wrap true
	[ "$status" -eq 0 ]
	id=${output%%;*}
	run scontrol show job "$id"
	[[ $output == *" Account=root QOS=normal"* ]]
	scancel "$id"
}

@test "a requeued job: sacct shows its latest run; -D also the earlier one, REQUEUED" {
	require_daemons
	require_cmd sbatch sacct scontrol
	cd "$HERD_TEST_DIR"
	id=$(sbatch --parsable --requeue -o /dev/null --wrap 'sleep 300')
	wait_for_job_state "$id" RUNNING
	scontrol requeue "$id"
	wait_for_job_state "$id" RUNNING 200
	scancel "$id"
	wait_for_job_state "$id" CANCELLED
	wait_until 20 sh -c "sacct -n -P -X -D -j $id -o state | grep -q REQUEUED"
	wait_until 20 sh -c "sacct -n -P -X -j $id -o state | grep -q CANCELLED"
	run sacct -n -P -X -j "$id" -o JobID,State
	[ "${#lines[@]}" -eq 1 ]
	[[ ${lines[0]} == "$id|CANCELLED"* ]]
	run sacct -n -P -X -D -j "$id" -o JobID,State
	[ "${#lines[@]}" -eq 2 ]
	[ "${lines[0]}" = "$id|REQUEUED" ]
	[[ ${lines[1]} == "$id|CANCELLED"* ]]
}

@test "sacct: bad input gets Slurm's errors and exit 1; an unknown account just selects nothing" {
	run sacct -S garbage
	[ "$status" -eq 1 ]
	[ "$output" = "sacct: error: Invalid time specification (pos=0): garbage" ]
	run sacct -E 2026-13-45T00:00:00
	[ "$status" -eq 1 ]
	[[ $output == "sacct: error: Invalid time specification"* ]]
	run sacct -S 2026-01-02T00:00:00 -E 2026-01-01T00:00:00
	[ "$status" -eq 1 ]
	[ "$output" = "sacct: error: Start time (2026-01-02T00:00:00) requested is after end time (2026-01-01T00:00:00)." ]
	run sacct -u no_such_user_here
	[ "$status" -eq 1 ]
	[ "$output" = "sacct: error: Invalid user id: no_such_user_here" ]
	run sacct -g no_such_group_here
	[ "$status" -eq 1 ]
	[ "$output" = "sacct: error: Invalid group id: no_such_group_here" ]
	run sacct -o jobid,nosuchfield
	[ "$status" -eq 1 ]
	[ "$output" = 'sacct: error: Invalid field requested: "nosuchfield"' ]
	run sacct -s NOSUCHSTATE
	[ "$status" -eq 1 ]
	[ "$output" = "sacct: error: Invalid state: NOSUCHSTATE" ]
	run sacct -j 12x
	[ "$status" -eq 1 ]
	[ "$output" = "sacct: error: Invalid job id: 12x" ]
	run sacct -n -a -A no_such_account -S 2000-01-01
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}

@test "sacct: -u by name or uid, -g by name or gid, -q select the right jobs" {
	id=$(sbatch --parsable -o /dev/null --wrap true)
	id=${id%%;*}
	wait_for_job_state "$id" COMPLETED
	wait_until 20 sh -c "sacct -n -P -X -j $id -o state | grep -q COMPLETED"
	me=$(id -un) uid=$(id -u) grp=$(id -gn) gid=$(id -g)
	for sel in "-u $me" "-u $uid" "-g $grp" "-g $gid" "-q normal" "-q NORMAL"; do
		run sacct -n -P -X -o jobid $sel -j "$id"
		[ "$output" = "$id" ] || { echo "sacct $sel: '$output'"; false; }
	done
	other_gid=$((gid + 4242))
	for sel in "-g $other_gid" "-q notaqos" "-u 4242424"; do
		run sacct -n -P -X -o jobid $sel -j "$id"
		[ "$status" -eq 0 ]
		[ -z "$output" ] || { echo "sacct $sel: '$output'"; false; }
	done
}

@test "sacct --json: every job with its steps, fields as sacct shows them, valid JSON for any name" {
	command -v python3 >/dev/null || skip "python3 is needed to read the JSON"
	a=$(sbatch --parsable -J 'j/"é' -o /dev/null --wrap 'srun true; exit 3')
	a=${a%%;*}
	b=$(sbatch --parsable -o /dev/null --wrap 'kill -9 $$')
	b=${b%%;*}
	wait_for_job_state "$a" FAILED
	wait_for_job_state "$b" FAILED
	wait_until 20 sh -c "[ \$(sacct -n -P -j $a,$b -o jobid | wc -l) -eq 5 ]"
	run sacct --json -j "$a,$b"
	[ "$status" -eq 0 ]
	run python3 -c '
import json, sys
d = json.loads(sys.argv[1])
a, b = int(sys.argv[2]), int(sys.argv[3])
assert d["errors"] == [], d["errors"]
jobs = {j["job_id"]: j for j in d["jobs"]}
assert sorted(jobs) == [a, b], sorted(jobs)
ja, jb = jobs[a], jobs[b]
assert ja["name"] == "j/\"é", ja["name"]
assert ja["state"]["current"] == "FAILED"
assert ja["exit_code"] == {"status": "FAILED", "return_code": 3}, ja["exit_code"]
assert [s["step"]["id"] for s in ja["steps"]] == ["%d.batch" % a, "%d.0" % a]
assert ja["steps"][1]["step"]["name"] == "true"
assert ja["steps"][1]["state"] == "COMPLETED"
assert ja["steps"][1]["exit_code"]["status"] == "SUCCESS"
assert ja["steps"][0]["nodes"]["list"] == [ja["nodes"]], (ja["steps"][0]["nodes"], ja["nodes"])
assert ja["account"] == "root" and ja["qos"] == "normal" and ja["partition"] == "p"
t = ja["time"]
assert 0 < t["submission"] <= t["start"] <= t["end"], t
assert t["elapsed"] == t["end"] - t["start"]
cpu = [x["count"] for x in ja["tres"]["allocated"] if x["type"] == "cpu"]
assert cpu == [1], ja["tres"]
assert jb["exit_code"]["status"] == "SIGNALED", jb["exit_code"]
assert jb["exit_code"]["signal"] == {"signal_id": 9, "name": "KILL"}, jb["exit_code"]
print("ok")
' "$output" "$a" "$b"
	[ "$output" = ok ]
	# -X: the jobs only
	run sh -c "sacct --json -X -j $a | python3 -c 'import json,sys; print(len(json.load(sys.stdin)[\"jobs\"][0][\"steps\"]))'"
	[ "$output" = 0 ]
}

@test "a job with 30 steps: each stored once with its own state and exit code (records carry only changed steps)" {
	id=$(sbatch --parsable -n2 -o /dev/null --wrap 'for i in $(seq 0 29); do srun -n1 sh -c "exit $((i % 3))"; done; true')
	id=${id%%;*}
	wait_for_job_state "$id" COMPLETED 120
	wait_acct_lines "$id" 32
	run sacct -n -P -j "$id" -o jobid,state,exitcode
	[ "${lines[0]}" = "$id|COMPLETED|0:0" ]
	[ "${lines[1]}" = "$id.batch|COMPLETED|0:0" ]
	for i in $(seq 0 29); do
		rc=$((i % 3))
		want=$([[ $rc == 0 ]] && echo "COMPLETED|0:0" || echo "FAILED|$rc:0")
		[ "${lines[$((i + 2))]}" = "$id.$i|$want" ] || { echo "line $((i + 2)): ${lines[$((i + 2))]}"; false; }
	done
	[ "${#lines[@]}" -eq 32 ]
}

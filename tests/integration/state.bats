#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# Controller state on a full disk: a submission that cannot be saved is
# refused with an error (never "Submitted"), the controller keeps serving,
# and after a crash every job it accepted is still there.

load common

setup_file() {
	[ "$(id -u)" -eq 0 ] || return 0
	herd_cluster_up --nodes 1
	herd_have_daemons || return 0
	"$HERD" down --dir "$HERD_TEST_DIR" >/dev/null
	mount -t tmpfs -o size=512k herdstate "$HERD_TEST_DIR/state"
	"$HERD" up --dir "$HERD_TEST_DIR" >/dev/null
}

teardown_file() {
	if [[ -n ${HERD_TEST_DIR:-} && -f $HERD_TEST_DIR/run/extra.pids ]]; then
		kill $(cat "$HERD_TEST_DIR/run/extra.pids") 2>/dev/null || true
	fi
	[[ -n ${HERD_TEST_DIR:-} ]] && "$HERD" down --dir "$HERD_TEST_DIR" >/dev/null 2>&1
	[[ -n ${HERD_TEST_DIR:-} ]] && umount "$HERD_TEST_DIR/state" 2>/dev/null
	herd_cluster_down
}

@test "a job that cannot be saved is refused; accepted jobs survive a crash" {
	[ "$(id -u)" -eq 0 ] || skip "needs root to mount a small file system"
	require_daemons
	require_cmd sbatch squeue scontrol
	cd "$HERD_TEST_DIR"
	run sbatch --parsable -H --wrap true
	[ "$status" -eq 0 ]
	before=$output
	# fill the state file system to the last byte
	dd if=/dev/zero of="$HERD_TEST_DIR/state/filler" bs=4k 2>/dev/null || true
	run sbatch -H --wrap true
	[ "$status" -eq 1 ]
	[ "$output" = "sbatch: error: Batch job submission failed: Unable to save state" ]
	run scontrol ping
	[ "$status" -eq 0 ]
	rm -f "$HERD_TEST_DIR/state/filler"
	run sbatch --parsable -H --wrap true
	[ "$status" -eq 0 ]
	after=$output
	# crash and restart: both accepted jobs are known, nothing else
	pid=$(cat "$HERD_TEST_DIR/run/herdctld.pid")
	kill -9 "$pid"
	while kill -0 "$pid" 2>/dev/null; do sleep 0.05; done
	"$HERD_BUILD_DIR/herdctld" -D -f "$HERD_TEST_DIR/slurm.conf" >>"$HERD_TEST_DIR/log/herdctld.out" 2>&1 &
	echo "$!" >>"$HERD_TEST_DIR/run/extra.pids"
	for _ in $(seq 100); do scontrol ping >/dev/null 2>&1 && break; sleep 0.05; done
	run squeue -h -o %i
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | sort -n | tr '\n' ' ')" = "$before $after " ]
}

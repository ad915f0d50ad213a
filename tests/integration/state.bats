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

@test "saved records this version cannot read are kept aside, not dropped" {
	[ "$(id -u)" -eq 0 ] || skip "needs root to mount a small file system"
	require_daemons
	require_cmd squeue scontrol python3
	cd "$HERD_TEST_DIR"
	jobs_before=$(squeue -h -o %i | sort -n | tr '\n' ' ')
	[ -n "$jobs_before" ]
	pid=$(tail -n 1 "$HERD_TEST_DIR/run/extra.pids")
	kill -9 "$pid"
	while kill -0 "$pid" 2>/dev/null; do sleep 0.05; done
	# a whole record (its checksum holds) that does not decode, as one
	# written by another version would be
	python3 - "$HERD_TEST_DIR/state/jobs.journal" <<'PY'
import struct, sys
payload = b"\xff" * 7
h = 2166136261
for c in payload:
    h = ((h ^ c) * 16777619) & 0xffffffff
with open(sys.argv[1], "ab") as f:
    f.write(struct.pack("<III", 1, len(payload), h) + payload)
PY
	"$HERD_BUILD_DIR/herdctld" -D -f "$HERD_TEST_DIR/slurm.conf" >>"$HERD_TEST_DIR/log/herdctld.out" 2>&1 &
	echo "$!" >>"$HERD_TEST_DIR/run/extra.pids"
	for _ in $(seq 100); do scontrol ping >/dev/null 2>&1 && break; sleep 0.05; done
	[ "$(squeue -h -o %i | sort -n | tr '\n' ' ')" = "$jobs_before" ]
	grep -q "1 saved record(s) could not be read" "$HERD_TEST_DIR/log/herdctld.log"
	kept=$(ls "$HERD_TEST_DIR"/state/jobs.journal.unreadable-*)
	[ -n "$kept" ]
	# the kept file still has the record, bytes as written
	tail -c 7 "$kept" | od -An -tx1 | grep -q "ff ff ff ff ff ff ff"
}

#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# Bad bytes from the network never crash a daemon: garbage, truncated
# frames, oversized lengths, forged credentials sent to herdctld and to a
# herdd, after which both still serve a normal job.

load common

setup_file() {
	herd_cluster_up --nodes 2
}

teardown_file() {
	herd_cluster_down
}

# send BYTES (printf format) to 127.0.0.1:PORT and close
send_raw() {
	local port=$1 fmt=$2
	exec 7<>"/dev/tcp/127.0.0.1/$port" || return 1
	printf "$fmt" >&7 || true
	exec 7>&- 7<&-
}

ctld_port() { echo "$HERD_PORT"; }
node_port() { sed -n 's/^NodeName=.*Port=\[\([0-9]*\)-.*/\1/p' "$SLURM_CONF" | head -n 1; }

@test "garbage, truncated and oversized frames leave both daemons serving" {
	require_daemons
	require_cmd sbatch
	local np
	np=$(node_port)
	[ -n "$np" ]
	for port in "$(ctld_port)" "$np"; do
		# random garbage
		send_raw "$port" 'GET / HTTP/1.0\r\n\r\n'
		head -c 4096 /dev/urandom >"$HERD_TEST_DIR/junk"
		exec 7<>"/dev/tcp/127.0.0.1/$port"
		cat "$HERD_TEST_DIR/junk" >&7 || true
		exec 7>&- 7<&-
		# right magic and version, then a body length of 4 GiB
		send_raw "$port" 'HRD1\x01\x00\x02\x00\x01\x00\x00\x00\x00\x00\x00\x00\xff\xff\xff\xff'
		# right magic, credential length too large
		send_raw "$port" 'HRD1\x01\x00\x02\x00\x01\x00\x00\x00\xff\xff\x00\x00\x04\x00\x00\x00'
		# a truncated frame: header promises 100 bytes, 3 arrive
		send_raw "$port" 'HRD1\x01\x00\x02\x00\x01\x00\x00\x00\x00\x00\x00\x00\x64\x00\x00\x00abc'
		# a complete frame of a submit with no credential and a bad body
		send_raw "$port" 'HRD1\x01\x00\x03\x00\x01\x00\x00\x00\x00\x00\x00\x00\x04\x00\x00\x00\xff\xff\xff\x7f'
		# a forged credential
		send_raw "$port" 'HRD1\x01\x00\x02\x00\x01\x00\x00\x00\x08\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00'
		# an unknown message type
		send_raw "$port" 'HRD1\x01\x00\xff\x7f\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00'
	done
	[ -n "$(cat "$HERD_TEST_DIR"/run/herdctld.pid)" ]
	kill -0 "$(cat "$HERD_TEST_DIR"/run/herdctld.pid)"
	cd "$HERD_TEST_DIR"
	run sbatch --parsable -w node01 --wrap 'echo still-serving'
	[ "$status" -eq 0 ]
	id=${output%%;*}
	for _ in $(seq 200); do [ -s "slurm-$id.out" ] && break; sleep 0.05; done
	for _ in $(seq 100); do grep -q still-serving "slurm-$id.out" && break; sleep 0.05; done
	[ "$(cat "slurm-$id.out")" = "still-serving" ]
}

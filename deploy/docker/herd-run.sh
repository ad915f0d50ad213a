#!/bin/bash
# SPDX-License-Identifier: MIT
# herd-run PROGRAM ARGS...: start a herd daemon once munged answers on its
# socket (supervisord starts programs in priority order but does not wait
# for one to be ready), so the daemon's first RPC is not refused.
sock=/run/munge/munge.socket.2
for ((i = 0; i < 500; i++)); do
	[[ -S $sock ]] && break
	sleep 0.02
done
exec "$@"

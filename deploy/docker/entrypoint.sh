#!/bin/bash
# SPDX-License-Identifier: MIT
# herd node entrypoint: prepares what the daemons of one role need, then
# runs them under supervisord (PID 1 of the container's processes).
#   headnode   munged, herdd, herdctld, herddbd
#   compute    munged, herdd
#   dynamic    munged, herdd -Z: a node slurm.conf does not list, named after
#              the container's hostname, described by HERD_DYNAMIC_CONF
#              (default "CPUs=2 Feature=compute"); it joins the partitions
#              whose nodesets match its Features (and the Nodes=ALL ones)
#   <command>  anything else is executed as given (e.g. bash)
# It never changes the owner or mode of a file it did not create: the
# configuration is mounted read-only from the host; the munge key is created
# here only when the key volume is empty.
set -euo pipefail

role=${1:-compute}
case $role in
headnode | compute | dynamic) ;;
*) exec "$@" ;;
esac

say() { echo "herd-entrypoint: $*"; }

conf=${SLURM_CONF:-/etc/slurm/slurm.conf}
if [[ ! -r $conf ]]; then
	say "no $conf: mount the configuration directory at ${conf%/*} (see deploy/docker/README.md)" >&2
	exit 1
fi

key=/etc/munge/munge.key
install -d -o munge -g munge -m 0755 /run/munge
if [[ $role == headnode && ! -e $key ]]; then
	say "creating the cluster's munge key in the munge-key volume"
	runuser -u munge -- mungekey --create --keyfile="$key"
fi
# Compute nodes start munged only once the head node has created the shared
# key (a fresh volume is empty until then).
waited=0
while [[ ! -s $key ]]; do
	if ((waited == 0)); then
		say "waiting for $key (created by the head node)"
	fi
	if ((waited >= 1200)); then
		say "no munge key after 120 s; is the munge-key volume shared with the head node?" >&2
		exit 1
	fi
	sleep 0.1
	waited=$((waited + 1))
done

# herdd's extra options (herdd.ini: %(ENV_HERDD_ARGS)s)
export HERDD_ARGS=
if [[ $role == dynamic ]]; then
	export HERDD_ARGS="-Z --conf '${HERD_DYNAMIC_CONF:-CPUs=2 Feature=compute}'"
fi

# One supervisord program file per daemon; the role picks them.
progs=(munged herdd)
if [[ $role == headnode ]]; then
	progs+=(herdctld herddbd)
fi
rm -rf /run/herd/supervisor.d
install -d -m 0755 /run/herd/supervisor.d
for p in "${progs[@]}"; do
	ln -s "/etc/supervisor/herd/$p.ini" "/run/herd/supervisor.d/$p.ini"
done
say "$role $(hostname): starting ${progs[*]}"
if [[ $role != dynamic ]]; then
	exec /usr/bin/supervisord -n -c /etc/supervisor/supervisord.conf
fi
# A dynamic node leaves the cluster when its container stops (docker compose
# up --scale compute=N with a smaller N, down, stop): herdd first, then
# `scontrol delete` (munged still answers), then the rest.
/usr/bin/supervisord -n -c /etc/supervisor/supervisord.conf &
supervisord_pid=$!
leave() {
	supervisorctl stop herdd >/dev/null 2>&1
	if scontrol delete "NodeName=$(hostname)"; then
		say "node $(hostname) deleted from the cluster"
	fi
	kill -TERM "$supervisord_pid"
}
trap leave TERM INT
set +e
wait "$supervisord_pid" # returns when the trap ran
wait "$supervisord_pid"

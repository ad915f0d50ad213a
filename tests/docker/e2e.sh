#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# End-to-end test of deploy/docker: builds the images (creating the Debian
# base image with debootstrap when it is missing: no registry is used),
# brings the compose stack up, runs the reference session inside the head
# node, restarts the stack and checks what must persist, kills a compute
# container and checks its node goes DOWN and its job ends NODE_FAIL,
# starts it again and checks it comes back idle, scales dynamic compute
# nodes up (they register themselves with Feature=compute and appear in
# partition compute through its nodeset) and down (they leave it), then
# removes the containers, network and volumes it created.  The images stay (tag
# HERD_TAG, default e2e) as a build cache, like the base image.
#
# Exit 77 (skip) with the reason when no Docker engine or compose tool is
# reachable.  CTest label: docker (./test.sh ci -L docker).
#   HERD_E2E_COMPOSE="docker-compose"   force one compose tool
#   HERD_E2E_KEEP=1                     leave the stack up at the end
set -uo pipefail

src=$(cd "$(dirname "$0")/../.." && pwd)
deploy=$src/deploy/docker
t0=$(date +%s)
stamp() { echo "# [$(($(date +%s) - t0))s] $*"; }
skip() {
	echo "1..0 # SKIP $*"
	exit 77
}

# --- can we run at all? ----------------------------------------------------
command -v docker >/dev/null || skip "no docker command on this machine"
docker info >/dev/null 2>&1 ||
	skip "no Docker engine reachable: $(docker info 2>&1 | grep -m1 -iE 'cannot connect|error|denied')"
if [[ -n ${HERD_E2E_COMPOSE:-} ]]; then
	read -ra compose_cmd <<<"$HERD_E2E_COMPOSE"
elif docker compose version >/dev/null 2>&1; then
	compose_cmd=(docker compose)
elif command -v docker-compose >/dev/null; then
	compose_cmd=(docker-compose)
else
	skip "neither 'docker compose' nor 'docker-compose' is installed"
fi

# One run at a time on a machine: the container names are fixed (axc-*).
exec 9>"${TMPDIR:-/tmp}/herd-docker-e2e.lock"
flock 9
for n in axc-mariadb axc-headnode axc-compute-0{1..4}; do
	if docker container inspect "$n" >/dev/null 2>&1 &&
		[[ $(docker container inspect -f '{{index .Config.Labels "com.docker.compose.project"}}' "$n") != herd-e2e ]]; then
		skip "a container named $n exists (another herd stack?); stop it first"
	fi
done

export HERD_TAG=${HERD_TAG:-e2e}
work=$(mktemp -d "${TMPDIR:-/tmp}/herd-e2e.XXXXXX")
# fresh passwords for this run, in the env file compose reads (never argv)
{
	echo "MARIADB_PASSWORD=e2e-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
	echo "MARIADB_ROOT_PASSWORD=e2e-root-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
	echo "HERD_TAG=$HERD_TAG"
	echo "HERD_BASE_IMAGE=${HERD_BASE_IMAGE:-herd-debian:bookworm-slim}"
} >"$work/env"
compose() { "${compose_cmd[@]}" -f "$deploy/docker-compose.yml" -p herd-e2e --env-file "$work/env" "$@"; }

cleanup() {
	if [[ ${HERD_E2E_KEEP:-0} == 1 ]]; then
		stamp "HERD_E2E_KEEP=1: the stack stays up (project herd-e2e)"
	else
		compose --profile scale down -v --remove-orphans >/dev/null 2>&1
	fi
	rm -rf "$work"
}
trap cleanup EXIT

# --- checks ----------------------------------------------------------------
n_ok=0
n_fail=0
ok() {
	n_ok=$((n_ok + 1))
	echo "ok $((n_ok + n_fail)) - $*"
}
not_ok() {
	n_fail=$((n_fail + 1))
	echo "not ok $((n_ok + n_fail)) - $*"
}
# check DESC COMMAND...: a check that must hold now
check() {
	local desc=$1
	shift
	if "$@"; then ok "$desc"; else not_ok "$desc"; fi
}
dump_logs() {
	echo "# --- last lines of the containers' logs"
	for n in axc-headnode axc-compute-0{1..4} axc-mariadb; do
		docker logs --tail 15 "$n" 2>&1 | sed "s/^/# $n | /"
	done
}
die() {
	not_ok "$*"
	dump_logs
	echo "1..$((n_ok + n_fail))"
	exit 1
}
# wait_until SECONDS DESC COMMAND...: poll until the command succeeds; the
# bound is a guard against hanging, not a speed requirement
wait_until() {
	local limit=$1 desc=$2
	shift 2
	local end=$(($(date +%s) + limit))
	until "$@" >/dev/null 2>&1; do
		(($(date +%s) < end)) || die "$desc (not within ${limit}s)"
		sleep 0.25
	done
	ok "$desc"
}
hx() { docker exec axc-headnode "$@"; }                           # as root on the head node
ux() { docker exec -u hpcuser -w /home/hpcuser axc-headnode "$@"; } # as the user uid 1000
# has FILE-OR-TEXT PATTERN: grep -q on a string
has() { grep -qE -- "$2" <<<"$1"; }
all_idle() { [[ $(hx sinfo -h -N -o '%N %T' | awk '$2 == "idle"' | sort -u | wc -l) == 5 ]]; }
job_state() { hx sacct -n -X -P -o State -j "$1" | head -n 1; }
# ended, and accounting has its final state
job_done() { has "$(job_state "$1")" '^(COMPLETED|FAILED|CANCELLED|NODE_FAIL|TIMEOUT|OUT_OF_MEMORY)'; }

# --- images ----------------------------------------------------------------
stamp "compose tool: ${compose_cmd[*]} ($("${compose_cmd[@]}" version --short 2>/dev/null || "${compose_cmd[@]}" version | head -n 1))"
stamp "base image"
HERD_BASE_IMAGE=${HERD_BASE_IMAGE:-herd-debian:bookworm-slim} "$deploy/base-image.sh" ||
	die "creating the Debian base image (debootstrap + docker import)"
old_ids=$(docker image ls -q "herd-node:$HERD_TAG"; docker image ls -q "herd-mariadb:$HERD_TAG")
stamp "compose build"
compose build >"$work/build.log" 2>&1 || {
	tail -n 40 "$work/build.log" | sed 's/^/# /'
	die "compose build"
}
ok "compose build: herd-node:$HERD_TAG $(docker image inspect -f '{{.Size}}' "herd-node:$HERD_TAG" | awk '{printf "%.0f MB", $1 / 1e6}')"
# a rebuild leaves the previous image untagged: remove it (only ours)
for id in $old_ids; do
	[[ -z $(docker image inspect -f '{{join .RepoTags ","}}' "$id" 2>/dev/null) ]] && docker image rm "$id" >/dev/null 2>&1
done

# --- up --------------------------------------------------------------------
stamp "compose up -d"
compose down -v --remove-orphans >/dev/null 2>&1
compose up -d >"$work/up.log" 2>&1 || {
	sed 's/^/# /' "$work/up.log"
	die "compose up -d"
}
wait_until 120 "every node idle in sinfo" all_idle
check "no container is privileged" \
	test -z "$(docker inspect -f '{{.Name}} {{.HostConfig.Privileged}}' $(compose ps -q) | grep true)"
check "head node healthy (scontrol ping)" \
	test "$(docker inspect -f '{{.State.Health.Status}}' axc-headnode)" = healthy
check "mariadb healthy" test "$(docker inspect -f '{{.State.Health.Status}}' axc-mariadb)" = healthy

# --- the reference session -------------------------------------------------
stamp "reference session in axc-headnode"
# supervisord says RUNNING once a program has lived startsecs (1 s): the
# nodes may be idle in sinfo, and the head node healthy, a moment before
head_running() { [[ $(hx supervisorctl status | grep -cE '^(munged|herdd|herdctld|herddbd) +RUNNING') == 4 ]]; }
wait_until 30 "supervisorctl status: munged, herdd, herdctld, herddbd RUNNING" head_running
hx supervisorctl status | sed 's/^/# /'
compute_running() { [[ $(docker exec axc-compute-01 supervisorctl status | grep -cE '^(munged|herdd) +RUNNING') == 2 ]]; }
wait_until 30 "compute node: munged, herdd RUNNING" compute_running
check "munge -n | unmunge: Success" has "$(hx bash -c 'munge -n | unmunge')" '^STATUS: +Success \(0\)'
check "remunge" has "$(hx remunge 2>&1)" 'Processed [0-9]+ credentials'
out=$(hx sinfo)
echo "$out" | sed 's/^/# /'
check "sinfo: partition compute, 4 idle nodes axc-compute-[01-04]" \
	has "$out" '^compute\* +up 1-00:00:00 +4 +idle axc-compute-\[01-04\]$'
check "sinfo: partition debug on axc-headnode" has "$out" '^debug +up +30:00 +1 +idle axc-headnode$'
check "squeue: empty queue" test "$(hx squeue)" = \
	"$(printf '%18s %9s %8s %8s %2s %10s %6s %s' JOBID PARTITION NAME USER ST TIME NODES 'NODELIST(REASON)')"
check "uid 1000 user exists" has "$(hx id hpcuser)" '^uid=1000\(hpcuser\)'
check "logs: every daemon's lines carry its name" \
	test "$(docker logs axc-headnode 2>&1 | grep -oE '(herdctld|herddbd|herdd|munged): ' | sort -u | wc -l)" = 4

docker cp "$src/tests/docker/job.sh" axc-headnode:/home/hpcuser/job.sh
hx chown 1000:1000 /home/hpcuser/job.sh
if hx bash -c 'command -v srun' >/dev/null; then
	srun=1
else
	srun=0
	echo "# SKIP srun: srun is not installed in the image yet; the job runs hostname without srun," \
		"and the N.0/N.1 step checks are skipped"
	ux bash -c 'printf "#!/bin/bash\n#SBATCH --job-name=xs-test-job\n#SBATCH --ntasks=4\nhostname\n" >job.sh'
fi
out=$(ux sbatch job.sh)
check "sbatch job.sh as hpcuser: $out" has "$out" '^Submitted batch job [0-9]+$'
jid=${out##* }
wait_until 120 "job $jid ends" job_done "$jid"
out=$(ux cat "slurm-$jid.out")
echo "$out" | sed 's/^/# slurm-'"$jid"'.out | /'
if ((srun)); then
	check "srun hostname: two compute nodes, twice each" \
		test "$(sort <<<"$out" | uniq -c | awk '$1 == 2 && $2 ~ /^axc-compute-0[1-4]$/' | wc -l)" = 2
else
	check "batch step ran on a compute node" has "$out" '^axc-compute-0[1-4]$'
fi
out=$(ux sacct -j "$jid")
echo "$out" | sed 's/^/# /'
check "sacct: $jid COMPLETED" has "$out" "^$jid +xs-test-j\+ +compute .* COMPLETED +0:0 *$"
check "sacct: $jid.batch COMPLETED" has "$out" "^$jid\.batch +batch .* COMPLETED +0:0 *$"
if ((srun)); then
	check "sacct: $jid.0 hostname COMPLETED" has "$out" "^$jid\.0 +hostname .* COMPLETED +0:0 *$"
	check "sacct: $jid.1 sleep COMPLETED" has "$out" "^$jid\.1 +sleep .* COMPLETED +0:0 *$"
fi
# sacct without -a shows a user only their own jobs (as Slurm does)
out=$(hx sbatch -o /dev/null --wrap=true)
rjid=${out##* }
wait_until 60 "root's job $rjid ends" job_done "$rjid"
check "sacct as root -a lists root's job $rjid" has "$(hx sacct -a -n -X -o JobID)" "^ *$rjid *$"
check "sacct as hpcuser lists its own job $jid, not root's job $rjid" \
	test "$(ux sacct -n -X -o JobID | grep -cE "^ *($jid|$rjid) *$")" = 1

# --- persistence across down / up ------------------------------------------
stamp "persistence: compose down, up -d"
out=$(ux sbatch --hold --wrap=true)
hjid=${out##* }
check "held job $hjid pending" has "$(hx squeue -h -j "$hjid" -o '%T %r')" '^PENDING JobHeldUser$'
compose down >"$work/down.log" 2>&1 || die "compose down"
compose up -d >"$work/up2.log" 2>&1 || die "compose up -d (again)"
wait_until 120 "every node idle again" all_idle
check "sacct still shows job $jid COMPLETED" test "$(job_state "$jid")" = COMPLETED
check "held job $hjid still pending" has "$(hx squeue -h -j "$hjid" -o '%T %r')" '^PENDING JobHeldUser$'
check "same munge key: remunge works" has "$(docker exec axc-compute-02 remunge 2>&1)" 'Processed'
hx scancel "$hjid"

# --- a compute node dies -----------------------------------------------------
stamp "node failure: kill axc-compute-04"
out=$(ux sbatch --no-requeue -w axc-compute-04 --wrap='sleep 600')
kjid=${out##* }
wait_until 60 "job $kjid running on axc-compute-04" \
	bash -c "[[ \$(docker exec axc-headnode squeue -h -j $kjid -o '%T %N') == 'RUNNING axc-compute-04' ]]"
docker kill axc-compute-04 >/dev/null || die "docker kill axc-compute-04"
wait_until 120 "axc-compute-04 DOWN" \
	bash -c '[[ $(docker exec axc-headnode sinfo -h -n axc-compute-04 -o %T) == down* ]]'
wait_until 30 "job $kjid ends" job_done "$kjid"
check "job $kjid NODE_FAIL" test "$(job_state "$kjid")" = NODE_FAIL
check "other nodes still idle" \
	test "$(hx sinfo -h -N -p compute -o '%N %T' | awk '$2 == "idle"' | wc -l)" = 3
compose start compute-04 >/dev/null 2>&1 || die "compose start compute-04"
wait_until 60 "axc-compute-04 idle again" \
	bash -c '[[ $(docker exec axc-headnode sinfo -h -n axc-compute-04 -o %T) == idle ]]'
wait_until 30 "every node idle at the end" all_idle

# --- scaling: dynamic nodes ---------------------------------------------------
stamp "scaling: --scale compute=2, then 0"
# the scaled nodes register with Feature=compute: the nodeset computeset
# puts them in partition compute (sinfo without -a)
dyn_nodes() { hx sinfo -h -N -p compute -o '%N %T' | awk '$1 !~ /^axc-/'; }
compose --profile scale up -d --scale compute=2 >"$work/scale.log" 2>&1 || {
	sed 's/^/# /' "$work/scale.log"
	die "compose --profile scale up -d --scale compute=2"
}
two_dyn_idle() { [[ $(dyn_nodes | awk '$2 == "idle"' | wc -l) == 2 ]]; }
wait_until 60 "two dynamic nodes idle in partition compute" two_dyn_idle
stamp "two dynamic nodes idle"
dyns=$(dyn_nodes | awk '{ print $1 }' | sort | tr '\n' ' ')
dyn1=${dyns%% *}
out=$(hx sinfo)
echo "$out" | sed 's/^/# /'
check "sinfo: partition compute, 6 idle nodes (axc-compute-[01-04] and the two)" \
	has "$out" '^compute\* +up 1-00:00:00 +6 +idle .*axc-compute-\[01-04\]'
check "the reference partitions did not change" test "$(hx sinfo -h -o %P | tr '\n' ' ')" = "compute* debug "
out=$(hx scontrol show node "$dyn1")
check "scontrol show node $dyn1: Feature compute, partition compute" \
	has "$out" 'AvailableFeatures=compute$'
check "scontrol show node $dyn1: partition compute" has "$out" '^ +Partitions=compute *$'
check "scontrol show partition compute: TotalNodes=6" \
	has "$(hx scontrol show partition compute)" 'TotalCPUs=12 TotalNodes=6 '
out=$(ux sbatch -p compute -C compute --wrap=hostname)
djid=${out##* }
wait_until 60 "job $djid (-p compute -C compute) ends" job_done "$djid"
check "job $djid COMPLETED" test "$(job_state "$djid")" = COMPLETED
out=$(ux cat "slurm-$djid.out")
check "it ran on a dynamic node ($out of $dyns)" has " $dyns" " $out "
compose --profile scale up -d --scale compute=0 >"$work/scale0.log" 2>&1 || die "--scale compute=0"
no_dyn() { [[ -z $(hx sinfo -h -a -N -o %N | grep -v '^axc-') ]]; }
wait_until 60 "removed dynamic nodes leave the cluster" no_dyn
stamp "dynamic nodes gone"
check "sinfo: partition compute is axc-compute-[01-04] again" \
	has "$(hx sinfo)" '^compute\* +up 1-00:00:00 +4 +idle axc-compute-\[01-04\]$'
check "scontrol show partition compute: TotalNodes=4" \
	has "$(hx scontrol show partition compute)" 'TotalCPUs=8 TotalNodes=4 '
check "every static node still idle" all_idle

stamp "done"
echo "1..$((n_ok + n_fail))"
((n_fail == 0)) || {
	dump_logs
	exit 1
}

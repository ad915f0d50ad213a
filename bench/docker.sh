#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Benchmarks of deploy/docker; prints a table.  Speed is measured here,
# never asserted in tests.
#   bench/docker.sh [-n JOBS] [--no-cold]
#     -n JOBS    trivial batch jobs for the in-container throughput run (200)
#     --no-cold  skip the cold build (docker build --no-cache: downloads the
#                build and runtime packages again, several minutes)
# Rows: node image build cold and warm (nothing changed) and after a
# source change, node image size, `compose up -d` to every node idle (first
# start on empty volumes, then again on existing ones), and sequential
# sbatch and end-to-end trivial jobs inside the head node.  Uses the compose
# project herd-bench with images tagged bench, removes its containers,
# network and volumes at the end; needs the Docker engine the e2e test uses.
set -euo pipefail

src=$(cd "$(dirname "$0")/.." && pwd)
deploy=$src/deploy/docker
jobs=200
cold=1
while [[ $# -gt 0 ]]; do
	case $1 in
	-n) jobs=$2; shift 2 ;;
	--no-cold) cold=0; shift ;;
	*) echo "usage: $0 [-n JOBS] [--no-cold]" >&2; exit 2 ;;
	esac
done
docker info >/dev/null 2>&1 || { echo "bench/docker: no Docker engine reachable" >&2; exit 1; }
if docker compose version >/dev/null 2>&1; then
	compose_cmd=(docker compose)
else
	compose_cmd=(docker-compose)
fi

exec 9>"${TMPDIR:-/tmp}/herd-docker-e2e.lock" # one docker run of ours at a time
flock 9
export HERD_TAG=bench
base=${HERD_BASE_IMAGE:-herd-debian:bookworm-slim}
work=$(mktemp -d "${TMPDIR:-/tmp}/herd-bench.XXXXXX")
{
	echo "MARIADB_PASSWORD=bench-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
	echo "HERD_TAG=$HERD_TAG"
	echo "HERD_BASE_IMAGE=$base"
} >"$work/env"
compose() { "${compose_cmd[@]}" -f "$deploy/docker-compose.yml" -p herd-bench --env-file "$work/env" "$@"; }
cleanup() {
	compose down -v --remove-orphans >/dev/null 2>&1 || true
	rm -rf "$work"
}
trap cleanup EXIT

ms() { date +%s%3N; }
rows=()
row() { rows+=("$(printf '| %-58s | %10s |' "$1" "$2")"); }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f s", (b - a) / 1000 }'; }

"$deploy/base-image.sh" >/dev/null
build() { docker build -q "$@" -f "$deploy/Dockerfile" --build-arg "BASE_IMAGE=$base" -t "herd-node:$HERD_TAG" "$src" >/dev/null; }
if ((cold)); then
	t=$(ms)
	build --no-cache
	row "node image build, cold (--no-cache, packages downloaded)" "$(secs "$t" "$(ms)")"
fi
build # fill the cache when --no-cold
t=$(ms)
build
row "node image build, warm (nothing changed)" "$(secs "$t" "$(ms)")"
# a source change: a copy of the context with one file touched
ctx=$work/ctx
mkdir -p "$ctx/tests" "$ctx/deploy"
cp -a "$src/CMakeLists.txt" "$src/CMakePresets.json" "$src/src" "$ctx/"
cp -a "$src/tests/CMakeLists.txt" "$ctx/tests/"
cp -a "$deploy" "$ctx/deploy/"
cp -a "$src/.dockerignore" "$ctx/"
echo "/* bench: $(date +%s%N) */" >>"$ctx/src/cmd/sinfo.c"
t=$(ms)
docker build -q -f "$ctx/deploy/docker/Dockerfile" --build-arg "BASE_IMAGE=$base" -t "herd-node:bench-src" "$ctx" >/dev/null
row "node image build, one source file changed" "$(secs "$t" "$(ms)")"
docker image rm "herd-node:bench-src" >/dev/null
row "node image size" "$(docker image inspect -f '{{.Size}}' "herd-node:$HERD_TAG" | awk '{printf "%.0f MB", $1 / 1e6}')"
docker build -q -f "$deploy/mariadb/Dockerfile" --build-arg "BASE_IMAGE=$base" -t "herd-mariadb:$HERD_TAG" "$src" >/dev/null
row "mariadb image size" "$(docker image inspect -f '{{.Size}}' "herd-mariadb:$HERD_TAG" | awk '{printf "%.0f MB", $1 / 1e6}')"

all_idle() { [[ $(docker exec axc-headnode sinfo -h -N -o '%N %T' 2>/dev/null | awk '$2 == "idle"' | sort -u | wc -l) == 5 ]]; }
up_to_idle() {
	local t
	t=$(ms)
	compose up -d >/dev/null 2>&1
	until all_idle; do sleep 0.05; done
	secs "$t" "$(ms)"
}
compose down -v --remove-orphans >/dev/null 2>&1 || true
row "up -d to all 5 nodes idle, empty volumes (MariaDB init)" "$(up_to_idle)"
compose down >/dev/null 2>&1
row "up -d to all 5 nodes idle, existing volumes" "$(up_to_idle)"

# trivial jobs inside the cluster, submitted by the uid 1000 user
ux() { docker exec -u hpcuser -w /home/hpcuser axc-headnode "$@"; }
t=$(ms)
ux bash -c "for ((i = 0; i < $jobs; i++)); do sbatch -o /dev/null --wrap=true >/dev/null; done"
t2=$(ms)
until [[ -z $(ux squeue -h -o %i) ]]; do sleep 0.05; done
t3=$(ms)
rate() { awk -v n="$jobs" -v a="$1" -v b="$2" 'BEGIN { printf "%.0f/s", n * 1000 / (b - a) }'; }
row "sequential sbatch in the head node ($jobs)" "$(rate "$t" "$t2")"
row "end-to-end trivial jobs in the containers ($jobs)" "$(rate "$t" "$t3")"

printf '| %-58s | %10s |\n' measurement value
printf '|%s|%s|\n' "$(printf -- '-%.0s' {1..60})" "$(printf -- '-%.0s' {1..12})"
printf '%s\n' "${rows[@]}"

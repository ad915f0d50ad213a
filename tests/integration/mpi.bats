#!/usr/bin/env bats
# SPDX-License-Identifier: MIT
# MPI programs launched the way HPC users launch them (issue 3): Open MPI's
# mpirun inside an allocation (it starts its daemons through srun), and
# direct launch with srun --mpi=pmix (the step supervisors serve PMIx
# through libpmix; srun relays the exchanges between nodes).  A small MPI
# program is compiled here; the nodes' names differ from the machine's.

load common

setup_file() {
	herd_cluster_up
}

teardown_file() {
	herd_cluster_down
}

setup() {
	require_daemons
	require_cmd sbatch srun salloc sacct
	command -v mpicc >/dev/null 2>&1 || skip "mpicc (Debian's libopenmpi-dev) is not installed"
	WORK=$(mktemp -d "$HERD_TEST_DIR/work.XXXXXX")
	chmod 0777 "$WORK"
	cd "$WORK"
	cat >hello.c <<'C'
#include <mpi.h>
#include <stdio.h>
int main(int argc, char **argv)
{
	int rank, size, sum = 0, len;
	char name[MPI_MAX_PROCESSOR_NAME];
	MPI_Init(&argc, &argv);
	MPI_Comm_rank(MPI_COMM_WORLD, &rank);
	MPI_Comm_size(MPI_COMM_WORLD, &size);
	MPI_Get_processor_name(name, &len);
	MPI_Allreduce(&rank, &sum, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
	printf("rank %d of %d sum %d on %s\n", rank, size, sum, name);
	MPI_Finalize();
	return 0;
}
C
	mpicc -o hello hello.c
	export OMPI_MCA_btl=self,vader,tcp OMPI_MCA_pml=ob1
}

expected() {
	printf 'rank %d of 4 sum 6\n' 0 1 2 3
}

@test "srun --mpi=list names the types" {
	run srun --mpi=list
	[ "$status" -eq 0 ]
	[[ $output == *"none"* ]]
	[[ $output == *"pmix"* ]]
}

@test "srun --mpi=pmix -n4: one MPI job of 4 ranks over 2 nodes, Allreduce right" {
	run srun --mpi=pmix -n4 ./hello
	[ "$status" -eq 0 ]
	[ "$(sed 's/ on .*//' <<<"$output" | sort)" = "$(expected)" ]
	# two ranks on each of two nodes
	[ "$(awk '{ print $NF }' <<<"$output" | sort | uniq -c | awk '{ print $1 }' | tr '\n' ' ')" = "2 2 " ]
}

@test "mpirun inside sbatch starts its daemons through srun (4 ranks, 2 nodes)" {
	cat >mpi.sh <<'S'
#!/bin/bash
#SBATCH -N2 --ntasks-per-node=2
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
mpirun ./hello
S
	out=$(sbatch --parsable mpi.sh)
	id=${out%%;*}
	wait_for_job_state "$id" COMPLETED 120
	[ "$(sed 's/ on .*//' "slurm-$id.out" | sort)" = "$(expected)" ]
	[ "$(awk '{ print $NF }' "slurm-$id.out" | sort -u | wc -l)" -eq 2 ]
	# mpirun's daemon step (accounting rows arrive shortly after the job ends)
	wait_until 30 sh -c "sacct -n -P -j $id -o JobID,JobName,State | grep -qx '$id.0|orted|COMPLETED'"
}

@test "mpirun and srun --mpi=pmix inside salloc" {
	run salloc -N2 -n4 sh -c 'OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 mpirun ./hello; srun --mpi=pmix ./hello'
	[ "$status" -eq 0 ]
	[ "$(grep '^rank' <<<"$output" | sed 's/ on .*//' | sort)" = "$(printf 'rank %d of 4 sum 6\n' 0 0 1 1 2 2 3 3)" ]
}

@test "MpiDefault=pmix in slurm.conf applies without --mpi" {
	herd_extra_cluster_up
	sed -i 's/^MpiDefault=.*//' "$EXTRA_DIR/slurm.conf"
	echo "MpiDefault=pmix" >>"$EXTRA_DIR/slurm.conf"
	run env SLURM_CONF="$EXTRA_DIR/slurm.conf" srun -n4 ./hello
	herd_extra_cluster_down
	[ "$status" -eq 0 ]
	[ "$(sed 's/ on .*//' <<<"$output" | sort)" = "$(expected)" ]
}

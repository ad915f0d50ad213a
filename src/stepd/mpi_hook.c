/* SPDX-License-Identifier: MIT */
/*
 * MPI types of the step supervisor.  "pmix" is served by mpi_pmix.c when
 * the build found libpmix; "none" never gets here.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mpi_hook.h"

struct mpi_hook {
	int unused;
};

struct mpi_hook *
mpi_hook_create(const struct step_launch *sl, const char *node, mpi_hook_send_fn *send, void *arg, char *err,
    size_t errlen)
{
	snprintf(err, errlen, "MPI type %s is not available", sl->mpi);
	return NULL;
}

void
mpi_hook_task_env(struct mpi_hook *h, uint32_t lid, char ***env, uint32_t *n)
{
}

int
mpi_hook_fd(struct mpi_hook *h)
{
	return -1;
}

void
mpi_hook_dispatch(struct mpi_hook *h)
{
}

void
mpi_hook_recv(struct mpi_hook *h, uint32_t kind, uint32_t node, uint64_t seq, const void *data, size_t len)
{
}

void
mpi_hook_destroy(struct mpi_hook *h)
{
	free(h);
}

const char *const *
mpi_hook_types(void)
{
	static const char *const types[] = {"none", NULL};
	return types;
}

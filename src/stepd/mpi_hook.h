/* SPDX-License-Identifier: MIT */
/*
 * MPI support of the step supervisor (srun --mpi=TYPE): one small
 * interface between step.c and the MPI type's module, so that the
 * supervisor knows nothing of PMIx.  Messages between the nodes of a step
 * travel through srun (IO_CTL frames, kind IO_CTL_MPI + k).
 */
#ifndef HERD_MPI_HOOK_H
#define HERD_MPI_HOOK_H

#include <stddef.h>
#include <stdint.h>

#include "proto/proto.h"

struct mpi_hook;

/* send data to node (or to srun, which relays or collects) */
typedef void mpi_hook_send_fn(
    void *arg, uint32_t kind, uint32_t node, uint64_t seq, const void *data, size_t len);

/* NULL with err for an unknown or unavailable type ("none" is not passed
 * here).  sl and node are borrowed and outlive the hook. */
struct mpi_hook *mpi_hook_create(const struct step_launch *sl, const char *node, mpi_hook_send_fn *send,
    void *arg, char *err, size_t errlen);
/* add the type's variables for local task lid */
void mpi_hook_task_env(struct mpi_hook *h, uint32_t lid, char ***env, uint32_t *n);
/* fd to poll for work of mpi_hook_dispatch, or -1 */
int mpi_hook_fd(struct mpi_hook *h);
void mpi_hook_dispatch(struct mpi_hook *h);
void mpi_hook_recv(
    struct mpi_hook *h, uint32_t kind, uint32_t node, uint64_t seq, const void *data, size_t len);
void mpi_hook_destroy(struct mpi_hook *h); /* NULL ok */

/* the types this build knows, for srun --mpi=list */
const char *const *mpi_hook_types(void);

#endif

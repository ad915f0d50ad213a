/* SPDX-License-Identifier: MIT */
/*
 * srun --mpi=pmix: the PMIx server of one node of a step.
 *
 * The step supervisor (one process per step per node) creates one mpi_pmix
 * before it forks the node's tasks.  The module wraps Debian's libpmix
 * server: it registers the step as one PMIx namespace with the full job map,
 * registers each local rank, produces each task's PMIx environment, and runs
 * the cross-node parts of PMIx (fence/modex and direct modex) as messages
 * through a hub, which is srun: every node of the step has one connection to
 * srun, so srun relays them.
 *
 * The hub's work is:
 *   MPI_PMIX_FENCE_CONTRIB: collect one contribution per node for each seq;
 *     when all nnodes are in, send MPI_PMIX_FENCE_RESULT with that seq to
 *     every node, data = the contributions concatenated in node order
 *     (node 0 first; src_node of the result is not used).
 *   MPI_PMIX_DMDX_REQ, MPI_PMIX_DMDX_RESP: deliver to dest_node unchanged,
 *     with src_node = the sending node and the same seq.
 *   MPI_PMIX_ABORT: a rank called MPI_Abort/PMIx_Abort; data is a 4-byte
 *     big-endian exit status followed by the message text (not terminated).
 *     The hub prints the message and kills the whole step.
 * Messages from one node must be delivered in the order they were sent.
 *
 * Threading: libpmix runs its own progress thread, which calls into this
 * module (fence, direct modex, abort).  Those calls only queue messages and
 * make mpi_pmix_fd() readable; the send callback runs only inside
 * mpi_pmix_dispatch().  Call every function below from one thread, the
 * supervisor's loop thread; none of them blocks on the network (create and
 * destroy wait for libpmix's thread to register or release the namespace).
 *
 * Ownership: the module owns its descriptor, its libpmix state and the
 * files libpmix puts in st->tmpdir; the caller owns the directory itself.
 *
 * What the tasks also need (the supervisor's Slurm-compatible environment
 * gives it): Open MPI 4.1 (Debian 4.1.4) takes the direct-launch path, and
 * so talks to this server, only when SLURM_NODELIST and SLURM_STEP_ID are
 * set (its schizo/slurm component); without them each rank starts as a
 * singleton of size 1.  Direct-launched ranks need no OMPI_ALLOW_RUN_AS_ROOT
 * (that check is in mpirun only); tasks running as root work.  On a node
 * without InfiniBand, OMPI_MCA_pml=ob1 and OMPI_MCA_btl=self,vader,tcp avoid
 * probing UCX/openib/ofi (not required: the defaults also work here, but
 * print warnings on some machines).
 *
 * Limits: PMIx allows one server per process, so at most one mpi_pmix exists
 * in a process at a time (mpi_pmix_create fails with EBUSY otherwise).
 * Fences must involve every node of the step (all of Open MPI's do: MPI_Init,
 * MPI_Finalize, PMIx barriers); a fence over a subset of the nodes fails
 * with PMIX_ERR_NOT_SUPPORTED instead of hanging.  MPI_Comm_spawn, connect
 * and publish/lookup (other namespaces, a global name server) are not
 * supported.
 */
#ifndef HERD_MPI_PMIX_H
#define HERD_MPI_PMIX_H

#include <stddef.h>
#include <stdint.h>

/* The step as this node sees it; everything is borrowed for the duration of
 * mpi_pmix_create() only (the module copies what it keeps). */
struct mpi_pmix_step {
	uint32_t job_id, step_id;
	uint32_t uid, gid; /* the tasks' credentials */
	uint32_t nnodes, node_id; /* node_id: this node's index in the step */
	const char *const *node_names; /* nnodes names, step node order */
	uint32_t ntasks; /* whole step */
	const uint32_t *task_cnt; /* per node */
	const uint32_t *const *tids; /* per node: the global ranks on that node, ascending */
	const char *tmpdir; /* private directory for the server's files: created
	                                  * if missing; made 0700 and owned by uid:gid when
	                                  * running as root; the caller removes it after
	                                  * mpi_pmix_destroy() */
};

enum mpi_pmix_kind {
	MPI_PMIX_FENCE_CONTRIB = 1,
	MPI_PMIX_FENCE_RESULT,
	MPI_PMIX_DMDX_REQ,
	MPI_PMIX_DMDX_RESP,
	MPI_PMIX_ABORT,
};

/* Sends one message to the hub.  Called only inside mpi_pmix_dispatch(), on
 * its thread.  dest_node is where the hub routes a DMDX message (ignored for
 * FENCE_CONTRIB and ABORT).  data (len bytes, possibly 0) is borrowed: copy
 * it before returning.  Send failures are the host's business: a lost
 * message leaves the tasks waiting, so the host should kill the step. */
typedef void mpi_pmix_send_fn(
    void *arg, enum mpi_pmix_kind kind, uint32_t dest_node, uint64_t seq, const void *data, size_t len);

/* Starts the PMIx server for this node and registers the namespace
 * "herd.pmix.<job>.<step>" and every local rank.  Returns the module (owned
 * by the caller, release with mpi_pmix_destroy) or NULL with a message in
 * err (Slurm's wording, "srun: error: ..."-ready text without the prefix)
 * and errno set.  Without libpmix in the build it always fails with
 * "MPI type pmix is not available" (errno ENOTSUP). */
struct mpi_pmix *mpi_pmix_create(
    const struct mpi_pmix_step *st, mpi_pmix_send_fn *send, void *arg, char *err, size_t errlen);

/* Adds the PMIx variables of local task local_id (index into this node's
 * tids) to the environment *env of *env_cnt xmalloc'd "NAME=value" strings
 * (the array is xmalloc'd and kept NULL-terminated; the function may
 * xrealloc it; a variable already present is replaced).  Call before the
 * fork of that task.  Returns 0, or -1 with errno (EINVAL: bad local_id;
 * EIO: libpmix refused) and *env unchanged. */
int mpi_pmix_task_env(struct mpi_pmix *p, uint32_t local_id, char ***env, size_t *env_cnt);

/* A descriptor, owned by the module, that becomes readable when
 * mpi_pmix_dispatch() has work; watch it for reading in the loop. */
int mpi_pmix_fd(const struct mpi_pmix *p);

/* Does the queued work: sends the messages libpmix's thread produced.
 * Never blocks. */
void mpi_pmix_dispatch(struct mpi_pmix *p);

/* Hands the module a message from the hub.  data is borrowed (copied if
 * kept).  Malformed or unexpected messages are logged and dropped. */
void mpi_pmix_recv(struct mpi_pmix *p, enum mpi_pmix_kind kind, uint32_t src_node, uint64_t seq,
    const void *data, size_t len);

/* Fails pending fences and direct modex requests (the tasks' PMIx calls
 * return an error), deregisters the namespace and stops the PMIx server.
 * Call after the tasks are gone.  Accepts NULL. */
void mpi_pmix_destroy(struct mpi_pmix *p);

#endif

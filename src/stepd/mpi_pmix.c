/* SPDX-License-Identifier: MIT */
/*
 * srun --mpi=pmix on one node of a step: a thin host for libpmix's server.
 * libpmix does the PMIx protocol with the local tasks; this file gives it the
 * job map, the tasks' credentials and the cross-node fence and direct modex,
 * which travel as messages through the hub (srun).  libpmix calls us on its
 * own thread, so those calls only queue messages for mpi_pmix_dispatch().
 * Without libpmix the module is a stub that says pmix is not available.
 */
#include "mpi_pmix.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/xmalloc.h"

static void set_err(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void
set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

#ifndef HERD_HAVE_PMIX

struct mpi_pmix *
mpi_pmix_create(const struct mpi_pmix_step *st, mpi_pmix_send_fn *send, void *arg, char *err, size_t errlen)
{
	set_err(err, errlen, "MPI type pmix is not available (herd was built without libpmix)");
	errno = ENOTSUP;
	return NULL;
}

int
mpi_pmix_task_env(struct mpi_pmix *p, uint32_t local_id, char ***env, size_t *env_cnt)
{
	errno = ENOTSUP;
	return -1;
}

int
mpi_pmix_fd(const struct mpi_pmix *p)
{
	return -1;
}

void
mpi_pmix_dispatch(struct mpi_pmix *p)
{
}

void
mpi_pmix_recv(struct mpi_pmix *p, enum mpi_pmix_kind kind, uint32_t src_node, uint64_t seq, const void *data,
    size_t len)
{
}

void
mpi_pmix_destroy(struct mpi_pmix *p)
{
}

#else /* HERD_HAVE_PMIX */

#include <arpa/inet.h>
#include <fcntl.h>
#include <pmix.h>
#include <pmix_server.h>
#include <pthread.h>
#include <sys/stat.h>
#include <unistd.h>

/* A message waiting for mpi_pmix_dispatch() to hand it to the host. */
struct pmix_msg {
	struct pmix_msg *next;
	enum mpi_pmix_kind kind;
	uint32_t dest;
	uint64_t seq;
	size_t len;
	unsigned char data[];
};

/* A libpmix operation (fence or direct modex) waiting for the hub's answer. */
struct pmix_wait {
	struct pmix_wait *next;
	uint64_t seq;
	pmix_modex_cbfunc_t cbfunc;
	void *cbdata;
};

/* What a direct modex request from another node needs to answer it. */
struct dmdx_ctx {
	struct mpi_pmix *p;
	uint32_t src_node;
	uint64_t seq;
};

struct mpi_pmix {
	mpi_pmix_send_fn *send;
	void *arg;
	uint32_t job_id, step_id, uid, gid;
	uint32_t nnodes, node_id, ntasks;
	uint32_t *node_of; /* per rank: its node */
	uint32_t local_cnt;
	pmix_rank_t *local; /* this node's ranks */
	pmix_nspace_t nspace;
	int pipe_rd, pipe_wr; /* wakes the loop: a byte per batch of queued work */
	bool server_up, nspace_up;

	pthread_mutex_t lock; /* protects everything below (libpmix thread vs loop thread) */
	struct pmix_msg *out, **out_tail;
	struct pmix_wait *fences, *dmdx;
	uint64_t fence_seq, dmdx_seq;
};

/* libpmix's host callbacks carry no pointer of ours, and libpmix allows one
 * server per process: this is the module they reach. */
static struct mpi_pmix *pmix_current;

/* Blocking wait for a libpmix operation that completes by callback. */
struct pmix_sync {
	pthread_mutex_t m;
	pthread_cond_t c;
	bool done;
	pmix_status_t status;
};

static void
sync_init(struct pmix_sync *s)
{
	pthread_mutex_init(&s->m, NULL);
	pthread_cond_init(&s->c, NULL);
	s->done = false;
	s->status = PMIX_SUCCESS;
}

static void
sync_cb(pmix_status_t status, void *cbdata)
{
	struct pmix_sync *s = cbdata;

	pthread_mutex_lock(&s->m);
	s->status = status;
	s->done = true;
	pthread_cond_signal(&s->c);
	pthread_mutex_unlock(&s->m);
}

/* rc: what the libpmix call returned; then the callback's status. */
static pmix_status_t
sync_wait(struct pmix_sync *s, pmix_status_t rc)
{
	if (rc == PMIX_SUCCESS) {
		pthread_mutex_lock(&s->m);
		while (!s->done)
			pthread_cond_wait(&s->c, &s->m);
		rc = s->status;
		pthread_mutex_unlock(&s->m);
	} else if (rc == PMIX_OPERATION_SUCCEEDED) {
		rc = PMIX_SUCCESS;
	}
	pthread_mutex_destroy(&s->m);
	pthread_cond_destroy(&s->c);
	return rc;
}

/* Queues a message for the host; head (hlen bytes) then body.  Any thread. */
static void
queue_msg(struct mpi_pmix *p, enum mpi_pmix_kind kind, uint32_t dest, uint64_t seq, const void *head,
    size_t hlen, const void *body, size_t blen)
{
	struct pmix_msg *m = xmalloc(sizeof(*m) + hlen + blen);
	char wake = 1;

	m->next = NULL;
	m->kind = kind;
	m->dest = dest;
	m->seq = seq;
	m->len = hlen + blen;
	if (hlen > 0)
		memcpy(m->data, head, hlen);
	if (blen > 0)
		memcpy(m->data + hlen, body, blen);
	pthread_mutex_lock(&p->lock);
	*p->out_tail = m;
	p->out_tail = &m->next;
	pthread_mutex_unlock(&p->lock);
	/* a full pipe already wakes the loop */
	if (write(p->pipe_wr, &wake, 1) < 0 && errno != EAGAIN)
		log_warn("step %u.%u: pmix: wake pipe", p->job_id, p->step_id);
}

static void
wait_add(struct mpi_pmix *p, struct pmix_wait **list, uint64_t seq, pmix_modex_cbfunc_t cbfunc, void *cbdata)
{
	struct pmix_wait *w = xmalloc(sizeof(*w));

	w->seq = seq;
	w->cbfunc = cbfunc;
	w->cbdata = cbdata;
	w->next = *list;
	*list = w;
}

/* Unlinks and returns the wait with seq, or NULL.  Lock held. */
static struct pmix_wait *
wait_take(struct pmix_wait **list, uint64_t seq)
{
	for (struct pmix_wait **wp = list; *wp != NULL; wp = &(*wp)->next) {
		if ((*wp)->seq == seq) {
			struct pmix_wait *w = *wp;
			*wp = w->next;
			return w;
		}
	}
	return NULL;
}

static void
release_copy(void *cbdata)
{
	free(cbdata);
}

/* Completes a libpmix fence or modex request with a private copy of data,
 * which libpmix releases through release_copy when done with it. */
static void
wait_complete(struct pmix_wait *w, pmix_status_t status, const void *data, size_t len)
{
	char *copy = xmalloc(len > 0 ? len : 1);

	if (len > 0)
		memcpy(copy, data, len);
	w->cbfunc(status, copy, len, w->cbdata, release_copy, copy);
	free(w);
}

/* Whether the fence's participants cover every node of the step. */
static bool
fence_spans_step(const struct mpi_pmix *p, const pmix_proc_t procs[], size_t nprocs)
{
	bool *seen;
	uint32_t nseen = 0;
	bool ok = true;

	if (procs == NULL || nprocs == 0)
		return true; /* no list: the whole namespace */
	seen = xcalloc(p->nnodes, sizeof(*seen));
	for (size_t i = 0; i < nprocs && ok && nseen < p->nnodes; i++) {
		if (!PMIX_CHECK_NSPACE(procs[i].nspace, p->nspace)) {
			ok = false;
		} else if (procs[i].rank == PMIX_RANK_WILDCARD) {
			nseen = p->nnodes;
		} else if (procs[i].rank >= p->ntasks) {
			ok = false;
		} else if (!seen[p->node_of[procs[i].rank]]) {
			seen[p->node_of[procs[i].rank]] = true;
			nseen++;
		}
	}
	free(seen);
	return ok && nseen == p->nnodes;
}

/* libpmix thread: every local participant of a fence has called it. */
static pmix_status_t
host_fence_nb(const pmix_proc_t procs[], size_t nprocs, const pmix_info_t info[], size_t ninfo, char *data,
    size_t ndata, pmix_modex_cbfunc_t cbfunc, void *cbdata)
{
	struct mpi_pmix *p = pmix_current;
	uint64_t seq;

	if (p == NULL)
		return PMIX_ERR_INIT;
	if (!fence_spans_step(p, procs, nprocs)) {
		log_warnx("step %u.%u: pmix: a fence over part of the step is not supported", p->job_id,
		    p->step_id);
		return PMIX_ERR_NOT_SUPPORTED;
	}
	/* Every node reaches the step's fences in the same order, so a local
	 * counter names the same fence on every node.  The data is sent
	 * whether or not PMIX_COLLECT_DATA was asked: libpmix packs only what
	 * must travel, and unpacks the concatenation either way. */
	pthread_mutex_lock(&p->lock);
	seq = p->fence_seq++;
	wait_add(p, &p->fences, seq, cbfunc, cbdata);
	pthread_mutex_unlock(&p->lock);
	queue_msg(p, MPI_PMIX_FENCE_CONTRIB, 0, seq, NULL, 0, data, ndata);
	return PMIX_SUCCESS;
}

/* libpmix thread: a local task wants the modex data of a remote rank. */
static pmix_status_t
host_direct_modex(
    const pmix_proc_t *proc, const pmix_info_t info[], size_t ninfo, pmix_modex_cbfunc_t cbfunc, void *cbdata)
{
	struct mpi_pmix *p = pmix_current;
	uint32_t node, rank_be;
	uint64_t seq;

	if (p == NULL)
		return PMIX_ERR_INIT;
	if (!PMIX_CHECK_NSPACE(proc->nspace, p->nspace) || proc->rank >= p->ntasks)
		return PMIX_ERR_NOT_FOUND;
	node = p->node_of[proc->rank];
	if (node == p->node_id)
		return PMIX_ERR_NOT_FOUND; /* local data is libpmix's own */
	pthread_mutex_lock(&p->lock);
	seq = p->dmdx_seq++;
	wait_add(p, &p->dmdx, seq, cbfunc, cbdata);
	pthread_mutex_unlock(&p->lock);
	rank_be = htonl(proc->rank);
	queue_msg(p, MPI_PMIX_DMDX_REQ, node, seq, &rank_be, sizeof(rank_be), NULL, 0);
	return PMIX_SUCCESS;
}

/* libpmix thread: a local task called PMIx_Abort (MPI_Abort). */
static pmix_status_t
host_abort(const pmix_proc_t *proc, void *server_object, int status, const char msg[], pmix_proc_t procs[],
    size_t nprocs, pmix_op_cbfunc_t cbfunc, void *cbdata)
{
	struct mpi_pmix *p = pmix_current;
	uint32_t status_be = htonl((uint32_t)status);

	if (p == NULL)
		return PMIX_ERR_INIT;
	log_info("step %u.%u: pmix: rank %u aborted with status %d: %s", p->job_id, p->step_id, proc->rank,
	    status, msg != NULL ? msg : "");
	queue_msg(p, MPI_PMIX_ABORT, 0, 0, &status_be, sizeof(status_be), msg, msg != NULL ? strlen(msg) : 0);
	return PMIX_OPERATION_SUCCEEDED; /* the task may go on to exit */
}

/* libpmix thread: the answer to a direct modex request from another node. */
static void
dmdx_answer(pmix_status_t status, char *data, size_t sz, void *cbdata)
{
	struct dmdx_ctx *ctx = cbdata;
	uint32_t status_be = htonl((uint32_t)status);

	queue_msg(ctx->p, MPI_PMIX_DMDX_RESP, ctx->src_node, ctx->seq, &status_be, sizeof(status_be),
	    status == PMIX_SUCCESS ? data : NULL, status == PMIX_SUCCESS ? sz : 0);
	free(ctx);
}

static void
dmdx_request(struct mpi_pmix *p, uint32_t src_node, uint64_t seq, const void *data, size_t len)
{
	uint32_t rank_be, status_be;
	pmix_status_t rc = PMIX_ERR_BAD_PARAM;
	struct dmdx_ctx *ctx;
	pmix_proc_t proc;

	if (len == sizeof(rank_be)) {
		memcpy(&rank_be, data, sizeof(rank_be));
		PMIX_LOAD_PROCID(&proc, p->nspace, ntohl(rank_be));
		rc = PMIX_ERR_NOT_FOUND;
		if (proc.rank < p->ntasks && p->node_of[proc.rank] == p->node_id) {
			ctx = xmalloc(sizeof(*ctx));
			ctx->p = p;
			ctx->src_node = src_node;
			ctx->seq = seq;
			/* libpmix answers once the rank has committed its data */
			rc = PMIx_server_dmodex_request(&proc, dmdx_answer, ctx);
			if (rc == PMIX_SUCCESS)
				return;
			free(ctx);
		}
	}
	log_warnx("step %u.%u: pmix: direct modex request from node %u: %s", p->job_id, p->step_id, src_node,
	    PMIx_Error_string(rc));
	status_be = htonl((uint32_t)rc);
	queue_msg(p, MPI_PMIX_DMDX_RESP, src_node, seq, &status_be, sizeof(status_be), NULL, 0);
}

void
mpi_pmix_recv(struct mpi_pmix *p, enum mpi_pmix_kind kind, uint32_t src_node, uint64_t seq, const void *data,
    size_t len)
{
	struct pmix_wait *w;
	uint32_t status_be;

	switch (kind) {
	case MPI_PMIX_FENCE_RESULT:
		pthread_mutex_lock(&p->lock);
		w = wait_take(&p->fences, seq);
		pthread_mutex_unlock(&p->lock);
		if (w == NULL) {
			log_warnx("step %u.%u: pmix: result of unknown fence %llu", p->job_id, p->step_id,
			    (unsigned long long)seq);
			return;
		}
		wait_complete(w, PMIX_SUCCESS, data, len);
		return;
	case MPI_PMIX_DMDX_REQ:
		dmdx_request(p, src_node, seq, data, len);
		return;
	case MPI_PMIX_DMDX_RESP:
		pthread_mutex_lock(&p->lock);
		w = wait_take(&p->dmdx, seq);
		pthread_mutex_unlock(&p->lock);
		if (w == NULL || len < sizeof(status_be)) {
			log_warnx("step %u.%u: pmix: unexpected direct modex answer %llu from node %u",
			    p->job_id, p->step_id, (unsigned long long)seq, src_node);
			if (w != NULL)
				wait_complete(w, PMIX_ERR_BAD_PARAM, NULL, 0);
			return;
		}
		memcpy(&status_be, data, sizeof(status_be));
		wait_complete(w, (pmix_status_t)ntohl(status_be), (const char *)data + sizeof(status_be),
		    len - sizeof(status_be));
		return;
	case MPI_PMIX_FENCE_CONTRIB:
	case MPI_PMIX_ABORT:
		break;
	}
	log_warnx("step %u.%u: pmix: unexpected message kind %d from node %u", p->job_id, p->step_id,
	    (int)kind, src_node);
}

int
mpi_pmix_fd(const struct mpi_pmix *p)
{
	return p->pipe_rd;
}

void
mpi_pmix_dispatch(struct mpi_pmix *p)
{
	char buf[64];
	struct pmix_msg *m;

	while (read(p->pipe_rd, buf, sizeof(buf)) > 0)
		;
	for (;;) {
		pthread_mutex_lock(&p->lock);
		m = p->out;
		if (m != NULL) {
			p->out = m->next;
			if (p->out == NULL)
				p->out_tail = &p->out;
		}
		pthread_mutex_unlock(&p->lock);
		if (m == NULL)
			return;
		p->send(p->arg, m->kind, m->dest, m->seq, m->data, m->len);
		free(m);
	}
}

/* Replaces or appends "NAME=value" in an xmalloc'd, NULL-terminated env. */
static void
env_put(char ***env, size_t *env_cnt, const char *var)
{
	size_t namelen = strcspn(var, "=");

	for (size_t i = 0; i < *env_cnt; i++) {
		if (strncmp((*env)[i], var, namelen) == 0 && (*env)[i][namelen] == '=') {
			free((*env)[i]);
			(*env)[i] = xstrdup(var);
			return;
		}
	}
	*env = xreallocarray(*env, *env_cnt + 2, sizeof(**env));
	(*env)[(*env_cnt)++] = xstrdup(var);
	(*env)[*env_cnt] = NULL;
}

int
mpi_pmix_task_env(struct mpi_pmix *p, uint32_t local_id, char ***env, size_t *env_cnt)
{
	char **penv;
	pmix_proc_t proc;
	pmix_status_t rc;

	if (local_id >= p->local_cnt) {
		errno = EINVAL;
		return -1;
	}
	/* libpmix grows this array with its own allocator (malloc) */
	penv = calloc(1, sizeof(*penv));
	if (penv == NULL)
		return -1;
	PMIX_LOAD_PROCID(&proc, p->nspace, p->local[local_id]);
	rc = PMIx_server_setup_fork(&proc, &penv);
	if (rc == PMIX_SUCCESS) {
		for (size_t i = 0; penv[i] != NULL; i++)
			env_put(env, env_cnt, penv[i]);
	} else {
		log_warnx("step %u.%u: pmix: environment of rank %u: %s", p->job_id, p->step_id, proc.rank,
		    PMIx_Error_string(rc));
	}
	for (size_t i = 0; penv != NULL && penv[i] != NULL; i++)
		free(penv[i]);
	free(penv);
	if (rc != PMIX_SUCCESS) {
		errno = EIO;
		return -1;
	}
	return 0;
}

/* Checks the step's task layout and fills node_of and local. */
static int
layout_load(struct mpi_pmix *p, const struct mpi_pmix_step *st, char *err, size_t errlen)
{
	uint64_t total = 0;

	if (st->nnodes == 0 || st->node_id >= st->nnodes || st->ntasks == 0) {
		set_err(err, errlen, "pmix: bad step layout (%u nodes, node %u, %u tasks)", st->nnodes,
		    st->node_id, st->ntasks);
		return -1;
	}
	p->node_of = xmalloc(st->ntasks * sizeof(*p->node_of));
	for (uint32_t r = 0; r < st->ntasks; r++)
		p->node_of[r] = UINT32_MAX;
	for (uint32_t n = 0; n < st->nnodes; n++) {
		if (st->task_cnt[n] == 0) {
			set_err(err, errlen, "pmix: node %s of the step has no task", st->node_names[n]);
			return -1;
		}
		total += st->task_cnt[n];
		for (uint32_t i = 0; i < st->task_cnt[n]; i++) {
			uint32_t r = st->tids[n][i];
			if (r >= st->ntasks || p->node_of[r] != UINT32_MAX ||
			    (i > 0 && r <= st->tids[n][i - 1])) {
				set_err(err, errlen, "pmix: bad rank %u on node %s", r, st->node_names[n]);
				return -1;
			}
			p->node_of[r] = n;
		}
	}
	if (total != st->ntasks) {
		set_err(err, errlen, "pmix: %llu ranks placed, the step has %u", (unsigned long long)total,
		    st->ntasks);
		return -1;
	}
	p->local_cnt = st->task_cnt[st->node_id];
	p->local = xmalloc(p->local_cnt * sizeof(*p->local));
	for (uint32_t i = 0; i < p->local_cnt; i++)
		p->local[i] = st->tids[st->node_id][i];
	return 0;
}

/* "a,b,c" of the node names, and "0,1;2,3" of the ranks per node. */
static void
layout_strings(const struct mpi_pmix_step *st, char **nodes, char **ppn)
{
	size_t nlen = 1, plen = 1;
	char *n, *r;

	for (uint32_t i = 0; i < st->nnodes; i++)
		nlen += strlen(st->node_names[i]) + 1;
	plen += (size_t)st->ntasks * 11 + st->nnodes;
	n = *nodes = xmalloc(nlen);
	r = *ppn = xmalloc(plen);
	*n = *r = '\0';
	for (uint32_t i = 0; i < st->nnodes; i++) {
		n += sprintf(n, "%s%s", i > 0 ? "," : "", st->node_names[i]);
		for (uint32_t j = 0; j < st->task_cnt[i]; j++)
			r += sprintf(r, "%s%u", i > 0 && j == 0 ? ";" : j > 0 ? "," : "", st->tids[i][j]);
	}
}

/* Adds one rank's PMIX_PROC_INFO_ARRAY entry to the namespace's info list. */
static pmix_status_t
proc_info_add(void *list, const struct mpi_pmix_step *st, uint32_t node, uint32_t local_rank)
{
	void *pl = PMIx_Info_list_start();
	pmix_rank_t rank = st->tids[node][local_rank], zero = 0;
	uint16_t lrank = (uint16_t)local_rank;
	uint32_t appnum = 0;
	pmix_data_array_t da;
	pmix_status_t rc;

	if (pl == NULL)
		return PMIX_ERR_NOMEM;
	/* the rank must come first */
	if ((rc = PMIx_Info_list_add(pl, PMIX_RANK, &rank, PMIX_PROC_RANK)) != PMIX_SUCCESS ||
	    (rc = PMIx_Info_list_add(pl, PMIX_GLOBAL_RANK, &rank, PMIX_PROC_RANK)) != PMIX_SUCCESS ||
	    (rc = PMIx_Info_list_add(pl, PMIX_APP_RANK, &rank, PMIX_PROC_RANK)) != PMIX_SUCCESS ||
	    (rc = PMIx_Info_list_add(pl, PMIX_APPNUM, &appnum, PMIX_UINT32)) != PMIX_SUCCESS ||
	    (rc = PMIx_Info_list_add(pl, PMIX_APPLDR, &zero, PMIX_PROC_RANK)) != PMIX_SUCCESS ||
	    (rc = PMIx_Info_list_add(pl, PMIX_LOCAL_RANK, &lrank, PMIX_UINT16)) != PMIX_SUCCESS ||
	    (rc = PMIx_Info_list_add(pl, PMIX_NODE_RANK, &lrank, PMIX_UINT16)) != PMIX_SUCCESS ||
	    (rc = PMIx_Info_list_add(pl, PMIX_NODEID, &node, PMIX_UINT32)) != PMIX_SUCCESS ||
	    (rc = PMIx_Info_list_add(pl, PMIX_HOSTNAME, st->node_names[node], PMIX_STRING)) != PMIX_SUCCESS)
		goto out;
	if ((rc = PMIx_Info_list_convert(pl, &da)) != PMIX_SUCCESS)
		goto out;
	rc = PMIx_Info_list_add(list, PMIX_PROC_INFO_ARRAY, &da, PMIX_DATA_ARRAY);
	PMIx_Data_array_destruct(&da);
out:
	PMIx_Info_list_release(pl);
	return rc;
}

/* The namespace's job-, node- and process-level information. */
static pmix_status_t
nspace_info(const struct mpi_pmix *p, const struct mpi_pmix_step *st, pmix_data_array_t *out)
{
	void *list = PMIx_Info_list_start();
	char *nodes = NULL, *ppn = NULL, *node_rx = NULL, *ppn_rx = NULL, *peers, *jobid, *s;
	uint32_t one = 1, lsize = p->local_cnt;
	pmix_rank_t lldr = p->local[0];
	bool yes = true, no = false;
	pmix_status_t rc;

	if (list == NULL)
		return PMIX_ERR_NOMEM;
	layout_strings(st, &nodes, &ppn);
	peers = s = xmalloc((size_t)p->local_cnt * 11 + 1);
	*s = '\0';
	for (uint32_t i = 0; i < p->local_cnt; i++)
		s += sprintf(s, "%s%u", i > 0 ? "," : "", p->local[i]);
	jobid = xasprintf("%u.%u", p->job_id, p->step_id);
	if ((rc = PMIx_generate_regex(nodes, &node_rx)) != PMIX_SUCCESS ||
	    (rc = PMIx_generate_ppn(ppn, &ppn_rx)) != PMIX_SUCCESS)
		goto out;
	/* job level */
	if ((rc = PMIx_Info_list_add(list, PMIX_JOBID, jobid, PMIX_STRING)) != PMIX_SUCCESS ||
	    (rc = PMIx_Info_list_add(list, PMIX_UNIV_SIZE, &st->ntasks, PMIX_UINT32)) != PMIX_SUCCESS ||
	    (rc = PMIx_Info_list_add(list, PMIX_JOB_SIZE, &st->ntasks, PMIX_UINT32)) != PMIX_SUCCESS ||
	    (rc = PMIx_Info_list_add(list, PMIX_MAX_PROCS, &st->ntasks, PMIX_UINT32)) != PMIX_SUCCESS ||
	    (rc = PMIx_Info_list_add(list, PMIX_APP_SIZE, &st->ntasks, PMIX_UINT32)) != PMIX_SUCCESS ||
	    (rc = PMIx_Info_list_add(list, PMIX_JOB_NUM_APPS, &one, PMIX_UINT32)) != PMIX_SUCCESS ||
	    (rc = PMIx_Info_list_add(list, PMIX_NUM_NODES, &st->nnodes, PMIX_UINT32)) != PMIX_SUCCESS ||
	    (rc = PMIx_Info_list_add(list, PMIX_SPAWNED, &no, PMIX_BOOL)) != PMIX_SUCCESS ||
	    (rc = PMIx_Info_list_add(list, PMIX_NODE_MAP, node_rx, PMIX_REGEX)) != PMIX_SUCCESS ||
	    (rc = PMIx_Info_list_add(list, PMIX_PROC_MAP, ppn_rx, PMIX_REGEX)) != PMIX_SUCCESS ||
	    (rc = PMIx_Info_list_add(list, PMIX_TMPDIR, st->tmpdir, PMIX_STRING)) != PMIX_SUCCESS ||
	    (rc = PMIx_Info_list_add(list, PMIX_NSDIR, st->tmpdir, PMIX_STRING)) != PMIX_SUCCESS ||
	    (rc = PMIx_Info_list_add(list, PMIX_TDIR_RMCLEAN, &yes, PMIX_BOOL)) != PMIX_SUCCESS)
		goto out;
	/* this node */
	if ((rc = PMIx_Info_list_add(list, PMIX_HOSTNAME, st->node_names[p->node_id], PMIX_STRING)) !=
	        PMIX_SUCCESS ||
	    (rc = PMIx_Info_list_add(list, PMIX_NODEID, &p->node_id, PMIX_UINT32)) != PMIX_SUCCESS ||
	    (rc = PMIx_Info_list_add(list, PMIX_LOCAL_PEERS, peers, PMIX_STRING)) != PMIX_SUCCESS ||
	    (rc = PMIx_Info_list_add(list, PMIX_LOCAL_SIZE, &lsize, PMIX_UINT32)) != PMIX_SUCCESS ||
	    (rc = PMIx_Info_list_add(list, PMIX_NODE_SIZE, &lsize, PMIX_UINT32)) != PMIX_SUCCESS ||
	    (rc = PMIx_Info_list_add(list, PMIX_LOCALLDR, &lldr, PMIX_PROC_RANK)) != PMIX_SUCCESS)
		goto out;
	/* every rank of the step */
	for (uint32_t n = 0; n < st->nnodes && rc == PMIX_SUCCESS; n++)
		for (uint32_t i = 0; i < st->task_cnt[n] && rc == PMIX_SUCCESS; i++)
			rc = proc_info_add(list, st, n, i);
	if (rc == PMIX_SUCCESS)
		rc = PMIx_Info_list_convert(list, out);
out:
	PMIx_Info_list_release(list);
	free(nodes);
	free(ppn);
	free(node_rx);
	free(ppn_rx);
	free(peers);
	free(jobid);
	return rc;
}

/* The directory for libpmix's files: the tasks (uid:gid) must reach it. */
static int
tmpdir_prepare(const struct mpi_pmix_step *st, char *err, size_t errlen)
{
	struct stat sb;

	if (mkdir(st->tmpdir, 0700) < 0 && errno != EEXIST) {
		set_err(err, errlen, "pmix: mkdir %s: %s", st->tmpdir, strerror(errno));
		return -1;
	}
	if (lstat(st->tmpdir, &sb) < 0 || !S_ISDIR(sb.st_mode)) {
		set_err(err, errlen, "pmix: %s is not a directory", st->tmpdir);
		errno = ENOTDIR;
		return -1;
	}
	if (geteuid() == 0 && (sb.st_uid != st->uid || sb.st_gid != st->gid) &&
	    chown(st->tmpdir, st->uid, st->gid) < 0) {
		set_err(err, errlen, "pmix: chown %s: %s", st->tmpdir, strerror(errno));
		return -1;
	}
	if (chmod(st->tmpdir, 0700) < 0) {
		set_err(err, errlen, "pmix: chmod %s: %s", st->tmpdir, strerror(errno));
		return -1;
	}
	return 0;
}

static pmix_status_t
server_start(struct mpi_pmix *p, const struct mpi_pmix_step *st)
{
	static pmix_server_module_t module = {
	    .abort = host_abort,
	    .fence_nb = host_fence_nb,
	    .direct_modex = host_direct_modex,
	};
	void *list = PMIx_Info_list_start();
	char *srv_ns = xasprintf("herd.stepd.%u.%u", p->job_id, p->step_id);
	pmix_rank_t srv_rank = p->node_id;
	bool no = false;
	pmix_data_array_t da = {0};
	pmix_status_t rc;

	if (list == NULL) {
		free(srv_ns);
		return PMIX_ERR_NOMEM;
	}
	/* Keep every file in the step's directory, own nothing system-wide;
	 * USERID/GRPID make libpmix give the tasks' user its shared-memory
	 * store when the supervisor runs as root. */
	if ((rc = PMIx_Info_list_add(list, PMIX_SERVER_TMPDIR, st->tmpdir, PMIX_STRING)) != PMIX_SUCCESS ||
	    (rc = PMIx_Info_list_add(list, PMIX_SYSTEM_TMPDIR, st->tmpdir, PMIX_STRING)) != PMIX_SUCCESS ||
	    (rc = PMIx_Info_list_add(list, PMIX_SERVER_TOOL_SUPPORT, &no, PMIX_BOOL)) != PMIX_SUCCESS ||
	    (rc = PMIx_Info_list_add(list, PMIX_SERVER_SYSTEM_SUPPORT, &no, PMIX_BOOL)) != PMIX_SUCCESS ||
	    (rc = PMIx_Info_list_add(list, PMIX_SERVER_NSPACE, srv_ns, PMIX_STRING)) != PMIX_SUCCESS ||
	    (rc = PMIx_Info_list_add(list, PMIX_SERVER_RANK, &srv_rank, PMIX_PROC_RANK)) != PMIX_SUCCESS ||
	    (rc = PMIx_Info_list_add(list, PMIX_HOSTNAME, st->node_names[p->node_id], PMIX_STRING)) !=
	        PMIX_SUCCESS ||
	    (rc = PMIx_Info_list_add(list, PMIX_USERID, &p->uid, PMIX_UINT32)) != PMIX_SUCCESS ||
	    (rc = PMIx_Info_list_add(list, PMIX_GRPID, &p->gid, PMIX_UINT32)) != PMIX_SUCCESS ||
	    (rc = PMIx_Info_list_convert(list, &da)) != PMIX_SUCCESS)
		goto out;
	rc = PMIx_server_init(&module, da.array, da.size);
	PMIx_Data_array_destruct(&da);
out:
	PMIx_Info_list_release(list);
	free(srv_ns);
	return rc;
}

static pmix_status_t
nspace_register(struct mpi_pmix *p, const struct mpi_pmix_step *st)
{
	pmix_data_array_t da = {0};
	struct pmix_sync sync;
	pmix_status_t rc;

	if ((rc = nspace_info(p, st, &da)) != PMIX_SUCCESS)
		return rc;
	sync_init(&sync);
	rc = sync_wait(&sync,
	    PMIx_server_register_nspace(p->nspace, (int)p->local_cnt, da.array, da.size, sync_cb, &sync));
	PMIx_Data_array_destruct(&da);
	if (rc != PMIX_SUCCESS)
		return rc;
	p->nspace_up = true;
	for (uint32_t i = 0; i < p->local_cnt && rc == PMIX_SUCCESS; i++) {
		pmix_proc_t proc;

		PMIX_LOAD_PROCID(&proc, p->nspace, p->local[i]);
		sync_init(&sync);
		rc = sync_wait(
		    &sync, PMIx_server_register_client(&proc, p->uid, p->gid, NULL, sync_cb, &sync));
	}
	return rc;
}

struct mpi_pmix *
mpi_pmix_create(const struct mpi_pmix_step *st, mpi_pmix_send_fn *send, void *arg, char *err, size_t errlen)
{
	struct mpi_pmix *p;
	int fds[2];
	pmix_status_t rc;
	char ns[PMIX_MAX_NSLEN + 1];

	if (pmix_current != NULL) {
		set_err(err, errlen, "pmix: a PMIx server already runs in this process");
		errno = EBUSY;
		return NULL;
	}
	p = xcalloc(1, sizeof(*p));
	p->send = send;
	p->arg = arg;
	p->job_id = st->job_id;
	p->step_id = st->step_id;
	p->uid = st->uid;
	p->gid = st->gid;
	p->nnodes = st->nnodes;
	p->node_id = st->node_id;
	p->ntasks = st->ntasks;
	p->pipe_rd = p->pipe_wr = -1;
	p->out_tail = &p->out;
	pthread_mutex_init(&p->lock, NULL);
	snprintf(ns, sizeof(ns), "herd.pmix.%u.%u", st->job_id, st->step_id);
	PMIX_LOAD_NSPACE(p->nspace, ns);
	if (layout_load(p, st, err, errlen) < 0) {
		errno = EINVAL;
		goto fail;
	}
	if (tmpdir_prepare(st, err, errlen) < 0)
		goto fail;
	if (pipe2(fds, O_CLOEXEC | O_NONBLOCK) < 0) {
		set_err(err, errlen, "pmix: pipe: %s", strerror(errno));
		goto fail;
	}
	p->pipe_rd = fds[0];
	p->pipe_wr = fds[1];
	pmix_current = p;
	rc = server_start(p, st);
	if (rc != PMIX_SUCCESS) {
		set_err(err, errlen, "pmix: PMIx_server_init: %s", PMIx_Error_string(rc));
		errno = EIO;
		goto fail;
	}
	p->server_up = true;
	rc = nspace_register(p, st);
	if (rc != PMIX_SUCCESS) {
		set_err(err, errlen, "pmix: registering step %u.%u: %s", st->job_id, st->step_id,
		    PMIx_Error_string(rc));
		errno = EIO;
		goto fail;
	}
	return p;
fail:
	mpi_pmix_destroy(p);
	return NULL;
}

/* Fails a list of waits; lock not held (the callbacks may re-enter libpmix). */
static void
waits_fail(struct pmix_wait *w)
{
	while (w != NULL) {
		struct pmix_wait *next = w->next;
		wait_complete(w, PMIX_ERR_UNREACH, NULL, 0);
		w = next;
	}
}

void
mpi_pmix_destroy(struct mpi_pmix *p)
{
	struct pmix_wait *fences, *dmdx;
	struct pmix_msg *m;
	int saved = errno;

	if (p == NULL)
		return;
	pthread_mutex_lock(&p->lock);
	fences = p->fences;
	dmdx = p->dmdx;
	p->fences = p->dmdx = NULL;
	pthread_mutex_unlock(&p->lock);
	if (p->server_up) {
		waits_fail(fences);
		waits_fail(dmdx);
		if (p->nspace_up) {
			struct pmix_sync sync;

			sync_init(&sync);
			PMIx_server_deregister_nspace(p->nspace, sync_cb, &sync);
			sync_wait(&sync, PMIX_SUCCESS);
		}
		PMIx_server_finalize();
		/* requests made after the lists were taken (tasks still alive) */
		for (struct pmix_wait **lp = &p->fences; lp != NULL;
		     lp = lp == &p->fences ? &p->dmdx : NULL) {
			while (*lp != NULL) {
				struct pmix_wait *w = *lp;
				*lp = w->next;
				free(w);
			}
		}
	}
	if (pmix_current == p)
		pmix_current = NULL;
	while ((m = p->out) != NULL) {
		p->out = m->next;
		free(m);
	}
	if (p->pipe_rd >= 0)
		close(p->pipe_rd);
	if (p->pipe_wr >= 0)
		close(p->pipe_wr);
	pthread_mutex_destroy(&p->lock);
	free(p->node_of);
	free(p->local);
	free(p);
	errno = saved;
}

#endif /* HERD_HAVE_PMIX */

/* SPDX-License-Identifier: MIT */
/*
 * Job allocations for srun and salloc (see allocreq.h).
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "allocreq.h"
#include "base/xmalloc.h"
#include "layout/layout.h"
#include "net/net.h"
#include "proto/jobflags.h"
#include "proto/stepflags.h"
#include "timefmt/timefmt.h"

static int
is_salloc(const char *prog)
{
	return strcmp(prog, "salloc") == 0;
}

static void
revoked_msg(const char *prog, uint32_t id)
{
	fprintf(stderr, "%s: Job allocation %u has been revoked%s\n", prog, id, is_salloc(prog) ? "." : "");
}

int
allocreq_get(struct client *c, const char *prog, struct job_desc *d, int quiet, volatile sig_atomic_t *stop,
    struct allocreq *a)
{
	memset(a, 0, sizeof(*a));
	a->fd = -1;
	d->batch = 0;
	struct msg resp;
	int rc = client_rpc(c, REQ_SUBMIT_BATCH, d, &resp);
	if (rc < 0) {
		client_perror_conn(
		    c, is_salloc(prog) ? "Job submit/allocate failed" : "Unable to allocate resources");
		return -1;
	}
	struct submit_resp *r = rc == 0 ? resp.body : NULL;
	if (rc != 0 || r->rc != 0) {
		int code = rc ? rc : r->rc;
		fprintf(stderr, "%s: error: %s: %s\n", prog,
		    is_salloc(prog) ? "Job submit/allocate failed" : "Unable to allocate resources",
		    herd_strerror(code));
		if (rc == 0)
			msg_free(&resp);
		return -1;
	}
	a->job_id = r->job_id;
	int waiting = (r->state & JOB_STATE_BASE) == JOB_PENDING;
	if (waiting && !quiet) {
		if (is_salloc(prog))
			fprintf(stderr, "salloc: Pending job allocation %u\n", a->job_id);
		if (r->reason == WAIT_PART_CONFIG || r->reason == WAIT_PART_NODE_LIMIT)
			fprintf(stderr, "%s: Requested partition configuration not available now\n", prog);
		fprintf(stderr, "%s: job %u queued and waiting for resources\n", prog, a->job_id);
	}
	msg_free(&resp);
	/* the connection stays ours: the grant and a revocation come on it */
	a->fd = c->fd;
	c->fd = -1;
	int64_t deadline = 0;
	if (d->immediate && d->immediate != NO_VAL)
		deadline = (int64_t)time(NULL) + (d->immediate > 1 ? d->immediate : 1);
	for (;;) {
		if (stop && *stop) {
			allocreq_release(c, a, 0, 1);
			revoked_msg(prog, a->job_id);
			return -1;
		}
		if (deadline && time(NULL) >= deadline) {
			allocreq_release(c, a, 0, 1);
			fprintf(stderr, "%s: error: Unable to allocate resources: %s\n", prog,
			    herd_strerror(ESLURM_NODES_BUSY));
			return -1;
		}
		struct pollfd p = {a->fd, POLLIN, 0};
		if (poll(&p, 1, 200) <= 0)
			continue;
		struct msg m;
		int r2 = net_recv_msg(a->fd, NULL, 0, 5000, &m);
		if (r2 != 0) {
			fprintf(
			    stderr, "%s: error: lost the connection to the controller while waiting\n", prog);
			return -1;
		}
		if (m.type != RESP_ALLOC) {
			msg_free(&m);
			continue;
		}
		struct job_info *ji = m.body;
		m.body = NULL;
		if ((ji->state & JOB_STATE_BASE) != JOB_RUNNING) {
			revoked_msg(prog, a->job_id);
			proto_destroy(&rdesc_job_info, ji);
			close(a->fd);
			a->fd = -1;
			return -1;
		}
		a->ji = ji;
		break;
	}
	if (!quiet) {
		if (waiting)
			fprintf(stderr, "%s: job %u has been allocated resources\n", prog, a->job_id);
		if (is_salloc(prog))
			fprintf(stderr, "salloc: Granted job allocation %u\n", a->job_id);
	}
	return 0;
}

int
allocreq_revoked(struct allocreq *a)
{
	if (a->fd < 0)
		return 0;
	struct pollfd p = {a->fd, POLLIN, 0};
	if (poll(&p, 1, 0) <= 0)
		return 0;
	struct msg m;
	if (net_recv_msg(a->fd, NULL, 0, 1000, &m) != 0) {
		close(a->fd);
		a->fd = -1;
		return 0; /* the controller went away; the job did not */
	}
	int revoked = 0;
	if (m.type == RESP_ALLOC) {
		struct job_info *ji = m.body;
		revoked = (ji->state & JOB_STATE_BASE) != JOB_RUNNING;
	}
	msg_free(&m);
	if (revoked) {
		close(a->fd);
		a->fd = -1;
		a->revoked = 1;
	}
	return revoked;
}

int
allocreq_release(struct client *c, struct allocreq *a, uint32_t status, int cancelled)
{
	struct step_complete sc = {
	    .job_id = a->job_id, .step_id = NO_VAL, .status = status, .flags = cancelled ? 1 : 0};
	struct msg resp;
	int rc = -1;
	/* a controller that restarts meanwhile still gets it */
	for (int i = 0; i < 50 && rc < 0; i++) {
		rc = client_rpc(c, REQ_ALLOC_DONE, &sc, &resp);
		if (rc < 0) {
			struct timespec ts = {0, 200000000};
			nanosleep(&ts, NULL);
		}
	}
	if (rc == 0)
		msg_free(&resp);
	if (a->fd >= 0) {
		close(a->fd);
		a->fd = -1;
	}
	return rc == 0 ? 0 : -1;
}

void
allocreq_free(struct allocreq *a)
{
	if (a->fd >= 0)
		close(a->fd);
	a->fd = -1;
	proto_destroy(&rdesc_job_info, a->ji);
	a->ji = NULL;
}

/* "2(x3),1" -> counts; returns how many values */
static uint32_t
parse_compressed(const char *s, uint32_t *out, uint32_t max)
{
	uint32_t n = 0;
	while (s && *s && n < max) {
		char *end;
		unsigned long v = strtoul(s, &end, 10);
		unsigned long rep = 1;
		if (*end == '(' && end[1] == 'x') {
			rep = strtoul(end + 2, &end, 10);
			if (*end == ')')
				end++;
		}
		for (unsigned long i = 0; i < rep && n < max; i++)
			out[n++] = (uint32_t)v;
		s = *end == ',' ? end + 1 : end;
		if (*end != ',' && *end != '\0')
			break;
	}
	return n;
}

char *
allocreq_tasks_per_node(const struct job_info *ji)
{
	uint32_t nn = ji->num_nodes ? ji->num_nodes : 1;
	uint32_t *cpus = xcalloc(nn, sizeof(uint32_t));
	parse_compressed(ji->cpus_per_node, cpus, nn);
	uint32_t cpt = ji->cpus_per_task && ji->cpus_per_task != NO_VAL ? ji->cpus_per_task : 1;
	uint32_t *slots = xcalloc(nn, sizeof(uint32_t));
	uint32_t *cnt = xcalloc(nn, sizeof(uint32_t));
	uint32_t **tids = xcalloc(nn, sizeof(uint32_t *));
	for (uint32_t k = 0; k < nn; k++)
		slots[k] = cpus[k] / cpt;
	char *s;
	if (ji->num_tasks && ji->num_tasks != NO_VAL &&
	    layout_tasks(nn, slots, ji->num_tasks, 0, STEP_DIST_BLOCK, 0, cnt, tids) == 0) {
		s = fmt_compressed_counts(cnt, nn);
		for (uint32_t k = 0; k < nn; k++)
			free(tids[k]);
	} else {
		s = fmt_compressed_counts(slots, nn);
	}
	free(cpus);
	free(slots);
	free(cnt);
	free(tids);
	return s;
}

static void setenvf(char ***env, uint32_t *n, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void
setenvf(char ***env, uint32_t *n, const char *name, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *v = xvasprintf(fmt, ap);
	va_end(ap);
	strv_setenv(env, n, name, v);
	free(v);
}

void
allocreq_env(struct client *c, const struct job_info *ji, char ***env, uint32_t *n)
{
	char host[256] = "";
	gethostname(host, sizeof(host) - 1);
	char *dot = strchr(host, '.');
	if (dot)
		*dot = '\0';
	char *tpn = allocreq_tasks_per_node(ji);
	setenvf(env, n, "SLURM_JOB_ID", "%u", ji->job_id);
	setenvf(env, n, "SLURM_JOBID", "%u", ji->job_id);
	strv_setenv(env, n, "SLURM_JOB_NAME", ji->name ? ji->name : "");
	strv_setenv(env, n, "SLURM_JOB_NODELIST", ji->nodes ? ji->nodes : "");
	strv_setenv(env, n, "SLURM_NODELIST", ji->nodes ? ji->nodes : "");
	setenvf(env, n, "SLURM_JOB_NUM_NODES", "%u", ji->num_nodes);
	setenvf(env, n, "SLURM_NNODES", "%u", ji->num_nodes);
	strv_setenv(env, n, "SLURM_JOB_CPUS_PER_NODE", ji->cpus_per_node ? ji->cpus_per_node : "");
	strv_setenv(env, n, "SLURM_TASKS_PER_NODE", tpn);
	if (ji->flags & JOB_DESC_NTASKS_SET) {
		setenvf(env, n, "SLURM_NTASKS", "%u", ji->num_tasks);
		setenvf(env, n, "SLURM_NPROCS", "%u", ji->num_tasks);
	}
	if (ji->flags & JOB_DESC_CPT_SET)
		setenvf(env, n, "SLURM_CPUS_PER_TASK", "%u", ji->cpus_per_task);
	if (ji->mem_per_node != NO_VAL64 && ji->mem_per_node)
		setenvf(env, n, "SLURM_MEM_PER_NODE", "%llu", (unsigned long long)ji->mem_per_node);
	else if (ji->mem_per_cpu != NO_VAL64 && ji->mem_per_cpu)
		setenvf(env, n, "SLURM_MEM_PER_CPU", "%llu", (unsigned long long)ji->mem_per_cpu);
	strv_setenv(env, n, "SLURM_JOB_PARTITION", ji->partition ? ji->partition : "");
	if (ji->account)
		strv_setenv(env, n, "SLURM_JOB_ACCOUNT", ji->account);
	strv_setenv(env, n, "SLURM_JOB_QOS", ji->qos ? ji->qos : "normal");
	strv_setenv(env, n, "SLURM_CLUSTER_NAME", c->conf->cluster_name);
	char *cwd = getcwd(NULL, 0);
	strv_setenv(env, n, "SLURM_SUBMIT_DIR", cwd ? cwd : "/");
	free(cwd);
	strv_setenv(env, n, "SLURM_SUBMIT_HOST", host);
	setenvf(env, n, "SLURM_JOB_UID", "%u", ji->uid);
	strv_setenv(env, n, "SLURM_JOB_USER", ji->user_name ? ji->user_name : "");
	setenvf(env, n, "SLURM_JOB_GID", "%u", ji->gid);
	strv_setenv(env, n, "SLURM_CONF", c->conf->path);
	setenvf(env, n, "SLURM_WORKING_CLUSTER", "%s:%s:%u:9728:109", c->conf->cluster_name,
	    c->conf->ctld_addrs[0], c->conf->ctld_port);
	free(tpn);
}

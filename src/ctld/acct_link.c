/* SPDX-License-Identifier: MIT */
/*
 * herdctld -> herddbd: accounting records, never lost.  With
 * AccountingStorageType=accounting_storage/slurmdbd every change of a job
 * appends the job's whole accounting row to StateSaveLocation/acct.queue
 * (written, like the state journal, before the change is acknowledged to
 * anyone).  A sender on the event loop keeps one connection to herddbd,
 * sends the queue in order with a window of requests in flight and
 * advances acct.offset as herddbd acknowledges.  It runs once per event
 * loop iteration in which rows were queued, and a request (REQ_ACCT_JOBS)
 * carries every row queued so far (up to ACCT_BATCH): herddbd stores
 * each request in one transaction.  herddbd stores a row by
 * key (cluster, job id, submit time), so a row sent again after a crash
 * replaces itself: nothing is lost and nothing is stored twice.  While
 * herddbd or its database is down the queue simply grows.
 *
 * On each connection the controller first registers its cluster
 * (REQ_ACCT_REGISTER: herddbd adds it on first contact) and receives the
 * association tables; herddbd sends them again on this connection after
 * every sacctmgr change (RESP_ACCT_TABLES), handed to assoc.c.
 */
#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "acct/usage.h"
#include "base/log.h"
#include "base/xmalloc.h"
#include "ctld.h"
#include "proto/jobflags.h"
#include "net/net.h"

#define ACCT_WINDOW 64 /* requests in flight */
#define ACCT_BATCH 2000 /* rows in one request at most */
#define ACCT_BATCH_BYTES (4u << 20)
#define ACCT_REGISTER_ID 0xffffffffU /* request id of REQ_ACCT_REGISTER */

struct acct_link {
	struct ctld *c;
	int fd; /* acct.queue, O_APPEND */
	int off_fd; /* acct.offset */
	uint64_t size; /* bytes in the queue file */
	uint64_t acked; /* bytes herddbd has confirmed */
	uint64_t sent; /* bytes sent on the current connection */
	uint64_t *ends; /* end offset of each record in flight, by request */
	uint32_t first_id, next_id;
	struct bufferevent *bev;
	int connected;
	struct event *retry_ev;
	struct event *pump_ev; /* once per loop iteration with new rows */
	int retry_ms;
	int warned;
	int dirty; /* queued records not yet fdatasync'ed */
};

static void acct_pump(struct acct_link *l);

static char *
acct_path(struct ctld *c, const char *name)
{
	return xasprintf("%s/%s", c->conf->state_save_location, name);
}

static int
acct_enabled(const struct herd_conf *cf)
{
	return cf->acct_storage_type != NULL &&
	       strcasecmp(cf->acct_storage_type, "accounting_storage/slurmdbd") == 0;
}

static void
acct_save_offset(struct acct_link *l)
{
	char s[32];
	int n = snprintf(s, sizeof(s), "%llu\n", (unsigned long long)l->acked);
	if (ftruncate(l->off_fd, 0) < 0 || pwrite(l->off_fd, s, (size_t)n, 0) != n)
		log_warn("accounting: cannot save acct.offset");
	/* everything delivered: start the queue over */
	if (l->acked == l->size && l->size > (16u << 20) && l->sent == l->acked) {
		if (ftruncate(l->fd, 0) == 0) {
			l->size = l->acked = l->sent = 0;
			if (ftruncate(l->off_fd, 0) < 0 || pwrite(l->off_fd, "0\n", 2, 0) != 2)
				log_warn("accounting: cannot save acct.offset");
		}
	}
}

static void
acct_disconnect(struct acct_link *l)
{
	if (l->bev)
		bufferevent_free(l->bev);
	l->bev = NULL;
	l->connected = 0;
	l->sent = l->acked; /* unacknowledged records go again */
	l->first_id = l->next_id;
	struct timeval tv = {l->retry_ms / 1000, (l->retry_ms % 1000) * 1000};
	evtimer_add(l->retry_ev, &tv);
	if (l->retry_ms < 5000)
		l->retry_ms *= 2;
}

static void
acct_read_cb(struct bufferevent *bev, void *arg)
{
	struct acct_link *l = arg;
	struct evbuffer *in = bufferevent_get_input(bev);
	for (;;) {
		if (evbuffer_get_length(in) < WIRE_HDR_LEN)
			break;
		unsigned char hdr[WIRE_HDR_LEN];
		evbuffer_copyout(in, hdr, WIRE_HDR_LEN);
		struct wire_hdr h;
		if (wire_hdr_decode(hdr, &h) != 0) {
			acct_disconnect(l);
			return;
		}
		size_t total = WIRE_HDR_LEN + (size_t)h.cred_len + h.body_len;
		if (evbuffer_get_length(in) < total)
			break;
		unsigned char *f = evbuffer_pullup(in, (ssize_t)total);
		struct msg m;
		int rc = wire_decode(NULL, 0, &h, f + WIRE_HDR_LEN, f + WIRE_HDR_LEN + h.cred_len, &m);
		evbuffer_drain(in, total);
		if (rc == 0 && m.type == RESP_ACCT_TABLES) {
			assoc_update(l->c, m.body);
			msg_free(&m);
			continue;
		}
		if (rc == 0 && m.req_id == ACCT_REGISTER_ID && m.type == RESP_RC) {
			log_warnx("accounting: herddbd refused to register cluster %s: %s",
			    l->c->conf->cluster_name, herd_strerror(((struct rc *)m.body)->rc));
			msg_free(&m);
			continue;
		}
		if (rc != 0 || m.type != RESP_RC) {
			msg_free(&m);
			acct_disconnect(l);
			return;
		}
		int result = ((struct rc *)m.body)->rc;
		msg_free(&m);
		if (m.req_id != l->first_id || l->first_id == l->next_id) {
			acct_disconnect(l);
			return;
		}
		if (result != 0) {
			/* the database refused: keep the record, try again later */
			if (!l->warned)
				log_warnx("accounting: herddbd refused a record: %s; queued, will retry",
				    herd_strerror(result));
			l->warned = 1;
			acct_disconnect(l);
			return;
		}
		l->acked = l->ends[l->first_id % ACCT_WINDOW];
		l->first_id++;
		l->warned = 0;
	}
	acct_save_offset(l);
	acct_pump(l);
}

static void
acct_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct acct_link *l = arg;
	if (what & BEV_EVENT_CONNECTED) {
		l->connected = 1;
		l->retry_ms = 100;
		if (l->warned)
			log_info("accounting: connected to herddbd");
		l->warned = 0;
		struct acct_cluster reg = {
		    .name = l->c->conf->cluster_name, .control_port = l->c->conf->ctld_port};
		struct buf b;
		buf_init(&b);
		wire_encode(l->c->auth, REQ_ACCT_REGISTER, ACCT_REGISTER_ID, &reg, &b);
		bufferevent_write(l->bev, b.data, b.len);
		buf_free(&b);
		acct_pump(l);
		return;
	}
	if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR)) {
		if (!l->warned)
			log_warnx("accounting: herddbd at %s:%u unreachable; records are queued",
			    l->c->conf->acct_storage_host ? l->c->conf->acct_storage_host : "localhost",
			    l->c->conf->acct_storage_port);
		l->warned = 1;
		acct_disconnect(l);
	}
}

static void
acct_connect(struct acct_link *l)
{
	const struct herd_conf *cf = l->c->conf;
	const char *host = cf->acct_storage_host ? cf->acct_storage_host : "localhost";
	char addr[300];
	snprintf(addr, sizeof(addr), "%s:%u", strcmp(host, "localhost") == 0 ? "127.0.0.1" : host,
	    cf->acct_storage_port ? cf->acct_storage_port : 6819);
	l->bev = bufferevent_socket_new(l->c->base, -1, BEV_OPT_CLOSE_ON_FREE);
	bufferevent_setcb(l->bev, acct_read_cb, NULL, acct_event_cb, l);
	bufferevent_enable(l->bev, EV_READ | EV_WRITE);
	struct sockaddr_storage ss;
	int sslen = sizeof(ss);
	if (evutil_parse_sockaddr_port(addr, (struct sockaddr *)&ss, &sslen) == 0) {
		if (bufferevent_socket_connect(l->bev, (struct sockaddr *)&ss, sslen) < 0)
			acct_event_cb(l->bev, BEV_EVENT_ERROR, l);
		return;
	}
	/* a host name: resolve it the blocking way, with a short timeout */
	int fd = net_connect(host, cf->acct_storage_port ? cf->acct_storage_port : 6819, 500);
	if (fd < 0) {
		acct_event_cb(l->bev, BEV_EVENT_ERROR, l);
		return;
	}
	net_set_nonblock(fd, 1);
	bufferevent_setfd(l->bev, fd);
	bufferevent_enable(l->bev, EV_READ | EV_WRITE);
	acct_event_cb(l->bev, BEV_EVENT_CONNECTED, l);
}

static void
acct_retry_cb(evutil_socket_t fd, short what, void *arg)
{
	acct_connect(arg);
}

/* Read the record at offset off of the queue into j.  The record's
 * size is in *len.  0, 1 at the end of what is written, -1 when the
 * queue is damaged there. */
static int
acct_read_record(struct acct_link *l, uint64_t off, struct acct_job *j, uint32_t *len)
{
	uint32_t hdr[2];
	if (off >= l->size)
		return 1;
	if (pread(l->fd, hdr, sizeof(hdr), (off_t)off) != (ssize_t)sizeof(hdr) || hdr[0] > WIRE_MAX_BODY ||
	    off + 8 + hdr[0] > l->size)
		return -1;
	char *body = xmalloc(hdr[0] ? hdr[0] : 1);
	int rc = 0;
	if (pread(l->fd, body, hdr[0], (off_t)(off + 8)) != (ssize_t)hdr[0] ||
	    proto_unpack(&rdesc_acct_job, body, hdr[0], j) < 0)
		rc = -1;
	free(body);
	*len = hdr[0];
	return rc;
}

/* Send queued records while the window allows, many to a request. */
static void
acct_pump(struct acct_link *l)
{
	if (!l->connected)
		return;
	while (l->sent < l->size && l->next_id - l->first_id < ACCT_WINDOW) {
		struct acct_jobs batch = {0};
		uint32_t cap = 0;
		uint64_t off = l->sent, bytes = 0;
		int rc = 0;
		while (batch.jobs_cnt < ACCT_BATCH && bytes < ACCT_BATCH_BYTES) {
			struct acct_job j;
			uint32_t len;
			rc = acct_read_record(l, off, &j, &len);
			if (rc != 0)
				break;
			if (batch.jobs_cnt == cap) {
				cap = cap ? cap * 2 : 16;
				batch.jobs = xreallocarray(batch.jobs, cap, sizeof(*batch.jobs));
			}
			batch.jobs[batch.jobs_cnt++] = j;
			off += 8 + (uint64_t)len;
			bytes += len;
		}
		if (batch.jobs_cnt == 0) {
			if (rc < 0) {
				log_warnx("accounting: acct.queue damaged at offset %llu; skipping the rest",
				    (unsigned long long)l->sent);
				l->sent = l->acked = l->size;
				acct_save_offset(l);
			}
			free(batch.jobs);
			return;
		}
		struct buf b;
		buf_init(&b);
		wire_encode(l->c->auth, REQ_ACCT_JOBS, l->next_id, &batch, &b);
		bufferevent_write(l->bev, b.data, b.len);
		buf_free(&b);
		proto_free(&rdesc_acct_jobs, &batch);
		l->sent = off;
		l->ends[l->next_id % ACCT_WINDOW] = l->sent;
		l->next_id++;
	}
}

static void
acct_pump_cb(evutil_socket_t fd, short what, void *arg)
{
	acct_pump(arg);
}

static struct acct_link *
acct_get(struct ctld *c)
{
	return c->acct;
}

int
acct_link_open(struct ctld *c)
{
	if (!acct_enabled(c->conf))
		return 0;
	struct acct_link *l = xcalloc(1, sizeof(*l));
	l->c = c;
	char *q = acct_path(c, "acct.queue"), *o = acct_path(c, "acct.offset");
	l->fd = open(q, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	l->off_fd = open(o, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	free(q);
	free(o);
	if (l->fd < 0 || l->off_fd < 0) {
		log_warn("accounting: cannot open the queue in %s", c->conf->state_save_location);
		if (l->fd >= 0)
			close(l->fd);
		if (l->off_fd >= 0)
			close(l->off_fd);
		free(l);
		return -1;
	}
	struct stat st;
	fstat(l->fd, &st);
	l->size = (uint64_t)st.st_size;
	char s[32] = "";
	ssize_t r = pread(l->off_fd, s, sizeof(s) - 1, 0);
	s[r > 0 ? r : 0] = '\0';
	l->acked = strtoull(s, NULL, 10);
	if (l->acked > l->size)
		l->acked = l->size;
	l->sent = l->acked;
	l->ends = xcalloc(ACCT_WINDOW, sizeof(uint64_t));
	l->retry_ms = 100;
	l->retry_ev = evtimer_new(c->base, acct_retry_cb, l);
	l->pump_ev = event_new(c->base, -1, 0, acct_pump_cb, l);
	c->acct = l;
	assoc_open(c);
	if (l->size > l->acked)
		log_info(
		    "accounting: %llu bytes of records to deliver", (unsigned long long)(l->size - l->acked));
	acct_connect(l);
	return 0;
}

void
acct_link_close(struct ctld *c)
{
	struct acct_link *l = acct_get(c);
	if (l == NULL)
		return;
	if (l->bev)
		bufferevent_free(l->bev);
	event_free(l->retry_ev);
	event_free(l->pump_ev);
	close(l->fd);
	close(l->off_fd);
	free(l->ends);
	free(l);
	c->acct = NULL;
	assoc_close(c);
}

static uint32_t
base_state(const struct job *j)
{
	return j->state & JOB_STATE_BASE;
}

/* The job's accounting row, with its batch step once it has started. */
/* TRES in accounting's numeric form: 1=cpu 2=mem(MB) 4=node 5=billing */
static char *
acct_tres(uint32_t cpus, uint64_t mem_mb, uint32_t nodes)
{
	if (mem_mb)
		return xasprintf("1=%u,2=%llu,4=%u,5=%u", cpus, (unsigned long long)mem_mb, nodes, cpus);
	return xasprintf("1=%u,4=%u,5=%u", cpus, nodes, cpus);
}

static uint64_t
acct_mem_mb(const struct job *j, uint32_t cpus, uint32_t nodes)
{
	const struct job_desc *d = j->desc;
	if (d->mem_per_node != NO_VAL64 && d->mem_per_node != 0)
		return d->mem_per_node * nodes;
	if (d->mem_per_cpu != NO_VAL64 && d->mem_per_cpu != 0)
		return d->mem_per_cpu * cpus;
	return 0;
}

static void
acct_fill(struct ctld *c, const struct job *j, struct acct_job *a, struct acct_step *st, char *tres_req,
    char *tres_alloc, char *tres_step, uint32_t steps_from)
{
	const struct job_desc *d = j->desc;
	memset(a, 0, sizeof(*a));
	a->cluster = c->conf->cluster_name;
	a->job_id = j->id;
	a->array_job_id = j->array_job_id;
	a->array_task_id = j->array_task_id;
	a->name = d->name;
	a->user_name = j->user;
	a->uid = j->uid;
	a->group_name = j->group;
	a->gid = j->gid;
	a->account = d->account;
	a->partition = c->conf->parts[j->part].name;
	a->qos = d->qos;
	a->state = base_state(j);
	a->reason = j->reason;
	a->exit_code = j->exit_code;
	/* only a cancel records who asked for it */
	a->requid = base_state(j) == JOB_CANCELLED ? j->requid : NO_VAL;
	a->restarts = j->restarts;
	a->priority = j->priority;
	a->time_submit = j->submit_time;
	a->time_eligible = j->eligible_time;
	a->time_start = j->start_time;
	a->time_end = job_state_is_finished(j->state) ? j->end_time : 0;
	a->timelimit = j->time_limit;
	a->nodes = j->nodelist;
	a->nnodes = j->node_cnt ? j->node_cnt : j->min_nodes;
	a->ncpus = j->node_cnt ? j->total_cpus : 0;
	a->req_cpus = j->ntasks * j->cpt;
	a->req_mem_mb = acct_mem_mb(j, j->ntasks * j->cpt, j->min_nodes);
	a->req_nodes = j->min_nodes;
	a->tres_req = tres_req;
	a->tres_alloc = j->node_cnt ? tres_alloc : NULL;
	a->work_dir = d->work_dir;
	a->submit_line = d->submit_line;
	a->constraints = d->constraint;
	a->comment = d->comment;
	a->dependency = d->dependency;
	if (j->start_time != 0 && j->node_cnt > 0 && j->desc->batch) {
		memset(st, 0, sizeof(*st));
		st->step_id = STEP_ID_BATCH;
		st->name = (char *)"batch";
		st->nodes = c->nodes[j->node_idx[0]].cfg->name;
		st->nnodes = 1;
		st->ntasks = 1;
		st->ncpus = j->node_cpus[0];
		uint32_t b = base_state(j);
		st->state = b == JOB_TIMEOUT ? JOB_CANCELLED : b;
		st->exit_code = j->exit_code;
		st->requid = NO_VAL;
		st->tres_alloc = tres_step;
		st->time_start = j->start_time;
		st->time_end = job_state_is_finished(j->state) ? j->end_time : 0;
		usage_copy(st, &j->batch_usage, 0);
		usage_set_node(st, st->nodes);
		a->steps_cnt = 1;
	}
	for (const struct step *s = j->steps; s; s = s->next) {
		if (steps_from > 0 && s->acct_change <= steps_from)
			continue;
		struct acct_step *x = &st[a->steps_cnt++];
		memset(x, 0, sizeof(*x));
		x->step_id = s->id;
		x->name = s->name;
		x->nodes = s->nodelist;
		x->nnodes = s->node_cnt;
		x->ntasks = s->ntasks;
		x->ncpus = s->total_cpus;
		x->state = s->state;
		x->exit_code = s->exit_code;
		x->requid = s->state == JOB_CANCELLED ? s->requid : NO_VAL;
		x->time_start = s->start_time;
		x->time_end = s->state == JOB_RUNNING ? 0 : s->end_time;
		usage_copy(x, &s->usage, 0);
		x->tres_alloc = xasprintf("1=%u,4=%u", s->total_cpus, s->node_cnt);
	}
	if (a->steps_cnt > 0)
		a->steps = st;
}

static void acct_job_queue(struct ctld *c, struct job *j, int durable, uint32_t state);

void
acct_job_changed(struct ctld *c, struct job *j)
{
	acct_job_queue(c, j, 1, NO_VAL);
}

/* Steps come and go many times a second inside one job: their rows are
 * queued without holding replies for an fdatasync (the next durable commit
 * covers them; only a machine crash in between could lose one). */
void
acct_step_changed(struct ctld *c, struct job *j)
{
	acct_job_queue(c, j, 0, NO_VAL);
}

/* The run that a requeue ends keeps its own row (submit time is the key):
 * it is closed as REQUEUED before the job goes back to the queue. */
void
acct_job_requeued(struct ctld *c, struct job *j)
{
	int64_t end = j->end_time;
	j->end_time = ctld_now();
	acct_job_queue(c, j, 1, JOB_PENDING | JOB_REQUEUE);
	j->end_time = end;
}

static void
acct_job_queue(struct ctld *c, struct job *j, int durable, uint32_t state)
{
	struct acct_link *l = acct_get(c);
	if (l == NULL)
		return;
	/* only changes accounting shows: not the pending reason or priority */
	uint64_t sig = (uint64_t)base_state(j) * 1000003u ^ (uint64_t)j->start_time * 31u ^
	               (uint64_t)j->end_time * 131u ^ (uint64_t)j->exit_code * 7u ^
	               (uint64_t)j->node_cnt * 17u ^ (uint64_t)j->time_limit * 13u ^
	               (uint64_t)j->restarts * 101u ^ (uint64_t)j->array_task_id * 3u ^
	               (uint64_t)j->array_pending_cnt * 5u ^ (uint64_t)j->eligible_time * 11u ^
	               (uint64_t)j->requid * 19u ^ (uint64_t)j->part * 23u ^
	               (uint64_t)j->step_changes * 0x9e3779b97f4a7c15ULL;
	if (j->acct_sig == sig && sig != 0 && state == NO_VAL)
		return;
	j->acct_sig = sig;
	struct acct_job a;
	uint32_t nsteps = 1;
	for (const struct step *x = j->steps; x; x = x->next)
		nsteps++;
	struct acct_step *st = xcalloc(nsteps, sizeof(*st));
	uint32_t rc = j->ntasks * j->cpt, ac = j->total_cpus, an = j->node_cnt;
	char *tres_req = acct_tres(rc, acct_mem_mb(j, rc, j->min_nodes), j->min_nodes);
	char *tres_alloc = acct_tres(ac, acct_mem_mb(j, ac, an), an);
	char *tres_step = acct_tres(an ? j->node_cpus[0] : 0, 0, 1);
	/* the steps accounting does not have yet (all of them once after a
	 * start, and when a requeue closes them) */
	uint32_t from = state == NO_VAL ? j->acct_steps_sent : 0;
	acct_fill(c, j, &a, st, tres_req, tres_alloc, tres_step, from);
	if (from > 0)
		a.flags |= ACCT_JOB_STEPS_PARTIAL;
	if (state != NO_VAL) {
		a.state = state;
		a.time_end = j->end_time;
		for (uint32_t i = 0; i < a.steps_cnt; i++)
			if (st[i].state == JOB_RUNNING || st[i].step_id == STEP_ID_BATCH) {
				st[i].state = JOB_CANCELLED;
				st[i].time_end = j->end_time;
			}
	}
	struct buf b;
	buf_init(&b);
	buf_pad(&b, 0, 8);
	proto_pack(&rdesc_acct_job, &a, &b);
	uint32_t hdr[2] = {(uint32_t)(b.len - 8), 0};
	memcpy(b.data, hdr, sizeof(hdr));
	ssize_t w = write(l->fd, b.data, b.len);
	if (w != (ssize_t)b.len) {
		log_warn("accounting: cannot queue the record of job %u", j->id);
		if (w > 0 && ftruncate(l->fd, (off_t)l->size) < 0)
			log_warn("accounting: cannot cut acct.queue back");
	} else {
		l->size += b.len;
		j->acct_steps_sent = j->step_changes;
		if (durable) {
			l->dirty = 1;
			state_commit_request(c);
		}
	}
	buf_free(&b);
	free(tres_req);
	free(tres_alloc);
	free(tres_step);
	for (uint32_t i = 0; i < a.steps_cnt; i++)
		if (st[i].step_id != STEP_ID_BATCH)
			free(st[i].tres_alloc);
	free(st);
	/* after the other changes of this loop iteration: one request for all */
	event_active(l->pump_ev, 0, 0);
}

/* Part of the group commit: queued records are durable before replies. */
void
acct_sync(struct ctld *c)
{
	struct acct_link *l = acct_get(c);
	if (l != NULL && l->dirty) {
		if (fdatasync(l->fd) < 0)
			log_warn("accounting: fdatasync acct.queue");
		l->dirty = 0;
	}
}

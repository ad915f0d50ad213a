/* SPDX-License-Identifier: MIT */
/*
 * herddbd: the accounting daemon.  Reads slurmdbd.conf (and slurm.conf
 * from the same directory for AuthType/AuthInfo), opens and migrates the
 * store, listens on DbdAddr:DbdPort and answers REQ_ACCT_JOBS / REQ_ACCT_JOB
 * (herdctld storing job rows, one transaction each), REQ_ACCT_QUERY (sacct), REQ_ACCT_REGISTER (a
 * herdctld reporting in: its cluster is added when new, and it gets the
 * association tables, then again after every change), REQ_ACCT_MGR
 * (sacctmgr) and REQ_PING.  Every request carries a credential that is
 * checked before the body is unpacked.  The association tables are small
 * and kept whole in memory; a change is applied to a copy, stored, then
 * kept.
 */
#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <libgen.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/log.h"
#include "acct/acctmgr.h"
#include "base/xmalloc.h"
#include "conf/conf.h"
#include "net/net.h"
#include "proto/states.h"
#include "store.h"

struct dbd {
	struct dbd_conf *dconf;
	struct herd_conf *conf;
	struct auth *auth;
	const struct store_ops *ops;
	struct store *store;
	uid_t slurm_uid;
	struct event_base *base;
	int listen_fd;
	struct event *listen_ev, *sig_ev[3];
	struct conn *conns;
	struct acct_tables tables; /* sacctmgr's, as stored */
	int store_failing; /* the last store of job rows failed (said once) */
	struct event *purge_ev; /* PurgeJobAfter / PurgeStepAfter, hourly */
};

/* An outage of the database is one line when it starts and one when it
 * ends, not one per retry of herdctld's queue. */
static void
store_result(struct dbd *d, int rc, size_t n, const char *err)
{
	if (rc < 0 && !d->store_failing)
		log_warnx("storing %zu job record(s) failed: %s; herdctld keeps them until it works", n, err);
	else if (rc < 0)
		log_debug("storing %zu job record(s) failed again: %s", n, err);
	else if (d->store_failing)
		log_info("storing job records works again");
	d->store_failing = rc < 0;
}

struct conn {
	struct dbd *d;
	struct bufferevent *bev;
	int controller; /* a herdctld that registered: gets table changes */
	struct conn *next, *prev;
};

static void
usage(void)
{
	fprintf(stderr, "usage: herddbd [-D] [-f slurmdbd.conf] [-L logfile] [-v...]\n");
	exit(1);
}

static void
conn_close(struct conn *cn)
{
	struct dbd *d = cn->d;
	if (cn->prev)
		cn->prev->next = cn->next;
	else
		d->conns = cn->next;
	if (cn->next)
		cn->next->prev = cn->prev;
	bufferevent_free(cn->bev);
	free(cn);
}

static void
reply_done(const void *data, size_t len, void *arg)
{
	(void)len;
	(void)arg;
	free((void *)data);
}

static void
reply(struct conn *cn, unsigned type, uint32_t req_id, const void *rec)
{
	struct buf b;
	buf_init(&b);
	wire_encode(NULL, type, req_id, rec, &b);
	if (b.len > WIRE_HDR_LEN + (size_t)WIRE_MAX_BODY) {
		/* more than a frame may carry: say so instead */
		log_warnx("reply of %zu bytes is too large for one message", b.len);
		buf_reset(&b);
		struct rc r = {.rc = HERD_EINTERNAL,
		    .msg = "Too many jobs selected for one reply: narrow the selection"};
		wire_encode(NULL, RESP_RC, req_id, &r, &b);
	}
	/* handed over, not copied: a reply to sacct may be megabytes */
	size_t len = b.len;
	void *data = buf_take(&b);
	if (evbuffer_add_reference(bufferevent_get_output(cn->bev), data, len, reply_done, NULL) < 0) {
		bufferevent_write(cn->bev, data, len);
		free(data);
	}
	buf_free(&b);
}

/* The jobs of a query in one RESP_ACCT_JOBS, or in several parts when
 * they are more than REPLY_PART_MAX; each but the last says more follows
 * (last_more: this part is not the last one of the reply). */
/* A reply to sacct is sent in parts of at most this much (a part holds
 * one job at least, and a job is far smaller than a message may be). */
#define REPLY_PART_MAX (16U << 20)
_Static_assert(REPLY_PART_MAX <= WIRE_MAX_BODY, "a reply part fits a message");

static void
reply_jobs(struct conn *cn, uint32_t req_id, struct acct_job *jobs, uint32_t cnt, uint32_t last_more)
{
	struct acct_jobs part = {.jobs = jobs, .jobs_cnt = cnt, .more = last_more};
	struct buf b;
	buf_init(&b);
	wire_encode(NULL, RESP_ACCT_JOBS, req_id, &part, &b);
	if (b.len <= WIRE_HDR_LEN + (size_t)REPLY_PART_MAX || cnt < 2) {
		size_t len = b.len;
		void *data = buf_take(&b);
		if (evbuffer_add_reference(bufferevent_get_output(cn->bev), data, len, reply_done, NULL) <
		    0) {
			bufferevent_write(cn->bev, data, len);
			free(data);
		}
		buf_free(&b);
		return;
	}
	/* parts of about three quarters of the limit (a part that is still
	 * too large is split again) */
	uint32_t parts = (uint32_t)(b.len / (REPLY_PART_MAX / 4 * 3)) + 1;
	log_verbose("a reply of %u jobs, %zu bytes: in %u parts", cnt, b.len, parts);
	buf_free(&b);
	uint32_t per = (cnt + parts - 1) / parts;
	for (uint32_t i = 0; i < cnt; i += per) {
		uint32_t n = cnt - i < per ? cnt - i : per;
		reply_jobs(cn, req_id, jobs + i, n, i + n < cnt ? 1 : last_more);
	}
}

static void
reply_rc(struct conn *cn, uint32_t req_id, int rc, const char *msg)
{
	struct rc r = {.rc = rc, .msg = (char *)msg};
	reply(cn, RESP_RC, req_id, &r);
}

static int
privileged(const struct dbd *d, uint32_t uid)
{
	return uid == 0 || uid == (uint32_t)d->slurm_uid;
}

/* Job records waiting for one transaction. */
struct batch {
	struct acct_job *jobs;
	uint32_t *req_ids;
	size_t n, cap;
};

static void
batch_flush(struct conn *cn, struct batch *b)
{
	if (b->n == 0)
		return;
	struct dbd *d = cn->d;
	char err[512];
	int rc = d->ops->put_jobs(d->store, b->jobs, b->n, err, sizeof(err));
	store_result(d, rc, b->n, err);
	for (size_t i = 0; i < b->n; i++) {
		if (rc == 0)
			log_verbose("job %u of cluster %s stored (state %s, %u steps)", b->jobs[i].job_id,
			    b->jobs[i].cluster, job_state_string(b->jobs[i].state), b->jobs[i].steps_cnt);
		reply_rc(cn, b->req_ids[i], rc == 0 ? 0 : HERD_EINTERNAL, rc == 0 ? NULL : err);
		proto_free(&rdesc_acct_job, &b->jobs[i]);
	}
	b->n = 0;
}

static void
batch_add(struct batch *b, struct msg *m)
{
	if (b->n == b->cap) {
		b->cap = b->cap ? b->cap * 2 : 16;
		b->jobs = xreallocarray(b->jobs, b->cap, sizeof(*b->jobs));
		b->req_ids = xreallocarray(b->req_ids, b->cap, sizeof(*b->req_ids));
	}
	/* take the record over from the message */
	memcpy(&b->jobs[b->n], m->body, sizeof(struct acct_job));
	memset(m->body, 0, sizeof(struct acct_job));
	b->req_ids[b->n++] = m->req_id;
}

/* Many job rows from herdctld: one transaction, one answer. */
static void
do_store_jobs(struct conn *cn, struct msg *m)
{
	struct dbd *d = cn->d;
	struct acct_jobs *jobs = m->body;
	if (!privileged(d, m->uid)) {
		log_warnx("REQ_ACCT_JOBS from uid %u refused: not root or SlurmUser", m->uid);
		reply_rc(cn, m->req_id, ESLURM_ACCESS_DENIED, NULL);
		return;
	}
	char err[512];
	int prc =
	    jobs->jobs_cnt > 0 ? d->ops->put_jobs(d->store, jobs->jobs, jobs->jobs_cnt, err, sizeof(err)) : 0;
	if (jobs->jobs_cnt > 0)
		store_result(d, prc, jobs->jobs_cnt, err);
	if (prc < 0) {
		reply_rc(cn, m->req_id, HERD_EINTERNAL, err);
		return;
	}
	log_verbose("%u job record(s) stored", jobs->jobs_cnt);
	reply_rc(cn, m->req_id, 0, NULL);
}

static void
do_query(struct conn *cn, struct msg *m)
{
	struct dbd *d = cn->d;
	struct acct_query *q = m->body;
	char **saved_users = q->users;
	uint32_t saved_cnt = q->users_cnt;
	char *own[1] = {NULL};
	char uidbuf[16];
	if (!privileged(d, m->uid)) {
		/* an ordinary user sees only their own jobs */
		struct passwd *pw = getpwuid(m->uid);
		if (pw)
			own[0] = pw->pw_name;
		else {
			snprintf(uidbuf, sizeof(uidbuf), "%u", m->uid);
			own[0] = uidbuf;
		}
		q->users = own;
		q->users_cnt = 1;
	}
	struct acct_jobs out;
	char err[512];
	if (d->ops->query(d->store, q, &out, err, sizeof(err)) < 0 ||
	    store_filter_nodes(&out, q->nodelist, err, sizeof(err)) < 0) {
		proto_free(&rdesc_acct_jobs, &out);
		log_warnx("query from uid %u failed: %s", m->uid, err);
		reply_rc(cn, m->req_id, HERD_EINTERNAL, err);
	} else {
		log_verbose("query from uid %u: %u job(s)", m->uid, out.jobs_cnt);
		reply_jobs(cn, m->req_id, out.jobs, out.jobs_cnt, 0);
		proto_free(&rdesc_acct_jobs, &out);
	}
	q->users = saved_users;
	q->users_cnt = saved_cnt;
}

/* Root, SlurmUser, or a user with AdminLevel=Administrator. */
static int
may_administer(const struct dbd *d, uint32_t uid)
{
	if (privileged(d, uid))
		return 1;
	struct passwd *pw = getpwuid(uid);
	if (pw == NULL)
		return 0;
	const struct acct_user *u = acctmgr_find_user(&d->tables, pw->pw_name);
	return u != NULL && u->admin_level == ACCTMGR_ADMIN_ADMIN;
}

/* Every registered herdctld gets the new tables (request id 0). */
static void
push_tables(struct dbd *d)
{
	for (struct conn *cn = d->conns; cn; cn = cn->next)
		if (cn->controller) {
			reply(cn, RESP_ACCT_TABLES, 0, &d->tables);
			/* out now, before sacctmgr hears "done" and runs sbatch */
			evbuffer_write(bufferevent_get_output(cn->bev), bufferevent_getfd(cn->bev));
		}
}

/* Store t and keep it in place of the current tables.  0, or -1 with err
 * (the current tables are left as they were). */
static int
tables_commit(struct dbd *d, struct acct_tables *t, char *err, size_t errlen)
{
	if (d->ops->put_tables(d->store, t, err, errlen) < 0)
		return -1;
	proto_free(&rdesc_acct_tables, &d->tables);
	d->tables = *t;
	memset(t, 0, sizeof(*t));
	push_tables(d);
	return 0;
}

static void
do_register(struct conn *cn, struct msg *m)
{
	struct dbd *d = cn->d;
	struct acct_cluster *rc = m->body;
	if (!privileged(d, m->uid)) {
		log_warnx("REQ_ACCT_REGISTER from uid %u refused: not root or SlurmUser", m->uid);
		reply_rc(cn, m->req_id, ESLURM_ACCESS_DENIED, NULL);
		return;
	}
	if (rc->name == NULL || *rc->name == '\0') {
		reply_rc(cn, m->req_id, HERD_EPROTO, "no cluster name");
		return;
	}
	/* the controller's address as herddbd sees it */
	char host[INET6_ADDRSTRLEN] = "";
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	if (getpeername(bufferevent_getfd(cn->bev), (struct sockaddr *)&ss, &len) == 0) {
		if (ss.ss_family == AF_INET)
			inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr, host, sizeof(host));
		else if (ss.ss_family == AF_INET6)
			inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&ss)->sin6_addr, host, sizeof(host));
	}
	struct acct_tables *t = proto_dup(&rdesc_acct_tables, &d->tables);
	char err[512];
	if (acctmgr_register(t, rc->name, host, rc->control_port, (int64_t)time(NULL))) {
		if (tables_commit(d, t, err, sizeof(err)) < 0) {
			log_warnx("cluster %s: cannot store its registration: %s", rc->name, err);
			proto_destroy(&rdesc_acct_tables, t);
			reply_rc(cn, m->req_id, HERD_EINTERNAL, err);
			return;
		}
		log_info("cluster %s registered (%s:%u)", rc->name, host, rc->control_port);
	}
	proto_destroy(&rdesc_acct_tables, t);
	cn->controller = 1;
	log_info("controller of cluster %s connected (%s:%u)", rc->name, host, rc->control_port);
	reply(cn, RESP_ACCT_TABLES, m->req_id, &d->tables);
}

static void
do_mgr(struct conn *cn, struct msg *m)
{
	struct dbd *d = cn->d;
	struct acct_mgr_req *r = m->body;
	if (r->op == ACCTMGR_SHOW) {
		reply(cn, RESP_ACCT_TABLES, m->req_id, &d->tables);
		return;
	}
	if (!may_administer(d, m->uid)) {
		log_warnx("sacctmgr change from uid %u refused: not an administrator", m->uid);
		reply_rc(cn, m->req_id, ESLURM_ACCESS_DENIED, NULL);
		return;
	}
	struct acct_tables *t = proto_dup(&rdesc_acct_tables, &d->tables);
	struct buf text, err;
	buf_init(&text);
	buf_init(&err);
	struct acct_mgr_resp resp = {0};
	resp.rc = acctmgr_apply(t, r, (int64_t)time(NULL), &text, &err);
	if (resp.rc == 0 && (r->flags & ACCTMGR_COMMIT)) {
		char serr[512];
		if (tables_commit(d, t, serr, sizeof(serr)) < 0) {
			log_warnx("sacctmgr change from uid %u not stored: %s", m->uid, serr);
			buf_printf(&err, " Error with request: %s\n", serr);
			resp.rc = 1;
		} else
			log_info("sacctmgr change from uid %u stored", m->uid);
	}
	proto_destroy(&rdesc_acct_tables, t);
	resp.text = (char *)buf_str(&text);
	resp.err = (char *)buf_str(&err);
	reply(cn, RESP_ACCT_MGR, m->req_id, &resp);
	buf_free(&text);
	buf_free(&err);
}

static void conn_read_cb(struct bufferevent *bev, void *arg);

static void
conn_event_cb(struct bufferevent *bev, short what, void *arg)
{
	if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR))
		conn_close(arg);
}

static void
accept_cb(evutil_socket_t lfd, short what, void *arg)
{
	struct dbd *d = arg;
	for (int i = 0; i < 64; i++) {
		int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED)
				log_warn("accept");
			return;
		}
		int one = 1;
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		struct conn *cn = xcalloc(1, sizeof(*cn));
		cn->d = d;
		cn->bev = bufferevent_socket_new(d->base, fd, BEV_OPT_CLOSE_ON_FREE);
		if (cn->bev == NULL) {
			close(fd);
			free(cn);
			continue;
		}
		bufferevent_setcb(cn->bev, conn_read_cb, NULL, conn_event_cb, cn);
		bufferevent_setwatermark(cn->bev, EV_READ, WIRE_HDR_LEN, 0);
		bufferevent_enable(cn->bev, EV_READ | EV_WRITE);
		cn->next = d->conns;
		if (d->conns)
			d->conns->prev = cn;
		d->conns = cn;
	}
}

static void
conn_read_cb(struct bufferevent *bev, void *arg)
{
	struct conn *cn = arg;
	struct dbd *d = cn->d;
	struct evbuffer *in = bufferevent_get_input(bev);
	struct batch b = {0};
	for (;;) {
		size_t avail = evbuffer_get_length(in);
		if (avail < WIRE_HDR_LEN)
			break;
		unsigned char hdr[WIRE_HDR_LEN];
		evbuffer_copyout(in, hdr, WIRE_HDR_LEN);
		struct wire_hdr h;
		int rc = wire_hdr_decode(hdr, &h);
		if (rc != 0) {
			log_warnx("connection: bad frame header (%s), closing", herd_strerror(rc));
			batch_flush(cn, &b);
			free(b.jobs);
			free(b.req_ids);
			conn_close(cn);
			return;
		}
		size_t total = WIRE_HDR_LEN + (size_t)h.cred_len + h.body_len;
		if (avail < total) {
			bufferevent_setwatermark(bev, EV_READ, total, 0);
			break;
		}
		bufferevent_setwatermark(bev, EV_READ, WIRE_HDR_LEN, 0);
		unsigned char *frame = evbuffer_pullup(in, (ssize_t)total);
		struct msg m;
		rc = wire_decode(d->auth, 1, &h, frame + WIRE_HDR_LEN, frame + WIRE_HDR_LEN + h.cred_len, &m);
		evbuffer_drain(in, total);
		if (rc != 0) {
			log_warnx("connection: rejected %s request: %s",
			    proto_msg_name(h.type) ? proto_msg_name(h.type) : "unknown", herd_strerror(rc));
			if (proto_msg_is_response(h.type)) {
				batch_flush(cn, &b);
				free(b.jobs);
				free(b.req_ids);
				conn_close(cn);
				return;
			}
			batch_flush(cn, &b);
			reply_rc(cn, h.req_id, rc, NULL);
			continue;
		}
		if (m.type == REQ_ACCT_JOB) {
			if (!privileged(d, m.uid)) {
				log_warnx("REQ_ACCT_JOB from uid %u refused: not root or SlurmUser", m.uid);
				batch_flush(cn, &b);
				reply_rc(cn, m.req_id, ESLURM_ACCESS_DENIED, NULL);
			} else
				batch_add(&b, &m);
			msg_free(&m);
			continue;
		}
		batch_flush(cn, &b);
		switch (m.type) {
		case REQ_ACCT_JOBS:
			do_store_jobs(cn, &m);
			break;
		case REQ_PING:
			log_debug("ping from uid %u", m.uid);
			reply_rc(cn, m.req_id, 0, NULL);
			break;
		case REQ_ACCT_QUERY:
			do_query(cn, &m);
			break;
		case REQ_ACCT_REGISTER:
			do_register(cn, &m);
			break;
		case REQ_ACCT_MGR:
			do_mgr(cn, &m);
			break;
		default:
			log_warnx("unexpected %s request from uid %u", proto_msg_name(m.type), m.uid);
			if (!proto_msg_is_response(m.type))
				reply_rc(cn, m.req_id, HERD_EUNKNOWN_MSG, NULL);
			break;
		}
		msg_free(&m);
	}
	batch_flush(cn, &b);
	free(b.jobs);
	free(b.req_ids);
}

static void
signal_cb(evutil_socket_t sig, short what, void *arg)
{
	struct dbd *d = arg;
	if (sig == SIGHUP) {
		log_reopen();
		log_info("SIGHUP: log reopened");
		return;
	}
	log_info("signal %d: shutting down", (int)sig);
	event_base_loopexit(d->base, NULL);
}

/*
 * Open the store, migrate it and read the association tables.  A local
 * SQLite file that fails is a configuration error: fatal.  A database
 * server that is not up yet, or refuses the password, is waited for with
 * a backoff (1 s doubling to 30 s), the password read again each time:
 * one line when the wait begins, one when it ends; herdctld keeps its
 * records meanwhile (it cannot connect).
 */
static void
store_connect(struct dbd *d)
{
	char err[1024];
	unsigned delay = 1, waited = 0;
	for (;;) {
		const char *what = "open";
		/* read again each time: a fixed password file is taken */
		char *pass = NULL;
		if (store_resolve_pass(d->dconf->storage_pass, &pass, err, sizeof(err)) < 0)
			fatalx("%s", err);
		struct store_params sp = {.loc = d->dconf->storage_loc,
		    .host = d->dconf->storage_host,
		    .user = d->dconf->storage_user,
		    .pass = pass,
		    .port = d->dconf->storage_port};
		d->store = d->ops->open(&sp, err, sizeof(err));
		if (pass)
			explicit_bzero(pass, strlen(pass));
		free(pass);
		if (d->store != NULL) {
			what = "schema migration";
			if (d->ops->migrate(d->store, err, sizeof(err)) == 0) {
				what = "reading the association tables";
				if (d->ops->get_tables(d->store, &d->tables, err, sizeof(err)) == 0)
					break;
			}
			d->ops->close(d->store);
			d->store = NULL;
		}
		if (d->ops == &store_sqlite_ops)
			fatalx("%s: %s: %s", d->ops->type, what, err);
		if (waited == 0)
			log_warnx("%s: %s failed: %s; retrying until it works (herdctld keeps its "
			          "records meanwhile)",
			    d->ops->type, what, err);
		else
			log_debug("%s: %s failed again: %s", d->ops->type, what, err);
		sleep(delay);
		waited += delay;
		delay = delay * 2 > 30 ? 30 : delay * 2;
	}
	if (waited)
		log_info("%s: the database answers after %u s", d->ops->type, waited);
}

/* PurgeJobAfter / PurgeStepAfter: at the start, then every hour */
#define PURGE_INTERVAL_S 3600

static void
purge_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	struct dbd *d = arg;
	char err[512];
	int64_t now = (int64_t)time(NULL), jobs_before, steps_before;
	if (store_purge_time(d->dconf->purge_job_after, now, &jobs_before, err, sizeof(err)) < 0 ||
	    store_purge_time(d->dconf->purge_step_after, now, &steps_before, err, sizeof(err)) < 0)
		return; /* checked at the start */
	uint64_t nj = 0, ns = 0;
	if (jobs_before > 0 || steps_before > 0) {
		if (d->ops->purge(d->store, jobs_before, steps_before, &nj, &ns, err, sizeof(err)) < 0)
			log_warnx("purge failed: %s", err);
		else if (nj || ns)
			log_info("purged %llu job(s) and %llu step(s) (PurgeJobAfter=%s PurgeStepAfter=%s)",
			    (unsigned long long)nj, (unsigned long long)ns,
			    d->dconf->purge_job_after ? d->dconf->purge_job_after : "-",
			    d->dconf->purge_step_after ? d->dconf->purge_step_after : "-");
	}
	struct timeval tv = {PURGE_INTERVAL_S, 0};
	evtimer_add(d->purge_ev, &tv);
}

static char *
default_dbd_conf(void)
{
	char *p = xstrdup(conf_default_path());
	char *r = xasprintf("%s/slurmdbd.conf", dirname(p));
	free(p);
	return r;
}

int
main(int argc, char **argv)
{
	struct dbd ctx, *d = &ctx;
	memset(d, 0, sizeof(ctx));
	const char *logfile = NULL;
	char *conf_path = NULL;
	int foreground = 0, verbose = 0, opt;
	while ((opt = getopt(argc, argv, "Df:L:vh")) != -1) {
		switch (opt) {
		case 'D':
			foreground = 1;
			break;
		case 'f':
			conf_path = xstrdup(optarg);
			break;
		case 'L':
			logfile = optarg;
			break;
		case 'v':
			verbose++;
			break;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();
	if (conf_path == NULL)
		conf_path = default_dbd_conf();
	char err[1024];
	d->dconf = dbd_conf_load(conf_path, err, sizeof(err));
	if (d->dconf == NULL) {
		fprintf(stderr, "herddbd: fatal: %s\n", err);
		return 1;
	}
	char *dirbuf = xstrdup(conf_path);
	char *slurm_conf = xasprintf("%s/slurm.conf", dirname(dirbuf));
	free(dirbuf);
	d->conf = conf_load(slurm_conf, err, sizeof(err));
	if (d->conf == NULL) {
		fprintf(stderr, "herddbd: fatal: %s\n", err);
		return 1;
	}
	log_init("herddbd", logfile ? logfile : d->dconf->log_file, d->dconf->debug_level + verbose);
	struct stat sb;
	/* env:NAME and file:PATH only say where the password is */
	if (d->dconf->storage_pass && strncmp(d->dconf->storage_pass, "env:", 4) != 0 &&
	    strncmp(d->dconf->storage_pass, "file:", 5) != 0 && stat(conf_path, &sb) == 0 &&
	    (sb.st_mode & S_IROTH))
		log_warnx("%s is readable by everyone and holds StoragePass: chmod 600 it", conf_path);
	d->ops = store_find(d->dconf->storage_type, err, sizeof(err));
	if (d->ops == NULL)
		fatalx("%s", err);
	struct passwd *pw = getpwnam(d->dconf->slurm_user);
	if (pw == NULL)
		fatalx("SlurmUser %s: no such user", d->dconf->slurm_user);
	d->slurm_uid = pw->pw_uid;
	d->auth = auth_create(d->conf->auth_type, d->conf->auth_info, d->conf->dir, err, sizeof(err));
	if (d->auth == NULL)
		fatalx("%s", err);
	if (!auth_can_verify(d->auth))
		fatalx("%s: cannot verify credentials (key not readable?)", auth_type_name(d->auth));
	int64_t purge_at;
	if (store_purge_time(d->dconf->purge_job_after, time(NULL), &purge_at, err, sizeof(err)) < 0 ||
	    store_purge_time(d->dconf->purge_step_after, time(NULL), &purge_at, err, sizeof(err)) < 0)
		fatalx("%s: %s", conf_path, err);
	int lfd = net_listen(d->dconf->dbd_addr, d->dconf->dbd_port);
	if (lfd < 0)
		fatal("cannot listen on %s:%u", d->dconf->dbd_addr, d->dconf->dbd_port);
	close(lfd); /* the port is ours to take: say so now, not after the wait */
	if (!foreground && daemon(0, 0) < 0)
		fatal("daemon");
	store_connect(d);
	d->listen_fd = net_listen(d->dconf->dbd_addr, d->dconf->dbd_port);
	if (d->listen_fd < 0)
		fatal("cannot listen on %s:%u", d->dconf->dbd_addr, d->dconf->dbd_port);
	signal(SIGPIPE, SIG_IGN);
	d->base = event_base_new();
	if (d->base == NULL)
		fatalx("event_base_new failed");
	d->listen_ev = event_new(d->base, d->listen_fd, EV_READ | EV_PERSIST, accept_cb, d);
	event_add(d->listen_ev, NULL);
	int sigs[] = {SIGTERM, SIGINT, SIGHUP};
	for (int i = 0; i < 3; i++) {
		d->sig_ev[i] = evsignal_new(d->base, sigs[i], signal_cb, d);
		event_add(d->sig_ev[i], NULL);
	}
	if (d->dconf->pid_file && !foreground) {
		FILE *f = fopen(d->dconf->pid_file, "w");
		if (f) {
			fprintf(f, "%ld\n", (long)getpid());
			fclose(f);
		}
	}
	d->purge_ev = evtimer_new(d->base, purge_cb, d);
	purge_cb(-1, 0, d);
	log_info("herddbd %s started: %s %s, listening on %s:%u", HERD_VERSION, d->ops->type,
	    d->dconf->storage_loc, d->dconf->dbd_addr, d->dconf->dbd_port);

	event_base_dispatch(d->base);

	log_info("herddbd stopping");
	while (d->conns)
		conn_close(d->conns);
	for (int i = 0; i < 3; i++)
		event_free(d->sig_ev[i]);
	event_free(d->purge_ev);
	event_free(d->listen_ev);
	close(d->listen_fd);
	event_base_free(d->base);
	d->ops->close(d->store);
	proto_free(&rdesc_acct_tables, &d->tables);
	auth_destroy(d->auth);
	if (d->dconf->pid_file && !foreground)
		unlink(d->dconf->pid_file);
	conf_destroy(d->conf);
	dbd_conf_destroy(d->dconf);
	free(slurm_conf);
	free(conf_path);
	return 0;
}

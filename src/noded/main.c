/* SPDX-License-Identifier: MIT */
/*
 * herdd: the node daemon.  Keeps one connection to herdctld (registration,
 * launches and signals come down it, completions go up it), starts one
 * herdstepd per job, relays completions from the step supervisors, and
 * answers pings on its own port.  Step supervisors outlive a herdd
 * restart: they reconnect to the new herdd through the spool socket and
 * report again, and registration lists the jobs they still run.
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <event2/buffer.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysinfo.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "acct/usage.h"
#include "base/log.h"
#include "base/xmalloc.h"
#include "herdd.h"
#include "net/net.h"
#include "proto/sigflags.h"
#include "proto/stepcred.h"
#include "proto/states.h"
#include "stepd.h"

#include "stepd_int.h"

static void ctld_connect(struct herdd *d);

static int64_t
now_s(void)
{
	return (int64_t)time(NULL);
}

/* --- framing on bufferevents ------------------------------------------- */

typedef void frame_fn(struct herdd *d, void *who, struct msg *m);

/* Pull complete frames from bev's input; need_auth for TCP peers. */
static int
read_frames(struct herdd *d, struct bufferevent *bev, int need_auth, frame_fn *fn, void *who)
{
	struct evbuffer *in = bufferevent_get_input(bev);
	for (;;) {
		size_t avail = evbuffer_get_length(in);
		if (avail < WIRE_HDR_LEN)
			return 0;
		unsigned char hdr[WIRE_HDR_LEN];
		evbuffer_copyout(in, hdr, WIRE_HDR_LEN);
		struct wire_hdr h;
		if (wire_hdr_decode(hdr, &h) != 0)
			return -1;
		size_t total = WIRE_HDR_LEN + (size_t)h.cred_len + h.body_len;
		if (avail < total)
			return 0;
		unsigned char *f = evbuffer_pullup(in, (ssize_t)total);
		struct msg m;
		int rc = wire_decode(need_auth ? d->auth : NULL, need_auth, &h, f + WIRE_HDR_LEN,
		    f + WIRE_HDR_LEN + h.cred_len, &m);
		evbuffer_drain(in, total);
		if (rc != 0) {
			log_warnx("rejected %s frame: %s", proto_msg_name(h.type), herd_strerror(rc));
			if (proto_msg_is_response(h.type))
				return -1;
			if (rc == HERD_EAUTH || rc == HERD_EPROTO) {
				struct rc r = {.rc = rc};
				struct buf b;
				buf_init(&b);
				wire_encode(NULL, RESP_RC, h.req_id, &r, &b);
				bufferevent_write(bev, b.data, b.len);
				buf_free(&b);
				continue;
			}
			return -1;
		}
		fn(d, who, &m);
		msg_free(&m);
	}
}

static void
bev_send(struct herdd *d, struct bufferevent *bev, unsigned type, uint32_t req_id, const void *rec, int sign)
{
	struct buf b;
	buf_init(&b);
	wire_encode(sign ? d->auth : NULL, type, req_id, rec, &b);
	bufferevent_write(bev, b.data, b.len);
	buf_free(&b);
}

/* --- step supervisors --------------------------------------------------- */

static void send_launch_failure(struct herdd *d, const struct batch_launch *bl, const char *why);

/* Fork the job's supervisor.  It runs stepd_run in the child and never
 * comes back to this event loop; it closes every descriptor of ours first
 * and has its own session, so it outlives a restart of herdd. */
static void
stepd_launch(struct herdd *d, struct batch_launch *bl)
{
	pid_t pid = fork();
	if (pid < 0) {
		char why[128];
		snprintf(why, sizeof(why), "cannot fork a step supervisor: %s", strerror(errno));
		log_warnx("job %u: %s", bl->job_id, why);
		send_launch_failure(d, bl, why);
		return;
	}
	if (pid == 0) {
		sigset_t none;
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		for (int sig = 1; sig < NSIG; sig++)
			signal(sig, SIG_DFL);
		close_range(3, ~0U, 0);
		/* bl belongs to this process's copy of the message: never freed here */
		_exit(stepd_run(d->spool, d->node_name, bl));
	}
	log_verbose("job %u: herdstepd %ld started", bl->job_id, (long)pid);
}

static void
stepd_close(struct herdd *d, struct stepd_conn *s)
{
	if (s->prev)
		s->prev->next = s->next;
	else
		d->stepds = s->next;
	if (s->next)
		s->next->prev = s->prev;
	if (s->bev != NULL)
		bufferevent_free(s->bev);
	proto_destroy(&rdesc_job_complete, s->done);
	free(s);
}

static void
forward_completion(struct herdd *d, struct stepd_conn *s)
{
	if (s->done == NULL || d->ctld == NULL || !d->ctld_registered)
		return;
	s->fwd_req_id = ++d->next_req_id;
	bev_send(d, d->ctld, REQ_JOB_COMPLETE, s->fwd_req_id, s->done, 1);
}

/* No supervisor could be started: tell the controller the launch failed,
 * or the job would stay RUNNING with nothing behind it. */
static void
send_launch_failure(struct herdd *d, const struct batch_launch *bl, const char *why)
{
	uint32_t job_id = bl->job_id;
	struct stepd_conn *s = xcalloc(1, sizeof(*s));
	s->d = d;
	s->job_id = job_id;
	s->restarts = bl->restarts;
	s->step_id = STEP_ID_BATCH;
	s->done = xcalloc(1, sizeof(*s->done));
	s->done->job_id = job_id;
	s->done->restarts = bl->restarts;
	s->done->node_name = xstrdup(d->node_name);
	s->done->status = 1 << 8;
	s->done->flags = COMPLETE_LAUNCH_FAILED;
	s->done->msg = xstrdup(why);
	s->done->step_id = STEP_ID_BATCH;
	/* kept in the list without a connection until the controller acks */
	s->next = d->stepds;
	if (d->stepds)
		d->stepds->prev = s;
	d->stepds = s;
	forward_completion(d, s);
}

static void
stepd_frame(struct herdd *d, void *who, struct msg *m)
{
	struct stepd_conn *s = who;
	if (m->type != REQ_JOB_COMPLETE)
		return;
	struct job_complete *jc = m->body;
	s->job_id = jc->job_id;
	s->restarts = jc->restarts;
	s->step_id = jc->step_id;
	if (jc->flags & STEPD_HELLO)
		return;
	proto_destroy(&rdesc_job_complete, s->done);
	s->done = m->body;
	m->body = NULL;
	free(s->done->node_name);
	s->done->node_name = xstrdup(d->node_name);
	log_verbose("job %u: finished with status 0x%x", s->job_id, s->done->status);
	forward_completion(d, s);
}

static void
stepd_read_cb(struct bufferevent *bev, void *arg)
{
	struct stepd_conn *s = arg;
	if (read_frames(s->d, bev, 0, stepd_frame, s) < 0)
		stepd_close(s->d, s);
}

static void
stepd_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct stepd_conn *s = arg;
	if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR))
		stepd_close(s->d, s);
}

static void
unix_accept_cb(evutil_socket_t lfd, short what, void *arg)
{
	struct herdd *d = arg;
	for (;;) {
		int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0)
			return;
		struct ucred cr;
		socklen_t len = sizeof(cr);
		if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &len) < 0 ||
		    (cr.uid != 0 && cr.uid != getuid())) {
			close(fd);
			continue;
		}
		struct stepd_conn *s = xcalloc(1, sizeof(*s));
		s->d = d;
		s->bev = bufferevent_socket_new(d->base, fd, BEV_OPT_CLOSE_ON_FREE);
		bufferevent_setcb(s->bev, stepd_read_cb, NULL, stepd_event_cb, s);
		bufferevent_enable(s->bev, EV_READ | EV_WRITE);
		s->next = d->stepds;
		if (d->stepds)
			d->stepds->prev = s;
		d->stepds = s;
	}
}

/* --- link to herdctld ---------------------------------------------------- */

/* The pid of the live supervisor of job dir NAME (jobNNNNN), or 0: it
 * holds a read lock on the job's script for as long as it lives. */
static pid_t
stepd_pid(struct herdd *d, const char *name)
{
	char *path = xasprintf("%s/%s/slurm_script", d->spool, name);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	free(path);
	if (fd < 0)
		return 0;
	struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
	pid_t pid = 0;
	if (fcntl(fd, F_GETLK, &fl) == 0 && fl.l_type != F_UNLCK)
		pid = fl.l_pid;
	close(fd);
	return pid;
}

static void
running_jobs(struct herdd *d, struct node_register *reg)
{
	DIR *dir = opendir(d->spool);
	if (dir == NULL)
		return;
	struct dirent *e;
	while ((e = readdir(dir)) != NULL) {
		unsigned id;
		if (sscanf(e->d_name, "job%u", &id) != 1)
			continue;
		pid_t pid = stepd_pid(d, e->d_name);
		if (pid > 0) {
			reg->jobs = xreallocarray(reg->jobs, reg->jobs_cnt + 1, sizeof(struct running_job));
			reg->jobs[reg->jobs_cnt].job_id = id;
			reg->jobs[reg->jobs_cnt].pid = (int32_t)pid;
			reg->jobs_cnt++;
		}
	}
	closedir(dir);
}

static void
send_register(struct herdd *d)
{
	struct node_register reg;
	memset(&reg, 0, sizeof(reg));
	struct utsname u;
	uname(&u);
	const struct conf_node *cn = &d->conf->nodes[d->node_idx];
	reg.node_name = d->node_name;
	reg.hostname = u.nodename;
	reg.version = (char *)HERD_VERSION;
	char os[600];
	snprintf(os, sizeof(os), "%s %s %s", u.sysname, u.release, u.version);
	reg.os = os;
	reg.arch = u.machine;
	reg.cpus = cn->cpus;
	reg.boards = cn->boards;
	reg.sockets = cn->sockets;
	reg.cores = cn->cores;
	reg.threads = cn->threads;
	reg.real_memory = cn->real_memory_mb;
	reg.tmp_disk = cn->tmp_disk_mb;
	struct sysinfo si;
	if (sysinfo(&si) == 0) {
		reg.free_mem = (uint64_t)si.freeram * si.mem_unit / (1024 * 1024);
		reg.cpu_load = (uint32_t)(si.loads[0] * 100 / 65536);
		reg.boot_time = now_s() - si.uptime;
	}
	reg.start_time = d->start_time;
	reg.dyn_conf = (char *)(uintptr_t)d->dyn_conf;
	running_jobs(d, &reg);
	d->register_req_id = ++d->next_req_id;
	bev_send(d, d->ctld, REQ_NODE_REGISTER, d->register_req_id, &reg, 1);
	free(reg.jobs);
}

static void
signal_job(struct herdd *d, struct job_signal *js)
{
	int sent = 0;
	for (struct stepd_conn *s = d->stepds; s; s = s->next) {
		if (s->job_id != js->job_id || s->bev == NULL)
			continue;
		if (js->step_id != NO_VAL && js->step_id != s->step_id)
			continue;
		if (js->restarts != NO_VAL && s->step_id == STEP_ID_BATCH && s->restarts != js->restarts)
			continue; /* another run of a requeued job */
		bev_send(d, s->bev, REQ_JOB_SIGNAL, 0, js, 0);
		sent++;
	}
	if (sent > 0 || (js->step_id != NO_VAL && js->step_id != STEP_ID_BATCH))
		return;
	/* no supervisor connected: signal it directly */
	char name[32];
	snprintf(name, sizeof(name), "job%05u", js->job_id);
	pid_t pid = stepd_pid(d, name);
	if (pid > 0)
		kill(pid, (js->flags & SIGNAL_KILL_JOB) ? SIGTERM : (int)js->signal);
	else
		log_debug("job %u: signal for a job not running here", js->job_id);
}

static void
ctld_frame(struct herdd *d, void *who, struct msg *m)
{
	switch (m->type) {
	case REQ_BATCH_LAUNCH:
		stepd_launch(d, m->body);
		break;
	case REQ_JOB_SIGNAL:
		signal_job(d, m->body);
		break;
	case REQ_NODE_PING:
		/* the controller asks us to register again (we stay registered
		 * meanwhile: completions keep flowing) */
		send_register(d);
		break;
	case RESP_RC: {
		struct rc *r = m->body;
		if (m->req_id == d->register_req_id) {
			if (r->rc != 0) {
				log_warnx("registration refused: %s", herd_strerror(r->rc));
				return;
			}
			d->ctld_registered = 1;
			log_info("registered with herdctld");
			for (struct stepd_conn *s = d->stepds; s; s = s->next)
				forward_completion(d, s);
			return;
		}
		for (struct stepd_conn *s = d->stepds; s; s = s->next) {
			if (s->fwd_req_id == m->req_id && s->done != NULL) {
				/* the controller has it: release the supervisor */
				s->fwd_req_id = 0;
				proto_destroy(&rdesc_job_complete, s->done);
				s->done = NULL;
				if (s->bev == NULL) { /* a launch failure: nobody to tell */
					stepd_close(d, s);
					break;
				}
				struct rc ack = {.rc = 0};
				bev_send(d, s->bev, RESP_RC, 0, &ack, 0);
			}
		}
		break;
	}
	default:
		log_debug("ignoring %s from herdctld", proto_msg_name(m->type));
	}
}

static void
ctld_lost(struct herdd *d)
{
	if (d->ctld)
		bufferevent_free(d->ctld);
	d->ctld = NULL;
	d->ctld_registered = 0;
	struct timeval tv = {d->reconnect_ms / 1000, (d->reconnect_ms % 1000) * 1000};
	evtimer_add(d->reconnect_ev, &tv);
	if (d->reconnect_ms < 1000)
		d->reconnect_ms *= 2;
}

static void
ctld_read_cb(struct bufferevent *bev, void *arg)
{
	struct herdd *d = arg;
	if (read_frames(d, bev, 1, ctld_frame, NULL) < 0) {
		log_warnx("bad frame from herdctld, reconnecting");
		ctld_lost(d);
	}
}

static void
ctld_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct herdd *d = arg;
	if (what & BEV_EVENT_CONNECTED) {
		d->reconnect_ms = 10;
		send_register(d);
		return;
	}
	if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR)) {
		if (d->ctld_registered)
			log_info("lost herdctld, reconnecting");
		ctld_lost(d);
	}
}

static void
ctld_connect(struct herdd *d)
{
	struct herd_conf *cf = d->conf;
	static uint32_t which;
	const char *host = cf->ctld_addrs[which++ % cf->ctld_host_cnt];
	d->ctld = bufferevent_socket_new(d->base, -1, BEV_OPT_CLOSE_ON_FREE);
	bufferevent_setcb(d->ctld, ctld_read_cb, NULL, ctld_event_cb, d);
	bufferevent_enable(d->ctld, EV_READ | EV_WRITE);
	struct sockaddr_storage ss;
	int sslen = sizeof(ss);
	char addr[300];
	snprintf(
	    addr, sizeof(addr), "%s:%u", strcmp(host, "localhost") == 0 ? "127.0.0.1" : host, cf->ctld_port);
	if (evutil_parse_sockaddr_port(addr, (struct sockaddr *)&ss, &sslen) == 0) {
		if (bufferevent_socket_connect(d->ctld, (struct sockaddr *)&ss, sslen) < 0)
			ctld_lost(d);
		else
			net_set_nodelay(bufferevent_getfd(d->ctld));
		return;
	}
	/* a name: resolve it the blocking way (once per attempt) */
	int fd = net_connect(host, cf->ctld_port, 1000);
	if (fd < 0) {
		ctld_lost(d);
		return;
	}
	net_set_nonblock(fd, 1);
	bufferevent_setfd(d->ctld, fd);
	bufferevent_enable(d->ctld, EV_READ | EV_WRITE);
	d->reconnect_ms = 10;
	send_register(d);
}

static void
reconnect_cb(evutil_socket_t fd, short what, void *arg)
{
	ctld_connect(arg);
}

static void
ping_cb(evutil_socket_t fd, short what, void *arg)
{
	struct herdd *d = arg;
	if (d->ctld != NULL && d->ctld_registered)
		bev_send(d, d->ctld, REQ_NODE_PING, 0, NULL, 1);
}

/* --- our own port: pings and anything else gets an answer ---------------- */

struct stat_wait;

struct peer {
	struct herdd *d;
	struct bufferevent *bev;
	struct stat_wait *waits; /* sstat requests waiting for a fresh sample */
};

/* An sstat request whose step supervisor was asked for a fresh sample:
 * answered when the sample is published, or after 200 ms with the last one,
 * without holding the event loop meanwhile. */
struct stat_wait {
	struct peer *p;
	struct event *ev;
	uint64_t req_id;
	uint32_t uid, job_id, step_id;
	struct stepd_usage_mark mark;
	int left; /* polls left, 1 ms apart */
	struct stat_wait *next;
};

/* Is uid a daemon's (root, ours, or SlurmUser)? */
static int
is_daemon_uid(struct herdd *d, uint32_t uid)
{
	if (uid == 0 || uid == (uint32_t)getuid())
		return 1;
	if (d->conf->slurm_user != NULL) {
		struct passwd *pw = getpwnam(d->conf->slurm_user);
		if (pw != NULL && pw->pw_uid == uid)
			return 1;
	}
	return 0;
}

static int
daemon_uid_cb(void *arg, uint32_t uid)
{
	return is_daemon_uid(arg, uid);
}

static void
step_launch(struct herdd *d, struct peer *p, struct msg *m)
{
	struct step_launch *sl = m->body;
	int rc = stepcred_check(d->auth, sl, d->node_name, m->uid, now_s(), daemon_uid_cb, d);
	if (rc == 0 && (sl->argv_cnt == 0 || sl->io_host == NULL || sl->io_port == 0 || sl->io_port > 65535))
		rc = HERD_EPROTO;
	if (rc != 0) {
		log_warnx("step %u.%u: launch from uid %u refused: %s", sl->job_id, sl->step_id, m->uid,
		    herd_strerror(rc));
		struct rc r = {.rc = rc};
		bev_send(d, p->bev, RESP_RC, m->req_id, &r, 0);
		return;
	}
	pid_t pid = fork();
	if (pid == 0) {
		sigset_t none;
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		for (int sig = 1; sig < NSIG; sig++)
			signal(sig, SIG_DFL);
		close_range(3, ~0U, 0);
		_exit(stepd_step_run(d->spool, d->node_name, sl));
	}
	struct rc r = {.rc = pid < 0 ? HERD_EINTERNAL : 0};
	if (pid < 0)
		log_warn("step %u.%u: cannot fork a step supervisor", sl->job_id, sl->step_id);
	else
		log_verbose("step %u.%u: herdstepd %ld started", sl->job_id, sl->step_id, (long)pid);
	bev_send(d, p->bev, RESP_RC, m->req_id, &r, 0);
}

/* The supervisor of job_id.step_id, by its connection to us; 0 if none. */
static pid_t
supervisor_pid(struct herdd *d, uint32_t job_id, uint32_t step_id)
{
	for (struct stepd_conn *s = d->stepds; s; s = s->next) {
		if (s->job_id != job_id || s->step_id != step_id || s->bev == NULL)
			continue;
		struct ucred cr;
		socklen_t len = sizeof(cr);
		if (getsockopt(bufferevent_getfd(s->bev), SOL_SOCKET, SO_PEERCRED, &cr, &len) == 0)
			return cr.pid;
	}
	return 0;
}

/* The step's last published usage into *st, if uid may see it: 0, or
 * Slurm's error code. */
static int
stat_read(struct herdd *d, uint32_t uid, uint32_t job_id, uint32_t step_id, struct acct_step *st)
{
	uint32_t owner;
	if (stepd_usage_read(d->spool, job_id, step_id, &owner, st) < 0)
		return ESLURM_INVALID_JOB_ID;
	if (owner != uid && !is_daemon_uid(d, uid))
		return ESLURM_ACCESS_DENIED;
	return 0;
}

static void
stat_answer(struct herdd *d, struct peer *p, uint64_t req_id, uint32_t uid, uint32_t job_id, uint32_t step_id)
{
	struct acct_step st;
	int rc = stat_read(d, uid, job_id, step_id, &st);
	if (rc != 0) {
		struct rc r = {.rc = rc};
		bev_send(d, p->bev, RESP_RC, req_id, &r, 0);
		return;
	}
	st.nodes = d->node_name;
	usage_set_node(&st, d->node_name);
	bev_send(d, p->bev, RESP_STEP_STAT, req_id, &st, 0);
}

static void
stat_wait_free(struct stat_wait *w)
{
	struct stat_wait **pp = &w->p->waits;
	while (*pp != w)
		pp = &(*pp)->next;
	*pp = w->next;
	event_free(w->ev);
	free(w);
}

static void
stat_wait_cb(evutil_socket_t fd, short what, void *arg)
{
	struct stat_wait *w = arg;
	struct herdd *d = w->p->d;
	if (--w->left > 0 && !stepd_usage_changed(d->spool, w->job_id, w->step_id, &w->mark)) {
		struct timeval tv = {0, 1000};
		evtimer_add(w->ev, &tv);
		return;
	}
	stat_answer(d, w->p, w->req_id, w->uid, w->job_id, w->step_id);
	stat_wait_free(w);
}

static void
peer_free(struct peer *p)
{
	while (p->waits)
		stat_wait_free(p->waits);
	bufferevent_free(p->bev);
	free(p);
}

/* sstat: a fresh sample from the step's supervisor when it runs here, or
 * what it last published */
static void
step_stat(struct herdd *d, struct peer *p, struct msg *m)
{
	struct step_stat_req *q = m->body;
	struct acct_step last;
	/* only the step's owner (or a daemon) makes its supervisor sample */
	int allowed = stat_read(d, m->uid, q->job_id, q->step_id, &last) == 0;
	pid_t pid = allowed ? supervisor_pid(d, q->job_id, q->step_id) : 0;
	struct stepd_usage_mark mark;
	stepd_usage_mark(d->spool, q->job_id, q->step_id, &mark);
	int waiting = 0;
	for (struct stat_wait *w = p->waits; w; w = w->next)
		waiting++;
	if (pid <= 0 || waiting >= 16 || kill(pid, STEPD_SIG_SAMPLE) < 0) {
		stat_answer(d, p, m->req_id, m->uid, q->job_id, q->step_id);
		return;
	}
	struct stat_wait *w = xcalloc(1, sizeof(*w));
	w->p = p;
	w->req_id = m->req_id;
	w->uid = m->uid;
	w->job_id = q->job_id;
	w->step_id = q->step_id;
	w->mark = mark;
	w->left = 200;
	w->ev = evtimer_new(d->base, stat_wait_cb, w);
	w->next = p->waits;
	p->waits = w;
	struct timeval tv = {0, 1000};
	evtimer_add(w->ev, &tv);
}

static void
peer_frame(struct herdd *d, void *who, struct msg *m)
{
	struct peer *p = who;
	if (m->type == REQ_STEP_LAUNCH) {
		step_launch(d, p, m);
		return;
	}
	if (m->type == REQ_STEP_STAT) {
		step_stat(d, p, m);
		return;
	}
	struct rc r = {.rc = m->type == REQ_PING || m->type == REQ_NODE_PING ? 0 : HERD_EUNKNOWN_MSG};
	bev_send(d, p->bev, RESP_RC, m->req_id, &r, 0);
}

static void
peer_read_cb(struct bufferevent *bev, void *arg)
{
	struct peer *p = arg;
	if (read_frames(p->d, bev, 1, peer_frame, p) < 0)
		peer_free(p);
}

static void
peer_event_cb(struct bufferevent *bev, short what, void *arg)
{
	if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR))
		peer_free(arg);
}

static void
listen_cb(evutil_socket_t lfd, short what, void *arg)
{
	struct herdd *d = arg;
	for (;;) {
		int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0)
			return;
		net_set_nodelay(fd);
		struct peer *p = xcalloc(1, sizeof(*p));
		p->d = d;
		p->bev = bufferevent_socket_new(d->base, fd, BEV_OPT_CLOSE_ON_FREE);
		bufferevent_setcb(p->bev, peer_read_cb, NULL, peer_event_cb, p);
		bufferevent_enable(p->bev, EV_READ | EV_WRITE);
	}
}

static void
signal_cb(evutil_socket_t sig, short what, void *arg)
{
	struct herdd *d = arg;
	if (sig == SIGCHLD) {
		while (waitpid(-1, NULL, WNOHANG) > 0)
			;
		return;
	}
	if (sig == SIGHUP) {
		log_reopen();
		return;
	}
	log_info("signal %d: shutting down (jobs keep running)", (int)sig);
	event_base_loopexit(d->base, NULL);
}

static char *
expand_node_pattern(const char *pat, const char *node, const char *host)
{
	struct buf b;
	buf_init(&b);
	for (const char *p = pat; *p; p++) {
		if (p[0] == '%' && p[1] == 'n') {
			buf_adds(&b, node);
			p++;
		} else if (p[0] == '%' && p[1] == 'h') {
			buf_adds(&b, host);
			p++;
		} else {
			buf_addc(&b, *p);
		}
	}
	return buf_take(&b);
}

static int
mkdir_p(const char *path, mode_t mode)
{
	char *tmp = xstrdup(path);
	for (char *p = tmp + 1; *p; p++) {
		if (*p == '/') {
			*p = '\0';
			mkdir(tmp, 0755);
			*p = '/';
		}
	}
	int r = mkdir(tmp, mode);
	free(tmp);
	return (r < 0 && errno != EEXIST) ? -1 : 0;
}

int
main(int argc, char **argv)
{
	struct herdd dd, *d = &dd;
	memset(d, 0, sizeof(dd));
	const char *conf_path = NULL, *node = NULL, *logfile = NULL;
	int foreground = 0, verbose = 0, own_hostname = 0, opt;
	/* -Z [--conf "CPUs=2 ..."]: a dynamic node, not in slurm.conf (node_dyn.c) */
	int dynamic = 0;
	const char *dyn_spec = NULL;
	static const struct option longopts[] = {{"conf", required_argument, NULL, 'C'}, {NULL, 0, NULL, 0}};
	while ((opt = getopt_long(argc, argv, "Df:HN:L:vZ", longopts, NULL)) != -1) {
		switch (opt) {
		case 'Z':
			dynamic = 1;
			break;
		case 'C':
			dyn_spec = optarg;
			break;
		case 'D':
			foreground = 1;
			break;
		case 'f':
			conf_path = optarg;
			break;
		case 'N':
			node = optarg;
			break;
		case 'H':
			own_hostname = 1;
			break;
		case 'L':
			logfile = optarg;
			break;
		case 'v':
			verbose++;
			break;
		default:
			fprintf(stderr,
			    "usage: herdd [-D] [-H] [-f slurm.conf] [-N nodename] [-L logfile] [-Z [--conf "
			    "'CPUs=N ...']]\n");
			return 1;
		}
	}
	if (conf_path == NULL)
		conf_path = conf_default_path();
	char err[1024];
	d->conf = conf_load(conf_path, err, sizeof(err));
	if (d->conf != NULL)
		stepd_acct_freq_s = d->conf->job_acct_gather_freq;
	if (d->conf == NULL) {
		fprintf(stderr, "herdd: fatal: %s\n", err);
		return 1;
	}
	char rp[PATH_MAX];
	d->conf_path = realpath(conf_path, rp) ? xstrdup(rp) : xstrdup(conf_path);
	char host[256] = "";
	gethostname(host, sizeof(host) - 1);
	char *dot = strchr(host, '.');
	if (dot)
		*dot = '\0';
	if (node == NULL) {
		for (uint32_t i = 0; i < d->conf->node_cnt && node == NULL; i++)
			if (strcmp(d->conf->nodes[i].name, host) == 0 ||
			    (d->conf->nodes[i].hostname && strcmp(d->conf->nodes[i].hostname, host) == 0))
				node = d->conf->nodes[i].name;
	}
	d->node_idx = node ? conf_node_index(d->conf, node) : -1;
	if (d->node_idx < 0 && dynamic) {
		node = node ? node : host;
		/* the controller records the spec as one line of its log */
		if (dyn_spec && (strpbrk(dyn_spec, "\r\n") != NULL || strlen(dyn_spec) > CONF_DYN_SPEC_MAX)) {
			fprintf(stderr, "herdd: fatal: -Z --conf: one line of at most %d characters\n",
			    CONF_DYN_SPEC_MAX);
			return 1;
		}
		d->node_idx = conf_node_add(d->conf, node, dyn_spec, err, sizeof(err));
		if (d->node_idx < 0) {
			fprintf(stderr, "herdd: fatal: -Z --conf '%s': %s\n", dyn_spec ? dyn_spec : "", err);
			return 1;
		}
		/* the controller describes the node with the same keys (Features,
		 * NodeAddr, Port ...) */
		if (dyn_spec && *dyn_spec)
			d->dyn_conf = dyn_spec;
	}
	if (d->node_idx < 0) {
		fprintf(stderr, "herdd: fatal: node '%s' is not in %s\n", node ? node : host, conf_path);
		return 1;
	}
	d->node_name = xstrdup(node);
	/* several nodes on one machine: each answers hostname with its name,
	 * as the hosts of a real cluster do (a UTS namespace of its own) */
	if (own_hostname && strcmp(host, node) != 0) {
		if (unshare(CLONE_NEWUTS) < 0 || sethostname(node, strlen(node)) < 0)
			fprintf(stderr, "herdd: warning: cannot take the host name %s: %s\n", node,
			    strerror(errno));
	}
	char *lf = logfile
	               ? xstrdup(logfile)
	               : (d->conf->slurmd_log_file ? expand_node_pattern(d->conf->slurmd_log_file, node, host)
	                                           : NULL);
	log_init("herdd", lf, d->conf->slurmd_debug + verbose);
	d->spool = expand_node_pattern(d->conf->slurmd_spool_dir, node, host);
	if (mkdir_p(d->spool, 0755) < 0)
		fatal("cannot create SlurmdSpoolDir %s", d->spool);
	d->auth = auth_create(d->conf->auth_type, d->conf->auth_info, d->conf->dir, err, sizeof(err));
	if (d->auth == NULL)
		fatalx("%s", err);
	if (!foreground && daemon(0, 0) < 0)
		fatal("daemon");
	signal(SIGPIPE, SIG_IGN);
	d->start_time = now_s();
	d->base = event_base_new();
	uint16_t port = conf_node_port(d->conf, (uint32_t)d->node_idx);
	const char *addr = d->conf->nodes[d->node_idx].addr;
	d->listen_fd = net_listen(addr, port);
	if (d->listen_fd < 0)
		d->listen_fd = net_listen(NULL, port);
	if (d->listen_fd < 0)
		fatal("cannot listen on port %u", port);
	d->listen_ev = event_new(d->base, d->listen_fd, EV_READ | EV_PERSIST, listen_cb, d);
	event_add(d->listen_ev, NULL);
	char *sock = xasprintf("%s/herdd.sock", d->spool);
	d->unix_fd = net_listen_unix(sock, 0600);
	if (d->unix_fd < 0)
		fatal("cannot listen on %s", sock);
	free(sock);
	d->unix_ev = event_new(d->base, d->unix_fd, EV_READ | EV_PERSIST, unix_accept_cb, d);
	event_add(d->unix_ev, NULL);
	int sigs[] = {SIGTERM, SIGINT, SIGHUP, SIGCHLD};
	for (int i = 0; i < 4; i++) {
		d->sig_ev[i] = evsignal_new(d->base, sigs[i], signal_cb, d);
		event_add(d->sig_ev[i], NULL);
	}
	d->reconnect_ev = evtimer_new(d->base, reconnect_cb, d);
	d->reconnect_ms = 10;
	d->ping_ev = event_new(d->base, -1, EV_PERSIST, ping_cb, d);
	struct timeval pt = {conf_ping_interval(d->conf), 0};
	event_add(d->ping_ev, &pt);
	log_info("herdd %s started as node %s (port %u, spool %s)", HERD_VERSION, node, port, d->spool);
	ctld_connect(d);
	event_base_dispatch(d->base);
	while (d->stepds)
		stepd_close(d, d->stepds);
	if (d->ctld)
		bufferevent_free(d->ctld);
	for (int i = 0; i < 4; i++)
		event_free(d->sig_ev[i]);
	event_free(d->reconnect_ev);
	event_free(d->ping_ev);
	event_free(d->listen_ev);
	event_free(d->unix_ev);
	close(d->listen_fd);
	close(d->unix_fd);
	event_base_free(d->base);
	auth_destroy(d->auth);
	conf_destroy(d->conf);
	free(d->node_name);
	free(d->spool);
	free(lf);
	free((char *)d->conf_path);
	return 0;
}

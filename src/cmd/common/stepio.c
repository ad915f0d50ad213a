/* SPDX-License-Identifier: MIT */
/*
 * srun's step engine (stepio.h).  One poll loop serves: the listening
 * socket the node supervisors connect back to (each presents the step's
 * random key), their frames (task output, task exits, stdin credit, MPI
 * exchanges, "node done"), srun's stdin (sent on only as fast as the tasks
 * take it), and srun's signals (Ctrl-C once prints the tasks' status,
 * twice within a second cancels the step; others are forwarded).
 * Output is written per task as it arrives: whole lines (prefixed with
 * the rank under -l) unless -u, or into the -o/-e files.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/xmalloc.h"
#include "cmdutil.h"
#include "jobenv.h"
#include "layout/layout.h"
#include "layout/multiprog.h"
#include "net/net.h"
#include "proto/jobflags.h"
#include "proto/stepflags.h"
#include "stepio.h"

extern char **environ;

#define STDIN_WINDOW (1U << 20) /* stdin bytes in flight to one node */
#define LINE_MAX_HOLD 65536 /* a partial line longer than this is written as is */

/* the MPI exchange kinds of the supervisors' PMIx module (mpi_pmix.h) */
enum { MPI_FENCE_CONTRIB = 1, MPI_FENCE_RESULT = 2, MPI_DMDX_REQ = 3, MPI_DMDX_RESP = 4, MPI_ABORT = 5 };

struct nodeio {
	char *name;
	int fd; /* the supervisor's connection, -1 until it says hello / after it left */
	int done;
	struct buf in;
	struct buf out;
	size_t out_off;
	uint64_t stdin_inflight;
	uint32_t ntasks;
	uint32_t *tids;
};

struct taskio {
	uint32_t node;
	int exited;
	uint32_t status;
	int out_fd, err_fd; /* -1: srun's own stdout/stderr */
	struct buf line[3];
};

struct fence {
	uint64_t seq;
	uint32_t got;
	struct buf *part; /* per node */
	int *have;
	struct fence *next;
};

struct srun {
	struct client *c;
	struct stepio_opts *so;
	struct jobopt *o;
	uint32_t job_id, step_id;
	struct step_create_resp *sr;
	struct nodeio *n;
	uint32_t nn;
	struct taskio *t;
	uint32_t nt;
	int lfd;
	uint8_t key[32];
	int label_width;
	uint32_t stdin_task;
	int stdin_fd, stdin_eof;
	int sfd;
	int64_t last_intr_ms, last_intr_sent_ms;
	int64_t first_exit_ms;
	int killed_bad_exit;
	struct fence *fences;
	int cancelled;
};

static int64_t
now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void
error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("srun: error: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

static void info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void
info(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("srun: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

int
stepio_have_pmix(void)
{
#ifdef HERD_HAVE_PMIX
	return 1;
#else
	return 0;
#endif
}

static uint32_t
env_u32(const char *name)
{
	const char *v = getenv(name);
	if (v == NULL || *v == '\0')
		return NO_VAL;
	char *end;
	unsigned long x = strtoul(v, &end, 10);
	return *end == '\0' && x > 0 && x < NO_VAL ? (uint32_t)x : NO_VAL;
}

static int
parse_dist(const char *s, uint32_t *dist, uint32_t *plane)
{
	*dist = STEP_DIST_DEFAULT;
	*plane = 0;
	if (s == NULL)
		return 0;
	char *v = xstrdup(s);
	char *colon = strchr(v, ':');
	if (colon)
		*colon = '\0';
	char *pack = strchr(v, ',');
	if (pack) {
		*pack++ = '\0';
		if (strcasecmp(pack, "Pack") == 0)
			*dist |= STEP_DIST_PACK;
	}
	int rc = 0;
	if (strcmp(v, "block") == 0)
		*dist |= STEP_DIST_BLOCK;
	else if (strcmp(v, "cyclic") == 0)
		*dist |= STEP_DIST_CYCLIC;
	else if (strncmp(v, "plane=", 6) == 0 && atoi(v + 6) > 0) {
		*dist |= STEP_DIST_PLANE;
		*plane = (uint32_t)atoi(v + 6);
	} else if (strcmp(v, "arbitrary") == 0)
		*dist |= STEP_DIST_ARBITRARY;
	else if (strcmp(v, "*") != 0)
		rc = -1;
	free(v);
	return rc;
}

static const char *
dist_name(uint32_t dist, uint32_t ntasks, uint32_t nnodes)
{
	switch (dist & 0xffU) {
	case STEP_DIST_BLOCK:
		return "block";
	case STEP_DIST_CYCLIC:
		return "cyclic";
	case STEP_DIST_PLANE:
		return "plane";
	case STEP_DIST_ARBITRARY:
		return "arbitrary";
	default:
		return ntasks > nnodes ? "block" : "cyclic";
	}
}

/* --- the step request ----------------------------------------------------- */

static int
build_request(struct srun *r, struct step_create_req *q)
{
	struct stepio_opts *so = r->so;
	struct jobopt *o = r->o;
	const struct job_desc *d = &o->desc;
	memset(q, 0, sizeof(*q));
	q->job_id = r->job_id;
	q->name = (char *)(d->name && (so->inside ? jobopt_seen(o, 'J') : 1) ? d->name
	                                                                     : cmd_base_name(so->argv[0]));
	uint32_t ntasks = (d->flags & JOB_DESC_NTASKS_SET) ? d->ntasks : NO_VAL;
	uint32_t nodes = d->min_nodes, max_nodes = d->max_nodes;
	uint32_t tpn = d->ntasks_per_node;
	int nodes_given = nodes != NO_VAL;
	if (so->alloc != NULL && so->alloc->ji != NULL) {
		const struct job_info *ji = so->alloc->ji;
		if (ntasks == NO_VAL)
			ntasks = ji->num_tasks;
		if (!nodes_given) {
			nodes = ji->num_nodes;
			max_nodes = NO_VAL;
		}
	} else {
		if (ntasks == NO_VAL && tpn == NO_VAL)
			ntasks = env_u32("SLURM_NTASKS");
		if (!nodes_given) {
			nodes = env_u32("SLURM_NNODES");
			if (nodes == NO_VAL)
				nodes = env_u32("SLURM_JOB_NUM_NODES");
			max_nodes = NO_VAL;
		}
	}
	if (ntasks == NO_VAL)
		ntasks = (nodes != NO_VAL ? nodes : 1) * (tpn != NO_VAL ? tpn : 1);
	if (nodes != NO_VAL && ntasks < nodes) {
		if (nodes_given)
			info("Warning: can't run %u processes on %u nodes, setting nnodes to %u", ntasks,
			    nodes, ntasks);
		nodes = ntasks;
		if (max_nodes != NO_VAL && max_nodes > nodes)
			max_nodes = nodes;
	}
	q->ntasks = ntasks;
	q->min_nodes = nodes;
	q->max_nodes = max_nodes;
	uint32_t cpt = (d->flags & JOB_DESC_CPT_SET) ? d->cpus_per_task : env_u32("SRUN_CPUS_PER_TASK");
	q->cpus_per_task = cpt;
	q->ntasks_per_node = tpn;
	q->req_nodes = d->req_nodes;
	q->exc_nodes = d->exc_nodes;
	if (parse_dist(o->distribution, &q->distribution, &q->plane_size) < 0) {
		error("Invalid --distribution specification");
		return -1;
	}
	q->flags = STEP_F_NTASKS_SET | (nodes != NO_VAL ? STEP_F_NODES_SET : 0);
	if (o->overlap)
		q->flags |= STEP_F_OVERLAP;
	if (o->exact)
		q->flags |= STEP_F_EXACT;
	if (d->flags & JOB_DESC_EXCLUSIVE)
		q->flags |= STEP_F_EXCLUSIVE | STEP_F_EXACT;
	if (cpt != NO_VAL)
		q->flags |= STEP_F_CPT_SET;
	q->time_limit = so->inside ? d->time_limit : NO_VAL;
	return 0;
}

static int
create_step(struct srun *r)
{
	struct step_create_req q;
	if (build_request(r, &q) < 0)
		return -1;
	int said_busy = 0;
	int delay_ms = 10;
	for (;;) {
		struct msg resp;
		int rc = client_rpc(r->c, REQ_STEP_CREATE, &q, &resp);
		if (rc < 0) {
			client_perror_conn(r->c, "Unable to create step");
			return -1;
		}
		if (rc > 0) {
			error("Unable to create step for job %u: %s", r->job_id, herd_strerror(rc));
			return -1;
		}
		struct step_create_resp *sr = resp.body;
		if (sr->rc == ESLURM_NODES_BUSY) {
			if (!said_busy)
				info("Job %u step creation temporarily disabled, retrying (%s)", r->job_id,
				    herd_strerror(sr->rc));
			said_busy = 1;
			msg_free(&resp);
			struct timespec ts = {delay_ms / 1000, (delay_ms % 1000) * 1000000L};
			nanosleep(&ts, NULL);
			if (delay_ms < 1000)
				delay_ms *= 2;
			continue;
		}
		if (sr->rc != 0) {
			error("Unable to create step for job %u: %s", r->job_id, herd_strerror(sr->rc));
			msg_free(&resp);
			return -1;
		}
		if (said_busy)
			info("Step created for StepId=%u.%u", sr->job_id, sr->step_id);
		r->sr = sr;
		resp.body = NULL;
		r->step_id = sr->step_id;
		return 0;
	}
}

/* --- output -------------------------------------------------------------- */

static void
write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		p += w;
		n -= (size_t)w;
	}
}

static void
emit(struct srun *r, uint32_t task, int fd, const char *p, size_t n, int line_start)
{
	if (!r->o->label || !line_start) {
		write_all(fd, p, n);
		return;
	}
	char pre[32];
	int k = snprintf(pre, sizeof(pre), "%*u: ", r->label_width, task);
	char *tmp = xmalloc((size_t)k + n);
	memcpy(tmp, pre, (size_t)k);
	memcpy(tmp + k, p, n);
	write_all(fd, tmp, (size_t)k + n);
	free(tmp);
}

static void
task_output(struct srun *r, uint32_t task, uint32_t stream, const char *p, size_t n)
{
	int fd = stream == 2 ? 2 : 1;
	if (task == NO_VAL) { /* a line of the supervisor's own */
		write_all(2, p, n);
		return;
	}
	if (task >= r->nt || (stream != 1 && stream != 2))
		return;
	struct taskio *t = &r->t[task];
	int own = stream == 1 ? t->out_fd : t->err_fd;
	if (own >= 0)
		fd = own;
	struct buf *lb = &t->line[stream];
	if (n == 0) { /* end of stream: what is held goes out */
		if (lb->len)
			emit(r, task, fd, lb->data, lb->len, 1);
		buf_reset(lb);
		return;
	}
	if (r->o->unbuffered && !r->o->label) {
		write_all(fd, p, n);
		return;
	}
	if (!r->o->label && lb->len == 0) {
		/* whole lines straight out, the rest held */
		const char *last = memrchr(p, '\n', n);
		size_t whole = last ? (size_t)(last - p) + 1 : 0;
		if (whole)
			write_all(fd, p, whole);
		if (n - whole > LINE_MAX_HOLD) {
			write_all(fd, p + whole, n - whole);
			return;
		}
		buf_add(lb, p + whole, n - whole);
		return;
	}
	buf_add(lb, p, n);
	size_t off = 0;
	for (;;) {
		char *nl = memchr(lb->data + off, '\n', lb->len - off);
		if (nl == NULL)
			break;
		size_t len = (size_t)(nl - (lb->data + off)) + 1;
		emit(r, task, fd, lb->data + off, len, 1);
		off += len;
	}
	if (lb->len - off > LINE_MAX_HOLD || r->o->unbuffered) {
		emit(r, task, fd, lb->data + off, lb->len - off, 1);
		off = lb->len;
	}
	memmove(lb->data, lb->data + off, lb->len - off);
	lb->len -= off;
}

/* Expand an -o/-e/-i pattern for task (cli.md section 1, patterns). */
static char *
expand_pattern(struct srun *r, const char *pat, uint32_t task)
{
	if (strchr(pat, '\\') != NULL) {
		struct buf b;
		buf_init(&b);
		for (const char *p = pat; *p; p++)
			if (*p != '\\')
				buf_addc(&b, *p);
		return buf_take(&b);
	}
	struct buf b;
	buf_init(&b);
	for (const char *p = pat; *p; p++) {
		if (*p != '%') {
			buf_addc(&b, *p);
			continue;
		}
		p++;
		int width = 0;
		while (*p >= '0' && *p <= '9')
			width = width * 10 + (*p++ - '0');
		if (width > 10)
			width = 10;
		uint32_t nodeidx = task < r->nt ? r->t[task].node : 0;
		switch (*p) {
		case '%':
			buf_addc(&b, '%');
			break;
		case 'j':
		case 'A':
			buf_printf(&b, "%0*u", width, r->job_id);
			break;
		case 'a':
			buf_printf(&b, "%0*u", width, 4294967294U);
			break;
		case 'J':
			buf_printf(&b, "%0*u.%u", width, r->job_id, r->step_id);
			break;
		case 's':
			buf_printf(&b, "%0*u", width, r->step_id);
			break;
		case 't':
			buf_printf(&b, "%0*u", width, task);
			break;
		case 'n':
			buf_printf(&b, "%0*u", width, nodeidx);
			break;
		case 'N':
			buf_adds(&b, r->n[nodeidx].name);
			break;
		case 'u': {
			struct passwd *pw = getpwuid(getuid());
			buf_adds(&b, pw ? pw->pw_name : "nobody");
			break;
		}
		case 'x':
			buf_adds(
			    &b, r->sr && r->o->desc.name ? r->o->desc.name : cmd_base_name(r->so->argv[0]));
			break;
		case '\0':
			p--;
			break;
		default:
			buf_addc(&b, '%');
			buf_addc(&b, *p);
		}
	}
	return buf_take(&b);
}

static int
open_outputs(struct srun *r)
{
	const char *po = r->so->std_out, *pe = r->so->std_err;
	if (pe == NULL)
		pe = po; /* -e defaults to -o */
	int flags = O_WRONLY | O_CREAT | O_CLOEXEC | O_APPEND | O_TRUNC;
	char *first_o = NULL, *first_e = NULL;
	int shared_o = -1, shared_e = -1;
	for (uint32_t i = 0; i < r->nt; i++) {
		r->t[i].out_fd = r->t[i].err_fd = -1;
		for (int s = 1; s <= 2; s++) {
			const char *pat = s == 1 ? po : pe;
			if (pat == NULL)
				continue;
			char *path = expand_pattern(r, pat, i);
			char **first = s == 1 ? &first_o : &first_e;
			int *shared = s == 1 ? &shared_o : &shared_e;
			int fd;
			/* stderr to this task's stdout file */
			char *opath =
			    s == 2 && po != NULL && r->t[i].out_fd >= 0 ? expand_pattern(r, po, i) : NULL;
			int same_as_out = opath != NULL && strcmp(path, opath) == 0;
			free(opath);
			if (*first != NULL && strcmp(*first, path) == 0) {
				fd = *shared;
			} else if (same_as_out) {
				fd = r->t[i].out_fd;
			} else {
				fd = open(path, flags, 0644);
				if (fd < 0) {
					error("Could not open %s file %s: %s", s == 1 ? "stdout" : "stderr",
					    path, strerror(errno));
					free(path);
					free(first_o);
					free(first_e);
					return -1;
				}
				if (*first == NULL) {
					*first = xstrdup(path);
					*shared = fd;
				}
			}
			if (s == 1)
				r->t[i].out_fd = fd;
			else
				r->t[i].err_fd = fd;
			free(path);
		}
	}
	free(first_o);
	free(first_e);
	return 0;
}

/* --- to the nodes ------------------------------------------------------- */

static void
node_send(struct srun *r, struct nodeio *n, unsigned type, const void *rec)
{
	if (n->fd < 0)
		return;
	wire_encode(NULL, type, 0, rec, &n->out);
}

static void
node_flush(struct nodeio *n)
{
	while (n->fd >= 0 && n->out_off < n->out.len) {
		ssize_t w = write(n->fd, n->out.data + n->out_off, n->out.len - n->out_off);
		if (w > 0) {
			n->out_off += (size_t)w;
			continue;
		}
		if (w < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		return;
	}
	if (n->out_off == n->out.len) {
		buf_reset(&n->out);
		n->out_off = 0;
	}
}

static void
signal_nodes(struct srun *r, int sig)
{
	struct io_ctl c = {.kind = IO_CTL_SIGNAL, .seq = (uint64_t)sig};
	for (uint32_t i = 0; i < r->nn; i++) {
		node_send(r, &r->n[i], IO_CTL, &c);
		node_flush(&r->n[i]);
	}
}

static void
cancel_step(struct srun *r)
{
	struct cancel_req q = {
	    .job_id = r->job_id, .array_task_id = NO_VAL, .step_id = r->step_id, .signal = 0, .flags = 0};
	struct msg resp;
	if (client_rpc(r->c, REQ_CANCEL, &q, &resp) == 0)
		msg_free(&resp);
	r->cancelled = 1;
}

static void
mpi_relay(struct srun *r, uint32_t from, struct io_ctl *c)
{
	uint32_t sub = c->kind - IO_CTL_MPI;
	if (sub == MPI_DMDX_REQ || sub == MPI_DMDX_RESP) {
		if (c->node >= r->nn)
			return;
		struct io_ctl f = *c;
		f.node = from;
		node_send(r, &r->n[c->node], IO_CTL, &f);
		node_flush(&r->n[c->node]);
		return;
	}
	if (sub == MPI_ABORT) {
		int st = c->data_len >= 4
		             ? (c->data[0] << 24 | c->data[1] << 16 | c->data[2] << 8 | c->data[3])
		             : 1;
		int len = c->data_len > 4 ? (int)c->data_len - 4 : 0;
		error("%s: MPI_ABORT with status %d%s%.*s", r->n[from < r->nn ? from : 0].name, st,
		    len ? ": " : "", len, c->data_len > 4 ? (const char *)c->data + 4 : "");
		if (!r->cancelled)
			cancel_step(r);
		return;
	}
	if (sub != MPI_FENCE_CONTRIB)
		return;
	struct fence *f;
	for (f = r->fences; f && f->seq != c->seq; f = f->next)
		;
	if (f == NULL) {
		f = xcalloc(1, sizeof(*f));
		f->seq = c->seq;
		f->part = xcalloc(r->nn, sizeof(struct buf));
		f->have = xcalloc(r->nn, sizeof(int));
		for (uint32_t i = 0; i < r->nn; i++)
			buf_init(&f->part[i]);
		f->next = r->fences;
		r->fences = f;
	}
	if (from >= r->nn || f->have[from])
		return;
	f->have[from] = 1;
	buf_add(&f->part[from], c->data, c->data_len);
	if (++f->got < r->nn)
		return;
	struct buf all;
	buf_init(&all);
	for (uint32_t i = 0; i < r->nn; i++)
		buf_add(&all, f->part[i].data, f->part[i].len);
	struct io_ctl res = {.kind = IO_CTL_MPI + MPI_FENCE_RESULT,
	    .node = NO_VAL,
	    .seq = f->seq,
	    .data = (uint8_t *)all.data,
	    .data_len = (uint32_t)all.len};
	for (uint32_t i = 0; i < r->nn; i++) {
		node_send(r, &r->n[i], IO_CTL, &res);
		node_flush(&r->n[i]);
	}
	buf_free(&all);
	struct fence **pp = &r->fences;
	while (*pp != f)
		pp = &(*pp)->next;
	*pp = f->next;
	for (uint32_t i = 0; i < r->nn; i++)
		buf_free(&f->part[i]);
	free(f->part);
	free(f->have);
	free(f);
}

static void
task_exited(struct srun *r, struct io_exit *e)
{
	if (e->task >= r->nt || r->t[e->task].exited)
		return;
	struct taskio *t = &r->t[e->task];
	t->exited = 1;
	t->status = e->status;
	if (r->first_exit_ms == 0)
		r->first_exit_ms = now_ms();
	int bad = !(WIFEXITED(e->status) && WEXITSTATUS(e->status) == 0);
	if (bad && r->o->kill_bad_exit && !r->killed_bad_exit) {
		r->killed_bad_exit = 1;
		/* its own report first, then the others are ended */
		if (WIFEXITED(e->status))
			error("%s: task %u: Exited with exit code %d", r->n[t->node].name, e->task,
			    WEXITSTATUS(e->status));
		else
			error("%s: task %u: %s", r->n[t->node].name, e->task, strsignal(WTERMSIG(e->status)));
		t->status |= 0x10000; /* already reported */
		info("Terminating StepId=%u.%u", r->job_id, r->step_id);
		struct io_ctl c = {.kind = IO_CTL_CANCEL, .seq = r->c->conf->kill_wait};
		for (uint32_t i = 0; i < r->nn; i++) {
			node_send(r, &r->n[i], IO_CTL, &c);
			node_flush(&r->n[i]);
		}
	}
}

static void
node_frame(struct srun *r, uint32_t ni, struct msg *m)
{
	struct nodeio *n = &r->n[ni];
	switch (m->type) {
	case IO_DATA: {
		struct io_data *d = m->body;
		task_output(r, d->task, d->stream, (const char *)d->data, d->data_len);
		break;
	}
	case IO_EXIT:
		task_exited(r, m->body);
		break;
	case IO_CTL: {
		struct io_ctl *c = m->body;
		if (c->kind == IO_CTL_STDIN_ACK)
			n->stdin_inflight = n->stdin_inflight > c->seq ? n->stdin_inflight - c->seq : 0;
		else if (c->kind == IO_CTL_NODE_DONE)
			n->done = 1;
		else if (c->kind >= IO_CTL_MPI)
			mpi_relay(r, ni, c);
		break;
	}
	default:
		break;
	}
}

static void
node_read(struct srun *r, uint32_t ni)
{
	struct nodeio *n = &r->n[ni];
	static char chunk[256 << 10]; /* one thread */
	ssize_t got = read(n->fd, chunk, sizeof(chunk));
	if (got < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (got <= 0) {
		close(n->fd);
		n->fd = -1;
		if (!n->done) {
			/* the supervisor is gone without saying goodbye */
			for (uint32_t i = 0; i < n->ntasks; i++) {
				struct taskio *t = &r->t[n->tids[i]];
				if (!t->exited) {
					t->exited = 1;
					t->status = SIGKILL;
				}
			}
			n->done = 1;
		}
		return;
	}
	buf_add(&n->in, chunk, (size_t)got);
	size_t off = 0;
	while (n->in.len - off >= WIRE_HDR_LEN) {
		struct wire_hdr h;
		if (wire_hdr_decode(n->in.data + off, &h) != 0) {
			close(n->fd);
			n->fd = -1;
			n->done = 1;
			return;
		}
		size_t total = WIRE_HDR_LEN + (size_t)h.cred_len + h.body_len;
		if (n->in.len - off < total)
			break;
		struct msg m;
		const char *f = n->in.data + off;
		if (wire_decode(NULL, 0, &h, f + WIRE_HDR_LEN, f + WIRE_HDR_LEN + h.cred_len, &m) == 0) {
			node_frame(r, ni, &m);
			msg_free(&m);
		}
		off += total;
	}
	memmove(n->in.data, n->in.data + off, n->in.len - off);
	n->in.len -= off;
}

/* A supervisor connects: it must say which node it is and know the key. */
static void
accept_node(struct srun *r)
{
	int fd = accept4(r->lfd, NULL, NULL, SOCK_CLOEXEC);
	if (fd < 0)
		return;
	struct msg m;
	if (net_recv_msg(fd, NULL, 0, 5000, &m) != 0) {
		close(fd);
		return;
	}
	struct io_hello *h = m.type == IO_HELLO ? m.body : NULL;
	if (h == NULL || h->job_id != r->job_id || h->step_id != r->step_id || h->node_id >= r->nn ||
	    h->key_len != sizeof(r->key) || memcmp(h->key, r->key, sizeof(r->key)) != 0 ||
	    r->n[h->node_id].fd >= 0 || r->n[h->node_id].done) {
		msg_free(&m);
		close(fd);
		return;
	}
	struct nodeio *n = &r->n[h->node_id];
	msg_free(&m);
	net_set_nonblock(fd, 1);
	net_set_nodelay(fd);
	n->fd = fd;
	node_flush(n);
}

/* --- launch -------------------------------------------------------------- */

static void
build_env(struct srun *r, struct step_launch *sl, const char *host, uint16_t port)
{
	struct stepio_opts *so = r->so;
	struct step_create_resp *sr = r->sr;
	char err[512];
	if (jobenv_build(r->o->export_spec, NULL, environ, &sl->env, &sl->env_cnt, err, sizeof(err)) < 0) {
		sl->env = NULL;
		sl->env_cnt = 0;
		for (char **e = environ; *e; e++)
			strv_add(&sl->env, &sl->env_cnt, *e);
	}
	char ***env = &sl->env;
	uint32_t *n = &sl->env_cnt;
	if (so->alloc != NULL && so->alloc->ji != NULL)
		allocreq_env(r->c, so->alloc->ji, env, n);
	char v[64];
	if (so->inside) {
		const char *cpn = strv_getenv(*env, *n, "SLURM_JOB_CPUS_PER_NODE");
		if (cpn)
			strv_setenv(env, n, "SLURM_JOB_CPUS_PER_NODE_PACK_GROUP_0", cpn);
		uint32_t dist, plane;
		parse_dist(r->o->distribution, &dist, &plane);
		strv_setenv(env, n, "SLURM_DISTRIBUTION", dist_name(dist, sr->ntasks, sr->nodes_cnt));
	}
	snprintf(v, sizeof(v), "%u", sr->step_id);
	strv_setenv(env, n, "SLURM_STEP_ID", v);
	strv_setenv(env, n, "SLURM_STEPID", v);
	strv_setenv(env, n, "SLURM_STEP_NODELIST", sr->nodelist);
	strv_setenv(env, n, "SLURM_NODELIST", sr->nodelist);
	snprintf(v, sizeof(v), "%u", sr->nodes_cnt);
	strv_setenv(env, n, "SLURM_STEP_NUM_NODES", v);
	strv_setenv(env, n, "SLURM_NNODES", v);
	snprintf(v, sizeof(v), "%u", sr->ntasks);
	strv_setenv(env, n, "SLURM_STEP_NUM_TASKS", v);
	strv_setenv(env, n, "SLURM_NTASKS", v);
	strv_setenv(env, n, "SLURM_NPROCS", v);
	strv_setenv(env, n, "SLURM_STEP_TASKS_PER_NODE", sr->tasks_per_node);
	strv_setenv(env, n, "SLURM_TASKS_PER_NODE", sr->tasks_per_node);
	strv_setenv(env, n, "SLURM_LAUNCH_NODE_IPADDR", host);
	strv_setenv(env, n, "SLURM_SRUN_COMM_HOST", host);
	snprintf(v, sizeof(v), "%u", port);
	strv_setenv(env, n, "SLURM_SRUN_COMM_PORT", v);
	strv_setenv(env, n, "SLURM_STEP_LAUNCHER_PORT", v);
	mode_t um = umask(0);
	umask(um);
	snprintf(v, sizeof(v), "%04o", (unsigned)um);
	strv_setenv(env, n, "SLURM_UMASK", v);
	if (strv_getenv(*env, *n, "SLURM_PRIO_PROCESS") == NULL) {
		errno = 0;
		int prio = getpriority(PRIO_PROCESS, 0);
		snprintf(v, sizeof(v), "%d", errno ? 0 : prio);
		strv_setenv(env, n, "SLURM_PRIO_PROCESS", v);
	}
	strv_setenv(env, n, "SLURM_CLUSTER_NAME", r->c->conf->cluster_name);
	strv_setenv(env, n, "SLURM_CONF", r->c->conf->path);
	if (strv_getenv(*env, *n, "SLURM_WORKING_CLUSTER") == NULL) {
		char *wc = xasprintf("%s:%s:%u:9728:109", r->c->conf->cluster_name, r->c->conf->ctld_addrs[0],
		    r->c->conf->ctld_port);
		strv_setenv(env, n, "SLURM_WORKING_CLUSTER", wc);
		free(wc);
	}
	if (r->o->desc.flags & JOB_DESC_CPT_SET) {
		snprintf(v, sizeof(v), "%u", r->o->desc.cpus_per_task);
		strv_setenv(env, n, "SLURM_CPUS_PER_TASK", v);
	}
	if (r->o->label)
		strv_setenv(env, n, "SLURM_LABELIO", "1");
	struct winsize ws;
	if (r->o->pty && ioctl(1, TIOCGWINSZ, &ws) == 0 && ws.ws_row && ws.ws_col) {
		snprintf(v, sizeof(v), "%u", ws.ws_row);
		strv_setenv(env, n, "SLURM_PTY_WIN_ROW", v);
		snprintf(v, sizeof(v), "%u", ws.ws_col);
		strv_setenv(env, n, "SLURM_PTY_WIN_COL", v);
	}
	if (r->o->cpu_bind != NULL) {
		/* --cpu-bind=[quiet|verbose,]type[:list] as the tasks see it */
		char *cb = xstrdup(r->o->cpu_bind);
		const char *verbose = "quiet";
		char *type = cb;
		char *comma = strchr(cb, ',');
		if (comma && (strncmp(cb, "quiet", 5) == 0 || strncmp(cb, "verbose", 7) == 0 || *cb == 'v' ||
		                 *cb == 'q')) {
			*comma = '\0';
			verbose = *cb == 'v' ? "verbose" : "quiet";
			type = comma + 1;
		}
		char *list = strchr(type, ':');
		if (list)
			*list++ = '\0';
		char *full = xasprintf("%s,%s%s%s", verbose, type, list ? ":" : "", list ? list : "");
		strv_setenv(env, n, "SLURM_CPU_BIND", full);
		strv_setenv(env, n, "SLURM_CPU_BIND_VERBOSE", verbose);
		strv_setenv(env, n, "SLURM_CPU_BIND_TYPE", type);
		strv_setenv(env, n, "SLURM_CPU_BIND_LIST", list ? list : "");
		free(full);
		free(cb);
	}
	if (strcmp(so->mpi, "none") != 0)
		strv_setenv(env, n, "SLURM_MPI_TYPE", so->mpi);
}

static int
launch(struct srun *r, const char *host, uint16_t port)
{
	struct step_create_resp *sr = r->sr;
	struct stepio_opts *so = r->so;
	struct step_launch sl;
	memset(&sl, 0, sizeof(sl));
	struct passwd *pw = getpwuid(getuid());
	sl.job_id = r->job_id;
	sl.step_id = r->step_id;
	sl.uid = getuid();
	sl.gid = getgid();
	sl.user_name = pw ? pw->pw_name : NULL;
	sl.ntasks = sr->ntasks;
	for (uint32_t i = 0; i < sr->nodes_cnt; i++) {
		strv_add(&sl.node_names, &sl.node_names_cnt, sr->nodes[i].name);
		strv_add(&sl.node_gtids, &sl.node_gtids_cnt, sr->nodes[i].gtids ? sr->nodes[i].gtids : "");
	}
	sl.nodelist = sr->nodelist;
	sl.tasks_per_node = sr->tasks_per_node;
	sl.cpus_per_task = r->o->desc.cpus_per_task;
	sl.argv = so->argv;
	sl.argv_cnt = so->argc;
	char *mp_argv[3] = {NULL, NULL, NULL};
	struct buf mp;
	buf_init(&mp);
	if (r->o->multi_prog) {
		/* the file travels with the launch: each node picks its ranks' lines */
		int fd = open(so->argv[0], O_RDONLY | O_CLOEXEC);
		if (fd < 0 || buf_read_fd(&mp, fd, 1U << 20) < 0) {
			error("Unable to open configuration file %s: %s", so->argv[0], strerror(errno));
			if (fd >= 0)
				close(fd);
			cancel_step(r);
			return -1;
		}
		close(fd);
		buf_addc(&mp, '\0');
		for (uint32_t t = 0; t < sr->ntasks; t++) {
			uint32_t ac;
			char why[256];
			char **v = multiprog_argv(mp.data, t, &ac, why, sizeof(why));
			if (v == NULL) {
				error("%s: %s", so->argv[0], why);
				buf_free(&mp);
				cancel_step(r);
				return -1;
			}
			strv_free(v, ac);
		}
		mp_argv[0] = so->argv[0];
		mp_argv[1] = mp.data;
		sl.argv = mp_argv;
		sl.argv_cnt = 2;
		sl.flags |= LAUNCH_MULTI_PROG;
	}
	sl.work_dir = r->o->cwd;
	if (jobopt_seen(r->o, 'D') && r->o->desc.work_dir)
		sl.work_dir = r->o->desc.work_dir;
	sl.io_host = (char *)host;
	sl.io_port = port;
	sl.io_key = r->key;
	sl.io_key_len = sizeof(r->key);
	sl.flags |= (r->o->label ? LAUNCH_LABEL : 0) | (r->o->unbuffered ? LAUNCH_UNBUFFERED : 0) |
	            (r->o->pty ? LAUNCH_PTY : 0);
	sl.stdin_task = r->stdin_task;
	sl.mpi = (char *)so->mpi;
	mode_t um = umask(0);
	umask(um);
	sl.umask = (uint32_t)um;
	build_env(r, &sl, host, port);
	int *fds = xcalloc(sr->nodes_cnt, sizeof(int));
	int failed = 0;
	for (uint32_t i = 0; i < sr->nodes_cnt; i++) {
		struct step_node *sn = &sr->nodes[i];
		sl.node_id = i;
		sl.cpus = sn->cpus;
		sl.cred = sn->cred;
		sl.cred_len = sn->cred_len;
		fds[i] = net_connect(sn->addr, (uint16_t)sn->port, 5000);
		if (fds[i] < 0 || net_send_msg(fds[i], r->c->auth, REQ_STEP_LAUNCH, i + 1, &sl) < 0) {
			error("Task launch for StepId=%u.%u failed on node %s: %s", r->job_id, r->step_id,
			    sn->name, "Communication connection failure");
			failed = 1;
			if (fds[i] >= 0)
				close(fds[i]);
			fds[i] = -1;
		}
	}
	for (uint32_t i = 0; i < sr->nodes_cnt; i++) {
		if (fds[i] < 0)
			continue;
		struct msg m;
		int rc = net_recv_msg(fds[i], NULL, 0, 10000, &m);
		int code =
		    rc != 0 ? HERD_ECONN : (m.type == RESP_RC ? ((struct rc *)m.body)->rc : HERD_EPROTO);
		if (rc == 0)
			msg_free(&m);
		if (code != 0) {
			error("Task launch for StepId=%u.%u failed on node %s: %s", r->job_id, r->step_id,
			    sr->nodes[i].name, herd_strerror(code));
			failed = 1;
		}
		close(fds[i]);
	}
	free(fds);
	buf_free(&mp);
	strv_free(sl.env, sl.env_cnt);
	strv_free(sl.node_names, sl.node_names_cnt);
	strv_free(sl.node_gtids, sl.node_gtids_cnt);
	if (failed) {
		error("Application launch failed: Invalid job credential");
		info("Job step aborted");
		cancel_step(r);
		return -1;
	}
	return 0;
}

/* --- stdin -------------------------------------------------------------- */

static int
stdin_wanted(struct srun *r)
{
	if (r->stdin_fd < 0 || r->stdin_eof)
		return 0;
	for (uint32_t i = 0; i < r->nn; i++) {
		struct nodeio *n = &r->n[i];
		if (n->fd < 0 && !n->done)
			return 0; /* wait until every node is connected */
		if (n->stdin_inflight >= STDIN_WINDOW)
			return 0;
	}
	return 1;
}

static void
stdin_read(struct srun *r)
{
	char chunk[65536];
	ssize_t got = read(r->stdin_fd, chunk, sizeof(chunk));
	if (got < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (got <= 0)
		r->stdin_eof = 1;
	struct io_data d = {.task = r->stdin_task == STDIN_ALL ? NO_VAL : r->stdin_task,
	    .stream = 0,
	    .data = (uint8_t *)chunk,
	    .data_len = got > 0 ? (uint32_t)got : 0};
	for (uint32_t i = 0; i < r->nn; i++) {
		struct nodeio *n = &r->n[i];
		int target = r->stdin_task == STDIN_ALL;
		for (uint32_t k = 0; k < n->ntasks && !target; k++)
			if (n->tids[k] == r->stdin_task)
				target = 1;
		if (!target || n->fd < 0)
			continue;
		node_send(r, n, IO_DATA, &d);
		n->stdin_inflight += d.data_len;
		node_flush(n);
	}
}

/* --- signals and status ------------------------------------------------------ */

static char *
ranks_str(const uint32_t *v, uint32_t n)
{
	struct buf b;
	buf_init(&b);
	for (uint32_t i = 0; i < n;) {
		uint32_t j = i;
		while (j + 1 < n && v[j + 1] == v[j] + 1)
			j++;
		buf_printf(&b, "%s%u", i ? "," : "", v[i]);
		if (j > i)
			buf_printf(&b, "-%u", v[j]);
		i = j + 1;
	}
	return buf_take(&b);
}

static void
print_status(struct srun *r)
{
	uint32_t *run = xcalloc(r->nt ? r->nt : 1, sizeof(uint32_t));
	uint32_t *done = xcalloc(r->nt ? r->nt : 1, sizeof(uint32_t));
	uint32_t nr = 0, nd = 0;
	for (uint32_t i = 0; i < r->nt; i++) {
		if (r->t[i].exited)
			done[nd++] = i;
		else
			run[nr++] = i;
	}
	if (nr) {
		char *s = ranks_str(run, nr);
		info("StepId=%u.%u task%s %s: running", r->job_id, r->step_id, nr > 1 ? "s" : "", s);
		free(s);
	}
	if (nd) {
		char *s = ranks_str(done, nd);
		info("StepId=%u.%u task%s %s: exited", r->job_id, r->step_id, nd > 1 ? "s" : "", s);
		free(s);
	}
	free(run);
	free(done);
}

static void
handle_signal(struct srun *r, int sig)
{
	if (sig == SIGWINCH) {
		struct winsize ws;
		if (r->o->pty && ioctl(1, TIOCGWINSZ, &ws) == 0) {
			struct io_ctl c = {
			    .kind = IO_CTL_WINSIZE, .seq = (uint64_t)ws.ws_row << 16 | ws.ws_col};
			for (uint32_t i = 0; i < r->nn; i++) {
				node_send(r, &r->n[i], IO_CTL, &c);
				node_flush(&r->n[i]);
			}
		}
		return;
	}
	if (sig != SIGINT) {
		signal_nodes(r, sig);
		return;
	}
	int64_t now = now_ms();
	if (r->o->quit_on_interrupt) {
		info("forcing job termination");
		cancel_step(r);
		return;
	}
	if (r->o->disable_status) {
		signal_nodes(r, SIGINT);
		return;
	}
	if (now - r->last_intr_ms > 1000) {
		info("interrupt (one more within 1 sec to abort)");
		print_status(r);
		r->last_intr_ms = now;
		return;
	}
	if (r->cancelled) {
		info("forcing job termination");
		signal_nodes(r, SIGKILL);
		return;
	}
	info("sending Ctrl-C to StepId=%u.%u", r->job_id, r->step_id);
	signal_nodes(r, SIGINT);
	r->last_intr_sent_ms = now;
	cancel_step(r);
	info("Job step aborted: Waiting up to %u seconds for job step to finish.", r->c->conf->kill_wait + 2);
}

/* --- the end ------------------------------------------------------------ */

static int
report(struct srun *r)
{
	int code = 0, maxsig = 0;
	uint32_t worst = 0;
	uint32_t *v = xcalloc(r->nt ? r->nt : 1, sizeof(uint32_t));
	for (uint32_t ni = 0; ni < r->nn; ni++) {
		struct nodeio *n = &r->n[ni];
		int *shown = xcalloc(n->ntasks ? n->ntasks : 1, sizeof(int));
		for (uint32_t k = 0; k < n->ntasks; k++) {
			uint32_t st = r->t[n->tids[k]].status;
			if (shown[k] || (WIFEXITED(st & 0xffff) && WEXITSTATUS(st & 0xffff) == 0))
				continue;
			uint32_t cnt = 0;
			for (uint32_t m = k; m < n->ntasks; m++)
				if (!shown[m] && r->t[n->tids[m]].status == st) {
					v[cnt++] = n->tids[m];
					shown[m] = 1;
				}
			if (st & 0x10000)
				continue; /* reported when it happened (-K) */
			char *s = ranks_str(v, cnt);
			if (WIFEXITED(st))
				error("%s: task%s %s: Exited with exit code %d", n->name, cnt > 1 ? "s" : "",
				    s, WEXITSTATUS(st));
			else
				error("%s: task%s %s: %s%s", n->name, cnt > 1 ? "s" : "", s,
				    strsignal(WTERMSIG(st)), WCOREDUMP(st) ? " (core dumped)" : "");
			free(s);
		}
		free(shown);
	}
	for (uint32_t i = 0; i < r->nt; i++) {
		uint32_t st = r->t[i].status & 0xffff;
		if (WIFEXITED(st) && (int)WEXITSTATUS(st) > code)
			code = (int)WEXITSTATUS(st);
		if (WIFSIGNALED(st) && (int)WTERMSIG(st) > maxsig)
			maxsig = (int)WTERMSIG(st);
		if (WIFSIGNALED(st) ? (!WIFSIGNALED(worst) || WTERMSIG(st) > WTERMSIG(worst))
		                    : (!WIFSIGNALED(worst) && WEXITSTATUS(st) > WEXITSTATUS(worst)))
			worst = st;
	}
	free(v);
	r->so->worst_status = worst;
	return maxsig ? 128 + maxsig : code;
}

int
stepio_run(struct client *c, struct stepio_opts *so)
{
	struct srun rr, *r = &rr;
	memset(r, 0, sizeof(rr));
	r->c = c;
	r->so = so;
	r->o = so->opt;
	r->job_id = so->job_id;
	r->lfd = -1;
	r->stdin_fd = -1;
	if (create_step(r) < 0)
		return 1;
	struct step_create_resp *sr = r->sr;
	r->nn = sr->nodes_cnt;
	r->nt = sr->ntasks;
	r->n = xcalloc(r->nn, sizeof(struct nodeio));
	r->t = xcalloc(r->nt ? r->nt : 1, sizeof(struct taskio));
	for (uint32_t i = 0; i < r->nn; i++) {
		struct nodeio *n = &r->n[i];
		n->name = sr->nodes[i].name;
		n->fd = -1;
		buf_init(&n->in);
		buf_init(&n->out);
		n->ntasks = sr->nodes[i].ntasks;
		n->tids = xcalloc(n->ntasks ? n->ntasks : 1, sizeof(uint32_t));
		if (layout_parse_gtids(sr->nodes[i].gtids, n->tids, n->ntasks) != (int)n->ntasks)
			n->ntasks = 0;
		for (uint32_t k = 0; k < n->ntasks; k++)
			if (n->tids[k] < r->nt)
				r->t[n->tids[k]].node = i;
	}
	for (uint32_t i = 0; i < r->nt; i++) {
		for (int s = 0; s < 3; s++)
			buf_init(&r->t[i].line[s]);
		r->t[i].out_fd = r->t[i].err_fd = -1;
	}
	int w = 1;
	for (uint32_t x = r->nt > 0 ? r->nt - 1 : 0; x >= 10; x /= 10)
		w++;
	r->label_width = w;
	/* stdin: task 0 by default; -i all|none|<rank>|<file> */
	r->stdin_task = 0;
	r->stdin_fd = 0;
	const char *in = so->std_in;
	if (in != NULL) {
		char *end;
		unsigned long rank = strtoul(in, &end, 10);
		if (strcmp(in, "all") == 0) {
			r->stdin_task = STDIN_ALL;
		} else if (strcmp(in, "/dev/null") == 0 || strcasecmp(in, "none") == 0) {
			r->stdin_task = STDIN_NONE;
			r->stdin_fd = -1;
		} else if (*in && *end == '\0') {
			r->stdin_task = rank < r->nt ? (uint32_t)rank : STDIN_NONE;
		} else {
			char *path = expand_pattern(r, in, 0);
			r->stdin_fd = open(path, O_RDONLY | O_CLOEXEC);
			if (r->stdin_fd < 0) {
				error("Could not open stdin file %s: %s", path, strerror(errno));
				free(path);
				cancel_step(r);
				return 1;
			}
			free(path);
			r->stdin_task = STDIN_ALL;
		}
	}
	int status = 1;
	if (open_outputs(r) < 0) {
		cancel_step(r);
		goto out;
	}
	/* where the supervisors call back */
	r->lfd = net_listen(NULL, 0);
	if (r->lfd < 0) {
		error("cannot listen for the step's I/O: %s", strerror(errno));
		cancel_step(r);
		goto out;
	}
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	uint16_t port = 0;
	if (getsockname(r->lfd, (struct sockaddr *)&ss, &sl) == 0)
		port = ntohs(ss.ss_family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port
		                                     : ((struct sockaddr_in6 *)&ss)->sin6_port);
	char host[INET6_ADDRSTRLEN] = "127.0.0.1";
	sl = sizeof(ss);
	if (c->fd >= 0 && getsockname(c->fd, (struct sockaddr *)&ss, &sl) == 0) {
		if (ss.ss_family == AF_INET)
			inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr, host, sizeof(host));
		else if (ss.ss_family == AF_INET6)
			inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&ss)->sin6_addr, host, sizeof(host));
	}
	if (getrandom(r->key, sizeof(r->key), 0) != (ssize_t)sizeof(r->key)) {
		error("no random key for the step's I/O");
		cancel_step(r);
		goto out;
	}
	sigset_t mask;
	sigemptyset(&mask);
	int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGCONT, SIGALRM, SIGWINCH};
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaddset(&mask, sigs[i]);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	r->sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	signal(SIGPIPE, SIG_IGN);
	if (launch(r, host, port) < 0)
		goto out;
	/* --pty: keystrokes go to the remote terminal as they are typed */
	struct termios saved_tio;
	int raw = 0;
	if (r->o->pty && isatty(0) && tcgetattr(0, &saved_tio) == 0) {
		struct termios tio = saved_tio;
		cfmakeraw(&tio);
		raw = tcsetattr(0, TCSANOW, &tio) == 0;
	}
	if (r->stdin_fd >= 0)
		net_set_nonblock(r->stdin_fd, 1);
	struct pollfd *p = xcalloc(r->nn + 3, sizeof(struct pollfd));
	for (;;) {
		int all_done = 1;
		for (uint32_t i = 0; i < r->nn; i++)
			if (!r->n[i].done)
				all_done = 0;
		if (all_done)
			break;
		size_t k = 0;
		p[k++] = (struct pollfd){r->lfd, POLLIN, 0};
		p[k++] = (struct pollfd){r->sfd, POLLIN, 0};
		p[k++] = (struct pollfd){stdin_wanted(r) ? r->stdin_fd : -1, POLLIN, 0};
		for (uint32_t i = 0; i < r->nn; i++) {
			struct nodeio *n = &r->n[i];
			p[k++] = (struct pollfd){
			    n->fd, (short)(POLLIN | (n->out.len > n->out_off ? POLLOUT : 0)), 0};
		}
		int timeout = 1000;
		if (r->o->wait_s > 0 && r->first_exit_ms) {
			int64_t left = r->first_exit_ms + (int64_t)r->o->wait_s * 1000 - now_ms();
			if (left <= 0) {
				error("Timed out waiting for job step to complete");
				signal_nodes(r, SIGKILL);
				r->first_exit_ms = INT64_MAX / 4;
				left = 1000;
			}
			timeout = left < 1000 ? (int)left : 1000;
		}
		if (poll(p, k, timeout) < 0 && errno != EINTR)
			break;
		if (p[0].revents & POLLIN)
			accept_node(r);
		if (p[1].revents & POLLIN) {
			struct signalfd_siginfo si;
			while (read(r->sfd, &si, sizeof(si)) == sizeof(si))
				handle_signal(r, (int)si.ssi_signo);
		}
		if (p[2].revents & (POLLIN | POLLHUP | POLLERR))
			stdin_read(r);
		for (uint32_t i = 0; i < r->nn; i++) {
			struct pollfd *q = &p[3 + i];
			if (r->n[i].fd < 0)
				continue;
			if (q->revents & POLLOUT)
				node_flush(&r->n[i]);
			if (q->revents & (POLLIN | POLLHUP | POLLERR))
				node_read(r, i);
		}
	}
	free(p);
	if (raw)
		tcsetattr(0, TCSANOW, &saved_tio);
	for (uint32_t i = 0; i < r->nt; i++)
		for (int s = 1; s <= 2; s++)
			task_output(r, i, (uint32_t)s, NULL, 0);
	status = report(r);
	so->cancelled = r->cancelled;
out:
	if (r->lfd >= 0)
		close(r->lfd);
	for (uint32_t i = 0; i < r->nn; i++) {
		if (r->n[i].fd >= 0)
			close(r->n[i].fd);
		buf_free(&r->n[i].in);
		buf_free(&r->n[i].out);
		free(r->n[i].tids);
	}
	int closed[2] = {-1, -1};
	for (uint32_t i = 0; i < r->nt; i++) {
		for (int s = 0; s < 3; s++)
			buf_free(&r->t[i].line[s]);
		int fds[2] = {r->t[i].out_fd, r->t[i].err_fd};
		for (int k = 0; k < 2; k++) {
			if (fds[k] < 0 || fds[k] == closed[0] || fds[k] == closed[1])
				continue;
			if (fcntl(fds[k], F_GETFD) >= 0)
				close(fds[k]);
			closed[k] = fds[k];
		}
	}
	while (r->fences) {
		struct fence *f = r->fences;
		r->fences = f->next;
		for (uint32_t i = 0; i < r->nn; i++)
			buf_free(&f->part[i]);
		free(f->part);
		free(f->have);
		free(f);
	}
	free(r->n);
	free(r->t);
	if (r->stdin_fd > 0)
		close(r->stdin_fd);
	proto_destroy(&rdesc_step_create_resp, r->sr);
	return status;
}

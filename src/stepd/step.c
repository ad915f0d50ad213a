/* SPDX-License-Identifier: MIT */
/*
 * The supervisor of one node's part of a job step (srun): forked by herdd
 * after it checked the controller's credential.  Starts the node's tasks
 * as the job's user in one process group (and cgroup v2 when allowed),
 * streams their stdout/stderr to srun as they write it and srun's stdin
 * to them, reports each task's exit to srun, carries out signals from
 * srun and the controller, and, once every task is gone, kills what they
 * left behind, tells the controller (through herdd) and then srun that
 * this node is done.  If srun goes away, the tasks are killed.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <termios.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/log.h"
#include "base/xmalloc.h"
#include "layout/layout.h"
#include "layout/multiprog.h"
#include "mpi_hook.h"
#include "net/net.h"
#include "proto/proto.h"
#include "proto/sigflags.h"
#include "proto/stepflags.h"
#include "stepd.h"
#include "stepd_int.h"

extern char **environ;

#define IO_CHUNK (256U << 10)
#define IO_OUT_HIGH (8U << 20) /* stop reading tasks while srun lags this much */

struct task {
	uint32_t gtid, lid;
	pid_t pid;
	int out_fd, err_fd, in_fd; /* -1 when closed */
	int exited, exit_sent;
	uint32_t status;
	struct buf in; /* stdin not yet written to the task */
	size_t in_off;
	char **mpi_env; /* the MPI type's variables, made before the fork */
	uint32_t mpi_env_cnt;
};

struct sstep {
	struct step_launch *sl;
	const char *spool, *node;
	uint32_t n; /* tasks here */
	struct task *t;
	int io_fd; /* srun */
	struct buf io_out;
	size_t io_out_off;
	struct buf io_in;
	int hfd; /* herdd */
	char *sock;
	char *cgroup;
	pid_t pgid;
	int64_t kill_at_ms;
	int srun_gone;
	int stdin_closed;
	uint64_t acked; /* stdin bytes delivered, not yet acknowledged */
	uint32_t worst;
	struct mpi_hook *mpi;
	int in_cgroup; /* tasks are born in the cgroup */
	struct stepd_usage usage;
	int64_t next_sample_ms;
	int sample_now; /* sstat asked (STEPD_SIG_SAMPLE) */
	int64_t sample_gap_ms; /* stepd_sample_gap_ms */
	pid_t pty_pid; /* task 0 under --pty (its own session) */
};

static uint32_t
status_worse(uint32_t a, uint32_t b)
{
	int sa = WIFSIGNALED(a), sb = WIFSIGNALED(b);
	if (sa != sb)
		return sa ? a : b;
	if (sa)
		return WTERMSIG(a) >= WTERMSIG(b) ? a : b;
	return WEXITSTATUS(a) >= WEXITSTATUS(b) ? a : b;
}

/* --- to srun -------------------------------------------------------- */

static void
io_queue(struct sstep *s, unsigned type, const void *rec)
{
	if (s->srun_gone)
		return;
	wire_encode(NULL, type, 0, rec, &s->io_out);
}

static void
io_flush(struct sstep *s)
{
	while (!s->srun_gone && s->io_out_off < s->io_out.len) {
		ssize_t w = write(s->io_fd, s->io_out.data + s->io_out_off, s->io_out.len - s->io_out_off);
		if (w > 0) {
			s->io_out_off += (size_t)w;
			continue;
		}
		if (w < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		s->srun_gone = 1;
	}
	if (s->io_out_off == s->io_out.len) {
		buf_reset(&s->io_out);
		s->io_out_off = 0;
	}
}

static void
io_send_text(struct sstep *s, const char *text)
{
	struct io_data d = {
	    .task = NO_VAL, .stream = 2, .data = (uint8_t *)text, .data_len = (uint32_t)strlen(text)};
	io_queue(s, IO_DATA, &d);
}

static void
mpi_send(void *arg, uint32_t kind, uint32_t node, uint64_t seq, const void *data, size_t len)
{
	struct sstep *s = arg;
	struct io_ctl c = {.kind = IO_CTL_MPI + kind,
	    .node = node,
	    .seq = seq,
	    .data = (uint8_t *)data,
	    .data_len = (uint32_t)len};
	io_queue(s, IO_CTL, &c);
	io_flush(s);
}

/* --- tasks ------------------------------------------------------------- */

static void
signal_tasks(struct sstep *s, int sig)
{
	/* each process once: a handler must not run twice for one signal */
	if (s->cgroup != NULL) {
		stepd_cgroup_signal(s->cgroup, sig);
		return;
	}
	if (s->pgid > 0)
		kill(-s->pgid, sig);
	if (s->pty_pid > 0)
		kill(-s->pty_pid, sig);
}

static void
kill_sequence(struct sstep *s, int sig, uint32_t kill_wait_s)
{
	signal_tasks(s, SIGCONT);
	signal_tasks(s, sig);
	if (s->kill_at_ms == 0)
		s->kill_at_ms = stepd_now_ms() + (int64_t)kill_wait_s * 1000;
}

static void __attribute__((noreturn))
task_exec(struct sstep *s, struct task *t, int in, int out, int err, const char *pty)
{
	struct step_launch *sl = s->sl;
	if (pty != NULL) {
		/* srun --pty: a session of its own with the terminal as its
		 * controlling tty and stdin/stdout/stderr */
		setsid();
		int fd = open(pty, O_RDWR);
		if (fd < 0 || ioctl(fd, TIOCSCTTY, 0) < 0)
			_exit(1);
		in = out = err = fd;
	} else {
		setpgid(0, s->pgid);
	}
	if (s->cgroup != NULL && !s->in_cgroup) {
		char *pf = xasprintf("%s/cgroup.procs", s->cgroup);
		stepd_write_file(pf, "0", 1, 0644);
		free(pf);
	}
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	for (int sig = 1; sig < NSIG; sig++)
		signal(sig, SIG_DFL);
	dup2(in, 0);
	dup2(out, 1);
	dup2(err, 2);
	umask(sl->umask ? (mode_t)sl->umask : 022);
	if (getuid() != sl->uid || getgid() != sl->gid) {
		if ((initgroups(sl->user_name ? sl->user_name : "nobody", sl->gid) < 0 &&
		        setgroups(0, NULL) < 0) ||
		    setgid(sl->gid) < 0 || setuid(sl->uid) < 0) {
			dprintf(2, "slurmstepd: error: cannot become uid %u gid %u: %s\n", sl->uid, sl->gid,
			    strerror(errno));
			_exit(1);
		}
	}
	if (sl->work_dir && chdir(sl->work_dir) < 0) {
		dprintf(2, "slurmstepd: error: couldn't chdir to `%s': %s: going to /tmp instead\n",
		    sl->work_dir, strerror(errno));
		if (chdir("/tmp") < 0)
			_exit(1);
	}
	char **env = NULL;
	uint32_t n = 0;
	for (uint32_t i = 0; i < sl->env_cnt; i++)
		strv_add(&env, &n, sl->env[i]);
	char v[32];
	snprintf(v, sizeof(v), "%u", t->gtid);
	strv_setenv(&env, &n, "SLURM_PROCID", v);
	snprintf(v, sizeof(v), "%u", t->lid);
	strv_setenv(&env, &n, "SLURM_LOCALID", v);
	snprintf(v, sizeof(v), "%u", sl->node_id);
	strv_setenv(&env, &n, "SLURM_NODEID", v);
	strv_setenv(
	    &env, &n, "SLURM_GTIDS", sl->node_id < sl->node_gtids_cnt ? sl->node_gtids[sl->node_id] : "0");
	snprintf(v, sizeof(v), "%ld", (long)getpid());
	strv_setenv(&env, &n, "SLURM_TASK_PID", v);
	strv_setenv(&env, &n, "SLURMD_NODENAME", s->node);
	strv_setenv(&env, &n, "SLURM_TOPOLOGY_ADDR", s->node);
	strv_setenv(&env, &n, "SLURM_TOPOLOGY_ADDR_PATTERN", "node");
	snprintf(v, sizeof(v), "%u", sl->cpus);
	strv_setenv(&env, &n, "SLURM_CPUS_ON_NODE", v);
	for (uint32_t i = 0; i < t->mpi_env_cnt; i++) {
		char *eq = strchr(t->mpi_env[i], '=');
		if (eq == NULL)
			continue;
		*eq = '\0';
		strv_setenv(&env, &n, t->mpi_env[i], eq + 1);
		*eq = '=';
	}
	env = xreallocarray(env, n + 1, sizeof(char *));
	env[n] = NULL;
	char **argv;
	if ((sl->flags & LAUNCH_MULTI_PROG) && sl->argv_cnt >= 2) {
		uint32_t ac;
		char why[256];
		argv = multiprog_argv(sl->argv[1], t->gtid, &ac, why, sizeof(why));
		if (argv == NULL) {
			dprintf(2, "slurmstepd: error: %s\n", why);
			_exit(1);
		}
	} else {
		argv = xcalloc(sl->argv_cnt + 1, sizeof(char *));
		for (uint32_t i = 0; i < sl->argv_cnt; i++)
			argv[i] = sl->argv[i];
	}
	environ = env;
	execvp(argv[0], argv);
	dprintf(2, "slurmstepd: error: execve(): %s: %s\n", argv[0], strerror(errno));
	_exit(2);
}

static int
tasks_start(struct sstep *s, char *err, size_t errlen)
{
	struct step_launch *sl = s->sl;
	uint32_t *gt = xcalloc(s->n ? s->n : 1, sizeof(uint32_t));
	const char *mine = sl->node_id < sl->node_gtids_cnt ? sl->node_gtids[sl->node_id] : "";
	if (layout_parse_gtids(mine, gt, s->n) != (int)s->n) {
		snprintf(err, errlen, "bad task list '%s'", mine);
		free(gt);
		return -1;
	}
	int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
	for (uint32_t i = 0; i < s->n; i++) {
		struct task *t = &s->t[i];
		t->gtid = gt[i];
		t->lid = i;
		int po[2], pe[2], pi[2] = {-1, -1};
		int wants_in = sl->stdin_task == STDIN_ALL || sl->stdin_task == t->gtid;
		if (pipe2(po, O_CLOEXEC) < 0 || pipe2(pe, O_CLOEXEC) < 0 ||
		    (wants_in && pipe2(pi, O_CLOEXEC) < 0)) {
			snprintf(err, errlen, "pipe: %s", strerror(errno));
			free(gt);
			return -1;
		}
		int ptm = -1;
		char pts[64] = "";
		if ((sl->flags & LAUNCH_PTY) && t->gtid == 0) {
			ptm = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
			if (ptm < 0 || grantpt(ptm) < 0 || unlockpt(ptm) < 0 ||
			    ptsname_r(ptm, pts, sizeof(pts)) != 0) {
				snprintf(
				    err, errlen, "cannot allocate a pseudo terminal: %s", strerror(errno));
				free(gt);
				return -1;
			}
			if (chown(pts, sl->uid, (gid_t)-1) < 0)
				log_warn("step %u.%u: chown %s", sl->job_id, sl->step_id, pts);
			const char *rows = strv_getenv(sl->env, sl->env_cnt, "SLURM_PTY_WIN_ROW");
			const char *cols = strv_getenv(sl->env, sl->env_cnt, "SLURM_PTY_WIN_COL");
			if (rows && cols) {
				struct winsize ws = {.ws_row = (unsigned short)atoi(rows),
				    .ws_col = (unsigned short)atoi(cols)};
				ioctl(ptm, TIOCSWINSZ, &ws);
			}
		}
		if (s->mpi != NULL)
			mpi_hook_task_env(s->mpi, t->lid, &t->mpi_env, &t->mpi_env_cnt);
		/* with MPI, libpmix's threads run: a plain fork then */
		pid_t pid = s->mpi == NULL ? stepd_fork_into(s->cgroup, &s->in_cgroup) : fork();
		if (pid < 0) {
			snprintf(err, errlen, "fork: %s", strerror(errno));
			free(gt);
			return -1;
		}
		if (pid == 0)
			task_exec(s, t, wants_in ? pi[0] : devnull, po[1], pe[1], ptm >= 0 ? pts : NULL);
		t->pid = pid;
		stepd_usage_task(&s->usage, i, pid, t->gtid);
		close(po[1]);
		close(pe[1]);
		/* bigger pipes: fewer wakeups for tasks that write a lot */
		fcntl(po[0], F_SETPIPE_SZ, 1 << 20);
		t->in_fd = -1;
		buf_init(&t->in);
		if (ptm >= 0) {
			/* everything the task writes comes out of the terminal */
			s->pty_pid = pid;
			close(po[0]);
			close(pe[0]);
			if (wants_in) {
				close(pi[0]);
				close(pi[1]);
			}
			t->out_fd = ptm;
			t->err_fd = -1;
			net_set_nonblock(ptm, 1);
			if (wants_in) {
				t->in_fd = fcntl(ptm, F_DUPFD_CLOEXEC, 0);
				if (t->in_fd >= 0)
					net_set_nonblock(t->in_fd, 1);
			}
			continue;
		}
		if (s->pgid == 0)
			s->pgid = pid;
		setpgid(pid, s->pgid);
		t->out_fd = po[0];
		t->err_fd = pe[0];
		net_set_nonblock(t->out_fd, 1);
		net_set_nonblock(t->err_fd, 1);
		if (wants_in) {
			close(pi[0]);
			t->in_fd = pi[1];
			net_set_nonblock(t->in_fd, 1);
		}
	}
	if (devnull >= 0)
		close(devnull);
	free(gt);
	return 0;
}

static void
task_read(struct sstep *s, struct task *t, int stream)
{
	int *fd = stream == 1 ? &t->out_fd : &t->err_fd;
	static char chunk[IO_CHUNK]; /* one thread, not reentered */
	for (int round = 0; round < 4 && *fd >= 0; round++) {
		ssize_t r = read(*fd, chunk, sizeof(chunk));
		if (r < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		struct io_data d = {.task = t->gtid,
		    .stream = (uint32_t)stream,
		    .data = (uint8_t *)chunk,
		    .data_len = r > 0 ? (uint32_t)r : 0};
		io_queue(s, IO_DATA, &d);
		if (r <= 0) {
			close(*fd);
			*fd = -1;
			return;
		}
		if ((size_t)r < sizeof(chunk))
			return;
	}
}

static void
task_write_stdin(struct sstep *s, struct task *t)
{
	while (t->in_fd >= 0 && t->in_off < t->in.len) {
		ssize_t w = write(t->in_fd, t->in.data + t->in_off, t->in.len - t->in_off);
		if (w > 0) {
			t->in_off += (size_t)w;
			s->acked += (uint64_t)w;
			continue;
		}
		if (w < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		/* the task closed its stdin: what it did not read is dropped */
		s->acked += t->in.len - t->in_off;
		close(t->in_fd);
		t->in_fd = -1;
	}
	if (t->in_off == t->in.len) {
		buf_reset(&t->in);
		t->in_off = 0;
		if (s->stdin_closed && t->in_fd >= 0) {
			close(t->in_fd);
			t->in_fd = -1;
		}
	}
}

static void
stdin_data(struct sstep *s, struct io_data *d)
{
	uint64_t dropped = 0;
	if (d->data_len == 0)
		s->stdin_closed = 1;
	for (uint32_t i = 0; i < s->n; i++) {
		struct task *t = &s->t[i];
		if (d->task != NO_VAL && d->task != t->gtid)
			continue;
		if (t->in_fd < 0) {
			dropped += d->data_len;
			continue;
		}
		buf_add(&t->in, d->data, d->data_len);
		task_write_stdin(s, t);
	}
	s->acked += dropped;
}

/* --- control ---------------------------------------------------------------- */

static void
srun_frame(struct sstep *s, struct msg *m)
{
	if (m->type == IO_DATA) {
		stdin_data(s, m->body);
	} else if (m->type == IO_CTL) {
		struct io_ctl *c = m->body;
		if (c->kind == IO_CTL_SIGNAL && c->seq > 0 && c->seq < NSIG)
			signal_tasks(s, (int)c->seq);
		else if (c->kind == IO_CTL_CANCEL)
			kill_sequence(s, SIGTERM, c->seq ? (uint32_t)c->seq : 30);
		else if (c->kind == IO_CTL_WINSIZE && s->pty_pid > 0 && s->n > 0) {
			/* the terminal of srun --pty was resized */
			struct winsize ws = {.ws_row = (unsigned short)(c->seq >> 16),
			    .ws_col = (unsigned short)(c->seq & 0xffff)};
			for (uint32_t i = 0; i < s->n; i++)
				if (s->t[i].pid == s->pty_pid && s->t[i].out_fd >= 0)
					ioctl(s->t[i].out_fd, TIOCSWINSZ, &ws);
		} else if (c->kind >= IO_CTL_MPI && s->mpi != NULL)
			mpi_hook_recv(s->mpi, c->kind - IO_CTL_MPI, c->node, c->seq, c->data, c->data_len);
	}
}

static void
srun_read(struct sstep *s)
{
	char chunk[IO_CHUNK];
	ssize_t r = read(s->io_fd, chunk, sizeof(chunk));
	if (r < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (r <= 0) {
		if (!s->srun_gone)
			log_info(
			    "step %u.%u: srun went away, ending the step", s->sl->job_id, s->sl->step_id);
		s->srun_gone = 1;
		kill_sequence(s, SIGKILL, 0);
		return;
	}
	buf_add(&s->io_in, chunk, (size_t)r);
	size_t off = 0;
	while (s->io_in.len - off >= WIRE_HDR_LEN) {
		struct wire_hdr h;
		if (wire_hdr_decode(s->io_in.data + off, &h) != 0) {
			s->srun_gone = 1;
			kill_sequence(s, SIGKILL, 0);
			return;
		}
		size_t total = WIRE_HDR_LEN + (size_t)h.cred_len + h.body_len;
		if (s->io_in.len - off < total)
			break;
		struct msg m;
		const char *f = s->io_in.data + off;
		if (wire_decode(NULL, 0, &h, f + WIRE_HDR_LEN, f + WIRE_HDR_LEN + h.cred_len, &m) == 0) {
			srun_frame(s, &m);
			msg_free(&m);
		}
		off += total;
	}
	if (off > 0) {
		memmove(s->io_in.data, s->io_in.data + off, s->io_in.len - off);
		s->io_in.len -= off;
	}
}

static int
herdd_connect(struct sstep *s)
{
	if (s->hfd >= 0)
		return 0;
	s->hfd = net_connect_unix(s->sock);
	if (s->hfd < 0)
		return -1;
	struct job_complete hello = {
	    .job_id = s->sl->job_id, .restarts = NO_VAL, .flags = STEPD_HELLO, .step_id = s->sl->step_id};
	if (net_send_msg(s->hfd, NULL, REQ_JOB_COMPLETE, 0, &hello) < 0) {
		close(s->hfd);
		s->hfd = -1;
		return -1;
	}
	return 0;
}

/* The step part of "*** JOB 5 ON n1 CANCELLED AT ... ***" */
static void
step_kill_note(struct sstep *s, const char *msg)
{
	if (msg == NULL)
		return;
	const char *at = strstr(msg, " CANCELLED AT ");
	if (strncmp(msg, "*** STEP ", 9) == 0 || at == NULL) {
		char *t = xasprintf("slurmstepd: error: %s\n", msg);
		io_send_text(s, t);
		free(t);
		return;
	}
	char *t = xasprintf(
	    "slurmstepd: error: *** STEP %u.%u ON %s%s\n", s->sl->job_id, s->sl->step_id, s->node, at);
	io_send_text(s, t);
	free(t);
}

static int
herdd_read(struct sstep *s, int *acked)
{
	struct msg m;
	if (net_recv_msg(s->hfd, NULL, 0, 1000, &m) != 0) {
		close(s->hfd);
		s->hfd = -1;
		return -1;
	}
	if (m.type == REQ_JOB_SIGNAL) {
		struct job_signal *js = m.body;
		if (js->flags & SIGNAL_KILL_JOB) {
			step_kill_note(s, js->msg);
			kill_sequence(s, js->signal ? (int)js->signal : SIGTERM, js->kill_wait);
		} else if (!(js->flags & CANCEL_BATCH_ONLY)) {
			signal_tasks(s, (int)js->signal);
		}
	} else if (m.type == RESP_RC && acked) {
		*acked = 1;
	}
	msg_free(&m);
	return 0;
}

static int
all_done(const struct sstep *s)
{
	for (uint32_t i = 0; i < s->n; i++)
		if (!s->t[i].exit_sent || s->t[i].out_fd >= 0 || s->t[i].err_fd >= 0)
			return 0;
	return 1;
}

static int
all_exited(const struct sstep *s)
{
	for (uint32_t i = 0; i < s->n; i++)
		if (!s->t[i].exited)
			return 0;
	return 1;
}

static void
reap(struct sstep *s)
{
	int wst;
	pid_t w;
	while ((w = stepd_usage_reap(&s->usage, &wst)) > 0) {
		for (uint32_t i = 0; i < s->n; i++) {
			struct task *t = &s->t[i];
			if (t->pid != w)
				continue;
			t->exited = 1;
			t->status = (uint32_t)wst;
			s->worst = status_worse(s->worst, t->status);
			/* what it wrote before it ended goes first */
			task_read(s, t, 1);
			task_read(s, t, 2);
			struct io_exit e = {.task = t->gtid, .status = t->status};
			io_queue(s, IO_EXIT, &e);
			t->exit_sent = 1;
			if (t->in_fd >= 0) {
				s->acked += t->in.len - t->in_off;
				close(t->in_fd);
				t->in_fd = -1;
			}
		}
	}
}

static void
report_end(struct sstep *s, uint32_t flags, const char *msg)
{
	struct job_complete jc = {.job_id = s->sl->job_id,
	    .restarts = NO_VAL,
	    .node_name = (char *)s->node,
	    .status = s->worst,
	    .flags = flags,
	    .msg = (char *)msg,
	    .step_id = s->sl->step_id};
	stepd_usage_report(&s->usage, &jc);
	int64_t until = stepd_now_ms() + 5000;
	int acked = 0;
	while (!acked && stepd_now_ms() < until) {
		if (herdd_connect(s) == 0 && net_send_msg(s->hfd, NULL, REQ_JOB_COMPLETE, 0, &jc) == 0) {
			while (!acked && s->hfd >= 0 && stepd_now_ms() < until)
				herdd_read(s, &acked);
		}
		if (!acked) {
			struct timespec ts = {0, 100000000};
			nanosleep(&ts, NULL);
		}
	}
	if (!acked)
		log_warnx(
		    "step %u.%u: the controller did not confirm the end", s->sl->job_id, s->sl->step_id);
}

int
stepd_step_run(const char *spool, const char *node, struct step_launch *sl)
{
	struct sstep st, *s = &st;
	memset(s, 0, sizeof(st));
	s->sl = sl;
	s->spool = spool;
	s->node = node;
	s->hfd = -1;
	s->io_fd = -1;
	buf_init(&s->io_out);
	buf_init(&s->io_in);
	char *logname = xasprintf("herdstepd-%s", node);
	log_init(logname, NULL, LOG_LVL_INFO);
	prctl(PR_SET_NAME, "herdstepd");
	setsid();
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	signal(SIGPIPE, SIG_IGN);
	s->sock = xasprintf("%s/herdd.sock", spool);
	s->n = 0;
	const char *mine = sl->node_id < sl->node_gtids_cnt ? sl->node_gtids[sl->node_id] : "";
	for (const char *p = mine; *p; p++)
		if (*p == ',')
			s->n++;
	if (*mine)
		s->n++;
	s->t = xcalloc(s->n ? s->n : 1, sizeof(struct task));
	for (uint32_t i = 0; i < s->n; i++)
		s->t[i].out_fd = s->t[i].err_fd = s->t[i].in_fd = -1;
	stepd_usage_init(&s->usage, s->n);

	char err[512] = "";
	s->io_fd = net_connect(sl->io_host, (uint16_t)sl->io_port, 5000);
	if (s->io_fd < 0) {
		snprintf(err, sizeof(err), "cannot connect to srun at %s:%u: %s", sl->io_host, sl->io_port,
		    strerror(errno));
		log_warnx("step %u.%u: %s", sl->job_id, sl->step_id, err);
		s->worst = 1 << 8;
		report_end(s, COMPLETE_LAUNCH_FAILED, err);
		goto out;
	}
	struct io_hello hello = {.job_id = sl->job_id,
	    .step_id = sl->step_id,
	    .node_id = sl->node_id,
	    .key = sl->io_key,
	    .key_len = sl->io_key_len};
	io_queue(s, IO_HELLO, &hello);
	io_flush(s);
	net_set_nonblock(s->io_fd, 1);
	herdd_connect(s);
	char tag[32];
	snprintf(tag, sizeof(tag), ".%u", sl->step_id);
	s->cgroup = stepd_cgroup_create(node, sl->job_id, tag);

	sigset_t mask;
	sigemptyset(&mask);
	sigaddset(&mask, SIGCHLD);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, STEPD_SIG_SAMPLE);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	int sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	s->next_sample_ms = stepd_acct_freq_s ? stepd_now_ms() + STEPD_FIRST_SAMPLE_MS
	                                      : INT64_MAX; /* first soon after the start */

	if (sl->mpi != NULL && *sl->mpi && strcmp(sl->mpi, "none") != 0) {
		s->mpi = mpi_hook_create(sl, node, mpi_send, s, err, sizeof(err));
		if (s->mpi == NULL) {
			char *t = xasprintf("slurmstepd: error: %s\n", err);
			io_send_text(s, t);
			free(t);
		}
	}
	if (err[0] == '\0' && tasks_start(s, err, sizeof(err)) < 0) {
		char *t = xasprintf("slurmstepd: error: %s\n", err);
		io_send_text(s, t);
		free(t);
	}
	if (err[0] != '\0') {
		/* nothing (more) runs: every task is reported as failed */
		for (uint32_t i = 0; i < s->n; i++) {
			struct task *t = &s->t[i];
			if (t->pid > 0)
				continue;
			t->exited = t->exit_sent = 1;
			t->status = 1 << 8;
			s->worst = status_worse(s->worst, t->status);
			struct io_exit e = {
			    .task = t->gtid, .status = t->status, .flags = COMPLETE_LAUNCH_FAILED};
			io_queue(s, IO_EXIT, &e);
		}
	}
	int killed_leftovers = 0;
	size_t np = 4 + 3 * (size_t)s->n;
	struct pollfd *p = xcalloc(np, sizeof(struct pollfd));
	for (;;) {
		if (stepd_now_ms() >= s->next_sample_ms || s->sample_now) {
			/* on the schedule of stepd_sample_gap_ms, and for sstat */
			stepd_usage_sample(&s->usage, s->cgroup, s->pgid);
			stepd_usage_publish(&s->usage, s->spool, sl->job_id, sl->step_id, sl->uid, s->n);
			if (stepd_now_ms() >= s->next_sample_ms)
				s->next_sample_ms = stepd_now_ms() + stepd_sample_gap_ms(&s->sample_gap_ms);
			s->sample_now = 0;
		}
		reap(s);
		if (all_exited(s) && !killed_leftovers) {
			/* the tasks are gone: so is whatever they left running */
			if (s->pgid > 0)
				kill(-s->pgid, SIGKILL);
			if (s->pty_pid > 0)
				kill(-s->pty_pid, SIGKILL);
			stepd_cgroup_kill(s->cgroup);
			killed_leftovers = 1;
		}
		if (all_done(s))
			break;
		io_flush(s);
		if (s->acked > 0 && !s->srun_gone) {
			struct io_ctl a = {.kind = IO_CTL_STDIN_ACK, .node = sl->node_id, .seq = s->acked};
			io_queue(s, IO_CTL, &a);
			s->acked = 0;
			io_flush(s);
		}
		size_t k = 0;
		p[k++] = (struct pollfd){sfd, POLLIN, 0};
		int io_idx = -1, h_idx = -1, mpi_idx = -1;
		if (!s->srun_gone) {
			io_idx = (int)k;
			p[k++] = (struct pollfd){
			    s->io_fd, (short)(POLLIN | (s->io_out.len > s->io_out_off ? POLLOUT : 0)), 0};
		}
		if (s->hfd >= 0) {
			h_idx = (int)k;
			p[k++] = (struct pollfd){s->hfd, POLLIN, 0};
		}
		if (s->mpi != NULL && mpi_hook_fd(s->mpi) >= 0) {
			mpi_idx = (int)k;
			p[k++] = (struct pollfd){mpi_hook_fd(s->mpi), POLLIN, 0};
		}
		size_t first_task = k;
		int lagging = s->io_out.len - s->io_out_off > IO_OUT_HIGH && !s->srun_gone;
		for (uint32_t i = 0; i < s->n; i++) {
			struct task *t = &s->t[i];
			p[k++] = (struct pollfd){lagging ? -1 : t->out_fd, POLLIN, 0};
			p[k++] = (struct pollfd){lagging ? -1 : t->err_fd, POLLIN, 0};
			p[k++] = (struct pollfd){t->in.len > t->in_off ? t->in_fd : -1, POLLOUT, 0};
		}
		int timeout = 1000;
		if (s->kill_at_ms) {
			int64_t left = s->kill_at_ms - stepd_now_ms();
			timeout = left < 0 ? 0 : (left < 1000 ? (int)left : 1000);
		}
		int64_t to_sample = s->next_sample_ms - stepd_now_ms();
		if (to_sample < timeout)
			timeout = to_sample < 0 ? 0 : (int)to_sample;
		if (poll(p, k, timeout) < 0 && errno != EINTR)
			break;
		if (s->kill_at_ms && stepd_now_ms() >= s->kill_at_ms) {
			signal_tasks(s, SIGKILL);
			s->kill_at_ms = 0;
		}
		if (p[0].revents & POLLIN) {
			struct signalfd_siginfo si;
			while (read(sfd, &si, sizeof(si)) == sizeof(si)) {
				if (si.ssi_signo == SIGTERM)
					kill_sequence(s, SIGTERM, 30);
				else if (si.ssi_signo == STEPD_SIG_SAMPLE)
					s->sample_now = 1;
			}
		}
		if (io_idx >= 0 && (p[io_idx].revents & (POLLIN | POLLHUP | POLLERR)))
			srun_read(s);
		if (h_idx >= 0 && s->hfd >= 0 && (p[h_idx].revents & (POLLIN | POLLHUP | POLLERR)))
			herdd_read(s, NULL);
		if (mpi_idx >= 0 && (p[mpi_idx].revents & POLLIN))
			mpi_hook_dispatch(s->mpi);
		for (uint32_t i = 0; i < s->n; i++) {
			struct task *t = &s->t[i];
			struct pollfd *q = &p[first_task + 3 * i];
			if (q[0].revents & (POLLIN | POLLHUP | POLLERR))
				task_read(s, t, 1);
			if (q[1].revents & (POLLIN | POLLHUP | POLLERR))
				task_read(s, t, 2);
			if (q[2].revents & (POLLOUT | POLLERR | POLLHUP))
				task_write_stdin(s, t);
		}
		if (s->hfd < 0)
			herdd_connect(s);
	}
	free(p);
	close(sfd);
	for (int i = 0; i < 200 && !stepd_cgroup_empty(s->cgroup); i++) {
		struct timespec ts = {0, 5000000};
		nanosleep(&ts, NULL);
	}
	while (stepd_usage_reap(&s->usage, NULL) > 0)
		;
	if (s->cgroup)
		rmdir(s->cgroup);
	stepd_usage_unpublish(spool, sl->job_id, sl->step_id);
	/* the controller first (the step's CPUs are free when srun returns) */
	report_end(s, 0, NULL);
out:
	if (s->io_fd >= 0 && !s->srun_gone) {
		struct io_ctl d = {.kind = IO_CTL_NODE_DONE, .node = sl->node_id, .seq = s->worst};
		io_queue(s, IO_CTL, &d);
		net_set_nonblock(s->io_fd, 0);
		io_flush(s);
	}
	if (s->io_fd >= 0)
		close(s->io_fd);
	if (s->hfd >= 0)
		close(s->hfd);
	mpi_hook_destroy(s->mpi);
	for (uint32_t i = 0; i < s->n; i++) {
		strv_free(s->t[i].mpi_env, s->t[i].mpi_env_cnt);
		buf_free(&s->t[i].in);
		if (s->t[i].in_fd >= 0)
			close(s->t[i].in_fd);
	}
	free(s->t);
	stepd_usage_free(&s->usage);
	buf_free(&s->io_out);
	buf_free(&s->io_in);
	free(s->cgroup);
	free(s->sock);
	free(logname);
	proto_destroy(&rdesc_step_launch, sl);
	return 0;
}

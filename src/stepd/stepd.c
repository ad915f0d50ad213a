/* SPDX-License-Identifier: MIT */
/*
 * herdstepd: one supervisor per batch job on its node, forked by herdd
 * (no exec: starting a program costs more than the rest of a trivial job
 * together).  Stores the script in the spool, starts it as the
 * job's user (uid, gid, supplementary groups) in its own process group and,
 * when the system allows, its own cgroup v2, carries out signals and the
 * kill sequence, makes sure no process of the job outlives it, and reports
 * the exit status to herdd until herdd confirms the controller has it.
 * It does not depend on herdd staying up: it reconnects to a new herdd.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/log.h"
#include "base/xmalloc.h"
#include "net/net.h"
#include "proto/jobflags.h"
#include "proto/proto.h"
#include "proto/sigflags.h"
#include "stepd.h"
#include "stepd_int.h"

struct stepd {
	const char *spool, *node;
	uint32_t job_id;
	struct batch_launch *bl;
	char *dir, *script, *sock;
	int lock_fd; /* read lock on the script: tells herdd we are alive, and our pid */
	char *cgroup; /* NULL: process group only */
	int in_cgroup; /* the child was born in it */
	int hfd; /* herdd connection */
	pid_t child;
	int64_t kill_at_ms; /* SIGKILL deadline, 0 none */
};

static void
signal_all(struct stepd *s, int sig)
{
	/* each process once: a handler must not run twice for one signal */
	if (s->cgroup != NULL)
		stepd_cgroup_signal(s->cgroup, sig);
	else if (s->child > 0)
		kill(-s->child, sig);
}

static int
open_io(const char *path, int flags, int dfl)
{
	if (path == NULL)
		return dfl;
	return open(path, flags | O_CLOEXEC, 0644);
}

/* In the child: become the user and exec the script.  Errors go to efd. */
static void __attribute__((noreturn)) child_exec(struct stepd *s, int efd)
{
	struct batch_launch *bl = s->bl;
	char msg[512];
	setpgid(0, 0);
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
	umask(bl->umask ? (mode_t)bl->umask : 022);
	if (getuid() != bl->uid || getgid() != bl->gid) {
		if (initgroups(bl->user_name, bl->gid) < 0 && setgroups(0, NULL) < 0) {
			snprintf(msg, sizeof(msg), "setgroups: %s", strerror(errno));
			goto fail;
		}
		if (setgid(bl->gid) < 0 || setuid(bl->uid) < 0) {
			snprintf(msg, sizeof(msg), "cannot become uid %u gid %u: %s", bl->uid, bl->gid,
			    strerror(errno));
			goto fail;
		}
	}
	/* always O_APPEND: the supervisor appends its own lines (cancel, time
	 * limit) and they must not be overwritten by the job's writes */
	int oflags = O_WRONLY | O_CREAT | O_APPEND | (bl->open_mode == OPEN_MODE_APPEND ? 0 : O_TRUNC);
	int in = open_io(bl->std_in, O_RDONLY, -1);
	if (in < 0) {
		snprintf(msg, sizeof(msg), "cannot open input %s: %s", bl->std_in, strerror(errno));
		goto fail;
	}
	int out = open_io(bl->std_out, oflags, -1);
	if (out < 0) {
		snprintf(msg, sizeof(msg), "cannot open output %s: %s", bl->std_out, strerror(errno));
		goto fail;
	}
	int err = out;
	if (bl->std_err != NULL && (bl->std_out == NULL || strcmp(bl->std_err, bl->std_out) != 0)) {
		err = open_io(bl->std_err, oflags, -1);
		if (err < 0) {
			snprintf(
			    msg, sizeof(msg), "cannot open error file %s: %s", bl->std_err, strerror(errno));
			goto fail;
		}
	}
	if (bl->work_dir && chdir(bl->work_dir) < 0) {
		dprintf(err, "slurmstepd-%s: error: couldn't chdir to `%s': %s: going to /tmp instead\n",
		    s->node, bl->work_dir, strerror(errno));
		if (chdir("/tmp") < 0) {
			snprintf(msg, sizeof(msg), "chdir: %s", strerror(errno));
			goto fail;
		}
	}
	dup2(in, 0);
	dup2(out, 1);
	dup2(err, 2);
	char **env = xcalloc(bl->env_cnt + 2, sizeof(char *));
	for (uint32_t i = 0; i < bl->env_cnt; i++)
		env[i] = bl->env[i];
	env[bl->env_cnt] = xasprintf("SLURM_TASK_PID=%ld", (long)getpid());
	char **argv = xcalloc(bl->argv_cnt + 2, sizeof(char *));
	argv[0] = s->script;
	for (uint32_t i = 0; i < bl->argv_cnt; i++)
		argv[i + 1] = bl->argv[i];
	execve(s->script, argv, env);
	snprintf(msg, sizeof(msg), "execve %s: %s", s->script, strerror(errno));
fail:
	(void)!write(efd, msg, strlen(msg));
	_exit(127);
}

static int
herdd_connect(struct stepd *s)
{
	if (s->hfd >= 0)
		return 0;
	s->hfd = net_connect_unix(s->sock);
	if (s->hfd < 0)
		return -1;
	struct job_complete hello = {
	    .job_id = s->job_id, .restarts = s->bl->restarts, .flags = STEPD_HELLO, .step_id = STEP_ID_BATCH};
	if (net_send_msg(s->hfd, NULL, REQ_JOB_COMPLETE, 0, &hello) < 0) {
		close(s->hfd);
		s->hfd = -1;
		return -1;
	}
	return 0;
}

static void
append_stderr(struct stepd *s, const char *text)
{
	const char *path = s->bl->std_err ? s->bl->std_err : s->bl->std_out;
	if (path == NULL)
		return;
	int fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
	if (fd < 0)
		return;
	dprintf(fd, "slurmstepd-%s: error: %s\n", s->node, text);
	close(fd);
}

static void
handle_signal_req(struct stepd *s, struct job_signal *js)
{
	if (js->flags & SIGNAL_KILL_JOB) {
		if (js->msg != NULL)
			append_stderr(s, js->msg);
		signal_all(s, SIGCONT);
		signal_all(s, js->signal ? (int)js->signal : SIGTERM);
		if (s->kill_at_ms == 0)
			s->kill_at_ms = stepd_now_ms() + (int64_t)js->kill_wait * 1000;
		return;
	}
	if (js->flags & CANCEL_BATCH_ONLY) {
		if (s->child > 0)
			kill(s->child, (int)js->signal);
		return;
	}
	/* scancel -s without -b/-f signals the steps, not the batch shell */
	if (js->flags & CANCEL_FULL)
		signal_all(s, (int)js->signal);
}

/* Read what herdd sent; -1 when the connection is gone. */
static int
herdd_read(struct stepd *s, int *acked)
{
	struct msg m;
	int rc = net_recv_msg(s->hfd, NULL, 0, 1000, &m);
	if (rc != 0) {
		close(s->hfd);
		s->hfd = -1;
		return -1;
	}
	if (m.type == REQ_JOB_SIGNAL)
		handle_signal_req(s, m.body);
	else if (m.type == RESP_RC && acked)
		*acked = 1;
	msg_free(&m);
	return 0;
}

int
stepd_run(const char *spool, const char *node, struct batch_launch *bl)
{
	struct stepd st, *s = &st;
	memset(s, 0, sizeof(st));
	s->spool = spool;
	s->node = node;
	s->job_id = bl->job_id;
	s->bl = bl;
	s->hfd = -1;
	char *logname = xasprintf("herdstepd-%s", s->node);
	log_init(logname, NULL, LOG_LVL_INFO);
	prctl(PR_SET_NAME, "herdstepd");
	int devnull = open("/dev/null", O_RDWR);
	if (devnull >= 0) {
		dup2(devnull, 0);
		if (devnull > 0)
			close(devnull);
	}
	setsid();
	/* orphans of the job become our children, so we can reap them */
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	signal(SIGPIPE, SIG_IGN);
	s->dir = xasprintf("%s/job%05u", s->spool, s->job_id);
	s->script = xasprintf("%s/slurm_script", s->dir);
	s->sock = xasprintf("%s/herdd.sock", s->spool);
	mkdir(s->dir, 0755);
	s->lock_fd = -1;

	uint32_t status = 0, flags = 0;
	char launch_err[512] = "";
	/* written under a temporary name and renamed: a new inode, so that a
	 * killed earlier run of the same job (requeue) still reading its own
	 * copy is never fed this one, and its clean-up cannot remove ours */
	char *tmp = xasprintf("%s.%ld", s->script, (long)getpid());
	if (stepd_write_file(tmp, s->bl->script, strlen(s->bl->script), 0700) < 0 ||
	    chown(tmp, s->bl->uid, s->bl->gid) < 0 || rename(tmp, s->script) < 0) {
		snprintf(launch_err, sizeof(launch_err), "cannot write %s: %s", s->script, strerror(errno));
		unlink(tmp);
	}
	free(tmp);
	/* a POSIX read lock on the script for as long as we live: herdd finds
	 * running jobs (and our pid, F_GETLK) without a pid file to write */
	s->lock_fd = open(s->script, O_RDONLY | O_CLOEXEC);
	struct flock fl = {.l_type = F_RDLCK, .l_whence = SEEK_SET};
	if (s->lock_fd >= 0 && fcntl(s->lock_fd, F_SETLK, &fl) < 0)
		log_warn("job %u: cannot lock %s", s->job_id, s->script);
	herdd_connect(s);
	s->cgroup = stepd_cgroup_create(s->node, s->job_id, "");
	sigset_t mask;
	sigemptyset(&mask);
	sigaddset(&mask, SIGCHLD);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, STEPD_SIG_SAMPLE);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	int sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	int epipe[2] = {-1, -1};
	if (launch_err[0] == '\0' && pipe2(epipe, O_CLOEXEC) == 0) {
		s->child = stepd_fork_into(s->cgroup, &s->in_cgroup);
		if (s->child == 0)
			child_exec(s, epipe[1]);
		close(epipe[1]);
		if (s->child < 0) {
			snprintf(launch_err, sizeof(launch_err), "fork: %s", strerror(errno));
		} else {
			setpgid(s->child, s->child);
			ssize_t r = read(epipe[0], launch_err, sizeof(launch_err) - 1);
			launch_err[r > 0 ? r : 0] = '\0';
		}
		close(epipe[0]);
	}
	int done = s->child <= 0;
	if (launch_err[0]) {
		flags |= COMPLETE_LAUNCH_FAILED;
		status = 1 << 8;
		log_warnx("job %u: launch failed: %s", s->job_id, launch_err);
		append_stderr(s, launch_err);
	}
	int64_t next_connect = 0;
	int64_t next_sample = stepd_acct_freq_s ? stepd_now_ms() + STEPD_FIRST_SAMPLE_MS
	                                        : INT64_MAX; /* first soon after the start */
	int sample_now = 0; /* sstat asked (STEPD_SIG_SAMPLE) */
	int64_t sample_gap = 0;
	struct stepd_usage usage;
	stepd_usage_init(&usage, 1);
	stepd_usage_task(&usage, 0, s->child > 0 ? s->child : 0, 0);
	while (!done) {
		if (stepd_now_ms() >= next_sample || sample_now) {
			/* on the schedule of stepd_sample_gap_ms, and for sstat */
			stepd_usage_sample(&usage, s->cgroup, s->child);
			stepd_usage_publish(&usage, s->spool, s->job_id, STEP_ID_BATCH, s->bl->uid, 1);
			if (stepd_now_ms() >= next_sample)
				next_sample = stepd_now_ms() + stepd_sample_gap_ms(&sample_gap);
			sample_now = 0;
		}
		struct pollfd p[2] = {{sfd, POLLIN, 0}, {s->hfd, POLLIN, 0}};
		int timeout = 1000;
		if (s->kill_at_ms) {
			int64_t left = s->kill_at_ms - stepd_now_ms();
			timeout = left < 0 ? 0 : (left < 1000 ? (int)left : 1000);
		}
		int64_t to_sample = next_sample - stepd_now_ms();
		if (to_sample < timeout)
			timeout = to_sample < 0 ? 0 : (int)to_sample;
		poll(p, s->hfd >= 0 ? 2 : 1, timeout);
		if (s->kill_at_ms && stepd_now_ms() >= s->kill_at_ms) {
			signal_all(s, SIGKILL);
			s->kill_at_ms = 0;
		}
		if (p[0].revents & POLLIN) {
			struct signalfd_siginfo si;
			while (read(sfd, &si, sizeof(si)) == sizeof(si)) {
				if (si.ssi_signo == STEPD_SIG_SAMPLE) {
					sample_now = 1;
				} else if (si.ssi_signo == SIGTERM) {
					/* herdd without a connection to us: end the job */
					signal_all(s, SIGCONT);
					signal_all(s, SIGTERM);
					if (s->kill_at_ms == 0)
						s->kill_at_ms = stepd_now_ms() + 30000;
				}
			}
			int wst;
			pid_t w;
			while ((w = stepd_usage_reap(&usage, &wst)) > 0)
				if (w == s->child) {
					status = (uint32_t)wst;
					done = 1;
				}
		}
		if (s->hfd >= 0 && (p[1].revents & (POLLIN | POLLHUP | POLLERR)))
			herdd_read(s, NULL);
		if (s->hfd < 0 && stepd_now_ms() >= next_connect) {
			herdd_connect(s);
			next_connect = stepd_now_ms() + 200;
		}
	}
	/* the batch script is gone: so is everything it left behind */
	if (s->child > 0)
		kill(-s->child, SIGKILL);
	stepd_cgroup_kill(s->cgroup);
	for (int i = 0; i < 200 && !stepd_cgroup_empty(s->cgroup); i++) {
		struct timespec ts = {0, 5000000};
		nanosleep(&ts, NULL);
	}
	/* reap every killed orphan: none may linger, not even as a zombie */
	for (int i = 0; i < 200; i++) {
		pid_t w = stepd_usage_reap(&usage, NULL);
		if (w < 0 && errno == ECHILD)
			break;
		if (w == 0) {
			struct timespec ts = {0, 5000000};
			nanosleep(&ts, NULL);
		}
	}
	if (s->cgroup)
		rmdir(s->cgroup);
	stepd_usage_unpublish(s->spool, s->job_id, STEP_ID_BATCH);
	/* report until herdd confirms that the controller has it */
	struct job_complete jc = {.job_id = s->job_id,
	    .restarts = s->bl->restarts,
	    .node_name = (char *)s->node,
	    .status = status,
	    .flags = flags,
	    .msg = launch_err[0] ? launch_err : NULL,
	    .step_id = STEP_ID_BATCH};
	stepd_usage_report(&usage, &jc);
	stepd_usage_free(&usage);
	int acked = 0;
	while (!acked) {
		if (herdd_connect(s) == 0 && net_send_msg(s->hfd, NULL, REQ_JOB_COMPLETE, 0, &jc) == 0) {
			int64_t until = stepd_now_ms() + 5000;
			while (!acked && s->hfd >= 0 && stepd_now_ms() < until)
				herdd_read(s, &acked);
		}
		if (!acked) {
			if (s->hfd >= 0) {
				close(s->hfd);
				s->hfd = -1;
			}
			/* the node's spool is gone (its cluster was removed): no herdd
			 * will ever come back for this report */
			if (access(s->spool, F_OK) != 0) {
				log_warnx(
				    "job %u: %s is gone, its end cannot be reported", s->job_id, s->spool);
				break;
			}
			struct timespec ts = {0, 200000000};
			nanosleep(&ts, NULL);
		}
	}
	/* remove the script only if it is still ours (see above) */
	struct stat mine, now;
	if (s->lock_fd >= 0 && fstat(s->lock_fd, &mine) == 0 && stat(s->script, &now) == 0 &&
	    mine.st_ino == now.st_ino && mine.st_dev == now.st_dev)
		unlink(s->script);
	if (s->lock_fd >= 0)
		close(s->lock_fd);
	rmdir(s->dir);
	if (s->hfd >= 0)
		close(s->hfd);
	proto_destroy(&rdesc_batch_launch, s->bl);
	free(s->dir);
	free(s->script);
	free(s->sock);
	free(s->cgroup);
	free(logname);
	return 0;
}

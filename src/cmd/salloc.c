/* SPDX-License-Identifier: MIT */
/*
 * salloc: get a job allocation, run a command (default: the user's shell)
 * with the allocation's environment, release the allocation when it ends
 * (cli.md section 3).  srun inside the command uses the allocation.  If
 * the allocation is revoked meanwhile (scancel, time limit), the command
 * is told with SIGHUP.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "allocreq.h"
#include "base/buf.h"
#include "base/xmalloc.h"
#include "client.h"
#include "cmdutil.h"
#include "jobopt.h"

#define PROG "salloc"
#define SALLOC_VERSION "slurm-wlm 22.05.8"

extern char **environ;

static volatile sig_atomic_t stop_wait;
static void
on_signal(int sig)
{
	stop_wait = 1;
}

/* Run argv with env; its wait status, or -1 if it could not start. */
static int
run_command(struct allocreq *a, char **argv, char **env)
{
	int interactive = isatty(0);
	pid_t pid = fork();
	if (pid < 0) {
		fprintf(stderr, "salloc: error: fork: %s\n", strerror(errno));
		return -1;
	}
	if (pid == 0) {
		setpgid(0, 0);
		if (interactive) {
			signal(SIGTTOU, SIG_IGN);
			tcsetpgrp(0, getpid());
		}
		signal(SIGINT, SIG_DFL);
		signal(SIGQUIT, SIG_DFL);
		signal(SIGTTOU, SIG_DFL);
		environ = env;
		execvp(argv[0], argv);
		fprintf(stderr, "salloc: error: _fork_command: Unable to find command \"%s\"\n", argv[0]);
		_exit(127);
	}
	setpgid(pid, pid);
	int st = 0;
	for (;;) {
		pid_t w = waitpid(pid, &st, WNOHANG);
		if (w == pid)
			break;
		if (w < 0 && errno != EINTR)
			return -1;
		if (a->fd >= 0) {
			struct pollfd p = {a->fd, POLLIN, 0};
			if (poll(&p, 1, 100) > 0 && allocreq_revoked(a)) {
				fprintf(stderr, "salloc: Job allocation %u has been revoked.\n", a->job_id);
				kill(-pid, SIGHUP);
				kill(-pid, SIGCONT);
			}
		} else {
			struct timespec ts = {0, 100000000};
			nanosleep(&ts, NULL);
		}
	}
	if (interactive) {
		signal(SIGTTOU, SIG_IGN);
		tcsetpgrp(0, getpgrp());
		signal(SIGTTOU, SIG_DFL);
	}
	if (WIFEXITED(st) && WEXITSTATUS(st) == 127)
		return -1;
	return st;
}

int
main(int argc, char **argv)
{
	struct jobopt o;
	jobopt_init(&o, JOBOPT_SALLOC, PROG, "SALLOC_");
	int status;
	int idx = jobopt_cli(&o, argc, argv, SALLOC_VERSION, 1, &status);
	if (idx < 0) {
		jobopt_fini(&o);
		return status;
	}
	if (jobopt_parse_env(&o, environ) < 0 || jobopt_apply(&o) < 0)
		return jobopt_report_error(&o, 1);
	struct client c;
	if (client_init(&c, PROG) < 0)
		return 1;
	char *shell_argv[2] = {NULL, NULL};
	char **cmd = argv + idx;
	if (idx >= argc) {
		const char *sh = getenv("SHELL");
		shell_argv[0] = (char *)(sh && *sh ? sh : "/bin/sh");
		cmd = shell_argv;
	}
	struct job_desc *d = &o.desc;
	if (d->name == NULL)
		d->name = xstrdup(idx < argc ? cmd_base_name(argv[idx]) : "interactive");
	if (d->work_dir == NULL)
		d->work_dir = xstrdup(o.cwd);
	char host[256] = "";
	gethostname(host, sizeof(host) - 1);
	free(d->submit_host);
	d->submit_host = xstrdup(host);
	struct buf line;
	buf_init(&line);
	for (int i = 0; i < argc; i++)
		buf_printf(&line, "%s%s", i ? " " : "", i ? argv[i] : PROG);
	free(d->submit_line);
	d->submit_line = buf_take(&line);
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	struct allocreq a;
	if (allocreq_get(&c, PROG, d, o.quiet, &stop_wait, &a) < 0) {
		client_fini(&c);
		jobopt_fini(&o);
		return 1;
	}
	/* the command handles the terminal's signals now */
	signal(SIGINT, SIG_IGN);
	signal(SIGQUIT, SIG_IGN);
	signal(SIGTERM, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	int rc = 0;
	if (o.no_shell) {
		/* the allocation stays until scancel or its time limit */
		struct step_complete sc = {.job_id = a.job_id, .step_id = NO_VAL, .flags = 2};
		struct msg resp;
		if (client_rpc(&c, REQ_ALLOC_DONE, &sc, &resp) == 0)
			msg_free(&resp);
		allocreq_free(&a);
		client_fini(&c);
		jobopt_fini(&o);
		return 0;
	}
	char **env = NULL;
	uint32_t n = 0;
	for (char **e = environ; *e; e++)
		strv_add(&env, &n, *e);
	allocreq_env(&c, a.ji, &env, &n);
	strv_setenv(&env, &n, "SLURM_NODE_ALIASES", "(null)");
	env = xreallocarray(env, n + 1, sizeof(char *));
	env[n] = NULL;
	int st = run_command(&a, cmd, env);
	if (!a.revoked)
		fprintf(stderr, "salloc: Relinquishing job allocation %u\n", a.job_id);
	allocreq_release(&c, &a, st < 0 ? 1 << 8 : (uint32_t)st, 0);
	if (st < 0)
		rc = 1;
	else if (WIFEXITED(st))
		rc = WEXITSTATUS(st);
	else if (WIFSIGNALED(st))
		rc = 128 + WTERMSIG(st);
	strv_free(env, n);
	allocreq_free(&a);
	client_fini(&c);
	jobopt_fini(&o);
	return rc;
}

/* SPDX-License-Identifier: MIT */
/*
 * srun: run a parallel job step (cli.md section 2).  Inside an allocation
 * (SLURM_JOB_ID or --jobid) it asks the controller for a step; outside it
 * first gets an allocation of its own (allocreq.c) and releases it at the
 * end.  It then sends the launch, with the controller's credential, to
 * every node of the step, and serves the step's I/O: the node supervisors
 * connect back, stream the tasks' output (printed per task, line by line,
 * labelled with -l), take stdin, report each task's end, and relay the
 * MPI exchanges between nodes.  Exit status: the highest task exit code,
 * or 128 + signal.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include "allocreq.h"
#include "base/buf.h"
#include "base/xmalloc.h"
#include "client.h"
#include "cmdutil.h"
#include "jobenv.h"
#include "jobopt.h"
#include "layout/layout.h"
#include "net/net.h"
#include "proto/jobflags.h"
#include "proto/stepflags.h"
#include "stepio.h"

#define PROG "srun"
#define SRUN_VERSION "slurm-wlm 22.05.8"

extern char **environ;

static void error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void
error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs(PROG ": error: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

static volatile sig_atomic_t alloc_stop;
static void
on_alloc_signal(int sig)
{
	alloc_stop = 1;
}

static void
mpi_list(void)
{
	printf("MPI plugin types are...\n\tnone\n");
	if (stepio_have_pmix())
		printf("\tpmix\nspecific pmix plugin versions available: pmix_v4\n");
}

int
main(int argc, char **argv)
{
	struct jobopt o;
	jobopt_init(&o, JOBOPT_SRUN, PROG, "SLURM_");
	int status;
	int idx = jobopt_cli(&o, argc, argv, SRUN_VERSION, 1, &status);
	if (idx < 0) {
		jobopt_fini(&o);
		return status;
	}
	if (o.mpi != NULL && strcmp(o.mpi, "list") == 0) {
		mpi_list();
		jobopt_fini(&o);
		return 0;
	}
	const char *jobid_env = getenv("SLURM_JOB_ID");
	if (jobid_env == NULL)
		jobid_env = getenv("SLURM_JOBID");
	int inside = o.jobid != NULL || (jobid_env != NULL && *jobid_env);
	/* inside an allocation the job's name does not become the step's */
	char **envp = NULL;
	uint32_t envn = 0;
	for (char **e = environ; *e; e++)
		if (!inside || strncmp(*e, "SLURM_JOB_NAME=", 15) != 0)
			strv_add(&envp, &envn, *e);
	envp = xreallocarray(envp, envn + 1, sizeof(char *));
	envp[envn] = NULL;
	int prc = jobopt_parse_env(&o, envp);
	strv_free(envp, envn);
	if (prc < 0 || jobopt_apply(&o) < 0) {
		status = jobopt_report_error(&o, 1);
		jobopt_fini(&o);
		return status;
	}
	if (idx >= argc) {
		fprintf(stderr, "%s: fatal: No command given to execute.\n", PROG);
		jobopt_fini(&o);
		return 1;
	}
	struct client c;
	if (client_init(&c, PROG) < 0) {
		jobopt_fini(&o);
		return 1;
	}
	const char *mpi = o.mpi ? o.mpi : (c.conf->mpi_default ? c.conf->mpi_default : "none");
	if (strcmp(mpi, "none") != 0 && strcmp(mpi, "pmix") != 0 && strncmp(mpi, "pmix_", 5) != 0) {
		error("Couldn't find the specified plugin name for mpi/%s looking at all files", mpi);
		error("cannot create mpi context for mpi/%s", mpi);
		client_fini(&c);
		jobopt_fini(&o);
		return 1;
	}

	struct stepio_opts so;
	memset(&so, 0, sizeof(so));
	so.argv = argv + idx;
	so.argc = (uint32_t)(argc - idx);
	so.mpi = mpi;
	so.opt = &o;

	struct allocreq a;
	memset(&a, 0, sizeof(a));
	a.fd = -1;
	int made_alloc = 0;
	struct job_desc *d = &o.desc;
	uint32_t job_id;
	if (inside) {
		job_id = (uint32_t)strtoul(o.jobid ? o.jobid : jobid_env, NULL, 10);
	} else {
		if (d->name == NULL)
			d->name = xstrdup(cmd_base_name(argv[idx]));
		if (d->work_dir == NULL)
			d->work_dir = xstrdup(o.cwd);
		char host[256] = "";
		gethostname(host, sizeof(host) - 1);
		free(d->submit_host);
		d->submit_host = xstrdup(host);
		/* -o/-e/-i are the step's (srun writes them), not the job's */
		so.std_out = d->std_out;
		so.std_err = d->std_err;
		so.std_in = d->std_in;
		d->std_out = d->std_err = d->std_in = NULL;
		struct buf line;
		buf_init(&line);
		for (int i = 0; i < argc; i++)
			buf_printf(&line, "%s%s", i ? " " : "", i ? argv[i] : PROG);
		free(d->submit_line);
		d->submit_line = buf_take(&line);
		struct sigaction sa;
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_alloc_signal;
		sigaction(SIGINT, &sa, NULL);
		sigaction(SIGTERM, &sa, NULL);
		sigaction(SIGHUP, &sa, NULL);
		if (allocreq_get(&c, PROG, d, o.quiet, &alloc_stop, &a) < 0) {
			client_fini(&c);
			jobopt_fini(&o);
			return 1;
		}
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
		made_alloc = 1;
		job_id = a.job_id;
		so.alloc = &a;
	}
	if (inside) {
		so.std_out = d->std_out;
		so.std_err = d->std_err;
		so.std_in = d->std_in;
		d->std_out = d->std_err = d->std_in = NULL;
	}
	so.job_id = job_id;
	so.inside = inside;
	status = stepio_run(&c, &so);
	if (made_alloc) {
		uint32_t wst = so.worst_status;
		allocreq_release(&c, &a, wst, so.cancelled);
		allocreq_free(&a);
	}
	free(so.std_out);
	free(so.std_err);
	free(so.std_in);
	client_fini(&c);
	jobopt_fini(&o);
	return status;
}

/* SPDX-License-Identifier: MIT */
/*
 * Helpers shared by the batch supervisor (stepd.c) and the step
 * supervisor (step.c): clock, files, and the job's cgroup v2.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/xmalloc.h"
#include "net/net.h"
#include "stepd_int.h"

int64_t
stepd_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int
stepd_write_file(const char *path, const char *data, size_t len, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd < 0)
		return -1;
	int r = net_write_all(fd, data, len);
	close(fd);
	return r;
}

/* cgroup v2: the unified mount (pure v2 or the hybrid "unified" one). */
char *
stepd_cgroup_create(const char *node, uint32_t job_id, const char *tag)
{
	static const char *roots[] = {"/sys/fs/cgroup", "/sys/fs/cgroup/unified"};
	for (size_t i = 0; i < 2; i++) {
		char *probe = xasprintf("%s/cgroup.procs", roots[i]);
		char *kill_file = xasprintf("%s/cgroup.controllers", roots[i]);
		int ok = access(probe, W_OK) == 0 && access(kill_file, F_OK) == 0;
		free(probe);
		free(kill_file);
		if (!ok)
			continue;
		char *base = xasprintf("%s/herd", roots[i]);
		mkdir(base, 0755);
		/* unique on the host: several clusters (or nodes of one cluster)
		 * may run a job with the same id and node name here */
		char *cg = xasprintf("%s/%s_job%u%s_%ld", base, node, job_id, tag, (long)getpid());
		free(base);
		if (mkdir(cg, 0755) == 0)
			return cg;
		free(cg);
	}
	return NULL;
}

void
stepd_cgroup_kill(const char *cgroup)
{
	if (cgroup == NULL)
		return;
	char *kf = xasprintf("%s/cgroup.kill", cgroup);
	if (stepd_write_file(kf, "1", 1, 0644) < 0) {
		/* older kernels: kill what is listed */
		char *pf = xasprintf("%s/cgroup.procs", cgroup);
		FILE *f = fopen(pf, "r");
		long pid;
		while (f && fscanf(f, "%ld", &pid) == 1)
			kill((pid_t)pid, SIGKILL);
		if (f)
			fclose(f);
		free(pf);
	}
	free(kf);
}

int
stepd_cgroup_empty(const char *cgroup)
{
	if (cgroup == NULL)
		return 1;
	char *pf = xasprintf("%s/cgroup.procs", cgroup);
	FILE *f = fopen(pf, "r");
	free(pf);
	if (f == NULL)
		return 1;
	long pid;
	int empty = fscanf(f, "%ld", &pid) != 1;
	fclose(f);
	return empty;
}

void
stepd_cgroup_signal(const char *cgroup, int sig)
{
	if (cgroup == NULL)
		return;
	if (sig == SIGKILL) {
		stepd_cgroup_kill(cgroup);
		return;
	}
	char *pf = xasprintf("%s/cgroup.procs", cgroup);
	FILE *f = fopen(pf, "r");
	long pid;
	while (f && fscanf(f, "%ld", &pid) == 1)
		kill((pid_t)pid, sig);
	if (f)
		fclose(f);
	free(pf);
}

pid_t
stepd_fork_into(const char *cgroup, int *placed)
{
	*placed = 0;
	if (cgroup != NULL) {
		int fd = open(cgroup, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd >= 0) {
			/* born in the cgroup: moving a process there costs the
			 * kernel an RCU grace period (~10 ms) */
			struct clone_args args;
			memset(&args, 0, sizeof(args));
			args.flags = CLONE_INTO_CGROUP;
			args.exit_signal = SIGCHLD;
			args.cgroup = (uint64_t)fd;
			long pid = syscall(SYS_clone3, &args, sizeof(args));
			int saved = errno;
			if (pid != 0)
				close(fd);
			if (pid >= 0) {
				*placed = 1;
				return (pid_t)pid;
			}
			errno = saved;
		}
	}
	return fork();
}

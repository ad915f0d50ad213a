/* SPDX-License-Identifier: MIT */
/*
 * Helpers shared by the batch supervisor (stepd.c) and the step
 * supervisor (step.c): clock, files, and the job's cgroup v2.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/resource.h>
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

/* user and system CPU of one running process, in microseconds */
static void
proc_cpu(long pid, uint64_t *user_us, uint64_t *sys_us)
{
	char path[64], line[1024];
	snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
	FILE *f = fopen(path, "r");
	if (f == NULL)
		return;
	if (fgets(line, sizeof(line), f) != NULL) {
		/* the fields after the command name, which may hold blanks */
		char *p = strrchr(line, ')');
		unsigned long long ut = 0, st = 0;
		if (p &&
		    sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut, &st) == 2) {
			long hz = sysconf(_SC_CLK_TCK);
			*user_us += ut * 1000000ULL / (unsigned long long)(hz > 0 ? hz : 100);
			*sys_us += st * 1000000ULL / (unsigned long long)(hz > 0 ? hz : 100);
		}
	}
	fclose(f);
}

/* VmRSS and VmSize of one process, in kB */
static void
proc_mem(long pid, uint64_t *rss_kb, uint64_t *vm_kb)
{
	char path[64], line[256];
	snprintf(path, sizeof(path), "/proc/%ld/status", pid);
	FILE *f = fopen(path, "r");
	if (f == NULL)
		return;
	unsigned long long v;
	while (fgets(line, sizeof(line), f) != NULL) {
		if (sscanf(line, "VmRSS: %llu", &v) == 1)
			*rss_kb += v;
		else if (sscanf(line, "VmSize: %llu", &v) == 1)
			*vm_kb += v;
	}
	fclose(f);
}

void
stepd_usage_sample(struct stepd_usage *u, const char *cgroup, pid_t pgid)
{
	uint64_t rss = 0, vm = 0;
	u->live_user_us = u->live_sys_us = 0;
	if (cgroup != NULL) {
		char *pf = xasprintf("%s/cgroup.procs", cgroup);
		FILE *f = fopen(pf, "r");
		free(pf);
		long pid;
		while (f && fscanf(f, "%ld", &pid) == 1) {
			proc_mem(pid, &rss, &vm);
			proc_cpu(pid, &u->live_user_us, &u->live_sys_us);
		}
		if (f)
			fclose(f);
	} else if (pgid > 0) {
		DIR *d = opendir("/proc");
		struct dirent *e;
		while (d && (e = readdir(d)) != NULL) {
			long pid = strtol(e->d_name, NULL, 10);
			if (pid > 0 && getpgid((pid_t)pid) == pgid) {
				proc_mem(pid, &rss, &vm);
				proc_cpu(pid, &u->live_user_us, &u->live_sys_us);
			}
		}
		if (d)
			closedir(d);
	}
	if (rss == 0 && vm == 0)
		return;
	if (rss > u->max_rss_kb)
		u->max_rss_kb = rss;
	if (vm > u->max_vmsize_kb)
		u->max_vmsize_kb = vm;
	u->rss_sum_kb += rss;
	u->samples++;
}

void
stepd_usage_report(const struct stepd_usage *u, struct job_complete *jc)
{
	struct rusage ru;
	if (getrusage(RUSAGE_CHILDREN, &ru) == 0) {
		jc->user_cpu_us = (uint64_t)ru.ru_utime.tv_sec * 1000000 + (uint64_t)ru.ru_utime.tv_usec;
		jc->sys_cpu_us = (uint64_t)ru.ru_stime.tv_sec * 1000000 + (uint64_t)ru.ru_stime.tv_usec;
		jc->max_rss_kb = ru.ru_maxrss > 0 ? (uint64_t)ru.ru_maxrss : 0;
	}
	if (u->max_rss_kb > jc->max_rss_kb)
		jc->max_rss_kb = u->max_rss_kb;
	jc->max_vmsize_kb = u->max_vmsize_kb;
	jc->ave_rss_kb = u->samples ? u->rss_sum_kb / u->samples : jc->max_rss_kb;
}

static char *
stat_path(const char *spool, uint32_t job_id, uint32_t step_id)
{
	return xasprintf("%s/stat/%u.%u", spool, job_id, step_id);
}

void
stepd_usage_publish(const struct stepd_usage *u, const char *spool, uint32_t job_id, uint32_t step_id,
    uint32_t uid, uint32_t ntasks)
{
	struct job_complete jc;
	memset(&jc, 0, sizeof(jc));
	stepd_usage_report(u, &jc);
	char *dir = xasprintf("%s/stat", spool);
	mkdir(dir, 0755);
	free(dir);
	char *path = stat_path(spool, job_id, step_id);
	char *tmp = xasprintf("%s.tmp", path);
	char *line = xasprintf("%u %u %llu %llu %llu %llu %llu\n", uid, ntasks,
	    (unsigned long long)jc.max_rss_kb, (unsigned long long)jc.ave_rss_kb,
	    (unsigned long long)jc.max_vmsize_kb, (unsigned long long)(jc.user_cpu_us + u->live_user_us),
	    (unsigned long long)(jc.sys_cpu_us + u->live_sys_us));
	if (stepd_write_file(tmp, line, strlen(line), 0644) == 0)
		rename(tmp, path);
	free(line);
	free(tmp);
	free(path);
}

void
stepd_usage_unpublish(const char *spool, uint32_t job_id, uint32_t step_id)
{
	char *path = stat_path(spool, job_id, step_id);
	unlink(path);
	free(path);
}

int
stepd_usage_read(const char *spool, uint32_t job_id, uint32_t step_id, uint32_t *uid, struct acct_step *out)
{
	char *path = stat_path(spool, job_id, step_id);
	FILE *f = fopen(path, "r");
	free(path);
	if (f == NULL)
		return -1;
	unsigned long long rss, ave, vm, ut, st;
	unsigned u, n;
	int ok = fscanf(f, "%u %u %llu %llu %llu %llu %llu", &u, &n, &rss, &ave, &vm, &ut, &st) == 7;
	fclose(f);
	if (!ok) {
		errno = EINVAL;
		return -1;
	}
	*uid = u;
	memset(out, 0, sizeof(*out));
	out->step_id = step_id;
	out->ntasks = n;
	out->max_rss_kb = rss;
	out->ave_rss_kb = ave;
	out->max_vmsize_kb = vm;
	out->user_cpu_us = ut;
	out->sys_cpu_us = st;
	return 0;
}

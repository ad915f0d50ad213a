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
#include <sys/wait.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/xmalloc.h"
#include "net/net.h"
#include "stepd.h"
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

/* what /proc tells of one process */
struct proc_usage {
	long ppid;
	uint64_t user_us, sys_us; /* its own and its reaped children's */
	uint64_t rss_kb, vm_kb;
	uint64_t read, write;
};

static uint64_t
ticks_us(unsigned long long t)
{
	static long hz;
	if (hz <= 0)
		hz = sysconf(_SC_CLK_TCK);
	return t * 1000000ULL / (unsigned long long)(hz > 0 ? hz : 100);
}

/* the parent and CPU of a process: 0, or -1 when it is gone */
static int
proc_stat(long pid, struct proc_usage *pu)
{
	char path[64], line[1024];
	snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
	FILE *f = fopen(path, "r");
	if (f == NULL)
		return -1;
	int ok = 0;
	if (fgets(line, sizeof(line), f) != NULL) {
		/* the fields after the command name, which may hold blanks */
		char *p = strrchr(line, ')');
		unsigned long long ut = 0, st = 0, cut = 0, cst = 0;
		long ppid = 0;
		if (p && sscanf(p + 2, "%*c %ld %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu %llu %llu",
		             &ppid, &ut, &st, &cut, &cst) == 5) {
			pu->ppid = ppid;
			pu->user_us = ticks_us(ut + cut);
			pu->sys_us = ticks_us(st + cst);
			ok = 1;
		}
	}
	fclose(f);
	return ok ? 0 : -1;
}

/* VmRSS and VmSize of one process, in kB */
static void
proc_mem(long pid, struct proc_usage *pu)
{
	char path[64], line[256];
	snprintf(path, sizeof(path), "/proc/%ld/status", pid);
	FILE *f = fopen(path, "r");
	if (f == NULL)
		return;
	unsigned long long v;
	while (fgets(line, sizeof(line), f) != NULL) {
		if (sscanf(line, "VmRSS: %llu", &v) == 1)
			pu->rss_kb = v;
		else if (sscanf(line, "VmSize: %llu", &v) == 1)
			pu->vm_kb = v;
	}
	fclose(f);
}

/* bytes a process (with the children it reaped) read and wrote: storage
 * I/O, or all I/O where the kernel does not count storage I/O */
static void
proc_io(long pid, struct proc_usage *pu)
{
	char path[64], line[128];
	snprintf(path, sizeof(path), "/proc/%ld/io", pid);
	FILE *f = fopen(path, "r");
	if (f == NULL)
		return;
	unsigned long long v, rchar = 0, wchar = 0, rb = 0, wb = 0;
	int storage = 0;
	while (fgets(line, sizeof(line), f) != NULL) {
		if (sscanf(line, "rchar: %llu", &v) == 1)
			rchar = v;
		else if (sscanf(line, "wchar: %llu", &v) == 1)
			wchar = v;
		else if (sscanf(line, "read_bytes: %llu", &v) == 1) {
			rb = v;
			storage = 1;
		} else if (sscanf(line, "write_bytes: %llu", &v) == 1)
			wb = v;
	}
	fclose(f);
	pu->read = storage ? rb : rchar;
	pu->write = storage ? wb : wchar;
}

void
stepd_usage_init(struct stepd_usage *u, uint32_t ntasks)
{
	memset(u, 0, sizeof(*u));
	u->n = ntasks;
	u->t = xcalloc(ntasks ? ntasks : 1, sizeof(*u->t));
}

void
stepd_usage_free(struct stepd_usage *u)
{
	free(u->t);
	free(u->procs);
	memset(u, 0, sizeof(*u));
}

void
stepd_usage_task(struct stepd_usage *u, uint32_t i, pid_t pid, uint32_t rank)
{
	if (i < u->n) {
		u->t[i].pid = pid;
		u->t[i].rank = rank;
	}
}

static int
task_of_pid(const struct stepd_usage *u, long pid)
{
	for (uint32_t i = 0; i < u->n; i++)
		if (u->t[i].pid == pid)
			return (int)i;
	return -1;
}

/* the task a process had at the last sample, or -1 */
static int
task_known(const struct stepd_usage *u, long pid)
{
	for (size_t i = 0; i < u->nprocs; i++)
		if (u->procs[i].pid == pid)
			return (int)u->procs[i].task;
	return -1;
}

/* the task of process pid (parent ppid): the task whose process it
 * descends from, else the one it had, else the first */
static uint32_t
task_find(const struct stepd_usage *u, long pid, long ppid)
{
	int t = task_of_pid(u, pid);
	for (int depth = 0; t < 0 && ppid > 1 && ppid != getpid() && depth < 64; depth++) {
		t = task_of_pid(u, ppid);
		if (t < 0) {
			struct proc_usage pu = {0};
			if (proc_stat(ppid, &pu) < 0)
				break;
			ppid = pu.ppid;
		}
	}
	if (t < 0)
		t = task_known(u, pid);
	return t < 0 ? 0 : (uint32_t)t;
}

static void
sample_one(
    struct stepd_usage *u, long pid, uint64_t *rss, uint64_t *vm, struct stepd_proc_task **procs, size_t *np)
{
	struct proc_usage pu = {0};
	if (proc_stat(pid, &pu) < 0)
		return;
	proc_mem(pid, &pu);
	proc_io(pid, &pu);
	uint32_t t = task_find(u, pid, pu.ppid);
	struct stepd_task_usage *tu = &u->t[t];
	rss[t] += pu.rss_kb;
	vm[t] += pu.vm_kb;
	tu->live_user_us += pu.user_us;
	tu->live_sys_us += pu.sys_us;
	tu->live_read += pu.read;
	tu->live_write += pu.write;
	*procs = xreallocarray(*procs, *np + 1, sizeof(**procs));
	(*procs)[(*np)++] = (struct stepd_proc_task){(pid_t)pid, t};
}

void
stepd_usage_sample(struct stepd_usage *u, const char *cgroup, pid_t pgid)
{
	if (u->n == 0)
		return;
	uint64_t *rss = xcalloc(u->n, sizeof(uint64_t)), *vm = xcalloc(u->n, sizeof(uint64_t));
	for (uint32_t i = 0; i < u->n; i++) {
		struct stepd_task_usage *tu = &u->t[i];
		tu->live_user_us = tu->live_sys_us = tu->live_read = tu->live_write = 0;
	}
	struct stepd_proc_task *procs = NULL;
	size_t np = 0;
	if (cgroup != NULL) {
		char *pf = xasprintf("%s/cgroup.procs", cgroup);
		FILE *f = fopen(pf, "r");
		free(pf);
		long pid;
		while (f && fscanf(f, "%ld", &pid) == 1)
			sample_one(u, pid, rss, vm, &procs, &np);
		if (f)
			fclose(f);
	} else if (pgid > 0) {
		DIR *d = opendir("/proc");
		struct dirent *e;
		while (d && (e = readdir(d)) != NULL) {
			long pid = strtol(e->d_name, NULL, 10);
			if (pid > 0 && getpgid((pid_t)pid) == pgid)
				sample_one(u, pid, rss, vm, &procs, &np);
		}
		if (d)
			closedir(d);
	}
	for (uint32_t i = 0; i < u->n; i++) {
		struct stepd_task_usage *tu = &u->t[i];
		if (rss[i] > tu->max_rss_kb)
			tu->max_rss_kb = rss[i];
		if (vm[i] > tu->max_vm_kb)
			tu->max_vm_kb = vm[i];
		if (tu->dead_read + tu->live_read > tu->read)
			tu->read = tu->dead_read + tu->live_read;
		if (tu->dead_write + tu->live_write > tu->write)
			tu->write = tu->dead_write + tu->live_write;
	}
	free(u->procs);
	u->procs = procs;
	u->nprocs = np;
	if (np > 0)
		u->samples++;
	free(rss);
	free(vm);
}

pid_t
stepd_usage_reap(struct stepd_usage *u, int *wst)
{
	siginfo_t si;
	memset(&si, 0, sizeof(si));
	/* see it ended, read what it did while it is a zombie, then reap */
	if (waitid(P_ALL, 0, &si, WEXITED | WNOHANG | WNOWAIT) < 0)
		return -1;
	if (si.si_pid == 0)
		return 0;
	pid_t pid = si.si_pid;
	struct proc_usage pu = {0};
	proc_io(pid, &pu);
	uint32_t t = 0;
	if (u->n > 0) {
		int k = task_of_pid(u, pid);
		if (k < 0)
			k = task_known(u, pid);
		t = k < 0 ? 0 : (uint32_t)k;
	}
	struct rusage ru;
	int st = 0;
	memset(&ru, 0, sizeof(ru));
	pid_t w = wait4(pid, &st, WNOHANG, &ru);
	if (w <= 0)
		return w;
	if (wst)
		*wst = st;
	if (u->n == 0)
		return w;
	struct stepd_task_usage *tu = &u->t[t];
	/* its last sample is in the totals now: the task's live figures
	 * wait for the next sample */
	tu->live_user_us = tu->live_sys_us = tu->live_read = tu->live_write = 0;
	tu->dead_user_us += (uint64_t)ru.ru_utime.tv_sec * 1000000 + (uint64_t)ru.ru_utime.tv_usec;
	tu->dead_sys_us += (uint64_t)ru.ru_stime.tv_sec * 1000000 + (uint64_t)ru.ru_stime.tv_usec;
	tu->dead_read += pu.read;
	tu->dead_write += pu.write;
	if (tu->dead_read > tu->read)
		tu->read = tu->dead_read;
	if (tu->dead_write > tu->write)
		tu->write = tu->dead_write;
	/* the kernel's peak of that process (and the children it reaped) */
	if (ru.ru_maxrss > 0 && (uint64_t)ru.ru_maxrss > tu->max_rss_kb)
		tu->max_rss_kb = (uint64_t)ru.ru_maxrss;
	return w;
}

void
stepd_usage_report(const struct stepd_usage *u, struct job_complete *jc)
{
	jc->user_cpu_us = jc->sys_cpu_us = 0;
	jc->usage_tasks = u->n;
	uint64_t rss = 0, vm = 0, rd = 0, wr = 0, cpu = 0;
	for (uint32_t i = 0; i < u->n; i++) {
		const struct stepd_task_usage *tu = &u->t[i];
		/* the processes still running count as they were last seen */
		uint64_t user = tu->dead_user_us + tu->live_user_us, sys = tu->dead_sys_us + tu->live_sys_us;
		jc->user_cpu_us += user;
		jc->sys_cpu_us += sys;
		rss += tu->max_rss_kb;
		vm += tu->max_vm_kb;
		rd += tu->read;
		wr += tu->write;
		cpu += user + sys;
		if (i == 0 || tu->max_rss_kb > jc->max_rss_kb) {
			jc->max_rss_kb = tu->max_rss_kb;
			jc->max_rss_task = tu->rank;
		}
		if (i == 0 || tu->max_vm_kb > jc->max_vmsize_kb) {
			jc->max_vmsize_kb = tu->max_vm_kb;
			jc->max_vmsize_task = tu->rank;
		}
		if (i == 0 || tu->read > jc->max_disk_read) {
			jc->max_disk_read = tu->read;
			jc->max_disk_read_task = tu->rank;
		}
		if (i == 0 || tu->write > jc->max_disk_write) {
			jc->max_disk_write = tu->write;
			jc->max_disk_write_task = tu->rank;
		}
		if (i == 0 || user + sys < jc->min_cpu_us) {
			jc->min_cpu_us = user + sys;
			jc->min_cpu_task = tu->rank;
		}
	}
	if (u->n > 0) {
		jc->ave_rss_kb = rss / u->n;
		jc->ave_vmsize_kb = vm / u->n;
		jc->ave_disk_read = rd / u->n;
		jc->ave_disk_write = wr / u->n;
		jc->ave_cpu_us = cpu / u->n;
	}
}

static char *
stat_path(const char *spool, uint32_t job_id, uint32_t step_id)
{
	return xasprintf("%s/stat/%u.%u", spool, job_id, step_id);
}

/* the numbers of the sstat file after uid and tasks, in this order */
#define STAT_NUMBERS(X, S) \
	X(S, U64, , max_rss_kb) \
	X(S, U64, , ave_rss_kb) \
	X(S, U64, , max_vmsize_kb) \
	X(S, U64, , user_cpu_us) \
	X(S, U64, , sys_cpu_us) \
	USAGE_FIELDS(X, S)

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
	struct buf b;
	buf_init(&b);
	buf_printf(&b, "%u %u", uid, ntasks);
#define STAT_PUT(S, KIND, SUB, NAME) buf_printf(&b, " %llu", (unsigned long long)jc.NAME);
	STAT_NUMBERS(STAT_PUT, _)
#undef STAT_PUT
	buf_addc(&b, '\n');
	if (stepd_write_file(tmp, b.data, b.len, 0644) == 0)
		rename(tmp, path);
	buf_free(&b);
	free(tmp);
	free(path);
}

unsigned stepd_acct_freq_s = 30;

int64_t
stepd_sample_gap_ms(int64_t *gap_ms)
{
	int64_t max = 1000 * (int64_t)stepd_acct_freq_s;
	int64_t g = *gap_ms ? *gap_ms * 2 : 1000;
	if (g > max)
		g = max;
	*gap_ms = g;
	return g;
}

void
stepd_usage_mark(const char *spool, uint32_t job_id, uint32_t step_id, struct stepd_usage_mark *m)
{
	char *path = stat_path(spool, job_id, step_id);
	struct stat st;
	memset(m, 0, sizeof(*m));
	if (stat(path, &st) == 0) {
		m->had = 1;
		m->ino = st.st_ino;
		m->mtim = st.st_mtim;
	}
	free(path);
}

int
stepd_usage_changed(const char *spool, uint32_t job_id, uint32_t step_id, const struct stepd_usage_mark *m)
{
	char *path = stat_path(spool, job_id, step_id);
	struct stat st;
	int changed =
	    stat(path, &st) == 0 && (!m->had || st.st_ino != m->ino || st.st_mtim.tv_sec != m->mtim.tv_sec ||
	                                st.st_mtim.tv_nsec != m->mtim.tv_nsec);
	free(path);
	return changed;
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
	char line[1024];
	int ok = fgets(line, sizeof(line), f) != NULL;
	fclose(f);
	memset(out, 0, sizeof(*out));
	char *p = line, *end;
	unsigned long long v[2];
	for (int i = 0; ok && i < 2; i++, p = end) {
		v[i] = strtoull(p, &end, 10);
		ok = end != p;
	}
#define STAT_GET(S, KIND, SUB, NAME) \
	if (ok) { \
		unsigned long long x = strtoull(p, &end, 10); \
		ok = end != p; \
		p = end; \
		out->NAME = (__typeof__(out->NAME))x; \
	}
	STAT_NUMBERS(STAT_GET, _)
#undef STAT_GET
	if (!ok) {
		errno = EINVAL;
		return -1;
	}
	*uid = (uint32_t)v[0];
	out->step_id = step_id;
	out->ntasks = (uint32_t)v[1];
	return 0;
}

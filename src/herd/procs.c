/* SPDX-License-Identifier: MIT */
/*
 * The processes herd up starts: spawned detached (own session, no
 * terminal, no inherited descriptors), recorded by pid *and* start time so
 * that herd down never signals a process that merely reused a pid, and
 * stopped with SIGTERM, then SIGKILL after a grace period.
 */
#include "herd.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/xmalloc.h"

int64_t
herd_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
sleep_ms(int ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* Start time and state letter from /proc/PID/stat; -1 when gone. */
static int
proc_stat(pid_t pid, unsigned long long *start, char *state)
{
	char path[64], buf[1024];
	snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	/* comm may hold blanks and parentheses: fields resume after the last ')' */
	char *p = strrchr(buf, ')');
	if (p == NULL || p[1] == '\0')
		return -1;
	p += 2;
	*state = *p;
	/* p is at field 3 (state); start time is field 22 */
	for (int field = 3; field < 22; field++) {
		p = strchr(p, ' ');
		if (p == NULL)
			return -1;
		p++;
	}
	*start = strtoull(p, NULL, 10);
	return 0;
}

static void
close_from(int lowfd)
{
#ifdef SYS_close_range
	if (syscall(SYS_close_range, (unsigned)lowfd, ~0U, 0) == 0)
		return;
#endif
	long max = sysconf(_SC_OPEN_MAX);
	if (max < 0 || max > 65536)
		max = 65536;
	for (int fd = lowfd; fd < max; fd++)
		close(fd);
}

/* In the child: never returns. */
static void
spawn_child(const char *path, char *const argv[], const char *out_path)
{
	setsid();
	/* The launcher's handlers are not the daemon's.  Signals are blocked
	 * since before fork: one sent now (herd up stopping what it started)
	 * stays pending and, once unblocked here, gets its default action
	 * instead of running the launcher's handler in this child and being
	 * lost across exec. */
	for (int sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			signal(sig, SIG_DFL);
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	int in = open("/dev/null", O_RDONLY);
	int out = open(out_path, O_WRONLY | O_CREAT | O_APPEND, 0644);
	if (in < 0 || out < 0)
		_exit(126);
	dup2(in, 0);
	dup2(out, 1);
	dup2(out, 2);
	/* bats and other harnesses wait for their descriptors to close:
	 * a daemon must not keep any of them */
	close_from(3);
	execv(path, argv);
	dprintf(2, "herd: cannot execute %s: %s\n", path, strerror(errno));
	_exit(127);
}

int
procs_spawn(struct proc *p, const char *path, char *const argv[], const char *out_path)
{
	sigset_t all, old;
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &old);
	pid_t pid = fork();
	if (pid == 0)
		spawn_child(path, argv, out_path);
	int saved = errno;
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (pid < 0) {
		errno = saved;
		return -1;
	}
	p->pid = pid;
	p->reaped = 0;
	p->status = 0;
	char state;
	if (proc_stat(pid, &p->start_time, &state) < 0)
		p->start_time = 0;
	return 0;
}

int
procs_alive(struct proc *p)
{
	if (p->pid <= 0 || p->reaped)
		return 0;
	int status;
	pid_t w = waitpid(p->pid, &status, WNOHANG);
	if (w == p->pid) {
		p->reaped = 1;
		p->status = status;
		return 0;
	}
	unsigned long long start;
	char state;
	if (proc_stat(p->pid, &start, &state) < 0)
		return 0;
	if (state == 'Z' || state == 'X')
		return 0;
	if (p->start_time != 0)
		return start == p->start_time;
	/* start time unknown: at least the program must be ours */
	char path[64], argv0[256];
	snprintf(path, sizeof(path), "/proc/%ld/cmdline", (long)p->pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	ssize_t n = read(fd, argv0, sizeof(argv0) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	argv0[n] = '\0';
	const char *base = strrchr(argv0, '/');
	base = base ? base + 1 : argv0;
	return strcmp(base, p->prog) == 0;
}

int
procs_stop(struct proc *ps, size_t n, int timeout_ms)
{
	for (size_t i = 0; i < n; i++)
		if (procs_alive(&ps[i]))
			kill(ps[i].pid, SIGTERM);
	int64_t deadline = herd_now_ms() + timeout_ms;
	int killed = 0;
	for (int phase = 0; phase < 2; phase++) {
		for (;;) {
			size_t alive = 0;
			for (size_t i = 0; i < n; i++)
				alive += procs_alive(&ps[i]) ? 1 : 0;
			if (alive == 0)
				return killed;
			if (herd_now_ms() >= deadline)
				break;
			sleep_ms(5);
		}
		if (phase == 1)
			break;
		for (size_t i = 0; i < n; i++) {
			if (procs_alive(&ps[i])) {
				kill(ps[i].pid, SIGKILL);
				killed++;
			}
		}
		deadline = herd_now_ms() + 2000;
	}
	return killed;
}

int
procs_write_pidfile(const char *path, const struct proc *ps, size_t n)
{
	struct buf b;
	buf_init(&b);
	for (size_t i = 0; i < n; i++) {
		buf_printf(&b, "%ld %llu %s", (long)ps[i].pid, ps[i].start_time, ps[i].prog);
		if (ps[i].node[0])
			buf_printf(&b, " %s", ps[i].node);
		buf_addc(&b, '\n');
	}
	buf_addc(&b, '\0');
	int rc = confgen_write(path, b.data);
	buf_free(&b);
	return rc;
}

int
procs_read_pidfile(const char *path, struct proc **out, size_t *n)
{
	FILE *f = fopen(path, "re");
	if (f == NULL)
		return -1;
	struct proc *v = NULL;
	size_t cnt = 0;
	char line[512];
	while (fgets(line, sizeof(line), f) != NULL) {
		struct proc p;
		memset(&p, 0, sizeof(p));
		long pid;
		char prog[32], node[PROCS_NAME_MAX];
		node[0] = '\0';
		int got = sscanf(line, "%ld %llu %31s %127s", &pid, &p.start_time, prog, node);
		if (got < 3 || pid <= 0)
			continue;
		p.pid = (pid_t)pid;
		snprintf(p.prog, sizeof(p.prog), "%s", prog);
		if (got == 4)
			snprintf(p.node, sizeof(p.node), "%s", node);
		v = xreallocarray(v, cnt + 1, sizeof(*v));
		v[cnt++] = p;
	}
	fclose(f);
	*out = v;
	*n = cnt;
	return 0;
}

void
procs_label(const struct proc *p, char *buf, size_t len)
{
	if (p->node[0])
		snprintf(buf, len, "%s %s", p->prog, p->node);
	else
		snprintf(buf, len, "%s", p->prog);
}

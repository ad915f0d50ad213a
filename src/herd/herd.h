/* SPDX-License-Identifier: MIT */
/*
 * The herd launcher: shared declarations of its parts.  herd.c parses the
 * command line and runs up/down/status; confgen.c writes DIR/slurm.conf
 * (embedded defaults or a rewritten site file); procs.c starts the daemons
 * detached and keeps the pid file; ready.c waits until every node is up.
 */
#ifndef HERD_LAUNCHER_H
#define HERD_LAUNCHER_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define HERD_DEFAULT_PORT 6817
#define HERD_DEFAULT_NODES 4
#define HERD_DEFAULT_CPUS 2
#define HERD_READY_TIMEOUT_MS 30000
#define HERD_STOP_TIMEOUT_MS 10000

/* Everything herd up needs to know to write slurm.conf. */
struct herd_opts {
	const char *dir; /* absolute cluster directory */
	const char *conf_file; /* --conf FILE or NULL */
	uint32_t nodes;
	uint32_t cpus;
	uint16_t port; /* SlurmctldPort; nodes use port+1 .. port+N */
	int munge; /* keep / use auth/munge instead of auth/slurm */
	const char *user;
	uint16_t dbd_port; /* embedded accounting (herddbd on SQLite); 0 = none */
};

/* confgen.c */

/* Write the embedded default slurm.conf for o into out (NUL-terminated,
 * caller frees).  Never fails. */
char *confgen_default(const struct herd_opts *o);
/* slurmdbd.conf for the embedded accounting of the default cluster. */
char *confgen_dbd(const struct herd_opts *o);
/* Rewrite the site file o->conf_file for a local run (see herd(1) in
 * README.md); NULL with a message in err when the file cannot be read or
 * a NodeName line is malformed. */
char *confgen_rewrite(const struct herd_opts *o, char *err, size_t errlen);
/* Write text to path atomically (temporary file, rename).  0 or -1/errno. */
int confgen_write(const char *path, const char *text);

/* lastrun.c */

struct lastrun {
	uint32_t nodes, cpus; /* 0 with conf_file */
	uint16_t port;
	int munge;
	char conf_file[4096]; /* absolute, "" for the embedded defaults */
};

/* Options of the last successful herd up in dir (DIR/run/herd.opts).
 * 0, or -1 (none, or unreadable). */
int lastrun_load(const char *dir, struct lastrun *l);
/* Record o (o->conf_file absolute or NULL).  0 or -1/errno. */
int lastrun_save(const char *dir, const struct herd_opts *o);

/* procs.c */

#define PROCS_NAME_MAX 128

struct proc {
	pid_t pid;
	unsigned long long start_time; /* /proc/PID/stat field 22, clock ticks */
	char prog[32]; /* herdctld, herdd */
	char node[PROCS_NAME_MAX]; /* node name for herdd, "" otherwise */
	int reaped; /* our child, already waited for */
	int status; /* wait status when reaped */
};

/* Start path with argv detached: new session, stdin /dev/null, stdout
 * and stderr appended to out_path, no other descriptor inherited.
 * Fills p->pid and p->start_time.  0 or -1/errno (nothing started). */
int procs_spawn(struct proc *p, const char *path, char *const argv[], const char *out_path);
/* Is p still the process we started (same pid, same start time, not a
 * zombie)?  Reaps it first when it is our own child. */
int procs_alive(struct proc *p);
/* SIGTERM every live process of ps, wait up to timeout_ms, then SIGKILL
 * what is left and wait for it to go.  Returns how many needed SIGKILL. */
int procs_stop(struct proc *ps, size_t n, int timeout_ms);
/* Pid file: one line per process, "PID START_TIME PROG [NODE]". */
int procs_write_pidfile(const char *path, const struct proc *ps, size_t n);
/* Read the pid file: 0 with *ps (caller frees) and *n, -1/errno (ENOENT
 * when there is none). */
int procs_read_pidfile(const char *path, struct proc **ps, size_t *n);
/* Human name: "herdctld" or "herdd node01". */
void procs_label(const struct proc *p, char *buf, size_t len);

/* ready.c */

/* Poll the controller (REQ_NODE_INFO, with SLURM_CONF=conf_path) every
 * 5 ms until every node is ready (IDLE and responding; ALLOCATED/MIXED
 * count too, for jobs recovered from an earlier run; nodes slurm.conf
 * starts DOWN or FUTURE count as they are), a started process dies, or
 * timeout_ms passes.  0 when ready, with the number of IDLE nodes in
 * *idle_out; -1 otherwise, after printing what is wrong (nodes not
 * ready, dead daemons) to stderr.  *stop is polled so a signal can cut
 * the wait short. */
int ready_wait(
    const char *conf_path, struct proc *ps, size_t n, int timeout_ms, volatile int *stop, uint32_t *idle_out);

/* Monotonic clock in milliseconds. */
int64_t herd_now_ms(void);

#endif

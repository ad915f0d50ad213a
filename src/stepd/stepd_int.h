/* SPDX-License-Identifier: MIT */
/*
 * Internal helpers of the step supervisors (stepd_common.c).
 */
#ifndef HERD_STEPD_INT_H
#define HERD_STEPD_INT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define STEPD_HELLO 0x100U

int64_t stepd_now_ms(void);
/* create/replace path with data; 0 or -1 with errno */
int stepd_write_file(const char *path, const char *data, size_t len, mode_t mode);
/* a fresh cgroup v2 for the job (tag tells steps apart), or NULL when the
 * system does not let us (process groups only then); caller frees */
char *stepd_cgroup_create(const char *node, uint32_t job_id, const char *tag);
/* SIGKILL everything in the cgroup (NULL: nothing) */
void stepd_cgroup_kill(const char *cgroup);
/* signal everything in the cgroup */
void stepd_cgroup_signal(const char *cgroup, int sig);
/* 1 when no process is left in it (or cgroup is NULL) */
int stepd_cgroup_empty(const char *cgroup);

/* fork(), the child born inside cgroup when the kernel allows it
 * (clone3 CLONE_INTO_CGROUP; *placed = 1), else a plain fork.  Only for
 * single-threaded callers. */
pid_t stepd_fork_into(const char *cgroup, int *placed);

#endif

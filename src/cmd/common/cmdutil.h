/* SPDX-License-Identifier: MIT */
/*
 * Small helpers shared by squeue, sinfo, scontrol and scancel: the
 * version string, comma lists, user and name matching, signal names,
 * the ctime date line, and writing a whole buffer to stdout.
 */
#ifndef HERD_CMD_CMDUTIL_H
#define HERD_CMD_CMDUTIL_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"

/* what Slurm's commands print for -V / --version on the reference system */
#define CMD_SLURM_VERSION "slurm-wlm 22.05.8"

struct strlist {
	char **v;
	size_t n;
};

/* Append the items of a comma-separated list (empty items skipped). */
void strlist_split(struct strlist *l, const char *s);
void strlist_add(struct strlist *l, const char *s);
void strlist_free(struct strlist *l);
int strlist_has(const struct strlist *l, const char *s); /* exact */
int strlist_has_case(const struct strlist *l, const char *s); /* case-insensitive */
/* any item of the comma list s (e.g. a pending job's "p1,p2") in l */
int strlist_has_any(const struct strlist *l, const char *s);

/* users given as names or numeric uids */
int cmd_user_match(const struct strlist *users, const char *name, uint32_t uid);

/* "KILL", "SIGKILL", "kill", "9" -> signal number; -1 if unknown */
int cmd_signal_parse(const char *s);

/* ctime-style "Wed Nov 25 23:10:29 2026\n" for now */
void cmd_date_line(struct buf *out, int64_t now);

/* write out to stdout in one go; -1 on a write error */
int cmd_write_stdout(struct buf *out);

/* the last component of a command path (borrowed from path) */
const char *cmd_base_name(const char *path);

#endif

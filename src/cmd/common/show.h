/* SPDX-License-Identifier: MIT */
/*
 * scontrol show records (cli.md section 8): jobs, steps, nodes,
 * partitions and the configuration, rendered into a struct buf exactly as
 * Slurm 22.05 prints them.  oneliner joins a record's lines with single
 * spaces (-o); details adds the -d lines.
 */
#ifndef HERD_CMD_SHOW_H
#define HERD_CMD_SHOW_H

#include <stdint.h>

#include "base/buf.h"
#include "proto/proto.h"

/* now: used when the record carries no controller time */
void show_job(struct buf *o, const struct job_info *j, int oneliner, int details, int64_t now);
void show_step(struct buf *o, const struct step_info *s, int oneliner, int64_t now);
void show_node(struct buf *o, const struct node_info *n, int oneliner);
void show_part(struct buf *o, const struct part_info *p, int oneliner);
/* "Configuration data as of ..." and the Key = Value lines (no ping lines) */
void show_config(struct buf *o, char *const *kv, uint32_t n, int64_t now);

/* user name of a uid (cached getpwuid; the number when unknown) */
const char *show_uid_name(uint32_t uid);

#endif

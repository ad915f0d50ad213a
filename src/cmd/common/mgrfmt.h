/* SPDX-License-Identifier: MIT */
/*
 * sacctmgr show: the field table of each entity (cluster, account, user,
 * association, qos), format= parsing and the renderer (fixed-width
 * columns right-justified and each followed by one space, values cut to
 * width-1 plus '+', headers cut to width; or -p / -P parsable output).
 */
#ifndef HERD_CMD_MGRFMT_H
#define HERD_CMD_MGRFMT_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "proto/proto.h"

struct mgr_field;

struct mgr_col {
	const struct mgr_field *f;
	int width; /* > 0 */
	int left; /* format=name%-W */
};

struct mgr_out {
	int entity; /* ACCTMGR_CLUSTER ... */
	struct mgr_col *cols;
	size_t n;
	int parsable; /* 0 fixed width, 1 -p (delimiter after every field), 2 -P */
	int noheader;
};

/* Columns of format= ("name[%[-]W],...", case-insensitive, unique
 * prefixes allowed) or the entity's default columns when list is NULL.
 * -1 with Slurm's "Unknown field 'x'" in err. */
int mgr_out_parse(struct mgr_out *o, int entity, const char *list, struct buf *err);
void mgr_out_free(struct mgr_out *o);

/* The rows of the entity that match where ("key=v1,v2"), rendered with
 * o.  0, or 1 with Slurm's message in err (unknown condition). */
int mgr_show(const struct acct_tables *t, const struct mgr_out *o, char **where, uint32_t nwhere,
    struct buf *out, struct buf *err);

#endif

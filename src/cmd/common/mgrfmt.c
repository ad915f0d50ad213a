/* SPDX-License-Identifier: MIT */
/*
 * sacctmgr's show output: one field table for every entity, the
 * format= parser and the fixed-width / parsable renderer.  Limits herd
 * does not keep (GrpTRES, MaxWall ...) are shown empty, as Slurm shows
 * unset ones.
 */
#include "mgrfmt.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "acct/acctmgr.h"
#include "base/xmalloc.h"

enum fid {
	F_EMPTY,
	F_CL_NAME,
	F_CL_HOST,
	F_CL_PORT,
	F_CL_RPC,
	F_CL_SHARE,
	F_CL_QOS,
	F_CL_DEFQOS,
	F_AC_NAME,
	F_AC_DESCR,
	F_AC_ORG,
	F_US_NAME,
	F_US_DEFACCT,
	F_US_ADMIN,
	F_AS_CLUSTER,
	F_AS_ACCOUNT,
	F_AS_USER,
	F_AS_PART,
	F_AS_SHARE,
	F_AS_QOS,
	F_AS_DEFQOS,
	F_AS_PARENT,
	F_QOS_NAME,
	F_QOS_PRIO,
	F_QOS_GRACE,
	F_QOS_PMODE,
	F_QOS_UFACTOR,
	F_TRES_TYPE,
	F_TRES_NAME,
	F_TRES_ID,
};

struct mgr_field {
	int entity;
	const char *name; /* format= name */
	const char *header;
	int width;
	enum fid id;
	int dflt; /* in the default columns */
};

#define C ACCTMGR_CLUSTER
#define A ACCTMGR_ACCOUNT
#define U ACCTMGR_USER
#define S ACCTMGR_ASSOC
#define Q ACCTMGR_QOS
#define T ACCTMGR_TRES
static const struct mgr_field fields[] = {
    {C, "Cluster", "Cluster", 10, F_CL_NAME, 1},
    {C, "ControlHost", "ControlHost", 15, F_CL_HOST, 1},
    {C, "ControlPort", "ControlPort", 12, F_CL_PORT, 1},
    {C, "RPC", "RPC", 5, F_CL_RPC, 1},
    {C, "Fairshare", "Share", 9, F_CL_SHARE, 1},
    {C, "GrpJobs", "GrpJobs", 7, F_EMPTY, 1},
    {C, "GrpTRES", "GrpTRES", 13, F_EMPTY, 1},
    {C, "GrpSubmitJobs", "GrpSubmit", 9, F_EMPTY, 1},
    {C, "MaxJobs", "MaxJobs", 7, F_EMPTY, 1},
    {C, "MaxTRES", "MaxTRES", 13, F_EMPTY, 1},
    {C, "MaxSubmitJobs", "MaxSubmit", 9, F_EMPTY, 1},
    {C, "MaxWallDurationPerJob", "MaxWall", 11, F_EMPTY, 1},
    {C, "QOS", "QOS", 20, F_CL_QOS, 1},
    {C, "DefaultQOS", "Def QOS", 9, F_CL_DEFQOS, 1},
    {C, "Flags", "Flags", 20, F_EMPTY, 0},
    {C, "Name", "Cluster", 10, F_CL_NAME, 0},

    {A, "Account", "Account", 10, F_AC_NAME, 1},
    {A, "Description", "Descr", 20, F_AC_DESCR, 1},
    {A, "Organization", "Org", 20, F_AC_ORG, 1},
    {A, "Name", "Account", 10, F_AC_NAME, 0},

    {U, "User", "User", 10, F_US_NAME, 1},
    {U, "DefaultAccount", "Def Acct", 10, F_US_DEFACCT, 1},
    {U, "AdminLevel", "Admin", 9, F_US_ADMIN, 1},
    {U, "Name", "User", 10, F_US_NAME, 0},

    {S, "Cluster", "Cluster", 10, F_AS_CLUSTER, 1},
    {S, "Account", "Account", 10, F_AS_ACCOUNT, 1},
    {S, "User", "User", 10, F_AS_USER, 1},
    {S, "Partition", "Partition", 10, F_AS_PART, 1},
    {S, "Fairshare", "Share", 9, F_AS_SHARE, 1},
    {S, "Priority", "Priority", 10, F_EMPTY, 1},
    {S, "GrpJobs", "GrpJobs", 7, F_EMPTY, 1},
    {S, "GrpTRES", "GrpTRES", 13, F_EMPTY, 1},
    {S, "GrpSubmitJobs", "GrpSubmit", 9, F_EMPTY, 1},
    {S, "GrpWall", "GrpWall", 11, F_EMPTY, 1},
    {S, "GrpTRESMins", "GrpTRESMins", 13, F_EMPTY, 1},
    {S, "MaxJobs", "MaxJobs", 7, F_EMPTY, 1},
    {S, "MaxTRES", "MaxTRES", 13, F_EMPTY, 1},
    {S, "MaxTRESPerNode", "MaxTRESPerNode", 14, F_EMPTY, 1},
    {S, "MaxSubmitJobs", "MaxSubmit", 9, F_EMPTY, 1},
    {S, "MaxWallDurationPerJob", "MaxWall", 11, F_EMPTY, 1},
    {S, "MaxTRESMins", "MaxTRESMins", 13, F_EMPTY, 1},
    {S, "QOS", "QOS", 20, F_AS_QOS, 1},
    {S, "DefaultQOS", "Def QOS", 9, F_AS_DEFQOS, 1},
    {S, "GrpTRESRunMins", "GrpTRESRunMins", 13, F_EMPTY, 1},
    {S, "ParentName", "Par Name", 10, F_AS_PARENT, 0},

    {Q, "Name", "Name", 10, F_QOS_NAME, 1},
    {Q, "Priority", "Priority", 10, F_QOS_PRIO, 1},
    {Q, "GraceTime", "GraceTime", 10, F_QOS_GRACE, 1},
    {Q, "Preempt", "Preempt", 10, F_EMPTY, 1},
    {Q, "PreemptExemptTime", "PreemptExemptTime", 19, F_EMPTY, 1},
    {Q, "PreemptMode", "PreemptMode", 11, F_QOS_PMODE, 1},
    {Q, "Flags", "Flags", 40, F_EMPTY, 1},
    {Q, "UsageThreshold", "UsageThres", 10, F_EMPTY, 1},
    {Q, "UsageFactor", "UsageFactor", 11, F_QOS_UFACTOR, 1},
    {Q, "GrpTRES", "GrpTRES", 13, F_EMPTY, 1},
    {Q, "GrpTRESMins", "GrpTRESMins", 13, F_EMPTY, 1},
    {Q, "GrpTRESRunMins", "GrpTRESRunMin", 13, F_EMPTY, 1},
    {Q, "GrpJobs", "GrpJobs", 7, F_EMPTY, 1},
    {Q, "GrpSubmitJobs", "GrpSubmit", 9, F_EMPTY, 1},
    {Q, "GrpWall", "GrpWall", 11, F_EMPTY, 1},
    {Q, "MaxTRES", "MaxTRES", 13, F_EMPTY, 1},
    {Q, "MaxTRESPerNode", "MaxTRESPerNode", 14, F_EMPTY, 1},
    {Q, "MaxTRESMins", "MaxTRESMins", 13, F_EMPTY, 1},
    {Q, "MaxWall", "MaxWall", 11, F_EMPTY, 1},
    {Q, "MaxTRESPerUser", "MaxTRESPU", 13, F_EMPTY, 1},
    {Q, "MaxJobsPerUser", "MaxJobsPU", 9, F_EMPTY, 1},
    {Q, "MaxSubmitJobsPerUser", "MaxSubmitPU", 11, F_EMPTY, 1},
    {Q, "MaxTRESPerAccount", "MaxTRESPA", 13, F_EMPTY, 1},
    {Q, "MaxJobsPerAccount", "MaxJobsPA", 9, F_EMPTY, 1},
    {Q, "MaxSubmitJobsPerAccount", "MaxSubmitPA", 11, F_EMPTY, 1},
    {Q, "MinTRES", "MinTRES", 13, F_EMPTY, 1},

    {T, "Type", "Type", 8, F_TRES_TYPE, 1},
    {T, "Name", "Name", 15, F_TRES_NAME, 1},
    {T, "ID", "ID", 6, F_TRES_ID, 1},
};
#undef C
#undef A
#undef U
#undef S
#undef Q
#undef T
#define NFIELDS (sizeof(fields) / sizeof(fields[0]))

/* the QOS herd knows: the default one */
static const char *const qos_names[] = {"normal"};

/* the trackable resources accounting counts (the ids of tres_alloc) */
struct tres {
	const char *type, *name;
	unsigned id;
};
static const struct tres tres_table[] = {
    {"cpu", "", 1},
    {"mem", "", 2},
    {"energy", "", 3},
    {"node", "", 4},
    {"billing", "", 5},
    {"fs", "disk", 6},
    {"vmem", "", 7},
    {"pages", "", 8},
};

static void
add_col(struct mgr_out *o, const struct mgr_field *f, int width, int left)
{
	o->cols = xreallocarray(o->cols, o->n + 1, sizeof(*o->cols));
	o->cols[o->n++] = (struct mgr_col){f, width > 0 ? width : f->width, left};
}

/* a format= name: exact (name or header), else a unique prefix */
static const struct mgr_field *
field_find(int entity, const char *name, size_t len)
{
	const struct mgr_field *hit = NULL;
	int hits = 0;
	for (size_t i = 0; i < NFIELDS; i++) {
		const struct mgr_field *f = &fields[i];
		if (f->entity != entity)
			continue;
		if ((strlen(f->name) == len && strncasecmp(f->name, name, len) == 0) ||
		    (strlen(f->header) == len && strncasecmp(f->header, name, len) == 0))
			return f;
		if (strncasecmp(f->name, name, len) == 0 && (hit == NULL || hit->id != f->id)) {
			hit = f;
			hits++;
		}
	}
	return hits == 1 ? hit : NULL;
}

int
mgr_out_parse(struct mgr_out *o, int entity, const char *list, struct buf *err)
{
	o->entity = entity;
	if (list == NULL) {
		for (size_t i = 0; i < NFIELDS; i++)
			if (fields[i].entity == entity && fields[i].dflt)
				add_col(o, &fields[i], 0, 0);
		return 0;
	}
	const char *p = list;
	while (*p) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		const char *pct = memchr(p, '%', len);
		size_t nlen = pct ? (size_t)(pct - p) : len;
		int width = 0, left = 0;
		if (pct) {
			const char *w = pct + 1;
			if (*w == '-') {
				left = 1;
				w++;
			}
			width = atoi(w);
		}
		if (nlen > 0) {
			const struct mgr_field *f = field_find(entity, p, nlen);
			if (f == NULL) {
				buf_printf(err, "Unknown field '%.*s'\n", (int)nlen, p);
				return -1;
			}
			add_col(o, f, width, left);
		}
		if (end == NULL)
			break;
		p = end + 1;
	}
	if (o->n == 0) {
		buf_printf(err, "Unknown field '%s'\n", list);
		return -1;
	}
	return 0;
}

void
mgr_out_free(struct mgr_out *o)
{
	free(o->cols);
	o->cols = NULL;
	o->n = 0;
}

static const struct acct_assoc *
cluster_root(const struct acct_tables *t, const char *cluster)
{
	return acctmgr_find_assoc(t, cluster, "root", NULL, NULL);
}

static void
value(const struct acct_tables *t, enum fid id, const void *row, struct buf *v)
{
	const struct acct_cluster *cl = row;
	const struct acct_account *ac = row;
	const struct acct_user *us = row;
	const struct acct_assoc *as = row;
	const char *qn = row;
	const struct tres *tr = row;
	const char *s = NULL;
	switch (id) {
	case F_EMPTY:
		break;
	case F_CL_NAME:
		s = cl->name;
		break;
	case F_CL_HOST:
		s = cl->control_host;
		break;
	case F_CL_PORT:
		buf_printf(v, "%u", cl->control_port);
		break;
	case F_CL_RPC:
		buf_printf(v, "%u", cl->rpc_version);
		break;
	case F_CL_SHARE: {
		const struct acct_assoc *r = cluster_root(t, cl->name);
		buf_printf(v, "%u", r ? r->shares : 1);
		break;
	}
	case F_CL_QOS: {
		const struct acct_assoc *r = cluster_root(t, cl->name);
		s = r ? r->qos : "normal";
		break;
	}
	case F_CL_DEFQOS: {
		const struct acct_assoc *r = cluster_root(t, cl->name);
		s = r ? r->def_qos : NULL;
		break;
	}
	case F_AC_NAME:
		s = ac->name;
		break;
	case F_AC_DESCR:
		s = ac->description;
		break;
	case F_AC_ORG:
		s = ac->organization;
		break;
	case F_US_NAME:
		s = us->name;
		break;
	case F_US_DEFACCT:
		s = us->default_account;
		break;
	case F_US_ADMIN:
		s = acctmgr_admin_name(us->admin_level);
		break;
	case F_AS_CLUSTER:
		s = as->cluster;
		break;
	case F_AS_ACCOUNT:
		s = as->account;
		break;
	case F_AS_USER:
		s = as->user;
		break;
	case F_AS_PART:
		s = as->partition;
		break;
	case F_AS_SHARE:
		buf_printf(v, "%u", as->shares);
		break;
	case F_AS_QOS:
		s = as->qos;
		break;
	case F_AS_DEFQOS:
		s = as->def_qos;
		break;
	case F_AS_PARENT:
		s = as->parent;
		break;
	case F_QOS_NAME:
		s = qn;
		break;
	case F_QOS_PRIO:
		s = "0";
		break;
	case F_QOS_GRACE:
		s = "00:00:00";
		break;
	case F_QOS_PMODE:
		s = "cluster";
		break;
	case F_QOS_UFACTOR:
		s = "1.000000";
		break;
	case F_TRES_TYPE:
		s = tr->type;
		break;
	case F_TRES_NAME:
		s = tr->name;
		break;
	case F_TRES_ID:
		buf_printf(v, "%u", tr->id);
		break;
	}
	if (s)
		buf_adds(v, s);
}

static void
cell(const struct mgr_out *o, size_t i, const char *s, int header, struct buf *out)
{
	const struct mgr_col *c = &o->cols[i];
	if (o->parsable) {
		buf_adds(out, s);
		if (o->parsable == 1 || i + 1 < o->n)
			buf_addc(out, '|');
		return;
	}
	size_t len = strlen(s);
	if (len > (size_t)c->width) {
		/* values are cut with a '+'; headers just cut */
		buf_add(out, s, header ? (size_t)c->width : (size_t)c->width - 1);
		if (!header)
			buf_addc(out, '+');
	} else if (c->left) {
		buf_adds(out, s);
		buf_pad(out, ' ', (size_t)c->width - len);
	} else {
		buf_pad(out, ' ', (size_t)c->width - len);
		buf_adds(out, s);
	}
	buf_addc(out, ' ');
}

static void
line(const struct acct_tables *t, const struct mgr_out *o, const void *row, struct buf *out)
{
	struct buf v;
	buf_init(&v);
	for (size_t i = 0; i < o->n; i++) {
		buf_reset(&v);
		value(t, o->cols[i].f->id, row, &v);
		cell(o, i, buf_str(&v), 0, out);
	}
	buf_addc(out, '\n');
	buf_free(&v);
}

static void
header(const struct mgr_out *o, struct buf *out)
{
	if (o->noheader)
		return;
	for (size_t i = 0; i < o->n; i++)
		cell(o, i, o->cols[i].f->header, 1, out);
	buf_addc(out, '\n');
	if (o->parsable)
		return;
	for (size_t i = 0; i < o->n; i++) {
		buf_pad(out, '-', (size_t)o->cols[i].width);
		buf_addc(out, ' ');
	}
	buf_addc(out, '\n');
}

/* the name of a cluster, account or user row: its first member */
static const char *
row_name(const void *row)
{
	const char *n = *(char *const *)row;
	return n ? n : "";
}

static int
by_name(const void *a, const void *b)
{
	return strcmp(row_name(*(const void *const *)a), row_name(*(const void *const *)b));
}

/* pointers to the rows of an array, sorted by name */
static const void **
sorted_rows(const void *arr, uint32_t n, size_t size)
{
	const void **v = xcalloc(n + 1, sizeof(*v));
	for (uint32_t i = 0; i < n; i++)
		v[i] = (const char *)arr + (size_t)i * size;
	qsort(v, n, sizeof(*v), by_name);
	return v;
}

int
mgr_show(const struct acct_tables *t, const struct mgr_out *o, char **where, uint32_t nw, struct buf *out,
    struct buf *err)
{
	header(o, out);
	int m;
	switch (o->entity) {
	case ACCTMGR_CLUSTER:
	case ACCTMGR_ACCOUNT:
	case ACCTMGR_USER: {
		const void *arr = o->entity == ACCTMGR_CLUSTER   ? (const void *)t->clusters
		                  : o->entity == ACCTMGR_ACCOUNT ? (const void *)t->accounts
		                                                 : (const void *)t->users;
		uint32_t n = o->entity == ACCTMGR_CLUSTER   ? t->clusters_cnt
		             : o->entity == ACCTMGR_ACCOUNT ? t->accounts_cnt
		                                            : t->users_cnt;
		size_t size = o->entity == ACCTMGR_CLUSTER   ? sizeof(*t->clusters)
		              : o->entity == ACCTMGR_ACCOUNT ? sizeof(*t->accounts)
		                                             : sizeof(*t->users);
		const void **rows = sorted_rows(arr, n, size);
		for (uint32_t i = 0; i < n; i++) {
			if (o->entity == ACCTMGR_CLUSTER)
				m = acctmgr_match_cluster(rows[i], where, nw, err);
			else if (o->entity == ACCTMGR_ACCOUNT)
				m = acctmgr_match_account(t, rows[i], where, nw, err);
			else
				m = acctmgr_match_user(t, rows[i], where, nw, err);
			if (m < 0) {
				free(rows);
				return 1;
			}
			if (m)
				line(t, o, rows[i], out);
		}
		free(rows);
		return 0;
	}
	case ACCTMGR_ASSOC: {
		uint32_t n;
		uint32_t *idx = acctmgr_assoc_order(t, &n);
		for (uint32_t i = 0; i < n; i++) {
			m = acctmgr_match_assoc(&t->assocs[idx[i]], where, nw, err);
			if (m < 0) {
				free(idx);
				return 1;
			}
			if (m)
				line(t, o, &t->assocs[idx[i]], out);
		}
		free(idx);
		return 0;
	}
	case ACCTMGR_QOS:
		for (size_t i = 0; i < sizeof(qos_names) / sizeof(qos_names[0]); i++) {
			int ok = 1;
			for (uint32_t k = 0; k < nw; k++) {
				const char *eq = strchr(where[k], '=');
				if (eq == NULL || (strncasecmp(where[k], "name=", 5) != 0 &&
				                      strncasecmp(where[k], "names=", 6) != 0)) {
					buf_printf(err,
					    " Unknown condition: %s\n Use keyword 'set' to modify value\n",
					    where[k]);
					return 1;
				}
				ok &= acctmgr_in_list(eq + 1, qos_names[i]); /* a comma list of names */
			}
			if (ok)
				line(t, o, qos_names[i], out);
		}
		return 0;
	case ACCTMGR_TRES:
		for (size_t i = 0; i < sizeof(tres_table) / sizeof(tres_table[0]); i++) {
			const struct tres *tr = &tres_table[i];
			int ok = 1;
			for (uint32_t k = 0; k < nw; k++) {
				const char *eq = strchr(where[k], '=');
				size_t kl = eq ? (size_t)(eq - where[k]) : 0;
				char id[16];
				snprintf(id, sizeof(id), "%u", tr->id);
				const char *have = kl == 4 && strncasecmp(where[k], "type", 4) == 0 ? tr->type
				                   : kl == 4 && strncasecmp(where[k], "name", 4) == 0
				                       ? tr->name
				                   : kl == 2 && strncasecmp(where[k], "id", 2) == 0 ? id
				                                                                    : NULL;
				if (have == NULL) {
					buf_printf(err,
					    " Unknown condition: %s\n Use keyword 'set' to modify value\n",
					    where[k]);
					return 1;
				}
				ok &= acctmgr_in_list(eq + 1, have);
			}
			if (ok)
				line(t, o, tr, out);
		}
		return 0;
	default:
		buf_printf(err, " Unknown entity\n");
		return 1;
	}
}

/* SPDX-License-Identifier: MIT */
/*
 * sinfo's field table and node grouping.  Lines are built per partition
 * (in controller order) from the nodes that pass the filters; nodes go to
 * the same line when every non-aggregated printed field has the same
 * text, so "one line per partition and state" falls out of the default
 * format and other formats split exactly on what they show.
 */
#include "sinfofmt.h"

#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/xmalloc.h"
#include "conf/conf.h"
#include "hostlist/hostlist.h"
#include "proto/partflags.h"
#include "show.h"
#include "proto/states.h"
#include "timefmt/timefmt.h"

#define R(o) ((const struct sinfo_rec *)(o))
#define FIRST(r) (&(r)->all[(r)->idx[0]])

/* ---- node state classes ---- */

static int
node_busy(uint32_t s)
{
	uint32_t b = s & NODE_STATE_BASE;
	return b == NODE_STATE_ALLOCATED || b == NODE_STATE_MIXED || (s & NODE_STATE_COMPLETING);
}

static int
node_unavail(uint32_t s)
{
	uint32_t b = s & NODE_STATE_BASE;
	return b == NODE_STATE_DOWN || (s & (NODE_STATE_DRAIN | NODE_STATE_FAIL));
}

/* one state name of -t; -1 unknown */
static int
state_name_match(const char *n, size_t len, uint32_t s)
{
	static const struct {
		const char *name;
		int id;
	} names[] = {
	    {"alloc", 1},
	    {"allocated", 1},
	    {"mix", 2},
	    {"mixed", 2},
	    {"idle", 3},
	    {"down", 4},
	    {"drain", 5},
	    {"drained", 6},
	    {"draining", 7},
	    {"drng", 7},
	    {"comp", 8},
	    {"completing", 8},
	    {"fail", 9},
	    {"failing", 10},
	    {"failg", 10},
	    {"future", 11},
	    {"futr", 11},
	    {"maint", 12},
	    {"no_respond", 13},
	    {"unk", 14},
	    {"unknown", 14},
	    {"inval", 15},
	    {"invalid_reg", 15},
	    {"err", 16},
	    {"error", 16},
	    {"resv", 0},
	    {"reserved", 0},
	    {"planned", 0},
	    {"plnd", 0},
	    {"power_down", 0},
	    {"powered_down", 0},
	    {"power_up", 0},
	    {"powering_down", 0},
	    {"powering_up", 0},
	    {"pow_dn", 0},
	    {"pow_up", 0},
	    {"boot", 0},
	    {"reboot", 0},
	    {"cloud", 0},
	    {"npc", 0},
	    {"perfctrs", 0},
	};
	uint32_t b = s & NODE_STATE_BASE;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strlen(names[i].name) != len || strncasecmp(names[i].name, n, len) != 0)
			continue;
		switch (names[i].id) {
		case 1:
			return b == NODE_STATE_ALLOCATED;
		case 2:
			return b == NODE_STATE_MIXED;
		case 3:
			return b == NODE_STATE_IDLE;
		case 4:
			return b == NODE_STATE_DOWN;
		case 5:
			return (s & NODE_STATE_DRAIN) != 0;
		case 6:
			return (s & NODE_STATE_DRAIN) && !node_busy(s);
		case 7:
			return (s & NODE_STATE_DRAIN) && node_busy(s);
		case 8:
			return (s & NODE_STATE_COMPLETING) != 0;
		case 9:
			return (s & NODE_STATE_FAIL) != 0;
		case 10:
			return (s & NODE_STATE_FAIL) && node_busy(s);
		case 11:
			return b == NODE_STATE_FUTURE;
		case 12:
			return (s & NODE_STATE_MAINT) != 0;
		case 13:
			return (s & NODE_STATE_NO_RESPOND) != 0;
		case 14:
			return b == NODE_STATE_UNKNOWN;
		case 15:
			return (s & NODE_STATE_INVALID_REG) != 0;
		case 16:
			return b == NODE_STATE_ERROR;
		default:
			return 0;
		}
	}
	return -1;
}

int
sinfofmt_states_valid(const char *list, const char **bad, size_t *badlen)
{
	for (const char *p = list; *p;) {
		size_t len = strcspn(p, ",&");
		if (len > 0 && strncasecmp(p, "all", len) != 0 && state_name_match(p, len, 0) < 0) {
			*bad = p;
			*badlen = len;
			return -1;
		}
		p += len;
		if (*p)
			p++;
	}
	return 0;
}

/* "a,b" = any of; "a&b" = all of */
int
sinfofmt_state_list_match(const char *list, uint32_t s)
{
	int and_mode = strchr(list, '&') != NULL;
	int any = 0, all = 1;
	for (const char *p = list; *p;) {
		size_t len = strcspn(p, ",&");
		if (len > 0) {
			int m =
			    strncasecmp(p, "all", len) == 0 && len == 3 ? 1 : state_name_match(p, len, s) > 0;
			any |= m;
			all &= m;
		}
		p += len;
		if (*p)
			p++;
	}
	return and_mode ? all : any;
}

/* ---- getters ---- */

static void
put(struct buf *o, const char *s, const char *null_str)
{
	buf_adds(o, s != NULL ? s : null_str);
}

static int
g_part(struct buf *o, const void *r, const void *c)
{
	const struct part_info *p = R(r)->part;
	if (p == NULL) {
		buf_adds(o, "n/a");
		return 0;
	}
	put(o, p->name, "");
	if (p->flags & PART_FLAG_DEFAULT)
		buf_addc(o, '*');
	return 0;
}
static int64_t
k_part(const void *r, const void *c)
{
	return R(r)->part_idx;
}

static int
g_part_name(struct buf *o, const void *r, const void *c)
{
	put(o, R(r)->part ? R(r)->part->name : NULL, "n/a");
	return 0;
}

static int
g_avail(struct buf *o, const void *r, const void *c)
{
	const struct part_info *p = R(r)->part;
	const char *s = "n/a";
	if (p != NULL) {
		switch (p->state) {
		case PART_STATE_UP:
			s = "up";
			break;
		case PART_STATE_DOWN:
			s = "down";
			break;
		case PART_STATE_DRAIN:
			s = "drain";
			break;
		case PART_STATE_INACTIVE:
			s = "inact";
			break;
		}
	}
	buf_adds(o, s);
	return 0;
}

static void
put_minutes(struct buf *o, uint32_t min)
{
	char t[64];
	if (min == NO_VAL)
		buf_adds(o, "n/a");
	else
		buf_adds(o, fmt_time_limit(t, sizeof(t), min, 1, "infinite", "n/a"));
}

static int
g_timelimit(struct buf *o, const void *r, const void *c)
{
	if (R(r)->part == NULL)
		buf_adds(o, "n/a");
	else
		put_minutes(o, R(r)->part->max_time);
	return 0;
}
static int
g_deftime(struct buf *o, const void *r, const void *c)
{
	if (R(r)->part == NULL)
		buf_adds(o, "n/a");
	else
		put_minutes(o, R(r)->part->default_time);
	return 0;
}

static int
g_job_size(struct buf *o, const void *r, const void *c)
{
	const struct part_info *p = R(r)->part;
	if (p == NULL) {
		buf_adds(o, "n/a");
		return 0;
	}
	uint32_t lo = p->min_nodes == 0 || p->min_nodes == NO_VAL ? 1 : p->min_nodes;
	uint32_t hi = p->max_nodes;
	if (hi == INFINITE || hi == NO_VAL)
		buf_printf(o, "%u-infinite", lo);
	else if (hi == lo)
		buf_printf(o, "%u", lo);
	else
		buf_printf(o, "%u-%u", lo, hi);
	return 0;
}

static int
g_root(struct buf *o, const void *r, const void *c)
{
	const struct part_info *p = R(r)->part;
	buf_adds(o, p == NULL ? "n/a" : (p->flags & PART_FLAG_ROOT_ONLY) ? "yes" : "no");
	return 0;
}

void
sinfofmt_oversub(struct buf *o, uint32_t v)
{
	if (v & OVERSUB_EXCLUSIVE)
		buf_adds(o, "EXCLUSIVE");
	else if (v & OVERSUB_FORCE)
		buf_printf(o, "FORCE:%u", v & 0xffffU);
	else if (v & OVERSUB_YES)
		buf_printf(o, "YES:%u", v & 0xffffU);
	else
		buf_adds(o, "NO");
}

static int
g_oversub(struct buf *o, const void *r, const void *c)
{
	if (R(r)->part == NULL)
		buf_adds(o, "n/a");
	else
		sinfofmt_oversub(o, R(r)->part->oversubscribe);
	return 0;
}

static int
g_groups(struct buf *o, const void *r, const void *c)
{
	const struct part_info *p = R(r)->part;
	if (p == NULL)
		buf_adds(o, "n/a");
	else
		put(o,
		    p->allow_groups && *p->allow_groups && strcasecmp(p->allow_groups, "ALL") != 0
		        ? p->allow_groups
		        : NULL,
		    "all");
	return 0;
}

static int
g_prio_tier(struct buf *o, const void *r, const void *c)
{
	if (R(r)->part == NULL)
		buf_adds(o, "n/a");
	else
		buf_printf(o, "%u", R(r)->part->priority_tier);
	return 0;
}
static int
g_prio_factor(struct buf *o, const void *r, const void *c)
{
	if (R(r)->part == NULL)
		buf_adds(o, "n/a");
	else
		buf_printf(o, "%u", R(r)->part->priority_job_factor);
	return 0;
}

static int
g_nodes(struct buf *o, const void *r, const void *c)
{
	buf_printf(o, "%zu", R(r)->n);
	return 0;
}
static int64_t
k_nodes(const void *r, const void *c)
{
	return (int64_t)R(r)->n;
}

static int
g_state(struct buf *o, const void *r, const void *c)
{
	char t[64];
	if (R(r)->n == 0)
		buf_adds(o, "n/a");
	else
		buf_adds(o, node_state_string_compact(R(r)->state, t, sizeof(t)));
	return 0;
}
static int
g_state_long(struct buf *o, const void *r, const void *c)
{
	char t[64];
	if (R(r)->n == 0)
		buf_adds(o, "n/a");
	else
		buf_adds(o, node_state_string_sinfo_long(R(r)->state, t, sizeof(t)));
	return 0;
}
static int64_t
k_state(const void *r, const void *c)
{
	return R(r)->state;
}

static int
g_nodelist(struct buf *o, const void *r, const void *c)
{
	put(o, R(r)->nodelist, "");
	return 0;
}
/* node order of the controller (slurm.conf order), not text order:
 * node9 sorts before node10 */
static int64_t
k_nodelist(const void *r, const void *c)
{
	return R(r)->n ? (int64_t)R(r)->idx[0] : -1;
}

static int
g_hostnames(struct buf *o, const void *r, const void *c)
{
	put(o, R(r)->hostnames, "");
	return 0;
}
static int
g_addrs(struct buf *o, const void *r, const void *c)
{
	put(o, R(r)->addrs, "");
	return 0;
}

static void
put_minmax(struct buf *o, uint64_t lo, uint64_t hi)
{
	if (hi > lo)
		buf_printf(o, "%llu+", (unsigned long long)lo);
	else
		buf_printf(o, "%llu", (unsigned long long)lo);
}

#define MINMAX_GETTER(fn, kfn, lo, hi) \
	static int fn(struct buf *o, const void *r, const void *c) \
	{ \
		if (R(r)->n == 0) \
			buf_addc(o, '0'); \
		else \
			put_minmax(o, R(r)->lo, R(r)->hi); \
		return 0; \
	} \
	static int64_t kfn(const void *r, const void *c) \
	{ \
		return (int64_t)R(r)->lo; \
	}
MINMAX_GETTER(g_cpus, k_cpus, min_cpus, max_cpus)
MINMAX_GETTER(g_mem, k_mem, min_mem, max_mem)
MINMAX_GETTER(g_disk, k_disk, min_disk, max_disk)
MINMAX_GETTER(g_weight, k_weight, min_weight, max_weight)
MINMAX_GETTER(g_sockets, k_sockets, min_sockets, max_sockets)
MINMAX_GETTER(g_cores, k_cores, min_cores, max_cores)
MINMAX_GETTER(g_threads, k_threads, min_threads, max_threads)

static int
g_sct(struct buf *o, const void *r, const void *c)
{
	const struct sinfo_rec *x = R(r);
	if (x->n == 0) {
		buf_adds(o, "0:0:0");
		return 0;
	}
	put_minmax(o, x->min_sockets, x->max_sockets);
	buf_addc(o, ':');
	put_minmax(o, x->min_cores, x->max_cores);
	buf_addc(o, ':');
	put_minmax(o, x->min_threads, x->max_threads);
	return 0;
}

static int
g_load(struct buf *o, const void *r, const void *c)
{
	const struct sinfo_rec *x = R(r);
	if (x->n == 0 || x->min_load == NO_VAL) {
		buf_adds(o, "N/A");
		return 0;
	}
	if (x->max_load > x->min_load && x->max_load != NO_VAL)
		buf_printf(o, "%.2f-%.2f", x->min_load / 100.0, x->max_load / 100.0);
	else
		buf_printf(o, "%.2f", x->min_load / 100.0);
	return 0;
}

static int
g_free(struct buf *o, const void *r, const void *c)
{
	const struct sinfo_rec *x = R(r);
	if (x->n == 0 || x->min_free == NO_VAL64) {
		buf_adds(o, "N/A");
		return 0;
	}
	if (x->max_free > x->min_free && x->max_free != NO_VAL64)
		buf_printf(o, "%llu-%llu", (unsigned long long)x->min_free, (unsigned long long)x->max_free);
	else
		buf_printf(o, "%llu", (unsigned long long)x->min_free);
	return 0;
}

static int
g_features(struct buf *o, const void *r, const void *c)
{
	put(o, R(r)->n ? FIRST(R(r))->features : NULL, "(null)");
	return 0;
}
static int
g_gres(struct buf *o, const void *r, const void *c)
{
	put(o, R(r)->n ? FIRST(R(r))->gres : NULL, "(null)");
	return 0;
}
static int
g_version(struct buf *o, const void *r, const void *c)
{
	put(o, R(r)->n ? FIRST(R(r))->version : NULL, "N/A");
	return 0;
}
static int
g_arch(struct buf *o, const void *r, const void *c)
{
	put(o, R(r)->n ? FIRST(R(r))->arch : NULL, "N/A");
	return 0;
}
static int
g_os(struct buf *o, const void *r, const void *c)
{
	put(o, R(r)->n ? FIRST(R(r))->os : NULL, "N/A");
	return 0;
}

static int
g_reason(struct buf *o, const void *r, const void *c)
{
	const char *s = R(r)->n ? FIRST(R(r))->reason : NULL;
	put(o, s != NULL && *s ? s : NULL, "none");
	return 0;
}

static int
g_reason_time(struct buf *o, const void *r, const void *c)
{
	char t[64];
	int64_t when = R(r)->n ? FIRST(R(r))->reason_time : 0;
	buf_adds(o, fmt_timestamp(t, sizeof(t), when, "Unknown"));
	return 0;
}
static int64_t
k_reason_time(const void *r, const void *c)
{
	return R(r)->n ? FIRST(R(r))->reason_time : 0;
}

static int
has_reason(const struct sinfo_rec *r)
{
	return r->n && FIRST(r)->reason != NULL && *FIRST(r)->reason && FIRST(r)->reason_uid != NO_VAL;
}

static int
g_reason_user(struct buf *o, const void *r, const void *c)
{
	if (!has_reason(R(r)))
		buf_adds(o, "Unknown");
	else
		buf_adds(o, show_uid_name(FIRST(R(r))->reason_uid));
	return 0;
}
static int
g_reason_user_uid(struct buf *o, const void *r, const void *c)
{
	if (!has_reason(R(r)))
		buf_adds(o, "Unknown");
	else
		buf_printf(o, "%s(%u)", show_uid_name(FIRST(R(r))->reason_uid), FIRST(R(r))->reason_uid);
	return 0;
}

static int
g_cpus_aiot(struct buf *o, const void *r, const void *c)
{
	const struct sinfo_rec *x = R(r);
	buf_printf(o, "%llu/%llu/%llu/%llu", (unsigned long long)x->cpus_alloc,
	    (unsigned long long)x->cpus_idle, (unsigned long long)x->cpus_other,
	    (unsigned long long)x->cpus_total);
	return 0;
}
static int
g_nodes_ai(struct buf *o, const void *r, const void *c)
{
	buf_printf(o, "%u/%u", R(r)->nodes_alloc, R(r)->nodes_idle);
	return 0;
}
static int
g_nodes_aiot(struct buf *o, const void *r, const void *c)
{
	const struct sinfo_rec *x = R(r);
	buf_printf(o, "%u/%u/%u/%zu", x->nodes_alloc, x->nodes_idle, x->nodes_other, x->n);
	return 0;
}

static const struct fmt_field sinfo_fields[] = {
    {'P', "Partition", "PARTITION", FMT_PART, g_part, k_part},
    {'R', "PartitionName", "PARTITION", FMT_PART, g_part_name, k_part},
    {'a', "Available", "AVAIL", FMT_PART, g_avail, NULL},
    {'l', "Time", "TIMELIMIT", FMT_PART, g_timelimit, NULL},
    {'L', "DefaultTime", "DEFAULTTIME", FMT_PART, g_deftime, NULL},
    {'s', "Size", "JOB_SIZE", FMT_PART, g_job_size, NULL},
    {'r', "Root", "ROOT", FMT_PART, g_root, NULL},
    {'h', "OverSubscribe", "OVERSUBSCRIBE", FMT_PART, g_oversub, NULL},
    {'g', "Groups", "GROUPS", FMT_PART, g_groups, NULL},
    {'p', "PriorityTier", "PRIO_TIER", FMT_PART, g_prio_tier, NULL},
    {'S', "PriorityJobFactor", "PRIO_JOB_FACTOR", FMT_PART, g_prio_factor, NULL},
    {'D', "Nodes", "NODES", FMT_AGG, g_nodes, k_nodes},
    {'t', "StateCompact", "STATE", 0, g_state, k_state},
    {'T', "StateLong", "STATE", 0, g_state_long, k_state},
    {'N', "NodeList", "NODELIST", FMT_AGG | FMT_NOCUT, g_nodelist, k_nodelist},
    {'n', "NodeHost", "HOSTNAMES", FMT_AGG | FMT_NOCUT, g_hostnames, NULL},
    {'o', "NodeAddr", "NODE_ADDR", FMT_AGG | FMT_NOCUT, g_addrs, NULL},
    {'c', "CPUs", "CPUS", FMT_MINMAX, g_cpus, k_cpus},
    {'m', "Memory", "MEMORY", FMT_MINMAX, g_mem, k_mem},
    {'d', "Disk", "TMP_DISK", FMT_MINMAX, g_disk, k_disk},
    {'w', "Weight", "WEIGHT", FMT_MINMAX, g_weight, k_weight},
    {'z', "SocketCoreThread", "S:C:T", FMT_MINMAX, g_sct, NULL},
    {'X', "Sockets", "SOCKETS", FMT_MINMAX, g_sockets, k_sockets},
    {'Y', "Cores", "CORES", FMT_MINMAX, g_cores, k_cores},
    {'Z', "Threads", "THREADS", FMT_MINMAX, g_threads, k_threads},
    {'O', "CPUsLoad", "CPU_LOAD", FMT_MINMAX, g_load, NULL},
    {'e', "FreeMem", "FREE_MEM", FMT_MINMAX, g_free, NULL},
    {'f', "Features", "AVAIL_FEATURES", 0, g_features, NULL},
    {'b', "FeaturesAct", "ACTIVE_FEATURES", 0, g_features, NULL},
    {'G', "Gres", "GRES", 0, g_gres, NULL},
    {'E', "Reason", "REASON", 0, g_reason, NULL},
    {'H', "Timestamp", "TIMESTAMP", 0, g_reason_time, k_reason_time},
    {'u', "User", "USER", 0, g_reason_user, NULL},
    {'U', "UserLong", "USER", 0, g_reason_user_uid, NULL},
    {'C', "CPUsState", "CPUS(A/I/O/T)", FMT_AGG, g_cpus_aiot, NULL},
    {'A', "NodeAI", "NODES(A/I)", FMT_AGG, g_nodes_ai, NULL},
    {'F', "NodeAIOT", "NODES(A/I/O/T)", FMT_AGG, g_nodes_aiot, NULL},
    {'v', "Version", "VERSION", 0, g_version, NULL},
    {0, "Arch", "ARCH", 0, g_arch, NULL},
    {0, "OS", "OS", 0, g_os, NULL},
};

const struct fmt_table sinfofmt_table = {sinfo_fields, sizeof(sinfo_fields) / sizeof(sinfo_fields[0])};

/* ---- grouping ---- */

static void
rec_add(struct sinfo_rec *r, const struct node_info *all, uint32_t i)
{
	const struct node_info *nd = &all[i];
	r->idx = xreallocarray(r->idx, r->n + 1, sizeof(*r->idx));
	r->idx[r->n] = i;
	if (r->n == 0) {
		r->state = nd->state;
		r->min_cpus = r->max_cpus = nd->cpus;
		r->min_sockets = r->max_sockets = nd->sockets;
		r->min_cores = r->max_cores = nd->cores;
		r->min_threads = r->max_threads = nd->threads;
		r->min_weight = r->max_weight = nd->weight;
		r->min_load = r->max_load = nd->cpu_load;
		r->min_mem = r->max_mem = nd->real_memory;
		r->min_disk = r->max_disk = nd->tmp_disk;
		r->min_free = r->max_free = nd->free_mem;
	} else {
#define MM(lo, hi, v) \
	do { \
		if ((v) < r->lo) \
			r->lo = (v); \
		if ((v) > r->hi) \
			r->hi = (v); \
	} while (0)
		MM(min_cpus, max_cpus, nd->cpus);
		MM(min_sockets, max_sockets, nd->sockets);
		MM(min_cores, max_cores, nd->cores);
		MM(min_threads, max_threads, nd->threads);
		MM(min_weight, max_weight, nd->weight);
		MM(min_load, max_load, nd->cpu_load);
		MM(min_mem, max_mem, nd->real_memory);
		MM(min_disk, max_disk, nd->tmp_disk);
		MM(min_free, max_free, nd->free_mem);
#undef MM
	}
	r->n++;
	uint32_t alloc = nd->cpus_alloc > nd->cpus ? nd->cpus : nd->cpus_alloc;
	r->cpus_total += nd->cpus;
	r->cpus_alloc += alloc;
	if (node_unavail(nd->state)) {
		r->nodes_other++;
		r->cpus_other += nd->cpus - alloc;
	} else {
		if (node_busy(nd->state))
			r->nodes_alloc++;
		else if ((nd->state & NODE_STATE_BASE) == NODE_STATE_IDLE)
			r->nodes_idle++;
		else
			r->nodes_other++;
		if ((nd->state & NODE_STATE_BASE) == NODE_STATE_IDLE ||
		    (nd->state & NODE_STATE_BASE) == NODE_STATE_ALLOCATED ||
		    (nd->state & NODE_STATE_BASE) == NODE_STATE_MIXED)
			r->cpus_idle += nd->cpus - alloc;
		else
			r->cpus_other += nd->cpus - alloc;
	}
}

/* grouping key of one node: the text of every field that splits groups */
static void
node_key(const struct fmt_spec *spec, int exact, const struct sinfo_rec *one, struct buf *key)
{
	buf_reset(key);
	for (size_t i = 0; i < spec->n; i++) {
		const struct fmt_field *f = spec->items[i].f;
		if (f == NULL || (f->flags & FMT_AGG) || ((f->flags & FMT_MINMAX) && !exact))
			continue;
		f->get(key, one, NULL);
		buf_addc(key, '\x1f');
	}
}

static int
name_in(char **v, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (name != NULL && strcmp(v[i], name) == 0)
			return 1;
	return 0;
}

static int
node_passes(const struct node_info *nd, const struct sinfo_opts *o)
{
	if (o->hosts != NULL && (nd->name == NULL || hostlist_find(o->hosts, nd->name) < 0))
		return 0;
	if (o->states != NULL && !sinfofmt_state_list_match(o->states, nd->state))
		return 0;
	if (o->reasons && !node_unavail(nd->state))
		return 0;
	if (o->responding && (nd->state & NODE_STATE_NO_RESPOND))
		return 0;
	if (o->dead && !(nd->state & NODE_STATE_NO_RESPOND) &&
	    (nd->state & NODE_STATE_BASE) != NODE_STATE_DOWN)
		return 0;
	return 1;
}

/* does node nd belong to partition name (node_info.partitions list)? */
static int
node_in_part(const struct node_info *nd, const char *name)
{
	if (nd->partitions == NULL || name == NULL)
		return 0;
	size_t len = strlen(name);
	for (const char *p = nd->partitions; *p;) {
		size_t l = strcspn(p, ",");
		if (l == len && strncmp(p, name, len) == 0)
			return 1;
		p += l;
		if (*p)
			p++;
	}
	return 0;
}

static char *
compress_names(const struct sinfo_rec *r, int which)
{
	struct hostlist *hl = hostlist_create(NULL);
	if (hl == NULL)
		return xstrdup("");
	for (size_t i = 0; i < r->n; i++) {
		const struct node_info *nd = &r->all[r->idx[i]];
		const char *s = which == 0 ? nd->name : which == 1 ? nd->hostname : nd->addr;
		if (s == NULL || *s == '\0')
			s = nd->name;
		if (s != NULL)
			hostlist_push_host(hl, s);
	}
	if (which == 0)
		hostlist_sort(hl);
	char *s = hostlist_ranged_string(hl);
	hostlist_destroy(hl);
	return s;
}

static void
group_nodes(const struct fmt_spec *spec, const struct sinfo_opts *o, const struct part_info *part,
    int part_idx, const struct node_info *nodes, size_t nn, struct sinfo_rec **out, size_t *nout)
{
	size_t first = *nout;
	char **keys = NULL;
	struct buf key;
	buf_init(&key);
	for (size_t i = 0; i < nn; i++) {
		const struct node_info *nd = &nodes[i];
		if (part != NULL && !node_in_part(nd, part->name))
			continue;
		if (part == NULL && o->nparts > 0) {
			int in = 0;
			for (size_t k = 0; k < o->nparts && !in; k++)
				in = node_in_part(nd, o->parts[k]);
			if (!in)
				continue;
		}
		if (!node_passes(nd, o))
			continue;
		size_t g = *nout;
		if (!o->node_mode) {
			struct sinfo_rec one = {.part = part, .part_idx = part_idx, .all = nodes};
			rec_add(&one, nodes, (uint32_t)i);
			node_key(spec, o->exact, &one, &key);
			free(one.idx);
			for (g = first; g < *nout; g++)
				if (strcmp(keys[g - first], buf_str(&key)) == 0)
					break;
		}
		if (g == *nout) {
			*out = xreallocarray(*out, *nout + 1, sizeof(**out));
			struct sinfo_rec *r = &(*out)[*nout];
			memset(r, 0, sizeof(*r));
			r->part = part;
			r->part_idx = part_idx;
			r->all = nodes;
			if (!o->node_mode) {
				keys = xreallocarray(keys, *nout - first + 1, sizeof(*keys));
				keys[*nout - first] = xstrdup(buf_str(&key));
			}
			(*nout)++;
		}
		rec_add(&(*out)[g], nodes, (uint32_t)i);
	}
	for (size_t g = first; g < *nout && keys != NULL; g++)
		free(keys[g - first]);
	free(keys);
	buf_free(&key);
}

void
sinfofmt_build(const struct fmt_spec *spec, const struct node_info *nodes, size_t nn,
    const struct part_info *parts, size_t np, const struct sinfo_opts *o, struct sinfo_rec **out,
    size_t *nout)
{
	*out = NULL;
	*nout = 0;
	int filtered = o->hosts != NULL || o->states != NULL || o->reasons || o->responding || o->dead;
	if (!fmt_spec_has(spec, FMT_PART)) {
		group_nodes(spec, o, NULL, 0, nodes, nn, out, nout);
	} else {
		for (size_t p = 0; p < np; p++) {
			const struct part_info *pt = &parts[p];
			if (o->nparts > 0 && !name_in(o->parts, o->nparts, pt->name))
				continue;
			if (o->nparts == 0 && !o->all && (pt->flags & PART_FLAG_HIDDEN))
				continue;
			size_t before = *nout;
			group_nodes(spec, o, pt, (int)p, nodes, nn, out, nout);
			if (*nout == before && !filtered && !o->node_mode) {
				/* a partition without nodes still gets its line */
				*out = xreallocarray(*out, *nout + 1, sizeof(**out));
				struct sinfo_rec *r = &(*out)[*nout];
				memset(r, 0, sizeof(*r));
				r->part = pt;
				r->part_idx = (int)p;
				r->all = nodes;
				(*nout)++;
			}
		}
	}
	int need_hosts = 0, need_addrs = 0;
	for (size_t i = 0; i < spec->n; i++) {
		if (spec->items[i].f == NULL)
			continue;
		need_hosts |= spec->items[i].f->letter == 'n';
		need_addrs |= spec->items[i].f->letter == 'o';
	}
	for (size_t i = 0; i < *nout; i++) {
		struct sinfo_rec *r = &(*out)[i];
		r->nodelist = compress_names(r, 0);
		if (need_hosts)
			r->hostnames = compress_names(r, 1);
		if (need_addrs)
			r->addrs = compress_names(r, 2);
	}
}

void
sinfofmt_free(struct sinfo_rec *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].idx);
		free(v[i].nodelist);
		free(v[i].hostnames);
		free(v[i].addrs);
	}
	free(v);
}

int
sinfofmt_render(struct buf *out, struct fmt_spec *spec, const char *sort, int noheader,
    const struct node_info *nodes, size_t nn, const struct part_info *parts, size_t np,
    const struct sinfo_opts *o, char *err, size_t errlen)
{
	struct sinfo_rec *recs;
	size_t n;
	sinfofmt_build(spec, nodes, nn, parts, np, o, &recs, &n);
	const void **v = xcalloc(n ? n : 1, sizeof(*v));
	for (size_t i = 0; i < n; i++)
		v[i] = &recs[i];
	int rc = fmt_sort(&sinfofmt_table, sort, v, n, NULL, NULL, err, errlen);
	if (rc == 0) {
		fmt_fit(spec, v, n, NULL, 9);
		if (!noheader)
			fmt_header(spec, out);
		for (size_t i = 0; i < n; i++)
			fmt_row(spec, v[i], NULL, out);
	}
	free(v);
	sinfofmt_free(recs, n);
	return rc;
}

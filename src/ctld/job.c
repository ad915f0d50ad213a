/* SPDX-License-Identifier: MIT */
/*
 * herdctld job table: creation and validation of submitted jobs, lookup
 * by id (hash), the submission-ordered list, purging of old finished jobs,
 * and the job_info view sent to commands.
 */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/log.h"
#include "base/xmalloc.h"
#include "ctld.h"
#include "hostlist/hostlist.h"
#include "proto/jobflags.h"
#include "timefmt/timefmt.h"

#define PRIORITY_START 4294901759U

/* uid/gid -> name cache: getpwuid reads files on every call */
struct name_cache {
	uint32_t id;
	char *name;
};
static struct name_cache user_cache[64], group_cache[64];

static const char *
cached_name(struct name_cache *cache, uint32_t id, int is_group)
{
	struct name_cache *e = &cache[id % 64];
	if (e->name != NULL && e->id == id)
		return e->name;
	free(e->name);
	e->id = id;
	char tmp[32];
	const char *name = NULL;
	if (is_group) {
		struct group *gr = getgrgid(id);
		name = gr ? gr->gr_name : NULL;
	} else {
		struct passwd *pw = getpwuid(id);
		name = pw ? pw->pw_name : NULL;
	}
	if (name == NULL) {
		snprintf(tmp, sizeof(tmp), "%u", id);
		name = tmp;
	}
	e->name = xstrdup(name);
	return e->name;
}

int
job_is_admin(struct ctld *c, uint32_t uid)
{
	if (uid == 0 || uid == (uint32_t)getuid())
		return 1;
	if (c->conf->slurm_user != NULL && strcmp(cached_name(user_cache, uid, 0), c->conf->slurm_user) == 0)
		return 1;
	return 0;
}

void
job_table_create(struct ctld *c)
{
	c->job_hash_size = 1u << 16;
	c->job_hash = xcalloc(c->job_hash_size, sizeof(struct job *));
	c->next_job_id = c->conf->first_job_id ? c->conf->first_job_id : 1;
	c->next_priority = PRIORITY_START;
}

void
job_table_destroy(struct ctld *c)
{
	struct job *j = c->jobs_head;
	while (j != NULL) {
		struct job *next = j->next;
		job_free(j);
		j = next;
	}
	free(c->job_hash);
	c->job_hash = NULL;
	c->jobs_head = c->jobs_tail = NULL;
	for (int i = 0; i < 64; i++) {
		free(user_cache[i].name);
		free(group_cache[i].name);
		user_cache[i].name = group_cache[i].name = NULL;
	}
}

struct job *
job_find(struct ctld *c, uint32_t id)
{
	for (struct job *j = c->job_hash[id & (c->job_hash_size - 1)]; j; j = j->hnext)
		if (j->id == id)
			return j;
	return NULL;
}

void
job_insert(struct ctld *c, struct job *j)
{
	uint32_t h = j->id & (c->job_hash_size - 1);
	j->hnext = c->job_hash[h];
	c->job_hash[h] = j;
	j->prev = c->jobs_tail;
	j->next = NULL;
	if (c->jobs_tail)
		c->jobs_tail->next = j;
	else
		c->jobs_head = j;
	c->jobs_tail = j;
	c->job_count++;
	if (j->id >= c->next_job_id)
		c->next_job_id = j->id + 1;
	if (j->priority != 0 && j->priority <= c->next_priority)
		c->next_priority = j->priority - 1;
}

void
job_remove(struct ctld *c, struct job *j)
{
	struct job **pp = &c->job_hash[j->id & (c->job_hash_size - 1)];
	while (*pp && *pp != j)
		pp = &(*pp)->hnext;
	if (*pp)
		*pp = j->hnext;
	if (j->prev)
		j->prev->next = j->next;
	else
		c->jobs_head = j->next;
	if (j->next)
		j->next->prev = j->prev;
	else
		c->jobs_tail = j->prev;
	c->job_count--;
}

void
job_free(struct job *j)
{
	if (j == NULL)
		return;
	proto_destroy(&rdesc_job_desc, j->desc);
	step_free_all(j);
	if (j->alloc_conn)
		conn_alloc_ref(j->alloc_conn, -1);
	if (j->timer)
		event_free(j->timer);
	free(j->user);
	free(j->group);
	free(j->node_idx);
	free(j->node_cpus);
	free(j->nodelist);
	free(j->std_out);
	free(j->std_err);
	free(j->std_in);
	free(j->deps);
	free(j->dep_display);
	free(j->array_pending);
	free(j->array_str);
	free(j);
}

/* Expand %j %x %u %A %a %N %n %s %% and %<width><c> of an I/O pattern,
 * relative to the work dir.  A backslash disables substitution. */
static char *
job_expand_one(struct ctld *c, struct job *j, const char *pat, const char *dflt)
{
	const char *p = pat ? pat : dflt;
	if (p == NULL)
		return NULL;
	struct buf b;
	buf_init(&b);
	const char *wd = j->desc->work_dir ? j->desc->work_dir : "/";
	if (p[0] != '/') {
		buf_adds(&b, wd);
		if (b.len == 0 || b.data[b.len - 1] != '/')
			buf_addc(&b, '/');
	}
	if (strchr(p, '\\') != NULL) {
		for (; *p; p++)
			if (*p != '\\')
				buf_addc(&b, *p);
		return buf_take(&b);
	}
	for (; *p; p++) {
		if (*p != '%') {
			buf_addc(&b, *p);
			continue;
		}
		p++;
		int width = 0;
		while (*p >= '0' && *p <= '9')
			width = width * 10 + (*p++ - '0');
		if (width > 10)
			width = 10;
		switch (*p) {
		case '%':
			buf_addc(&b, '%');
			break;
		case 'j':
			buf_printf(&b, "%0*u", width, j->id);
			break;
		case 'A':
			buf_printf(&b, "%0*u", width, j->array_job_id ? j->array_job_id : j->id);
			break;
		case 'J':
			buf_printf(&b, "%0*u", width, j->id);
			break;
		case 'a':
			buf_printf(
			    &b, "%0*u", width, j->array_task_id != NO_VAL ? j->array_task_id : 4294967294U);
			break;
		case 'x':
			buf_adds(&b, j->desc->name ? j->desc->name : "");
			break;
		case 'u':
			buf_adds(&b, j->user);
			break;
		case 'N':
			if (j->node_cnt > 0)
				buf_adds(&b, c->nodes[j->node_idx[0]].cfg->name);
			else
				buf_adds(&b, "%N");
			break;
		case 'n':
		case 't':
			buf_printf(&b, "%0*u", width, 0U);
			break;
		case 's':
			buf_adds(&b, "batch");
			break;
		case '\0':
			buf_addc(&b, '%');
			p--;
			break;
		default:
			buf_addc(&b, '%');
			buf_addc(&b, *p);
		}
	}
	return buf_take(&b);
}

void
job_expand_paths(struct ctld *c, struct job *j)
{
	free(j->std_out);
	free(j->std_err);
	free(j->std_in);
	const char *dflt = j->array_job_id ? "slurm-%A_%a.out" : "slurm-%j.out";
	j->std_out = job_expand_one(c, j, j->desc->std_out, dflt);
	j->std_err = job_expand_one(c, j, j->desc->std_err ? j->desc->std_err : j->desc->std_out, dflt);
	if (j->desc->std_in == NULL)
		j->std_in = xstrdup("/dev/null");
	else
		j->std_in = job_expand_one(c, j, j->desc->std_in, NULL);
}

uint32_t
job_alloc_id(struct ctld *c)
{
	uint32_t max = c->conf->max_job_id ? c->conf->max_job_id : 67043328;
	uint32_t first = c->conf->first_job_id ? c->conf->first_job_id : 1;
	for (uint32_t tries = 0; tries < max; tries++) {
		if (c->next_job_id > max || c->next_job_id < first)
			c->next_job_id = first;
		uint32_t id = c->next_job_id++;
		if (job_find(c, id) == NULL)
			return id;
	}
	return 0;
}

/* Derive task/node/cpu counts from the request (jobs.md section 4). */
static void
job_set_counts(struct job *j)
{
	struct job_desc *d = j->desc;
	j->cpt = (d->cpus_per_task == NO_VAL || d->cpus_per_task == 0) ? 1 : d->cpus_per_task;
	j->min_nodes = (d->min_nodes == NO_VAL || d->min_nodes == 0) ? 1 : d->min_nodes;
	j->max_nodes = (d->max_nodes == NO_VAL || d->max_nodes == 0) ? INFINITE : d->max_nodes;
	if (d->ntasks != NO_VAL && d->ntasks > 0) {
		j->ntasks = d->ntasks;
		if (j->ntasks < j->min_nodes && d->min_nodes != NO_VAL)
			j->min_nodes = j->ntasks;
	} else if (d->min_nodes != NO_VAL && d->ntasks_per_node != NO_VAL && d->ntasks_per_node > 0) {
		j->ntasks = j->min_nodes * d->ntasks_per_node;
	} else {
		j->ntasks = j->min_nodes;
	}
	if (j->max_nodes != INFINITE && j->max_nodes < j->min_nodes)
		j->max_nodes = j->min_nodes;
}

int
job_submit(struct ctld *c, struct job_desc *d, uint32_t uid, uint32_t gid, struct job **out, char **why)
{
	struct herd_conf *cf = c->conf;
	int rc = 0;
	int part = cf->default_part;
	if (d->partition != NULL && *d->partition) {
		char *first = xstrdup(d->partition);
		char *comma = strchr(first, ',');
		if (comma)
			*comma = '\0';
		part = conf_part_index(cf, first);
		if (part < 0) {
			*why = xasprintf("invalid partition specified: %s", first);
			free(first);
			rc = ESLURM_INVALID_PARTITION_NAME;
			goto fail;
		}
		free(first);
	} else if (part < 0) {
		rc = ESLURM_DEFAULT_PARTITION_NOT_SET;
		goto fail;
	}
	if (c->job_count >= (cf->max_job_count ? cf->max_job_count : 10000)) {
		rc = ESLURM_REJECTED_MAX_JOBS;
		goto fail;
	}
	if (d->batch && (d->script == NULL || d->script[0] == '\0')) {
		rc = HERD_EPROTO;
		goto fail;
	}
	if ((d->min_nodes != NO_VAL && d->min_nodes == 0) ||
	    (d->max_nodes != NO_VAL && d->min_nodes != NO_VAL && d->max_nodes < d->min_nodes)) {
		rc = ESLURM_INVALID_NODE_COUNT;
		goto fail;
	}
	const struct conf_part *p = &cf->parts[part];
	const char *cons = d->constraint && *d->constraint ? d->constraint : NULL;
	if (cons != NULL) {
		/* -C: a feature no node has is invalid; one only nodes outside the
		 * partition have cannot be satisfied */
		int known = 0;
		for (uint32_t i = 0; i < c->node_cnt && !known; i++)
			known =
			    !c->nodes[i].removed && conf_constraint_match(cf->nodes[i].features, cons) == 1;
		if (!known) {
			rc = ESLURM_INVALID_FEATURE;
			goto fail;
		}
	}
	uint64_t max_mem = 0;
	uint32_t max_cpus = 0;
	uint32_t matching = 0; /* nodes of the partition with the features asked for */
	for (uint32_t i = 0; i < p->node_cnt; i++) {
		const struct conf_node *n = &cf->nodes[p->node_idx[i]];
		if (cons != NULL && conf_constraint_match(n->features, cons) != 1)
			continue;
		matching++;
		if (n->real_memory_mb > max_mem)
			max_mem = n->real_memory_mb;
		if (n->cpus > max_cpus)
			max_cpus = n->cpus;
	}
	if (cons != NULL && matching == 0) {
		rc = ESLURM_REQUESTED_NODE_CONFIG_UNAVAILABLE;
		goto fail;
	}
	if (d->mem_per_node != NO_VAL64 && d->mem_per_node != 0 && d->mem_per_node > max_mem) {
		*why = xstrdup("Memory specification can not be satisfied");
		rc = ESLURM_REQUESTED_NODE_CONFIG_UNAVAILABLE;
		goto fail;
	}
	uint32_t cpt = (d->cpus_per_task == NO_VAL || d->cpus_per_task == 0) ? 1 : d->cpus_per_task;
	uint32_t tpn = (d->ntasks_per_node == NO_VAL || d->ntasks_per_node == 0) ? 1 : d->ntasks_per_node;
	if ((uint64_t)cpt * tpn > max_cpus) {
		/* no node of the partition could hold even one task (or one node's
		 * share of tasks): it would pend forever */
		rc = ESLURM_REQUESTED_NODE_CONFIG_UNAVAILABLE;
		goto fail;
	}
	if (d->mem_per_cpu != NO_VAL64 && d->mem_per_cpu != 0 && d->mem_per_cpu * cpt > max_mem) {
		*why = xstrdup("Memory specification can not be satisfied");
		rc = ESLURM_REQUESTED_NODE_CONFIG_UNAVAILABLE;
		goto fail;
	}
	if (d->req_nodes != NULL && *d->req_nodes) {
		struct hostlist *hl = hostlist_create(d->req_nodes);
		if (hl == NULL) {
			rc = ESLURM_INVALID_NODE_NAME;
			goto fail;
		}
		for (size_t i = 0; i < hostlist_count(hl) && rc == 0; i++) {
			int idx = conf_node_index(cf, hostlist_nth(hl, i));
			if (idx < 0)
				rc = ESLURM_INVALID_NODE_NAME;
			else {
				int in = 0;
				for (uint32_t k = 0; k < p->node_cnt; k++)
					if (p->node_idx[k] == (uint32_t)idx)
						in = 1;
				if (!in)
					rc = ESLURM_REQUESTED_NODES_NOT_IN_PARTITION;
			}
		}
		hostlist_destroy(hl);
		if (rc)
			goto fail;
	}
	uint32_t limit = d->time_limit;
	if (limit == NO_VAL)
		limit = p->default_time_min != NO_VAL ? p->default_time_min : p->max_time_min;
	if (limit == 0)
		limit = INFINITE;
	if (cf->enforce_part_limits && p->max_time_min != INFINITE && limit > p->max_time_min) {
		rc = ESLURM_INVALID_TIME_LIMIT;
		goto fail;
	}

	if ((rc = assoc_job_check(c, d, uid, p->name)) != 0)
		goto fail;
	struct job *j = xcalloc(1, sizeof(*j));
	j->desc = d;
	j->id = job_alloc_id(c);
	if (j->id == 0) {
		free(j);
		rc = ESLURM_REJECTED_MAX_JOBS;
		goto fail;
	}
	j->array_task_id = NO_VAL;
	if (d->array_spec != NULL && *d->array_spec) {
		struct array_spec as;
		if (array_parse(d->array_spec, cf->max_array_size, &as) < 0) {
			free(j);
			rc = ESLURM_INVALID_ARRAY;
			goto fail;
		}
		/* every task counts toward MaxJobCount */
		if (c->job_count + as.cnt > (cf->max_job_count ? cf->max_job_count : 10000)) {
			free(as.idx);
			free(j);
			rc = ESLURM_REJECTED_MAX_JOBS;
			goto fail;
		}
		j->array_job_id = j->id;
		j->array_pending = as.idx;
		j->array_pending_cnt = as.cnt;
		j->array_throttle = as.throttle;
		j->array_count = as.cnt;
		j->array_min = as.min;
		j->array_max = as.max;
		j->array_step = as.step;
		array_refresh_str(j);
	}
	if (depend_set(j, d->dependency) < 0) {
		j->desc = NULL; /* freed below */
		job_free(j);
		rc = ESLURM_DEPENDENCY;
		goto fail;
	}
	j->uid = uid;
	j->gid = gid;
	j->user = xstrdup(cached_name(user_cache, uid, 0));
	j->group = xstrdup(cached_name(group_cache, gid, 1));
	j->part = part;
	j->time_limit = limit;
	j->state = JOB_PENDING;
	j->reason = WAIT_NO_REASON;
	int64_t now = ctld_now();
	j->submit_time = now;
	j->eligible_time = (d->begin_time > now) ? d->begin_time : now;
	j->last_sched_eval = now;
	if (d->name == NULL)
		d->name = xstrdup("sbatch");
	job_set_counts(j);
	if (d->flags & JOB_DESC_HOLD) {
		j->priority = 0;
		j->held = 1;
		j->reason = job_is_admin(c, uid) && uid != j->uid ? WAIT_HELD : WAIT_HELD_USER;
		j->eligible_time = 0;
	} else {
		j->priority = c->next_priority;
	}
	if (c->next_priority > 1)
		c->next_priority--;
	job_expand_paths(c, j);
	job_insert(c, j);
	if (state_job_new(c, j) < 0) {
		/* never say "Submitted" about a job a restart would not know */
		job_remove(c, j);
		job_free(j);
		return HERD_ESTATE;
	}
	c->last_update = now;
	log_verbose("job %u: submitted by uid %u to %s, %u tasks", j->id, uid, p->name, j->ntasks);
	*out = j;
	return 0;
fail:
	proto_destroy(&rdesc_job_desc, d);
	return rc;
}

static char *
job_tres(struct ctld *c, const struct job *j)
{
	uint32_t cpus = j->node_cnt ? j->total_cpus : j->ntasks * j->cpt;
	uint32_t nodes = j->node_cnt ? j->node_cnt : j->min_nodes;
	uint64_t mem = 0;
	if (j->desc->mem_per_node != NO_VAL64 && j->desc->mem_per_node != 0)
		mem = j->desc->mem_per_node * nodes;
	else if (j->desc->mem_per_cpu != NO_VAL64 && j->desc->mem_per_cpu != 0)
		mem = j->desc->mem_per_cpu * cpus;
	if (mem > 0) {
		char m[32];
		fmt_mem(m, sizeof(m), mem);
		return xasprintf("cpu=%u,mem=%s,node=%u,billing=%u", cpus, m, nodes, cpus);
	}
	return xasprintf("cpu=%u,node=%u,billing=%u", cpus, nodes, cpus);
}

/* Strings are borrowed from the job (valid until the job changes); only
 * tres and cpus_per_node are allocated: free them with job_info_release.
 * Squeue on thousands of jobs would otherwise copy every string twice. */
void
job_fill_info(struct ctld *c, const struct job *j, struct job_info *ji)
{
	const struct job_desc *d = j->desc;
	memset(ji, 0, sizeof(*ji));
	ji->job_id = j->id;
	ji->array_job_id = j->array_job_id;
	ji->array_task_id = j->array_task_id;
	ji->array_task_str = j->array_task_id == NO_VAL ? j->array_str : NULL;
	ji->array_max_tasks = j->array_throttle;
	ji->name = d->name;
	ji->user_name = j->user;
	ji->group_name = j->group;
	ji->uid = j->uid;
	ji->gid = j->gid;
	ji->partition = c->conf->parts[j->part].name;
	ji->account = d->account;
	ji->qos = d->qos;
	ji->comment = d->comment;
	ji->reservation = d->reservation;
	ji->wckey = d->wckey;
	ji->features = d->constraint;
	ji->state = j->state;
	ji->reason = j->reason;
	ji->dependency = j->dep_display;
	ji->priority = j->priority;
	ji->nice = d->nice;
	ji->restart_count = j->restarts;
	ji->batch_flag = d->batch ? 1 : 0;
	ji->requeue =
	    (d->flags & JOB_DESC_REQUEUE_SET) ? !!(d->flags & JOB_DESC_REQUEUE) : (c->conf->job_requeue != 0);
	ji->exit_code = j->exit_code;
	ji->derived_exit_code = 0;
	ji->time_limit = j->time_limit;
	ji->time_min = d->time_min;
	ji->submit_time = j->submit_time;
	ji->eligible_time = j->eligible_time;
	ji->accrue_time = j->held ? 0 : j->eligible_time;
	ji->start_time = j->start_time;
	ji->end_time = j->end_time;
	ji->last_sched_eval = j->last_sched_eval;
	ji->now = ctld_now();
	ji->alloc_node = d->alloc_node;
	ji->alloc_sid = d->alloc_sid;
	ji->req_nodes = d->req_nodes;
	ji->exc_nodes = d->exc_nodes;
	ji->nodes = j->nodelist;
	if (j->node_cnt > 0)
		ji->batch_host = c->nodes[j->node_idx[0]].cfg->name;
	ji->num_nodes = j->node_cnt ? j->node_cnt : j->min_nodes;
	ji->max_nodes = j->max_nodes == INFINITE ? 0 : j->max_nodes;
	ji->num_cpus = j->node_cnt ? j->total_cpus : j->ntasks * j->cpt;
	ji->num_tasks = j->ntasks;
	ji->cpus_per_task = j->cpt;
	ji->ntasks_per_node = d->ntasks_per_node;
	ji->pn_min_cpus = j->cpt;
	ji->mem_per_node = d->mem_per_node;
	ji->mem_per_cpu = d->mem_per_cpu;
	ji->tres = job_tres(c, j);
	if (j->node_cnt > 0)
		ji->cpus_per_node = fmt_compressed_counts(j->node_cpus, j->node_cnt);
	ji->command = d->command;
	ji->work_dir = d->work_dir;
	ji->std_out = j->std_out;
	ji->std_err = j->std_err;
	ji->std_in = j->std_in;
	ji->oversubscribe = c->conf->parts[j->part].oversubscribe;
	ji->flags = d->flags;
	ji->requid = j->requid;
	ji->sched_flags = 0;
}

void
job_info_release(struct job_info *ji)
{
	free(ji->tres);
	free(ji->cpus_per_node);
	ji->tres = ji->cpus_per_node = NULL;
}

void
job_purge_old(struct ctld *c)
{
	uint32_t age = c->conf->min_job_age;
	if (age == 0)
		return;
	int64_t now = ctld_now();
	struct job *j = c->jobs_head;
	while (j != NULL) {
		struct job *next = j->next;
		if (job_state_is_finished(j->state) && !(j->state & JOB_COMPLETING) &&
		    j->end_time + (int64_t)age <= now) {
			state_job_purge(c, j);
			job_remove(c, j);
			job_free(j);
			c->last_update = now;
		}
		j = next;
	}
}

/* --- state save support ------------------------------------------------- */

struct job *job_restore(struct ctld *c, struct job_desc *desc, struct job_state *st);
void job_apply_state(struct ctld *c, struct job *j, struct job_state *st);
void job_to_state(struct ctld *c, const struct job *j, struct job_state *st);

void
job_to_state(struct ctld *c, const struct job *j, struct job_state *st)
{
	memset(st, 0, sizeof(*st));
	st->job_id = j->id;
	st->uid = j->uid;
	st->gid = j->gid;
	st->state = j->state;
	st->reason = j->reason;
	st->priority = j->priority;
	st->exit_code = j->exit_code;
	st->requid = j->requid;
	st->restarts = j->restarts;
	st->time_limit = j->time_limit;
	st->submit_time = j->submit_time;
	st->eligible_time = j->eligible_time;
	st->start_time = j->start_time;
	st->end_time = j->end_time;
	st->partition = xstrdup(c->conf->parts[j->part].name);
	if (j->node_cnt > 0) {
		struct buf b;
		buf_init(&b);
		for (uint32_t k = 0; k < j->node_cnt; k++) {
			if (k)
				buf_addc(&b, ',');
			buf_adds(&b, c->nodes[j->node_idx[k]].cfg->name);
		}
		st->nodes = buf_take(&b);
		for (uint32_t k = 0; k < j->node_cnt; k++) {
			if (k)
				buf_addc(&b, ',');
			buf_printf(&b, "%u", j->node_cpus[k]);
		}
		st->node_cpus = buf_take(&b);
		buf_free(&b);
	}
	st->released = j->released;
	st->dependency = xstrdup(j->dep_display);
	st->array_job_id = j->array_job_id;
	st->array_task_id = j->array_task_id;
	st->array_pending = xstrdup(j->array_str);
	st->array_throttle = j->array_throttle;
	st->array_count = j->array_count;
	st->array_min = j->array_min;
	st->array_max = j->array_max;
	st->array_step = j->array_step;
	st->next_step_id = j->next_step_id;
	step_to_records(j, &st->steps, &st->steps_cnt);
}

/* Forget the job's allocation (the nodes must already have it back). */
void
job_clear_alloc(struct job *j)
{
	free(j->node_idx);
	free(j->node_cpus);
	free(j->nodelist);
	j->node_idx = NULL;
	j->node_cpus = NULL;
	j->nodelist = NULL;
	j->node_cnt = 0;
	j->total_cpus = 0;
	j->released = 0;
}

void
job_apply_state(struct ctld *c, struct job *j, struct job_state *st)
{
	j->state = st->state;
	j->reason = st->reason;
	j->priority = st->priority;
	j->exit_code = st->exit_code;
	j->requid = st->requid;
	j->restarts = st->restarts;
	j->time_limit = st->time_limit;
	j->submit_time = st->submit_time;
	j->eligible_time = st->eligible_time;
	j->start_time = st->start_time;
	j->end_time = st->end_time;
	j->held = (j->state & JOB_STATE_BASE) == JOB_PENDING && j->priority == 0;
	j->array_job_id = st->array_job_id;
	j->array_task_id = st->array_task_id;
	j->array_throttle = st->array_throttle;
	j->array_count = st->array_count;
	j->array_min = st->array_min;
	j->array_max = st->array_max;
	j->array_step = st->array_step;
	j->next_step_id = st->next_step_id;
	free(j->array_pending);
	j->array_pending = NULL;
	j->array_pending_cnt = 0;
	struct array_spec as;
	if (st->array_pending != NULL && array_parse(st->array_pending, 4000001, &as) == 0) {
		j->array_pending = as.idx;
		j->array_pending_cnt = as.cnt;
	}
	array_refresh_str(j);
	if (depend_set(j, st->dependency) < 0)
		log_warnx("job %u: saved dependency '%s' unreadable, dropped", j->id, st->dependency);
	int p = st->partition ? conf_part_index(c->conf, st->partition) : -1;
	if (p >= 0)
		j->part = p;
	job_clear_alloc(j);
	if (st->nodes != NULL && *st->nodes) {
		struct hostlist *hl = hostlist_create(st->nodes);
		size_t n = hl ? hostlist_count(hl) : 0;
		j->node_idx = xcalloc(n ? n : 1, sizeof(uint32_t));
		j->node_cpus = xcalloc(n ? n : 1, sizeof(uint32_t));
		const char **names = xcalloc(n ? n : 1, sizeof(char *));
		const char *cp = st->node_cpus ? st->node_cpus : "";
		for (size_t k = 0; k < n; k++) {
			int idx = conf_node_index(c->conf, hostlist_nth(hl, k));
			char *end;
			unsigned long v = strtoul(cp, &end, 10);
			cp = *end == ',' ? end + 1 : end;
			if (idx < 0)
				continue;
			j->node_idx[j->node_cnt] = (uint32_t)idx;
			j->node_cpus[j->node_cnt] = (uint32_t)v;
			names[j->node_cnt] = c->conf->nodes[idx].name;
			j->total_cpus += (uint32_t)v;
			j->node_cnt++;
		}
		j->nodelist = hostlist_compress(names, j->node_cnt);
		free(names);
		hostlist_destroy(hl);
		j->released = st->released ? 1 : 0;
	}
	step_from_records(c, j, st->steps, st->steps_cnt);
}

struct job *
job_restore(struct ctld *c, struct job_desc *desc, struct job_state *st)
{
	struct job *j = xcalloc(1, sizeof(*j));
	j->desc = desc;
	j->id = st->job_id;
	j->uid = st->uid;
	j->gid = st->gid;
	j->user = xstrdup(cached_name(user_cache, j->uid, 0));
	j->group = xstrdup(cached_name(group_cache, j->gid, 1));
	j->part = c->conf->default_part >= 0 ? c->conf->default_part : 0;
	job_set_counts(j);
	job_apply_state(c, j, st);
	if (c->conf->part_cnt == 0) {
		job_free(j);
		return NULL;
	}
	job_expand_paths(c, j);
	return j;
}

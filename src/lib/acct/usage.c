/* SPDX-License-Identifier: MIT */
/*
 * Step usage across nodes (usage.h).
 */
#include "usage.h"

#include <stdlib.h>

#include "base/xmalloc.h"

#define USAGE_COPY(S, KIND, SUB, NAME) dst->NAME = src->NAME;

static char *
name_copy(const char *s, int dup)
{
	return dup ? (s ? xstrdup(s) : NULL) : (char *)s;
}

void
usage_copy(struct acct_step *dst, const struct acct_step *src, int dup)
{
	dst->user_cpu_us = src->user_cpu_us;
	dst->sys_cpu_us = src->sys_cpu_us;
	dst->max_rss_kb = src->max_rss_kb;
	dst->ave_rss_kb = src->ave_rss_kb;
	dst->max_vmsize_kb = src->max_vmsize_kb;
	USAGE_FIELDS(USAGE_COPY, _)
	dst->max_rss_node = name_copy(src->max_rss_node, dup);
	dst->max_vmsize_node = name_copy(src->max_vmsize_node, dup);
	dst->max_disk_read_node = name_copy(src->max_disk_read_node, dup);
	dst->max_disk_write_node = name_copy(src->max_disk_write_node, dup);
	dst->min_cpu_node = name_copy(src->min_cpu_node, dup);
}

void
usage_from_complete(struct acct_step *dst, const struct job_complete *src)
{
	dst->user_cpu_us = src->user_cpu_us;
	dst->sys_cpu_us = src->sys_cpu_us;
	dst->max_rss_kb = src->max_rss_kb;
	dst->ave_rss_kb = src->ave_rss_kb;
	dst->max_vmsize_kb = src->max_vmsize_kb;
	USAGE_FIELDS(USAGE_COPY, _)
	dst->max_rss_node = dst->max_vmsize_node = dst->max_disk_read_node = dst->max_disk_write_node =
	    dst->min_cpu_node = NULL;
	usage_set_node(dst, src->node_name);
}

void
usage_set_node(struct acct_step *s, char *node)
{
	if (s->usage_tasks == 0)
		return;
	s->max_rss_node = s->max_vmsize_node = s->max_disk_read_node = s->max_disk_write_node =
	    s->min_cpu_node = node;
}

void
usage_free_nodes(struct acct_step *s)
{
	free(s->max_rss_node);
	free(s->max_vmsize_node);
	free(s->max_disk_read_node);
	free(s->max_disk_write_node);
	free(s->min_cpu_node);
	s->max_rss_node = s->max_vmsize_node = s->max_disk_read_node = s->max_disk_write_node =
	    s->min_cpu_node = NULL;
}

/* the maximum (or with min set, the minimum) so far and where it was */
static void
take(uint64_t *v, uint32_t *task, char **node, uint64_t ov, uint32_t otask, const char *onode, int min)
{
	int better = *node == NULL || (min ? ov < *v : ov > *v);
	if (!better)
		return;
	*v = ov;
	*task = otask;
	free(*node);
	*node = onode ? xstrdup(onode) : NULL;
}

static uint64_t
weighted(uint64_t a, uint32_t na, uint64_t b, uint32_t nb)
{
	uint64_t n = (uint64_t)na + nb;
	return n ? (uint64_t)(((long double)a * na + (long double)b * nb) / n) : 0;
}

void
usage_merge(struct acct_step *into, const struct acct_step *one)
{
	into->user_cpu_us += one->user_cpu_us;
	into->sys_cpu_us += one->sys_cpu_us;
	if (one->usage_tasks == 0) {
		/* no per-task figures: the maxima only */
		if (one->max_rss_kb > into->max_rss_kb)
			into->max_rss_kb = one->max_rss_kb;
		if (one->max_vmsize_kb > into->max_vmsize_kb)
			into->max_vmsize_kb = one->max_vmsize_kb;
		if (one->ave_rss_kb > into->ave_rss_kb)
			into->ave_rss_kb = one->ave_rss_kb;
		return;
	}
	uint32_t a = into->usage_tasks, b = one->usage_tasks;
	take(&into->max_rss_kb, &into->max_rss_task, &into->max_rss_node, one->max_rss_kb, one->max_rss_task,
	    one->max_rss_node, 0);
	take(&into->max_vmsize_kb, &into->max_vmsize_task, &into->max_vmsize_node, one->max_vmsize_kb,
	    one->max_vmsize_task, one->max_vmsize_node, 0);
	take(&into->max_disk_read, &into->max_disk_read_task, &into->max_disk_read_node, one->max_disk_read,
	    one->max_disk_read_task, one->max_disk_read_node, 0);
	take(&into->max_disk_write, &into->max_disk_write_task, &into->max_disk_write_node,
	    one->max_disk_write, one->max_disk_write_task, one->max_disk_write_node, 0);
	take(&into->min_cpu_us, &into->min_cpu_task, &into->min_cpu_node, one->min_cpu_us, one->min_cpu_task,
	    one->min_cpu_node, 1);
	into->ave_rss_kb = weighted(into->ave_rss_kb, a, one->ave_rss_kb, b);
	into->ave_vmsize_kb = weighted(into->ave_vmsize_kb, a, one->ave_vmsize_kb, b);
	into->ave_disk_read = weighted(into->ave_disk_read, a, one->ave_disk_read, b);
	into->ave_disk_write = weighted(into->ave_disk_write, a, one->ave_disk_write, b);
	into->ave_cpu_us = weighted(into->ave_cpu_us, a, one->ave_cpu_us, b);
	into->usage_tasks = a + b;
}

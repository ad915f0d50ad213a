/* SPDX-License-Identifier: MIT */
/*
 * Step task layout (jobs.md section 4): block deals counts round-robin and
 * then numbers the tasks node by node; cyclic gives rank r to the next
 * node with a free slot; plane deals blocks of consecutive ranks; pack
 * fills each node before the next.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/xmalloc.h"
#include "layout.h"
#include "proto/stepflags.h"

static uint32_t
cap_of(const uint32_t *slots, uint32_t k, uint32_t max_per_node)
{
	uint32_t c = slots[k];
	if (max_per_node && c > max_per_node)
		c = max_per_node;
	return c;
}

/* next node (from *k on, wrapping) with a free slot; all full: plain
 * round-robin */
static uint32_t
next_node(uint32_t nnodes, const uint32_t *cnt, const uint32_t *slots, uint32_t max_per_node, uint32_t k)
{
	for (uint32_t i = 0; i < nnodes; i++) {
		uint32_t n = (k + i) % nnodes;
		if (cnt[n] < cap_of(slots, n, max_per_node))
			return n;
	}
	return k % nnodes;
}

int
layout_tasks(uint32_t nnodes, const uint32_t *slots, uint32_t ntasks, uint32_t max_per_node, uint32_t dist,
    uint32_t plane, uint32_t *cnt, uint32_t **tids)
{
	if (nnodes == 0 || ntasks == 0) {
		errno = EINVAL;
		return -1;
	}
	uint32_t base = dist & 0xffU;
	int pack = (dist & STEP_DIST_PACK) != 0;
	if (base == STEP_DIST_DEFAULT)
		base = ntasks > nnodes ? STEP_DIST_BLOCK : STEP_DIST_CYCLIC;
	if (base == STEP_DIST_PLANE && plane == 0)
		plane = 1;
	memset(cnt, 0, nnodes * sizeof(uint32_t));
	uint32_t *node_of = xcalloc(ntasks, sizeof(uint32_t));
	if (base == STEP_DIST_BLOCK || base == STEP_DIST_ARBITRARY) {
		if (pack) {
			uint32_t left = ntasks;
			for (uint32_t k = 0; k < nnodes && left; k++) {
				uint32_t c = cap_of(slots, k, max_per_node);
				c = c < left ? c : left;
				cnt[k] = c;
				left -= c;
			}
			for (uint32_t k = 0; left; k = (k + 1) % nnodes, left--)
				cnt[k]++;
		} else {
			uint32_t k = 0;
			for (uint32_t r = 0; r < ntasks; r++) {
				uint32_t n = next_node(nnodes, cnt, slots, max_per_node, k);
				cnt[n]++;
				k = n + 1;
			}
		}
		uint32_t r = 0;
		for (uint32_t k = 0; k < nnodes; k++)
			for (uint32_t i = 0; i < cnt[k]; i++)
				node_of[r++] = k;
	} else if (base == STEP_DIST_CYCLIC) {
		uint32_t k = 0;
		for (uint32_t r = 0; r < ntasks; r++) {
			uint32_t n = next_node(nnodes, cnt, slots, max_per_node, k);
			node_of[r] = n;
			cnt[n]++;
			k = n + 1;
		}
	} else { /* plane */
		uint32_t k = 0;
		for (uint32_t r = 0; r < ntasks; r += plane) {
			uint32_t n = k % nnodes;
			for (uint32_t i = 0; i < plane && r + i < ntasks; i++) {
				node_of[r + i] = n;
				cnt[n]++;
			}
			k++;
		}
	}
	uint32_t *fill = xcalloc(nnodes, sizeof(uint32_t));
	for (uint32_t k = 0; k < nnodes; k++)
		tids[k] = xcalloc(cnt[k] ? cnt[k] : 1, sizeof(uint32_t));
	for (uint32_t r = 0; r < ntasks; r++) {
		uint32_t n = node_of[r];
		tids[n][fill[n]++] = r;
	}
	free(fill);
	free(node_of);
	return 0;
}

char *
layout_gtids(const uint32_t *tids, uint32_t n)
{
	struct buf b;
	buf_init(&b);
	for (uint32_t i = 0; i < n; i++)
		buf_printf(&b, "%s%u", i ? "," : "", tids[i]);
	return buf_take(&b);
}

int
layout_parse_gtids(const char *s, uint32_t *out, uint32_t max)
{
	uint32_t n = 0;
	if (s == NULL || *s == '\0')
		return 0;
	while (*s) {
		char *end;
		errno = 0;
		unsigned long v = strtoul(s, &end, 10);
		if (end == s || errno || v > 0xfffffff0UL || n >= max)
			return -1;
		out[n++] = (uint32_t)v;
		if (*end == ',')
			end++;
		else if (*end != '\0')
			return -1;
		s = end;
	}
	return (int)n;
}

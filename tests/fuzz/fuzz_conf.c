/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: slurm.conf parsing from a string (conf_load_string), the
 * whole pipeline from line syntax to records and the show list; then a
 * dynamic node with the first NodeSet's feature joins and leaves the
 * partitions.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/xmalloc.h"
#include "conf/conf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* every partition lists valid nodes, in node order, each once */
static void
check_parts(const struct herd_conf *c)
{
	for (uint32_t p = 0; p < c->part_cnt; p++)
		for (uint32_t i = 0; i < c->parts[p].node_cnt; i++)
			if (c->parts[p].node_idx[i] >= c->node_cnt ||
			    (i > 0 && c->parts[p].node_idx[i] <= c->parts[p].node_idx[i - 1]))
				abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 65536)
		return 0;
	char *s = malloc(size + 1);
	memcpy(s, data, size);
	s[size] = '\0';
	char err[256];
	struct herd_conf *c = conf_load_string(s, "slurm.conf", err, sizeof(err));
	if (c != NULL) {
		check_parts(c);
		for (uint32_t i = 0; i < c->node_cnt; i++)
			if (conf_node_index(c, c->nodes[i].name) != (int)i)
				abort();
		const char *f = c->nodeset_cnt && c->nodesets[0].feature ? c->nodesets[0].feature : "x";
		char *spec = xasprintf("CPUs=2 Feature=%s", f);
		int idx = conf_node_add(c, "fuzz-dyn-node", spec, err, sizeof(err));
		free(spec);
		if (idx >= 0) {
			check_parts(c);
			conf_node_leave_parts(c, (uint32_t)idx);
			conf_node_join_parts(c, (uint32_t)idx);
			check_parts(c);
		}
		conf_destroy(c);
	} else if (memchr(err, '\0', sizeof(err)) == NULL) {
		abort();
	}
	free(s);
	return 0;
}

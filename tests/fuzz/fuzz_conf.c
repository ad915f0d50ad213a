/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: slurm.conf parsing from a string (conf_load_string), the
 * whole pipeline from line syntax to records and the show list.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "conf/conf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

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
		/* every partition index is a valid node */
		for (uint32_t p = 0; p < c->part_cnt; p++)
			for (uint32_t i = 0; i < c->parts[p].node_cnt; i++)
				if (c->parts[p].node_idx[i] >= c->node_cnt)
					abort();
		for (uint32_t i = 0; i < c->node_cnt; i++)
			if (conf_node_index(c, c->nodes[i].name) != (int)i)
				abort();
		conf_destroy(c);
	} else if (memchr(err, '\0', sizeof(err)) == NULL) {
		abort();
	}
	free(s);
	return 0;
}

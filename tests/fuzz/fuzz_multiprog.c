/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: srun --multi-prog files (read by every node of a step) and
 * the task lists of a step launch.  A found command is a NULL-terminated
 * list of argc words.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "layout/layout.h"
#include "layout/multiprog.h"
#include "proto/proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 8192)
		return 0;
	char *s = malloc(size + 1);
	memcpy(s, data, size);
	s[size] = '\0';
	for (uint32_t rank = 0; rank < 8; rank++) {
		uint32_t n = 0;
		char err[256];
		char **v = multiprog_argv(s, rank * 37, &n, err, sizeof(err));
		if (v != NULL) {
			if (n == 0 || v[n] != NULL)
				abort();
			strv_free(v, n);
		} else if (err[0] == '\0') {
			abort();
		}
	}
	uint32_t ids[64];
	int k = layout_parse_gtids(s, ids, 64);
	if (k > 64)
		abort();
	free(s);
	return 0;
}

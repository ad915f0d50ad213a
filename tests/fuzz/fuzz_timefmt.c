/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: every parser of timefmt (time limits, absolute times,
 * memory sizes) and the formatters fed with what they accepted.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "timefmt/timefmt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 1024)
		return 0;
	char *s = malloc(size + 1);
	memcpy(s, data, size);
	s[size] = '\0';
	char buf[128];

	uint32_t min;
	if (time_limit_parse(s, &min) == 0) {
		fmt_time_limit(buf, sizeof(buf), min, 0, "UNLIMITED", "NONE");
		uint32_t back;
		if (time_limit_parse(buf, &back) != 0 || back != min)
			abort();
		fmt_time_limit(buf, sizeof(buf), min, 1, "infinite", "N/A");
	}
	int64_t t;
	if (time_abs_parse(s, 1700000000, &t) == 0)
		fmt_timestamp(buf, sizeof(buf), t, "Unknown");
	uint64_t mb;
	if (mem_size_parse(s, &mb) == 0)
		fmt_mem(buf, sizeof(buf), mb);

	/* the bytes as numbers for the formatters */
	if (size >= 8) {
		int64_t v;
		memcpy(&v, data, sizeof(v));
		fmt_duration_long(buf, sizeof(buf), v);
		fmt_duration_short(buf, sizeof(buf), v);
		fmt_timestamp(buf, sizeof(buf), v, "N/A");
		fmt_mem(buf, sizeof(buf), (uint64_t)v);
	}
	uint32_t counts[64];
	size_t n = size / 4 < 64 ? size / 4 : 64;
	for (size_t i = 0; i < n; i++)
		counts[i] = data[i * 4] % 3;
	free(fmt_compressed_counts(counts, n));
	free(s);
	return 0;
}

/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: hostlist expansion, compression and sorting.  Checks that
 * every compressed expression expands back to the same names.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hostlist/hostlist.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_roundtrip(const struct hostlist *hl)
{
	char *s = hostlist_ranged_string(hl);
	struct hostlist *back = hostlist_create(s);
	if (back == NULL)
		abort();
	if (hostlist_count(back) != hostlist_count(hl))
		abort();
	for (size_t i = 0; i < hostlist_count(hl); i++)
		if (strcmp(hostlist_nth(back, i), hostlist_nth(hl, i)) != 0)
			abort();
	hostlist_destroy(back);
	free(s);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 4096)
		return 0;
	char *s = malloc(size + 1);
	memcpy(s, data, size);
	s[size] = '\0';
	struct hostlist *hl = hostlist_create(s);
	if (hl != NULL && hostlist_count(hl) <= 100000) {
		check_roundtrip(hl);
		hostlist_sort(hl);
		check_roundtrip(hl);
		hostlist_uniq(hl);
		check_roundtrip(hl);
		if (hostlist_count(hl) > 0)
			(void)hostlist_find(hl, hostlist_nth(hl, hostlist_count(hl) - 1));
	}
	hostlist_destroy(hl);
	free(s);
	return 0;
}

/* SPDX-License-Identifier: MIT */
/*
 * Hostlist expressions (config.md section 6): expand "n[01-04],login" into
 * names and compress names back into the shortest expression.
 */
#ifndef HERD_HOSTLIST_H
#define HERD_HOSTLIST_H

#include <stddef.h>

/* Expansion guard: an expression naming more hosts than this is invalid. */
#define HOSTLIST_MAX_HOSTS (1u << 20)

struct hostlist;

/* Parse expr (NULL or "" gives an empty list).  NULL with errno EINVAL for
 * a malformed expression (text after the last ']', empty brackets,
 * non-numeric or descending ranges, unbalanced brackets, too many hosts). */
struct hostlist *hostlist_create(const char *expr);
void hostlist_destroy(struct hostlist *hl); /* NULL ok */
size_t hostlist_count(const struct hostlist *hl);
const char *hostlist_nth(const struct hostlist *hl, size_t i); /* borrowed */
void hostlist_push_host(struct hostlist *hl, const char *name);
int hostlist_push(struct hostlist *hl, const char *expr); /* -1/EINVAL, hl unchanged */
int hostlist_find(const struct hostlist *hl, const char *name); /* index or -1 */
/* Compressed expression in the list's order; caller frees. */
char *hostlist_ranged_string(const struct hostlist *hl);
/* Sort by prefix, then number (hostlistsorted). */
void hostlist_sort(struct hostlist *hl);
/* Remove duplicates, keeping first occurrences. */
void hostlist_uniq(struct hostlist *hl);

/* Compress an array of names (in the given order); caller frees. */
char *hostlist_compress(const char *const *names, size_t n);

#endif

/* SPDX-License-Identifier: MIT */
/*
 * srun --multi-prog configuration files (multiprog.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/xmalloc.h"
#include "multiprog.h"

/* Does list ("*", "0,2-3") hold rank?  -1 malformed; else 1/0, and the
 * offset of rank within the list in *off. */
static int
ranks_hold(const char *list, uint32_t rank, uint32_t *off)
{
	if (strcmp(list, "*") == 0) {
		*off = rank;
		return 1;
	}
	uint32_t seen = 0;
	const char *p = list;
	while (*p) {
		char *end;
		unsigned long a = strtoul(p, &end, 10), b;
		if (end == p)
			return -1;
		b = a;
		if (*end == '-') {
			p = end + 1;
			b = strtoul(p, &end, 10);
			if (end == p || b < a)
				return -1;
		}
		if (rank >= a && rank <= b) {
			*off = seen + (uint32_t)(rank - a);
			return 1;
		}
		seen += (uint32_t)(b - a + 1);
		if (*end == ',')
			end++;
		else if (*end != '\0')
			return -1;
		p = end;
	}
	return 0;
}

/* Split line into words, quotes removed, %t/%o expanded. */
static char **
split_words(const char *p, uint32_t rank, uint32_t off, uint32_t *n)
{
	char **v = NULL;
	*n = 0;
	for (;;) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '\0' || *p == '#')
			break;
		struct buf w;
		buf_init(&w);
		char q = 0;
		for (; *p && (q || (*p != ' ' && *p != '\t')); p++) {
			if (q && *p == q) {
				q = 0;
			} else if (!q && (*p == '\'' || *p == '"')) {
				q = *p;
			} else if (*p == '%' && (p[1] == 't' || p[1] == 'o')) {
				buf_printf(&w, "%u", p[1] == 't' ? rank : off);
				p++;
			} else {
				buf_addc(&w, *p);
			}
		}
		v = xreallocarray(v, *n + 2, sizeof(char *));
		v[(*n)++] = buf_take(&w);
		v[*n] = NULL;
	}
	return v;
}

char **
multiprog_argv(const char *text, uint32_t rank, uint32_t *argc, char *err, size_t errlen)
{
	const char *line = text;
	unsigned lineno = 0;
	while (line && *line) {
		lineno++;
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);
		char *l = xstrndup(line, len);
		line = nl ? nl + 1 : NULL;
		char *s = l;
		while (*s == ' ' || *s == '\t')
			s++;
		if (*s == '\0' || *s == '#') {
			free(l);
			continue;
		}
		char *sp = s + strcspn(s, " \t");
		if (*sp == '\0') {
			snprintf(err, errlen, "line %u of the multi-prog file has no program", lineno);
			free(l);
			return NULL;
		}
		*sp = '\0';
		uint32_t off = 0;
		int h = ranks_hold(s, rank, &off);
		if (h < 0) {
			snprintf(err, errlen, "line %u of the multi-prog file: invalid task range '%s'",
			    lineno, s);
			free(l);
			return NULL;
		}
		if (h == 1) {
			char **v = split_words(sp + 1, rank, off, argc);
			free(l);
			if (*argc == 0) {
				free(v);
				snprintf(
				    err, errlen, "line %u of the multi-prog file has no program", lineno);
				return NULL;
			}
			return v;
		}
		free(l);
	}
	snprintf(err, errlen, "No executable program specified for this task (%u)", rank);
	return NULL;
}

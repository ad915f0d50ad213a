/* SPDX-License-Identifier: MIT */
/*
 * --export and --export-file: choose the variables of the submitting
 * environment that the job starts with.  Only string work; the file of
 * --export-file is read only when that option is given.
 */
#include "jobenv.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/xmalloc.h"
#include "proto/proto.h"

int
jobenv_valid_name(const char *s, size_t len)
{
	if (len == 0 || isdigit((unsigned char)s[0]))
		return 0;
	for (size_t i = 0; i < len; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '_')
			return 0;
	return 1;
}

static const char *
env_get(char *const *envp, const char *name, size_t n)
{
	for (size_t i = 0; envp != NULL && envp[i] != NULL; i++)
		if (strncmp(envp[i], name, n) == 0 && envp[i][n] == '=')
			return envp[i] + n + 1;
	return NULL;
}

/* set NAME=value where entry is "NAME=value" */
static void
set_entry(char ***env, uint32_t *cnt, const char *entry)
{
	const char *eq = strchr(entry, '=');
	if (eq == NULL || eq == entry)
		return;
	char *name = xstrndup(entry, (size_t)(eq - entry));
	strv_setenv(env, cnt, name, eq + 1);
	free(name);
}

static void
add_base(char *const *envp, int all, char ***env, uint32_t *cnt)
{
	for (size_t i = 0; envp != NULL && envp[i] != NULL; i++) {
		if (strchr(envp[i], '=') == NULL)
			continue;
		if (all || strncmp(envp[i], "SLURM_", 6) == 0)
			set_entry(env, cnt, envp[i]);
	}
}

static int
add_export_file(const char *file, char ***env, uint32_t *cnt, char *err, size_t errlen)
{
	int fd, own = 1;
	char *end;
	long n = strtol(file, &end, 10);
	if (*file != '\0' && *end == '\0' && n >= 3 && n <= 65535) {
		fd = (int)n;
		own = 0;
	} else {
		fd = open(file, O_RDONLY | O_CLOEXEC);
	}
	struct buf b;
	buf_init(&b);
	if (fd < 0 || buf_read_fd(&b, fd, 64U << 20) < 0) {
		snprintf(err, errlen, "Unable to read --export-file %s: %s", file, strerror(errno));
		if (fd >= 0 && own)
			close(fd);
		buf_free(&b);
		return -1;
	}
	if (own)
		close(fd);
	/* entries separated by NUL (env -0) when there is one, else newlines */
	char sep = memchr(b.data, '\0', b.len) != NULL ? '\0' : '\n';
	const char *p = buf_str(&b);
	const char *stop = b.data + b.len;
	while (p < stop) {
		const char *e = memchr(p, sep, (size_t)(stop - p));
		if (e == NULL)
			e = stop;
		char *item = xstrndup(p, (size_t)(e - p));
		const char *eq = strchr(item, '=');
		if (eq != NULL && jobenv_valid_name(item, (size_t)(eq - item)))
			set_entry(env, cnt, item);
		free(item);
		p = e + 1;
	}
	buf_free(&b);
	return 0;
}

int
jobenv_build(const char *spec, const char *export_file, char *const *envp, char ***env, uint32_t *cnt,
    char *err, size_t errlen)
{
	if (spec == NULL || strcasecmp(spec, "ALL") == 0) {
		add_base(envp, 1, env, cnt);
	} else if (strcasecmp(spec, "NONE") == 0) {
		add_base(envp, 0, env, cnt);
	} else {
		/* first pass: the base (ALL anywhere in the list) */
		int all = 0;
		char *copy = xstrdup(spec);
		for (char *save = NULL, *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save))
			if (strcasecmp(t, "ALL") == 0)
				all = 1;
		free(copy);
		add_base(envp, all, env, cnt);

		/* second pass: the items, in order */
		char *last_name = NULL; /* variable of the last NAME=value item */
		const char *p = spec;
		while (*p) {
			const char *e = strchr(p, ',');
			size_t len = e ? (size_t)(e - p) : strlen(p);
			const char *eq = memchr(p, '=', len);
			if (len == 0) {
				/* empty item: nothing */
			} else if ((len == 3 && strncasecmp(p, "ALL", 3) == 0) ||
			           (len == 4 && strncasecmp(p, "NONE", 4) == 0)) {
				free(last_name);
				last_name = NULL;
			} else if (eq != NULL && jobenv_valid_name(p, (size_t)(eq - p))) {
				free(last_name);
				last_name = xstrndup(p, (size_t)(eq - p));
				char *val = xstrndup(eq + 1, len - (size_t)(eq - p) - 1);
				strv_setenv(env, cnt, last_name, val);
				free(val);
			} else if (eq == NULL && jobenv_valid_name(p, len)) {
				free(last_name);
				last_name = NULL;
				char *name = xstrndup(p, len);
				const char *v = env_get(envp, name, len);
				if (v != NULL)
					strv_setenv(env, cnt, name, v);
				free(name);
			} else if (last_name != NULL) {
				/* "A=1,2": a comma inside the previous value */
				const char *prev = strv_getenv(*env, *cnt, last_name);
				char *val = xasprintf("%s,%.*s", prev ? prev : "", (int)len, p);
				strv_setenv(env, cnt, last_name, val);
				free(val);
			} else {
				char *item = xstrndup(p, len);
				snprintf(err, errlen, "Invalid --export specification: %s", item);
				free(item);
				return -1;
			}
			if (e == NULL)
				break;
			p = e + 1;
		}
		free(last_name);
	}
	if (export_file != NULL && add_export_file(export_file, env, cnt, err, errlen) < 0)
		return -1;
	return 0;
}

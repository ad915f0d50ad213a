/* SPDX-License-Identifier: MIT */
/*
 * The options of the last successful herd up in a directory
 * (DIR/run/herd.opts), so that `herd down; herd up` brings back the same
 * cluster -- same nodes, same ports, same slurm.conf source -- rather
 * than the embedded defaults over a state directory made for another
 * shape.
 */
#include "herd.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/xmalloc.h"

int
lastrun_load(const char *dir, struct lastrun *l)
{
	memset(l, 0, sizeof(*l));
	char *path = xasprintf("%s/run/herd.opts", dir);
	FILE *f = fopen(path, "re");
	free(path);
	if (f == NULL)
		return -1;
	char line[4200];
	int have_port = 0;
	while (fgets(line, sizeof(line), f) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		char *eq = strchr(line, '=');
		if (eq == NULL)
			continue;
		*eq = '\0';
		const char *val = eq + 1;
		unsigned long v = strtoul(val, NULL, 10);
		if (strcmp(line, "nodes") == 0 && v >= 1 && v <= 9999)
			l->nodes = (uint32_t)v;
		else if (strcmp(line, "cpus") == 0 && v >= 1 && v <= 4096)
			l->cpus = (uint32_t)v;
		else if (strcmp(line, "port") == 0 && v >= 1 && v <= 65534)
			l->port = (uint16_t)v, have_port = 1;
		else if (strcmp(line, "munge") == 0)
			l->munge = v != 0;
		else if (strcmp(line, "conf") == 0 && *val == '/')
			snprintf(l->conf_file, sizeof(l->conf_file), "%s", val);
	}
	fclose(f);
	if (!have_port || (l->conf_file[0] == '\0' && (l->nodes == 0 || l->cpus == 0))) {
		errno = EINVAL;
		return -1;
	}
	return 0;
}

int
lastrun_save(const char *dir, const struct herd_opts *o)
{
	struct buf b;
	buf_init(&b);
	if (o->conf_file != NULL)
		buf_printf(&b, "conf=%s\n", o->conf_file);
	else
		buf_printf(&b, "nodes=%u\ncpus=%u\n", o->nodes, o->cpus);
	buf_printf(&b, "port=%u\nmunge=%d\n", o->port, o->munge ? 1 : 0);
	char *path = xasprintf("%s/run/herd.opts", dir);
	int rc = confgen_write(path, buf_str(&b));
	free(path);
	buf_free(&b);
	return rc;
}

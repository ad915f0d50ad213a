/* SPDX-License-Identifier: MIT */
/*
 * slurm.conf loading (config.md sections 1-6): cluster-wide keys from the
 * table in conf_table.c, SlurmctldHost lists, record lines dispatched to
 * conf_node.c / conf_part.c, validation, and the `show` list for
 * `scontrol show config`.
 */
#include "conf/conf.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/log.h"
#include "base/xmalloc.h"
#include "conf/conf_int.h"
#include "proto/proto.h"

/*
 * A loaded configuration carries a private node-name hash after the
 * public struct, so that conf_node_index is O(1) on the controller's hot
 * paths (struct conf_full, conf_int.h).  herd_conf objects therefore only
 * come from conf_load*.
 */

const char *
conf_default_path(void)
{
	const char *p = getenv("SLURM_CONF");
	return p && *p ? p : "/etc/slurm/slurm.conf";
}

const char *
conf_ctx_file(struct conf_ctx *x, const char *file)
{
	for (size_t i = 0; i < x->nfname; i++)
		if (strcmp(x->fname[i], file) == 0)
			return x->fname[i];
	x->fname = xreallocarray(x->fname, x->nfname + 1, sizeof(*x->fname));
	x->fname[x->nfname] = xstrdup(file);
	return x->fname[x->nfname++];
}

static const char *
ctx_cluster(void *arg)
{
	struct conf_ctx *x = arg;
	return x->c->cluster_name;
}

/* "host" or "host(addr)" */
static int
add_ctld_host(struct herd_conf *c, const char *val, const struct conf_rline *l, char *err, size_t errlen)
{
	const char *open = strchr(val, '(');
	char *name, *addr;
	if (open) {
		size_t len = strlen(val);
		if (open == val || val[len - 1] != ')' || open + 1 == val + len - 1 ||
		    memchr(open + 1, '(', (size_t)(val + len - 1 - (open + 1))) != NULL)
			goto bad;
		name = xstrndup(val, (size_t)(open - val));
		addr = xstrndup(open + 1, (size_t)(val + len - 1 - (open + 1)));
	} else {
		if (*val == '\0' || strchr(val, ')') != NULL)
			goto bad;
		name = xstrdup(val);
		addr = xstrdup(val);
	}
	c->ctld_hosts = xreallocarray(c->ctld_hosts, c->ctld_host_cnt + 1, sizeof(char *));
	c->ctld_addrs = xreallocarray(c->ctld_addrs, c->ctld_host_cnt + 1, sizeof(char *));
	c->ctld_hosts[c->ctld_host_cnt] = name;
	c->ctld_addrs[c->ctld_host_cnt] = addr;
	c->ctld_host_cnt++;
	return 0;
bad:
	conf_errf(err, errlen, l->file, l->line, "invalid value for SlurmctldHost: '%s'", val);
	return -1;
}

static int
ctld_key(struct conf_ctx *x, const struct conf_key *k, const char *val, const struct conf_rline *l, char *err,
    size_t errlen)
{
	char **slot;
	if (strcasecmp(k->name, "SlurmctldHost") == 0)
		return add_ctld_host(x->c, val, l, err, errlen);
	if (strcasecmp(k->name, "ControlMachine") == 0)
		slot = &x->ctl_machine;
	else if (strcasecmp(k->name, "ControlAddr") == 0)
		slot = &x->ctl_addr;
	else if (strcasecmp(k->name, "BackupController") == 0)
		slot = &x->backup_ctl;
	else
		slot = &x->backup_addr;
	free(*slot);
	*slot = xstrdup(val);
	return 0;
}

static int
main_line(void *arg, const struct conf_rline *l, char *err, size_t errlen)
{
	struct conf_ctx *x = arg;
	const char *first = l->pairs[0].key;
	if (strcasecmp(first, "NodeName") == 0)
		return conf_node_line(x, l, err, errlen);
	if (strcasecmp(first, "PartitionName") == 0)
		return conf_part_line(x, l, err, errlen);
	if (strcasecmp(first, "DownNodes") == 0)
		return conf_down_line(x, l, err, errlen);
	if (strcasecmp(first, "NodeSet") == 0)
		return conf_nodeset_line(x, l, err, errlen);
	if (strcasecmp(first, "FrontendName") == 0) {
		log_debug("%s:%d: %s lines are ignored", l->file, l->line, first);
		return 0;
	}
	char msg[256];
	for (int i = 0; i < l->npairs; i++) {
		const char *key = l->pairs[i].key, *val = l->pairs[i].val;
		const struct conf_key *k = conf_key_find(conf_main_keys, conf_main_nkeys, key);
		if (k == NULL) {
			conf_errf(err, errlen, l->file, l->line, "unknown key '%s'", key);
			return -1;
		}
		if (k->type == K_CTLD) {
			if (ctld_key(x, k, val, l, err, errlen) < 0)
				return -1;
			continue;
		}
		if (k->type == K_NONE)
			log_debug("%s:%d: %s is accepted but not used", l->file, l->line, k->name);
		if (conf_key_set(k, x->c, val, msg, sizeof(msg)) < 0) {
			conf_errf(err, errlen, l->file, l->line, "%s", msg);
			return -1;
		}
		size_t idx = (size_t)(k - conf_main_keys);
		free(x->raw[idx]);
		x->raw[idx] = xstrdup(val);
	}
	return 0;
}

static void
add_show(struct herd_conf *c, char *s)
{
	c->show = xreallocarray(c->show, c->show_cnt + 1, sizeof(char *));
	c->show[c->show_cnt++] = s;
}

static void
build_show(struct conf_ctx *x)
{
	struct herd_conf *c = x->c;
	for (size_t i = 0; i < conf_main_nkeys; i++) {
		const struct conf_key *k = &conf_main_keys[i];
		/* hidden keys: old synonyms, secrets; rare keys only when set */
		if ((k->flags & KF_NOSHOW) && !(k->type == K_NONE && x->raw[i] != NULL))
			continue;
		if (k->type == K_CTLD) {
			for (uint32_t h = 0; h < c->ctld_host_cnt; h++) {
				if (strcmp(c->ctld_hosts[h], c->ctld_addrs[h]) == 0)
					add_show(c, xasprintf("%s[%u]=%s", k->name, h, c->ctld_hosts[h]));
				else
					add_show(c, xasprintf("%s[%u]=%s(%s)", k->name, h, c->ctld_hosts[h],
					                c->ctld_addrs[h]));
			}
			continue;
		}
		char *v = conf_key_show(k, c, x->raw[i]);
		add_show(c, xasprintf("%s=%s", k->name, v));
		free(v);
	}
}

static int
finish(struct conf_ctx *x, const char *file, char *err, size_t errlen)
{
	struct herd_conf *c = x->c;
	if (c->cluster_name == NULL || *c->cluster_name == '\0') {
		conf_errf(err, errlen, file, 0, "ClusterName needs to be specified");
		return -1;
	}
	if (c->ctld_host_cnt == 0 && x->ctl_machine != NULL) {
		/* ControlMachine/ControlAddr, BackupController/BackupAddr */
		c->ctld_hosts = xcalloc(2, sizeof(char *));
		c->ctld_addrs = xcalloc(2, sizeof(char *));
		c->ctld_hosts[0] = xstrdup(x->ctl_machine);
		c->ctld_addrs[0] = xstrdup(x->ctl_addr ? x->ctl_addr : x->ctl_machine);
		c->ctld_host_cnt = 1;
		if (x->backup_ctl) {
			c->ctld_hosts[1] = xstrdup(x->backup_ctl);
			c->ctld_addrs[1] = xstrdup(x->backup_addr ? x->backup_addr : x->backup_ctl);
			c->ctld_host_cnt = 2;
		}
	}
	if (c->ctld_host_cnt == 0) {
		conf_errf(err, errlen, file, 0, "SlurmctldHost needs to be specified");
		return -1;
	}
	if (c->first_job_id == 0 || c->first_job_id > c->max_job_id) {
		conf_errf(err, errlen, file, 0, "FirstJobId (%u) must be between 1 and MaxJobId (%u)",
		    c->first_job_id, c->max_job_id);
		return -1;
	}
	if (c->select_type_params == NULL && c->select_type != NULL &&
	    strstr(c->select_type, "cons_") != NULL)
		c->select_type_params = xstrdup("CR_Core_Memory");
	if (conf_records_finish(x, err, errlen) < 0)
		return -1;
	build_show(x);
	return 0;
}

static void
ctx_init(struct conf_ctx *x, struct herd_conf *c)
{
	memset(x, 0, sizeof(*x));
	x->c = c;
	x->raw = xcalloc(conf_main_nkeys, sizeof(char *));
	conf_key_defaults(conf_main_keys, conf_main_nkeys, c);
	c->default_part = -1;
	conf_key_defaults(conf_node_keys, conf_node_nkeys, &x->node_def);
	conf_key_defaults(conf_part_keys, conf_part_nkeys, &x->part_def);
	x->part_def.default_time_min = NO_VAL;
	x->part_def.over_time_limit = NO_VAL;
}

static void
ctx_free(struct conf_ctx *x)
{
	for (size_t i = 0; i < conf_main_nkeys; i++)
		free(x->raw[i]);
	free(x->raw);
	for (size_t i = 0; i < x->nfname; i++)
		free((char *)(uintptr_t)x->fname[i]);
	free(x->fname);
	free(x->ctl_machine);
	free(x->ctl_addr);
	free(x->backup_ctl);
	free(x->backup_addr);
	conf_key_free(conf_node_keys, conf_node_nkeys, &x->node_def);
	conf_key_free(conf_part_keys, conf_part_nkeys, &x->part_def);
	free(x->part_def_nodes);
	if (x->c)
		for (uint32_t i = 0; i < x->c->part_cnt; i++)
			free(x->prec[i].nodes);
	free(x->prec);
	free(x->nsrec);
	for (size_t i = 0; i < x->ndown; i++) {
		free(x->down[i].nodes);
		free(x->down[i].reason);
	}
	free(x->down);
	free(x->hash);
}

static struct herd_conf *
load(const char *text, size_t len, const char *path, int from_file, char *err, size_t errlen)
{
	struct conf_full *full = xcalloc(1, sizeof(*full));
	struct herd_conf *c = &full->pub;
	struct conf_ctx x;
	ctx_init(&x, c);
	if (err && errlen)
		err[0] = '\0';

	const char *name = path ? path : "slurm.conf";
	const char *slash = strrchr(name, '/');
	const char *base = slash ? slash + 1 : name;
	if (from_file) {
		c->path = xstrdup(path);
		c->dir = slash ? (slash == path ? xstrdup("/") : xstrndup(path, (size_t)(slash - path)))
		               : xstrdup(".");
	} else {
		c->path = xstrdup(name);
		c->dir = slash ? xstrndup(name, (size_t)(slash - name)) : NULL;
	}
	struct conf_reader r = {main_line, &x, c->dir, ctx_cluster, 0};
	int rc = from_file ? conf_read_file(&r, path, err, errlen)
	                   : conf_read_text(&r, text, len, name, err, errlen);
	if (rc == 0)
		rc = finish(&x, base, err, errlen);
	if (rc == 0) {
		full->hash = x.hash;
		full->hsize = x.hsize;
		x.hash = NULL;
	}
	ctx_free(&x);
	if (rc < 0) {
		conf_destroy(c);
		return NULL;
	}
	return c;
}

struct herd_conf *
conf_load(const char *path, char *err, size_t errlen)
{
	if (path == NULL)
		path = conf_default_path();
	return load(NULL, 0, path, 1, err, errlen);
}

struct herd_conf *
conf_load_string(const char *text, const char *name, char *err, size_t errlen)
{
	return load(text ? text : "", text ? strlen(text) : 0, name, 0, err, errlen);
}

void
conf_destroy(struct herd_conf *c)
{
	if (c == NULL)
		return;
	conf_key_free(conf_main_keys, conf_main_nkeys, c);
	free(c->path);
	free(c->dir);
	for (uint32_t i = 0; i < c->ctld_host_cnt; i++) {
		free(c->ctld_hosts[i]);
		free(c->ctld_addrs[i]);
	}
	free(c->ctld_hosts);
	free(c->ctld_addrs);
	for (uint32_t i = 0; i < c->node_cnt; i++)
		conf_node_free(&c->nodes[i]);
	free(c->nodes);
	for (uint32_t i = 0; i < c->part_cnt; i++)
		conf_part_free(&c->parts[i]);
	free(c->parts);
	for (uint32_t i = 0; i < c->nodeset_cnt; i++)
		conf_nodeset_free(&c->nodesets[i]);
	free(c->nodesets);
	for (uint32_t i = 0; i < c->show_cnt; i++)
		free(c->show[i]);
	free(c->show);
	struct conf_full *full = (struct conf_full *)c;
	free(full->hash);
	free(full);
}

int
conf_node_index(const struct herd_conf *c, const char *name)
{
	if (c == NULL || name == NULL)
		return -1;
	const struct conf_full *full = (const struct conf_full *)c;
	struct conf_ctx x = {.c = (struct herd_conf *)(uintptr_t)c, .hash = full->hash, .hsize = full->hsize};
	return conf_ctx_node_find(&x, name);
}

int
conf_part_index(const struct herd_conf *c, const char *name)
{
	if (c == NULL || name == NULL)
		return -1;
	for (uint32_t i = 0; i < c->part_cnt; i++)
		if (strcmp(c->parts[i].name, name) == 0)
			return (int)i;
	return -1;
}

uint16_t
conf_node_port(const struct herd_conf *c, uint32_t i)
{
	if (c == NULL || i >= c->node_cnt || !c->nodes[i].port_set || c->nodes[i].port == 0)
		return c ? c->slurmd_port : 0;
	return c->nodes[i].port;
}

uint32_t
conf_ping_interval(const struct herd_conf *c)
{
	uint32_t s = c->slurmd_timeout / 3;
	return s < 1 ? 1 : s > 5 ? 5 : s;
}

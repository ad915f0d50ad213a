/* SPDX-License-Identifier: MIT */
/*
 * The association tables of sacctmgr in memory (struct acct_tables):
 * keys of where/set clauses, lookups, row changes, a controller's
 * registration, the where-clause matching show uses and Slurm's order of
 * associations.  add / modify / delete are in acctmgr_apply.c.  herddbd
 * applies a request to a copy, stores the copy, then keeps it.
 */
#include "acct/acctmgr.h"
#include "acct/acctmgr_int.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/xmalloc.h"

char *
acctmgr_lower(char *s)
{
	for (char *p = s; p && *p; p++)
		*p = (char)tolower((unsigned char)*p);
	return s;
}

const char *
acctmgr_admin_name(uint32_t level)
{
	switch (level) {
	case ACCTMGR_ADMIN_OPERATOR:
		return "Operator";
	case ACCTMGR_ADMIN_ADMIN:
		return "Administrator";
	default:
		return "None";
	}
}

int
acctmgr_admin_parse(const char *s)
{
	if (strcasecmp(s, "none") == 0)
		return ACCTMGR_ADMIN_NONE;
	if (strcasecmp(s, "operator") == 0 || strcasecmp(s, "oper") == 0)
		return ACCTMGR_ADMIN_OPERATOR;
	if (strcasecmp(s, "admin") == 0 || strcasecmp(s, "administrator") == 0)
		return ACCTMGR_ADMIN_ADMIN;
	return -1;
}

int
acctmgr_entity_parse(const char *w)
{
	static const struct {
		const char *name;
		int e;
	} tab[] = {
	    {"cluster", ACCTMGR_CLUSTER},
	    {"clusters", ACCTMGR_CLUSTER},
	    {"account", ACCTMGR_ACCOUNT},
	    {"accounts", ACCTMGR_ACCOUNT},
	    {"user", ACCTMGR_USER},
	    {"users", ACCTMGR_USER},
	    {"association", ACCTMGR_ASSOC},
	    {"associations", ACCTMGR_ASSOC},
	    {"assoc", ACCTMGR_ASSOC},
	    {"assocs", ACCTMGR_ASSOC},
	    {"qos", ACCTMGR_QOS},
	    {"tres", ACCTMGR_TRES},
	};
	for (size_t i = 0; i < sizeof(tab) / sizeof(tab[0]); i++)
		if (strcasecmp(w, tab[i].name) == 0)
			return tab[i].e;
	return 0;
}

int
acctmgr_op_parse(const char *w)
{
	if (strcasecmp(w, "add") == 0 || strcasecmp(w, "create") == 0)
		return ACCTMGR_ADD;
	if (strcasecmp(w, "modify") == 0 || strcasecmp(w, "update") == 0)
		return ACCTMGR_MODIFY;
	if (strcasecmp(w, "delete") == 0 || strcasecmp(w, "remove") == 0)
		return ACCTMGR_DELETE;
	if (strcasecmp(w, "show") == 0 || strcasecmp(w, "list") == 0)
		return ACCTMGR_SHOW;
	return 0;
}

/* --- keys and value lists --------------------------------------------- */

static const struct {
	const char *name;
	enum key k;
} key_tab[] = {
    {"name", K_NAME},
    {"names", K_NAME},
    {"cluster", K_CLUSTER},
    {"clusters", K_CLUSTER},
    {"account", K_ACCOUNT},
    {"accounts", K_ACCOUNT},
    {"acct", K_ACCOUNT},
    {"accts", K_ACCOUNT},
    {"user", K_USER},
    {"users", K_USER},
    {"partition", K_PARTITION},
    {"partitions", K_PARTITION},
    {"description", K_DESCR},
    {"descr", K_DESCR},
    {"organization", K_ORG},
    {"org", K_ORG},
    {"parent", K_PARENT},
    {"parentname", K_PARENT},
    {"defaultaccount", K_DEFACCT},
    {"defaultacct", K_DEFACCT},
    {"defaccount", K_DEFACCT},
    {"defacct", K_DEFACCT},
    {"adminlevel", K_ADMIN},
    {"admin", K_ADMIN},
    {"fairshare", K_SHARES},
    {"share", K_SHARES},
    {"shares", K_SHARES},
    {"qos", K_QOS},
    {"qoslevel", K_QOS},
    {"defaultqos", K_DEFQOS},
    {"defqos", K_DEFQOS},
};

/* "Key=value" -> key id and value (borrowed); K_NONE when unknown */
enum key
acctmgr_key_split(const char *kv, const char **val)
{
	const char *eq = strchr(kv, '=');
	if (eq == NULL) {
		*val = NULL;
		return K_NONE;
	}
	*val = eq + 1;
	size_t n = (size_t)(eq - kv);
	for (size_t i = 0; i < sizeof(key_tab) / sizeof(key_tab[0]); i++)
		if (strlen(key_tab[i].name) == n && strncasecmp(kv, key_tab[i].name, n) == 0)
			return key_tab[i].k;
	return K_NONE;
}

int
acctmgr_streq(const char *a, const char *b)
{
	return strcasecmp(a ? a : "", b ? b : "") == 0;
}

/* x is one of the comma-separated items of list (case-insensitive) */
int
acctmgr_in_list(const char *list, const char *x)
{
	if (list == NULL)
		return 0;
	const char *p = list;
	size_t xl = strlen(x ? x : "");
	for (;;) {
		const char *c = strchr(p, ',');
		size_t n = c ? (size_t)(c - p) : strlen(p);
		if (n == xl && strncasecmp(p, x ? x : "", n) == 0)
			return 1;
		if (c == NULL)
			return 0;
		p = c + 1;
	}
}

/* each item of a comma list, lower-cased, empty ones skipped */
void
acctmgr_list_items(const char *list, char ***v, uint32_t *n)
{
	char *copy = xstrdup(list);
	char *save = NULL;
	for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save))
		strv_add(v, n, acctmgr_lower(t));
	free(copy);
}

void
acctmgr_unknown_condition(struct buf *err, const char *kv)
{
	buf_printf(err, " Unknown condition: %s\n Use keyword 'set' to modify value\n", kv);
}

void
acctmgr_unknown_option(struct buf *err, const char *kv)
{
	buf_printf(err, " Unknown option: %s\n Use keyword 'where' to modify condition\n", kv);
}

/* --- lookups ----------------------------------------------------------- */

struct acct_cluster *
acctmgr_find_cluster(const struct acct_tables *t, const char *name)
{
	for (uint32_t i = 0; i < t->clusters_cnt; i++)
		if (acctmgr_streq(t->clusters[i].name, name))
			return &t->clusters[i];
	return NULL;
}

struct acct_account *
acctmgr_find_account(const struct acct_tables *t, const char *name)
{
	for (uint32_t i = 0; i < t->accounts_cnt; i++)
		if (acctmgr_streq(t->accounts[i].name, name))
			return &t->accounts[i];
	return NULL;
}

const struct acct_user *
acctmgr_find_user(const struct acct_tables *t, const char *name)
{
	for (uint32_t i = 0; i < t->users_cnt; i++)
		if (acctmgr_streq(t->users[i].name, name))
			return &t->users[i];
	return NULL;
}

const struct acct_assoc *
acctmgr_find_assoc(const struct acct_tables *t, const char *cluster, const char *account, const char *user,
    const char *partition)
{
	for (uint32_t i = 0; i < t->assocs_cnt; i++) {
		const struct acct_assoc *a = &t->assocs[i];
		if (acctmgr_streq(a->cluster, cluster) && acctmgr_streq(a->account, account) &&
		    acctmgr_streq(a->user, user) &&
		    (partition == NULL || acctmgr_streq(a->partition, partition)))
			return a;
	}
	return NULL;
}

/* --- changing the tables ----------------------------------------------- */

struct acct_cluster *
acctmgr_add_cluster_row(struct acct_tables *t, const char *name)
{
	t->clusters = xreallocarray(t->clusters, t->clusters_cnt + 1, sizeof(*t->clusters));
	struct acct_cluster *c = &t->clusters[t->clusters_cnt++];
	memset(c, 0, sizeof(*c));
	c->name = xstrdup(name);
	c->rpc_version = ACCTMGR_RPC_VERSION;
	return c;
}

struct acct_account *
acctmgr_add_account_row(struct acct_tables *t, const char *name, const char *descr, const char *org)
{
	t->accounts = xreallocarray(t->accounts, t->accounts_cnt + 1, sizeof(*t->accounts));
	struct acct_account *a = &t->accounts[t->accounts_cnt++];
	memset(a, 0, sizeof(*a));
	a->name = xstrdup(name);
	a->description = xstrdup(descr);
	a->organization = xstrdup(org);
	return a;
}

struct acct_user *
acctmgr_add_user_row(struct acct_tables *t, const char *name, const char *def_acct, uint32_t admin)
{
	t->users = xreallocarray(t->users, t->users_cnt + 1, sizeof(*t->users));
	struct acct_user *u = &t->users[t->users_cnt++];
	memset(u, 0, sizeof(*u));
	u->name = xstrdup(name);
	u->default_account = xstrdup(def_acct);
	u->admin_level = admin;
	return u;
}

struct acct_assoc *
acctmgr_add_assoc_row(struct acct_tables *t, const char *cluster, const char *account, const char *user,
    const char *partition, const char *parent)
{
	t->assocs = xreallocarray(t->assocs, t->assocs_cnt + 1, sizeof(*t->assocs));
	struct acct_assoc *a = &t->assocs[t->assocs_cnt++];
	memset(a, 0, sizeof(*a));
	a->cluster = xstrdup(cluster);
	a->account = xstrdup(account);
	a->user = user && *user ? xstrdup(user) : NULL;
	a->partition = partition && *partition ? xstrdup(partition) : NULL;
	a->parent = parent && *parent ? xstrdup(parent) : NULL;
	a->shares = 1;
	a->qos = xstrdup("normal");
	return a;
}

/* remove the rows whose flag is set (generic over the four arrays) */
void
acctmgr_drop_rows(void *arr, uint32_t *cnt, size_t size, const struct rdesc *d, const char *drop)
{
	char *base = arr;
	uint32_t kept = 0;
	for (uint32_t i = 0; i < *cnt; i++) {
		if (drop[i]) {
			proto_free(d, base + (size_t)i * size);
			continue;
		}
		if (kept != i)
			memcpy(base + (size_t)kept * size, base + (size_t)i * size, size);
		kept++;
	}
	*cnt = kept;
}

void
acctmgr_set_str(char **field, const char *v)
{
	free(*field);
	*field = v && *v ? xstrdup(v) : NULL;
}

/* The root account (and root's user) and both associations on cluster. */
int
acctmgr_ensure_root(struct acct_tables *t, const char *cluster)
{
	int changed = 0;
	if (acctmgr_find_account(t, "root") == NULL) {
		acctmgr_add_account_row(t, "root", "default root account", "root");
		changed = 1;
	}
	if (acctmgr_find_user(t, "root") == NULL) {
		acctmgr_add_user_row(t, "root", "root", ACCTMGR_ADMIN_ADMIN);
		changed = 1;
	}
	if (acctmgr_find_assoc(t, cluster, "root", NULL, NULL) == NULL) {
		acctmgr_add_assoc_row(t, cluster, "root", NULL, NULL, NULL);
		changed = 1;
	}
	if (acctmgr_find_assoc(t, cluster, "root", "root", NULL) == NULL) {
		acctmgr_add_assoc_row(t, cluster, "root", "root", NULL, "root");
		changed = 1;
	}
	return changed;
}

int
acctmgr_register(struct acct_tables *t, const char *cluster, const char *host, uint32_t port, int64_t now)
{
	char *name = acctmgr_lower(xstrdup(cluster));
	int changed = 0;
	struct acct_cluster *c = acctmgr_find_cluster(t, name);
	if (c == NULL) {
		c = acctmgr_add_cluster_row(t, name);
		c->time_created = now;
		changed = 1;
	}
	if (!acctmgr_streq(c->control_host, host) || c->control_port != port) {
		acctmgr_set_str(&c->control_host, host);
		c->control_port = port;
		changed = 1;
	}
	changed |= acctmgr_ensure_root(t, name);
	free(name);
	return changed;
}

/* --- where-clause matching -------------------------------------------- */

int
acctmgr_user_has_assoc(
    const struct acct_tables *t, const char *user, const char *accounts, const char *clusters)
{
	for (uint32_t i = 0; i < t->assocs_cnt; i++) {
		const struct acct_assoc *a = &t->assocs[i];
		if (!acctmgr_streq(a->user, user))
			continue;
		if (accounts && !acctmgr_in_list(accounts, a->account))
			continue;
		if (clusters && !acctmgr_in_list(clusters, a->cluster))
			continue;
		return 1;
	}
	return 0;
}

int
acctmgr_match_cluster(const struct acct_cluster *c, char **where, uint32_t n, struct buf *err)
{
	int ok = 1;
	for (uint32_t i = 0; i < n; i++) {
		const char *v;
		switch (acctmgr_key_split(where[i], &v)) {
		case K_NAME:
		case K_CLUSTER:
			ok &= acctmgr_in_list(v, c->name);
			break;
		default:
			acctmgr_unknown_condition(err, where[i]);
			return -1;
		}
	}
	return ok;
}

int
acctmgr_match_account(
    const struct acct_tables *t, const struct acct_account *a, char **where, uint32_t n, struct buf *err)
{
	int ok = 1;
	const char *clusters = NULL, *parents = NULL;
	for (uint32_t i = 0; i < n; i++) {
		const char *v;
		switch (acctmgr_key_split(where[i], &v)) {
		case K_NAME:
		case K_ACCOUNT:
			ok &= acctmgr_in_list(v, a->name);
			break;
		case K_DESCR:
			ok &= acctmgr_in_list(v, a->description);
			break;
		case K_ORG:
			ok &= acctmgr_in_list(v, a->organization);
			break;
		case K_CLUSTER:
			clusters = v;
			break;
		case K_PARENT:
			parents = v;
			break;
		default:
			acctmgr_unknown_condition(err, where[i]);
			return -1;
		}
	}
	if (ok && (clusters || parents)) {
		int any = 0;
		for (uint32_t i = 0; i < t->assocs_cnt && !any; i++) {
			const struct acct_assoc *s = &t->assocs[i];
			any = s->user == NULL && acctmgr_streq(s->account, a->name) &&
			      (!clusters || acctmgr_in_list(clusters, s->cluster)) &&
			      (!parents || acctmgr_in_list(parents, s->parent));
		}
		ok = any;
	}
	return ok;
}

int
acctmgr_match_user(
    const struct acct_tables *t, const struct acct_user *u, char **where, uint32_t n, struct buf *err)
{
	int ok = 1;
	const char *accounts = NULL, *clusters = NULL;
	for (uint32_t i = 0; i < n; i++) {
		const char *v;
		switch (acctmgr_key_split(where[i], &v)) {
		case K_NAME:
		case K_USER:
			ok &= acctmgr_in_list(v, u->name);
			break;
		case K_DEFACCT:
			ok &= acctmgr_in_list(v, u->default_account);
			break;
		case K_ADMIN: {
			int lv = acctmgr_admin_parse(v);
			ok &= lv > 0 && (uint32_t)lv == u->admin_level;
			break;
		}
		case K_ACCOUNT:
			accounts = v;
			break;
		case K_CLUSTER:
			clusters = v;
			break;
		default:
			acctmgr_unknown_condition(err, where[i]);
			return -1;
		}
	}
	if (ok && (accounts || clusters))
		ok = acctmgr_user_has_assoc(t, u->name, accounts, clusters);
	return ok;
}

int
acctmgr_match_assoc(const struct acct_assoc *a, char **where, uint32_t n, struct buf *err)
{
	int ok = 1;
	for (uint32_t i = 0; i < n; i++) {
		const char *v;
		switch (acctmgr_key_split(where[i], &v)) {
		case K_CLUSTER:
			ok &= acctmgr_in_list(v, a->cluster);
			break;
		case K_ACCOUNT:
			ok &= acctmgr_in_list(v, a->account);
			break;
		case K_USER:
			ok &= a->user != NULL && acctmgr_in_list(v, a->user);
			break;
		case K_PARTITION:
			ok &= acctmgr_in_list(v, a->partition);
			break;
		case K_PARENT:
			ok &= acctmgr_in_list(v, a->parent);
			break;
		default:
			acctmgr_unknown_condition(err, where[i]);
			return -1;
		}
	}
	return ok;
}

/* --- Slurm's association order ------------------------------------------ */

struct order {
	const struct acct_tables *t;
	uint32_t *idx;
	uint32_t n;
	char *done;
};

static int
cmp_str(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "");
}

static void
order_account(struct order *o, const char *cluster, const char *account, int depth)
{
	const struct acct_tables *t = o->t;
	if (depth > 64)
		return;
	/* the account's own association */
	for (uint32_t i = 0; i < t->assocs_cnt; i++) {
		const struct acct_assoc *a = &t->assocs[i];
		if (!o->done[i] && a->user == NULL && acctmgr_streq(a->cluster, cluster) &&
		    acctmgr_streq(a->account, account)) {
			o->done[i] = 1;
			o->idx[o->n++] = i;
		}
	}
	/* its users, by name then partition */
	for (;;) {
		int best = -1;
		for (uint32_t i = 0; i < t->assocs_cnt; i++) {
			const struct acct_assoc *a = &t->assocs[i];
			if (o->done[i] || a->user == NULL || !acctmgr_streq(a->cluster, cluster) ||
			    !acctmgr_streq(a->account, account))
				continue;
			if (best < 0 || cmp_str(a->user, t->assocs[best].user) < 0 ||
			    (cmp_str(a->user, t->assocs[best].user) == 0 &&
			        cmp_str(a->partition, t->assocs[best].partition) < 0))
				best = (int)i;
		}
		if (best < 0)
			break;
		o->done[best] = 1;
		o->idx[o->n++] = (uint32_t)best;
	}
	/* then its sub-accounts, by name */
	for (;;) {
		int best = -1;
		for (uint32_t i = 0; i < t->assocs_cnt; i++) {
			const struct acct_assoc *a = &t->assocs[i];
			if (o->done[i] || a->user != NULL || !acctmgr_streq(a->cluster, cluster) ||
			    !acctmgr_streq(a->parent, account))
				continue;
			if (best < 0 || cmp_str(a->account, t->assocs[best].account) < 0)
				best = (int)i;
		}
		if (best < 0)
			break;
		order_account(o, cluster, t->assocs[best].account, depth + 1);
	}
}

uint32_t *
acctmgr_assoc_order(const struct acct_tables *t, uint32_t *n)
{
	struct order o = {.t = t};
	o.idx = xcalloc(t->assocs_cnt + 1, sizeof(*o.idx));
	o.done = xcalloc(t->assocs_cnt + 1, 1);
	/* clusters by name */
	for (;;) {
		const char *next = NULL;
		for (uint32_t i = 0; i < t->assocs_cnt; i++)
			if (!o.done[i] && (next == NULL || cmp_str(t->assocs[i].cluster, next) < 0))
				next = t->assocs[i].cluster;
		if (next == NULL)
			break;
		uint32_t before = o.n;
		order_account(&o, next, "root", 0);
		/* anything left on this cluster (no path from root) */
		for (uint32_t i = 0; i < t->assocs_cnt; i++)
			if (!o.done[i] && acctmgr_streq(t->assocs[i].cluster, next) &&
			    t->assocs[i].user == NULL)
				order_account(&o, next, t->assocs[i].account, 1);
		for (uint32_t i = 0; i < t->assocs_cnt; i++)
			if (!o.done[i] && acctmgr_streq(t->assocs[i].cluster, next)) {
				o.done[i] = 1;
				o.idx[o.n++] = i;
			}
		if (o.n == before)
			break; /* cannot happen: next came from an undone row */
	}
	free(o.done);
	*n = o.n;
	return o.idx;
}

/* SPDX-License-Identifier: MIT */
/*
 * sacctmgr's add / modify / delete on the association tables, with the
 * text Slurm prints for them, and the where-clause matching show uses.
 * Everything works on a struct acct_tables in memory: herddbd applies a
 * request to a copy, stores the copy, then keeps it.
 */
#include "acct/acctmgr.h"

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

static int
admin_parse(const char *s)
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

enum key {
	K_NONE,
	K_NAME,
	K_CLUSTER,
	K_ACCOUNT,
	K_USER,
	K_PARTITION,
	K_DESCR,
	K_ORG,
	K_PARENT,
	K_DEFACCT,
	K_ADMIN,
	K_SHARES,
	K_QOS,
	K_DEFQOS,
};

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
static enum key
key_split(const char *kv, const char **val)
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

static int
streq(const char *a, const char *b)
{
	return strcasecmp(a ? a : "", b ? b : "") == 0;
}

/* x is one of the comma-separated items of list (case-insensitive) */
static int
in_list(const char *list, const char *x)
{
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
static void
list_items(const char *list, char ***v, uint32_t *n)
{
	char *copy = xstrdup(list);
	char *save = NULL;
	for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save))
		strv_add(v, n, acctmgr_lower(t));
	free(copy);
}

static void
unknown_condition(struct buf *err, const char *kv)
{
	buf_printf(err, " Unknown condition: %s\n Use keyword 'set' to modify value\n", kv);
}

static void
unknown_option(struct buf *err, const char *kv)
{
	buf_printf(err, " Unknown option: %s\n Use keyword 'where' to modify condition\n", kv);
}

/* --- lookups ----------------------------------------------------------- */

static struct acct_cluster *
find_cluster(const struct acct_tables *t, const char *name)
{
	for (uint32_t i = 0; i < t->clusters_cnt; i++)
		if (streq(t->clusters[i].name, name))
			return &t->clusters[i];
	return NULL;
}

static struct acct_account *
find_account(const struct acct_tables *t, const char *name)
{
	for (uint32_t i = 0; i < t->accounts_cnt; i++)
		if (streq(t->accounts[i].name, name))
			return &t->accounts[i];
	return NULL;
}

const struct acct_user *
acctmgr_find_user(const struct acct_tables *t, const char *name)
{
	for (uint32_t i = 0; i < t->users_cnt; i++)
		if (streq(t->users[i].name, name))
			return &t->users[i];
	return NULL;
}

const struct acct_assoc *
acctmgr_find_assoc(const struct acct_tables *t, const char *cluster, const char *account, const char *user,
    const char *partition)
{
	for (uint32_t i = 0; i < t->assocs_cnt; i++) {
		const struct acct_assoc *a = &t->assocs[i];
		if (streq(a->cluster, cluster) && streq(a->account, account) && streq(a->user, user) &&
		    (partition == NULL || streq(a->partition, partition)))
			return a;
	}
	return NULL;
}

/* --- changing the tables ----------------------------------------------- */

static struct acct_cluster *
add_cluster_row(struct acct_tables *t, const char *name)
{
	t->clusters = xreallocarray(t->clusters, t->clusters_cnt + 1, sizeof(*t->clusters));
	struct acct_cluster *c = &t->clusters[t->clusters_cnt++];
	memset(c, 0, sizeof(*c));
	c->name = xstrdup(name);
	c->rpc_version = ACCTMGR_RPC_VERSION;
	return c;
}

static struct acct_account *
add_account_row(struct acct_tables *t, const char *name, const char *descr, const char *org)
{
	t->accounts = xreallocarray(t->accounts, t->accounts_cnt + 1, sizeof(*t->accounts));
	struct acct_account *a = &t->accounts[t->accounts_cnt++];
	memset(a, 0, sizeof(*a));
	a->name = xstrdup(name);
	a->description = xstrdup(descr);
	a->organization = xstrdup(org);
	return a;
}

static struct acct_user *
add_user_row(struct acct_tables *t, const char *name, const char *def_acct, uint32_t admin)
{
	t->users = xreallocarray(t->users, t->users_cnt + 1, sizeof(*t->users));
	struct acct_user *u = &t->users[t->users_cnt++];
	memset(u, 0, sizeof(*u));
	u->name = xstrdup(name);
	u->default_account = xstrdup(def_acct);
	u->admin_level = admin;
	return u;
}

static struct acct_assoc *
add_assoc_row(struct acct_tables *t, const char *cluster, const char *account, const char *user,
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
static void
drop_rows(void *arr, uint32_t *cnt, size_t size, const struct rdesc *d, const char *drop)
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

static void
set_str(char **field, const char *v)
{
	free(*field);
	*field = v && *v ? xstrdup(v) : NULL;
}

/* The root account (and root's user) and both associations on cluster. */
static int
ensure_root(struct acct_tables *t, const char *cluster)
{
	int changed = 0;
	if (find_account(t, "root") == NULL) {
		add_account_row(t, "root", "default root account", "root");
		changed = 1;
	}
	if (acctmgr_find_user(t, "root") == NULL) {
		add_user_row(t, "root", "root", ACCTMGR_ADMIN_ADMIN);
		changed = 1;
	}
	if (acctmgr_find_assoc(t, cluster, "root", NULL, NULL) == NULL) {
		add_assoc_row(t, cluster, "root", NULL, NULL, NULL);
		changed = 1;
	}
	if (acctmgr_find_assoc(t, cluster, "root", "root", NULL) == NULL) {
		add_assoc_row(t, cluster, "root", "root", NULL, "root");
		changed = 1;
	}
	return changed;
}

int
acctmgr_register(struct acct_tables *t, const char *cluster, const char *host, uint32_t port, int64_t now)
{
	char *name = acctmgr_lower(xstrdup(cluster));
	int changed = 0;
	struct acct_cluster *c = find_cluster(t, name);
	if (c == NULL) {
		c = add_cluster_row(t, name);
		c->time_created = now;
		changed = 1;
	}
	if (!streq(c->control_host, host) || c->control_port != port) {
		set_str(&c->control_host, host);
		c->control_port = port;
		changed = 1;
	}
	changed |= ensure_root(t, name);
	free(name);
	return changed;
}

/* --- where-clause matching -------------------------------------------- */

static int
user_has_assoc(const struct acct_tables *t, const char *user, const char *accounts, const char *clusters)
{
	for (uint32_t i = 0; i < t->assocs_cnt; i++) {
		const struct acct_assoc *a = &t->assocs[i];
		if (!streq(a->user, user))
			continue;
		if (accounts && !in_list(accounts, a->account))
			continue;
		if (clusters && !in_list(clusters, a->cluster))
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
		switch (key_split(where[i], &v)) {
		case K_NAME:
		case K_CLUSTER:
			ok &= in_list(v, c->name);
			break;
		default:
			unknown_condition(err, where[i]);
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
		switch (key_split(where[i], &v)) {
		case K_NAME:
		case K_ACCOUNT:
			ok &= in_list(v, a->name);
			break;
		case K_DESCR:
			ok &= in_list(v, a->description);
			break;
		case K_ORG:
			ok &= in_list(v, a->organization);
			break;
		case K_CLUSTER:
			clusters = v;
			break;
		case K_PARENT:
			parents = v;
			break;
		default:
			unknown_condition(err, where[i]);
			return -1;
		}
	}
	if (ok && (clusters || parents)) {
		int any = 0;
		for (uint32_t i = 0; i < t->assocs_cnt && !any; i++) {
			const struct acct_assoc *s = &t->assocs[i];
			any = s->user == NULL && streq(s->account, a->name) &&
			      (!clusters || in_list(clusters, s->cluster)) &&
			      (!parents || in_list(parents, s->parent));
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
		switch (key_split(where[i], &v)) {
		case K_NAME:
		case K_USER:
			ok &= in_list(v, u->name);
			break;
		case K_DEFACCT:
			ok &= in_list(v, u->default_account);
			break;
		case K_ADMIN: {
			int lv = admin_parse(v);
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
			unknown_condition(err, where[i]);
			return -1;
		}
	}
	if (ok && (accounts || clusters))
		ok = user_has_assoc(t, u->name, accounts, clusters);
	return ok;
}

int
acctmgr_match_assoc(const struct acct_assoc *a, char **where, uint32_t n, struct buf *err)
{
	int ok = 1;
	for (uint32_t i = 0; i < n; i++) {
		const char *v;
		switch (key_split(where[i], &v)) {
		case K_CLUSTER:
			ok &= in_list(v, a->cluster);
			break;
		case K_ACCOUNT:
			ok &= in_list(v, a->account);
			break;
		case K_USER:
			ok &= a->user != NULL && in_list(v, a->user);
			break;
		case K_PARTITION:
			ok &= in_list(v, a->partition);
			break;
		case K_PARENT:
			ok &= in_list(v, a->parent);
			break;
		default:
			unknown_condition(err, where[i]);
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
		if (!o->done[i] && a->user == NULL && streq(a->cluster, cluster) &&
		    streq(a->account, account)) {
			o->done[i] = 1;
			o->idx[o->n++] = i;
		}
	}
	/* its users, by name then partition */
	for (;;) {
		int best = -1;
		for (uint32_t i = 0; i < t->assocs_cnt; i++) {
			const struct acct_assoc *a = &t->assocs[i];
			if (o->done[i] || a->user == NULL || !streq(a->cluster, cluster) ||
			    !streq(a->account, account))
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
			if (o->done[i] || a->user != NULL || !streq(a->cluster, cluster) ||
			    !streq(a->parent, account))
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
			if (!o.done[i] && streq(t->assocs[i].cluster, next) && t->assocs[i].user == NULL)
				order_account(&o, next, t->assocs[i].account, 1);
		for (uint32_t i = 0; i < t->assocs_cnt; i++)
			if (!o.done[i] && streq(t->assocs[i].cluster, next)) {
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

/* --- add ---------------------------------------------------------------- */

/* The names of an add: bare words and Name=. */
static void
add_names(const struct acct_mgr_req *r, char ***v, uint32_t *n)
{
	for (uint32_t i = 0; i < r->names_cnt; i++)
		list_items(r->names[i], v, n);
}

static int
add_cluster(
    struct acct_tables *t, const struct acct_mgr_req *r, int64_t now, struct buf *text, struct buf *err)
{
	char **names = NULL;
	uint32_t nn = 0;
	add_names(r, &names, &nn);
	for (uint32_t i = 0; i < r->where_cnt; i++) {
		const char *v;
		if (key_split(r->where[i], &v) == K_NAME || key_split(r->where[i], &v) == K_CLUSTER)
			list_items(v, &names, &nn);
		else {
			unknown_option(err, r->where[i]);
			strv_free(names, nn);
			return 1;
		}
	}
	if (nn == 0) {
		buf_printf(err, " Need name of cluster to add.\n");
		return 1;
	}
	struct buf added;
	buf_init(&added);
	for (uint32_t i = 0; i < nn; i++) {
		if (find_cluster(t, names[i])) {
			buf_printf(text, " This cluster %s already exists.  Not adding.\n", names[i]);
			continue;
		}
		add_cluster_row(t, names[i])->time_created = now;
		ensure_root(t, names[i]);
		buf_printf(&added, "  Name           = %s\n", names[i]);
	}
	strv_free(names, nn);
	int rc = 0;
	if (added.len == 0) {
		buf_printf(text, " Nothing new added.\n");
		rc = 1;
	} else
		buf_printf(text, " Adding Cluster(s)\n%s", buf_str(&added));
	buf_free(&added);
	return rc;
}

/* clusters named (a comma list) or all; 0, or 1 with the error written */
static int
pick_clusters(const struct acct_tables *t, const char *list, char ***v, uint32_t *n, struct buf *err)
{
	if (list) {
		list_items(list, v, n);
		for (uint32_t i = 0; i < *n; i++)
			if (find_cluster(t, (*v)[i]) == NULL) {
				buf_printf(err,
				    " This cluster '%s' doesn't exist.\n        Contact your admin to add it "
				    "to "
				    "accounting.\n",
				    (*v)[i]);
				return 1;
			}
		return 0;
	}
	for (uint32_t i = 0; i < t->clusters_cnt; i++)
		strv_add(v, n, t->clusters[i].name);
	return 0;
}

static int
add_account(struct acct_tables *t, const struct acct_mgr_req *r, struct buf *text, struct buf *err)
{
	char **names = NULL, **clusters = NULL;
	uint32_t nn = 0, nc = 0;
	const char *cl = NULL, *descr = NULL, *org = NULL, *parent = "root";
	add_names(r, &names, &nn);
	int rc = 1;
	for (uint32_t i = 0; i < r->where_cnt; i++) {
		const char *v;
		switch (key_split(r->where[i], &v)) {
		case K_NAME:
		case K_ACCOUNT:
			list_items(v, &names, &nn);
			break;
		case K_CLUSTER:
			cl = v;
			break;
		case K_DESCR:
			descr = v;
			break;
		case K_ORG:
			org = v;
			break;
		case K_PARENT:
			parent = v;
			break;
		default:
			unknown_option(err, r->where[i]);
			goto out;
		}
	}
	char *par = acctmgr_lower(xstrdup(parent));
	if (nn == 0) {
		buf_printf(err, " Need name of account to add.\n");
		goto out_par;
	}
	if (pick_clusters(t, cl, &clusters, &nc, err))
		goto out_par;
	if (nc == 0) {
		buf_printf(err, " Can't add accounts, no cluster defined yet.\n Please contact your "
		                "administrator.\n");
		goto out_par;
	}
	for (uint32_t c = 0; c < nc; c++)
		if (acctmgr_find_assoc(t, clusters[c], par, NULL, NULL) == NULL) {
			buf_printf(err, " error: Parent account '%s' doesn't exist on cluster %s\n", par,
			    clusters[c]);
			goto out_par;
		}
	struct buf accts, assocs;
	buf_init(&accts);
	buf_init(&assocs);
	const char *first = NULL;
	for (uint32_t i = 0; i < nn; i++) {
		if (find_account(t, names[i]) == NULL) {
			add_account_row(t, names[i], descr ? descr : names[i], org ? org : names[i]);
			buf_printf(&accts, "  %s\n", names[i]);
			if (first == NULL)
				first = names[i];
		}
		for (uint32_t c = 0; c < nc; c++) {
			if (acctmgr_find_assoc(t, clusters[c], names[i], NULL, NULL))
				continue;
			add_assoc_row(t, clusters[c], names[i], NULL, NULL, par);
			buf_printf(&assocs, "  A = %-10.10s C = %-10.10s\n", names[i], clusters[c]);
		}
	}
	if (accts.len) {
		buf_printf(text, " Adding Account(s)\n%s", buf_str(&accts));
		buf_printf(text, "  Description     = %s\n", descr ? descr : first);
		buf_printf(text, "  Organization    = %s\n", org ? org : first);
	}
	if (assocs.len)
		buf_printf(text, " Associations\n%s", buf_str(&assocs));
	if (accts.len == 0 && assocs.len == 0)
		buf_printf(text, " Nothing new added.\n");
	else
		rc = 0;
	buf_free(&accts);
	buf_free(&assocs);
out_par:
	free(par);
out:
	strv_free(names, nn);
	strv_free(clusters, nc);
	return rc;
}

static int
add_user(struct acct_tables *t, const struct acct_mgr_req *r, struct buf *text, struct buf *err)
{
	char **names = NULL, **accts = NULL, **clusters = NULL, **parts = NULL;
	uint32_t nn = 0, na = 0, nc = 0, np = 0;
	const char *cl = NULL, *defacct = NULL;
	int admin = -1, rc = 1;
	add_names(r, &names, &nn);
	for (uint32_t i = 0; i < r->where_cnt; i++) {
		const char *v;
		switch (key_split(r->where[i], &v)) {
		case K_NAME:
		case K_USER:
			list_items(v, &names, &nn);
			break;
		case K_ACCOUNT:
			list_items(v, &accts, &na);
			break;
		case K_CLUSTER:
			cl = v;
			break;
		case K_PARTITION:
			list_items(v, &parts, &np);
			break;
		case K_DEFACCT:
			defacct = v;
			break;
		case K_ADMIN:
			admin = admin_parse(v);
			if (admin < 0) {
				buf_printf(err, " Unknown AdminLevel: %s\n", v);
				goto out;
			}
			break;
		default:
			unknown_option(err, r->where[i]);
			goto out;
		}
	}
	char *def = defacct ? acctmgr_lower(xstrdup(defacct)) : NULL;
	if (nn == 0) {
		buf_printf(err, " Need name of user to add.\n");
		goto out_def;
	}
	if (def && na == 0)
		strv_add(&accts, &na, def);
	if (na == 0) {
		buf_printf(err, " Need name of acct to add user to.\n");
		goto out_def;
	}
	for (uint32_t i = 0; i < na; i++)
		if (find_account(t, accts[i]) == NULL) {
			buf_printf(err,
			    " This account '%s' doesn't exist.\n        Contact your admin to add this "
			    "account.\n",
			    accts[i]);
			goto out_def;
		}
	if (pick_clusters(t, cl, &clusters, &nc, err))
		goto out_def;
	if (np == 0)
		strv_add(&parts, &np, "");
	struct buf users, assocs;
	buf_init(&users);
	buf_init(&assocs);
	for (uint32_t i = 0; i < nn; i++) {
		uint32_t before = t->assocs_cnt;
		for (uint32_t a = 0; a < na; a++)
			for (uint32_t c = 0; c < nc; c++) {
				if (acctmgr_find_assoc(t, clusters[c], accts[a], NULL, NULL) == NULL)
					continue; /* the account is not on that cluster */
				for (uint32_t p = 0; p < np; p++) {
					if (acctmgr_find_assoc(t, clusters[c], accts[a], names[i], parts[p]))
						continue;
					add_assoc_row(t, clusters[c], accts[a], names[i], parts[p], accts[a]);
					if (*parts[p])
						buf_printf(&assocs,
						    "  U = %-9.9s A = %-10.10s C = %-10.10s P = %-10.10s\n",
						    names[i], accts[a], clusters[c], parts[p]);
					else
						buf_printf(&assocs,
						    "  U = %-9.9s A = %-10.10s C = %-10.10s\n", names[i],
						    accts[a], clusters[c]);
				}
			}
		if (acctmgr_find_user(t, names[i]) == NULL && t->assocs_cnt > before) {
			add_user_row(t, names[i], def ? def : accts[0],
			    admin > 0 ? (uint32_t)admin : ACCTMGR_ADMIN_NONE);
			buf_printf(&users, "  %s\n", names[i]);
		}
	}
	if (users.len) {
		buf_printf(text, " Adding User(s)\n%s", buf_str(&users));
		buf_printf(text, "  Default Account = %s\n", def ? def : accts[0]);
		if (admin > 0)
			buf_printf(text, "  Admin Level     = %s\n", acctmgr_admin_name((uint32_t)admin));
	}
	if (assocs.len)
		buf_printf(text, " Associations =\n%s", buf_str(&assocs));
	if (users.len == 0 && assocs.len == 0)
		buf_printf(text, " Nothing new added.\n");
	else
		rc = 0;
	buf_free(&users);
	buf_free(&assocs);
out_def:
	free(def);
out:
	strv_free(names, nn);
	strv_free(accts, na);
	strv_free(clusters, nc);
	strv_free(parts, np);
	return rc;
}

/* --- modify --------------------------------------------------------------- */

/* the association settings of a set clause */
struct assoc_set {
	int any;
	int64_t shares; /* -1: unchanged */
	const char *qos, *def_qos;
};

static int
qos_valid(const char *list)
{
	char **v = NULL;
	uint32_t n = 0;
	list_items(list, &v, &n);
	int ok = 1;
	for (uint32_t i = 0; i < n; i++)
		ok &= strcmp(v[i], "normal") == 0;
	strv_free(v, n);
	return ok;
}

/* K_SHARES / K_QOS / K_DEFQOS of a set clause: 1 taken, 0 not such a
 * key, -1 bad value (err written) */
static int
assoc_set_take(struct assoc_set *s, enum key k, const char *kv, const char *v, struct buf *err)
{
	switch (k) {
	case K_SHARES: {
		char *end;
		long n = strtol(v, &end, 10);
		if (*v == '\0' || *end != '\0' || n < 0) {
			buf_printf(err, " Bad Fairshare value: %s\n", v);
			return -1;
		}
		s->shares = n;
		break;
	}
	case K_QOS:
	case K_DEFQOS:
		if (*v && !qos_valid(v)) {
			buf_printf(err, " error: Problem getting qos %s: Invalid qos specification\n", v);
			return -1;
		}
		if (k == K_QOS)
			s->qos = v;
		else
			s->def_qos = v;
		break;
	default:
		return 0;
	}
	s->any = 1;
	return 1;
}

static int
assoc_set_apply(struct acct_assoc *a, const struct assoc_set *s)
{
	int changed = 0;
	if (s->shares >= 0 && a->shares != (uint32_t)s->shares) {
		a->shares = (uint32_t)s->shares;
		changed = 1;
	}
	if (s->qos && !streq(a->qos, s->qos)) {
		set_str(&a->qos, s->qos);
		acctmgr_lower(a->qos);
		changed = 1;
	}
	if (s->def_qos && !streq(a->def_qos, s->def_qos)) {
		set_str(&a->def_qos, s->def_qos);
		acctmgr_lower(a->def_qos);
		changed = 1;
	}
	return changed;
}

static void
assoc_line(struct buf *b, const struct acct_assoc *a)
{
	buf_printf(
	    b, "  C = %-10.10s A = %-10.10s U = %-9.9s\n", a->cluster, a->account, a->user ? a->user : "");
}

/* where keys that restrict which associations of a user/account change */
static int
assoc_in_scope(const struct acct_assoc *a, const struct acct_mgr_req *r)
{
	for (uint32_t i = 0; i < r->where_cnt; i++) {
		const char *v;
		enum key k = key_split(r->where[i], &v);
		if (k == K_CLUSTER && !in_list(v, a->cluster))
			return 0;
		if (k == K_PARTITION && !in_list(v, a->partition))
			return 0;
	}
	return 1;
}

static int
user_where_accounts(const struct acct_mgr_req *r, const struct acct_assoc *a)
{
	for (uint32_t i = 0; i < r->where_cnt; i++) {
		const char *v;
		if (key_split(r->where[i], &v) == K_ACCOUNT && !in_list(v, a->account))
			return 0;
	}
	return 1;
}

static int
modify(struct acct_tables *t, const struct acct_mgr_req *r, struct buf *text, struct buf *err)
{
	struct assoc_set as = {.shares = -1};
	const char *descr = NULL, *org = NULL, *defacct = NULL;
	int admin = -1;
	if (r->set_cnt == 0) {
		buf_printf(err, " You didn't give me anything to set\n");
		return 1;
	}
	for (uint32_t i = 0; i < r->set_cnt; i++) {
		const char *v;
		enum key k = key_split(r->set[i], &v);
		int took = assoc_set_take(&as, k, r->set[i], v, err);
		if (took < 0)
			return 1;
		if (took)
			continue;
		if (k == K_DESCR && r->entity == ACCTMGR_ACCOUNT)
			descr = v;
		else if (k == K_ORG && r->entity == ACCTMGR_ACCOUNT)
			org = v;
		else if (k == K_DEFACCT && r->entity == ACCTMGR_USER)
			defacct = v;
		else if (k == K_ADMIN && r->entity == ACCTMGR_USER) {
			admin = admin_parse(v);
			if (admin < 0) {
				buf_printf(err, " Unknown AdminLevel: %s\n", v);
				return 1;
			}
		} else {
			unknown_option(err, r->set[i]);
			return 1;
		}
	}
	if (r->entity == ACCTMGR_CLUSTER && !as.any) {
		buf_printf(err, " You didn't give me anything to set\n");
		return 1;
	}
	struct buf rows, arows;
	buf_init(&rows);
	buf_init(&arows);
	int rc = 1;
	switch (r->entity) {
	case ACCTMGR_ACCOUNT:
		for (uint32_t i = 0; i < t->accounts_cnt; i++) {
			struct acct_account *a = &t->accounts[i];
			int m = acctmgr_match_account(t, a, r->where, r->where_cnt, err);
			if (m < 0)
				goto out;
			if (!m)
				continue;
			int ch = 0;
			if (descr && !streq(a->description, descr)) {
				set_str(&a->description, descr);
				ch = 1;
			}
			if (org && !streq(a->organization, org)) {
				set_str(&a->organization, org);
				ch = 1;
			}
			if (ch)
				buf_printf(&rows, "  %s\n", a->name);
			for (uint32_t k = 0; as.any && k < t->assocs_cnt; k++) {
				struct acct_assoc *s = &t->assocs[k];
				if (s->user == NULL && streq(s->account, a->name) && assoc_in_scope(s, r) &&
				    assoc_set_apply(s, &as))
					assoc_line(&arows, s);
			}
		}
		if (rows.len)
			buf_printf(text, " Modified accounts...\n%s", buf_str(&rows));
		if (arows.len)
			buf_printf(text, " Modified account associations...\n%s", buf_str(&arows));
		break;
	case ACCTMGR_USER:
		for (uint32_t i = 0; i < t->users_cnt; i++) {
			struct acct_user *u = &t->users[i];
			int m = acctmgr_match_user(t, u, r->where, r->where_cnt, err);
			if (m < 0)
				goto out;
			if (!m)
				continue;
			int ch = 0;
			if (defacct && !streq(u->default_account, defacct)) {
				if (!user_has_assoc(t, u->name, defacct, NULL)) {
					buf_printf(err,
					    " Can't modify because these users aren't associated with new "
					    "default "
					    "account '%s'...\n  %s\n",
					    defacct, u->name);
					goto out;
				}
				set_str(&u->default_account, defacct);
				acctmgr_lower(u->default_account);
				ch = 1;
			}
			if (admin > 0 && u->admin_level != (uint32_t)admin) {
				u->admin_level = (uint32_t)admin;
				ch = 1;
			}
			if (ch)
				buf_printf(&rows, "  %s\n", u->name);
			for (uint32_t k = 0; as.any && k < t->assocs_cnt; k++) {
				struct acct_assoc *s = &t->assocs[k];
				if (streq(s->user, u->name) && assoc_in_scope(s, r) &&
				    user_where_accounts(r, s) && assoc_set_apply(s, &as))
					assoc_line(&arows, s);
			}
		}
		if (rows.len)
			buf_printf(text, " Modified users...\n%s", buf_str(&rows));
		if (arows.len)
			buf_printf(text, " Modified user associations...\n%s", buf_str(&arows));
		break;
	case ACCTMGR_ASSOC:
	case ACCTMGR_CLUSTER:
		for (uint32_t k = 0; k < t->assocs_cnt; k++) {
			struct acct_assoc *s = &t->assocs[k];
			int m;
			if (r->entity == ACCTMGR_CLUSTER) {
				struct acct_cluster *c = find_cluster(t, s->cluster);
				m = c ? acctmgr_match_cluster(c, r->where, r->where_cnt, err) : 0;
				/* a cluster's settings are those of its root association */
				m = m > 0 ? (s->user == NULL && streq(s->account, "root")) : m;
			} else
				m = acctmgr_match_assoc(s, r->where, r->where_cnt, err);
			if (m < 0)
				goto out;
			if (m && assoc_set_apply(s, &as))
				assoc_line(&arows, s);
		}
		if (arows.len)
			buf_printf(text, " Modified account associations...\n%s", buf_str(&arows));
		break;
	default:
		buf_printf(err, " Modifying this entity is not supported\n");
		goto out;
	}
	if (rows.len == 0 && arows.len == 0)
		buf_printf(text, " Nothing modified\n");
	else
		rc = 0;
out:
	buf_free(&rows);
	buf_free(&arows);
	return rc;
}

/* --- delete ------------------------------------------------------------- */

/* drop users left without any association; fix default accounts */
static void
tidy_users(struct acct_tables *t)
{
	char *drop = xcalloc(t->users_cnt + 1, 1);
	for (uint32_t i = 0; i < t->users_cnt; i++) {
		struct acct_user *u = &t->users[i];
		const struct acct_assoc *first = NULL;
		int has_def = 0;
		for (uint32_t k = 0; k < t->assocs_cnt; k++) {
			const struct acct_assoc *a = &t->assocs[k];
			if (!streq(a->user, u->name))
				continue;
			if (first == NULL)
				first = a;
			has_def |= streq(a->account, u->default_account);
		}
		if (first == NULL)
			drop[i] = 1;
		else if (!has_def)
			set_str(&u->default_account, first->account);
	}
	drop_rows(t->users, &t->users_cnt, sizeof(*t->users), &rdesc_acct_user, drop);
	free(drop);
}

static int delete (struct acct_tables *t, const struct acct_mgr_req *r, struct buf *text, struct buf *err)
{
	/* bare names are Name= */
	char **where = NULL;
	uint32_t nw = 0;
	for (uint32_t i = 0; i < r->where_cnt; i++)
		strv_add(&where, &nw, r->where[i]);
	for (uint32_t i = 0; i < r->names_cnt; i++)
		strv_addf(&where, &nw, "name=%s", r->names[i]);
	if (nw == 0) {
		buf_printf(err, " No conditions given\n");
		return 1;
	}
	char *adrop = xcalloc(t->assocs_cnt + 1, 1);
	struct buf rows;
	buf_init(&rows);
	const char *what = NULL;
	int rc = 1;
	int scoped = 0; /* only some associations of the entity */
	for (uint32_t i = 0; i < nw; i++) {
		const char *v;
		enum key k = key_split(where[i], &v);
		if ((r->entity == ACCTMGR_ACCOUNT && k == K_CLUSTER) ||
		    (r->entity == ACCTMGR_USER && (k == K_CLUSTER || k == K_ACCOUNT || k == K_PARTITION)))
			scoped = 1;
	}
	switch (r->entity) {
	case ACCTMGR_CLUSTER: {
		char *cdrop = xcalloc(t->clusters_cnt + 1, 1);
		for (uint32_t i = 0; i < t->clusters_cnt; i++) {
			int m = acctmgr_match_cluster(&t->clusters[i], where, nw, err);
			if (m < 0) {
				free(cdrop);
				goto out;
			}
			if (!m)
				continue;
			cdrop[i] = 1;
			buf_printf(&rows, "  %s\n", t->clusters[i].name);
			for (uint32_t k = 0; k < t->assocs_cnt; k++)
				if (streq(t->assocs[k].cluster, t->clusters[i].name))
					adrop[k] = 1;
		}
		drop_rows(t->clusters, &t->clusters_cnt, sizeof(*t->clusters), &rdesc_acct_cluster, cdrop);
		free(cdrop);
		what = " Deleting clusters...\n";
		break;
	}
	case ACCTMGR_ACCOUNT: {
		char *xdrop = xcalloc(t->accounts_cnt + 1, 1);
		for (uint32_t i = 0; i < t->accounts_cnt; i++) {
			struct acct_account *a = &t->accounts[i];
			int m = acctmgr_match_account(t, a, where, nw, err);
			if (m < 0) {
				free(xdrop);
				goto out;
			}
			if (!m)
				continue;
			if (strcmp(a->name, "root") == 0) {
				buf_printf(err, " Error with request: You can not delete the root account\n");
				free(xdrop);
				goto out;
			}
			for (uint32_t k = 0; k < t->assocs_cnt; k++) {
				struct acct_assoc *s = &t->assocs[k];
				if (s->user == NULL && streq(s->parent, a->name) && assoc_in_scope(s, r)) {
					buf_printf(err,
					    " Error with request: Account %s has sub-account %s\n", a->name,
					    s->account);
					free(xdrop);
					goto out;
				}
			}
			int any = 0;
			for (uint32_t k = 0; k < t->assocs_cnt; k++) {
				struct acct_assoc *s = &t->assocs[k];
				if (streq(s->account, a->name) && (!scoped || assoc_in_scope(s, r))) {
					adrop[k] = 1;
					if (s->user == NULL && scoped)
						buf_printf(&rows, "  C = %-10.10s A = %-10.10s\n", s->cluster,
						    s->account);
					any = 1;
				}
			}
			if (!scoped) {
				xdrop[i] = 1;
				buf_printf(&rows, "  %s\n", a->name);
			} else if (!any)
				continue;
		}
		drop_rows(t->assocs, &t->assocs_cnt, sizeof(*t->assocs), &rdesc_acct_assoc, adrop);
		memset(adrop, 0, t->assocs_cnt + 1);
		/* an account left with no association goes too */
		for (uint32_t i = 0; i < t->accounts_cnt; i++) {
			int left = 0;
			for (uint32_t k = 0; k < t->assocs_cnt && !left; k++)
				left = streq(t->assocs[k].account, t->accounts[i].name);
			if (!left && strcmp(t->accounts[i].name, "root") != 0)
				xdrop[i] = 1;
		}
		drop_rows(t->accounts, &t->accounts_cnt, sizeof(*t->accounts), &rdesc_acct_account, xdrop);
		free(xdrop);
		what = scoped ? " Deleting account associations...\n" : " Deleting accounts...\n";
		break;
	}
	case ACCTMGR_USER:
		for (uint32_t i = 0; i < t->users_cnt; i++) {
			struct acct_user *u = &t->users[i];
			int m = acctmgr_match_user(t, u, where, nw, err);
			if (m < 0)
				goto out;
			if (!m)
				continue;
			if (!scoped)
				buf_printf(&rows, "  %s\n", u->name);
			for (uint32_t k = 0; k < t->assocs_cnt; k++) {
				struct acct_assoc *s = &t->assocs[k];
				if (!streq(s->user, u->name))
					continue;
				if (scoped) {
					int in = assoc_in_scope(s, r);
					for (uint32_t w = 0; w < nw && in; w++) {
						const char *v;
						if (key_split(where[w], &v) == K_ACCOUNT &&
						    !in_list(v, s->account))
							in = 0;
					}
					if (!in)
						continue;
					assoc_line(&rows, s);
				}
				adrop[k] = 1;
			}
		}
		what = scoped ? " Deleting user associations...\n" : " Deleting users...\n";
		break;
	default:
		buf_printf(err, " Deleting this entity is not supported\n");
		goto out;
	}
	drop_rows(t->assocs, &t->assocs_cnt, sizeof(*t->assocs), &rdesc_acct_assoc, adrop);
	tidy_users(t);
	if (rows.len == 0)
		buf_printf(text, " Nothing deleted\n");
	else {
		buf_printf(text, "%s%s", what, buf_str(&rows));
		rc = 0;
	}
out:
	free(adrop);
	buf_free(&rows);
	strv_free(where, nw);
	return rc;
}

int
acctmgr_apply(
    struct acct_tables *t, const struct acct_mgr_req *r, int64_t now, struct buf *text, struct buf *err)
{
	if (r->op == ACCTMGR_ADD) {
		switch (r->entity) {
		case ACCTMGR_CLUSTER:
			return add_cluster(t, r, now, text, err);
		case ACCTMGR_ACCOUNT:
			return add_account(t, r, text, err);
		case ACCTMGR_USER:
			return add_user(t, r, text, err);
		default:
			buf_printf(err, " Adding this entity is not supported\n");
			return 1;
		}
	}
	if (r->op == ACCTMGR_MODIFY)
		return modify(t, r, text, err);
	if (r->op == ACCTMGR_DELETE)
		return delete (t, r, text, err);
	buf_printf(err, " Unknown request\n");
	return 1;
}

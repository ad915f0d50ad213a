/* SPDX-License-Identifier: MIT */
/*
 * sacctmgr's add / modify / delete on the association tables
 * (acctmgr_apply), with the text Slurm prints for each.  The tables
 * themselves, lookups and where-clause matching are in acctmgr.c.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "acct/acctmgr.h"
#include "acct/acctmgr_int.h"
#include "base/xmalloc.h"

/* --- add ---------------------------------------------------------------- */

/* The names of an add: bare words and Name=. */
static void
add_names(const struct acct_mgr_req *r, char ***v, uint32_t *n)
{
	for (uint32_t i = 0; i < r->names_cnt; i++)
		acctmgr_list_items(r->names[i], v, n);
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
		if (acctmgr_key_split(r->where[i], &v) == K_NAME ||
		    acctmgr_key_split(r->where[i], &v) == K_CLUSTER)
			acctmgr_list_items(v, &names, &nn);
		else {
			acctmgr_unknown_option(err, r->where[i]);
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
		if (acctmgr_find_cluster(t, names[i])) {
			buf_printf(text, " This cluster %s already exists.  Not adding.\n", names[i]);
			continue;
		}
		acctmgr_add_cluster_row(t, names[i])->time_created = now;
		acctmgr_ensure_root(t, names[i]);
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
		acctmgr_list_items(list, v, n);
		for (uint32_t i = 0; i < *n; i++)
			if (acctmgr_find_cluster(t, (*v)[i]) == NULL) {
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
		switch (acctmgr_key_split(r->where[i], &v)) {
		case K_NAME:
		case K_ACCOUNT:
			acctmgr_list_items(v, &names, &nn);
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
			acctmgr_unknown_option(err, r->where[i]);
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
		if (acctmgr_find_account(t, names[i]) == NULL) {
			acctmgr_add_account_row(t, names[i], descr ? descr : names[i], org ? org : names[i]);
			buf_printf(&accts, "  %s\n", names[i]);
			if (first == NULL)
				first = names[i];
		}
		for (uint32_t c = 0; c < nc; c++) {
			if (acctmgr_find_assoc(t, clusters[c], names[i], NULL, NULL))
				continue;
			acctmgr_add_assoc_row(t, clusters[c], names[i], NULL, NULL, par);
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
		switch (acctmgr_key_split(r->where[i], &v)) {
		case K_NAME:
		case K_USER:
			acctmgr_list_items(v, &names, &nn);
			break;
		case K_ACCOUNT:
			acctmgr_list_items(v, &accts, &na);
			break;
		case K_CLUSTER:
			cl = v;
			break;
		case K_PARTITION:
			acctmgr_list_items(v, &parts, &np);
			break;
		case K_DEFACCT:
			defacct = v;
			break;
		case K_ADMIN:
			admin = acctmgr_admin_parse(v);
			if (admin < 0) {
				buf_printf(err, " Unknown AdminLevel: %s\n", v);
				goto out;
			}
			break;
		default:
			acctmgr_unknown_option(err, r->where[i]);
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
		if (acctmgr_find_account(t, accts[i]) == NULL) {
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
					acctmgr_add_assoc_row(
					    t, clusters[c], accts[a], names[i], parts[p], accts[a]);
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
			acctmgr_add_user_row(t, names[i], def ? def : accts[0],
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
	acctmgr_list_items(list, &v, &n);
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
	if (s->qos && !acctmgr_streq(a->qos, s->qos)) {
		acctmgr_set_str(&a->qos, s->qos);
		acctmgr_lower(a->qos);
		changed = 1;
	}
	if (s->def_qos && !acctmgr_streq(a->def_qos, s->def_qos)) {
		acctmgr_set_str(&a->def_qos, s->def_qos);
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
		enum key k = acctmgr_key_split(r->where[i], &v);
		if (k == K_CLUSTER && !acctmgr_in_list(v, a->cluster))
			return 0;
		if (k == K_PARTITION && !acctmgr_in_list(v, a->partition))
			return 0;
	}
	return 1;
}

static int
user_where_accounts(const struct acct_mgr_req *r, const struct acct_assoc *a)
{
	for (uint32_t i = 0; i < r->where_cnt; i++) {
		const char *v;
		if (acctmgr_key_split(r->where[i], &v) == K_ACCOUNT && !acctmgr_in_list(v, a->account))
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
		enum key k = acctmgr_key_split(r->set[i], &v);
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
			admin = acctmgr_admin_parse(v);
			if (admin < 0) {
				buf_printf(err, " Unknown AdminLevel: %s\n", v);
				return 1;
			}
		} else {
			acctmgr_unknown_option(err, r->set[i]);
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
			if (descr && !acctmgr_streq(a->description, descr)) {
				acctmgr_set_str(&a->description, descr);
				ch = 1;
			}
			if (org && !acctmgr_streq(a->organization, org)) {
				acctmgr_set_str(&a->organization, org);
				ch = 1;
			}
			if (ch)
				buf_printf(&rows, "  %s\n", a->name);
			for (uint32_t k = 0; as.any && k < t->assocs_cnt; k++) {
				struct acct_assoc *s = &t->assocs[k];
				if (s->user == NULL && acctmgr_streq(s->account, a->name) &&
				    assoc_in_scope(s, r) && assoc_set_apply(s, &as))
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
			if (defacct && !acctmgr_streq(u->default_account, defacct)) {
				if (!acctmgr_user_has_assoc(t, u->name, defacct, NULL)) {
					buf_printf(err,
					    " Can't modify because these users aren't associated with new "
					    "default "
					    "account '%s'...\n  %s\n",
					    defacct, u->name);
					goto out;
				}
				acctmgr_set_str(&u->default_account, defacct);
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
				if (acctmgr_streq(s->user, u->name) && assoc_in_scope(s, r) &&
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
				struct acct_cluster *c = acctmgr_find_cluster(t, s->cluster);
				m = c ? acctmgr_match_cluster(c, r->where, r->where_cnt, err) : 0;
				/* a cluster's settings are those of its root association */
				m = m > 0 ? (s->user == NULL && acctmgr_streq(s->account, "root")) : m;
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
			if (!acctmgr_streq(a->user, u->name))
				continue;
			if (first == NULL)
				first = a;
			has_def |= acctmgr_streq(a->account, u->default_account);
		}
		if (first == NULL)
			drop[i] = 1;
		else if (!has_def)
			acctmgr_set_str(&u->default_account, first->account);
	}
	acctmgr_drop_rows(t->users, &t->users_cnt, sizeof(*t->users), &rdesc_acct_user, drop);
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
		enum key k = acctmgr_key_split(where[i], &v);
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
				if (acctmgr_streq(t->assocs[k].cluster, t->clusters[i].name))
					adrop[k] = 1;
		}
		acctmgr_drop_rows(
		    t->clusters, &t->clusters_cnt, sizeof(*t->clusters), &rdesc_acct_cluster, cdrop);
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
				if (s->user == NULL && acctmgr_streq(s->parent, a->name) &&
				    assoc_in_scope(s, r)) {
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
				if (acctmgr_streq(s->account, a->name) && (!scoped || assoc_in_scope(s, r))) {
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
		acctmgr_drop_rows(t->assocs, &t->assocs_cnt, sizeof(*t->assocs), &rdesc_acct_assoc, adrop);
		memset(adrop, 0, t->assocs_cnt + 1);
		/* an account left with no association goes too */
		for (uint32_t i = 0; i < t->accounts_cnt; i++) {
			int left = 0;
			for (uint32_t k = 0; k < t->assocs_cnt && !left; k++)
				left = acctmgr_streq(t->assocs[k].account, t->accounts[i].name);
			if (!left && strcmp(t->accounts[i].name, "root") != 0)
				xdrop[i] = 1;
		}
		acctmgr_drop_rows(
		    t->accounts, &t->accounts_cnt, sizeof(*t->accounts), &rdesc_acct_account, xdrop);
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
				if (!acctmgr_streq(s->user, u->name))
					continue;
				if (scoped) {
					int in = assoc_in_scope(s, r);
					for (uint32_t w = 0; w < nw && in; w++) {
						const char *v;
						if (acctmgr_key_split(where[w], &v) == K_ACCOUNT &&
						    !acctmgr_in_list(v, s->account))
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
	acctmgr_drop_rows(t->assocs, &t->assocs_cnt, sizeof(*t->assocs), &rdesc_acct_assoc, adrop);
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

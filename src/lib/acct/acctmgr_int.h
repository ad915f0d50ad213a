/* SPDX-License-Identifier: MIT */
/*
 * Internals shared by acctmgr.c (the tables, lookups, matching) and
 * acctmgr_apply.c (add / modify / delete); not for other modules.
 */
#ifndef HERD_ACCTMGR_INT_H
#define HERD_ACCTMGR_INT_H

#include "acct/acctmgr.h"

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

/* "Key=value" -> key id and value (borrowed); K_NONE when unknown */
enum key acctmgr_key_split(const char *kv, const char **val);
int acctmgr_streq(const char *a, const char *b);
void acctmgr_list_items(const char *list, char ***v, uint32_t *n);
void acctmgr_unknown_option(struct buf *err, const char *kv);
void acctmgr_unknown_condition(struct buf *err, const char *kv);
struct acct_cluster *acctmgr_find_cluster(const struct acct_tables *t, const char *name);
struct acct_account *acctmgr_find_account(const struct acct_tables *t, const char *name);
struct acct_cluster *acctmgr_add_cluster_row(struct acct_tables *t, const char *name);
struct acct_account *acctmgr_add_account_row(
    struct acct_tables *t, const char *name, const char *descr, const char *org);
struct acct_user *acctmgr_add_user_row(
    struct acct_tables *t, const char *name, const char *def_acct, uint32_t admin);
struct acct_assoc *acctmgr_add_assoc_row(struct acct_tables *t, const char *cluster, const char *account,
    const char *user, const char *partition, const char *parent);
void acctmgr_drop_rows(void *arr, uint32_t *cnt, size_t size, const struct rdesc *d, const char *drop);
void acctmgr_set_str(char **field, const char *v);
int acctmgr_ensure_root(struct acct_tables *t, const char *cluster);
int acctmgr_user_has_assoc(
    const struct acct_tables *t, const char *user, const char *accounts, const char *clusters);
int acctmgr_admin_parse(const char *s);

#endif

/* SPDX-License-Identifier: MIT */
/*
 * The association model behind sacctmgr: clusters, accounts, users and
 * their associations (struct acct_tables, records.h), and the add /
 * modify / delete operations on it with the text Slurm's sacctmgr prints.
 * herddbd applies requests here (on a copy, then stores the result);
 * sacctmgr selects rows for show with the same where-clause matching;
 * herdctld looks associations up to check sbatch -A.
 */
#ifndef HERD_ACCTMGR_H
#define HERD_ACCTMGR_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "proto/proto.h"

enum acctmgr_op { ACCTMGR_ADD = 1, ACCTMGR_MODIFY, ACCTMGR_DELETE, ACCTMGR_SHOW };
enum acctmgr_entity {
	ACCTMGR_CLUSTER = 1,
	ACCTMGR_ACCOUNT,
	ACCTMGR_USER,
	ACCTMGR_ASSOC,
	ACCTMGR_QOS,
	ACCTMGR_TRES,
};

/* acct_mgr_req.flags */
#define ACCTMGR_COMMIT 0x1U /* apply; without it herddbd only says what would change */

/* acct_user.admin_level */
#define ACCTMGR_ADMIN_NONE 1U
#define ACCTMGR_ADMIN_OPERATOR 2U
#define ACCTMGR_ADMIN_ADMIN 3U

/* Slurm 22.05's protocol version, shown as the RPC of a cluster */
#define ACCTMGR_RPC_VERSION 9728U

/* "None", "Operator", "Administrator" */
const char *acctmgr_admin_name(uint32_t level);

/* "cluster", "clusters" -> ACCTMGR_CLUSTER ...; 0 when unknown */
int acctmgr_entity_parse(const char *word);
/* "add", "create" -> ACCTMGR_ADD ...; 0 when unknown */
int acctmgr_op_parse(const char *word);

/* Apply one add/modify/delete to t.  Writes what sacctmgr prints: text
 * (stdout) and err (stderr).  Returns 0 when t changed, 1 when nothing
 * changed or the request is bad (sacctmgr's exit status). */
int acctmgr_apply(
    struct acct_tables *t, const struct acct_mgr_req *r, int64_t now, struct buf *text, struct buf *err);

/* A cluster's controller reports in: add the cluster (with the root
 * account, its association and root's) when new, update its address.
 * Returns 1 when t changed. */
int acctmgr_register(
    struct acct_tables *t, const char *cluster, const char *host, uint32_t port, int64_t now);

/* x is one of the comma-separated items of list (case-insensitive);
 * list NULL has none */
int acctmgr_in_list(const char *list, const char *x);

/* Where-clause matching for show: 1 when the row matches every
 * "key=v1,v2" of where (case-insensitive keys and values).  -1 with
 * Slurm's message in err for an unknown key. */
int acctmgr_match_cluster(const struct acct_cluster *c, char **where, uint32_t n, struct buf *err);
int acctmgr_match_account(
    const struct acct_tables *t, const struct acct_account *a, char **where, uint32_t n, struct buf *err);
int acctmgr_match_user(
    const struct acct_tables *t, const struct acct_user *u, char **where, uint32_t n, struct buf *err);
int acctmgr_match_assoc(const struct acct_assoc *a, char **where, uint32_t n, struct buf *err);

/* Associations in Slurm's order: by cluster, then the account tree from
 * root, each account followed by its users, then its sub-accounts.
 * Returns a malloc'd array of n indexes into t->assocs. */
uint32_t *acctmgr_assoc_order(const struct acct_tables *t, uint32_t *n);

/* Lookups (NULL when absent).  user NULL or "" is the account's own
 * association; partition NULL matches any. */
const struct acct_user *acctmgr_find_user(const struct acct_tables *t, const char *name);
const struct acct_assoc *acctmgr_find_assoc(const struct acct_tables *t, const char *cluster,
    const char *account, const char *user, const char *partition);

/* Lower-case s in place; returns s. */
char *acctmgr_lower(char *s);

#endif

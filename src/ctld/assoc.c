/* SPDX-License-Identifier: MIT */
/*
 * herdctld's copy of the association tables and the account check at
 * submission.  herddbd sends the tables when the controller registers
 * and again after every sacctmgr change (acct_link.c hands them here),
 * so the copy follows the database without polling; it is also kept in
 * StateSaveLocation/assoc.cache for a start while herddbd is down.
 *
 * At submission a job without -A gets its user's default account (when
 * the user has an association on this cluster), and a job without --qos
 * its association's default QOS (normal).  With
 * AccountingStorageEnforce=associations (or limits, qos, safe, all,
 * which imply it) an account the user has no association with, a user
 * with none at all, or a QOS the association does not allow, is refused
 * as Slurm refuses it.
 */
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "acct/acctmgr.h"
#include "base/log.h"
#include "base/xmalloc.h"
#include "ctld.h"

static char *
cache_path(struct ctld *c)
{
	return xasprintf("%s/assoc.cache", c->conf->state_save_location);
}

/* AccountingStorageEnforce asks for associations */
static int
enforced(const struct herd_conf *cf)
{
	const char *e = cf->acct_storage_enforce;
	if (e == NULL)
		return 0;
	char *copy = xstrdup(e), *save = NULL;
	int on = 0;
	for (char *w = strtok_r(copy, ",", &save); w; w = strtok_r(NULL, ",", &save))
		on |= strcasecmp(w, "associations") == 0 || strcasecmp(w, "limits") == 0 ||
		      strcasecmp(w, "qos") == 0 || strcasecmp(w, "safe") == 0 || strcasecmp(w, "all") == 0;
	free(copy);
	return on;
}

void
assoc_open(struct ctld *c)
{
	char *path = cache_path(c);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	free(path);
	if (fd < 0)
		return;
	struct buf b;
	buf_init(&b);
	int rc = buf_read_fd(&b, fd, WIRE_MAX_BODY);
	close(fd);
	struct acct_tables *t = xcalloc(1, sizeof(*t));
	if (rc < 0 || proto_unpack(&rdesc_acct_tables, b.data, b.len, t) < 0) {
		log_warnx("accounting: %s/assoc.cache unreadable; waiting for herddbd",
		    c->conf->state_save_location);
		free(t);
	} else {
		c->assoc = t;
		log_info("accounting: %u associations from assoc.cache", t->assocs_cnt);
	}
	buf_free(&b);
}

void
assoc_close(struct ctld *c)
{
	proto_destroy(&rdesc_acct_tables, c->assoc);
	c->assoc = NULL;
}

/*
 * Jobs accepted before the controller had any association data (a fresh
 * cluster whose first jobs beat herddbd's first answer) got no account:
 * they get their user's default now, as they would have at submission,
 * and accounting gets the corrected row.
 */
static void
assoc_fill_defaults(struct ctld *c)
{
	for (struct job *j = c->jobs_head; j; j = j->next) {
		if (j->desc == NULL || (j->desc->account && *j->desc->account))
			continue;
		const char *part = j->part >= 0 ? c->conf->parts[j->part].name : "";
		(void)assoc_job_check(c, j->desc, j->uid, part);
		if (j->desc->account && *j->desc->account) {
			state_job_update_lazy(c, j);
			j->acct_sig = 0; /* the account is not in the change signature */
			acct_job_changed(c, j);
		}
	}
}

void
assoc_update(struct ctld *c, struct acct_tables *t)
{
	int first = c->assoc == NULL;
	if (c->assoc == NULL)
		c->assoc = xcalloc(1, sizeof(*c->assoc));
	else
		proto_free(&rdesc_acct_tables, c->assoc);
	*c->assoc = *t;
	memset(t, 0, sizeof(*t));
	log_verbose("accounting: %u associations from herddbd", c->assoc->assocs_cnt);
	/* the cache: written whole, then renamed over the old one */
	struct buf b;
	buf_init(&b);
	proto_pack(&rdesc_acct_tables, c->assoc, &b);
	char *path = cache_path(c), *tmp = xasprintf("%s.new", path);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, b.data, b.len) != (ssize_t)b.len || close(fd) < 0 || rename(tmp, path) < 0)
		log_warn("accounting: cannot write %s", path);
	else
		fd = -1;
	if (fd >= 0)
		unlink(tmp);
	free(path);
	free(tmp);
	buf_free(&b);
	if (first)
		assoc_fill_defaults(c);
}

int
assoc_job_check(struct ctld *c, struct job_desc *d, uint32_t uid, const char *partition)
{
	if (d->account && *d->account)
		acctmgr_lower(d->account);
	if (d->qos && *d->qos)
		acctmgr_lower(d->qos);
	const struct acct_tables *t = c->assoc;
	int enforce = enforced(c->conf);
	if (t == NULL) {
		if (enforce)
			log_warnx("accounting: no association data from herddbd yet: account of uid %u not "
			          "checked",
			    uid);
		return 0;
	}
	struct passwd *pw = getpwuid(uid);
	char uidbuf[16];
	snprintf(uidbuf, sizeof(uidbuf), "%u", uid);
	const char *user = pw ? pw->pw_name : uidbuf;
	const char *cluster = c->conf->cluster_name;
	const char *account = d->account;
	if (account == NULL || *account == '\0') {
		const struct acct_user *u = acctmgr_find_user(t, user);
		account = u ? u->default_account : NULL;
	}
	const struct acct_assoc *a = NULL;
	if (account) {
		a = acctmgr_find_assoc(t, cluster, account, user, partition);
		if (a == NULL)
			a = acctmgr_find_assoc(t, cluster, account, user, "");
	}
	if (a == NULL) {
		if (!enforce)
			return 0;
		log_verbose("uid %u (%s): no association with account %s on cluster %s", uid, user,
		    account ? account : "(default)", cluster);
		return ESLURM_INVALID_ACCOUNT;
	}
	if (d->account == NULL || *d->account == '\0') {
		free(d->account);
		d->account = xstrdup(a->account);
	}
	/* the QOS: the association's default, else normal; one it allows */
	if (d->qos == NULL || *d->qos == '\0') {
		free(d->qos);
		d->qos = xstrdup(a->def_qos && *a->def_qos ? a->def_qos : "normal");
	} else if (enforce && !acctmgr_in_list(a->qos, d->qos) && strcmp(d->qos, "normal") != 0) {
		log_verbose("uid %u (%s): qos %s not allowed for account %s", uid, user, d->qos, a->account);
		return ESLURM_INVALID_QOS;
	}
	return 0;
}

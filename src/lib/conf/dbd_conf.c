/* SPDX-License-Identifier: MIT */
/*
 * slurmdbd.conf (config.md section 7): same line syntax as slurm.conf,
 * its own key table.  DbdHost and StorageType are required.
 */
#include "conf/conf.h"

#include <pwd.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "base/log.h"
#include "base/xmalloc.h"
#include "conf/conf_int.h"

#define D(f) offsetof(struct dbd_conf, f)

/* clang-format off */
const struct conf_key conf_dbd_keys[] = {
	{ "AllowNoDefAcct", K_NONE, 0, 0, NULL, 0 },
	{ "AllResourcesAbsolute", K_NONE, 0, 0, NULL, 0 },
	{ "ArchiveDir", K_NONE, 0, 0, NULL, 0 },
	{ "ArchiveEvents", K_NONE, 0, 0, NULL, 0 },
	{ "ArchiveJobs", K_NONE, 0, 0, NULL, 0 },
	{ "ArchiveResvs", K_NONE, 0, 0, NULL, 0 },
	{ "ArchiveScript", K_NONE, 0, 0, NULL, 0 },
	{ "ArchiveSteps", K_NONE, 0, 0, NULL, 0 },
	{ "ArchiveSuspend", K_NONE, 0, 0, NULL, 0 },
	{ "ArchiveTXN", K_NONE, 0, 0, NULL, 0 },
	{ "ArchiveUsage", K_NONE, 0, 0, NULL, 0 },
	{ "AuthAltTypes", K_NONE, 0, 0, NULL, 0 },
	{ "AuthAltParameters", K_NONE, 0, 0, NULL, 0 },
	{ "AuthInfo", K_NONE, 0, 0, NULL, 0 },
	{ "AuthType", K_STR, 0, D(auth_type), "auth/munge", 0 },
	{ "CommitDelay", K_U32, 0, D(commit_delay), "0", 0 },
	{ "CommunicationParameters", K_NONE, 0, 0, NULL, 0 },
	{ "DbdAddr", K_STR, 0, D(dbd_addr), NULL, 0 },
	{ "DbdBackupHost", K_NONE, 0, 0, NULL, 0 },
	{ "DbdHost", K_STR, 0, D(dbd_host), NULL, 0 },
	{ "DbdPort", K_U16, 0, D(dbd_port), "6819", 0 },
	{ "DebugFlags", K_NONE, 0, 0, NULL, 0 },
	{ "DebugLevel", K_LOG, 0, D(debug_level), "info", 0 },
	{ "DebugLevelSyslog", K_NONE, 0, 0, NULL, 0 },
	{ "DefaultQOS", K_NONE, 0, 0, NULL, 0 },
	{ "HashPlugin", K_NONE, 0, 0, NULL, 0 },
	{ "LogFile", K_STR, 0, D(log_file), NULL, 0 },
	{ "LogTimeFormat", K_NONE, 0, 0, NULL, 0 },
	{ "MaxQueryTimeRange", K_NONE, 0, 0, NULL, 0 },
	{ "MessageTimeout", K_NONE, 0, 0, NULL, 0 },
	{ "Parameters", K_NONE, 0, 0, NULL, 0 },
	{ "PidFile", K_STR, 0, D(pid_file), "/var/run/slurmdbd.pid", 0 },
	{ "PluginDir", K_NONE, 0, 0, NULL, 0 },
	{ "PrivateData", K_NONE, 0, 0, NULL, 0 },
	{ "PurgeEventAfter", K_NONE, 0, 0, NULL, 0 },
	{ "PurgeJobAfter", K_STR, 0, D(purge_job_after), NULL, 0 },
	{ "PurgeResvAfter", K_NONE, 0, 0, NULL, 0 },
	{ "PurgeStepAfter", K_STR, 0, D(purge_step_after), NULL, 0 },
	{ "PurgeSuspendAfter", K_NONE, 0, 0, NULL, 0 },
	{ "PurgeTXNAfter", K_NONE, 0, 0, NULL, 0 },
	{ "PurgeUsageAfter", K_NONE, 0, 0, NULL, 0 },
	{ "SlurmUser", K_STR, 0, D(slurm_user), "root", 0 },
	{ "StorageBackupHost", K_NONE, 0, 0, NULL, 0 },
	{ "StorageHost", K_STR, 0, D(storage_host), "localhost", 0 },
	{ "StorageLoc", K_STR, 0, D(storage_loc), "slurm_acct_db", 0 },
	{ "StorageParameters", K_NONE, 0, 0, NULL, 0 },
	{ "StoragePass", K_STR, 0, D(storage_pass), NULL, 0 },
	{ "StoragePort", K_U16, 0, D(storage_port), "3306", 0 },
	{ "StorageType", K_STR, 0, D(storage_type), NULL, 0 },
	{ "StorageUser", K_STR, 0, D(storage_user), NULL, 0 },
	{ "TCPTimeout", K_NONE, 0, 0, NULL, 0 },
	{ "TrackSlurmctldDown", K_NONE, 0, 0, NULL, 0 },
	{ "TrackWCKey", K_NONE, 0, 0, NULL, 0 },
};
const size_t conf_dbd_nkeys = sizeof(conf_dbd_keys) / sizeof(conf_dbd_keys[0]);
/* clang-format on */

static int
dbd_line(void *arg, const struct conf_rline *l, char *err, size_t errlen)
{
	struct dbd_conf *c = arg;
	char msg[256];
	for (int i = 0; i < l->npairs; i++) {
		const struct conf_key *k = conf_key_find(conf_dbd_keys, conf_dbd_nkeys, l->pairs[i].key);
		if (k == NULL) {
			conf_errf(err, errlen, l->file, l->line, "unknown key '%s'", l->pairs[i].key);
			return -1;
		}
		if (k->type == K_NONE)
			log_debug("%s:%d: %s is accepted but not used", l->file, l->line, k->name);
		if (conf_key_set(k, c, l->pairs[i].val, msg, sizeof(msg)) < 0) {
			conf_errf(err, errlen, l->file, l->line, "%s", msg);
			return -1;
		}
	}
	return 0;
}

struct dbd_conf *
dbd_conf_load(const char *path, char *err, size_t errlen)
{
	if (err && errlen)
		err[0] = '\0';
	if (path == NULL) {
		conf_errf(err, errlen, NULL, 0, "no slurmdbd.conf path");
		return NULL;
	}
	struct dbd_conf *c = xcalloc(1, sizeof(*c));
	conf_key_defaults(conf_dbd_keys, conf_dbd_nkeys, c);
	c->path = xstrdup(path);
	const char *slash = strrchr(path, '/');
	const char *base = slash ? slash + 1 : path;
	char *dir = slash ? xstrndup(path, (size_t)(slash - path + (slash == path))) : NULL;
	struct conf_reader r = {dbd_line, c, dir, NULL, 0};
	int rc = conf_read_file(&r, path, err, errlen);
	free(dir);
	if (rc < 0)
		goto fail;
	if (c->dbd_host == NULL) {
		conf_errf(err, errlen, base, 0, "DbdHost needs to be specified");
		goto fail;
	}
	if (c->storage_type == NULL) {
		conf_errf(err, errlen, base, 0, "StorageType needs to be specified");
		goto fail;
	}
	if (c->dbd_addr == NULL)
		c->dbd_addr = xstrdup(c->dbd_host);
	if (c->storage_user == NULL) {
		struct passwd *pw = getpwuid(geteuid());
		c->storage_user = xstrdup(pw ? pw->pw_name : "root");
	}
	return c;
fail:
	dbd_conf_destroy(c);
	return NULL;
}

void
dbd_conf_destroy(struct dbd_conf *c)
{
	if (c == NULL)
		return;
	conf_key_free(conf_dbd_keys, conf_dbd_nkeys, c);
	free(c->path);
	free(c);
}

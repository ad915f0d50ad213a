/* SPDX-License-Identifier: MIT */
/*
 * StorageType -> backend: accounting_storage/sqlite, and
 * accounting_storage/mysql (MariaDB) where libmariadb is linked in.
 */
#include <stdio.h>
#include <string.h>

#include "store.h"

const struct store_ops *
store_find(const char *storage_type, char *err, size_t errlen)
{
	if (storage_type == NULL) {
		snprintf(err, errlen, "StorageType is not set");
		return NULL;
	}
	if (strcmp(storage_type, store_sqlite_ops.type) == 0)
		return &store_sqlite_ops;
	if (strcmp(storage_type, "accounting_storage/mysql") == 0) {
		if (&store_mariadb_ops != NULL)
			return &store_mariadb_ops;
		snprintf(err, errlen, "StorageType accounting_storage/mysql: MariaDB backend not built yet");
		return NULL;
	}
	snprintf(err, errlen,
	    "StorageType %s is not supported (use accounting_storage/sqlite or accounting_storage/mysql)",
	    storage_type);
	return NULL;
}

int
store_put_job(
    const struct store_ops *ops, struct store *s, const struct acct_job *j, char *err, size_t errlen)
{
	return ops->put_jobs(s, j, 1, err, errlen);
}

/* SPDX-License-Identifier: MIT */
/*
 * What every command does first: load slurm.conf, set up the credential,
 * and talk to herdctld (primary, then backups) over one connection.
 */
#ifndef HERD_CLIENT_H
#define HERD_CLIENT_H

#include <stdint.h>

#include "auth/auth.h"
#include "conf/conf.h"
#include "proto/proto.h"
#include "proto/states.h"
#include "proto/wire.h"

struct client {
	const char *prog;
	struct herd_conf *conf;
	struct auth *auth;
	int fd;
	uint32_t next_id;
};

/* Load SLURM_CONF (or the default path) and the credential type.  On
 * failure prints "<prog>: error: ..." to stderr and returns -1. */
int client_init(struct client *c, const char *prog);
void client_fini(struct client *c);

/* Send req as message type and wait for the reply.
 * Returns 0 with *resp filled (the caller frees it with msg_free);
 * a herd error code (> 0) when the controller answered RESP_RC with an
 * error (resp is freed); -1 when the controller could not be reached
 * (errno set; the caller prints Slurm's "Unable to contact slurm
 * controller" wording via client_perror_conn). */
int client_rpc(struct client *c, unsigned type, const void *req, struct msg *resp);

/* "<prog>: error: <what>: Unable to contact slurm controller (connect failure)" */
void client_perror_conn(struct client *c, const char *what);

/* herddbd (AccountingStorageHost:AccountingStoragePort, default
 * localhost:6819): send req as message type and wait for the first reply
 * frame.  Returns 0 with *resp filled and *fd still connected (the caller
 * may read more frames, waiting *msg_ms each, and closes it); -1 when
 * herddbd cannot be reached or the link failed (errno); a herd error
 * (> 0) for a bad frame.  *fd is -1 unless 0 is returned. */
int client_dbd_rpc(struct client *c, unsigned type, const void *req, struct msg *resp, int *fd, int *msg_ms);

/* Exit status for Slurm errors: SLURM_EXIT_ERROR or 1. */
int client_exit_error(void);

#endif

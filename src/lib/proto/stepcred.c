/* SPDX-License-Identifier: MIT */
/*
 * Step credentials (stepcred.h).  The credential is an ordinary signed
 * frame: the same decoder, bounds checks and authentication as every
 * request, so a forged or truncated one is just a bad frame.
 */
#include <string.h>

#include "proto/states.h"
#include "proto/stepcred.h"
#include "proto/wire.h"

void
stepcred_sign(struct auth *a, const struct step_cred *c, struct buf *out)
{
	wire_encode(a, REQ_STEP_CRED, 0, c, out);
}

int
stepcred_check(struct auth *a, const struct step_launch *sl, const char *node, uint32_t sender_uid,
    int64_t now, stepcred_daemon_fn *is_daemon, void *arg)
{
	if (sl->cred == NULL || sl->cred_len < WIRE_HDR_LEN)
		return ESLURMD_INVALID_JOB_CREDENTIAL;
	struct wire_hdr h;
	if (wire_hdr_decode(sl->cred, &h) != 0 || h.type != REQ_STEP_CRED ||
	    (size_t)WIRE_HDR_LEN + h.cred_len + h.body_len != sl->cred_len)
		return ESLURMD_INVALID_JOB_CREDENTIAL;
	struct msg cm;
	if (wire_decode(a, 1, &h, sl->cred + WIRE_HDR_LEN, sl->cred + WIRE_HDR_LEN + h.cred_len, &cm) != 0)
		return ESLURMD_INVALID_JOB_CREDENTIAL;
	const struct step_cred *c = cm.body;
	int rc = 0;
	if (!is_daemon(arg, cm.uid) || c->job_id != sl->job_id || c->step_id != sl->step_id ||
	    c->uid != sl->uid || c->gid != sl->gid || c->node_name == NULL || node == NULL ||
	    strcmp(c->node_name, node) != 0 || (sender_uid != 0 && sender_uid != c->uid))
		rc = ESLURMD_INVALID_JOB_CREDENTIAL;
	else if (c->expires < now)
		rc = ESLURMD_CREDENTIAL_EXPIRED;
	msg_free(&cm);
	return rc;
}

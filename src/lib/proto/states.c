/* SPDX-License-Identifier: MIT */
/*
 * Names of job and node states, reasons and error codes.
 */
#include "proto/states.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

static const struct {
	const char *l, *c;
} job_names[] = {
#define S_ROW(e, l, c) {l, c},
    JOB_STATES(S_ROW)
#undef S_ROW
};

static const struct {
	uint32_t flag;
	const char *l, *c;
} job_flags[] = {
    {JOB_COMPLETING, "COMPLETING", "CG"},
    {JOB_CONFIGURING, "CONFIGURING", "CF"},
    {JOB_RESIZING, "RESIZING", "RS"},
    {JOB_REQUEUE, "REQUEUED", "RQ"},
    {JOB_REQUEUE_HOLD, "REQUEUE_HOLD", "RH"},
    {JOB_SPECIAL_EXIT, "SPECIAL_EXIT", "SE"},
    {JOB_STOPPED, "STOPPED", "ST"},
    {JOB_SIGNALING, "SIGNALING", "SI"},
};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

const char *
job_state_base_string(uint32_t state)
{
	uint32_t b = state & JOB_STATE_BASE;
	return b < JOB_END ? job_names[b].l : "?";
}

const char *
job_state_string(uint32_t state)
{
	for (size_t i = 0; i < NELEM(job_flags); i++)
		if (state & job_flags[i].flag)
			return job_flags[i].l;
	return job_state_base_string(state);
}

const char *
job_state_string_compact(uint32_t state)
{
	for (size_t i = 0; i < NELEM(job_flags); i++)
		if (state & job_flags[i].flag)
			return job_flags[i].c;
	uint32_t b = state & JOB_STATE_BASE;
	return b < JOB_END ? job_names[b].c : "?";
}

int64_t
job_state_parse(const char *s)
{
	for (size_t i = 0; i < NELEM(job_names); i++)
		if (strcasecmp(s, job_names[i].l) == 0 || strcasecmp(s, job_names[i].c) == 0)
			return (int64_t)i;
	if (strcasecmp(s, "CANCELED") == 0)
		return JOB_CANCELLED;
	if (strcasecmp(s, "OOM") == 0)
		return JOB_OOM;
	for (size_t i = 0; i < NELEM(job_flags); i++)
		if (strcasecmp(s, job_flags[i].l) == 0 || strcasecmp(s, job_flags[i].c) == 0)
			return (int64_t)(job_flags[i].flag | 0x80000000U);
	return -1;
}

int
job_state_is_finished(uint32_t state)
{
	return (state & JOB_STATE_BASE) >= JOB_COMPLETE;
}

static const char *reason_names[] = {
#define R_ROW(e, s) s,
    JOB_REASONS(R_ROW)
#undef R_ROW
};

const char *
job_reason_string(uint32_t reason)
{
	return reason < REASON_END ? reason_names[reason] : "None";
}

static const struct {
	const char *l, *c;
} node_names[] = {
#define S_ROW(e, l, c) {l, c},
    NODE_STATES(S_ROW)
#undef S_ROW
};

const char *
node_state_string_long(uint32_t state, char *buf, unsigned len)
{
	uint32_t b = state & NODE_STATE_BASE;
	snprintf(buf, len, "%s%s%s%s%s%s", b < NODE_STATE_END ? node_names[b].l : "?",
	    (state & NODE_STATE_COMPLETING) ? "+COMPLETING" : "", (state & NODE_STATE_DRAIN) ? "+DRAIN" : "",
	    (state & NODE_STATE_FAIL) ? "+FAIL" : "", (state & NODE_STATE_INVALID_REG) ? "+INVALID_REG" : "",
	    (state & NODE_STATE_NO_RESPOND) ? "+NOT_RESPONDING" : "");
	return buf;
}

static const char *
node_state_sinfo(uint32_t state, char *buf, unsigned len, int compact)
{
	uint32_t b = state & NODE_STATE_BASE;
	const char *name;
	int busy = (b == NODE_STATE_ALLOCATED || b == NODE_STATE_MIXED || (state & NODE_STATE_COMPLETING));
	if (state & NODE_STATE_DRAIN) {
		if (b == NODE_STATE_DOWN)
			name = compact ? "down" : "down";
		else if (busy)
			name = compact ? "drng" : "draining";
		else
			name = compact ? "drain" : "drained";
	} else if (state & NODE_STATE_FAIL) {
		name = busy ? (compact ? "failg" : "failing") : "fail";
	} else if (b == NODE_STATE_IDLE && (state & NODE_STATE_COMPLETING)) {
		name = compact ? "comp" : "completing";
	} else if (b < NODE_STATE_END) {
		name = compact ? node_names[b].c : NULL;
		if (!compact) {
			static const char *longs[] = {
			    "unknown", "down", "idle", "allocated", "error", "mixed", "future"};
			name = longs[b];
		}
	} else {
		name = "?";
	}
	const char *suffix = "";
	if (state & NODE_STATE_NO_RESPOND)
		suffix = "*";
	else if ((state & NODE_STATE_COMPLETING) && b != NODE_STATE_IDLE)
		suffix = "+";
	snprintf(buf, len, "%s%s", name, suffix);
	return buf;
}

const char *
node_state_string_compact(uint32_t state, char *buf, unsigned len)
{
	return node_state_sinfo(state, buf, len, 1);
}

const char *
node_state_string_sinfo_long(uint32_t state, char *buf, unsigned len)
{
	return node_state_sinfo(state, buf, len, 0);
}

const char *
herd_strerror(int code)
{
	switch (code) {
#define E_CASE(c, n, m) \
	case c: \
		return m;
		HERD_ERRORS(E_CASE)
#undef E_CASE
	}
	return "Unspecified error";
}

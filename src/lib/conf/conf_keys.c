/* SPDX-License-Identifier: MIT */
/*
 * Typed configuration keys: parsing a value into its field by type, the
 * defaults, and the text shown by `scontrol show config`.  The tables
 * themselves live next to the code that owns each file
 * (conf_table.c, dbd_conf.c).
 */
#include "conf/conf_int.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/log.h"
#include "base/xmalloc.h"
#include "proto/proto.h"
#include "proto/states.h"
#include "timefmt/timefmt.h"

#define FIELD(base, k, type) ((type *)(void *)((char *)(base) + (k)->off))
#define CFIELD(base, k, type) ((const type *)(const void *)((const char *)(base) + (k)->off))

const struct conf_key *
conf_key_find(const struct conf_key *tab, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcasecmp(tab[i].name, name) == 0)
			return &tab[i];
	return NULL;
}

static int
parse_u64(const char *s, uint64_t *v)
{
	if (s == NULL || !isdigit((unsigned char)*s))
		return -1;
	uint64_t n = 0;
	for (; *s; s++) {
		if (!isdigit((unsigned char)*s))
			return -1;
		if (n > (UINT64_MAX - 9) / 10)
			return -1;
		n = n * 10 + (uint64_t)(*s - '0');
	}
	*v = n;
	return 0;
}

static int
parse_bool(const char *s, int *v)
{
	if (strcasecmp(s, "yes") == 0 || strcasecmp(s, "y") == 0 || strcasecmp(s, "true") == 0 ||
	    strcmp(s, "1") == 0) {
		*v = 1;
		return 0;
	}
	if (strcasecmp(s, "no") == 0 || strcasecmp(s, "n") == 0 || strcasecmp(s, "false") == 0 ||
	    strcmp(s, "0") == 0) {
		*v = 0;
		return 0;
	}
	return -1;
}

static int
is_unlimited(const char *s)
{
	return strcasecmp(s, "UNLIMITED") == 0 || strcasecmp(s, "INFINITE") == 0;
}

static int
parse_log(const char *s, int *lvl)
{
	uint64_t n;
	if (parse_u64(s, &n) == 0) {
		/* numeric levels: 0 quiet, 1 fatal, 2 error, 3 info, 4 verbose, 5 debug, 6+ debug2.. */
		static const int map[] = {LOG_LVL_QUIET, LOG_LVL_FATAL, LOG_LVL_ERROR, LOG_LVL_INFO,
		    LOG_LVL_VERBOSE, LOG_LVL_DEBUG};
		if (n > 10)
			return -1;
		*lvl = n < 6 ? map[n] : LOG_LVL_DEBUG2;
		return 0;
	}
	int l = log_level_parse(s);
	if (l < 0)
		return -1;
	*lvl = l;
	return 0;
}

static const char *
log_name(int lvl)
{
	switch (lvl) {
	case LOG_LVL_QUIET:
		return "quiet";
	case LOG_LVL_FATAL:
		return "fatal";
	case LOG_LVL_ERROR:
		return "error";
	case LOG_LVL_INFO:
		return "info";
	case LOG_LVL_VERBOSE:
		return "verbose";
	case LOG_LVL_DEBUG:
		return "debug";
	default:
		return "debug2";
	}
}

/* NO / EXCLUSIVE / YES[:n] / FORCE[:n] */
static int
parse_oversub(const char *s, uint32_t *v)
{
	if (strcasecmp(s, "NO") == 0) {
		*v = OVERSUB_NO;
		return 0;
	}
	if (strcasecmp(s, "EXCLUSIVE") == 0) {
		*v = OVERSUB_EXCLUSIVE;
		return 0;
	}
	uint32_t kind;
	size_t n;
	if (strncasecmp(s, "YES", 3) == 0) {
		kind = OVERSUB_YES;
		n = 3;
	} else if (strncasecmp(s, "FORCE", 5) == 0) {
		kind = OVERSUB_FORCE;
		n = 5;
	} else {
		return -1;
	}
	uint64_t cnt = 4;
	if (s[n] == ':') {
		if (parse_u64(s + n + 1, &cnt) < 0 || cnt < 1 || cnt > 0xffff)
			return -1;
	} else if (s[n] != '\0') {
		return -1;
	}
	*v = kind | (uint32_t)cnt;
	return 0;
}

static int
parse_pstate(const char *s, uint32_t *v)
{
	static const struct {
		const char *n;
		uint32_t v;
	} t[] = {{"UP", PART_STATE_UP}, {"DOWN", PART_STATE_DOWN}, {"DRAIN", PART_STATE_DRAIN},
	    {"INACTIVE", PART_STATE_INACTIVE}};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (strcasecmp(s, t[i].n) == 0) {
			*v = t[i].v;
			return 0;
		}
	return -1;
}

static int
parse_nstate(const char *s, uint32_t *v)
{
	static const struct {
		const char *n;
		uint32_t v;
	} t[] = {
	    {"UNKNOWN", NODE_STATE_UNKNOWN},
	    {"DOWN", NODE_STATE_DOWN},
	    {"DRAIN", NODE_STATE_UNKNOWN | NODE_STATE_DRAIN},
	    {"FAIL", NODE_STATE_UNKNOWN | NODE_STATE_FAIL},
	    {"FAILING", NODE_STATE_UNKNOWN | NODE_STATE_FAIL},
	    {"FUTURE", NODE_STATE_FUTURE},
	    {"CLOUD", NODE_STATE_UNKNOWN}, /* no power saving: an ordinary node */
	    {"IDLE", NODE_STATE_UNKNOWN},
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (strcasecmp(s, t[i].n) == 0) {
			*v = t[i].v;
			return 0;
		}
	return -1;
}

static const char *
nstate_name(uint32_t v)
{
	if (v & NODE_STATE_DRAIN)
		return "DRAIN";
	if (v & NODE_STATE_FAIL)
		return "FAIL";
	switch (v & NODE_STATE_BASE) {
	case NODE_STATE_DOWN:
		return "DOWN";
	case NODE_STATE_FUTURE:
		return "FUTURE";
	default:
		return "UNKNOWN";
	}
}

int
conf_key_set(const struct conf_key *k, void *base, const char *val, char *msg, size_t msglen)
{
	uint64_t u;
	int b;
	switch (k->type) {
	case K_NONE:
	case K_CTLD:
	case K_SKIP:
		return 0;
	case K_STR:
	case K_ALLSTR: {
		char **f = FIELD(base, k, char *);
		free(*f);
		*f = NULL;
		if (k->type == K_ALLSTR && strcasecmp(val, "ALL") == 0)
			return 0;
		*f = xstrdup(val);
		if (k->flags & KF_LOWER)
			for (char *p = *f; *p; p++)
				*p = (char)tolower((unsigned char)*p);
		return 0;
	}
	case K_U16:
	case K_PORT: {
		char tmp[32];
		snprintf(tmp, sizeof(tmp), "%s", val);
		char *dash = k->type == K_PORT ? strchr(tmp, '-') : NULL;
		uint64_t hi = 0;
		if (dash) {
			*dash = '\0';
			if (parse_u64(dash + 1, &hi) < 0)
				goto bad_num;
		}
		if (strlen(val) >= sizeof(tmp) || parse_u64(tmp, &u) < 0 || u > 65535 ||
		    (dash && (hi < u || hi > 65535)))
			goto bad_num;
		*FIELD(base, k, uint16_t) = (uint16_t)u;
		return 0;
	}
	case K_U32:
		if (parse_u64(val, &u) < 0 || u > 0xffffffffULL || (k->max && u > k->max))
			goto bad_num;
		*FIELD(base, k, uint32_t) = (uint32_t)u;
		return 0;
	case K_U32_UNL:
		if (is_unlimited(val)) {
			*FIELD(base, k, uint32_t) = INFINITE;
			return 0;
		}
		if (parse_u64(val, &u) < 0 || u >= NO_VAL)
			goto bad_num;
		*FIELD(base, k, uint32_t) = (uint32_t)u;
		return 0;
	case K_U64:
		if (parse_u64(val, &u) < 0)
			goto bad_num;
		*FIELD(base, k, uint64_t) = u;
		return 0;
	case K_MEM:
		if (is_unlimited(val)) {
			*FIELD(base, k, uint64_t) = 0;
			return 0;
		}
		if (mem_size_parse(val, &u) < 0)
			goto bad_num;
		*FIELD(base, k, uint64_t) = u;
		return 0;
	case K_BOOL:
	case K_IBOOL:
		if (parse_bool(val, &b) < 0) {
			snprintf(
			    msg, msglen, "invalid value for %s: '%s' (expected YES or NO)", k->name, val);
			return -1;
		}
		if (k->type == K_BOOL)
			*FIELD(base, k, uint32_t) = (uint32_t)b;
		else
			*FIELD(base, k, int) = b;
		return 0;
	case K_LOG:
		if (parse_log(val, &b) < 0) {
			snprintf(msg, msglen, "invalid value for %s: '%s'", k->name, val);
			return -1;
		}
		*FIELD(base, k, int) = b;
		return 0;
	case K_ENFORCE: {
		uint32_t e;
		if (strcasecmp(val, "NO") == 0 || strcmp(val, "0") == 0)
			e = 0;
		else if (strcasecmp(val, "ANY") == 0)
			e = 1;
		else if (strcasecmp(val, "ALL") == 0 || strcasecmp(val, "YES") == 0 || strcmp(val, "1") == 0)
			e = 2;
		else {
			snprintf(msg, msglen, "invalid value for %s: '%s' (expected NO, ANY or ALL)", k->name,
			    val);
			return -1;
		}
		*FIELD(base, k, uint32_t) = e;
		return 0;
	}
	case K_FREQ: {
		/* "30" or "task=30,energy=0,..." */
		const char *t = val;
		if (!isdigit((unsigned char)*t)) {
			t = strcasestr(val, "task=");
			if (t == NULL) {
				/* other sampling types only: task sampling keeps its default */
				return 0;
			}
			t += 5;
		}
		size_t n = strcspn(t, ",");
		char tmp[24];
		if (n == 0 || n >= sizeof(tmp))
			goto bad_num;
		memcpy(tmp, t, n);
		tmp[n] = '\0';
		if (parse_u64(tmp, &u) < 0 || u > 0xffffffffULL)
			goto bad_num;
		*FIELD(base, k, uint32_t) = (uint32_t)u;
		return 0;
	}
	case K_TIME: {
		uint32_t m;
		if (time_limit_parse(val, &m) < 0) {
			snprintf(msg, msglen, "invalid time value for %s: '%s'", k->name, val);
			return -1;
		}
		*FIELD(base, k, uint32_t) = m;
		return 0;
	}
	case K_OVERSUB: {
		uint32_t v;
		if (parse_oversub(val, &v) < 0) {
			snprintf(msg, msglen, "invalid value for %s: '%s'", k->name, val);
			return -1;
		}
		*FIELD(base, k, uint32_t) = v;
		return 0;
	}
	case K_PSTATE:
	case K_NSTATE: {
		uint32_t v;
		if ((k->type == K_PSTATE ? parse_pstate(val, &v) : parse_nstate(val, &v)) < 0) {
			snprintf(msg, msglen, "invalid value for %s: '%s'", k->name, val);
			return -1;
		}
		*FIELD(base, k, uint32_t) = v;
		return 0;
	}
	}
	snprintf(msg, msglen, "internal: bad key type for %s", k->name);
	return -1;
bad_num:
	snprintf(msg, msglen, "invalid value for %s: '%s'", k->name, val);
	return -1;
}

void
conf_key_defaults(const struct conf_key *tab, size_t n, void *base)
{
	char msg[128];
	for (size_t i = 0; i < n; i++) {
		const struct conf_key *k = &tab[i];
		if (k->type == K_NONE || k->type == K_CTLD || k->type == K_SKIP)
			continue;
		if (k->def != NULL && conf_key_set(k, base, k->def, msg, sizeof(msg)) < 0)
			fatalx("config table: bad default for %s: %s", k->name, msg);
	}
}

void
conf_key_free(const struct conf_key *tab, size_t n, void *base)
{
	for (size_t i = 0; i < n; i++) {
		const struct conf_key *k = &tab[i];
		if (k->type == K_STR || k->type == K_ALLSTR) {
			char **f = FIELD(base, k, char *);
			free(*f);
			*f = NULL;
		}
	}
}

void
conf_key_dup_strings(const struct conf_key *tab, size_t n, void *base)
{
	for (size_t i = 0; i < n; i++) {
		const struct conf_key *k = &tab[i];
		if (k->type == K_STR || k->type == K_ALLSTR) {
			char **f = FIELD(base, k, char *);
			*f = xstrdup(*f);
		}
	}
}

char *
conf_key_show(const struct conf_key *k, const void *base, const char *raw)
{
	switch (k->type) {
	case K_NONE:
	case K_CTLD:
	case K_SKIP:
		return xstrdup(raw ? raw : k->def ? k->def : "(null)");
	case K_STR: {
		const char *s = *CFIELD(base, k, char *);
		return xstrdup(s ? s : "(null)");
	}
	case K_ALLSTR: {
		const char *s = *CFIELD(base, k, char *);
		return xstrdup(s ? s : "ALL");
	}
	case K_PORT:
		if (raw)
			return xstrdup(raw);
		/* fall through */
	case K_U16:
		return xasprintf("%u", (unsigned)*CFIELD(base, k, uint16_t));
	case K_U32:
	case K_FREQ:
		return xasprintf("%" PRIu32, *CFIELD(base, k, uint32_t));
	case K_U32_UNL: {
		uint32_t v = *CFIELD(base, k, uint32_t);
		return v == INFINITE ? xstrdup("UNLIMITED") : xasprintf("%" PRIu32, v);
	}
	case K_U64:
		return xasprintf("%" PRIu64, *CFIELD(base, k, uint64_t));
	case K_MEM: {
		uint64_t v = *CFIELD(base, k, uint64_t);
		return v == 0 ? xstrdup("UNLIMITED") : xasprintf("%" PRIu64, v);
	}
	case K_BOOL:
		return xstrdup(*CFIELD(base, k, uint32_t) ? "Yes" : "No");
	case K_IBOOL:
		return xstrdup(*CFIELD(base, k, int) ? "YES" : "NO");
	case K_LOG:
		return xstrdup(log_name(*CFIELD(base, k, int)));
	case K_ENFORCE: {
		static const char *const names[] = {"NO", "ANY", "ALL"};
		uint32_t v = *CFIELD(base, k, uint32_t);
		return xstrdup(v < 3 ? names[v] : "NO");
	}
	case K_TIME: {
		char b[64];
		return xstrdup(
		    fmt_time_limit(b, sizeof(b), *CFIELD(base, k, uint32_t), 0, "UNLIMITED", "NONE"));
	}
	case K_OVERSUB: {
		uint32_t v = *CFIELD(base, k, uint32_t);
		if (v & OVERSUB_EXCLUSIVE)
			return xstrdup("EXCLUSIVE");
		if (v & OVERSUB_FORCE)
			return xasprintf("FORCE:%u", v & 0xffffU);
		if (v & OVERSUB_YES)
			return xasprintf("YES:%u", v & 0xffffU);
		return xstrdup("NO");
	}
	case K_PSTATE: {
		static const char *const names[] = {"?", "UP", "DOWN", "DRAIN", "INACTIVE"};
		uint32_t v = *CFIELD(base, k, uint32_t);
		return xstrdup(v < 5 ? names[v] : "?");
	}
	case K_NSTATE:
		return xstrdup(nstate_name(*CFIELD(base, k, uint32_t)));
	}
	return xstrdup("(null)");
}

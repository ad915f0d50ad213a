/* SPDX-License-Identifier: MIT */
/*
 * Time and size formats of Slurm's commands (cli.md section 0): time
 * limits both ways, durations, timestamps, absolute time inputs
 * (--begin, sacct -S/-E), memory sizes and compressed count lists.
 */
#include "timefmt.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "base/xmalloc.h"
#include "proto/proto.h"

/* Largest value a single field may hold (keeps the arithmetic in range). */
#define FIELD_MAX 100000000ULL

/* Parse a run of digits; -1 if none or too large. */
static int
num_field(const char **p, uint64_t *v)
{
	const char *s = *p;
	uint64_t n = 0;
	if (!isdigit((unsigned char)*s))
		return -1;
	while (isdigit((unsigned char)*s)) {
		n = n * 10 + (uint64_t)(*s - '0');
		if (n > FIELD_MAX)
			return -1;
		s++;
	}
	*p = s;
	*v = n;
	return 0;
}

int
time_limit_parse(const char *s, uint32_t *minutes)
{
	if (s == NULL || minutes == NULL)
		goto bad;
	if (strcasecmp(s, "UNLIMITED") == 0 || strcasecmp(s, "INFINITE") == 0 || strcmp(s, "-1") == 0) {
		*minutes = INFINITE;
		return 0;
	}
	/* only digits, '-' and ':'; at most one '-' and it precedes any ':' */
	int dashes = 0, colons = 0;
	for (const char *p = s; *p; p++) {
		if (*p == '-') {
			if (colons || dashes)
				goto bad;
			dashes++;
		} else if (*p == ':') {
			colons++;
		} else if (!isdigit((unsigned char)*p)) {
			goto bad;
		}
	}
	if (colons > 2)
		goto bad;

	uint64_t f[4] = {0};
	int nf = 0;
	const char *p = s;
	if (num_field(&p, &f[nf++]) < 0)
		goto bad;
	while (*p) {
		p++; /* '-' or ':' */
		if (num_field(&p, &f[nf++]) < 0)
			goto bad;
	}

	uint64_t days = 0, hours = 0, mins = 0, secs = 0;
	if (dashes) {
		days = f[0];
		hours = f[1];
		if (nf > 2)
			mins = f[2];
		if (nf > 3)
			secs = f[3];
	} else if (nf == 1) {
		mins = f[0];
	} else if (nf == 2) {
		mins = f[0];
		secs = f[1];
	} else {
		hours = f[0];
		mins = f[1];
		secs = f[2];
	}
	uint64_t total = days * 1440 + hours * 60 + mins + (secs + 59) / 60;
	if (total == 0) {
		*minutes = INFINITE; /* "-t 0" means no limit */
		return 0;
	}
	if (total >= NO_VAL)
		goto bad;
	*minutes = (uint32_t)total;
	return 0;
bad:
	errno = EINVAL;
	return -1;
}

char *
fmt_duration_long(char *buf, size_t n, int64_t secs)
{
	if (secs < 0) {
		snprintf(buf, n, "INVALID");
		return buf;
	}
	int64_t d = secs / 86400, h = secs / 3600 % 24, m = secs / 60 % 60, s = secs % 60;
	if (d)
		snprintf(buf, n, "%" PRId64 "-%02" PRId64 ":%02" PRId64 ":%02" PRId64, d, h, m, s);
	else
		snprintf(buf, n, "%02" PRId64 ":%02" PRId64 ":%02" PRId64, h, m, s);
	return buf;
}

char *
fmt_duration_short(char *buf, size_t n, int64_t secs)
{
	if (secs < 0) {
		snprintf(buf, n, "INVALID");
		return buf;
	}
	int64_t d = secs / 86400, h = secs / 3600 % 24, m = secs / 60 % 60, s = secs % 60;
	if (d)
		snprintf(buf, n, "%" PRId64 "-%02" PRId64 ":%02" PRId64 ":%02" PRId64, d, h, m, s);
	else if (h)
		snprintf(buf, n, "%" PRId64 ":%02" PRId64 ":%02" PRId64, h, m, s);
	else
		snprintf(buf, n, "%" PRId64 ":%02" PRId64, m, s);
	return buf;
}

char *
fmt_time_limit(
    char *buf, size_t n, uint32_t minutes, int short_form, const char *unlimited_str, const char *noval_str)
{
	if (minutes == INFINITE) {
		snprintf(buf, n, "%s", unlimited_str ? unlimited_str : "UNLIMITED");
		return buf;
	}
	if (minutes == NO_VAL) {
		snprintf(buf, n, "%s", noval_str ? noval_str : "NONE");
		return buf;
	}
	int64_t secs = (int64_t)minutes * 60;
	return short_form ? fmt_duration_short(buf, n, secs) : fmt_duration_long(buf, n, secs);
}

/* SLURM_TIME_FORMAT=relative: the format depends on the distance in days. */
static const char *
relative_fmt(const struct tm *when)
{
	time_t now = time(NULL);
	struct tm tn;
	localtime_r(&now, &tn);
	long distance =
	    (1000L * (when->tm_year + 1900) + when->tm_yday) - (1000L * (tn.tm_year + 1900) + tn.tm_yday);
	if (when->tm_year != tn.tm_year) {
		/* crude across a year boundary: count days through mktime */
		struct tm a = *when, b = tn;
		a.tm_hour = b.tm_hour = 12;
		a.tm_min = b.tm_min = a.tm_sec = b.tm_sec = 0;
		a.tm_isdst = b.tm_isdst = -1;
		distance = (long)((mktime(&a) - mktime(&b)) / 86400);
	}
	if (distance == -1)
		return "Ystday %H:%M";
	if (distance == 0)
		return "%H:%M:%S";
	if (distance == 1)
		return "Tomorr %H:%M";
	if (distance < -365 || distance > 365)
		return "%Y %b %d";
	if (distance < -1 || distance > 6)
		return "%b %d %H:%M";
	return "%a %H:%M";
}

char *
fmt_timestamp(char *buf, size_t n, int64_t t, const char *zero_str)
{
	if (n == 0)
		return buf;
	if (t == 0) {
		snprintf(buf, n, "%s", zero_str ? zero_str : "Unknown");
		return buf;
	}
	time_t tt = (time_t)t;
	struct tm tm;
	if (localtime_r(&tt, &tm) == NULL) {
		snprintf(buf, n, "Unknown");
		return buf;
	}
	const char *fmt = "%FT%T";
	const char *env = getenv("SLURM_TIME_FORMAT");
	if (env != NULL && *env != '\0' && strcmp(env, "standard") != 0) {
		if (strcmp(env, "relative") == 0)
			fmt = relative_fmt(&tm);
		else if (strchr(env, '%') != NULL)
			fmt = env;
	}
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	/* the format comes from SLURM_TIME_FORMAT by design */
	if (strftime(buf, n, fmt, &tm) == 0)
		buf[0] = '\0';
#pragma GCC diagnostic pop
	return buf;
}

/* --- absolute time inputs ------------------------------------------ */

struct abs_state {
	int year, mon, mday; /* tm_year / tm_mon (0-based) / tm_mday, -1 = unset */
	int hour, min, sec; /* -1 = unset */
	int64_t fixed; /* "now+N": an exact instant, -1 = unset */
};

static int
word_at(const char *p, const char *w, const char **next)
{
	size_t n = strlen(w);
	if (strncasecmp(p, w, n) != 0)
		return 0;
	if (isalnum((unsigned char)p[n]))
		return 0;
	*next = p + n;
	return 1;
}

static int
digits(const char *p, int n)
{
	for (int i = 0; i < n; i++)
		if (!isdigit((unsigned char)p[i]))
			return 0;
	return 1;
}

static int
num_run(const char *p)
{
	int n = 0;
	while (isdigit((unsigned char)p[n]))
		n++;
	return n;
}

static int
atoin(const char *p, int n)
{
	int v = 0;
	for (int i = 0; i < n; i++)
		v = v * 10 + (p[i] - '0');
	return v;
}

/* HH:MM[:SS][ ][AM|PM] */
static int
parse_tod(const char **pp, struct abs_state *st)
{
	const char *p = *pp;
	int hn = num_run(p);
	if (hn < 1 || hn > 2 || p[hn] != ':')
		return -1;
	int h = atoin(p, hn);
	p += hn + 1;
	if (num_run(p) != 2)
		return -1;
	int m = atoin(p, 2);
	p += 2;
	int s = 0;
	if (*p == ':') {
		if (num_run(p + 1) != 2)
			return -1;
		s = atoin(p + 1, 2);
		p += 3;
	}
	const char *q = p;
	while (*q == ' ' || *q == '\t')
		q++;
	const char *after;
	if (word_at(q, "AM", &after) || word_at(q, "PM", &after)) {
		int pm = toupper((unsigned char)*q) == 'P';
		if (h < 1 || h > 12)
			return -1;
		if (h == 12)
			h = 0;
		if (pm)
			h += 12;
		p = after;
	}
	if (h > 23 || m > 59 || s > 60)
		return -1;
	st->hour = h;
	st->min = m;
	st->sec = s;
	*pp = p;
	return 0;
}

static int
year_from(int v, int ndig)
{
	if (ndig == 2)
		return v + 100; /* tm_year: 20YY */
	return v - 1900;
}

/* MMDD[YY], MM/DD[/YY], MM.DD[.YY], YYYY-MM-DD[THH[:MM[:SS]]] */
static int
parse_date(const char **pp, struct abs_state *st, const struct tm *now)
{
	const char *p = *pp;
	int n = num_run(p);
	if (n == 4 && p[4] == '-') {
		if (!digits(p + 5, 2) || p[7] != '-' || !digits(p + 8, 2) || isdigit((unsigned char)p[10]))
			return -1;
		st->year = year_from(atoin(p, 4), 4);
		st->mon = atoin(p + 5, 2) - 1;
		st->mday = atoin(p + 8, 2);
		p += 10;
		if (*p == 'T') {
			p++;
			int hn = num_run(p);
			if (hn < 1 || hn > 2)
				return -1;
			if (p[hn] == ':') {
				if (parse_tod(&p, st) < 0)
					return -1;
			} else {
				st->hour = atoin(p, hn);
				st->min = st->sec = 0;
				if (st->hour > 23)
					return -1;
				p += hn;
			}
		}
		*pp = p;
		return 0;
	}
	if (n == 4 || n == 6) {
		st->mon = atoin(p, 2) - 1;
		st->mday = atoin(p + 2, 2);
		st->year = n == 6 ? year_from(atoin(p + 4, 2), 2) : now->tm_year;
		*pp = p + n;
		return 0;
	}
	if ((n == 1 || n == 2) && (p[n] == '/' || p[n] == '.')) {
		char sep = p[n];
		st->mon = atoin(p, n) - 1;
		p += n + 1;
		int dn = num_run(p);
		if (dn < 1 || dn > 2)
			return -1;
		st->mday = atoin(p, dn);
		p += dn;
		st->year = now->tm_year;
		if (*p == sep) {
			p++;
			int yn = num_run(p);
			if (yn != 2 && yn != 4)
				return -1;
			st->year = year_from(atoin(p, yn), yn);
			p += yn;
		}
		*pp = p;
		return 0;
	}
	return -1;
}

/* "+N[unit]" / "-N[unit]" after now; seconds by default */
static int
parse_delta(const char **pp, int64_t *delta)
{
	const char *p = *pp;
	int neg = *p == '-';
	p++;
	while (*p == ' ' || *p == '\t')
		p++;
	int n = num_run(p);
	if (n < 1 || n > 9)
		return -1;
	int64_t v = atoin(p, n);
	p += n;
	while (*p == ' ' || *p == '\t')
		p++;
	static const struct {
		const char *w;
		int64_t mult;
	} units[] = {
	    {"seconds", 1},
	    {"second", 1},
	    {"secs", 1},
	    {"sec", 1},
	    {"s", 1},
	    {"minutes", 60},
	    {"minute", 60},
	    {"mins", 60},
	    {"min", 60},
	    {"m", 60},
	    {"hours", 3600},
	    {"hour", 3600},
	    {"h", 3600},
	    {"days", 86400},
	    {"day", 86400},
	    {"d", 86400},
	    {"weeks", 604800},
	    {"week", 604800},
	    {"w", 604800},
	};
	int64_t mult = 1;
	if (isalpha((unsigned char)*p)) {
		size_t i;
		const char *after = p;
		for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
			if (word_at(p, units[i].w, &after))
				break;
		if (i == sizeof(units) / sizeof(units[0]))
			return -1;
		mult = units[i].mult;
		p = after;
	}
	*delta = (neg ? -v : v) * mult;
	*pp = p;
	return 0;
}

static int
days_in_month(int mon, int tm_year)
{
	static const int dm[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int y = tm_year + 1900;
	if (mon == 1 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return dm[mon];
}

static void
set_date_from(struct abs_state *st, time_t t)
{
	struct tm tm;
	localtime_r(&t, &tm);
	st->year = tm.tm_year;
	st->mon = tm.tm_mon;
	st->mday = tm.tm_mday;
}

int
time_abs_parse(const char *s, int64_t now, int64_t *out)
{
	struct abs_state st = {-1, -1, -1, -1, -1, -1, -1};
	struct tm tn;
	time_t tnow = (time_t)now;
	if (s == NULL || out == NULL || localtime_r(&tnow, &tn) == NULL)
		goto bad;
	const char *p = s;
	int any = 0;
	while (*p) {
		const char *after;
		if (isspace((unsigned char)*p)) {
			p++;
			continue;
		}
		any = 1;
		if (word_at(p, "now", &after)) {
			p = after;
			while (*p == ' ' || *p == '\t')
				p++;
			int64_t delta = 0;
			if ((*p == '+' || *p == '-') && parse_delta(&p, &delta) < 0)
				goto bad;
			st.fixed = now + delta;
			continue;
		}
		if (word_at(p, "today", &after)) {
			set_date_from(&st, tnow);
			p = after;
			continue;
		}
		if (word_at(p, "tomorrow", &after)) {
			set_date_from(&st, tnow + 86400);
			p = after;
			continue;
		}
		static const struct {
			const char *w;
			int hour;
		} named[] = {
		    {"midnight", 0},
		    {"noon", 12},
		    {"elevenses", 11},
		    {"fika", 15},
		    {"teatime", 16},
		};
		size_t i;
		for (i = 0; i < sizeof(named) / sizeof(named[0]); i++)
			if (word_at(p, named[i].w, &after))
				break;
		if (i < sizeof(named) / sizeof(named[0])) {
			st.hour = named[i].hour;
			st.min = st.sec = 0;
			p = after;
			continue;
		}
		if (!isdigit((unsigned char)*p))
			goto bad;
		int n = num_run(p);
		if ((n == 1 || n == 2) && p[n] == ':') {
			if (parse_tod(&p, &st) < 0)
				goto bad;
		} else if (parse_date(&p, &st, &tn) < 0) {
			goto bad;
		}
		if (*p != '\0' && !isspace((unsigned char)*p))
			goto bad;
	}
	if (!any)
		goto bad;
	if (st.fixed != -1 && st.year == -1 && st.hour == -1) {
		*out = st.fixed;
		return 0;
	}
	if (st.fixed != -1) {
		/* "now" combined with a date or time: take now's fields as base */
		struct abs_state f = st;
		set_date_from(&f, (time_t)st.fixed);
		if (st.year == -1) {
			st.year = f.year;
			st.mon = f.mon;
			st.mday = f.mday;
		}
		if (st.hour == -1) {
			struct tm ft;
			time_t fx = (time_t)st.fixed;
			localtime_r(&fx, &ft);
			st.hour = ft.tm_hour;
			st.min = ft.tm_min;
			st.sec = ft.tm_sec;
		}
	}
	if (st.hour == -1) {
		/* a date alone means its midnight */
		st.hour = st.min = st.sec = 0;
	} else if (st.year == -1) {
		/* a time alone means the next such time; the current minute is past */
		if (st.hour > tn.tm_hour || (st.hour == tn.tm_hour && st.min > tn.tm_min))
			set_date_from(&st, tnow);
		else
			set_date_from(&st, tnow + 86400);
	}
	if (st.mon < 0 || st.mon > 11 || st.mday < 1 || st.year < 0 || st.year > 1100 ||
	    st.mday > days_in_month(st.mon, st.year))
		goto bad;
	struct tm tm = {0};
	tm.tm_year = st.year;
	tm.tm_mon = st.mon;
	tm.tm_mday = st.mday;
	tm.tm_hour = st.hour;
	tm.tm_min = st.min;
	tm.tm_sec = st.sec;
	tm.tm_isdst = -1;
	time_t t = mktime(&tm);
	if (t == (time_t)-1)
		goto bad;
	*out = (int64_t)t;
	return 0;
bad:
	errno = EINVAL;
	return -1;
}

/* --- memory sizes ---------------------------------------------------- */

int
mem_size_parse(const char *s, uint64_t *mb)
{
	if (s == NULL || mb == NULL || !isdigit((unsigned char)*s))
		goto bad;
	uint64_t v = 0;
	const char *p = s;
	while (isdigit((unsigned char)*p)) {
		if (v > (UINT64_MAX - 9) / 10)
			goto bad;
		v = v * 10 + (uint64_t)(*p - '0');
		p++;
	}
	uint64_t r;
	switch (toupper((unsigned char)*p)) {
	case '\0':
	case 'M':
		r = v;
		break;
	case 'K':
		r = v / 1024 + (v % 1024 != 0);
		break;
	case 'G':
		if (v > (UINT64_MAX >> 12) / 1024)
			goto bad;
		r = v * 1024;
		break;
	case 'T':
		if (v > (UINT64_MAX >> 12) / (1024 * 1024))
			goto bad;
		r = v * 1024 * 1024;
		break;
	default:
		goto bad;
	}
	if (*p != '\0') {
		p++;
		/* "4GB" */
		if (toupper((unsigned char)*p) == 'B')
			p++;
		if (*p != '\0')
			goto bad;
	}
	if (r > (UINT64_MAX >> 12))
		goto bad;
	*mb = r;
	return 0;
bad:
	errno = EINVAL;
	return -1;
}

char *
fmt_mem(char *buf, size_t n, uint64_t mb)
{
	static const char units[] = "MGTP";
	int u = 0;
	if (mb == 0) {
		snprintf(buf, n, "0");
		return buf;
	}
	while (u < 3 && mb % 1024 == 0) {
		mb /= 1024;
		u++;
	}
	snprintf(buf, n, "%" PRIu64 "%c", mb, units[u]);
	return buf;
}

char *
fmt_compressed_counts(const uint32_t *v, size_t n)
{
	size_t cap = 32, len = 0;
	char *s = xmalloc(cap);
	s[0] = '\0';
	for (size_t i = 0; i < n;) {
		size_t j = i + 1;
		while (j < n && v[j] == v[i])
			j++;
		char item[48];
		int l;
		if (j - i >= 2)
			l = snprintf(item, sizeof(item), "%s%" PRIu32 "(x%zu)", len ? "," : "", v[i], j - i);
		else
			l = snprintf(item, sizeof(item), "%s%" PRIu32, len ? "," : "", v[i]);
		while (len + (size_t)l + 1 > cap)
			cap *= 2;
		s = xrealloc(s, cap);
		memcpy(s + len, item, (size_t)l + 1);
		len += (size_t)l;
		i = j;
	}
	return s;
}

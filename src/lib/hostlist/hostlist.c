/* SPDX-License-Identifier: MIT */
/*
 * Hostlist expressions (config.md section 6).  A hostlist is an ordered
 * array of names; each entry caches the split of its name into a prefix
 * and a trailing decimal number so that compression and sorting, which
 * run on every squeue/sinfo line, never re-scan the strings.
 */
#include "hostlist.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/xmalloc.h"

/* Numbers longer than this are not numbers (they would overflow). */
#define HL_MAX_DIGITS 18
/* Brackets per item; "a[1]b[2]c[3]..." deeper than this is rejected. */
#define HL_MAX_BRACKETS 32

struct host {
	char *name;
	uint32_t plen; /* prefix length; == strlen(name) when width == 0 */
	uint32_t width; /* digits of the numeric suffix as written; 0 = none */
	uint64_t num;
};

struct hostlist {
	struct host *h;
	size_t cnt, cap;
};

/* Fill the prefix/number split of h from h->name. */
static void
host_split(struct host *h)
{
	size_t len = strlen(h->name);
	size_t d = 0;
	while (d < len && h->name[len - 1 - d] >= '0' && h->name[len - 1 - d] <= '9')
		d++;
	if (d == 0 || d > HL_MAX_DIGITS) {
		h->plen = (uint32_t)len;
		h->width = 0;
		h->num = 0;
		return;
	}
	uint64_t v = 0;
	for (size_t i = len - d; i < len; i++)
		v = v * 10 + (uint64_t)(h->name[i] - '0');
	h->plen = (uint32_t)(len - d);
	h->width = (uint32_t)d;
	h->num = v;
}

static unsigned
ndigits(uint64_t v)
{
	unsigned n = 1;
	while (v >= 10) {
		v /= 10;
		n++;
	}
	return n;
}

/* Written with a leading zero ("01", but not "0"). */
static int
host_padded(const struct host *h)
{
	return h->width > ndigits(h->num);
}

static void
hl_grow(struct hostlist *hl, size_t extra)
{
	if (hl->cnt + extra <= hl->cap)
		return;
	size_t cap = hl->cap ? hl->cap : 8;
	while (cap < hl->cnt + extra)
		cap *= 2;
	hl->h = xreallocarray(hl->h, cap, sizeof(*hl->h));
	hl->cap = cap;
}

/* Append a name that we own already. */
static void
hl_append_take(struct hostlist *hl, char *name)
{
	hl_grow(hl, 1);
	struct host *h = &hl->h[hl->cnt++];
	h->name = name;
	host_split(h);
}

void
hostlist_push_host(struct hostlist *hl, const char *name)
{
	if (hl == NULL || name == NULL)
		return;
	hl_append_take(hl, xstrdup(name));
}

/* --- expansion ----------------------------------------------------- */

struct hl_range {
	uint64_t lo, hi;
	unsigned width;
};

static int
is_sep(char c)
{
	return c == ',' || c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

/* Parse a decimal number of at most HL_MAX_DIGITS digits at *p. */
static int
parse_num(const char **p, const char *end, uint64_t *v, unsigned *width)
{
	const char *s = *p;
	uint64_t n = 0;
	unsigned w = 0;
	while (s < end && *s >= '0' && *s <= '9') {
		if (++w > HL_MAX_DIGITS)
			return -1;
		n = n * 10 + (uint64_t)(*s - '0');
		s++;
	}
	if (w == 0)
		return -1;
	*p = s;
	*v = n;
	*width = w;
	return 0;
}

/* Write v zero-padded to width into dst; returns the length written. */
static size_t
put_num(char *dst, uint64_t v, unsigned width)
{
	char tmp[24];
	size_t n = 0;
	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	while (n < width)
		tmp[n++] = '0';
	for (size_t i = 0; i < n; i++)
		dst[i] = tmp[n - 1 - i];
	return n;
}

/*
 * Expand one item [s, end) (no top-level separators inside) and append its
 * names to out.  *total counts names produced so far for the guard.
 */
static int
expand_item(const char *s, const char *end, struct hostlist *out, size_t *total)
{
	const char *text[HL_MAX_BRACKETS + 1];
	size_t text_len[HL_MAX_BRACKETS + 1];
	size_t first_range[HL_MAX_BRACKETS + 1];
	struct hl_range *ranges = NULL;
	size_t nranges = 0, cap_ranges = 0;
	unsigned nb = 0;
	size_t count = 1;
	const char *p = s;

	for (;;) {
		const char *t = p;
		while (p < end && *p != '[')
			p++;
		text[nb] = t;
		text_len[nb] = (size_t)(p - t);
		if (memchr(t, ']', text_len[nb]) != NULL)
			goto fail;
		if (p == end)
			break;
		/* a bracket */
		if (nb == HL_MAX_BRACKETS)
			goto fail;
		p++;
		first_range[nb] = nranges;
		size_t bcount = 0;
		for (;;) {
			struct hl_range r;
			if (parse_num(&p, end, &r.lo, &r.width) < 0)
				goto fail;
			r.hi = r.lo;
			if (p < end && *p == '-') {
				unsigned w2;
				p++;
				if (parse_num(&p, end, &r.hi, &w2) < 0)
					goto fail;
				if (r.hi < r.lo)
					goto fail;
			}
			uint64_t span = r.hi - r.lo + 1;
			if (span > HOSTLIST_MAX_HOSTS || bcount + span > HOSTLIST_MAX_HOSTS)
				goto fail;
			bcount += (size_t)span;
			if (nranges == cap_ranges) {
				cap_ranges = cap_ranges ? cap_ranges * 2 : 8;
				ranges = xreallocarray(ranges, cap_ranges, sizeof(*ranges));
			}
			ranges[nranges++] = r;
			if (p < end && *p == ',') {
				p++;
				continue;
			}
			if (p < end && *p == ']')
				break;
			goto fail;
		}
		p++; /* ']' */
		count *= bcount;
		if (count > HOSTLIST_MAX_HOSTS)
			goto fail;
		nb++;
	}
	first_range[nb] = nranges;
	/* text after the last bracket */
	if (nb > 0 && text_len[nb] != 0)
		goto fail;
	if (*total + count > HOSTLIST_MAX_HOSTS)
		goto fail;
	*total += count;

	if (nb == 0) {
		hl_append_take(out, xstrndup(s, (size_t)(end - s)));
		free(ranges);
		return 0;
	}

	/* odometer: leftmost bracket slowest */
	size_t ri[HL_MAX_BRACKETS];
	uint64_t cur[HL_MAX_BRACKETS];
	for (unsigned b = 0; b < nb; b++) {
		ri[b] = first_range[b];
		cur[b] = ranges[ri[b]].lo;
	}
	size_t maxlen = (size_t)(end - s) + (size_t)nb * (HL_MAX_DIGITS + 2) + 1;
	char *buf = xmalloc(maxlen);
	hl_grow(out, count);
	for (;;) {
		size_t n = 0;
		for (unsigned b = 0; b < nb; b++) {
			memcpy(buf + n, text[b], text_len[b]);
			n += text_len[b];
			n += put_num(buf + n, cur[b], ranges[ri[b]].width);
		}
		buf[n] = '\0';
		hl_append_take(out, xstrndup(buf, n));
		/* advance, rightmost fastest */
		int b = (int)nb - 1;
		for (; b >= 0; b--) {
			if (cur[b] < ranges[ri[b]].hi) {
				cur[b]++;
				break;
			}
			if (ri[b] + 1 < first_range[b + 1]) {
				ri[b]++;
				cur[b] = ranges[ri[b]].lo;
				break;
			}
			ri[b] = first_range[b];
			cur[b] = ranges[ri[b]].lo;
		}
		if (b < 0)
			break;
	}
	free(buf);
	free(ranges);
	return 0;
fail:
	free(ranges);
	return -1;
}

static void
hl_truncate(struct hostlist *hl, size_t cnt)
{
	for (size_t i = cnt; i < hl->cnt; i++)
		free(hl->h[i].name);
	hl->cnt = cnt;
}

int
hostlist_push(struct hostlist *hl, const char *expr)
{
	if (hl == NULL) {
		errno = EINVAL;
		return -1;
	}
	if (expr == NULL)
		return 0;
	size_t start = hl->cnt, total = 0;
	const char *p = expr;
	for (;;) {
		while (*p != '\0' && is_sep(*p))
			p++;
		if (*p == '\0')
			break;
		const char *item = p;
		int depth = 0;
		while (*p != '\0') {
			if (*p == '[') {
				if (depth)
					goto fail;
				depth = 1;
			} else if (*p == ']') {
				if (!depth)
					goto fail;
				depth = 0;
			} else if (!depth && is_sep(*p)) {
				break;
			}
			p++;
		}
		if (depth)
			goto fail;
		if (expand_item(item, p, hl, &total) < 0)
			goto fail;
	}
	return 0;
fail:
	hl_truncate(hl, start);
	errno = EINVAL;
	return -1;
}

struct hostlist *
hostlist_create(const char *expr)
{
	struct hostlist *hl = xcalloc(1, sizeof(*hl));
	if (hostlist_push(hl, expr) < 0) {
		hostlist_destroy(hl);
		errno = EINVAL;
		return NULL;
	}
	return hl;
}

void
hostlist_destroy(struct hostlist *hl)
{
	if (hl == NULL)
		return;
	hl_truncate(hl, 0);
	free(hl->h);
	free(hl);
}

size_t
hostlist_count(const struct hostlist *hl)
{
	return hl ? hl->cnt : 0;
}

const char *
hostlist_nth(const struct hostlist *hl, size_t i)
{
	if (hl == NULL || i >= hl->cnt)
		return NULL;
	return hl->h[i].name;
}

int
hostlist_find(const struct hostlist *hl, const char *name)
{
	if (hl == NULL || name == NULL)
		return -1;
	for (size_t i = 0; i < hl->cnt; i++)
		if (strcmp(hl->h[i].name, name) == 0)
			return (int)i;
	return -1;
}

/* --- compression --------------------------------------------------- */

struct sbuf {
	char *s;
	size_t len, cap;
};

static void
sb_reserve(struct sbuf *b, size_t extra)
{
	if (b->len + extra + 1 <= b->cap)
		return;
	size_t cap = b->cap ? b->cap : 64;
	while (cap < b->len + extra + 1)
		cap *= 2;
	b->s = xrealloc(b->s, cap);
	b->cap = cap;
}

static void
sb_add(struct sbuf *b, const char *s, size_t n)
{
	sb_reserve(b, n);
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

static void
sb_num(struct sbuf *b, uint64_t v, unsigned width)
{
	sb_reserve(b, HL_MAX_DIGITS + 2);
	b->len += put_num(b->s + b->len, v, width);
	b->s[b->len] = '\0';
}

static int
same_prefix(const struct host *a, const struct host *b)
{
	return a->plen == b->plen && memcmp(a->name, b->name, a->plen) == 0;
}

/* May b follow a inside one range "lo-hi"? */
static int
range_continues(const struct host *a, const struct host *b)
{
	if (b->num != a->num + 1)
		return 0;
	if (a->width == b->width)
		return 1;
	return !host_padded(a) && !host_padded(b);
}

static char *
compress_hosts(const struct host *h, size_t n)
{
	struct sbuf b = {0};
	sb_reserve(&b, 0);
	b.s[0] = '\0';
	size_t i = 0;
	while (i < n) {
		if (b.len)
			sb_add(&b, ",", 1);
		if (h[i].width == 0) {
			sb_add(&b, h[i].name, strlen(h[i].name));
			i++;
			continue;
		}
		/* group: consecutive numbered names with the same prefix */
		size_t j = i + 1;
		while (j < n && h[j].width != 0 && same_prefix(&h[i], &h[j]))
			j++;
		if (j == i + 1) {
			sb_add(&b, h[i].name, strlen(h[i].name));
			i = j;
			continue;
		}
		sb_add(&b, h[i].name, h[i].plen);
		sb_add(&b, "[", 1);
		size_t k = i;
		while (k < j) {
			size_t e = k;
			while (e + 1 < j && range_continues(&h[e], &h[e + 1]))
				e++;
			if (k != i)
				sb_add(&b, ",", 1);
			sb_num(&b, h[k].num, h[k].width);
			if (e != k) {
				sb_add(&b, "-", 1);
				sb_num(&b, h[e].num, h[k].width);
			}
			k = e + 1;
		}
		sb_add(&b, "]", 1);
		i = j;
	}
	return b.s;
}

char *
hostlist_ranged_string(const struct hostlist *hl)
{
	if (hl == NULL)
		return xstrdup("");
	return compress_hosts(hl->h, hl->cnt);
}

char *
hostlist_compress(const char *const *names, size_t n)
{
	struct host stackh[64];
	memset(stackh, 0, sizeof(stackh));
	struct host *h = n <= 64 ? stackh : xcalloc(n, sizeof(*h));
	for (size_t i = 0; i < n; i++) {
		/* borrowed: compress_hosts never writes or frees names */
		h[i].name = (char *)(uintptr_t)names[i];
		host_split(&h[i]);
	}
	char *s = compress_hosts(h, n);
	if (h != stackh)
		free(h);
	return s;
}

/* --- sort and uniq ------------------------------------------------- */

/*
 * Order: prefix bytes, names without a number first, then digit count as
 * written, then the number.  Ordering by digit count puts "n2" before
 * "n01" (they cannot share a range) and is a total order, which qsort
 * needs.
 */
static int
host_cmp(const void *va, const void *vb)
{
	const struct host *a = va, *b = vb;
	size_t m = a->plen < b->plen ? a->plen : b->plen;
	int c = memcmp(a->name, b->name, m);
	if (c != 0)
		return c;
	if (a->plen != b->plen)
		return a->plen < b->plen ? -1 : 1;
	if ((a->width == 0) != (b->width == 0))
		return a->width == 0 ? -1 : 1;
	if (a->width != b->width)
		return a->width < b->width ? -1 : 1;
	if (a->num != b->num)
		return a->num < b->num ? -1 : 1;
	return 0;
}

void
hostlist_sort(struct hostlist *hl)
{
	if (hl == NULL || hl->cnt < 2)
		return;
	qsort(hl->h, hl->cnt, sizeof(*hl->h), host_cmp);
}

static uint64_t
str_hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;
	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	return h;
}

void
hostlist_uniq(struct hostlist *hl)
{
	if (hl == NULL || hl->cnt < 2)
		return;
	size_t size = 16;
	while (size < hl->cnt * 2)
		size *= 2;
	uint32_t *slot = xcalloc(size, sizeof(*slot)); /* index + 1; 0 = empty */
	size_t out = 0;
	for (size_t i = 0; i < hl->cnt; i++) {
		size_t pos = (size_t)str_hash(hl->h[i].name) & (size - 1);
		int dup = 0;
		while (slot[pos] != 0) {
			if (strcmp(hl->h[slot[pos] - 1].name, hl->h[i].name) == 0) {
				dup = 1;
				break;
			}
			pos = (pos + 1) & (size - 1);
		}
		if (dup) {
			free(hl->h[i].name);
			continue;
		}
		hl->h[out] = hl->h[i];
		slot[pos] = (uint32_t)(out + 1);
		out++;
	}
	hl->cnt = out;
	free(slot);
}

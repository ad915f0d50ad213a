/* SPDX-License-Identifier: MIT */
/*
 * The line syntax shared by slurm.conf and slurmdbd.conf (config.md
 * section 2): continuation lines, comments, backslash escapes, Key=Value
 * pairs with optional quotes, and Include with %c.  The reader hands each
 * logical line, split into pairs, to a callback.
 */
#include "conf/conf_int.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/xmalloc.h"

/* Configuration files larger than this are refused. */
#define CONF_MAX_FILE (16u << 20)
#define CONF_MAX_DEPTH 16

void
conf_errf(char *err, size_t errlen, const char *file, int line, const char *fmt, ...)
{
	if (err == NULL || errlen == 0)
		return;
	int n = 0;
	if (file != NULL && line > 0)
		n = snprintf(err, errlen, "%s:%d: ", file, line);
	else if (file != NULL)
		n = snprintf(err, errlen, "%s: ", file);
	if (n < 0 || (size_t)n >= errlen)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
	va_end(ap);
}

char *
conf_slurp(const char *path, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return NULL;
	struct stat st;
	if (fstat(fd, &st) < 0) {
		close(fd);
		return NULL;
	}
	if (!S_ISREG(st.st_mode) || st.st_size > (off_t)CONF_MAX_FILE) {
		close(fd);
		errno = S_ISREG(st.st_mode) ? EFBIG : EINVAL;
		return NULL;
	}
	size_t cap = (size_t)st.st_size + 1, n = 0;
	char *buf = xmalloc(cap);
	for (;;) {
		if (n + 1 >= cap) {
			if (cap > CONF_MAX_FILE) {
				free(buf);
				close(fd);
				errno = EFBIG;
				return NULL;
			}
			cap *= 2;
			buf = xrealloc(buf, cap);
		}
		ssize_t r = read(fd, buf + n, cap - n - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = errno;
			free(buf);
			close(fd);
			errno = e;
			return NULL;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
}

static const char *
base_name(const char *path)
{
	const char *s = strrchr(path, '/');
	return s ? s + 1 : path;
}

static int
is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

static int
is_key_char(char c)
{
	return isalnum((unsigned char)c) || c == '_' || c == '.';
}

/* Cut the line at the first unescaped '#'. */
static void
strip_comment(char *s)
{
	for (char *p = s; *p; p++) {
		if (*p == '\\' && p[1] != '\0') {
			p++;
			continue;
		}
		if (*p == '#') {
			*p = '\0';
			return;
		}
	}
}

/*
 * Read a value at *pp into a fresh string (quotes stripped, escapes
 * resolved).  Returns NULL on an unterminated quote.
 */
static char *
read_value(char **pp)
{
	char *p = *pp;
	size_t cap = strlen(p) + 1, n = 0;
	char *out = xmalloc(cap);
	if (*p == '"') {
		p++;
		while (*p && *p != '"') {
			if (*p == '\\' && p[1] != '\0')
				p++;
			out[n++] = *p++;
		}
		if (*p != '"') {
			free(out);
			return NULL;
		}
		p++;
	} else {
		while (*p && !is_blank(*p)) {
			if (*p == '\\' && p[1] != '\0')
				p++;
			out[n++] = *p++;
		}
	}
	out[n] = '\0';
	*pp = p;
	return out;
}

static void
free_pairs(struct conf_pair *pairs, int n)
{
	for (int i = 0; i < n; i++) {
		free(pairs[i].key);
		free(pairs[i].val);
	}
	free(pairs);
}

static int process_include(
    struct conf_reader *r, const char *arg, const char *file, int line, char *err, size_t errlen);

/* One logical line, comments not yet removed. */
static int
process_line(struct conf_reader *r, char *s, const char *file, int line, char *err, size_t errlen)
{
	strip_comment(s);
	char *p = s;
	while (is_blank(*p))
		p++;
	if (*p == '\0')
		return 0;

	/* "Include <file>" */
	if (strncasecmp(p, "include", 7) == 0 && is_blank(p[7])) {
		char *a = p + 7;
		while (is_blank(*a))
			a++;
		char *e = a + strlen(a);
		while (e > a && is_blank(e[-1]))
			*--e = '\0';
		char *arg = read_value(&a);
		if (arg == NULL || *arg == '\0') {
			free(arg);
			conf_errf(err, errlen, file, line, "Include needs a file name");
			return -1;
		}
		int rc = process_include(r, arg, file, line, err, errlen);
		free(arg);
		return rc;
	}

	struct conf_pair *pairs = NULL;
	int n = 0, cap = 0;
	while (*p) {
		while (is_blank(*p))
			p++;
		if (*p == '\0')
			break;
		char *k = p;
		while (is_key_char(*p))
			p++;
		size_t klen = (size_t)(p - k);
		char *q = p;
		while (is_blank(*q))
			q++;
		if (klen == 0 || *q != '=') {
			char near[40];
			snprintf(near, sizeof(near), "%.*s", (int)strcspn(k, " \t"), k);
			conf_errf(err, errlen, file, line, "Parsing error at unrecognized key: %s", near);
			free_pairs(pairs, n);
			return -1;
		}
		q++;
		/* "Key= Other=..." : an empty value, not "Other=..." */
		char *v = q;
		while (is_blank(*v))
			v++;
		if (v != q) {
			char *t = v;
			while (is_key_char(*t))
				t++;
			if (t != v && *t == '=')
				v = q;
		}
		char *val = read_value(&v);
		if (val == NULL) {
			conf_errf(
			    err, errlen, file, line, "unterminated quote in value of '%.*s'", (int)klen, k);
			free_pairs(pairs, n);
			return -1;
		}
		if (n == cap) {
			cap = cap ? cap * 2 : 8;
			pairs = xreallocarray(pairs, (size_t)cap, sizeof(*pairs));
		}
		pairs[n].key = xstrndup(k, klen);
		pairs[n].val = val;
		n++;
		p = v;
		if (*p && !is_blank(*p)) {
			/* text glued to a quoted value */
			conf_errf(err, errlen, file, line, "bad value for '%s'", pairs[n - 1].key);
			free_pairs(pairs, n);
			return -1;
		}
	}
	int rc = 0;
	if (n > 0) {
		struct conf_rline l = {file, line, pairs, n};
		rc = r->fn(r->arg, &l, err, errlen);
	}
	free_pairs(pairs, n);
	return rc;
}

/* Trailing backslashes before the end (blanks ignored); odd = continued. */
static int
continued(char *s, size_t *len)
{
	size_t n = *len;
	while (n > 0 && is_blank(s[n - 1]))
		n--;
	size_t b = 0;
	while (b < n && s[n - 1 - b] == '\\')
		b++;
	if (b % 2 == 1) {
		*len = n - 1;
		return 1;
	}
	return 0;
}

int
conf_read_text(
    struct conf_reader *r, const char *text, size_t len, const char *name, char *err, size_t errlen)
{
	const char *file = name ? base_name(name) : "slurm.conf";
	const char *p = text, *end = text + len;
	int line = 0;
	char *acc = NULL;
	size_t alen = 0, acap = 0;
	int start_line = 0;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		line++;
		size_t l = (size_t)(le - p);
		if (alen == 0)
			start_line = line;
		if (alen + l + 1 > acap) {
			acap = (alen + l + 1) * 2;
			acc = xrealloc(acc, acap);
		}
		memcpy(acc + alen, p, l);
		/* NUL bytes end a line's content */
		size_t real = strnlen(acc + alen, l);
		size_t seg = real;
		int cont = continued(acc + alen, &seg);
		alen += seg;
		acc[alen] = '\0';
		p = nl ? nl + 1 : end;
		if (cont && p < end)
			continue;
		if (process_line(r, acc, file, start_line, err, errlen) < 0) {
			free(acc);
			return -1;
		}
		alen = 0;
	}
	free(acc);
	return 0;
}

int
conf_read_file(struct conf_reader *r, const char *path, char *err, size_t errlen)
{
	size_t len;
	char *text = conf_slurp(path, &len);
	if (text == NULL) {
		conf_errf(err, errlen, NULL, 0, "%s: %s", path, strerror(errno));
		return -1;
	}
	int rc = conf_read_text(r, text, len, path, err, errlen);
	free(text);
	return rc;
}

static int
process_include(struct conf_reader *r, const char *arg, const char *file, int line, char *err, size_t errlen)
{
	if (r->depth >= CONF_MAX_DEPTH) {
		conf_errf(err, errlen, file, line, "Include nested too deeply");
		return -1;
	}
	/* %c -> ClusterName */
	const char *cl = r->cluster ? r->cluster(r->arg) : NULL;
	size_t cap = strlen(arg) + 1, n = 0;
	char *name = xmalloc(cap);
	for (const char *a = arg; *a; a++) {
		if (a[0] == '%' && a[1] == 'c') {
			if (cl == NULL) {
				free(name);
				conf_errf(err, errlen, file, line, "Include %%c used before ClusterName");
				return -1;
			}
			cap += strlen(cl);
			name = xrealloc(name, cap);
			memcpy(name + n, cl, strlen(cl));
			n += strlen(cl);
			a++;
			continue;
		}
		name[n++] = *a;
	}
	name[n] = '\0';
	char *path = name[0] == '/' || r->dir == NULL ? xstrdup(name) : xasprintf("%s/%s", r->dir, name);
	free(name);
	size_t len;
	char *text = conf_slurp(path, &len);
	if (text == NULL) {
		conf_errf(err, errlen, file, line, "cannot read included file %s: %s", path, strerror(errno));
		free(path);
		return -1;
	}
	r->depth++;
	int rc = conf_read_text(r, text, len, path, err, errlen);
	r->depth--;
	free(text);
	free(path);
	return rc;
}

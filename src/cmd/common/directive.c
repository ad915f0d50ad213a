/* SPDX-License-Identifier: MIT */
/*
 * Finding "#SBATCH" directive lines at the top of a batch script and
 * splitting each into shell-like words.  The script is arbitrary user
 * input (and a fuzz target): everything is length-bounded and NUL bytes
 * are treated as ordinary characters.
 */
#include "directive.h"

#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/xmalloc.h"
#include "proto/proto.h"

static int
is_blank(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\v' || ch == '\f' || ch == '\r';
}

int
directive_split(const char *text, size_t len, char ***argv, uint32_t *argc, size_t *err_off, char *err_quote)
{
	size_t i = 0;
	struct buf w;
	buf_init(&w);
	for (;;) {
		size_t seg = i; /* errors quote the line from here, blanks included */
		while (i < len && is_blank(text[i]))
			i++;
		if (i >= len || text[i] == '#')
			break;
		if (text[i] == ':') {
			/* "#SBATCH : ..." is the old het job separator syntax */
			*err_off = seg;
			*err_quote = ':';
			buf_free(&w);
			return DIRECTIVE_UNEXPECTED_COLON;
		}
		char quote = 0;
		int comment = 0;
		buf_reset(&w);
		while (i < len && (quote || !is_blank(text[i]))) {
			char ch = text[i];
			if (ch == '\\') {
				/* a backslash at the very end escapes nothing */
				if (i + 1 < len)
					buf_addc(&w, text[i + 1]);
				i += 2;
				continue;
			}
			if (quote) {
				if (ch == quote)
					quote = 0;
				else
					buf_addc(&w, ch);
				i++;
				continue;
			}
			if (ch == '"' || ch == '\'') {
				quote = ch;
				i++;
				continue;
			}
			if (ch == '#') {
				comment = 1;
				break;
			}
			buf_addc(&w, ch);
			i++;
		}
		if (i > len)
			i = len;
		if (quote) {
			*err_off = seg;
			*err_quote = quote;
			buf_free(&w);
			return DIRECTIVE_UNMATCHED_QUOTE;
		}
		/* "" is an empty word; "ab#c" is the word "ab" then a comment */
		strv_add(argv, argc, buf_str(&w));
		if (comment)
			break;
	}
	buf_free(&w);
	return DIRECTIVE_OK;
}

static int
has_prefix(const char *line, size_t len, const char *prefix)
{
	size_t n = strlen(prefix);
	return n > 0 && len >= n && memcmp(line, prefix, n) == 0;
}

/* Does the line end directive processing?  (any non-blank text not starting with '#') */
static int
is_command_line(const char *line, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (is_blank(line[i]))
			continue;
		return line[i] != '#';
	}
	return 0;
}

/* First word of a directive, to recognise the het job separator. */
static int
is_hetjob_separator(char **words, uint32_t before, uint32_t after)
{
	if (after <= before)
		return 0;
	const char *w = words[before];
	return strcmp(w, "hetjob") == 0 || strcmp(w, "packjob") == 0;
}

int
directive_scan(
    const char *script, size_t len, const char *prefix, const char *alt_prefix, struct directive_result *res)
{
	memset(res, 0, sizeof(*res));
	size_t pos = 0;
	int lineno = 0;
	while (pos < len) {
		const char *line = script + pos;
		const char *nl = memchr(line, '\n', len - pos);
		size_t llen = nl ? (size_t)(nl - line) : len - pos;
		pos += llen + (nl ? 1 : 0);
		lineno++;

		size_t plen;
		if (has_prefix(line, llen, prefix)) {
			plen = strlen(prefix);
		} else if (alt_prefix != NULL && has_prefix(line, llen, alt_prefix)) {
			plen = strlen(alt_prefix);
			res->alt_prefix_used = 1;
		} else {
			if (is_command_line(line, llen))
				break;
			continue;
		}

		uint32_t before = res->argc;
		size_t off = 0;
		char q = 0;
		int rc = directive_split(line + plen, llen - plen, &res->argv, &res->argc, &off, &q);
		if (rc != DIRECTIVE_OK) {
			res->err_line = lineno;
			res->err_quote = q;
			res->err_text = xstrndup(line + plen + off, llen - plen - off);
			return rc;
		}
		if (is_hetjob_separator(res->argv, before, res->argc)) {
			/* only the first component is collected */
			for (uint32_t i = before; i < res->argc; i++)
				free(res->argv[i]);
			res->argc = before;
			res->hetjob = 1;
			res->hetjob_line = lineno;
			break;
		}
	}
	return DIRECTIVE_OK;
}

void
directive_result_free(struct directive_result *res)
{
	if (res == NULL)
		return;
	strv_free(res->argv, res->argc);
	free(res->err_text);
	memset(res, 0, sizeof(*res));
}

/* SPDX-License-Identifier: MIT */
/*
 * Helpers of the query and control commands (see cmdutil.h).
 */
#include "cmdutil.h"

#include <ctype.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "base/xmalloc.h"

void
strlist_add(struct strlist *l, const char *s)
{
	l->v = xreallocarray(l->v, l->n + 1, sizeof(*l->v));
	l->v[l->n++] = xstrdup(s);
}

void
strlist_split(struct strlist *l, const char *s)
{
	if (s == NULL)
		return;
	while (*s) {
		size_t len = strcspn(s, ",");
		if (len > 0) {
			char *item = xstrndup(s, len);
			strlist_add(l, item);
			free(item);
		}
		s += len;
		if (*s)
			s++;
	}
}

void
strlist_free(struct strlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

int
strlist_has(const struct strlist *l, const char *s)
{
	if (s == NULL)
		return 0;
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->v[i], s) == 0)
			return 1;
	return 0;
}

int
strlist_has_case(const struct strlist *l, const char *s)
{
	if (s == NULL)
		return 0;
	for (size_t i = 0; i < l->n; i++)
		if (strcasecmp(l->v[i], s) == 0)
			return 1;
	return 0;
}

int
strlist_has_any(const struct strlist *l, const char *s)
{
	if (s == NULL)
		return 0;
	while (*s) {
		size_t len = strcspn(s, ",");
		for (size_t i = 0; i < l->n; i++)
			if (strlen(l->v[i]) == len && strncmp(l->v[i], s, len) == 0)
				return 1;
		s += len;
		if (*s)
			s++;
	}
	return 0;
}

static int
all_digits(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return 0;
	return 1;
}

int
cmd_user_match(const struct strlist *users, const char *name, uint32_t uid)
{
	for (size_t i = 0; i < users->n; i++) {
		const char *u = users->v[i];
		if (name != NULL && strcmp(u, name) == 0)
			return 1;
		if (all_digits(u) && strtoul(u, NULL, 10) == uid)
			return 1;
	}
	return 0;
}

static const struct {
	const char *name;
	int sig;
} signals[] = {
    {"HUP", SIGHUP},
    {"INT", SIGINT},
    {"QUIT", SIGQUIT},
    {"ILL", SIGILL},
    {"TRAP", SIGTRAP},
    {"ABRT", SIGABRT},
    {"BUS", SIGBUS},
    {"FPE", SIGFPE},
    {"KILL", SIGKILL},
    {"USR1", SIGUSR1},
    {"SEGV", SIGSEGV},
    {"USR2", SIGUSR2},
    {"PIPE", SIGPIPE},
    {"ALRM", SIGALRM},
    {"TERM", SIGTERM},
    {"CHLD", SIGCHLD},
    {"CONT", SIGCONT},
    {"STOP", SIGSTOP},
    {"TSTP", SIGTSTP},
    {"TTIN", SIGTTIN},
    {"TTOU", SIGTTOU},
    {"URG", SIGURG},
    {"XCPU", SIGXCPU},
    {"XFSZ", SIGXFSZ},
    {"VTALRM", SIGVTALRM},
    {"PROF", SIGPROF},
    {"WINCH", SIGWINCH},
    {"IO", SIGIO},
    {"POLL", SIGIO},
    {"PWR", SIGPWR},
    {"SYS", SIGSYS},
};

int
cmd_signal_parse(const char *s)
{
	if (s == NULL || *s == '\0')
		return -1;
	if (all_digits(s)) {
		long v = strtol(s, NULL, 10);
		return v > 0 && v < 65 ? (int)v : -1;
	}
	if (strncasecmp(s, "SIG", 3) == 0)
		s += 3;
	for (size_t i = 0; i < sizeof(signals) / sizeof(signals[0]); i++)
		if (strcasecmp(s, signals[i].name) == 0)
			return signals[i].sig;
	return -1;
}

void
cmd_date_line(struct buf *out, int64_t now)
{
	time_t t = (time_t)now;
	struct tm tm;
	char s[64];
	if (localtime_r(&t, &tm) == NULL || strftime(s, sizeof(s), "%a %b %e %H:%M:%S %Y", &tm) == 0)
		s[0] = '\0';
	buf_printf(out, "%s\n", s);
}

int
cmd_write_stdout(struct buf *out)
{
	size_t off = 0;
	fflush(stdout);
	while (off < out->len) {
		ssize_t w = write(STDOUT_FILENO, out->data + off, out->len - off);
		if (w < 0)
			return -1;
		off += (size_t)w;
	}
	return 0;
}

const char *
cmd_base_name(const char *path)
{
	const char *s = strrchr(path, '/');
	return s ? s + 1 : path;
}

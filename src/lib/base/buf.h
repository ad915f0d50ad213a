/* SPDX-License-Identifier: MIT */
/*
 * Growable byte buffer used for building wire frames and output text.
 */
#ifndef HERD_BUF_H
#define HERD_BUF_H

#include <stddef.h>
#include <stdint.h>

struct buf {
	char *data;
	size_t len;
	size_t cap;
};

void buf_init(struct buf *b);
void buf_free(struct buf *b); /* releases data; b may be reused after buf_init */
void buf_reserve(struct buf *b, size_t extra);
void buf_add(struct buf *b, const void *p, size_t n);
void buf_addc(struct buf *b, char c);
void buf_adds(struct buf *b, const char *s);
void buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_pad(struct buf *b, char c, size_t n);
char *buf_take(struct buf *b); /* NUL-terminated string, caller frees; b reset */
const char *buf_str(struct buf *b); /* NUL-terminated view, valid until next change */
void buf_reset(struct buf *b);
/* Append everything readable from fd until EOF; -1 with errno on a read
 * error, or EFBIG past max_len bytes in b. */
int buf_read_fd(struct buf *b, int fd, size_t max_len);

#endif

/* SPDX-License-Identifier: MIT */
/*
 * Every message of the table round-trips: a record filled field by field
 * (numbers, strings with odd bytes, string vectors and nested arrays of two
 * elements) packs, unpacks to the same bytes, copies, prints as JSON and
 * frees; every truncation of it and a NUL inside a string are rejected;
 * frames carry type, request id and a credential that verifies.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "auth/auth.h"
#include "base/xmalloc.h"
#include "proto/proto.h"
#include "proto/states.h"
#include "proto/wire.h"

/* Fill every field of rec (record d) with values derived from seed. */
static void
fill(const struct rdesc *d, void *rec, unsigned seed, int depth)
{
	memset(rec, 0, d->size);
	for (size_t i = 0; i < d->nfields; i++) {
		const struct fdesc *f = &d->fields[i];
		char *p = (char *)rec + f->off;
		unsigned v = seed * 131 + (unsigned)i;
		switch (f->kind) {
		case FK_U32:
			*(uint32_t *)(void *)p = 0xfffffff0U + v % 16;
			break;
		case FK_I32:
			*(int32_t *)(void *)p = -(int32_t)v;
			break;
		case FK_U64:
			*(uint64_t *)(void *)p = 0xfffffffffff0ULL + v;
			break;
		case FK_I64:
			*(int64_t *)(void *)p = -(int64_t)v * 1000000007LL;
			break;
		case FK_STR:
			/* NULL, empty and text with non-ASCII and control bytes */
			*(char **)(void *)p = v % 3 == 0   ? NULL
			                      : v % 3 == 1 ? xstrdup("")
			                                   : xasprintf("s%u \xc3\xa9\t\"%u", v, seed);
			break;
		case FK_STRV: {
			char ***sv = (char ***)(void *)p;
			uint32_t *cnt = (uint32_t *)(void *)((char *)rec + f->cnt_off);
			for (unsigned k = 0; k < 3; k++)
				strv_addf(sv, cnt, "K%u=v%u", k, v);
			break;
		}
		case FK_BYTES:
			break;
		case FK_ARR: {
			uint32_t n = depth < 3 ? 2 : 0;
			char *arr = xcalloc(n ? n : 1, f->sub->size);
			for (uint32_t k = 0; k < n; k++)
				fill(f->sub, arr + (size_t)k * f->sub->size, seed + k + 1, depth + 1);
			*(char **)(void *)p = arr;
			*(uint32_t *)(void *)((char *)rec + f->cnt_off) = n;
			break;
		}
		}
	}
}

static void
test_every_message_round_trips(void **state)
{
	int checked = 0;
	for (unsigned t = 1; t < MSG_COUNT; t++) {
		const struct rdesc *d = proto_msg_rdesc(t);
		assert_non_null(d);
		void *rec = xmalloc(d->size);
		fill(d, rec, t, 0);
		struct buf a, b;
		buf_init(&a);
		buf_init(&b);
		proto_pack(d, rec, &a);
		void *back = xmalloc(d->size);
		assert_int_equal(proto_unpack(d, a.data, a.len, back), 0);
		proto_pack(d, back, &b);
		assert_int_equal(a.len, b.len);
		assert_memory_equal(a.data, b.data, a.len);
		/* a copy packs the same */
		void *copy = proto_dup(d, back);
		buf_reset(&b);
		proto_pack(d, copy, &b);
		assert_memory_equal(a.data, b.data, a.len);
		struct buf j;
		buf_init(&j);
		proto_json(d, copy, &j);
		assert_true(j.len >= 2 && j.data[0] == '{' && j.data[j.len - 1] == '}');
		/* every proper prefix is malformed, unless the record is empty */
		for (size_t cut = 0; cut < a.len; cut++) {
			void *bad = xmalloc(d->size);
			assert_int_equal(proto_unpack(d, a.data, cut, bad), -1);
			free(bad);
		}
		/* trailing bytes are malformed too */
		buf_addc(&a, 0);
		void *bad = xmalloc(d->size);
		assert_int_equal(proto_unpack(d, a.data, a.len, bad), -1);
		free(bad);
		buf_free(&j);
		proto_destroy(d, copy);
		proto_destroy(d, back);
		proto_destroy(d, rec);
		buf_free(&a);
		buf_free(&b);
		checked++;
	}
	assert_int_equal(checked, MSG_COUNT - 1);
}

static void
test_nul_in_string_rejected(void **state)
{
	struct rc r = {.rc = 1, .msg = (char *)"abc"};
	struct buf b;
	buf_init(&b);
	proto_pack(&rdesc_rc, &r, &b);
	b.data[b.len - 2] = '\0';
	struct rc back;
	assert_int_equal(proto_unpack(&rdesc_rc, b.data, b.len, &back), -1);
	buf_free(&b);
}

static void
test_signed_frame(void **state)
{
	char dir[] = "/tmp/herd-proto-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char key[256], info[512], err[256];
	snprintf(key, sizeof(key), "%s/herd.key", dir);
	assert_int_equal(auth_keygen(key), 0);
	snprintf(info, sizeof(info), "key=%s", key);
	struct auth *a = auth_create("auth/slurm", info, dir, err, sizeof(err));
	assert_non_null(a);
	struct cancel_req req = {.job_id = 42, .array_task_id = NO_VAL, .step_id = NO_VAL, .signal = 9};
	struct buf f;
	buf_init(&f);
	wire_encode(a, REQ_CANCEL, 7, &req, &f);
	struct wire_hdr h;
	assert_int_equal(wire_hdr_decode(f.data, &h), 0);
	assert_int_equal(h.type, REQ_CANCEL);
	assert_int_equal(h.req_id, 7);
	assert_true(h.cred_len > 0);
	struct msg m;
	assert_int_equal(
	    wire_decode(a, 1, &h, f.data + WIRE_HDR_LEN, f.data + WIRE_HDR_LEN + h.cred_len, &m), 0);
	assert_true(m.authed);
	assert_int_equal(m.uid, getuid());
	struct cancel_req *got = m.body;
	assert_int_equal(got->job_id, 42);
	assert_int_equal(got->signal, 9);
	msg_free(&m);
	/* the same frame again is a replay; a changed body does not verify */
	assert_int_equal(
	    wire_decode(a, 1, &h, f.data + WIRE_HDR_LEN, f.data + WIRE_HDR_LEN + h.cred_len, &m), HERD_EAUTH);
	f.data[f.len - 1] ^= 1;
	assert_int_equal(
	    wire_decode(a, 1, &h, f.data + WIRE_HDR_LEN, f.data + WIRE_HDR_LEN + h.cred_len, &m), HERD_EAUTH);
	/* an unsigned frame is refused where a credential is required */
	buf_reset(&f);
	wire_encode(NULL, REQ_CANCEL, 8, &req, &f);
	assert_int_equal(wire_hdr_decode(f.data, &h), 0);
	assert_int_equal(wire_decode(a, 1, &h, NULL, f.data + WIRE_HDR_LEN, &m), HERD_EAUTH);
	/* bad magic, version and lengths */
	unsigned char hdr[WIRE_HDR_LEN];
	memcpy(hdr, f.data, WIRE_HDR_LEN);
	hdr[0] ^= 1;
	assert_int_equal(wire_hdr_decode(hdr, &h), HERD_EPROTO);
	memcpy(hdr, f.data, WIRE_HDR_LEN);
	hdr[4] = 99;
	assert_int_equal(wire_hdr_decode(hdr, &h), HERD_EVERSION);
	memcpy(hdr, f.data, WIRE_HDR_LEN);
	memset(hdr + 16, 0xff, 4);
	assert_int_equal(wire_hdr_decode(hdr, &h), HERD_EPROTO);
	buf_free(&f);
	auth_destroy(a);
	unlink(key);
	rmdir(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_every_message_round_trips),
	    cmocka_unit_test(test_nul_in_string_rejected),
	    cmocka_unit_test(test_signed_frame),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

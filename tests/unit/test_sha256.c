/* SPDX-License-Identifier: MIT */
/*
 * SHA-256 and HMAC-SHA256: the FIPS 180-4 and RFC 4231 test vectors, and
 * agreement with OpenSSL on inputs of every length up to a few blocks.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "auth/sha256.h"

static void
hex(const unsigned char *d, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", d[i]);
}

static void
check_sha(const void *data, size_t len, const char *want)
{
	struct sha256 s;
	unsigned char out[SHA256_LEN];
	char h[65];
	sha256_init(&s);
	sha256_update(&s, data, len);
	sha256_final(&s, out);
	hex(out, sizeof(out), h);
	assert_string_equal(h, want);
}

static void
test_vectors(void **state)
{
	check_sha("", 0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	check_sha("abc", 3, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	const char *two = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	check_sha(two, strlen(two), "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	/* a million 'a' fed in uneven pieces */
	struct sha256 s;
	unsigned char out[SHA256_LEN];
	char h[65];
	char a[1000];
	memset(a, 'a', sizeof(a));
	sha256_init(&s);
	for (size_t done = 0, step = 1; done < 1000000; done += step, step = step % 997 + 1) {
		if (done + step > 1000000)
			step = 1000000 - done;
		sha256_update(&s, a, step);
	}
	sha256_final(&s, out);
	hex(out, sizeof(out), h);
	assert_string_equal(h, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

static void
test_hmac_rfc4231(void **state)
{
	unsigned char key[131], out[SHA256_LEN];
	char h[65];
	struct hmac_sha256 m;
	/* case 1 */
	memset(key, 0x0b, 20);
	hmac_sha256_init(&m, key, 20);
	hmac_sha256_update(&m, "Hi There", 8);
	hmac_sha256_final(&m, out);
	hex(out, sizeof(out), h);
	assert_string_equal(h, "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
	/* case 2 */
	hmac_sha256_init(&m, "Jefe", 4);
	hmac_sha256_update(&m, "what do ya want ", 16);
	hmac_sha256_update(&m, "for nothing?", 12);
	hmac_sha256_final(&m, out);
	hex(out, sizeof(out), h);
	assert_string_equal(h, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
	/* case 6: a key longer than the block */
	memset(key, 0xaa, sizeof(key));
	const char *msg = "Test Using Larger Than Block-Size Key - Hash Key First";
	hmac_sha256_init(&m, key, sizeof(key));
	hmac_sha256_update(&m, msg, strlen(msg));
	hmac_sha256_final(&m, out);
	hex(out, sizeof(out), h);
	assert_string_equal(h, "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

static void
test_against_openssl(void **state)
{
	unsigned char data[300], key[100], a[SHA256_LEN], b[SHA256_LEN];
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (unsigned char)(i * 131 + 7);
	for (size_t i = 0; i < sizeof(key); i++)
		key[i] = (unsigned char)(i * 17 + 3);
	for (size_t len = 0; len <= sizeof(data); len++) {
		struct sha256 s;
		sha256_init(&s);
		sha256_update(&s, data, len / 2);
		sha256_update(&s, data + len / 2, len - len / 2);
		sha256_final(&s, a);
		unsigned int n = 0;
		assert_int_equal(EVP_Digest(data, len, b, &n, EVP_sha256(), NULL), 1);
		assert_memory_equal(a, b, SHA256_LEN);
		size_t kl = len % sizeof(key);
		struct hmac_sha256 m;
		hmac_sha256_init(&m, key, kl);
		hmac_sha256_update(&m, data, len);
		hmac_sha256_final(&m, a);
		assert_non_null(HMAC(EVP_sha256(), key, (int)kl, data, len, b, &n));
		assert_memory_equal(a, b, SHA256_LEN);
	}
}

static void
test_ct_memcmp(void **state)
{
	assert_int_equal(ct_memcmp("abcd", "abcd", 4), 0);
	assert_int_not_equal(ct_memcmp("abcd", "abce", 4), 0);
	assert_int_not_equal(ct_memcmp("\x80", "\x00", 1), 0);
	assert_int_equal(ct_memcmp("x", "y", 0), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_vectors),
	    cmocka_unit_test(test_hmac_rfc4231),
	    cmocka_unit_test(test_against_openssl),
	    cmocka_unit_test(test_ct_memcmp),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

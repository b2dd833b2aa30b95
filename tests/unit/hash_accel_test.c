/*
 * hash_accel_test - the SHA-NI block function (when the CPU has it) must give the same digests
 * as the portable one: known vectors through both, and 2,000 pseudo-random inputs of lengths
 * 0..4,999 hashed one-shot and in odd chunks by both paths, compared digest by digest. On a CPU
 * without SHA-NI only the portable path runs and the comparison is skipped (reported).
 */
#include "hash.h"

#include "testlib.h"

#include <stdio.h>
#include <stdlib.h>

static void digest_hex(const void *data, size_t len, char out[65])
{
    uint8_t d[32];
    hash_sha256(data, len, d);
    hash_hex(d, 32, out);
}

static void chunked_hex(const uint8_t *data, size_t len, size_t step, char out[65])
{
    hash_sha256_ctx c;
    hash_sha256_init(&c);
    for (size_t i = 0; i < len; i += step)
        hash_sha256_update(&c, data + i, len - i < step ? len - i : step);
    uint8_t d[32];
    hash_sha256_final(&c, d);
    hash_hex(d, 32, out);
}

static void test_vectors_both_paths(void)
{
    for (int generic = 0; generic < 2; generic++) {
        hash_sha256_use_generic(generic);
        char hex[65];
        digest_hex("abc", 3, hex);
        CHECK_STR(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        const char *m = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
        digest_hex(m, 56, hex);
        CHECK_STR(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    }
    hash_sha256_use_generic(false);
}

static void test_random_inputs_agree(void)
{
    hash_sha256_use_generic(false);
    if (!hash_sha256_accelerated()) {
        printf("hash_accel_test: no SHA-NI on this CPU; comparison skipped\n");
        return;
    }
    uint8_t *buf = malloc(5000);
    uint32_t x = 12345;
    int mismatches = 0;
    for (int n = 0; n < 2000; n++) {
        size_t len = (size_t)n * 5000 / 2000 + (size_t)(n % 7);
        if (len > 5000)
            len = 5000;
        for (size_t i = 0; i < len; i++) {
            x = x * 1103515245u + 12345u;
            buf[i] = (uint8_t)(x >> 16);
        }
        size_t step = 1 + (size_t)(n % 97);
        char fast[65], fast_chunked[65], slow[65], slow_chunked[65];
        hash_sha256_use_generic(false);
        digest_hex(buf, len, fast);
        chunked_hex(buf, len, step, fast_chunked);
        hash_sha256_use_generic(true);
        digest_hex(buf, len, slow);
        chunked_hex(buf, len, step, slow_chunked);
        if (strcmp(fast, slow) != 0 || strcmp(fast_chunked, slow) != 0 ||
            strcmp(slow_chunked, slow) != 0)
            mismatches++;
    }
    hash_sha256_use_generic(false);
    CHECK_INT(mismatches, 0);
    free(buf);
}

int main(void)
{
    RUN(test_vectors_both_paths);
    RUN(test_random_inputs_agree);
    return TEST_SUMMARY();
}

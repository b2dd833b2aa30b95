/*
 * hash_test - SHA-256 against the FIPS 180-4 example vectors, the one-million-'a' vector, block
 * boundary lengths (55/56/63/64/65 bytes, where padding spills into a second block), and
 * incremental updates in odd chunk sizes that must equal the one-shot digest. The expected
 * digests were computed with an independent implementation (coreutils sha256sum).
 */
#include "hash.h"

#include "testlib.h"

#include <stdlib.h>

static void hex_of(const void *data, size_t len, char out[65])
{
    uint8_t d[32];
    hash_sha256(data, len, d);
    hash_hex(d, 32, out);
}

static void test_fips_vectors(void)
{
    char hex[65];
    hex_of("", 0, hex);
    CHECK_STR(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    hex_of("abc", 3, hex);
    CHECK_STR(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    const char *m448 = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    CHECK_INT(strlen(m448) * 8, 448);
    hex_of(m448, strlen(m448), hex);
    CHECK_STR(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    const char *m896 =
        "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopq"
        "klmnopqrlmnopqrsmnopqrstnopqrstu";
    CHECK_INT(strlen(m896) * 8, 896);
    hex_of(m896, strlen(m896), hex);
    CHECK_STR(hex, "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
}

static void test_million_a(void)
{
    size_t n = 1000000;
    char *a = malloc(n);
    memset(a, 'a', n);
    char hex[65];
    hex_of(a, n, hex);
    CHECK_STR(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");

    /* the same million fed one byte at a time */
    hash_sha256_ctx ctx;
    hash_sha256_init(&ctx);
    for (size_t i = 0; i < n; i++)
        hash_sha256_update(&ctx, "a", 1);
    uint8_t d[32];
    hash_sha256_final(&ctx, d);
    hash_hex(d, 32, hex);
    CHECK_STR(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    free(a);
}

/* "abcd...zabc..." of length n */
static char *alphabet(size_t n)
{
    char *s = malloc(n + 1);
    for (size_t i = 0; i < n; i++)
        s[i] = (char)('a' + i % 26);
    s[n] = '\0';
    return s;
}

static void test_block_boundaries(void)
{
    static const struct {
        size_t len;
        const char *hex;
    } cases[] = {
        {55, "595615dbe4f0f407ae397d08b4c2cb870cb9b0e11937416f950c5160acf9c005"},
        {56, "784f623b787495078e93ff28a25b581df0584055a7e71d8cd90c454716b92f51"},
        {63, "5ca3e1ef5207490eac01a795e5cc94d59582a5118bf9534665c8668d87aa647c"},
        {64, "2fcd5a0d60e4c941381fcc4e00a4bf8be422c3ddfafb93c809e8d1e2bfffae8e"},
        {65, "1b3cd1877ab2f2f19f7be001722554f336cb799df0329de0bb4c118dc6abc06d"},
        {127, "1b9907986f18ddc2b37e18be502d82d69d6e18bb9dff9e16f2aceea7d88cb933"},
        {128, "6c05be2c4268843ae47e68e611277ce62c02153f2f4d2e1e2a1a4b44f766cf74"},
        {1000, "915e53a44c18b19bb06ba5b3f5fcaf1dc4651e8404c63425cfc6174e74659d87"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *s = alphabet(cases[i].len);
        char hex[65];
        hex_of(s, cases[i].len, hex);
        if (strcmp(hex, cases[i].hex) != 0)
            fprintf(stderr, "  length %zu\n", cases[i].len);
        CHECK_STR(hex, cases[i].hex);
        free(s);
    }
}

static void test_incremental_odd_chunks(void)
{
    /* all 256 byte values, 40 times: binary data including NUL bytes */
    size_t n = 256 * 40;
    unsigned char *data = malloc(n);
    for (size_t i = 0; i < n; i++)
        data[i] = (unsigned char)(i % 256);
    char one_shot[65];
    hex_of(data, n, one_shot);
    CHECK_STR(one_shot, "e96760a87768717bcebcfd25ddc7d46b4dbc95a4b0014def080c08539f7d90d0");

    static const size_t chunk_sizes[] = {1, 3, 7, 13, 55, 63, 64, 65, 127, 1000, 4099};
    for (size_t c = 0; c < sizeof chunk_sizes / sizeof chunk_sizes[0]; c++) {
        hash_sha256_ctx ctx;
        hash_sha256_init(&ctx);
        size_t off = 0;
        while (off < n) {
            size_t k = chunk_sizes[c] < n - off ? chunk_sizes[c] : n - off;
            hash_sha256_update(&ctx, data + off, k);
            off += k;
        }
        hash_sha256_update(&ctx, data, 0); /* empty updates change nothing */
        uint8_t d[32];
        hash_sha256_final(&ctx, d);
        char hex[65];
        hash_hex(d, 32, hex);
        if (strcmp(hex, one_shot) != 0)
            fprintf(stderr, "  chunk size %zu\n", chunk_sizes[c]);
        CHECK_STR(hex, one_shot);
    }

    /* growing chunks 1, 2, 3, ... cross every offset inside a block */
    hash_sha256_ctx ctx;
    hash_sha256_init(&ctx);
    size_t off = 0;
    for (size_t k = 1; off < n; k++) {
        size_t take = k < n - off ? k : n - off;
        hash_sha256_update(&ctx, data + off, take);
        off += take;
    }
    uint8_t d[32];
    hash_sha256_final(&ctx, d);
    char hex[65];
    hash_hex(d, 32, hex);
    CHECK_STR(hex, one_shot);
    free(data);
}

static void test_hex(void)
{
    const uint8_t digest[4] = {0x00, 0x0f, 0xa5, 0xff};
    char out[9];
    memset(out, 'x', sizeof out);
    hash_hex(digest, 4, out);
    CHECK_STR(out, "000fa5ff");
    char part[5];
    hash_hex(digest, 2, part);
    CHECK_STR(part, "000f");
    char none[1] = {'x'};
    hash_hex(digest, 0, none);
    CHECK_STR(none, "");
}

int main(void)
{
    RUN(test_fips_vectors);
    RUN(test_million_a);
    RUN(test_block_boundaries);
    RUN(test_incremental_odd_chunks);
    RUN(test_hex);
    return TEST_SUMMARY();
}

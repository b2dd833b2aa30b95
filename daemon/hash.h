/*
 * hash - SHA-256, used for content hashes of originals and for article uids.
 *
 * Pure functions, no allocation, safe from any thread.
 */
#ifndef INGESTD_HASH_H
#define INGESTD_HASH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct hash_sha256_ctx {
    uint32_t state[8];
    uint64_t total_len;
    uint8_t block[64];
    size_t block_len;
} hash_sha256_ctx;

void hash_sha256_init(hash_sha256_ctx *ctx);
void hash_sha256_update(hash_sha256_ctx *ctx, const void *data, size_t len);
void hash_sha256_final(hash_sha256_ctx *ctx, uint8_t digest[32]);

/* One-shot SHA-256 of data[0..len). */
void hash_sha256(const void *data, size_t len, uint8_t digest[32]);

/* True when the SHA-NI block function is in use (x86-64 CPUs with the SHA extensions). */
bool hash_sha256_accelerated(void);

/* Force the portable block function (on = true), or go back to the best one the CPU allows;
 * for tests and benchmarks, which compare the two. Affects every thread; call it while no
 * other thread is hashing. */
void hash_sha256_use_generic(bool on);

/* Lower-case hex of the first nbytes of digest into out (2*nbytes+1 bytes, NUL-terminated). */
void hash_hex(const uint8_t *digest, size_t nbytes, char *out);

#endif

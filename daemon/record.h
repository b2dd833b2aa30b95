/*
 * record - the article record that plugins edit through the ingestd_host accessors.
 *
 * Ownership: a record owns copies of all its strings and its `meta` object. It is created by
 * intake on a worker thread, handed through the plugin chain on that same worker, then passed to
 * the loop thread for the store; one thread touches it at a time, so it has no lock.
 */
#ifndef INGESTD_RECORD_H
#define INGESTD_RECORD_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "ingestd/plugin.h"

/* Create a record for one article. original_text must be valid UTF-8 (checked: NULL is returned
 * when it is not); it becomes both ORIGINAL_TEXT and the initial BODY. source_kind is
 * "file", "feed" or "stdin". Never returns NULL for valid input (allocation failure aborts). */
ingestd_record *rec_new(const char *source_kind, const char *source, int64_t arrival_ms,
                        const char *original_text, size_t len);
void rec_free(ingestd_record *rec);

/* Fill a host table whose accessors operate on records; plugin_handle identifies the plugin
 * in log lines (see pipeline.c). */
void rec_host_fill(ingestd_host *host, const void *plugin_handle,
                   void (*log)(const void *, int, const char *, ...));

/* Field access for the daemon itself, same semantics as host->get/set (rec_set refuses
 * read-only fields); rec_set_internal skips the read-only check. */
const char *rec_get(const ingestd_record *rec, ingestd_field field, size_t *len_out);
int rec_set(ingestd_record *rec, ingestd_field field, const char *value, size_t len);
int rec_set_internal(ingestd_record *rec, ingestd_field field, const char *value, size_t len);
double rec_lang_confidence(const ingestd_record *rec);
int64_t rec_arrival_ms(const ingestd_record *rec);

/* The meta object, owned by the record (borrowed reference). */
json_t *rec_meta(ingestd_record *rec);

/* Reason given by the last host->fail() call, or NULL. Cleared by rec_clear_failure. */
const char *rec_failure(const ingestd_record *rec);
void rec_clear_failure(ingestd_record *rec);

/* Compute and store UID: first 128 bits (32 hex chars) of SHA-256 over the whitespace-normalized
 * title, a newline, and the whitespace-normalized body. */
void rec_compute_uid(ingestd_record *rec);

/* A new JSON object with every record field (null for unset ones) and meta. Caller owns it. */
json_t *rec_to_json(const ingestd_record *rec);

#endif

/*
 * record - storage and accessors for one article record. The accessor functions double as the
 * implementation of the plugin host API (ingestd_host), so plugins and the daemon see exactly
 * the same validation rules: every stored string is valid UTF-8 without NUL bytes.
 */
#include "record.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hash.h"
#include "utf8.h"
#include "xalloc.h"

#define FIELD_MAX_BYTES ((size_t)64 << 20)

struct field_value {
    char *data; /* NUL-terminated, or NULL when unset */
    size_t len;
};

struct ingestd_record {
    struct field_value fields[INGESTD_FIELD_COUNT_V1];
    double lang_confidence;
    int64_t arrival_ms;
    json_t *meta;
    char *meta_cache; /* last meta_get serialization, owned here */
    char *failure;
};

static bool field_is_read_only(ingestd_field field)
{
    return field == INGESTD_FIELD_UID || field == INGESTD_FIELD_SOURCE ||
           field == INGESTD_FIELD_SOURCE_KIND || field == INGESTD_FIELD_INGESTED_AT ||
           field == INGESTD_FIELD_ORIGINAL_TEXT;
}

/* Store a copy of value; it must already be checked (valid UTF-8, no NUL, within size). */
static void store_checked(ingestd_record *rec, ingestd_field field, const char *value, size_t len)
{
    struct field_value *f = &rec->fields[field];
    char *copy = NULL;
    if (value) {
        copy = xmalloc(len + 1);
        memcpy(copy, value, len);
        copy[len] = '\0';
    }
    free(f->data);
    f->data = copy;
    f->len = value ? len : 0;
}

static int store_field(ingestd_record *rec, ingestd_field field, const char *value, size_t len)
{
    if ((unsigned)field >= INGESTD_FIELD_COUNT_V1)
        return -EINVAL;
    if (value && len > FIELD_MAX_BYTES)
        return -EOVERFLOW;
    if (value && (!utf8_valid(value, len) || memchr(value, '\0', len)))
        return -EINVAL;
    store_checked(rec, field, value, len);
    return 0;
}

static void format_utc(int64_t ms, char out[32])
{
    time_t secs = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&secs, &tm);
    size_t n = strftime(out, 32, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out + n, 32 - n, ".%03dZ", (int)(ms % 1000));
}

ingestd_record *rec_new(const char *source_kind, const char *source, int64_t arrival_ms,
                        const char *original_text, size_t len)
{
    if (!utf8_valid(original_text, len) || memchr(original_text, '\0', len))
        return NULL;
    ingestd_record *rec = xcalloc(1, sizeof *rec);
    rec->lang_confidence = -1;
    rec->arrival_ms = arrival_ms;
    rec->meta = json_object();
    if (!rec->meta)
        xalloc_die(__FILE__, __LINE__);
    char when[32];
    format_utc(arrival_ms, when);
    if (len > FIELD_MAX_BYTES ||
        store_field(rec, INGESTD_FIELD_SOURCE_KIND, source_kind, strlen(source_kind)) ||
        store_field(rec, INGESTD_FIELD_INGESTED_AT, when, strlen(when))) {
        rec_free(rec);
        return NULL;
    }
    /* the text was checked above: one validation pass instead of three */
    store_checked(rec, INGESTD_FIELD_ORIGINAL_TEXT, original_text, len);
    store_checked(rec, INGESTD_FIELD_BODY, original_text, len);
    /* A source path need not be UTF-8 (file names are bytes); store a lossy but valid form. */
    size_t slen = strlen(source);
    if (store_field(rec, INGESTD_FIELD_SOURCE, source, slen) != 0) {
        char *safe = xmalloc(slen * 3 + 1);
        size_t o = 0, i = 0;
        while (i < slen) {
            size_t bad = utf8_first_invalid(source + i, slen - i);
            memcpy(safe + o, source + i, bad);
            o += bad;
            i += bad;
            if (i < slen) {
                memcpy(safe + o, "\xEF\xBF\xBD", 3);
                o += 3;
                i++;
            }
        }
        store_field(rec, INGESTD_FIELD_SOURCE, safe, o);
        free(safe);
    }
    return rec;
}

void rec_free(ingestd_record *rec)
{
    if (!rec)
        return;
    for (int i = 0; i < INGESTD_FIELD_COUNT_V1; i++)
        free(rec->fields[i].data);
    json_decref(rec->meta);
    free(rec->meta_cache);
    free(rec->failure);
    free(rec);
}

const char *rec_get(const ingestd_record *rec, ingestd_field field, size_t *len_out)
{
    if ((unsigned)field >= INGESTD_FIELD_COUNT_V1) {
        if (len_out)
            *len_out = 0;
        return NULL;
    }
    if (len_out)
        *len_out = rec->fields[field].len;
    return rec->fields[field].data;
}

int rec_set_internal(ingestd_record *rec, ingestd_field field, const char *value, size_t len)
{
    return store_field(rec, field, value, len);
}

int rec_set(ingestd_record *rec, ingestd_field field, const char *value, size_t len)
{
    if ((unsigned)field >= INGESTD_FIELD_COUNT_V1 || field_is_read_only(field))
        return -EINVAL;
    return store_field(rec, field, value, len);
}

double rec_lang_confidence(const ingestd_record *rec)
{
    return rec->lang_confidence;
}

int64_t rec_arrival_ms(const ingestd_record *rec)
{
    return rec->arrival_ms;
}

static int host_set_lang(ingestd_record *rec, const char *code, double confidence)
{
    if (!code) {
        rec->lang_confidence = -1;
        return store_field(rec, INGESTD_FIELD_LANG, NULL, 0);
    }
    if (!(confidence >= 0 && confidence <= 1))
        return -EINVAL;
    int rc = store_field(rec, INGESTD_FIELD_LANG, code, strlen(code));
    if (rc == 0)
        rec->lang_confidence = confidence;
    return rc;
}

json_t *rec_meta(ingestd_record *rec)
{
    return rec->meta;
}

static const char *host_meta_get(ingestd_record *rec, const char *key)
{
    json_t *v = key ? json_object_get(rec->meta, key) : NULL;
    if (!v)
        return NULL;
    free(rec->meta_cache);
    rec->meta_cache = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
    return rec->meta_cache;
}

static int host_meta_set(ingestd_record *rec, const char *key, const char *json)
{
    if (!key || !*key || !json || !utf8_valid(key, strlen(key)))
        return -EINVAL;
    json_error_t err;
    json_t *v = json_loads(json, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &err);
    if (!v)
        return -EINVAL;
    return json_object_set_new(rec->meta, key, v) == 0 ? 0 : -EINVAL;
}

static int host_meta_set_string(ingestd_record *rec, const char *key, const char *value, size_t len)
{
    if (!key || !*key || !value || !utf8_valid(key, strlen(key)) || !utf8_valid(value, len) ||
        memchr(value, '\0', len))
        return -EINVAL;
    json_t *v = json_stringn(value, len);
    if (!v)
        return -EINVAL;
    return json_object_set_new(rec->meta, key, v) == 0 ? 0 : -EINVAL;
}

static int host_meta_remove(ingestd_record *rec, const char *key)
{
    return key && json_object_del(rec->meta, key) == 0 ? 0 : -ENOENT;
}

static void host_fail(ingestd_record *rec, const char *reason)
{
    free(rec->failure);
    rec->failure = NULL;
    if (!reason)
        return;
    size_t len = strlen(reason);
    if (len > 1024)
        len = 1024;
    /* keep the reason valid UTF-8 even when cut or given garbage */
    while (len && !utf8_valid(reason, len))
        len--;
    rec->failure = xmalloc(len + 1);
    memcpy(rec->failure, reason, len);
    rec->failure[len] = '\0';
}

const char *rec_failure(const ingestd_record *rec)
{
    return rec->failure;
}

void rec_clear_failure(ingestd_record *rec)
{
    host_fail(rec, NULL);
}

static int64_t host_arrival_ms(const ingestd_record *rec)
{
    return rec->arrival_ms;
}

static int64_t host_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void rec_host_fill(ingestd_host *host, const void *plugin_handle,
                   void (*log)(const void *, int, const char *, ...))
{
    memset(host, 0, sizeof *host);
    host->struct_size = sizeof *host;
    host->abi_major = INGESTD_ABI_MAJOR;
    host->abi_minor = INGESTD_ABI_MINOR;
    host->log = log;
    host->plugin_handle = plugin_handle;
    host->get = rec_get;
    host->set = rec_set;
    host->get_lang_confidence = rec_lang_confidence;
    host->set_lang = host_set_lang;
    host->meta_get = host_meta_get;
    host->meta_set = host_meta_set;
    host->meta_set_string = host_meta_set_string;
    host->meta_remove = host_meta_remove;
    host->fail = host_fail;
    host->arrival_ms = host_arrival_ms;
    host->now_ms = host_now_ms;
}

/* Feed the hash with text whose whitespace runs are collapsed to one space and trimmed. */
static void hash_normalized(hash_sha256_ctx *ctx, const char *s, size_t len)
{
    char buf[512];
    size_t n = 0;
    bool pending_space = false, any = false;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
            pending_space = any;
            continue;
        }
        if (n + 2 > sizeof buf) {
            hash_sha256_update(ctx, buf, n);
            n = 0;
        }
        if (pending_space)
            buf[n++] = ' ';
        pending_space = false;
        any = true;
        buf[n++] = (char)c;
    }
    hash_sha256_update(ctx, buf, n);
}

void rec_compute_uid(ingestd_record *rec)
{
    hash_sha256_ctx ctx;
    hash_sha256_init(&ctx);
    const struct field_value *title = &rec->fields[INGESTD_FIELD_TITLE];
    const struct field_value *body = &rec->fields[INGESTD_FIELD_BODY];
    if (title->data)
        hash_normalized(&ctx, title->data, title->len);
    hash_sha256_update(&ctx, "\n", 1);
    if (body->data)
        hash_normalized(&ctx, body->data, body->len);
    uint8_t digest[32];
    hash_sha256_final(&ctx, digest);
    char hex[33];
    hash_hex(digest, 16, hex);
    store_field(rec, INGESTD_FIELD_UID, hex, 32);
}

static const char *const field_names[INGESTD_FIELD_COUNT_V1] = {
    "uid",  "source", "source_kind",  "url",        "guid",        "title",
    "body", "lang",   "published_at", "updated_at", "ingested_at", NULL,
};

json_t *rec_to_json(const ingestd_record *rec)
{
    json_t *o = json_object();
    for (int i = 0; i < INGESTD_FIELD_COUNT_V1; i++) {
        if (!field_names[i])
            continue;
        const struct field_value *f = &rec->fields[i];
        json_object_set_new(o, field_names[i],
                            f->data ? json_stringn(f->data, f->len) : json_null());
        if (i == INGESTD_FIELD_LANG)
            json_object_set_new(o, "lang_confidence",
                                rec->lang_confidence >= 0 ? json_real(rec->lang_confidence)
                                                          : json_null());
    }
    json_object_set_new(o, "meta", json_deep_copy(rec->meta));
    return o;
}

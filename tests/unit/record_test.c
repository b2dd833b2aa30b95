/*
 * record_test - the article record and the host accessor table: creation checks, read-only
 * fields, validation that keeps the old value on refusal, the size limit on both sides, meta
 * accessors, language range checks, failure reasons, the uid formula (whitespace-normalized,
 * checked against digests computed independently with Python's hashlib), the JSON form with
 * exactly the contract's fields, and lossy storage of non-UTF-8 source paths.
 */
#include "record.h"

#include "hash.h"
#include "testlib.h"
#include "utf8.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>

#define LIT(s) (s), (sizeof(s) - 1)

static ingestd_host host;

static ingestd_record *new_rec(const char *text)
{
    return rec_new("file", "/srv/inbox/a.txt", 1761559200000LL, text, strlen(text));
}

static void test_new(void)
{
    ingestd_record *rec = new_rec("Headline\nBody text.");
    CHECK(rec != NULL);
    if (!rec)
        return;
    size_t len = 0;
    CHECK_STR(rec_get(rec, INGESTD_FIELD_ORIGINAL_TEXT, &len), "Headline\nBody text.");
    CHECK_INT(len, 19);
    CHECK_STR(rec_get(rec, INGESTD_FIELD_BODY, &len), "Headline\nBody text.");
    CHECK_INT(len, 19);
    CHECK_STR(rec_get(rec, INGESTD_FIELD_SOURCE, NULL), "/srv/inbox/a.txt");
    CHECK_STR(rec_get(rec, INGESTD_FIELD_SOURCE_KIND, NULL), "file");
    CHECK_STR(rec_get(rec, INGESTD_FIELD_INGESTED_AT, NULL), "2025-10-27T10:00:00.000Z");
    CHECK(rec_get(rec, INGESTD_FIELD_UID, &len) == NULL);
    CHECK_INT(len, 0);
    CHECK(rec_get(rec, INGESTD_FIELD_TITLE, NULL) == NULL);
    CHECK(rec_get(rec, INGESTD_FIELD_LANG, NULL) == NULL);
    CHECK(rec_lang_confidence(rec) == -1);
    CHECK_INT(rec_arrival_ms(rec), 1761559200000LL);
    CHECK(rec_failure(rec) == NULL);
    CHECK(json_is_object(rec_meta(rec)) && json_object_size(rec_meta(rec)) == 0);
    rec_free(rec);

    /* milliseconds are kept in ingested_at */
    rec = rec_new("stdin", "-", 1761559200123LL, LIT("x"));
    CHECK_STR(rec_get(rec, INGESTD_FIELD_INGESTED_AT, NULL), "2025-10-27T10:00:00.123Z");
    rec_free(rec);

    /* an empty text is a valid (empty) record */
    rec = rec_new("stdin", "-", 0, "", 0);
    CHECK(rec != NULL);
    if (rec) {
        CHECK_STR(rec_get(rec, INGESTD_FIELD_BODY, &len), "");
        CHECK_INT(len, 0);
        CHECK_STR(rec_get(rec, INGESTD_FIELD_INGESTED_AT, NULL), "1970-01-01T00:00:00.000Z");
    }
    rec_free(rec);
    rec_free(NULL);
}

static void test_new_rejects_bad_text(void)
{
    CHECK(rec_new("file", "/a", 0, LIT("caf\xE9")) == NULL);      /* latin-1, not UTF-8 */
    CHECK(rec_new("file", "/a", 0, LIT("\xED\xA0\x80")) == NULL); /* surrogate */
    CHECK(rec_new("file", "/a", 0, LIT("ok\xE2\x82")) == NULL);   /* truncated */
    CHECK(rec_new("file", "/a", 0, "a\0b", 3) == NULL);           /* NUL inside */
    /* only the given length counts: a prefix before the bad byte is fine */
    ingestd_record *rec = rec_new("file", "/a", 0, "ab\xFF", 2);
    CHECK(rec != NULL);
    CHECK_STR(rec ? rec_get(rec, INGESTD_FIELD_BODY, NULL) : NULL, "ab");
    rec_free(rec);
}

static void test_read_only_fields(void)
{
    ingestd_record *rec = new_rec("text");
    const ingestd_field ro[] = {INGESTD_FIELD_UID, INGESTD_FIELD_SOURCE, INGESTD_FIELD_SOURCE_KIND,
                                INGESTD_FIELD_INGESTED_AT, INGESTD_FIELD_ORIGINAL_TEXT};
    for (size_t i = 0; i < sizeof ro / sizeof ro[0]; i++) {
        const char *before = rec_get(rec, ro[i], NULL);
        char *saved = before ? strdup(before) : NULL;
        CHECK_INT(rec_set(rec, ro[i], LIT("changed")), -EINVAL);
        CHECK_INT(host.set(rec, ro[i], LIT("changed")), -EINVAL);
        CHECK_INT(host.set(rec, ro[i], NULL, 0), -EINVAL); /* clearing is refused too */
        CHECK_STR(rec_get(rec, ro[i], NULL), saved);
        free(saved);
    }
    /* the daemon's own setter may write them */
    CHECK_INT(rec_set_internal(rec, INGESTD_FIELD_UID, LIT("0123456789abcdef0123456789abcdef")), 0);
    CHECK_STR(rec_get(rec, INGESTD_FIELD_UID, NULL), "0123456789abcdef0123456789abcdef");
    CHECK_INT(rec_set_internal(rec, INGESTD_FIELD_SOURCE, LIT("/elsewhere")), 0);
    CHECK_STR(host.get(rec, INGESTD_FIELD_SOURCE, NULL), "/elsewhere");
    /* but not with invalid text */
    CHECK_INT(rec_set_internal(rec, INGESTD_FIELD_SOURCE, LIT("\xFF")), -EINVAL);
    CHECK_STR(rec_get(rec, INGESTD_FIELD_SOURCE, NULL), "/elsewhere");

    /* writable fields */
    const ingestd_field rw[] = {
        INGESTD_FIELD_URL,  INGESTD_FIELD_GUID,         INGESTD_FIELD_TITLE,     INGESTD_FIELD_BODY,
        INGESTD_FIELD_LANG, INGESTD_FIELD_PUBLISHED_AT, INGESTD_FIELD_UPDATED_AT};
    for (size_t i = 0; i < sizeof rw / sizeof rw[0]; i++) {
        CHECK_INT(host.set(rec, rw[i], LIT("v\xC3\xA4lue")), 0);
        CHECK_STR(host.get(rec, rw[i], NULL), "v\xC3\xA4lue");
    }
    /* fields outside the table */
    size_t len = 99;
    CHECK(rec_get(rec, INGESTD_FIELD_COUNT_V1, &len) == NULL);
    CHECK_INT(len, 0);
    CHECK(rec_get(rec, (ingestd_field)1000, NULL) == NULL);
    CHECK_INT(rec_set(rec, INGESTD_FIELD_COUNT_V1, LIT("x")), -EINVAL);
    CHECK_INT(rec_set_internal(rec, (ingestd_field)-1, LIT("x")), -EINVAL);
    rec_free(rec);
}

static void test_set_validation(void)
{
    ingestd_record *rec = new_rec("text");
    CHECK_INT(host.set(rec, INGESTD_FIELD_TITLE, LIT("Old title")), 0);
    CHECK_INT(host.set(rec, INGESTD_FIELD_TITLE, LIT("bad \xC0\xAF")), -EINVAL);
    CHECK_STR(rec_get(rec, INGESTD_FIELD_TITLE, NULL), "Old title");
    CHECK_INT(host.set(rec, INGESTD_FIELD_TITLE, "nul\0inside", 10), -EINVAL);
    size_t len;
    CHECK_STR(rec_get(rec, INGESTD_FIELD_TITLE, &len), "Old title");
    CHECK_INT(len, 9);

    /* a value is copied, and only len bytes of it */
    char buf[] = "New title and more";
    CHECK_INT(host.set(rec, INGESTD_FIELD_TITLE, buf, 9), 0);
    buf[0] = 'X';
    CHECK_STR(rec_get(rec, INGESTD_FIELD_TITLE, &len), "New title");
    CHECK_INT(len, 9);

    /* NULL clears; an empty string is a value */
    CHECK_INT(host.set(rec, INGESTD_FIELD_TITLE, NULL, 0), 0);
    CHECK(rec_get(rec, INGESTD_FIELD_TITLE, &len) == NULL);
    CHECK_INT(len, 0);
    CHECK_INT(host.set(rec, INGESTD_FIELD_TITLE, "", 0), 0);
    CHECK_STR(rec_get(rec, INGESTD_FIELD_TITLE, NULL), "");

    /* the 64 MiB limit, both sides */
    size_t limit = (size_t)64 << 20;
    char *big = malloc(limit + 1);
    memset(big, 'a', limit + 1);
    CHECK_INT(host.set(rec, INGESTD_FIELD_BODY, big, limit + 1), -EOVERFLOW);
    CHECK_STR(rec_get(rec, INGESTD_FIELD_BODY, NULL), "text");
    CHECK_INT(host.set(rec, INGESTD_FIELD_BODY, big, limit), 0);
    rec_get(rec, INGESTD_FIELD_BODY, &len);
    CHECK_INT(len, limit);
    free(big);
    rec_free(rec);
}

static void test_meta(void)
{
    ingestd_record *rec = new_rec("text");
    CHECK(host.meta_get(rec, "absent") == NULL);
    CHECK(host.meta_get(rec, NULL) == NULL);
    CHECK_INT(host.meta_set(rec, "list", "[1, 2, {\"b\": null}]"), 0);
    CHECK_STR(host.meta_get(rec, "list"), "[1,2,{\"b\":null}]");
    CHECK_INT(host.meta_set(rec, "n", "42"), 0); /* scalars are JSON too */
    CHECK_STR(host.meta_get(rec, "n"), "42");
    CHECK_INT(host.meta_set(rec, "s", "\"\xC3\xA9t\xC3\xA9\""), 0);
    CHECK_STR(host.meta_get(rec, "s"), "\"\xC3\xA9t\xC3\xA9\"");
    CHECK_INT(host.meta_set(rec, "n", "true"), 0); /* replaces */
    CHECK_STR(host.meta_get(rec, "n"), "true");

    /* refusals leave the object as it was */
    CHECK_INT(host.meta_set(rec, "n", "{not json"), -EINVAL);
    CHECK_INT(host.meta_set(rec, "n", "[1,]"), -EINVAL);
    CHECK_INT(host.meta_set(rec, "n", ""), -EINVAL);
    CHECK_INT(host.meta_set(rec, "n", "{\"a\":1,\"a\":2}"), -EINVAL); /* duplicate keys */
    CHECK_INT(host.meta_set(rec, "n", NULL), -EINVAL);
    CHECK_INT(host.meta_set(rec, "", "1"), -EINVAL);
    CHECK_INT(host.meta_set(rec, NULL, "1"), -EINVAL);
    CHECK_INT(host.meta_set(rec, "bad\xFFkey", "1"), -EINVAL);
    CHECK_STR(host.meta_get(rec, "n"), "true");
    CHECK_INT(json_object_size(rec_meta(rec)), 3);

    CHECK_INT(host.meta_set_string(rec, "q", LIT("say \"hi\"\n")), 0);
    CHECK_STR(host.meta_get(rec, "q"), "\"say \\\"hi\\\"\\n\"");
    CHECK_INT(host.meta_set_string(rec, "q2", "abcdef", 3), 0);
    CHECK_STR(host.meta_get(rec, "q2"), "\"abc\"");
    CHECK_INT(host.meta_set_string(rec, "q3", LIT("\xFF")), -EINVAL);
    CHECK_INT(host.meta_set_string(rec, "q3", "a\0b", 3), -EINVAL);
    CHECK_INT(host.meta_set_string(rec, "", LIT("x")), -EINVAL);
    CHECK(host.meta_get(rec, "q3") == NULL);

    CHECK_INT(host.meta_remove(rec, "q2"), 0);
    CHECK_INT(host.meta_remove(rec, "q2"), -ENOENT);
    CHECK_INT(host.meta_remove(rec, NULL), -ENOENT);
    CHECK(host.meta_get(rec, "q2") == NULL);

    /* the daemon sees the same object */
    CHECK(json_is_true(json_object_get(rec_meta(rec), "n")));
    CHECK_INT(json_array_size(json_object_get(rec_meta(rec), "list")), 3);
    rec_free(rec);
}

static void test_lang(void)
{
    ingestd_record *rec = new_rec("text");
    CHECK(host.get_lang_confidence(rec) == -1);
    CHECK_INT(host.set_lang(rec, "tr", 0.87), 0);
    CHECK_STR(rec_get(rec, INGESTD_FIELD_LANG, NULL), "tr");
    CHECK(host.get_lang_confidence(rec) == 0.87);
    /* out of range or NaN: refused, nothing changes */
    CHECK_INT(host.set_lang(rec, "el", 1.0001), -EINVAL);
    CHECK_INT(host.set_lang(rec, "el", -0.0001), -EINVAL);
    CHECK_INT(host.set_lang(rec, "el", NAN), -EINVAL);
    CHECK_INT(host.set_lang(rec, "el", INFINITY), -EINVAL);
    CHECK_INT(host.set_lang(rec, "\xFF", 0.5), -EINVAL);
    CHECK_STR(rec_get(rec, INGESTD_FIELD_LANG, NULL), "tr");
    CHECK(rec_lang_confidence(rec) == 0.87);
    /* both ends of the range are allowed */
    CHECK_INT(host.set_lang(rec, "sl", 0.0), 0);
    CHECK(rec_lang_confidence(rec) == 0.0);
    CHECK_INT(host.set_lang(rec, "und", 1.0), 0);
    CHECK_STR(rec_get(rec, INGESTD_FIELD_LANG, NULL), "und");
    CHECK(rec_lang_confidence(rec) == 1.0);
    /* NULL clears both */
    CHECK_INT(host.set_lang(rec, NULL, 0.5), 0);
    CHECK(rec_get(rec, INGESTD_FIELD_LANG, NULL) == NULL);
    CHECK(rec_lang_confidence(rec) == -1);
    rec_free(rec);
}

static void test_failure_reason(void)
{
    ingestd_record *rec = new_rec("text");
    host.fail(rec, "first");
    host.fail(rec, "second reason");
    CHECK_STR(rec_failure(rec), "second reason");
    rec_clear_failure(rec);
    CHECK(rec_failure(rec) == NULL);

    /* a long reason is cut at 1024 bytes without splitting a character */
    char longr[2000];
    memset(longr, 'x', sizeof longr);
    memcpy(longr + 1022, "\xC3\xA9", 2); /* bytes 1022..1023: fits exactly */
    longr[sizeof longr - 1] = '\0';
    host.fail(rec, longr);
    CHECK_INT(strlen(rec_failure(rec)), 1024);
    memcpy(longr + 1022, "x\xE2\x82\xAC", 4); /* a 3-byte char straddling the cut */
    host.fail(rec, longr);
    CHECK_INT(strlen(rec_failure(rec)), 1023);
    CHECK(utf8_valid(rec_failure(rec), strlen(rec_failure(rec))));
    /* garbage bytes are trimmed to a valid prefix */
    host.fail(rec, "why\xFF\xFE");
    CHECK_STR(rec_failure(rec), "why");
    host.fail(rec, NULL);
    CHECK(rec_failure(rec) == NULL);
    rec_free(rec);
}

static const char *uid_of(const char *title, const char *body, char out[33])
{
    ingestd_record *rec = rec_new("file", "/x", 0, body, strlen(body));
    if (title)
        rec_set(rec, INGESTD_FIELD_TITLE, title, strlen(title));
    rec_compute_uid(rec);
    size_t len = 0;
    const char *uid = rec_get(rec, INGESTD_FIELD_UID, &len);
    snprintf(out, 33, "%s", uid ? uid : "");
    CHECK_INT(len, 32);
    rec_free(rec);
    return out;
}

static void test_uid(void)
{
    char a[33], b[33];
    /* expected digests: hashlib.sha256(b"Title here\na b c").hexdigest()[:32] and of b"\n" */
    CHECK_STR(uid_of("Title here", "a b c", a), "baf0ce567433155057d0c03933e24aac");
    CHECK_STR(uid_of("  Title \t here\n", "\n\na\n\n b\t\r\n c \f\v", b),
              "baf0ce567433155057d0c03933e24aac");
    CHECK_STR(uid_of(NULL, "", a), "01ba4719c80b6fe911b091a7c05124b6");
    CHECK_STR(uid_of("", " \n\t ", b), "01ba4719c80b6fe911b091a7c05124b6");

    for (size_t i = 0; i < 32; i++)
        CHECK((a[i] >= '0' && a[i] <= '9') || (a[i] >= 'a' && a[i] <= 'f'));

    /* different text, different uid; the title/body boundary matters */
    CHECK(strcmp(uid_of("Title here", "a b d", a), uid_of("Title here", "a b c", b)) != 0);
    CHECK(strcmp(uid_of("a b", "c", a), uid_of("a", "b c", b)) != 0);
    CHECK(strcmp(uid_of("ab", "c", a), uid_of("a b", "c", b)) != 0); /* space is not erased */
    CHECK(strcmp(uid_of("T", "\xC3\xA9", a), uid_of("T", "e", b)) != 0);

    /* long text: whitespace runs across the normalizer's internal buffer boundaries, checked
     * against the digest of the normalized text built here */
    size_t words = 3000;
    char *spaced = malloc(words * 12 + 1), *single = malloc(words * 8 + 16);
    size_t ns = 0, n1 = 0;
    for (size_t w = 0; w < words; w++) {
        const char *gap = (w % 3 == 0) ? " \n\t  " : (w % 3 == 1) ? "\r\n" : " ";
        if (w) {
            memcpy(spaced + ns, gap, strlen(gap));
            ns += strlen(gap);
            single[n1++] = ' ';
        }
        int k = snprintf(spaced + ns, 8, "w%zu", w % 1000);
        memcpy(single + n1, spaced + ns, (size_t)k);
        ns += (size_t)k;
        n1 += (size_t)k;
    }
    spaced[ns] = '\0';
    uint8_t d[32];
    hash_sha256_ctx ctx;
    hash_sha256_init(&ctx);
    hash_sha256_update(&ctx, "Long\n", 5);
    hash_sha256_update(&ctx, single, n1);
    hash_sha256_final(&ctx, d);
    char expect[33];
    hash_hex(d, 16, expect);
    CHECK_STR(uid_of(" Long ", spaced, a), expect);
    free(spaced);
    free(single);
}

static void test_to_json(void)
{
    ingestd_record *rec = new_rec("Body");
    json_t *j = rec_to_json(rec);
    static const char *const names[] = {
        "uid",  "source",          "source_kind",  "url",        "guid",        "title", "body",
        "lang", "lang_confidence", "published_at", "updated_at", "ingested_at", "meta"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (!json_object_get(j, names[i]))
            fprintf(stderr, "  missing field %s\n", names[i]);
        CHECK(json_object_get(j, names[i]) != NULL);
    }
    CHECK_INT(json_object_size(j), 13); /* nothing beyond the contract (no original_text) */
    CHECK(json_is_null(json_object_get(j, "uid")));
    CHECK(json_is_null(json_object_get(j, "title")));
    CHECK(json_is_null(json_object_get(j, "lang")));
    CHECK(json_is_null(json_object_get(j, "lang_confidence")));
    CHECK_STR(json_string_value(json_object_get(j, "body")), "Body");
    CHECK_STR(json_string_value(json_object_get(j, "source")), "/srv/inbox/a.txt");
    CHECK_STR(json_string_value(json_object_get(j, "source_kind")), "file");
    CHECK_STR(json_string_value(json_object_get(j, "ingested_at")), "2025-10-27T10:00:00.000Z");
    CHECK(json_is_object(json_object_get(j, "meta")));
    json_decref(j);

    host.set(rec, INGESTD_FIELD_TITLE, LIT("T"));
    host.set(rec, INGESTD_FIELD_URL, LIT("https://example.org/a"));
    host.set(rec, INGESTD_FIELD_PUBLISHED_AT, LIT("2025-10-27T12:00:00+03:00"));
    host.set_lang(rec, "el", 0.5);
    host.meta_set(rec, "k", "[1]");
    rec_compute_uid(rec);
    j = rec_to_json(rec);
    CHECK_STR(json_string_value(json_object_get(j, "title")), "T");
    CHECK_STR(json_string_value(json_object_get(j, "url")), "https://example.org/a");
    CHECK_STR(json_string_value(json_object_get(j, "published_at")), "2025-10-27T12:00:00+03:00");
    CHECK(json_is_null(json_object_get(j, "updated_at")));
    CHECK_STR(json_string_value(json_object_get(j, "lang")), "el");
    CHECK(json_real_value(json_object_get(j, "lang_confidence")) == 0.5);
    CHECK_INT(strlen(json_string_value(json_object_get(j, "uid"))), 32);
    CHECK_INT(
        json_integer_value(json_array_get(json_object_get(json_object_get(j, "meta"), "k"), 0)), 1);
    json_decref(j);
    rec_free(rec);
}

static void test_lossy_source(void)
{
    ingestd_record *rec = rec_new("file",
                                  "/in/\xFF\xFE"
                                  "caf\xC3\xA9-\xE9.txt",
                                  0, LIT("x"));
    CHECK(rec != NULL);
    if (!rec)
        return;
    const char *src = rec_get(rec, INGESTD_FIELD_SOURCE, NULL);
    CHECK_STR(src, "/in/\xEF\xBF\xBD\xEF\xBF\xBD"
                   "caf\xC3\xA9-\xEF\xBF\xBD.txt");
    CHECK(src && utf8_valid(src, strlen(src)));
    json_t *j = rec_to_json(rec);
    CHECK_STR(json_string_value(json_object_get(j, "source")), src);
    json_decref(j);
    rec_free(rec);
}

static void test_host_table(void)
{
    CHECK_INT(host.struct_size, sizeof(ingestd_host));
    CHECK_INT(host.abi_major, INGESTD_ABI_MAJOR);
    CHECK_INT(host.abi_minor, INGESTD_ABI_MINOR);
    CHECK(host.plugin_handle == (const void *)&host);
    CHECK(host.log == NULL); /* we passed none */
    CHECK(host.get && host.set && host.get_lang_confidence && host.set_lang && host.meta_get &&
          host.meta_set && host.meta_set_string && host.meta_remove && host.fail &&
          host.arrival_ms && host.now_ms);
    ingestd_record *rec = rec_new("feed", "https://example.org/feed", 1234567LL, LIT("x"));
    CHECK_INT(host.arrival_ms(rec), 1234567LL);
    CHECK(host.now_ms() > 1700000000000LL); /* a real wall clock, in milliseconds */
    rec_free(rec);
}

int main(void)
{
    rec_host_fill(&host, &host, NULL);
    RUN(test_new);
    RUN(test_new_rejects_bad_text);
    RUN(test_read_only_fields);
    RUN(test_set_validation);
    RUN(test_meta);
    RUN(test_lang);
    RUN(test_failure_reason);
    RUN(test_uid);
    RUN(test_to_json);
    RUN(test_lossy_source);
    RUN(test_host_table);
    return TEST_SUMMARY();
}

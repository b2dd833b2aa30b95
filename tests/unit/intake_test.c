/*
 * intake_test - one article job on real files in a temporary folder: the OK path with the file
 * identity (dev, ino, size, mtime, SHA-256) and the record; the size limit on both sides; empty
 * and binary files; a vanished file; a FIFO and a symlink put in a file's place (neither may
 * block nor be followed); a legacy-encoded file, detected and declared; bytes given instead of
 * a file; a refusal decided by the owner; non-UTF-8 file names; and intake_store_item's
 * mapping of each outcome, including drops and plugin failures through the fixture plugins.
 */
#include "intake.h"

#include "log.h"
#include "testlib.h"
#include "utf8.h"

#include <errno.h>
#include <fcntl.h>
#include <iconv.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static char dir[PATH_MAX];
static pipeline *empty_pipe;

static const char *const SHA_ABC =
    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
static const char *const SHA_EMPTY =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

static pipeline *pipeline_from(const char *json)
{
    config *cfg = NULL;
    char err[1024];
    if (config_parse(json, strlen(json), "/tmp/intake_test.json", false, &cfg, err, sizeof err)) {
        fprintf(stderr, "config: %s\n", err);
        return NULL;
    }
    pipeline *p = NULL;
    if (pipeline_build(cfg, &p, err, sizeof err))
        fprintf(stderr, "pipeline: %s\n", err);
    config_free(cfg);
    return p;
}

static const char *path_of(const char *name)
{
    static char paths[4][PATH_MAX];
    static int next;
    char *p = paths[next++ % 4];
    snprintf(p, PATH_MAX, "%s/%s", dir, name);
    return p;
}

static const char *write_bytes(const char *name, const void *data, size_t len)
{
    const char *p = path_of(name);
    int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    CHECK(fd >= 0);
    if (fd >= 0) {
        CHECK(write(fd, data, len) == (ssize_t)len);
        close(fd);
    }
    return p;
}

static intake_job *new_job(const char *path, pipeline *p)
{
    intake_job *job = calloc(1, sizeof *job);
    job->path = strdup(path);
    job->source_kind = "file";
    job->encoding = strdup("auto");
    job->max_bytes = 1 << 20;
    job->pipe = p ? p : empty_pipe;
    job->arrival_ms = 1761559200000LL;
    return job;
}

static void test_ok_file(void)
{
    const char *p = write_bytes("ok.txt", "abc", 3);
    struct stat st;
    CHECK_INT(stat(p, &st), 0);
    intake_job *job = new_job(p, NULL);
    intake_run(job);
    CHECK_INT(job->outcome, INTAKE_OK);
    CHECK(job->has_file);
    CHECK_STR(job->source_display, p);
    CHECK_STR(job->ident.path, p);
    CHECK_INT(job->ident.dev, st.st_dev);
    CHECK_INT(job->ident.ino, st.st_ino);
    CHECK_INT(job->ident.size, 3);
    CHECK_INT(job->ident.mtime_ns, (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec);
    CHECK_STR(job->ident.sha256, SHA_ABC);
    CHECK_INT(job->raw_len, 3);
    CHECK(job->raw && memcmp(job->raw, "abc", 3) == 0);
    CHECK_STR(job->encoding_used, "utf-8");
    CHECK_STR(job->fail_stage, "");
    CHECK(job->rec != NULL);
    if (job->rec) {
        CHECK_STR(rec_get(job->rec, INGESTD_FIELD_BODY, NULL), "abc");
        CHECK_STR(rec_get(job->rec, INGESTD_FIELD_ORIGINAL_TEXT, NULL), "abc");
        CHECK_STR(rec_get(job->rec, INGESTD_FIELD_SOURCE, NULL), p);
        CHECK_STR(rec_get(job->rec, INGESTD_FIELD_SOURCE_KIND, NULL), "file");
        CHECK_STR(rec_get(job->rec, INGESTD_FIELD_TITLE, NULL), "abc"); /* fallback title */
        CHECK_STR(rec_get(job->rec, INGESTD_FIELD_INGESTED_AT, NULL), "2025-10-27T10:00:00.000Z");
        CHECK_INT(strlen(rec_get(job->rec, INGESTD_FIELD_UID, NULL)), 32);
        CHECK(json_object_get(rec_meta(job->rec), "source_encoding") == NULL);
    }
    intake_job_free(job);

    /* line endings are normalized in the text, never in the kept original */
    p = write_bytes("crlf.txt", "Title\r\nBody\r\n", 13);
    job = new_job(p, NULL);
    intake_run(job);
    CHECK_INT(job->outcome, INTAKE_OK);
    CHECK_INT(job->raw_len, 13);
    CHECK(job->raw && memcmp(job->raw, "Title\r\nBody\r\n", 13) == 0);
    CHECK_STR(job->rec ? rec_get(job->rec, INGESTD_FIELD_BODY, NULL) : NULL, "Title\nBody\n");
    CHECK_STR(job->rec ? rec_get(job->rec, INGESTD_FIELD_TITLE, NULL) : NULL, "Title");
    intake_job_free(job);
}

static void test_size_limit(void)
{
    char buf[101];
    memset(buf, 'x', sizeof buf);
    const char *p = write_bytes("exact.txt", buf, 100);
    intake_job *job = new_job(p, NULL);
    job->max_bytes = 100;
    intake_run(job);
    CHECK_INT(job->outcome, INTAKE_OK); /* exactly at the limit */
    CHECK_INT(job->raw_len, 100);
    intake_job_free(job);

    p = write_bytes("over.txt", buf, 101);
    job = new_job(p, NULL);
    job->max_bytes = 100;
    intake_run(job);
    CHECK_INT(job->outcome, INTAKE_FAILED);
    CHECK_STR(job->fail_stage, "read");
    CHECK_STR(job->fail_plugin, "");
    CHECK(strstr(job->fail_reason, "101 bytes") != NULL);
    CHECK(strstr(job->fail_reason, "max_file_bytes=100") != NULL);
    CHECK(job->raw == NULL);
    CHECK_INT(job->raw_len, 0);
    CHECK(job->rec == NULL);
    CHECK(job->has_file); /* the identity is known, so the failure can be tied to the file */
    CHECK_INT(job->ident.size, 101);
    intake_job_free(job);
}

static void test_empty_and_binary(void)
{
    const char *p = write_bytes("empty.txt", "", 0);
    intake_job *job = new_job(p, NULL);
    intake_run(job);
    CHECK_INT(job->outcome, INTAKE_FAILED);
    CHECK_STR(job->fail_stage, "decode");
    CHECK_STR(job->fail_reason, "empty file");
    CHECK(job->rec == NULL);
    CHECK_INT(job->raw_len, 0);
    CHECK_STR(job->ident.sha256, SHA_EMPTY);
    intake_job_free(job);

    unsigned char bin[512];
    for (size_t i = 0; i < sizeof bin; i++)
        bin[i] = (unsigned char)(i * 7 % 256);
    p = write_bytes("image.bin", bin, sizeof bin);
    job = new_job(p, NULL);
    intake_run(job);
    CHECK_INT(job->outcome, INTAKE_FAILED);
    CHECK_STR(job->fail_stage, "decode");
    CHECK(strncmp(job->fail_reason, "binary data", 11) == 0);
    CHECK(job->rec == NULL);
    CHECK_INT(job->raw_len, sizeof bin); /* the original is kept for the failures table */
    CHECK(job->raw && memcmp(job->raw, bin, sizeof bin) == 0);
    intake_job_free(job);
}

static void test_vanished(void)
{
    intake_job *job = new_job(path_of("never-there.txt"), NULL);
    intake_run(job);
    CHECK_INT(job->outcome, INTAKE_VANISHED);
    CHECK(job->rec == NULL);
    CHECK(job->raw == NULL);
    CHECK(!job->has_file);
    intake_job_free(job);
}

static void test_fifo_and_symlink(void)
{
    /* a FIFO with no writer would block a plain open(); intake must refuse it at once */
    const char *p = path_of("pipe.txt");
    CHECK_INT(mkfifo(p, 0600), 0);
    intake_job *job = new_job(p, NULL);
    time_t t0 = time(NULL);
    intake_run(job);
    CHECK(time(NULL) - t0 <= 2);
    CHECK_INT(job->outcome, INTAKE_FAILED);
    CHECK_STR(job->fail_stage, "read");
    CHECK_STR(job->fail_reason, "not a regular file");
    CHECK(job->rec == NULL && job->raw == NULL);
    intake_job_free(job);

    /* a symlink at the path is not followed */
    const char *target = write_bytes("target.txt", "secret", 6);
    const char *link = path_of("link.txt");
    CHECK_INT(symlink(target, link), 0);
    job = new_job(link, NULL);
    intake_run(job);
    CHECK_INT(job->outcome, INTAKE_FAILED);
    CHECK_STR(job->fail_stage, "read");
    CHECK(strncmp(job->fail_reason, "cannot open: ", 13) == 0);
    CHECK(job->rec == NULL && job->raw == NULL);
    intake_job_free(job);

    /* a symlink to a FIFO: still refused without blocking */
    const char *link2 = path_of("link-to-pipe.txt");
    CHECK_INT(symlink(p, link2), 0);
    job = new_job(link2, NULL);
    intake_run(job);
    CHECK_INT(job->outcome, INTAKE_FAILED);
    intake_job_free(job);

    /* the owner may resolve a link itself and name the target in open_path: the record keeps
     * the name it was found under, the identity is the target's */
    struct stat st;
    CHECK_INT(stat(target, &st), 0);
    job = new_job(link, NULL);
    job->open_path = strdup(target);
    intake_run(job);
    CHECK_INT(job->outcome, INTAKE_OK);
    CHECK_INT(job->ident.ino, st.st_ino);
    CHECK_STR(job->ident.path, link);
    CHECK_STR(job->rec ? rec_get(job->rec, INGESTD_FIELD_SOURCE, NULL) : NULL, link);
    CHECK_STR(job->rec ? rec_get(job->rec, INGESTD_FIELD_BODY, NULL) : NULL, "secret");
    intake_job_free(job);
}

/* utf8 text encoded into `enc` with iconv; malloc'd, *n bytes. */
static char *encode(const char *utf8, const char *enc, size_t *n)
{
    iconv_t cd = iconv_open(enc, "UTF-8");
    if (cd == (iconv_t)-1)
        return NULL;
    size_t inleft = strlen(utf8), cap = inleft * 4 + 16, room = cap;
    char *buf = malloc(cap), *dst = buf, *src = (char *)utf8;
    size_t r = iconv(cd, &src, &inleft, &dst, &room);
    iconv_close(cd);
    if (r == (size_t)-1) {
        free(buf);
        return NULL;
    }
    *n = cap - room;
    return buf;
}

static void test_legacy_encoding(void)
{
    const char *ru = "Городской совет утвердил новый план развития транспорта.\n"
                     "По словам мэра, первые автобусы выйдут на линии уже весной, а строительство "
                     "новых остановок начнётся в ближайшие недели.\n";
    size_t n = 0;
    char *bytes = encode(ru, "CP1251", &n);
    CHECK(bytes != NULL);
    if (!bytes)
        return;
    CHECK(!utf8_valid(bytes, n)); /* really not UTF-8 */
    const char *p = write_bytes("cp1251.txt", bytes, n);
    intake_job *job = new_job(p, NULL);
    intake_run(job);
    CHECK_INT(job->outcome, INTAKE_OK);
    CHECK_STR(job->encoding_used, "windows-1251");
    CHECK_INT(job->raw_len, n);
    CHECK(job->raw && memcmp(job->raw, bytes, n) == 0);
    if (job->rec) {
        CHECK_STR(rec_get(job->rec, INGESTD_FIELD_BODY, NULL), ru);
        CHECK_STR(json_string_value(json_object_get(rec_meta(job->rec), "source_encoding")),
                  "windows-1251");
    }
    intake_job_free(job);
    free(bytes);

    /* a declared encoding is used for a short text detection could not be sure of */
    const char *el = "Καλημέρα";
    bytes = encode(el, "ISO-8859-7", &n);
    CHECK(bytes != NULL);
    if (!bytes)
        return;
    p = write_bytes("greek.txt", bytes, n);
    job = new_job(p, NULL);
    free(job->encoding);
    job->encoding = strdup("iso-8859-7");
    intake_run(job);
    CHECK_INT(job->outcome, INTAKE_OK);
    CHECK_STR(job->encoding_used, "iso-8859-7");
    CHECK_STR(job->rec ? rec_get(job->rec, INGESTD_FIELD_BODY, NULL) : NULL, el);
    intake_job_free(job);
    free(bytes);
}

static void test_given_bytes(void)
{
    intake_job *job = new_job("-", NULL);
    job->source_kind = "stdin";
    job->given = malloc(11);
    memcpy(job->given, "Hello\nworld", 11);
    job->given_len = 11;
    intake_run(job);
    CHECK_INT(job->outcome, INTAKE_OK);
    CHECK(!job->has_file);
    CHECK(job->given == NULL); /* moved into raw, freed once */
    CHECK_INT(job->raw_len, 11);
    CHECK(job->raw && memcmp(job->raw, "Hello\nworld", 11) == 0);
    CHECK_STR(job->ident.sha256,
              "46e0ea795802f17d0b340983ca7d7068c94d7d9172ee4daea37a1ab1168649ec");
    CHECK_STR(job->source_display, "-");
    if (job->rec) {
        CHECK_STR(rec_get(job->rec, INGESTD_FIELD_SOURCE, NULL), "-");
        CHECK_STR(rec_get(job->rec, INGESTD_FIELD_SOURCE_KIND, NULL), "stdin");
        CHECK_STR(rec_get(job->rec, INGESTD_FIELD_TITLE, NULL), "Hello");
    }
    store_item item;
    intake_store_item(job, &item);
    CHECK(!item.has_file);
    CHECK_STR(item.source_kind, "stdin");
    CHECK_STR(item.source, "-");
    intake_job_free(job);

    /* given bytes go through decoding like a file's */
    job = new_job("-", NULL);
    job->given = calloc(1, 4);
    job->given_len = 4;
    intake_run(job);
    CHECK_INT(job->outcome, INTAKE_FAILED);
    CHECK_STR(job->fail_stage, "decode");
    intake_job_free(job);
}

static void test_refused(void)
{
    const char *p = write_bytes("refused.txt", "abc", 3);
    intake_job *job = new_job(p, NULL);
    job->refused_reason = strdup("symlink leads out of the watched folder");
    intake_run(job);
    CHECK_INT(job->outcome, INTAKE_FAILED);
    CHECK_STR(job->fail_stage, "intake");
    CHECK_STR(job->fail_reason, "symlink leads out of the watched folder");
    CHECK(job->raw == NULL && job->rec == NULL); /* not read at all */
    CHECK(!job->has_file);
    store_item item;
    intake_store_item(job, &item);
    CHECK(item.rec == NULL);
    CHECK_STR(item.fail_stage, "intake");
    CHECK(item.fail_plugin == NULL);
    CHECK_STR(item.fail_reason, "symlink leads out of the watched folder");
    CHECK_STR(item.source, p);
    intake_job_free(job);
}

static void test_non_utf8_name(void)
{
    const char *p = write_bytes("caf\xE9.txt", "text", 4);
    intake_job *job = new_job(p, NULL);
    intake_run(job);
    CHECK_INT(job->outcome, INTAKE_OK);
    char want[PATH_MAX];
    snprintf(want, sizeof want, "%s/caf\xEF\xBF\xBD.txt", dir);
    CHECK_STR(job->source_display, want);
    CHECK_STR(job->ident.path, want);
    CHECK_STR(job->rec ? rec_get(job->rec, INGESTD_FIELD_SOURCE, NULL) : NULL, want);
    store_item item;
    intake_store_item(job, &item);
    CHECK_STR(item.source, want);
    CHECK(utf8_valid(item.source, strlen(item.source)));
    intake_job_free(job);
}

static void test_store_item_mapping(void)
{
    const char *p = write_bytes("map.txt", "abc", 3);
    intake_job *job = new_job(p, NULL);
    intake_run(job);
    CHECK_INT(job->outcome, INTAKE_OK);
    store_item item;
    memset(&item, 0x55, sizeof item);
    intake_store_item(job, &item);
    CHECK(item.rec == job->rec && item.rec != NULL);
    CHECK_STR(item.source_kind, "file");
    CHECK(item.source == job->source_display);
    CHECK(item.raw == job->raw);
    CHECK_INT(item.raw_len, 3);
    CHECK_STR(item.encoding, "utf-8");
    CHECK(item.has_file);
    CHECK_INT(item.file.ino, job->ident.ino);
    CHECK_INT(item.file.dev, job->ident.dev);
    CHECK_INT(item.file.size, 3);
    CHECK_INT(item.file.mtime_ns, job->ident.mtime_ns);
    CHECK_STR(item.file.sha256, SHA_ABC);
    CHECK_STR(item.file.path, p);
    CHECK(item.dropped_by == NULL);
    CHECK(item.fail_stage == NULL && item.fail_plugin == NULL && item.fail_reason == NULL);
    CHECK_INT(item.article_id, 0);
    CHECK_INT(item.failure_id, 0);
    CHECK(!item.was_duplicate);
    intake_job_free(job);

    /* a read failure: no record, stage and reason, no plugin */
    p = write_bytes("big.txt", "0123456789", 10);
    job = new_job(p, NULL);
    job->max_bytes = 5;
    intake_run(job);
    memset(&item, 0x55, sizeof item);
    intake_store_item(job, &item);
    CHECK(item.rec == NULL);
    CHECK(item.raw == NULL);
    CHECK(item.dropped_by == NULL);
    CHECK_STR(item.fail_stage, "read");
    CHECK(item.fail_plugin == NULL);
    CHECK(item.fail_reason == job->fail_reason);
    CHECK(item.has_file);
    intake_job_free(job);

#ifdef FIXTURE_PLUGIN_DIR
    char json[2048];
    snprintf(json, sizeof json,
             "{\"plugins\": [\"%s/ok_plugin.so\", \"%s/drop_plugin.so\", \"%s/error_plugin.so\"]}",
             FIXTURE_PLUGIN_DIR, FIXTURE_PLUGIN_DIR, FIXTURE_PLUGIN_DIR);
    pipeline *fp = pipeline_from(json);
    CHECK(fp != NULL);
    if (!fp)
        return;
    /* dropped by a plugin: the record goes along, named by the plugin */
    p = write_bytes("drop.txt", "Title\nDROPME", 12);
    job = new_job(p, fp);
    intake_run(job);
    CHECK_INT(job->outcome, INTAKE_DROPPED);
    CHECK_STR(job->fail_plugin, "drop_plugin");
    memset(&item, 0x55, sizeof item);
    intake_store_item(job, &item);
    CHECK(item.rec == job->rec && item.rec != NULL);
    CHECK_STR(item.dropped_by, "drop_plugin");
    CHECK(item.fail_stage == NULL && item.fail_plugin == NULL && item.fail_reason == NULL);
    CHECK(item.raw == job->raw && item.raw_len == 12);
    intake_job_free(job);

    /* failed in a plugin: stage "plugin", the plugin's name and its reason */
    p = write_bytes("fail.txt", "Title\nkeep", 10);
    job = new_job(p, fp);
    intake_run(job);
    CHECK_INT(job->outcome, INTAKE_FAILED);
    CHECK_STR(job->fail_stage, "plugin");
    CHECK_STR(job->fail_plugin, "error_plugin");
    CHECK_STR(job->fail_reason, "always fails: test");
    memset(&item, 0x55, sizeof item);
    intake_store_item(job, &item);
    CHECK(item.rec == NULL);
    CHECK_STR(item.fail_stage, "plugin");
    CHECK_STR(item.fail_plugin, "error_plugin");
    CHECK_STR(item.fail_reason, "always fails: test");
    CHECK(item.dropped_by == NULL);
    CHECK(item.raw == job->raw && item.raw_len == 10);
    CHECK_STR(item.file.sha256, job->ident.sha256);
    intake_job_free(job);
    pipeline_free(fp);
#endif
}

static void test_now_ms(void)
{
    int64_t a = intake_now_ms();
    int64_t wall = (int64_t)time(NULL) * 1000;
    CHECK(a >= wall - 2000 && a <= wall + 2000);
    CHECK(intake_now_ms() >= a);
    intake_job_free(NULL);
}

int main(void)
{
    log_set_level(LOG_LVL_WARNING); /* no "plugin loaded" lines */
    alarm(60); /* a blocking open of a FIFO fails the test instead of hanging it */
    char tmpl[] = "/tmp/intake_test.XXXXXX";
    if (!mkdtemp(tmpl) || !realpath(tmpl, dir)) {
        perror("mkdtemp");
        return 1;
    }
    empty_pipe = pipeline_from("{\"plugins\": []}");
    if (!empty_pipe)
        return 1;
    RUN(test_ok_file);
    RUN(test_size_limit);
    RUN(test_empty_and_binary);
    RUN(test_vanished);
    RUN(test_fifo_and_symlink);
    RUN(test_legacy_encoding);
    RUN(test_given_bytes);
    RUN(test_refused);
    RUN(test_non_utf8_name);
    RUN(test_store_item_mapping);
    RUN(test_now_ms);
    pipeline_free(empty_pipe);
    char cmd[PATH_MAX + 16];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
    return TEST_SUMMARY();
}

/*
 * intake - the worker-side half of the article path: file -> bytes -> UTF-8 -> record -> chain.
 *
 * The file is opened with O_NOFOLLOW|O_NONBLOCK (a FIFO swapped in cannot block a worker, a
 * symlink swapped in is not followed), must be a regular file, is read in full up to the size
 * limit, and is fstat'ed again afterwards: when size or mtime moved, a writer is still at work
 * and the job reports INTAKE_CHANGED instead of committing half a file.
 */
#include "intake.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "crashpoint.h"
#include "decode.h"
#include "hash.h"
#include "quarantine.h"
#include "utf8.h"
#include "xalloc.h"

int64_t intake_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void set_failure(intake_job *job, const char *stage, const char *plugin, const char *fmt,
                        ...) __attribute__((format(printf, 4, 5)));

static void set_failure(intake_job *job, const char *stage, const char *plugin, const char *fmt,
                        ...)
{
    job->outcome = INTAKE_FAILED;
    snprintf(job->fail_stage, sizeof job->fail_stage, "%s", stage);
    snprintf(job->fail_plugin, sizeof job->fail_plugin, "%s", plugin ? plugin : "");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(job->fail_reason, sizeof job->fail_reason, fmt, ap);
    va_end(ap);
}

static void fill_identity(intake_job *job, const struct stat *st)
{
    job->has_file = true;
    job->ident.path = job->source_display;
    job->ident.dev = (uint64_t)st->st_dev;
    job->ident.ino = (uint64_t)st->st_ino;
    job->ident.size = (int64_t)st->st_size;
    job->ident.mtime_ns = (int64_t)st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec;
}

/* Read the file into job->raw. Returns 0 to go on, or 1 when the outcome is already decided. */
static int read_file(intake_job *job)
{
    const char *p = job->open_path ? job->open_path : job->path;
    int fd = open(p, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) {
        if (errno == ENOENT) {
            job->outcome = INTAKE_VANISHED;
            return 1;
        }
        int e = errno;
        set_failure(job, "read", NULL, "cannot open: %s", strerror(e));
        return 1;
    }
    struct stat before;
    if (fstat(fd, &before) != 0) {
        int e = errno;
        close(fd);
        set_failure(job, "read", NULL, "cannot stat: %s", strerror(e));
        return 1;
    }
    fill_identity(job, &before);
    if (!S_ISREG(before.st_mode)) {
        close(fd);
        set_failure(job, "read", NULL, "not a regular file");
        return 1;
    }
    if (before.st_size > job->max_bytes) {
        close(fd);
        set_failure(job, "read", NULL,
                    "file too large: %lld bytes (limit max_file_bytes=%lld); the file is kept "
                    "in the failed folder",
                    (long long)before.st_size, (long long)job->max_bytes);
        return 1;
    }
    size_t cap = (size_t)before.st_size + 1, len = 0;
    char *buf = xmalloc(cap);
    for (;;) {
        if (len == cap) {
            if ((int64_t)len > job->max_bytes)
                break;
            cap *= 2;
            buf = xrealloc(buf, cap);
        }
        ssize_t n = read(fd, buf + len, cap - len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            int e = errno;
            free(buf);
            close(fd);
            set_failure(job, "read", NULL, "read error: %s", strerror(e));
            return 1;
        }
        if (n == 0)
            break;
        len += (size_t)n;
    }
    struct stat after;
    int src = fstat(fd, &after);
    close(fd);
    if (src != 0 || after.st_size != before.st_size ||
        after.st_mtim.tv_sec != before.st_mtim.tv_sec ||
        after.st_mtim.tv_nsec != before.st_mtim.tv_nsec || (off_t)len != before.st_size) {
        free(buf);
        job->outcome = INTAKE_CHANGED;
        return 1;
    }
    job->raw = buf;
    job->raw_len = len;
    return 0;
}

static void run_job(intake_job *job);

void intake_run(intake_job *job)
{
    /* a crash from here on is pinned on this file (see quarantine.h) */
    if (!job->given)
        quarantine_enter(job->path, &job->ident);
    run_job(job);
    quarantine_leave();
}

static void run_job(intake_job *job)
{
    if (!job->source_display)
        job->source_display = utf8_lossy(job->path, strlen(job->path));
    job->ident.path = job->source_display;
    job->outcome = INTAKE_OK;
    job->encoding_used = "unknown";
    if (job->refused_reason) {
        set_failure(job, "intake", NULL, "%s", job->refused_reason);
        return;
    }
    if (job->given) {
        job->raw = job->given;
        job->raw_len = job->given_len;
        job->given = NULL;
    } else if (read_file(job)) {
        return;
    }
    CRASHPOINT("intake.after_read");
    uint8_t digest[32];
    hash_sha256(job->raw, job->raw_len, digest);
    hash_hex(digest, 32, job->ident.sha256);

    decode_result dec;
    char err[256];
    int rc = decode_to_utf8(job->raw, job->raw_len, job->encoding, &dec, err, sizeof err);
    if (rc != 0) {
        set_failure(job, "decode", NULL, "%s", err);
        return;
    }
    job->encoding_used = dec.encoding;
    job->rec = rec_new(job->source_kind, job->path, job->arrival_ms, dec.text, dec.len);
    decode_result_free(&dec);
    if (!job->rec) {
        set_failure(job, "decode", NULL, "decoded text is not valid UTF-8 (internal error)");
        return;
    }
    if (strcmp(job->encoding_used, "utf-8") != 0)
        json_object_set_new(rec_meta(job->rec), "source_encoding", json_string(job->encoding_used));

    pipeline_outcome po;
    pipeline_run(job->pipe, job->rec, &po);
    CRASHPOINT("intake.after_chain");
    if (po.verdict == INGESTD_DROP) {
        job->outcome = INTAKE_DROPPED;
        snprintf(job->fail_plugin, sizeof job->fail_plugin, "%s", po.who);
    } else if (po.verdict != INGESTD_OK) {
        set_failure(job, "plugin", po.who, "%s", po.reason);
    }
}

void intake_store_item(const intake_job *job, store_item *item)
{
    memset(item, 0, sizeof *item);
    item->source_kind = job->source_kind;
    item->source = job->source_display;
    item->raw = job->raw;
    item->raw_len = job->raw_len;
    item->encoding = job->encoding_used;
    item->raw_sha256 = job->raw && job->ident.sha256[0] ? job->ident.sha256 : NULL;
    item->has_file = job->has_file;
    item->file = job->ident;
    if (job->outcome == INTAKE_OK) {
        item->rec = job->rec;
    } else if (job->outcome == INTAKE_DROPPED) {
        item->rec = job->rec;
        item->dropped_by = job->fail_plugin;
    } else {
        item->rec = NULL;
        item->fail_stage = job->fail_stage;
        item->fail_plugin = job->fail_plugin[0] ? job->fail_plugin : NULL;
        item->fail_reason = job->fail_reason;
    }
}

void intake_job_free(intake_job *job)
{
    if (!job)
        return;
    free(job->path);
    free(job->open_path);
    free(job->encoding);
    free(job->given);
    free(job->raw);
    free(job->refused_reason);
    free(job->source_display);
    rec_free(job->rec);
    free(job);
}

/*
 * daemon - the service's loop-thread logic.
 *
 * The way of one file: the watcher (inotify event or scan) names it; it is *claimed* (its path
 * enters `claimed`) and queued in `pending`; admit() hands it to a worker as an intake job while
 * fewer than queue_max jobs are in flight; the finished job joins the current batch; the batch
 * is committed in one transaction (flush at batch_max records or batch_ms milliseconds); only
 * then is the file acknowledged (moved to done/failed, kept, or deleted) and unclaimed.
 *
 * Crash safety: the file's identity is committed with its record, so a file found again after a
 * crash between commit and acknowledgement is recognized and only acknowledged. A crash before
 * the commit leaves the file in place, to be taken again at the next start.
 *
 * Backpressure: pending is bounded too; when it is full, further names are not queued, and a
 * rescan is requested for when the queue has drained (the files wait on disk, not in memory).
 * When a commit fails (disk full, I/O error), the batch is kept, intake pauses, and the commit
 * is retried with backoff until it succeeds.
 */
#include "daemon.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <uv.h>

#include "config.h"
#include "control.h"
#include "crashpoint.h"
#include "intake.h"
#include "feeds.h"
#include "log.h"
#include "notify.h"
#include "pathset.h"
#include "pipeline.h"
#include "quarantine.h"
#include "store.h"
#include "watcher.h"
#include "xalloc.h"

struct pending_item {
    size_t watch_index;
    char *name;
    struct pending_item *next;
};

/* Work on what the store already holds (`retry`, `reprocess`): ids waiting, started as jobs
 * when intake leaves room in the queue. Such a job has watch_index BACKLOG_JOB: it is no file,
 * nothing is acknowledged or unclaimed for it. */
#define BACKLOG_JOB SIZE_MAX

enum backlog_kind { BL_RETRY, BL_REPROCESS };

struct backlog {
    int64_t *ids;
    size_t n, next;          /* next: the first id not started yet */
    size_t done, ok, failed; /* finished jobs (skipped ids count as failed) */
    int64_t started_ms;
};

/* A backlog job in flight or waiting in the batch, with the id it works on. */
struct backlog_tag {
    intake_job *job;
    enum backlog_kind kind;
    int64_t id;
    struct backlog_tag *next;
};

struct counters {
    uint64_t received, committed, duplicates, dropped, failed, batches, commit_errors;
    uint64_t vanished, changed;
};

typedef struct daemon_state {
    uv_loop_t *loop;
    config *cfg;
    char **watch_real; /* realpath of each watched folder, for symlink checks */
    pipeline *pipe;
    store *st;
    watcher *w;
    ctl_server *ctl;
    feeds *feeds; /* feed polling (NULL when it could not start) */

    uv_signal_t sig_term, sig_int;
    uv_timer_t batch_timer, rescan_timer, retry_timer, settle_timer, stop_timer;

    pathset *claimed; /* full paths pending or in flight */
    pathset *writing; /* full paths modified and not closed yet */
    pathset *warned;  /* full paths already warned about (FIFOs, devices, bad symlinks) */
    struct pending_item *pending_head, *pending_tail;
    size_t pending_n, pending_max;

    size_t workers_busy;
    intake_job *batch_head, *batch_tail;
    size_t batch_n;

    unsigned scans_running;
    bool rescan_wanted;
    bool stopping, finished, paused, commit_blocked;
    unsigned retry_delay_ms;
    char block_reason[600];
    struct counters n;
    int64_t started_ms;
    int exit_code;
    struct backlog retry, reprocess;
    struct backlog_tag *tags;
    bool *watch_off;      /* per cfg->watch entry: removed at run time (`watch rm`) */
    size_t *watch_map;    /* the running watcher's folder i is cfg->watch[watch_map[i]] */
    bool *watch_cfg;      /* per cfg->watch entry: from the config file (else `watch add`) */
    pipeline *retired;    /* the chain before the last reload, freed once drained */
    size_t retired_users; /* jobs still running on it */
    bool reload_again;    /* a reload came while the previous one drained */
    bool watchdog;        /* systemd asked for WATCHDOG=1 pings */
    uint64_t reloads;
    uv_signal_t sig_hup;
    uv_timer_t status_timer;
} daemon_state;

static void admit(daemon_state *d);
static void flush_batch(daemon_state *d);
static void maybe_finish(daemon_state *d);
static void rescan_all(daemon_state *d);
static void settle_timer_cb(uv_timer_t *t);
static bool backlog_start(daemon_state *d);
static void backlog_job_done(daemon_state *d, intake_job *job, int status);
static void backlog_committed(daemon_state *d, intake_job *job);
static void backlog_stop(daemon_state *d);
static void release_retired(daemon_state *d);
static int reload_config(daemon_state *d, char *err, size_t errlen);

static char *join_path(const char *dir, const char *name)
{
    size_t n = strlen(dir) + strlen(name) + 2;
    char *p = xmalloc(n);
    snprintf(p, n, "%s/%s", dir, name);
    return p;
}

static size_t in_flight(const daemon_state *d)
{
    return d->workers_busy + d->batch_n;
}

/* ---- pending queue ---- */

static void enqueue(daemon_state *d, size_t watch_index, const char *name)
{
    if (d->stopping)
        return;
    char *path = join_path(d->cfg->watch[watch_index].path, name);
    if (pathset_has(d->claimed, path)) {
        free(path);
        return;
    }
    if (d->pending_n >= d->pending_max) {
        /* the file waits on disk; a rescan after the queue drains will find it */
        d->rescan_wanted = true;
        free(path);
        return;
    }
    pathset_add(d->claimed, path);
    free(path);
    struct pending_item *it = xmalloc(sizeof *it);
    it->watch_index = watch_index;
    it->name = xstrdup(name);
    it->next = NULL;
    if (d->pending_tail)
        d->pending_tail->next = it;
    else
        d->pending_head = it;
    d->pending_tail = it;
    d->pending_n++;
}

static struct pending_item *dequeue(daemon_state *d)
{
    struct pending_item *it = d->pending_head;
    if (!it)
        return NULL;
    d->pending_head = it->next;
    if (!d->pending_head)
        d->pending_tail = NULL;
    d->pending_n--;
    return it;
}

static void clear_pending(daemon_state *d)
{
    struct pending_item *it;
    while ((it = dequeue(d)) != NULL) {
        char *path = join_path(d->cfg->watch[it->watch_index].path, it->name);
        pathset_remove(d->claimed, path);
        free(path);
        free(it->name);
        free(it);
    }
}

/* ---- acknowledgement ---- */

static int mkdir_p(const char *dir)
{
    char buf[PATH_MAX];
    snprintf(buf, sizeof buf, "%s", dir);
    for (char *p = buf + 1; *p; p++) {
        if (*p == '/') {
            *p = '\0';
            if (mkdir(buf, 0750) != 0 && errno != EEXIST)
                return -errno;
            *p = '/';
        }
    }
    if (mkdir(buf, 0750) != 0 && errno != EEXIST)
        return -errno;
    return 0;
}

/* Move path into dir, keeping its name; a name already taken there gets a ".N" suffix. */
static int move_into(const char *path, const char *dir, char moved_to[PATH_MAX])
{
    bool made_dir = false;
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    char target[PATH_MAX];
    for (int i = 0; i < 1000; i++) {
        if (i == 0)
            snprintf(target, sizeof target, "%s/%s", dir, base);
        else
            snprintf(target, sizeof target, "%s/%s.%d", dir, base, i);
        /* renameat2(RENAME_NOREPLACE) refuses to overwrite an earlier file of the same name */
        if (renameat2(AT_FDCWD, path, AT_FDCWD, target, RENAME_NOREPLACE) == 0) {
            if (moved_to)
                snprintf(moved_to, PATH_MAX, "%s", target);
            return 0;
        }
        if (errno == ENOENT && !made_dir && access(path, F_OK) == 0) {
            /* the folder is missing (first file, or removed since): create it, try again;
             * creating it only then spares the loop ~5 mkdir calls per file */
            int rc = mkdir_p(dir);
            if (rc)
                return rc;
            made_dir = true;
            i--;
            continue;
        }
        if (errno != EEXIST)
            return -errno;
    }
    return -EEXIST;
}

/* Is the file at path (symlinks followed) still the one that was committed? A file renamed over
 * the name, or rewritten in place, after it was read is a new file: it must be taken, not moved
 * away unread (regress_replaced_file_not_lost). */
static bool still_committed_file(const char *path, const store_file_identity *id)
{
    struct stat sb;
    if (!id || stat(path, &sb) != 0)
        return true;
    return (uint64_t)sb.st_dev == id->dev && (uint64_t)sb.st_ino == id->ino &&
           (int64_t)sb.st_size == id->size &&
           (int64_t)sb.st_mtim.tv_sec * 1000000000 + sb.st_mtim.tv_nsec == id->mtime_ns;
}

/* id: the committed identity, to make sure the file was not replaced since (NULL: no check). */
static void acknowledge(daemon_state *d, const char *path, size_t watch_index, bool failed,
                        const store_file_identity *id)
{
    const cfg_watch *w = &d->cfg->watch[watch_index];
    CRASHPOINT("daemon.before_ack");
    if (!still_committed_file(path, id)) {
        log_info("file %s: replaced or rewritten after it was read; the new file is taken next",
                 path);
        d->rescan_wanted = true;
        return;
    }
    int rc = 0;
    char moved[PATH_MAX] = "";
    if (w->after == CFG_AFTER_MOVE || (w->after == CFG_AFTER_DELETE && failed))
        rc = move_into(path, failed ? w->failed_dir : w->done_dir, moved);
    else if (w->after == CFG_AFTER_DELETE)
        rc = unlink(path) == 0 || errno == ENOENT ? 0 : -errno;
    if (rc && rc != -ENOENT)
        log_err("file %s: committed, but cannot move it to %s: %s (it stays in place and is "
                "remembered, not ingested again)",
                path, failed ? w->failed_dir : w->done_dir, strerror(-rc));
    if (rc == 0 && moved[0] && !still_committed_file(moved, id)) {
        /* replaced between the check above and the rename: what was moved is the new file;
         * put it back into the watched folder (under a free name) to be taken */
        char dir[PATH_MAX];
        snprintf(dir, sizeof dir, "%s", path);
        char *slash = strrchr(dir, '/');
        if (slash)
            *slash = '\0';
        int brc = move_into(moved, dir, NULL);
        log_info("file %s: replaced while it was being moved; the new file %s", path,
                 brc ? "stays in the done folder (cannot move it back)" : "is taken next");
        d->rescan_wanted = true;
    }
    CRASHPOINT("daemon.after_ack");
}

/* A file quarantined at start (it crashed the daemon repeatedly): move it like a failure. */
static void quarantine_ack(void *ctx, const char *path)
{
    daemon_state *d = ctx;
    const char *slash = strrchr(path, '/');
    size_t dl = slash ? (size_t)(slash - path) : 0;
    for (size_t i = 0; i < d->cfg->n_watch; i++) {
        if (strlen(d->cfg->watch[i].path) == dl && strncmp(d->cfg->watch[i].path, path, dl) == 0) {
            acknowledge(d, path, i, true, NULL);
            return;
        }
    }
}

/* ---- worker jobs ---- */

static void job_work(uv_work_t *work)
{
    intake_run(work->data);
}

static void unclaim(daemon_state *d, const char *path)
{
    pathset_remove(d->claimed, path);
}

static void batch_timer_cb(uv_timer_t *t)
{
    flush_batch(t->data);
}

static void job_after(uv_work_t *work, int status)
{
    intake_job *job = work->data;
    daemon_state *d = job->work.loop->data;
    d->workers_busy--;
    if (d->retired && job->pipe == d->retired && d->retired_users && --d->retired_users == 0)
        release_retired(d);
    if (job->watch_index == BACKLOG_JOB) {
        backlog_job_done(d, job, status);
        return;
    }
    if (status == UV_ECANCELED || job->outcome == INTAKE_VANISHED ||
        job->outcome == INTAKE_CHANGED) {
        /* nothing entered: the file is gone, or still being written and will be seen again */
        bool changed = job->outcome == INTAKE_CHANGED;
        if (changed)
            d->n.changed++;
        else
            d->n.vanished++;
        d->n.received--;
        unclaim(d, job->path);
        intake_job_free(job);
        /* a file still being written is looked at again once it has settled */
        if (changed && !d->stopping && !uv_is_active((uv_handle_t *)&d->settle_timer))
            uv_timer_start(&d->settle_timer, settle_timer_cb, (uint64_t)d->cfg->settle_ms + 50, 0);
        admit(d);
        maybe_finish(d);
        return;
    }
    job->next = NULL;
    if (d->batch_tail)
        d->batch_tail->next = job;
    else
        d->batch_head = job;
    d->batch_tail = job;
    d->batch_n++;
    if (d->batch_n >= (size_t)d->cfg->batch_max || d->stopping)
        flush_batch(d);
    else if (!uv_is_active((uv_handle_t *)&d->batch_timer))
        uv_timer_start(&d->batch_timer, batch_timer_cb, (uint64_t)d->cfg->batch_ms, 0);
    admit(d);
    maybe_finish(d);
}

/* Decide about one claimed pending file on the loop thread: returns a job to run, or NULL when
 * the file needs no work (gone, not a regular file, already committed). */
static intake_job *prepare_job(daemon_state *d, struct pending_item *it)
{
    const cfg_watch *w = &d->cfg->watch[it->watch_index];
    char *path = join_path(w->path, it->name);
    struct stat st;
    char *open_path = NULL, *refused = NULL;
    if (lstat(path, &st) != 0)
        goto skip;
    if (S_ISLNK(st.st_mode)) {
        char *real = realpath(path, NULL);
        const char *root = d->watch_real[it->watch_index];
        size_t rl = strlen(root);
        struct stat tst;
        if (!real || strncmp(real, root, rl) != 0 || real[rl] != '/' ||
            strchr(real + rl + 1, '/')) {
            size_t n = 200 + (real ? strlen(real) : 0);
            refused = xmalloc(n);
            snprintf(refused, n, "symlink leads out of the watched folder (to %s); not followed",
                     real ? real : "a missing target");
            free(real);
        } else if (stat(real, &tst) != 0 || !S_ISREG(tst.st_mode)) {
            free(real);
            goto skip;
        } else {
            open_path = real;
            st = tst;
        }
    } else if (!S_ISREG(st.st_mode)) {
        if (pathset_add(d->warned, path))
            log_warn("file %s: not a regular file (FIFO, device or socket); ignored", path);
        goto skip;
    }
    if (!refused &&
        store_file_known(d->st, (uint64_t)st.st_dev, (uint64_t)st.st_ino, (int64_t)st.st_size,
                         (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec)) {
        /* committed before (a crash came between commit and acknowledgement, or kept) */
        if (w->after != CFG_AFTER_KEEP)
            acknowledge(d, path, it->watch_index, false, NULL);
        free(open_path);
        goto skip;
    }
    intake_job *job = xcalloc(1, sizeof *job);
    job->path = path;
    job->open_path = open_path;
    job->refused_reason = refused;
    job->source_kind = "file";
    job->encoding = xstrdup(w->encoding);
    job->max_bytes = d->cfg->max_file_bytes;
    job->pipe = d->pipe;
    job->watch_index = it->watch_index;
    job->arrival_ms = intake_now_ms();
    return job;
skip:
    unclaim(d, path);
    free(path);
    return NULL;
}

static void admit(daemon_state *d)
{
    while (!d->stopping && !d->paused && !d->commit_blocked &&
           in_flight(d) < (size_t)d->cfg->queue_max) {
        struct pending_item *it = dequeue(d);
        if (!it)
            break;
        intake_job *job = prepare_job(d, it);
        free(it->name);
        free(it);
        if (!job)
            continue;
        job->work.data = job;
        d->n.received++;
        d->workers_busy++;
        int rc = uv_queue_work(d->loop, &job->work, job_work, job_after);
        if (rc) {
            log_err("cannot queue work: %s", uv_strerror(rc));
            d->workers_busy--;
            d->n.received--;
            unclaim(d, job->path);
            intake_job_free(job);
        }
    }
    while (!d->stopping && !d->paused && !d->commit_blocked &&
           in_flight(d) < (size_t)d->cfg->queue_max && d->pending_n == 0 && backlog_start(d)) {
    }
    if (!d->stopping && d->rescan_wanted && d->pending_n == 0 && d->scans_running == 0)
        rescan_all(d);
}

/* ---- commit ---- */

static void retry_timer_cb(uv_timer_t *t)
{
    flush_batch(t->data);
}

/* A record the store refuses for good (not a full disk) must not block intake forever: commit it
 * as a failure of stage "store", with its original bytes, so nothing is lost. */
static int commit_as_failure(daemon_state *d, intake_job *j, store_item *item, char *err,
                             size_t errlen)
{
    log_err("file %s: the store refused its record: %s; recording it as a failure", j->path, err);
    snprintf(j->fail_reason, sizeof j->fail_reason, "store refused the record: %s", err);
    snprintf(j->fail_stage, sizeof j->fail_stage, "store");
    j->fail_plugin[0] = '\0';
    j->outcome = INTAKE_FAILED;
    intake_store_item(j, item);
    return store_commit_batch(d->st, item, 1, err, errlen);
}

/* The batch failed as a whole with an error other than a full disk: commit item by item (each
 * in its own transaction) so one bad item cannot hold the others back. Returns 0 when every
 * item ended committed (as a record or a failure), else the first lasting error. */
static int commit_one_by_one(daemon_state *d, store_item *items, char *err, size_t errlen)
{
    size_t i = 0;
    for (intake_job *j = d->batch_head; j; j = j->next, i++) {
        int rc = store_commit_batch(d->st, &items[i], 1, err, errlen);
        if (rc == -ENOSPC)
            return rc;
        if (rc)
            rc = commit_as_failure(d, j, &items[i], err, errlen);
        if (rc)
            return rc;
    }
    return 0;
}

static void flush_batch(daemon_state *d)
{
    uv_timer_stop(&d->batch_timer);
    if (d->batch_n == 0)
        return;
    store_item *items = xcalloc(d->batch_n, sizeof *items);
    size_t i = 0;
    for (intake_job *j = d->batch_head; j; j = j->next)
        intake_store_item(j, &items[i++]);
    char err[512];
    int rc = store_commit_batch(d->st, items, d->batch_n, err, sizeof err);
    if (rc && rc != -ENOSPC && d->batch_n > 1)
        rc = commit_one_by_one(d, items, err, sizeof err);
    else if (rc && rc != -ENOSPC)
        rc = commit_as_failure(d, d->batch_head, items, err, sizeof err);
    if (rc) {
        free(items);
        d->n.commit_errors++;
        if (!d->commit_blocked)
            log_err("%s; intake paused, %zu records kept in memory and retried (files stay in "
                    "place)",
                    err, d->batch_n);
        snprintf(d->block_reason, sizeof d->block_reason, "%s", err);
        d->commit_blocked = true;
        d->retry_delay_ms = d->retry_delay_ms ? d->retry_delay_ms * 2 : 500;
        /* capped low: a retry is one failed transaction, and intake resumes soon after space
         * returns */
        if (d->retry_delay_ms > 5000)
            d->retry_delay_ms = 5000;
        if (!d->finished)
            uv_timer_start(&d->retry_timer, retry_timer_cb, d->retry_delay_ms, 0);
        return;
    }
    if (d->commit_blocked)
        log_notice("commit succeeded again; intake resumes");
    d->commit_blocked = false;
    d->retry_delay_ms = 0;
    d->n.batches++;
    CRASHPOINT("daemon.after_commit");
    i = 0;
    intake_job *j = d->batch_head;
    while (j) {
        intake_job *next = j->next;
        store_item *it = &items[i++];
        bool failed = j->outcome == INTAKE_FAILED;
        if (j->outcome == INTAKE_OK && it->was_duplicate)
            d->n.duplicates++;
        else if (j->outcome == INTAKE_OK)
            d->n.committed++;
        else if (j->outcome == INTAKE_DROPPED)
            d->n.dropped++;
        else
            d->n.failed++;
        if (failed)
            log_warn("file %s: failed at %s%s%s: %s", j->path, j->fail_stage,
                     j->fail_plugin[0] ? " in plugin " : "", j->fail_plugin, j->fail_reason);
        if (j->watch_index == BACKLOG_JOB) {
            backlog_committed(d, j);
        } else {
            if (strcmp(j->source_kind, "file") == 0)
                acknowledge(d, j->path, j->watch_index, failed, j->has_file ? &j->ident : NULL);
            unclaim(d, j->path);
        }
        intake_job_free(j);
        j = next;
    }
    free(items);
    d->batch_head = d->batch_tail = NULL;
    d->batch_n = 0;
    admit(d);
    maybe_finish(d);
}

/* ---- watcher and scans ---- */

static void on_watch_event(void *ctx, size_t watch_index, const char *name, watch_event ev)
{
    daemon_state *d = ctx;
    if (d->stopping)
        return;
    watch_index = d->watch_map[watch_index]; /* the watcher's folder i -> its config entry */
    char *path = join_path(d->cfg->watch[watch_index].path, name);
    switch (ev) {
    case WATCH_READY:
        pathset_remove(d->writing, path);
        enqueue(d, watch_index, name);
        admit(d);
        break;
    case WATCH_WRITING:
        if (pathset_count(d->writing) < 100000)
            pathset_add(d->writing, path);
        break;
    case WATCH_GONE:
        pathset_remove(d->writing, path);
        break;
    }
    free(path);
}

static void on_overflow(void *ctx)
{
    daemon_state *d = ctx;
    pathset_free(d->writing); /* what was being written is unknown now: rely on settle_ms */
    d->writing = pathset_new();
    d->rescan_wanted = true;
    admit(d);
}

static void settle_timer_cb(uv_timer_t *t)
{
    rescan_all(t->data);
}

static void on_scan_done(void *ctx, const scan_result *res)
{
    daemon_state *d = ctx;
    d->scans_running--;
    if (d->stopping) {
        maybe_finish(d);
        return;
    }
    const cfg_watch *w = &d->cfg->watch[res->watch_index];
    if (res->error) {
        log_err("scan of %s failed: %s", w->path, strerror(-res->error));
        return;
    }
    int64_t now_ns = intake_now_ms() * 1000000;
    int64_t settle_ns = d->cfg->settle_ms * 1000000;
    bool fresh_seen = false;
    for (size_t i = 0; i < res->n; i++) {
        const scan_entry *e = &res->entries[i];
        char *path = join_path(w->path, e->name);
        bool skip = pathset_has(d->claimed, path) || pathset_has(d->writing, path);
        if (!skip && e->kind == 'o') {
            if (pathset_add(d->warned, path))
                log_warn("file %s: not a regular file (FIFO, device or socket); ignored", path);
            skip = true;
        }
        if (!skip && e->kind == 'f' && w->after == CFG_AFTER_KEEP &&
            store_file_known(d->st, e->dev, e->ino, e->size, e->mtime_ns))
            skip = true; /* kept after an earlier commit */
        if (!skip && e->kind == 'f' && now_ns - e->mtime_ns < settle_ns) {
            fresh_seen = true; /* maybe still being written: look again once it has settled */
            skip = true;
        }
        free(path);
        if (!skip)
            enqueue(d, res->watch_index, e->name);
    }
    if (fresh_seen && !uv_is_active((uv_handle_t *)&d->settle_timer))
        uv_timer_start(&d->settle_timer, settle_timer_cb, (uint64_t)d->cfg->settle_ms + 50, 0);
    admit(d);
}

static void rescan_all(daemon_state *d)
{
    if (d->stopping || d->scans_running)
        return;
    d->rescan_wanted = false;
    for (size_t i = 0; i < d->cfg->n_watch; i++) {
        if (!d->watch_off[i] &&
            watcher_scan(d->loop, i, d->cfg->watch[i].path, on_scan_done, d) == 0)
            d->scans_running++;
    }
}

static void rescan_timer_cb(uv_timer_t *t)
{
    rescan_all(t->data);
}

/* ---- stop ---- */

static void close_handle(uv_handle_t *h)
{
    if (!uv_is_closing(h))
        uv_close(h, NULL);
}

static void maybe_finish(daemon_state *d)
{
    if (!d->stopping || d->finished || d->workers_busy || d->scans_running || !feeds_idle(d->feeds))
        return;
    if (d->batch_n)
        flush_batch(d);
    if (d->batch_n) {
        /* could not commit: the records stay uncommitted, their files stay in place and are
         * taken again at the next start; nothing is lost */
        log_err("stopping with %zu uncommitted records (their files stay in place)", d->batch_n);
        while (d->batch_head) {
            intake_job *next = d->batch_head->next;
            intake_job_free(d->batch_head);
            d->batch_head = next;
        }
        d->batch_n = 0;
        d->exit_code = DAEMON_EXIT_FAILURE;
    }
    d->finished = true;
    log_info("stopped: %llu committed, %llu duplicates, %llu dropped, %llu failed",
             (unsigned long long)d->n.committed, (unsigned long long)d->n.duplicates,
             (unsigned long long)d->n.dropped, (unsigned long long)d->n.failed);
    ctl_server_close(d->ctl);
    d->ctl = NULL;
    close_handle((uv_handle_t *)&d->batch_timer);
    close_handle((uv_handle_t *)&d->rescan_timer);
    close_handle((uv_handle_t *)&d->retry_timer);
    close_handle((uv_handle_t *)&d->settle_timer);
    close_handle((uv_handle_t *)&d->stop_timer);
    close_handle((uv_handle_t *)&d->sig_term);
    close_handle((uv_handle_t *)&d->sig_int);
    close_handle((uv_handle_t *)&d->sig_hup);
    close_handle((uv_handle_t *)&d->status_timer);
}

static void begin_stop(daemon_state *d, const char *why)
{
    if (d->stopping)
        return;
    log_info("stopping (%s): finishing %zu articles in flight", why, in_flight(d));
    d->stopping = true;
    notify_send("STOPPING=1");
    feeds_stop(d->feeds);
    backlog_stop(d);
    watcher_stop(d->w);
    d->w = NULL;
    uv_timer_stop(&d->rescan_timer);
    uv_timer_stop(&d->settle_timer);
    clear_pending(d);
    if (d->commit_blocked) {
        uv_timer_stop(&d->retry_timer);
    }
    maybe_finish(d);
}

static void on_signal(uv_signal_t *h, int signum)
{
    begin_stop(h->data, signum == SIGTERM ? "SIGTERM" : "SIGINT");
}

static void stop_timer_cb(uv_timer_t *t)
{
    begin_stop(t->data, "shutdown command");
}

/* ---- backlog: retry and reprocess ---- */

static const char *static_source_kind(const char *kind)
{
    if (strcmp(kind, "feed") == 0)
        return "feed";
    if (strcmp(kind, "stdin") == 0)
        return "stdin";
    return "file";
}

/* The configured encoding of the watched folder holding path, else "auto": a retried or
 * reprocessed original is decoded the way it was when it arrived. */
static const char *encoding_for_source(const daemon_state *d, const char *path)
{
    for (size_t i = 0; i < d->cfg->n_watch; i++) {
        size_t n = strlen(d->cfg->watch[i].path);
        if (strncmp(path, d->cfg->watch[i].path, n) == 0 && path[n] == '/')
            return d->cfg->watch[i].encoding;
    }
    return "auto";
}

static bool backlog_running(const struct backlog *b)
{
    return b->done < b->n;
}

/* Append ids to b (a finished backlog starts over with fresh counters). */
static void backlog_add(struct backlog *b, const int64_t *ids, size_t n)
{
    if (!backlog_running(b)) {
        free(b->ids);
        memset(b, 0, sizeof *b);
        b->started_ms = intake_now_ms();
    }
    b->ids = xrealloc(b->ids, (b->n + n + 1) * sizeof *b->ids);
    memcpy(b->ids + b->n, ids, n * sizeof *ids);
    b->n += n;
}

static json_t *backlog_json(const struct backlog *b)
{
    return json_pack("{s:b, s:I, s:I, s:I, s:I}", "running", backlog_running(b), "total",
                     (json_int_t)b->n, "done", (json_int_t)b->done, "ok", (json_int_t)b->ok,
                     "failed", (json_int_t)b->failed);
}

static struct backlog_tag *tag_take(daemon_state *d, const intake_job *job)
{
    for (struct backlog_tag **pp = &d->tags; *pp; pp = &(*pp)->next) {
        if ((*pp)->job == job) {
            struct backlog_tag *t = *pp;
            *pp = t->next;
            return t;
        }
    }
    return NULL;
}

/* Start the job for the next waiting id of b; ids whose input is gone are counted as failed
 * and skipped. Returns true when a job was queued. */
static bool backlog_start_one(daemon_state *d, struct backlog *b, enum backlog_kind kind)
{
    while (b->next < b->n) {
        int64_t id = b->ids[b->next++];
        store_failed_job in;
        int rc = kind == BL_RETRY ? store_failure_for_retry(d->st, id, &in)
                                  : store_article_original(d->st, id, &in);
        if (rc != 0) {
            if (rc == -ENODATA)
                store_failed_job_clear(&in);
            log_warn("%s %lld: skipped: %s",
                     kind == BL_RETRY ? "retry of failure" : "reprocess of article", (long long)id,
                     rc == -ENODATA ? "its original bytes were not kept" : strerror(-rc));
            b->done++;
            b->failed++;
            continue;
        }
        intake_job *job = xcalloc(1, sizeof *job);
        job->path = in.source;
        in.source = NULL;
        job->source_kind = static_source_kind(in.source_kind);
        job->encoding = xstrdup(encoding_for_source(d, job->path));
        job->max_bytes = d->cfg->max_file_bytes;
        job->pipe = d->pipe;
        job->given = in.raw;
        job->given_len = in.raw_len;
        in.raw = NULL;
        store_failed_job_clear(&in);
        job->watch_index = BACKLOG_JOB;
        job->arrival_ms = intake_now_ms();
        job->work.data = job;
        struct backlog_tag *t = xcalloc(1, sizeof *t);
        t->job = job;
        t->kind = kind;
        t->id = id;
        t->next = d->tags;
        d->tags = t;
        d->workers_busy++;
        rc = uv_queue_work(d->loop, &job->work, job_work, job_after);
        if (rc) {
            log_err("cannot queue work: %s", uv_strerror(rc));
            d->workers_busy--;
            free(tag_take(d, job));
            intake_job_free(job);
            b->done++;
            b->failed++;
            return false;
        }
        return true;
    }
    return false;
}

/* One more backlog job (retries first). Loop thread; called by admit when there is room. */
static bool backlog_start(daemon_state *d)
{
    return backlog_start_one(d, &d->retry, BL_RETRY) ||
           backlog_start_one(d, &d->reprocess, BL_REPROCESS);
}

static void backlog_finish(daemon_state *d, struct backlog *b, bool ok)
{
    b->done++;
    if (ok)
        b->ok++;
    else
        b->failed++;
    if (!backlog_running(b) && b->n)
        log_notice("%s finished: %zu ok, %zu failed, in %.1f s",
                   b == &d->retry ? "retry" : "reprocess", b->ok, b->failed,
                   (double)(intake_now_ms() - b->started_ms) / 1000.0);
}

/* A retried failure became a record and was committed: remember that it was retried. */
static void backlog_committed(daemon_state *d, intake_job *job)
{
    struct backlog_tag *t = tag_take(d, job);
    if (!t)
        return;
    if (store_mark_retried(d->st, t->id) != 0)
        log_warn("retry of failure %lld: committed, but retried_at could not be set",
                 (long long)t->id);
    log_info("retry of failure %lld: committed", (long long)t->id);
    backlog_finish(d, &d->retry, true);
    free(t);
}

static void backlog_job_done(daemon_state *d, intake_job *job, int status)
{
    struct backlog_tag *t = tag_take(d, job);
    bool ok = status != UV_ECANCELED && job->outcome == INTAKE_OK;
    if (t && t->kind == BL_RETRY && ok) {
        /* commit with the next batch; counted once committed (backlog_committed) */
        t->next = d->tags;
        d->tags = t;
        job->next = NULL;
        if (d->batch_tail)
            d->batch_tail->next = job;
        else
            d->batch_head = job;
        d->batch_tail = job;
        d->batch_n++;
        d->n.received++;
        if (d->batch_n >= (size_t)d->cfg->batch_max || d->stopping)
            flush_batch(d);
        else if (!uv_is_active((uv_handle_t *)&d->batch_timer))
            uv_timer_start(&d->batch_timer, batch_timer_cb, (uint64_t)d->cfg->batch_ms, 0);
        admit(d);
        maybe_finish(d);
        return;
    }
    if (t && t->kind == BL_RETRY) {
        /* failed (or dropped) again: the failure stays, marked as retried; no new row */
        store_mark_retried(d->st, t->id);
        if (job->outcome == INTAKE_DROPPED)
            log_warn("retry of failure %lld: dropped by plugin %s", (long long)t->id,
                     job->fail_plugin);
        else
            log_warn("retry of failure %lld: failed again at %s%s%s: %s", (long long)t->id,
                     job->fail_stage, job->fail_plugin[0] ? " in plugin " : "", job->fail_plugin,
                     job->fail_reason);
        backlog_finish(d, &d->retry, false);
    } else if (t) {
        char err[512] = "";
        int rc = ok ? store_update_article(d->st, t->id, job->rec, err, sizeof err) : -ECANCELED;
        if (rc && ok)
            log_err("reprocess of article %lld: %s", (long long)t->id, err);
        else if (rc)
            log_warn(
                "reprocess of article %lld: the chain now %s it (%s%s%s); the stored article is "
                "kept as it was",
                (long long)t->id, job->outcome == INTAKE_DROPPED ? "drops" : "fails",
                job->fail_stage, job->fail_plugin[0] ? " " : "", job->fail_plugin);
        backlog_finish(d, &d->reprocess, rc == 0);
    }
    free(t);
    intake_job_free(job);
    admit(d);
    maybe_finish(d);
}

/* Stop starting backlog jobs (those in flight finish). */
static void backlog_stop(daemon_state *d)
{
    struct backlog *all[] = {&d->retry, &d->reprocess};
    for (size_t i = 0; i < 2; i++) {
        size_t left = all[i]->n - all[i]->next;
        all[i]->n = all[i]->next;
        if (left)
            log_notice("%s: %zu not started, left for later", i == 0 ? "retry" : "reprocess", left);
    }
}

/* ---- watch folders at run time ---- */

/* (Re)start the watcher over every folder not removed; events are lost while it restarts, so
 * a rescan follows. */
static int restart_watcher(daemon_state *d, char *err, size_t errlen)
{
    size_t n = d->cfg->n_watch;
    char **dirs = xcalloc(n ? n : 1, sizeof(char *));
    size_t *map = xcalloc(n ? n : 1, sizeof(size_t));
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (d->watch_off[i])
            continue;
        map[k] = i;
        dirs[k++] = d->cfg->watch[i].path;
    }
    watcher_callbacks cbs = {.on_event = on_watch_event, .on_overflow = on_overflow, .ctx = d};
    watcher *w = NULL;
    int rc = watcher_start(d->loop, dirs, k, &cbs, &w, err, errlen);
    free(dirs);
    if (rc) {
        free(map);
        return rc;
    }
    if (d->w)
        watcher_stop(d->w);
    d->w = w;
    free(d->watch_map);
    d->watch_map = map;
    return 0;
}

/* Append a folder to cfg->watch (done/failed folders inside it, like a config entry without
 * done_dir/failed_dir). Returns its index. */
static size_t append_watch(daemon_state *d, const char *path, cfg_after after)
{
    config *cfg = d->cfg;
    size_t i = cfg->n_watch;
    cfg->watch = xrealloc(cfg->watch, (i + 1) * sizeof *cfg->watch);
    d->watch_real = xrealloc(d->watch_real, (i + 1) * sizeof *d->watch_real);
    d->watch_off = xrealloc(d->watch_off, (i + 1) * sizeof *d->watch_off);
    d->watch_cfg = xrealloc(d->watch_cfg, (i + 1) * sizeof *d->watch_cfg);
    d->watch_cfg[i] = false;
    cfg_watch *w = &cfg->watch[i];
    memset(w, 0, sizeof *w);
    w->path = xstrdup(path);
    w->after = after;
    size_t n = strlen(path) + 8;
    w->done_dir = xmalloc(n);
    snprintf(w->done_dir, n, "%s/done", path);
    w->failed_dir = xmalloc(n);
    snprintf(w->failed_dir, n, "%s/failed", path);
    w->encoding = xstrdup("auto");
    d->watch_real[i] = realpath(path, NULL);
    if (!d->watch_real[i])
        d->watch_real[i] = xstrdup(path);
    d->watch_off[i] = false;
    cfg->n_watch = i + 1;
    return i;
}

static const char *const after_names[] = {"move", "keep", "delete"};

static int after_from_name(const char *s, cfg_after *out)
{
    for (int i = 0; i < 3; i++) {
        if (strcmp(s, after_names[i]) == 0) {
            *out = (cfg_after)i;
            return 0;
        }
    }
    return -EINVAL;
}

/* The entry watching `real` (a realpath), or -1. */
static long find_watch(const daemon_state *d, const char *real)
{
    for (size_t i = 0; i < d->cfg->n_watch; i++)
        if (!d->watch_off[i] && strcmp(d->watch_real[i], real) == 0)
            return (long)i;
    return -1;
}

/* Folders added with `watch add` in an earlier run: watch them again (a folder that is gone
 * now is reported and skipped; it stays listed until `watch rm`). */
static void load_runtime_watches(daemon_state *d)
{
    json_t *list = store_watch_list(d->st);
    size_t i;
    json_t *row;
    json_array_foreach(list, i, row)
    {
        const char *path = json_string_value(json_object_get(row, "path"));
        const char *after = json_string_value(json_object_get(row, "after"));
        cfg_after a = CFG_AFTER_MOVE;
        struct stat st;
        char *real = path ? realpath(path, NULL) : NULL;
        if (!real || stat(real, &st) != 0 || !S_ISDIR(st.st_mode)) {
            log_warn(
                "runtime watch folder %s: %s; not watched (remove it with 'ingestctl watch rm')",
                path ? path : "?", "no such directory");
        } else if (find_watch(d, real) >= 0) {
            log_info("runtime watch folder %s is also in the config file", path);
        } else {
            after_from_name(after ? after : "move", &a);
            append_watch(d, path, a);
        }
        free(real);
    }
    json_decref(list);
}

static json_t *watch_command(daemon_state *d, json_t *req)
{
    const char *op = json_string_value(json_object_get(req, "op"));
    const char *path = json_string_value(json_object_get(req, "path"));
    if (!op || strcmp(op, "ls") == 0) {
        json_t *configured = json_array();
        for (size_t i = 0; i < d->cfg->n_watch; i++) {
            if (d->watch_off[i] || !d->watch_cfg[i])
                continue;
            json_array_append_new(configured,
                                  json_pack("{s:s, s:s}", "path", d->cfg->watch[i].path, "after",
                                            after_names[d->cfg->watch[i].after]));
        }
        json_t *stored = store_watch_list(d->st), *row;
        size_t k;
        json_array_foreach(stored, k, row)
        {
            const char *p = json_string_value(json_object_get(row, "path"));
            char *real = p ? realpath(p, NULL) : NULL;
            long i = real ? find_watch(d, real) : -1;
            json_object_set_new(row, "watched", json_boolean(i >= 0 && !d->watch_cfg[i]));
            free(real);
        }
        return json_pack("{s:b, s:o, s:o}", "ok", 1, "config", configured, "runtime",
                         stored ? stored : json_array());
    }
    if (!path || path[0] != '/')
        return ctl_error("watch %s: expected an absolute folder path", op);
    char err[512] = "";
    if (strcmp(op, "add") == 0) {
        cfg_after after = CFG_AFTER_MOVE;
        const char *an = json_string_value(json_object_get(req, "after"));
        if (an && after_from_name(an, &after) != 0)
            return ctl_error("watch add: \"after\" must be move, keep or delete, not \"%s\"", an);
        struct stat st;
        char *real = realpath(path, NULL);
        if (!real || stat(real, &st) != 0 || !S_ISDIR(st.st_mode)) {
            free(real);
            return ctl_error("watch add: %s: no such directory", path);
        }
        long existing = find_watch(d, real);
        free(real);
        if (existing >= 0)
            return ctl_error("watch add: %s is already watched%s", path,
                             d->watch_cfg[existing] ? " (config file)" : "");
        int rc = store_watch_add(d->st, path, after_names[after], err, sizeof err);
        if (rc && rc != -EEXIST)
            return ctl_error("watch add: %s", err);
        size_t i = append_watch(d, path, after);
        rc = restart_watcher(d, err, sizeof err);
        if (rc) {
            d->watch_off[i] = true;
            store_watch_remove(d->st, path, NULL, 0);
            return ctl_error("watch add: %s", err);
        }
        log_notice("watching %s (added at run time, after commit: %s)", path, after_names[after]);
        d->rescan_wanted = true;
        admit(d);
        return json_pack("{s:b, s:s}", "ok", 1, "added", path);
    }
    if (strcmp(op, "rm") == 0) {
        char *real = realpath(path, NULL);
        long i = find_watch(d, real ? real : path);
        free(real);
        if (i >= 0 && d->watch_cfg[i])
            return ctl_error("watch rm: %s comes from the config file %s; edit it there", path,
                             d->cfg->file);
        int rc = store_watch_remove(d->st, path, err, sizeof err);
        if (rc == -ENOENT && i < 0)
            return ctl_error("watch rm: %s is not a runtime watch folder", path);
        if (rc && rc != -ENOENT)
            return ctl_error("watch rm: %s", err);
        if (i >= 0) {
            d->watch_off[i] = true;
            rc = restart_watcher(d, err, sizeof err);
            if (rc)
                log_err("watch rm: restarting the watcher: %s", err);
            d->rescan_wanted = true;
            admit(d);
        }
        log_notice("no longer watching %s", path);
        return json_pack("{s:b, s:s}", "ok", 1, "removed", path);
    }
    return ctl_error("watch: unknown operation \"%s\" (ls, add, rm)", op);
}

/* ---- control ---- */

static json_t *counters_json(daemon_state *d)
{
    return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "received",
                     (json_int_t)d->n.received, "committed", (json_int_t)d->n.committed,
                     "duplicates", (json_int_t)d->n.duplicates, "dropped", (json_int_t)d->n.dropped,
                     "failed", (json_int_t)d->n.failed, "in_flight", (json_int_t)in_flight(d),
                     "queue_depth", (json_int_t)d->pending_n, "queue_max",
                     (json_int_t)d->cfg->queue_max, "batches", (json_int_t)d->n.batches,
                     "commit_errors", (json_int_t)d->n.commit_errors, "rescheduled",
                     (json_int_t)d->n.changed);
}

static const char *state_name(const daemon_state *d)
{
    if (d->stopping)
        return "stopping";
    if (d->commit_blocked)
        return "blocked";
    if (d->paused)
        return "paused";
    return "running";
}

static int request_int(json_t *req, const char *key, int def, int min, int max)
{
    json_t *v = json_object_get(req, key);
    if (!json_is_integer(v))
        return def;
    json_int_t n = json_integer_value(v);
    return n < min ? min : n > max ? max : (int)n;
}

/* feed ls | add URL [interval_s] | rm URL | poll URL */
static json_t *feed_command(daemon_state *d, json_t *req)
{
    const char *op = json_string_value(json_object_get(req, "op"));
    const char *url = json_string_value(json_object_get(req, "url"));
    if (!d->feeds)
        return ctl_error("feed: feed polling is not running (see the log)");
    if (!op || strcmp(op, "ls") == 0)
        return json_pack("{s:b, s:o, s:o}", "ok", 1, "feeds", feeds_list(d->feeds), "stats",
                         feeds_stats(d->feeds));
    if (!url || !*url)
        return ctl_error("feed %s: expected a URL", op);
    char err[512] = "";
    if (strcmp(op, "add") == 0) {
        json_t *iv = json_object_get(req, "interval_s");
        json_int_t interval = json_is_integer(iv) ? json_integer_value(iv) : 0;
        if (interval < 0 || interval > 604800)
            return ctl_error("feed add: interval_s must be 1..604800");
        json_t *feed = NULL;
        int rc = feeds_add(d->feeds, url, (int64_t)interval, &feed, err, sizeof err);
        if (rc)
            return ctl_error("feed add %s: %s", url, err[0] ? err : strerror(-rc));
        return json_pack("{s:b, s:o}", "ok", 1, "feed", feed);
    }
    if (strcmp(op, "rm") == 0 || strcmp(op, "poll") == 0) {
        bool rm = op[0] == 'r';
        int rc = rm ? feeds_remove(d->feeds, url) : feeds_poll_now(d->feeds, url);
        if (rc == -ENOENT)
            return ctl_error("feed %s: no feed %s (see feed ls)", op, url);
        if (rc)
            return ctl_error("feed %s %s: %s", op, url, strerror(-rc));
        return json_pack("{s:b, s:s, s:s}", "ok", 1, "url", url, "state",
                         rm ? "removed" : "poll requested");
    }
    return ctl_error("feed: unknown operation \"%s\" (ls, add URL, rm URL, poll URL)", op);
}

static void feeds_idle_cb(void *ctx)
{
    maybe_finish(ctx);
}

/* Start feed polling: the configured feeds and those added at run time (kept in the store). */
static int start_feeds(daemon_state *d, char *err, size_t errlen)
{
    const config *cfg = d->cfg;
    const char **urls = xcalloc(cfg->n_feeds ? cfg->n_feeds : 1, sizeof *urls);
    int64_t *intervals = xcalloc(cfg->n_feeds ? cfg->n_feeds : 1, sizeof *intervals);
    for (size_t i = 0; i < cfg->n_feeds; i++) {
        urls[i] = cfg->feeds[i].url;
        intervals[i] = cfg->feeds[i].interval_s;
    }
    feeds_options fo = {.interval_s = cfg->feed_interval_s,
                        .max_body_bytes = cfg->feed_max_body_bytes,
                        .per_host = cfg->feed_per_host,
                        .timeout_s = cfg->feed_timeout_s,
                        .start_jitter_s = cfg->feed_start_jitter_s,
                        .max_in_flight = cfg->feed_max_in_flight,
                        .config_urls = urls,
                        .config_intervals = intervals,
                        .n_config = cfg->n_feeds,
                        .on_idle = feeds_idle_cb,
                        .ctx = d};
    int rc = feeds_start(d->loop, d->st, &d->pipe, &fo, &d->feeds, err, errlen);
    free(urls);
    free(intervals);
    return rc;
}

/* ---- reload (SIGHUP, `reload`) and systemd status ---- */

static uint64_t monotonic_usec(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/* The previous plugin chain is freed once no job runs on it any more. */
static void release_retired(daemon_state *d)
{
    if (!d->retired || d->retired_users || !feeds_idle(d->feeds))
        return;
    pipeline_free(d->retired);
    d->retired = NULL;
    log_info("reload: the previous plugin chain is released");
    if (d->reload_again) {
        char err[1024];
        d->reload_again = false;
        if (reload_config(d, err, sizeof err) < 0)
            log_err("reload refused: %s; the running configuration stays", err);
    }
}

static bool same_watch(const cfg_watch *a, const cfg_watch *b)
{
    return strcmp(a->path, b->path) == 0 && a->after == b->after &&
           strcmp(a->done_dir, b->done_dir) == 0 && strcmp(a->failed_dir, b->failed_dir) == 0 &&
           strcmp(a->encoding, b->encoding) == 0;
}

/* Bring the config file's folders in line with nc: a folder no longer listed is no longer
 * watched, a new one is. Returns true when something changed. */
static bool reload_watches(daemon_state *d, const config *nc)
{
    bool changed = false;
    size_t n_before = d->cfg->n_watch;
    for (size_t i = 0; i < n_before; i++) {
        if (d->watch_off[i] || !d->watch_cfg[i])
            continue;
        bool kept = false;
        for (size_t k = 0; k < nc->n_watch && !kept; k++)
            kept = same_watch(&d->cfg->watch[i], &nc->watch[k]);
        if (!kept) {
            d->watch_off[i] = true;
            changed = true;
            log_notice("reload: no longer watching %s", d->cfg->watch[i].path);
        }
    }
    for (size_t k = 0; k < nc->n_watch; k++) {
        bool present = false;
        for (size_t i = 0; i < d->cfg->n_watch && !present; i++)
            present =
                !d->watch_off[i] && d->watch_cfg[i] && same_watch(&d->cfg->watch[i], &nc->watch[k]);
        if (present)
            continue;
        char *real = realpath(nc->watch[k].path, NULL);
        long rt = real ? find_watch(d, real) : -1;
        free(real);
        if (rt >= 0) /* a runtime folder now in the config file: the file's settings win */
            d->watch_off[rt] = true;
        size_t i = append_watch(d, nc->watch[k].path, nc->watch[k].after);
        cfg_watch *w = &d->cfg->watch[i];
        free(w->done_dir);
        free(w->failed_dir);
        free(w->encoding);
        w->done_dir = xstrdup(nc->watch[k].done_dir);
        w->failed_dir = xstrdup(nc->watch[k].failed_dir);
        w->encoding = xstrdup(nc->watch[k].encoding);
        d->watch_cfg[i] = true;
        changed = true;
        log_notice("reload: watching %s", w->path);
    }
    return changed;
}

#define SWAP(a, b)                                                                                 \
    do {                                                                                           \
        __typeof__(a) tmp_ = (a);                                                                  \
        (a) = (b);                                                                                 \
        (b) = tmp_;                                                                                \
    } while (0)

/* Re-read the config file; on success the new plugin chain, settings and folders are in use.
 * A config that does not load, or a chain that does not build, changes nothing: -EINVAL and
 * the reason in err. A reload while the previous chain still drains is done once it has
 * drained (-EINPROGRESS). */
static int reload_config(daemon_state *d, char *err, size_t errlen)
{
    if (d->stopping) {
        snprintf(err, errlen, "the daemon is stopping");
        return -ECANCELED;
    }
    if (d->retired) {
        d->reload_again = true;
        snprintf(err, errlen, "the previous reload is still draining; this one follows it");
        return -EINPROGRESS;
    }
    config *nc = NULL;
    if (config_load(d->cfg->file, &nc, err, errlen) != 0)
        return -EINVAL;
    pipeline *np = NULL;
    if (pipeline_build(nc, &np, err, errlen) != 0) {
        config_free(nc);
        return -EINVAL;
    }
    char msg[128];
    snprintf(msg, sizeof msg, "RELOADING=1\nMONOTONIC_USEC=%llu\nSTATUS=reloading",
             (unsigned long long)monotonic_usec());
    notify_send(msg);
    config *c = d->cfg;
    char restart[256] = "";
    if (strcmp(c->database, nc->database) != 0)
        strcat(restart, " database");
    if (strcmp(c->control_socket, nc->control_socket) != 0)
        strcat(restart, " control_socket");
    if (strcmp(c->synchronous, nc->synchronous) != 0)
        strcat(restart, " synchronous");
    if (c->workers != nc->workers)
        strcat(restart, " workers");
    SWAP(c->plugins, nc->plugins);
    SWAP(c->n_plugins, nc->n_plugins);
    SWAP(c->plugin_dirs, nc->plugin_dirs);
    SWAP(c->n_plugin_dirs, nc->n_plugin_dirs);
    SWAP(c->plugin_trust, nc->plugin_trust);
    SWAP(c->log_level, nc->log_level);
    c->plugin_timeout_ms = nc->plugin_timeout_ms;
    c->queue_max = nc->queue_max;
    c->batch_max = nc->batch_max;
    c->batch_ms = nc->batch_ms;
    c->max_file_bytes = nc->max_file_bytes;
    c->settle_ms = nc->settle_ms;
    if (c->rescan_interval_s != nc->rescan_interval_s) {
        c->rescan_interval_s = nc->rescan_interval_s;
        uv_timer_stop(&d->rescan_timer);
        if (c->rescan_interval_s > 0)
            uv_timer_start(&d->rescan_timer, rescan_timer_cb, (uint64_t)c->rescan_interval_s * 1000,
                           (uint64_t)c->rescan_interval_s * 1000);
    }
    log_set_level(log_level_from_name(c->log_level));
    if (reload_watches(d, nc)) {
        char werr[512];
        if (restart_watcher(d, werr, sizeof werr) != 0)
            log_err("reload: restarting the watcher: %s", werr);
        d->rescan_wanted = true;
    }
    config_free(nc);
    d->retired = d->pipe;
    d->retired_users = d->workers_busy;
    d->pipe = np;
    /* a crash inside a newly loaded plugin must be attributed to it */
    quarantine_refresh_modules();
    d->reloads++;
    log_notice("reloaded %s: %zu plugins%s%s", c->file, pipeline_size(np),
               restart[0] ? "; needs a restart to change:" : "", restart);
    snprintf(err, errlen, "%s", restart[0] ? restart + 1 : "");
    notify_send("READY=1\nSTATUS=reloaded");
    release_retired(d);
    admit(d);
    return 0;
}

static void on_sighup(uv_signal_t *h, int signum)
{
    daemon_state *d = h->data;
    char err[1024];
    log_notice("SIGHUP: reloading the configuration");
    int rc = reload_config(d, err, sizeof err);
    if (rc == -EINPROGRESS)
        log_notice("reload: %s", err);
    else if (rc < 0)
        log_err("reload refused: %s; the running configuration stays", err);
}

static json_t *reload_command(daemon_state *d)
{
    char err[1024] = "";
    int rc = reload_config(d, err, sizeof err);
    if (rc == -EINPROGRESS)
        return json_pack("{s:b, s:b, s:s}", "ok", 1, "queued", 1, "message", err);
    if (rc < 0)
        return ctl_error("reload refused: %s; the running configuration stays", err);
    json_t *reply = json_pack("{s:b, s:I}", "ok", 1, "plugins", (json_int_t)pipeline_size(d->pipe));
    if (err[0])
        json_object_set_new(reply, "needs_restart", json_string(err));
    return reply;
}

/* Every few seconds: STATUS= for systemctl status, the watchdog ping, and releasing a drained
 * previous plugin chain. */
static void status_timer_cb(uv_timer_t *t)
{
    daemon_state *d = t->data;
    char msg[256];
    int n = snprintf(
        msg, sizeof msg,
        "STATUS=%s: %llu committed, %llu duplicates, %llu failed, queue %zu, in flight "
        "%zu",
        state_name(d), (unsigned long long)d->n.committed, (unsigned long long)d->n.duplicates,
        (unsigned long long)d->n.failed, d->pending_n, in_flight(d));
    if (d->watchdog && n > 0 && (size_t)n < sizeof msg - 12)
        strcat(msg, "\nWATCHDOG=1");
    notify_send(msg);
    release_retired(d);
}

/* The status timer's period: half the watchdog interval when systemd asks for one ($WATCHDOG_USEC
 * for this pid), else 5 s. */
static uint64_t status_period_ms(daemon_state *d)
{
    const char *usec = getenv("WATCHDOG_USEC");
    const char *pid = getenv("WATCHDOG_PID");
    d->watchdog = false;
    if (usec && (!pid || strtoll(pid, NULL, 10) == (long long)getpid())) {
        long long u = strtoll(usec, NULL, 10);
        if (u > 0) {
            d->watchdog = true;
            uint64_t half = (uint64_t)u / 2000;
            return half < 5000 ? (half ? half : 1) : 5000;
        }
    }
    return 5000;
}

static json_t *handle_request(void *ctx, const char *cmd, json_t *req)
{
    daemon_state *d = ctx;
    if (strcmp(cmd, "status") == 0) {
        json_t *watch = json_array();
        for (size_t i = 0; i < d->cfg->n_watch; i++) {
            const cfg_watch *w = &d->cfg->watch[i];
            static const char *const after[] = {"move", "keep", "delete"};
            json_array_append_new(
                watch, json_pack("{s:s, s:s}", "path", w->path, "after", after[w->after]));
        }
        json_t *plugins = json_array();
        for (size_t i = 0; i < d->cfg->n_plugins; i++)
            json_array_append_new(plugins, json_string(d->cfg->plugins[i].name));
        json_t *reply = json_pack(
            "{s:b, s:s, s:i, s:I, s:I, s:s, s:s, s:s, s:s, s:o, s:o, s:I, s:I, s:I, s:I}", "ok", 1,
            "version", INGESTD_VERSION, "protocol", CTL_PROTOCOL_VERSION, "pid",
            (json_int_t)getpid(), "uptime_s",
            (json_int_t)((intake_now_ms() - d->started_ms) / 1000), "state", state_name(d),
            "config", d->cfg->file, "database", d->cfg->database, "control_socket",
            d->cfg->control_socket, "watch", watch, "plugins", plugins, "workers",
            (json_int_t)d->cfg->workers, "queue_depth", (json_int_t)d->pending_n, "in_flight",
            (json_int_t)in_flight(d), "queue_max", (json_int_t)d->cfg->queue_max);
        if (d->commit_blocked)
            json_object_set_new(reply, "blocked_reason", json_string(d->block_reason));
        json_object_set_new(reply, "retry", backlog_json(&d->retry));
        json_object_set_new(reply, "reprocess", backlog_json(&d->reprocess));
        json_t *totals = store_totals(d->st);
        if (totals)
            json_object_set_new(reply, "totals", totals);
        return reply;
    }
    if (strcmp(cmd, "stats") == 0) {
        json_t *reply = counters_json(d);
        json_object_set_new(reply, "ok", json_true());
        json_object_set_new(reply, "plugins", pipeline_stats(d->pipe));
        return reply;
    }
    if (strcmp(cmd, "recent") == 0) {
        json_t *arts = store_recent(d->st, request_int(req, "n", 10, 1, 1000));
        if (!arts)
            return ctl_error("recent: database query failed");
        return json_pack("{s:b, s:o}", "ok", 1, "articles", arts);
    }
    if (strcmp(cmd, "get") == 0) {
        const char *uid = json_string_value(json_object_get(req, "uid"));
        if (!uid || !*uid)
            return ctl_error("get: missing \"uid\"");
        json_t *art = store_get(d->st, uid, json_is_true(json_object_get(req, "raw")));
        if (!art)
            return ctl_error("get: no article with uid \"%s\" (or the prefix is ambiguous)", uid);
        return json_pack("{s:b, s:o}", "ok", 1, "article", art);
    }
    if (strcmp(cmd, "failures") == 0) {
        json_t *f = store_failures(d->st, request_int(req, "n", 20, 1, 1000));
        if (!f)
            return ctl_error("failures: database query failed");
        return json_pack("{s:b, s:o}", "ok", 1, "failures", f);
    }
    if (strcmp(cmd, "plugins") == 0) {
        json_t *pl = pipeline_stats(d->pipe);
        size_t i;
        json_t *p;
        json_array_foreach(pl, i, p)
        {
            json_object_set_new(p, "order", json_integer((json_int_t)i + 1));
        }
        return json_pack("{s:b, s:o}", "ok", 1, "plugins", pl);
    }
    if (strcmp(cmd, "search") == 0) {
        const char *q = json_string_value(json_object_get(req, "query"));
        if (!q)
            return ctl_error("search: missing \"query\"");
        json_t *mark = json_object_get(req, "mark");
        const char *mo = json_string_value(json_array_get(mark, 0));
        const char *mc = json_string_value(json_array_get(mark, 1));
        json_t *res = NULL;
        char err[512] = "";
        int rc = store_search(d->st, q, json_is_true(json_object_get(req, "raw")),
                              request_int(req, "n", 20, 1, 1000), mo, mc, &res, err, sizeof err);
        if (rc)
            return ctl_error("search: %s", err);
        return json_pack("{s:b, s:o}", "ok", 1, "results", res);
    }
    if (strcmp(cmd, "export") == 0) {
        json_t *after = json_object_get(req, "after");
        int64_t after_id = json_is_integer(after) ? (int64_t)json_integer_value(after) : 0;
        int n = request_int(req, "n", 500, 1, 5000);
        json_t *page =
            store_export_page(d->st, after_id, json_string_value(json_object_get(req, "since")),
                              json_string_value(json_object_get(req, "lang")), n);
        if (!page)
            return ctl_error("export: database query failed");
        size_t got = json_array_size(page);
        json_t *next = (int)got == n
                           ? json_deep_copy(json_object_get(json_array_get(page, got - 1), "id"))
                           : json_null();
        return json_pack("{s:b, s:o, s:o}", "ok", 1, "articles", page, "next", next);
    }
    if (strcmp(cmd, "retry") == 0) {
        if (d->stopping)
            return ctl_error("retry: the daemon is stopping");
        size_t n = 0;
        if (json_is_true(json_object_get(req, "all"))) {
            int64_t after = 0, chunk[512];
            size_t got;
            while ((got = store_unretried_failures(d->st, after, chunk, 512)) > 0) {
                backlog_add(&d->retry, chunk, got);
                n += got;
                after = chunk[got - 1];
            }
        } else {
            json_t *idv = json_object_get(req, "id");
            if (!json_is_integer(idv))
                return ctl_error("retry: expected \"id\" (a failure id) or \"all\": true");
            int64_t id = (int64_t)json_integer_value(idv);
            store_failed_job f;
            int rc = store_failure_for_retry(d->st, id, &f);
            if (rc == -ENODATA)
                store_failed_job_clear(&f);
            if (rc == -ENOENT)
                return ctl_error("retry: no failure with id %lld", (long long)id);
            if (rc == -ENODATA)
                return ctl_error("retry: failure %lld has no stored original bytes", (long long)id);
            if (rc)
                return ctl_error("retry: database query failed");
            store_failed_job_clear(&f);
            backlog_add(&d->retry, &id, 1);
            n = 1;
        }
        admit(d);
        json_t *reply = json_pack("{s:b, s:I}", "ok", 1, "queued", (json_int_t)n);
        json_object_set_new(reply, "retry", backlog_json(&d->retry));
        return reply;
    }
    if (strcmp(cmd, "reprocess") == 0) {
        if (d->stopping)
            return ctl_error("reprocess: the daemon is stopping");
        if (backlog_running(&d->reprocess))
            return ctl_error("reprocess: one is already running (%zu of %zu done)",
                             d->reprocess.done, d->reprocess.n);
        const char *since = json_string_value(json_object_get(req, "since"));
        if (!since && !json_is_true(json_object_get(req, "all")))
            return ctl_error("reprocess: expected \"since\" (a time) or \"all\": true");
        int64_t after = 0, chunk[512];
        size_t got, n = 0;
        while ((got = store_article_ids(d->st, after, since, chunk, 512)) > 0) {
            backlog_add(&d->reprocess, chunk, got);
            n += got;
            after = chunk[got - 1];
        }
        log_notice("reprocess of %zu stored articles started%s%s", n, since ? " (since " : "",
                   since ? since : "");
        admit(d);
        json_t *reply = json_pack("{s:b, s:I}", "ok", 1, "queued", (json_int_t)n);
        json_object_set_new(reply, "reprocess", backlog_json(&d->reprocess));
        return reply;
    }
    if (strcmp(cmd, "watch") == 0)
        return watch_command(d, req);
    if (strcmp(cmd, "reload") == 0)
        return reload_command(d);
    if (strcmp(cmd, "feed") == 0)
        return feed_command(d, req);
    if (strcmp(cmd, "pause") == 0) {
        d->paused = true;
        log_notice("intake paused by control command");
        return json_pack("{s:b, s:s}", "ok", 1, "state", state_name(d));
    }
    if (strcmp(cmd, "resume") == 0) {
        if (d->paused)
            log_notice("intake resumed by control command");
        d->paused = false;
        admit(d);
        return json_pack("{s:b, s:s}", "ok", 1, "state", state_name(d));
    }
    if (strcmp(cmd, "shutdown") == 0) {
        /* answer first; stop on the next loop turn, after the reply is written */
        uv_timer_start(&d->stop_timer, stop_timer_cb, 10, 0);
        return json_pack("{s:b, s:s}", "ok", 1, "state", "stopping");
    }
    return ctl_error("unknown command \"%s\" (commands: status, stats, plugins, recent, get, "
                     "search, export, failures, retry, reprocess, watch, reload, pause, resume, "
                     "shutdown)",
                     cmd);
}

/* ---- start ---- */

static void fail_start(const char *msg)
{
    fprintf(stderr, "ingestd: %s\n", msg);
}

int daemon_run(const char *config_path)
{
    char err[1024];
    config *cfg = NULL;
    if (config_load(config_path, &cfg, err, sizeof err) != 0) {
        fail_start(err);
        return DAEMON_EXIT_CONFIG;
    }
    log_set_level(log_level_from_name(cfg->log_level));
    crashpoint_init();
    /* the threadpool size is read when the first work is queued */
    char nthreads[32];
    snprintf(nthreads, sizeof nthreads, "%lld", (long long)cfg->workers + 1);
    setenv("UV_THREADPOOL_SIZE", nthreads, 1);

    daemon_state *d = xcalloc(1, sizeof *d);
    d->cfg = cfg;
    d->exit_code = DAEMON_EXIT_OK;
    d->started_ms = intake_now_ms();
    d->loop = uv_default_loop();
    d->loop->data = d;
    d->claimed = pathset_new();
    d->writing = pathset_new();
    d->warned = pathset_new();
    /* names waiting for a worker: ~150 bytes each, so 64k of them cost ~10 MB; beyond that the
     * files wait on disk and a rescan finds them once the queue has drained */
    d->pending_max = (size_t)cfg->queue_max * 16 > 65536 ? (size_t)cfg->queue_max * 16 : 65536;
    int code = DAEMON_EXIT_OK;

    d->watch_real = xcalloc(cfg->n_watch ? cfg->n_watch : 1, sizeof(char *));
    for (size_t i = 0; i < cfg->n_watch; i++) {
        d->watch_real[i] = realpath(cfg->watch[i].path, NULL);
        if (!d->watch_real[i])
            d->watch_real[i] = xstrdup(cfg->watch[i].path);
    }

    if (pipeline_build(cfg, &d->pipe, err, sizeof err) != 0) {
        fail_start(err);
        code = DAEMON_EXIT_CONFIG;
        goto out;
    }
    store_options sopt = {.synchronous_full = strcmp(cfg->synchronous, "full") == 0};
    if (store_open(cfg->database, &sopt, &d->st, err, sizeof err) != 0) {
        fail_start(err);
        code = DAEMON_EXIT_FAILURE;
        goto out;
    }
    {
        /* poison articles: one that crashed the daemon twice is quarantined, not retried */
        char crash_path[PATH_MAX];
        snprintf(crash_path, sizeof crash_path, "%s.crashes", cfg->database);
        int qn = quarantine_recover(d->st, crash_path, 2, cfg->max_file_bytes, quarantine_ack, d);
        if (qn < 0)
            log_err("crash file %s: %s", crash_path, strerror(-qn));
        int qrc = quarantine_install(crash_path);
        if (qrc)
            log_warn("crash file %s: %s (poison articles will not be quarantined)", crash_path,
                     strerror(-qrc));
    }
    if (ctl_server_start(d->loop, cfg->control_socket, NULL, handle_request, d, &d->ctl, err,
                         sizeof err) != 0) {
        fail_start(err);
        code = DAEMON_EXIT_FAILURE;
        goto out;
    }
    d->watch_off = xcalloc(cfg->n_watch ? cfg->n_watch : 1, sizeof *d->watch_off);
    d->watch_cfg = xcalloc(cfg->n_watch ? cfg->n_watch : 1, sizeof *d->watch_cfg);
    for (size_t i = 0; i < cfg->n_watch; i++)
        d->watch_cfg[i] = true;
    load_runtime_watches(d);
    int wrc = restart_watcher(d, err, sizeof err);
    if (wrc != 0) {
        fail_start(err);
        ctl_server_close(d->ctl);
        d->ctl = NULL;
        uv_run(d->loop, UV_RUN_NOWAIT);
        code = DAEMON_EXIT_FAILURE;
        goto out;
    }

    uv_timer_t *timers[] = {&d->batch_timer,  &d->rescan_timer, &d->retry_timer,
                            &d->settle_timer, &d->stop_timer,   &d->status_timer};
    for (size_t i = 0; i < sizeof timers / sizeof timers[0]; i++) {
        uv_timer_init(d->loop, timers[i]);
        timers[i]->data = d;
    }
    uv_signal_init(d->loop, &d->sig_term);
    uv_signal_init(d->loop, &d->sig_int);
    d->sig_term.data = d->sig_int.data = d;
    uv_signal_start(&d->sig_term, on_signal, SIGTERM);
    uv_signal_start(&d->sig_int, on_signal, SIGINT);
    uv_signal_init(d->loop, &d->sig_hup);
    d->sig_hup.data = d;
    uv_signal_start(&d->sig_hup, on_sighup, SIGHUP);
    signal(SIGPIPE, SIG_IGN);
    if (cfg->rescan_interval_s > 0)
        uv_timer_start(&d->rescan_timer, rescan_timer_cb, (uint64_t)cfg->rescan_interval_s * 1000,
                       (uint64_t)cfg->rescan_interval_s * 1000);

    for (size_t i = 0; i < cfg->n_watch; i++)
        log_info("watching %s (after commit: %s)", cfg->watch[i].path,
                 cfg->watch[i].after == CFG_AFTER_MOVE   ? "move to done/"
                 : cfg->watch[i].after == CFG_AFTER_KEEP ? "keep"
                                                         : "delete");
    if (start_feeds(d, err, sizeof err) != 0)
        log_err("feeds: cannot start polling: %s (folders are watched all the same)", err);
    log_info("ingestd %s ready: database %s, control socket %s, %zu plugins", INGESTD_VERSION,
             cfg->database, cfg->control_socket, pipeline_size(d->pipe));
    rescan_all(d);
    notify_send("READY=1\nSTATUS=watching folders");
    uint64_t period = status_period_ms(d);
    uv_timer_start(&d->status_timer, status_timer_cb, period, period);
    uv_run(d->loop, UV_RUN_DEFAULT);
    code = d->exit_code;

out:
    /* let libuv finish closing whatever is still closing */
    uv_run(d->loop, UV_RUN_NOWAIT);
    if (d->w) {
        watcher_stop(d->w);
        uv_run(d->loop, UV_RUN_NOWAIT);
    }
    clear_pending(d);
    feeds_free(d->feeds);
    store_close(d->st);
    pipeline_free(d->pipe);
    for (size_t i = 0; i < cfg->n_watch; i++)
        free(d->watch_real[i]);
    free(d->watch_real);
    free(d->watch_off);
    free(d->watch_cfg);
    free(d->watch_map);
    pipeline_free(d->retired);
    free(d->retry.ids);
    free(d->reprocess.ids);
    while (d->tags) {
        struct backlog_tag *t = d->tags;
        d->tags = t->next;
        free(t);
    }
    pathset_free(d->claimed);
    pathset_free(d->writing);
    pathset_free(d->warned);
    uv_loop_close(d->loop);
    free(d);
    config_free(cfg);
    return code;
}

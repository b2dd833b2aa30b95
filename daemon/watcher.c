/*
 * watcher - inotify folder watching and threadpool folder scans for intake.
 *
 * Events watched: IN_CLOSE_WRITE and IN_MOVED_TO (a file is complete), IN_MODIFY (a writer is
 * at work: the daemon must not take it from a scan yet), IN_DELETE and IN_MOVED_FROM (gone),
 * IN_Q_OVERFLOW (events lost: the daemon rescans), IN_DELETE_SELF/IN_MOVE_SELF (the folder went
 * away: reported as overflow so the daemon rescans and logs the error).
 */
#include "watcher.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "xalloc.h"

struct watcher {
    uv_poll_t poll;
    int fd;
    int *wds; /* watch descriptor per folder index */
    size_t n;
    watcher_callbacks cb;
};

bool watcher_name_skipped(const char *name)
{
    size_t n = strlen(name);
    if (n == 0 || name[0] == '.' || strchr(name, '/'))
        return true;
    static const char *const suffixes[] = {".tmp", ".part", ".swp", "~", ".crdownload", ".partial"};
    for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
        size_t k = strlen(suffixes[i]);
        if (n >= k && strcmp(name + n - k, suffixes[i]) == 0)
            return true;
    }
    return false;
}

static void on_readable(uv_poll_t *handle, int status, int events)
{
    watcher *w = handle->data;
    if (status < 0) {
        log_err("inotify poll error: %s", uv_strerror(status));
        return;
    }
    /* aligned buffer for struct inotify_event records */
    char buf[16384] __attribute__((aligned(__alignof__(struct inotify_event))));
    for (;;) {
        ssize_t len = read(w->fd, buf, sizeof buf);
        if (len < 0) {
            if (errno == EINTR)
                continue;
            if (errno != EAGAIN)
                log_err("inotify read: %s", strerror(errno));
            return;
        }
        if (len == 0)
            return;
        for (char *p = buf; p < buf + len;) {
            const struct inotify_event *ev = (const struct inotify_event *)p;
            p += sizeof *ev + ev->len;
            if (ev->mask & IN_Q_OVERFLOW) {
                log_warn("inotify queue overflowed: events were lost, rescanning");
                w->cb.on_overflow(w->cb.ctx);
                continue;
            }
            size_t idx = SIZE_MAX;
            for (size_t i = 0; i < w->n; i++)
                if (w->wds[i] == ev->wd)
                    idx = i;
            if (idx == SIZE_MAX)
                continue;
            if (ev->mask & (IN_DELETE_SELF | IN_MOVE_SELF | IN_IGNORED)) {
                log_err("watched folder #%zu was removed or moved; intake from it stops", idx);
                w->wds[idx] = -1;
                w->cb.on_overflow(w->cb.ctx); /* as documented: the daemon rescans and logs */
                continue;
            }
            if (!ev->len || (ev->mask & IN_ISDIR))
                continue;
            const char *name = ev->name;
            if (watcher_name_skipped(name))
                continue;
            if (ev->mask & (IN_CLOSE_WRITE | IN_MOVED_TO))
                w->cb.on_event(w->cb.ctx, idx, name, WATCH_READY);
            else if (ev->mask & IN_MODIFY)
                w->cb.on_event(w->cb.ctx, idx, name, WATCH_WRITING);
            else if (ev->mask & (IN_DELETE | IN_MOVED_FROM))
                w->cb.on_event(w->cb.ctx, idx, name, WATCH_GONE);
        }
    }
}

int watcher_start(uv_loop_t *loop, char *const *dirs, size_t n, const watcher_callbacks *cb,
                  watcher **out, char *err, size_t errlen)
{
    *out = NULL;
    watcher *w = xcalloc(1, sizeof *w);
    w->cb = *cb;
    w->n = n;
    w->wds = xcalloc(n ? n : 1, sizeof *w->wds);
    w->fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (w->fd < 0) {
        int e = errno;
        snprintf(err, errlen, "inotify_init1: %s", strerror(e));
        free(w->wds);
        free(w);
        return -e;
    }
    for (size_t i = 0; i < n; i++) {
        w->wds[i] =
            inotify_add_watch(w->fd, dirs[i],
                              IN_CLOSE_WRITE | IN_MOVED_TO | IN_MODIFY | IN_DELETE | IN_MOVED_FROM |
                                  IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR);
        if (w->wds[i] < 0) {
            int e = errno;
            snprintf(err, errlen, "cannot watch folder \"%s\": %s%s", dirs[i], strerror(e),
                     e == ENOSPC ? " (raise fs.inotify.max_user_watches)" : "");
            close(w->fd);
            free(w->wds);
            free(w);
            return -e;
        }
    }
    uv_poll_init(loop, &w->poll, w->fd);
    w->poll.data = w;
    uv_poll_start(&w->poll, UV_READABLE, on_readable);
    *out = w;
    return 0;
}

static void on_poll_closed(uv_handle_t *h)
{
    watcher *w = h->data;
    close(w->fd);
    free(w->wds);
    free(w);
}

void watcher_stop(watcher *w)
{
    if (!w)
        return;
    uv_poll_stop(&w->poll);
    uv_close((uv_handle_t *)&w->poll, on_poll_closed);
}

/* ---- scans ---- */

struct scan_req {
    uv_work_t work;
    char *dir;
    scan_result res;
    size_t cap;
    void (*done)(void *ctx, const scan_result *res);
    void *ctx;
};

static void scan_work(uv_work_t *work)
{
    struct scan_req *req = work->data;
    int dfd = open(req->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0) {
        req->res.error = -errno;
        return;
    }
    DIR *d = fdopendir(dfd);
    if (!d) {
        req->res.error = -errno;
        close(dfd);
        return;
    }
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (watcher_name_skipped(de->d_name))
            continue;
        struct stat st;
        if (fstatat(dfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0)
            continue; /* vanished meanwhile */
        if (S_ISDIR(st.st_mode))
            continue;
        if (req->res.n == req->cap) {
            req->cap = req->cap ? req->cap * 2 : 256;
            req->res.entries = xrealloc(req->res.entries, req->cap * sizeof *req->res.entries);
        }
        scan_entry *e = &req->res.entries[req->res.n++];
        e->name = xstrdup(de->d_name);
        e->dev = (uint64_t)st.st_dev;
        e->ino = (uint64_t)st.st_ino;
        e->size = (int64_t)st.st_size;
        e->mtime_ns = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
        e->kind = S_ISREG(st.st_mode) ? 'f' : S_ISLNK(st.st_mode) ? 'l' : 'o';
    }
    closedir(d);
}

static void scan_after(uv_work_t *work, int status)
{
    struct scan_req *req = work->data;
    if (status == UV_ECANCELED)
        req->res.error = -ECANCELED;
    req->done(req->ctx, &req->res);
    for (size_t i = 0; i < req->res.n; i++)
        free(req->res.entries[i].name);
    free(req->res.entries);
    free(req->dir);
    free(req);
}

int watcher_scan(uv_loop_t *loop, size_t watch_index, const char *dir,
                 void (*done)(void *ctx, const scan_result *res), void *ctx)
{
    struct scan_req *req = xcalloc(1, sizeof *req);
    req->dir = xstrdup(dir);
    req->res.watch_index = watch_index;
    req->done = done;
    req->ctx = ctx;
    req->work.data = req;
    int rc = uv_queue_work(loop, &req->work, scan_work, scan_after);
    if (rc) {
        free(req->dir);
        free(req);
    }
    return rc;
}

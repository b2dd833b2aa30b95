/*
 * watcher - watches folders with the daemon's own inotify descriptor, read through uv_poll
 * (libuv's uv_fs_event reports neither close-after-write nor queue overflow on Linux), and scans
 * folders on a worker thread.
 *
 * Thread rule: every callback runs on the loop thread. The scan's directory reading runs on the
 * libuv threadpool and reports back on the loop thread.
 */
#ifndef INGESTD_WATCHER_H
#define INGESTD_WATCHER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

typedef struct watcher watcher;

typedef enum watch_event {
    WATCH_READY,   /* a file was closed after writing, or renamed into the folder */
    WATCH_WRITING, /* a file was modified and not closed yet */
    WATCH_GONE,    /* a file was deleted or renamed away */
} watch_event;

typedef struct watcher_callbacks {
    void (*on_event)(void *ctx, size_t watch_index, const char *name, watch_event ev);
    /* the kernel's event queue overflowed (or a folder vanished): events were lost, rescan */
    void (*on_overflow)(void *ctx);
    void *ctx;
} watcher_callbacks;

/* Start watching dirs[0..n). Returns 0, or a negative errno with a message naming the folder. */
int watcher_start(uv_loop_t *loop, char *const *dirs, size_t n, const watcher_callbacks *cb,
                  watcher **out, char *err, size_t errlen);

/* Stop and free (asynchronously: the loop must run until the handle is closed). NULL: no-op. */
void watcher_stop(watcher *w);

/* True for names intake never takes: hidden files (".x"), temporary files ("*.tmp", "*.part",
 * "*.swp", "*~", "*.crdownload"), and names with a '/' or empty. */
bool watcher_name_skipped(const char *name);

/* One entry found by a scan. */
typedef struct scan_entry {
    char *name;
    uint64_t dev, ino;
    int64_t size, mtime_ns;
    unsigned char kind; /* 'f' regular file, 'l' symlink, 'o' other (FIFO, device, socket) */
} scan_entry;

typedef struct scan_result {
    size_t watch_index;
    scan_entry *entries;
    size_t n;
    int error; /* negative errno when the folder could not be read */
} scan_result;

/* Scan folder `dir` on the threadpool; `done` runs on the loop thread with the entries (skipped
 * names and subfolders left out). The result is freed by scan_result_free inside the call
 * after `done` returns. */
int watcher_scan(uv_loop_t *loop, size_t watch_index, const char *dir,
                 void (*done)(void *ctx, const scan_result *res), void *ctx);

#endif

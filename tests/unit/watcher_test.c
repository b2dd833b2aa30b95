/*
 * watcher_test - the inotify watcher and the threadpool scan on a real libuv loop and real
 * temporary folders: which names are skipped; a file written and closed, or renamed in, is
 * READY; a file written but still open is WRITING; deletion and renaming away are GONE; hidden
 * and temporary names, subfolders and files in subfolders give no event; events carry the
 * index of their folder; a removed watched folder and a kernel queue overflow are reported
 * through on_overflow; scans list regular files, symlinks and FIFOs with their identity and
 * leave out subfolders and skipped names. Every wait has a timeout, so a broken watcher fails
 * the test instead of hanging it; the loop must close cleanly at the end.
 */
#include "watcher.h"

#include "log.h"
#include "testlib.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#define WAIT_MS 5000

static uv_loop_t loop;
static uv_timer_t timer;
static bool timed_out;
static char root[PATH_MAX], dir_a[PATH_MAX], dir_b[PATH_MAX], outside[PATH_MAX];

struct event {
    size_t idx;
    char name[256];
    watch_event ev;
};

static struct {
    struct event e[64];
    size_t n;     /* events recorded (at most 64 kept) */
    size_t total; /* events seen, including those not kept */
    int overflows;
} seen;

static void on_event(void *ctx, size_t watch_index, const char *name, watch_event ev)
{
    CHECK(ctx == &seen);
    seen.total++;
    if (seen.n < sizeof seen.e / sizeof seen.e[0]) {
        struct event *e = &seen.e[seen.n++];
        e->idx = watch_index;
        snprintf(e->name, sizeof e->name, "%s", name);
        e->ev = ev;
    }
}

static void on_overflow(void *ctx)
{
    CHECK(ctx == &seen);
    seen.overflows++;
}

static void clear_events(void)
{
    seen.n = 0;
    seen.total = 0;
    seen.overflows = 0;
}

/* Index of the first recorded event (name, ev), or -1. */
static int find_event(const char *name, watch_event ev)
{
    for (size_t i = 0; i < seen.n; i++)
        if (strcmp(seen.e[i].name, name) == 0 && seen.e[i].ev == ev)
            return (int)i;
    return -1;
}

static int count_named(const char *name)
{
    int n = 0;
    for (size_t i = 0; i < seen.n; i++)
        n += strcmp(seen.e[i].name, name) == 0;
    return n;
}

static void on_timeout(uv_timer_t *t)
{
    timed_out = true;
}

/* Run the loop until `done()` holds or WAIT_MS pass; returns done(). */
static bool run_until(bool (*done)(void *), void *arg)
{
    timed_out = false;
    uv_timer_start(&timer, on_timeout, WAIT_MS, 0);
    while (!done(arg) && !timed_out)
        uv_run(&loop, UV_RUN_ONCE);
    uv_timer_stop(&timer);
    return done(arg);
}

struct want {
    const char *name;
    watch_event ev;
};

static bool have_event(void *arg)
{
    const struct want *w = arg;
    return find_event(w->name, w->ev) >= 0;
}

static bool wait_event(const char *name, watch_event ev)
{
    struct want w = {name, ev};
    bool ok = run_until(have_event, &w);
    if (!ok)
        fprintf(stderr, "  timed out waiting for %s (event %d)\n", name, (int)ev);
    return ok;
}

static bool have_overflow(void *arg)
{
    return seen.overflows > 0;
}

static const char *in(const char *folder, const char *name)
{
    static char paths[4][PATH_MAX];
    static int next;
    char *p = paths[next++ % 4];
    snprintf(p, PATH_MAX, "%s/%s", folder, name);
    return p;
}

static void write_file(const char *path, const char *text)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    CHECK(fd >= 0);
    if (fd < 0)
        return;
    CHECK(write(fd, text, strlen(text)) == (ssize_t)strlen(text));
    close(fd);
}

/* ---- name rules --------------------------------------------------------------------------- */

static void test_name_skipped(void)
{
    const char *skipped[] = {"",          ".hidden", ".",         "..",         "a/b",
                             "x.tmp",     "x.part",  "x.swp",     "notes.txt~", "f.crdownload",
                             "f.partial", ".x.txt",  "a.txt.tmp", "/"};
    for (size_t i = 0; i < sizeof skipped / sizeof skipped[0]; i++) {
        if (!watcher_name_skipped(skipped[i]))
            fprintf(stderr, "  should skip \"%s\"\n", skipped[i]);
        CHECK(watcher_name_skipped(skipped[i]));
    }
    const char *taken[] = {"a.txt", "tmp",    "part",   "a.tmp.txt",   "x.TMP",
                           "~a",    "a.temp", "a.json", "haber 1.txt", "\xC3\xA9t\xC3\xA9.txt",
                           "a",     "swp"};
    for (size_t i = 0; i < sizeof taken / sizeof taken[0]; i++) {
        if (watcher_name_skipped(taken[i]))
            fprintf(stderr, "  should take \"%s\"\n", taken[i]);
        CHECK(!watcher_name_skipped(taken[i]));
    }
}

/* ---- start errors ------------------------------------------------------------------------- */

static void test_start_errors(void)
{
    watcher_callbacks cb = {.on_event = on_event, .on_overflow = on_overflow, .ctx = &seen};
    char err[512] = "";
    watcher *w = (watcher *)1;
    char *missing[] = {(char *)in(root, "missing")};
    CHECK_INT(watcher_start(&loop, missing, 1, &cb, &w, err, sizeof err), -ENOENT);
    CHECK(w == NULL);
    char want[PATH_MAX + 128];
    snprintf(want, sizeof want, "cannot watch folder \"%s/missing\": No such file or directory",
             root);
    CHECK_STR(err, want);

    write_file(in(root, "plain"), "x");
    char *plain[] = {dir_a, (char *)in(root, "plain")};
    CHECK_INT(watcher_start(&loop, plain, 2, &cb, &w, err, sizeof err), -ENOTDIR);
    CHECK(w == NULL);
    CHECK(strstr(err, "/plain\": Not a directory") != NULL);
    watcher_stop(NULL);
}

/* ---- events -------------------------------------------------------------------------------- */

static void test_events(void)
{
    watcher_callbacks cb = {.on_event = on_event, .on_overflow = on_overflow, .ctx = &seen};
    char err[512] = "";
    watcher *w = NULL;
    char *dirs[] = {dir_a, dir_b};
    CHECK_INT(watcher_start(&loop, dirs, 2, &cb, &w, err, sizeof err), 0);
    if (!w) {
        fprintf(stderr, "  %s\n", err);
        return;
    }

    /* written and closed: WRITING while written, then READY, in folder 0 */
    clear_events();
    write_file(in(dir_a, "a.txt"), "hello");
    CHECK(wait_event("a.txt", WATCH_READY));
    int ready = find_event("a.txt", WATCH_READY), writing = find_event("a.txt", WATCH_WRITING);
    CHECK(writing >= 0 && writing < ready);
    CHECK_INT(ready >= 0 ? seen.e[ready].idx : 99, 0);

    /* the second folder reports its own index */
    clear_events();
    write_file(in(dir_b, "b.txt"), "hello");
    CHECK(wait_event("b.txt", WATCH_READY));
    ready = find_event("b.txt", WATCH_READY);
    CHECK_INT(ready >= 0 ? seen.e[ready].idx : 99, 1);

    /* renamed in from outside: READY without any WRITING */
    clear_events();
    write_file(in(outside, "staged.txt"), "complete");
    CHECK_INT(rename(in(outside, "staged.txt"), in(dir_a, "moved.txt")), 0);
    CHECK(wait_event("moved.txt", WATCH_READY));
    CHECK(find_event("moved.txt", WATCH_WRITING) < 0);

    /* hidden and temporary names, subfolders and their files: nothing. The maildir pattern
     * (write to a temporary name, rename to the final one) gives one READY for the final name.
     * A marker written last proves the earlier events were all delivered. */
    clear_events();
    const char *quiet[] = {".hidden", "x.tmp", "y.part", "z.txt~", "w.swp", "d.crdownload"};
    for (size_t i = 0; i < sizeof quiet / sizeof quiet[0]; i++)
        write_file(in(dir_a, quiet[i]), "quiet");
    write_file(in(dir_a, ".incoming.tmp"), "article");
    CHECK_INT(rename(in(dir_a, ".incoming.tmp"), in(dir_a, "final.txt")), 0);
    CHECK_INT(mkdir(in(dir_a, "sub"), 0700), 0);
    write_file(in(dir_a, "sub/inner.txt"), "not watched");
    CHECK_INT(mkdir(in(outside, "dir-in"), 0700), 0);
    CHECK_INT(rename(in(outside, "dir-in"), in(dir_a, "dir-in")), 0);
    CHECK_INT(unlink(in(dir_a, ".hidden")), 0);
    write_file(in(dir_a, "marker.txt"), "m");
    CHECK(wait_event("marker.txt", WATCH_READY));
    for (size_t i = 0; i < sizeof quiet / sizeof quiet[0]; i++)
        CHECK_INT(count_named(quiet[i]), 0);
    CHECK_INT(count_named(".incoming.tmp"), 0);
    CHECK_INT(count_named("sub"), 0);
    CHECK_INT(count_named("inner.txt"), 0);
    CHECK_INT(count_named("dir-in"), 0);
    CHECK(find_event("final.txt", WATCH_READY) >= 0);
    CHECK_INT(count_named("final.txt"), 1);
    CHECK_INT(seen.total, 3); /* final READY, marker WRITING + READY */

    /* modified but still open: WRITING and no READY until the close */
    clear_events();
    int fd = open(in(dir_a, "slow.txt"), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    CHECK(fd >= 0);
    CHECK(write(fd, "part one", 8) == 8);
    CHECK(wait_event("slow.txt", WATCH_WRITING));
    write_file(in(dir_a, "marker2.txt"), "m");
    CHECK(wait_event("marker2.txt", WATCH_READY));
    CHECK(find_event("slow.txt", WATCH_READY) < 0);
    CHECK(write(fd, " part two", 9) == 9);
    close(fd);
    CHECK(wait_event("slow.txt", WATCH_READY));

    /* deleted, or renamed away: GONE */
    clear_events();
    CHECK_INT(unlink(in(dir_a, "a.txt")), 0);
    CHECK(wait_event("a.txt", WATCH_GONE));
    CHECK_INT(rename(in(dir_a, "moved.txt"), in(outside, "moved-away.txt")), 0);
    CHECK(wait_event("moved.txt", WATCH_GONE));
    /* renamed inside the folder: GONE for the old name, READY for the new one */
    CHECK_INT(rename(in(dir_a, "final.txt"), in(dir_a, "renamed.txt")), 0);
    CHECK(wait_event("final.txt", WATCH_GONE));
    CHECK(wait_event("renamed.txt", WATCH_READY));
    CHECK_INT(seen.overflows, 0);

    /* the second folder is removed: reported through on_overflow (the daemon rescans and logs
     * the scan error); the first folder keeps working */
    clear_events();
    CHECK_INT(unlink(in(dir_b, "b.txt")), 0);
    CHECK_INT(rmdir(dir_b), 0);
    CHECK(run_until(have_overflow, NULL));
    CHECK_INT(seen.overflows, 1);
    write_file(in(dir_a, "after.txt"), "still here");
    CHECK(wait_event("after.txt", WATCH_READY));
    CHECK_INT(seen.overflows, 1);

    /* more events than the kernel queue holds, while the loop does not read: on_overflow */
    FILE *f = fopen("/proc/sys/fs/inotify/max_queued_events", "r");
    long limit = 0;
    if (f) {
        if (fscanf(f, "%ld", &limit) != 1)
            limit = 0;
        fclose(f);
    }
    if (limit > 0 && limit <= 100000) {
        clear_events();
        /* closing a file opened for writing queues IN_CLOSE_WRITE; alternating between two
         * files keeps the kernel from merging consecutive identical events */
        write_file(in(dir_a, "f0.txt"), "0");
        write_file(in(dir_a, "f1.txt"), "1");
        long made = 0;
        for (long i = 0; i < limit + 64; i++) {
            int mfd = open(in(dir_a, i % 2 ? "f1.txt" : "f0.txt"), O_WRONLY);
            if (mfd >= 0) {
                close(mfd);
                made++;
            }
        }
        CHECK_INT(made, limit + 64);
        CHECK(run_until(have_overflow, NULL));
        CHECK(seen.overflows >= 1);
        CHECK(seen.total <= (size_t)limit); /* some events were really lost */
    } else {
        fprintf(stderr, "  (queue overflow case skipped: max_queued_events = %ld)\n", limit);
    }

    watcher_stop(w);
    uv_run(&loop, UV_RUN_NOWAIT); /* let the handle close */
}

/* ---- scans ---------------------------------------------------------------------------------- */

struct scan_copy {
    bool done;
    size_t watch_index;
    int error;
    size_t n;
    scan_entry e[16];
};

static void on_scan(void *ctx, const scan_result *res)
{
    struct scan_copy *c = ctx;
    c->done = true;
    c->watch_index = res->watch_index;
    c->error = res->error;
    c->n = res->n;
    for (size_t i = 0; i < res->n && i < 16; i++) {
        c->e[i] = res->entries[i];
        c->e[i].name = strdup(res->entries[i].name);
    }
}

static bool scan_done(void *arg)
{
    return ((struct scan_copy *)arg)->done;
}

static void scan_copy_free(struct scan_copy *c)
{
    for (size_t i = 0; i < c->n && i < 16; i++)
        free(c->e[i].name);
}

static const scan_entry *entry_named(const struct scan_copy *c, const char *name)
{
    for (size_t i = 0; i < c->n && i < 16; i++)
        if (strcmp(c->e[i].name, name) == 0)
            return &c->e[i];
    return NULL;
}

static void test_scan(void)
{
    char sdir[PATH_MAX];
    snprintf(sdir, sizeof sdir, "%s/scan", root);
    CHECK_INT(mkdir(sdir, 0700), 0);
    write_file(in(sdir, "f.txt"), "12345");
    CHECK_INT(symlink("f.txt", in(sdir, "l.txt")), 0);
    CHECK_INT(symlink("/nonexistent/target", in(sdir, "dangling.txt")), 0);
    CHECK_INT(mkfifo(in(sdir, "p.fifo"), 0600), 0);
    CHECK_INT(mkdir(in(sdir, "subfolder"), 0700), 0);
    write_file(in(sdir, ".hidden"), "h");
    write_file(in(sdir, "x.tmp"), "t");

    struct scan_copy c = {0};
    CHECK_INT(watcher_scan(&loop, 7, sdir, on_scan, &c), 0);
    CHECK(run_until(scan_done, &c));
    CHECK_INT(c.watch_index, 7);
    CHECK_INT(c.error, 0);
    CHECK_INT(c.n, 4);
    const scan_entry *f = entry_named(&c, "f.txt");
    struct stat st;
    CHECK_INT(lstat(in(sdir, "f.txt"), &st), 0);
    CHECK(f != NULL);
    if (f) {
        CHECK_INT(f->kind, 'f');
        CHECK_INT(f->size, 5);
        CHECK_INT(f->ino, st.st_ino);
        CHECK_INT(f->dev, st.st_dev);
        CHECK_INT(f->mtime_ns, (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec);
    }
    const scan_entry *l = entry_named(&c, "l.txt");
    CHECK(l && l->kind == 'l');
    CHECK_INT(lstat(in(sdir, "l.txt"), &st), 0);
    CHECK(l && l->ino == (uint64_t)st.st_ino); /* the link itself, not its target */
    const scan_entry *d = entry_named(&c, "dangling.txt");
    CHECK(d && d->kind == 'l');
    const scan_entry *p = entry_named(&c, "p.fifo");
    CHECK(p && p->kind == 'o');
    CHECK(entry_named(&c, "subfolder") == NULL);
    CHECK(entry_named(&c, ".hidden") == NULL);
    CHECK(entry_named(&c, "x.tmp") == NULL);
    scan_copy_free(&c);

    /* a folder with more entries than the first allocation */
    char big[PATH_MAX];
    snprintf(big, sizeof big, "%s/scan-many", root);
    CHECK_INT(mkdir(big, 0700), 0);
    for (int i = 0; i < 300; i++) {
        char name[32];
        snprintf(name, sizeof name, "n%04d.txt", i);
        write_file(in(big, name), "x");
    }
    struct scan_copy cm = {0};
    CHECK_INT(watcher_scan(&loop, 0, big, on_scan, &cm), 0);
    CHECK(run_until(scan_done, &cm));
    CHECK_INT(cm.error, 0);
    CHECK_INT(cm.n, 300); /* more than the first allocation of 256 */
    scan_copy_free(&cm);

    /* a missing folder and a file: errors, no entries */
    struct scan_copy cx = {0};
    CHECK_INT(watcher_scan(&loop, 3, in(root, "no-such-folder"), on_scan, &cx), 0);
    CHECK(run_until(scan_done, &cx));
    CHECK_INT(cx.watch_index, 3);
    CHECK_INT(cx.error, -ENOENT);
    CHECK_INT(cx.n, 0);
    struct scan_copy cf = {0};
    CHECK_INT(watcher_scan(&loop, 0, in(sdir, "f.txt"), on_scan, &cf), 0);
    CHECK(run_until(scan_done, &cf));
    CHECK_INT(cf.error, -ENOTDIR);
    CHECK_INT(cf.n, 0);
}

int main(void)
{
    alarm(90);                      /* last resort; every wait below has its own timeout */
    log_set_level(LOG_LVL_ERR - 1); /* the expected "folder removed" error line stays quiet */
    char tmpl[] = "/tmp/watcher_test.XXXXXX";
    if (!mkdtemp(tmpl) || !realpath(tmpl, root)) {
        perror("mkdtemp");
        return 1;
    }
    snprintf(dir_a, sizeof dir_a, "%s/a", root);
    snprintf(dir_b, sizeof dir_b, "%s/b", root);
    snprintf(outside, sizeof outside, "%s/outside", root);
    mkdir(dir_a, 0700);
    mkdir(dir_b, 0700);
    mkdir(outside, 0700);
    uv_loop_init(&loop);
    uv_timer_init(&loop, &timer);

    RUN(test_name_skipped);
    RUN(test_start_errors);
    RUN(test_events);
    RUN(test_scan);

    uv_close((uv_handle_t *)&timer, NULL);
    uv_run(&loop, UV_RUN_DEFAULT);
    int close_rc = uv_loop_close(&loop); /* UV_EBUSY if the watcher left a handle open */
    if (close_rc != 0)
        fprintf(stderr, "uv_loop_close: %s\n", uv_strerror(close_rc));
    char cmd[PATH_MAX + 16];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", root);
    return close_rc == 0 ? TEST_SUMMARY() : 1;
}

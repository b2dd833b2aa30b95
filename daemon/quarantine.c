/*
 * quarantine - see quarantine.h. The worker side is two thread-local pointers set by intake
 * around each file; the fatal-signal handler turns them into one line of the crash file with
 * async-signal-safe calls only (no stdio, no malloc, no locks), then lets the signal kill the
 * process as it would have. The start side reads the crash file back and takes an article that
 * crashed the daemon repeatedly out of the way, so one poison file cannot stop the service.
 */
#include "quarantine.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <link.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <ucontext.h>
#include <unistd.h>

#include "hash.h"
#include "log.h"
#include "utf8.h"
#include "xalloc.h"

#define MAX_MODULES     128
#define MAX_CRASH_LINES 10000
#define ALT_STACK_BYTES (64 * 1024)
#define MAX_ALT_STACKS  256

struct module_range {
    uintptr_t start, end;
    bool is_plugin; /* exports ingestd_plugin_entry */
    char name[64];
};

static const int fatal_signals[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT};

static volatile int crash_fd = -1;
/* signal stacks given to worker threads, kept here (not only in the kernel) for the process's
 * life; threads beyond MAX_ALT_STACKS run without one (a stack overflow then goes unrecorded) */
static void *volatile alt_stacks[MAX_ALT_STACKS]; /* volatile: stores never read stay */
static atomic_size_t n_alt_stacks;
static struct module_range modules[MAX_MODULES];
static volatile size_t n_modules;

static _Thread_local const char *current_path;
static _Thread_local const store_file_identity *current_ident;
static _Thread_local bool has_alt_stack;
static _Thread_local uintptr_t stack_top; /* highest address of this thread's stack, or 0 */

/* ---- table of loaded objects ---- */

static int add_module(struct dl_phdr_info *info, size_t size, void *arg)
{
    (void)size;
    size_t *n = arg;
    const char *name = info->dlpi_name && *info->dlpi_name ? info->dlpi_name : "ingestd";
    const char *base = strrchr(name, '/');
    base = base ? base + 1 : name;
    bool is_plugin = false;
    if (info->dlpi_name && *info->dlpi_name) {
        void *h = dlopen(info->dlpi_name, RTLD_NOW | RTLD_NOLOAD);
        if (h) {
            is_plugin = dlsym(h, "ingestd_plugin_entry") != NULL;
            dlclose(h);
        }
    }
    for (int i = 0; i < info->dlpi_phnum && *n < MAX_MODULES; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type != PT_LOAD || !(ph->p_flags & PF_X))
            continue;
        struct module_range *m = &modules[*n];
        m->start = (uintptr_t)(info->dlpi_addr + ph->p_vaddr);
        m->end = m->start + ph->p_memsz;
        m->is_plugin = is_plugin;
        snprintf(m->name, sizeof m->name, "%s", base);
        (*n)++;
    }
    return 0;
}

void quarantine_refresh_modules(void)
{
    size_t n = 0;
    n_modules = 0;
    dl_iterate_phdr(add_module, &n);
    n_modules = n;
}

/* ---- worker side ---- */

void quarantine_enter(const char *path, const store_file_identity *ident)
{
    if (!has_alt_stack && crash_fd >= 0) {
        /* a stack overflow can only be reported from another stack; kept for the thread's life */
        has_alt_stack = true;
        /* a thread that has one already (the sanitizers give each thread theirs, and unmap it
         * at thread exit) keeps it */
        stack_t old;
        bool has_one = sigaltstack(NULL, &old) == 0 && !(old.ss_flags & SS_DISABLE);
        size_t slot = has_one ? MAX_ALT_STACKS : atomic_fetch_add(&n_alt_stacks, 1);
        if (slot < MAX_ALT_STACKS) {
            alt_stacks[slot] = xmalloc(ALT_STACK_BYTES);
            stack_t ss = {.ss_sp = alt_stacks[slot], .ss_size = ALT_STACK_BYTES};
            sigaltstack(&ss, NULL);
        }
        pthread_attr_t attr;
        void *lo;
        size_t size;
        if (pthread_getattr_np(pthread_self(), &attr) == 0) {
            if (pthread_attr_getstack(&attr, &lo, &size) == 0)
                stack_top = (uintptr_t)lo + size;
            pthread_attr_destroy(&attr);
        }
    }
    current_ident = ident;
    current_path = path;
}

void quarantine_leave(void)
{
    current_path = NULL;
    current_ident = NULL;
}

/* ---- the signal handler (async-signal-safe from here to quarantine_install) ---- */

static size_t put_str(char *buf, size_t pos, size_t cap, const char *s)
{
    while (*s && pos < cap)
        buf[pos++] = *s++;
    return pos;
}

static size_t put_u64(char *buf, size_t pos, size_t cap, unsigned long long v)
{
    char tmp[24];
    size_t n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n && pos < cap)
        buf[pos++] = tmp[--n];
    return pos;
}

static size_t put_i64(char *buf, size_t pos, size_t cap, long long v)
{
    if (v < 0 && pos < cap) {
        buf[pos++] = '-';
        return put_u64(buf, pos, cap, 0ULL - (unsigned long long)v);
    }
    return put_u64(buf, pos, cap, (unsigned long long)v);
}

static uintptr_t fault_ip(void *uctx, uintptr_t *sp)
{
#if defined(__x86_64__)
    *sp = (uintptr_t)((ucontext_t *)uctx)->uc_mcontext.gregs[REG_RSP];
    return (uintptr_t)((ucontext_t *)uctx)->uc_mcontext.gregs[REG_RIP];
#elif defined(__aarch64__)
    *sp = (uintptr_t)((ucontext_t *)uctx)->uc_mcontext.sp;
    return (uintptr_t)((ucontext_t *)uctx)->uc_mcontext.pc;
#else
    (void)uctx;
    *sp = 0;
    return 0;
#endif
}

static const struct module_range *module_at(uintptr_t addr)
{
    size_t nm = n_modules;
    for (size_t i = 0; i < nm; i++)
        if (addr >= modules[i].start && addr < modules[i].end)
            return &modules[i];
    return NULL;
}

/* The module to blame: the one holding the faulting instruction when it is a plugin; else
 * (a crash in libc on a plugin's behalf: abort, a bad pointer passed to memcpy, raise) the
 * plugin of the innermost return address found on the stack, scanned up to 64 KiB. */
static const char *blame(void *uctx)
{
    uintptr_t sp;
    const struct module_range *m = module_at(fault_ip(uctx, &sp));
    if (m && m->is_plugin)
        return m->name;
    uintptr_t top = stack_top;
    if (sp && top > sp) {
        uintptr_t end = top - sp > 65536 ? sp + 65536 : top;
        for (uintptr_t a = sp & ~(uintptr_t)(sizeof(uintptr_t) - 1); a + sizeof(uintptr_t) <= end;
             a += sizeof(uintptr_t)) {
            const struct module_range *r = module_at(*(const uintptr_t *)a);
            if (r && r->is_plugin)
                return r->name;
        }
    }
    return m ? m->name : "unknown";
}

static void on_fatal_signal(int sig, siginfo_t *si, void *uctx)
{
    (void)si;
    int saved_errno = errno;
    const char *path = current_path;
    const store_file_identity *id = current_ident;
    if (path && crash_fd >= 0) {
        static const char hex[] = "0123456789abcdef";
        const char *module = blame(uctx);
        char line[2 * PATH_MAX + 256];
        size_t cap = sizeof line - 1, pos = 0;
        pos = put_str(line, pos, cap, "crash ");
        pos = put_u64(line, pos, cap, (unsigned)sig);
        pos = put_str(line, pos, cap, " ");
        for (const char *m = module; *m && pos < cap; m++)
            line[pos++] = (*m == ' ' || *m == '\n') ? '_' : *m;
        pos = put_str(line, pos, cap, " ");
        pos = put_u64(line, pos, cap, id ? id->dev : 0);
        pos = put_str(line, pos, cap, " ");
        pos = put_u64(line, pos, cap, id ? id->ino : 0);
        pos = put_str(line, pos, cap, " ");
        pos = put_i64(line, pos, cap, id ? id->size : 0);
        pos = put_str(line, pos, cap, " ");
        pos = put_i64(line, pos, cap, id ? id->mtime_ns : 0);
        pos = put_str(line, pos, cap, " ");
        for (const unsigned char *p = (const unsigned char *)path; *p && pos + 2 < cap; p++) {
            line[pos++] = hex[*p >> 4];
            line[pos++] = hex[*p & 15];
        }
        line[pos++] = '\n';
        ssize_t w = write(crash_fd, line, pos);
        (void)w;
    }
    errno = saved_errno;
    /* SA_RESETHAND restored the default action: the signal, pending until we return (or the
     * faulting instruction, run again), ends the process as it would have without us */
    raise(sig);
}

int quarantine_install(const char *crash_path)
{
    int fd = open(crash_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
    if (fd < 0)
        return -errno;
    if (crash_fd >= 0)
        close(crash_fd);
    crash_fd = fd;
    quarantine_refresh_modules();
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_fatal_signal;
    sa.sa_flags = SA_SIGINFO | SA_RESETHAND | SA_ONSTACK;
    sigemptyset(&sa.sa_mask);
    for (size_t i = 0; i < sizeof fatal_signals / sizeof fatal_signals[0]; i++)
        sigaction(fatal_signals[i], &sa, NULL);
    return 0;
}

/* ---- the start side ---- */

struct crash_line {
    int sig;
    char module[64];
    unsigned long long dev, ino;
    long long size, mtime_ns;
    char *path;
    char *text; /* the line as read, for rewriting */
};

static const char *signal_name(int sig)
{
    switch (sig) {
    case SIGSEGV:
        return "SIGSEGV";
    case SIGBUS:
        return "SIGBUS";
    case SIGFPE:
        return "SIGFPE";
    case SIGILL:
        return "SIGILL";
    case SIGABRT:
        return "SIGABRT";
    default:
        return "a fatal signal";
    }
}

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

static bool parse_line(const char *text, struct crash_line *cl)
{
    char hexpath[2 * PATH_MAX + 2];
    char fmt[64];
    snprintf(fmt, sizeof fmt, "crash %%d %%63s %%llu %%llu %%lld %%lld %%%zus", sizeof hexpath - 1);
    if (sscanf(text, fmt, &cl->sig, cl->module, &cl->dev, &cl->ino, &cl->size, &cl->mtime_ns,
               hexpath) != 7)
        return false;
    size_t n = strlen(hexpath);
    if (n == 0 || n % 2)
        return false;
    cl->path = xmalloc(n / 2 + 1);
    for (size_t i = 0; i < n / 2; i++) {
        int hi = hexval(hexpath[2 * i]), lo = hexval(hexpath[2 * i + 1]);
        if (hi < 0 || lo < 0 || (hi == 0 && lo == 0)) {
            free(cl->path);
            cl->path = NULL;
            return false;
        }
        cl->path[i] = (char)(hi * 16 + lo);
    }
    cl->path[n / 2] = '\0';
    return true;
}

static bool same_article(const struct crash_line *a, const struct crash_line *b)
{
    return strcmp(a->path, b->path) == 0 && a->dev == b->dev && a->ino == b->ino &&
           a->size == b->size && a->mtime_ns == b->mtime_ns;
}

/* Is the file still the one that crashed? A crash before the file was opened has no identity:
 * then the path alone decides. */
static bool still_there(const struct crash_line *cl, struct stat *st)
{
    if (lstat(cl->path, st) != 0 || !S_ISREG(st->st_mode))
        return false;
    if (cl->dev == 0 && cl->ino == 0)
        return true;
    return (uint64_t)st->st_dev == cl->dev && (uint64_t)st->st_ino == cl->ino &&
           (int64_t)st->st_size == cl->size &&
           (int64_t)st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec == cl->mtime_ns;
}

/* Read up to max_bytes of path; NULL (and *len 0) when larger or unreadable. */
static void *read_capped(const char *path, long long max_bytes, size_t *len)
{
    *len = 0;
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    struct stat st;
    if (fstat(fd, &st) != 0 || st.st_size > max_bytes) {
        close(fd);
        return NULL;
    }
    size_t cap = (size_t)st.st_size + 1, n = 0;
    char *buf = xmalloc(cap);
    for (;;) {
        ssize_t r = read(fd, buf + n, cap - n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        n += (size_t)r;
        if (n == cap)
            break;
    }
    close(fd);
    *len = n;
    return buf;
}

static int quarantine_one(store *st, const struct crash_line *cl, const struct stat *sb,
                          unsigned count, long long max_bytes)
{
    store_item item;
    memset(&item, 0, sizeof item);
    size_t raw_len = 0;
    void *raw = read_capped(cl->path, max_bytes, &raw_len);
    char *display = utf8_lossy(cl->path, strlen(cl->path));
    char reason[512];
    snprintf(reason, sizeof reason,
             "crashed the daemon %u times (%s in %s); quarantined, not processed again", count,
             signal_name(cl->sig), cl->module);
    item.source_kind = "file";
    item.source = display;
    item.raw = raw;
    item.raw_len = raw_len;
    item.encoding = "unknown";
    item.has_file = true;
    item.file.path = display;
    item.file.dev = (uint64_t)sb->st_dev;
    item.file.ino = (uint64_t)sb->st_ino;
    item.file.size = (int64_t)sb->st_size;
    item.file.mtime_ns = (int64_t)sb->st_mtim.tv_sec * 1000000000 + sb->st_mtim.tv_nsec;
    if (raw) {
        uint8_t digest[32];
        hash_sha256(raw, raw_len, digest);
        hash_hex(digest, 32, item.file.sha256);
    }
    item.fail_stage = "quarantine";
    item.fail_plugin = cl->module;
    item.fail_reason = reason;
    char err[512];
    int rc = store_commit_batch(st, &item, 1, err, sizeof err);
    if (rc)
        log_err("file %s: cannot record its quarantine: %s (it stays in place)", display, err);
    else
        log_warn("file %s: %s", display, reason);
    free(raw);
    free(display);
    return rc;
}

static void free_lines(struct crash_line *lines, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(lines[i].path);
        free(lines[i].text);
    }
    free(lines);
}

/* Replace the crash file with the lines still marked keep (or remove it when none are). */
static int rewrite_crash_file(const char *crash_path, const struct crash_line *lines,
                              const bool *keep, size_t n)
{
    size_t kept = 0;
    for (size_t i = 0; i < n; i++)
        kept += keep[i];
    if (kept == 0)
        return unlink(crash_path) == 0 || errno == ENOENT ? 0 : -errno;
    size_t tl = strlen(crash_path) + 8;
    char *tmp = xmalloc(tl);
    snprintf(tmp, tl, "%s.tmp", crash_path);
    FILE *f = fopen(tmp, "we");
    int rc = 0;
    if (!f) {
        rc = -errno;
    } else {
        for (size_t i = 0; i < n; i++)
            if (keep[i])
                fprintf(f, "%s\n", lines[i].text);
        if (fflush(f) != 0 || fsync(fileno(f)) != 0)
            rc = -errno;
        if (fclose(f) != 0 && !rc)
            rc = -errno;
        if (!rc && rename(tmp, crash_path) != 0)
            rc = -errno;
        if (rc)
            unlink(tmp);
    }
    free(tmp);
    return rc;
}

int quarantine_recover(store *st, const char *crash_path, unsigned threshold, long long max_bytes,
                       quarantine_ack_fn ack, void *ctx)
{
    FILE *f = fopen(crash_path, "re");
    if (!f)
        return errno == ENOENT ? 0 : -errno;
    struct crash_line *lines = xcalloc(MAX_CRASH_LINES, sizeof *lines);
    size_t n = 0;
    char *buf = NULL;
    size_t bufcap = 0;
    ssize_t len;
    while (n < MAX_CRASH_LINES && (len = getline(&buf, &bufcap, f)) > 0) {
        if (buf[len - 1] == '\n')
            buf[len - 1] = '\0';
        if (!parse_line(buf, &lines[n]))
            continue; /* a torn or foreign line: dropped at the rewrite */
        lines[n].text = xstrdup(buf);
        n++;
    }
    free(buf);
    fclose(f);

    bool *keep = xcalloc(n ? n : 1, sizeof *keep);
    bool *seen = xcalloc(n ? n : 1, sizeof *seen);
    int quarantined = 0, rc = 0;
    for (size_t i = 0; i < n; i++) {
        if (seen[i])
            continue;
        /* the group of lines about this article; the last one names the latest crash */
        unsigned count = 0;
        size_t last = i;
        for (size_t j = i; j < n; j++) {
            if (!seen[j] && same_article(&lines[i], &lines[j])) {
                seen[j] = true;
                count++;
                last = j;
            }
        }
        struct stat sb;
        if (!still_there(&lines[i], &sb))
            continue; /* gone or changed (committed, replaced): forget its crashes */
        if (count < threshold) {
            for (size_t j = i; j < n; j++)
                if (same_article(&lines[i], &lines[j]))
                    keep[j] = true;
            continue;
        }
        int qrc = quarantine_one(st, &lines[last], &sb, count, max_bytes);
        if (qrc) {
            rc = qrc;
            for (size_t j = i; j < n; j++)
                if (same_article(&lines[i], &lines[j]))
                    keep[j] = true;
            continue;
        }
        quarantined++;
        if (ack)
            ack(ctx, lines[i].path);
    }
    int wrc = rewrite_crash_file(crash_path, lines, keep, n);
    free(keep);
    free(seen);
    free_lines(lines, MAX_CRASH_LINES);
    if (rc)
        return rc;
    return wrc ? wrc : quarantined;
}

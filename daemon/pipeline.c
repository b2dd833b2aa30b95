/*
 * pipeline - the plugin loader and the chain runner.
 *
 * Loading follows the ABI contract of include/ingestd/plugin.h: find the file, dlopen it, look
 * up the entry symbol, and check the descriptor's size and ABI version before any other field
 * is read or any plugin function is called. Each refusal is one line naming plugin and reason.
 */
#include "pipeline.h"

#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "xalloc.h"

#define PIPELINE_HIST_BUCKETS 256 /* 64 octaves x 4 */

struct pipeline_plugin {
    char *path;
    char *label; /* the chain entry as written (name or path), for messages */
    void *dl;
    const ingestd_plugin *desc;
    void *state;
    bool initialized;
    bool thread_safe;
    uint64_t limit_ns;    /* plugin_timeout_ms */
    pthread_mutex_t lock; /* serializes process() of plugins without the thread-safe flag */
    ingestd_host host;
    atomic_ullong calls, ok, drops, errors, total_ns, max_ns, slow;
    atomic_ullong error_run;  /* consecutive errors, reset by any other verdict */
    atomic_llong warned_err;  /* monotonic ms of the last "fails every article" warning */
    atomic_llong warned_slow; /* monotonic ms of the last "over the time limit" warning */
    atomic_ullong slow_unreported;
    /* call durations for the p99: log2 buckets of nanoseconds, 4 steps per octave (see
     * hist_bucket); at most 25% above the true value */
    atomic_ullong hist[PIPELINE_HIST_BUCKETS];
    pthread_mutex_t active_lock; /* guards active */
    struct active_call *active;
};

/* A process() call in progress, linked into its plugin's list for the watchdog. Lives on the
 * calling worker's stack. */
struct active_call {
    struct active_call *prev, *next;
    uint64_t t0;
    const char *source; /* the record's SOURCE (read-only, so stable during the call) */
    bool reported;
};

struct pipeline {
    pipeline_plugin **slots;
    size_t n;
    /* the watchdog thread reports calls that are still running past the time limit */
    pthread_t watchdog;
    bool watchdog_started;
    bool stopping; /* under wd_lock */
    pthread_mutex_t wd_lock;
    pthread_cond_t wd_cond;
};

/* A warning of one kind is logged at most once per this many ms per plugin. */
#define WARN_INTERVAL_MS 10000

const char *pipeline_builtin_dir(void)
{
    static char dir[PATH_MAX];
    const char *env = getenv("INGESTD_PLUGIN_DIR");
    if (env && *env) {
        snprintf(dir, sizeof dir, "%s", env);
        return dir;
    }
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0) {
        snprintf(dir, sizeof dir, "/usr/lib/ingestd/plugins");
        return dir;
    }
    exe[n] = '\0';
    char *slash = strrchr(exe, '/');
    if (slash)
        *slash = '\0'; /* <prefix>/bin */
    slash = strrchr(exe, '/');
    if (slash)
        *slash = '\0'; /* <prefix> */
    snprintf(dir, sizeof dir, "%s/%s", exe, INGESTD_PLUGIN_SUBDIR);
    return dir;
}

static void plugin_log(const void *handle, int level, const char *fmt, ...)
{
    const pipeline_plugin *slot = handle;
    char prefix[160];
    snprintf(prefix, sizeof prefix,
             "plugin %s: ", slot && slot->desc && slot->desc->name ? slot->desc->name : "?");
    if (level < LOG_LVL_ERR)
        level = LOG_LVL_ERR;
    va_list ap;
    va_start(ap, fmt);
    log_vmsg(level, prefix, fmt, ap);
    va_end(ap);
}

static bool file_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

int pipeline_locate(const config *cfg, const char *name, char *out, size_t outlen, char *err,
                    size_t errlen)
{
    if (strchr(name, '/')) {
        if (!file_exists(name)) {
            snprintf(err, errlen, "plugin \"%s\": no such file", name);
            return -ENOENT;
        }
        snprintf(out, outlen, "%s", name);
        return 0;
    }
    char tried[1024] = "";
    char found[PATH_MAX] = "", found_real[PATH_MAX] = "";
    const char *builtin = pipeline_builtin_dir();
    for (size_t i = 0; i <= cfg->n_plugin_dirs; i++) {
        const char *dir = i == 0 ? builtin : cfg->plugin_dirs[i - 1];
        char cand[PATH_MAX], real[PATH_MAX];
        snprintf(cand, sizeof cand, "%s/%s.so", dir, name);
        size_t used = strlen(tried);
        snprintf(tried + used, sizeof tried - used, "%s%s", used ? ", " : "", dir);
        if (!file_exists(cand))
            continue;
        if (!realpath(cand, real))
            snprintf(real, sizeof real, "%s", cand);
        if (!found[0]) {
            snprintf(found, sizeof found, "%s", cand);
            snprintf(found_real, sizeof found_real, "%s", real);
        } else if (strcmp(found_real, real) != 0) {
            snprintf(err, errlen,
                     "plugin \"%s\": provided by two folders: %s and %s (remove one, or name the "
                     "plugin by its path)",
                     name, found, cand);
            return -EEXIST;
        }
    }
    if (found[0]) {
        snprintf(out, outlen, "%s", found);
        return 0;
    }
    snprintf(err, errlen, "plugin \"%s\": not found (searched %s)", name, tried);
    return -ENOENT;
}

/* One path of the trust check: owner and write bits. */
static int trust_one(const char *label, const char *plugin_path, const char *path, bool folder,
                     char *err, size_t errlen)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        snprintf(err, errlen, "plugin \"%s\" (%s): refused: cannot stat %s: %s", label, plugin_path,
                 path, strerror(errno));
        return -EPERM;
    }
    const char *what = folder ? "folder" : "file";
    uid_t me = geteuid();
    if (st.st_uid != 0 && st.st_uid != me) {
        snprintf(err, errlen,
                 "plugin \"%s\" (%s): refused: %s %s is owned by uid %u, not by root or the "
                 "daemon's user (uid %u); see plugin_trust",
                 label, plugin_path, what, path, (unsigned)st.st_uid, (unsigned)me);
        return -EPERM;
    }
    bool sticky_ok = folder && (st.st_mode & S_ISVTX);
    if ((st.st_mode & (S_IWGRP | S_IWOTH)) && !sticky_ok) {
        snprintf(err, errlen,
                 "plugin \"%s\" (%s): refused: %s %s is writable by %s (mode %04o); "
                 "chmod go-w it, or see plugin_trust",
                 label, plugin_path, what, path,
                 (st.st_mode & S_IWGRP) && (st.st_mode & S_IWOTH) ? "group and others"
                 : (st.st_mode & S_IWGRP)                         ? "group"
                                                                  : "others",
                 (unsigned)(st.st_mode & 07777));
        return -EPERM;
    }
    return 0;
}

/* Check path (a file, or a folder when `folder`) and every folder above it, up to "/". */
static int trust_chain(const char *label, const char *plugin_path, const char *path, bool folder,
                       char *err, size_t errlen)
{
    char buf[PATH_MAX];
    snprintf(buf, sizeof buf, "%s", path);
    int rc = trust_one(label, plugin_path, buf, folder, err, errlen);
    while (rc == 0) {
        char *slash = strrchr(buf, '/');
        if (!slash)
            break;
        if (slash == buf) {
            rc = trust_one(label, plugin_path, "/", true, err, errlen);
            break;
        }
        *slash = '\0';
        rc = trust_one(label, plugin_path, buf, true, err, errlen);
    }
    return rc;
}

int pipeline_check_trust(const char *label, const char *path, char *err, size_t errlen)
{
    char real[PATH_MAX];
    if (!realpath(path, real)) {
        snprintf(err, errlen, "plugin \"%s\" (%s): refused: cannot resolve the path: %s", label,
                 path, strerror(errno));
        return -EPERM;
    }
    struct stat st;
    if (stat(real, &st) != 0 || !S_ISREG(st.st_mode)) {
        snprintf(err, errlen, "plugin \"%s\" (%s): refused: %s is not a regular file", label, path,
                 real);
        return -EPERM;
    }
    int rc = trust_chain(label, path, real, false, err, errlen);
    if (rc)
        return rc;
    /* the folder the plugin was named in, when a symlink led elsewhere: whoever may write it
     * may swap the link */
    char given[PATH_MAX];
    if (path[0] == '/')
        snprintf(given, sizeof given, "%s", path);
    else if (!getcwd(given, sizeof given) || strlen(given) + strlen(path) + 2 > sizeof given)
        return 0;
    else
        snprintf(given + strlen(given), sizeof given - strlen(given), "/%s", path);
    char *slash = strrchr(given, '/');
    if (slash && slash != given) {
        *slash = '\0';
        char dreal[PATH_MAX];
        if (realpath(given, dreal)) {
            size_t dl = strlen(dreal);
            if (strncmp(real, dreal, dl) != 0 || real[dl] != '/')
                return trust_chain(label, path, dreal, true, err, errlen);
        }
    }
    return 0;
}
int pipeline_plugin_open(const config *cfg, const char *name, pipeline_plugin **out, char *err,
                         size_t errlen)
{
    *out = NULL;
    char path[PATH_MAX];
    int rc = pipeline_locate(cfg, name, path, sizeof path, err, errlen);
    if (rc)
        return rc;
    bool relaxed = cfg->plugin_trust && strcmp(cfg->plugin_trust, "relaxed") == 0;
    if (!relaxed && (rc = pipeline_check_trust(name, path, err, errlen)) != 0)
        return rc;
    dlerror();
    void *dl = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!dl) {
        const char *why = dlerror();
        snprintf(err, errlen, "plugin \"%s\" (%s): cannot load: %s", name, path,
                 why ? why : "dlopen failed");
        return -ELIBBAD;
    }
    rc = -ELIBBAD;
    void *sym = dlsym(dl, INGESTD_PLUGIN_ENTRY_SYMBOL);
    const ingestd_plugin *d = NULL;
    if (!sym) {
        snprintf(err, errlen, "plugin \"%s\" (%s): missing entry symbol %s()", name, path,
                 INGESTD_PLUGIN_ENTRY_SYMBOL);
        goto refuse;
    }
    ingestd_plugin_entry_fn entry;
    memcpy(&entry, &sym, sizeof entry);
    d = entry();
    if (!d) {
        snprintf(err, errlen, "plugin \"%s\" (%s): entry function returned no descriptor", name,
                 path);
        goto refuse;
    }
    /* struct_size and the ABI version come first in every major; check them before anything */
    if (d->struct_size < offsetof(ingestd_plugin, name)) {
        snprintf(err, errlen, "plugin \"%s\" (%s): descriptor too short (%u bytes)", name, path,
                 d->struct_size);
        goto refuse;
    }
    if (d->abi_major != INGESTD_ABI_MAJOR) {
        snprintf(err, errlen,
                 "plugin \"%s\" (%s): built for plugin ABI %u.%u, this ingestd speaks %d.%d "
                 "(rebuild the plugin against this ingestd's plugin.h)",
                 name, path, d->abi_major, d->abi_minor, INGESTD_ABI_MAJOR, INGESTD_ABI_MINOR);
        goto refuse;
    }
    if (d->abi_minor > INGESTD_ABI_MINOR) {
        snprintf(err, errlen,
                 "plugin \"%s\" (%s): needs plugin ABI %u.%u, this ingestd speaks %d.%d "
                 "(upgrade ingestd)",
                 name, path, d->abi_major, d->abi_minor, INGESTD_ABI_MAJOR, INGESTD_ABI_MINOR);
        goto refuse;
    }
    if (d->struct_size < sizeof(ingestd_plugin)) {
        snprintf(err, errlen,
                 "plugin \"%s\" (%s): descriptor too short (%u bytes, ABI %d.%d needs %zu)", name,
                 path, d->struct_size, INGESTD_ABI_MAJOR, d->abi_minor, sizeof(ingestd_plugin));
        goto refuse;
    }
    if (!d->name || !*d->name || !d->process) {
        snprintf(err, errlen, "plugin \"%s\" (%s): descriptor lacks %s", name, path,
                 !d->process ? "a process function" : "a name");
        goto refuse;
    }
    pipeline_plugin *pp = xcalloc(1, sizeof *pp);
    pp->path = xstrdup(path);
    pp->label = xstrdup(name);
    pp->dl = dl;
    pp->desc = d;
    pp->thread_safe = (d->flags & INGESTD_PLUGIN_THREAD_SAFE) != 0;
    pp->limit_ns =
        (uint64_t)(cfg->plugin_timeout_ms > 0 ? cfg->plugin_timeout_ms : 10000) * 1000000u;
    pthread_mutex_init(&pp->lock, NULL);
    pthread_mutex_init(&pp->active_lock, NULL);
    atomic_init(&pp->warned_err, INT64_MIN / 2);
    atomic_init(&pp->warned_slow, INT64_MIN / 2);
    rec_host_fill(&pp->host, pp, plugin_log);
    *out = pp;
    return 0;
refuse:
    dlclose(dl);
    return rc;
}

int pipeline_plugin_init(pipeline_plugin *pp, const char *config_json, char *err, size_t errlen)
{
    if (pp->desc->init) {
        char perr[512] = "";
        void *state = NULL;
        int irc =
            pp->desc->init(config_json ? config_json : "{}", &pp->host, &state, perr, sizeof perr);
        if (irc != 0) {
            perr[sizeof perr - 1] = '\0';
            snprintf(err, errlen, "plugin \"%s\" (%s): init failed: %s", pp->label, pp->path,
                     perr[0] ? perr : "no reason given");
            return -ECANCELED;
        }
        pp->state = state;
    }
    pp->initialized = true;
    return 0;
}

const ingestd_plugin *pipeline_plugin_descriptor(const pipeline_plugin *pp)
{
    return pp->desc;
}

const char *pipeline_plugin_path(const pipeline_plugin *pp)
{
    return pp->path;
}

void pipeline_plugin_close(pipeline_plugin *pp)
{
    if (!pp)
        return;
    if (pp->initialized && pp->desc->destroy)
        pp->desc->destroy(pp->state);
    if (pp->dl)
        dlclose(pp->dl);
    pthread_mutex_destroy(&pp->lock);
    pthread_mutex_destroy(&pp->active_lock);
    free(pp->path);
    free(pp->label);
    free(pp);
}

static uint64_t mono_ns(void);

/* The watchdog: every quarter of the time limit (10 ms .. 1 s) it looks at the calls in
 * progress and logs, once per call, each one that has been running longer than the limit. It
 * cannot stop the call (see PLUGINS.md); it makes a hung plugin visible while it hangs. */
static void *watchdog_main(void *arg)
{
    pipeline *p = arg;
    uint64_t limit = p->n ? p->slots[0]->limit_ns : 1000000000u;
    uint64_t interval = limit / 4;
    if (interval < 10000000u)
        interval = 10000000u;
    if (interval > 1000000000u)
        interval = 1000000000u;
    pthread_mutex_lock(&p->wd_lock);
    while (!p->stopping) {
        struct timespec until;
        clock_gettime(CLOCK_MONOTONIC, &until);
        uint64_t ns = (uint64_t)until.tv_nsec + interval;
        until.tv_sec += (time_t)(ns / 1000000000u);
        until.tv_nsec = (long)(ns % 1000000000u);
        pthread_cond_timedwait(&p->wd_cond, &p->wd_lock, &until);
        if (p->stopping)
            break;
        uint64_t now = mono_ns();
        for (size_t i = 0; i < p->n; i++) {
            pipeline_plugin *pp = p->slots[i];
            pthread_mutex_lock(&pp->active_lock);
            for (struct active_call *c = pp->active; c; c = c->next) {
                if (c->reported || now - c->t0 <= pp->limit_ns)
                    continue;
                c->reported = true;
                log_warn("plugin %s: still running after %llu ms on article %s, over the time "
                         "limit of %llu ms (the call cannot be aborted; its worker is held)",
                         pp->desc->name, (unsigned long long)((now - c->t0) / 1000000u),
                         c->source ? c->source : "?",
                         (unsigned long long)(pp->limit_ns / 1000000u));
            }
            pthread_mutex_unlock(&pp->active_lock);
        }
    }
    pthread_mutex_unlock(&p->wd_lock);
    return NULL;
}

static void watchdog_start(pipeline *p)
{
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&p->wd_cond, &ca);
    pthread_condattr_destroy(&ca);
    pthread_mutex_init(&p->wd_lock, NULL);
    if (pthread_create(&p->watchdog, NULL, watchdog_main, p) == 0)
        p->watchdog_started = true;
    else
        log_warn("cannot start the plugin watchdog thread; hung plugins are reported only "
                 "when their call returns");
}

static void watchdog_stop(pipeline *p)
{
    if (!p->watchdog_started)
        return;
    pthread_mutex_lock(&p->wd_lock);
    p->stopping = true;
    pthread_cond_signal(&p->wd_cond);
    pthread_mutex_unlock(&p->wd_lock);
    pthread_join(p->watchdog, NULL);
    pthread_cond_destroy(&p->wd_cond);
    pthread_mutex_destroy(&p->wd_lock);
    p->watchdog_started = false;
}

int pipeline_build(const config *cfg, pipeline **out, char *err, size_t errlen)
{
    *out = NULL;
    pipeline *p = xcalloc(1, sizeof *p);
    p->slots = xcalloc(cfg->n_plugins ? cfg->n_plugins : 1, sizeof *p->slots);
    for (size_t i = 0; i < cfg->n_plugins; i++) {
        pipeline_plugin *slot = NULL;
        int rc = pipeline_plugin_open(cfg, cfg->plugins[i].name, &slot, err, errlen);
        if (rc) {
            pipeline_free(p);
            return rc;
        }
        p->slots[i] = slot;
        p->n = i + 1;
        for (size_t j = 0; j < i; j++) {
            if (strcmp(p->slots[j]->desc->name, slot->desc->name) == 0) {
                snprintf(err, errlen,
                         "plugin \"%s\" appears twice in the chain (plugins[%zu] and "
                         "plugins[%zu])",
                         slot->desc->name, j, i);
                pipeline_free(p);
                return -EINVAL;
            }
        }
        rc = pipeline_plugin_init(slot, cfg->plugins[i].config_json, err, errlen);
        if (rc) {
            pipeline_free(p);
            return rc;
        }
        log_info("plugin %s %s loaded from %s%s", slot->desc->name,
                 slot->desc->version ? slot->desc->version : "", slot->path,
                 slot->thread_safe ? "" : " (not thread-safe: calls serialized)");
    }
    if (p->n)
        watchdog_start(p);
    *out = p;
    return 0;
}

void pipeline_free(pipeline *p)
{
    if (!p)
        return;
    watchdog_stop(p);
    for (size_t i = p->n; i-- > 0;)
        pipeline_plugin_close(p->slots[i]);
    free(p->slots);
    free(p);
}

static uint64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* The first non-empty line of the body, trimmed and cut at ~300 bytes on a UTF-8 boundary. */
static void fallback_title(ingestd_record *rec)
{
    size_t len;
    const char *body = rec_get(rec, INGESTD_FIELD_BODY, &len);
    if (!body)
        return;
    size_t i = 0;
    while (i < len) {
        size_t start = i;
        while (i < len && body[i] != '\n')
            i++;
        size_t end = i;
        while (start < end && (body[start] == ' ' || body[start] == '\t' || body[start] == '\r'))
            start++;
        while (end > start &&
               (body[end - 1] == ' ' || body[end - 1] == '\t' || body[end - 1] == '\r'))
            end--;
        if (end > start) {
            size_t n = end - start;
            if (n > 300) {
                n = 300;
                while (n > 0 && ((unsigned char)body[start + n] & 0xC0) == 0x80)
                    n--;
            }
            rec_set(rec, INGESTD_FIELD_TITLE, body + start, n);
            return;
        }
        i++;
    }
}

/* True (and the caller should log) when no warning of this kind was logged in the last
 * WARN_INTERVAL_MS; at most one thread wins. */
static bool warn_due(atomic_llong *last)
{
    long long now = (long long)(mono_ns() / 1000000u);
    long long prev = atomic_load(last);
    return now - prev >= WARN_INTERVAL_MS && atomic_compare_exchange_strong(last, &prev, now);
}

/* Histogram bucket of a duration: exact below 4 ns, then 4 buckets per power of two (the two
 * bits after the leading one), so a bucket spans at most 25% of its lower bound. */
static size_t hist_bucket(uint64_t ns)
{
    if (ns < 4)
        return (size_t)ns;
    int msb = 63 - __builtin_clzll(ns);
    return (size_t)msb * 4 + (size_t)((ns >> (msb - 2)) & 3);
}

/* The largest duration in bucket b (inverse of hist_bucket). */
static uint64_t hist_upper(size_t b)
{
    if (b < 4)
        return b;
    size_t msb = b / 4, sub = b % 4;
    return ((uint64_t)(4 + sub + 1) << (msb - 2)) - 1;
}

static void atomic_max(atomic_ullong *a, unsigned long long v)
{
    unsigned long long cur = atomic_load(a);
    while (v > cur && !atomic_compare_exchange_weak(a, &cur, v)) {
    }
}

ingestd_verdict pipeline_plugin_process(pipeline_plugin *pp, ingestd_record *rec,
                                        uint64_t *elapsed_ns)
{
    rec_clear_failure(rec);
    if (!pp->thread_safe)
        pthread_mutex_lock(&pp->lock);
    uint64_t t0 = mono_ns();
    struct active_call call = {
        .t0 = t0, .source = rec_get(rec, INGESTD_FIELD_SOURCE, NULL), .reported = false};
    pthread_mutex_lock(&pp->active_lock);
    call.next = pp->active;
    if (pp->active)
        pp->active->prev = &call;
    pp->active = &call;
    pthread_mutex_unlock(&pp->active_lock);
    ingestd_verdict v = pp->desc->process(pp->state, rec, &pp->host);
    uint64_t dt = mono_ns() - t0;
    pthread_mutex_lock(&pp->active_lock);
    if (call.prev)
        call.prev->next = call.next;
    else
        pp->active = call.next;
    if (call.next)
        call.next->prev = call.prev;
    pthread_mutex_unlock(&pp->active_lock);
    if (!pp->thread_safe)
        pthread_mutex_unlock(&pp->lock);
    if (elapsed_ns)
        *elapsed_ns = dt;
    atomic_fetch_add(&pp->total_ns, dt);
    atomic_max(&pp->max_ns, dt);
    atomic_fetch_add(&pp->hist[hist_bucket(dt)], 1);
    atomic_fetch_add(&pp->calls, 1);
    if (dt > pp->limit_ns) {
        atomic_fetch_add(&pp->slow, 1);
        if (warn_due(&pp->warned_slow)) {
            unsigned long long more = atomic_exchange(&pp->slow_unreported, 0);
            const char *src = rec_get(rec, INGESTD_FIELD_SOURCE, NULL);
            char extra[96] = "";
            if (more)
                snprintf(extra, sizeof extra, "; %llu more slow calls since the last warning",
                         more);
            log_warn("plugin %s: took %llu ms on article %s, over the time limit of %llu ms "
                     "(plugin_timeout_ms; the call was not aborted)%s",
                     pp->desc->name, (unsigned long long)(dt / 1000000u), src ? src : "?",
                     (unsigned long long)(pp->limit_ns / 1000000u), extra);
        } else {
            atomic_fetch_add(&pp->slow_unreported, 1);
        }
    }
    if (v == INGESTD_OK) {
        atomic_fetch_add(&pp->ok, 1);
        atomic_store(&pp->error_run, 0);
    } else if (v == INGESTD_DROP) {
        atomic_fetch_add(&pp->drops, 1);
        atomic_store(&pp->error_run, 0);
    } else {
        atomic_fetch_add(&pp->errors, 1);
        unsigned long long run = atomic_fetch_add(&pp->error_run, 1) + 1;
        if (run >= PIPELINE_ERROR_WINDOW && warn_due(&pp->warned_err)) {
            unsigned long long calls = atomic_load(&pp->calls);
            unsigned long long errors = atomic_load(&pp->errors);
            const char *why = rec_failure(rec);
            log_warn("plugin %s: returned an error for each of the last %llu articles (error "
                     "rate %.1f%% of %llu calls); last reason: %s",
                     pp->desc->name, run, calls ? 100.0 * (double)errors / (double)calls : 0.0,
                     calls,
                     v != INGESTD_ERROR ? "invalid verdict"
                     : why && *why      ? why
                                        : "no reason given");
        }
    }
    return v;
}

void pipeline_run(pipeline *p, ingestd_record *rec, pipeline_outcome *out)
{
    out->verdict = INGESTD_OK;
    out->who = NULL;
    out->reason[0] = '\0';
    for (size_t i = 0; i < p->n; i++) {
        pipeline_plugin *slot = p->slots[i];
        ingestd_verdict v = pipeline_plugin_process(slot, rec, NULL);
        if (v == INGESTD_OK)
            continue;
        out->who = slot->desc->name;
        if (v == INGESTD_DROP) {
            out->verdict = INGESTD_DROP;
            snprintf(out->reason, sizeof out->reason, "dropped by plugin %s", slot->desc->name);
            return;
        }
        out->verdict = INGESTD_ERROR;
        const char *why = rec_failure(rec);
        if (v != INGESTD_ERROR)
            snprintf(out->reason, sizeof out->reason, "invalid verdict %d", (int)v);
        else
            snprintf(out->reason, sizeof out->reason, "%s", why && *why ? why : "no reason given");
        return;
    }
    if (!rec_get(rec, INGESTD_FIELD_TITLE, NULL))
        fallback_title(rec);
    rec_compute_uid(rec);
}

/* The p99 of the call durations in microseconds: the upper bound of the bucket holding it. */
static double hist_p99_us(const pipeline_plugin *s)
{
    unsigned long long total = 0, seen = 0;
    for (size_t b = 0; b < PIPELINE_HIST_BUCKETS; b++)
        total += atomic_load((atomic_ullong *)&s->hist[b]);
    if (total == 0)
        return 0.0;
    unsigned long long target = total - total / 100; /* ceil(0.99 * total) for total >= 1 */
    for (size_t b = 0; b < PIPELINE_HIST_BUCKETS; b++) {
        seen += atomic_load((atomic_ullong *)&s->hist[b]);
        if (seen >= target)
            return (double)hist_upper(b) / 1000.0;
    }
    return (double)hist_upper(PIPELINE_HIST_BUCKETS - 1) / 1000.0;
}

json_t *pipeline_stats(const pipeline *p)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < p->n; i++) {
        const pipeline_plugin *s = p->slots[i];
        unsigned long long calls = atomic_load(&s->calls);
        unsigned long long errors = atomic_load(&s->errors);
        unsigned long long total_ns = atomic_load(&s->total_ns);
        json_t *o = json_pack(
            "{s:s, s:s, s:s, s:b, s:I, s:I, s:I, s:I, s:f, s:b, s:I, s:I, s:f, s:I}", "name",
            s->desc->name, "version", s->desc->version ? s->desc->version : "", "path", s->path,
            "thread_safe", s->thread_safe, "calls", (json_int_t)calls, "ok",
            (json_int_t)atomic_load(&s->ok), "drops", (json_int_t)atomic_load(&s->drops), "errors",
            (json_int_t)errors, "error_rate", calls ? (double)errors / (double)calls : 0.0,
            "failing", atomic_load(&s->error_run) >= PIPELINE_ERROR_WINDOW, "slow_calls",
            (json_int_t)atomic_load(&s->slow), "max_us",
            (json_int_t)(atomic_load(&s->max_ns) / 1000), "mean_us",
            calls ? (double)total_ns / 1000.0 / (double)calls : 0.0, "total_us",
            (json_int_t)(total_ns / 1000));
        json_object_set_new(o, "p99_us", json_real(hist_p99_us(s)));
        json_array_append_new(arr, o);
    }
    return arr;
}
size_t pipeline_size(const pipeline *p)
{
    return p ? p->n : 0;
}

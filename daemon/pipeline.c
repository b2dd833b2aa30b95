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

struct plugin_slot {
    char *path;
    char *label; /* for log lines: "plugin NAME" */
    void *dl;
    const ingestd_plugin *desc;
    void *state;
    bool initialized;
    bool thread_safe;
    pthread_mutex_t lock; /* serializes process() of plugins without the thread-safe flag */
    ingestd_host host;
    atomic_ullong calls, ok, drops, errors, total_ns;
};

struct pipeline {
    struct plugin_slot *slots;
    size_t n;
};

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
    const struct plugin_slot *slot = handle;
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

/* Find the .so for a chain entry: a path is used as is; a name is searched in the built-in
 * folder, then in plugin_dirs. */
static int locate(const config *cfg, const char *name, char *out, size_t outlen, char *err,
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
    const char *builtin = pipeline_builtin_dir();
    for (size_t i = 0; i <= cfg->n_plugin_dirs; i++) {
        const char *dir = i == 0 ? builtin : cfg->plugin_dirs[i - 1];
        snprintf(out, outlen, "%s/%s.so", dir, name);
        if (file_exists(out))
            return 0;
        size_t used = strlen(tried);
        snprintf(tried + used, sizeof tried - used, "%s%s", used ? ", " : "", dir);
    }
    snprintf(err, errlen, "plugin \"%s\": not found (searched %s)", name, tried);
    return -ENOENT;
}

static int load_slot(struct plugin_slot *slot, const config *cfg, const cfg_plugin *cp, char *err,
                     size_t errlen)
{
    char path[PATH_MAX];
    int rc = locate(cfg, cp->name, path, sizeof path, err, errlen);
    if (rc)
        return rc;
    slot->path = xstrdup(path);
    dlerror();
    slot->dl = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!slot->dl) {
        const char *why = dlerror();
        snprintf(err, errlen, "plugin \"%s\" (%s): cannot load: %s", cp->name, path,
                 why ? why : "dlopen failed");
        return -ELIBBAD;
    }
    void *sym = dlsym(slot->dl, INGESTD_PLUGIN_ENTRY_SYMBOL);
    if (!sym) {
        snprintf(err, errlen, "plugin \"%s\" (%s): missing entry symbol %s()", cp->name, path,
                 INGESTD_PLUGIN_ENTRY_SYMBOL);
        return -ELIBBAD;
    }
    ingestd_plugin_entry_fn entry;
    memcpy(&entry, &sym, sizeof entry);
    const ingestd_plugin *d = entry();
    if (!d) {
        snprintf(err, errlen, "plugin \"%s\" (%s): entry function returned no descriptor", cp->name,
                 path);
        return -ELIBBAD;
    }
    /* struct_size and the ABI version come first in every major; check them before anything */
    if (d->struct_size < offsetof(ingestd_plugin, name)) {
        snprintf(err, errlen, "plugin \"%s\" (%s): descriptor too short (%u bytes)", cp->name, path,
                 d->struct_size);
        return -ELIBBAD;
    }
    if (d->abi_major != INGESTD_ABI_MAJOR) {
        snprintf(err, errlen,
                 "plugin \"%s\" (%s): built for plugin ABI %u.%u, this ingestd speaks %d.%d "
                 "(rebuild the plugin against this ingestd's plugin.h)",
                 cp->name, path, d->abi_major, d->abi_minor, INGESTD_ABI_MAJOR, INGESTD_ABI_MINOR);
        return -ELIBBAD;
    }
    if (d->abi_minor > INGESTD_ABI_MINOR) {
        snprintf(err, errlen,
                 "plugin \"%s\" (%s): needs plugin ABI %u.%u, this ingestd speaks %d.%d "
                 "(upgrade ingestd)",
                 cp->name, path, d->abi_major, d->abi_minor, INGESTD_ABI_MAJOR, INGESTD_ABI_MINOR);
        return -ELIBBAD;
    }
    if (d->struct_size < sizeof(ingestd_plugin)) {
        snprintf(err, errlen,
                 "plugin \"%s\" (%s): descriptor too short (%u bytes, ABI %d.%d needs %zu)",
                 cp->name, path, d->struct_size, INGESTD_ABI_MAJOR, d->abi_minor,
                 sizeof(ingestd_plugin));
        return -ELIBBAD;
    }
    if (!d->name || !*d->name || !d->process) {
        snprintf(err, errlen, "plugin \"%s\" (%s): descriptor lacks %s", cp->name, path,
                 !d->process ? "a process function" : "a name");
        return -ELIBBAD;
    }
    slot->desc = d;
    slot->thread_safe = (d->flags & INGESTD_PLUGIN_THREAD_SAFE) != 0;
    rec_host_fill(&slot->host, slot, plugin_log);
    if (d->init) {
        char perr[512] = "";
        void *state = NULL;
        int irc = d->init(cp->config_json, &slot->host, &state, perr, sizeof perr);
        if (irc != 0) {
            perr[sizeof perr - 1] = '\0';
            snprintf(err, errlen, "plugin \"%s\" (%s): init failed: %s", cp->name, path,
                     perr[0] ? perr : "no reason given");
            return -ECANCELED;
        }
        slot->state = state;
    }
    slot->initialized = true;
    return 0;
}

static void unload_slot(struct plugin_slot *slot)
{
    if (slot->initialized && slot->desc->destroy)
        slot->desc->destroy(slot->state);
    if (slot->dl)
        dlclose(slot->dl);
    pthread_mutex_destroy(&slot->lock);
    free(slot->path);
    free(slot->label);
}

int pipeline_build(const config *cfg, pipeline **out, char *err, size_t errlen)
{
    *out = NULL;
    pipeline *p = xcalloc(1, sizeof *p);
    p->slots = xcalloc(cfg->n_plugins ? cfg->n_plugins : 1, sizeof *p->slots);
    for (size_t i = 0; i < cfg->n_plugins; i++) {
        struct plugin_slot *slot = &p->slots[i];
        pthread_mutex_init(&slot->lock, NULL);
        p->n = i + 1;
        int rc = load_slot(slot, cfg, &cfg->plugins[i], err, errlen);
        if (rc) {
            pipeline_free(p);
            return rc;
        }
        for (size_t j = 0; j < i; j++) {
            if (strcmp(p->slots[j].desc->name, slot->desc->name) == 0) {
                snprintf(err, errlen,
                         "plugin \"%s\" appears twice in the chain (plugins[%zu] and "
                         "plugins[%zu])",
                         slot->desc->name, j, i);
                pipeline_free(p);
                return -EINVAL;
            }
        }
        log_info("plugin %s %s loaded from %s%s", slot->desc->name,
                 slot->desc->version ? slot->desc->version : "", slot->path,
                 slot->thread_safe ? "" : " (not thread-safe: calls serialized)");
    }
    *out = p;
    return 0;
}

void pipeline_free(pipeline *p)
{
    if (!p)
        return;
    for (size_t i = p->n; i-- > 0;)
        unload_slot(&p->slots[i]);
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

void pipeline_run(pipeline *p, ingestd_record *rec, pipeline_outcome *out)
{
    out->verdict = INGESTD_OK;
    out->who = NULL;
    out->reason[0] = '\0';
    for (size_t i = 0; i < p->n; i++) {
        struct plugin_slot *slot = &p->slots[i];
        rec_clear_failure(rec);
        uint64_t t0 = mono_ns();
        if (!slot->thread_safe)
            pthread_mutex_lock(&slot->lock);
        ingestd_verdict v = slot->desc->process(slot->state, rec, &slot->host);
        if (!slot->thread_safe)
            pthread_mutex_unlock(&slot->lock);
        atomic_fetch_add(&slot->total_ns, mono_ns() - t0);
        atomic_fetch_add(&slot->calls, 1);
        if (v == INGESTD_OK) {
            atomic_fetch_add(&slot->ok, 1);
            continue;
        }
        out->who = slot->desc->name;
        if (v == INGESTD_DROP) {
            atomic_fetch_add(&slot->drops, 1);
            out->verdict = INGESTD_DROP;
            snprintf(out->reason, sizeof out->reason, "dropped by plugin %s", slot->desc->name);
            return;
        }
        atomic_fetch_add(&slot->errors, 1);
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

json_t *pipeline_stats(const pipeline *p)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < p->n; i++) {
        const struct plugin_slot *s = &p->slots[i];
        unsigned long long calls = atomic_load(&s->calls);
        unsigned long long total_ns = atomic_load(&s->total_ns);
        json_array_append_new(
            arr,
            json_pack("{s:s, s:s, s:s, s:b, s:I, s:I, s:I, s:I, s:f, s:I}", "name", s->desc->name,
                      "version", s->desc->version ? s->desc->version : "", "path", s->path,
                      "thread_safe", s->thread_safe, "calls", (json_int_t)calls, "ok",
                      (json_int_t)atomic_load(&s->ok), "drops", (json_int_t)atomic_load(&s->drops),
                      "errors", (json_int_t)atomic_load(&s->errors), "mean_us",
                      calls ? (double)total_ns / 1000.0 / (double)calls : 0.0, "total_us",
                      (json_int_t)(total_ns / 1000)));
    }
    return arr;
}

size_t pipeline_size(const pipeline *p)
{
    return p ? p->n : 0;
}

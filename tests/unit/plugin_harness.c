/*
 * plugin_harness - see plugin_harness.h.
 */
#include "plugin_harness.h"

#include <dlfcn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct ph_plugin {
    void *dl;
    const ingestd_plugin *desc;
    void *state;
    ingestd_host host;
};

static void ph_log(const void *handle, int level, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "[plugin %s] <%d> ", (const char *)handle, level);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

ph_plugin *ph_load(const char *name, const char *config_json)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s.so", PLUGIN_BUILD_DIR, name);
    ph_plugin *p = calloc(1, sizeof *p);
    p->dl = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!p->dl) {
        fprintf(stderr, "ph_load: %s\n", dlerror());
        abort();
    }
    ingestd_plugin_entry_fn entry =
        (ingestd_plugin_entry_fn)(uintptr_t)dlsym(p->dl, INGESTD_PLUGIN_ENTRY_SYMBOL);
    if (!entry) {
        fprintf(stderr, "ph_load: %s: no entry symbol\n", path);
        abort();
    }
    p->desc = entry();
    if (!p->desc || p->desc->abi_major != INGESTD_ABI_MAJOR ||
        p->desc->struct_size < sizeof(ingestd_plugin) || !p->desc->process) {
        fprintf(stderr, "ph_load: %s: bad descriptor\n", path);
        abort();
    }
    rec_host_fill(&p->host, p->desc->name, ph_log);
    char err[512] = "";
    if (p->desc->init &&
        p->desc->init(config_json ? config_json : "{}", &p->host, &p->state, err, sizeof err)) {
        fprintf(stderr, "ph_load: %s: init failed: %s\n", path, err);
        abort();
    }
    return p;
}

void ph_unload(ph_plugin *p)
{
    if (!p)
        return;
    if (p->desc->destroy)
        p->desc->destroy(p->state);
    dlclose(p->dl);
    free(p);
}

ingestd_record *ph_record(const char *text)
{
    ingestd_record *rec = rec_new("file", "/test/article.txt", 1761559200000LL, text, strlen(text));
    if (!rec) {
        fprintf(stderr, "ph_record: text is not valid UTF-8\n");
        abort();
    }
    return rec;
}

ingestd_verdict ph_process(ph_plugin *p, ingestd_record *rec)
{
    return p->desc->process(p->state, rec, &p->host);
}

const char *ph_get(const ingestd_record *rec, ingestd_field field)
{
    return rec_get(rec, field, NULL);
}

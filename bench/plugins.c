/*
 * bench_plugins - cost of each built-in plugin alone, and of the chain, through the public ABI:
 * the .so is dlopen'ed, its descriptor checked and init'ed exactly as the daemon does, and
 * process() is timed on records built from the files of a folder (record creation is not
 * counted). Prints µs per article, µs per 4 KB of input and MB/s, one line per plugin.
 *
 * Usage: bench_plugins PLUGIN_DIR DATA_DIR [MAX_FILES] [PLUGIN...]
 *        (default plugins: datetime cleanup langdetect, plus "chain" = all of them in order)
 */
#include <dirent.h>
#include <dlfcn.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ingestd/plugin.h"
#include "record.h"

#define MAX_PLUGINS 8

typedef struct loaded {
    const ingestd_plugin *desc;
    void *state;
    ingestd_host host;
} loaded;

typedef struct text {
    char *data;
    size_t len;
} text;

static void quiet_log(const void *handle, int level, const char *fmt, ...)
{
    (void)handle;
    (void)level;
    (void)fmt;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int load(const char *dir, const char *name, loaded *out)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s.so", dir, name);
    void *dl = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!dl) {
        fprintf(stderr, "bench_plugins: %s\n", dlerror());
        return -1;
    }
    ingestd_plugin_entry_fn entry =
        (ingestd_plugin_entry_fn)(uintptr_t)dlsym(dl, INGESTD_PLUGIN_ENTRY_SYMBOL);
    const ingestd_plugin *d = entry ? entry() : NULL;
    if (!d || d->abi_major != INGESTD_ABI_MAJOR || d->struct_size < sizeof(ingestd_plugin) ||
        !d->process) {
        fprintf(stderr, "bench_plugins: %s: no valid descriptor\n", path);
        return -1;
    }
    out->desc = d;
    rec_host_fill(&out->host, d->name, quiet_log);
    char err[512] = "";
    if (d->init && d->init("{}", &out->host, &out->state, err, sizeof err) != 0) {
        fprintf(stderr, "bench_plugins: %s: init failed: %s\n", path, err);
        return -1;
    }
    return 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static size_t read_texts(const char *dir, size_t max, text **out)
{
    DIR *dh = opendir(dir);
    if (!dh) {
        perror(dir);
        exit(1);
    }
    size_t n = 0, cap = 1024;
    char **names = malloc(cap * sizeof *names);
    struct dirent *de;
    while ((de = readdir(dh)) != NULL) {
        if (de->d_name[0] == '.')
            continue;
        if (n == cap)
            names = realloc(names, (cap *= 2) * sizeof *names);
        names[n++] = strdup(de->d_name);
    }
    closedir(dh);
    qsort(names, n, sizeof *names, cmp_str);
    if (n > max)
        n = max;
    text *t = calloc(n ? n : 1, sizeof *t);
    size_t got = 0;
    for (size_t i = 0; i < n; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        FILE *f = fopen(path, "rb");
        if (f) {
            fseek(f, 0, SEEK_END);
            long len = ftell(f);
            rewind(f);
            t[got].data = malloc((size_t)len + 1);
            t[got].len = fread(t[got].data, 1, (size_t)len, f);
            t[got].data[t[got].len] = '\0';
            fclose(f);
            got++;
        }
    }
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    *out = t;
    return got;
}

/* Run plugins[0..np) on every text; only the process() calls are timed. */
static void run(const char *label, loaded *pl, size_t np, text *t, size_t n)
{
    double total = 0;
    size_t bytes = 0, errors = 0;
    for (size_t i = 0; i < n; i++) {
        ingestd_record *rec =
            rec_new("file", "/bench/article.txt", 1761559200000LL, t[i].data, t[i].len);
        if (!rec)
            continue;
        double t0 = now_s();
        for (size_t k = 0; k < np; k++) {
            if (pl[k].desc->process(pl[k].state, rec, &pl[k].host) != INGESTD_OK) {
                errors++;
                break;
            }
        }
        total += now_s() - t0;
        bytes += t[i].len;
        rec_free(rec);
    }
    double us = total * 1e6 / (double)n;
    double us4k = total * 1e6 / ((double)bytes / 4096.0);
    printf("plugin=%s articles=%zu avg_bytes=%.0f us_per_article=%.1f us_per_4kb=%.1f "
           "mb_per_s=%.1f not_ok=%zu\n",
           label, n, (double)bytes / (double)n, us, us4k, (double)bytes / 1e6 / total, errors);
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: bench_plugins PLUGIN_DIR DATA_DIR [MAX_FILES] [PLUGIN...]\n");
        return 2;
    }
    size_t max = argc > 3 ? (size_t)atol(argv[3]) : 5000;
    const char *defaults[] = {"datetime", "cleanup", "langdetect"};
    const char **names = argc > 4 ? (const char **)argv + 4 : defaults;
    size_t np = argc > 4 ? (size_t)(argc - 4) : 3;
    if (np > MAX_PLUGINS)
        np = MAX_PLUGINS;
    loaded pl[MAX_PLUGINS];
    for (size_t k = 0; k < np; k++)
        if (load(argv[1], names[k], &pl[k]) != 0)
            return 1;
    text *t = NULL;
    size_t n = read_texts(argv[2], max, &t);
    if (n == 0) {
        fprintf(stderr, "bench_plugins: no files in %s\n", argv[2]);
        return 1;
    }
    run("warmup", pl, np, t, n < 200 ? n : 200);
    for (size_t k = 0; k < np; k++)
        run(names[k], &pl[k], 1, t, n);
    run("chain", pl, np, t, n);
    for (size_t k = 0; k < np; k++)
        if (pl[k].desc->destroy)
            pl[k].desc->destroy(pl[k].state);
    for (size_t i = 0; i < n; i++)
        free(t[i].data);
    free(t);
    return 0;
}

/*
 * cleanup_quality - the quality and speed benchmark of the cleanup plugin. Runs the real
 * cleanup.so (through the plugin ABI, tests/unit/plugin_harness) over the labelled set made by
 * gen_set.py, in file order and with each article's source folder, and prints Markdown tables:
 * per language, the share of distinct content sentences that survive, the share of injected
 * duplicates left exactly once, the share of noise lines gone, the title; then the learned
 * site footer before and after the learning threshold; then the CPU time per article and per
 * 4 KB article (meta JSON included, as the host parses it on every call) and the meta size.
 *
 * Usage: cleanup_quality [SET_DIR] [-v] [-r N]   (-v lists every failed label; -r N repeats
 * the speed runs N times and reports the fastest, for a machine shared with other work; -n P
 * runs P% of the default timing rounds, e.g. under valgrind; -s times only the seed articles)
 * Exit status 0 when every goal is met (100% survival, 100% noise removal, all titles).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "plugin_harness.h"

#ifndef SOURCE_DIR
#define SOURCE_DIR "."
#endif

typedef struct stats {
    char lang[8];
    int articles;
    int keep, keep_ok, keep_once; /* distinct sentences: total, survived, exactly once */
    int once, once_ok;            /* injected duplicates: total, left exactly once */
    int gone, gone_ok;            /* noise lines: total, gone */
    int title_ok;
} stats;

static char *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    *len = fread(buf, 1, (size_t)n, f);
    buf[*len] = '\0';
    fclose(f);
    return buf;
}

static int count_of(const char *hay, const char *needle)
{
    int n = 0;
    size_t nl = strlen(needle);
    if (!hay || !nl)
        return 0;
    for (const char *p = hay; (p = strstr(p, needle)) != NULL; p += nl)
        n++;
    return n;
}

static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static stats *stats_for(stats *all, int *n, const char *lang)
{
    for (int i = 0; i < *n; i++)
        if (strcmp(all[i].lang, lang) == 0)
            return &all[i];
    stats *s = &all[(*n)++];
    memset(s, 0, sizeof *s);
    snprintf(s->lang, sizeof s->lang, "%s", lang);
    return s;
}

static double pct(int a, int b)
{
    return b ? 100.0 * a / b : 100.0;
}

int main(int argc, char **argv)
{
    const char *dir = SOURCE_DIR "/bench/quality/cleanup/set";
    int verbose = 0, repeat = 1, scale = 100; /* -n: percent of the default timing rounds */
    int seeds_only = 0;                       /* -s: time the seed articles only (profiling) */
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-v") == 0)
            verbose = 1;
        else if (strcmp(argv[i], "-r") == 0 && i + 1 < argc)
            repeat = atoi(argv[++i]);
        else if (strcmp(argv[i], "-n") == 0 && i + 1 < argc)
            scale = atoi(argv[++i]);
        else if (strcmp(argv[i], "-s") == 0)
            seeds_only = 1;
        else
            dir = argv[i];
    }
    char path[4096];
    snprintf(path, sizeof path, "%s/labels.json", dir);
    json_error_t jerr;
    json_t *root = json_load_file(path, 0, &jerr);
    if (!root) {
        fprintf(stderr, "cleanup_quality: %s: %s\n", path, jerr.text);
        return 2;
    }
    int min_articles = (int)json_integer_value(json_object_get(root, "min_articles"));
    json_t *arts = json_object_get(root, "articles");
    size_t n_arts = json_array_size(arts);

    ph_plugin *p = ph_load("cleanup", "{\"learn_boilerplate\": true}");
    stats per[64], total = {.lang = "all"};
    int n_per = 0;
    int learn_before = 0, learn_before_kept = 0, learn_after = 0, learn_after_gone = 0;
    int source_seen[64] = {0};
    char sources[64][64];
    int n_sources = 0;
    size_t meta_bytes = 0, meta_max = 0, bytes_total = 0;

    for (size_t a = 0; a < n_arts; a++) {
        json_t *L = json_array_get(arts, a);
        const char *file = json_string_value(json_object_get(L, "file"));
        const char *lang = json_string_value(json_object_get(L, "lang"));
        const char *source = json_string_value(json_object_get(L, "source"));
        snprintf(path, sizeof path, "%s/%s", dir, file);
        size_t len;
        char *text = read_all(path, &len);
        if (!text) {
            fprintf(stderr, "cleanup_quality: cannot read %s\n", path);
            return 2;
        }
        bytes_total += len;
        char src_path[256];
        snprintf(src_path, sizeof src_path, "/bench/%s/%s", source, file);
        ingestd_record *rec = rec_new("file", src_path, 0, text, len);
        ph_process(p, rec);
        const char *body = ph_get(rec, INGESTD_FIELD_BODY);
        const char *title = ph_get(rec, INGESTD_FIELD_TITLE);
        stats *s = stats_for(per, &n_per, lang);
        s->articles++;
        total.articles++;

        size_t i;
        json_t *v;
        json_array_foreach(json_object_get(L, "keep"), i, v)
        {
            int c = count_of(body, json_string_value(v));
            s->keep++, total.keep++;
            s->keep_ok += c >= 1, total.keep_ok += c >= 1;
            s->keep_once += c == 1, total.keep_once += c == 1;
            if (verbose && c != 1)
                printf("  %s: keep x%d: %s\n", file, c, json_string_value(v));
        }
        json_array_foreach(json_object_get(L, "once"), i, v)
        {
            int c = count_of(body, json_string_value(v));
            s->once++, total.once++;
            s->once_ok += c == 1, total.once_ok += c == 1;
            if (verbose && c != 1)
                printf("  %s: once x%d: %s\n", file, c, json_string_value(v));
        }
        json_array_foreach(json_object_get(L, "gone"), i, v)
        {
            int c = count_of(body, json_string_value(v));
            s->gone++, total.gone++;
            s->gone_ok += c == 0, total.gone_ok += c == 0;
            if (verbose && c != 0)
                printf("  %s: gone x%d: %s\n", file, c, json_string_value(v));
        }
        const char *want = json_string_value(json_object_get(L, "title"));
        int tok = title && strcmp(title, want) == 0;
        s->title_ok += tok, total.title_ok += tok;
        if (verbose && !tok)
            printf("  %s: title \"%s\"\n", file, title ? title : "(null)");

        /* The site footer: kept while the source has fewer than min_articles articles. */
        int si = 0;
        while (si < n_sources && strcmp(sources[si], source) != 0)
            si++;
        if (si == n_sources && n_sources < 64)
            snprintf(sources[n_sources++], sizeof sources[0], "%s", source);
        const char *footer = json_string_value(json_object_get(L, "learn"));
        if (footer) {
            int c = count_of(body, footer);
            if (source_seen[si] < min_articles) {
                learn_before++;
                learn_before_kept += c == 1;
            } else {
                learn_after++;
                learn_after_gone += c == 0;
                if (verbose && c)
                    printf("  %s: footer not learned\n", file);
            }
        }
        source_seen[si]++;

        char *m = json_dumps(json_object_get(rec_meta(rec), "cleanup"), JSON_COMPACT);
        size_t ml = m ? strlen(m) : 0;
        free(m);
        meta_bytes += ml;
        if (ml > meta_max)
            meta_max = ml;
        rec_free(rec);
        free(text);
    }
    ph_unload(p);

    printf("### Quality: cleanup\n\n");
    printf("Labelled set: %zu articles in %d languages (bench/quality/cleanup/set, made by "
           "gen_set.py from texts.py).\n\n",
           n_arts, n_per);
    printf("| lang | articles | sentences kept | kept exactly once | duplicates left once | "
           "noise lines gone | title |\n");
    printf("|---|---:|---:|---:|---:|---:|---:|\n");
    for (int k = 0; k <= n_per; k++) {
        stats *s = k < n_per ? &per[k] : &total;
        printf("| %s | %d | %.1f%% | %.1f%% | %.1f%% | %.1f%% | %d/%d |\n", s->lang, s->articles,
               pct(s->keep_ok, s->keep), pct(s->keep_once, s->keep), pct(s->once_ok, s->once),
               pct(s->gone_ok, s->gone), s->title_ok, s->articles);
    }
    printf("\nTotals: %d/%d distinct sentences survive, %d/%d injected duplicates left exactly "
           "once, %d/%d noise lines removed, %d/%d titles.\n",
           total.keep_ok, total.keep, total.once_ok, total.once, total.gone_ok, total.gone,
           total.title_ok, total.articles);
    printf("Learned site footer (source with %d articles, min_articles %d, share 0.6): kept in "
           "%d/%d articles before the threshold, removed in %d/%d after it.\n",
           learn_before + learn_after, min_articles, learn_before_kept, learn_before,
           learn_after_gone, learn_after);
    printf("Meta \"cleanup\" JSON: %.0f bytes on average, %zu at most.\n\n",
           n_arts ? (double)meta_bytes / (double)n_arts : 0.0, meta_max);

    /* Speed: CPU time per call, whole plugin call (host get/set and the meta parse). */
    p = ph_load("cleanup", "{\"learn_boilerplate\": true}");
    char *texts[256];
    size_t lens[256];
    size_t n_t = n_arts < 256 ? n_arts : 256;
    for (size_t a = 0; a < n_t; a++) {
        json_t *L = json_array_get(arts, a);
        snprintf(path, sizeof path, "%s/%s", dir, json_string_value(json_object_get(L, "file")));
        texts[a] = read_all(path, &lens[a]);
    }
    int rounds = seeds_only ? 0 : 2 * scale < 1 ? 1 : 2 * scale;
    ingestd_record *rec = rec_new("file", "/bench/speed/a.txt", 0, "x", 1);
    double per_article = 1e9, t0;
    for (int rep = 0; rep < repeat; rep++) {
        t0 = cpu_now();
        for (int r = 0; r < rounds; r++)
            for (size_t a = 0; a < n_t; a++) {
                rec_set(rec, INGESTD_FIELD_BODY, texts[a], lens[a]);
                rec_set(rec, INGESTD_FIELD_TITLE, NULL, 0);
                ph_process(p, rec);
            }
        double us = (cpu_now() - t0) / (rounds * (double)n_t) * 1e6;
        if (us < per_article)
            per_article = us;
    }
    /* A 4 KB article: set articles of one language family joined up to 4096 bytes. */
    char big[8192];
    size_t bl = 0;
    for (size_t a = 0; a < n_t && bl < 4096; a++) {
        size_t take = lens[a] < 4096 - bl ? lens[a] : 4096 - bl;
        while (take > 0 && take < lens[a] && texts[a][take - 1] != '\n')
            take--;
        if (take == 0)
            break;
        memcpy(big + bl, texts[a], take);
        bl += take;
    }
    rounds = seeds_only ? 0 : 50 * scale < 1 ? 1 : 50 * scale;
    double per_4k = 1e9, host_only = 1e9;
    for (int rep = 0; rep < repeat; rep++) {
        t0 = cpu_now();
        for (int r = 0; r < rounds; r++) {
            rec_set(rec, INGESTD_FIELD_BODY, big, bl);
            rec_set(rec, INGESTD_FIELD_TITLE, NULL, 0);
            ph_process(p, rec);
        }
        double us = (cpu_now() - t0) / rounds * 1e6;
        if (us < per_4k)
            per_4k = us;
        /* The same without the plugin: what resetting the record alone costs. */
        t0 = cpu_now();
        for (int r = 0; r < rounds; r++) {
            rec_set(rec, INGESTD_FIELD_BODY, big, bl);
            rec_set(rec, INGESTD_FIELD_TITLE, NULL, 0);
        }
        us = (cpu_now() - t0) / rounds * 1e6;
        if (us < host_only)
            host_only = us;
    }
    printf("Speed (CPU time, one thread, fastest of %d runs): %.1f us per set article (%.0f bytes "
           "on average), "
           "%.1f us per %zu-byte article (of which %.1f us resetting the record between "
           "calls).\n",
           repeat, per_article, (double)bytes_total / (double)n_arts, per_4k, bl, host_only);
    /* Real scraped news: the shared seed articles (2-4 KB each), when present. */
    static const char *const seeds[] = {"000_7c2edd2a863c2640.txt", "001_eeed494e6ca26612.txt",
                                        "002_7ec5fab1d3816db2.txt", "003_1132590431262ebf.txt",
                                        "004_bf4be9d8b912a7c1.txt"};
    for (size_t k = 0; k < sizeof seeds / sizeof seeds[0]; k++) {
        snprintf(path, sizeof path, "%s/../shared/seeds/%s", SOURCE_DIR, seeds[k]);
        size_t sl;
        char *st = read_all(path, &sl);
        if (!st)
            continue;
        double best = 1e9;
        rounds = 20 * scale < 1 ? 1 : 20 * scale;
        for (int rep = 0; rep < repeat; rep++) {
            t0 = cpu_now();
            for (int r = 0; r < rounds; r++) {
                rec_set(rec, INGESTD_FIELD_BODY, st, sl);
                rec_set(rec, INGESTD_FIELD_TITLE, NULL, 0);
                ph_process(p, rec);
            }
            double us = (cpu_now() - t0) / rounds * 1e6;
            if (us < best)
                best = us;
        }
        printf("%sseed %.3s: %.1f us for %zu bytes",
               k ? ", " : "Seed articles (scraped news): ", seeds[k], best, sl);
        free(st);
        if (k + 1 == sizeof seeds / sizeof seeds[0])
            printf(".\n");
    }
    rec_free(rec);
    for (size_t a = 0; a < n_t; a++)
        free(texts[a]);
    ph_unload(p);
    json_decref(root);
    int ok = total.keep_ok == total.keep && total.once_ok == total.once &&
             total.gone_ok == total.gone && total.title_ok == total.articles &&
             learn_after_gone == learn_after;
    return ok ? 0 : 1;
}

/*
 * dt_eval - the datetime plugin's extractor as a command-line filter for the quality bench.
 *
 * Reads records from stdin, each "lang \x1f arrival_ms \x1f text \x1e", runs dt_extract on each
 * (with the language hint unless -n is given) and prints one line per record:
 *   published \t updated \t published_utc      ("-" for none)
 * With -s SECONDS it instead runs every record repeatedly for about that long and prints the
 * throughput (records per second of process CPU time, i.e. per core even on a busy machine).
 * Built by run.py straight from the plugin sources.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dt_extract.h"
#include "dt_stamp.h"

typedef struct record {
    char lang[8];
    long long arrival_ms;
    char *text;
    size_t len;
} record;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts); /* CPU time: per core, even on a busy machine */
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    bool use_lang = true;
    double seconds = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-n"))
            use_lang = false;
        else if (!strcmp(argv[i], "-s") && i + 1 < argc)
            seconds = atof(argv[++i]);
    }
    size_t cap = 1 << 20, len = 0;
    char *buf = malloc(cap);
    size_t got;
    while ((got = fread(buf + len, 1, cap - len, stdin)) > 0) {
        len += got;
        if (len == cap)
            buf = realloc(buf, cap *= 2);
    }
    size_t n_rec = 0, rec_cap = 64;
    record *recs = malloc(rec_cap * sizeof *recs);
    for (char *p = buf; p < buf + len;) {
        char *e = memchr(p, '\x1e', (size_t)(buf + len - p));
        if (!e)
            break;
        *e = '\0';
        char *f1 = strchr(p, '\x1f');
        char *f2 = f1 ? strchr(f1 + 1, '\x1f') : NULL;
        if (!f2)
            return 2;
        if (n_rec == rec_cap)
            recs = realloc(recs, (rec_cap *= 2) * sizeof *recs);
        record *r = &recs[n_rec++];
        snprintf(r->lang, sizeof r->lang, "%.*s", (int)(f1 - p), p);
        r->arrival_ms = atoll(f1 + 1);
        r->text = f2 + 1;
        r->len = strlen(r->text);
        p = e + 1;
    }
    dt_tables *tables = dt_tables_new();
    if (seconds > 0) {
        unsigned long long done = 0;
        double start = now_s(), elapsed = 0;
        dt_result res;
        while (elapsed < seconds) {
            for (size_t i = 0; i < n_rec; i++) {
                dt_ctx ctx = {tables, use_lang ? recs[i].lang : NULL, recs[i].arrival_ms};
                dt_extract(&ctx, recs[i].text, recs[i].len, &res);
            }
            done += n_rec;
            elapsed = now_s() - start;
        }
        printf("%.0f\n", (double)done / elapsed);
        return 0;
    }
    for (size_t i = 0; i < n_rec; i++) {
        dt_ctx ctx = {tables, use_lang ? recs[i].lang : NULL, recs[i].arrival_ms};
        dt_result res;
        dt_extract(&ctx, recs[i].text, recs[i].len, &res);
        char a[DT_ISO_MAX] = "-", b[DT_ISO_MAX] = "-", c[DT_ISO_MAX] = "-";
        if (res.has_published) {
            dt_stamp_format(&res.published, a);
            if (!dt_stamp_format_utc(&res.published, c))
                strcpy(c, "-");
        }
        if (res.has_updated)
            dt_stamp_format(&res.updated, b);
        printf("%s\t%s\t%s\n", a, b, c);
    }
    dt_tables_free(tables);
    free(recs);
    free(buf);
    return 0;
}

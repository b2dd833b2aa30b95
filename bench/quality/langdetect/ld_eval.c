/*
 * ld_eval - benchmark driver for ingestd's language detector (bench/quality/langdetect).
 *
 * Classify mode (no arguments): reads one text per line from stdin and prints
 * "<lang>\t<confidence>\t<runner-up>\t<lead in nats>\t<letters>" per line, using ld_detect() from
 * plugins/langdetect exactly as the plugin does. Speed mode (--speed FILE [CHUNK]): splits FILE
 * into CHUNK-byte pieces (default 4096, cut at UTF-8 boundaries), classifies them repeatedly for
 * about two seconds of process CPU time (so a busy machine does not skew it) and prints
 * "<MB/s>\t<calls/s>".
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ld_detect.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int speed(const char *path, size_t chunk)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return 1;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n)
        return 1;
    fclose(f);
    size_t npieces = 0, cap = (size_t)n / 16 + 16;
    size_t *off = malloc(cap * sizeof *off), *len = malloc(cap * sizeof *len);
    for (size_t p = 0; p < (size_t)n && npieces < cap;) {
        size_t e = p + chunk < (size_t)n ? p + chunk : (size_t)n;
        while (e < (size_t)n && e > p && ((unsigned char)buf[e] & 0xC0) == 0x80)
            e--;
        off[npieces] = p;
        len[npieces++] = e - p;
        p = e;
    }
    double t0 = now(), t;
    size_t bytes = 0, calls = 0;
    unsigned sink = 0;
    do {
        for (size_t i = 0; i < npieces; i++) {
            const char *texts[1] = {buf + off[i]};
            ld_result r;
            ld_detect(&ld_model_default, texts, &len[i], 1, &r);
            sink += (unsigned char)r.lang[0];
            bytes += len[i];
            calls++;
        }
        t = now() - t0;
    } while (t < 2.0);
    printf("%.1f\t%.0f\t%u\n", bytes / t / 1e6, calls / t, sink & 1);
    free(buf);
    free(off);
    free(len);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc >= 3 && strcmp(argv[1], "--speed") == 0)
        return speed(argv[2], argc >= 4 ? (size_t)atol(argv[3]) : 4096);
    static char line[1 << 20];
    while (fgets(line, sizeof line, stdin)) {
        size_t n = strcspn(line, "\n");
        const char *texts[1] = {line};
        ld_result r;
        ld_detect(&ld_model_default, texts, &n, 1, &r);
        printf("%s\t%.4f\t%s\t%.2f\t%zu\n", r.lang, r.confidence,
               r.runner_up[0] ? r.runner_up : "-", r.margin, r.letters);
    }
    return 0;
}

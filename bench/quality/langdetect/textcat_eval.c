/*
 * textcat_eval - benchmark driver for libexttextcat (Debian libexttextcat-dev + -data): one
 * text per stdin line, prints textcat's answer ("[hr--utf8][sr--utf8]", "UNKNOWN", "SHORT")
 * on one line. --speed FILE [CHUNK] as in ld_eval.c.
 */
#include <libexttextcat/textcat.h>
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    void *h =
        special_textcat_Init("/usr/share/libexttextcat/fpdb.conf", "/usr/share/libexttextcat/");
    if (!h) {
        fprintf(stderr, "textcat init failed\n");
        return 1;
    }
    if (argc >= 3 && strcmp(argv[1], "--speed") == 0) {
        size_t chunk = argc >= 4 ? (size_t)atol(argv[3]) : 4096;
        FILE *f = fopen(argv[2], "rb");
        if (!f)
            return 1;
        fseek(f, 0, SEEK_END);
        long n = ftell(f);
        fseek(f, 0, SEEK_SET);
        char *buf = malloc((size_t)n + 1);
        if (fread(buf, 1, (size_t)n, f) != (size_t)n)
            return 1;
        fclose(f);
        double t0 = now(), t;
        size_t bytes = 0, calls = 0;
        do {
            for (size_t p = 0; p < (size_t)n;) {
                size_t e = p + chunk < (size_t)n ? p + chunk : (size_t)n;
                while (e < (size_t)n && e > p && ((unsigned char)buf[e] & 0xC0) == 0x80)
                    e--;
                textcat_Classify(h, buf + p, e - p);
                bytes += e - p;
                calls++;
                p = e;
            }
            t = now() - t0;
        } while (t < 2.0);
        printf("%.1f\t%.0f\n", bytes / t / 1e6, calls / t);
        return 0;
    }
    static char line[1 << 20];
    while (fgets(line, sizeof line, stdin)) {
        size_t n = strcspn(line, "\n");
        printf("%s\n", textcat_Classify(h, line, n));
    }
    textcat_Done(h);
    return 0;
}

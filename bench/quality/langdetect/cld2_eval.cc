// cld2_eval - benchmark driver for CLD2 (Debian libcld2): one text per stdin line, prints
// "<lang>\t<reliable 1|0>" with CLD2's ISO code ("un" = unknown). --speed FILE [CHUNK] as in
// ld_eval.c.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>

#include <cld2/public/compact_lang_det.h>

namespace CLD2
{
const char *LanguageCode(Language lang);
}

static double now()
{
    timespec ts;
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
    char *buf = (char *)malloc(n + 1);
    if (fread(buf, 1, n, f) != (size_t)n)
        return 1;
    fclose(f);
    double t0 = now(), t;
    size_t bytes = 0, calls = 0;
    do {
        for (size_t p = 0; p < (size_t)n;) {
            size_t e = p + chunk < (size_t)n ? p + chunk : (size_t)n;
            while (e < (size_t)n && e > p && ((unsigned char)buf[e] & 0xC0) == 0x80)
                e--;
            bool rel;
            CLD2::DetectLanguage(buf + p, (int)(e - p), true, &rel);
            bytes += e - p;
            calls++;
            p = e;
        }
        t = now() - t0;
    } while (t < 2.0);
    printf("%.1f\t%.0f\n", bytes / t / 1e6, calls / t);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc >= 3 && strcmp(argv[1], "--speed") == 0)
        return speed(argv[2], argc >= 4 ? (size_t)atol(argv[3]) : 4096);
    static char line[1 << 20];
    while (fgets(line, sizeof line, stdin)) {
        size_t n = strcspn(line, "\n");
        bool reliable = false;
        CLD2::Language l = CLD2::DetectLanguage(line, (int)n, true, &reliable);
        printf("%s\t%d\n", CLD2::LanguageCode(l), reliable ? 1 : 0);
    }
    return 0;
}

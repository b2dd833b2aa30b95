/*
 * bench_floor - the speed floor for ingestd's benchmarks: read every regular file of a folder
 * and insert its raw text into SQLite in batched transactions (WAL, synchronous=NORMAL), and
 * nothing else. ingestd's end-to-end figure is reported as a ratio to this one, measured in the
 * same run on the same files, so it says how much of what the disk and SQLite allow the daemon
 * gets.
 *
 * Usage: bench_floor DB DIR [BATCH]   (prints one line of key=value figures on stdout)
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die_sql(sqlite3 *db, const char *what)
{
    fprintf(stderr, "bench_floor: %s: %s\n", what, sqlite3_errmsg(db));
    exit(1);
}

static void exec_sql(sqlite3 *db, const char *sql)
{
    if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
        die_sql(db, sql);
}

/* Read a whole file into *buf (grown as needed). Returns its length, or -1. */
static long read_all(const char *path, char **buf, size_t *cap)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return -1;
    }
    if ((size_t)st.st_size + 1 > *cap) {
        *cap = (size_t)st.st_size + 1;
        *buf = realloc(*buf, *cap);
        if (!*buf)
            abort();
    }
    size_t len = 0;
    while (len < (size_t)st.st_size) {
        ssize_t n = read(fd, *buf + len, (size_t)st.st_size - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        len += (size_t)n;
    }
    close(fd);
    return (long)len;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: bench_floor DB DIR [BATCH]\n");
        return 2;
    }
    const char *dbpath = argv[1], *dir = argv[2];
    int batch = argc > 3 ? atoi(argv[3]) : 256;
    if (batch < 1)
        batch = 1;

    double t0 = now_s();
    sqlite3 *db = NULL;
    if (sqlite3_open(dbpath, &db) != SQLITE_OK)
        die_sql(db, "open");
    exec_sql(db, "PRAGMA journal_mode = WAL");
    exec_sql(db, "PRAGMA synchronous = NORMAL");
    exec_sql(db, "CREATE TABLE IF NOT EXISTS articles (id INTEGER PRIMARY KEY, path TEXT NOT NULL,"
                 " body TEXT NOT NULL)");
    sqlite3_stmt *ins = NULL;
    if (sqlite3_prepare_v2(db, "INSERT INTO articles (path, body) VALUES (?1, ?2)", -1, &ins,
                           NULL) != SQLITE_OK)
        die_sql(db, "prepare");

    DIR *dh = opendir(dir);
    if (!dh) {
        perror(dir);
        return 1;
    }
    char *buf = NULL;
    size_t cap = 0;
    long files = 0, in_batch = 0;
    long long bytes = 0;
    char path[4096];
    struct dirent *de;
    while ((de = readdir(dh)) != NULL) {
        if (de->d_name[0] == '.')
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        long len = read_all(path, &buf, &cap);
        if (len < 0)
            continue;
        if (in_batch == 0)
            exec_sql(db, "BEGIN");
        sqlite3_bind_text(ins, 1, path, -1, SQLITE_STATIC);
        sqlite3_bind_text(ins, 2, buf, (int)len, SQLITE_STATIC);
        if (sqlite3_step(ins) != SQLITE_DONE)
            die_sql(db, "insert");
        sqlite3_reset(ins);
        files++;
        bytes += len;
        if (++in_batch == batch) {
            exec_sql(db, "COMMIT");
            in_batch = 0;
        }
    }
    if (in_batch)
        exec_sql(db, "COMMIT");
    closedir(dh);
    sqlite3_finalize(ins);
    sqlite3_close(db);
    double secs = now_s() - t0;
    free(buf);

    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    double cpu = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
                 (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
    printf("floor files=%ld bytes=%lld seconds=%.3f files_per_s=%.0f mb_per_s=%.1f cpu_s=%.2f "
           "maxrss_kb=%ld\n",
           files, bytes, secs, files / secs, (double)bytes / 1e6 / secs, cpu, ru.ru_maxrss);
    return 0;
}

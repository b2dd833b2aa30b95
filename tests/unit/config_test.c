/*
 * config_test - the configuration parser: documented defaults (checked against the printed
 * reference, which is generated from the same key table), every key's type and range errors on
 * both sides of each limit with exact messages naming the file and the key path, watch entries
 * (missing folders, relative paths, defaults, encodings, duplicates), plugin entries as names,
 * paths and objects with config, unknown keys, "_" comments, batch_max vs queue_max, JSON
 * syntax errors with line and column, and config_load of real and missing files.
 */
#include "config.h"

#include "testlib.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static char base[PATH_MAX];   /* a temporary folder, resolved (no symlinks) */
static char origin[PATH_MAX]; /* base/ingestd.json: the config file name used in messages */
static char err[1024];

static int parse(const char *text, bool check_paths, config **out)
{
    err[0] = '\0';
    return config_parse(text, strlen(text), origin, check_paths, out, err, sizeof err);
}

/* Parse text that must be refused with rc, and the message must equal
 * "config <origin>: <expect>". */
static void expect_error(const char *text, int rc, const char *expect)
{
    config *cfg = (config *)1;
    int got = parse(text, true, &cfg);
    char full[1200];
    snprintf(full, sizeof full, "config %s: %s", origin, expect);
    if (got != rc || strcmp(err, full) != 0)
        fprintf(stderr, "  for input: %s\n", text);
    CHECK_INT(got, rc);
    CHECK_STR(err, full);
    CHECK(cfg == NULL);
    if (got == 0)
        config_free(cfg);
}

/* Parse text that must be refused; the message must start with "config <origin>: " and contain
 * every one of the NULL-terminated needles. */
static void expect_error_has(const char *text, int rc, ...)
{
    config *cfg = NULL;
    int got = parse(text, true, &cfg);
    char prefix[PATH_MAX + 16];
    snprintf(prefix, sizeof prefix, "config %s: ", origin);
    bool ok = got == rc && strncmp(err, prefix, strlen(prefix)) == 0 && !strchr(err, '\n');
    va_list ap;
    va_start(ap, rc);
    for (const char *n; (n = va_arg(ap, const char *)) != NULL;)
        if (!strstr(err, n)) {
            fprintf(stderr, "  missing \"%s\"\n", n);
            ok = false;
        }
    va_end(ap);
    if (!ok)
        fprintf(stderr, "  for input: %s\n  rc %d, message: %s\n", text, got, err);
    CHECK(ok);
    if (got == 0)
        config_free(cfg);
}

static void make_dir(const char *rel)
{
    char p[PATH_MAX];
    snprintf(p, sizeof p, "%s/%s", base, rel);
    mkdir(p, 0700);
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    CHECK(f != NULL);
    if (!f)
        return;
    fputs(text, f);
    fclose(f);
}

static const char *const all_keys[] = {"watch",
                                       "database",
                                       "control_socket",
                                       "plugins",
                                       "plugin_dirs",
                                       "workers",
                                       "queue_max",
                                       "batch_max",
                                       "batch_ms",
                                       "max_file_bytes",
                                       "rescan_interval_s",
                                       "settle_ms",
                                       "synchronous",
                                       "log_level",
                                       "plugin_trust",
                                       "plugin_timeout_ms",
                                       "feeds",
                                       "feed_interval_s",
                                       "feed_max_body_bytes",
                                       "feed_per_host",
                                       "feed_timeout_s",
                                       "feed_start_jitter_s",
                                       "feed_max_in_flight"};
#define N_ALL_KEYS (sizeof all_keys / sizeof all_keys[0])

static void check_default_values(const config *cfg)
{
    CHECK_INT(cfg->n_watch, 0);
    CHECK_STR(cfg->database, "/var/lib/ingestd/ingestd.db");
    CHECK_STR(cfg->control_socket, "/run/ingestd/control.sock");
    CHECK_INT(cfg->n_plugins, 3);
    if (cfg->n_plugins == 3) {
        CHECK_STR(cfg->plugins[0].name, "datetime");
        CHECK_STR(cfg->plugins[1].name, "cleanup");
        CHECK_STR(cfg->plugins[2].name, "langdetect");
        for (int i = 0; i < 3; i++)
            CHECK_STR(cfg->plugins[i].config_json, "{}");
    }
    CHECK_INT(cfg->n_plugin_dirs, 0);
    CHECK_INT(cfg->workers, 2);
    CHECK_INT(cfg->queue_max, 1024);
    CHECK_INT(cfg->batch_max, 256);
    CHECK_INT(cfg->batch_ms, 20);
    CHECK_INT(cfg->max_file_bytes, 16777216);
    CHECK_INT(cfg->rescan_interval_s, 60);
    CHECK_INT(cfg->settle_ms, 2000);
    CHECK_STR(cfg->synchronous, "normal");
    CHECK_STR(cfg->log_level, "info");
    CHECK_STR(cfg->plugin_trust, "strict");
    CHECK_INT(cfg->plugin_timeout_ms, 10000);
}

/* The value of key `name` in cfg, written the way the reference writes defaults. */
static void value_text(const config *cfg, const char *name, char *out, size_t len)
{
    const struct {
        const char *name;
        int64_t v;
    } ints[] = {{"workers", cfg->workers},
                {"queue_max", cfg->queue_max},
                {"batch_max", cfg->batch_max},
                {"batch_ms", cfg->batch_ms},
                {"max_file_bytes", cfg->max_file_bytes},
                {"rescan_interval_s", cfg->rescan_interval_s},
                {"settle_ms", cfg->settle_ms},
                {"plugin_timeout_ms", cfg->plugin_timeout_ms},
                {"feed_interval_s", cfg->feed_interval_s},
                {"feed_max_body_bytes", cfg->feed_max_body_bytes},
                {"feed_per_host", cfg->feed_per_host},
                {"feed_timeout_s", cfg->feed_timeout_s},
                {"feed_start_jitter_s", cfg->feed_start_jitter_s},
                {"feed_max_in_flight", cfg->feed_max_in_flight}};
    for (size_t i = 0; i < sizeof ints / sizeof ints[0]; i++)
        if (strcmp(name, ints[i].name) == 0) {
            snprintf(out, len, "%lld", (long long)ints[i].v);
            return;
        }
    if (strcmp(name, "database") == 0)
        snprintf(out, len, "%s", cfg->database);
    else if (strcmp(name, "control_socket") == 0)
        snprintf(out, len, "%s", cfg->control_socket);
    else if (strcmp(name, "synchronous") == 0)
        snprintf(out, len, "%s", cfg->synchronous);
    else if (strcmp(name, "log_level") == 0)
        snprintf(out, len, "%s", cfg->log_level);
    else if (strcmp(name, "plugin_trust") == 0)
        snprintf(out, len, "%s", cfg->plugin_trust);
    else if (strcmp(name, "watch") == 0 && cfg->n_watch == 0)
        snprintf(out, len, "[]");
    else if (strcmp(name, "plugin_dirs") == 0 && cfg->n_plugin_dirs == 0)
        snprintf(out, len, "[]");
    else if (strcmp(name, "feeds") == 0 && cfg->n_feeds == 0)
        snprintf(out, len, "[]");
    else if (strcmp(name, "plugins") == 0) {
        size_t o = (size_t)snprintf(out, len, "[");
        for (size_t i = 0; i < cfg->n_plugins && o < len; i++)
            o +=
                (size_t)snprintf(out + o, len - o, "%s\"%s\"", i ? ", " : "", cfg->plugins[i].name);
        if (o < len)
            snprintf(out + o, len - o, "]");
    } else
        snprintf(out, len, "?");
}

static char *reference_text(void)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    config_print_reference(f);
    fclose(f);
    return buf;
}

static void test_defaults(void)
{
    config *cfg = config_defaults();
    CHECK_STR(cfg->file, "<defaults>");
    check_default_values(cfg);

    /* the printed reference documents exactly these defaults: "  name (type...; default X)" */
    char *ref = reference_text();
    size_t documented = 0;
    for (size_t i = 0; i < N_ALL_KEYS; i++) {
        char head[64];
        snprintf(head, sizeof head, "\n  %s (", all_keys[i]);
        const char *p = strstr(ref, head);
        CHECK(p != NULL);
        if (!p)
            continue;
        const char *d = strstr(p, "; default ");
        const char *eol = strchr(p + 1, '\n');
        CHECK(d && eol && d < eol);
        if (!d || !eol || d > eol)
            continue;
        d += strlen("; default ");
        char def[256];
        snprintf(def, sizeof def, "%.*s", (int)(eol - d - 1), d); /* drop the closing ')' */
        char actual[256];
        value_text(cfg, all_keys[i], actual, sizeof actual);
        if (strcmp(def, actual) != 0)
            fprintf(stderr, "  key %s\n", all_keys[i]);
        CHECK_STR(actual, def);
        documented++;
    }
    CHECK_INT(documented, N_ALL_KEYS);
    free(ref);
    config_free(cfg);
    config_free(NULL);

    /* an empty object gives the same values */
    cfg = NULL;
    CHECK_INT(parse("{}", true, &cfg), 0);
    if (cfg) {
        CHECK_STR(cfg->file, origin);
        check_default_values(cfg);
        config_free(cfg);
    }
}

struct int_key {
    const char *name;
    long long min, max;
};

static void test_int_keys(void)
{
    static const struct int_key keys[] = {
        {"workers", 1, 64},
        {"queue_max", 1, 1000000},
        {"batch_max", 1, 100000},
        {"batch_ms", 1, 60000},
        {"max_file_bytes", 1, 1073741824},
        {"rescan_interval_s", 0, 86400},
        {"settle_ms", 0, 600000},
    };
    char text[512], expect[512];
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        const struct int_key *k = &keys[i];
        /* keep batch_max <= queue_max whatever the key under test is set to */
        const char *extra = strcmp(k->name, "queue_max") == 0   ? ", \"batch_max\": 1"
                            : strcmp(k->name, "batch_max") == 0 ? ", \"queue_max\": 1000000"
                                                                : "";
        const long long ok_values[] = {k->min, k->max};
        for (int j = 0; j < 2; j++) {
            snprintf(text, sizeof text, "{\"%s\": %lld%s}", k->name, ok_values[j], extra);
            config *cfg = NULL;
            CHECK_INT(parse(text, true, &cfg), 0);
            if (!cfg) {
                fprintf(stderr, "  %s: %s\n", text, err);
                continue;
            }
            char got[64];
            value_text(cfg, k->name, got, sizeof got);
            char want[64];
            snprintf(want, sizeof want, "%lld", ok_values[j]);
            CHECK_STR(got, want);
            config_free(cfg);
        }
        const long long bad_values[] = {k->min - 1, k->max + 1};
        for (int j = 0; j < 2; j++) {
            snprintf(text, sizeof text, "{\"%s\": %lld%s}", k->name, bad_values[j], extra);
            snprintf(expect, sizeof expect, "%s: %lld is out of range (%lld..%lld)", k->name,
                     bad_values[j], k->min, k->max);
            expect_error(text, -ERANGE, expect);
        }
        snprintf(expect, sizeof expect, "%s: must be an integer (%lld..%lld)", k->name, k->min,
                 k->max);
        const char *wrong_types[] = {"\"4\"", "1.5", "true", "null", "[1]"};
        for (size_t j = 0; j < sizeof wrong_types / sizeof wrong_types[0]; j++) {
            snprintf(text, sizeof text, "{\"%s\": %s}", k->name, wrong_types[j]);
            expect_error(text, -EINVAL, expect);
        }
    }
}

static void test_string_keys(void)
{
    config *cfg = NULL;
    CHECK_INT(parse("{\"synchronous\": \"full\", \"log_level\": \"debug\"}", true, &cfg), 0);
    if (cfg) {
        CHECK_STR(cfg->synchronous, "full");
        CHECK_STR(cfg->log_level, "debug");
        config_free(cfg);
    }
    const char *levels[] = {"error", "warning", "notice", "info", "debug"};
    for (size_t i = 0; i < 5; i++) {
        char text[64];
        snprintf(text, sizeof text, "{\"log_level\": \"%s\"}", levels[i]);
        cfg = NULL;
        CHECK_INT(parse(text, true, &cfg), 0);
        CHECK_STR(cfg ? cfg->log_level : NULL, levels[i]);
        config_free(cfg);
    }
    expect_error("{\"synchronous\": \"FULL\"}", -EINVAL, "synchronous: must be one of normal|full");
    expect_error("{\"synchronous\": \"\"}", -EINVAL, "synchronous: must be one of normal|full");
    expect_error("{\"synchronous\": 1}", -EINVAL, "synchronous: must be one of normal|full");
    expect_error("{\"log_level\": \"verbose\"}", -EINVAL,
                 "log_level: must be one of error|warning|notice|info|debug");
    expect_error("{\"log_level\": \"inf\"}", -EINVAL,
                 "log_level: must be one of error|warning|notice|info|debug");

    expect_error("{\"database\": \"\"}", -EINVAL, "database: must be a non-empty path string");
    expect_error("{\"database\": 5}", -EINVAL, "database: must be a non-empty path string");
    expect_error("{\"control_socket\": null}", -EINVAL,
                 "control_socket: must be a non-empty path string");

    /* paths: absolute kept, relative resolved against the config file's folder */
    cfg = NULL;
    CHECK_INT(parse("{\"database\": \"data/ingestd.db\", \"control_socket\": \"/run/x.sock\"}",
                    true, &cfg),
              0);
    if (cfg) {
        char want[PATH_MAX + 32];
        snprintf(want, sizeof want, "%s/data/ingestd.db", base);
        CHECK_STR(cfg->database, want);
        CHECK_STR(cfg->control_socket, "/run/x.sock");
        config_free(cfg);
    }
}

static void test_watch(void)
{
    make_dir("in1");
    make_dir("in2");
    char text[4096], want[PATH_MAX + 64];
    config *cfg = NULL;

    snprintf(text, sizeof text,
             "{\"watch\": [{\"path\": \"%s/in1\"}, {\"path\": \"in2/\", \"after\": \"keep\", "
             "\"done_dir\": \"archive\", \"failed_dir\": \"/var/tmp/bad\", \"encoding\": "
             "\"CP1251\", \"_comment\": \"ignored\"}, \"in1/../in2/sub-missing-ok\"]}",
             base);
    /* the third entry does not exist: accepted only without path checks */
    CHECK_INT(parse(text, false, &cfg), 0);
    if (cfg) {
        CHECK_INT(cfg->n_watch, 3);
        snprintf(want, sizeof want, "%s/in1", base);
        CHECK_STR(cfg->watch[0].path, want);
        CHECK_INT(cfg->watch[0].after, CFG_AFTER_MOVE);
        snprintf(want, sizeof want, "%s/in1/done", base);
        CHECK_STR(cfg->watch[0].done_dir, want);
        snprintf(want, sizeof want, "%s/in1/failed", base);
        CHECK_STR(cfg->watch[0].failed_dir, want);
        CHECK_STR(cfg->watch[0].encoding, "auto");

        snprintf(want, sizeof want, "%s/in2", base); /* relative, trailing slash stripped */
        CHECK_STR(cfg->watch[1].path, want);
        CHECK_INT(cfg->watch[1].after, CFG_AFTER_KEEP);
        snprintf(want, sizeof want, "%s/archive", base);
        CHECK_STR(cfg->watch[1].done_dir, want);
        CHECK_STR(cfg->watch[1].failed_dir, "/var/tmp/bad");
        CHECK_STR(cfg->watch[1].encoding, "windows-1251");
        config_free(cfg);
    }
    cfg = NULL;
    CHECK_INT(parse(text, true, &cfg), -ENOENT);
    snprintf(want, sizeof want,
             "config %s: watch[2].path: no such directory \"%s/in1/../in2/sub-missing-ok\"", origin,
             base);
    CHECK_STR(err, want);
    CHECK(cfg == NULL);

    /* the documented example message: watch[1] missing */
    snprintf(text, sizeof text, "{\"watch\": [{\"path\": \"in1\"}, {\"path\": \"%s/nope\"}]}",
             base);
    snprintf(want, sizeof want, "watch[1].path: no such directory \"%s/nope\"", base);
    expect_error(text, -ENOENT, want);

    /* a file is not a folder */
    char file[PATH_MAX + 16];
    snprintf(file, sizeof file, "%s/plain-file", base);
    write_file(file, "x");
    snprintf(want, sizeof want, "watch[0].path: not a directory \"%s\"", file);
    expect_error("{\"watch\": [\"plain-file\"]}", -ENOTDIR, want);

    /* strings as entries, delete mode */
    cfg = NULL;
    CHECK_INT(
        parse("{\"watch\": [\"in1\", {\"path\": \"in2\", \"after\": \"delete\"}]}", true, &cfg), 0);
    if (cfg) {
        CHECK_INT(cfg->n_watch, 2);
        CHECK_INT(cfg->watch[1].after, CFG_AFTER_DELETE);
        config_free(cfg);
    }

    expect_error("{\"watch\": [{\"path\": \"in1\", \"after\": \"copy\"}]}", -EINVAL,
                 "watch[0].after: \"copy\" is not one of \"move\", \"keep\", \"delete\"");
    expect_error("{\"watch\": [{\"path\": \"in1\", \"paht\": \"in2\"}]}", -EINVAL,
                 "watch[0]: unknown key \"paht\" (known: path, after, done_dir, failed_dir, "
                 "encoding)");
    expect_error("{\"watch\": [\"in1\", {\"after\": \"keep\"}]}", -EINVAL,
                 "watch[1].path: missing (the folder to watch)");
    expect_error("{\"watch\": [{\"path\": \"in1\", \"after\": 3}]}", -EINVAL,
                 "watch[0].after: must be a non-empty string");
    expect_error("{\"watch\": [{\"path\": \"\"}]}", -EINVAL,
                 "watch[0].path: must be a non-empty string");
    expect_error("{\"watch\": [7]}", -EINVAL, "watch[0]: must be an object with a \"path\"");
    expect_error("{\"watch\": {\"path\": \"in1\"}}", -EINVAL,
                 "watch: must be an array of objects, e.g. [{\"path\": \"/srv/inbox\"}]");
    expect_error_has("{\"watch\": [{\"path\": \"in1\", \"encoding\": \"ebcdic\"}]}", -EINVAL,
                     "watch[0].encoding: unsupported encoding \"ebcdic\"", (char *)NULL);
    snprintf(want, sizeof want, "watch[1].path: \"%s/in1\" is already watched by watch[0]", base);
    expect_error("{\"watch\": [\"in1\", \"in1//\"]}", -EINVAL, want);
}

static void test_unknown_key(void)
{
    config *cfg = NULL;
    CHECK_INT(parse("{\"wokers\": 2}", true, &cfg), -EINVAL);
    CHECK(cfg == NULL);
    char prefix[PATH_MAX + 64];
    snprintf(prefix, sizeof prefix, "config %s: unknown key \"wokers\" (known keys: ", origin);
    CHECK(strncmp(err, prefix, strlen(prefix)) == 0);
    for (size_t i = 0; i < N_ALL_KEYS; i++) {
        if (!strstr(err, all_keys[i]))
            fprintf(stderr, "  known-key list lacks %s: %s\n", all_keys[i], err);
        CHECK(strstr(err, all_keys[i]) != NULL);
    }
    /* keys are case-sensitive */
    expect_error_has("{\"Workers\": 2}", -EINVAL, "unknown key \"Workers\"", (char *)NULL);
    /* duplicate keys are an error, not "last one wins" */
    expect_error_has("{\"workers\": 2, \"workers\": 3}", -EINVAL, "duplicate", (char *)NULL);
}

static void test_comments(void)
{
    config *cfg = NULL;
    CHECK_INT(parse("{\"_comment\": \"the inbox\", \"_x\": {\"nested\": [1]}, \"workers\": 3, "
                    "\"plugins\": [{\"name\": \"cleanup\", \"_comment\": \"first\"}]}",
                    true, &cfg),
              0);
    if (cfg) {
        CHECK_INT(cfg->workers, 3);
        CHECK_INT(cfg->n_plugins, 1);
        config_free(cfg);
    }
}

static void test_plugins(void)
{
    config *cfg = NULL;
    CHECK_INT(parse("{\"plugins\": [\"datetime\", {\"name\": \"echo-2\", \"config\": {\"z\": 1, "
                    "\"a\": [true, \"\xC3\xA9\"]}}, \"sub/mine.so\", {\"name\": \"/abs/p.so\"}],"
                    " \"plugin_dirs\": [\"extra\", \"/opt/ingestd/plugins\"]}",
                    true, &cfg),
              0);
    if (cfg) {
        CHECK_INT(cfg->n_plugins, 4);
        char want[PATH_MAX + 32];
        if (cfg->n_plugins == 4) {
            CHECK_STR(cfg->plugins[0].name, "datetime");
            CHECK_STR(cfg->plugins[0].config_json, "{}");
            CHECK_STR(cfg->plugins[1].name, "echo-2");
            /* compact, keys sorted, UTF-8 kept */
            CHECK_STR(cfg->plugins[1].config_json, "{\"a\":[true,\"\xC3\xA9\"],\"z\":1}");
            snprintf(want, sizeof want, "%s/sub/mine.so", base);
            CHECK_STR(cfg->plugins[2].name, want);
            CHECK_STR(cfg->plugins[3].name, "/abs/p.so");
            CHECK_STR(cfg->plugins[3].config_json, "{}");
        }
        CHECK_INT(cfg->n_plugin_dirs, 2);
        if (cfg->n_plugin_dirs == 2) {
            snprintf(want, sizeof want, "%s/extra", base);
            CHECK_STR(cfg->plugin_dirs[0], want);
            CHECK_STR(cfg->plugin_dirs[1], "/opt/ingestd/plugins");
        }
        config_free(cfg);
    }
    /* an empty chain is allowed */
    cfg = NULL;
    CHECK_INT(parse("{\"plugins\": []}", true, &cfg), 0);
    CHECK_INT(cfg ? cfg->n_plugins : 99, 0);
    config_free(cfg);

    const char *bad_name =
        "missing or invalid plugin name (letters, digits, '_', '-', or a path to a .so)";
    char want[256];
    snprintf(want, sizeof want, "plugins[1].name: %s", bad_name);
    expect_error("{\"plugins\": [\"cleanup\", \"bad name!\"]}", -EINVAL, want);
    snprintf(want, sizeof want, "plugins[0].name: %s", bad_name);
    expect_error("{\"plugins\": [\"\"]}", -EINVAL, want);
    expect_error("{\"plugins\": [{\"config\": {}}]}", -EINVAL, want);
    expect_error("{\"plugins\": [{\"name\": 3}]}", -EINVAL, want);
    expect_error("{\"plugins\": [{\"name\": \"x\", \"config\": [1]}]}", -EINVAL,
                 "plugins[0].config: must be an object");
    expect_error("{\"plugins\": [{\"name\": \"x\", \"config\": \"{}\"}]}", -EINVAL,
                 "plugins[0].config: must be an object");
    expect_error("{\"plugins\": [{\"name\": \"x\", \"cfg\": {}}]}", -EINVAL,
                 "plugins[0]: unknown key \"cfg\" (known: name, config)");
    expect_error("{\"plugins\": [5]}", -EINVAL,
                 "plugins[0]: must be a name or {\"name\": ..., \"config\": {...}}");
    expect_error("{\"plugins\": \"cleanup\"}", -EINVAL,
                 "plugins: must be an array, e.g. [\"datetime\", \"cleanup\"]");
    expect_error("{\"plugin_dirs\": \"/opt\"}", -EINVAL,
                 "plugin_dirs: must be an array of folder paths");
    expect_error("{\"plugin_dirs\": [\"/opt\", \"\"]}", -EINVAL,
                 "plugin_dirs[1]: must be a non-empty string");
    expect_error("{\"plugin_dirs\": [1]}", -EINVAL, "plugin_dirs[0]: must be a non-empty string");
}

static void test_batch_vs_queue(void)
{
    config *cfg = NULL;
    CHECK_INT(parse("{\"batch_max\": 10, \"queue_max\": 10}", true, &cfg), 0);
    config_free(cfg);
    expect_error("{\"batch_max\": 11, \"queue_max\": 10}", -EINVAL,
                 "batch_max (11) must not exceed queue_max (10)");
    /* also against the other key's default (batch_max 256) */
    expect_error("{\"queue_max\": 100}", -EINVAL,
                 "batch_max (256) must not exceed queue_max (100)");
    expect_error("{\"batch_max\": 2000}", -EINVAL,
                 "batch_max (2000) must not exceed queue_max (1024)");
}

static void test_invalid_json(void)
{
    config *cfg = (config *)1;
    CHECK_INT(parse("{\n  \"workers\": 2,\n  oops\n}", true, &cfg), -EINVAL);
    CHECK(cfg == NULL);
    char want[PATH_MAX + 64];
    snprintf(want, sizeof want, "config %s: line 3, column ", origin);
    CHECK(strncmp(err, want, strlen(want)) == 0);
    CHECK(strstr(err, "oops") != NULL);
    CHECK(atoi(err + strlen(want)) > 0);

    snprintf(want, sizeof want, "config %s: line 2, column ", origin);
    CHECK_INT(parse("{\"workers\": 2,\n\"batch_ms\": 5,,}", true, &cfg), -EINVAL);
    CHECK(strncmp(err, want, strlen(want)) == 0);
    CHECK_INT(parse("", true, &cfg), -EINVAL);
    CHECK(strstr(err, "line 1") != NULL);

    expect_error("[1, 2]", -EINVAL, "the top level must be a JSON object");
    expect_error_has("\"watch\"", -EINVAL, "line 1, column ", (char *)NULL); /* scalar */

    /* a tiny error buffer is filled, truncated and terminated, never overrun */
    char small[24];
    memset(small, 'x', sizeof small);
    CHECK_INT(config_parse("{\"wokers\": 1}", 13, origin, true, &cfg, small, 20), -EINVAL);
    CHECK(memchr(small, '\0', 20) != NULL);
    CHECK(small[20] == 'x');
}

static void test_load(void)
{
    char path[PATH_MAX + 32];
    snprintf(path, sizeof path, "%s/conf.d", base);
    mkdir(path, 0700);
    snprintf(path, sizeof path, "%s/conf.d/in", base);
    mkdir(path, 0700);
    snprintf(path, sizeof path, "%s/conf.d/ingestd.json", base);
    write_file(path, "{\n  \"_comment\": \"test\",\n  \"watch\": [{\"path\": \"in\"}],\n"
                     "  \"database\": \"db/ingestd.db\",\n  \"workers\": 4\n}\n");
    config *cfg = NULL;
    err[0] = '\0';
    CHECK_INT(config_load(path, &cfg, err, sizeof err), 0);
    if (cfg) {
        char want[PATH_MAX + 64];
        CHECK_STR(cfg->file, path);
        CHECK_INT(cfg->n_watch, 1);
        snprintf(want, sizeof want, "%s/conf.d/in", base);
        CHECK_STR(cfg->n_watch ? cfg->watch[0].path : NULL, want);
        snprintf(want, sizeof want, "%s/conf.d/db/ingestd.db", base);
        CHECK_STR(cfg->database, want);
        CHECK_INT(cfg->workers, 4);
        config_free(cfg);
    } else {
        fprintf(stderr, "  %s\n", err);
    }

    /* config_load checks the watch folders */
    write_file(path, "{\"watch\": [\"gone\"]}");
    cfg = NULL;
    CHECK_INT(config_load(path, &cfg, err, sizeof err), -ENOENT);
    char want[PATH_MAX * 2];
    snprintf(want, sizeof want, "config %s: watch[0].path: no such directory \"%s/conf.d/gone\"",
             path, base);
    CHECK_STR(err, want);

    /* a missing file */
    snprintf(path, sizeof path, "%s/nope.json", base);
    cfg = (config *)1;
    CHECK_INT(config_load(path, &cfg, err, sizeof err), -ENOENT);
    CHECK(cfg == NULL);
    snprintf(want, sizeof want, "config %s: cannot open: No such file or directory", path);
    CHECK_STR(err, want);

    /* a folder is not a config file */
    cfg = NULL;
    CHECK(config_load(base, &cfg, err, sizeof err) < 0);
    CHECK(cfg == NULL);
    snprintf(want, sizeof want, "config %s: ", base);
    CHECK(strncmp(err, want, strlen(want)) == 0);

    /* a relative origin resolves against the working folder */
    char cwd[PATH_MAX];
    CHECK(getcwd(cwd, sizeof cwd) != NULL);
    cfg = NULL;
    const char *text = "{\"database\": \"x.db\"}";
    CHECK_INT(config_parse(text, strlen(text), "no-such-subdir/ingestd.json", false, &cfg, err,
                           sizeof err),
              0);
    snprintf(want, sizeof want, "%s/no-such-subdir/x.db", cwd);
    CHECK_STR(cfg ? cfg->database : NULL, want);
    config_free(cfg);
}

static void test_reference(void)
{
    char *ref = reference_text();
    CHECK(ref != NULL && strlen(ref) > 500);
    for (size_t i = 0; i < N_ALL_KEYS; i++) {
        char head[64];
        snprintf(head, sizeof head, "\n  %s (", all_keys[i]);
        if (!strstr(ref, head))
            fprintf(stderr, "  reference lacks key %s\n", all_keys[i]);
        CHECK(strstr(ref, head) != NULL);
    }
    /* the watch entry keys and the value choices are described too */
    const char *more[] = {"\"path\"",     "\"after\"",
                          "\"done_dir\"", "\"failed_dir\"",
                          "\"encoding\"", "\"move\"",
                          "\"keep\"",     "\"delete\"",
                          "normal|full",  "error|warning|notice|info|debug",
                          "1..64",        "0..86400",
                          "'_'"};
    for (size_t i = 0; i < sizeof more / sizeof more[0]; i++) {
        if (!strstr(ref, more[i]))
            fprintf(stderr, "  reference lacks %s\n", more[i]);
        CHECK(strstr(ref, more[i]) != NULL);
    }
    /* every documented key is known to the parser, and no more: count the key headings */
    size_t headings = 0;
    for (const char *p = ref; (p = strstr(p, "\n  ")) != NULL; p++)
        if (p[3] != ' ')
            headings++;
    CHECK_INT(headings, N_ALL_KEYS);
    /* no description line runs past 80 columns */
    size_t longest = 0;
    for (const char *p = ref; *p;) {
        const char *eol = strchr(p, '\n');
        size_t n = eol ? (size_t)(eol - p) : strlen(p);
        if (n > longest && strncmp(p, "  ", 2) == 0 && p[2] == ' ')
            longest = n;
        p += n + (eol ? 1 : 0);
    }
    CHECK(longest <= 80);
    free(ref);
}

static void test_feeds(void)
{
    config *cfg = NULL;
    CHECK_INT(parse("{\"feeds\": [{\"url\": \"http://127.0.0.1/a.xml\", \"interval_s\": 60},"
                    " \"https://127.0.0.1/b.xml\"], \"feed_per_host\": 4}",
                    false, &cfg),
              0);
    if (cfg) {
        CHECK_INT(cfg->n_feeds, 2);
        CHECK_STR(cfg->feeds[0].url, "http://127.0.0.1/a.xml");
        CHECK_INT(cfg->feeds[0].interval_s, 60);
        CHECK_STR(cfg->feeds[1].url, "https://127.0.0.1/b.xml");
        CHECK_INT(cfg->feeds[1].interval_s, 0);
        CHECK_INT(cfg->feed_per_host, 4);
        config_free(cfg);
    }
    cfg = NULL;
    CHECK_INT(parse("{\"feeds\": [{\"url\": \"file:///etc/passwd\"}]}", false, &cfg), -EINVAL);
    CHECK(strstr(err, "feeds[0].url") != NULL);
    CHECK_INT(parse("{\"feeds\": [{\"url\": \"http://x/\", \"interval_s\": 0}]}", false, &cfg),
              -ERANGE);
    CHECK_INT(parse("{\"feeds\": [{\"href\": \"http://x/\"}]}", false, &cfg), -EINVAL);
    CHECK_INT(parse("{\"feeds\": {\"url\": \"http://x/\"}}", false, &cfg), -EINVAL);
    CHECK_INT(parse("{\"feed_per_host\": 0}", false, &cfg), -ERANGE);
}

int main(void)
{
    char tmpl[] = "/tmp/config_test.XXXXXX";
    if (!mkdtemp(tmpl) || !realpath(tmpl, base)) {
        perror("mkdtemp");
        return 1;
    }
    snprintf(origin, sizeof origin, "%s/ingestd.json", base);
    RUN(test_defaults);
    RUN(test_int_keys);
    RUN(test_string_keys);
    RUN(test_watch);
    RUN(test_unknown_key);
    RUN(test_comments);
    RUN(test_plugins);
    RUN(test_batch_vs_queue);
    RUN(test_invalid_json);
    RUN(test_load);
    RUN(test_reference);
    RUN(test_feeds);
    char cmd[PATH_MAX + 16];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", base);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", base);
    return TEST_SUMMARY();
}

/*
 * pipeline_test - the plugin loader and chain runner, with the fixture plugins of
 * tests/fixtures/plugins: good chains load; each broken plugin (no entry symbol, wrong ABI
 * major, short descriptor, newer minor, failing init) is refused with one line naming the
 * plugin's path and the reason, before any of its functions run (those fixtures abort() if
 * called) and without leaving anything loaded; name lookup and its "not found" message;
 * duplicates; verdicts, fallback title and uid; the config block reaching init; the counters;
 * and a plugin without the thread-safe flag driven from 4 threads at once.
 */
#include "pipeline.h"

#include "hash.h"
#include "log.h"
#include "testlib.h"
#include "utf8.h"

#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef FIXTURE_PLUGIN_DIR
#error "FIXTURE_PLUGIN_DIR must be defined (tests/fixtures/plugins/CMakeLists.txt)"
#endif

static char err[2048];

static const char *fixture(const char *name)
{
    static char paths[8][PATH_MAX];
    static int next;
    char *p = paths[next++ % 8];
    snprintf(p, PATH_MAX, "%s/%s.so", FIXTURE_PLUGIN_DIR, name);
    return p;
}

/* Build a pipeline from a config JSON text; returns the rc; *out is the pipeline or NULL. */
static int build(const char *json, pipeline **out)
{
    config *cfg = NULL;
    char cerr[512];
    *out = NULL;
    err[0] = '\0';
    if (config_parse(json, strlen(json), "/tmp/pipeline_test.json", false, &cfg, cerr,
                     sizeof cerr) != 0) {
        fprintf(stderr, "config_parse: %s\n", cerr);
        CHECK(!"config_parse failed");
        return -EINVAL;
    }
    int rc = pipeline_build(cfg, out, err, sizeof err);
    config_free(cfg);
    return rc;
}

/* Build a pipeline from the fixtures named in the arguments (NULL-terminated). */
static int build_chain(pipeline **out, ...)
{
    char json[8192];
    size_t o = (size_t)snprintf(json, sizeof json, "{\"plugins\": [");
    va_list ap;
    va_start(ap, out);
    int i = 0;
    for (const char *n; (n = va_arg(ap, const char *)) != NULL; i++)
        o += (size_t)snprintf(json + o, sizeof json - o, "%s\"%s\"", i ? ", " : "", fixture(n));
    va_end(ap);
    snprintf(json + o, sizeof json - o, "]}");
    return build(json, out);
}

static ingestd_record *make_rec(const char *text)
{
    ingestd_record *rec = rec_new("file", "/srv/inbox/t.txt", 1761559200000LL, text, strlen(text));
    CHECK(rec != NULL);
    return rec;
}

static bool is_loaded(const char *path)
{
    void *h = dlopen(path, RTLD_NOW | RTLD_NOLOAD);
    if (h)
        dlclose(h);
    return h != NULL;
}

static json_t *stats_of(pipeline *p, size_t i)
{
    json_t *all = pipeline_stats(p);
    json_t *s = json_incref(json_array_get(all, i));
    json_decref(all);
    return s;
}

static long long stat_int(json_t *s, const char *key)
{
    json_t *v = json_object_get(s, key);
    CHECK(json_is_integer(v));
    return json_integer_value(v);
}

/* ---- loading ---------------------------------------------------------------------------- */

static void test_build_good_chain(void)
{
    pipeline *p = NULL;
    CHECK_INT(build_chain(&p, "ok_plugin", "upper_title", "drop_plugin", "error_plugin",
                          "not_thread_safe", NULL),
              0);
    CHECK(p != NULL);
    CHECK_INT(pipeline_size(p), 5);
    json_t *all = pipeline_stats(p);
    CHECK_INT(json_array_size(all), 5);
    const char *names[] = {"ok_plugin", "upper_title", "drop_plugin", "error_plugin",
                           "not_thread_safe"};
    for (size_t i = 0; i < 5; i++) {
        json_t *s = json_array_get(all, i);
        CHECK_STR(json_string_value(json_object_get(s, "name")), names[i]);
        CHECK_STR(json_string_value(json_object_get(s, "version")), "1.0.0");
        CHECK_STR(json_string_value(json_object_get(s, "path")), fixture(names[i]));
        CHECK(json_is_boolean(json_object_get(s, "thread_safe")));
        CHECK(json_is_true(json_object_get(s, "thread_safe")) == (i != 4));
        CHECK_INT(stat_int(s, "calls"), 0);
        CHECK(json_object_get(s, "mean_us") && json_object_get(s, "total_us"));
    }
    json_decref(all);
    CHECK(is_loaded(fixture("ok_plugin")));
    pipeline_free(p);
    CHECK(!is_loaded(fixture("ok_plugin"))); /* unloaded again */
    pipeline_free(NULL);
    CHECK_INT(pipeline_size(NULL), 0);

    /* an empty chain is a valid pipeline */
    CHECK_INT(build("{\"plugins\": []}", &p), 0);
    CHECK_INT(pipeline_size(p), 0);
    pipeline_free(p);
}

/* Build [ok_plugin, <broken>]: must fail with rc and a one-line message
 * `plugin "<path>" (<path>): ...` containing every needle; nothing may stay loaded. */
static void expect_refused(const char *broken, int rc, const char *needle1, const char *needle2)
{
    pipeline *p = (pipeline *)1;
    int got = build_chain(&p, "ok_plugin", broken, NULL);
    char prefix[2 * PATH_MAX + 16];
    snprintf(prefix, sizeof prefix, "plugin \"%s\" (%s): ", fixture(broken), fixture(broken));
    bool ok = got == rc && p == NULL && strncmp(err, prefix, strlen(prefix)) == 0 &&
              !strchr(err, '\n') && strstr(err, needle1) && (!needle2 || strstr(err, needle2));
    if (!ok)
        fprintf(stderr, "  %s: rc %d (want %d), message: %s\n", broken, got, rc, err);
    CHECK(ok);
    CHECK(!is_loaded(fixture(broken)));
    CHECK(!is_loaded(fixture("ok_plugin")));
}

static void test_refuse_broken_plugins(void)
{
    expect_refused("no_entry", -ELIBBAD, "entry symbol", "ingestd_plugin_entry");
    char want[128];
    snprintf(want, sizeof want, "ABI %d.0, this ingestd speaks %d.%d", INGESTD_ABI_MAJOR + 1,
             INGESTD_ABI_MAJOR, INGESTD_ABI_MINOR);
    expect_refused("wrong_major", -ELIBBAD, "ABI", want);
    expect_refused("short_descriptor", -ELIBBAD, "too short", "(8 bytes");
    snprintf(want, sizeof want, "needs plugin ABI %d.%d", INGESTD_ABI_MAJOR, INGESTD_ABI_MINOR + 1);
    expect_refused("future_minor", -ELIBBAD, want, "upgrade ingestd");
    expect_refused("failing_init", -ECANCELED, "init failed: bad config: missing key", NULL);
}

static void test_not_found_and_not_a_plugin(void)
{
    pipeline *p = NULL;
    /* a name is searched in the built-in folder, then in plugin_dirs, in order */
    char json[4096], want[4096];
    snprintf(json, sizeof json,
             "{\"plugins\": [\"no_such_plugin\"], \"plugin_dirs\": [\"/nonexistent-a\", \"%s\"]}",
             FIXTURE_PLUGIN_DIR);
    CHECK_INT(build(json, &p), -ENOENT);
    CHECK(p == NULL);
    snprintf(want, sizeof want,
             "plugin \"no_such_plugin\": not found (searched %s, /nonexistent-a, %s)",
             pipeline_builtin_dir(), FIXTURE_PLUGIN_DIR);
    CHECK_STR(err, want);

    /* found by name in a plugin_dirs folder */
    snprintf(json, sizeof json, "{\"plugins\": [\"ok_plugin\"], \"plugin_dirs\": [\"%s\"]}",
             FIXTURE_PLUGIN_DIR);
    CHECK_INT(build(json, &p), 0);
    json_t *s = p ? stats_of(p, 0) : NULL;
    CHECK_STR(json_string_value(json_object_get(s, "path")), fixture("ok_plugin"));
    json_decref(s);
    pipeline_free(p);

    /* a path that does not exist */
    CHECK_INT(build("{\"plugins\": [\"/nonexistent/x.so\"]}", &p), -ENOENT);
    CHECK_STR(err, "plugin \"/nonexistent/x.so\": no such file");

    /* a file that is not a shared object */
    char text[PATH_MAX];
    snprintf(text, sizeof text, "%s/CMakeLists.txt", SOURCE_DIR);
    snprintf(json, sizeof json, "{\"plugins\": [\"%s\"]}", text);
    CHECK_INT(build(json, &p), -ELIBBAD);
    snprintf(want, sizeof want, "plugin \"%s\" (%s): cannot load: ", text, text);
    CHECK(strncmp(err, want, strlen(want)) == 0);
    CHECK(!strchr(err, '\n'));
}

static void test_builtin_dir(void)
{
    /* the test runs from <build>/tests, so <build>/lib/ingestd/plugins is the built-in folder */
    unsetenv("INGESTD_PLUGIN_DIR");
    CHECK_STR(pipeline_builtin_dir(), PLUGIN_BUILD_DIR);
    setenv("INGESTD_PLUGIN_DIR", FIXTURE_PLUGIN_DIR, 1);
    CHECK_STR(pipeline_builtin_dir(), FIXTURE_PLUGIN_DIR);
    pipeline *p = NULL;
    CHECK_INT(build("{\"plugins\": [\"upper_title\", \"ok_plugin\"]}", &p), 0);
    CHECK_INT(pipeline_size(p), 2);
    pipeline_free(p);
    unsetenv("INGESTD_PLUGIN_DIR");
}

static void test_duplicate_plugin(void)
{
    pipeline *p = (pipeline *)1;
    CHECK_INT(build_chain(&p, "ok_plugin", "drop_plugin", "ok_plugin", NULL), -EINVAL);
    CHECK(p == NULL);
    CHECK_STR(err, "plugin \"ok_plugin\" appears twice in the chain (plugins[0] and plugins[2])");
    CHECK(!is_loaded(fixture("ok_plugin")));

    /* two files declaring the same plugin name are the same plugin */
    char tmpl[] = "/tmp/pipeline_test.XXXXXX";
    CHECK(mkdtemp(tmpl) != NULL);
    char copy[PATH_MAX], cmd[3 * PATH_MAX];
    snprintf(copy, sizeof copy, "%s/ok_copy.so", tmpl);
    snprintf(cmd, sizeof cmd, "cp '%s' '%s'", fixture("ok_plugin"), copy);
    CHECK_INT(system(cmd), 0);
    char json[3 * PATH_MAX];
    snprintf(json, sizeof json, "{\"plugins\": [\"%s\", \"%s\"]}", fixture("ok_plugin"), copy);
    CHECK_INT(build(json, &p), -EINVAL);
    CHECK_STR(err, "plugin \"ok_plugin\" appears twice in the chain (plugins[0] and plugins[1])");
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpl);
    CHECK_INT(system(cmd), 0);
}

/* ---- search path, trust, loading one plugin ------------------------------------------------ */

/* A new folder under /tmp (mode 0700) holding a copy of fixture `name` as `as`.so. */
static void copy_fixture(char *dir_tmpl, const char *name, const char *as)
{
    CHECK(mkdtemp(dir_tmpl) != NULL);
    char cmd[3 * PATH_MAX];
    snprintf(cmd, sizeof cmd, "cp '%s' '%s/%s.so' && chmod 0755 '%s/%s.so'", fixture(name),
             dir_tmpl, as, dir_tmpl, as);
    CHECK_INT(system(cmd), 0);
}

static void remove_tree(const char *dir)
{
    char cmd[PATH_MAX + 32];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    CHECK_INT(system(cmd), 0);
}

static void test_name_in_two_folders_refused(void)
{
    char a[] = "/tmp/pipeline_test_a.XXXXXX", b[] = "/tmp/pipeline_test_b.XXXXXX";
    copy_fixture(a, "ok_plugin", "ok_plugin");
    copy_fixture(b, "upper_title", "ok_plugin"); /* another file under the same name */
    setenv("INGESTD_PLUGIN_DIR", a, 1);
    char json[3 * PATH_MAX], want[3 * PATH_MAX];
    pipeline *p = (pipeline *)1;
    snprintf(json, sizeof json, "{\"plugin_dirs\": [\"%s\"], \"plugins\": [\"ok_plugin\"]}", b);
    CHECK_INT(build(json, &p), -EEXIST);
    CHECK(p == NULL);
    snprintf(want, sizeof want,
             "plugin \"ok_plugin\": provided by two folders: %s/ok_plugin.so and %s/ok_plugin.so "
             "(remove one, or name the plugin by its path)",
             a, b);
    CHECK_STR(err, want);

    /* the same file reached through two folder entries is not a conflict */
    snprintf(json, sizeof json, "{\"plugin_dirs\": [\"%s\"], \"plugins\": [\"ok_plugin\"]}", a);
    CHECK_INT(build(json, &p), 0);
    pipeline_free(p);

    /* a path picks one file explicitly */
    snprintf(json, sizeof json, "{\"plugin_dirs\": [\"%s\"], \"plugins\": [\"%s/ok_plugin.so\"]}",
             b, b);
    CHECK_INT(build(json, &p), 0);
    if (p) {
        json_t *st = stats_of(p, 0);
        CHECK_STR(json_string_value(json_object_get(st, "name")), "upper_title");
        json_decref(st);
        pipeline_free(p);
    }

    /* only in plugin_dirs: found there, after the built-in folder was searched */
    unlink(strcat(strcpy(want, a), "/ok_plugin.so"));
    snprintf(json, sizeof json, "{\"plugin_dirs\": [\"%s\"], \"plugins\": [\"ok_plugin\"]}", b);
    CHECK_INT(build(json, &p), 0);
    if (p) {
        json_t *st = stats_of(p, 0);
        snprintf(want, sizeof want, "%s/ok_plugin.so", b);
        CHECK_STR(json_string_value(json_object_get(st, "path")), want);
        json_decref(st);
        pipeline_free(p);
    }
    unsetenv("INGESTD_PLUGIN_DIR");
    remove_tree(a);
    remove_tree(b);
}

/* Build a one-plugin chain of path with the given plugin_trust; returns rc (err set). */
static int build_trust(const char *path, const char *trust)
{
    char json[2 * PATH_MAX];
    snprintf(json, sizeof json, "{\"plugin_trust\": \"%s\", \"plugins\": [\"%s\"]}", trust, path);
    pipeline *p = NULL;
    int rc = build(json, &p);
    pipeline_free(p);
    return rc;
}

static void expect_untrusted(const char *path, const char *why)
{
    char want[3 * PATH_MAX];
    snprintf(want, sizeof want, "plugin \"%s\" (%s): refused: %s", path, path, why);
    CHECK_INT(build_trust(path, "strict"), -EPERM);
    if (strncmp(err, want, strlen(want)) != 0)
        fprintf(stderr, "  got:  %s\n  want: %s...\n", err, want);
    CHECK(strncmp(err, want, strlen(want)) == 0);
    CHECK(!strchr(err, '\n'));
    CHECK(!is_loaded(path)); /* refused before dlopen */
    CHECK_INT(build_trust(path, "relaxed"), 0);
}

static void test_trust_refusal(void)
{
    char dir[] = "/tmp/pipeline_test_t.XXXXXX";
    copy_fixture(dir, "ok_plugin", "trusted");
    char so[PATH_MAX], why[2 * PATH_MAX];
    snprintf(so, sizeof so, "%s/trusted.so", dir);
    CHECK_INT(build_trust(so, "strict"), 0);

    CHECK_INT(chmod(dir, 0770), 0);
    snprintf(why, sizeof why, "folder %s is writable by group (mode 0770)", dir);
    expect_untrusted(so, why);
    CHECK_INT(chmod(dir, 01777), 0); /* sticky, like /tmp: accepted */
    CHECK_INT(build_trust(so, "strict"), 0);
    CHECK_INT(chmod(dir, 0700), 0);

    CHECK_INT(chmod(so, 0666), 0);
    snprintf(why, sizeof why, "file %s is writable by group and others (mode 0666)", so);
    expect_untrusted(so, why);
    CHECK_INT(chmod(so, 0755), 0);

    if (geteuid() == 0) {
        CHECK_INT(chown(so, 65534, (gid_t)-1), 0);
        snprintf(why, sizeof why, "file %s is owned by uid 65534, not by root or the daemon's", so);
        expect_untrusted(so, why);
        CHECK_INT(chown(so, 0, (gid_t)-1), 0);
        CHECK_INT(chown(dir, 65534, (gid_t)-1), 0);
        snprintf(why, sizeof why, "folder %s is owned by uid 65534", dir);
        expect_untrusted(so, why);
        CHECK_INT(chown(dir, 0, (gid_t)-1), 0);
    }

    /* the trust check itself, outside a chain */
    CHECK_INT(pipeline_check_trust("x", so, err, sizeof err), 0);
    CHECK_INT(pipeline_check_trust("x", dir, err, sizeof err), -EPERM); /* not a regular file */
    CHECK(strstr(err, "is not a regular file") != NULL);
    remove_tree(dir);
}

static void test_open_one_plugin(void)
{
    config *cfg = config_defaults();
    pipeline_plugin *pp = (pipeline_plugin *)1;
    /* the same refusal as in a chain */
    CHECK_INT(pipeline_plugin_open(cfg, fixture("wrong_major"), &pp, err, sizeof err), -ELIBBAD);
    CHECK(pp == NULL);
    CHECK(strstr(err, "built for plugin ABI") != NULL);
    CHECK(!is_loaded(fixture("wrong_major")));

    CHECK_INT(pipeline_plugin_open(cfg, fixture("failing_init"), &pp, err, sizeof err), 0);
    CHECK(pp != NULL);
    if (pp) {
        CHECK_STR(pipeline_plugin_descriptor(pp)->name, "failing_init");
        CHECK_INT(pipeline_plugin_init(pp, "{}", err, sizeof err), -ECANCELED);
        CHECK(strstr(err, "init failed: bad config: missing key") != NULL);
        pipeline_plugin_close(pp); /* destroy is not called for a failed init */
    }
    CHECK(!is_loaded(fixture("failing_init")));

    CHECK_INT(pipeline_plugin_open(cfg, fixture("upper_title"), &pp, err, sizeof err), 0);
    if (pp) {
        CHECK_STR(pipeline_plugin_path(pp), fixture("upper_title"));
        CHECK(pipeline_plugin_descriptor(pp)->flags & INGESTD_PLUGIN_THREAD_SAFE);
        CHECK_INT(pipeline_plugin_init(pp, NULL, err, sizeof err), 0);
        ingestd_record *rec = make_rec("first line\nsecond");
        uint64_t ns = 0;
        CHECK_INT(pipeline_plugin_process(pp, rec, &ns), INGESTD_OK);
        CHECK_STR(rec_get(rec, INGESTD_FIELD_TITLE, NULL), "FIRST LINE");
        rec_free(rec);
        pipeline_plugin_close(pp);
    }
    pipeline_plugin_close(NULL);
    config_free(cfg);
}

static void test_error_rate_and_failing(void)
{
    pipeline *p = NULL;
    CHECK_INT(build_chain(&p, "verdict_a", NULL), 0);
    if (!p)
        return;
    pipeline_outcome out;
    /* one ok, then PIPELINE_ERROR_WINDOW - 1 errors: not failing yet */
    ingestd_record *rec = make_rec("T\nfine");
    pipeline_run(p, rec, &out);
    rec_free(rec);
    for (int i = 0; i < PIPELINE_ERROR_WINDOW - 1; i++) {
        rec = make_rec("T\nverdict_a:SILENT_ERROR");
        pipeline_run(p, rec, &out);
        CHECK_INT(out.verdict, INGESTD_ERROR);
        rec_free(rec);
    }
    json_t *s = stats_of(p, 0);
    CHECK(json_is_false(json_object_get(s, "failing")));
    double rate = json_real_value(json_object_get(s, "error_rate"));
    CHECK(rate > 0.949 && rate < 0.951); /* 19 of 20 */
    CHECK_INT(stat_int(s, "slow_calls"), 0);
    json_decref(s);
    /* the window-th error in a row: failing */
    rec = make_rec("T\nverdict_a:SILENT_ERROR");
    pipeline_run(p, rec, &out);
    rec_free(rec);
    s = stats_of(p, 0);
    CHECK(json_is_true(json_object_get(s, "failing")));
    json_decref(s);
    /* an invalid verdict counts as an error too; one ok ends the run */
    rec = make_rec("T\nverdict_a:BAD_VERDICT");
    pipeline_run(p, rec, &out);
    rec_free(rec);
    rec = make_rec("T\nfine again");
    pipeline_run(p, rec, &out);
    CHECK_INT(out.verdict, INGESTD_OK);
    rec_free(rec);
    s = stats_of(p, 0);
    CHECK(json_is_false(json_object_get(s, "failing")));
    CHECK_INT(stat_int(s, "calls"), 23);
    CHECK_INT(stat_int(s, "errors"), 21);
    rate = json_real_value(json_object_get(s, "error_rate"));
    CHECK(rate > 21.0 / 23 - 1e-9 && rate < 21.0 / 23 + 1e-9);
    json_decref(s);
    pipeline_free(p);
}

/* ---- running ---------------------------------------------------------------------------- */

static void expect_uid_of(ingestd_record *rec)
{
    /* the uid the daemon stored must be the one rec_compute_uid gives for the final fields */
    size_t tl = 0, bl = 0;
    const char *title = rec_get(rec, INGESTD_FIELD_TITLE, &tl);
    const char *body = rec_get(rec, INGESTD_FIELD_BODY, &bl);
    ingestd_record *twin = rec_new("file", "/x", 0, body, bl);
    if (title)
        rec_set(twin, INGESTD_FIELD_TITLE, title, tl);
    rec_compute_uid(twin);
    size_t ul = 0;
    const char *uid = rec_get(rec, INGESTD_FIELD_UID, &ul);
    CHECK_INT(ul, 32);
    CHECK_STR(uid, rec_get(twin, INGESTD_FIELD_UID, NULL));
    for (size_t i = 0; uid && i < ul; i++)
        CHECK((uid[i] >= '0' && uid[i] <= '9') || (uid[i] >= 'a' && uid[i] <= 'f'));
    rec_free(twin);
}

static void test_run_ok_and_fallback_title(void)
{
    pipeline *p = NULL;
    CHECK_INT(build_chain(&p, "ok_plugin", NULL), 0);
    if (!p)
        return;
    pipeline_outcome out;
    memset(&out, 0x55, sizeof out);
    ingestd_record *rec = make_rec("\n  \t\n  First line here \t\nSecond line\n");
    pipeline_run(p, rec, &out);
    CHECK_INT(out.verdict, INGESTD_OK);
    CHECK(out.who == NULL);
    CHECK_STR(out.reason, "");
    CHECK_STR(rec_get(rec, INGESTD_FIELD_TITLE, NULL), "First line here");
    CHECK_STR(rec_get(rec, INGESTD_FIELD_BODY, NULL),
              "\n  \t\n  First line here \t\nSecond line\n");
    ingestd_host h;
    rec_host_fill(&h, NULL, NULL);
    CHECK_STR(h.meta_get(rec, "seen"), "true");
    expect_uid_of(rec);
    /* sha256("First line here\nFirst line here Second line") by Python's hashlib */
    CHECK_STR(rec_get(rec, INGESTD_FIELD_UID, NULL), "5eafa75960f3421e4472a562360f9f0c");
    rec_free(rec);

    /* a long first line is cut at 300 bytes, backing off to a character boundary */
    char body[1024];
    size_t n = 0;
    body[n++] = 'a';
    for (int i = 0; i < 200; i++) {
        memcpy(body + n, "\xE2\x82\xAC", 3); /* U+20AC, 3 bytes: byte 300 is inside one */
        n += 3;
    }
    memcpy(body + n, "\nrest", 6);
    rec = make_rec(body);
    pipeline_run(p, rec, &out);
    size_t tl = 0;
    const char *title = rec_get(rec, INGESTD_FIELD_TITLE, &tl);
    CHECK_INT(tl, 298);
    CHECK(title && utf8_valid(title, tl) && memcmp(title, body, 298) == 0);
    rec_free(rec);

    /* a body of blanks gets no title, but a uid */
    rec = make_rec(" \n\t\n");
    pipeline_run(p, rec, &out);
    CHECK_INT(out.verdict, INGESTD_OK);
    CHECK(rec_get(rec, INGESTD_FIELD_TITLE, NULL) == NULL);
    CHECK_STR(rec_get(rec, INGESTD_FIELD_UID, NULL), "01ba4719c80b6fe911b091a7c05124b6");
    rec_free(rec);
    pipeline_free(p);

    /* a title set by a plugin wins over the fallback */
    CHECK_INT(build_chain(&p, "upper_title", "ok_plugin", NULL), 0);
    rec = make_rec("Breaking news: x\nbody text");
    pipeline_run(p, rec, &out);
    CHECK_INT(out.verdict, INGESTD_OK);
    CHECK_STR(rec_get(rec, INGESTD_FIELD_TITLE, NULL), "BREAKING NEWS: X");
    expect_uid_of(rec);
    rec_free(rec);
    pipeline_free(p);

    /* an empty chain still completes the record */
    CHECK_INT(build("{\"plugins\": []}", &p), 0);
    rec = make_rec("Only line");
    pipeline_run(p, rec, &out);
    CHECK_INT(out.verdict, INGESTD_OK);
    CHECK_STR(rec_get(rec, INGESTD_FIELD_TITLE, NULL), "Only line");
    expect_uid_of(rec);
    rec_free(rec);
    pipeline_free(p);
}

static void test_run_error(void)
{
    pipeline *p = NULL;
    CHECK_INT(build_chain(&p, "ok_plugin", "error_plugin", "upper_title", NULL), 0);
    if (!p)
        return;
    pipeline_outcome out;
    ingestd_record *rec = make_rec("Some title\nbody");
    pipeline_run(p, rec, &out);
    CHECK_INT(out.verdict, INGESTD_ERROR);
    CHECK_STR(out.who, "error_plugin");
    CHECK_STR(out.reason, "always fails: test");
    CHECK(rec_get(rec, INGESTD_FIELD_UID, NULL) == NULL);   /* no uid for a failed record */
    CHECK(rec_get(rec, INGESTD_FIELD_TITLE, NULL) == NULL); /* upper_title never ran */
    json_t *s = stats_of(p, 2);
    CHECK_INT(stat_int(s, "calls"), 0);
    json_decref(s);
    rec_free(rec);
    pipeline_free(p);
}

static void test_run_drop(void)
{
    pipeline *p = NULL;
    CHECK_INT(build_chain(&p, "ok_plugin", "drop_plugin", "error_plugin", NULL), 0);
    if (!p)
        return;
    pipeline_outcome out;
    ingestd_record *rec = make_rec("Title\nplease DROPME now");
    pipeline_run(p, rec, &out);
    CHECK_INT(out.verdict, INGESTD_DROP);
    CHECK_STR(out.who, "drop_plugin");
    CHECK_STR(out.reason, "dropped by plugin drop_plugin");
    CHECK(rec_get(rec, INGESTD_FIELD_UID, NULL) == NULL);
    rec_free(rec);

    rec = make_rec("Title\nplease keep (dropme in lower case)");
    pipeline_run(p, rec, &out);
    CHECK_INT(out.verdict, INGESTD_ERROR); /* passes the drop plugin, fails at the next */
    CHECK_STR(out.who, "error_plugin");
    rec_free(rec);
    pipeline_free(p);
}

static void test_run_edge_verdicts(void)
{
    pipeline *p = NULL;
    CHECK_INT(build_chain(&p, "verdict_a", "verdict_b", NULL), 0);
    if (!p)
        return;
    pipeline_outcome out;
    /* a reason noted by an earlier plugin that then passed is not the later error's reason */
    ingestd_record *rec = make_rec("t\nverdict_a:NOTE verdict_b:SILENT_ERROR");
    pipeline_run(p, rec, &out);
    CHECK_INT(out.verdict, INGESTD_ERROR);
    CHECK_STR(out.who, "verdict_b");
    CHECK_STR(out.reason, "no reason given");
    rec_free(rec);

    /* a note alone does not fail the record */
    rec = make_rec("t\nverdict_a:NOTE");
    pipeline_run(p, rec, &out);
    CHECK_INT(out.verdict, INGESTD_OK);
    CHECK(out.who == NULL);
    CHECK_STR(out.reason, "");
    CHECK_INT(strlen(rec_get(rec, INGESTD_FIELD_UID, NULL)), 32);
    rec_free(rec);

    /* a verdict outside the enum is an error of that plugin, and stops the chain */
    rec = make_rec("t\nverdict_a:BAD_VERDICT verdict_b:SILENT_ERROR");
    pipeline_run(p, rec, &out);
    CHECK_INT(out.verdict, INGESTD_ERROR);
    CHECK_STR(out.who, "verdict_a");
    CHECK_STR(out.reason, "invalid verdict 7");
    json_t *s = stats_of(p, 0);
    CHECK_INT(stat_int(s, "calls"), 3);
    CHECK_INT(stat_int(s, "ok"), 2);
    CHECK_INT(stat_int(s, "errors"), 1);
    json_decref(s);
    s = stats_of(p, 1);
    CHECK_INT(stat_int(s, "calls"), 2);
    CHECK_INT(stat_int(s, "errors"), 1);
    json_decref(s);
    rec_free(rec);
    pipeline_free(p);
}

static void test_config_reaches_init(void)
{
    char json[4096];
    snprintf(json, sizeof json,
             "{\"plugins\": [{\"name\": \"%s\", \"config\": {\"lang\": \"\xC3\xA9l\", \"list\": "
             "[1, 2.5, null], \"a\": {\"b\": true}}}]}",
             fixture("config_echo"));
    pipeline *p = NULL;
    CHECK_INT(build(json, &p), 0);
    if (!p)
        return;
    ingestd_record *rec = make_rec("x");
    pipeline_outcome out;
    pipeline_run(p, rec, &out);
    CHECK_INT(out.verdict, INGESTD_OK);
    ingestd_host h;
    rec_host_fill(&h, NULL, NULL);
    CHECK_STR(h.meta_get(rec, "config"),
              "{\"a\":{\"b\":true},\"lang\":\"\xC3\xA9l\",\"list\":[1,2.5,null]}");
    rec_free(rec);
    pipeline_free(p);

    /* without a config block, init gets "{}" */
    CHECK_INT(build_chain(&p, "config_echo", NULL), 0);
    rec = make_rec("x");
    pipeline_run(p, rec, &out);
    CHECK_STR(h.meta_get(rec, "config"), "{}");
    rec_free(rec);
    pipeline_free(p);
}

static void test_stats_add_up(void)
{
    pipeline *p = NULL;
    CHECK_INT(build_chain(&p, "ok_plugin", "drop_plugin", "error_plugin", NULL), 0);
    if (!p)
        return;
    int n = 10, n_drop = 0;
    for (int i = 0; i < n; i++) {
        bool drop = i % 3 == 0;
        n_drop += drop;
        ingestd_record *rec = make_rec(drop ? "t\nDROPME" : "t\nkeep");
        pipeline_outcome out;
        pipeline_run(p, rec, &out);
        CHECK_INT(out.verdict, drop ? INGESTD_DROP : INGESTD_ERROR);
        rec_free(rec);
    }
    CHECK_INT(n_drop, 4);
    const long long want[3][4] = {/* calls, ok, drops, errors */
                                  {10, 10, 0, 0},
                                  {10, 6, 4, 0},
                                  {6, 0, 0, 6}};
    for (size_t i = 0; i < 3; i++) {
        json_t *s = stats_of(p, i);
        CHECK_INT(stat_int(s, "calls"), want[i][0]);
        CHECK_INT(stat_int(s, "ok"), want[i][1]);
        CHECK_INT(stat_int(s, "drops"), want[i][2]);
        CHECK_INT(stat_int(s, "errors"), want[i][3]);
        CHECK_INT(stat_int(s, "calls"),
                  stat_int(s, "ok") + stat_int(s, "drops") + stat_int(s, "errors"));
        CHECK(json_real_value(json_object_get(s, "mean_us")) >= 0);
        CHECK(stat_int(s, "total_us") >= 0);
        json_decref(s);
    }
    pipeline_free(p);
}

/* ---- threads ---------------------------------------------------------------------------- */

enum { N_THREADS = 4, PER_THREAD = 250 };

struct worker_arg {
    pipeline *p;
    int not_ok;
    char first_reason[512];
};

static void *worker(void *arg)
{
    struct worker_arg *w = arg;
    for (int i = 0; i < PER_THREAD; i++) {
        ingestd_record *rec = rec_new("file", "/t", 0, "Title\nbody", 10);
        pipeline_outcome out;
        pipeline_run(w->p, rec, &out);
        if (out.verdict != INGESTD_OK && w->not_ok++ == 0)
            snprintf(w->first_reason, sizeof w->first_reason, "%s: %s", out.who, out.reason);
        rec_free(rec);
    }
    return NULL;
}

static void test_not_thread_safe_is_serialized(void)
{
    pipeline *p = NULL;
    CHECK_INT(build_chain(&p, "ok_plugin", "not_thread_safe", NULL), 0);
    if (!p)
        return;
    pthread_t th[N_THREADS];
    struct worker_arg args[N_THREADS];
    for (int i = 0; i < N_THREADS; i++) {
        args[i] = (struct worker_arg){.p = p};
        CHECK_INT(pthread_create(&th[i], NULL, worker, &args[i]), 0);
    }
    int not_ok = 0;
    for (int i = 0; i < N_THREADS; i++) {
        pthread_join(th[i], NULL);
        if (args[i].not_ok)
            fprintf(stderr, "  thread %d: %d failures, first: %s\n", i, args[i].not_ok,
                    args[i].first_reason);
        not_ok += args[i].not_ok;
    }
    CHECK_INT(not_ok, 0);
    json_t *s = stats_of(p, 1);
    CHECK(json_is_false(json_object_get(s, "thread_safe")));
    CHECK_INT(stat_int(s, "calls"), N_THREADS * PER_THREAD);
    CHECK_INT(stat_int(s, "ok"), N_THREADS * PER_THREAD);
    CHECK_INT(stat_int(s, "errors"), 0);
    json_decref(s);
    s = stats_of(p, 0);
    CHECK_INT(stat_int(s, "calls"), N_THREADS * PER_THREAD); /* counters are not lost */
    json_decref(s);
    pipeline_free(p);
}

int main(void)
{
    log_set_level(LOG_LVL_WARNING); /* no "plugin loaded" lines */
    alarm(60);
    RUN(test_build_good_chain);
    RUN(test_refuse_broken_plugins);
    RUN(test_not_found_and_not_a_plugin);
    RUN(test_builtin_dir);
    RUN(test_duplicate_plugin);
    RUN(test_name_in_two_folders_refused);
    RUN(test_trust_refusal);
    RUN(test_open_one_plugin);
    RUN(test_error_rate_and_failing);
    RUN(test_run_ok_and_fallback_title);
    RUN(test_run_error);
    RUN(test_run_drop);
    RUN(test_run_edge_verdicts);
    RUN(test_config_reaches_init);
    RUN(test_stats_add_up);
    RUN(test_not_thread_safe_is_serialized);
    return TEST_SUMMARY();
}

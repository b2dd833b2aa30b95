/*
 * config - parses and validates the daemon's JSON configuration.
 *
 * Every top-level key is declared once in `keys[]` (name, type, default, limits, description);
 * parsing, defaults, range checks and the printed reference all come from that table, so the
 * README's configuration section and `ingestd --help-config` cannot drift from the code.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <libgen.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "decode.h"
#include "log.h"
#include "xalloc.h"

enum key_type {
    KEY_INT,
    KEY_PATH,
    KEY_ENUM,
    KEY_WATCH_LIST,
    KEY_PLUGIN_LIST,
    KEY_PATH_LIST,
    KEY_FEED_LIST
};

struct key_spec {
    const char *name;
    enum key_type type;
    size_t offset;       /* into struct config, for scalar keys */
    const char *def;     /* default as text (ints parsed) */
    int64_t min, max;    /* for KEY_INT */
    const char *choices; /* for KEY_ENUM: "a|b|c" */
    const char *help;
};

#define OFF(field) offsetof(config, field)

static const struct key_spec keys[] = {
    {"watch", KEY_WATCH_LIST, 0, "[]", 0, 0, NULL,
     "Folders to watch: an array of objects {\"path\": DIR, \"after\": \"move\"|\"keep\"|"
     "\"delete\", \"done_dir\": DIR, \"failed_dir\": DIR, \"encoding\": \"auto\"|NAME}. "
     "`after` (default \"move\") says what happens to a file once its record is committed: "
     "moved to done_dir (default DIR/done; failures go to failed_dir, default DIR/failed), kept "
     "in place (remembered by identity, never ingested twice), or deleted. `encoding` forces a "
     "legacy encoding for files that are not UTF-8 (default: detect)."},
    {"database", KEY_PATH, OFF(database), "/var/lib/ingestd/ingestd.db", 0, 0, NULL,
     "SQLite database file (WAL mode). Its folder must exist."},
    {"control_socket", KEY_PATH, OFF(control_socket), "/run/ingestd/control.sock", 0, 0, NULL,
     "Unix socket of the control interface (mode 0660). Its folder must exist."},
    {"plugins", KEY_PLUGIN_LIST, 0, "[\"datetime\", \"cleanup\", \"langdetect\"]", 0, 0, NULL,
     "The plugin chain, in order. Each entry is a name (searched in the built-in plugin folder, "
     "then in plugin_dirs), a path to a .so, or an object {\"name\": NAME|PATH, \"config\": "
     "{...}} whose config object is handed to the plugin's init."},
    {"plugin_dirs", KEY_PATH_LIST, 0, "[]", 0, 0, NULL,
     "Extra folders searched for plugins named in the chain, after the built-in folder. A name "
     "found in two folders is refused (both paths are named)."},
    {"plugin_trust", KEY_ENUM, OFF(plugin_trust), "strict", 0, 0, "strict|relaxed",
     "\"strict\": a plugin file and every folder above it must be owned by root or by the "
     "daemon's user and not writable by group or others (sticky folders such as /tmp excepted); "
     "otherwise the plugin is refused, naming the path and why. \"relaxed\" skips these checks "
     "(development trees only)."},
    {"plugin_timeout_ms", KEY_INT, OFF(plugin_timeout_ms), "10000", 1, 3600000, NULL,
     "Time limit of one plugin call on one article. A call over it is reported (log warning with "
     "the plugin and the article's source, also while a hung call still runs; `slow_calls` in "
     "the stats); it is not aborted."},
    {"workers", KEY_INT, OFF(workers), "2", 1, 64, NULL,
     "Worker threads that read, decode and run the plugin chain."},
    {"queue_max", KEY_INT, OFF(queue_max), "1024", 1, 1000000, NULL,
     "Articles in flight at most (claimed but not yet committed); intake pauses beyond it."},
    {"batch_max", KEY_INT, OFF(batch_max), "256", 1, 100000, NULL,
     "Records per database transaction at most."},
    {"batch_ms", KEY_INT, OFF(batch_ms), "20", 1, 60000, NULL,
     "Longest wait (milliseconds) before a partly filled batch is committed."},
    {"max_file_bytes", KEY_INT, OFF(max_file_bytes), "16777216", 1, 1073741824, NULL,
     "Largest input file; a larger one is recorded as a failure and moved to failed_dir."},
    {"rescan_interval_s", KEY_INT, OFF(rescan_interval_s), "60", 0, 86400, NULL,
     "Seconds between full rescans of the watched folders (0: only at start and on overflow)."},
    {"settle_ms", KEY_INT, OFF(settle_ms), "2000", 0, 600000, NULL,
     "A file found by a scan (not announced by inotify) is taken only when its size and mtime "
     "have not changed for this long."},
    {"synchronous", KEY_ENUM, OFF(synchronous), "normal", 0, 0, "normal|full",
     "SQLite durability: \"normal\" (WAL, fsync at checkpoints; a power loss may lose the last "
     "transactions but never corrupts) or \"full\" (fsync every commit)."},
    {"log_level", KEY_ENUM, OFF(log_level), "info", 0, 0, "error|warning|notice|info|debug",
     "Lowest priority written to the log (stderr, journald priorities)."},
    {"feeds", KEY_FEED_LIST, 0, "[]", 0, 0, NULL,
     "Feeds to poll (RSS 0.9x/2.0, RSS 1.0, Atom, JSON Feed): an array of objects {\"url\": "
     "URL, \"interval_s\": N} (interval_s optional, default feed_interval_s). Feeds added with "
     "`ingestctl feed add` are kept in the database; a feed removed from this list stops."},
    {"feed_interval_s", KEY_INT, OFF(feed_interval_s), "900", 1, 604800, NULL,
     "Default seconds between two polls of a feed (with +-10% jitter; a longer Cache-Control "
     "max-age or Retry-After wins; errors back off exponentially up to 24 h)."},
    {"feed_max_body_bytes", KEY_INT, OFF(feed_max_body_bytes), "8388608", 1024, 268435456, NULL,
     "Largest feed body; a larger answer is aborted while it arrives and counted as an error."},
    {"feed_per_host", KEY_INT, OFF(feed_per_host), "2", 1, 16, NULL,
     "Transfers at once to one host."},
    {"feed_timeout_s", KEY_INT, OFF(feed_timeout_s), "30", 1, 600, NULL,
     "Longest time of one feed transfer (connect at most 10 s of it; a transfer slower than 100 "
     "bytes/s for 15 s is aborted too)."},
    {"feed_start_jitter_s", KEY_INT, OFF(feed_start_jitter_s), "30", 0, 3600, NULL,
     "First polls after a start are spread over this many seconds, so the feeds of one host "
     "are not all fetched at once."},
    {"feed_max_in_flight", KEY_INT, OFF(feed_max_in_flight), "64", 1, 10000, NULL,
     "Polls (transfer, parsing and plugin chain) running at once at most."},
};

#define N_KEYS (sizeof keys / sizeof keys[0])

struct parse_ctx {
    const char *origin;
    char base_dir[PATH_MAX];
    bool check_paths;
    char *err;
    size_t errlen;
};

__attribute__((format(printf, 3, 4))) static int fail(struct parse_ctx *ctx, int code,
                                                      const char *fmt, ...)
{
    int n = snprintf(ctx->err, ctx->errlen, "config %s: ", ctx->origin);
    if (n >= 0 && (size_t)n < ctx->errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(ctx->err + n, ctx->errlen - (size_t)n, fmt, ap);
        va_end(ap);
    }
    return code;
}

/* Resolve p against the config file's folder; returns a new string. */
static char *resolve_path(const struct parse_ctx *ctx, const char *p)
{
    if (p[0] == '/' || !ctx->base_dir[0])
        return xstrdup(p);
    size_t n = strlen(ctx->base_dir) + strlen(p) + 2;
    char *out = xmalloc(n);
    snprintf(out, n, "%s/%s", ctx->base_dir, p);
    return out;
}

static const char *type_name(enum key_type t)
{
    switch (t) {
    case KEY_INT:
        return "integer";
    case KEY_PATH:
        return "path";
    case KEY_ENUM:
        return "string";
    case KEY_WATCH_LIST:
        return "array of objects";
    case KEY_PLUGIN_LIST:
        return "array";
    case KEY_PATH_LIST:
        return "array of paths";
    case KEY_FEED_LIST:
        return "array of objects";
    }
    return "?";
}

static bool enum_has(const char *choices, const char *value)
{
    size_t vlen = strlen(value);
    const char *p = choices;
    while (*p) {
        const char *bar = strchr(p, '|');
        size_t len = bar ? (size_t)(bar - p) : strlen(p);
        if (len == vlen && strncmp(p, value, len) == 0)
            return true;
        if (!bar)
            break;
        p = bar + 1;
    }
    return false;
}

static int parse_watch(struct parse_ctx *ctx, json_t *arr, config *cfg)
{
    if (!json_is_array(arr))
        return fail(ctx, -EINVAL,
                    "watch: must be an array of objects, e.g. [{\"path\": \"/srv/inbox\"}]");
    cfg->n_watch = json_array_size(arr);
    cfg->watch = xcalloc(cfg->n_watch ? cfg->n_watch : 1, sizeof *cfg->watch);
    for (size_t i = 0; i < cfg->n_watch; i++) {
        json_t *w = json_array_get(arr, i);
        cfg_watch *cw = &cfg->watch[i];
        if (json_is_string(w))
            w = json_pack("{s:O}", "path", w);
        else
            json_incref(w);
        if (!json_is_object(w)) {
            json_decref(w);
            return fail(ctx, -EINVAL, "watch[%zu]: must be an object with a \"path\"", i);
        }
        int rc = 0;
        const char *k;
        json_t *v;
        json_object_foreach(w, k, v)
        {
            if (k[0] == '_')
                continue;
            if (strcmp(k, "path") && strcmp(k, "after") && strcmp(k, "done_dir") &&
                strcmp(k, "failed_dir") && strcmp(k, "encoding")) {
                rc = fail(ctx, -EINVAL,
                          "watch[%zu]: unknown key \"%s\" (known: path, after, done_dir, "
                          "failed_dir, encoding)",
                          i, k);
                break;
            }
            if (!json_is_string(v) || !*json_string_value(v)) {
                rc = fail(ctx, -EINVAL, "watch[%zu].%s: must be a non-empty string", i, k);
                break;
            }
        }
        const char *path = json_string_value(json_object_get(w, "path"));
        const char *after = json_string_value(json_object_get(w, "after"));
        const char *done = json_string_value(json_object_get(w, "done_dir"));
        const char *failed = json_string_value(json_object_get(w, "failed_dir"));
        const char *enc = json_string_value(json_object_get(w, "encoding"));
        if (rc == 0 && !path)
            rc = fail(ctx, -EINVAL, "watch[%zu].path: missing (the folder to watch)", i);
        if (rc == 0) {
            cw->path = resolve_path(ctx, path);
            /* strip trailing slashes so prefix checks and messages are uniform */
            size_t n = strlen(cw->path);
            while (n > 1 && cw->path[n - 1] == '/')
                cw->path[--n] = '\0';
            struct stat st;
            if (ctx->check_paths && stat(cw->path, &st) != 0)
                rc = fail(ctx, -ENOENT, "watch[%zu].path: no such directory \"%s\"", i, cw->path);
            else if (ctx->check_paths && !S_ISDIR(st.st_mode))
                rc = fail(ctx, -ENOTDIR, "watch[%zu].path: not a directory \"%s\"", i, cw->path);
        }
        if (rc == 0) {
            if (!after || strcmp(after, "move") == 0)
                cw->after = CFG_AFTER_MOVE;
            else if (strcmp(after, "keep") == 0)
                cw->after = CFG_AFTER_KEEP;
            else if (strcmp(after, "delete") == 0)
                cw->after = CFG_AFTER_DELETE;
            else
                rc = fail(ctx, -EINVAL,
                          "watch[%zu].after: \"%s\" is not one of \"move\", \"keep\", \"delete\"",
                          i, after);
        }
        if (rc == 0) {
            if (done) {
                cw->done_dir = resolve_path(ctx, done);
            } else {
                size_t n = strlen(cw->path) + 6;
                cw->done_dir = xmalloc(n);
                snprintf(cw->done_dir, n, "%s/done", cw->path);
            }
            if (failed) {
                cw->failed_dir = resolve_path(ctx, failed);
            } else {
                size_t n = strlen(cw->path) + 8;
                cw->failed_dir = xmalloc(n);
                snprintf(cw->failed_dir, n, "%s/failed", cw->path);
            }
            if (!enc || strcmp(enc, "auto") == 0) {
                cw->encoding = xstrdup("auto");
            } else {
                const char *canon = decode_canonical_name(enc);
                if (!canon)
                    rc = fail(ctx, -EINVAL,
                              "watch[%zu].encoding: unsupported encoding \"%s\" (use \"auto\" or "
                              "e.g. \"windows-1251\", \"iso-8859-7\", \"koi8-r\")",
                              i, enc);
                else
                    cw->encoding = xstrdup(canon);
            }
        }
        for (size_t j = 0; rc == 0 && j < i; j++)
            if (strcmp(cfg->watch[j].path, cw->path) == 0)
                rc = fail(ctx, -EINVAL, "watch[%zu].path: \"%s\" is already watched by watch[%zu]",
                          i, cw->path, j);
        json_decref(w);
        if (rc)
            return rc;
    }
    return 0;
}

static bool plugin_name_ok(const char *name)
{
    if (!*name)
        return false;
    if (strchr(name, '/'))
        return true; /* a path */
    for (const char *p = name; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_' || *p == '-' ||
              (*p >= 'A' && *p <= 'Z') || *p == '.'))
            return false;
    return true;
}

static int parse_plugins(struct parse_ctx *ctx, json_t *arr, config *cfg)
{
    if (!json_is_array(arr))
        return fail(ctx, -EINVAL, "plugins: must be an array, e.g. [\"datetime\", \"cleanup\"]");
    cfg->n_plugins = json_array_size(arr);
    cfg->plugins = xcalloc(cfg->n_plugins ? cfg->n_plugins : 1, sizeof *cfg->plugins);
    for (size_t i = 0; i < cfg->n_plugins; i++) {
        json_t *p = json_array_get(arr, i);
        const char *name = NULL;
        json_t *pc = NULL;
        if (json_is_string(p)) {
            name = json_string_value(p);
        } else if (json_is_object(p)) {
            const char *k;
            json_t *v;
            json_object_foreach(p, k, v)
            {
                if (k[0] != '_' && strcmp(k, "name") && strcmp(k, "config"))
                    return fail(ctx, -EINVAL,
                                "plugins[%zu]: unknown key \"%s\" (known: name, config)", i, k);
            }
            name = json_string_value(json_object_get(p, "name"));
            pc = json_object_get(p, "config");
            if (pc && !json_is_object(pc))
                return fail(ctx, -EINVAL, "plugins[%zu].config: must be an object", i);
        } else {
            return fail(ctx, -EINVAL,
                        "plugins[%zu]: must be a name or {\"name\": ..., \"config\": {...}}", i);
        }
        if (!name || !plugin_name_ok(name))
            return fail(ctx, -EINVAL,
                        "plugins[%zu].name: missing or invalid plugin name (letters, digits, "
                        "'_', '-', or a path to a .so)",
                        i);
        cfg->plugins[i].name = strchr(name, '/') ? resolve_path(ctx, name) : xstrdup(name);
        cfg->plugins[i].config_json =
            pc ? json_dumps(pc, JSON_COMPACT | JSON_SORT_KEYS) : xstrdup("{}");
        if (!cfg->plugins[i].config_json)
            xalloc_die(__FILE__, __LINE__);
    }
    return 0;
}

static int parse_path_list(struct parse_ctx *ctx, const char *key, json_t *arr, config *cfg)
{
    if (!json_is_array(arr))
        return fail(ctx, -EINVAL, "%s: must be an array of folder paths", key);
    cfg->n_plugin_dirs = json_array_size(arr);
    cfg->plugin_dirs = xcalloc(cfg->n_plugin_dirs ? cfg->n_plugin_dirs : 1, sizeof(char *));
    for (size_t i = 0; i < cfg->n_plugin_dirs; i++) {
        const char *s = json_string_value(json_array_get(arr, i));
        if (!s || !*s)
            return fail(ctx, -EINVAL, "%s[%zu]: must be a non-empty string", key, i);
        cfg->plugin_dirs[i] = resolve_path(ctx, s);
    }
    return 0;
}

static void free_feeds(config *cfg)
{
    for (size_t i = 0; i < cfg->n_feeds; i++)
        free(cfg->feeds[i].url);
    free(cfg->feeds);
    cfg->feeds = NULL;
    cfg->n_feeds = 0;
}

static int parse_feeds(struct parse_ctx *ctx, json_t *arr, config *cfg)
{
    if (!json_is_array(arr))
        return fail(ctx, -EINVAL, "feeds: must be an array of objects {\"url\": URL}");
    size_t n = json_array_size(arr);
    cfg->feeds = xcalloc(n ? n : 1, sizeof *cfg->feeds);
    for (size_t i = 0; i < n; i++) {
        json_t *o = json_array_get(arr, i);
        if (json_is_string(o))
            o = json_pack("{s:O}", "url", o);
        else
            json_incref(o);
        const char *url = json_string_value(json_object_get(o, "url"));
        if (!json_is_object(o) || !url) {
            json_decref(o);
            return fail(ctx, -EINVAL, "feeds[%zu]: must be an object with a \"url\" string", i);
        }
        if (strncasecmp(url, "http://", 7) != 0 && strncasecmp(url, "https://", 8) != 0) {
            json_decref(o);
            return fail(ctx, -EINVAL, "feeds[%zu].url: only http:// and https:// URLs: \"%s\"", i,
                        url);
        }
        json_t *iv = json_object_get(o, "interval_s");
        int64_t interval = 0;
        if (iv && (!json_is_integer(iv) || json_integer_value(iv) < 1 ||
                   json_integer_value(iv) > 604800)) {
            json_decref(o);
            return fail(ctx, -ERANGE, "feeds[%zu].interval_s: must be an integer 1..604800", i);
        }
        if (iv)
            interval = json_integer_value(iv);
        const char *k;
        json_t *unused;
        json_object_foreach(o, k, unused)
        {
            if (strcmp(k, "url") != 0 && strcmp(k, "interval_s") != 0 && k[0] != '_') {
                int rc =
                    fail(ctx, -EINVAL, "feeds[%zu]: unknown key \"%s\" (url, interval_s)", i, k);
                json_decref(o);
                return rc;
            }
        }
        cfg->feeds[i].url = xstrdup(url);
        cfg->feeds[i].interval_s = interval;
        cfg->n_feeds = i + 1;
        json_decref(o);
    }
    return 0;
}

static int apply_key(struct parse_ctx *ctx, const struct key_spec *k, json_t *v, config *cfg)
{
    char *base = (char *)cfg;
    switch (k->type) {
    case KEY_INT: {
        if (!json_is_integer(v))
            return fail(ctx, -EINVAL, "%s: must be an integer (%" PRId64 "..%" PRId64 ")", k->name,
                        k->min, k->max);
        json_int_t n = json_integer_value(v);
        if (n < k->min || n > k->max)
            return fail(ctx, -ERANGE, "%s: %lld is out of range (%" PRId64 "..%" PRId64 ")",
                        k->name, (long long)n, k->min, k->max);
        *(int64_t *)(base + k->offset) = (int64_t)n;
        return 0;
    }
    case KEY_PATH: {
        const char *s = json_string_value(v);
        if (!s || !*s)
            return fail(ctx, -EINVAL, "%s: must be a non-empty path string", k->name);
        char **slot = (char **)(base + k->offset);
        free(*slot);
        *slot = resolve_path(ctx, s);
        return 0;
    }
    case KEY_ENUM: {
        const char *s = json_string_value(v);
        if (!s || !enum_has(k->choices, s))
            return fail(ctx, -EINVAL, "%s: must be one of %s", k->name, k->choices);
        char **slot = (char **)(base + k->offset);
        free(*slot);
        *slot = xstrdup(s);
        return 0;
    }
    case KEY_WATCH_LIST:
        return parse_watch(ctx, v, cfg);
    case KEY_PLUGIN_LIST:
        return parse_plugins(ctx, v, cfg);
    case KEY_PATH_LIST:
        return parse_path_list(ctx, k->name, v, cfg);
    case KEY_FEED_LIST:
        return parse_feeds(ctx, v, cfg);
    }
    return -EINVAL;
}

/* Apply every key's default (parsed from its text form, so the table is the single truth). */
static void apply_defaults(config *cfg)
{
    struct parse_ctx ctx = {.origin = "<defaults>", .check_paths = false};
    char err[256];
    ctx.err = err;
    ctx.errlen = sizeof err;
    for (size_t i = 0; i < N_KEYS; i++) {
        json_t *v = json_loads(keys[i].def, JSON_DECODE_ANY, NULL);
        if (!v) {
            if (keys[i].type == KEY_INT)
                v = json_integer(strtoll(keys[i].def, NULL, 10));
            else
                v = json_string(keys[i].def);
        }
        if (apply_key(&ctx, &keys[i], v, cfg) != 0) {
            fprintf(stderr, "ingestd: bad built-in default for %s: %s\n", keys[i].name, err);
            abort();
        }
        json_decref(v);
    }
}

config *config_defaults(void)
{
    config *cfg = xcalloc(1, sizeof *cfg);
    cfg->file = xstrdup("<defaults>");
    apply_defaults(cfg);
    return cfg;
}

int config_parse(const char *text, size_t len, const char *origin, bool check_paths, config **out,
                 char *err, size_t errlen)
{
    struct parse_ctx ctx = {
        .origin = origin, .check_paths = check_paths, .err = err, .errlen = errlen};
    *out = NULL;
    char originbuf[PATH_MAX];
    snprintf(originbuf, sizeof originbuf, "%s", origin);
    char *dir = dirname(originbuf);
    char *real = realpath(dir, NULL);
    if (real) {
        snprintf(ctx.base_dir, sizeof ctx.base_dir, "%s", real);
        free(real);
    } else if (origin[0] == '/') {
        snprintf(ctx.base_dir, sizeof ctx.base_dir, "%s", dir);
    } else {
        char cwd[PATH_MAX];
        if (getcwd(cwd, sizeof cwd))
            snprintf(ctx.base_dir, sizeof ctx.base_dir, "%.2000s/%.2000s", cwd, dir);
    }

    json_error_t jerr;
    json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!root)
        return fail(&ctx, -EINVAL, "line %d, column %d: %s", jerr.line, jerr.column, jerr.text);
    if (!json_is_object(root)) {
        json_decref(root);
        return fail(&ctx, -EINVAL, "the top level must be a JSON object");
    }
    config *cfg = xcalloc(1, sizeof *cfg);
    cfg->file = xstrdup(origin);
    apply_defaults(cfg);
    /* the defaults' list values are replaced, not merged, when the file sets the key */
    int rc = 0;
    const char *k;
    json_t *v;
    json_object_foreach(root, k, v)
    {
        if (k[0] == '_')
            continue; /* "_comment" and the like */
        const struct key_spec *spec = NULL;
        for (size_t i = 0; i < N_KEYS; i++)
            if (strcmp(keys[i].name, k) == 0)
                spec = &keys[i];
        if (!spec) {
            char known[512] = "";
            for (size_t i = 0; i < N_KEYS; i++) {
                strncat(known, keys[i].name, sizeof known - strlen(known) - 1);
                if (i + 1 < N_KEYS)
                    strncat(known, ", ", sizeof known - strlen(known) - 1);
            }
            rc = fail(&ctx, -EINVAL, "unknown key \"%s\" (known keys: %s)", k, known);
            break;
        }
        if (spec->type == KEY_WATCH_LIST) {
            for (size_t i = 0; i < cfg->n_watch; i++) {
                free(cfg->watch[i].path);
                free(cfg->watch[i].done_dir);
                free(cfg->watch[i].failed_dir);
                free(cfg->watch[i].encoding);
            }
            free(cfg->watch);
            cfg->watch = NULL;
            cfg->n_watch = 0;
        } else if (spec->type == KEY_PLUGIN_LIST) {
            for (size_t i = 0; i < cfg->n_plugins; i++) {
                free(cfg->plugins[i].name);
                free(cfg->plugins[i].config_json);
            }
            free(cfg->plugins);
            cfg->plugins = NULL;
            cfg->n_plugins = 0;
        } else if (spec->type == KEY_FEED_LIST) {
            free_feeds(cfg);
        } else if (spec->type == KEY_PATH_LIST) {
            for (size_t i = 0; i < cfg->n_plugin_dirs; i++)
                free(cfg->plugin_dirs[i]);
            free(cfg->plugin_dirs);
            cfg->plugin_dirs = NULL;
            cfg->n_plugin_dirs = 0;
        }
        rc = apply_key(&ctx, spec, v, cfg);
        if (rc)
            break;
    }
    json_decref(root);
    if (rc == 0 && cfg->batch_max > cfg->queue_max)
        rc = fail(&ctx, -EINVAL, "batch_max (%" PRId64 ") must not exceed queue_max (%" PRId64 ")",
                  cfg->batch_max, cfg->queue_max);
    if (rc) {
        config_free(cfg);
        return rc;
    }
    *out = cfg;
    return 0;
}

int config_load(const char *path, config **out, char *err, size_t errlen)
{
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (!f) {
        int e = errno;
        snprintf(err, errlen, "config %s: cannot open: %s", path, strerror(e));
        return -e;
    }
    size_t cap = 1 << 16, len = 0;
    char *buf = xmalloc(cap);
    for (;;) {
        if (len == cap) {
            if (cap >= (size_t)16 << 20) {
                fclose(f);
                free(buf);
                snprintf(err, errlen, "config %s: file larger than 16 MiB", path);
                return -EFBIG;
            }
            cap *= 2;
            buf = xrealloc(buf, cap);
        }
        size_t n = fread(buf + len, 1, cap - len, f);
        if (n == 0)
            break;
        len += n;
    }
    int rerr = ferror(f);
    fclose(f);
    if (rerr) {
        free(buf);
        snprintf(err, errlen, "config %s: read error", path);
        return -EIO;
    }
    int rc = config_parse(buf, len, path, true, out, err, errlen);
    free(buf);
    return rc;
}

void config_free(config *cfg)
{
    if (!cfg)
        return;
    for (size_t i = 0; i < cfg->n_watch; i++) {
        free(cfg->watch[i].path);
        free(cfg->watch[i].done_dir);
        free(cfg->watch[i].failed_dir);
        free(cfg->watch[i].encoding);
    }
    free(cfg->watch);
    for (size_t i = 0; i < cfg->n_plugins; i++) {
        free(cfg->plugins[i].name);
        free(cfg->plugins[i].config_json);
    }
    free(cfg->plugins);
    for (size_t i = 0; i < cfg->n_plugin_dirs; i++)
        free(cfg->plugin_dirs[i]);
    free(cfg->plugin_dirs);
    free(cfg->database);
    free(cfg->control_socket);
    free(cfg->synchronous);
    free(cfg->log_level);
    free(cfg->plugin_trust);
    free_feeds(cfg);
    free(cfg->file);
    free(cfg);
}

void config_print_reference(FILE *out)
{
    fprintf(out, "Configuration keys (JSON object; keys starting with '_' are comments):\n\n");
    for (size_t i = 0; i < N_KEYS; i++) {
        const struct key_spec *k = &keys[i];
        fprintf(out, "  %s (%s", k->name, type_name(k->type));
        if (k->type == KEY_INT)
            fprintf(out, ", %" PRId64 "..%" PRId64, k->min, k->max);
        if (k->type == KEY_ENUM)
            fprintf(out, ": %s", k->choices);
        fprintf(out, "; default %s)\n", k->def);
        /* wrap the description at ~76 columns */
        const char *p = k->help;
        while (*p) {
            size_t n = strlen(p);
            if (n > 72) {
                n = 72;
                while (n > 20 && p[n] != ' ')
                    n--;
            }
            fprintf(out, "      %.*s\n", (int)n, p);
            p += n;
            while (*p == ' ')
                p++;
        }
        fputc('\n', out);
    }
}

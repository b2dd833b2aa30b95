/*
 * main - the ingestd command line: run the daemon, or process files once (one-shot mode), or
 * print the configuration reference.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "daemon.h"
#include "decode.h"
#include "intake.h"
#include "log.h"
#include "pipeline.h"
#include "store.h"
#include "xalloc.h"

#define DEFAULT_CONFIG "/etc/ingestd/ingestd.json"

static void usage(FILE *out)
{
    fprintf(out,
            "Usage:\n"
            "  ingestd [run] [-c CONFIG]             run the daemon in the foreground\n"
            "  ingestd check [-c CONFIG]             validate the configuration and plugin chain\n"
            "  ingestd process [-c CONFIG] [--db PATH] [--encoding ENC] FILE... | -\n"
            "                                        run files (or stdin) through the chain once\n"
            "                                        and print one JSON object per input\n"
            "  ingestd plugin check FILE.so|NAME [--config JSON|@FILE] [--sample FILE]\n"
            "                 [--plugin-dir DIR]... [--relaxed]\n"
            "                                        load one plugin alone, init it, run it on a\n"
            "                                        sample article and report (exit 0 ok, 1 the\n"
            "                                        plugin is refused or fails, 2 usage)\n"
            "  ingestd --help-config                 print every configuration key\n"
            "  ingestd --version | --help\n"
            "\n"
            "Options:\n"
            "  -c, --config PATH   configuration file (default " DEFAULT_CONFIG ")\n"
            "      --db PATH       (process) also commit the records to this SQLite database\n"
            "      --encoding ENC  (process) legacy encoding of non-UTF-8 input (default: detect)\n"
            "\n"
            "Signals: SIGTERM/SIGINT stop intake, commit what is in flight and exit 0.\n"
            "Exit codes: 0 ok; 1 runtime failure (process: some input failed); 2 usage;\n"
            "78 bad configuration or plugin chain.\n"
            "Plugins are searched in %s, then in the config's plugin_dirs.\n",
            pipeline_builtin_dir());
}

/* Read all of stdin, up to limit bytes (more is an error). */
static int read_stdin(void **out, size_t *len, int64_t limit)
{
    size_t cap = 65536, n = 0;
    char *buf = xmalloc(cap);
    for (;;) {
        if (n == cap) {
            cap *= 2;
            buf = xrealloc(buf, cap);
        }
        ssize_t r = read(0, buf + n, cap - n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            free(buf);
            return -errno;
        }
        if (r == 0)
            break;
        n += (size_t)r;
        if ((int64_t)n > limit) {
            free(buf);
            return -EFBIG;
        }
    }
    *out = buf;
    *len = n;
    return 0;
}

static void print_outcome(const intake_job *job, const store_item *item)
{
    json_t *o;
    if (job->outcome == INTAKE_OK) {
        o = rec_to_json(job->rec);
        json_object_set_new(o, "outcome",
                            json_string(item && item->was_duplicate ? "duplicate" : "ok"));
    } else if (job->outcome == INTAKE_DROPPED) {
        o = json_pack("{s:s, s:s, s:s}", "source", job->source_display, "outcome", "dropped",
                      "plugin", job->fail_plugin);
    } else if (job->outcome == INTAKE_VANISHED) {
        o = json_pack("{s:s, s:s, s:s, s:s}", "source", job->source_display, "outcome", "failed",
                      "stage", "read", "reason", "no such file");
    } else if (job->outcome == INTAKE_CHANGED) {
        o = json_pack("{s:s, s:s, s:s, s:s}", "source", job->source_display, "outcome", "failed",
                      "stage", "read", "reason", "file changed while being read");
    } else {
        o = json_pack("{s:s, s:s, s:s, s:s}", "source", job->source_display, "outcome", "failed",
                      "stage", job->fail_stage, "reason", job->fail_reason);
        json_object_set_new(o, "plugin",
                            job->fail_plugin[0] ? json_string(job->fail_plugin) : json_null());
    }
    char *line = json_dumps(o, JSON_COMPACT);
    if (line) {
        fputs(line, stdout);
        fputc('\n', stdout);
        free(line);
    }
    json_decref(o);
}

static int cmd_process(const char *config_path, const char *db_path, const char *encoding,
                       char **inputs, int n_inputs)
{
    char err[1024];
    config *cfg = NULL;
    if (config_path) {
        if (config_load(config_path, &cfg, err, sizeof err) != 0) {
            fprintf(stderr, "ingestd: %s\n", err);
            return DAEMON_EXIT_CONFIG;
        }
    } else {
        cfg = config_defaults();
    }
    log_set_level(log_level_from_name(cfg->log_level));
    pipeline *pipe = NULL;
    if (pipeline_build(cfg, &pipe, err, sizeof err) != 0) {
        fprintf(stderr, "ingestd: %s\n", err);
        config_free(cfg);
        return DAEMON_EXIT_CONFIG;
    }
    store *st = NULL;
    if (db_path) {
        store_options sopt = {.synchronous_full = strcmp(cfg->synchronous, "full") == 0};
        if (store_open(db_path, &sopt, &st, err, sizeof err) != 0) {
            fprintf(stderr, "ingestd: %s\n", err);
            pipeline_free(pipe);
            config_free(cfg);
            return DAEMON_EXIT_FAILURE;
        }
    }
    int code = DAEMON_EXIT_OK;
    for (int i = 0; i < n_inputs; i++) {
        intake_job *job = xcalloc(1, sizeof *job);
        bool is_stdin = strcmp(inputs[i], "-") == 0;
        job->path = xstrdup(inputs[i]);
        job->source_kind = is_stdin ? "stdin" : "file";
        job->encoding = xstrdup(encoding ? encoding : "auto");
        job->max_bytes = cfg->max_file_bytes;
        job->pipe = pipe;
        job->arrival_ms = intake_now_ms();
        if (is_stdin) {
            int rc = read_stdin(&job->given, &job->given_len, cfg->max_file_bytes);
            if (rc) {
                fprintf(stderr, "ingestd: stdin: %s\n",
                        rc == -EFBIG ? "input larger than max_file_bytes" : strerror(-rc));
                intake_job_free(job);
                code = DAEMON_EXIT_FAILURE;
                continue;
            }
        }
        intake_run(job);
        store_item item;
        bool have_item = false;
        if (st && (job->outcome == INTAKE_OK || job->outcome == INTAKE_DROPPED ||
                   job->outcome == INTAKE_FAILED)) {
            intake_store_item(job, &item);
            if (store_commit_batch(st, &item, 1, err, sizeof err) != 0) {
                fprintf(stderr, "ingestd: %s\n", err);
                code = DAEMON_EXIT_FAILURE;
            } else {
                have_item = true;
            }
        }
        print_outcome(job, have_item ? &item : NULL);
        if (job->outcome != INTAKE_OK && job->outcome != INTAKE_DROPPED)
            code = DAEMON_EXIT_FAILURE;
        intake_job_free(job);
    }
    fflush(stdout);
    store_close(st);
    pipeline_free(pipe);
    config_free(cfg);
    return code;
}

static int cmd_check(const char *config_path)
{
    char err[1024];
    config *cfg = NULL;
    if (config_load(config_path, &cfg, err, sizeof err) != 0) {
        fprintf(stderr, "ingestd: %s\n", err);
        return DAEMON_EXIT_CONFIG;
    }
    log_set_level(log_level_from_name(cfg->log_level));
    pipeline *pipe = NULL;
    if (pipeline_build(cfg, &pipe, err, sizeof err) != 0) {
        fprintf(stderr, "ingestd: %s\n", err);
        config_free(cfg);
        return DAEMON_EXIT_CONFIG;
    }
    printf("config %s: ok (%zu watched folders, %zu plugins)\n", config_path, cfg->n_watch,
           pipeline_size(pipe));
    pipeline_free(pipe);
    config_free(cfg);
    return DAEMON_EXIT_OK;
}

/* The article `ingestd plugin check` runs when no --sample is given: a title line, a date, two
 * paragraphs, as a scraped page looks. */
static const char sample_article[] =
    "City council approves the new budget after a long debate\n"
    "05.09.2025 14:30\n"
    "\n"
    "The city council approved next year's budget on Friday evening after a debate that lasted "
    "more than six hours. Spending on public transport and schools grows, while the road "
    "maintenance fund shrinks for the second year in a row.\n"
    "\n"
    "Opposition members said the plan relies on optimistic tax forecasts and asked for a "
    "review in the spring. The mayor answered that the forecasts follow the national bank's "
    "figures.\n";

/* Print what process() changed: every record field and meta member whose value differs. */
static int print_changes(json_t *before, json_t *after)
{
    int n = 0;
    const char *key;
    json_t *v;
    json_object_foreach(after, key, v)
    {
        json_t *old = json_object_get(before, key);
        if (strcmp(key, "meta") == 0 && json_is_object(v)) {
            const char *mk;
            json_t *mv;
            json_object_foreach(v, mk, mv)
            {
                json_t *mold = json_object_get(old, mk);
                if (mold && json_equal(mold, mv))
                    continue;
                char *text = json_dumps(mv, JSON_COMPACT | JSON_ENCODE_ANY);
                printf("  meta.%s: %.300s%s\n", mk, text ? text : "?",
                       text && strlen(text) > 300 ? "..." : "");
                free(text);
                n++;
            }
            json_object_foreach(old, mk, mv)
            {
                if (!json_object_get(v, mk)) {
                    printf("  meta.%s: removed\n", mk);
                    n++;
                }
            }
            continue;
        }
        if (old && json_equal(old, v))
            continue;
        char *text = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
        printf("  %s: %.300s%s\n", key, text ? text : "?", text && strlen(text) > 300 ? "..." : "");
        free(text);
        n++;
    }
    if (n == 0)
        printf("  (nothing)\n");
    return n;
}

static void plugin_usage(FILE *out)
{
    fprintf(out, "Usage: ingestd plugin check FILE.so|NAME [--config JSON|@FILE] [--sample FILE]\n"
                 "                            [--plugin-dir DIR]... [--relaxed]\n"
                 "Exit codes: 0 the plugin loads, initializes and processes the sample (ok or\n"
                 "drop); 1 it is refused, its init fails or it returns an error; 2 usage.\n");
}

/* ingestd plugin check: load one plugin with the daemon's own loader and checks, init it with
 * the given config, run it on a sample article and report. */
static int cmd_plugin(int argc, char **argv)
{
    if (argc < 1 || strcmp(argv[0], "check") != 0) {
        if (argc >= 1 && (strcmp(argv[0], "--help") == 0 || strcmp(argv[0], "-h") == 0)) {
            plugin_usage(stdout);
            return DAEMON_EXIT_OK;
        }
        fprintf(stderr, "ingestd plugin: %s\n",
                argc < 1 ? "missing subcommand (check)" : "unknown subcommand (known: check)");
        plugin_usage(stderr);
        return DAEMON_EXIT_USAGE;
    }
    static const struct option opts[] = {{"config", required_argument, NULL, 'j'},
                                         {"sample", required_argument, NULL, 's'},
                                         {"plugin-dir", required_argument, NULL, 'd'},
                                         {"relaxed", no_argument, NULL, 'r'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    const char *plugin_config = "{}", *sample = NULL;
    config *cfg = config_defaults();
    char **dirs = xcalloc((size_t)argc + 1, sizeof *dirs);
    size_t n_dirs = 0;
    bool relaxed = false;
    int code = DAEMON_EXIT_USAGE;
    char *config_text = NULL;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'j':
            plugin_config = optarg;
            break;
        case 's':
            sample = optarg;
            break;
        case 'd':
            dirs[n_dirs++] = optarg;
            break;
        case 'r':
            relaxed = true;
            break;
        case 'h':
            plugin_usage(stdout);
            code = DAEMON_EXIT_OK;
            goto out;
        default:
            plugin_usage(stderr);
            goto out;
        }
    }
    if (optind != argc - 1) {
        fprintf(stderr, "ingestd plugin check: %s\n",
                optind >= argc ? "name one plugin (FILE.so or NAME)" : "one plugin at a time");
        plugin_usage(stderr);
        goto out;
    }
    const char *target = argv[optind];
    if (plugin_config[0] == '@') {
        FILE *f = fopen(plugin_config + 1, "rb");
        json_error_t jerr;
        json_t *j = f ? json_loadf(f, 0, &jerr) : NULL;
        if (f)
            fclose(f);
        if (!j) {
            fprintf(stderr, "ingestd plugin check: --config %s: %s\n", plugin_config,
                    f ? jerr.text : strerror(errno));
            goto out;
        }
        config_text = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
        json_decref(j);
    } else {
        json_error_t jerr;
        json_t *j = json_loads(plugin_config, 0, &jerr);
        if (!json_is_object(j)) {
            fprintf(stderr, "ingestd plugin check: --config: not a JSON object (%s)\n",
                    j ? "another JSON value" : jerr.text);
            json_decref(j);
            goto out;
        }
        config_text = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
        json_decref(j);
    }
    /* the daemon's search path and trust rules, with the command line's folders */
    for (size_t i = 0; i < cfg->n_plugin_dirs; i++)
        free(cfg->plugin_dirs[i]);
    free(cfg->plugin_dirs);
    cfg->plugin_dirs = xcalloc(n_dirs ? n_dirs : 1, sizeof(char *));
    cfg->n_plugin_dirs = n_dirs;
    for (size_t i = 0; i < n_dirs; i++)
        cfg->plugin_dirs[i] = xstrdup(dirs[i]);
    if (relaxed) {
        free(cfg->plugin_trust);
        cfg->plugin_trust = xstrdup("relaxed");
    }
    log_set_level(LOG_LVL_WARNING);

    char err[1024];
    pipeline_plugin *pp = NULL;
    code = DAEMON_EXIT_FAILURE;
    if (pipeline_plugin_open(cfg, target, &pp, err, sizeof err) != 0) {
        printf("refused: %s\n", err);
        goto out;
    }
    const ingestd_plugin *d = pipeline_plugin_descriptor(pp);
    printf("plugin:      %s\n", d->name);
    printf("version:     %s\n", d->version ? d->version : "(none)");
    printf("path:        %s\n", pipeline_plugin_path(pp));
    printf("abi:         %u.%u (this ingestd speaks %d.%d), descriptor %u bytes\n", d->abi_major,
           d->abi_minor, INGESTD_ABI_MAJOR, INGESTD_ABI_MINOR, d->struct_size);
    printf("flags:       0x%x%s\n", d->flags,
           d->flags & INGESTD_PLUGIN_THREAD_SAFE ? " (thread-safe)"
                                                 : " (not thread-safe: calls serialized)");
    printf("description: %s\n", d->description ? d->description : "(none)");
    printf("trust:       %s\n", relaxed ? "not checked (--relaxed)" : "ok (strict)");
    if (pipeline_plugin_init(pp, config_text, err, sizeof err) != 0) {
        printf("init:        FAILED with config %s\n%s\n", config_text, err);
        pipeline_plugin_close(pp);
        goto out;
    }
    printf("init:        ok with config %s\n", config_text);

    decode_result dec = {0};
    void *raw = NULL;
    size_t raw_len = 0;
    if (sample) {
        FILE *f = fopen(sample, "rb");
        if (!f) {
            printf("sample:      cannot open %s: %s\n", sample, strerror(errno));
            pipeline_plugin_close(pp);
            code = DAEMON_EXIT_USAGE;
            goto out;
        }
        size_t cap = 65536;
        raw = xmalloc(cap);
        size_t r;
        while ((r = fread((char *)raw + raw_len, 1, cap - raw_len, f)) > 0) {
            raw_len += r;
            if (raw_len == cap) {
                cap *= 2;
                raw = xrealloc(raw, cap);
            }
        }
        fclose(f);
    } else {
        raw_len = sizeof sample_article - 1;
        raw = xmalloc(raw_len);
        memcpy(raw, sample_article, raw_len);
    }
    if (decode_to_utf8(raw, raw_len, "auto", &dec, err, sizeof err) != 0) {
        printf("sample:      %s: cannot decode: %s\n", sample, err);
        free(raw);
        pipeline_plugin_close(pp);
        code = DAEMON_EXIT_USAGE;
        goto out;
    }
    free(raw);
    ingestd_record *rec =
        rec_new("file", sample ? sample : "<built-in sample>", intake_now_ms(), dec.text, dec.len);
    decode_result_free(&dec);
    printf("sample:      %s (%zu bytes)\n", sample ? sample : "built-in sample article", raw_len);
    json_t *before = rec_to_json(rec);
    uint64_t ns = 0;
    ingestd_verdict v = pipeline_plugin_process(pp, rec, &ns);
    const char *why = rec_failure(rec);
    if (v == INGESTD_OK)
        printf("verdict:     ok\n");
    else if (v == INGESTD_DROP)
        printf("verdict:     drop\n");
    else if (v == INGESTD_ERROR)
        printf("verdict:     error: %s\n", why && *why ? why : "no reason given");
    else
        printf("verdict:     invalid (%d)\n", (int)v);
    printf("time:        %.3f ms\n", (double)ns / 1e6);
    json_t *after = rec_to_json(rec);
    printf("changed:\n");
    print_changes(before, after);
    json_decref(before);
    json_decref(after);
    rec_free(rec);
    pipeline_plugin_close(pp);
    code = v == INGESTD_OK || v == INGESTD_DROP ? DAEMON_EXIT_OK : DAEMON_EXIT_FAILURE;
out:
    free(config_text);
    free(dirs);
    config_free(cfg);
    return code;
}

int main(int argc, char **argv)
{
    const char *mode = "run";
    int argi = 1;
    if (argc > 1 && argv[1][0] != '-') {
        mode = argv[1];
        argi = 2;
    }
    if (strcmp(mode, "plugin") == 0)
        return cmd_plugin(argc - 2, argv + 2);
    static const struct option opts[] = {{"config", required_argument, NULL, 'c'},
                                         {"db", required_argument, NULL, 'd'},
                                         {"encoding", required_argument, NULL, 'e'},
                                         {"help", no_argument, NULL, 'h'},
                                         {"version", no_argument, NULL, 'V'},
                                         {"help-config", no_argument, NULL, 'H'},
                                         {NULL, 0, NULL, 0}};
    const char *config_path = NULL, *db_path = NULL, *encoding = NULL;
    optind = argi;
    int c;
    while ((c = getopt_long(argc, argv, "+c:hV", opts, NULL)) != -1) {
        switch (c) {
        case 'c':
            config_path = optarg;
            break;
        case 'd':
            db_path = optarg;
            break;
        case 'e':
            encoding = optarg;
            break;
        case 'h':
            usage(stdout);
            return DAEMON_EXIT_OK;
        case 'V':
            printf("ingestd %s (plugin ABI %d.%d, control protocol 1)\n", INGESTD_VERSION,
                   INGESTD_ABI_MAJOR, INGESTD_ABI_MINOR);
            return DAEMON_EXIT_OK;
        case 'H':
            config_print_reference(stdout);
            return DAEMON_EXIT_OK;
        default:
            usage(stderr);
            return DAEMON_EXIT_USAGE;
        }
    }
    if (strcmp(mode, "process") == 0) {
        if (optind >= argc) {
            fprintf(stderr, "ingestd process: no input given (name files, or - for stdin)\n");
            return DAEMON_EXIT_USAGE;
        }
        return cmd_process(config_path, db_path, encoding, argv + optind, argc - optind);
    }
    if (optind < argc) {
        fprintf(stderr, "ingestd: unexpected argument \"%s\" (see ingestd --help)\n", argv[optind]);
        return DAEMON_EXIT_USAGE;
    }
    if (db_path || encoding) {
        fprintf(stderr, "ingestd: --db and --encoding are options of \"ingestd process\"\n");
        return DAEMON_EXIT_USAGE;
    }
    if (!config_path)
        config_path = DEFAULT_CONFIG;
    if (strcmp(mode, "run") == 0)
        return daemon_run(config_path);
    if (strcmp(mode, "check") == 0)
        return cmd_check(config_path);
    fprintf(stderr, "ingestd: unknown command \"%s\" (see ingestd --help)\n", mode);
    return DAEMON_EXIT_USAGE;
}

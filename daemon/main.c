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

int main(int argc, char **argv)
{
    const char *mode = "run";
    int argi = 1;
    if (argc > 1 && argv[1][0] != '-') {
        mode = argv[1];
        argi = 2;
    }
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

/*
 * config - the daemon configuration: one JSON file, validated against a declarative key table
 * that also produces the documented defaults and the `ingestd --help-config` reference.
 *
 * Ownership: config_load/config_parse return a config the caller frees with config_free; every
 * string inside belongs to it. A config is immutable once built and may be read from any
 * thread. Relative paths in the file are resolved against the folder of the config file.
 */
#ifndef INGESTD_CONFIG_H
#define INGESTD_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef enum cfg_after { CFG_AFTER_MOVE = 0, CFG_AFTER_KEEP, CFG_AFTER_DELETE } cfg_after;

typedef struct cfg_watch {
    char *path;       /* absolute, existing directory */
    cfg_after after;  /* what happens to a file once its record is committed */
    char *done_dir;   /* absolute; default <path>/done (created on demand) */
    char *failed_dir; /* absolute; default <path>/failed */
    char *encoding;   /* "auto" or a supported legacy encoding name */
} cfg_watch;

typedef struct cfg_plugin {
    char *name;        /* as written: a name searched in the plugin folders, or a path */
    char *config_json; /* the plugin's "config" object as JSON text, "{}" when absent */
} cfg_plugin;

typedef struct cfg_feed {
    char *url;          /* http(s) URL */
    int64_t interval_s; /* 0: feed_interval_s */
} cfg_feed;

typedef struct config {
    char *file; /* the config file's path, or "<defaults>" */
    cfg_watch *watch;
    size_t n_watch;
    char *database;
    char *control_socket;
    cfg_plugin *plugins;
    size_t n_plugins;
    char **plugin_dirs;
    size_t n_plugin_dirs;
    char *plugin_trust;        /* "strict" | "relaxed" */
    int64_t plugin_timeout_ms; /* a plugin call over this is reported */
    int64_t workers;
    int64_t queue_max;
    int64_t batch_max;
    int64_t batch_ms;
    int64_t max_file_bytes;
    int64_t rescan_interval_s;
    int64_t settle_ms;
    char *synchronous; /* "normal" | "full" */
    char *log_level;   /* "error" ... "debug" */
    cfg_feed *feeds;   /* feeds to poll (more can be added at run time: `feed add`) */
    size_t n_feeds;
    int64_t feed_interval_s;
    int64_t feed_max_body_bytes;
    int64_t feed_per_host;
    int64_t feed_timeout_s;
    int64_t feed_start_jitter_s;
    int64_t feed_max_in_flight;
} config;

/* Read and validate the JSON file at path. On failure returns a negative errno and writes a
 * one-line message naming the file, the key and the problem into err, e.g.
 * `config /etc/ingestd/ingestd.json: watch[1].path: no such directory "/srv/inbox"`. */
int config_load(const char *path, config **out, char *err, size_t errlen);

/* Parse JSON text; `origin` is the file name used in messages and the base for relative paths
 * (its folder). With check_paths false, watch folders need not exist (one-shot mode, fuzzing). */
int config_parse(const char *text, size_t len, const char *origin, bool check_paths, config **out,
                 char *err, size_t errlen);

/* A config with every default and no watch folder (one-shot mode without -c). */
config *config_defaults(void);

void config_free(config *cfg);

/* Write the key reference (name, type, default, description) generated from the key table. */
void config_print_reference(FILE *out);

#endif

/*
 * pipeline - loads the plugin chain (dlopen, ABI checks, init) and runs records through it.
 *
 * Thread rules: pipeline_build and pipeline_free run on the loop thread. A non-empty pipeline
 * owns a watchdog thread (started by pipeline_build, joined by pipeline_free) that logs, once per
 * call, every plugin call still running past cfg->plugin_timeout_ms. pipeline_run may be
 * called from any number of worker threads at once; plugins without the thread-safe flag are
 * serialized by a per-plugin mutex. Counters are atomics, read by pipeline_stats on the loop.
 * A pipeline is immutable once built, so a reload builds a new one aside and swaps it.
 */
#ifndef INGESTD_PIPELINE_H
#define INGESTD_PIPELINE_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "ingestd/plugin.h"
#include "record.h"

typedef struct pipeline pipeline;

/* One loaded plugin (a chain member, or alone for `ingestd plugin check`). */
typedef struct pipeline_plugin pipeline_plugin;

/* Consecutive errors after which a plugin counts as failing (stats "failing", log warning). */
#define PIPELINE_ERROR_WINDOW 20

/* The folder of the built-in plugins: <prefix>/lib/ingestd/plugins next to the running
 * executable's <prefix>/bin, or $INGESTD_PLUGIN_DIR when set. Returns a static buffer. */
const char *pipeline_builtin_dir(void);

/* Find the file of a chain entry. A name with a '/' is a path, used as is. A bare name is
 * looked up as NAME.so in the built-in folder, then in each of cfg->plugin_dirs; when two
 * folders provide it (two different files) it is refused with both paths in err. Writes the
 * path into out. Returns 0, -ENOENT (err lists the folders searched) or -EEXIST. Any thread. */
int pipeline_locate(const config *cfg, const char *name, char *out, size_t outlen, char *err,
                    size_t errlen);

/* StrictModes-style trust check of a plugin file: the file (after resolving symlinks) must be a
 * regular file, and it, every folder above it and the folder it was named in must be owned by
 * root or by this process's effective uid and not writable by group or others (folders with
 * the sticky bit, like /tmp, may be). Returns 0 or -EPERM with err naming the exact path and
 * the reason, prefixed by `plugin "LABEL" (PATH): `. Any thread. */
int pipeline_check_trust(const char *label, const char *path, char *err, size_t errlen);

/* Locate (pipeline_locate), trust-check (unless cfg->plugin_trust is "relaxed"), dlopen and
 * check the descriptor of one plugin, without calling init. On success *out is the plugin
 * (free with pipeline_plugin_close); on failure *out is NULL, nothing stays loaded, and err
 * holds one line naming the plugin, its path and the reason. Loop thread (or a CLI). */
int pipeline_plugin_open(const config *cfg, const char *name, pipeline_plugin **out, char *err,
                         size_t errlen);

/* Call the plugin's init (if any) with config_json. Returns 0, or -ECANCELED with err holding
 * `plugin "NAME" (PATH): init failed: REASON`. Call once, on the loop thread. */
int pipeline_plugin_init(pipeline_plugin *pp, const char *config_json, char *err, size_t errlen);

/* The plugin's descriptor and the path it was loaded from; both live as long as pp. */
const ingestd_plugin *pipeline_plugin_descriptor(const pipeline_plugin *pp);
const char *pipeline_plugin_path(const pipeline_plugin *pp);

/* Run the plugin's process() on rec, exactly as the chain does: serialized when the plugin is
 * not thread-safe, timed and counted; a call over the time limit (cfg->plugin_timeout_ms at
 * open) is logged as a warning naming the plugin and the article's source, and a plugin that
 * returns errors for PIPELINE_ERROR_WINDOW articles in a row is logged (rate-limited). The
 * call is not aborted. *elapsed_ns (may be NULL) receives the call's duration. Call only after
 * a successful pipeline_plugin_init. Thread-safe. */
ingestd_verdict pipeline_plugin_process(pipeline_plugin *pp, ingestd_record *rec,
                                        uint64_t *elapsed_ns);

/* Destroy the plugin's state (if initialized) and unload it. NULL is a no-op. Loop thread. */
void pipeline_plugin_close(pipeline_plugin *pp);

/* Load and init every plugin of cfg->plugins, in order. On failure nothing stays loaded, and
 * err holds one line naming the plugin and the reason, e.g.
 * `plugin "foo" (/usr/lib/ingestd/plugins/foo.so): ABI major 2, this ingestd speaks 1`. */
int pipeline_build(const config *cfg, pipeline **out, char *err, size_t errlen);

/* Destroy every plugin's state and unload them. NULL is a no-op. */
void pipeline_free(pipeline *p);

/* Outcome of one run. `who` points at the plugin's name inside the pipeline (valid while the
 * pipeline lives). reason is NUL-terminated. */
typedef struct pipeline_outcome {
    ingestd_verdict verdict;
    const char *who;
    char reason[512];
} pipeline_outcome;

/* Run rec through the chain. After an OK chain the title falls back to the first line of the
 * body when no plugin set one, and the uid is computed. Thread-safe. */
void pipeline_run(pipeline *p, ingestd_record *rec, pipeline_outcome *out);

/* [{"name","version","path","thread_safe","calls","ok","drops","errors","error_rate",
 *   "failing","slow_calls","max_us","mean_us","total_us"}]: error_rate is errors/calls (0 when
 * no calls), failing is true while the last PIPELINE_ERROR_WINDOW calls all returned errors,
 * slow_calls counts calls over plugin_timeout_ms. Caller owns the result. */
json_t *pipeline_stats(const pipeline *p);

size_t pipeline_size(const pipeline *p);

#endif

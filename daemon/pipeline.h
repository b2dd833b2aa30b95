/*
 * pipeline - loads the plugin chain (dlopen, ABI checks, init) and runs records through it.
 *
 * Thread rules: pipeline_build and pipeline_free run on the loop thread. pipeline_run may be
 * called from any number of worker threads at once; plugins without the thread-safe flag are
 * serialized by a per-plugin mutex. Counters are atomics, read by pipeline_stats on the loop.
 * A pipeline is immutable once built, so a reload builds a new one aside and swaps it.
 */
#ifndef INGESTD_PIPELINE_H
#define INGESTD_PIPELINE_H

#include <jansson.h>
#include <stddef.h>

#include "config.h"
#include "ingestd/plugin.h"
#include "record.h"

typedef struct pipeline pipeline;

/* The folder of the built-in plugins: <prefix>/lib/ingestd/plugins next to the running
 * executable's <prefix>/bin, or $INGESTD_PLUGIN_DIR when set. Returns a static buffer. */
const char *pipeline_builtin_dir(void);

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

/* [{"name","version","path","thread_safe","calls","ok","drops","errors","mean_us","total_us"}] */
json_t *pipeline_stats(const pipeline *p);

size_t pipeline_size(const pipeline *p);

#endif

/*
 * plugin_harness - loads a built plugin .so through the public ABI (dlopen, entry symbol,
 * descriptor checks, init) and runs it on texts, for plugin unit tests and benchmarks.
 * Single-threaded test code; aborts the test program on any load failure.
 */
#ifndef INGESTD_PLUGIN_HARNESS_H
#define INGESTD_PLUGIN_HARNESS_H

#include "ingestd/plugin.h"
#include "record.h"

typedef struct ph_plugin ph_plugin;

/* Load PLUGIN_BUILD_DIR/<name>.so and init it with config_json (NULL = "{}"). */
ph_plugin *ph_load(const char *name, const char *config_json);
void ph_unload(ph_plugin *p);

/* A fresh file record whose original text and body are `text`. Caller frees with rec_free. */
ingestd_record *ph_record(const char *text);

/* Run the plugin once on rec; returns the verdict. */
ingestd_verdict ph_process(ph_plugin *p, ingestd_record *rec);

/* Shortcut: field value as a C string (NULL when unset). */
const char *ph_get(const ingestd_record *rec, ingestd_field field);

#endif

/*
 * ingestd/plugin.h - the public plugin ABI of ingestd.
 *
 * This is the only header a plugin author needs. A plugin is a shared object that exports one
 * symbol, INGESTD_PLUGIN_ENTRY_SYMBOL ("ingestd_plugin_entry"), a function returning a pointer to
 * a static `ingestd_plugin` descriptor. The daemon checks the descriptor's `abi_major`,
 * `abi_minor` and `struct_size` before it calls anything else, then calls `init` once with the
 * plugin's configuration block (JSON text), `process` once per article, and `destroy` at unload.
 *
 * Records are opaque: a plugin reads and edits one article only through the accessor functions
 * of the `ingestd_host` table it receives, so the daemon can change the record's layout without
 * breaking plugins. A plugin never links against the daemon.
 *
 * Version rules: a minor release only appends members to `ingestd_plugin` and `ingestd_host`
 * (never reorders, removes or changes one); a plugin built against minor M runs on any host of
 * the same major whose minor is >= M. Anything else needs a new major, and a plugin of another
 * major is refused at load time with a one-line reason.
 *
 * Threading: `init` and `destroy` are called on the daemon's loop thread, never concurrently with
 * `process`. `process` runs on a worker thread. If the plugin sets INGESTD_PLUGIN_THREAD_SAFE it
 * may be called concurrently from several workers with the same state (each call with its own
 * record); otherwise the daemon serializes the plugin's calls. A record is touched by one thread
 * at a time.
 *
 * Ownership: every `const char *` the host returns points into the record (or the host) and stays
 * valid until the same field of the same record is next set, or until `process` returns,
 * whichever is first; copy what you keep. Strings passed to setters are copied by the host.
 */
#ifndef INGESTD_PLUGIN_H
#define INGESTD_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define INGESTD_ABI_MAJOR 1
#define INGESTD_ABI_MINOR 0

#define INGESTD_PLUGIN_ENTRY_SYMBOL "ingestd_plugin_entry"

/* Opaque article record. */
typedef struct ingestd_record ingestd_record;

/* What `process` tells the daemon about one article. */
typedef enum ingestd_verdict {
    INGESTD_OK = 0,    /* continue with the next plugin, then commit */
    INGESTD_DROP = 1,  /* discard the article on purpose (counted as dropped, not failed) */
    INGESTD_ERROR = 2, /* the article goes to `failures` with the reason set by host->fail */
} ingestd_verdict;

/* Text fields of a record. All values are valid UTF-8 (setters refuse anything else) or NULL. */
typedef enum ingestd_field {
    INGESTD_FIELD_UID = 0,       /* read-only; computed by the daemon after the chain */
    INGESTD_FIELD_SOURCE,        /* read-only; file path, feed URL or "-" */
    INGESTD_FIELD_SOURCE_KIND,   /* read-only; "file", "feed" or "stdin" */
    INGESTD_FIELD_URL,           /* article link, if known */
    INGESTD_FIELD_GUID,          /* feed entry id, if any */
    INGESTD_FIELD_TITLE,         /* headline */
    INGESTD_FIELD_BODY,          /* the text; starts as ORIGINAL_TEXT, plugins clean it */
    INGESTD_FIELD_LANG,          /* ISO 639-1 code or "und" */
    INGESTD_FIELD_PUBLISHED_AT,  /* ISO 8601, with the source's UTC offset when it states one */
    INGESTD_FIELD_UPDATED_AT,    /* ISO 8601, as PUBLISHED_AT */
    INGESTD_FIELD_INGESTED_AT,   /* read-only; UTC, ISO 8601 */
    INGESTD_FIELD_ORIGINAL_TEXT, /* read-only; the whole input decoded to UTF-8, never edited */
    INGESTD_FIELD_COUNT_V1
} ingestd_field;

/* Log levels, syslog numbering. */
enum {
    INGESTD_LOG_ERR = 3,
    INGESTD_LOG_WARNING = 4,
    INGESTD_LOG_NOTICE = 5,
    INGESTD_LOG_INFO = 6,
    INGESTD_LOG_DEBUG = 7,
};

/*
 * The host API, passed to `init` and `process`. Check `struct_size` before using a member that
 * was added after minor 0 (none yet). Every function is safe to call from the thread that was
 * handed the record.
 */
typedef struct ingestd_host {
    uint32_t struct_size; /* sizeof(ingestd_host) of the daemon that filled it */
    uint16_t abi_major;
    uint16_t abi_minor;

    /* Log one line, prefixed by the daemon with the plugin's name. Thread-safe. */
    void (*log)(const void *plugin_handle, int level, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));
    /* Opaque handle identifying this plugin to `log`. */
    const void *plugin_handle;

    /* Field value (NULL when unset); *len_out, if not NULL, receives its length in bytes. */
    const char *(*get)(const ingestd_record *rec, ingestd_field field, size_t *len_out);
    /* Set a field to a copy of value[0..len) (value NULL clears it). Returns 0, -EINVAL for a
     * read-only field or invalid UTF-8, -EOVERFLOW for a value over 64 MiB. */
    int (*set)(ingestd_record *rec, ingestd_field field, const char *value, size_t len);

    /* Language and confidence (0..1); -1 when unset. set_lang validates like set. */
    double (*get_lang_confidence)(const ingestd_record *rec);
    int (*set_lang)(ingestd_record *rec, const char *code, double confidence);

    /* The record's `meta` object, member by member, as JSON text. meta_get returns the member's
     * JSON serialization (e.g. "\"abc\"", "[1,2]") or NULL when absent. meta_set parses `json`
     * and stores it under `key` (replacing an old value); -EINVAL when json is not valid JSON
     * or key is empty. meta_set_string stores a JSON string. meta_remove returns 0 or -ENOENT. */
    const char *(*meta_get)(ingestd_record *rec, const char *key);
    int (*meta_set)(ingestd_record *rec, const char *key, const char *json);
    int (*meta_set_string)(ingestd_record *rec, const char *key, const char *value, size_t len);
    int (*meta_remove)(ingestd_record *rec, const char *key);

    /* Reason for an INGESTD_ERROR verdict (copied; the last call wins). */
    void (*fail)(ingestd_record *rec, const char *reason);

    /* Arrival time of the article (UTC, milliseconds since the epoch): the reference for
     * relative dates such as "2 hours ago". */
    int64_t (*arrival_ms)(const ingestd_record *rec);
    /* Wall clock, UTC milliseconds since the epoch. */
    int64_t (*now_ms)(void);
} ingestd_host;

/* Plugin flags. */
#define INGESTD_PLUGIN_THREAD_SAFE (1u << 0) /* process() may run concurrently on one state */

/*
 * The descriptor a plugin exports through its entry function. Must stay valid until the plugin
 * is unloaded (a `static const` object is the usual choice).
 */
typedef struct ingestd_plugin {
    uint32_t struct_size; /* sizeof(ingestd_plugin) as the plugin was compiled */
    uint16_t abi_major;   /* INGESTD_ABI_MAJOR */
    uint16_t abi_minor;   /* INGESTD_ABI_MINOR */
    const char *name;     /* [a-z0-9_-]+, unique in a chain */
    const char *version;  /* free-form, e.g. "1.2.0" */
    const char *description;
    uint32_t flags; /* INGESTD_PLUGIN_* */

    /* Called once. `config_json` is the plugin's "config" object from the daemon configuration
     * ("{}" when none). Store private state in *state_out. Return 0 on success; on failure return
     * non-zero and write a one-line reason into err[0..errlen). May be NULL. */
    int (*init)(const char *config_json, const ingestd_host *host, void **state_out, char *err,
                size_t errlen);
    /* Called once per article on a worker thread. Required. */
    ingestd_verdict (*process)(void *state, ingestd_record *rec, const ingestd_host *host);
    /* Called once at unload with the state from init. May be NULL. */
    void (*destroy)(void *state);
} ingestd_plugin;

/* The entry function every plugin exports. */
typedef const ingestd_plugin *(*ingestd_plugin_entry_fn)(void);

#define INGESTD_PLUGIN_INIT_V1                                                                     \
    .struct_size = sizeof(ingestd_plugin), .abi_major = INGESTD_ABI_MAJOR,                         \
    .abi_minor = INGESTD_ABI_MINOR

/* The entry function every plugin defines (declared here so the definition has a prototype). */
const ingestd_plugin *ingestd_plugin_entry(void);

/* Declares the exported entry function; use as:
 *   INGESTD_PLUGIN_EXPORT { return &my_descriptor; } */
#define INGESTD_PLUGIN_EXPORT                                                                      \
    __attribute__((visibility("default"))) const ingestd_plugin *ingestd_plugin_entry(void)

#ifdef __cplusplus
}
#endif

#endif /* INGESTD_PLUGIN_H */

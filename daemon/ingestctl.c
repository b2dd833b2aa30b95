/*
 * ingestctl - the command-line client of ingestd's control socket. It builds one request
 * object from the command line, sends it as one JSON line, waits (bounded by --timeout) for the
 * one reply line, and prints the reply for people (aligned fields, tables) or as JSON.
 * Plain blocking socket calls with poll(); no event loop.
 *
 * Exit status: 0 ok, 1 the daemon answered "ok": false, 2 usage or config error, 3 cannot
 * connect, 4 timeout or protocol error.
 */
#include "utf8.h"

#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <libgen.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#ifndef INGESTD_VERSION
#define INGESTD_VERSION "unknown"
#endif

#define DEFAULT_SOCKET      "/run/ingestd/control.sock"
#define DEFAULT_TIMEOUT_S   10.0
#define DEFAULT_LIST_N      10
#define MAX_LIST_N          1000000
#define MAX_REPLY_BYTES     (1024u * 1024 * 1024)
#define UNTRUNCATED_COLUMNS 60 /* title width when stdout is not a terminal */
#define SOURCE_COLUMNS      40

enum {
    EXIT_OK = 0,
    EXIT_REFUSED = 1,
    EXIT_USAGE = 2,
    EXIT_CONNECT = 3,
    EXIT_PROTOCOL = 4,
};

typedef struct options {
    const char *socket_path;
    const char *config_path;
    bool json;
    bool raw_bytes;       /* get --raw */
    long feed_interval_s; /* feed add --interval */
    double timeout_s;
    /* options of single commands */
    bool raw_query;    /* search --raw: FTS5 syntax as is */
    bool all;          /* retry --all, reprocess --all */
    bool csv;          /* export --csv (else JSON lines) */
    bool no_wait;      /* reprocess --no-wait */
    const char *since; /* export, reprocess --since */
    const char *lang;  /* export --lang */
    const char *after; /* watch add --after */
    long n;            /* search -n, top --count */
    double interval_s; /* top --interval */
} options;

typedef struct command {
    const char *name;
    const char *args;    /* usage after the name */
    const char *summary; /* one line for the main help */
    const char *help;    /* the command's --help text after the usage line */
} command;

static const command commands[] = {
    {"status", "", "daemon state: version, protocol, uptime, ...",
     "Print the daemon's state as aligned \"key: value\" lines.\n"},
    {"stats", "", "article counters and per-plugin calls, errors and mean time",
     "Print the counters (received, committed, duplicates, dropped, failed, in flight, queue)\n"
     "and a table of the plugins: name, version, calls, errors, mean microseconds per call.\n"},
    {"recent", "[N]", "the N most recently ingested articles (default 10)",
     "List the N most recently ingested articles (default 10): UID (first 12 characters),\n"
     "language, publication date and title (cut to the terminal's width, or to 60 columns\n"
     "when the output is not a terminal).\n"},
    {"get", "UID [--raw]", "one article: its fields, a blank line, its body",
     "Print the article UID: its fields as \"field: value\" lines, a blank line, then the body.\n"
     "  --raw    print the article's original bytes, exactly as they were received\n"},
    {"failures", "[N]", "the N most recent failures (default 10)",
     "List the N most recent failures (default 10): id, stage, plugin, source and reason.\n"},
    {"plugins", "", "the plugin chain: order, version, calls, errors, mean and p99 time",
     "List the plugins in chain order: name, version, calls, errors, drops, mean and p99\n"
     "microseconds per call (p99 when the daemon measures it, else \"-\").\n"},
    {"search", "QUERY... [-n N] [--raw]", "full-text search over titles and bodies, best first",
     "Search the titles and bodies of the stored articles, best match first (a word in the\n"
     "title counts more), with a snippet around the match. Case, accents, Turkish dotted and\n"
     "dotless i, Greek accents and final sigma do not matter; an apostrophe splits words\n"
     "(\"Kore\" finds \"Kore'nin\"). All words must match; \"word*\" matches a prefix.\n"
     "  -n N     at most N results (default 10)\n"
     "  --raw    QUERY is FTS5 query syntax (OR, NOT, NEAR, \"phrases\", title:word)\n"},
    {"export", "--jsonl|--csv [--since T] [--lang L]", "write stored articles to stdout",
     "Write the stored articles to standard output, oldest first, as JSON lines (default) or\n"
     "CSV with a header row. The daemon sends them in pages, so any number can be exported.\n"
     "  --since T  only articles ingested at or after T (ISO 8601, e.g. 2024-05-01 or\n"
     "             2024-05-01T12:00)\n"
     "  --lang L   only articles in language L (e.g. tr)\n"
     "A progress line goes to stderr when it is a terminal.\n"},
    {"retry", "ID|--all", "run failed articles through the current chain again",
     "Run failure ID (see 'failures'), or with --all every failure not retried yet that has\n"
     "its original bytes, through the current decoding and plugin chain again. One that\n"
     "passes becomes an article; either way the failure is marked as retried (retried_at).\n"
     "Runs in the background: 'status' shows the progress.\n"},
    {"reprocess", "--since T|--all [--no-wait]", "re-run stored originals through the chain",
     "Re-run the original bytes of the stored articles (ingested at or after T, or all)\n"
     "through the current chain and update the articles in place. Runs in the daemon in the\n"
     "background; ingestctl shows a progress bar on a terminal (plain progress lines\n"
     "otherwise) until it is done, unless --no-wait. An article the chain now rejects is\n"
     "left as it was and counted as failed.\n"},
    {"watch", "ls | add PATH [--after MODE] | rm PATH", "folders watched at run time",
     "ls          list the watched folders: those of the config file and those added at run\n"
     "            time (kept in the database across restarts)\n"
     "add PATH    watch PATH from now on; --after move|keep|delete says what happens to a\n"
     "            file once committed (default move, to PATH/done or PATH/failed)\n"
     "rm PATH     stop watching a folder added with 'watch add'\n"},
    {"top", "[--interval SEC] [--count N]", "live view: articles/s, queue, counters, plugins",
     "Show a live view refreshed every SEC seconds (default 1): state, articles per second,\n"
     "queue depth, counters, per-plugin calls and errors, background work and the latest\n"
     "failures. On a terminal the screen is redrawn (quit with Ctrl-C); otherwise one line\n"
     "per refresh is printed. --count N stops after N refreshes.\n"},
    {"feed", "ls | add URL [--interval SEC] | rm URL | poll URL", "feeds polled for articles",
     "ls          list the feeds with their state: last poll, HTTP status, entries seen,\n"
     "            next poll, consecutive errors and the last error\n"
     "add URL     poll the RSS/Atom/JSON feed at URL (http or https) from now on; its\n"
     "            entries become articles. --interval SEC: seconds between polls (default:\n"
     "            feed_interval_s). Kept in the database across restarts.\n"
     "rm URL      stop polling URL (its articles stay)\n"
     "poll URL    poll URL now (also re-enables a feed disabled by 410 Gone)\n"},
    {"reload", "", "re-read the config file (also: SIGHUP)",
     "Re-read the daemon's config file: plugin chain, watched folders, log level and limits.\n"
     "The new plugin chain is built aside and takes over at once; articles already on a\n"
     "worker finish on the old one. A config with an error is refused with the reason, and\n"
     "the running configuration stays (exit status 1). database, control_socket,\n"
     "synchronous and workers only change with a restart (reported as needs_restart).\n"},
    {"pause", "", "stop taking new articles (work in flight still finishes)",
     "Pause intake: no new article is taken until 'resume'; work in flight is finished.\n"},
    {"resume", "", "take new articles again after 'pause'", "Resume intake after 'pause'.\n"},
    {"shutdown", "", "ask the daemon to stop gracefully",
     "Ask the daemon to stop: it stops intake, finishes and commits the work in flight, exits.\n"},
    {"raw", "JSON", "send JSON as the request line; print the reply line",
     "Send JSON (one line, any content, not checked) as the request and print the reply line\n"
     "as received (pretty with --json). For debugging the protocol.\n"},
};

static const char *progname = "ingestctl";

/* ---- messages ----------------------------------------------------------------------------- */

static void errorf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void errorf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "%s: ", progname);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

static void print_main_help(FILE *out)
{
    fprintf(out,
            "Usage: ingestctl [-s SOCKET | -c CONFIG] [--json] [--timeout SEC] COMMAND [ARGS]\n"
            "\n"
            "Query and steer a running ingestd through its control socket.\n"
            "\n"
            "Options:\n"
            "  -s, --socket PATH   the control socket to talk to\n"
            "  -c, --config FILE   use the \"control_socket\" of the daemon's config FILE\n"
            "                      (relative paths are resolved against FILE's folder)\n"
            "      --json          print the daemon's reply as JSON\n"
            "      --timeout SEC   give up after SEC seconds (default %g; decimals allowed)\n"
            "  -h, --help          show this help and exit\n"
            "      --version       show the version and exit\n"
            "\n"
            "Without -s and -c, the socket is $INGESTD_SOCKET, else " DEFAULT_SOCKET ".\n"
            "\n"
            "Commands:\n",
            DEFAULT_TIMEOUT_S);
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        char left[64];
        snprintf(left, sizeof left, "%s %s", commands[i].name, commands[i].args);
        if (strlen(left) > 20)
            fprintf(out, "  %s\n  %-20s %s\n", left, "", commands[i].summary);
        else
            fprintf(out, "  %-20s %s\n", left, commands[i].summary);
    }
    fprintf(out, "\n"
                 "Run 'ingestctl COMMAND --help' for the usage of one command.\n"
                 "\n"
                 "Exit status: 0 ok; 1 the daemon refused the request; 2 usage error; 3 cannot\n"
                 "connect; 4 timeout or protocol error.\n");
}

static void print_command_help(const command *cmd, FILE *out)
{
    fprintf(out, "Usage: ingestctl [OPTIONS] %s%s%s [--json]\n\n%s", cmd->name,
            cmd->args[0] ? " " : "", cmd->args, cmd->help);
    fprintf(out, "\nRun 'ingestctl --help' for the options.\n");
}

static int usage_error(const command *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int usage_error(const command *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "%s: ", progname);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    if (cmd)
        fprintf(stderr, "Usage: ingestctl [OPTIONS] %s%s%s (see 'ingestctl %s --help')\n",
                cmd->name, cmd->args[0] ? " " : "", cmd->args, cmd->name);
    else
        fprintf(stderr, "Try 'ingestctl --help'.\n");
    return EXIT_USAGE;
}

/* ---- text width and cells ----------------------------------------------------------------- */

/* Terminal columns taken by code point cp: 0 for combining and invisible marks, 2 for East
 * Asian wide and emoji, 1 otherwise. A small table, enough for aligned news titles. */
static int cp_width(unsigned cp)
{
    static const unsigned zero[][2] = {
        {0x0300, 0x036F}, {0x0483, 0x0489}, {0x0591, 0x05BD}, {0x0610, 0x061A}, {0x064B, 0x065F},
        {0x0E31, 0x0E31}, {0x0E34, 0x0E3A}, {0x0E47, 0x0E4E}, {0x1AB0, 0x1AFF}, {0x1DC0, 0x1DFF},
        {0x200B, 0x200F}, {0x202A, 0x202E}, {0x2060, 0x2064}, {0x20D0, 0x20FF}, {0xFE00, 0xFE0F},
        {0xFE20, 0xFE2F}, {0xFEFF, 0xFEFF},
    };
    static const unsigned wide[][2] = {
        {0x1100, 0x115F},   {0x2E80, 0x303E},   {0x3041, 0x33FF},   {0x3400, 0x4DBF},
        {0x4E00, 0x9FFF},   {0xA000, 0xA4CF},   {0xAC00, 0xD7A3},   {0xF900, 0xFAFF},
        {0xFE30, 0xFE4F},   {0xFF00, 0xFF60},   {0xFFE0, 0xFFE6},   {0x1F300, 0x1F64F},
        {0x1F900, 0x1F9FF}, {0x20000, 0x2FFFD}, {0x30000, 0x3FFFD},
    };
    for (size_t i = 0; i < sizeof zero / sizeof zero[0]; i++)
        if (cp >= zero[i][0] && cp <= zero[i][1])
            return 0;
    for (size_t i = 0; i < sizeof wide / sizeof wide[0]; i++)
        if (cp >= wide[i][0] && cp <= wide[i][1])
            return 2;
    return 1;
}

static size_t text_width(const char *s)
{
    size_t len = strlen(s), i = 0, w = 0;
    while (i < len)
        w += (size_t)cp_width(utf8_next(s, len, &i));
    return w;
}

/* A printable copy of s for one table cell or header line: control characters (tabs,
 * newlines...) become spaces; bytes that are not UTF-8 become '?'. Caller frees. */
static char *cell_text(const char *s)
{
    size_t len = strlen(s);
    char *out = malloc(len + 1);
    if (!out)
        abort();
    memcpy(out, s, len + 1);
    size_t off = 0;
    while ((off += utf8_first_invalid(out + off, len - off)) < len)
        out[off++] = '?';
    for (size_t i = 0; i < len;) {
        size_t start = i;
        unsigned cp = utf8_next(out, len, &i);
        if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0))
            memset(out + start, ' ', i - start);
    }
    return out;
}

/* Cut s in place to at most maxw columns, ending with "…" when cut; keeps code points whole.
 * from_left keeps the end instead ("…/inbox/x.txt"). Returns s (possibly reallocated). */
static char *fit_width(char *s, size_t maxw, bool from_left)
{
    if (text_width(s) <= maxw)
        return s;
    static const char ellipsis[] = "\xE2\x80\xA6"; /* U+2026, one column */
    size_t len = strlen(s);
    if (maxw == 0) {
        s[0] = '\0';
        return s;
    }
    size_t budget = maxw - 1, w = 0, i = 0;
    if (!from_left) {
        while (i < len) {
            size_t next = i;
            int cw = cp_width(utf8_next(s, len, &next));
            if (w + (size_t)cw > budget)
                break;
            w += (size_t)cw;
            i = next;
        }
        char *out = malloc(i + sizeof ellipsis);
        if (!out)
            abort();
        memcpy(out, s, i);
        memcpy(out + i, ellipsis, sizeof ellipsis);
        free(s);
        return out;
    }
    /* from the left: find the shortest suffix start whose width fits */
    size_t keep = len;
    for (i = len; i > 0;) {
        size_t start = i - 1;
        while (start > 0 && ((unsigned char)s[start] & 0xC0) == 0x80)
            start--;
        size_t j = start;
        int cw = cp_width(utf8_next(s, len, &j));
        if (w + (size_t)cw > budget)
            break;
        w += (size_t)cw;
        keep = start;
        i = start;
    }
    char *out = malloc(len - keep + sizeof ellipsis);
    if (!out)
        abort();
    memcpy(out, ellipsis, sizeof ellipsis - 1);
    memcpy(out + sizeof ellipsis - 1, s + keep, len - keep + 1);
    free(s);
    return out;
}

/* The printable text of a JSON value: strings as they are, null as "-", numbers plainly,
 * arrays of scalars joined with ", ", other containers as compact JSON. Caller frees. */
static char *value_text(const json_t *v)
{
    char buf[64];
    switch (json_typeof(v)) {
    case JSON_STRING:
        return cell_text(json_string_value(v));
    case JSON_INTEGER:
        snprintf(buf, sizeof buf, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        return strdup(buf);
    case JSON_REAL:
        snprintf(buf, sizeof buf, "%.6g", json_real_value(v));
        return strdup(buf);
    case JSON_TRUE:
        return strdup("true");
    case JSON_FALSE:
        return strdup("false");
    case JSON_NULL:
        return strdup("-");
    case JSON_ARRAY: {
        if (json_array_size(v) == 0)
            return strdup("-");
        bool scalars = true;
        size_t i;
        json_t *item;
        json_array_foreach(v, i, item)
        {
            if (json_is_object(item) || json_is_array(item))
                scalars = false;
        }
        if (scalars) {
            size_t cap = 1, len = 0;
            char *out = calloc(1, 1);
            json_array_foreach(v, i, item)
            {
                char *t = value_text(item);
                size_t n = strlen(t);
                cap = len + n + 3;
                out = realloc(out, cap);
                if (!out)
                    abort();
                len += (size_t)sprintf(out + len, "%s%s", i ? ", " : "", t);
                free(t);
            }
            return out;
        }
    }
    /* fall through */
    default: {
        char *dump = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
        char *out = cell_text(dump ? dump : "?");
        free(dump);
        return out;
    }
    }
}

/* ---- aligned "key: value" lines ----------------------------------------------------------- */

typedef struct kv_list {
    char **keys, **values;
    size_t n, cap;
} kv_list;

static void kv_add(kv_list *kv, const char *key, char *value)
{
    if (kv->n == kv->cap) {
        kv->cap = kv->cap ? kv->cap * 2 : 16;
        kv->keys = realloc(kv->keys, kv->cap * sizeof *kv->keys);
        kv->values = realloc(kv->values, kv->cap * sizeof *kv->values);
        if (!kv->keys || !kv->values)
            abort();
    }
    kv->keys[kv->n] = cell_text(key);
    kv->values[kv->n] = value;
    kv->n++;
}

/* Add v under key; objects are flattened with dotted keys ("queue.depth"). */
static void kv_add_flat(kv_list *kv, const char *key, const json_t *v)
{
    if (json_is_object(v) && json_object_size(v) > 0) {
        const char *k;
        const json_t *sub;
        json_object_foreach((json_t *)v, k, sub)
        {
            size_t n = strlen(key) + strlen(k) + 2;
            char *dotted = malloc(n);
            if (!dotted)
                abort();
            snprintf(dotted, n, "%s.%s", key, k);
            kv_add_flat(kv, dotted, sub);
            free(dotted);
        }
        return;
    }
    if (json_is_array(v)) {
        bool has_containers = false;
        size_t i;
        const json_t *item;
        json_array_foreach(v, i, item)
        {
            if (json_is_object(item) || json_is_array(item))
                has_containers = true;
        }
        if (has_containers) { /* watch[0].path: ... */
            json_array_foreach(v, i, item)
            {
                size_t n = strlen(key) + 32;
                char *indexed = malloc(n);
                if (!indexed)
                    abort();
                snprintf(indexed, n, "%s[%zu]", key, i);
                kv_add_flat(kv, indexed, item);
                free(indexed);
            }
            return;
        }
    }
    kv_add(kv, key, value_text(v));
}

static void kv_print_free(kv_list *kv)
{
    size_t width = 0;
    for (size_t i = 0; i < kv->n; i++) {
        size_t w = text_width(kv->keys[i]);
        width = w > width ? w : width;
    }
    for (size_t i = 0; i < kv->n; i++) {
        printf("%s:%*s %s\n", kv->keys[i], (int)(width - text_width(kv->keys[i])), "",
               kv->values[i]);
        free(kv->keys[i]);
        free(kv->values[i]);
    }
    free(kv->keys);
    free(kv->values);
    memset(kv, 0, sizeof *kv);
}

/* ---- tables ------------------------------------------------------------------------------- */

#define MAX_COLUMNS 12

typedef struct table {
    size_t ncols;
    const char *headers[MAX_COLUMNS];
    size_t max_width[MAX_COLUMNS]; /* 0: no limit */
    bool cut_left[MAX_COLUMNS];    /* keep the end of long cells (paths) */
    bool align_right[MAX_COLUMNS]; /* numbers */
    char **cells;                  /* nrows * ncols, owned */
    size_t nrows, cap;
} table;

static void table_add_row(table *t, char **row)
{
    if (t->nrows == t->cap) {
        t->cap = t->cap ? t->cap * 2 : 16;
        t->cells = realloc(t->cells, t->cap * t->ncols * sizeof *t->cells);
        if (!t->cells)
            abort();
    }
    memcpy(t->cells + t->nrows * t->ncols, row, t->ncols * sizeof *row);
    t->nrows++;
}

/* Columns of the terminal on stdout, or 0 when stdout is not a terminal. */
static size_t terminal_columns(void)
{
    struct winsize ws;
    if (isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
        return ws.ws_col;
    return 0;
}

/* Print and free. When last_fits_terminal, the last column is cut to what the terminal leaves
 * (if stdout is a terminal) or to fallback_width columns (if not; 0 = uncut). */
static void table_print_free(table *t, bool last_fits_terminal, size_t fallback_width)
{
    size_t width[MAX_COLUMNS];
    const size_t last = t->ncols - 1;
    for (size_t c = 0; c < t->ncols; c++) {
        width[c] = text_width(t->headers[c]);
        for (size_t r = 0; r < t->nrows; r++) {
            char **cell = &t->cells[r * t->ncols + c];
            if (t->max_width[c])
                *cell = fit_width(*cell, t->max_width[c], t->cut_left[c]);
            size_t w = text_width(*cell);
            width[c] = w > width[c] ? w : width[c];
        }
    }
    if (last_fits_terminal) {
        size_t cols = terminal_columns(), limit = fallback_width;
        if (cols) {
            size_t used = 0;
            for (size_t c = 0; c < last; c++)
                used += width[c] + 2;
            limit = cols > used + 10 ? cols - used - 1 : 10;
        }
        if (limit) {
            for (size_t r = 0; r < t->nrows; r++) {
                char **cell = &t->cells[r * t->ncols + last];
                *cell = fit_width(*cell, limit, false);
            }
        }
    }
    for (size_t r = 0; r <= t->nrows; r++) {
        for (size_t c = 0; c < t->ncols; c++) {
            const char *text = r == 0 ? t->headers[c] : t->cells[(r - 1) * t->ncols + c];
            int pad = (int)(width[c] - text_width(text));
            if (t->align_right[c])
                printf("%*s%s", pad, "", text);
            else if (c == last)
                printf("%s", text);
            else
                printf("%s%*s", text, pad, "");
            if (c != last)
                fputs("  ", stdout);
        }
        fputc('\n', stdout);
    }
    for (size_t i = 0; i < t->nrows * t->ncols; i++)
        free(t->cells[i]);
    free(t->cells);
    t->cells = NULL;
    t->nrows = t->cap = 0;
}

static char *field_text(const json_t *obj, const char *key)
{
    const json_t *v = json_object_get(obj, key);
    return v ? value_text(v) : strdup("-");
}

/* ---- the human printers ------------------------------------------------------------------- */

static int print_feed(const json_t *reply)
{
    const json_t *one = json_object_get(reply, "feed");
    if (one) {
        printf("feed %s added (polled within a second, then every %lld s)\n",
               json_string_value(json_object_get(one, "url")),
               (long long)json_integer_value(json_object_get(one, "interval_s")));
        return EXIT_OK;
    }
    if (json_object_get(reply, "state") && json_object_get(reply, "url")) {
        printf("feed %s: %s\n", json_string_value(json_object_get(reply, "url")),
               json_string_value(json_object_get(reply, "state")));
        return EXIT_OK;
    }
    table t = {
        .ncols = 7,
        .headers = {"URL", "LAST POLL", "STATUS", "ENTRIES", "NEXT POLL", "ERRORS", "LAST ERROR"}};
    const json_t *list = json_object_get(reply, "feeds");
    size_t i;
    const json_t *f;
    json_array_foreach(list, i, f)
    {
        bool enabled = json_is_true(json_object_get(f, "enabled"));
        char *row[7] = {field_text(f, "url"),
                        field_text(f, "last_poll_at"),
                        field_text(f, "last_status"),
                        field_text(f, "entries_seen"),
                        enabled ? field_text(f, "next_poll_at") : strdup("disabled"),
                        field_text(f, "error_count"),
                        enabled ? field_text(f, "last_error") : field_text(f, "disabled_reason")};
        table_add_row(&t, row);
    }
    if (t.nrows == 0) {
        printf("no feeds (add one with: ingestctl feed add URL)\n");
        free(t.cells);
        return EXIT_OK;
    }
    table_print_free(&t, true, 0);
    return EXIT_OK;
}

static int print_status(const json_t *reply)
{
    kv_list kv = {0};
    const char *key;
    const json_t *v;
    json_object_foreach((json_t *)reply, key, v)
    {
        if (strcmp(key, "ok") != 0)
            kv_add_flat(&kv, key, v);
    }
    kv_print_free(&kv);
    return EXIT_OK;
}

static int print_stats(const json_t *reply)
{
    static const char *const order[] = {"received", "committed", "duplicates",  "dropped",
                                        "failed",   "in_flight", "queue_depth", "queue_max"};
    kv_list kv = {0};
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) {
        const json_t *v = json_object_get(reply, order[i]);
        if (v)
            kv_add_flat(&kv, order[i], v);
    }
    const char *key;
    const json_t *v;
    json_object_foreach((json_t *)reply, key, v)
    {
        bool known = strcmp(key, "ok") == 0 || strcmp(key, "plugins") == 0;
        for (size_t i = 0; i < sizeof order / sizeof order[0] && !known; i++)
            known = strcmp(key, order[i]) == 0;
        if (!known)
            kv_add_flat(&kv, key, v);
    }
    kv_print_free(&kv);

    const json_t *plugins = json_object_get(reply, "plugins");
    if (!json_is_array(plugins) || json_array_size(plugins) == 0)
        return EXIT_OK;
    table t = {.ncols = 5,
               .headers = {"PLUGIN", "VERSION", "CALLS", "ERRORS", "MEAN \xC2\xB5s"},
               .align_right = {false, false, true, true, true}};
    size_t i;
    const json_t *p;
    json_array_foreach(plugins, i, p)
    {
        char mean[64] = "-";
        const json_t *m = json_object_get(p, "mean_us");
        if (json_is_number(m))
            snprintf(mean, sizeof mean, "%.1f", json_number_value(m));
        char *row[5] = {field_text(p, "name"), field_text(p, "version"), field_text(p, "calls"),
                        field_text(p, "errors"), strdup(mean)};
        table_add_row(&t, row);
    }
    fputc('\n', stdout);
    table_print_free(&t, false, 0);
    return EXIT_OK;
}

static const json_t *reply_array(const json_t *reply, const char *key)
{
    const json_t *a = json_object_get(reply, key);
    if (!json_is_array(a)) {
        errorf("protocol error: the reply has no \"%s\" array", key);
        return NULL;
    }
    return a;
}

static int print_recent(const json_t *reply)
{
    const json_t *articles = reply_array(reply, "articles");
    if (!articles)
        return EXIT_PROTOCOL;
    if (json_array_size(articles) == 0) {
        printf("no articles\n");
        return EXIT_OK;
    }
    table t = {.ncols = 4, .headers = {"UID", "LANG", "PUBLISHED", "TITLE"}};
    size_t i;
    const json_t *a;
    json_array_foreach(articles, i, a)
    {
        char *uid = field_text(a, "uid");
        size_t len = strlen(uid), end = 0;
        for (int k = 0; k < 12 && end < len; k++) /* 12 characters, whole code points */
            utf8_next(uid, len, &end);
        uid[end] = '\0';
        char *row[4] = {uid, field_text(a, "lang"), field_text(a, "published_at"),
                        field_text(a, "title")};
        table_add_row(&t, row);
    }
    table_print_free(&t, true, UNTRUNCATED_COLUMNS);
    return EXIT_OK;
}

static int print_failures(const json_t *reply)
{
    const json_t *failures = reply_array(reply, "failures");
    if (!failures)
        return EXIT_PROTOCOL;
    if (json_array_size(failures) == 0) {
        printf("no failures\n");
        return EXIT_OK;
    }
    table t = {.ncols = 5,
               .headers = {"ID", "STAGE", "PLUGIN", "SOURCE", "REASON"},
               .max_width = {0, 0, 0, SOURCE_COLUMNS, 0},
               .cut_left = {false, false, false, true, false},
               .align_right = {true, false, false, false, false}};
    size_t i;
    const json_t *f;
    json_array_foreach(failures, i, f)
    {
        char *row[5] = {field_text(f, "id"), field_text(f, "stage"), field_text(f, "plugin"),
                        field_text(f, "source"), field_text(f, "reason")};
        table_add_row(&t, row);
    }
    table_print_free(&t, true, 0);
    return EXIT_OK;
}

/* Standard base64 (whitespace ignored); returns the byte count or -1. out holds len*3/4+3. */
static long base64_decode(const char *in, size_t len, unsigned char *out)
{
    unsigned acc = 0;
    int bits = 0;
    long n = 0;
    bool padding = false;
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)in[i];
        int v;
        if (ch >= 'A' && ch <= 'Z')
            v = ch - 'A';
        else if (ch >= 'a' && ch <= 'z')
            v = ch - 'a' + 26;
        else if (ch >= '0' && ch <= '9')
            v = ch - '0' + 52;
        else if (ch == '+')
            v = 62;
        else if (ch == '/')
            v = 63;
        else if (ch == '=') {
            padding = true;
            continue;
        } else if (ch == ' ' || ch == '\n' || ch == '\r' || ch == '\t')
            continue;
        else
            return -1;
        if (padding)
            return -1; /* data after '=' */
        acc = (acc << 6) | (unsigned)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[n++] = (unsigned char)(acc >> bits);
            acc &= (1u << bits) - 1;
        }
    }
    return n;
}

static int print_raw_bytes(const json_t *reply)
{
    const json_t *article = json_object_get(reply, "article");
    const json_t *raw = json_object_get(reply, "raw");
    const json_t *b64 = json_object_get(reply, "raw_base64");
    if (!raw && !b64 && json_is_object(article)) {
        raw = json_object_get(article, "raw");
        b64 = json_object_get(article, "raw_base64");
    }
    if (json_is_string(raw)) {
        fwrite(json_string_value(raw), 1, json_string_length(raw), stdout);
        return EXIT_OK;
    }
    if (json_is_string(b64)) {
        size_t len = json_string_length(b64);
        unsigned char *bytes = malloc(len / 4 * 3 + 4);
        if (!bytes)
            abort();
        long n = base64_decode(json_string_value(b64), len, bytes);
        if (n < 0) {
            free(bytes);
            errorf("protocol error: \"raw_base64\" is not base64");
            return EXIT_PROTOCOL;
        }
        fwrite(bytes, 1, (size_t)n, stdout);
        free(bytes);
        return EXIT_OK;
    }
    errorf("protocol error: the reply has no \"raw\" or \"raw_base64\" text");
    return EXIT_PROTOCOL;
}

static int print_article(const json_t *reply, bool raw_bytes)
{
    if (raw_bytes)
        return print_raw_bytes(reply);
    const json_t *article = json_object_get(reply, "article");
    if (!json_is_object(article)) {
        errorf("protocol error: the reply has no \"article\" object");
        return EXIT_PROTOCOL;
    }
    static const char *const order[] = {
        "uid",  "title",           "source",       "source_kind", "url",        "guid",
        "lang", "lang_confidence", "published_at", "updated_at",  "ingested_at"};
    static const char *const not_header[] = {"body", "raw", "raw_base64", "meta"};
    kv_list kv = {0};
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) {
        const json_t *v = json_object_get(article, order[i]);
        if (v && !json_is_null(v))
            kv_add(&kv, order[i], value_text(v));
    }
    const char *key;
    const json_t *v;
    json_object_foreach((json_t *)article, key, v)
    {
        bool skip = json_is_null(v);
        for (size_t i = 0; i < sizeof order / sizeof order[0] && !skip; i++)
            skip = strcmp(key, order[i]) == 0;
        for (size_t i = 0; i < sizeof not_header / sizeof not_header[0] && !skip; i++)
            skip = strcmp(key, not_header[i]) == 0;
        if (!skip)
            kv_add_flat(&kv, key, v);
    }
    const json_t *meta = json_object_get(article, "meta");
    if (meta && !json_is_null(meta) && !(json_is_object(meta) && json_object_size(meta) == 0)) {
        char *dump = json_dumps(meta, JSON_COMPACT | JSON_ENCODE_ANY);
        kv_add(&kv, "meta", cell_text(dump ? dump : "?"));
        free(dump);
    }
    kv_print_free(&kv);
    const char *body = json_string_value(json_object_get(article, "body"));
    fputc('\n', stdout);
    if (body) {
        size_t len = strlen(body);
        fwrite(body, 1, len, stdout);
        if (len == 0 || body[len - 1] != '\n')
            fputc('\n', stdout);
    }
    return EXIT_OK;
}

static int print_shutdown(const json_t *reply)
{
    const char *message = json_string_value(json_object_get(reply, "message"));
    printf("%s\n", message ? message : "ingestd is shutting down");
    return EXIT_OK;
}

static int print_plugins(const json_t *reply)
{
    const json_t *plugins = reply_array(reply, "plugins");
    if (!plugins)
        return EXIT_PROTOCOL;
    if (json_array_size(plugins) == 0) {
        printf("no plugins\n");
        return EXIT_OK;
    }
    table t = {.ncols = 10,
               .headers = {"#", "PLUGIN", "VERSION", "CALLS", "ERRORS", "ERR %", "DROPS",
                           "MEAN \xC2\xB5s", "P99 \xC2\xB5s", "STATE"},
               .align_right = {true, false, false, true, true, true, true, true, true, false}};
    size_t i;
    const json_t *p;
    json_array_foreach(plugins, i, p)
    {
        char mean[64] = "-", p99[64] = "-";
        const json_t *m = json_object_get(p, "mean_us");
        if (json_is_number(m))
            snprintf(mean, sizeof mean, "%.1f", json_number_value(m));
        m = json_object_get(p, "p99_us");
        if (json_is_number(m))
            snprintf(p99, sizeof p99, "%.1f", json_number_value(m));
        char rate[64] = "-";
        m = json_object_get(p, "error_rate");
        if (json_is_number(m))
            snprintf(rate, sizeof rate, "%.1f", 100.0 * json_number_value(m));
        const char *state = json_is_true(json_object_get(p, "failing")) ? "FAILING" : "ok";
        char *row[10] = {field_text(p, "order"),
                         field_text(p, "name"),
                         field_text(p, "version"),
                         field_text(p, "calls"),
                         field_text(p, "errors"),
                         strdup(rate),
                         field_text(p, "drops"),
                         strdup(mean),
                         strdup(p99),
                         strdup(state)};
        table_add_row(&t, row);
    }
    table_print_free(&t, false, 0);
    return EXIT_OK;
}

static int print_search(const json_t *reply)
{
    const json_t *results = reply_array(reply, "results");
    if (!results)
        return EXIT_PROTOCOL;
    if (json_array_size(results) == 0) {
        printf("no matches\n");
        return EXIT_OK;
    }
    size_t i;
    const json_t *r;
    json_array_foreach(results, i, r)
    {
        char *uid = field_text(r, "uid"), *lang = field_text(r, "lang");
        char *title = field_text(r, "title"), *snippet = field_text(r, "snippet");
        uid[strlen(uid) > 12 ? 12 : strlen(uid)] = '\0';
        printf("%s  %-3s %s\n    %s\n", uid, lang, title, snippet);
        free(uid);
        free(lang);
        free(title);
        free(snippet);
    }
    return EXIT_OK;
}

static int print_watch(const json_t *reply)
{
    if (json_object_get(reply, "added") || json_object_get(reply, "removed")) {
        const char *added = json_string_value(json_object_get(reply, "added"));
        printf("%s %s\n", added ? "watching" : "no longer watching",
               added ? added : json_string_value(json_object_get(reply, "removed")));
        return EXIT_OK;
    }
    table t = {.ncols = 3, .headers = {"FOLDER", "AFTER", "FROM"}};
    const char *const keys[] = {"config", "runtime"};
    for (size_t k = 0; k < 2; k++) {
        const json_t *list = json_object_get(reply, keys[k]);
        size_t i;
        const json_t *w;
        json_array_foreach(list, i, w)
        {
            const json_t *watched = json_object_get(w, "watched");
            char *row[3] = {field_text(w, "path"), field_text(w, "after"),
                            strdup(k == 0                   ? "config file"
                                   : json_is_false(watched) ? "runtime (not watched: missing)"
                                                            : "runtime")};
            table_add_row(&t, row);
        }
    }
    if (t.nrows == 0) {
        printf("no watched folders\n");
        free(t.cells);
        return EXIT_OK;
    }
    table_print_free(&t, false, 0);
    return EXIT_OK;
}

static int print_reload(const json_t *reply)
{
    const char *msg = json_string_value(json_object_get(reply, "message"));
    if (json_is_true(json_object_get(reply, "queued")))
        printf("reload queued: %s\n", msg ? msg : "");
    else
        printf("reloaded: %lld plugins\n",
               (long long)json_integer_value(json_object_get(reply, "plugins")));
    const char *restart = json_string_value(json_object_get(reply, "needs_restart"));
    if (restart)
        printf("changed settings that need a restart: %s\n", restart);
    return EXIT_OK;
}

static int print_queued(const char *name, const json_t *reply)
{
    json_int_t n = json_integer_value(json_object_get(reply, "queued"));
    printf("%s: %lld queued\n", name, (long long)n);
    return EXIT_OK;
}

/* ---- socket path -------------------------------------------------------------------------- */

/* The "control_socket" of a config file, resolved like the daemon does: relative to the config
 * file's folder. Returns a malloc'd path, or NULL after printing the reason. */
static char *socket_from_config(const char *config_path)
{
    json_error_t jerr;
    json_t *root = json_load_file(config_path, 0, &jerr);
    if (!root) {
        if (jerr.line > 0)
            errorf("config %s: line %d: %s", config_path, jerr.line, jerr.text);
        else
            errorf("config %s: %s", config_path, jerr.text);
        return NULL;
    }
    if (!json_is_object(root)) {
        errorf("config %s: the top level must be a JSON object", config_path);
        json_decref(root);
        return NULL;
    }
    const json_t *v = json_object_get(root, "control_socket");
    if (v && (!json_is_string(v) || json_string_length(v) == 0)) {
        errorf("config %s: control_socket: must be a non-empty string", config_path);
        json_decref(root);
        return NULL;
    }
    const char *value = v ? json_string_value(v) : DEFAULT_SOCKET;
    char *out;
    if (value[0] == '/') {
        out = strdup(value);
    } else {
        char copy[PATH_MAX], base[PATH_MAX * 2 + 2];
        snprintf(copy, sizeof copy, "%s", config_path);
        const char *dir = dirname(copy);
        char cwd[PATH_MAX];
        if (dir[0] == '/')
            snprintf(base, sizeof base, "%s", dir);
        else if (getcwd(cwd, sizeof cwd))
            snprintf(base, sizeof base, "%s/%s", cwd, dir);
        else
            snprintf(base, sizeof base, "%s", dir);
        size_t n = strlen(base) + strlen(value) + 2;
        out = malloc(n);
        if (out)
            snprintf(out, n, "%s/%s", base, value);
    }
    json_decref(root);
    if (!out)
        abort();
    return out;
}

static char *resolve_socket(const options *opt)
{
    if (opt->socket_path)
        return strdup(opt->socket_path);
    if (opt->config_path)
        return socket_from_config(opt->config_path);
    const char *env = getenv("INGESTD_SOCKET");
    return strdup(env && env[0] ? env : DEFAULT_SOCKET);
}

/* ---- the exchange ------------------------------------------------------------------------- */

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int remaining_ms(int64_t deadline)
{
    int64_t left = deadline - now_ms();
    return left <= 0 ? 0 : left > INT_MAX ? INT_MAX : (int)left;
}

/* Connect, send request (one line, "\n" added), read one reply line into *line. Returns an
 * exit code; prints the reason on failure. */
static int exchange(const char *path, const char *request, double timeout_s, char **line)
{
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    if (strlen(path) >= sizeof addr.sun_path) {
        errorf("cannot connect to %s: %s (is ingestd running?)", path, strerror(ENAMETOOLONG));
        return EXIT_CONNECT;
    }
    memcpy(addr.sun_path, path, strlen(path) + 1);
    int64_t deadline = now_ms() + (int64_t)(timeout_s * 1000.0);

    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        errorf("socket: %s", strerror(errno));
        return EXIT_CONNECT;
    }
    /* A blocking connect to a Unix socket waits when the listener's backlog is full. */
    struct timeval tv = {.tv_sec = (time_t)timeout_s,
                         .tv_usec = (suseconds_t)((timeout_s - (double)(time_t)timeout_s) * 1e6)};
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    if (connect(fd, (struct sockaddr *)&addr, sizeof addr) < 0) {
        int e = errno;
        close(fd);
        if (e == EAGAIN || e == EINPROGRESS || e == ETIMEDOUT) {
            errorf("timed out connecting to %s after %g s", path, timeout_s);
            return EXIT_PROTOCOL;
        }
        errorf("cannot connect to %s: %s (%s)", path, strerror(e),
               e == EACCES ? "is your user in the socket's group?" : "is ingestd running?");
        return EXIT_CONNECT;
    }

    /* send; a daemon that refuses us (too many clients) may close early: read its reply */
    size_t reqlen = strlen(request);
    char *out = malloc(reqlen + 2);
    if (!out)
        abort();
    memcpy(out, request, reqlen);
    out[reqlen++] = '\n';
    size_t sent = 0;
    while (sent < reqlen) {
        struct pollfd p = {.fd = fd, .events = POLLOUT};
        int r = poll(&p, 1, remaining_ms(deadline));
        if (r == 0) {
            free(out);
            close(fd);
            errorf("timed out sending to %s after %g s", path, timeout_s);
            return EXIT_PROTOCOL;
        }
        if (r < 0 && errno == EINTR)
            continue;
        ssize_t w = send(fd, out + sent, reqlen - sent, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (w < 0 && (errno == EAGAIN || errno == EINTR))
            continue;
        if (w < 0)
            break; /* EPIPE, ECONNRESET: see whether a reply came */
        sent += (size_t)w;
    }
    free(out);

    size_t cap = 65536, len = 0;
    char *buf = malloc(cap);
    if (!buf)
        abort();
    for (;;) {
        char *nl = len ? memchr(buf, '\n', len) : NULL;
        if (nl) {
            *nl = '\0';
            if (nl > buf && nl[-1] == '\r')
                nl[-1] = '\0';
            close(fd);
            *line = buf;
            return EXIT_OK;
        }
        if (cap - len < 4096) {
            if (cap >= MAX_REPLY_BYTES) {
                errorf("protocol error: reply from %s longer than %u bytes", path, MAX_REPLY_BYTES);
                break;
            }
            cap *= 2;
            buf = realloc(buf, cap);
            if (!buf)
                abort();
        }
        struct pollfd p = {.fd = fd, .events = POLLIN};
        int r = poll(&p, 1, remaining_ms(deadline));
        if (r == 0) {
            errorf("no reply from %s within %g s", path, timeout_s);
            break;
        }
        if (r < 0 && errno == EINTR)
            continue;
        ssize_t n = recv(fd, buf + len, cap - len, MSG_DONTWAIT);
        if (n < 0 && (errno == EAGAIN || errno == EINTR))
            continue;
        if (n <= 0) {
            if (n < 0 && len == 0)
                errorf("protocol error: %s: %s before a reply", path, strerror(errno));
            else if (len == 0)
                errorf("protocol error: ingestd closed the connection without a reply");
            else
                errorf("protocol error: the reply was cut short");
            break;
        }
        len += (size_t)n;
    }
    free(buf);
    close(fd);
    return EXIT_PROTOCOL;
}

/* ---- commands of several exchanges: export, reprocess, top -------------------------------- */

#define EXPORT_PAGE 500

/* One exchange with a JSON request object; the reply object in *reply (caller frees). Returns
 * an exit code: EXIT_REFUSED (message printed) when the daemon answered "ok": false. */
static int call_json(const char *path, const options *opt, json_t *req, json_t **reply)
{
    *reply = NULL;
    char *text = json_dumps(req, JSON_COMPACT);
    char *line = NULL;
    int rc = exchange(path, text, opt->timeout_s, &line);
    free(text);
    if (rc != EXIT_OK)
        return rc;
    json_error_t jerr;
    json_t *r = json_loads(line, 0, &jerr);
    free(line);
    if (!json_is_object(r) || !json_is_boolean(json_object_get(r, "ok"))) {
        errorf("protocol error: the reply is not an object with a boolean \"ok\"");
        json_decref(r);
        return EXIT_PROTOCOL;
    }
    if (!json_is_true(json_object_get(r, "ok"))) {
        const char *err = json_string_value(json_object_get(r, "error"));
        errorf("%s", err ? err : "the request failed (no reason given)");
        json_decref(r);
        return EXIT_REFUSED;
    }
    *reply = r;
    return EXIT_OK;
}

/* One CSV field (RFC 4180): quoted when it holds a comma, quote, CR or LF. */
static void csv_field(const json_t *v, bool last)
{
    char *text = NULL;
    if (json_is_string(v))
        text = strdup(json_string_value(v));
    else if (v && !json_is_null(v))
        text = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
    if (text && strpbrk(text, ",\"\r\n")) {
        fputc('"', stdout);
        for (const char *c = text; *c; c++) {
            if (*c == '"')
                fputc('"', stdout);
            fputc(*c, stdout);
        }
        fputc('"', stdout);
    } else if (text) {
        fputs(text, stdout);
    }
    free(text);
    fputs(last ? "\r\n" : ",", stdout);
}

static int run_export(const char *path, const options *opt, json_t *req)
{
    static const char *const columns[] = {"uid",          "source_kind", "source",
                                          "url",          "guid",        "title",
                                          "body",         "lang",        "lang_confidence",
                                          "published_at", "updated_at",  "published_utc",
                                          "ingested_at",  "meta"};
    const size_t ncol = sizeof columns / sizeof columns[0];
    bool progress = isatty(STDERR_FILENO);
    if (opt->csv) {
        for (size_t c = 0; c < ncol; c++)
            printf("%s%s", columns[c], c + 1 < ncol ? "," : "\r\n");
    }
    long total = 0;
    json_object_set_new(req, "n", json_integer(EXPORT_PAGE));
    json_object_set_new(req, "after", json_integer(0));
    for (;;) {
        json_t *reply = NULL;
        int rc = call_json(path, opt, req, &reply);
        if (rc != EXIT_OK)
            return rc;
        const json_t *articles = reply_array(reply, "articles");
        if (!articles) {
            json_decref(reply);
            return EXIT_PROTOCOL;
        }
        size_t i;
        json_t *a;
        json_array_foreach(articles, i, a)
        {
            if (opt->csv) {
                for (size_t c = 0; c < ncol; c++)
                    csv_field(json_object_get(a, columns[c]), c + 1 == ncol);
            } else {
                json_object_del(a, "id"); /* the page cursor, not part of the article */
                char *line = json_dumps(a, JSON_COMPACT);
                printf("%s\n", line ? line : "{}");
                free(line);
            }
            total++;
        }
        json_t *next = json_object_get(reply, "next");
        bool more = json_is_integer(next);
        if (more)
            json_object_set_new(req, "after", json_integer(json_integer_value(next)));
        json_decref(reply);
        if (progress)
            fprintf(stderr, "\rexported %ld articles", total);
        if (ferror(stdout)) {
            errorf("writing the output: %s", strerror(errno));
            return EXIT_PROTOCOL;
        }
        if (!more)
            break;
    }
    if (progress)
        fprintf(stderr, "\rexported %ld articles\n", total);
    return EXIT_OK;
}

static void sleep_s(double s)
{
    struct timespec ts = {.tv_sec = (time_t)s, .tv_nsec = (long)((s - (double)(time_t)s) * 1e9)};
    nanosleep(&ts, NULL);
}

/* Print the reprocess progress from a status reply; returns true while it runs. */
static bool reprocess_progress(const json_t *status, bool tty, long *last_done)
{
    const json_t *rp = json_object_get(status, "reprocess");
    long total = (long)json_integer_value(json_object_get(rp, "total"));
    long done = (long)json_integer_value(json_object_get(rp, "done"));
    bool running = json_is_true(json_object_get(rp, "running"));
    if (tty) {
        int width = 40, filled = total ? (int)(done * width / total) : width;
        printf("\r[%.*s%*s] %3d%% %ld/%ld", filled, "########################################",
               width - filled, "", total ? (int)(done * 100 / total) : 100, done, total);
        fflush(stdout);
    } else if (done != *last_done) {
        printf("reprocess: %ld/%ld done\n", done, total);
        fflush(stdout);
    }
    *last_done = done;
    if (!running) {
        if (tty)
            printf("\n");
        printf("reprocess: finished: %lld ok, %lld failed\n",
               (long long)json_integer_value(json_object_get(rp, "ok")),
               (long long)json_integer_value(json_object_get(rp, "failed")));
    }
    return running;
}

static int run_reprocess(const char *path, const options *opt, json_t *req)
{
    json_t *reply = NULL;
    int rc = call_json(path, opt, req, &reply);
    if (rc != EXIT_OK)
        return rc;
    if (opt->json) {
        char *t = json_dumps(reply, JSON_INDENT(2));
        printf("%s\n", t ? t : "{}");
        free(t);
    } else {
        printf("reprocess: %lld articles queued\n",
               (long long)json_integer_value(json_object_get(reply, "queued")));
    }
    json_decref(reply);
    if (opt->no_wait || opt->json)
        return EXIT_OK;
    bool tty = isatty(STDOUT_FILENO);
    long last = -1;
    json_t *st = json_pack("{s:s}", "cmd", "status");
    for (;;) {
        rc = call_json(path, opt, st, &reply);
        if (rc != EXIT_OK)
            break;
        bool running = reprocess_progress(reply, tty, &last);
        long failed = (long)json_integer_value(
            json_object_get(json_object_get(reply, "reprocess"), "failed"));
        json_decref(reply);
        if (!running) {
            rc = failed ? EXIT_REFUSED : EXIT_OK;
            break;
        }
        sleep_s(0.2);
    }
    json_decref(st);
    return rc;
}

/* A counter of a stats reply, 0 when absent. */
static long long stat_of(const json_t *o, const char *key)
{
    return (long long)json_integer_value(json_object_get(o, key));
}

static int run_top(const char *path, options *opt)
{
    bool tty = isatty(STDOUT_FILENO);
    double interval = opt->interval_s > 0 ? opt->interval_s : 1.0;
    json_t *status_req = json_pack("{s:s}", "cmd", "status");
    json_t *stats_req = json_pack("{s:s}", "cmd", "stats");
    json_t *fail_req = json_pack("{s:s, s:i}", "cmd", "failures", "n", 5);
    long long prev_done = -1;
    int64_t prev_ms = 0;
    int rc = EXIT_OK;
    for (long round = 0; opt->n == 0 || round < opt->n; round++) {
        if (round)
            sleep_s(interval);
        json_t *status = NULL, *stats = NULL, *fails = NULL;
        rc = call_json(path, opt, status_req, &status);
        if (rc == EXIT_OK)
            rc = call_json(path, opt, stats_req, &stats);
        if (rc == EXIT_OK && tty)
            rc = call_json(path, opt, fail_req, &fails);
        if (rc != EXIT_OK) {
            json_decref(status);
            json_decref(stats);
            break;
        }
        long long done = stat_of(stats, "committed") + stat_of(stats, "duplicates") +
                         stat_of(stats, "dropped") + stat_of(stats, "failed");
        int64_t now = now_ms();
        double rate = prev_done >= 0 && now > prev_ms
                          ? (double)(done - prev_done) * 1000.0 / (double)(now - prev_ms)
                          : 0.0;
        prev_done = done;
        prev_ms = now;
        const char *state = json_string_value(json_object_get(status, "state"));
        if (!tty) {
            printf("state=%s rate=%.1f/s queue=%lld in_flight=%lld received=%lld committed=%lld "
                   "duplicates=%lld dropped=%lld failed=%lld\n",
                   state ? state : "?", rate, stat_of(stats, "queue_depth"),
                   stat_of(stats, "in_flight"), stat_of(stats, "received"),
                   stat_of(stats, "committed"), stat_of(stats, "duplicates"),
                   stat_of(stats, "dropped"), stat_of(stats, "failed"));
        } else {
            printf("\033[H\033[2J");
            printf("ingestd %s  pid %lld  up %llds  state %s  database %s\n\n",
                   json_string_value(json_object_get(status, "version")), stat_of(status, "pid"),
                   stat_of(status, "uptime_s"), state ? state : "?",
                   json_string_value(json_object_get(status, "database")));
            printf("articles/s %8.1f   queue %lld/%lld   in flight %lld\n", rate,
                   stat_of(stats, "queue_depth"), stat_of(stats, "queue_max"),
                   stat_of(stats, "in_flight"));
            printf("received %lld  committed %lld  duplicates %lld  dropped %lld  failed %lld\n",
                   stat_of(stats, "received"), stat_of(stats, "committed"),
                   stat_of(stats, "duplicates"), stat_of(stats, "dropped"),
                   stat_of(stats, "failed"));
            const char *const bl[] = {"retry", "reprocess"};
            for (size_t b = 0; b < 2; b++) {
                const json_t *o = json_object_get(status, bl[b]);
                if (json_is_true(json_object_get(o, "running")))
                    printf("%s: %lld/%lld done\n", bl[b], stat_of(o, "done"), stat_of(o, "total"));
            }
            printf("\n");
            json_t *pl = json_object_get(stats, "plugins");
            json_t *fake = json_pack("{s:O}", "plugins", pl ? pl : json_array());
            print_plugins(fake);
            json_decref(fake);
            const json_t *fl = json_object_get(fails, "failures");
            if (json_array_size(fl)) {
                printf("\nlatest failures:\n");
                print_failures(fails);
            }
            printf("\n(refresh every %g s; Ctrl-C to quit)\n", interval);
        }
        fflush(stdout);
        json_decref(status);
        json_decref(stats);
        json_decref(fails);
    }
    json_decref(status_req);
    json_decref(stats_req);
    json_decref(fail_req);
    return rc;
}

/* ---- command line ------------------------------------------------------------------------- */

static int parse_count(const command *cmd, const char *s, long *out)
{
    char *end;
    errno = 0;
    long n = strtol(s, &end, 10);
    if (errno || end == s || *end || n < 1 || n > MAX_LIST_N)
        return usage_error(cmd, "%s: N must be a whole number from 1 to %d, not \"%s\"", cmd->name,
                           MAX_LIST_N, s);
    *out = n;
    return EXIT_OK;
}

static int parse_timeout(const char *s, double *out)
{
    char *end;
    errno = 0;
    double t = strtod(s, &end);
    if (errno || end == s || *end || !(t > 0) || t > 86400)
        return usage_error(NULL, "--timeout: expected seconds (0 < SEC <= 86400), not \"%s\"", s);
    *out = t;
    return EXIT_OK;
}

static const command *find_command(const char *name)
{
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(commands[i].name, name) == 0)
            return &commands[i];
    return NULL;
}

/* Parse the command's own arguments into a request. Returns an exit code; *request is a
 * malloc'd line on success, NULL with EXIT_OK when --help was printed. */
static int build_request(const command *cmd, int argc, char **argv, options *opt, char **request)
{
#define MAX_POSITIONAL 16
    const char *positional[MAX_POSITIONAL] = {NULL};
    int npos = 0;
    const char *cname = cmd->name;
    *request = NULL;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        /* "-" alone and "-5" are arguments (the latter refused later), not options */
        bool is_argument = a[0] != '-' || a[1] == '\0' || (a[1] >= '0' && a[1] <= '9');
        if (strcmp(a, "--") == 0) {
            for (i++; i < argc; i++) {
                if (npos == MAX_POSITIONAL)
                    return usage_error(cmd, "%s: too many arguments", cmd->name);
                positional[npos++] = argv[i];
            }
            break;
        } else if (is_argument) {
            if (npos == MAX_POSITIONAL)
                return usage_error(cmd, "%s: too many arguments", cmd->name);
            positional[npos++] = a;
        } else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            print_command_help(cmd, stdout);
            return EXIT_OK;
        } else if (strcmp(a, "--json") == 0) {
            opt->json = true;
        } else if (strcmp(a, "--interval") == 0 && i + 1 < argc && strcmp(cmd->name, "feed") == 0) {
            char *end;
            opt->feed_interval_s = strtol(argv[++i], &end, 10);
            if (*end || opt->feed_interval_s < 1 || opt->feed_interval_s > 604800)
                return usage_error(cmd, "feed add: --interval: expected seconds (1 to 604800)");
        } else if (strcmp(a, "--timeout") == 0 && i + 1 < argc) {
            int r = parse_timeout(argv[++i], &opt->timeout_s);
            if (r)
                return r;
        } else if (strncmp(a, "--timeout=", 10) == 0) {
            int r = parse_timeout(a + 10, &opt->timeout_s);
            if (r)
                return r;
        } else if (strcmp(a, "--raw") == 0 && strcmp(cmd->name, "get") == 0) {
            opt->raw_bytes = true;
        } else if (strcmp(a, "--raw") == 0 && strcmp(cname, "search") == 0) {
            opt->raw_query = true;
        } else if (strcmp(a, "-n") == 0 && strcmp(cname, "search") == 0 && i + 1 < argc) {
            int r = parse_count(cmd, argv[++i], &opt->n);
            if (r)
                return r;
        } else if (strcmp(a, "--all") == 0 &&
                   (strcmp(cname, "retry") == 0 || strcmp(cname, "reprocess") == 0)) {
            opt->all = true;
        } else if (strcmp(a, "--since") == 0 && i + 1 < argc &&
                   (strcmp(cname, "export") == 0 || strcmp(cname, "reprocess") == 0)) {
            opt->since = argv[++i];
        } else if (strcmp(a, "--no-wait") == 0 && strcmp(cname, "reprocess") == 0) {
            opt->no_wait = true;
        } else if (strcmp(a, "--lang") == 0 && i + 1 < argc && strcmp(cname, "export") == 0) {
            opt->lang = argv[++i];
        } else if ((strcmp(a, "--csv") == 0 || strcmp(a, "--jsonl") == 0) &&
                   strcmp(cname, "export") == 0) {
            opt->csv = strcmp(a, "--csv") == 0;
        } else if (strcmp(a, "--after") == 0 && i + 1 < argc && strcmp(cname, "watch") == 0) {
            opt->after = argv[++i];
        } else if (strcmp(a, "--interval") == 0 && i + 1 < argc && strcmp(cname, "top") == 0) {
            char *end;
            opt->interval_s = strtod(argv[++i], &end);
            if (*end || !(opt->interval_s >= 0.05) || opt->interval_s > 3600)
                return usage_error(cmd, "top: --interval: expected seconds (0.05 to 3600)");
        } else if (strcmp(a, "--count") == 0 && i + 1 < argc && strcmp(cname, "top") == 0) {
            int r = parse_count(cmd, argv[++i], &opt->n);
            if (r)
                return r;
        } else {
            return usage_error(cmd, "%s: unknown option %s", cmd->name, a);
        }
    }

    const char *name = cmd->name;
    if (strcmp(name, "raw") == 0) {
        if (npos != 1)
            return usage_error(cmd, "raw: expected one JSON request");
        if (strpbrk(positional[0], "\r\n"))
            return usage_error(cmd, "raw: the request must be one line");
        *request = strdup(positional[0]);
        return EXIT_OK;
    }

    json_t *req = json_pack("{s:s}", "cmd", name);
    int rc = EXIT_OK;
    if (strcmp(name, "recent") == 0 || strcmp(name, "failures") == 0) {
        long n = DEFAULT_LIST_N;
        if (npos > 1)
            rc = usage_error(cmd, "%s: too many arguments", name);
        else if (npos == 1)
            rc = parse_count(cmd, positional[0], &n);
        json_object_set_new(req, "n", json_integer(n));
    } else if (strcmp(name, "get") == 0) {
        if (npos != 1)
            rc = usage_error(cmd, "get: expected one UID");
        else
            json_object_set_new(req, "uid", json_string(positional[0]));
        if (opt->raw_bytes)
            json_object_set_new(req, "raw", json_true());
    } else if (strcmp(name, "search") == 0) {
        size_t qlen = 1;
        for (int k = 0; k < npos; k++)
            qlen += strlen(positional[k]) + 1;
        char *query = calloc(1, qlen);
        if (!query)
            abort();
        for (int k = 0; k < npos; k++) {
            if (k)
                strcat(query, " ");
            strcat(query, positional[k]);
        }
        if (npos == 0)
            rc = usage_error(cmd, "search: expected a QUERY");
        json_object_set_new(req, "query", json_string(query));
        json_object_set_new(req, "n", json_integer(opt->n ? opt->n : DEFAULT_LIST_N));
        if (opt->raw_query)
            json_object_set_new(req, "raw", json_true());
        if (isatty(STDOUT_FILENO) && !opt->json)
            json_object_set_new(req, "mark", json_pack("[ss]", "\033[1m", "\033[0m"));
        free(query);
    } else if (strcmp(name, "retry") == 0) {
        long id = 0;
        if (opt->all && npos == 0)
            json_object_set_new(req, "all", json_true());
        else if (opt->all || npos != 1)
            rc = usage_error(cmd, "retry: expected one failure ID or --all");
        else if ((rc = parse_count(cmd, positional[0], &id)) == EXIT_OK)
            json_object_set_new(req, "id", json_integer(id));
    } else if (strcmp(name, "reprocess") == 0) {
        if (npos > 0 || (opt->all == (opt->since != NULL)))
            rc = usage_error(cmd, "reprocess: expected --since T or --all");
        else if (opt->all)
            json_object_set_new(req, "all", json_true());
        else
            json_object_set_new(req, "since", json_string(opt->since));
    } else if (strcmp(name, "export") == 0) {
        if (npos > 0)
            rc = usage_error(cmd, "export: takes no arguments (did you mean --since %s?)",
                             positional[0]);
        if (opt->since)
            json_object_set_new(req, "since", json_string(opt->since));
        if (opt->lang)
            json_object_set_new(req, "lang", json_string(opt->lang));
    } else if (strcmp(name, "watch") == 0) {
        const char *op = npos > 0 ? positional[0] : "ls";
        if (strcmp(op, "ls") == 0 && npos <= 1) {
            json_object_set_new(req, "op", json_string("ls"));
        } else if ((strcmp(op, "add") == 0 || strcmp(op, "rm") == 0) && npos == 2) {
            /* the daemon has another working folder: send an absolute path */
            char *abs = realpath(positional[1], NULL);
            if (!abs && strcmp(op, "add") == 0) {
                rc = usage_error(cmd, "watch add: %s: %s", positional[1], strerror(errno));
            } else {
                json_object_set_new(req, "op", json_string(op));
                json_object_set_new(req, "path", json_string(abs ? abs : positional[1]));
                if (opt->after)
                    json_object_set_new(req, "after", json_string(opt->after));
            }
            free(abs);
        } else {
            rc = usage_error(cmd, "watch: expected ls, add PATH or rm PATH");
        }
    } else if (strcmp(name, "feed") == 0) {
        const char *op = npos > 0 ? positional[0] : "ls";
        if (strcmp(op, "ls") == 0 && npos <= 1) {
            json_object_set_new(req, "op", json_string("ls"));
        } else if ((strcmp(op, "add") == 0 || strcmp(op, "rm") == 0 || strcmp(op, "poll") == 0) &&
                   npos == 2) {
            json_object_set_new(req, "op", json_string(op));
            json_object_set_new(req, "url", json_string(positional[1]));
            if (strcmp(op, "add") == 0 && opt->feed_interval_s > 0)
                json_object_set_new(req, "interval_s", json_integer(opt->feed_interval_s));
        } else {
            rc = usage_error(cmd, "feed: expected ls, add URL, rm URL or poll URL");
        }
    } else if (npos > 0) {
        rc = usage_error(cmd, "%s: takes no arguments", name);
    }
    if (rc == EXIT_OK) {
        *request = json_dumps(req, JSON_COMPACT);
        if (!*request) {
            errorf("%s: the arguments cannot be encoded as JSON (not UTF-8?)", name);
            rc = EXIT_USAGE;
        }
    }
    json_decref(req);
    return rc;
}

static int print_reply(const command *cmd, const options *opt, const char *line)
{
    json_error_t jerr;
    json_t *reply = json_loads(line, 0, &jerr);
    const bool is_raw = strcmp(cmd->name, "raw") == 0;
    if (!reply || !json_is_object(reply) || !json_is_boolean(json_object_get(reply, "ok"))) {
        if (is_raw && !opt->json)
            printf("%s\n", line);
        if (!reply)
            errorf("protocol error: the reply is not JSON: %s", jerr.text);
        else
            errorf("protocol error: the reply is not an object with a boolean \"ok\"");
        json_decref(reply);
        return EXIT_PROTOCOL;
    }
    const bool ok = json_is_true(json_object_get(reply, "ok"));
    int rc = ok ? EXIT_OK : EXIT_REFUSED;
    if (opt->json) {
        char *pretty = json_dumps(reply, JSON_INDENT(2) | JSON_REAL_PRECISION(15));
        printf("%s\n", pretty ? pretty : line);
        free(pretty);
    } else if (is_raw) {
        printf("%s\n", line);
    } else if (ok) {
        const char *name = cmd->name;
        if (strcmp(name, "status") == 0)
            rc = print_status(reply);
        else if (strcmp(name, "stats") == 0)
            rc = print_stats(reply);
        else if (strcmp(name, "recent") == 0)
            rc = print_recent(reply);
        else if (strcmp(name, "get") == 0)
            rc = print_article(reply, opt->raw_bytes);
        else if (strcmp(name, "failures") == 0)
            rc = print_failures(reply);
        else if (strcmp(name, "shutdown") == 0)
            rc = print_shutdown(reply);
        else if (strcmp(name, "feed") == 0)
            rc = print_feed(reply);
        else if (strcmp(name, "plugins") == 0)
            rc = print_plugins(reply);
        else if (strcmp(name, "search") == 0)
            rc = print_search(reply);
        else if (strcmp(name, "watch") == 0)
            rc = print_watch(reply);
        else if (strcmp(name, "retry") == 0)
            rc = print_queued(name, reply);
        else if (strcmp(name, "reload") == 0)
            rc = print_reload(reply);
        else
            rc = print_status(reply); /* pause, resume: "state: paused" */
    }
    if (!ok) {
        const char *err = json_string_value(json_object_get(reply, "error"));
        errorf("%s", err ? err : "the request failed (no reason given)");
    }
    json_decref(reply);
    return rc;
}

int main(int argc, char **argv)
{
    options opt = {.timeout_s = DEFAULT_TIMEOUT_S};
    static const struct option longopts[] = {
        {"socket", required_argument, NULL, 's'},
        {"config", required_argument, NULL, 'c'},
        {"json", no_argument, NULL, 'j'},
        {"timeout", required_argument, NULL, 't'},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0},
    };
    opterr = 0;
    int ch;
    while ((ch = getopt_long(argc, argv, "+:s:c:h", longopts, NULL)) != -1) {
        switch (ch) {
        case 's':
            opt.socket_path = optarg;
            break;
        case 'c':
            opt.config_path = optarg;
            break;
        case 'j':
            opt.json = true;
            break;
        case 't': {
            int r = parse_timeout(optarg, &opt.timeout_s);
            if (r)
                return r;
            break;
        }
        case 'h':
            print_main_help(stdout);
            return EXIT_OK;
        case 'V':
            printf("ingestctl %s (control protocol 1)\n", INGESTD_VERSION);
            return EXIT_OK;
        case ':':
            return usage_error(NULL, "option %s needs a value", argv[optind - 1]);
        default:
            if (optopt)
                return usage_error(NULL, "unknown option -%c", optopt);
            return usage_error(NULL, "unknown option %s", argv[optind - 1]);
        }
    }
    if (optind >= argc)
        return usage_error(NULL, "no command given");
    if (strcmp(argv[optind], "help") == 0) {
        const command *about = optind + 1 < argc ? find_command(argv[optind + 1]) : NULL;
        if (about)
            print_command_help(about, stdout);
        else
            print_main_help(stdout);
        return EXIT_OK;
    }
    const command *cmd = find_command(argv[optind]);
    if (!cmd)
        return usage_error(NULL, "unknown command \"%s\"", argv[optind]);

    char *request = NULL;
    int rc = build_request(cmd, argc - optind - 1, argv + optind + 1, &opt, &request);
    if (rc != EXIT_OK || !request)
        return rc;

    char *path = resolve_socket(&opt);
    if (!path) {
        free(request);
        return EXIT_USAGE;
    }
    const char *name = cmd->name;
    if (strcmp(name, "export") == 0 || strcmp(name, "reprocess") == 0 || strcmp(name, "top") == 0) {
        json_t *req = json_loads(request, 0, NULL);
        free(request);
        rc = strcmp(name, "export") == 0      ? run_export(path, &opt, req)
             : strcmp(name, "reprocess") == 0 ? run_reprocess(path, &opt, req)
                                              : run_top(path, &opt);
        json_decref(req);
        free(path);
        if (fflush(stdout) != 0 && rc == EXIT_OK) {
            errorf("writing the output: %s", strerror(errno));
            rc = EXIT_PROTOCOL;
        }
        return rc;
    }
    char *line = NULL;
    rc = exchange(path, request, opt.timeout_s, &line);
    free(request);
    free(path);
    if (rc == EXIT_OK) {
        rc = print_reply(cmd, &opt, line);
        free(line);
    }
    if (fflush(stdout) != 0 && rc == EXIT_OK) {
        errorf("writing the output: %s", strerror(errno));
        rc = EXIT_PROTOCOL;
    }
    return rc;
}

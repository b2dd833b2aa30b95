/*
 * fts - the "ingestd" FTS5 tokenizer (unicode61 plus the folds it lacks for Turkish, Greek and
 * Cyrillic) and the quoting of user search text into a safe FTS5 query. The store registers the
 * tokenizer on its connection before the schema migration that creates the index, and uses
 * fts_user_query for the `search` command.
 */
#include "fts.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "utf8.h"
#include "xalloc.h"

#define FTS_STACK_TOKEN 256 /* tokens up to this size are folded without allocating */

/* Instance of our tokenizer: the wrapped unicode61 instance and its methods. */
typedef struct fts_tok {
    fts5_tokenizer base;
    Fts5Tokenizer *inner;
} fts_tok;

/* The registration context: unicode61's methods and context, found once per connection. */
typedef struct fts_reg {
    fts5_tokenizer base;
    void *base_ctx;
} fts_reg;

/* Per-call context passed through unicode61 to our token callback. */
typedef struct fts_call {
    void *ctx;
    int (*emit)(void *ctx, int tflags, const char *tok, int ntok, int start, int end);
} fts_call;

/* The extra folds for one code point (already lower-cased by unicode61). Returns the folded
 * code point, 0 to drop it (a combining mark), or 'S' + 0x10000 for ß -> "ss". */
static unsigned fold_cp(unsigned cp)
{
    if (cp >= 0x0300 && cp <= 0x036F)
        return 0; /* combining marks left by unicode61 (e.g. the dot of i + U+0307) */
    switch (cp) {
    case 0x0130: /* İ */
    case 0x0131: /* ı */
        return 'i';
    case 0x00DF: /* ß */
        return 0x10000 + 'S';
    case 0x0386:
    case 0x03AC: /* Ά ά */
        return 0x03B1;
    case 0x0388:
    case 0x03AD: /* Έ έ */
        return 0x03B5;
    case 0x0389:
    case 0x03AE: /* Ή ή */
        return 0x03B7;
    case 0x038A:
    case 0x03AF:
    case 0x03AA:
    case 0x03CA:
    case 0x0390: /* Ί ί Ϊ ϊ ΐ */
        return 0x03B9;
    case 0x038C:
    case 0x03CC: /* Ό ό */
        return 0x03BF;
    case 0x038E:
    case 0x03CD:
    case 0x03AB:
    case 0x03CB:
    case 0x03B0: /* Ύ ύ Ϋ ϋ ΰ */
        return 0x03C5;
    case 0x038F:
    case 0x03CE: /* Ώ ώ */
        return 0x03C9;
    case 0x03C2: /* final sigma */
        return 0x03C3;
    case 0x0401:
    case 0x0451: /* Ё ё */
        return 0x0435;
    default:
        return cp;
    }
}

size_t fts_fold_token(const char *tok, size_t len, char *out)
{
    if (!utf8_valid(tok, len)) {
        memcpy(out, tok, len);
        return len;
    }
    size_t i = 0, o = 0;
    while (i < len) {
        size_t at = i;
        unsigned cp = utf8_next(tok, len, &i);
        unsigned f = fold_cp(cp);
        if (f == cp) {
            memcpy(out + o, tok + at, i - at);
            o += i - at;
        } else if (f == 0x10000 + 'S') {
            out[o++] = 's'; /* two bytes in, two bytes out */
            out[o++] = 's';
        } else if (f != 0) {
            o += utf8_encode(f, out + o); /* never longer than the original */
        }
    }
    return o;
}

static int fold_and_emit(void *pctx, int tflags, const char *tok, int ntok, int start, int end)
{
    fts_call *call = pctx;
    if (ntok <= 0)
        return call->emit(call->ctx, tflags, tok, ntok, start, end);
    char stack[FTS_STACK_TOKEN];
    char *buf = (size_t)ntok <= sizeof stack ? stack : xmalloc((size_t)ntok);
    size_t n = fts_fold_token(tok, (size_t)ntok, buf);
    int rc = n ? call->emit(call->ctx, tflags, buf, (int)n, start, end) : SQLITE_OK;
    if (buf != stack)
        free(buf);
    return rc;
}

static int tok_create(void *pctx, const char **args, int nargs, Fts5Tokenizer **out)
{
    fts_reg *reg = pctx;
    /* our defaults first; arguments given in the table definition follow and win */
    const char *all[32] = {"remove_diacritics", "2"};
    int n = 2;
    for (int i = 0; i < nargs && n < (int)(sizeof all / sizeof all[0]); i++)
        all[n++] = args[i];
    fts_tok *t = xcalloc(1, sizeof *t);
    t->base = reg->base;
    int rc = reg->base.xCreate(reg->base_ctx, all, n, &t->inner);
    if (rc != SQLITE_OK) {
        free(t);
        return rc;
    }
    *out = (Fts5Tokenizer *)t;
    return SQLITE_OK;
}

static void tok_delete(Fts5Tokenizer *p)
{
    fts_tok *t = (fts_tok *)p;
    if (!t)
        return;
    t->base.xDelete(t->inner);
    free(t);
}

static int tok_tokenize(Fts5Tokenizer *p, void *ctx, int flags, const char *text, int ntext,
                        int (*emit)(void *, int, const char *, int, int, int))
{
    fts_tok *t = (fts_tok *)p;
    fts_call call = {.ctx = ctx, .emit = emit};
    return t->base.xTokenize(t->inner, &call, flags, text, ntext, fold_and_emit);
}

static fts5_api *find_api(sqlite3 *db)
{
    fts5_api *api = NULL;
    sqlite3_stmt *s = NULL;
    if (sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &s, NULL) != SQLITE_OK)
        return NULL;
    sqlite3_bind_pointer(s, 1, (void *)&api, "fts5_api_ptr", NULL);
    sqlite3_step(s);
    sqlite3_finalize(s);
    return api;
}

int fts_register(sqlite3 *db)
{
    fts5_api *api = find_api(db);
    if (!api || api->iVersion < 2)
        return -ENOSYS;
    fts_reg *reg = xcalloc(1, sizeof *reg);
    if (api->xFindTokenizer(api, "unicode61", &reg->base_ctx, &reg->base) != SQLITE_OK) {
        free(reg);
        return -ENOSYS;
    }
    fts5_tokenizer ours = {.xCreate = tok_create, .xDelete = tok_delete, .xTokenize = tok_tokenize};
    /* SQLite calls free(reg) when the connection closes or the name is registered again */
    if (api->xCreateTokenizer(api, FTS_TOKENIZER_NAME, reg, &ours, free) != SQLITE_OK) {
        free(reg);
        return -EIO;
    }
    return 0;
}

char *fts_user_query(const char *text)
{
    size_t len = strlen(text);
    /* worst case: every byte a quote (doubled) plus per-word quotes, spaces and " *" */
    char *q = xmalloc(len * 2 + len * 5 + 1);
    size_t o = 0, i = 0;
    bool any = false;
    while (i < len) {
        while (i < len && (text[i] == ' ' || text[i] == '\t' || text[i] == '\n' || text[i] == '\r'))
            i++;
        size_t start = i;
        while (i < len &&
               !(text[i] == ' ' || text[i] == '\t' || text[i] == '\n' || text[i] == '\r'))
            i++;
        size_t end = i;
        if (end == start)
            break;
        bool prefix = false;
        while (end > start && text[end - 1] == '*') {
            end--;
            prefix = true;
        }
        if (end == start)
            continue; /* a lone "*" is no word */
        if (any)
            q[o++] = ' ';
        q[o++] = '"';
        for (size_t k = start; k < end; k++) {
            if (text[k] == '"')
                q[o++] = '"';
            q[o++] = text[k];
        }
        q[o++] = '"';
        if (prefix) {
            q[o++] = ' ';
            q[o++] = '*';
        }
        any = true;
    }
    q[o] = '\0';
    if (!any) {
        free(q);
        return NULL;
    }
    return q;
}

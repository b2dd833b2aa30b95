/*
 * dt_meta - the JSON text the datetime plugin stores under meta "datetime":
 *   {"published_utc": "2025-09-05T17:33:00Z",      (only when published has an offset)
 *    "updated_utc": "...",                        (likewise for updated)
 *    "found": [{"text": "2025-09-05T20:33+0300", "line": 2, "value": "2025-09-05T20:33:00+03:00",
 *               "role": "updated", "ambiguous": true}, ...],   (role/ambiguous when relevant)
 *    "unknown_zone": "XYZ",                       (when a zone name was not recognised)
 *    "published_preset": true}                    (when PUBLISHED_AT was set before us and kept)
 * The plugin has no JSON library, so the text is built and escaped here.
 */
#ifndef DT_META_H
#define DT_META_H

#include <stdbool.h>
#include <stddef.h>

#include "dt_extract.h"

#define DT_META_TEXT_MAX 120 /* bytes of matched text kept per entry, cut at a UTF-8 boundary */

/* JSON object text for res; `text` is the text res was extracted from (found[].start indexes
 * it). Returns a NUL-terminated string the caller frees with free(), or NULL when malloc
 * fails. Any thread. */
char *dt_meta_json(const dt_result *res, const char *text, size_t text_len,
                   bool is_published_preset);

#endif

/*
 * dt_extract - header zone walk and the choice of published/updated (see dt_extract.h).
 */
#include "dt_extract.h"

#include <stdint.h>
#include <string.h>

#include "dt_scan.h"
#include "dt_text.h"

static bool line_is_blank(const char *p, const char *end)
{
    return dt_skip_spaces(p, end) == end;
}

/* A date line has its first digit near its start: after at most a label and a weekday
 * ("Son güncelleme tarihi: Çarşamba, 3 Eylül 2025" has it at byte 36). Lines without one are
 * not parsed at all, which keeps prose lines cheap. */
static bool has_early_digit(const char *p, const char *end)
{
    if (end - p > DT_DIGIT_WINDOW)
        end = p + DT_DIGIT_WINDOW;
    for (; p < end; p++)
        if (*p >= '0' && *p <= '9')
            return true;
    return false;
}

/* Give a time without a date the date (and, when it has none, the offset) of the stamp before
 * it. Returns false when there is none. */
static bool complete_time_only(dt_stamp *st, const dt_result *res)
{
    if (!st->is_time_only)
        return true;
    if (res->n_found == 0)
        return false;
    const dt_stamp *prev = &res->found[res->n_found - 1];
    st->year = prev->year, st->month = prev->month, st->day = prev->day;
    if (!st->has_offset && !st->unknown_zone[0] && prev->has_offset) {
        st->has_offset = true;
        st->offset_min = prev->offset_min;
    }
    st->is_time_only = false;
    return true;
}

/* The ASCII digit of a native decimal digit at p (Arabic-Indic, Persian, Devanagari, Bengali,
 * Thai, full-width), storing its byte length in *n; -1 when p holds none. */
static int native_digit(const char *p, const char *end, size_t *n)
{
    const unsigned char *u = (const unsigned char *)p;
    size_t left = (size_t)(end - p);
    if (left >= 2 && u[0] == 0xD9 && u[1] >= 0xA0 && u[1] <= 0xA9)
        return *n = 2, u[1] - 0xA0;
    if (left >= 2 && u[0] == 0xDB && u[1] >= 0xB0 && u[1] <= 0xB9)
        return *n = 2, u[1] - 0xB0;
    if (left >= 3 && u[0] == 0xE0 && (u[1] == 0xA5 || u[1] == 0xA7) && u[2] >= 0xA6 && u[2] <= 0xAF)
        return *n = 3, u[2] - 0xA6;
    if (left >= 3 && u[0] == 0xE0 && u[1] == 0xB9 && u[2] >= 0x90 && u[2] <= 0x99)
        return *n = 3, u[2] - 0x90;
    if (left >= 3 && u[0] == 0xEF && u[1] == 0xBC && u[2] >= 0x90 && u[2] <= 0x99)
        return *n = 3, u[2] - 0x90;
    return -1;
}

/* Copy line[0..len) into buf with native digits written as ASCII ones; map[i] is the offset in
 * line of buf[i] (map[out_len] = len). Returns the length of buf, or 0 when the line has no
 * native digit (then buf and map are not used). len <= DT_LINE_BYTES. */
static size_t ascii_digits(const char *line, size_t len, char *buf, uint16_t *map)
{
    const char *end = line + len;
    size_t n, o = 0;
    bool any = false;
    for (const char *p = line; p < end && !any; p++) { /* most lines have none: look first */
        unsigned char c = (unsigned char)*p;
        any = (c == 0xD9 || c == 0xDB || c == 0xE0 || c == 0xEF) && native_digit(p, end, &n) >= 0;
    }
    if (!any)
        return 0;
    for (const char *p = line; p < end;) {
        int d = native_digit(p, end, &n);
        if (d >= 0) {
            map[o] = (uint16_t)(p - line);
            buf[o++] = (char)('0' + d);
            p += n;
        } else {
            map[o] = (uint16_t)(p - line);
            buf[o++] = *p++;
        }
    }
    map[o] = (uint16_t)len;
    return o;
}

/* One zone for a whole line: "Yayınlanma: 04.09.2025 10:30 | Son Güncelleme: 04.09.2025 12:05
 * (TRT)" states TRT once for both times. A stamp with a time but no zone takes the zone of the
 * next stamp of its line that has one (relative stamps are already in UTC and keep theirs). */
static void share_line_zone(dt_stamp *got, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (got[i].hour < 0 || got[i].has_offset || got[i].unknown_zone[0] || got[i].is_time_only)
            continue;
        for (size_t j = i + 1; j < n; j++) {
            if (got[j].has_offset || got[j].unknown_zone[0]) {
                got[i].has_offset = got[j].has_offset;
                got[i].offset_min = got[j].offset_min;
                memcpy(got[i].unknown_zone, got[j].unknown_zone, DT_ZONE_MAX);
                break;
            }
        }
    }
}

static void scan_zone(const dt_ctx *t, const char *text, size_t len, dt_result *res)
{
    size_t pos = 0;
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) /* BOM */
        pos = 3;
    unsigned line_no = 1, non_empty = 0;
    size_t zone_end = len < DT_ZONE_BYTES ? len : DT_ZONE_BYTES;
    while (pos < zone_end && non_empty < DT_ZONE_LINES && res->n_found < DT_MAX_FOUND) {
        size_t window = len - pos < DT_LINE_BYTES ? len - pos : DT_LINE_BYTES;
        const char *line = text + pos;
        const char *nl = memchr(line, '\n', window);
        size_t line_len, next;
        bool is_cut = false;
        if (nl) {
            line_len = (size_t)(nl - line);
            next = pos + line_len + 1;
        } else {
            line_len = window;
            next = len;
            if (pos + window < len) { /* a long line: find its end inside the zone only */
                is_cut = true;
                size_t from = pos + window;
                if (from < zone_end) {
                    const char *nl2 = memchr(text + from, '\n', zone_end - from);
                    if (nl2)
                        next = (size_t)(nl2 - text) + 1;
                }
            }
        }
        if (line_len > 0 && line[line_len - 1] == '\r')
            line_len--;
        const char *line_end = line + line_len;
        if (!line_is_blank(line, line_end)) {
            non_empty++;
            char ascii[DT_LINE_BYTES];
            uint16_t map[DT_LINE_BYTES + 1];
            size_t ascii_len = ascii_digits(line, line_len, ascii, map);
            const char *scan = ascii_len ? ascii : line;
            size_t scan_len = ascii_len ? ascii_len : line_len;
            if (has_early_digit(scan, scan + scan_len) || line_len <= DT_SHORT_LINE) {
                dt_stamp got[DT_MAX_FOUND];
                size_t n =
                    dt_scan_line(t, scan, scan_len, is_cut, got, DT_MAX_FOUND - res->n_found);
                for (size_t i = 0; ascii_len && i < n; i++) { /* back to offsets in the text */
                    size_t from = map[got[i].start], to = map[got[i].start + got[i].len];
                    got[i].start = from, got[i].len = to - from;
                }
                share_line_zone(got, n);
                for (size_t i = 0; i < n; i++) {
                    if (!complete_time_only(&got[i], res))
                        continue;
                    got[i].start += pos;
                    got[i].line = line_no;
                    res->found[res->n_found++] = got[i];
                }
            }
        }
        pos = next;
        line_no++;
    }
}

/* Published: see dt_extract.h. Marks the stamps it absorbed in used[]. */
static void pick_published(dt_result *res, bool used[])
{
    int base = -1;
    /* a labelled stamp first, then a plain one; written dates before relative ones */
    for (int relative = 0; relative < 2 && base < 0; relative++) {
        for (size_t i = 0; i < res->n_found && base < 0; i++)
            if (res->found[i].role == DT_ROLE_PUBLISHED && res->found[i].is_relative == relative)
                base = (int)i;
        for (size_t i = 0; i < res->n_found && base < 0; i++)
            if (res->found[i].role == DT_ROLE_NONE && res->found[i].is_relative == relative)
                base = (int)i;
    }
    if (base < 0)
        return;
    res->published = res->found[base];
    used[base] = true;
    for (size_t i = 0; i < res->n_found; i++) {
        const dt_stamp *st = &res->found[i];
        if (used[i] || st->role == DT_ROLE_UPDATED)
            continue;
        if (dt_stamp_compatible(&res->published, st)) {
            dt_stamp_merge(&res->published, st);
            used[i] = true;
        }
    }
    res->has_published = true;
}

/* The latest stamp of the given role not used for published (merging compatible readings of
 * it); plain stamps must be strictly later than published, update stamps not earlier. */
static bool pick_latest(dt_result *res, const bool used[], dt_role role, dt_stamp *out)
{
    bool have = false;
    for (size_t i = 0; i < res->n_found; i++) {
        const dt_stamp *st = &res->found[i];
        bool eligible = role == DT_ROLE_UPDATED
                            ? st->role == DT_ROLE_UPDATED
                            : st->role != DT_ROLE_UPDATED && !used[i] && !st->is_relative;
        if (!eligible)
            continue;
        if (res->has_published) {
            int order = dt_stamp_compare(st, &res->published);
            if (order < 0 || (order == 0 && role != DT_ROLE_UPDATED))
                continue;
        }
        if (!have) {
            *out = *st;
            have = true;
        } else if (dt_stamp_compatible(out, st)) {
            dt_stamp_merge(out, st);
        } else if (dt_stamp_compare(st, out) > 0) {
            *out = *st;
        }
    }
    return have;
}

void dt_extract(const dt_ctx *t, const char *text, size_t len, dt_result *res)
{
    memset(res, 0, sizeof *res);
    if (!text)
        return;
    scan_zone(t, text, len, res);
    bool used[DT_MAX_FOUND] = {false};
    pick_published(res, used);
    res->has_updated = pick_latest(res, used, DT_ROLE_UPDATED, &res->updated);
    if (!res->has_updated)
        res->has_updated = pick_latest(res, used, DT_ROLE_NONE, &res->updated);
    for (size_t i = 0; i < res->n_found && !res->unknown_zone[0]; i++)
        memcpy(res->unknown_zone, res->found[i].unknown_zone, DT_ZONE_MAX);
}

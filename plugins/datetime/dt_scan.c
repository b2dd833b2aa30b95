/*
 * dt_scan - the date grammar of the datetime plugin (see dt_scan.h).
 *
 * A stamp is   [weekday[,]] date [gap time [zone]]   or   time [zone] gap date   or a bare
 * time, where
 *   date = YYYY-MM-DD | YYYY/MM/DD | YYYY.MM.DD | D.M.YYYY | D. M. YYYY | D/M/YYYY | D-M-YYYY
 *        | D[.] [de] Month[.][,] [de] YYYY | Month[.] D[,] YYYY        (+ "г.", "года", "." ...)
 *   time = H:MM[:SS[.frac]] [am|pm] [Uhr|h|ч.]  (H.MM only after a connector: "ob 14.05")
 *   zone = Z | ±HH[:MM] | ±HHMM | GMT/UTC[±H[:MM]] | named zone | (named zone)
 *   gap  = spaces, an optional , | - – — · and an optional connector ("at", "um", "saat", "в").
 * A line is a sequence of stamps joined by separators, each optionally introduced by a marker
 * ("güncellendi:", "Updated", "Objavljeno:") that sets the role of the stamps after it.
 * Every parser takes [p, end) and returns the position after what it read, or NULL.
 */
#include "dt_scan.h"

#include <string.h>

#include "dt_tables.h"
#include "dt_text.h"

static bool is_digit(const char *p, const char *end)
{
    return p < end && *p >= '0' && *p <= '9';
}

/* min..max ASCII digits at p (fails when more digits follow). */
static const char *read_number(const char *p, const char *end, int min_digits, int max_digits,
                               int *value)
{
    int n = 0, v = 0;
    while (is_digit(p + n, end)) {
        if (n == max_digits)
            return NULL;
        v = v * 10 + (p[n] - '0');
        n++;
    }
    if (n < min_digits)
        return NULL;
    *value = v;
    return p + n;
}

/* The length of the dash or bullet at p: - – — · • (0 when none). */
static size_t dash_len(const char *p, const char *end)
{
    uint32_t cp = dt_utf8_peek(p, end);
    if (cp == '-' || cp == '|' || cp == 0x2013 || cp == 0x2014 || cp == 0x00B7 || cp == 0x2022)
        return cp < 0x80 ? 1 : (cp < 0x800 ? 2 : 3);
    return 0;
}

static bool at_word_end(const char *p, const char *end)
{
    return p >= end || !dt_is_word(dt_utf8_peek(p, end));
}

/* ---- dates ---- */

/* The literal lit (UTF-8) at p, after optional spaces: the position after it, or NULL. */
static const char *match_lit(const char *p, const char *end, const char *lit)
{
    p = dt_skip_spaces(p, end);
    size_t n = strlen(lit);
    if ((size_t)(end - p) < n || memcmp(p, lit, n) != 0)
        return NULL;
    return p + n;
}

/* A two-digit year: 00..69 are 2000..2069, 70..99 are 1970..1999. */
static int widen_year(int yy)
{
    return yy < 70 ? 2000 + yy : 1900 + yy;
}

/* "2025年9月3日" (Chinese, Japanese) and "2025년 9월 3일" (Korean). */
static const char *parse_cjk_date(const char *p, const char *end, int year, dt_stamp *st)
{
    static const char *const marks[2][3] = {{"\xE5\xB9\xB4", "\xE6\x9C\x88", "\xE6\x97\xA5"},
                                            {"\xEB\x85\x84", "\xEC\x9B\x94", "\xEC\x9D\xBC"}};
    for (int k = 0; k < 2; k++) {
        int month, day;
        const char *q = match_lit(p, end, marks[k][0]);
        if (!q)
            continue;
        q = read_number(dt_skip_spaces(q, end), end, 1, 2, &month);
        if (!q || !(q = match_lit(q, end, marks[k][1])))
            return NULL;
        q = read_number(dt_skip_spaces(q, end), end, 1, 2, &day);
        if (!q || !(q = match_lit(q, end, marks[k][2])) || !dt_date_valid(year, month, day))
            return NULL;
        st->year = year, st->month = month, st->day = day;
        return q;
    }
    return NULL;
}

/* True when the article's language writes numeric slash dates month first. */
static bool lang_is_mdy(const dt_ctx *t)
{
    return t->lang && (strcmp(t->lang, "en") == 0 || strcmp(t->lang, "fil") == 0);
}

static const char *parse_numeric_date(const dt_ctx *t, const char *p, const char *end, dt_stamp *st)
{
    int a, b, c;
    const char *q = read_number(p, end, 1, 4, &a);
    if (!q || q >= end)
        return NULL;
    int a_digits = (int)(q - p);
    if (a_digits == 4 && (unsigned char)*q >= 0x80)
        return parse_cjk_date(q, end, a, st);
    char sep = *q;
    if (sep != '-' && sep != '/' && sep != '.')
        return NULL;
    if (a_digits == 4) { /* year first: always Y-M-D ("2025.09.03." Hungarian too) */
        q = read_number(q + 1, end, 1, 2, &b);
        if (!q || q >= end || *q != sep)
            return NULL;
        q = read_number(q + 1, end, 1, 2, &c);
        if (!q || !dt_date_valid(a, b, c))
            return NULL;
        st->year = a, st->month = b, st->day = c;
        return q;
    }
    if (a_digits > 2)
        return NULL;
    q++;
    if (sep == '.' && q < end && *q == ' ') /* "3. 9. 2025" */
        q++;
    q = read_number(q, end, 1, 2, &b);
    if (!q || q >= end || *q != sep)
        return NULL;
    q++;
    if (sep == '.' && q < end && *q == ' ')
        q++;
    const char *y = q;
    q = read_number(y, end, 2, 4, &c);
    if (!q || q - y == 3)
        return NULL;
    if (q - y == 2) { /* "05.09.25": not when more numbers follow ("1.2.25.4") */
        if (q < end && (*q == sep || *q == ':') && is_digit(q + 1, end))
            return NULL;
        c = widen_year(c);
    }
    int day = a, month = b;
    if (sep != '.') { /* slash and dash dates: D/M unless the numbers or the language say M/D */
        if (a > 12 && b > 12)
            return NULL;
        if (b > 12 || (sep == '/' && a <= 12 && lang_is_mdy(t))) {
            day = b, month = a;
        } else if (a <= 12 && a != b) {
            st->is_ambiguous = true;
        }
    }
    if (!dt_date_valid(c, month, day))
        return NULL;
    st->year = c, st->month = month, st->day = day;
    return q;
}

/* A day number with its ordinal mark: "3", "3.", "3rd", "1er". */
static const char *parse_day(const char *p, const char *end, int *day, bool *has_dot)
{
    const char *q = read_number(p, end, 1, 2, day);
    if (!q || *day < 1 || *day > 31)
        return NULL;
    *has_dot = false;
    if (q < end && *q == '.') {
        *has_dot = true;
        return q + 1;
    }
    static const char *const ordinals[] = {"st", "nd", "rd", "th", "er"};
    for (size_t i = 0; i < sizeof ordinals / sizeof ordinals[0]; i++) {
        size_t n = dt_match_folded(q, end, ordinals[i], true);
        if (n)
            return q + n;
    }
    return q;
}

static const char *skip_particle(const dt_ctx *t, const char *p, const char *end)
{
    size_t n = dt_match_date_particle(t->tables, p, end);
    if (!n)
        return p;
    const char *q = dt_skip_spaces(p + n, end);
    return q > p + n ? q : p;
}

/* "[,] [de] YYYY" after a month name. */
static const char *parse_name_year(const dt_ctx *t, const char *p, const char *end, int *year)
{
    const char *q = p;
    if (q < end && *q == ',')
        q++;
    const char *r = dt_skip_spaces(q, end);
    if (r == p)
        return NULL; /* "Eylül2025" */
    r = skip_particle(t, r, end);
    return read_number(r, end, 4, 4, year);
}

/* True when the text at p is in Thai script. */
static bool is_thai(const char *p)
{
    return p && (unsigned char)p[0] == 0xE0 &&
           ((unsigned char)p[1] == 0xB8 || (unsigned char)p[1] == 0xB9);
}

static const char *parse_name_date(const dt_ctx *t, const char *p, const char *end, dt_stamp *st)
{
    int day, month, year;
    const char *month_text = NULL;
    size_t n;
    bool has_dot;
    const char *q = read_number(p, end, 4, 4, &year);
    if (q) { /* year first: "2025. szeptember 3.", "2025 m. rugsėjo 3 d.", "2025. gada 3. sept." */
        if (q < end && *q == '.')
            q++;
        const char *r = dt_skip_spaces(q, end);
        if (r == q)
            return NULL;
        r = skip_particle(t, r, end);
        month = dt_match_month(t->tables, r, end, t->lang, &n);
        if (month) { /* Y M D */
            r += n;
            if (r < end && *r == '.')
                r++;
            const char *s = dt_skip_spaces(r, end);
            if (s == r)
                return NULL;
            q = parse_day(s, end, &day, &has_dot);
        } else { /* Y D. M */
            q = parse_day(r, end, &day, &has_dot);
            if (!q || !has_dot)
                return NULL;
            r = dt_skip_spaces(q, end);
            month = dt_match_month(t->tables, r, end, t->lang, &n);
            if (!month)
                return NULL;
            q = r + n;
        }
        if (!q || !dt_date_valid(year, month, day))
            return NULL;
        st->year = year, st->month = month, st->day = day;
        st->is_month_name = true;
        return q;
    }
    q = parse_day(p, end, &day, &has_dot);
    if (q) { /* day first: "3 Eylül 2025", "3. septembra 2025", "3 de septiembre de 2025" */
        const char *r = dt_skip_spaces(q, end);
        if (r == q && !has_dot)
            return NULL;
        r = skip_particle(t, r, end);
        month = dt_match_month(t->tables, r, end, t->lang, &n);
        if (!month)
            return NULL;
        month_text = r;
        r += n;
        if (r < end && *r == '.')
            r++;
        q = parse_name_year(t, r, end, &year);
    } else { /* month first: "September 3, 2025", "Sept. 3rd 2025" */
        month = dt_match_month(t->tables, p, end, t->lang, &n);
        if (!month)
            return NULL;
        const char *r = p + n;
        if (r < end && *r == '.')
            r++;
        const char *s = dt_skip_spaces(r, end);
        if (s == r)
            return NULL;
        s = parse_day(s, end, &day, &has_dot);
        if (!s || has_dot)
            return NULL;
        q = parse_name_year(t, s, end, &year);
    }
    if (q && year > DT_YEAR_MAX && is_thai(month_text)) /* Buddhist era: 2568 = 2025 */
        year -= 543;
    if (!q || !dt_date_valid(year, month, day))
        return NULL;
    st->year = year, st->month = month, st->day = day;
    st->is_month_name = true;
    return q;
}

/* A date, then what may follow its year: "г.", "года", "yılı", a closing '.'. */
static const char *parse_date(const dt_ctx *t, const char *p, const char *end, dt_stamp *st,
                              bool *is_year_first)
{
    const char *q = parse_numeric_date(t, p, end, st);
    *is_year_first = q && q - p >= 4 && is_digit(p + 3, end);
    if (!q)
        q = parse_name_date(t, p, end, st);
    if (!q)
        return NULL;
    if (q < end && *q == '.' && !is_digit(q + 1, end)) /* "3. 9. 2025." */
        return q + 1;
    const char *r = dt_skip_spaces(q, end);
    size_t n = dt_match_year_suffix(t->tables, r, end);
    return n ? r + n : q;
}

/* ---- times and zones ---- */

/* The minutes of a time after its hour: ":05", "h05", "H05", " h 05", ".05" (allow_dot),
 * "時05分"/"时05分". Sets *sep to the separator kind (':', 'h', '.', 'k'). */
static const char *parse_minutes(const char *p, const char *end, bool allow_dot, char *sep, int *m)
{
    const char *q = p;
    if (q < end && (*q == ':' || *q == 'h' || *q == 'H' || (allow_dot && *q == '.'))) {
        *sep = *q == 'H' ? 'h' : *q;
        return read_number(q + 1, end, 2, 2, m);
    }
    const char *r;
    if ((r = match_lit(q, end, "h")) && r > q + 1) { /* "14 h 05" */
        const char *s = dt_skip_spaces(r, end);
        if (s == r)
            return NULL;
        *sep = 'h';
        return read_number(s, end, 2, 2, m);
    }
    if ((r = match_lit(q, end, "\xE6\x99\x82")) || (r = match_lit(q, end, "\xE6\x97\xB6")) ||
        (r = match_lit(q, end, "\xEC\x8B\x9C"))) { /* 時 时 시 */
        *sep = 'k';
        r = read_number(dt_skip_spaces(r, end), end, 1, 2, m);
        if (!r)
            return NULL;
        const char *s = match_lit(r, end, "\xE5\x88\x86"); /* 分 */
        if (!s)
            s = match_lit(r, end, "\xEB\xB6\x84"); /* 분 */
        return s ? s : r;
    }
    return NULL;
}

static const char *parse_time(const dt_ctx *t, const char *p, const char *end, bool allow_dot,
                              dt_stamp *st)
{
    int h, m = 0, s = -1;
    size_t n;
    int meridiem = 0;
    if (p < end && (unsigned char)*p >= 0x80) { /* "오후 2:14": a non-Latin meridiem first */
        meridiem = dt_match_meridiem(t->tables, p, end, &n);
        if (meridiem)
            p = dt_skip_spaces(p + n, end);
    }
    const char *q = read_number(p, end, 1, 2, &h);
    if (!q || q >= end)
        return NULL;
    char sep = 0;
    const char *after = parse_minutes(q, end, allow_dot, &sep, &m);
    if (!after) { /* "2 p.m.": an hour with its meridiem */
        const char *r = dt_skip_spaces(q, end);
        int mer = r > q ? dt_match_meridiem(t->tables, r, end, &n) : 0;
        if (!mer || meridiem || h < 1 || h > 12)
            return NULL;
        st->hour = h % 12 + (mer == 2 ? 12 : 0), st->minute = 0, st->second = -1;
        return r + n;
    }
    q = after;
    if (sep == ':' && q < end && *q == ':' && is_digit(q + 1, end)) {
        q = read_number(q + 1, end, 2, 2, &s);
        if (!q)
            return NULL;
        if (q < end && (*q == '.' || *q == ',') && is_digit(q + 1, end)) /* fraction: dropped */
            for (q++; is_digit(q, end);)
                q++;
    }
    if (h > 23 || m > 59 || s > 59)
        return NULL;
    if (sep == 'h' && !at_word_end(q, end))
        return NULL;
    const char *r = dt_skip_spaces(q, end);
    if (!meridiem) {
        meridiem = dt_match_meridiem(t->tables, r, end, &n);
        if (meridiem) {
            q = r + n;
            r = dt_skip_spaces(q, end);
        }
    }
    if (meridiem) {
        if (h < 1 || h > 12)
            return NULL;
        h = h % 12 + (meridiem == 2 ? 12 : 0);
    }
    n = dt_match_time_suffix(t->tables, r, end);
    if (n)
        q = r + n;
    st->hour = h, st->minute = m, st->second = s;
    return q;
}

/* "+03:00", "+0300", "+03" (or, with short_hours, "+3"), '-' or U+2212 for west. */
static const char *parse_offset(const char *p, const char *end, bool short_hours, bool spaced,
                                int *offset_min)
{
    int sign;
    if (p < end && *p == '+') {
        sign = 1, p++;
    } else if (p < end && *p == '-') {
        sign = -1, p++;
    } else if (dt_utf8_peek(p, end) == 0x2212) {
        sign = -1, p += 3;
    } else {
        return NULL;
    }
    int digits = 0;
    while (is_digit(p + digits, end))
        digits++;
    int h = 0, m = 0;
    const char *q;
    if (digits == 4) {
        h = (p[0] - '0') * 10 + (p[1] - '0');
        m = (p[2] - '0') * 10 + (p[3] - '0');
        q = p + 4;
    } else if (digits == 2 || (digits == 1 && short_hours)) {
        q = read_number(p, end, 1, 2, &h);
        if (q < end && *q == ':' && is_digit(q + 1, end)) {
            q = read_number(q + 1, end, 2, 2, &m);
            if (!q)
                return NULL;
        } else if (spaced) {
            return NULL; /* " -03" after a space is too likely a range or a list */
        }
    } else {
        return NULL;
    }
    /* "+03.09.2025" or "-03/..." is not an offset */
    if (q < end && (*q == '.' || *q == '/' || *q == '-') && is_digit(q + 1, end))
        return NULL;
    if (h > 14 || m > 59)
        return NULL;
    *offset_min = sign * (h * 60 + m);
    return q;
}

/* After the zone name: only the end of the line or a separator may follow an unknown name, so
 * "14:05 NATO summit" is not read as a zone. */
static bool ends_zone(const dt_ctx *t, const char *p, const char *end)
{
    const char *q = dt_skip_spaces(p, end);
    size_t n;
    dt_role role;
    return q >= end || *q == ',' || *q == ')' || *q == ']' || *q == '(' || *q == ';' || *q == '|' ||
           dash_len(q, end) ||
           (q > p && dt_match_marker(t->tables, q, end, &n, &role)); /* "IST Updated: ..." */
}

/* A zone name that the article's language makes unambiguous ("IST" in Hindi is India's). */
static bool zone_by_lang(const dt_ctx *t, const char *name, size_t len, int *off)
{
    static const struct {
        const char *name, *langs;
        int offset_min;
    } rows[] = {
        {"IST", "hi bn ur ta te mr gu kn ml pa", 330},
        {"IST", "he", 120},
        {"IST", "ga", 60},
        {"CST", "zh", 480},
        {"AST", "ar", 180},
    };
    if (!t->lang || !t->lang[0])
        return false;
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        if (strlen(rows[i].name) != len || memcmp(rows[i].name, name, len) != 0)
            continue;
        const char *l = strstr(rows[i].langs, t->lang);
        size_t ln = strlen(t->lang);
        if (l && (l == rows[i].langs || l[-1] == ' ') && (l[ln] == ' ' || l[ln] == '\0')) {
            *off = rows[i].offset_min;
            return true;
        }
    }
    return false;
}

static const char *parse_zone(const dt_ctx *t, const char *p, const char *end, dt_stamp *st)
{
    const char *q = dt_skip_spaces(p, end);
    bool spaced = q != p;
    int off;
    const char *r = parse_offset(q, end, false, spaced, &off);
    if (r) {
        st->has_offset = true, st->offset_min = off;
        return r;
    }
    if (!spaced && q < end && (*q == 'Z' || *q == 'z') && at_word_end(q + 1, end)) {
        st->has_offset = true, st->offset_min = 0;
        return q + 1;
    }
    bool paren = q < end && *q == '(';
    const char *name = paren ? dt_skip_spaces(q + 1, end) : q;
    size_t n;
    const char *after = NULL;
    if (dt_match_zone_name(name, end, &n, &off)) {
        after = name + n;
        if (n == 3 && (memcmp(name, "GMT", 3) == 0 || memcmp(name, "UTC", 3) == 0)) {
            int extra;
            r = parse_offset(after, end, true, false, &extra);
            if (r)
                off = extra, after = r;
        }
        st->has_offset = true, st->offset_min = off;
    } else {
        size_t letters = 0;
        while (name + letters < end && letters < 6 && name[letters] >= 'A' && name[letters] <= 'Z')
            letters++;
        if (letters < 2 || letters > 5 || !at_word_end(name + letters, end))
            return p;
        after = name + letters;
        if (!paren && !ends_zone(t, after, end))
            return p;
        if (letters == 2 && !paren && dt_skip_spaces(after, end) < end)
            return p; /* "ET", "PT" only at the end of a line or in brackets */
        if (zone_by_lang(t, name, letters, &off)) {
            st->has_offset = true, st->offset_min = off;
        } else {
            memcpy(st->unknown_zone, name, letters);
            st->unknown_zone[letters] = '\0';
        }
    }
    if (paren) {
        after = dt_skip_spaces(after, end);
        if (after >= end || *after != ')') {
            st->has_offset = false, st->unknown_zone[0] = '\0';
            return p;
        }
        after++;
    }
    return after;
}

/* ---- stamps ---- */

/* Between a date and its time: spaces, one separator, a connector word. */
static const char *skip_gap(const dt_ctx *t, const char *p, const char *end, bool *has_connector)
{
    const char *q = dt_skip_spaces(p, end);
    size_t n = dash_len(q, end);
    if (q < end && *q == ',')
        n = 1;
    if (n)
        q = dt_skip_spaces(q + n, end);
    *has_connector = false;
    n = dt_match_connector(t->tables, q, end);
    if (n) {
        const char *r = dt_skip_spaces(q + n, end);
        if (r > q + n || (q[n - 1] == '.')) {
            q = r;
            *has_connector = true;
        }
    }
    return q;
}

static void stamp_init(dt_stamp *st)
{
    memset(st, 0, sizeof *st);
    st->hour = st->minute = st->second = -1;
}

/* ---- relative dates ---- */

/* "3 hours ago", "2 saat önce", "vor 2 Stunden", "il y a 3 heures", "2시간 전", "yesterday",
 * "вчера в 14:05", resolved against the arrival time (UTC). NULL when the arrival is unknown. */
static const char *parse_relative(const dt_ctx *t, const char *p, const char *end, dt_stamp *st)
{
    if (t->arrival_ms <= 0)
        return NULL;
    int64_t now = t->arrival_ms / 1000;
    size_t n;
    int back = dt_match_day_word(t->tables, p, end, &n);
    if (back) { /* a named day, perhaps with a time: "вчера, 14:05", "yesterday at 2:14 p.m." */
        if (!dt_stamp_set_utc(st, now - (int64_t)(back - 1) * 86400, false))
            return NULL;
        st->is_relative = true;
        const char *q = p + n;
        bool has_connector;
        const char *r = skip_gap(t, q, end, &has_connector);
        const char *after = r > q ? parse_time(t, r, end, true, st) : NULL;
        return after ? parse_zone(t, after, end, st) : q;
    }
    const char *q = p;
    int ago = dt_match_ago(t->tables, q, end, &n);
    if (ago == 1 || ago == 3)
        q = dt_skip_spaces(q + n, end);
    else if (ago)
        return NULL;
    int amount;
    const char *r = read_number(q, end, 1, 3, &amount);
    if (!r || (r < end && (*r == '.' || *r == ':' || *r == '/' || *r == '-' || *r == ',')))
        return NULL; /* a date or a time, not an amount: fail before the unit lookup */
    bool has_ago;
    int minutes = dt_match_unit(t->tables, dt_skip_spaces(r, end), end, &n, &has_ago);
    if (!minutes)
        return NULL;
    r = dt_skip_spaces(r, end) + n;
    if (ago != 1 && !has_ago) {
        const char *s = dt_skip_spaces(r, end);
        if (dt_match_ago(t->tables, s, end, &n) != 2)
            return NULL;
        r = s + n;
    }
    if (!dt_stamp_set_utc(st, now - (int64_t)amount * minutes * 60, minutes < 1440))
        return NULL;
    st->is_relative = true;
    return r;
}

/* A weekday before a date: "Wed, ", "Çarşamba ", "fredag den ", "Fr., "; p when none. */
static const char *skip_weekday(const dt_ctx *t, const char *p, const char *end)
{
    size_t n;
    if (!dt_match_weekday(t->tables, p, end, &n))
        return p;
    const char *q = p + n;
    if (q < end && *q == '.')
        q++;
    if (q < end && *q == ',')
        q++;
    else if (dt_utf8_peek(q, end) == 0x060C) /* Arabic comma */
        q += 2;
    q = dt_skip_spaces(q, end);
    n = dt_match_connector(t->tables, q, end);
    if (n && n < (size_t)(end - q) && dt_is_space(dt_utf8_peek(q + n, end)))
        q = dt_skip_spaces(q + n, end);
    return q;
}

static const char *parse_stamp(const dt_ctx *t, const char *p, const char *end, dt_stamp *st)
{
    stamp_init(st);
    size_t n;
    bool year_first, has_connector;
    const char *rel = parse_relative(t, p, end, st);
    if (rel)
        return rel;
    p = skip_weekday(t, p, end);
    const char *q = parse_time(t, p, end, false, st);
    if (q) { /* time first: "13:05 27.10.2025", or a time alone */
        q = parse_zone(t, q, end, st);
        const char *d = parse_date(t, skip_weekday(t, skip_gap(t, q, end, &has_connector), end),
                                   end, st, &year_first);
        if (d) /* "14:05 03.09.2025 (МСК)": the zone may follow the date */
            return st->has_offset || st->unknown_zone[0] ? d : parse_zone(t, d, end, st);
        st->is_time_only = true;
        return q;
    }
    q = parse_date(t, p, end, st, &year_first);
    if (!q)
        return NULL;
    const char *r = dt_skip_spaces(q, end);
    if (r < end && *r == ',')
        r = dt_skip_spaces(r + 1, end);
    if (r > q && dt_match_weekday(t->tables, r, end, &n)) /* "3 Eylül 2025 Çarşamba" */
        q = r + n;
    if (year_first && q < end && (*q == 'T' || *q == 't')) {
        r = parse_time(t, q + 1, end, false, st);
        return r ? parse_zone(t, r, end, st) : q;
    }
    r = skip_gap(t, q, end, &has_connector);
    if (r == q)
        return q;
    const char *after_time = parse_time(t, r, end, has_connector, st);
    if (after_time)
        return parse_zone(t, after_time, end, st);
    /* "Fri 5 Sep 2025 09.12 BST": H.MM after a date when a zone or the line end follows */
    dt_stamp probe = *st;
    after_time = parse_time(t, r, end, true, &probe);
    if (!after_time)
        return q;
    const char *z = parse_zone(t, after_time, end, &probe);
    if (z == after_time && dt_skip_spaces(z, end) < end)
        return q;
    *st = probe;
    return z;
}

/* ---- lines ---- */

/* Leading decoration of a line: spaces, bullets, emoji, quotes, opening brackets. */
static const char *skip_decoration(const char *p, const char *end)
{
    while (p < end) {
        const char *q = p;
        uint32_t cp = dt_utf8_next(&q, end);
        bool skip = dt_is_space(cp) || (cp < 0x80 && strchr("*#>|-([\"'", (int)cp) && cp) ||
                    (cp >= 0x80 && !dt_is_word(cp) && cp != 0xFFFD);
        if (!skip)
            break;
        p = q;
    }
    return p;
}

/* A short bracketed remark without digits: "(heure de Paris)", "(local time)"; p when none. */
static const char *skip_remark(const char *p, const char *end)
{
    if (p >= end || *p != '(')
        return p;
    for (const char *q = p + 1; q < end && q - p <= 32; q++) {
        if (*q >= '0' && *q <= '9')
            return p;
        if (*q == ')')
            return q + 1;
    }
    return p;
}

/* Between stamps of one line: spaces, remarks and , ; | ( ) [ ] / - – — · • */
static const char *skip_separators(const char *p, const char *end)
{
    while (p < end) {
        p = skip_remark(dt_skip_spaces(p, end), end);
        size_t n = dash_len(p, end);
        if (!n && p < end && strchr(",;()[]/", *p) && *p)
            n = 1;
        if (!n)
            break;
        p += n;
    }
    return p;
}

/* After a label or marker: spaces, ':' (or a dash), spaces, a connector ("Published on"). */
static const char *skip_after_marker(const dt_ctx *t, const char *p, const char *end)
{
    const char *q = dt_skip_spaces(p, end);
    if (q < end && *q == ':')
        q = dt_skip_spaces(q + 1, end);
    else if (dt_utf8_peek(q, end) == 0xFF1A) /* full-width colon: "发布时间：" */
        q = dt_skip_spaces(q + 3, end);
    else if (dash_len(q, end))
        q = dt_skip_spaces(q + dash_len(q, end), end);
    size_t n = dt_match_connector(t->tables, q, end);
    if (n) {
        const char *r = dt_skip_spaces(q + n, end);
        if (r > q + n)
            q = r;
    }
    return q;
}

/* What may close a date line: spaces and ) ] . , ; | */
static const char *skip_trailing(const char *p, const char *end)
{
    while (p < end) {
        p = dt_skip_spaces(p, end);
        if (p < end && strchr(").],;|*", *p) && *p)
            p++;
        else
            break;
    }
    return p;
}

/* " | Dünya", " - Politika", " — Title": the date is set apart from what follows. */
static bool hard_separator_follows(const char *p, const char *end)
{
    const char *q = dt_skip_spaces(p, end);
    if (q == p)
        return false;
    size_t n = dash_len(q, end);
    return n && q + n < end && dt_is_space(dt_utf8_peek(q + n, end));
}

/* Read the stamps from p on (role: what the label before p said). Returns the number stored
 * in out (at most cap) and sets *first_end / *last_end. */
static size_t scan_stamps(const dt_ctx *t, const char *line, const char *p, const char *end,
                          dt_role role, dt_stamp *out, size_t cap, const char **first_end,
                          const char **last_end)
{
    size_t count = 0, n;
    *first_end = *last_end = NULL;
    dt_stamp extra; /* stamps beyond cap are read (the line may still be all dates), not kept */
    while (p < end) {
        dt_stamp *st = count < cap ? &out[count] : &extra;
        const char *q = parse_stamp(t, p, end, st);
        if (!q)
            break;
        st->role = role;
        st->start = (size_t)(p - line);
        st->len = (size_t)(q - p);
        if (count < cap)
            count++;
        if (!*first_end)
            *first_end = q;
        *last_end = q;
        p = skip_separators(q, end);
        dt_role next_role;
        if (dt_match_marker(t->tables, p, end, &n, &next_role)) {
            role = next_role;
            p = skip_after_marker(t, p + n, end);
        }
    }
    return count;
}

/* The position after "Place - ", "Section | " or "By Name, " at the start of a line: at most
 * three words then a spaced dash or bar (or a comma: *by_comma); NULL when the line does not
 * start so. */
static const char *dateline_prefix_end(const char *p, const char *end, bool *by_comma)
{
    int words = 0;
    bool in_word = false;
    *by_comma = false;
    for (const char *q = p; q < end && q - p < 48;) {
        const char *r = q;
        uint32_t cp = dt_utf8_next(&r, end);
        if (dt_is_space(cp)) {
            in_word = false;
            size_t n = dash_len(r, end);
            if (n && r + n < end && dt_is_space(dt_utf8_peek(r + n, end)))
                return words > 0 ? dt_skip_spaces(r + n, end) : NULL;
        } else if (cp == ',' && words > 0 && r < end && dt_is_space(dt_utf8_peek(r, end))) {
            *by_comma = true; /* "Moscow, 5 Sep 2025": only when dates fill the rest */
            return dt_skip_spaces(r, end);
        } else if (!dt_is_word(cp) || (cp >= '0' && cp <= '9')) {
            if (cp != '.' && cp != '\'')
                return NULL;
        } else if (!in_word) {
            in_word = true;
            if (++words > 3)
                return NULL;
        }
        q = r;
    }
    return NULL;
}

#define DT_INNER_MARKER_BYTES 128

/* A publication or update label inside the line, after a non-letter and within its first
 * DT_INNER_MARKER_BYTES bytes ("By Jane Doe | Updated 3 Sep 2025", "AP · Published 14:05"):
 * the position after the label, or NULL. */
static const char *find_inner_marker(const dt_ctx *t, const char *p, const char *end, dt_role *role)
{
    bool was_word = true;
    if (end - p > DT_INNER_MARKER_BYTES) /* labels stand early: "By Jane Doe | Updated ..." */
        end = p + DT_INNER_MARKER_BYTES;
    while (p < end) {
        const char *q = p;
        uint32_t cp = dt_utf8_next(&q, end);
        bool is_word = dt_is_word(cp);
        size_t n;
        if (is_word && !was_word && dt_match_marker(t->tables, p, end, &n, role) &&
            *role != DT_ROLE_NONE)
            return skip_after_marker(t, p + n, end);
        was_word = is_word;
        p = q;
    }
    return NULL;
}

/* The stamps at p, or after a connector word at p ("Le 01/09/2025 à 09:00", "On Sep 3"). */
static size_t scan_after_connector(const dt_ctx *t, const char *line, const char *p,
                                   const char *end, dt_stamp *out, size_t cap,
                                   const char **first_end, const char **last_end)
{
    size_t count = scan_stamps(t, line, p, end, DT_ROLE_NONE, out, cap, first_end, last_end);
    size_t n;
    if (count == 0 && (n = dt_match_connector(t->tables, p, end)) > 0) {
        const char *q = dt_skip_spaces(p + n, end);
        if (q > p + n)
            count = scan_stamps(t, line, q, end, DT_ROLE_NONE, out, cap, first_end, last_end);
    }
    return count;
}

size_t dt_scan_line(const dt_ctx *t, const char *line, size_t len, bool is_cut, dt_stamp *out,
                    size_t cap)
{
    const char *end = line + len;
    const char *p = skip_decoration(line, end);
    dt_role role = DT_ROLE_NONE;
    size_t n;
    bool is_labelled = dt_match_marker(t->tables, p, end, &n, &role);
    if (is_labelled)
        p = skip_after_marker(t, p + n, end);
    const char *first_end, *last_end;
    size_t count = scan_stamps(t, line, p, end, role, out, cap, &first_end, &last_end);
    if (count == 0 && !is_labelled)
        count = scan_after_connector(t, line, p, end, out, cap, &first_end, &last_end);
    bool by_comma = false;
    if (count == 0 && !is_labelled) { /* a place or section first: "Madrid - 03 sep 2025" */
        const char *q = dateline_prefix_end(p, end, &by_comma);
        if (q) {
            count = scan_after_connector(t, line, q, end, out, cap, &first_end, &last_end);
            if (by_comma && count && (is_cut || skip_trailing(last_end, end) != end))
                count = 0;
        }
    }
    if (count > 0) {
        if (!is_cut && skip_trailing(last_end, end) == end)
            return count; /* the line is made of dates */
        if (is_labelled)
            return count; /* "Published: 3 Sep 2025 by ..." */
        if (!out[0].is_time_only) {
            if (hard_separator_follows(first_end, end))
                return 1; /* "3 Eylül 2025 | Dünya" */
            if (!out[0].is_month_name && !out[0].is_relative && first_end < end &&
                dt_is_space(dt_utf8_peek(first_end, end)))
                return 1; /* "2025-09-03 Title", "05.09.2025 14:05 Moskova..." */
        }
    }
    /* a label later in the line: "By Jane Doe | Updated 3 Sep 2025" */
    const char *from = p;
    for (int tries = 0; tries < 4; tries++) {
        const char *q = find_inner_marker(t, from, end, &role);
        if (!q)
            break;
        count = scan_stamps(t, line, q, end, role, out, cap, &first_end, &last_end);
        if (count > 0)
            return count;
        from = q;
    }
    return 0;
}

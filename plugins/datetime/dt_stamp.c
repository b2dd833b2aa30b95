/*
 * dt_stamp - calendar arithmetic, comparison, merging and ISO 8601 output of found stamps (see
 * dt_stamp.h). Day counting uses the era-based civil-from-days arithmetic (400-year cycles), so
 * no libc time function and no time zone database is involved.
 */
#include "dt_stamp.h"

#include <string.h>

int dt_days_in_month(int y, int m)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m < 1 || m > 12)
        return 0;
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return 29;
    return days[m - 1];
}

bool dt_date_valid(int y, int m, int d)
{
    return y >= DT_YEAR_MIN && y <= DT_YEAR_MAX && d >= 1 && d <= dt_days_in_month(y, m);
}

int64_t dt_days_from_civil(int y, int m, int d)
{
    int64_t yy = (int64_t)y - (m <= 2);
    int64_t era = (yy >= 0 ? yy : yy - 399) / 400;
    int64_t year_of_era = yy - era * 400;
    int64_t day_of_year = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    return era * 146097 + day_of_era - 719468;
}

static void civil_from_days(int64_t z, int *y, int *m, int *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t day_of_era = z - era * 146097;
    int64_t year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
    int64_t day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    int64_t mp = (5 * day_of_year + 2) / 153;
    *d = (int)(day_of_year - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(year_of_era + era * 400 + (*m <= 2));
}

static bool has_instant(const dt_stamp *s)
{
    return s->hour >= 0 && s->has_offset;
}

/* Seconds since the epoch of a stamp with a time and an offset (missing seconds count as 0). */
static int64_t utc_seconds(const dt_stamp *s)
{
    int64_t t = dt_days_from_civil(s->year, s->month, s->day) * 86400;
    t += s->hour * 3600 + s->minute * 60 + (s->second > 0 ? s->second : 0);
    return t - (int64_t)s->offset_min * 60;
}

static int sign_of(int64_t v)
{
    return (v > 0) - (v < 0);
}

bool dt_stamp_compatible(const dt_stamp *a, const dt_stamp *b)
{
    if (has_instant(a) && has_instant(b)) {
        int64_t ta = utc_seconds(a), tb = utc_seconds(b);
        if (a->second < 0 || b->second < 0) /* compare whole minutes */
            return ta - (a->second > 0 ? a->second : 0) == tb - (b->second > 0 ? b->second : 0);
        return ta == tb;
    }
    if (a->year != b->year || a->month != b->month || a->day != b->day)
        return false;
    if (a->hour < 0 || b->hour < 0)
        return true;
    if (a->hour != b->hour || a->minute != b->minute)
        return false;
    return a->second < 0 || b->second < 0 || a->second == b->second;
}

int dt_stamp_compare(const dt_stamp *a, const dt_stamp *b)
{
    if (has_instant(a) && has_instant(b))
        return sign_of(utc_seconds(a) - utc_seconds(b));
    int64_t da = dt_days_from_civil(a->year, a->month, a->day);
    int64_t db = dt_days_from_civil(b->year, b->month, b->day);
    if (da != db)
        return sign_of(da - db);
    if (a->hour < 0 || b->hour < 0)
        return 0;
    int64_t ma = a->hour * 60 + a->minute, mb = b->hour * 60 + b->minute;
    if (ma != mb)
        return sign_of(ma - mb);
    if (a->second < 0 || b->second < 0)
        return 0;
    return sign_of(a->second - b->second);
}

void dt_stamp_merge(dt_stamp *into, const dt_stamp *from)
{
    if (into->hour < 0 && from->hour >= 0) {
        into->hour = from->hour;
        into->minute = from->minute;
        into->second = from->second;
        into->has_offset = from->has_offset;
        into->offset_min = from->offset_min;
        memcpy(into->unknown_zone, from->unknown_zone, sizeof into->unknown_zone);
    } else if (into->hour >= 0 && from->hour >= 0) {
        if (!into->has_offset && from->has_offset) {
            into->has_offset = true;
            into->offset_min = from->offset_min;
            into->unknown_zone[0] = '\0';
        }
        if (into->second < 0 && from->second >= 0)
            into->second = from->second;
    }
    if (into->is_ambiguous && !from->is_ambiguous)
        into->is_ambiguous = false;
}

/* Write v as exactly `width` decimal digits (v >= 0). */
static char *put_digits(char *out, int v, int width)
{
    for (int i = width - 1; i >= 0; i--) {
        out[i] = (char)('0' + v % 10);
        v /= 10;
    }
    return out + width;
}

static char *put_date_time(char *o, int y, int mo, int d, int h, int mi, int s)
{
    o = put_digits(o, y, 4);
    *o++ = '-';
    o = put_digits(o, mo, 2);
    *o++ = '-';
    o = put_digits(o, d, 2);
    if (h >= 0) {
        *o++ = 'T';
        o = put_digits(o, h, 2);
        *o++ = ':';
        o = put_digits(o, mi, 2);
        *o++ = ':';
        o = put_digits(o, s > 0 ? s : 0, 2);
    }
    return o;
}

size_t dt_stamp_format(const dt_stamp *s, char out[DT_ISO_MAX])
{
    char *o = put_date_time(out, s->year, s->month, s->day, s->hour, s->minute, s->second);
    if (s->hour >= 0 && s->has_offset) {
        int off = s->offset_min;
        *o++ = off < 0 ? '-' : '+';
        if (off < 0)
            off = -off;
        o = put_digits(o, off / 60, 2);
        *o++ = ':';
        o = put_digits(o, off % 60, 2);
    }
    *o = '\0';
    return (size_t)(o - out);
}

size_t dt_stamp_format_utc(const dt_stamp *s, char out[DT_ISO_MAX])
{
    out[0] = '\0';
    if (!has_instant(s))
        return 0;
    int64_t t = utc_seconds(s);
    int64_t days = t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
    int64_t secs = t - days * 86400;
    int y, m, d;
    civil_from_days(days, &y, &m, &d);
    char *o =
        put_date_time(out, y, m, d, (int)(secs / 3600), (int)(secs / 60 % 60), (int)(secs % 60));
    *o++ = 'Z';
    *o = '\0';
    return (size_t)(o - out);
}

bool dt_stamp_set_utc(dt_stamp *s, int64_t secs, bool with_time)
{
    int64_t days = secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400);
    int64_t rest = secs - days * 86400;
    int y, m, d;
    civil_from_days(days, &y, &m, &d);
    if (!dt_date_valid(y, m, d))
        return false;
    s->year = y, s->month = m, s->day = d;
    if (with_time) {
        s->hour = (int)(rest / 3600), s->minute = (int)(rest / 60 % 60), s->second = -1;
        s->has_offset = true, s->offset_min = 0;
    }
    return true;
}

/* feed_date_test - the date forms feeds carry, zones known and unknown, and what is refused. */
#include <errno.h>

#include "feed_date.h"
#include "testlib.h"

static const char *iso(const char *text)
{
    static feed_date d;
    if (feed_date_parse(text, &d) != 0)
        return NULL;
    return d.iso;
}

static const char *utc(const char *text)
{
    static feed_date d;
    if (feed_date_parse(text, &d) != 0)
        return NULL;
    return d.utc;
}

static void test_rfc822(void)
{
    CHECK_STR(iso("Mon, 27 Oct 2025 13:05:00 +0300"), "2025-10-27T13:05:00+03:00");
    CHECK_STR(utc("Mon, 27 Oct 2025 13:05:00 +0300"), "2025-10-27T10:05:00Z");
    CHECK_STR(iso("Mon, 27 Oct 2025 13:05:00 GMT"), "2025-10-27T13:05:00+00:00");
    CHECK_STR(iso("27 Oct 25 13:05 -0500"), "2025-10-27T13:05:00-05:00");
    CHECK_STR(iso("Tue, 1 Jul 2025 08:00:00 EDT"), "2025-07-01T08:00:00-04:00");
    CHECK_STR(utc("Sat, 01 Jan 2000 01:30:00 +0200"), "1999-12-31T23:30:00Z");
}

static void test_named_zones(void)
{
    CHECK_STR(iso("Mon, 27 Oct 2025 13:05:00 EEST"), "2025-10-27T13:05:00+03:00");
    CHECK_STR(iso("Mon, 27 Oct 2025 13:05:00 EET"), "2025-10-27T13:05:00+02:00");
    CHECK_STR(iso("Mon, 27 Oct 2025 13:05:00 CET"), "2025-10-27T13:05:00+01:00");
    CHECK_STR(iso("Mon, 27 Oct 2025 13:05:00 CEST"), "2025-10-27T13:05:00+02:00");
    CHECK_STR(iso("Mon, 27 Oct 2025 13:05:00 MSK"), "2025-10-27T13:05:00+03:00");
    CHECK_STR(iso("Mon, 27 Oct 2025 13:05:00 TRT"), "2025-10-27T13:05:00+03:00");
    CHECK_STR(iso("Mon, 27 Oct 2025 13:05:00 GMT+3"), "2025-10-27T13:05:00+03:00");
    CHECK_STR(iso("Mon, 27 Oct 2025 13:05:00 UTC+03:00"), "2025-10-27T13:05:00+03:00");
    CHECK_STR(iso("Mon, 27 Oct 2025 13:05:00 GMT-2"), "2025-10-27T13:05:00-02:00");
    int off = 0;
    CHECK_INT(feed_date_zone_offset("eest", &off), 0);
    CHECK_INT(off, 180);
    CHECK_INT(feed_date_zone_offset("IST", &off), -ENOENT); /* ambiguous: never guessed */
}

static void test_unknown_zone_is_not_utc(void)
{
    feed_date d;
    CHECK_INT(feed_date_parse("Mon, 27 Oct 2025 13:05:00 XYZT", &d), 0);
    CHECK_INT(d.zone, FEED_ZONE_UNKNOWN);
    CHECK_STR(d.zone_name, "XYZT");
    CHECK_STR(d.iso, "2025-10-27T13:05:00");
    CHECK_STR(d.utc, "");
    CHECK_INT(feed_date_parse("Mon, 27 Oct 2025 13:05:00 IST", &d), 0);
    CHECK_INT(d.zone, FEED_ZONE_UNKNOWN);
    CHECK_INT(feed_date_parse("27.10.2025 13:05", &d), 0);
    CHECK_INT(d.zone, FEED_ZONE_NONE);
    CHECK_STR(d.iso, "2025-10-27T13:05:00");
    CHECK_STR(d.utc, "");
}

static void test_rfc3339(void)
{
    CHECK_STR(iso("2025-10-27T13:05:00+03:00"), "2025-10-27T13:05:00+03:00");
    CHECK_STR(iso("2025-10-27T13:05:00.123Z"), "2025-10-27T13:05:00+00:00");
    CHECK_STR(iso("2025-10-27T13:05:00-05:30"), "2025-10-27T13:05:00-05:30");
    CHECK_STR(iso("2025-10-27 13:05:00 +0200"), "2025-10-27T13:05:00+02:00");
    CHECK_STR(iso("2025-10-27T13:05Z"), "2025-10-27T13:05:00+00:00");
    CHECK_STR(iso("2025-10-27"), "2025-10-27");
    CHECK_STR(utc("2025-12-31T23:30:00-01:00"), "2026-01-01T00:30:00Z");
}

static void test_localized(void)
{
    CHECK_STR(iso("Pzt, 27 Eki 2025 13:05:00 +0300"), "2025-10-27T13:05:00+03:00");
    CHECK_STR(iso("Cmt, 1 Şub 2025 09:00:00 +0300"), "2025-02-01T09:00:00+03:00");
    CHECK_STR(iso("27 Ağustos 2025 Çarşamba 10:00"), "2025-08-27T10:00:00");
    CHECK_STR(iso("Пн, 27 окт 2025 13:05:00 +0300"), "2025-10-27T13:05:00+03:00");
    CHECK_STR(iso("27 октября 2025 г. 13:05 MSK"), "2025-10-27T13:05:00+03:00");
    CHECK_STR(iso("Δευ, 27 Οκτ 2025 13:05:00 +0200"), "2025-10-27T13:05:00+02:00");
    CHECK_STR(iso("27 Μαΐου 2025"), "2025-05-27");
    CHECK_STR(iso("Mo, 27 Okt 2025 13:05:00 MEZ"), "2025-10-27T13:05:00+01:00");
    CHECK_STR(iso("lun., 27 oct. 2025 13:05:00 +0100"), "2025-10-27T13:05:00+01:00");
    CHECK_STR(iso("3. marec 2025 ob 8:15"), "2025-03-03T08:15:00");
    CHECK_STR(iso("27 mars 2025"), "2025-03-27");
    CHECK_STR(iso("27 Mayıs 2025"), "2025-05-27");
}

static void test_numeric_and_broken(void)
{
    CHECK_STR(iso("27.10.2025 13:05"), "2025-10-27T13:05:00");
    CHECK_STR(iso("27/10/2025 13:05:07"), "2025-10-27T13:05:07");
    CHECK_STR(iso("10/27/2025 1:05 PM"), "2025-10-27T13:05:00");
    CHECK_STR(iso("2025/10/27 13:05"), "2025-10-27T13:05:00");
    CHECK_STR(iso("Oct 27, 2025 12:05 AM"), "2025-10-27T00:05:00");
    CHECK_STR(iso("  Mon,27 Oct 2025 13:05:00 +0300  "), "2025-10-27T13:05:00+03:00");
    CHECK_STR(iso("Mon, 27 Oct 2025 13:05:00 +03:00"), "2025-10-27T13:05:00+03:00");
    CHECK_STR(iso("Monday, October 27, 2025 - 13:05"), "2025-10-27T13:05:00");
}

static void test_refused(void)
{
    feed_date d;
    CHECK_INT(feed_date_parse(NULL, &d), -EINVAL);
    CHECK_INT(feed_date_parse("", &d), -EINVAL);
    CHECK_INT(feed_date_parse("yesterday", &d), -EINVAL);
    CHECK(!d.ok);
    CHECK_INT(feed_date_parse("31 Feb 2025", &d), -EINVAL);
    CHECK_INT(feed_date_parse("29 Feb 2023", &d), -EINVAL);
    CHECK_INT(feed_date_parse("29 Feb 2024", &d), 0);
    CHECK_INT(feed_date_parse("27 Oct 2025 25:00", &d), -EINVAL);
    CHECK_INT(feed_date_parse("99.99.9999", &d), -EINVAL);
    /* long garbage is bounded */
    char big[4096];
    memset(big, '9', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    CHECK_INT(feed_date_parse(big, &d), -EINVAL);
}

int main(void)
{
    RUN(test_rfc822);
    RUN(test_named_zones);
    RUN(test_unknown_zone_is_not_utc);
    RUN(test_rfc3339);
    RUN(test_localized);
    RUN(test_numeric_and_broken);
    RUN(test_refused);
    return TEST_SUMMARY();
}

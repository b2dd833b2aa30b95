/*
 * pathset_test - the path set: add/has/remove semantics and return values, duplicates, keys
 * that differ only slightly, growth to 100,000 entries with every key still found, lookups
 * that must probe past removed entries, and add/remove churn that must reuse tombstones instead
 * of filling the table (a table full of tombstones would loop forever in the probe).
 */
#include "pathset.h"

#include "testlib.h"

#include <stdlib.h>
#include <unistd.h>

static void key_of(size_t i, char *buf, size_t len)
{
    snprintf(buf, len, "/srv/inbox/article-%zu.txt", i);
}

static void test_add_has_remove(void)
{
    pathset *s = pathset_new();
    CHECK_INT(pathset_count(s), 0);
    CHECK(!pathset_has(s, "/a"));
    CHECK(!pathset_remove(s, "/a"));

    CHECK(pathset_add(s, "/a"));
    CHECK(pathset_has(s, "/a"));
    CHECK(!pathset_has(s, "/a/"));
    CHECK(!pathset_has(s, "/A"));
    CHECK(!pathset_has(s, ""));
    CHECK_INT(pathset_count(s), 1);

    CHECK(pathset_add(s, "")); /* the empty string is a key like any other */
    CHECK(pathset_has(s, ""));
    CHECK(pathset_add(s, "/a/b c/\xC3\xA9t\xC3\xA9.txt"));
    CHECK_INT(pathset_count(s), 3);

    CHECK(pathset_remove(s, "/a"));
    CHECK(!pathset_has(s, "/a"));
    CHECK(!pathset_remove(s, "/a")); /* a second removal finds nothing */
    CHECK(pathset_has(s, ""));
    CHECK(pathset_has(s, "/a/b c/\xC3\xA9t\xC3\xA9.txt"));
    CHECK_INT(pathset_count(s), 2);

    CHECK(pathset_add(s, "/a")); /* re-added after removal: new again */
    CHECK(pathset_has(s, "/a"));
    CHECK_INT(pathset_count(s), 3);
    pathset_free(s);
    pathset_free(NULL);
}

static void test_keys_are_copied(void)
{
    pathset *s = pathset_new();
    char buf[32] = "/in/one.txt";
    CHECK(pathset_add(s, buf));
    strcpy(buf, "/in/two.txt");
    CHECK(pathset_has(s, "/in/one.txt"));
    CHECK(!pathset_has(s, "/in/two.txt"));
    pathset_free(s);
}

static void test_duplicates(void)
{
    pathset *s = pathset_new();
    CHECK(pathset_add(s, "/x"));
    CHECK(!pathset_add(s, "/x"));
    CHECK(!pathset_add(s, "/x"));
    CHECK_INT(pathset_count(s), 1);
    CHECK(pathset_remove(s, "/x"));
    CHECK_INT(pathset_count(s), 0);
    CHECK(!pathset_has(s, "/x"));
    pathset_free(s);
}

static void test_growth_100k(void)
{
    enum { N = 100000 };
    pathset *s = pathset_new();
    char key[64];
    size_t added = 0;
    for (size_t i = 0; i < N; i++) {
        key_of(i, key, sizeof key);
        added += pathset_add(s, key);
    }
    CHECK_INT(added, N);
    CHECK_INT(pathset_count(s), N);
    size_t found = 0, dup_refused = 0, absent_found = 0;
    for (size_t i = 0; i < N; i++) {
        key_of(i, key, sizeof key);
        found += pathset_has(s, key);
        dup_refused += !pathset_add(s, key);
        key_of(i + N, key, sizeof key);
        absent_found += pathset_has(s, key);
    }
    CHECK_INT(found, N);
    CHECK_INT(dup_refused, N);
    CHECK_INT(absent_found, 0);
    CHECK_INT(pathset_count(s), N);

    /* remove every odd key: the even ones (possibly behind tombstones in a probe chain) stay */
    size_t removed = 0;
    for (size_t i = 1; i < N; i += 2) {
        key_of(i, key, sizeof key);
        removed += pathset_remove(s, key);
    }
    CHECK_INT(removed, N / 2);
    CHECK_INT(pathset_count(s), N / 2);
    size_t even_found = 0, odd_found = 0;
    for (size_t i = 0; i < N; i++) {
        key_of(i, key, sizeof key);
        if (pathset_has(s, key)) {
            if (i % 2)
                odd_found++;
            else
                even_found++;
        }
    }
    CHECK_INT(even_found, N / 2);
    CHECK_INT(odd_found, 0);
    pathset_free(s);
}

static void test_tombstone_reuse(void)
{
    pathset *s = pathset_new();
    char key[64];
    /* a few residents that must survive the churn around them */
    for (size_t i = 0; i < 10; i++) {
        key_of(i, key, sizeof key);
        pathset_add(s, key);
    }
    /* 300,000 distinct keys, each added and removed at once: without tombstone reuse or
     * cleanup the table would fill with tombstones and the probe would never end */
    size_t ok = 0;
    for (size_t i = 1000; i < 301000; i++) {
        key_of(i, key, sizeof key);
        ok += pathset_add(s, key) && pathset_has(s, key) && pathset_remove(s, key) &&
              !pathset_has(s, key);
    }
    CHECK_INT(ok, 300000);
    CHECK_INT(pathset_count(s), 10);
    for (size_t i = 0; i < 10; i++) {
        key_of(i, key, sizeof key);
        CHECK(pathset_has(s, key));
    }

    /* the same key added and removed repeatedly */
    for (int r = 0; r < 1000; r++) {
        CHECK(pathset_add(s, "/same"));
        CHECK(pathset_remove(s, "/same"));
    }
    CHECK(!pathset_has(s, "/same"));
    CHECK_INT(pathset_count(s), 10);

    /* a key re-added after removal is stored once, not once per tombstone it passes */
    CHECK(pathset_add(s, "/again"));
    CHECK(pathset_remove(s, "/again"));
    CHECK(pathset_add(s, "/again"));
    CHECK(!pathset_add(s, "/again"));
    CHECK(pathset_remove(s, "/again"));
    CHECK(!pathset_has(s, "/again"));
    CHECK_INT(pathset_count(s), 10);
    pathset_free(s);
}

int main(void)
{
    alarm(60); /* an endless probe loop fails the test instead of hanging it */
    RUN(test_add_has_remove);
    RUN(test_keys_are_copied);
    RUN(test_duplicates);
    RUN(test_growth_100k);
    RUN(test_tombstone_reuse);
    return TEST_SUMMARY();
}

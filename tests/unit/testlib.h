/*
 * testlib - the tiny assertion kit of the unit tests. Each test program calls its test
 * functions through RUN(), then returns TEST_SUMMARY(), which prints "N passed, N failed" and
 * yields the exit code. A failed CHECK prints file:line and the expression, and the test goes on.
 */
#ifndef INGESTD_TESTLIB_H
#define INGESTD_TESTLIB_H

#include <stdio.h>
#include <string.h>

static int testlib_failed_checks;
static int testlib_passed_tests, testlib_failed_tests;

#define CHECK(expr)                                                                                \
    do {                                                                                           \
        if (!(expr)) {                                                                             \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #expr);               \
            testlib_failed_checks++;                                                               \
        }                                                                                          \
    } while (0)

#define CHECK_STR(actual, expected)                                                                \
    do {                                                                                           \
        const char *a_ = (actual), *e_ = (expected);                                               \
        if ((a_ == NULL) != (e_ == NULL) || (a_ && strcmp(a_, e_) != 0)) {                         \
            fprintf(stderr,                                                                        \
                    "%s:%d: CHECK_STR failed: %s\n  got:      %s%s%s\n  expected: %s%s%s\n",       \
                    __FILE__, __LINE__, #actual, a_ ? "\"" : "", a_ ? a_ : "NULL", a_ ? "\"" : "", \
                    e_ ? "\"" : "", e_ ? e_ : "NULL", e_ ? "\"" : "");                             \
            testlib_failed_checks++;                                                               \
        }                                                                                          \
    } while (0)

#define CHECK_INT(actual, expected)                                                                \
    do {                                                                                           \
        long long a_ = (long long)(actual), e_ = (long long)(expected);                            \
        if (a_ != e_) {                                                                            \
            fprintf(stderr, "%s:%d: CHECK_INT failed: %s = %lld, expected %lld\n", __FILE__,       \
                    __LINE__, #actual, a_, e_);                                                    \
            testlib_failed_checks++;                                                               \
        }                                                                                          \
    } while (0)

#define RUN(fn)                                                                                    \
    do {                                                                                           \
        int before_ = testlib_failed_checks;                                                       \
        fn();                                                                                      \
        if (testlib_failed_checks == before_) {                                                    \
            testlib_passed_tests++;                                                                \
        } else {                                                                                   \
            testlib_failed_tests++;                                                                \
            fprintf(stderr, "FAIL %s\n", #fn);                                                     \
        }                                                                                          \
    } while (0)

#define TEST_SUMMARY()                                                                             \
    (printf("%d passed, %d failed\n", testlib_passed_tests, testlib_failed_tests),                 \
     testlib_failed_tests ? 1 : 0)

#endif

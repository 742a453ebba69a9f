/* Helpers for the commit and journal tests: messages that name temporary
 * files (random tokens) asserted in full, and finding those files. */
#ifndef DCS_TESTS_JOURNAL_TESTUTIL_H
#define DCS_TESTS_JOURNAL_TESTUTIL_H

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* Does text equal pattern, where each "@" in pattern stands for one token
 * of a temporary file name (12 characters a-z, 0-9)? */
static inline bool token_match(const char *text, const char *pattern)
{
    for (; *pattern; pattern++) {
        if (*pattern != '@') {
            if (*text++ != *pattern)
                return false;
            continue;
        }
        for (int i = 0; i < 12; i++, text++)
            if (!((*text >= 'a' && *text <= 'z') || (*text >= '0' && *text <= '9')))
                return false;
    }
    return *text == '\0';
}

#define assert_token_match(text, pattern)                                                    \
    do {                                                                                     \
        if (!token_match((text), (pattern)))                                                 \
            fail_msg("message\n  \"%s\"\nis not\n  \"%s\"", (text), (pattern));              \
    } while (0)

/* The one file in dir whose name starts with prefix and ends with suffix
 * (full path into out); false when there is not exactly one. */
static inline bool find_one(const char *dir, const char *prefix, const char *suffix, char *out,
                            size_t size)
{
    char cmd[1400];
    snprintf(cmd, sizeof cmd, "ls -d '%s'/%s*%s 2>/dev/null", dir, prefix, suffix);
    FILE *p = popen(cmd, "r");
    if (!p)
        return false;
    int n = 0;
    char line[1200];
    while (fgets(line, sizeof line, p)) {
        line[strcspn(line, "\n")] = '\0';
        if (n++ == 0)
            snprintf(out, size, "%s", line);
    }
    pclose(p);
    return n == 1;
}

#endif

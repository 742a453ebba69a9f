/* Test-only allocation failure injector: see failalloc.h. */
#include "failalloc.h"

#include <errno.h>
#include <stddef.h>

void *__real_malloc(size_t size);
void *__real_calloc(size_t nmemb, size_t size);
void *__real_realloc(void *ptr, size_t size);
char *__real_strdup(const char *s);

void *__wrap_malloc(size_t size);
void *__wrap_calloc(size_t nmemb, size_t size);
void *__wrap_realloc(void *ptr, size_t size);
char *__wrap_strdup(const char *s);

static struct {
    bool armed;
    bool sticky;           /* fail every allocation from fail_at on */
    unsigned long fail_at; /* 1-based; 0: never */
    unsigned long count;
    unsigned long failures;
} fa;

void failalloc_arm(unsigned long fail_at)
{
    fa.armed = true;
    fa.sticky = false;
    fa.fail_at = fail_at;
    fa.count = 0;
    fa.failures = 0;
}

void failalloc_arm_from(unsigned long fail_at)
{
    failalloc_arm(fail_at);
    fa.sticky = true;
}

bool failalloc_disarm(void)
{
    fa.armed = false;
    return fa.failures != 0;
}

unsigned long failalloc_count(void)
{
    return fa.count;
}

unsigned long failalloc_failures(void)
{
    return fa.failures;
}

/* Counts one allocation; true when it must fail. */
static bool should_fail(void)
{
    if (!fa.armed)
        return false;
    fa.count++;
    if (fa.fail_at == 0)
        return false;
    if (fa.count == fa.fail_at || (fa.sticky && fa.count > fa.fail_at)) {
        fa.failures++;
        errno = ENOMEM;
        return true;
    }
    return false;
}

void *__wrap_malloc(size_t size)
{
    return should_fail() ? NULL : __real_malloc(size);
}

void *__wrap_calloc(size_t nmemb, size_t size)
{
    return should_fail() ? NULL : __real_calloc(nmemb, size);
}

void *__wrap_realloc(void *ptr, size_t size)
{
    return should_fail() ? NULL : __real_realloc(ptr, size);
}

char *__wrap_strdup(const char *s)
{
    return should_fail() ? NULL : __real_strdup(s);
}

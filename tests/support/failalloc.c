/* Test-only allocation failure injector (see failalloc.h). */
#include "failalloc.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void *__real_malloc(size_t size);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t size);
char *__real_strdup(const char *s);
void *__wrap_malloc(size_t size);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t size);
char *__wrap_strdup(const char *s);

static size_t fail_at; /* 0: disarmed */
static size_t seen;
static bool fired;

void failalloc_arm(size_t n)
{
    fail_at = n;
    seen = 0;
    fired = false;
}

void failalloc_disarm(void)
{
    fail_at = 0;
}

bool failalloc_fired(void)
{
    return fired;
}

size_t failalloc_count(void)
{
    return seen;
}

/* Count one allocation; true when it is the one to refuse. */
static bool refuse(void)
{
    if (!fail_at)
        return false;
    if (++seen != fail_at)
        return false;
    fired = true;
    errno = ENOMEM;
    return true;
}

void *__wrap_malloc(size_t size)
{
    return refuse() ? NULL : __real_malloc(size);
}

void *__wrap_calloc(size_t n, size_t size)
{
    return refuse() ? NULL : __real_calloc(n, size);
}

void *__wrap_realloc(void *p, size_t size)
{
    return refuse() ? NULL : __real_realloc(p, size);
}

char *__wrap_strdup(const char *s)
{
    return refuse() ? NULL : __real_strdup(s);
}

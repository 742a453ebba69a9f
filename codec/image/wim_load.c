/* wimlib loaded with dlopen on first use (why: wim_load.h). */
#include "dcs_config.h"

#if DCS_HAVE_WIMLIB
#define DCSI_WIM_LOAD_IMPL
#include "image/wim_load.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

struct dcsi_wimlib dcsi_wl;

static pthread_once_t load_once = PTHREAD_ONCE_INIT;
static char load_error[512];

/* The library's run-time name (Debian's libwim15, wimlib 1.x), then the
 * development link for a wimlib built from source. */
static const char *const sonames[] = {"libwim.so.15", "libwim.so"};

static void load(void)
{
    void *h = NULL;
    for (size_t i = 0; !h && i < sizeof sonames / sizeof *sonames; i++)
        h = dlopen(sonames[i], RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        const char *why = dlerror();
        snprintf(load_error, sizeof load_error, "cannot load wimlib (%s): %s", sonames[0],
                 why ? why : "not found");
        return;
    }
    const char *missing = NULL;
    /* POSIX: a function pointer from dlsym's void * (memcpy keeps it
     * well-defined in ISO C) */
#define DCSI_WIM_SYM(name)                                                                         \
    {                                                                                              \
        void *p = dlsym(h, #name);                                                                 \
        if (!p && !missing)                                                                        \
            missing = #name;                                                                       \
        memcpy(&dcsi_wl.name, &p, sizeof p);                                                       \
    }
    DCSI_WIM_FUNCS(DCSI_WIM_SYM)
#undef DCSI_WIM_SYM
    if (missing)
        snprintf(load_error, sizeof load_error, "cannot load wimlib (%s): it has no %s",
                 sonames[0], missing);
    /* the library stays loaded for the life of the process */
}

const char *dcsi_wimlib_load(void)
{
    pthread_once(&load_once, load);
    return load_error[0] ? load_error : NULL;
}
#endif

/* SIGBUS inside a guarded mapping: report the file and exit 1 (contract in
 * mapguard.h).  The handler uses only async-signal-safe calls: the message
 * is formatted when the guard is set, and written with write(2). */
#include "mapguard.h"
#include "cli.h"

#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t guarded;
static uintptr_t guard_lo, guard_hi;
static char guard_msg[512];
static size_t guard_msg_len;
static struct sigaction previous;

static void on_sigbus(int sig, siginfo_t *si, void *uctx)
{
    (void)uctx;
    uintptr_t at = (uintptr_t)si->si_addr;
    if (guarded && at >= guard_lo && at < guard_hi) {
        /* nothing has been written yet: the input is read whole before
         * any output is committed */
        ssize_t w = write(STDERR_FILENO, guard_msg, guard_msg_len);
        (void)w;
        _exit(EXIT_BAD_INPUT);
    }
    /* not ours: the default action, taken when the fault repeats */
    (void)sigaction(sig, &previous, NULL);
}

void cli_mapguard_set(const char *path, const void *start, size_t len)
{
    if (!len)
        return;
    int n = snprintf(guard_msg, sizeof guard_msg,
                     "%s: %s: the file shrank while it was read (another program changed "
                     "it); nothing was written\n",
                     cli_prog, path);
    guard_msg_len = n < 0 ? 0 : (size_t)n < sizeof guard_msg ? (size_t)n : sizeof guard_msg - 1;
    guard_lo = (uintptr_t)start;
    guard_hi = guard_lo + len;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_sigbus;
    sa.sa_flags = SA_SIGINFO;
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGBUS, &sa, &previous) == 0)
        guarded = 1;
}

void cli_mapguard_clear(void)
{
    if (!guarded)
        return;
    guarded = 0;
    (void)sigaction(SIGBUS, &previous, NULL);
}

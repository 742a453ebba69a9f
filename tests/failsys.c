/* Test-only system call failure injector (see failsys.h). */
#include "failsys.h"

#include <errno.h>
#include <sys/types.h>
#include <unistd.h>

ssize_t __real_read(int fd, void *buf, size_t n);
ssize_t __real_write(int fd, const void *buf, size_t n);
int __real_fsync(int fd);
int __real_close(int fd);
int __real_link(const char *from, const char *to);
/* With _FILE_OFFSET_BITS=64 (meson's default) the headers rename ftruncate
 * and lseek to their 64-bit symbols: wrap whichever the code links to. */
#if defined(_FILE_OFFSET_BITS) && _FILE_OFFSET_BITS == 64
#define REAL_FTRUNCATE __real_ftruncate64
#define WRAP_FTRUNCATE __wrap_ftruncate64
#define REAL_LSEEK __real_lseek64
#define WRAP_LSEEK __wrap_lseek64
#else
#define REAL_FTRUNCATE __real_ftruncate
#define WRAP_FTRUNCATE __wrap_ftruncate
#define REAL_LSEEK __real_lseek
#define WRAP_LSEEK __wrap_lseek
#endif
int REAL_FTRUNCATE(int fd, off_t len);
off_t REAL_LSEEK(int fd, off_t off, int whence);
ssize_t __wrap_read(int fd, void *buf, size_t n);
ssize_t __wrap_write(int fd, const void *buf, size_t n);
int __wrap_fsync(int fd);
int __wrap_close(int fd);
int __wrap_link(const char *from, const char *to);
int WRAP_FTRUNCATE(int fd, off_t len);
off_t WRAP_LSEEK(int fd, off_t off, int whence);

static bool armed, fired;
static enum failsys_call which;
static unsigned left; /* calls of `which` until the one that fails */
static int fail_errno;

void failsys_arm(enum failsys_call call, unsigned n, int e)
{
    armed = n > 0;
    fired = false;
    which = call;
    left = n;
    fail_errno = e;
}

void failsys_disarm(void)
{
    armed = false;
}

bool failsys_fired(void)
{
    return fired;
}

/* Count one call of c; true when it is the one to fail (errno is set). */
static bool refuse(enum failsys_call c)
{
    if (!armed || c != which || --left)
        return false;
    armed = false;
    fired = true;
    errno = fail_errno;
    return true;
}

ssize_t __wrap_read(int fd, void *buf, size_t n)
{
    return refuse(FAILSYS_READ) ? -1 : __real_read(fd, buf, n);
}

ssize_t __wrap_write(int fd, const void *buf, size_t n)
{
    return refuse(FAILSYS_WRITE) ? -1 : __real_write(fd, buf, n);
}

int __wrap_fsync(int fd)
{
    return refuse(FAILSYS_FSYNC) ? -1 : __real_fsync(fd);
}

int __wrap_close(int fd)
{
    if (!refuse(FAILSYS_CLOSE))
        return __real_close(fd);
    int e = errno;
    (void)__real_close(fd);
    errno = e;
    return -1;
}

int __wrap_link(const char *from, const char *to)
{
    return refuse(FAILSYS_LINK) ? -1 : __real_link(from, to);
}

int WRAP_FTRUNCATE(int fd, off_t len)
{
    return refuse(FAILSYS_FTRUNCATE) ? -1 : REAL_FTRUNCATE(fd, len);
}

off_t WRAP_LSEEK(int fd, off_t off, int whence)
{
    return refuse(FAILSYS_LSEEK) ? -1 : REAL_LSEEK(fd, off, whence);
}

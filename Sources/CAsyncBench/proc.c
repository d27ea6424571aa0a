// This process's kernel-side limits and counters: the peak-RSS reset (/proc/self/clear_refs),
// RLIMIT_NPROC, and raising RLIMIT_NOFILE (up to fs.nr_open when privileged). In C as plain
// syscall wrappers returning errno values, without Swift's imported __rlimit_resource types.
#include "CAsyncBench_proc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <unistd.h>

int CAsyncBench_reset_peak_rss(void) {
    int fd = open("/proc/self/clear_refs", O_WRONLY | O_CLOEXEC);
    if (fd < 0) return errno;
    ssize_t written;
    do {
        written = write(fd, "5", 1);
    } while (written < 0 && errno == EINTR);
    int rc = written == 1 ? 0 : errno;
    close(fd);
    return rc;
}

int64_t CAsyncBench_nproc_limit(void) {
    struct rlimit limit;
    if (getrlimit(RLIMIT_NPROC, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY) return -1;
    return (int64_t)limit.rlim_cur;
}

int64_t CAsyncBench_raise_nofile(void) {
    struct rlimit limit;
    if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return -1;
    // A privileged process may raise the hard limit too, up to fs.nr_open.
    int fd = open("/proc/sys/fs/nr_open", O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        char text[32] = {0};
        ssize_t n = read(fd, text, sizeof text - 1);
        close(fd);
        long long most = n > 0 ? strtoll(text, NULL, 10) : 0;
        if (most > 0 && (rlim_t)most > limit.rlim_max) {
            struct rlimit raised = {(rlim_t)most, (rlim_t)most};
            if (setrlimit(RLIMIT_NOFILE, &raised) == 0) return most;
        }
    }
    if (limit.rlim_cur < limit.rlim_max) {
        limit.rlim_cur = limit.rlim_max;
        setrlimit(RLIMIT_NOFILE, &limit);
        getrlimit(RLIMIT_NOFILE, &limit);
    }
    return limit.rlim_cur == RLIM_INFINITY ? -1 : (int64_t)limit.rlim_cur;
}

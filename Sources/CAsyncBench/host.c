// Facts about the host for the run's metadata: the glibc version and whether perf_event_open can
// count instructions. In C because gnu/libc-version.h is not in Swift's Glibc module and
// perf_event_open has no libc wrapper: syscall() is variadic, which Swift cannot call.
#include "CAsyncBench_host.h"

#include <gnu/libc-version.h>
#include <linux/perf_event.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

const char *CAsyncBench_libc_version(void) { return gnu_get_libc_version(); }

int CAsyncBench_instructions_supported(void) {
    struct perf_event_attr attributes;
    memset(&attributes, 0, sizeof attributes);
    attributes.size = sizeof attributes;
    attributes.type = PERF_TYPE_HARDWARE;
    attributes.config = PERF_COUNT_HW_INSTRUCTIONS;
    attributes.disabled = 1;
    attributes.exclude_kernel = 1;
    attributes.exclude_hv = 1;
    long fd = syscall(SYS_perf_event_open, &attributes, 0, -1, -1, 0);
    if (fd < 0) return 0;
    close((int)fd);
    return 1;
}

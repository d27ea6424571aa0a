// Time and sleep: CLOCK_MONOTONIC in nanoseconds and absolute-deadline sleeps that resume after
// signals. In C because forked children and the sampler thread call them, which may not enter
// the Swift runtime: clock_gettime and clock_nanosleep are async-signal-safe.
#include "CAsyncBench_clock.h"

#include <errno.h>
#include <time.h>

int64_t CAsyncBench_monotonic_ns(void) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (int64_t)now.tv_sec * 1000000000LL + now.tv_nsec;
}

/// Sleeps until `deadline` (CLOCK_MONOTONIC ns), resuming after signals. Returns 0 or an errno.
int CAsyncBench_sleep_until(int64_t deadline) {
    struct timespec until = {(time_t)(deadline / 1000000000LL), (long)(deadline % 1000000000LL)};
    for (;;) {
        int rc = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &until, NULL);
        if (rc != EINTR) return rc;
    }
}

int CAsyncBench_sleep_ns(int64_t ns) {
    return ns <= 0 ? 0 : CAsyncBench_sleep_until(CAsyncBench_monotonic_ns() + ns);
}

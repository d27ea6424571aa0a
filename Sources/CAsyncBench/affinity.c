// CPU pinning: the first CPU this thread may run on, and pinning to it. In C because cpu_set_t's
// CPU_ZERO, CPU_SET and CPU_ISSET are macros, which Swift cannot import.
#include "CAsyncBench_affinity.h"

#include <errno.h>
#include <sched.h>

int CAsyncBench_first_allowed_cpu(void) {
    cpu_set_t allowed;
    if (sched_getaffinity(0, sizeof allowed, &allowed) != 0) return -1;
    for (int candidate = 0; candidate < CPU_SETSIZE; candidate++) {
        if (CPU_ISSET(candidate, &allowed)) return candidate;
    }
    return -1;
}

int CAsyncBench_pin_to_first_cpu(int *cpu) {
    int first = CAsyncBench_first_allowed_cpu();
    if (first < 0) return errno != 0 ? errno : EINVAL;
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(first, &one);
    if (sched_setaffinity(0, sizeof one, &one) != 0) return errno;
    *cpu = first;
    return 0;
}

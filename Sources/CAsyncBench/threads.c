// pthread creation with an explicit stack size, and the default and smallest stack sizes. In C
// because pthread_attr_t handling, pthread_getattr_default_np and _SC_THREAD_STACK_MIN are plainer
// here than through Swift's imported Glibc types.
#include "CAsyncBench_threads.h"

#include "CAsyncBench_shortage.h"

#include <unistd.h>

int CAsyncBench_thread_create(
    pthread_t *thread, size_t stack_size, void *(*start)(void *), void *argument) {
    pthread_attr_t attr;
    int rc = pthread_attr_init(&attr);
    if (rc != 0) return rc;
    if (stack_size > 0) {
        rc = pthread_attr_setstacksize(&attr, stack_size);
        if (rc != 0) {
            pthread_attr_destroy(&attr);
            return rc;
        }
    }
    // asyncbench's own threads: their failures are the backends' to report (shortage.c).
    rc = CAsyncBench_real_pthread_create(thread, &attr, start, argument);
    pthread_attr_destroy(&attr);
    return rc;
}

size_t CAsyncBench_default_thread_stack(void) {
    pthread_attr_t attr;
    size_t size = 0;
    // The attributes a new thread gets by default: glibc reads RLIMIT_STACK once at start.
    if (pthread_getattr_default_np(&attr) == 0) {
        pthread_attr_getstacksize(&attr, &size);
        pthread_attr_destroy(&attr);
    }
    return size;
}

size_t CAsyncBench_min_thread_stack(void) {
    long min = sysconf(_SC_THREAD_STACK_MIN);
    return min > 0 ? (size_t)min : 16384;
}

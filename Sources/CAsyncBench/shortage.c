// An interposer for pthread_create: this executable's definition wins over libc's for every
// shared library (libdispatch, the concurrency runtime, NIO), so a thread the runtimes cannot
// create is seen here. libdispatch's answer to EAGAIN is `_dispatch_temporary_resource_shortage`:
// sleep one second and retry, forever; under `ulimit -u 4` an async cell then ran into its
// timeout, under `ulimit -v` it was an `ok` row seconds late. The cell arms a handler that turns
// the first such failure into a `limit` report.
#include "CAsyncBench_shortage.h"

#include <dlfcn.h>
#include <stdatomic.h>
#include <stddef.h>

typedef int (*create_function)(pthread_t *, const pthread_attr_t *, void *(*)(void *), void *);

static _Atomic(create_function) real_create = NULL;
static _Atomic(CAsyncBench_thread_failure_handler) failure_handler = NULL;

int CAsyncBench_real_pthread_create(
    pthread_t *thread, const pthread_attr_t *attr, void *(*start)(void *), void *argument) {
    create_function real = atomic_load(&real_create);
    if (real == NULL) {
        real = (create_function)dlsym(RTLD_NEXT, "pthread_create");
        if (real == NULL) return 38;  // ENOSYS: libc without pthread_create cannot happen
        atomic_store(&real_create, real);
    }
    return real(thread, attr, start, argument);
}

void CAsyncBench_on_runtime_thread_failure(CAsyncBench_thread_failure_handler handler) {
    atomic_store(&failure_handler, handler);
}

int pthread_create(pthread_t *thread, const pthread_attr_t *attr, void *(*start)(void *), void *argument) {
    int rc = CAsyncBench_real_pthread_create(thread, attr, start, argument);
    if (rc != 0) {
        // Only the first failure calls the handler; it does not return.
        CAsyncBench_thread_failure_handler handler = atomic_exchange(&failure_handler, NULL);
        if (handler != NULL) handler(rc);
    }
    return rc;
}

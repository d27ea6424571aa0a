// Thread creations the runtimes could not make (shortage.c).
#ifndef CASYNCBENCH_SHORTAGE_H
#define CASYNCBENCH_SHORTAGE_H

#include <pthread.h>

/// Called once, on the thread whose pthread_create failed, with the error pthread_create
/// returned. It must not return (the cell writes its `limit` report and exits).
typedef void (*CAsyncBench_thread_failure_handler)(int error);

/// Arms (or, with NULL, disarms) `handler` for the first failed pthread_create made by code
/// other than asyncbench's own (CAsyncBench_thread_create): libdispatch and the concurrency
/// runtime sleep a second and retry forever when they cannot create a worker thread, so a
/// cell under `ulimit -u` or `ulimit -v` would crawl or hang instead of failing.
void CAsyncBench_on_runtime_thread_failure(CAsyncBench_thread_failure_handler handler);

/// pthread_create as libc defines it, bypassing the interposer above (for asyncbench's own
/// threads, whose failures the backends report themselves).
int CAsyncBench_real_pthread_create(
    pthread_t *thread, const pthread_attr_t *attr, void *(*start)(void *), void *argument);

#endif

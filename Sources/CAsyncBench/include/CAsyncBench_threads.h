// pthread creation with an explicit stack size, and stack sizes (threads.c).
#ifndef CASYNCBENCH_THREADS_H
#define CASYNCBENCH_THREADS_H

#include <pthread.h>
#include <stddef.h>

/// pthread_create with an explicit stack size (0 = the system default from RLIMIT_STACK).
/// Returns 0 or the errno value pthread_create / pthread_attr_setstacksize returned.
int CAsyncBench_thread_create(
    pthread_t *thread, size_t stack_size, void *(*start)(void *), void *argument);

/// The default stack size a new pthread gets (glibc derives it from RLIMIT_STACK).
size_t CAsyncBench_default_thread_stack(void);

/// The smallest stack pthread_attr_setstacksize accepts (PTHREAD_STACK_MIN).
size_t CAsyncBench_min_thread_stack(void);

#endif

// The /proc thread count and the sampler thread that keeps its peak (sampler.c).
#ifndef CASYNCBENCH_SAMPLER_H
#define CASYNCBENCH_SAMPLER_H

#include <stdint.h>
#include <sys/resource.h>

/// The calling process's current number of threads, from /proc/self/stat; -1 on error.
int CAsyncBench_thread_count(void);

/// A thread that samples /proc/self/stat every `interval_ns` and keeps the peak thread count.
typedef struct CAsyncBench_sampler CAsyncBench_sampler;

/// Starts a sampler; NULL with `*error` set on failure. With `heap` set it also samples
/// `CAsyncBench_heap_in_use` each time and keeps the peak (costly: arena locks; memory
/// repetitions only). With `kernel_path` (copied) it also keeps the peak of
/// `CAsyncBench_kernel_bytes(kernel_path, kernel_format)`.
CAsyncBench_sampler *CAsyncBench_sampler_start(
    int64_t interval_ns, int heap, const char *kernel_path, int kernel_format, int *error);

/// Stops and frees the sampler. `*peak_threads` gets the highest count it saw (itself excluded),
/// `*own_usage` the sampler thread's own rusage, for the caller to subtract, `*peak_heap` the
/// most heap bytes in use it saw (-1 when not sampled or unknown), `*peak_kernel` the most kernel
/// bytes it read (-1 when not sampled or unreadable).
void CAsyncBench_sampler_stop(
    CAsyncBench_sampler *sampler, int *peak_threads, struct rusage *own_usage, int64_t *peak_heap,
    int64_t *peak_kernel);

#endif

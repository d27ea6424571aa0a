// The task bodies of the sleep, blocking, cpu and crash workloads. In C because forked children
// run them between fork and _exit, where only async-signal-safe calls are allowed (no Swift
// runtime, no allocation); threads and the async backends call the same bodies.
#include "CAsyncBench_tasks.h"

#include "CAsyncBench_clock.h"

#include <signal.h>

int CAsyncBench_sleep_task_run(const CAsyncBench_sleep_task *task, int64_t index) {
    int64_t deadline = CAsyncBench_monotonic_ns() + task->nanoseconds;
    int rc = task->nanoseconds > 0 ? CAsyncBench_sleep_until(deadline) : 0;
    if (rc != 0) return rc;
    if (task->lateness != NULL && index >= 0 && index < task->slots) {
        task->lateness[index] = CAsyncBench_monotonic_ns() - deadline;
    }
    return 0;
}

int CAsyncBench_task_sleep(void *context, int64_t index) {
    return CAsyncBench_sleep_task_run((const CAsyncBench_sleep_task *)context, index) == 0 ? 0 : 1;
}

int CAsyncBench_task_blocks(int64_t index, double fraction) {
    if (fraction <= 0) return 0;
    return (int64_t)((double)(index + 1) * fraction) > (int64_t)((double)index * fraction);
}

int CAsyncBench_blocking_task_run(const CAsyncBench_blocking_task *task, int64_t index) {
    int blocks = CAsyncBench_task_blocks(index, task->fraction);
    if (blocks) {
        int rc = CAsyncBench_sleep_ns(task->block_ns);
        if (rc != 0) return rc;
    }
    int64_t deadline = task->start_ns + task->nanoseconds;
    int rc = CAsyncBench_sleep_until(deadline);
    if (rc != 0) return rc;
    if (task->lateness != NULL && index >= 0 && index < task->slots) {
        task->lateness[index] = blocks ? INT64_MIN : CAsyncBench_monotonic_ns() - deadline;
    }
    return 0;
}

int CAsyncBench_task_blocking(void *context, int64_t index) {
    return CAsyncBench_blocking_task_run((const CAsyncBench_blocking_task *)context, index) == 0 ? 0 : 1;
}

uint64_t CAsyncBench_cpu_work(uint64_t iterations, uint64_t seed) {
    uint64_t x = seed | 1;
    for (uint64_t i = 0; i < iterations; i++) {
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        x *= 0x2545F4914F6CDD1DULL;
    }
    return x;
}

int CAsyncBench_task_cpu(void *context, int64_t index) {
    (void)index;
    const CAsyncBench_cpu_task *task = context;
    return CAsyncBench_cpu_work(task->iterations, 42) == task->expected ? 0 : 1;
}

int CAsyncBench_task_crash(void *context, int64_t index) {
    (void)context;
    (void)index;
    // The default action, not whatever handler the runtime installed (Swift's backtracer).
    signal(SIGSEGV, SIG_DFL);
    raise(SIGSEGV);
    return 1;
}

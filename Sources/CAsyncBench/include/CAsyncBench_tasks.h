// The task bodies of the sleep, blocking, cpu and crash workloads (tasks.c).
#ifndef CASYNCBENCH_TASKS_H
#define CASYNCBENCH_TASKS_H

#include <stdint.h>

/// The `sleep` workload's task: wait `nanoseconds`; when `lateness` is set, write how late the
/// task woke (ns past its deadline) to `lateness[index]`.
typedef struct {
    int64_t nanoseconds;
    int64_t *lateness;
    /// Slots in `lateness`; a task whose index is beyond them records nothing.
    int64_t slots;
} CAsyncBench_sleep_task;

/// Runs one `sleep` task on this thread (async-signal-safe). Returns 0 or an errno value.
int CAsyncBench_sleep_task_run(const CAsyncBench_sleep_task *task, int64_t index);

/// Process task for the `sleep` workload: `context` is a `CAsyncBench_sleep_task`.
int CAsyncBench_task_sleep(void *context, int64_t index);

/// The `blocking` workload's task: every task waits until the shared deadline `start_ns +
/// nanoseconds` (CLOCK_MONOTONIC; `start_ns` is set when a repetition starts); the tasks that
/// `CAsyncBench_task_blocks` picks first make a blocking call of `block_ns` (nanosleep). The
/// others write how late they woke to `lateness[index]`; blocking ones write INT64_MIN there.
typedef struct {
    int64_t start_ns;
    int64_t nanoseconds;
    int64_t block_ns;
    double fraction;
    int64_t *lateness;
    int64_t slots;
} CAsyncBench_blocking_task;

/// 1 when task `index` is one of the `fraction` of tasks that block: spread evenly, the ones
/// where floor(index × fraction) steps up (fraction 0.1: tasks 9, 19, 29, ...).
int CAsyncBench_task_blocks(int64_t index, double fraction);

/// Runs one `blocking` task on this thread (async-signal-safe). Returns 0 or an errno value.
int CAsyncBench_blocking_task_run(const CAsyncBench_blocking_task *task, int64_t index);

/// Process task for the `blocking` workload: `context` is a `CAsyncBench_blocking_task`.
int CAsyncBench_task_blocking(void *context, int64_t index);

/// Fixed CPU work: `iterations` rounds of a 64-bit mix (xorshift-multiply) from `seed`. The
/// result depends on every round, so the compiler cannot drop the loop. Async-signal-safe.
uint64_t CAsyncBench_cpu_work(uint64_t iterations, uint64_t seed);

/// The context of the `cpu` workload's process body.
typedef struct {
    uint64_t iterations;
    uint64_t expected;
} CAsyncBench_cpu_task;

/// Process task for the `cpu` workload: exits 0 when the work's result is the expected one.
int CAsyncBench_task_cpu(void *context, int64_t index);

/// Process task for the test-only `crash` workload: the task raises SIGSEGV.
int CAsyncBench_task_crash(void *context, int64_t index);

#endif

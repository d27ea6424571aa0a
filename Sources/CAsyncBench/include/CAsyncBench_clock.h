// Time and sleep on CLOCK_MONOTONIC (clock.c).
#ifndef CASYNCBENCH_CLOCK_H
#define CASYNCBENCH_CLOCK_H

#include <stdint.h>

/// CLOCK_MONOTONIC in nanoseconds. Async-signal-safe.
int64_t CAsyncBench_monotonic_ns(void);

/// Waits `ns` nanoseconds on CLOCK_MONOTONIC, resuming after signals until the deadline.
/// Async-signal-safe. Returns 0 or an errno value.
int CAsyncBench_sleep_ns(int64_t ns);

/// Sleeps until `deadline` (CLOCK_MONOTONIC ns), resuming after signals. Async-signal-safe.
/// Returns 0 or an errno value.
int CAsyncBench_sleep_until(int64_t deadline);

#endif

// This process's peak-RSS reset and its NPROC and NOFILE limits (proc.c).
#ifndef CASYNCBENCH_PROC_H
#define CASYNCBENCH_PROC_H

#include <stdint.h>

/// Resets the kernel's peak-RSS counter (VmHWM) of this process: writes "5" to
/// /proc/self/clear_refs. Returns 0 or an errno value.
int CAsyncBench_reset_peak_rss(void);

/// RLIMIT_NPROC's soft limit (threads + processes this user may have), or -1 when unlimited.
int64_t CAsyncBench_nproc_limit(void);

/// Raises RLIMIT_NOFILE's soft limit to its hard limit; returns the new soft limit (-1: unlimited
/// or unknown).
int64_t CAsyncBench_raise_nofile(void);

#endif

// Allocation counts, heap in use, a process's own private memory (heap.c).
#ifndef CASYNCBENCH_HEAP_H
#define CASYNCBENCH_HEAP_H

#include <stdint.h>

/// Allocation calls counted while counting was on (see heap.c: this binary passes malloc & co.
/// through to the process's allocator and counts them).
typedef struct {
    /// malloc, calloc, realloc, posix_memalign, aligned_alloc and memalign calls.
    int64_t allocations;
    /// free calls with a non-NULL pointer.
    int64_t frees;
} CAsyncBench_alloc_counts;

/// Turns counting on (resetting both counts to 0) or off.
void CAsyncBench_alloc_counting(int on);

/// The counts since counting was last turned on.
CAsyncBench_alloc_counts CAsyncBench_alloc_counts_read(void);

/// Heap bytes the allocator has handed out and not taken back, by its own statistics: jemalloc's
/// `stats.allocated` (after an epoch refresh) when jemalloc is loaded, else glibc's mallinfo2()
/// (uordblks + hblkhd: in-use chunks of every arena plus mmapped chunks). -1 when unknown.
int64_t CAsyncBench_heap_in_use(void);

/// jemalloc's version when jemalloc is loaded in this process (LD_PRELOAD), else NULL.
const char *CAsyncBench_jemalloc_version(void);

/// This process's own memory: Private_Clean + Private_Dirty of /proc/self/smaps_rollup plus its
/// page tables (VmPTE), bytes; -1 on error. Only open/read/close: safe in a forked child.
int64_t CAsyncBench_own_private_bytes(void);

/// This process's page tables (VmPTE of /proc/self/status), bytes; -1 on error. Async-signal-safe.
int64_t CAsyncBench_own_page_table_bytes(void);

#endif

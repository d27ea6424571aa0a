// Kernel memory (kernel stacks, page tables, slab) as the kernel accounts it (kernel.c).
#ifndef CASYNCBENCH_KERNEL_H
#define CASYNCBENCH_KERNEL_H

#include <stdint.h>

/// The formats `CAsyncBench_kernel_bytes` reads.
enum {
    /// /proc/meminfo: KernelStack + PageTables + SUnreclaim, in kB (system-wide).
    CASYNCBENCH_KERNEL_MEMINFO = 0,
    /// cgroup v2 memory.stat: kernel_stack + pagetables + slab, in bytes.
    CASYNCBENCH_KERNEL_CGROUP2_STAT = 1,
    /// cgroup v1 memory.kmem.usage_in_bytes or memory.kmem.max_usage_in_bytes: one number, bytes.
    CASYNCBENCH_KERNEL_CGROUP1_KMEM = 2,
};

/// Kernel bytes from the file at `path` in `format` (one of the CASYNCBENCH_KERNEL_ values): the
/// sum of its kernel stack, page table and slab fields; -1 when the file cannot be read or has none
/// of them. No allocation, so the sampler thread can call it.
int64_t CAsyncBench_kernel_bytes(const char *path, int format);

#endif

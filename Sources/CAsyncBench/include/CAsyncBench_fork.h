// Forking task children and the memory they share with the parent (fork.c).
#ifndef CASYNCBENCH_FORK_H
#define CASYNCBENCH_FORK_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/// The body one task runs inside a forked child: async-signal-safe calls only.
/// Returns the child's exit status (0 = the task succeeded).
typedef int (*CAsyncBench_task_fn)(void *context, int64_t index);

/// Anonymous memory shared with forked children (MAP_SHARED), zeroed; NULL on failure.
void *CAsyncBench_map_shared(size_t bytes);

/// Releases memory from `CAsyncBench_map_shared`.
void CAsyncBench_unmap(void *address, size_t bytes);

/// Forks `n` children; child `i` runs `fn(context, i)` and `_exit`s with its result.
/// The pids go to `pids` (room for `n`), the number forked to `*started`. When `child_memory`
/// is set (memory shared with the children, room for `2n`), child `i` writes its own private
/// memory (`CAsyncBench_own_private_bytes`) to `child_memory[i]` after its task, before `_exit`,
/// and its page tables (`CAsyncBench_own_page_table_bytes`) to `child_memory[n + i]`.
/// Returns 0, or the errno of the fork that failed (the children already forked keep running:
/// the caller waits for them).
int CAsyncBench_fork_tasks(
    int64_t n, CAsyncBench_task_fn fn, void *context, pid_t *pids, int64_t *started,
    int64_t *child_memory);

#endif

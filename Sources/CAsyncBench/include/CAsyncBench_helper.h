// The spawn backend's task helpers (helper.c).
#ifndef CASYNCBENCH_HELPER_H
#define CASYNCBENCH_HELPER_H

#include <stdint.h>
#include <sys/types.h>

/// The first argument that makes the asyncbench binary a task helper (the `spawn` backend): a C
/// constructor sees it before the Swift runtime's main runs, does the task and `_exit`s.
///   asyncbench __asyncbench-task PARENT_PID sleep NANOSECONDS
///   asyncbench __asyncbench-task PARENT_PID cpu ITERATIONS EXPECTED
#define CASYNCBENCH_HELPER_FLAG "__asyncbench-task"

/// posix_spawns `n` helpers: `path` with `argv`, this process's environment. The pids go to
/// `pids` (room for `n`), the number started to `*started`. Returns 0, or the errno of the spawn
/// that failed (those already started keep running: the caller waits for them).
int CAsyncBench_spawn_tasks(int64_t n, const char *path, char *const argv[], pid_t *pids, int64_t *started);

#endif

// The spawn backend: posix_spawn of N task helpers, and the C constructor that makes the
// asyncbench binary one. In C because the helper does its task and _exits in a constructor,
// before the Swift runtime's main runs: a spawned task costs exec, not Swift's start-up.
#include "CAsyncBench_helper.h"

#include "CAsyncBench_clock.h"
#include "CAsyncBench_tasks.h"

#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern char **environ;

/// The helper's entry: runs before main (and before any Swift code) when the first argument is
/// CASYNCBENCH_HELPER_FLAG; does the task and exits with 0 (done) or 1 (failed).
__attribute__((constructor)) static void CAsyncBench_task_helper(int argc, char **argv, char **envp) {
    (void)envp;
    if (argc < 3 || argv == NULL || strcmp(argv[1], CASYNCBENCH_HELPER_FLAG) != 0) return;
    int status = 2;
    if (strcmp(argv[2], "sleep") == 0 && argc >= 4) {
        status = CAsyncBench_sleep_ns(strtoll(argv[3], NULL, 10)) == 0 ? 0 : 1;
    } else if (strcmp(argv[2], "cpu") == 0 && argc >= 5) {
        uint64_t iterations = strtoull(argv[3], NULL, 10);
        status = CAsyncBench_cpu_work(iterations, 42) == strtoull(argv[4], NULL, 10) ? 0 : 1;
    }
    _exit(status);
}

int CAsyncBench_spawn_tasks(int64_t n, const char *path, char *const argv[], pid_t *pids, int64_t *started) {
    *started = 0;
    for (int64_t i = 0; i < n; i++) {
        pid_t pid;
        int rc = posix_spawn(&pid, path, NULL, NULL, argv, environ);
        if (rc != 0) return rc;
        pids[i] = pid;
        *started = i + 1;
    }
    return 0;
}

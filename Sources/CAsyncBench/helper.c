// The spawn backend: posix_spawn of N task helpers, and the C constructor that makes the
// asyncbench binary one. In C because the helper does its task and _exits in a constructor,
// before the Swift runtime's main runs: a spawned task costs exec, not Swift's start-up.
#include "CAsyncBench_helper.h"

#include "CAsyncBench_clock.h"
#include "CAsyncBench_tasks.h"

#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <string.h>
#include <unistd.h>

extern char **environ;

/// The helper's entry: runs before main (and before any Swift code) when the first argument is
/// CASYNCBENCH_HELPER_FLAG, the second the spawning cell's pid; dies with that cell, does the
/// task and exits with 0 (done) or 1 (failed).
__attribute__((constructor)) static void CAsyncBench_task_helper(int argc, char **argv, char **envp) {
    (void)envp;
    if (argc < 4 || argv == NULL || strcmp(argv[1], CASYNCBENCH_HELPER_FLAG) != 0) return;
    pid_t parent = (pid_t)strtol(argv[2], NULL, 10);
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent) _exit(128 + SIGKILL);
    int status = 2;
    if (strcmp(argv[3], "sleep") == 0 && argc >= 5) {
        status = CAsyncBench_sleep_ns(strtoll(argv[4], NULL, 10)) == 0 ? 0 : 1;
    } else if (strcmp(argv[3], "cpu") == 0 && argc >= 6) {
        uint64_t iterations = strtoull(argv[4], NULL, 10);
        status = CAsyncBench_cpu_work(iterations, 42) == strtoull(argv[5], NULL, 10) ? 0 : 1;
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

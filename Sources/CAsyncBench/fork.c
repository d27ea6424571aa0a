// Forking N task children, and the anonymous memory they share with the parent for their results.
// In C because a forked child of a multithreaded Swift process must not touch the Swift runtime:
// the child runs its C task body and _exits without returning to Swift.
#include "CAsyncBench_fork.h"

#include "CAsyncBench_heap.h"

#include <errno.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <unistd.h>

void *CAsyncBench_map_shared(size_t bytes) {
    void *address = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    return address == MAP_FAILED ? NULL : address;
}

void CAsyncBench_unmap(void *address, size_t bytes) { munmap(address, bytes); }

int CAsyncBench_fork_tasks(
    int64_t n, CAsyncBench_task_fn fn, void *context, pid_t *pids, int64_t *started,
    int64_t *child_memory) {
    *started = 0;
    pid_t parent = getpid();
    for (int64_t i = 0; i < n; i++) {
        pid_t pid = fork();
        if (pid < 0) return errno;
        if (pid == 0) {
            // Child: async-signal-safe calls only, then _exit (no atexit handlers, no stdio flush).
            // It dies with the cell, however the cell ends (a SIGKILLed sweep takes its cell along).
            if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent) _exit(128 + SIGKILL);
            int status = fn(context, i);
            if (child_memory != NULL) {
                child_memory[i] = CAsyncBench_own_private_bytes();
                child_memory[n + i] = CAsyncBench_own_page_table_bytes();
            }
            _exit(status & 0xff);
        }
        pids[i] = pid;
        *started = i + 1;
    }
    return 0;
}

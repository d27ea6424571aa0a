// Spawning a cell process, and dying with the parent (spawn.c).
#ifndef CASYNCBENCH_SPAWN_H
#define CASYNCBENCH_SPAWN_H

#include <sys/types.h>

/// posix_spawn of `path` with `argv` in a new process group; stdout and stderr go to the given
/// descriptors, stdin is /dev/null. The environment is `envp`, or this process's when NULL.
/// Returns 0 or an errno value.
int CAsyncBench_spawn(
    const char *path, char *const argv[], char *const envp[], int stdout_fd, int stderr_fd, pid_t *pid);

/// fork and execve of a worker program at `path` (absolute) with `argv`, in the caller's process
/// group (a cell killed with its group takes its worker along), dying with the caller
/// (PR_SET_PDEATHSIG); its stdin and stdout are the given descriptors, stderr the caller's.
/// Returns 0 or an errno value (a failed exec makes the child exit with status 127).
int CAsyncBench_spawn_worker(const char *path, char *const argv[], int stdin_fd, int stdout_fd, pid_t *pid);

/// Makes the calling process receive SIGKILL when its parent dies; exits at once if the parent
/// `expected_parent` is already gone. Returns 0 or an errno value.
int CAsyncBench_die_with_parent(pid_t expected_parent);

#endif

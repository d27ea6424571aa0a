// Starting an external tool (a probe, a compiler, gnuplot) that must not outlive asyncbench
// (tool.c).
#ifndef CASYNCBENCH_TOOL_H
#define CASYNCBENCH_TOOL_H

#include <sys/types.h>

/// fork and execve of `path` (a path, not looked up in PATH) with `argv` and `envp` (NULL: this
/// process's environment) in a new process group of its own (its pgid is its pid), dying with
/// the calling thread (PR_SET_PDEATHSIG: the caller waits for it on that thread), in the folder
/// `directory` (NULL: this process's). Its stdin is /dev/null, its stdout and stderr the given
/// descriptors; SIGINT, SIGTERM, SIGHUP, SIGPIPE and SIGXFSZ are back to their defaults and no
/// signal is blocked. Returns 0, or the errno of what failed (fork, or in the child chdir or
/// execve: reported through a close-on-exec pipe, and the child reaped).
int CAsyncBench_spawn_tool(const char *directory, const char *path, char *const argv[], char *const envp[],
    int stdout_fd, int stderr_fd, pid_t *pid);

/// SIGKILLs every process listed in the cgroup folder `folder` (`cgroup.kill` where the kernel
/// has it, cgroup v2; else each pid of `cgroup.procs`, read again until none is left or
/// `rounds` reads were made: a process may fork while it is being killed). Returns the number of
/// processes signalled through cgroup.procs (0 with cgroup.kill), or -1 when the folder has no
/// cgroup.procs. Async-signal-safe calls only (the janitor uses it).
int CAsyncBench_kill_cgroup(const char *folder, int rounds);

#endif

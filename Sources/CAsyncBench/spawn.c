// Spawning a cell process in its own process group, a worker program in the cell's, and making
// a cell die with its parent. In C
// because posix_spawn's file actions and attributes are opaque C types, and prctl is variadic,
// which Swift cannot call.
#include "CAsyncBench_spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/prctl.h>
#include <unistd.h>

extern char **environ;

/// posix_spawn with the file actions and attributes both spawns share: stdin from `stdin_fd` (or
/// /dev/null when -1), stdout and stderr to the given descriptors (stderr kept when -1), SIGPIPE
/// (and with `own_group`, SIGINT, SIGTERM, SIGHUP) at their defaults, no signal blocked, and
/// with `own_group` a new process group. `search` looks the program up on PATH.
static int CAsyncBench_spawn_with(
    const char *path, char *const argv[], char *const envp[], int stdin_fd, int stdout_fd, int stderr_fd,
    int own_group, int search, pid_t *pid) {
    posix_spawn_file_actions_t actions;
    posix_spawnattr_t attributes;
    int rc = posix_spawn_file_actions_init(&actions);
    if (rc != 0) return rc;
    rc = posix_spawnattr_init(&attributes);
    if (rc != 0) {
        posix_spawn_file_actions_destroy(&actions);
        return rc;
    }
    sigset_t defaults, none;
    sigemptyset(&none);
    sigemptyset(&defaults);
    sigaddset(&defaults, SIGPIPE);
    if (own_group) {
        sigaddset(&defaults, SIGINT);
        sigaddset(&defaults, SIGTERM);
        sigaddset(&defaults, SIGHUP);
    }
    short flags = POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK | (own_group ? POSIX_SPAWN_SETPGROUP : 0);
    if (stdin_fd < 0) {
        rc = posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    } else {
        rc = posix_spawn_file_actions_adddup2(&actions, stdin_fd, 0);
    }
    if (rc == 0) rc = posix_spawn_file_actions_adddup2(&actions, stdout_fd, 1);
    if (rc == 0 && stderr_fd >= 0) rc = posix_spawn_file_actions_adddup2(&actions, stderr_fd, 2);
    if (rc == 0 && own_group) rc = posix_spawnattr_setpgroup(&attributes, 0);
    if (rc == 0) rc = posix_spawnattr_setsigdefault(&attributes, &defaults);
    if (rc == 0) rc = posix_spawnattr_setsigmask(&attributes, &none);
    if (rc == 0) rc = posix_spawnattr_setflags(&attributes, flags);
    if (rc == 0) {
        char *const *environment = envp != NULL ? envp : environ;
        rc = search ? posix_spawnp(pid, path, &actions, &attributes, argv, environment)
                    : posix_spawn(pid, path, &actions, &attributes, argv, environment);
    }
    posix_spawnattr_destroy(&attributes);
    posix_spawn_file_actions_destroy(&actions);
    return rc;
}

int CAsyncBench_spawn(
    const char *path, char *const argv[], char *const envp[], int stdout_fd, int stderr_fd, pid_t *pid) {
    return CAsyncBench_spawn_with(path, argv, envp, -1, stdout_fd, stderr_fd, 1, 0, pid);
}

int CAsyncBench_spawn_worker(const char *path, char *const argv[], int stdin_fd, int stdout_fd, pid_t *pid) {
    // The cell ignores SIGPIPE while it talks to the worker; the worker starts with the default.
    return CAsyncBench_spawn_with(path, argv, NULL, stdin_fd, stdout_fd, -1, 0, 1, pid);
}

int CAsyncBench_die_with_parent(pid_t expected_parent) {
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) return errno;
    if (getppid() != expected_parent) _exit(128 + SIGKILL);
    return 0;
}

// Starting an external tool in a process group of its own that dies with asyncbench, and killing
// what is left in a cell's cgroup. In C because the child of a fork in a multithreaded process
// may only make async-signal-safe calls until execve, and prctl is variadic.
#include "CAsyncBench_tool.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

// The child's side: async-signal-safe calls only; an error goes to `report` as an int.
static void CAsyncBench_tool_child(const char *directory, const char *path, char *const argv[], char *const envp[],
    int stdout_fd, int stderr_fd, int report, pid_t parent) {
    int error = 0;
    if (setpgid(0, 0) != 0 || prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) error = errno;
    if (error == 0 && getppid() != parent) _exit(128 + SIGKILL);
    if (error == 0 && directory != NULL && chdir(directory) != 0) error = errno;
    int null = error == 0 ? open("/dev/null", O_RDONLY) : -1;
    if (error == 0 && null < 0) error = errno;
    if (error == 0 && (dup2(null, 0) < 0 || dup2(stdout_fd, 1) < 0 || dup2(stderr_fd, 2) < 0)) error = errno;
    if (error == 0) {
        struct sigaction action;
        memset(&action, 0, sizeof action);
        action.sa_handler = SIG_DFL;
        const int defaults[] = {SIGINT, SIGTERM, SIGHUP, SIGPIPE, SIGXFSZ};
        for (size_t i = 0; i < sizeof defaults / sizeof defaults[0]; i++) sigaction(defaults[i], &action, NULL);
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        execve(path, argv, envp != NULL ? envp : environ);
        error = errno;
    }
    ssize_t ignored = write(report, &error, sizeof error);
    (void)ignored;
    _exit(127);
}

int CAsyncBench_spawn_tool(const char *directory, const char *path, char *const argv[], char *const envp[],
    int stdout_fd, int stderr_fd, pid_t *pid) {
    int report[2];
    if (pipe2(report, O_CLOEXEC) != 0) return errno;
    pid_t parent = getpid();
    pid_t child = fork();
    if (child < 0) {
        int error = errno;
        close(report[0]);
        close(report[1]);
        return error;
    }
    if (child == 0) {
        close(report[0]);
        CAsyncBench_tool_child(directory, path, argv, envp, stdout_fd, stderr_fd, report[1], parent);
    }
    close(report[1]);
    // Both sides set the group, so that it exists whichever runs first (a kill(-pid) at once).
    setpgid(child, child);
    int error = 0;
    ssize_t count;
    do {
        count = read(report[0], &error, sizeof error);
    } while (count < 0 && errno == EINTR);
    close(report[0]);
    if (count == (ssize_t)sizeof error && error != 0) {
        int status;
        while (waitpid(child, &status, 0) < 0 && errno == EINTR) {}
        return error;
    }
    *pid = child;
    return 0;
}

int CAsyncBench_kill_cgroup(const char *folder, int rounds) {
    char path[PATH_MAX];
    if (snprintf(path, sizeof path, "%s/cgroup.kill", folder) < (int)sizeof path) {
        int fd = open(path, O_WRONLY | O_CLOEXEC);
        if (fd >= 0) {
            ssize_t written = write(fd, "1", 1);
            close(fd);
            if (written == 1) return 0;
        }
    }
    if (snprintf(path, sizeof path, "%s/cgroup.procs", folder) >= (int)sizeof path) return -1;
    int signalled = 0;
    for (int round = 0; round < rounds; round++) {
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0) return round == 0 ? -1 : signalled;
        char buffer[4096];
        long pid = 0;
        int digits = 0, found = 0;
        ssize_t count;
        while ((count = read(fd, buffer, sizeof buffer)) > 0 || (count < 0 && errno == EINTR)) {
            for (ssize_t i = 0; i < count; i++) {
                if (buffer[i] >= '0' && buffer[i] <= '9' && pid < INT_MAX / 10) {
                    pid = pid * 10 + (buffer[i] - '0');
                    digits++;
                } else {
                    if (digits > 0 && pid > 1 && pid != getpid()) {
                        kill((pid_t)pid, SIGKILL);
                        signalled++;
                        found++;
                    }
                    pid = 0;
                    digits = 0;
                }
            }
        }
        close(fd);
        if (found == 0) break;
        struct timespec pause = {0, 2 * 1000 * 1000};
        nanosleep(&pause, NULL);
    }
    return signalled;
}

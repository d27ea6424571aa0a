// The janitor (see CAsyncBench_janitor.h). In C because it runs from a constructor, before the
// Swift runtime's main, and because posix_spawn's file actions are opaque C types.
#define _GNU_SOURCE
#include "CAsyncBench_janitor.h"
#include "CAsyncBench_tool.h"
#include "CAsyncBench_tree.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

enum { JANITOR_MAX_PATHS = 256, JANITOR_PATH_BYTES = 4096 };

static char janitor_paths[JANITOR_MAX_PATHS][JANITOR_PATH_BYTES];
static pid_t janitor_groups[JANITOR_MAX_PATHS];

static int janitor_is_cgroup(const char *path) { return strncmp(path, "/sys/fs/cgroup/", 15) == 0; }

static void janitor_remove_all(void) {
    // Process groups first (a tool's helpers), then each cell cgroup's processes (whatever they
    // did with their groups and sessions), then the folders.
    for (int i = 0; i < JANITOR_MAX_PATHS; i++) {
        if (janitor_groups[i] > 1) kill(-janitor_groups[i], SIGKILL);
    }
    for (int i = 0; i < JANITOR_MAX_PATHS; i++) {
        if (janitor_paths[i][0] != '\0' && janitor_is_cgroup(janitor_paths[i])) {
            CAsyncBench_kill_cgroup(janitor_paths[i], 200);
        }
    }
    for (int i = 0; i < JANITOR_MAX_PATHS; i++) {
        if (janitor_paths[i][0] == '\0') continue;
        if (janitor_is_cgroup(janitor_paths[i])) {
            // A killed process leaves its cgroup a moment after it dies: rmdir retried for a second.
            for (int tries = 0; tries < 100 && rmdir(janitor_paths[i]) != 0 && errno == EBUSY; tries++) {
                struct timespec pause = {0, 10 * 1000 * 1000};
                nanosleep(&pause, NULL);
            }
        } else {
            CAsyncBench_remove_tree(janitor_paths[i]);
        }
    }
}

static void janitor_group(const char *digits, int add) {
    char *end = NULL;
    long group = strtol(digits, &end, 10);
    if (end == digits || *end != '\0' || group <= 1 || group > 0x7fffffffL) return;
    for (int i = 0; i < JANITOR_MAX_PATHS; i++) {
        if (add && janitor_groups[i] == 0) {
            janitor_groups[i] = (pid_t)group;
            return;
        }
        if (!add && janitor_groups[i] == (pid_t)group) janitor_groups[i] = 0;
    }
}

static void janitor_line(const char *line) {
    if (line[0] == 'g' || line[0] == 'G') {
        janitor_group(line + 1, line[0] == 'g');
    } else if (line[0] == '+') {
        for (int i = 0; i < JANITOR_MAX_PATHS; i++) {
            if (janitor_paths[i][0] == '\0') {
                snprintf(janitor_paths[i], JANITOR_PATH_BYTES, "%s", line + 1);
                return;
            }
        }
    } else if (line[0] == '-') {
        for (int i = 0; i < JANITOR_MAX_PATHS; i++) {
            if (strcmp(janitor_paths[i], line + 1) == 0) janitor_paths[i][0] = '\0';
        }
    }
}

__attribute__((constructor)) static void CAsyncBench_janitor_main(int argc, char **argv, char **envp) {
    (void)envp;
    if (argc < 2 || argv == NULL || strcmp(argv[1], CASYNCBENCH_JANITOR_FLAG) != 0) return;
    signal(SIGINT, SIG_IGN);
    signal(SIGTERM, SIG_IGN);
    signal(SIGHUP, SIG_IGN);
    signal(SIGPIPE, SIG_IGN);
    static char line[JANITOR_PATH_BYTES + 2];
    size_t length = 0;
    for (;;) {
        char byte;
        ssize_t count = read(0, &byte, 1);
        if (count < 0 && errno == EINTR) continue;
        if (count <= 0) break;
        if (byte == '\n') {
            line[length] = '\0';
            // The sweep is exiting in order and waits for us: what is listed goes now, no pause.
            if (strcmp(line, ".") == 0) {
                janitor_remove_all();
                _exit(0);
            }
            janitor_line(line);
            length = 0;
        } else if (length < sizeof(line) - 1) {
            line[length++] = byte;
        }
    }
    janitor_remove_all();
    struct timespec pause = {0, 200 * 1000 * 1000};
    while (nanosleep(&pause, &pause) != 0 && errno == EINTR) {}
    janitor_remove_all();
    _exit(0);
}

int CAsyncBench_spawn_janitor(const char *path, int *write_fd, pid_t *pid) {
    // A socket pair rather than a pipe: `send` with MSG_NOSIGNAL to a janitor that is gone
    // fails with EPIPE instead of killing the sweep with SIGPIPE.
    int fds[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0) return errno;
    posix_spawn_file_actions_t actions;
    posix_spawnattr_t attributes;
    int rc = posix_spawn_file_actions_init(&actions);
    if (rc != 0) {
        close(fds[0]);
        close(fds[1]);
        return rc;
    }
    rc = posix_spawnattr_init(&attributes);
    if (rc == 0) {
        sigset_t none;
        sigemptyset(&none);
        rc = posix_spawn_file_actions_adddup2(&actions, fds[0], 0);
        if (rc == 0) rc = posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
        if (rc == 0) rc = posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
        if (rc == 0) rc = posix_spawnattr_setpgroup(&attributes, 0);
        if (rc == 0) rc = posix_spawnattr_setsigmask(&attributes, &none);
        if (rc == 0) rc = posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK);
        char *const argv[] = {(char *)path, CASYNCBENCH_JANITOR_FLAG, NULL};
        if (rc == 0) rc = posix_spawn(pid, path, &actions, &attributes, argv, environ);
        posix_spawnattr_destroy(&attributes);
    }
    posix_spawn_file_actions_destroy(&actions);
    close(fds[0]);
    if (rc != 0) {
        close(fds[1]);
        return rc;
    }
    shutdown(fds[1], SHUT_RD);
    *write_fd = fds[1];
    return 0;
}

int CAsyncBench_janitor_send(int fd, const char *line) {
    size_t length = strlen(line);
    for (;;) {
        ssize_t sent = send(fd, line, length, MSG_NOSIGNAL);
        if (sent < 0 && errno == EINTR) continue;
        if (sent < 0) return errno;
        if ((size_t)sent == length) return 0;
        line += sent;
        length -= (size_t)sent;
    }
}

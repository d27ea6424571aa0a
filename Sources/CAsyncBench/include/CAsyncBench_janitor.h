// The janitor: a process that outlives the sweep to remove what the sweep could not (janitor.c).
#ifndef CASYNCBENCH_JANITOR_H
#define CASYNCBENCH_JANITOR_H

#include <sys/types.h>

/// The first argument that makes the asyncbench binary a janitor: a C constructor sees it before
/// the Swift runtime's main runs.
///   asyncbench __asyncbench-janitor
/// It reads lines from its stdin: `+PATH` (remove the folder PATH if the sweep goes away while
/// it is still listed; a cgroup folder under /sys/fs/cgroup/ has its processes killed first),
/// `-PATH` (the sweep removed it itself), `gPGID` / `GPGID` (list / unlist a process group to
/// SIGKILL: a tool's), and `.` (the sweep exits in order and waits: clean up now and exit). At
/// end of input, however the sweep ended (SIGKILL included: the kernel closes its socket), it
/// kills the listed groups and cgroups' processes, removes every folder still listed, twice
/// 200 ms apart (a cell killed at the same moment may still finish a write), and exits. It ignores SIGINT, SIGTERM, SIGHUP and SIGPIPE, so a Ctrl-C of the terminal's process
/// group does not stop it before its work.
#define CASYNCBENCH_JANITOR_FLAG "__asyncbench-janitor"

/// posix_spawns `path` (the asyncbench binary) as a janitor in a process group of its own, its
/// stdin one end of a new socket pair whose other end (close-on-exec, so no cell inherits it)
/// goes to `*write_fd`. Returns 0 or an errno value.
int CAsyncBench_spawn_janitor(const char *path, int *write_fd, pid_t *pid);

/// Sends `line` (with its newline) to the janitor on `fd`, whole; EPIPE (not SIGPIPE) when the
/// janitor is gone. Returns 0 or an errno value.
int CAsyncBench_janitor_send(int fd, const char *line);

#endif

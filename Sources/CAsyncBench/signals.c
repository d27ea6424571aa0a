// The interrupt handlers (SIGINT, SIGTERM, SIGHUP) that kill the running cell's process group,
// and signal names. In C because a signal handler may only make async-signal-safe calls and touch
// volatile sig_atomic_t state, which a Swift closure cannot promise; snprintf is variadic.
#include "CAsyncBench_signals.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

static volatile sig_atomic_t CAsyncBench_child_group = 0;
static volatile sig_atomic_t CAsyncBench_signal = 0;

static void CAsyncBench_on_interrupt(int signal_number) {
    int saved = errno;
    CAsyncBench_signal = signal_number;
    pid_t group = CAsyncBench_child_group;
    if (group > 0) kill(-group, SIGKILL);
    errno = saved;
}

int CAsyncBench_install_interrupt_handlers(void) {
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = CAsyncBench_on_interrupt;
    sigemptyset(&action.sa_mask);
    action.sa_flags = 0;  // no SA_RESTART: a blocked poll returns EINTR at once
    if (sigaction(SIGINT, &action, NULL) != 0) return errno;
    if (sigaction(SIGTERM, &action, NULL) != 0) return errno;
    if (sigaction(SIGHUP, &action, NULL) != 0) return errno;
    // A file size limit is an error to report (EFBIG: the results file keeps whole rows), not a
    // death: cells get the default back at spawn.
    signal(SIGXFSZ, SIG_IGN);
    // A process may start with these blocked (a parent's thread that blocked them, e.g. a
    // Dispatch worker, spawned it): unblock them, or Ctrl-C would never arrive.
    sigset_t interrupts;
    sigemptyset(&interrupts);
    sigaddset(&interrupts, SIGINT);
    sigaddset(&interrupts, SIGTERM);
    sigaddset(&interrupts, SIGHUP);
    return pthread_sigmask(SIG_UNBLOCK, &interrupts, NULL);
}

void CAsyncBench_set_child_group(pid_t pgid) { CAsyncBench_child_group = pgid; }

int CAsyncBench_interrupted(void) { return CAsyncBench_signal; }

const char *CAsyncBench_signal_name(int signal_number, char *buffer, size_t size) {
    const char *abbreviation = sigabbrev_np(signal_number);
    if (abbreviation != NULL) {
        snprintf(buffer, size, "SIG%s", abbreviation);
    } else {
        snprintf(buffer, size, "signal %d", signal_number);
    }
    return buffer;
}

// Interrupt handlers that kill the running cell, and signal names (signals.c).
#ifndef CASYNCBENCH_SIGNALS_H
#define CASYNCBENCH_SIGNALS_H

#include <stddef.h>
#include <sys/types.h>

/// Installs SIGINT, SIGTERM and SIGHUP handlers that record the signal and SIGKILL the process
/// group set with CAsyncBench_set_child_group (the running cell), without SA_RESTART.
int CAsyncBench_install_interrupt_handlers(void);

/// Sets (pgid > 0) or clears (0) the process group the interrupt handler kills.
void CAsyncBench_set_child_group(pid_t pgid);

/// The signal that interrupted the run, or 0.
int CAsyncBench_interrupted(void);

/// The signal's name with its SIG prefix ("SIGSEGV"), or "signal N" when unknown.
/// Writes into `buffer` (room for `size` bytes) and returns it.
const char *CAsyncBench_signal_name(int signal_number, char *buffer, size_t size);

#endif

// Facts about the host: glibc version, instruction counting (host.c).
#ifndef CASYNCBENCH_HOST_H
#define CASYNCBENCH_HOST_H

/// The glibc version string, e.g. "2.36".
const char *CAsyncBench_libc_version(void);

/// 1 when perf_event_open can count this process's retired instructions, else 0.
int CAsyncBench_instructions_supported(void);

#endif

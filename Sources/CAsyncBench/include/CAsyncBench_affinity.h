// CPU pinning (affinity.c).
#ifndef CASYNCBENCH_AFFINITY_H
#define CASYNCBENCH_AFFINITY_H

/// The first CPU the calling thread may run on, or -1 on error.
int CAsyncBench_first_allowed_cpu(void);

/// Pins the calling thread (and so the threads and processes it creates later) to the first CPU
/// it may run on. Writes that CPU's number to `*cpu`. Returns 0 or an errno value.
int CAsyncBench_pin_to_first_cpu(int *cpu);

#endif

// CAsyncBench: the few things asyncbench does below what Swift can do safely.
//
// - the body a forked child runs, which may only make async-signal-safe calls until _exit;
// - fork of N children, pthread creation with an explicit stack size;
// - a /proc sampler thread that records the peak thread count without Swift runtime work;
// - spawning a cell process in its own process group, and signal handling that kills it.
//
// This umbrella header includes one header per concern (each beside the .c file of the same
// name), so that `import CAsyncBench` sees every symbol. Every symbol is prefixed with
// CAsyncBench_. No variable is defined in these headers.
#ifndef CASYNCBENCH_H
#define CASYNCBENCH_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/types.h>

#include "CAsyncBench_clock.h"
#include "CAsyncBench_tasks.h"
#include "CAsyncBench_fork.h"
#include "CAsyncBench_threads.h"
#include "CAsyncBench_shortage.h"
#include "CAsyncBench_sampler.h"
#include "CAsyncBench_spawn.h"
#include "CAsyncBench_signals.h"
#include "CAsyncBench_proc.h"
#include "CAsyncBench_host.h"
#include "CAsyncBench_pipes.h"
#include "CAsyncBench_tree.h"
#include "CAsyncBench_affinity.h"
#include "CAsyncBench_file.h"
#include "CAsyncBench_tcp.h"
#include "CAsyncBench_helper.h"
#include "CAsyncBench_heap.h"
#include "CAsyncBench_janitor.h"
#include "CAsyncBench_kernel.h"
#include "CAsyncBench_tool.h"

#endif

// CAsyncBench: the few things asyncbench does below what Swift can do safely.
//
// - the body a forked child runs, which may only make async-signal-safe calls until _exit;
// - fork of N children, pthread creation with an explicit stack size;
// - a /proc sampler thread that records the peak thread count without Swift runtime work;
// - spawning a cell process in its own process group, and signal handling that kills it.
//
// Every symbol is prefixed with CAsyncBench_. No variable is defined in this header.
#ifndef CASYNCBENCH_H
#define CASYNCBENCH_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/types.h>

/// The body one task runs inside a forked child: async-signal-safe calls only.
/// Returns the child's exit status (0 = the task succeeded).
typedef int (*CAsyncBench_task_fn)(void *context, int64_t index);

/// Waits `ns` nanoseconds on CLOCK_MONOTONIC, resuming after signals until the deadline.
/// Async-signal-safe. Returns 0 or an errno value.
int CAsyncBench_sleep_ns(int64_t ns);

/// The `sleep` workload's task: wait `nanoseconds`; when `lateness` is set, write how late the
/// task woke (ns past its deadline) to `lateness[index]`.
typedef struct {
    int64_t nanoseconds;
    int64_t *lateness;
    /// Slots in `lateness`; a task whose index is beyond them records nothing.
    int64_t slots;
} CAsyncBench_sleep_task;

/// CLOCK_MONOTONIC in nanoseconds. Async-signal-safe.
int64_t CAsyncBench_monotonic_ns(void);

/// Runs one `sleep` task on this thread (async-signal-safe). Returns 0 or an errno value.
int CAsyncBench_sleep_task_run(const CAsyncBench_sleep_task *task, int64_t index);

/// Process task for the `sleep` workload: `context` is a `CAsyncBench_sleep_task`.
int CAsyncBench_task_sleep(void *context, int64_t index);

/// Anonymous memory shared with forked children (MAP_SHARED), zeroed; NULL on failure.
void *CAsyncBench_map_shared(size_t bytes);

/// Releases memory from `CAsyncBench_map_shared`.
void CAsyncBench_unmap(void *address, size_t bytes);

/// Process task for the test-only `crash` workload: the task raises SIGSEGV.
int CAsyncBench_task_crash(void *context, int64_t index);

/// Forks `n` children; child `i` runs `fn(context, i)` and `_exit`s with its result.
/// The pids go to `pids` (room for `n`), the number forked to `*started`. When `child_memory`
/// is set (memory shared with the children, room for `n`), child `i` writes its own private
/// memory (`CAsyncBench_own_private_bytes`) to `child_memory[i]` after its task, before `_exit`.
/// Returns 0, or the errno of the fork that failed (the children already forked keep running:
/// the caller waits for them).
int CAsyncBench_fork_tasks(
    int64_t n, CAsyncBench_task_fn fn, void *context, pid_t *pids, int64_t *started,
    int64_t *child_memory);

/// pthread_create with an explicit stack size (0 = the system default from RLIMIT_STACK).
/// Returns 0 or the errno value pthread_create / pthread_attr_setstacksize returned.
int CAsyncBench_thread_create(
    pthread_t *thread, size_t stack_size, void *(*start)(void *), void *argument);

/// The default stack size a new pthread gets (glibc derives it from RLIMIT_STACK).
size_t CAsyncBench_default_thread_stack(void);

/// The smallest stack pthread_attr_setstacksize accepts (PTHREAD_STACK_MIN).
size_t CAsyncBench_min_thread_stack(void);

/// The calling process's current number of threads, from /proc/self/stat; -1 on error.
int CAsyncBench_thread_count(void);

/// A thread that samples /proc/self/stat every `interval_ns` and keeps the peak thread count.
typedef struct CAsyncBench_sampler CAsyncBench_sampler;

/// Starts a sampler; NULL with `*error` set on failure. With `heap` set it also samples
/// `CAsyncBench_heap_in_use` each time and keeps the peak (costly: arena locks; memory
/// repetitions only).
CAsyncBench_sampler *CAsyncBench_sampler_start(int64_t interval_ns, int heap, int *error);

/// Stops and frees the sampler. `*peak_threads` gets the highest count it saw (itself excluded),
/// `*own_usage` the sampler thread's own rusage, for the caller to subtract, `*peak_heap` the
/// most heap bytes in use it saw (-1 when not sampled or unknown).
void CAsyncBench_sampler_stop(
    CAsyncBench_sampler *sampler, int *peak_threads, struct rusage *own_usage, int64_t *peak_heap);

/// posix_spawn of `path` with `argv` in a new process group; stdout and stderr go to the given
/// descriptors, stdin is /dev/null. The environment is `envp`, or this process's when NULL.
/// Returns 0 or an errno value.
int CAsyncBench_spawn(
    const char *path, char *const argv[], char *const envp[], int stdout_fd, int stderr_fd, pid_t *pid);

/// Makes the calling process receive SIGKILL when its parent dies; exits at once if the parent
/// `expected_parent` is already gone. Returns 0 or an errno value.
int CAsyncBench_die_with_parent(pid_t expected_parent);

/// Installs SIGINT, SIGTERM and SIGHUP handlers that record the signal and SIGKILL the process
/// group set with CAsyncBench_set_child_group (the running cell), without SA_RESTART.
int CAsyncBench_install_interrupt_handlers(void);

/// Sets (pgid > 0) or clears (0) the process group the interrupt handler kills.
void CAsyncBench_set_child_group(pid_t pgid);

/// The signal that interrupted the run, or 0.
int CAsyncBench_interrupted(void);

/// Resets the kernel's peak-RSS counter (VmHWM) of this process: writes "5" to
/// /proc/self/clear_refs. Returns 0 or an errno value.
int CAsyncBench_reset_peak_rss(void);

/// The signal's name with its SIG prefix ("SIGSEGV"), or "signal N" when unknown.
/// Writes into `buffer` (room for `size` bytes) and returns it.
const char *CAsyncBench_signal_name(int signal_number, char *buffer, size_t size);

/// The glibc version string, e.g. "2.36".
const char *CAsyncBench_libc_version(void);

/// pipe2(fds, O_CLOEXEC). Returns 0 or an errno value.
int CAsyncBench_pipe_cloexec(int fds[2]);

/// 1 when perf_event_open can count this process's retired instructions, else 0.
int CAsyncBench_instructions_supported(void);

/// `rm -rf path` without following symbolic links. Returns 0 or an errno value.
int CAsyncBench_remove_tree(const char *path);

/// The pipes of one ping-pong pair: peer 0 writes `to_peer1[1]` and reads `to_peer0[0]`;
/// peer 1 reads `to_peer1[0]` and writes `to_peer0[1]`.
typedef struct {
    int to_peer1[2];
    int to_peer0[2];
} CAsyncBench_pipe_pair;

/// The context of the `switch` workload's process and thread bodies: `pairs[index / 2]` is the
/// pair of task `index`, which is peer `index % 2`.
typedef struct {
    int64_t rounds;
    CAsyncBench_pipe_pair *pairs;
} CAsyncBench_pingpong;

/// One peer's side of `rounds` round trips of a one-byte token over its pair's pipes (what
/// `perf bench sched pipe` does). Async-signal-safe. Returns 0, or an errno value (EPIPE when
/// the other side closed early).
int CAsyncBench_pingpong_peer(const CAsyncBench_pingpong *context, int64_t index);

/// Process task for the `switch` workload: `context` is a `CAsyncBench_pingpong`.
int CAsyncBench_task_pingpong(void *context, int64_t index);

/// The first CPU the calling thread may run on, or -1 on error.
int CAsyncBench_first_allowed_cpu(void);

/// Pins the calling thread (and so the threads and processes it creates later) to the first CPU
/// it may run on. Writes that CPU's number to `*cpu`. Returns 0 or an errno value.
int CAsyncBench_pin_to_first_cpu(int *cpu);

/// Fixed CPU work: `iterations` rounds of a 64-bit mix (xorshift-multiply) from `seed`. The
/// result depends on every round, so the compiler cannot drop the loop. Async-signal-safe.
uint64_t CAsyncBench_cpu_work(uint64_t iterations, uint64_t seed);

/// The context of the `cpu` workload's process body.
typedef struct {
    uint64_t iterations;
    uint64_t expected;
} CAsyncBench_cpu_task;

/// Process task for the `cpu` workload: exits 0 when the work's result is the expected one.
int CAsyncBench_task_cpu(void *context, int64_t index);

/// The `blocking` workload's task: every task waits until the shared deadline `start_ns +
/// nanoseconds` (CLOCK_MONOTONIC; `start_ns` is set when a repetition starts); the tasks that
/// `CAsyncBench_task_blocks` picks first make a blocking call of `block_ns` (nanosleep). The
/// others write how late they woke to `lateness[index]`; blocking ones write INT64_MIN there.
typedef struct {
    int64_t start_ns;
    int64_t nanoseconds;
    int64_t block_ns;
    double fraction;
    int64_t *lateness;
    int64_t slots;
} CAsyncBench_blocking_task;

/// 1 when task `index` is one of the `fraction` of tasks that block: spread evenly, the ones
/// where floor(index × fraction) steps up (fraction 0.1: tasks 9, 19, 29, ...).
int CAsyncBench_task_blocks(int64_t index, double fraction);

/// Runs one `blocking` task on this thread (async-signal-safe). Returns 0 or an errno value.
int CAsyncBench_blocking_task_run(const CAsyncBench_blocking_task *task, int64_t index);

/// Process task for the `blocking` workload: `context` is a `CAsyncBench_blocking_task`.
int CAsyncBench_task_blocking(void *context, int64_t index);

/// The `file` workload's task: write a file of `bytes` bytes to `directory`/f<index>, read it
/// back and compare it byte for byte with what was written (a pattern unique to the task), then
/// remove it. `latency[index]` receives the write-read-verify time in ns (-1 when it failed).
/// `sync` set: fsync after writing. Async-signal-safe (open, write, read, fsync, close, unlink;
/// one 16 KiB buffer on the stack), so forked children run it too.
typedef struct {
    char directory[4096];
    int64_t bytes;
    int32_t sync;
    int64_t *latency;
    int64_t slots;
} CAsyncBench_file_task;

/// What `CAsyncBench_file_task_run` returns when the bytes read back differ from those written
/// (or the file is shorter or longer).
#define CASYNCBENCH_FILE_MISMATCH (-1)

/// Runs one `file` task on this thread. Returns 0, an errno value, or CASYNCBENCH_FILE_MISMATCH.
/// The file is removed whether or not the task succeeded.
int CAsyncBench_file_task_run(const CAsyncBench_file_task *task, int64_t index);

/// Process task for the `file` workload: `context` is a `CAsyncBench_file_task`.
int CAsyncBench_task_file(void *context, int64_t index);

/// The byte at `offset` of task `index`'s file (what the task writes and expects to read back).
uint8_t CAsyncBench_file_byte(int64_t index, int64_t offset);

/// Reads `path` and compares it with task `index`'s `bytes`-byte file: 0 when equal,
/// CASYNCBENCH_FILE_MISMATCH when not (or of another length), else an errno value.
int CAsyncBench_file_check(const char *path, int64_t index, int64_t bytes);

/// Opens a TCP connection to `ipv4:port` (blocking, TCP_NODELAY, close-on-exec) into `*fd`.
/// Async-signal-safe. Returns 0 or an errno value.
int CAsyncBench_tcp_connect(const char *ipv4, int port, int *fd);

/// The same, giving up after `timeout_ns` (> 0; ETIMEDOUT), as a check that a server is there
/// must not hang for the kernel's two minutes of SYN retries.
int CAsyncBench_tcp_connect_within(const char *ipv4, int port, int64_t timeout_ns, int *fd);

/// One request/response of the latency server's protocol on a blocking socket: sends `id`, the
/// length and `length` payload bytes from `buffer`, then reads the response into `buffer` (room
/// for `capacity` bytes; `*response_length` gets its payload length). Async-signal-safe.
/// Returns 0; EPROTO when the response's id is not `id` or its payload does not fit; ECONNRESET
/// when the server closed the connection first; or the errno of a failed send/recv.
int CAsyncBench_tcp_request(
    int fd, uint64_t id, uint32_t length, uint8_t *buffer, uint32_t capacity, uint32_t *response_length);

/// Raises RLIMIT_NOFILE's soft limit to its hard limit; returns the new soft limit (-1: unlimited
/// or unknown).
int64_t CAsyncBench_raise_nofile(void);

/// Makes blocking receives on `fd` fail with EAGAIN after `ns` nanoseconds (SO_RCVTIMEO).
/// Returns 0 or an errno value.
int CAsyncBench_tcp_receive_timeout(int fd, int64_t ns);

/// The `net` workload's task: connect to `host:port`, send `requests` requests of `payload` bytes
/// one after another, each waiting for its response (id checked), then close. Per task `index`:
/// `latency[index * requests + k]` gets request k's round trip in ns (-1 when it failed);
/// `counts[index * 6 + 0..2]` accumulate requests sent, answered and failed over repetitions
/// (sent = answered + failed: a failed request ends the task's connection, later ones are not
/// sent), `counts[index * 6 + 3]` gets the connect time in ns, and `counts[index * 6 + 4..5]`
/// accumulate the failures that timed out and that were resets or closed connections.
/// Async-signal-safe.
typedef struct {
    char host[64];
    int32_t port;
    uint32_t payload;
    int64_t requests;
    int64_t timeout_ns;
    int64_t *latency;
    int64_t *counts;
    int64_t tasks;
} CAsyncBench_net_task;

/// Runs one `net` task on this thread. Returns 0, or the errno of a failed connect (the task
/// fails; request failures are counted, not returned).
int CAsyncBench_net_task_run(const CAsyncBench_net_task *task, int64_t index);

/// Process task for the `net` workload: `context` is a `CAsyncBench_net_task`.
int CAsyncBench_task_net(void *context, int64_t index);

/// The first argument that makes the asyncbench binary a task helper (the `spawn` backend): a C
/// constructor sees it before the Swift runtime's main runs, does the task and `_exit`s.
///   asyncbench __asyncbench-task sleep NANOSECONDS
///   asyncbench __asyncbench-task cpu ITERATIONS EXPECTED
#define CASYNCBENCH_HELPER_FLAG "__asyncbench-task"

/// posix_spawns `n` helpers: `path` with `argv`, this process's environment. The pids go to
/// `pids` (room for `n`), the number started to `*started`. Returns 0, or the errno of the spawn
/// that failed (those already started keep running: the caller waits for them).
int CAsyncBench_spawn_tasks(int64_t n, const char *path, char *const argv[], pid_t *pids, int64_t *started);

/// RLIMIT_NPROC's soft limit (threads + processes this user may have), or -1 when unlimited.
int64_t CAsyncBench_nproc_limit(void);

/// Allocation calls counted while counting was on (see heap.c: this binary passes malloc & co.
/// through to the process's allocator and counts them).
typedef struct {
    /// malloc, calloc, realloc, posix_memalign, aligned_alloc and memalign calls.
    int64_t allocations;
    /// free calls with a non-NULL pointer.
    int64_t frees;
} CAsyncBench_alloc_counts;

/// Turns counting on (resetting both counts to 0) or off.
void CAsyncBench_alloc_counting(int on);

/// The counts since counting was last turned on.
CAsyncBench_alloc_counts CAsyncBench_alloc_counts_read(void);

/// Heap bytes the allocator has handed out and not taken back, by its own statistics: jemalloc's
/// `stats.allocated` (after an epoch refresh) when jemalloc is loaded, else glibc's mallinfo2()
/// (uordblks + hblkhd: in-use chunks of every arena plus mmapped chunks). -1 when unknown.
int64_t CAsyncBench_heap_in_use(void);

/// jemalloc's version when jemalloc is loaded in this process (LD_PRELOAD), else NULL.
const char *CAsyncBench_jemalloc_version(void);

/// This process's own memory: Private_Clean + Private_Dirty of /proc/self/smaps_rollup plus its
/// page tables (VmPTE), bytes; -1 on error. Only open/read/close: safe in a forked child.
int64_t CAsyncBench_own_private_bytes(void);

#endif

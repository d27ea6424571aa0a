// Close-on-exec pipes and the switch workload's ping-pong over them (pipes.c).
#ifndef CASYNCBENCH_PIPES_H
#define CASYNCBENCH_PIPES_H

#include <stdint.h>

/// pipe2(fds, O_CLOEXEC). Returns 0 or an errno value.
int CAsyncBench_pipe_cloexec(int fds[2]);

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

#endif

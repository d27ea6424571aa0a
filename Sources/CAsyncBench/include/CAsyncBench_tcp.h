// The blocking TCP client and the `net` workload's task on it (tcp.c).
#ifndef CASYNCBENCH_TCP_H
#define CASYNCBENCH_TCP_H

#include <stdint.h>

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

/// The `net-rate` workload's task (open loop): connect, then send `per_connection` requests,
/// request k at its intended time `start + offsets[index * per_connection + k]` (start: when the
/// connection was made), each after the previous reply (one outstanding request per connection,
/// as wrk2 does), or from `*epoch` when the connection opened before it. Slot `index * per_connection + k` of `corrected` gets the reply's time from
/// the intended send, of `uncorrected` from the actual send, of `lag` how late the send was (ns;
/// -1 when the request was not answered). `counts[index * 8 + ...]`: 0..2 sent, answered,
/// failed (accumulated), 3 connect ns, 4 timed out, 5 reset or closed (accumulated), 6 the
/// schedule's start (CLOCK_MONOTONIC ns). Async-signal-safe.
typedef struct {
    char host[64];
    int32_t port;
    uint32_t payload;
    int64_t per_connection;
    int64_t timeout_ns;
    const int64_t *offsets;
    const int64_t *epoch;
    int64_t *corrected;
    int64_t *uncorrected;
    int64_t *lag;
    int64_t *counts;
    int64_t tasks;
} CAsyncBench_net_rate_task;

/// Runs one `net-rate` task on this thread. Returns 0, or the errno of a failed connect.
int CAsyncBench_net_rate_task_run(const CAsyncBench_net_rate_task *task, int64_t index);

/// Process task for the `net-rate` workload: `context` is a `CAsyncBench_net_rate_task`.
int CAsyncBench_task_net_rate(void *context, int64_t index);

#endif

// A blocking TCP client for the latency server's protocol, and the net workload's task on it. In C
// because forked children run it between fork and _exit: async-signal-safe socket calls only
// (no Swift runtime, no NIO, no allocation: a larger payload buffer is mmapped).
#include "CAsyncBench_tcp.h"

#include "CAsyncBench_clock.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

int CAsyncBench_tcp_connect(const char *ipv4, int port, int *fd) {
    return CAsyncBench_tcp_connect_within(ipv4, port, 0, fd);
}

int CAsyncBench_tcp_connect_within(const char *ipv4, int port, int64_t timeout_ns, int *fd) {
    struct sockaddr_in address;
    memset(&address, 0, sizeof address);
    address.sin_family = AF_INET;
    address.sin_port = htons((uint16_t)port);
    if (inet_pton(AF_INET, ipv4, &address.sin_addr) != 1) return EINVAL;
    int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (s < 0) return errno;
    int one = 1;
    setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (timeout_ns > 0) {
        // Linux bounds a blocking connect by the send timeout (EINPROGRESS when it expires).
        struct timeval limit = {(time_t)(timeout_ns / 1000000000), (suseconds_t)(timeout_ns % 1000000000 / 1000)};
        setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &limit, sizeof limit);
    }
    if (connect(s, (struct sockaddr *)&address, sizeof address) != 0) {
        int error = errno;
        // Interrupted, the connection goes on in the background: wait for it to finish.
        if (error == EINTR || error == EALREADY) {
            struct pollfd writable = {s, POLLOUT, 0};
            int ready;
            do {
                ready = poll(&writable, 1, timeout_ns > 0 ? (int)(timeout_ns / 1000000) : -1);
            } while (ready < 0 && errno == EINTR);
            socklen_t length = sizeof error;
            error = ready == 0 ? ETIMEDOUT : 0;
            if (ready > 0 && getsockopt(s, SOL_SOCKET, SO_ERROR, &error, &length) != 0) error = errno;
        } else if (error == EINPROGRESS) {
            error = ETIMEDOUT;
        }
        if (error != 0) {
            close(s);
            return error;
        }
    }
    *fd = s;
    return 0;
}

/// Sends or receives exactly `length` bytes. Returns 0, ECONNRESET on end of stream, or errno.
static int CAsyncBench_exactly(int fd, uint8_t *bytes, size_t length, int sending) {
    size_t done = 0;
    while (done < length) {
        ssize_t n = sending ? send(fd, bytes + done, length - done, MSG_NOSIGNAL) : recv(fd, bytes + done, length - done, 0);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return errno;
        if (n == 0) return ECONNRESET;
        done += (size_t)n;
    }
    return 0;
}

static void CAsyncBench_put_header(uint8_t *header, uint64_t id, uint32_t length) {
    for (int i = 0; i < 8; i++) header[i] = (uint8_t)(id >> (56 - 8 * i));
    for (int i = 0; i < 4; i++) header[8 + i] = (uint8_t)(length >> (24 - 8 * i));
}

int CAsyncBench_tcp_request(
    int fd, uint64_t id, uint32_t length, uint8_t *buffer, uint32_t capacity, uint32_t *response_length) {
    uint8_t header[12];
    CAsyncBench_put_header(header, id, length);
    int rc = CAsyncBench_exactly(fd, header, sizeof header, 1);
    if (rc == 0 && length > 0) rc = CAsyncBench_exactly(fd, buffer, length, 1);
    if (rc == 0) rc = CAsyncBench_exactly(fd, header, sizeof header, 0);
    if (rc != 0) return rc;
    uint64_t answered = 0;
    for (int i = 0; i < 8; i++) answered = (answered << 8) | header[i];
    uint32_t size = 0;
    for (int i = 8; i < 12; i++) size = (size << 8) | header[i];
    if (answered != id || size > capacity) return EPROTO;
    if (size > 0) rc = CAsyncBench_exactly(fd, buffer, size, 0);
    if (rc == 0 && response_length != NULL) *response_length = size;
    return rc;
}

int CAsyncBench_tcp_receive_timeout(int fd, int64_t ns) {
    struct timeval timeout = {(time_t)(ns / 1000000000LL), (suseconds_t)((ns % 1000000000LL) / 1000)};
    return setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout) == 0 ? 0 : errno;
}

/// The buffer of a task's payloads: `small` (of `*capacity` bytes) when it fits, else an mmapped
/// one (`*capacity` set to its size; unmap it when done), filled with 'a'; NULL when mmap fails.
/// Async-signal-safe.
static uint8_t *CAsyncBench_payload_buffer(uint8_t *small, uint32_t payload, size_t *capacity) {
    uint8_t *buffer = small;
    if (payload > *capacity) {
        *capacity = payload;
        void *mapped = mmap(NULL, payload, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (mapped == MAP_FAILED) return NULL;
        buffer = mapped;
    }
    memset(buffer, 'a', payload);
    return buffer;
}

int CAsyncBench_net_task_run(const CAsyncBench_net_task *task, int64_t index) {
    if (index < 0 || index >= task->tasks) return EINVAL;
    int64_t *counts = task->counts + index * 6;
    int64_t started = CAsyncBench_monotonic_ns();
    int fd = -1;
    int rc = CAsyncBench_tcp_connect(task->host, task->port, &fd);
    if (rc != 0) return rc;
    counts[3] = CAsyncBench_monotonic_ns() - started;
    if (task->timeout_ns > 0) CAsyncBench_tcp_receive_timeout(fd, task->timeout_ns);
    uint8_t small[2048];
    size_t capacity = sizeof small;
    uint8_t *buffer = CAsyncBench_payload_buffer(small, task->payload, &capacity);
    if (buffer == NULL) {
        close(fd);
        return ENOMEM;
    }
    int64_t *latency = task->latency + index * task->requests;
    for (int64_t k = 0; k < task->requests; k++) latency[k] = -1;
    for (int64_t k = 0; k < task->requests; k++) {
        uint64_t id = ((uint64_t)index << 24) | (uint64_t)k;
        int64_t sent_at = CAsyncBench_monotonic_ns();
        uint32_t length = 0;
        counts[0] += 1;
        int failure = CAsyncBench_tcp_request(fd, id, task->payload, buffer, (uint32_t)capacity, &length);
        if (failure != 0 || length != task->payload) {
            // This connection is done; why: no response in time, or the server reset or closed it
            // (anything else, e.g. a wrong id, is counted as failed only).
            counts[2] += 1;
            if (failure == EAGAIN || failure == EWOULDBLOCK) counts[4] += 1;
            if (failure == ECONNRESET || failure == EPIPE) counts[5] += 1;
            break;
        }
        counts[1] += 1;
        latency[k] = CAsyncBench_monotonic_ns() - sent_at;
    }
    if (buffer != small) munmap(buffer, capacity);
    close(fd);
    return 0;
}

int CAsyncBench_task_net(void *context, int64_t index) {
    return CAsyncBench_net_task_run((const CAsyncBench_net_task *)context, index) == 0 ? 0 : 1;
}

int CAsyncBench_net_rate_task_run(const CAsyncBench_net_rate_task *task, int64_t index) {
    if (index < 0 || index >= task->tasks) return EINVAL;
    int64_t *counts = task->counts + index * 8;
    int64_t first = index * task->per_connection;
    for (int64_t k = 0; k < task->per_connection; k++) {
        task->corrected[first + k] = -1;
        task->uncorrected[first + k] = -1;
        task->lag[first + k] = -1;
    }
    int64_t started = CAsyncBench_monotonic_ns();
    int fd = -1;
    int rc = CAsyncBench_tcp_connect(task->host, task->port, &fd);
    if (rc != 0) return rc;
    int64_t start = CAsyncBench_monotonic_ns();
    counts[3] = start - started;
    if (*task->epoch > start) start = *task->epoch;
    counts[6] = start;
    if (task->timeout_ns > 0) CAsyncBench_tcp_receive_timeout(fd, task->timeout_ns);
    uint8_t small[2048];
    size_t capacity = sizeof small;
    uint8_t *buffer = CAsyncBench_payload_buffer(small, task->payload, &capacity);
    if (buffer == NULL) {
        close(fd);
        return ENOMEM;
    }
    for (int64_t k = 0; k < task->per_connection; k++) {
        int64_t intended = start + task->offsets[first + k];
        CAsyncBench_sleep_until(intended);
        uint64_t id = ((uint64_t)index << 24) | (uint64_t)k;
        int64_t sent_at = CAsyncBench_monotonic_ns();
        uint32_t length = 0;
        counts[0] += 1;
        int failure = CAsyncBench_tcp_request(fd, id, task->payload, buffer, (uint32_t)capacity, &length);
        if (failure != 0 || length != task->payload) {
            counts[2] += 1;
            if (failure == EAGAIN || failure == EWOULDBLOCK) counts[4] += 1;
            if (failure == ECONNRESET || failure == EPIPE) counts[5] += 1;
            break;
        }
        int64_t replied = CAsyncBench_monotonic_ns();
        counts[1] += 1;
        task->corrected[first + k] = replied - intended;
        task->uncorrected[first + k] = replied - sent_at;
        task->lag[first + k] = sent_at > intended ? sent_at - intended : 0;
    }
    if (buffer != small) munmap(buffer, capacity);
    close(fd);
    return 0;
}

int CAsyncBench_task_net_rate(void *context, int64_t index) {
    return CAsyncBench_net_rate_task_run((const CAsyncBench_net_rate_task *)context, index) == 0 ? 0 : 1;
}

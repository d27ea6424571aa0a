// Close-on-exec pipes, and the switch workload's ping-pong of a one-byte token over a pair of
// them. In C because forked children run the ping-pong (async-signal-safe read and write only).
#include "CAsyncBench_pipes.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

int CAsyncBench_pipe_cloexec(int fds[2]) { return pipe2(fds, O_CLOEXEC) == 0 ? 0 : errno; }

static int CAsyncBench_transfer(int fd, int writing) {
    char token = 'x';
    for (;;) {
        ssize_t count = writing ? write(fd, &token, 1) : read(fd, &token, 1);
        if (count == 1) return 0;
        if (count == 0) return EPIPE;
        if (errno != EINTR) return errno;
    }
}

int CAsyncBench_pingpong_peer(const CAsyncBench_pingpong *context, int64_t index) {
    const CAsyncBench_pipe_pair *pair = &context->pairs[index / 2];
    int first = index % 2 == 0;
    for (int64_t round = 0; round < context->rounds; round++) {
        int rc;
        if (first) {
            if ((rc = CAsyncBench_transfer(pair->to_peer1[1], 1)) != 0) return rc;
            if ((rc = CAsyncBench_transfer(pair->to_peer0[0], 0)) != 0) return rc;
        } else {
            if ((rc = CAsyncBench_transfer(pair->to_peer1[0], 0)) != 0) return rc;
            if ((rc = CAsyncBench_transfer(pair->to_peer0[1], 1)) != 0) return rc;
        }
    }
    return 0;
}

int CAsyncBench_task_pingpong(void *context, int64_t index) {
    return CAsyncBench_pingpong_peer((const CAsyncBench_pingpong *)context, index) == 0 ? 0 : 1;
}

// The `file` workload's task, in C so that forked children can run it (async-signal-safe calls
// only: open, write, read, fsync, close, unlink; no allocation, no stdio).
#include "CAsyncBench_file.h"

#include "CAsyncBench_clock.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

/// Bytes written or read per call; the one buffer lives on the stack (pthread stacks here can
/// be as small as 64 KiB).
enum { FILE_CHUNK = 16384 };

/// SplitMix64 of the task index: a seed unique to each task, so files mixed up between tasks differ.
static uint64_t file_seed(int64_t index) {
    uint64_t z = (uint64_t)index + 0x9E3779B97F4A7C15ull;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static uint8_t pattern_byte(uint64_t seed, int64_t offset) {
    return (uint8_t)(seed >> ((offset & 7) * 8)) ^ (uint8_t)(offset >> 3);
}

uint8_t CAsyncBench_file_byte(int64_t index, int64_t offset) { return pattern_byte(file_seed(index), offset); }

/// `directory`/f<index> into `path` (no snprintf: it is not async-signal-safe). 0, or ENAMETOOLONG.
static int file_path(const char *directory, int64_t index, char *path, size_t size) {
    size_t length = strlen(directory);
    char digits[24];
    int count = 0;
    uint64_t value = (uint64_t)index;
    do {
        digits[count++] = (char)('0' + value % 10);
        value /= 10;
    } while (value != 0);
    if (length + 2 + (size_t)count + 1 > size) return ENAMETOOLONG;
    memcpy(path, directory, length);
    path[length++] = '/';
    path[length++] = 'f';
    while (count > 0) path[length++] = digits[--count];
    path[length] = '\0';
    return 0;
}

static int write_file(const char *path, uint64_t seed, int64_t bytes, int sync, uint8_t *buffer) {
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) return errno;
    int64_t offset = 0;
    int rc = 0;
    while (offset < bytes && rc == 0) {
        int64_t chunk = bytes - offset < FILE_CHUNK ? bytes - offset : FILE_CHUNK;
        for (int64_t i = 0; i < chunk; i++) buffer[i] = pattern_byte(seed, offset + i);
        int64_t done = 0;
        while (done < chunk) {
            ssize_t written = write(fd, buffer + done, (size_t)(chunk - done));
            if (written < 0) {
                if (errno == EINTR) continue;
                rc = errno;
                break;
            }
            done += written;
        }
        offset += done;
    }
    if (rc == 0 && sync && fsync(fd) != 0) rc = errno;
    if (close(fd) != 0 && rc == 0) rc = errno;
    return rc;
}

static int verify_file(const char *path, uint64_t seed, int64_t bytes, uint8_t *buffer) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return errno;
    int64_t offset = 0;
    int rc = 0;
    for (;;) {
        ssize_t count = read(fd, buffer, FILE_CHUNK);
        if (count < 0) {
            if (errno == EINTR) continue;
            rc = errno;
            break;
        }
        if (count == 0) break;
        for (ssize_t i = 0; i < count && rc == 0; i++) {
            if (offset + i >= bytes || buffer[i] != pattern_byte(seed, offset + i)) rc = CASYNCBENCH_FILE_MISMATCH;
        }
        if (rc != 0) break;
        offset += count;
    }
    if (rc == 0 && offset != bytes) rc = CASYNCBENCH_FILE_MISMATCH;
    close(fd);
    return rc;
}

int CAsyncBench_file_task_run(const CAsyncBench_file_task *task, int64_t index) {
    char path[4200];
    int rc = file_path(task->directory, index, path, sizeof path);
    if (rc != 0) return rc;
    uint8_t buffer[FILE_CHUNK];
    uint64_t seed = file_seed(index);
    int64_t start = CAsyncBench_monotonic_ns();
    rc = write_file(path, seed, task->bytes, task->sync, buffer);
    if (rc == 0) rc = verify_file(path, seed, task->bytes, buffer);
    int64_t elapsed = CAsyncBench_monotonic_ns() - start;
    unlink(path);
    if (task->latency != NULL && index >= 0 && index < task->slots) task->latency[index] = rc == 0 ? elapsed : -1;
    return rc;
}

int CAsyncBench_file_check(const char *path, int64_t index, int64_t bytes) {
    uint8_t buffer[FILE_CHUNK];
    return verify_file(path, file_seed(index), bytes, buffer);
}

int CAsyncBench_task_file(void *context, int64_t index) {
    return CAsyncBench_file_task_run((const CAsyncBench_file_task *)context, index) == 0 ? 0 : 1;
}

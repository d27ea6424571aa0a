// The `file` workload's task (file.c).
#ifndef CASYNCBENCH_FILE_H
#define CASYNCBENCH_FILE_H

#include <stdint.h>

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

#endif

// The thread count from /proc/self/stat and the sampler thread that keeps its peak (and the peak
// heap in use, and the peak kernel memory of a file kernel.c reads). In C so that the sampler does no Swift runtime work (no allocation, no
// reference counting) that would perturb what it measures; its stack is 64 KiB.
#include "CAsyncBench_sampler.h"

#include "CAsyncBench_clock.h"
#include "CAsyncBench_heap.h"
#include "CAsyncBench_kernel.h"
#include "CAsyncBench_threads.h"

#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int CAsyncBench_thread_count(void) {
    char buffer[1024];
    int fd = open("/proc/self/stat", O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    ssize_t length;
    do {
        length = read(fd, buffer, sizeof buffer - 1);
    } while (length < 0 && errno == EINTR);
    close(fd);
    if (length <= 0) return -1;
    buffer[length] = '\0';
    // Field 2 (comm) may hold spaces: count fields after its closing parenthesis.
    char *cursor = strrchr(buffer, ')');
    if (cursor == NULL) return -1;
    cursor++;
    // After ')' come fields 3 (state) ... 20 (num_threads): skip 17 fields.
    for (int field = 3; field < 20; field++) {
        while (*cursor == ' ') cursor++;
        while (*cursor != ' ' && *cursor != '\0') cursor++;
        if (*cursor == '\0') return -1;
    }
    return (int)strtol(cursor, NULL, 10);
}

struct CAsyncBench_sampler {
    pthread_t thread;
    int64_t interval_ns;
    atomic_int stop;
    int peak;
    int heap;
    int64_t peak_heap;
    char *kernel_path;
    int kernel_format;
    int64_t peak_kernel;
    struct rusage usage;
};

static void CAsyncBench_sample(CAsyncBench_sampler *sampler) {
    int count = CAsyncBench_thread_count();
    if (count > sampler->peak) sampler->peak = count;
    if (sampler->heap) {
        int64_t heap = CAsyncBench_heap_in_use();
        if (heap > sampler->peak_heap) sampler->peak_heap = heap;
    }
    if (sampler->kernel_path != NULL) {
        int64_t kernel = CAsyncBench_kernel_bytes(sampler->kernel_path, sampler->kernel_format);
        if (kernel > sampler->peak_kernel) sampler->peak_kernel = kernel;
    }
}

static void *CAsyncBench_sampler_main(void *argument) {
    CAsyncBench_sampler *sampler = argument;
    while (!atomic_load_explicit(&sampler->stop, memory_order_acquire)) {
        CAsyncBench_sample(sampler);
        CAsyncBench_sleep_ns(sampler->interval_ns);
    }
    CAsyncBench_sample(sampler);
    getrusage(RUSAGE_THREAD, &sampler->usage);
    return NULL;
}

CAsyncBench_sampler *CAsyncBench_sampler_start(
    int64_t interval_ns, int heap, const char *kernel_path, int kernel_format, int *error) {
    CAsyncBench_sampler *sampler = calloc(1, sizeof *sampler);
    if (sampler == NULL) {
        *error = ENOMEM;
        return NULL;
    }
    sampler->interval_ns = interval_ns;
    sampler->heap = heap;
    sampler->peak_heap = -1;
    sampler->peak_kernel = -1;
    sampler->kernel_format = kernel_format;
    if (kernel_path != NULL) {
        sampler->kernel_path = strdup(kernel_path);
        if (sampler->kernel_path == NULL) {
            free(sampler);
            *error = ENOMEM;
            return NULL;
        }
    }
    atomic_init(&sampler->stop, 0);
    int rc = CAsyncBench_thread_create(&sampler->thread, 64 * 1024, CAsyncBench_sampler_main, sampler);
    if (rc != 0) {
        free(sampler->kernel_path);
        free(sampler);
        *error = rc;
        return NULL;
    }
    *error = 0;
    return sampler;
}

void CAsyncBench_sampler_stop(
    CAsyncBench_sampler *sampler, int *peak_threads, struct rusage *own_usage, int64_t *peak_heap,
    int64_t *peak_kernel) {
    atomic_store_explicit(&sampler->stop, 1, memory_order_release);
    pthread_join(sampler->thread, NULL);
    *peak_threads = sampler->peak > 0 ? sampler->peak - 1 : 0;
    *own_usage = sampler->usage;
    *peak_heap = sampler->peak_heap;
    *peak_kernel = sampler->peak_kernel;
    free(sampler->kernel_path);
    free(sampler);
}

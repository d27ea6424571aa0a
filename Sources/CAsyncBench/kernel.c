// Kernel memory readings: /proc/meminfo, a cgroup v2 memory.stat, a cgroup v1 kmem counter. In C
// so that the sampler thread can read them without Swift runtime work (no allocation).
#include "CAsyncBench_kernel.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int CAsyncBench_kernel_field(const char *name, size_t length, int format) {
    static const char *const meminfo[] = {"KernelStack", "PageTables", "SUnreclaim"};
    static const char *const stat[] = {"kernel_stack", "pagetables", "slab"};
    const char *const *names = format == CASYNCBENCH_KERNEL_MEMINFO ? meminfo : stat;
    for (int i = 0; i < 3; i++) {
        if (strlen(names[i]) == length && strncmp(names[i], name, length) == 0) return 1;
    }
    return 0;
}

int64_t CAsyncBench_kernel_bytes(const char *path, int format) {
    char buffer[16384];
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    size_t used = 0;
    for (;;) {
        ssize_t count = read(fd, buffer + used, sizeof buffer - 1 - used);
        if (count < 0 && errno == EINTR) continue;
        if (count <= 0) break;
        used += (size_t)count;
        if (used == sizeof buffer - 1) break;
    }
    close(fd);
    buffer[used] = '\0';
    if (format == CASYNCBENCH_KERNEL_CGROUP1_KMEM) {
        char *end = NULL;
        long long value = strtoll(buffer, &end, 10);
        return end == buffer ? -1 : (int64_t)value;
    }
    int64_t total = 0;
    int found = 0;
    for (char *line = buffer; *line != '\0';) {
        char *next = strchr(line, '\n');
        if (next != NULL) *next = '\0';
        size_t length = strcspn(line, ": ");
        if (CAsyncBench_kernel_field(line, length, format)) {
            char *cursor = line + length;
            while (*cursor == ':' || *cursor == ' ') cursor++;
            long long value = strtoll(cursor, NULL, 10);
            total += format == CASYNCBENCH_KERNEL_MEMINFO ? (int64_t)value * 1024 : (int64_t)value;
            found++;
        }
        if (next == NULL) break;
        line = next + 1;
    }
    return found > 0 ? total : -1;
}

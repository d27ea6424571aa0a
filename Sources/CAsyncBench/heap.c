// Heap statistics: a counting pass-through for malloc & co., the allocator's own figure of
// bytes in use (glibc mallinfo2 or jemalloc's stats.allocated), and a forked child's own
// private memory read without leaving async-signal-safe calls.
//
// This file defines malloc, free, calloc, realloc, posix_memalign, aligned_alloc and memalign
// in the asyncbench binary itself. Every call goes straight on to the next definition in the
// process (glibc's, or jemalloc's when a cell runs with it in LD_PRELOAD); while counting is on,
// each allocation call and each free is also counted with one relaxed atomic add. Counting is
// off except during a cell's untimed memory repetition. In C because it defines the C
// allocator's own symbols, which Swift cannot.
#include "CAsyncBench_heap.h"

#include <dlfcn.h>
#include <fcntl.h>
#include <malloc.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <unistd.h>

static void *(*CAsyncBench_next_malloc)(size_t);
static void (*CAsyncBench_next_free)(void *);
static void *(*CAsyncBench_next_calloc)(size_t, size_t);
static void *(*CAsyncBench_next_realloc)(void *, size_t);
static int (*CAsyncBench_next_posix_memalign)(void **, size_t, size_t);
static void *(*CAsyncBench_next_aligned_alloc)(size_t, size_t);
static void *(*CAsyncBench_next_memalign)(size_t, size_t);

static atomic_int CAsyncBench_counting;
static atomic_llong CAsyncBench_allocations;
static atomic_llong CAsyncBench_frees;

// dlsym may allocate while the next functions are being looked up: those few bytes come from here.
static _Alignas(16) char CAsyncBench_bootstrap[8192];
static size_t CAsyncBench_bootstrap_used;
static int CAsyncBench_resolving;

static int CAsyncBench_is_bootstrap(const void *pointer) {
    return (const char *)pointer >= CAsyncBench_bootstrap
        && (const char *)pointer < CAsyncBench_bootstrap + sizeof CAsyncBench_bootstrap;
}

static void *CAsyncBench_bootstrap_alloc(size_t size) {
    size_t rounded = (size + 15) & ~(size_t)15;
    if (CAsyncBench_bootstrap_used + rounded > sizeof CAsyncBench_bootstrap) return NULL;
    void *pointer = CAsyncBench_bootstrap + CAsyncBench_bootstrap_used;
    CAsyncBench_bootstrap_used += rounded;
    return pointer;  // static storage: already zeroed, never reused
}

// The first allocation happens while the process is still single-threaded (in the loader).
static void CAsyncBench_resolve(void) {
    if (CAsyncBench_next_free != NULL || CAsyncBench_resolving) return;
    CAsyncBench_resolving = 1;
    CAsyncBench_next_malloc = dlsym(RTLD_NEXT, "malloc");
    CAsyncBench_next_calloc = dlsym(RTLD_NEXT, "calloc");
    CAsyncBench_next_realloc = dlsym(RTLD_NEXT, "realloc");
    CAsyncBench_next_posix_memalign = dlsym(RTLD_NEXT, "posix_memalign");
    CAsyncBench_next_aligned_alloc = dlsym(RTLD_NEXT, "aligned_alloc");
    CAsyncBench_next_memalign = dlsym(RTLD_NEXT, "memalign");
    CAsyncBench_next_free = dlsym(RTLD_NEXT, "free");
    CAsyncBench_resolving = 0;
}

static inline void CAsyncBench_count(atomic_llong *counter) {
    if (__builtin_expect(atomic_load_explicit(&CAsyncBench_counting, memory_order_relaxed), 0)) {
        atomic_fetch_add_explicit(counter, 1, memory_order_relaxed);
    }
}

void *malloc(size_t size) {
    if (__builtin_expect(CAsyncBench_next_malloc == NULL, 0)) {
        CAsyncBench_resolve();
        if (CAsyncBench_next_malloc == NULL) return CAsyncBench_bootstrap_alloc(size);
    }
    CAsyncBench_count(&CAsyncBench_allocations);
    return CAsyncBench_next_malloc(size);
}

void *calloc(size_t count, size_t size) {
    if (__builtin_expect(CAsyncBench_next_calloc == NULL, 0)) {
        CAsyncBench_resolve();
        if (CAsyncBench_next_calloc == NULL) {
            if (size != 0 && count > (size_t)-1 / size) return NULL;
            return CAsyncBench_bootstrap_alloc(count * size);
        }
    }
    CAsyncBench_count(&CAsyncBench_allocations);
    return CAsyncBench_next_calloc(count, size);
}

void *realloc(void *pointer, size_t size) {
    if (__builtin_expect(CAsyncBench_next_realloc == NULL, 0)) CAsyncBench_resolve();
    if (CAsyncBench_is_bootstrap(pointer)) {
        // Rare (only what dlsym allocated): move it to the real heap; the old bytes stay put.
        void *moved = malloc(size);
        if (moved != NULL) {
            size_t available = (size_t)(CAsyncBench_bootstrap + sizeof CAsyncBench_bootstrap - (char *)pointer);
            memcpy(moved, pointer, size < available ? size : available);
        }
        return moved;
    }
    if (CAsyncBench_next_realloc == NULL) return CAsyncBench_bootstrap_alloc(size);
    CAsyncBench_count(&CAsyncBench_allocations);
    return CAsyncBench_next_realloc(pointer, size);
}

void free(void *pointer) {
    if (pointer == NULL || CAsyncBench_is_bootstrap(pointer)) return;
    if (__builtin_expect(CAsyncBench_next_free == NULL, 0)) CAsyncBench_resolve();
    CAsyncBench_count(&CAsyncBench_frees);
    CAsyncBench_next_free(pointer);
}

int posix_memalign(void **result, size_t alignment, size_t size) {
    if (__builtin_expect(CAsyncBench_next_posix_memalign == NULL, 0)) CAsyncBench_resolve();
    CAsyncBench_count(&CAsyncBench_allocations);
    return CAsyncBench_next_posix_memalign(result, alignment, size);
}

void *aligned_alloc(size_t alignment, size_t size) {
    if (__builtin_expect(CAsyncBench_next_aligned_alloc == NULL, 0)) CAsyncBench_resolve();
    CAsyncBench_count(&CAsyncBench_allocations);
    return CAsyncBench_next_aligned_alloc(alignment, size);
}

void *memalign(size_t alignment, size_t size) {
    if (__builtin_expect(CAsyncBench_next_memalign == NULL, 0)) CAsyncBench_resolve();
    CAsyncBench_count(&CAsyncBench_allocations);
    return CAsyncBench_next_memalign(alignment, size);
}

void CAsyncBench_alloc_counting(int on) {
    if (on) {
        atomic_store_explicit(&CAsyncBench_allocations, 0, memory_order_relaxed);
        atomic_store_explicit(&CAsyncBench_frees, 0, memory_order_relaxed);
    }
    atomic_store_explicit(&CAsyncBench_counting, on ? 1 : 0, memory_order_seq_cst);
}

CAsyncBench_alloc_counts CAsyncBench_alloc_counts_read(void) {
    CAsyncBench_alloc_counts counts = {
        atomic_load_explicit(&CAsyncBench_allocations, memory_order_relaxed),
        atomic_load_explicit(&CAsyncBench_frees, memory_order_relaxed),
    };
    return counts;
}

typedef int (*CAsyncBench_mallctl_fn)(const char *, void *, size_t *, void *, size_t);

static pthread_once_t CAsyncBench_mallctl_once = PTHREAD_ONCE_INIT;
static CAsyncBench_mallctl_fn CAsyncBench_mallctl_found;

static void CAsyncBench_find_mallctl(void) {
    CAsyncBench_mallctl_found = (CAsyncBench_mallctl_fn)dlsym(RTLD_DEFAULT, "mallctl");
}

/// jemalloc's mallctl when jemalloc is loaded in this process (LD_PRELOAD), else NULL. Looked up
/// once: a failed dlsym allocates its error message, which would count as the workload's.
static CAsyncBench_mallctl_fn CAsyncBench_mallctl(void) {
    pthread_once(&CAsyncBench_mallctl_once, CAsyncBench_find_mallctl);
    return CAsyncBench_mallctl_found;
}

const char *CAsyncBench_jemalloc_version(void) {
    CAsyncBench_mallctl_fn mallctl = CAsyncBench_mallctl();
    if (mallctl == NULL) return NULL;
    const char *version = NULL;
    size_t size = sizeof version;
    if (mallctl("version", &version, &size, NULL, 0) != 0) return "unknown version";
    return version;
}

int64_t CAsyncBench_heap_in_use(void) {
    CAsyncBench_mallctl_fn mallctl = CAsyncBench_mallctl();
    if (mallctl != NULL) {
        // Statistics are snapshots refreshed by writing the epoch.
        uint64_t epoch = 1;
        size_t size = sizeof epoch;
        if (mallctl("epoch", &epoch, &size, &epoch, sizeof epoch) != 0) return -1;
        size_t allocated = 0;
        size = sizeof allocated;
        if (mallctl("stats.allocated", &allocated, &size, NULL, 0) != 0) return -1;
        return (int64_t)allocated;
    }
    struct mallinfo2 info = mallinfo2();
    return (int64_t)(info.uordblks + info.hblkhd);
}

/// Sums the values in kB of the lines of `path` that start with one of `keys`; -1 on error.
/// open/read/close only: async-signal-safe.
static int64_t CAsyncBench_sum_kib(const char *path, const char *const *keys, int key_count) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -1;
    char buffer[4096];
    ssize_t length = 0, n;
    while (length < (ssize_t)sizeof buffer - 1
           && (n = read(fd, buffer + length, sizeof buffer - 1 - (size_t)length)) > 0) {
        length += n;
    }
    close(fd);
    if (length <= 0) return -1;
    buffer[length] = '\0';
    int64_t total = 0;
    for (char *line = buffer; *line != '\0';) {
        for (int k = 0; k < key_count; k++) {
            size_t key_length = strlen(keys[k]);
            if (strncmp(line, keys[k], key_length) == 0) {
                const char *digit = line + key_length;
                while (*digit == ' ' || *digit == '\t') digit++;
                int64_t value = 0;
                while (*digit >= '0' && *digit <= '9') value = value * 10 + (*digit++ - '0');
                total += value;
            }
        }
        while (*line != '\0' && *line != '\n') line++;
        if (*line == '\n') line++;
    }
    return total;
}

int64_t CAsyncBench_own_page_table_bytes(void) {
    static const char *const table_keys[] = {"VmPTE:"};
    int64_t table_kib = CAsyncBench_sum_kib("/proc/self/status", table_keys, 1);
    return table_kib < 0 ? -1 : table_kib * 1024;
}

int64_t CAsyncBench_own_private_bytes(void) {
    static const char *const private_keys[] = {"Private_Clean:", "Private_Dirty:"};
    static const char *const table_keys[] = {"VmPTE:"};
    int64_t private_kib = CAsyncBench_sum_kib("/proc/self/smaps_rollup", private_keys, 2);
    int64_t table_kib = CAsyncBench_sum_kib("/proc/self/status", table_keys, 1);
    if (private_kib < 0 || table_kib < 0) return -1;
    return (private_kib + table_kib) * 1024;
}

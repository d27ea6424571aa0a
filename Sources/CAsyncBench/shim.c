// The C side of asyncbench. See include/CAsyncBench.h for what each function is for.
#include "CAsyncBench.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <sched.h>
#include <gnu/libc-version.h>
#include <signal.h>
#include <spawn.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/perf_event.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

int64_t CAsyncBench_monotonic_ns(void) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (int64_t)now.tv_sec * 1000000000LL + now.tv_nsec;
}

/// Sleeps until `deadline` (CLOCK_MONOTONIC ns), resuming after signals. Returns 0 or an errno.
static int CAsyncBench_sleep_until(int64_t deadline) {
    struct timespec until = {(time_t)(deadline / 1000000000LL), (long)(deadline % 1000000000LL)};
    for (;;) {
        int rc = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &until, NULL);
        if (rc != EINTR) return rc;
    }
}

int CAsyncBench_sleep_ns(int64_t ns) {
    return ns <= 0 ? 0 : CAsyncBench_sleep_until(CAsyncBench_monotonic_ns() + ns);
}

int CAsyncBench_sleep_task_run(const CAsyncBench_sleep_task *task, int64_t index) {
    int64_t deadline = CAsyncBench_monotonic_ns() + task->nanoseconds;
    int rc = task->nanoseconds > 0 ? CAsyncBench_sleep_until(deadline) : 0;
    if (rc != 0) return rc;
    if (task->lateness != NULL && index >= 0 && index < task->slots) {
        task->lateness[index] = CAsyncBench_monotonic_ns() - deadline;
    }
    return 0;
}

int CAsyncBench_task_sleep(void *context, int64_t index) {
    return CAsyncBench_sleep_task_run((const CAsyncBench_sleep_task *)context, index) == 0 ? 0 : 1;
}

int CAsyncBench_task_blocks(int64_t index, double fraction) {
    if (fraction <= 0) return 0;
    return (int64_t)((double)(index + 1) * fraction) > (int64_t)((double)index * fraction);
}

int CAsyncBench_blocking_task_run(const CAsyncBench_blocking_task *task, int64_t index) {
    int blocks = CAsyncBench_task_blocks(index, task->fraction);
    if (blocks) {
        int rc = CAsyncBench_sleep_ns(task->block_ns);
        if (rc != 0) return rc;
    }
    int64_t deadline = task->start_ns + task->nanoseconds;
    int rc = CAsyncBench_sleep_until(deadline);
    if (rc != 0) return rc;
    if (task->lateness != NULL && index >= 0 && index < task->slots) {
        task->lateness[index] = blocks ? INT64_MIN : CAsyncBench_monotonic_ns() - deadline;
    }
    return 0;
}

int CAsyncBench_task_blocking(void *context, int64_t index) {
    return CAsyncBench_blocking_task_run((const CAsyncBench_blocking_task *)context, index) == 0 ? 0 : 1;
}

void *CAsyncBench_map_shared(size_t bytes) {
    void *address = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    return address == MAP_FAILED ? NULL : address;
}

void CAsyncBench_unmap(void *address, size_t bytes) { munmap(address, bytes); }

int CAsyncBench_task_crash(void *context, int64_t index) {
    (void)context;
    (void)index;
    // The default action, not whatever handler the runtime installed (Swift's backtracer).
    signal(SIGSEGV, SIG_DFL);
    raise(SIGSEGV);
    return 1;
}

int CAsyncBench_fork_tasks(
    int64_t n, CAsyncBench_task_fn fn, void *context, pid_t *pids, int64_t *started,
    int64_t *child_memory) {
    *started = 0;
    for (int64_t i = 0; i < n; i++) {
        pid_t pid = fork();
        if (pid < 0) return errno;
        if (pid == 0) {
            // Child: async-signal-safe calls only, then _exit (no atexit handlers, no stdio flush).
            int status = fn(context, i);
            if (child_memory != NULL) child_memory[i] = CAsyncBench_own_private_bytes();
            _exit(status & 0xff);
        }
        pids[i] = pid;
        *started = i + 1;
    }
    return 0;
}

int CAsyncBench_thread_create(
    pthread_t *thread, size_t stack_size, void *(*start)(void *), void *argument) {
    pthread_attr_t attr;
    int rc = pthread_attr_init(&attr);
    if (rc != 0) return rc;
    if (stack_size > 0) {
        rc = pthread_attr_setstacksize(&attr, stack_size);
        if (rc != 0) {
            pthread_attr_destroy(&attr);
            return rc;
        }
    }
    rc = pthread_create(thread, &attr, start, argument);
    pthread_attr_destroy(&attr);
    return rc;
}

size_t CAsyncBench_default_thread_stack(void) {
    pthread_attr_t attr;
    size_t size = 0;
    // The attributes a new thread gets by default: glibc reads RLIMIT_STACK once at start.
    if (pthread_getattr_default_np(&attr) == 0) {
        pthread_attr_getstacksize(&attr, &size);
        pthread_attr_destroy(&attr);
    }
    return size;
}

size_t CAsyncBench_min_thread_stack(void) {
    long min = sysconf(_SC_THREAD_STACK_MIN);
    return min > 0 ? (size_t)min : 16384;
}

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
    struct rusage usage;
};

static void CAsyncBench_sample(CAsyncBench_sampler *sampler) {
    int count = CAsyncBench_thread_count();
    if (count > sampler->peak) sampler->peak = count;
    if (sampler->heap) {
        int64_t heap = CAsyncBench_heap_in_use();
        if (heap > sampler->peak_heap) sampler->peak_heap = heap;
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

CAsyncBench_sampler *CAsyncBench_sampler_start(int64_t interval_ns, int heap, int *error) {
    CAsyncBench_sampler *sampler = calloc(1, sizeof *sampler);
    if (sampler == NULL) {
        *error = ENOMEM;
        return NULL;
    }
    sampler->interval_ns = interval_ns;
    sampler->heap = heap;
    sampler->peak_heap = -1;
    atomic_init(&sampler->stop, 0);
    int rc = CAsyncBench_thread_create(&sampler->thread, 64 * 1024, CAsyncBench_sampler_main, sampler);
    if (rc != 0) {
        free(sampler);
        *error = rc;
        return NULL;
    }
    *error = 0;
    return sampler;
}

void CAsyncBench_sampler_stop(
    CAsyncBench_sampler *sampler, int *peak_threads, struct rusage *own_usage, int64_t *peak_heap) {
    atomic_store_explicit(&sampler->stop, 1, memory_order_release);
    pthread_join(sampler->thread, NULL);
    *peak_threads = sampler->peak > 0 ? sampler->peak - 1 : 0;
    *own_usage = sampler->usage;
    *peak_heap = sampler->peak_heap;
    free(sampler);
}

int CAsyncBench_spawn(
    const char *path, char *const argv[], char *const envp[], int stdout_fd, int stderr_fd, pid_t *pid) {
    posix_spawn_file_actions_t actions;
    posix_spawnattr_t attributes;
    int rc = posix_spawn_file_actions_init(&actions);
    if (rc != 0) return rc;
    rc = posix_spawnattr_init(&attributes);
    if (rc != 0) {
        posix_spawn_file_actions_destroy(&actions);
        return rc;
    }
    sigset_t defaults, none;
    sigemptyset(&none);
    sigemptyset(&defaults);
    sigaddset(&defaults, SIGINT);
    sigaddset(&defaults, SIGTERM);
    sigaddset(&defaults, SIGHUP);
    sigaddset(&defaults, SIGPIPE);
    if (rc == 0) rc = posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    if (rc == 0) rc = posix_spawn_file_actions_adddup2(&actions, stdout_fd, 1);
    if (rc == 0) rc = posix_spawn_file_actions_adddup2(&actions, stderr_fd, 2);
    if (rc == 0) rc = posix_spawnattr_setpgroup(&attributes, 0);
    if (rc == 0) rc = posix_spawnattr_setsigdefault(&attributes, &defaults);
    if (rc == 0) rc = posix_spawnattr_setsigmask(&attributes, &none);
    if (rc == 0) {
        rc = posix_spawnattr_setflags(
            &attributes, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
    }
    if (rc == 0) rc = posix_spawn(pid, path, &actions, &attributes, argv, envp != NULL ? envp : environ);
    posix_spawnattr_destroy(&attributes);
    posix_spawn_file_actions_destroy(&actions);
    return rc;
}

int CAsyncBench_die_with_parent(pid_t expected_parent) {
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) return errno;
    if (getppid() != expected_parent) _exit(128 + SIGKILL);
    return 0;
}

static volatile sig_atomic_t CAsyncBench_child_group = 0;
static volatile sig_atomic_t CAsyncBench_signal = 0;

static void CAsyncBench_on_interrupt(int signal_number) {
    int saved = errno;
    CAsyncBench_signal = signal_number;
    pid_t group = CAsyncBench_child_group;
    if (group > 0) kill(-group, SIGKILL);
    errno = saved;
}

int CAsyncBench_install_interrupt_handlers(void) {
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = CAsyncBench_on_interrupt;
    sigemptyset(&action.sa_mask);
    action.sa_flags = 0;  // no SA_RESTART: a blocked poll returns EINTR at once
    if (sigaction(SIGINT, &action, NULL) != 0) return errno;
    if (sigaction(SIGTERM, &action, NULL) != 0) return errno;
    if (sigaction(SIGHUP, &action, NULL) != 0) return errno;
    // A process may start with these blocked (a parent's thread that blocked them, e.g. a
    // Dispatch worker, spawned it): unblock them, or Ctrl-C would never arrive.
    sigset_t interrupts;
    sigemptyset(&interrupts);
    sigaddset(&interrupts, SIGINT);
    sigaddset(&interrupts, SIGTERM);
    sigaddset(&interrupts, SIGHUP);
    return pthread_sigmask(SIG_UNBLOCK, &interrupts, NULL);
}

void CAsyncBench_set_child_group(pid_t pgid) { CAsyncBench_child_group = pgid; }

int CAsyncBench_interrupted(void) { return CAsyncBench_signal; }

int CAsyncBench_reset_peak_rss(void) {
    int fd = open("/proc/self/clear_refs", O_WRONLY | O_CLOEXEC);
    if (fd < 0) return errno;
    ssize_t written;
    do {
        written = write(fd, "5", 1);
    } while (written < 0 && errno == EINTR);
    int rc = written == 1 ? 0 : errno;
    close(fd);
    return rc;
}

const char *CAsyncBench_signal_name(int signal_number, char *buffer, size_t size) {
    const char *abbreviation = sigabbrev_np(signal_number);
    if (abbreviation != NULL) {
        snprintf(buffer, size, "SIG%s", abbreviation);
    } else {
        snprintf(buffer, size, "signal %d", signal_number);
    }
    return buffer;
}

const char *CAsyncBench_libc_version(void) { return gnu_get_libc_version(); }

int CAsyncBench_pipe_cloexec(int fds[2]) { return pipe2(fds, O_CLOEXEC) == 0 ? 0 : errno; }

int CAsyncBench_instructions_supported(void) {
    struct perf_event_attr attributes;
    memset(&attributes, 0, sizeof attributes);
    attributes.size = sizeof attributes;
    attributes.type = PERF_TYPE_HARDWARE;
    attributes.config = PERF_COUNT_HW_INSTRUCTIONS;
    attributes.disabled = 1;
    attributes.exclude_kernel = 1;
    attributes.exclude_hv = 1;
    long fd = syscall(SYS_perf_event_open, &attributes, 0, -1, -1, 0);
    if (fd < 0) return 0;
    close((int)fd);
    return 1;
}

static int CAsyncBench_remove_entry(const char *path, const struct stat *info, int flag, struct FTW *walk) {
    (void)info;
    (void)flag;
    (void)walk;
    return remove(path) == 0 ? 0 : errno;
}

int CAsyncBench_remove_tree(const char *path) {
    return nftw(path, CAsyncBench_remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

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

int CAsyncBench_first_allowed_cpu(void) {
    cpu_set_t allowed;
    if (sched_getaffinity(0, sizeof allowed, &allowed) != 0) return -1;
    for (int candidate = 0; candidate < CPU_SETSIZE; candidate++) {
        if (CPU_ISSET(candidate, &allowed)) return candidate;
    }
    return -1;
}

int CAsyncBench_pin_to_first_cpu(int *cpu) {
    int first = CAsyncBench_first_allowed_cpu();
    if (first < 0) return errno != 0 ? errno : EINVAL;
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(first, &one);
    if (sched_setaffinity(0, sizeof one, &one) != 0) return errno;
    *cpu = first;
    return 0;
}

uint64_t CAsyncBench_cpu_work(uint64_t iterations, uint64_t seed) {
    uint64_t x = seed | 1;
    for (uint64_t i = 0; i < iterations; i++) {
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        x *= 0x2545F4914F6CDD1DULL;
    }
    return x;
}

int CAsyncBench_task_cpu(void *context, int64_t index) {
    (void)index;
    const CAsyncBench_cpu_task *task = context;
    return CAsyncBench_cpu_work(task->iterations, 42) == task->expected ? 0 : 1;
}

int64_t CAsyncBench_nproc_limit(void) {
    struct rlimit limit;
    if (getrlimit(RLIMIT_NPROC, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY) return -1;
    return (int64_t)limit.rlim_cur;
}

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

int64_t CAsyncBench_raise_nofile(void) {
    struct rlimit limit;
    if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return -1;
    // A privileged process may raise the hard limit too, up to fs.nr_open.
    int fd = open("/proc/sys/fs/nr_open", O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        char text[32] = {0};
        ssize_t n = read(fd, text, sizeof text - 1);
        close(fd);
        long long most = n > 0 ? strtoll(text, NULL, 10) : 0;
        if (most > 0 && (rlim_t)most > limit.rlim_max) {
            struct rlimit raised = {(rlim_t)most, (rlim_t)most};
            if (setrlimit(RLIMIT_NOFILE, &raised) == 0) return most;
        }
    }
    if (limit.rlim_cur < limit.rlim_max) {
        limit.rlim_cur = limit.rlim_max;
        setrlimit(RLIMIT_NOFILE, &limit);
        getrlimit(RLIMIT_NOFILE, &limit);
    }
    return limit.rlim_cur == RLIM_INFINITY ? -1 : (int64_t)limit.rlim_cur;
}

int CAsyncBench_tcp_receive_timeout(int fd, int64_t ns) {
    struct timeval timeout = {(time_t)(ns / 1000000000LL), (suseconds_t)((ns % 1000000000LL) / 1000)};
    return setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout) == 0 ? 0 : errno;
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
    uint8_t *buffer = small;
    size_t capacity = sizeof small;
    if (task->payload > sizeof small) {
        capacity = task->payload;
        void *mapped = mmap(NULL, capacity, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (mapped == MAP_FAILED) {
            close(fd);
            return ENOMEM;
        }
        buffer = mapped;
    }
    memset(buffer, 'a', task->payload);
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

/// The helper's entry: runs before main (and before any Swift code) when the first argument is
/// CASYNCBENCH_HELPER_FLAG; does the task and exits with 0 (done) or 1 (failed).
__attribute__((constructor)) static void CAsyncBench_task_helper(int argc, char **argv, char **envp) {
    (void)envp;
    if (argc < 3 || argv == NULL || strcmp(argv[1], CASYNCBENCH_HELPER_FLAG) != 0) return;
    int status = 2;
    if (strcmp(argv[2], "sleep") == 0 && argc >= 4) {
        status = CAsyncBench_sleep_ns(strtoll(argv[3], NULL, 10)) == 0 ? 0 : 1;
    } else if (strcmp(argv[2], "cpu") == 0 && argc >= 5) {
        uint64_t iterations = strtoull(argv[3], NULL, 10);
        status = CAsyncBench_cpu_work(iterations, 42) == strtoull(argv[4], NULL, 10) ? 0 : 1;
    }
    _exit(status);
}

int CAsyncBench_spawn_tasks(int64_t n, const char *path, char *const argv[], pid_t *pids, int64_t *started) {
    *started = 0;
    for (int64_t i = 0; i < n; i++) {
        pid_t pid;
        int rc = posix_spawn(&pid, path, NULL, NULL, argv, environ);
        if (rc != 0) return rc;
        pids[i] = pid;
        *started = i + 1;
    }
    return 0;
}

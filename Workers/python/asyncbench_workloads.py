"""The workloads of asyncbench's Python worker, as the asyncio tutorial writes them.

Each workload class holds one cell's state (slots tasks record into, pipes, a folder) and
offers a task in two forms: ``run_async(index)``, a coroutine for the asyncio and uvloop
models, and ``run_blocking(index)``, a plain function for the threads and processes models.
Slots are shared memory (``multiprocessing`` raw arrays) when tasks are forked processes, so
what a child records reaches the parent. The figures are those the Swift bodies report for the
same workload (Sources/AsyncBenchCell/Workloads/), by column name. Standard library only.
"""

import asyncio
import errno
import os
import statistics
import time
from multiprocessing.sharedctypes import RawArray

MASK = (1 << 64) - 1
UNSET = -(1 << 63)
LIMIT_ERRNOS = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EMFILE, errno.ENFILE)


class Limit(Exception):
    """The system refused more tasks or resources (out of descriptors, disk): a limit row."""


class TaskFailed(Exception):
    """A task did its work wrong (a wrong result, bytes that differ): an error row."""


def percentiles(values):
    """Nearest-rank p50, p90, p99 and max of a non-empty list, as asyncbench computes them."""
    ordered = sorted(values)

    def rank(percent):
        index = -(-len(ordered) * percent // 100) - 1
        return ordered[max(0, min(len(ordered) - 1, int(index)))]

    return {"p50": rank(50), "p90": rank(90), "p99": rank(99), "max": ordered[-1]}


def make_slots(count, shared, value=0):
    """``count`` int64 slots: shared memory for forked children, else a plain list."""
    if shared:
        slots = RawArray("q", max(1, count))
        for index in range(len(slots)):
            slots[index] = value
        return slots
    return [value] * max(1, count)


def sleep_until(deadline_ns):
    """Blocks this thread until the monotonic clock reaches ``deadline_ns``."""
    while True:
        remaining = deadline_ns - time.perf_counter_ns()
        if remaining <= 0:
            return
        time.sleep(remaining / 1e9)


def cpu_work(iterations, seed=42):
    """The Swift CPU workload's rounds (CAsyncBench_cpu_work): xorshift then a multiply, 64-bit."""
    x = seed | 1
    for _ in range(iterations):
        x ^= x >> 12
        x ^= (x << 25) & MASK
        x ^= x >> 27
        x = (x * 0x2545F4914F6CDD1D) & MASK
    return x


def file_seed(index):
    """SplitMix64 of the task index: the seed of its file's bytes (as file.c)."""
    z = (index + 0x9E3779B97F4A7C15) & MASK
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
    return z ^ (z >> 31)


_RAMP = int.from_bytes(bytes(k for k in range(256) for _ in range(8)), "little")


def file_pattern(seed, size):
    """The ``size`` bytes task files hold: byte i = seed's byte (i mod 8) ^ (i >> 3) mod 256."""
    block = int.from_bytes(seed.to_bytes(8, "little") * 256, "little")
    period = (block ^ _RAMP).to_bytes(2048, "little")
    return (period * (size // 2048 + 1))[:size]


class Workload:
    """One cell's workload: set up once, then a task per index each repetition."""

    def __init__(self, spec, shared):
        self.spec = spec
        self.tasks = spec["tasks"]
        self.parameters = spec.get("parameters") or {}
        self.shared = shared

    def before_repetition(self):
        """Resets what the tasks record; called before every repetition's tasks start."""

    def after_repetition(self, measured):
        """Keeps what a measured repetition's tasks recorded."""

    def run_blocking(self, index):
        """Task ``index`` on its own thread or process."""
        raise NotImplementedError

    async def run_async(self, index):
        """Task ``index`` as a coroutine on the event loop."""
        raise NotImplementedError

    def figures(self):
        """The workload's own columns, by name."""
        return {}

    def close(self):
        """Releases what the set-up made (pipes, a folder)."""


class Sleep(Workload):
    """Each task waits the cell's latency (time.sleep, or asyncio.sleep) and records how late
    it woke past its deadline."""

    def __init__(self, spec, shared):
        super().__init__(spec, shared)
        self.latency = spec["latencyNanoseconds"]
        self.slots = make_slots(self.tasks, shared, UNSET)
        self.lateness = []
        self.repetition_p99s = []

    def before_repetition(self):
        for index in range(self.tasks):
            self.slots[index] = UNSET

    def after_repetition(self, measured):
        if measured:
            recorded = [v for v in self.slots[: self.tasks] if v != UNSET]
            self.lateness += recorded
            if recorded:
                self.repetition_p99s.append(percentiles(recorded)["p99"])

    def run_blocking(self, index):
        deadline = time.perf_counter_ns() + self.latency
        sleep_until(deadline)
        self.slots[index] = time.perf_counter_ns() - deadline

    async def run_async(self, index):
        deadline = time.perf_counter_ns() + self.latency
        await asyncio.sleep(self.latency / 1e9)
        self.slots[index] = time.perf_counter_ns() - deadline

    def figures(self):
        if not self.lateness:
            return {}
        found = percentiles(self.lateness)
        return {
            "lateness_us_p50": found["p50"] / 1e3,
            "lateness_us_p99": found["p99"] / 1e3,
            "lateness_us_max": found["max"] / 1e3,
            "lateness_us_p99_rep_min": min(self.repetition_p99s) / 1e3,
            "lateness_us_p99_rep_max": max(self.repetition_p99s) / 1e3,
        }


class Blocking(Sleep):
    """Every task waits until the repetition's start + latency; every 1/fraction-th first
    makes a blocking call of block_ns: time.sleep in place, or awaited through
    asyncio.to_thread (blocking-offload). Lateness counts the tasks that did not block."""

    def __init__(self, spec, shared, offload=False):
        super().__init__(spec, shared)
        self.fraction = self.parameters["blockingFraction"]
        self.block = self.parameters["blockNanoseconds"] / 1e9
        self.offload = offload
        self.start = 0

    def blocks(self, index):
        """Whether task ``index`` blocks (as CAsyncBench_task_blocks: evenly spread)."""
        if self.fraction <= 0:
            return False
        return int((index + 1) * self.fraction) > int(index * self.fraction)

    def before_repetition(self):
        super().before_repetition()
        self.start = time.perf_counter_ns()

    def run_blocking(self, index):
        blocks = self.blocks(index)
        if blocks:
            time.sleep(self.block)
        deadline = self.start + self.latency
        sleep_until(deadline)
        if not blocks:
            self.slots[index] = time.perf_counter_ns() - deadline

    async def run_async(self, index):
        blocks = self.blocks(index)
        if blocks and self.offload:
            await asyncio.to_thread(time.sleep, self.block)
        elif blocks:
            time.sleep(self.block)  # in place: the whole loop is blocked meanwhile
        deadline = self.start + self.latency
        remaining = deadline - time.perf_counter_ns()
        if remaining > 0:
            await asyncio.sleep(remaining / 1e9)
        if not blocks:
            self.slots[index] = time.perf_counter_ns() - deadline


class Switch(Workload):
    """Tasks 2k and 2k+1 pass a token back and forth ``rounds`` times: an asyncio.Event each
    way on the loop, or a pair of pipes between threads or processes."""

    def __init__(self, spec, shared, asynchronous):
        super().__init__(spec, shared)
        self.rounds = self.parameters["rounds"]
        pairs = self.tasks // 2
        self.events, self.pipes = [], []
        if asynchronous:
            self.events = [(asyncio.Event(), asyncio.Event()) for _ in range(pairs)]
            return
        try:
            for _ in range(pairs):
                self.pipes.append((os.pipe(), os.pipe()))
        except OSError as error:
            self.close()
            raise Limit(f"pipe: {error.strerror} after {2 * len(self.pipes)} peers") from error

    def run_blocking(self, index):
        (from_first, to_second), (from_second, to_first) = self.pipes[index // 2]
        for _ in range(self.rounds):
            if index % 2 == 0:
                os.write(to_second, b"t")
                os.read(from_second, 1)
            else:
                os.read(from_first, 1)
                os.write(to_first, b"t")

    async def run_async(self, index):
        to_second, to_first = self.events[index // 2]
        for _ in range(self.rounds):
            if index % 2 == 0:
                to_second.set()
                await to_first.wait()
                to_first.clear()
            else:
                await to_second.wait()
                to_second.clear()
                to_first.set()

    def close(self):
        for pair in self.pipes:
            for fd in (*pair[0], *pair[1]):
                os.close(fd)
        self.pipes = []


class CPU(Workload):
    """Each task computes ``work`` rounds of the 64-bit mix and checks the result against the
    value the Swift side computed (the spec's ``expected``); ``single_task_ms`` is one task
    alone on this thread: the median of one timed run before each repetition (and of three at
    set-up, after one untimed run, as the Swift body).

    Timed beside the repetitions, not only once at set-up: an interpreted task is long and this
    VM's speed drifts by 15% within seconds, which would move a speedup by as much."""

    def __init__(self, spec, shared):
        super().__init__(spec, shared)
        self.work = self.parameters["work"]
        self.expected = self.parameters.get("expected")
        self.times = []
        for attempt in range(4):
            elapsed, result = self.time_one()
            if attempt > 0:
                self.times.append(elapsed)
            if self.expected is None:
                self.expected = result  # no value from the Swift side: the first run's
            self.check(result)

    def time_one(self):
        """One task alone on this thread: (nanoseconds, result)."""
        start = time.perf_counter_ns()
        result = cpu_work(self.work)
        return time.perf_counter_ns() - start, result

    def before_repetition(self):
        if self.shared:  # the tasks are forked processes
            # The repetition before forked children from this process: its first run alone pays
            # a copy-on-write fault on every page it touches (~40% slower here). Not timed.
            self.check(self.time_one()[1])
        elapsed, result = self.time_one()
        self.check(result)
        self.times.append(elapsed)

    def check(self, result):
        """Raises TaskFailed when ``result`` is not the expected value."""
        if result != self.expected:
            raise TaskFailed(f"cpu work gave {result}, not {self.expected}")

    def run_blocking(self, index):
        self.check(cpu_work(self.work))

    async def run_async(self, index):
        self.check(cpu_work(self.work))  # CPU-bound: holds the loop until done

    def figures(self):
        return {"single_task_ms": statistics.median(self.times) / 1e6}

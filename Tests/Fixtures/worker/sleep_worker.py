#!/usr/bin/env python3
"""A minimal asyncbench worker for the tests: the sleep workload on asyncio.

Speaks the worker protocol (docs/worker-protocol.md): reads the cell spec as one JSON line on
stdin, prints {"event": "ready"}, waits for "go", runs the warm-up and measured repetitions
(each: N coroutines that each sleep the cell's latency, gathered), and prints its report as one
JSON line, then waits for its stdin to close. Standard library only.
"""

import asyncio
import json
import resource
import sys
import time


def percentile(values, percent):
    """Nearest-rank percentile of a non-empty list, as asyncbench's runner computes it."""
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, -(-len(ordered) * percent // 100) - 1))
    return ordered[int(rank)]


async def repetition(tasks, latency_ns, lateness):
    """One repetition: every task sleeps the latency; each records how late it woke."""

    async def task():
        deadline = time.perf_counter_ns() + latency_ns
        await asyncio.sleep(latency_ns / 1e9)
        lateness.append(time.perf_counter_ns() - deadline)

    await asyncio.gather(*(task() for _ in range(tasks)))


def main():
    spec = json.loads(sys.stdin.readline())
    if spec["workload"] != "sleep":
        report = {"event": "report", "status": "error", "samples": [], "figures": {},
                  "message": "this worker runs only the sleep workload, not " + spec["workload"]}
        print(json.dumps(report), flush=True)
        return
    tasks, latency = spec["tasks"], spec["latencyNanoseconds"]
    print(json.dumps({"event": "ready"}), flush=True)
    if sys.stdin.readline().strip() != "go":
        return
    samples, lateness = [], []
    for index in range(spec["warmup"] + spec["reps"]):
        measured = index >= spec["warmup"]
        before = resource.getrusage(resource.RUSAGE_SELF)
        start = time.perf_counter_ns()
        asyncio.run(repetition(tasks, latency, lateness if measured else []))
        wall = time.perf_counter_ns() - start
        after = resource.getrusage(resource.RUSAGE_SELF)
        if measured:
            samples.append({
                "wallNanoseconds": wall,
                "userSeconds": after.ru_utime - before.ru_utime,
                "systemSeconds": after.ru_stime - before.ru_stime,
                "voluntarySwitches": after.ru_nvcsw - before.ru_nvcsw,
                "involuntarySwitches": after.ru_nivcsw - before.ru_nivcsw,
                "peakInFlight": tasks,
            })
    figures = {
        "lateness_us_p50": percentile(lateness, 50) / 1e3,
        "lateness_us_p99": percentile(lateness, 99) / 1e3,
        "lateness_us_max": max(lateness) / 1e3,
    }
    report = {"event": "report", "status": "ok", "message": "", "samples": samples, "figures": figures}
    print(json.dumps(report), flush=True)
    sys.stdin.read()  # the cell reads our peak memory, then closes our stdin: exit then


if __name__ == "__main__":
    main()

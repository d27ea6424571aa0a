#!/usr/bin/env python3
"""asyncbench's Python worker: runs a cell's workload in one of Python's concurrency models.

Usage: asyncbench_worker.py MODEL   (asyncio, uvloop, threads or processes)
       asyncbench_worker.py --describe   (one line: the interpreter, its build, uvloop)

Speaks the worker protocol (docs/worker-protocol.md): reads the cell spec as one JSON line on
stdin, sets up and prints {"event": "ready"}, waits for "go", runs the warm-up and measured
repetitions, timing each with time.perf_counter_ns around starting every task and joining
them, prints its report as one JSON line and waits for its stdin to close. The models:

- asyncio: every task a coroutine on one event loop (create_task, then gather);
- uvloop: the same on uvloop's loop (its cells are skipped where uvloop is not installed);
- threads: one threading.Thread per task, started then joined;
- processes: one multiprocessing.Process per task (start method fork), started then joined;
  CPU time is RUSAGE_SELF + RUSAGE_CHILDREN, so the children's counts.

Standard library only (uvloop for its model).
"""

import asyncio
import json
import multiprocessing
import os
import platform
import resource
import sys
import sysconfig
import threading
import time

from asyncbench_io import File, Net
from asyncbench_workloads import CPU, Blocking, Limit, Sleep, Switch, TaskFailed, make_slots

MODELS = ("asyncio", "uvloop", "threads", "processes")
UVLOOP_MISSING = "uvloop is not installed for {}: pip install uvloop (or Debian's python3-uvloop)"


def make_workload(spec, model):
    """The workload of ``spec``, set up for ``model``; TaskFailed for one not implemented."""
    name, shared = spec["workload"], model == "processes"
    asynchronous = model in ("asyncio", "uvloop")
    if name.endswith("-offload") and not asynchronous:
        raise TaskFailed(f"{name} offloads from async code: not a {model} workload")
    makers = {
        "sleep": lambda: Sleep(spec, shared),
        "switch": lambda: Switch(spec, shared, asynchronous),
        "cpu": lambda: CPU(spec, shared),
        "blocking": lambda: Blocking(spec, shared),
        "blocking-offload": lambda: Blocking(spec, shared, offload=True),
        "net": lambda: Net(spec, shared),
        "file": lambda: File(spec, shared),
        "file-offload": lambda: File(spec, shared, offload=True),
        "file-sync": lambda: File(spec, shared),  # the parameters say fileSync
        "file-sync-offload": lambda: File(spec, shared, offload=True),
    }
    if name not in makers:
        raise TaskFailed(f"the Python worker does not implement the {name} workload")
    return makers[name]()


def make_loop(model):
    """A new event loop of ``model``'s kind, set as current."""
    if model == "uvloop":
        try:
            import uvloop
        except ImportError as error:
            raise ModuleNotFoundError(UVLOOP_MISSING.format(sys.executable)) from error
        loop = uvloop.new_event_loop()
    else:
        loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    return loop


class Outcome:
    """One repetition: its wall and creation times, the peak in flight, the tasks' failures."""

    def __init__(self):
        self.wall = self.creation = 0
        self.peak = None
        self.started = 0
        self.errors = []
        self.refused = None  # a Limit when starting a task was refused


def run_async(loop, workload):
    """Every task a coroutine on ``loop``: created with create_task, joined with gather."""
    outcome = Outcome()
    in_flight = peak = 0

    async def task(index):
        nonlocal in_flight, peak
        in_flight += 1
        peak = max(peak, in_flight)
        try:
            await workload.run_async(index)
        finally:
            in_flight -= 1

    async def repetition():
        start = time.perf_counter_ns()
        tasks = [loop.create_task(task(index)) for index in range(workload.tasks)]
        outcome.creation = time.perf_counter_ns() - start
        results = await asyncio.gather(*tasks, return_exceptions=True)
        outcome.wall = time.perf_counter_ns() - start
        outcome.errors = [r for r in results if isinstance(r, BaseException)]

    loop.run_until_complete(repetition())
    outcome.peak, outcome.started = peak, workload.tasks
    return outcome


def run_threads(workload, cap):
    """One threading.Thread per task, started one after another, then joined."""
    outcome = Outcome()
    lock = threading.Lock()
    counts = {"in_flight": 0, "peak": 0}

    def task(index):
        with lock:
            counts["in_flight"] += 1
            counts["peak"] = max(counts["peak"], counts["in_flight"])
        try:
            workload.run_blocking(index)
        except BaseException as error:
            outcome.errors.append(error)
        finally:
            with lock:
                counts["in_flight"] -= 1

    threads = []
    start = time.perf_counter_ns()
    for index in range(workload.tasks):
        if index >= cap:
            outcome.refused = Limit(f"the cell reached --max-threads {cap}")
            break
        thread = threading.Thread(target=task, args=(index,), daemon=True)
        try:
            thread.start()
        except RuntimeError as error:
            outcome.refused = Limit(f"threading.Thread.start after {index} threads: {error}")
            break
        threads.append(thread)
    outcome.creation = time.perf_counter_ns() - start
    for thread in threads:
        thread.join()
    outcome.wall = time.perf_counter_ns() - start
    outcome.peak, outcome.started = counts["peak"], len(threads)
    return outcome


LIMIT_EXIT = 3


def private_bytes():
    """This process's own memory, as the fork backend's children count it: smaps_rollup's
    Private_Clean + Private_Dirty and its page tables (VmPTE), in bytes; 0 if unreadable.

    Raw os.read and bytes: opening a text file would itself touch (copy on write) about 0.5 MiB
    of the interpreter's shared pages, more than a reading from outside the child shows.
    """
    total = 0
    for path, keys in ((b"/proc/self/smaps_rollup", (b"Private_Clean:", b"Private_Dirty:")),
                       (b"/proc/self/status", (b"VmPTE:",))):
        try:
            descriptor = os.open(path, os.O_RDONLY)
            try:
                data = os.read(descriptor, 1 << 16)
            finally:
                os.close(descriptor)
            lines = data.split(b"\n")
            total += sum(int(line.split()[1]) for line in lines if line.startswith(keys))
        except (OSError, ValueError, IndexError):
            return 0
    return total * 1024


def child(workload, index, memory):
    """A forked task: exit status 0 done, 3 refused a resource (a limit), 1 failed. With
    ``memory`` (shared slots, the memory repetition) it writes its private bytes there first."""
    try:
        workload.run_blocking(index)
        if memory is not None:
            memory[index] = private_bytes()
    except Limit as error:
        print(f"task {index}: {error}", file=sys.stderr, flush=True)
        os._exit(LIMIT_EXIT)
    except BaseException as error:
        print(f"task {index}: {error}", file=sys.stderr, flush=True)
        os._exit(1)
    os._exit(0)


def run_processes(workload, cap, context, memory=None):
    """One multiprocessing.Process per task, started one after another, then joined; ``memory``
    as for ``child``."""
    outcome = Outcome()
    processes = []
    start = time.perf_counter_ns()
    for index in range(workload.tasks):
        if index >= cap:
            outcome.refused = Limit(f"the cell reached --max-procs {cap}")
            break
        process = context.Process(target=child, args=(workload, index, memory), daemon=True)
        try:
            process.start()
        except OSError as error:
            outcome.refused = Limit(f"fork after {index} processes: {error.strerror}")
            break
        processes.append(process)
    outcome.creation = time.perf_counter_ns() - start
    for index, process in enumerate(processes):
        process.join()
        if process.exitcode == LIMIT_EXIT:
            why = f"task {index} ran out of a resource (its stderr says which)"
            outcome.errors.append(Limit(why))
        elif process.exitcode != 0:
            why = f"task {index} exited with status {process.exitcode}"
            outcome.errors.append(TaskFailed(why))
    outcome.wall = time.perf_counter_ns() - start
    outcome.started = len(processes)
    return outcome


def usage(model):
    """This process's CPU times and switches, with its reaped children's for processes."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    fields = [own.ru_utime, own.ru_stime, own.ru_nvcsw, own.ru_nivcsw]
    if model == "processes":
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        extra = [children.ru_utime, children.ru_stime, children.ru_nvcsw, children.ru_nivcsw]
        fields = [a + b for a, b in zip(fields, extra)]
    return fields


def failure(outcome):
    """The report fields of a repetition that did not run every task, or None."""
    limits = [e for e in outcome.errors if isinstance(e, Limit)]
    refused = outcome.refused or (limits[0] if limits else None)
    if refused is not None:
        reached = outcome.started - len(outcome.errors)
        return {"status": "limit", "message": str(refused), "tasksReached": reached}
    if outcome.errors:
        first = outcome.errors[0]
        return {"status": "error", "message": f"{len(outcome.errors)} tasks failed; first: "
                                              f"{type(first).__name__}: {first}"}
    return None


def measure(spec, model, workload, loop):
    """Runs the warm-up and measured repetitions; returns the report."""
    options = spec.get("options", {})
    cap = options.get("maxProcesses", 1 << 30)
    context = multiprocessing.get_context("fork")
    samples, measured_wall = [], 0
    for index in range(spec["warmup"] + spec["reps"]):
        measured = index >= spec["warmup"]
        workload.before_repetition()
        before = usage(model)
        if loop is not None:
            outcome = run_async(loop, workload)
        elif model == "threads":
            outcome = run_threads(workload, options.get("maxThreads", 1 << 30))
        else:
            outcome = run_processes(workload, cap, context)
        after = usage(model)
        failed = failure(outcome)
        if failed is not None:
            return dict(failed, samples=samples, figures={})
        workload.after_repetition(measured)
        if not measured:
            continue
        sample = {
            "wallNanoseconds": outcome.wall,
            "userSeconds": after[0] - before[0],
            "systemSeconds": after[1] - before[1],
            "voluntarySwitches": after[2] - before[2],
            "involuntarySwitches": after[3] - before[3],
            "creationNanoseconds": outcome.creation,
        }
        if outcome.peak is not None:
            sample["peakInFlight"] = outcome.peak
        samples.append(sample)
        measured_wall += outcome.wall
        budget = spec.get("repBudgetNanoseconds", 0)
        enough = len(samples) >= spec.get("minReps", spec["reps"])
        if budget > 0 and enough and measured_wall >= budget:
            break
    report = {"status": "ok", "message": "", "samples": samples, "figures": workload.figures()}
    if model == "processes" and spec.get("memoryRepetition", True):
        report.update(memory_repetition(workload, cap, context))
    return report


def memory_repetition(workload, cap, context):
    """One more, untimed repetition of processes, in which every child reads its own private
    memory before it exits (as the fork backend's memory repetition): their sum, or nothing
    when the repetition failed or no child reported. Its timings and figures are not kept."""
    memory = make_slots(workload.tasks, shared=True)
    workload.before_repetition()
    outcome = run_processes(workload, cap, context, memory)
    workload.after_repetition(False)
    reported = [value for value in memory[:workload.tasks] if value > 0]
    if failure(outcome) is not None or not reported:
        return {}
    return {"childrenPrivateBytes": sum(reported)}


def describe():
    """One line naming the interpreter, its build, its GIL and uvloop."""
    build = "free-threaded build" if sysconfig.get_config_var("Py_GIL_DISABLED") else "GIL build"
    gil = getattr(sys, "_is_gil_enabled", None)
    state = "" if gil is None else (", GIL enabled" if gil() else ", GIL disabled")
    try:
        import uvloop
        extra = f"uvloop {uvloop.__version__}"
    except ImportError:
        extra = "no uvloop"
    return (f"{platform.python_implementation()} {platform.python_version()} ({build}{state}), "
            f"{sys.executable}, {extra}, multiprocessing start method fork")


def main(argv):
    """Runs one cell; returns the exit status."""
    if argv[1:] == ["--describe"]:
        print(describe())
        return 0
    if len(argv) != 2 or argv[1] not in MODELS:
        print(f"usage: {argv[0]} {{{','.join(MODELS)}}} | --describe", file=sys.stderr)
        return 2
    model = argv[1]
    spec = json.loads(sys.stdin.readline())
    loop = workload = None
    report = None
    try:
        if model in ("asyncio", "uvloop"):
            loop = make_loop(model)
        workload = make_workload(spec, model)
    except ModuleNotFoundError as error:
        report = {"status": "skipped", "message": str(error)}
    except Limit as error:
        report = {"status": "limit", "message": str(error)}
    except (TaskFailed, OSError, KeyError, ValueError) as error:
        report = {"status": "error", "message": f"set-up: {type(error).__name__}: {error}"}
    # Set-up failures are reported after "go": a report before "ready" breaks the protocol.
    print(json.dumps({"event": "ready"}), flush=True)
    if sys.stdin.readline().strip() != "go":
        return 1
    try:
        if report is None:
            report = measure(spec, model, workload, loop)
    finally:
        if workload is not None:
            workload.close()
    report = dict({"samples": [], "figures": {}}, **report, event="report")
    print(json.dumps(report), flush=True)
    sys.stdin.read()  # the cell reads our peak memory, then closes our stdin: exit then
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

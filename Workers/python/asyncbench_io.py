"""The I/O workloads of asyncbench's Python worker: net (the latency server) and file.

``net``: each task opens one TCP connection to the latency server the sweep started for the
cell and sends its requests one after another (asyncio streams, or a blocking socket per thread
or process), checking every response's id. The wire protocol, big-endian: id (u64), payload
length (u32), payload. Every request is counted (sent, answered, failed, and why) over every
repetition, warm-up included, as the server counts its replies, so the sweep reconciles them.

``file``: each task writes its file, reads it back, verifies it byte for byte and removes it,
with plain blocking calls (inside a coroutine they block the loop) or, for ``file-offload``,
awaited through asyncio.to_thread. Standard library only.
"""

import asyncio
import errno
import os
import shutil
import socket
import statistics
import struct
import tempfile
import time

from asyncbench_workloads import (LIMIT_ERRNOS, Limit, TaskFailed, Workload,
                                  file_pattern, file_seed, make_slots,
                                  percentiles)

HEADER = struct.Struct(">QI")
SENT, ANSWERED, FAILED, CONNECT, TIMED_OUT, RESET = range(6)


async def within(seconds, awaitable):
    """``awaitable``, failing with TimeoutError after ``seconds``."""
    if hasattr(asyncio, "timeout"):
        async with asyncio.timeout(seconds):
            return await awaitable
    return await asyncio.wait_for(awaitable, seconds)


def receive_exactly(sock, count):
    """``count`` bytes from a blocking socket; EOFError when the peer closes first."""
    chunks, left = [], count
    while left > 0:
        chunk = sock.recv(left)
        if not chunk:
            raise EOFError("the server closed the connection")
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


class Net(Workload):
    """Requests to the latency server, one connection per task."""

    def __init__(self, spec, shared):
        super().__init__(spec, shared)
        parameters = self.parameters
        self.address = (parameters["serverHost"], parameters["serverPort"])
        self.requests = parameters["requests"]
        self.payload = b"a" * parameters["payload"]
        self.timeout = parameters["requestTimeoutNanoseconds"] / 1e9
        self.counts = make_slots(self.tasks * 6, shared)
        self.latency = make_slots(self.tasks * self.requests, shared, -1)
        self.round_trips = []

    def before_repetition(self):
        for slot in range(self.tasks * self.requests):
            self.latency[slot] = -1

    def after_repetition(self, measured):
        if measured:
            slots = self.latency[: self.tasks * self.requests]
            self.round_trips += [v for v in slots if v >= 0]

    def connect_failure(self, error):
        """A connection that could not be made: out of descriptors is a limit."""
        host, port = self.address
        text = f"connect to {host}:{port}: {error}"
        if getattr(error, "errno", None) in (errno.EMFILE, errno.ENFILE):
            return Limit(text)
        return TaskFailed(text)

    def message(self, index, k):
        """Request k of task ``index``: its id and its bytes."""
        ident = index << 24 | k
        return ident, HEADER.pack(ident, len(self.payload)) + self.payload

    def answered(self, index, k, ident, header, sent_at):
        """Counts request k answered when ``header`` is its response's; False otherwise."""
        got, length = HEADER.unpack(header)
        if got != ident or length != len(self.payload):
            return False
        self.counts[index * 6 + ANSWERED] += 1
        self.latency[index * self.requests + k] = time.perf_counter_ns() - sent_at
        return True

    def failed(self, index, why=None):
        """Counts a failed request, and why (TIMED_OUT, RESET or None)."""
        self.counts[index * 6 + FAILED] += 1
        if why is not None:
            self.counts[index * 6 + why] += 1

    def run_blocking(self, index):
        started = time.perf_counter_ns()
        try:
            sock = socket.create_connection(self.address, timeout=10)
        except OSError as error:
            raise self.connect_failure(error) from error
        self.counts[index * 6 + CONNECT] = time.perf_counter_ns() - started
        with sock:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            sock.settimeout(self.timeout)
            for k in range(self.requests):
                ident, request = self.message(index, k)
                sent_at = time.perf_counter_ns()
                self.counts[index * 6 + SENT] += 1
                try:
                    sock.sendall(request)
                    header = receive_exactly(sock, HEADER.size)
                    receive_exactly(sock, HEADER.unpack(header)[1])
                except socket.timeout:
                    self.failed(index, TIMED_OUT)
                    break
                except (EOFError, ConnectionError):
                    self.failed(index, RESET)
                    break
                except OSError:
                    self.failed(index)
                    break
                if not self.answered(index, k, ident, header, sent_at):
                    self.failed(index)
                    break

    async def run_async(self, index):
        started = time.perf_counter_ns()
        try:
            reader, writer = await within(10, asyncio.open_connection(*self.address))
        except (OSError, asyncio.TimeoutError) as error:
            raise self.connect_failure(error) from error
        self.counts[index * 6 + CONNECT] = time.perf_counter_ns() - started
        try:
            for k in range(self.requests):
                ident, request = self.message(index, k)
                sent_at = time.perf_counter_ns()
                self.counts[index * 6 + SENT] += 1
                try:
                    writer.write(request)
                    await writer.drain()
                    header = await within(self.timeout, reader.readexactly(HEADER.size))
                    length = HEADER.unpack(header)[1]
                    await within(self.timeout, reader.readexactly(length))
                except asyncio.TimeoutError:
                    self.failed(index, TIMED_OUT)
                    break
                except (asyncio.IncompleteReadError, ConnectionError):
                    self.failed(index, RESET)
                    break
                except OSError:
                    self.failed(index)
                    break
                if not self.answered(index, k, ident, header, sent_at):
                    self.failed(index)
                    break
        finally:
            writer.close()
            try:
                await writer.wait_closed()
            except OSError:
                pass

    def figures(self):
        totals = [0] * 6
        connects = []
        for index in range(self.tasks):
            for slot in (SENT, ANSWERED, FAILED, TIMED_OUT, RESET):
                totals[slot] += self.counts[index * 6 + slot]
            if self.counts[index * 6 + CONNECT] > 0:
                connects.append(self.counts[index * 6 + CONNECT])
        figures = {
            "requests_sent": totals[SENT],
            "requests_answered": totals[ANSWERED],
            "requests_failed": totals[FAILED],
            "requests_timed_out": totals[TIMED_OUT],
            "requests_reset": totals[RESET],
        }
        if connects:
            figures["connect_us"] = int(statistics.median(connects)) / 1e3
        if self.round_trips:
            found = percentiles(self.round_trips)
            for name in ("p50", "p90", "p99", "max"):
                figures["request_ms_" + name] = found[name] / 1e6
        return figures


class File(Workload):
    """Each task writes, reads back, verifies and removes one file in the cell's folder."""

    def __init__(self, spec, shared, offload=False):
        super().__init__(spec, shared)
        parameters = self.parameters
        self.size = parameters["fileBytes"]
        self.sync = parameters.get("fileSync", False)
        self.offload = offload
        self.directory = parameters.get("fileDirectory", "")
        self.owns = not self.directory
        if self.owns:  # no sweep made one: a private folder of our own, removed at the end
            parent = parameters.get("fileParent") or None
            prefix = f"asyncbench-files-{os.getpid()}-"
            self.directory = tempfile.mkdtemp(prefix=prefix, dir=parent)
        self.times = make_slots(self.tasks, shared, -1)
        self.file_times = []
        free = os.statvfs(self.directory)
        available = free.f_bavail * free.f_frsize
        if self.tasks * self.size > available * 8 // 10:
            self.close()
            raise Limit(
                f"{self.tasks} files of {self.size} bytes need over 80% of the "
                f"{available} bytes free in {self.directory}; choose a smaller "
                "--file-size or another --file-dir")

    def before_repetition(self):
        for index in range(self.tasks):
            self.times[index] = -1

    def after_repetition(self, measured):
        if measured:
            self.file_times += [v for v in self.times[: self.tasks] if v >= 0]

    def run_file(self, index):
        """Writes, reads back, verifies and removes task ``index``'s file; records its time."""
        path = f"{self.directory}/f{index}"
        start = time.perf_counter_ns()
        try:
            data = file_pattern(file_seed(index), self.size)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o600)
            try:
                view = memoryview(data)
                while view:
                    view = view[os.write(fd, view):]
                if self.sync:
                    os.fsync(fd)
            finally:
                os.close(fd)
            with open(path, "rb", buffering=0) as file:
                back = file.read()
            same = back == data
            elapsed = time.perf_counter_ns() - start
        except OSError as error:
            if error.errno in LIMIT_ERRNOS:
                raise Limit(f"write/read {path}: {error.strerror}") from error
            raise TaskFailed(f"write/read {path}: {error.strerror}") from error
        finally:
            try:
                os.unlink(path)
            except OSError:
                pass
        if not same:
            raise TaskFailed(f"{path}: the bytes read back differ from those written")
        self.times[index] = elapsed

    def run_blocking(self, index):
        self.run_file(index)

    async def run_async(self, index):
        if self.offload:
            await asyncio.to_thread(self.run_file, index)
        else:
            self.run_file(index)  # in place: the loop waits on the disk meanwhile

    def figures(self):
        if not self.file_times:
            return {}
        found = percentiles(self.file_times)
        return {"file_ms_" + name: found[name] / 1e6 for name in ("p50", "p99", "max")}

    def close(self):
        if self.owns:
            shutil.rmtree(self.directory, ignore_errors=True)
            self.owns = False

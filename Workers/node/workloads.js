// The workloads of asyncbench's Node.js worker: sleep, blocking (and -offload), switch, cpu,
// and, from io.js, net and file (and -offload, -sync).
//
// Each workload holds one cell's state and offers `run(index)`, an async function (a promise per
// task on the event loop). The figures are those the Swift bodies report for the same workload
// (Sources/AsyncBenchCell/Workloads/), by column name. Standard library only.
'use strict';

const os = require('os');
const { Worker } = require('worker_threads');

/** The system refused more tasks or resources (descriptors, disk): a limit row. */
class Limit extends Error {}
/** A task did its work wrong (a wrong result, bytes that differ): an error row. */
class TaskFailed extends Error {}

const now = () => process.hrtime.bigint();

/** Nearest-rank p50, p90, p99 and max of a non-empty array of numbers, as asyncbench does. */
function percentiles(values) {
  const ordered = Float64Array.from(values).sort();
  const rank = (percent) => {
    const index = Math.ceil((ordered.length * percent) / 100) - 1;
    return ordered[Math.max(0, Math.min(ordered.length - 1, index))];
  };
  return { p50: rank(50), p90: rank(90), p99: rank(99), max: ordered[ordered.length - 1] };
}

const delay = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Blocks this thread (the loop, or a worker thread) for `ms`: a synchronous call. */
function blockFor(ms) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

class Workload {
  constructor(spec) {
    this.spec = spec;
    this.tasks = spec.tasks;
    this.parameters = spec.parameters || {};
  }

  beforeRepetition() {}
  afterRepetition() {}
  figures() { return {}; }
  async close() {}
}

/** Each task awaits a setTimeout of the cell's latency and records how late it woke. */
class Sleep extends Workload {
  constructor(spec) {
    super(spec);
    this.latency = spec.latencyNanoseconds;
    this.slots = new Float64Array(Math.max(1, this.tasks)).fill(NaN);
    this.lateness = [];
    this.repetitionP99s = [];
  }

  beforeRepetition() {
    this.slots.fill(NaN);
    this.start = now();
  }

  afterRepetition(measured) {
    if (!measured) return;
    const recorded = this.slots.filter((value) => !Number.isNaN(value));
    if (recorded.length === 0) return;
    for (const value of recorded) this.lateness.push(value);
    this.repetitionP99s.push(percentiles(recorded).p99);
  }

  /** One timer and one promise per task (as pkolaczk's `delay`), recording its lateness. */
  run(index) {
    // ns since the repetition began, a Number (a BigInt per task would cost more memory).
    const deadline = Number(now() - this.start) + this.latency;
    return new Promise((resolve) => {
      setTimeout(() => {
        this.slots[index] = Number(now() - this.start) - deadline;
        resolve();
      }, this.latency / 1e6);
    });
  }

  figures() {
    if (this.lateness.length === 0) return {};
    const found = percentiles(this.lateness);
    return {
      lateness_us_p50: found.p50 / 1e3,
      lateness_us_p99: found.p99 / 1e3,
      lateness_us_max: found.max / 1e3,
      lateness_us_p99_rep_min: Math.min(...this.repetitionP99s) / 1e3,
      lateness_us_p99_rep_max: Math.max(...this.repetitionP99s) / 1e3,
    };
  }
}

/** A pool of worker threads that each block when asked: Node's way to move a synchronous call
 * off the loop. min(32, cores + 4) threads, as asyncio.to_thread's default executor, so that the
 * two runtimes' offloads compare. */
class BlockingPool {
  constructor(size) {
    const source = `const { parentPort } = require('worker_threads');
      parentPort.on('message', (ms) => {
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
        parentPort.postMessage(ms);
      });`;
    this.idle = [];
    this.queue = [];
    this.workers = [];
    for (let index = 0; index < size; index++) {
      const worker = new Worker(source, { eval: true });
      this.workers.push(worker);
      this.idle.push(worker);
    }
  }

  /** Resolves once a pool thread has blocked for `ms`. */
  block(ms) {
    return new Promise((resolve) => {
      this.queue.push({ ms, resolve });
      this.dispatch();
    });
  }

  dispatch() {
    while (this.idle.length > 0 && this.queue.length > 0) {
      const worker = this.idle.pop();
      const job = this.queue.shift();
      worker.once('message', () => {
        this.idle.push(worker);
        job.resolve();
        this.dispatch();
      });
      worker.postMessage(job.ms);
    }
  }

  async close() {
    await Promise.all(this.workers.map((worker) => worker.terminate()));
  }
}

/** Every task waits until the repetition's start + latency; every 1/fraction-th first makes a
 * synchronous call of blockNanoseconds (Atomics.wait: the whole loop stops meanwhile), or, for
 * blocking-offload, awaits it on a worker thread. Lateness counts the tasks that did not block. */
class Blocking extends Sleep {
  constructor(spec, offload) {
    super(spec);
    this.fraction = this.parameters.blockingFraction;
    this.blockMs = this.parameters.blockNanoseconds / 1e6;
    this.pool = offload ? new BlockingPool(Math.min(32, os.cpus().length + 4)) : null;
  }

  blocks(index) {
    if (this.fraction <= 0) return false;
    return Math.floor((index + 1) * this.fraction) > Math.floor(index * this.fraction);
  }

  async run(index) {
    const blocks = this.blocks(index);
    if (blocks && this.pool) await this.pool.block(this.blockMs);
    else if (blocks) blockFor(this.blockMs);
    const deadline = this.start + BigInt(this.latency);
    const remaining = Number(deadline - now());
    if (remaining > 0) await delay(remaining / 1e6);
    if (!blocks) this.slots[index] = Number(now() - deadline);
  }

  async close() {
    if (this.pool) await this.pool.close();
  }
}

/** A one-shot signal between two tasks on the loop (asyncio.Event's set, wait, clear). */
class Signal {
  constructor() {
    this.set_ = false;
    this.waiter = null;
  }

  set() {
    this.set_ = true;
    if (this.waiter) {
      const resolve = this.waiter;
      this.waiter = null;
      resolve();
    }
  }

  wait() {
    if (this.set_) return Promise.resolve();
    return new Promise((resolve) => { this.waiter = resolve; });
  }

  clear() { this.set_ = false; }
}

/** Tasks 2k and 2k+1 pass a token back and forth `rounds` times: a signal each way. */
class Switch extends Workload {
  constructor(spec) {
    super(spec);
    this.rounds = this.parameters.rounds;
    this.pairs = Array.from({ length: Math.floor(this.tasks / 2) }, () => [new Signal(), new Signal()]);
  }

  async run(index) {
    if (Math.floor(index / 2) >= this.pairs.length) return;
    const [toSecond, toFirst] = this.pairs[Math.floor(index / 2)];
    for (let round = 0; round < this.rounds; round++) {
      if (index % 2 === 0) {
        toSecond.set();
        await toFirst.wait();
        toFirst.clear();
      } else {
        await toSecond.wait();
        toSecond.clear();
        toFirst.set();
      }
    }
  }
}

const MULTIPLIER_HIGH = 0x2545f491;
const MULTIPLIER_LOW = 0x4f6cdd1d;

/** The Swift CPU workload's rounds (CAsyncBench_cpu_work), 64 bits as two 32-bit halves
 * (a BigInt round costs ~50× more): xorshift, then a multiply. Returns the result as a BigInt. */
function cpuWork(iterations, seed = 42) {
  let hi = 0;
  let lo = (seed | 1) >>> 0;
  for (let i = 0; i < iterations; i++) {
    lo = (lo ^ ((lo >>> 12) | (hi << 20))) >>> 0; // x ^= x >> 12
    hi = (hi ^ (hi >>> 12)) >>> 0;
    hi = (hi ^ ((hi << 25) | (lo >>> 7))) >>> 0; // x ^= x << 25
    lo = (lo ^ (lo << 25)) >>> 0;
    lo = (lo ^ ((lo >>> 27) | (hi << 5))) >>> 0; // x ^= x >> 27
    hi = (hi ^ (hi >>> 27)) >>> 0;
    // x *= M (mod 2^64): the full 64-bit lo × M_low from 16-bit pieces, plus the cross terms.
    const a0 = lo & 0xffff;
    const a1 = lo >>> 16;
    const b0 = MULTIPLIER_LOW & 0xffff;
    const b1 = MULTIPLIER_LOW >>> 16;
    const p00 = a0 * b0;
    const p01 = a0 * b1;
    const p10 = a1 * b0;
    const middle = (p00 >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
    const carry = a1 * b1 + Math.floor(p01 / 65536) + Math.floor(p10 / 65536) + Math.floor(middle / 65536);
    hi = (carry + Math.imul(hi, MULTIPLIER_LOW) + Math.imul(lo, MULTIPLIER_HIGH)) >>> 0;
    lo = Math.imul(lo, MULTIPLIER_LOW) >>> 0;
  }
  return (BigInt(hi) << 32n) | BigInt(lo);
}

/** Each task computes `work` rounds and checks them against the spec's `expected`; they run one
 * after another on the loop (one thread: no speedup, as for asyncio). single_task_ms: one task
 * alone, the median of one run before each repetition and three at set-up after an untimed one. */
class CPU extends Workload {
  constructor(spec, expected) {
    super(spec);
    this.work = this.parameters.work;
    this.expected = expected;
    this.times = [];
    for (let attempt = 0; attempt < 4; attempt++) {
      const [elapsed, result] = this.timeOne();
      if (attempt > 0) this.times.push(elapsed);
      if (this.expected === null) this.expected = result; // no value from the Swift side
      this.check(result);
    }
  }

  timeOne() {
    const start = now();
    const result = cpuWork(this.work);
    return [Number(now() - start), result];
  }

  check(result) {
    if (result !== this.expected) throw new TaskFailed(`cpu work gave ${result}, not ${this.expected}`);
  }

  beforeRepetition() {
    const [elapsed, result] = this.timeOne();
    this.check(result);
    this.times.push(elapsed);
  }

  async run() {
    this.check(cpuWork(this.work)); // CPU-bound: holds the loop until done
  }

  figures() {
    const ordered = [...this.times].sort((a, b) => a - b);
    const middle = ordered.length >> 1;
    const median = ordered.length % 2 ? ordered[middle] : (ordered[middle - 1] + ordered[middle]) / 2;
    return { single_task_ms: median / 1e6 };
  }
}

/** The workload of `spec`, set up; `expected` is the cpu result read exactly from the spec. */
async function makeWorkload(spec, expected) {
  const io = require('./io.js');
  const makers = {
    sleep: () => new Sleep(spec),
    blocking: () => new Blocking(spec, false),
    'blocking-offload': () => new Blocking(spec, true),
    switch: () => new Switch(spec),
    cpu: () => new CPU(spec, expected),
    net: () => new io.Net(spec),
    file: () => new io.File(spec, false),
    'file-offload': () => new io.File(spec, true),
    'file-sync': () => new io.File(spec, false),
    'file-sync-offload': () => new io.File(spec, true),
  };
  const make = makers[spec.workload];
  if (!make) throw new TaskFailed(`the Node.js worker does not implement the ${spec.workload} workload`);
  const workload = make();
  if (workload.ready) await workload.ready();
  return workload;
}

module.exports = { Workload, Limit, TaskFailed, percentiles, cpuWork, makeWorkload };

#!/usr/bin/env node
// asyncbench's Node.js worker: runs a cell's workload with one promise per task on Node's
// event loop (an async function per task, started in a loop, joined with Promise.all).
//
// Usage: node asyncbench_worker.js              (speaks the worker protocol on stdin/stdout)
//        node asyncbench_worker.js --describe   (one line: Node, V8, libuv, the thread pool)
//
// The protocol (docs/worker-protocol.md): the cell spec as one JSON line on stdin, then
// {"event":"ready"}, then "go" back, then the warm-up and measured repetitions, each timed with
// process.hrtime.bigint() around starting every task and joining them, then the report as one
// JSON line, then wait for stdin to close. Standard library only.
'use strict';

const { makeWorkload, Limit, TaskFailed } = require('./workloads.js');

function describe() {
  const pool = process.env.UV_THREADPOOL_SIZE || '4 (default)';
  return `Node.js ${process.version} (V8 ${process.versions.v8}, libuv ${process.versions.uv}), ` +
    `UV_THREADPOOL_SIZE ${pool}, ${process.platform}/${process.arch}`;
}

/** Lines from stdin, one at a time: `await lines.next()` is the next line, or null at its end. */
class Lines {
  constructor(stream) {
    this.buffer = '';
    this.waiting = [];
    this.queue = [];
    this.ended = false;
    stream.setEncoding('utf8');
    stream.on('data', (chunk) => {
      this.buffer += chunk;
      let end;
      while ((end = this.buffer.indexOf('\n')) >= 0) {
        this.push(this.buffer.slice(0, end));
        this.buffer = this.buffer.slice(end + 1);
      }
    });
    stream.on('end', () => {
      if (this.buffer) this.push(this.buffer);
      this.buffer = '';
      this.ended = true;
      for (const resolve of this.waiting.splice(0)) resolve(null);
    });
  }

  push(line) {
    if (this.waiting.length > 0) this.waiting.shift()(line);
    else this.queue.push(line);
  }

  next() {
    if (this.queue.length > 0) return Promise.resolve(this.queue.shift());
    if (this.ended) return Promise.resolve(null);
    return new Promise((resolve) => this.waiting.push(resolve));
  }
}

/** One repetition: every task's promise made in a loop, joined with Promise.all. A task is the
 * workload's promise and one `then` that counts it out (no async function around it: at a
 * million tasks each extra async frame costs ~0.3 KiB). */
async function repetition(workload, tasks) {
  let inFlight = 0;
  let peak = 0;
  const errors = [];
  const ended = () => { inFlight -= 1; };
  const failed = (error) => {
    errors.push(error);
    inFlight -= 1;
  };
  function task(index) {
    inFlight += 1;
    if (inFlight > peak) peak = inFlight;
    try {
      return workload.run(index).then(ended, failed);
    } catch (error) {
      failed(error);
      return undefined;
    }
  }
  const start = process.hrtime.bigint();
  const running = new Array(tasks);
  for (let index = 0; index < tasks; index++) running[index] = task(index);
  const creation = process.hrtime.bigint() - start;
  await Promise.all(running);
  const wall = process.hrtime.bigint() - start;
  return { wall: Number(wall), creation: Number(creation), peak, errors };
}

function usage() {
  const used = process.resourceUsage();
  return [used.userCPUTime / 1e6, used.systemCPUTime / 1e6, used.voluntaryContextSwitches,
    used.involuntaryContextSwitches];
}

/** The report fields of a repetition whose tasks did not all succeed, or null. */
function failure(outcome, tasks) {
  if (outcome.errors.length === 0) return null;
  const limit = outcome.errors.find((error) => error instanceof Limit);
  if (limit) {
    return { status: 'limit', message: limit.message, tasksReached: tasks - outcome.errors.length };
  }
  const first = outcome.errors[0];
  const name = first && first.constructor ? first.constructor.name : 'Error';
  return {
    status: 'error',
    message: `${outcome.errors.length} tasks failed; first: ${name}: ${first && first.message}`,
  };
}

async function measure(spec, workload) {
  const samples = [];
  let measuredWall = 0;
  for (let index = 0; index < spec.warmup + spec.reps; index++) {
    const measured = index >= spec.warmup;
    workload.beforeRepetition();
    const before = usage();
    const outcome = await repetition(workload, spec.tasks);
    const after = usage();
    const failed = failure(outcome, spec.tasks);
    if (failed) return Object.assign(failed, { samples, figures: {} });
    workload.afterRepetition(measured);
    if (!measured) continue;
    samples.push({
      wallNanoseconds: outcome.wall,
      userSeconds: after[0] - before[0],
      systemSeconds: after[1] - before[1],
      voluntarySwitches: after[2] - before[2],
      involuntarySwitches: after[3] - before[3],
      peakInFlight: outcome.peak,
      creationNanoseconds: outcome.creation,
    });
    measuredWall += outcome.wall;
    const budget = spec.repBudgetNanoseconds || 0;
    const enough = samples.length >= (spec.minReps || spec.reps);
    if (budget > 0 && enough && measuredWall >= budget) break;
  }
  return { status: 'ok', message: '', samples, figures: workload.figures() };
}

function emit(object) {
  process.stdout.write(JSON.stringify(object) + '\n');
}

async function main(argv) {
  if (argv.length === 1 && argv[0] === '--describe') {
    console.log(describe());
    return 0;
  }
  if (argv.length !== 0) {
    process.stderr.write('usage: node asyncbench_worker.js [--describe]\n');
    return 2;
  }
  const lines = new Lines(process.stdin);
  const line = await lines.next();
  if (line === null) return 1;
  let spec = null;
  let workload = null;
  let report = null;
  try {
    spec = JSON.parse(line);
    // A 64-bit result does not fit a JavaScript number: the cpu workload reads its digits.
    const expected = /"expected"\s*:\s*(\d+)/.exec(line);
    workload = await makeWorkload(spec, expected ? BigInt(expected[1]) : null);
  } catch (error) {
    if (error instanceof Limit) report = { status: 'limit', message: error.message };
    else report = { status: 'error', message: `set-up: ${error.constructor.name}: ${error.message}` };
  }
  // Set-up failures are reported after "go": a report before "ready" breaks the protocol.
  emit({ event: 'ready' });
  if ((await lines.next()) !== 'go') return 1;
  try {
    if (report === null) report = await measure(spec, workload);
  } catch (error) {
    report = { status: 'error', message: `${error.constructor.name}: ${error.message}` };
  } finally {
    if (workload) await workload.close();
  }
  emit(Object.assign({ samples: [], figures: {} }, report, { event: 'report' }));
  while ((await lines.next()) !== null) { /* the cell reads our peak memory, then closes stdin */ }
  return 0;
}

main(process.argv.slice(2)).then((status) => {
  process.exitCode = status;
}, (error) => {
  process.stderr.write(`worker: ${error && error.stack}\n`);
  process.exitCode = 1;
});

module.exports = { TaskFailed };

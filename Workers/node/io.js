// The I/O workloads of asyncbench's Node.js worker: net (the latency server) and file.
//
// net: each task opens one TCP connection (net.connect) to the latency server the sweep
// started for the cell and sends its requests one after another, checking every response's
// id. The wire protocol, big-endian: id (u64), payload length (u32), payload. Every request is
// counted (sent, answered, failed, and why) over every repetition, warm-up included, as the
// server counts its replies, so the sweep reconciles them.
//
// file: each task writes its file, reads it back, verifies it byte for byte and removes it:
// with fs's synchronous calls on the loop (file, file-sync), or with fs.promises, whose calls
// run on libuv's thread pool (file-offload, file-sync-offload: Node's own offload).
'use strict';

const fs = require('fs');
const net = require('net');
const os = require('os');
const path = require('path');
const { Workload, Limit, TaskFailed, percentiles } = require('./workloads.js');

const HEADER = 12;
const [SENT, ANSWERED, FAILED, TIMED_OUT, RESET] = [0, 1, 2, 3, 4];
const RESET_CODES = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED']);
const LIMIT_CODES = new Set(['EMFILE', 'ENFILE', 'ENOSPC', 'EDQUOT', 'EFBIG']);

/** One connection's bytes, read as whole messages: `await reader.read(count)` gives `count`. */
class Reader {
  constructor(socket) {
    this.chunks = [];
    this.length = 0;
    this.waiting = null;
    this.error = null;
    socket.on('data', (chunk) => {
      this.chunks.push(chunk);
      this.length += chunk.length;
      this.wake();
    });
    socket.on('end', () => {
      this.fail(Object.assign(new Error('the server closed the connection'), { code: 'ECONNRESET' }));
    });
    socket.on('error', (error) => this.fail(error));
  }

  fail(error) {
    if (!this.error) this.error = error;
    this.wake();
  }

  wake() {
    if (!this.waiting) return;
    const { count, resolve, reject } = this.waiting;
    if (this.length >= count) {
      this.waiting = null;
      resolve(this.take(count));
    } else if (this.error) {
      this.waiting = null;
      reject(this.error);
    }
  }

  take(count) {
    const all = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks);
    this.chunks = count < all.length ? [all.subarray(count)] : [];
    this.length = all.length - count;
    return all.subarray(0, count);
  }

  read(count) {
    return new Promise((resolve, reject) => {
      this.waiting = { count, resolve, reject };
      this.wake();
    });
  }
}

function connect(host, port) {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port, noDelay: true });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(Object.assign(new Error('connect timed out after 10 s'), { code: 'ETIMEDOUT' }));
    }, 10000);
    socket.once('connect', () => {
      clearTimeout(timer);
      resolve(socket);
    });
    socket.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

/** `promise`, or a rejection with code ETIMEDOUT after `ms`. */
function within(ms, promise) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

class Net extends Workload {
  constructor(spec) {
    super(spec);
    const p = this.parameters;
    this.host = p.serverHost;
    this.port = p.serverPort;
    this.requests = p.requests;
    this.payload = Buffer.alloc(p.payload, 'a');
    this.timeoutMs = p.requestTimeoutNanoseconds / 1e6;
    this.counts = new Float64Array(this.tasks * 5);
    this.connects = new Float64Array(this.tasks);
    this.latency = new Float64Array(Math.max(1, this.tasks * this.requests));
    this.roundTrips = [];
  }

  beforeRepetition() { this.latency.fill(-1); }

  afterRepetition(measured) {
    if (!measured) return;
    for (const value of this.latency) if (value >= 0) this.roundTrips.push(value);
  }

  async run(index) {
    const started = process.hrtime.bigint();
    let socket;
    try {
      socket = await connect(this.host, this.port);
    } catch (error) {
      const text = `connect to ${this.host}:${this.port}: ${error.message}`;
      throw LIMIT_CODES.has(error.code) ? new Limit(text) : new TaskFailed(text);
    }
    this.connects[index] = Number(process.hrtime.bigint() - started);
    const reader = new Reader(socket);
    const counts = this.counts;
    try {
      for (let k = 0; k < this.requests; k++) {
        const ident = (BigInt(index) << 24n) | BigInt(k);
        const request = Buffer.alloc(HEADER + this.payload.length);
        request.writeBigUInt64BE(ident, 0);
        request.writeUInt32BE(this.payload.length, 8);
        this.payload.copy(request, HEADER);
        const sentAt = process.hrtime.bigint();
        counts[index * 5 + SENT] += 1;
        let header;
        try {
          socket.write(request);
          header = await within(this.timeoutMs, reader.read(HEADER));
          await within(this.timeoutMs, reader.read(header.readUInt32BE(8)));
        } catch (error) {
          counts[index * 5 + FAILED] += 1;
          if (error.code === 'ETIMEDOUT') counts[index * 5 + TIMED_OUT] += 1;
          else if (RESET_CODES.has(error.code)) counts[index * 5 + RESET] += 1;
          return;
        }
        if (header.readBigUInt64BE(0) !== ident || header.readUInt32BE(8) !== this.payload.length) {
          counts[index * 5 + FAILED] += 1;
          return;
        }
        counts[index * 5 + ANSWERED] += 1;
        this.latency[index * this.requests + k] = Number(process.hrtime.bigint() - sentAt);
      }
    } finally {
      socket.destroy();
    }
  }

  figures() {
    const totals = [0, 0, 0, 0, 0];
    const connects = [];
    for (let index = 0; index < this.tasks; index++) {
      for (let slot = 0; slot < 5; slot++) totals[slot] += this.counts[index * 5 + slot];
      if (this.connects[index] > 0) connects.push(this.connects[index]);
    }
    const figures = {
      requests_sent: totals[SENT],
      requests_answered: totals[ANSWERED],
      requests_failed: totals[FAILED],
      requests_timed_out: totals[TIMED_OUT],
      requests_reset: totals[RESET],
    };
    if (connects.length > 0) {
      connects.sort((a, b) => a - b);
      const middle = connects.length >> 1;
      const median = connects.length % 2 ? connects[middle] : (connects[middle - 1] + connects[middle]) / 2;
      figures.connect_us = Math.trunc(median) / 1e3;
    }
    if (this.roundTrips.length > 0) {
      const found = percentiles(this.roundTrips);
      for (const name of ['p50', 'p90', 'p99', 'max']) figures[`request_ms_${name}`] = found[name] / 1e6;
    }
    return figures;
  }
}

const MASK = (1n << 64n) - 1n;

/** SplitMix64 of the task index: the seed of its file's bytes (as file.c). */
function fileSeed(index) {
  let z = (BigInt(index) + 0x9e3779b97f4a7c15n) & MASK;
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK;
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK;
  return z ^ (z >> 31n);
}

/** The `size` bytes task files hold: byte i = seed's byte (i mod 8) ^ (i >> 3) mod 256. */
function filePattern(seed, size) {
  const le = Buffer.alloc(8);
  le.writeBigUInt64LE(seed);
  const data = Buffer.alloc(size);
  for (let i = 0; i < size; i++) data[i] = le[i & 7] ^ ((i >>> 3) & 0xff);
  return data;
}

class File extends Workload {
  constructor(spec, offload) {
    super(spec);
    const p = this.parameters;
    this.size = p.fileBytes;
    this.sync = Boolean(p.fileSync);
    this.offload = offload;
    this.directory = p.fileDirectory || '';
    this.owns = !this.directory;
    if (this.owns) { // no sweep made one: a private folder of our own, removed at the end
      const parent = p.fileParent || os.tmpdir();
      this.directory = fs.mkdtempSync(path.join(parent, `asyncbench-files-${process.pid}-`));
    }
    this.times = new Float64Array(Math.max(1, this.tasks));
    this.fileTimes = [];
    const free = fs.statfsSync(this.directory);
    const available = free.bavail * free.bsize;
    if (this.tasks * this.size > available * 0.8) {
      this.removeFolder();
      throw new Limit(`${this.tasks} files of ${this.size} bytes need over 80% of the ${available} bytes free in ` +
        `${this.directory}; choose a smaller --file-size or another --file-dir`);
    }
  }

  beforeRepetition() { this.times.fill(-1); }

  afterRepetition(measured) {
    if (!measured) return;
    for (const value of this.times.subarray(0, this.tasks)) if (value >= 0) this.fileTimes.push(value);
  }

  failure(file, error) {
    const text = `write/read ${file}: ${error.message}`;
    return LIMIT_CODES.has(error.code) ? new Limit(text) : new TaskFailed(text);
  }

  async run(index) {
    const file = `${this.directory}/f${index}`;
    const start = process.hrtime.bigint();
    const data = filePattern(fileSeed(index), this.size);
    let back;
    try {
      if (this.offload) {
        const handle = await fs.promises.open(file, 'w', 0o600);
        try {
          await handle.writeFile(data);
          if (this.sync) await handle.sync();
        } finally {
          await handle.close();
        }
        back = await fs.promises.readFile(file);
      } else {
        const fd = fs.openSync(file, 'w', 0o600);
        try {
          fs.writeFileSync(fd, data);
          if (this.sync) fs.fsyncSync(fd);
        } finally {
          fs.closeSync(fd);
        }
        back = fs.readFileSync(file);
      }
    } catch (error) {
      throw this.failure(file, error);
    } finally {
      try { fs.unlinkSync(file); } catch (_) { /* never written */ }
    }
    const elapsed = Number(process.hrtime.bigint() - start);
    if (!back.equals(data)) throw new TaskFailed(`${file}: the bytes read back differ from those written`);
    this.times[index] = elapsed;
  }

  figures() {
    if (this.fileTimes.length === 0) return {};
    const found = percentiles(this.fileTimes);
    return { file_ms_p50: found.p50 / 1e6, file_ms_p99: found.p99 / 1e6, file_ms_max: found.max / 1e6 };
  }

  removeFolder() {
    if (this.owns) {
      fs.rmSync(this.directory, { recursive: true, force: true });
      this.owns = false;
    }
  }

  async close() { this.removeFolder(); }
}

module.exports = { Net, File, fileSeed, filePattern };

//! sleep, blocking (and -offload), switch and cpu: each a workload's state and its task, as an
//! `async fn` that `measure` spawns once per index. The figures are the ones the Swift bodies
//! report for the same workload (Sources/AsyncBenchCell/Workloads/), by column name.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::mpsc;

use crate::json;
use crate::measure::{now_ns, percentiles, slots, TaskError, Workload};
use crate::spec::Spec;

const UNSET: i64 = i64::MIN;

/// How late tasks woke past their deadlines: one slot per task, kept over the measured
/// repetitions (every value, and each repetition's p99).
pub struct Lateness {
    slots: Vec<AtomicI64>,
    values: Mutex<Vec<i64>>,
    repetition_p99s: Mutex<Vec<i64>>,
}

impl Lateness {
    pub fn new(tasks: usize) -> Lateness {
        Lateness {
            slots: slots(tasks, UNSET),
            values: Mutex::new(Vec::new()),
            repetition_p99s: Mutex::new(Vec::new()),
        }
    }

    pub fn record(&self, index: usize, lateness: i64) {
        self.slots[index].store(lateness, Ordering::Relaxed);
    }

    pub fn reset(&self) {
        for slot in &self.slots {
            slot.store(UNSET, Ordering::Relaxed);
        }
    }

    pub fn keep(&self, measured: bool) {
        if !measured {
            return;
        }
        let mut recorded: Vec<i64> = self
            .slots
            .iter()
            .map(|slot| slot.load(Ordering::Relaxed))
            .filter(|&value| value != UNSET)
            .collect();
        if recorded.is_empty() {
            return;
        }
        self.values.lock().unwrap().extend_from_slice(&recorded);
        let p99 = percentiles(&mut recorded)[2];
        self.repetition_p99s.lock().unwrap().push(p99);
    }

    /// lateness_us_p50, _p99, _max and the spread of the repetitions' p99s.
    pub fn figures(&self) -> Vec<(&'static str, String)> {
        let mut values = self.values.lock().unwrap();
        let p99s = self.repetition_p99s.lock().unwrap();
        if values.is_empty() {
            return Vec::new();
        }
        let found = percentiles(&mut values);
        let us = |ns: i64| json::float(ns as f64 / 1e3);
        vec![
            ("lateness_us_p50", us(found[0])),
            ("lateness_us_p99", us(found[2])),
            ("lateness_us_max", us(found[3])),
            (
                "lateness_us_p99_rep_min",
                us(*p99s.iter().min().unwrap_or(&0)),
            ),
            (
                "lateness_us_p99_rep_max",
                us(*p99s.iter().max().unwrap_or(&0)),
            ),
        ]
    }
}

/// Each task waits the cell's latency (`tokio::time::sleep`) and records how late it woke past
/// its deadline.
pub struct Sleep {
    latency: i64,
    lateness: Lateness,
}

impl Sleep {
    pub fn new(spec: &Spec) -> Sleep {
        Sleep {
            latency: spec.latency,
            lateness: Lateness::new(spec.tasks),
        }
    }

    pub async fn run(self: Arc<Self>, index: usize) -> Result<(), TaskError> {
        let deadline = now_ns() + self.latency;
        tokio::time::sleep(Duration::from_nanos(self.latency.max(0) as u64)).await;
        self.lateness.record(index, now_ns() - deadline);
        Ok(())
    }
}

impl Workload for Sleep {
    fn before_repetition(&self) -> Result<(), TaskError> {
        self.lateness.reset();
        Ok(())
    }
    fn after_repetition(&self, measured: bool) {
        self.lateness.keep(measured);
    }
    fn figures(&self) -> Vec<(&'static str, String)> {
        self.lateness.figures()
    }
}

/// Every task waits until the repetition's start + latency; every 1/fraction-th first makes a
/// blocking call of `blockNanoseconds`: `std::thread::sleep` in place (its runtime thread is
/// held meanwhile), or on tokio's blocking pool through `spawn_blocking` (blocking-offload).
/// Lateness counts the tasks that did not block.
pub struct Blocking {
    latency: i64,
    fraction: f64,
    block: Duration,
    offload: bool,
    start: AtomicI64,
    lateness: Lateness,
}

impl Blocking {
    pub fn new(spec: &Spec, offload: bool) -> Result<Blocking, String> {
        Ok(Blocking {
            latency: spec.latency,
            fraction: spec.float("blockingFraction")?,
            block: Duration::from_nanos(spec.int("blockNanoseconds")?.max(0) as u64),
            offload,
            start: AtomicI64::new(0),
            lateness: Lateness::new(spec.tasks),
        })
    }

    /// Whether task `index` blocks (as CAsyncBench_task_blocks: evenly spread).
    fn blocks(&self, index: usize) -> bool {
        self.fraction > 0.0
            && (((index + 1) as f64 * self.fraction) as i64)
                > ((index as f64 * self.fraction) as i64)
    }

    pub async fn run(self: Arc<Self>, index: usize) -> Result<(), TaskError> {
        let blocks = self.blocks(index);
        if blocks && self.offload {
            let block = self.block;
            tokio::task::spawn_blocking(move || std::thread::sleep(block))
                .await
                .map_err(|e| TaskError::Failed(format!("spawn_blocking: {}", e)))?;
        } else if blocks {
            std::thread::sleep(self.block);
        }
        let deadline = self.start.load(Ordering::Relaxed) + self.latency;
        let remaining = deadline - now_ns();
        if remaining > 0 {
            tokio::time::sleep(Duration::from_nanos(remaining as u64)).await;
        }
        if !blocks {
            self.lateness.record(index, now_ns() - deadline);
        }
        Ok(())
    }
}

impl Workload for Blocking {
    fn before_repetition(&self) -> Result<(), TaskError> {
        self.lateness.reset();
        self.start.store(now_ns(), Ordering::Relaxed);
        Ok(())
    }
    fn after_repetition(&self, measured: bool) {
        self.lateness.keep(measured);
    }
    fn figures(&self) -> Vec<(&'static str, String)> {
        self.lateness.figures()
    }
}

/// One peer's end: the sender to its partner and its own receiver (taken by its task while it
/// runs, put back after).
struct Peer {
    to_partner: mpsc::Sender<()>,
    inbox: Mutex<Option<mpsc::Receiver<()>>>,
}

/// Tasks 2k and 2k+1 pass a token back and forth `rounds` times over a pair of tokio mpsc
/// channels of capacity 1, one each way.
pub struct Switch {
    rounds: i64,
    peers: Vec<Peer>,
}

impl Switch {
    pub fn new(spec: &Spec) -> Result<Switch, String> {
        if spec.tasks % 2 != 0 {
            return Err(format!(
                "the switch workload runs pairs of peers: tasks must be even, got {}",
                spec.tasks
            ));
        }
        let mut peers = Vec::with_capacity(spec.tasks);
        for _ in 0..spec.tasks / 2 {
            let (to_second, second_inbox) = mpsc::channel(1);
            let (to_first, first_inbox) = mpsc::channel(1);
            peers.push(Peer {
                to_partner: to_second,
                inbox: Mutex::new(Some(first_inbox)),
            });
            peers.push(Peer {
                to_partner: to_first,
                inbox: Mutex::new(Some(second_inbox)),
            });
        }
        Ok(Switch {
            rounds: spec.int("rounds")?,
            peers,
        })
    }

    pub async fn run(self: Arc<Self>, index: usize) -> Result<(), TaskError> {
        let peer = &self.peers[index];
        let taken = peer.inbox.lock().unwrap().take();
        let mut inbox =
            taken.ok_or_else(|| TaskError::Failed(format!("peer {} runs twice", index)))?;
        let closed = || TaskError::Failed(format!("peer {}: its partner's channel closed", index));
        for _ in 0..self.rounds {
            if index % 2 == 0 {
                peer.to_partner.send(()).await.map_err(|_| closed())?;
                inbox.recv().await.ok_or_else(closed)?;
            } else {
                inbox.recv().await.ok_or_else(closed)?;
                peer.to_partner.send(()).await.map_err(|_| closed())?;
            }
        }
        *peer.inbox.lock().unwrap() = Some(inbox);
        Ok(())
    }
}

impl Workload for Switch {
    fn figures(&self) -> Vec<(&'static str, String)> {
        Vec::new()
    }
}

/// The Swift CPU workload's rounds (CAsyncBench_cpu_work): xorshift then a multiply, 64-bit.
pub fn cpu_work(iterations: u64, seed: u64) -> u64 {
    let mut x = seed | 1;
    for _ in 0..iterations {
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        x = x.wrapping_mul(0x2545_F491_4F6C_DD1D);
    }
    x
}

/// Each task computes `work` rounds in place on its runtime thread and checks the result against
/// the value the C code gives (`parameters.expected`); `single_task_ms` is one task alone on
/// this thread: the median of three timed runs after one untimed at set-up, and of one more
/// before each repetition (as the Python worker).
pub struct Cpu {
    work: u64,
    expected: u64,
    times: Mutex<Vec<i64>>,
}

impl Cpu {
    pub fn new(spec: &Spec) -> Result<Cpu, String> {
        let work = spec.int("work")?.max(0) as u64;
        let given = spec.parameters.get("expected").and_then(|v| v.as_u64());
        let mut cpu = Cpu {
            work,
            expected: given.unwrap_or(0),
            times: Mutex::new(Vec::new()),
        };
        for attempt in 0..4 {
            let (elapsed, result) = cpu.time_one();
            if given.is_none() && attempt == 0 {
                cpu.expected = result; // no value from the Swift side: the first run's
            }
            cpu.check(result).map_err(|e| e.to_string())?;
            if attempt > 0 {
                cpu.times.lock().unwrap().push(elapsed);
            }
        }
        Ok(cpu)
    }

    fn time_one(&self) -> (i64, u64) {
        let start = now_ns();
        let result = cpu_work(self.work, 42);
        (now_ns() - start, result)
    }

    fn check(&self, result: u64) -> Result<(), TaskError> {
        if result == self.expected {
            Ok(())
        } else {
            Err(TaskError::Failed(format!(
                "cpu work gave {}, not {}",
                result, self.expected
            )))
        }
    }

    pub async fn run(self: Arc<Self>, _index: usize) -> Result<(), TaskError> {
        self.check(cpu_work(self.work, 42)) // CPU-bound: holds its runtime thread until done
    }
}

impl Workload for Cpu {
    fn before_repetition(&self) -> Result<(), TaskError> {
        let (elapsed, result) = self.time_one();
        self.check(result)?;
        self.times.lock().unwrap().push(elapsed);
        Ok(())
    }
    fn figures(&self) -> Vec<(&'static str, String)> {
        let mut times = self.times.lock().unwrap().clone();
        times.sort_unstable();
        let middle = times.len() / 2;
        let median = if times.len() % 2 == 0 {
            (times[middle - 1] + times[middle]) as f64 / 2.0
        } else {
            times[middle] as f64
        };
        vec![("single_task_ms", json::float(median / 1e6))]
    }
}

//! The repetitions of a cell: every task a `tokio::spawn`ed future, started one after another
//! from the runtime's `block_on` and then joined, timed with the monotonic clock; getrusage
//! around each repetition; the report's samples.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};

use tokio::runtime::Runtime;

use crate::json;
use crate::spec::Spec;

/// Why a task did not do its work: a resource the system refused (a `limit` row) or a failure
/// (an `error` row).
#[derive(Debug, Clone)]
pub enum TaskError {
    Limit(String),
    Failed(String),
}

impl std::fmt::Display for TaskError {
    fn fmt(&self, out: &mut std::fmt::Formatter) -> std::fmt::Result {
        match self {
            TaskError::Limit(why) | TaskError::Failed(why) => out.write_str(why),
        }
    }
}

/// One cell's workload: its state, set up once; the tasks are the `task` closure `measure` takes.
pub trait Workload: Send + Sync + 'static {
    /// Resets what the tasks record; called before every repetition's tasks start.
    fn before_repetition(&self) -> Result<(), TaskError> {
        Ok(())
    }
    /// Keeps what a measured repetition's tasks recorded.
    fn after_repetition(&self, _measured: bool) {}
    /// The workload's own columns, by name, as JSON values.
    fn figures(&self) -> Vec<(&'static str, String)>;
}

/// The monotonic clock (CLOCK_MONOTONIC, the one tokio's timers use), ns.
pub fn now_ns() -> i64 {
    let mut time = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes the timespec it is given.
    unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut time) };
    time.tv_sec as i64 * 1_000_000_000 + time.tv_nsec as i64
}

/// This process's CPU times (s) and context switches, every thread counted.
fn usage() -> [f64; 4] {
    // SAFETY: getrusage fills the zeroed struct it is given.
    let mut own: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut own) };
    let seconds = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    [
        seconds(own.ru_utime),
        seconds(own.ru_stime),
        own.ru_nvcsw as f64,
        own.ru_nivcsw as f64,
    ]
}

/// One repetition: its wall and creation times, the most tasks alive at once, the failures.
struct Outcome {
    wall: i64,
    creation: i64,
    peak: i64,
    errors: Vec<TaskError>,
}

/// Tasks alive now and the most at once in this repetition.
static IN_FLIGHT: AtomicI64 = AtomicI64::new(0);
static PEAK: AtomicI64 = AtomicI64::new(0);

/// A task's future, counted in `IN_FLIGHT` from its first poll until it is done. Written by
/// hand, not as an `async` block around the work: rustc 1.63 lays such a block out with room for
/// the work twice (the captured future and the one being awaited), which doubled every task
/// (1,664 bytes instead of 768 for a sleep).
struct Counted<F> {
    work: F,
    started: bool,
}

impl<F: Future> Future for Counted<F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, context: &mut Context<'_>) -> Poll<F::Output> {
        // SAFETY: `work` is pinned with the struct (never moved out of it); `started` is a
        // plain bool, not pinned.
        let this = unsafe { self.get_unchecked_mut() };
        if !this.started {
            this.started = true;
            let alive = IN_FLIGHT.fetch_add(1, Ordering::Relaxed) + 1;
            PEAK.fetch_max(alive, Ordering::Relaxed);
        }
        let work = unsafe { Pin::new_unchecked(&mut this.work) };
        let done = work.poll(context);
        if done.is_ready() {
            IN_FLIGHT.fetch_sub(1, Ordering::Relaxed);
        }
        done
    }
}

/// Spawns `tasks` tasks, `task(index)` each, then joins them in order.
fn repetition<F, Fut>(runtime: &Runtime, tasks: usize, task: &F) -> Outcome
where
    F: Fn(usize) -> Fut,
    Fut: Future<Output = Result<(), TaskError>> + Send + 'static,
{
    IN_FLIGHT.store(0, Ordering::SeqCst);
    PEAK.store(0, Ordering::SeqCst);
    runtime.block_on(async {
        let start = now_ns();
        let mut handles = Vec::with_capacity(tasks);
        for index in 0..tasks {
            let work = task(index);
            handles.push(tokio::spawn(Counted {
                work,
                started: false,
            }));
        }
        let creation = now_ns() - start;
        let mut errors = Vec::new();
        for handle in handles {
            match handle.await {
                Ok(Ok(())) => {}
                Ok(Err(error)) => errors.push(error),
                Err(join) => errors.push(TaskError::Failed(format!(
                    "a task panicked or was cancelled: {}",
                    join
                ))),
            }
        }
        let wall = now_ns() - start;
        Outcome {
            wall,
            creation,
            peak: PEAK.load(Ordering::SeqCst),
            errors,
        }
    })
}

/// The report fields (status, message, tasksReached) of a failed repetition.
fn failure(errors: &[TaskError], tasks: usize) -> (String, String, Option<usize>) {
    let limits: Vec<&String> = errors
        .iter()
        .filter_map(|e| match e {
            TaskError::Limit(why) => Some(why),
            _ => None,
        })
        .collect();
    if let Some(first) = limits.first() {
        let message = format!(
            "{} tasks ran out of a resource; first: {}",
            limits.len(),
            first
        );
        return ("limit".into(), message, Some(tasks - errors.len()));
    }
    let first = match &errors[0] {
        TaskError::Failed(why) | TaskError::Limit(why) => why,
    };
    (
        "error".into(),
        format!("{} tasks failed; first: {}", errors.len(), first),
        None,
    )
}

/// A report line's fields other than `event`.
pub struct Report {
    pub status: String,
    pub message: String,
    pub tasks_reached: Option<usize>,
    pub samples: Vec<String>,
    pub figures: Vec<(&'static str, String)>,
}

impl Report {
    /// A report without samples: a set-up that failed.
    pub fn failed(status: &str, message: String) -> Report {
        Report {
            status: status.into(),
            message,
            tasks_reached: None,
            samples: Vec::new(),
            figures: Vec::new(),
        }
    }

    /// The report as one line of JSON.
    pub fn line(&self) -> String {
        let mut members = vec![
            ("event", json::quote("report")),
            ("status", json::quote(&self.status)),
            ("message", json::quote(&self.message)),
            ("samples", format!("[{}]", self.samples.join(","))),
            ("figures", json::object(&self.figures)),
        ];
        if let Some(reached) = self.tasks_reached {
            members.push(("tasksReached", reached.to_string()));
        }
        json::object(&members)
    }
}

/// Runs the warm-up and measured repetitions of `workload`, `task(index)` the task of each index.
pub fn measure<W, F, Fut>(runtime: &Runtime, spec: &Spec, workload: Arc<W>, task: F) -> Report
where
    W: Workload,
    F: Fn(usize) -> Fut,
    Fut: Future<Output = Result<(), TaskError>> + Send + 'static,
{
    let mut samples = Vec::new();
    let mut measured_wall = 0i64;
    for index in 0..spec.warmup + spec.reps {
        let measured = index >= spec.warmup;
        if let Err(error) = workload.before_repetition() {
            let (status, message) = match error {
                TaskError::Limit(why) => ("limit", why),
                TaskError::Failed(why) => ("error", why),
            };
            return Report::failed(status, message);
        }
        let before = usage();
        let outcome = repetition(runtime, spec.tasks, &task);
        let after = usage();
        if !outcome.errors.is_empty() {
            let (status, message, tasks_reached) = failure(&outcome.errors, spec.tasks);
            return Report {
                status,
                message,
                tasks_reached,
                samples,
                figures: Vec::new(),
            };
        }
        workload.after_repetition(measured);
        if !measured {
            continue;
        }
        samples.push(json::object(&[
            ("wallNanoseconds", outcome.wall.to_string()),
            ("userSeconds", json::float(after[0] - before[0])),
            ("systemSeconds", json::float(after[1] - before[1])),
            (
                "voluntarySwitches",
                ((after[2] - before[2]) as i64).to_string(),
            ),
            (
                "involuntarySwitches",
                ((after[3] - before[3]) as i64).to_string(),
            ),
            ("creationNanoseconds", outcome.creation.to_string()),
            ("peakInFlight", outcome.peak.to_string()),
        ]));
        measured_wall += outcome.wall;
        if spec.rep_budget > 0 && samples.len() >= spec.min_reps && measured_wall >= spec.rep_budget
        {
            break;
        }
    }
    Report {
        status: "ok".into(),
        message: String::new(),
        tasks_reached: None,
        samples,
        figures: workload.figures(),
    }
}

/// Nearest-rank p50, p90, p99 and max of a non-empty list, as asyncbench computes them.
pub fn percentiles(values: &mut [i64]) -> [i64; 4] {
    values.sort_unstable();
    let count = values.len();
    let rank = |percent: usize| {
        let index = (count * percent + 99) / 100;
        values[index.max(1).min(count) - 1]
    };
    [rank(50), rank(90), rank(99), values[count - 1]]
}

/// `count` slots holding `value`, for tasks to record into by index.
pub fn slots(count: usize, value: i64) -> Vec<AtomicI64> {
    (0..count.max(1)).map(|_| AtomicI64::new(value)).collect()
}

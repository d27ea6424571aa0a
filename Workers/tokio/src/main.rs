//! asyncbench's tokio worker: runs a cell's workload on one of tokio's two runtimes.
//!
//! Usage: asyncbench-tokio-worker MODEL   (multi-thread or current-thread)
//!        asyncbench-tokio-worker --describe   (one line: rustc, tokio, the runtime's threads)
//!
//! Speaks the worker protocol (docs/worker-protocol.md): reads the cell spec as one JSON line on
//! stdin, sets up and prints {"event": "ready"}, waits for "go", runs the warm-up and measured
//! repetitions, timing each with CLOCK_MONOTONIC around spawning every task and joining them,
//! prints its report as one JSON line and reads its stdin until it closes. The models:
//!
//! - multi-thread: tokio's work-stealing runtime, one worker thread per core (its default); every
//!   task one `tokio::spawn`, started from `block_on` on the main thread, then awaited in order;
//! - current-thread: the same tasks on the current-thread runtime: every task on the one thread
//!   that calls `block_on` (the asyncio-like model).
//!
//! Only tokio (and the libc crate it depends on): built offline against Debian's packaged crates.

mod file;
mod json;
mod measure;
mod net;
mod spec;
mod workloads;

use std::io::{BufRead, Read};
use std::sync::Arc;

use measure::{measure, Report, TaskError};
use spec::Spec;
use tokio::runtime::{Builder, Runtime};

const MODELS: [&str; 2] = ["multi-thread", "current-thread"];

/// The runtime of `model`, timers and I/O enabled.
fn make_runtime(model: &str) -> std::io::Result<Runtime> {
    let mut builder = if model == "multi-thread" {
        Builder::new_multi_thread()
    } else {
        Builder::new_current_thread()
    };
    builder.enable_all().build()
}

/// Sets the cell's workload up and returns what runs it once "go" arrives, or the report of
/// a set-up that failed.
fn prepare(spec: &Spec) -> Result<Box<dyn FnOnce(&Runtime) -> Report>, Report> {
    let error = |why: String| Report::failed("error", format!("set-up: {}", why));
    macro_rules! run {
        ($workload:expr) => {{
            let workload = Arc::new($workload);
            let tasks = workload.clone();
            let spec = spec.clone();
            Ok(Box::new(move |runtime: &Runtime| {
                measure(runtime, &spec, workload, move |index| {
                    tasks.clone().run(index)
                })
            }))
        }};
    }
    match spec.workload.as_str() {
        "sleep" => run!(workloads::Sleep::new(spec)),
        "blocking" => run!(workloads::Blocking::new(spec, false).map_err(error)?),
        "blocking-offload" => run!(workloads::Blocking::new(spec, true).map_err(error)?),
        "switch" => run!(workloads::Switch::new(spec).map_err(error)?),
        "cpu" => run!(workloads::Cpu::new(spec).map_err(error)?),
        "net" => run!(net::Net::new(spec).map_err(error)?),
        "file" | "file-sync" | "file-offload" | "file-sync-offload" => {
            let offload = spec.workload.ends_with("-offload");
            match file::File::new(spec, offload) {
                Ok(workload) => run!(workload),
                Err(TaskError::Limit(why)) => Err(Report::failed("limit", why)),
                Err(TaskError::Failed(why)) => Err(error(why)),
            }
        }
        other => Err(error(format!(
            "the tokio worker does not implement the {} workload",
            other
        ))),
    }
}

/// One line naming the compiler, the tokio crate and the runtime's worker threads.
fn describe() -> String {
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
    format!(
        "{}, tokio {}; multi-thread: {} worker threads (one per core), current-thread: 1",
        env!("ASYNCBENCH_RUSTC_VERSION"),
        env!("ASYNCBENCH_TOKIO_VERSION"),
        threads
    )
}

fn main() {
    let arguments: Vec<String> = std::env::args().collect();
    if arguments.len() == 2 && arguments[1] == "--describe" {
        println!("{}", describe());
        return;
    }
    if arguments.len() != 2 || !MODELS.contains(&arguments[1].as_str()) {
        eprintln!(
            "usage: {} {{{}}} | --describe",
            arguments[0],
            MODELS.join(",")
        );
        std::process::exit(2);
    }
    let model = arguments[1].as_str();
    let stdin = std::io::stdin();
    let mut input = stdin.lock();
    let mut line = String::new();
    if input.read_line(&mut line).unwrap_or(0) == 0 {
        eprintln!("no cell spec on stdin");
        std::process::exit(1);
    }
    let spec =
        Spec::parse(&line).map_err(|why| Report::failed("error", format!("set-up: {}", why)));
    let runtime = make_runtime(model).map_err(|e| {
        Report::failed(
            "error",
            format!("set-up: the {} runtime did not start: {}", model, e),
        )
    });
    let ready = match (&spec, &runtime) {
        (Err(report), _) | (_, Err(report)) => {
            Err(Report::failed(&report.status, report.message.clone()))
        }
        (Ok(spec), Ok(_)) => prepare(spec),
    };
    // Set-up failures are reported after "go": a report before "ready" breaks the protocol.
    println!("{{\"event\":\"ready\"}}");
    line.clear();
    let _ = input.read_line(&mut line);
    if line.trim() != "go" {
        std::process::exit(1);
    }
    let report = match (ready, &runtime) {
        (Ok(run), Ok(runtime)) => run(runtime),
        (Err(report), _) => report,
        (Ok(_), Err(report)) => Report::failed(&report.status, report.message.clone()),
    };
    println!("{}", report.line());
    let mut rest = Vec::new();
    let _ = input.read_to_end(&mut rest); // the cell reads our peak memory, then closes stdin
    if let Ok(runtime) = runtime {
        runtime.shutdown_background();
    }
    std::process::exit(0);
}

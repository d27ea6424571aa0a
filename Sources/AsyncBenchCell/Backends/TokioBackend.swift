import AsyncBenchModel

/// Rust's tokio on its multi-thread runtime: one `tokio::spawn` per task, spawned from
/// `block_on` (as `#[tokio::main]` does) and awaited in order, on tokio's work-stealing worker
/// threads (one per CPU the cell may use: 1 when pinned). The cells run in the tokio worker
/// (Workers/tokio/), built once per run with Debian's `cargo` against Debian's tokio crate.
///
/// `blocking` calls `std::thread::sleep` in place (its worker thread is held, the other workers
/// go on); `blocking-offload` awaits it through `tokio::task::spawn_blocking`. `file` makes plain
/// `std::fs` calls in place, `file-offload` through `spawn_blocking` (what `tokio::fs` does).
public struct TokioBackend: TokioWorkerBackend {
    public static let name = "tokio"
    public static let summary =
        "Rust tokio, multi-thread runtime: one tokio::spawn per task, one worker thread per core; Workers/tokio"
    public static let model = "multi-thread"

    public init(options: BackendOptions) {}
}

/// The tokio worker's tasks on tokio's current-thread runtime: every task on the one thread in
/// `block_on` (the asyncio-like model); `spawn_blocking` still has its own pool of threads.
public struct TokioCurrentThreadBackend: TokioWorkerBackend {
    public static let name = "tokio-current-thread"
    public static let summary =
        "Rust tokio, current-thread runtime: one tokio::spawn per task, all on one thread; Workers/tokio"
    public static let model = "current-thread"

    public init(options: BackendOptions) {}
}

/// A backend whose cells run in the tokio worker under one of tokio's runtimes (the worker's
/// model argument); this gives the rest.
public protocol TokioWorkerBackend: Backend {
    /// The worker's model argument: multi-thread or current-thread.
    static var model: String { get }
}

extension TokioWorkerBackend {
    public static var runtime: String { TokioWorker.runtime }
    public static var runsAsyncBodies: Bool { true }
    public static var worker: WorkerProgram? { TokioWorker.program(model: model) }

    /// Never called: the cell runs in the tokio worker.
    public func run(tasks: Int, body: TaskBody) throws(CellFailure) -> TaskCount {
        throw .setup("the \(Self.name) backend runs its cells in the tokio worker")
    }
}

extension RunOptions {
    /// The options that run the same cells as `run` (its backends, workloads, task counts and
    /// latencies) with its settings (reps, warm-up, budgets, caps from its metadata): what
    /// `check` runs when it is given no run to judge.
    public init(repeating run: RecordedRun) {
        self.init()
        func unique<T: Equatable>(_ values: [T]) -> [T] {
            values.reduce(into: []) { if !$0.contains($1) { $0.append($1) } }
        }
        backends = unique(run.rows.map(\.key.backend)).joined(separator: ",")
        workloads = unique(run.rows.map(\.key.workload)).joined(separator: ",")
        tasks = unique(run.rows.map(\.key.tasks)).sorted().map(String.init).joined(separator: ",")
        let waits = unique(run.rows.map(\.key.latencyMilliseconds).filter { $0 > 0 })
        if !waits.isEmpty { latencies = waits.map { Units.trim($0, digits: 6) + "ms" }.joined(separator: ",") }
        pin = "both"
        // The lists above span every workload; keep exactly the recorded cells.
        onlyCells = Set(run.rows.map(\.key))
        for setting in run.metadata?.settings ?? [] {
            let parts = setting.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { continue }
            let number = Int(parts[1])
            switch parts[0] {
            case "reps": reps = number ?? reps
            case "warmup": warmup = number ?? warmup
            case "min-reps": minReps = number ?? minReps
            case "rep-budget": repBudget = parts[1]
            case "cell-timeout": cellTimeout = parts[1]
            case "thread-stack": threadStack = parts[1]
            case "max-threads": maxThreads = number ?? maxThreads
            case "max-procs": maxProcesses = number ?? maxProcesses
            case "sequential-max-tasks": sequentialMaxTasks = number ?? sequentialMaxTasks
            case "rounds": rounds = number ?? rounds
            case "work": work = number ?? work
            default: break
            }
        }
    }
}

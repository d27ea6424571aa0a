import AsyncBenchCell
import AsyncBenchModel
import AsyncBenchResults
import AsyncBenchSweep

extension RunOptions {
    /// The options that run the same cells as `run` (its backends, workloads, task counts and
    /// latencies) with its settings (reps, warm-up, budgets, caps from its metadata): what
    /// `check` runs when it is given no run to judge.
    public init(repeating run: RecordedRun) {
        self.init()
        backends = run.rows.map(\.key.backend).uniqued().joined(separator: ",")
        workloads = run.rows.map(\.key.workload).uniqued().joined(separator: ",")
        tasks = run.rows.map(\.key.tasks).uniqued().sorted().map(String.init).joined(separator: ",")
        let waits = run.rows.map(\.key.latencyMilliseconds).filter { $0 > 0 }.uniqued()
        if !waits.isEmpty { latencies = waits.map { Units.trim($0, digits: 6) + "ms" }.joined(separator: ",") }
        pin = .both
        // The lists above span every workload; keep exactly the recorded cells.
        onlyCells = Set(run.rows.map(\.key))
        let settings = run.metadata?.settingValues ?? [:]
        workloadOptions = WorkloadOptions(settings: settings)
        for (name, value) in settings {
            let number = Int(value)
            switch name {
            case "reps": reps = number ?? reps
            case "warmup": warmup = number ?? warmup
            case "min-reps": minReps = number ?? minReps
            case "rep-budget": repBudget = value
            case "cell-timeout": cellTimeout = value
            case "thread-stack": threadStack = value
            case "max-threads": maxThreads = number ?? maxThreads
            case "max-procs": maxProcesses = number ?? maxProcesses
            case "sequential-max-tasks": sequentialMaxTasks = number ?? sequentialMaxTasks
            case "pool-size": poolSize = number ?? poolSize
            case "loops": loops = number ?? loops
            case "max-spawn": maxSpawn = number ?? maxSpawn
            case "memory-repetition": memoryRepetition = value != "no"
            case "allocator": allocator = value.contains(",") ? .both : AllocatorChoice(rawValue: value) ?? allocator
            default: break
            }
        }
    }
}

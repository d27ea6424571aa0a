import ArgumentParser
import AsyncBenchModel
import AsyncBenchResults

/// Every backend and workload asyncbench knows: adding one is one line here (and, for a workload
/// with options of its own, one line in `WorkloadOptions` below).
public enum Registry {
    /// In the order `--backend all` (the Swift ones) and `--backend python` run them.
    public static let backends: [any Backend.Type] = [
        AsyncBackend.self,
        ExecutorBackend.self,
        NIOBackend.self,
        DispatchBackend.self,
        PthreadBackend.self,
        ThreadPoolBackend.self,
        ForkBackend.self,
        SpawnBackend.self,
        SequentialBackend.self,
        PythonAsyncioBackend.self,
        PythonUvloopBackend.self,
        PythonThreadsBackend.self,
        PythonProcessesBackend.self,
        GoBackend.self,
        NodeBackend.self,
        TokioBackend.self,
        TokioCurrentThreadBackend.self,
        TestWorkerBackend.self,
    ]

    public static let workloads: [any Workload.Type] = [
        SleepWorkload.self,
        SwitchWorkload.self,
        YieldWorkload.self,
        CPUWorkload.self,
        BlockingWorkload.self,
        OffloadedBlockingWorkload.self,
        NetWorkload.self,
        NetRateWorkload.self,
        FileWorkload.self,
        OffloadedFileWorkload.self,
        SyncedFileWorkload.self,
        OffloadedSyncedFileWorkload.self,
        CrashWorkload.self,
    ]

    /// Backend × workload combinations that make no sense, with the reason: planned as `skipped`.
    public static let unsupported: [(backend: String, workload: String, reason: String)] = [
        (
            "sequential", "switch",
            "the switch workload's two peers wait for each other, so they cannot run one after the other"
        ),
        (
            "sequential", NetRateWorkload.name,
            "an open loop keeps every connection sending on its schedule at once; one after the other, the rate offered would be the rate divided by the tasks"
        ),
        (
            "threadpool", NetRateWorkload.name,
            "an open loop keeps every connection sending on its schedule at once; a pool of --pool-size threads runs that many connections at a time"
        ),
        (
            "go", "blocking-offload",
            "Go has no offload to ask for: its scheduler hands the processor of a thread blocked in a system call to another thread, so `blocking` on go already shows it"
        ),
        (
            "go", "file-offload",
            "Go has no offload to ask for: a file call blocks its thread and the scheduler hands its processor to another, so `file` on go already shows it"
        ),
        (
            "go", "file-sync-offload",
            "Go has no offload to ask for: a file call blocks its thread and the scheduler hands its processor to another, so `file-sync` on go already shows it"
        ),
    ]

    /// Why `backend` cannot run `workload`, or nil.
    public static func unsupportedReason(backend: String, workload: String) -> String? {
        if let stated = unsupported.first(where: { $0.backend == backend && $0.workload == workload }) {
            return stated.reason
        }
        if let type = self.workload(named: workload), type.asyncOnly,
            self.backend(named: backend)?.runsAsyncBodies == false
        {
            return
                "\(workload) offloads blocking calls from async code to a thread pool (asyncio.to_thread, aiofiles); threads and processes make them in place: see the workload without -offload"
        }
        if let type = self.workload(named: workload), !type.runsInHelper,
            self.backend(named: backend)?.spawnsHelpers == true
        {
            return
                "the spawn backend's helper runs only workloads a separate program can (sleep, cpu); \(workload) needs state shared with the cell"
        }
        if let worker = self.backend(named: backend)?.worker {
            if !worker.workloads.contains(workload) {
                return
                    "the \(backend) worker implements \(worker.workloads.joined(separator: ", ")); not \(workload)"
            }
            if case .failure(let missing) = worker.command() { return missing.description }
        }
        return nil
    }

    /// The workload of a one-task cell run to see what a cell process is (its allocator).
    public static let probeWorkload = SleepWorkload.name

    /// The results schema of these workloads.
    public static let schema = Schema(
        workloads: workloads.map { ($0.name, $0.columns) }, listed: visibleWorkloadNames)

    public static func backend(named name: String) -> (any Backend.Type)? {
        backends.first { $0.name == name }
    }

    public static func workload(named name: String) -> (any Workload.Type)? {
        workloads.first { $0.name == name }
    }

    /// The Swift backends' names: what `--backend all` runs (hidden test backends left out).
    public static var visibleBackendNames: [String] {
        backends.filter { !$0.hidden && $0.runtime == "swift" }.map { $0.name }
    }

    /// Every backend name for listings and `--help` (hidden test backends left out).
    public static var listedBackendNames: [String] {
        backends.filter { !$0.hidden }.map { $0.name }
    }

    /// The names `--backend` takes for several backends: `all` (the Swift backends) and each
    /// worker runtime (`python`: the Python backends).
    public static var backendGroups: [String: [String]] {
        var groups = ["all": visibleBackendNames]
        for backend in backends where !backend.hidden && backend.runtime != "swift" {
            groups[backend.runtime, default: []].append(backend.name)
        }
        return groups
    }

    /// Workload names for listings and `--help` (hidden test workloads left out).
    public static var visibleWorkloadNames: [String] {
        workloads.filter { !$0.hidden }.map { $0.name }
    }
}

/// The option groups of every workload, composed into each command that plans cells: one line
/// per group (a group several workloads share is listed once).
public struct WorkloadOptions: ParsableArguments, Sendable {
    @OptionGroup(title: "Switch workload") var switchOptions: SwitchWorkload.Options
    @OptionGroup(title: "CPU workload") var cpu: CPUWorkload.Options
    @OptionGroup(title: "Blocking workloads") var blocking: BlockingWorkload.Options
    @OptionGroup(title: "Net workload") var net: NetWorkload.Options
    @OptionGroup(title: "File workloads") var file: FileWorkload.Options

    public init() {}
}

extension CellSpec {
    /// Whether the cell ends with the untimed memory repetition: asked for (`memoryRepetition`)
    /// and its workload measures memory (not net, whose requests the server counts, nor switch).
    public var runsMemoryRepetition: Bool {
        memoryRepetition && Registry.workload(named: workload)?.measuresMemory == true
    }
}

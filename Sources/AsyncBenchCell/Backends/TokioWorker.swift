import AsyncBenchModel

#if canImport(Glibc)
    import Glibc
#endif

/// Where the tokio worker's sources and Debian's Rust are, and how the worker is built.
///
/// The toolchain is `$ASYNCBENCH_CARGO` or Debian's `/usr/bin/cargo`, with the `rustc` beside it
/// (`RUSTC` is set: cargo would otherwise run the first `rustc` on PATH, a rustup one if
/// installed); the crates are Debian's (`librust-tokio-dev` puts tokio and its dependencies in
/// `$ASYNCBENCH_CARGO_REGISTRY` or `/usr/share/cargo/registry`), which replace crates-io:
/// `cargo build --release --offline`, no network. The sources (`$ASYNCBENCH_TOKIO_WORKER` or
/// `Workers/tokio/`, see `CompiledWorker.sources`) are copied into the build folder and built
/// there, so that cargo's `Cargo.lock` and `target/` never land in the repository; cargo's
/// caches stay in that folder, so a second build of the same sources takes about a second.
public enum TokioWorker {
    /// The `--backend` group name (`rust`: both tokio backends) and `Backend.runtime`.
    public static let runtime = "rust"
    /// The build's name: the two backends share one program, built once per run.
    public static let buildName = "tokio"
    public static let cargoVariable = "ASYNCBENCH_CARGO"
    public static let registryVariable = "ASYNCBENCH_CARGO_REGISTRY"
    public static let sourcesVariable = "ASYNCBENCH_TOKIO_WORKER"
    static let relative = "Workers/tokio"
    static let binaryName = "asyncbench-tokio-worker"
    static let install =
        "Rust's tokio is not installed: apt-get install cargo librust-tokio-dev (Debian's cargo, rustc and tokio crate)"

    /// The workloads the worker implements (on both runtimes).
    public static let workloads = [
        "sleep", "switch", "cpu", "blocking", "blocking-offload", "net", "file", "file-offload", "file-sync",
        "file-sync-offload",
    ]

    static func program(model: String) -> WorkerProgram {
        WorkerProgram(workloads: workloads, build: WorkerBuild(name: buildName, run: build)) {
            locate().flatMap { found in
                CompiledWorker.checkBuilt(found.binary, in: found.folder).map { [found.binary, model] }
            }
        }
    }

    /// What the build needs: cargo, the rustc beside it, the crates folder, the sources, the
    /// build folder and the built worker's path.
    struct Located {
        var cargo: String
        var rustc: String
        var registry: String
        var sources: String
        var folder: String
        var binary: String
    }

    /// The toolchain, the crates and the sources, or the one line saying what is missing.
    static func locate() -> Result<Located, WorkerUnavailable> {
        let asked = PythonWorker.environment(cargoVariable) ?? "/usr/bin/cargo"
        guard let cargo = ProcessIO.findExecutable(asked) else { return .failure(WorkerUnavailable(install)) }
        let rustc = Files.parent(of: cargo) + "/rustc"
        guard access(rustc, X_OK) == 0 else {
            return .failure(WorkerUnavailable("\(rustc) (beside \(cargo)) is not found: apt-get install rustc"))
        }
        let registry = PythonWorker.environment(registryVariable) ?? "/usr/share/cargo/registry"
        guard Files.list(registry).contains(where: { $0.hasPrefix("tokio-1.") }) else {
            return .failure(WorkerUnavailable(install))
        }
        guard let sources = CompiledWorker.sources(relative, variable: sourcesVariable) else {
            return .failure(CompiledWorker.sourcesMissing(relative, variable: sourcesVariable))
        }
        let folder = CompiledWorker.buildFolder(name: buildName, sources: sources)
        return .success(
            Located(
                cargo: cargo, rustc: rustc, registry: registry, sources: sources, folder: folder,
                binary: folder + "/target/release/" + binaryName))
    }

    /// `cargo build` of a copy of the sources in the build folder, then the worker's
    /// `--describe` line (rustc's and tokio's exact versions, the runtime's threads).
    static func build() -> Result<WorkerBuilt, WorkerBuildFailure> {
        let found: Located
        switch locate() {
        case .success(let located): found = located
        case .failure(let missing):
            return .failure(WorkerBuildFailure(firstErrorLine: missing.description, step: "cargo build", seconds: 0))
        }
        let copy = found.folder + "/src"
        let step =
            "RUSTC=\(found.rustc) \(found.cargo) build --release --offline (crates-io replaced by \(found.registry)) in a copy of \(found.sources) at \(copy)"
        do throws(UnsafePathError) {
            _ = try CompiledWorker.makeBuildFolder(name: buildName, folder: found.folder)
            try CompiledWorker.checkConfigs(named: ".cargo", above: copy)
        } catch {
            return .failure(WorkerBuildFailure(unsafe: error, step: step))
        }
        do {
            try copySources(from: found.sources, to: copy)
        } catch {
            return .failure(WorkerBuildFailure(firstErrorLine: error.description, step: step, seconds: 0))
        }
        let arguments = [
            found.cargo, "build", "--release", "--offline", "--quiet",
            "--config", "source.crates-io.replace-with=\"debian-packages\"",
            "--config", "source.debian-packages.directory=\"\(found.registry)\"",
            "--target-dir", found.folder + "/target",
        ]
        let environment = [
            "RUSTC": found.rustc, "CARGO_HOME": found.folder + "/cargo-home", "CARGO_TERM_COLOR": "never",
        ]
        let built = CompiledWorker.runTool(arguments, in: copy, environment: environment)
        guard built.exitStatus == 0 else {
            let line = CompiledWorker.firstErrorLine(
                built.output, fallback: "cargo build exited with \(built.exitStatus.map(String.init) ?? "no status")")
            return .failure(WorkerBuildFailure(firstErrorLine: line, step: step, seconds: built.seconds))
        }
        if case .failure(let unsafe) = CompiledWorker.checkBuilt(found.binary, in: found.folder) {
            return .failure(WorkerBuildFailure(firstErrorLine: unsafe.description, step: step, seconds: built.seconds))
        }
        let described = CompiledWorker.runTool([found.binary, "--describe"], in: nil, timeoutSeconds: 30)
        let version = described.output.trimmingWhitespace()
        guard described.exitStatus == 0, !version.isEmpty else {
            return .failure(
                WorkerBuildFailure(
                    firstErrorLine: "the built worker's --describe failed: \(version.prefix(200))", step: step,
                    seconds: built.seconds))
        }
        return .success(WorkerBuilt(seconds: built.seconds, step: step, version: version))
    }

    /// Copies the files under `sources` (hidden names, `target/` and `Cargo.lock` left out) to
    /// `destination`, rewriting only those that differ, so that cargo's fingerprints (file
    /// times) see unchanged sources as unchanged.
    static func copySources(from sources: String, to destination: String) throws(SystemError) {
        try Files.makeFolderNoFollow(destination)
        for name in Files.list(sources) where !name.hasPrefix(".") && name != "target" && name != "Cargo.lock" {
            let from = sources + "/" + name
            let to = destination + "/" + name
            if Files.isDirectory(from) {
                try copySources(from: from, to: to)
            } else if let text = Measurement.readFile(from), Measurement.readFile(to) != text {
                try Files.writeAtomically(text, to: to)
            }
        }
    }
}

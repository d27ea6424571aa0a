import CAsyncBench

#if canImport(Glibc)
    import Glibc
#endif

/// The memory allocator a cell's process runs under (`--allocator`, the CSV `allocator` column).
///
/// `system` is glibc's malloc, the default, so that figures are those of an ordinary Swift
/// program. `jemalloc` preloads Debian's `libjemalloc.so.2` into the cell process (LD_PRELOAD),
/// so every allocation of the Swift runtime and of the backend goes to jemalloc instead.
public enum Allocator: String, Codable, Sendable, CaseIterable {
    case system
    case jemalloc

    /// Where `libjemalloc.so.2` is looked for: only `ASYNCBENCH_JEMALLOC` when it is set, else
    /// the usual library folders of Debian, Fedora and local builds.
    public static var jemallocCandidates: [String] {
        if let override = getenv("ASYNCBENCH_JEMALLOC") { return [String(cString: override)] }
        return ["/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/usr/lib64", "/usr/lib", "/usr/local/lib"]
            .map { $0 + "/libjemalloc.so.2" }
    }

    /// The first readable jemalloc library among `candidates`, or nil when jemalloc is not installed.
    public static func jemallocLibrary(candidates: [String] = jemallocCandidates) -> String? {
        candidates.first { access($0, R_OK) == 0 }
    }

    /// The one-line answer when jemalloc is asked for but missing: what to install, and what it adds.
    public static func jemallocMissingHint(candidates: [String] = jemallocCandidates) -> String {
        "jemalloc is not installed (no libjemalloc.so.2 in "
            + candidates.map { Files.parent(of: $0) }.uniqued().joined(separator: ", ")
            + "): install it (Debian: apt-get install libjemalloc2) or point ASYNCBENCH_JEMALLOC at libjemalloc.so.2 "
            + "to add jemalloc rows; --allocator system needs nothing"
    }

    /// The environment of a cell process under this allocator: nil to inherit this process's
    /// (system), or this process's environment with jemalloc first in LD_PRELOAD.
    public func cellEnvironment() throws(UsageError) -> [String]? {
        switch self {
        case .system:
            return nil
        case .jemalloc:
            guard let library = Self.jemallocLibrary() else { throw .allocatorMissing(Self.jemallocMissingHint()) }
            var environment: [String] = []
            var preload = library
            var cursor = environ
            while let entry = cursor.pointee {
                let text = String(cString: entry)
                if text.hasPrefix("LD_PRELOAD=") {
                    let existing = String(text.dropFirst("LD_PRELOAD=".count))
                    if !existing.isEmpty { preload += " " + existing }
                } else {
                    environment.append(text)
                }
                cursor += 1
            }
            return environment + ["LD_PRELOAD=" + preload]
        }
    }

    /// The allocator this process actually runs on, for a cell to check it got what it asked for:
    /// "jemalloc VERSION" when jemalloc is loaded, else "glibc VERSION malloc".
    public static var loaded: String {
        if let version = CAsyncBench_jemalloc_version() { return "jemalloc \(String(cString: version))" }
        return "glibc \(String(cString: CAsyncBench_libc_version())) malloc"
    }

    /// The allocators of `--allocator`: `system`, `jemalloc` or `both`. `both` without jemalloc installed is
    /// `system` alone plus a note saying why; `jemalloc` without it is an error with the hint.
    public static func parse(
        _ choice: AllocatorChoice, candidates: [String] = jemallocCandidates
    ) throws(UsageError) -> (allocators: [Allocator], note: String?) {
        let installed = jemallocLibrary(candidates: candidates) != nil
        switch choice {
        case .system:
            return ([.system], nil)
        case .jemalloc:
            guard installed else { throw .allocatorMissing(jemallocMissingHint(candidates: candidates)) }
            return ([.jemalloc], nil)
        case .both:
            guard installed else {
                return ([.system], "only system rows: " + jemallocMissingHint(candidates: candidates))
            }
            return ([.system, .jemalloc], nil)
        }
    }
}

/// `--allocator`: each cell under glibc's malloc, jemalloc, or both.
public enum AllocatorChoice: String, Sendable, CaseIterable {
    case system, jemalloc, both
}

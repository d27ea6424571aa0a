import AsyncBenchCell
import AsyncBenchModel
import AsyncBenchResults

#if canImport(Glibc)
    import Glibc
#endif

/// A run's output folder.
enum OutputFolder {
    /// What a run writes into its folder: all of it goes when `--overwrite` replaces the run.
    static let runFiles = [
        "results.csv", "results.json", "run.json", "REPORT.md", "REPORT.html", "capacity.csv", "charts", "histograms",
    ]

    /// Creates the output folder (and parents) and locks it for the run (`OutputLock`), then
    /// refuses to replace an earlier run in it unless `overwrite`, which removes every file of
    /// that run, and checks the folder is writable. Returns the lock, held while it lives.
    static func prepare(_ path: String, overwrite: Bool) throws(UsageError) -> OutputLock {
        // The folders this run makes (deepest first), removed again if it writes nothing.
        var created: [String] = []
        var missing = path
        while !missing.isEmpty, missing != "/", missing != ".", !Files.exists(missing) {
            created.append(missing)
            missing = Files.parent(of: missing)
        }
        do {
            try Files.makeDirectories(path)
        } catch {
            throw .outputNotWritable(path: path, reason: error.description)
        }
        let lock: OutputLock
        do {
            lock = try OutputLock(folder: path, created: created)
        } catch {
            for folder in created { rmdir(folder) }
            throw error
        }
        if overwrite {
            for name in runFiles { Files.removeTree(path + "/" + name) }
        } else {
            for name in ["results.csv", "results.json", "run.json"] where access(path + "/" + name, F_OK) == 0 {
                throw .outputExists(path: path)
            }
        }
        let probe = path + "/.asyncbench-write-test"
        let fd: Int32
        do {
            fd = try Syscall.call("open") { open(probe, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644) }
        } catch {
            lock.abandon()
            throw .outputNotWritable(path: path, reason: error.description)
        }
        close(fd)
        unlink(probe)
        return lock
    }
}

/// An exclusive lock on a run's output folder for as long as the run lives: `flock` on
/// FOLDER/.asyncbench.lock, which holds the pid of the run. A second run on the same folder is
/// refused with that pid instead of mixing its rows in, and `--overwrite` cannot pull the folder
/// from under a live run. The kernel drops the lock when the process ends, however it ends; the
/// descriptor is close-on-exec, so cell processes do not hold it.
public final class OutputLock: Sendable {
    let fd: Int32
    public let path: String
    /// The folders the run made for its output, deepest first.
    let created: [String]

    init(folder: String, created: [String] = []) throws(UsageError) {
        path = folder + "/.asyncbench.lock"
        self.created = created
        let lockPath = path
        do {
            fd = try Syscall.call("open \(lockPath)") { open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o644) }
        } catch {
            throw .outputNotWritable(path: folder, reason: error.description)
        }
        let descriptor = fd
        do {
            _ = try Syscall.call("flock \(lockPath)") { flock(descriptor, LOCK_EX | LOCK_NB) }
        } catch {
            let holder = Measurement.readFile(lockPath)?.trimmingWhitespace() ?? ""
            close(fd)
            if error.errno == EWOULDBLOCK { throw .outputInUse(path: folder, pid: holder.isEmpty ? "unknown" : holder) }
            throw .outputNotWritable(path: folder, reason: error.description)
        }
        _ = ftruncate(fd, 0)
        _ = try? Files.writeAll(fd, "\(getpid())\n", path: lockPath)
    }

    /// For a run that wrote nothing (its first write failed): removes the lock file and the
    /// folders the run made, when empty, so a failed start leaves no trace.
    public func abandon() {
        unlink(path)
        for folder in created { rmdir(folder) }
    }

    deinit { close(fd) }
}

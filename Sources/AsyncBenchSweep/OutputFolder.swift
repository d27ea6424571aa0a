import AsyncBenchCell
import AsyncBenchModel
import AsyncBenchResults

#if canImport(Glibc)
    import Glibc
#endif

/// A run's output folder.
enum OutputFolder {
    /// Longest --out accepted, in bytes of the absolute path: room left under PATH_MAX (4096)
    /// for the names the run writes inside it.
    static let maxPathBytes = 3800

    /// Refuses an output path the system cannot hold (too long, a name over 255 bytes) before
    /// anything is made.
    static func checkPath(_ path: String) throws(UsageError) {
        let absolute = Files.absolute(path)
        if absolute.utf8.count > maxPathBytes {
            throw .outputNotWritable(
                path: path, reason: "the path is \(absolute.utf8.count) bytes long, over \(maxPathBytes)")
        }
        if let long = absolute.split(separator: "/").first(where: { $0.utf8.count > Int(NAME_MAX) }) {
            throw .outputNotWritable(
                path: path, reason: "the name '\(String(long).shortened())' is over \(NAME_MAX) bytes")
        }
    }

    /// Creates the output folder (and parents) and locks it for the run (`OutputLock`), then
    /// refuses a folder holding any file the run would write (`RunManifest.existingRunFiles`)
    /// unless `overwrite`, which removes what the previous run's manifest lists (or, without
    /// one, the files of the names a run writes) and still refuses one it did not remove; then
    /// checks the folder is writable (the run's `ResultsWriter` starts its manifest). Returns the lock, held while
    /// it lives. When it throws, it leaves nothing it made.
    static func prepare(_ path: String, overwrite: Bool) throws(UsageError) -> OutputLock {
        try checkPath(path)
        // The folders this run makes (deepest first), removed again if it writes nothing.
        var created: [String] = []
        var missing = path
        while !missing.isEmpty, missing != "/", missing != ".", Files.linkStatus(missing) == nil {
            created.append(missing)
            missing = Files.parent(of: missing)
        }
        do {
            try Files.makeDirectories(path)
        } catch {
            for folder in created { rmdir(folder) }
            throw .outputNotWritable(path: path, reason: error.description)
        }
        let lock = try OutputLock(folder: path, created: created)
        if overwrite { RunManifest.removePreviousRun(in: path) }
        if let first = RunManifest.existingRunFiles(in: path).first {
            lock.release()
            throw overwrite ? .outputHoldsOtherFile(path: path, file: first) : .outputExists(path: path, file: first)
        }
        do {
            let (fd, probe) = try Files.createExclusive(beside: path + "/.asyncbench-write-test")
            close(fd)
            unlink(probe)
        } catch {
            lock.abandon()
            throw .outputNotWritable(path: path, reason: error.description)
        }
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
            fd = try Files.openNoFollow(lockPath, O_RDWR | O_CREAT)
        } catch {
            for folder in created { rmdir(folder) }
            throw .outputNotWritable(path: folder, reason: error.description)
        }
        let descriptor = fd
        do {
            _ = try Syscall.call("flock \(lockPath)") { flock(descriptor, LOCK_EX | LOCK_NB) }
        } catch {
            let holder = Measurement.readFile(lockPath)?.trimmingWhitespace() ?? ""
            close(fd)
            for folder in created { rmdir(folder) }
            if error.errno == EWOULDBLOCK { throw .outputInUse(path: folder, pid: holder.isEmpty ? "unknown" : holder) }
            throw .outputNotWritable(path: folder, reason: error.description)
        }
        _ = ftruncate(fd, 0)
        _ = try? Files.writeAll(fd, "\(getpid())\n", path: lockPath)
    }

    /// For a run that wrote nothing (its first write failed): removes the lock file and the
    /// folders the run made, when empty, so a failed start leaves no trace.
    public func abandon() {
        unlink(Files.parent(of: path) + "/" + RunManifest.name)
        release()
    }

    /// For a run refused before it wrote anything: removes the lock file and the folders the
    /// run made, when empty (the folder's other files are left as they were).
    func release() {
        unlink(path)
        for folder in created { rmdir(folder) }
    }

    deinit { close(fd) }
}

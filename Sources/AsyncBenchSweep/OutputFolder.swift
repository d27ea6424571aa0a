import AsyncBenchCell
import AsyncBenchModel
import AsyncBenchResults

#if canImport(Glibc)
    import Glibc
#endif

/// A run's output folder.
enum OutputFolder {
    /// Creates the output folder (and parents), checks it is writable, and refuses to replace
    /// an earlier run in it unless `overwrite`.
    static func prepare(_ path: String, overwrite: Bool) throws(UsageError) {
        do {
            try Files.makeDirectories(path)
        } catch {
            throw .outputNotWritable(path: path, reason: error.description)
        }
        if !overwrite {
            for name in ["results.csv", "results.json", "run.json"] where access(path + "/" + name, F_OK) == 0 {
                throw .outputExists(path: path)
            }
        }
        let probe = path + "/.asyncbench-write-test"
        let fd: Int32
        do {
            fd = try Syscall.call("open") { open(probe, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644) }
        } catch {
            throw .outputNotWritable(path: path, reason: error.description)
        }
        close(fd)
        unlink(probe)
    }
}

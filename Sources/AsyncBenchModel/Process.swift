import CAsyncBench

#if canImport(Glibc)
    import Glibc
#endif

/// What starting and talking to other processes needs: argv as C strings, and text on stderr.
public enum ProcessIO {
    /// Calls `body` with a NULL-terminated C array of copies of `strings` (an argv).
    public static func withCStrings<R>(
        _ strings: [String], _ body: (UnsafePointer<UnsafeMutablePointer<CChar>?>) -> R
    ) -> R {
        var pointers: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) }
        pointers.append(nil)
        defer {
            for pointer in pointers { free(pointer) }
        }
        return pointers.withUnsafeBufferPointer { body($0.baseAddress!) }
    }

    /// The executable file `name` names: itself when it has a slash, else the first match in
    /// $PATH; nil when there is none.
    public static func findExecutable(_ name: String) -> String? {
        if name.contains("/") { return access(name, X_OK) == 0 ? name : nil }
        let path = getenv("PATH").map { String(cString: $0) } ?? "/usr/local/bin:/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/\(name)" }.first { access($0, X_OK) == 0 }
    }

    /// Writes `text` to standard error at once (no buffering: progress lines, notes, errors).
    public static func writeStandardError(_ text: String) {
        var bytes = Array(text.utf8)
        _ = bytes.withUnsafeMutableBytes { write(STDERR_FILENO, $0.baseAddress, $0.count) }
    }

    /// A pipe whose ends are closed on exec; `posix_spawn`'s dup2 gives the child plain copies.
    public struct Pipe {
        public var read: Int32
        public var write: Int32

        public init() throws(SystemError) {
            var fds: [Int32] = [-1, -1]
            let rc = CAsyncBench_pipe_cloexec(&fds)
            guard rc == 0 else { throw SystemError("pipe2", errno: rc) }
            read = fds[0]
            write = fds[1]
        }

        public func closeRead() { close(read) }
        public func closeWrite() { close(write) }
        public func closeBoth() {
            closeRead()
            closeWrite()
        }
    }
}

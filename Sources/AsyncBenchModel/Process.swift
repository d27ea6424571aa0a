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

    /// Writes `text` to standard error at once (no buffering: progress lines, notes, errors).
    public static func writeStandardError(_ text: String) {
        var bytes = Array(text.utf8)
        _ = bytes.withUnsafeMutableBytes { write(STDERR_FILENO, $0.baseAddress, $0.count) }
    }
}

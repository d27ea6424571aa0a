import CAsyncBench

#if canImport(Glibc)
    import Glibc
#endif

/// The file-system calls asyncbench makes, each in one place, with errors that name the call.
public enum Files {
    public static func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }

    /// This process's program (readlink /proc/self/exe), or nil when it cannot be read.
    public static var executablePath: String? {
        var buffer = [CChar](repeating: 0, count: 4096)
        let count = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard count > 0 else { return nil }
        return String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    public static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }

    /// Whether resolving `path` runs into a loop of symbolic links (ELOOP), which `exists` cannot
    /// tell from a missing file.
    public static func isSymlinkLoop(_ path: String) -> Bool {
        access(path, F_OK) != 0 && errno == ELOOP
    }

    /// `path` made absolute against the working folder (lexically: it need not exist).
    public static func absolute(_ path: String) -> String {
        guard !path.hasPrefix("/") else { return path }
        var buffer = [CChar](repeating: 0, count: 4096)
        guard getcwd(&buffer, buffer.count) != nil else { return path }
        return String(cString: buffer) + "/" + path
    }

    /// The folders above `path`, nearest first, down to (not including) "/" or ".".
    public static func folders(above path: String) -> [String] {
        var folders: [String] = []
        var folder = parent(of: path)
        while folder != "/" && folder != "." {
            folders.append(folder)
            folder = parent(of: folder)
        }
        return folders
    }

    /// The folder holding `path` ("." for a bare name).
    public static func parent(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    /// `mkdir -p`, the folders it makes with `mode` (under the umask).
    public static func makeDirectories(_ path: String, mode: mode_t = 0o755) throws(SystemError) {
        var prefix = path.hasPrefix("/") ? "/" : ""
        for component in path.split(separator: "/") {
            prefix += component + "/"
            do {
                _ = try Syscall.call("mkdir \(prefix)") { mkdir(prefix, mode) }
            } catch  where error.errno == EEXIST {
                continue
            }
        }
        guard isDirectory(path) else { throw SystemError("mkdir \(path)", errno: ENOTDIR) }
    }

    /// A fresh folder only its maker writes to (mkdtemp), `prefix-XXXXXX` in `parent`
    /// (empty: $TMPDIR, or /tmp).
    public static func makePrivateDirectory(in parent: String, prefix: String) throws(SystemError) -> String {
        let base = parent.isEmpty ? (getenv("TMPDIR").map { String(cString: $0) } ?? "/tmp") : parent
        var template = Array((base + "/" + prefix + "-XXXXXX").utf8CString)
        _ = try Syscall.call("mkdtemp in \(base)") {
            template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        }
        return String(cString: template)
    }

    /// The names in a folder, sorted, without "." and "..".
    public static func list(_ path: String) -> [String] {
        guard let directory = opendir(path) else { return [] }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) {
                String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    /// Writes `text` to a new temporary file beside `path` (a fresh name, created with
    /// `O_EXCL`: never an existing file or a link planted there), then renames it over `path`
    /// (which replaces a link at `path` rather than following it): never half-written.
    public static func writeAtomically(_ text: String, to path: String) throws(SystemError) {
        let (fd, temporary) = try createExclusive(beside: path)
        do {
            try writeAll(fd, text, path: path)
        } catch {
            close(fd)
            unlink(temporary)
            throw error
        }
        close(fd)
        do {
            _ = try Syscall.call("rename \(temporary)") { rename(temporary, path) }
        } catch {
            unlink(temporary)
            throw error
        }
    }

    /// Writes all of `text`, continuing after short writes (one write() for a short text).
    public static func writeAll(_ fd: Int32, _ text: String, path: String) throws(SystemError) {
        var bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            offset += try Syscall.call("write \(path)") {
                bytes.withUnsafeMutableBytes { write(fd, $0.baseAddress! + offset, $0.count - offset) }
            }
        }
    }

    /// The last `count` bytes of a file (all of it when shorter), or nil when it cannot be read.
    public static func tail(_ path: String, count: Int) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        let size = lseek(fd, 0, SEEK_END)
        guard size >= 0, lseek(fd, max(0, size - off_t(count)), SEEK_SET) >= 0 else { return nil }
        var bytes = [UInt8](repeating: 0, count: min(count, Int(size)))
        let read =
            (try? Syscall.call("read \(path)") {
                bytes.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            }) ?? -1
        return read == bytes.count ? bytes : nil
    }

    /// `rm -rf path`: removes a file or a folder and everything in it, without following links.
    public static func removeTree(_ path: String) {
        _ = CAsyncBench_remove_tree(path)
    }
}

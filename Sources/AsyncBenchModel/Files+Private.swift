#if canImport(Glibc)
    import Glibc
#endif

/// The few calls through which asyncbench makes and opens what it trusts: folders only this user
/// can change (checked with `lstat`, never through a link), files opened without following a
/// link (`O_NOFOLLOW`), temporaries created under a fresh name (`O_EXCL`). A folder under /tmp
/// or in a folder the user names may be someone else's: nothing there is trusted until checked.
extension Files {
    /// `name (uid N)` for a user id, or `uid N` when it has no name.
    public static func userName(_ uid: uid_t) -> String {
        guard let entry = getpwuid(uid), let name = entry.pointee.pw_name else { return "uid \(uid)" }
        return "\(String(cString: name)) (uid \(uid))"
    }

    /// `lstat` of `path`: what is there itself, a link not followed.
    public static func linkStatus(_ path: String) -> stat? {
        var info = stat()
        return lstat(path, &info) == 0 ? info : nil
    }

    /// Makes `path` a folder only this user can use (`mkdir` 0700), or accepts the one there if
    /// it already is such a folder (`checkPrivate`). An existing folder is never changed (no
    /// chmod, no chown): one that fails the check is refused.
    public static func makePrivateFolder(_ path: String) throws(UnsafePathError) {
        if mkdir(path, 0o700) != 0 && errno != EEXIST {
            throw .system(SystemError("mkdir \(path)", errno: errno))
        }
        try checkPrivate(path)
    }

    /// Whether `path` itself is a folder (`lstat`: a link to one is not).
    public static func isRealFolder(_ path: String) -> Bool {
        linkStatus(path).map { $0.st_mode & S_IFMT == S_IFDIR } == true
    }

    /// Checks what `lstat` finds at `path`: not a symbolic link, of type `kind` (`S_IFDIR`,
    /// `S_IFREG`; nil: any), owned by this user (the effective uid; or root, when `rootMayOwn`),
    /// and with none of the mode bits `forbidden` (0o077: private; 0o022: no one else writes).
    public static func checkTrusted(
        _ path: String, kind: mode_t?, rootMayOwn: Bool = false, forbidden: mode_t
    ) throws(UnsafePathError) {
        guard let info = linkStatus(path) else { throw .system(SystemError("lstat \(path)", errno: errno)) }
        let type = info.st_mode & S_IFMT
        if type == S_IFLNK { throw .symbolicLink(path: path) }
        if let kind, type != kind { throw .notAFolder(path: path) }
        guard info.st_uid == geteuid() || (rootMayOwn && info.st_uid == 0) else {
            throw .notOwned(path: path, owner: userName(info.st_uid))
        }
        guard info.st_mode & forbidden == 0 else { throw .notPrivate(path: path, mode: UInt32(info.st_mode & 0o7777)) }
    }

    /// Checks that `path` is a real folder (not a symbolic link), owned by this user (the
    /// effective uid) and closed to group and others (mode 0700).
    public static func checkPrivate(_ path: String) throws(UnsafePathError) {
        try checkTrusted(path, kind: S_IFDIR, forbidden: 0o077)
    }

    /// Checks every folder above `path` (links in them resolved first, as the kernel will):
    /// each owned by root or this user, and writable by no one else unless sticky (as /tmp is),
    /// so that no other user can rename `path` away and put their own in its place.
    public static func checkAncestors(of path: String) throws(UnsafePathError) {
        let parent = Files.parent(of: absolute(path))
        guard let resolved = realpath(parent, nil) else {
            throw .system(SystemError("realpath \(parent)", errno: errno))
        }
        defer { free(resolved) }
        var folder = String(cString: resolved)
        while true {
            guard let info = linkStatus(folder) else { throw .system(SystemError("lstat \(folder)", errno: errno)) }
            let owner = info.st_uid
            let openToOthers = info.st_mode & 0o022 != 0 && info.st_mode & S_ISVTX == 0
            if (owner != 0 && owner != geteuid()) || openToOthers {
                throw .unsafeAncestor(
                    path: path, folder: folder, owner: userName(owner), mode: UInt32(info.st_mode & 0o7777))
            }
            if folder == "/" { return }
            folder = Files.parent(of: folder)
        }
    }

    /// Checks that the file at `path` is a regular file (not a link) owned by this user and
    /// writable by no one else: a program asyncbench built and is about to run.
    public static func checkOwnFile(_ path: String) throws(UnsafePathError) {
        try checkTrusted(path, kind: S_IFREG, forbidden: 0o022)
    }

    /// Makes the folder `path` inside a folder the run writes (its --out), or accepts the real
    /// folder there; a symbolic link or a file in its place is refused, never followed.
    public static func makeFolderNoFollow(_ path: String) throws(SystemError) {
        if mkdir(path, 0o755) == 0 { return }
        guard errno == EEXIST else { throw SystemError("mkdir \(path)", errno: errno) }
        guard isRealFolder(path) else { throw SystemError("mkdir \(path) (\(notFollowed))", errno: EEXIST) }
    }

    /// `open` that never follows a symbolic link at `path` itself (`O_NOFOLLOW`) and never
    /// blocks on a FIFO put there (`O_NONBLOCK`, cleared once open), close-on-exec.
    public static func openNoFollow(_ path: String, _ flags: Int32, mode: mode_t = 0o644) throws(SystemError) -> Int32 {
        let fd = open(path, flags | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, mode)
        guard fd >= 0 else {
            let error = errno
            throw SystemError("open \(path)\(error == ELOOP ? " (\(notFollowed))" : "")", errno: error)
        }
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG else {
            close(fd)
            throw SystemError("open \(path) (not a regular file)", errno: EINVAL)
        }
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)
        return fd
    }

    /// Creates a new file named `path.partial-` and 12 random hex digits, which did not exist
    /// (`O_CREAT | O_EXCL | O_NOFOLLOW`, as `mkstemp`, but with `mode` under the umask). Returns
    /// its descriptor and path.
    public static func createExclusive(beside path: String, mode: mode_t = 0o644) throws(SystemError) -> (
        fd: Int32, path: String
    ) {
        var lastError = EEXIST
        for _ in 0..<64 {
            let suffix = String(UInt64.random(in: 0..<(1 << 48)), radix: 16)
            let temporary = path + ".partial-" + String(repeating: "0", count: 12 - suffix.count) + suffix
            let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode)
            if fd >= 0 { return (fd, temporary) }
            lastError = errno
            if lastError != EEXIST && lastError != EINTR { break }
        }
        throw SystemError("create a temporary file beside \(path)", errno: lastError)
    }

    /// How an error says a link was found and not followed.
    static let notFollowed = "a symbolic link or another file is in its place; asyncbench does not follow it"
}

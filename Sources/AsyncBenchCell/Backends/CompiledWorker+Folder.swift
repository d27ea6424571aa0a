import AsyncBenchModel

#if canImport(Glibc)
    import Glibc
#endif

/// Where compiled workers are built, and the checks that keep that place the user's own: the
/// programs built there run as the user, as do the toolchains reading their caches there (Go's
/// GOCACHE, cargo's CARGO_HOME and its config.toml), so another user able to change any of it
/// could run code as this one.
///
/// The root is `$XDG_CACHE_HOME/asyncbench`, else `~/.cache/asyncbench` (HOME, or the user's
/// home in the password database), else (no home) `$TMPDIR/asyncbench-<euid>`: a cache in the
/// user's home, where no other user can make the folder first. Every folder asyncbench makes
/// there is made with mode 0700 and then checked with `lstat`: a real folder (not a link),
/// owned by the effective user, mode 0700; and every folder above the root must be owned by
/// root or the user and writable by no one else unless sticky (as /tmp). A folder that fails is
/// never changed (no chmod) nor used: the build is refused with a message naming the folder and
/// its owner, so the backend's cells are `error` rows and the rest of the run goes on.
extension CompiledWorker {
    /// The folder every worker build (and the Go build cache) lives in.
    public static var buildRoot: String {
        if let cache = PythonWorker.environment("XDG_CACHE_HOME"), cache.hasPrefix("/") {
            return cache + "/asyncbench"
        }
        if let home = homeFolder { return home + "/.cache/asyncbench" }
        return (PythonWorker.environment("TMPDIR") ?? "/tmp") + "/asyncbench-\(geteuid())"
    }

    /// $HOME when absolute, else the user's home folder in the password database.
    static var homeFolder: String? {
        if let home = PythonWorker.environment("HOME"), home.hasPrefix("/") { return home }
        guard let entry = getpwuid(geteuid()), let directory = entry.pointee.pw_dir else { return nil }
        let home = String(cString: directory)
        return home.hasPrefix("/") && home != "/" ? home : nil
    }

    /// The build folder of `name` for the sources in `sources` (not created).
    public static func buildFolder(name: String, sources: String) -> String {
        "\(buildRoot)/\(name)-\(hash(of: sources))"
    }

    /// Makes the root (and the folders above it that are missing, mode 0700) and checks it and
    /// every folder above it. Returns the root.
    static func makeBuildRoot() throws(UnsafePathError) -> String {
        let root = buildRoot
        let parent = Files.parent(of: root)
        if !Files.exists(parent) {
            do { try Files.makeDirectories(parent, mode: 0o700) } catch { throw .system(error) }
        }
        try Files.checkAncestors(of: root)
        try Files.makePrivateFolder(root)
        return root
    }

    /// Makes a private folder `name` in the root (e.g. the Go build cache), checked.
    public static func makeCacheFolder(_ name: String) throws(UnsafePathError) -> String {
        let folder = try makeBuildRoot() + "/" + name
        try Files.makePrivateFolder(folder)
        return folder
    }

    /// Creates the build folder `folder` of `name` (private to this user, checked) and returns
    /// it; removes the build folders of `name` for other sources untouched for a day (a run of
    /// those sources builds again): only real folders of this user, never through a link.
    public static func makeBuildFolder(name: String, folder: String) throws(UnsafePathError) -> String {
        let root = try makeBuildRoot()
        try Files.makePrivateFolder(folder)
        _ = utimes(folder, nil)  // in use: not pruned by another run
        let dayAgo = time(nil) - 86_400
        for other in Files.list(root) where other.hasPrefix(name + "-") && other.count == name.count + 17 {
            let path = root + "/" + other
            guard path != folder, let info = Files.linkStatus(path) else { continue }
            if info.st_mode & S_IFMT == S_IFDIR, info.st_uid == geteuid(), info.st_mtim.tv_sec < dayAgo {
                Files.removeTree(path)
            }
        }
        return folder
    }

    /// Checks that no folder above `folder` holds a toolchain configuration folder `name` (cargo
    /// reads `.cargo/config.toml` in every folder above the one it builds in, and cannot be told
    /// not to) that another user made or may change: in a world-writable sticky folder such as
    /// /tmp (the root's fallback without a home), anyone could add a `rustc-wrapper` there.
    public static func checkConfigs(named name: String, above folder: String) throws(UnsafePathError) {
        var above = Files.parent(of: folder)
        while true {
            let path = (above == "/" ? "" : above) + "/" + name
            if Files.linkStatus(path) != nil {
                try Files.checkTrusted(path, kind: nil, rootMayOwn: true, forbidden: 0o022)
            }
            if above == "/" { return }
            above = Files.parent(of: above)
        }
    }

    /// Checks, just before it runs, that the built program `binary` (a path inside `folder`) is
    /// still in folders only this user can change: the root and `folder` private, every folder
    /// between `folder` and `binary` a real folder, the program a regular file of this user's.
    /// A program not built yet passes (the cell then says it is not built).
    public static func checkBuilt(_ binary: String, in folder: String) -> Result<Void, WorkerUnavailable> {
        guard Files.linkStatus(folder) != nil else { return .success(()) }
        guard binary.hasPrefix(folder + "/") else {
            return .failure(WorkerUnavailable("the built worker \(binary) is not inside its build folder \(folder)"))
        }
        do throws(UnsafePathError) {
            let root = Files.parent(of: folder)
            try Files.checkAncestors(of: root)
            try Files.checkPrivate(root)
            try Files.checkPrivate(folder)
            guard Files.linkStatus(binary) != nil else { return .success(()) }
            var path = folder
            for component in binary.dropFirst(folder.count + 1).split(separator: "/").dropLast() {
                path += "/" + component
                guard Files.isRealFolder(path) else { throw .symbolicLink(path: path) }
            }
            try Files.checkOwnFile(binary)
            return .success(())
        } catch {
            return .failure(WorkerUnavailable("the built worker will not be run: \(error.description)"))
        }
    }
}

import AsyncBenchModel

#if canImport(Glibc)
    import Glibc
#endif

/// The list of files a run wrote in its output folder, `.asyncbench-manifest` (one path
/// relative to the folder per line, after a `#` heading), rewritten whole (`writeAtomically`)
/// each time the run adds a file, and before it writes it. `--overwrite` removes what a previous
/// run's manifest lists and nothing else; a folder without one (a run older than the manifest)
/// loses only the file names a run writes (`knownFiles`, and the charts and histograms with the
/// suffixes a run gives them), never a subfolder or a file of another name.
public enum RunManifest {
    public static let name = ".asyncbench-manifest"

    /// The files a run writes at the top of its folder.
    public static let knownFiles = [
        "results.csv", "results.json", "run.json", "REPORT.md", "REPORT.html", "capacity.csv",
    ]
    /// The folders a run writes files into, and the suffixes of the files it writes there.
    public static let knownFolders = [
        ("charts", [".png", ".svg"]), ("histograms", [".hgrm"]),
    ]

    static let heading = "# asyncbench: the files this run wrote here (--overwrite removes these and nothing else)"

    /// Starts the manifest of a new run in `folder`, listing `names`.
    public static func start(in folder: String, listing names: [String]) throws(SystemError) {
        try write(names, in: folder)
    }

    /// Adds `names` to the manifest in `folder`, when the folder has one (a run's); a folder
    /// without one is left without (`--overwrite` then goes by the known names).
    public static func record(_ names: [String], in folder: String) {
        guard let listed = read(folder) else { return }
        let added = names.filter { !listed.contains($0) }
        guard !added.isEmpty else { return }
        try? write(listed + added, in: folder)
    }

    /// The paths the manifest in `folder` lists, or nil without a manifest. Lines that are not
    /// a plain relative path inside the folder (absolute, `..`, empty parts) are left out.
    public static func read(_ folder: String) -> [String]? {
        guard Files.linkStatus(folder + "/" + name).map({ $0.st_mode & S_IFMT == S_IFREG }) == true,
            let text = Measurement.readFile(folder + "/" + name)
        else { return nil }
        return text.split(separator: "\n").map(String.init).filter(isPlainRelative)
    }

    /// Whether `path` is a relative path of plain names (no `.`, `..` or empty part).
    static func isPlainRelative(_ path: String) -> Bool {
        guard !path.hasPrefix("#"), !path.hasPrefix("/"), !path.isEmpty else { return false }
        return path.split(separator: "/", omittingEmptySubsequences: false).allSatisfy {
            !$0.isEmpty && $0 != "." && $0 != ".."
        }
    }

    static func write(_ names: [String], in folder: String) throws(SystemError) {
        try Files.writeAtomically(([heading] + names).joined(separator: "\n") + "\n", to: folder + "/" + name)
    }

    /// The files in `folder` a run would write, that exist now (a link counts, followed or not):
    /// the known top-level names, and the charts and histograms of run suffixes. (A manifest
    /// alone is no run: one that never wrote a file leaves only that.)
    public static func existingRunFiles(in folder: String) -> [String] {
        var found = knownFiles.filter { Files.linkStatus(folder + "/" + $0) != nil }
        for (subfolder, suffixes) in knownFolders {
            guard Files.isRealFolder(folder + "/" + subfolder) else {
                if Files.linkStatus(folder + "/" + subfolder) != nil { found.append(subfolder) }
                continue
            }
            for file in Files.list(folder + "/" + subfolder) where suffixes.contains(where: file.hasSuffix) {
                found.append(subfolder + "/" + file)
            }
        }
        return found
    }

    /// What `--overwrite` removes in `folder`: what its manifest lists, or without one the files
    /// `existingRunFiles` finds; each one file (a link removed, never followed; a folder never
    /// removed), and only through real folders. Then the run's subfolders, when left empty.
    public static func removePreviousRun(in folder: String) {
        let listed = read(folder) ?? existingRunFiles(in: folder)
        for path in listed + [name] {
            removeFile(path, in: folder)
        }
        for (subfolder, _) in knownFolders {
            let path = folder + "/" + subfolder
            if Files.isRealFolder(path) { rmdir(path) }
        }
    }

    /// Unlinks `folder/relative` if every folder on the way is a real folder and it is not one.
    static func removeFile(_ relative: String, in folder: String) {
        guard isPlainRelative(relative) else { return }
        var path = folder
        let parts = relative.split(separator: "/")
        for part in parts.dropLast() {
            path += "/" + part
            guard Files.isRealFolder(path) else { return }
        }
        path += "/" + (parts.last ?? "")
        guard let info = Files.linkStatus(path), info.st_mode & S_IFMT != S_IFDIR else { return }
        unlink(path)
    }

}

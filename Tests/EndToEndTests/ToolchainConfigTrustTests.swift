import AsyncBenchCell
import AsyncBenchModel
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Issue 26, the class of item 1 beyond the build folder: what a toolchain reads from folders
/// asyncbench did not make. cargo reads `.cargo/config.toml` in every folder above the one it
/// builds in; `python -c` imports from its working folder first.
@Suite(.serialized) struct ToolchainConfigTrustTests {
    /// One sweep cell's row of `out`.
    static func onlyRow(_ out: String) throws -> [String: String] {
        let rows = try readRows(out + "/results.csv")
        try #require(rows.count == 1, "\(rows)")
        return rows[0]
    }

    @Test(.enabled(if: BuildFolderTrustTests.isRoot, "needs root to add a second local account (useradd)"))
    func aCargoConfigAnotherUserPutAboveTheBuildIsRefused() throws {
        // The build root's fallback is in a shared sticky folder, as /tmp: another user puts a
        // .cargo there, which cargo would read (a rustc-wrapper runs code as the victim).
        let shared = try BuildFolderTrustTests.sharedFolder()
        let other = try BuildFolderTrustTests.OtherUser(prefix: "abtcfg")
        defer {
            other.remove()
            Files.removeTree(shared)
        }
        try other.run(
            "mkdir \(shared)/.cargo && printf '[build]\\nrustc-wrapper = \"/bin/false\"\\n' > \(shared)/.cargo/config.toml"
        )
        // A stand-in toolchain of ours that says whether it ran, and a registry with a tokio.
        let tools = temporaryDirectory()
        let marker = tools + "/cargo-ran"
        try Files.writeAtomically("#!/bin/sh\ntouch \(marker)\nexit 1\n", to: tools + "/cargo")
        try Files.writeAtomically("#!/bin/sh\nexit 1\n", to: tools + "/rustc")
        chmod(tools + "/cargo", 0o755)
        chmod(tools + "/rustc", 0o755)
        try Files.makeDirectories(tools + "/registry/tokio-1.0.0")
        let out = temporaryDirectory() + "/out"
        let result = try run(
            [
                "--backend", "tokio", "--workload", "sleep", "--tasks", "1", "--latency", "1ms", "--reps", "1",
                "--warmup", "0",
                "--out", out, "--quiet",
            ],
            environment: [
                "XDG_CACHE_HOME": shared, "TMPDIR": shared, "ASYNCBENCH_CARGO": tools + "/cargo",
                "ASYNCBENCH_CARGO_REGISTRY": tools + "/registry",
            ])
        #expect(result.status == 0, "\(result.stderr)")
        let row = try Self.onlyRow(out)
        #expect(row["status"] == "error", "\(row)")
        #expect(row["message"]?.contains("\(shared)/.cargo' belongs to \(other.name)") == true, "\(row)")
        #expect(!Files.exists(marker), "cargo ran under another user's .cargo")
    }

    @Test func aModuleInTheWorkingFolderIsNotImportedByThePythonProbe() throws {
        // The uvloop probe (`python -c "import uvloop"`) ran in the user's working folder, where
        // a uvloop.py of someone else's was imported, and so run.
        let folder = temporaryDirectory()
        let marker = folder + "/imported"
        try Files.writeAtomically("open(\(String(reflecting: marker)), 'w').close()\n", to: folder + "/uvloop.py")
        let out = temporaryDirectory() + "/out"
        let result = try run(
            [
                "--backend", "python-uvloop", "--workload", "sleep", "--tasks", "1", "--latency", "1ms", "--reps", "1",
                "--warmup", "0", "--out", out, "--quiet",
            ],
            in: folder)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(!Files.exists(marker), "the probe imported \(folder)/uvloop.py")
    }
}

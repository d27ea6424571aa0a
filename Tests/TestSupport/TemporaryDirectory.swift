import AsyncBenchCell
import AsyncBenchModel

#if canImport(Glibc)
    import Glibc
#endif

/// The folder under which this test process makes its temporary folders; removed at exit.
private let testRoot: String = {
    var template = Array("/tmp/asyncbench-tests-XXXXXX".utf8CString)
    guard let path = mkdtemp(&template) else { fatalError("mkdtemp failed: \(errno)") }
    let root = String(cString: path)
    testRootForExit = root
    atexit { Files.removeTree(testRootForExit) }
    return root
}()

/// `testRoot` for the atexit handler (which cannot capture); written once, by `testRoot`'s
/// thread-safe lazy initializer.
nonisolated(unsafe) private var testRootForExit = ""

/// A new empty folder, removed with all the others when the test process exits.
public func temporaryDirectory() -> String {
    var template = Array((testRoot + "/XXXXXX").utf8CString)
    guard let path = mkdtemp(&template) else { fatalError("mkdtemp failed: \(errno)") }
    return String(cString: path)
}

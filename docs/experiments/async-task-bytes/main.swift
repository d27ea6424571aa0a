// Where one sleeping Swift async task's bytes go: N tasks in a task group, each waiting in one of
// several ways; heap in use (mallinfo2) and RSS are read while all N wait, minus before.
import Glibc
import Dispatch

@inline(never) func rssBytes() -> Int {
    let fd = open("/proc/self/statm", O_RDONLY)
    var buf = [UInt8](repeating: 0, count: 256)
    let n = read(fd, &buf, 255); close(fd)
    let fields = String(decoding: buf[0..<max(0, n)], as: UTF8.self).split(separator: " ")
    return Int(fields[1])! * 4096
}
func heapBytes() -> Int { Int(shim_heap_in_use()) }

final class Gate: @unchecked Sendable {
    var lock = pthread_mutex_t()
    var checked: [CheckedContinuation<Void, Never>] = []
    var raw: [UnsafeContinuation<Void, Never>] = []
    init(_ n: Int) { pthread_mutex_init(&lock, nil); checked.reserveCapacity(n); raw.reserveCapacity(n) }
    func add(_ c: CheckedContinuation<Void, Never>) { pthread_mutex_lock(&lock); checked.append(c); pthread_mutex_unlock(&lock) }
    func add(_ c: UnsafeContinuation<Void, Never>) { pthread_mutex_lock(&lock); raw.append(c); pthread_mutex_unlock(&lock) }
    var count: Int { pthread_mutex_lock(&lock); defer { pthread_mutex_unlock(&lock) }; return checked.count + raw.count }
    func resumeAll() { pthread_mutex_lock(&lock); let c = checked, u = raw; checked = []; raw = []; pthread_mutex_unlock(&lock); c.forEach { $0.resume() }; u.forEach { $0.resume() } }
}

@main struct Main {
    static func main() async {
        let mode = CommandLine.arguments[1]
        let n = Int(CommandLine.arguments[2])!
        let sleepNs: UInt64 = 2_000_000_000
        let gate = Gate(n)
        // Warm up the runtime and the pool once.
        await withTaskGroup(of: Void.self) { g in for _ in 0..<64 { g.addTask { try? await Task.sleep(nanoseconds: 1_000_000) } } }
        let heap0 = heapBytes(), rss0 = rssBytes()
        nonisolated(unsafe) var heapPeak = 0
        nonisolated(unsafe) var rssPeak = 0
        let sampler = Task.detached {  // read once every task waits (the sampler itself is one task)
            try? await Task.sleep(nanoseconds: sleepNs / 2)
            heapPeak = heapBytes(); rssPeak = rssBytes()
            if CommandLine.arguments.count > 3 { shim_count(0); shim_dump(n) }
        }
        if CommandLine.arguments.count > 3 { shim_count(1) }
        let start = DispatchTime.now()
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<n {
                switch mode {
                case "sleep": group.addTask { try? await Task.sleep(nanoseconds: sleepNs) }
                case "checked": group.addTask { await withCheckedContinuation { gate.add($0) } }
                case "unsafe": group.addTask { await withUnsafeContinuation { gate.add($0) } }
                case "empty": group.addTask { }
                default: fatalError("mode")
                }
            }
            if mode == "checked" || mode == "unsafe" {
                // One shared timer resumes them all (what nio's single event loop effectively does).
                DispatchQueue.global().asyncAfter(deadline: start + .nanoseconds(Int(sleepNs))) { gate.resumeAll() }
            }
            if mode == "empty" { heapPeak = heapBytes(); rssPeak = rssBytes() }
        }
        _ = await sampler.value
        print("\(mode) n=\(n) heap/task=\(Double(heapPeak - heap0) / Double(n)) rss/task=\(Double(rssPeak - rss0) / Double(n))")
        
    }
}

import AsyncBenchCell
import AsyncBenchModel
import AsyncBenchResults
import CAsyncBench

/// How `RunPlan` reads the comma lists and sizes of the command line.
extension RunPlan {
    public static func list(_ text: String, option: String) throws(UsageError) -> [String] {
        try Units.list(text, option: option)
    }

    static func names(
        _ text: String, option: String, known: [String], groups: [String: [String]] = [:],
        unknown: (String) -> UsageError
    ) throws(UsageError) -> [String] {
        var result: [String] = []
        for name in try list(text, option: option) {
            if let group = groups[name] {
                result += group
            } else if known.contains(name) {
                result.append(name)
            } else {
                throw unknown(name)
            }
        }
        return result.uniqued()
    }

    static func threadStack(_ text: String) throws(UsageError) -> Int {
        if text == "default" || text == "0" { return 0 }
        let bytes = try Units.parseSize(text, option: "--thread-stack")
        let minimum = CAsyncBench_min_thread_stack()
        guard bytes >= minimum, bytes <= 1 << 30 else {
            throw .outOfRange(
                option: "--thread-stack", value: text,
                range: "'default' or between \(Units.formatBytes(minimum)) and 1GiB")
        }
        return bytes
    }

    /// A note for each workload option set away from its default whose workloads this run does
    /// not include (it changes nothing).
    static func unusedOptions(_ options: WorkloadOptions, running: [String]) -> [String] {
        let defaults = Dictionary(
            WorkloadOptions.defaults.groups.map { (ObjectIdentifier(type(of: $0)), Set($0.settings)) },
            uniquingKeysWith: { a, _ in a })
        var notes: [String] = []
        for group in options.groups {
            let kind = ObjectIdentifier(type(of: group))
            var owners: [String] = []
            for workload in Registry.workloads where workload.optionsKind == kind { owners.append(workload.name) }
            guard !owners.contains(where: running.contains) else { continue }
            for setting in group.settings where defaults[kind]?.contains(setting) == false {
                let name = setting.split(separator: "=").first.map(String.init) ?? setting
                notes.append(
                    "--\(name) applies to the \(owners.joined(separator: " and ")) workload\(owners.count > 1 ? "s" : "") only, which this run does not include"
                )
            }
        }
        return notes
    }
}

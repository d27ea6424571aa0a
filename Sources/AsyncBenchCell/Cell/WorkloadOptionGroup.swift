import ArgumentParser
import AsyncBenchModel
import AsyncBenchResults

/// A workload's command-line options: an ArgumentParser option group that `WorkloadOptions`
/// composes into `run` (and every command that plans cells), and that records itself in the
/// run's metadata so that `check` can repeat the run.
public protocol WorkloadOptionGroup: ParsableArguments, Sendable {
    /// `name=value` of each option, for run.json's settings (names as on the command line).
    var settings: [String] { get }
    /// The command-line arguments that give back the recorded setting `name=value`, or nil when
    /// the setting is not one of this group's.
    static func arguments(setting name: String, value: String) -> [String]?
}

/// The options of a workload that has none.
public struct NoOptions: WorkloadOptionGroup {
    public init() {}
    public var settings: [String] { [] }
    public static func arguments(setting name: String, value: String) -> [String]? { nil }
}

/// Reads the group an `@OptionGroup` property of `WorkloadOptions` holds, whatever its type.
protocol OptionGroupBox {
    var group: any WorkloadOptionGroup { get }
}

extension OptionGroup: OptionGroupBox where Value: WorkloadOptionGroup {
    var group: any WorkloadOptionGroup { wrappedValue }
}

extension WorkloadOptions {
    /// Every option group, parsed (an instance made by `init()` and not parsed holds none).
    public var groups: [any WorkloadOptionGroup] {
        Mirror(reflecting: self).children.compactMap { ($0.value as? OptionGroupBox)?.group }
    }

    /// The group of type `Group` (every workload's `Options` is one of `groups`).
    public func group<Group: WorkloadOptionGroup>(_ type: Group.Type) -> Group {
        if let none = NoOptions() as? Group { return none }
        guard let group = groups.lazy.compactMap({ $0 as? Group }).first else {
            preconditionFailure("\(Group.self) is not an option group of WorkloadOptions: add it there")
        }
        return group
    }

    /// Every option at its default (parsed once: parsing validates the groups, which costs).
    public static let defaults: WorkloadOptions = {
        // Parsing no arguments cannot fail: every option has a default.
        (try? parse([])) ?? WorkloadOptions()
    }()

    /// The options as `settings` recorded them (unknown settings are someone else's; a setting
    /// that no longer parses leaves its option at the default).
    public init(settings: [String: String]) {
        var arguments: [String] = []
        let types = Self.defaults.groups.map { type(of: $0) }
        for (name, value) in settings.sorted(by: { $0.key < $1.key }) {
            guard let found = types.lazy.compactMap({ $0.arguments(setting: name, value: value) }).first,
                (try? Self.parse(arguments + found)) != nil
            else { continue }
            arguments += found
        }
        self = (try? Self.parse(arguments)) ?? Self.defaults
    }

    /// `name=value` of every workload option, for run.json.
    public var settings: [String] { groups.flatMap(\.settings) }
}

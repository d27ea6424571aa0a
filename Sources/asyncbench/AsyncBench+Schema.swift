import ArgumentParser
import AsyncBenchAnalysis
import AsyncBenchCell
import AsyncBenchModel
import AsyncBenchResults
import AsyncBenchSweep

extension AsyncBench {
    /// `asyncbench schema`: the results schema as Markdown.
    struct SchemaCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "schema",
            abstract: "Print the results schema (every CSV column and its meaning) as a Markdown table.",
            discussion: "Example: asyncbench schema > docs/schema.md")

        func run() {
            print(Registry.schema.markdown, terminator: "")
        }
    }
}

extension AsyncBench {
    /// `asyncbench cli-reference` (hidden): every command's help, as the parser prints it, in
    /// one Markdown file (docs/cli-reference.md; a test keeps it in sync).
    struct CLIReference: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "cli-reference",
            abstract: "Print every command's --help as Markdown.",
            discussion: "Example: asyncbench cli-reference > docs/cli-reference.md",
            shouldDisplay: false)

        func run() {
            print(Self.markdown(), terminator: "")
        }

        /// The reference: the root command's help, then each visible command's, at 100 columns.
        static func markdown() -> String {
            var text =
                "# asyncbench command reference\n\nGenerated from the parser by `asyncbench cli-reference`: each command's `--help`. Back to the [README](../README.md).\n"
            func add(_ command: any ParsableCommand.Type, path: [String]) {
                let name = (["asyncbench"] + path).joined(separator: " ")
                text += "\n## \(name)\n\n```text\n"
                text += AsyncBench.helpMessage(for: command, columns: 100).trimmingWhitespace() + "\n```\n"
                for sub in command.configuration.subcommands where sub.configuration.shouldDisplay {
                    add(sub, path: path + [sub._commandName])
                }
            }
            add(AsyncBench.self, path: [])
            return text
        }
    }
}

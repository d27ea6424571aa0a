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

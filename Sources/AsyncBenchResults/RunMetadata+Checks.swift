import AsyncBenchModel

extension RunMetadata {
    /// Why this metadata (read back from a run.json) is not what asyncbench writes, naming the
    /// field: a number out of range (cores, memory, a build's seconds, the kernel noise floor),
    /// a worker or backend name outside the name grammar; nil when it could be.
    public var problem: String? {
        func field(_ name: String, _ value: Double, _ range: ClosedRange<Double>) -> String? {
            value.isFinite && range.contains(value) ? nil : "its '\(name)' field, \(value), is outside \(range)"
        }
        let numbers: [String?] = [
            field("schemaVersion", Double(schemaVersion), 1...Double(Schema.version)),
            field("cores", Double(cores), 1...1_048_576),
            field("memoryBytes", Double(memoryBytes), 0...FigureDomain.limit),
            field("kernelMemory.noiseBytes", Double(kernelMemory?.noiseBytes ?? 0), 0...FigureDomain.limit),
            field("kernelMemory.noiseSamples", Double(kernelMemory?.noiseSamples ?? 0), 0...1_000_000),
        ]
        if let problem = numbers.compactMap({ $0 }).first { return problem }
        for worker in workers ?? [] {
            if let problem = field("workers.buildSeconds", worker.buildSeconds, 0...1e6) { return problem }
            for name in [worker.worker] + worker.backends {
                if let problem = Name.problem(name) {
                    return "its worker or backend name \(name.quotedExcerpt()) \(problem)"
                }
            }
        }
        return nil
    }
}

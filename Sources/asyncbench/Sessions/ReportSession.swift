import AsyncBenchAnalysis
import AsyncBenchModel
import CAsyncBench

/// `asyncbench plot DIR`, `asyncbench report DIR` and `asyncbench verify`: what they print.
enum ReportSession {
    /// The signal that interrupted this process since the handlers were installed, if any.
    static func interruption() -> Int32? {
        let signal = CAsyncBench_interrupted()
        return signal != 0 ? Int32(signal) : nil
    }

    /// `asyncbench plot DIR`: done when drawn, a data error otherwise; a signal kills gnuplot too.
    static func plot(directory: String, script: String?, executable: String) -> ExitStatus {
        _ = CAsyncBench_install_interrupt_handlers()
        let located = RunOutputs.locateScript(explicit: script, executable: executable)
        let problem: String?
        do throws(DataError) {
            problem = try RunOutputs.plot(directory: directory, script: located)
        } catch {
            ProcessIO.writeStandardError("Error: \(error.description)\n")
            return .dataError
        }
        if let signal = interruption() { return .interrupted(signal) }
        if let problem {
            ProcessIO.writeStandardError("Error: \(problem)\n")
            return .dataError
        }
        print("charts: \(directory)/charts/")
        return .success
    }

    /// `asyncbench report DIR`: done when written, a data error on a missing or malformed run.
    static func report(directory: String) -> ExitStatus {
        do throws(DataError) {
            print("report: \(try RunOutputs.writeReport(directory: directory))")
            return .success
        } catch {
            ProcessIO.writeStandardError("Error: \(error.description)\n")
            return .dataError
        }
    }

    /// `asyncbench verify` (and `run --verify`): the table; failed when a figure disagrees.
    static func verify(_ outcome: Verification.Outcome) -> ExitStatus {
        switch outcome {
        case .cellFailed(let problem):
            ProcessIO.writeStandardError("Error: \(problem)\n")
            return .dataError
        case .checked(let checks, let perfMissing):
            print(Verification.render(checks))
            if perfMissing {
                print(
                    "perf not found: install linux-perf (apt-get install linux-perf) to cross-check the switch figures")
            }
            return checks.contains { $0.agrees == false } ? .failed : .success
        }
    }
}

import ArgumentParser
import AsyncBenchModel

/// What the command line needs before ArgumentParser reads it.
///
/// ArgumentParser reads any word that starts with '-' as an option. Two things users type then go
/// wrong: a negative value (`--tasks -1`) is reported as "Missing value for '--tasks'", and a
/// word such as `-dash` is read as the cluster `-d -a -s -h`, whose `-h` prints the help and exits 0
/// having done nothing (`baseline save -dash DIR`). asyncbench has no short options but `-h`, so:
/// - a word that starts with '-' and a digit or '.', right after a long option written without
///   '=', is that option's value: it is joined to it (`--tasks=-1`), and the option's own check
///   says what range it takes;
/// - any other single-dash word longer than two characters is refused as what it is.
/// Words after a bare `--` are left alone (they are arguments by ArgumentParser's rule).
enum CommandLinePreflight {
    /// The arguments with negative values joined to their options, or the message refusing them.
    static func prepare(_ arguments: [String]) -> Result<[String], ValidationError> {
        var prepared: [String] = []
        var index = 0
        while index < arguments.count {
            let word = arguments[index]
            if word == "--" {
                prepared += arguments[index...]
                break
            }
            if isLongOptionWithoutValue(word), index + 1 < arguments.count, isNegativeValue(arguments[index + 1]) {
                prepared.append(word + "=" + arguments[index + 1])
                index += 2
                continue
            }
            if isShortCluster(word) {
                return .failure(
                    ValidationError(
                        "\(word.quotedExcerpt(limit: 40)) is not an option: asyncbench's options are long (--name) but -h; "
                            + "a name cannot start with '-', and a path that does is written \(("./" + word).quotedExcerpt(limit: 42))"
                    ))
            }
            prepared.append(word)
            index += 1
        }
        return .success(prepared)
    }

    static func isLongOptionWithoutValue(_ word: String) -> Bool {
        word.hasPrefix("--") && word.count > 2 && !word.contains("=")
    }

    /// `-1`, `-1ms`, `-0.5`, `-.5`, `-1,10`: a value, never an option.
    static func isNegativeValue(_ word: String) -> Bool {
        guard word.hasPrefix("-"), let second = word.dropFirst().first else { return false }
        return second.isASCII && (second.isNumber || second == ".")
    }

    /// `-dash`, `-xyz`: a single dash, then more than one character, not a number.
    static func isShortCluster(_ word: String) -> Bool {
        word.hasPrefix("-") && !word.hasPrefix("--") && word.count > 2 && !isNegativeValue(word)
    }
}

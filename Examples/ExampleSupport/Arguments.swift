import Foundation

/// A command-line option of an example program, with validation of its value.
public struct Option: Sendable {
    /// What values the option accepts; checked during parsing.
    public enum Kind: Sendable {
        /// No value; present or absent.
        case flag
        /// An integer in the range (sizes with a sane upper bound, so a typo cannot
        /// ask for terabytes of memory).
        case integerIn(ClosedRange<Int>)
        /// An integer ≥ 1.
        public static let positiveInteger = Kind.integerIn(1...Int.max)
        /// An integer ≥ 0.
        public static let nonNegativeInteger = Kind.integerIn(0...Int.max)
        /// Any integer (e.g. a seed); `UInt64` range.
        case seed
        /// A number > 0 that stays finite and non-zero as a `Float`.
        case positiveNumber
        /// A finite number in [0, 1).
        case fraction
        /// One of the listed words.
        case choice([String])
        /// A directory that exists and is readable.
        case existingDirectory
        /// A file that exists and is readable.
        case existingFile
        /// A directory to write into: created if missing, must be writable.
        case outputDirectory
        /// Any value `accepts` approves; `expected` describes the accepted values in the error.
        case validated(expected: String, accepts: @Sendable (String) -> Bool)
    }

    /// The flag, e.g. `--epochs`.
    public let name: String
    /// Placeholder shown in help, e.g. `N`.
    public let valueName: String
    /// One-line help.
    public let help: String
    /// The value used when the option is absent (nil = no value).
    public let defaultValue: String?
    /// Accepted values.
    public let kind: Kind

    /// Creates an option.
    public init(_ name: String, _ valueName: String = "", kind: Kind, default defaultValue: String? = nil, help: String) {
        self.name = name
        self.valueName = valueName
        self.kind = kind
        self.defaultValue = defaultValue
        self.help = help
    }
}

/// A bad command line; the message is one line naming the flag and the problem.
public struct ArgumentError: Error, CustomStringConvertible {
    /// The message printed before exiting.
    public let description: String
}

/// The validated values of a command line.
public struct ParsedArguments: Sendable {
    var values: [String: String]
    /// The options that were on the command line (the rest hold their defaults).
    var given: Set<String> = []

    /// The value of an integer option (validated during parsing).
    public func integer(_ name: String) -> Int { Int(values[name]!)! }
    /// The value of a seed option.
    public func seed(_ name: String) -> UInt64 { UInt64(values[name]!)! }
    /// The value of a number option.
    public func number(_ name: String) -> Double { Double(values[name]!)! }
    /// The value of a number option, or nil when it has no default and was not given.
    public func optionalNumber(_ name: String) -> Double? { values[name].map { Double($0)! } }
    /// The value of an integer option, or nil when it has no default and was not given.
    public func optionalInteger(_ name: String) -> Int? { values[name].map { Int($0)! } }
    /// The value of a string option, or nil when absent and without default.
    public func string(_ name: String) -> String? { values[name] }
    /// The value of a path option as a URL, or nil when absent and without default.
    public func url(_ name: String) -> URL? { values[name].map { URL(fileURLWithPath: $0) } }
    /// Whether a flag was given.
    public func flag(_ name: String) -> Bool { values[name] != nil }
    /// Whether the option was on the command line (rather than holding its default).
    public func wasGiven(_ name: String) -> Bool { given.contains(name) }
}

/// Parses and validates an example's arguments; prints help for `--help`.
public struct CommandLineInterface: Sendable {
    /// Program name for usage lines.
    public let program: String
    /// What the program does (first help line).
    public let summary: String
    /// Accepted options.
    public let options: [Option]

    /// Creates a command-line interface.
    public init(program: String, summary: String, options: [Option]) {
        self.program = program
        self.summary = summary
        self.options = options
    }

    /// The `--help` text: usage, summary, then one line per option with its default.
    public var helpText: String {
        var lines = ["usage: \(program) [options]", "", summary, "", "options:"]
        for option in options {
            let left = option.valueName.isEmpty ? option.name : "\(option.name) \(option.valueName)"
            var text = left.padding(toLength: max(26, left.count + 2), withPad: " ", startingAt: 0) + option.help
            if let value = option.defaultValue { text += " (default: \(value))" }
            lines.append("  " + text)
        }
        lines.append("  --help".padding(toLength: 28, withPad: " ", startingAt: 0) + "show this help and exit")
        return lines.joined(separator: "\n")
    }

    /// Parses `arguments` (without the program name), throwing on the first problem.
    public func parse(_ arguments: [String]) throws -> ParsedArguments {
        var values: [String: String] = [:]
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            var name = argument, inlineValue: String?
            if let equals = argument.firstIndex(of: "="), argument.hasPrefix("--") {
                name = String(argument[..<equals])
                inlineValue = String(argument[argument.index(after: equals)...])
            }
            guard let option = options.first(where: { $0.name == name }) else {
                throw ArgumentError(description: argument.hasPrefix("-")
                    ? "unknown option \(name) (see --help)"
                    : "unexpected argument '\(argument)' (see --help)")
            }
            if case .flag = option.kind {
                guard inlineValue == nil else { throw ArgumentError(description: "\(name) takes no value") }
                values[name] = "true"
                index += 1
                continue
            }
            let value: String
            if let inlineValue {
                value = inlineValue
            } else {
                guard index + 1 < arguments.count, !arguments[index + 1].hasPrefix("--") else {
                    throw ArgumentError(description: "\(name) needs a value (\(option.valueName))")
                }
                value = arguments[index + 1]
                index += 1
            }
            values[name] = try validate(value, for: option)
            index += 1
        }
        let given = Set(values.keys)
        for option in options where values[option.name] == nil {
            if let value = option.defaultValue, !isFlag(option) { values[option.name] = try validate(value, for: option) }
        }
        return ParsedArguments(values: values, given: given)
    }

    /// Parses the process arguments; prints help and exits 0 for `--help`,
    /// prints `program: error: message` to standard error and exits 2 on a problem.
    public func parseOrExit(_ arguments: [String] = Array(CommandLine.arguments.dropFirst())) -> ParsedArguments {
        if arguments.contains("--help") || arguments.contains("-h") {
            print(helpText)
            exit(0)
        }
        do {
            return try parse(arguments)
        } catch {
            FileHandle.standardError.write(Data("\(program): error: \(error)\n".utf8))
            exit(2)
        }
    }

    /// Runs the program's body; a thrown error ends the program with
    /// `program: error: message` on standard error and exit status 1.
    public func exitOnError(_ body: () throws -> Void) {
        do {
            try body()
        } catch {
            fail("\(error)")
        }
    }

    /// Prints `program: error: message` to standard error and exits with status 1; in a
    /// data-parallel job (``joinLaunchedJob(_:globalBatch:)``), ends every process of it.
    public func fail(_ message: String) -> Never {
        jobEndedByFailure.value?.abort(reason: "\(program): error: \(message)")
        FileHandle.standardError.write(Data("\(program): error: \(message)\n".utf8))
        exit(1)
    }

    private func isFlag(_ option: Option) -> Bool {
        if case .flag = option.kind { return true }
        return false
    }

    private func validate(_ value: String, for option: Option) throws -> String {
        let name = option.name
        func fail(_ expected: String) -> ArgumentError {
            ArgumentError(description: "\(name) expects \(expected), got '\(value)'")
        }
        switch option.kind {
        case .flag:
            return value
        case .integerIn(let range):
            guard let number = Int(value), range.contains(number) else {
                throw fail(range.upperBound == .max ? "a whole number ≥ \(range.lowerBound)"
                                                    : "a whole number from \(range.lowerBound) to \(range.upperBound)")
            }
        case .seed:
            guard UInt64(value) != nil else { throw fail("a whole number from 0 to \(UInt64.max)") }
        case .positiveNumber:
            // Consumers use Float: 1e40 would become infinity and 1e-50 zero.
            guard let number = Double(value), Float(number) > 0, Float(number).isFinite else {
                throw fail("a number > 0 that fits a Float (about 1e-45 to 3.4e38)")
            }
        case .fraction:
            guard let number = Double(value), number >= 0, number < 1 else { throw fail("a number in [0, 1)") }
        case .choice(let choices):
            guard choices.contains(value) else { throw fail("one of \(choices.joined(separator: ", "))") }
        case .validated(let expected, let accepts):
            guard accepts(value) else { throw fail(expected) }
        case .existingDirectory, .existingFile:
            let wantsDirectory: Bool = if case .existingDirectory = option.kind { true } else { false }
            let noun = wantsDirectory ? "directory" : "file"
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: value, isDirectory: &isDirectory) else {
                throw ArgumentError(description: "\(name): \(noun) '\(value)' does not exist")
            }
            guard isDirectory.boolValue == wantsDirectory else {
                throw ArgumentError(description: "\(name): '\(value)' is a \(wantsDirectory ? "file" : "directory"), expected a \(noun)")
            }
            guard FileManager.default.isReadableFile(atPath: value) else {
                throw ArgumentError(description: "\(name): \(noun) '\(value)' is not readable")
            }
        case .outputDirectory:
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: value, isDirectory: &isDirectory), !isDirectory.boolValue {
                throw ArgumentError(description: "\(name): '\(value)' is a file, expected a directory")
            }
            guard (try? FileManager.default.createDirectory(atPath: value, withIntermediateDirectories: true)) != nil,
                  FileManager.default.isWritableFile(atPath: value) else {
                throw ArgumentError(description: "\(name): cannot create or write to directory '\(value)'")
            }
        }
        return value
    }
}


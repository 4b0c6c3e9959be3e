#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// A `GANKIT_*` environment variable whose value GANKit cannot use.
///
/// Its description is the one line the process ends with (after `GANKit: `):
/// `GANKIT_THREADS must be a whole number ≥ 1, got 'abc'`.
struct EnvironmentSettingError: Error, Equatable, CustomStringConvertible {
    /// The variable, e.g. `GANKIT_THREADS`.
    let variable: String
    /// Its value as set.
    let value: String
    /// What the variable must be, e.g. `a whole number ≥ 1`.
    let expected: String
    /// Why the value failed, when there is more to say (e.g. `dlerror()`).
    var reason: String? = nil

    /// `GANKIT_THREADS must be a whole number ≥ 1, got 'abc'`, on one line
    /// whatever the value holds (control characters are escaped).
    var description: String {
        let line = "\(variable) must be \(expected), got '\(value)'" + (reason.map { " (\($0))" } ?? "")
        return String(String.UnicodeScalarView(line.unicodeScalars.flatMap { scalar in
            scalar.properties.generalCategory == .control ? Array(scalar.escaped(asASCII: true).unicodeScalars) : [scalar]
        }))
    }
}

/// The value of the environment variable `name`, or nil when it is unset or
/// empty (`GANKIT_THREADS= program` means "not set", as for most tools).
func environmentSetting(_ name: String) -> String? {
    guard let value = ProcessInfo.processInfo.environment[name], !value.isEmpty else { return nil }
    return value
}

/// Ends the process over a bad environment variable: `GANKit: ` and the
/// error's one line on stderr, exit status 1.
///
/// Not `fatalError`: the mistake is in how the program was started, not in
/// the program, so it gets a message a user can act on instead of a crash
/// report and backtrace.
func exitForBadEnvironment(_ error: EnvironmentSettingError) -> Never {
    FileHandle.standardError.write(Data("GANKit: \(error)\n".utf8))
    exit(1)
}

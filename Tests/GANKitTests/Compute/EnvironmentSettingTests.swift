import Foundation
import Testing
@testable import GANKit

/// `GANKIT_THREADS` and `GANKIT_BLAS`: what is accepted, and the one line a
/// process ends with when a value cannot be used.
@Suite struct EnvironmentSettingTests {
    @Test(arguments: [("1", 1), ("4", 4), ("+2", 2), ("64", 64)])
    func threadCountAcceptsWholeNumbersFromOne(text: String, count: Int) throws {
        #expect(try Parallelism.threadCount(fromEnvironment: text) == count)
    }

    @Test func unsetOrEmptyThreadCountMeansTheDefault() throws {
        #expect(try Parallelism.threadCount(fromEnvironment: nil) == nil)
        #expect(try Parallelism.threadCount(fromEnvironment: "") == nil)
    }

    @Test(arguments: ["abc", "0", "-3", "2.5", " 4", "4 ", "0x4", "1e3", "99999999999999999999"])
    func threadCountRejectsAnythingElse(text: String) {
        #expect(throws: EnvironmentSettingError(variable: "GANKIT_THREADS", value: text, expected: "a whole number ≥ 1")) {
            try Parallelism.threadCount(fromEnvironment: text)
        }
    }

    @Test func messageNamesVariableValueAndWhatIsExpected() {
        let error = EnvironmentSettingError(variable: "GANKIT_THREADS", value: "abc", expected: "a whole number ≥ 1")
        #expect(error.description == "GANKIT_THREADS must be a whole number ≥ 1, got 'abc'")
    }

    @Test func messageStaysOneLineWhateverTheValueHolds() {
        let error = EnvironmentSettingError(variable: "GANKIT_BLAS", value: "/tmp/a\nb.so", expected: "a library",
                                            reason: "first\nsecond")
        #expect(error.description == #"GANKIT_BLAS must be a library, got '/tmp/a\nb.so' (first\nsecond)"#)
    }

    #if !canImport(Accelerate)
    @Test func blasPathThatCannotBeLoadedIsAnErrorNamingIt() {
        #expect {
            _ = try BLASLibrary.requested(by: "/nonexistent/libnothing.so")
        } throws: { error in
            let message = (error as? EnvironmentSettingError)?.description ?? ""
            return message.hasPrefix("GANKIT_BLAS must be 'builtin' or a CBLAS library (path or soname) with cblas_sgemm, "
                                     + "got '/nonexistent/libnothing.so' (")
                && message.contains("No such file") && !message.contains("\n")
        }
    }

    /// zlib loads but has no `cblas_sgemm`: the reason says so.
    @Test func libraryWithoutSGEMMIsAnErrorSayingSo() {
        #expect {
            _ = try BLASLibrary.requested(by: "libz.so.1")
        } throws: { error in
            ((error as? EnvironmentSettingError)?.reason ?? "").contains("cblas_sgemm")
        }
    }
    #endif

    #if os(macOS) || os(Linux) || os(Windows)  // exit tests need a child process
    /// The real start-up path in a child process: one line on stderr, exit status 1, no crash report.
    @Test func badThreadCountEndsTheProcessWithOneLine() async throws {
        let result = await #expect(processExitsWith: .exitCode(1), observing: [\.standardErrorContent]) {
            setenv("GANKIT_THREADS", "abc", 1)
            _ = Parallelism.threadCount
        }
        let message = String(decoding: try #require(result).standardErrorContent, as: UTF8.self)
        #expect(message == "GANKit: GANKIT_THREADS must be a whole number ≥ 1, got 'abc'\n")
    }

    #if !canImport(Accelerate)
    @Test func unloadableBLASEndsTheProcessWithOneLine() async throws {
        let result = await #expect(processExitsWith: .exitCode(1), observing: [\.standardErrorContent]) {
            setenv("GANKIT_BLAS", "/nonexistent/libnothing.so", 1)
            _ = GANKit.backend
        }
        let message = String(decoding: try #require(result).standardErrorContent, as: UTF8.self)
        #expect(message.hasPrefix("GANKit: GANKIT_BLAS must be 'builtin' or a CBLAS library"), "\(message)")
        #expect(message.contains("got '/nonexistent/libnothing.so'"), "\(message)")
        #expect(message.filter { $0 == "\n" }.count == 1 && message.hasSuffix("\n"), "\(message)")
    }
    #endif
    #endif
}

import Testing
@testable import GANKit

/// `require` builds its message only when the check fails (the hot path pays a compare).
@Suite struct RequirementTests {
    final class Counter { var value = 0 }

    @Test func passingCheckDoesNotBuildItsMessage() {
        let built = Counter()
        for _ in 0..<3 {
            require(true, { built.value += 1; return "never shown" }())
        }
        #expect(built.value == 0)
    }

    #if os(macOS) || os(Linux) || os(Windows)  // exit tests need a child process
    @Test func failingCheckStopsWithItsMessage() async throws {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let found = [4, 100]
            require(found == [4, 784], "Check: expected [4, 784], got \(found)")
        }
        let message = String(decoding: try #require(result).standardErrorContent, as: UTF8.self)
        #expect(message.contains("Check: expected [4, 784], got [4, 100]"), "\(message)")
    }
    #endif
}

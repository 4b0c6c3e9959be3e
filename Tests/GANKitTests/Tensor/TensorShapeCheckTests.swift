import Testing
@testable import GANKit

/// `TensorShape`'s own checks: they run once per shape (not per dimension) and name what they found.
@Suite struct TensorShapeCheckTests {
    @Test func validShapesKeepTheirDimensions() {
        #expect(Array(TensorShape([64, 1, 28, 28])) == [64, 1, 28, 28])
        #expect(TensorShape([Int]()).rank == 0)
        #expect(TensorShape([0, 3]).elementCount == 0)
    }

    #if os(macOS) || os(Linux) || os(Windows)  // exit tests need a child process
    @Test func negativeDimensionStopsNamingTheDimensions() async throws {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = TensorShape([2, -1, 3])
        }
        let message = String(decoding: try #require(result).standardErrorContent, as: UTF8.self)
        #expect(message.contains("TensorShape: expected dimensions ≥ 0, got [2, -1, 3]"), "\(message)")
    }

    @Test func tooManyAxesStopsNamingTheRank() async throws {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = TensorShape([Int](repeating: 1, count: 9))
        }
        let message = String(decoding: try #require(result).standardErrorContent, as: UTF8.self)
        #expect(message.contains("TensorShape: rank 9 exceeds the maximum 8"), "\(message)")
    }
    #endif
}

import Foundation
import Testing
@testable import GANKit

@Suite struct SeededGeneratorTests {
    /// The split fill gives the bits of one `nextNormal()` after another and leaves the
    /// generator where they would, for counts below, at and well above the split size
    /// (odd counts give a ragged last chunk).
    @Test(arguments: [0, 1, 1023, 2048, 6401, 50_001])
    func fillNormalEqualsSerialDraws(count: Int) {
        var serial = SeededGenerator(seed: 9), split = serial
        let expected = (0..<count).map { _ in serial.nextNormal().bitPattern }
        var values = [Float](repeating: .nan, count: count)
        values.withUnsafeMutableBufferPointer { split.fillNormal($0) }
        #expect(values.map(\.bitPattern) == expected)
        #expect(split == serial)
    }

    /// Mean ≈ 0 and variance ≈ 1 over 100 000 draws (standard errors 0.003 and 0.0045).
    @Test func normalSamplesHaveUnitVariance() {
        var rng = SeededGenerator(seed: 4)
        let x = Tensor.randomNormal([100_000], mean: 0, standardDeviation: 1, using: &rng).scalars.map(Double.init)
        let mean = x.reduce(0, +) / Double(x.count)
        let variance = x.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(x.count)
        #expect(abs(mean) < 0.015 && abs(variance - 1) < 0.025, "mean \(mean), variance \(variance)")
    }
}
